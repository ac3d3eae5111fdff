/*
 * Writing a package: small-file tar layers, the statement and its signature,
 * the OCI image manifest, config, referrer and index, then one streaming pass
 * that writes the outer tar, metadata first.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#define _GNU_SOURCE /* renameat2 and RENAME_NOREPLACE */

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

#include "artifact/pack.h"
#include "artifact/tarw.h"
#include "core/alloc.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/hex.h"
#include "core/io.h"
#include "core/json.h"
#include "core/outfile.h"

#define COPY_BUFFER (1u << 20)
#define OUT_BUFFER (1u << 20)
#define WRITEBACK_WINDOW ((uint64_t)32 << 20)
#define COPY_CHUNK (1u << 20) /* per copy_file_range() call, between progress calls */

/* ---- an output file with a buffer and a running digest ------------------ */

typedef struct out_file {
    int fd;
    const char *name; /* for messages */
    unsigned char *buf;
    size_t used;
    uint64_t bytes;
    EVP_MD_CTX *md; /* NULL when not hashing */
} out_file;

static int out_flush(out_file *o)
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

static int out_sink(void *ctx, const void *data, size_t len)
{
    out_file *o = ctx;
    if (o->md && EVP_DigestUpdate(o->md, data, len) != 1)
        return mlops__error(MLOPS_E_CRYPTO, "OpenSSL digest update failed");
    o->bytes += len;
    const unsigned char *p = data;
    while (len) {
        size_t room = OUT_BUFFER - o->used;
        size_t n = len < room ? len : room;
        memcpy(o->buf + o->used, p, n);
        o->used += n;
        p += n;
        len -= n;
        if (o->used == OUT_BUFFER) {
            int rc = out_flush(o);
            if (rc)
                return rc;
        }
    }
    return 0;
}

/* ---- copying a source file into a tar, checking it did not change ------- */

typedef struct pack_run {
    mlops_packer *p;
    unsigned char *copy_buf;
    uint64_t total, done;
    out_file *out; /* the outer tar, for raw layers copied straight into it */
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
    out_file *o = r->out;
    int rc = mlops__tarw_raw_begin(w, entry, it->size);
    if (!rc)
        rc = out_flush(o);
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
                                             "%s: write failed: %s", o->name, mlops__strerror(errno));
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

typedef struct layer {
    char media_type[80];
    uint8_t digest[MLOPS_SHA256_SIZE];
    uint64_t size;
    const mlops__pack_item *raw; /* a raw layer: this file */
    int tmp_fd;                  /* a small-file tar layer: its bytes */
    const char *role;
} layer;

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
    out_file o = { fd, out_path, NULL, 0, 0, NULL };
    mlops__tarw *w = NULL;
    o.buf = mlops__malloc(OUT_BUFFER);
    o.md = EVP_MD_CTX_new();
    if (!o.buf || !o.md) {
        rc = mlops__error_nomem();
        goto done;
    }
    if (EVP_DigestInit_ex(o.md, EVP_sha256(), NULL) != 1) {
        rc = mlops__error(MLOPS_E_CRYPTO, "OpenSSL digest init failed");
        goto done;
    }
    rc = mlops__tarw_new(&w, out_sink, &o, mtime);
    for (size_t i = 0; !rc && i < r->p->n; i++) {
        const mlops__pack_item *it = &r->p->items[i];
        if (it->role == role && it->size < MLOPS_PACKAGE_RAW_THRESHOLD)
            rc = copy_source(r, w, it, it->path);
    }
    if (!rc)
        rc = mlops__tarw_finish(w);
    if (!rc)
        rc = out_flush(&o);
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
    mlops__free(o.buf);
    if (fd >= 0)
        close(fd);
    return rc;
}

/* ---- JSON documents ----------------------------------------------------- */

static int set_str(mlops__json_doc *doc, mlops__json *obj, const char *key, const char *s)
{
    mlops__json *v = mlops__json_new_string(doc, s, strlen(s));
    if (!v)
        return mlops__error_nomem();
    return mlops__json_object_set(doc, obj, key, v);
}

static int set_uint(mlops__json_doc *doc, mlops__json *obj, const char *key, uint64_t n)
{
    mlops__json *v = mlops__json_new_uint(doc, n);
    if (!v)
        return mlops__error_nomem();
    return mlops__json_object_set(doc, obj, key, v);
}

