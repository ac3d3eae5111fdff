/*
 * The file content of a package: each layer (a raw file, or a tar of small
 * files) streamed into its files, which are hashed against the signed
 * statement (verification) or written through the safe writer (extraction),
 * shard by shard where the statement signs shards.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdio.h>
#include <string.h>

#include <archive.h>
#include <archive_entry.h>
#include <openssl/evp.h>

#include "artifact/pkg_read.h"
#include "core/alloc.h"
#include "core/error.h"
#include "core/hex.h"

/* ---- file content ------------------------------------------------------- */

/* Streams one file's bytes: hashes them (verify) or writes them (extract). */
typedef struct file_sink {
    reader *r;
    size_t index; /* statement file */
    int active;   /* 0: the bytes are skipped */
    uint64_t got;
    /* a file with signed shards: each shard is hashed as it streams by and
     * compared with its signed digest, so a streaming pass (extraction, or
     * verification from a pipe) checks what verification from a file does */
    EVP_MD_CTX *smd;
    size_t shard, nshards;
    uint64_t shard_end;
} file_sink;

static int shard_open(file_sink *s)
{
    uint64_t off = 0, size = 0;
    const char *want = NULL;
    if (mlops_manifest_file_shard(&off, &size, &want, s->r->rep->m, s->index, s->shard) != 0)
        return mlops__error(MLOPS_E_INTERNAL, "statement shard unreadable");
    s->shard_end = off + size;
    if (EVP_DigestInit_ex(s->smd, EVP_sha256(), NULL) != 1)
        return mlops__error(MLOPS_E_CRYPTO, "OpenSSL digest init failed");
    return 0;
}

/* The current shard is complete: compare it, open the next. */
static int shard_close(file_sink *s)
{
    reader *r = s->r;
    const mlops_manifest *m = r->rep->m;
    uint64_t off = 0, size = 0;
    const char *sw = NULL;
    uint8_t d[32];
    if (mlops_manifest_file_shard(&off, &size, &sw, m, s->index, s->shard) != 0)
        return mlops__error(MLOPS_E_INTERNAL, "statement shard unreadable");
    if (EVP_DigestFinal_ex(s->smd, d, NULL) != 1)
        return mlops__error(MLOPS_E_CRYPTO, "OpenSSL digest final failed");
    char want[72], got[72];
    snprintf(want, sizeof want, "sha256:%s", sw);
    mlops_digest_format(got, d);
    int rc = 0;
    if (strcmp(want, got) != 0) {
        const char *path = mlops_manifest_file_path(m, s->index);
        rc = mlops__pkg_problem(r, path, want, got,
                                "shard %zu of \"%s\" (bytes %llu to %llu) has digest %s, the "
                                "statement says %s",
                                s->shard, path, (unsigned long long)off,
                                (unsigned long long)(off + size - 1), got, want);
    }
    if (!rc && ++s->shard < s->nshards)
        rc = shard_open(s);
    return rc;
}

static int sink_begin(reader *r, file_sink *s, size_t i)
{
    s->r = r;
    s->index = i;
    s->got = 0;
    s->active = r->wanted[i];
    s->smd = NULL;
    s->shard = s->nshards = 0;
    if (!s->active)
        return 0;
    s->nshards = mlops_manifest_file_shard_count(r->rep->m, i);
    if (s->nshards) {
        s->smd = r->smd;
        int rc = shard_open(s);
        if (rc)
            return rc;
    }
    const char *path = mlops_manifest_file_path(r->rep->m, i);
    if (r->x) {
        uint8_t d[32];
        char full[80];
        snprintf(full, sizeof full, "sha256:%s", mlops_manifest_file_sha256(r->rep->m, i));
        if (mlops_digest_parse(d, full) != 0)
            return mlops__error(MLOPS_E_INTERNAL, "statement digest unreadable");
        return mlops__extract_file_begin(r->x, path, strlen(path),
                                         mlops_manifest_file_size(r->rep->m, i), d, 0);
    }
    if (EVP_DigestInit_ex(r->md, EVP_sha256(), NULL) != 1)
        return mlops__error(MLOPS_E_CRYPTO, "OpenSSL digest init failed");
    return 0;
}

