/*
 * A dictionary of category labels: byte strings to dense 64-bit codes shared
 * by a reference and a current sample (include/mlops/drift.h).
 *
 * Codes are assigned in first-seen order, so the same sequence of additions
 * gives the same codes on every machine and run. A batch that fails (out of
 * memory, too many labels) leaves the dictionary exactly as it was: the
 * entries it added are dropped and the hash table is rebuilt in place
 * (no allocation), so the rollback itself cannot fail.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdint.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "mlops/category.h"
#include "mlops/drift.h"

struct mlops_category_dict {
    size_t n;         /* labels */
    size_t cap;       /* entries allocated */
    char **bytes;     /* label bytes, each followed by a NUL */
    size_t *len;      /* label lengths */
    uint64_t *hash;   /* label hashes */
    size_t tcap;      /* hash table slots, a power of two, >= 2 * n */
    uint32_t *slots;  /* entry index + 1, 0 = empty */
};

static uint64_t hash_bytes(const char *p, size_t n)
{
    /* FNV-1a 64 with a final avalanche, so the low bits used for the table
     * depend on every byte */
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)p[i]) * 1099511628211ULL;
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    return h;
}

static void table_fill(mlops_category_dict *d)
{
    memset(d->slots, 0, d->tcap * sizeof *d->slots);
    for (size_t k = 0; k < d->n; k++) {
        size_t h = (size_t)d->hash[k] & (d->tcap - 1);
        while (d->slots[h])
            h = (h + 1) & (d->tcap - 1);
        d->slots[h] = (uint32_t)k + 1;
    }
}

/* Index of a label, or -1. */
static long find(const mlops_category_dict *d, const char *p, size_t n, uint64_t h,
                 size_t *slot)
{
    if (d->tcap == 0) {
        *slot = 0;
        return -1;
    }
    size_t s = (size_t)h & (d->tcap - 1);
    while (d->slots[s]) {
        size_t k = d->slots[s] - 1;
        if (d->hash[k] == h && d->len[k] == n && (n == 0 || memcmp(d->bytes[k], p, n) == 0)) {
            *slot = s;
            return (long)k;
        }
        s = (s + 1) & (d->tcap - 1);
    }
    *slot = s;
    return -1;
}

/* Room for one more label: entries and a table at most half full. */
static int reserve_one(mlops_category_dict *d)
{
    if (d->n >= MLOPS_CATEGORY_DICT_MAX)
        return mlops__error(MLOPS_E_LIMIT, "category dictionary: more than %lu labels",
                            (unsigned long)MLOPS_CATEGORY_DICT_MAX);
    if (d->n == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 16;
        char **b = mlops__reallocarray(d->bytes, cap, sizeof *b);
        if (!b)
            return mlops__error_nomem();
        d->bytes = b;
        size_t *l = mlops__reallocarray(d->len, cap, sizeof *l);
        if (!l)
            return mlops__error_nomem();
        d->len = l;
        uint64_t *h = mlops__reallocarray(d->hash, cap, sizeof *h);
        if (!h)
            return mlops__error_nomem();
        d->hash = h;
        d->cap = cap;
    }
    if ((d->n + 1) * 2 > d->tcap) {
        size_t tcap = d->tcap ? d->tcap * 2 : 32;
        uint32_t *slots = mlops__calloc(tcap, sizeof *slots);
        if (!slots)
            return mlops__error_nomem();
        mlops__free(d->slots);
        d->slots = slots;
        d->tcap = tcap;
        table_fill(d);
    }
    return 0;
}

int mlops_category_dict_new(mlops_category_dict **out, uint32_t flags)
{
    MLOPS__CHECK_ARG(out);
    MLOPS__CHECK_FLAGS(flags, 0);
    mlops_category_dict *d = mlops__calloc(1, sizeof *d);
    if (!d)
        return mlops__error_nomem();
    *out = d;
    return 0;
}

void mlops_category_dict_free(mlops_category_dict *d)
{
    if (!d)
        return;
    for (size_t k = 0; k < d->n; k++)
        mlops__free(d->bytes[k]);
    mlops__free(d->bytes);
    mlops__free(d->len);
    mlops__free(d->hash);
    mlops__free(d->slots);
    mlops__free(d);
}

static int check_batch(const char *fn, const char *const *labels, size_t n)
{
    if (n > 0 && !labels)
        return mlops__error(MLOPS_E_INVALID, "%s: labels is NULL with n = %zu", fn, n);
    return 0;
}

