/*
 * Manifests from bytes: strict JSON, then the v1 schema field by field, each
 * fault named by its JSON path.
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * Over 900 lines, kept whole on purpose: it reads the schema of
 * docs/formats/manifest-v1.md section by section (files, datasets,
 * parameters and metrics, predicate and statement), each through the same
 * static helpers that name a fault by its JSON path; validation, building,
 * writing and diffing are files of their own.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "artifact/manifest.h"
#include "core/alloc.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/options.h"
#include "mlops/semver.h"

/* Where the loader is, kept as pointers and indexes: formatting a JSON path
 * costs a printf per segment, so the text is made only when there is a
 * fault to report. */
#define MAX_SEGMENTS 24

typedef struct segment {
    const char *key; /* NULL for an array index */
    size_t index;
} segment;

typedef struct loader {
    segment segs[MAX_SEGMENTS];
    size_t depth;
    mlops_manifest *m;
    const char *data; /* the input, for line and column; may be NULL */
    size_t len;
    const char *prev_path; /* the previous file's path, for the order check */
    size_t prev_len;
    size_t file_index; /* the file being loaded */
} loader;

static void pk(loader *l, const char *key)
{
    if (l->depth < MAX_SEGMENTS) {
        l->segs[l->depth].key = key;
        l->segs[l->depth].index = 0;
    }
    l->depth++;
}

static void pi(loader *l, size_t index)
{
    if (l->depth < MAX_SEGMENTS) {
        l->segs[l->depth].key = NULL;
        l->segs[l->depth].index = index;
    }
    l->depth++;
}

static void pop(loader *l) { l->depth--; }

/* Record `code` at value `v` and the loader's current path. */
static int fault(loader *l, int code, const mlops__json *v, const char *fmt, ...)
    MLOPS__PRINTF(4, 5);

static int fault(loader *l, int code, const mlops__json *v, const char *fmt, ...)
{
    mlops__json_path path;
    mlops__json_path_init(&path);
    for (size_t i = 0; i < l->depth && i < MAX_SEGMENTS; i++) {
        if (l->segs[i].key)
            mlops__json_path_push_key(&path, l->segs[i].key);
        else
            mlops__json_path_push_index(&path, l->segs[i].index);
    }
    char detail[384];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    int64_t offset = -1;
    uint32_t line = 0, column = 0;
    if (v && l->data) {
        size_t off = mlops__json_offset(v);
        if (off < l->len) {
            offset = (int64_t)off;
            line = 1;
            size_t line_start = 0;
            for (size_t i = 0; i < off; i++) {
                if (l->data[i] == '\n') {
                    line++;
                    line_start = i + 1;
                }
            }
            column = (uint32_t)(off - line_start + 1);
        }
    }
    if (offset >= 0)
        return mlops__error_at(code, offset, line, column, path.text,
                               "manifest: %s: %s (line %u, column %u)", path.text, detail,
                               (unsigned)line, (unsigned)column);
    return mlops__error_at(code, offset, 0, 0, path.text, "manifest: %s: %s",
                           path.text, detail);
}

static const char *type_name(const mlops__json *v)
{
    switch (mlops__json_type_of(v)) {
    case MLOPS__JSON_NULL: return "null";
    case MLOPS__JSON_FALSE:
    case MLOPS__JSON_TRUE: return "a boolean";
    case MLOPS__JSON_NUMBER: return "a number";
    case MLOPS__JSON_STRING: return "a string";
    case MLOPS__JSON_ARRAY: return "an array";
    case MLOPS__JSON_OBJECT: return "an object";
    }
    return "an unknown value";
}

static int expect(loader *l, const mlops__json *v, mlops__json_type t, const char *what)
{
    if (mlops__json_type_of(v) != t)
        return fault(l, MLOPS_E_SCHEMA, v, "expected %s, found %s", what, type_name(v));
    return 0;
}

/* A key with U+0000 would compare equal to a known name in C and hide a
 * member from every accessor: never accepted. */
static int nul_key(loader *l, const mlops__json *obj, const char *k)
{
    return fault(l, MLOPS_E_SCHEMA, obj, "member key \"%.64s\\u0000...\" contains U+0000", k);
}

static int check_keys(loader *l, const mlops__json *obj, const char *const *allowed)
{
    if (mlops__json_type_of(obj) != MLOPS__JSON_OBJECT)
        return fault(l, MLOPS_E_SCHEMA, obj, "expected an object, found %s", type_name(obj));
    size_t n = mlops__json_object_size(obj);
    for (size_t i = 0; i < n; i++) {
        const mlops__json *kn = mlops__json_object_key_node(obj, i);
        size_t klen = 0;
        const char *k = mlops__json_string(kn, &klen);
        if (!mlops__json_string_plain(kn) && strlen(k) != klen)
            return nul_key(l, obj, k);
        int known = 0;
        for (const char *const *a = allowed; *a; a++) {
            if (strcmp(*a, k) == 0) {
                known = 1;
                break;
            }
        }
        if (!known) {
            pk(l, k);
            return fault(l, MLOPS_E_SCHEMA, mlops__json_object_value(obj, i),
                         "unknown field \"%.64s\" (free-form data belongs in annotations)",
                         k);
        }
    }
    return 0;
}