static int sink_data(file_sink *s, const void *data, size_t len)
{
    uint64_t at = s->got;
    s->got += len;
    if (!s->active)
        return 0;
    /* the signed sizes bound the entry: no byte beyond the last shard */
    for (size_t done = 0; s->smd && s->shard < s->nshards && done < len;) {
        uint64_t room = s->shard_end - at;
        size_t n = len - done < room ? len - done : (size_t)room;
        if (EVP_DigestUpdate(s->smd, (const unsigned char *)data + done, n) != 1)
            return mlops__error(MLOPS_E_CRYPTO, "OpenSSL digest update failed");
        done += n;
        at += n;
        if (at == s->shard_end) {
            int rc = shard_close(s);
            if (rc)
                return rc;
        }
    }
    if (s->r->x)
        return mlops__extract_file_write(s->r->x, data, len);
    if (EVP_DigestUpdate(s->r->md, data, len) != 1)
        return mlops__error(MLOPS_E_CRYPTO, "OpenSSL digest update failed");
    return 0;
}

static int sink_end(file_sink *s)
{
    reader *r = s->r;
    const mlops_manifest *m = r->rep->m;
    const char *path = mlops_manifest_file_path(m, s->index);
    r->file_seen[s->index] = 1;
    if (!s->active)
        return 0;
    if (r->x) {
        int rc = mlops__extract_file_end(r->x, NULL);
        if (!rc)
            r->rep->files_verified++;
        return rc;
    }
    uint8_t d[32];
    if (EVP_DigestFinal_ex(r->md, d, NULL) != 1)
        return mlops__error(MLOPS_E_CRYPTO, "OpenSSL digest final failed");
    char got[72], want[72];
    snprintf(want, sizeof want, "sha256:%s", mlops_manifest_file_sha256(m, s->index));
    mlops_digest_format(got, d);
    if (strcmp(got, want) != 0)
        return mlops__pkg_problem(r, path, want, got,
                                  "file \"%s\" has digest %s, the statement says %s",
                                  path, got, want);
    r->rep->files_verified++;
    return 0;
}

/* Find the raw-layer files with this digest (several files may share one). */
size_t mlops__pkg_next_file(const mlops_manifest *m, const char *hexd, size_t from)
{
    size_t n = mlops_manifest_file_count(m);
    for (size_t i = from; i < n; i++)
        if (strcmp(mlops_manifest_file_sha256(m, i), hexd) == 0 &&
            mlops_manifest_file_size(m, i) >= MLOPS_PACKAGE_RAW_THRESHOLD)
            return i;
    return (size_t)-1;
}

