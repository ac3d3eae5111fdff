/**
 * @file
 * libmlops — batch drift metrics between a reference sample and a current one.
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * One numeric contract for every metric (docs/drift-contract.md): bins come
 * from the reference only, PSI and KL use additive smoothing a = 0.5 with
 * renormalisation, JS distance is base 2 by default, non-finite values are
 * omitted and counted. Where SciPy defines a statistic (ks_2samp,
 * wasserstein_distance, energy_distance, cramervonmises_2samp,
 * chi2_contingency) the result agrees with SciPy 1.10 to 1e-12 relative for
 * statistics and 1e-9 relative for p-values.
 *
 * Every function here is a pure function of its inputs, reentrant and
 * thread-safe; result and reference objects are immutable once returned and
 * may be read from many threads.
 */
#ifndef MLOPS_DRIFT_H
#define MLOPS_DRIFT_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The metrics and tests. Values are stable (they appear in saved results). */
typedef enum mlops_drift_metric {
    /** Pick a test by type and size (see mlops_drift_auto_metric()). */
    MLOPS_DRIFT_AUTO = 0,
    /** Two-sample Kolmogorov–Smirnov: D and its p-value. */
    MLOPS_DRIFT_KS = 1,
    /** Wasserstein-1 distance (scipy.stats.wasserstein_distance). */
    MLOPS_DRIFT_WASSERSTEIN = 2,
    /** Wasserstein-1 / max(population std of the reference, 0.001). */
    MLOPS_DRIFT_WASSERSTEIN_NORMED = 3,
    /** Energy distance (scipy.stats.energy_distance). */
    MLOPS_DRIFT_ENERGY = 4,
    /** Two-sample Cramér–von Mises T and its p-value. */
    MLOPS_DRIFT_CVM = 5,
    /** Population stability index on bins (smoothed shares). */
    MLOPS_DRIFT_PSI = 6,
    /** Kullback–Leibler divergence KL(ref || cur) in nats (smoothed shares). */
    MLOPS_DRIFT_KL = 7,
    /** Jensen–Shannon distance (raw shares, base `js_base`). */
    MLOPS_DRIFT_JS = 8,
    /** Hellinger distance (raw shares). */
    MLOPS_DRIFT_HELLINGER = 9,
    /** Total variation distance (raw shares). */
    MLOPS_DRIFT_TVD = 10,
    /** Largest absolute difference of shares (raw shares). */
    MLOPS_DRIFT_LINF = 11,
    /** Chi-square homogeneity test on the 2 x k table (categories only). */
    MLOPS_DRIFT_CHI2 = 12,
    /** Two-proportion z-test (binary categories only). */
    MLOPS_DRIFT_ZTEST = 13
} mlops_drift_metric;

/** Number of mlops_drift_metric values (for loops in bindings). */
#define MLOPS_DRIFT_METRIC_COUNT 14

/** How bins are made from the reference. */
typedef enum mlops_drift_binning {
    /** k bins at reference quantiles i/k (linear interpolation), ties merged. */
    MLOPS_DRIFT_BINS_QUANTILE = 0,
    /** k equal-width bins over [min, max] of the reference. */
    MLOPS_DRIFT_BINS_UNIFORM = 1,
    /** Interior edges given by the caller (`edges`, `n_edges`). */
    MLOPS_DRIFT_BINS_EDGES = 2
} mlops_drift_binning;

/** How a KS p-value is computed. */
typedef enum mlops_drift_ks_mode {
    /** As scipy.stats.ks_2samp(method='auto'): exact iff max(n, m) <= 10000,
     *  else kstwo.sf(D, round(n*m/(n+m))). */
    MLOPS_DRIFT_KS_SCIPY = 0,
    /** As SCIPY, but exact also beyond 10000 where feasible: equal sizes by
     *  the O(n) formula, otherwise the banded lattice count while the cells
     *  it visits, max(n, m) * min(min(n, m) + 1, 2 D min(n, m) + 3), are at
     *  most 5e7; the result's p-value method says which was used. */
    MLOPS_DRIFT_KS_EXACT_WHERE_FEASIBLE = 1,
    /** Always the asymptotic kstwo.sf(D, round(n*m/(n+m))). */
    MLOPS_DRIFT_KS_ASYMPTOTIC = 2
} mlops_drift_ks_mode;

