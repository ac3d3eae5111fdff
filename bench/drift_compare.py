#!/usr/bin/env python3
"""Drift benchmarks: libmlops next to SciPy / NumPy on the same data, same run.

    pip install numpy scipy          # any recent versions
    python3 bench/drift_compare.py --bench build/bench/bench_drift [--n 10000000]

Writes the samples once (raw float64 files in a temporary folder), then for
each benchmark runs the C program (median of --reps runs, timed inside the
process around the library call) and the Python baseline (median of
--py-reps runs, timed around the call), and prints medians and ratios:

  ks           mlops KS (statistic + asymptotic p-value)  vs scipy.stats.ks_2samp
  wasserstein  mlops Wasserstein-1                         vs scipy.stats.wasserstein_distance
  psi          mlops PSI against a stored binned reference vs NumPy histogram PSI
               (and np.searchsorted + np.bincount PSI, the faster NumPy way)
  table        mlops table call, default tests, ROWS x COLS vs a per-column
               scipy.stats.wasserstein_distance loop on --py-cols columns,
               scaled to COLS (the full loop takes minutes)

Also checks that both sides computed the same numbers.
"""
import argparse
import os
import statistics
import subprocess
import tempfile
import time

import numpy as np
from scipy import stats


def run_c(bench, *args):
    out = subprocess.run([bench, *map(str, args)], check=True, capture_output=True,
                         text=True).stdout.split()
    return {out[i]: out[i + 1] for i in range(1, len(out) - 1, 2)}


def time_py(fn, reps):
    """Median wall and CPU seconds of fn() over reps runs, and its value."""
    times, cpus, value = [], [], None
    for _ in range(reps):
        t0, c0 = time.perf_counter(), time.process_time()
        value = fn()
        times.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    return statistics.median(times), statistics.median(cpus), value


def psi_numpy_histogram(edges, ref_counts, cur):
    bins = np.concatenate([[-np.inf], edges, [np.inf]])
    cc, _ = np.histogram(cur[np.isfinite(cur)], bins=bins)
    return psi_from_counts(ref_counts, cc)


def psi_numpy_searchsorted(edges, ref_counts, cur):
    c = cur[np.isfinite(cur)]
    cc = np.bincount(np.searchsorted(edges, c, side="right"), minlength=len(edges) + 1)
    return psi_from_counts(ref_counts, cc)


def psi_from_counts(rc, cc, a=0.5):
    B = len(rc)
    p = (rc + a) / (rc.sum() + a * B)
    q = (cc + a) / (cc.sum() + a * B)
    return np.sum((q - p) * np.log(q / p))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bench", required=True)
    ap.add_argument("--n", type=int, default=10_000_000)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--py-reps", type=int, default=3)
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--cols", type=int, default=100)
    ap.add_argument("--py-cols", type=int, default=4)
    ap.add_argument("--skip", default="", help="comma-separated benchmarks to skip")
    args = ap.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    rng = np.random.default_rng(20261126)
    ref = rng.normal(0.0, 1.0, args.n)
    cur = rng.normal(0.01, 1.0, args.n)
    print(f"numpy {np.__version__}, scipy {__import__('scipy').__version__}, n = {args.n}")
    with tempfile.TemporaryDirectory() as tmp:
        rp, cp = os.path.join(tmp, "ref.f64"), os.path.join(tmp, "cur.f64")
        ref.tofile(rp)
        cur.tofile(cp)
        if "ks" not in skip:
            c = run_c(args.bench, "ks", rp, cp, args.reps)
            t_py, c_py, res = time_py(lambda: stats.ks_2samp(ref, cur), args.py_reps)
            t_c, c_c = float(c["median_s"]), float(c["cpu_s"])
            agree = abs(float(c["result"]) - res.statistic) <= 1e-12 * res.statistic
            print(f"ks           wall: mlops {t_c:7.3f} s  scipy {t_py:7.3f} s  "
                  f"ratio {t_py / t_c:5.1f}x | cpu: mlops {c_c:7.3f} s  scipy {c_py:7.3f} s  "
                  f"ratio {c_py / c_c:5.1f}x | same D: {agree}, "
                  f"p {float(c['pvalue']):.6g} vs {res.pvalue:.6g}")
        if "wasserstein" not in skip:
            c = run_c(args.bench, "wasserstein", rp, cp, args.reps)
            t_py, c_py, w = time_py(lambda: stats.wasserstein_distance(ref, cur), args.py_reps)
            t_c, c_c = float(c["median_s"]), float(c["cpu_s"])
            print(f"wasserstein  wall: mlops {t_c:7.3f} s  scipy {t_py:7.3f} s  "
                  f"ratio {t_py / t_c:5.1f}x | cpu: mlops {c_c:7.3f} s  scipy {c_py:7.3f} s  "
                  f"ratio {c_py / c_c:5.1f}x | rel diff {abs(float(c['result']) - w) / w:.1e}")
        if "psi" not in skip:
            c = run_c(args.bench, "psi", rp, cp, args.reps)
            t_c, c_c = float(c["median_s"]), float(c["cpu_s"])
            edges = np.unique(np.quantile(ref, np.arange(1, 10) / 10))
            rc = np.bincount(np.searchsorted(edges, ref, side="right"), minlength=len(edges) + 1)
            t_h, c_h, v_h = time_py(lambda: psi_numpy_histogram(edges, rc, cur), args.reps)
            t_s, c_s, v_s = time_py(lambda: psi_numpy_searchsorted(edges, rc, cur), args.reps)
            gb = cur.nbytes / 1e9
            print(f"psi          wall: mlops {t_c:7.4f} s ({gb / t_c:5.2f} GB/s)  "
                  f"numpy histogram {t_h:7.4f} s ({gb / t_h:5.2f} GB/s)  ratio {t_h / t_c:5.1f}x"
                  f" | cpu: mlops {c_c:7.4f} s ({gb / c_c:5.2f} GB/s)  histogram {c_h:7.4f} s  "
                  f"ratio {c_h / c_c:5.1f}x | searchsorted+bincount cpu {c_s:7.4f} s "
                  f"(ratio {c_s / c_c:5.1f}x) | same PSI: "
                  f"{abs(float(c['result']) - v_h) <= 1e-12 * abs(v_h)}")
    if "table" not in skip:
        c = run_c(args.bench, "table", args.rows, args.cols, max(1, args.reps // 2))
        t_c, c_c = float(c["median_s"]), float(c["cpu_s"])
        r2 = rng.normal(0, 1, (args.py_cols, args.rows))
        c2 = rng.normal(0, 1, (args.py_cols, args.rows))

        def loop():
            return [stats.wasserstein_distance(r2[j], c2[j]) / max(np.std(r2[j]), 0.001)
                    for j in range(args.py_cols)]

        t_py, c_py, _ = time_py(loop, 1)
        t_py_full = t_py / args.py_cols * args.cols
        print(f"table        wall: mlops {t_c:7.3f} s (cpu {c_c:7.3f} s, 2 threads) for "
              f"{args.rows} x {args.cols}, default tests, {c['drifted_columns']} drifted | "
              f"scipy per-column loop ~{t_py_full:7.1f} s (measured on {args.py_cols} columns) "
              f"ratio {t_py_full / t_c:5.1f}x")


if __name__ == "__main__":
    main()