/*
 * Sort the members of `obj` into `slots` by their position in `names`
 * (NULL-terminated): one pass instead of a key check plus a lookup per field,
 * which matters at 100,000 files. An unknown member is a fault naming it.
 */
static int members(loader *l, const mlops__json *obj, const char *const *names,
                   const mlops__json **slots)
{
    if (mlops__json_type_of(obj) != MLOPS__JSON_OBJECT)
        return fault(l, MLOPS_E_SCHEMA, obj, "expected an object, found %s", type_name(obj));
    size_t nn = 0;
    while (names[nn])
        slots[nn++] = NULL;
    size_t n = mlops__json_object_size(obj);
    for (size_t i = 0; i < n; i++) {
        const char *k = NULL;
        size_t klen = 0;
        int plain = 0;
        const mlops__json *val = mlops__json_object_member(obj, i, &k, &klen, &plain);
        if (!plain && strlen(k) != klen)
            return nul_key(l, obj, k);
        /* k has no NUL before k[klen]: the comparison stops at the end of
         * the shorter string. */
        size_t j = 0;
        for (; j < nn; j++) {
            const char *a = names[j];
            if (a[0] != k[0])
                continue;
            size_t q = 1;
            while (q < klen && a[q] == k[q])
                q++;
            if (q == klen && a[q] == '\0')
                break;
        }
        if (j == nn) {
            pk(l, k);
            return fault(l, MLOPS_E_SCHEMA, val,
                         "unknown field \"%.64s\" (free-form data belongs in annotations)",
                         k);
        }
        slots[j] = val;
    }
    return 0;
}

/* A string value of at most `max` bytes, valid UTF-8 without NUL. */
static int string_value(loader *l, const char **out, const mlops__json *v, size_t max,
                        int allow_empty)
{
    int rc = expect(l, v, MLOPS__JSON_STRING, "a string");
    if (rc)
        return rc;
    size_t len = 0;
    const char *s = mlops__json_string(v, &len);
    if (!mlops__json_string_plain(v) && strlen(s) != len)
        return fault(l, MLOPS_E_SCHEMA, v, "string contains U+0000");
    if (len > max)
        return fault(l, MLOPS_E_LIMIT, v, "string of %zu bytes is longer than the %zu allowed",
                     len, max);
    if (!allow_empty && len == 0)
        return fault(l, MLOPS_E_SCHEMA, v, "must not be empty");
    *out = s;
    return 0;
}

/* Member `key` of `obj` as a string; *out stays NULL when absent and optional. */
/* Member `key` of `obj`, already looked up as `v` (NULL when absent). */
static int string_at(loader *l, const char **out, const mlops__json *obj, const char *key,
                     const mlops__json *v, int required, size_t max)
{
    if (!v) {
        if (required)
            return fault(l, MLOPS_E_SCHEMA, obj, "missing required field \"%s\"", key);
        return 0;
    }
    pk(l, key);
    int rc = string_value(l, out, v, max, 0);
    if (!rc)
        pop(l);
    return rc;
}

static int string_field(loader *l, const char **out, const mlops__json *obj, const char *key,
                        int required, size_t max)
{
    return string_at(l, out, obj, key, mlops__json_object_find(obj, key), required, max);
}

/* {"sha256": "<64 hex>"} and nothing else. */
static int digest_at(loader *l, const char **out, const mlops__json *obj, const char *key,
                     const mlops__json *v, int required)
{
    static const char *const keys[] = {"sha256", NULL};
    if (!v) {
        if (required)
            return fault(l, MLOPS_E_SCHEMA, obj, "missing required field \"%s\"", key);
        return 0;
    }
    pk(l, key);
    const mlops__json *slot[1];
    int rc = members(l, v, keys, slot);
    if (rc)
        return rc;
    const char *hex = NULL;
    rc = string_at(l, &hex, v, "sha256", slot[0], 1, 64);
    if (rc)
        return rc;
    size_t hex_len = 0;
    mlops__json_string(slot[0], &hex_len);
    if (hex_len != 64 || !mlops__manifest_hex_run(hex, 64)) {
        pk(l, "sha256");
        return fault(l, MLOPS_E_SCHEMA, slot[0], "expected 64 lowercase hex digits");
    }
    pop(l);
    *out = hex;
    return 0;
}

static int digest_field(loader *l, const char **out, const mlops__json *obj, const char *key,
                        int required)
{
    return digest_at(l, out, obj, key, mlops__json_object_find(obj, key), required);
}

