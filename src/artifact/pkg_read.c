/*
 * Reading a package in one streaming pass: verification, and extraction
 * through the safe writer in the same pass.
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * The order of a package (metadata first, FORMATS.md §3) is what makes one
 * pass enough: the index names the model manifest, which names the config,
 * the statement and the layers; the referrer names the envelope. A blob is
 * accepted only once something already read expects it, and file content
 * only once the statement is trusted (its signature verified, or unsigned
 * packages explicitly allowed). The OCI documents are not signed: they only
 * route bytes, and every file byte is checked against the signed statement.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <openssl/evp.h>

#include "artifact/extract.h"
#include "artifact/pack.h"
#include "core/alloc.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/hex.h"
#include "core/io.h"
#include "core/json.h"
#include "core/options.h"

#define META_MAX ((size_t)64 << 20)
#define READ_BLOCK ((size_t)1 << 20)
#define MAX_LAYERS 100000

enum { LAYER_RAW = 1, LAYER_TAR = 2 };

typedef struct layer_desc {
    uint8_t digest[MLOPS_SHA256_SIZE];
    uint64_t size;
    int kind;
    int seen;
    char media_type[96];
    /* the manifest's routing annotations (NULL when absent) */
    char *filepath, *title;
} layer_desc;

typedef struct problem {
    int code;
    char *entry, *expected, *found, *message;
} problem;

struct mlops_package_report {
    /* the OCI documents the verified statement came with (for the store) */
    uint8_t manifest_d[MLOPS_SHA256_SIZE], referrer_d[MLOPS_SHA256_SIZE];
    uint64_t manifest_size, referrer_size;
    int has_referrer;
    mlops_manifest *m;
    problem *p;
    size_t n, cap;
    size_t files_verified;
    int is_signed;
    /* only the files of opts->paths were verified: the rest of the package
     * was not hashed, so "valid" speaks for those files alone */
    int partial;
    /* why the pass stopped: 0 when the package verified; otherwise the
     * error the call returned, recorded when the pass ended */
    int error_code;
    char *error_message, *error_path;
    int64_t error_offset;
};

typedef struct blob_slot {
    int expected, done;
    uint8_t digest[MLOPS_SHA256_SIZE];
    uint64_t size;
} blob_slot;

typedef struct reader {
    mlops_package_verify_options o;
    mlops_package_report *rep;
    mlops__extract *x;
    struct archive *a;
    const char *pkg;
    uint64_t pkg_size, read_bytes;
    unsigned char *buf;
    size_t entries;
    int have_index;
    blob_slot manifest, referrer, config, statement, envelope, empty;
    layer_desc *layers;
    size_t nlayers;
    int statement_trusted;
    /* the routing documents, checked against the statement once both are
     * known: index.json's ref.name, the manifest's annotations, the config */
    char *ref_name, *mf_version, *mf_created, *stmt_title;
    mlops_buf config_doc;
    int routing_checked;
    unsigned char *file_seen;
    unsigned char *wanted;
    EVP_MD_CTX *md, *smd; /* a file's digest, its shard's digest */
    int fd; /* the package, for reading shards at their offsets */
    int seekable; /* a regular file: shards may be read at their offsets */
} reader;

/* ---- the report --------------------------------------------------------- */

static void problem_free(problem *p)
{
    mlops__free(p->entry);
    mlops__free(p->expected);
    mlops__free(p->found);
    mlops__free(p->message);
}

void mlops_package_report_free(mlops_package_report *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n; i++)
        problem_free(&r->p[i]);
    mlops__free(r->p);
    mlops_manifest_free(r->m);
    mlops__free(r->error_message);
    mlops__free(r->error_path);
    mlops__free(r);
}

/* Record a content problem: in the report, and as the thread's error. When
 * extracting, or when the report cannot grow, the pass stops (the code is
 * returned); otherwise it goes on (0). */
static int problem_add(reader *r, const char *entry, const char *expected, const char *found,
                       const char *fmt, ...) MLOPS__PRINTF(5, 6);

static int problem_add(reader *r, const char *entry, const char *expected, const char *found,
                       const char *fmt, ...)
{
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    mlops_package_report *rep = r->rep;
    if (rep->n == rep->cap) {
        size_t cap = rep->cap ? rep->cap * 2 : 8;
        problem *p = mlops__reallocarray(rep->p, cap, sizeof *p);
        if (!p)
            return mlops__error_nomem();
        rep->p = p;
        rep->cap = cap;
    }
    problem pr = { MLOPS_E_INTEGRITY, mlops__strdup(entry ? entry : ""),
                   mlops__strdup(expected ? expected : ""), mlops__strdup(found ? found : ""),
                   mlops__strdup(msg) };
    if (!pr.entry || !pr.expected || !pr.found || !pr.message) {
        problem_free(&pr);
        return mlops__error_nomem();
    }
    rep->p[rep->n++] = pr;
    mlops__error_at(MLOPS_E_INTEGRITY, -1, 0, 0, entry, "%s: %s", r->pkg, msg);
    return r->x ? MLOPS_E_INTEGRITY : 0;
}

const mlops_manifest *mlops_package_report_manifest(const mlops_package_report *r)
{
    return r ? r->m : NULL;
}
size_t mlops_package_report_count(const mlops_package_report *r) { return r ? r->n : 0; }
int mlops_package_report_code(const mlops_package_report *r, size_t i)
{
    return r && i < r->n ? r->p[i].code : 0;
}
const char *mlops_package_report_entry(const mlops_package_report *r, size_t i)
{
    return r && i < r->n ? r->p[i].entry : "";
}
const char *mlops_package_report_expected(const mlops_package_report *r, size_t i)
{
    return r && i < r->n ? r->p[i].expected : "";
}
const char *mlops_package_report_found(const mlops_package_report *r, size_t i)
{
    return r && i < r->n ? r->p[i].found : "";
}
const char *mlops_package_report_message(const mlops_package_report *r, size_t i)
{
    return r && i < r->n ? r->p[i].message : "";
}
size_t mlops_package_report_files_verified(const mlops_package_report *r)
{
    return r ? r->files_verified : 0;
}
int mlops_package_report_signed(const mlops_package_report *r) { return r ? r->is_signed : 0; }

int mlops_package_report_valid(const mlops_package_report *r)
{
    return r && r->error_code == 0 && r->n == 0 && r->m != NULL;
}
int mlops_package_report_error_code(const mlops_package_report *r)
{
    return r ? r->error_code : 0;
}
const char *mlops_package_report_error_message(const mlops_package_report *r)
{
    return r && r->error_message ? r->error_message : "";
}
const char *mlops_package_report_error_path(const mlops_package_report *r)
{
    return r && r->error_path ? r->error_path : "";
}
int64_t mlops_package_report_error_offset(const mlops_package_report *r)
{
    return r && r->error_code ? r->error_offset : -1;
}

/* Record in the report why the pass stopped: the thread's error record as
 * the call returns it (code `rc`). Returns 0, or MLOPS_E_NOMEM (then the
 * report says MLOPS_E_NOMEM, which still makes it invalid). */
static int report_stop(mlops_package_report *r, int rc)
{
    r->error_code = rc;
    r->error_offset = mlops_error_last_offset();
    const char *msg = mlops_error_last();
    const char *path = mlops_error_last_path();
    r->error_message = mlops__strdup(msg ? msg : "");
    r->error_path = path && *path ? mlops__strdup(path) : NULL;
    if (r->error_message && (r->error_path || !path || !*path))
        return 0;
    mlops__free(r->error_message);
    mlops__free(r->error_path);
    r->error_message = r->error_path = NULL;
    r->error_code = mlops__error_nomem();
    r->error_offset = -1;
    return r->error_code;
}

/* Report strings carry names and bytes from the package: what is not UTF-8
 * is written as U+FFFD, so any report can be written. */
static int jset_str(mlops__json_doc *doc, mlops__json *o, const char *k, const char *v)
{
    mlops__json *s =
        v ? mlops__json_new_string_lossy(doc, v, strlen(v)) : mlops__json_new_null(doc);
    return s ? mlops__json_object_set(doc, o, k, s) : mlops__error_nomem();
}

/* "error": null for a package that verified, else {"code","message"} and,
 * where known, "path" and "offset". */
static int set_error(mlops__json_doc *doc, mlops__json *root, const mlops_package_report *r)
{
    if (!r->error_code)
        return jset_str(doc, root, "error", NULL);
    mlops__json *e = mlops__json_new_object(doc);
    if (!e)
        return mlops__error_nomem();
    int rc = jset_str(doc, e, "code", mlops_error_name(r->error_code));
    if (!rc)
        rc = jset_str(doc, e, "message", mlops_package_report_error_message(r));
    if (!rc && r->error_path)
        rc = jset_str(doc, e, "path", r->error_path);
    if (!rc && r->error_offset >= 0) {
        mlops__json *o = mlops__json_new_uint(doc, (uint64_t)r->error_offset);
        rc = o ? mlops__json_object_set(doc, e, "offset", o) : mlops__error_nomem();
    }
    if (!rc)
        rc = mlops__json_object_set(doc, root, "error", e);
    return rc;
}

int mlops_package_report_write_json(mlops_buf *out, const mlops_package_report *r,
                                    uint32_t flags)
{
    MLOPS__CHECK_ARG(out);
    MLOPS__CHECK_ARG(r);
    MLOPS__CHECK_FLAGS(flags, 0);
    mlops__json_doc *doc = NULL;
    int rc = mlops__json_doc_new(&doc);
    if (rc)
        return rc;
    mlops__json *root = mlops__json_new_object(doc), *arr = mlops__json_new_array(doc);
    mlops__json *valid = mlops__json_new_bool(doc, mlops_package_report_valid(r));
    mlops__json *nf = mlops__json_new_uint(doc, r->files_verified);
    mlops__json *sg = mlops__json_new_bool(doc, r->is_signed);
    mlops__json *pa = mlops__json_new_bool(doc, r->partial);
    if (!root || !arr || !valid || !nf || !sg || !pa) {
        rc = mlops__error_nomem();
        goto done;
    }
    mlops__json_doc_set_root(doc, root);
    rc = mlops__json_object_set(doc, root, "valid", valid);
    if (!rc)
        rc = mlops__json_object_set(doc, root, "partial", pa);
    if (!rc)
        rc = mlops__json_object_set(doc, root, "files_verified", nf);
    if (!rc)
        rc = mlops__json_object_set(doc, root, "signed", sg);
    if (!rc)
        rc = jset_str(doc, root, "statement_sha256",
                      r->m ? mlops_manifest_statement_sha256(r->m) : NULL);
    if (!rc)
        rc = set_error(doc, root, r);
    for (size_t i = 0; !rc && i < r->n; i++) {
        mlops__json *o = mlops__json_new_object(doc);
        if (!o) {
            rc = mlops__error_nomem();
            break;
        }
        rc = jset_str(doc, o, "code", mlops_error_name(r->p[i].code));
        if (!rc)
            rc = jset_str(doc, o, "entry", r->p[i].entry);
        if (!rc)
            rc = jset_str(doc, o, "expected", r->p[i].expected);
        if (!rc)
            rc = jset_str(doc, o, "found", r->p[i].found);
        if (!rc)
            rc = jset_str(doc, o, "message", r->p[i].message);
        if (!rc)
            rc = mlops__json_array_push(doc, arr, o);
    }
    if (!rc)
        rc = mlops__json_object_set(doc, root, "problems", arr);
    if (!rc)
        rc = mlops__json_write_canonical(out, root);
done:
    mlops__json_doc_free(doc);
    return rc;
}

