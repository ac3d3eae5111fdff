/*
 * The store's index.json (its tags, aliases and signature referrers) and
 * mlops-store.json (the alias history): loaded, checked against each other,
 * looked up, and saved by write-fsync-rename.
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
#include "artifact/store_impl.h"
#include "core/alloc.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/hex.h"
#include "core/io.h"
#include "core/json.h"
#include "core/strlist.h"
#include "mlops/semver.h"
#include "mlops/store.h"

/* ---- loading and saving the index and the alias history ------------------ */

void mlops__store_entries_free(mlops_store *s)
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

const char *mlops__store_str(const mlops__json *o, const char *k)
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

int mlops__store_index_parse(mlops__json_doc **doc, const mlops__json **manifests,
                             const mlops_buf *text, const char *path)
{
    mlops__json_limits lim = { 16, META_MAX };
    *manifests = NULL;
    int rc = mlops__json_parse(doc, text->data ? text->data : "", text->size, &lim, path);
    if (rc)
        return rc;
    const mlops__json *root = mlops__json_root(*doc);
    const mlops__json *ms = mlops__json_type_of(root) == MLOPS__JSON_OBJECT
                                ? mlops__json_object_find(root, "manifests")
                                : NULL;
    if (ms && mlops__json_type_of(ms) == MLOPS__JSON_ARRAY)
        *manifests = ms;
    return 0;
}

int mlops__store_index_descriptor(const mlops__json *d, uint8_t digest[32], uint64_t *size,
                                  const char **ref, const char **subject,
                                  const char **artifact_type)
{
    const mlops__json *ann = mlops__json_type_of(d) == MLOPS__JSON_OBJECT
                                 ? mlops__json_object_find(d, "annotations")
                                 : NULL;
    const char *dg = mlops__store_str(d, "digest");
    const mlops__json *sz = mlops__json_type_of(d) == MLOPS__JSON_OBJECT
                                ? mlops__json_object_find(d, "size")
                                : NULL;
    *ref = mlops__store_str(ann, REF_KEY);
    *subject = mlops__store_str(ann, SUBJECT_KEY);
    *artifact_type = mlops__store_str(d, "artifactType");
    if (!dg || !sz || !mlops__json_is_integer(sz) || mlops__json_int(sz) < 0 ||
        mlops_digest_parse(digest, dg) != 0)
        return -1;
    *size = (uint64_t)mlops__json_int(sz);
    return 0;
}

