/*
 * Categorical drift: chi-square homogeneity, two-proportion z-test and the
 * share metrics over the union of categories; unseen share.
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * The chi-square statistic is scipy.stats.chi2_contingency(table,
 * correction=False)'s, formed from the exact cross products r_i M - c_i N
 * (no cancellation: see chi2_statistic); the p-value is the chi-square
 * survival function at k - 1 degrees of freedom.
 */
#include <math.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "monitor/drift_categorical.h"
#include "monitor/drift_internal.h"
#include "monitor/drift_shares.h"
#include "monitor/drift_special.h"

#define MAX_CATEGORIES 16777216u

__extension__ typedef unsigned __int128 cat_u128;

/* r M - c N exactly, rounded once to a double. */
static double cross_diff(uint64_t r, uint64_t c, uint64_t n, uint64_t m)
{
    cat_u128 rm = (cat_u128)r * m, cn = (cat_u128)c * n;
    return rm >= cn ? (double)(rm - cn) : -(double)(cn - rm);
}

/* Pearson's chi-square of the 2 x k table without cancellation: in column
 * i both cells deviate from their expectation by +-(r_i M - c_i N) / T, so
 * the column adds (r_i M - c_i N)^2 / ((r_i + c_i) N M); the cross product
 * is exact, every term >= 0, the sum compensated. A column empty on both
 * sides has expectation 0 and makes the statistic NaN, as SciPy's. */
static double chi2_statistic(const uint64_t *rc, const uint64_t *cc, size_t k, uint64_t n,
                             uint64_t m)
{
    double nm = (double)n * (double)m;
    mlops__drift_ksum s = {0, 0};
    for (size_t i = 0; i < k; i++) {
        uint64_t col = rc[i] + cc[i];
        if (col == 0) {
            mlops__drift_ksum_add(&s, NAN);
            continue;
        }
        double x = cross_diff(rc[i], cc[i], n, m);
        mlops__drift_ksum_add(&s, (x / nm) * (x / (double)col));
    }
    return mlops__drift_ksum_get(&s);
}

int mlops__drift_categorical_from_counts(mlops_drift_result *r, const uint64_t *rc,
                                         const uint64_t *cc, const int64_t *cats,
                                         size_t bins, const mlops_drift_options *o)
{
    uint64_t n = 0, m = 0, unseen = 0;
    for (size_t i = 0; i < bins; i++) {
        n += rc[i];
        m += cc[i];
        if (rc[i] == 0)
            unseen += cc[i];
    }
    int metric = r->metric;
    if (metric == MLOPS_DRIFT_ZTEST && bins != 2)
        return mlops__error(MLOPS_E_DOMAIN,
                            "ztest needs exactly two categories in the union of both "
                            "samples (got %zu)", bins);
    int64_t *cat_copy = NULL;
    if (cats) {
        cat_copy = mlops__reallocarray(NULL, bins, sizeof *cat_copy);
        if (!cat_copy)
            return mlops__error_nomem();
        memcpy(cat_copy, cats, bins * sizeof *cat_copy);
    }
    if (mlops__drift_metric_is_share(metric)) {
        int rc2 = mlops__drift_result_set_shares(r, NULL, 0, rc, cc, bins, o);
        if (rc2) {
            mlops__free(cat_copy);
            return rc2;
        }
        /* Categorical bins have no edges. */
        mlops__free(r->edges);
        r->edges = NULL;
    } else {
        uint64_t *a = mlops__reallocarray(NULL, bins, sizeof *a);
        uint64_t *b = mlops__reallocarray(NULL, bins, sizeof *b);
        if (!a || !b) {
            mlops__free(a);
            mlops__free(b);
            mlops__free(cat_copy);
            return mlops__error_nomem();
        }
        memcpy(a, rc, bins * sizeof *a);
        memcpy(b, cc, bins * sizeof *b);
        r->ref_counts = a;
        r->cur_counts = b;
        r->bins = bins;
        if (metric == MLOPS_DRIFT_CHI2) {
            r->dof = bins - 1;
            if (bins <= 1) {
                r->statistic = 0.0;
                r->pvalue = 1.0;
            } else {
                r->statistic = chi2_statistic(rc, cc, bins, n, m);
                r->pvalue = mlops__drift_chi2_sf(r->statistic, (double)(bins - 1));
            }
            r->pvalue_method = MLOPS_DRIFT_PVALUE_ASYMPTOTIC;
        } else {
            /* Pooled two-proportion z-test on the first category's share:
             * z = (p1 - p2) / sqrt(p (1 - p) (1/n + 1/m)) with p1 - p2 =
             * (r0 m - c0 n) / (n m) from the exact cross product and
             * p (1 - p) (1/n + 1/m) = a b / (T n m), a = r0 + c0, b = r1 + c1:
             * z = (r0 m - c0 n) / sqrt(a b n m / T), no cancellation. */
            double x = cross_diff(rc[0], cc[0], n, m);
            double a0 = (double)(rc[0] + cc[0]), b0 = (double)(rc[1] + cc[1]);
            double z = x / sqrt(a0 * b0 * ((double)n * (double)m / (double)(n + m)));
            r->statistic = z;
            r->pvalue = 2 * mlops__drift_norm_sf(fabs(z));
            if (r->pvalue > 1)
                r->pvalue = 1;
            r->pvalue_method = MLOPS_DRIFT_PVALUE_ASYMPTOTIC;
        }
    }
    r->categories = cat_copy;
    r->unseen_share = (double)unseen / (double)m;
    r->n_ref = n;
    r->n_cur = m;
    return 0;
}

