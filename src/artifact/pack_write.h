/*
 * Internal: what the packer's writing pass shares with the OCI documents it
 * builds (pack_docs.c) and with re-signing a package (pack_sign.c).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef MLOPS_ARTIFACT_PACK_WRITE_H
#define MLOPS_ARTIFACT_PACK_WRITE_H

#include <stddef.h>
#include <stdint.h>

#include "artifact/pack.h"
#include "artifact/tarw.h"
#include "core/buf.h"
#include "mlops/manifest.h"

/* The copy buffer of a writing pass. */
#define COPY_BUFFER (1u << 20)

typedef struct layer {
    char media_type[80];
    uint8_t digest[MLOPS_SHA256_SIZE];
    uint64_t size;
    const mlops__pack_item *raw; /* a raw layer: this file */
    int tmp_fd;                  /* a small-file tar layer: its bytes */
    const char *role;
} layer;

typedef struct blobs {
    mlops_buf statement, config, manifest, envelope, referrer, index;
    uint8_t statement_d[32], config_d[32], manifest_d[32], envelope_d[32], referrer_d[32];
} blobs;

/* "{}", the OCI empty blob (its digest is mlops__oci_empty_digest). */
extern const char mlops__oci_empty_json[3];

/* The OCI documents of a package, each into its buffer of `b` with its
 * digest: the ModelPack config (descriptor fields and the layers' diff
 * ids), the image manifest (config, statement, layers), the signature
 * referrer (subject: the manifest; layer: the envelope) and index.json. */
int mlops__pack_build_config(blobs *b, const mlops_manifest *m, const layer *layers, size_t nl);
int mlops__pack_build_manifest(blobs *b, const mlops_manifest *m, const layer *layers, size_t nl);
int mlops__pack_build_referrer(blobs *b);
int mlops__pack_build_index(blobs *b, const mlops_manifest *m, int signed_pkg);
/* Release the buffers of `b`. */
void mlops__pack_blobs_dispose(blobs *b);

/* One tar entry `entry` holding `len` bytes of `data`. */
int mlops__pack_put_bytes(mlops__tarw *w, const char *entry, const void *data, size_t len);

#endif /* MLOPS_ARTIFACT_PACK_WRITE_H */
