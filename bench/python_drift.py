#!/usr/bin/env python3
"""KS on 10^6 vs 10^6 from NumPy arrays: the Python binding next to SciPy.

Both contenders get the same float64 arrays in the same run, interleaved round
by round so machine noise hits them alike: `mlops.drift(a, b, "ks")` (the
arrays are read in place by the C library, which sorts its own copies on two
threads for samples of 2^20 values or more — 10^6 is below that, so one thread)
and `scipy.stats.ks_2samp(a, b)` (method 'auto': asymptotic p-value at this
size, as the library's default SCIPY mode). The script checks they agree
(statistic to 1e-12, p-value to 1e-9 relative) and prints the median seconds
per call and the ratio. Also timed: PSI on the same arrays through the
binding, and a float32 input (converted once to float64 by the binding).

usage: MLOPS_LIBRARY=build/test/src/libmlops.so.0 python3 bench/python_drift.py [N] [ROUNDS]
"""

from __future__ import annotations

import os
import statistics
import sys
import time

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "..", "bindings", "python"))

import numpy as np  # noqa: E402
import scipy  # noqa: E402
import scipy.stats  # noqa: E402

import libmlops as mlops  # noqa: E402

N = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
R = int(sys.argv[2]) if len(sys.argv) > 2 else 7

rng = np.random.default_rng(12345)
a = rng.normal(0.0, 1.0, N)
b = rng.normal(0.01, 1.0, N)
a32, b32 = a.astype(np.float32), b.astype(np.float32)

mine = mlops.drift(a, b, "ks")
ref = scipy.stats.ks_2samp(a, b)
assert abs(mine.statistic - ref.statistic) <= 1e-12 * ref.statistic, (mine.statistic, ref.statistic)
assert abs(mine.pvalue - ref.pvalue) <= 1e-9 * ref.pvalue + 1e-300, (mine.pvalue, ref.pvalue)

contenders = {
    "mlops.drift(a, b, 'ks')": lambda: mlops.drift(a, b, "ks"),
    "scipy.stats.ks_2samp(a, b)": lambda: scipy.stats.ks_2samp(a, b),
    "mlops.drift(a32, b32, 'ks') (float32, converted once)": lambda: mlops.drift(a32, b32, "ks"),
    "mlops.drift(a, b, 'psi') (10 quantile bins)": lambda: mlops.drift(a, b, "psi"),
}
times = {name: [] for name in contenders}
for _ in range(R):
    for name, fn in contenders.items():
        t0 = time.perf_counter()
        fn()
        times[name].append(time.perf_counter() - t0)

print(f"N = {N:,} vs {N:,}, {R} rounds, NumPy {np.__version__}, SciPy {scipy.__version__}, "
      f"libmlops {mlops.library_version()}; load average {os.getloadavg()[0]:.1f}")
print(f"KS D = {mine.statistic:.6g} (SciPy {ref.statistic:.6g}), p = {mine.pvalue:.6g} (SciPy {ref.pvalue:.6g})")
base = statistics.median(times["scipy.stats.ks_2samp(a, b)"])
print(f"{'call':<56} {'median s':>10} {'min s':>8} {'vs SciPy':>9}")
for name, ts in times.items():
    med = statistics.median(ts)
    print(f"{name:<56} {med:>10.4f} {min(ts):>8.4f} {base / med:>8.2f}x")
