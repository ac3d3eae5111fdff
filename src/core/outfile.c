/*
 * Writing an output file: atomically over a regular file, through a symbolic
 * link to its target, straight into a device or FIFO (see outfile.h).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#define _GNU_SOURCE /* renameat2 and RENAME_NOREPLACE */

#include "core/outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int fail(char *err, size_t errlen, int e, const char *path, const char *why)
{
    if (err && errlen) {
        /* GNU strerror_r (this file asks for _GNU_SOURCE): strerror() is not
         * thread-safe, and this code runs inside the library. */
        char eb[128];
        snprintf(err, errlen, "%s: %s%s%s", path, why, e ? ": " : "",
                 e ? strerror_r(e, eb, sizeof eb) : "");
    }
    return e ? e : EIO;
}

/* A message without strerror(), returning `ret`. */
static int refuse(char *err, size_t errlen, int ret, const char *path, const char *why)
{
    if (err && errlen)
        snprintf(err, errlen, "%s: %s", path, why);
    return ret;
}

/* The descriptor a path names by convention, or -1. */
static int inherited_fd(const char *path)
{
    if (strcmp(path, "/dev/stdout") == 0)
        return 1;
    if (strcmp(path, "/dev/stderr") == 0)
        return 2;
    const char *num = NULL;
    if (strncmp(path, "/dev/fd/", 8) == 0)
        num = path + 8;
    else if (strncmp(path, "/proc/self/fd/", 14) == 0)
        num = path + 14;
    if (!num || !*num)
        return -1;
    long v = 0;
    for (const char *p = num; *p; p++) {
        if (*p < '0' || *p > '9' || v > 1000000)
            return -1;
        v = v * 10 + (*p - '0');
    }
    return (int)v;
}

static void tmpdir_prefix(mlops__outfile *o)
{
    const char *t = getenv("TMPDIR");
    if (!t || t[0] != '/' || strlen(t) > MLOPS__OUT_PATH_MAX - 16)
        t = "/tmp";
    snprintf(o->tmp_prefix, sizeof o->tmp_prefix, "%s/mlops", t);
}

static int open_through(mlops__outfile *o, const char *path, char *err, size_t errlen)
{
    o->through = 1;
    snprintf(o->target, sizeof o->target, "%s", path);
    tmpdir_prefix(o);
    int fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        return fail(err, errlen, errno, path, "cannot open for writing");
    struct stat st;
    if (fstat(fd, &st) != 0 || !(S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode))) {
        close(fd);
        return refuse(err, errlen, EAGAIN, path, "changed while it was opened");
    }
    o->fd = fd;
    return 0;
}

static unsigned temp_random(void)
{
    static atomic_uint counter;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    unsigned x = (unsigned)ts.tv_nsec ^ (unsigned)ts.tv_sec * 2654435761u ^
                 (atomic_fetch_add(&counter, 1) + 1u) * 40503u ^ (unsigned)getpid() << 16;
    x ^= x >> 15;
    x *= 0x2c1b3c6du;
    x ^= x >> 12;
    return x;
}

