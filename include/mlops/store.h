/**
 * @file
 * libmlops — a local model store: an OCI image layout used as a registry on
 * one machine.
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * A store is a directory holding an OCI image layout (`oci-layout`,
 * `index.json`, `blobs/sha256/`). Adding a package verifies it and copies its
 * blobs in (each blob once, whatever the number of packages sharing it);
 * `index.json` then names the model manifest "name:version", so
 * `skopeo copy oci:STORE:name:version docker://...` publishes from it.
 * Movable aliases ("production", "staging") are more names in index.json
 * ("name:production"); the history of each alias is kept in `mlops-store.json`.
 *
 * Writers take an exclusive lock (`.lock`, flock). Every change is made by
 * writing new files beside the old ones, fsyncing them and renaming them into
 * place, so a process killed at any point leaves a valid store that has
 * lost nothing already committed. `index.json` is the commit point of every
 * change: creating a store writes it last, and an alias move writes the
 * history first and `index.json` after it (a history line that index.json
 * does not confirm is a move that never happened, and every reader and
 * writer ignores it), so resolving an alias and its history always agree.
 * A creation that was killed is finished by the next writer. Readers take
 * no lock: they see index.json before or after a change, never half of one.
 *
 * A store handle is used by one thread at a time.
 */
#ifndef MLOPS_STORE_H
#define MLOPS_STORE_H

#include "common.h"
#include "package.h"