/*
 * A non-negative integer written as plain digits, at most 2^53-1: read from
 * the number's source text in one pass (sizes are on every file).
 */
static int size_value(loader *l, uint64_t *out, const mlops__json *v, const char *what)
{
    int rc = expect(l, v, MLOPS__JSON_NUMBER, "a number");
    if (rc)
        return rc;
    size_t n = 0;
    const char *t = mlops__json_number_text(v, &n);
    uint64_t x = 0;
    size_t i = 0;
    while (t && i < n && i < 17 && t[i] >= '0' && t[i] <= '9')
        x = x * 10 + (uint64_t)(t[i++] - '0');
    if (!t || n == 0 || i != n || x > MLOPS_MANIFEST_MAX_SIZE)
        return fault(l, MLOPS_E_SCHEMA, v,
                     "%s must be an integer from 0 to 2^53-1 written without sign, fraction "
                     "or exponent",
                     what);
    *out = x;
    return 0;
}

static int size_at(loader *l, uint64_t *out, const mlops__json *obj, const char *key,
                   const mlops__json *v)
{
    if (!v)
        return fault(l, MLOPS_E_SCHEMA, obj, "missing required field \"%s\"", key);
    pk(l, key);
    int rc = size_value(l, out, v, key);
    if (!rc)
        pop(l);
    return rc;
}

static int size_field(loader *l, uint64_t *out, const mlops__json *obj, const char *key)
{
    return size_at(l, out, obj, key, mlops__json_object_find(obj, key));
}

/* ---- files ------------------------------------------------------------- */

static int load_shards(loader *l, mlops__mf_file *f, const mlops__json *file)
{
    static const char *const keys[] = {"offset", "size", "digest", NULL};
    const mlops__json *shards = mlops__json_object_find(file, "shards");
    const mlops__json *ssize = mlops__json_object_find(file, "shardSize");
    if (!shards && !ssize)
        return 0;
    if (!shards || !ssize)
        return fault(l, MLOPS_E_SCHEMA, file,
                     "\"shards\" and \"shardSize\" must be given together");
    pk(l, "shardSize");
    int rc = size_value(l, &f->shard_size, ssize, "shardSize");
    if (rc)
        return rc;
    if (f->shard_size == 0)
        return fault(l, MLOPS_E_SCHEMA, ssize, "shardSize must be at least 1");
    pop(l);

    pk(l, "shards");
    rc = expect(l, shards, MLOPS__JSON_ARRAY, "an array");
    if (rc)
        return rc;
    size_t n = mlops__json_array_size(shards);
    uint64_t want = f->size / f->shard_size + (f->size % f->shard_size != 0);
    if (want == 0)
        return fault(l, MLOPS_E_SCHEMA, shards, "an empty file has no shards");
    if ((uint64_t)n != want)
        return fault(l, MLOPS_E_SCHEMA, shards,
                     "a file of %llu bytes in shards of %llu has %llu shards, found %zu",
                     (unsigned long long)f->size, (unsigned long long)f->shard_size,
                     (unsigned long long)want, n);
    for (size_t j = 0; j < n; j++) {
        const mlops__json *s = mlops__json_array_get(shards, j);
        pi(l, j);
        rc = check_keys(l, s, keys);
        if (rc)
            return rc;
        uint64_t off = 0, sz = 0;
        const char *hex = NULL;
        if ((rc = size_field(l, &off, s, "offset")) || (rc = size_field(l, &sz, s, "size")) ||
            (rc = digest_field(l, &hex, s, "digest", 1)))
            return rc;
        uint64_t want_off = (uint64_t)j * f->shard_size;
        uint64_t want_size = f->size - want_off < f->shard_size ? f->size - want_off
                                                                  : f->shard_size;
        if (off != want_off || sz != want_size)
            return fault(l, MLOPS_E_SCHEMA, s,
                         "shard %zu must cover offset %llu, size %llu; found offset %llu, "
                         "size %llu",
                         j, (unsigned long long)want_off, (unsigned long long)want_size,
                         (unsigned long long)off, (unsigned long long)sz);
        pop(l);
    }
    pop(l);
    f->shards = shards;
    return 0;
}

enum { F_PATH, F_SIZE, F_DIGEST, F_MEDIA, F_ROLE, F_SHARDS, F_SHARD_SIZE, F_COUNT };

