/*
 * The packer: collecting files (one by one or a directory tree with an
 * ignore file) and hashing them on several threads.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "artifact/pack.h"
#include "core/alloc.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/io.h"
#include "core/options.h"

#define HASH_BUFFER (1u << 20)
#define MAX_THREADS 64
#define MAX_DEPTH 64
#define IGNORE_FILE ".mlopsignore"
#define MAX_IGNORE_SIZE (1u << 20)

static const mlops_packer_options pack_defaults = MLOPS_PACKER_OPTIONS_INIT;
#define PACK_OPTIONS_V1_SIZE sizeof(mlops_packer_options)

int mlops_packer_options_init(mlops_packer_options *opts, size_t size)
{
    return mlops__options_init(opts, size, &pack_defaults, sizeof pack_defaults,
                               PACK_OPTIONS_V1_SIZE, "mlops_packer_options");
}

int64_t mlops__pack_mtime(const mlops_packer_options *o)
{
    if (o->mtime >= 0)
        return o->mtime;
    /* SOURCE_DATE_EPOCH (reproducible-builds.org): a decimal integer. */
    const char *s = getenv("SOURCE_DATE_EPOCH");
    if (!s || !*s)
        return 0;
    int64_t v = 0;
    for (const char *c = s; *c; c++) {
        if (*c < '0' || *c > '9' || v > (INT64_MAX - 9) / 10)
            return 0;
        v = v * 10 + (*c - '0');
    }
    return v;
}

int mlops_packer_new(mlops_packer **out, const mlops_packer_options *opts)
{
    MLOPS__CHECK_ARG(out);
    mlops_packer_options o = pack_defaults;
    int rc = mlops__options_load(&o, sizeof o, opts, MLOPS_PACKER_OPTIONS_VERSION,
                                 PACK_OPTIONS_V1_SIZE, "mlops_packer_options");
    if (rc)
        return rc;
    MLOPS__CHECK_FLAGS(o.flags, MLOPS_PACK_OVERWRITE);
    if (o.nkeys && !o.keys)
        return mlops__error(MLOPS_E_INVALID, "mlops_packer_new: nkeys %zu but keys is NULL",
                            o.nkeys);
    if (o.threads > MAX_THREADS)
        return mlops__error(MLOPS_E_INVALID, "mlops_packer_new: %u threads, at most %d",
                            (unsigned)o.threads, MAX_THREADS);
    mlops_packer *p = mlops__calloc(1, sizeof *p);
    if (!p)
        return mlops__error_nomem();
    p->o = o;
    *out = p;
    return 0;
}

static void item_free(mlops__pack_item *it)
{
    mlops__free(it->source);
    mlops__free(it->path);
    mlops__free(it->shards);
}

void mlops_packer_free(mlops_packer *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->n; i++)
        item_free(&p->items[i]);
    mlops__free(p->items);
    mlops__free(p);
}

/* Role → the ModelPack layer kind. */
static const struct {
    const char *role, *kind;
} roles[] = {
    { "model", "weight" }, { "config", "weight.config" }, { "doc", "doc" },
    { "code", "code" },    { "dataset", "dataset" },
};

static int find_role(const char *role, const char **name, const char **kind)
{
    for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++)
        if (strcmp(role, roles[i].role) == 0) {
            *name = roles[i].role;
            *kind = roles[i].kind;
            return 0;
        }
    return mlops__error(MLOPS_E_SCHEMA,
                        "unknown file role \"%.40s\" (model, config, doc, code or dataset)",
                        role);
}

static int unsafe_source(const char *source, mode_t mode)
{
    const char *what = S_ISLNK(mode)    ? "a symbolic link"
                       : S_ISFIFO(mode) ? "a FIFO"
                       : S_ISCHR(mode)  ? "a character device"
                       : S_ISBLK(mode)  ? "a block device"
                       : S_ISSOCK(mode) ? "a socket"
                       : S_ISDIR(mode)  ? "a directory"
                                        : "not a regular file";
    return mlops__error_at(MLOPS_E_UNSAFE, -1, 0, 0, source,
                           "%s is %s; only regular files can be packed", source, what);
}

