/*
 * The local store: an OCI image layout with tags, aliases and their history,
 * a writer lock, and changes made only by write-fsync-rename.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <openssl/evp.h>

#include "artifact/pack.h"
#include "core/alloc.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/hex.h"
#include "core/io.h"
#include "core/json.h"
#include "core/strlist.h"
#include "mlops/semver.h"
#include "mlops/store.h"

#define META_MAX ((size_t)64 << 20)
#define COPY_BLOCK ((size_t)1 << 20)
#define SUBJECT_KEY "dev.libmlops.subject"
#define REF_KEY "org.opencontainers.image.ref.name"

enum { KIND_MODEL = 1, KIND_SIGNATURE = 2 };

typedef struct entry {
    char *ref; /* "name:version" or "name:alias" (model); the subject tag (signature) */
    int kind;
    uint8_t d[MLOPS_SHA256_SIZE];
    uint64_t size;
} entry;

typedef struct history {
    char *key; /* "name:alias" */
    char **versions;
    size_t n, cap;
} history;

struct mlops_store {
    char *root;
    uint32_t flags;
    int lock_fd;
    entry *e;
    size_t n;
    history *h;
    size_t nh;
    int repaired; /* the history in memory differs from mlops-store.json */
};

/* ---- small file helpers ------------------------------------------------- */

static int path_join(mlops_buf *out, const char *root, const char *rel)
{
    mlops__buf_clear(out);
    return mlops__buf_printf(out, "%s/%s", root, rel);
}

static int read_file(mlops_buf *out, const char *path, size_t max, int *missing)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        if (missing && errno == ENOENT) {
            *missing = 1;
            return 0;
        }
        return mlops__error_at(MLOPS_E_IO, -1, 0, 0, path, "%s: cannot open: %s", path,
                               mlops__strerror(errno));
    }
    if (missing)
        *missing = 0;
    int rc = 0;
    for (;;) {
        if (out->size > max) {
            rc = mlops__error_at(MLOPS_E_LIMIT, -1, 0, 0, path, "%s is too large", path);
            break;
        }
        rc = mlops__buf_reserve(out, 65536);
        if (rc)
            break;
        ssize_t n = read(fd, out->data + out->size, 65536);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            rc = mlops__error_at(MLOPS_E_IO, -1, 0, 0, path, "%s: read failed: %s", path,
                                 mlops__strerror(errno));
            break;
        }
        if (n == 0)
            break;
        out->size += (size_t)n;
        out->data[out->size] = '\0';
    }
    close(fd);
    return rc;
}

static int fsync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return mlops__error_at(MLOPS_E_IO, -1, 0, 0, dir, "%s: cannot open: %s", dir,
                               mlops__strerror(errno));
    int rc = fsync(fd) == 0 ? 0
                            : mlops__error_at(MLOPS_E_IO, -1, 0, 0, dir, "%s: fsync failed: %s",
                                              dir, mlops__strerror(errno));
    close(fd);
    return rc;
}

/* Replace `root/rel` atomically with `data`: temporary file, fsync, rename,
 * fsync of the directory. */
static int replace_file(const char *root, const char *rel, const void *data, size_t len)
{
    mlops_buf tmp = MLOPS_BUF_INIT, dst = MLOPS_BUF_INIT;
    int rc = mlops__buf_printf(&tmp, "%s/.%s.tmp-XXXXXX", root, rel);
    if (!rc)
        rc = path_join(&dst, root, rel);
    if (rc)
        goto done;
    int fd = mkstemp(tmp.data);
    if (fd < 0) {
        rc = mlops__error_at(MLOPS_E_IO, -1, 0, 0, dst.data, "%s: cannot create: %s", dst.data,
                             mlops__strerror(errno));
        goto done;
    }
    const char *p = data;
    size_t left = len;
    while (left && !rc) {
        ssize_t n = write(fd, p, left);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            rc = mlops__error_at(MLOPS_E_IO, -1, 0, 0, dst.data, "%s: write failed: %s",
                                 dst.data, mlops__strerror(errno));
        else {
            p += n;
            left -= (size_t)n;
        }
    }
    if (!rc && (fchmod(fd, 0644) != 0 || fsync(fd) != 0))
        rc = mlops__error_at(MLOPS_E_IO, -1, 0, 0, dst.data, "%s: fsync failed: %s", dst.data,
                             mlops__strerror(errno));
    close(fd);
    if (!rc && rename(tmp.data, dst.data) != 0)
        rc = mlops__error_at(MLOPS_E_IO, -1, 0, 0, dst.data, "%s: rename failed: %s", dst.data,
                             mlops__strerror(errno));
    if (rc)
        unlink(tmp.data);
    else
        rc = fsync_dir(root);
done:
    mlops_buf_dispose(&tmp);
    mlops_buf_dispose(&dst);
    return rc;
}

/* ---- loading and saving the index and the alias history ------------------ */

static void entries_free(mlops_store *s)
{
    for (size_t i = 0; i < s->n; i++)
        mlops__free(s->e[i].ref);
    mlops__free(s->e);
    s->e = NULL;
    s->n = 0;
    for (size_t i = 0; i < s->nh; i++) {
        for (size_t k = 0; k < s->h[i].n; k++)
            mlops__free(s->h[i].versions[k]);
        mlops__free(s->h[i].versions);
        mlops__free(s->h[i].key);
    }
    mlops__free(s->h);
    s->h = NULL;
    s->nh = 0;
}

static const char *str_member(const mlops__json *o, const char *k)
{
    const mlops__json *v = o ? mlops__json_object_find(o, k) : NULL;
    return v && mlops__json_type_of(v) == MLOPS__JSON_STRING ? mlops__json_string(v, NULL) : NULL;
}

static int by_ref(const void *a, const void *b)
{
    const entry *x = a, *y = b;
    int c = strcmp(x->ref, y->ref);
    return c ? c : x->kind - y->kind;
}

/* The entries of index.json (`text`, read from `path`). */
static int parse_index(mlops_store *s, const mlops_buf *text, const char *path)
{
    mlops__json_doc *doc = NULL;
    mlops__json_limits lim = { 16, META_MAX };
    int rc = mlops__json_parse(&doc, text->data ? text->data : "", text->size, &lim, path);
    if (rc)
        return rc;
    const mlops__json *ms = mlops__json_type_of(mlops__json_root(doc)) == MLOPS__JSON_OBJECT
                                ? mlops__json_object_find(mlops__json_root(doc), "manifests")
                                : NULL;
    if (!ms || mlops__json_type_of(ms) != MLOPS__JSON_ARRAY) {
        rc = mlops__error_at(MLOPS_E_SCHEMA, -1, 0, 0, path, "%s: no \"manifests\" array", path);
        goto done;
    }
    size_t n = mlops__json_array_size(ms);
    s->e = mlops__calloc(n ? n : 1, sizeof *s->e);
    if (!s->e) {
        rc = mlops__error_nomem();
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        const mlops__json *d = mlops__json_array_get(ms, i);
        const mlops__json *ann = mlops__json_type_of(d) == MLOPS__JSON_OBJECT
                                     ? mlops__json_object_find(d, "annotations")
                                     : NULL;
        const char *dg = str_member(d, "digest"), *at = str_member(d, "artifactType");
        const mlops__json *sz = mlops__json_type_of(d) == MLOPS__JSON_OBJECT
                                    ? mlops__json_object_find(d, "size")
                                    : NULL;
        const char *ref = str_member(ann, REF_KEY), *subj = str_member(ann, SUBJECT_KEY);
        entry *e = &s->e[s->n];
        if (!dg || !at || !sz || !mlops__json_is_integer(sz) || mlops__json_int(sz) < 0 ||
            mlops_digest_parse(e->d, dg) != 0 || (!ref && !subj)) {
            rc = mlops__error_at(MLOPS_E_SCHEMA, -1, 0, 0, path,
                                 "%s: manifests[%zu] is not a store entry", path, i);
            goto done;
        }
        e->kind = strcmp(at, MLOPS__MT_DSSE) == 0 ? KIND_SIGNATURE : KIND_MODEL;
        e->size = (uint64_t)mlops__json_int(sz);
        e->ref = mlops__strdup(e->kind == KIND_MODEL && ref ? ref : subj ? subj : ref);
        if (!e->ref) {
            rc = mlops__error_nomem();
            goto done;
        }
        s->n++;
    }
    /* one entry per reference: a second one would make what a name resolves
     * to depend on the order of the file */
    if (s->n)
        qsort(s->e, s->n, sizeof *s->e, by_ref);
    for (size_t i = 1; i < s->n; i++)
        if (by_ref(&s->e[i - 1], &s->e[i]) == 0) {
            rc = mlops__error_at(MLOPS_E_SCHEMA, -1, 0, 0, path,
                                 "%s: \"%.200s\" is named twice", path, s->e[i].ref);
            goto done;
        }
done:
    mlops__json_doc_free(doc);
    return rc;
}

/* The alias history of mlops-store.json (`text`, read from `path`):
 * {"aliases":{"name:alias":["1.0.0",...]}}. Anything else is refused: a
 * damaged history is an error, never an empty one. */