static int side_counts(uint64_t *counts, uint64_t *missing, const char *side,
                       const int64_t *x, size_t n, uint32_t ncat, int reject)
{
    for (size_t i = 0; i < n; i++) {
        int64_t v = x[i];
        if (v < 0) {
            if (reject)
                return mlops__error(MLOPS_E_DOMAIN,
                                    "%s sample: missing value (code %lld) at index %zu "
                                    "(rejected by MLOPS_DRIFT_REJECT_NONFINITE)",
                                    side, (long long)v, i);
            (*missing)++;
            continue;
        }
        if ((uint64_t)v >= ncat)
            return mlops__error(MLOPS_E_INVALID,
                                "%s sample: category code %lld at index %zu is out of range "
                                "(n_categories %lu)", side, (long long)v, i, (unsigned long)ncat);
        counts[v]++;
    }
    if ((uint64_t)n - *missing == 0)
        return mlops__error(MLOPS_E_DOMAIN,
                            "%s sample is empty after omitting missing values (%zu values)",
                            side, n);
    return 0;
}

int mlops_drift_categorical(mlops_drift_result **out, int metric, const int64_t *ref,
                            size_t n_ref, const int64_t *cur, size_t n_cur,
                            uint32_t n_categories, const mlops_drift_options *opts)
{
    MLOPS__CHECK_ARG(out);
    mlops_drift_options o;
    int rc = mlops__drift_options_load(&o, opts);
    if (rc)
        return rc;
    if (n_categories == 0 || n_categories > MAX_CATEGORIES)
        return mlops__error(MLOPS_E_INVALID, "n_categories must be in 1..%u (got %lu)",
                            MAX_CATEGORIES, (unsigned long)n_categories);
    if (metric != MLOPS_DRIFT_AUTO && metric != MLOPS_DRIFT_CHI2 &&
        metric != MLOPS_DRIFT_ZTEST && !mlops__drift_metric_is_share(metric))
        return mlops__error(MLOPS_E_INVALID, "metric %d (%s) does not apply to categories",
                            metric, mlops_drift_metric_name(metric));
    if (n_ref > 0 && !ref)
        return mlops__error(MLOPS_E_INVALID, "reference sample is NULL with length %zu", n_ref);
    if (n_cur > 0 && !cur)
        return mlops__error(MLOPS_E_INVALID, "current sample is NULL with length %zu", n_cur);
    uint64_t *cnt = mlops__calloc(2 * (size_t)n_categories, sizeof *cnt);
    if (!cnt)
        return mlops__error_nomem();
    uint64_t *rcnt = cnt, *ccnt = cnt + n_categories;
    uint64_t miss_ref = 0, miss_cur = 0;
    int reject = (o.flags & MLOPS_DRIFT_REJECT_NONFINITE) != 0;
    mlops_drift_result *r = NULL;
    int64_t *cats = NULL;
    rc = side_counts(rcnt, &miss_ref, "reference", ref, n_ref, n_categories, reject);
    if (!rc)
        rc = side_counts(ccnt, &miss_cur, "current", cur, n_cur, n_categories, reject);
    if (rc)
        goto done;
    /* Compact to the union of categories, in code order. */
    size_t bins = 0;
    for (uint32_t i = 0; i < n_categories; i++)
        if (rcnt[i] || ccnt[i])
            bins++;
    cats = mlops__reallocarray(NULL, bins, sizeof *cats);
    if (!cats) {
        rc = mlops__error_nomem();
        goto done;
    }
    size_t j = 0;
    for (uint32_t i = 0; i < n_categories; i++) {
        if (rcnt[i] || ccnt[i]) {
            cats[j] = (int64_t)i;
            rcnt[j] = rcnt[i];
            ccnt[j] = ccnt[i];
            j++;
        }
    }
    /* ccnt starts after rcnt, so moving both down is safe: j <= i. */
    if (metric == MLOPS_DRIFT_AUTO) {
        uint64_t nref = (uint64_t)n_ref - miss_ref;
        uint64_t distinct = 0;
        for (size_t q = 0; q < bins; q++)
            distinct += rcnt[q] ? 1 : 0;
        metric = mlops_drift_auto_metric(1, nref, distinct);
        if (metric == MLOPS_DRIFT_ZTEST && bins != 2)
            metric = MLOPS_DRIFT_CHI2;
    }
    r = mlops__drift_result_alloc(metric);
    if (!r) {
        rc = MLOPS_E_NOMEM;
        goto done;
    }
    rc = mlops__drift_categorical_from_counts(r, rcnt, ccnt, cats, bins, &o);
    if (rc)
        goto done;
    r->missing_ref = miss_ref;
    r->missing_cur = miss_cur;
    rc = mlops__drift_result_decide(r, o.threshold);
    if (rc)
        goto done;
    *out = r;
    r = NULL;
done:
    mlops_drift_result_free(r);
    mlops__free(cats);
    mlops__free(cnt);
    return rc;
}
