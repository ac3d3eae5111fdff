/*
 * What changed between two versions: files, datasets, code, parameters,
 * metrics and how the two are linked, as an object to iterate and as JSON for review comments.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "artifact/manifest.h"
#include "core/alloc.h"
#include "core/error.h"

typedef struct df_file {
    const mlops__json *a, *b; /* file objects; NULL on the side it is missing from */
    int change;
    uint32_t fields; /* mlops_manifest_field bits that differ (changed files) */
    size_t ia, ib;   /* their indexes in a and b */
} df_file;

typedef struct df_dataset {
    const mlops__mf_dataset *a, *b;
    int change;
    uint32_t fields;
} df_dataset;

typedef struct df_entry {
    const mlops__mf_entry *a, *b;
    int change;
    double delta, relative; /* metrics */
} df_entry;

struct mlops_manifest_diff {
    const mlops_manifest *a, *b;
    int relation;
    df_file *files;
    size_t n_files;
    size_t n_unchanged_files;
    df_entry *params;
    size_t n_params;
    df_entry *metrics;
    size_t n_metrics;
    df_dataset *datasets;
    size_t n_datasets;
    size_t n_unchanged_datasets;
    int code_change;
    uint32_t code_fields;
    /* The read-only structs of mlops_manifest_diff_info() and the rows,
     * built by mlops_manifest_diff_new() (strings borrowed from a and b). */
    struct mlops_manifest_diff_info info;
    mlops_manifest_diff_file_info *file_rows;
    mlops_manifest_diff_dataset_info *dataset_rows;
    mlops_manifest_diff_parameter_info *param_rows;
    mlops_manifest_diff_metric_info *metric_rows;
};

/* Two optional strings are equal (both absent, or the same bytes). */
static int same_str(const char *x, const char *y)
{
    return x == y || (x && y && strcmp(x, y) == 0);
}

static const char *member_str(const mlops__json *obj, const char *key)
{
    return mlops__json_string(mlops__json_object_find(obj, key), NULL);
}

/* The shard digests of a file, or both without shards. */
static int same_shards(const mlops__json *x, const mlops__json *y)
{
    const mlops__json *sx = mlops__json_object_find(x, "shardSize");
    const mlops__json *sy = mlops__json_object_find(y, "shardSize");
    if (!sx || !sy)
        return !sx && !sy;
    if (mlops__json_int(sx) != mlops__json_int(sy))
        return 0;
    const mlops__json *ax = mlops__json_object_find(x, "shards");
    const mlops__json *ay = mlops__json_object_find(y, "shards");
    size_t n = mlops__json_array_size(ax);
    if (n != mlops__json_array_size(ay))
        return 0;
    for (size_t i = 0; i < n; i++) {
        const mlops__json *dx = mlops__json_object_find(mlops__json_array_get(ax, i), "digest");
        const mlops__json *dy = mlops__json_object_find(mlops__json_array_get(ay, i), "digest");
        if (!same_str(member_str(dx, "sha256"), member_str(dy, "sha256")))
            return 0;
    }
    return 1;
}

static uint32_t file_fields(const mlops__json *x, const mlops__json *y)
{
    uint32_t f = 0;
    if (strcmp(mlops__manifest_file_sha256(x), mlops__manifest_file_sha256(y)) != 0)
        f |= MLOPS_MANIFEST_FIELD_DIGEST;
    if (mlops__manifest_file_size(x) != mlops__manifest_file_size(y))
        f |= MLOPS_MANIFEST_FIELD_SIZE;
    if (!same_str(member_str(x, "mediaType"), member_str(y, "mediaType")))
        f |= MLOPS_MANIFEST_FIELD_MEDIA_TYPE;
    if (!same_str(member_str(x, "role"), member_str(y, "role")))
        f |= MLOPS_MANIFEST_FIELD_ROLE;
    if (!same_shards(x, y))
        f |= MLOPS_MANIFEST_FIELD_SHARDS;
    return f;
}

static uint32_t dataset_fields(const mlops__mf_dataset *x, const mlops__mf_dataset *y)
{
    uint32_t f = 0;
    if (!same_str(x->sha256, y->sha256))
        f |= MLOPS_MANIFEST_FIELD_DIGEST;
    if (!same_str(x->role, y->role))
        f |= MLOPS_MANIFEST_FIELD_ROLE;
    if (!same_str(x->uri, y->uri))
        f |= MLOPS_MANIFEST_FIELD_URI;
    if (!same_str(x->foreign_alg, y->foreign_alg) ||
        !same_str(x->foreign_scheme, y->foreign_scheme) ||
        !same_str(x->foreign_value, y->foreign_value))
        f |= MLOPS_MANIFEST_FIELD_FOREIGN_DIGEST;
    return f;
}

