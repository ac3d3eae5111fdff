/*
 * The read-only structs of a manifest: its summary and one struct per file,
 * shard, dataset, parameter, metric and annotation, built once when the
 * manifest is made so that the accessors never allocate.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <math.h>
#include <string.h>

#include "artifact/manifest.h"
#include "core/alloc.h"
#include "core/error.h"

#define INFO_INIT(row, VERSION)          \
    do {                                 \
        (row)->version = (VERSION);      \
        (row)->size = (uint32_t)sizeof *(row); \
    } while (0)

/* "sha256:" + the 64 hex digits of `hex` into `out` (MLOPS__MF_DIGEST_LEN bytes). */
static const char *prefixed(char *out, const char *hex)
{
    memcpy(out, "sha256:", 7);
    memcpy(out + 7, hex, 64);
    out[71] = '\0';
    return out;
}

void mlops__manifest_free_info(mlops__mf_info *info)
{
    if (!info)
        return;
    mlops__free(info->files);
    mlops__free(info->shards);
    mlops__free(info->datasets);
    mlops__free(info->params);
    mlops__free(info->metrics);
    mlops__free(info->annotations);
    mlops__free(info->file_digests);
    mlops__free(info->digests);
    mlops__free(info);
}

/* n elements of `size` bytes, or NULL for none; *failed set on failure. */
static void *rows(size_t n, size_t size, int *failed)
{
    if (!n || *failed)
        return NULL;
    void *p = mlops__reallocarray(NULL, n, size);
    if (!p)
        *failed = 1;
    return p;
}

int mlops__manifest_info_start(mlops_manifest *m, size_t n)
{
    mlops__mf_info *in = mlops__calloc(1, sizeof *in);
    if (!in)
        return mlops__error_nomem();
    m->info = in; /* released with the manifest, also on failure */
    int failed = 0;
    in->files = rows(n, sizeof *in->files, &failed);
    in->file_digests = rows(n, MLOPS__MF_DIGEST_LEN, &failed);
    return failed ? mlops__error_nomem() : 0;
}

void mlops__manifest_info_file(mlops_manifest *m, size_t i, const mlops__mf_file *f)
{
    mlops__mf_file_row *r = &m->info->files[i];
    mlops_manifest_file_info *fi = &r->info;
    INFO_INIT(fi, MLOPS_MANIFEST_FILE_INFO_VERSION);
    fi->path = f->path;
    fi->file_size = f->size;
    fi->digest = prefixed(m->info->file_digests + i * MLOPS__MF_DIGEST_LEN, f->sha256);
    fi->media_type = f->media_type;
    fi->role = f->role;
    fi->shard_size = f->shards ? f->shard_size : 0;
    fi->shard_count = mlops__json_array_size(f->shards);
    r->first_shard = 0;
}

static void build_summary(mlops__mf_info *in, const mlops_manifest *m)
{
    struct mlops_manifest_info *s = &in->summary;
    INFO_INIT(s, MLOPS_MANIFEST_INFO_VERSION);
    s->name = m->name;
    s->model_version = m->version;
    s->created = m->created;
    s->description = m->description;
    s->framework_name = m->framework_name;
    s->framework_version = m->framework_version;
    s->code_uri = m->code_uri;
    s->code_commit = m->code_commit;
    s->has_parent = m->parent_sha256 != NULL;
    s->parent_name = m->parent_name;
    s->parent_version = m->parent_version;
    s->parent_digest = m->parent_sha256 ? prefixed(in->parent_digest, m->parent_sha256) : NULL;
    s->tree_digest = prefixed(in->tree_digest, m->tree_hex);
    s->statement_digest = prefixed(in->statement_digest, m->statement_hex);
    s->n_files = m->n_files;
    s->n_datasets = m->n_datasets;
    s->n_parameters = m->n_params;
    s->n_metrics = m->n_metrics;
    s->n_annotations = m->n_annotations;
}

/* The shards of the files that have them (few: large files only). */
static void build_shards(mlops__mf_info *in, const mlops_manifest *m, char **dig)
{
    size_t next = 0;
    for (size_t i = 0; i < m->n_files; i++) {
        mlops__mf_file_row *r = &in->files[i];
        const mlops_manifest_file_info *fi = &r->info;
        r->first_shard = next;
        if (!fi->shard_count)
            continue;
        const mlops__json *shards =
            mlops__json_object_find(mlops__manifest_file(m, i), "shards");
        /* Shards were checked at load: offset j*shardSize, the size that fits. */
        for (size_t j = 0; j < fi->shard_count; j++) {
            mlops_manifest_shard_info *si = &in->shards[next++];
            INFO_INIT(si, MLOPS_MANIFEST_SHARD_INFO_VERSION);
            si->offset = (uint64_t)j * fi->shard_size;
            uint64_t left = fi->file_size - si->offset;
            si->length = left < fi->shard_size ? left : fi->shard_size;
            si->digest = prefixed(*dig, mlops__manifest_file_sha256(
                                            mlops__json_array_get(shards, j)));
            *dig += MLOPS__MF_DIGEST_LEN;
        }
    }
}

