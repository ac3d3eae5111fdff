/**
 * @file
 * libmlops — writing model packages (.mlpkg).
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * The format is described in package.h and docs/formats/package-v1.md.
 */
#ifndef MLOPS_PACKER_H
#define MLOPS_PACKER_H

#include "common.h"
#include "key.h"
#include "manifest.h"

#ifdef __cplusplus
extern "C" {
#endif


/** Files of this size or more travel as raw layers (1 MiB). */
#define MLOPS_PACKAGE_RAW_THRESHOLD ((uint64_t)1 << 20)

/** Collects the files of a package and writes it. Used by one thread at a
 *  time (it runs its own hashing threads inside mlops_packer_write_file()). */
typedef struct mlops_packer mlops_packer;

/**
 * Flag for mlops_packer_options.flags (and the `flags` of mlops_package_sign(),
 * mlops_store_export(), mlops_layout_export()): replace an existing output
 * file.
 *
 * How every package writer treats its output path: a regular file (or a
 * path that does not exist) is written through a temporary file beside it
 * (created O_EXCL|O_NOFOLLOW), fsync'ed and renamed into place, so it
 * appears complete or not at all and a failure leaves the old file; without
 * this flag an existing file is MLOPS_E_EXISTS and the rename never
 * replaces one. A symbolic link is followed to the file it names, which is
 * replaced (the link stays). A character device or FIFO (/dev/null, a pipe)
 * and /dev/stdout, /dev/fd/N are written straight into, never replaced or
 * chmod'ed, and need no flag; the layer temporaries then go to $TMPDIR. A
 * directory, block device or socket is MLOPS_E_INVALID.
 */
#define MLOPS_PACK_OVERWRITE 1u

/** Current version of mlops_packer_options. */
#define MLOPS_PACKER_OPTIONS_VERSION 1

/** Options for mlops_packer_new(). */
typedef struct mlops_packer_options {
    MLOPS_OPTIONS_HEADER;
    /** 0 or MLOPS_PACK_OVERWRITE. */
    uint32_t flags;
    /** Keys that sign the statement at pack time (key pairs; not retained
     *  beyond mlops_packer_write_file()). NULL/0: an unsigned package. */
    const mlops_key *const *keys;
    /** Number of `keys`. */
    size_t nkeys;
    /** Modification time stamped on every tar entry, seconds since 1970.
     *  -1 (the default) takes SOURCE_DATE_EPOCH from the environment when it
     *  holds a non-negative integer, else 0. */
    int64_t mtime;
    /** Shard size for the signed shard digests of files larger than it;
     *  0 = MLOPS_MANIFEST_DEFAULT_SHARD_SIZE. */
    uint64_t shard_size;
    /** Hashing threads; 0 = 2. At most 64. */
    uint32_t threads;
    /** Called with bytes hashed and written so far of the total (each file
     *  counts twice, a file larger than the shard size three times: its
     *  digest and its shard digests are computed apart); returning
     *  non-zero cancels (MLOPS_E_CANCELLED, no output left). Called from the
     *  thread that called mlops_packer_write_file() only. */
    mlops_progress_fn progress;
    /** Passed to `progress`. */
    void *progress_ctx;
} mlops_packer_options;

/** Initialiser for mlops_packer_options. */
#define MLOPS_PACKER_OPTIONS_INIT \
    { MLOPS_PACKER_OPTIONS_VERSION, sizeof(mlops_packer_options), 0, NULL, 0, -1, 0, 0, NULL, NULL }

/**
 * Initialise an options struct to the defaults.
 * @return 0, MLOPS_E_INVALID.
 */
MLOPS_EXTERN int mlops_packer_options_init(mlops_packer_options *opts, size_t size);

/**
 * A new packer.
 * @param out  receives the packer; release it with mlops_packer_free().
 *             Untouched on failure.
 * @param opts NULL for the defaults; copied (the key pointers are kept and
 *        must stay valid until the packer is freed).
 * @return 0; MLOPS_E_INVALID (NULL `out`, unknown flag bits, `nkeys` without
 *         `keys`, more than 64 threads); MLOPS_E_VERSION (an options version
 *         this library does not know); MLOPS_E_NOMEM.
 */
MLOPS_EXTERN int mlops_packer_new(mlops_packer **out, const mlops_packer_options *opts);

/** Release a packer. Accepts NULL. */
MLOPS_EXTERN void mlops_packer_free(mlops_packer *p);

/**
 * Add one file. The file is only checked (lstat) and its size noted here;
 * it is read by mlops_packer_write_file(), so it must stay in place until then.
 * @param p      the packer; the file is added to its list. Unchanged on
 *               failure.
 * @param source the file to read (a regular file; a symlink, FIFO, device
 *        or directory is refused with MLOPS_E_UNSAFE naming it). The name is
 *        copied.
 * @param path   its path in the package (the manifest path rules apply).
 *               Copied.
 * @param role   "model", "config", "doc", "code" or "dataset".
 * @param flags  must be 0.
 * A path given twice is reported by mlops_packer_write_file() (MLOPS_E_EXISTS);
 * two paths equal after case folding by the manifest (MLOPS_E_SCHEMA).
 * @return 0, MLOPS_E_UNSAFE, MLOPS_E_SCHEMA (bad path or role),
 *         MLOPS_E_IO (`source` cannot be stat'ed), MLOPS_E_INVALID (a NULL
 *         argument, non-zero flags), MLOPS_E_NOMEM.
 */
MLOPS_EXTERN int mlops_packer_add_file(mlops_packer *p, const char *source, const char *path,
                                       const char *role, uint32_t flags);

/**
 * Add every regular file under `dir`, with paths relative to it, all with
 * `role`. A `.mlopsignore` file at the top of `dir` (itself never packed)
 * lists what to leave out, in a subset of gitignore syntax: one glob per line
 * (`*`, `?`, `[...]`, fnmatch rules with `/` matched only by `/`), `#`
 * comments, blank lines; a pattern with no `/` matches a name at any depth, a
 * leading `/` anchors it to the top, a trailing `/` matches directories
 * only; `!` (re-inclusion) is refused with MLOPS_E_UNSUPPORTED. Anything
 * that is not a regular file or directory (symlink, FIFO, device, socket)
 * and is not ignored is refused with MLOPS_E_UNSAFE naming it.
 * @return as mlops_packer_add_file(), plus MLOPS_E_UNSUPPORTED, MLOPS_E_LIMIT
 *         (deeper than 64 levels).
 */
MLOPS_EXTERN int mlops_packer_add_directory(mlops_packer *p, const char *dir,
                                            const char *role, uint32_t flags);

/**
 * Hash the files (on the configured threads, with shard digests for large
 * files), add them to `manifest` (which must not have files yet; name,
 * version and the rest come from it), finish the statement, sign it with the
 * configured keys and write the package to `out_path` in one streaming pass
 * with constant memory. The file appears complete or not at all (a
 * temporary file beside it is renamed into place; a device, FIFO or link:
 * see MLOPS_PACK_OVERWRITE). A file that changes
 * while it is packed gives MLOPS_E_INTEGRITY.
 * @param statement_out when not NULL, receives the finished manifest
 *        (release with mlops_manifest_free()); untouched on failure.
 * @param p        the packer; it stays the caller's, to release with
 *                 mlops_packer_free() whatever the result.
 * @param out_path the package file to write (NUL-terminated; not retained).
 *                 The temporary file is created in the same directory, which
 *                 must be writable; a new package gets mode 0644 less the
 *                 umask, a replaced one keeps its mode.
 * @param manifest the statement's builder, borrowed: it stays the caller's,
 *                 to release with mlops_manifest_builder_free(). The builder
 *                 receives the files on success; after a failure it is as
 *                 it was before the call.
 * @return 0; MLOPS_E_EXISTS (out_path exists, without MLOPS_PACK_OVERWRITE,
 *         or a package path given twice); MLOPS_E_SCHEMA (from the
 *         manifest, e.g. two paths equal after case folding);
 *         MLOPS_E_INTEGRITY (a file changed while packed); MLOPS_E_UNSAFE (a
 *         file replaced by something else); MLOPS_E_CANCELLED; MLOPS_E_IO;
 *         MLOPS_E_INVALID (no files); MLOPS_E_NOMEM; MLOPS_E_CRYPTO.
 */
MLOPS_EXTERN int mlops_packer_write_file(mlops_manifest **statement_out, mlops_packer *p,
                                        const char *out_path,
                                        mlops_manifest_builder *manifest);

#ifdef __cplusplus
}
#endif

#endif /* MLOPS_PACKER_H */
