/*
 * I/O and thread fault injection: an LD_PRELOAD interposer for tests.
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * Loaded with LD_PRELOAD=libiofault.so into a process (the `mlops` command,
 * a test program), it counts the calls of one class of system-call wrappers
 * and makes the Nth one fail, the way the OOM loop (oom.c) fails the Nth
 * allocation. The library itself is unchanged. Configured by environment:
 *
 *   IOFAULT_CLASS   open | read | write | fsync | rename | link | unlink |
 *                   mkdir | close | trunc | chmod | thread
 *   IOFAULT_N       the 1-based index of the call to fail (0 or unset: none;
 *                   the calls are only counted)
 *   IOFAULT_ERR     ENOSPC (default) | EIO | EDQUOT | EINTR | EAGAIN | EACCES |
 *                   EXDEV | short (read/write: do half of the transfer and
 *                   return the short count)
 *   IOFAULT_STICKY  1: fail call N and every later one of the class (a disk
 *                   that stays full); default: only call N
 *   IOFAULT_ROOT    only paths under this directory, and descriptors opened
 *                   from them, are eligible (so the loader, OpenSSL's
 *                   configuration and standard output/error are never hit);
 *                   unset: every path and every descriptor above 2
 *   IOFAULT_REPORT  a file to which one line "CLASS calls=C failed=F" is
 *                   appended at exit: the driver reads C to know how far to
 *                   loop, and F to know whether the failure happened
 *
 * Only calls made through the dynamic symbol table are seen: the library's,
 * the command's, libarchive's and OpenSSL's calls of the libc functions, not
 * calls libc makes internally (stdio's own writes, for example).
 */
#define _GNU_SOURCE
/* the build defines _FILE_OFFSET_BITS=64, which renames open to open64 and
 * so on in the headers; this file defines both names itself */
#undef _FILE_OFFSET_BITS
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

enum { C_NONE = -1, C_OPEN, C_READ, C_WRITE, C_FSYNC, C_RENAME, C_LINK, C_UNLINK, C_MKDIR,
       C_CLOSE, C_TRUNC, C_CHMOD, C_THREAD, C_COUNT };
static const char *const class_names[C_COUNT] = {
    "open", "read", "write", "fsync", "rename", "link", "unlink", "mkdir",
    "close", "trunc", "chmod", "thread",
};

static int cls = C_NONE;
static long fail_n;
static int fail_err = ENOSPC;
static int fail_short;
static int sticky;
static char root[PATH_MAX];
static size_t root_len;
static int cwd_inside = 1;
static const char *report;
static long calls, failures;

#define MAX_FD 65536
static unsigned char tracked[MAX_FD];

static void iofault_init(void) __attribute__((constructor));
static void iofault_fini(void) __attribute__((destructor));

static void iofault_init(void)
{
    const char *c = getenv("IOFAULT_CLASS");
    if (c)
        for (int i = 0; i < C_COUNT; i++)
            if (strcmp(c, class_names[i]) == 0)
                cls = i;
    const char *n = getenv("IOFAULT_N");
    fail_n = n ? atol(n) : 0;
    const char *e = getenv("IOFAULT_ERR");
    if (e) {
        static const struct { const char *name; int value; } errs[] = {
            {"ENOSPC", ENOSPC}, {"EIO", EIO}, {"EDQUOT", EDQUOT}, {"EINTR", EINTR},
            {"EAGAIN", EAGAIN}, {"EACCES", EACCES}, {"EXDEV", EXDEV}, {"EPERM", EPERM},
        };
        if (strcmp(e, "short") == 0)
            fail_short = 1;
        for (size_t i = 0; i < sizeof errs / sizeof errs[0]; i++)
            if (strcmp(e, errs[i].name) == 0)
                fail_err = errs[i].value;
    }
    const char *s = getenv("IOFAULT_STICKY");
    sticky = s && strcmp(s, "1") == 0;
    const char *r = getenv("IOFAULT_ROOT");
    if (r && *r && strlen(r) < sizeof root) {
        strcpy(root, r);
        root_len = strlen(root);
        while (root_len > 1 && root[root_len - 1] == '/')
            root[--root_len] = '\0';
        char cwd[PATH_MAX];
        cwd_inside = getcwd(cwd, sizeof cwd) && strncmp(cwd, root, root_len) == 0 &&
                     (cwd[root_len] == '/' || cwd[root_len] == '\0');
    }
    report = getenv("IOFAULT_REPORT");
}

