/*
 * Distances between empirical CDFs: Wasserstein-1 and energy distance.
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * Both are integrals of |F_ref - F_cur|^p over the pooled support, which is
 * a sum over consecutive distinct pooled values (the terms SciPy's
 * _cdf_distance forms). One merge pass over the sorted samples; the sum is
 * compensated so that it is accurate to a few ulp for any sample size.
 */
#include <math.h>

#include "monitor/drift_internal.h"

double mlops__drift_cdf_distance(const double *a, size_t n1, const double *b, size_t n2,
                                 int p)
{
    /* Both arrays end with a +inf sentinel; the last pooled value closes no
     * interval, so the walk stops one short of the end. */
    size_t i = 0, j = 0, total = n1 + n2;
    double dn1 = (double)n1, dn2 = (double)n2;
    mlops__drift_ksum sum = {0, 0};
    for (size_t s = 0; s + 1 < total; s++) {
        double x = a[i], y = b[j];
        size_t ta = x <= y;
        double v = ta ? x : y;
        i += ta;
        j += 1 - ta;
        double nx = a[i] < b[j] ? a[i] : b[j];
        if (nx == v)
            continue;
        double diff = fabs((double)i / dn1 - (double)j / dn2);
        double delta = nx - v;
        mlops__drift_ksum_add(&sum, p == 1 ? diff * delta : diff * diff * delta);
    }
    double s = mlops__drift_ksum_get(&sum);
    return p == 1 ? s : sqrt(s);
}

double mlops__drift_std_pop(const double *a, size_t n)
{
    /* Sorted input: the extremes bound every magnitude. Values near DBL_MAX
     * are scaled down by a power of two (exact) so the sums cannot overflow. */
    double big = fmax(fabs(a[0]), fabs(a[n - 1]));
    double scale = big > 0x1p+500 ? 0x1p-600 : 1.0;
    mlops__drift_ksum s = {0, 0};
    for (size_t i = 0; i < n; i++)
        mlops__drift_ksum_add(&s, a[i] * scale);
    double mean = mlops__drift_ksum_get(&s) / (double)n;
    mlops__drift_ksum q = {0, 0};
    for (size_t i = 0; i < n; i++) {
        double d = a[i] * scale - mean;
        mlops__drift_ksum_add(&q, d * d);
    }
    return sqrt(mlops__drift_ksum_get(&q) / (double)n) / scale;
}
