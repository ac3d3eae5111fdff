"""Exact-arithmetic references for the drift oracle (test_drift_exact.py).

Every reference is computed from the double inputs taken as exact rationals:
integer and rational arithmetic (fractions.Fraction) where the quantity is
rational (counts, ranks, ECDF differences, lattice path counts, the CvM
statistic, chi-square), mpmath at 50 significant digits (more where a tail
probability needs them) for logarithms, square roots, Bessel functions and
incomplete gamma functions. Nothing here calls the library or SciPy.

Environment:
  MLOPS_ORACLE_SEED   the seed (default: a fresh one, printed in the header)
  MLOPS_ORACLE_CASES  number of random cases (default 1000: the quick mode
                      CI runs; the long run uses 100000)
"""
import math
import os
import secrets
from collections import Counter
from fractions import Fraction
from functools import lru_cache

import mpmath
from mpmath import mp, mpf

DPS = 50
mp.dps = DPS

SEED = int(os.environ.get("MLOPS_ORACLE_SEED") or secrets.randbits(63))
CASES = int(os.environ.get("MLOPS_ORACLE_CASES") or 1000)

STAT_REL = 1e-12
P_REL = 1e-10
P_FLOOR = 1e-300

# name -> [checks, worst relative error, case description of the worst]
WORST = {}
# name -> Counter of "library", "scipy", "equal" (which is closer to exact)
CLOSER = {}


def header():
    return (f"exact drift oracle: seed {SEED} (MLOPS_ORACLE_SEED={SEED} reproduces it), "
            f"{CASES} random cases (MLOPS_ORACLE_CASES)")


def summary_lines():
    lines = [header()]
    for name in sorted(WORST):
        n, worst, where = WORST[name]
        lines.append(f"  {name:28s} {n:7d} checks, worst relative error {worst:.3g}"
                     + (f" ({where})" if worst > 0 else ""))
    for name in sorted(CLOSER):
        c = CLOSER[name]
        lines.append(f"  closer to exact, {name:20s} library {c['library']}, "
                     f"SciPy {c['scipy']}, equal {c['equal']}")
    return lines


def rel_error(got, exact):
    """|got - exact| / |exact| in mpmath (0 when both are 0, inf when only exact is)."""
    got = mpf(got) if math.isfinite(got) else got
    if exact == 0:
        return 0.0 if got == 0 else math.inf
    if isinstance(got, float):  # inf / nan
        return 0.0 if got == exact else math.inf
    return float(abs(got - exact) / abs(exact))


def record(name, err, where):
    e = WORST.setdefault(name, [0, 0.0, ""])
    e[0] += 1
    if err > e[1] or math.isnan(err):
        e[1], e[2] = err, where


def check_stat(failures, name, got, exact, where, rel=STAT_REL):
    if exact == mpmath.inf:
        err = 0.0 if got == math.inf else math.inf
    else:
        err = rel_error(got, exact)
    record(name, err, where)
    if not err <= rel:
        failures.append(f"{name}: got {got!r}, exact {mpmath.nstr(exact, 20)}, "
                        f"relative error {err:.3g} > {rel:g} [{where}]")


def check_p(failures, name, got, exact, where):
    if exact <= P_FLOOR and got <= P_FLOOR:
        record(name, 0.0, where)
        return
    err = rel_error(got, exact)
    record(name, err, where)
    if not err <= P_REL:
        failures.append(f"{name}: got {got!r}, exact {mpmath.nstr(exact, 20)}, "
                        f"relative error {err:.3g} > {P_REL:g} [{where}]")


def compare_scipy(name, got, scipy_value, exact):
    """Informative: which of the library and SciPy is closer to exact."""
    if not math.isfinite(scipy_value) or exact == 0 or exact == mpmath.inf:
        return
    a, b = rel_error(got, exact), rel_error(scipy_value, exact)
    c = CLOSER.setdefault(name, Counter())
    c["equal" if a == b else ("library" if a < b else "scipy")] += 1


# --- share metrics -------------------------------------------------------------

def shares_exact(rc, cc, a=0.5, base=2.0):
    """PSI, KL (smoothed, smoothing a), JS (raw shares, base), Hellinger, TVD, L-inf."""
    a = Fraction(a)
    B = len(rc)
    N, M = sum(rc), sum(cc)
    p = [(Fraction(r) + a) / (N + a * B) for r in rc]
    q = [(Fraction(c) + a) / (M + a * B) for c in cc]
    P = [Fraction(r, N) for r in rc]
    Q = [Fraction(c, M) for c in cc]

    def mf(x):
        return mpf(x.numerator) / mpf(x.denominator)

    psi = mpf(0)
    kl = mpf(0)
    for pi, qi in zip(p, q):
        if pi == qi:
            pass
        elif pi == 0 or qi == 0:
            psi = mpmath.inf
        else:
            psi += mf(qi - pi) * mpmath.log(mf(qi) / mf(pi))
        if pi == 0:
            pass
        elif qi == 0:
            kl = mpmath.inf
        else:
            kl += mf(pi) * mpmath.log(mf(pi) / mf(qi))
    js = mpf(0)
    h2 = mpf(0)
    tvd = Fraction(0)
    linf = Fraction(0)
    for Pi, Qi in zip(P, Q):
        m = (Pi + Qi) / 2
        if Pi > 0:
            js += mf(Pi) * mpmath.log(mf(Pi) / mf(m))
        if Qi > 0:
            js += mf(Qi) * mpmath.log(mf(Qi) / mf(m))
        h2 += (mpmath.sqrt(mf(Pi)) - mpmath.sqrt(mf(Qi))) ** 2
        tvd += abs(Pi - Qi)
        linf = max(linf, abs(Pi - Qi))
    js = mpmath.sqrt(max(js, 0) / mpmath.log(mpf(base)) / 2)
    hell = min(mpf(1), mpmath.sqrt(h2 / 2))
    return dict(psi=psi, kl=kl, js=js, hellinger=hell, tvd=mf(tvd / 2), linf=mf(linf))


