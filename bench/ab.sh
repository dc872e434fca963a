#!/bin/bash
# Two or more graygate builds side by side, in one compare.sh run, to see what a change did: builds each commit's
# jar in a temporary worktree, starts the anchors' upstreams and one graygate per build (that build's own
# bench/graygate-bench.yaml, so a build from before a configuration change reads the keys it knows;
# access log on, the launcher's JVM options, ports 8090+i with admin 9290+i), warms each up, and measures the plain
# nginx proxy and every build in turn: keep-alive on the production path, then Connection: close.
# Usage: bench/ab.sh [-r ROUNDS] [-d SECONDS] COMMIT...     e.g. bench/ab.sh HEAD~1 HEAD   (default 3 rounds of 5 s)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
rounds=3 secs=5
while getopts "r:d:" o; do
  case $o in r) rounds=$OPTARG ;; d) secs=$OPTARG ;; *) exit 2 ;; esac
done
shift $((OPTIND - 1))
(($# >= 2)) || { echo "ab.sh: give two or more commits" >&2; exit 2; }
source "$repo/bench/common.sh"
anchors=$(find_anchors)

jars=() names=()
for commit in "$@"; do
  sha=$(git -C "$repo" rev-parse --short "$commit")
  log "building $commit ($sha)"
  git -C "$repo" worktree add -q --detach "$work/src-$sha" "$sha"
  started+=("git -C '$repo' worktree remove --force '$work/src-$sha'")
  (cd "$work/src-$sha" && mvn -B -q -DskipTests package) >&2
  jars+=("$work/src-$sha/target/graygate.jar")
  names+=("$sha")
done

"$anchors/seed-openresty/install.sh"
ports=(6390 9001 9002 8081 8082 8083)
for i in "${!jars[@]}"; do ports+=($((8090 + i)) $((9290 + i))); done
require_free_ports "${ports[@]}"
started+=("'$anchors/seed-openresty/stop.sh'")
"$anchors/seed-openresty/start.sh"
wait_http http://127.0.0.1:9001/ 10

targets=()
make_bench_cert # for builds whose configuration has a TLS listener
for i in "${!jars[@]}"; do
  port=$((8090 + i))
  BENCH_DIR=$work BENCH_NAME=ab-$i BENCH_GRAYGATE_PORT=$port BENCH_ADMIN_PORT=$((9290 + i)) BENCH_ACCESS_LOG=true \
    java -Xms64m -Xmx256m -XX:MaxNewSize=32m -XX:+UseParallelGC -XX:+ExitOnOutOfMemoryError -Dio.netty.leakDetection.level=disabled \
    -jar "${jars[i]}" serve --config "$work/src-${names[i]}/bench/graygate-bench.yaml" >"$work/ab-$i.log" 2>&1 &
  started+=("kill $!; wait $!")
  wait_http "http://127.0.0.1:$port/" 60
  targets+=("${names[i]}=http://127.0.0.1:$port/")
done
for t in "${targets[@]}"; do
  log "warming up ${t%%=*}"
  wrk -t1 -c50 -d10s "${t#*=}" >/dev/null
  wrk -t1 -c50 -d5s -H 'Connection: close' "${t#*=}" >/dev/null
done

wait_quiet 10
log "the machine was ${busy_before}% busy with other work before measuring"
echo "== keep-alive, production path"
"$anchors/compare.sh" -r "$rounds" -d "$secs" -c 50 nginx-proxy=http://127.0.0.1:8082/ "${targets[@]}"
echo "== Connection: close"
"$anchors/compare.sh" -r "$rounds" -d "$secs" -c 50 -H 'Connection: close' nginx-proxy=http://127.0.0.1:8082/ "${targets[@]}"
