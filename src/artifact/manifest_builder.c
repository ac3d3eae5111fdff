/*
 * Building a manifest field by field. The builder keeps the pieces as JSON
 * nodes; finish assembles the statement (files sorted, tree digest in the
 * subject), writes it canonically and parses it back, so a built manifest
 * passes exactly the checks a parsed one does and equals its own output.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "artifact/manifest.h"
#include "core/alloc.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/hex.h"
#include "mlops/digest.h"
#include "mlops/semver.h"

struct mlops_manifest_builder {
    mlops__json_doc *doc;
    mlops__json *pred; /* scalars and the framework, parent and code objects */
    mlops__json *params, *metrics, *annotations;
    mlops__json **files;
    size_t n_files, cap_files;
    mlops__json **datasets;
    size_t n_datasets, cap_datasets;
};

size_t mlops__manifest_builder_file_count(const mlops_manifest_builder *b)
{
    return b->n_files;
}

void mlops__manifest_builder_drop_files(mlops_manifest_builder *b, size_t n)
{
    /* The nodes stay in the builder's arena (freed with it); only the list
     * forgets them, so the builder reads as it did before they were added. */
    if (n < b->n_files)
        b->n_files = n;
}

static int bad(const char *func, const char *what, const char *why)
{
    return mlops__error(MLOPS_E_SCHEMA, "%s: %s %s", func, what, why);
}

/* A caller's string: valid UTF-8 (it cannot hold NUL), within `max` bytes. */
static int check_str(const char *func, const char *what, const char *s, size_t max,
                     int allow_empty)
{
    if (!s)
        return mlops__error(MLOPS_E_INVALID, "%s: argument '%s' must not be NULL", func, what);
    size_t n = strlen(s);
    if (!allow_empty && n == 0)
        return bad(func, what, "must not be empty");
    if (n > max)
        return mlops__error(MLOPS_E_LIMIT, "%s: %s of %zu bytes is longer than the %zu allowed",
                            func, what, n, max);
    if (!mlops__manifest_utf8_ok(s, n))
        return bad(func, what, "is not valid UTF-8");
    return 0;
}

static int check_hex(const char *func, const char *what, const char *s, size_t n)
{
    if (!s)
        return mlops__error(MLOPS_E_INVALID, "%s: argument '%s' must not be NULL", func, what);
    if (!mlops__manifest_is_hex(s, n))
        return mlops__error(MLOPS_E_SCHEMA, "%s: %s \"%.80s\" is not %zu lowercase hex digits",
                            func, what, s, n);
    return 0;
}

static mlops__json *str_node(mlops__json_doc *doc, const char *s)
{
    return mlops__json_new_string(doc, s, strlen(s));
}

/* Set obj[key] to a copy of string s; NOMEM recorded. */
static int set_str(mlops__json_doc *doc, mlops__json *obj, const char *key, const char *s)
{
    mlops__json *v = str_node(doc, s);
    if (!v)
        return mlops__error_nomem();
    return mlops__json_object_set(doc, obj, key, v);
}

/* {"sha256": hex} */
static mlops__json *digest_node(mlops__json_doc *doc, const char *hex)
{
    mlops__json *d = mlops__json_new_object(doc);
    mlops__json *h = d ? str_node(doc, hex) : NULL;
    if (!h || mlops__json_object_set(doc, d, "sha256", h))
        return NULL;
    return d;
}