# --- sample statistics ---------------------------------------------------------

def _runs(x, y):
    """(value, #x <= value, #y <= value) at the end of each run of equal pooled values."""
    xs, ys = sorted(x), sorted(y)
    out = []
    i = j = 0
    n, m = len(xs), len(ys)
    while i < n or j < m:
        v = xs[i] if j >= m or (i < n and xs[i] <= ys[j]) else ys[j]
        while i < n and xs[i] <= v:
            i += 1
        while j < m and ys[j] <= v:
            j += 1
        out.append((v, i, j))
    return out


def ks_stat_exact(x, y):
    """(k, D) with D = k / (n m) = max |F_x - F_y| exactly."""
    n, m = len(x), len(y)
    k = max(abs(i * m - j * n) for _, i, j in _runs(x, y))
    return k, Fraction(k, n * m)


def ks_pvalue_exact(n, m, k):
    """P(max |i m - j n| >= k) over the C(n+m, n) lattice paths, exactly."""
    if k == 0:
        return mpf(1)
    row = [0] * (m + 1)
    for j in range(m + 1):
        if abs(j * n) >= k:
            break
        row[j] = 1
    for i in range(1, n + 1):
        new = [0] * (m + 1)
        for j in range(m + 1):
            if abs(i * m - j * n) < k:
                new[j] = row[j] + (new[j - 1] if j else 0)
        row = new
    total = math.comb(n + m, n)
    f = Fraction(total - row[m], total)
    return mpf(f.numerator) / f.denominator


def cdf_distance_exact(x, y, p):
    """Wasserstein-1 (p=1) or energy distance (p=2, sqrt(2) * L2) exactly."""
    n, m = len(x), len(y)
    runs = _runs(x, y)
    s = mpf(0)
    for (v, i, j), (nv, _, _) in zip(runs, runs[1:]):
        d = abs(Fraction(i, n) - Fraction(j, m))
        delta = mpf(nv) - mpf(v)
        dd = mpf(d.numerator) / d.denominator
        s += (dd if p == 1 else dd * dd) * delta
    return s if p == 1 else mpmath.sqrt(2 * s)


def std_pop_exact(x):
    fx = [Fraction(v) for v in x]
    mean = sum(fx) / len(fx)
    var = sum((v - mean) ** 2 for v in fx) / len(fx)
    return mpmath.sqrt(mpf(var.numerator) / var.denominator)


def cvm_u_exact(x, y):
    """U = n sum (r_i - i)^2 + m sum (s_j - j)^2 with midranks, exactly."""
    n, m = len(x), len(y)
    xs, ys = sorted(x), sorted(y)
    i = j = 0
    sx = sy = Fraction(0)
    while i < n or j < m:
        v = xs[i] if j >= m or (i < n and xs[i] <= ys[j]) else ys[j]
        i0, j0 = i, j
        while i < n and xs[i] <= v:
            i += 1
        while j < m and ys[j] <= v:
            j += 1
        r = Fraction(i0 + j0) + Fraction(i - i0 + j - j0 + 1, 2)
        for q in range(1, i - i0 + 1):
            sx += (r - (i0 + q)) ** 2
        for q in range(1, j - j0 + 1):
            sy += (r - (j0 + q)) ** 2
    return n * sx + m * sy


def cvm_t_exact(n, m, u):
    N = n + m
    return u / (n * m * N) - Fraction(4 * n * m - 1, 6 * N)


@lru_cache(maxsize=None)
def cvm_u_distribution(n, m):
    """Counter of U over all C(n+m, n) arrangements without ties: a step
    taking an x when j y's precede it adds n j^2, a y after i x's adds m i^2."""
    prev = [None] * (m + 1)
    for i in range(n + 1):
        cur = [None] * (m + 1)
        for j in range(m + 1):
            if i == 0 and j == 0:
                cur[j] = Counter({0: 1})
                continue
            c = Counter()
            if i > 0:
                add = n * j * j
                for u, k in prev[j].items():
                    c[u + add] += k
            if j > 0:
                add = m * i * i
                for u, k in cur[j - 1].items():
                    c[u + add] += k
            cur[j] = c
        prev = cur
    dist = prev[m]
    return sorted(dist.items())


