/*
 * The calling thread's last error, and the names of the error codes.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "core/error.h"

#include <stdio.h>
#include <string.h>

/* Detail messages longer than this are cut; a path this long is cut too. */
#define DETAIL_SIZE 1024
#define PATH_SIZE 512

typedef struct last_error {
    int code;
    int64_t offset;
    uint32_t line;
    uint32_t column;
    char message[DETAIL_SIZE];
    char path[PATH_SIZE];
} last_error;

/* Thread-local so that concurrent callers (Go goroutines on several OS threads,
 * Python threads) each read their own failure. Static storage: reporting an
 * error must never need memory. */
static _Thread_local last_error tls_error = { 0, -1, 0, 0, "", "" };

/* Format into a local buffer first: callers may pass the current detail
 * (mlops_error_last()) as an argument when they re-record an error with more
 * context, and vsnprintf's source and destination must not overlap. */
static void set_message(const char *fmt, va_list ap) MLOPS__PRINTF(1, 0);
/* A text cut at `size - 1` bytes ends on a whole UTF-8 character: a lead
 * byte whose sequence the cut left incomplete is dropped with its
 * continuation bytes (a cut name stays valid UTF-8 when it was). */
static void cut_whole(char *t, size_t size, int n)
{
    if (n < 0 || (size_t)n < size)
        return;
    size_t end = size - 1, i = end;
    while (i > 0 && end - i < 4 && ((unsigned char)t[i - 1] & 0xC0) == 0x80)
        i--;
    if (i == 0)
        return;
    unsigned c = (unsigned char)t[i - 1];
    size_t need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
    if (c >= 0xC0 && end - (i - 1) < need)
        t[i - 1] = '\0';
}

static void set_message(const char *fmt, va_list ap)
{
    char tmp[DETAIL_SIZE];
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    if (n < 0)
        tmp[0] = '\0';
    cut_whole(tmp, sizeof tmp, n);
    memcpy(tls_error.message, tmp, sizeof tmp);
}

static void set_path(const char *path)
{
    char tmp[PATH_SIZE];
    int n = snprintf(tmp, sizeof tmp, "%s", path ? path : "");
    cut_whole(tmp, sizeof tmp, n);
    memcpy(tls_error.path, tmp, sizeof tmp);
}

int mlops__error(int code, const char *fmt, ...)
{
    va_list ap;
    tls_error.code = code;
    tls_error.offset = -1;
    tls_error.line = 0;
    tls_error.column = 0;
    tls_error.path[0] = '\0';
    va_start(ap, fmt);
    set_message(fmt, ap);
    va_end(ap);
    return code;
}

int mlops__error_at(int code, int64_t offset, uint32_t line, uint32_t column,
                    const char *path, const char *fmt, ...)
{
    va_list ap;
    tls_error.code = code;
    tls_error.offset = offset;
    tls_error.line = line;
    tls_error.column = column;
    va_start(ap, fmt);
    set_message(fmt, ap);
    va_end(ap);
    set_path(path); /* after the message: an argument may point at the old path */
    return code;
}

int mlops__error_nomem(void)
{
    return mlops__error(MLOPS_E_NOMEM, "out of memory");
}

int mlops__error_prefix(const char *fmt, ...)
{
    char prefix[DETAIL_SIZE];
    char old[DETAIL_SIZE];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    if (n < 0)
        return tls_error.code;
    memcpy(old, tls_error.message, sizeof old);
    /* Assemble by hand: truncation of an over-long detail is intended. */
    size_t plen = strlen(prefix), olen = strlen(old), cap = sizeof tls_error.message - 1;
    size_t at = 0;
    memcpy(tls_error.message, prefix, plen < cap ? plen : cap);
    at = plen < cap ? plen : cap;
    if (at + 2 <= cap) {
        memcpy(tls_error.message + at, ": ", 2);
        at += 2;
    }
    size_t rest = cap - at;
    memcpy(tls_error.message + at, old, olen < rest ? olen : rest);
    at += olen < rest ? olen : rest;
    tls_error.message[at] = '\0';
    cut_whole(tls_error.message, sizeof tls_error.message, (int)(plen + 2 + olen));
    return tls_error.code;
}

const char *mlops_error_last(void) { return tls_error.message; }
int mlops_error_last_code(void) { return tls_error.code; }
int64_t mlops_error_last_offset(void) { return tls_error.offset; }
uint32_t mlops_error_last_line(void) { return tls_error.line; }
uint32_t mlops_error_last_column(void) { return tls_error.column; }
const char *mlops_error_last_path(void) { return tls_error.path; }

void mlops_error_clear(void)
{
    tls_error.code = 0;
    tls_error.offset = -1;
    tls_error.line = 0;
    tls_error.column = 0;
    tls_error.message[0] = '\0';
    tls_error.path[0] = '\0';
}

/* One table for both the symbolic name and the description, indexed by -code,
 * so the two can never disagree. Append-only, like the enum. */
static const struct {
    const char *name;
    const char *text;
} error_table[] = {
    { "MLOPS_OK", "no error" },
    { "MLOPS_E_INVALID", "invalid argument" },
    { "MLOPS_E_NOMEM", "out of memory" },
    { "MLOPS_E_IO", "input/output error" },
    { "MLOPS_E_PARSE", "parse error" },
    { "MLOPS_E_SCHEMA", "schema violation" },
    { "MLOPS_E_LIMIT", "limit exceeded" },
    { "MLOPS_E_NOTFOUND", "not found" },
    { "MLOPS_E_EXISTS", "already exists" },
    { "MLOPS_E_INTEGRITY", "integrity check failed" },
    { "MLOPS_E_SIGNATURE", "signature verification failed" },
    { "MLOPS_E_UNSAFE", "unsafe archive entry" },
    { "MLOPS_E_VERSION", "unsupported version" },
    { "MLOPS_E_CANCELLED", "cancelled" },
    { "MLOPS_E_DOMAIN", "input outside the domain of the computation" },
    { "MLOPS_E_LOCKED", "locked by another writer" },
    { "MLOPS_E_CRYPTO", "cryptographic library error" },
    { "MLOPS_E_UNSUPPORTED", "not supported" },
    { "MLOPS_E_INTERNAL", "internal error" },
};

#define ERROR_COUNT ((int)(sizeof error_table / sizeof error_table[0]))

const char *mlops_strerror(int code)
{
    if (code > 0 || code <= -ERROR_COUNT) /* not -code: INT_MIN has no negation */
        return "unknown error";
    return error_table[-code].text;
}

const char *mlops_error_name(int code)
{
    if (code > 0 || code <= -ERROR_COUNT)
        return "MLOPS_E_UNKNOWN";
    return error_table[-code].name;
}

const char *mlops__strerror_r(int errnum, char *buf, size_t len)
{
    /* XSI strerror_r (the build asks for _XOPEN_SOURCE=700, not _GNU_SOURCE). */
    if (len == 0)
        return "";
    buf[0] = '\0';
    /* An unknown value gives EINVAL and, with glibc, "Unknown error N". */
    if (strerror_r(errnum, buf, len) != 0 && buf[0] == '\0')
        snprintf(buf, len, "error %d", errnum);
    return buf;
}
