#!/usr/bin/env python3
"""CLI start-up, before vs after a change: two unpacked distributions, run alternately (B A A B ...) so that
load from other processes falls on both alike; medians of wall time and of user+system CPU.
Usage: bench/scripts/cli-ab.py RUNS CONF BEFORE/bin/plight AFTER/bin/plight COMMAND...
(each distribution's lib/plight-cli.jsa made first, e.g. by one 'status' run; start a daemon for 'status'/'disable')"""
import os, statistics, sys, time

runs, conf = int(sys.argv[1]), sys.argv[2]
pairs = [("before", sys.argv[3]), ("after", sys.argv[4])]
commands = sys.argv[5:]
warmup = 3
devnull = os.open(os.devnull, os.O_WRONLY)
results = {}
for i in range(warmup + runs):
    for command in commands:
        for name, plight in (pairs if i % 2 == 0 else pairs[::-1]):
            start = time.perf_counter()
            pid = os.fork()
            if pid == 0:
                os.dup2(devnull, 1)
                os.dup2(devnull, 2)
                os.execv(plight, [plight, "-c", conf] + command.split())
            _, _, usage = os.wait4(pid, 0)
            wall = time.perf_counter() - start
            if i >= warmup:
                results.setdefault((command, name), []).append((wall * 1000, (usage.ru_utime + usage.ru_stime) * 1000))
for command in commands:
    for name, _ in pairs:
        r = results[(command, name)]
        print(f"{command:12s} {name:7s} wall median {statistics.median(x[0] for x in r):6.1f} ms"
              f"   cpu median {statistics.median(x[1] for x in r):6.1f} ms")
