#!/usr/bin/env python3
"""Expected values of the drift layer's special functions (src/monitor/drift_special.c)
from SciPy 1.10.1, one case per branch of each function.

    python3 gen_special.py > special.txt

Output (read by tests/unit/test_drift_special.c through vecfile.c): "case NAME",
then "fn NAME", "args A B", "want VALUE", "rtol R", "end". Values are Python repr
(shortest round trip); "nan" means the function must return NaN.
"""
import math

import scipy
from scipy import special, stats
from scipy.stats import _hypotests

assert scipy.__version__ == "1.10.1", scipy.__version__

cases = []


def case(name, fn, args, want, rtol=1e-12):
    cases.append((name, fn, args, want, rtol))


# Q(a, x) = gammaincc: the argument checks, both evaluation branches, underflow.
for name, a, x in [
    ("gamma_q_series", 3.0, 1.5),          # x < a + 1: 1 - P by the series
    ("gamma_q_series_small_a", 0.5, 0.1),
    ("gamma_q_cf", 2.5, 7.0),              # x >= a + 1: continued fraction
    ("gamma_q_cf_large", 50.0, 80.0),
    ("gamma_q_series_underflow", 1000.0, 1.0),  # the series' prefactor is 0: Q = 1
    ("gamma_q_cf_underflow", 1.0, 800.0),  # the fraction's prefactor is 0: Q = 0
    ("gamma_q_x0", 2.0, 0.0),
    ("gamma_q_xinf", 2.0, math.inf),
]:
    case(name, "gamma_q", (a, x), float(special.gammaincc(a, x)))
for name, a, x in [("gamma_q_aneg", -1.0, 1.0),
                   ("gamma_q_anan", math.nan, 1.0), ("gamma_q_xneg", 1.0, -1.0),
                   ("gamma_q_xnan", 1.0, math.nan)]:
    assert math.isnan(special.gammaincc(a, x))
    case(name, "gamma_q", (a, x), math.nan)

# chi2.sf
for name, x, dof in [("chi2_sf_1", 3.84, 1.0), ("chi2_sf_10", 25.0, 10.0),
                     ("chi2_sf_neg_x", -2.0, 3.0), ("chi2_sf_zero_x", 0.0, 3.0),
                     ("chi2_sf_tail", 400.0, 4.0)]:
    case(name, "chi2_sf", (x, dof), float(stats.chi2.sf(x, dof)))
for name, x, dof in [("chi2_sf_dof0", 1.0, 0.0), ("chi2_sf_dofneg", 1.0, -2.0)]:
    assert math.isnan(stats.chi2.sf(x, dof))
    case(name, "chi2_sf", (x, dof), math.nan)

# norm.sf
for name, z in [("norm_sf_0", 0.0), ("norm_sf_2", 2.0), ("norm_sf_neg", -1.5),
                ("norm_sf_tail", 30.0)]:
    case(name, "norm_sf", (z,), float(stats.norm.sf(z)))

# One-sided Smirnov: special.smirnov(n, x), every branch.
for name, n, x in [
    ("smirnov_n1", 1, 0.3),
    ("smirnov_x0", 10, 0.0),
    ("smirnov_x1", 10, 1.0),
    ("smirnov_nx_below_1", 10, 0.05),       # floor(n x) = 0
    ("smirnov_nx_exactly_1", 10, 0.1),      # floor(n x) = 1 with no fraction
    ("smirnov_exp_underflow", 1000, 0.9),   # -2 n x^2 below MINLOG: 0
    ("smirnov_near_top", 10, 0.95),         # floor(n x) >= n - 1: (1 - x)^n
    ("smirnov_sum", 10, 0.25),              # Birnbaum-Tingey sum
    ("smirnov_sum_integer_nx", 20, 0.25),   # n x an integer
    ("smirnov_sum_large_n", 5000, 0.01),
    ("smirnov_asymptotic", 2000000, 0.0005),  # n above SciPy's exact limit
    ("smirnov_asymptotic_small", 2000000, 0.00001),  # log p above -ln 2
]:
    case(name, "smirnov_sf", (n, x), float(special.smirnov(n, x)), 1e-10)
for name, n, x in [("smirnov_n0", 0, 0.5), ("smirnov_xneg", 10, -0.1),
                   ("smirnov_xbig", 10, 1.5), ("smirnov_xnan", 10, math.nan)]:
    case(name, "smirnov_sf", (n, x), math.nan)

# Two-sided Kolmogorov: stats.kstwo.sf(x, n), every branch of the dispatcher.
for name, n, x in [
    ("kstwo_x_ge_1", 10, 1.0),
    ("kstwo_x_le_0", 10, 0.0),
    ("kstwo_t_le_half", 10, 0.04),          # n x <= 0.5: 1
    ("kstwo_t_le_1_small_n", 10, 0.08),     # 0.5 < n x <= 1, n <= 140: product
    ("kstwo_t_le_1_large_n", 1000, 0.0008), # the same by Stirling, n > 140
    ("kstwo_t_near_n", 10, 0.92),           # n x >= n - 1: 2 (1 - x)^n
    ("kstwo_x_ge_half", 10, 0.6),           # 2 x smirnov
    ("kstwo_durbin_small_n", 20, 0.2),      # n <= 140, n x^2 <= 4: Durbin matrix
    ("kstwo_smirnov_small_n", 100, 0.25),   # n <= 140, n x^2 > 4
    ("kstwo_zero_large_n", 10000, 0.3),     # n x^2 >= 370: 0
    ("kstwo_smirnov_large_n", 1000, 0.05),  # n x^2 >= 2.2
    ("kstwo_durbin_large_n", 1000, 0.012),  # n <= 100000, n x^1.5 <= 1.4
    ("kstwo_pelz_good_n", 1000, 0.03),      # n x^1.5 > 1.4: Pelz-Good
    ("kstwo_pelz_good_huge_n", 200000, 0.002),  # n > 100000: Pelz-Good
]:
    case(name, "kstwo_sf", (n, x), float(stats.kstwo.sf(x, n)), 1e-9)
for name, n, x in [("kstwo_n0", 0, 0.5), ("kstwo_xnan", 10, math.nan)]:
    case(name, "kstwo_sf", (n, x), math.nan)

# e^q K_{1/4}(q) = kve(0.25, q), and the limiting Cramer-von Mises CDF.
for name, q in [("bessel_k14_small", 0.05), ("bessel_k14_1", 1.0),
                ("bessel_k14_large", 250.0)]:
    case(name, "bessel_k14_scaled", (q,), float(special.kve(0.25, q)), 1e-12)
for name, x in [("cvm_inf_small", 0.02), ("cvm_inf_mid", 0.3), ("cvm_inf_large", 2.0)]:
    case(name, "cvm_inf_cdf", (x,), float(_hypotests._cdf_cvm_inf(x)), 1e-6)
for name, x in [("cvm_inf_zero", 0.0), ("cvm_inf_neg", -1.0)]:
    case(name, "cvm_inf_cdf", (x,), 0.0, 0.0)

for name, fn, args, want, rtol in cases:
    print(f"case {name}")
    print(f"fn {fn}")
    print("args " + " ".join(repr(float(a)) if fn != "smirnov_sf" and fn != "kstwo_sf"
                             or i else str(a) for i, a in enumerate(args)))
    print(f"want {want!r}")
    print(f"rtol {rtol!r}")
    print("end")
