/*
 * Writing an output file: a buffered writer and the destination's atomic
 * commit (core/output.h).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "core/output.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/io.h"

int mlops__output_init(mlops__output *o, int fd, const char *name)
{
    memset(o, 0, sizeof *o);
    o->file.fd = -1;
    o->fd = fd;
    o->name = name;
    o->buf = mlops__malloc(MLOPS__OUTPUT_BUFFER);
    return o->buf ? 0 : mlops__error_nomem();
}

static int outfile_error(int e, const char *path, const char *msg)
{
    int code = e == EEXIST                   ? MLOPS_E_EXISTS
               : e == EISDIR || e == ENOTSUP ? MLOPS_E_INVALID
                                             : MLOPS_E_IO;
    return mlops__error_at(code, -1, 0, 0, path, "%s", msg);
}

int mlops__output_open(mlops__output *o, const char *path, int overwrite)
{
    memset(o, 0, sizeof *o);
    o->file.fd = -1;
    o->fd = -1;
    o->name = path;
    char err[MLOPS__OUT_PATH_MAX + 160];
    int e = mlops__outfile_open(&o->file, path, overwrite ? MLOPS__OUT_OVERWRITE : 0, 0644, err,
                                sizeof err);
    if (e)
        return outfile_error(e, path, err);
    o->has_file = 1;
    o->fd = o->file.fd;
    o->buf = mlops__malloc(MLOPS__OUTPUT_BUFFER);
    return o->buf ? 0 : mlops__error_nomem();
}

int mlops__output_flush(mlops__output *o)
{
    size_t off = 0;
    while (off < o->used) {
        ssize_t n = write(o->fd, o->buf + off, o->used - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return mlops__error_at(MLOPS_E_IO, -1, 0, 0, o->name, "%s: write failed: %s",
                                   o->name, mlops__strerror(errno));
        off += (size_t)n;
    }
    o->used = 0;
    return 0;
}

int mlops__output_sink(void *ctx, const void *data, size_t len)
{
    mlops__output *o = ctx;
    if (o->md && EVP_DigestUpdate(o->md, data, len) != 1)
        return mlops__error(MLOPS_E_CRYPTO, "OpenSSL digest update failed");
    o->bytes += len;
    const unsigned char *p = data;
    while (len) {
        size_t room = MLOPS__OUTPUT_BUFFER - o->used;
        size_t n = len < room ? len : room;
        memcpy(o->buf + o->used, p, n);
        o->used += n;
        p += n;
        len -= n;
        if (o->used == MLOPS__OUTPUT_BUFFER) {
            int rc = mlops__output_flush(o);
            if (rc)
                return rc;
        }
    }
    return 0;
}

int mlops__output_commit(mlops__output *o)
{
    int rc = mlops__output_flush(o);
    if (rc)
        return rc;
    char err[MLOPS__OUT_PATH_MAX + 160];
    int e = mlops__outfile_commit(&o->file, err, sizeof err);
    o->fd = -1;
    return e ? outfile_error(e, o->name, err) : 0;
}

void mlops__output_close(mlops__output *o)
{
    if (o->has_file)
        mlops__outfile_abort(&o->file);
    o->has_file = 0;
    mlops__free(o->buf);
    o->buf = NULL;
}
