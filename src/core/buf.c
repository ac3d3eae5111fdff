/*
 * A small growable byte buffer: the only way the library builds output.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "core/buf.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"

int mlops__buf_reserve(mlops_buf *buf, size_t extra)
{
    if (extra > SIZE_MAX - 1 - buf->size)
        return mlops__error(MLOPS_E_LIMIT, "buffer size overflow");
    size_t need = buf->size + extra + 1;
    if (need <= buf->capacity)
        return 0;
    /* Grow by half again: amortised O(1) appends without doubling huge buffers. */
    size_t cap = buf->capacity < 64 ? 64 : buf->capacity;
    while (cap < need)
        cap = cap > SIZE_MAX / 3 * 2 ? need : cap + cap / 2;
    char *p = mlops__realloc(buf->data, cap);
    if (!p)
        return mlops__error_nomem();
    if (!buf->data)
        p[0] = '\0';
    buf->data = p;
    buf->capacity = cap;
    return 0;
}

int mlops__buf_append(mlops_buf *buf, const void *data, size_t len)
{
    int rc = mlops__buf_reserve(buf, len);
    if (rc)
        return rc;
    if (len)
        memcpy(buf->data + buf->size, data, len);
    buf->size += len;
    buf->data[buf->size] = '\0';
    return 0;
}

int mlops__buf_append_str(mlops_buf *buf, const char *s)
{
    return mlops__buf_append(buf, s, strlen(s));
}

int mlops__buf_append_byte(mlops_buf *buf, char c)
{
    if (buf->size + 1 < buf->capacity) {
        buf->data[buf->size++] = c;
        buf->data[buf->size] = '\0';
        return 0;
    }
    return mlops__buf_append(buf, &c, 1);
}

int mlops__buf_printf(mlops_buf *buf, const char *fmt, ...)
{
    /* the calling thread's locale, switched to "C" for the call only
     * (uselocale is per thread: other threads keep theirs) */
    locale_t c = mlops__c_locale();
    locale_t old = c ? uselocale(c) : (locale_t)0;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    int rc = n < 0 ? mlops__error(MLOPS_E_INTERNAL, "format error")
                   : mlops__buf_reserve(buf, (size_t)n);
    if (!rc) {
        va_start(ap, fmt);
        vsnprintf(buf->data + buf->size, (size_t)n + 1, fmt, ap);
        va_end(ap);
        buf->size += (size_t)n;
    }
    if (c)
        uselocale(old);
    return rc;
}

void mlops__buf_clear(mlops_buf *buf)
{
    buf->size = 0;
    if (buf->data)
        buf->data[0] = '\0';
}

char *mlops__buf_detach(mlops_buf *buf)
{
    char *s = buf->data;
    if (!s) {
        s = mlops__strdup("");
        if (!s)
            mlops__error_nomem();
        return s;
    }
    buf->data = NULL;
    buf->size = 0;
    buf->capacity = 0;
    return s;
}

void mlops_buf_dispose(mlops_buf *buf)
{
    if (!buf)
        return;
    mlops__free(buf->data);
    buf->data = NULL;
    buf->size = 0;
    buf->capacity = 0;
}