static void iofault_fini(void)
{
    if (!report || cls == C_NONE)
        return;
    static int (*real_open)(const char *, int, ...);
    if (!real_open)
        real_open = (int (*)(const char *, int, ...))dlsym(RTLD_NEXT, "open");
    int fd = real_open(report, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0)
        return;
    char line[128];
    int len = snprintf(line, sizeof line, "%s calls=%ld failed=%ld\n", class_names[cls],
                       __atomic_load_n(&calls, __ATOMIC_SEQ_CST),
                       __atomic_load_n(&failures, __ATOMIC_SEQ_CST));
    ssize_t (*real_write)(int, const void *, size_t) =
        (ssize_t (*)(int, const void *, size_t))dlsym(RTLD_NEXT, "write");
    if (len > 0 && real_write(fd, line, (size_t)len) < 0)
        len = 0;
    int (*real_close)(int) = (int (*)(int))dlsym(RTLD_NEXT, "close");
    real_close(fd);
}

static int path_ok(const char *path)
{
    if (!root_len)
        return 1;
    if (!path)
        return 0;
    if (path[0] != '/')
        return cwd_inside;
    return strncmp(path, root, root_len) == 0 && (path[root_len] == '/' || path[root_len] == '\0');
}

static int at_ok(int dirfd, const char *path)
{
    if (!root_len || (path && path[0] == '/'))
        return path_ok(path);
    if (dirfd == AT_FDCWD)
        return cwd_inside;
    return dirfd >= 0 && dirfd < MAX_FD && tracked[dirfd];
}

static int fd_ok(int fd)
{
    if (fd <= 2 || fd >= MAX_FD)
        return 0;
    return !root_len || tracked[fd];
}

static void track(int fd, int eligible)
{
    if (fd >= 0 && fd < MAX_FD)
        tracked[fd] = (unsigned char)(eligible != 0);
}

/* Whether this call (of class `c`, eligible or not) is the one to fail. */
static int hit(int c, int eligible)
{
    if (c != cls || !eligible)
        return 0;
    long k = __atomic_add_fetch(&calls, 1, __ATOMIC_SEQ_CST);
    if (fail_n > 0 && (k == fail_n || (sticky && k > fail_n))) {
        __atomic_add_fetch(&failures, 1, __ATOMIC_SEQ_CST);
        return 1;
    }
    return 0;
}

