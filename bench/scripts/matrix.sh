#!/usr/bin/env bash
# The whole BENCHMARKS.md comparison in one run: plight (the shipped daemon, threads = 1, access log OFF) vs
# nginx (worker_processes 1, return 200) for keep-alive, close and pipelined load measured by wrk and by
# plight-bench; the flip scenario's stale count; a fleet of load balancers on AsyncHttpClient (latency and the
# server's CPU share); CPU per request; RSS; CLI start-up. Writes OUT/matrix.md (a markdown table), the
# plight-bench JSON and the plots (SVG) into OUT; with the default OUT it also puts the table into BENCHMARKS.md
# (between its "matrix" markers), so that one command regenerates that section.
#
# Usage: bench/scripts/matrix.sh [OUT]   (default OUT: bench/matrix, the copy BENCHMARKS.md shows)
#   env: DURATION=5s per cell, WARMUP=5s (JIT, once per scenario), CONNECTIONS=64, PIPELINE=16, FLEET_LBS=1000,
#        FLEET_RATE=1, FLEET_REUSE=50 (% of the load balancers keeping their connection), FLEET_DURATION=10s,
#        FLEET_WARMUP=10s (AsyncHttpClient's own JIT warm-up: see BENCHMARKS.md),
#        FLIP_INTERVAL=20ms, CLI_RUNS=20, SERVER_CPU=0, LOAD_CPU=1, NGINX_PORT=18080, PLIGHT_PORT=18191
# Needs: nginx, wrk, hyperfine (Debian packages) and the distribution: mvn -B -DskipTests package.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=servers.sh
. "$here/servers.sh"
out=$(mkdir -p "${1:-$root/bench/matrix}" && cd "${1:-$root/bench/matrix}" && pwd)
duration=${DURATION:-5s}
warmup=${WARMUP:-5s}
connections=${CONNECTIONS:-64}
pipeline=${PIPELINE:-16}
fleet_lbs=${FLEET_LBS:-1000}
fleet_rate=${FLEET_RATE:-1}
fleet_reuse=${FLEET_REUSE:-50}
fleet_duration=${FLEET_DURATION:-10s}
fleet_warmup=${FLEET_WARMUP:-10s}
flip_interval=${FLIP_INTERVAL:-20ms}
cli_runs=${CLI_RUNS:-20}
server_cpu=${SERVER_CPU:-0}
load_cpu=${LOAD_CPU:-1}
nginx_port=${NGINX_PORT:-18080}
plight_port=${PLIGHT_PORT:-18191}
dist="$root/packaging/target/plight"
plight="$dist/bin/plight"
bench="$dist/bin/plight-bench"
hz=$(getconf CLK_TCK)

[ -x "$plight" ] && [ -x "$bench" ] || { echo "missing $dist: run mvn -B -DskipTests package first" >&2; exit 1; }
need nginx wrk hyperfine java taskset python3
work_dir plight-matrix
port_free "$nginx_port"
port_free "$plight_port"

nginx_conf "$nginx_port"
taskset -c "$server_cpu" nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" &
nginx_master=$!
pids+=("$nginx_master")
plight_conf plight "$plight_port" OFF
taskset -c "$server_cpu" "$plight" -c "$work/plight/plight.conf" start > "$work/plight/out.txt" 2>&1 &
pids+=("$!")
wait_port "$nginx_port"
wait_port "$plight_port"
nginx_worker=$(pgrep -P "$nginx_master" | head -1)
plight_pid=$(cat "$work/plight/plight.pid")
nginx_url="http://127.0.0.1:$nginx_port/"
plight_url="http://127.0.0.1:$plight_port/"

b() { taskset -c "$load_cpu" "$bench" "$@" --threads 1; }

