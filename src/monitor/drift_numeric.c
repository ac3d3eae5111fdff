/*
 * Numeric features: one entry point dispatching to the tests, and the
 * "auto" rule.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <math.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "monitor/drift_categorical.h"
#include "monitor/drift_internal.h"

/* Reference sizes and cardinality of the auto rule (Evidently's). */
#define AUTO_SMALL_N 1000
#define AUTO_MAX_CATEGORICAL_DISTINCT 5
/* CHI2 / ZTEST on numeric values: at most this many distinct values. */
#define MAX_VALUE_CATEGORIES 1000

int mlops_drift_auto_metric(int categorical, uint64_t n_ref, uint64_t n_distinct)
{
    if (categorical || n_distinct <= AUTO_MAX_CATEGORICAL_DISTINCT) {
        if (n_ref <= AUTO_SMALL_N)
            return n_distinct <= 2 ? MLOPS_DRIFT_ZTEST : MLOPS_DRIFT_CHI2;
        return MLOPS_DRIFT_JS;
    }
    return n_ref <= AUTO_SMALL_N ? MLOPS_DRIFT_KS : MLOPS_DRIFT_WASSERSTEIN_NORMED;
}

static size_t count_distinct(const double *a, size_t n, size_t stop_after)
{
    size_t d = 0;
    for (size_t i = 0; i < n; i++) {
        if (i == 0 || a[i] != a[i - 1]) {
            if (++d > stop_after)
                break;
        }
    }
    return d;
}

/* Distinct values of two sorted samples as categories (union, ascending). */
static int value_categories(mlops_drift_result *r, const mlops__drift_sample *a,
                            const mlops__drift_sample *b, const mlops_drift_options *o,
                            int auto_chosen)
{
    uint64_t rc[MAX_VALUE_CATEGORIES], cc[MAX_VALUE_CATEGORIES];
    size_t bins = 0, i = 0, j = 0;
    while (i < a->n || j < b->n) {
        double v;
        if (j >= b->n || (i < a->n && a->data[i] <= b->data[j]))
            v = a->data[i];
        else
            v = b->data[j];
        if (bins == MAX_VALUE_CATEGORIES)
            return mlops__error(MLOPS_E_DOMAIN,
                                "%s on numeric values needs at most %d distinct values",
                                mlops_drift_metric_name(r->metric), MAX_VALUE_CATEGORIES);
        size_t i0 = i, j0 = j;
        while (i < a->n && a->data[i] <= v)
            i++;
        while (j < b->n && b->data[j] <= v)
            j++;
        rc[bins] = i - i0;
        cc[bins] = j - j0;
        bins++;
    }
    if (r->metric == MLOPS_DRIFT_ZTEST && bins != 2 && auto_chosen)
        r->metric = MLOPS_DRIFT_CHI2; /* the union is not binary after all */
    if (r->metric == MLOPS_DRIFT_ZTEST && bins != 2)
        return mlops__error(MLOPS_E_DOMAIN,
                            "ztest needs exactly two distinct values in the union of both "
                            "samples (got %zu)", bins);
    return mlops__drift_categorical_from_counts(r, rc, cc, NULL, bins, o);
}

static int share_metric(mlops_drift_result **out, int metric, const double *ref,
                        size_t n_ref, const double *cur, size_t n_cur,
                        const mlops_drift_options *o)
{
    mlops_drift_reference *bref = NULL;
    int rc = mlops_drift_reference_new(&bref, ref, n_ref, o);
    if (rc)
        return rc;
    rc = mlops_drift_reference_compare(out, bref, metric, cur, n_cur, o);
    mlops_drift_reference_free(bref);
    return rc;
}

