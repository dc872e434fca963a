#!/bin/bash
# Runs graygate's JMH benchmarks (src/test/java/io/graygate/bench) with the GC profiler.
# Usage: bench/jmh.sh [JMH options...]     e.g. bench/jmh.sh DecisionBenchmark.decide$ -p client=miss
# Default: DecisionBenchmark, all cases, -prof gc. JMH's own options (-f, -wi, -i, -r, -prof, -rf json) pass through.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
source "$repo/bench/classpath.sh"
cd "$repo" # the benchmarks' forks find bench/logback-bench.xml from here
(($# > 0)) || set -- DecisionBenchmark -prof gc
exec java -cp "$bench_cp" org.openjdk.jmh.Main "$@"