static int parse_history(mlops_store *s, const mlops_buf *text, const char *path)
{
    mlops__json_doc *doc = NULL;
    mlops__json_limits lim = { 16, META_MAX };
    int rc = mlops__json_parse(&doc, text->data ? text->data : "", text->size, &lim, path);
    if (rc)
        return rc;
    const mlops__json *al = mlops__json_type_of(mlops__json_root(doc)) == MLOPS__JSON_OBJECT
                                ? mlops__json_object_find(mlops__json_root(doc), "aliases")
                                : NULL;
    if (!al || mlops__json_type_of(al) != MLOPS__JSON_OBJECT) {
        rc = mlops__error_at(MLOPS_E_SCHEMA, -1, 0, 0, path, "%s: no \"aliases\" object", path);
        goto done;
    }
    size_t na = mlops__json_object_size(al);
    s->h = mlops__calloc(na ? na : 1, sizeof *s->h);
    if (!s->h) {
        rc = mlops__error_nomem();
        goto done;
    }
    for (size_t i = 0; i < na; i++) {
        const char *key = mlops__json_object_key(al, i, NULL);
        const mlops__json *list = mlops__json_object_value(al, i);
        if (!strchr(key, ':') || mlops__json_type_of(list) != MLOPS__JSON_ARRAY) {
            rc = mlops__error_at(MLOPS_E_SCHEMA, -1, 0, 0, path,
                                 "%s: aliases[\"%.200s\"] is not a \"name:alias\" history", path,
                                 key);
            goto done;
        }
        history *h = &s->h[s->nh++];
        size_t nv = mlops__json_array_size(list);
        h->key = mlops__strdup(key);
        h->versions = mlops__calloc(nv ? nv : 1, sizeof *h->versions);
        h->cap = nv ? nv : 1;
        if (!h->key || !h->versions) {
            rc = mlops__error_nomem();
            goto done;
        }
        for (size_t k = 0; k < nv; k++) {
            const mlops__json *v = mlops__json_array_get(list, k);
            if (mlops__json_type_of(v) != MLOPS__JSON_STRING) {
                rc = mlops__error_at(MLOPS_E_SCHEMA, -1, 0, 0, path,
                                     "%s: aliases[\"%.200s\"][%zu] is not a version string",
                                     path, key, k);
                goto done;
            }
            h->versions[h->n] = mlops__strdup(mlops__json_string(v, NULL));
            if (!h->versions[h->n]) {
                rc = mlops__error_nomem();
                goto done;
            }
            h->n++;
        }
    }
done:
    mlops__json_doc_free(doc);
    return rc;
}

static entry *find_entry(mlops_store *s, const char *ref, int kind);
static history *find_history(mlops_store *s, const char *key);
static int is_tag(const char *ref);

/* The tag ("name:version") of the model whose name is the first `nlen`
 * bytes of `name` that names manifest `d`, or NULL. */
static const entry *tag_of(mlops_store *s, const char *name, size_t nlen, const uint8_t d[32])
{
    for (size_t i = 0; i < s->n; i++) {
        const entry *e = &s->e[i];
        if (e->kind == KIND_MODEL && strncmp(e->ref, name, nlen) == 0 && e->ref[nlen] == ':' &&
            is_tag(e->ref) && memcmp(e->d, d, 32) == 0)
            return e;
    }
    return NULL;
}

/* Does history line `version` of alias key "name:alias" name manifest `d`? */
static int names(mlops_store *s, const char *key, const char *version, const uint8_t d[32])
{
    size_t nlen = (size_t)(strrchr(key, ':') - key);
    for (size_t i = 0; i < s->n; i++) {
        const entry *e = &s->e[i];
        if (e->kind == KIND_MODEL && strncmp(e->ref, key, nlen) == 0 && e->ref[nlen] == ':' &&
            strcmp(e->ref + nlen + 1, version) == 0 && is_tag(e->ref))
            return memcmp(e->d, d, 32) == 0;
    }
    return 0;
}

static int history_push(history *h, const char *version)
{
    if (h->n == h->cap) {
        size_t cap = h->cap ? h->cap * 2 : 4;
        char **g = mlops__reallocarray(h->versions, cap, sizeof *g);
        if (!g)
            return mlops__error_nomem();
        h->versions = g;
        h->cap = cap;
    }
    char *copy = mlops__strdup(version);
    if (!copy)
        return mlops__error_nomem();
    h->versions[h->n++] = copy;
    return 0;
}

/* A new, empty history for alias key "name:alias"; NULL when out of memory
 * (recorded). */
static history *history_add(mlops_store *s, const char *key)
{
    history *grown = mlops__reallocarray(s->h, s->nh + 1, sizeof *grown);
    if (!grown) {
        mlops__error_nomem();
        return NULL;
    }
    s->h = grown;
    history *h = &s->h[s->nh];
    memset(h, 0, sizeof *h);
    h->key = mlops__strdup(key);
    if (!h->key) {
        mlops__error_nomem();
        return NULL;
    }
    s->nh++;
    return h;
}

/* index.json is the commit point of an alias move and the history is
 * written before it, so the history's last line names what the alias
 * resolves to. When it does not:
 * - the alias is not in index.json: its first move was killed before the
 *   commit; the history is dropped;
 * - the line before the last names it: the last move was killed before the
 *   commit; its line is dropped;
 * - otherwise (a store written by an older library, which wrote index.json
 *   first and so could lose the history line) the version the alias
 *   resolves to is appended.
 * Sets s->repaired when the history in memory differs from the file. */
static int reconcile(mlops_store *s)
{
    for (size_t i = 0; i < s->nh; i++) {
        history *h = &s->h[i];
        const entry *a = find_entry(s, h->key, KIND_MODEL);
        if (!a) {
            if (h->n)
                s->repaired = 1;
            while (h->n)
                mlops__free(h->versions[--h->n]);
            continue;
        }
        if (h->n && names(s, h->key, h->versions[h->n - 1], a->d))
            continue;
        s->repaired = 1;
        if (h->n >= 2 && names(s, h->key, h->versions[h->n - 2], a->d)) {
            mlops__free(h->versions[--h->n]);
            continue;
        }
        size_t nlen = (size_t)(strrchr(h->key, ':') - h->key);
        const entry *t = tag_of(s, h->key, nlen, a->d);
        if (!t)
            return mlops__error_at(MLOPS_E_SCHEMA, -1, 0, 0, h->key,
                                   "%s: alias %s names a manifest that no version of the "
                                   "model names", s->root, h->key);
        int rc = history_push(h, t->ref + nlen + 1);
        if (rc)
            return rc;
    }
    /* an alias in index.json without any history (an older library killed
     * before its first history line) */
    for (size_t i = 0; i < s->n; i++) {
        const entry *a = &s->e[i];
        const char *colon = strrchr(a->ref, ':');
        if (a->kind != KIND_MODEL || !colon || is_tag(a->ref) || find_history(s, a->ref))
            continue;
        size_t nlen = (size_t)(colon - a->ref);
        const entry *t = tag_of(s, a->ref, nlen, a->d);
        if (!t)
            return mlops__error_at(MLOPS_E_SCHEMA, -1, 0, 0, a->ref,
                                   "%s: alias %s names a manifest that no version of the "
                                   "model names", s->root, a->ref);
        history *h = history_add(s, a->ref);
        int rc = h ? history_push(h, t->ref + nlen + 1) : MLOPS_E_NOMEM;
        if (rc)
            return rc;
        s->repaired = 1;
    }
    return 0;
}

/* Load index.json and the alias history. Without the writer lock (`locked`
 * 0), index.json is read again after the history and the pair is read again
 * when it changed meanwhile, so a reader pairs a history with the index.json
 * of the same moment (and the reconciliation keeps the two agreeing even
 * when a busy writer outruns it). */
static int load_index(mlops_store *s, int locked)
{
    mlops_buf ipath = MLOPS_BUF_INIT, hpath = MLOPS_BUF_INIT;
    mlops_buf text = MLOPS_BUF_INIT, htext = MLOPS_BUF_INIT, again = MLOPS_BUF_INIT;
    int missing = 0;
    entries_free(s);
    int rc = path_join(&ipath, s->root, "index.json");
    if (!rc)
        rc = path_join(&hpath, s->root, "mlops-store.json");
    for (int attempt = 0; !rc; attempt++) {
        mlops__buf_clear(&text);
        mlops__buf_clear(&htext);
        mlops__buf_clear(&again);
        rc = read_file(&text, ipath.data, META_MAX, NULL);
        if (!rc)
            rc = read_file(&htext, hpath.data, META_MAX, &missing);
        if (rc || locked || attempt == 16)
            break;
        rc = read_file(&again, ipath.data, META_MAX, NULL);
        if (!rc && again.size == text.size &&
            (text.size == 0 || memcmp(again.data, text.data, text.size) == 0))
            break;
    }
    if (!rc)
        rc = parse_index(s, &text, ipath.data);
    if (!rc && !missing)
        rc = parse_history(s, &htext, hpath.data);
    s->repaired = 0;
    if (!rc)
        rc = reconcile(s);
    if (rc)
        entries_free(s);
    mlops_buf_dispose(&ipath);
    mlops_buf_dispose(&hpath);
    mlops_buf_dispose(&text);
    mlops_buf_dispose(&htext);
    mlops_buf_dispose(&again);
    return rc;
}

static int set_s(mlops__json_doc *doc, mlops__json *o, const char *k, const char *v)
{
    mlops__json *s = mlops__json_new_string(doc, v, strlen(v));
    return s ? mlops__json_object_set(doc, o, k, s) : mlops__error_nomem();
}