/* ---- options ------------------------------------------------------------ */

static const mlops_package_verify_options verify_defaults = MLOPS_PACKAGE_VERIFY_OPTIONS_INIT;
#define VERIFY_OPTIONS_V1_SIZE sizeof(mlops_package_verify_options)

int mlops_package_verify_options_init(mlops_package_verify_options *opts, size_t size)
{
    return mlops__options_init(opts, size, &verify_defaults, sizeof verify_defaults,
                               VERIFY_OPTIONS_V1_SIZE, "mlops_package_verify_options");
}

/* ---- reading entries ---------------------------------------------------- */

int mlops__archive_error(struct archive *a, int64_t at, const char *path, const char *context)
{
    const char *msg = a ? archive_error_string(a) : NULL;
    int e = a ? archive_errno(a) : 0;
    if (e == ENOMEM)
        return mlops__error_nomem();
    /* libarchive's own codes: EILSEQ for a malformed archive, EINVAL for a
     * misuse, -1 for the rest (ARCHIVE_ERRNO_FILE_FORMAT, _PROGRAMMER, _MISC
     * in its private header); any other positive value is a system call's */
    if (e > 0 && e != EILSEQ && e != EINVAL)
        return mlops__error_at(MLOPS_E_IO, at, 0, 0, path, "%s: %s: %s", context,
                               msg ? msg : "I/O error", mlops__strerror(e));
    return mlops__error_at(MLOPS_E_PARSE, at, 0, 0, path, "%s: %s", context,
                           msg ? msg : "damaged archive");
}

static int tar_fail(reader *r, const char *entry, const char *what)
{
    la_int64_t at = r->a ? archive_filter_bytes(r->a, 0) : -1;
    char context[1024];
    snprintf(context, sizeof context, "%s: %s%s%s", r->pkg, what, entry ? " " : "",
             entry ? entry : "");
    return mlops__archive_error(r->a, at >= 0 ? (int64_t)at : -1, entry, context);
}

static int progress(reader *r, size_t n)
{
    r->read_bytes += n;
    if (r->o.progress && r->o.progress(r->read_bytes, r->pkg_size, r->o.progress_ctx) != 0)
        return mlops__error(MLOPS_E_CANCELLED, "%s: cancelled by the progress callback",
                            r->pkg);
    return 0;
}

/* Read a whole (metadata) entry into `out`, at most `max` bytes. */
static int read_small(reader *r, struct archive_entry *e, const char *name, size_t max,
                      mlops_buf *out)
{
    la_int64_t size = archive_entry_size(e);
    if (size < 0 || (uint64_t)size > max)
        return mlops__error_at(MLOPS_E_LIMIT, -1, 0, 0, name,
                               "%s: %s is %lld bytes, more than %zu for a metadata document",
                               r->pkg, name, (long long)size, max);
    int rc = mlops__buf_reserve(out, (size_t)size);
    if (rc)
        return rc;
    for (;;) {
        la_ssize_t n = archive_read_data(r->a, out->data + out->size, (size_t)size - out->size + 1);
        if (n < 0)
            return tar_fail(r, name, "reading");
        if (n == 0)
            break;
        out->size += (size_t)n;
        out->data[out->size] = '\0';
        rc = progress(r, (size_t)n);
        if (rc)
            return rc;
        if (out->size > (size_t)size)
            return tar_fail(r, name, "reading");
    }
    return 0;
}

static int parse_json(mlops__json_doc **doc, const mlops_buf *b, const char *name)
{
    mlops__json_limits lim = { 32, META_MAX };
    return mlops__json_parse(doc, b->data ? b->data : "", b->size, &lim, name);
}

static const char *string_member(const mlops__json *o, const char *key)
{
    const mlops__json *v = mlops__json_object_find(o, key);
    return v && mlops__json_type_of(v) == MLOPS__JSON_STRING ? mlops__json_string(v, NULL) : NULL;
}

/* Descriptor fields by which other tools fetch or select content and that
 * the packer never writes: `urls` (fetch the blob from elsewhere), `data`
 * (the content inline, used in place of the blob), `platform` (select by
 * OS and architecture). Unsigned, so never accepted. */
static int refuse_routing_fields(const mlops__json_path *path, const mlops__json *v)
{
    static const char *const fields[] = { "urls", "data", "platform" };
    if (!v || mlops__json_type_of(v) != MLOPS__JSON_OBJECT)
        return 0;
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        const mlops__json *f = mlops__json_object_find(v, fields[i]);
        if (f) {
            mlops__json_path q = *path;
            mlops__json_path_push_key(&q, fields[i]);
            return mlops__json_schema_error(&q, f,
                                            "\"%s\" is not part of a package (another tool "
                                            "would fetch or select content by it)",
                                            fields[i]);
        }
    }
    return 0;
}

/* The top of an OCI document: schemaVersion 2, the expected mediaType, and
 * no member outside `keys`. */
static int check_oci_root(const mlops__json_path *path, const mlops__json *root,
                          const char *media_type, const char *const *keys)
{
    int rc = mlops__json_check_keys(path, root, keys);
    if (rc)
        return rc;
    const mlops__json *sv = mlops__json_object_find(root, "schemaVersion");
    if (!sv || !mlops__json_is_integer(sv) || mlops__json_int(sv) != 2)
        return mlops__json_schema_error(path, sv ? sv : root, "\"schemaVersion\" must be 2");
    const char *mt = string_member(root, "mediaType");
    if (!mt || strcmp(mt, media_type) != 0)
        return mlops__json_schema_error(path, root, "\"mediaType\" must be \"%s\"",
                                        media_type);
    return 0;
}

/* A descriptor: {"mediaType","digest","size", ...}. */
static int read_descriptor(const mlops__json_path *path, const mlops__json *v,
                           const char **media_type, uint8_t digest[32], uint64_t *size)
{
    static const char *const keys[] = { "mediaType", "digest", "size", "annotations",
                                        "artifactType", NULL };
    int rc = refuse_routing_fields(path, v);
    if (!rc)
        rc = mlops__json_check_keys(path, v, keys);
    if (rc)
        return rc;
    const mlops__json *mt = mlops__json_object_find(v, "mediaType");
    const mlops__json *d = mlops__json_object_find(v, "digest");
    const mlops__json *s = mlops__json_object_find(v, "size");
    if (!mt || mlops__json_type_of(mt) != MLOPS__JSON_STRING)
        return mlops__json_schema_error(path, v, "a descriptor needs a string \"mediaType\"");
    if (!d || mlops__json_type_of(d) != MLOPS__JSON_STRING)
        return mlops__json_schema_error(path, v, "a descriptor needs a string \"digest\"");
    if (!s || !mlops__json_is_integer(s) || mlops__json_int(s) < 0)
        return mlops__json_schema_error(path, v, "a descriptor needs a non-negative \"size\"");
    if (mlops_digest_parse(digest, mlops__json_string(d, NULL)) != 0)
        return mlops__json_schema_error(path, d, "not a sha256 digest");
    *media_type = mlops__json_string(mt, NULL);
    *size = (uint64_t)mlops__json_int(s);
    return 0;
}

/* A copy of the string annotation `key` of an object (NULL when absent). */
static int dup_annotation(char **out, const mlops__json *o, const char *key)
{
    const mlops__json *a = mlops__json_object_find(o, "annotations");
    const char *v = a && mlops__json_type_of(a) == MLOPS__JSON_OBJECT ? string_member(a, key)
                                                                      : NULL;
    mlops__free(*out);
    *out = NULL;
    if (!v)
        return 0;
    *out = mlops__strdup(v);
    return *out ? 0 : mlops__error_nomem();
}

static int expect(blob_slot *slot, const uint8_t d[32], uint64_t size)
{
    slot->expected = 1;
    memcpy(slot->digest, d, 32);
    slot->size = size;
    return 0;
}

static int on_index(reader *r, const mlops_buf *b)
{
    mlops__json_doc *doc = NULL;
    int rc = parse_json(&doc, b, "index.json");
    if (rc)
        return rc;
    mlops__json_path path;
    mlops__json_path_init(&path);
    const mlops__json *root = mlops__json_root(doc);
    const mlops__json *ms = mlops__json_type_of(root) == MLOPS__JSON_OBJECT
                                ? mlops__json_object_find(root, "manifests")
                                : NULL;
    if (!ms || mlops__json_type_of(ms) != MLOPS__JSON_ARRAY) {
        rc = mlops__json_schema_error(&path, root, "index.json needs a \"manifests\" array");
        goto done;
    }
    static const char *const index_keys[] = { "schemaVersion", "mediaType", "manifests", NULL };
    rc = check_oci_root(&path, root, MLOPS__MT_OCI_INDEX, index_keys);
    if (rc)
        goto done;
    mlops__json_path_push_key(&path, "manifests");
    for (size_t i = 0; i < mlops__json_array_size(ms); i++) {
        const mlops__json *d = mlops__json_array_get(ms, i);
        mlops__json_path_push_index(&path, i);
        const char *mt;
        uint8_t dg[32];
        uint64_t size;
        rc = read_descriptor(&path, d, &mt, dg, &size);
        if (rc)
            goto done;
        const char *at = string_member(d, "artifactType");
        blob_slot *slot = NULL;
        if (at && strcmp(at, MLOPS__MT_MODEL_ARTIFACT) == 0)
            slot = &r->manifest;
        else if (at && strcmp(at, MLOPS__MT_DSSE) == 0)
            slot = &r->referrer;
        if (!slot || slot->expected || strcmp(mt, MLOPS__MT_OCI_MANIFEST) != 0) {
            rc = mlops__json_schema_error(&path, d, "expected one model manifest and at most "
                                                    "one signature referrer");
            goto done;
        }
        expect(slot, dg, size);
        /* the model's entry carries its ref.name and nothing else a tool
         * could select by; the referrer's entry no name at all (skopeo
         * would pull the signature as that tag) */
        const mlops__json *an = mlops__json_object_find(d, "annotations");
        if (an) {
            static const char *const model_ann[] = { "org.opencontainers.image.ref.name", NULL };
            mlops__json_path_push_key(&path, "annotations");
            rc = slot == &r->manifest
                     ? mlops__json_check_keys(&path, an, model_ann)
                     : mlops__json_schema_error(&path, an, "the signature referrer's entry "
                                                           "has no annotations");
            mlops__json_path_pop(&path);
            if (rc)
                goto done;
        }
        if (slot == &r->manifest) {
            rc = dup_annotation(&r->ref_name, d, "org.opencontainers.image.ref.name");
            if (rc)
                goto done;
        }
        mlops__json_path_pop(&path);
    }
    if (!r->manifest.expected)
        rc = mlops__json_schema_error(&path, ms, "index.json names no model manifest");
done:
    mlops__json_doc_free(doc);
    return rc;
}

