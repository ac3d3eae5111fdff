/*
 * Numeric and categorical profiles: building, merging, querying.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "monitor/profile.h"

#include <math.h>
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "core/alloc.h"
#include "core/error.h"
#include "core/options.h"

static const mlops_profile_options default_options = MLOPS_PROFILE_OPTIONS_INIT;

int mlops_profile_options_init(mlops_profile_options *opts, size_t size)
{
    return mlops__options_init(opts, size, &default_options, sizeof default_options,
                               offsetof(mlops_profile_options, category_cap) + sizeof(uint32_t),
                               "mlops_profile_options");
}

int mlops__profile_alloc(mlops_profile **out, int kind, uint32_t k, uint64_t seed,
                         const double *edges, size_t n_edges, uint32_t cap)
{
    mlops_profile *p = mlops__calloc(1, sizeof *p);
    if (!p)
        return mlops__error_nomem();
    p->kind = kind;
    int rc;
    if (kind == MLOPS_PROFILE_NUMERIC) {
        if ((rc = mlops__kll_init(&p->kll, k, seed)) != 0) {
            mlops__free(p);
            return rc;
        }
        if (n_edges > 0) {
            p->edges = mlops__calloc(n_edges, sizeof(double));
            p->hist = mlops__calloc(n_edges + 1, sizeof(uint64_t));
            if (!p->edges || !p->hist) {
                mlops_profile_free(p);
                return mlops__error_nomem();
            }
            memcpy(p->edges, edges, n_edges * sizeof(double));
            p->n_edges = n_edges;
        }
    } else {
        if ((rc = mlops__hh_init(&p->hh, cap)) != 0) {
            mlops__free(p);
            return rc;
        }
    }
    mlops__profile_refresh(p);
    *out = p;
    return 0;
}

int mlops_profile_new(mlops_profile **out, int kind, const mlops_profile_options *opts)
{
    MLOPS__CHECK_ARG(out);
    mlops_profile_options o = default_options;
    int rc = mlops__options_load(&o, sizeof o, opts, MLOPS_PROFILE_OPTIONS_VERSION,
                                 offsetof(mlops_profile_options, category_cap) + sizeof(uint32_t),
                                 "mlops_profile_options");
    if (rc)
        return rc;
    MLOPS__CHECK_FLAGS(o.flags, 0);
    if (kind != MLOPS_PROFILE_NUMERIC && kind != MLOPS_PROFILE_CATEGORICAL)
        return mlops__error(MLOPS_E_INVALID, "mlops_profile_new: unknown profile kind %d", kind);
    if (kind == MLOPS_PROFILE_NUMERIC) {
        if (o.kll_k < MLOPS__KLL_MIN_K || o.kll_k > MLOPS__KLL_MAX_K)
            return mlops__error(MLOPS_E_INVALID,
                                "mlops_profile_new: kll_k %u is outside %u..%u", (unsigned)o.kll_k,
                                MLOPS__KLL_MIN_K, MLOPS__KLL_MAX_K);
        if (o.n_edges > 0 && !o.edges)
            return mlops__error(MLOPS_E_INVALID,
                                "mlops_profile_new: n_edges is %zu but edges is NULL", o.n_edges);
        if (o.edges && (o.n_edges == 0 || o.n_edges > MLOPS_PROFILE_MAX_EDGES))
            return mlops__error(MLOPS_E_INVALID,
                                "mlops_profile_new: n_edges %zu is outside 1..%u", o.n_edges,
                                (unsigned)MLOPS_PROFILE_MAX_EDGES);
        for (size_t i = 0; o.edges && i < o.n_edges; i++) {
            if (!isfinite(o.edges[i]))
                return mlops__error(MLOPS_E_INVALID, "mlops_profile_new: edge %zu is not finite",
                                    i);
            if (i > 0 && !(o.edges[i] > o.edges[i - 1]))
                return mlops__error(MLOPS_E_INVALID,
                                    "mlops_profile_new: edges must be strictly increasing "
                                    "(edge %zu = %.17g after %.17g)", i, o.edges[i],
                                    o.edges[i - 1]);
        }
    } else {
        if (o.edges)
            return mlops__error(MLOPS_E_INVALID,
                                "mlops_profile_new: a categorical profile takes no edges");
        if (o.category_cap < MLOPS__HH_MIN_CAP || o.category_cap > MLOPS__HH_MAX_CAP)
            return mlops__error(MLOPS_E_INVALID,
                                "mlops_profile_new: category_cap %u is outside %u..%u",
                                (unsigned)o.category_cap, MLOPS__HH_MIN_CAP, MLOPS__HH_MAX_CAP);
    }
    return mlops__profile_alloc(out, kind, o.kll_k, o.seed, o.edges, o.edges ? o.n_edges : 0,
                                o.category_cap);
}

void mlops_profile_free(mlops_profile *p)
{
    if (!p)
        return;
    mlops__kll_dispose(&p->kll);
    mlops__hh_dispose(&p->hh);
    mlops__free(p->edges);
    mlops__free(p->hist);
    mlops__free(p);
}

int mlops_profile_dup(mlops_profile **out, const mlops_profile *p)
{
    MLOPS__CHECK_ARG(out);
    MLOPS__CHECK_ARG(p);
    mlops_profile *c = mlops__calloc(1, sizeof *c);
    if (!c)
        return mlops__error_nomem();
    *c = *p;
    c->edges = NULL;
    c->hist = NULL;
    c->kll.items = NULL;
    memset(&c->hh, 0, sizeof c->hh);
    int rc = 0;
    if (p->kind == MLOPS_PROFILE_NUMERIC) {
        rc = mlops__kll_copy(&c->kll, &p->kll);
        if (rc == 0 && p->n_edges) {
            c->edges = mlops__calloc(p->n_edges, sizeof(double));
            c->hist = mlops__calloc(p->n_edges + 1, sizeof(uint64_t));
            if (!c->edges || !c->hist)
                rc = mlops__error_nomem();
            else {
                memcpy(c->edges, p->edges, p->n_edges * sizeof(double));
                memcpy(c->hist, p->hist, (p->n_edges + 1) * sizeof(uint64_t));
            }
        }
    } else {
        rc = mlops__hh_copy(&c->hh, &p->hh);
    }
    if (rc) {
        mlops_profile_free(c);
        return rc;
    }
    mlops__profile_refresh(c);
    *out = c;
    return 0;
}

/* ---- numeric update ------------------------------------------------------ */

