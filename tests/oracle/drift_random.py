#!/usr/bin/env python3
"""Compare the drift metrics with SciPy/NumPy on fresh random cases.

    drift_random.py --cli build/tests/tools/drift_cli [--seeds 0:50] [--verbose]

Each seed makes one case of every kind the shared vectors have (normal
shift, same distribution, lognormal with non-finite values, integer ties,
uniform vs beta, exponential scale, tiny, constant reference, a large case
past SciPy's exact KS limit, categories with an unseen one, p-value
adjustment), runs it through tests/tools/drift_cli and checks the output
against scipy.stats / numpy at the contract's tolerances: statistics 1e-12
relative (1e-15 absolute near zero), p-values 1e-9 relative where above
1e-300, counts and edges exactly.

Documented exceptions, where SciPy itself is inexact and the library is
checked against exact arithmetic instead (test_drift_exact.py): SciPy's
asymptotic Cramer-von Mises p-value is 1 - (a series stopped at terms below
1e-7), off by up to 1e-7 absolute in the tail (the omitted terms), so it is
compared to 1e-9 relative or 1e-7 absolute, whichever is looser; SciPy's CvM statistic
U / (k N) - (4k - 1) / (6N) loses digits to cancellation, so it is compared
within that rounding bound (4 eps of the two terms).

Exit status: 0 all agree, 1 a disagreement, 77 when numpy/scipy are not
importable (meson's "skipped").
"""
import argparse
import math
import os
import subprocess
import sys
import tempfile

try:
    import numpy as np
    from scipy import stats
    from scipy.spatial.distance import jensenshannon
except Exception:  # ImportError, or a broken binary install
    print("numpy/scipy not importable: skipping")
    sys.exit(77)

STAT_REL, STAT_ABS = 1e-12, 1e-15
P_REL = 1e-9
CVM_ASYMP_ABS = 1e-7


def write_values(path, values):
    with open(path, "w") as f:
        for v in values:
            f.write(repr(float(v)) + "\n")


def run_cli(cli, *args):
    out = subprocess.run([cli, *args], check=True, capture_output=True, text=True).stdout
    res = {}
    for line in out.splitlines():
        parts = line.split()
        if parts[0] == "error":
            res["error." + parts[1]] = " ".join(parts[2:])
            continue
        res[parts[0]] = parts[1:]
    return res


class Checker:
    def __init__(self, name, verbose):
        self.name, self.verbose, self.failures, self.checks = name, verbose, [], 0

    def fail(self, what, got, want):
        self.failures.append(f"{self.name}: {what}: got {got!r}, want {want!r}")

    def stat(self, what, got, want):
        self.checks += 1
        got = float(got[0]) if isinstance(got, list) else float(got)
        want = float(want)
        if math.isnan(want) and math.isnan(got):
            return
        if abs(got - want) <= STAT_ABS or abs(got - want) <= STAT_REL * abs(want):
            return
        self.fail(what, got, want)

    def pval(self, what, got, want, abs_tol=0.0):
        self.checks += 1
        got = float(got[0]) if isinstance(got, list) else float(got)
        want = float(want)
        if want <= 1e-300 and got <= 1e-300:
            return
        if abs(got - want) <= P_REL * abs(want) or abs(got - want) <= abs_tol:
            return
        self.fail(what, got, want)

    def exact(self, what, got, want):
        self.checks += 1
        if [float(g) for g in got] != [float(w) for w in want]:
            self.fail(what, got[:12], list(want)[:12])

    def equal(self, what, got, want):
        self.checks += 1
        if got != want:
            self.fail(what, got, want)


def shares(rc, cc, a=0.5, base=2):
    rc = np.asarray(rc, float)
    cc = np.asarray(cc, float)
    B = len(rc)
    p = (rc + a) / (rc.sum() + a * B)
    q = (cc + a) / (cc.sum() + a * B)
    P = rc / rc.sum()
    Q = cc / cc.sum()
    return dict(
        psi=np.sum((q - p) * np.log(q / p)),
        kl=np.sum(p * np.log(p / q)),
        js=jensenshannon(P, Q, base=base),
        hellinger=min(1.0, math.sqrt(max(0.0, 1 - np.sum(np.sqrt(P * Q))))),
        tvd=0.5 * np.sum(np.abs(P - Q)),
        linf=np.max(np.abs(P - Q)),
    )


