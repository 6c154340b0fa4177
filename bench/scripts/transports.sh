#!/usr/bin/env bash
# Server CPU per probe, plight's transports and event-loop counts against nginx (issue 15). Starts nginx
# (worker_processes 1, `return 200 "OK\n"`, access log off) and one shipped daemon (`bin/plight start`, access
# log OFF) per plight target, then loads each with wrk in turns (nginx, plight, plight-…, nginx, …) and prints,
# per scenario, the medians over ROUNDS: requests/s, server CPU per request (utime+stime of the whole server
# process from /proc/PID/stat over the run; nginx: master and workers), wrk's p99, and each target's CPU per
# request relative to nginx's in the same round (median of the per-round ratios).
#
# Usage: bench/scripts/transports.sh   (env: ROUNDS=5 DURATION=5s WARMUP=10s CONNECTIONS=64 PIN=1
#          SCENARIOS="keepalive close pipeline" TARGETS="nginx plight-epoll plight-io_uring"
#          DIST=packaging/target/plight DIST_BEFORE=another distribution for the target plight-before)
# A plight target is plight-TRANSPORT[-tN][-reuseport] (threads = N, default 1; -reuseport: one SO_REUSEPORT
# listener per event loop, in a build with bench/patches/reuseport.diff applied), or plight-before (DIST_BEFORE,
# its defaults); nginx-wN runs N workers. PIN=1: every server on CPU 0, wrk on CPU 1; PIN=0: nothing pinned, as on a node.
# Needs: nginx, wrk (Debian packages) and the distribution: mvn -B -DskipTests package.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=servers.sh
. "$here/servers.sh"
use_dist
rounds=${ROUNDS:-5}
duration=${DURATION:-5s}
warmup=${WARMUP:-10s}
connections=${CONNECTIONS:-64}
pin=${PIN:-1}
scenarios=${SCENARIOS:-keepalive close pipeline}
targets=${TARGETS:-nginx plight-epoll plight-io_uring}
hz=$(getconf CLK_TCK)

need nginx wrk java taskset
work_dir plight-transports

# Only in the background (cmd &): exec, so that $! is the server's own pid.
start_server() { if [ "$pin" = 1 ]; then exec taskset -c 0 "$@"; else exec "$@"; fi; }
on_load() { if [ "$pin" = 1 ]; then taskset -c 1 "$@"; else "$@"; fi; }

declare -A port_of pids_of
next_port=${BASE_PORT:-19380}
for target in $targets; do
  port=$next_port; next_port=$((next_port + 1))
  port_free "$port"
  port_of[$target]=$port
  case "$target" in
    nginx*)
      workers=1; [[ "$target" == *-w* ]] && workers=${target##*-w}
      nginx_conf "$port"
      [ "$target" = nginx ] || mv "$work/nginx" "$work/$target"
      sed -i "s#$work/nginx#$work/$target#g; s/^worker_processes 1;/worker_processes $workers;/" "$work/$target/nginx.conf"
      start_server nginx -p "$work/$target" -c "$work/$target/nginx.conf" &
      pids+=($!)
      master=$!
      wait_port "$port"
      pids_of[$target]="$master $(pgrep -P "$master" | tr '\n' ' ')"
      ;;
    plight*)
      bin="$dist/bin/plight"
      opts=
      plight_conf "$target" "$port" OFF
      if [ "$target" = plight-before ]; then
        bin="${DIST_BEFORE:?DIST_BEFORE names the distribution of plight-before}/bin/plight"
      else
        spec=${target#plight-}
        if [[ "$spec" == *-reuseport ]]; then spec=${spec%-reuseport}; opts=-Dplight.reusePort=true; fi
        threads=1; [[ "$spec" == *-t* ]] && threads=${spec##*-t}
        transport=${spec%-t*}
        sed -i "s/^threads = 1$/threads = $threads\ntransport = $transport/" "$work/$target/plight.conf"
      fi
      PLIGHT_JAVA_OPTS="${opts:-}" start_server "$bin" -c "$work/$target/plight.conf" start > "$work/$target/out.txt" 2>&1 &
      pids+=($!)
      pids_of[$target]=$!
      wait_port "$port"
      ;;
  esac
done

# run_wrk SCENARIO PORT DURATION
run_wrk() {
  local url="http://127.0.0.1:$2/"
  case "$1" in
    keepalive) on_load wrk -t1 -c"$connections" -d"$3" --latency "$url" ;;
    close) on_load wrk -t1 -c"$connections" -d"$3" --latency -H "Connection: close" "$url" ;;
    pipeline) on_load wrk -t1 -c"$connections" -d"$3" --latency -s "$here/pipeline.lua" "$url" ;;
  esac
}

