/*
 * Manifests to bytes: the canonical form that is hashed and signed, the
 * pretty form for people, and the two digests.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdint.h>
#include <string.h>

#include "artifact/manifest.h"
#include "core/alloc.h"
#include "core/buf.h"
#include "core/error.h"
#include "mlops/digest.h"

void mlops__manifest_hex(char *out, const uint8_t *bytes, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[bytes[i] >> 4];
        out[2 * i + 1] = digits[bytes[i] & 15];
    }
    out[2 * n] = '\0';
}

/*
 * Both digests in one canonical pass. RFC 8785 writes an object as its
 * members in key order, each "key":value, and an array as its elements, so
 * the statement's canonical bytes are the concatenation of the canonical
 * bytes of its parts. Every key at the top and in the predicate is one of the
 * ASCII names below (the schema check has rejected anything else), so their
 * order is byte order and they need no escaping. The bytes go through a
 * 64 KiB buffer to the statement hash, and those of the files array to the
 * tree hash too: neither is ever held whole, and everything is written once.
 * The tests and the fuzz target hold this equal to SHA-256 of
 * mlops_manifest_write_canonical().
 */
static const char *const top_keys[] = {"_type", "predicate", "predicateType", "subject"};
static const char *const predicate_keys[] = {
    "annotations", "code",   "created",    "datasets", "description", "files",
    "framework",   "metrics", "name",      "parameters", "parent",    "version"};

/* Bytes are collected and hashed in blocks of this size: one update call per
 * tiny piece would cost more than the hashing. */
#define FLUSH_AT 65536

typedef struct hasher {
    mlops_digest *statement, *tree;
    mlops_buf pend; /* canonical bytes not hashed yet */
    int both;       /* they are part of the files array: the tree hashes them too */
    size_t statement_size;
} hasher;

static int flush(hasher *h)
{
    int rc = mlops_digest_update(h->statement, h->pend.data, h->pend.size);
    if (!rc && h->both)
        rc = mlops_digest_update(h->tree, h->pend.data, h->pend.size);
    h->statement_size += h->pend.size;
    mlops__buf_clear(&h->pend);
    return rc;
}

static int set_both(hasher *h, int both)
{
    int rc = h->both == both ? 0 : flush(h);
    h->both = both;
    return rc;
}

static int put(hasher *h, const char *s, size_t n)
{
    int rc = mlops__buf_append(&h->pend, s, n);
    return rc ? rc : h->pend.size >= FLUSH_AT ? flush(h) : 0;
}

static int put_value(hasher *h, const mlops__json *v)
{
    int rc = mlops__json_write_canonical(&h->pend, v);
    return rc ? rc : h->pend.size >= FLUSH_AT ? flush(h) : 0;
}

/* `sep` then "key": */
static int put_key(hasher *h, int first, const char *key)
{
    int rc = first ? 0 : put(h, ",", 1);
    if (!rc)
        rc = put(h, "\"", 1);
    if (!rc)
        rc = put(h, key, strlen(key));
    if (!rc)
        rc = put(h, "\":", 2);
    return rc;
}

static int put_files(hasher *h, const mlops__json *files)
{
    int rc = set_both(h, 1);
    if (!rc)
        rc = put(h, "[", 1);
    size_t n = mlops__json_array_size(files);
    for (size_t i = 0; i < n && !rc; i++) {
        if (i)
            rc = put(h, ",", 1);
        if (!rc)
            rc = put_value(h, mlops__json_array_get(files, i));
    }
    if (!rc)
        rc = put(h, "]", 1);
    return rc ? rc : set_both(h, 0);
}

static int put_predicate(hasher *h, const mlops__json *pred)
{
    int rc = put(h, "{", 1);
    size_t seen = 0;
    for (size_t k = 0; k < sizeof predicate_keys / sizeof *predicate_keys && !rc; k++) {
        const mlops__json *v = mlops__json_object_find(pred, predicate_keys[k]);
        if (!v)
            continue;
        rc = put_key(h, seen++ == 0, predicate_keys[k]);
        if (!rc)
            rc = strcmp(predicate_keys[k], "files") == 0 ? put_files(h, v) : put_value(h, v);
    }
    if (!rc && seen != mlops__json_object_size(pred))
        return mlops__error(MLOPS_E_INTERNAL, "manifest digest: unexpected predicate member");
    return rc ? rc : put(h, "}", 1);
}