int mlops_manifest_builder_new(mlops_manifest_builder **out, const char *name,
                               const char *version, const char *created)
{
    static const char *const F = "mlops_manifest_builder_new";
    MLOPS__CHECK_ARG(out);
    MLOPS__CHECK_ARG(name);
    MLOPS__CHECK_ARG(version);
    MLOPS__CHECK_ARG(created);
    if (!mlops__manifest_name_ok(name))
        return mlops__error(MLOPS_E_SCHEMA,
                            "%s: invalid model name \"%.200s\": 1 to 256 bytes of "
                            "[A-Za-z0-9._/-] starting with a letter or digit",
                            F, name);
    if (strlen(version) > MLOPS__MF_MAX_SHORT || mlops_semver_validate(version))
        return mlops__error(MLOPS_E_SCHEMA, "%s: version: %s", F,
                            strlen(version) > MLOPS__MF_MAX_SHORT ? "too long"
                                                                  : mlops_error_last());
    if (!mlops__manifest_created_ok(created))
        return mlops__error(MLOPS_E_SCHEMA,
                            "%s: created \"%.64s\" is not an RFC 3339 UTC time in canonical "
                            "spelling (e.g. 2026-11-26T09:00:00Z)",
                            F, created);
    mlops_manifest_builder *b = mlops__calloc(1, sizeof *b);
    if (!b)
        return mlops__error_nomem();
    int rc = mlops__json_doc_new(&b->doc);
    if (rc) {
        mlops__free(b);
        return rc;
    }
    b->pred = mlops__json_new_object(b->doc);
    b->params = mlops__json_new_object(b->doc);
    b->metrics = mlops__json_new_object(b->doc);
    b->annotations = mlops__json_new_object(b->doc);
    if (!b->pred || !b->params || !b->metrics || !b->annotations) {
        mlops_manifest_builder_free(b);
        return mlops__error_nomem();
    }
    if ((rc = set_str(b->doc, b->pred, "name", name)) ||
        (rc = set_str(b->doc, b->pred, "version", version)) ||
        (rc = set_str(b->doc, b->pred, "created", created))) {
        mlops_manifest_builder_free(b);
        return rc;
    }
    *out = b;
    return 0;
}

void mlops_manifest_builder_free(mlops_manifest_builder *b)
{
    if (!b)
        return;
    mlops__json_doc_free(b->doc);
    mlops__free(b->files);
    mlops__free(b->datasets);
    mlops__free(b);
}

int mlops_manifest_builder_set_description(mlops_manifest_builder *b, const char *description)
{
    MLOPS__CHECK_ARG(b);
    int rc = check_str(__func__, "description", description, MLOPS__MF_MAX_LONG, 0);
    return rc ? rc : set_str(b->doc, b->pred, "description", description);
}

int mlops_manifest_builder_set_framework(mlops_manifest_builder *b, const char *name,
                                         const char *version)
{
    MLOPS__CHECK_ARG(b);
    int rc;
    if ((rc = check_str(__func__, "name", name, MLOPS__MF_MAX_SHORT, 0)) ||
        (rc = check_str(__func__, "version", version, MLOPS__MF_MAX_SHORT, 0)))
        return rc;
    mlops__json *fw = mlops__json_new_object(b->doc);
    if (!fw)
        return mlops__error_nomem();
    if ((rc = set_str(b->doc, fw, "name", name)) ||
        (rc = set_str(b->doc, fw, "version", version)))
        return rc;
    return mlops__json_object_set(b->doc, b->pred, "framework", fw);
}

/* Room for one more pointer in a growing array. */
static int grow(mlops__json ***arr, size_t n, size_t *cap)
{
    if (n < *cap)
        return 0;
    size_t nc = *cap ? *cap * 2 : 16;
    mlops__json **p = mlops__reallocarray(*arr, nc, sizeof *p);
    if (!p)
        return mlops__error_nomem();
    *arr = p;
    *cap = nc;
    return 0;
}

int mlops_manifest_builder_add_file(mlops_manifest_builder *b, const char *path, uint64_t size,
                                    const char *sha256, const char *media_type,
                                    const char *role)
{
    MLOPS__CHECK_ARG(b);
    MLOPS__CHECK_ARG(path);
    int rc = mlops_manifest_path_check(path, strlen(path));
    if (rc)
        return mlops__error_prefix("%s", __func__);
    if (size > MLOPS_MANIFEST_MAX_SIZE)
        return mlops__error(MLOPS_E_SCHEMA, "%s: size %llu of \"%.200s\" is above 2^53-1",
                            __func__, (unsigned long long)size, path);
    if ((rc = check_hex(__func__, "sha256", sha256, 64)) ||
        (media_type && (rc = check_str(__func__, "media_type", media_type,
                                       MLOPS__MF_MAX_SHORT, 0))) ||
        (role && (rc = check_str(__func__, "role", role, MLOPS__MF_MAX_SHORT, 0))))
        return rc;
    if ((rc = grow(&b->files, b->n_files, &b->cap_files)))
        return rc;
    mlops__json *f = mlops__json_new_object(b->doc);
    mlops__json *sz = f ? mlops__json_new_uint(b->doc, size) : NULL;
    mlops__json *dg = sz ? digest_node(b->doc, sha256) : NULL;
    if (!dg)
        return mlops__error_nomem();
    if ((rc = set_str(b->doc, f, "path", path)) ||
        (rc = mlops__json_object_set(b->doc, f, "size", sz)) ||
        (rc = mlops__json_object_set(b->doc, f, "digest", dg)) ||
        (media_type && (rc = set_str(b->doc, f, "mediaType", media_type))) ||
        (role && (rc = set_str(b->doc, f, "role", role))))
        return rc;
    b->files[b->n_files++] = f;
    return 0;
}

