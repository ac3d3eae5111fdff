/*
 * Internal: recording the calling thread's last error.
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * Every failing public function records a detail here and returns the code, so
 * callers write `return mlops__error(MLOPS_E_PARSE, "...")`. Recording never
 * allocates: the detail lives in fixed thread-local storage, so an
 * out-of-memory failure can always be reported.
 */
#ifndef MLOPS_CORE_ERROR_H
#define MLOPS_CORE_ERROR_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "mlops/common.h"

#if defined(__GNUC__)
#  define MLOPS__PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#  define MLOPS__PRINTF(f, a)
#endif

/** Record `code` with a printf-style detail; returns `code`. */
int mlops__error(int code, const char *fmt, ...) MLOPS__PRINTF(2, 3);

/**
 * Record `code` with a position in an input: byte offset (or -1), 1-based line
 * and column (or 0), and a path (file, entry or JSON path; NULL for none).
 * Returns `code`.
 */
int mlops__error_at(int code, int64_t offset, uint32_t line, uint32_t column,
                    const char *path, const char *fmt, ...) MLOPS__PRINTF(6, 7);

/** The standard out-of-memory record; returns MLOPS_E_NOMEM. */
int mlops__error_nomem(void);

/**
 * The text of an errno value, thread-safe: strerror() may return a static
 * buffer that another thread overwrites. Writes into `buf` (strerror_r) and
 * returns it. Use through mlops__strerror(), which supplies a buffer that
 * lives until the end of the enclosing block.
 */
const char *mlops__strerror_r(int errnum, char *buf, size_t len);
#define mlops__strerror(errnum) mlops__strerror_r((errnum), (char[128]){0}, 128)

/**
 * Prefix the current detail with "context: " (a file name, the function that
 * failed) without changing the code or position; returns the current code.
 */
int mlops__error_prefix(const char *fmt, ...) MLOPS__PRINTF(1, 2);

/** Validate a required pointer argument; records MLOPS_E_INVALID naming it. */
#define MLOPS__CHECK_ARG(ptr)                                                          \
    do {                                                                               \
        if ((ptr) == NULL)                                                             \
            return mlops__error(MLOPS_E_INVALID, "%s: argument '%s' must not be NULL", \
                                __func__, #ptr);                                       \
    } while (0)

/** Validate a flags argument that must be 0 in this version. */
#define MLOPS__CHECK_FLAGS(flags, known)                                                  \
    do {                                                                                  \
        if (((flags) & ~(uint32_t)(known)) != 0)                                          \
            return mlops__error(MLOPS_E_INVALID, "%s: unknown flag bits 0x%x", __func__, \
                                (unsigned)((flags) & ~(uint32_t)(known)));                \
    } while (0)

#endif /* MLOPS_CORE_ERROR_H */