/* {"mediaType","digest","size"} plus an optional artifactType. */
static mlops__json *descriptor(mlops__json_doc *doc, const char *media_type,
                               const uint8_t digest[MLOPS_SHA256_SIZE], uint64_t size,
                               const char *artifact_type)
{
    char d[MLOPS_DIGEST_STRING_SIZE];
    mlops_digest_format(d, digest);
    mlops__json *o = mlops__json_new_object(doc);
    if (!o || set_str(doc, o, "mediaType", media_type) || set_str(doc, o, "digest", d) ||
        set_uint(doc, o, "size", size) ||
        (artifact_type && set_str(doc, o, "artifactType", artifact_type)))
        return NULL;
    return o;
}

static int annotate(mlops__json_doc *doc, mlops__json *obj, const char *k1, const char *v1,
                    const char *k2, const char *v2)
{
    mlops__json *a = mlops__json_new_object(doc);
    if (!a || set_str(doc, a, k1, v1) || (k2 && set_str(doc, a, k2, v2)))
        return mlops__error_nomem();
    return mlops__json_object_set(doc, obj, "annotations", a);
}

/* Canonical bytes of a finished document, and their digest. */
static int finish_blob(mlops_buf *out, uint8_t digest[MLOPS_SHA256_SIZE], mlops__json_doc *doc,
                       mlops__json *root)
{
    mlops__json_doc_set_root(doc, root);
    int rc = mlops__json_write_canonical(out, root);
    if (!rc)
        rc = mlops_digest_buffer(digest, out->data, out->size);
    return rc;
}

/* A new document with an object root: *root. */
static int new_doc(mlops__json_doc **doc, mlops__json **root)
{
    int rc = mlops__json_doc_new(doc);
    if (rc)
        return rc;
    *root = mlops__json_new_object(*doc);
    if (!*root)
        return mlops__error_nomem();
    return 0;
}

typedef struct blobs {
    mlops_buf statement, config, manifest, envelope, referrer, index;
    uint8_t statement_d[32], config_d[32], manifest_d[32], envelope_d[32], referrer_d[32];
} blobs;

static const char empty_json[] = "{}";
/* SHA-256 of "{}", the OCI empty descriptor's digest. */
const uint8_t mlops__oci_empty_digest[32] = {
    0x44, 0x13, 0x6f, 0xa3, 0x55, 0xb3, 0x67, 0x8a, 0x11, 0x46, 0xad, 0x16, 0xf7, 0xe8, 0x64, 0x9e,
    0x94, 0xfb, 0x4f, 0xc2, 0x1f, 0xe7, 0x7e, 0x83, 0x10, 0xc0, 0x60, 0xf6, 0x1c, 0xaa, 0xff, 0x8a,
};
#define empty_digest mlops__oci_empty_digest

/* The ModelPack config: descriptor fields and the layers' diff ids. */
static int build_config(blobs *b, const mlops_manifest *m, const layer *layers, size_t nl)
{
    mlops__json_doc *doc = NULL;
    mlops__json *root;
    int rc = new_doc(&doc, &root);
    mlops__json *desc = NULL, *cfg = NULL, *fs = NULL, *ids = NULL;
    if (!rc) {
        desc = mlops__json_new_object(doc);
        cfg = mlops__json_new_object(doc);
        fs = mlops__json_new_object(doc);
        ids = mlops__json_new_array(doc);
        if (!desc || !cfg || !fs || !ids)
            rc = mlops__error_nomem();
    }
    if (!rc)
        rc = set_str(doc, desc, "name", mlops_manifest_name(m));
    if (!rc)
        rc = set_str(doc, desc, "version", mlops_manifest_version(m));
    if (!rc)
        rc = set_str(doc, desc, "createdAt", mlops_manifest_created(m));
    if (!rc && mlops_manifest_framework_name(m))
        rc = set_str(doc, cfg, "format", mlops_manifest_framework_name(m));
    for (size_t i = 0; !rc && i < nl; i++) {
        char d[MLOPS_DIGEST_STRING_SIZE];
        mlops_digest_format(d, layers[i].digest);
        mlops__json *s = mlops__json_new_string(doc, d, strlen(d));
        rc = s ? mlops__json_array_push(doc, ids, s) : mlops__error_nomem();
    }
    if (!rc)
        rc = set_str(doc, fs, "type", "layers");
    if (!rc)
        rc = mlops__json_object_set(doc, fs, "diffIds", ids);
    if (!rc)
        rc = mlops__json_object_set(doc, root, "descriptor", desc);
    if (!rc)
        rc = mlops__json_object_set(doc, root, "config", cfg);
    if (!rc)
        rc = mlops__json_object_set(doc, root, "modelfs", fs);
    if (!rc)
        rc = finish_blob(&b->config, b->config_d, doc, root);
    mlops__json_doc_free(doc);
    return rc;
}

/* The fields every OCI image manifest of a package starts with: schema
 * version, media type, artifact type and the config descriptor. */
