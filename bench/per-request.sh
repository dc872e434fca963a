#!/bin/bash
# What one proxied request costs the proxy's processes, graygate beside the plain nginx proxy (:8082): CPU time (user
# and kernel, from /proc/PID/stat) and system calls (perf's syscalls:sys_enter_* tracepoints), per request, on the
# keep-alive production path and with `Connection: close`.
# Usage: bench/per-request.sh [-d SECONDS] [-r ROUNDS] [-t TRANSPORT] [-m close|keep-alive|both]
#   -t   graygate's proxy.transport (auto, io_uring, epoll or nio; default auto), as BENCH_TRANSPORT in the bench config
# Starts the anchors and graygate (bench/graygate-bench.yaml, no whitelist: the cost of the path, not of a lookup),
# warms both up, then per round and target: one wrk run (-t1 -c50) for req/s and CPU, and, where perf can read
# tracepoints, a second run under `perf stat -p` for the system calls (perf slows the process, so its run gives no
# req/s). CPU comes in clock ticks (10 ms): give each run a few seconds. Prints medians over the rounds.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
secs=6 rounds=3 transport=auto modes=(keep-alive close)
while getopts "d:r:t:m:" o; do
  case $o in
    d) secs=$OPTARG ;; r) rounds=$OPTARG ;; t) transport=$OPTARG ;;
    m) case $OPTARG in both) ;; close|keep-alive) modes=("$OPTARG") ;; *) echo "per-request.sh: -m close|keep-alive|both" >&2; exit 2 ;; esac ;;
    *) exit 2 ;;
  esac
done
source "$repo/bench/common.sh"
anchors=$(find_anchors)
graygate_port=8080 admin_port=9190

"$anchors/seed-openresty/install.sh"
require_free_ports 6390 8080 8081 8082 8083 9001 9002 9190
"$anchors/seed-openresty/start.sh" >&2
started+=("'$anchors/seed-openresty/stop.sh'")
BENCH_TRANSPORT=$transport start_graygate "$work/graygate.log"
tracing=false
perf stat -e syscalls:sys_enter_getpid true >/dev/null 2>&1 && tracing=true
$tracing || log "perf cannot read the syscall tracepoints here: CPU only"

nginx_pids=$(pgrep -P "$(cat /tmp/anchor/gateway.pid)" | paste -sd,)
declare -A pids=([nginx-proxy]=$nginx_pids [graygate]=$gg_pid) ports=([nginx-proxy]=8082 [graygate]=$graygate_port)
ticks() { # PID,PID...: user and system clock ticks of those processes, all their threads
  local p u=0 s=0 f
  for p in ${1//,/ }; do f=($(sed 's/^.*) //' "/proc/$p/stat")); u=$((u + f[11])); s=$((s + f[12])); done
  echo "$u $s"
}
hz=$(getconf CLK_TCK)
wait_quiet 5
log "warming up"
for t in nginx-proxy graygate; do
  for mode in "${modes[@]}"; do
    hdr=(); [[ $mode == close ]] && hdr=(-H 'Connection: close')
    wrk -t1 -c50 -d3 "${hdr[@]}" "http://127.0.0.1:${ports[$t]}/" >/dev/null
  done
done

for mode in "${modes[@]}"; do
  hdr=(); [[ $mode == close ]] && hdr=(-H 'Connection: close')
  for ((r = 1; r <= rounds; r++)); do
    for t in nginx-proxy graygate; do
      url="http://127.0.0.1:${ports[$t]}/"
      read -r u0 s0 < <(ticks "${pids[$t]}")
      out=$(wrk -t1 -c50 -d"$secs" "${hdr[@]}" "$url")
      read -r u1 s1 < <(ticks "${pids[$t]}")
      n=$(awk '/requests in/ {print $1}' <<<"$out")
      rps=$(awk '/Requests\/sec/ {printf "%d", $2}' <<<"$out")
      echo "$mode $t $rps $(awk -v u=$((u1 - u0)) -v s=$((s1 - s0)) -v n="$n" -v hz="$hz" \
        'BEGIN {printf "%.1f %.1f", u * 1e6 / hz / n, s * 1e6 / hz / n}')" >>"$work/cpu.txt"
      if $tracing; then
        perf stat -x, -e 'syscalls:sys_enter_*' -p "${pids[$t]}" -o "$work/perf.txt" -- \
          wrk -t1 -c50 -d"$secs" "${hdr[@]}" "$url" >"$work/wrk-perf.txt"
        n=$(awk '/requests in/ {print $1}' "$work/wrk-perf.txt")
        awk -F, -v n="$n" -v key="$mode $t" '$3 ~ /sys_enter_/ && $1 + 0 > 0 {
          sub(/^syscalls:sys_enter_/, "", $3); printf "%s %s %.2f\n", key, $3, $1 / n }' "$work/perf.txt" >>"$work/sys.txt"
      fi
    done
  done
done

median() { sort -n | awk '{a[NR] = $1} END {print (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2)}'; }
echo "graygate's transport: $(grep -o '(io_uring\|(epoll\|(nio' "$work/graygate.log" | head -1 | tr -d '('), machine ${busy_before}% busy before, $rounds rounds of ${secs}s, wrk -t1 -c50"
printf '%-11s %-12s %9s %10s %12s %12s\n' mode target req/s "user us" "kernel us" "syscalls"
for mode in "${modes[@]}"; do
  for t in nginx-proxy graygate; do
    key="$mode $t"
    rps=$(awk -v k="$key" '$1" "$2 == k {print $3}' "$work/cpu.txt" | median)
    usr=$(awk -v k="$key" '$1" "$2 == k {print $4}' "$work/cpu.txt" | median)
    sys=$(awk -v k="$key" '$1" "$2 == k {print $5}' "$work/cpu.txt" | median)
    total=-
    $tracing && total=$(awk -v k="$key" -v r="$rounds" '$1" "$2 == k {s += $4} END {printf "%.1f", s / r}' "$work/sys.txt")
    printf '%-11s %-12s %9s %10s %12s %12s\n' "$mode" "$t" "$rps" "$usr" "$sys" "$total"
  done
done
if $tracing; then
  echo "system calls per request (mean over the rounds; those above 0.05):"
  for mode in "${modes[@]}"; do
    for t in nginx-proxy graygate; do
      key="$mode $t"
      echo "  $key: $(awk -v k="$key" -v r="$rounds" '$1" "$2 == k {s[$3] += $4} END {for (c in s) if (s[c] / r >= 0.05) printf "%.2f %s\n", s[c] / r, c}' \
        "$work/sys.txt" | sort -rn | awk '{printf "%s%s %s", (NR > 1 ? ", " : ""), $2, $1}')"
    done
  done
fi
