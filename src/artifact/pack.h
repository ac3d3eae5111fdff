/*
 * Internal: the packer's state, shared by pack.c (collecting and hashing
 * files) and pack_write.c (the OCI layout and the output tar).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef MLOPS_ARTIFACT_PACK_H
#define MLOPS_ARTIFACT_PACK_H

#include <stddef.h>
#include <stdint.h>

#include "mlops/digest.h"
#include "mlops/dsse.h"
#include "mlops/package.h"

/* OCI and ModelPack media types (docs/formats/overview.md §3). */
#define MLOPS__MT_OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define MLOPS__MT_OCI_INDEX "application/vnd.oci.image.index.v1+json"
#define MLOPS__MT_OCI_EMPTY "application/vnd.oci.empty.v1+json"
#define MLOPS__MT_MODEL_ARTIFACT "application/vnd.cncf.model.manifest.v1+json"
#define MLOPS__MT_MODEL_CONFIG "application/vnd.cncf.model.config.v1+json"
#define MLOPS__MT_STATEMENT "application/vnd.in-toto+json"
#define MLOPS__MT_DSSE "application/vnd.dsse.envelope.v1+json"

typedef struct mlops__pack_item {
    char *source;
    char *path;
    const char *role; /* static string from the role table */
    const char *kind; /* "weight", "weight.config", "doc", "code", "dataset" */
    uint64_t size;
    uint8_t digest[MLOPS_SHA256_SIZE];
    uint8_t (*shards)[MLOPS_SHA256_SIZE];
    size_t nshards;
    /* what the file looked like when hashing began: the writing pass
     * copies it without hashing it again, so it must still look the same */
    uint64_t dev, ino;
    int64_t mtime_s, mtime_ns, ctime_s, ctime_ns;
} mlops__pack_item;

/** 0 when `fd` is still the file `it` was hashed from (same device, inode,
 *  size, mtime and ctime), else MLOPS_E_INTEGRITY (or MLOPS_E_UNSAFE when it
 *  is no longer a regular file), recorded and naming the source. */
int mlops__pack_item_unchanged(const mlops__pack_item *it, int fd, const char *when);

struct mlops_packer {
    mlops_packer_options o;
    mlops__pack_item *items;
    size_t n, cap;
};

/** Hash every item (size, digest, shard digests) on the configured threads.
 *  `done` accumulates bytes hashed; progress is reported against `total`. */
int mlops__pack_hash(mlops_packer *p, uint64_t total, uint64_t *done);

/** The effective mtime: the option, or SOURCE_DATE_EPOCH, or 0. */
int64_t mlops__pack_mtime(const mlops_packer_options *o);

/** index.json of a package, exactly as the packer writes it. */
int mlops__layout_index(mlops_buf *out, const char *version, const uint8_t manifest_d[32],
                        uint64_t manifest_size, int signed_pkg, const uint8_t referrer_d[32],
                        uint64_t referrer_size);

/** A blob to copy into a package: its digest, size and file. */
typedef struct mlops__layout_blob {
    uint8_t digest[MLOPS_SHA256_SIZE];
    uint64_t size;
    const char *path; /* the blob's file, or */
    const char *data; /* its bytes (when not NULL) */
} mlops__layout_blob;

/** A signature referrer (image manifest whose subject is the model
 *  manifest and whose layer is the envelope), as the packer writes it. */
int mlops__layout_referrer(mlops_buf *out, uint8_t out_d[32], const uint8_t manifest_d[32],
                           uint64_t manifest_size, const uint8_t envelope_d[32],
                           uint64_t envelope_size);

/** SHA-256 of the OCI empty blob "{}". */
extern const uint8_t mlops__oci_empty_digest[32];

/**
 * Write a package (oci-layout, `index`, the blob directories, then `blobs`
 * in the given order, each once) with the packer's reproducible tar rules,
 * checking each blob against its digest while copying; temporary file,
 * fsync, rename.
 */
int mlops__layout_write(const char *out_path, int overwrite, int64_t mtime,
                        const mlops_buf *index, const mlops__layout_blob *list, size_t n);

/** The model manifest and signature referrer a verified package came with. */
void mlops__package_report_oci(const mlops_package_report *r, uint8_t manifest_d[32],
                               uint64_t *manifest_size, uint8_t referrer_d[32],
                               uint64_t *referrer_size, int *has_referrer);

/* Record the error libarchive holds for `a` (NULL: none), after `context`
 * ("PKG: reading X"): MLOPS_E_IO with the errno's text when a read(2) or
 * write(2) of the file failed (libarchive's own message, "Error reading fd 3",
 * does not say why), MLOPS_E_NOMEM when it ran out of memory, else
 * MLOPS_E_PARSE (a damaged or truncated archive). `at` is the byte offset
 * for the error record, -1 when unknown. Returns the code. */
struct archive;
int mlops__archive_error(struct archive *a, int64_t at, const char *path, const char *context);

#endif /* MLOPS_ARTIFACT_PACK_H */
