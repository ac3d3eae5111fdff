/*
 * Internal: a byte-reproducible tar writer.
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * Restricted pax through libarchive: a ustar header per entry, a pax extended
 * header only where ustar cannot say it (a long or non-ASCII name, a file of
 * 8 GiB or more). Every header carries the same mtime, uid/gid 0, empty user
 * and group names, mode 0644 (files) or 0755 (directories), and nothing else:
 * no atime, ctime, xattrs or PID. The caller writes entries in a fixed order,
 * so the same entries always give the same bytes.
 */
#ifndef MLOPS_ARTIFACT_TARW_H
#define MLOPS_ARTIFACT_TARW_H

#include <stddef.h>
#include <stdint.h>

/**
 * Where the bytes go: return 0, or a negative mlops code that it has
 * recorded (the writer then stops and returns that code).
 */
typedef int (*mlops__tarw_sink)(void *ctx, const void *data, size_t len);

typedef struct mlops__tarw mlops__tarw;

/** A writer with every entry stamped `mtime` (seconds since 1970, >= 0). */
int mlops__tarw_new(mlops__tarw **out, mlops__tarw_sink sink, void *ctx, int64_t mtime);
/** A directory entry "path/". */
int mlops__tarw_dir(mlops__tarw *w, const char *path);
/** Start a regular file of exactly `size` bytes. */
int mlops__tarw_file_begin(mlops__tarw *w, const char *path, uint64_t size);
/** Content of the current file (never more than declared). */
int mlops__tarw_data(mlops__tarw *w, const void *data, size_t len);
/** End the current file: it must have had exactly its declared size. */
int mlops__tarw_file_end(mlops__tarw *w);
/**
 * Start a regular file of exactly `size` bytes whose content the caller
 * delivers itself, straight to the sink's destination (for example with
 * copy_file_range()): the header goes to the sink now (the same bytes
 * mlops__tarw_file_begin() would give), then the caller writes exactly
 * `size` bytes past it and calls mlops__tarw_raw_end(), which adds the
 * padding. Nothing else may be written in between.
 */
int mlops__tarw_raw_begin(mlops__tarw *w, const char *path, uint64_t size);
/** End an entry started with mlops__tarw_raw_begin() of `size` bytes. */
int mlops__tarw_raw_end(mlops__tarw *w, uint64_t size);
/** Write the end-of-archive blocks and flush. */
int mlops__tarw_finish(mlops__tarw *w);
/** Release the writer. Accepts NULL. */
void mlops__tarw_free(mlops__tarw *w);

#endif /* MLOPS_ARTIFACT_TARW_H */
