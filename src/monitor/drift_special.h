/*
 * Internal: the special functions behind the drift p-values.
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * Each follows the algorithm SciPy 1.10 uses for the same quantity (so that
 * p-values agree to 1e-9 relative), written from the published methods:
 * Simard & L'Ecuyer (2011) for the two-sided Kolmogorov distribution
 * (Durbin matrix, Pelz-Good, Birnbaum-Tingey sum), Csörgő & Faraway (1996)
 * for the limiting Cramér-von Mises distribution. All are pure and
 * thread-safe (lgamma_r and lgammal_r, never lgamma/lgammal, which write the
 * global signgam; no other globals).
 */
#ifndef MLOPS_MONITOR_DRIFT_SPECIAL_H
#define MLOPS_MONITOR_DRIFT_SPECIAL_H

#include <stdint.h>

/** Upper regularised incomplete gamma Q(a, x), a > 0, x >= 0. */
double mlops__drift_gamma_q(double a, double x);

/** Chi-square survival function P(X > x) with `dof` > 0 degrees of freedom. */
double mlops__drift_chi2_sf(double x, double dof);

/** Standard normal survival function P(Z > z). */
double mlops__drift_norm_sf(double z);

/** One-sided Smirnov survival function P(D+_n >= x) (as scipy.special.smirnov). */
double mlops__drift_smirnov_sf(int64_t n, double x);

/** Two-sided Kolmogorov survival P(D_n >= x) (as scipy.stats.kstwo.sf).
 *  NaN only when the Durbin matrix cannot be allocated (nothing recorded). */
double mlops__drift_kstwo_sf(int64_t n, double x);

/** Modified Bessel function K_{1/4}(q) times e^q, q > 0. */
double mlops__drift_bessel_k14_scaled(double q);

/** CDF of the limiting Cramér-von Mises distribution (Csörgő-Faraway
 *  series), summed until a term is below 1e-17 of the running sum. */
double mlops__drift_cvm_inf_cdf(double x);

/** 1 - the limiting CvM CDF at x, to full relative accuracy into the tail
 *  (Smirnov's integral from x = 1 on). */
double mlops__drift_cvm_inf_sf(double x);

#endif /* MLOPS_MONITOR_DRIFT_SPECIAL_H */
