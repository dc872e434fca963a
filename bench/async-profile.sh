#!/bin/bash
# Where graygate's CPU time, kernel included, or its allocation goes under load: async-profiler (Maven Central's
# tools.profiler:async-profiler, fetched by Maven on first use) attached to a running graygate while wrk loads it.
# Starts the anchors' upstreams and graygate (bench/graygate-bench.yaml, the run's whitelist), warms up 10 s, then
# records while wrk runs.
# Usage: bench/async-profile.sh [-e cpu|alloc] [-d SECONDS] [-c CONNECTIONS] [-H 'Header: v']   (default cpu, 15 s, 50)
# Prints, for cpu: the share of samples in the kernel, in Java code and in native code, the system calls the kernel
# time went to, and the hottest frames; for alloc: bytes allocated per request, by class and by the innermost graygate
# frame. The collapsed stacks stay in bench/out/async-<time>/ (any flame graph tool reads them).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
event=cpu secs=15 conns=50 header=()
while getopts "e:d:c:H:" o; do
  case $o in e) event=$OPTARG ;; d) secs=$OPTARG ;; c) conns=$OPTARG ;; H) header=(-H "$OPTARG") ;; *) exit 2 ;; esac
done
[[ $event == cpu || $event == alloc ]] || { echo "async-profile.sh: -e cpu or -e alloc" >&2; exit 2; }
out="$repo/bench/out/async-$(date +%Y%m%d-%H%M%S)"
mkdir -p "$out"
source "$repo/bench/common.sh"
anchors=$(find_anchors)
graygate_port=8080 admin_port=9190

version=3.0
case $(uname -m) in x86_64) arch=linux-x64 ;; aarch64) arch=linux-arm64 ;; *) log "no async-profiler for $(uname -m)"; exit 2 ;; esac
jar="$HOME/.m2/repository/tools/profiler/async-profiler/$version/async-profiler-$version.jar"
[[ -f $jar ]] || (cd "$repo" && mvn -B -q dependency:get -Dartifact="tools.profiler:async-profiler:$version") >&2
unzip -q -o "$jar" "$arch/libasyncProfiler.so" -d "$work"
agent="$work/$arch/libasyncProfiler.so"

"$anchors/seed-openresty/install.sh"
require_free_ports 6390 9001 9002 8081 8082 8083 "$graygate_port" "$admin_port"
started+=("'$anchors/seed-openresty/stop.sh'")
"$anchors/seed-openresty/start.sh"
wait_http http://127.0.0.1:9001/ 10
start_graygate "$out/graygate.log" "$graygate_port" "$admin_port" true
add_whitelist

wait_quiet 10
log "the machine was ${busy_before}% busy with other work before measuring"
log "warming up 10 s, then profiling ($event) ${secs} s of wrk -c$conns ${header[*]}"
wrk -t1 -c"$conns" -d10s "${header[@]}" "http://127.0.0.1:$graygate_port/" >/dev/null
# jcmd takes the agent's options as one quoted argument (unquoted, its own parser splits them at the '=').
if [[ $event == cpu ]]; then start='"start,event=cpu,interval=1ms,threads"'; else start='"start,event=alloc,alloc=64k"'; fi
jcmd "$gg_pid" JVMTI.agent_load "$agent" "$start" >/dev/null
wrk -t1 -c"$conns" -d"${secs}s" "${header[@]}" "http://127.0.0.1:$graygate_port/" | tee "$out/wrk.txt" >&2
# cpu: samples per stack; alloc: bytes per stack (total).
if [[ $event == cpu ]]; then stop=collapsed; else stop=collapsed,total; fi
jcmd "$gg_pid" JVMTI.agent_load "$agent" "\"stop,file=$out/$event.collapsed,$stop\"" >/dev/null
requests=$(awk '/requests in/ {print $1}' "$out/wrk.txt")

if [[ $event == cpu ]]; then
  awk -v requests="$requests" -v secs="$secs" '
    { n = $NF; sub(/ [0-9]+$/, ""); total += n; k = split($0, f, ";")
      top = f[k]
      if (top ~ /_\[k\]$/) { kind["kernel"] += n } else if (top ~ /[\/.]/) { kind["Java"] += n } else { kind["native"] += n }
      call = "(none: user space, or an interrupt)"
      for (i = 1; i < k; i++) if (f[i] == "do_syscall_64_[k]") { call = f[i + 1]; break }
      sub(/^__x64_sys_/, "", call); sub(/_\[k\]$/, "", call); calls[call] += n
      tops[top] += n }
    END {
      printf "== %d samples at 1 ms (%.2f cores busy on average); %d requests, %.1f us of CPU per request\n",
        total, total / 1000 / secs, requests, total * 1000 / requests
      print "== where the samples were"
      for (x in kind) printf "%5.1f%% %s\n", 100 * kind[x] / total, x
      print "== the system call each sample was in"
      for (x in calls) printf "%5.1f%% %s\n", 100 * calls[x] / total, x | "sort -rn | head -12"
      close("sort -rn | head -12")
      print "== hottest frames, self"
      for (x in tops) printf "%5.1f%% %s\n", 100 * tops[x] / total, x | "sort -rn | head -25"
    }' "$out/cpu.collapsed" | tee "$out/summary.txt"
else
  awk -v requests="$requests" '
    { n = $NF; sub(/ [0-9]+$/, ""); total += n; k = split($0, f, ";")
      type = f[k]; sub(/_\[[ik]\]$/, "", type); types[type] += n
      site = "(no graygate frame: Netty or the JDK)"
      for (i = k - 1; i >= 1; i--) if (f[i] ~ /^io\/graygate/) { site = f[i]; break }
      sites[site] += n }
    END {
      printf "== %.0f MB allocated over %d requests: %.0f bytes per request\n", total / 1e6, requests, total / requests
      print "== by class"
      for (x in types) printf "%5.1f%% %6.0f B/request  %s\n", 100 * types[x] / total, types[x] / requests, x | "sort -rn | head -15"
      close("sort -rn | head -15")
      print "== by the innermost graygate frame"
      for (x in sites) printf "%5.1f%% %6.0f B/request  %s\n", 100 * sites[x] / total, sites[x] / requests, x | "sort -rn | head -12"
    }' "$out/alloc.collapsed" | tee "$out/summary.txt"
fi
log "stacks and summary in $out"
