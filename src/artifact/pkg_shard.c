/*
 * Verifying the shards of one large file of a package on several threads.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <openssl/evp.h>

#include "artifact/pkg_read.h"
#include "core/alloc.h"
#include "core/error.h"
#include "core/io.h"

/* ---- shards of one large file on several threads ----------------------- */

#define MAX_SHARD_THREADS 8

/* A raw layer whose file has signed shard digests is checked shard by
 * shard: the threads read their shards from the package with pread() at
 * the entry's data offset and compare each with its signed digest, so one
 * large file verifies on every core. Meanwhile the caller's thread hashes
 * the whole file in order and compares it with the file's signed digest
 * (the layer's name), as extraction and a streaming verification do, so
 * the wall time is about one sequential hash and verification can never
 * accept what extraction refuses. Only the caller's thread calls the
 * progress callback, counting the bytes of the whole-file hash. */
typedef struct shard_job {
    reader *r;
    size_t file, nshards;
    uint64_t base; /* offset of the entry's data in the package */
    pthread_mutex_t lock;
    size_t next;
    uint64_t done, reported;
    int stop;
    int err_code;
    char err_msg[512];
    unsigned char *bad;     /* per shard: 1 when its digest differs */
    uint8_t (*found)[32];   /* per shard: the digest found */
} shard_job;

static void shard_fail(shard_job *j, int code, const char *msg)
{
    pthread_mutex_lock(&j->lock);
    if (!j->err_code) {
        j->err_code = code;
        snprintf(j->err_msg, sizeof j->err_msg, "%s", msg);
    }
    j->stop = 1;
    pthread_mutex_unlock(&j->lock);
}

/* Hash [off, off + len) of the package into `md`. 0, or a failure that was
 * recorded in the job (never in the thread's error record). With `report`
 * (the caller's thread only), the bytes are counted and reported to the
 * progress callback. */
static int pread_hash(shard_job *j, EVP_MD_CTX *md, uint64_t off, uint64_t len,
                      unsigned char *buf, int report)
{
    reader *r = j->r;
    while (len) {
        size_t want = len < MLOPS__PKG_READ_BLOCK ? (size_t)len : MLOPS__PKG_READ_BLOCK;
        ssize_t n = pread(r->fd, buf, want, (off_t)off);
        if (n < 0 && errno == EINTR)
            continue;
        char msg[512];
        if (n <= 0) {
            snprintf(msg, sizeof msg, "%s: %s", r->pkg,
                     n < 0 ? mlops__strerror(errno) : "truncated archive (a layer ends early)");
            shard_fail(j, n < 0 ? MLOPS_E_IO : MLOPS_E_PARSE, msg);
            return -1;
        }
        if (EVP_DigestUpdate(md, buf, (size_t)n) != 1) {
            shard_fail(j, MLOPS_E_CRYPTO, "OpenSSL digest update failed");
            return -1;
        }
        off += (uint64_t)n;
        len -= (uint64_t)n;
        pthread_mutex_lock(&j->lock);
        if (report)
            j->done += (uint64_t)n;
        uint64_t now = j->done;
        int stop = j->stop;
        pthread_mutex_unlock(&j->lock);
        if (stop)
            return -1;
        if (report && now > j->reported) {
            size_t delta = (size_t)(now - j->reported);
            j->reported = now;
            if (mlops__pkg_progress(r, delta) != 0) {
                shard_fail(j, MLOPS_E_CANCELLED, mlops_error_last());
                return -1;
            }
        }
    }
    return 0;
}

static void shard_worker(shard_job *j, unsigned char *buf)
{
    const mlops_manifest *m = j->r->rep->m;
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    if (!md) {
        shard_fail(j, MLOPS_E_NOMEM, "out of memory");
        return;
    }
    for (;;) {
        pthread_mutex_lock(&j->lock);
        size_t k = j->next++;
        int stop = j->stop;
        pthread_mutex_unlock(&j->lock);
        if (stop || k >= j->nshards)
            break;
        uint64_t off = 0, size = 0;
        const char *want = NULL;
        uint8_t d[32];
        char full[80];
        if (mlops_manifest_file_shard(&off, &size, &want, m, j->file, k) != 0 ||
            snprintf(full, sizeof full, "sha256:%s", want) <= 0 ||
            mlops_digest_parse(d, full) != 0) {
            shard_fail(j, MLOPS_E_INTERNAL, "statement shard unreadable");
            break;
        }
        if (EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1) {
            shard_fail(j, MLOPS_E_CRYPTO, "OpenSSL digest init failed");
            break;
        }
        if (pread_hash(j, md, j->base + off, size, buf, 0) != 0)
            break;
        if (EVP_DigestFinal_ex(md, j->found[k], NULL) != 1) {
            shard_fail(j, MLOPS_E_CRYPTO, "OpenSSL digest final failed");
            break;
        }
        j->bad[k] = memcmp(j->found[k], d, 32) != 0;
    }
    EVP_MD_CTX_free(md);
}