/** Which method produced a p-value. */
typedef enum mlops_drift_pvalue_method {
    /** The metric has no p-value (the p-value is NaN). */
    MLOPS_DRIFT_PVALUE_NONE = 0,
    /** Exact distribution. */
    MLOPS_DRIFT_PVALUE_EXACT = 1,
    /** Asymptotic / limiting distribution. */
    MLOPS_DRIFT_PVALUE_ASYMPTOTIC = 2
} mlops_drift_pvalue_method;

/** How the verdict compares: `statistic >= threshold` (distances) or
 *  `pvalue < threshold` (tests). */
typedef enum mlops_drift_direction {
    /** Drift when statistic >= threshold (distances, divergences). */
    MLOPS_DRIFT_STATISTIC_GE = 0,
    /** Drift when p-value < threshold (hypothesis tests). */
    MLOPS_DRIFT_PVALUE_LT = 1
} mlops_drift_direction;

/** Flag: fail with MLOPS_E_DOMAIN on a non-finite value instead of omitting it. */
#define MLOPS_DRIFT_REJECT_NONFINITE 0x1u

/** Current version of mlops_drift_options. */
#define MLOPS_DRIFT_OPTIONS_VERSION 1

/** Options shared by the drift functions. NULL means all defaults. */
typedef struct mlops_drift_options {
    MLOPS_OPTIONS_HEADER;
    /** 0 or MLOPS_DRIFT_REJECT_NONFINITE. */
    uint32_t flags;
    /** mlops_drift_binning; default QUANTILE. */
    uint32_t binning;
    /** Number of bins k for QUANTILE and UNIFORM, 1..1000000; default 10. */
    size_t bins;
    /** For EDGES: interior edges, strictly increasing and finite; borrowed
     *  for the duration of the call. */
    const double *edges;
    /** For EDGES: number of interior edges (0..1000000). */
    size_t n_edges;
    /** Additive smoothing a >= 0 for PSI and KL; default 0.5. */
    double smoothing;
    /** Log base of the JS distance, > 0 and != 1; default 2. */
    double js_base;
    /** Threshold of the verdict; NaN picks the metric's default (p-values
     *  0.05, distances 0.1). */
    double threshold;
    /** mlops_drift_ks_mode; default SCIPY. */
    uint32_t ks_mode;
} mlops_drift_options;

/** Initialiser for mlops_drift_options (NaN threshold = metric default). */
#define MLOPS_DRIFT_OPTIONS_INIT                                                      \
    { MLOPS_DRIFT_OPTIONS_VERSION, sizeof(mlops_drift_options), 0,                    \
      MLOPS_DRIFT_BINS_QUANTILE, 10, NULL, 0, 0.5, 2.0, (0.0 / 0.0), MLOPS_DRIFT_KS_SCIPY }

/**
 * Initialise an options struct to the defaults (for FFIs without the macro).
 * @param opts the caller's struct, overwritten with the defaults.
 * @param size sizeof the caller's struct.
 * @return 0, MLOPS_E_INVALID (NULL, or size below version 1).
 */
MLOPS_EXTERN int mlops_drift_options_init(mlops_drift_options *opts, size_t size);

/* ------------------------------------------------------------------------ */
/* Results                                                                  */
/* ------------------------------------------------------------------------ */

/** The outcome of one metric on one feature. Immutable; thread-safe to read. */
typedef struct mlops_drift_result mlops_drift_result;

/** Release a result. Accepts NULL. */
MLOPS_EXTERN void mlops_drift_result_free(mlops_drift_result *r);

/** Version of struct mlops_drift_result_info filled by this library. */
#define MLOPS_DRIFT_RESULT_INFO_VERSION 1

/**
 * Everything a drift result holds, in one read-only struct (the values of
 * the mlops_drift_result_* getters above). Borrowed from the result: valid
 * while the result is, and immutable like it. Version 1; fields are only
 * ever added at the end (see MLOPS_INFO_HAS()).
 */
