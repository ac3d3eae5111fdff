/*
 * Share metrics between two histograms: PSI, KL, JS, Hellinger, TVD, L-inf.
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * Sums use NumPy's pairwise grouping with terms generated on demand, so the
 * results equal the reference NumPy/SciPy formulas bit for bit and nothing
 * is allocated.
 */
#include "monitor/drift_shares.h"

#include <float.h>
#include <math.h>

enum term_kind { T_PSI, T_KL, T_JS_LEFT, T_JS_RIGHT, T_HELL, T_TVD, T_P, T_Q };

typedef struct share_ctx {
    const uint64_t *r, *c;
    double a;               /* smoothing */
    double dn_s, dm_s;      /* smoothed denominators */
    double dn, dm;          /* raw totals */
    double ps, qs;          /* sums of raw shares (JS renormalises) */
} share_ctx;

static double rel_entr(double x, double y)
{
    if (x > 0 && y > 0)
        return x * log(x / y);
    if (x == 0 && y >= 0)
        return 0.0;
    return INFINITY;
}

/* ln(x / y) of the smoothed shares x = xn / xd and y = yn / yd (xn, yn > 0).
 * In the range of a double this is log(x / y), bit for bit as NumPy's
 * formula; when the quotient overflows or underflows, or a share itself
 * underflowed to 0 (a tiny smoothing over many values), it is computed
 * from the logarithms of the parts, as scipy.special.rel_entr does, so a
 * smoothed divergence stays finite. */
static double log_ratio(double x, double y, double xn, double xd, double yn, double yd)
{
    if (x > 0 && y > 0) {
        double r = x / y;
        if (r >= DBL_MIN && r < INFINITY)
            return log(r);
        return log(x) - log(y);
    }
    return (log(xn) - log(xd)) - (log(yn) - log(yd));
}

static double term(const share_ctx *s, int kind, size_t i)
{
    double ri = (double)s->r[i], ci = (double)s->c[i];
    switch (kind) {
    case T_PSI: {
        /* With a = 0 a bin empty on both sides adds 0 and a bin empty on one
         * side makes the sum +inf (the limit of (q - p) ln(q / p)). */
        double p = (ri + s->a) / s->dn_s, q = (ci + s->a) / s->dm_s;
        if (p == q)
            return 0.0;
        if (ri + s->a == 0 || ci + s->a == 0)
            return INFINITY;
        return (q - p) * log_ratio(q, p, ci + s->a, s->dm_s, ri + s->a, s->dn_s);
    }
    case T_KL: {
        /* scipy.special.rel_entr: 0 ln(0 / q) = 0, p ln(p / 0) = +inf. */
        double p = (ri + s->a) / s->dn_s, q = (ci + s->a) / s->dm_s;
        if (p == 0)
            return 0.0;
        if (ci + s->a == 0)
            return INFINITY;
        return p * log_ratio(p, q, ri + s->a, s->dn_s, ci + s->a, s->dm_s);
    }
    case T_JS_LEFT:
    case T_JS_RIGHT: {
        double p = (ri / s->dn) / s->ps, q = (ci / s->dm) / s->qs;
        double m = (p + q) / 2.0;
        return kind == T_JS_LEFT ? rel_entr(p, m) : rel_entr(q, m);
    }
    case T_HELL:
        return sqrt((ri / s->dn) * (ci / s->dm));
    case T_TVD:
        return fabs(ri / s->dn - ci / s->dm);
    case T_P:
        return ri / s->dn;
    default:
        return ci / s->dm;
    }
}

/* NumPy's pairwise_sum over term(lo .. lo+n). */
static double pw_terms(const share_ctx *s, int kind, size_t lo, size_t n)
{
    if (n < 8) {
        double res = 0.0;
        for (size_t i = 0; i < n; i++)
            res += term(s, kind, lo + i);
        return res;
    }
    if (n <= 128) {
        double r[8];
        for (size_t j = 0; j < 8; j++)
            r[j] = term(s, kind, lo + j);
        size_t i;
        for (i = 8; i < n - (n % 8); i += 8)
            for (size_t j = 0; j < 8; j++)
                r[j] += term(s, kind, lo + i + j);
        double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for (; i < n; i++)
            res += term(s, kind, lo + i);
        return res;
    }
    size_t n2 = n / 2;
    n2 -= n2 % 8;
    return pw_terms(s, kind, lo, n2) + pw_terms(s, kind, lo + n2, n - n2);
}

static double pw_array(const double *a, size_t n)
{
    if (n < 8) {
        double res = 0.0;
        for (size_t i = 0; i < n; i++)
            res += a[i];
        return res;
    }
    if (n <= 128) {
        double r[8];
        for (size_t j = 0; j < 8; j++)
            r[j] = a[j];
        size_t i;
        for (i = 8; i < n - (n % 8); i += 8)
            for (size_t j = 0; j < 8; j++)
                r[j] += a[i + j];
        double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for (; i < n; i++)
            res += a[i];
        return res;
    }
    size_t n2 = n / 2;
    n2 -= n2 % 8;
    return pw_array(a, n2) + pw_array(a + n2, n - n2);
}

double mlops__drift_pairwise_sum(const double *a, size_t n)
{
    return pw_array(a, n);
}

void mlops__drift_shares_from_counts(mlops__drift_shares *out, const uint64_t *ref_counts,
                                     const uint64_t *cur_counts, size_t bins,
                                     double smoothing, double js_base)
{
    share_ctx s;
    s.r = ref_counts;
    s.c = cur_counts;
    s.a = smoothing;
    s.ps = s.qs = 1.0;
    s.dn = s.dm = 1.0;
    s.dn_s = s.dm_s = 1.0;
    /* Totals as NumPy sums them (exact for counts below 2^53). */
    uint64_t n = 0, m = 0;
    for (size_t i = 0; i < bins; i++) {
        n += ref_counts[i];
        m += cur_counts[i];
    }
    s.dn = (double)n;
    s.dm = (double)m;
    s.dn_s = s.dn + smoothing * (double)bins;
    s.dm_s = s.dm + smoothing * (double)bins;
    out->psi = pw_terms(&s, T_PSI, 0, bins);
    out->kl = pw_terms(&s, T_KL, 0, bins);
    /* scipy.spatial.distance.jensenshannon normalises its inputs again. */
    s.ps = pw_terms(&s, T_P, 0, bins);
    s.qs = pw_terms(&s, T_Q, 0, bins);
    double js = pw_terms(&s, T_JS_LEFT, 0, bins) + pw_terms(&s, T_JS_RIGHT, 0, bins);
    js /= log(js_base);
    out->js = sqrt(js / 2.0);
    s.ps = s.qs = 1.0;
    double bc = 1.0 - pw_terms(&s, T_HELL, 0, bins);
    double h = sqrt(bc > 0 ? bc : 0.0);
    out->hellinger = h > 1.0 ? 1.0 : h;
    out->tvd = 0.5 * pw_terms(&s, T_TVD, 0, bins);
    double linf = 0.0;
    for (size_t i = 0; i < bins; i++) {
        double d = term(&s, T_TVD, i);
        if (d > linf)
            linf = d;
    }
    out->linf = linf;
}