static int on_raw_layer(reader *r, layer_desc *l, const char *name, blob_hash *bh,
                        uint64_t entry_size)
{
    const mlops_manifest *m = r->rep->m;
    char hexd[65];
    mlops__hex(hexd, l->digest, MLOPS_SHA256_SIZE);
    size_t first = mlops__pkg_next_file(m, hexd, 0);
    if (first == (size_t)-1) {
        int rc = mlops__pkg_problem(r, name, "", hexd, "layer %s is not a file of the statement",
                                    hexd);
        if (rc)
            return rc;
        return mlops__pkg_skip(r, name);
    }
    if (entry_size != mlops_manifest_file_size(m, first)) {
        /* refused before a byte is read: the signed size bounds the work */
        char want[32], got[32];
        snprintf(want, sizeof want, "%llu",
                 (unsigned long long)mlops_manifest_file_size(m, first));
        snprintf(got, sizeof got, "%llu", (unsigned long long)entry_size);
        l->seen = 2;
        for (size_t i = first; i != (size_t)-1; i = mlops__pkg_next_file(m, hexd, i + 1))
            r->file_seen[i] = 1;
        int rc = mlops__pkg_problem(r, mlops_manifest_file_path(m, first), want, got,
                                    "file \"%s\" is %s bytes, the statement says %s",
                                    mlops_manifest_file_path(m, first), got, want);
        if (rc)
            return rc;
        return mlops__pkg_skip(r, name);
    }
    int any = 0;
    for (size_t i = first; i != (size_t)-1; i = mlops__pkg_next_file(m, hexd, i + 1))
        any |= r->wanted[i];
    if (!any) {
        for (size_t i = first; i != (size_t)-1; i = mlops__pkg_next_file(m, hexd, i + 1))
            r->file_seen[i] = 1;
        return mlops__pkg_skip(r, name);
    }
    /* the blob is streamed into the first wanted file of that content */
    size_t lead = first;
    while (!r->wanted[lead])
        lead = mlops__pkg_next_file(m, hexd, lead + 1);
    int rc;
    int lead_ok;
    if (!r->x && r->seekable && mlops_manifest_file_shard_count(m, lead) >= 2) {
        /* verified shard by shard, on several threads: the signed shard
         * digests cover every byte, so the bytes are hashed once */
        rc = mlops__pkg_verify_shards(r, lead, name, entry_size, &lead_ok);
        if (rc)
            return rc;
        bh->checked = 1;
        r->file_seen[lead] = 1;
        if (lead_ok)
            r->rep->files_verified++;
        goto copies;
    }
    file_sink s;
    rc = sink_begin(r, &s, lead);
    if (rc)
        return rc;
    for (;;) {
        la_ssize_t n = archive_read_data(r->a, r->buf, MLOPS__PKG_READ_BLOCK);
        if (n < 0)
            return mlops__pkg_tar_fail(r, name, "reading");
        if (n == 0)
            break;
        bh->size += (uint64_t)n;
        rc = sink_data(&s, r->buf, (size_t)n);
        if (!rc)
            rc = mlops__pkg_progress(r, (size_t)n);
        if (rc)
            return rc;
    }
    /* the lead file's digest is the blob's name (matched above): checking
     * the file checks the blob, so the bytes are hashed once */
    bh->checked = 1;
    size_t verified_before = r->rep->files_verified;
    rc = sink_end(&s);
    lead_ok = r->rep->files_verified > verified_before;
copies:
    /* identical files: one blob verifies them all (when it verified);
     * extraction copies the lead file (checked again while copied) */
    for (size_t i = first; !rc && i != (size_t)-1; i = mlops__pkg_next_file(m, hexd, i + 1)) {
        r->file_seen[i] = 1;
        if (i == lead || !r->wanted[i] || !lead_ok)
            continue;
        if (r->x) {
            uint8_t d[32];
            char full[80];
            snprintf(full, sizeof full, "sha256:%s", hexd);
            rc = mlops_digest_parse(d, full);
            if (!rc)
                rc = mlops__extract_copy(r->x, mlops_manifest_file_path(m, lead),
                                         mlops_manifest_file_path(m, i),
                                         mlops_manifest_file_size(m, i), d);
        }
        if (!rc)
            r->rep->files_verified++;
    }
    return rc;
}

/* The inner tar of a small-file layer reads through the outer entry. */
typedef struct inner_ctx {
    reader *r;
    blob_hash *bh;
    const char *name;
    int rc;
    unsigned char *buf;
} inner_ctx;

static la_ssize_t inner_read(struct archive *a, void *ctx, const void **out)
{
    (void)a;
    inner_ctx *c = ctx;
    la_ssize_t n = archive_read_data(c->r->a, c->buf, MLOPS__PKG_READ_BLOCK);
    if (n < 0) {
        c->rc = mlops__pkg_tar_fail(c->r, c->name, "reading");
        return -1;
    }
    if (n > 0) {
        if (EVP_DigestUpdate(c->bh->md, c->buf, (size_t)n) != 1) {
            c->rc = mlops__error(MLOPS_E_CRYPTO, "OpenSSL digest update failed");
            return -1;
        }
        c->bh->size += (uint64_t)n;
        int rc = mlops__pkg_progress(c->r, (size_t)n);
        if (rc) {
            c->rc = rc;
            return -1;
        }
    }
    *out = c->buf;
    return n;
}