static int oci_manifest_head(mlops__json_doc *doc, mlops__json *root, const char *artifact_type,
                             const char *config_type, const uint8_t config_d[32],
                             uint64_t config_size)
{
    int rc = set_uint(doc, root, "schemaVersion", 2);
    if (!rc)
        rc = set_str(doc, root, "mediaType", MLOPS__MT_OCI_MANIFEST);
    if (!rc)
        rc = set_str(doc, root, "artifactType", artifact_type);
    if (!rc) {
        mlops__json *d = descriptor(doc, config_type, config_d, config_size, NULL);
        rc = d ? mlops__json_object_set(doc, root, "config", d) : mlops__error_nomem();
    }
    return rc;
}

static int build_manifest(blobs *b, const mlops_manifest *m, const layer *layers, size_t nl)
{
    mlops__json_doc *doc = NULL;
    mlops__json *root, *arr = NULL, *d;
    int rc = new_doc(&doc, &root);
    if (!rc)
        rc = oci_manifest_head(doc, root, MLOPS__MT_MODEL_ARTIFACT, MLOPS__MT_MODEL_CONFIG,
                               b->config_d, b->config.size);
    if (!rc) {
        arr = mlops__json_new_array(doc);
        d = descriptor(doc, MLOPS__MT_STATEMENT, b->statement_d, b->statement.size, NULL);
        rc = arr && d ? annotate(doc, d, "org.opencontainers.image.title", "statement.json",
                                 NULL, NULL)
                      : mlops__error_nomem();
        if (!rc)
            rc = mlops__json_array_push(doc, arr, d);
    }
    for (size_t i = 0; !rc && i < nl; i++) {
        d = descriptor(doc, layers[i].media_type, layers[i].digest, layers[i].size, NULL);
        if (!d) {
            rc = mlops__error_nomem();
            break;
        }
        if (layers[i].raw) {
            const char *path = layers[i].raw->path;
            const char *base = strrchr(path, '/');
            rc = annotate(doc, d, "org.cncf.model.filepath", path,
                          "org.opencontainers.image.title", base ? base + 1 : path);
        } else {
            char title[64];
            snprintf(title, sizeof title, "%s-files.tar", layers[i].role);
            rc = annotate(doc, d, "org.opencontainers.image.title", title, NULL, NULL);
        }
        if (!rc)
            rc = mlops__json_array_push(doc, arr, d);
    }
    if (!rc)
        rc = mlops__json_object_set(doc, root, "layers", arr);
    if (!rc)
        rc = annotate(doc, root, "org.opencontainers.image.created", mlops_manifest_created(m),
                      "org.opencontainers.image.version", mlops_manifest_version(m));
    if (!rc)
        rc = finish_blob(&b->manifest, b->manifest_d, doc, root);
    mlops__json_doc_free(doc);
    return rc;
}

/* The signature referrer: an image manifest whose subject is the model
 * manifest and whose one layer is the DSSE envelope. */
static int build_referrer(blobs *b)
{
    mlops__json_doc *doc = NULL;
    mlops__json *root, *arr = NULL, *d;
    int rc = new_doc(&doc, &root);
    if (!rc)
        rc = oci_manifest_head(doc, root, MLOPS__MT_DSSE, MLOPS__MT_OCI_EMPTY, empty_digest, 2);
    if (!rc) {
        arr = mlops__json_new_array(doc);
        d = descriptor(doc, MLOPS__MT_DSSE, b->envelope_d, b->envelope.size, NULL);
        rc = arr && d ? mlops__json_array_push(doc, arr, d) : mlops__error_nomem();
    }
    if (!rc)
        rc = mlops__json_object_set(doc, root, "layers", arr);
    if (!rc) {
        d = descriptor(doc, MLOPS__MT_OCI_MANIFEST, b->manifest_d, b->manifest.size, NULL);
        rc = d ? mlops__json_object_set(doc, root, "subject", d) : mlops__error_nomem();
    }
    if (!rc)
        rc = finish_blob(&b->referrer, b->referrer_d, doc, root);
    mlops__json_doc_free(doc);
    return rc;
}