static int load_file(loader *l, mlops__mf_file *f, const mlops__json *file)
{
    static const char *const keys[] = {"path",  "size",   "digest",    "mediaType",
                                       "role",  "shards", "shardSize", NULL};
    const mlops__json *slot[F_COUNT];
    int rc = members(l, file, keys, slot);
    if (rc)
        return rc;
    const mlops__json *pv = slot[F_PATH];
    if (!pv)
        return fault(l, MLOPS_E_SCHEMA, file, "missing required field \"path\"");
    pk(l, "path");
    rc = expect(l, pv, MLOPS__JSON_STRING, "a string");
    if (rc)
        return rc;
    f->path = mlops__json_string(pv, &f->path_len);
    if (f->path_len > MLOPS_MANIFEST_MAX_PATH)
        return fault(l, MLOPS_E_LIMIT, pv, "path of %zu bytes is longer than the %d allowed",
                     f->path_len, MLOPS_MANIFEST_MAX_PATH);
    const char *why = NULL;
    size_t at = 0;
    if (mlops__manifest_path_rules(f->path, f->path_len, &why, &at))
        return fault(l, MLOPS_E_SCHEMA, pv, "unsafe path \"%.200s\": %s at byte %zu", f->path,
                     why, at);
    pop(l);
    mlops__manifest_note_path(l->m, l->prev_path, l->prev_len, f->path, f->path_len,
                              l->file_index);
    l->prev_path = f->path;
    l->prev_len = f->path_len;
    if ((rc = size_at(l, &f->size, file, "size", slot[F_SIZE])) ||
        (rc = digest_at(l, &f->sha256, file, "digest", slot[F_DIGEST], 1)) ||
        (rc = string_at(l, &f->media_type, file, "mediaType", slot[F_MEDIA], 0,
                        MLOPS__MF_MAX_SHORT)) ||
        (rc = string_at(l, &f->role, file, "role", slot[F_ROLE], 0, MLOPS__MF_MAX_SHORT)))
        return rc;
    if (!slot[F_SHARDS] && !slot[F_SHARD_SIZE])
        return 0;
    return load_shards(l, f, file);
}

static int load_files(loader *l, const mlops__json *pred)
{
    const mlops__json *files = mlops__json_object_find(pred, "files");
    if (!files)
        return fault(l, MLOPS_E_SCHEMA, pred, "missing required field \"files\"");
    pk(l, "files");
    int rc = expect(l, files, MLOPS__JSON_ARRAY, "an array");
    if (rc)
        return rc;
    size_t n = mlops__json_array_size(files);
    if ((rc = mlops__manifest_info_start(l->m, n)))
        return rc;
    for (size_t i = 0; i < n; i++) {
        mlops__mf_file f;
        memset(&f, 0, sizeof f);
        l->file_index = i;
        pi(l, i);
        rc = load_file(l, &f, mlops__json_array_get(files, i));
        if (rc)
            return rc;
        mlops__manifest_info_file(l->m, i, &f);
        pop(l);
    }
    pop(l);
    l->m->files_node = files;
    l->m->n_files = n;
    l->m->paths_noted = 1;
    return 0;
}

/* ---- datasets ------------------------------------------------------------ */

static int load_dataset(loader *l, mlops__mf_dataset *d, const mlops__json *ds)
{
    static const char *const keys[] = {"name", "uri", "role", "digest", "foreignDigest", NULL};
    static const char *const fkeys[] = {"alg", "scheme", "value", NULL};
    int rc = check_keys(l, ds, keys);
    if (rc)
        return rc;
    if ((rc = string_field(l, &d->name, ds, "name", 1, MLOPS__MF_MAX_SHORT)) ||
        (rc = string_field(l, &d->uri, ds, "uri", 0, MLOPS__MF_MAX_LONG)) ||
        (rc = string_field(l, &d->role, ds, "role", 0, MLOPS__MF_MAX_SHORT)) ||
        (rc = digest_field(l, &d->sha256, ds, "digest", 0)))
        return rc;
    const mlops__json *fd = mlops__json_object_find(ds, "foreignDigest");
    if (!fd)
        return 0;
    pk(l, "foreignDigest");
    if ((rc = check_keys(l, fd, fkeys)) ||
        (rc = string_field(l, &d->foreign_alg, fd, "alg", 1, MLOPS__MF_MAX_SHORT)) ||
        (rc = string_field(l, &d->foreign_scheme, fd, "scheme", 1, MLOPS__MF_MAX_SHORT)) ||
        (rc = string_field(l, &d->foreign_value, fd, "value", 1, MLOPS__MF_MAX_SHORT)))
        return rc;
    pop(l);
    return 0;
}

typedef struct name_ref {
    const char *name;
    size_t index;
} name_ref;

static int name_ref_cmp(const void *a, const void *b)
{
    const name_ref *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    return c ? c : (x->index > y->index) - (x->index < y->index);
}

