/*
 * Two-sample Kolmogorov-Smirnov: the statistic and its p-values.
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * The statistic is computed exactly as scipy.stats.ks_2samp does (ECDF
 * differences i/n1 - j/n2 at every pooled value), in one merge pass over the
 * two sorted samples. Exact p-values count lattice paths: for n1 == n2 the
 * alternating-sum formula in Horner form, O(n); otherwise the "inside"
 * recursion of Hodges computed directly as 1 - p (Viehmann 2021), O(n1*n2).
 * The asymptotic p-value is kstwo.sf(D, round(n1*n2/(n1+n2))).
 */
#include <math.h>

#include "core/alloc.h"
#include "core/error.h"
#include "monitor/drift_internal.h"
#include "monitor/drift_special.h"

/* SciPy's auto method is exact up to this sample size. */
#define KS_SCIPY_MAX_EXACT 10000
/* Beyond SciPy's limit the lattice count is used while the cells it visits
 * stay below this number (0.2-0.5 s on one core): the recursion walks the
 * larger sample's m columns and, in each, only the band of about 2 D n + 2
 * rows the paths can still occupy, so the work is m * min(n + 1, 2 D n + 2),
 * not n * m. */
#define KS_LATTICE_MAX_CELLS 50000000.0

double mlops__drift_ks_statistic(const double *a, size_t n1, const double *b, size_t n2)
{
    /* Both arrays end with a +inf sentinel. The ECDF difference at a pooled
     * value is (i*n2 - j*n1) / (n1*n2) with i, j the counts <= value: the
     * extremes are found on that exact integer, and SciPy's float
     * i/n1 - j/n2 is formed only where the integer reaches its extreme
     * (ties in the integer may round differently; the float extreme wins, as
     * in SciPy). */
    size_t i = 0, j = 0, total = n1 + n2;
    int64_t N1 = (int64_t)n1, N2 = (int64_t)n2;
    int64_t maxnum = 0, minnum = 0;
    double dn1 = (double)n1, dn2 = (double)n2;
    double maxs = 0.0, mins = 0.0;
    for (size_t s = 0; s < total; s++) {
        double x = a[i], y = b[j];
        size_t ta = x <= y;
        double v = ta ? x : y;
        i += ta;
        j += 1 - ta;
        double nx = a[i] < b[j] ? a[i] : b[j];
        if (nx == v)
            continue; /* not the end of a run of equal values */
        int64_t num = (int64_t)i * N2 - (int64_t)j * N1;
        if (num >= maxnum) {
            double diff = (double)i / dn1 - (double)j / dn2;
            if (num > maxnum || diff > maxs)
                maxs = diff;
            maxnum = num;
        }
        if (num <= minnum) {
            double diff = (double)i / dn1 - (double)j / dn2;
            if (num < minnum || diff < mins)
                mins = diff;
            minnum = num;
        }
    }
    double minus = -mins;
    if (minus > 1.0)
        minus = 1.0;
    return minus > maxs ? minus : maxs;
}