#define CHUNK 1024

/* Index of the bin of x: the number of edges <= x. */
static size_t bin_of(const double *e, size_t n, double x)
{
    size_t lo = 0, len = n;
    while (len > 0) {
        size_t half = len / 2;
        if (e[lo + half] <= x) {
            lo += half + 1;
            len -= half + 1;
        } else {
            len = half;
        }
    }
    return lo;
}


/* Values near ±DBL_MAX are finite, so their mean is too, but the plain sum can
 * overflow: then sum the values divided by n (each term and every partial sum
 * stays within range). Only this rare path pays the divisions. */
static double scaled_mean(const double *x, size_t n)
{
    double m = 0, dn = (double)n;
    for (size_t i = 0; i < n; i++)
        m += x[i] / dn;
    return m;
}

/* Chan et al.'s combined mean, mean_a + delta * nb / (na + nb); when the two
 * means are so far apart that delta overflows, weight them separately. The
 * variance term may still overflow to +inf: a variance beyond DBL_MAX is
 * reported as +inf, which the byte format accepts. */
static double combined_mean(double mean_a, double na, double mean_b, double nb, double delta)
{
    double nt = na + nb;
    if (isfinite(delta))
        return mean_a + delta * (nb / nt);
    return mean_a * (na / nt) + mean_b * (nb / nt);
}