static int path_cmp(const mlops__json *x, const mlops__json *y)
{
    size_t xl = 0, yl = 0;
    const char *xp = mlops__manifest_file_path(x, &xl), *yp = mlops__manifest_file_path(y, &yl);
    int c = memcmp(xp, yp, xl < yl ? xl : yl);
    if (c)
        return c;
    return xl < yl ? -1 : (xl > yl);
}

static const char *file_path(const df_file *f)
{
    return mlops__manifest_file_path(f->a ? f->a : f->b, NULL);
}

static int diff_files(mlops_manifest_diff *d)
{
    const mlops_manifest *a = d->a, *b = d->b;
    size_t cap = a->n_files + b->n_files;
    if (cap) {
        d->files = mlops__reallocarray(NULL, cap, sizeof *d->files);
        if (!d->files)
            return mlops__error_nomem();
    }
    /* Both lists are sorted by path bytes: one merge pass. */
    size_t i = 0, j = 0;
    while (i < a->n_files || j < b->n_files) {
        int c = i == a->n_files   ? 1
                : j == b->n_files ? -1
                                  : path_cmp(mlops__manifest_file(a, i),
                                             mlops__manifest_file(b, j));
        df_file f = {NULL, NULL, MLOPS_MANIFEST_UNCHANGED, 0, i, j};
        if (c < 0) {
            f.a = mlops__manifest_file(a, i++);
            f.change = MLOPS_MANIFEST_REMOVED;
        } else if (c > 0) {
            f.b = mlops__manifest_file(b, j++);
            f.change = MLOPS_MANIFEST_ADDED;
        } else {
            f.a = mlops__manifest_file(a, i++);
            f.b = mlops__manifest_file(b, j++);
            f.fields = file_fields(f.a, f.b);
            if (f.fields)
                f.change = MLOPS_MANIFEST_CHANGED;
        }
        if (f.change == MLOPS_MANIFEST_UNCHANGED)
            d->n_unchanged_files++;
        else
            d->files[d->n_files++] = f;
    }
    return 0;
}

static int dataset_name_cmp(const void *x, const void *y)
{
    const mlops__mf_dataset *const *p = x, *const *q = y;
    return strcmp((*p)->name, (*q)->name);
}

/* Sorted pointers to a manifest's datasets (names are unique and hold no NUL). */
static int sorted_datasets(const mlops__mf_dataset ***out, const mlops_manifest *m)
{
    *out = NULL;
    if (!m->n_datasets)
        return 0;
    const mlops__mf_dataset **v = mlops__reallocarray(NULL, m->n_datasets, sizeof *v);
    if (!v)
        return mlops__error_nomem();
    for (size_t i = 0; i < m->n_datasets; i++)
        v[i] = &m->datasets[i];
    qsort(v, m->n_datasets, sizeof *v, dataset_name_cmp);
    *out = v;
    return 0;
}

/* Datasets matched by name, listed in name byte order. */
static int diff_datasets(mlops_manifest_diff *d)
{
    const mlops_manifest *a = d->a, *b = d->b;
    if (!a->n_datasets && !b->n_datasets)
        return 0;
    const mlops__mf_dataset **va = NULL, **vb = NULL;
    int rc = sorted_datasets(&va, a);
    if (!rc)
        rc = sorted_datasets(&vb, b);
    if (!rc) {
        d->datasets = mlops__reallocarray(NULL, a->n_datasets + b->n_datasets,
                                          sizeof *d->datasets);
        if (!d->datasets)
            rc = mlops__error_nomem();
    }
    size_t i = 0, j = 0;
    while (!rc && (i < a->n_datasets || j < b->n_datasets)) {
        int c = i == a->n_datasets   ? 1
                : j == b->n_datasets ? -1
                                     : strcmp(va[i]->name, vb[j]->name);
        df_dataset e = {NULL, NULL, MLOPS_MANIFEST_UNCHANGED, 0};
        if (c < 0) {
            e.a = va[i++];
            e.change = MLOPS_MANIFEST_REMOVED;
        } else if (c > 0) {
            e.b = vb[j++];
            e.change = MLOPS_MANIFEST_ADDED;
        } else {
            e.a = va[i++];
            e.b = vb[j++];
            e.fields = dataset_fields(e.a, e.b);
            if (e.fields)
                e.change = MLOPS_MANIFEST_CHANGED;
        }
        if (e.change == MLOPS_MANIFEST_UNCHANGED)
            d->n_unchanged_datasets++;
        else
            d->datasets[d->n_datasets++] = e;
    }
    mlops__free(va);
    mlops__free(vb);
    return rc;
}