/* The entries of index.json (`text`, read from `path`). */
static int parse_index(mlops_store *s, const mlops_buf *text, const char *path)
{
    mlops__json_doc *doc = NULL;
    const mlops__json *ms = NULL;
    int rc = mlops__store_index_parse(&doc, &ms, text, path);
    if (rc)
        goto done;
    if (!ms) {
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
        const char *ref, *subj, *at;
        entry *e = &s->e[s->n];
        if (mlops__store_index_descriptor(mlops__json_array_get(ms, i), e->d, &e->size, &ref,
                                          &subj, &at) != 0 ||
            !at || (!ref && !subj)) {
            rc = mlops__error_at(MLOPS_E_SCHEMA, -1, 0, 0, path,
                                 "%s: manifests[%zu] is not a store entry", path, i);
            goto done;
        }
        e->kind = strcmp(at, MLOPS__MT_DSSE) == 0 ? KIND_SIGNATURE : KIND_MODEL;
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


/* The tag ("name:version") of the model whose name is the first `nlen`
 * bytes of `name` that names manifest `d`, or NULL. */
static const entry *tag_of(mlops_store *s, const char *name, size_t nlen, const uint8_t d[32])
{
    for (size_t i = 0; i < s->n; i++) {
        const entry *e = &s->e[i];
        if (e->kind == KIND_MODEL && strncmp(e->ref, name, nlen) == 0 && e->ref[nlen] == ':' &&
            mlops__store_is_tag(e->ref) && memcmp(e->d, d, 32) == 0)
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
            strcmp(e->ref + nlen + 1, version) == 0 && mlops__store_is_tag(e->ref))
            return memcmp(e->d, d, 32) == 0;
    }
    return 0;
}

int mlops__store_history_push(history *h, const char *version)
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
history *mlops__store_history_add(mlops_store *s, const char *key)
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
int mlops__store_reconcile(mlops_store *s)
{
    for (size_t i = 0; i < s->nh; i++) {
        history *h = &s->h[i];
        const entry *a = mlops__store_find_entry(s, h->key, KIND_MODEL);
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
        int rc = mlops__store_history_push(h, t->ref + nlen + 1);
        if (rc)
            return rc;
    }
    /* an alias in index.json without any history (an older library killed
     * before its first history line) */
    for (size_t i = 0; i < s->n; i++) {
        const entry *a = &s->e[i];
        const char *colon = strrchr(a->ref, ':');
        if (a->kind != KIND_MODEL || !colon || mlops__store_is_tag(a->ref) ||
            mlops__store_find_history(s, a->ref))
            continue;
        size_t nlen = (size_t)(colon - a->ref);
        const entry *t = tag_of(s, a->ref, nlen, a->d);
        if (!t)
            return mlops__error_at(MLOPS_E_SCHEMA, -1, 0, 0, a->ref,
                                   "%s: alias %s names a manifest that no version of the "
                                   "model names", s->root, a->ref);
        history *h = mlops__store_history_add(s, a->ref);
        int rc = h ? mlops__store_history_push(h, t->ref + nlen + 1) : MLOPS_E_NOMEM;
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
int mlops__store_load_index(mlops_store *s, int locked)
{
    mlops_buf ipath = MLOPS_BUF_INIT, hpath = MLOPS_BUF_INIT;
    mlops_buf text = MLOPS_BUF_INIT, htext = MLOPS_BUF_INIT, again = MLOPS_BUF_INIT;
    int missing = 0;
    mlops__store_entries_free(s);
    int rc = mlops__store_path_join(&ipath, s->root, "index.json");
    if (!rc)
        rc = mlops__store_path_join(&hpath, s->root, "mlops-store.json");
    for (int attempt = 0; !rc; attempt++) {
        mlops__buf_clear(&text);
        mlops__buf_clear(&htext);
        mlops__buf_clear(&again);
        rc = mlops__store_read_file(&text, ipath.data, META_MAX, NULL);
        if (!rc)
            rc = mlops__store_read_file(&htext, hpath.data, META_MAX, &missing);
        if (rc || locked || attempt == 16)
            break;
        rc = mlops__store_read_file(&again, ipath.data, META_MAX, NULL);
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
        rc = mlops__store_reconcile(s);
    if (rc)
        mlops__store_entries_free(s);
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
        rc = mlops__store_replace_file(root, rel, out.data, out.size);
    mlops_buf_dispose(&out);
    return rc;
}

int mlops__store_save_index(mlops_store *s)
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

int mlops__store_save_history(mlops_store *s)
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

/* ---- looking up and adding entries ------------------------------------- */

entry *mlops__store_find_entry(mlops_store *s, const char *ref, int kind)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->e[i].kind == kind && strcmp(s->e[i].ref, ref) == 0)
            return &s->e[i];
    return NULL;
}

int mlops__store_push_entry(mlops_store *s, const char *ref, int kind, const uint8_t d[32],
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

history *mlops__store_find_history(mlops_store *s, const char *key)
{
    for (size_t i = 0; i < s->nh; i++)
        if (strcmp(s->h[i].key, key) == 0)
            return &s->h[i];
    return NULL;
}

int mlops__store_is_tag(const char *ref)
{
    const char *colon = strrchr(ref, ':');
    return colon && mlops_semver_validate(colon + 1) == 0;
}
