/*
 * Tests between numeric profiles whose answers carry the sketch error.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <math.h>
#include <string.h>

#include "core/error.h"
#include "monitor/profile.h"

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

/* Survival function of the Kolmogorov distribution, Q(l) = P(K > l). */
static double kolmogorov_sf(double l)
{
    if (l <= 0)
        return 1.0;
    if (l < 1.18) {
        /* theta-function form, fast for small l */
        double s = 0, f = M_PI * M_PI / (8 * l * l);
        for (int k = 1; k <= 20; k++) {
            double t = exp(-(double)((2 * k - 1) * (2 * k - 1)) * f);
            s += t;
            if (t < 1e-300)
                break;
        }
        double cdf = sqrt(2 * M_PI) / l * s;
        return cdf >= 1 ? 0.0 : 1.0 - cdf;
    }
    double s = 0;
    for (int k = 1; k <= 100; k++) {
        double t = exp(-2.0 * k * k * l * l);
        s += (k & 1) ? t : -t;
        if (t < 1e-300)
            break;
    }
    double q = 2 * s;
    return q < 0 ? 0 : (q > 1 ? 1 : q);
}

static int check_pair(mlops_profile_test *out, const mlops_profile *ref,
                      const mlops_profile *cur, const char *fn)
{
    if (out->version == 0 || out->version > MLOPS_SKETCH_TEST_VERSION)
        return mlops__error(MLOPS_E_VERSION, "%s: result version %u is not supported", fn,
                            (unsigned)out->version);
    if (out->size < sizeof(mlops_profile_test))
        return mlops__error(MLOPS_E_INVALID, "%s: result size %u is smaller than version 1 (%zu)",
                            fn, (unsigned)out->size, sizeof(mlops_profile_test));
    if (ref->kind != MLOPS_PROFILE_NUMERIC || cur->kind != MLOPS_PROFILE_NUMERIC)
        return mlops__error(MLOPS_E_INVALID, "%s: both profiles must be numeric", fn);
    if (ref->count == 0)
        return mlops__error(MLOPS_E_DOMAIN, "%s: the reference profile has no finite values", fn);
    if (cur->count == 0)
        return mlops__error(MLOPS_E_DOMAIN, "%s: the current profile has no finite values", fn);
    return 0;
}

static void fill(mlops_profile_test *out, double stat, double low, double high, double pl,
                 double ph, double thr, double er, double ec, int verdict)
{
    /* only the version-1 fields exist today; size was checked to cover them */
    out->statistic = stat;
    out->low = low;
    out->high = high;
    out->pvalue_low = pl;
    out->pvalue_high = ph;
    out->threshold = thr;
    out->eps_ref = er;
    out->eps_cur = ec;
    out->verdict = verdict;
}

/*
 * Walk the union of both views' values in ascending order, calling f with
 * each distinct value x, both CDFs at x and the next distinct value (or
 * INFINITY at the end).
 */
typedef void (*walk_fn)(double x, double fr, double fc, double next, void *ctx);

static void walk(const mlops__kll_view *r, const mlops__kll_view *c, walk_fn f, void *ctx)
{
    size_t i = 0, j = 0;
    uint64_t wr = 0, wc = 0;
    while (i < r->size || j < c->size) {
        double x;
        if (j >= c->size || (i < r->size && r->items[i] <= c->items[j]))
            x = r->items[i];
        else
            x = c->items[j];
        while (i < r->size && r->items[i] == x)
            wr = r->cum[i++];
        while (j < c->size && c->items[j] == x)
            wc = c->cum[j++];
        double next = INFINITY;
        if (i < r->size)
            next = r->items[i];
        if (j < c->size && c->items[j] < next)
            next = c->items[j];
        f(x, (double)wr / (double)r->n, (double)wc / (double)c->n, next, ctx);
    }
}

static void ks_step(double x, double fr, double fc, double next, void *ctx)
{
    (void)x, (void)next;
    double *d = ctx, v = fabs(fr - fc);
    if (v > *d)
        *d = v;
}

