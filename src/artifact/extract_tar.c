/*
 * Extracting a tar stream through the safe writer: libarchive only parses;
 * every entry is judged here and written by extract.c, never by libarchive's
 * disk writer.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>

#include <archive.h>
#include <archive_entry.h>

#include "artifact/extract.h"
#include "core/alloc.h"
#include "core/error.h"

#define READ_BLOCK (64u << 10)

static int tar_error(struct archive *a, const char *entry, const char *what)
{
    const char *msg = archive_error_string(a);
    return mlops__error_at(MLOPS_E_PARSE, -1, 0, 0, entry, "tar: %s%s%s%s%s: %s", what,
                           entry ? " \"" : "", entry ? entry : "", entry ? "\"" : "", "",
                           msg ? msg : "damaged archive");
}

static int unsafe_kind(const char *path, const char *kind)
{
    return mlops__error_at(MLOPS_E_UNSAFE, -1, 0, 0, path,
                           "tar entry \"%.200s\" is a %s; only regular files and directories "
                           "are allowed", path, kind);
}

/* Refuse every entry type but regular files and directories. */
int mlops__tar_entry_check(struct archive_entry *e, const char *path)
{
    if (archive_entry_hardlink(e))
        return unsafe_kind(path, "hard link");
    if (archive_entry_symlink(e))
        return unsafe_kind(path, "symbolic link");
    switch (archive_entry_filetype(e)) {
    case AE_IFREG:
    case AE_IFDIR:
        break;
    case AE_IFLNK:
        return unsafe_kind(path, "symbolic link");
    case AE_IFCHR:
        return unsafe_kind(path, "character device");
    case AE_IFBLK:
        return unsafe_kind(path, "block device");
    case AE_IFIFO:
        return unsafe_kind(path, "FIFO");
    case AE_IFSOCK:
        return unsafe_kind(path, "socket");
    default:
        return unsafe_kind(path, "file of an unknown type");
    }
    if (archive_entry_sparse_count(e) > 0)
        return unsafe_kind(path, "sparse file");
    return 0;
}

typedef struct declared_index {
    const mlops__extract_entry *entries;
    size_t *order; /* indexes sorted by path */
    size_t n;
    unsigned char *seen;
} declared_index;