static void diff_code(mlops_manifest_diff *d)
{
    const mlops_manifest *a = d->a, *b = d->b;
    int ha = a->code_uri || a->code_commit, hb = b->code_uri || b->code_commit;
    d->code_change = MLOPS_MANIFEST_UNCHANGED;
    if (ha && !hb)
        d->code_change = MLOPS_MANIFEST_REMOVED;
    else if (!ha && hb)
        d->code_change = MLOPS_MANIFEST_ADDED;
    else if (ha && hb) {
        if (!same_str(a->code_uri, b->code_uri))
            d->code_fields |= MLOPS_MANIFEST_FIELD_URI;
        if (!same_str(a->code_commit, b->code_commit))
            d->code_fields |= MLOPS_MANIFEST_FIELD_COMMIT;
        if (d->code_fields)
            d->code_change = MLOPS_MANIFEST_CHANGED;
    }
}

/* Merge two entry lists sorted in canonical key order. */
static int diff_entries(df_entry **out, size_t *count, const mlops__mf_entry *ea, size_t na,
                        const mlops__mf_entry *eb, size_t nb, int metrics)
{
    if (!na && !nb)
        return 0;
    df_entry *r = mlops__reallocarray(NULL, na + nb, sizeof *r);
    if (!r)
        return mlops__error_nomem();
    size_t i = 0, j = 0, n = 0;
    while (i < na || j < nb) {
        int c = i == na   ? 1
                : j == nb ? -1
                          : mlops__manifest_utf16_cmp(ea[i].key, ea[i].key_len, eb[j].key,
                                                      eb[j].key_len);
        df_entry e = {NULL, NULL, MLOPS_MANIFEST_UNCHANGED, NAN, NAN};
        if (c < 0) {
            e.a = &ea[i++];
            e.change = MLOPS_MANIFEST_REMOVED;
        } else if (c > 0) {
            e.b = &eb[j++];
            e.change = MLOPS_MANIFEST_ADDED;
        } else {
            e.a = &ea[i++];
            e.b = &eb[j++];
            if (metrics) {
                e.delta = e.b->number - e.a->number;
                if (e.a->number != 0)
                    e.relative = e.delta / fabs(e.a->number);
                if (e.a->number != e.b->number)
                    e.change = MLOPS_MANIFEST_CHANGED;
            } else if (strcmp(e.a->json, e.b->json) != 0) {
                e.change = MLOPS_MANIFEST_CHANGED;
            }
        }
        if (metrics || e.change != MLOPS_MANIFEST_UNCHANGED)
            r[n++] = e;
    }
    *out = r;
    *count = n;
    return 0;
}

#define ROW_INIT(row, VERSION)                 \
    do {                                       \
        (row)->version = (VERSION);            \
        (row)->size = (uint32_t)sizeof *(row); \
    } while (0)

/* n elements of `size` bytes, or NULL for none; *failed set on failure. */
static void *row_array(size_t n, size_t size, int *failed)
{
    if (!n || *failed)
        return NULL;
    void *p = mlops__reallocarray(NULL, n, size);
    if (!p)
        *failed = 1;
    return p;
}

static const char *entry_key(const df_entry *e) { return e->a ? e->a->key : e->b->key; }

