/**
 * @file
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
 *
 * Threads: a packer is used by one thread at a time. mlops_package_sign(),
 * mlops_package_verify() and mlops_package_extract() keep no state between
 * calls and may run on several threads at once; the keys, keyring and
 * options they are given are only read. A report is immutable.
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

/**
 * Flag for mlops_pack_options.flags (and the `flags` of mlops_package_sign(),
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
    /** Called with bytes hashed and written so far of the total (each file
     *  counts twice, a file larger than the shard size three times: its
     *  digest and its shard digests are computed apart); returning
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
 * @param out  receives the packer; release it with mlops_packer_free().
 *             Untouched on failure.
 * @param opts NULL for the defaults; copied (the key pointers are kept and
 *        must stay valid until the packer is freed).
 * @return 0; MLOPS_E_INVALID (NULL `out`, unknown flag bits, `nkeys` without
 *         `keys`, more than 64 threads); MLOPS_E_VERSION (an options version
 *         this library does not know); MLOPS_E_NOMEM.
 */
MLOPS_EXTERN int mlops_packer_new(mlops_packer **out, const mlops_pack_options *opts);

/** Release a packer. Accepts NULL. */
MLOPS_EXTERN void mlops_packer_free(mlops_packer *p);

/**
 * Add one file. The file is only checked (lstat) and its size noted here;
 * it is read by mlops_packer_write(), so it must stay in place until then.
 * @param p      the packer; the file is added to its list. Unchanged on
 *               failure.
 * @param source the file to read (a regular file; a symlink, FIFO, device
 *        or directory is refused with MLOPS_E_UNSAFE naming it). The name is
 *        copied.
 * @param path   its path in the package (the manifest path rules apply).
 *               Copied.
 * @param role   "model", "config", "doc", "code" or "dataset".
 * @param flags  must be 0.
 * A path given twice is reported by mlops_packer_write() (MLOPS_E_EXISTS);
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
 * @param p        the packer; it stays the caller's, to release with
 *                 mlops_packer_free() whatever the result.
 * @param out_path the package file to write (NUL-terminated; not retained).
 *                 The temporary file is created in the same directory, which
 *                 must be writable; a new package gets mode 0644 less the
 *                 umask, a replaced one keeps its mode.
 * @param manifest the statement's builder, borrowed: it stays the caller's,
 *                 to release with mlops_manifest_builder_free(). The builder
 *                 receives the files; after a failure it may hold some of
 *                 them and should be freed.
 * @param statement_out when not NULL, receives the finished manifest
 *        (release with mlops_manifest_free()); untouched on failure.
 * @return 0; MLOPS_E_EXISTS (out_path exists, without MLOPS_PACK_OVERWRITE,
 *         or a package path given twice); MLOPS_E_SCHEMA (from the
 *         manifest, e.g. two paths equal after case folding);
 *         MLOPS_E_INTEGRITY (a file changed while packed); MLOPS_E_UNSAFE (a
 *         file replaced by something else); MLOPS_E_CANCELLED; MLOPS_E_IO;
 *         MLOPS_E_INVALID (no files); MLOPS_E_NOMEM; MLOPS_E_CRYPTO.
 */
MLOPS_EXTERN int mlops_packer_write(mlops_packer *p, const char *out_path,
                                    mlops_manifest_builder *manifest,
                                    mlops_manifest **statement_out);

/* ------------------------------------------------------------------------ */
/* Verifying and extracting                                                 */
/* ------------------------------------------------------------------------ */

typedef struct mlops_package_verify_options mlops_package_verify_options;

