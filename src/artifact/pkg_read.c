/*
 * Reading a package in one streaming pass: verification, and extraction
 * through the safe writer in the same pass.
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * The order of a package (metadata first, docs/formats/overview.md §3) is what makes one
 * pass enough: the index names the model manifest, which names the config,
 * the statement and the layers; the referrer names the envelope. A blob is
 * accepted only once something already read expects it, and file content
 * only once the statement is trusted (its signature verified, or unsigned
 * packages explicitly allowed). The OCI documents are not signed: they only
 * route bytes, and every file byte is checked against the signed statement.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <openssl/evp.h>

#include "artifact/extract.h"
#include "artifact/pack.h"
#include "artifact/pkg_read.h"
#include "core/alloc.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/hex.h"
#include "core/io.h"
#include "core/json.h"
#include "core/options.h"

/* ---- options ------------------------------------------------------------ */

static const mlops_package_verify_options verify_defaults = MLOPS_PACKAGE_VERIFY_OPTIONS_INIT;
#define VERIFY_OPTIONS_V1_SIZE sizeof(mlops_package_verify_options)

int mlops_package_verify_options_init(mlops_package_verify_options *opts, size_t size)
{
    return mlops__options_init(opts, size, &verify_defaults, sizeof verify_defaults,
                               VERIFY_OPTIONS_V1_SIZE, "mlops_package_verify_options");
}

/* ---- reading entries ---------------------------------------------------- */

int mlops__archive_error(struct archive *a, int64_t at, const char *path, const char *context)
{
    const char *msg = a ? archive_error_string(a) : NULL;
    int e = a ? archive_errno(a) : 0;
    if (e == ENOMEM)
        return mlops__error_nomem();
    /* libarchive's own codes: EILSEQ for a malformed archive, EINVAL for a
     * misuse, -1 for the rest (ARCHIVE_ERRNO_FILE_FORMAT, _PROGRAMMER, _MISC
     * in its private header); any other positive value is a system call's */
    if (e > 0 && e != EILSEQ && e != EINVAL)
        return mlops__error_at(MLOPS_E_IO, at, 0, 0, path, "%s: %s: %s", context,
                               msg ? msg : "I/O error", mlops__strerror(e));
    return mlops__error_at(MLOPS_E_PARSE, at, 0, 0, path, "%s: %s", context,
                           msg ? msg : "damaged archive");
}

int mlops__pkg_tar_fail(reader *r, const char *entry, const char *what)
{
    la_int64_t at = r->a ? archive_filter_bytes(r->a, 0) : -1;
    char context[1024];
    snprintf(context, sizeof context, "%s: %s%s%s", r->pkg, what, entry ? " " : "",
             entry ? entry : "");
    return mlops__archive_error(r->a, at >= 0 ? (int64_t)at : -1, entry, context);
}

int mlops__pkg_skip(reader *r, const char *name)
{
    if (archive_read_data_skip(r->a) != ARCHIVE_OK)
        return mlops__pkg_tar_fail(r, name, "skipping");
    return 0;
}

int mlops__pkg_progress(reader *r, size_t n)
{
    r->read_bytes += n;
    if (r->o.progress && r->o.progress(r->read_bytes, r->pkg_size, r->o.progress_ctx) != 0)
        return mlops__error(MLOPS_E_CANCELLED, "%s: cancelled by the progress callback",
                            r->pkg);
    return 0;
}

/* Read a whole (metadata) entry into `out`, at most `max` bytes. */
static int read_small(reader *r, struct archive_entry *e, const char *name, size_t max,
                      mlops_buf *out)
{
    la_int64_t size = archive_entry_size(e);
    if (size < 0 || (uint64_t)size > max)
        return mlops__error_at(MLOPS_E_LIMIT, -1, 0, 0, name,
                               "%s: %s is %lld bytes, more than %zu for a metadata document",
                               r->pkg, name, (long long)size, max);
    int rc = mlops__buf_reserve(out, (size_t)size);
    if (rc)
        return rc;
    for (;;) {
        la_ssize_t n = archive_read_data(r->a, out->data + out->size, (size_t)size - out->size + 1);
        if (n < 0)
            return mlops__pkg_tar_fail(r, name, "reading");
        if (n == 0)
            break;
        out->size += (size_t)n;
        out->data[out->size] = '\0';
        rc = mlops__pkg_progress(r, (size_t)n);
        if (rc)
            return rc;
        if (out->size > (size_t)size)
            return mlops__pkg_tar_fail(r, name, "reading");
    }
    return 0;
}