static int on_manifest(reader *r, const mlops_buf *b)
{
    mlops__json_doc *doc = NULL;
    int rc = parse_json(&doc, b, "model manifest");
    if (rc)
        return rc;
    mlops__json_path path;
    mlops__json_path_init(&path);
    const mlops__json *root = mlops__json_root(doc);
    const char *at = mlops__json_type_of(root) == MLOPS__JSON_OBJECT
                         ? string_member(root, "artifactType")
                         : NULL;
    const mlops__json *cfg = at ? mlops__json_object_find(root, "config") : NULL;
    const mlops__json *ls = at ? mlops__json_object_find(root, "layers") : NULL;
    if (!at || strcmp(at, MLOPS__MT_MODEL_ARTIFACT) != 0 || !cfg || !ls ||
        mlops__json_type_of(ls) != MLOPS__JSON_ARRAY || mlops__json_array_size(ls) == 0) {
        rc = mlops__json_schema_error(&path, root, "not a model manifest (artifactType, config "
                                                   "and layers)");
        goto done;
    }
    static const char *const manifest_keys[] = { "schemaVersion", "mediaType", "artifactType",
                                                 "config", "layers", "annotations", NULL };
    rc = check_oci_root(&path, root, MLOPS__MT_OCI_MANIFEST, manifest_keys);
    if (rc)
        goto done;
    const mlops__json *man_ann = mlops__json_object_find(root, "annotations");
    if (man_ann) {
        /* the two the statement decides (checked against it below); a
         * ref.name or title here would be one more unsigned name */
        static const char *const ann_keys[] = { "org.opencontainers.image.created",
                                                "org.opencontainers.image.version", NULL };
        mlops__json_path_push_key(&path, "annotations");
        rc = mlops__json_check_keys(&path, man_ann, ann_keys);
        mlops__json_path_pop(&path);
        if (rc)
            goto done;
    }
    const char *mt;
    uint8_t dg[32];
    uint64_t size;
    mlops__json_path_push_key(&path, "config");
    rc = read_descriptor(&path, cfg, &mt, dg, &size);
    if (rc)
        goto done;
    expect(&r->config, dg, size);
    mlops__json_path_pop(&path);
    size_t n = mlops__json_array_size(ls);
    if (n > MAX_LAYERS) {
        rc = mlops__error(MLOPS_E_LIMIT, "%s: %zu layers, at most %d", r->pkg, n, MAX_LAYERS);
        goto done;
    }
    r->layers = mlops__calloc(n, sizeof *r->layers);
    if (!r->layers) {
        rc = mlops__error_nomem();
        goto done;
    }
    mlops__json_path_push_key(&path, "layers");
    for (size_t i = 0; i < n; i++) {
        const mlops__json *d = mlops__json_array_get(ls, i);
        mlops__json_path_push_index(&path, i);
        rc = read_descriptor(&path, d, &mt, dg, &size);
        if (rc)
            goto done;
        if (i == 0) {
            if (strcmp(mt, MLOPS__MT_STATEMENT) != 0) {
                rc = mlops__json_schema_error(&path, d, "the first layer must be the statement");
                goto done;
            }
            expect(&r->statement, dg, size);
            rc = dup_annotation(&r->stmt_title, d, "org.opencontainers.image.title");
            if (rc)
                goto done;
        } else {
            layer_desc *l = &r->layers[r->nlayers++];
            memcpy(l->digest, dg, 32);
            l->size = size;
            size_t len = strlen(mt);
            static const char prefix[] = "application/vnd.cncf.model.";
            if (len >= sizeof l->media_type || strncmp(mt, prefix, sizeof prefix - 1) != 0) {
                rc = mlops__json_schema_error(&path, d, "unknown layer media type");
                goto done;
            }
            strcpy(l->media_type, mt);
            rc = dup_annotation(&l->filepath, d, "org.cncf.model.filepath");
            if (!rc)
                rc = dup_annotation(&l->title, d, "org.opencontainers.image.title");
            if (rc)
                goto done;
            if (len > 4 && strcmp(mt + len - 4, ".raw") == 0)
                l->kind = LAYER_RAW;
            else if (len > 4 && strcmp(mt + len - 4, ".tar") == 0)
                l->kind = LAYER_TAR;
            else {
                rc = mlops__error_at(MLOPS_E_UNSUPPORTED, -1, 0, 0, NULL,
                                     "%s: layer media type \"%s\" is not supported", r->pkg,
                                     mt);
                goto done;
            }
        }
        mlops__json_path_pop(&path);
    }
    rc = dup_annotation(&r->mf_version, root, "org.opencontainers.image.version");
    if (!rc)
        rc = dup_annotation(&r->mf_created, root, "org.opencontainers.image.created");
done:
    mlops__json_doc_free(doc);
    return rc;
}

static int on_referrer(reader *r, const mlops_buf *b)
{
    mlops__json_doc *doc = NULL;
    int rc = parse_json(&doc, b, "signature referrer");
    if (rc)
        return rc;
    mlops__json_path path;
    mlops__json_path_init(&path);
    const mlops__json *root = mlops__json_root(doc);
    const char *at = mlops__json_type_of(root) == MLOPS__JSON_OBJECT
                         ? string_member(root, "artifactType")
                         : NULL;
    const mlops__json *ls = at ? mlops__json_object_find(root, "layers") : NULL;
    const mlops__json *subj = at ? mlops__json_object_find(root, "subject") : NULL;
    const mlops__json *cfg = at ? mlops__json_object_find(root, "config") : NULL;
    if (!at || strcmp(at, MLOPS__MT_DSSE) != 0 || !ls || !subj || !cfg ||
        mlops__json_type_of(ls) != MLOPS__JSON_ARRAY || mlops__json_array_size(ls) != 1) {
        rc = mlops__json_schema_error(&path, root, "not a signature referrer");
        goto done;
    }
    static const char *const referrer_keys[] = { "schemaVersion", "mediaType", "artifactType",
                                                 "config", "layers", "subject", NULL };
    rc = check_oci_root(&path, root, MLOPS__MT_OCI_MANIFEST, referrer_keys);
    if (rc)
        goto done;
    const char *mt;
    uint8_t dg[32];
    uint64_t size;
    mlops__json_path_push_key(&path, "subject");
    rc = read_descriptor(&path, subj, &mt, dg, &size);
    if (!rc && memcmp(dg, r->manifest.digest, 32) != 0)
        rc = mlops__json_schema_error(&path, subj, "the subject is not the model manifest");
    mlops__json_path_pop(&path);
    if (rc)
        goto done;
    mlops__json_path_push_key(&path, "config");
    rc = read_descriptor(&path, cfg, &mt, dg, &size);
    mlops__json_path_pop(&path);
    if (rc)
        goto done;
    expect(&r->empty, dg, size);
    mlops__json_path_push_key(&path, "layers");
    mlops__json_path_push_index(&path, 0);
    rc = read_descriptor(&path, mlops__json_array_get(ls, 0), &mt, dg, &size);
    if (!rc && strcmp(mt, MLOPS__MT_DSSE) != 0)
        rc = mlops__json_schema_error(&path, mlops__json_array_get(ls, 0),
                                      "the signature layer must be a DSSE envelope");
    if (!rc)
        expect(&r->envelope, dg, size);
done:
    mlops__json_doc_free(doc);
    return rc;
}

/* ---- routing documents against the statement -------------------------- */

/* The OCI documents are not signed, yet other tools route by them: `skopeo
 * copy oci-archive:x.mlpkg:<ver>` selects by index.json's ref.name, `oras
 * pull` names files by their layer titles, ModelPack tools by
 * org.cncf.model.filepath and the config's descriptor. Each must say what
 * the signed statement says, or the package is refused. */
static int routing_fault(reader *r, const char *doc, const char *what, const char *found,
                         const char *want)
{
    return mlops__error_at(MLOPS_E_INTEGRITY, -1, 0, 0, doc,
                           "%s: %s: %s is %s%.200s%s, the %sstatement says \"%.200s\"",
                           r->pkg, doc, what, found ? "\"" : "", found ? found : "absent",
                           found ? "\"" : "", r->rep->is_signed ? "signed " : "", want);
}

static const char *layer_kind_role(const char *media_type)
{
    static const struct { const char *kind, *role; } kinds[] = {
        { "weight", "model" }, { "weight.config", "config" }, { "doc", "doc" },
        { "code", "code" },    { "dataset", "dataset" },
    };
    static const char prefix[] = "application/vnd.cncf.model.";
    const char *k = media_type + sizeof prefix - 1;
    size_t len = strlen(k);
    if (len < 7 || strcmp(k + len - 7, ".v1.tar") != 0)
        return NULL;
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (strlen(kinds[i].kind) == len - 7 && memcmp(kinds[i].kind, k, len - 7) == 0)
            return kinds[i].role;
    return NULL;
}

