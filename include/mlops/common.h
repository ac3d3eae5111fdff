/**
 * @file
 * libmlops — public conventions shared by every module.
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * Everything in this header is part of the stable ABI. See docs/api-conventions.md
 * for the rules every module follows (return codes, ownership, options structs).
 */
#ifndef MLOPS_COMMON_H
#define MLOPS_COMMON_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Marks a function exported from the shared library. */
#if defined(__GNUC__)
#  define MLOPS_EXTERN __attribute__((visibility("default")))
#else
#  define MLOPS_EXTERN
#endif

/* ------------------------------------------------------------------------ */
/* Versions                                                                 */
/* ------------------------------------------------------------------------ */

/** Library version of the headers in use (SemVer): major. */
#define MLOPS_VERSION_MAJOR 0
/** Library version of the headers in use: minor. */
#define MLOPS_VERSION_MINOR 1
/** Library version of the headers in use: patch. */
#define MLOPS_VERSION_PATCH 0
/** Library version of the headers in use as a string, "MAJOR.MINOR.PATCH". */
#define MLOPS_VERSION_STRING "0.1.0"
/** MAJOR*10000 + MINOR*100 + PATCH, for compile-time comparisons. */
#define MLOPS_VERSION_NUMBER \
    (MLOPS_VERSION_MAJOR * 10000 + MLOPS_VERSION_MINOR * 100 + MLOPS_VERSION_PATCH)
/**
 * ABI major: the shared object's soversion. Bindings refuse a library whose ABI
 * major differs from the one they were written for.
 */
#define MLOPS_ABI_MAJOR 0

/**
 * Version string of the library actually loaded, such as "0.1.0".
 * @return a static string; never NULL. Thread-safe.
 */
MLOPS_EXTERN const char *mlops_version(void);

/**
 * Version number of the library actually loaded (MAJOR*10000 + MINOR*100 + PATCH).
 * Thread-safe.
 */
MLOPS_EXTERN uint32_t mlops_version_number(void);

/**
 * ABI major of the library actually loaded (equals its soversion).
 * Bindings compare this with the ABI they were written for. Thread-safe.
 */
MLOPS_EXTERN int mlops_abi_major(void);

/* ------------------------------------------------------------------------ */
/* Error codes                                                              */
/* ------------------------------------------------------------------------ */

/**
 * Return codes. Every function that can fail returns `int`: 0 on success, one of
 * these negative values on failure. The list is append-only: a value, once
 * released, never changes meaning. Details of the last failure on the calling
 * thread are available from mlops_error_last().
 */
typedef enum mlops_error_code {
    /** Success. */
    MLOPS_OK = 0,
    /** An argument is invalid: NULL where a pointer is required, unknown flag
     *  bits, an out-of-range parameter. */
    MLOPS_E_INVALID = -1,
    /** Memory allocation failed. */
    MLOPS_E_NOMEM = -2,
    /** A system call failed (open, read, write, rename...); the detail names
     *  the file and the system error. */
    MLOPS_E_IO = -3,
    /** Input bytes are malformed (JSON syntax, digest string, SemVer, time). */
    MLOPS_E_PARSE = -4,
    /** Input is well-formed but does not follow the schema (unknown key,
     *  wrong type, constraint violated). */
    MLOPS_E_SCHEMA = -5,
    /** A configured limit was exceeded (nesting depth, size, count). */
    MLOPS_E_LIMIT = -6,
    /** A requested item does not exist (file in a package, tag in a store). */
    MLOPS_E_NOTFOUND = -7,
    /** The item already exists and would be overwritten. */
    MLOPS_E_EXISTS = -8,
    /** Content does not match its recorded size or digest. */
    MLOPS_E_INTEGRITY = -9,
    /** A signature is invalid, or made by a key that is not trusted. */
    MLOPS_E_SIGNATURE = -10,
    /** An archive entry would escape the destination or is of a forbidden
     *  kind (link, device, absolute path, `..`, collision). */
    MLOPS_E_UNSAFE = -11,
    /** An options struct, file format or ABI version is not supported. */
    MLOPS_E_VERSION = -12,
    /** The operation was cancelled by a caller's callback. */
    MLOPS_E_CANCELLED = -13,
    /** The numeric input cannot give a defined result (empty sample after
     *  omitting non-finite values, rejected NaN, zero variance where one is
     *  needed). */
    MLOPS_E_DOMAIN = -14,
    /** A lock is held by another writer. */
    MLOPS_E_LOCKED = -15,
    /** A cryptographic library call failed for a reason other than a bad
     *  signature. */
    MLOPS_E_CRYPTO = -16,
    /** The feature is not supported (unknown digest algorithm...). */
    MLOPS_E_UNSUPPORTED = -17,
    /** An internal invariant failed; please report it. */
    MLOPS_E_INTERNAL = -18
} mlops_error_code;

