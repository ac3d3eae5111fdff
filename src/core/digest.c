/*
 * SHA-256 digests through OpenSSL's EVP interface, and their OCI string form.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "mlops/digest.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <pthread.h>

#include <openssl/evp.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/hex.h"
#include "core/options.h"

#define DEFAULT_FILE_BUFFER (1u << 20)
/* A read buffer larger than this gains nothing and only costs memory. */
#define MAX_FILE_BUFFER (64u << 20)

struct mlops_digest {
    EVP_MD_CTX *ctx;
};

/* OpenSSL 3 looks the algorithm up in its provider table on every init that
 * is given EVP_sha256(); fetching it once saves about a microsecond per call,
 * which is most of the cost of hashing a short string. The fetched method is
 * immutable and shared by every thread (OpenSSL documents fetched methods as
 * thread-safe); it lives until the process exits. */
static pthread_once_t sha256_once = PTHREAD_ONCE_INIT;
static EVP_MD *sha256_fetched;

static void fetch_sha256(void) { sha256_fetched = EVP_MD_fetch(NULL, "SHA256", NULL); }

static const EVP_MD *sha256_md(void)
{
    pthread_once(&sha256_once, fetch_sha256);
    return sha256_fetched ? sha256_fetched : EVP_sha256();
}

static int crypto_error(const char *what)
{
    return mlops__error(MLOPS_E_CRYPTO, "OpenSSL %s failed for SHA-256", what);
}

int mlops_digest_new(mlops_digest **out)
{
    MLOPS__CHECK_ARG(out);
    mlops_digest *d = mlops__malloc(sizeof *d);
    if (!d)
        return mlops__error_nomem();
    d->ctx = EVP_MD_CTX_new();
    if (!d->ctx) {
        mlops__free(d);
        return mlops__error_nomem();
    }
    if (EVP_DigestInit_ex(d->ctx, sha256_md(), NULL) != 1) {
        mlops_digest_free(d);
        return crypto_error("digest init");
    }
    *out = d;
    return 0;
}

int mlops_digest_update(mlops_digest *d, const void *data, size_t len)
{
    MLOPS__CHECK_ARG(d);
    if (len == 0)
        return 0;
    MLOPS__CHECK_ARG(data);
    if (EVP_DigestUpdate(d->ctx, data, len) != 1)
        return crypto_error("digest update");
    return 0;
}

int mlops_digest_finish(uint8_t out[MLOPS_SHA256_SIZE], mlops_digest *d)
{
    MLOPS__CHECK_ARG(d);
    MLOPS__CHECK_ARG(out);
    unsigned int n = 0;
    if (EVP_DigestFinal_ex(d->ctx, out, &n) != 1 || n != MLOPS_SHA256_SIZE)
        return crypto_error("digest final");
    if (EVP_DigestInit_ex(d->ctx, sha256_md(), NULL) != 1)
        return crypto_error("digest init");
    return 0;
}

int mlops_digest_dup(mlops_digest **out, const mlops_digest *d)
{
    MLOPS__CHECK_ARG(out);
    MLOPS__CHECK_ARG(d);
    mlops_digest *c = mlops__malloc(sizeof *c);
    if (!c)
        return mlops__error_nomem();
    c->ctx = EVP_MD_CTX_new();
    if (!c->ctx) {
        mlops__free(c);
        return mlops__error_nomem();
    }
    if (EVP_MD_CTX_copy_ex(c->ctx, d->ctx) != 1) {
        mlops_digest_free(c);
        return crypto_error("digest copy");
    }
    *out = c;
    return 0;
}

void mlops_digest_free(mlops_digest *d)
{
    if (!d)
        return;
    EVP_MD_CTX_free(d->ctx);
    mlops__free(d);
}

int mlops_digest_buffer(uint8_t out[MLOPS_SHA256_SIZE], const void *data, size_t len)
{
    MLOPS__CHECK_ARG(out);
    if (len != 0)
        MLOPS__CHECK_ARG(data);
    static const unsigned char empty = 0;
    unsigned int n = 0;
    if (EVP_Digest(len ? data : &empty, len, out, &n, sha256_md(), NULL) != 1 ||
        n != MLOPS_SHA256_SIZE)
        return crypto_error("one-shot digest");
    return 0;
}

static const mlops_digest_file_options file_defaults = MLOPS_DIGEST_FILE_OPTIONS_INIT;
/* Version 1 of the struct ends after progress_ctx. */
#define FILE_OPTIONS_V1_SIZE sizeof(mlops_digest_file_options)

int mlops_digest_file_options_init(mlops_digest_file_options *opts, size_t size)
{
    return mlops__options_init(opts, size, &file_defaults, sizeof file_defaults,
                               FILE_OPTIONS_V1_SIZE, "mlops_digest_file_options");
}

static int read_all(int fd, const char *path, uint64_t total, EVP_MD_CTX *ctx,
                    unsigned char *buf, size_t buf_size,
                    const mlops_digest_file_options *o)
{
    uint64_t done = 0;
    for (;;) {
        ssize_t n = read(fd, buf, buf_size);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return mlops__error_at(MLOPS_E_IO, -1, 0, 0, path, "%s: read failed: %s", path,
                                   mlops__strerror(errno));
        }
        if (n == 0)
            return 0;
        if (EVP_DigestUpdate(ctx, buf, (size_t)n) != 1)
            return crypto_error("digest update");
        done += (uint64_t)n;
        if (o->progress && o->progress(done, total, o->progress_ctx) != 0)
            return mlops__error_at(MLOPS_E_CANCELLED, -1, 0, 0, path,
                                   "%s: hashing cancelled by the progress callback", path);
    }
}