/**
 * Add signatures to a package: verify `in_path` with `opts` (so the caller
 * states what it trusts before vouching for the package; an unsigned package
 * needs MLOPS_PACKAGE_ALLOW_UNSIGNED), then write `out_path` with the same
 * content and the envelope's signatures plus one by each of `keys` (an
 * unsigned package gets its first envelope). The tar keeps the input's mtime
 * and the packer's layout, so the result is reproducible too. `out_path` may
 * not be `in_path`.
 * @param in_path  the package to sign (NUL-terminated; not retained; never
 *                 modified). It is read twice, verified and then copied; every
 *                 blob is hashed again while it is copied, so a package
 *                 changed in between gives MLOPS_E_INTEGRITY.
 * @param out_path the package to write (NUL-terminated; not retained),
 *                 through a temporary file in its directory renamed into
 *                 place: it appears complete or not at all (a device, FIFO
 *                 or link: see MLOPS_PACK_OVERWRITE).
 * @param keys     `nkeys` key pairs that add their signatures; borrowed for
 *                 the call, not retained.
 * @param nkeys    the number of `keys`; at least 1.
 * @param opts     how `in_path` is verified, as for mlops_package_verify()
 *                 (borrowed for the call), except that `paths` must be
 *                 NULL: a signature covers every file, so every file is
 *                 verified before signing. NULL means the defaults, which
 *                 name no trusted key and do not allow unsigned packages, so
 *                 it is refused with MLOPS_E_INVALID.
 * @param flags 0 or MLOPS_PACK_OVERWRITE.
 * @return 0; the codes of mlops_package_verify(); MLOPS_E_EXISTS (out_path
 *         exists, or a key already signed); MLOPS_E_UNSUPPORTED (the
 *         statement blob is not canonical JSON); MLOPS_E_IO; MLOPS_E_INVALID
 *         (a NULL path or `keys`, `nkeys` 0, unknown flag bits, a public-only
 *         key, a key given twice for an unsigned package, `opts->paths`
 *         given, `out_path` naming the input itself); MLOPS_E_LIMIT
 *         (more than 256 signatures);
 *         MLOPS_E_NOMEM; MLOPS_E_CRYPTO.
 */
MLOPS_EXTERN int mlops_package_sign(const char *in_path, const char *out_path,
                                    const mlops_key *const *keys, size_t nkeys,
                                    const mlops_package_verify_options *opts, uint32_t flags);

/* ------------------------------------------------------------------------ */

/** What a verification found: the verified statement and any problems. */
typedef struct mlops_package_report mlops_package_report;

/** Flag: accept a package without checking signatures (no `trusted` keys
 *  given). Without it, a NULL `trusted` is MLOPS_E_INVALID. */
#define MLOPS_PACKAGE_ALLOW_UNSIGNED 1u

/** Current version of mlops_package_verify_options. */
#define MLOPS_PACKAGE_VERIFY_OPTIONS_VERSION 1

/** Options for mlops_package_verify() and mlops_package_extract(). */
typedef struct mlops_package_verify_options {
    MLOPS_OPTIONS_HEADER;
    /** 0 or MLOPS_PACKAGE_ALLOW_UNSIGNED. */
    uint32_t flags;
    /** The keys whose signatures are trusted; borrowed for the call. */
    const mlops_keyring *trusted;
    /** Distinct trusted keys that must have signed; 0 means 1. */
    uint32_t threshold;
    /** Verify only these files (package paths); NULL for all. Layers that
     *  hold none of them are skipped without being hashed. Not used by
     *  mlops_package_extract(). */
    const char *const *paths;
    /** Number of `paths`. */
    size_t npaths;
    /** Called with bytes read of the package size (the entries' data as it
     *  is read; at the end of the archive, the whole size, so the last call
     *  of a complete pass has done = total); non-zero cancels. Called from
     *  the thread that called mlops_package_verify() or
     *  mlops_package_extract() only, also while shard threads run. */
    mlops_progress_fn progress;
    /** Passed to `progress`. */
    void *progress_ctx;
} mlops_package_verify_options;

/** Initialiser for mlops_package_verify_options. */
#define MLOPS_PACKAGE_VERIFY_OPTIONS_INIT                                                \
    { MLOPS_PACKAGE_VERIFY_OPTIONS_VERSION, sizeof(mlops_package_verify_options), 0, NULL, \
      0, NULL, 0, NULL, NULL }

/**
 * Initialise an options struct to the defaults.
 * @return 0, MLOPS_E_INVALID.
 */
MLOPS_EXTERN int mlops_package_verify_options_init(mlops_package_verify_options *opts,
                                                   size_t size);

