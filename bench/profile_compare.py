#!/usr/bin/env python3
"""Profile update throughput: libmlops against Apache DataSketches, side by side.

    pip install datasketches numpy
    python3 bench/profile_compare.py --bench build/bench/bench_profile [--values 1e8] [--runs 5]

Each run times libmlops (bench_profile: sketch only, and sketch + 10-bin histogram;
moments and counts always) and then datasketches.kll_doubles_sketch(200).update() on
the same values (splitmix64 uniforms generated here with NumPy in chunks of 10^6,
bit-identical to bench_profile's, outside the timed region), fed in the same batches.
Prints every run, the medians and the ratios.
"""
import argparse
import statistics
import subprocess
import time

import numpy as np
from datasketches import kll_doubles_sketch

CHUNK = 1_000_000


def chunks(total):
    state = np.uint64(1)
    golden = np.uint64(0x9E3779B97F4A7C15)
    done = 0
    with np.errstate(over="ignore"):
        while done < total:
            n = min(CHUNK, total - done)
            st = state + golden * np.arange(1, n + 1, dtype=np.uint64)
            state = st[-1]
            z = st
            z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
            z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
            z = z ^ (z >> np.uint64(31))
            yield (z >> np.uint64(11)).astype(np.float64) * 2.0**-53
            done += n


def datasketches_run(total, batch):
    sk = kll_doubles_sketch(200)
    spent = cpu = 0.0
    for x in chunks(total):
        t0, c0 = time.perf_counter(), time.process_time()
        for i in range(0, len(x), batch):
            sk.update(x[i:i + batch])
        spent += time.perf_counter() - t0
        cpu += time.process_time() - c0
    assert sk.n == total
    return spent, cpu


def libmlops_run(bench, total, batch):
    out = subprocess.run([bench, str(total), str(batch), "0"], check=True,
                         capture_output=True, text=True).stdout
    res = {}
    for line in out.splitlines():
        name, n, secs, _, cpu = line.split()
        res[name] = float(secs)
        res[name + "_cpu"] = float(cpu)
    return res


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bench", default="build/bench/bench_profile")
    ap.add_argument("--values", type=float, default=1e8)
    ap.add_argument("--batch", type=int, default=10000)
    ap.add_argument("--runs", type=int, default=5)
    a = ap.parse_args()
    total = int(a.values)
    names = ["libmlops profile (sketch only)", "libmlops profile (+ histogram)",
             "datasketches kll_doubles_sketch"]
    wall = {k: [] for k in names}
    cpu = {k: [] for k in names}
    for r in range(a.runs):
        lm = libmlops_run(a.bench, total, a.batch)
        ds, ds_cpu = datasketches_run(total, a.batch)
        for k, key in zip(names[:2], ["profile_sketch_only", "profile_with_histogram"]):
            wall[k].append(total / lm[key] / 1e6)
            cpu[k].append(total / lm[key + "_cpu"] / 1e6)
        wall[names[2]].append(total / ds / 1e6)
        cpu[names[2]].append(total / ds_cpu / 1e6)
        print(f"run {r + 1}: " + ", ".join(f"{k} {wall[k][-1]:.1f} M/s" for k in names),
              flush=True)
    print(f"\n{total:.0e} doubles, batches of {a.batch}, medians of {a.runs} runs "
          "(M values/s; wall clock, and per CPU second):")
    for k in names:
        print(f"  {k:34s} {statistics.median(wall[k]):8.1f} {statistics.median(cpu[k]):8.1f}")
    for k in names[:2]:
        rw = statistics.median(wall[k]) / statistics.median(wall[names[2]])
        rc = statistics.median(cpu[k]) / statistics.median(cpu[names[2]])
        print(f"  ratio {k} / datasketches: {rw:.2f}x wall, {rc:.2f}x CPU")


if __name__ == "__main__":
    main()