static size_t find_by(mlops__json **arr, size_t n, const char *key, const char *value)
{
    for (size_t i = n; i-- > 0;) {
        const char *s = mlops__json_string(mlops__json_object_find(arr[i], key), NULL);
        if (s && strcmp(s, value) == 0)
            return i;
    }
    return (size_t)-1;
}

int mlops_manifest_builder_set_file_shards(mlops_manifest_builder *b, const char *path,
                                           uint64_t shard_size, const char *const *sha256,
                                           size_t count)
{
    MLOPS__CHECK_ARG(b);
    MLOPS__CHECK_ARG(path);
    if (count)
        MLOPS__CHECK_ARG(sha256);
    size_t i = find_by(b->files, b->n_files, "path", path);
    if (i == (size_t)-1)
        return mlops__error(MLOPS_E_NOTFOUND, "%s: no file \"%.200s\" was added", __func__,
                            path);
    if (shard_size == 0)
        shard_size = MLOPS_MANIFEST_DEFAULT_SHARD_SIZE;
    if (shard_size > MLOPS_MANIFEST_MAX_SIZE)
        return mlops__error(MLOPS_E_SCHEMA, "%s: shard size above 2^53-1", __func__);
    uint64_t size = (uint64_t)mlops__json_int(mlops__json_object_find(b->files[i], "size"));
    uint64_t want = size / shard_size + (size % shard_size != 0);
    if (want == 0 || (uint64_t)count != want)
        return mlops__error(MLOPS_E_SCHEMA,
                            "%s: \"%.200s\" of %llu bytes in shards of %llu needs %llu shard "
                            "digests, %zu given",
                            __func__, path, (unsigned long long)size,
                            (unsigned long long)shard_size, (unsigned long long)want, count);
    int rc;
    for (size_t j = 0; j < count; j++) {
        if (!sha256[j] || !mlops__manifest_is_hex(sha256[j], 64))
            return mlops__error(sha256[j] ? MLOPS_E_SCHEMA : MLOPS_E_INVALID,
                                "%s: shard digest %zu of \"%.200s\" is not 64 lowercase hex "
                                "digits",
                                __func__, j, path);
    }
    /* Build a new file object and swap it in, so a failure changes nothing. */
    mlops__json *f = mlops__json_copy(b->doc, b->files[i]);
    mlops__json *arr = f ? mlops__json_new_array(b->doc) : NULL;
    mlops__json *ss = arr ? mlops__json_new_uint(b->doc, shard_size) : NULL;
    if (!ss)
        return mlops__error_nomem();
    for (size_t j = 0; j < count; j++) {
        uint64_t off = (uint64_t)j * shard_size;
        mlops__json *s = mlops__json_new_object(b->doc);
        mlops__json *o = s ? mlops__json_new_uint(b->doc, off) : NULL;
        mlops__json *z =
            o ? mlops__json_new_uint(b->doc, size - off < shard_size ? size - off : shard_size)
              : NULL;
        mlops__json *d = z ? digest_node(b->doc, sha256[j]) : NULL;
        if (!d)
            return mlops__error_nomem();
        if ((rc = mlops__json_object_set(b->doc, s, "offset", o)) ||
            (rc = mlops__json_object_set(b->doc, s, "size", z)) ||
            (rc = mlops__json_object_set(b->doc, s, "digest", d)) ||
            (rc = mlops__json_array_push(b->doc, arr, s)))
            return rc;
    }
    if ((rc = mlops__json_object_set(b->doc, f, "shardSize", ss)) ||
        (rc = mlops__json_object_set(b->doc, f, "shards", arr)))
        return rc;
    b->files[i] = f;
    return 0;
}

