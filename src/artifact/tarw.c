/*
 * Byte-reproducible tar through libarchive's restricted pax writer.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "artifact/tarw.h"

#include <string.h>

#include <archive.h>
#include <archive_entry.h>

#include "core/alloc.h"
#include "core/error.h"

struct mlops__tarw {
    struct archive *a;
    struct archive_entry *e;
    mlops__tarw_sink sink;
    void *ctx;
    int64_t mtime;
    int sink_rc; /* the sink's first failure: the writer is dead after it */
    int in_file;
    uint64_t size, written;
    uint64_t out_bytes; /* delivered to the sink */
    char *path;
};

/* A sink failure is kept here, not passed to libarchive: a failed write
 * callback puts the archive in its fatal state, and archive_write_free()
 * then skips the close that frees the output buffer (libarchive 3.6 leaks
 * it). Everything after the first failure is dropped; each entry point
 * below returns the failure once libarchive has returned. */
static la_ssize_t write_cb(struct archive *a, void *ctx, const void *data, size_t len)
{
    (void)a;
    mlops__tarw *w = ctx;
    if (w->sink_rc)
        return (la_ssize_t)len;
    int rc = w->sink(w->ctx, data, len);
    if (rc) {
        w->sink_rc = rc;
        return (la_ssize_t)len;
    }
    w->out_bytes += len;
    return (la_ssize_t)len;
}



static int archive_fail(mlops__tarw *w, const char *what)
{
    if (w->sink_rc)
        return w->sink_rc;
    const char *msg = archive_error_string(w->a);
    return mlops__error(MLOPS_E_INTERNAL, "tar writer: %s failed: %s", what,
                        msg ? msg : "unknown libarchive error");
}

/* Whatever failed first: the sink, or libarchive with `archive_rc`. */
static int checked(mlops__tarw *w, int archive_rc, const char *what)
{
    if (w->sink_rc)
        return w->sink_rc;
    return archive_rc != ARCHIVE_OK ? archive_fail(w, what) : 0;
}

int mlops__tarw_new(mlops__tarw **out, mlops__tarw_sink sink, void *ctx, int64_t mtime)
{
    mlops__tarw *w = mlops__calloc(1, sizeof *w);
    if (!w)
        return mlops__error_nomem();
    w->sink = sink;
    w->ctx = ctx;
    w->mtime = mtime < 0 ? 0 : mtime;
    w->a = archive_write_new();
    w->e = archive_entry_new();
    if (!w->a || !w->e) {
        mlops__tarw_free(w);
        return mlops__error_nomem();
    }
    /* 512-byte records: the archive ends right after its two zero blocks,
     * with no padding to a 10 KiB record. */
    if (archive_write_set_format_pax_restricted(w->a) != ARCHIVE_OK ||
        archive_write_add_filter_none(w->a) != ARCHIVE_OK ||
        archive_write_set_bytes_per_block(w->a, 512) != ARCHIVE_OK ||
        archive_write_set_bytes_in_last_block(w->a, 512) != ARCHIVE_OK ||
        archive_write_open2(w->a, w, NULL, write_cb, NULL, NULL) != ARCHIVE_OK) {
        int rc = archive_fail(w, "setup");
        mlops__tarw_free(w);
        return rc;
    }
    *out = w;
    return 0;
}

static void fill_entry(mlops__tarw *w, const char *path, mode_t type, int perm, uint64_t size)
{
    struct archive_entry *e = archive_entry_clear(w->e);
    archive_entry_copy_pathname(e, path);
    archive_entry_set_filetype(e, (unsigned)type);
    archive_entry_set_perm(e, (mode_t)perm);
    archive_entry_set_size(e, (la_int64_t)size);
    archive_entry_set_mtime(e, (time_t)w->mtime, 0);
    archive_entry_set_uid(e, 0);
    archive_entry_set_gid(e, 0);
}

int mlops__tarw_dir(mlops__tarw *w, const char *path)
{
    if (w->sink_rc)
        return w->sink_rc;
    if (w->in_file)
        return mlops__error(MLOPS_E_INTERNAL, "tar writer: a file is open");
    size_t n = strlen(path);
    char *p = mlops__malloc(n + 2);
    if (!p)
        return mlops__error_nomem();
    memcpy(p, path, n);
    p[n] = '/';
    p[n + 1] = '\0';
    fill_entry(w, p, AE_IFDIR, 0755, 0);
    mlops__free(p);
    return checked(w, archive_write_header(w->a, w->e), "directory header");
}

/* Whether an entry of `size` bytes may start: no earlier failure, no entry open. */
static int can_begin(const mlops__tarw *w, const char *path, uint64_t size)
{
    if (w->sink_rc)
        return w->sink_rc;
    if (w->in_file)
        return mlops__error(MLOPS_E_INTERNAL, "tar writer: a file is open");
    if (size > (uint64_t)INT64_MAX)
        return mlops__error(MLOPS_E_LIMIT, "tar writer: %s is too large", path);
    return 0;
}

int mlops__tarw_file_begin(mlops__tarw *w, const char *path, uint64_t size)
{
    int rc = can_begin(w, path, size);
    if (rc)
        return rc;
    w->path = mlops__strdup(path);
    if (!w->path)
        return mlops__error_nomem();
    fill_entry(w, path, AE_IFREG, 0644, size);
    rc = checked(w, archive_write_header(w->a, w->e), "file header");
    if (rc) {
        mlops__free(w->path);
        w->path = NULL;
        return rc;
    }
    w->in_file = 1;
    w->size = size;
    w->written = 0;
    return 0;
}