/* Write `v` as canonical JSON to root/rel, replacing it atomically. */
static int write_json_file(const char *root, const char *rel, const mlops__json *v)
{
    mlops_buf out = MLOPS_BUF_INIT;
    int rc = mlops__json_write_canonical(&out, v);
    if (!rc)
        rc = replace_file(root, rel, out.data, out.size);
    mlops_buf_dispose(&out);
    return rc;
}

static int save_index(mlops_store *s)
{
    if (s->n)
        qsort(s->e, s->n, sizeof *s->e, by_ref);
    mlops__json_doc *doc = NULL;
    int rc = mlops__json_doc_new(&doc);
    if (rc)
        return rc;
    mlops__json *root = mlops__json_new_object(doc), *arr = mlops__json_new_array(doc);
    mlops__json *two = mlops__json_new_int(doc, 2);
    if (!root || !arr || !two) {
        rc = mlops__error_nomem();
        goto done;
    }
    mlops__json_doc_set_root(doc, root);
    rc = mlops__json_object_set(doc, root, "schemaVersion", two);
    if (!rc)
        rc = set_s(doc, root, "mediaType", MLOPS__MT_OCI_INDEX);
    for (size_t i = 0; !rc && i < s->n; i++) {
        const entry *e = &s->e[i];
        char d[MLOPS_DIGEST_STRING_SIZE];
        mlops_digest_format(d, e->d);
        mlops__json *o = mlops__json_new_object(doc), *ann = mlops__json_new_object(doc);
        mlops__json *sz = mlops__json_new_uint(doc, e->size);
        if (!o || !ann || !sz) {
            rc = mlops__error_nomem();
            break;
        }
        rc = set_s(doc, o, "mediaType", MLOPS__MT_OCI_MANIFEST);
        if (!rc)
            rc = set_s(doc, o, "digest", d);
        if (!rc)
            rc = mlops__json_object_set(doc, o, "size", sz);
        if (!rc)
            rc = set_s(doc, o, "artifactType",
                       e->kind == KIND_MODEL ? MLOPS__MT_MODEL_ARTIFACT : MLOPS__MT_DSSE);
        if (!rc)
            rc = set_s(doc, ann, e->kind == KIND_MODEL ? REF_KEY : SUBJECT_KEY, e->ref);
        if (!rc)
            rc = mlops__json_object_set(doc, o, "annotations", ann);
        if (!rc)
            rc = mlops__json_array_push(doc, arr, o);
    }
    if (!rc)
        rc = mlops__json_object_set(doc, root, "manifests", arr);
    if (!rc)
        rc = write_json_file(s->root, "index.json", root);
done:
    mlops__json_doc_free(doc);
    return rc;
}

static int save_history(mlops_store *s)
{
    mlops__json_doc *doc = NULL;
    int rc = mlops__json_doc_new(&doc);
    if (rc)
        return rc;
    mlops__json *root = mlops__json_new_object(doc), *al = mlops__json_new_object(doc);
    if (!root || !al) {
        rc = mlops__error_nomem();
        goto done;
    }
    mlops__json_doc_set_root(doc, root);
    for (size_t i = 0; !rc && i < s->nh; i++) {
        if (s->h[i].n == 0)
            continue; /* an alias whose first move was never committed */
        mlops__json *list = mlops__json_new_array(doc);
        if (!list) {
            rc = mlops__error_nomem();
            break;
        }
        for (size_t k = 0; !rc && k < s->h[i].n; k++) {
            mlops__json *v = mlops__json_new_string(doc, s->h[i].versions[k],
                                                    strlen(s->h[i].versions[k]));
            rc = v ? mlops__json_array_push(doc, list, v) : mlops__error_nomem();
        }
        if (!rc)
            rc = mlops__json_object_set(doc, al, s->h[i].key, list);
    }
    if (!rc)
        rc = mlops__json_object_set(doc, root, "aliases", al);
    if (!rc)
        rc = write_json_file(s->root, "mlops-store.json", root);
done:
    mlops__json_doc_free(doc);
    return rc;
}

/* ---- opening, locking --------------------------------------------------- */

static int lock_store(mlops_store *s)
{
    if (flock(s->lock_fd, LOCK_EX | ((s->flags & MLOPS_STORE_NOWAIT) ? LOCK_NB : 0)) != 0) {
        if (errno == EWOULDBLOCK)
            return mlops__error_at(MLOPS_E_LOCKED, -1, 0, 0, s->root,
                                   "%s: another writer holds the store's lock", s->root);
        return mlops__error_at(MLOPS_E_IO, -1, 0, 0, s->root, "%s: flock failed: %s", s->root,
                               mlops__strerror(errno));
    }
    /* under the lock, start from what the last writer committed */
    int rc = load_index(s, 1);
    if (rc)
        flock(s->lock_fd, LOCK_UN);
    return rc;
}

static void unlock_store(mlops_store *s) { flock(s->lock_fd, LOCK_UN); }

static const char layout_json[] = "{\"imageLayoutVersion\":\"1.0.0\"}";

/* The temporary files replace_file() makes in the store's directory: a
 * killed writer may leave them. */
static int is_root_temp(const char *name)
{
    static const char *const prefixes[] = { ".index.json.tmp-", ".mlops-store.json.tmp-",
                                            ".oci-layout.tmp-" };
    for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++)
        if (strncmp(name, prefixes[i], strlen(prefixes[i])) == 0)
            return 1;
    return 0;
}

/* Remove the temporary files of killed writers from the store's directory
 * (under the lock: no live writer has any). Adds their number to *count. */
static int remove_root_temps(const char *root, size_t *count)
{
    DIR *d = opendir(root);
    if (!d)
        return mlops__error_at(MLOPS_E_IO, -1, 0, 0, root, "%s: cannot list: %s", root,
                               mlops__strerror(errno));
    struct dirent *e;
    size_t n = 0;
    while ((e = readdir(d)) != NULL)
        if (is_root_temp(e->d_name) && unlinkat(dirfd(d), e->d_name, 0) == 0)
            n++;
    closedir(d);
    if (count)
        *count += n;
    return n ? fsync_dir(root) : 0;
}

/* Is `name` in directory `dfd` an empty directory, or (with `inner`) one
 * holding only an empty directory called `inner`? */