static void add_finite_chunk(mlops_profile *p, const double *x, size_t n)
{
    /* chunk moments by two passes, then Chan et al.'s pairwise combination;
     * four interleaved accumulators break the add latency chains (the order
     * is fixed, so results do not depend on anything but the chunking) */
    double s[4] = { 0, 0, 0, 0 }, lo[4], hi[4];
    for (int j = 0; j < 4; j++)
        lo[j] = hi[j] = x[0];
    size_t i = 0;
    for (; i + 4 <= n; i += 4)
        for (int j = 0; j < 4; j++) {
            double v = x[i + j];
            s[j] += v;
            lo[j] = v < lo[j] ? v : lo[j];
            hi[j] = v > hi[j] ? v : hi[j];
        }
    for (; i < n; i++) {
        s[0] += x[i];
        lo[0] = x[i] < lo[0] ? x[i] : lo[0];
        hi[0] = x[i] > hi[0] ? x[i] : hi[0];
    }
    double sum = (s[0] + s[1]) + (s[2] + s[3]);
    double mn = lo[0], mx = hi[0];
    for (int j = 1; j < 4; j++) {
        mn = lo[j] < mn ? lo[j] : mn;
        mx = hi[j] > mx ? hi[j] : mx;
    }
    double mean_b = sum / (double)n;
    if (!isfinite(mean_b))
        mean_b = scaled_mean(x, n); /* finite values whose sum overflows */
    double q[4] = { 0, 0, 0, 0 };
    for (i = 0; i + 4 <= n; i += 4)
        for (int j = 0; j < 4; j++) {
            double d = x[i + j] - mean_b;
            q[j] += d * d;
        }
    for (; i < n; i++) {
        double d = x[i] - mean_b;
        q[0] += d * d;
    }
    double m2_b = (q[0] + q[1]) + (q[2] + q[3]);
    if (p->count == 0) {
        p->mean = mean_b;
        p->m2 = m2_b;
        p->min = mn;
        p->max = mx;
    } else {
        double na = (double)p->count, nb = (double)n, nt = na + nb;
        double delta = mean_b - p->mean;
        p->mean = combined_mean(p->mean, na, mean_b, nb, delta);
        p->m2 += m2_b + delta * delta * (na * nb / nt);
        p->min = mn < p->min ? mn : p->min;
        p->max = mx > p->max ? mx : p->max;
    }
    p->count += n;
    if (p->n_edges) {
        const double *e = p->edges;
        size_t ne = p->n_edges;
        uint64_t *h = p->hist;
        if (ne <= 16) {
            /* two interleaved count arrays halve the store-to-load chains
             * when neighbouring values fall in the same bin */
            uint64_t h2[17] = { 0 };
            size_t t = 0;
#if defined(__SSE2__)
            /* two values at a time: bin = number of edges <= x, counted with
             * packed compares that stay in registers */
            for (; t + 2 <= n; t += 2) {
                __m128d xv = _mm_loadu_pd(x + t);
                __m128i acc = _mm_setzero_si128();
                for (size_t j = 0; j < ne; j++)
                    acc = _mm_sub_epi64(acc,
                                        _mm_castpd_si128(_mm_cmpge_pd(xv, _mm_set1_pd(e[j]))));
                int64_t b2[2];
                _mm_storeu_si128((__m128i *)b2, acc);
                h[b2[0]]++;
                h2[b2[1]]++;
            }
#endif
            for (; t < n; t++) {
                size_t b = 0;
                for (size_t j = 0; j < ne; j++)
                    b += x[t] >= e[j];
                h[b]++;
            }
            for (size_t j = 0; j <= ne; j++)
                h[j] += h2[j];
        } else {
            for (size_t t = 0; t < n; t++)
                h[bin_of(e, ne, x[t])]++;
        }
    }
    mlops__kll_update(&p->kll, x, n);
}

