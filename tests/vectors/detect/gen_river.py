#!/usr/bin/env python3
"""Change points of river's detectors on deterministic streams.

    pip install river==0.26.1
    python3 gen_river.py > river.txt

The streams are not stored: this script and tests/unit/test_detect.c both
generate them from splitmix64 with IEEE-754 additions and multiplications
only, so they are the same bits everywhere. For value i of a stream with
seed s: state += 0x9e3779b97f4a7c15 (mod 2^64), z = splitmix64 mix(state),
u = (z >> 11) * 2^-53, and the segment j that contains i (segments start at
`starts[j]`) gives
    kind "values": x = scale * u + level[j]
    kind "binary": x = 1.0 if u < level[j] else 0.0
Each case lists river's default parameters it used (or the overrides), the
indices (0-based) at which river reported a drift and, for DDM/EDDM, the
indices at which it reported a warning.

KSWIN's change points depend on Python's `random` module and cannot be
reproduced bit for bit; instead "ks_exact" cases give SciPy's exact two-sample
KS p-values for equal sizes, which our KSWIN uses.
"""
import sys
import warnings

import river
import scipy
from river import drift
from scipy import stats

M64 = (1 << 64) - 1


def stream(seed, n, kind, scale, starts, levels):
    state = seed
    j = 0
    out = []
    for i in range(n):
        while j + 1 < len(starts) and i >= starts[j + 1]:
            j += 1
        state = (state + 0x9E3779B97F4A7C15) & M64
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
        z ^= z >> 31
        u = (z >> 11) * 2.0**-53
        if kind == "values":
            out.append(scale * u + levels[j])
        else:
            out.append(1.0 if u < levels[j] else 0.0)
    return out


def make(name, params):
    if name == "adwin":
        return drift.ADWIN(**params)
    if name == "page_hinkley":
        return drift.PageHinkley(**params)
    if name == "ddm":
        return drift.binary.DDM(**params)
    if name == "eddm":
        return drift.binary.EDDM(**params)
    raise ValueError(name)


CASES = [
    # name, detector, params, (seed, n, kind, scale, starts, levels)
    ("adwin_step", "adwin", {}, (1, 3000, "values", 1.0, [0, 1500], [0.0, 0.4])),
    ("adwin_steps", "adwin", {},
     (2, 8000, "values", 2.0, [0, 2000, 4000, 6000], [0.0, 0.8, 0.3, 1.2])),
    ("adwin_quiet", "adwin", {}, (3, 6000, "values", 1.0, [0], [0.0])),
    ("adwin_binary", "adwin", {}, (4, 6000, "binary", 1.0, [0, 3000], [0.2, 0.45])),
    ("adwin_delta_clock", "adwin", {"delta": 0.05, "clock": 1},
     (5, 4000, "values", 1.0, [0, 1000, 2500], [0.0, 0.2, -0.1])),
    ("adwin_big_values", "adwin", {}, (6, 5000, "values", 1000.0, [0, 2500], [1e6, 1e6 + 150])),
    ("ph_step", "page_hinkley", {}, (11, 4000, "values", 1.0, [0, 2000], [0.0, 0.6])),
    ("ph_down", "page_hinkley", {}, (12, 4000, "values", 1.0, [0, 2000], [5.0, 4.3])),
    ("ph_steps", "page_hinkley", {},
     (13, 9000, "values", 2.0, [0, 3000, 6000], [0.0, 1.0, -0.5])),
    ("ph_params", "page_hinkley",
     {"min_instances": 10, "delta": 0.01, "threshold": 20.0, "alpha": 0.999, "mode": "up"},
     (14, 5000, "values", 1.0, [0, 2000, 3500], [0.0, 0.5, 0.0])),
    ("ddm_step", "ddm", {}, (21, 5000, "binary", 1.0, [0, 2000], [0.1, 0.35])),
    ("ddm_steps", "ddm", {},
     (22, 9000, "binary", 1.0, [0, 3000, 6000], [0.05, 0.3, 0.1])),
    ("eddm_step", "eddm", {}, (31, 6000, "binary", 1.0, [0, 3000], [0.1, 0.4])),
    ("eddm_steps", "eddm", {},
     (32, 12000, "binary", 1.0, [0, 4000, 8000], [0.05, 0.3, 0.6])),
]


def main():
    print(f"# river {river.__version__}, SciPy {scipy.__version__}; see gen_river.py")
    for name, det, params, (seed, n, kind, scale, starts, levels) in CASES:
        d = make(det, params)
        xs = stream(seed, n, kind, scale, starts, levels)
        drifts, warns = [], []
        for i, x in enumerate(xs):
            d.update(x)
            if d.drift_detected:
                drifts.append(i)
            if getattr(d, "warning_detected", False):
                warns.append(i)
        print(f"case {name}")
        print(f"detector {det}")
        for k, v in sorted(params.items()):
            print(f"param_{k} {v}")
        print(f"stream {seed} {n} {1 if kind == 'binary' else 0} {scale!r}")
        print("starts " + " ".join(str(s) for s in starts))
        print("levels " + " ".join(repr(float(v)) for v in levels))
        print("drifts " + " ".join(str(i) for i in drifts))
        print("n_drifts", len(drifts))
        if det in ("ddm", "eddm"):
            print("warnings " + " ".join(str(i) for i in warns))
            print("n_warnings", len(warns))
        print("end")
    # exact two-sample KS p-values for equal sizes (KSWIN's test)
    for n in (30, 10):
        ps = []
        for c in range(0, n + 1):
            a = list(range(n))
            b = [x + c for x in a]
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                try:
                    r = stats.ks_2samp(a, b, method="exact")
                    ps.append(repr(float(r.pvalue)))
                except RuntimeWarning:  # SciPy fell back to asymp: no exact oracle
                    ps.append("-")
        print(f"case ks_exact_{n}")
        print(f"n {n}")
        print("pvalues " + " ".join(ps))
        print("end")


if __name__ == "__main__":
    sys.exit(main())