static int inner_entries(reader *r, struct archive *in, inner_ctx *c, layer_desc *l)
{
    const mlops_manifest *m = r->rep->m;
    struct archive_entry *e;
    for (;;) {
        int ar = archive_read_next_header(in, &e);
        if (ar == ARCHIVE_EOF)
            return 0;
        if (ar != ARCHIVE_OK)
            return c->rc ? c->rc
                         : mlops__error_at(MLOPS_E_PARSE, -1, 0, 0, c->name,
                                           "%s: layer %s: %s", r->pkg, c->name,
                                           archive_error_string(in));
        const char *path = archive_entry_pathname(e);
        if (!path)
            return mlops__error(MLOPS_E_PARSE, "%s: an entry of %s has no path", r->pkg, c->name);
        int rc = mlops__tar_entry_check(e, path);
        if (!rc && archive_entry_filetype(e) != AE_IFREG)
            rc = mlops__error_at(MLOPS_E_UNSAFE, -1, 0, 0, path,
                                 "%s: layer entry \"%s\" is not a regular file", r->pkg, path);
        if (!rc)
            rc = mlops__path_check(path, strlen(path));
        if (rc)
            return rc;
        size_t i = mlops_manifest_file_find(m, path);
        uint64_t size = (uint64_t)archive_entry_size(e);
        if (i == (size_t)-1 || r->file_seen[i] ||
            mlops_manifest_file_size(m, i) >= MLOPS_PACKAGE_RAW_THRESHOLD ||
            !mlops_manifest_file_media_type(m, i) ||
            strcmp(mlops_manifest_file_media_type(m, i), l->media_type) != 0) {
            rc = mlops__pkg_problem(r, path, "", "",
                                    i == (size_t)-1 ? "\"%s\" is not a file of the statement"
                                    : r->file_seen[i] ? "\"%s\" appears twice"
                                    : "\"%s\" is not in the layer it belongs to",
                                    path);
            if (rc)
                return rc;
            continue;
        }
        if (size != mlops_manifest_file_size(m, i)) {
            char want[32], got[32];
            snprintf(want, sizeof want, "%llu", (unsigned long long)mlops_manifest_file_size(m, i));
            snprintf(got, sizeof got, "%llu", (unsigned long long)size);
            r->file_seen[i] = 1;
            rc = mlops__pkg_problem(r, path, want, got,
                                    "file \"%s\" is %s bytes, the statement says %s",
                                    path, got, want);
            if (rc)
                return rc;
            continue;
        }
        file_sink s;
        rc = sink_begin(r, &s, i);
        if (rc)
            return rc;
        for (;;) {
            la_ssize_t n = archive_read_data(in, r->buf, MLOPS__PKG_READ_BLOCK);
            if (n < 0)
                return c->rc ? c->rc
                             : mlops__error_at(MLOPS_E_PARSE, -1, 0, 0, path, "%s: %s: %s",
                                               r->pkg, path, archive_error_string(in));
            if (n == 0)
                break;
            rc = sink_data(&s, r->buf, (size_t)n);
            if (rc)
                return rc;
        }
        rc = sink_end(&s);
        if (rc)
            return rc;
    }
}

