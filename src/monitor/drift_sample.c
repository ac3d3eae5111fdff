/*
 * Sample preparation: omit and count non-finite values, sort the rest.
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * Sorting dominates every sample test, so it is a radix sort on the IEEE-754
 * bit pattern (the sign trick below makes the unsigned key order equal the
 * numeric order of finite doubles): an in-place MSD pass on the top 16 bits
 * (American flag sort) into buckets, then an LSD sort of each bucket on its
 * low 48 bits while the bucket is in cache; passes whose digit is constant
 * are skipped. Linear time, and the only memory besides the sorted copy is a
 * scratch buffer the size of the largest bucket (a few percent of the sample
 * for spread-out data, the whole sample when everything shares its top 16
 * bits) plus 1.25 MiB of histograms. Samples up to 2^21 values use a scratch
 * of their own size and scatter out of place, which is faster.
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

/* Buckets [b0, b1) of a sort: each is sorted where it lies in `ko` (the
 * output buffer holding keys) with `scratch` (room for the largest bucket)
 * and converted to doubles in place. ends[b] is the end offset of bucket b. */
typedef struct bucket_range {
    double *out;
    uint64_t *ko, *scratch;
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
            uint64_t *res = sort_bucket(r->ko + start, r->scratch, len, r->low);
            for (size_t i = 0; i < len; i++)
                r->out[start + i] = double_of(res[i]);
        }
        start = end;
    }
    return NULL;
}

/* Samples from this size on sort their buckets on two threads. */
#define PARALLEL_MIN (1u << 20)
/* Samples up to this size keep their keys in a scratch buffer between the
 * counting pass and the scatter (16 MiB at most); larger ones read the input
 * twice. */
#define OOP_MAX (1u << 21)

int mlops__drift_sort_copy_par(double *out, const double *in, size_t n_in, size_t m,
                               int parallel)
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
    size_t *next = hist + TOP_SIZE, *low = hist + 2 * TOP_SIZE;
    /* Keys share storage with the doubles (same size, memcpy-punned). One
     * pass over the input drops non-finite values and counts the top digit;
     * the keys are then scattered into their top-digit buckets of `out`.
     * Samples up to OOP_MAX values keep their keys in a scratch buffer
     * between the two steps (small in absolute terms); larger ones read the
     * input a second time instead, so a large sample never costs more than
     * the one sorted copy. */
    uint64_t *ko = (uint64_t *)(void *)out;
    int oop = m <= OOP_MAX;
    uint64_t *scratch = NULL;
    size_t scratch_n = 0;
    if (oop) {
        scratch = mlops__reallocarray(NULL, m, sizeof *scratch);
        if (!scratch) {
            mlops__free(hist);
            return mlops__error_nomem();
        }
        scratch_n = m;
    }
    if (oop) {
        size_t j = 0;
        for (size_t i = 0; i < n_in; i++) {
            double v = in[i];
            if (!isfinite(v))
                continue;
            uint64_t k = key_of(v);
            scratch[j++] = k;
            hist[k >> (64 - TOP_BITS)]++;
        }
    } else {
        /* Large: count now, and scatter straight from the (read-only) input
         * below, recomputing each key — cheaper than writing the keys and
         * permuting them in place, and no second copy either. */
        for (size_t i = 0; i < n_in; i++) {
            double v = in[i];
            if (isfinite(v))
                hist[key_of(v) >> (64 - TOP_BITS)]++;
        }
    }
    /* hist becomes the end of each bucket, next its start. */
    size_t sum = 0, biggest = 0;
    for (size_t b = 0; b < TOP_SIZE; b++) {
        size_t c = hist[b];
        next[b] = sum;
        sum += c;
        hist[b] = sum;
        biggest = c > biggest ? c : biggest;
    }
    if (oop) {
        for (size_t i = 0; i < m; i++) {
            uint64_t k = scratch[i];
            ko[next[k >> (64 - TOP_BITS)]++] = k;
        }
    } else {
        for (size_t i = 0; i < n_in; i++) {
            double v = in[i];
            if (!isfinite(v))
                continue;
            uint64_t k = key_of(v);
            ko[next[k >> (64 - TOP_BITS)]++] = k;
        }
    }
    /* Bucket scratch, one per worker: small for spread-out data, the
     * sample's size at worst (everything in one bucket). */
    size_t split = TOP_SIZE;
    if (parallel && m >= PARALLEL_MIN) {
        split = 0;
        while (split < TOP_SIZE && hist[split] < m / 2)
            split++;
        if (split + 1 >= TOP_SIZE)
            split = TOP_SIZE;
    }
    int workers = split < TOP_SIZE ? 2 : 1;
    size_t need = biggest >= SMALL_SORT ? (size_t)workers * biggest : 0;
    if (need > scratch_n) {
        uint64_t *ns = mlops__reallocarray(scratch, need, sizeof *scratch);
        if (!ns) {
            mlops__free(scratch);
            mlops__free(hist);
            return mlops__error_nomem();
        }
        scratch = ns;
    }
    bucket_range whole = {out, ko, scratch, hist, 0, TOP_SIZE, low};
    if (workers == 2) {
        bucket_range upper = {out, ko, scratch + biggest, hist, split, TOP_SIZE,
                              low + LOW_PASSES * LOW_SIZE};
        whole.b1 = split;
        pthread_t helper;
        int helping = pthread_create(&helper, NULL, sort_buckets, &upper) == 0;
        if (!helping)
            whole.b1 = TOP_SIZE; /* no thread: do it all here */
        sort_buckets(&whole);
        if (helping)
            pthread_join(helper, NULL);
    } else {
        sort_buckets(&whole);
    }
    mlops__free(scratch);
    mlops__free(hist);
    return 0;
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