/* ---- metadata blobs ----------------------------------------------------- */

static int check_meta(reader *r, blob_slot *slot, const char *name, const mlops_buf *b)
{
    uint8_t d[32];
    int rc = mlops_digest_buffer(d, b->data ? b->data : "", b->size);
    if (rc)
        return rc;
    if (memcmp(d, slot->digest, 32) != 0 || b->size != slot->size) {
        char want[72], got[72];
        mlops_digest_format(want, slot->digest);
        mlops_digest_format(got, d);
        return mlops__error_at(MLOPS_E_INTEGRITY, -1, 0, 0, name,
                               "%s: %s: content %s (%zu bytes), expected %s (%llu bytes)",
                               r->pkg, name, got, b->size, want,
                               (unsigned long long)slot->size);
    }
    slot->done = 1;
    return 0;
}

static blob_slot *meta_slot(reader *r, const uint8_t d[32])
{
    blob_slot *slots[] = { &r->manifest, &r->config, &r->statement,
                           &r->referrer, &r->empty,  &r->envelope };
    for (size_t i = 0; i < sizeof slots / sizeof slots[0]; i++)
        if (slots[i]->expected && !slots[i]->done && memcmp(slots[i]->digest, d, 32) == 0)
            return slots[i];
    return NULL;
}

static int on_blob(reader *r, struct archive_entry *e, const char *name, const uint8_t d[32])
{
    blob_slot *slot = meta_slot(r, d);
    if (slot) {
        mlops_buf b = MLOPS_BUF_INIT;
        int rc = read_small(r, e, name, MLOPS__PKG_META_MAX, &b);
        if (!rc)
            rc = check_meta(r, slot, name, &b);
        if (!rc && slot == &r->config) {
            /* checked against the statement once it is trusted */
            mlops_buf_dispose(&r->config_doc);
            r->config_doc = b;
            b = (mlops_buf)MLOPS_BUF_INIT;
            rc = mlops__pkg_check_routing(r);
        } else if (!rc && slot == &r->manifest)
            rc = mlops__pkg_on_manifest(r, &b);
        else if (!rc && slot == &r->referrer)
            rc = mlops__pkg_on_referrer(r, &b);
        else if (!rc && slot == &r->envelope)
            rc = mlops__pkg_on_envelope(r, &b);
        else if (!rc && slot == &r->statement && !r->o.trusted)
            rc = mlops__pkg_trust_statement(r, b.data ? b.data : "", b.size);
        mlops_buf_dispose(&b);
        return rc;
    }
    for (size_t i = 0; i < r->nlayers; i++)
        if (!r->layers[i].seen && memcmp(r->layers[i].digest, d, 32) == 0) {
            int lrc = mlops__pkg_on_layer(r, &r->layers[i], name,
                                          (uint64_t)archive_entry_size(e));
            /* a manifest may list one blob twice (identical files); it is
             * stored once */
            for (size_t k = i + 1; k < r->nlayers; k++)
                if (memcmp(r->layers[k].digest, d, 32) == 0)
                    r->layers[k].seen = r->layers[i].seen;
            return lrc;
        }
    int rc = mlops__pkg_problem(r, name, "", "", "blob %s is not referenced by what came before it",
                                name);
    if (rc)
        return rc;
    return mlops__pkg_skip(r, name);
}

