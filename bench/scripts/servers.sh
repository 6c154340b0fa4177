# Shared by the scripts in this folder (source it): the two servers under comparison, started the same
# way every time, and how their CPU time and memory are read. Call work_dir first: the rest writes into $work.
# shellcheck shell=bash

# The checkout's root, for the scripts that source this file.
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

# need TOOL...: stops with the first one that is not on the PATH.
need() {
  local tool
  for tool in "$@"; do
    command -v "$tool" >/dev/null || { echo "missing: $tool" >&2; exit 1; }
  done
}

# use_dist: sets $dist to $DIST, or else the distribution `mvn package` builds; stops when it is not built.
use_dist() {
  dist=${DIST:-$root/packaging/target/plight}
  [ -x "$dist/bin/plight" ] || { echo "missing $dist/bin/plight: run mvn -B -DskipTests package first" >&2; exit 1; }
}

# work_dir NAME: a new temp dir as $work; on exit the processes in $pids are killed and $work is removed.
work_dir() {
  work=$(mktemp -d "/tmp/$1.XXXXXX")
  pids=()
  trap cleanup EXIT
}

cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}

# nginx_conf PORT [LISTEN_PARAMS]: a throwaway nginx answering `return 200 "OK\n"` under $work/nginx;
# nginx_conf PORT http2 speaks cleartext HTTP/2 by prior knowledge instead (nginx 1.22's `listen ... http2`).
nginx_conf() {
  mkdir -p "$work/nginx/logs"
  cat > "$work/nginx/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/logs/error.log;
events { worker_connections 4096; }
http {
  access_log off;
  # Not a default: without it nginx closes every keep-alive connection after 1000 requests (HTTP/2: GOAWAY
  # after 1000 streams) and the client has to reconnect. Raising it only makes nginx faster, so the
  # comparison is stricter for plight.
  keepalive_requests 100000000;
  server {
    listen 127.0.0.1:$1${2:+ $2};
    location / { return 200 "OK\n"; }
  }
}
CONF
}

# plight_conf NAME PORT ACCESS_LOGLEVEL: a config for one plight instance under $work/NAME.
plight_conf() {
  mkdir -p "$work/$1"
  cat > "$work/$1/plight.conf" <<CONF
[webserver]
host = 127.0.0.1
port = $2
threads = 1
logfile = $work/$1/access.log
loglevel = $3
[logging]
logfile = $work/$1/plight.log
[control]
socket = $work/$1/control.sock
[daemon]
pidfile = $work/$1/plight.pid
[priorities]
states = enabled,disabled
[enabled]
code = 200
message = OK
[disabled]
file = $work/$1/node_disabled
code = 404
CONF
}

wait_port() {
  for _ in $(seq 1 100); do
    if ss -ltn "sport = :$1" | grep -q LISTEN; then return 0; fi
    sleep 0.1
  done
  echo "nothing listens on $1" >&2; exit 1
}

port_free() {
  if ss -ltn "sport = :$1" | grep -q LISTEN; then echo "port $1 is in use" >&2; exit 1; fi
}

# CPU ticks (utime + stime) of the given processes together.
ticks() {
  local total=0 pid
  for pid in "$@"; do
    local stat
    stat=$(cat "/proc/$pid/stat")
    stat=${stat##*) }
    # fields after "(comm) ": state is $1, utime is $12, stime is $13
    total=$(( total + $(echo "$stat" | awk '{print $12 + $13}') ))
  done
  echo "$total"
}

rss_kib() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }

median() { sort -g | awk '{a[NR] = $1} END { if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

# medians KEY...: the median of each ${results[KEY]} (numbers a line, as the rounds appended them), on one line.
medians() {
  local key line=()
  for key in "$@"; do line+=("$(printf '%s' "${results[$key]:-}" | median)"); done
  echo "${line[*]}"
}
