/*
 * The manifest object: release and read-only accessors.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "artifact/manifest.h"
#include "core/alloc.h"
#include "core/error.h"

uint64_t mlops_manifest_default_shard_size(void) { return MLOPS_MANIFEST_DEFAULT_SHARD_SIZE; }

int mlops_manifest_dup(mlops_manifest **out, const mlops_manifest *m)
{
    MLOPS__CHECK_ARG(out);
    MLOPS__CHECK_ARG(m);
    mlops_manifest *shared = (mlops_manifest *)(uintptr_t)m;
    __atomic_add_fetch(&shared->extra_refs, 1, __ATOMIC_RELAXED);
    *out = shared;
    return 0;
}

void mlops_manifest_free(mlops_manifest *m)
{
    if (!m)
        return;
    /* The last holder frees; the acquire pairs with the other holders'
     * releases so their reads happen before the memory goes. */
    size_t seen = __atomic_load_n(&m->extra_refs, __ATOMIC_ACQUIRE);
    while (seen > 0) {
        if (__atomic_compare_exchange_n(&m->extra_refs, &seen, seen - 1, 0, __ATOMIC_ACQ_REL,
                                        __ATOMIC_ACQUIRE))
            return;
    }
    mlops__manifest_free_info(m->info);
    mlops__free(m->datasets);
    mlops__free(m->params);
    mlops__free(m->metrics);
    mlops__free(m->annotations);
    mlops__free(m->texts);
    mlops__json_doc_free(m->doc);
    mlops__free(m->owned);
    mlops__free(m);
}

/* The per-field getters read the info structs (manifest_info.c); digests
 * as bare hex, the 64 digits after "sha256:". */
#define HEX(p) ((p) ? (p) + 7 : NULL)

#define FIELD(fn, expr)                                                \
    const char *fn(const mlops_manifest *m)                            \
    {                                                                  \
        const struct mlops_manifest_info *in = mlops_manifest_info(m); \
        return in ? (expr) : NULL;                                     \
    }

FIELD(mlops_manifest_name, in->name)
FIELD(mlops_manifest_version, in->model_version)
FIELD(mlops_manifest_created, in->created)
FIELD(mlops_manifest_description, in->description)
FIELD(mlops_manifest_framework_name, in->framework_name)
FIELD(mlops_manifest_framework_version, in->framework_version)
FIELD(mlops_manifest_parent_name, in->parent_name)
FIELD(mlops_manifest_parent_version, in->parent_version)
FIELD(mlops_manifest_parent_sha256, HEX(in->parent_digest))
FIELD(mlops_manifest_code_uri, in->code_uri)
FIELD(mlops_manifest_code_commit, in->code_commit)

int mlops_manifest_has_parent(const mlops_manifest *m) { return m && m->parent_sha256; }

#define ROW(type, fn, row, expr, none)                                    \
    type fn(const mlops_manifest *m, size_t i)                            \
    {                                                                     \
        const mlops_manifest_##row##_info *r = mlops_manifest_##row(m, i); \
        return r ? (expr) : (none);                                       \
    }

/* ---- files ---- */

const mlops__json *mlops__manifest_file(const mlops_manifest *m, size_t i)
{
    return m && i < m->n_files ? mlops__json_array_get(m->files_node, i) : NULL;
}

const char *mlops__manifest_file_path(const mlops__json *f, size_t *len)
{
    return mlops__json_string(mlops__json_object_find(f, "path"), len);
}

uint64_t mlops__manifest_file_size(const mlops__json *f)
{
    return (uint64_t)mlops__json_int(mlops__json_object_find(f, "size"));
}

const char *mlops__manifest_file_sha256(const mlops__json *f)
{
    return mlops__json_string(
        mlops__json_object_find(mlops__json_object_find(f, "digest"), "sha256"), NULL);
}

size_t mlops_manifest_file_count(const mlops_manifest *m) { return m ? m->n_files : 0; }