static int on_entry(reader *r, struct archive_entry *e)
{
    const char *name = archive_entry_pathname(e);
    if (!name)
        return mlops__error(MLOPS_E_PARSE, "%s: an entry has no path", r->pkg);
    int rc = mlops__tar_entry_check(e, name);
    if (rc)
        return rc;
    size_t len = strlen(name);
    int is_dir = archive_entry_filetype(e) == AE_IFDIR;
    if (is_dir && len > 1 && name[len - 1] == '/')
        len--;
    rc = mlops__path_check(name, len);
    if (rc)
        return rc;
    r->entries++;
    if (is_dir) {
        if ((len == 5 && memcmp(name, "blobs", 5) == 0) ||
            (len == 12 && memcmp(name, "blobs/sha256", 12) == 0))
            return 0;
        return mlops__pkg_problem(r, name, "", "", "unexpected directory \"%s\"", name);
    }
    if (r->entries == 1 || strcmp(name, "oci-layout") == 0) {
        if (r->entries != 1 || strcmp(name, "oci-layout") != 0)
            return mlops__error_at(MLOPS_E_SCHEMA, -1, 0, 0, name,
                                   "%s: the first entry must be oci-layout, not \"%s\"", r->pkg,
                                   name);
        mlops_buf b = MLOPS_BUF_INIT;
        rc = read_small(r, e, name, 4096, &b);
        if (!rc &&
            (b.size != 30 || memcmp(b.data, "{\"imageLayoutVersion\":\"1.0.0\"}", 30) != 0)) {
            mlops__json_doc *doc = NULL;
            rc = mlops__pkg_parse_json(&doc, &b, "oci-layout");
            if (!rc) {
                const char *v = mlops__json_type_of(mlops__json_root(doc)) == MLOPS__JSON_OBJECT
                                    ? mlops__pkg_str(mlops__json_root(doc), "imageLayoutVersion")
                                    : NULL;
                if (!v || strcmp(v, "1.0.0") != 0)
                    rc = mlops__error_at(MLOPS_E_VERSION, -1, 0, 0, name,
                                         "%s: OCI layout version is not 1.0.0", r->pkg);
            }
            mlops__json_doc_free(doc);
        }
        mlops_buf_dispose(&b);
        return rc;
    }
    if (strcmp(name, "index.json") == 0) {
        if (r->have_index)
            return mlops__error_at(MLOPS_E_UNSAFE, -1, 0, 0, name, "%s: duplicate index.json",
                                   r->pkg);
        r->have_index = 1;
        mlops_buf b = MLOPS_BUF_INIT;
        rc = read_small(r, e, name, MLOPS__PKG_META_MAX, &b);
        if (!rc)
            rc = mlops__pkg_on_index(r, &b);
        mlops_buf_dispose(&b);
        return rc;
    }
    static const char prefix[] = "blobs/sha256/";
    uint8_t d[32];
    char full[80];
    if (len == sizeof prefix - 1 + 64 && memcmp(name, prefix, sizeof prefix - 1) == 0) {
        snprintf(full, sizeof full, "sha256:%s", name + sizeof prefix - 1);
        if (mlops_digest_parse(d, full) == 0) {
            if (!r->have_index)
                return mlops__error_at(MLOPS_E_SCHEMA, -1, 0, 0, name,
                                       "%s: a blob before index.json", r->pkg);
            return on_blob(r, e, name, d);
        }
    }
    rc = mlops__pkg_problem(r, name, "", "", "unexpected entry \"%s\"", name);
    if (rc)
        return rc;
    return mlops__pkg_skip(r, name);
}

/* After the last entry: everything expected must have come. */
static int check_complete(reader *r)
{
    if (!r->have_index || !r->manifest.done)
        return mlops__error(MLOPS_E_INTEGRITY, "%s: no %s", r->pkg,
                            r->have_index ? "model manifest blob" : "index.json");
    if (r->o.trusted && !r->envelope.done)
        return mlops__error(MLOPS_E_SIGNATURE, "%s: the package is not signed", r->pkg);
    if (!r->statement_trusted)
        return mlops__error(MLOPS_E_INTEGRITY, "%s: no statement", r->pkg);
    int rc = 0;
    blob_slot *slots[] = { &r->config, &r->statement, &r->referrer, &r->empty, &r->envelope };
    for (size_t i = 0; !rc && i < sizeof slots / sizeof slots[0]; i++)
        if (slots[i]->expected && !slots[i]->done) {
            char want[72];
            mlops_digest_format(want, slots[i]->digest);
            rc = mlops__pkg_problem(r, "", want, "", "blob %s is missing", want);
        }
    for (size_t i = 0; !rc && i < r->nlayers; i++)
        if (!r->layers[i].seen) {
            char want[72];
            mlops_digest_format(want, r->layers[i].digest);
            rc = mlops__pkg_problem(r, "", want, "", "layer %s is missing", want);
        }
    const mlops_manifest *m = r->rep->m;
    for (size_t i = 0; !rc && i < mlops_manifest_file_count(m); i++)
        if (!r->file_seen[i] && r->wanted[i]) {
            char want[72];
            snprintf(want, sizeof want, "sha256:%s", mlops_manifest_file_sha256(m, i));
            rc = mlops__pkg_problem(r, mlops_manifest_file_path(m, i), want, "",
                                    "file \"%s\" is missing", mlops_manifest_file_path(m, i));
        }
    return rc;
}

