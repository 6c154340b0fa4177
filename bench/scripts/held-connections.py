#!/usr/bin/env python3
"""Connections to a probe port, for the footprint measurements (bench/scripts/footprint.sh).

Usage: held-connections.py churn HOST PORT N          N connections, each: one GET, read the answer, close
       held-connections.py hold HOST PORT STEP... N    opens keep-alive connections (one GET each, answer read) up to each
                                                  STEP, prints "held STEP" and waits for a line on stdin before the next;
                                                  exits (closing all) after N
"""
import socket
import sys

GET = b"GET / HTTP/1.1\r\nHost: lb\r\n\r\n"


def one(host, port):
    s = socket.create_connection((host, port), timeout=10)
    s.sendall(GET)
    got = b""
    while b"\r\n\r\n" not in got or not got.endswith(b"\n"):
        chunk = s.recv(4096)
        if not chunk:
            raise SystemExit("connection closed before the answer")
        got += chunk
    if not got.startswith(b"HTTP/1.1 200"):
        raise SystemExit("unexpected answer: %r" % got[:40])
    return s


mode, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
if mode == "churn":
    for _ in range(int(sys.argv[4])):
        one(host, port).close()
    print("churned", sys.argv[4], flush=True)
elif mode == "hold":
    held = []
    for step in (int(a) for a in sys.argv[4:]):
        while len(held) < step:
            held.append(one(host, port))
        print("held", step, flush=True)
        sys.stdin.readline()
else:
    raise SystemExit(__doc__)
