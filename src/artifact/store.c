/*
 * The local store: an OCI image layout with tags, aliases and their history,
 * a writer lock, and changes made only by write-fsync-rename.
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

/* ---- small file helpers ------------------------------------------------- */

int mlops__store_path_join(mlops_buf *out, const char *root, const char *rel)
{
    mlops__buf_clear(out);
    return mlops__buf_printf(out, "%s/%s", root, rel);
}

int mlops__store_read_file(mlops_buf *out, const char *path, size_t max, int *missing)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        if (missing && errno == ENOENT) {
            *missing = 1;
            return 0;
        }
        return mlops__error_at(MLOPS_E_IO, -1, 0, 0, path, "%s: cannot open: %s", path,
                               mlops__strerror(errno));
    }
    if (missing)
        *missing = 0;
    int rc = 0;
    for (;;) {
        if (out->size > max) {
            rc = mlops__error_at(MLOPS_E_LIMIT, -1, 0, 0, path, "%s is too large", path);
            break;
        }
        rc = mlops__buf_reserve(out, 65536);
        if (rc)
            break;
        ssize_t n = read(fd, out->data + out->size, 65536);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            rc = mlops__error_at(MLOPS_E_IO, -1, 0, 0, path, "%s: read failed: %s", path,
                                 mlops__strerror(errno));
            break;
        }
        if (n == 0)
            break;
        out->size += (size_t)n;
        out->data[out->size] = '\0';
    }
    close(fd);
    return rc;
}

int mlops__store_fsync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return mlops__error_at(MLOPS_E_IO, -1, 0, 0, dir, "%s: cannot open: %s", dir,
                               mlops__strerror(errno));
    int rc = fsync(fd) == 0 ? 0
                            : mlops__error_at(MLOPS_E_IO, -1, 0, 0, dir, "%s: fsync failed: %s",
                                              dir, mlops__strerror(errno));
    close(fd);
    return rc;
}

/* Replace `root/rel` atomically with `data`: temporary file, fsync, rename,
 * fsync of the directory. */
int mlops__store_replace_file(const char *root, const char *rel, const void *data, size_t len)
{
    mlops_buf tmp = MLOPS_BUF_INIT, dst = MLOPS_BUF_INIT;
    int rc = mlops__buf_printf(&tmp, "%s/.%s.tmp-XXXXXX", root, rel);
    if (!rc)
        rc = mlops__store_path_join(&dst, root, rel);
    if (rc)
        goto done;
    int fd = mkstemp(tmp.data);
    if (fd < 0) {
        rc = mlops__error_at(MLOPS_E_IO, -1, 0, 0, dst.data, "%s: cannot create: %s", dst.data,
                             mlops__strerror(errno));
        goto done;
    }
    rc = mlops__store_write_all(fd, data, len, dst.data);
    rc = mlops__store_commit_tmp(rc, fd, tmp.data, dst.data, 0644);
    if (!rc)
        rc = mlops__store_fsync_dir(root);
done:
    mlops_buf_dispose(&tmp);
    mlops_buf_dispose(&dst);
    return rc;
}

int mlops__store_write_all(int fd, const void *data, size_t len, const char *dst)
{
    const char *p = data;
    while (len) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return mlops__error_at(MLOPS_E_IO, -1, 0, 0, dst, "%s: write failed: %s", dst,
                                   mlops__strerror(errno));
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

int mlops__store_commit_tmp(int rc, int fd, const char *tmp, const char *dst, unsigned mode)
{
    if (!rc && (fchmod(fd, (mode_t)mode) != 0 || fsync(fd) != 0))
        rc = mlops__error_at(MLOPS_E_IO, -1, 0, 0, dst, "%s: fsync failed: %s", dst,
                             mlops__strerror(errno));
    close(fd);
    if (!rc && rename(tmp, dst) != 0)
        rc = mlops__error_at(MLOPS_E_IO, -1, 0, 0, dst, "%s: rename failed: %s", dst,
                             mlops__strerror(errno));
    if (rc)
        unlink(tmp);
    return rc;
}

/* ---- opening, locking --------------------------------------------------- */

int mlops__store_lock(mlops_store *s)
{
    if (flock(s->lock_fd, LOCK_EX | ((s->flags & MLOPS_STORE_NOWAIT) ? LOCK_NB : 0)) != 0) {
        if (errno == EWOULDBLOCK)
            return mlops__error_at(MLOPS_E_LOCKED, -1, 0, 0, s->root,
                                   "%s: another writer holds the store's lock", s->root);
        return mlops__error_at(MLOPS_E_IO, -1, 0, 0, s->root, "%s: flock failed: %s", s->root,
                               mlops__strerror(errno));
    }
    /* under the lock, start from what the last writer committed */
    int rc = mlops__store_load_index(s, 1);
    if (rc)
        flock(s->lock_fd, LOCK_UN);
    return rc;
}

void mlops__store_unlock(mlops_store *s) { flock(s->lock_fd, LOCK_UN); }

static const char layout_json[] = "{\"imageLayoutVersion\":\"1.0.0\"}";

/* The temporary files mlops__store_replace_file() makes in the store's directory: a
 * killed writer may leave them. */
static int is_root_temp(const char *name)
{
    static const char *const prefixes[] = { ".index.json.tmp-", ".mlops-store.json.tmp-",
                                            ".oci-layout.tmp-" };
    for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++)
        if (strncmp(name, prefixes[i], strlen(prefixes[i])) == 0)
            return 1;
    return 0;
}