typedef struct shard_thread {
    shard_job *j;
    unsigned char *buf;
} shard_thread;

static void *shard_thread_main(void *arg)
{
    shard_thread *t = arg;
    shard_worker(t->j, t->buf);
    return NULL;
}

/* The shard threads beside the caller's (which hashes the whole file): the
 * online CPUs but one, at least one, at most MAX_SHARD_THREADS. */
static unsigned shard_threads(size_t nshards)
{
    long cpus = sysconf(_SC_NPROCESSORS_ONLN) - 1;
    unsigned n = cpus < 1 ? 1 : cpus > MAX_SHARD_THREADS ? MAX_SHARD_THREADS : (unsigned)cpus;
    return nshards < n ? (unsigned)nshards : n;
}

/* The whole file [base, base + size) hashed in order on the caller's
 * thread, reporting progress; 0 with the digest in `d`, or -1 with the
 * failure recorded in the job. */
static int whole_hash(shard_job *j, uint64_t size, unsigned char *buf, uint8_t d[32])
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    int rc = -1;
    if (!md || EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1)
        shard_fail(j, md ? MLOPS_E_CRYPTO : MLOPS_E_NOMEM,
                   md ? "OpenSSL digest init failed" : "out of memory");
    else if (pread_hash(j, md, j->base, size, buf, 1) == 0) {
        if (EVP_DigestFinal_ex(md, d, NULL) == 1)
            rc = 0;
        else
            shard_fail(j, MLOPS_E_CRYPTO, "OpenSSL digest final failed");
    }
    EVP_MD_CTX_free(md);
    return rc;
}

/* Verify statement file `file` (a raw layer, `name`, with shards) from the
 * package at its data offset; *ok is set when every shard and the whole
 * file matched. The entry's bytes are then skipped in the tar stream. */