int mlops__layout_index(mlops_buf *out, const char *version, const uint8_t manifest_d[32],
                        uint64_t manifest_size, int signed_pkg, const uint8_t referrer_d[32],
                        uint64_t referrer_size)
{
    mlops__json_doc *doc = NULL;
    mlops__json *root, *arr = NULL, *d;
    int rc = new_doc(&doc, &root);
    if (!rc)
        rc = set_uint(doc, root, "schemaVersion", 2);
    if (!rc)
        rc = set_str(doc, root, "mediaType", MLOPS__MT_OCI_INDEX);
    if (!rc) {
        arr = mlops__json_new_array(doc);
        d = descriptor(doc, MLOPS__MT_OCI_MANIFEST, manifest_d, manifest_size,
                       MLOPS__MT_MODEL_ARTIFACT);
        rc = arr && d ? annotate(doc, d, "org.opencontainers.image.ref.name", version, NULL,
                                 NULL)
                      : mlops__error_nomem();
        if (!rc)
            rc = mlops__json_array_push(doc, arr, d);
    }
    if (!rc && signed_pkg) {
        d = descriptor(doc, MLOPS__MT_OCI_MANIFEST, referrer_d, referrer_size, MLOPS__MT_DSSE);
        rc = d ? mlops__json_array_push(doc, arr, d) : mlops__error_nomem();
    }
    if (!rc)
        rc = mlops__json_object_set(doc, root, "manifests", arr);
    uint8_t unused[32];
    if (!rc)
        rc = finish_blob(out, unused, doc, root);
    mlops__json_doc_free(doc);
    return rc;
}

static int build_index(blobs *b, const mlops_manifest *m, int signed_pkg)
{
    return mlops__layout_index(&b->index, mlops_manifest_version(m), b->manifest_d,
                               b->manifest.size, signed_pkg, b->referrer_d, b->referrer.size);
}

int mlops__layout_referrer(mlops_buf *out, uint8_t out_d[32], const uint8_t manifest_d[32],
                           uint64_t manifest_size, const uint8_t envelope_d[32],
                           uint64_t envelope_size)
{
    blobs b;
    memset(&b, 0, sizeof b);
    memcpy(b.manifest_d, manifest_d, 32);
    memcpy(b.envelope_d, envelope_d, 32);
    /* build_referrer reads only the sizes of these two */
    b.manifest.size = (size_t)manifest_size;
    b.envelope.size = (size_t)envelope_size;
    int rc = build_referrer(&b);
    if (!rc)
        rc = mlops__buf_append(out, b.referrer.data, b.referrer.size);
    if (!rc)
        memcpy(out_d, b.referrer_d, 32);
    mlops_buf_dispose(&b.referrer);
    return rc;
}

static void blobs_dispose(blobs *b)
{
    mlops_buf_dispose(&b->statement);
    mlops_buf_dispose(&b->config);
    mlops_buf_dispose(&b->manifest);
    mlops_buf_dispose(&b->envelope);
    mlops_buf_dispose(&b->referrer);
    mlops_buf_dispose(&b->index);
}

/* ---- the outer tar ------------------------------------------------------ */

static int put_bytes(mlops__tarw *w, const char *entry, const void *data, size_t len)
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
    return skip ? 0 : put_bytes(w, entry, b->data ? b->data : "", b->size);
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