static int empty_dir_at(int dfd, const char *name, const char *inner)
{
    int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return 0;
    DIR *d = fdopendir(fd);
    if (!d) {
        close(fd);
        return 0;
    }
    int ok = 1;
    struct dirent *e;
    while (ok && (e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        ok = inner && strcmp(e->d_name, inner) == 0 && empty_dir_at(dirfd(d), inner, NULL);
    }
    closedir(d);
    return ok;
}

/* Is `oci-layout` in `dfd` the file a creation writes, byte for byte? */
static int our_layout_at(int dfd)
{
    int fd = openat(dfd, "oci-layout", O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return 0;
    char buf[sizeof layout_json + 1];
    ssize_t n = mlops__read_full(fd, buf, sizeof buf);
    close(fd);
    return n == (ssize_t)sizeof layout_json - 1 && memcmp(buf, layout_json, (size_t)n) == 0;
}

/* MLOPS_STORE_CREATE turns only an empty directory into a store: creating one
 * inside a directory that holds other files would mix them with blobs. A
 * directory holding only what a killed creation leaves (the lock file,
 * an empty blobs/sha256/, the oci-layout this library writes, temporary
 * files) is a store being created: the next writer finishes it. */
static int check_new_dir(const char *root)
{
    DIR *d = opendir(root);
    if (!d)
        return mlops__error_at(MLOPS_E_IO, -1, 0, 0, root, "%s: cannot list: %s", root,
                               mlops__strerror(errno));
    struct dirent *e;
    int rc = 0;
    while ((e = readdir(d)) != NULL) {
        const char *n = e->d_name;
        struct stat st;
        if (strcmp(n, ".") == 0 || strcmp(n, "..") == 0)
            continue;
        int found = fstatat(dirfd(d), n, &st, AT_SYMLINK_NOFOLLOW) == 0;
        if (!found && errno == ENOENT)
            continue; /* gone since it was listed: a racing creator's temporary */
        int is_reg = found && S_ISREG(st.st_mode);
        if ((is_reg && (strcmp(n, ".lock") == 0 || is_root_temp(n))) ||
            (strcmp(n, "oci-layout") == 0 && is_reg && our_layout_at(dirfd(d))) ||
            (strcmp(n, "blobs") == 0 && empty_dir_at(dirfd(d), n, "sha256")))
            continue;
        /* another writer may have finished the store since the caller looked
         * for its index.json (never under the lock: there, it is missing) */
        if (fstatat(dirfd(d), "index.json", &st, AT_SYMLINK_NOFOLLOW) == 0)
            break;
        rc = mlops__error_at(MLOPS_E_EXISTS, -1, 0, 0, root,
                             "%s is neither empty nor a model store (it holds \"%.64s\")",
                             root, n);
        break;
    }
    closedir(d);
    return rc;
}

/* The directory holding `path` (for its fsync). */
static int parent_dir(mlops_buf *out, const char *path)
{
    size_t len = strlen(path);
    while (len > 1 && path[len - 1] == '/')
        len--;
    while (len > 0 && path[len - 1] != '/')
        len--;
    while (len > 1 && path[len - 1] == '/')
        len--;
    mlops__buf_clear(out);
    return len == 0 ? mlops__buf_printf(out, ".") : mlops__buf_printf(out, "%.*s", (int)len, path);
}

static int make_dir(const char *path)
{
    if (mkdir(path, 0755) != 0 && errno != EEXIST)
        return mlops__error_at(MLOPS_E_IO, -1, 0, 0, path, "%s: mkdir failed: %s", path,
                               mlops__strerror(errno));
    return 0;
}

/* Under the lock, with no index.json: finish (or make) the layout. Every
 * step can be repeated, so a creation killed at any point is finished by the
 * next one; index.json last, as its presence is what makes a store. */
static int create_layout(mlops_store *s)
{
    mlops_buf p = MLOPS_BUF_INIT, b = MLOPS_BUF_INIT, up = MLOPS_BUF_INIT;
    int rc = check_new_dir(s->root);
    if (!rc)
        rc = remove_root_temps(s->root, NULL);
    if (!rc)
        rc = path_join(&b, s->root, "blobs");
    if (!rc)
        rc = path_join(&p, s->root, "blobs/sha256");
    if (!rc)
        rc = make_dir(b.data);
    if (!rc)
        rc = make_dir(p.data);
    if (!rc)
        rc = fsync_dir(b.data);
    /* the store's own directory entry, made by mlops_store_open() */
    if (!rc)
        rc = parent_dir(&up, s->root);
    if (!rc)
        rc = fsync_dir(up.data);
    if (!rc)
        rc = replace_file(s->root, "oci-layout", layout_json, sizeof layout_json - 1);
    if (!rc)
        rc = save_index(s);
    mlops_buf_dispose(&p);
    mlops_buf_dispose(&b);
    mlops_buf_dispose(&up);
    return rc;
}

/* Create the layout under the lock, unless another process just did. */
static int lock_store_create(mlops_store *s)
{
    if (flock(s->lock_fd, LOCK_EX) != 0)
        return mlops__error_at(MLOPS_E_IO, -1, 0, 0, s->root, "%s: flock failed: %s", s->root,
                               mlops__strerror(errno));
    mlops_buf p = MLOPS_BUF_INIT;
    int rc = path_join(&p, s->root, "index.json");
    if (!rc && access(p.data, F_OK) != 0) {
        entries_free(s);
        rc = create_layout(s);
    }
    mlops_buf_dispose(&p);
    unlock_store(s);
    return rc;
}

/* An existing store's oci-layout must say version 1.0.0: a newer layout may
 * keep blobs where this library would not look, so refuse rather than guess. */
static int check_layout_version(const char *root)
{
    mlops_buf p = MLOPS_BUF_INIT, text = MLOPS_BUF_INIT;
    mlops__json_doc *doc = NULL;
    int missing = 0;
    int rc = path_join(&p, root, "oci-layout");
    if (!rc)
        rc = read_file(&text, p.data, 4096, &missing);
    if (!rc && missing)
        rc = mlops__error_at(MLOPS_E_NOTFOUND, -1, 0, 0, root,
                             "%s: no oci-layout file: not a model store", root);
    if (!rc)
        rc = mlops__json_parse(&doc, text.data ? text.data : "", text.size, NULL, "oci-layout");
    if (!rc) {
        const mlops__json *v = mlops__json_object_find(mlops__json_root(doc),
                                                      "imageLayoutVersion");
        const char *version = v && mlops__json_type_of(v) == MLOPS__JSON_STRING
                                  ? mlops__json_string(v, NULL)
                                  : NULL;
        if (!version || strcmp(version, "1.0.0") != 0)
            rc = mlops__error_at(MLOPS_E_VERSION, -1, 0, 0, root,
                                 "%s: OCI layout version %s is not supported (only 1.0.0)",
                                 root, version ? version : "(missing)");
    }
    mlops__json_doc_free(doc);
    mlops_buf_dispose(&text);
    mlops_buf_dispose(&p);
    return rc;
}

int mlops_store_open(mlops_store **out, const char *path, uint32_t flags)
{
    MLOPS__CHECK_ARG(out);
    MLOPS__CHECK_ARG(path);
    MLOPS__CHECK_FLAGS(flags, MLOPS_STORE_CREATE | MLOPS_STORE_NOWAIT);
    mlops_store *s = mlops__calloc(1, sizeof *s);
    if (!s)
        return mlops__error_nomem();
    s->lock_fd = -1;
    s->flags = flags;
    s->root = mlops__strdup(path);
    mlops_buf p = MLOPS_BUF_INIT, layout = MLOPS_BUF_INIT;
    int rc = s->root ? 0 : mlops__error_nomem();
    int missing = 0;
    if (!rc)
        rc = path_join(&p, path, "oci-layout");
    if (!rc && (flags & MLOPS_STORE_CREATE) && mkdir(path, 0755) != 0 && errno != EEXIST)
        rc = mlops__error_at(MLOPS_E_IO, -1, 0, 0, path, "%s: cannot create: %s", path,
                             mlops__strerror(errno));
    if (!rc && !(flags & MLOPS_STORE_CREATE) && access(p.data, F_OK) != 0)
        rc = mlops__error_at(MLOPS_E_NOTFOUND, -1, 0, 0, path, "%s is not a model store", path);
    if (!rc && (flags & MLOPS_STORE_CREATE)) {
        /* before the lock file exists: a refused directory is left as it was
         * (checked again under the lock, before anything is written) */
        rc = path_join(&p, path, "index.json");
        if (!rc && access(p.data, F_OK) != 0)
            rc = check_new_dir(path);
    }
    if (rc)
        goto fail;
    mlops__buf_clear(&p);
    rc = path_join(&p, path, ".lock");
    if (rc)
        goto fail;
    s->lock_fd = open(p.data, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (s->lock_fd < 0) {
        rc = mlops__error_at(MLOPS_E_IO, -1, 0, 0, path, "%s: cannot open the lock file: %s",
                             path, mlops__strerror(errno));
        goto fail;
    }
    rc = path_join(&p, path, "index.json");
    if (!rc)
        rc = read_file(&layout, p.data, META_MAX, &missing);
    if (rc)
        goto fail;
    if (missing) {
        if (!(flags & MLOPS_STORE_CREATE)) {
            rc = mlops__error_at(MLOPS_E_NOTFOUND, -1, 0, 0, path,
                                 "%s is not a model store (no index.json: a creation that was "
                                 "interrupted is finished by the next writer)", path);
            goto fail;
        }
        rc = lock_store_create(s);
    }
    if (!rc)
        rc = check_layout_version(path);
    if (!rc)
        rc = load_index(s, 0);
    if (rc)
        goto fail;
    mlops_buf_dispose(&p);
    mlops_buf_dispose(&layout);
    *out = s;
    return 0;
fail:
    mlops_buf_dispose(&p);
    mlops_buf_dispose(&layout);
    mlops_store_close(s);
    return rc;
}

void mlops_store_close(mlops_store *s)
{
    if (!s)
        return;
    entries_free(s);
    if (s->lock_fd >= 0)
        close(s->lock_fd);
    mlops__free(s->root);
    mlops__free(s);
}

/* ---- adding a package --------------------------------------------------- */

/* Copy one blob entry of a package into blobs/sha256/, checking that its
 * content hashes to its name; an existing blob is kept (same name, same
 * content). */
static int copy_blob(mlops_store *s, struct archive *a, const char *hexname, unsigned char *buf)
{
    mlops_buf dst = MLOPS_BUF_INIT, tmp = MLOPS_BUF_INIT;
    int rc = mlops__buf_printf(&dst, "%s/blobs/sha256/%s", s->root, hexname);
    if (!rc)
        rc = mlops__buf_printf(&tmp, "%s/blobs/sha256/.tmp-XXXXXX", s->root);
    if (rc)
        goto done;
    if (access(dst.data, F_OK) == 0) {
        rc = archive_read_data_skip(a) == ARCHIVE_OK
                 ? 0
                 : mlops__archive_error(a, -1, NULL, "package");
        goto done;
    }
    int fd = mkstemp(tmp.data);
    if (fd < 0) {
        rc = mlops__error_at(MLOPS_E_IO, -1, 0, 0, tmp.data, "%s: cannot create: %s", tmp.data,
                             mlops__strerror(errno));
        goto done;
    }
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    if (!md || EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1)
        rc = md ? mlops__error(MLOPS_E_CRYPTO, "OpenSSL digest init failed")
                : mlops__error_nomem();
    while (!rc) {
        la_ssize_t n = archive_read_data(a, buf, COPY_BLOCK);
        if (n < 0) {
            rc = mlops__archive_error(a, -1, NULL, "package");
            break;
        }
        if (n == 0)
            break;
        EVP_DigestUpdate(md, buf, (size_t)n);
        size_t off = 0;
        while (off < (size_t)n && !rc) {
            ssize_t w = write(fd, buf + off, (size_t)n - off);
            if (w < 0 && errno == EINTR)
                continue;
            if (w < 0)
                rc = mlops__error_at(MLOPS_E_IO, -1, 0, 0, dst.data, "%s: write failed: %s",
                                     dst.data, mlops__strerror(errno));
            else
                off += (size_t)w;
        }
    }
    uint8_t d[32];
    char got[65];
    if (!rc && EVP_DigestFinal_ex(md, d, NULL) == 1) {
        mlops__hex(got, d, MLOPS_SHA256_SIZE);
        if (strcmp(got, hexname) != 0)
            rc = mlops__error_at(MLOPS_E_INTEGRITY, -1, 0, 0, hexname,
                                 "package blob %s changed since it was verified", hexname);
    }
    EVP_MD_CTX_free(md);
    if (!rc && (fchmod(fd, 0444) != 0 || fsync(fd) != 0))
        rc = mlops__error_at(MLOPS_E_IO, -1, 0, 0, dst.data, "%s: fsync failed: %s", dst.data,
                             mlops__strerror(errno));
    close(fd);
    if (!rc && rename(tmp.data, dst.data) != 0)
        rc = mlops__error_at(MLOPS_E_IO, -1, 0, 0, dst.data, "%s: rename failed: %s", dst.data,
                             mlops__strerror(errno));
    if (rc)
        unlink(tmp.data);
done:
    mlops_buf_dispose(&dst);
    mlops_buf_dispose(&tmp);
    return rc;
}

static int copy_blobs(mlops_store *s, const char *package_path)
{
    int fd = open(package_path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return mlops__error_at(MLOPS_E_IO, -1, 0, 0, package_path, "%s: cannot open: %s",
                               package_path, mlops__strerror(errno));
    struct archive *a = archive_read_new();
    unsigned char *buf = mlops__malloc(COPY_BLOCK);
    int rc = 0;
    if (!a || !buf) {
        rc = mlops__error_nomem();
        goto done;
    }
    if (archive_read_support_format_tar(a) != ARCHIVE_OK ||
        archive_read_open_fd(a, fd, COPY_BLOCK) != ARCHIVE_OK) {
        rc = mlops__archive_error(a, -1, package_path, package_path);
        goto done;
    }
    static const char prefix[] = "blobs/sha256/";
    struct archive_entry *e;
    while (!rc) {
        int ar = archive_read_next_header(a, &e);
        if (ar == ARCHIVE_EOF)
            break;
        if (ar != ARCHIVE_OK) {
            rc = mlops__archive_error(a, -1, package_path, package_path);
            break;
        }
        const char *name = archive_entry_pathname(e);
        if (name && archive_entry_filetype(e) == AE_IFREG && !archive_entry_hardlink(e) &&
            strlen(name) == sizeof prefix - 1 + 64 &&
            memcmp(name, prefix, sizeof prefix - 1) == 0 &&
            strspn(name + sizeof prefix - 1, "0123456789abcdef") == 64)
            rc = copy_blob(s, a, name + sizeof prefix - 1, buf);
    }
    if (!rc) {
        mlops_buf dir = MLOPS_BUF_INIT;
        rc = mlops__buf_printf(&dir, "%s/blobs/sha256", s->root);
        if (!rc)
            rc = fsync_dir(dir.data);
        mlops_buf_dispose(&dir);
    }
done:
    if (a)
        archive_read_free(a);
    mlops__free(buf);
    close(fd);
    return rc;
}

static entry *find_entry(mlops_store *s, const char *ref, int kind)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->e[i].kind == kind && strcmp(s->e[i].ref, ref) == 0)
            return &s->e[i];
    return NULL;
}

static int push_entry(mlops_store *s, const char *ref, int kind, const uint8_t d[32],
                      uint64_t size)
{
    entry *grown = mlops__reallocarray(s->e, s->n + 1, sizeof *grown);
    if (!grown)
        return mlops__error_nomem();
    s->e = grown;
    entry *e = &s->e[s->n];
    e->ref = mlops__strdup(ref);
    if (!e->ref)
        return mlops__error_nomem();
    e->kind = kind;
    memcpy(e->d, d, 32);
    e->size = size;
    s->n++;
    return 0;
}

/* A package that is a stream (a pipe, a FIFO, a character device such as
 * /dev/stdin) can be read only once, and adding reads it twice (verify, then
 * copy the blobs): it is first copied whole into a temporary file among the
 * store's blobs (where gc removes what a killed writer leaves). *spooled
 * receives that file's path, or stays empty for a regular file. */
static int spool_stream(mlops_buf *spooled, mlops_store *s, const char *package_path)
{
    struct stat st;
    if (stat(package_path, &st) != 0 || !(S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode)))
        return 0; /* a regular file is read twice; anything else verify reports */
    int in = open(package_path, O_RDONLY | O_CLOEXEC);
    if (in < 0)
        return mlops__error_at(MLOPS_E_IO, -1, 0, 0, package_path, "%s: cannot open: %s",
                               package_path, mlops__strerror(errno));
    int rc = mlops__buf_printf(spooled, "%s/blobs/sha256/.tmp-spool-XXXXXX", s->root);
    int out = -1;
    unsigned char *buf = rc ? NULL : mlops__malloc(COPY_BLOCK);
    if (!rc && !buf)
        rc = mlops__error_nomem();
    if (!rc && (out = mkstemp(spooled->data)) < 0)
        rc = mlops__error_at(MLOPS_E_IO, -1, 0, 0, spooled->data,
                             "%s: cannot create a temporary copy of %s: %s", s->root,
                             package_path, mlops__strerror(errno));
    while (!rc) {
        ssize_t n = read(in, buf, COPY_BLOCK);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            rc = mlops__error_at(MLOPS_E_IO, -1, 0, 0, package_path, "%s: read failed: %s",
                                 package_path, mlops__strerror(errno));
            break;
        }
        if (n == 0)
            break;
        for (ssize_t off = 0; off < n && !rc;) {
            ssize_t w = write(out, buf + off, (size_t)(n - off));
            if (w < 0 && errno == EINTR)
                continue;
            if (w <= 0)
                rc = mlops__error_at(MLOPS_E_IO, -1, 0, 0, spooled->data,
                                     "%s: cannot keep a temporary copy of %s: %s", s->root,
                                     package_path, mlops__strerror(w < 0 ? errno : EIO));
            else
                off += w;
        }
    }
    if (out >= 0 && close(out) != 0 && !rc)
        rc = mlops__error_at(MLOPS_E_IO, -1, 0, 0, spooled->data,
                             "%s: cannot keep a temporary copy of %s: %s", s->root, package_path,
                             mlops__strerror(errno));
    if (rc && out >= 0)
        unlink(spooled->data);
    if (rc)
        mlops__buf_clear(spooled);
    close(in);
    mlops__free(buf);
    return rc;
}

