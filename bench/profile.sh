#!/bin/bash
# Where graygate's time goes under load: starts the anchors' upstreams and graygate (bench/graygate-bench.yaml, the
# run's whitelist), warms it up, records a Java Flight Recording (settings=profile) while wrk loads it, and prints
# a summary: hottest methods (self and inclusive), allocation by class, GC, and CPU by thread group.
# Usage: bench/profile.sh [-d SECONDS] [-c CONNECTIONS] [-H 'Header: v']    (default 20 s, 50, production path)
# The recording stays in bench/out/<time>/graygate.jfr (open it with `jfr print` or JDK Mission Control).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
secs=20 conns=50 header=()
while getopts "d:c:H:" o; do
  case $o in d) secs=$OPTARG ;; c) conns=$OPTARG ;; H) header=(-H "$OPTARG") ;; *) exit 2 ;; esac
done
out="$repo/bench/out/profile-$(date +%Y%m%d-%H%M%S)"
mkdir -p "$out"
source "$repo/bench/common.sh"
anchors=$(find_anchors)
graygate_port=8080 admin_port=9190

"$anchors/seed-openresty/install.sh"
for p in 6390 9001 9002 8081 8082 8083 "$graygate_port" "$admin_port"; do
  port_free "$p" || { log "port $p is taken; stop what holds it (the anchors: seed-openresty/stop.sh) and retry"; exit 2; }
done
started+=("'$anchors/seed-openresty/stop.sh'")
"$anchors/seed-openresty/start.sh"
wait_http http://127.0.0.1:9001/ 10
start_graygate "$out/graygate.log"
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
wrk -t1 -c"$conns" -d"${secs}s" --latency "${header[@]}" "http://127.0.0.1:$graygate_port/" | tee "$out/wrk.txt" >&2
thread_ticks >"$out/ticks-after.txt"
for _ in $(seq 100); do [[ -s $out/graygate.jfr ]] && break; sleep 0.2; done
sleep 1 # the file is written after the recording stops

{
  echo "== CPU by thread group during the recording (from /proc, % of one core; the machine has $(nproc))"
  awk -v secs="$secs" -v hz="$(getconf CLK_TCK)" 'NR == FNR { before[$1] += $2; next } { after[$1] += $2 }
    END { for (t in after) { g = t; gsub(/[0-9]+/, "N", g); c[g] += after[t] - before[t] }
          for (g in c) if (c[g] > 0) printf "%6.1f%% %s\n", 100 * c[g] / hz / secs, g }' \
    "$out/ticks-before.txt" "$out/ticks-after.txt" | sort -rn | head -10
  "$repo/bench/jfr-summary.sh" "$out/graygate.jfr"
} | tee "$out/summary.txt"
log "recording and summary in $out"
