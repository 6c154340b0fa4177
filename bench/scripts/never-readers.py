#!/usr/bin/env python3
"""Clients that pipeline requests as fast as the server takes them and never read an answer.

Usage: never-readers.py HOST PORT CLIENTS SECONDS   (env: SNDBUF=bytes to cap each client's send buffer)
Prints one line: clients, bytes written into their sockets, clients the server closed.
"""
import os
import selectors
import socket
import sys
import time

host, port, clients, seconds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
sndbuf = int(os.environ.get("SNDBUF", "0"))
batch = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n" * 200
selector = selectors.DefaultSelector()
sockets = []
for _ in range(clients):
    s = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    if sndbuf:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, sndbuf)
    s.connect((host, port))
    s.setblocking(False)
    selector.register(s, selectors.EVENT_WRITE)
    sockets.append(s)
sent = 0
closed = 0
end = time.time() + seconds
while time.time() < end:
    for key, _ in selector.select(timeout=0.2):
        try:
            sent += key.fileobj.send(batch)
        except BlockingIOError:
            pass
        except OSError:
            selector.unregister(key.fileobj)
            closed += 1
print(f"never-readers: {clients} clients wrote {sent} bytes of requests (most wait in their own send buffers), "
      f"{closed} closed by the server", flush=True)
for s in sockets:
    s.close()
