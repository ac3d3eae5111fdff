#!/usr/bin/env python3
"""Side-by-side: libmlops manifest parse + validate + canonical write against
Python's json.loads on the same bytes, in one run.

Usage: python3 bench/manifest_compare.py BUILD_DIR [-n FILES] [-r REPS] [--rounds K]

Each round runs build/bench/bench_manifest (REPS timed repetitions, median)
and then json.loads on the bytes it wrote (REPS repetitions, median),
alternating so both sides see the same machine load. Prints per-round
medians, the median over rounds and the ratio.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time


def run_c(binary, files, reps, out):
    res = subprocess.run([binary, "-n", str(files), "-r", str(reps), "-o", out],
                         check=True, capture_output=True, text=True)
    return dict(line.split(None, 1) for line in res.stdout.strip().splitlines())


def run_py(path, reps):
    with open(path, "rb") as f:
        data = f.read()
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        json.loads(data)
        times.append(time.perf_counter() - t0)
    return statistics.median(times), len(data)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build_dir")
    ap.add_argument("-n", type=int, default=100000)
    ap.add_argument("-r", type=int, default=7)
    ap.add_argument("--rounds", type=int, default=3)
    a = ap.parse_args()
    binary = os.path.join(a.build_dir, "bench", "bench_manifest")
    c_times, py_times, ratios = [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "manifest.json")
        for k in range(a.rounds):
            c = run_c(binary, a.n, a.r, out)
            py, size = run_py(out, a.r)
            ct = float(c["median_total_s"])
            c_times.append(ct)
            py_times.append(py)
            ratios.append(py / ct)
            print("round %d: libmlops parse+validate+write %.4f s (parse %s, validate %s, "
                  "write %s) | python json.loads %.4f s | ratio %.2fx"
                  % (k + 1, ct, c["median_parse_s"], c["median_validate_s"],
                     c["median_write_s"], py, py / ct))
    mb = size / 1e6
    ct, py = statistics.median(c_times), statistics.median(py_times)
    print("input: %d files, %d bytes (%.1f MB)" % (a.n, size, mb))
    print("libmlops parse+validate+canonical write: median %.4f s = %.1f MB/s" % (ct, mb / ct))
    print("python json.loads:                       median %.4f s = %.1f MB/s" % (py, mb / py))
    print("ratio (median of per-round ratios): %.2fx (target >= 4x)" % statistics.median(ratios))
    print("library peak heap: %s bytes = %s x input (manifest object alone %s x; "
          "the rest is the canonical output buffer)"
          % (c["peak_heap_bytes"], c["peak_heap_over_input"], c["manifest_heap_over_input"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