struct mlops_drift_result_info {
    MLOPS_INFO_HEADER;
    /** The mlops_drift_metric that produced the result (never AUTO). */
    int metric;
    /** mlops_drift_pvalue_method of the p-value. */
    int pvalue_method;
    /** mlops_drift_direction of the comparison. */
    int direction;
    /** 1 when drift was detected, else 0. */
    int drifted;
    /** The statistic (D, T, W1, PSI, chi-square...). */
    double statistic;
    /** The p-value, or NaN when the metric has none. */
    double pvalue;
    /** The threshold the verdict used. */
    double threshold;
    /** Smoothing used (PSI, KL), NaN for other metrics. */
    double smoothing;
    /** Log base used (JS), NaN for other metrics. */
    double js_base;
    /** Share of current values in categories the reference never shows
     *  (categorical metrics), else NaN. */
    double unseen_share;
    /** Number of reference values used. */
    uint64_t n_ref;
    /** Number of current values used. */
    uint64_t n_cur;
    /** Reference values omitted as non-finite (or negative codes). */
    uint64_t missing_ref;
    /** Current values omitted as non-finite (or negative codes). */
    uint64_t missing_cur;
    /** Degrees of freedom (chi-square), else 0. */
    uint64_t dof;
    /** Number of bins (share metrics, chi-square, z-test), 0 for sample tests. */
    size_t bins;
    /** Interior bin edges of a numeric share metric (`n_edges` = bins - 1
     *  values), or NULL. */
    const double *edges;
    /** Number of `edges` (0 when edges is NULL). */
    size_t n_edges;
    /** Per-bin reference counts (`bins` values), or NULL (sample tests). */
    const uint64_t *ref_counts;
    /** Per-bin current counts (`bins` values), or NULL (sample tests). */
    const uint64_t *cur_counts;
    /** Category code of each bin (`bins` values) of a categorical result,
     *  NULL for other results. */
    const int64_t *categories;
};

/**
 * The summary of `r` (all its values and arrays), or NULL when `r` is NULL.
 * The struct lives in `r`: never allocates; thread-safe (the result is
 * immutable).
 */
MLOPS_EXTERN const struct mlops_drift_result_info *mlops_drift_result_info(const mlops_drift_result *r);

/**
 * Append the result as one JSON object to `out`:
 * {"metric":"ks","statistic":..,"pvalue":..|null,"pvalue_method":"exact",
 *  "threshold":..,"direction":">="|"<","drifted":true,"n_ref":..,"n_cur":..,
 *  "missing_ref":..,"missing_cur":..} plus, where they apply, "bins",
 *  "smoothing", "js_base", "edges", "ref_counts", "cur_counts", "categories",
 *  "unseen_share", "dof". A NaN (no value: the p-value of a metric without one)
 *  is written as null, +inf and -inf as the strings "Infinity" and "-Infinity"
 *  (PSI or KL with smoothing 0 and an empty bin); doubles with 17 significant
 *  digits (they read back exactly).
 * @return 0, MLOPS_E_INVALID, MLOPS_E_NOMEM (out unchanged on failure).
 */
MLOPS_EXTERN int mlops_drift_result_write_json(mlops_buf *out, const mlops_drift_result *r, uint32_t flags);

/** Lower-case name of a metric ("ks", "psi", ...), "unknown" otherwise. */
MLOPS_EXTERN const char *mlops_drift_metric_name(int metric);

/* ------------------------------------------------------------------------ */
/* Numeric features                                                         */
/* ------------------------------------------------------------------------ */

/**
 * Compare two samples of a numeric feature with one metric.
 *
 * Non-finite values are omitted and counted (or rejected with
 * MLOPS_DRIFT_REJECT_NONFINITE). Share metrics (PSI...LINF) bin both samples
 * with edges from the reference. CHI2 and ZTEST treat the distinct values as
 * categories (at most 1000 distinct values).
 *
 * Sample tests (KS, Wasserstein, energy, CvM) sort a copy of each sample
 * (memory: those copies plus, while sorting, a scratch buffer the size of the
 * largest radix bucket, usually a few percent of the sample); a sample of
 * 2^20 values or more sorts its buckets on two threads. The inputs are never
 * modified.
 *
 * @param out    receives the result; release with mlops_drift_result_free().
 * @param metric an mlops_drift_metric (AUTO picks one).
 * @param ref    the reference sample; may be NULL only when n_ref is 0
 *               (which then fails with MLOPS_E_DOMAIN). Borrowed.
 * @param n_ref  number of values in `ref`.
 * @param cur    the current sample; same rules as `ref`. Borrowed.
 * @param n_cur  number of values in `cur`.
 * @param opts   options, or NULL for the defaults.
 * @return 0; MLOPS_E_INVALID (NULL, unknown metric, bad options); MLOPS_E_VERSION;
 *         MLOPS_E_DOMAIN (a side empty after omission, a statistic that is not
 *         computable (NaN), a rejected non-finite
 *         value, too many categories); MLOPS_E_NOMEM. On failure *out is unchanged.
 */