int mlops__pkg_verify_shards(reader *r, size_t file, const char *name, uint64_t size, int *ok)
{
    const mlops_manifest *m = r->rep->m;
    *ok = 0;
    /* where the data starts: what the tar reader has consumed so far; the
     * first bytes read through it must be the ones at that offset */
    la_int64_t base = archive_filter_bytes(r->a, 0);
    size_t probe = size < 4096 ? (size_t)size : 4096;
    unsigned char head[4096];
    if (base < 0 || (uint64_t)base > r->pkg_size || r->pkg_size - (uint64_t)base < size)
        return mlops__error_at(MLOPS_E_PARSE, -1, 0, 0, name,
                               "%s: truncated archive (layer %s ends early)", r->pkg, name);
    la_ssize_t got = archive_read_data(r->a, r->buf, probe);
    if (got < 0)
        return mlops__pkg_tar_fail(r, name, "reading");
    ssize_t at = (size_t)got == probe ? mlops__pread_full(r->fd, head, probe, (off_t)base) : 0;
    if (at < 0)
        return mlops__error_at(MLOPS_E_IO, -1, 0, 0, r->pkg, "%s: read failed: %s", r->pkg,
                               mlops__strerror(errno));
    if ((size_t)got != probe || at != (ssize_t)probe || memcmp(head, r->buf, probe) != 0)
        return mlops__error_at(MLOPS_E_PARSE, -1, 0, 0, name,
                               "%s: the data of %s is not where its header ends", r->pkg, name);
    int rc = mlops__pkg_progress(r, (size_t)got);
    if (rc)
        return rc;
    shard_job j;
    memset(&j, 0, sizeof j);
    j.r = r;
    j.file = file;
    j.nshards = mlops_manifest_file_shard_count(m, file);
    j.base = (uint64_t)base;
    j.reported = (uint64_t)got; /* already counted, and hashed again */
    /* the shard threads; the caller's thread hashes the whole file */
    unsigned nthreads = shard_threads(j.nshards);
    shard_thread th[MAX_SHARD_THREADS];
    pthread_t tids[MAX_SHARD_THREADS];
    unsigned started = 0;
    int lock_ready = 0;
    uint8_t whole[32];
    memset(th, 0, sizeof th);
    j.bad = mlops__calloc(j.nshards, 1);
    j.found = mlops__calloc(j.nshards, sizeof *j.found);
    for (unsigned t = 0; t < nthreads && j.bad && j.found; t++) {
        th[t].j = &j;
        th[t].buf = mlops__malloc(MLOPS__PKG_READ_BLOCK);
        if (!th[t].buf)
            break;
    }
    if (!j.bad || !j.found || !th[nthreads - 1].buf) {
        rc = mlops__error_nomem();
        goto done;
    }
    if (pthread_mutex_init(&j.lock, NULL) != 0) {
        rc = mlops__error(MLOPS_E_INTERNAL, "pthread_mutex_init failed");
        goto done;
    }
    lock_ready = 1;
    for (unsigned t = 0; t < nthreads; t++) {
        if (pthread_create(&tids[started], NULL, shard_thread_main, &th[t]) != 0)
            break; /* fewer threads is still correct */
        started++;
    }
    int whole_rc = whole_hash(&j, size, r->buf, whole);
    if (started == 0 && whole_rc == 0)
        shard_worker(&j, th[0].buf); /* no thread could be started */
    for (unsigned t = 0; t < started; t++)
        pthread_join(tids[t], NULL);
    if (j.err_code) {
        rc = j.err_code == MLOPS_E_CANCELLED
                 ? mlops__error(MLOPS_E_CANCELLED, "%s", j.err_msg)
                 : mlops__error_at(j.err_code, -1, 0, 0, name, "%s", j.err_msg);
        goto done;
    }
    /* the part read through the tar reader was counted; the rest is skipped */
    if (j.done > j.reported) {
        rc = mlops__pkg_progress(r, (size_t)(j.done - j.reported));
        if (rc)
            goto done;
    }
    size_t nbad = 0;
    for (size_t k = 0; k < j.nshards; k++)
        nbad += j.bad[k];
    char want[72], got_s[72];
    snprintf(want, sizeof want, "sha256:%s", mlops_manifest_file_sha256(m, file));
    mlops_digest_format(got_s, whole);
    if (nbad == 0 && strcmp(want, got_s) == 0) {
        *ok = 1;
    } else if (nbad == 0) {
        /* the signed shards hold, the signed whole digest does not: the
         * statement contradicts itself, and extraction would refuse it */
        const char *path = mlops_manifest_file_path(m, file);
        rc = mlops__pkg_problem(r, path, want, got_s,
                                "file \"%s\" has digest %s, the statement says %s (each of its %zu "
                                "shards matches its signed digest)",
                                path, got_s, want, j.nshards);
    } else {
        const char *path = mlops_manifest_file_path(m, file);
        char list[160];
        size_t used = 0;
        list[0] = '\0';
        for (size_t k = 0; k < j.nshards && used < sizeof list - 24; k++)
            if (j.bad[k])
                used += (size_t)snprintf(list + used, sizeof list - used, "%s%zu",
                                         used ? ", " : "", k);
        rc = mlops__pkg_problem(r, path, want, got_s,
                                "file \"%s\" has digest %s, the statement says %s (shard%s "
                                "%s of %zu differ%s)",
                                path, got_s, want, nbad == 1 ? "" : "s", list, j.nshards,
                                nbad == 1 ? "s" : "");
        for (size_t k = 0; !rc && k < j.nshards; k++) {
            if (!j.bad[k])
                continue;
            uint64_t off = 0, ssize = 0;
            const char *sw = NULL;
            mlops_manifest_file_shard(&off, &ssize, &sw, m, file, k);
            char sh_want[72], sh_got[72];
            snprintf(sh_want, sizeof sh_want, "sha256:%s", sw);
            mlops_digest_format(sh_got, j.found[k]);
            rc = mlops__pkg_problem(r, path, sh_want, sh_got,
                                    "shard %zu of \"%s\" (bytes %llu to %llu) has digest %s, the "
                                    "statement says %s",
                                    k, path, (unsigned long long)off,
                                    (unsigned long long)(off + ssize - 1), sh_got, sh_want);
        }
    }
    if (!rc && archive_read_data_skip(r->a) != ARCHIVE_OK)
        rc = mlops__pkg_tar_fail(r, name, "skipping");
done:
    if (lock_ready)
        pthread_mutex_destroy(&j.lock);
    for (unsigned t = 0; t < MAX_SHARD_THREADS; t++)
        mlops__free(th[t].buf);
    mlops__free(j.bad);
    mlops__free(j.found);
    return rc;
}
