#!/usr/bin/env bash
# System calls per 10,000 probes that each open a connection (issue 15): `strace -f -c` on nginx's worker
# and on each shipped daemon (`bin/plight start`, threads = 1, access log OFF) while bench/scripts/connections.py
# opens COUNT connections, one probe with `Connection: close` on each. Each server first takes WARM connections
# untraced (the JIT, Netty's lazy set-up). Prints one table: calls per 10,000 connections, per system call.
#
# Usage: bench/scripts/syscalls.sh   (env: COUNT=10000 WARM=3000 TARGETS="nginx plight-epoll plight-io_uring"
#          DIST=packaging/target/plight DIST_BEFORE=another distribution for the target plight-before)
# Targets as in transports.sh: plight-TRANSPORT, or plight-before (DIST_BEFORE, its defaults).
# Needs: nginx, strace, python3 and the distribution: mvn -B -DskipTests package.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=servers.sh
. "$here/servers.sh"
use_dist
count=${COUNT:-10000}
warm=${WARM:-3000}
targets=${TARGETS:-nginx plight-epoll plight-io_uring}

need nginx strace python3 java
work_dir plight-syscalls

port=${BASE_PORT:-19480}
for target in $targets; do
  port=$((port + 1))
  port_free "$port"
  case "$target" in
    nginx)
      nginx_conf "$port"
      nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" &
      pids+=($!)
      wait_port "$port"
      traced=$(pgrep -P "$!" | head -1)
      ;;
    plight*)
      bin="$dist/bin/plight"
      plight_conf "$target" "$port" OFF
      if [ "$target" = plight-before ]; then
        bin="${DIST_BEFORE:?DIST_BEFORE names the distribution of plight-before}/bin/plight"
      else
        sed -i "s/^threads = 1$/threads = 1\ntransport = ${target#plight-}/" "$work/$target/plight.conf"
      fi
      "$bin" -c "$work/$target/plight.conf" start > "$work/$target/out.txt" 2>&1 &
      pids+=($!)
      wait_port "$port"
      traced=$!
      ;;
  esac
  python3 "$here/connections.py" 127.0.0.1 "$port" "$warm" > /dev/null
  strace -f -c -o "$work/$target.strace" -p "$traced" 2> /dev/null &
  tracer=$!
  sleep 1 # strace attaches to every thread
  answered=$(python3 "$here/connections.py" 127.0.0.1 "$port" "$count")
  sleep 0.5
  kill -INT "$tracer"
  wait "$tracer" || true
  [ "$answered" = "$count" ] || echo "$target: only $answered of $count probes answered 200" >&2
done

# The table: one row per system call, one column per target, calls scaled to 10,000 connections.
python3 - "$count" "$work" $targets <<'PY'
import re, sys
count, work, targets = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
calls = {}
for t in targets:
    for line in open(f"{work}/{t}.strace"):
        m = re.match(r"\s*[\d.]+\s+[\d.]+\s+\d+\s+(\d+)\s+(\d+\s+)?(\w+)\s*$", line)
        if m and m.group(3) != "total":
            calls.setdefault(m.group(3), {})[t] = int(m.group(1)) * 10000 / count
total = {t: sum(c.get(t, 0) for c in calls.values()) for t in targets}
print("| system call (per 10,000 connections) | " + " | ".join(targets) + " |")
print("|---|" + "---:|" * len(targets))
for name in sorted(calls, key=lambda n: -max(calls[n].values())):
    if max(calls[name].values()) >= 50:
        print(f"| `{name}` | " + " | ".join(f"{calls[name].get(t, 0):.0f}" for t in targets) + " |")
print("| **all** | " + " | ".join(f"{total[t]:.0f}" for t in targets) + " |")
PY
