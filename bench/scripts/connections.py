#!/usr/bin/env python3
"""Opens COUNT connections to HOST:PORT one after another (CONCURRENCY at a time), each sending one probe
with `Connection: close` and reading the answer to the server's close, as HAProxy's, F5's and Kubernetes'
checks do. Prints the number of 200 answers.

Usage: connections.py HOST PORT COUNT [CONCURRENCY]   (default concurrency 4)
"""
import socket
import sys
import threading

host, port, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
concurrency = int(sys.argv[4]) if len(sys.argv) > 4 else 4
request = b"GET / HTTP/1.1\r\nHost: lb\r\nConnection: close\r\n\r\n"
ok = [0] * concurrency


def worker(index, n):
    for _ in range(n):
        with socket.create_connection((host, port)) as s:
            s.sendall(request)
            answer = b""
            while True:
                chunk = s.recv(4096)
                if not chunk:
                    break
                answer += chunk
            if answer.startswith(b"HTTP/1.1 200"):
                ok[index] += 1


threads = [threading.Thread(target=worker, args=(i, count // concurrency + (1 if i < count % concurrency else 0)))
           for i in range(concurrency)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(sum(ok))