static int check_config(reader *r, const mlops_manifest *m)
{
    mlops__json_doc *doc = NULL;
    int rc = parse_json(&doc, &r->config_doc, "config");
    if (rc)
        return rc;
    const mlops__json *root = mlops__json_root(doc);
    int obj = mlops__json_type_of(root) == MLOPS__JSON_OBJECT;
    const mlops__json *desc = obj ? mlops__json_object_find(root, "descriptor") : NULL;
    const mlops__json *cfg = obj ? mlops__json_object_find(root, "config") : NULL;
    const mlops__json *fs = obj ? mlops__json_object_find(root, "modelfs") : NULL;
    if (!desc || mlops__json_type_of(desc) != MLOPS__JSON_OBJECT || !fs ||
        mlops__json_type_of(fs) != MLOPS__JSON_OBJECT ||
        (cfg && mlops__json_type_of(cfg) != MLOPS__JSON_OBJECT)) {
        rc = mlops__error_at(MLOPS_E_INTEGRITY, -1, 0, 0, "config",
                             "%s: config: not a ModelPack config (descriptor, modelfs)", r->pkg);
        goto done;
    }
    const char *v;
    if (!(v = string_member(desc, "name")) || strcmp(v, mlops_manifest_name(m)) != 0)
        rc = routing_fault(r, "config", "descriptor.name", v, mlops_manifest_name(m));
    else if (!(v = string_member(desc, "version")) || strcmp(v, mlops_manifest_version(m)) != 0)
        rc = routing_fault(r, "config", "descriptor.version", v, mlops_manifest_version(m));
    else if (!(v = string_member(desc, "createdAt")) ||
             strcmp(v, mlops_manifest_created(m)) != 0)
        rc = routing_fault(r, "config", "descriptor.createdAt", v, mlops_manifest_created(m));
    if (rc)
        goto done;
    const char *fw = mlops_manifest_framework_name(m);
    v = cfg ? string_member(cfg, "format") : NULL;
    if ((fw || v || (cfg && mlops__json_object_find(cfg, "format"))) &&
        (!fw || !v || strcmp(fw, v) != 0)) {
        rc = routing_fault(r, "config", "config.format", v, fw ? fw : "(no framework)");
        goto done;
    }
    const mlops__json *ids = mlops__json_object_find(fs, "diffIds");
    v = string_member(fs, "type");
    if (!v || strcmp(v, "layers") != 0 || !ids || mlops__json_type_of(ids) != MLOPS__JSON_ARRAY ||
        mlops__json_array_size(ids) != r->nlayers) {
        rc = mlops__error_at(MLOPS_E_INTEGRITY, -1, 0, 0, "config",
                             "%s: config: modelfs must list the %zu file layers of the "
                             "manifest as diffIds",
                             r->pkg, r->nlayers);
        goto done;
    }
    for (size_t i = 0; i < r->nlayers; i++) {
        const mlops__json *d = mlops__json_array_get(ids, i);
        char want[72];
        mlops_digest_format(want, r->layers[i].digest);
        if (mlops__json_type_of(d) != MLOPS__JSON_STRING ||
            strcmp(mlops__json_string(d, NULL), want) != 0) {
            rc = mlops__error_at(MLOPS_E_INTEGRITY, -1, 0, 0, "config",
                                 "%s: config: modelfs.diffIds[%zu] is not the digest of "
                                 "layer %zu of the manifest (%s)",
                                 r->pkg, i, i + 1, want);
            goto done;
        }
    }
done:
    mlops__json_doc_free(doc);
    return rc;
}

/* Once the statement is trusted and the config was read. */
static int check_routing(reader *r)
{
    const mlops_manifest *m = r->rep->m;
    if (r->routing_checked || !m || !r->config.done)
        return 0;
    r->routing_checked = 1;
    const char *ver = mlops_manifest_version(m);
    if (!r->ref_name || strcmp(r->ref_name, ver) != 0)
        return routing_fault(r, "index.json", "org.opencontainers.image.ref.name", r->ref_name,
                             ver);
    if (!r->mf_version || strcmp(r->mf_version, ver) != 0)
        return routing_fault(r, "model manifest", "org.opencontainers.image.version",
                             r->mf_version, ver);
    if (!r->mf_created || strcmp(r->mf_created, mlops_manifest_created(m)) != 0)
        return routing_fault(r, "model manifest", "org.opencontainers.image.created",
                             r->mf_created, mlops_manifest_created(m));
    if (!r->stmt_title || strcmp(r->stmt_title, "statement.json") != 0)
        return routing_fault(r, "model manifest", "the statement layer's title", r->stmt_title,
                             "statement.json");
    for (size_t i = 0; i < r->nlayers; i++) {
        layer_desc *l = &r->layers[i];
        char what[64];
        snprintf(what, sizeof what, "layers[%zu] annotation", i + 1);
        if (l->kind == LAYER_RAW) {
            char hexd[65];
            mlops__hex(hexd, l->digest, MLOPS_SHA256_SIZE);
            size_t f = l->filepath ? mlops_manifest_file_find(m, l->filepath) : (size_t)-1;
            if (f == (size_t)-1 || strcmp(mlops_manifest_file_sha256(m, f), hexd) != 0 ||
                mlops_manifest_file_size(m, f) < MLOPS_PACKAGE_RAW_THRESHOLD) {
                char want[120];
                snprintf(want, sizeof want, "the path of a file of digest sha256:%.12s...",
                         hexd);
                return mlops__error_at(MLOPS_E_INTEGRITY, -1, 0, 0, "model manifest",
                                       "%s: model manifest: %s org.cncf.model.filepath is "
                                       "%s%.200s%s, not %s",
                                       r->pkg, what, l->filepath ? "\"" : "",
                                       l->filepath ? l->filepath : "absent",
                                       l->filepath ? "\"" : "", want);
            }
            const char *base = strrchr(l->filepath, '/');
            base = base ? base + 1 : l->filepath;
            if (!l->title || strcmp(l->title, base) != 0)
                return routing_fault(r, "model manifest", "org.opencontainers.image.title",
                                     l->title, base);
        } else {
            const char *role = layer_kind_role(l->media_type);
            char want[64];
            snprintf(want, sizeof want, "%s-files.tar", role ? role : "?");
            if (l->filepath)
                return routing_fault(r, "model manifest",
                                     "a tar layer's org.cncf.model.filepath", l->filepath,
                                     "(none)");
            if (!role || !l->title || strcmp(l->title, want) != 0)
                return routing_fault(r, "model manifest", "org.opencontainers.image.title",
                                     l->title, want);
        }
    }
    return check_config(r, m);
}

/* The statement is trusted: parse it and set up the per-file bookkeeping. */
static int trust_statement(reader *r, const char *bytes, size_t len)
{
    int rc = mlops_manifest_parse(&r->rep->m, bytes, len, NULL);
    if (rc)
        return mlops__error_prefix("%s: statement", r->pkg);
    size_t n = mlops_manifest_file_count(r->rep->m);
    r->file_seen = mlops__calloc(n ? n : 1, 1);
    r->wanted = mlops__calloc(n ? n : 1, 1);
    if (!r->file_seen || !r->wanted)
        return mlops__error_nomem();
    for (size_t i = 0; i < n; i++)
        r->wanted[i] = r->o.paths == NULL;
    for (size_t k = 0; r->o.paths && k < r->o.npaths; k++) {
        size_t i = mlops_manifest_file_find(r->rep->m, r->o.paths[k]);
        if (i == (size_t)-1)
            return mlops__error_at(MLOPS_E_NOTFOUND, -1, 0, 0, r->o.paths[k],
                                   "%s: \"%s\" is not a file of this package", r->pkg,
                                   r->o.paths[k]);
        r->wanted[i] = 1;
    }
    r->statement_trusted = 1;
    return check_routing(r);
}

static int on_envelope(reader *r, const mlops_buf *b)
{
    if (!r->o.trusted)
        return 0; /* unsigned verification: the statement blob is used */
    mlops_buf payload = MLOPS_BUF_INIT;
    mlops_dsse_verify_options vo = MLOPS_DSSE_VERIFY_OPTIONS_INIT;
    vo.threshold = r->o.threshold;
    int rc = mlops_dsse_verify(&payload, b->data ? b->data : "", b->size, r->o.trusted, &vo);
    if (rc) {
        mlops__error_prefix("%s", r->pkg);
        goto done;
    }
    uint8_t d[32];
    rc = mlops_digest_buffer(d, payload.data ? payload.data : "", payload.size);
    if (rc)
        goto done;
    if (memcmp(d, r->statement.digest, 32) != 0) {
        rc = mlops__error(MLOPS_E_SIGNATURE,
                          "%s: the signed statement is not the package's statement", r->pkg);
        goto done;
    }
    /* the signature verified and covers the statement */
    r->rep->is_signed = 1;
    rc = trust_statement(r, payload.data ? payload.data : "", payload.size);
done:
    mlops_buf_dispose(&payload);
    return rc;
}

/* ---- file content ------------------------------------------------------- */

/* Streams one file's bytes: hashes them (verify) or writes them (extract). */
typedef struct file_sink {
    reader *r;
    size_t index; /* statement file */
    int active;   /* 0: the bytes are skipped */
    uint64_t got;
    /* a file with signed shards: each shard is hashed as it streams by and
     * compared with its signed digest, so a streaming pass (extraction, or
     * verification from a pipe) checks what verification from a file does */
    EVP_MD_CTX *smd;
    size_t shard, nshards;
    uint64_t shard_end;
} file_sink;

static int shard_open(file_sink *s)
{
    uint64_t off = 0, size = 0;
    const char *want = NULL;
    if (mlops_manifest_file_shard(&off, &size, &want, s->r->rep->m, s->index, s->shard) != 0)
        return mlops__error(MLOPS_E_INTERNAL, "statement shard unreadable");
    s->shard_end = off + size;
    if (EVP_DigestInit_ex(s->smd, EVP_sha256(), NULL) != 1)
        return mlops__error(MLOPS_E_CRYPTO, "OpenSSL digest init failed");
    return 0;
}

/* The current shard is complete: compare it, open the next. */
static int shard_close(file_sink *s)
{
    reader *r = s->r;
    const mlops_manifest *m = r->rep->m;
    uint64_t off = 0, size = 0;
    const char *sw = NULL;
    uint8_t d[32];
    if (mlops_manifest_file_shard(&off, &size, &sw, m, s->index, s->shard) != 0)
        return mlops__error(MLOPS_E_INTERNAL, "statement shard unreadable");
    if (EVP_DigestFinal_ex(s->smd, d, NULL) != 1)
        return mlops__error(MLOPS_E_CRYPTO, "OpenSSL digest final failed");
    char want[72], got[72];
    snprintf(want, sizeof want, "sha256:%s", sw);
    mlops_digest_format(got, d);
    int rc = 0;
    if (strcmp(want, got) != 0) {
        const char *path = mlops_manifest_file_path(m, s->index);
        rc = problem_add(r, path, want, got,
                         "shard %zu of \"%s\" (bytes %llu to %llu) has digest %s, the "
                         "statement says %s",
                         s->shard, path, (unsigned long long)off,
                         (unsigned long long)(off + size - 1), got, want);
    }
    if (!rc && ++s->shard < s->nshards)
        rc = shard_open(s);
    return rc;
}

static int sink_begin(reader *r, file_sink *s, size_t i)
{
    s->r = r;
    s->index = i;
    s->got = 0;
    s->active = r->wanted[i];
    s->smd = NULL;
    s->shard = s->nshards = 0;
    if (!s->active)
        return 0;
    s->nshards = mlops_manifest_file_shard_count(r->rep->m, i);
    if (s->nshards) {
        s->smd = r->smd;
        int rc = shard_open(s);
        if (rc)
            return rc;
    }
    const char *path = mlops_manifest_file_path(r->rep->m, i);
    if (r->x) {
        uint8_t d[32];
        char full[80];
        snprintf(full, sizeof full, "sha256:%s", mlops_manifest_file_sha256(r->rep->m, i));
        if (mlops_digest_parse(d, full) != 0)
            return mlops__error(MLOPS_E_INTERNAL, "statement digest unreadable");
        return mlops__extract_file_begin(r->x, path, strlen(path),
                                         mlops_manifest_file_size(r->rep->m, i), d, 0);
    }
    if (EVP_DigestInit_ex(r->md, EVP_sha256(), NULL) != 1)
        return mlops__error(MLOPS_E_CRYPTO, "OpenSSL digest init failed");
    return 0;
}