/* Sorted, so a manifest with millions of datasets is not a quadratic check. */
static int unique_dataset_names(loader *l, const mlops__json *arr)
{
    mlops_manifest *m = l->m;
    if (m->n_datasets < 2)
        return 0;
    name_ref *r = mlops__reallocarray(NULL, m->n_datasets, sizeof *r);
    if (!r)
        return mlops__error_nomem();
    for (size_t i = 0; i < m->n_datasets; i++) {
        r[i].name = m->datasets[i].name;
        r[i].index = i;
    }
    qsort(r, m->n_datasets, sizeof *r, name_ref_cmp);
    int rc = 0;
    for (size_t i = 1; i < m->n_datasets && !rc; i++) {
        if (strcmp(r[i - 1].name, r[i].name) == 0) {
            pi(l, r[i].index);
            rc = fault(l, MLOPS_E_SCHEMA, mlops__json_array_get(arr, r[i].index),
                       "dataset name \"%.200s\" already used by datasets[%zu]", r[i].name,
                       r[i - 1].index);
        }
    }
    mlops__free(r);
    return rc;
}

static int load_datasets(loader *l, const mlops__json *pred)
{
    const mlops__json *arr = mlops__json_object_find(pred, "datasets");
    if (!arr)
        return 0;
    pk(l, "datasets");
    int rc = expect(l, arr, MLOPS__JSON_ARRAY, "an array");
    if (rc)
        return rc;
    mlops_manifest *m = l->m;
    size_t n = mlops__json_array_size(arr);
    if (n) {
        m->datasets = mlops__reallocarray(NULL, n, sizeof *m->datasets);
        if (!m->datasets)
            return mlops__error_nomem();
        memset(m->datasets, 0, n * sizeof *m->datasets);
    }
    for (size_t i = 0; i < n; i++) {
        pi(l, i);
        const mlops__json *ds = mlops__json_array_get(arr, i);
        rc = load_dataset(l, &m->datasets[i], ds);
        if (rc)
            return rc;
        m->n_datasets = i + 1;
        pop(l);
    }
    rc = unique_dataset_names(l, arr);
    if (rc)
        return rc;
    pop(l);
    return 0;
}

/* ---- parameters, metrics, annotations -------------------------------------- */

static int entry_cmp(const void *a, const void *b)
{
    const mlops__mf_entry *x = a, *y = b;
    return mlops__manifest_utf16_cmp(x->key, x->key_len, y->key, y->key_len);
}

/*
 * The canonical form writes a number through its double (RFC 8785), so a
 * number that a double cannot hold exactly would be signed as another number
 * than the one a reader sees: refused, naming the value and what it would be.
 */
static int exact_number(loader *l, const mlops__json *v, const char *what)
{
    size_t n = 0;
    const char *t = mlops__json_number_text(v, &n);
    if (mlops__json_number_exact(t, n))
        return 0;
    char canon[32];
    mlops__json_format_double(canon, mlops__json_double(v));
    return fault(l, MLOPS_E_SCHEMA, v,
                 "%s %.*s is not exactly representable as a double (its canonical form "
                 "would be %s); write it as a string to keep every digit",
                 what, (int)(n > 64 ? 64 : n), t ? t : "", canon);
}

typedef enum map_kind { MAP_PARAMETERS, MAP_METRICS, MAP_ANNOTATIONS } map_kind;

static int load_entry(loader *l, mlops__mf_entry *e, map_kind kind)
{
    const mlops__json *v = e->value;
    int rc = 0;
    switch (kind) {
    case MAP_METRICS:
        rc = expect(l, v, MLOPS__JSON_NUMBER, "a number");
        if (rc)
            return rc;
        e->number = mlops__json_double(v);
        if (!isfinite(e->number))
            return fault(l, MLOPS_E_SCHEMA, v, "metric is out of the range of a double");
        if ((rc = exact_number(l, v, "metric")))
            return rc;
        e->type = MLOPS_MANIFEST_VALUE_NUMBER;
        return 0;
    case MAP_ANNOTATIONS:
        e->type = MLOPS_MANIFEST_VALUE_STRING;
        return string_value(l, &e->str, v, MLOPS__MF_MAX_LONG, 1);
    case MAP_PARAMETERS:
        switch (mlops__json_type_of(v)) {
        case MLOPS__JSON_NULL: e->type = MLOPS_MANIFEST_VALUE_NULL; return 0;
        case MLOPS__JSON_FALSE:
        case MLOPS__JSON_TRUE: e->type = MLOPS_MANIFEST_VALUE_BOOL; return 0;
        case MLOPS__JSON_NUMBER:
            e->number = mlops__json_double(v);
            if (!isfinite(e->number))
                return fault(l, MLOPS_E_SCHEMA, v,
                             "parameter is out of the range of a double");
            if ((rc = exact_number(l, v, "parameter")))
                return rc;
            e->type = MLOPS_MANIFEST_VALUE_NUMBER;
            return 0;
        case MLOPS__JSON_STRING:
            e->type = MLOPS_MANIFEST_VALUE_STRING;
            return string_value(l, &e->str, v, MLOPS__MF_MAX_LONG, 1);
        default:
            return fault(l, MLOPS_E_SCHEMA, v,
                         "expected a JSON scalar (string, number, boolean or null), found %s",
                         type_name(v));
        }
    }
    return 0;
}