MLOPS_EXTERN int mlops_drift_numeric(mlops_drift_result **out, int metric,
                                     const double *ref, size_t n_ref,
                                     const double *cur, size_t n_cur,
                                     const mlops_drift_options *opts);

/* ------------------------------------------------------------------------ */
/* A binned reference, summarised once                                      */
/* ------------------------------------------------------------------------ */

/** Edges and per-bin counts of a reference sample. Immutable. */
typedef struct mlops_drift_reference mlops_drift_reference;

/**
 * Summarise a reference: bin edges by opts->binning and the counts per bin.
 * The sample is not kept.
 * @return 0, MLOPS_E_INVALID, MLOPS_E_VERSION, MLOPS_E_DOMAIN (empty after
 *         omission, rejected non-finite), MLOPS_E_NOMEM.
 */
MLOPS_EXTERN int mlops_drift_reference_new(mlops_drift_reference **out,
                                           const double *ref, size_t n_ref,
                                           const mlops_drift_options *opts);

/** Release a reference. Accepts NULL. */
MLOPS_EXTERN void mlops_drift_reference_free(mlops_drift_reference *ref);

/** Version of struct mlops_drift_reference_info filled by this library. */
#define MLOPS_DRIFT_REFERENCE_INFO_VERSION 1

/**
 * A binned reference in one read-only struct. Borrowed from the reference:
 * valid while it is (it is immutable). Version 1; fields are only ever added
 * at the end (see MLOPS_INFO_HAS()).
 */
struct mlops_drift_reference_info {
    MLOPS_INFO_HEADER;
    /** Interior edges, strictly increasing (`n_edges` values); NULL when
     *  there are none (a single bin). */
    const double *edges;
    /** Number of interior edges. */
    size_t n_edges;
    /** Count per bin (`bins` values). */
    const uint64_t *counts;
    /** Number of bins, n_edges + 1. */
    size_t bins;
    /** Values counted in the bins (the sum of `counts`). */
    uint64_t count;
    /** Values left out of the bins as non-finite (or given as missing to
     *  mlops_drift_reference_from_counts()). */
    uint64_t missing;
};

/**
 * The edges and counts of `ref`, or NULL when `ref` is NULL. Never
 * allocates; thread-safe (the reference is immutable).
 */
MLOPS_EXTERN const struct mlops_drift_reference_info *
mlops_drift_reference_info(const mlops_drift_reference *ref);

/**
 * Compare a current window against a binned reference with a share metric
 * (PSI, KL, JS, HELLINGER, TVD, LINF; AUTO means PSI). Binning options in
 * `opts` are ignored (the reference's edges are used); smoothing, js_base,
 * threshold and flags apply. One pass over `cur`, no allocation proportional
 * to it.
 * @return as mlops_drift_numeric().
 */
MLOPS_EXTERN int mlops_drift_reference_compare(mlops_drift_result **out,
                                               const mlops_drift_reference *ref, int metric,
                                               const double *cur, size_t n_cur,
                                               const mlops_drift_options *opts);

/* ------------------------------------------------------------------------ */
/* Categorical features                                                     */
/* ------------------------------------------------------------------------ */

/**
 * Compare two samples of category codes in [0, n_categories). A negative code
 * is a missing value (omitted and counted, or rejected with
 * MLOPS_DRIFT_REJECT_NONFINITE). Bins are the union of categories seen in
 * either sample. Metrics: CHI2, ZTEST (exactly two categories in the union),
 * PSI, KL, JS, HELLINGER, TVD, LINF, AUTO.
 * @param out receives the result; release with mlops_drift_result_free().
 * @param metric an mlops_drift_metric valid for categories (AUTO picks one).
 * @param ref reference codes (borrowed); NULL only when n_ref is 0.
 * @param n_ref number of codes in `ref`.
 * @param cur current codes (borrowed); NULL only when n_cur is 0.
 * @param n_cur number of codes in `cur`.
 * @param n_categories 1..16777216.
 * @param opts options, or NULL for the defaults.
 * @return 0; MLOPS_E_INVALID (NULL, code >= n_categories, metric not for
 *         categories); MLOPS_E_DOMAIN (empty side, ZTEST on a non-binary
 *         union); MLOPS_E_VERSION; MLOPS_E_NOMEM.
 */