static int add_item(mlops_packer *p, const char *source, const char *path, const char *role)
{
    const char *rname = NULL, *kind = NULL;
    int rc = find_role(role, &rname, &kind);
    if (rc)
        return rc;
    rc = mlops_manifest_path_check(path, strlen(path));
    if (rc)
        return rc;
    struct stat st;
    if (lstat(source, &st) != 0)
        return mlops__error_at(MLOPS_E_IO, -1, 0, 0, source, "%s: cannot stat: %s", source,
                               mlops__strerror(errno));
    if (!S_ISREG(st.st_mode))
        return unsafe_source(source, st.st_mode);
    if (p->n == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 16;
        mlops__pack_item *items = mlops__reallocarray(p->items, cap, sizeof *items);
        if (!items)
            return mlops__error_nomem();
        p->items = items;
        p->cap = cap;
    }
    mlops__pack_item it = { 0 };
    it.source = mlops__strdup(source);
    it.path = mlops__strdup(path);
    if (!it.source || !it.path) {
        item_free(&it);
        return mlops__error_nomem();
    }
    it.role = rname;
    it.kind = kind;
    it.size = (uint64_t)st.st_size;
    p->items[p->n++] = it;
    return 0;
}

int mlops_packer_add_file(mlops_packer *p, const char *source, const char *path,
                          const char *role, uint32_t flags)
{
    MLOPS__CHECK_ARG(p);
    MLOPS__CHECK_ARG(source);
    MLOPS__CHECK_ARG(path);
    MLOPS__CHECK_ARG(role);
    MLOPS__CHECK_FLAGS(flags, 0);
    return add_item(p, source, path, role);
}

/* ---- directories and the ignore file ------------------------------------ */

typedef struct ignore_rule {
    char *glob;
    int anchored; /* leading '/': match the whole relative path */
    int dir_only; /* trailing '/' */
    int has_slash;
} ignore_rule;

typedef struct walk_ctx {
    mlops_packer *p;
    const char *role;
    ignore_rule *rules;
    size_t nrules;
    mlops_buf src;  /* the source path being built */
    mlops_buf rel;  /* the package path being built */
} walk_ctx;

static int load_ignore(walk_ctx *w, const char *dir)
{
    mlops_buf path = MLOPS_BUF_INIT, text = MLOPS_BUF_INIT;
    int rc = mlops__buf_printf(&path, "%s/%s", dir, IGNORE_FILE);
    if (rc)
        return rc;
    int fd = open(path.data, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        rc = errno == ENOENT ? 0
                             : mlops__error_at(MLOPS_E_IO, -1, 0, 0, path.data,
                                               "%s: cannot open: %s", path.data,
                                               mlops__strerror(errno));
        goto done;
    }
    rc = mlops__read_all_limited(&text, fd, MAX_IGNORE_SIZE, path.data, "not an ignore file");
    if (rc)
        goto done;
    size_t line_no = 0;
    for (char *line = text.data; line && *line;) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        line_no++;
        size_t len = strlen(line);
        while (len && (line[len - 1] == '\r' || line[len - 1] == ' ' || line[len - 1] == '\t'))
            line[--len] = '\0';
        if (len && line[0] != '#') {
            if (line[0] == '!') {
                rc = mlops__error_at(MLOPS_E_UNSUPPORTED, -1, (uint32_t)line_no, 1, path.data,
                                     "%s:%zu: \"!\" (re-inclusion) is not supported",
                                     path.data, line_no);
                goto done;
            }
            ignore_rule r = { 0 };
            char *g = line;
            if (len && g[len - 1] == '/') {
                r.dir_only = 1;
                g[--len] = '\0';
            }
            if (g[0] == '/') {
                r.anchored = 1;
                g++;
            }
            r.has_slash = strchr(g, '/') != NULL;
            if (*g) {
                ignore_rule *rules = mlops__reallocarray(w->rules, w->nrules + 1, sizeof *rules);
                if (!rules) {
                    rc = mlops__error_nomem();
                    goto done;
                }
                w->rules = rules;
                r.glob = mlops__strdup(g);
                if (!r.glob) {
                    rc = mlops__error_nomem();
                    goto done;
                }
                w->rules[w->nrules++] = r;
            }
        }
        line = nl ? nl + 1 : NULL;
    }