int mlops__drift_numeric_run(mlops_drift_result **out, int metric, const double *ref,
                             size_t n_ref, const double *cur, size_t n_cur,
                             const mlops_drift_options *o, int parallel)
{
    if (mlops__drift_metric_is_share(metric))
        return share_metric(out, metric, ref, n_ref, cur, n_cur, o);
    mlops__drift_sample a = {0}, b = {0};
    int rc = mlops__drift_samples_prepare(&a, &b, ref, n_ref, cur, n_cur,
                                          (o->flags & MLOPS_DRIFT_REJECT_NONFINITE) != 0,
                                          parallel);
    if (rc)
        return rc;
    mlops_drift_result *r = NULL;
    if (metric == MLOPS_DRIFT_AUTO) {
        size_t distinct = count_distinct(a.data, a.n, AUTO_MAX_CATEGORICAL_DISTINCT);
        metric = mlops_drift_auto_metric(0, a.n, distinct);
        if (mlops__drift_metric_is_share(metric)) {
            /* Few distinct values: JS over the values as categories. */
            metric = MLOPS_DRIFT_JS;
        }
        if (metric == MLOPS_DRIFT_JS || metric == MLOPS_DRIFT_ZTEST ||
            metric == MLOPS_DRIFT_CHI2) {
            r = mlops__drift_result_alloc(metric);
            if (!r) {
                rc = MLOPS_E_NOMEM;
                goto done;
            }
            rc = value_categories(r, &a, &b, o, 1);
            goto finish;
        }
    }
    r = mlops__drift_result_alloc(metric);
    if (!r) {
        rc = MLOPS_E_NOMEM;
        goto done;
    }
    r->n_ref = a.n;
    r->n_cur = b.n;
    switch (metric) {
    case MLOPS_DRIFT_KS: {
        double d = mlops__drift_ks_statistic(a.data, a.n, b.data, b.n);
        rc = mlops__drift_ks_pvalue(&r->pvalue, &d, a.n, b.n, (int)o->ks_mode,
                                    &r->pvalue_method);
        r->statistic = d;
        break;
    }
    case MLOPS_DRIFT_WASSERSTEIN:
        r->statistic = mlops__drift_cdf_distance(a.data, a.n, b.data, b.n, 1);
        break;
    case MLOPS_DRIFT_WASSERSTEIN_NORMED: {
        double w = mlops__drift_cdf_distance(a.data, a.n, b.data, b.n, 1);
        double sd = mlops__drift_std_pop(a.data, a.n);
        r->statistic = w / (sd > 0.001 ? sd : 0.001);
        break;
    }
    case MLOPS_DRIFT_ENERGY:
        r->statistic = 1.4142135623730951 * mlops__drift_cdf_distance(a.data, a.n, b.data,
                                                                      b.n, 2);
        break;
    case MLOPS_DRIFT_CVM:
        if (a.n < 2 || b.n < 2) {
            rc = mlops__error(MLOPS_E_DOMAIN,
                              "cvm needs at least two finite values on each side "
                              "(reference %zu, current %zu)", a.n, b.n);
            break;
        }
        rc = mlops__drift_cvm(a.data, a.n, b.data, b.n, &r->statistic, &r->pvalue,
                              &r->pvalue_method);
        break;
    case MLOPS_DRIFT_CHI2:
    case MLOPS_DRIFT_ZTEST:
        rc = value_categories(r, &a, &b, o, 0);
        break;
    default:
        rc = mlops__error(MLOPS_E_INTERNAL, "unhandled metric %d", metric);
        break;
    }
finish:
    if (rc)
        goto done;
    r->n_ref = a.n;
    r->n_cur = b.n;
    r->missing_ref = a.missing;
    r->missing_cur = b.missing;
    rc = mlops__drift_result_decide(r, o->threshold);
    if (rc)
        goto done;
    *out = r;
    r = NULL;
done:
    mlops_drift_result_free(r);
    mlops__drift_sample_dispose(&a);
    mlops__drift_sample_dispose(&b);
    return rc;
}

int mlops_drift_numeric(mlops_drift_result **out, int metric, const double *ref, size_t n_ref,
                        const double *cur, size_t n_cur, const mlops_drift_options *opts)
{
    MLOPS__CHECK_ARG(out);
    mlops_drift_options o;
    int rc = mlops__drift_options_load(&o, opts);
    if (rc)
        return rc;
    if (metric < 0 || metric >= MLOPS_DRIFT_METRIC_COUNT)
        return mlops__error(MLOPS_E_INVALID, "unknown drift metric %d", metric);
    return mlops__drift_numeric_run(out, metric, ref, n_ref, cur, n_cur, &o, 1);
}