static void w1_step(double x, double fr, double fc, double next, void *ctx)
{
    double *acc = ctx;
    if (isfinite(next))
        *acc += fabs(fr - fc) * (next - x);
}

static int build_views(mlops__kll_view *vr, mlops__kll_view *vc, const mlops_profile *ref,
                       const mlops_profile *cur)
{
    int rc = mlops__kll_view_build(vr, &ref->kll);
    if (rc)
        return rc;
    rc = mlops__kll_view_build(vc, &cur->kll);
    if (rc)
        mlops__kll_view_dispose(vr);
    return rc;
}

int mlops_profile_ks_test(mlops_profile_test *out, const mlops_profile *ref,
                          const mlops_profile *cur, double alpha)
{
    MLOPS__CHECK_ARG(out);
    MLOPS__CHECK_ARG(ref);
    MLOPS__CHECK_ARG(cur);
    int rc = check_pair(out, ref, cur, "mlops_profile_ks_test");
    if (rc)
        return rc;
    if (!(alpha > 0 && alpha < 1))
        return mlops__error(MLOPS_E_INVALID, "mlops_profile_ks_test: alpha %g is outside (0, 1)",
                            alpha);
    mlops__kll_view vr, vc;
    if ((rc = build_views(&vr, &vc, ref, cur)) != 0)
        return rc;
    double d = 0;
    walk(&vr, &vc, ks_step, &d);
    mlops__kll_view_dispose(&vr);
    mlops__kll_view_dispose(&vc);
    double er = mlops__kll_rank_error(&ref->kll, 0), ec = mlops__kll_rank_error(&cur->kll, 0);
    double low = d - er - ec, high = d + er + ec;
    low = low < 0 ? 0 : low;
    high = high > 1 ? 1 : high;
    double n = (double)ref->count, m = (double)cur->count;
    double en = sqrt(n * m / (n + m));
    double thr = sqrt(-0.5 * log(alpha / 2)) * sqrt((n + m) / (n * m));
    int verdict = low > thr ? MLOPS_SKETCH_DRIFT
                            : (high <= thr ? MLOPS_SKETCH_NO_DRIFT : MLOPS_SKETCH_INCONCLUSIVE);
    fill(out, d, low, high, kolmogorov_sf(en * high), kolmogorov_sf(en * low), thr, er, ec,
         verdict);
    return 0;
}

int mlops_profile_wasserstein(mlops_profile_test *out, const mlops_profile *ref,
                              const mlops_profile *cur, double threshold)
{
    MLOPS__CHECK_ARG(out);
    MLOPS__CHECK_ARG(ref);
    MLOPS__CHECK_ARG(cur);
    int rc = check_pair(out, ref, cur, "mlops_profile_wasserstein");
    if (rc)
        return rc;
    if (!(threshold >= 0) || !isfinite(threshold))
        return mlops__error(MLOPS_E_INVALID,
                            "mlops_profile_wasserstein: threshold %g must be finite and >= 0",
                            threshold);
    mlops__kll_view vr, vc;
    if ((rc = build_views(&vr, &vc, ref, cur)) != 0)
        return rc;
    double w = 0;
    walk(&vr, &vc, w1_step, &w);
    mlops__kll_view_dispose(&vr);
    mlops__kll_view_dispose(&vc);
    double er = mlops__kll_rank_error(&ref->kll, 0), ec = mlops__kll_rank_error(&cur->kll, 0);
    double lo = ref->min < cur->min ? ref->min : cur->min;
    double hi = ref->max > cur->max ? ref->max : cur->max;
    double slack = (er + ec) * (hi - lo);
    double low = w - slack, high = w + slack;
    low = low < 0 ? 0 : low;
    int verdict = low >= threshold ? MLOPS_SKETCH_DRIFT
                                   : (high < threshold ? MLOPS_SKETCH_NO_DRIFT
                                                       : MLOPS_SKETCH_INCONCLUSIVE);
    fill(out, w, low, high, NAN, NAN, threshold, er, ec, verdict);
    return 0;
}