static int store_add(mlops_store *s, const char *package_path,
                     const mlops_package_verify_options *opts);

int mlops_store_add(mlops_store *s, const char *package_path,
                    const mlops_package_verify_options *opts)
{
    MLOPS__CHECK_ARG(s);
    MLOPS__CHECK_ARG(package_path);
    mlops_buf spooled = MLOPS_BUF_INIT;
    int rc = spool_stream(&spooled, s, package_path);
    if (rc || !spooled.size) {
        mlops_buf_dispose(&spooled);
        return rc ? rc : store_add(s, package_path, opts);
    }
    rc = store_add(s, spooled.data, opts);
    if (rc) {
        /* the failure names the stream the caller gave, not the copy */
        char msg[2048], path[1024];
        snprintf(path, sizeof path, "%s", mlops_error_last_path());
        if (strcmp(path, spooled.data) == 0)
            snprintf(path, sizeof path, "%s", package_path);
        const char *m = mlops_error_last();
        const char *at = strstr(m, spooled.data);
        if (at)
            snprintf(msg, sizeof msg, "%.*s%s%s", (int)(at - m), m, package_path,
                     at + spooled.size);
        else
            snprintf(msg, sizeof msg, "%s", m);
        rc = mlops__error_at(rc, mlops_error_last_offset(), mlops_error_last_line(),
                             mlops_error_last_column(), path, "%s", msg);
    }
    unlink(spooled.data);
    mlops_buf_dispose(&spooled);
    return rc;
}

static int store_add(mlops_store *s, const char *package_path,
                     const mlops_package_verify_options *opts)
{
    mlops_package_report *rep = NULL;
    int rc = mlops_package_verify(&rep, package_path, opts);
    if (rc) {
        mlops_package_report_free(rep);
        return rc;
    }
    uint8_t md[32], rd[32];
    uint64_t msize, rsize;
    int has_ref;
    mlops__package_report_oci(rep, md, &msize, rd, &rsize, &has_ref);
    const mlops_manifest *m = mlops_package_report_manifest(rep);
    mlops_buf tag = MLOPS_BUF_INIT;
    rc = mlops__buf_printf(&tag, "%s:%s", mlops_manifest_name(m), mlops_manifest_version(m));
    if (!rc)
        rc = lock_store(s);
    if (rc)
        goto out;
    entry *old = find_entry(s, tag.data, KIND_MODEL);
    if (old) {
        if (memcmp(old->d, md, 32) != 0)
            rc = mlops__error_at(MLOPS_E_EXISTS, -1, 0, 0, tag.data,
                                 "%s: tag %s already names another manifest", s->root,
                                 tag.data);
        goto unlock;
    }
    /* blobs first, the index last: a crash in between leaves unreferenced
     * blobs (removed by gc), never a tag without its blobs */
    rc = copy_blobs(s, package_path);
    if (!rc)
        rc = push_entry(s, tag.data, KIND_MODEL, md, msize);
    if (!rc && has_ref)
        rc = push_entry(s, tag.data, KIND_SIGNATURE, rd, rsize);
    if (!rc)
        rc = save_index(s);
unlock:
    unlock_store(s);
out:
    mlops_buf_dispose(&tag);
    mlops_package_report_free(rep);
    return rc;
}

