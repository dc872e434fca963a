#!/bin/bash
# Heap taken by a large whitelist, and the time of the admin path's steps on it (WhitelistFootprint).
# Usage: bench/memory.sh [ADDRESSES]     (default 1000000)
# Runs with the launcher's collector (ParallelGC) so that "used after a full GC" is the live size.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
source "$repo/bench/classpath.sh"
source "$repo/bench/common.sh"
wait_quiet "${BENCH_WAIT_QUIET_MINUTES:-10}" # the heap figures do not care, the timings do
log "the machine was ${busy_before}% busy with other work before measuring"
java -Xms2g -Xmx2g -XX:+UseParallelGC -Dlogback.configurationFile="$repo/bench/logback-bench.xml" \
  -cp "$bench_cp" io.graygate.bench.WhitelistFootprint "$@"