/**
 * Short, static English description of an error code, such as "parse error".
 * Unknown codes give "unknown error". Never NULL. Thread-safe.
 */
MLOPS_EXTERN const char *mlops_strerror(int code);

/**
 * Stable symbolic name of an error code, such as "MLOPS_E_PARSE" (for
 * bindings that map codes to exception classes). Unknown codes give
 * "MLOPS_E_UNKNOWN". A static string, never NULL. Thread-safe.
 */
MLOPS_EXTERN const char *mlops_error_name(int code);

/**
 * Detail message of the last failure on the calling thread, for example
 * "manifest.json: line 3, column 14 (byte 52): duplicate key \"version\" at
 * $.predicate". Never NULL: "" when no failure has been recorded since the
 * thread started or mlops_error_clear() was called. A detail longer than
 * 1023 bytes is cut, on a whole UTF-8 character.
 *
 * The string is owned by the library and stays valid until the next libmlops
 * call on the same thread. A successful call does not clear it, and the
 * error accessors (mlops_error_last*()) do not change it, so the message,
 * code, position and path of one failure can be read one after the other.
 * Any other call may replace it in place (the pointer stays valid, its
 * content is the newer failure's): copy it before the next call.
 * Thread-local: one thread never sees another's error, and the string does
 * not outlive its thread.
 */
MLOPS_EXTERN const char *mlops_error_last(void);

/** Code of the last failure on the calling thread (0 when none). */
MLOPS_EXTERN int mlops_error_last_code(void);

/**
 * Byte offset in the input that the last failure refers to, or -1 when the
 * failing call had no position to report. Line and column are 1-based
 * (0 when unknown); the column counts bytes.
 */
MLOPS_EXTERN int64_t mlops_error_last_offset(void);
/** See mlops_error_last_offset(). */
MLOPS_EXTERN uint32_t mlops_error_last_line(void);
/** See mlops_error_last_offset(). */
MLOPS_EXTERN uint32_t mlops_error_last_column(void);

/**
 * The location the last failure refers to: a file path, an entry name in an
 * archive, or a JSON path like "$.predicate.files[3].path". "" when unknown.
 * Same lifetime rules as mlops_error_last().
 */
MLOPS_EXTERN const char *mlops_error_last_path(void);

/** Forget the calling thread's last error. */
MLOPS_EXTERN void mlops_error_clear(void);

/* ------------------------------------------------------------------------ */
/* Memory returned to the caller                                            */
/* ------------------------------------------------------------------------ */

/**
 * A byte buffer filled by the library (serialised JSON, reports...).
 *
 * Declare it with MLOPS_BUF_INIT, pass its address to a function that fills
 * it, read `data[0..size)`, then release it with mlops_buf_dispose(). The
 * library always keeps a NUL byte after the data, so text can be used as a C
 * string. A function that fails leaves the buffer as it found it.
 */
typedef struct mlops_buf {
    /** The bytes, or NULL while empty. Owned by the library's allocator. */
    char *data;
    /** Number of bytes of content (not counting the trailing NUL). */
    size_t size;
    /** Allocated capacity; private to the library. */
    size_t capacity;
} mlops_buf;

/** Initialiser for an empty mlops_buf. */
#define MLOPS_BUF_INIT { NULL, 0, 0 }

/**
 * Flag for every `mlops_<x>_write_json(mlops_buf *out, const x *obj,
 * uint32_t flags)`: two-space indented output with a final newline instead
 * of canonical RFC 8785 bytes. Where a writer has only one form (a report
 * written for people and programs alike), it accepts the flag and ignores it.
 */
#define MLOPS_JSON_PRETTY 0x1u

/**
 * Release the memory of a buffer and reset it to empty. Accepts NULL and an
 * already empty buffer.
 */
MLOPS_EXTERN void mlops_buf_dispose(mlops_buf *buf);

