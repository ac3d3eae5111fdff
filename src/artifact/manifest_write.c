/*
 * Manifests to bytes: the canonical form that is hashed and signed, the
 * pretty form for people, and the two digests.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>

#include "artifact/manifest.h"
#include "core/alloc.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/hex.h"
#include "mlops/digest.h"

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
 * mlops_manifest_write_json().
 */
static const char *const top_keys[] = {"_type", "predicate", "predicateType", "subject"};
static const char *const predicate_keys[] = {
    "annotations", "code",   "created",    "datasets", "description", "files",
    "framework",   "metrics", "name",      "parameters", "parent",    "version"};

/* Bytes are collected and hashed in blocks of this size: one update call per
 * tiny piece would cost more than the hashing. */
#define FLUSH_AT 65536

/*
 * Hashing runs beside writing. The statement hash covers every canonical
 * byte and the tree hash the files array again (about twice the input in
 * SHA-256 work), so for statements of at least THREAD_MIN bytes a helper
 * thread computes both hashes while this thread writes the canonical bytes.
 * Blocks pass through a ring of RING buffers: the writer fills block k while
 * the helper hashes blocks before it, and reuses a buffer only once the
 * helper is done with it. Any failure to start the helper (threads
 * unavailable) falls back to hashing both here; the digests are the same
 * either way. The helper allocates nothing; its failure, if any, is reported
 * by this thread.
 */
#define RING 4
#define THREAD_MIN ((size_t)256 << 10)

/* Start a helper thread with every signal blocked, so that the caller's
 * signals are never delivered to it. 0 or an error number. */
static int start_helper(pthread_t *tid, void *(*fn)(void *), void *arg)
{
    sigset_t all, old;
    sigfillset(&all);
    if (pthread_sigmask(SIG_SETMASK, &all, &old) != 0)
        return -1;
    int rc = pthread_create(tid, NULL, fn, arg);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return rc;
}

typedef struct ring {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    mlops_digest *statement, *tree;
    mlops_buf *slots;
    int both[RING]; /* the block is part of the files array */
    size_t submitted; /* blocks handed to the helper */
    size_t done;      /* blocks it has hashed */
    int finished;     /* no more blocks will come */
    int rc;           /* the helper's first failure */
} ring;

static void *ring_main(void *p)
{
    ring *r = p;
    pthread_mutex_lock(&r->lock);
    for (;;) {
        while (r->done == r->submitted && !r->finished)
            pthread_cond_wait(&r->cond, &r->lock);
        if (r->done == r->submitted)
            break;
        const mlops_buf *b = &r->slots[r->done % RING];
        int both = r->both[r->done % RING];
        pthread_mutex_unlock(&r->lock);
        int rc = r->rc ? 0 : mlops_digest_update(r->statement, b->data, b->size);
        if (!rc && both && !r->rc)
            rc = mlops_digest_update(r->tree, b->data, b->size);
        pthread_mutex_lock(&r->lock);
        if (rc && !r->rc)
            r->rc = rc;
        r->done++;
        pthread_cond_broadcast(&r->cond);
    }
    pthread_mutex_unlock(&r->lock);
    return NULL;
}

typedef struct hasher {
    mlops_digest *statement, *tree;
    mlops_buf *pend; /* canonical bytes not hashed yet (a ring slot when threaded) */
    mlops_buf own;   /* the only block when not threaded */
    int both;        /* they are part of the files array: the tree hashes them too */
    size_t statement_size;
    ring *r; /* NULL when not threaded */
} hasher;

static int flush(hasher *h)
{
    h->statement_size += h->pend->size;
    if (!h->r) {
        int rc = mlops_digest_update(h->statement, h->pend->data, h->pend->size);
        if (!rc && h->both)
            rc = mlops_digest_update(h->tree, h->pend->data, h->pend->size);
        mlops__buf_clear(h->pend);
        return rc;
    }
    ring *r = h->r;
    pthread_mutex_lock(&r->lock);
    r->both[r->submitted % RING] = h->both;
    r->submitted++;
    pthread_cond_broadcast(&r->cond);
    /* The next slot is free once the helper has hashed what it last held. */
    while (r->submitted - r->done >= RING)
        pthread_cond_wait(&r->cond, &r->lock);
    pthread_mutex_unlock(&r->lock);
    h->pend = &r->slots[r->submitted % RING];
    mlops__buf_clear(h->pend);
    return 0;
}

