#!/bin/bash
# Summarises a Java Flight Recording of graygate under load: the JVM's CPU share, hottest methods by self and by
# inclusive samples, samples per thread group, allocation by class, and garbage collections.
# Usage: bench/jfr-summary.sh FILE.jfr [TOP]
set -eu # no pipefail: `head` closing a pipe early is expected here
file=$1 top=${2:-25}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

jfr print --events jdk.ExecutionSample --stack-depth 64 "$file" >"$tmp/cpu.txt"
# One record per sample: the thread, then its frames (top first), as "method(args)" without line numbers.
awk '
  /sampledThread = / { t = $0; sub(/.*sampledThread = "/, "", t); sub(/".*/, "", t); gsub(/[0-9]+/, "N", t) }
  /stackTrace = \[/ { n = 0; inside = 1; next }
  inside && /^[ \t]*\]/ { inside = 0; print t "\t" frames; frames = ""; next }
  inside { f = $0; sub(/^[ \t]+/, "", f); sub(/[ \t]+line:.*/, "", f); if (f != "...") frames = frames (frames == "" ? "" : "\t") f }
' "$tmp/cpu.txt" >"$tmp/samples.tsv"
total=$(wc -l <"$tmp/samples.tsv")
echo "== CPU (jdk.CPULoad averages: the JVM's user and system share of the machine, and the machine's total)"
jfr print --events jdk.CPULoad "$file" |
  awk '/jvmUser = / { u += $3; n++ } /jvmSystem = / { s += $3 } /machineTotal = / { m += $3 }
       END { if (n) printf "jvm user %.1f%%, jvm system %.1f%%, machine %.1f%% (%d samples)\n", u / n, s / n, m / n, n }'
echo "== Java execution samples: $total (code running Java; time in native code, epoll and socket I/O, is not here)"
echo "-- samples by thread group"
cut -f1 "$tmp/samples.tsv" | sort | uniq -c | sort -rn | head -8 | awk -v t="$total" '{c = $1; $1 = ""; printf "%6.1f%% %s\n", 100 * c / t, $0}'
echo "-- hottest methods, self (the frame on top of the stack)"
cut -f2 "$tmp/samples.tsv" | sort | uniq -c | sort -rn | head -"$top" | awk -v t="$total" '{c = $1; $1 = ""; printf "%6.1f%% %s\n", 100 * c / t, $0}'
echo "-- hottest methods, inclusive (anywhere on the stack), graygate's and Netty's handlers"
awk -F'\t' '{ delete seen; for (i = 2; i <= NF; i++) if (!($i in seen)) { seen[$i] = 1; c[$i]++ } } END { for (m in c) print c[m] "\t" m }' \
  "$tmp/samples.tsv" | grep -E 'io\.graygate|channelRead|write|flush|encode|decode|AccessLog|logback' | sort -rn | head -"$top" |
  awk -F'\t' -v t="$total" '{printf "%6.1f%% %s\n", 100 * $1 / t, $2}'

echo "== Allocation (jdk.ObjectAllocationSample, by sampled weight; each thread's first sample is left out, as its"
echo "   weight counts what the thread allocated before the recording began)"
jfr print --events jdk.ObjectAllocationSample --stack-depth 1 "$file" |
  awk '/objectClass = / { c = $3 } /weight = / { w = $3; u = $4 }
       /eventThread = / { t = $0; if (!(t in seen)) { seen[t] = 1; next }
         v = w * (u ~ /^kB/ ? 1024 : u ~ /^MB/ ? 1048576 : u ~ /^GB/ ? 1073741824 : 1); s[c] += v; all += v }
       END { for (c in s) printf "%6.1f%% %10.1f MB %s\n", 100 * s[c] / all, s[c] / 1048576, c }' | sort -rn | head -15

echo "== Garbage collections"
jfr print --events jdk.GarbageCollection "$file" |
  awk '/name = / { n[$3]++ } /sumOfPauses = / { v = $3; u = $4; p += (u ~ /^ms/ ? v : u ~ /^s/ ? v * 1000 : u ~ /^us/ ? v / 1000 : v / 1e6) }
       END { for (k in n) printf "%s: %d collections\n", k, n[k]; printf "total pause %.1f ms\n", p }'