int mlops_manifest_builder_add_dataset(mlops_manifest_builder *b, const char *name,
                                       const char *uri, const char *role, const char *sha256)
{
    MLOPS__CHECK_ARG(b);
    int rc;
    if ((rc = check_str(__func__, "name", name, MLOPS__MF_MAX_SHORT, 0)) ||
        (uri && (rc = check_str(__func__, "uri", uri, MLOPS__MF_MAX_LONG, 0))) ||
        (role && (rc = check_str(__func__, "role", role, MLOPS__MF_MAX_SHORT, 0))) ||
        (sha256 && (rc = check_hex(__func__, "sha256", sha256, 64))))
        return rc;
    if (find_by(b->datasets, b->n_datasets, "name", name) != (size_t)-1)
        return mlops__error(MLOPS_E_SCHEMA, "%s: a dataset named \"%.200s\" was already added",
                            __func__, name);
    if ((rc = grow(&b->datasets, b->n_datasets, &b->cap_datasets)))
        return rc;
    mlops__json *d = mlops__json_new_object(b->doc);
    if (!d)
        return mlops__error_nomem();
    if ((rc = set_str(b->doc, d, "name", name)) ||
        (uri && (rc = set_str(b->doc, d, "uri", uri))) ||
        (role && (rc = set_str(b->doc, d, "role", role))))
        return rc;
    if (sha256) {
        mlops__json *dg = digest_node(b->doc, sha256);
        if (!dg)
            return mlops__error_nomem();
        if ((rc = mlops__json_object_set(b->doc, d, "digest", dg)))
            return rc;
    }
    b->datasets[b->n_datasets++] = d;
    return 0;
}

int mlops_manifest_builder_set_dataset_foreign_digest(mlops_manifest_builder *b,
                                                      const char *dataset, const char *alg,
                                                      const char *scheme, const char *value)
{
    MLOPS__CHECK_ARG(b);
    MLOPS__CHECK_ARG(dataset);
    int rc;
    if ((rc = check_str(__func__, "alg", alg, MLOPS__MF_MAX_SHORT, 0)) ||
        (rc = check_str(__func__, "scheme", scheme, MLOPS__MF_MAX_SHORT, 0)) ||
        (rc = check_str(__func__, "value", value, MLOPS__MF_MAX_SHORT, 0)))
        return rc;
    size_t i = find_by(b->datasets, b->n_datasets, "name", dataset);
    if (i == (size_t)-1)
        return mlops__error(MLOPS_E_NOTFOUND, "%s: no dataset \"%.200s\" was added", __func__,
                            dataset);
    mlops__json *fd = mlops__json_new_object(b->doc);
    if (!fd)
        return mlops__error_nomem();
    if ((rc = set_str(b->doc, fd, "alg", alg)) || (rc = set_str(b->doc, fd, "scheme", scheme)) ||
        (rc = set_str(b->doc, fd, "value", value)))
        return rc;
    return mlops__json_object_set(b->doc, b->datasets[i], "foreignDigest", fd);
}

/* ---- parameters, metrics, annotations ---- */

static int set_member(mlops_manifest_builder *b, mlops__json *obj, const char *key,
                      mlops__json *v)
{
    if (!v)
        return mlops__error_nomem();
    return mlops__json_object_set(b->doc, obj, key, v);
}

static int check_key(const char *func, const char *key)
{
    return check_str(func, "name", key, MLOPS__MF_MAX_SHORT, 0);
}

int mlops_manifest_builder_set_parameter_string(mlops_manifest_builder *b, const char *name,
                                                const char *value)
{
    MLOPS__CHECK_ARG(b);
    int rc;
    if ((rc = check_key(__func__, name)) ||
        (rc = check_str(__func__, "value", value, MLOPS__MF_MAX_LONG, 1)))
        return rc;
    return set_member(b, b->params, name, str_node(b->doc, value));
}

int mlops_manifest_builder_set_parameter_number(mlops_manifest_builder *b, const char *name,
                                                double value)
{
    MLOPS__CHECK_ARG(b);
    int rc = check_key(__func__, name);
    if (rc)
        return rc;
    if (!isfinite(value))
        return bad(__func__, name, "is not finite (JSON has no NaN or infinity)");
    return set_member(b, b->params, name, mlops__json_new_double(b->doc, value));
}