static int on_tar_layer(reader *r, layer_desc *l, const char *name, blob_hash *bh)
{
    const mlops_manifest *m = r->rep->m;
    int any = 0;
    for (size_t i = 0; i < mlops_manifest_file_count(m); i++) {
        const char *mt = mlops_manifest_file_media_type(m, i);
        if (mt && strcmp(mt, l->media_type) == 0 && r->wanted[i])
            any = 1;
    }
    if (!any) {
        for (size_t i = 0; i < mlops_manifest_file_count(m); i++) {
            const char *mt = mlops_manifest_file_media_type(m, i);
            if (mt && strcmp(mt, l->media_type) == 0)
                r->file_seen[i] = 1;
        }
        l->seen = 2; /* skipped: its digest is not checked */
        return mlops__pkg_skip(r, name);
    }
    inner_ctx c = { r, bh, name, 0, NULL };
    c.buf = mlops__malloc(MLOPS__PKG_READ_BLOCK);
    struct archive *in = archive_read_new();
    int rc = 0;
    if (!c.buf || !in) {
        rc = mlops__error_nomem();
        goto done;
    }
    if (archive_read_support_format_tar(in) != ARCHIVE_OK ||
        archive_read_open(in, &c, NULL, inner_read, NULL) != ARCHIVE_OK) {
        rc = c.rc ? c.rc
                  : mlops__error_at(MLOPS_E_PARSE, -1, 0, 0, name, "%s: layer %s: %s", r->pkg,
                                    name, archive_error_string(in));
        goto done;
    }
    rc = inner_entries(r, in, &c, l);
    /* the rest of the layer (end-of-archive blocks) still counts */
    const void *dummy;
    while (!rc) {
        la_ssize_t n = inner_read(in, &c, &dummy);
        if (n < 0)
            rc = c.rc;
        if (n <= 0)
            break;
    }
done:
    if (in)
        archive_read_free(in);
    mlops__free(c.buf);
    return rc;
}

int mlops__pkg_on_layer(reader *r, layer_desc *l, const char *name, uint64_t entry_size)
{
    if (!r->statement_trusted) {
        /* index.json came first: whether it names a signature is known */
        if (r->o.trusted && !r->referrer.expected)
            return mlops__error_at(MLOPS_E_SIGNATURE, -1, 0, 0, name,
                                   "%s: the package is not signed (index.json names no "
                                   "signature), and trusted keys were given",
                                   r->pkg);
        return r->o.trusted
                   ? mlops__error_at(MLOPS_E_SIGNATURE, -1, 0, 0, name,
                                     "%s: file content before a verified signature", r->pkg)
                   : mlops__error_at(MLOPS_E_INTEGRITY, -1, 0, 0, name,
                                     "%s: file content before the statement", r->pkg);
    }
    if (entry_size != l->size) {
        char want[32], got[32];
        snprintf(want, sizeof want, "%llu", (unsigned long long)l->size);
        snprintf(got, sizeof got, "%llu", (unsigned long long)entry_size);
        return mlops__error_at(MLOPS_E_INTEGRITY, -1, 0, 0, name,
                               "%s: blob %s is %s bytes, its descriptor says %s", r->pkg, name,
                               got, want);
    }
    blob_hash bh = { EVP_MD_CTX_new(), 0, 0 };
    if (!bh.md)
        return mlops__error_nomem();
    int rc = EVP_DigestInit_ex(bh.md, EVP_sha256(), NULL) == 1
                 ? 0
                 : mlops__error(MLOPS_E_CRYPTO, "OpenSSL digest init failed");
    l->seen = 1;
    if (!rc)
        rc = l->kind == LAYER_RAW ? on_raw_layer(r, l, name, &bh, entry_size)
                                  : on_tar_layer(r, l, name, &bh);
    if (!rc && l->seen == 1 && !bh.checked && bh.size == l->size) {
        uint8_t d[32];
        char want[72], got[72];
        EVP_DigestFinal_ex(bh.md, d, NULL);
        if (memcmp(d, l->digest, 32) != 0) {
            mlops_digest_format(want, l->digest);
            mlops_digest_format(got, d);
            rc = mlops__pkg_problem(r, name, want, got, "blob %s has digest %s", name, got);
        }
    }
    EVP_MD_CTX_free(bh.md);
    return rc;
}
