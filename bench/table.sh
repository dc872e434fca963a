#!/bin/bash
# Prints bench/run.sh's table from the raw outputs of one run: bench/table.sh bench/out/<time>
# Reads header.txt, <scenario>.txt (compare.sh's output), rss-idle.txt, rss.txt and rss-peak.txt (KB), whitelist-ms.txt,
# startup.txt and busy-after.txt, whichever are there, and the *.err files (wrk's error lines).
set -eu
out=${1:?usage: bench/table.sh OUTDIR}
[[ -f $out/header.txt ]] && cat "$out/header.txt"
[[ -f $out/busy-after.txt ]] && echo "# cores $(cat "$out/busy-after.txt")% busy with other work after the runs"
printf '%-10s %-12s %10s %9s %9s %9s %10s\n' scenario target req/s p99_ms x_direct x_nginx MB/s
scenarios=()
for s in production gray gray-xff split large close tls tls-close h2; do [[ -f $out/$s.txt ]] && scenarios+=("$s"); done
for s in "${scenarios[@]}"; do
  awk -v s="$s" '
    NR > 1 { name[NR] = $1; rps[NR] = $2; p99[NR] = $3; if ($1 == "direct") d = $2; if ($1 == "nginx-proxy") n = $2 }
    END {
      for (i = 2; i <= NR; i++)
        printf "%-10s %-12s %10.0f %9.2f %9.2f %9.2f %10s\n", s, name[i], rps[i], p99[i],
          (d > 0 ? rps[i] / d : 0), (n > 0 ? rps[i] / n : 0), (s == "large" ? sprintf("%.0f", rps[i] * 10.48576) : "")
    }' "$out/$s.txt"
done
[[ -f $out/h2.txt ]] && echo "(tls, tls-close: HTTPS with wrk, x_nginx against nginx's TLS proxy; h2: h2load, whose latency column is its mean, not a p99)"
[[ -s $out/tls-negotiated.txt ]] && echo "(TLS negotiated with an OpenSSL client: $(paste -sd';' "$out/tls-negotiated.txt" | sed 's/;/; /g'))"
echo
echo "graygate's ratios (req/s; p99: graygate's over nginx-proxy's, lower is better)"
printf '%-10s %-16s %9s %9s %9s %11s\n' scenario target x_nginx x_seed x_scg p99/nginx
for s in "${scenarios[@]}"; do
  for g in $(awk 'NR > 1 && $1 ~ /^graygate/ {print $1}' "$out/$s.txt"); do
  awk -v s="$s" -v g="$g" '
    NR > 1 { rps[$1] = $2; p99[$1] = $3 }
    END {
      printf "%-10s %-16s %9s %9s %9s %11s\n", s, g,
        ("nginx-proxy" in rps ? sprintf("%.2f", rps[g] / rps["nginx-proxy"]) : "-"),
        ("seed-lua" in rps ? sprintf("%.2f", rps[g] / rps["seed-lua"]) : "-"),
        ("scg" in rps ? sprintf("%.2f", rps[g] / rps["scg"]) : "-"),
        ("nginx-proxy" in p99 && p99["nginx-proxy"] > 0 ? sprintf("%.2f", p99[g] / p99["nginx-proxy"]) : "-")
    }' "$out/$s.txt"
  done
done
if [[ -s $out/rss.txt ]]; then
  echo "graygate RSS: $(awk '{printf "%.0f", $1 / 1024}' "$out/rss-idle.txt") MB idle with the whitelist," \
    "$(sort -n "$out/rss.txt" | tail -1 | awk '{printf "%.0f", $1 / 1024}') MB at most under load (sampled each second)$(
      [[ -s $out/rss-peak.txt ]] && awk '{printf ", peak %.0f MB (VmHWM)", $1 / 1024}' "$out/rss-peak.txt")"
fi
[[ -s $out/whitelist-ms.txt ]] &&
  echo "whitelist of 101,000 entries through the admin API: $(cat "$out/whitelist-ms.txt") ms (11 POSTs of 10,000)"
grep -q "^median" "$out/startup.txt" 2>/dev/null &&
  echo "graygate start-up to first proxied response: $(tail -1 "$out/startup.txt")"
for f in "$out"/*.err; do [[ -s $f ]] && echo "errors reported by $(basename "$f" .err): $(tr '\n' ' ' <"$f")"; done
true