int mlops_profile_update(mlops_profile *p, const double *values, size_t n)
{
    MLOPS__CHECK_ARG(p);
    if (n == 0)
        return 0;
    MLOPS__CHECK_ARG(values);
    if (p->kind != MLOPS_PROFILE_NUMERIC)
        return mlops__error(MLOPS_E_INVALID,
                            "mlops_profile_update: the profile is categorical (use "
                            "mlops_profile_update_codes)");
    uint64_t seen = p->count + p->nan + p->posinf + p->neginf;
    if ((uint64_t)n > UINT64_MAX - seen)
        return mlops__error(MLOPS_E_LIMIT, "mlops_profile_update: %llu + %zu values overflow "
                                           "64-bit counts", (unsigned long long)seen, n);
    double buf[CHUNK];
    size_t i = 0;
    while (i < n) {
        size_t end = n - i < CHUNK ? n : i + CHUNK;
        /* x - x is 0 for finite x and NaN otherwise: one NaN makes the sum NaN */
        double probe = 0;
        for (size_t j = i; j < end; j++)
            probe += values[j] - values[j];
        if (probe == 0) {
            add_finite_chunk(p, values + i, end - i);
            i = end;
            continue;
        }
        size_t m = 0;
        for (size_t j = i; j < end; j++) {
            double x = values[j];
            buf[m] = x;
            m += (x - x == 0);
        }
        if (m != end - i) {
            for (size_t j = i; j < end; j++) {
                double x = values[j];
                if (isnan(x))
                    p->nan++;
                else if (isinf(x))
                    *(x > 0 ? &p->posinf : &p->neginf) += 1;
            }
        }
        if (m)
            add_finite_chunk(p, buf, m);
        i = end;
    }
    mlops__profile_refresh(p);
    return 0;
}

int mlops_profile_update_codes(mlops_profile *p, const int64_t *codes, size_t n)
{
    MLOPS__CHECK_ARG(p);
    if (n == 0)
        return 0;
    MLOPS__CHECK_ARG(codes);
    if (p->kind != MLOPS_PROFILE_CATEGORICAL)
        return mlops__error(MLOPS_E_INVALID,
                            "mlops_profile_update_codes: the profile is numeric (use "
                            "mlops_profile_update)");
    if ((uint64_t)n > UINT64_MAX - p->hh.total)
        return mlops__error(MLOPS_E_LIMIT, "mlops_profile_update_codes: %llu + %zu values "
                                           "overflow 64-bit counts",
                            (unsigned long long)p->hh.total, n);
    mlops__hh_update(&p->hh, codes, n);
    mlops__profile_refresh(p);
    return 0;
}

/* ---- merge --------------------------------------------------------------- */

static const char *kind_name(int kind)
{
    return kind == MLOPS_PROFILE_NUMERIC ? "numeric" : "categorical";
}