int mlops__outfile_open(mlops__outfile *o, const char *path, unsigned flags, unsigned mode,
                        char *err, size_t errlen)
{
    memset(o, 0, sizeof *o);
    o->fd = -1;
    o->flags = flags;
    if (!path || !path[0])
        return fail(err, errlen, EINVAL, "(output)", "empty path");
    if (strlen(path) >= MLOPS__OUT_PATH_MAX)
        return fail(err, errlen, ENAMETOOLONG, path, "path too long");

    int fdn = inherited_fd(path);
    if (fdn >= 0) {
        o->through = 1;
        snprintf(o->target, sizeof o->target, "%s", path);
        tmpdir_prefix(o);
        o->fd = fcntl(fdn, F_DUPFD_CLOEXEC, 3);
        if (o->fd < 0)
            return fail(err, errlen, errno, path, "cannot write to this descriptor");
        return 0;
    }

    struct stat st;
    if (stat(path, &st) == 0) {
        if (S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode))
            return open_through(o, path, err, errlen);
        if (S_ISDIR(st.st_mode))
            return fail(err, errlen, EISDIR, path, "cannot write");
        if (!S_ISREG(st.st_mode))
            return refuse(err, errlen, ENOTSUP, path,
                          "not a regular file, character device or FIFO; refusing to write "
                          "to it");
    } else if (errno != ENOENT) {
        return fail(err, errlen, errno, path, "cannot write");
    }

    /* Follow symbolic links one by one to the file that receives the bytes. */
    char cur[MLOPS__OUT_PATH_MAX];
    snprintf(cur, sizeof cur, "%s", path);
    struct stat ls;
    int exists = 0;
    for (int hops = 0;; hops++) {
        if (lstat(cur, &ls) != 0) {
            if (errno != ENOENT)
                return fail(err, errlen, errno, cur, "cannot write");
            break;
        }
        if (!S_ISLNK(ls.st_mode)) {
            if (!S_ISREG(ls.st_mode))
                return refuse(err, errlen, EAGAIN, path, "changed while it was opened");
            exists = 1;
            break;
        }
        if (hops == 40)
            return fail(err, errlen, ELOOP, path, "cannot write");
        char link[MLOPS__OUT_PATH_MAX];
        ssize_t n = readlink(cur, link, sizeof link - 1);
        if (n < 0)
            return fail(err, errlen, errno, cur, "cannot read the symbolic link");
        link[n] = '\0';
        if (link[0] == '/') {
            memcpy(cur, link, (size_t)n + 1);
        } else {
            char *slash = strrchr(cur, '/');
            size_t keep = slash ? (size_t)(slash - cur) + 1 : 0;
            if (keep + (size_t)n >= sizeof cur)
                return fail(err, errlen, ENAMETOOLONG, path, "cannot write");
            memcpy(cur + keep, link, (size_t)n + 1);
        }
    }
    struct stat given;
    if (!(flags & MLOPS__OUT_OVERWRITE) && lstat(path, &given) == 0)
        return refuse(err, errlen, EEXIST, path, "already exists");
    o->existed = exists;
    memcpy(o->target, cur, sizeof cur);
    memcpy(o->tmp_prefix, cur, sizeof cur);

#ifdef O_TMPFILE
    /* A file without a name in the target's directory: a writer killed
     * before the commit leaves nothing behind. It is given a name only at
     * the commit, through /proc/self/fd (linkat with AT_EMPTY_PATH needs a
     * capability), so it is used only where that works. */
    if (!(flags & MLOPS__OUT_NAMED_TEMP) && access("/proc/self/fd", X_OK) == 0) {
        char dir[MLOPS__OUT_PATH_MAX];
        const char *slash = strrchr(cur, '/');
        if (!slash)
            snprintf(dir, sizeof dir, ".");
        else
            snprintf(dir, sizeof dir, "%.*s", (int)(slash == cur ? 1 : slash - cur), cur);
        o->fd = open(dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, exists ? 0600 : (mode_t)mode);
        if (o->fd >= 0) {
            o->anonymous = 1;
            o->tmp[0] = '\0';
            if (exists && fchmod(o->fd, ls.st_mode & 07777) != 0) {
                int e = errno;
                mlops__outfile_abort(o);
                return fail(err, errlen, e, cur, "cannot set the mode of the new file");
            }
            return 0;
        }
        /* file systems without O_TMPFILE: a named temporary below */
        if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL && errno != ENOTSUP) {
            int e = errno;
            return fail(err, errlen, e, cur, "cannot create a temporary file beside it");
        }
    }
#endif
    for (int tries = 0; tries < 100; tries++) {
        int k = snprintf(o->tmp, sizeof o->tmp, "%s.mlops-tmp-%08x", cur, temp_random());
        if (k < 0 || (size_t)k >= sizeof o->tmp)
            return fail(err, errlen, ENAMETOOLONG, path, "cannot write");
        o->fd = open(o->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
                     exists ? 0600 : (mode_t)mode);
        if (o->fd >= 0)
            break;
        if (errno != EEXIST) {
            int e = errno;
            o->tmp[0] = '\0';
            return fail(err, errlen, e, cur, "cannot create a temporary file beside it");
        }
    }
    if (o->fd < 0) {
        o->tmp[0] = '\0';
        return fail(err, errlen, EEXIST, cur, "cannot create a temporary file beside it");
    }
    if (exists && fchmod(o->fd, ls.st_mode & 07777) != 0) {
        int e = errno;
        mlops__outfile_abort(o);
        return fail(err, errlen, e, cur, "cannot set the mode of the new file");
    }
    return 0;
}

