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
#include "key.h"
#include "packer.h"

#ifdef __cplusplus
extern "C" {
#endif
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

/**
 * Summary of a package report. Read-only; borrowed from the report (valid
 * while it is). Version 1; fields are only ever added at the end (see
 * MLOPS_INFO_HAS()). Declared as `struct mlops_package_report_info` without
 * a typedef, because mlops_package_report_info() is the function that hands
 * it out.
 */
struct mlops_package_report_info {
    MLOPS_INFO_HEADER;
    /** 1 when the verification succeeded (mlops_package_report_valid()). */
    int valid;
    /** 1 when the statement's signature verified against the trusted keys
     *  (`signed` in the JSON report). */
    int is_signed;
    /** 1 when only the files of the options' `paths` were verified. */
    int partial;
    /** Number of files that were verified (content hashed and compared). */
    size_t files_verified;
    /** Number of problems found (the rows of mlops_package_report_problem());
     *  0 for a valid package. */
    size_t problem_count;
    /** Why the verification stopped: the MLOPS_E_* code the call returned,
     *  0 when it succeeded. */
    int error_code;
    /** The message of that error, as mlops_error_last() gave it; NULL when
     *  the call succeeded (or when the message could not be kept: then
     *  `error_code` is MLOPS_E_NOMEM). */
    const char *error_message;
    /** The file, tar entry or document path that error is about; NULL when
     *  none is known. */
    const char *error_path;
    /** The byte offset in the package that error is about; -1 when not
     *  known (or when the call succeeded). */
    int64_t error_offset;
};

/** Version of struct mlops_package_report_info filled by this library. */
#define MLOPS_PACKAGE_REPORT_INFO_VERSION 1

/**
 * The summary of `r`, or NULL when `r` is NULL. Built when the verification
 * ends: never allocates; thread-safe (a report is immutable).
 */
MLOPS_EXTERN const struct mlops_package_report_info *
mlops_package_report_info(const mlops_package_report *r);

/** One problem found in a package. Read-only; borrowed from the report
 *  (valid while it is). Strings are the bytes as they came from the package
 *  (not necessarily UTF-8). Version 1; fields are only ever added at the
 *  end. */
typedef struct mlops_package_report_problem_info {
    MLOPS_INFO_HEADER;
    /** The problem's code (MLOPS_E_INTEGRITY). */
    int code;
    /** The file or tar entry the problem is about; NULL when none. */
    const char *entry;
    /** What was expected ("sha256:<hex>" or a size); NULL when not
     *  applicable. */
    const char *expected;
    /** What was found; NULL when not applicable (a missing file). */
    const char *found;
    /** A sentence describing the problem; never NULL. */
    const char *message;
} mlops_package_report_problem_info;

/** Version of mlops_package_report_problem_info filled by this library. */
#define MLOPS_PACKAGE_REPORT_PROBLEM_INFO_VERSION 1

/**
 * Problem `i` (in the order found) of `r`, or NULL when `r` is NULL or `i`
 * is out of range. Never allocates; thread-safe.
 */
MLOPS_EXTERN const mlops_package_report_problem_info *
mlops_package_report_problem(const mlops_package_report *r, size_t i);

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

/* ------------------------------------------------------------------------ */
/* Experimental: declared only with MLOPS_EXPERIMENTAL defined; not covered  */
/* by the ABI promise (docs/abi-policy.md).                                  */
/* ------------------------------------------------------------------------ */
#ifdef MLOPS_EXPERIMENTAL

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

#endif /* MLOPS_EXPERIMENTAL */

#ifdef __cplusplus
}
#endif

#endif /* MLOPS_PACKAGE_H */
