#!/bin/bash
# Where graygate's time goes under load: starts the anchors' upstreams and graygate (bench/graygate-bench.yaml, the
# run's whitelist), warms it up, records a Java Flight Recording (settings=profile) while wrk loads it, and prints
# a summary: CPU and write system calls per request, and the plain nginx proxy's under the same load for scale
# (/proc/PID/io counts write and writev, not send; its read count misses recv, so it is left out), CPU by thread
# group, hottest methods (self and inclusive), allocation by class, GC.
# Usage: bench/profile.sh [-d SECONDS] [-c CONNECTIONS] [-H 'Header: v'] [-n]   (default 20 s, 50, production path)
#   -n: graygate with its access log off
# The recording stays in bench/out/<time>/graygate.jfr (open it with `jfr print` or JDK Mission Control).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
secs=20 conns=50 header=() access_log=true
while getopts "d:c:H:n" o; do
  case $o in d) secs=$OPTARG ;; c) conns=$OPTARG ;; H) header=(-H "$OPTARG") ;; n) access_log=false ;; *) exit 2 ;; esac
done
out="$repo/bench/out/profile-$(date +%Y%m%d-%H%M%S)"
mkdir -p "$out"
source "$repo/bench/common.sh"
anchors=$(find_anchors)
graygate_port=8080 admin_port=9190

"$anchors/seed-openresty/install.sh"
require_free_ports 6390 9001 9002 8081 8082 8083 "$graygate_port" "$admin_port"
started+=("'$anchors/seed-openresty/stop.sh'")
"$anchors/seed-openresty/start.sh"
wait_http http://127.0.0.1:9001/ 10
start_graygate "$out/graygate.log" "$graygate_port" "$admin_port" "$access_log"
add_whitelist

wait_quiet 10
log "the machine was ${busy_before}% busy with other work before measuring"
log "warming up 10 s, then recording ${secs} s of wrk -c$conns ${header[*]}"
wrk -t1 -c"$conns" -d10s "${header[@]}" "http://127.0.0.1:$graygate_port/" >/dev/null
thread_ticks() { # "name ticks" per thread of graygate's JVM: user + system clock ticks so far
  local t
  for t in /proc/"$gg_pid"/task/*; do
    awk -v name="$(tr ' ' _ <"$t/comm")" '{sub(/^.*\) /, ""); print name, $12 + $13}' "$t/stat" 2>/dev/null || true
  done
}
jcmd "$gg_pid" JFR.start name=bench settings=profile duration="${secs}s" filename="$out/graygate.jfr" >/dev/null
thread_ticks >"$out/ticks-before.txt"
cp "/proc/$gg_pid/io" "$out/io-before.txt"
wrk -t1 -c"$conns" -d"${secs}s" --latency "${header[@]}" "http://127.0.0.1:$graygate_port/" | tee "$out/wrk.txt" >&2
thread_ticks >"$out/ticks-after.txt"
cp "/proc/$gg_pid/io" "$out/io-after.txt"
for _ in $(seq 100); do [[ -s $out/graygate.jfr ]] && break; sleep 0.2; done

# The same load on the anchors' plain nginx proxy (:8082), for its CPU and system calls per request.
nginx_pids=$(pgrep -P "$(cat /tmp/anchor/gateway.pid)" | tr '\n' ' ')
proc_totals() { # "ticks syscr syscw" summed over the given pids
  local p
  for p in "$@"; do
    echo "$(awk '{sub(/^.*\) /, ""); print $12 + $13}' "/proc/$p/stat") $(awk '/^syscr/ {r = $2} /^syscw/ {w = $2} END {print r, w}' "/proc/$p/io")"
  done | awk '{t += $1; r += $2; w += $3} END {print t, r, w}'
}
before=$(proc_totals $nginx_pids)
wrk -t1 -c"$conns" -d"${secs}s" "${header[@]}" http://127.0.0.1:8082/ >"$out/wrk-nginx.txt"
after=$(proc_totals $nginx_pids)
awk -v b="$before" -v a="$after" -v n="$(awk '/requests in/ {print $1}' "$out/wrk-nginx.txt")" -v hz="$(getconf CLK_TCK)" \
  'BEGIN { split(b, x); split(a, y)
    printf "nginx-proxy (:8082) under the same load, per request (%d requests): %.1f us of CPU, %.2f write/writev calls\n",
      n, 1e6 * (y[1] - x[1]) / hz / n, (y[3] - x[3]) / n }' >"$out/nginx-per-request.txt"
sleep 1 # the file is written after the recording stops

{
  echo "== CPU by thread group during the recording (from /proc, % of one core; the machine has $(nproc))"
  awk -v secs="$secs" -v hz="$(getconf CLK_TCK)" 'NR == FNR { before[$1] += $2; next } { after[$1] += $2 }
    END { for (t in after) { g = t; gsub(/[0-9]+/, "N", g); c[g] += after[t] - before[t] }
          for (g in c) if (c[g] > 0) printf "%6.1f%% %s\n", 100 * c[g] / hz / secs, g }' \
    "$out/ticks-before.txt" "$out/ticks-after.txt" | sort -rn | head -10
  requests=$(awk '/requests in/ {print $1}' "$out/wrk.txt")
  awk -v n="$requests" -v hz="$(getconf CLK_TCK)" '
    FILENAME ~ /ticks-before/ { tb += $2 } FILENAME ~ /ticks-after/ { ta += $2 }
    FILENAME ~ /io-before/ && /^sysc/ { b[$1] = $2 } FILENAME ~ /io-after/ && /^sysc/ { a[$1] = $2 }
    END { printf "graygate, per request (%d requests): %.1f us of CPU, %.2f write/writev calls\n",
            n, 1e6 * (ta - tb) / hz / n, (a["syscw:"] - b["syscw:"]) / n }' \
    "$out/ticks-before.txt" "$out/ticks-after.txt" "$out/io-before.txt" "$out/io-after.txt"
  cat "$out/nginx-per-request.txt"
  "$repo/bench/jfr-summary.sh" "$out/graygate.jfr"
} | tee "$out/summary.txt"
log "recording and summary in $out"
