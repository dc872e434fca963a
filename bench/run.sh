#!/bin/bash
# graygate against its anchors, measured in one run on this machine; prints one table.
#
# Usage: bench/run.sh [--with-scg] [--dry-run] [-r ROUNDS] [-d SECONDS] [-c CONNECTIONS] [--startup-runs N]
#   --with-scg   also Spring Cloud Gateway (:8084; built once by the anchors' start.sh, then warmed up 20 s)
#   --dry-run    the anchors alone: no graygate build, start, whitelist, RSS or start-up figures
#   --with-policy  also a graygate (:8090, admin :9192) with issue 9's policy in force on route "web"
#                (bench/graygate-bench-policy.yaml), as target graygate-policy, and the scenario "split": a request
#                with the cookie uid=user-23 that the policy's sticky split sends to gray
#   --with-no-access-log  also a second graygate (:8087) with the access log off, as target graygate-nolog
#                (plain HTTP only: the TLS and HTTP/2 scenarios compare graygate's TLS listener, :8089, with nginx's, :8088)
#   --wait-quiet MINUTES  wait at most this long (default 10) for other work on the machine to stop before measuring
#   -r -d -c     passed to compare.sh (default 3 rounds of 5 s, 50 connections; the large-body scenario uses 10,
#                as 50 concurrent 10 MiB downloads on 2 cores only measure wrk's 2 s timeout)
#
# What it does: installs the anchors' packages (seed-openresty/install.sh), starts their upstreams and gateways,
# starts a static nginx serving a 10 MiB file and a plain nginx proxy in front of it (the large-body scenario),
# builds graygate when the jar is missing or stale and starts it with bench/graygate-bench.yaml, adds a whitelist of
# 100,000 addresses and 1,000 CIDRs (10.9.9.9 among them) through the admin API, warms everything up, runs
# compare.sh per scenario, samples graygate's RSS meanwhile, measures start-up (bench/startup.sh), and stops all it
# started, whatever happens. Raw outputs go to bench/out/<time>/ (ignored by git).
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
rounds=3 secs=5 conns=50 large_conns=10 with_scg=false dry_run=false startup_runs=5 quiet_minutes=10 with_nolog=false with_policy=false
while (($#)); do
  case $1 in
    --with-scg) with_scg=true ;;
    --dry-run) dry_run=true ;;
    --with-no-access-log) with_nolog=true ;;
    --with-policy) with_policy=true ;;
    -r) rounds=$2; shift ;;
    -d) secs=$2; shift ;;
    -c) conns=$2; shift ;;
    --startup-runs) startup_runs=$2; shift ;;
    --wait-quiet) quiet_minutes=$2; shift ;;
    -h|--help) awk 'NR > 1 && /^#/ {sub(/^# ?/, ""); print; next} NR > 1 {exit}' "$0"; exit 0 ;;
    *) echo "run.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

graygate_port=8080 admin_port=9190 nolog_port=8087 nolog_admin_port=9191 large_upstream_port=9011 large_proxy_port=8085 large_nobuf_port=8086
tls_proxy_port=8088 graygate_tls_port=8089 policy_port=8090 policy_admin_port=9192
out="$repo/bench/out/$(date +%Y%m%d-%H%M%S)"
mkdir -p "$out"
source "$repo/bench/common.sh"
anchors=$(find_anchors)

expect_body() { # NAME URL WORD [curl args...]: the target answers WORD, or the run is not worth measuring
  local name=$1 url=$2 word=$3 body
  shift 3
  body=$(curl -fsS "$@" "$url") || { log "$name: $url failed"; exit 1; }
  [[ $body == "$word" ]] || { log "$name: expected \"$word\" from $url, got \"$body\""; exit 1; }
}

# --- anchors ------------------------------------------------------------------------------------------------------
log "installing the anchors' packages if needed"
"$anchors/seed-openresty/install.sh"
command -v nginx >/dev/null && command -v wrk >/dev/null || { log "nginx or wrk missing after install.sh"; exit 2; }
if ! command -v h2load >/dev/null; then # the HTTP/2 scenario's load generator (Debian's nghttp2-client)
  log "installing nghttp2-client for h2load"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nghttp2-client >/dev/null || { log "cannot install nghttp2-client"; exit 2; }
fi