/* The summary and the row structs, from the comparison just made. */
static int build_rows(mlops_manifest_diff *d)
{
    const mlops__mf_info *ia = d->a->info, *ib = d->b->info;
    int failed = 0;
    d->file_rows = row_array(d->n_files, sizeof *d->file_rows, &failed);
    d->dataset_rows = row_array(d->n_datasets, sizeof *d->dataset_rows, &failed);
    d->param_rows = row_array(d->n_params, sizeof *d->param_rows, &failed);
    d->metric_rows = row_array(d->n_metrics, sizeof *d->metric_rows, &failed);
    if (failed)
        return mlops__error_nomem();
    struct mlops_manifest_diff_info *s = &d->info;
    ROW_INIT(s, MLOPS_MANIFEST_DIFF_INFO_VERSION);
    s->relation = d->relation;
    s->unchanged_file_count = d->n_unchanged_files;
    s->n_files = d->n_files;
    s->unchanged_dataset_count = d->n_unchanged_datasets;
    s->n_datasets = d->n_datasets;
    s->n_parameters = d->n_params;
    s->n_metrics = d->n_metrics;
    s->code_change = d->code_change;
    s->code_fields = d->code_fields;
    for (size_t i = 0; i < d->n_files; i++) {
        const df_file *f = &d->files[i];
        const mlops_manifest_file_info *fa = f->a ? &ia->files[f->ia].info : NULL;
        const mlops_manifest_file_info *fb = f->b ? &ib->files[f->ib].info : NULL;
        mlops_manifest_diff_file_info *r = &d->file_rows[i];
        ROW_INIT(r, MLOPS_MANIFEST_DIFF_FILE_INFO_VERSION);
        r->path = fa ? fa->path : fb->path;
        r->change = f->change;
        r->fields = f->fields;
        r->old_digest = fa ? fa->digest : NULL;
        r->new_digest = fb ? fb->digest : NULL;
        r->old_size = fa ? fa->file_size : 0;
        r->new_size = fb ? fb->file_size : 0;
    }
    for (size_t i = 0; i < d->n_datasets; i++) {
        const df_dataset *e = &d->datasets[i];
        const mlops_manifest_dataset_info *da =
            e->a ? &ia->datasets[e->a - d->a->datasets] : NULL;
        const mlops_manifest_dataset_info *db =
            e->b ? &ib->datasets[e->b - d->b->datasets] : NULL;
        mlops_manifest_diff_dataset_info *r = &d->dataset_rows[i];
        ROW_INIT(r, MLOPS_MANIFEST_DIFF_DATASET_INFO_VERSION);
        r->name = da ? da->name : db->name;
        r->change = e->change;
        r->fields = e->fields;
        r->old_digest = da ? da->digest : NULL;
        r->new_digest = db ? db->digest : NULL;
        r->old_uri = da ? da->uri : NULL;
        r->new_uri = db ? db->uri : NULL;
    }
    for (size_t i = 0; i < d->n_params; i++) {
        const df_entry *e = &d->params[i];
        mlops_manifest_diff_parameter_info *r = &d->param_rows[i];
        ROW_INIT(r, MLOPS_MANIFEST_DIFF_PARAMETER_INFO_VERSION);
        r->name = entry_key(e);
        r->change = e->change;
        r->old_json = e->a ? e->a->json : NULL;
        r->new_json = e->b ? e->b->json : NULL;
    }
    for (size_t i = 0; i < d->n_metrics; i++) {
        const df_entry *e = &d->metrics[i];
        mlops_manifest_diff_metric_info *r = &d->metric_rows[i];
        ROW_INIT(r, MLOPS_MANIFEST_DIFF_METRIC_INFO_VERSION);
        r->name = entry_key(e);
        r->change = e->change;
        r->old_value = e->a ? e->a->number : NAN;
        r->new_value = e->b ? e->b->number : NAN;
        r->delta = e->delta;
        r->relative = e->relative;
    }
    return 0;
}

void mlops_manifest_diff_free(mlops_manifest_diff *d)
{
    if (!d)
        return;
    mlops__free(d->files);
    mlops__free(d->params);
    mlops__free(d->metrics);
    mlops__free(d->datasets);
    mlops__free(d->file_rows);
    mlops__free(d->dataset_rows);
    mlops__free(d->param_rows);
    mlops__free(d->metric_rows);
    mlops__free(d);
}

int mlops_manifest_diff_new(mlops_manifest_diff **out, const mlops_manifest *a,
                            const mlops_manifest *b, uint32_t flags)
{
    MLOPS__CHECK_ARG(out);
    MLOPS__CHECK_ARG(a);
    MLOPS__CHECK_ARG(b);
    MLOPS__CHECK_FLAGS(flags, 0);
    mlops_manifest_diff *d = mlops__calloc(1, sizeof *d);
    if (!d)
        return mlops__error_nomem();
    d->a = a;
    d->b = b;
    if (memcmp(a->statement, b->statement, 32) == 0)
        d->relation = MLOPS_MANIFEST_SAME;
    else if (b->parent_sha256 && strcmp(b->parent_sha256, a->statement_hex) == 0)
        d->relation = MLOPS_MANIFEST_B_CHILD_OF_A;
    else if (a->parent_sha256 && strcmp(a->parent_sha256, b->statement_hex) == 0)
        d->relation = MLOPS_MANIFEST_A_CHILD_OF_B;
    else
        d->relation = MLOPS_MANIFEST_UNRELATED;
    int rc = diff_files(d);
    if (!rc)
        rc = diff_entries(&d->params, &d->n_params, a->params, a->n_params, b->params,
                          b->n_params, 0);
    if (!rc)
        rc = diff_entries(&d->metrics, &d->n_metrics, a->metrics, a->n_metrics, b->metrics,
                          b->n_metrics, 1);
    if (!rc)
        rc = diff_datasets(d);
    diff_code(d);
    if (!rc)
        rc = build_rows(d);
    if (rc) {
        mlops_manifest_diff_free(d);
        return rc;
    }
    *out = d;
    return 0;
}