int mlops_profile_merge(mlops_profile *dst, const mlops_profile *src)
{
    MLOPS__CHECK_ARG(dst);
    MLOPS__CHECK_ARG(src);
    if (dst == src)
        return mlops__error(MLOPS_E_INVALID, "mlops_profile_merge: dst and src are the same "
                                             "profile (merge a clone)");
    if (dst->kind != src->kind)
        return mlops__error(MLOPS_E_INVALID,
                            "mlops_profile_merge: cannot merge a %s profile into a %s profile",
                            kind_name(src->kind), kind_name(dst->kind));
    if (dst->kind == MLOPS_PROFILE_CATEGORICAL) {
        if (src->hh.total > UINT64_MAX - dst->hh.total)
            return mlops__error(MLOPS_E_LIMIT,
                                "mlops_profile_merge: %llu + %llu values overflow 64-bit counts",
                                (unsigned long long)dst->hh.total,
                                (unsigned long long)src->hh.total);
        int rc = mlops__hh_merge(&dst->hh, &src->hh);
        if (rc == 0)
            mlops__profile_refresh(dst);
        return rc;
    }
    if (dst->n_edges != src->n_edges)
        return mlops__error(MLOPS_E_INVALID,
                            "mlops_profile_merge: histogram edges differ (%zu edges vs %zu)",
                            dst->n_edges, src->n_edges);
    for (size_t i = 0; i < dst->n_edges; i++)
        if (memcmp(&dst->edges[i], &src->edges[i], sizeof(double)) != 0)
            return mlops__error(MLOPS_E_INVALID,
                                "mlops_profile_merge: histogram edges differ at edge %zu "
                                "(%.17g vs %.17g)", i, dst->edges[i], src->edges[i]);
    /* totals that would wrap are refused before anything changes */
    uint64_t seen_dst = dst->count + dst->nan + dst->posinf + dst->neginf;
    uint64_t seen_src = src->count + src->nan + src->posinf + src->neginf;
    if (seen_src > UINT64_MAX - seen_dst)
        return mlops__error(MLOPS_E_LIMIT,
                            "mlops_profile_merge: %llu + %llu values overflow 64-bit counts",
                            (unsigned long long)seen_dst, (unsigned long long)seen_src);
    int rc = mlops__kll_merge(&dst->kll, &src->kll);
    if (rc)
        return rc;
    if (src->count > 0) {
        if (dst->count == 0) {
            dst->mean = src->mean;
            dst->m2 = src->m2;
            dst->min = src->min;
            dst->max = src->max;
        } else {
            double na = (double)dst->count, nb = (double)src->count, nt = na + nb;
            double delta = src->mean - dst->mean;
            dst->mean = combined_mean(dst->mean, na, src->mean, nb, delta);
            dst->m2 += src->m2 + delta * delta * (na * nb / nt);
            dst->min = src->min < dst->min ? src->min : dst->min;
            dst->max = src->max > dst->max ? src->max : dst->max;
        }
    }
    dst->count += src->count;
    dst->nan += src->nan;
    dst->posinf += src->posinf;
    dst->neginf += src->neginf;
    for (size_t i = 0; dst->n_edges && i <= dst->n_edges; i++)
        dst->hist[i] += src->hist[i];
    mlops__profile_refresh(dst);
    return 0;
}

/* ---- accessors ----------------------------------------------------------- */

void mlops__profile_refresh(mlops_profile *p)
{
    struct mlops_profile_info *i = &p->info;
    memset(i, 0, sizeof *i);
    i->version = MLOPS_PROFILE_INFO_VERSION;
    i->size = (uint32_t)sizeof *i;
    i->kind = p->kind;
    i->mean = i->m2 = i->min = i->max = NAN;
    if (p->kind == MLOPS_PROFILE_NUMERIC) {
        i->kll_k = p->kll.k;
        i->count = p->count;
        i->nan_count = p->nan;
        i->posinf_count = p->posinf;
        i->neginf_count = p->neginf;
        if (p->count > 0) {
            i->mean = p->mean;
            i->m2 = p->m2;
            i->min = p->min;
            i->max = p->max;
        }
        i->retained = mlops__kll_retained(&p->kll);
        i->rank_error = mlops__kll_rank_error(&p->kll, 0);
        if (p->n_edges) {
            i->histogram_edges = p->edges;
            i->n_histogram_edges = p->n_edges;
            i->histogram_counts = p->hist;
            i->n_histogram_counts = p->n_edges + 1;
        }
    } else {
        i->count = p->hh.total;
        i->nan_count = p->nan;
        i->posinf_count = p->posinf;
        i->neginf_count = p->neginf;
        i->rank_error = NAN;
        i->category_size = p->hh.size;
        i->category_error = p->hh.error;
    }
}

const struct mlops_profile_info *mlops_profile_info(const mlops_profile *p)
{
    return p ? &p->info : NULL;
}

int mlops_profile_kind(const mlops_profile *p) { return p ? p->kind : 0; }

uint64_t mlops_profile_count(const mlops_profile *p)
{
    if (!p)
        return 0;
    return p->kind == MLOPS_PROFILE_NUMERIC ? p->count : p->hh.total;
}

uint64_t mlops_profile_nan_count(const mlops_profile *p) { return p ? p->nan : 0; }
uint64_t mlops_profile_posinf_count(const mlops_profile *p) { return p ? p->posinf : 0; }
uint64_t mlops_profile_neginf_count(const mlops_profile *p) { return p ? p->neginf : 0; }

static int has_values(const mlops_profile *p)
{
    return p && p->kind == MLOPS_PROFILE_NUMERIC && p->count > 0;
}

