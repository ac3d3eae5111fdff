/*
 * Profile bytes, format version 1 (docs/formats/profile-v1.md).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <math.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "monitor/bytes.h"
#include "monitor/profile.h"

#define PROFILE_MAGIC "MLPF"
#define PROFILE_FORMAT_VERSION 1
/* Levels a stored sketch may have: leaves room to grow by updates. */
#define STORED_MAX_LEVELS (MLOPS__KLL_MAX_LEVELS - 4)

static void write_numeric(mlops__writer *w, const mlops_profile *p)
{
    const mlops__kll *s = &p->kll;
    mlops__w_u32(w, s->k);
    mlops__w_u32(w, s->min_k);
    mlops__w_u64(w, s->rng);
    mlops__w_u64(w, p->count);
    mlops__w_u64(w, p->nan);
    mlops__w_u64(w, p->posinf);
    mlops__w_u64(w, p->neginf);
    mlops__w_f64(w, p->mean);
    mlops__w_f64(w, p->m2);
    mlops__w_f64(w, p->min);
    mlops__w_f64(w, p->max);
    mlops__w_u32(w, (uint32_t)p->n_edges);
    for (size_t i = 0; i < p->n_edges; i++)
        mlops__w_f64(w, p->edges[i]);
    for (size_t i = 0; p->n_edges && i <= p->n_edges; i++)
        mlops__w_u64(w, p->hist[i]);
    mlops__w_u32(w, s->num_levels);
    for (uint32_t h = 0; h < s->num_levels; h++)
        mlops__w_u32(w, s->lv[h + 1] - s->lv[h]);
    for (uint32_t i = s->lv[0]; i < s->lv[s->num_levels]; i++)
        mlops__w_f64(w, s->items[i]);
}

static int write_categorical(mlops__writer *w, const mlops_profile *p)
{
    mlops__hh_entry *e = mlops__hh_sorted(&p->hh);
    if (!e)
        return MLOPS_E_NOMEM;
    mlops__w_u32(w, p->hh.cap);
    mlops__w_u32(w, 0);
    mlops__w_u64(w, p->hh.total);
    mlops__w_u64(w, p->hh.error);
    mlops__w_u32(w, p->hh.size);
    for (uint32_t i = 0; i < p->hh.size; i++) {
        mlops__w_i64(w, e[i].code);
        mlops__w_u64(w, e[i].count);
    }
    mlops__free(e);
    return 0;
}

int mlops_profile_write(mlops_buf *out, const mlops_profile *p, uint32_t flags)
{
    MLOPS__CHECK_ARG(out);
    MLOPS__CHECK_ARG(p);
    MLOPS__CHECK_FLAGS(flags, 0);
    size_t start = out->size;
    mlops__writer w = { out, 0 };
    mlops__frame_begin(&w, PROFILE_MAGIC, PROFILE_FORMAT_VERSION, (uint16_t)p->kind, 0);
    int rc = 0;
    if (p->kind == MLOPS_PROFILE_NUMERIC)
        write_numeric(&w, p);
    else
        rc = write_categorical(&w, p);
    if (rc == 0)
        rc = mlops__frame_end(&w, start);
    if (rc != 0) {
        out->size = start;
        if (out->data)
            out->data[start] = '\0';
    }
    return rc;
}

/* ---- reading ------------------------------------------------------------- */