static size_t gcd_size(size_t a, size_t b)
{
    while (b) {
        size_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

/* P(D_{n,n} >= h/n): 2 * A0 (1 - A1 (1 - A2 (...))) with A_k ratios of
 * binomials evaluated as h simple factors each. */
static double prob_outside_square(size_t n, size_t h)
{
    double P = 0.0;
    for (size_t kk = n / h + 1; kk-- > 0;) {
        double k = (double)kk, dh = (double)h, dn = (double)n;
        double p1 = 1.0;
        for (size_t jj = 0; jj < h; jj++) {
            double j = (double)jj;
            p1 = (dn - k * dh - j) * p1 / (dn + k * dh + j + 1);
        }
        P = p1 * (1.0 - P);
    }
    return 2 * P;
}

/* Share of lattice paths from (0,0) to (m,n) leaving |x/m - y/n| < h/lcm,
 * computed column by column as 1 - (inside share). *out receives it; returns
 * MLOPS_E_NOMEM or 0. */
static int outer_prob_inside(double *out, size_t m, size_t n, size_t g, size_t h)
{
    if (m < n) {
        size_t t = m;
        m = n;
        n = t;
    }
    double mg = (double)(m / g), ng = (double)(n / g), dh = (double)h;
    long minj = 0;
    long maxj = (long)ceil(dh / mg);
    if (maxj > (long)n + 1)
        maxj = (long)n + 1;
    long curlen = maxj - minj;
    size_t lenA = (size_t)(2 * maxj + 2) < n + 1 ? (size_t)(2 * maxj + 2) : n + 1;
    double *A = mlops__reallocarray(NULL, lenA, sizeof *A);
    if (!A)
        return mlops__error_nomem();
    for (size_t i = 0; i < lenA; i++)
        A[i] = 1.0;
    for (long i = minj; i < maxj; i++)
        A[i] = 0.0;
    double result = 0.0;
    int done = 0;
    for (size_t ii = 1; ii <= m; ii++) {
        double di = (double)ii;
        long lastminj = minj, lastlen = curlen;
        minj = (long)floor((ng * di - dh) / mg) + 1;
        if (minj < 0)
            minj = 0;
        if (minj > (long)n)
            minj = (long)n;
        maxj = (long)ceil((ng * di + dh) / mg);
        if (maxj > (long)n + 1)
            maxj = (long)n + 1;
        if (maxj <= minj) {
            result = 1.0;
            done = 1;
            break;
        }
        double val = minj == 0 ? 0.0 : 1.0;
        for (long jj = 0; jj < maxj - minj; jj++) {
            long j = jj + minj;
            val = (A[jj + minj - lastminj] * di + val * (double)j) / (di + (double)j);
            A[jj] = val;
        }
        curlen = maxj - minj;
        if (lastlen > curlen)
            for (long q = maxj - minj; q < maxj - minj + (lastlen - curlen); q++)
                A[q] = 1.0;
    }
    if (!done)
        result = A[maxj - minj - 1];
    mlops__free(A);
    *out = result;
    return 0;
}

/* SciPy's _attempt_exact_2kssamp: *ok = 0 when the exact value is unusable. */
static int attempt_exact(double *p, double *d, int *ok, size_t n1, size_t n2)
{
    size_t g = gcd_size(n1, n2);
    double lcm = (double)(n1 / g) * (double)n2;
    double hh = nearbyint(*d * lcm);
    *ok = 1;
    *d = hh / lcm;
    if (hh == 0) {
        *p = 1.0;
        return 0;
    }
    size_t h = (size_t)hh;
    double prob = NAN;
    if (n1 == n2) {
        prob = prob_outside_square(n1, h);
    } else {
        int rc = outer_prob_inside(&prob, n1, n2, g, h);
        if (rc)
            return rc;
    }
    if (!(prob >= 0.0 && prob <= 1.0) || !isfinite(prob))
        *ok = 0;
    *p = prob;
    return 0;
}

static int asymptotic(double *p, double d, size_t n1, size_t n2)
{
    double m = (double)(n1 > n2 ? n1 : n2), n = (double)(n1 > n2 ? n2 : n1);
    double en = m * n / (m + n);
    double prob = mlops__drift_kstwo_sf((int64_t)nearbyint(en), d);
    if (isnan(prob))
        return mlops__error_nomem();
    *p = prob < 0 ? 0 : (prob > 1 ? 1 : prob);
    return 0;
}

/* Cells the lattice recursion visits for statistic d (see KS_LATTICE_MAX_CELLS). */
static double ks_lattice_cells(size_t n1, size_t n2, double d)
{
    double big = (double)(n1 > n2 ? n1 : n2), small = (double)(n1 > n2 ? n2 : n1);
    double band = 2 * d * small + 3;
    return big * (band < small + 1 ? band : small + 1);
}

int mlops__drift_ks_pvalue(double *p, double *d, size_t n1, size_t n2, int mode, int *method)
{
    size_t big = n1 > n2 ? n1 : n2;
    int exact;
    if (mode == MLOPS_DRIFT_KS_ASYMPTOTIC)
        exact = 0;
    else if (big <= KS_SCIPY_MAX_EXACT)
        exact = 1;
    else if (mode == MLOPS_DRIFT_KS_EXACT_WHERE_FEASIBLE)
        exact = n1 == n2 || ks_lattice_cells(n1, n2, *d) <= KS_LATTICE_MAX_CELLS;
    else
        exact = 0;
    if (exact) {
        double dd = *d, prob;
        int ok;
        int rc = attempt_exact(&prob, &dd, &ok, n1, n2);
        if (rc)
            return rc;
        if (ok) {
            *d = dd;
            *p = prob < 0 ? 0 : (prob > 1 ? 1 : prob);
            *method = MLOPS_DRIFT_PVALUE_EXACT;
            return 0;
        }
        /* As SciPy: an unusable exact value falls back to the asymptotic
         * one, with the lattice-rounded statistic. */
        *d = dd;
    }
    *method = MLOPS_DRIFT_PVALUE_ASYMPTOTIC;
    return asymptotic(p, *d, n1, n2);
}
