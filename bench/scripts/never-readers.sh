#!/usr/bin/env bash
# Clients that pipeline and never read (issue 7 item 10): the shipped daemon (`bin/plight start`, threads = 1,
# access log OFF), warmed up, then CLIENTS such clients for SECONDS while one prober opens a new connection
# per check every 50 ms (plight-bench fleet, latency from each check's scheduled time). Prints the prober's
# figures, what the clients could send, and whether the daemon logged an OutOfDirectMemoryError or a stack
# trace.
#
# Usage: bench/scripts/never-readers.sh [CLIENTS [SECONDS]]   (defaults 600 10; env: PORT=18193,
#        SNDBUF=bytes to cap each client's own send buffer, WARMUP=1, DIST=another distribution directory)
# Needs: python3, wrk (for the warm-up), and the distribution: mvn -B -DskipTests package.
# Clients, prober and daemon share the machine: the prober runs at nice -10 and the clients at nice 19, so
# that the figures are the daemon's, not the prober's wait for a CPU.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=bench/scripts/servers.sh
. "$here/servers.sh"
use_dist
clients=${1:-600}
seconds=${2:-10}
port=${PORT:-18193}

work_dir plight-never-readers
plight_conf plight "$port" OFF
"$dist/bin/plight" -c "$work/plight/plight.conf" start > "$work/out.txt" 2>&1 &
pids+=($!)
for _ in $(seq 100); do grep -q "is running" "$work/out.txt" && break; sleep 0.1; done
grep -q "is running" "$work/out.txt" || { cat "$work/out.txt" >&2; exit 1; }

if [ "${WARMUP:-1}" = 1 ]; then
  # A daemon in service has compiled its probe path and its back-pressure path long ago.
  wrk -t1 -c16 -d3s "http://127.0.0.1:$port/" > /dev/null
  python3 "$here/never-readers.py" 127.0.0.1 "$port" "$clients" 5 > /dev/null
  sleep 2
fi

PLIGHT_BENCH_JAVA_OPTS="-Xms64m -Xmx256m" nice -n -10 "$dist/bin/plight-bench" fleet \
  --url "http://127.0.0.1:$port/" --connections 1 --rate 20 --duration "$((seconds + 2))s" --warmup 0s \
  --threads 1 --timeout 5s > "$work/prober.txt" 2>&1 &
prober=$!
sleep 1
nice -n 19 python3 "$here/never-readers.py" 127.0.0.1 "$port" "$clients" "$seconds"
wait "$prober"
grep -v '^plight-bench' "$work/prober.txt"
echo "daemon: $(grep -c 'OutOfDirectMemoryError' "$work/out.txt" || true) lines with OutOfDirectMemoryError," \
  "$(grep -c '^[[:space:]]*at ' "$work/out.txt" || true) stack-trace lines," \
  "$(grep -c 'probe port: closed' "$work/out.txt" || true) reports of connections closed after errors"
