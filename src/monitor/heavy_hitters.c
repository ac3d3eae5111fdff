/*
 * Category counts with a Misra–Gries fallback (see heavy_hitters.h).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "monitor/heavy_hitters.h"

#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"

static uint32_t hash_code(int64_t code)
{
    uint64_t z = (uint64_t)code * 0x9e3779b97f4a7c15ull;
    z ^= z >> 29;
    return (uint32_t)(z ^ (z >> 32));
}

int mlops__hh_init(mlops__hh *h, uint32_t cap)
{
    memset(h, 0, sizeof *h);
    uint32_t tsize = 4;
    while (tsize < 2 * (cap + 1))
        tsize <<= 1;
    h->cap = cap;
    h->mask = tsize - 1;
    h->used = mlops__calloc(tsize, 1);
    h->slot = mlops__calloc(tsize, sizeof *h->slot);
    h->scratch = mlops__calloc((size_t)cap + 1, sizeof *h->scratch);
    if (!h->used || !h->slot || !h->scratch) {
        mlops__hh_dispose(h);
        return mlops__error_nomem();
    }
    return 0;
}

void mlops__hh_dispose(mlops__hh *h)
{
    if (!h)
        return;
    mlops__free(h->used);
    mlops__free(h->slot);
    mlops__free(h->scratch);
    h->used = NULL;
    h->slot = NULL;
    h->scratch = NULL;
}

int mlops__hh_copy(mlops__hh *dst, const mlops__hh *src)
{
    mlops__hh t;
    int rc = mlops__hh_init(&t, src->cap);
    if (rc)
        return rc;
    memcpy(t.used, src->used, (size_t)src->mask + 1);
    memcpy(t.slot, src->slot, ((size_t)src->mask + 1) * sizeof *t.slot);
    t.size = src->size;
    t.total = src->total;
    t.error = src->error;
    *dst = t;
    return 0;
}

static uint32_t find_slot(const mlops__hh *h, int64_t code)
{
    uint32_t i = hash_code(code) & h->mask;
    while (h->used[i] && h->slot[i].code != code)
        i = (i + 1) & h->mask;
    return i;
}

uint64_t mlops__hh_get(const mlops__hh *h, int64_t code)
{
    uint32_t i = find_slot(h, code);
    return h->used[i] ? h->slot[i].count : 0;
}

static void insert_new(mlops__hh *h, int64_t code, uint64_t count)
{
    uint32_t i = find_slot(h, code);
    h->used[i] = 1;
    h->slot[i].code = code;
    h->slot[i].count = count;
    h->size++;
}

static int cmp_count_desc(const void *pa, const void *pb)
{
    const mlops__hh_entry *a = pa, *b = pb;
    return (a->count < b->count) - (a->count > b->count);
}

/*
 * Reduce n entries in e[] (in place) to at most cap/2: returns the new count
 * and adds the subtracted amount to *error. Entries are reordered.
 */
static size_t reduce_entries(mlops__hh_entry *e, size_t n, uint32_t cap, uint64_t *error)
{
    size_t keep = cap / 2;
    if (n <= cap)
        return n;
    qsort(e, n, sizeof *e, cmp_count_desc);
    uint64_t d = e[keep].count;
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (e[i].count > d) {
            e[m].code = e[i].code;
            e[m].count = e[i].count - d;
            m++;
        }
    *error += d;
    return m;
}

static void rebuild(mlops__hh *h, const mlops__hh_entry *e, size_t n)
{
    memset(h->used, 0, (size_t)h->mask + 1);
    h->size = 0;
    for (size_t i = 0; i < n; i++)
        insert_new(h, e[i].code, e[i].count);
}

static void reduce_table(mlops__hh *h)
{
    size_t n = 0;
    for (uint32_t i = 0; i <= h->mask; i++)
        if (h->used[i])
            h->scratch[n++] = h->slot[i];
    n = reduce_entries(h->scratch, n, h->cap, &h->error);
    rebuild(h, h->scratch, n);
}

void mlops__hh_update(mlops__hh *h, const int64_t *codes, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        uint32_t i = find_slot(h, codes[k]);
        h->total++;
        if (h->used[i]) {
            h->slot[i].count++;
            continue;
        }
        h->used[i] = 1;
        h->slot[i].code = codes[k];
        h->slot[i].count = 1;
        h->size++;
        if (h->size > h->cap)
            reduce_table(h);
    }
}

static int cmp_code(const void *pa, const void *pb)
{
    const mlops__hh_entry *a = pa, *b = pb;
    return (a->code > b->code) - (a->code < b->code);
}

mlops__hh_entry *mlops__hh_sorted(const mlops__hh *h)
{
    mlops__hh_entry *e = mlops__calloc(h->size ? h->size : 1, sizeof *e);
    if (!e) {
        mlops__error_nomem();
        return NULL;
    }
    size_t n = 0;
    for (uint32_t i = 0; i <= h->mask; i++)
        if (h->used[i])
            e[n++] = h->slot[i];
    qsort(e, n, sizeof *e, cmp_code);
    return e;
}

int mlops__hh_merge(mlops__hh *dst, const mlops__hh *src)
{
    mlops__hh_entry *a = mlops__hh_sorted(dst);
    if (!a)
        return MLOPS_E_NOMEM;
    mlops__hh_entry *b = mlops__hh_sorted(src);
    if (!b) {
        mlops__free(a);
        return MLOPS_E_NOMEM;
    }
    size_t na = dst->size, nb = src->size;
    mlops__hh_entry *u = mlops__calloc(na + nb ? na + nb : 1, sizeof *u);
    if (!u) {
        mlops__free(a);
        mlops__free(b);
        return mlops__error_nomem();
    }
    size_t i = 0, j = 0, n = 0;
    while (i < na || j < nb) {
        if (j >= nb || (i < na && a[i].code < b[j].code))
            u[n++] = a[i++];
        else if (i >= na || b[j].code < a[i].code)
            u[n++] = b[j++];
        else {
            u[n].code = a[i].code;
            u[n].count = a[i].count + b[j].count;
            n++, i++, j++;
        }
    }
    uint64_t error = dst->error + src->error;
    n = reduce_entries(u, n, dst->cap, &error);
    rebuild(dst, u, n);
    dst->total += src->total;
    dst->error = error;
    mlops__free(a);
    mlops__free(b);
    mlops__free(u);
    return 0;
}

void mlops__hh_load(mlops__hh *h, const mlops__hh_entry *e, size_t n, uint64_t total,
                    uint64_t error)
{
    rebuild(h, e, n);
    h->total = total;
    h->error = error;
}