MLOPS_EXTERN int mlops_drift_categorical(mlops_drift_result **out, int metric,
                                         const int64_t *ref, size_t n_ref,
                                         const int64_t *cur, size_t n_cur,
                                         uint32_t n_categories,
                                         const mlops_drift_options *opts);

/* ------------------------------------------------------------------------ */
/* Multiple testing                                                         */
/* ------------------------------------------------------------------------ */

/** Corrections for many p-values. */
typedef enum mlops_pvalue_adjust_method {
    /** Bonferroni: p × m, capped at 1 (family-wise error rate). */
    MLOPS_PVALUE_BONFERRONI = 0,
    /** Holm's step-down (family-wise error rate, uniformly more powerful). */
    MLOPS_PVALUE_HOLM = 1,
    /** Benjamini–Hochberg (false discovery rate). */
    MLOPS_PVALUE_BH = 2
} mlops_pvalue_adjust_method;

/**
 * Adjusted p-values (statsmodels' multipletests conventions), in input order.
 * `out` may equal `p`. Pure function; allocates a work array for HOLM and BH.
 * @return 0; MLOPS_E_INVALID (NULL with n > 0, unknown method, a p-value
 *         outside [0, 1] or NaN); MLOPS_E_NOMEM.
 */
MLOPS_EXTERN int mlops_drift_pvalue_adjust(double *out, const double *p, size_t n, int method);

/* ------------------------------------------------------------------------ */
/* Many features at once                                                    */
/* ------------------------------------------------------------------------ */

/** How the dataset verdict is made. */
typedef enum mlops_drift_dataset_rule {
    /** Drift when the share of drifted features >= drift_share. */
    MLOPS_DRIFT_RULE_SHARE = 0,
    /** Drift when some Bonferroni-adjusted p-value < alpha. */
    MLOPS_DRIFT_RULE_BONFERRONI = 1,
    /** Drift when some Holm-adjusted p-value < alpha. */
    MLOPS_DRIFT_RULE_HOLM = 2,
    /** Drift when some BH-adjusted p-value < alpha. */
    MLOPS_DRIFT_RULE_BH = 3
} mlops_drift_dataset_rule;

/** Current version of mlops_drift_table_options. */
#define MLOPS_DRIFT_TABLE_OPTIONS_VERSION 1

/** Options of mlops_drift_table(). */
typedef struct mlops_drift_table_options {
    MLOPS_OPTIONS_HEADER;
    /** Must be 0. */
    uint32_t flags;
    /** mlops_drift_dataset_rule; default SHARE. */
    uint32_t rule;
    /** For SHARE: the share of drifted features that flags the dataset, in
     *  (0, 1]; default 0.5. */
    double drift_share;
    /** For the p-value rules: family-wise level; default 0.05. */
    double alpha;
    /** Effect-size floor: a feature counts as drifted only if its statistic
     *  is also > floor (NaN: none, the default). With a p-value rule it
     *  applies to the p-value metrics' statistics (e.g. KS D > 0.1). */
    double effect_floor;
    /** Worker threads, 0 = 2 (the default), at most 64. */
    uint32_t threads;
    /** Per-column options (bins, smoothing...); NULL = defaults. Borrowed. */
    const mlops_drift_options *column_options;
} mlops_drift_table_options;

/** Initialiser for mlops_drift_table_options. */
#define MLOPS_DRIFT_TABLE_OPTIONS_INIT                                                 \
    { MLOPS_DRIFT_TABLE_OPTIONS_VERSION, sizeof(mlops_drift_table_options), 0,         \
      MLOPS_DRIFT_RULE_SHARE, 0.5, 0.05, (0.0 / 0.0), 0, NULL }

/** Initialise table options to the defaults. @return 0, MLOPS_E_INVALID. */
MLOPS_EXTERN int mlops_drift_table_options_init(mlops_drift_table_options *opts,
                                                size_t size);

/** Per-feature results and the dataset verdict. Immutable. */
typedef struct mlops_drift_table_result mlops_drift_table_result;

