/*
 * Sample preparation: omit and count non-finite values, sort the rest.
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * Sorting dominates every sample test, so it is a radix sort on the IEEE-754
 * bit pattern (the sign trick below makes the unsigned key order equal the
 * numeric order of finite doubles): one MSD pass on the top 16 bits into
 * buckets, then an LSD pass per bucket on the low 48 bits while the bucket
 * is in cache; passes whose digit is constant are skipped. Linear time, three
 * passes over main memory for usual data, and the only scratch is one buffer
 * of the sample's size (plus 1.25 MiB of histograms).
 */
#include <math.h>
#include <pthread.h>
#include <string.h>
#include <sys/mman.h>

#include "core/alloc.h"
#include "core/error.h"
#include "monitor/drift_internal.h"

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

static void insertion_sort_keys(uint64_t *k, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        uint64_t v = k[i];
        size_t j = i;
        while (j > 0 && k[j - 1] > v) {
            k[j] = k[j - 1];
            j--;
        }
        k[j] = v;
    }
}

/* The top TOP_BITS of a key (sign, exponent, 4 mantissa bits) split the data
 * into buckets small enough to sort in cache for usual data; each bucket is
 * then sorted on its low 48 bits by an LSD radix sort in 12-bit digits. */
#define TOP_BITS 16
#define TOP_SIZE (1u << TOP_BITS)
#define LOW_BITS 12
#define LOW_SIZE (1u << LOW_BITS)
#define LOW_PASSES 4

/* Sort keys src[0..n) on bits 0..47 with dst[0..n) as scratch; returns the
 * buffer that holds the result (src or dst). */
static uint64_t *sort_bucket(uint64_t *src, uint64_t *dst, size_t n, size_t *hist)
{
    if (n < SMALL_SORT) {
        insertion_sort_keys(src, n);
        return src;
    }
    memset(hist, 0, LOW_PASSES * LOW_SIZE * sizeof *hist);
    for (size_t i = 0; i < n; i++) {
        uint64_t k = src[i];
        for (unsigned p = 0; p < LOW_PASSES; p++)
            hist[p * LOW_SIZE + ((k >> (p * LOW_BITS)) & (LOW_SIZE - 1))]++;
    }
    for (unsigned p = 0; p < LOW_PASSES; p++) {
        size_t *h = hist + p * LOW_SIZE;
        unsigned shift = p * LOW_BITS;
        if (h[(src[0] >> shift) & (LOW_SIZE - 1)] == n)
            continue; /* the digit is the same everywhere */
        size_t sum = 0;
        for (size_t d = 0; d < LOW_SIZE; d++) {
            size_t c = h[d];
            h[d] = sum;
            sum += c;
        }
        for (size_t i = 0; i < n; i++) {
            uint64_t k = src[i];
            dst[h[(k >> shift) & (LOW_SIZE - 1)]++] = k;
        }
        uint64_t *t = src;
        src = dst;
        dst = t;
    }
    return src;
}

/* Buckets [b0, b1) of a sort: each sorts in place with the same range of
 * the scratch, and lands in `out` as doubles. ends[b] is the end offset of
 * bucket b. */
typedef struct bucket_range {
    double *out;
    uint64_t *ko, *kt;
    const size_t *ends;
    size_t b0, b1;
    size_t *low; /* LOW_PASSES * LOW_SIZE histogram of this worker */
} bucket_range;

static void *sort_buckets(void *arg)
{
    bucket_range *r = arg;
    size_t start = r->b0 ? r->ends[r->b0 - 1] : 0;
    for (size_t b = r->b0; b < r->b1; b++) {
        size_t end = r->ends[b], len = end - start;
        if (len) {
            uint64_t *res = sort_bucket(r->ko + start, r->kt + start, len, r->low);
            for (size_t i = 0; i < len; i++)
                r->out[start + i] = double_of(res[i]);
        }
        start = end;
    }
    return NULL;
}

/* Samples from this size on sort on two threads. */
#define PARALLEL_MIN (1u << 20)

/* One half of the first two passes of a parallel sort. */
typedef struct key_half {
    const double *in;
    uint64_t *kt, *ko;
    size_t lo, hi;
    size_t *hist; /* counts, then running offsets of this half */
} key_half;

static void *make_keys(void *arg)
{
    key_half *h = arg;
    for (size_t i = h->lo; i < h->hi; i++) {
        uint64_t k = key_of(h->in[i]);
        h->kt[i] = k;
        h->hist[k >> (64 - TOP_BITS)]++;
    }
    return NULL;
}

static void *scatter_keys(void *arg)
{
    key_half *h = arg;
    for (size_t i = h->lo; i < h->hi; i++) {
        uint64_t k = h->kt[i];
        h->ko[h->hist[k >> (64 - TOP_BITS)]++] = k;
    }
    return NULL;
}

/* fn(&h[1]) on a helper thread and fn(&h[0]) here; both on this thread when
 * no thread can be started. */
static void run_pair(void *(*fn)(void *), key_half h[2])
{
    pthread_t t;
    int started = pthread_create(&t, NULL, fn, &h[1]) == 0;
    fn(&h[0]);
    if (started)
        pthread_join(t, NULL);
    else
        fn(&h[1]);
}