static void build_datasets(mlops__mf_info *in, const mlops_manifest *m, char **dig)
{
    for (size_t i = 0; i < m->n_datasets; i++) {
        const mlops__mf_dataset *d = &m->datasets[i];
        mlops_manifest_dataset_info *di = &in->datasets[i];
        INFO_INIT(di, MLOPS_MANIFEST_DATASET_INFO_VERSION);
        di->name = d->name;
        di->uri = d->uri;
        di->role = d->role;
        di->digest = NULL;
        if (d->sha256) {
            di->digest = prefixed(*dig, d->sha256);
            *dig += MLOPS__MF_DIGEST_LEN;
        }
        di->foreign_alg = d->foreign_alg;
        di->foreign_scheme = d->foreign_scheme;
        di->foreign_value = d->foreign_value;
    }
}

static void build_entries(mlops__mf_info *in, const mlops_manifest *m)
{
    for (size_t i = 0; i < m->n_params; i++) {
        const mlops__mf_entry *e = &m->params[i];
        mlops_manifest_parameter_info *pi = &in->params[i];
        INFO_INIT(pi, MLOPS_MANIFEST_PARAMETER_INFO_VERSION);
        pi->name = e->key;
        pi->type = e->type;
        pi->json = e->json;
        pi->number = e->type == MLOPS_MANIFEST_VALUE_NUMBER ? e->number : NAN;
        pi->string = e->type == MLOPS_MANIFEST_VALUE_STRING ? e->str : NULL;
        pi->boolean = e->type != MLOPS_MANIFEST_VALUE_BOOL ? -1
                      : mlops__json_type_of(e->value) == MLOPS__JSON_TRUE;
    }
    for (size_t i = 0; i < m->n_metrics; i++) {
        mlops_manifest_metric_info *mi = &in->metrics[i];
        INFO_INIT(mi, MLOPS_MANIFEST_METRIC_INFO_VERSION);
        mi->name = m->metrics[i].key;
        mi->value = m->metrics[i].number;
    }
    for (size_t i = 0; i < m->n_annotations; i++) {
        mlops_manifest_annotation_info *ai = &in->annotations[i];
        INFO_INIT(ai, MLOPS_MANIFEST_ANNOTATION_INFO_VERSION);
        ai->key = m->annotations[i].key;
        ai->value = m->annotations[i].str;
    }
}

int mlops__manifest_build_info(mlops_manifest *m)
{
    mlops__mf_info *in = m->info;
    size_t n_shards = 0, n_digests = 0;
    for (size_t i = 0; i < m->n_files; i++)
        n_shards += in->files[i].info.shard_count;
    n_digests += n_shards;
    for (size_t i = 0; i < m->n_datasets; i++)
        n_digests += m->datasets[i].sha256 != NULL;
    int failed = 0;
    in->shards = rows(n_shards, sizeof *in->shards, &failed);
    in->datasets = rows(m->n_datasets, sizeof *in->datasets, &failed);
    in->params = rows(m->n_params, sizeof *in->params, &failed);
    in->metrics = rows(m->n_metrics, sizeof *in->metrics, &failed);
    in->annotations = rows(m->n_annotations, sizeof *in->annotations, &failed);
    in->digests = rows(n_digests, MLOPS__MF_DIGEST_LEN, &failed);
    if (failed)
        return mlops__error_nomem();
    char *dig = in->digests;
    build_summary(in, m);
    build_shards(in, m, &dig);
    build_datasets(in, m, &dig);
    build_entries(in, m);
    return 0;
}

/* ---- public ---- */

const struct mlops_manifest_info *mlops_manifest_info(const mlops_manifest *m)
{
    return m && m->info ? &m->info->summary : NULL;
}

const mlops_manifest_file_info *mlops_manifest_file(const mlops_manifest *m, size_t i)
{
    return m && m->info && i < m->n_files ? &m->info->files[i].info : NULL;
}

const mlops_manifest_shard_info *mlops_manifest_file_shard_info(const mlops_manifest *m,
                                                                size_t i, size_t j)
{
    const mlops_manifest_file_info *f = mlops_manifest_file(m, i);
    if (!f || j >= f->shard_count)
        return NULL;
    return &m->info->shards[m->info->files[i].first_shard + j];
}

const mlops_manifest_dataset_info *mlops_manifest_dataset(const mlops_manifest *m, size_t i)
{
    return m && m->info && i < m->n_datasets ? &m->info->datasets[i] : NULL;
}

const mlops_manifest_parameter_info *mlops_manifest_parameter(const mlops_manifest *m,
                                                              size_t i)
{
    return m && m->info && i < m->n_params ? &m->info->params[i] : NULL;
}

const mlops_manifest_metric_info *mlops_manifest_metric(const mlops_manifest *m, size_t i)
{
    return m && m->info && i < m->n_metrics ? &m->info->metrics[i] : NULL;
}

const mlops_manifest_annotation_info *mlops_manifest_annotation(const mlops_manifest *m,
                                                                size_t i)
{
    return m && m->info && i < m->n_annotations ? &m->info->annotations[i] : NULL;
}
