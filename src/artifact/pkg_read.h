/*
 * Internal: the state of one reading pass over a package, shared by
 * pkg_read.c (the pass: entries, file content, layers), pkg_oci.c (the OCI
 * documents that route bytes to the statement), pkg_shard.c (the shards of
 * one large file verified on several threads) and pkg_report.c (the report
 * and its JSON).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef MLOPS_ARTIFACT_PKG_READ_H
#define MLOPS_ARTIFACT_PKG_READ_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "artifact/extract.h"
#include "artifact/pack.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/json.h"
#include "mlops/manifest.h"
#include "mlops/dsse.h"
#include "mlops/package.h"

#define MLOPS__PKG_META_MAX ((size_t)64 << 20)
#define MLOPS__PKG_READ_BLOCK ((size_t)1 << 20)
#define MLOPS__PKG_MAX_LAYERS 100000

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
    /* what mlops_package_report_problem() hands out: filled when the pass
     * ends (mlops__pkg_report_finish), pointing at the strings above */
    mlops_package_report_problem_info info;
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
    /* what mlops_package_report_info() hands out (mlops__pkg_report_finish) */
    struct mlops_package_report_info info;
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

typedef struct blob_hash {
    EVP_MD_CTX *md;
    uint64_t size;
    /* the blob's digest is checked another way (a raw layer's digest is its
     * file's, which the file check compares): no second hash */
    int checked;
} blob_hash;

/* ---- the report (pkg_report.c) ------------------------------------------ */

/* Record a content problem: in the report, and as the thread's error. When
 * extracting, or when the report cannot grow, the pass stops (the code is
 * returned); otherwise it goes on (0). */
int mlops__pkg_problem(reader *r, const char *entry, const char *expected, const char *found,
                       const char *fmt, ...) MLOPS__PRINTF(5, 6);

/* Record in the report why the pass stopped: the thread's error record as
 * the call returns it (code `rc`). Returns 0, or MLOPS_E_NOMEM (then the
 * report says MLOPS_E_NOMEM, which still makes it invalid). */
int mlops__pkg_report_stop(mlops_package_report *r, int rc);

/* Build the report's read-only views (package.h) once nothing else changes
 * in it, right before it is handed out. Never allocates. */
void mlops__pkg_report_finish(mlops_package_report *r);

/* ---- reading entries (pkg_read.c, pkg_layer.c) ------------------------ */

/* The error libarchive holds for the package, naming `entry` and `what`
 * ("reading", "skipping"); returns the code. */
int mlops__pkg_tar_fail(reader *r, const char *entry, const char *what);

/* Skip the rest of entry `name`: 0, or the error libarchive holds. */
int mlops__pkg_skip(reader *r, const char *name);

/* Count `n` bytes read and call the progress callback: 0, or
 * MLOPS_E_CANCELLED when it asked to stop. */
int mlops__pkg_progress(reader *r, size_t n);

/* Find the raw-layer files with this digest (several files may share one):
 * the first at or after `from`, or (size_t)-1. */
size_t mlops__pkg_next_file(const mlops_manifest *m, const char *hexd, size_t from);

/* ---- file content (pkg_layer.c) ---------------------------------------- */

/* Layer `l` (tar entry `name`, `entry_size` bytes): its files verified or
 * extracted; refused before the statement is trusted. */
int mlops__pkg_on_layer(reader *r, layer_desc *l, const char *name, uint64_t entry_size);

/* ---- the OCI documents (pkg_oci.c) -------------------------------------- */

/* Parse a metadata document `name` with the package's limits. */
int mlops__pkg_parse_json(mlops__json_doc **doc, const mlops_buf *b, const char *name);
/* The string member `key` of an object, or NULL. */
const char *mlops__pkg_str(const mlops__json *o, const char *key);
/* index.json, the model manifest, the signature referrer and the DSSE
 * envelope: each checked and what it names expected. */
int mlops__pkg_on_index(reader *r, const mlops_buf *b);
int mlops__pkg_on_manifest(reader *r, const mlops_buf *b);
int mlops__pkg_on_referrer(reader *r, const mlops_buf *b);
int mlops__pkg_on_envelope(reader *r, const mlops_buf *b);
/* Once the statement is trusted and the config was read: the routing
 * documents against the statement. */
int mlops__pkg_check_routing(reader *r);
/* The statement is trusted: parse it and set up the per-file bookkeeping. */
int mlops__pkg_trust_statement(reader *r, const char *bytes, size_t len);

/* ---- shards on several threads (pkg_shard.c) ---------------------------- */

/* Verify statement file `file` (a raw layer, `name`, with shards) from the
 * package at its data offset; *ok is set when every shard and the whole
 * file matched. The entry's bytes are then skipped in the tar stream. */
int mlops__pkg_verify_shards(reader *r, size_t file, const char *name, uint64_t size, int *ok);

#endif /* MLOPS_ARTIFACT_PKG_READ_H */