# utime and stime (clock ticks) of the given processes together: "user system".
user_sys() {
  local u=0 s=0 pid stat
  for pid in "$@"; do
    stat=$(cat "/proc/$pid/stat")
    stat=${stat##*) }
    read -r _ _ _ _ _ _ _ _ _ _ _ a b _ <<< "$stat"
    u=$((u + a)); s=$((s + b))
  done
  echo "$u $s"
}

# One run: prints "requests_per_second cpu_µs_per_request p99_µs user_µs_per_request system_µs_per_request
# wrk_cores" (wrk's own user+system time over the run's wall time: near 1.0, the one wrk thread was the limit).
run() {
  local scenario=$1 target=$2 u0 s0 u1 s1 out wrk_time
  # shellcheck disable=SC2086
  read -r u0 s0 <<< "$(user_sys ${pids_of[$target]})"
  wrk_time=$(mktemp "$work/wrk-time.XXXXXX")
  out=$( { TIMEFORMAT='%R %U %S'; time run_wrk "$scenario" "${port_of[$target]}" "$duration"; } 2> "$wrk_time")
  # shellcheck disable=SC2086
  read -r u1 s1 <<< "$(user_sys ${pids_of[$target]})"
  if echo "$out" | grep -q "Non-2xx\|Socket errors"; then
    echo "$target $scenario: $(echo "$out" | grep -E 'Non-2xx|Socket errors')" >&2
  fi
  echo "$out" | awk -v u=$((u1 - u0)) -v s=$((s1 - s0)) -v hz="$hz" -v wrk="$(tail -1 "$wrk_time")" '
    /^Requests\/sec:/ { rps = $2 }
    /requests in/ { n = $1 }
    $1 == "99%" { v = $2; unit = v; sub(/[a-z]+$/, "", v); sub(/^[0-9.]+/, "", unit)
                  p99 = (unit == "us" ? v : unit == "ms" ? v * 1000 : v * 1e6) }
    END { split(wrk, t, " ")
          printf "%s %.2f %.0f %.2f %.2f %.2f\n", rps, ((u + s) / hz) * 1e6 / n, p99, (u / hz) * 1e6 / n, (s / hz) * 1e6 / n,
                 (t[2] + t[3]) / t[1] }'
}

echo "warming up ($warmup per plight, 2s per nginx) ..." >&2
for scenario in $scenarios; do
  for target in $targets; do
    case "$target" in nginx*) w=2s ;; *) w=$warmup ;; esac
    run_wrk "$scenario" "${port_of[$target]}" "$w" > /dev/null
  done
done

declare -A results
for scenario in $scenarios; do
  for round in $(seq 1 "$rounds"); do
    nginx_cpu=
    for target in $targets; do
      result=$(run "$scenario" "$target")
      read -r rps cpu p99 user sys wrk_cores <<< "$result"
      echo "$scenario round $round $target: $rps req/s, $cpu µs/req, p99 $p99 µs, user $user sys $sys µs/req, wrk $wrk_cores cores (load $(cut -d' ' -f1 /proc/loadavg))" >&2
      results[$scenario.$target.user]+="$user"$'\n'
      results[$scenario.$target.sys]+="$sys"$'\n'
      results[$scenario.$target.rps]+="$rps"$'\n'
      results[$scenario.$target.cpu]+="$cpu"$'\n'
      results[$scenario.$target.p99]+="$p99"$'\n'
      case "$target" in nginx) nginx_cpu=$cpu ;; esac
      if [ -n "$nginx_cpu" ]; then
        results[$scenario.$target.ratio]+="$(awk -v a="$cpu" -v b="$nginx_cpu" 'BEGIN { printf "%.3f", a / b }')"$'\n'
      fi
    done
  done
done

echo
echo "PIN=$pin, $rounds rounds of $duration, wrk -t1 -c$connections; load average at the end: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs"
echo
echo "| scenario | target | req/s | CPU µs/req | user / system µs/req | CPU / nginx's (per round) | p99 µs |"
echo "|---|---|---:|---:|---:|---:|---:|"
for scenario in $scenarios; do
  for target in $targets; do
    read -r rps cpu p99 user sys ratio <<< "$(medians "$scenario.$target".{rps,cpu,p99,user,sys,ratio})"
    ratios=$(printf '%s' "${results[$scenario.$target.ratio]:-}" | sort -g | paste -sd' ')
    awk -v s="$scenario" -v t="$target" -v r="$rps" -v c="$cpu" -v q="$ratio" -v qs="$ratios" -v p="$p99" -v u="$user" -v y="$sys" \
      'BEGIN { printf "| %s | %s | %.0f | %.2f | %.2f / %.2f | %s | %.0f |\n", s, t, r, c, u, y, (qs == "" ? "" : sprintf("%.2f (%s)", q, qs)), p }'
  done
done
