/*
 * Bins for the share metrics, and the reusable binned reference.
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * Edges come from the reference only. Quantile edges are NumPy's default
 * (linear) quantiles at i/k, uniform edges numpy.linspace over [min, max];
 * both reproduce NumPy bit for bit, then duplicates are merged (np.unique).
 * Outer bins are open: the bin of x is the number of edges <= x.
 */
#include <math.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/options.h"
#include "monitor/drift_internal.h"
#include "monitor/drift_shares.h"

#define MAX_BINS 1000000

static size_t unique_sorted(double *e, size_t n)
{
    /* Insertion sort (few edges), then drop equal neighbours. */
    for (size_t i = 1; i < n; i++) {
        double v = e[i];
        size_t j = i;
        while (j > 0 && e[j - 1] > v) {
            e[j] = e[j - 1];
            j--;
        }
        e[j] = v;
    }
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (m == 0 || e[i] != e[m - 1])
            e[m++] = e[i];
    return m;
}

/* numpy.quantile(sorted, q) with the default 'linear' method. */
static double quantile_linear(const double *s, size_t n, double q)
{
    double v = (double)(n - 1) * q;
    if (v >= (double)(n - 1))
        return s[n - 1];
    if (v < 0)
        return s[0];
    double prev = floor(v);
    size_t i = (size_t)prev;
    double gamma = v - prev;
    double a = s[i], b = s[i + 1];
    double diff = b - a;
    if (!isfinite(diff)) /* b - a overflows only near +-DBL_MAX */
        return a * (1 - gamma) + b * gamma;
    if (gamma >= 0.5)
        return b - diff * (1 - gamma);
    return a + diff * gamma;
}

int mlops__drift_make_edges(double **edges, size_t *n_edges, const double *sorted, size_t n,
                            const mlops_drift_options *o)
{
    if (o->binning == MLOPS_DRIFT_BINS_EDGES) {
        if (o->n_edges > MAX_BINS)
            return mlops__error(MLOPS_E_INVALID, "%zu bin edges exceed the limit of %d",
                                o->n_edges, MAX_BINS);
        if (o->n_edges > 0 && !o->edges)
            return mlops__error(MLOPS_E_INVALID, "options: 'edges' is NULL with n_edges %zu",
                                o->n_edges);
        for (size_t i = 0; i < o->n_edges; i++) {
            if (!isfinite(o->edges[i]))
                return mlops__error(MLOPS_E_INVALID, "bin edge %zu is not finite", i);
            if (i > 0 && !(o->edges[i] > o->edges[i - 1]))
                return mlops__error(MLOPS_E_INVALID,
                                    "bin edges must be strictly increasing (edge %zu)", i);
        }
        double *e = NULL;
        if (o->n_edges) {
            e = mlops__reallocarray(NULL, o->n_edges, sizeof *e);
            if (!e)
                return mlops__error_nomem();
            memcpy(e, o->edges, o->n_edges * sizeof *e);
        }
        *edges = e;
        *n_edges = o->n_edges;
        return 0;
    }
    size_t k = o->bins;
    double *e = NULL;
    if (k > 1) {
        e = mlops__reallocarray(NULL, k - 1, sizeof *e);
        if (!e)
            return mlops__error_nomem();
    }
    if (o->binning == MLOPS_DRIFT_BINS_QUANTILE) {
        for (size_t i = 1; i < k; i++)
            e[i - 1] = quantile_linear(sorted, n, (double)i / (double)k);
    } else {
        double lo = sorted[0], hi = sorted[n - 1];
        double delta = hi - lo;
        double step = delta / (double)k;
        for (size_t i = 1; i < k; i++) {
            double f = (double)i / (double)k;
            if (!isfinite(delta)) /* the range overflows: interpolate instead */
                e[i - 1] = lo * (1 - f) + hi * f;
            else
                e[i - 1] = step == 0 ? f * delta + lo : (double)i * step + lo;
        }
    }
    size_t m = k > 1 ? unique_sorted(e, k - 1) : 0;
    *edges = e;
    *n_edges = m;
    return 0;
}

static inline size_t bin_of(const double *edges, size_t ne, double x)
{
    if (ne == 0)
        return 0;
    const double *b = edges;
    size_t n = ne;
    while (n > 1) {
        size_t half = n / 2;
        b = (b[half] <= x) ? b + half : b;
        n -= half;
    }
    return (size_t)(b - edges) + (*b <= x);
}

