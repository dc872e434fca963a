#!/bin/bash
# Runs graygate's JMH benchmarks (src/test/java/io/graygate/bench) with the GC profiler.
# Usage: bench/jmh.sh [JMH options...]     e.g. bench/jmh.sh DecisionBenchmark -p client=miss
# Default: DecisionBenchmark, all cases, -prof gc. JMH's own options (-f, -wi, -i, -r, -prof, -rf json) pass through.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
mvn -B -q test-compile
mvn -B -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench-classpath.txt
cp="target/test-classes:target/classes:$(cat target/bench-classpath.txt)"
(($# > 0)) || set -- DecisionBenchmark -prof gc
exec java -cp "$cp" org.openjdk.jmh.Main "$@"