def check_numeric(cli, tmp, name, ref, cur, verbose):
    c = Checker(name, verbose)
    rp, cp = os.path.join(tmp, "ref.txt"), os.path.join(tmp, "cur.txt")
    write_values(rp, ref)
    write_values(cp, cur)
    out = run_cli(cli, "numeric", rp, cp)
    r = ref[np.isfinite(ref)]
    q = cur[np.isfinite(cur)]
    c.equal("missing_ref", int(out["missing_ref"][0]), int((~np.isfinite(ref)).sum()))
    c.equal("missing_cur", int(out["missing_cur"][0]), int((~np.isfinite(cur)).sum()))
    ks = stats.ks_2samp(r, q, method="auto")
    mode = "exact" if max(len(r), len(q)) <= 10000 else "asymp"
    c.stat("ks.statistic", out["ks.statistic"], ks.statistic)
    c.pval("ks.pvalue", out["ks.pvalue"], ks.pvalue)
    c.equal("ks.method", out["ks.method"][0], mode)
    c.stat("wasserstein", out["wasserstein.statistic"], stats.wasserstein_distance(r, q))
    c.stat("wasserstein_normed", out["wasserstein_normed.statistic"],
           stats.wasserstein_distance(r, q) / max(np.std(r), 0.001))
    c.stat("energy", out["energy.statistic"], stats.energy_distance(r, q))
    if len(r) >= 2 and len(q) >= 2:
        cvm = stats.cramervonmises_2samp(r, q)
        k, N = len(r) * len(q), len(r) + len(q)
        bound = 4 * 2.3e-16 * (abs(cvm.statistic) + 2 * (4 * k - 1) / (6 * N))
        if abs(float(out["cvm.statistic"][0]) - cvm.statistic) <= bound:
            c.checks += 1
        else:
            c.stat("cvm.statistic", out["cvm.statistic"], cvm.statistic)
        asymp = max(len(r), len(q)) > 20
        c.pval("cvm.pvalue", out["cvm.pvalue"], cvm.pvalue, CVM_ASYMP_ABS if asymp else 0.0)
    k = 10
    edges_q = np.unique(np.quantile(r, np.arange(1, k) / k))
    edges_u = np.unique(np.linspace(r.min(), r.max(), k + 1)[1:-1])
    for label, edges in (("quantile_bins", edges_q), ("uniform_bins", edges_u)):
        rc = np.bincount(np.searchsorted(edges, r, side="right"), minlength=len(edges) + 1)
        cc = np.bincount(np.searchsorted(edges, q, side="right"), minlength=len(edges) + 1)
        c.exact(label + ".edges", out[label + ".edges"], edges)
        c.exact(label + ".ref_counts", out[label + ".ref_counts"], rc)
        c.exact(label + ".cur_counts", out[label + ".cur_counts"], cc)
        for m, v in shares(rc, cc).items():
            c.stat(f"{label}.{m}", out[f"{label}.{m}"], v)
    return c


def check_categorical(cli, tmp, name, ref, cur, ncat, verbose):
    c = Checker(name, verbose)
    rp, cp = os.path.join(tmp, "ref.txt"), os.path.join(tmp, "cur.txt")
    write_values(rp, ref)
    write_values(cp, cur)
    out = run_cli(cli, "categorical", rp, cp, str(ncat))
    cats = np.union1d(ref, cur)
    rc = np.array([(ref == k).sum() for k in cats])
    cc = np.array([(cur == k).sum() for k in cats])
    c.exact("categories", out["categories"], cats)
    c.exact("ref_counts", out["cat.ref_counts"], rc)
    c.exact("cur_counts", out["cat.cur_counts"], cc)
    chi2, p, dof, _ = stats.chi2_contingency(np.array([rc, cc]), correction=False)
    c.stat("chi2.statistic", out["chi2.statistic"], chi2)
    c.pval("chi2.pvalue", out["chi2.pvalue"], p)
    c.equal("chi2.dof", int(out["chi2.dof"][0]), int(dof))
    c.stat("unseen_share", out["unseen_share"], cc[rc == 0].sum() / cc.sum())
    for m, v in shares(rc, cc).items():
        c.stat(m, out[m + ".statistic"], v)
    return c


def check_adjust(cli, tmp, name, p, verbose):
    c = Checker(name, verbose)
    path = os.path.join(tmp, "p.txt")
    write_values(path, p)
    out = run_cli(cli, "adjust", path)
    n = len(p)
    order = np.argsort(p)
    ps = p[order]
    bonf = np.minimum(p * n, 1)
    holm_s = np.minimum(np.maximum.accumulate(ps * np.arange(n, 0, -1)), 1)
    bh_s = np.minimum(np.minimum.accumulate((ps / (np.arange(1, n + 1) / n))[::-1])[::-1], 1)
    holm = np.empty(n)
    bh = np.empty(n)
    holm[order] = holm_s
    bh[order] = bh_s
    for label, want in (("bonferroni", bonf), ("holm", holm), ("bh", bh)):
        for i, (g, w) in enumerate(zip(out[label], want)):
            c.pval(f"{label}[{i}]", g, w)
    return c