ports=(6390 9001 9002 8081 8082 8083 "$large_upstream_port" "$large_proxy_port" "$large_nobuf_port" "$tls_proxy_port")
$dry_run || ports+=("$graygate_port" "$admin_port" "$graygate_tls_port")
$with_scg && ports+=(8084)
$with_nolog && ports+=("$nolog_port" "$nolog_admin_port")
$with_policy && ports+=("$policy_port" "$policy_admin_port")
require_free_ports "${ports[@]}"

log "starting the anchors (seed-openresty/start.sh)"
started+=("'$anchors/seed-openresty/stop.sh'")
"$anchors/seed-openresty/start.sh"
wait_http http://127.0.0.1:9001/ 10
wait_http http://127.0.0.1:8082/ 10
wait_http http://127.0.0.1:8081/ 10

if $with_scg; then
  log "starting Spring Cloud Gateway (builds once; may take minutes)"
  started+=("'$anchors/spring-cloud-gateway/stop.sh'")
  "$anchors/spring-cloud-gateway/start.sh"
fi

log "starting the large-body upstream (:$large_upstream_port) and plain nginx proxies to it (:$large_proxy_port, unbuffered :$large_nobuf_port)"
mkdir -p "$work/www/large" "$work/nginx-tmp"
head -c $((10 * 1024 * 1024)) /dev/urandom >"$work/www/large/10m.bin"
chmod -R a+rX "$work/www"
for conf in large-upstream large-proxy; do
  sed -e "s|@DIR@|$work|g" -e "s|@UPSTREAM_PORT@|$large_upstream_port|g" -e "s|@PORT2@|$large_nobuf_port|g" \
      -e "s|@PORT@|$([[ $conf == large-upstream ]] && echo "$large_upstream_port" || echo "$large_proxy_port")|g" \
      "$repo/bench/nginx-$conf.conf" >"$work/$conf.conf"
  nginx -c "$work/$conf.conf" -p "$work" -e "$work/$conf.err"
  started+=("kill \$(cat '$work/$conf.pid')")
done
wait_http "http://127.0.0.1:$large_proxy_port/large/10m.bin" 10
wait_http "http://127.0.0.1:$large_nobuf_port/large/10m.bin" 10

log "starting the TLS and HTTP/2 nginx proxy (:$tls_proxy_port) to production, with the certificate graygate's TLS listener gets"
make_bench_cert
sed -e "s|@DIR@|$work|g" -e "s|@PORT@|$tls_proxy_port|g" -e "s|@UPSTREAM@|127.0.0.1:9001|g" \
  "$repo/bench/nginx-tls-proxy.conf" >"$work/tls-proxy.conf"
nginx -c "$work/tls-proxy.conf" -p "$work" -e "$work/tls-proxy.err"
started+=("kill \$(cat '$work/tls-proxy.pid')")
wait_http "https://127.0.0.1:$tls_proxy_port/" 10 -k

# --- graygate -----------------------------------------------------------------------------------------------------
gg_pid=""
other_gg_pids=() # the extra graygates, stopped with the main one before the start-up measurement
if ! $dry_run; then
  if $with_nolog; then
    start_graygate "$out/graygate-nolog.log" "$nolog_port" "$nolog_admin_port" false
    other_gg_pids+=("$gg_pid")
    add_whitelist "$nolog_admin_port"
  fi
  if $with_policy; then
    start_graygate "$out/graygate-policy.log" "$policy_port" "$policy_admin_port" true 0 "$repo/bench/graygate-bench-policy.yaml"
    other_gg_pids+=("$gg_pid")
    add_whitelist "$policy_admin_port"
  fi
  start_graygate "$out/graygate.log"
  add_whitelist
  echo "$whitelist_ms" >"$out/whitelist-ms.txt"
  curl -fsS "http://127.0.0.1:$admin_port/api/routes/web" >"$out/route-web.json"
  log "whitelist added in ${whitelist_ms} ms; route: $(head -c 300 "$out/route-web.json")"
fi