int mlops__tarw_data(mlops__tarw *w, const void *data, size_t len)
{
    if (w->sink_rc)
        return w->sink_rc;
    if (!w->in_file)
        return mlops__error(MLOPS_E_INTERNAL, "tar writer: no file is open");
    if (len > w->size - w->written)
        return mlops__error_at(MLOPS_E_INTEGRITY, -1, 0, 0, w->path,
                               "%s grew while it was being packed", w->path);
    const char *p = data;
    while (len) {
        la_ssize_t n = archive_write_data(w->a, p, len);
        if (w->sink_rc)
            return w->sink_rc;
        if (n <= 0)
            return archive_fail(w, "data");
        p += n;
        len -= (size_t)n;
        w->written += (uint64_t)n;
    }
    return 0;
}

int mlops__tarw_file_end(mlops__tarw *w)
{
    if (w->sink_rc)
        return w->sink_rc;
    if (!w->in_file)
        return mlops__error(MLOPS_E_INTERNAL, "tar writer: no file is open");
    if (w->written != w->size)
        return mlops__error_at(MLOPS_E_INTEGRITY, -1, 0, 0, w->path,
                               "%s shrank while it was being packed", w->path);
    w->in_file = 0;
    mlops__free(w->path);
    w->path = NULL;
    return checked(w, archive_write_finish_entry(w->a), "finishing an entry");
}

/* ---- entries whose data bypasses libarchive ------------------------------ */

typedef struct capture {
    unsigned char buf[16384];
    size_t len;
    int overflow;
    int sealed; /* the header is taken: refuse whatever comes after */
} capture;

static la_ssize_t capture_cb(struct archive *a, void *ctx, const void *data, size_t len)
{
    (void)a;
    capture *c = ctx;
    if (c->sealed)
        return -1;
    if (len > sizeof c->buf - c->len) {
        c->overflow = 1;
        return -1;
    }
    memcpy(c->buf + c->len, data, len);
    c->len += len;
    return (la_ssize_t)len;
}

int mlops__tarw_raw_begin(mlops__tarw *w, const char *path, uint64_t size)
{
    int rc = can_begin(w, path, size);
    if (rc)
        return rc;
    /* With 512-byte blocks every header and padded entry is flushed whole,
     * so nothing of the main writer is pending in its block buffer. */
    if (w->out_bytes % 512 != 0)
        return mlops__error(MLOPS_E_INTERNAL, "tar writer: output not at a block boundary");
    capture *c = mlops__malloc(sizeof *c);
    struct archive *a = archive_write_new();
    rc = 0;
    if (!c || !a) {
        rc = mlops__error_nomem();
        goto done;
    }
    c->len = 0;
    c->overflow = 0;
    c->sealed = 0;
    /* The same settings as the main writer: the header bytes are the ones
     * it would write for this entry. */
    fill_entry(w, path, AE_IFREG, 0644, size);
    if (archive_write_set_format_pax_restricted(a) != ARCHIVE_OK ||
        archive_write_add_filter_none(a) != ARCHIVE_OK ||
        archive_write_set_bytes_per_block(a, 512) != ARCHIVE_OK ||
        archive_write_set_bytes_in_last_block(a, 512) != ARCHIVE_OK ||
        archive_write_open2(a, c, NULL, capture_cb, NULL, NULL) != ARCHIVE_OK ||
        archive_write_header(a, w->e) != ARCHIVE_OK || c->overflow || c->len == 0 ||
        c->len % 512 != 0) {
        const char *msg = archive_error_string(a);
        rc = mlops__error(MLOPS_E_INTERNAL, "tar writer: header of %s failed: %s", path,
                          msg ? msg : "header not block-aligned");
        goto done;
    }
    rc = w->sink(w->ctx, c->buf, c->len);
    if (rc)
        w->sink_rc = rc;
    else
        w->out_bytes += c->len;
done:
    if (a) {
        /* abandon the scratch writer: its sink refuses the entry's data and
         * the end-of-archive blocks, so closing it writes nothing (and
         * frees everything, which archive_write_fail() would not) */
        if (c)
            c->sealed = 1;
        archive_write_free(a);
    }
    mlops__free(c);
    return rc;
}

int mlops__tarw_raw_end(mlops__tarw *w, uint64_t size)
{
    static const unsigned char zeros[512];
    if (w->sink_rc)
        return w->sink_rc;
    size_t pad = (size_t)((512 - size % 512) % 512);
    w->out_bytes += size;
    if (!pad)
        return 0;
    int rc = w->sink(w->ctx, zeros, pad);
    if (rc)
        w->sink_rc = rc;
    else
        w->out_bytes += pad;
    return rc;
}

int mlops__tarw_finish(mlops__tarw *w)
{
    if (w->sink_rc)
        return w->sink_rc;
    if (w->in_file)
        return mlops__error(MLOPS_E_INTERNAL, "tar writer: a file is open");
    return checked(w, archive_write_close(w->a), "closing");
}

void mlops__tarw_free(mlops__tarw *w)
{
    if (!w)
        return;
    if (w->e)
        archive_entry_free(w->e);
    if (w->a)
        archive_write_free(w->a);
    mlops__free(w->path);
    mlops__free(w);
}