# wrk_run SCENARIO URL PIDS...: prints "requests/s cpu_us_per_request"
wrk_run() {
  local scenario=$1 url=$2; shift 2
  local before after text extra=()
  case "$scenario" in
    close) extra=(-H "Connection: close") ;;
    pipeline) extra=(-s "$here/pipeline.lua") ;;
  esac
  before=$(ticks "$@")
  text=$(taskset -c "$load_cpu" wrk -t1 -c"$connections" -d"$duration" "${extra[@]}" "$url")
  after=$(ticks "$@")
  if echo "$text" | grep -q "Non-2xx\|Socket errors"; then
    echo "wrk $scenario $url: $(echo "$text" | grep -E 'Non-2xx|Socket errors')" >&2
  fi
  awk -v r="$(echo "$text" | awk '/^Requests\/sec:/ {print $2}')" -v n="$(echo "$text" | awk '/requests in/ {print $1}')" \
      -v t=$((after - before)) -v hz="$hz" 'BEGIN { printf "%.0f %.2f\n", r, (t / hz) * 1e6 / n }'
}

# j FILE EXPR: a figure from a plight-bench JSON file (python expression over `d`)
j() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); v=$2; print('-' if v is None else (f'{v:.2f}' if isinstance(v, float) else v))" "$1"; }
# r FILE EXPR: a rate, rounded
r() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(round($2))" "$1"; }

echo "warming up (JIT) ..." >&2
for scenario in keepalive close pipeline; do
  extra=(); [ "$scenario" = pipeline ] && extra=(--pipeline "$pipeline")
  b "$scenario" --url "$plight_url" --connections "$connections" "${extra[@]}" --duration "$warmup" --warmup 0 > /dev/null 2>&1
done

rows=()
for scenario in keepalive close pipeline; do
  echo "$scenario: wrk ..." >&2
  read -r wn_rps wn_cpu < <(wrk_run "$scenario" "$nginx_url" "$nginx_master" "$nginx_worker")
  read -r wp_rps wp_cpu < <(wrk_run "$scenario" "$plight_url" "$plight_pid")
  echo "$scenario: plight-bench ..." >&2
  extra=(); [ "$scenario" = pipeline ] && extra=(--pipeline "$pipeline")
  b "$scenario" --url "$plight_url" --compare "$nginx_url" --rounds 2 --connections "$connections" "${extra[@]}" \
    --duration "$duration" --warmup 1s --pid "$plight_pid" --compare-pid "$nginx_worker" \
    --json "$out/$scenario.json" --plot "$out/$scenario.svg" > "$out/$scenario.txt" 2>&1
  f="$out/$scenario.json"
  rows+=("| $scenario | wrk | $wn_rps | $wp_rps | $(awk -v a="$wp_rps" -v b="$wn_rps" 'BEGIN { printf "%.2f", a / b }') | $wn_cpu | $wp_cpu | | | |")
  rows+=("| $scenario | plight-bench | $(r "$f" "d['b']['rps']") | $(r "$f" "d['a']['rps']") | $(j "$f" "d['ratio']['rps']") | $(j "$f" "d['b'].get('cpu_us_per_request')") | $(j "$f" "d['a'].get('cpu_us_per_request')") | $(j "$f" "d['b']['p99_us']") / $(j "$f" "d['a']['p99_us']") | $(j "$f" "d['a']['errors'] + d['b']['errors']") | plight-bench / wrk on nginx: $(awk -v a="$(r "$f" "d['b']['rps']")" -v b="$wn_rps" 'BEGIN { printf "%.2f", a / b }') |")
done

echo "flip ..." >&2
b flip --url "$plight_url" -c "$work/plight/plight.conf" --connections 16 --duration "$duration" --warmup 1s \
  --flip-interval "$flip_interval" --json "$out/flip.json" --plot "$out/flip.svg" > "$out/flip.txt" 2>&1 || true
f="$out/flip.json"
rows+=("| flip ($flip_interval) | plight-bench | | $(r "$f" "d['rps']") | | | $(j "$f" "d.get('cpu_us_per_request')") | $(j "$f" "d['p99_us']") | $(j "$f" "d['errors']") | **$(j "$f" "d['stale']")** of $(j "$f" "d['stale_checked']") judged, $(j "$f" "d['flips']") changes |")

echo "fleet ..." >&2
fleet=(--connections "$fleet_lbs" --rate "$fleet_rate" --reuse-share "$fleet_reuse" --jitter 10 --timeout 5s)
b fleet --url "$plight_url" "${fleet[@]}" --duration "$fleet_duration" --warmup "$fleet_warmup" --pid "$plight_pid" \
  --json "$out/fleet.json" --plot "$out/fleet.svg" > "$out/fleet.txt" 2>&1
