# Sourced by the bench scripts: compiles main and test classes and sets $bench_cp to the test classpath.
# Needs $repo (the repository root).
(cd "$repo" && mvn -B -q test-compile &&
  mvn -B -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench-classpath.txt) >&2
bench_cp="$repo/target/test-classes:$repo/target/classes:$(cat "$repo/target/bench-classpath.txt")"
