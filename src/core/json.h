/*
 * Internal: strict JSON (RFC 8259) documents, canonical (RFC 8785) and pretty
 * writers, and the helpers schema checkers use to name the JSON path of a fault.
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * This is the contract between the JSON core (src/core/json*.c) and its users
 * (manifest, package, policy, profile reports). Functions may be added; the
 * ones below keep their meaning.
 *
 * A document owns every node in it (one arena): nodes are never freed one by
 * one, and every pointer into a document dies with mlops__json_doc_free().
 * Documents are built either by parsing or by the builder functions; both
 * kinds are written by the same writers.
 *
 * Threads: a parsed document is never modified after mlops__json_parse()
 * returns (object indexes are built while parsing), so any number of threads
 * may read and write it out at once. A document being built belongs to one
 * thread. docs/json.md is the normative description of what is accepted and
 * written.
 */
#ifndef MLOPS_CORE_JSON_H
#define MLOPS_CORE_JSON_H

#include <stddef.h>
#include <stdint.h>

#include "mlops/common.h"

typedef enum mlops__json_type {
    MLOPS__JSON_NULL = 0,
    MLOPS__JSON_FALSE,
    MLOPS__JSON_TRUE,
    MLOPS__JSON_NUMBER,
    MLOPS__JSON_STRING,
    MLOPS__JSON_ARRAY,
    MLOPS__JSON_OBJECT
} mlops__json_type;

typedef struct mlops__json mlops__json;         /* a node (value) */
typedef struct mlops__json_doc mlops__json_doc; /* owns the nodes */

/* Defaults a caller may only lower (64 levels, 64 MiB, per docs/formats/overview.md §1). */
#define MLOPS__JSON_DEFAULT_MAX_DEPTH 64
#define MLOPS__JSON_DEFAULT_MAX_SIZE ((size_t)64 << 20)

typedef struct mlops__json_limits {
    size_t max_depth; /* 0 = default */
    size_t max_size;  /* input bytes; 0 = default */
} mlops__json_limits;

/* ---- reading ---------------------------------------------------------- */

/**
 * Parse `len` bytes strictly: one value, optional surrounding whitespace,
 * nothing else. Rejects duplicate keys, invalid UTF-8 (overlong forms,
 * surrogates encoded in UTF-8, code points above U+10FFFF), lone surrogate
 * escapes, leading zeros, trailing commas, NaN/Infinity, raw control
 * characters in strings, a leading BOM.
 *
 * Errors are recorded with mlops__error_at(): MLOPS_E_PARSE with byte offset,
 * line and column (and `source`, a file name or NULL, in the message and as
 * the error path); MLOPS_E_LIMIT for depth or size; MLOPS_E_NOMEM.
 */
int mlops__json_parse(mlops__json_doc **out, const char *data, size_t len,
                      const mlops__json_limits *limits, const char *source);

/**
 * Like mlops__json_parse(), without copying the input: the document keeps
 * pointers into `data`, which must stay alive and unchanged until
 * mlops__json_doc_free(). `data[len]` must be readable and '\0' (the data of
 * an mlops_buf is); otherwise MLOPS_E_INVALID. The parser overwrites the
 * closing quote of each string without escapes with '\0' (also when it
 * fails), and nothing else: strings with escapes are decoded into the
 * document. Saves a copy of the input (the document is about half the
 * size); accepts, rejects and reports exactly as mlops__json_parse().
 */
int mlops__json_parse_inplace(mlops__json_doc **out, char *data, size_t len,
                              const mlops__json_limits *limits, const char *source);

void mlops__json_doc_free(mlops__json_doc *doc);
const mlops__json *mlops__json_root(const mlops__json_doc *doc);

mlops__json_type mlops__json_type_of(const mlops__json *v);
/** Byte offset in the parsed input where the value starts (0 for built nodes). */
size_t mlops__json_offset(const mlops__json *v);

/**
 * Numbers keep their source text, so integers and floats can be told apart
 * and a double round-trips exactly. "Integer" means written without fraction
 * or exponent and within int64 range.
 */
int mlops__json_is_integer(const mlops__json *v);
int64_t mlops__json_int(const mlops__json *v);   /* valid when is_integer */
double mlops__json_double(const mlops__json *v); /* correctly rounded strtod */
/** The number as written in the source (for built numbers: as formatted). */
const char *mlops__json_number_text(const mlops__json *v, size_t *len);