static int set_both(hasher *h, int both)
{
    int rc = h->both == both ? 0 : flush(h);
    h->both = both;
    return rc;
}

static int put(hasher *h, const char *s, size_t n)
{
    int rc = mlops__buf_append(h->pend, s, n);
    return rc ? rc : h->pend->size >= FLUSH_AT ? flush(h) : 0;
}

static int put_value(hasher *h, const mlops__json *v)
{
    int rc = mlops__json_write_canonical(h->pend, v);
    return rc ? rc : h->pend->size >= FLUSH_AT ? flush(h) : 0;
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

/* Start the helper: 0 when it runs (h->r set); -1 when no thread could be
 * started (h stays unthreaded); MLOPS_E_NOMEM when the ring's buffers could
 * not be allocated. `slots` is initialised in every case. */
static int ring_start(hasher *h, ring *r, mlops_buf *slots, pthread_t *tid)
{
    for (size_t i = 0; i < RING; i++)
        slots[i] = (mlops_buf)MLOPS_BUF_INIT;
    for (size_t i = 0; i < RING; i++) {
        int rc = mlops__buf_reserve(&slots[i], FLUSH_AT + 4096);
        if (rc)
            return rc;
    }
    r->statement = h->statement;
    r->tree = h->tree;
    r->slots = slots;
    r->submitted = r->done = 0;
    r->finished = 0;
    r->rc = 0;
    if (pthread_mutex_init(&r->lock, NULL) != 0)
        return -1;
    if (pthread_cond_init(&r->cond, NULL) != 0) {
        pthread_mutex_destroy(&r->lock);
        return -1;
    }
    if (start_helper(tid, ring_main, r) != 0) {
        pthread_cond_destroy(&r->cond);
        pthread_mutex_destroy(&r->lock);
        return -1;
    }
    h->r = r;
    h->pend = &slots[0];
    return 0;
}

/* Wait for the helper to hash everything handed to it; its result. */
static int ring_stop(ring *r, pthread_t tid)
{
    pthread_mutex_lock(&r->lock);
    r->finished = 1;
    pthread_cond_broadcast(&r->cond);
    pthread_mutex_unlock(&r->lock);
    pthread_join(tid, NULL);
    pthread_cond_destroy(&r->cond);
    pthread_mutex_destroy(&r->lock);
    return r->rc ? mlops__error(r->rc, "manifest digest: hashing the statement failed") : 0;
}

/*
 * Canonical input (what this library writes, and what signing tools hash) is
 * hashed as it is: when the document's canonical form is its source without
 * whitespace and the source has no whitespace (mlops__json_canonical_span
 * says the canonical length equals the source length), the statement's
 * canonical bytes are the source and the files array's are the source span
 * of the files node. The tree hash then runs on a helper thread while this
 * one hashes the statement. Returns 1 when done this way, 0 when the bytes
 * must be written to be known, or an error code (negated) from hashing.
 */
typedef struct span_job {
    mlops_digest *d;
    const char *data;
    size_t len;
    int rc;
} span_job;

static void *span_main(void *p)
{
    span_job *j = p;
    j->rc = mlops_digest_update(j->d, j->data, j->len);
    return NULL;
}

static int hash_source(mlops_digest *statement, mlops_digest *tree, const mlops_manifest *m,
                       const char *src, size_t len)
{
    size_t total = 0, fsize = 0;
    if (!src || !len || !m->files_node ||
        !mlops__json_canonical_span(mlops__json_root(m->doc), &total, m->files_node, &fsize) ||
        total != len)
        return 0;
    size_t off = mlops__json_offset(m->files_node);
    if (fsize < 2 || off >= len || fsize > len - off || src[off] != '[' ||
        src[off + fsize - 1] != ']')
        return 0;
    span_job j = {tree, src + off, fsize, 0};
    pthread_t tid;
    int threaded = len >= THREAD_MIN && start_helper(&tid, span_main, &j) == 0;
    int rc = mlops_digest_update(statement, src, len);
    if (threaded)
        pthread_join(tid, NULL);
    else
        span_main(&j);
    if (!rc)
        rc = j.rc;
    return rc ? -rc : 1;
}

/*
 * Large input that looks canonical starts hashing before the schema is even
 * checked: a helper thread hashes the whole input (the statement digest if
 * the input proves canonical) while this thread checks that it is
 * (mlops__json_canonical_span) and then the schema; once the span of the
 * files array is known the helper hashes it too (the tree digest). If the
 * input is not canonical the helper's work is dropped and the digests are
 * computed from written bytes as usual. Same results either way.
 */
struct mlops__mf_prehash {
    pthread_t tid;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    mlops_digest *statement, *tree;
    const char *src;
    size_t len;
    const char *span; /* the files array, once known canonical */
    size_t span_len;
    int state; /* 0: undecided, 1: canonical (span set), 2: not canonical */
    int joined;
    int rc;
};

static void *prehash_main(void *p)
{
    mlops__mf_prehash *ph = p;
    int rc = mlops_digest_update(ph->statement, ph->src, ph->len);
    pthread_mutex_lock(&ph->lock);
    while (ph->state == 0)
        pthread_cond_wait(&ph->cond, &ph->lock);
    int state = ph->state;
    pthread_mutex_unlock(&ph->lock);
    if (!rc && state == 1)
        rc = mlops_digest_update(ph->tree, ph->span, ph->span_len);
    ph->rc = rc;
    return NULL;
}

static void prehash_decide(mlops__mf_prehash *ph, const mlops__json_doc *doc)
{
    const mlops__json *root = mlops__json_root(doc);
    const mlops__json *files =
        mlops__json_object_find(mlops__json_object_find(root, "predicate"), "files");
    size_t total = 0, fsize = 0, off = files ? mlops__json_offset(files) : 0;
    int ok = files && mlops__json_type_of(files) == MLOPS__JSON_ARRAY &&
             mlops__json_canonical_span(root, &total, files, &fsize) && total == ph->len &&
             fsize >= 2 && off < ph->len && fsize <= ph->len - off && ph->src[off] == '[' &&
             ph->src[off + fsize - 1] == ']';
    pthread_mutex_lock(&ph->lock);
    if (ok) {
        ph->span = ph->src + off;
        ph->span_len = fsize;
    }
    ph->state = ok ? 1 : 2;
    pthread_cond_broadcast(&ph->cond);
    pthread_mutex_unlock(&ph->lock);
}

void mlops__manifest_prehash_free(mlops__mf_prehash *ph)
{
    if (!ph)
        return;
    if (!ph->joined) {
        pthread_mutex_lock(&ph->lock);
        if (ph->state == 0)
            ph->state = 2;
        pthread_cond_broadcast(&ph->cond);
        pthread_mutex_unlock(&ph->lock);
        pthread_join(ph->tid, NULL);
    }
    pthread_cond_destroy(&ph->cond);
    pthread_mutex_destroy(&ph->lock);
    mlops_digest_free(ph->statement);
    mlops_digest_free(ph->tree);
    mlops__free(ph);
}

int mlops__manifest_prehash_start(mlops__mf_prehash **out, const mlops__json_doc *doc,
                                  const char *src, size_t len)
{
    *out = NULL;
    /* Canonical statements start with their first key, no white space. */
    static const char start[] = "{\"_type\":";
    if (len < THREAD_MIN || memcmp(src, start, sizeof start - 1) != 0)
        return 0;
    mlops__mf_prehash *ph = mlops__calloc(1, sizeof *ph);
    if (!ph)
        return mlops__error_nomem();
    int rc = mlops_digest_new(&ph->statement);
    if (!rc)
        rc = mlops_digest_new(&ph->tree);
    if (rc) {
        mlops_digest_free(ph->statement);
        mlops__free(ph);
        return rc;
    }
    ph->src = src;
    ph->len = len;
    int started = 0;
    if (pthread_mutex_init(&ph->lock, NULL) == 0) {
        if (pthread_cond_init(&ph->cond, NULL) == 0) {
            started = start_helper(&ph->tid, prehash_main, ph) == 0;
            if (!started)
                pthread_cond_destroy(&ph->cond);
        }
        if (!started)
            pthread_mutex_destroy(&ph->lock);
    }
    if (!started) { /* no thread: the digests are computed later, as usual */
        mlops_digest_free(ph->statement);
        mlops_digest_free(ph->tree);
        mlops__free(ph);
        return 0;
    }
    prehash_decide(ph, doc);
    *out = ph;
    return 0;
}

/* 1 when the helper produced both digests (into m), 0 when the input was not
 * canonical, or an error code (negated). */
static int prehash_finish(mlops__mf_prehash *ph, mlops_manifest *m)
{
    pthread_join(ph->tid, NULL);
    ph->joined = 1;
    if (ph->state != 1)
        return 0;
    if (ph->rc)
        return -mlops__error(ph->rc, "manifest digest: hashing the input failed");
    int rc = mlops_digest_finish(m->statement, ph->statement);
    if (!rc)
        rc = mlops_digest_finish(m->tree, ph->tree);
    return rc ? -rc : 1;
}

int mlops__manifest_digests(mlops_manifest *m, const char *src, size_t size_hint,
                           mlops__mf_prehash *ph)
{
    hasher h = {NULL, NULL, NULL, MLOPS_BUF_INIT, 0, 0, NULL};
    ring r;
    mlops_buf slots[RING];
    pthread_t tid;
    const mlops__json *root = mlops__json_root(m->doc);
    h.pend = &h.own;
    if (ph) {
        int done = prehash_finish(ph, m);
        if (done < 0)
            return -done;
        if (done) {
            m->source_canonical = 1;
            m->canonical_size = size_hint;
            mlops__hex(m->tree_hex, m->tree, 32);
            mlops__hex(m->statement_hex, m->statement, 32);
            return 0;
        }
        src = NULL; /* known not canonical */
    }
    int rc = mlops_digest_new(&h.statement);
    if (!rc)
        rc = mlops_digest_new(&h.tree);
    int direct = rc ? 0 : hash_source(h.statement, h.tree, m, src, size_hint);
    if (direct < 0)
        rc = -direct;
    if (direct) {
        h.statement_size = size_hint;
        m->source_canonical = direct > 0;
        goto finish;
    }
    if (!rc && size_hint >= THREAD_MIN) {
        int started = ring_start(&h, &r, slots, &tid);
        if (started != 0) {
            /* Not threaded: give back what was reserved and hash here. */
            for (size_t i = 0; i < RING; i++)
                mlops_buf_dispose(&slots[i]);
            if (started > 0)
                rc = started;
        }
    }
    if (!rc && !h.r)
        rc = mlops__buf_reserve(&h.own, FLUSH_AT + 4096);
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
    if (h.r) {
        int rc2 = ring_stop(h.r, tid);
        if (!rc)
            rc = rc2;
        for (size_t i = 0; i < RING; i++)
            mlops_buf_dispose(&slots[i]);
    }
finish:
    if (!rc)
        rc = mlops_digest_finish(m->statement, h.statement);
    if (!rc)
        rc = mlops_digest_finish(m->tree, h.tree);
    mlops_digest_free(h.statement);
    mlops_digest_free(h.tree);
    mlops_buf_dispose(&h.own);
    if (rc)
        return rc;
    mlops__hex(m->tree_hex, m->tree, 32);
    mlops__hex(m->statement_hex, m->statement, 32);
    m->canonical_size = h.statement_size;
    return 0;
}

static int write_canonical(mlops_buf *out, const mlops_manifest *m)
{
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
    if (m->source_canonical)
        return mlops__json_doc_write_source(out, m->doc, m->canonical_size);
    return mlops__json_write_canonical(out, mlops__json_root(m->doc));
}

int mlops_manifest_write_json(mlops_buf *out, const mlops_manifest *m, uint32_t flags)
{
    MLOPS__CHECK_ARG(out);
    MLOPS__CHECK_ARG(m);
    MLOPS__CHECK_FLAGS(flags, MLOPS_JSON_PRETTY);
    if (flags & MLOPS_JSON_PRETTY)
        return mlops__json_write_pretty(out, mlops__json_root(m->doc));
    return write_canonical(out, m);
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
