#!/usr/bin/env python3
"""Python Policy.decide from a plain dict of signals: the binding's cost per
decision next to the C decision alone, in the same run.

Three contenders, interleaved round by round (median of R rounds of N
decisions each, microseconds per decision, wall and CPU):

  dict      p.decide({name: value, ...}, now): the signals marshalled by
            Observations.update (one buffer of names, array-built values)
  prebuilt  p.decide(obs, now) with the observations already set: the C
            decision and the call, without marshalling
  per-name  obs.set(name, value) once per signal, then p.decide(obs, now):
            what a caller without the batched path pays

The policy is examples/policies/drift-retrain.json; the signals are its two
plus S - 2 others (S = 1,004 by default, as in bench/bench_policy.c).

usage: MLOPS_LIBRARY=build/test/src/libmlops.so.0 python3 bench/python_policy.py [N] [R] [S]
"""

from __future__ import annotations

import os
import statistics
import sys
import time

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "..", "bindings", "python"))

import libmlops as mlops  # noqa: E402

N = int(sys.argv[1]) if len(sys.argv) > 1 else 200
R = int(sys.argv[2]) if len(sys.argv) > 2 else 9
S = int(sys.argv[3]) if len(sys.argv) > 3 else 1004

p = mlops.Policy.from_file(os.path.join(here, "..", "examples", "policies", "drift-retrain.json"))
signals = {"psi.amount": 0.31, "psi.country": 0.02}
signals.update({f"psi.feature_{i:04d}": (i % 97) / 400 for i in range(S - 2)})
prebuilt = p.observations(signals)
per = p.observations()


def dict_path():
    p.decide(signals, 0)


def prebuilt_path():
    p.decide(prebuilt, 0)


def per_name_path():
    per.clear()
    for k, v in signals.items():
        per.set(k, v)
    p.decide(per, 0)


contenders = [("dict", dict_path), ("prebuilt", prebuilt_path), ("per-name", per_name_path)]
wall = {n: [] for n, _ in contenders}
cpu = {n: [] for n, _ in contenders}
for _ in range(R):
    for name, fn in contenders:
        w0, c0 = time.perf_counter(), time.process_time()
        for _ in range(N):
            fn()
        wall[name].append((time.perf_counter() - w0) / N * 1e6)
        cpu[name].append((time.process_time() - c0) / N * 1e6)

print(f"Python {sys.version.split()[0]}, libmlops {mlops.library_version()}, {S} signals, "
      f"{N} decisions x {R} rounds, load average {os.getloadavg()[0]:.2f}")
print("| path | µs per decision (wall, median) | µs CPU (median) |")
print("| --- | ---: | ---: |")
for name, _ in contenders:
    print(f"| {name} | {statistics.median(wall[name]):.1f} | {statistics.median(cpu[name]):.1f} |")
