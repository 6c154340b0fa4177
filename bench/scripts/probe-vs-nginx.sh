#!/usr/bin/env bash
# Probe path vs nginx: the shipped daemon (`bin/plight start`, its own JVM options, threads = 1, access log
# OFF) and a throwaway nginx answering `return 200 "OK\n"` (worker_processes 1, access_log off), measured
# with wrk in turns (A B A B ...). A second plight with the access log at INFO runs in the same turns, for
# the access log's cost. Prints a Markdown table of medians: requests/s, server CPU time per request
# (utime+stime of the whole server process from /proc/PID/stat over the run), and RSS after the load.
#
# Usage: bench/scripts/probe-vs-nginx.sh            (env: ROUNDS=3 DURATION=10s CONNECTIONS=64 NGINX_PORT=18080
#                                                    PLIGHT_PORT=18191 PLIGHT_LOG_PORT=18192
#                                                    SCENARIOS="keepalive close pipeline" SERVER_CPU=0 WRK_CPU=1)
#        B_DIST=DIR: the second plight is that distribution's bin/plight with the access log OFF instead of this
#        build with it at INFO, for a before/after comparison of two builds (its columns are then that build's);
#        with ACCESS=INFO both plights log every request (the access log's own cost, before/after).
# Needs: nginx and wrk (Debian packages), and the distribution: mvn -B -DskipTests package.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=servers.sh
. "$here/servers.sh"
rounds=${ROUNDS:-3}
duration=${DURATION:-10s}
connections=${CONNECTIONS:-64}
nginx_port=${NGINX_PORT:-18080}
plight_port=${PLIGHT_PORT:-18191}
plight_log_port=${PLIGHT_LOG_PORT:-18192}
scenarios=${SCENARIOS:-keepalive close pipeline}
# Both servers on one CPU and wrk on another, so that neither server gets a core the other did not.
server_cpu=${SERVER_CPU:-0}
wrk_cpu=${WRK_CPU:-1}
plight="$root/packaging/target/plight/bin/plight"
hz=$(getconf CLK_TCK)

[ -x "$plight" ] || { echo "missing $plight: run mvn -B -DskipTests package first" >&2; exit 1; }
need nginx wrk java taskset
for port in "$nginx_port" "$plight_port" "$plight_log_port"; do port_free "$port"; done
work_dir probe-vs-nginx

nginx_conf "$nginx_port"
taskset -c "$server_cpu" nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" &
nginx_master=$!
pids+=("$nginx_master")

first_level=OFF
second=$plight
second_level=INFO
if [ -n "${B_DIST:-}" ]; then second=$B_DIST/bin/plight; first_level=${ACCESS:-OFF}; second_level=$first_level; fi
plight_conf plight "$plight_port" "$first_level"
plight_conf plight-log "$plight_log_port" "$second_level"
taskset -c "$server_cpu" "$plight" -c "$work/plight/plight.conf" start > "$work/plight/out.txt" 2>&1 &
plight_pid=$!
pids+=("$plight_pid")
taskset -c "$server_cpu" "$second" -c "$work/plight-log/plight.conf" start > "$work/plight-log/out.txt" 2>&1 &
plight_log_pid=$!
pids+=("$plight_log_pid")

wait_port "$nginx_port"
wait_port "$plight_port"
wait_port "$plight_log_port"
nginx_worker=$(pgrep -P "$nginx_master" | head -1)

url_of() {
  case "$1" in
    nginx) echo "http://127.0.0.1:$nginx_port/" ;;
    plight) echo "http://127.0.0.1:$plight_port/" ;;
    plight-log) echo "http://127.0.0.1:$plight_log_port/" ;;
  esac
}
pids_of() {
  case "$1" in
    nginx) echo "$nginx_master $nginx_worker" ;;
    plight) echo "$plight_pid" ;;
    plight-log) echo "$plight_log_pid" ;;
  esac
}
# wrk for one scenario: run_wrk SCENARIO URL DURATION
run_wrk() {
  case "$1" in
    keepalive) taskset -c "$wrk_cpu" wrk -t1 -c"$connections" -d"$3" "$2" ;;
    close) taskset -c "$wrk_cpu" wrk -t1 -c"$connections" -d"$3" -H "Connection: close" "$2" ;;
    pipeline) taskset -c "$wrk_cpu" wrk -t1 -c"$connections" -d"$3" -s "$here/pipeline.lua" "$2" ;;
  esac
}

# One wrk run: prints "requests_per_second cpu_microseconds_per_request".
run() {
  local scenario=$1 target=$2 before after out rps requests
  # shellcheck disable=SC2046
  before=$(ticks $(pids_of "$target"))
  out=$(run_wrk "$scenario" "$(url_of "$target")" "$duration")
  # shellcheck disable=SC2046
  after=$(ticks $(pids_of "$target"))
  echo "$out" > "$work/last-wrk-$scenario-$target.txt"
  rps=$(echo "$out" | awk '/^Requests\/sec:/ {print $2}')
  requests=$(echo "$out" | awk '/requests in/ {print $1}')
  if echo "$out" | grep -q "Non-2xx\|Socket errors"; then
    echo "$target $scenario: $(echo "$out" | grep -E 'Non-2xx|Socket errors')" >&2
  fi
  awk -v r="$rps" -v t=$((after - before)) -v n="$requests" -v hz="$hz" \
    'BEGIN { printf "%s %.2f\n", r, (t / hz) * 1e6 / n }'
}

# The JIT compiles the hot paths during the first seconds of load; a daemon runs for months, so that
# one-time cost is kept out of the measured runs.
echo "warming up ..." >&2
for scenario in $scenarios; do
  run_wrk "$scenario" "$(url_of plight)" 10s > /dev/null
  run_wrk "$scenario" "$(url_of plight-log)" 10s > /dev/null
  run_wrk "$scenario" "$(url_of nginx)" 2s > /dev/null
done

declare -A results
for scenario in $scenarios; do
  for round in $(seq 1 "$rounds"); do
    for target in nginx plight plight-log; do
      result=$(run "$scenario" "$target")
      echo "$scenario round $round $target: $result" >&2
      results[$scenario.$target.rps]+="${result% *}"$'\n'
      results[$scenario.$target.cpu]+="${result#* }"$'\n'
    done
  done
done

echo
echo "| scenario | nginx req/s | plight req/s | plight / nginx | nginx CPU µs/req | plight CPU µs/req | access log INFO req/s | INFO / OFF req/s | INFO CPU µs/req |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
for scenario in $scenarios; do
  read -r n_rps n_cpu p_rps p_cpu l_rps l_cpu <<< "$(medians "$scenario".{nginx,plight,plight-log}.{rps,cpu})"
  awk -v s="$scenario" -v nr="$n_rps" -v pr="$p_rps" -v lr="$l_rps" -v nc="$n_cpu" -v pc="$p_cpu" -v lc="$l_cpu" \
    'BEGIN { printf "| %s | %.0f | %.0f | %.2f | %.2f | %.2f | %.0f | %.2f | %.2f |\n", s, nr, pr, pr / nr, nc, pc, lr, lr / pr, lc }'
done
echo
echo "load average during the runs: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs"
java_pid() { pgrep -P "$1" java || echo "$1"; }
echo "RSS after load: plight $(( $(rss_kib "$(java_pid "$plight_pid")") / 1024 )) MiB (whole JVM, as shipped)," \
  "plight with access log $(( $(rss_kib "$(java_pid "$plight_log_pid")") / 1024 )) MiB, nginx worker $(( $(rss_kib "$nginx_worker") / 1024 )) MiB"
