/*
 * Internal: the manifest model shared by src/artifact/manifest*.c.
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * A manifest keeps the JSON document of its statement (parsed, or written by
 * the builder and parsed back) and an index into it: every string the
 * accessors return is borrowed from the document. Serialising writes the
 * document, so what was read is what is written, and the digests are those of
 * the canonical bytes of exactly that document.
 */
#ifndef MLOPS_ARTIFACT_MANIFEST_H
#define MLOPS_ARTIFACT_MANIFEST_H

#include <stddef.h>
#include <stdint.h>

#include "core/json.h"
#include "mlops/manifest.h"

/* Longest strings per kind of field, in bytes (MLOPS_E_LIMIT beyond). */
#define MLOPS__MF_MAX_NAME 256      /* model name */
#define MLOPS__MF_MAX_SHORT 1024    /* keys, roles, media types, versions, alg... */
#define MLOPS__MF_MAX_LONG 65536    /* description, URIs, string values */

/* A file entry as the loader checks it (a view, not kept: what a manifest
 * keeps per file is its read-only row, mlops__mf_file_row, filled from this
 * view as soon as the file has passed its checks). */
typedef struct mlops__mf_file {
    const char *path;
    size_t path_len;
    const char *sha256; /* 64 lowercase hex */
    const char *media_type;
    const char *role;
    uint64_t size;
    uint64_t shard_size;          /* 0 without shards */
    const mlops__json *shards;    /* the checked "shards" array, or NULL */
} mlops__mf_file;

typedef struct mlops__mf_dataset {
    const char *name;
    const char *uri;
    const char *role;
    const char *sha256;
    const char *foreign_alg;
    const char *foreign_scheme;
    const char *foreign_value;
} mlops__mf_dataset;

/* A member of parameters, metrics or annotations. */
typedef struct mlops__mf_entry {
    const char *key;
    size_t key_len;
    const mlops__json *value;
    const char *json;  /* parameters: canonical text of the value */
    const char *str;   /* annotations, string parameters */
    double number;     /* metrics, numeric parameters */
    int type;          /* mlops_manifest_value_type */
} mlops__mf_entry;

struct mlops_manifest {
    mlops__json_doc *doc;
    const mlops__json *files_node;
    const char *name, *version, *created, *description;
    const char *framework_name, *framework_version;
    const char *subject_name, *subject_sha256;
    size_t n_files; /* elements of files_node */
    mlops__mf_dataset *datasets;
    size_t n_datasets;
    mlops__mf_entry *params;
    size_t n_params;
    mlops__mf_entry *metrics;
    size_t n_metrics;
    mlops__mf_entry *annotations;
    size_t n_annotations;
    char *texts; /* parameter JSON texts, NUL-separated */
    char *owned; /* bytes the document points into (built manifests), or NULL */
    const char *parent_name, *parent_version, *parent_sha256;
    const char *code_uri, *code_commit;
    uint8_t tree[32];
    uint8_t statement[32];
    size_t canonical_size; /* bytes of the canonical statement */
    char tree_hex[65];
    char statement_hex[65];
    /* Noted while the loader reads the files (mlops__manifest_note_path), so
     * that the rules across files need not look every path up again. */
    int paths_noted;
    int paths_foldable; /* some path has upper-case ASCII or non-ASCII bytes */
    size_t order_fault; /* 1 + index of the first file not after its predecessor */
    /* The document was parsed from a copy of canonical bytes (the digest
     * pass hashed them as they were): writing it is copying them back. */
    int source_canonical;
    /* References beyond the first (mlops_manifest_dup()); the manifest is
     * immutable, so sharing it needs only this count, changed atomically. */
    size_t extra_refs;
    struct mlops__mf_info *info; /* the read-only structs; NULL until loaded */
};

typedef struct mlops__mf_prehash mlops__mf_prehash;

/* "sha256:" + 64 hex + NUL: every digest string of the info structs. */
#define MLOPS__MF_DIGEST_LEN 72

/* A file row and where its shards start in mlops__mf_info.shards. */
typedef struct mlops__mf_file_row {
    mlops_manifest_file_info info;
    size_t first_shard;
} mlops__mf_file_row;

/* The read-only structs handed out by mlops_manifest_info() and the row
 * accessors (manifest_info.c), built once when the manifest is made. */
typedef struct mlops__mf_info {
    struct mlops_manifest_info summary;
    mlops__mf_file_row *files;
    mlops_manifest_shard_info *shards;
    mlops_manifest_dataset_info *datasets;
    mlops_manifest_parameter_info *params;
    mlops_manifest_metric_info *metrics;
    mlops_manifest_annotation_info *annotations;
    char *file_digests; /* one per file, MLOPS__MF_DIGEST_LEN each */
    char *digests;      /* shard and dataset digests, MLOPS__MF_DIGEST_LEN each */
    char tree_digest[MLOPS__MF_DIGEST_LEN];
    char statement_digest[MLOPS__MF_DIGEST_LEN];
    char parent_digest[MLOPS__MF_DIGEST_LEN];
} mlops__mf_info;

