/*
 * Safe extraction: checked paths, directory-fd relative creation, bounded and
 * hashed content, a private temporary tree renamed into place.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#define _GNU_SOURCE /* renameat2 and RENAME_NOREPLACE */

#include "artifact/extract.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/hex.h"
#include "core/io.h"

#define DEFAULT_MAX_ENTRIES 1000000u

/* ---- path rules --------------------------------------------------------- */

int mlops__path_check(const char *path, size_t len)
{
    if (len == 0)
        return mlops__error_at(MLOPS_E_UNSAFE, -1, 0, 0, "", "empty entry path");
    if (len > MLOPS__PATH_MAX)
        return mlops__error_at(MLOPS_E_UNSAFE, -1, 0, 0, NULL,
                               "entry path of %zu bytes is longer than %d", len,
                               MLOPS__PATH_MAX);
    /* The path is quoted in messages only up to the first unsafe byte. */
    const char *why = NULL;
    size_t seg_start = 0, depth = 0;
    if (path[0] == '/')
        why = "absolute path";
    for (size_t i = 0; !why && i <= len; i++) {
        unsigned char c = i < len ? (unsigned char)path[i] : '/';
        if (i < len) {
            if (c == '\0')
                why = "NUL byte in the path";
            else if (c == '\\')
                why = "backslash in the path";
            else if (c < 0x20 || c == 0x7f)
                why = "control character in the path";
            if (why || c != '/')
                continue;
        }
        size_t seg = i - seg_start;
        if (seg == 0)
            why = "empty path segment";
        else if (seg == 1 && path[seg_start] == '.')
            why = "\".\" path segment";
        else if (seg == 2 && path[seg_start] == '.' && path[seg_start + 1] == '.')
            why = "\"..\" path segment";
        else if (seg > MLOPS__PATH_SEGMENT_MAX)
            why = "path segment longer than 255 bytes";
        else if (++depth > MLOPS__PATH_DEPTH_MAX)
            why = "path deeper than 64 segments";
        seg_start = i + 1;
    }
    if (!why)
        return 0;
    char shown[MLOPS__PATH_MAX + 1];
    size_t n = 0;
    for (; n < len && n < 200 && path[n] != '\0'; n++)
        shown[n] = (unsigned char)path[n] < 0x20 ? '?' : path[n];
    shown[n] = '\0';
    return mlops__error_at(MLOPS_E_UNSAFE, -1, 0, 0, shown, "unsafe entry path \"%s\": %s",
                           shown, why);
}

/* ---- the set of names created so far ------------------------------------ */

enum { KIND_DIR = 1, KIND_FILE = 2 };

typedef struct name_slot {
    char *folded;   /* ASCII-lower-cased path: the key */
    char *original; /* as first created, for messages */
    int kind;
} name_slot;

typedef struct name_set {
    name_slot *slots;
    size_t capacity; /* power of two */
    size_t count;
} name_set;

static uint64_t hash_bytes(const char *s, size_t len)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ull;
    }
    return h;
}

static name_slot *set_lookup(const name_set *s, const char *folded, size_t len)
{
    if (!s->capacity)
        return NULL;
    size_t mask = s->capacity - 1;
    for (size_t i = hash_bytes(folded, len) & mask;; i = (i + 1) & mask) {
        name_slot *slot = &s->slots[i];
        if (!slot->folded)
            return slot;
        if (strlen(slot->folded) == len && memcmp(slot->folded, folded, len) == 0)
            return slot;
    }
}

static int set_grow(name_set *s)
{
    size_t cap = s->capacity ? s->capacity * 2 : 64;
    name_slot *slots = mlops__calloc(cap, sizeof *slots);
    if (!slots)
        return mlops__error_nomem();
    name_set bigger = { slots, cap, s->count };
    for (size_t i = 0; i < s->capacity; i++)
        if (s->slots[i].folded)
            *set_lookup(&bigger, s->slots[i].folded, strlen(s->slots[i].folded)) = s->slots[i];
    mlops__free(s->slots);
    *s = bigger;
    return 0;
}

static void set_free(name_set *s)
{
    for (size_t i = 0; i < s->capacity; i++) {
        mlops__free(s->slots[i].folded);
        mlops__free(s->slots[i].original);
    }
    mlops__free(s->slots);
    s->slots = NULL;
    s->capacity = s->count = 0;
}

/* ---- the extraction transaction ----------------------------------------- */

