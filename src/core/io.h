/*
 * Reading all of what was asked for: read(2) and pread(2) may return fewer
 * bytes than asked (a signal, a pipe, a network file system) or fail with
 * EINTR without having read anything. A caller that compares the count with
 * what it wanted (an end-of-file probe, a fixed-size header) goes through
 * these, so an interruption is never taken for an end of file or a changed
 * file.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef MLOPS_CORE_IO_H
#define MLOPS_CORE_IO_H

#include <stddef.h>
#include <sys/types.h>

#include "mlops/common.h"

/** Read until `n` bytes or end of file, retrying EINTR and short counts.
 *  Returns the bytes read (fewer than `n` only at end of file) or -1 with
 *  errno set. */
ssize_t mlops__read_full(int fd, void *buf, size_t n);

/** The same with pread(2) from offset `off`. */
ssize_t mlops__pread_full(int fd, void *buf, size_t n, off_t off);

/**
 * Append everything `fd` holds to `out` (NUL-terminated), refusing more than
 * `max` bytes: MLOPS_E_LIMIT "<path>: more than <max> bytes, <what>" (what
 * says what the file was expected to be), MLOPS_E_IO on a read error, both
 * with `path` as the error path; MLOPS_E_NOMEM. On failure `out` may hold part
 * of the file: the caller disposes of it (and wipes it when it is secret).
 */
int mlops__read_all_limited(mlops_buf *out, int fd, size_t max, const char *path,
                            const char *what);

#endif
