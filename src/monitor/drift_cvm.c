/*
 * Two-sample Cramér-von Mises test.
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * T follows Anderson (1962) with midranks for ties, as
 * scipy.stats.cramervonmises_2samp. The p-value is exact when both samples
 * have at most 20 values — the frequency table of U over lattice paths of
 * Xiao, Gordon and Yakovlev (2006), counted in integers — and otherwise the
 * limiting distribution of the normalised statistic (Csörgő and Faraway
 * 1996).
 */
#include <math.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "monitor/drift_internal.h"
#include "monitor/drift_special.h"

#define CVM_EXACT_MAX 20

/* Exact products of sizes (SciPy uses Python integers there). */
__extension__ typedef __int128 cvm_i128;
__extension__ typedef unsigned __int128 cvm_u128;

/* A sorted list of (value, count) pairs: the frequency table of one cell. */
typedef struct freq_list {
    int64_t *value;
    uint64_t *count;
    size_t n, cap;
} freq_list;

static void fl_free(freq_list *l)
{
    mlops__free(l->value);
    mlops__free(l->count);
    memset(l, 0, sizeof *l);
}

static int fl_reserve(freq_list *l, size_t n)
{
    if (n <= l->cap)
        return 0;
    size_t cap = l->cap ? l->cap : 16;
    while (cap < n)
        cap *= 2;
    int64_t *v = mlops__reallocarray(l->value, cap, sizeof *v);
    if (!v)
        return mlops__error_nomem();
    l->value = v;
    uint64_t *c = mlops__reallocarray(l->count, cap, sizeof *c);
    if (!c)
        return mlops__error_nomem();
    l->count = c;
    l->cap = cap;
    return 0;
}

/* out = merge(a, b) with counts of equal values added, then every value
 * shifted by `shift`. `out` must differ from both inputs. */
static int fl_merge_shift(freq_list *out, const freq_list *a, const freq_list *b,
                          int64_t shift)
{
    int rc = fl_reserve(out, a->n + b->n);
    if (rc)
        return rc;
    size_t i = 0, j = 0, k = 0;
    while (i < a->n || j < b->n) {
        if (j >= b->n || (i < a->n && a->value[i] < b->value[j])) {
            out->value[k] = a->value[i];
            out->count[k++] = a->count[i++];
        } else if (i >= a->n || b->value[j] < a->value[i]) {
            out->value[k] = b->value[j];
            out->count[k++] = b->count[j++];
        } else {
            out->value[k] = a->value[i];
            out->count[k++] = a->count[i++] + b->count[j++];
        }
    }
    for (size_t q = 0; q < k; q++)
        out->value[q] += shift;
    out->n = k;
    return 0;
}

/* Python's float floor division a // b (b > 0), which SciPy's zeta uses. */
static double py_floordiv(double vx, double wx)
{
    double mod = fmod(vx, wx);
    double div = (vx - mod) / wx;
    if (mod != 0.0 && ((wx < 0) != (mod < 0)))
        div -= 1.0;
    if (div != 0.0) {
        double fd = floor(div);
        if (div - fd > 0.5)
            fd += 1.0;
        return fd;
    }
    return copysign(0.0, vx / wx);
}