const char *mlops_manifest_relation_name(int relation)
{
    switch (relation) {
    case MLOPS_MANIFEST_SAME: return "same";
    case MLOPS_MANIFEST_B_CHILD_OF_A: return "b-child-of-a";
    case MLOPS_MANIFEST_A_CHILD_OF_B: return "a-child-of-b";
    case MLOPS_MANIFEST_UNRELATED: return "unrelated";
    default: return "unknown";
    }
}

const char *mlops_manifest_field_name(uint32_t field)
{
    switch (field) {
    case MLOPS_MANIFEST_FIELD_DIGEST: return "digest";
    case MLOPS_MANIFEST_FIELD_SIZE: return "size";
    case MLOPS_MANIFEST_FIELD_MEDIA_TYPE: return "mediaType";
    case MLOPS_MANIFEST_FIELD_ROLE: return "role";
    case MLOPS_MANIFEST_FIELD_SHARDS: return "shards";
    case MLOPS_MANIFEST_FIELD_URI: return "uri";
    case MLOPS_MANIFEST_FIELD_FOREIGN_DIGEST: return "foreignDigest";
    case MLOPS_MANIFEST_FIELD_COMMIT: return "commit";
    default: return "unknown";
    }
}

const char *mlops_manifest_change_name(int change)
{
    switch (change) {
    case MLOPS_MANIFEST_ADDED: return "added";
    case MLOPS_MANIFEST_REMOVED: return "removed";
    case MLOPS_MANIFEST_CHANGED: return "changed";
    case MLOPS_MANIFEST_UNCHANGED: return "unchanged";
    default: return "unknown";
    }
}

/* ---- accessors ---- */

const struct mlops_manifest_diff_info *mlops_manifest_diff_info(const mlops_manifest_diff *d)
{
    return d ? &d->info : NULL;
}

const mlops_manifest_diff_file_info *mlops_manifest_diff_file(const mlops_manifest_diff *d,
                                                              size_t i)
{
    return d && i < d->n_files ? &d->file_rows[i] : NULL;
}

const mlops_manifest_diff_dataset_info *mlops_manifest_diff_dataset(const mlops_manifest_diff *d,
                                                                    size_t i)
{
    return d && i < d->n_datasets ? &d->dataset_rows[i] : NULL;
}

const mlops_manifest_diff_parameter_info *
mlops_manifest_diff_parameter(const mlops_manifest_diff *d, size_t i)
{
    return d && i < d->n_params ? &d->param_rows[i] : NULL;
}

const mlops_manifest_diff_metric_info *mlops_manifest_diff_metric(const mlops_manifest_diff *d,
                                                                  size_t i)
{
    return d && i < d->n_metrics ? &d->metric_rows[i] : NULL;
}

/* The per-field getters read the same structs; bare hex for the digests. */
#define SUMMARY(type, fn, member, none) \
    type fn(const mlops_manifest_diff *d) { return d ? d->info.member : (none); }
#define ROW(type, fn, row, expr, none)                  \
    type fn(const mlops_manifest_diff *d, size_t i)     \
    {                                                   \
        const mlops_manifest_diff_##row##_info *r = mlops_manifest_diff_##row(d, i); \
        return r ? (expr) : (none);                     \
    }
#define HEX(p) ((p) ? (p) + 7 : NULL)

SUMMARY(int, mlops_manifest_diff_relation, relation, MLOPS_MANIFEST_UNRELATED)
SUMMARY(size_t, mlops_manifest_diff_file_count, n_files, 0)
SUMMARY(size_t, mlops_manifest_diff_unchanged_file_count, unchanged_file_count, 0)
SUMMARY(size_t, mlops_manifest_diff_dataset_count, n_datasets, 0)
SUMMARY(size_t, mlops_manifest_diff_unchanged_dataset_count, unchanged_dataset_count, 0)
SUMMARY(int, mlops_manifest_diff_code_change, code_change, MLOPS_MANIFEST_UNCHANGED)
SUMMARY(uint32_t, mlops_manifest_diff_code_fields, code_fields, 0)
SUMMARY(size_t, mlops_manifest_diff_parameter_count, n_parameters, 0)
SUMMARY(size_t, mlops_manifest_diff_metric_count, n_metrics, 0)

ROW(const char *, mlops_manifest_diff_file_path, file, r->path, NULL)
ROW(int, mlops_manifest_diff_file_change, file, r->change, MLOPS_MANIFEST_UNCHANGED)
ROW(const char *, mlops_manifest_diff_file_old_sha256, file, HEX(r->old_digest), NULL)
ROW(const char *, mlops_manifest_diff_file_new_sha256, file, HEX(r->new_digest), NULL)
ROW(uint64_t, mlops_manifest_diff_file_old_size, file, r->old_size, 0)
ROW(uint64_t, mlops_manifest_diff_file_new_size, file, r->new_size, 0)
ROW(uint32_t, mlops_manifest_diff_file_fields, file, r->fields, 0)

