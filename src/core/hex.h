/*
 * Internal: lowercase hexadecimal, the one encoder every digest, key id and
 * object name of the library is written with.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef MLOPS_CORE_HEX_H
#define MLOPS_CORE_HEX_H

#include <stddef.h>
#include <stdint.h>

/** The sixteen lowercase hex digits, "0123456789abcdef". */
extern const char mlops__hex_digits[17];

/** Lowercase hex of `n` bytes into `out`: 2n digits and a NUL (2n+1 bytes). */
void mlops__hex(char *out, const uint8_t *bytes, size_t n);

#endif /* MLOPS_CORE_HEX_H */