expect_body direct-production http://127.0.0.1:9001/ production
expect_body nginx-tls-h2 "https://127.0.0.1:$tls_proxy_port/" production -k --http2
expect_body seed-lua-gray http://127.0.0.1:8081/ gray -H 'X-Real-IP: 10.9.9.9'
if ! $dry_run; then
  expect_body graygate-production "http://127.0.0.1:$graygate_port/" production
  expect_body graygate-gray "http://127.0.0.1:$graygate_port/" gray -H 'X-Real-IP: 10.9.9.9'
  expect_body graygate-exact-match "http://127.0.0.1:$graygate_port/" production -H 'X-Real-IP: 10.9.9.10'
  expect_body graygate-tls "https://127.0.0.1:$graygate_tls_port/" production -k --http1.1
  expect_body graygate-h2 "https://127.0.0.1:$graygate_tls_port/" production -k --http2
  if $with_nolog; then
    expect_body graygate-nolog-production "http://127.0.0.1:$nolog_port/" production
    expect_body graygate-nolog-gray "http://127.0.0.1:$nolog_port/" gray -H 'X-Real-IP: 10.9.9.9'
  fi
  if $with_policy; then
    expect_body graygate-policy-production "http://127.0.0.1:$policy_port/" production
    expect_body graygate-policy-gray "http://127.0.0.1:$policy_port/" gray -H 'X-Real-IP: 10.9.9.9'
    expect_body graygate-policy-split-gray "http://127.0.0.1:$policy_port/" gray -H 'Cookie: uid=user-23'
    expect_body graygate-policy-split-production "http://127.0.0.1:$policy_port/" production -H 'Cookie: uid=user-1'
  fi
  cmp -s <(curl -fsS "http://127.0.0.1:$graygate_port/large/10m.bin") "$work/www/large/10m.bin" \
    || { log "graygate: /large/10m.bin differs from the file"; exit 1; }
fi
$with_scg && expect_body scg-gray http://127.0.0.1:8084/ gray -H 'X-Forwarded-For: 10.9.9.9'

# --- warm-up ------------------------------------------------------------------------------------------------------
log "warming up (JIT): 10 s on graygate$($with_scg && echo ", 20 s on Spring Cloud Gateway")"
$dry_run || wrk -t1 -c"$conns" -d5s "http://127.0.0.1:$graygate_port/" >/dev/null
$dry_run || wrk -t1 -c"$conns" -d5s -H 'X-Real-IP: 10.9.9.9' "http://127.0.0.1:$graygate_port/" >/dev/null
$dry_run || wrk -t1 -c"$conns" -d3s "https://127.0.0.1:$graygate_tls_port/" >/dev/null
$dry_run || h2load -D 3 -c 5 -m 10 "https://127.0.0.1:$graygate_tls_port/" >/dev/null
! $dry_run && $with_policy && wrk -t1 -c"$conns" -d5s "http://127.0.0.1:$policy_port/" >/dev/null
! $dry_run && $with_policy && wrk -t1 -c"$conns" -d5s -H 'Cookie: uid=user-23' "http://127.0.0.1:$policy_port/" >/dev/null
! $dry_run && $with_nolog && wrk -t1 -c"$conns" -d10s "http://127.0.0.1:$nolog_port/" >/dev/null
$with_scg && wrk -t1 -c"$conns" -d20s http://127.0.0.1:8084/ >/dev/null

# --- RSS sampling -------------------------------------------------------------------------------------------------
if [[ -n $gg_pid ]]; then
  gg_java=$gg_pid # the launcher execs java, so the pid is the JVM's
  ps -o rss= -p "$gg_java" >"$out/rss-idle.txt"
  (while kill -0 "$gg_java" 2>/dev/null; do ps -o rss= -p "$gg_java" || true; sleep 1; done) >"$out/rss.txt" 2>/dev/null &
  rss_sampler=$!
  started+=("kill $rss_sampler")
fi

wait_quiet "$quiet_minutes"
log "the machine was ${busy_before}% busy before measuring"
echo "# bench/run.sh $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB," \
  "compare.sh -r $rounds -d $secs -c $conns (large: -c $large_conns; wrk -t1); cores ${busy_before}% busy with other" \
  "work before the runs" >"$out/header.txt"

# --- scenarios ----------------------------------------------------------------------------------------------------
compare() { # SCENARIO compare.sh-args... : runs compare.sh, keeps its output
  local scenario=$1
  shift
  log "scenario $scenario: compare.sh $*"
  "$anchors/compare.sh" -r "$rounds" -d "$secs" "$@" 2>"$out/$scenario.err" | tee "$out/$scenario.txt" >&2
}
gg() { # the graygate targets for a path
  $dry_run && return
  echo "graygate=http://127.0.0.1:$graygate_port$1"
  $with_nolog && echo "graygate-nolog=http://127.0.0.1:$nolog_port$1"
  $with_policy && [[ $1 == / ]] && echo "graygate-policy=http://127.0.0.1:$policy_port$1"
  true
}
scg() { $with_scg && echo "scg=http://127.0.0.1:8084$1"; true; }

compare production -c "$conns" direct=http://127.0.0.1:9001/ nginx-proxy=http://127.0.0.1:8082/ \
  seed-lua=http://127.0.0.1:8081/ $(scg /) $(gg /)