int mlops_manifest_builder_set_parameter_int(mlops_manifest_builder *b, const char *name,
                                             int64_t value)
{
    MLOPS__CHECK_ARG(b);
    int rc = check_key(__func__, name);
    if (rc)
        return rc;
    /* Exact when its canonical form (through the double) has its value:
     * always up to 2^53; 2^60 is a double but is written 1152921504606847000. */
    char text[24];
    int n = snprintf(text, sizeof text, "%" PRId64, value);
    if (!mlops__json_number_exact(text, (size_t)n)) {
        char canon[32];
        mlops__json_format_double(canon, (double)value);
        return mlops__error(MLOPS_E_SCHEMA,
                            "%s: parameter \"%.200s\" = %" PRId64
                            " is not exactly representable as a double (its canonical form "
                            "would be %s); set it as a string to keep every digit",
                            __func__, name, value, canon);
    }
    return set_member(b, b->params, name, mlops__json_new_int(b->doc, value));
}

int mlops_manifest_builder_set_parameter_bool(mlops_manifest_builder *b, const char *name,
                                              int value)
{
    MLOPS__CHECK_ARG(b);
    int rc = check_key(__func__, name);
    if (rc)
        return rc;
    return set_member(b, b->params, name, mlops__json_new_bool(b->doc, value != 0));
}

int mlops_manifest_builder_set_parameter_null(mlops_manifest_builder *b, const char *name)
{
    MLOPS__CHECK_ARG(b);
    int rc = check_key(__func__, name);
    if (rc)
        return rc;
    return set_member(b, b->params, name, mlops__json_new_null(b->doc));
}

static int number_exact(const mlops__json *v)
{
    size_t n = 0;
    const char *t = mlops__json_number_text(v, &n);
    return mlops__json_number_exact(t, n);
}

int mlops_manifest_builder_set_parameter_json(mlops_manifest_builder *b, const char *name,
                                              const char *json)
{
    MLOPS__CHECK_ARG(b);
    MLOPS__CHECK_ARG(json);
    int rc = check_key(__func__, name);
    if (rc)
        return rc;
    mlops__json_limits limits = {4, MLOPS__MF_MAX_LONG + 16};
    mlops__json_doc *tmp = NULL;
    rc = mlops__json_parse(&tmp, json, strlen(json), &limits, NULL);
    if (rc)
        return mlops__error_prefix("%s: parameter \"%.200s\"", __func__, name);
    const mlops__json *v = mlops__json_root(tmp);
    mlops__json_type t = mlops__json_type_of(v);
    size_t len = 0;
    if (t == MLOPS__JSON_ARRAY || t == MLOPS__JSON_OBJECT)
        rc = bad(__func__, name, "must be a JSON scalar, not an array or object");
    else if (t == MLOPS__JSON_NUMBER && !isfinite(mlops__json_double(v)))
        rc = bad(__func__, name, "is out of the range of a double");
    else if (t == MLOPS__JSON_NUMBER && !number_exact(v)) {
        char canon[32];
        mlops__json_format_double(canon, mlops__json_double(v));
        size_t n = 0;
        const char *text = mlops__json_number_text(v, &n);
        rc = mlops__error(MLOPS_E_SCHEMA,
                          "%s: parameter \"%.200s\" = %.*s is not exactly representable as a "
                          "double (its canonical form would be %s); set it as a string to "
                          "keep every digit",
                          __func__, name, (int)(n > 64 ? 64 : n), text ? text : "", canon);
    }
    else if (t == MLOPS__JSON_STRING &&
             strlen(mlops__json_string(v, &len)) != len)
        rc = bad(__func__, name, "contains U+0000");
    else
        rc = set_member(b, b->params, name, mlops__json_copy(b->doc, v));
    mlops__json_doc_free(tmp);
    return rc;
}

int mlops_manifest_builder_set_metric(mlops_manifest_builder *b, const char *name, double value)
{
    MLOPS__CHECK_ARG(b);
    int rc = check_key(__func__, name);
    if (rc)
        return rc;
    if (!isfinite(value))
        return bad(__func__, name, "is not finite (metrics are finite numbers)");
    return set_member(b, b->metrics, name, mlops__json_new_double(b->doc, value));
}

int mlops_manifest_builder_set_annotation(mlops_manifest_builder *b, const char *key,
                                          const char *value)
{
    MLOPS__CHECK_ARG(b);
    int rc;
    if ((rc = check_str(__func__, "key", key, MLOPS__MF_MAX_SHORT, 0)) ||
        (rc = check_str(__func__, "value", value, MLOPS__MF_MAX_LONG, 1)))
        return rc;
    return set_member(b, b->annotations, key, str_node(b->doc, value));
}

/* ---- parent and code ---- */