double mlops_profile_mean(const mlops_profile *p) { return has_values(p) ? p->mean : NAN; }
double mlops_profile_min(const mlops_profile *p) { return has_values(p) ? p->min : NAN; }
double mlops_profile_max(const mlops_profile *p) { return has_values(p) ? p->max : NAN; }

double mlops_profile_variance(const mlops_profile *p, uint32_t ddof)
{
    if (!has_values(p) || p->count <= ddof)
        return NAN;
    return p->m2 / (double)(p->count - ddof);
}

uint32_t mlops_profile_kll_k(const mlops_profile *p)
{
    return p && p->kind == MLOPS_PROFILE_NUMERIC ? p->kll.k : 0;
}

size_t mlops_profile_retained(const mlops_profile *p)
{
    return p && p->kind == MLOPS_PROFILE_NUMERIC ? mlops__kll_retained(&p->kll) : 0;
}

double mlops_profile_rank_error(const mlops_profile *p)
{
    return p && p->kind == MLOPS_PROFILE_NUMERIC ? mlops__kll_rank_error(&p->kll, 0) : NAN;
}

const double *mlops_profile_histogram_edges(size_t *n, const mlops_profile *p)
{
    size_t ne = p && p->kind == MLOPS_PROFILE_NUMERIC ? p->n_edges : 0;
    if (n)
        *n = ne;
    return ne ? p->edges : NULL;
}

const uint64_t *mlops_profile_histogram_counts(size_t *n, const mlops_profile *p)
{
    size_t ne = p && p->kind == MLOPS_PROFILE_NUMERIC ? p->n_edges : 0;
    if (n)
        *n = ne ? ne + 1 : 0;
    return ne ? p->hist : NULL;
}

int mlops__profile_histogram(const double **edges, size_t *n_edges, const uint64_t **counts,
                             uint64_t nonfinite[3], const mlops_profile *p)
{
    *edges = mlops_profile_histogram_edges(n_edges, p);
    size_t nb;
    *counts = mlops_profile_histogram_counts(&nb, p);
    nonfinite[0] = p->nan;
    nonfinite[1] = p->posinf;
    nonfinite[2] = p->neginf;
    return *n_edges > 0;
}

size_t mlops_profile_category_size(const mlops_profile *p)
{
    return p && p->kind == MLOPS_PROFILE_CATEGORICAL ? p->hh.size : 0;
}

uint64_t mlops_profile_category_count(const mlops_profile *p, int64_t code)
{
    return p && p->kind == MLOPS_PROFILE_CATEGORICAL ? mlops__hh_get(&p->hh, code) : 0;
}

uint64_t mlops_profile_category_error(const mlops_profile *p)
{
    return p && p->kind == MLOPS_PROFILE_CATEGORICAL ? p->hh.error : 0;
}

int mlops_profile_categories(int64_t *codes, uint64_t *counts, size_t capacity, size_t *n_out,
                             const mlops_profile *p)
{
    MLOPS__CHECK_ARG(n_out);
    MLOPS__CHECK_ARG(p);
    if (p->kind != MLOPS_PROFILE_CATEGORICAL)
        return mlops__error(MLOPS_E_INVALID, "mlops_profile_categories: the profile is numeric");
    size_t n = p->hh.size;
    if (capacity < n) {
        *n_out = n;
        return mlops__error(MLOPS_E_LIMIT,
                            "mlops_profile_categories: %zu categories do not fit in %zu entries",
                            n, capacity);
    }
    mlops__hh_entry *e = mlops__hh_sorted(&p->hh);
    if (!e)
        return MLOPS_E_NOMEM;
    for (size_t i = 0; i < n; i++) {
        if (codes)
            codes[i] = e[i].code;
        if (counts)
            counts[i] = e[i].count;
    }
    mlops__free(e);
    *n_out = n;
    return 0;
}

/* ---- quantiles ----------------------------------------------------------- */