/**
 * Compare a reference table with a current table, feature by feature.
 *
 * Both tables are column-major: column j of the reference is
 * `ref[j * n_ref .. j * n_ref + n_ref)`, of the current `cur[j * n_cur ..]`.
 * `metrics` gives each column's metric (NULL: AUTO for all). Columns are
 * spread over `threads` workers (the calling thread is one of them; when the
 * system refuses to start a worker, the ones started do the work, down to
 * the calling thread alone: the result is the same).
 *
 * @return 0; MLOPS_E_INVALID (NULL, n_cols 0, bad metric or options);
 *         MLOPS_E_VERSION; MLOPS_E_DOMAIN (a column empty after omission: the
 *         detail names the column); MLOPS_E_NOMEM. On failure *out is
 *         unchanged.
 */
MLOPS_EXTERN int mlops_drift_table(mlops_drift_table_result **out,
                                   const double *ref, size_t n_ref,
                                   const double *cur, size_t n_cur, size_t n_cols,
                                   const int *metrics,
                                   const mlops_drift_table_options *opts);

/** Release a table result. Accepts NULL. */
MLOPS_EXTERN void mlops_drift_table_result_free(mlops_drift_table_result *t);

/** Version of struct mlops_drift_table_result_info filled by this library. */
#define MLOPS_DRIFT_TABLE_RESULT_INFO_VERSION 1

/**
 * The dataset verdict of a table result in one read-only struct. Borrowed
 * from the table result: valid while it is (it is immutable). Version 1;
 * fields are only ever added at the end (see MLOPS_INFO_HAS()).
 */
struct mlops_drift_table_result_info {
    MLOPS_INFO_HEADER;
    /** Number of columns (rows of mlops_drift_table_result_column_info()). */
    size_t columns;
    /** Number of drifted columns. */
    size_t drifted_count;
    /** Share of drifted columns, drifted_count / columns. */
    double drifted_share;
    /** The dataset verdict: 1 drifted, 0 not. */
    int drifted;
    /** The mlops_drift_dataset_rule that made the verdict. */
    int rule;
};

/**
 * The dataset verdict of `t`, or NULL when `t` is NULL. Never allocates;
 * thread-safe (the table result is immutable).
 */
MLOPS_EXTERN const struct mlops_drift_table_result_info *
mlops_drift_table_result_info(const mlops_drift_table_result *t);

/** Version of struct mlops_drift_table_result_column_info filled by this library. */
#define MLOPS_DRIFT_TABLE_RESULT_COLUMN_INFO_VERSION 1

/**
 * One column of a table result. Borrowed from the table result: valid
 * while it is. Version 1; fields are only ever added at the end (see
 * MLOPS_INFO_HAS()).
 */
struct mlops_drift_table_result_column_info {
    MLOPS_INFO_HEADER;
    /** The column's result (borrowed from the table result; the same
     *  pointer as mlops_drift_table_result_column()); read it with
     *  mlops_drift_result_info(). Never NULL. */
    const mlops_drift_result *result;
    /** Adjusted p-value under a p-value rule, else the raw p-value (NaN for
     *  a metric without one). */
    double adjusted_pvalue;
    /** 1 when the column counts as drifted under the dataset rule (adjusted
     *  p-value, effect floor), else 0. */
    int drifted;
};

/**
 * Column `i` (input order) of `t`, or NULL when `t` is NULL or `i` is out
 * of range. Never allocates; thread-safe (the table result is immutable).
 */
MLOPS_EXTERN const struct mlops_drift_table_result_column_info *
mlops_drift_table_result_column_info(const mlops_drift_table_result *t, size_t i);

/**
 * Append the table result as JSON: {"rule":"share","drifted":..,"drifted_count":..,
 * "drifted_share":..,"columns":[{...per-column result..., "adjusted_pvalue":..,
 * "column_drifted":..}]}. Non-finite numbers as in mlops_drift_result_write_json().
 * @return 0, MLOPS_E_INVALID, MLOPS_E_NOMEM (out unchanged on failure).
 */
MLOPS_EXTERN int mlops_drift_table_result_write_json(mlops_buf *out, const mlops_drift_table_result *t, uint32_t flags);

/* ------------------------------------------------------------------------ */
/* Experimental: declared only with MLOPS_EXPERIMENTAL defined; not covered  */
/* by the ABI promise (docs/abi-policy.md).                                  */
/* ------------------------------------------------------------------------ */
#ifdef MLOPS_EXPERIMENTAL

