/*
 * Internal: the store's state, shared by store.c (opening, locking, names),
 * store_index.c (index.json and the alias history, loaded and saved),
 * store_add.c (adding a package), store_gc.c (reachability: gc and check)
 * and layout_export.c (a stored version, or an OCI layout from elsewhere,
 * written back as a package).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef MLOPS_ARTIFACT_STORE_IMPL_H
#define MLOPS_ARTIFACT_STORE_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/json.h"
#include "mlops/digest.h"
#include "mlops/store.h"

#define META_MAX ((size_t)64 << 20)
#define COPY_BLOCK ((size_t)1 << 20)
#define SUBJECT_KEY "dev.libmlops.subject"
#define REF_KEY "org.opencontainers.image.ref.name"

enum { KIND_MODEL = 1, KIND_SIGNATURE = 2 };

typedef struct entry {
    char *ref; /* "name:version" or "name:alias" (model); the subject tag (signature) */
    int kind;
    uint8_t d[MLOPS_SHA256_SIZE];
    uint64_t size;
} entry;

typedef struct history {
    char *key; /* "name:alias" */
    char **versions;
    size_t n, cap;
} history;

struct mlops_store {
    char *root;
    uint32_t flags;
    int lock_fd;
    entry *e;
    size_t n;
    history *h;
    size_t nh;
    int repaired; /* the history in memory differs from mlops-store.json */
};

/* ---- small file helpers (store.c) ---------------------------------------- */

/* `root`/`rel` into `out`. */
int mlops__store_path_join(mlops_buf *out, const char *root, const char *rel);

/* A whole file of at most `max` bytes into `out`. With `missing`, a file
 * that does not exist sets *missing and is not an error. */
int mlops__store_read_file(mlops_buf *out, const char *path, size_t max, int *missing);

/* fsync(2) a directory, so that a rename in it is durable. */
int mlops__store_fsync_dir(const char *dir);

/* write(2) all of `data` to `fd` (the temporary of `dst`, named in errors). */
int mlops__store_write_all(int fd, const void *data, size_t len, const char *dst);

/* Finish the temporary file `fd` (at `tmp`) as `dst`: chmod `mode`, fsync,
 * close, rename over `dst`. Given a failure (`rc`) or meeting one, the
 * temporary is closed and removed and the failure returned; else 0. The
 * caller fsyncs the directory when the rename must be durable. */
int mlops__store_commit_tmp(int rc, int fd, const char *tmp, const char *dst, unsigned mode);

/* Replace `root/rel` atomically with `data`: temporary file, fsync, rename,
 * fsync of the directory. */
int mlops__store_replace_file(const char *root, const char *rel, const void *data, size_t len);

/* ---- the index and the alias history (store_index.c) --------------------- */

/* Forget the loaded index and alias history. */
void mlops__store_entries_free(mlops_store *s);

/* The string member `k` of object `o` (NULL: none), or NULL. */
const char *mlops__store_str(const mlops__json *o, const char *k);

/* Parse index.json (`text`, read from `path`) into *doc (the caller frees
 * it, also on failure); *manifests is its "manifests" array, or NULL when
 * the document is not an object with one. Returns 0 or the parse error. */
int mlops__store_index_parse(mlops__json_doc **doc, const mlops__json **manifests,
                             const mlops_buf *text, const char *path);

/* The fields of descriptor `d` of an index: its digest and size, and its
 * reference, subject and artifactType (each NULL when absent). Returns 0,
 * or -1 (nothing recorded) when the digest or the size is not valid. */
int mlops__store_index_descriptor(const mlops__json *d, uint8_t digest[32], uint64_t *size,
                                  const char **ref, const char **subject,
                                  const char **artifact_type);

/* Append a copy of `version` to an alias history. */
int mlops__store_history_push(history *h, const char *version);

/* A new, empty history for alias key "name:alias"; NULL when out of memory
 * (recorded). */
history *mlops__store_history_add(mlops_store *s, const char *key);

/* index.json is the commit point of an alias move and the history is
 * written before it, so the history's last line names what the alias
 * resolves to. When it does not:
 * - the alias is not in index.json: its first move was killed before the
 *   commit; the history is dropped;
 * - the line before the last names it: the last move was killed before the
 *   commit; its line is dropped;
 * - otherwise (a store written by an older library, which wrote index.json
 *   first and so could lose the history line) the version the alias
 *   resolves to is appended.
 * Sets s->repaired when the history in memory differs from the file. */
int mlops__store_reconcile(mlops_store *s);

/* Load index.json and the alias history. Without the writer lock (`locked`
 * 0), index.json is read again after the history and the pair is read again
 * when it changed meanwhile, so a reader pairs a history with the index.json
 * of the same moment (and the reconciliation keeps the two agreeing even
 * when a busy writer outruns it). */
int mlops__store_load_index(mlops_store *s, int locked);

/* Write index.json from the entries in memory (write-fsync-rename). */
int mlops__store_save_index(mlops_store *s);

/* Write mlops-store.json from the alias history in memory. */
int mlops__store_save_history(mlops_store *s);

/* The entry of `ref` of this kind, or NULL. */
entry *mlops__store_find_entry(mlops_store *s, const char *ref, int kind);

/* Append an entry naming `d` (`size` bytes) `ref` to the index in memory. */
int mlops__store_push_entry(mlops_store *s, const char *ref, int kind, const uint8_t d[32],
                            uint64_t size);

/* The alias history of "name:alias" `key`, or NULL. */
history *mlops__store_find_history(mlops_store *s, const char *key);

/* 1 when `ref` is "name:<SemVer>" (a tag), 0 otherwise (an alias). */
int mlops__store_is_tag(const char *ref);

/* Order of two tags: names in byte order, then versions in SemVer
 * precedence, then byte order (store_life.c). */
int mlops__store_tag_cmp(const char *a, const char *b);

/* The entry "name:latest" stands for: the highest release version of the
 * model `name` (its first nlen bytes), or NULL (store_life.c). */
const struct entry *mlops__store_latest(const mlops_store *s, const char *name, size_t nlen);

/* ---- opening, locking (store.c) ------------------------------------------ */

/* Take the writer lock (flock; MLOPS_E_LOCKED at once with
 * MLOPS_STORE_NOWAIT), then load what the last writer committed. */
int mlops__store_lock(mlops_store *s);

/* Release the writer lock. */
void mlops__store_unlock(mlops_store *s);

/* Remove the temporary files of killed writers from the store's directory
 * (under the lock: no live writer has any). Adds their number to *count. */
int mlops__store_remove_root_temps(const char *root, size_t *count);

/* ---- reading blobs (store_gc.c) ------------------------------------------ */

/* A blob's bytes, checked against its name. */
int mlops__store_read_blob(mlops_store *s, const uint8_t d[32], mlops_buf *out);

/* A stored image manifest `d`: its bytes (checked against the name) into
 * `b`, parsed into *doc (the caller frees both, also on failure); *config
 * and *layers are its "config" and "layers" members, NULL when absent. */
int mlops__store_read_manifest(mlops_store *s, const uint8_t d[32], mlops_buf *b,
                               mlops__json_doc **doc, const mlops__json **config,
                               const mlops__json **layers);

#endif /* MLOPS_ARTIFACT_STORE_IMPL_H */