b fleet --url "$nginx_url" "${fleet[@]}" --duration "$fleet_duration" --warmup "$fleet_warmup" --pid "$nginx_worker" \
  --json "$out/fleet-nginx.json" --plot "$out/fleet-nginx.svg" > "$out/fleet-nginx.txt" 2>&1
fp="$out/fleet.json"; fn="$out/fleet-nginx.json"
share() { j "$1" "d['cpu_us_per_request'] * d['rps'] / 1e4 if d.get('cpu_us_per_request') is not None else None"; }
rows+=("| fleet ($fleet_lbs LBs x $fleet_rate/s, $fleet_reuse % reuse) | plight-bench | $(r "$fn" "d['rps']") | $(r "$fp" "d['rps']") | | $(j "$fn" "d.get('cpu_us_per_request')") | $(j "$fp" "d.get('cpu_us_per_request')") | $(j "$fn" "d['p99_us']") / $(j "$fp" "d['p99_us']") | $(j "$fn" "d['errors']") / $(j "$fp" "d['errors']") | CPU share of one core: nginx $(share "$fn") %, plight $(share "$fp") % |")

plight_rss=$(( $(rss_kib "$plight_pid") / 1024 ))
nginx_rss=$(( $(rss_kib "$nginx_worker") / 1024 ))

echo "CLI start-up ..." >&2
"$here/cli-startup.sh" "$cli_runs" > "$out/cli-startup.txt" 2>&1 || true
cli=$(awk '/^  disable/ {print $2 " ms = " $5 " x"}' "$out/cli-startup.txt")
hello=$(awk '/^  hello/ {print $2 " ms"}' "$out/cli-startup.txt")

{
  echo "# plight vs nginx: the benchmark matrix"
  echo
  echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), load average before the CLI runs: $(cut -d' ' -f1-3 /proc/loadavg)."
  echo "Servers on CPU $server_cpu, load generators on CPU $load_cpu; $duration per cell ($connections connections, wrk -t1, plight-bench --threads 1; plight-bench: 2 rounds A B A B, medians); fleet $fleet_duration after $fleet_warmup warm-up; CPU per request from /proc/PID/stat (plight: the whole JVM; nginx: worker, plus master for wrk)."
  echo
  echo "| scenario | measured by | nginx req/s | plight req/s | plight / nginx | nginx CPU µs/req | plight CPU µs/req | p99 µs nginx / plight | errors | notes |"
  echo "|---|---|---:|---:|---:|---:|---:|---|---:|---|"
  printf '%s\n' "${rows[@]}"
  echo
  echo "RSS after the load: plight $plight_rss MiB (whole JVM, as shipped), nginx worker $nginx_rss MiB."
  echo
  echo "CLI start-up (\`plight disable\` with the daemon running, hyperfine, $cli_runs runs): ${cli:-see cli-startup.txt} of \`java Hello\` (${hello:-?})."
  echo
  echo "Plots: latency percentiles, one curve per target: [keepalive](keepalive.svg), [close](close.svg),"
  echo "[pipeline](pipeline.svg); flip: [percentiles](flip.svg), [timeline](flip-timeline.svg); fleet on plight:"
  echo "[percentiles](fleet.svg), [timeline](fleet-timeline.svg); fleet on nginx: [percentiles](fleet-nginx.svg),"
  echo "[timeline](fleet-nginx-timeline.svg)."
} > "$out/matrix.md"
cat "$out/matrix.md"

if [ "$out" = "$root/bench/matrix" ] && grep -q '^<!-- matrix -->$' "$root/BENCHMARKS.md"; then
  # the table, its heading dropped and its links made relative to the repository root, between the markers
  python3 - "$root/BENCHMARKS.md" "$out/matrix.md" <<'PY'
import re, sys
doc, table = open(sys.argv[1]).read(), open(sys.argv[2]).read()
body = re.sub(r"\]\((?!http)", "](bench/matrix/", table.split("\n", 2)[2].strip())
start, end = doc.index("<!-- matrix -->\n") + len("<!-- matrix -->\n"), doc.index("<!-- /matrix -->")
open(sys.argv[1], "w").write(doc[:start] + body + "\n" + doc[end:])
PY
  echo "updated BENCHMARKS.md" >&2
fi