struct mlops__extract {
    int parent_fd; /* the destination's parent */
    int root_fd;   /* the private temporary directory */
    char *tmp_name;
    char *dest_name;
    char *dest_path;
    name_set names;
    mlops__extract_limits limits;
    uint64_t total;
    /* the open file */
    int file_fd;
    char *file_path;
    uint64_t file_size, file_written;
    int file_has_digest, file_exec;
    uint8_t file_digest[MLOPS_SHA256_SIZE];
    EVP_MD_CTX *md;
};

static int io_error(const char *path, const char *what)
{
    int e = errno;
    return mlops__error_at(MLOPS_E_IO, -1, 0, 0, path, "%s: %s failed: %s", path, what,
                           mlops__strerror(e));
}

int mlops__extract_begin(mlops__extract **out, const char *dest,
                         const mlops__extract_limits *limits)
{
    size_t dlen = strlen(dest);
    while (dlen > 1 && dest[dlen - 1] == '/')
        dlen--;
    const char *slash = NULL;
    for (size_t i = 0; i < dlen; i++)
        if (dest[i] == '/')
            slash = dest + i;
    const char *base = slash ? slash + 1 : dest;
    size_t blen = dlen - (size_t)(base - dest);
    if (blen == 0 || (blen == 1 && base[0] == '.') ||
        (blen == 2 && base[0] == '.' && base[1] == '.') || blen > 200)
        return mlops__error_at(MLOPS_E_INVALID, -1, 0, 0, dest,
                               "extraction destination \"%s\" must name a new directory", dest);

    mlops__extract *x = mlops__calloc(1, sizeof *x);
    if (!x)
        return mlops__error_nomem();
    x->parent_fd = x->root_fd = x->file_fd = -1;
    if (limits)
        x->limits = *limits;
    if (!x->limits.max_entries)
        x->limits.max_entries = DEFAULT_MAX_ENTRIES;
    int rc = 0;
    char *parent = slash ? mlops__strndup(dest, slash == dest ? 1 : (size_t)(slash - dest))
                         : mlops__strdup(".");
    x->dest_name = mlops__strndup(base, blen);
    x->dest_path = mlops__strndup(dest, dlen);
    x->tmp_name = mlops__malloc(blen + 32);
    x->md = EVP_MD_CTX_new();
    if (!parent || !x->dest_name || !x->dest_path || !x->tmp_name || !x->md) {
        rc = mlops__error_nomem();
        goto fail;
    }
    x->parent_fd = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (x->parent_fd < 0) {
        rc = io_error(parent, "opening the destination's parent directory");
        goto fail;
    }
    struct stat st;
    if (fstatat(x->parent_fd, x->dest_name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
        rc = mlops__error_at(MLOPS_E_EXISTS, -1, 0, 0, x->dest_path,
                             "%s: the extraction destination already exists", x->dest_path);
        goto fail;
    }
    if (errno != ENOENT) {
        rc = io_error(x->dest_path, "checking the destination");
        goto fail;
    }
    /* A random name made here, created relative to the parent's fd. */
    for (int attempt = 0;; attempt++) {
        unsigned char rnd[6];
        int rfd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
        if (rfd < 0 || mlops__read_full(rfd, rnd, sizeof rnd) != (ssize_t)sizeof rnd) {
            if (rfd >= 0)
                close(rfd);
            rc = io_error("/dev/urandom", "reading");
            goto fail;
        }
        close(rfd);
        snprintf(x->tmp_name, blen + 32, ".%s.mlops-%02x%02x%02x%02x%02x%02x", x->dest_name,
                 rnd[0], rnd[1], rnd[2], rnd[3], rnd[4], rnd[5]);
        if (mkdirat(x->parent_fd, x->tmp_name, 0700) == 0)
            break;
        if (errno != EEXIST || attempt > 10) {
            rc = io_error(x->dest_path, "creating the temporary extraction directory");
            goto fail;
        }
    }
    x->root_fd = openat(x->parent_fd, x->tmp_name,
                        O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (x->root_fd < 0) {
        rc = io_error(x->dest_path, "opening the temporary extraction directory");
        unlinkat(x->parent_fd, x->tmp_name, AT_REMOVEDIR);
        goto fail;
    }
    mlops__free(parent);
    *out = x;
    return 0;
fail:
    mlops__free(parent);
    mlops__free(x->tmp_name);
    x->tmp_name = NULL; /* nothing to remove */
    mlops__extract_abort(x);
    return rc;
}

/* Register `path[0..len)` as `kind`; refuse duplicates, case collisions and
 * a name used as both a file and a directory. Existing directories are fine
 * when a directory is asked for (*existed is set). */
static int register_name(mlops__extract *x, const char *path, size_t len, int kind,
                         int *existed)
{
    *existed = 0;
    if ((x->names.count + 1) * 10 >= x->names.capacity * 7) {
        int rc = set_grow(&x->names);
        if (rc)
            return rc;
    }
    char *folded = mlops__strndup(path, len);
    if (!folded)
        return mlops__error_nomem();
    for (size_t i = 0; i < len; i++)
        if (folded[i] >= 'A' && folded[i] <= 'Z')
            folded[i] = (char)(folded[i] - 'A' + 'a');
    name_slot *slot = set_lookup(&x->names, folded, len);
    if (slot->folded) {
        mlops__free(folded);
        int same = strlen(slot->original) == len && memcmp(slot->original, path, len) == 0;
        if (!same)
            return mlops__error_at(MLOPS_E_UNSAFE, -1, 0, 0, slot->original,
                                   "entry \"%.*s\" collides with \"%s\" when case is ignored",
                                   (int)len, path, slot->original);
        if (kind == KIND_DIR && slot->kind == KIND_DIR) {
            *existed = 1;
            return 0;
        }
        if (kind == KIND_FILE && slot->kind == KIND_FILE)
            return mlops__error_at(MLOPS_E_UNSAFE, -1, 0, 0, slot->original,
                                   "duplicate entry \"%s\"", slot->original);
        return mlops__error_at(MLOPS_E_UNSAFE, -1, 0, 0, slot->original,
                               "entry \"%s\" is both a file and a directory", slot->original);
    }
    if (x->names.count >= x->limits.max_entries) {
        mlops__free(folded);
        return mlops__error(MLOPS_E_LIMIT, "more than %llu entries to extract",
                            (unsigned long long)x->limits.max_entries);
    }
    char *orig = mlops__strndup(path, len);
    if (!orig) {
        mlops__free(folded);
        return mlops__error_nomem();
    }
    slot->folded = folded;
    slot->original = orig;
    slot->kind = kind;
    x->names.count++;
    return 0;
}

/* Open the directory `path[0..len)` (creating it and its parents), returning
 * a new fd in *fd_out. An empty path is the root. */
static int open_dir(mlops__extract *x, const char *path, size_t len, int *fd_out)
{
    int fd = dup(x->root_fd);
    if (fd < 0)
        return io_error(x->dest_path, "dup");
    size_t start = 0;
    while (start < len) {
        size_t end = start;
        while (end < len && path[end] != '/')
            end++;
        int existed;
        int rc = register_name(x, path, end, KIND_DIR, &existed);
        if (rc) {
            close(fd);
            return rc;
        }
        char seg[MLOPS__PATH_SEGMENT_MAX + 1];
        memcpy(seg, path + start, end - start);
        seg[end - start] = '\0';
        if (!existed && mkdirat(fd, seg, 0700) != 0) {
            int e = errno;
            close(fd);
            errno = e;
            return io_error(x->dest_path, "creating a directory");
        }
        int next = openat(fd, seg, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        int e = errno;
        close(fd);
        if (next < 0) {
            errno = e;
            return io_error(x->dest_path, "opening a directory");
        }
        if (!existed && fchmod(next, 0755) != 0) {
            close(next);
            return io_error(x->dest_path, "setting a directory's mode");
        }
        fd = next;
        start = end + 1;
    }
    *fd_out = fd;
    return 0;
}

int mlops__extract_dir(mlops__extract *x, const char *path, size_t len)
{
    int rc = mlops__path_check(path, len);
    if (rc)
        return rc;
    int fd;
    rc = open_dir(x, path, len, &fd);
    if (!rc)
        close(fd);
    return rc;
}

int mlops__extract_file_begin(mlops__extract *x, const char *path, size_t len, uint64_t size,
                              const uint8_t *digest, int executable)
{
    if (x->file_fd >= 0)
        return mlops__error(MLOPS_E_INTERNAL, "extract: a file is already open");
    int rc = mlops__path_check(path, len);
    if (rc)
        return rc;
    if (x->limits.max_total_bytes && size > x->limits.max_total_bytes - x->total)
        return mlops__error_at(MLOPS_E_LIMIT, -1, 0, 0, NULL,
                               "extracting %.*s would exceed the limit of %llu bytes",
                               (int)len, path, (unsigned long long)x->limits.max_total_bytes);
    size_t slash = len;
    while (slash > 0 && path[slash - 1] != '/')
        slash--;
    int dir_fd;
    rc = open_dir(x, path, slash ? slash - 1 : 0, &dir_fd);
    if (rc)
        return rc;
    int existed;
    rc = register_name(x, path, len, KIND_FILE, &existed);
    if (rc) {
        close(dir_fd);
        return rc;
    }
    x->file_path = mlops__strndup(path, len);
    if (!x->file_path) {
        close(dir_fd);
        return mlops__error_nomem();
    }
    x->file_fd = openat(dir_fd, x->file_path + slash,
                        O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    int e = errno;
    close(dir_fd);
    if (x->file_fd < 0) {
        errno = e;
        rc = io_error(x->file_path, "creating the file");
        mlops__free(x->file_path);
        x->file_path = NULL;
        return rc;
    }
    if (EVP_DigestInit_ex(x->md, EVP_sha256(), NULL) != 1)
        return mlops__error(MLOPS_E_CRYPTO, "OpenSSL digest init failed");
    x->file_size = size;
    x->file_written = 0;
    x->file_exec = executable;
    x->file_has_digest = digest != NULL;
    if (digest)
        memcpy(x->file_digest, digest, MLOPS_SHA256_SIZE);
    return 0;
}

int mlops__extract_file_write(mlops__extract *x, const void *data, size_t len)
{
    if (x->file_fd < 0)
        return mlops__error(MLOPS_E_INTERNAL, "extract: no file is open");
    if (len > x->file_size - x->file_written)
        return mlops__error_at(MLOPS_E_INTEGRITY, -1, 0, 0, x->file_path,
                               "entry \"%s\" is larger than its declared %llu bytes",
                               x->file_path, (unsigned long long)x->file_size);
    if (EVP_DigestUpdate(x->md, data, len) != 1)
        return mlops__error(MLOPS_E_CRYPTO, "OpenSSL digest update failed");
    const char *p = data;
    size_t left = len;
    while (left) {
        ssize_t n = write(x->file_fd, p, left);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return io_error(x->file_path, "writing");
        p += n;
        left -= (size_t)n;
    }
    x->file_written += len;
    x->total += len;
    return 0;
}

static void close_file(mlops__extract *x)
{
    if (x->file_fd >= 0)
        close(x->file_fd);
    x->file_fd = -1;
    mlops__free(x->file_path);
    x->file_path = NULL;
}

int mlops__extract_file_end(mlops__extract *x, uint8_t *digest_out)
{
    if (x->file_fd < 0)
        return mlops__error(MLOPS_E_INTERNAL, "extract: no file is open");
    if (x->file_written != x->file_size)
        return mlops__error_at(MLOPS_E_INTEGRITY, -1, 0, 0, x->file_path,
                               "entry \"%s\": %llu bytes, declared %llu", x->file_path,
                               (unsigned long long)x->file_written,
                               (unsigned long long)x->file_size);
    uint8_t d[MLOPS_SHA256_SIZE];
    unsigned int n = 0;
    if (EVP_DigestFinal_ex(x->md, d, &n) != 1 || n != MLOPS_SHA256_SIZE)
        return mlops__error(MLOPS_E_CRYPTO, "OpenSSL digest final failed");
    if (x->file_has_digest && memcmp(d, x->file_digest, sizeof d) != 0) {
        char want[65], got[65];
        mlops__hex(want, x->file_digest, MLOPS_SHA256_SIZE);
        mlops__hex(got, d, MLOPS_SHA256_SIZE);
        return mlops__error_at(MLOPS_E_INTEGRITY, -1, 0, 0, x->file_path,
                               "entry \"%s\": digest sha256:%s, expected sha256:%s",
                               x->file_path, got, want);
    }
    if (fchmod(x->file_fd, x->file_exec ? 0755 : 0644) != 0)
        return io_error(x->file_path, "setting the file mode");
    if (fsync(x->file_fd) != 0)
        return io_error(x->file_path, "fsync");
    if (close(x->file_fd) != 0) {
        x->file_fd = -1;
        return io_error(x->file_path, "close");
    }
    x->file_fd = -1;
    mlops__free(x->file_path);
    x->file_path = NULL;
    if (digest_out)
        memcpy(digest_out, d, sizeof d);
    return 0;
}

int mlops__extract_copy(mlops__extract *x, const char *from, const char *path, uint64_t size,
                        const uint8_t *digest)
{
    /* `from` was created by this extraction in its private tree, which holds
     * only directories and regular files; O_NOFOLLOW still guards the leaf */
    int src = openat(x->root_fd, from, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (src < 0)
        return io_error(from, "reopening an extracted file");
    int rc = mlops__extract_file_begin(x, path, strlen(path), size, digest, 0);
    char buf[65536];
    while (!rc) {
        ssize_t n = read(src, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            rc = io_error(from, "reading an extracted file");
        if (n <= 0)
            break;
        rc = mlops__extract_file_write(x, buf, (size_t)n);
    }
    if (!rc)
        rc = mlops__extract_file_end(x, NULL);
    close(src);
    return rc;
}

/* Walk the directory tree under `fd` (which the walk takes over), fsyncing
 * (remove == 0) or removing (remove == 1) everything in it. Only entries this
 * extraction made can be there: the tree is private (mode 0700) and only ever
 * holds directories and regular files. */
static int walk_tree(int fd, int remove, int depth)
{
    if (depth > MLOPS__PATH_DEPTH_MAX + 1) {
        close(fd);
        return -1;
    }
    DIR *d = fdopendir(fd);
    if (!d) {
        close(fd);
        return -1;
    }
    /* `fd` is a dup of a descriptor an earlier walk may have read to the end
     * (the commit's fsync walk, then the removal after a failed rename): a
     * dup shares the file offset, so start from the first entry. */
    rewinddir(d);
    int rc = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        struct stat st;
        if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
            rc = -1;
            continue;
        }
        if (S_ISDIR(st.st_mode)) {
            int sub = openat(dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (sub < 0 || walk_tree(sub, remove, depth + 1) != 0)
                rc = -1;
            if (remove && unlinkat(dirfd(d), e->d_name, AT_REMOVEDIR) != 0)
                rc = -1;
        } else if (remove) {
            if (unlinkat(dirfd(d), e->d_name, 0) != 0)
                rc = -1;
        }
    }
    if (!remove && fsync(dirfd(d)) != 0)
        rc = -1;
    closedir(d);
    return rc;
}

static int rename_noreplace(int fd, const char *from, const char *to)
{
#ifdef RENAME_NOREPLACE
    if (renameat2(fd, from, fd, to, RENAME_NOREPLACE) == 0)
        return 0;
    if (errno != EINVAL && errno != ENOSYS)
        return -1;
#endif
    /* A file system without RENAME_NOREPLACE: check, then rename (renaming a
     * directory over an existing non-empty one fails anyway). */
    struct stat st;
    if (fstatat(fd, to, &st, AT_SYMLINK_NOFOLLOW) == 0) {
        errno = EEXIST;
        return -1;
    }
    return renameat(fd, from, fd, to);
}

static int commit_tree(mlops__extract *x)
{
    if (x->file_fd >= 0)
        return mlops__error(MLOPS_E_INTERNAL, "extract: a file is still open");
    int fd = dup(x->root_fd);
    if (fd < 0)
        return io_error(x->dest_path, "dup");
    if (walk_tree(fd, 0, 0) != 0)
        return io_error(x->dest_path, "fsync of the extracted tree");
    if (fchmod(x->root_fd, 0755) != 0)
        return io_error(x->dest_path, "setting the directory mode");
    if (rename_noreplace(x->parent_fd, x->tmp_name, x->dest_name) != 0) {
        if (errno == EEXIST || errno == ENOTEMPTY)
            return mlops__error_at(MLOPS_E_EXISTS, -1, 0, 0, x->dest_path,
                                   "%s: the extraction destination appeared meanwhile",
                                   x->dest_path);
        return io_error(x->dest_path, "renaming the extracted tree into place");
    }
    /* Renamed: nothing is left to clean up, whatever happens next. */
    mlops__free(x->tmp_name);
    x->tmp_name = NULL;
    if (fsync(x->parent_fd) != 0)
        return io_error(x->dest_path, "fsync of the destination's parent directory");
    return 0;
}

int mlops__extract_commit(mlops__extract *x)
{
    int rc = commit_tree(x);
    mlops__extract_abort(x);
    return rc;
}

void mlops__extract_abort(mlops__extract *x)
{
    if (!x)
        return;
    close_file(x);
    if (x->tmp_name && x->root_fd >= 0) {
        /* Keep the caller's error: cleaning up must not overwrite it. */
        int fd = dup(x->root_fd);
        if (fd >= 0)
            (void)walk_tree(fd, 1, 0);
        (void)unlinkat(x->parent_fd, x->tmp_name, AT_REMOVEDIR);
    }
    if (x->root_fd >= 0)
        close(x->root_fd);
    if (x->parent_fd >= 0)
        close(x->parent_fd);
    EVP_MD_CTX_free(x->md);
    set_free(&x->names);
    mlops__free(x->tmp_name);
    mlops__free(x->dest_name);
    mlops__free(x->dest_path);
    mlops__free(x);
}