/**
 * Verify a package in one streaming pass with constant memory (metadata
 * blobs are held, at most 64 MiB each; file content is streamed): every
 * blob's name is its SHA-256 and its size is the one its descriptor gives;
 * the DSSE envelope is checked against the trusted keys before the statement
 * is parsed, and its payload must be the statement blob; then every file the
 * statement lists must be present exactly once with its size and digest (raw
 * layers by digest, tar layers by path), the statement's subject must be its
 * tree digest, and nothing else may be in the package.
 *
 * A raw layer whose file has signed shard digests is checked shard by
 * shard on several threads (up to the online CPUs but one, at most 8), read
 * from the package at the layer's offset, while the calling thread hashes
 * the whole file for its signed whole-file digest; every byte is compared
 * with the signed statement (docs/formats/package-v1.md §7).
 *
 * Content mismatches (a digest, a size, a missing or extra file) are
 * collected in the report and the pass goes on; anything else stops it.
 *
 * @param report when not NULL, receives the report, also on failure once
 *        the package was opened (then it records the error, see
 *        mlops_package_report_error_code(), and is not valid); release with
 *        mlops_package_report_free(). Untouched when no report was made
 *        (invalid arguments, a package that cannot be opened).
 * @param path the package file (NUL-terminated; opened read-only; not
 *        retained).
 * @param opts the trusted keys and the rest (borrowed for the call). NULL
 *        means the defaults, which name no trusted key and do not allow
 *        unsigned packages, so it is refused with MLOPS_E_INVALID: pass a
 *        keyring in `trusted`, or MLOPS_PACKAGE_ALLOW_UNSIGNED.
 * The OCI documents that route bytes (index.json's ref.name, the image
 * manifest's annotations, the config) must agree with the signed statement
 * (docs/formats/package-v1.md §7).
 *
 * @return 0 (valid); MLOPS_E_INTEGRITY (the package's content is refused:
 *         the first content mismatch, all of them in the report; a damaged
 *         or truncated tar, a damaged OCI document or one that disagrees
 *         with the statement, a statement that breaks its schema, a
 *         compressed layer, a format limit; the message says which);
 *         MLOPS_E_SIGNATURE (no valid trusted signature, or an unsigned
 *         package when keys were given: "not signed"); MLOPS_E_UNSAFE (an
 *         entry of a forbidden kind or path); MLOPS_E_NOTFOUND (a file in
 *         `paths` that the statement does not list); MLOPS_E_CANCELLED;
 *         MLOPS_E_IO (the package cannot be opened or read: a missing
 *         file, a directory, a read(2) that failed; never a verdict on its
 *         content);
 *         MLOPS_E_INVALID (NULL `path`, no `trusted` keyring without
 *         MLOPS_PACKAGE_ALLOW_UNSIGNED, unknown flag bits, `npaths` without
 *         `paths`, a threshold above the number of trusted keys);
 *         MLOPS_E_NOMEM.
 */
MLOPS_EXTERN int mlops_package_verify(mlops_package_report **report, const char *path,
                                      const mlops_package_verify_options *opts);

/**
 * Verify a package and extract its files under `dest` in the same pass:
 * files are written under a private directory beside `dest` with
 * openat(O_NOFOLLOW|O_CREAT|O_EXCL), hashed while written, bounded by the
 * signed sizes; only when everything verified is the directory renamed to
 * `dest`. On any failure `dest` does not exist and nothing was written
 * outside it. `dest` must not exist; its parent must.
 * @return as mlops_package_verify(), plus MLOPS_E_EXISTS (dest exists).
 */
MLOPS_EXTERN int mlops_package_extract(const char *path, const char *dest,
                                       const mlops_package_verify_options *opts);

/** Release a report. Accepts NULL. */
MLOPS_EXTERN void mlops_package_report_free(mlops_package_report *r);

/** The verified statement, or NULL when the pass did not get that far (or
 *  its signature did not verify). Borrowed from `r`. */
MLOPS_EXTERN const mlops_manifest *mlops_package_report_manifest(const mlops_package_report *r);