int mlops__manifest_digests(mlops_manifest *m)
{
    hasher h = {NULL, NULL, MLOPS_BUF_INIT, 0, 0};
    const mlops__json *root = mlops__json_root(m->doc);
    int rc = mlops_digest_new(&h.statement);
    if (!rc)
        rc = mlops_digest_new(&h.tree);
    if (!rc)
        rc = mlops__buf_reserve(&h.pend, FLUSH_AT + 4096);
    if (!rc)
        rc = put(&h, "{", 1);
    for (size_t k = 0; k < sizeof top_keys / sizeof *top_keys && !rc; k++) {
        const mlops__json *v = mlops__json_object_find(root, top_keys[k]);
        rc = put_key(&h, k == 0, top_keys[k]);
        if (!rc)
            rc = k == 1 ? put_predicate(&h, v) : put_value(&h, v);
    }
    if (!rc && mlops__json_object_size(root) != 4)
        rc = mlops__error(MLOPS_E_INTERNAL, "manifest digest: unexpected statement member");
    if (!rc)
        rc = put(&h, "}", 1);
    if (!rc)
        rc = flush(&h);
    if (!rc)
        rc = mlops_digest_finish(h.statement, m->statement);
    if (!rc)
        rc = mlops_digest_finish(h.tree, m->tree);
    mlops_digest_free(h.statement);
    mlops_digest_free(h.tree);
    mlops_buf_dispose(&h.pend);
    if (rc)
        return rc;
    mlops__manifest_hex(m->tree_hex, m->tree, 32);
    mlops__manifest_hex(m->statement_hex, m->statement, 32);
    m->canonical_size = h.statement_size;
    return 0;
}

int mlops_manifest_write_canonical(mlops_buf *out, const mlops_manifest *m)
{
    MLOPS__CHECK_ARG(out);
    MLOPS__CHECK_ARG(m);
    /* The size is known from the digest pass: grow once to exactly that, so
     * a 20 MB statement costs 20 MB and no regrowth copies. */
    if (m->canonical_size > SIZE_MAX - 1 - out->size)
        return mlops__error(MLOPS_E_LIMIT, "buffer size overflow");
    size_t need = out->size + m->canonical_size + 1;
    if (need > out->capacity) {
        char *p = mlops__realloc(out->data, need);
        if (!p)
            return mlops__error_nomem();
        if (!out->data)
            p[0] = '\0';
        out->data = p;
        out->capacity = need;
    }
    return mlops__json_write_canonical(out, mlops__json_root(m->doc));
}

int mlops_manifest_write_pretty(mlops_buf *out, const mlops_manifest *m)
{
    MLOPS__CHECK_ARG(out);
    MLOPS__CHECK_ARG(m);
    return mlops__json_write_pretty(out, mlops__json_root(m->doc));
}

int mlops_manifest_tree_digest(uint8_t out[32], const mlops_manifest *m)
{
    MLOPS__CHECK_ARG(out);
    MLOPS__CHECK_ARG(m);
    memcpy(out, m->tree, 32);
    return 0;
}

int mlops_manifest_statement_digest(uint8_t out[32], const mlops_manifest *m)
{
    MLOPS__CHECK_ARG(out);
    MLOPS__CHECK_ARG(m);
    memcpy(out, m->statement, 32);
    return 0;
}

const char *mlops_manifest_tree_sha256(const mlops_manifest *m)
{
    return m ? m->tree_hex : NULL;
}

const char *mlops_manifest_statement_sha256(const mlops_manifest *m)
{
    return m ? m->statement_hex : NULL;
}

int mlops_manifest_equal(const mlops_manifest *a, const mlops_manifest *b)
{
    return a && b && memcmp(a->statement, b->statement, 32) == 0;
}
