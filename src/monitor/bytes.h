/*
 * Internal: little-endian framing for profile and detector-state bytes.
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * Every serialised object is a frame:
 *
 *   magic[4] | u16 format version | u16 kind | u32 flags | u64 body length |
 *   body | u32 CRC-32 (zlib polynomial) of every byte before it
 *
 * All integers are little-endian, doubles are IEEE-754 binary64 bit patterns
 * in little-endian order. The reader never reads past the end it was given
 * and reports every failure with the byte offset of the field.
 */
#ifndef MLOPS_MONITOR_BYTES_H
#define MLOPS_MONITOR_BYTES_H

#include <stddef.h>
#include <stdint.h>

#include "mlops/common.h"

/** Size of the frame header (magic .. body length). */
#define MLOPS__FRAME_HEADER_SIZE 20u
/** Size of the CRC trailer. */
#define MLOPS__FRAME_TRAILER_SIZE 4u

/* ---- writer -------------------------------------------------------------- */

/**
 * Appends little-endian fields to an mlops_buf. The first failing append is
 * remembered and every later one is a no-op, so a caller checks `rc` once.
 */
typedef struct mlops__writer {
    mlops_buf *buf;
    int rc;
} mlops__writer;

void mlops__w_u16(mlops__writer *w, uint16_t v);
void mlops__w_u32(mlops__writer *w, uint32_t v);
void mlops__w_u64(mlops__writer *w, uint64_t v);
void mlops__w_i64(mlops__writer *w, int64_t v);
void mlops__w_f64(mlops__writer *w, double v);
void mlops__w_bytes(mlops__writer *w, const void *p, size_t n);

/** Start a frame: writes the header with a zero body length placeholder. */
void mlops__frame_begin(mlops__writer *w, const char magic[4], uint16_t version,
                        uint16_t kind, uint32_t flags);
/**
 * Finish a frame started at byte `start` of the buffer: patch the body length
 * and append the CRC. Returns w->rc.
 */
int mlops__frame_end(mlops__writer *w, size_t start);

/* ---- reader -------------------------------------------------------------- */

/**
 * Reads fields from [data, data + size). A read past the end sets `rc` to
 * MLOPS_E_PARSE (recorded, naming `what` and the offset) and yields zeros.
 */
typedef struct mlops__reader {
    const uint8_t *data;
    size_t size;
    size_t pos;
    size_t base; /* offset of data[0] in the caller's input, for messages */
    int rc;
    const char *what; /* "profile", "detector state" */
} mlops__reader;

uint16_t mlops__r_u16(mlops__reader *r);
uint32_t mlops__r_u32(mlops__reader *r);
uint64_t mlops__r_u64(mlops__reader *r);
int64_t mlops__r_i64(mlops__reader *r);
double mlops__r_f64(mlops__reader *r);
/** Bytes left to read. */
size_t mlops__r_left(const mlops__reader *r);
/**
 * Check that `count` items of `item_size` bytes can still be read; records
 * MLOPS_E_PARSE naming `field` when they cannot. Every count read from the
 * input goes through this before anything is allocated for it.
 */
int mlops__r_need(mlops__reader *r, uint64_t count, size_t item_size, const char *field);
/** Record a schema failure at the reader's current offset (returns the code). */
int mlops__r_fail(mlops__reader *r, int code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/**
 * Validate a frame: magic, version (1..max_version), length and CRC. On
 * success fills the header fields and a reader over the body.
 * Errors: MLOPS_E_PARSE (short, bad magic, bad length), MLOPS_E_VERSION
 * (unknown format version), MLOPS_E_INTEGRITY (CRC mismatch).
 */
int mlops__frame_open(mlops__reader *body, uint16_t *version, uint16_t *kind,
                      uint32_t *flags, const void *data, size_t size, const char magic[4],
                      uint16_t max_version, const char *what);

/** CRC-32 (ISO-HDLC, as zlib's crc32) of a byte range. */
uint32_t mlops__crc32(const void *data, size_t size);

#endif /* MLOPS_MONITOR_BYTES_H */