/** Decoded UTF-8, NUL-terminated; `len` (may be NULL) counts bytes and
 *  includes any embedded U+0000. */
const char *mlops__json_string(const mlops__json *v, size_t *len);
/** 1 when `v` is a string parsed without escapes: it then holds no U+0000
 *  (raw control bytes are never accepted), so a NUL check can be skipped.
 *  0 otherwise (built strings, escaped strings, other types). */
int mlops__json_string_plain(const mlops__json *v);

size_t mlops__json_array_size(const mlops__json *v);
const mlops__json *mlops__json_array_get(const mlops__json *v, size_t i);

/** Object members in document (or insertion) order. */
size_t mlops__json_object_size(const mlops__json *v);
const char *mlops__json_object_key(const mlops__json *v, size_t i, size_t *len);
/** The string node of member i's key (NULL out of range). */
const mlops__json *mlops__json_object_key_node(const mlops__json *v, size_t i);
/** Member i in one call: its value (NULL out of range), and its key, the
 *  key's length and whether the key is plain (mlops__json_string_plain). */
const mlops__json *mlops__json_object_member(const mlops__json *v, size_t i, const char **key,
                                             size_t *key_len, int *key_plain);
const mlops__json *mlops__json_object_value(const mlops__json *v, size_t i);
/** Member by key, or NULL. Keys are unique (the parser guarantees it). */
const mlops__json *mlops__json_object_find(const mlops__json *v, const char *key);

/* ---- building --------------------------------------------------------- */

/** An empty document to build into; its root is set with set_root. */
int mlops__json_doc_new(mlops__json_doc **out);
void mlops__json_doc_set_root(mlops__json_doc *doc, mlops__json *root);

/* Each returns NULL on allocation failure (not recorded: the caller records
 * mlops__error_nomem() once). Strings are copied. */
mlops__json *mlops__json_new_null(mlops__json_doc *doc);
mlops__json *mlops__json_new_bool(mlops__json_doc *doc, int value);
mlops__json *mlops__json_new_int(mlops__json_doc *doc, int64_t value);
mlops__json *mlops__json_new_uint(mlops__json_doc *doc, uint64_t value);
/** A finite double; NULL for NaN/inf too (JSON has no such numbers). */
mlops__json *mlops__json_new_double(mlops__json_doc *doc, double value);
mlops__json *mlops__json_new_string(mlops__json_doc *doc, const char *s, size_t len);
/** As mlops__json_new_string() for bytes that need not be UTF-8 (names and
 *  messages that come from untrusted input): each byte that does not start
 *  a valid UTF-8 sequence becomes U+FFFD, so the string can be written.
 *  NULL when out of memory (error not recorded, as the other builders). */
mlops__json *mlops__json_new_string_lossy(mlops__json_doc *doc, const char *s, size_t len);
mlops__json *mlops__json_new_array(mlops__json_doc *doc);
mlops__json *mlops__json_new_object(mlops__json_doc *doc);
/** Deep copy of a value from any document into `doc`. NULL also for a value
 *  nested 512 levels deep or more (only built documents can be). */
mlops__json *mlops__json_copy(mlops__json_doc *doc, const mlops__json *v);

/* For array_push and object_set a NULL `value` (a builder that returned
 * NULL) gives MLOPS_E_NOMEM, so `object_set(doc, o, "k", new_string(...))`
 * can be checked once. MLOPS_E_INVALID when `array`/`object` is not a built
 * container of that type. */

/** Append to an array; 0 or MLOPS_E_NOMEM (recorded). */
int mlops__json_array_push(mlops__json_doc *doc, mlops__json *array, mlops__json *value);
/** Set a member (replacing an existing key); 0 or MLOPS_E_NOMEM (recorded). */
int mlops__json_object_set(mlops__json_doc *doc, mlops__json *object, const char *key,
                           mlops__json *value);

/**
 * Like mlops__json_object_set() with a key of `len` bytes that may contain
 * U+0000 (the key is copied).
 */
int mlops__json_object_set_n(mlops__json_doc *doc, mlops__json *object, const char *key,
                             size_t len, mlops__json *value);

/* ---- writing ---------------------------------------------------------- */