static int sink_data(file_sink *s, const void *data, size_t len)
{
    uint64_t at = s->got;
    s->got += len;
    if (!s->active)
        return 0;
    /* the signed sizes bound the entry: no byte beyond the last shard */
    for (size_t done = 0; s->smd && s->shard < s->nshards && done < len;) {
        uint64_t room = s->shard_end - at;
        size_t n = len - done < room ? len - done : (size_t)room;
        if (EVP_DigestUpdate(s->smd, (const unsigned char *)data + done, n) != 1)
            return mlops__error(MLOPS_E_CRYPTO, "OpenSSL digest update failed");
        done += n;
        at += n;
        if (at == s->shard_end) {
            int rc = shard_close(s);
            if (rc)
                return rc;
        }
    }
    if (s->r->x)
        return mlops__extract_file_write(s->r->x, data, len);
    if (EVP_DigestUpdate(s->r->md, data, len) != 1)
        return mlops__error(MLOPS_E_CRYPTO, "OpenSSL digest update failed");
    return 0;
}

static int sink_end(file_sink *s)
{
    reader *r = s->r;
    const mlops_manifest *m = r->rep->m;
    const char *path = mlops_manifest_file_path(m, s->index);
    r->file_seen[s->index] = 1;
    if (!s->active)
        return 0;
    if (r->x) {
        int rc = mlops__extract_file_end(r->x, NULL);
        if (!rc)
            r->rep->files_verified++;
        return rc;
    }
    uint8_t d[32];
    if (EVP_DigestFinal_ex(r->md, d, NULL) != 1)
        return mlops__error(MLOPS_E_CRYPTO, "OpenSSL digest final failed");
    char got[72], want[72];
    snprintf(want, sizeof want, "sha256:%s", mlops_manifest_file_sha256(m, s->index));
    mlops_digest_format(got, d);
    if (strcmp(got, want) != 0)
        return problem_add(r, path, want, got, "file \"%s\" has digest %s, the statement says %s",
                           path, got, want);
    r->rep->files_verified++;
    return 0;
}

/* Find the raw-layer files with this digest (several files may share one). */
static size_t next_file_with_digest(const mlops_manifest *m, const char *hexd, size_t from)
{
    size_t n = mlops_manifest_file_count(m);
    for (size_t i = from; i < n; i++)
        if (strcmp(mlops_manifest_file_sha256(m, i), hexd) == 0 &&
            mlops_manifest_file_size(m, i) >= MLOPS_PACKAGE_RAW_THRESHOLD)
            return i;
    return (size_t)-1;
}

typedef struct blob_hash {
    EVP_MD_CTX *md;
    uint64_t size;
    /* the blob's digest is checked another way (a raw layer's digest is its
     * file's, which the file check compares): no second hash */
    int checked;
} blob_hash;

/* ---- shards of one large file on several threads ----------------------- */

#define MAX_SHARD_THREADS 8

/* A raw layer whose file has signed shard digests is checked shard by
 * shard: the threads read their shards from the package with pread() at
 * the entry's data offset and compare each with its signed digest, so one
 * large file verifies on every core. Meanwhile the caller's thread hashes
 * the whole file in order and compares it with the file's signed digest
 * (the layer's name), as extraction and a streaming verification do, so
 * the wall time is about one sequential hash and verification can never
 * accept what extraction refuses. Only the caller's thread calls the
 * progress callback, counting the bytes of the whole-file hash. */
typedef struct shard_job {
    reader *r;
    size_t file, nshards;
    uint64_t base; /* offset of the entry's data in the package */
    pthread_mutex_t lock;
    size_t next;
    uint64_t done, reported;
    int stop;
    int err_code;
    char err_msg[512];
    unsigned char *bad;     /* per shard: 1 when its digest differs */
    uint8_t (*found)[32];   /* per shard: the digest found */
} shard_job;

static void shard_fail(shard_job *j, int code, const char *msg)
{
    pthread_mutex_lock(&j->lock);
    if (!j->err_code) {
        j->err_code = code;
        snprintf(j->err_msg, sizeof j->err_msg, "%s", msg);
    }
    j->stop = 1;
    pthread_mutex_unlock(&j->lock);
}

/* Hash [off, off + len) of the package into `md`. 0, or a failure that was
 * recorded in the job (never in the thread's error record). With `report`
 * (the caller's thread only), the bytes are counted and reported to the
 * progress callback. */
static int pread_hash(shard_job *j, EVP_MD_CTX *md, uint64_t off, uint64_t len,
                      unsigned char *buf, int report)
{
    reader *r = j->r;
    while (len) {
        size_t want = len < READ_BLOCK ? (size_t)len : READ_BLOCK;
        ssize_t n = pread(r->fd, buf, want, (off_t)off);
        if (n < 0 && errno == EINTR)
            continue;
        char msg[512];
        if (n <= 0) {
            snprintf(msg, sizeof msg, "%s: %s", r->pkg,
                     n < 0 ? mlops__strerror(errno) : "truncated archive (a layer ends early)");
            shard_fail(j, n < 0 ? MLOPS_E_IO : MLOPS_E_PARSE, msg);
            return -1;
        }
        if (EVP_DigestUpdate(md, buf, (size_t)n) != 1) {
            shard_fail(j, MLOPS_E_CRYPTO, "OpenSSL digest update failed");
            return -1;
        }
        off += (uint64_t)n;
        len -= (uint64_t)n;
        pthread_mutex_lock(&j->lock);
        if (report)
            j->done += (uint64_t)n;
        uint64_t now = j->done;
        int stop = j->stop;
        pthread_mutex_unlock(&j->lock);
        if (stop)
            return -1;
        if (report && now > j->reported) {
            size_t delta = (size_t)(now - j->reported);
            j->reported = now;
            if (progress(r, delta) != 0) {
                shard_fail(j, MLOPS_E_CANCELLED, mlops_error_last());
                return -1;
            }
        }
    }
    return 0;
}

static void shard_worker(shard_job *j, unsigned char *buf)
{
    const mlops_manifest *m = j->r->rep->m;
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    if (!md) {
        shard_fail(j, MLOPS_E_NOMEM, "out of memory");
        return;
    }
    for (;;) {
        pthread_mutex_lock(&j->lock);
        size_t k = j->next++;
        int stop = j->stop;
        pthread_mutex_unlock(&j->lock);
        if (stop || k >= j->nshards)
            break;
        uint64_t off = 0, size = 0;
        const char *want = NULL;
        uint8_t d[32];
        char full[80];
        if (mlops_manifest_file_shard(&off, &size, &want, m, j->file, k) != 0 ||
            snprintf(full, sizeof full, "sha256:%s", want) <= 0 ||
            mlops_digest_parse(d, full) != 0) {
            shard_fail(j, MLOPS_E_INTERNAL, "statement shard unreadable");
            break;
        }
        if (EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1) {
            shard_fail(j, MLOPS_E_CRYPTO, "OpenSSL digest init failed");
            break;
        }
        if (pread_hash(j, md, j->base + off, size, buf, 0) != 0)
            break;
        if (EVP_DigestFinal_ex(md, j->found[k], NULL) != 1) {
            shard_fail(j, MLOPS_E_CRYPTO, "OpenSSL digest final failed");
            break;
        }
        j->bad[k] = memcmp(j->found[k], d, 32) != 0;
    }
    EVP_MD_CTX_free(md);
}

typedef struct shard_thread {
    shard_job *j;
    unsigned char *buf;
} shard_thread;

static void *shard_thread_main(void *arg)
{
    shard_thread *t = arg;
    shard_worker(t->j, t->buf);
    return NULL;
}

/* The shard threads beside the caller's (which hashes the whole file): the
 * online CPUs but one, at least one, at most MAX_SHARD_THREADS. */
static unsigned shard_threads(size_t nshards)
{
    long cpus = sysconf(_SC_NPROCESSORS_ONLN) - 1;
    unsigned n = cpus < 1 ? 1 : cpus > MAX_SHARD_THREADS ? MAX_SHARD_THREADS : (unsigned)cpus;
    return nshards < n ? (unsigned)nshards : n;
}

/* The whole file [base, base + size) hashed in order on the caller's
 * thread, reporting progress; 0 with the digest in `d`, or -1 with the
 * failure recorded in the job. */
static int whole_hash(shard_job *j, uint64_t size, unsigned char *buf, uint8_t d[32])
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    int rc = -1;
    if (!md || EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1)
        shard_fail(j, md ? MLOPS_E_CRYPTO : MLOPS_E_NOMEM,
                   md ? "OpenSSL digest init failed" : "out of memory");
    else if (pread_hash(j, md, j->base, size, buf, 1) == 0) {
        if (EVP_DigestFinal_ex(md, d, NULL) == 1)
            rc = 0;
        else
            shard_fail(j, MLOPS_E_CRYPTO, "OpenSSL digest final failed");
    }
    EVP_MD_CTX_free(md);
    return rc;
}

/* Verify statement file `file` (a raw layer, `name`, with shards) from the
 * package at its data offset; *ok is set when every shard and the whole
 * file matched. The entry's bytes are then skipped in the tar stream. */