int mlops__drift_sort_copy_par(double *out, double *tmp, const double *in, size_t n_in,
                               size_t m, int parallel)
{
    if (m < SMALL_SORT) {
        size_t j = 0;
        for (size_t i = 0; i < n_in; i++)
            if (isfinite(in[i]))
                out[j++] = in[i];
        insertion_sort(out, m);
        return 0;
    }
    size_t *hist = mlops__calloc(2 * TOP_SIZE + 2 * LOW_PASSES * LOW_SIZE, sizeof *hist);
    if (!hist)
        return mlops__error_nomem();
    size_t *hist2 = hist + TOP_SIZE, *low = hist + 2 * TOP_SIZE;
    /* Keys share storage with the doubles (same size, memcpy-punned). */
    uint64_t *ko = (uint64_t *)(void *)out, *kt = (uint64_t *)(void *)tmp;
    if (parallel && m >= PARALLEL_MIN && m == n_in) {
        /* No value to drop: the two halves make their keys and scatter them
         * independently (the second half's offsets follow the first's in
         * every bucket, so the result is the same as one pass). */
        key_half h[2] = {{in, kt, ko, 0, m / 2, hist}, {in, kt, ko, m / 2, m, hist2}};
        run_pair(make_keys, h);
        size_t sum = 0;
        for (size_t b = 0; b < TOP_SIZE; b++) {
            size_t c0 = hist[b], c1 = hist2[b];
            hist[b] = sum;
            hist2[b] = sum + c0;
            sum += c0 + c1;
        }
        run_pair(scatter_keys, h);
        /* hist2[b] is now the end of bucket b. */
        memcpy(hist, hist2, TOP_SIZE * sizeof *hist);
    } else {
        /* One pass over the input drops non-finite values, makes the keys
         * and counts the top digit. */
        size_t j = 0;
        for (size_t i = 0; i < n_in; i++) {
            double v = in[i];
            if (!isfinite(v))
                continue;
            uint64_t k = key_of(v);
            kt[j++] = k;
            hist[k >> (64 - TOP_BITS)]++;
        }
        size_t sum = 0;
        for (size_t b = 0; b < TOP_SIZE; b++) {
            size_t c = hist[b];
            hist[b] = sum;
            sum += c;
        }
        for (size_t i = 0; i < m; i++) {
            uint64_t k = kt[i];
            ko[hist[k >> (64 - TOP_BITS)]++] = k;
        }
    }
    /* hist[b] is now the end of bucket b. Large samples split the buckets
     * at the median between this thread and a helper (disjoint ranges, own
     * histograms); the result does not depend on the split. */
    bucket_range whole = {out, ko, kt, hist, 0, TOP_SIZE, low};
    size_t split = TOP_SIZE;
    if (parallel && m >= PARALLEL_MIN) {
        split = 0;
        while (split < TOP_SIZE && hist[split] < m / 2)
            split++;
    }
    pthread_t helper;
    int helping = 0;
    if (split < TOP_SIZE) {
        bucket_range upper = {out, ko, kt, hist, split, TOP_SIZE, low + LOW_PASSES * LOW_SIZE};
        whole.b1 = split;
        helping = pthread_create(&helper, NULL, sort_buckets, &upper) == 0;
        if (!helping)
            whole.b1 = TOP_SIZE; /* no thread: do it all here */
        sort_buckets(&whole);
        if (helping)
            pthread_join(helper, NULL);
    } else {
        sort_buckets(&whole);
    }
    mlops__free(hist);
    return 0;
}

int mlops__drift_sort_copy(double *out, double *tmp, const double *in, size_t n_in, size_t m)
{
    return mlops__drift_sort_copy_par(out, tmp, in, n_in, m, 0);
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

/* Ask for transparent huge pages on a large buffer: sorting touches every
 * page of three buffers of the sample's size, and 4 KiB faults otherwise cost
 * a fifth of a sort. A hint only; failure is harmless. */
static void advise_huge(void *p, size_t bytes)
{
#if defined(MADV_HUGEPAGE)
    const uintptr_t huge = (uintptr_t)2 << 20;
    if (bytes < 4 * huge)
        return;
    uintptr_t lo = ((uintptr_t)p + huge - 1) & ~(huge - 1);
    uintptr_t hi = ((uintptr_t)p + bytes) & ~(huge - 1);
    if (hi > lo)
        (void)madvise((void *)lo, (size_t)(hi - lo), MADV_HUGEPAGE);
#else
    (void)p;
    (void)bytes;
#endif
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
                                 const double *x_cur, size_t n_cur, int reject_nonfinite,
                                 int parallel)
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
    /* One slot more on each side for a +inf sentinel (merges need no bounds
     * checks). */
    double *a = mlops__reallocarray(NULL, m_ref + 1, sizeof *a);
    double *b = mlops__reallocarray(NULL, m_cur + 1, sizeof *b);
    double *tmp = big >= SMALL_SORT ? mlops__reallocarray(NULL, big, sizeof *tmp) : NULL;
    if (!a || !b || (big >= SMALL_SORT && !tmp)) {
        mlops__free(a);
        mlops__free(b);
        mlops__free(tmp);
        return mlops__error_nomem();
    }
    advise_huge(a, (m_ref + 1) * sizeof *a);
    advise_huge(b, (m_cur + 1) * sizeof *b);
    if (tmp)
        advise_huge(tmp, big * sizeof *tmp);
    a[m_ref] = INFINITY;
    b[m_cur] = INFINITY;
    rc = mlops__drift_sort_copy_par(a, tmp, x_ref, n_ref, m_ref, parallel);
    if (!rc)
        rc = mlops__drift_sort_copy_par(b, tmp, x_cur, n_cur, m_cur, parallel);
    mlops__free(tmp);
    if (rc) {
        mlops__free(a);
        mlops__free(b);
        return rc;
    }
    ref->data = a;
    ref->n = m_ref;
    ref->missing = miss_ref;
    cur->data = b;
    cur->n = m_cur;
    cur->missing = miss_cur;
    return 0;
}
