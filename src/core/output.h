/*
 * Internal: the library's one way to write an output file — a buffered
 * writer with an optional running digest over a descriptor, and the
 * destination opened and committed through core/outfile.h (atomically over
 * a regular file, straight into a device or FIFO), with the failures
 * recorded as MLOPS_E_* errors naming the path.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef MLOPS_CORE_OUTPUT_H
#define MLOPS_CORE_OUTPUT_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "core/outfile.h"

/** The writer's buffer: bytes are written to the descriptor in blocks of
 *  this size. */
#define MLOPS__OUTPUT_BUFFER (1u << 20)

typedef struct mlops__output {
    int fd;
    const char *name; /* for messages */
    unsigned char *buf;
    size_t used;
    uint64_t bytes; /* written through mlops__output_sink so far */
    EVP_MD_CTX *md; /* a running digest of those bytes, or NULL */
    /* the destination, when opened by mlops__output_open */
    mlops__outfile file;
    int has_file;
} mlops__output;

/** A writer over descriptor `fd` (not owned), named `name` in messages;
 *  0 or MLOPS_E_NOMEM. Release with mlops__output_close. */
int mlops__output_init(mlops__output *o, int fd, const char *name);

/** Open `path` for writing (core/outfile.h; mode 0644, replacing a regular
 *  file only with `overwrite`) and a writer over it. 0, or MLOPS_E_EXISTS,
 *  MLOPS_E_INVALID (a directory, block device or socket), MLOPS_E_IO or
 *  MLOPS_E_NOMEM, recorded and naming the path. Release with
 *  mlops__output_close, which removes the temporary unless committed. */
int mlops__output_open(mlops__output *o, const char *path, int overwrite);

/** Write the buffered bytes to the descriptor: 0 or MLOPS_E_IO (recorded). */
int mlops__output_flush(mlops__output *o);

/** A byte sink (`ctx` is the mlops__output): buffered, hashed when the
 *  writer has a digest. 0 or an error (recorded). */
int mlops__output_sink(void *ctx, const void *data, size_t len);

/** Flush, then commit the destination opened by mlops__output_open (fsync
 *  and rename into place, or close a device). 0 or an error (recorded). */
int mlops__output_commit(mlops__output *o);

/** Release the writer; a destination not committed is abandoned (its
 *  temporary removed). Safe twice. The digest, if any, is the caller's. */
void mlops__output_close(mlops__output *o);

#endif /* MLOPS_CORE_OUTPUT_H */
