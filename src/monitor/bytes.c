/*
 * Little-endian framing with a CRC-32 trailer for serialised monitor objects.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "monitor/bytes.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <zlib.h>

#include "core/buf.h"
#include "core/error.h"

uint32_t mlops__crc32(const void *data, size_t size)
{
    uLong crc = crc32(0L, Z_NULL, 0);
    const Bytef *p = data;
    while (size > 0) {
        uInt chunk = size > UINT_MAX ? UINT_MAX : (uInt)size;
        crc = crc32(crc, p, chunk);
        p += chunk;
        size -= chunk;
    }
    return (uint32_t)crc;
}

/* ---- writer -------------------------------------------------------------- */

void mlops__w_bytes(mlops__writer *w, const void *p, size_t n)
{
    if (w->rc == 0)
        w->rc = mlops__buf_append(w->buf, p, n);
}

static void put_le(mlops__writer *w, uint64_t v, unsigned bytes)
{
    uint8_t b[8];
    for (unsigned i = 0; i < bytes; i++)
        b[i] = (uint8_t)(v >> (8 * i));
    mlops__w_bytes(w, b, bytes);
}

void mlops__w_u16(mlops__writer *w, uint16_t v) { put_le(w, v, 2); }
void mlops__w_u32(mlops__writer *w, uint32_t v) { put_le(w, v, 4); }
void mlops__w_u64(mlops__writer *w, uint64_t v) { put_le(w, v, 8); }
void mlops__w_i64(mlops__writer *w, int64_t v) { put_le(w, (uint64_t)v, 8); }

void mlops__w_f64(mlops__writer *w, double v)
{
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    put_le(w, bits, 8);
}

void mlops__frame_begin(mlops__writer *w, const char magic[4], uint16_t version,
                        uint16_t kind, uint32_t flags)
{
    mlops__w_bytes(w, magic, 4);
    mlops__w_u16(w, version);
    mlops__w_u16(w, kind);
    mlops__w_u32(w, flags);
    mlops__w_u64(w, 0);
}

int mlops__frame_end(mlops__writer *w, size_t start)
{
    if (w->rc != 0)
        return w->rc;
    uint8_t *base = (uint8_t *)w->buf->data + start;
    uint64_t body = (uint64_t)(w->buf->size - start - MLOPS__FRAME_HEADER_SIZE);
    for (unsigned i = 0; i < 8; i++)
        base[12 + i] = (uint8_t)(body >> (8 * i));
    uint32_t crc = mlops__crc32(base, w->buf->size - start);
    mlops__w_u32(w, crc);
    return w->rc;
}

/* ---- reader -------------------------------------------------------------- */

int mlops__r_fail(mlops__reader *r, int code, const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (r->rc == 0)
        r->rc = mlops__error_at(code, (int64_t)(r->base + r->pos), 0, 0, NULL,
                                "%s: %s at byte %zu", r->what, msg, r->base + r->pos);
    return r->rc;
}

static uint64_t get_le(mlops__reader *r, unsigned bytes)
{
    if (r->rc != 0)
        return 0;
    if (r->size - r->pos < bytes) {
        mlops__r_fail(r, MLOPS_E_PARSE, "truncated input (%u more bytes needed, %zu left)",
                      bytes, r->size - r->pos);
        return 0;
    }
    uint64_t v = 0;
    for (unsigned i = 0; i < bytes; i++)
        v |= (uint64_t)r->data[r->pos + i] << (8 * i);
    r->pos += bytes;
    return v;
}

uint16_t mlops__r_u16(mlops__reader *r) { return (uint16_t)get_le(r, 2); }
uint32_t mlops__r_u32(mlops__reader *r) { return (uint32_t)get_le(r, 4); }
uint64_t mlops__r_u64(mlops__reader *r) { return get_le(r, 8); }
int64_t mlops__r_i64(mlops__reader *r)
{
    uint64_t u = get_le(r, 8);
    int64_t v;
    memcpy(&v, &u, sizeof v);
    return v;
}

double mlops__r_f64(mlops__reader *r)
{
    uint64_t bits = get_le(r, 8);
    double v;
    memcpy(&v, &bits, sizeof v);
    return v;
}

size_t mlops__r_left(const mlops__reader *r) { return r->size - r->pos; }

int mlops__r_need(mlops__reader *r, uint64_t count, size_t item_size, const char *field)
{
    if (r->rc != 0)
        return r->rc;
    size_t left = r->size - r->pos;
    if (item_size != 0 && count > left / item_size)
        return mlops__r_fail(r, MLOPS_E_PARSE,
                             "%s: count %llu needs more bytes than the %zu left", field,
                             (unsigned long long)count, left);
    return 0;
}

int mlops__frame_open(mlops__reader *body, uint16_t *version, uint16_t *kind,
                      uint32_t *flags, const void *data, size_t size, const char magic[4],
                      uint16_t max_version, const char *what)
{
    const uint8_t *p = data;
    if (size < MLOPS__FRAME_HEADER_SIZE + MLOPS__FRAME_TRAILER_SIZE)
        return mlops__error_at(MLOPS_E_PARSE, (int64_t)size, 0, 0, NULL,
                               "%s: %zu bytes are too short for a frame (at least %u)", what,
                               size, MLOPS__FRAME_HEADER_SIZE + MLOPS__FRAME_TRAILER_SIZE);
    if (memcmp(p, magic, 4) != 0)
        return mlops__error_at(MLOPS_E_PARSE, 0, 0, 0, NULL,
                               "%s: bad magic at byte 0 (expected \"%.4s\")", what, magic);
    mlops__reader h = { p, MLOPS__FRAME_HEADER_SIZE, 4, 0, 0, what };
    uint16_t v = mlops__r_u16(&h);
    uint16_t k = mlops__r_u16(&h);
    uint32_t f = mlops__r_u32(&h);
    uint64_t len = mlops__r_u64(&h);
    if (v == 0 || v > max_version)
        return mlops__error_at(MLOPS_E_VERSION, 4, 0, 0, NULL,
                               "%s: format version %u is not supported (this library reads "
                               "1..%u)", what, (unsigned)v, (unsigned)max_version);
    if (len != size - MLOPS__FRAME_HEADER_SIZE - MLOPS__FRAME_TRAILER_SIZE)
        return mlops__error_at(MLOPS_E_PARSE, 12, 0, 0, NULL,
                               "%s: body length %llu at byte 12 does not match the %zu bytes "
                               "given", what, (unsigned long long)len,
                               size - MLOPS__FRAME_HEADER_SIZE - MLOPS__FRAME_TRAILER_SIZE);
    size_t crc_at = size - MLOPS__FRAME_TRAILER_SIZE;
    uint32_t stored = (uint32_t)p[crc_at] | (uint32_t)p[crc_at + 1] << 8 |
                      (uint32_t)p[crc_at + 2] << 16 | (uint32_t)p[crc_at + 3] << 24;
    uint32_t actual = mlops__crc32(p, crc_at);
    if (stored != actual)
        return mlops__error_at(MLOPS_E_INTEGRITY, (int64_t)crc_at, 0, 0, NULL,
                               "%s: CRC-32 mismatch (stored %08x, computed %08x at byte %zu)",
                               what, (unsigned)stored, (unsigned)actual, crc_at);
    *version = v;
    *kind = k;
    *flags = f;
    body->data = p + MLOPS__FRAME_HEADER_SIZE;
    body->size = (size_t)len;
    body->pos = 0;
    body->base = MLOPS__FRAME_HEADER_SIZE;
    body->rc = 0;
    body->what = what;
    return 0;
}
