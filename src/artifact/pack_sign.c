/*
 * Adding signatures to an existing package (mlops_package_sign): verified
 * first, then copied entry by entry with the new signature referrer and
 * envelope in place of the old ones.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <openssl/evp.h>

#include "artifact/pack_write.h"
#include "core/alloc.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/hex.h"
#include "core/io.h"
#include "core/json.h"
#include "core/output.h"
#include "mlops/dsse.h"
#include "mlops/key.h"

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

/* The next entry of the input package: 0 and *e, 1 at its end, or an error. */
static int next_entry(struct archive_entry **e, sign_pass *sp, const char *in_path)
{
    int ar = archive_read_next_header(sp->a, e);
    if (ar == ARCHIVE_EOF)
        return 1;
    if (ar != ARCHIVE_OK)
        return mlops__archive_error(sp->a, -1, in_path, in_path);
    return 0;
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
        int next = next_entry(&e, &sp, in_path);
        if (next) {
            rc = next < 0 ? next : 0;
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
    mlops__output o;
    memset(&o, 0, sizeof o);
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
    /* mlops__pack_build_referrer reads the subject's size from b.manifest.size; the
     * manifest's bytes themselves are copied from the input, not held */
    b.manifest.size = (size_t)manifest_size;
    rc = mlops_digest_buffer(b.envelope_d, b.envelope.data, b.envelope.size);
    if (!rc)
        rc = mlops__pack_build_referrer(&b);
    b.manifest.size = 0;
    if (!rc)
        rc = mlops__layout_index(&b.index, mlops_manifest_version(m), b.manifest_d,
                                 manifest_size, 1, b.referrer_d, b.referrer.size);
    if (rc)
        goto done;

    /* the copy: every entry as it was, old signature blobs out, new ones in
     * right after the statement (the packer's order) */
    buf = mlops__malloc(COPY_BUFFER);
    if (!buf) {
        rc = mlops__error_nomem();
        goto done;
    }
    rc = sign_open(&sp, in_path);
    if (!rc)
        rc = mlops__output_open(&o, out_path, overwrite);
    if (!rc)
        rc = mlops__tarw_new(&w, mlops__output_sink, &o, mtime);
    uint8_t old_env_d[32];
    if (!rc)
        rc = mlops_digest_buffer(old_env_d, old_env.data ? old_env.data : "", old_env.size);
    while (!rc) {
        struct archive_entry *e;
        int next = next_entry(&e, &sp, in_path);
        if (next) {
            rc = next < 0 ? next : 0;
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
            rc = mlops__pack_put_bytes(w, "index.json", b.index.data, b.index.size);
            continue;
        }
        if (is_blob && has_ref &&
            (memcmp(d, old_ref_d, 32) == 0 || memcmp(d, old_env_d, 32) == 0 ||
             memcmp(d, mlops__oci_empty_digest, 32) == 0))
            continue;
        rc = copy_entry(sp.a, w, name, (uint64_t)archive_entry_size(e), is_blob ? d : NULL,
                        buf);
        if (!rc && is_blob && memcmp(d, statement_d, 32) == 0) {
            mlops_buf empty = { (char *)(uintptr_t)mlops__oci_empty_json, 2, 0 };
            char entry[96], h[65];
            mlops__hex(h, b.referrer_d, MLOPS_SHA256_SIZE);
            snprintf(entry, sizeof entry, "blobs/sha256/%s", h);
            rc = mlops__pack_put_bytes(w, entry, b.referrer.data, b.referrer.size);
            mlops__hex(h, mlops__oci_empty_digest, MLOPS_SHA256_SIZE);
            snprintf(entry, sizeof entry, "blobs/sha256/%s", h);
            if (!rc)
                rc = mlops__pack_put_bytes(w, entry, empty.data, empty.size);
            mlops__hex(h, b.envelope_d, MLOPS_SHA256_SIZE);
            snprintf(entry, sizeof entry, "blobs/sha256/%s", h);
            if (!rc)
                rc = mlops__pack_put_bytes(w, entry, b.envelope.data, b.envelope.size);
        }
    }
    if (!rc)
        rc = mlops__tarw_finish(w);
    if (!rc)
        rc = mlops__output_commit(&o);
done:
    mlops__tarw_free(w);
    sign_close(&sp);
    mlops__output_close(&o);
    mlops__free(buf);
    mlops_buf_dispose(&old_env);
    mlops_buf_dispose(&env);
    mlops__pack_blobs_dispose(&b);
    mlops_package_report_free(rep);
    return rc;
}