int mlops_manifest_builder_set_parent(mlops_manifest_builder *b, const char *name,
                                      const char *version, const char *sha256)
{
    MLOPS__CHECK_ARG(b);
    MLOPS__CHECK_ARG(name);
    MLOPS__CHECK_ARG(version);
    int rc;
    if (!mlops__manifest_name_ok(name))
        return mlops__error(MLOPS_E_SCHEMA, "%s: invalid parent name \"%.200s\"", __func__,
                            name);
    if (strlen(version) > MLOPS__MF_MAX_SHORT || mlops_semver_validate(version))
        return mlops__error(MLOPS_E_SCHEMA, "%s: parent version \"%.100s\" is not SemVer",
                            __func__, version);
    if ((rc = check_hex(__func__, "sha256", sha256, 64)))
        return rc;
    mlops__json *p = mlops__json_new_object(b->doc);
    mlops__json *d = p ? digest_node(b->doc, sha256) : NULL;
    if (!d)
        return mlops__error_nomem();
    if ((rc = set_str(b->doc, p, "name", name)) ||
        (rc = set_str(b->doc, p, "version", version)) ||
        (rc = mlops__json_object_set(b->doc, p, "digest", d)))
        return rc;
    return mlops__json_object_set(b->doc, b->pred, "parent", p);
}

int mlops_manifest_builder_set_parent_manifest(mlops_manifest_builder *b,
                                               const mlops_manifest *parent)
{
    MLOPS__CHECK_ARG(b);
    MLOPS__CHECK_ARG(parent);
    return mlops_manifest_builder_set_parent(b, parent->name, parent->version,
                                             parent->statement_hex);
}

int mlops_manifest_builder_set_code(mlops_manifest_builder *b, const char *uri,
                                    const char *commit)
{
    MLOPS__CHECK_ARG(b);
    int rc;
    if ((rc = check_str(__func__, "uri", uri, MLOPS__MF_MAX_LONG, 0)) ||
        (rc = check_hex(__func__, "commit", commit, 40)))
        return rc;
    mlops__json *c = mlops__json_new_object(b->doc);
    if (!c)
        return mlops__error_nomem();
    if ((rc = set_str(b->doc, c, "uri", uri)) || (rc = set_str(b->doc, c, "commit", commit)))
        return rc;
    return mlops__json_object_set(b->doc, b->pred, "code", c);
}

/* ---- finish ---- */

typedef struct path_ref {
    const char *path;
    size_t len;
    const mlops__json *node;
} path_ref;

static int path_ref_cmp(const void *a, const void *b)
{
    const path_ref *x = a, *y = b;
    size_t n = x->len < y->len ? x->len : y->len;
    int c = memcmp(x->path, y->path, n);
    if (c)
        return c;
    return x->len < y->len ? -1 : (x->len > y->len);
}

/* Copy `src` under `key` of `dst` in `doc` unless it is an empty object. */
static int put_copy(mlops__json_doc *doc, mlops__json *dst, const char *key,
                    const mlops__json *src)
{
    if (mlops__json_object_size(src) == 0)
        return 0;
    mlops__json *c = mlops__json_copy(doc, src);
    if (!c)
        return mlops__error_nomem();
    return mlops__json_object_set(doc, dst, key, c);
}