done:
    if (fd >= 0)
        close(fd);
    mlops_buf_dispose(&path);
    mlops_buf_dispose(&text);
    return rc;
}

static int ignored(const walk_ctx *w, const char *rel, const char *name, int is_dir)
{
    if (strcmp(rel, IGNORE_FILE) == 0)
        return 1;
    for (size_t i = 0; i < w->nrules; i++) {
        const ignore_rule *r = &w->rules[i];
        if (r->dir_only && !is_dir)
            continue;
        const char *subject = r->anchored || r->has_slash ? rel : name;
        if (fnmatch(r->glob, subject, FNM_PATHNAME) == 0)
            return 1;
    }
    return 0;
}

/* Entries of one directory, sorted so the walk (and its errors) are the same
 * on every file system. */
static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int walk(walk_ctx *w, int depth)
{
    if (depth > MAX_DEPTH)
        return mlops__error_at(MLOPS_E_LIMIT, -1, 0, 0, w->src.data,
                               "%s: deeper than %d levels", w->src.data, MAX_DEPTH);
    DIR *d = opendir(w->src.data);
    if (!d)
        return mlops__error_at(MLOPS_E_IO, -1, 0, 0, w->src.data, "%s: cannot open: %s",
                               w->src.data, mlops__strerror(errno));
    char **names = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;
    struct dirent *e;
    errno = 0;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 32;
            char **nn = mlops__reallocarray(names, cap, sizeof *nn);
            if (!nn) {
                rc = mlops__error_nomem();
                goto done;
            }
            names = nn;
        }
        names[n] = mlops__strdup(e->d_name);
        if (!names[n]) {
            rc = mlops__error_nomem();
            goto done;
        }
        n++;
    }
    if (n)
        qsort(names, n, sizeof *names, by_name);
    size_t src_len = w->src.size, rel_len = w->rel.size;
    for (size_t i = 0; i < n && !rc; i++) {
        rc = mlops__buf_printf(&w->src, "/%s", names[i]);
        if (!rc)
            rc = rel_len ? mlops__buf_printf(&w->rel, "/%s", names[i])
                         : mlops__buf_append_str(&w->rel, names[i]);
        struct stat st;
        if (!rc && lstat(w->src.data, &st) != 0)
            rc = mlops__error_at(MLOPS_E_IO, -1, 0, 0, w->src.data, "%s: cannot stat: %s",
                                 w->src.data, mlops__strerror(errno));
        if (!rc && !ignored(w, w->rel.data, names[i], S_ISDIR(st.st_mode))) {
            if (S_ISDIR(st.st_mode))
                rc = walk(w, depth + 1);
            else if (S_ISREG(st.st_mode))
                rc = add_item(w->p, w->src.data, w->rel.data, w->role);
            else
                rc = unsafe_source(w->src.data, st.st_mode);
        }
        w->src.size = src_len;
        w->src.data[src_len] = '\0';
        w->rel.size = rel_len;
        if (w->rel.data)
            w->rel.data[rel_len] = '\0';
    }
done:
    for (size_t i = 0; i < n; i++)
        mlops__free(names[i]);
    mlops__free(names);
    closedir(d);
    return rc;
}

