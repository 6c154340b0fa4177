#!/usr/bin/env bash
# Hostile clients against the shipped daemon (`bin/plight start`, threads = 1, access log OFF), the long forms
# of HostileClientsIT (RELIABILITY.md, "Hostile clients"). In each scenario one prober opens a new connection per
# check, 20 checks a second (plight-bench fleet, latency from each check's scheduled time, nice -10), and the
# hostile clients run at nice 19, so that the figures are the daemon's rather than the clients' wait for a CPU.
#
# Usage: bench/scripts/hostile.sh [SCENARIO...]   (default: all, in this order)
#   idle        the prober alone, for SECONDS: what this machine gives without hostile clients
#   keepalive   10,000 keep-alive connections opened (one request each, answered), held, then each asked again
#   slow        1,000 slowloris connections (a header line a second, never a whole head) and 1,500 clients that
#               pipeline and never read, for SECONDS; request_timeout 5 s (the default)
#   fds         the daemon under `ulimit -n 256`, 400 connections held: CPU while exhausted (/proc/PID/stat over
#               5 s), log lines, and how long until a probe is answered once they are closed
#   control     1,000 control-socket connections a second for SECONDS, each "status"
#   metrics     1,000 connections a second to the metrics port for SECONDS, each "GET /metrics"
#   grpc        on the probe port, for SECONDS: 1,000 new HTTP/2 connections a second each with one gRPC Health/Check,
#               1,000 connections holding 10 Health/Watch calls each, and 100
#               connections that send Check calls and never read
#   grpc-checks the first of these alone: 1,000 new HTTP/2 connections a second, each one Check, for SECONDS
# env: SECONDS_=10 (length of the slow, control and metrics runs), PORT=18196, DIST=another distribution,
#      SLOWLORIS=1000, PIPELINERS=1500, RATE=1000, WARM=15000 (connections that warm the daemon up first).
# Needs: python3, the distribution (mvn -B -DskipTests package), `ulimit -n` of 20,000 or more for this shell.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=bench/scripts/servers.sh
. "$here/servers.sh"
use_dist
port=${PORT:-18196}
metrics_port=$((port + 1))
seconds=${SECONDS_:-10}
rate=${RATE:-1000}
[ $# -gt 0 ] || set -- idle keepalive slow fds control metrics grpc grpc-checks
need python3
work_dir plight-hostile
ulimit -n 30000 2>/dev/null || ulimit -n "$(ulimit -Hn)"
hz=$(getconf CLK_TCK)

# start_daemon NAME [PREFIX...]: a daemon with the metrics port on; sets $daemon (the JVM's pid).
start_daemon() {
  local name=$1
  shift
  plight_conf "$name" "$port" OFF
  sed -i "s/^threads = 1/threads = 1\nmax_connections = 12000/" "$work/$name/plight.conf"
  printf '[metrics]\nport = %s\n' "$metrics_port" >> "$work/$name/plight.conf"
  "$@" "$dist/bin/plight" -c "$work/$name/plight.conf" start > "$work/$name/out.txt" 2>&1 &
  pids+=($!)
  for _ in $(seq 200); do grep -q "is running" "$work/$name/out.txt" && break; sleep 0.1; done
  grep -q "is running" "$work/$name/out.txt" || { cat "$work/$name/out.txt" >&2; exit 1; }
  daemon=$(cat "$work/$name/plight.pid")
  # Warm: a daemon in service has compiled its probe path long ago. bin/plight's JVM compiles with C2 only
  # (-XX:-TieredCompilation), after about 10,000 calls of a method: 3,000 connections left the answer path
  # interpreted, and the scenario measured the interpreter (-XX:+PrintCompilation: compiled during the flood).
  python3 "$here/held-connections.py" churn 127.0.0.1 "$port" "${WARM:-15000}" > /dev/null
}

stop_daemon() {
  kill "$daemon" 2>/dev/null || true
  while kill -0 "$daemon" 2>/dev/null; do sleep 0.1; done
}

# prober SECONDS NAME: the new-connection prober in the background; prober_result prints its figures.
prober() {
  PLIGHT_BENCH_JAVA_OPTS="-Xms64m -Xmx256m" nice -n -10 "$dist/bin/plight-bench" fleet \
    --url "http://127.0.0.1:$port/" --connections 1 --rate 20 --duration "$1s" --warmup 0s \
    --threads 1 --timeout 5s --json "$work/$2.json" > "$work/$2.txt" 2>&1 &
  prober_pid=$!
  sleep 1
}
prober_result() {
  local status=0
  wait "$prober_pid" || status=$?
  [ "$status" = 0 ] || { echo "prober exited with status $status:"; tail -5 "$work/$1.txt"; }
  [ -s "$work/$1.json" ] || return 0
  python3 - "$work/$1.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
print(f"prober: {r['requests']} checks, {r['errors']} errors, p50 {r['p50_us'] / 1000:.1f} ms, "
      f"p99 {r['p99_us'] / 1000:.1f} ms, max {r['max_us'] / 1000:.1f} ms")
PY
}
logged() { echo "daemon log: $(grep -c '^[[:space:]]*at ' "$work/$1/out.txt" || true) stack-trace lines, $(grep -c 'OutOfDirectMemoryError' "$work/$1/out.txt" || true) OutOfDirectMemoryError"; }

for scenario in "$@"; do
  echo "== $scenario ($(date -u +%H:%M:%S), load average $(cut -d' ' -f1-3 /proc/loadavg))"
  case "$scenario" in
    idle)
      start_daemon idle
      prober $((seconds + 2)) idle
      prober_result idle
      stop_daemon
      ;;
    keepalive)
      start_daemon keepalive
      prober 12 keepalive
      started=$(date +%s.%N)
      coproc holder { nice -n 19 python3 "$here/held-connections.py" hold 127.0.0.1 "$port" 10000; }
      read -r _ held <&"${holder[0]}"
      echo "held $held keep-alive connections, each answered, in $(echo "$(date +%s.%N) - $started" | bc) s;" \
        "daemon RSS $(( $(rss_kib "$daemon") / 1024 )) MiB, open connections: $("$dist/bin/plight" -c "$work/keepalive/plight.conf" stats | awk '/Open connections/ {print $3}')"
      echo >&"${holder[1]}"
      wait "$holder_PID" 2>/dev/null || true
      prober_result keepalive
      logged keepalive
      stop_daemon
      ;;
    slow)
      start_daemon slow
      prober $((seconds + 8)) slow
      # Each never-reader's send buffer capped as for a client on another machine (see BENCHMARKS.md, "Clients
      # that never read"): 1,500 local buffers of megabytes put the whole host's TCP under memory pressure.
      SNDBUF=${SNDBUF:-65536} nice -n 19 python3 "$here/never-readers.py" 127.0.0.1 "$port" "${PIPELINERS:-1500}" "$((seconds + 6))" &
      readers=$!
      nice -n 19 python3 "$here/hostile.py" slowloris 127.0.0.1 "$port" "${SLOWLORIS:-1000}" "$((seconds + 6))"
      wait "$readers"
      prober_result slow
      logged slow
      stop_daemon
      ;;
    fds)
      start_daemon fds sh -c 'ulimit -n 256 && exec "$0" "$@"'
      # 400 connections held for 9 s; the CPU is read over 5 s of that, once the descriptors are gone.
      python3 - "$port" <<'PY' &
