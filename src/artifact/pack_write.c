/*
 * Writing a package: small-file tar layers, the statement and its signature,
 * the OCI image manifest, config, referrer and index, then one streaming pass
 * that writes the outer tar, metadata first.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#define _GNU_SOURCE /* copy_file_range and sync_file_range */

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <openssl/evp.h>

#include "artifact/manifest.h"
#include "artifact/pack.h"
#include "artifact/pack_write.h"
#include "artifact/tarw.h"
#include "core/alloc.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/hex.h"
#include "core/io.h"
#include "core/json.h"
#include "core/output.h"

#define WRITEBACK_WINDOW ((uint64_t)32 << 20)
#define COPY_CHUNK (1u << 20) /* per copy_file_range() call, between progress calls */

/* ---- copying a source file into a tar, checking it did not change ------- */

typedef struct pack_run {
    mlops_packer *p;
    unsigned char *copy_buf;
    uint64_t total, done;
    mlops__output *out; /* the outer tar, for raw layers copied straight into it */
} pack_run;

static int report(pack_run *r, uint64_t add)
{
    r->done += add;
    if (r->p->o.progress && r->p->o.progress(r->done, r->total, r->p->o.progress_ctx) != 0)
        return mlops__error(MLOPS_E_CANCELLED, "packing cancelled by the progress callback");
    return 0;
}

static int copy_source(pack_run *r, mlops__tarw *w, const mlops__pack_item *it,
                       const char *entry)
{
    int rc = mlops__tarw_file_begin(w, entry, it->size);
    if (rc)
        return rc;
    int fd = open(it->source, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return mlops__error_at(MLOPS_E_IO, -1, 0, 0, it->source, "%s: cannot open: %s",
                               it->source, mlops__strerror(errno));
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    if (!md) {
        close(fd);
        return mlops__error_nomem();
    }
    if (EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1) {
        rc = mlops__error(MLOPS_E_CRYPTO, "OpenSSL digest init failed");
        goto done;
    }
    uint64_t left = it->size;
    while (left) {
        size_t want = left < COPY_BUFFER ? (size_t)left : COPY_BUFFER;
        ssize_t n = read(fd, r->copy_buf, want);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            rc = mlops__error_at(MLOPS_E_IO, -1, 0, 0, it->source, "%s: read failed: %s",
                                 it->source, mlops__strerror(errno));
            goto done;
        }
        if (n == 0) {
            rc = mlops__error_at(MLOPS_E_INTEGRITY, -1, 0, 0, it->source,
                                 "%s shrank while it was being packed", it->source);
            goto done;
        }
        if (EVP_DigestUpdate(md, r->copy_buf, (size_t)n) != 1) {
            rc = mlops__error(MLOPS_E_CRYPTO, "OpenSSL digest update failed");
            goto done;
        }
        rc = mlops__tarw_data(w, r->copy_buf, (size_t)n);
        if (!rc)
            rc = report(r, (uint64_t)n);
        if (rc)
            goto done;
        left -= (uint64_t)n;
    }
    uint8_t d[MLOPS_SHA256_SIZE];
    if (EVP_DigestFinal_ex(md, d, NULL) != 1) {
        rc = mlops__error(MLOPS_E_CRYPTO, "OpenSSL digest final failed");
        goto done;
    }
    ssize_t extra =
        memcmp(d, it->digest, sizeof d) != 0 ? 1 : mlops__read_full(fd, r->copy_buf, 1);
    if (extra < 0) {
        rc = mlops__error_at(MLOPS_E_IO, -1, 0, 0, it->source, "%s: read failed: %s",
                             it->source, mlops__strerror(errno));
        goto done;
    }
    if (extra != 0) {
        rc = mlops__error_at(MLOPS_E_INTEGRITY, -1, 0, 0, it->source,
                             "%s changed while it was being packed", it->source);
        goto done;
    }
    rc = mlops__tarw_file_end(w);
done:
    EVP_MD_CTX_free(md);
    close(fd);
    return rc;
}

