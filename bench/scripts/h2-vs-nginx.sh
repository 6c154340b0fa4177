#!/usr/bin/env bash
# HTTP/2 and gRPC health checks, plight vs its peers, in turns (A B A B ...): the shipped daemon
# (`bin/plight start`, its own JVM options, threads = 1, access log OFF) against
#  - a throwaway nginx speaking cleartext HTTP/2 (`listen ... http2;`, `return 200 "OK\n"`, worker_processes 1,
#    access_log off) for plain HTTP/2 GETs, and
#  - grpc-java's own health service (HealthStatusManager on grpc-netty, bench's test GrpcHealthServer) for
#    gRPC grpc.health.v1.Health/Check.
# Prints Markdown tables of medians: requests/s and server CPU time per request (utime+stime of the whole
# server process(es) from /proc/PID/stat over the run, divided by the requests answered in it).
#
# HTTP/2 scenarios (peers nginx and plight):
#   streams      h2load -c $H2_CLIENTS -m $H2_STREAMS -D $DURATION: many streams per connection, closed loop
#   conn-rate    h2load -r $CONN_RATE -c N -n N -m 1: a new connection per check (h2load spreads -n over the -c
#                connections; with -r, -c is the number of connections made, so -n = -c is one request each),
#                at a fixed rate for $DURATION seconds: both servers get the same load, CPU per request compares
#   conn-closed  plight-bench h2 --new-connection --connections $NEWCONN_PROBERS: a new connection per check,
#                closed loop, as fast as the server answers (h2load has no closed-loop mode for that)
# gRPC scenarios (peers grpc-java and plight):
#   grpc-streams plight-bench grpc --connections $H2_CLIENTS --streams $H2_STREAMS
#   grpc-conn    plight-bench grpc --new-connection --connections $NEWCONN_PROBERS (a Kubernetes gRPC probe's shape)
#   grpc-java    grpc-java's own client (bench's test GrpcCheckLoad): $H2_CLIENTS channels x $H2_STREAMS calls
#
# Usage: bench/scripts/h2-vs-nginx.sh
#   env: ROUNDS=3 DURATION=10 (seconds) SCENARIOS="streams conn-rate conn-closed"
#        GRPC_SCENARIOS="grpc-streams grpc-conn grpc-java" TARGETS="nginx plight" GRPC_TARGETS="grpc-java plight"
#        H2_CLIENTS=16 H2_STREAMS=32 CONN_RATE=2000 NEWCONN_PROBERS=16 NGINX_PORT=18080 PLIGHT_PORT=18191
#        GRPC_JAVA_PORT=18193 SERVER_CPU=0 LOAD_CPU=1 MVN_FLAGS=-o PLIGHT=packaging/target/plight/bin/plight
#   Leave plight out of TARGETS and GRPC_TARGETS to measure only the peers (no distribution needed then).
# Needs: nginx, h2load (Debian's nghttp2-client), java, taskset, mvn (bench's test classpath: plight-bench,
# grpc-java), and for plight the distribution: mvn -B -DskipTests package.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=servers.sh
. "$here/servers.sh"
rounds=${ROUNDS:-3}
duration=${DURATION:-10}
scenarios=${SCENARIOS:-streams conn-rate conn-closed}
grpc_scenarios=${GRPC_SCENARIOS:-grpc-streams grpc-conn grpc-java}
targets=${TARGETS:-nginx plight}
grpc_targets=${GRPC_TARGETS:-grpc-java plight}
clients=${H2_CLIENTS:-16}
streams=${H2_STREAMS:-32}
conn_rate=${CONN_RATE:-2000}
probers=${NEWCONN_PROBERS:-16}
nginx_port=${NGINX_PORT:-18080}
plight_port=${PLIGHT_PORT:-18191}
grpc_java_port=${GRPC_JAVA_PORT:-18193}
# The servers on one CPU and the load on the other, so that no server gets a core another did not.
server_cpu=${SERVER_CPU:-0}
load_cpu=${LOAD_CPU:-1}
plight=${PLIGHT:-$root/packaging/target/plight/bin/plight}
hz=$(getconf CLK_TCK)

need nginx h2load java taskset mvn
case " $targets $grpc_targets " in
  *" plight "*) [ -x "$plight" ] || { echo "missing $plight: run mvn -B -DskipTests package first" >&2; exit 1; } ;;
esac
for port in "$nginx_port" "$plight_port" "$grpc_java_port"; do port_free "$port"; done
work_dir h2-vs-nginx

