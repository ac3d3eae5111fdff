/*
 * Internal: strict base64 (RFC 4648) for DSSE envelopes.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef MLOPS_ARTIFACT_BASE64_H
#define MLOPS_ARTIFACT_BASE64_H

#include <stddef.h>

#include "mlops/common.h"

/** Number of characters of the padded standard encoding of `len` bytes, or 0
 *  when it would overflow size_t (only for absurd `len`). */
size_t mlops__base64_encoded_size(size_t len);

/** Append the standard, padded encoding of `len` bytes to `out`.
 *  0, MLOPS_E_NOMEM or MLOPS_E_LIMIT (recorded); `out` unchanged on failure. */
int mlops__base64_encode(mlops_buf *out, const void *data, size_t len);

/**
 * Decode `len` characters, appending the bytes to `out`. Accepts the standard
 * or the URL-safe alphabet (not both in one string), with correct padding or
 * none. Refuses whitespace, misplaced or partial padding, a length that no
 * encoding has, and non-zero bits after the last byte (so one byte string has
 * exactly one accepted spelling per alphabet and padding choice).
 * @param what names the field in the error detail ("payload").
 * @return 0, MLOPS_E_PARSE (the offset of the bad character recorded),
 *         MLOPS_E_NOMEM. `out` unchanged on failure.
 */
int mlops__base64_decode(mlops_buf *out, const char *text, size_t len, const char *what);

#endif /* MLOPS_ARTIFACT_BASE64_H */
