#!/usr/bin/env python3
"""Hostile clients for bench/scripts/hostile.sh (RELIABILITY.md, "Hostile clients").

Usage: hostile.py slowloris HOST PORT N SECONDS   N connections that send a request head one header line per
                                                  second and never finish it; prints how long the server let
                                                  each live (min/median/max seconds) and how many it cut
       hostile.py control SOCKET RATE SECONDS     RATE control connections a second (greeting, "status", the
                                                  reply, close); prints how many completed, failed, were refused
       hostile.py metrics HOST PORT RATE SECONDS  RATE new connections a second, each "GET /metrics"; prints the same
       hostile.py grpc-check HOST PORT RATE SECONDS   RATE new HTTP/2 connections a second (prior knowledge), each one
                                                  gRPC Health/Check of the node; prints the same (answered = SERVING)
       hostile.py grpc-watch HOST PORT N W SECONDS    N HTTP/2 connections holding W Health/Watch calls each for
                                                  SECONDS; prints how many watches got their status, and how long that took
       hostile.py grpc-never-read HOST PORT N SECONDS N HTTP/2 connections (receive buffers 4 KiB) that send Check
                                                  calls as fast as the daemon takes them and never read; prints how
                                                  much each sent before the daemon stopped reading, and how many it closed
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


PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
SERVING = b"\x00\x00\x00\x00\x02\x08\x01"


def frame(kind, flags, stream, payload):
    return len(payload).to_bytes(3, "big") + bytes([kind, flags]) + stream.to_bytes(4, "big") + payload


def literal(name, value):  # HPACK literal without indexing, new name, no Huffman
    return b"\x00" + bytes([len(name)]) + name.encode() + bytes([len(value)]) + value.encode()


def grpc_call(method, stream):
    headers = (b"\x83\x86" + literal(":path", "/grpc.health.v1.Health/" + method) + literal(":authority", "lb")
               + literal("content-type", "application/grpc") + literal("te", "trailers"))
    return frame(1, 4, stream, headers) + frame(0, 1, stream, b"\x00\x00\x00\x00\x00")


def frames(data):
    """(type, flags, stream, payload) of each whole frame in data (after the server's first bytes)."""
    at = 0
    while at + 9 <= len(data):
        length = int.from_bytes(data[at:at + 3], "big")
        if at + 9 + length > len(data):
            return
        yield data[at + 3], data[at + 4], int.from_bytes(data[at + 5:at + 9], "big") & 0x7fffffff, data[at + 9:at + 9 + length]
        at += 9 + length


def check_answered(got):
    return any(t == 1 and f & 1 and s == 1 for t, f, s, _ in frames(got)) and SERVING in got


def grpc_watch(host, port, n, w, seconds):
    start = time.monotonic()
    conns = []
    request = PREFACE + frame(4, 0, 0, b"") + b"".join(grpc_call("Watch", 1 + 2 * i) for i in range(w))
    for _ in range(n):
        s = socket.create_connection((host, port))
        s.sendall(request)
        conns.append(s)
    told = 0
    for s in conns:
        s.settimeout(30)
        got = b""
        try:
            while sum(1 for t, _, _, p in frames(got) if t == 0 and p == SERVING) < w:
                chunk = s.recv(65536)
                if not chunk:
                    break
                got += chunk
        except OSError:
            pass
        told += sum(1 for t, _, _, p in frames(got) if t == 0 and p == SERVING)
    print(f"grpc watches: {n} connections x {w} watches, {told} told their status in "
          f"{time.monotonic() - start:.1f} s; held for {seconds} s", flush=True)
    time.sleep(seconds)
    for s in conns:
        s.close()


def grpc_never_read(host, port, n, seconds):
    if n == 0:
        return
    conns = []
    for _ in range(n):
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.connect((host, port))
        s.setblocking(False)
        s.send(PREFACE + frame(4, 0, 0, b""))
        conns.append([s, 1, 0, False])
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        for c in conns:
            if c[3]:
                continue
            batch = b"".join(grpc_call("Check", c[1] + 2 * i) for i in range(50))
            try:
                sent = c[0].send(batch)
            except BlockingIOError:
                sent = 0
            except OSError:
                c[3] = True
                continue
            c[2] += sent
            if sent == len(batch):
                c[1] += 100
        time.sleep(0.05)
    sent = sorted(c[2] for c in conns)
    print(f"grpc never-readers: {n} connections; sent before the daemon stopped reading: min {sent[0] // 1024} KiB, "
          f"median {sent[len(sent) // 2] // 1024} KiB, max {sent[-1] // 1024} KiB; {sum(c[3] for c in conns)} closed by it",
          flush=True)
    for c in conns:
        c[0].close()


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
elif mode == "grpc-check":
    host, port = sys.argv[2], int(sys.argv[3])
    hammer(lambda: socket.create_connection((host, port)), PREFACE + frame(4, 0, 0, b"") + grpc_call("Check", 1),
           check_answered, float(sys.argv[4]), float(sys.argv[5]))
elif mode == "grpc-watch":
    grpc_watch(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), float(sys.argv[6]))
elif mode == "grpc-never-read":
    grpc_never_read(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5]))
else:
    raise SystemExit(__doc__)