#define SMALL_BINS 256

uint64_t mlops__drift_bin_count(uint64_t *counts, const double *edges, size_t n_edges,
                                const double *x, size_t n)
{
    uint64_t bad = 0;
    size_t bins = n_edges + 1;
    if (bins <= SMALL_BINS) {
        /* Four interleaved histograms: consecutive values landing in one
         * bin do not wait on each other's increments. */
        uint32_t h[4][SMALL_BINS];
        memset(h, 0, sizeof h);
        size_t i = 0;
        while (i < n) {
            /* Flush before a 32-bit counter could overflow. */
            size_t stop = n - i > 0x7fffffffu ? i + 0x7fffffffu : n;
            for (; i + 4 <= stop; i += 4) {
                for (int l = 0; l < 4; l++) {
                    double v = x[i + l];
                    if (isfinite(v))
                        h[l][bin_of(edges, n_edges, v)]++;
                    else
                        bad++;
                }
            }
            for (; i < stop; i++) {
                double v = x[i];
                if (isfinite(v))
                    h[0][bin_of(edges, n_edges, v)]++;
                else
                    bad++;
            }
            for (size_t b = 0; b < bins; b++) {
                counts[b] += (uint64_t)h[0][b] + h[1][b] + h[2][b] + h[3][b];
                h[0][b] = h[1][b] = h[2][b] = h[3][b] = 0;
            }
        }
        return bad;
    }
    for (size_t i = 0; i < n; i++) {
        double v = x[i];
        if (isfinite(v))
            counts[bin_of(edges, n_edges, v)]++;
        else
            bad++;
    }
    return bad;
}

