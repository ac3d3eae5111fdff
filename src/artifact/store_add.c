/*
 * Adding a package to the store: verified first, its blobs copied in, then
 * its tag and signature named in the index.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <openssl/evp.h>

#include "artifact/pack.h"
#include "artifact/store_impl.h"
#include "core/alloc.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/hex.h"
#include "core/io.h"
#include "core/json.h"
#include "core/strlist.h"
#include "mlops/semver.h"
#include "mlops/store.h"

/* ---- adding a package --------------------------------------------------- */

/* Copy one blob entry of a package into blobs/sha256/, checking that its
 * content hashes to its name; an existing blob is kept (same name, same
 * content). */
static int copy_blob(mlops_store *s, struct archive *a, const char *hexname, unsigned char *buf)
{
    mlops_buf dst = MLOPS_BUF_INIT, tmp = MLOPS_BUF_INIT;
    int rc = mlops__buf_printf(&dst, "%s/blobs/sha256/%s", s->root, hexname);
    if (!rc)
        rc = mlops__buf_printf(&tmp, "%s/blobs/sha256/.tmp-XXXXXX", s->root);
    if (rc)
        goto done;
    if (access(dst.data, F_OK) == 0) {
        rc = archive_read_data_skip(a) == ARCHIVE_OK
                 ? 0
                 : mlops__archive_error(a, -1, NULL, "package");
        goto done;
    }
    int fd = mkstemp(tmp.data);
    if (fd < 0) {
        rc = mlops__error_at(MLOPS_E_IO, -1, 0, 0, tmp.data, "%s: cannot create: %s", tmp.data,
                             mlops__strerror(errno));
        goto done;
    }
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    if (!md || EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1)
        rc = md ? mlops__error(MLOPS_E_CRYPTO, "OpenSSL digest init failed")
                : mlops__error_nomem();
    while (!rc) {
        la_ssize_t n = archive_read_data(a, buf, COPY_BLOCK);
        if (n < 0) {
            rc = mlops__archive_error(a, -1, NULL, "package");
            break;
        }
        if (n == 0)
            break;
        EVP_DigestUpdate(md, buf, (size_t)n);
        rc = mlops__store_write_all(fd, buf, (size_t)n, dst.data);
    }
    uint8_t d[32];
    char got[65];
    if (!rc && EVP_DigestFinal_ex(md, d, NULL) == 1) {
        mlops__hex(got, d, MLOPS_SHA256_SIZE);
        if (strcmp(got, hexname) != 0)
            rc = mlops__error_at(MLOPS_E_INTEGRITY, -1, 0, 0, hexname,
                                 "package blob %s changed since it was verified", hexname);
    }
    EVP_MD_CTX_free(md);
    rc = mlops__store_commit_tmp(rc, fd, tmp.data, dst.data, 0444);
done:
    mlops_buf_dispose(&dst);
    mlops_buf_dispose(&tmp);
    return rc;
}

static int copy_blobs(mlops_store *s, const char *package_path)
{
    int fd = open(package_path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return mlops__error_at(MLOPS_E_IO, -1, 0, 0, package_path, "%s: cannot open: %s",
                               package_path, mlops__strerror(errno));
    struct archive *a = archive_read_new();
    unsigned char *buf = mlops__malloc(COPY_BLOCK);
    int rc = 0;
    if (!a || !buf) {
        rc = mlops__error_nomem();
        goto done;
    }
    if (archive_read_support_format_tar(a) != ARCHIVE_OK ||
        archive_read_open_fd(a, fd, COPY_BLOCK) != ARCHIVE_OK) {
        rc = mlops__archive_error(a, -1, package_path, package_path);
        goto done;
    }
    static const char prefix[] = "blobs/sha256/";
    struct archive_entry *e;
    while (!rc) {
        int ar = archive_read_next_header(a, &e);
        if (ar == ARCHIVE_EOF)
            break;
        if (ar != ARCHIVE_OK) {
            rc = mlops__archive_error(a, -1, package_path, package_path);
            break;
        }
        const char *name = archive_entry_pathname(e);
        if (name && archive_entry_filetype(e) == AE_IFREG && !archive_entry_hardlink(e) &&
            strlen(name) == sizeof prefix - 1 + 64 &&
            memcmp(name, prefix, sizeof prefix - 1) == 0 &&
            strspn(name + sizeof prefix - 1, "0123456789abcdef") == 64)
            rc = copy_blob(s, a, name + sizeof prefix - 1, buf);
    }
    if (!rc) {
        mlops_buf dir = MLOPS_BUF_INIT;
        rc = mlops__buf_printf(&dir, "%s/blobs/sha256", s->root);
        if (!rc)
            rc = mlops__store_fsync_dir(dir.data);
        mlops_buf_dispose(&dir);
    }
done:
    if (a)
        archive_read_free(a);
    mlops__free(buf);
    close(fd);
    return rc;
}

/* A package that is a stream (a pipe, a FIFO, a character device such as
 * /dev/stdin) can be read only once, and adding reads it twice (verify, then
 * copy the blobs): it is first copied whole into a temporary file among the
 * store's blobs (where gc removes what a killed writer leaves). *spooled
 * receives that file's path, or stays empty for a regular file. */
static int spool_stream(mlops_buf *spooled, mlops_store *s, const char *package_path)
{
    struct stat st;
    if (stat(package_path, &st) != 0 || !(S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode)))
        return 0; /* a regular file is read twice; anything else verify reports */
    int in = open(package_path, O_RDONLY | O_CLOEXEC);
    if (in < 0)
        return mlops__error_at(MLOPS_E_IO, -1, 0, 0, package_path, "%s: cannot open: %s",
                               package_path, mlops__strerror(errno));
    int rc = mlops__buf_printf(spooled, "%s/blobs/sha256/.tmp-spool-XXXXXX", s->root);
    int out = -1;
    unsigned char *buf = rc ? NULL : mlops__malloc(COPY_BLOCK);
    if (!rc && !buf)
        rc = mlops__error_nomem();
    if (!rc && (out = mkstemp(spooled->data)) < 0)
        rc = mlops__error_at(MLOPS_E_IO, -1, 0, 0, spooled->data,
                             "%s: cannot create a temporary copy of %s: %s", s->root,
                             package_path, mlops__strerror(errno));
    while (!rc) {
        ssize_t n = read(in, buf, COPY_BLOCK);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            rc = mlops__error_at(MLOPS_E_IO, -1, 0, 0, package_path, "%s: read failed: %s",
                                 package_path, mlops__strerror(errno));
            break;
        }
        if (n == 0)
            break;
        for (ssize_t off = 0; off < n && !rc;) {
            ssize_t w = write(out, buf + off, (size_t)(n - off));
            if (w < 0 && errno == EINTR)
                continue;
            if (w <= 0)
                rc = mlops__error_at(MLOPS_E_IO, -1, 0, 0, spooled->data,
                                     "%s: cannot keep a temporary copy of %s: %s", s->root,
                                     package_path, mlops__strerror(w < 0 ? errno : EIO));
            else
                off += w;
        }
    }
    if (out >= 0 && close(out) != 0 && !rc)
        rc = mlops__error_at(MLOPS_E_IO, -1, 0, 0, spooled->data,
                             "%s: cannot keep a temporary copy of %s: %s", s->root, package_path,
                             mlops__strerror(errno));
    if (rc && out >= 0)
        unlink(spooled->data);
    if (rc)
        mlops__buf_clear(spooled);
    close(in);
    mlops__free(buf);
    return rc;
}