int mlops_packer_add_directory(mlops_packer *p, const char *dir, const char *role,
                               uint32_t flags)
{
    MLOPS__CHECK_ARG(p);
    MLOPS__CHECK_ARG(dir);
    MLOPS__CHECK_ARG(role);
    MLOPS__CHECK_FLAGS(flags, 0);
    const char *rname = NULL, *kind = NULL;
    int rc = find_role(role, &rname, &kind);
    if (rc)
        return rc;
    walk_ctx w = { p, rname, NULL, 0, MLOPS_BUF_INIT, MLOPS_BUF_INIT };
    size_t before = p->n;
    rc = load_ignore(&w, dir);
    if (!rc)
        rc = mlops__buf_append_str(&w.src, dir);
    if (!rc)
        rc = walk(&w, 0);
    if (rc) {
        /* nothing changes on failure */
        for (size_t i = before; i < p->n; i++)
            item_free(&p->items[i]);
        p->n = before;
    }
    for (size_t i = 0; i < w.nrules; i++)
        mlops__free(w.rules[i].glob);
    mlops__free(w.rules);
    mlops_buf_dispose(&w.src);
    mlops_buf_dispose(&w.rel);
    return rc;
}

/* ---- hashing on several threads ----------------------------------------- */

/* The work is cut into units: the whole-file digest of each file, and, for
 * a file with shards, each shard digest as a unit of its own, read at its
 * offset with pread(). So one large file keeps every thread busy: one
 * computes its (sequential) SHA-256 while the others hash its shards. */
typedef struct hash_unit {
    size_t item;
    size_t shard; /* (size_t)-1: the whole file */
    uint64_t bytes;
} hash_unit;

typedef struct hash_job {
    mlops_packer *p;
    hash_unit *units;
    size_t nunits;
    pthread_mutex_t lock;
    size_t next;
    uint64_t done;
    uint64_t base, total; /* for the progress callback */
    int cancelled;
    /* the first failure, copied out of the failing thread's error record */
    int err_code;
    char err_msg[512];
    char err_path[256];
} hash_job;

static void job_fail(hash_job *j, int code)
{
    pthread_mutex_lock(&j->lock);
    if (!j->err_code) {
        j->err_code = code;
        snprintf(j->err_msg, sizeof j->err_msg, "%s", mlops_error_last());
        snprintf(j->err_path, sizeof j->err_path, "%s", mlops_error_last_path());
    }
    j->cancelled = 1;
    pthread_mutex_unlock(&j->lock);
}

int mlops__pack_item_unchanged(const mlops__pack_item *it, int fd, const char *when)
{
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
        return mlops__error_at(MLOPS_E_UNSAFE, -1, 0, 0, it->source,
                               "%s is no longer a regular file", it->source);
    if ((uint64_t)st.st_size != it->size || (uint64_t)st.st_dev != it->dev ||
        (uint64_t)st.st_ino != it->ino || (int64_t)st.st_mtim.tv_sec != it->mtime_s ||
        (int64_t)st.st_mtim.tv_nsec != it->mtime_ns || (int64_t)st.st_ctim.tv_sec != it->ctime_s ||
        (int64_t)st.st_ctim.tv_nsec != it->ctime_ns)
        return mlops__error_at(MLOPS_E_INTEGRITY, -1, 0, 0, it->source,
                               "%s changed %s (size, modification or change time, or inode "
                               "differ from when it was hashed)",
                               it->source, when);
    return 0;
}

/* Hash bytes [off, off + len) of `fd` into `md`. */
static int hash_range(hash_job *j, const mlops__pack_item *it, int fd, uint64_t off,
                      uint64_t len, EVP_MD_CTX *md, unsigned char *buf, int report)
{
    uint64_t end = off + len;
    while (off < end) {
        size_t want = end - off < HASH_BUFFER ? (size_t)(end - off) : HASH_BUFFER;
        ssize_t got = pread(fd, buf, want, (off_t)off);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            return mlops__error_at(MLOPS_E_IO, -1, 0, 0, it->source, "%s: read failed: %s",
                                   it->source, mlops__strerror(errno));
        if (got == 0)
            return mlops__error_at(MLOPS_E_INTEGRITY, -1, 0, 0, it->source,
                                   "%s shrank while it was being hashed", it->source);
        if (EVP_DigestUpdate(md, buf, (size_t)got) != 1)
            return mlops__error(MLOPS_E_CRYPTO, "OpenSSL digest update failed");
        off += (uint64_t)got;
        pthread_mutex_lock(&j->lock);
        j->done += (uint64_t)got;
        uint64_t all = j->done;
        int stop = j->cancelled;
        pthread_mutex_unlock(&j->lock);
        if (stop)
            return MLOPS_E_CANCELLED;
        /* only the caller's thread calls back, after each read */
        if (report && j->p->o.progress &&
            j->p->o.progress(j->base + all, j->total, j->p->o.progress_ctx) != 0) {
            mlops__error(MLOPS_E_CANCELLED, "packing cancelled by the progress callback");
            job_fail(j, MLOPS_E_CANCELLED);
            return MLOPS_E_CANCELLED;
        }
    }
    return 0;
}

