/*
 * Internal: growing an mlops_buf.
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * All functions keep `data[size] == '\0'` and leave the buffer's content
 * unchanged when they fail. On failure they return MLOPS_E_NOMEM (recorded) or
 * MLOPS_E_LIMIT when the size would overflow.
 */
#ifndef MLOPS_CORE_BUF_H
#define MLOPS_CORE_BUF_H

#include <locale.h>
#include <stdarg.h>
#include <stddef.h>

#include "core/error.h"
#include "mlops/common.h"

/** Make room for `extra` more bytes (plus the NUL). */
int mlops__buf_reserve(mlops_buf *buf, size_t extra);
int mlops__buf_append(mlops_buf *buf, const void *data, size_t len);
int mlops__buf_append_str(mlops_buf *buf, const char *s);
int mlops__buf_append_byte(mlops_buf *buf, char c);
/* The "C" locale object (json_number.c), made once; (locale_t)0 when it
 * could not be made. */
locale_t mlops__c_locale(void);

/* printf into the buffer, in the C locale whatever the application set
 * (setlocale(LC_NUMERIC, "de_DE") would make 0.5 "0,5" in JSON). */
int mlops__buf_printf(mlops_buf *buf, const char *fmt, ...) MLOPS__PRINTF(2, 3);
/** Drop the content but keep the memory. */
void mlops__buf_clear(mlops_buf *buf);
/**
 * Hand the content to the caller as a NUL-terminated string that it frees
 * with mlops_free(); the buffer is left empty. An empty buffer yields "".
 * NULL (recorded as MLOPS_E_NOMEM) only when allocating "" fails.
 */
char *mlops__buf_detach(mlops_buf *buf);

#endif /* MLOPS_CORE_BUF_H */