import socket, sys, time
held = []
for _ in range(400):
    s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
    s.send(b"GET / HTTP/1.1\r\nHost: lb\r\n\r\n")
    held.append(s)
time.sleep(9)
PY
      holder_pid=$!
      sleep 2
      t0=$(ticks "$daemon")
      sleep 5
      t1=$(ticks "$daemon")
      echo "descriptors exhausted: daemon CPU $(awk -v t=$((t1 - t0)) -v hz="$hz" 'BEGIN { printf "%.1f", t / hz / 5 * 100 }') % over 5 s;" \
        "$(grep -c 'cannot accept connections' "$work/fds/plight.log" || true) log line(s) about it"
      wait "$holder_pid"
      freed=$(date +%s.%N)
      until curl -s -m 5 -o /dev/null "http://127.0.0.1:$port/"; do :; done
      echo "probe answered $(echo "($(date +%s.%N) - $freed) * 1000" | bc | cut -d. -f1) ms after the connections were closed"
      logged fds
      stop_daemon
      ;;
    control)
      start_daemon control
      prober $((seconds + 2)) control
      nice -n 19 python3 "$here/hostile.py" control "$work/control/control.sock" "$rate" "$seconds"
      prober_result control
      stop_daemon
      ;;
    metrics)
      start_daemon metrics
      prober $((seconds + 2)) metrics
      nice -n 19 python3 "$here/hostile.py" metrics 127.0.0.1 "$metrics_port" "$rate" "$seconds"
      prober_result metrics
      stop_daemon
      ;;
    grpc)
      start_daemon grpc
      prober $((seconds + 4)) grpc
      nice -n 19 python3 "$here/hostile.py" grpc-watch 127.0.0.1 "$port" "${WATCHERS:-1000}" 10 "$((seconds + 2))" &
      watchers=$!
      nice -n 19 python3 "$here/hostile.py" grpc-never-read 127.0.0.1 "$port" "${NEVER_READERS:-100}" "$seconds" &
      never=$!
      nice -n 19 python3 "$here/hostile.py" grpc-check 127.0.0.1 "$port" "$rate" "$seconds" &
      checks=$!
      wait "$checks" "$never" "$watchers"
      echo "daemon RSS $(( $(rss_kib "$daemon") / 1024 )) MiB after it"
      prober_result grpc
      logged grpc
      stop_daemon
      ;;
    grpc-checks)
      start_daemon grpc-checks
      prober $((seconds + 2)) grpc-checks
      nice -n 19 python3 "$here/hostile.py" grpc-check 127.0.0.1 "$port" "$rate" "$seconds"
      echo "daemon RSS $(( $(rss_kib "$daemon") / 1024 )) MiB after it"
      prober_result grpc-checks
      logged grpc-checks
      stop_daemon
      ;;
    *) echo "unknown scenario $scenario" >&2; exit 2 ;;
  esac
done