ROW(const char *, mlops_manifest_diff_dataset_name, dataset, r->name, NULL)
ROW(int, mlops_manifest_diff_dataset_change, dataset, r->change, MLOPS_MANIFEST_UNCHANGED)
ROW(uint32_t, mlops_manifest_diff_dataset_fields, dataset, r->fields, 0)
ROW(const char *, mlops_manifest_diff_dataset_old_sha256, dataset, HEX(r->old_digest), NULL)
ROW(const char *, mlops_manifest_diff_dataset_new_sha256, dataset, HEX(r->new_digest), NULL)
ROW(const char *, mlops_manifest_diff_dataset_old_uri, dataset, r->old_uri, NULL)
ROW(const char *, mlops_manifest_diff_dataset_new_uri, dataset, r->new_uri, NULL)

ROW(const char *, mlops_manifest_diff_parameter_name, parameter, r->name, NULL)
ROW(int, mlops_manifest_diff_parameter_change, parameter, r->change, MLOPS_MANIFEST_UNCHANGED)
ROW(const char *, mlops_manifest_diff_parameter_old_json, parameter, r->old_json, NULL)
ROW(const char *, mlops_manifest_diff_parameter_new_json, parameter, r->new_json, NULL)

ROW(const char *, mlops_manifest_diff_metric_name, metric, r->name, NULL)
ROW(int, mlops_manifest_diff_metric_change, metric, r->change, MLOPS_MANIFEST_UNCHANGED)
ROW(double, mlops_manifest_diff_metric_old, metric, r->old_value, NAN)
ROW(double, mlops_manifest_diff_metric_new, metric, r->new_value, NAN)
ROW(double, mlops_manifest_diff_metric_delta, metric, r->delta, NAN)
ROW(double, mlops_manifest_diff_metric_relative, metric, r->relative, NAN)

/* ---- JSON ---- */

typedef struct jb {
    mlops__json_doc *doc;
    int failed;
} jb;

static mlops__json *j_str(jb *j, const char *s)
{
    mlops__json *v = s ? mlops__json_new_string(j->doc, s, strlen(s))
                       : mlops__json_new_null(j->doc);
    if (!v)
        j->failed = 1;
    return v;
}

/* As every JSON writer of the library: NaN (no value) is null, infinities
 * (a delta that overflows) the strings "Infinity" / "-Infinity". */
static mlops__json *j_num(jb *j, double x)
{
    mlops__json *v = isfinite(x) ? mlops__json_new_double(j->doc, x)
                     : isnan(x)  ? mlops__json_new_null(j->doc)
                     : mlops__json_new_string(j->doc, x > 0 ? "Infinity" : "-Infinity",
                                              x > 0 ? 8 : 9);
    if (!v)
        j->failed = 1;
    return v;
}

static mlops__json *j_uint(jb *j, uint64_t x)
{
    mlops__json *v = mlops__json_new_uint(j->doc, x);
    if (!v)
        j->failed = 1;
    return v;
}

static mlops__json *j_obj(jb *j)
{
    mlops__json *v = mlops__json_new_object(j->doc);
    if (!v)
        j->failed = 1;
    return v;
}

static mlops__json *j_arr(jb *j)
{
    mlops__json *v = mlops__json_new_array(j->doc);
    if (!v)
        j->failed = 1;
    return v;
}

static void j_set(jb *j, mlops__json *obj, const char *key, mlops__json *v)
{
    if (j->failed || !obj || !v || mlops__json_object_set(j->doc, obj, key, v))
        j->failed = 1;
}

static void j_push(jb *j, mlops__json *arr, mlops__json *v)
{
    if (j->failed || !arr || !v || mlops__json_array_push(j->doc, arr, v))
        j->failed = 1;
}

static mlops__json *j_side(jb *j, const mlops_manifest *m)
{
    mlops__json *o = j_obj(j);
    j_set(j, o, "name", j_str(j, m->name));
    j_set(j, o, "version", j_str(j, m->version));
    j_set(j, o, "statementDigest", j_str(j, m->statement_hex));
    return o;
}

static mlops__json *j_file_side(jb *j, const mlops__json *f)
{
    if (!f)
        return j_str(j, NULL);
    mlops__json *o = j_obj(j);
    j_set(j, o, "size", j_uint(j, mlops__manifest_file_size(f)));
    j_set(j, o, "sha256", j_str(j, mlops__manifest_file_sha256(f)));
    const char *mt = member_str(f, "mediaType"), *role = member_str(f, "role");
    if (mt)
        j_set(j, o, "mediaType", j_str(j, mt));
    if (role)
        j_set(j, o, "role", j_str(j, role));
    const mlops__json *ss = mlops__json_object_find(f, "shardSize");
    if (ss) {
        j_set(j, o, "shardSize", j_uint(j, (uint64_t)mlops__json_int(ss)));
        j_set(j, o, "shards", j_uint(j, mlops__json_array_size(mlops__json_object_find(f, "shards"))));
    }
    return o;
}

