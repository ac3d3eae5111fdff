/*
 * Share metrics between two histograms: PSI, KL, JS, Hellinger, TVD, L-inf.
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * Every metric is formed without cancellation (docs/drift-contract.md,
 * "Numerical forms"): the difference of two shares comes from the exact
 * integer cross product r_i M - c_i N (128-bit), JS from log1p and atanh of
 * the relative difference d = (P - Q) / (P + Q), KL and PSI from
 * log1p((q - p) / p) with KL = sum p (rel - log1p(rel)) (every term >= 0),
 * Hellinger from the difference of square roots. Sums of terms are
 * compensated (Neumaier). Nothing is allocated.
 */
#include "monitor/drift_shares.h"

#include "monitor/drift_internal.h"

#include <float.h>
#include <math.h>

__extension__ typedef unsigned __int128 shares_u128;
__extension__ typedef __int128 shares_i128;

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

/* x - log1p(x) for x > -1 without cancellation: the series
 * x^2/2 - x^3/3 + ... for |x| < 1/4, the direct form beyond (which loses at
 * most a factor 10 to cancellation there). */
static double x_minus_log1p(double x)
{
    if (fabs(x) >= 0.25)
        return x - log1p(x);
    double sum = 0.0, pw = x * x;
    for (int k = 2; k < 80; k++) {
        double t = pw / k;
        sum += (k & 1) ? -t : t;
        if (fabs(t) <= 1e-17 * fabs(sum))
            break;
        pw *= x;
    }
    return sum;
}

/* (1 + d) ln(1 + d) + (1 - d) ln(1 - d) for |d| <= 1: 2 d atanh(d) +
 * log1p(-d^2) for |d| <= 1/2 (a factor 2 of cancellation at most), the
 * direct form beyond (0 ln 0 = 0 at |d| = 1). */
static double js_g(double d)
{
    double ad = fabs(d);
    if (ad <= 0.5)
        return 2 * ad * atanh(ad) + log1p(-ad * ad);
    return (1 + ad) * log1p(ad) + (ad < 1 ? (1 - ad) * log1p(-ad) : 0.0);
}

void mlops__drift_shares_from_counts(mlops__drift_shares *out, const uint64_t *ref_counts,
                                     const uint64_t *cur_counts, size_t bins,
                                     double smoothing, double js_base)
{
    uint64_t n = 0, m = 0;
    for (size_t i = 0; i < bins; i++) {
        n += ref_counts[i];
        m += cur_counts[i];
    }
    double a = smoothing, dB = (double)bins;
    double dn = (double)n, dm = (double)m, nm = dn * dm;
    double dn_s = dn + a * dB, dm_s = dm + a * dB;
    mlops__drift_ksum psi = {0, 0}, kl = {0, 0}, js = {0, 0}, h2 = {0, 0}, tvd = {0, 0};
    double linf = 0.0;
    int psi_inf = 0, kl_inf = 0;
    for (size_t i = 0; i < bins; i++) {
        uint64_t r = ref_counts[i], c = cur_counts[i];
        double ri = (double)r, ci = (double)c;
        /* r M - c N exactly, rounded once: P - Q = cross / (N M). */
        shares_u128 rM = (shares_u128)r * m, cN = (shares_u128)c * n;
        double cross = rM >= cN ? (double)(rM - cN) : -(double)(cN - rM);
        double sum = (double)rM + (double)cN;
        double diff = fabs(cross) / nm;
        mlops__drift_ksum_add(&tvd, diff);
        if (diff > linf)
            linf = diff;
        if (sum > 0) {
            /* P ln(P / M) + Q ln(Q / M) = (P + Q) / 2 * g((P - Q) / (P + Q)). */
            mlops__drift_ksum_add(&js, 0.5 * (sum / nm) * js_g(cross / sum));
            double sp = sqrt(ri / dn), sq = sqrt(ci / dm);
            double dd = (cross / nm) / (sp + sq);
            mlops__drift_ksum_add(&h2, dd * dd);
        }
        /* Smoothed shares p = (r + a) / Dn, q = (c + a) / Dm. q - p =
         * [(c N - r M) + a ((c - r) B + N - M)] / (Dn Dm) with the integer
         * parts exact; rel = (q - p) / p. */
        double rp = ri + a, cq = ci + a;
        double p = rp / dn_s, q = cq / dm_s;
        shares_i128 i2 = ((shares_i128)c - (shares_i128)r) * (shares_i128)bins +
                         ((shares_i128)n - (shares_i128)m);
        double num = -cross + a * (double)i2;
        double rel = num / (rp * dm_s);
        double qmp = num / (dn_s * dm_s);
        /* log1p(rel) where 1 + rel keeps its digits; ln(q / p) from the
         * quotient when q is far below p (rel near -1). */
        int normal = rp > 0 && cq > 0 && isfinite(rel) && rel >= -0.5 && isfinite(qmp) &&
                     p >= DBL_MIN && q >= DBL_MIN;
        /* PSI term (q - p) ln(q / p) >= 0. */
        if (rp == 0 || cq == 0) {
            if (rp != cq)
                psi_inf = 1; /* a = 0: a bin empty on one side */
        } else if (normal) {
            mlops__drift_ksum_add(&psi, qmp * log1p(rel));
        } else if (p != q) {
            mlops__drift_ksum_add(&psi, (q - p) * log_ratio(q, p, cq, dm_s, rp, dn_s));
        }
        /* KL = sum over p > 0 of p (rel - log1p(rel)), plus q of the bins
         * with p = 0 (the same sum as sum p ln(p / q): sum q - p = 0). */
        if (rp == 0) {
            mlops__drift_ksum_add(&kl, q);
        } else if (cq == 0) {
            kl_inf = 1;
        } else if (normal) {
            mlops__drift_ksum_add(&kl, p * x_minus_log1p(rel));
        } else {
            mlops__drift_ksum_add(&kl, p * log_ratio(p, q, rp, dn_s, cq, dm_s) + (q - p));
        }
    }
    out->psi = psi_inf ? INFINITY : mlops__drift_ksum_get(&psi);
    out->kl = kl_inf ? INFINITY : mlops__drift_ksum_get(&kl);
    double jsd = mlops__drift_ksum_get(&js) / log(js_base);
    out->js = sqrt((jsd > 0 ? jsd : 0.0) / 2.0);
    double h = sqrt(0.5 * mlops__drift_ksum_get(&h2));
    out->hellinger = h > 1.0 ? 1.0 : h;
    out->tvd = 0.5 * mlops__drift_ksum_get(&tvd);
    out->linf = linf;
}