static uint64_t gcd_u64(uint64_t a, uint64_t b)
{
    while (b) {
        uint64_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

static int pval_exact(double *p, double s, uint64_t m, uint64_t n)
{
    uint64_t lcm = m / gcd_u64(m, n) * n;
    int64_t a = (int64_t)(lcm / m), b = (int64_t)(lcm / n);
    double mn = (double)(m * n);
    double zeta = py_floordiv((double)(lcm * lcm * (m + n)) * (6 * s - mn * (4 * mn - 1)),
                              6 * mn * mn);
    /* comb(m + n, m) exactly (fits: at most comb(40, 20)). */
    uint64_t comb = 1;
    for (uint64_t i = 1; i <= m; i++)
        comb = comb * (n + i) / i;

    int rc = 0;
    freq_list *gs = mlops__calloc(2 * (m + 1), sizeof *gs);
    if (!gs)
        return mlops__error_nomem();
    freq_list *next = gs + (m + 1);
    if ((rc = fl_reserve(&gs[0], 1)) != 0)
        goto done;
    gs[0].value[0] = 0;
    gs[0].count[0] = 1;
    gs[0].n = 1;
    for (uint64_t u = 0; u <= n; u++) {
        freq_list prev_cell = {0};
        for (uint64_t v = 0; v <= m; v++) {
            int64_t d = a * (int64_t)v - b * (int64_t)u;
            /* cell(u, v) = shift(merge(cell(u, v-1), cell(u-1, v))) */
            rc = fl_merge_shift(&next[v], v ? &next[v - 1] : &prev_cell, &gs[v], d * d);
            if (rc)
                goto done;
        }
        for (uint64_t v = 0; v <= m; v++) {
            freq_list t = gs[v];
            gs[v] = next[v];
            next[v] = t;
            next[v].n = 0;
        }
    }
    uint64_t hits = 0;
    const freq_list *last = &gs[m];
    for (size_t i = 0; i < last->n; i++)
        if ((double)last->value[i] >= zeta)
            hits += last->count[i];
    *p = (double)hits / (double)comb;
done:
    for (size_t i = 0; i < 2 * (m + 1); i++)
        fl_free(&gs[i]);
    mlops__free(gs);
    return rc;
}

int mlops__drift_cvm(const double *x, size_t nx, const double *y, size_t ny, double *t,
                     double *p, int *method)
{
    /* U = nx * sum (rx_i - i)^2 + ny * sum (ry_j - j)^2 with midranks.
     * Twice a midrank difference is an integer: the sums of their squares
     * are accumulated exactly in 128 bits, and T = U / (k N) - (4k - 1) / (6N)
     * = (3 U4 - 2k (4k - 1)) / (12 k N) with U4 = 4U is formed from exact
     * integers (no cancellation), rounded twice. */
    cvm_u128 sx = 0, sy = 0;
    size_t i = 0, j = 0;
    while (i < nx || j < ny) {
        double v;
        if (j >= ny || (i < nx && x[i] <= y[j]))
            v = x[i];
        else
            v = y[j];
        size_t i0 = i, j0 = j;
        while (i < nx && x[i] <= v)
            i++;
        while (j < ny && y[j] <= v)
            j++;
        size_t ca = i - i0, cb = j - j0;
        /* 2r = 2 (i0 + j0) + ca + cb + 1; 2 (r - (i0 + q)) = 2 j0 + ca + cb + 1 - 2q */
        for (size_t q = 1; q <= ca; q++) {
            int64_t d = (int64_t)(2 * j0 + ca + cb + 1) - (int64_t)(2 * q);
            sx += (cvm_u128)((cvm_i128)d * d);
        }
        for (size_t q = 1; q <= cb; q++) {
            int64_t d = (int64_t)(2 * i0 + ca + cb + 1) - (int64_t)(2 * q);
            sy += (cvm_u128)((cvm_i128)d * d);
        }
    }
    double dnx = (double)nx, dny = (double)ny;
    /* Sizes as exact integers where SciPy uses Python integers. */
    cvm_i128 k = (cvm_i128)nx * (cvm_i128)ny;
    cvm_i128 N = (cvm_i128)nx + (cvm_i128)ny;
    double u = (dnx * (double)sx + dny * (double)sy) / 4;
    double T;
    if (N <= ((cvm_i128)1 << 30)) {
        /* 3 U4 < 3 N^4 and 8 k^2 < N^4 / 2: below 2^122. */
        cvm_u128 u4 = (cvm_u128)nx * sx + (cvm_u128)ny * sy;
        cvm_i128 num = (cvm_i128)(3 * u4) - 2 * k * (4 * k - 1);
        T = (double)num / (double)(12 * k * N);
    } else {
        T = u / (double)(k * N) - (double)(4 * k - 1) / (double)(6 * N);
    }
    *t = T;
    if (nx <= CVM_EXACT_MAX && ny <= CVM_EXACT_MAX) {
        *method = MLOPS_DRIFT_PVALUE_EXACT;
        return pval_exact(p, u, nx, ny);
    }
    *method = MLOPS_DRIFT_PVALUE_ASYMPTOTIC;
    double dN = (double)N;
    double et = (1 + 1 / dN) / 6;
    cvm_i128 vnum = (N + 1) * (4 * k * N - 3 * ((cvm_i128)nx * nx + (cvm_i128)ny * ny) - 2 * k);
    cvm_i128 vden = 45 * N * N * 4 * k;
    double vt = (double)((long double)vnum / (long double)vden);
    double tn = 1.0 / 6 + (T - et) / sqrt(45 * vt);
    if (tn < 0.003) {
        *p = 1.0;
    } else {
        *p = mlops__drift_cvm_inf_sf(tn);
    }
    return 0;
}