/**
 * The metric AUTO picks for a feature (Evidently's rule, see
 * docs/drift-contract.md): categorical, or numeric with at most 5 distinct
 * reference values: n_ref <= 1000 → CHI2 (ZTEST when binary), else JS;
 * numeric: n_ref <= 1000 → KS, else WASSERSTEIN_NORMED.
 * @param categorical non-zero for a categorical feature.
 * @param n_ref number of usable reference values.
 * @param n_distinct number of distinct reference values.
 */
MLOPS_EXTERN int mlops_drift_auto_metric(int categorical, uint64_t n_ref, uint64_t n_distinct);

/**
 * Build a reference from stored edges and counts (for example a saved
 * profile): `n_edges` interior edges, `n_edges + 1` counts.
 * @return 0, MLOPS_E_INVALID (edges not strictly increasing or not finite),
 *         MLOPS_E_DOMAIN (all counts zero), MLOPS_E_NOMEM.
 */
MLOPS_EXTERN int mlops_drift_reference_from_counts(mlops_drift_reference **out,
                                                   const double *edges, size_t n_edges,
                                                   const uint64_t *counts,
                                                   uint64_t missing);

/**
 * Compare two histograms over the same bins with a share metric (PSI, KL,
 * JS, HELLINGER, TVD, LINF; AUTO means PSI), for counts produced elsewhere:
 * stored references, streaming profiles (see mlops_profile_drift()), a
 * database's GROUP BY. The metric is computed exactly as for
 * mlops_drift_numeric() on the same bins (docs/drift-contract.md,
 * "Smoothing and logs"); the result records the edges (when given), both
 * count arrays, the totals as n_ref/n_cur, the missing counts, smoothing or
 * JS base, threshold, direction and verdict. Binning options in `opts` are
 * ignored; smoothing, js_base, threshold and flags apply (with
 * MLOPS_DRIFT_REJECT_NONFINITE a non-zero missing count is an error).
 *
 * @param out         receives the result; release with mlops_drift_result_free().
 * @param metric      PSI, KL, JS, HELLINGER, TVD, LINF or AUTO (= PSI).
 * @param edges       interior edges of numeric bins (`bins - 1` values, finite,
 *                    strictly increasing), copied into the result; NULL when
 *                    n_edges is 0 (bins without edges, e.g. categories).
 * @param n_edges     `bins - 1`, or 0 when the bins have no edges.
 * @param ref_counts  reference count per bin (`bins` values). Borrowed.
 * @param cur_counts  current count per bin (`bins` values). Borrowed.
 * @param bins        number of bins, 1..16777216.
 * @param missing_ref reference values left out of the bins (non-finite),
 *                    reported in the result.
 * @param missing_cur current values left out of the bins, reported likewise.
 * @param opts        options, or NULL for the defaults.
 * @return 0; MLOPS_E_INVALID (NULL out or counts, metric not a share metric,
 *         bins 0 or too many, n_edges neither 0 nor bins - 1, edges NULL, not
 *         finite or not increasing, totals overflowing 64 bits, bad options);
 *         MLOPS_E_VERSION (options version); MLOPS_E_DOMAIN (every count of
 *         one side is 0 — the detail names the side —, or a missing count
 *         with MLOPS_DRIFT_REJECT_NONFINITE); MLOPS_E_NOMEM. On failure *out
 *         is unchanged. Pure function; thread-safe.
 */
MLOPS_EXTERN int mlops_drift_counts(mlops_drift_result **out, int metric,
                                    const double *edges, size_t n_edges,
                                    const uint64_t *ref_counts, const uint64_t *cur_counts,
                                    size_t bins, uint64_t missing_ref, uint64_t missing_cur,
                                    const mlops_drift_options *opts);


/** The metric that produced the result (never AUTO: the chosen one). */
MLOPS_EXTERN int mlops_drift_result_metric(const mlops_drift_result *r);

/** The statistic (D, T, W1, PSI, chi-square...). */
MLOPS_EXTERN double mlops_drift_result_statistic(const mlops_drift_result *r);

/** The p-value, or NaN when the metric has none. */
MLOPS_EXTERN double mlops_drift_result_pvalue(const mlops_drift_result *r);

/** mlops_drift_pvalue_method of the p-value. */
MLOPS_EXTERN int mlops_drift_result_pvalue_method(const mlops_drift_result *r);

/** The threshold the verdict used. */
MLOPS_EXTERN double mlops_drift_result_threshold(const mlops_drift_result *r);

/** mlops_drift_direction of the comparison. */
MLOPS_EXTERN int mlops_drift_result_direction(const mlops_drift_result *r);

