#!/bin/bash
# graygate's start-up time: from process start to the first proxied response, for `serve --demo` on free ports.
# Usage: bench/startup.sh [RUNS]   (default 5). Prints each run, then "median X ms (min Y, max Z) over N runs".
# Uses the launcher (./graygate) and its JVM options, as a user would; builds the jar first when stale.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
source "$repo/bench/common.sh"
runs=${1:-5}
build_if_stale
# Ports below the kernel's ephemeral range, which the demo's own upstreams and every outgoing connection draw from.
low=$(awk '{print $1}' /proc/sys/net/ipv4/ip_local_port_range)
free_port() {
  local p
  while :; do
    p=$((low - 12000 + RANDOM % 10000))
    port_free "$p" && { echo "$p"; return; }
  done
}
times=()
for ((i = 1; i <= runs; i++)); do
  for attempt in 1 2 3; do # a port found free may be taken before graygate binds it: then try others
    port=$(free_port) admin=$(free_port)
    rm -f "$work/rules.json"
    t0=$(date +%s%N)
    (cd "$work" && exec "$repo/graygate" serve --demo --listen "127.0.0.1:$port" --admin-listen "127.0.0.1:$admin" \
      --store "file:$work/rules.json") >"$work/log" 2>&1 &
    pid=$!
    started+=("kill $pid")
    until curl -fs -o /dev/null "http://127.0.0.1:$port/"; do
      kill -0 "$pid" 2>/dev/null || break
      (($(date +%s%N) - t0 < 30000000000)) || { log "no proxied response in 30 s"; exit 1; }
      sleep 0.01
    done
    kill -0 "$pid" 2>/dev/null && break
    grep -q "Address already in use" "$work/log" || { log "graygate exited:"; tail -20 "$work/log" >&2; exit 1; }
    log "run $i: a port was taken meanwhile; trying others"
  done
  kill -0 "$pid" 2>/dev/null || { log "run $i: no free ports in three tries"; exit 1; }
  ms=$((($(date +%s%N) - t0) / 1000000))
  times+=("$ms")
  echo "run $i: $ms ms"
  kill "$pid"
  wait "$pid" 2>/dev/null || true
done
printf '%s\n' "${times[@]}" | sort -n |
  awk -v n="$runs" '{a[NR] = $1} END {printf "median %d ms (min %d, max %d) over %d runs\n", a[int((NR + 1) / 2)], a[1], a[NR], n}'
