/*
 * Lowercase hexadecimal.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "core/hex.h"

const char mlops__hex_digits[17] = "0123456789abcdef";

void mlops__hex(char *out, const uint8_t *bytes, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = mlops__hex_digits[bytes[i] >> 4];
        out[2 * i + 1] = mlops__hex_digits[bytes[i] & 15];
    }
    out[2 * n] = '\0';
}