/* ---- manifest.c: file entries read from their checked JSON objects ---- */

/** File object `i`, or NULL when out of range (or m is NULL). */
const mlops__json *mlops__manifest_file(const mlops_manifest *m, size_t i);
const char *mlops__manifest_file_path(const mlops__json *f, size_t *len);
uint64_t mlops__manifest_file_size(const mlops__json *f);
const char *mlops__manifest_file_sha256(const mlops__json *f);

/* ---- manifest_info.c ---- */

/**
 * Start m->info with room for `n` file rows (the loader fills them while
 * each file is hot in the cache). 0 or MLOPS_E_NOMEM; m->info is released
 * with the manifest either way.
 */
int mlops__manifest_info_start(mlops_manifest *m, size_t n);
/** Fill file row `i` from the checked entry `f`. */
void mlops__manifest_info_file(mlops_manifest *m, size_t i, const mlops__mf_file *f);
/** Finish m->info (summary, shards, datasets, parameters, metrics,
 *  annotations) on the loaded, digested manifest. 0 or MLOPS_E_NOMEM. */
int mlops__manifest_build_info(mlops_manifest *m);
/** Release m->info (NULL is a no-op). */
void mlops__manifest_free_info(mlops__mf_info *info);

/* ---- manifest_parse.c ---- */

/**
 * Check a document against the schema and the rules, index it and compute
 * its digests. Takes ownership of `doc` whether it succeeds or not. `data`
 * and `len` are the parsed input (to turn offsets into line and column in
 * errors), or NULL/0; `pristine` says that they are still exactly the bytes
 * the document was parsed from (not parsed in place), so that canonical input
 * can be hashed as it is; `ph` is a hashing job already started on them, or
 * NULL (the caller frees it after this returns).
 */
int mlops__manifest_load(mlops_manifest **out, mlops__json_doc *doc, const char *data,
                         size_t len, int pristine, mlops__mf_prehash *ph);

/* ---- manifest_validate.c ---- */

/** Rules across files (order, uniqueness, case folding) and the subject. */
int mlops__manifest_check(const mlops_manifest *m);

/* The number of files added to a builder, and a rollback to that number: a
 * caller that adds files and then fails leaves the builder as it found it. */
size_t mlops__manifest_builder_file_count(const mlops_manifest_builder *b);
void mlops__manifest_builder_drop_files(mlops_manifest_builder *b, size_t n);
/**
 * Note file `i`'s path (`cur`) after its predecessor's (`prev`, NULL for the
 * first): the first order fault and whether any path can change under case
 * folding. mlops__manifest_check reports what was noted.
 */
void mlops__manifest_note_path(mlops_manifest *m, const char *prev, size_t plen,
                               const char *cur, size_t qlen, size_t i);
/** Path rules of one path; `what` prefixes the message (a JSON path). */
int mlops__manifest_path_rules(const char *path, size_t len, const char **why,
                               size_t *at);
/** 1 when all `n` bytes of s[0..n) are lowercase hex digits (reads all n). */
int mlops__manifest_hex_run(const char *s, size_t n);
/** 1 when `s` is exactly `n` lowercase hex digits (and nothing more). */
int mlops__manifest_is_hex(const char *s, size_t n);
/** Valid UTF-8 without NUL bytes. */
int mlops__manifest_utf8_ok(const char *s, size_t len);
/** Order of two UTF-8 strings by UTF-16 code units (RFC 8785 key order). */
int mlops__manifest_utf16_cmp(const char *a, size_t alen, const char *b, size_t blen);
/** Model name rule: 1..256 bytes of [A-Za-z0-9._/-], first alphanumeric. */
int mlops__manifest_name_ok(const char *s);
/** `created` rule: a valid timestamp in the spelling mlops_timestamp_format writes. */
int mlops__manifest_created_ok(const char *s);

/* ---- manifest_write.c ---- */

/**
 * Compute the tree and statement digests into m (and their hex forms).
 * `src` (`len` bytes) is the source the document was parsed from, unchanged,
 * or NULL: when it is already canonical it is hashed as it is. `len` also
 * serves as a size hint: large statements are hashed on two threads.
 */
int mlops__manifest_digests(mlops_manifest *m, const char *src, size_t len,
                           mlops__mf_prehash *ph);

/**
 * For large input (`len` bytes at `src`, parsed into `doc`) that may be
 * canonical, start hashing it on a helper thread and decide (on this thread)
 * whether it is canonical; *out is then the job to pass to
 * mlops__manifest_digests, or NULL when none was started (small or
 * non-canonical-looking input, no thread). Returns 0 or MLOPS_E_NOMEM.
 * `src` must stay unchanged until mlops__manifest_prehash_free().
 */
int mlops__manifest_prehash_start(mlops__mf_prehash **out, const mlops__json_doc *doc,
                                  const char *src, size_t len);
/** Wait for the helper (if still running) and release the job; NULL is a no-op. */
void mlops__manifest_prehash_free(mlops__mf_prehash *ph);

#endif /* MLOPS_ARTIFACT_MANIFEST_H */