static int store_add(mlops_store *s, const char *package_path,
                     const mlops_package_verify_options *opts);

int mlops_store_add(mlops_store *s, const char *package_path,
                    const mlops_package_verify_options *opts)
{
    MLOPS__CHECK_ARG(s);
    MLOPS__CHECK_ARG(package_path);
    mlops_buf spooled = MLOPS_BUF_INIT;
    int rc = spool_stream(&spooled, s, package_path);
    if (rc || !spooled.size) {
        mlops_buf_dispose(&spooled);
        return rc ? rc : store_add(s, package_path, opts);
    }
    rc = store_add(s, spooled.data, opts);
    if (rc) {
        /* the failure names the stream the caller gave, not the copy */
        char msg[2048], path[1024];
        snprintf(path, sizeof path, "%s", mlops_error_last_path());
        if (strcmp(path, spooled.data) == 0)
            snprintf(path, sizeof path, "%s", package_path);
        const char *m = mlops_error_last();
        const char *at = strstr(m, spooled.data);
        if (at)
            snprintf(msg, sizeof msg, "%.*s%s%s", (int)(at - m), m, package_path,
                     at + spooled.size);
        else
            snprintf(msg, sizeof msg, "%s", m);
        rc = mlops__error_at(rc, mlops_error_last_offset(), mlops_error_last_line(),
                             mlops_error_last_column(), path, "%s", msg);
    }
    unlink(spooled.data);
    mlops_buf_dispose(&spooled);
    return rc;
}

static int store_add(mlops_store *s, const char *package_path,
                     const mlops_package_verify_options *opts)
{
    mlops_package_report *rep = NULL;
    int rc = mlops_package_verify(&rep, package_path, opts);
    if (rc) {
        mlops_package_report_free(rep);
        return rc;
    }
    uint8_t md[32], rd[32];
    uint64_t msize, rsize;
    int has_ref;
    mlops__package_report_oci(rep, md, &msize, rd, &rsize, &has_ref);
    const mlops_manifest *m = mlops_package_report_manifest(rep);
    mlops_buf tag = MLOPS_BUF_INIT;
    rc = mlops__buf_printf(&tag, "%s:%s", mlops_manifest_name(m), mlops_manifest_version(m));
    if (!rc)
        rc = mlops__store_lock(s);
    if (rc)
        goto out;
    entry *old = mlops__store_find_entry(s, tag.data, KIND_MODEL);
    if (old) {
        if (memcmp(old->d, md, 32) != 0)
            rc = mlops__error_at(MLOPS_E_EXISTS, -1, 0, 0, tag.data,
                                 "%s: tag %s already names another manifest", s->root,
                                 tag.data);
        goto unlock;
    }
    /* blobs first, the index last: a crash in between leaves unreferenced
     * blobs (removed by gc), never a tag without its blobs */
    rc = copy_blobs(s, package_path);
    if (!rc)
        rc = mlops__store_push_entry(s, tag.data, KIND_MODEL, md, msize);
    if (!rc && has_ref)
        rc = mlops__store_push_entry(s, tag.data, KIND_SIGNATURE, rd, rsize);
    if (!rc)
        rc = mlops__store_save_index(s);
unlock:
    mlops__store_unlock(s);
out:
    mlops_buf_dispose(&tag);
    mlops_package_report_free(rep);
    return rc;
}