/* The declared entry named `path`, or NULL; its index in *at. */
static const mlops__extract_entry *find_declared(const declared_index *d, const char *path,
                                                 size_t *at)
{
    size_t lo = 0, hi = d->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(path, d->entries[d->order[mid]].path);
        if (c == 0) {
            *at = d->order[mid];
            return &d->entries[*at];
        }
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

static int build_index(declared_index *d, const mlops__extract_entry *declared, size_t n)
{
    d->entries = declared;
    d->n = n;
    d->order = mlops__calloc(n ? n : 1, sizeof *d->order);
    d->seen = mlops__calloc(n ? n : 1, 1);
    if (!d->order || !d->seen)
        return mlops__error_nomem();
    for (size_t i = 0; i < n; i++)
        d->order[i] = i;
    /* qsort has no context argument in C11: sort by insertion when the list
     * is not already sorted (manifests list files sorted, so this is the
     * rare path), keeping the code reentrant. */
    for (size_t i = 1; i < n; i++) {
        size_t v = d->order[i], j = i;
        while (j > 0 && strcmp(declared[d->order[j - 1]].path, declared[v].path) > 0) {
            d->order[j] = d->order[j - 1];
            j--;
        }
        d->order[j] = v;
    }
    for (size_t i = 1; i < n; i++)
        if (strcmp(declared[d->order[i - 1]].path, declared[d->order[i]].path) == 0)
            return mlops__error_at(MLOPS_E_INVALID, -1, 0, 0, declared[d->order[i]].path,
                                   "file \"%s\" is declared twice", declared[d->order[i]].path);
    return 0;
}

static int copy_data(struct archive *a, mlops__extract *x, const char *path, void *buf)
{
    for (;;) {
        la_ssize_t n = archive_read_data(a, buf, READ_BLOCK);
        if (n == 0)
            return 0;
        if (n < 0)
            return tar_error(a, path, "reading the data of");
        int rc = mlops__extract_file_write(x, buf, (size_t)n);
        if (rc)
            return rc;
    }
}

static int extract_entries(struct archive *a, mlops__extract *x, declared_index *d, void *buf)
{
    struct archive_entry *e;
    for (;;) {
        int r = archive_read_next_header(a, &e);
        if (r == ARCHIVE_EOF)
            break;
        if (r != ARCHIVE_OK)
            return tar_error(a, NULL, "reading an entry header");
        const char *path = archive_entry_pathname(e);
        if (!path)
            return mlops__error(MLOPS_E_PARSE, "tar: an entry has no usable path name");
        int rc = mlops__tar_entry_check(e, path);
        if (rc)
            return rc;
        size_t len = strlen(path);
        if (archive_entry_filetype(e) == AE_IFDIR) {
            if (len > 1 && path[len - 1] == '/')
                len--;
            rc = mlops__extract_dir(x, path, len);
            if (rc)
                return rc;
            continue;
        }
        rc = mlops__path_check(path, len);
        if (rc)
            return rc;
        if (!archive_entry_size_is_set(e) || archive_entry_size(e) < 0)
            return mlops__error_at(MLOPS_E_PARSE, -1, 0, 0, path,
                                   "tar entry \"%s\" has no size", path);
        uint64_t size = (uint64_t)archive_entry_size(e);
        const uint8_t *digest = NULL;
        int exec = (archive_entry_perm(e) & 0111) != 0;
        if (d->entries) {
            size_t at;
            const mlops__extract_entry *de = find_declared(d, path, &at);
            if (!de)
                return mlops__error_at(MLOPS_E_INTEGRITY, -1, 0, 0, path,
                                       "tar entry \"%s\" is not a declared file", path);
            if (size != de->size)
                return mlops__error_at(MLOPS_E_INTEGRITY, -1, 0, 0, path,
                                       "tar entry \"%s\" is %llu bytes, %s than its declared "
                                       "%llu", path, (unsigned long long)size,
                                       size > de->size ? "larger" : "smaller",
                                       (unsigned long long)de->size);
            digest = de->digest;
            exec = de->executable;
            d->seen[at] = 1;
        }
        rc = mlops__extract_file_begin(x, path, len, size, digest, exec);
        if (!rc)
            rc = copy_data(a, x, path, buf);
        if (!rc)
            rc = mlops__extract_file_end(x, NULL);
        if (rc)
            return rc;
    }
    for (size_t i = 0; d->entries && i < d->n; i++)
        if (!d->seen[i])
            return mlops__error_at(MLOPS_E_INTEGRITY, -1, 0, 0, d->entries[i].path,
                                   "declared file \"%s\" is missing from the archive",
                                   d->entries[i].path);
    return 0;
}

int mlops__extract_tar(int fd, const char *dest, const mlops__extract_entry *declared,
                       size_t ndeclared, const mlops__extract_limits *limits)
{
    declared_index d = { 0 };
    mlops__extract *x = NULL;
    struct archive *a = NULL;
    void *buf = NULL;
    int rc = 0;
    if (declared) {
        rc = build_index(&d, declared, ndeclared);
        if (rc)
            goto done;
    }
    buf = mlops__malloc(READ_BLOCK);
    if (!buf) {
        rc = mlops__error_nomem();
        goto done;
    }
    a = archive_read_new();
    if (!a) {
        rc = mlops__error_nomem();
        goto done;
    }
    if (archive_read_support_format_tar(a) != ARCHIVE_OK ||
        archive_read_open_fd(a, fd, READ_BLOCK) != ARCHIVE_OK) {
        rc = tar_error(a, NULL, "opening the stream");
        goto done;
    }
    rc = mlops__extract_begin(&x, dest, limits);
    if (rc)
        goto done;
    rc = extract_entries(a, x, &d, buf);
    if (!rc) {
        rc = mlops__extract_commit(x); /* releases x, whatever the outcome */
        x = NULL;
    }
done:
    mlops__extract_abort(x);
    if (a)
        archive_read_free(a);
    mlops__free(buf);
    mlops__free(d.order);
    mlops__free(d.seen);
    return rc;
}