# plight-bench, GrpcHealthServer and GrpcCheckLoad from bench's build, with its test classpath (grpc-java).
# shellcheck disable=SC2086
(cd "$root" && mvn -B -q -Dstyle.color=never ${MVN_FLAGS:-} -pl bench -am test-compile dependency:build-classpath \
  -Dmdep.includeScope=test -Dmdep.outputFile="$work/classpath.txt" > "$work/mvn.txt" 2>&1) \
  || { cat "$work/mvn.txt" >&2; exit 1; }
cp="$root/bench/target/classes:$root/bench/target/test-classes:$(cat "$work/classpath.txt")"
bench_java() { taskset -c "$load_cpu" java -cp "$cp" "$@"; }

nginx_conf "$nginx_port" http2
taskset -c "$server_cpu" nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" &
nginx_master=$!
pids+=("$nginx_master")
wait_port "$nginx_port"
nginx_worker=$(pgrep -P "$nginx_master" | head -1)

case " $targets $grpc_targets " in
  *" plight "*)
    plight_conf plight "$plight_port" OFF
    taskset -c "$server_cpu" "$plight" -c "$work/plight/plight.conf" start > "$work/plight/out.txt" 2>&1 &
    plight_pid=$!
    pids+=("$plight_pid")
    wait_port "$plight_port"
    ;;
esac
case " $grpc_targets " in
  *" grpc-java "*)
    taskset -c "$server_cpu" java -cp "$cp" plight.bench.GrpcHealthServer "$grpc_java_port" > "$work/grpc-java.txt" 2>&1 &
    grpc_java_pid=$!
    pids+=("$grpc_java_pid")
    wait_port "$grpc_java_port"
    ;;
esac

port_of() {
  case "$1" in
    nginx) echo "$nginx_port" ;;
    plight) echo "$plight_port" ;;
    grpc-java) echo "$grpc_java_port" ;;
  esac
}
pids_of() {
  case "$1" in
    nginx) echo "$nginx_master $nginx_worker" ;;
    plight) echo "$plight_pid" ;;
    grpc-java) echo "$grpc_java_pid" ;;
  esac
}

# One load run against one target for SECONDS; prints the number of requests answered and the seconds they
# took, and stops the script when there were failed requests or errors.
load() {
  local scenario=$1 target=$2 seconds=$3 url out
  url="http://127.0.0.1:$(port_of "$target")/"
  case "$scenario" in
    streams)
      out=$(taskset -c "$load_cpu" h2load -c "$clients" -m "$streams" -D "$seconds" "$url")
      h2load_requests "$out" "$scenario" "$target" ;;
    conn-rate)
      local n=$((conn_rate * seconds))
      # $conn_rate / 100 connections every 10 ms rather than all of a second's at once
      out=$(taskset -c "$load_cpu" h2load -r $((conn_rate / 100)) --rate-period 10ms -c "$n" -n "$n" -m 1 "$url")
      h2load_requests "$out" "$scenario" "$target" ;;
    conn-closed) bench_run h2 "$target" "$seconds" --new-connection --connections "$probers" ;;
    grpc-streams) bench_run grpc "$target" "$seconds" --connections "$clients" --streams "$streams" ;;
    grpc-conn) bench_run grpc "$target" "$seconds" --new-connection --connections "$probers" ;;
    grpc-java)
      out=$(bench_java plight.bench.GrpcCheckLoad 127.0.0.1 "$(port_of "$target")" "$clients" "$streams" "$seconds" 0)
      echo "$out" > "$work/last-$scenario-$target.txt"
      if [ "$(echo "$out" | awk '{print $4}')" != 0 ]; then echo "$target $scenario: $out" >&2; exit 1; fi
      echo "$out" | awk -v d="$seconds" '{print $2, d}' ;;
  esac
}

# h2load's "requests: N total, N started, N done, N succeeded, N failed, N errored, N timeout" line.
h2load_requests() {
  echo "$1" > "$work/last-$2-$3.txt"
  local line
  # here-strings, not echo | grep -q: grep -q stops reading at the match, and pipefail would count echo's SIGPIPE
  line=$(grep '^requests:' <<< "$1")
  if ! grep -q ' 0 failed, 0 errored' <<< "$line"; then echo "$3 $2: $line" >&2; exit 1; fi
  if ! grep -q '^status codes: [0-9]* 2xx, 0 3xx, 0 4xx, 0 5xx' <<< "$1"; then
    echo "$3 $2: $(grep '^status codes:' <<< "$1")" >&2; exit 1
  fi
  # "finished in 10.00s, ..." (h2load's own clock: conn-rate takes longer when the server falls behind)
  echo "$(echo "$line" | sed -E 's/.* ([0-9]+) succeeded.*/\1/') $(echo "$1" | sed -nE 's/^finished in ([0-9.]+)s,.*/\1/p')"
}

