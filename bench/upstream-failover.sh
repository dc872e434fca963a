#!/usr/bin/env bash
# Kills one of two upstream servers under wrk load and counts the failed requests, for graygate and for nginx in
# front of the same two servers (nginx with its defaults: max_fails=1 fail_timeout=10s, proxy_next_upstream error
# timeout). Uses free ports of its own, so it runs beside anything, the anchors included.
#   bench/upstream-failover.sh [SECONDS] [CONNECTIONS]     (default 10 s, 50 connections; the kill comes at a third)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
source "$repo/bench/common.sh"
duration=${1:-10}
connections=${2:-50}
kill_after=$((duration / 3))

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# start_upstream NAME PORT: an nginx answering "NAME" on 127.0.0.1:PORT, under $work/NAME; sets up_pid (its master).
start_upstream() {
  local dir="$work/$1"
  mkdir -p "$dir/logs"
  cat >"$dir/nginx.conf" <<CONF
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/logs/error.log;
events { worker_connections 4096; }
http {
  access_log off;
  server { listen 127.0.0.1:$2 reuseport; keepalive_requests 100000; location / { return 200 "$1\n"; } }
}
CONF
  nginx -p "$dir" -c "$dir/nginx.conf" -g 'daemon off;' &
  up_pid=$!
  started+=("kill $up_pid; wait $up_pid")
  wait_http "http://127.0.0.1:$2/" 10
}

# run NAME URL: wrk for $duration s, killing upstream b (SIGKILL to its master and workers) after $kill_after s.
run() {
  local name=$1 url=$2 out="$work/wrk-$1.txt"
  start_upstream a "$port_a"; local pid_a=$up_pid
  start_upstream b "$port_b"; local pid_b=$up_pid
  wait_http "$url" 30
  wrk -t1 -c"$connections" -d"${duration}s" "$url" >"$out" 2>&1 &
  local wrk_pid=$!
  sleep "$kill_after"
  local workers
  workers=$(pgrep -P "$pid_b" | tr '\n' ' ') # its workers, by parent: only processes this script started
  kill -KILL "$pid_b" $workers
  wait "$wrk_pid"
  wait "$pid_b" 2>/dev/null || true
  kill "$pid_a"; wait "$pid_a" 2>/dev/null || true
  local total non2xx errors
  total=$(awk '/requests in/ {print $1}' "$out")
  non2xx=$(awk '/Non-2xx/ {print $NF}' "$out"); non2xx=${non2xx:-0}
  errors=$(awk -F'[ ,]+' '/Socket errors/ {print $4 + $6 + $8 + $10}' "$out"); errors=${errors:-0}
  printf '%-9s %9s %9s %14s %8s\n' "$name" "$total" "$non2xx" "$errors" "$((non2xx + errors))"
}

port_a=$(free_port); port_b=$(free_port); port_gg=$(free_port); port_admin=$(free_port); port_nginx=$(free_port)
build_if_stale

cat >"$work/graygate.yaml" <<YAML
listen: 127.0.0.1:$port_gg
admin: {listen: 127.0.0.1:$port_admin}
store: file:$work/rules.json
upstreams:
  production: {servers: ["127.0.0.1:$port_a", "127.0.0.1:$port_b"]}
routes:
  - {name: web, stable: production, gray: production}
proxy: {accessLog: false}
YAML
mkdir -p "$work/proxy/logs"
cat >"$work/proxy/nginx.conf" <<CONF
worker_processes 1;
pid $work/proxy/nginx.pid;
error_log $work/proxy/logs/error.log;
events { worker_connections 4096; }
http {
  access_log off;
  upstream pair { server 127.0.0.1:$port_a; server 127.0.0.1:$port_b; keepalive 64; }
  server {
    listen 127.0.0.1:$port_nginx;
    keepalive_requests 100000;
    location / { proxy_pass http://pair; proxy_http_version 1.1; proxy_set_header Connection ""; }
  }
}
CONF

log "wrk -t1 -c$connections -d${duration}s; upstream b killed after ${kill_after}s; machine: $(nproc) cores"
printf '%-9s %9s %9s %14s %8s\n' gateway requests non-2xx socket-errors failed

"$repo/graygate" serve --config "$work/graygate.yaml" >"$work/graygate.log" 2>&1 &
gg_pid=$!
started+=("kill $gg_pid; wait $gg_pid")
run graygate "http://127.0.0.1:$port_gg/"
kill "$gg_pid"; wait "$gg_pid" 2>/dev/null || true

nginx -p "$work/proxy" -c "$work/proxy/nginx.conf" -g 'daemon off;' &
ng_pid=$!
started+=("kill $ng_pid; wait $ng_pid")
run nginx "http://127.0.0.1:$port_nginx/"
kill "$ng_pid"; wait "$ng_pid" 2>/dev/null || true
grep -h "upstream down\|upstream up" "$work/graygate.log" | sed 's/^/graygate log: /' >&2 || true