/* ---- names -------------------------------------------------------------- */

int mlops_store_resolve(char **out, mlops_store *s, const char *reference)
{
    MLOPS__CHECK_ARG(out);
    MLOPS__CHECK_ARG(s);
    MLOPS__CHECK_ARG(reference);
    int rc = load_index(s, 0);
    if (rc)
        return rc;
    entry *e = find_entry(s, reference, KIND_MODEL);
    if (!e)
        return mlops__error_at(MLOPS_E_NOTFOUND, -1, 0, 0, reference, "%s: no \"%s\" in the store",
                               s->root, reference);
    char d[MLOPS_DIGEST_STRING_SIZE];
    mlops_digest_format(d, e->d);
    *out = mlops__strdup(d);
    return *out ? 0 : mlops__error_nomem();
}

static int alias_ok(const char *alias)
{
    if (!*alias || strlen(alias) > 128 || mlops_semver_validate(alias) == 0)
        return 0;
    for (const char *c = alias; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
              *c == '-' || *c == '.' || *c == '_'))
            return 0;
    return 1;
}

static history *find_history(mlops_store *s, const char *key)
{
    for (size_t i = 0; i < s->nh; i++)
        if (strcmp(s->h[i].key, key) == 0)
            return &s->h[i];
    return NULL;
}

int mlops_store_alias_set(mlops_store *s, const char *name, const char *alias,
                          const char *version)
{
    MLOPS__CHECK_ARG(s);
    MLOPS__CHECK_ARG(name);
    MLOPS__CHECK_ARG(alias);
    MLOPS__CHECK_ARG(version);
    if (!alias_ok(alias))
        return mlops__error(MLOPS_E_INVALID, "alias \"%.40s\" must be [A-Za-z0-9._-]+ and not "
                                             "a SemVer version", alias);
    mlops_buf tag = MLOPS_BUF_INIT, key = MLOPS_BUF_INIT;
    int rc = mlops__buf_printf(&tag, "%s:%s", name, version);
    if (!rc)
        rc = mlops__buf_printf(&key, "%s:%s", name, alias);
    if (!rc)
        rc = lock_store(s);
    if (rc)
        goto out;
    entry *t = find_entry(s, tag.data, KIND_MODEL);
    if (!t) {
        rc = mlops__error_at(MLOPS_E_NOTFOUND, -1, 0, 0, tag.data, "%s: no tag %s", s->root,
                             tag.data);
        goto unlock;
    }
    uint8_t d[32];
    memcpy(d, t->d, 32);
    uint64_t size = t->size;
    entry *a = find_entry(s, key.data, KIND_MODEL);
    if (a) {
        memcpy(a->d, d, 32);
        a->size = size;
    } else {
        rc = push_entry(s, key.data, KIND_MODEL, d, size);
    }
    history *h = rc ? NULL : find_history(s, key.data);
    if (!rc && !h) {
        h = history_add(s, key.data);
        if (!h)
            rc = MLOPS_E_NOMEM;
    }
    if (!rc)
        rc = history_push(h, version);
    /* the history first, its new line pending; then index.json, the commit.
     * Killed in between, the line is one index.json does not confirm, and
     * every reader ignores it (reconcile()). */
    if (!rc)
        rc = save_history(s);
    if (!rc)
        rc = save_index(s);
unlock:
    unlock_store(s);
out:
    mlops_buf_dispose(&tag);
    mlops_buf_dispose(&key);
    return rc;
}

static int is_tag(const char *ref)
{
    const char *colon = strrchr(ref, ':');
    return colon && mlops_semver_validate(colon + 1) == 0;
}

int mlops_store_tag_list(mlops_strlist **out, mlops_store *s, uint32_t flags)
{
    MLOPS__CHECK_ARG(out);
    MLOPS__CHECK_ARG(s);
    MLOPS__CHECK_FLAGS(flags, 0);
    int rc = load_index(s, 0);
    if (rc)
        return rc;
    mlops_strlist *l = mlops__strlist_new();
    if (!l)
        return MLOPS_E_NOMEM;
    /* in byte order: load_index() sorts the entries by reference */
    for (size_t i = 0; !rc && i < s->n; i++)
        if (s->e[i].kind == KIND_MODEL && is_tag(s->e[i].ref))
            rc = mlops__strlist_push(l, s->e[i].ref);
    if (rc) {
        mlops_strlist_free(l);
        return rc;
    }
    *out = l;
    return 0;
}

int mlops_store_alias_history_list(mlops_strlist **out, mlops_store *s, const char *name,
                                   const char *alias, uint32_t flags)
{
    MLOPS__CHECK_ARG(out);
    MLOPS__CHECK_ARG(s);
    MLOPS__CHECK_ARG(name);
    MLOPS__CHECK_ARG(alias);
    MLOPS__CHECK_FLAGS(flags, 0);
    mlops_buf key = MLOPS_BUF_INIT;
    int rc = mlops__buf_printf(&key, "%s:%s", name, alias);
    if (!rc)
        rc = load_index(s, 0);
    mlops_strlist *l = rc ? NULL : mlops__strlist_new();
    if (!rc && !l)
        rc = MLOPS_E_NOMEM;
    const history *h = rc ? NULL : find_history(s, key.data);
    for (size_t i = 0; h && !rc && i < h->n; i++)
        rc = mlops__strlist_push(l, h->versions[i]);
    mlops_buf_dispose(&key);
    if (rc) {
        mlops_strlist_free(l);
        return rc;
    }
    *out = l;
    return 0;
}

/* ---- reachability: gc and check ----------------------------------------- */

typedef struct digest_set {
    uint8_t (*d)[32];
    size_t n, cap;
} digest_set;

static int set_add(digest_set *set, const uint8_t d[32])
{
    for (size_t i = 0; i < set->n; i++)
        if (memcmp(set->d[i], d, 32) == 0)
            return 0;
    if (set->n == set->cap) {
        size_t cap = set->cap ? set->cap * 2 : 64;
        uint8_t(*g)[32] = mlops__reallocarray(set->d, cap, sizeof *g);
        if (!g)
            return mlops__error_nomem();
        set->d = g;
        set->cap = cap;
    }
    memcpy(set->d[set->n++], d, 32);
    return 0;
}

static int set_has(const digest_set *set, const uint8_t d[32])
{
    for (size_t i = 0; i < set->n; i++)
        if (memcmp(set->d[i], d, 32) == 0)
            return 1;
    return 0;
}

/* A blob's bytes, checked against its name. */
static int read_blob(mlops_store *s, const uint8_t d[32], mlops_buf *out)
{
    char h[65];
    mlops__hex(h, d, MLOPS_SHA256_SIZE);
    mlops_buf p = MLOPS_BUF_INIT;
    int rc = mlops__buf_printf(&p, "%s/blobs/sha256/%s", s->root, h);
    if (!rc)
        rc = read_file(out, p.data, META_MAX, NULL);
    uint8_t got[32];
    if (!rc)
        rc = mlops_digest_buffer(got, out->data ? out->data : "", out->size);
    if (!rc && memcmp(got, d, 32) != 0)
        rc = mlops__error_at(MLOPS_E_INTEGRITY, -1, 0, 0, p.data,
                             "%s does not hash to its name", p.data);
    mlops_buf_dispose(&p);
    return rc;
}

/* Everything a manifest reaches: itself, its config, its layers. */
static int reach(mlops_store *s, const uint8_t d[32], digest_set *set)
{
    int rc = set_add(set, d);
    mlops_buf b = MLOPS_BUF_INIT;
    mlops__json_doc *doc = NULL;
    if (!rc)
        rc = read_blob(s, d, &b);
    if (!rc) {
        mlops__json_limits lim = { 32, META_MAX };
        rc = mlops__json_parse(&doc, b.data ? b.data : "", b.size, &lim, "manifest");
    }
    if (rc)
        goto done;
    const mlops__json *root = mlops__json_root(doc);
    const mlops__json *cfg = mlops__json_type_of(root) == MLOPS__JSON_OBJECT
                                 ? mlops__json_object_find(root, "config")
                                 : NULL;
    const mlops__json *ls = cfg ? mlops__json_object_find(root, "layers") : NULL;
    uint8_t x[32];
    const char *cd = str_member(cfg, "digest");
    if (!cd || mlops_digest_parse(x, cd) != 0 || !ls ||
        mlops__json_type_of(ls) != MLOPS__JSON_ARRAY) {
        rc = mlops__error(MLOPS_E_SCHEMA, "%s: a stored manifest is malformed", s->root);
        goto done;
    }
    rc = set_add(set, x);
    for (size_t i = 0; !rc && i < mlops__json_array_size(ls); i++) {
        const char *ld = str_member(mlops__json_array_get(ls, i), "digest");
        if (!ld || mlops_digest_parse(x, ld) != 0)
            rc = mlops__error(MLOPS_E_SCHEMA, "%s: a stored manifest is malformed", s->root);
        else
            rc = set_add(set, x);
    }
done:
    mlops__json_doc_free(doc);
    mlops_buf_dispose(&b);
    return rc;
}

