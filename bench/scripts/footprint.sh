#!/usr/bin/env bash
# The daemon's memory (issue 14, item 5; RELIABILITY.md "Footprint"): for each build, the shipped daemon
# (`bin/plight start`, its JVM options, threads = 1, access log OFF) is started and measured:
#   idle       RSS 10 s after start and 20 probes (a load balancer probes a node as soon as it is up; the
#              first connection allocates Netty's first buffer chunk)
#   burst      10 s of wrk keep-alive at 256 connections, then 10,000 connections opened and closed
#   recovery   RSS every 5 s for 30 s after the burst; "back" = within 8 MiB of idle
#   curve      RSS against keep-alive connections held, 0 -> 10,000 in steps of 1,000 (a fresh daemon), 2 s
#              after each step, and again after a full GC (jcmd GC.run)
# It writes bench/footprint/summary.md, rss-connections.csv and rss-connections.svg (one curve per build).
#
# Usage: bench/scripts/footprint.sh [LABEL=DIST_DIR ...]   (default: shipped=packaging/target/plight)
# env: PORT=18195, NMT=1 adds -XX:NativeMemoryTracking=summary and a `jcmd VM.native_memory` summary after the
# burst (NMT itself costs ~1.5 MiB), STEP=1000, MAX=10000.
# Needs: wrk, python3, jcmd (the JDK's), the distribution (mvn -B -DskipTests package), `ulimit -n` above MAX + 100 for this shell.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=bench/scripts/servers.sh
. "$here/servers.sh"
port=${PORT:-18195}
step=${STEP:-1000}
max=${MAX:-10000}
out=$root/bench/footprint
[ $# -gt 0 ] || set -- "shipped=$root/packaging/target/plight"
need wrk python3
work_dir plight-footprint
mkdir -p "$out"
ulimit -n "$((max + 1000))" 2>/dev/null || true
[ "$(ulimit -n)" -gt "$((max + 100))" ] || { echo "ulimit -n is $(ulimit -n): too low for $max connections" >&2; exit 1; }
csv=$out/rss-connections.csv
echo "series,connections,rss_mib" > "$csv"
summary=$out/summary.md
{
  echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg) at the start."
  echo
  echo "| build | idle | after wrk (256 conn., 10 s) | after 10,000 opened and closed | +5 s | +10 s | +20 s | +30 s | +30 s − idle |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
} > "$summary"

probe20() { # 20 probes on new connections, as load balancers send them
  python3 -c 'import http.client, sys
for _ in range(20):
    c = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1])); c.request("GET", "/"); c.getresponse().read(); c.close()' "$port"
}

mib() { awk '/^VmRSS/ {printf "%.1f", $2 / 1024}' "/proc/$1/status"; }

start_daemon() { # DIST NAME: starts it, sets $daemon
  plight_conf "$2" "$port" OFF
  # max_connections above the curve's last step, so that every held connection is served.
  sed -i "s/^threads = 1/threads = 1\nmax_connections = $((max + 100))/" "$work/$2/plight.conf"
  local opts=${PLIGHT_JAVA_OPTS:-}
  [ "${NMT:-0}" = 1 ] && opts="$opts -XX:NativeMemoryTracking=summary"
  PLIGHT_JAVA_OPTS="$opts" "$1/bin/plight" -c "$work/$2/plight.conf" start > "$work/$2/out.txt" 2>&1 &
  daemon=$!
  pids+=("$daemon")
  for _ in $(seq 200); do grep -q "is running" "$work/$2/out.txt" && break; sleep 0.1; done
  grep -q "is running" "$work/$2/out.txt" || { cat "$work/$2/out.txt" >&2; exit 1; }
  for _ in $(seq 50); do [ -s "$work/$2/plight.pid" ] && break; sleep 0.1; done
  daemon=$(cat "$work/$2/plight.pid")
}

stop_daemon() {
  kill "$daemon"
  while kill -0 "$daemon" 2>/dev/null; do sleep 0.1; done
}

for arg in "$@"; do
  label=${arg%%=*}
  dist=${arg#*=}
  [ -x "$dist/bin/plight" ] || { echo "missing $dist/bin/plight" >&2; exit 1; }
  name=$(echo "$label" | tr -c 'a-zA-Z0-9_\n' _)

  start_daemon "$dist" "$name"
  probe20
  sleep 10
  idle=$(mib "$daemon")
  wrk -t1 -c256 -d10s "http://127.0.0.1:$port/" > "$work/$name/wrk.txt"
  after_wrk=$(mib "$daemon")
  python3 "$here/held-connections.py" churn 127.0.0.1 "$port" 10000 > /dev/null
  after_churn=$(mib "$daemon")
  row="| $label | $idle | $after_wrk | $after_churn"
  for t in 5 10 20 30; do
    sleep $(( t == 5 ? 5 : (t == 10 ? 5 : 10) ))
    row="$row | $(mib "$daemon")"
  done
  last=$(mib "$daemon")
  row="$row | $(awk -v a="$last" -v b="$idle" 'BEGIN { printf "%+.1f", a - b }') |"
  echo "$row" >> "$summary"
  if [ "${NMT:-0}" = 1 ]; then
    jcmd "$daemon" VM.native_memory summary > "$out/nmt-$name.txt" 2>&1 || true
  fi
  stop_daemon

  # The curve: a fresh daemon, connections held by one client, RSS read 2 s after each step.
  start_daemon "$dist" "$name-curve"
  probe20
  sleep 10
  steps=$(seq 0 "$step" "$max" | tr '\n' ' ')
  coproc holder { python3 "$here/held-connections.py" hold 127.0.0.1 "$port" $steps; }
  for n in $steps; do
    read -r _ held <&"${holder[0]}"
    [ "$held" = "$n" ] || { echo "holder: expected $n, got $held" >&2; exit 1; }
    sleep 2
    echo "$label,$n,$(mib "$daemon")" >> "$csv"
    # Then after a full collection: without the garbage the serial collector has not collected yet (it
    # shrinks the heap only on a full collection), what the connections themselves hold.
    jcmd "$daemon" GC.run > /dev/null
    sleep 1
    echo "$label after a full GC,$n,$(mib "$daemon")" >> "$csv"
    echo >&"${holder[1]}"
  done
  wait "$holder_PID" 2>/dev/null || true
  stop_daemon
done

echo >> "$summary"
echo "RSS (MiB) against keep-alive connections held:" >> "$summary"
echo >> "$summary"
echo "| connections | $(cut -d, -f1 "$csv" | tail -n +2 | awk '!seen[$0]++' | paste -sd'|' | sed 's/|/ | /g') |" >> "$summary"
python3 - "$csv" >> "$summary" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
labels = list(dict.fromkeys(r["series"] for r in rows))
print("|---:|" + "---:|" * len(labels))
for n in sorted({int(r["connections"]) for r in rows}):
    vals = {r["series"]: r["rss_mib"] for r in rows if int(r["connections"]) == n}
    print(f"| {n:,} | " + " | ".join(vals.get(l, "") for l in labels) + " |")
PY
java -cp "$root/packaging/target/plight/lib/*" plight.bench.XyPlot "$csv" "$out/rss-connections.svg" \
  "plight RSS against keep-alive connections held" "connections held" "RSS (MiB)"
cat "$summary"
echo "wrote $summary, $csv, $out/rss-connections.svg"