/**
 * RFC 8785 canonical form: no whitespace, object keys sorted by UTF-16 code
 * units, minimal string escaping, numbers in ECMAScript shortest round-trip
 * form (integers written as given when they are exactly representable; the
 * writer re-formats every number through its double value, as JCS requires).
 * Appends to `out`; on failure `out` is as it was.
 */
int mlops__json_write_canonical(mlops_buf *out, const mlops__json *v);

/** Same order as canonical, two-space indent, one member per line, final newline. */
int mlops__json_write_pretty(mlops_buf *out, const mlops__json *v);

/**
 * Append `json` (len bytes the library wrote itself) to `out`: as it is, or
 * re-read and written pretty when `flags` has MLOPS_JSON_PRETTY. Lets a
 * writer that builds its JSON as text honour the common flag. On failure
 * `out` is as it was.
 */
int mlops__json_append_as(mlops_buf *out, const char *json, size_t len, uint32_t flags);

/**
 * Whether the canonical form of the parsed value `v` is its source text with
 * the whitespace between tokens removed: every string was written without
 * escapes, every number is written as the canonical writer writes it, and
 * every object's members are in canonical key order. Then returns 1 and sets
 * *size to the canonical length (and *mark_size to that of the value `mark`
 * inside v, when met; may be NULL). A source span of exactly *size bytes
 * holding v is then byte for byte its canonical form. Returns 0 otherwise
 * (including for built values and beyond the writers' depth limit): the
 * bytes must then be written to be known. Allocates nothing.
 */
int mlops__json_canonical_span(const mlops__json *v, size_t *size, const mlops__json *mark,
                               size_t *mark_size);

/**
 * Append the first `len` bytes of the source of a document parsed by
 * mlops__json_parse (which keeps a copy) to `out`, as they were before
 * parsing. Only for documents without escaped strings (as
 * mlops__json_canonical_span checks): the parser rewrote nothing in the copy
 * but the closing quotes of strings, which are put back. With the canonical
 * span equal to the source length this is the canonical form, copied.
 * @return 0; MLOPS_E_INVALID when the document keeps no copy (parsed in
 *         place) or `len` is not within it; MLOPS_E_NOMEM.
 */
int mlops__json_doc_write_source(mlops_buf *out, const mlops__json_doc *doc, size_t len);

/**
 * ECMAScript Number::toString of a finite double (shortest digits that
 * round-trip, "1e+21", "1e-7", -0 → "0"). `out` needs 32 bytes. Returns the
 * length.
 */
size_t mlops__json_format_double(char out[32], double value);

/**
 * Whether the number `text` (JSON grammar, `len` bytes) has exactly the value
 * of its canonical form: RFC 8785 writes every number through its double, so
 * 9007199254740993, 0.10000000000000000001 or 1e-400 would be signed as a
 * different number than the one written (9007199254740992, 0.1, 0). 1.0, 1e2
 * and -0 are exact (same value as 1, 100, 0). Returns 0 for text that is not
 * a finite JSON number.
 */
int mlops__json_number_exact(const char *text, size_t len);

/* ---- schema helpers ---------------------------------------------------- */

/**
 * A JSON path under construction, "$.predicate.files[3].path", kept in a
 * fixed buffer (deep paths are cut with "..."): schema checkers push a member
 * or index, check, and pop.
 */
typedef struct mlops__json_path {
    char text[512];
    size_t len;
    size_t marks[64];
    size_t depth;
} mlops__json_path;

void mlops__json_path_init(mlops__json_path *p);
void mlops__json_path_push_key(mlops__json_path *p, const char *key);
void mlops__json_path_push_index(mlops__json_path *p, size_t index);
void mlops__json_path_pop(mlops__json_path *p);

/**
 * Record MLOPS_E_SCHEMA at value `v` (its offset) and path `p`
 * ("$.predicate.metrics.auc: expected a number, found a string"); returns it.
 */
int mlops__json_schema_error(const mlops__json_path *p, const mlops__json *v,
                             const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/**
 * Check that every key of object `v` is in the NULL-terminated `allowed`
 * list; otherwise MLOPS_E_SCHEMA naming the first unknown key's path.
 * Also fails (naming the path) when `v` is not an object.
 */
int mlops__json_check_keys(const mlops__json_path *p, const mlops__json *v,
                           const char *const *allowed);

#endif /* MLOPS_CORE_JSON_H */