int mlops__drift_result_set_shares(mlops_drift_result *r, const double *edges,
                                   size_t n_edges, const uint64_t *ref_counts,
                                   const uint64_t *cur_counts, size_t bins,
                                   const mlops_drift_options *o)
{
    double *e = NULL;
    if (n_edges) {
        e = mlops__reallocarray(NULL, n_edges, sizeof *e);
        if (!e)
            return mlops__error_nomem();
        memcpy(e, edges, n_edges * sizeof *e);
    }
    uint64_t *rc = mlops__reallocarray(NULL, bins, sizeof *rc);
    uint64_t *cc = mlops__reallocarray(NULL, bins, sizeof *cc);
    if (!rc || !cc) {
        mlops__free(e);
        mlops__free(rc);
        mlops__free(cc);
        return mlops__error_nomem();
    }
    memcpy(rc, ref_counts, bins * sizeof *rc);
    memcpy(cc, cur_counts, bins * sizeof *cc);
    mlops__drift_shares sh;
    mlops__drift_shares_from_counts(&sh, rc, cc, bins, o->smoothing, o->js_base);
    double v;
    switch (r->metric) {
    case MLOPS_DRIFT_PSI: v = sh.psi; break;
    case MLOPS_DRIFT_KL: v = sh.kl; break;
    case MLOPS_DRIFT_JS: v = sh.js; break;
    case MLOPS_DRIFT_HELLINGER: v = sh.hellinger; break;
    case MLOPS_DRIFT_TVD: v = sh.tvd; break;
    default: v = sh.linf; break;
    }
    r->statistic = v;
    r->edges = e;
    r->ref_counts = rc;
    r->cur_counts = cc;
    r->bins = bins;
    if (r->metric == MLOPS_DRIFT_PSI || r->metric == MLOPS_DRIFT_KL)
        r->smoothing = o->smoothing;
    if (r->metric == MLOPS_DRIFT_JS)
        r->js_base = o->js_base;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* The binned reference                                                     */
/* ------------------------------------------------------------------------ */

/* The public summary of a built reference. */
static void reference_seal(mlops_drift_reference *r)
{
    struct mlops_drift_reference_info *i = &r->info;
    memset(i, 0, sizeof *i);
    i->version = MLOPS_DRIFT_REFERENCE_INFO_VERSION;
    i->size = (uint32_t)sizeof *i;
    i->edges = r->n_edges ? r->edges : NULL;
    i->n_edges = r->n_edges;
    i->counts = r->counts;
    i->bins = r->n_edges + 1;
    i->count = r->n;
    i->missing = r->missing;
}

const struct mlops_drift_reference_info *
mlops_drift_reference_info(const mlops_drift_reference *ref)
{
    return ref ? &ref->info : NULL;
}

void mlops_drift_reference_free(mlops_drift_reference *ref)
{
    if (!ref)
        return;
    mlops__free(ref->edges);
    mlops__free(ref->counts);
    mlops__free(ref);
}

int mlops_drift_reference_new(mlops_drift_reference **out, const double *ref, size_t n_ref,
                              const mlops_drift_options *opts)
{
    MLOPS__CHECK_ARG(out);
    mlops_drift_options o;
    int rc = mlops__drift_options_load(&o, opts);
    if (rc)
        return rc;
    if (n_ref > 0 && !ref)
        return mlops__error(MLOPS_E_INVALID, "reference sample is NULL with length %zu", n_ref);
    size_t first;
    uint64_t bad = mlops__drift_count_nonfinite(ref, n_ref, &first);
    if (bad && (o.flags & MLOPS_DRIFT_REJECT_NONFINITE))
        return mlops__error(MLOPS_E_DOMAIN,
                            "reference sample: non-finite value %g at index %zu (rejected by "
                            "MLOPS_DRIFT_REJECT_NONFINITE)", ref[first], first);
    size_t m = n_ref - (size_t)bad;
    if (m == 0)
        return mlops__error(MLOPS_E_DOMAIN,
                            "reference sample is empty after omitting non-finite values "
                            "(%zu values, %llu non-finite)", n_ref, (unsigned long long)bad);
    mlops_drift_reference *r = mlops__calloc(1, sizeof *r);
    if (!r)
        return mlops__error_nomem();
    double *sorted = NULL;
    if (o.binning == MLOPS_DRIFT_BINS_QUANTILE) {
        sorted = mlops__reallocarray(NULL, m, sizeof *sorted);
        if (!sorted) {
            rc = mlops__error_nomem();
            goto fail;
        }
        rc = mlops__drift_sort_copy_par(sorted, ref, n_ref, m, 1);
        if (rc)
            goto fail;
    } else if (o.binning == MLOPS_DRIFT_BINS_UNIFORM) {
        /* Only the extremes are needed. */
        sorted = mlops__reallocarray(NULL, 2, sizeof *sorted);
        if (!sorted) {
            rc = mlops__error_nomem();
            goto fail;
        }
        double lo = INFINITY, hi = -INFINITY;
        for (size_t i = 0; i < n_ref; i++) {
            if (isfinite(ref[i])) {
                lo = ref[i] < lo ? ref[i] : lo;
                hi = ref[i] > hi ? ref[i] : hi;
            }
        }
        sorted[0] = lo;
        sorted[1] = hi;
    }
    rc = mlops__drift_make_edges(&r->edges, &r->n_edges, sorted,
                                 o.binning == MLOPS_DRIFT_BINS_UNIFORM ? 2 : m, &o);
    mlops__free(sorted);
    sorted = NULL;
    if (rc)
        goto fail;
    r->counts = mlops__calloc(r->n_edges + 1, sizeof *r->counts);
    if (!r->counts) {
        rc = mlops__error_nomem();
        goto fail;
    }
    r->missing = mlops__drift_bin_count(r->counts, r->edges, r->n_edges, ref, n_ref);
    r->n = m;
    reference_seal(r);
    *out = r;
    return 0;
fail:
    mlops__free(sorted);
    mlops_drift_reference_free(r);
    return rc;
}

int mlops_drift_reference_from_counts(mlops_drift_reference **out, const double *edges,
                                      size_t n_edges, const uint64_t *counts, uint64_t missing)
{
    MLOPS__CHECK_ARG(out);
    MLOPS__CHECK_ARG(counts);
    if (n_edges > 0 && !edges)
        return mlops__error(MLOPS_E_INVALID, "edges is NULL with n_edges %zu", n_edges);
    mlops_drift_options o = MLOPS_DRIFT_OPTIONS_INIT;
    o.binning = MLOPS_DRIFT_BINS_EDGES;
    o.edges = edges;
    o.n_edges = n_edges;
    uint64_t total = 0;
    for (size_t i = 0; i <= n_edges; i++) {
        if (counts[i] > UINT64_MAX - total)
            return mlops__error(MLOPS_E_INVALID, "reference counts overflow 64 bits");
        total += counts[i];
    }
    if (total == 0)
        return mlops__error(MLOPS_E_DOMAIN, "reference counts are all zero");
    mlops_drift_reference *r = mlops__calloc(1, sizeof *r);
    if (!r)
        return mlops__error_nomem();
    int rc = mlops__drift_make_edges(&r->edges, &r->n_edges, NULL, 0, &o);
    if (rc) {
        mlops_drift_reference_free(r);
        return rc;
    }
    r->counts = mlops__reallocarray(NULL, n_edges + 1, sizeof *r->counts);
    if (!r->counts) {
        mlops_drift_reference_free(r);
        return mlops__error_nomem();
    }
    memcpy(r->counts, counts, (n_edges + 1) * sizeof *counts);
    r->n = total;
    r->missing = missing;
    reference_seal(r);
    *out = r;
    return 0;
}

const double *mlops_drift_reference_edges(size_t *n, const mlops_drift_reference *ref)
{
    if (n)
        *n = ref ? ref->n_edges : 0;
    return ref ? ref->edges : NULL;
}

const uint64_t *mlops_drift_reference_counts(size_t *n, const mlops_drift_reference *ref)
{
    if (n)
        *n = ref ? ref->n_edges + 1 : 0;
    return ref ? ref->counts : NULL;
}

int mlops_drift_reference_compare(mlops_drift_result **out, const mlops_drift_reference *ref,
                                  int metric, const double *cur, size_t n_cur,
                                  const mlops_drift_options *opts)
{
    MLOPS__CHECK_ARG(out);
    MLOPS__CHECK_ARG(ref);
    mlops_drift_options o;
    int rc = mlops__drift_options_load(&o, opts);
    if (rc)
        return rc;
    if (metric == MLOPS_DRIFT_AUTO)
        metric = MLOPS_DRIFT_PSI;
    if (!mlops__drift_metric_is_share(metric))
        return mlops__error(MLOPS_E_INVALID,
                            "metric %d (%s) cannot be computed from a binned reference",
                            metric, mlops_drift_metric_name(metric));
    if (n_cur > 0 && !cur)
        return mlops__error(MLOPS_E_INVALID, "current sample is NULL with length %zu", n_cur);
    size_t bins = ref->n_edges + 1;
    uint64_t *cc = mlops__calloc(bins, sizeof *cc);
    if (!cc)
        return mlops__error_nomem();
    uint64_t bad = mlops__drift_bin_count(cc, ref->edges, ref->n_edges, cur, n_cur);
    if (bad && (o.flags & MLOPS_DRIFT_REJECT_NONFINITE)) {
        mlops__free(cc);
        size_t first;
        mlops__drift_count_nonfinite(cur, n_cur, &first);
        return mlops__error(MLOPS_E_DOMAIN,
                            "current sample: non-finite value %g at index %zu (rejected by "
                            "MLOPS_DRIFT_REJECT_NONFINITE)", cur[first], first);
    }
    if (n_cur - bad == 0) {
        mlops__free(cc);
        return mlops__error(MLOPS_E_DOMAIN,
                            "current sample is empty after omitting non-finite values "
                            "(%zu values, %llu non-finite)", n_cur, (unsigned long long)bad);
    }
    mlops_drift_result *r = mlops__drift_result_alloc(metric);
    if (!r) {
        mlops__free(cc);
        return MLOPS_E_NOMEM;
    }
    rc = mlops__drift_result_set_shares(r, ref->edges, ref->n_edges, ref->counts, cc, bins, &o);
    mlops__free(cc);
    if (rc) {
        mlops_drift_result_free(r);
        return rc;
    }
    r->n_ref = ref->n;
    r->n_cur = n_cur - bad;
    r->missing_ref = ref->missing;
    r->missing_cur = bad;
    rc = mlops__drift_result_decide(r, o.threshold);
    if (rc) {
        mlops_drift_result_free(r);
        return rc;
    }
    *out = r;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Two histograms given as counts                                           */
/* ------------------------------------------------------------------------ */

#define MAX_COUNT_BINS (1u << 24)

int mlops_drift_counts(mlops_drift_result **out, int metric, const double *edges,
                       size_t n_edges, const uint64_t *ref_counts, const uint64_t *cur_counts,
                       size_t bins, uint64_t missing_ref, uint64_t missing_cur,
                       const mlops_drift_options *opts)
{
    MLOPS__CHECK_ARG(out);
    MLOPS__CHECK_ARG(ref_counts);
    MLOPS__CHECK_ARG(cur_counts);
    mlops_drift_options o;
    int rc = mlops__drift_options_load(&o, opts);
    if (rc)
        return rc;
    if (metric == MLOPS_DRIFT_AUTO)
        metric = MLOPS_DRIFT_PSI;
    if (!mlops__drift_metric_is_share(metric))
        return mlops__error(MLOPS_E_INVALID,
                            "metric %d (%s) cannot be computed from bin counts (share "
                            "metrics only: psi, kl, js, hellinger, tvd, linf)",
                            metric, mlops_drift_metric_name(metric));
    if (bins == 0 || bins > MAX_COUNT_BINS)
        return mlops__error(MLOPS_E_INVALID, "bins must be in 1..%u (got %zu)",
                            MAX_COUNT_BINS, bins);
    if (n_edges != 0 && n_edges != bins - 1)
        return mlops__error(MLOPS_E_INVALID,
                            "%zu edges for %zu bins (want bins - 1 = %zu, or 0 for bins "
                            "without edges)", n_edges, bins, bins - 1);
    if (n_edges > 0 && !edges)
        return mlops__error(MLOPS_E_INVALID, "edges is NULL with n_edges %zu", n_edges);
    for (size_t i = 0; i < n_edges; i++) {
        if (!isfinite(edges[i]))
            return mlops__error(MLOPS_E_INVALID, "bin edge %zu is not finite", i);
        if (i > 0 && !(edges[i] > edges[i - 1]))
            return mlops__error(MLOPS_E_INVALID,
                                "bin edges must be strictly increasing (edge %zu)", i);
    }
    uint64_t n = 0, m = 0;
    for (size_t i = 0; i < bins; i++) {
        if (ref_counts[i] > UINT64_MAX - n)
            return mlops__error(MLOPS_E_INVALID, "reference counts overflow 64 bits (bin %zu)",
                                i);
        if (cur_counts[i] > UINT64_MAX - m)
            return mlops__error(MLOPS_E_INVALID, "current counts overflow 64 bits (bin %zu)",
                                i);
        n += ref_counts[i];
        m += cur_counts[i];
    }
    if (o.flags & MLOPS_DRIFT_REJECT_NONFINITE) {
        if (missing_ref)
            return mlops__error(MLOPS_E_DOMAIN,
                                "reference: %llu non-finite values (rejected by "
                                "MLOPS_DRIFT_REJECT_NONFINITE)",
                                (unsigned long long)missing_ref);
        if (missing_cur)
            return mlops__error(MLOPS_E_DOMAIN,
                                "current: %llu non-finite values (rejected by "
                                "MLOPS_DRIFT_REJECT_NONFINITE)",
                                (unsigned long long)missing_cur);
    }
    if (n == 0)
        return mlops__error(MLOPS_E_DOMAIN,
                            "reference histogram is empty: every bin count is 0 (%llu "
                            "non-finite values)", (unsigned long long)missing_ref);
    if (m == 0)
        return mlops__error(MLOPS_E_DOMAIN,
                            "current histogram is empty: every bin count is 0 (%llu "
                            "non-finite values)", (unsigned long long)missing_cur);
    mlops_drift_result *r = mlops__drift_result_alloc(metric);
    if (!r)
        return MLOPS_E_NOMEM;
    rc = mlops__drift_result_set_shares(r, edges, n_edges, ref_counts, cur_counts, bins, &o);
    if (rc) {
        mlops_drift_result_free(r);
        return rc;
    }
    r->n_ref = n;
    r->n_cur = m;
    r->missing_ref = missing_ref;
    r->missing_cur = missing_cur;
    rc = mlops__drift_result_decide(r, o.threshold);
    if (rc) {
        mlops_drift_result_free(r);
        return rc;
    }
    *out = r;
    return 0;
}