static int reachable(mlops_store *s, digest_set *set)
{
    int rc = 0;
    for (size_t i = 0; !rc && i < s->n; i++)
        rc = reach(s, s->e[i].d, set);
    return rc;
}

int mlops_store_gc(mlops_store *s, size_t *removed)
{
    MLOPS__CHECK_ARG(s);
    int rc = lock_store(s);
    if (rc)
        return rc;
    digest_set set = { NULL, 0, 0 };
    mlops_buf dir = MLOPS_BUF_INIT;
    size_t count = 0;
    rc = reachable(s, &set);
    if (!rc)
        rc = mlops__buf_printf(&dir, "%s/blobs/sha256", s->root);
    DIR *d = rc ? NULL : opendir(dir.data);
    if (!rc && !d)
        rc = mlops__error_at(MLOPS_E_IO, -1, 0, 0, dir.data, "%s: %s", dir.data, mlops__strerror(errno));
    struct dirent *e;
    while (!rc && (e = readdir(d)) != NULL) {
        uint8_t x[32];
        char full[80];
        if (e->d_name[0] == '.' && (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0))
            continue;
        snprintf(full, sizeof full, "sha256:%.70s", e->d_name);
        int is_blob = strlen(e->d_name) == 64 && mlops_digest_parse(x, full) == 0;
        /* unreferenced blobs, and temporaries a killed writer left */
        if ((is_blob && !set_has(&set, x)) || strncmp(e->d_name, ".tmp-", 5) == 0) {
            if (unlinkat(dirfd(d), e->d_name, 0) == 0)
                count++;
        }
    }
    if (d)
        closedir(d);
    if (!rc)
        rc = fsync_dir(dir.data);
    /* an alias history line index.json never confirmed goes; then the
     * temporary files of killed writers in the store's directory */
    if (!rc && s->repaired)
        rc = save_history(s);
    if (!rc)
        rc = remove_root_temps(s->root, &count);
    unlock_store(s);
    mlops__free(set.d);
    mlops_buf_dispose(&dir);
    if (!rc && removed)
        *removed = count;
    return rc;
}

int mlops_store_check(mlops_store *s)
{
    MLOPS__CHECK_ARG(s);
    int rc = load_index(s, 0);
    digest_set set = { NULL, 0, 0 };
    if (!rc)
        rc = reachable(s, &set);
    for (size_t i = 0; !rc && i < set.n; i++) {
        char h[65];
        mlops__hex(h, set.d[i], MLOPS_SHA256_SIZE);
        mlops_buf p = MLOPS_BUF_INIT;
        uint8_t got[32];
        rc = mlops__buf_printf(&p, "%s/blobs/sha256/%s", s->root, h);
        if (!rc) {
            rc = mlops_digest_file(got, p.data, NULL);
            if (rc == MLOPS_E_IO)
                rc = mlops__error_at(MLOPS_E_INTEGRITY, -1, 0, 0, p.data,
                                     "%s: blob %s is missing or unreadable", s->root, h);
        }
        if (!rc && memcmp(got, set.d[i], 32) != 0)
            rc = mlops__error_at(MLOPS_E_INTEGRITY, -1, 0, 0, p.data,
                                 "%s: blob %s does not hash to its name", s->root, h);
        mlops_buf_dispose(&p);
    }
    mlops__free(set.d);
    return rc;
}

/* ---- export --------------------------------------------------------------- */

/* Append a manifest's config and layers to the export list. With
 * `stop_after_first_layer`, only the config and the first layer (the
 * statement) go to the list and the other layers to `rest`, which the
 * export writes last. */
static int manifest_parts(mlops_store *s, const uint8_t d[32], mlops__layout_blob **list,
                          size_t *n, size_t *cap, int stop_after_first_layer, size_t *nrest,
                          mlops__layout_blob **rest)
{
    mlops_buf b = MLOPS_BUF_INIT;
    mlops__json_doc *doc = NULL;
    int rc = read_blob(s, d, &b);
    if (!rc) {
        mlops__json_limits lim = { 32, META_MAX };
        rc = mlops__json_parse(&doc, b.data ? b.data : "", b.size, &lim, "manifest");
    }
    if (rc)
        goto done;
    const mlops__json *root = mlops__json_root(doc);
    const mlops__json *cfg = mlops__json_type_of(root) == MLOPS__JSON_OBJECT
                                 ? mlops__json_object_find(root, "config")
                                 : NULL;
    const mlops__json *ls = cfg ? mlops__json_object_find(root, "layers") : NULL;
    size_t nl = ls && mlops__json_type_of(ls) == MLOPS__JSON_ARRAY ? mlops__json_array_size(ls)
                                                                   : 0;
    if (!nl) {
        rc = mlops__error(MLOPS_E_SCHEMA, "%s: a stored manifest is malformed", s->root);
        goto done;
    }
    if (*n + nl + 1 > *cap) {
        size_t c = *n + nl + 8;
        mlops__layout_blob *g = mlops__reallocarray(*list, c, sizeof *g);
        if (!g) {
            rc = mlops__error_nomem();
            goto done;
        }
        *list = g;
        *cap = c;
    }
    for (size_t i = 0; i <= nl && !rc; i++) {
        const mlops__json *desc = i == 0 ? cfg : mlops__json_array_get(ls, i - 1);
        const char *dg = str_member(desc, "digest");
        const mlops__json *sz = mlops__json_type_of(desc) == MLOPS__JSON_OBJECT
                                    ? mlops__json_object_find(desc, "size")
                                    : NULL;
        mlops__layout_blob lb;
        memset(&lb, 0, sizeof lb);
        if (!dg || mlops_digest_parse(lb.digest, dg) != 0 || !sz || !mlops__json_is_integer(sz) ||
            mlops__json_int(sz) < 0) {
            rc = mlops__error(MLOPS_E_SCHEMA, "%s: a stored manifest is malformed", s->root);
            break;
        }
        lb.size = (uint64_t)mlops__json_int(sz);
        if (i <= 1 || !stop_after_first_layer) {
            (*list)[(*n)++] = lb;
        } else {
            mlops__layout_blob *g = mlops__reallocarray(*rest, *nrest + 1, sizeof *g);
            if (!g) {
                rc = mlops__error_nomem();
                break;
            }
            *rest = g;
            (*rest)[(*nrest)++] = lb;
        }
    }
done:
    mlops__json_doc_free(doc);
    mlops_buf_dispose(&b);
    return rc;
}

int mlops_store_export(mlops_store *s, const char *reference, const char *out_path,
                       int64_t mtime, uint32_t flags)
{
    MLOPS__CHECK_ARG(s);
    MLOPS__CHECK_ARG(reference);
    MLOPS__CHECK_ARG(out_path);
    MLOPS__CHECK_FLAGS(flags, MLOPS_PACK_OVERWRITE);
    int rc = load_index(s, 0);
    if (rc)
        return rc;
    entry *m = find_entry(s, reference, KIND_MODEL);
    if (!m)
        return mlops__error_at(MLOPS_E_NOTFOUND, -1, 0, 0, reference,
                               "%s: no \"%s\" in the store", s->root, reference);
    /* the tag (an alias names the same manifest as some tag) and its referrer */
    const entry *tag = is_tag(m->ref) ? m : NULL;
    for (size_t i = 0; !tag && i < s->n; i++)
        if (s->e[i].kind == KIND_MODEL && is_tag(s->e[i].ref) && memcmp(s->e[i].d, m->d, 32) == 0)
            tag = &s->e[i];
    if (!tag)
        return mlops__error_at(MLOPS_E_NOTFOUND, -1, 0, 0, reference,
                               "%s: \"%s\" names no tagged version", s->root, reference);
    const entry *sig = find_entry(s, tag->ref, KIND_SIGNATURE);
    mlops__layout_blob *list = NULL, *rest = NULL;
    size_t n = 0, cap = 0, nrest = 0;
    mlops_buf index = MLOPS_BUF_INIT;
    mlops__layout_blob mb;
    memset(&mb, 0, sizeof mb);
    memcpy(mb.digest, m->d, 32);
    mb.size = m->size;
    list = mlops__calloc(8, sizeof *list);
    if (!list)
        return mlops__error_nomem();
    cap = 8;
    list[n++] = mb;
    /* model manifest, config, statement; then the referrer, its config, the
     * envelope; then the file layers: the packer's order */
    rc = manifest_parts(s, m->d, &list, &n, &cap, 1, &nrest, &rest);
    if (!rc && sig) {
        if (n + 1 > cap) {
            mlops__layout_blob *g = mlops__reallocarray(list, cap + 8, sizeof *g);
            if (!g)
                rc = mlops__error_nomem();
            else {
                list = g;
                cap += 8;
            }
        }
        if (!rc) {
            mlops__layout_blob rb;
            memset(&rb, 0, sizeof rb);
            memcpy(rb.digest, sig->d, 32);
            rb.size = sig->size;
            list[n++] = rb;
            rc = manifest_parts(s, sig->d, &list, &n, &cap, 0, NULL, NULL);
        }
    }
    if (!rc && n + nrest > cap) {
        mlops__layout_blob *g = mlops__reallocarray(list, n + nrest, sizeof *g);
        if (!g)
            rc = mlops__error_nomem();
        else
            list = g;
    }
    for (size_t i = 0; !rc && i < nrest; i++)
        list[n++] = rest[i];
    /* every blob's file name */
    char **paths = rc ? NULL : mlops__calloc(n ? n : 1, sizeof *paths);
    if (!rc && !paths)
        rc = mlops__error_nomem();
    for (size_t i = 0; !rc && i < n; i++) {
        char h[65];
        mlops__hex(h, list[i].digest, MLOPS_SHA256_SIZE);
        mlops_buf p = MLOPS_BUF_INIT;
        rc = mlops__buf_printf(&p, "%s/blobs/sha256/%s", s->root, h);
        if (!rc) {
            paths[i] = mlops__buf_detach(&p);
            if (!paths[i])
                rc = mlops__error_nomem();
            list[i].path = paths[i];
        }
        mlops_buf_dispose(&p);
    }
    const char *colon = strrchr(tag->ref, ':');
    if (!rc)
        rc = mlops__layout_index(&index, colon + 1, m->d, m->size, sig != NULL,
                                 sig ? sig->d : m->d, sig ? sig->size : 0);
    if (!rc) {
        mlops_pack_options po = MLOPS_PACK_OPTIONS_INIT;
        po.mtime = mtime;
        rc = mlops__layout_write(out_path, (flags & MLOPS_PACK_OVERWRITE) != 0,
                                 mlops__pack_mtime(&po), &index, list, n);
    }
    for (size_t i = 0; paths && i < n; i++)
        mlops__free(paths[i]);
    mlops__free(paths);
    mlops__free(list);
    mlops__free(rest);
    mlops_buf_dispose(&index);
    return rc;
}

