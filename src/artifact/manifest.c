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

#define FIELD(fn, member) \
    const char *fn(const mlops_manifest *m) { return m ? m->member : NULL; }

FIELD(mlops_manifest_name, name)
FIELD(mlops_manifest_version, version)
FIELD(mlops_manifest_created, created)
FIELD(mlops_manifest_description, description)
FIELD(mlops_manifest_framework_name, framework_name)
FIELD(mlops_manifest_framework_version, framework_version)
FIELD(mlops_manifest_parent_name, parent_name)
FIELD(mlops_manifest_parent_version, parent_version)
FIELD(mlops_manifest_parent_sha256, parent_sha256)
FIELD(mlops_manifest_code_uri, code_uri)
FIELD(mlops_manifest_code_commit, code_commit)

int mlops_manifest_has_parent(const mlops_manifest *m) { return m && m->parent_sha256; }

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

const char *mlops_manifest_file_path(const mlops_manifest *m, size_t i)
{
    return mlops__manifest_file_path(mlops__manifest_file(m, i), NULL);
}

uint64_t mlops_manifest_file_size(const mlops_manifest *m, size_t i)
{
    const mlops__json *f = mlops__manifest_file(m, i);
    return f ? mlops__manifest_file_size(f) : 0;
}

const char *mlops_manifest_file_sha256(const mlops_manifest *m, size_t i)
{
    return mlops__manifest_file_sha256(mlops__manifest_file(m, i));
}

const char *mlops_manifest_file_media_type(const mlops_manifest *m, size_t i)
{
    return mlops__json_string(mlops__json_object_find(mlops__manifest_file(m, i), "mediaType"),
                              NULL);
}

const char *mlops_manifest_file_role(const mlops_manifest *m, size_t i)
{
    return mlops__json_string(mlops__json_object_find(mlops__manifest_file(m, i), "role"),
                              NULL);
}

uint64_t mlops_manifest_file_shard_size(const mlops_manifest *m, size_t i)
{
    const mlops__json *s = mlops__json_object_find(mlops__manifest_file(m, i), "shardSize");
    return s ? (uint64_t)mlops__json_int(s) : 0;
}

size_t mlops_manifest_file_shard_count(const mlops_manifest *m, size_t i)
{
    return mlops__json_array_size(mlops__json_object_find(mlops__manifest_file(m, i), "shards"));
}

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
    const mlops__json *f = mlops__manifest_file(m, i);
    if (!f)
        return mlops__error(MLOPS_E_NOTFOUND, "manifest has no file %zu (it has %zu)", i,
                            m->n_files);
    const mlops__json *shards = mlops__json_object_find(f, "shards");
    size_t n = mlops__json_array_size(shards);
    if (j >= n)
        return mlops__error(MLOPS_E_NOTFOUND, "file \"%.200s\" has no shard %zu (it has %zu)",
                            mlops__manifest_file_path(f, NULL), j, n);
    /* Shards were checked at load: offset j*shardSize, the size that fits. */
    uint64_t file_size = mlops__manifest_file_size(f);
    uint64_t shard_size = (uint64_t)mlops__json_int(mlops__json_object_find(f, "shardSize"));
    uint64_t off = (uint64_t)j * shard_size;
    if (offset)
        *offset = off;
    if (size)
        *size = file_size - off < shard_size ? file_size - off : shard_size;
    if (sha256)
        *sha256 = mlops__manifest_file_sha256(mlops__json_array_get(shards, j));
    return 0;
}

/* ---- datasets ---- */

size_t mlops_manifest_dataset_count(const mlops_manifest *m) { return m ? m->n_datasets : 0; }

#define DATASET_FIELD(fn, member)                                  \
    const char *fn(const mlops_manifest *m, size_t i)              \
    {                                                              \
        return m && i < m->n_datasets ? m->datasets[i].member : NULL; \
    }

DATASET_FIELD(mlops_manifest_dataset_name, name)
DATASET_FIELD(mlops_manifest_dataset_uri, uri)
DATASET_FIELD(mlops_manifest_dataset_role, role)
DATASET_FIELD(mlops_manifest_dataset_sha256, sha256)
DATASET_FIELD(mlops_manifest_dataset_foreign_alg, foreign_alg)
DATASET_FIELD(mlops_manifest_dataset_foreign_scheme, foreign_scheme)
DATASET_FIELD(mlops_manifest_dataset_foreign_value, foreign_value)

/* ---- parameters, metrics, annotations ---- */

static const mlops__mf_entry *param_at(const mlops_manifest *m, size_t i)
{
    return m && i < m->n_params ? &m->params[i] : NULL;
}

size_t mlops_manifest_parameter_count(const mlops_manifest *m) { return m ? m->n_params : 0; }

const char *mlops_manifest_parameter_name(const mlops_manifest *m, size_t i)
{
    const mlops__mf_entry *e = param_at(m, i);
    return e ? e->key : NULL;
}

int mlops_manifest_parameter_type(const mlops_manifest *m, size_t i)
{
    const mlops__mf_entry *e = param_at(m, i);
    return e ? e->type : MLOPS_MANIFEST_VALUE_NONE;
}

const char *mlops_manifest_parameter_json(const mlops_manifest *m, size_t i)
{
    const mlops__mf_entry *e = param_at(m, i);
    return e ? e->json : NULL;
}

double mlops_manifest_parameter_number(const mlops_manifest *m, size_t i)
{
    const mlops__mf_entry *e = param_at(m, i);
    return e && e->type == MLOPS_MANIFEST_VALUE_NUMBER ? e->number : NAN;
}

const char *mlops_manifest_parameter_string(const mlops_manifest *m, size_t i)
{
    const mlops__mf_entry *e = param_at(m, i);
    return e && e->type == MLOPS_MANIFEST_VALUE_STRING ? e->str : NULL;
}

int mlops_manifest_parameter_bool(const mlops_manifest *m, size_t i)
{
    const mlops__mf_entry *e = param_at(m, i);
    if (!e || e->type != MLOPS_MANIFEST_VALUE_BOOL)
        return -1;
    return mlops__json_type_of(e->value) == MLOPS__JSON_TRUE;
}

size_t mlops_manifest_metric_count(const mlops_manifest *m) { return m ? m->n_metrics : 0; }

const char *mlops_manifest_metric_name(const mlops_manifest *m, size_t i)
{
    return m && i < m->n_metrics ? m->metrics[i].key : NULL;
}

double mlops_manifest_metric_value(const mlops_manifest *m, size_t i)
{
    return m && i < m->n_metrics ? m->metrics[i].number : NAN;
}

size_t mlops_manifest_annotation_count(const mlops_manifest *m)
{
    return m ? m->n_annotations : 0;
}

const char *mlops_manifest_annotation_key(const mlops_manifest *m, size_t i)
{
    return m && i < m->n_annotations ? m->annotations[i].key : NULL;
}

const char *mlops_manifest_annotation_value(const mlops_manifest *m, size_t i)
{
    return m && i < m->n_annotations ? m->annotations[i].str : NULL;
}