static int label_at(const char **p, size_t *len, const char *fn, const char *const *labels,
                    const size_t *lengths, size_t i)
{
    *p = labels[i];
    *len = lengths ? lengths[i] : (*p ? strlen(*p) : 0);
    if (!*p && (!lengths || *len != 0))
        return mlops__error(MLOPS_E_INVALID, "%s: label %zu is NULL", fn, i);
    if (!*p)
        *p = "";
    return 0;
}

int mlops_category_dict_add(int64_t *codes, mlops_category_dict *d, const char *const *labels,
                            const size_t *lengths, size_t n, uint32_t flags)
{
    MLOPS__CHECK_ARG(d);
    MLOPS__CHECK_FLAGS(flags, 0);
    int rc = check_batch(__func__, labels, n);
    if (rc)
        return rc;
    /* validate the whole batch before changing anything */
    for (size_t i = 0; i < n; i++) {
        const char *p;
        size_t len;
        if ((rc = label_at(&p, &len, __func__, labels, lengths, i)) != 0)
            return rc;
    }
    size_t before = d->n;
    for (size_t i = 0; i < n; i++) {
        const char *p;
        size_t len, slot;
        (void)label_at(&p, &len, __func__, labels, lengths, i);
        uint64_t h = hash_bytes(p, len);
        long k = find(d, p, len, h, &slot);
        if (k < 0) {
            if ((rc = reserve_one(d)) != 0)
                goto rollback;
            char *copy = mlops__malloc(len + 1);
            if (!copy) {
                rc = mlops__error_nomem();
                goto rollback;
            }
            if (len)
                memcpy(copy, p, len);
            copy[len] = '\0';
            (void)find(d, p, len, h, &slot); /* the table may have grown */
            k = (long)d->n;
            d->bytes[k] = copy;
            d->len[k] = len;
            d->hash[k] = h;
            d->slots[slot] = (uint32_t)k + 1;
            d->n++;
        }
    }
    /* the codes are written only once the whole batch went in, so a failed
     * call leaves the caller's array untouched */
    for (size_t i = 0; codes && i < n; i++) {
        const char *p;
        size_t len, slot;
        (void)label_at(&p, &len, __func__, labels, lengths, i);
        codes[i] = (int64_t)find(d, p, len, hash_bytes(p, len), &slot);
    }
    return 0;
rollback:
    for (size_t k = before; k < d->n; k++)
        mlops__free(d->bytes[k]);
    d->n = before;
    if (d->tcap)
        table_fill(d);
    return rc;
}

int mlops_category_dict_encode(int64_t *codes, uint64_t *n_unseen, const mlops_category_dict *d,
                               const char *const *labels, const size_t *lengths, size_t n,
                               uint32_t flags)
{
    MLOPS__CHECK_ARG(d);
    MLOPS__CHECK_FLAGS(flags, 0);
    if (n > 0 && !codes)
        return mlops__error(MLOPS_E_INVALID, "%s: codes is NULL with n = %zu", __func__, n);
    int rc = check_batch(__func__, labels, n);
    if (rc)
        return rc;
    for (size_t i = 0; i < n; i++) {
        const char *p;
        size_t len;
        if ((rc = label_at(&p, &len, __func__, labels, lengths, i)) != 0)
            return rc;
    }
    uint64_t unseen = 0;
    for (size_t i = 0; i < n; i++) {
        const char *p;
        size_t len, slot;
        (void)label_at(&p, &len, __func__, labels, lengths, i);
        long k = find(d, p, len, hash_bytes(p, len), &slot);
        codes[i] = k < 0 ? MLOPS_CATEGORY_UNSEEN : (int64_t)k;
        unseen += k < 0;
    }
    if (n_unseen)
        *n_unseen = unseen;
    return 0;
}

size_t mlops_category_dict_count(const mlops_category_dict *d) { return d ? d->n : 0; }

int mlops_category_dict_label(const char **label, size_t *length, const mlops_category_dict *d,
                              int64_t code)
{
    MLOPS__CHECK_ARG(label);
    MLOPS__CHECK_ARG(d);
    if (code < 0 || (uint64_t)code >= d->n)
        return mlops__error(MLOPS_E_INVALID,
                            "mlops_category_dict_label: code %lld is not in [0, %zu)",
                            (long long)code, d->n);
    *label = d->bytes[code];
    if (length)
        *length = d->len[code];
    return 0;
}
