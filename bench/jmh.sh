#!/bin/bash
# Runs graygate's JMH benchmarks (src/test/java/io/graygate/bench) with the GC profiler.
# Usage: bench/jmh.sh [JMH options...]     e.g. bench/jmh.sh DecisionBenchmark.decide$ -p client=miss
# Default: DecisionBenchmark, all cases, -prof gc. JMH's own options (-f, -wi, -i, -r, -prof, -rf json) pass through.
# Waits up to BENCH_WAIT_QUIET_MINUTES (default 10) for other work on the machine to stop first.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
source "$repo/bench/classpath.sh"
source "$repo/bench/common.sh"
cd "$repo" # the benchmarks' forks find bench/logback-bench.xml from here
(($# > 0)) || set -- DecisionBenchmark -prof gc
wait_quiet "${BENCH_WAIT_QUIET_MINUTES:-10}"
log "the machine was ${busy_before}% busy with other work before measuring"
java -cp "$bench_cp" org.openjdk.jmh.Main "$@"