def make_cases(seed):
    rng = np.random.default_rng(seed)
    n = lambda lo, hi: int(rng.integers(lo, hi))
    cases = []
    cases.append(("normal-shift-small", rng.normal(0, 1, n(200, 900)),
                  rng.normal(rng.uniform(0.05, 0.4), rng.uniform(0.9, 1.2), n(200, 900))))
    m = n(300, 2000)
    cases.append(("normal-same", rng.normal(5, 2, m), rng.normal(5, 2, m)))
    ref = rng.lognormal(0, 0.6, n(500, 1500))
    cur = rng.lognormal(0.05, 0.6, n(500, 1500))
    for arr in (ref, cur):
        idx = rng.choice(len(arr), size=n(1, 60), replace=False)
        arr[idx] = rng.choice([np.nan, np.inf, -np.inf], size=len(idx))
    cases.append(("lognormal-with-nonfinite", ref, cur))
    cases.append(("ties-integers", rng.poisson(2.0, n(300, 1200)).astype(float),
                  rng.poisson(2.3, n(300, 1200)).astype(float)))
    cases.append(("uniform-vs-beta", rng.uniform(0, 1, n(1000, 4000)),
                  rng.beta(2, 3, n(1000, 4000))))
    cases.append(("exponential-scale", rng.exponential(1e6, n(2000, 6000)),
                  rng.exponential(1.05e6, n(2000, 6000))))
    cases.append(("tiny", rng.normal(0, 1, n(2, 12)), rng.normal(0.5, 1.5, n(2, 12))))
    cases.append(("constant-reference", np.full(n(50, 400), 2.5),
                  2.5 + rng.normal(0, 0.1, n(50, 400))))
    cases.append(("large-asymptotic", rng.normal(0, 1, n(10001, 25000)),
                  rng.normal(rng.uniform(0, 0.05), 1, n(5000, 25000))))
    # Beyond the vector kinds: the small-n branches of kstwo.sf (Durbin
    # matrix, Pomeranz region, Smirnov tail) reached through the asymptotic
    # path, and a shift large enough for the upper tail.
    cases.append(("extra-asymptotic-small-n", rng.normal(0, 1, n(10001, 12000)),
                  rng.normal(rng.uniform(0, 1.0), 1, n(3, 150))))
    cases.append(("extra-large-shift", rng.normal(0, 1, n(10001, 15000)),
                  rng.normal(0.3, 1, n(200, 3000))))
    cases.append(("extra-exact-unequal", rng.normal(0, 1, n(20, 400)),
                  rng.normal(rng.uniform(0, 0.8), 1, n(20, 400))))
    return cases


def make_categorical(seed):
    rng = np.random.default_rng(seed + 1000003)
    k = int(rng.integers(2, 8))
    pr = rng.dirichlet(np.ones(k))
    pc = rng.dirichlet(np.ones(k + 1))
    ref = rng.choice(k, size=int(rng.integers(300, 3000)), p=pr)
    cur = rng.choice(k + 1, size=int(rng.integers(300, 3000)), p=pc)
    return ref, cur, k + 1


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", required=True)
    ap.add_argument("--seeds", default="0:5", help="first:last (exclusive)")
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()
    lo, hi = (int(x) for x in args.seeds.split(":"))
    failures, checks = [], 0
    with tempfile.TemporaryDirectory() as tmp:
        for seed in range(lo, hi):
            results = [check_numeric(args.cli, tmp, f"seed {seed} {name}", r, c, args.verbose)
                       for name, r, c in make_cases(seed)]
            ref, cur, ncat = make_categorical(seed)
            results.append(check_categorical(args.cli, tmp, f"seed {seed} categories", ref, cur,
                                             ncat, args.verbose))
            rng = np.random.default_rng(seed + 7)
            p = np.concatenate([rng.uniform(0, 1, 12), rng.uniform(0, 0.01, 4)])
            results.append(check_adjust(args.cli, tmp, f"seed {seed} adjust", p, args.verbose))
            for r in results:
                failures += r.failures
                checks += r.checks
    for f in failures:
        print("FAIL", f)
    print(f"drift oracle: seeds {lo}:{hi}, {checks} checks, {len(failures)} failures")
    print(f"{checks - len(failures)} passed, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