static int verify_shards(reader *r, size_t file, const char *name, uint64_t size, int *ok)
{
    const mlops_manifest *m = r->rep->m;
    *ok = 0;
    /* where the data starts: what the tar reader has consumed so far; the
     * first bytes read through it must be the ones at that offset */
    la_int64_t base = archive_filter_bytes(r->a, 0);
    size_t probe = size < 4096 ? (size_t)size : 4096;
    unsigned char head[4096];
    if (base < 0 || (uint64_t)base > r->pkg_size || r->pkg_size - (uint64_t)base < size)
        return mlops__error_at(MLOPS_E_PARSE, -1, 0, 0, name,
                               "%s: truncated archive (layer %s ends early)", r->pkg, name);
    la_ssize_t got = archive_read_data(r->a, r->buf, probe);
    if (got < 0)
        return tar_fail(r, name, "reading");
    ssize_t at = (size_t)got == probe ? mlops__pread_full(r->fd, head, probe, (off_t)base) : 0;
    if (at < 0)
        return mlops__error_at(MLOPS_E_IO, -1, 0, 0, r->pkg, "%s: read failed: %s", r->pkg,
                               mlops__strerror(errno));
    if ((size_t)got != probe || at != (ssize_t)probe || memcmp(head, r->buf, probe) != 0)
        return mlops__error_at(MLOPS_E_PARSE, -1, 0, 0, name,
                               "%s: the data of %s is not where its header ends", r->pkg, name);
    int rc = progress(r, (size_t)got);
    if (rc)
        return rc;
    shard_job j;
    memset(&j, 0, sizeof j);
    j.r = r;
    j.file = file;
    j.nshards = mlops_manifest_file_shard_count(m, file);
    j.base = (uint64_t)base;
    j.reported = (uint64_t)got; /* already counted, and hashed again */
    /* the shard threads; the caller's thread hashes the whole file */
    unsigned nthreads = shard_threads(j.nshards);
    shard_thread th[MAX_SHARD_THREADS];
    pthread_t tids[MAX_SHARD_THREADS];
    unsigned started = 0;
    int lock_ready = 0;
    uint8_t whole[32];
    memset(th, 0, sizeof th);
    j.bad = mlops__calloc(j.nshards, 1);
    j.found = mlops__calloc(j.nshards, sizeof *j.found);
    for (unsigned t = 0; t < nthreads && j.bad && j.found; t++) {
        th[t].j = &j;
        th[t].buf = mlops__malloc(READ_BLOCK);
        if (!th[t].buf)
            break;
    }
    if (!j.bad || !j.found || !th[nthreads - 1].buf) {
        rc = mlops__error_nomem();
        goto done;
    }
    if (pthread_mutex_init(&j.lock, NULL) != 0) {
        rc = mlops__error(MLOPS_E_INTERNAL, "pthread_mutex_init failed");
        goto done;
    }
    lock_ready = 1;
    for (unsigned t = 0; t < nthreads; t++) {
        if (pthread_create(&tids[started], NULL, shard_thread_main, &th[t]) != 0)
            break; /* fewer threads is still correct */
        started++;
    }
    int whole_rc = whole_hash(&j, size, r->buf, whole);
    if (started == 0 && whole_rc == 0)
        shard_worker(&j, th[0].buf); /* no thread could be started */
    for (unsigned t = 0; t < started; t++)
        pthread_join(tids[t], NULL);
    if (j.err_code) {
        rc = j.err_code == MLOPS_E_CANCELLED
                 ? mlops__error(MLOPS_E_CANCELLED, "%s", j.err_msg)
                 : mlops__error_at(j.err_code, -1, 0, 0, name, "%s", j.err_msg);
        goto done;
    }
    /* the part read through the tar reader was counted; the rest is skipped */
    if (j.done > j.reported) {
        rc = progress(r, (size_t)(j.done - j.reported));
        if (rc)
            goto done;
    }
    size_t nbad = 0;
    for (size_t k = 0; k < j.nshards; k++)
        nbad += j.bad[k];
    char want[72], got_s[72];
    snprintf(want, sizeof want, "sha256:%s", mlops_manifest_file_sha256(m, file));
    mlops_digest_format(got_s, whole);
    if (nbad == 0 && strcmp(want, got_s) == 0) {
        *ok = 1;
    } else if (nbad == 0) {
        /* the signed shards hold, the signed whole digest does not: the
         * statement contradicts itself, and extraction would refuse it */
        const char *path = mlops_manifest_file_path(m, file);
        rc = problem_add(r, path, want, got_s,
                         "file \"%s\" has digest %s, the statement says %s (each of its %zu "
                         "shards matches its signed digest)",
                         path, got_s, want, j.nshards);
    } else {
        const char *path = mlops_manifest_file_path(m, file);
        char list[160];
        size_t used = 0;
        list[0] = '\0';
        for (size_t k = 0; k < j.nshards && used < sizeof list - 24; k++)
            if (j.bad[k])
                used += (size_t)snprintf(list + used, sizeof list - used, "%s%zu",
                                         used ? ", " : "", k);
        rc = problem_add(r, path, want, got_s,
                         "file \"%s\" has digest %s, the statement says %s (shard%s %s of %zu "
                         "differ%s)",
                         path, got_s, want, nbad == 1 ? "" : "s", list, j.nshards,
                         nbad == 1 ? "s" : "");
        for (size_t k = 0; !rc && k < j.nshards; k++) {
            if (!j.bad[k])
                continue;
            uint64_t off = 0, ssize = 0;
            const char *sw = NULL;
            mlops_manifest_file_shard(&off, &ssize, &sw, m, file, k);
            char sh_want[72], sh_got[72];
            snprintf(sh_want, sizeof sh_want, "sha256:%s", sw);
            mlops_digest_format(sh_got, j.found[k]);
            rc = problem_add(r, path, sh_want, sh_got,
                             "shard %zu of \"%s\" (bytes %llu to %llu) has digest %s, the "
                             "statement says %s",
                             k, path, (unsigned long long)off,
                             (unsigned long long)(off + ssize - 1), sh_got, sh_want);
        }
    }
    if (!rc && archive_read_data_skip(r->a) != ARCHIVE_OK)
        rc = tar_fail(r, name, "skipping");
done:
    if (lock_ready)
        pthread_mutex_destroy(&j.lock);
    for (unsigned t = 0; t < MAX_SHARD_THREADS; t++)
        mlops__free(th[t].buf);
    mlops__free(j.bad);
    mlops__free(j.found);
    return rc;
}

static int on_raw_layer(reader *r, layer_desc *l, const char *name, blob_hash *bh,
                        uint64_t entry_size)
{
    const mlops_manifest *m = r->rep->m;
    char hexd[65];
    mlops__hex(hexd, l->digest, MLOPS_SHA256_SIZE);
    size_t first = next_file_with_digest(m, hexd, 0);
    if (first == (size_t)-1) {
        int rc = problem_add(r, name, "", hexd, "layer %s is not a file of the statement", hexd);
        if (rc)
            return rc;
        return archive_read_data_skip(r->a) == ARCHIVE_OK ? 0 : tar_fail(r, name, "skipping");
    }
    if (entry_size != mlops_manifest_file_size(m, first)) {
        /* refused before a byte is read: the signed size bounds the work */
        char want[32], got[32];
        snprintf(want, sizeof want, "%llu",
                 (unsigned long long)mlops_manifest_file_size(m, first));
        snprintf(got, sizeof got, "%llu", (unsigned long long)entry_size);
        l->seen = 2;
        for (size_t i = first; i != (size_t)-1; i = next_file_with_digest(m, hexd, i + 1))
            r->file_seen[i] = 1;
        int rc = problem_add(r, mlops_manifest_file_path(m, first), want, got,
                             "file \"%s\" is %s bytes, the statement says %s",
                             mlops_manifest_file_path(m, first), got, want);
        if (rc)
            return rc;
        return archive_read_data_skip(r->a) == ARCHIVE_OK ? 0 : tar_fail(r, name, "skipping");
    }
    int any = 0;
    for (size_t i = first; i != (size_t)-1; i = next_file_with_digest(m, hexd, i + 1))
        any |= r->wanted[i];
    if (!any) {
        for (size_t i = first; i != (size_t)-1; i = next_file_with_digest(m, hexd, i + 1))
            r->file_seen[i] = 1;
        return archive_read_data_skip(r->a) == ARCHIVE_OK ? 0 : tar_fail(r, name, "skipping");
    }
    /* the blob is streamed into the first wanted file of that content */
    size_t lead = first;
    while (!r->wanted[lead])
        lead = next_file_with_digest(m, hexd, lead + 1);
    int rc;
    int lead_ok;
    if (!r->x && r->seekable && mlops_manifest_file_shard_count(m, lead) >= 2) {
        /* verified shard by shard, on several threads: the signed shard
         * digests cover every byte, so the bytes are hashed once */
        rc = verify_shards(r, lead, name, entry_size, &lead_ok);
        if (rc)
            return rc;
        bh->checked = 1;
        r->file_seen[lead] = 1;
        if (lead_ok)
            r->rep->files_verified++;
        goto copies;
    }
    file_sink s;
    rc = sink_begin(r, &s, lead);
    if (rc)
        return rc;
    for (;;) {
        la_ssize_t n = archive_read_data(r->a, r->buf, READ_BLOCK);
        if (n < 0)
            return tar_fail(r, name, "reading");
        if (n == 0)
            break;
        bh->size += (uint64_t)n;
        rc = sink_data(&s, r->buf, (size_t)n);
        if (!rc)
            rc = progress(r, (size_t)n);
        if (rc)
            return rc;
    }
    /* the lead file's digest is the blob's name (matched above): checking
     * the file checks the blob, so the bytes are hashed once */
    bh->checked = 1;
    size_t verified_before = r->rep->files_verified;
    rc = sink_end(&s);
    lead_ok = r->rep->files_verified > verified_before;
copies:
    /* identical files: one blob verifies them all (when it verified);
     * extraction copies the lead file (checked again while copied) */
    for (size_t i = first; !rc && i != (size_t)-1; i = next_file_with_digest(m, hexd, i + 1)) {
        r->file_seen[i] = 1;
        if (i == lead || !r->wanted[i] || !lead_ok)
            continue;
        if (r->x) {
            uint8_t d[32];
            char full[80];
            snprintf(full, sizeof full, "sha256:%s", hexd);
            rc = mlops_digest_parse(d, full);
            if (!rc)
                rc = mlops__extract_copy(r->x, mlops_manifest_file_path(m, lead),
                                         mlops_manifest_file_path(m, i),
                                         mlops_manifest_file_size(m, i), d);
        }
        if (!rc)
            r->rep->files_verified++;
    }
    return rc;
}

/* The inner tar of a small-file layer reads through the outer entry. */
typedef struct inner_ctx {
    reader *r;
    blob_hash *bh;
    const char *name;
    int rc;
    unsigned char *buf;
} inner_ctx;

static la_ssize_t inner_read(struct archive *a, void *ctx, const void **out)
{
    (void)a;
    inner_ctx *c = ctx;
    la_ssize_t n = archive_read_data(c->r->a, c->buf, READ_BLOCK);
    if (n < 0) {
        c->rc = tar_fail(c->r, c->name, "reading");
        return -1;
    }
    if (n > 0) {
        if (EVP_DigestUpdate(c->bh->md, c->buf, (size_t)n) != 1) {
            c->rc = mlops__error(MLOPS_E_CRYPTO, "OpenSSL digest update failed");
            return -1;
        }
        c->bh->size += (uint64_t)n;
        int rc = progress(c->r, (size_t)n);
        if (rc) {
            c->rc = rc;
            return -1;
        }
    }
    *out = c->buf;
    return n;
}