/* A raw layer of the packer: the file was hashed (whole and shards) in the
 * first pass; here its bytes go straight from the source to the output
 * (copy_file_range(), in the kernel, or read/write), without a second hash.
 * That the file did not change in between is checked on its metadata
 * (device, inode, size, mtime, ctime) before and after the copy; see
 * docs/security.md for what that does and does not catch. */
static int copy_raw(pack_run *r, mlops__tarw *w, const mlops__pack_item *it,
                    const char *entry)
{
    mlops__output *o = r->out;
    int rc = mlops__tarw_raw_begin(w, entry, it->size);
    if (!rc)
        rc = mlops__output_flush(o);
    if (rc)
        return rc;
    int fd = open(it->source, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return mlops__error_at(MLOPS_E_IO, -1, 0, 0, it->source, "%s: cannot open: %s",
                               it->source, mlops__strerror(errno));
    rc = mlops__pack_item_unchanged(it, fd, "between hashing and writing");
    uint64_t left = it->size, copied = 0, flushed = 0;
    off_t here = lseek(o->fd, 0, SEEK_CUR);
    uint64_t start = here < 0 ? 0 : (uint64_t)here;
    (void)start;
    (void)flushed;
    int use_cfr = 1;
    while (!rc && left) {
        size_t want = left < COPY_CHUNK ? (size_t)left : COPY_CHUNK;
        ssize_t n = -1;
        if (use_cfr) {
            n = copy_file_range(fd, NULL, o->fd, NULL, want, 0);
            if (n < 0 && (errno == EXDEV || errno == EINVAL || errno == ENOSYS ||
                          errno == EOPNOTSUPP || errno == EBADF || errno == EPERM) &&
                left == it->size) {
                use_cfr = 0; /* not here: a plain copy */
                continue;
            }
        } else {
            if (want > COPY_BUFFER)
                want = COPY_BUFFER;
            n = read(fd, r->copy_buf, want);
            if (n > 0) {
                size_t off = 0;
                while (off < (size_t)n) {
                    ssize_t m = write(o->fd, r->copy_buf + off, (size_t)n - off);
                    if (m < 0 && errno == EINTR)
                        continue;
                    if (m < 0) {
                        rc = mlops__error_at(MLOPS_E_IO, -1, 0, 0, o->name,
                                             "%s: write failed: %s", o->name,
                                             mlops__strerror(errno));
                        break;
                    }
                    off += (size_t)m;
                }
                if (rc)
                    break;
            }
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            rc = mlops__error_at(MLOPS_E_IO, -1, 0, 0, it->source, "%s: copy failed: %s",
                                 it->source, mlops__strerror(errno));
            break;
        }
        if (n == 0) {
            rc = mlops__error_at(MLOPS_E_INTEGRITY, -1, 0, 0, it->source,
                                 "%s shrank while it was being packed", it->source);
            break;
        }
        left -= (uint64_t)n;
        o->bytes += (uint64_t)n;
        copied += (uint64_t)n;
#ifdef SYNC_FILE_RANGE_WRITE
        /* start writing back what was copied, so the disk works while the
         * copy goes on instead of all at the final fsync */
        if (copied - flushed >= WRITEBACK_WINDOW || !left) {
            (void)sync_file_range(o->fd, (off_t)(start + flushed), (off_t)(copied - flushed),
                                  SYNC_FILE_RANGE_WRITE);
            flushed = copied;
        }
#endif
        rc = report(r, (uint64_t)n);
    }
    if (!rc) {
        ssize_t extra = mlops__read_full(fd, r->copy_buf, 1);
        if (extra < 0)
            rc = mlops__error_at(MLOPS_E_IO, -1, 0, 0, it->source, "%s: read failed: %s",
                                 it->source, mlops__strerror(errno));
        else if (extra != 0)
            rc = mlops__error_at(MLOPS_E_INTEGRITY, -1, 0, 0, it->source,
                                 "%s grew while it was being packed", it->source);
    }
    if (!rc)
        rc = mlops__pack_item_unchanged(it, fd, "while it was being written");
    close(fd);
    if (!rc)
        rc = mlops__tarw_raw_end(w, it->size);
    return rc;
}

/* ---- layers ------------------------------------------------------------- */

static int by_path(const void *a, const void *b)
{
    return strcmp(((const mlops__pack_item *)a)->path, ((const mlops__pack_item *)b)->path);
}

/* Sorted by path, no duplicate, no two paths equal under ASCII case folding
 * (the manifest refuses those too; saying it here names both sources). */
static int check_paths(mlops_packer *p)
{
    if (p->n)
        qsort(p->items, p->n, sizeof *p->items, by_path);
    for (size_t i = 1; i < p->n; i++)
        if (strcmp(p->items[i - 1].path, p->items[i].path) == 0)
            return mlops__error_at(MLOPS_E_EXISTS, -1, 0, 0, p->items[i].path,
                                   "package path \"%s\" is given twice (%s and %s)",
                                   p->items[i].path, p->items[i - 1].source,
                                   p->items[i].source);
    return 0;
}

static int make_temp(const char *out_path, const char *suffix, char **name_out, int *fd_out)
{
    mlops_buf name = MLOPS_BUF_INIT;
    int rc = mlops__buf_printf(&name, "%s.%sXXXXXX", out_path, suffix);
    if (rc)
        return rc;
    int fd = mkstemp(name.data);
    if (fd < 0) {
        rc = mlops__error_at(MLOPS_E_IO, -1, 0, 0, out_path,
                             "%s: cannot create a temporary file beside it: %s", out_path,
                             mlops__strerror(errno));
        mlops_buf_dispose(&name);
        return rc;
    }
    *name_out = mlops__buf_detach(&name);
    *fd_out = fd;
    return 0;
}

/* A temporary file without a name, in the directory of `out_path`, so that
 * nothing is left behind whatever happens to the writer: O_TMPFILE, or where
 * the file system lacks it a named temporary removed at once (a removal that
 * fails is an error naming the file, not a temporary silently left). */
static int anonymous_temp(const char *out_path, const char *suffix, int *fd_out)
{
#ifdef O_TMPFILE
    mlops_buf dir = MLOPS_BUF_INIT;
    const char *slash = strrchr(out_path, '/');
    size_t dlen = slash == out_path ? 1 : (size_t)(slash - out_path);
    int rc = slash ? mlops__buf_append(&dir, out_path, dlen) : mlops__buf_append_str(&dir, ".");
    if (rc)
        return rc;
    int fd = open(dir.data, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    int e = errno;
    mlops_buf_dispose(&dir);
    if (fd >= 0) {
        *fd_out = fd;
        return 0;
    }
    if (e != EOPNOTSUPP && e != EISDIR && e != EINVAL && e != ENOTSUP)
        return mlops__error_at(MLOPS_E_IO, -1, 0, 0, out_path,
                               "%s: cannot create a temporary file beside it: %s", out_path,
                               mlops__strerror(e));
#endif
    char *name = NULL;
    int rc2 = make_temp(out_path, suffix, &name, fd_out);
    if (rc2)
        return rc2;
    if (unlink(name) != 0) {
        rc2 = mlops__error_at(MLOPS_E_IO, -1, 0, 0, name,
                              "%s: cannot remove the temporary file: %s", name,
                              mlops__strerror(errno));
        close(*fd_out);
        *fd_out = -1;
    }
    mlops__free(name);
    return rc2;
}

/* Build the tar layer of the small files of one role into an unlinked
 * temporary file, hashing it as it is written. */
static int build_small_layer(pack_run *r, layer *l, const char *out_path, const char *role,
                             const char *kind, int64_t mtime)
{
    int fd = -1;
    int rc = anonymous_temp(out_path, "layer.", &fd);
    if (rc)
        return rc;
    mlops__output o;
    mlops__tarw *w = NULL;
    rc = mlops__output_init(&o, fd, out_path);
    o.md = EVP_MD_CTX_new();
    if (!rc && !o.md)
        rc = mlops__error_nomem();
    if (rc)
        goto done;
    if (EVP_DigestInit_ex(o.md, EVP_sha256(), NULL) != 1) {
        rc = mlops__error(MLOPS_E_CRYPTO, "OpenSSL digest init failed");
        goto done;
    }
    rc = mlops__tarw_new(&w, mlops__output_sink, &o, mtime);
    for (size_t i = 0; !rc && i < r->p->n; i++) {
        const mlops__pack_item *it = &r->p->items[i];
        if (it->role == role && it->size < MLOPS_PACKAGE_RAW_THRESHOLD)
            rc = copy_source(r, w, it, it->path);
    }
    if (!rc)
        rc = mlops__tarw_finish(w);
    if (!rc)
        rc = mlops__output_flush(&o);
    if (!rc && EVP_DigestFinal_ex(o.md, l->digest, NULL) != 1)
        rc = mlops__error(MLOPS_E_CRYPTO, "OpenSSL digest final failed");
    if (rc)
        goto done;
    l->size = o.bytes;
    l->tmp_fd = fd;
    l->role = role;
    snprintf(l->media_type, sizeof l->media_type, "application/vnd.cncf.model.%s.v1.tar", kind);
    fd = -1;
done:
    mlops__tarw_free(w);
    EVP_MD_CTX_free(o.md);
    mlops__output_close(&o);
    if (fd >= 0)
        close(fd);
    return rc;
}

/* ---- the outer tar ------------------------------------------------------ */

int mlops__pack_put_bytes(mlops__tarw *w, const char *entry, const void *data, size_t len)
{
    int rc = mlops__tarw_file_begin(w, entry, len);
    if (!rc)
        rc = mlops__tarw_data(w, data, len);
    if (!rc)
        rc = mlops__tarw_file_end(w);
    return rc;
}

/* A blob entry, unless a blob of that digest is already in the tar. */
typedef struct written_set {
    uint8_t (*d)[32];
    size_t n;
} written_set;

static int blob_entry(char entry[96], written_set *ws, const uint8_t digest[32], int *skip)
{
    for (size_t i = 0; i < ws->n; i++)
        if (memcmp(ws->d[i], digest, 32) == 0) {
            *skip = 1;
            return 0;
        }
    *skip = 0;
    memcpy(ws->d[ws->n++], digest, 32);
    char h[65];
    mlops__hex(h, digest, MLOPS_SHA256_SIZE);
    snprintf(entry, 96, "blobs/sha256/%s", h);
    return 0;
}

static int put_blob(mlops__tarw *w, written_set *ws, const uint8_t digest[32], const mlops_buf *b)
{
    char entry[96];
    int skip;
    blob_entry(entry, ws, digest, &skip);
    return skip ? 0 : mlops__pack_put_bytes(w, entry, b->data ? b->data : "", b->size);
}

static int copy_tmp_layer(pack_run *r, mlops__tarw *w, const char *entry, const layer *l)
{
    int rc = mlops__tarw_file_begin(w, entry, l->size);
    if (rc)
        return rc;
    if (lseek(l->tmp_fd, 0, SEEK_SET) != 0)
        return mlops__error(MLOPS_E_IO, "temporary layer: seek failed: %s", mlops__strerror(errno));
    uint64_t left = l->size;
    while (left) {
        size_t want = left < COPY_BUFFER ? (size_t)left : COPY_BUFFER;
        ssize_t n = read(l->tmp_fd, r->copy_buf, want);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return mlops__error(MLOPS_E_IO, "temporary layer: read failed: %s",
                                n < 0 ? mlops__strerror(errno) : "unexpected end");
        rc = mlops__tarw_data(w, r->copy_buf, (size_t)n);
        if (rc)
            return rc;
        left -= (uint64_t)n;
    }
    return mlops__tarw_file_end(w);
}

static int write_outer(pack_run *r, mlops__output *o, const blobs *b, const layer *layers,
                       size_t nl, int signed_pkg, int64_t mtime)
{
    mlops__tarw *w = NULL;
    written_set ws = { NULL, 0 };
    ws.d = mlops__calloc(nl + 8, sizeof *ws.d);
    if (!ws.d)
        return mlops__error_nomem();
    static const char layout[] = "{\"imageLayoutVersion\":\"1.0.0\"}";
    int rc = mlops__tarw_new(&w, mlops__output_sink, o, mtime);
    if (!rc)
        rc = mlops__pack_put_bytes(w, "oci-layout", layout, sizeof layout - 1);
    if (!rc)
        rc = mlops__pack_put_bytes(w, "index.json", b->index.data, b->index.size);
    if (!rc)
        rc = mlops__tarw_dir(w, "blobs");
    if (!rc)
        rc = mlops__tarw_dir(w, "blobs/sha256");
    /* Metadata first: a reader meets the manifest, the statement and its
     * signature before any file content. */
    if (!rc)
        rc = put_blob(w, &ws, b->manifest_d, &b->manifest);
    if (!rc)
        rc = put_blob(w, &ws, b->config_d, &b->config);
    if (!rc)
        rc = put_blob(w, &ws, b->statement_d, &b->statement);
    if (!rc && signed_pkg) {
        mlops_buf empty = { (char *)(uintptr_t)mlops__oci_empty_json, 2, 0 };
        rc = put_blob(w, &ws, b->referrer_d, &b->referrer);
        if (!rc)
            rc = put_blob(w, &ws, mlops__oci_empty_digest, &empty);
        if (!rc)
            rc = put_blob(w, &ws, b->envelope_d, &b->envelope);
    }
    for (size_t i = 0; !rc && i < nl; i++) {
        char entry[96];
        int skip;
        blob_entry(entry, &ws, layers[i].digest, &skip);
        if (skip)
            continue;
        rc = layers[i].raw ? copy_raw(r, w, layers[i].raw, entry)
                           : copy_tmp_layer(r, w, entry, &layers[i]);
    }
    if (!rc)
        rc = mlops__tarw_finish(w);
    mlops__tarw_free(w);
    mlops__free(ws.d);
    return rc;
}

/* Add the hashed files to the builder and finish the statement. */
static int finish_statement(mlops_packer *p, const layer *layers, size_t nl,
                            mlops_manifest_builder *mb, mlops_manifest **out)
{
    (void)layers;
    (void)nl;
    uint64_t shard_size = p->o.shard_size ? p->o.shard_size : MLOPS_MANIFEST_DEFAULT_SHARD_SIZE;
    int rc = 0;
    for (size_t i = 0; !rc && i < p->n; i++) {
        const mlops__pack_item *it = &p->items[i];
        char h[65], mt[80];
        mlops__hex(h, it->digest, MLOPS_SHA256_SIZE);
        snprintf(mt, sizeof mt, "application/vnd.cncf.model.%s.v1.%s", it->kind,
                 it->size >= MLOPS_PACKAGE_RAW_THRESHOLD ? "raw" : "tar");
        rc = mlops_manifest_builder_add_file(mb, it->path, it->size, h, mt, it->role);
        if (!rc && it->nshards) {
            char *hexes = mlops__calloc(it->nshards, 65);
            const char **ptrs = mlops__calloc(it->nshards, sizeof *ptrs);
            if (!hexes || !ptrs) {
                rc = mlops__error_nomem();
            } else {
                for (size_t k = 0; k < it->nshards; k++) {
                    mlops__hex(hexes + 65 * k, it->shards[k], MLOPS_SHA256_SIZE);
                    ptrs[k] = hexes + 65 * k;
                }
                rc = mlops_manifest_builder_set_file_shards(mb, it->path, shard_size,
                                                            (const char *const *)ptrs,
                                                            it->nshards);
            }
            mlops__free(hexes);
            mlops__free(ptrs);
        }
    }
    if (!rc)
        rc = mlops_manifest_builder_finish(out, mb);
    return rc;
}

/* Files added to the caller's builder by finish_statement(): removed again
 * when the package is not written, so a failure changes nothing. */
static int restore_builder(mlops_manifest_builder *mb, size_t n_files, int rc)
{
    if (rc)
        mlops__manifest_builder_drop_files(mb, n_files);
    return rc;
}

int mlops_packer_write_file(mlops_manifest **statement_out, mlops_packer *p,
                            const char *out_path, mlops_manifest_builder *mb)
{
    MLOPS__CHECK_ARG(p);
    MLOPS__CHECK_ARG(out_path);
    MLOPS__CHECK_ARG(mb);
    if (p->n == 0)
        return mlops__error(MLOPS_E_INVALID, "mlops_packer_write_file: no files to pack");
    int overwrite = (p->o.flags & MLOPS_PACK_OVERWRITE) != 0;
    size_t builder_files = mlops__manifest_builder_file_count(mb);
    int rc = check_paths(p);
    if (rc)
        return rc;
    mlops__output o;
    rc = mlops__output_open(&o, out_path, overwrite);
    if (rc) {
        mlops__output_close(&o);
        return rc;
    }

    int64_t mtime = mlops__pack_mtime(&p->o);
    pack_run r = { p, NULL, 0, 0, NULL };
    /* bytes hashed and written: a file with shards is hashed twice (its
     * whole digest and its shards, on different threads), then written */
    uint64_t shard_size = p->o.shard_size ? p->o.shard_size : MLOPS_MANIFEST_DEFAULT_SHARD_SIZE;
    for (size_t i = 0; i < p->n; i++)
        r.total += (p->items[i].size > shard_size ? 3 : 2) * p->items[i].size;
    blobs b;
    memset(&b, 0, sizeof b);
    layer *layers = mlops__calloc(p->n + 5, sizeof *layers);
    size_t nl = 0;
    mlops_manifest *m = NULL;
    r.copy_buf = mlops__malloc(COPY_BUFFER);
    if (!layers || !r.copy_buf) {
        rc = mlops__error_nomem();
        goto done;
    }
    for (size_t i = 0; i < p->n + 5; i++)
        layers[i].tmp_fd = -1;

    /* 1. sizes, digests and shard digests, on several threads */
    rc = mlops__pack_hash(p, r.total, &r.done);
    if (rc)
        goto done;
    /* 2. layers: small files per role in one tar (roles in table order),
     *    then every large file raw, in path order */
    static const char *const role_order[] = { "config", "code", "dataset", "doc", "model" };
    for (size_t k = 0; !rc && k < sizeof role_order / sizeof role_order[0]; k++) {
        const mlops__pack_item *first = NULL;
        for (size_t i = 0; i < p->n && !first; i++)
            if (strcmp(p->items[i].role, role_order[k]) == 0 &&
                p->items[i].size < MLOPS_PACKAGE_RAW_THRESHOLD)
                first = &p->items[i];
        if (first)
            rc = build_small_layer(&r, &layers[nl++], o.file.tmp_prefix, first->role, first->kind,
                                   mtime);
    }
    for (size_t i = 0; !rc && i < p->n; i++) {
        mlops__pack_item *it = &p->items[i];
        if (it->size < MLOPS_PACKAGE_RAW_THRESHOLD)
            continue;
        layer *l = &layers[nl++];
        l->raw = it;
        l->size = it->size;
        memcpy(l->digest, it->digest, 32);
        snprintf(l->media_type, sizeof l->media_type, "application/vnd.cncf.model.%s.v1.raw",
                 it->kind);
    }
    if (rc)
        goto done;
    /* 3. the statement, its signature, and the OCI documents */
    rc = finish_statement(p, layers, nl, mb, &m);
    if (!rc)
        rc = mlops_manifest_write_json(&b.statement, m, 0);
    if (!rc)
        rc = mlops_digest_buffer(b.statement_d, b.statement.data, b.statement.size);
    int signed_pkg = p->o.nkeys > 0;
    if (!rc && signed_pkg) {
        rc = mlops_dsse_sign(&b.envelope, NULL, b.statement.data, b.statement.size, p->o.keys,
                             p->o.nkeys, 0);
        if (!rc)
            rc = mlops_digest_buffer(b.envelope_d, b.envelope.data, b.envelope.size);
    }
    if (!rc)
        rc = mlops__pack_build_config(&b, m, layers, nl);
    if (!rc)
        rc = mlops__pack_build_manifest(&b, m, layers, nl);
    if (!rc && signed_pkg)
        rc = mlops__pack_build_referrer(&b);
    if (!rc)
        rc = mlops__pack_build_index(&b, m, signed_pkg);
    if (rc)
        goto done;
    /* 4. one streaming pass into the output (a temporary file renamed into
     * place, or a device or FIFO written straight into) */
    r.out = &o;
    rc = write_outer(&r, &o, &b, layers, nl, signed_pkg, mtime);
    if (!rc)
        rc = mlops__output_commit(&o);
    if (rc)
        goto done;
    if (statement_out) {
        *statement_out = m;
        m = NULL;
    }
done:
    mlops__output_close(&o);
    for (size_t i = 0; layers && i < nl; i++)
        if (layers[i].tmp_fd >= 0)
            close(layers[i].tmp_fd);
    mlops__free(layers);
    mlops__free(r.copy_buf);
    mlops_manifest_free(m);
    mlops__pack_blobs_dispose(&b);
    return restore_builder(mb, builder_files, rc);
}

/* ---- writing a layout from stored blobs (store export) ------------------- */

static int copy_stored_blob(pack_run *r, mlops__tarw *w, const char *entry,
                            const mlops__layout_blob *b)
{
    mlops__pack_item it;
    memset(&it, 0, sizeof it);
    it.source = (char *)(uintptr_t)b->path;
    it.size = b->size;
    memcpy(it.digest, b->digest, 32);
    int rc = copy_source(r, w, &it, entry);
    if (rc == MLOPS_E_INTEGRITY)
        rc = mlops__error_at(MLOPS_E_INTEGRITY, -1, 0, 0, b->path,
                             "%s does not hash to its name or has the wrong size", b->path);
    return rc;
}

int mlops__layout_write(const char *out_path, int overwrite, int64_t mtime,
                        const mlops_buf *index, const mlops__layout_blob *list, size_t n)
{
    mlops__output o;
    int rc = mlops__output_open(&o, out_path, overwrite);
    if (rc) {
        mlops__output_close(&o);
        return rc;
    }
    mlops_packer p;
    memset(&p, 0, sizeof p);
    pack_run r = { &p, NULL, 0, 0, NULL };
    mlops__tarw *w = NULL;
    written_set ws = { NULL, 0 };
    r.copy_buf = mlops__malloc(COPY_BUFFER);
    ws.d = mlops__calloc(n ? n : 1, sizeof *ws.d);
    if (!r.copy_buf || !ws.d) {
        rc = mlops__error_nomem();
        goto done;
    }
    static const char layout[] = "{\"imageLayoutVersion\":\"1.0.0\"}";
    rc = mlops__tarw_new(&w, mlops__output_sink, &o, mtime);
    if (!rc)
        rc = mlops__pack_put_bytes(w, "oci-layout", layout, sizeof layout - 1);
    if (!rc)
        rc = mlops__pack_put_bytes(w, "index.json", index->data, index->size);
    if (!rc)
        rc = mlops__tarw_dir(w, "blobs");
    if (!rc)
        rc = mlops__tarw_dir(w, "blobs/sha256");
    for (size_t i = 0; !rc && i < n; i++) {
        char entry[96];
        int skip;
        blob_entry(entry, &ws, list[i].digest, &skip);
        if (skip)
            continue;
        if (list[i].data) {
            uint8_t d[32];
            rc = mlops_digest_buffer(d, list[i].data, (size_t)list[i].size);
            if (!rc && memcmp(d, list[i].digest, 32) != 0)
                rc = mlops__error(MLOPS_E_INTERNAL, "layout blob does not match its digest");
            if (!rc)
                rc = mlops__pack_put_bytes(w, entry, list[i].data, (size_t)list[i].size);
        } else {
            rc = copy_stored_blob(&r, w, entry, &list[i]);
        }
    }
    if (!rc)
        rc = mlops__tarw_finish(w);
    if (!rc)
        rc = mlops__output_commit(&o);
done:
    mlops__tarw_free(w);
    mlops__output_close(&o);
    mlops__free(ws.d);
    mlops__free(r.copy_buf);
    return rc;
}