static int write_outer(pack_run *r, out_file *o, const blobs *b, const layer *layers, size_t nl,
                       int signed_pkg, int64_t mtime)
{
    mlops__tarw *w = NULL;
    written_set ws = { NULL, 0 };
    ws.d = mlops__calloc(nl + 8, sizeof *ws.d);
    if (!ws.d)
        return mlops__error_nomem();
    static const char layout[] = "{\"imageLayoutVersion\":\"1.0.0\"}";
    int rc = mlops__tarw_new(&w, out_sink, o, mtime);
    if (!rc)
        rc = put_bytes(w, "oci-layout", layout, sizeof layout - 1);
    if (!rc)
        rc = put_bytes(w, "index.json", b->index.data, b->index.size);
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
        mlops_buf empty = { (char *)(uintptr_t)empty_json, 2, 0 };
        rc = put_blob(w, &ws, b->referrer_d, &b->referrer);
        if (!rc)
            rc = put_blob(w, &ws, empty_digest, &empty);
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

/* The output file: atomically over a regular file, through a link to its
 * target, straight into a device or FIFO (core/outfile.h). */
static int outfile_error(int e, const char *path, const char *msg)
{
    int code = e == EEXIST                   ? MLOPS_E_EXISTS
               : e == EISDIR || e == ENOTSUP ? MLOPS_E_INVALID
                                             : MLOPS_E_IO;
    return mlops__error_at(code, -1, 0, 0, path, "%s", msg);
}

static int output_open(mlops__outfile *of, const char *out_path, int overwrite)
{
    char err[MLOPS__OUT_PATH_MAX + 160];
    int e = mlops__outfile_open(of, out_path, overwrite ? MLOPS__OUT_OVERWRITE : 0, 0644, err,
                                sizeof err);
    return e ? outfile_error(e, out_path, err) : 0;
}

static int output_commit(mlops__outfile *of, const char *out_path)
{
    char err[MLOPS__OUT_PATH_MAX + 160];
    int e = mlops__outfile_commit(of, err, sizeof err);
    return e ? outfile_error(e, out_path, err) : 0;
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

int mlops_packer_write(mlops_packer *p, const char *out_path, mlops_manifest_builder *mb,
                       mlops_manifest **statement_out)
{
    MLOPS__CHECK_ARG(p);
    MLOPS__CHECK_ARG(out_path);
    MLOPS__CHECK_ARG(mb);
    if (p->n == 0)
        return mlops__error(MLOPS_E_INVALID, "mlops_packer_write: no files to pack");
    int overwrite = (p->o.flags & MLOPS_PACK_OVERWRITE) != 0;
    int rc = check_paths(p);
    if (rc)
        return rc;
    mlops__outfile of;
    rc = output_open(&of, out_path, overwrite);
    if (rc)
        return rc;

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
    out_file o = { of.fd, out_path, NULL, 0, 0, NULL };
    r.copy_buf = mlops__malloc(COPY_BUFFER);
    o.buf = mlops__malloc(OUT_BUFFER);
    if (!layers || !r.copy_buf || !o.buf) {
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
            rc = build_small_layer(&r, &layers[nl++], of.tmp_prefix, first->role, first->kind,
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
        rc = mlops_manifest_write_canonical(&b.statement, m);
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
        rc = build_config(&b, m, layers, nl);
    if (!rc)
        rc = build_manifest(&b, m, layers, nl);
    if (!rc && signed_pkg)
        rc = build_referrer(&b);
    if (!rc)
        rc = build_index(&b, m, signed_pkg);
    if (rc)
        goto done;
    /* 4. one streaming pass into the output (a temporary file renamed into
     * place, or a device or FIFO written straight into) */
    r.out = &o;
    rc = write_outer(&r, &o, &b, layers, nl, signed_pkg, mtime);
    if (!rc)
        rc = out_flush(&o);
    if (!rc)
        rc = output_commit(&of, out_path);
    if (rc)
        goto done;
    if (statement_out) {
        *statement_out = m;
        m = NULL;
    }
done:
    mlops__outfile_abort(&of);
    for (size_t i = 0; layers && i < nl; i++)
        if (layers[i].tmp_fd >= 0)
            close(layers[i].tmp_fd);
    mlops__free(layers);
    mlops__free(o.buf);
    mlops__free(r.copy_buf);
    mlops_manifest_free(m);
    blobs_dispose(&b);
    return rc;
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
    mlops__outfile of;
    int rc = output_open(&of, out_path, overwrite);
    if (rc)
        return rc;
    mlops_packer p;
    memset(&p, 0, sizeof p);
    pack_run r = { &p, NULL, 0, 0, NULL };
    out_file o = { of.fd, out_path, NULL, 0, 0, NULL };
    mlops__tarw *w = NULL;
    written_set ws = { NULL, 0 };
    r.copy_buf = mlops__malloc(COPY_BUFFER);
    o.buf = mlops__malloc(OUT_BUFFER);
    ws.d = mlops__calloc(n ? n : 1, sizeof *ws.d);
    if (!r.copy_buf || !o.buf || !ws.d) {
        rc = mlops__error_nomem();
        goto done;
    }
    static const char layout[] = "{\"imageLayoutVersion\":\"1.0.0\"}";
    rc = mlops__tarw_new(&w, out_sink, &o, mtime);
    if (!rc)
        rc = put_bytes(w, "oci-layout", layout, sizeof layout - 1);
    if (!rc)
        rc = put_bytes(w, "index.json", index->data, index->size);
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
                rc = put_bytes(w, entry, list[i].data, (size_t)list[i].size);
        } else {
            rc = copy_stored_blob(&r, w, entry, &list[i]);
        }
    }
    if (!rc)
        rc = mlops__tarw_finish(w);
    if (!rc)
        rc = out_flush(&o);
    if (!rc)
        rc = output_commit(&of, out_path);
done:
    mlops__tarw_free(w);
    mlops__outfile_abort(&of);
    mlops__free(ws.d);
    mlops__free(o.buf);
    mlops__free(r.copy_buf);
    return rc;
}

/* ---- adding signatures to an existing package ---------------------------- */

typedef struct sign_pass {
    struct archive *a;
    int fd;
    const char *path;
} sign_pass;

static int sign_open(sign_pass *sp, const char *path)
{
    sp->path = path;
    sp->fd = open(path, O_RDONLY | O_CLOEXEC);
    if (sp->fd < 0)
        return mlops__error_at(MLOPS_E_IO, -1, 0, 0, path, "%s: cannot open: %s", path,
                               mlops__strerror(errno));
    sp->a = archive_read_new();
    if (!sp->a)
        return mlops__error_nomem();
    if (archive_read_support_format_tar(sp->a) != ARCHIVE_OK ||
        archive_read_open_fd(sp->a, sp->fd, COPY_BUFFER) != ARCHIVE_OK)
        return mlops__archive_error(sp->a, -1, path, path);
    return 0;
}

static void sign_close(sign_pass *sp)
{
    if (sp->a)
        archive_read_free(sp->a);
    if (sp->fd >= 0)
        close(sp->fd);
    sp->a = NULL;
    sp->fd = -1;
}

/* The digest an entry "blobs/sha256/<hex>" names, or 0. */
static int entry_digest(const char *name, uint8_t d[32])
{
    static const char prefix[] = "blobs/sha256/";
    char full[80];
    if (!name || strlen(name) != sizeof prefix - 1 + 64 ||
        memcmp(name, prefix, sizeof prefix - 1) != 0)
        return 0;
    snprintf(full, sizeof full, "sha256:%s", name + sizeof prefix - 1);
    return mlops_digest_parse(d, full) == 0;
}

static int read_entry(struct archive *a, mlops_buf *out, const char *path)
{
    for (;;) {
        int rc = mlops__buf_reserve(out, 65536);
        if (rc)
            return rc;
        la_ssize_t n = archive_read_data(a, out->data + out->size, 65536);
        if (n < 0)
            return mlops__archive_error(a, -1, path, path);
        if (n == 0)
            return 0;
        out->size += (size_t)n;
        out->data[out->size] = '\0';
        if (out->size > ((size_t)64 << 20))
            return mlops__error(MLOPS_E_LIMIT, "%s: a metadata blob over 64 MiB", path);
    }
}

/* Pre-pass: the tar's mtime, the statement bytes and the old envelope. */
static int sign_collect(const char *in_path, const uint8_t statement_d[32],
                        const uint8_t referrer_d[32], int has_ref, int64_t *mtime,
                        mlops_buf *statement, mlops_buf *old_env)
{
    sign_pass sp = { NULL, -1, NULL };
    int rc = sign_open(&sp, in_path);
    uint8_t env_d[32];
    int have_env_d = 0, first = 1;
    mlops_buf ref = MLOPS_BUF_INIT;
    while (!rc) {
        struct archive_entry *e;
        int ar = archive_read_next_header(sp.a, &e);
        if (ar == ARCHIVE_EOF)
            break;
        if (ar != ARCHIVE_OK) {
            rc = mlops__archive_error(sp.a, -1, in_path, in_path);
            break;
        }
        if (first)
            *mtime = (int64_t)archive_entry_mtime(e);
        first = 0;
        uint8_t d[32];
        if (!entry_digest(archive_entry_pathname(e), d))
            continue;
        if (memcmp(d, statement_d, 32) == 0 && !statement->size)
            rc = read_entry(sp.a, statement, in_path);
        else if (has_ref && memcmp(d, referrer_d, 32) == 0 && !ref.size) {
            rc = read_entry(sp.a, &ref, in_path);
            mlops__json_doc *doc = NULL;
            if (!rc) {
                mlops__json_limits lim = { 16, (size_t)64 << 20 };
                rc = mlops__json_parse(&doc, ref.data, ref.size, &lim, "signature referrer");
            }
            if (!rc) {
                const mlops__json *ls = mlops__json_object_find(mlops__json_root(doc), "layers");
                const mlops__json *l0 = ls && mlops__json_type_of(ls) == MLOPS__JSON_ARRAY
                                            ? mlops__json_array_get(ls, 0)
                                            : NULL;
                const mlops__json *dg = l0 && mlops__json_type_of(l0) == MLOPS__JSON_OBJECT
                                            ? mlops__json_object_find(l0, "digest")
                                            : NULL;
                if (dg && mlops__json_type_of(dg) == MLOPS__JSON_STRING &&
                    mlops_digest_parse(env_d, mlops__json_string(dg, NULL)) == 0)
                    have_env_d = 1;
            }
            mlops__json_doc_free(doc);
        } else if (have_env_d && memcmp(d, env_d, 32) == 0 && !old_env->size) {
            rc = read_entry(sp.a, old_env, in_path);
        }
    }
    sign_close(&sp);
    mlops_buf_dispose(&ref);
    if (!rc && !statement->size)
        rc = mlops__error(MLOPS_E_UNSUPPORTED,
                          "%s: the statement blob is not in canonical form; it cannot be "
                          "re-signed", in_path);
    if (!rc && has_ref && !old_env->size)
        rc = mlops__error(MLOPS_E_INTEGRITY, "%s: the signature envelope is missing", in_path);
    return rc;
}

/* Copy one entry's data into the output tar, checking a blob's digest. */
static int copy_entry(struct archive *a, mlops__tarw *w, const char *name, uint64_t size,
                      const uint8_t *digest, unsigned char *buf)
{
    int rc = mlops__tarw_file_begin(w, name, size);
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    if (!rc && (!md || EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1))
        rc = md ? mlops__error(MLOPS_E_CRYPTO, "OpenSSL digest init failed") : mlops__error_nomem();
    while (!rc) {
        la_ssize_t n = archive_read_data(a, buf, COPY_BUFFER);
        if (n < 0)
            rc = mlops__archive_error(a, -1, name, name);
        if (n <= 0)
            break;
        EVP_DigestUpdate(md, buf, (size_t)n);
        rc = mlops__tarw_data(w, buf, (size_t)n);
    }
    uint8_t d[32];
    if (!rc && digest && (EVP_DigestFinal_ex(md, d, NULL) != 1 || memcmp(d, digest, 32) != 0))
        rc = mlops__error_at(MLOPS_E_INTEGRITY, -1, 0, 0, name,
                             "%s changed since it was verified", name);
    if (!rc)
        rc = mlops__tarw_file_end(w);
    EVP_MD_CTX_free(md);
    return rc;
}

int mlops_package_sign(const char *in_path, const char *out_path, const mlops_key *const *keys,
                       size_t nkeys, const mlops_package_verify_options *opts, uint32_t flags)
{
    MLOPS__CHECK_ARG(in_path);
    MLOPS__CHECK_ARG(out_path);
    MLOPS__CHECK_ARG(keys);
    MLOPS__CHECK_FLAGS(flags, MLOPS_PACK_OVERWRITE);
    if (nkeys == 0)
        return mlops__error(MLOPS_E_INVALID, "mlops_package_sign: no signing key given");
    /* A signature vouches for every file of the statement, so every file is
     * verified first: partial verification cannot precede signing. */
    if (opts && opts->size >= offsetof(mlops_package_verify_options, npaths) + sizeof(size_t) &&
        opts->paths && opts->npaths)
        return mlops__error(MLOPS_E_INVALID, "mlops_package_sign: opts->paths is not allowed: "
                                             "a signature covers every file, so every file is "
                                             "verified before signing");
    int overwrite = (flags & MLOPS_PACK_OVERWRITE) != 0;
    struct stat st, in_st;
    if (stat(out_path, &st) == 0 && stat(in_path, &in_st) == 0 && st.st_dev == in_st.st_dev &&
        st.st_ino == in_st.st_ino)
        return mlops__error_at(MLOPS_E_INVALID, -1, 0, 0, out_path,
                               "mlops_package_sign: %s is the input package; write the "
                               "signed package to another path", out_path);
    /* fail early; a device or FIFO is written into, which replaces nothing */
    if (!overwrite && lstat(out_path, &st) == 0 &&
        !(stat(out_path, &st) == 0 && (S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode))))
        return mlops__error_at(MLOPS_E_EXISTS, -1, 0, 0, out_path, "%s already exists",
                               out_path);
    mlops_package_report *rep = NULL;
    int rc = mlops_package_verify(&rep, in_path, opts);
    if (rc) {
        mlops_package_report_free(rep);
        return rc;
    }
    blobs b;
    memset(&b, 0, sizeof b);
    uint8_t old_ref_d[32];
    uint64_t old_ref_size, manifest_size;
    int has_ref;
    mlops__package_report_oci(rep, b.manifest_d, &manifest_size, old_ref_d, &old_ref_size,
                              &has_ref);
    const mlops_manifest *m = mlops_package_report_manifest(rep);
    uint8_t statement_d[32];
    mlops_buf old_env = MLOPS_BUF_INIT, env = MLOPS_BUF_INIT;
    int64_t mtime = 0;
    sign_pass sp = { NULL, -1, NULL };
    out_file o = { -1, out_path, NULL, 0, 0, NULL };
    mlops__outfile of;
    memset(&of, 0, sizeof of);
    of.fd = -1;
    mlops__tarw *w = NULL;
    unsigned char *buf = NULL;
    rc = mlops_manifest_statement_digest(statement_d, m);
    if (!rc)
        rc = sign_collect(in_path, statement_d, old_ref_d, has_ref, &mtime, &b.statement,
                          &old_env);
    if (rc)
        goto done;
    /* the new envelope: the old signatures plus the new ones */
    if (has_ref) {
        rc = mlops__buf_append(&env, old_env.data, old_env.size);
        for (size_t i = 0; !rc && i < nkeys; i++) {
            mlops_buf next = MLOPS_BUF_INIT;
            rc = mlops_dsse_add_signature(&next, env.data, env.size, keys[i], 0);
            mlops_buf_dispose(&env);
            env = next;
        }
    } else {
        rc = mlops_dsse_sign(&env, NULL, b.statement.data, b.statement.size, keys, nkeys, 0);
    }
    if (rc)
        goto done;
    b.envelope = env;
    env.data = NULL;
    env.size = env.capacity = 0;
    /* build_referrer reads the subject's size from b.manifest.size; the
     * manifest's bytes themselves are copied from the input, not held */
    b.manifest.size = (size_t)manifest_size;
    rc = mlops_digest_buffer(b.envelope_d, b.envelope.data, b.envelope.size);
    if (!rc)
        rc = build_referrer(&b);
    b.manifest.size = 0;
    if (!rc)
        rc = mlops__layout_index(&b.index, mlops_manifest_version(m), b.manifest_d,
                                 manifest_size, 1, b.referrer_d, b.referrer.size);
    if (rc)
        goto done;

    /* the copy: every entry as it was, old signature blobs out, new ones in
     * right after the statement (the packer's order) */
    buf = mlops__malloc(COPY_BUFFER);
    o.buf = mlops__malloc(OUT_BUFFER);
    if (!buf || !o.buf) {
        rc = mlops__error_nomem();
        goto done;
    }
    rc = sign_open(&sp, in_path);
    if (!rc)
        rc = output_open(&of, out_path, overwrite);
    o.fd = of.fd;
    if (!rc)
        rc = mlops__tarw_new(&w, out_sink, &o, mtime);
    uint8_t old_env_d[32];
    if (!rc)
        rc = mlops_digest_buffer(old_env_d, old_env.data ? old_env.data : "", old_env.size);
    while (!rc) {
        struct archive_entry *e;
        int ar = archive_read_next_header(sp.a, &e);
        if (ar == ARCHIVE_EOF)
            break;
        if (ar != ARCHIVE_OK) {
            rc = mlops__archive_error(sp.a, -1, in_path, in_path);
            break;
        }
        const char *name = archive_entry_pathname(e);
        uint8_t d[32];
        int is_blob = entry_digest(name, d);
        if (archive_entry_filetype(e) == AE_IFDIR) {
            size_t len = strlen(name);
            char dir[32];
            snprintf(dir, sizeof dir, "%.*s", (int)(len && name[len - 1] == '/' ? len - 1 : len),
                     name);
            rc = mlops__tarw_dir(w, dir);
            continue;
        }
        if (strcmp(name, "index.json") == 0) {
            rc = put_bytes(w, "index.json", b.index.data, b.index.size);
            continue;
        }
        if (is_blob && has_ref &&
            (memcmp(d, old_ref_d, 32) == 0 || memcmp(d, old_env_d, 32) == 0 ||
             memcmp(d, empty_digest, 32) == 0))
            continue;
        rc = copy_entry(sp.a, w, name, (uint64_t)archive_entry_size(e), is_blob ? d : NULL,
                        buf);
        if (!rc && is_blob && memcmp(d, statement_d, 32) == 0) {
            mlops_buf empty = { (char *)(uintptr_t)empty_json, 2, 0 };
            char entry[96], h[65];
            mlops__hex(h, b.referrer_d, MLOPS_SHA256_SIZE);
            snprintf(entry, sizeof entry, "blobs/sha256/%s", h);
            rc = put_bytes(w, entry, b.referrer.data, b.referrer.size);
            mlops__hex(h, empty_digest, MLOPS_SHA256_SIZE);
            snprintf(entry, sizeof entry, "blobs/sha256/%s", h);
            if (!rc)
                rc = put_bytes(w, entry, empty.data, empty.size);
            mlops__hex(h, b.envelope_d, MLOPS_SHA256_SIZE);
            snprintf(entry, sizeof entry, "blobs/sha256/%s", h);
            if (!rc)
                rc = put_bytes(w, entry, b.envelope.data, b.envelope.size);
        }
    }
    if (!rc)
        rc = mlops__tarw_finish(w);
    if (!rc)
        rc = out_flush(&o);
    if (!rc)
        rc = output_commit(&of, out_path);
done:
    mlops__tarw_free(w);
    sign_close(&sp);
    mlops__outfile_abort(&of);
    mlops__free(o.buf);
    mlops__free(buf);
    mlops_buf_dispose(&old_env);
    mlops_buf_dispose(&env);
    blobs_dispose(&b);
    mlops_package_report_free(rep);
    return rc;
}
