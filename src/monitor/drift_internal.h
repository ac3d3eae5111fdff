/*
 * Internal: what the drift files share — the result object, sample
 * preparation and the per-test entry points on sorted samples.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef MLOPS_MONITOR_DRIFT_INTERNAL_H
#define MLOPS_MONITOR_DRIFT_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "mlops/category.h"
#include "mlops/drift.h"

struct mlops_drift_result {
    int metric;
    int pvalue_method;
    int direction;
    int drifted;
    double statistic;
    double pvalue;
    double threshold;
    double smoothing;   /* NaN when not used */
    double js_base;     /* NaN when not used */
    double unseen_share; /* NaN when not categorical */
    uint64_t n_ref, n_cur, missing_ref, missing_cur;
    uint64_t dof;
    size_t bins;        /* 0 for sample tests */
    double *edges;      /* bins - 1 values, numeric share metrics only */
    uint64_t *ref_counts, *cur_counts; /* bins values, or NULL */
    int64_t *categories; /* bins values, categorical only */
    /* The public summary, filled from the fields above by
     * mlops__drift_result_decide() (the last step of every constructor). */
    struct mlops_drift_result_info info;
};

/** A zeroed result with NaN p-value/smoothing/base/unseen share. NULL on OOM
 *  (recorded). */
mlops_drift_result *mlops__drift_result_alloc(int metric);

/** Fill r->info from the other fields (done by mlops__drift_result_decide()). */
void mlops__drift_result_seal(mlops_drift_result *r);

/** Fill threshold/direction/verdict from the metric's defaults and opts,
 *  then the public summary (mlops__drift_result_seal()).
 *  MLOPS_E_DOMAIN (recorded) when the statistic, or the p-value of a test,
 *  is NaN: no verdict is made from a value that was not computed. */
int mlops__drift_result_decide(mlops_drift_result *r, double threshold_opt);

/** Append a double as drift JSON writes it: NaN as null, +-inf as the strings
 *  "Infinity" / "-Infinity", else 17 significant digits. */
int mlops__drift_json_double(mlops_buf *b, double v);

/** Default threshold of a metric: 0.05 for p-value tests, 0.1 otherwise. */
double mlops__drift_default_threshold(int metric);

/** Whether a metric is judged by its p-value. */
int mlops__drift_metric_has_pvalue(int metric);

/** Whether a metric is a share metric (PSI, KL, JS, HELLINGER, TVD, LINF). */
int mlops__drift_metric_is_share(int metric);

/** Validate and load caller options into `o` (defaults when NULL). */
int mlops__drift_options_load(mlops_drift_options *o, const mlops_drift_options *opts);

/* ---- samples --------------------------------------------------------- */

/**
 * Sorted finite values of a sample. `data` is owned (mlops__free) and holds
 * `n` values in ascending order followed by a +inf sentinel at data[n];
 * `missing` counts the non-finite values.
 */
typedef struct mlops__drift_sample {
    double *data;
    size_t n;
    uint64_t missing;
} mlops__drift_sample;

/**
 * Copy the finite values of ref and cur and sort both (radix sort on the
 * IEEE bit pattern). Scratch memory: the largest top-digit bucket, freed
 * before return. With `parallel`, samples of 2^20 values or more sort their
 * buckets on two threads (a second bucket-sized scratch). Errors: MLOPS_E_DOMAIN naming the side that
 * is empty after omission or holds a rejected non-finite value, MLOPS_E_NOMEM.
 * On failure nothing is allocated.
 */
int mlops__drift_samples_prepare(mlops__drift_sample *ref, mlops__drift_sample *cur,
                                 const double *x_ref, size_t n_ref,
                                 const double *x_cur, size_t n_cur, int reject_nonfinite,
                                 int parallel);

/** Release a prepared sample (accepts a zeroed one). */
void mlops__drift_sample_dispose(mlops__drift_sample *s);

/** Sort the `m` finite values among in[0..n_in) into out[0..m); `in` may
 *  equal `out`. Scratch: the largest top-digit bucket (two of them, the
 *  buckets sorted on two threads, when `parallel` and m is large). 0 or
 *  MLOPS_E_NOMEM, recorded. */
int mlops__drift_sort_copy_par(double *out, const double *in, size_t n_in, size_t m,
                               int parallel);