static int read_package(reader *r, int fd)
{
    r->a = archive_read_new();
    if (!r->a)
        return mlops__error_nomem();
    if (archive_read_support_format_tar(r->a) != ARCHIVE_OK ||
        archive_read_open_fd(r->a, fd, MLOPS__PKG_READ_BLOCK) != ARCHIVE_OK)
        return mlops__pkg_tar_fail(r, NULL, "opening");
    for (;;) {
        struct archive_entry *e;
        int ar = archive_read_next_header(r->a, &e);
        if (ar == ARCHIVE_EOF) {
            /* progress counts the entries' data bytes as they are read;
             * the tar's headers and padding are read too, so at the end of
             * the archive the whole file is: the last call says so */
            if (r->pkg_size > r->read_bytes) {
                int rc = mlops__pkg_progress(r, (size_t)(r->pkg_size - r->read_bytes));
                if (rc)
                    return rc;
            }
            break;
        }
        if (ar != ARCHIVE_OK)
            return mlops__pkg_tar_fail(r, NULL, "reading an entry header");
        int rc = on_entry(r, e);
        if (rc)
            return rc;
    }
    int rc = check_complete(r);
    if (!rc && r->rep->n) {
        /* the first problem is the error the caller sees */
        const problem *p = &r->rep->p[0];
        rc = mlops__error_at(MLOPS_E_INTEGRITY, -1, 0, 0, p->entry, "%s: %s (%zu problem%s)",
                             r->pkg, p->message, r->rep->n, r->rep->n == 1 ? "" : "s");
    }
    return rc;
}

/* The package's content is refused: a damaged tar or OCI document, a
 * statement that breaks its schema, a limit of the format or a kind of
 * layer the format does not have is MLOPS_E_INTEGRITY, like a digest that
 * does not match (the message says which); what the caller asked for
 * (MLOPS_E_NOTFOUND, MLOPS_E_EXISTS), I/O, signatures, unsafe entries and
 * cancellation keep their codes. */
static int refused(int rc)
{
    if (rc != MLOPS_E_PARSE && rc != MLOPS_E_SCHEMA && rc != MLOPS_E_LIMIT &&
        rc != MLOPS_E_VERSION && rc != MLOPS_E_UNSUPPORTED)
        return rc;
    char msg[1024], path[512];
    snprintf(msg, sizeof msg, "%s", mlops_error_last());
    snprintf(path, sizeof path, "%s", mlops_error_last_path());
    return mlops__error_at(MLOPS_E_INTEGRITY, mlops_error_last_offset(), mlops_error_last_line(),
                           mlops_error_last_column(), *path ? path : NULL, "%s", msg);
}