static int hash_unit_run(hash_job *j, const hash_unit *u, unsigned char *buf, int report)
{
    mlops__pack_item *it = &j->p->items[u->item];
    uint64_t shard_size = j->p->o.shard_size ? j->p->o.shard_size
                                             : MLOPS_MANIFEST_DEFAULT_SHARD_SIZE;
    int fd = open(it->source, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return mlops__error_at(MLOPS_E_IO, -1, 0, 0, it->source, "%s: cannot open: %s",
                               it->source, mlops__strerror(errno));
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    int rc = md ? 0 : mlops__error_nomem();
    if (!rc)
        rc = mlops__pack_item_unchanged(it, fd, "while it was being hashed");
    if (!rc && EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1)
        rc = mlops__error(MLOPS_E_CRYPTO, "OpenSSL digest init failed");
    uint64_t off = u->shard == (size_t)-1 ? 0 : (uint64_t)u->shard * shard_size;
    if (!rc) {
#ifdef POSIX_FADV_SEQUENTIAL
        (void)posix_fadvise(fd, (off_t)off, (off_t)u->bytes, POSIX_FADV_SEQUENTIAL);
#endif
        rc = hash_range(j, it, fd, off, u->bytes, md, buf, report);
    }
    if (!rc && u->shard == (size_t)-1) {
        ssize_t extra = mlops__pread_full(fd, buf, 1, (off_t)it->size);
        if (extra < 0)
            rc = mlops__error_at(MLOPS_E_IO, -1, 0, 0, it->source, "%s: read failed: %s",
                                 it->source, mlops__strerror(errno));
        else if (extra != 0)
            rc = mlops__error_at(MLOPS_E_INTEGRITY, -1, 0, 0, it->source,
                                 "%s grew while it was being hashed", it->source);
    }
    if (!rc)
        rc = mlops__pack_item_unchanged(it, fd, "while it was being hashed");
    if (!rc && EVP_DigestFinal_ex(md, u->shard == (size_t)-1 ? it->digest : it->shards[u->shard],
                                  NULL) != 1)
        rc = mlops__error(MLOPS_E_CRYPTO, "OpenSSL digest final failed");
    EVP_MD_CTX_free(md);
    close(fd);
    return rc;
}

/* One hashing thread: take the next unit until none is left. The caller's
 * thread runs this too (with `report` set) and is the only one that calls
 * the progress callback. */
static int hash_worker(hash_job *j, int report)
{
    unsigned char *buf = mlops__malloc(HASH_BUFFER);
    if (!buf) {
        job_fail(j, mlops__error_nomem());
        return 0;
    }
    for (;;) {
        pthread_mutex_lock(&j->lock);
        size_t i = j->next++;
        int stop = j->cancelled;
        pthread_mutex_unlock(&j->lock);
        if (stop || i >= j->nunits)
            break;
        int rc = hash_unit_run(j, &j->units[i], buf, report);
        if (rc) {
            if (rc != MLOPS_E_CANCELLED)
                job_fail(j, rc);
            break;
        }
    }
    mlops__free(buf);
    return 0;
}

static void *thread_main(void *arg)
{
    hash_worker(arg, 0);
    return NULL;
}

/* Record what each file looks like now and lay out the units: the files
 * with shards first (their whole-file digest, the longest unit, then their
 * shards), then the others. */
static int plan_units(hash_job *j)
{
    mlops_packer *p = j->p;
    uint64_t shard_size = p->o.shard_size ? p->o.shard_size : MLOPS_MANIFEST_DEFAULT_SHARD_SIZE;
    size_t n = 0;
    for (size_t i = 0; i < p->n; i++) {
        mlops__pack_item *it = &p->items[i];
        struct stat st;
        if (stat(it->source, &st) != 0)
            return mlops__error_at(MLOPS_E_IO, -1, 0, 0, it->source, "%s: cannot stat: %s",
                                   it->source, mlops__strerror(errno));
        if (!S_ISREG(st.st_mode))
            return mlops__error_at(MLOPS_E_UNSAFE, -1, 0, 0, it->source,
                                   "%s is no longer a regular file", it->source);
        if ((uint64_t)st.st_size != it->size)
            return mlops__error_at(MLOPS_E_INTEGRITY, -1, 0, 0, it->source,
                                   "%s changed size since it was added", it->source);
        it->dev = (uint64_t)st.st_dev;
        it->ino = (uint64_t)st.st_ino;
        it->mtime_s = (int64_t)st.st_mtim.tv_sec;
        it->mtime_ns = (int64_t)st.st_mtim.tv_nsec;
        it->ctime_s = (int64_t)st.st_ctim.tv_sec;
        it->ctime_ns = (int64_t)st.st_ctim.tv_nsec;
        size_t nshards = it->size > shard_size
                             ? (size_t)((it->size + shard_size - 1) / shard_size)
                             : 0;
        mlops__free(it->shards);
        it->shards = NULL;
        it->nshards = 0;
        if (nshards) {
            it->shards = mlops__calloc(nshards, sizeof *it->shards);
            if (!it->shards)
                return mlops__error_nomem();
            it->nshards = nshards;
        }
        n += 1 + nshards;
    }
    j->units = mlops__calloc(n ? n : 1, sizeof *j->units);
    if (!j->units)
        return mlops__error_nomem();
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < p->n; i++) {
            const mlops__pack_item *it = &p->items[i];
            if ((it->nshards > 0) != (pass == 0))
                continue;
            hash_unit u = { i, (size_t)-1, it->size };
            j->units[j->nunits++] = u;
            for (size_t k = 0; k < it->nshards; k++) {
                uint64_t off = (uint64_t)k * shard_size;
                hash_unit s = { i, k, it->size - off < shard_size ? it->size - off : shard_size };
                j->units[j->nunits++] = s;
            }
        }
    return 0;
}