/* One sample's sort, run on a helper thread while the caller sorts the other. */
typedef struct sort_job {
    double *out;
    const double *in;
    size_t n_in, m;
    int rc;
} sort_job;

static void *sort_job_run(void *arg)
{
    sort_job *j = arg;
    j->rc = mlops__drift_sort_copy_par(j->out, j->in, j->n_in, j->m, 0);
    return NULL;
}

/* Sort both samples. When both are large, each gets a core of its own for
 * the whole pipeline (key pass, top-digit scatter, bucket sorts), which beats
 * splitting only the bucket sorts of one sample after the other. */
static int sort_both(double *a, const double *x_ref, size_t n_ref, size_t m_ref, double *b,
                     const double *x_cur, size_t n_cur, size_t m_cur, int parallel)
{
    if (parallel && m_ref >= PARALLEL_MIN && m_cur >= PARALLEL_MIN) {
        sort_job job = { b, x_cur, n_cur, m_cur, 0 };
        pthread_t helper;
        if (pthread_create(&helper, NULL, sort_job_run, &job) == 0) {
            int rc = mlops__drift_sort_copy_par(a, x_ref, n_ref, m_ref, 0);
            pthread_join(helper, NULL);
            /* The helper's failure was recorded on its own thread; the only
             * one possible is an allocation, so record it here. */
            if (!rc && job.rc)
                rc = mlops__error_nomem();
            return rc;
        }
    }
    int rc = mlops__drift_sort_copy_par(a, x_ref, n_ref, m_ref, parallel);
    if (!rc)
        rc = mlops__drift_sort_copy_par(b, x_cur, n_cur, m_cur, parallel);
    return rc;
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
    /* One slot more on each side for a +inf sentinel (merges need no bounds
     * checks). */
    double *a = mlops__reallocarray(NULL, m_ref + 1, sizeof *a);
    double *b = mlops__reallocarray(NULL, m_cur + 1, sizeof *b);
    if (!a || !b) {
        mlops__free(a);
        mlops__free(b);
        return mlops__error_nomem();
    }
    advise_huge(a, (m_ref + 1) * sizeof *a);
    advise_huge(b, (m_cur + 1) * sizeof *b);
    a[m_ref] = INFINITY;
    b[m_cur] = INFINITY;
    rc = sort_both(a, x_ref, n_ref, m_ref, b, x_cur, n_cur, m_cur, parallel);
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