/* The statement as a document, files sorted, subject digest computed. */
static int assemble(mlops__json_doc *doc, const mlops_manifest_builder *b, path_ref *refs)
{
    int rc;
    mlops__json *root = mlops__json_new_object(doc);
    mlops__json *pred = root ? mlops__json_copy(doc, b->pred) : NULL;
    mlops__json *files = pred ? mlops__json_new_array(doc) : NULL;
    if (!files)
        return mlops__error_nomem();
    mlops__json_doc_set_root(doc, root);
    for (size_t i = 0; i < b->n_files; i++) {
        mlops__json *f = mlops__json_copy(doc, refs[i].node);
        if (!f)
            return mlops__error_nomem();
        if ((rc = mlops__json_array_push(doc, files, f)))
            return rc;
    }
    if ((rc = mlops__json_object_set(doc, pred, "files", files)))
        return rc;
    if (b->n_datasets) {
        mlops__json *ds = mlops__json_new_array(doc);
        if (!ds)
            return mlops__error_nomem();
        for (size_t i = 0; i < b->n_datasets; i++) {
            mlops__json *d = mlops__json_copy(doc, b->datasets[i]);
            if (!d)
                return mlops__error_nomem();
            if ((rc = mlops__json_array_push(doc, ds, d)))
                return rc;
        }
        if ((rc = mlops__json_object_set(doc, pred, "datasets", ds)))
            return rc;
    }
    if ((rc = put_copy(doc, pred, "parameters", b->params)) ||
        (rc = put_copy(doc, pred, "metrics", b->metrics)) ||
        (rc = put_copy(doc, pred, "annotations", b->annotations)))
        return rc;

    /* Subject: "<name>@<version>" and the tree digest. */
    mlops_buf buf = MLOPS_BUF_INIT;
    uint8_t tree[32];
    char hex[65];
    rc = mlops__json_write_canonical(&buf, files);
    if (!rc)
        rc = mlops_digest_buffer(tree, buf.data, buf.size);
    mlops__buf_clear(&buf);
    if (!rc)
        rc = mlops__buf_printf(
            &buf, "%s@%s", mlops__json_string(mlops__json_object_find(b->pred, "name"), NULL),
            mlops__json_string(mlops__json_object_find(b->pred, "version"), NULL));
    if (rc) {
        mlops_buf_dispose(&buf);
        return rc;
    }
    mlops__hex(hex, tree, 32);
    mlops__json *subj = mlops__json_new_array(doc);
    mlops__json *s = subj ? mlops__json_new_object(doc) : NULL;
    mlops__json *sn = s ? mlops__json_new_string(doc, buf.data, buf.size) : NULL;
    mlops__json *sd = sn ? digest_node(doc, hex) : NULL;
    mlops_buf_dispose(&buf);
    if (!sd)
        return mlops__error_nomem();
    if ((rc = mlops__json_object_set(doc, s, "name", sn)) ||
        (rc = mlops__json_object_set(doc, s, "digest", sd)) ||
        (rc = mlops__json_array_push(doc, subj, s)) ||
        (rc = set_str(doc, root, "_type", MLOPS_MANIFEST_STATEMENT_TYPE)) ||
        (rc = mlops__json_object_set(doc, root, "subject", subj)) ||
        (rc = set_str(doc, root, "predicateType", MLOPS_MANIFEST_PREDICATE_TYPE)) ||
        (rc = mlops__json_object_set(doc, root, "predicate", pred)))
        return rc;
    return 0;
}

int mlops_manifest_builder_finish(mlops_manifest **out, const mlops_manifest_builder *b)
{
    MLOPS__CHECK_ARG(out);
    MLOPS__CHECK_ARG(b);
    path_ref *refs = NULL;
    mlops__json_doc *doc = NULL, *parsed = NULL;
    mlops_buf bytes = MLOPS_BUF_INIT;
    int rc = 0;
    if (b->n_files) {
        refs = mlops__reallocarray(NULL, b->n_files, sizeof *refs);
        if (!refs)
            return mlops__error_nomem();
        for (size_t i = 0; i < b->n_files; i++) {
            refs[i].node = b->files[i];
            refs[i].path = mlops__json_string(mlops__json_object_find(b->files[i], "path"),
                                              &refs[i].len);
        }
        qsort(refs, b->n_files, sizeof *refs, path_ref_cmp);
    }
    if ((rc = mlops__json_doc_new(&doc)) || (rc = assemble(doc, b, refs)) ||
        (rc = mlops__json_write_canonical(&bytes, mlops__json_root(doc))))
        goto done;
    mlops__json_doc_free(doc);
    doc = NULL;
    /* Parse the bytes back: the manifest is then exactly its canonical form.
     * In place: the document points into the bytes, which the manifest keeps. */
    rc = mlops__json_parse_inplace(&parsed, bytes.data, bytes.size, NULL, NULL);
    if (!rc) {
        mlops_manifest *m = NULL;
        rc = mlops__manifest_load(&m, parsed, bytes.data, bytes.size, 0, NULL);
        if (!rc) {
            m->owned = bytes.data;
            bytes.data = NULL;
            bytes.size = bytes.capacity = 0;
            *out = m;
        } else if (rc != MLOPS_E_NOMEM) {
            mlops__error_prefix("mlops_manifest_builder_finish");
        }
    }
done:
    mlops__json_doc_free(doc);
    mlops_buf_dispose(&bytes);
    mlops__free(refs);
    return rc;
}