/* Canonical text of every parameter value, in one NUL-separated block. */
static int parameter_texts(mlops_manifest *m)
{
    if (!m->n_params)
        return 0;
    mlops_buf buf = MLOPS_BUF_INIT;
    size_t *offs = mlops__reallocarray(NULL, m->n_params, sizeof *offs);
    if (!offs)
        return mlops__error_nomem();
    int rc = 0;
    for (size_t i = 0; i < m->n_params && !rc; i++) {
        offs[i] = buf.size;
        rc = mlops__json_write_canonical(&buf, m->params[i].value);
        if (!rc)
            rc = mlops__buf_append_byte(&buf, '\0');
    }
    if (!rc) {
        for (size_t i = 0; i < m->n_params; i++)
            m->params[i].json = buf.data + offs[i];
        m->texts = buf.data;
    } else {
        mlops_buf_dispose(&buf);
    }
    mlops__free(offs);
    return rc;
}

static int load_map(loader *l, mlops__mf_entry **out, size_t *count, const mlops__json *pred,
                    const char *key, map_kind kind)
{
    const mlops__json *obj = mlops__json_object_find(pred, key);
    if (!obj)
        return 0;
    pk(l, key);
    int rc = expect(l, obj, MLOPS__JSON_OBJECT, "an object");
    if (rc)
        return rc;
    size_t n = mlops__json_object_size(obj);
    if (!n) {
        pop(l);
        return 0;
    }
    mlops__mf_entry *e = mlops__reallocarray(NULL, n, sizeof *e);
    if (!e)
        return mlops__error_nomem();
    memset(e, 0, n * sizeof *e);
    *out = e; /* released with the manifest, also on failure */
    for (size_t i = 0; i < n; i++) {
        e[i].key = mlops__json_object_key(obj, i, &e[i].key_len);
        e[i].value = mlops__json_object_value(obj, i);
        pk(l, e[i].key);
        if (strlen(e[i].key) != e[i].key_len)
            return fault(l, MLOPS_E_SCHEMA, e[i].value, "key contains U+0000");
        if (e[i].key_len == 0)
            return fault(l, MLOPS_E_SCHEMA, e[i].value, "key must not be empty");
        if (e[i].key_len > MLOPS__MF_MAX_SHORT)
            return fault(l, MLOPS_E_LIMIT, e[i].value,
                         "key of %zu bytes is longer than the %d allowed", e[i].key_len,
                         MLOPS__MF_MAX_SHORT);
        rc = load_entry(l, &e[i], kind);
        if (rc)
            return rc;
        pop(l);
    }
    qsort(e, n, sizeof *e, entry_cmp);
    *count = n;
    pop(l);
    return 0;
}

/* ---- predicate and statement ------------------------------------------------ */

static int load_parent_and_code(loader *l, const mlops__json *pred)
{
    static const char *const pkeys[] = {"name", "version", "digest", NULL};
    static const char *const ckeys[] = {"uri", "commit", NULL};
    mlops_manifest *m = l->m;
    int rc;
    const mlops__json *parent = mlops__json_object_find(pred, "parent");
    if (parent) {
        pk(l, "parent");
        if ((rc = check_keys(l, parent, pkeys)) ||
            (rc = string_field(l, &m->parent_name, parent, "name", 1, MLOPS__MF_MAX_NAME)) ||
            (rc = string_field(l, &m->parent_version, parent, "version", 1,
                               MLOPS__MF_MAX_SHORT)) ||
            (rc = digest_field(l, &m->parent_sha256, parent, "digest", 1)))
            return rc;
        if (!mlops__manifest_name_ok(m->parent_name)) {
            pk(l, "name");
            return fault(l, MLOPS_E_SCHEMA, mlops__json_object_find(parent, "name"),
                         "invalid model name \"%.200s\"", m->parent_name);
        }
        if (mlops_semver_validate(m->parent_version)) {
            pk(l, "version");
            return fault(l, MLOPS_E_SCHEMA, mlops__json_object_find(parent, "version"),
                         "%s", mlops_error_last());
        }
        pop(l);
    }
    const mlops__json *code = mlops__json_object_find(pred, "code");
    if (code) {
        pk(l, "code");
        if ((rc = check_keys(l, code, ckeys)) ||
            (rc = string_field(l, &m->code_uri, code, "uri", 1, MLOPS__MF_MAX_LONG)) ||
            (rc = string_field(l, &m->code_commit, code, "commit", 1, 40)))
            return rc;
        if (!mlops__manifest_is_hex(m->code_commit, 40)) {
            pk(l, "commit");
            return fault(l, MLOPS_E_SCHEMA, mlops__json_object_find(code, "commit"),
                         "expected 40 lowercase hex digits");
        }
        pop(l);
    }
    return 0;
}

