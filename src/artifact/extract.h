/*
 * Internal: safe extraction of package content to a directory.
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * The writer never trusts a path: every name is checked (relative, `/`
 * separated, no `.`/`..` or empty segment, no backslash, NUL or control
 * character, bounded length and depth), every directory and file is created
 * relative to a directory fd with O_NOFOLLOW (files also O_CREAT|O_EXCL, so
 * nothing existing is ever opened), and names are unique even after ASCII
 * case folding, so the same tree comes out on case-insensitive file systems.
 *
 * Everything goes into a fresh private directory beside the destination
 * ("<parent>/.<name>.mlops-XXXXXX"); commit fsyncs every file and directory
 * and renames it into place without replacing anything; abort (or any
 * failure) removes it. The destination therefore either appears complete or
 * not at all, and nothing is written anywhere else.
 */
#ifndef MLOPS_ARTIFACT_EXTRACT_H
#define MLOPS_ARTIFACT_EXTRACT_H

#include <stddef.h>
#include <stdint.h>

#include "mlops/common.h"
#include "mlops/digest.h"

/* Path rules (also docs/formats/overview.md §2): the limits are generous for model trees
 * and keep every name within what any Linux file system accepts. */
#define MLOPS__PATH_MAX 4096
#define MLOPS__PATH_SEGMENT_MAX 255
#define MLOPS__PATH_DEPTH_MAX 64

/**
 * Check an entry path; MLOPS_E_UNSAFE (recorded, naming the path and the
 * rule) when it is not a safe relative path. `len` may include an embedded
 * NUL, which is refused.
 */
int mlops__path_check(const char *path, size_t len);

typedef struct mlops__extract mlops__extract;

typedef struct mlops__extract_limits {
    uint64_t max_total_bytes; /* 0 = no limit beyond declared sizes */
    uint64_t max_entries;     /* files and directories; 0 = 1,000,000 */
} mlops__extract_limits;

/**
 * Start extracting to `dest`, which must not exist; its parent must. Creates
 * the private temporary directory.
 * @return 0, MLOPS_E_EXISTS, MLOPS_E_IO, MLOPS_E_NOMEM, MLOPS_E_INVALID.
 */
int mlops__extract_begin(mlops__extract **out, const char *dest,
                         const mlops__extract_limits *limits);

/** Create a directory (and its parents). 0, MLOPS_E_UNSAFE, MLOPS_E_IO,
 *  MLOPS_E_LIMIT, MLOPS_E_NOMEM. */
int mlops__extract_dir(mlops__extract *x, const char *path, size_t len);

/**
 * Start a regular file of exactly `size` bytes (creating its parent
 * directories). `digest` (may be NULL) is the SHA-256 the content must have.
 * `executable` gives mode 0755 instead of 0644.
 * @return 0, MLOPS_E_UNSAFE (bad path, duplicate, case collision, a parent
 *         that is a file), MLOPS_E_LIMIT, MLOPS_E_IO, MLOPS_E_NOMEM.
 */
int mlops__extract_file_begin(mlops__extract *x, const char *path, size_t len, uint64_t size,
                              const uint8_t *digest, int executable);

/** Content of the open file. MLOPS_E_INTEGRITY when it would exceed the
 *  declared size; MLOPS_E_IO. */
int mlops__extract_file_write(mlops__extract *x, const void *data, size_t len);

/**
 * Finish the open file: its size must be the declared one and its digest the
 * expected one (MLOPS_E_INTEGRITY, naming the path, expected and found);
 * writes its digest to `digest_out` (may be NULL); fsyncs it.
 */
int mlops__extract_file_end(mlops__extract *x, uint8_t *digest_out);

/**
 * Create `path` as a copy of `from`, a file this extraction already wrote
 * and finished (two package files with the same content travel once). The
 * copy is checked against `digest` and `size` like any other file.
 */
int mlops__extract_copy(mlops__extract *x, const char *from, const char *path, uint64_t size,
                        const uint8_t *digest);

/**
 * fsync every directory, rename the tree to the destination (never replacing
 * an existing one: MLOPS_E_EXISTS) and fsync the parent. Releases `x` in
 * every case; on failure before the rename, the tree is removed.
 */
int mlops__extract_commit(mlops__extract *x);

/** Remove everything written and release `x`. Accepts NULL. Keeps the
 *  calling thread's recorded error. */
void mlops__extract_abort(mlops__extract *x);

struct archive_entry;
/**
 * Refuse every tar entry type but regular files and directories (links of
 * any kind, devices, FIFOs, sockets, sparse files): MLOPS_E_UNSAFE naming
 * `path` and the kind.
 */
int mlops__tar_entry_check(struct archive_entry *e, const char *path);

/** One declared file for mlops__extract_tar(). */
typedef struct mlops__extract_entry {
    const char *path;
    uint64_t size;
    uint8_t digest[MLOPS_SHA256_SIZE];
    int executable;
} mlops__extract_entry;

/**
 * Extract an uncompressed tar stream read from `fd` into `dest`, as one
 * transaction. Only regular files and directories are accepted: links of
 * any kind, devices, FIFOs, sparse files are MLOPS_E_UNSAFE. With a
 * `declared` list, every file must be declared (an extra one is
 * MLOPS_E_INTEGRITY), be exactly its declared size and digest, and every
 * declared file must be present; without one (NULL), only the limits bound
 * the content. A damaged or truncated tar is MLOPS_E_PARSE. On any failure
 * `dest` does not exist afterwards.
 */
int mlops__extract_tar(int fd, const char *dest, const mlops__extract_entry *declared,
                       size_t ndeclared, const mlops__extract_limits *limits);

#endif /* MLOPS_ARTIFACT_EXTRACT_H */