#define REAL(ret, name, ...)                                                       \
    static ret (*real_##name)(__VA_ARGS__);                                        \
    if (!real_##name)                                                              \
        real_##name = (ret (*)(__VA_ARGS__))dlsym(RTLD_NEXT, #name)

#define FAIL(v) do { errno = fail_err; return (v); } while (0)

/* ---- open ---------------------------------------------------------------- */

static int want_mode(int flags) { return (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE; }

int open(const char *path, int flags, ...)
{
    REAL(int, open, const char *, int, ...);
    mode_t mode = 0;
    if (want_mode(flags)) {
        va_list ap;
        va_start(ap, flags);
        mode = (mode_t)va_arg(ap, int);
        va_end(ap);
    }
    int ok = path_ok(path);
    if (hit(C_OPEN, ok))
        FAIL(-1);
    int fd = real_open(path, flags, mode);
    track(fd, ok);
    return fd;
}

int open64(const char *path, int flags, ...)
{
    REAL(int, open64, const char *, int, ...);
    mode_t mode = 0;
    if (want_mode(flags)) {
        va_list ap;
        va_start(ap, flags);
        mode = (mode_t)va_arg(ap, int);
        va_end(ap);
    }
    int ok = path_ok(path);
    if (hit(C_OPEN, ok))
        FAIL(-1);
    int fd = real_open64(path, flags, mode);
    track(fd, ok);
    return fd;
}

int openat(int dirfd, const char *path, int flags, ...)
{
    REAL(int, openat, int, const char *, int, ...);
    mode_t mode = 0;
    if (want_mode(flags)) {
        va_list ap;
        va_start(ap, flags);
        mode = (mode_t)va_arg(ap, int);
        va_end(ap);
    }
    int ok = at_ok(dirfd, path);
    if (hit(C_OPEN, ok))
        FAIL(-1);
    int fd = real_openat(dirfd, path, flags, mode);
    track(fd, ok);
    return fd;
}

int openat64(int dirfd, const char *path, int flags, ...)
{
    REAL(int, openat64, int, const char *, int, ...);
    mode_t mode = 0;
    if (want_mode(flags)) {
        va_list ap;
        va_start(ap, flags);
        mode = (mode_t)va_arg(ap, int);
        va_end(ap);
    }
    int ok = at_ok(dirfd, path);
    if (hit(C_OPEN, ok))
        FAIL(-1);
    int fd = real_openat64(dirfd, path, flags, mode);
    track(fd, ok);
    return fd;
}

int mkstemp(char *tmpl)
{
    REAL(int, mkstemp, char *);
    int ok = path_ok(tmpl);
    if (hit(C_OPEN, ok))
        FAIL(-1);
    int fd = real_mkstemp(tmpl);
    track(fd, ok);
    return fd;
}

int mkstemp64(char *tmpl)
{
    REAL(int, mkstemp64, char *);
    int ok = path_ok(tmpl);
    if (hit(C_OPEN, ok))
        FAIL(-1);
    int fd = real_mkstemp64(tmpl);
    track(fd, ok);
    return fd;
}

int dup(int fd)
{
    REAL(int, dup, int);
    int r = real_dup(fd);
    track(r, fd >= 0 && fd < MAX_FD && tracked[fd]);
    return r;
}

/* ---- read / write ---------------------------------------------------------- */

ssize_t read(int fd, void *buf, size_t n)
{
    REAL(ssize_t, read, int, void *, size_t);
    if (hit(C_READ, fd_ok(fd) && n > 0)) {
        if (fail_short && n > 1)
            return real_read(fd, buf, n / 2);
        if (!fail_short)
            FAIL(-1);
    }
    return real_read(fd, buf, n);
}

ssize_t pread(int fd, void *buf, size_t n, off_t off)
{
    REAL(ssize_t, pread, int, void *, size_t, off_t);
    if (hit(C_READ, fd_ok(fd) && n > 0)) {
        if (fail_short && n > 1)
            return real_pread(fd, buf, n / 2, off);
        if (!fail_short)
            FAIL(-1);
    }
    return real_pread(fd, buf, n, off);
}

ssize_t pread64(int fd, void *buf, size_t n, off_t off)
{
    REAL(ssize_t, pread64, int, void *, size_t, off_t);
    if (hit(C_READ, fd_ok(fd) && n > 0)) {
        if (fail_short && n > 1)
            return real_pread64(fd, buf, n / 2, off);
        if (!fail_short)
            FAIL(-1);
    }
    return real_pread64(fd, buf, n, off);
}

ssize_t write(int fd, const void *buf, size_t n)
{
    REAL(ssize_t, write, int, const void *, size_t);
    if (hit(C_WRITE, fd_ok(fd) && n > 0)) {
        if (fail_short && n > 1)
            return real_write(fd, buf, n / 2);
        if (!fail_short)
            FAIL(-1);
    }
    return real_write(fd, buf, n);
}

ssize_t pwrite(int fd, const void *buf, size_t n, off_t off)
{
    REAL(ssize_t, pwrite, int, const void *, size_t, off_t);
    if (hit(C_WRITE, fd_ok(fd) && n > 0)) {
        if (fail_short && n > 1)
            return real_pwrite(fd, buf, n / 2, off);
        if (!fail_short)
            FAIL(-1);
    }
    return real_pwrite(fd, buf, n, off);
}

ssize_t pwrite64(int fd, const void *buf, size_t n, off_t off)
{
    REAL(ssize_t, pwrite64, int, const void *, size_t, off_t);
    if (hit(C_WRITE, fd_ok(fd) && n > 0)) {
        if (fail_short && n > 1)
            return real_pwrite64(fd, buf, n / 2, off);
        if (!fail_short)
            FAIL(-1);
    }
    return real_pwrite64(fd, buf, n, off);
}

ssize_t writev(int fd, const struct iovec *iov, int cnt)
{
    REAL(ssize_t, writev, int, const struct iovec *, int);
    if (hit(C_WRITE, fd_ok(fd) && cnt > 0)) {
        if (fail_short && iov[0].iov_len > 1)
            return real_writev(fd, iov, 1) > 0 ? (ssize_t)iov[0].iov_len : -1;
        if (!fail_short)
            FAIL(-1);
    }
    return real_writev(fd, iov, cnt);
}

ssize_t copy_file_range(int in, off_t *in_off, int out, off_t *out_off, size_t n,
                        unsigned flags)
{
    REAL(ssize_t, copy_file_range, int, off_t *, int, off_t *, size_t, unsigned);
    if (hit(C_WRITE, fd_ok(out) && n > 0)) {
        if (fail_short && n > 1)
            return real_copy_file_range(in, in_off, out, out_off, n / 2, flags);
        if (!fail_short)
            FAIL(-1);
    }
    return real_copy_file_range(in, in_off, out, out_off, n, flags);
}

/* ---- durability, names, metadata --------------------------------------------- */

int fsync(int fd)
{
    REAL(int, fsync, int);
    if (hit(C_FSYNC, fd_ok(fd)))
        FAIL(-1);
    return real_fsync(fd);
}

int fdatasync(int fd)
{
    REAL(int, fdatasync, int);
    if (hit(C_FSYNC, fd_ok(fd)))
        FAIL(-1);
    return real_fdatasync(fd);
}

int sync_file_range(int fd, off_t off, off_t n, unsigned flags)
{
    REAL(int, sync_file_range, int, off_t, off_t, unsigned);
    if (hit(C_FSYNC, fd_ok(fd)))
        FAIL(-1);
    return real_sync_file_range(fd, off, n, flags);
}

int rename(const char *a, const char *b)
{
    REAL(int, rename, const char *, const char *);
    if (hit(C_RENAME, path_ok(b)))
        FAIL(-1);
    return real_rename(a, b);
}

int renameat(int da, const char *a, int db, const char *b)
{
    REAL(int, renameat, int, const char *, int, const char *);
    if (hit(C_RENAME, at_ok(db, b)))
        FAIL(-1);
    return real_renameat(da, a, db, b);
}

int renameat2(int da, const char *a, int db, const char *b, unsigned flags)
{
    REAL(int, renameat2, int, const char *, int, const char *, unsigned);
    if (hit(C_RENAME, at_ok(db, b)))
        FAIL(-1);
    return real_renameat2(da, a, db, b, flags);
}

int link(const char *a, const char *b)
{
    REAL(int, link, const char *, const char *);
    if (hit(C_LINK, path_ok(b)))
        FAIL(-1);
    return real_link(a, b);
}

int linkat(int da, const char *a, int db, const char *b, int flags)
{
    REAL(int, linkat, int, const char *, int, const char *, int);
    if (hit(C_LINK, at_ok(db, b)))
        FAIL(-1);
    return real_linkat(da, a, db, b, flags);
}

int unlink(const char *p)
{
    REAL(int, unlink, const char *);
    if (hit(C_UNLINK, path_ok(p)))
        FAIL(-1);
    return real_unlink(p);
}

int unlinkat(int d, const char *p, int flags)
{
    REAL(int, unlinkat, int, const char *, int);
    if (hit(C_UNLINK, at_ok(d, p)))
        FAIL(-1);
    return real_unlinkat(d, p, flags);
}

int mkdir(const char *p, mode_t m)
{
    REAL(int, mkdir, const char *, mode_t);
    if (hit(C_MKDIR, path_ok(p)))
        FAIL(-1);
    return real_mkdir(p, m);
}

int mkdirat(int d, const char *p, mode_t m)
{
    REAL(int, mkdirat, int, const char *, mode_t);
    if (hit(C_MKDIR, at_ok(d, p)))
        FAIL(-1);
    return real_mkdirat(d, p, m);
}

int ftruncate(int fd, off_t n)
{
    REAL(int, ftruncate, int, off_t);
    if (hit(C_TRUNC, fd_ok(fd)))
        FAIL(-1);
    return real_ftruncate(fd, n);
}

int ftruncate64(int fd, off_t n)
{
    REAL(int, ftruncate64, int, off_t);
    if (hit(C_TRUNC, fd_ok(fd)))
        FAIL(-1);
    return real_ftruncate64(fd, n);
}

int fchmod(int fd, mode_t m)
{
    REAL(int, fchmod, int, mode_t);
    if (hit(C_CHMOD, fd_ok(fd)))
        FAIL(-1);
    return real_fchmod(fd, m);
}

/* close: the descriptor is released either way, as Linux does on EIO. */
int close(int fd)
{
    REAL(int, close, int);
    int eligible = fd_ok(fd);
    track(fd, 0);
    int r = real_close(fd);
    if (r == 0 && hit(C_CLOSE, eligible))
        FAIL(-1);
    return r;
}

/* ---- threads ----------------------------------------------------------------- */

int pthread_create(pthread_t *t, const pthread_attr_t *attr, void *(*fn)(void *), void *arg)
{
    REAL(int, pthread_create, pthread_t *, const pthread_attr_t *, void *(*)(void *), void *);
    if (hit(C_THREAD, 1))
        return fail_err == ENOSPC ? EAGAIN : fail_err;
    return real_pthread_create(t, attr, fn, arg);
}