static int run(mlops_package_report **report, const char *path, const char *dest,
               const mlops_package_verify_options *opts)
{
    reader r;
    memset(&r, 0, sizeof r);
    r.o = verify_defaults;
    int rc = mlops__options_load(&r.o, sizeof r.o, opts, MLOPS_PACKAGE_VERIFY_OPTIONS_VERSION,
                                 VERIFY_OPTIONS_V1_SIZE, "mlops_package_verify_options");
    if (rc)
        return rc;
    MLOPS__CHECK_FLAGS(r.o.flags, MLOPS_PACKAGE_ALLOW_UNSIGNED);
    if (!r.o.trusted && !(r.o.flags & MLOPS_PACKAGE_ALLOW_UNSIGNED))
        return mlops__error(MLOPS_E_INVALID, "no trusted keys given: pass a keyring, or "
                                             "MLOPS_PACKAGE_ALLOW_UNSIGNED to skip signatures");
    if (r.o.npaths && !r.o.paths)
        return mlops__error(MLOPS_E_INVALID, "npaths is %zu but paths is NULL", r.o.npaths);
    if (dest)
        r.o.paths = NULL;
    r.pkg = path;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return mlops__error_at(MLOPS_E_IO, -1, 0, 0, path, "%s: cannot open: %s", path,
                               mlops__strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0) {
        rc = mlops__error_at(MLOPS_E_IO, -1, 0, 0, path, "%s: cannot stat: %s", path,
                             mlops__strerror(errno));
        close(fd);
        return rc;
    }
    if (S_ISDIR(st.st_mode)) {
        close(fd);
        return mlops__error_at(MLOPS_E_IO, -1, 0, 0, path, "%s: cannot read a package: %s",
                               path, mlops__strerror(EISDIR));
    }
    if (S_ISREG(st.st_mode))
        r.pkg_size = (uint64_t)st.st_size;
#ifdef POSIX_FADV_SEQUENTIAL
    (void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
    r.rep = mlops__calloc(1, sizeof *r.rep);
    r.buf = mlops__malloc(MLOPS__PKG_READ_BLOCK);
    r.md = EVP_MD_CTX_new();
    r.smd = EVP_MD_CTX_new();
    if (!r.rep || !r.buf || !r.md || !r.smd) {
        rc = mlops__error_nomem();
        goto done;
    }
    if (dest) {
        rc = mlops__extract_begin(&r.x, dest, NULL);
        if (rc)
            goto done;
    }
    r.rep->partial = r.o.paths != NULL;
    r.fd = fd;
    r.seekable = S_ISREG(st.st_mode);
    rc = read_package(&r, fd);
    if (rc)
        rc = refused(rc);
    memcpy(r.rep->manifest_d, r.manifest.digest, 32);
    r.rep->manifest_size = r.manifest.size;
    memcpy(r.rep->referrer_d, r.referrer.digest, 32);
    r.rep->referrer_size = r.referrer.size;
    r.rep->has_referrer = r.referrer.done;
    if (!rc && r.x) {
        rc = mlops__extract_commit(r.x);
        r.x = NULL;
    }
done:
    mlops__extract_abort(r.x);
    if (r.a)
        archive_read_free(r.a);
    close(fd);
    EVP_MD_CTX_free(r.md);
    EVP_MD_CTX_free(r.smd);
    mlops__free(r.buf);
    for (size_t i = 0; i < r.nlayers; i++) {
        mlops__free(r.layers[i].filepath);
        mlops__free(r.layers[i].title);
    }
    mlops__free(r.layers);
    mlops__free(r.ref_name);
    mlops__free(r.mf_version);
    mlops__free(r.mf_created);
    mlops__free(r.stmt_title);
    mlops_buf_dispose(&r.config_doc);
    mlops__free(r.file_seen);
    mlops__free(r.wanted);
    /* a report that says why the pass stopped: one that could be read as
     * a valid package is never handed out */
    if (rc && r.rep && report)
        rc = mlops__pkg_report_stop(r.rep, rc) ? MLOPS_E_NOMEM : rc;
    if (report && r.rep) {
        mlops__pkg_report_finish(r.rep);
        *report = r.rep;
    } else {
        mlops_package_report_free(r.rep);
    }
    return rc;
}

void mlops__package_report_oci(const mlops_package_report *r, uint8_t manifest_d[32],
                               uint64_t *manifest_size, uint8_t referrer_d[32],
                               uint64_t *referrer_size, int *has_referrer)
{
    memcpy(manifest_d, r->manifest_d, 32);
    *manifest_size = r->manifest_size;
    memcpy(referrer_d, r->referrer_d, 32);
    *referrer_size = r->referrer_size;
    *has_referrer = r->has_referrer;
}

int mlops_package_verify(mlops_package_report **report, const char *path,
                         const mlops_package_verify_options *opts)
{
    MLOPS__CHECK_ARG(path);
    return run(report, path, NULL, opts);
}

int mlops_package_extract(const char *path, const char *dest,
                          const mlops_package_verify_options *opts)
{
    MLOPS__CHECK_ARG(path);
    MLOPS__CHECK_ARG(dest);
    return run(NULL, path, dest, opts);
}