static int load_predicate(loader *l, const mlops__json *pred)
{
    static const char *const keys[] = {
        "name",       "version", "created", "description", "framework",   "files",
        "datasets",   "parameters", "metrics", "parent", "code", "annotations", NULL};
    static const char *const fwkeys[] = {"name", "version", NULL};
    mlops_manifest *m = l->m;
    int rc = check_keys(l, pred, keys);
    if (rc)
        return rc;
    if ((rc = string_field(l, &m->name, pred, "name", 1, MLOPS__MF_MAX_NAME)) ||
        (rc = string_field(l, &m->version, pred, "version", 1, MLOPS__MF_MAX_SHORT)) ||
        (rc = string_field(l, &m->created, pred, "created", 1, MLOPS__MF_MAX_SHORT)) ||
        (rc = string_field(l, &m->description, pred, "description", 0, MLOPS__MF_MAX_LONG)))
        return rc;
    if (!mlops__manifest_name_ok(m->name)) {
        pk(l, "name");
        return fault(l, MLOPS_E_SCHEMA, mlops__json_object_find(pred, "name"),
                     "invalid model name \"%.200s\": 1 to 256 bytes of [A-Za-z0-9._/-] "
                     "starting with a letter or digit",
                     m->name);
    }
    if (mlops_semver_validate(m->version)) {
        pk(l, "version");
        return fault(l, MLOPS_E_SCHEMA, mlops__json_object_find(pred, "version"), "%s",
                     mlops_error_last());
    }
    if (!mlops__manifest_created_ok(m->created)) {
        pk(l, "created");
        return fault(l, MLOPS_E_SCHEMA, mlops__json_object_find(pred, "created"),
                     "\"%.64s\" is not an RFC 3339 UTC time in canonical spelling "
                     "(YYYY-MM-DDTHH:MM:SS[.fraction without trailing zeros]Z)",
                     m->created);
    }
    const mlops__json *fw = mlops__json_object_find(pred, "framework");
    if (fw) {
        pk(l, "framework");
        if ((rc = check_keys(l, fw, fwkeys)) ||
            (rc = string_field(l, &m->framework_name, fw, "name", 1, MLOPS__MF_MAX_SHORT)) ||
            (rc = string_field(l, &m->framework_version, fw, "version", 1,
                               MLOPS__MF_MAX_SHORT)))
            return rc;
        pop(l);
    }
    if ((rc = load_files(l, pred)) || (rc = load_datasets(l, pred)) ||
        (rc = load_map(l, &m->params, &m->n_params, pred, "parameters", MAP_PARAMETERS)) ||
        (rc = load_map(l, &m->metrics, &m->n_metrics, pred, "metrics", MAP_METRICS)) ||
        (rc = load_map(l, &m->annotations, &m->n_annotations, pred, "annotations",
                       MAP_ANNOTATIONS)) ||
        (rc = load_parent_and_code(l, pred)))
        return rc;
    return parameter_texts(m);
}

static int load_subject(loader *l, const mlops__json *root)
{
    static const char *const keys[] = {"name", "digest", NULL};
    const mlops__json *subj = mlops__json_object_find(root, "subject");
    pk(l, "subject");
    int rc = expect(l, subj, MLOPS__JSON_ARRAY, "an array");
    if (rc)
        return rc;
    if (mlops__json_array_size(subj) != 1)
        return fault(l, MLOPS_E_SCHEMA, subj, "expected exactly one subject, found %zu",
                     mlops__json_array_size(subj));
    const mlops__json *s = mlops__json_array_get(subj, 0);
    pi(l, 0);
    if ((rc = check_keys(l, s, keys)) ||
        (rc = string_field(l, &l->m->subject_name, s, "name", 1, MLOPS__MF_MAX_LONG)) ||
        (rc = digest_field(l, &l->m->subject_sha256, s, "digest", 1)))
        return rc;
    pop(l);
    pop(l);
    return 0;
}

