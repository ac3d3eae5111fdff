/*
 * libmlops — model packages (.mlpkg).
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * A package is one file that carries a model version: an uncompressed,
 * byte-reproducible tar of an OCI image layout whose image manifest is a
 * CNCF ModelPack artifact. It holds the version manifest (the in-toto
 * statement, see manifest.h) as its own layer, the DSSE envelope that signs
 * the statement, and the model's files: each file of 1 MiB or more as a raw
 * layer whose digest is the file's SHA-256, smaller files grouped per role
 * in one deterministic tar layer. docs/formats/package-v1.md is the
 * normative description.
 *
 * Packing reads regular files and directories only; the same inputs give the
 * same bytes whatever the umask, the directory or the time of packing.
 */
#ifndef MLOPS_PACKAGE_H
#define MLOPS_PACKAGE_H

#include "common.h"
#include "manifest.h"
#include "sign.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Files of this size or more travel as raw layers (1 MiB). */
#define MLOPS_PACKAGE_RAW_THRESHOLD ((uint64_t)1 << 20)

/** Collects the files of a package and writes it. Used by one thread at a
 *  time (it runs its own hashing threads inside mlops_packer_write()). */
typedef struct mlops_packer mlops_packer;

/** Flag for mlops_pack_options.flags: replace an existing output file. */
#define MLOPS_PACK_OVERWRITE 1u

/** Current version of mlops_pack_options. */
#define MLOPS_PACK_OPTIONS_VERSION 1

/** Options for mlops_packer_new(). */
typedef struct mlops_pack_options {
    MLOPS_OPTIONS_HEADER;
    /** 0 or MLOPS_PACK_OVERWRITE. */
    uint32_t flags;
    /** Keys that sign the statement at pack time (key pairs; not retained
     *  beyond mlops_packer_write()). NULL/0: an unsigned package. */
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
    /** Called with bytes hashed and written so far of the total; returning
     *  non-zero cancels (MLOPS_E_CANCELLED, no output left). Called from the
     *  thread that called mlops_packer_write() only. */
    mlops_progress_fn progress;
    /** Passed to `progress`. */
    void *progress_ctx;
} mlops_pack_options;

/** Initialiser for mlops_pack_options. */
#define MLOPS_PACK_OPTIONS_INIT \
    { MLOPS_PACK_OPTIONS_VERSION, sizeof(mlops_pack_options), 0, NULL, 0, -1, 0, 0, NULL, NULL }

/**
 * Initialise an options struct to the defaults.
 * @return 0, MLOPS_E_INVALID.
 */
MLOPS_EXTERN int mlops_pack_options_init(mlops_pack_options *opts, size_t size);

/**
 * A new packer.
 * @param opts NULL for the defaults; copied (the key pointers are kept and
 *        must stay valid until the packer is freed).
 * @return 0, MLOPS_E_INVALID, MLOPS_E_VERSION, MLOPS_E_NOMEM.
 */
MLOPS_EXTERN int mlops_packer_new(mlops_packer **out, const mlops_pack_options *opts);

/** Release a packer. Accepts NULL. */
MLOPS_EXTERN void mlops_packer_free(mlops_packer *p);

/**
 * Add one file.
 * @param source the file to read (a regular file; a symlink, FIFO, device
 *        or directory is refused with MLOPS_E_UNSAFE naming it).
 * @param path   its path in the package (the manifest path rules apply).
 * @param role   "model", "config", "doc", "code" or "dataset".
 * @param flags  must be 0.
 * @return 0, MLOPS_E_UNSAFE, MLOPS_E_SCHEMA (bad path or role),
 *         MLOPS_E_EXISTS (path already added, also after case folding),
 *         MLOPS_E_IO, MLOPS_E_INVALID, MLOPS_E_NOMEM.
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
 * temporary file beside it is renamed into place). A file that changes
 * while it is packed gives MLOPS_E_INTEGRITY.
 * @param statement_out when not NULL, receives the finished manifest
 *        (release with mlops_manifest_free()).
 * @return 0; MLOPS_E_EXISTS (out_path exists, without MLOPS_PACK_OVERWRITE);
 *         MLOPS_E_SCHEMA (from the manifest); MLOPS_E_INTEGRITY;
 *         MLOPS_E_CANCELLED; MLOPS_E_IO; MLOPS_E_INVALID (no files, or the
 *         builder already has files); MLOPS_E_NOMEM; MLOPS_E_CRYPTO.
 */
MLOPS_EXTERN int mlops_packer_write(mlops_packer *p, const char *out_path,
                                    mlops_manifest_builder *manifest,
                                    mlops_manifest **statement_out);

#ifdef __cplusplus
}
#endif

#endif /* MLOPS_PACKAGE_H */