static int check_numeric(const mlops_profile *p, const char *fn)
{
    if (p->kind != MLOPS_PROFILE_NUMERIC)
        return mlops__error(MLOPS_E_INVALID, "%s: the profile is categorical", fn);
    if (p->count == 0)
        return mlops__error(MLOPS_E_DOMAIN, "%s: the profile has no finite values", fn);
    return 0;
}

int mlops_profile_quantile(double *out, const mlops_profile *p, double rank)
{
    MLOPS__CHECK_ARG(out);
    MLOPS__CHECK_ARG(p);
    int rc = check_numeric(p, "mlops_profile_quantile");
    if (rc)
        return rc;
    if (!(rank >= 0.0 && rank <= 1.0))
        return mlops__error(MLOPS_E_INVALID, "mlops_profile_quantile: rank %g is outside [0, 1]",
                            rank);
    if (rank == 0.0) {
        *out = p->min;
        return 0;
    }
    if (rank == 1.0) {
        *out = p->max;
        return 0;
    }
    mlops__kll_view v;
    if ((rc = mlops__kll_view_build(&v, &p->kll)) != 0)
        return rc;
    double w = ceil(rank * (double)v.n);
    uint64_t wi = w < 1 ? 1 : (w > (double)v.n ? v.n : (uint64_t)w);
    *out = mlops__kll_view_quantile_w(&v, wi);
    mlops__kll_view_dispose(&v);
    return 0;
}

int mlops_profile_rank(double *out, const mlops_profile *p, double x)
{
    MLOPS__CHECK_ARG(out);
    MLOPS__CHECK_ARG(p);
    int rc = check_numeric(p, "mlops_profile_rank");
    if (rc)
        return rc;
    if (isnan(x))
        return mlops__error(MLOPS_E_INVALID, "mlops_profile_rank: x is NaN");
    if (x < p->min) {
        *out = 0.0;
        return 0;
    }
    if (x >= p->max) {
        *out = 1.0;
        return 0;
    }
    mlops__kll_view v;
    if ((rc = mlops__kll_view_build(&v, &p->kll)) != 0)
        return rc;
    *out = (double)mlops__kll_view_rank_le(&v, x) / (double)v.n;
    mlops__kll_view_dispose(&v);
    return 0;
}

int mlops_profile_quantile_edges(double *edges, size_t *n_edges, const mlops_profile *ref,
                                 uint32_t bins)
{
    MLOPS__CHECK_ARG(edges);
    MLOPS__CHECK_ARG(n_edges);
    MLOPS__CHECK_ARG(ref);
    int rc = check_numeric(ref, "mlops_profile_quantile_edges");
    if (rc)
        return rc;
    if (bins < 2 || bins > MLOPS_PROFILE_MAX_EDGES + 1)
        return mlops__error(MLOPS_E_INVALID,
                            "mlops_profile_quantile_edges: bins %u is outside 2..%u",
                            (unsigned)bins, (unsigned)MLOPS_PROFILE_MAX_EDGES + 1);
    mlops__kll_view v;
    if ((rc = mlops__kll_view_build(&v, &ref->kll)) != 0)
        return rc;
    int exact = ref->kll.num_levels == 1;
    size_t m = 0;
    for (uint32_t i = 1; i < bins; i++) {
        double q = (double)i / (double)bins, e;
        if (exact) {
            /* NumPy 'linear': position q (n - 1) between order statistics */
            double pos = q * (double)(v.size - 1);
            size_t lo = (size_t)floor(pos);
            double frac = pos - (double)lo;
            size_t hi = lo + 1 < v.size ? lo + 1 : lo;
            double a = v.items[lo], d = v.items[hi] - a;
            /* NumPy's _lerp, so the edges agree to the last bit */
            e = frac >= 0.5 ? v.items[hi] - d * (1.0 - frac) : a + d * frac;
        } else {
            double w = ceil(q * (double)v.n);
            e = mlops__kll_view_quantile_w(&v, w < 1 ? 1 : (uint64_t)w);
        }
        if (m == 0 || e > edges[m - 1])
            edges[m++] = e;
    }
    mlops__kll_view_dispose(&v);
    *n_edges = m;
    return 0;
}