static int load_statement(loader *l, const mlops__json *root)
{
    static const char *const keys[] = {"_type", "subject", "predicateType", "predicate", NULL};
    int rc = check_keys(l, root, keys);
    if (rc)
        return rc;
    const char *type = NULL, *ptype = NULL;
    if ((rc = string_field(l, &type, root, "_type", 1, MLOPS__MF_MAX_SHORT)))
        return rc;
    if (strcmp(type, MLOPS_MANIFEST_STATEMENT_TYPE) != 0) {
        pk(l, "_type");
        return fault(l, MLOPS_E_SCHEMA, mlops__json_object_find(root, "_type"),
                     "expected \"" MLOPS_MANIFEST_STATEMENT_TYPE "\", found \"%.100s\"", type);
    }
    if ((rc = string_field(l, &ptype, root, "predicateType", 1, MLOPS__MF_MAX_SHORT)))
        return rc;
    if (strcmp(ptype, MLOPS_MANIFEST_PREDICATE_TYPE) != 0) {
        pk(l, "predicateType");
        return fault(l, MLOPS_E_VERSION, mlops__json_object_find(root, "predicateType"),
                     "predicate type \"%.100s\" is not supported (this library reads \"" MLOPS_MANIFEST_PREDICATE_TYPE
                     "\")",
                     ptype);
    }
    if (!mlops__json_object_find(root, "subject"))
        return fault(l, MLOPS_E_SCHEMA, root, "missing required field \"subject\"");
    const mlops__json *pred = mlops__json_object_find(root, "predicate");
    if (!pred)
        return fault(l, MLOPS_E_SCHEMA, root, "missing required field \"predicate\"");
    pk(l, "predicate");
    rc = load_predicate(l, pred);
    if (rc)
        return rc;
    pop(l);
    return load_subject(l, root);
}

int mlops__manifest_load(mlops_manifest **out, mlops__json_doc *doc, const char *data,
                         size_t len, int pristine, mlops__mf_prehash *ph)
{
    mlops_manifest *m = mlops__calloc(1, sizeof *m);
    if (!m) {
        mlops__json_doc_free(doc);
        return mlops__error_nomem();
    }
    m->doc = doc;
    loader l;
    l.depth = 0;
    l.m = m;
    l.data = data;
    l.len = len;
    l.prev_path = NULL;
    l.prev_len = 0;
    l.file_index = 0;
    int rc = load_statement(&l, mlops__json_root(doc));
    if (!rc)
        rc = mlops__manifest_check(m);
    if (!rc)
        rc = mlops__manifest_digests(m, pristine ? data : NULL, len, ph);
    if (!rc && strcmp(m->subject_sha256, m->tree_hex) != 0) {
        l.depth = 0;
        pk(&l, "subject");
        pi(&l, 0);
        pk(&l, "digest");
        pk(&l, "sha256");
        const mlops__json *s = mlops__json_array_get(
            mlops__json_object_find(mlops__json_root(doc), "subject"), 0);
        rc = fault(&l, MLOPS_E_INTEGRITY,
                   mlops__json_object_find(mlops__json_object_find(s, "digest"), "sha256"),
                   "subject digest %.64s is not the tree digest of the files (%s)",
                   m->subject_sha256, m->tree_hex);
    }
    if (!rc)
        rc = mlops__manifest_build_info(m);
    if (rc) {
        mlops_manifest_free(m);
        return rc;
    }
    *out = m;
    return 0;
}

/* ---- public ------------------------------------------------------------------ */

static const mlops_manifest_parse_options parse_defaults = MLOPS_MANIFEST_PARSE_OPTIONS_INIT;
#define PARSE_OPTIONS_V1_SIZE sizeof(mlops_manifest_parse_options)

int mlops_manifest_parse_options_init(mlops_manifest_parse_options *opts, size_t size)
{
    return mlops__options_init(opts, size, &parse_defaults, sizeof parse_defaults,
                               PARSE_OPTIONS_V1_SIZE, "mlops_manifest_parse_options");
}

int mlops_manifest_parse(mlops_manifest **out, const char *data, size_t len,
                         const mlops_manifest_parse_options *opts)
{
    MLOPS__CHECK_ARG(out);
    if (len)
        MLOPS__CHECK_ARG(data);
    mlops_manifest_parse_options o = parse_defaults;
    int rc = mlops__options_load(&o, sizeof o, opts, MLOPS_MANIFEST_PARSE_OPTIONS_VERSION,
                                 PARSE_OPTIONS_V1_SIZE, "mlops_manifest_parse_options");
    if (rc)
        return rc;
    MLOPS__CHECK_FLAGS(o.flags, 0);
    if (o.max_size > MLOPS__JSON_DEFAULT_MAX_SIZE || o.max_depth > MLOPS__JSON_DEFAULT_MAX_DEPTH)
        return mlops__error(MLOPS_E_INVALID,
                            "mlops_manifest_parse: limits may only be lowered (at most %zu "
                            "bytes and %d levels)",
                            MLOPS__JSON_DEFAULT_MAX_SIZE, MLOPS__JSON_DEFAULT_MAX_DEPTH);
    mlops__json_limits limits = {o.max_depth, o.max_size};
    mlops__json_doc *doc = NULL;
    rc = mlops__json_parse(&doc, len ? data : "", len, &limits, NULL);
    if (rc)
        return rc;
    mlops__mf_prehash *ph = NULL;
    if ((rc = mlops__manifest_prehash_start(&ph, doc, data, len))) {
        mlops__json_doc_free(doc);
        return rc;
    }
    rc = mlops__manifest_load(out, doc, data, len, 1, ph);
    mlops__manifest_prehash_free(ph);
    return rc;
}