static int read_numeric(mlops_profile **out, mlops__reader *r)
{
    uint32_t k = mlops__r_u32(r);
    uint32_t min_k = mlops__r_u32(r);
    uint64_t rng = mlops__r_u64(r);
    uint64_t count = mlops__r_u64(r);
    uint64_t nan = mlops__r_u64(r), posinf = mlops__r_u64(r), neginf = mlops__r_u64(r);
    double mean = mlops__r_f64(r), m2 = mlops__r_f64(r);
    double mn = mlops__r_f64(r), mx = mlops__r_f64(r);
    if (r->rc)
        return r->rc;
    if (k < MLOPS__KLL_MIN_K || k > MLOPS__KLL_MAX_K)
        return mlops__r_fail(r, MLOPS_E_SCHEMA, "kll k %u is outside %u..%u", (unsigned)k,
                             MLOPS__KLL_MIN_K, MLOPS__KLL_MAX_K);
    if (min_k < MLOPS__KLL_MIN_K || min_k > k)
        return mlops__r_fail(r, MLOPS_E_SCHEMA, "kll min k %u is outside %u..%u",
                             (unsigned)min_k, MLOPS__KLL_MIN_K, (unsigned)k);
    if (count == 0 ? (mean != 0 || m2 != 0 || mn != 0 || mx != 0)
                   : !(isfinite(mean) && !isnan(m2) && m2 >= 0 && isfinite(mn) &&
                       isfinite(mx) && mn <= mx))
        return mlops__r_fail(r, MLOPS_E_SCHEMA,
                             "moments (mean, m2, min, max) are not consistent with count %llu",
                             (unsigned long long)count);
    /* the mean of values in [min, max] lies in [min, max]; one value is its
     * own min, max and mean, with no spread */
    if (count > 0 && !(mean >= mn && mean <= mx))
        return mlops__r_fail(r, MLOPS_E_SCHEMA, "mean %.17g is outside [min %.17g, max %.17g]",
                             mean, mn, mx);
    if (count == 1 && !(mn == mx && m2 == 0))
        return mlops__r_fail(r, MLOPS_E_SCHEMA,
                             "one value but min %.17g != max %.17g or m2 %.17g != 0", mn, mx,
                             m2);
    /* every value was counted once: the four counts add up without overflow */
    if (nan > UINT64_MAX - count || posinf > UINT64_MAX - count - nan ||
        neginf > UINT64_MAX - count - nan - posinf)
        return mlops__r_fail(r, MLOPS_E_SCHEMA,
                             "counts (%llu finite, %llu NaN, %llu +inf, %llu -inf) overflow "
                             "64 bits when added",
                             (unsigned long long)count, (unsigned long long)nan,
                             (unsigned long long)posinf, (unsigned long long)neginf);
    size_t edges_at = r->pos;
    uint32_t n_edges = mlops__r_u32(r);
    if (n_edges > MLOPS_PROFILE_MAX_EDGES)
        return mlops__r_fail(r, MLOPS_E_SCHEMA, "%u histogram edges (at most %u)",
                             (unsigned)n_edges, (unsigned)MLOPS_PROFILE_MAX_EDGES);
    if (mlops__r_need(r, n_edges, 16, "histogram edges"))
        return r->rc;
    mlops_profile *p = NULL;
    /* edges are read into the profile after allocation; validate them first
     * from the raw bytes so the allocation is for a well-formed profile */
    double prev = 0;
    for (uint32_t i = 0; i < n_edges; i++) {
        double e = mlops__r_f64(r);
        if (!isfinite(e) || (i > 0 && !(e > prev))) {
            r->pos -= 8;
            return mlops__r_fail(r, MLOPS_E_SCHEMA,
                                 "histogram edge %u is not finite or not increasing",
                                 (unsigned)i);
        }
        prev = e;
    }
    size_t after_edges = r->pos;
    int rc = mlops__profile_alloc(&p, MLOPS_PROFILE_NUMERIC, k, rng, NULL, 0, 0);
    if (rc)
        return rc;
    if (n_edges) {
        p->edges = mlops__calloc(n_edges, sizeof(double));
        p->hist = mlops__calloc((size_t)n_edges + 1, sizeof(uint64_t));
        if (!p->edges || !p->hist) {
            mlops_profile_free(p);
            return mlops__error_nomem();
        }
        p->n_edges = n_edges;
        r->pos = edges_at + 4;
        for (uint32_t i = 0; i < n_edges; i++)
            p->edges[i] = mlops__r_f64(r);
        r->pos = after_edges;
        uint64_t sum = 0;
        for (uint32_t i = 0; i <= n_edges; i++) {
            p->hist[i] = mlops__r_u64(r);
            if (p->hist[i] > count - sum) {
                mlops_profile_free(p);
                return r->rc ? r->rc
                             : mlops__r_fail(r, MLOPS_E_SCHEMA,
                                             "histogram counts exceed the count %llu",
                                             (unsigned long long)count);
            }
            sum += p->hist[i];
        }
        if (sum != count) {
            mlops_profile_free(p);
            return r->rc ? r->rc
                         : mlops__r_fail(r, MLOPS_E_SCHEMA,
                                         "histogram counts add up to %llu, not the count %llu",
                                         (unsigned long long)sum, (unsigned long long)count);
        }
    }
    p->count = count;
    p->nan = nan;
    p->posinf = posinf;
    p->neginf = neginf;
    p->mean = mean;
    p->m2 = m2;
    p->min = mn;
    p->max = mx;

    mlops__kll *s = &p->kll;
    s->min_k = min_k;
    uint32_t levels = mlops__r_u32(r);
    if (r->rc == 0 && (levels < 1 || levels > STORED_MAX_LEVELS))
        mlops__r_fail(r, MLOPS_E_SCHEMA, "sketch has %u levels (1..%u)", (unsigned)levels,
                      STORED_MAX_LEVELS);
    if (r->rc == 0)
        mlops__r_need(r, levels, 4, "sketch levels");
    uint32_t sizes[MLOPS__KLL_MAX_LEVELS];
    uint64_t total = 0, weight = 0;
    int overflow = 0;
    for (uint32_t h = 0; r->rc == 0 && h < levels; h++) {
        sizes[h] = mlops__r_u32(r);
        total += sizes[h];
        uint64_t wh = (uint64_t)sizes[h] << h;
        if (h > 0 && (wh >> h) != sizes[h])
            overflow = 1;
        if (weight + wh < weight)
            overflow = 1;
        weight += wh;
    }
    if (r->rc == 0 && (overflow || weight != count))
        mlops__r_fail(r, MLOPS_E_SCHEMA,
                      "sketch weights do not add up to the count %llu",
                      (unsigned long long)count);
    if (r->rc == 0 && total > mlops__kll_capacity(k, levels))
        mlops__r_fail(r, MLOPS_E_SCHEMA, "sketch holds %llu items, more than its capacity %u",
                      (unsigned long long)total, mlops__kll_capacity(k, levels));
    if (r->rc == 0)
        mlops__r_need(r, total, 8, "sketch items");
    if (r->rc) {
        mlops_profile_free(p);
        return r->rc;
    }
    s->num_levels = levels;
    s->n = count;
    uint32_t pos = s->alloc - (uint32_t)total;
    for (uint32_t h = 0; h < levels; h++) {
        s->lv[h] = pos;
        for (uint32_t i = 0; i < sizes[h]; i++) {
            double x = mlops__r_f64(r);
            if (!isfinite(x) || x < mn || x > mx ||
                (h > 0 && i > 0 && x < s->items[pos - 1])) {
                r->pos -= 8;
                mlops__r_fail(r, MLOPS_E_SCHEMA,
                              "sketch item %u of level %u is not finite, outside [min, max] "
                              "or out of order", (unsigned)i, (unsigned)h);
                mlops_profile_free(p);
                return r->rc;
            }
            s->items[pos++] = x;
        }
    }
    s->lv[levels] = pos;
    *out = p;
    return 0;
}