static int inner_entries(reader *r, struct archive *in, inner_ctx *c, layer_desc *l)
{
    const mlops_manifest *m = r->rep->m;
    struct archive_entry *e;
    for (;;) {
        int ar = archive_read_next_header(in, &e);
        if (ar == ARCHIVE_EOF)
            return 0;
        if (ar != ARCHIVE_OK)
            return c->rc ? c->rc
                         : mlops__error_at(MLOPS_E_PARSE, -1, 0, 0, c->name,
                                           "%s: layer %s: %s", r->pkg, c->name,
                                           archive_error_string(in));
        const char *path = archive_entry_pathname(e);
        if (!path)
            return mlops__error(MLOPS_E_PARSE, "%s: an entry of %s has no path", r->pkg, c->name);
        int rc = mlops__tar_entry_check(e, path);
        if (!rc && archive_entry_filetype(e) != AE_IFREG)
            rc = mlops__error_at(MLOPS_E_UNSAFE, -1, 0, 0, path,
                                 "%s: layer entry \"%s\" is not a regular file", r->pkg, path);
        if (!rc)
            rc = mlops__path_check(path, strlen(path));
        if (rc)
            return rc;
        size_t i = mlops_manifest_file_find(m, path);
        uint64_t size = (uint64_t)archive_entry_size(e);
        if (i == (size_t)-1 || r->file_seen[i] ||
            mlops_manifest_file_size(m, i) >= MLOPS_PACKAGE_RAW_THRESHOLD ||
            !mlops_manifest_file_media_type(m, i) ||
            strcmp(mlops_manifest_file_media_type(m, i), l->media_type) != 0) {
            rc = problem_add(r, path, "", "",
                             i == (size_t)-1 ? "\"%s\" is not a file of the statement"
                             : r->file_seen[i] ? "\"%s\" appears twice"
                                               : "\"%s\" is not in the layer it belongs to",
                             path);
            if (rc)
                return rc;
            continue;
        }
        if (size != mlops_manifest_file_size(m, i)) {
            char want[32], got[32];
            snprintf(want, sizeof want, "%llu", (unsigned long long)mlops_manifest_file_size(m, i));
            snprintf(got, sizeof got, "%llu", (unsigned long long)size);
            r->file_seen[i] = 1;
            rc = problem_add(r, path, want, got, "file \"%s\" is %s bytes, the statement says %s",
                             path, got, want);
            if (rc)
                return rc;
            continue;
        }
        file_sink s;
        rc = sink_begin(r, &s, i);
        if (rc)
            return rc;
        for (;;) {
            la_ssize_t n = archive_read_data(in, r->buf, READ_BLOCK);
            if (n < 0)
                return c->rc ? c->rc
                             : mlops__error_at(MLOPS_E_PARSE, -1, 0, 0, path, "%s: %s: %s",
                                               r->pkg, path, archive_error_string(in));
            if (n == 0)
                break;
            rc = sink_data(&s, r->buf, (size_t)n);
            if (rc)
                return rc;
        }
        rc = sink_end(&s);
        if (rc)
            return rc;
    }
}

static int on_tar_layer(reader *r, layer_desc *l, const char *name, blob_hash *bh)
{
    const mlops_manifest *m = r->rep->m;
    int any = 0;
    for (size_t i = 0; i < mlops_manifest_file_count(m); i++) {
        const char *mt = mlops_manifest_file_media_type(m, i);
        if (mt && strcmp(mt, l->media_type) == 0 && r->wanted[i])
            any = 1;
    }
    if (!any) {
        for (size_t i = 0; i < mlops_manifest_file_count(m); i++) {
            const char *mt = mlops_manifest_file_media_type(m, i);
            if (mt && strcmp(mt, l->media_type) == 0)
                r->file_seen[i] = 1;
        }
        l->seen = 2; /* skipped: its digest is not checked */
        return archive_read_data_skip(r->a) == ARCHIVE_OK ? 0 : tar_fail(r, name, "skipping");
    }
    inner_ctx c = { r, bh, name, 0, NULL };
    c.buf = mlops__malloc(READ_BLOCK);
    struct archive *in = archive_read_new();
    int rc = 0;
    if (!c.buf || !in) {
        rc = mlops__error_nomem();
        goto done;
    }
    if (archive_read_support_format_tar(in) != ARCHIVE_OK ||
        archive_read_open(in, &c, NULL, inner_read, NULL) != ARCHIVE_OK) {
        rc = c.rc ? c.rc
                  : mlops__error_at(MLOPS_E_PARSE, -1, 0, 0, name, "%s: layer %s: %s", r->pkg,
                                    name, archive_error_string(in));
        goto done;
    }
    rc = inner_entries(r, in, &c, l);
    /* the rest of the layer (end-of-archive blocks) still counts */
    const void *dummy;
    while (!rc) {
        la_ssize_t n = inner_read(in, &c, &dummy);
        if (n < 0)
            rc = c.rc;
        if (n <= 0)
            break;
    }
done:
    if (in)
        archive_read_free(in);
    mlops__free(c.buf);
    return rc;
}

static int on_layer(reader *r, layer_desc *l, const char *name, uint64_t entry_size)
{
    if (!r->statement_trusted) {
        /* index.json came first: whether it names a signature is known */
        if (r->o.trusted && !r->referrer.expected)
            return mlops__error_at(MLOPS_E_SIGNATURE, -1, 0, 0, name,
                                   "%s: the package is not signed (index.json names no "
                                   "signature), and trusted keys were given",
                                   r->pkg);
        return r->o.trusted
                   ? mlops__error_at(MLOPS_E_SIGNATURE, -1, 0, 0, name,
                                     "%s: file content before a verified signature", r->pkg)
                   : mlops__error_at(MLOPS_E_INTEGRITY, -1, 0, 0, name,
                                     "%s: file content before the statement", r->pkg);
    }
    if (entry_size != l->size) {
        char want[32], got[32];
        snprintf(want, sizeof want, "%llu", (unsigned long long)l->size);
        snprintf(got, sizeof got, "%llu", (unsigned long long)entry_size);
        return mlops__error_at(MLOPS_E_INTEGRITY, -1, 0, 0, name,
                               "%s: blob %s is %s bytes, its descriptor says %s", r->pkg, name,
                               got, want);
    }
    blob_hash bh = { EVP_MD_CTX_new(), 0, 0 };
    if (!bh.md)
        return mlops__error_nomem();
    int rc = EVP_DigestInit_ex(bh.md, EVP_sha256(), NULL) == 1
                 ? 0
                 : mlops__error(MLOPS_E_CRYPTO, "OpenSSL digest init failed");
    l->seen = 1;
    if (!rc)
        rc = l->kind == LAYER_RAW ? on_raw_layer(r, l, name, &bh, entry_size)
                                  : on_tar_layer(r, l, name, &bh);
    if (!rc && l->seen == 1 && !bh.checked && bh.size == l->size) {
        uint8_t d[32];
        char want[72], got[72];
        EVP_DigestFinal_ex(bh.md, d, NULL);
        if (memcmp(d, l->digest, 32) != 0) {
            mlops_digest_format(want, l->digest);
            mlops_digest_format(got, d);
            rc = problem_add(r, name, want, got, "blob %s has digest %s", name, got);
        }
    }
    EVP_MD_CTX_free(bh.md);
    return rc;
}

/* ---- metadata blobs ----------------------------------------------------- */

static int check_meta(reader *r, blob_slot *slot, const char *name, const mlops_buf *b)
{
    uint8_t d[32];
    int rc = mlops_digest_buffer(d, b->data ? b->data : "", b->size);
    if (rc)
        return rc;
    if (memcmp(d, slot->digest, 32) != 0 || b->size != slot->size) {
        char want[72], got[72];
        mlops_digest_format(want, slot->digest);
        mlops_digest_format(got, d);
        return mlops__error_at(MLOPS_E_INTEGRITY, -1, 0, 0, name,
                               "%s: %s: content %s (%zu bytes), expected %s (%llu bytes)",
                               r->pkg, name, got, b->size, want,
                               (unsigned long long)slot->size);
    }
    slot->done = 1;
    return 0;
}

static blob_slot *meta_slot(reader *r, const uint8_t d[32])
{
    blob_slot *slots[] = { &r->manifest, &r->config, &r->statement,
                           &r->referrer, &r->empty,  &r->envelope };
    for (size_t i = 0; i < sizeof slots / sizeof slots[0]; i++)
        if (slots[i]->expected && !slots[i]->done && memcmp(slots[i]->digest, d, 32) == 0)
            return slots[i];
    return NULL;
}

static int on_blob(reader *r, struct archive_entry *e, const char *name, const uint8_t d[32])
{
    blob_slot *slot = meta_slot(r, d);
    if (slot) {
        mlops_buf b = MLOPS_BUF_INIT;
        int rc = read_small(r, e, name, META_MAX, &b);
        if (!rc)
            rc = check_meta(r, slot, name, &b);
        if (!rc && slot == &r->config) {
            /* checked against the statement once it is trusted */
            mlops_buf_dispose(&r->config_doc);
            r->config_doc = b;
            b = (mlops_buf)MLOPS_BUF_INIT;
            rc = check_routing(r);
        } else if (!rc && slot == &r->manifest)
            rc = on_manifest(r, &b);
        else if (!rc && slot == &r->referrer)
            rc = on_referrer(r, &b);
        else if (!rc && slot == &r->envelope)
            rc = on_envelope(r, &b);
        else if (!rc && slot == &r->statement && !r->o.trusted)
            rc = trust_statement(r, b.data ? b.data : "", b.size);
        mlops_buf_dispose(&b);
        return rc;
    }
    for (size_t i = 0; i < r->nlayers; i++)
        if (!r->layers[i].seen && memcmp(r->layers[i].digest, d, 32) == 0) {
            int lrc = on_layer(r, &r->layers[i], name, (uint64_t)archive_entry_size(e));
            /* a manifest may list one blob twice (identical files); it is
             * stored once */
            for (size_t k = i + 1; k < r->nlayers; k++)
                if (memcmp(r->layers[k].digest, d, 32) == 0)
                    r->layers[k].seen = r->layers[i].seen;
            return lrc;
        }
    int rc = problem_add(r, name, "", "", "blob %s is not referenced by what came before it",
                         name);
    if (rc)
        return rc;
    return archive_read_data_skip(r->a) == ARCHIVE_OK ? 0 : tar_fail(r, name, "skipping");
}

