# Sourced by bench/run.sh, bench/profile.sh and bench/startup.sh: process bookkeeping and graygate's start.
# Needs $repo (the repository root). Everything a script starts is registered with `started+=(COMMAND)` and stopped,
# last first, when the script exits for any reason.

started=()
work=$(mktemp -d /tmp/graygate-bench.XXXXXX)
chmod 755 "$work" # nginx workers run as nobody and read files from here
cleanup() {
  local rc=$?
  for ((i = ${#started[@]} - 1; i >= 0; i--)); do eval "${started[i]}" >/dev/null 2>&1 || true; done
  rm -rf "$work"
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The anchors live in shared/, beside the main checkout; from a worktree, beside the repository that owns it.
find_anchors() {
  local top common
  [[ -n ${ANCHORS:-} ]] && { echo "$ANCHORS"; return; }
  top=$(git -C "$repo" rev-parse --show-toplevel)
  common=$(cd "$repo" && cd "$(git rev-parse --git-common-dir)" && pwd)
  for d in "$top/../shared/anchors" "$common/../../shared/anchors"; do
    [[ -x $d/compare.sh ]] && { (cd "$d" && pwd); return; }
  done
  echo "$(basename "$0"): cannot find shared/anchors beside the repository; set ANCHORS=/path/to/anchors" >&2
  exit 2
}
log() { echo "$(basename "$0"): $*" >&2; }

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

require_free_ports() { # PORT...: each must be free within 10 s (a just-stopped run's Redis takes a moment to exit)
  local p deadline=$((SECONDS + 10))
  for p in "$@"; do
    until port_free "$p"; do
      ((SECONDS < deadline)) || { log "port $p is taken; stop what holds it (the anchors: seed-openresty/stop.sh) and retry"; exit 2; }
      sleep 0.2
    done
  done
}

wait_http() { # URL [SECONDS [CURL-ARGS...]]: polls until the URL answers 2xx
  local url=$1 deadline=$((SECONDS + ${2:-60}))
  shift $(($# < 2 ? $# : 2))
  until curl -fs -o /dev/null "$@" "$url"; do
    ((SECONDS < deadline)) || { log "no answer from $url"; return 1; }
    sleep 0.1
  done
}

build_if_stale() { # as the ./graygate launcher does, but before any clock starts
  local jar="$repo/target/graygate.jar"
  if [[ ! -f $jar || -n $(find "$repo/pom.xml" "$repo/src/main" -newer "$jar" -print -quit) ]]; then
    log "building $jar"
    (cd "$repo" && mvn -B -q -DskipTests package) >&2
  fi
}

# make_bench_cert: the run's TLS certificate, $work/tls.crt and $work/tls.key (ECDSA P-256, made once per run, never
# committed), for graygate's TLS listener and the nginx TLS anchor alike.
make_bench_cert() {
  [[ -f $work/tls.crt ]] && return
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$work/tls.key" -out "$work/tls.crt" \
    -days 2 -subj /CN=bench.test -addext subjectAltName=DNS:bench.test 2>/dev/null
  chmod 644 "$work/tls.key" # nginx's workers run as nobody
}

# start_graygate LOGFILE [PORT ADMIN_PORT ACCESS_LOG TLS_PORT CONFIG]: runs ./graygate serve --config CONFIG
# (default bench/graygate-bench.yaml)
# with the launcher's JVM options (GRAYGATE_JAVA_OPTS replaces them), its store in $work (one file per port); ports
# default to $graygate_port and $admin_port, the access log to on, the TLS listener to $graygate_tls_port or a free
# port. Sets gg_pid (the JVM: the launcher execs java).
start_graygate() {
  build_if_stale
  make_bench_cert
  local port=${2:-${graygate_port:-8080}} admin=${3:-${admin_port:-9190}} tls=${5:-${graygate_tls_port:-0}}
  log "starting graygate (:$port, TLS :$tls, admin :$admin, access log ${4:-true}), log in $1"
  BENCH_DIR=$work BENCH_NAME=graygate-$port BENCH_GRAYGATE_PORT=$port BENCH_ADMIN_PORT=$admin BENCH_TLS_PORT=$tls \
    BENCH_ACCESS_LOG=${4:-true} BENCH_LARGE_UPSTREAM_PORT=${large_upstream_port:-9011} \
    "$repo/graygate" serve --config "${6:-$repo/bench/graygate-bench.yaml}" >"$1" 2>&1 &
  gg_pid=$!
  started+=("kill $gg_pid; wait $gg_pid")
  wait_http "http://127.0.0.1:$port/" 60 || { tail -20 "$1" >&2; return 1; }
  wait_http "http://127.0.0.1:$admin/health" 30 || { tail -20 "$1" >&2; return 1; } # the admin API binds after the proxy
}

# add_whitelist [ADMIN_PORT]: 100,000 addresses and 1,000 CIDRs (10.9.9.9 among them) to route "web" through the
# admin API, 10,000 entries a POST; sets whitelist_ms.
add_whitelist() {
  local t0 chunk admin=${1:-${admin_port:-9190}}
  log "adding the whitelist: 100,000 addresses and 1,000 CIDRs, 10.9.9.9 among them"
  if [[ ! -f $work/whitelist.txt ]]; then
    "$repo/bench/whitelist.sh" 100000 1000 42 >"$work/whitelist.txt"
    split -l 10000 "$work/whitelist.txt" "$work/chunk."
    for chunk in "$work"/chunk.??; do
      awk 'BEGIN {printf "{\"entries\": ["} {printf "%s\"%s\"", (NR > 1 ? "," : ""), $0} END {print "]}"}' "$chunk" >"$chunk.json"
    done
  fi
  t0=$(date +%s%N)
  for chunk in "$work"/chunk.??; do
    curl -fsS -o /dev/null -X POST -H 'Content-Type: application/json' --data-binary "@$chunk.json" \
      "http://127.0.0.1:$admin/api/routes/web/whitelist" || { log "the admin API refused the whitelist"; return 1; }
  done
  whitelist_ms=$((($(date +%s%N) - t0) / 1000000))
}

# machine_busy [SECONDS]: the share of all cores busy over the interval (from /proc/stat), as a whole percentage.
machine_busy() {
  local a b
  a=($(head -1 /proc/stat))
  sleep "${1:-3}"
  b=($(head -1 /proc/stat))
  awk -v a="${a[*]:1}" -v b="${b[*]:1}" 'BEGIN {
    n = split(a, x, " "); split(b, y, " ")
    for (i = 1; i <= n; i++) { d = y[i] - x[i]; all += d; if (i == 4 || i == 5) idle += d }
    printf "%d", (all > 0 ? 100 * (all - idle) / all : 0) }'
}

# wait_quiet MINUTES: other people's builds and tests on this machine skew every figure; waits until the cores are
# at most 10% busy for 3 s, or MINUTES have passed. Sets busy_before (the last reading).
wait_quiet() {
  local deadline=$((SECONDS + 60 * $1))
  while :; do
    busy_before=$(machine_busy 3)
    ((busy_before <= 10)) && return
    ((SECONDS < deadline)) || { log "the machine is still ${busy_before}% busy with other work; measuring anyway"; return; }
    log "the machine is ${busy_before}% busy with other work; waiting for it to quieten"
  done
}