#ifdef __cplusplus
extern "C" {
#endif

/** An open store. */
typedef struct mlops_store mlops_store;

/** Flag for mlops_store_open(): create the store when the directory does not
 *  exist or is empty. */
#define MLOPS_STORE_CREATE 1u
/** Flag for mlops_store_open(): fail with MLOPS_E_LOCKED instead of waiting
 *  when another writer holds the lock. */
#define MLOPS_STORE_NOWAIT 2u
/** Flag for mlops_store_retain(): say what would be removed, remove nothing. */
#define MLOPS_STORE_DRY_RUN 4u
/** The alias every model has without setting it: its highest version that is
 *  not a pre-release (mlops_store_resolve()); mlops_store_alias_set() refuses
 *  it. */
#define MLOPS_STORE_LATEST "latest"

/**
 * Open (or create) a store.
 * @param out   receives the store; release it with mlops_store_free().
 *              Untouched on failure.
 * @param path  the store's directory (NUL-terminated; copied). With
 *              MLOPS_STORE_CREATE it is made (mode 0755) when missing, and an
 *              existing empty directory becomes a store; its parent must
 *              exist. Creation happens under the writer lock and is atomic
 *              and idempotent: `index.json` is written last, several
 *              processes creating the same store at once all succeed (one
 *              creates it, the others open it), and a directory left by a
 *              creation that was killed (the lock file, `blobs/`,
 *              `oci-layout`, temporary files, but no `index.json`) is
 *              finished. Opening creates the lock file `.lock` in it
 *              when there is none.
 * @param flags MLOPS_STORE_CREATE, MLOPS_STORE_NOWAIT.
 * @return 0; MLOPS_E_NOTFOUND (no store there, without CREATE);
 *         MLOPS_E_PARSE / MLOPS_E_SCHEMA (a damaged index.json);
 *         MLOPS_E_LIMIT (index.json over 64 MiB);
 *         MLOPS_E_VERSION (its oci-layout names a version other than 1.0.0);
 *         MLOPS_E_EXISTS (with CREATE: a directory that is neither empty, nor
 *         a store, nor a store whose creation was interrupted: it holds
 *         other files, named in the message); MLOPS_E_IO;
 *         MLOPS_E_INVALID (NULL argument, unknown flag bits); MLOPS_E_NOMEM.
 */
MLOPS_EXTERN int mlops_store_open(mlops_store **out, const char *path, uint32_t flags);

/** Close a store. Accepts NULL. */
MLOPS_EXTERN void mlops_store_free(mlops_store *s);

/**
 * Verify a package (see mlops_package_verify()) and add it under the tag
 * "name:version" of its statement. Adding the same package again does
 * nothing and succeeds.
 * @param s    the store. The change is made under its writer lock (waited
 *             for, or MLOPS_E_LOCKED with MLOPS_STORE_NOWAIT), starting from
 *             the index.json last committed.
 * @param package_path the package file (NUL-terminated; not retained; never
 *             modified). It is read twice, verified and then its blobs
 *             copied; every blob is hashed again while it is copied, so a
 *             package changed in between gives MLOPS_E_INTEGRITY. A stream
 *             (a FIFO or character device: a pipe as /dev/stdin or
 *             /proc/self/fd/N) is read once, into a temporary file
 *             `blobs/sha256/.tmp-spool-*` of the store that is removed
 *             afterwards (and by mlops_store_gc() when the writer was
 *             killed); errors name `package_path`, not the copy.
 * @param opts verification options (trusted keys...); NULL is refused unless
 *        it is to accept unsigned packages: pass options with
 *        MLOPS_PACKAGE_ALLOW_UNSIGNED.
 * @return 0; the codes of mlops_package_verify(); MLOPS_E_EXISTS (the tag
 *         names another manifest); MLOPS_E_LOCKED (another writer holds the
 *         lock, with MLOPS_STORE_NOWAIT); MLOPS_E_IO.
 */
MLOPS_EXTERN int mlops_store_add(mlops_store *s, const char *package_path,
                                 const mlops_package_verify_options *opts);

/**
 * The manifest digest ("sha256:<hex>") a reference names: "name:version",
 * "name:alias", or "name:latest" (MLOPS_STORE_LATEST: the highest version
 * of `name` in SemVer precedence that is not a pre-release; among versions
 * of equal precedence, which differ only in build metadata, the last in
 * byte order).
 * @param out receives a copy; release with mlops_free(). Untouched on
 *        failure.
 * @param s   the store. Its index.json is read again (without the lock), so
 *            the answer reflects the last committed change.
 * @param reference "name:version" or "name:alias", compared byte for byte
 *            (NUL-terminated; not retained).
 * @return 0, MLOPS_E_NOTFOUND (also "name:latest" when `name` has no
 *         release version), MLOPS_E_INVALID, MLOPS_E_NOMEM;
 *         MLOPS_E_PARSE / MLOPS_E_SCHEMA / MLOPS_E_IO (index.json cannot be
 *         read again).
 */
MLOPS_EXTERN int mlops_store_resolve(char **out, mlops_store *s, const char *reference);

/**
 * Point alias `alias` of model `name` at `version` (which must be a tag),
 * appending the change to the alias's history. Alias names follow the
 * version grammar's characters but must not be valid SemVer, nor
 * MLOPS_STORE_LATEST.
 *
 * The move and its history line are one change: the history is written
 * first, then index.json (the commit point). Killed before index.json, the
 * move did not happen and its history line is ignored (and dropped by the
 * next alias move or gc); killed after, both are there.
 * @return 0, MLOPS_E_NOTFOUND (no such version), MLOPS_E_INVALID (bad
 *         alias), MLOPS_E_LOCKED, MLOPS_E_IO, MLOPS_E_NOMEM;
 *         MLOPS_E_PARSE / MLOPS_E_SCHEMA (a damaged index.json or
 *         mlops-store.json).
 */
MLOPS_EXTERN int mlops_store_alias_set(mlops_store *s, const char *name, const char *alias,
                                       const char *version);

/**
 * The versions an alias has pointed at, oldest first; the last one is the
 * version the alias resolves to now.
 * @param out   receives a list owned by the caller (release with
 *              mlops_strlist_free()); it does not change when the store does.
 *              Empty when the alias was never set. Untouched on failure.
 * @param s     the store. index.json and mlops-store.json are read again
 *              (without the lock), so the answer reflects the last committed
 *              change.
 * @param name  the model's name (NUL-terminated; not retained).
 * @param alias the alias (NUL-terminated; not retained).
 * @param flags 0.
 * @return 0; MLOPS_E_PARSE / MLOPS_E_SCHEMA / MLOPS_E_LIMIT (a damaged
 *         index.json or mlops-store.json: never an empty answer);
 *         MLOPS_E_IO; MLOPS_E_INVALID (NULL argument, flags not 0);
 *         MLOPS_E_NOMEM.
 */
MLOPS_EXTERN int mlops_store_alias_history_list(mlops_strlist **out, mlops_store *s,
                                                const char *name, const char *alias,
                                                uint32_t flags);

/**
 * The tags ("name:version" references; aliases not included): names in byte
 * order, and each name's versions in SemVer precedence (1.2.0-rc.1 before
 * 1.2.0 before 1.10.0; versions that differ only in build metadata in byte
 * order).
 * @param out   receives a list owned by the caller (release with
 *              mlops_strlist_free()); it does not change when the store does.
 *              Untouched on failure.
 * @param s     the store; its index.json is read again (without the lock).
 * @param flags 0.
 * @return 0; MLOPS_E_PARSE / MLOPS_E_SCHEMA / MLOPS_E_LIMIT (a damaged
 *         index.json or mlops-store.json: never an empty answer);
 *         MLOPS_E_IO; MLOPS_E_INVALID (NULL argument, flags not 0);
 *         MLOPS_E_NOMEM.
 */
MLOPS_EXTERN int mlops_store_tag_list(mlops_strlist **out, mlops_store *s, uint32_t flags);

/**
 * Remove a version: its tag and its signature's entry leave index.json (the
 * commit point; a writer killed before it removed nothing). The blobs stay
 * until mlops_store_gc() finds them unreachable. Alias histories keep their
 * lines (they record what the alias pointed at).
 * @param s   the store; the change is made under its writer lock.
 * @param tag "name:version" (NUL-terminated; not retained).
 * @param flags 0.
 * @return 0; MLOPS_E_NOTFOUND (no such tag); MLOPS_E_EXISTS (an alias still
 *         points at it: the message names it; move the alias first);
 *         MLOPS_E_INVALID (not a "name:version" tag, NULL, flags);
 *         MLOPS_E_LOCKED; MLOPS_E_IO; MLOPS_E_NOMEM; MLOPS_E_PARSE /
 *         MLOPS_E_SCHEMA (a damaged index.json).
 */
MLOPS_EXTERN int mlops_store_remove(mlops_store *s, const char *tag, uint32_t flags);

/**
 * Retention: for every model, keep its `keep` highest versions (SemVer
 * precedence, as mlops_store_tag_list()) and every version an alias points
 * at, and remove the other tags as mlops_store_remove() does, in one commit.
 * @param removed receives the tags removed (or, with MLOPS_STORE_DRY_RUN,
 *                those that would be), in mlops_store_tag_list() order;
 *                release with mlops_strlist_free(). Untouched on failure.
 * @param s       the store; the change is made under its writer lock.
 * @param keep    versions to keep per model, besides the aliased ones; 0
 *                keeps only the aliased ones.
 * @param flags   0 or MLOPS_STORE_DRY_RUN.
 * @return 0; MLOPS_E_INVALID; MLOPS_E_LOCKED; MLOPS_E_IO; MLOPS_E_NOMEM;
 *         MLOPS_E_PARSE / MLOPS_E_SCHEMA (a damaged index.json).
 */
MLOPS_EXTERN int mlops_store_retain(mlops_strlist **removed, mlops_store *s, size_t keep,
                                    uint32_t flags);

/**
 * Write the version a reference names back to a `.mlpkg` package: the same
 * layout, order and tar rules as the packer (docs/formats/package-v1.md),
 * so a package packed with the same mtime comes back byte for byte. Every
 * blob is checked against its digest while it is copied.
 * @param s     the store; only read (its index.json is read again, without
 *              the lock).
 * @param reference "name:version" or "name:alias".
 * @param out_path the package file to write (NUL-terminated; not retained),
 *              through a temporary file in its directory renamed into place:
 *              it appears complete or not at all. It must not exist unless
 *              `flags` has MLOPS_PACK_OVERWRITE (MLOPS_E_EXISTS); a device,
 *              FIFO or link: see MLOPS_PACK_OVERWRITE.
 * @param mtime the tar entries' mtime; -1 takes SOURCE_DATE_EPOCH or 0.
 * @param flags 0 or MLOPS_PACK_OVERWRITE.
 * @return 0, MLOPS_E_NOTFOUND, MLOPS_E_EXISTS, MLOPS_E_INTEGRITY (a damaged
 *         blob), MLOPS_E_PARSE, MLOPS_E_SCHEMA, MLOPS_E_IO, MLOPS_E_INVALID,
 *         MLOPS_E_NOMEM.
 */
MLOPS_EXTERN int mlops_store_export(mlops_store *s, const char *reference,
                                    const char *out_path, int64_t mtime, uint32_t flags);

/**
 * Remove blobs that no tag reaches (through its manifest, config, layers and
 * signature referrer), and every temporary file a killed writer left
 * (`blobs/sha256/.tmp-*`, and `.index.json.tmp-*`, `.mlops-store.json.tmp-*`,
 * `.oci-layout.tmp-*` in the store's directory); an alias history line that
 * index.json does not confirm (a move killed before its commit) is dropped
 * from mlops-store.json.
 * @param s       the store; the removal is made under its writer lock, as
 *                for mlops_store_add().
 * @param removed receives the number of files removed (may be NULL);
 *                untouched on failure.
 * @return 0, MLOPS_E_LOCKED, MLOPS_E_IO, MLOPS_E_NOMEM; MLOPS_E_INVALID
 *         (NULL `s`); MLOPS_E_PARSE / MLOPS_E_SCHEMA (a damaged index.json
 *         or stored manifest); MLOPS_E_INTEGRITY (a manifest blob that does
 *         not hash to its name).
 */
MLOPS_EXTERN int mlops_store_gc(size_t *removed, mlops_store *s);

/**
 * Check the store: index.json parses, every blob a tag reaches exists and
 * hashes to its name.
 * @return 0, MLOPS_E_INTEGRITY (naming the blob), MLOPS_E_PARSE, MLOPS_E_IO,
 *         MLOPS_E_NOMEM.
 */
MLOPS_EXTERN int mlops_store_check(mlops_store *s);

#ifdef __cplusplus
}
#endif

#endif /* MLOPS_STORE_H */