/* Remove the temporary files of killed writers from the store's directory
 * (under the lock: no live writer has any). Adds their number to *count. */
int mlops__store_remove_root_temps(const char *root, size_t *count)
{
    DIR *d = opendir(root);
    if (!d)
        return mlops__error_at(MLOPS_E_IO, -1, 0, 0, root, "%s: cannot list: %s", root,
                               mlops__strerror(errno));
    struct dirent *e;
    size_t n = 0;
    while ((e = readdir(d)) != NULL)
        if (is_root_temp(e->d_name) && unlinkat(dirfd(d), e->d_name, 0) == 0)
            n++;
    closedir(d);
    if (count)
        *count += n;
    return n ? mlops__store_fsync_dir(root) : 0;
}

/* Is `name` in directory `dfd` an empty directory, or (with `inner`) one
 * holding only an empty directory called `inner`? */
static int empty_dir_at(int dfd, const char *name, const char *inner)
{
    int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return 0;
    DIR *d = fdopendir(fd);
    if (!d) {
        close(fd);
        return 0;
    }
    int ok = 1;
    struct dirent *e;
    while (ok && (e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        ok = inner && strcmp(e->d_name, inner) == 0 && empty_dir_at(dirfd(d), inner, NULL);
    }
    closedir(d);
    return ok;
}

/* Is `oci-layout` in `dfd` the file a creation writes, byte for byte? */
static int our_layout_at(int dfd)
{
    int fd = openat(dfd, "oci-layout", O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return 0;
    char buf[sizeof layout_json + 1];
    ssize_t n = mlops__read_full(fd, buf, sizeof buf);
    close(fd);
    return n == (ssize_t)sizeof layout_json - 1 && memcmp(buf, layout_json, (size_t)n) == 0;
}

/* MLOPS_STORE_CREATE turns only an empty directory into a store: creating one
 * inside a directory that holds other files would mix them with blobs. A
 * directory holding only what a killed creation leaves (the lock file,
 * an empty blobs/sha256/, the oci-layout this library writes, temporary
 * files) is a store being created: the next writer finishes it. */
static int check_new_dir(const char *root)
{
    DIR *d = opendir(root);
    if (!d)
        return mlops__error_at(MLOPS_E_IO, -1, 0, 0, root, "%s: cannot list: %s", root,
                               mlops__strerror(errno));
    struct dirent *e;
    int rc = 0;
    while ((e = readdir(d)) != NULL) {
        const char *n = e->d_name;
        struct stat st;
        if (strcmp(n, ".") == 0 || strcmp(n, "..") == 0)
            continue;
        int found = fstatat(dirfd(d), n, &st, AT_SYMLINK_NOFOLLOW) == 0;
        if (!found && errno == ENOENT)
            continue; /* gone since it was listed: a racing creator's temporary */
        int is_reg = found && S_ISREG(st.st_mode);
        if ((is_reg && (strcmp(n, ".lock") == 0 || is_root_temp(n))) ||
            (strcmp(n, "oci-layout") == 0 && is_reg && our_layout_at(dirfd(d))) ||
            (strcmp(n, "blobs") == 0 && empty_dir_at(dirfd(d), n, "sha256")))
            continue;
        /* another writer may have finished the store since the caller looked
         * for its index.json (never under the lock: there, it is missing) */
        if (fstatat(dirfd(d), "index.json", &st, AT_SYMLINK_NOFOLLOW) == 0)
            break;
        rc = mlops__error_at(MLOPS_E_EXISTS, -1, 0, 0, root,
                             "%s is neither empty nor a model store (it holds \"%.64s\")",
                             root, n);
        break;
    }
    closedir(d);
    return rc;
}

/* The directory holding `path` (for its fsync). */
static int parent_dir(mlops_buf *out, const char *path)
{
    size_t len = strlen(path);
    while (len > 1 && path[len - 1] == '/')
        len--;
    while (len > 0 && path[len - 1] != '/')
        len--;
    while (len > 1 && path[len - 1] == '/')
        len--;
    mlops__buf_clear(out);
    return len == 0 ? mlops__buf_printf(out, ".") : mlops__buf_printf(out, "%.*s", (int)len, path);
}

static int make_dir(const char *path)
{
    if (mkdir(path, 0755) != 0 && errno != EEXIST)
        return mlops__error_at(MLOPS_E_IO, -1, 0, 0, path, "%s: mkdir failed: %s", path,
                               mlops__strerror(errno));
    return 0;
}

/* Under the lock, with no index.json: finish (or make) the layout. Every
 * step can be repeated, so a creation killed at any point is finished by the
 * next one; index.json last, as its presence is what makes a store. */
static int create_layout(mlops_store *s)
{
    mlops_buf p = MLOPS_BUF_INIT, b = MLOPS_BUF_INIT, up = MLOPS_BUF_INIT;
    int rc = check_new_dir(s->root);
    if (!rc)
        rc = mlops__store_remove_root_temps(s->root, NULL);
    if (!rc)
        rc = mlops__store_path_join(&b, s->root, "blobs");
    if (!rc)
        rc = mlops__store_path_join(&p, s->root, "blobs/sha256");
    if (!rc)
        rc = make_dir(b.data);
    if (!rc)
        rc = make_dir(p.data);
    if (!rc)
        rc = mlops__store_fsync_dir(b.data);
    /* the store's own directory entry, made by mlops_store_open() */
    if (!rc)
        rc = parent_dir(&up, s->root);
    if (!rc)
        rc = mlops__store_fsync_dir(up.data);
    if (!rc)
        rc = mlops__store_replace_file(s->root, "oci-layout", layout_json, sizeof layout_json - 1);
    if (!rc)
        rc = mlops__store_save_index(s);
    mlops_buf_dispose(&p);
    mlops_buf_dispose(&b);
    mlops_buf_dispose(&up);
    return rc;
}

/* Create the layout under the lock, unless another process just did. */
static int lock_store_create(mlops_store *s)
{
    if (flock(s->lock_fd, LOCK_EX) != 0)
        return mlops__error_at(MLOPS_E_IO, -1, 0, 0, s->root, "%s: flock failed: %s", s->root,
                               mlops__strerror(errno));
    mlops_buf p = MLOPS_BUF_INIT;
    int rc = mlops__store_path_join(&p, s->root, "index.json");
    if (!rc && access(p.data, F_OK) != 0) {
        mlops__store_entries_free(s);
        rc = create_layout(s);
    }
    mlops_buf_dispose(&p);
    mlops__store_unlock(s);
    return rc;
}

/* An existing store's oci-layout must say version 1.0.0: a newer layout may
 * keep blobs where this library would not look, so refuse rather than guess. */
static int check_layout_version(const char *root)
{
    mlops_buf p = MLOPS_BUF_INIT, text = MLOPS_BUF_INIT;
    mlops__json_doc *doc = NULL;
    int missing = 0;
    int rc = mlops__store_path_join(&p, root, "oci-layout");
    if (!rc)
        rc = mlops__store_read_file(&text, p.data, 4096, &missing);
    if (!rc && missing)
        rc = mlops__error_at(MLOPS_E_NOTFOUND, -1, 0, 0, root,
                             "%s: no oci-layout file: not a model store", root);
    if (!rc)
        rc = mlops__json_parse(&doc, text.data ? text.data : "", text.size, NULL, "oci-layout");
    if (!rc) {
        const mlops__json *v = mlops__json_object_find(mlops__json_root(doc),
                                                      "imageLayoutVersion");
        const char *version = v && mlops__json_type_of(v) == MLOPS__JSON_STRING
                                  ? mlops__json_string(v, NULL)
                                  : NULL;
        if (!version || strcmp(version, "1.0.0") != 0)
            rc = mlops__error_at(MLOPS_E_VERSION, -1, 0, 0, root,
                                 "%s: OCI layout version %s is not supported (only 1.0.0)",
                                 root, version ? version : "(missing)");
    }
    mlops__json_doc_free(doc);
    mlops_buf_dispose(&text);
    mlops_buf_dispose(&p);
    return rc;
}

int mlops_store_open(mlops_store **out, const char *path, uint32_t flags)
{
    MLOPS__CHECK_ARG(out);
    MLOPS__CHECK_ARG(path);
    MLOPS__CHECK_FLAGS(flags, MLOPS_STORE_CREATE | MLOPS_STORE_NOWAIT);
    mlops_store *s = mlops__calloc(1, sizeof *s);
    if (!s)
        return mlops__error_nomem();
    s->lock_fd = -1;
    s->flags = flags;
    s->root = mlops__strdup(path);
    mlops_buf p = MLOPS_BUF_INIT, layout = MLOPS_BUF_INIT;
    int rc = s->root ? 0 : mlops__error_nomem();
    int missing = 0;
    if (!rc)
        rc = mlops__store_path_join(&p, path, "oci-layout");
    if (!rc && (flags & MLOPS_STORE_CREATE) && mkdir(path, 0755) != 0 && errno != EEXIST)
        rc = mlops__error_at(MLOPS_E_IO, -1, 0, 0, path, "%s: cannot create: %s", path,
                             mlops__strerror(errno));
    if (!rc && !(flags & MLOPS_STORE_CREATE) && access(p.data, F_OK) != 0)
        rc = mlops__error_at(MLOPS_E_NOTFOUND, -1, 0, 0, path, "%s is not a model store", path);
    if (!rc && (flags & MLOPS_STORE_CREATE)) {
        /* before the lock file exists: a refused directory is left as it was
         * (checked again under the lock, before anything is written) */
        rc = mlops__store_path_join(&p, path, "index.json");
        if (!rc && access(p.data, F_OK) != 0)
            rc = check_new_dir(path);
    }
    if (rc)
        goto fail;
    mlops__buf_clear(&p);
    rc = mlops__store_path_join(&p, path, ".lock");
    if (rc)
        goto fail;
    s->lock_fd = open(p.data, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (s->lock_fd < 0) {
        rc = mlops__error_at(MLOPS_E_IO, -1, 0, 0, path, "%s: cannot open the lock file: %s",
                             path, mlops__strerror(errno));
        goto fail;
    }
    rc = mlops__store_path_join(&p, path, "index.json");
    if (!rc)
        rc = mlops__store_read_file(&layout, p.data, META_MAX, &missing);
    if (rc)
        goto fail;
    if (missing) {
        if (!(flags & MLOPS_STORE_CREATE)) {
            rc = mlops__error_at(MLOPS_E_NOTFOUND, -1, 0, 0, path,
                                 "%s is not a model store (no index.json: a creation that was "
                                 "interrupted is finished by the next writer)", path);
            goto fail;
        }
        rc = lock_store_create(s);
    }
    if (!rc)
        rc = check_layout_version(path);
    if (!rc)
        rc = mlops__store_load_index(s, 0);
    if (rc)
        goto fail;
    mlops_buf_dispose(&p);
    mlops_buf_dispose(&layout);
    *out = s;
    return 0;
fail:
    mlops_buf_dispose(&p);
    mlops_buf_dispose(&layout);
    mlops_store_free(s);
    return rc;
}

void mlops_store_free(mlops_store *s)
{
    if (!s)
        return;
    mlops__store_entries_free(s);
    if (s->lock_fd >= 0)
        close(s->lock_fd);
    mlops__free(s->root);
    mlops__free(s);
}

/* ---- names -------------------------------------------------------------- */

int mlops_store_resolve(char **out, mlops_store *s, const char *reference)
{
    MLOPS__CHECK_ARG(out);
    MLOPS__CHECK_ARG(s);
    MLOPS__CHECK_ARG(reference);
    int rc = mlops__store_load_index(s, 0);
    if (rc)
        return rc;
    const entry *e = mlops__store_find_entry(s, reference, KIND_MODEL);
    const char *colon = strrchr(reference, ':');
    if (!e && colon && strcmp(colon + 1, MLOPS_STORE_LATEST) == 0)
        e = mlops__store_latest(s, reference, (size_t)(colon - reference));
    if (!e)
        return mlops__error_at(MLOPS_E_NOTFOUND, -1, 0, 0, reference, "%s: no \"%s\" in the store",
                               s->root, reference);
    char d[MLOPS_DIGEST_STRING_SIZE];
    mlops_digest_format(d, e->d);
    *out = mlops__strdup(d);
    return *out ? 0 : mlops__error_nomem();
}

static int alias_ok(const char *alias)
{
    if (!*alias || strlen(alias) > 128 || mlops_semver_validate(alias) == 0 ||
        strcmp(alias, MLOPS_STORE_LATEST) == 0)
        return 0;
    for (const char *c = alias; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
              *c == '-' || *c == '.' || *c == '_'))
            return 0;
    return 1;
}

int mlops_store_alias_set(mlops_store *s, const char *name, const char *alias,
                          const char *version)
{
    MLOPS__CHECK_ARG(s);
    MLOPS__CHECK_ARG(name);
    MLOPS__CHECK_ARG(alias);
    MLOPS__CHECK_ARG(version);
    if (!alias_ok(alias))
        return mlops__error(MLOPS_E_INVALID, "alias \"%.40s\" must be [A-Za-z0-9._-]+, not "
                                             "a SemVer version and not \"" MLOPS_STORE_LATEST
                                             "\" (every model has it)", alias);
    mlops_buf tag = MLOPS_BUF_INIT, key = MLOPS_BUF_INIT;
    int rc = mlops__buf_printf(&tag, "%s:%s", name, version);
    if (!rc)
        rc = mlops__buf_printf(&key, "%s:%s", name, alias);
    if (!rc)
        rc = mlops__store_lock(s);
    if (rc)
        goto out;
    entry *t = mlops__store_find_entry(s, tag.data, KIND_MODEL);
    if (!t) {
        rc = mlops__error_at(MLOPS_E_NOTFOUND, -1, 0, 0, tag.data, "%s: no tag %s", s->root,
                             tag.data);
        goto unlock;
    }
    uint8_t d[32];
    memcpy(d, t->d, 32);
    uint64_t size = t->size;
    entry *a = mlops__store_find_entry(s, key.data, KIND_MODEL);
    if (a) {
        memcpy(a->d, d, 32);
        a->size = size;
    } else {
        rc = mlops__store_push_entry(s, key.data, KIND_MODEL, d, size);
    }
    history *h = rc ? NULL : mlops__store_find_history(s, key.data);
    if (!rc && !h) {
        h = mlops__store_history_add(s, key.data);
        if (!h)
            rc = MLOPS_E_NOMEM;
    }
    if (!rc)
        rc = mlops__store_history_push(h, version);
    /* the history first, its new line pending; then index.json, the commit.
     * Killed in between, the line is one index.json does not confirm, and
     * every reader ignores it (mlops__store_reconcile()). */
    if (!rc)
        rc = mlops__store_save_history(s);
    if (!rc)
        rc = mlops__store_save_index(s);
unlock:
    mlops__store_unlock(s);
out:
    mlops_buf_dispose(&tag);
    mlops_buf_dispose(&key);
    return rc;
}

int mlops_store_alias_history_list(mlops_strlist **out, mlops_store *s, const char *name,
                                   const char *alias, uint32_t flags)
{
    MLOPS__CHECK_ARG(out);
    MLOPS__CHECK_ARG(s);
    MLOPS__CHECK_ARG(name);
    MLOPS__CHECK_ARG(alias);
    MLOPS__CHECK_FLAGS(flags, 0);
    mlops_buf key = MLOPS_BUF_INIT;
    int rc = mlops__buf_printf(&key, "%s:%s", name, alias);
    if (!rc)
        rc = mlops__store_load_index(s, 0);
    mlops_strlist *l = rc ? NULL : mlops__strlist_new();
    if (!rc && !l)
        rc = MLOPS_E_NOMEM;
    const history *h = rc ? NULL : mlops__store_find_history(s, key.data);
    for (size_t i = 0; h && !rc && i < h->n; i++)
        rc = mlops__strlist_push(l, h->versions[i]);
    mlops_buf_dispose(&key);
    if (rc) {
        mlops_strlist_free(l);
        return rc;
    }
    *out = l;
    return 0;
}