static mlops__json *j_fields(jb *j, uint32_t fields)
{
    mlops__json *arr = j_arr(j);
    for (uint32_t bit = 1; bit && bit <= MLOPS_MANIFEST_FIELD_COMMIT; bit <<= 1)
        if (fields & bit)
            j_push(j, arr, j_str(j, mlops_manifest_field_name(bit)));
    return arr;
}

static mlops__json *j_dataset_side(jb *j, const mlops__mf_dataset *e)
{
    if (!e)
        return j_str(j, NULL);
    mlops__json *o = j_obj(j);
    if (e->uri)
        j_set(j, o, "uri", j_str(j, e->uri));
    if (e->role)
        j_set(j, o, "role", j_str(j, e->role));
    if (e->sha256)
        j_set(j, o, "sha256", j_str(j, e->sha256));
    if (e->foreign_value) {
        mlops__json *fd = j_obj(j);
        j_set(j, fd, "alg", j_str(j, e->foreign_alg));
        j_set(j, fd, "scheme", j_str(j, e->foreign_scheme));
        j_set(j, fd, "value", j_str(j, e->foreign_value));
        j_set(j, o, "foreignDigest", fd);
    }
    return o;
}

static mlops__json *j_code_side(jb *j, const mlops_manifest *m)
{
    if (!m->code_uri && !m->code_commit)
        return j_str(j, NULL);
    mlops__json *o = j_obj(j);
    if (m->code_uri)
        j_set(j, o, "uri", j_str(j, m->code_uri));
    if (m->code_commit)
        j_set(j, o, "commit", j_str(j, m->code_commit));
    return o;
}

static mlops__json *j_value(jb *j, const mlops__mf_entry *e)
{
    if (!e)
        return j_str(j, NULL);
    mlops__json *v = mlops__json_copy(j->doc, e->value);
    if (!v)
        j->failed = 1;
    return v;
}