int mlops_digest_file(uint8_t out[MLOPS_SHA256_SIZE], const char *path,
                      const mlops_digest_file_options *opts)
{
    MLOPS__CHECK_ARG(out);
    MLOPS__CHECK_ARG(path);
    mlops_digest_file_options o = file_defaults;
    int rc = mlops__options_load(&o, sizeof o, opts, MLOPS_DIGEST_FILE_OPTIONS_VERSION,
                                 FILE_OPTIONS_V1_SIZE, "mlops_digest_file_options");
    if (rc)
        return rc;
    MLOPS__CHECK_FLAGS(o.flags, 0);
    size_t buf_size = o.buffer_size ? o.buffer_size : DEFAULT_FILE_BUFFER;
    if (buf_size > MAX_FILE_BUFFER)
        buf_size = MAX_FILE_BUFFER;

    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return mlops__error_at(MLOPS_E_IO, -1, 0, 0, path, "%s: cannot open: %s", path,
                               mlops__strerror(errno));
    unsigned char *buf = NULL;
    EVP_MD_CTX *ctx = NULL;
    struct stat st;
    if (fstat(fd, &st) != 0) {
        rc = mlops__error_at(MLOPS_E_IO, -1, 0, 0, path, "%s: cannot stat: %s", path,
                             mlops__strerror(errno));
        goto done;
    }
    if (!S_ISREG(st.st_mode)) {
        rc = mlops__error_at(MLOPS_E_IO, -1, 0, 0, path, "%s: not a regular file", path);
        goto done;
    }
#ifdef POSIX_FADV_SEQUENTIAL
    (void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
    buf = mlops__malloc(buf_size);
    ctx = EVP_MD_CTX_new();
    if (!buf || !ctx) {
        rc = mlops__error_nomem();
        goto done;
    }
    if (EVP_DigestInit_ex(ctx, sha256_md(), NULL) != 1) {
        rc = crypto_error("digest init");
        goto done;
    }
    rc = read_all(fd, path, (uint64_t)st.st_size, ctx, buf, buf_size, &o);
    if (rc)
        goto done;
    unsigned int n = 0;
    if (EVP_DigestFinal_ex(ctx, out, &n) != 1 || n != MLOPS_SHA256_SIZE)
        rc = crypto_error("digest final");
done:
    EVP_MD_CTX_free(ctx);
    mlops__free(buf);
    close(fd);
    return rc;
}

int mlops_digest_format(char out[MLOPS_DIGEST_STRING_SIZE],
                        const uint8_t digest[MLOPS_SHA256_SIZE])
{
    MLOPS__CHECK_ARG(out);
    MLOPS__CHECK_ARG(digest);
    memcpy(out, "sha256:", 7);
    mlops__hex(out + 7, digest, MLOPS_SHA256_SIZE);
    return 0;
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* OCI image-spec: algorithm := component ([+._-] component)*, component :=
 * [a-z0-9]+; encoded := [a-zA-Z0-9=_-]+. Used only to tell "another algorithm"
 * from "garbage". */
static int is_oci_algorithm(const char *s, size_t len)
{
    if (len == 0)
        return 0;
    int prev_sep = 1;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        int alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
        int sep = c == '+' || c == '.' || c == '_' || c == '-';
        if (!alnum && !(sep && !prev_sep))
            return 0;
        prev_sep = sep;
    }
    return !prev_sep;
}

int mlops_digest_parse(uint8_t out[MLOPS_SHA256_SIZE], const char *str)
{
    MLOPS__CHECK_ARG(out);
    MLOPS__CHECK_ARG(str);
    const char *colon = strchr(str, ':');
    if (!colon)
        return mlops__error_at(MLOPS_E_PARSE, 0, 1, 1, NULL,
                               "digest \"%.80s\": expected \"sha256:<64 hex digits>\"", str);
    size_t alg_len = (size_t)(colon - str);
    if (alg_len != 6 || memcmp(str, "sha256", 6) != 0) {
        if (is_oci_algorithm(str, alg_len))
            return mlops__error_at(MLOPS_E_UNSUPPORTED, 0, 1, 1, NULL,
                                   "digest algorithm \"%.*s\" is not supported (only sha256)",
                                   (int)(alg_len > 40 ? 40 : alg_len), str);
        return mlops__error_at(MLOPS_E_PARSE, 0, 1, 1, NULL,
                               "digest \"%.80s\": bad algorithm name", str);
    }
    uint8_t tmp[MLOPS_SHA256_SIZE];
    const char *hex = colon + 1;
    for (size_t i = 0; i < 2 * MLOPS_SHA256_SIZE; i++) {
        int v = hex_value(hex[i]);
        if (v < 0) {
            size_t off = 7 + i;
            if (hex[i] == '\0')
                return mlops__error_at(MLOPS_E_PARSE, (int64_t)off, 1, (uint32_t)off + 1, NULL,
                                       "digest: %zu hex digits, expected 64", i);
            return mlops__error_at(MLOPS_E_PARSE, (int64_t)off, 1, (uint32_t)off + 1, NULL,
                                   "digest: byte %zu is not a lowercase hex digit", off);
        }
        if (i % 2 == 0)
            tmp[i / 2] = (uint8_t)(v << 4);
        else
            tmp[i / 2] |= (uint8_t)v;
    }
    if (hex[2 * MLOPS_SHA256_SIZE] != '\0')
        return mlops__error_at(MLOPS_E_PARSE, 71, 1, 72, NULL,
                               "digest: trailing bytes after 64 hex digits");
    memcpy(out, tmp, sizeof tmp);
    return 0;
}