/** Number of problems found (0 for a valid package). */
MLOPS_EXTERN size_t mlops_package_report_count(const mlops_package_report *r);
/** Code of problem `i` (MLOPS_E_INTEGRITY...), 0 when out of range. */
MLOPS_EXTERN int mlops_package_report_code(const mlops_package_report *r, size_t i);
/** The file or tar entry problem `i` is about ("" when none). Borrowed. */
MLOPS_EXTERN const char *mlops_package_report_entry(const mlops_package_report *r, size_t i);
/** What was expected ("sha256:..." or a size), "" when not applicable. */
MLOPS_EXTERN const char *mlops_package_report_expected(const mlops_package_report *r, size_t i);
/** What was found, "" when not applicable (a missing file). */
MLOPS_EXTERN const char *mlops_package_report_found(const mlops_package_report *r, size_t i);
/** A sentence describing problem `i`. */
MLOPS_EXTERN const char *mlops_package_report_message(const mlops_package_report *r, size_t i);
/** Number of files that were verified (content hashed and compared). */
MLOPS_EXTERN size_t mlops_package_report_files_verified(const mlops_package_report *r);
/** 1 when the statement's signature verified against the trusted keys. */
MLOPS_EXTERN int mlops_package_report_signed(const mlops_package_report *r);

/**
 * Whether the verification that made `r` succeeded: 1 when it returned 0
 * (a verified statement, every file checked, no problem), else 0. A report
 * handed out by a call that failed is never valid. NULL gives 0.
 * Thread-safety: reports are immutable; any thread may read one.
 */
MLOPS_EXTERN int mlops_package_report_valid(const mlops_package_report *r);

/**
 * Why the verification stopped: the MLOPS_E_* code the call returned
 * (MLOPS_E_INTEGRITY, MLOPS_E_SIGNATURE, MLOPS_E_UNSAFE...), 0 when it
 * succeeded or `r` is NULL. Every failing call that hands out a report
 * records its error in it, also when the problem list is empty (a damaged
 * tar, a forbidden entry, a bad signature stop the pass at once).
 */
MLOPS_EXTERN int mlops_package_report_error_code(const mlops_package_report *r);

/** The message of that error, as mlops_error_last() gave it when the call
 *  returned ("" when it succeeded). Borrowed from `r`. */
MLOPS_EXTERN const char *mlops_package_report_error_message(const mlops_package_report *r);

/** The file, tar entry or document path that error is about ("" when none
 *  is known). Borrowed from `r`. */
MLOPS_EXTERN const char *mlops_package_report_error_path(const mlops_package_report *r);

/** The byte offset in the package that error is about, or -1 when not
 *  known (or when the call succeeded). */
MLOPS_EXTERN int64_t mlops_package_report_error_offset(const mlops_package_report *r);

/**
 * Append the report as canonical JSON: {"valid":bool, "partial":bool,
 * "files_verified":n, "signed":bool, "statement_sha256":hex|null, "error":null|{"code":
 * "MLOPS_E_...","message":...,"path":...,"offset":n}, "problems":[{"code":
 * "MLOPS_E_INTEGRITY","entry":...,"expected":...,"found":...,"message":...}]}.
 * "valid" is mlops_package_report_valid(): true only when the verification
 * succeeded. "error" is null then, and otherwise the error the call returned
 * ("path" and "offset" only when known). "partial" is true when only the
 * files of the options' `paths` were verified: the rest of the package was
 * not read, so "valid" speaks for those files alone.
 * ("path" and "offset" only when known). Names and messages come from the
 * package: a byte that does not start a valid UTF-8 sequence is written as
 * U+FFFD (the accessors return the bytes as they are), so every report can
 * be written.
 * @param out   receives the JSON text, appended.
 * @param r     the report; borrowed and only read.
 * @param flags must be 0.
 * @return 0, MLOPS_E_INVALID (NULL `out` or `r`, non-zero flags),
 *         MLOPS_E_NOMEM (`out` unchanged on failure).
 */
MLOPS_EXTERN int mlops_package_report_write_json(mlops_buf *out,
                                                 const mlops_package_report *r,
                                                 uint32_t flags);

#ifdef __cplusplus
}
#endif

#endif /* MLOPS_PACKAGE_H */