# plight-bench for SECONDS, no warmup (the warm-up phase below has done that): prints its requests answered.
bench_run() {
  local scenario=$1 target=$2 seconds=$3 json
  shift 3
  json="$work/last-$scenario-$target.json"
  bench_java plight.bench.BenchMain "$scenario" --url "http://127.0.0.1:$(port_of "$target")/" --threads 1 \
    --duration "${seconds}s" --warmup 0 --json "$json" "$@" > "$work/last-$scenario-$target.txt" 2>&1
  if ! grep -q '"errors":0,' "$json"; then
    echo "$target $scenario: $(grep -o '"error_kinds":{[^}]*}' "$json" || cat "$work/last-$scenario-$target.txt")" >&2
    exit 1
  fi
  echo "$(grep -o '"requests":[0-9]*' "$json" | head -1 | cut -d: -f2) $seconds"
}

# One measured run: prints "requests_per_second cpu_microseconds_per_request".
run() {
  local scenario=$1 target=$2 before after answered
  # shellcheck disable=SC2046
  before=$(ticks $(pids_of "$target"))
  answered=$(load "$scenario" "$target" "$duration")
  # shellcheck disable=SC2046
  after=$(ticks $(pids_of "$target"))
  # requests/s over the load's own duration; CPU over the whole run (connection set-up included) per request
  awk -v n="${answered% *}" -v d="${answered#* }" -v t=$((after - before)) -v hz="$hz" \
    'BEGIN { printf "%.1f %.2f\n", n / d, (t / hz) * 1e6 / n }'
}

# The JIT compiles the hot paths during the first seconds of load; a daemon runs for months, so that
# one-time cost is kept out of the measured runs (nginx and grpc-java get the same warm-up).
echo "warming up ..." >&2
for scenario in $scenarios; do for target in $targets; do load "$scenario" "$target" 5 > /dev/null; done; done
for scenario in $grpc_scenarios; do for target in $grpc_targets; do load "$scenario" "$target" 5 > /dev/null; done; done

declare -A results
measure() {
  local scenario=$1 round=$2 target result
  shift 2
  for target in "$@"; do
    result=$(run "$scenario" "$target")
    echo "$scenario round $round $target: $result" >&2
    results[$scenario.$target.rps]+="${result% *}"$'\n'
    results[$scenario.$target.cpu]+="${result#* }"$'\n'
  done
}
for round in $(seq 1 "$rounds"); do
  # shellcheck disable=SC2086
  for scenario in $scenarios; do measure "$scenario" "$round" $targets; done
  # shellcheck disable=SC2086
  for scenario in $grpc_scenarios; do measure "$scenario" "$round" $grpc_targets; done
done

# table PEER SCENARIOS...: medians, and plight / PEER when plight ran.
table() {
  local peer=$1 scenario p_rps p_cpu n_rps n_cpu
  shift
  echo
  echo "| scenario | $peer req/s | plight req/s | plight / $peer | $peer CPU µs/req | plight CPU µs/req | plight / $peer CPU |"
  echo "|---|---:|---:|---:|---:|---:|---:|"
  for scenario in "$@"; do
    n_rps=$(printf '%s' "${results[$scenario.$peer.rps]:-}" | median)
    n_cpu=$(printf '%s' "${results[$scenario.$peer.cpu]:-}" | median)
    p_rps=$(printf '%s' "${results[$scenario.plight.rps]:-}" | median)
    p_cpu=$(printf '%s' "${results[$scenario.plight.cpu]:-}" | median)
    awk -v s="$scenario" -v nr="${n_rps:-0}" -v pr="${p_rps:-0}" -v nc="${n_cpu:-0}" -v pc="${p_cpu:-0}" '
      function r(a, b) { return (a > 0 && b > 0) ? sprintf("%.2f", a / b) : "-" }
      function v(x, f) { return x > 0 ? sprintf(f, x) : "-" }
      BEGIN { printf "| %s | %s | %s | %s | %s | %s | %s |\n", s, v(nr, "%.0f"), v(pr, "%.0f"), r(pr, nr),
              v(nc, "%.2f"), v(pc, "%.2f"), r(pc, nc) }'
  done
}
# shellcheck disable=SC2086
table nginx $scenarios
# shellcheck disable=SC2086
table grpc-java $grpc_scenarios
echo
echo "load average after the runs: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) CPUs; $rounds rounds of ${duration}s;" \
  "h2load -c $clients -m $streams, -r $conn_rate; plight-bench --new-connection --connections $probers"
