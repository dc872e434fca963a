#!/bin/bash
# Side-by-side HTTP/2 throughput of HTTPS targets, in the output format of the anchors' compare.sh, with h2load
# (Debian's nghttp2-client) in place of wrk: one client thread, -c connections with -m concurrent streams each.
# Usage: bench/h2compare.sh [-r ROUNDS] [-d SECONDS] [-c CONNECTIONS] [-m STREAMS] NAME=URL ...
# Targets are measured in turn, A B C A B C ..., after one warm-up pass. Prints per target the median requests/s and
# the median of h2load's mean request time (h2load reports no percentiles), and each median's ratio to the first target.
set -euo pipefail
rounds=3 secs=5 conns=5 streams=10
while getopts "r:d:c:m:" o; do
  case $o in r) rounds=$OPTARG ;; d) secs=$OPTARG ;; c) conns=$OPTARG ;; m) streams=$OPTARG ;; *) exit 2 ;; esac
done
shift $((OPTIND - 1))
(($# > 0)) || { echo "usage: h2compare.sh [-r N] [-d S] [-c C] [-m M] NAME=URL ..." >&2; exit 2; }
command -v h2load >/dev/null || { echo "h2compare.sh: h2load is not installed (apt-get install nghttp2-client)" >&2; exit 2; }
out=$(mktemp -d); trap 'rm -rf "$out"' EXIT
run() { h2load -D "$2" -c "$conns" -m "$streams" "$1" 2>&1; }
for t in "$@"; do run "${t#*=}" 2 >/dev/null || true; done
for ((i = 0; i < rounds; i++)); do
  for t in "$@"; do
    name=${t%%=*}
    r=$(run "${t#*=}" "$secs")
    rps=$(awk '/^finished in/ {gsub(/,/, "", $4); print $4}' <<<"$r")
    mean=$(awk '$1 == "time" && $3 == "request:" {v=$6; if (v ~ /us$/) {sub(/us/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v*=1000}; print v}' <<<"$r")
    failed=$(awk '/^requests:/ {print $10}' <<<"$r")
    echo "${rps:-0} ${mean:-0}" >>"$out/$name"
    [[ ${failed:-0} != 0 ]] && echo "# $name: $failed requests failed" >&2
    [[ -z $rps ]] && echo "# $name: h2load said: $(tail -3 <<<"$r" | tr '\n' ' ')" >&2
  done
done
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
first=""
printf '%-16s %12s %10s %9s\n' target req/s mean_ms ratio
for t in "$@"; do
  name=${t%%=*}
  rps=$(cut -d' ' -f1 "$out/$name" | median)
  mean=$(cut -d' ' -f2 "$out/$name" | median)
  [[ -z $first ]] && first=$rps
  printf '%-16s %12.0f %10.2f %9.2f\n' "$name" "$rps" "$mean" "$(awk -v a="$rps" -v b="$first" 'BEGIN {print (b > 0 ? a / b : 0)}')"
done
