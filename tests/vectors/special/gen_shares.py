#!/usr/bin/env python3
"""Expected values of the share metrics and NumPy's pairwise summation
(src/monitor/drift_shares.c) from NumPy 1.24.2 / SciPy 1.10.1, with the
definitions of docs/drift-contract.md: enough bins that the summation takes
its unrolled and recursive paths.

    python3 gen_shares.py > shares.txt

Output (read by tests/unit/test_drift_special.c): "case NAME", then for
"fn pairwise_sum": "values ...", "want SUM" (np.sum, bit for bit); for
"fn shares": "ref ...", "cur ..." (counts), "smoothing A", "js_base B",
"psi", "kl", "js", "hellinger", "tvd", "linf"; "end".
"""
import numpy as np
import scipy
from scipy import special
from scipy.spatial import distance

assert np.__version__ == "1.24.2" and scipy.__version__ == "1.10.1"

rng = np.random.default_rng(20)


def line(key, values):
    print(key + " " + " ".join(repr(float(v)) if isinstance(v, float) else str(v)
                               for v in values))


# Pairwise sums of values whose magnitudes differ, so that the order of the
# additions shows in the last bits: < 8, 8..128 (unrolled by 8), > 128 (split).
for n in (5, 8, 77, 128, 129, 1000, 4099):
    values = (rng.standard_normal(n) * 10.0 ** rng.integers(-8, 9, n)).tolist()
    print(f"case pairwise_{n}")
    print("fn pairwise_sum")
    line("values", values)
    print(f"want {float(np.sum(np.array(values))) !r}")
    print("end")


def shares(name, ref, cur, a, base):
    ref, cur = np.array(ref, dtype=np.uint64), np.array(cur, dtype=np.uint64)
    k = len(ref)
    n, m = float(ref.sum()), float(cur.sum())
    p, q = (ref + a) / (n + a * k), (cur + a) / (m + a * k)
    with np.errstate(divide="ignore", invalid="ignore"):
        psi = float(np.sum(special.rel_entr(q, p) + special.rel_entr(p, q)))
    kl = float(np.sum(special.rel_entr(p, q)))
    P, Q = ref / n, cur / m
    js = float(distance.jensenshannon(P, Q, base=base))
    hell = float(np.sqrt(max(1.0 - np.sum(np.sqrt(P * Q)), 0.0)))
    tvd = float(0.5 * np.sum(np.abs(P - Q)))
    linf = float(np.max(np.abs(P - Q)))
    print(f"case {name}")
    print("fn shares")
    line("ref", ref.tolist())
    line("cur", cur.tolist())
    print(f"smoothing {a!r}")
    print(f"js_base {base!r}")
    for key, v in (("psi", psi), ("kl", kl), ("js", js), ("hellinger", hell),
                   ("tvd", tvd), ("linf", linf)):
        print(f"{key} {v!r}")
    print("end")


# 300 and 1000 bins: the pairwise sums recurse; counts with empty bins.
shares("shares_300", rng.integers(0, 50, 300).tolist(), rng.integers(0, 60, 300).tolist(),
       0.5, 2.0)
shares("shares_1000", rng.poisson(3.0, 1000).tolist(), rng.poisson(3.5, 1000).tolist(),
       0.25, float(np.e))
# The same distribution on both sides: every raw-share distance 0 (PSI and KL
# are not: smoothing weighs the two totals differently).
same = rng.integers(1, 9, 200).tolist()
shares("shares_identical", same, [3 * c for c in same], 0.5, 2.0)
# Disjoint supports, no smoothing: PSI and KL infinite, JS 1 in base 2,
# Hellinger and TVD 1.
shares("shares_disjoint", [5, 0] * 80, [0, 7] * 80, 0.0, 2.0)