/** 1 when drift was detected, else 0. */
MLOPS_EXTERN int mlops_drift_result_drifted(const mlops_drift_result *r);

/** Number of reference values omitted as non-finite (or negative codes). */
MLOPS_EXTERN uint64_t mlops_drift_result_missing_ref(const mlops_drift_result *r);

/** Number of current values omitted as non-finite (or negative codes). */
MLOPS_EXTERN uint64_t mlops_drift_result_missing_cur(const mlops_drift_result *r);

/** Number of reference values used. */
MLOPS_EXTERN uint64_t mlops_drift_result_n_ref(const mlops_drift_result *r);

/** Number of current values used. */
MLOPS_EXTERN uint64_t mlops_drift_result_n_cur(const mlops_drift_result *r);

/** Smoothing used (PSI, KL), NaN for other metrics. */
MLOPS_EXTERN double mlops_drift_result_smoothing(const mlops_drift_result *r);

/** Log base used (JS), NaN for other metrics. */
MLOPS_EXTERN double mlops_drift_result_js_base(const mlops_drift_result *r);

/** Degrees of freedom (chi-square), else 0. */
MLOPS_EXTERN uint64_t mlops_drift_result_dof(const mlops_drift_result *r);

/** Share of current values in categories the reference never shows
 *  (categorical metrics), else NaN. */
MLOPS_EXTERN double mlops_drift_result_unseen_share(const mlops_drift_result *r);

/**
 * Number of bins (share metrics, chi-square: one per category of the union),
 * 0 for sample tests.
 */
MLOPS_EXTERN size_t mlops_drift_result_bins(const mlops_drift_result *r);

/**
 * Interior bin edges of a numeric share metric (bins - 1 values), or NULL.
 * Borrowed from `r`.
 * @param r the result.
 * @param n receives the number of edges (may be NULL).
 */
MLOPS_EXTERN const double *mlops_drift_result_edges(size_t *n, const mlops_drift_result *r);

/** Per-bin reference counts (bins values) or NULL; borrowed from `r`. */
MLOPS_EXTERN const uint64_t *mlops_drift_result_ref_counts(const mlops_drift_result *r);

/** Per-bin current counts (bins values) or NULL; borrowed from `r`. */
MLOPS_EXTERN const uint64_t *mlops_drift_result_cur_counts(const mlops_drift_result *r);

/** Category code of each bin of a categorical result, or NULL; borrowed. */
MLOPS_EXTERN const int64_t *mlops_drift_result_categories(const mlops_drift_result *r);

/** Number of columns. */
MLOPS_EXTERN size_t mlops_drift_table_result_columns(const mlops_drift_table_result *t);

/** Result of column `i` (borrowed from `t`), NULL when out of range. */
MLOPS_EXTERN const mlops_drift_result *
mlops_drift_table_result_column(const mlops_drift_table_result *t, size_t i);

/** Whether column `i` counts as drifted under the dataset rule (adjusted
 *  p-value, effect floor); 0 when out of range. */
MLOPS_EXTERN int mlops_drift_table_result_column_drifted(const mlops_drift_table_result *t,
                                                         size_t i);

/** Adjusted p-value of column `i` under a p-value rule, else its raw p-value. */
MLOPS_EXTERN double mlops_drift_table_result_adjusted_pvalue(const mlops_drift_table_result *t,
                                                             size_t i);

/** Number of drifted columns. */
MLOPS_EXTERN size_t mlops_drift_table_result_drifted_count(const mlops_drift_table_result *t);

/** Share of drifted columns. */
MLOPS_EXTERN double mlops_drift_table_result_drifted_share(const mlops_drift_table_result *t);

/** The dataset verdict: 1 drifted, 0 not. */
MLOPS_EXTERN int mlops_drift_table_result_drifted(const mlops_drift_table_result *t);

/** Interior edges (borrowed); *n receives their number. */
MLOPS_EXTERN const double *mlops_drift_reference_edges(size_t *n, const mlops_drift_reference *ref);

/** Counts per bin (borrowed); *n receives the number of bins. */
MLOPS_EXTERN const uint64_t *mlops_drift_reference_counts(size_t *n, const mlops_drift_reference *ref);

#endif /* MLOPS_EXPERIMENTAL */

#ifdef __cplusplus
}
#endif

#endif /* MLOPS_DRIFT_H */