def cvm_pvalue_exact(n, m, u):
    dist = cvm_u_distribution(n, m)
    hits = sum(k for v, k in dist if v >= u)
    return mpf(hits) / math.comb(n + m, n)


def _cvm_inf_sf_series(x):
    with mpmath.workdps(30):
        tot = mpf(0)
        k = 0
        while True:
            y = 4 * k + 1
            q = mpf(y) ** 2 / (16 * x)
            z = (mpmath.gamma(k + mpf(1) / 2) / mpmath.gamma(k + 1)
                 / (mpmath.pi ** mpf(1.5) * mpmath.sqrt(x))
                 * mpmath.sqrt(y) * mpmath.exp(-q) * mpmath.besselk(mpf(1) / 4, q))
            tot += z
            k += 1
            if z < mpf(10) ** -33 * tot:
                return +(1 - tot)


def cvm_inf_sf(x):
    """1 - the limiting CvM CDF at x. Below 2 (where 1 - CDF > 1e-5): one
    minus the Csorgo-Faraway series at 30 digits. From 2 on: Smirnov's
    integral for the tail, (1/pi) sum_k (-1)^(k+1) int_{(2k-1)pi}^{2k pi}
    sqrt(-u / sin u) exp(-x u^2 / 2) (2 / u) du, with u = a + pi sin^2(t/2)
    (an analytic integrand: the endpoint singularities cancel), by mpmath.quad
    at 30 digits:
    no cancellation, so tail values down to 1e-300 and beyond keep every
    digit. Both agree to 1e-20 from 0.5 to 3."""
    x = mpf(x)
    if x <= 0:
        return mpf(1)
    if x < 2:
        return _cvm_inf_sf_series(x)
    with mpmath.workdps(30):
        pi = mpmath.pi
        tot = mpf(0)
        k = 1
        while True:
            a = (2 * k - 1) * pi

            def f(th):
                # 2 pi sqrt(s c / sin(pi s)) exp(-x (u^2 - a^2) / 2) / sqrt(u),
                # u = a + pi s, s = sin^2(th/2), c = cos^2(th/2)
                s, c = mpmath.sin(th / 2) ** 2, mpmath.cos(th / 2) ** 2
                sps = mpmath.sin(pi * s) if s <= 0.5 else mpmath.sin(pi * c)
                return (2 * pi * mpmath.sqrt(s * c / sps)
                        * mpmath.exp(-x * (pi * s) * (2 * a + pi * s) / 2) / mpmath.sqrt(a + pi * s))

            w = mpmath.sqrt(2 / (x * a * pi))
            pts = [mpf(0)] + [j * w for j in (1, 2, 4, 8, 16) if j * w < pi] + [pi]
            t = mpmath.quad(f, pts) * mpmath.exp(-x * a * a / 2)
            tot += t if k % 2 else -t
            if abs(t) < mpf(10) ** -25 * abs(tot):
                return +(tot / pi)
            k += 1


def cvm_asymptotic_pvalue(n, m, t):
    """SciPy's normalisation of T, then the limiting distribution's tail."""
    N = n + m
    k = n * m
    et = Fraction(1) / 6 * (1 + Fraction(1, N))
    vt = Fraction((N + 1) * (4 * k * N - 3 * (n * n + m * m) - 2 * k), 45 * N * N * 4 * k)
    with mpmath.workdps(60):
        tn = mpf(1) / 6 + (mpf(t.numerator) / t.denominator - mpf(et.numerator) / et.denominator) \
            / mpmath.sqrt(45 * mpf(vt.numerator) / vt.denominator)
    if tn < mpf("0.003"):
        return mpf(1)
    return cvm_inf_sf(tn)


# --- categorical tests ---------------------------------------------------------

def chi2_exact(rc, cc):
    """Pearson chi-square on the 2 x k table of the union of categories."""
    keep = [(r, c) for r, c in zip(rc, cc) if r + c > 0]
    N, M = sum(r for r, _ in keep), sum(c for _, c in keep)
    T = N + M
    x = Fraction(0)
    for r, c in keep:
        for obs, tot in ((r, N), (c, M)):
            e = Fraction(tot * (r + c), T)
            x += (obs - e) ** 2 / e
    dof = len(keep) - 1
    xm = mpf(x.numerator) / x.denominator
    if dof == 0:
        return xm, mpf(1), dof
    # mpmath's upper incomplete gamma keeps its relative precision in the tail.
    p = mpmath.gammainc(mpf(dof) / 2, xm / 2, mpmath.inf, regularized=True)
    return xm, p, dof


def ztest_exact(r0, r1, c0, c1):
    n, m = r0 + r1, c0 + c1
    pr, pc = Fraction(r0, n), Fraction(c0, m)
    pool = Fraction(r0 + c0, n + m)
    z2 = (pr - pc) ** 2 / (pool * (1 - pool) * (Fraction(1, n) + Fraction(1, m)))
    z = mpmath.sqrt(mpf(z2.numerator) / z2.denominator)
    p = mpmath.erfc(z / mpmath.sqrt(2))
    return z, p
