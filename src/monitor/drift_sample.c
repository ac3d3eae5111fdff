/*
 * Sample preparation: omit and count non-finite values, sort the rest.
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * Sorting dominates every sample test, so it is an LSD radix sort on the
 * IEEE-754 bit pattern (11-bit digits, six passes at most, passes whose digit
 * is constant skipped): linear time, no comparisons, and the sign trick below
 * makes the unsigned key order equal the numeric order of finite doubles.
 */
#include <math.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "monitor/drift_internal.h"

#define RADIX_BITS 11
#define RADIX_SIZE (1u << RADIX_BITS)
#define RADIX_PASSES 6
/* Below this, insertion sort beats six counting passes. */
#define SMALL_SORT 64

static inline uint64_t key_of(double x)
{
    uint64_t u;
    memcpy(&u, &x, sizeof u);
    /* Negative numbers: flip all bits (reverses their order); positive: set
     * the sign bit so they sort above every negative. */
    return (u & 0x8000000000000000ull) ? ~u : (u | 0x8000000000000000ull);
}

static inline double double_of(uint64_t k)
{
    uint64_t u = (k & 0x8000000000000000ull) ? (k & ~0x8000000000000000ull) : ~k;
    double x;
    memcpy(&x, &u, sizeof x);
    return x;
}

static void insertion_sort(double *a, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        double v = a[i];
        size_t j = i;
        while (j > 0 && a[j - 1] > v) {
            a[j] = a[j - 1];
            j--;
        }
        a[j] = v;
    }
}

void mlops__drift_sort(double *a, double *tmp, size_t n)
{
    if (n < SMALL_SORT) {
        insertion_sort(a, n);
        return;
    }
    /* Keys share storage with the doubles (same size, memcpy-punned). */
    uint64_t *src = (uint64_t *)(void *)a;
    uint64_t *dst = (uint64_t *)(void *)tmp;
    size_t hist[RADIX_PASSES][RADIX_SIZE];
    memset(hist, 0, sizeof hist);
    for (size_t i = 0; i < n; i++) {
        uint64_t k = key_of(a[i]);
        src[i] = k;
        for (int p = 0; p < RADIX_PASSES; p++)
            hist[p][(k >> (p * RADIX_BITS)) & (RADIX_SIZE - 1)]++;
    }
    for (int p = 0; p < RADIX_PASSES; p++) {
        size_t *h = hist[p];
        unsigned shift = (unsigned)(p * RADIX_BITS);
        /* A pass whose digit is the same for every key changes nothing. */
        if (h[(src[0] >> shift) & (RADIX_SIZE - 1)] == n)
            continue;
        size_t sum = 0;
        for (size_t d = 0; d < RADIX_SIZE; d++) {
            size_t c = h[d];
            h[d] = sum;
            sum += c;
        }
        for (size_t i = 0; i < n; i++) {
            uint64_t k = src[i];
            dst[h[(k >> shift) & (RADIX_SIZE - 1)]++] = k;
        }
        uint64_t *t = src;
        src = dst;
        dst = t;
    }
    if (src != (uint64_t *)(void *)a)
        memcpy(a, src, n * sizeof *a);
    for (size_t i = 0; i < n; i++)
        a[i] = double_of(((uint64_t *)(void *)a)[i]);
}

uint64_t mlops__drift_count_nonfinite(const double *x, size_t n, size_t *first)
{
    uint64_t c = 0;
    size_t f = n;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(x[i])) {
            if (f == n)
                f = i;
            c++;
        }
    }
    if (first)
        *first = f;
    return c;
}

void mlops__drift_sample_dispose(mlops__drift_sample *s)
{
    if (!s)
        return;
    mlops__free(s->data);
    s->data = NULL;
    s->n = 0;
    s->missing = 0;
}

/* Copy the finite values; the count was checked by the caller. */
static size_t copy_finite(double *dst, const double *x, size_t n)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        double v = x[i];
        if (isfinite(v))
            dst[m++] = v;
    }
    return m;
}

static int check_side(const char *side, const double *x, size_t n, int reject,
                      uint64_t *missing)
{
    if (n > 0 && !x)
        return mlops__error(MLOPS_E_INVALID, "%s sample is NULL with length %zu", side, n);
    size_t first;
    uint64_t bad = mlops__drift_count_nonfinite(x, n, &first);
    if (bad && reject)
        return mlops__error(MLOPS_E_DOMAIN,
                            "%s sample: non-finite value %g at index %zu (rejected by "
                            "MLOPS_DRIFT_REJECT_NONFINITE)", side, x[first], first);
    if (n - bad == 0)
        return mlops__error(MLOPS_E_DOMAIN,
                            "%s sample is empty after omitting non-finite values "
                            "(%zu values, %llu non-finite)", side, n,
                            (unsigned long long)bad);
    *missing = bad;
    return 0;
}

int mlops__drift_samples_prepare(mlops__drift_sample *ref, mlops__drift_sample *cur,
                                 const double *x_ref, size_t n_ref,
                                 const double *x_cur, size_t n_cur, int reject_nonfinite)
{
    uint64_t miss_ref = 0, miss_cur = 0;
    int rc = check_side("reference", x_ref, n_ref, reject_nonfinite, &miss_ref);
    if (rc)
        return rc;
    rc = check_side("current", x_cur, n_cur, reject_nonfinite, &miss_cur);
    if (rc)
        return rc;
    size_t m_ref = n_ref - (size_t)miss_ref, m_cur = n_cur - (size_t)miss_cur;
    size_t big = m_ref > m_cur ? m_ref : m_cur;
    double *a = mlops__reallocarray(NULL, m_ref, sizeof *a);
    double *b = mlops__reallocarray(NULL, m_cur, sizeof *b);
    double *tmp = big >= SMALL_SORT ? mlops__reallocarray(NULL, big, sizeof *tmp) : NULL;
    if (!a || !b || (big >= SMALL_SORT && !tmp)) {
        mlops__free(a);
        mlops__free(b);
        mlops__free(tmp);
        return mlops__error_nomem();
    }
    copy_finite(a, x_ref, n_ref);
    copy_finite(b, x_cur, n_cur);
    mlops__drift_sort(a, tmp, m_ref);
    mlops__drift_sort(b, tmp, m_cur);
    mlops__free(tmp);
    ref->data = a;
    ref->n = m_ref;
    ref->missing = miss_ref;
    cur->data = b;
    cur->n = m_cur;
    cur->missing = miss_cur;
    return 0;
}
