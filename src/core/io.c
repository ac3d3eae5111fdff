/*
 * Reading all of what was asked for (see io.h).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "io.h"

#include <errno.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/error.h"

ssize_t mlops__read_full(int fd, void *buf, size_t n)
{
    char *p = buf;
    size_t done = 0;
    while (done < n) {
        ssize_t r = read(fd, p + done, n - done);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return -1;
        if (r == 0)
            break;
        done += (size_t)r;
    }
    return (ssize_t)done;
}

ssize_t mlops__pread_full(int fd, void *buf, size_t n, off_t off)
{
    char *p = buf;
    size_t done = 0;
    while (done < n) {
        ssize_t r = pread(fd, p + done, n - done, off + (off_t)done);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return -1;
        if (r == 0)
            break;
        done += (size_t)r;
    }
    return (ssize_t)done;
}

int mlops__read_all_limited(mlops_buf *out, int fd, size_t max, const char *path,
                            const char *what)
{
    for (;;) {
        if (out->size > max)
            return mlops__error_at(MLOPS_E_LIMIT, -1, 0, 0, path, "%s: more than %zu bytes, %s",
                                   path, max, what);
        int rc = mlops__buf_reserve(out, 4096);
        if (rc)
            return rc;
        ssize_t n = read(fd, out->data + out->size, 4096);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return mlops__error_at(MLOPS_E_IO, -1, 0, 0, path, "%s: read failed: %s", path,
                                   mlops__strerror(errno));
        if (n == 0)
            return 0;
        out->size += (size_t)n;
        out->data[out->size] = '\0';
    }
}