ROW(const char *, mlops_manifest_file_path, file, r->path, NULL)
ROW(uint64_t, mlops_manifest_file_size, file, r->file_size, 0)
ROW(const char *, mlops_manifest_file_sha256, file, HEX(r->digest), NULL)
ROW(const char *, mlops_manifest_file_media_type, file, r->media_type, NULL)
ROW(const char *, mlops_manifest_file_role, file, r->role, NULL)
ROW(uint64_t, mlops_manifest_file_shard_size, file, r->shard_size, 0)
ROW(size_t, mlops_manifest_file_shard_count, file, r->shard_count, 0)

size_t mlops_manifest_file_find(const mlops_manifest *m, const char *path)
{
    if (!m || !path)
        return (size_t)-1;
    size_t len = strlen(path), lo = 0, hi = m->n_files;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2, flen = 0;
        const char *fp = mlops__manifest_file_path(mlops__manifest_file(m, mid), &flen);
        int c = memcmp(fp, path, flen < len ? flen : len);
        if (c == 0)
            c = flen < len ? -1 : (flen > len);
        if (c == 0)
            return mid;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return (size_t)-1;
}

int mlops_manifest_file_shard(uint64_t *offset, uint64_t *size, const char **sha256,
                              const mlops_manifest *m, size_t i, size_t j)
{
    MLOPS__CHECK_ARG(m);
    const mlops_manifest_file_info *f = mlops_manifest_file(m, i);
    if (!f)
        return mlops__error(MLOPS_E_NOTFOUND, "manifest has no file %zu (it has %zu)", i,
                            m->n_files);
    const mlops_manifest_shard_info *s = mlops_manifest_file_shard_info(m, i, j);
    if (!s)
        return mlops__error(MLOPS_E_NOTFOUND, "file \"%.200s\" has no shard %zu (it has %zu)",
                            f->path, j, f->shard_count);
    if (offset)
        *offset = s->offset;
    if (size)
        *size = s->length;
    if (sha256)
        *sha256 = HEX(s->digest);
    return 0;
}

/* ---- datasets ---- */

size_t mlops_manifest_dataset_count(const mlops_manifest *m) { return m ? m->n_datasets : 0; }

ROW(const char *, mlops_manifest_dataset_name, dataset, r->name, NULL)
ROW(const char *, mlops_manifest_dataset_uri, dataset, r->uri, NULL)
ROW(const char *, mlops_manifest_dataset_role, dataset, r->role, NULL)
ROW(const char *, mlops_manifest_dataset_sha256, dataset, HEX(r->digest), NULL)
ROW(const char *, mlops_manifest_dataset_foreign_alg, dataset, r->foreign_alg, NULL)
ROW(const char *, mlops_manifest_dataset_foreign_scheme, dataset, r->foreign_scheme, NULL)
ROW(const char *, mlops_manifest_dataset_foreign_value, dataset, r->foreign_value, NULL)

/* ---- parameters, metrics, annotations ---- */

size_t mlops_manifest_parameter_count(const mlops_manifest *m) { return m ? m->n_params : 0; }

ROW(const char *, mlops_manifest_parameter_name, parameter, r->name, NULL)
ROW(int, mlops_manifest_parameter_type, parameter, r->type, MLOPS_MANIFEST_VALUE_NONE)
ROW(const char *, mlops_manifest_parameter_json, parameter, r->json, NULL)
ROW(double, mlops_manifest_parameter_number, parameter, r->number, NAN)
ROW(const char *, mlops_manifest_parameter_string, parameter, r->string, NULL)
ROW(int, mlops_manifest_parameter_bool, parameter, r->boolean, -1)

size_t mlops_manifest_metric_count(const mlops_manifest *m) { return m ? m->n_metrics : 0; }

ROW(const char *, mlops_manifest_metric_name, metric, r->name, NULL)
ROW(double, mlops_manifest_metric_value, metric, r->value, NAN)

size_t mlops_manifest_annotation_count(const mlops_manifest *m)
{
    return m ? m->n_annotations : 0;
}

ROW(const char *, mlops_manifest_annotation_key, annotation, r->key, NULL)
ROW(const char *, mlops_manifest_annotation_value, annotation, r->value, NULL)