int mlops__outfile_write(mlops__outfile *o, const void *data, size_t size, char *err,
                         size_t errlen)
{
    const char *p = data;
    while (size) {
        ssize_t n = write(o->fd, p, size);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return fail(err, errlen, n < 0 ? errno : EIO, o->target, "write failed");
        p += n;
        size -= (size_t)n;
    }
    return 0;
}

static void fsync_dir_of(const char *path)
{
    char dir[MLOPS__OUT_PATH_MAX];
    const char *slash = strrchr(path, '/');
    if (!slash)
        snprintf(dir, sizeof dir, ".");
    else
        snprintf(dir, sizeof dir, "%.*s", (int)(slash == path ? 1 : slash - path), path);
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        (void)fsync(fd);
        close(fd);
    }
}

static int rename_into_place(const char *from, const char *to, int overwrite)
{
    if (overwrite)
        return rename(from, to);
#ifdef RENAME_NOREPLACE
    if (renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) == 0)
        return 0;
    if (errno != EINVAL && errno != ENOSYS)
        return -1;
#endif
    /* link() never replaces: the fallback for file systems without
     * RENAME_NOREPLACE. */
    if (link(from, to) != 0)
        return -1;
    return unlink(from);
}

/*
 * Give the anonymous file a name. Without overwrite it is linked straight to
 * the target: linkat never replaces (EEXIST when a file appeared there), so
 * no temporary name is ever seen. With overwrite it is linked to a temporary
 * name, which the caller renames over the target: only a writer killed
 * between the two calls leaves that name behind. 0, or -1 with errno.
 */
static int name_anonymous(mlops__outfile *o)
{
    char proc[64];
    snprintf(proc, sizeof proc, "/proc/self/fd/%d", o->fd);
    if (!(o->flags & MLOPS__OUT_OVERWRITE))
        return linkat(AT_FDCWD, proc, AT_FDCWD, o->target, AT_SYMLINK_FOLLOW);
    for (int tries = 0; tries < 100; tries++) {
        int k = snprintf(o->tmp, sizeof o->tmp, "%s.mlops-tmp-%08x", o->target, temp_random());
        if (k < 0 || (size_t)k >= sizeof o->tmp) {
            o->tmp[0] = '\0';
            errno = ENAMETOOLONG;
            return -1;
        }
        if (linkat(AT_FDCWD, proc, AT_FDCWD, o->tmp, AT_SYMLINK_FOLLOW) == 0)
            return 0;
        if (errno != EEXIST) {
            o->tmp[0] = '\0';
            return -1;
        }
    }
    o->tmp[0] = '\0';
    errno = EEXIST;
    return -1;
}

int mlops__outfile_commit(mlops__outfile *o, char *err, size_t errlen)
{
    if (o->fd < 0)
        return fail(err, errlen, EBADF, o->target, "not open");
    if (o->through) {
        int rc = close(o->fd);
        o->fd = -1;
        return rc != 0 && errno != EINTR ? fail(err, errlen, errno, o->target, "write failed")
                                         : 0;
    }
    int e = 0;
    if (fsync(o->fd) != 0)
        e = errno;
    if (!e && o->anonymous && name_anonymous(o) != 0)
        e = errno;
    if (close(o->fd) != 0 && !e)
        e = errno;
    o->fd = -1;
    if (e == EEXIST && o->anonymous && !o->tmp[0]) {
        mlops__outfile_abort(o);
        return refuse(err, errlen, EEXIST, o->target, "already exists");
    }
    if (e) {
        mlops__outfile_abort(o);
        return fail(err, errlen, e, o->target, "write failed");
    }
    if (o->anonymous && !o->tmp[0]) {
        /* linked straight to the target: nothing to rename */
        fsync_dir_of(o->target);
        return 0;
    }
    if (rename_into_place(o->tmp, o->target, (o->flags & MLOPS__OUT_OVERWRITE) != 0) != 0) {
        e = errno;
        mlops__outfile_abort(o);
        if (e == EEXIST)
            return refuse(err, errlen, EEXIST, o->target, "already exists");
        return fail(err, errlen, e, o->target, "cannot rename the new file into place");
    }
    o->tmp[0] = '\0';
    fsync_dir_of(o->target);
    return 0;
}

void mlops__outfile_abort(mlops__outfile *o)
{
    if (o->fd >= 0)
        close(o->fd);
    o->fd = -1;
    if (!o->through && o->tmp[0])
        unlink(o->tmp);
    o->tmp[0] = '\0';
}