static int read_categorical(mlops_profile **out, mlops__reader *r)
{
    uint32_t cap = mlops__r_u32(r);
    uint32_t reserved = mlops__r_u32(r);
    uint64_t total = mlops__r_u64(r);
    uint64_t error = mlops__r_u64(r);
    uint32_t n = mlops__r_u32(r);
    if (r->rc)
        return r->rc;
    if (cap < MLOPS__HH_MIN_CAP || cap > MLOPS__HH_MAX_CAP)
        return mlops__r_fail(r, MLOPS_E_SCHEMA, "category cap %u is outside %u..%u",
                             (unsigned)cap, MLOPS__HH_MIN_CAP, MLOPS__HH_MAX_CAP);
    if (reserved != 0)
        return mlops__r_fail(r, MLOPS_E_SCHEMA, "reserved field is %u, not 0",
                             (unsigned)reserved);
    if (n > cap)
        return mlops__r_fail(r, MLOPS_E_SCHEMA, "%u categories exceed the cap %u", (unsigned)n,
                             (unsigned)cap);
    if (error > total)
        return mlops__r_fail(r, MLOPS_E_SCHEMA, "error bound exceeds the total");
    if (mlops__r_need(r, n, 16, "categories"))
        return r->rc;
    /* the cap sizes the allocation: bound it by the input too (a table is
     * never larger than what a real summary of that many entries needs) */
    mlops_profile *p = NULL;
    int rc = mlops__profile_alloc(&p, MLOPS_PROFILE_CATEGORICAL, 0, 0, NULL, 0, cap);
    if (rc)
        return rc;
    mlops__hh_entry *e = p->hh.scratch; /* cap + 1 entries, n <= cap */
    uint64_t sum = 0;
    for (uint32_t i = 0; i < n; i++) {
        e[i].code = mlops__r_i64(r);
        e[i].count = mlops__r_u64(r);
        if (r->rc == 0 && (e[i].count == 0 || e[i].count > total - sum ||
                           (i > 0 && e[i].code <= e[i - 1].code))) {
            r->pos -= 16;
            mlops__r_fail(r, MLOPS_E_SCHEMA,
                          "category %u: zero count, counts above the total, or codes not "
                          "strictly increasing", (unsigned)i);
        }
        if (r->rc) {
            mlops_profile_free(p);
            return r->rc;
        }
        sum += e[i].count;
    }
    if (error == 0 && sum != total) {
        mlops_profile_free(p);
        return mlops__r_fail(r, MLOPS_E_SCHEMA,
                             "exact category counts add up to %llu, not the total %llu",
                             (unsigned long long)sum, (unsigned long long)total);
    }
    mlops__hh_load(&p->hh, e, n, total, error);
    *out = p;
    return 0;
}

