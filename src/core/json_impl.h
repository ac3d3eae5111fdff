/*
 * Internal to the JSON core: node layout, the document arena, and helpers
 * shared by json_doc.c, json_parse.c, json_write.c and json_number.c.
 * Users of JSON include core/json.h only.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef MLOPS_CORE_JSON_IMPL_H
#define MLOPS_CORE_JSON_IMPL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/json.h"

/*
 * A node is 16 bytes: its source offset, one word packing the type, two
 * flags and a length, and one pointer. Parsed documents keep their string
 * and number bytes in one copy of the input (decoded in place and
 * NUL-terminated), and the children of a container contiguously in the
 * arena: an array of n values is n nodes, an object of n members 2n nodes
 * (key, value, key, value...). That keeps a 20 MB manifest's document near
 * twice the input size. Built containers keep pointers instead, so a caller
 * can keep filling a node after adding it to its parent.
 */
#define JSON_TYPE_MASK 0x7u
#define JSON_F_BUILT 0x8u    /* container with a json_built block; string to validate */
#define JSON_F_INDEXED 0x10u /* parsed object with a hash index before its nodes */
#define JSON_F_PLAIN 0x10u   /* string parsed without escapes: nothing to escape either */
#define JSON_LEN_SHIFT 5
/* Largest length a node records (strings, number text, parsed counts). */
#define JSON_MAX_LEN ((size_t)UINT32_MAX >> JSON_LEN_SHIFT)

struct mlops__json {
    uint32_t offset;
    uint32_t bits;
    union {
        const char *s;            /* string (NUL-terminated) or number text */
        mlops__json *nodes;       /* parsed container children */
        struct json_built *built; /* built container */
    } u;
};

/* Objects with more members than this carry a hash index (for find and the
 * duplicate check); smaller ones are scanned. */
#define JSON_INDEX_MIN 8

/* A hash index: open addressing, `mask + 1` slots holding member index + 1. */
typedef struct json_index {
    uint32_t *slots;
    uint32_t mask;
    uint32_t pad_;
} json_index;

typedef struct json_member {
    mlops__json key; /* string node */
    mlops__json *value;
} json_member;

typedef struct json_built {
    size_t count;
    size_t cap;
    mlops__json **items;  /* arrays */
    json_member *members; /* objects */
    json_index index;     /* objects with more than JSON_INDEX_MIN members */
} json_built;

typedef struct json_chunk {
    struct json_chunk *next;
    size_t size;
    size_t used;
    size_t pad_;
    /* data follows, 16-byte aligned */
} json_chunk;

struct mlops__json_doc {
    mlops__json root_node; /* parsed root lives here */
    mlops__json *root;
    json_chunk *chunks;
    char *text; /* parsed: the input copy that strings and numbers point into */
    size_t text_len; /* bytes of that copy (before its final NUL) */
    size_t chunk_size;
};

static inline mlops__json_type json_type(const mlops__json *v)
{
    return (mlops__json_type)(v->bits & JSON_TYPE_MASK);
}

static inline size_t json_len(const mlops__json *v) { return v->bits >> JSON_LEN_SHIFT; }

static inline uint32_t json_bits(mlops__json_type t, uint32_t flags, size_t len)
{
    return (uint32_t)t | flags | (uint32_t)(len << JSON_LEN_SHIFT);
}

/* Word-at-a-time byte tests (SWAR): whether any byte of x is zero, or below
 * n (n <= 128). Exact as "any"; used to skip plain runs of string bytes. */
#define JSON_ONES 0x0101010101010101ull
#define JSON_HIGHS 0x8080808080808080ull
static inline uint64_t json_load64(const void *p)
{
    uint64_t x;
    memcpy(&x, p, 8);
    return x;
}
static inline uint64_t json_has_zero(uint64_t x) { return (x - JSON_ONES) & ~x & JSON_HIGHS; }
static inline uint64_t json_has_less(uint64_t x, unsigned n)
{
    return (x - JSON_ONES * n) & ~x & JSON_HIGHS;
}
/* Any byte that a JSON string cannot hold raw: '"', '\\', or below 0x20. */
static inline uint64_t json_has_special(uint64_t x)
{
    return json_has_less(x, 0x20) | json_has_zero(x ^ (JSON_ONES * '"')) |
           json_has_zero(x ^ (JSON_ONES * '\\'));
}

/* Index of the first flagged byte of a non-zero SWAR mask (little-endian:
 * the lowest flag is always a true match). */
static inline unsigned json_first_flag(uint64_t mask)
{
#if defined(__GNUC__)
    return (unsigned)__builtin_ctzll(mask) / 8;
#else
    unsigned i = 0;
    while (!(mask & 0x80u)) {
        mask >>= 8;
        i++;
    }
    return i;
#endif
}

/** Arena allocation (16-byte aligned); NULL on failure (not recorded). */
void *mlops__json_arena_alloc(mlops__json_doc *doc, size_t size);

/** FNV-1a over a key. */
uint32_t mlops__json_hash(const char *s, size_t len);

/**
 * Fill `idx` (slots allocated in `doc`'s arena) for the `n` keys given by
 * key_at(ctx, i). Sets *dup to the index of the first key equal to an
 * earlier one, or SIZE_MAX. Returns 0, or MLOPS_E_NOMEM (not recorded).
 */
typedef const mlops__json *(*json_key_at_fn)(const void *ctx, size_t i);
int mlops__json_index_build(mlops__json_doc *doc, json_index *idx, json_key_at_fn key_at,
                            const void *ctx, size_t n, size_t *dup);
/** Key i of a parsed object's nodes (ctx). */
const mlops__json *mlops__json_parsed_key_at(const void *ctx, size_t i);

/** Member index of `key` in an index, or SIZE_MAX. */
size_t mlops__json_index_find(const json_index *idx, json_key_at_fn key_at, const void *ctx,
                              const char *key, size_t len);

/** strtod in the "C" locale (correctly rounded, as glibc's is). */
double mlops__json_strtod(const char *s, char **end);

/** UTF-8 sequence length at s (1..4) if valid per RFC 3629, else 0. Reads
 *  only as far as the bytes stay valid, so a NUL sentinel stops it. */
size_t mlops__json_utf8_seq(const unsigned char *s);

/** Whether the UTF-8 in s[0..len) is valid. */
int mlops__json_utf8_valid(const char *s, size_t len);

/** Record MLOPS_E_PARSE/LIMIT at `offset` of `text`, with line and column. */
int mlops__json_error_at(int code, const char *text, size_t offset, const char *source,
                         const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 5, 6)))
#endif
    ;

#endif /* MLOPS_CORE_JSON_IMPL_H */