# nginx-proxy makes no decision and goes to production: it stays the cost of proxying alone.
compare gray -c "$conns" -H 'X-Real-IP: 10.9.9.9' direct=http://127.0.0.1:9002/ nginx-proxy=http://127.0.0.1:8082/ \
  seed-lua=http://127.0.0.1:8081/ $(gg /)
# Spring Cloud Gateway's XForwardedRemoteAddr reads X-Forwarded-For only; the others read it too.
$with_scg && compare gray-xff -c "$conns" -H 'X-Forwarded-For: 10.9.9.9' direct=http://127.0.0.1:9002/ \
  nginx-proxy=http://127.0.0.1:8082/ seed-lua=http://127.0.0.1:8081/ $(scg /) $(gg /)
# The policy's sticky split: uid=user-23 is in gray's 10%; graygate without the policy sends it to production.
$with_policy && ! $dry_run && compare split -c "$conns" -H 'Cookie: uid=user-23' direct=http://127.0.0.1:9002/ \
  nginx-proxy=http://127.0.0.1:8082/ $(gg /)
compare large -c "$large_conns" direct=http://127.0.0.1:$large_upstream_port/large/10m.bin \
  nginx-proxy=http://127.0.0.1:$large_proxy_port/large/10m.bin nginx-nobuf=http://127.0.0.1:$large_nobuf_port/large/10m.bin \
  $(gg /large/10m.bin)
compare close -c "$conns" -H 'Connection: close' direct=http://127.0.0.1:9001/ nginx-proxy=http://127.0.0.1:8082/ \
  seed-lua=http://127.0.0.1:8081/ $(scg /) $(gg /)
# TLS: the same certificate, protocols and suites on both (bench/nginx-tls-proxy.conf); HTTP/1.1 kept alive, then a
# new connection (a full handshake) per request; then HTTP/2 with h2load, 5 connections of 10 streams (50 in flight).
ggtls() { $dry_run || echo "graygate=https://127.0.0.1:$graygate_tls_port/"; true; }
# What each TLS target negotiates with an OpenSSL client, as wrk is: the TLS rows compare like with like only when the
# protocol and suite are the same on both.
negotiated() {
  openssl s_client -connect "127.0.0.1:$1" -servername bench.test </dev/null 2>/dev/null | awk '/^New, / {sub(/^New, /, ""); print; exit}'
}
{
  echo "nginx-proxy: $(negotiated "$tls_proxy_port")"
  $dry_run || echo "graygate: $(negotiated "$graygate_tls_port")"
} >"$out/tls-negotiated.txt"
log "TLS with an OpenSSL client: $(paste -sd';' "$out/tls-negotiated.txt")"
compare tls -c "$conns" nginx-proxy="https://127.0.0.1:$tls_proxy_port/" $(ggtls)
compare tls-close -c "$conns" -H 'Connection: close' nginx-proxy="https://127.0.0.1:$tls_proxy_port/" $(ggtls)
log "scenario h2: h2compare.sh -c 5 -m 10"
"$repo/bench/h2compare.sh" -r "$rounds" -d "$secs" -c 5 -m 10 nginx-proxy="https://127.0.0.1:$tls_proxy_port/" $(ggtls) \
  2>"$out/h2.err" | tee "$out/h2.txt" >&2

machine_busy 3 >"$out/busy-after.txt"
if [[ -n $gg_pid ]]; then
  kill "$rss_sampler" 2>/dev/null || true
  # The kernel's high-water mark: the true peak, which a sample a second can miss (KB, as ps prints).
  awk '/^VmHWM:/ {print $2}' "/proc/$gg_java/status" >"$out/rss-peak.txt" 2>/dev/null || true
  # Every graygate stops first: start-up rebuilds the jar when a source changed during the run, and a JVM whose
  # jar is replaced under it fails to load its next class.
  log "stopping every graygate for the start-up measurement"
  for pid in "$gg_pid" "${other_gg_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "$gg_pid" "${other_gg_pids[@]}"; do wait "$pid" 2>/dev/null || true; done
fi

if ! $dry_run && ((startup_runs > 0)); then
  "$repo/bench/startup.sh" "$startup_runs" 2>"$out/startup.err" >"$out/startup.txt" ||
    log "the start-up measurement failed: see $out/startup.err"
fi

"$repo/bench/table.sh" "$out" | tee "$out/table.txt"
log "raw outputs in $out"