int mlops_profile_parse(mlops_profile **out, const void *data, size_t size)
{
    MLOPS__CHECK_ARG(out);
    if (!data && size > 0)
        return mlops__error(MLOPS_E_INVALID, "mlops_profile_parse: data is NULL");
    mlops__reader r;
    uint16_t version, kind;
    uint32_t flags;
    int rc = mlops__frame_open(&r, &version, &kind, &flags, data ? data : "", size,
                               PROFILE_MAGIC, PROFILE_FORMAT_VERSION, "profile");
    if (rc)
        return rc;
    if (flags != 0)
        return mlops__error_at(MLOPS_E_SCHEMA, 8, 0, 0, NULL,
                               "profile: unknown flags 0x%x at byte 8", (unsigned)flags);
    mlops_profile *p = NULL;
    if (kind == MLOPS_PROFILE_NUMERIC)
        rc = read_numeric(&p, &r);
    else if (kind == MLOPS_PROFILE_CATEGORICAL)
        rc = read_categorical(&p, &r);
    else
        return mlops__error_at(MLOPS_E_SCHEMA, 6, 0, 0, NULL,
                               "profile: unknown kind %u at byte 6", (unsigned)kind);
    if (rc)
        return rc;
    if (mlops__r_left(&r) != 0) {
        mlops_profile_free(p);
        return mlops__r_fail(&r, MLOPS_E_PARSE, "%zu unexpected trailing bytes",
                             mlops__r_left(&r));
    }
    mlops__profile_refresh(p);
    *out = p;
    return 0;
}
