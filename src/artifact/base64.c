/*
 * Strict base64 (RFC 4648 §4 and §5).
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * Written here rather than through EVP_DecodeBlock, which skips whitespace,
 * tolerates stray bits and pads its output with zero bytes: a signature
 * envelope must decode to exactly one byte string.
 */
#include "artifact/base64.h"

#include <stdint.h>
#include <string.h>

#include "core/buf.h"
#include "core/error.h"

static const char std_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t mlops__base64_encoded_size(size_t len)
{
    size_t groups = len / 3 + (len % 3 != 0);
    if (groups > SIZE_MAX / 4)
        return 0;
    return groups * 4;
}

int mlops__base64_encode(mlops_buf *out, const void *data, size_t len)
{
    size_t n = mlops__base64_encoded_size(len);
    if (n == 0 && len != 0)
        return mlops__error(MLOPS_E_LIMIT, "base64: input of %zu bytes is too large", len);
    int rc = mlops__buf_reserve(out, n);
    if (rc)
        return rc;
    const unsigned char *p = data;
    char *o = out->data + out->size;
    size_t i = 0;
    for (; i + 3 <= len; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
        *o++ = std_alphabet[v >> 18];
        *o++ = std_alphabet[(v >> 12) & 63];
        *o++ = std_alphabet[(v >> 6) & 63];
        *o++ = std_alphabet[v & 63];
    }
    if (len - i == 1) {
        uint32_t v = (uint32_t)p[i] << 16;
        *o++ = std_alphabet[v >> 18];
        *o++ = std_alphabet[(v >> 12) & 63];
        *o++ = '=';
        *o++ = '=';
    } else if (len - i == 2) {
        uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8;
        *o++ = std_alphabet[v >> 18];
        *o++ = std_alphabet[(v >> 12) & 63];
        *o++ = std_alphabet[(v >> 6) & 63];
        *o++ = '=';
    }
    out->size += n;
    out->data[out->size] = '\0';
    return 0;
}

enum { ALPHA_NONE = 0, ALPHA_STD = 1, ALPHA_URL = 2 };

/* Value of a character, or -1; `*kind` tells which alphabet's special
 * characters it belongs to (ALPHA_NONE for the shared ones). */
static int char_value(char c, int *kind)
{
    *kind = ALPHA_NONE;
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+' || c == '/') {
        *kind = ALPHA_STD;
        return c == '+' ? 62 : 63;
    }
    if (c == '-' || c == '_') {
        *kind = ALPHA_URL;
        return c == '-' ? 62 : 63;
    }
    return -1;
}

static int bad_char(const char *what, size_t at, const char *why)
{
    return mlops__error_at(MLOPS_E_PARSE, (int64_t)at, 0, 0, NULL,
                           "%s: invalid base64 at character %zu: %s", what, at, why);
}

int mlops__base64_decode(mlops_buf *out, const char *text, size_t len, const char *what)
{
    /* Split off the padding, which may only be the last one or two characters
     * of a string whose length is a multiple of 4. */
    size_t pad = 0;
    while (pad < len && pad < 3 && text[len - 1 - pad] == '=')
        pad++;
    size_t body = len - pad;
    /* Check every character before touching `out`, so a failure leaves it
     * exactly as it was (memory included). */
    int alphabet = ALPHA_NONE;
    for (size_t i = 0; i < body; i++) {
        int kind;
        if (char_value(text[i], &kind) < 0)
            return bad_char(what, i, text[i] == '=' ? "padding before the end"
                                                    : "not a base64 character");
        if (kind != ALPHA_NONE) {
            if (alphabet != ALPHA_NONE && alphabet != kind)
                return bad_char(what, i, "standard and URL-safe alphabets mixed");
            alphabet = kind;
        }
    }
    if (pad > 2)
        return bad_char(what, body, "too much padding");
    if (pad && len % 4 != 0)
        return bad_char(what, body, "padding in a string whose length is not a multiple of 4");
    if (body % 4 == 1)
        return bad_char(what, body ? body - 1 : 0, "the length is not that of any encoding");
    if (pad && pad != (4 - body % 4) % 4)
        return bad_char(what, body, "wrong amount of padding");

    if (body % 4) {
        int kind;
        int last = char_value(text[body - 1], &kind);
        if (last & (body % 4 == 2 ? 0xf : 0x3))
            return bad_char(what, body - 1, "non-zero bits after the last byte");
    }

    size_t nbytes = body / 4 * 3 + (body % 4 ? body % 4 - 1 : 0);
    int rc = mlops__buf_reserve(out, nbytes);
    if (rc)
        return rc;
    unsigned char *o = (unsigned char *)out->data + out->size;
    uint32_t acc = 0;
    size_t nacc = 0, written = 0;
    for (size_t i = 0; i < body; i++) {
        int kind;
        acc = acc << 6 | (uint32_t)char_value(text[i], &kind);
        if (++nacc == 4) {
            o[written++] = (unsigned char)(acc >> 16);
            o[written++] = (unsigned char)(acc >> 8);
            o[written++] = (unsigned char)acc;
            acc = 0;
            nacc = 0;
        }
    }
    if (nacc == 2) {
        o[written++] = (unsigned char)(acc >> 4);
    } else if (nacc == 3) {
        o[written++] = (unsigned char)(acc >> 10);
        o[written++] = (unsigned char)(acc >> 2);
    }
    out->size += written;
    out->data[out->size] = '\0';
    return 0;
}
