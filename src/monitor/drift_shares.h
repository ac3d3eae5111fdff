/*
 * Internal: share metrics between two histograms over the same bins.
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * The one implementation of the contract's smoothing and logs
 * (docs/drift-contract.md, "Smoothing and logs"), used by the batch metrics
 * and meant for any other producer of counts (streaming profiles, stored
 * references).
 */
#ifndef MLOPS_MONITOR_DRIFT_SHARES_H
#define MLOPS_MONITOR_DRIFT_SHARES_H

#include <stddef.h>
#include <stdint.h>

/** The six share metrics of one pair of histograms. */
typedef struct mlops__drift_shares {
    /** Population stability index on smoothed shares: sum (q - p) ln(q / p). */
    double psi;
    /** KL(ref || cur) in nats on smoothed shares: sum p ln(p / q). */
    double kl;
    /** Jensen-Shannon distance on raw shares, log base `js_base`. */
    double js;
    /** Hellinger distance sqrt(1 - sum sqrt(P Q)) on raw shares, in [0, 1]. */
    double hellinger;
    /** Total variation distance 0.5 * sum |P - Q| on raw shares. */
    double tvd;
    /** max |P - Q| on raw shares. */
    double linf;
} mlops__drift_shares;

/**
 * Compute all six share metrics from two count arrays over the same `bins`
 * bins (ref = p, the expected side; cur = q, the actual side).
 *
 * Smoothed shares (PSI, KL): p_i = (r_i + a) / (N + a * bins) with a =
 * `smoothing` >= 0; raw shares (JS, Hellinger, TVD, L-inf): P_i = r_i / N.
 * Every metric is formed without cancellation (see drift_shares.c) and
 * summed with compensation: within a few ulp of exact arithmetic.
 *
 * Preconditions (the caller checks them): bins >= 1, both totals > 0,
 * js_base > 0 and != 1. With smoothing 0 and an empty bin on one side, PSI
 * and KL are +inf (documented, not an error). Never allocates, never fails;
 * thread-safe.
 */
void mlops__drift_shares_from_counts(mlops__drift_shares *out, const uint64_t *ref_counts,
                                     const uint64_t *cur_counts, size_t bins,
                                     double smoothing, double js_base);

#endif /* MLOPS_MONITOR_DRIFT_SHARES_H */
