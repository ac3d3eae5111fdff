/*
 * Writing an output file the one way every writer of the project does:
 * atomically where a file is replaced, straight through where the output is
 * a stream.
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * Plain POSIX and no other part of the library, so the `mlops` command (which
 * links the public API only) compiles the same source for its own outputs.
 *
 * What the destination path names decides how it is written:
 *
 *  - nothing, or a regular file: a temporary file beside it (same directory,
 *    so the same file system), written, fsync'ed, then renamed over the path
 *    and the directory fsync'ed. Where the file system has O_TMPFILE (and
 *    /proc is mounted) the temporary has no name until the commit, so a
 *    writer killed before it leaves nothing; elsewhere it is
 *    PATH.mlops-tmp-XXXXXXXX, which a killed writer leaves behind. A reader
 *    sees the old file or the new one, never a part; a failure (a full disk) leaves the old file as it was and
 *    no temporary behind. A replaced file keeps its permission bits; a new
 *    one gets `mode` less the umask.
 *  - a symbolic link: followed (link by link, relative links against the
 *    link's directory, at most 40) to the file it names, and that file is
 *    written as above: the link stays a link. A dangling link creates the
 *    file it points to.
 *  - a character device or a FIFO (a terminal, a pipe, /dev/null): opened
 *    for writing and written straight into, never created, truncated,
 *    renamed over or chmod'ed.
 *  - /dev/stdout, /dev/stderr, /dev/fd/N, /proc/self/fd/N: that descriptor
 *    (dup'ed), whatever it is, as a shell redirection would.
 *  - anything else (a directory, a block device, a socket): refused.
 *
 * Without MLOPS__OUT_OVERWRITE an existing regular file (or a link to one)
 * is refused with EEXIST, and the final rename never replaces a file that
 * appeared meanwhile. Writing into a device or FIFO replaces nothing, so it
 * needs no overwrite permission.
 */
#ifndef MLOPS_CORE_OUTFILE_H
#define MLOPS_CORE_OUTFILE_H

#include <stddef.h>

#define MLOPS__OUT_PATH_MAX 4096

/** May replace an existing regular file. */
#define MLOPS__OUT_OVERWRITE 1u
/** A named temporary even where O_TMPFILE works (the fallback's tests). */
#define MLOPS__OUT_NAMED_TEMP 2u

typedef struct mlops__outfile {
    int fd;       /* write here (-1 when closed) */
    int through;  /* 1: a device, FIFO or inherited descriptor, written in place */
    int existed;  /* atomic mode: the target existed before (it is replaced) */
    int anonymous; /* atomic mode: an O_TMPFILE file, named only at the commit */
    unsigned flags;
    /* atomic mode: the file that receives the bytes (symbolic links
     * resolved), and the temporary beside it; through mode: the path given */
    char target[MLOPS__OUT_PATH_MAX];
    char tmp[MLOPS__OUT_PATH_MAX + 32];
    /* where other temporaries of the writer belong: the target's path in
     * atomic mode (append a suffix), "$TMPDIR/mlops" in through mode */
    char tmp_prefix[MLOPS__OUT_PATH_MAX];
} mlops__outfile;

/**
 * Open `path` for writing as described above. Returns 0, or an errno value
 * (EEXIST: exists and no overwrite; EISDIR / ENOTSUP: a directory, block
 * device or socket; ELOOP; ENAMETOOLONG; any error of open) with a message
 * naming the path in err ("PATH: reason").
 */
int mlops__outfile_open(mlops__outfile *o, const char *path, unsigned flags, unsigned mode,
                        char *err, size_t errlen);

/** write(2) all of `data`; 0 or an errno value with a message. */
int mlops__outfile_write(mlops__outfile *o, const void *data, size_t size, char *err,
                         size_t errlen);

/**
 * Finish: atomic mode fsyncs, renames the temporary into place (without
 * replacing unless MLOPS__OUT_OVERWRITE) and fsyncs the directory; through
 * mode closes the descriptor. On failure the temporary is removed. Returns 0
 * or an errno value with a message. The descriptor is closed either way.
 */
int mlops__outfile_commit(mlops__outfile *o, char *err, size_t errlen);

/** Give up: close, and remove the temporary (atomic mode). Safe twice. */
void mlops__outfile_abort(mlops__outfile *o);

#endif