static int on_entry(reader *r, struct archive_entry *e)
{
    const char *name = archive_entry_pathname(e);
    if (!name)
        return mlops__error(MLOPS_E_PARSE, "%s: an entry has no path", r->pkg);
    int rc = mlops__tar_entry_check(e, name);
    if (rc)
        return rc;
    size_t len = strlen(name);
    int is_dir = archive_entry_filetype(e) == AE_IFDIR;
    if (is_dir && len > 1 && name[len - 1] == '/')
        len--;
    rc = mlops__path_check(name, len);
    if (rc)
        return rc;
    r->entries++;
    if (is_dir) {
        if ((len == 5 && memcmp(name, "blobs", 5) == 0) ||
            (len == 12 && memcmp(name, "blobs/sha256", 12) == 0))
            return 0;
        return problem_add(r, name, "", "", "unexpected directory \"%s\"", name);
    }
    if (r->entries == 1 || strcmp(name, "oci-layout") == 0) {
        if (r->entries != 1 || strcmp(name, "oci-layout") != 0)
            return mlops__error_at(MLOPS_E_SCHEMA, -1, 0, 0, name,
                                   "%s: the first entry must be oci-layout, not \"%s\"", r->pkg,
                                   name);
        mlops_buf b = MLOPS_BUF_INIT;
        rc = read_small(r, e, name, 4096, &b);
        if (!rc && (b.size != 30 || memcmp(b.data, "{\"imageLayoutVersion\":\"1.0.0\"}", 30) != 0)) {
            mlops__json_doc *doc = NULL;
            rc = parse_json(&doc, &b, "oci-layout");
            if (!rc) {
                const char *v = mlops__json_type_of(mlops__json_root(doc)) == MLOPS__JSON_OBJECT
                                    ? string_member(mlops__json_root(doc), "imageLayoutVersion")
                                    : NULL;
                if (!v || strcmp(v, "1.0.0") != 0)
                    rc = mlops__error_at(MLOPS_E_VERSION, -1, 0, 0, name,
                                         "%s: OCI layout version is not 1.0.0", r->pkg);
            }
            mlops__json_doc_free(doc);
        }
        mlops_buf_dispose(&b);
        return rc;
    }
    if (strcmp(name, "index.json") == 0) {
        if (r->have_index)
            return mlops__error_at(MLOPS_E_UNSAFE, -1, 0, 0, name, "%s: duplicate index.json",
                                   r->pkg);
        r->have_index = 1;
        mlops_buf b = MLOPS_BUF_INIT;
        rc = read_small(r, e, name, META_MAX, &b);
        if (!rc)
            rc = on_index(r, &b);
        mlops_buf_dispose(&b);
        return rc;
    }
    static const char prefix[] = "blobs/sha256/";
    uint8_t d[32];
    char full[80];
    if (len == sizeof prefix - 1 + 64 && memcmp(name, prefix, sizeof prefix - 1) == 0) {
        snprintf(full, sizeof full, "sha256:%s", name + sizeof prefix - 1);
        if (mlops_digest_parse(d, full) == 0) {
            if (!r->have_index)
                return mlops__error_at(MLOPS_E_SCHEMA, -1, 0, 0, name,
                                       "%s: a blob before index.json", r->pkg);
            return on_blob(r, e, name, d);
        }
    }
    rc = problem_add(r, name, "", "", "unexpected entry \"%s\"", name);
    if (rc)
        return rc;
    return archive_read_data_skip(r->a) == ARCHIVE_OK ? 0 : tar_fail(r, name, "skipping");
}

/* After the last entry: everything expected must have come. */
static int check_complete(reader *r)
{
    if (!r->have_index || !r->manifest.done)
        return mlops__error(MLOPS_E_INTEGRITY, "%s: no %s", r->pkg,
                            r->have_index ? "model manifest blob" : "index.json");
    if (r->o.trusted && !r->envelope.done)
        return mlops__error(MLOPS_E_SIGNATURE, "%s: the package is not signed", r->pkg);
    if (!r->statement_trusted)
        return mlops__error(MLOPS_E_INTEGRITY, "%s: no statement", r->pkg);
    int rc = 0;
    blob_slot *slots[] = { &r->config, &r->statement, &r->referrer, &r->empty, &r->envelope };
    for (size_t i = 0; !rc && i < sizeof slots / sizeof slots[0]; i++)
        if (slots[i]->expected && !slots[i]->done) {
            char want[72];
            mlops_digest_format(want, slots[i]->digest);
            rc = problem_add(r, "", want, "", "blob %s is missing", want);
        }
    for (size_t i = 0; !rc && i < r->nlayers; i++)
        if (!r->layers[i].seen) {
            char want[72];
            mlops_digest_format(want, r->layers[i].digest);
            rc = problem_add(r, "", want, "", "layer %s is missing", want);
        }
    const mlops_manifest *m = r->rep->m;
    for (size_t i = 0; !rc && i < mlops_manifest_file_count(m); i++)
        if (!r->file_seen[i] && r->wanted[i]) {
            char want[72];
            snprintf(want, sizeof want, "sha256:%s", mlops_manifest_file_sha256(m, i));
            rc = problem_add(r, mlops_manifest_file_path(m, i), want, "",
                             "file \"%s\" is missing", mlops_manifest_file_path(m, i));
        }
    return rc;
}

static int read_package(reader *r, int fd)
{
    r->a = archive_read_new();
    if (!r->a)
        return mlops__error_nomem();
    if (archive_read_support_format_tar(r->a) != ARCHIVE_OK ||
        archive_read_open_fd(r->a, fd, READ_BLOCK) != ARCHIVE_OK)
        return tar_fail(r, NULL, "opening");
    for (;;) {
        struct archive_entry *e;
        int ar = archive_read_next_header(r->a, &e);
        if (ar == ARCHIVE_EOF)
            break;
        if (ar != ARCHIVE_OK)
            return tar_fail(r, NULL, "reading an entry header");
        int rc = on_entry(r, e);
        if (rc)
            return rc;
    }
    int rc = check_complete(r);
    if (!rc && r->rep->n) {
        /* the first problem is the error the caller sees */
        const problem *p = &r->rep->p[0];
        rc = mlops__error_at(MLOPS_E_INTEGRITY, -1, 0, 0, p->entry, "%s: %s (%zu problem%s)",
                             r->pkg, p->message, r->rep->n, r->rep->n == 1 ? "" : "s");
    }
    return rc;
}

/* The package's content is refused: a damaged tar or OCI document, a
 * statement that breaks its schema, a limit of the format or a kind of
 * layer the format does not have is MLOPS_E_INTEGRITY, like a digest that
 * does not match (the message says which); what the caller asked for
 * (MLOPS_E_NOTFOUND, MLOPS_E_EXISTS), I/O, signatures, unsafe entries and
 * cancellation keep their codes. */
static int refused(int rc)
{
    if (rc != MLOPS_E_PARSE && rc != MLOPS_E_SCHEMA && rc != MLOPS_E_LIMIT &&
        rc != MLOPS_E_VERSION && rc != MLOPS_E_UNSUPPORTED)
        return rc;
    char msg[1024], path[512];
    snprintf(msg, sizeof msg, "%s", mlops_error_last());
    snprintf(path, sizeof path, "%s", mlops_error_last_path());
    return mlops__error_at(MLOPS_E_INTEGRITY, mlops_error_last_offset(), mlops_error_last_line(),
                           mlops_error_last_column(), *path ? path : NULL, "%s", msg);
}

static int run(mlops_package_report **report, const char *path, const char *dest,
               const mlops_package_verify_options *opts)
{
    reader r;
    memset(&r, 0, sizeof r);
    r.o = verify_defaults;
    int rc = mlops__options_load(&r.o, sizeof r.o, opts, MLOPS_PACKAGE_VERIFY_OPTIONS_VERSION,
                                 VERIFY_OPTIONS_V1_SIZE, "mlops_package_verify_options");
    if (rc)
        return rc;
    MLOPS__CHECK_FLAGS(r.o.flags, MLOPS_PACKAGE_ALLOW_UNSIGNED);
    if (!r.o.trusted && !(r.o.flags & MLOPS_PACKAGE_ALLOW_UNSIGNED))
        return mlops__error(MLOPS_E_INVALID, "no trusted keys given: pass a keyring, or "
                                             "MLOPS_PACKAGE_ALLOW_UNSIGNED to skip signatures");
    if (r.o.npaths && !r.o.paths)
        return mlops__error(MLOPS_E_INVALID, "npaths is %zu but paths is NULL", r.o.npaths);
    if (dest)
        r.o.paths = NULL;
    r.pkg = path;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return mlops__error_at(MLOPS_E_IO, -1, 0, 0, path, "%s: cannot open: %s", path,
                               mlops__strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0) {
        rc = mlops__error_at(MLOPS_E_IO, -1, 0, 0, path, "%s: cannot stat: %s", path,
                             mlops__strerror(errno));
        close(fd);
        return rc;
    }
    if (S_ISDIR(st.st_mode)) {
        close(fd);
        return mlops__error_at(MLOPS_E_IO, -1, 0, 0, path, "%s: cannot read a package: %s",
                               path, mlops__strerror(EISDIR));
    }
    if (S_ISREG(st.st_mode))
        r.pkg_size = (uint64_t)st.st_size;
#ifdef POSIX_FADV_SEQUENTIAL
    (void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
    r.rep = mlops__calloc(1, sizeof *r.rep);
    r.buf = mlops__malloc(READ_BLOCK);
    r.md = EVP_MD_CTX_new();
    r.smd = EVP_MD_CTX_new();
    if (!r.rep || !r.buf || !r.md || !r.smd) {
        rc = mlops__error_nomem();
        goto done;
    }
    if (dest) {
        rc = mlops__extract_begin(&r.x, dest, NULL);
        if (rc)
            goto done;
    }
    r.rep->partial = r.o.paths != NULL;
    r.fd = fd;
    r.seekable = S_ISREG(st.st_mode);
    rc = read_package(&r, fd);
    if (rc)
        rc = refused(rc);
    memcpy(r.rep->manifest_d, r.manifest.digest, 32);
    r.rep->manifest_size = r.manifest.size;
    memcpy(r.rep->referrer_d, r.referrer.digest, 32);
    r.rep->referrer_size = r.referrer.size;
    r.rep->has_referrer = r.referrer.done;
    if (!rc && r.x) {
        rc = mlops__extract_commit(r.x);
        r.x = NULL;
    }
done:
    mlops__extract_abort(r.x);
    if (r.a)
        archive_read_free(r.a);
    close(fd);
    EVP_MD_CTX_free(r.md);
    EVP_MD_CTX_free(r.smd);
    mlops__free(r.buf);
    for (size_t i = 0; i < r.nlayers; i++) {
        mlops__free(r.layers[i].filepath);
        mlops__free(r.layers[i].title);
    }
    mlops__free(r.layers);
    mlops__free(r.ref_name);
    mlops__free(r.mf_version);
    mlops__free(r.mf_created);
    mlops__free(r.stmt_title);
    mlops_buf_dispose(&r.config_doc);
    mlops__free(r.file_seen);
    mlops__free(r.wanted);
    /* a report that says why the pass stopped: one that could be read as
     * a valid package is never handed out */
    if (rc && r.rep && report)
        rc = report_stop(r.rep, rc) ? MLOPS_E_NOMEM : rc;
    if (report && r.rep)
        *report = r.rep;
    else
        mlops_package_report_free(r.rep);
    return rc;
}

void mlops__package_report_oci(const mlops_package_report *r, uint8_t manifest_d[32],
                               uint64_t *manifest_size, uint8_t referrer_d[32],
                               uint64_t *referrer_size, int *has_referrer)
{
    memcpy(manifest_d, r->manifest_d, 32);
    *manifest_size = r->manifest_size;
    memcpy(referrer_d, r->referrer_d, 32);
    *referrer_size = r->referrer_size;
    *has_referrer = r->has_referrer;
}

int mlops_package_verify(mlops_package_report **report, const char *path,
                         const mlops_package_verify_options *opts)
{
    MLOPS__CHECK_ARG(path);
    return run(report, path, NULL, opts);
}

int mlops_package_extract(const char *path, const char *dest,
                          const mlops_package_verify_options *opts)
{
    MLOPS__CHECK_ARG(path);
    MLOPS__CHECK_ARG(dest);
    return run(NULL, path, dest, opts);
}