/**
 * Release memory that a libmlops function returned as a plain pointer (a
 * string, an array). Accepts NULL.
 */
MLOPS_EXTERN void mlops_free(void *ptr);

/**
 * A list of strings the library hands to the caller: a snapshot that owns
 * its strings (the model is libgit2's `git_strarray`). Functions that list
 * names (mlops_store_tag_list(), mlops_store_alias_history_list()) fill one;
 * it stays valid, unchanged, until mlops_strlist_free(), whatever the caller
 * does with the object it came from (further calls, closing it).
 *
 * Immutable once returned: it may be read from several threads at once.
 */
typedef struct mlops_strlist mlops_strlist;

/** Number of strings in `list` (0 for NULL). */
MLOPS_EXTERN size_t mlops_strlist_count(const mlops_strlist *list);

/**
 * String `i` of `list` (NUL-terminated UTF-8), borrowed from the list: valid
 * until mlops_strlist_free(list). NULL when `list` is NULL or `i` is out of
 * range.
 */
MLOPS_EXTERN const char *mlops_strlist_get(const mlops_strlist *list, size_t i);

/** Release a list and every string in it. Accepts NULL. */
MLOPS_EXTERN void mlops_strlist_free(mlops_strlist *list);

/* ------------------------------------------------------------------------ */
/* Allocator hooks                                                          */
/* ------------------------------------------------------------------------ */

/** Allocation function: like malloc(size); `ctx` is the pointer given to
 *  mlops_allocator_set(). */
typedef void *(*mlops_malloc_fn)(size_t size, void *ctx);
/** Reallocation function: like realloc(ptr, size). */
typedef void *(*mlops_realloc_fn)(void *ptr, size_t size, void *ctx);
/** Release function: like free(ptr); must accept NULL. */
typedef void (*mlops_free_fn)(void *ptr, void *ctx);

/**
 * Route every allocation the library makes through caller functions (memory
 * made by OpenSSL and libarchive internally is not covered). All three
 * functions must be given, or all three NULL to restore the C library's.
 *
 * Not thread-safe: call it before any other libmlops function, and never while
 * the library holds memory from the previous allocator.
 *
 * @return 0, or MLOPS_E_INVALID when only some functions are given.
 */
MLOPS_EXTERN int mlops_allocator_set(mlops_malloc_fn malloc_fn,
                                     mlops_realloc_fn realloc_fn,
                                     mlops_free_fn free_fn, void *ctx);

/* ------------------------------------------------------------------------ */
/* Versioned options and progress                                           */
/* ------------------------------------------------------------------------ */

/**
 * Every options struct starts with these two fields. `version` is the
 * struct's version as the caller's header knew it, `size` is sizeof the
 * caller's struct. The library reads only what the caller's size covers and
 * rejects versions it does not know with MLOPS_E_VERSION. Initialise with the
 * module's `MLOPS_X_OPTIONS_INIT` macro or `mlops_x_options_init()`.
 */
#define MLOPS_OPTIONS_HEADER \
    uint32_t version;        \
    uint32_t size

/**
 * Every read-only row or summary struct the library hands out (`const
 * mlops_x_info *mlops_x_info(const mlops_x *)`, `mlops_x_<row>(obj, i)`)
 * starts with these two fields, filled by the library: `version` is the
 * struct's version and `size` its sizeof in the library that filled it.
 * Fields are only ever added at the end: a caller compiled against a newer
 * header reads a newer field only when MLOPS_INFO_HAS() says it is there.
 * The struct and the strings it points to are borrowed from the object.
 */
#define MLOPS_INFO_HEADER \
    uint32_t version;     \
    uint32_t size

/** Whether the info struct `info` (of type `type`) holds `field`. */
#define MLOPS_INFO_HAS(info, type, field) \
    ((info)->size >= offsetof(type, field) + sizeof((info)->field))

/**
 * Progress callback for long operations: `done` of `total` units (bytes
 * unless documented otherwise; total is 0 when unknown). Return 0 to go on,
 * any other value to cancel: the operation then stops, changes nothing and
 * returns MLOPS_E_CANCELLED.
 */
typedef int (*mlops_progress_fn)(uint64_t done, uint64_t total, void *ctx);

#ifdef __cplusplus
}
#endif

#endif /* MLOPS_COMMON_H */