int mlops__pack_hash(mlops_packer *p, uint64_t total, uint64_t *done)
{
    hash_job j;
    memset(&j, 0, sizeof j);
    j.p = p;
    int rc = plan_units(&j);
    if (rc) {
        mlops__free(j.units);
        return rc;
    }
    if (pthread_mutex_init(&j.lock, NULL) != 0) {
        mlops__free(j.units);
        return mlops__error(MLOPS_E_INTERNAL, "pthread_mutex_init failed");
    }
    unsigned nthreads = p->o.threads ? p->o.threads : 2;
    if (nthreads > j.nunits)
        nthreads = j.nunits ? (unsigned)j.nunits : 1;
    pthread_t tids[MAX_THREADS];
    unsigned started = 0;
    for (unsigned t = 1; t < nthreads; t++) {
        if (pthread_create(&tids[started], NULL, thread_main, &j) != 0)
            break; /* fewer threads is still correct */
        started++;
    }
    j.base = *done;
    j.total = total;
    hash_worker(&j, 1);
    for (unsigned t = 0; t < started; t++)
        pthread_join(tids[t], NULL);
    pthread_mutex_destroy(&j.lock);
    mlops__free(j.units);
    *done += j.done;
    if (j.err_code)
        return mlops__error_at(j.err_code, -1, 0, 0, j.err_path[0] ? j.err_path : NULL, "%s",
                               j.err_msg);
    return 0;
}
