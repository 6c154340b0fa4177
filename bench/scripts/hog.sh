#!/usr/bin/env bash
# Probe latency beside a CPU hog (issue 15): the shipped daemon (`bin/plight start`, threads = 1, access log OFF)
# and nginx (worker_processes 1, `return 200 "OK\n"`), nothing pinned, while `stress-ng --cpu N` keeps every
# core busy at the same priority, as the application a node runs beside plight would. A fleet of load
# balancers (plight-bench fleet: LBS probers, RATE checks/s each, a new connection per check, latency from
# each check's scheduled time) probes each server in turns, ROUNDS times. Prints medians of p50, p99, p99.9 and
# max per server, with the hog and, for reference, without it. The prober runs at nice -10 (so root, or
# CAP_SYS_NICE), so that what it measures is the servers' wait for a CPU rather than its own.
#
# Usage: bench/scripts/hog.sh   (env: ROUNDS=3 DURATION=10s LBS=100 RATE=10 HOG=2 (stress-ng --cpu) TRANSPORT=auto)
# Needs: nginx, stress-ng (Debian packages) and the distribution: mvn -B -DskipTests package.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=servers.sh
. "$here/servers.sh"
rounds=${ROUNDS:-3}
duration=${DURATION:-10s}
lbs=${LBS:-100}
rate=${RATE:-10}
hog=${HOG:-2}
dist=${DIST:-$root/packaging/target/plight}
[ -x "$dist/bin/plight-bench" ] || { echo "missing $dist: run mvn -B -DskipTests package first" >&2; exit 1; }
need nginx stress-ng java python3
work_dir plight-hog
nginx_port=${BASE_PORT:-19580}
plight_port=$((nginx_port + 1))
port_free "$nginx_port"; port_free "$plight_port"

nginx_conf "$nginx_port"
nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" &
pids+=($!)
plight_conf plight "$plight_port" OFF
sed -i "s/^threads = 1$/threads = 1\ntransport = ${TRANSPORT:-auto}/" "$work/plight/plight.conf"
"$dist/bin/plight" -c "$work/plight/plight.conf" start > "$work/plight/out.txt" 2>&1 &
pids+=($!)
wait_port "$nginx_port"; wait_port "$plight_port"

# The prober at nice -10: the figures are then the servers' wait for a CPU, not the prober's own.
fleet() {
  nice -n -10 "$dist/bin/plight-bench" fleet --url "http://127.0.0.1:$1/" --connections "$lbs" --rate "$rate" --jitter 10 \
    --duration "$duration" --warmup 3s --threads 1 --timeout 5s --json "$2" > /dev/null 2>&1
}
# warm-up: the JIT of both the daemon and plight-bench
fleet "$plight_port" "$work/warm.json"
wrk -t1 -c16 -d5s "http://127.0.0.1:$plight_port/" > /dev/null 2>&1 || true

declare -A figures
for phase in quiet hog; do
  hog_pid=
  if [ "$phase" = hog ]; then
    stress-ng --cpu "$hog" --timeout 0 > /dev/null 2>&1 &
    hog_pid=$!
    pids+=("$hog_pid")
    sleep 1
  fi
  for round in $(seq 1 "$rounds"); do
    for target in nginx plight; do
      port=$nginx_port; [ "$target" = plight ] && port=$plight_port
      fleet "$port" "$work/$phase-$target-$round.json"
      line=$(python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(d['p50_us'], d['p99_us'], d['p999_us'], d['max_us'], d['errors'])" "$work/$phase-$target-$round.json")
      echo "$phase round $round $target: p50 p99 p99.9 max errors = $line (load $(cut -d' ' -f1 /proc/loadavg))" >&2
      figures[$phase.$target]+="$line"$'\n'
    done
  done
  if [ -n "$hog_pid" ]; then kill "$hog_pid"; wait "$hog_pid" 2>/dev/null || true; fi
done

echo
echo "fleet: $lbs load balancers x $rate checks/s, a new connection per check, $rounds rounds of $duration per server; hog: stress-ng --cpu $hog; load average at the end: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs"
echo
echo "| phase | server | p50 µs | p99 µs | p99.9 µs | max µs | errors | p99.9 plight / nginx |"
echo "|---|---|---:|---:|---:|---:|---:|---:|"
for phase in quiet hog; do
  for target in nginx plight; do
    col() { printf '%s' "${figures[$phase.$target]}" | awk -v c="$1" '{print $c}' | median; }
    p999=$(col 3)
    [ "$target" = nginx ] && n999=$p999
    ratio=""; [ "$target" = plight ] && ratio=$(awk -v a="$p999" -v b="$n999" 'BEGIN { printf "%.2f", a / b }')
    echo "| $phase | $target | $(col 1) | $(col 2) | $p999 | $(col 4) | $(col 5) | $ratio |"
  done
done