/* ---- an OCI layout from elsewhere back to a package ----------------------- */

int mlops_layout_export(const char *layout_dir, const char *reference, const char *envelope,
                        size_t envelope_len, const char *out_path, int64_t mtime,
                        uint32_t flags)
{
    MLOPS__CHECK_ARG(layout_dir);
    MLOPS__CHECK_ARG(reference);
    MLOPS__CHECK_ARG(out_path);
    if (envelope_len)
        MLOPS__CHECK_ARG(envelope);
    MLOPS__CHECK_FLAGS(flags, MLOPS_PACK_OVERWRITE);
    /* a read-only view of the directory through the store's blob helpers */
    mlops_store view;
    memset(&view, 0, sizeof view);
    view.root = (char *)(uintptr_t)layout_dir;
    view.lock_fd = -1;
    mlops_buf path = MLOPS_BUF_INIT, text = MLOPS_BUF_INIT, stmt = MLOPS_BUF_INIT;
    mlops_buf mbytes = MLOPS_BUF_INIT, ref = MLOPS_BUF_INIT, index = MLOPS_BUF_INIT;
    mlops__json_doc *doc = NULL, *mdoc = NULL;
    mlops_manifest *m = NULL;
    mlops__layout_blob *list = NULL, *rest = NULL;
    size_t n = 0, cap = 0, nrest = 0;
    char **paths = NULL;
    uint8_t md[32], sd[32], rd[32], ed[32];
    uint64_t msize = 0;
    int found = 0;
    int rc = path_join(&path, layout_dir, "index.json");
    if (!rc)
        rc = read_file(&text, path.data, META_MAX, NULL);
    if (!rc) {
        mlops__json_limits lim = { 16, META_MAX };
        rc = mlops__json_parse(&doc, text.data ? text.data : "", text.size, &lim, path.data);
    }
    if (rc)
        goto done;
    const mlops__json *ms = mlops__json_type_of(mlops__json_root(doc)) == MLOPS__JSON_OBJECT
                                ? mlops__json_object_find(mlops__json_root(doc), "manifests")
                                : NULL;
    for (size_t i = 0; ms && mlops__json_type_of(ms) == MLOPS__JSON_ARRAY &&
                       i < mlops__json_array_size(ms) && !found;
         i++) {
        const mlops__json *d = mlops__json_array_get(ms, i);
        const mlops__json *ann = mlops__json_type_of(d) == MLOPS__JSON_OBJECT
                                     ? mlops__json_object_find(d, "annotations")
                                     : NULL;
        const char *r = str_member(ann, REF_KEY), *dg = str_member(d, "digest");
        const mlops__json *sz = mlops__json_object_find(d, "size");
        if (r && strcmp(r, reference) == 0 && dg && mlops_digest_parse(md, dg) == 0 && sz &&
            mlops__json_is_integer(sz) && mlops__json_int(sz) >= 0) {
            msize = (uint64_t)mlops__json_int(sz);
            found = 1;
        }
    }
    if (!found) {
        rc = mlops__error_at(MLOPS_E_NOTFOUND, -1, 0, 0, reference,
                             "%s: no manifest named \"%s\" in index.json", layout_dir, reference);
        goto done;
    }
    /* the statement (first layer) gives the version the package's index names */
    rc = read_blob(&view, md, &mbytes);
    if (!rc) {
        mlops__json_limits lim = { 32, META_MAX };
        rc = mlops__json_parse(&mdoc, mbytes.data, mbytes.size, &lim, "model manifest");
    }
    if (rc)
        goto done;
    const mlops__json *ls = mlops__json_type_of(mlops__json_root(mdoc)) == MLOPS__JSON_OBJECT
                                ? mlops__json_object_find(mlops__json_root(mdoc), "layers")
                                : NULL;
    const char *sdg = ls && mlops__json_type_of(ls) == MLOPS__JSON_ARRAY &&
                              mlops__json_array_size(ls) > 0
                          ? str_member(mlops__json_array_get(ls, 0), "digest")
                          : NULL;
    if (!sdg || mlops_digest_parse(sd, sdg) != 0) {
        rc = mlops__error(MLOPS_E_SCHEMA, "%s: the model manifest has no statement layer",
                          layout_dir);
        goto done;
    }
    rc = read_blob(&view, sd, &stmt);
    if (!rc)
        rc = mlops_manifest_parse(&m, stmt.data, stmt.size, NULL);
    if (rc)
        goto done;
    list = mlops__calloc(8, sizeof *list);
    if (!list) {
        rc = mlops__error_nomem();
        goto done;
    }
    cap = 8;
    memcpy(list[0].digest, md, 32);
    list[0].size = msize;
    n = 1;
    rc = manifest_parts(&view, md, &list, &n, &cap, 1, &nrest, &rest);
    if (!rc && envelope) {
        rc = mlops_digest_buffer(ed, envelope, envelope_len);
        if (!rc)
            rc = mlops__layout_referrer(&ref, rd, md, msize, ed, envelope_len);
        mlops__layout_blob *g = rc ? NULL : mlops__reallocarray(list, n + 3, sizeof *g);
        if (!rc && !g)
            rc = mlops__error_nomem();
        if (!rc) {
            list = g;
            cap = n + 3;
            mlops__layout_blob extra[3];
            memset(extra, 0, sizeof extra);
            memcpy(extra[0].digest, rd, 32);
            extra[0].size = ref.size;
            extra[0].data = ref.data;
            memcpy(extra[1].digest, mlops__oci_empty_digest, 32);
            extra[1].size = 2;
            extra[1].data = "{}";
            memcpy(extra[2].digest, ed, 32);
            extra[2].size = envelope_len;
            extra[2].data = envelope;
            for (int k = 0; k < 3; k++)
                list[n++] = extra[k];
        }
    }
    if (!rc && n + nrest > cap) {
        mlops__layout_blob *g = mlops__reallocarray(list, n + nrest, sizeof *g);
        if (!g)
            rc = mlops__error_nomem();
        else
            list = g;
    }
    for (size_t i = 0; !rc && i < nrest; i++)
        list[n++] = rest[i];
    paths = rc ? NULL : mlops__calloc(n ? n : 1, sizeof *paths);
    if (!rc && !paths)
        rc = mlops__error_nomem();
    for (size_t i = 0; !rc && i < n; i++) {
        if (list[i].data)
            continue;
        char h[65];
        mlops__hex(h, list[i].digest, MLOPS_SHA256_SIZE);
        mlops_buf p = MLOPS_BUF_INIT;
        rc = mlops__buf_printf(&p, "%s/blobs/sha256/%s", layout_dir, h);
        if (!rc) {
            paths[i] = mlops__buf_detach(&p);
            if (!paths[i])
                rc = mlops__error_nomem();
            list[i].path = paths[i];
        }
        mlops_buf_dispose(&p);
    }
    if (!rc)
        rc = mlops__layout_index(&index, mlops_manifest_version(m), md, msize, envelope != NULL,
                                 rd, ref.size);
    if (!rc) {
        mlops_pack_options po = MLOPS_PACK_OPTIONS_INIT;
        po.mtime = mtime;
        rc = mlops__layout_write(out_path, (flags & MLOPS_PACK_OVERWRITE) != 0,
                                 mlops__pack_mtime(&po), &index, list, n);
    }
done:
    for (size_t i = 0; paths && i < n; i++)
        mlops__free(paths[i]);
    mlops__free(paths);
    mlops__free(list);
    mlops__free(rest);
    mlops_manifest_free(m);
    mlops__json_doc_free(doc);
    mlops__json_doc_free(mdoc);
    mlops_buf_dispose(&path);
    mlops_buf_dispose(&text);
    mlops_buf_dispose(&stmt);
    mlops_buf_dispose(&mbytes);
    mlops_buf_dispose(&ref);
    mlops_buf_dispose(&index);
    return rc;
}
