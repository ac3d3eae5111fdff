/*
 * Multiple-testing adjustment of p-values: Bonferroni, Holm,
 * Benjamini-Hochberg (statsmodels' multipletests formulas).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <math.h>
#include <stdlib.h>

#include "core/alloc.h"
#include "core/error.h"
#include "monitor/drift_internal.h"

typedef struct pv_index {
    double p;
    size_t i;
} pv_index;

static int cmp_pv(const void *a, const void *b)
{
    const pv_index *x = a, *y = b;
    if (x->p < y->p)
        return -1;
    if (x->p > y->p)
        return 1;
    return x->i < y->i ? -1 : (x->i > y->i);
}

int mlops_drift_pvalue_adjust(double *out, const double *p, size_t n, int method)
{
    if (n == 0)
        return 0;
    MLOPS__CHECK_ARG(out);
    MLOPS__CHECK_ARG(p);
    if (method < MLOPS_PVALUE_BONFERRONI || method > MLOPS_PVALUE_BH)
        return mlops__error(MLOPS_E_INVALID, "unknown p-value adjustment method %d", method);
    for (size_t i = 0; i < n; i++)
        if (!(p[i] >= 0.0 && p[i] <= 1.0))
            return mlops__error(MLOPS_E_INVALID, "p-value %zu is %g, not in [0, 1]", i, p[i]);
    double dn = (double)n;
    if (method == MLOPS_PVALUE_BONFERRONI) {
        for (size_t i = 0; i < n; i++) {
            double v = p[i] * dn;
            out[i] = v > 1.0 ? 1.0 : v;
        }
        return 0;
    }
    pv_index *s = mlops__reallocarray(NULL, n, sizeof *s);
    if (!s)
        return mlops__error_nomem();
    for (size_t i = 0; i < n; i++) {
        s[i].p = p[i];
        s[i].i = i;
    }
    qsort(s, n, sizeof *s, cmp_pv);
    if (method == MLOPS_PVALUE_HOLM) {
        /* p_(k) * (n - k), running maximum, clipped to 1. */
        double run = 0.0;
        for (size_t k = 0; k < n; k++) {
            double v = s[k].p * (double)(n - k);
            run = v > run ? v : run;
            s[k].p = run > 1.0 ? 1.0 : run;
        }
    } else {
        /* p_(k) / ((k + 1) / n), running minimum from the top, clipped to 1. */
        double run = INFINITY;
        for (size_t k = n; k-- > 0;) {
            double v = s[k].p / ((double)(k + 1) / dn);
            run = v < run ? v : run;
            s[k].p = run > 1.0 ? 1.0 : run;
        }
    }
    for (size_t k = 0; k < n; k++)
        out[s[k].i] = s[k].p;
    mlops__free(s);
    return 0;
}