static void build_diff_json(jb *j, const mlops_manifest_diff *d, mlops__json *root)
{
    j_set(j, root, "a", j_side(j, d->a));
    j_set(j, root, "b", j_side(j, d->b));
    j_set(j, root, "relation", j_str(j, mlops_manifest_relation_name(d->relation)));

    size_t counts[4] = {d->n_unchanged_files, 0, 0, 0};
    mlops__json *entries = j_arr(j);
    for (size_t i = 0; i < d->n_files && !j->failed; i++) {
        const df_file *f = &d->files[i];
        counts[f->change]++;
        mlops__json *o = j_obj(j);
        j_set(j, o, "path", j_str(j, file_path(f)));
        j_set(j, o, "change", j_str(j, mlops_manifest_change_name(f->change)));
        j_set(j, o, "old", j_file_side(j, f->a));
        j_set(j, o, "new", j_file_side(j, f->b));
        if (f->change == MLOPS_MANIFEST_CHANGED)
            j_set(j, o, "fields", j_fields(j, f->fields));
        j_push(j, entries, o);
    }
    mlops__json *files = j_obj(j);
    j_set(j, files, "unchanged", j_uint(j, counts[0]));
    j_set(j, files, "added", j_uint(j, counts[MLOPS_MANIFEST_ADDED]));
    j_set(j, files, "removed", j_uint(j, counts[MLOPS_MANIFEST_REMOVED]));
    j_set(j, files, "changed", j_uint(j, counts[MLOPS_MANIFEST_CHANGED]));
    j_set(j, files, "entries", entries);
    j_set(j, root, "files", files);

    size_t dcounts[4] = {d->n_unchanged_datasets, 0, 0, 0};
    mlops__json *dentries = j_arr(j);
    for (size_t i = 0; i < d->n_datasets && !j->failed; i++) {
        const df_dataset *e = &d->datasets[i];
        dcounts[e->change]++;
        mlops__json *o = j_obj(j);
        j_set(j, o, "name", j_str(j, e->a ? e->a->name : e->b->name));
        j_set(j, o, "change", j_str(j, mlops_manifest_change_name(e->change)));
        j_set(j, o, "old", j_dataset_side(j, e->a));
        j_set(j, o, "new", j_dataset_side(j, e->b));
        if (e->change == MLOPS_MANIFEST_CHANGED)
            j_set(j, o, "fields", j_fields(j, e->fields));
        j_push(j, dentries, o);
    }
    mlops__json *datasets = j_obj(j);
    j_set(j, datasets, "unchanged", j_uint(j, dcounts[0]));
    j_set(j, datasets, "added", j_uint(j, dcounts[MLOPS_MANIFEST_ADDED]));
    j_set(j, datasets, "removed", j_uint(j, dcounts[MLOPS_MANIFEST_REMOVED]));
    j_set(j, datasets, "changed", j_uint(j, dcounts[MLOPS_MANIFEST_CHANGED]));
    j_set(j, datasets, "entries", dentries);
    j_set(j, root, "datasets", datasets);

    mlops__json *code = j_obj(j);
    j_set(j, code, "change", j_str(j, mlops_manifest_change_name(d->code_change)));
    j_set(j, code, "old", j_code_side(j, d->a));
    j_set(j, code, "new", j_code_side(j, d->b));
    if (d->code_change == MLOPS_MANIFEST_CHANGED)
        j_set(j, code, "fields", j_fields(j, d->code_fields));
    j_set(j, root, "code", code);

    /* the statement's own fields outside files, datasets, code, parameters
     * and metrics: a diff that changes only these is not "no change" */
    mlops__json *meta = j_arr(j);
    const mlops_manifest *ma = d->a, *mb = d->b;
    if (!same_str(mlops_manifest_created(ma), mlops_manifest_created(mb)))
        j_push(j, meta, j_str(j, "created"));
    if (!same_str(mlops_manifest_description(ma), mlops_manifest_description(mb)))
        j_push(j, meta, j_str(j, "description"));
    if (!same_str(mlops_manifest_framework_name(ma), mlops_manifest_framework_name(mb)) ||
        !same_str(mlops_manifest_framework_version(ma), mlops_manifest_framework_version(mb)))
        j_push(j, meta, j_str(j, "framework"));
    int ann = mlops_manifest_annotation_count(ma) != mlops_manifest_annotation_count(mb);
    for (size_t i = 0; !ann && i < mlops_manifest_annotation_count(ma); i++)
        ann = !same_str(mlops_manifest_annotation_key(ma, i), mlops_manifest_annotation_key(mb, i)) ||
              !same_str(mlops_manifest_annotation_value(ma, i),
                        mlops_manifest_annotation_value(mb, i));
    if (ann)
        j_push(j, meta, j_str(j, "annotations"));
    mlops__json *metadata = j_obj(j);
    j_set(j, metadata, "changed", meta);
    j_set(j, root, "metadata", metadata);

    mlops__json *params = j_arr(j);
    for (size_t i = 0; i < d->n_params && !j->failed; i++) {
        const df_entry *e = &d->params[i];
        mlops__json *o = j_obj(j);
        j_set(j, o, "name", j_str(j, e->a ? e->a->key : e->b->key));
        j_set(j, o, "change", j_str(j, mlops_manifest_change_name(e->change)));
        j_set(j, o, "old", j_value(j, e->a));
        j_set(j, o, "new", j_value(j, e->b));
        j_push(j, params, o);
    }
    j_set(j, root, "parameters", params);

    mlops__json *metrics = j_arr(j);
    for (size_t i = 0; i < d->n_metrics && !j->failed; i++) {
        const df_entry *e = &d->metrics[i];
        mlops__json *o = j_obj(j);
        j_set(j, o, "name", j_str(j, e->a ? e->a->key : e->b->key));
        j_set(j, o, "change", j_str(j, mlops_manifest_change_name(e->change)));
        j_set(j, o, "old", j_num(j, e->a ? e->a->number : NAN));
        j_set(j, o, "new", j_num(j, e->b ? e->b->number : NAN));
        j_set(j, o, "delta", j_num(j, e->delta));
        j_set(j, o, "relative", j_num(j, e->relative));
        j_push(j, metrics, o);
    }
    j_set(j, root, "metrics", metrics);
}

int mlops_manifest_diff_write_json(mlops_buf *out, const mlops_manifest_diff *d,
                                   uint32_t flags)
{
    MLOPS__CHECK_ARG(out);
    MLOPS__CHECK_ARG(d);
    MLOPS__CHECK_FLAGS(flags, MLOPS_JSON_PRETTY);
    jb j = {NULL, 0};
    int rc = mlops__json_doc_new(&j.doc);
    if (rc)
        return rc;
    mlops__json *root = j_obj(&j);
    if (root) {
        mlops__json_doc_set_root(j.doc, root);
        build_diff_json(&j, d, root);
    }
    if (j.failed)
        rc = mlops__error_nomem();
    else if (flags & MLOPS_JSON_PRETTY)
        rc = mlops__json_write_pretty(out, root);
    else
        rc = mlops__json_write_canonical(out, root);
    mlops__json_doc_free(j.doc);
    return rc;
}
