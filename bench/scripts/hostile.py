#!/usr/bin/env python3
"""Hostile clients for bench/scripts/hostile.sh (RELIABILITY.md, "Hostile clients").

Usage: hostile.py slowloris HOST PORT N SECONDS   N connections that send a request head one header line per
                                                  second and never finish it; prints how long the server let
                                                  each live (min/median/max seconds) and how many it cut
       hostile.py control SOCKET RATE SECONDS     RATE control connections a second (greeting, "status", the
                                                  reply, close); prints how many completed, failed, were refused
       hostile.py metrics HOST PORT RATE SECONDS  RATE new connections a second, each "GET /metrics"; prints the same
"""
import selectors
import socket
import statistics
import sys
import time


def slowloris(host, port, n, seconds):
    sel = selectors.DefaultSelector()
    born = {}
    for _ in range(n):
        s = socket.create_connection((host, port))
        s.setblocking(False)
        s.send(b"GET / HTTP/1.1\r\nHost: lb\r\n")
        born[s] = time.monotonic()
        sel.register(s, selectors.EVENT_READ)
    lived = []
    end = time.monotonic() + seconds
    next_trickle = time.monotonic() + 1
    while time.monotonic() < end and born:
        for key, _ in sel.select(timeout=0.05):
            s = key.fileobj
            try:
                data = s.recv(4096)
            except OSError:
                data = b""
            if data.startswith(b"HTTP/1.1 408") or not data:
                lived.append(time.monotonic() - born.pop(s))
                sel.unregister(s)
                s.close()
        if time.monotonic() >= next_trickle:
            next_trickle += 1
            for s in list(born):
                try:
                    s.send(b"X-Slow: 1\r\n")
                except OSError:
                    pass
    if lived:
        print(f"slowloris: {n} connections, {len(lived)} cut by the server after min {min(lived):.2f} s, "
              f"median {statistics.median(lived):.2f} s, max {max(lived):.2f} s; {len(born)} still open", flush=True)
    else:
        print(f"slowloris: {n} connections, none cut within {seconds} s", flush=True)
    for s in born:
        s.close()


def hammer(connect, request, done, rate, seconds):
    ok = failed = refused = 0
    start = time.monotonic()
    i = 0
    while True:
        due = start + i / rate
        now = time.monotonic()
        if due - start >= seconds:
            break
        if due > now:
            time.sleep(due - now)
        i += 1
        try:
            s = connect()
            s.settimeout(5)
            s.sendall(request)
            got = b""
            while not done(got):
                chunk = s.recv(65536)
                if not chunk:
                    break
                got += chunk
            s.close()
            if got.startswith(b"ERR busy"):
                refused += 1
            elif done(got):
                ok += 1
            else:
                failed += 1
        except OSError:
            failed += 1
    took = time.monotonic() - start
    print(f"{i} connections in {took:.1f} s ({i / took:.0f}/s): {ok} answered, {refused} refused (ERR busy), "
          f"{failed} failed", flush=True)


mode = sys.argv[1]
if mode == "slowloris":
    slowloris(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5]))
elif mode == "control":
    path = sys.argv[2]

    def connect_unix():
        s = socket.socket(socket.AF_UNIX)
        s.connect(path)
        return s
    hammer(connect_unix, b"status\n", lambda g: g.startswith(b"ERR busy") or b"\n\n" in g,
           float(sys.argv[3]), float(sys.argv[4]))
elif mode == "metrics":
    host, port = sys.argv[2], int(sys.argv[3])
    hammer(lambda: socket.create_connection((host, port)), b"GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
           lambda g: g.startswith(b"HTTP/1.1 ") and g.endswith(b"\n") and b"plight_build_info" in g,
           float(sys.argv[4]), float(sys.argv[5]))
else:
    raise SystemExit(__doc__)
