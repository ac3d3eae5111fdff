/**
 * @file
 * libmlops — streaming profiles: mergeable, serialisable column summaries.
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * A profile summarises one column in one pass: a numeric profile keeps the
 * counts of finite and non-finite values, exact mean and variance (mergeable,
 * numerically stable), min and max, an optional fixed-edge histogram and a
 * KLL quantile sketch; a categorical profile keeps exact counts of integer
 * codes up to a cap and a Misra–Gries heavy-hitters summary beyond it.
 * Profiles built on different workers merge into one; they serialise to a
 * versioned, checksummed byte string (docs/formats/profile-v1.md) and two
 * profiles can be compared with tests that account for the sketch error.
 *
 * Threads: a profile is used by one thread at a time; functions taking a
 * `const mlops_profile *` do not modify it and may run concurrently on the
 * same profile.
 */
#ifndef MLOPS_PROFILE_H
#define MLOPS_PROFILE_H

#include <stddef.h>
#include <stdint.h>

#include "mlops/common.h"
#include "mlops/drift.h"

#ifdef __cplusplus
extern "C" {
#endif

/** An opaque profile of one column. */
typedef struct mlops_profile mlops_profile;

/** What a profile summarises. Values are part of the byte format. */
typedef enum mlops_profile_type {
    /** double values: moments, min/max, histogram, KLL sketch */
    MLOPS_PROFILE_NUMERIC = 1,
    /** int64 category codes: counts with a heavy-hitters fallback */
    MLOPS_PROFILE_CATEGORICAL = 2
} mlops_profile_type;

/** Default KLL parameter k (rank error about 1.33% at 99% confidence). */
#define MLOPS_PROFILE_DEFAULT_K 200
/** Default number of distinct categories counted exactly. */
#define MLOPS_PROFILE_DEFAULT_CATEGORY_CAP 1024
/** Largest number of histogram edges a profile accepts. */
#define MLOPS_PROFILE_MAX_EDGES 65536

/** Version of mlops_profile_options known to this header. */
#define MLOPS_PROFILE_OPTIONS_VERSION 1

/** Options of mlops_profile_new(); NULL means all defaults. */
typedef struct mlops_profile_options {
    MLOPS_OPTIONS_HEADER;
    /** Must be 0. */
    uint32_t flags;
    /** KLL parameter k, 8..65535 (default 200). Larger is more accurate and
     *  larger: the rank error is about 2.296 / k^0.9723. */
    uint32_t kll_k;
    /** Seed of the generator that drives compaction: the same seed and the
     *  same input give the same sketch, bit for bit (default 0). */
    uint64_t seed;
    /** Histogram edges, strictly increasing and finite, or NULL for no
     *  histogram. The library copies them. Bins are (-inf, e0), [e0, e1),
     *  ..., [e_last, +inf): a value's bin is the number of edges <= it. */
    const double *edges;
    /** Number of edges (1..MLOPS_PROFILE_MAX_EDGES when edges is given). */
    size_t n_edges;
    /** Categorical profiles: distinct codes counted exactly (2..65536,
     *  default 1024). */
    uint32_t category_cap;
} mlops_profile_options;

/** Initialiser with every default. */
#define MLOPS_PROFILE_OPTIONS_INIT                                                    \
    { MLOPS_PROFILE_OPTIONS_VERSION, sizeof(mlops_profile_options), 0,                \
      MLOPS_PROFILE_DEFAULT_K, 0, NULL, 0, MLOPS_PROFILE_DEFAULT_CATEGORY_CAP }

/**
 * Fill `opts` (of `size` bytes, the caller's sizeof) with the defaults, for
 * FFIs that cannot use MLOPS_PROFILE_OPTIONS_INIT.
 * @return 0, or MLOPS_E_INVALID (NULL, or size too small).
 */
MLOPS_EXTERN int mlops_profile_options_init(mlops_profile_options *opts, size_t size);

/**
 * Create an empty profile.
 * @param out  receives the profile; release it with mlops_profile_free()
 * @param kind MLOPS_PROFILE_NUMERIC or MLOPS_PROFILE_CATEGORICAL
 * @param opts options or NULL (edges are copied; the pointer need not outlive
 *             the call)
 * @return 0; MLOPS_E_INVALID (NULL out, unknown kind or flags, k or cap out of
 *         range, edges not strictly increasing or not finite, edges given to a
 *         categorical profile); MLOPS_E_VERSION (options version); MLOPS_E_NOMEM.
 */
MLOPS_EXTERN int mlops_profile_new(mlops_profile **out, int kind,
                                   const mlops_profile_options *opts);

/** Release a profile. Accepts NULL. */
MLOPS_EXTERN void mlops_profile_free(mlops_profile *p);

/**
 * Deep copy of a profile (same state, same generator state).
 * @return 0, MLOPS_E_INVALID (NULL argument) or MLOPS_E_NOMEM.
 */
MLOPS_EXTERN int mlops_profile_dup(mlops_profile **out, const mlops_profile *p);

/**
 * Add `n` values to a numeric profile. NaN, +inf and -inf are counted
 * separately and kept out of every other statistic. Never allocates.
 * @param p      a numeric profile
 * @param values the values (not retained); may be NULL when n == 0
 * @param n      number of values
 * @return 0, MLOPS_E_INVALID (NULL profile or values, categorical
 *         profile), or MLOPS_E_LIMIT (the value counts would overflow 64
 *         bits); nothing changes on failure.
 */
MLOPS_EXTERN int mlops_profile_update(mlops_profile *p, const double *values, size_t n);

/**
 * Add `n` category codes to a categorical profile. Never allocates.
 * @return 0, MLOPS_E_INVALID (NULL argument, numeric profile), or
 *         MLOPS_E_LIMIT (the total would overflow 64 bits); nothing changes
 *         on failure.
 */
MLOPS_EXTERN int mlops_profile_update_codes(mlops_profile *p, const int64_t *codes, size_t n);

/**
 * Merge `src` into `dst` (dst becomes the profile of both inputs). Counts,
 * histogram counts, min and max merge exactly; mean and variance with Chan
 * et al.'s formulas; the KLL sketches with the error of the smaller k.
 * Category counts are exact while both fit the cap of `dst`.
 * @return 0; MLOPS_E_INVALID (NULL, dst == src, different kinds, different
 *         histogram edges — the message names the first difference);
 *         MLOPS_E_LIMIT (the sketch would need more than 60 levels, beyond
 *         2^55 values, or the value counts of the two would overflow 64
 *         bits); MLOPS_E_NOMEM. dst is unchanged on failure.
 */
MLOPS_EXTERN int mlops_profile_merge(mlops_profile *dst, const mlops_profile *src);

/**
 * Serialise a profile (format version 1, docs/formats/profile-v1.md),
 * appending the bytes to `out`.
 * @return 0, MLOPS_E_INVALID (NULL) or MLOPS_E_NOMEM (out as it was).
 */
MLOPS_EXTERN int mlops_profile_write(mlops_buf *out, const mlops_profile *p, uint32_t flags);

/**
 * Read a profile from bytes written by mlops_profile_write() (any
 * supported format version). Any byte string either gives a profile or a
 * clear error naming the byte offset; allocations are bounded by the input
 * size and the profile's parameters.
 * @return 0; MLOPS_E_INVALID (NULL out, or NULL data with size > 0);
 *         MLOPS_E_PARSE (truncated, bad magic or length, a count larger
 *         than the bytes left, trailing bytes); MLOPS_E_VERSION (format
 *         version unknown); MLOPS_E_INTEGRITY (CRC mismatch);
 *         MLOPS_E_SCHEMA (well-formed but inconsistent content: unknown kind
 *         or flags, parameter out of range, unsorted items, counts that do
 *         not add up); MLOPS_E_NOMEM.
 */
MLOPS_EXTERN int mlops_profile_parse(mlops_profile **out, const void *data, size_t size);

/** @name Accessors (never fail; NULL profiles give 0 or NaN) */
/**@{*/
/**@}*/

/** Version of struct mlops_profile_info filled by this library. */
#define MLOPS_PROFILE_INFO_VERSION 1

/**
 * Every summary value of a profile in one read-only struct (the values of
 * the accessors above). The struct lives in the profile and the library
 * keeps it up to date: it (and the arrays it points to) is valid until the
 * next call that changes the profile (mlops_profile_update(),
 * mlops_profile_update_codes(), mlops_profile_merge() into it,
 * mlops_profile_free()), which rewrites it in place. Version 1; fields are
 * only ever added at the end (see MLOPS_INFO_HAS()).
 *
 * Variance: `m2` is the sum of squared deviations from the mean; the
 * variance with `ddof` delta degrees of freedom is m2 / (count - ddof) when
 * count > ddof (what mlops_profile_variance() returns), else NaN.
 */
struct mlops_profile_info {
    MLOPS_INFO_HEADER;
    /** The mlops_profile_type: MLOPS_PROFILE_NUMERIC or MLOPS_PROFILE_CATEGORICAL. */
    int kind;
    /** KLL parameter k of a numeric profile; 0 for a categorical one. */
    uint32_t kll_k;
    /** Values summarised: finite values (numeric) or codes (categorical). */
    uint64_t count;
    /** NaN values seen by a numeric profile (0 for a categorical one). */
    uint64_t nan_count;
    /** +inf values seen by a numeric profile. */
    uint64_t posinf_count;
    /** -inf values seen by a numeric profile. */
    uint64_t neginf_count;
    /** Mean of the finite values; NaN when there are none (or categorical). */
    double mean;
    /** Sum of squared deviations from the mean of the finite values; NaN
     *  when there are none (or categorical). See the variance note above. */
    double m2;
    /** Smallest finite value; NaN when there are none. */
    double min;
    /** Largest finite value; NaN when there are none. */
    double max;
    /** Values retained by the KLL sketch (0 for a categorical profile). */
    size_t retained;
    /** Normalised rank error of the sketch (mlops_profile_rank_error());
     *  NaN for a categorical profile. */
    double rank_error;
    /** Histogram edges of a numeric profile (`n_histogram_edges` values),
     *  NULL when it has none. */
    const double *histogram_edges;
    /** Number of histogram edges; 0 without a histogram. */
    size_t n_histogram_edges;
    /** Histogram counts (`n_histogram_counts` = n_histogram_edges + 1
     *  bins), NULL without a histogram. */
    const uint64_t *histogram_counts;
    /** Number of histogram counts; 0 without a histogram. */
    size_t n_histogram_counts;
    /** Distinct codes retained by a categorical profile (0 for numeric). */
    size_t category_size;
    /** Undercount bound of the category counts (mlops_profile_category_error());
     *  0 while exact and for a numeric profile. */
    uint64_t category_error;
};

/**
 * The summary of `p`, or NULL when `p` is NULL. Never allocates (the struct
 * is kept up to date by the calls that change the profile); any number of
 * threads may call it concurrently on a profile nobody is changing.
 */
MLOPS_EXTERN const struct mlops_profile_info *mlops_profile_info(const mlops_profile *p);

/**
 * Copy the retained categories, sorted by code, into caller arrays.
 * @param codes, counts arrays of `capacity` entries (either may be NULL)
 * @param capacity entries of each array
 * @param n_out receives the number of retained categories
 * @param p a categorical profile
 * @return 0; MLOPS_E_INVALID (NULL p or n_out, numeric profile);
 *         MLOPS_E_LIMIT (capacity < number retained; *n_out still set);
 *         MLOPS_E_NOMEM.
 */
MLOPS_EXTERN int mlops_profile_categories(int64_t *codes, uint64_t *counts, size_t capacity,
                                          size_t *n_out, const mlops_profile *p);

/**
 * Approximate quantile: the smallest retained value whose estimated rank
 * (fraction of values <= it) is at least `rank`; rank 0 gives the exact
 * minimum and 1 the exact maximum. Within mlops_profile_rank_error() in rank.
 * @return 0; MLOPS_E_INVALID (NULL, categorical, rank outside [0, 1] or NaN);
 *         MLOPS_E_DOMAIN (no finite values); MLOPS_E_NOMEM.
 */
MLOPS_EXTERN int mlops_profile_quantile(double *out, const mlops_profile *p, double rank);

/* ------------------------------------------------------------------------ */
/* Histogram and category metrics between profiles (exact)                  */
/* ------------------------------------------------------------------------ */

/**
 * Compare two profiles with a drift metric computed from their exact counts
 * (no sketch error): the drift module's share metrics on the histograms,
 * as mlops_drift_counts() (docs/drift-contract.md, "Smoothing and logs").
 *
 * Numeric profiles: both must have histograms with identical edges (the
 * same doubles, bit for bit); metrics PSI, KL, JS, HELLINGER, TVD, LINF,
 * AUTO (= PSI). The result equals mlops_drift_numeric() with
 * MLOPS_DRIFT_BINS_EDGES and those edges on the raw values the profiles
 * summarise; the non-finite values (NaN, +inf, -inf) the profiles counted
 * are reported as missing_ref / missing_cur.
 *
 * Categorical profiles: the bins are the union of both profiles' codes, in
 * code order; metrics PSI ... LINF, CHI2, ZTEST, AUTO (= PSI). The counts
 * must be exact: a profile that exceeded its category cap (a non-zero
 * mlops_profile_category_error()) is refused with MLOPS_E_LIMIT rather than
 * compared approximately. mlops_drift_result_categories() holds the codes
 * when all of them fit in int32_t, else NULL. missing counts are 0.
 *
 * @param out    receives the result; release with mlops_drift_result_free().
 * @param ref    profile of the reference data (not modified).
 * @param cur    profile of the current data (not modified).
 * @param metric an mlops_drift_metric as above.
 * @param opts   drift options (smoothing, js_base, threshold, flags;
 *               binning fields are ignored), or NULL for the defaults.
 * @return 0; MLOPS_E_INVALID (NULL argument, profiles of different kinds, a
 *         numeric profile without histogram, different edges — the message
 *         names the first difference —, a metric that does not apply, bad
 *         options); MLOPS_E_VERSION (options version); MLOPS_E_LIMIT (a
 *         categorical profile with approximate counts); MLOPS_E_DOMAIN (a
 *         profile without finite values / codes, a missing count with
 *         MLOPS_DRIFT_REJECT_NONFINITE, ZTEST on a union of other than two
 *         codes); MLOPS_E_NOMEM. *out is unchanged on failure. Reads the
 *         profiles only: may run concurrently on the same profiles.
 */
MLOPS_EXTERN int mlops_profile_drift(mlops_drift_result **out, const mlops_profile *ref,
                                     const mlops_profile *cur, int metric,
                                     const mlops_drift_options *opts);

/* ------------------------------------------------------------------------ */
/* Tests between profiles that carry the sketch error                       */
/* ------------------------------------------------------------------------ */

/** Verdicts of a test between sketches. */
typedef enum mlops_sketch_verdict {
    /** Even the largest statistic the sketches allow is below the threshold. */
    MLOPS_SKETCH_NO_DRIFT = 0,
    /** Even the smallest statistic the sketches allow reaches the threshold. */
    MLOPS_SKETCH_DRIFT = 1,
    /** The threshold lies inside the statistic's interval: the sketches are
     *  too coarse to decide. A caller wanting a yes/no answer treats it as
     *  "no drift" (the conservative reading, as DataSketches does). */
    MLOPS_SKETCH_INCONCLUSIVE = 2
} mlops_sketch_verdict;

/** Version of mlops_profile_test known to this header. */
#define MLOPS_SKETCH_TEST_VERSION 1

/**
 * Result of a test between profiles. The caller sets version and size
 * (MLOPS_SKETCH_TEST_INIT); the library writes only what size covers.
 */
typedef struct mlops_profile_test {
    MLOPS_OPTIONS_HEADER;
    /** The statistic computed from the sketches. */
    double statistic;
    /** Interval that contains the statistic of the full data (at the
     *  sketches' 99% confidence): [low, high]. Equal to the statistic when
     *  both sketches are exact. */
    double low;
    /** Upper end of that interval. */
    double high;
    /** KS: asymptotic p-values at high and at low (so p_low <= p_high);
     *  NaN for Wasserstein. */
    double pvalue_low;
    /** KS: asymptotic p-value at low (see pvalue_low); NaN for Wasserstein. */
    double pvalue_high;
    /** The threshold the interval was compared with: the KS critical value
     *  at alpha, or the caller's Wasserstein threshold. */
    double threshold;
    /** Rank errors of the two sketches that widened the interval. */
    double eps_ref;
    /** Rank error of the current profile's sketch (see eps_ref). */
    double eps_cur;
    /** An mlops_sketch_verdict. */
    int32_t verdict;
} mlops_profile_test;

/** Initialiser for a result struct. */
#define MLOPS_SKETCH_TEST_INIT { MLOPS_SKETCH_TEST_VERSION, sizeof(mlops_profile_test), 0, 0, 0, 0, 0, 0, 0, 0, 0 }

/**
 * Two-sample Kolmogorov–Smirnov test between numeric profiles.
 * statistic = sup |F_ref - F_cur| over the sketches' retained values;
 * low/high = statistic -/+ (eps_ref + eps_cur), clipped to [0, 1];
 * threshold = c(alpha) sqrt((n + m) / (n m)) with c(alpha) =
 * sqrt(-ln(alpha / 2) / 2) and n, m the true counts; verdict DRIFT when
 * low > threshold, NO_DRIFT when high <= threshold, else INCONCLUSIVE.
 * P-values are the asymptotic Kolmogorov distribution at high and low.
 * @param out receives the result; the caller sets its version and size
 *            (MLOPS_SKETCH_TEST_INIT)
 * @param ref, cur numeric profiles of the reference and the current data
 * @param alpha significance level in (0, 1)
 * @return 0; MLOPS_E_INVALID (NULL, categorical, alpha out of range, result
 *         size too small); MLOPS_E_VERSION (result version unknown);
 *         MLOPS_E_DOMAIN (a profile without finite values, the message names
 *         which); MLOPS_E_NOMEM. *out is unchanged on failure.
 */
MLOPS_EXTERN int mlops_profile_ks_test(mlops_profile_test *out, const mlops_profile *ref,
                                       const mlops_profile *cur, double alpha);

/**
 * Wasserstein-1 distance between numeric profiles, computed exactly between
 * the two sketches' step CDFs; low/high = statistic -/+ (eps_ref + eps_cur)
 * * (max - min over both profiles), clipped at 0 (both CDFs are exact outside
 * the joint range). Verdict DRIFT when low >= threshold, NO_DRIFT when
 * high < threshold, else INCONCLUSIVE.
 * @param out as for mlops_profile_ks_test()
 * @param ref, cur numeric profiles of the reference and the current data
 * @param threshold distance threshold (finite, >= 0)
 * @return as mlops_profile_ks_test().
 */
MLOPS_EXTERN int mlops_profile_wasserstein(mlops_profile_test *out, const mlops_profile *ref,
                                           const mlops_profile *cur, double threshold);

/* ------------------------------------------------------------------------ */
/* Experimental: declared only with MLOPS_EXPERIMENTAL defined; not covered  */
/* by the ABI promise (docs/abi-policy.md).                                  */
/* ------------------------------------------------------------------------ */
#ifdef MLOPS_EXPERIMENTAL

/** Retained count of a code: a lower bound of its true count. */
MLOPS_EXTERN uint64_t mlops_profile_category_count(const mlops_profile *p, int64_t code);

/**
 * Approximate normalised rank of x: the fraction of finite values <= x.
 * @return 0; MLOPS_E_INVALID (NULL, categorical, x NaN); MLOPS_E_DOMAIN
 *         (no finite values); MLOPS_E_NOMEM.
 */
MLOPS_EXTERN int mlops_profile_rank(double *out, const mlops_profile *p, double x);

/**
 * Histogram edges from the quantiles of a reference profile: interior
 * points at rank i/bins, i = 1..bins-1, duplicates removed. While the sketch
 * is exact they are NumPy's linear-interpolation quantiles of the data (the
 * drift contract's `quantile` bins); after compaction they are the sketch's
 * quantiles at those ranks (within its rank error).
 * @param edges array of at least bins - 1 entries
 * @param n_edges receives the number of edges written
 * @param ref a numeric profile of the reference data
 * @param bins number of bins the edges delimit
 * @return 0; MLOPS_E_INVALID (NULL, categorical, bins < 2 or > 65537);
 *         MLOPS_E_DOMAIN (no finite values); MLOPS_E_NOMEM.
 */
MLOPS_EXTERN int mlops_profile_quantile_edges(double *edges, size_t *n_edges,
                                              const mlops_profile *ref, uint32_t bins);


/** MLOPS_PROFILE_NUMERIC or MLOPS_PROFILE_CATEGORICAL (0 for NULL). */
MLOPS_EXTERN int mlops_profile_kind(const mlops_profile *p);

/** Values summarised: finite values (numeric) or codes (categorical). */
MLOPS_EXTERN uint64_t mlops_profile_count(const mlops_profile *p);

/** NaN values seen by a numeric profile. */
MLOPS_EXTERN uint64_t mlops_profile_nan_count(const mlops_profile *p);

/** +inf values seen by a numeric profile. */
MLOPS_EXTERN uint64_t mlops_profile_posinf_count(const mlops_profile *p);

/** -inf values seen by a numeric profile. */
MLOPS_EXTERN uint64_t mlops_profile_neginf_count(const mlops_profile *p);

/** Mean of the finite values; NaN when there are none. */
MLOPS_EXTERN double mlops_profile_mean(const mlops_profile *p);

/** Variance with `ddof` delta degrees of freedom (0: population, 1: sample);
 *  NaN when count <= ddof. */
MLOPS_EXTERN double mlops_profile_variance(const mlops_profile *p, uint32_t ddof);

/** Smallest finite value; NaN when there are none. */
MLOPS_EXTERN double mlops_profile_min(const mlops_profile *p);

/** Largest finite value; NaN when there are none. */
MLOPS_EXTERN double mlops_profile_max(const mlops_profile *p);

/** KLL parameter k of a numeric profile. */
MLOPS_EXTERN uint32_t mlops_profile_kll_k(const mlops_profile *p);

/** Values retained by the KLL sketch. */
MLOPS_EXTERN size_t mlops_profile_retained(const mlops_profile *p);

/**
 * Normalised rank error of the sketch at 99% confidence: a rank or quantile
 * answer is within this fraction of the count of the truth. 0 while the
 * sketch is exact (it has never compacted); otherwise 2.296 / k^0.9723 with
 * the smallest k merged in (0.0133 at k = 200).
 */
MLOPS_EXTERN double mlops_profile_rank_error(const mlops_profile *p);

/**
 * Histogram edges of a numeric profile (borrowed, valid while p lives and is
 * not merged into); NULL and *n = 0 when it has none.
 */
MLOPS_EXTERN const double *mlops_profile_histogram_edges(size_t *n, const mlops_profile *p);

/**
 * Histogram counts, n_edges + 1 bins (borrowed as above); NULL and *n = 0
 * when there is no histogram. Non-finite values are not in any bin: see the
 * nan/posinf/neginf counts.
 */
MLOPS_EXTERN const uint64_t *mlops_profile_histogram_counts(size_t *n, const mlops_profile *p);

/** Distinct codes retained by a categorical profile. */
MLOPS_EXTERN size_t mlops_profile_category_size(const mlops_profile *p);

/** Undercount bound: every code's true count is in
 *  [category_count, category_count + category_error]; 0 while exact. */
MLOPS_EXTERN uint64_t mlops_profile_category_error(const mlops_profile *p);

#endif /* MLOPS_EXPERIMENTAL */

#ifdef __cplusplus
}
#endif

#endif /* MLOPS_PROFILE_H */
