#!/usr/bin/env bash
# CLI start-up: a state change through the running daemon vs a bare JVM hello-world, in one hyperfine run.
# Usage: bench/scripts/cli-startup.sh [RUNS]   (after mvn -B -DskipTests package; needs hyperfine)
set -euo pipefail
runs=${1:-40}
top=$(cd "$(dirname "$0")/../.." && pwd)
plight="$top/packaging/target/plight/bin/plight"
work=$(mktemp -d)
trap 'kill "$daemon" 2>/dev/null || true; wait "$daemon" 2>/dev/null || true; rm -rf "$work"' EXIT

cat > "$work/Hello.java" <<'JAVA'
public class Hello { public static void main(String[] a) { System.out.println("hello"); } }
JAVA
javac -d "$work" "$work/Hello.java"

cat > "$work/plight.conf" <<CONF
[webserver]
host = 127.0.0.1
port = 0
loglevel = OFF
[logging]
logfile = $work/plight.log
[control]
socket = $work/control.sock
[daemon]
pidfile = $work/plight.pid
[priorities]
states = enabled,disabled,offline
[enabled]
code = 200
message = OK
[disabled]
file = $work/node_disabled
code = 404
message = node is unavailable
[offline]
file = $work/node_offline
code = 503
message = node is offline
CONF
"$plight" -c "$work/plight.conf" start > "$work/daemon.out" 2>&1 &
daemon=$!
for _ in $(seq 100); do [ -S "$work/control.sock" ] && break; sleep 0.1; done
"$plight" -c "$work/plight.conf" disable   # first run makes the class-data-sharing archive if lib/ is writable
"$plight" -c "$work/plight.conf" enable

hyperfine -N --warmup 5 --runs "$runs" --export-json "$work/cli.json" \
    "java -cp $work Hello" \
    "$plight -c $work/plight.conf disable" \
    "$plight -c $work/plight.conf enable" \
    "$plight -c $work/plight.conf status"
python3 - "$work/cli.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
base = r[0]
print("\nratio to the JVM hello-world (mean wall time; user+system CPU):")
for x in r[1:]:
    cpu = x["user"] + x["system"]; bcpu = base["user"] + base["system"]
    print(f'  {x["command"].split()[-1]:8s} {x["mean"]*1000:6.1f} ms = {x["mean"]/base["mean"]:.2f} x   cpu {cpu*1000:6.1f} ms = {cpu/bcpu:.2f} x')
print(f'  hello    {base["mean"]*1000:6.1f} ms             cpu {(base["user"]+base["system"])*1000:6.1f} ms')
PY
