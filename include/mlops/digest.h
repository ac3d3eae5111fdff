/**
 * @file
 * libmlops — SHA-256 content digests.
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * Digests are what bind a model version to its bytes: every file, layer and
 * statement is named by one. The string form is the OCI one, "sha256:<64
 * lowercase hex digits>". Hashing is OpenSSL's (EVP); this module adds no
 * copying on top of it.
 */
#ifndef MLOPS_DIGEST_H
#define MLOPS_DIGEST_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Size of a raw SHA-256 digest in bytes. */
#define MLOPS_SHA256_SIZE 32
/** Size of the string form "sha256:<hex>" including its NUL terminator. */
#define MLOPS_DIGEST_STRING_SIZE 72

/** A streaming SHA-256 computation. Not thread-safe; one per thread. */
typedef struct mlops_digest mlops_digest;

/**
 * Start a streaming SHA-256 computation.
 * @param out receives the new object; release it with mlops_digest_free().
 * @return 0, MLOPS_E_INVALID (out is NULL), MLOPS_E_NOMEM, MLOPS_E_CRYPTO.
 */
MLOPS_EXTERN int mlops_digest_new(mlops_digest **out);

/**
 * Feed `len` bytes. `data` may be NULL only when `len` is 0.
 * @return 0, MLOPS_E_INVALID, MLOPS_E_CRYPTO.
 */
MLOPS_EXTERN int mlops_digest_update(mlops_digest *d, const void *data, size_t len);

/**
 * Write the digest of everything fed so far to `out` and reset `d` so it can
 * hash a new message.
 * @return 0, MLOPS_E_INVALID, MLOPS_E_CRYPTO.
 */
MLOPS_EXTERN int mlops_digest_finish(uint8_t out[MLOPS_SHA256_SIZE], mlops_digest *d);

/**
 * A new digest object in the same state as `d` (the bytes fed so far), to
 * finish one and keep feeding the other: a running hash and its
 * intermediate sums (Go's hash.Hash Sum, Python's hashlib copy()).
 * @return 0, MLOPS_E_INVALID, MLOPS_E_NOMEM, MLOPS_E_CRYPTO.
 */
MLOPS_EXTERN int mlops_digest_dup(mlops_digest **out, const mlops_digest *d);

/** Release a digest object. Accepts NULL. */
MLOPS_EXTERN void mlops_digest_free(mlops_digest *d);

/**
 * One-shot SHA-256 of a buffer. `data` may be NULL only when `len` is 0.
 * Thread-safe.
 * @return 0, MLOPS_E_INVALID, MLOPS_E_NOMEM, MLOPS_E_CRYPTO.
 */
MLOPS_EXTERN int mlops_digest_buffer(uint8_t out[MLOPS_SHA256_SIZE],
                                     const void *data, size_t len);

/** Current version of mlops_digest_file_options. */
#define MLOPS_DIGEST_FILE_OPTIONS_VERSION 1

/** Options for mlops_digest_file(). */
typedef struct mlops_digest_file_options {
    MLOPS_OPTIONS_HEADER;
    /** Must be 0. */
    uint32_t flags;
    /** Read size in bytes; 0 picks the default (1 MiB). */
    size_t buffer_size;
    /** Called after each read with bytes done and the file size; may cancel. */
    mlops_progress_fn progress;
    /** Passed to `progress`. */
    void *progress_ctx;
} mlops_digest_file_options;

/** Initialiser for mlops_digest_file_options. */
#define MLOPS_DIGEST_FILE_OPTIONS_INIT \
    { MLOPS_DIGEST_FILE_OPTIONS_VERSION, sizeof(mlops_digest_file_options), 0, 0, NULL, NULL }

/**
 * Initialise an options struct to the defaults.
 * @param opts the struct to fill.
 * @param size sizeof(mlops_digest_file_options) as the caller knows it.
 * @return 0, MLOPS_E_INVALID (NULL or size too small for this version).
 */
MLOPS_EXTERN int mlops_digest_file_options_init(mlops_digest_file_options *opts,
                                                size_t size);

/**
 * SHA-256 of a file's contents, read sequentially with constant memory.
 * @param out  receives the digest; unchanged on failure.
 * @param path the file to read (not retained).
 * @param opts NULL for the defaults.
 * @return 0; MLOPS_E_INVALID; MLOPS_E_VERSION (unknown options version);
 *         MLOPS_E_IO (the detail names the path and the system error);
 *         MLOPS_E_CANCELLED; MLOPS_E_NOMEM; MLOPS_E_CRYPTO.
 * Thread-safe.
 */
MLOPS_EXTERN int mlops_digest_file(uint8_t out[MLOPS_SHA256_SIZE], const char *path,
                                   const mlops_digest_file_options *opts);

/**
 * Write the string form "sha256:<64 lowercase hex>" and its NUL terminator.
 * @return 0, MLOPS_E_INVALID.
 */
MLOPS_EXTERN int mlops_digest_format(char out[MLOPS_DIGEST_STRING_SIZE],
                                     const uint8_t digest[MLOPS_SHA256_SIZE]);

/**
 * Parse the string form strictly: the algorithm "sha256", a colon, exactly 64
 * lowercase hex digits, nothing else (no whitespace, no upper case — the OCI
 * form is canonical so two spellings never name one blob).
 * @return 0; MLOPS_E_PARSE (the detail says which byte is wrong);
 *         MLOPS_E_UNSUPPORTED (a well-formed OCI digest of another algorithm,
 *         e.g. "sha512:..."); MLOPS_E_INVALID (NULL).
 * `out` is unchanged on failure.
 */
MLOPS_EXTERN int mlops_digest_parse(uint8_t out[MLOPS_SHA256_SIZE], const char *str);

#ifdef __cplusplus
}
#endif

#endif /* MLOPS_DIGEST_H */