/** Count the non-finite values of x; first index of one in *first (or n). */
uint64_t mlops__drift_count_nonfinite(const double *x, size_t n, size_t *first);

/* ---- tests on sorted samples (drift_ks.c, drift_cdf.c, drift_cvm.c) --- */

/** KS D (as ks_2samp computes it) of two sorted samples, each followed by a
 *  +inf sentinel (as mlops__drift_samples_prepare leaves them). */
double mlops__drift_ks_statistic(const double *a, size_t n1, const double *b, size_t n2);

/**
 * KS p-value of D for sizes n1, n2 under `mode` (mlops_drift_ks_mode) into *p.
 * `*d` is replaced by the lattice-rounded value when the exact path is taken
 * (as SciPy does); *method receives the mlops_drift_pvalue_method.
 * @return 0 or MLOPS_E_NOMEM (recorded).
 */
int mlops__drift_ks_pvalue(double *p, double *d, size_t n1, size_t n2, int mode, int *method);

/** Wasserstein-1 (p = 1) or the L2 CDF distance (p = 2) of two sorted samples,
 *  each followed by a +inf sentinel. */
double mlops__drift_cdf_distance(const double *a, size_t n1, const double *b, size_t n2,
                                 int p);

/** Population standard deviation of a sorted sample (two-pass, compensated
 *  sums, no overflow near DBL_MAX). */
double mlops__drift_std_pop(const double *a, size_t n);

/** Cramér–von Mises T of two sorted samples and its p-value (SciPy's auto
 *  method: exact when max(n1, n2) <= 20). Returns MLOPS_E_NOMEM or 0. */
int mlops__drift_cvm(const double *a, size_t n1, const double *b, size_t n2,
                     double *t, double *p, int *method);

/* ---- bins (drift_bins.c) ---------------------------------------------- */

struct mlops_drift_reference {
    double *edges;      /* interior edges, strictly increasing */
    size_t n_edges;
    uint64_t *counts;   /* n_edges + 1 */
    uint64_t n;         /* values counted */
    uint64_t missing;   /* non-finite values omitted */
    struct mlops_drift_reference_info info; /* filled at construction */
};

/**
 * Interior edges from a sorted finite sample under o->binning (QUANTILE,
 * UNIFORM) or copied from o->edges (EDGES, validated). *edges is owned by the
 * caller (NULL when there are none). MLOPS_E_INVALID, MLOPS_E_NOMEM.
 */
int mlops__drift_make_edges(double **edges, size_t *n_edges, const double *sorted, size_t n,
                            const mlops_drift_options *o);

/** Add the bin counts of the finite values of x (n_edges + 1 bins); returns
 *  the number of non-finite values skipped. */
uint64_t mlops__drift_bin_count(uint64_t *counts, const double *edges, size_t n_edges,
                                const double *x, size_t n);

/**
 * Build a share-metric result from edges (copied) and both count arrays
 * (copied), computing the metric. `r` must have been allocated for `metric`.
 */
int mlops__drift_result_set_shares(mlops_drift_result *r, const double *edges,
                                   size_t n_edges, const uint64_t *ref_counts,
                                   const uint64_t *cur_counts, size_t bins,
                                   const mlops_drift_options *o);

/** The members of a result's JSON object (no braces), appended to b. */
int mlops__drift_result_json_members(const mlops_drift_result *r, mlops_buf *b);

/**
 * One numeric feature: the work of mlops_drift_numeric() with options
 * already loaded (the table call uses it per column).
 */
int mlops__drift_numeric_run(mlops_drift_result **out, int metric, const double *ref,
                             size_t n_ref, const double *cur, size_t n_cur,
                             const mlops_drift_options *o, int parallel);

/* ---- compensated summation -------------------------------------------- */

typedef struct mlops__drift_ksum {
    double s, c;
} mlops__drift_ksum;

static inline void mlops__drift_ksum_add(mlops__drift_ksum *k, double x)
{
    double t = k->s + x;
    if ((k->s < 0 ? -k->s : k->s) >= (x < 0 ? -x : x))
        k->c += (k->s - t) + x;
    else
        k->c += (x - t) + k->s;
    k->s = t;
}

static inline double mlops__drift_ksum_get(const mlops__drift_ksum *k)
{
    return k->s + k->c;
}

#endif /* MLOPS_MONITOR_DRIFT_INTERNAL_H */
