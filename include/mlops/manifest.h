/**
 * @file
 * libmlops — version manifests: what exactly a model version is.
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * A version manifest is an in-toto Statement v1 whose predicate (type
 * "https://libmlops.dev/manifest/v1") records a model version's name and
 * SemVer, every file (path, size, SHA-256, optional shard digests), the
 * datasets it was trained and evaluated on, its parameters and metrics, its
 * parent version (by statement digest, so versions form a hash chain), the
 * code commit and free-form annotations. docs/formats/manifest-v1.md is the
 * normative description of the format; this header is its API.
 *
 * Objects:
 * - mlops_manifest: immutable. Made by mlops_manifest_parse() or
 *   mlops_manifest_builder_finish(); always valid (every rule of the format
 *   holds). Any number of threads may read one manifest at the same time.
 * - mlops_manifest_builder: collects the fields of a new manifest. Used by one
 *   thread at a time.
 * - mlops_manifest_diff: immutable comparison of two manifests. Any number of
 *   threads may read one diff at the same time (while both manifests live).
 *
 * Fields are read through read-only, versioned structs borrowed from the
 * object: mlops_manifest_info() (scalar fields, digests, row counts) and one
 * struct per row (mlops_manifest_file(), mlops_manifest_file_shard_info(),
 * mlops_manifest_dataset(), mlops_manifest_parameter(),
 * mlops_manifest_metric(), mlops_manifest_annotation(); for a diff
 * mlops_manifest_diff_info() and mlops_manifest_diff_file(), _dataset(),
 * _parameter(), _metric()). They are built with the object, never allocate,
 * give NULL for a NULL object or an index out of range, and spell every
 * digest "sha256:<64 hex>". The per-field getters below them return values
 * directly (digests as bare hex) and borrow strings from the object; an
 * index out of range gives NULL (strings), 0 (numbers) or NaN (doubles),
 * never a crash.
 */
#ifndef MLOPS_MANIFEST_H
#define MLOPS_MANIFEST_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The in-toto statement type every manifest carries in "_type". */
#define MLOPS_MANIFEST_STATEMENT_TYPE "https://in-toto.io/Statement/v1"
/** The predicate type of this version of the format. */
#define MLOPS_MANIFEST_PREDICATE_TYPE "https://libmlops.dev/manifest/v1"
/** Default shard size: 256 MiB. */
#define MLOPS_MANIFEST_DEFAULT_SHARD_SIZE ((uint64_t)268435456)
/** Largest file or shard size a manifest can record: 2^53 - 1 (an exact
 *  integer in every JSON implementation). */
#define MLOPS_MANIFEST_MAX_SIZE ((uint64_t)9007199254740991)
/** Longest file path in bytes. */
#define MLOPS_MANIFEST_MAX_PATH 4096

/** An immutable, valid version manifest. */
typedef struct mlops_manifest mlops_manifest;
/** Builds a new manifest field by field. */
typedef struct mlops_manifest_builder mlops_manifest_builder;
/** The differences between two manifests. */
typedef struct mlops_manifest_diff mlops_manifest_diff;

/** Kind of a parameter value (a JSON scalar). */
typedef enum mlops_manifest_value_type {
    MLOPS_MANIFEST_VALUE_NONE = 0, /**< no such parameter */
    MLOPS_MANIFEST_VALUE_NULL = 1,   /**< JSON null */
    MLOPS_MANIFEST_VALUE_BOOL = 2,   /**< true or false */
    MLOPS_MANIFEST_VALUE_NUMBER = 3, /**< a finite number */
    MLOPS_MANIFEST_VALUE_STRING = 4  /**< a string */
} mlops_manifest_value_type;

/* ------------------------------------------------------------------------ */
/* Parsing                                                                  */
/* ------------------------------------------------------------------------ */

/** Current version of mlops_manifest_parse_options. */
#define MLOPS_MANIFEST_PARSE_OPTIONS_VERSION 1

/** Options for mlops_manifest_parse(). */
typedef struct mlops_manifest_parse_options {
    MLOPS_OPTIONS_HEADER;
    /** Must be 0. */
    uint32_t flags;
    /** Largest input in bytes; 0 = the default (64 MiB). May only lower it. */
    size_t max_size;
    /** Deepest JSON nesting; 0 = the default (64). May only lower it; a
     *  valid manifest needs 6 levels. */
    size_t max_depth;
} mlops_manifest_parse_options;

/** Initialiser for mlops_manifest_parse_options. */
#define MLOPS_MANIFEST_PARSE_OPTIONS_INIT \
    { MLOPS_MANIFEST_PARSE_OPTIONS_VERSION, sizeof(mlops_manifest_parse_options), 0, 0, 0 }

/**
 * Initialise an options struct to the defaults (for FFIs without the macro).
 * @param opts the struct to fill.
 * @param size sizeof(mlops_manifest_parse_options) as the caller knows it.
 * @return 0, MLOPS_E_INVALID.
 */
MLOPS_EXTERN int mlops_manifest_parse_options_init(mlops_manifest_parse_options *opts,
                                                   size_t size);

/**
 * Parse and check a manifest: strict JSON (duplicate keys, invalid UTF-8 ...
 * rejected), then the schema (an unknown field in the predicate, a missing
 * field or a value of the wrong type is an error naming its JSON path), then
 * every rule of the format (paths, order, sizes, shards, digests), then the
 * subject: its name must be "<name>@<version>" and its digest the tree digest.
 *
 * @param out  receives the manifest; release with mlops_manifest_free().
 *             Untouched on failure.
 * @param data the bytes (need not be NUL-terminated); not retained.
 * @param len  their length in bytes.
 * @param opts NULL for the defaults.
 * @return 0; MLOPS_E_PARSE (JSON syntax: offset, line, column recorded);
 *         MLOPS_E_SCHEMA (the error path is the JSON path of the fault, e.g.
 *         "$.predicate.files[3].path"); MLOPS_E_LIMIT (size, depth, a string
 *         longer than its field allows); MLOPS_E_INTEGRITY (the subject digest
 *         is not the tree digest); MLOPS_E_VERSION (unknown options version,
 *         or a predicateType other than MLOPS_MANIFEST_PREDICATE_TYPE);
 *         MLOPS_E_INVALID (NULL, unknown flags, limits above the defaults);
 *         MLOPS_E_NOMEM.
 * Thread-safe. For statements of 256 KiB and more the two SHA-256 digests
 * are computed on a short-lived helper thread next to the calling one
 * (joined before returning; without threads both run on the caller's).
 * Canonical input is hashed as it is and kept for
 * mlops_manifest_write_json(), which then copies it back.
 */
MLOPS_EXTERN int mlops_manifest_parse(mlops_manifest **out, const char *data, size_t len,
                                      const mlops_manifest_parse_options *opts);

/** Release a reference to a manifest; the last one frees it. Accepts NULL. */
MLOPS_EXTERN void mlops_manifest_free(mlops_manifest *m);

/**
 * Another reference to the same immutable manifest: `*out` is `m`, with one
 * more holder. Each reference is released with mlops_manifest_free(); the
 * last release frees it. References may be held and released from any
 * threads. Never allocates.
 * @return 0, MLOPS_E_INVALID (NULL).
 */
MLOPS_EXTERN int mlops_manifest_dup(mlops_manifest **out, const mlops_manifest *m);

/* ------------------------------------------------------------------------ */
/* Writing and digests                                                      */
/* ------------------------------------------------------------------------ */

/**
 * Append the statement as JSON. With `flags` 0: its canonical bytes (RFC
 * 8785), the bytes that are signed and hashed. With MLOPS_JSON_PRETTY: for
 * humans, canonical key order, two-space indent, final newline; parsing it
 * gives an equal manifest.
 * @return 0, MLOPS_E_INVALID (NULL, or an unknown flag), MLOPS_E_NOMEM
 *         (`out` unchanged on failure).
 */
MLOPS_EXTERN int mlops_manifest_write_json(mlops_buf *out, const mlops_manifest *m,
                                           uint32_t flags);

/**
 * The statement digest: SHA-256 of the canonical bytes of the whole statement
 * (what mlops_manifest_write_json() gives). A child's parent link
 * carries it.
 * @return 0, MLOPS_E_INVALID.
 */
MLOPS_EXTERN int mlops_manifest_statement_digest(uint8_t out[32], const mlops_manifest *m);

/**
 * Check that `child`'s parent link names `parent`: same name, same version
 * string, and the link's digest equals parent's statement digest.
 * @return 0; MLOPS_E_NOTFOUND (child has no parent link); MLOPS_E_INTEGRITY
 *         (a mismatch; the detail names the field and both values);
 *         MLOPS_E_INVALID.
 */
MLOPS_EXTERN int mlops_manifest_check_parent(const mlops_manifest *child,
                                             const mlops_manifest *parent);

/* ------------------------------------------------------------------------ */
/* Reading fields                                                           */
/* ------------------------------------------------------------------------ */

/**
 * Everything a manifest holds outside its rows, and the number of rows of
 * each kind. Read-only; borrowed from the manifest (valid while it is).
 * Version 1; fields are only ever added at the end (see MLOPS_INFO_HAS).
 */
struct mlops_manifest_info {
    MLOPS_INFO_HEADER;
    const char *name;              /**< model name */
    /** SemVer version string (not `version`: that member is the struct's). */
    const char *model_version;
    const char *created;           /**< creation time, RFC 3339 UTC */
    const char *description;       /**< description; NULL when absent */
    const char *framework_name;    /**< framework name; NULL when absent */
    const char *framework_version; /**< framework version; NULL when absent */
    const char *code_uri;          /**< code repository URI; NULL when absent */
    const char *code_commit;       /**< code commit, 40 lowercase hex; NULL when absent */
    int has_parent;                /**< 1 when the manifest links a parent, else 0 */
    const char *parent_name;       /**< parent name; NULL without a parent */
    const char *parent_version;    /**< parent version; NULL without a parent */
    /** Parent's statement digest, "sha256:<64 hex>"; NULL without a parent. */
    const char *parent_digest;
    /** Tree digest (the subject digest), "sha256:<64 hex>". */
    const char *tree_digest;
    /** Statement digest (of the canonical bytes), "sha256:<64 hex>". */
    const char *statement_digest;
    size_t n_files;       /**< rows of mlops_manifest_file() */
    size_t n_datasets;    /**< rows of mlops_manifest_dataset() */
    size_t n_parameters;  /**< rows of mlops_manifest_parameter() */
    size_t n_metrics;     /**< rows of mlops_manifest_metric() */
    size_t n_annotations; /**< rows of mlops_manifest_annotation() */
};

/** Version of struct mlops_manifest_info filled by this library. */
#define MLOPS_MANIFEST_INFO_VERSION 1

/**
 * The summary of `m`, or NULL when `m` is NULL. Built when the manifest is
 * made: never allocates; thread-safe (the manifest is immutable). The
 * struct has no typedef: its name is the function's (as `struct stat` and
 * stat()).
 */
MLOPS_EXTERN const struct mlops_manifest_info *mlops_manifest_info(const mlops_manifest *m);

/** One file of a manifest. Read-only; borrowed from the manifest (valid
 *  while it is). Version 1; fields are only ever added at the end. */
typedef struct mlops_manifest_file_info {
    MLOPS_INFO_HEADER;
    const char *path;       /**< relative '/'-separated path */
    /** Size in bytes (not `size`: that member is the struct's). */
    uint64_t file_size;
    const char *digest;     /**< SHA-256 of the file, "sha256:<64 hex>" */
    const char *media_type; /**< media type; NULL when absent */
    const char *role;       /**< role ("model", "config", ...); NULL when absent */
    uint64_t shard_size;    /**< shard size in bytes; 0 without shards */
    size_t shard_count;     /**< rows of mlops_manifest_file_shard_info(); 0 without shards */
} mlops_manifest_file_info;

/** Version of mlops_manifest_file_info filled by this library. */
#define MLOPS_MANIFEST_FILE_INFO_VERSION 1

/**
 * File `i` (path byte order) of `m`, or NULL when `m` is NULL or `i` is out
 * of range. Never allocates; thread-safe.
 */
MLOPS_EXTERN const mlops_manifest_file_info *mlops_manifest_file(const mlops_manifest *m,
                                                                 size_t i);

/** One shard of a file. Read-only; borrowed from the manifest. Version 1. */
typedef struct mlops_manifest_shard_info {
    MLOPS_INFO_HEADER;
    uint64_t offset;    /**< byte offset in the file (j * shard_size) */
    uint64_t length;    /**< size in bytes (the last shard may be shorter) */
    const char *digest; /**< SHA-256 of the shard, "sha256:<64 hex>" */
} mlops_manifest_shard_info;

/** Version of mlops_manifest_shard_info filled by this library. */
#define MLOPS_MANIFEST_SHARD_INFO_VERSION 1

/** One dataset of a manifest. Read-only; borrowed from the manifest.
 *  Version 1; fields are only ever added at the end. */
typedef struct mlops_manifest_dataset_info {
    MLOPS_INFO_HEADER;
    const char *name;           /**< name (unique in the manifest) */
    const char *uri;            /**< URI; NULL when absent */
    const char *role;           /**< role ("train", "eval", ...); NULL when absent */
    const char *digest;         /**< SHA-256, "sha256:<64 hex>"; NULL when absent */
    const char *foreign_alg;    /**< foreign digest algorithm ("md5"...); NULL when absent */
    const char *foreign_scheme; /**< foreign digest scheme ("dvc3"...); NULL when absent */
    const char *foreign_value;  /**< foreign digest value; NULL when absent */
} mlops_manifest_dataset_info;

/** Version of mlops_manifest_dataset_info filled by this library. */
#define MLOPS_MANIFEST_DATASET_INFO_VERSION 1

/** Dataset `i` (document order) of `m`, or NULL when `m` is NULL or `i` is
 *  out of range. Never allocates; thread-safe. */
MLOPS_EXTERN const mlops_manifest_dataset_info *mlops_manifest_dataset(const mlops_manifest *m,
                                                                       size_t i);

/** One parameter of a manifest. Read-only; borrowed from the manifest.
 *  Version 1; fields are only ever added at the end. */
typedef struct mlops_manifest_parameter_info {
    MLOPS_INFO_HEADER;
    const char *name;   /**< parameter name */
    int type;           /**< an mlops_manifest_value_type (never NONE) */
    const char *json;   /**< canonical JSON text of the value ("0.01", "\"adam\"", "true") */
    double number;      /**< the value when type is NUMBER, else NaN */
    const char *string; /**< the value when type is STRING, else NULL */
    int boolean;        /**< 1 true, 0 false when type is BOOL, else -1 */
} mlops_manifest_parameter_info;

/** Version of mlops_manifest_parameter_info filled by this library. */
#define MLOPS_MANIFEST_PARAMETER_INFO_VERSION 1

/** Parameter `i` (canonical key order) of `m`, or NULL when `m` is NULL or
 *  `i` is out of range. Never allocates; thread-safe. */
MLOPS_EXTERN const mlops_manifest_parameter_info *
mlops_manifest_parameter(const mlops_manifest *m, size_t i);

/** One metric of a manifest. Read-only; borrowed from the manifest. Version 1. */
typedef struct mlops_manifest_metric_info {
    MLOPS_INFO_HEADER;
    const char *name; /**< metric name */
    double value;     /**< its value (always finite) */
} mlops_manifest_metric_info;

/** Version of mlops_manifest_metric_info filled by this library. */
#define MLOPS_MANIFEST_METRIC_INFO_VERSION 1

/** Metric `i` (canonical key order) of `m`, or NULL when `m` is NULL or `i`
 *  is out of range. Never allocates; thread-safe. */
MLOPS_EXTERN const mlops_manifest_metric_info *mlops_manifest_metric(const mlops_manifest *m,
                                                                     size_t i);

/** One annotation of a manifest. Read-only; borrowed from the manifest. Version 1. */
typedef struct mlops_manifest_annotation_info {
    MLOPS_INFO_HEADER;
    const char *key;   /**< annotation key */
    const char *value; /**< its value (may be "") */
} mlops_manifest_annotation_info;

/** Version of mlops_manifest_annotation_info filled by this library. */
#define MLOPS_MANIFEST_ANNOTATION_INFO_VERSION 1

/** Annotation `i` (canonical key order) of `m`, or NULL when `m` is NULL or
 *  `i` is out of range. Never allocates; thread-safe. */
MLOPS_EXTERN const mlops_manifest_annotation_info *
mlops_manifest_annotation(const mlops_manifest *m, size_t i);

/* ------------------------------------------------------------------------ */
/* Building                                                                 */
/* ------------------------------------------------------------------------ */

/**
 * Start a new manifest. Every string given to a builder function is copied;
 * each must be valid UTF-8 without NUL.
 * @param name    model name: 1..256 bytes of [A-Za-z0-9._/-], starting with a
 *                letter or digit.
 * @param version SemVer 2.0.0.
 * @param created RFC 3339 UTC in the canonical spelling mlops_timestamp_format()
 *                writes (e.g. "2026-11-26T09:00:00Z").
 * @param out     receives the builder; release with mlops_manifest_builder_free().
 * @return 0, MLOPS_E_SCHEMA (the detail names the field), MLOPS_E_INVALID,
 *         MLOPS_E_NOMEM.
 */
MLOPS_EXTERN int mlops_manifest_builder_new(mlops_manifest_builder **out, const char *name,
                                            const char *version, const char *created);

/** Release a builder. Accepts NULL. */
MLOPS_EXTERN void mlops_manifest_builder_free(mlops_manifest_builder *b);

/** @name Builder setters
 * Every setter below returns 0, MLOPS_E_SCHEMA (a value that breaks a rule),
 * MLOPS_E_LIMIT (a string longer than its field allows: 1024 bytes for
 * names, keys, roles, media types and versions, 65536 for descriptions, URIs
 * and string values), MLOPS_E_INVALID (NULL where a pointer is required) or
 * MLOPS_E_NOMEM. On any failure the builder is unchanged. Setting a field
 * again replaces it. Builders are not thread-safe: one thread at a time. */
/**@{*/

/** Set the description (at most 65536 bytes). */
MLOPS_EXTERN int mlops_manifest_builder_set_description(mlops_manifest_builder *b,
                                                        const char *description);
/** Set the framework name and version (such as "onnx", "1.17"). */
MLOPS_EXTERN int mlops_manifest_builder_set_framework(mlops_manifest_builder *b,
                                                      const char *name, const char *version);

/**
 * Add a file. The builder sorts files by path at finish, so they may be added
 * in any order; a duplicate path, two paths equal after case folding, or a
 * path that is also a directory of another (`a` and `a/b`, also after case
 * folding) make mlops_manifest_builder_finish() fail (MLOPS_E_SCHEMA).
 * @param b          the builder.
 * @param path       checked as mlops_manifest_path_check() does.
 * @param size       at most MLOPS_MANIFEST_MAX_SIZE.
 * @param sha256     64 lowercase hex digits.
 * @param media_type NULL for none.
 * @param role       NULL for none.
 */
MLOPS_EXTERN int mlops_manifest_builder_add_file(mlops_manifest_builder *b, const char *path,
                                                 uint64_t size, const char *sha256,
                                                 const char *media_type, const char *role);

/**
 * Add a dataset. Names are unique within a manifest (a second dataset of the
 * same name fails with MLOPS_E_SCHEMA). Datasets keep the order they were
 * added in.
 * @param b    the builder.
 * @param name the dataset's name (copied).
 * @param uri, role, sha256 NULL for none; sha256 is 64 lowercase hex digits.
 */
MLOPS_EXTERN int mlops_manifest_builder_add_dataset(mlops_manifest_builder *b,
                                                    const char *name, const char *uri,
                                                    const char *role, const char *sha256);

/**
 * Set a parameter from JSON text holding one scalar ("0.01", "\"adam\"",
 * "true", "null"). Arrays and objects are MLOPS_E_SCHEMA; malformed JSON is
 * MLOPS_E_PARSE. A number whose value is not exactly that of its canonical
 * form (9007199254740993, 0.10000000000000000001, 1e-400: the signed text
 * would say 9007199254740992, 0.1, 0) is MLOPS_E_SCHEMA naming the parameter
 * and the value; "1.0", "1e2", "-0" are exact and accepted.
 */
MLOPS_EXTERN int mlops_manifest_builder_set_parameter_json(mlops_manifest_builder *b,
                                                           const char *name,
                                                           const char *json);
/** Set a metric (finite; NaN and infinities are MLOPS_E_SCHEMA). */
MLOPS_EXTERN int mlops_manifest_builder_set_metric(mlops_manifest_builder *b,
                                                   const char *name, double value);
/** Set an annotation. */
MLOPS_EXTERN int mlops_manifest_builder_set_annotation(mlops_manifest_builder *b,
                                                       const char *key, const char *value);
/** Link `parent` as the parent version (its name, version, statement digest). */
MLOPS_EXTERN int mlops_manifest_builder_set_parent_manifest(mlops_manifest_builder *b,
                                                            const mlops_manifest *parent);
/** Set the code repository URI and commit (40 lowercase hex digits). */
MLOPS_EXTERN int mlops_manifest_builder_set_code(mlops_manifest_builder *b, const char *uri,
                                                 const char *commit);
/**@}*/

/**
 * Make the manifest: sort the files by path, compute the tree digest, write
 * the statement and check it exactly as mlops_manifest_parse() does. The
 * builder is left as it was and may be finished again or freed.
 * @param out receives the manifest; release with mlops_manifest_free().
 * @param b   the builder (not modified).
 * @return 0, MLOPS_E_SCHEMA (a rule that spans fields: duplicate path, case
 *         collision; the error path names the offending field of the
 *         statement), MLOPS_E_INVALID, MLOPS_E_NOMEM.
 */
MLOPS_EXTERN int mlops_manifest_builder_finish(mlops_manifest **out,
                                               const mlops_manifest_builder *b);

/* ------------------------------------------------------------------------ */
/* Diff                                                                     */
/* ------------------------------------------------------------------------ */

/** What happened to an entry between the old (a) and the new (b) manifest. */
typedef enum mlops_manifest_change {
    MLOPS_MANIFEST_UNCHANGED = 0, /**< in both, equal */
    MLOPS_MANIFEST_ADDED = 1,   /**< only in b */
    MLOPS_MANIFEST_REMOVED = 2, /**< only in a */
    MLOPS_MANIFEST_CHANGED = 3  /**< in both, different */
} mlops_manifest_change;

/** How the two manifests of a diff are related through their parent links. */
typedef enum mlops_manifest_relation {
    MLOPS_MANIFEST_UNRELATED = 0,  /**< neither links the other */
    MLOPS_MANIFEST_SAME = 1,       /**< equal statement digests */
    MLOPS_MANIFEST_B_CHILD_OF_A = 2, /**< b's parent link is a */
    MLOPS_MANIFEST_A_CHILD_OF_B = 3  /**< a's parent link is b */
} mlops_manifest_relation;

/**
 * What differs between two files, datasets or code links of a diff: a bit
 * mask of these values (mlops_manifest_diff_file_fields(),
 * mlops_manifest_diff_dataset_fields(), mlops_manifest_diff_code_fields()).
 */
typedef enum mlops_manifest_field {
    MLOPS_MANIFEST_FIELD_DIGEST = 1,          /**< SHA-256 of a file or dataset */
    MLOPS_MANIFEST_FIELD_SIZE = 2,            /**< file size */
    MLOPS_MANIFEST_FIELD_MEDIA_TYPE = 4,      /**< file mediaType (added, removed or other) */
    MLOPS_MANIFEST_FIELD_ROLE = 8,            /**< file or dataset role */
    MLOPS_MANIFEST_FIELD_SHARDS = 16,         /**< file shardSize or shard digests */
    MLOPS_MANIFEST_FIELD_URI = 32,            /**< dataset or code URI */
    MLOPS_MANIFEST_FIELD_FOREIGN_DIGEST = 64, /**< dataset foreignDigest */
    MLOPS_MANIFEST_FIELD_COMMIT = 128         /**< code commit */
} mlops_manifest_field;

/**
 * Compare an old manifest `a` with a new one `b`.
 *
 * Files are matched by exact path: listed are those added, removed, or
 * changed (any of SHA-256, size, media type, role, shard size or shard
 * digests differs; mlops_manifest_diff_file_fields() says which). Datasets
 * are matched by name: added, removed, or changed (SHA-256, role, URI or
 * foreign digest). The code link (URI and commit) is added, removed, changed
 * or unchanged. Parameters are matched by name: added, removed or changed
 * (different canonical JSON text). Every metric of a or b is listed, with
 * absolute delta b - a and relative delta (b - a) / |a|; the relative delta
 * is NaN when a is 0 or when the metric is only on one side, and the
 * absolute delta is NaN when only on one side.
 *
 * The diff borrows paths, digests and names from `a` and `b`: both must
 * stay alive (not freed) as long as the diff is used.
 *
 * @param out   receives the diff; release with mlops_manifest_diff_free().
 * @param a     the old manifest (borrowed).
 * @param b     the new manifest (borrowed).
 * @param flags must be 0.
 * @return 0, MLOPS_E_INVALID, MLOPS_E_NOMEM.
 */
MLOPS_EXTERN int mlops_manifest_diff_new(mlops_manifest_diff **out, const mlops_manifest *a,
                                         const mlops_manifest *b, uint32_t flags);

/** Release a diff. Accepts NULL. */
MLOPS_EXTERN void mlops_manifest_diff_free(mlops_manifest_diff *d);

/** Name of a relation ("unrelated", "same", "b-child-of-a", "a-child-of-b");
 *  "unknown" for other values. */
MLOPS_EXTERN const char *mlops_manifest_relation_name(int relation);
/** Name of a change ("unchanged", "added", "removed", "changed"); "unknown"
 *  for other values. */
MLOPS_EXTERN const char *mlops_manifest_change_name(int change);

/**
 * Name of one field bit ("digest", "size", "mediaType", "role", "shards",
 * "uri", "foreignDigest", "commit"; the manifest's own member names), or
 * "unknown" for anything else (0, several bits, an unknown bit). Static
 * storage; thread-safe.
 */
MLOPS_EXTERN const char *mlops_manifest_field_name(uint32_t field);

/**
 * The summary of a diff. Read-only; borrowed from the diff (valid while it
 * is). Version 1; fields are only ever added at the end (see MLOPS_INFO_HAS).
 */
struct mlops_manifest_diff_info {
    MLOPS_INFO_HEADER;
    int relation;                   /**< an mlops_manifest_relation */
    size_t unchanged_file_count;    /**< files in both and equal (not listed) */
    size_t n_files;                 /**< rows of mlops_manifest_diff_file() */
    size_t unchanged_dataset_count; /**< datasets in both and equal (not listed) */
    size_t n_datasets;              /**< rows of mlops_manifest_diff_dataset() */
    size_t n_parameters;            /**< rows of mlops_manifest_diff_parameter() */
    size_t n_metrics;               /**< rows of mlops_manifest_diff_metric() */
    int code_change;                /**< an mlops_manifest_change of the code link */
    uint32_t code_fields;           /**< mlops_manifest_field bits (0 unless CHANGED) */
};

/** Version of struct mlops_manifest_diff_info filled by this library. */
#define MLOPS_MANIFEST_DIFF_INFO_VERSION 1

/** The summary of `d`, or NULL when `d` is NULL. Never allocates; thread-safe. */
MLOPS_EXTERN const struct mlops_manifest_diff_info *
mlops_manifest_diff_info(const mlops_manifest_diff *d);

/** A file that differs. Read-only; borrowed from the diff (strings from its
 *  manifests). Version 1; fields are only ever added at the end. */
typedef struct mlops_manifest_diff_file_info {
    MLOPS_INFO_HEADER;
    const char *path;       /**< the file's path */
    int change;             /**< an mlops_manifest_change: ADDED, REMOVED or CHANGED */
    uint32_t fields;        /**< mlops_manifest_field bits that differ (0 unless CHANGED) */
    const char *old_digest; /**< "sha256:<64 hex>" in a; NULL when added */
    const char *new_digest; /**< "sha256:<64 hex>" in b; NULL when removed */
    uint64_t old_size;      /**< size in a; 0 when added */
    uint64_t new_size;      /**< size in b; 0 when removed */
} mlops_manifest_diff_file_info;

/** Version of mlops_manifest_diff_file_info filled by this library. */
#define MLOPS_MANIFEST_DIFF_FILE_INFO_VERSION 1

/** Differing file `i` (path byte order) of `d`, or NULL when `d` is NULL or
 *  `i` is out of range. Never allocates; thread-safe. */
MLOPS_EXTERN const mlops_manifest_diff_file_info *
mlops_manifest_diff_file(const mlops_manifest_diff *d, size_t i);

/** A dataset that differs. Read-only; borrowed from the diff. Version 1. */
typedef struct mlops_manifest_diff_dataset_info {
    MLOPS_INFO_HEADER;
    const char *name;       /**< the dataset's name */
    int change;             /**< an mlops_manifest_change: ADDED, REMOVED or CHANGED */
    uint32_t fields;        /**< mlops_manifest_field bits that differ (0 unless CHANGED) */
    const char *old_digest; /**< "sha256:<64 hex>" in a; NULL when added or a has none */
    const char *new_digest; /**< "sha256:<64 hex>" in b; NULL when removed or b has none */
    const char *old_uri;    /**< URI in a; NULL when added or a has none */
    const char *new_uri;    /**< URI in b; NULL when removed or b has none */
} mlops_manifest_diff_dataset_info;

/** Version of mlops_manifest_diff_dataset_info filled by this library. */
#define MLOPS_MANIFEST_DIFF_DATASET_INFO_VERSION 1

/** Differing dataset `i` (name byte order) of `d`, or NULL when `d` is NULL
 *  or `i` is out of range. Never allocates; thread-safe. */
MLOPS_EXTERN const mlops_manifest_diff_dataset_info *
mlops_manifest_diff_dataset(const mlops_manifest_diff *d, size_t i);

/** A parameter that differs. Read-only; borrowed from the diff. Version 1. */
typedef struct mlops_manifest_diff_parameter_info {
    MLOPS_INFO_HEADER;
    const char *name;     /**< the parameter's name */
    int change;           /**< an mlops_manifest_change: ADDED, REMOVED or CHANGED */
    const char *old_json; /**< canonical JSON of the value in a; NULL when added */
    const char *new_json; /**< canonical JSON of the value in b; NULL when removed */
} mlops_manifest_diff_parameter_info;

/** Version of mlops_manifest_diff_parameter_info filled by this library. */
#define MLOPS_MANIFEST_DIFF_PARAMETER_INFO_VERSION 1

/** Differing parameter `i` (canonical key order) of `d`, or NULL when `d` is
 *  NULL or `i` is out of range. Never allocates; thread-safe. */
MLOPS_EXTERN const mlops_manifest_diff_parameter_info *
mlops_manifest_diff_parameter(const mlops_manifest_diff *d, size_t i);

/** A metric of a or b. Read-only; borrowed from the diff. Version 1. */
typedef struct mlops_manifest_diff_metric_info {
    MLOPS_INFO_HEADER;
    const char *name; /**< the metric's name */
    int change;       /**< an mlops_manifest_change (UNCHANGED when equal values) */
    double old_value; /**< value in a; NaN when added */
    double new_value; /**< value in b; NaN when removed */
    double delta;     /**< b - a; NaN unless in both */
    double relative;  /**< (b - a) / |a|; NaN unless in both and a != 0 */
} mlops_manifest_diff_metric_info;

/** Version of mlops_manifest_diff_metric_info filled by this library. */
#define MLOPS_MANIFEST_DIFF_METRIC_INFO_VERSION 1

/** Metric `i` (canonical key order; every metric of a or b) of `d`, or NULL
 *  when `d` is NULL or `i` is out of range. Never allocates; thread-safe. */
MLOPS_EXTERN const mlops_manifest_diff_metric_info *
mlops_manifest_diff_metric(const mlops_manifest_diff *d, size_t i);

/**
 * Append the diff as JSON (canonical, or pretty with MLOPS_JSON_PRETTY)
 * for CI review comments; docs/formats/manifest-v1.md gives its shape. NaN
 * deltas are written as null. Its "metadata" member lists the statement
 * fields outside the accessors above that differ (created, description,
 * framework, annotations).
 * @return 0, MLOPS_E_INVALID (unknown flags), MLOPS_E_NOMEM (`out` unchanged).
 */
MLOPS_EXTERN int mlops_manifest_diff_write_json(mlops_buf *out, const mlops_manifest_diff *d,
                                                uint32_t flags);

/* ------------------------------------------------------------------------ */
/* Experimental: declared only with MLOPS_EXPERIMENTAL defined; not covered  */
/* by the ABI promise (docs/abi-policy.md).                                  */
/* ------------------------------------------------------------------------ */
#ifdef MLOPS_EXPERIMENTAL

/** MLOPS_MANIFEST_DEFAULT_SHARD_SIZE as a function, for FFIs. */
MLOPS_EXTERN uint64_t mlops_manifest_default_shard_size(void);

/** Tree digest as 64 lowercase hex digits; borrowed from `m`. NULL for NULL. */
MLOPS_EXTERN const char *mlops_manifest_tree_sha256(const mlops_manifest *m);

/** Statement digest as 64 lowercase hex digits; borrowed from `m`. */
MLOPS_EXTERN const char *mlops_manifest_statement_sha256(const mlops_manifest *m);

/**
 * 1 when both manifests have the same statement digest (the same canonical
 * bytes), 0 otherwise or when either is NULL.
 */
MLOPS_EXTERN int mlops_manifest_equal(const mlops_manifest *a, const mlops_manifest *b);

/**
 * Check the rules of the format on a manifest (paths, order, case
 * collisions, sizes, shards, subject). Manifests made by this library
 * always pass; the function exists for callers that assert it explicitly.
 * A manifest is immutable and every one comes out of the same checks
 * (mlops_manifest_parse() and mlops_manifest_builder_finish() run all of
 * them on its content), so the per-file rules are not run a second time:
 * only the subject binding (subject digest = tree digest) is compared again,
 * and the call costs nothing at any size.
 * @return 0, MLOPS_E_SCHEMA, MLOPS_E_INTEGRITY, MLOPS_E_INVALID, MLOPS_E_NOMEM.
 */
MLOPS_EXTERN int mlops_manifest_validate(const mlops_manifest *m);

/**
 * Check one file path against the path rules of the format: not empty, at
 * most MLOPS_MANIFEST_MAX_PATH bytes, valid UTF-8, relative ('/' not first),
 * '/'-separated with no empty, "." or ".." segment and no trailing '/', no
 * backslash, no NUL and no other control character (U+0001..U+001F, U+007F).
 * @return 0, MLOPS_E_SCHEMA (the detail says which rule and the byte),
 *         MLOPS_E_INVALID (NULL). Thread-safe, allocates nothing.
 */
MLOPS_EXTERN int mlops_manifest_path_check(const char *path, size_t len);

/**
 * Record the shard digests of an added file: shard k covers bytes
 * [k*shard_size, min((k+1)*shard_size, size)), so `count` must equal
 * ceil(size / shard_size) and be at least 1.
 * @param b          the builder.
 * @param path       path of a file already added.
 * @param shard_size 0 for MLOPS_MANIFEST_DEFAULT_SHARD_SIZE.
 * @param sha256     `count` strings of 64 lowercase hex digits (copied).
 * @param count      number of shards.
 * @return as the other setters, plus MLOPS_E_NOTFOUND (no file with that path).
 */
MLOPS_EXTERN int mlops_manifest_builder_set_file_shards(mlops_manifest_builder *b,
                                                        const char *path,
                                                        uint64_t shard_size,
                                                        const char *const *sha256,
                                                        size_t count);

/**
 * Attach a digest computed by another tool to a dataset already added: its
 * algorithm ("md5"), the scheme that says what was hashed ("dvc3") and the
 * value as that tool writes it. All three non-empty.
 * @return as the other setters, plus MLOPS_E_NOTFOUND (no such dataset).
 */
MLOPS_EXTERN int mlops_manifest_builder_set_dataset_foreign_digest(
    mlops_manifest_builder *b, const char *dataset, const char *alg, const char *scheme,
    const char *value);

/**
 * Set an integer parameter. The signed form writes numbers through their
 * double value (RFC 8785), so a value whose canonical form is another
 * number (9007199254740993 → 9007199254740992; 2^60 → 1152921504606847000;
 * never below 2^53 in magnitude) is MLOPS_E_SCHEMA, with a message naming the
 * parameter, the value and what it would have become: set it as a string.
 */
MLOPS_EXTERN int mlops_manifest_builder_set_parameter_int(mlops_manifest_builder *b,
                                                          const char *name, int64_t value);

/** Set a boolean parameter (any non-zero `value` is true). */
MLOPS_EXTERN int mlops_manifest_builder_set_parameter_bool(mlops_manifest_builder *b,
                                                           const char *name, int value);

/** Set a parameter to JSON null. */
MLOPS_EXTERN int mlops_manifest_builder_set_parameter_null(mlops_manifest_builder *b,
                                                           const char *name);


/** Model name. */
MLOPS_EXTERN const char *mlops_manifest_name(const mlops_manifest *m);

/** SemVer version string. */
MLOPS_EXTERN const char *mlops_manifest_version(const mlops_manifest *m);

/** Creation time, RFC 3339 UTC. */
MLOPS_EXTERN const char *mlops_manifest_created(const mlops_manifest *m);

/** Description, or NULL when absent. */
MLOPS_EXTERN const char *mlops_manifest_description(const mlops_manifest *m);

/** Framework name, or NULL when absent. */
MLOPS_EXTERN const char *mlops_manifest_framework_name(const mlops_manifest *m);

/** Framework version, or NULL when absent. */
MLOPS_EXTERN const char *mlops_manifest_framework_version(const mlops_manifest *m);

/** Number of files. Files are in byte order of their paths. */
MLOPS_EXTERN size_t mlops_manifest_file_count(const mlops_manifest *m);

/** Path of file `i`. */
MLOPS_EXTERN const char *mlops_manifest_file_path(const mlops_manifest *m, size_t i);

/** Size in bytes of file `i`. */
MLOPS_EXTERN uint64_t mlops_manifest_file_size(const mlops_manifest *m, size_t i);

/** SHA-256 of file `i` as 64 lowercase hex digits. */
MLOPS_EXTERN const char *mlops_manifest_file_sha256(const mlops_manifest *m, size_t i);

/** Media type of file `i`, or NULL when absent. */
MLOPS_EXTERN const char *mlops_manifest_file_media_type(const mlops_manifest *m, size_t i);

/** Role of file `i` ("model", "config", ...), or NULL when absent. */
MLOPS_EXTERN const char *mlops_manifest_file_role(const mlops_manifest *m, size_t i);

/** Shard size of file `i`, or 0 when it has no shards. */
MLOPS_EXTERN uint64_t mlops_manifest_file_shard_size(const mlops_manifest *m, size_t i);

/** Number of shards of file `i` (0 when none). */
MLOPS_EXTERN size_t mlops_manifest_file_shard_count(const mlops_manifest *m, size_t i);

/**
 * Shard `j` of file `i`: byte offset, size and SHA-256 (64 hex, borrowed).
 * Any out pointer may be NULL. mlops_manifest_file_shard_info() gives the
 * same shard as a struct, its digest spelled "sha256:<64 hex>".
 * @return 0, MLOPS_E_NOTFOUND (no such file or shard; outputs untouched),
 *         MLOPS_E_INVALID (m is NULL).
 */
MLOPS_EXTERN int mlops_manifest_file_shard(uint64_t *offset, uint64_t *size,
                                           const char **sha256, const mlops_manifest *m,
                                           size_t i, size_t j);

/** Number of datasets (in document order). */
MLOPS_EXTERN size_t mlops_manifest_dataset_count(const mlops_manifest *m);

/** Name of dataset `i` (names are unique). */
MLOPS_EXTERN const char *mlops_manifest_dataset_name(const mlops_manifest *m, size_t i);

/** URI of dataset `i`, or NULL. */
MLOPS_EXTERN const char *mlops_manifest_dataset_uri(const mlops_manifest *m, size_t i);

/** Role of dataset `i` ("train", "eval", ...), or NULL. */
MLOPS_EXTERN const char *mlops_manifest_dataset_role(const mlops_manifest *m, size_t i);

/** SHA-256 of dataset `i` (64 hex), or NULL. */
MLOPS_EXTERN const char *mlops_manifest_dataset_sha256(const mlops_manifest *m, size_t i);

/** Foreign digest algorithm of dataset `i` ("md5"...), or NULL. */
MLOPS_EXTERN const char *mlops_manifest_dataset_foreign_alg(const mlops_manifest *m,
                                                            size_t i);

/** Foreign digest scheme of dataset `i` ("dvc3"...), or NULL. */
MLOPS_EXTERN const char *mlops_manifest_dataset_foreign_scheme(const mlops_manifest *m,
                                                               size_t i);

/** Foreign digest value of dataset `i`, or NULL. */
MLOPS_EXTERN const char *mlops_manifest_dataset_foreign_value(const mlops_manifest *m,
                                                              size_t i);

/** Number of parameters. Parameters, metrics and annotations are iterated in
 *  canonical key order (UTF-16 code units, as RFC 8785 sorts them). */
MLOPS_EXTERN size_t mlops_manifest_parameter_count(const mlops_manifest *m);

/** Name of parameter `i`. */
MLOPS_EXTERN const char *mlops_manifest_parameter_name(const mlops_manifest *m, size_t i);

/** Value type of parameter `i` (MLOPS_MANIFEST_VALUE_NONE when out of range). */
MLOPS_EXTERN int mlops_manifest_parameter_type(const mlops_manifest *m, size_t i);

/** Canonical JSON text of parameter `i`'s value ("0.01", "\"adam\"", "true"). */
MLOPS_EXTERN const char *mlops_manifest_parameter_json(const mlops_manifest *m, size_t i);

/** Parameter `i` as a number (NaN unless its type is NUMBER). */
MLOPS_EXTERN double mlops_manifest_parameter_number(const mlops_manifest *m, size_t i);

/** Parameter `i` as a string (NULL unless its type is STRING). */
MLOPS_EXTERN const char *mlops_manifest_parameter_string(const mlops_manifest *m, size_t i);

/** Parameter `i` as a boolean: 1 true, 0 false, -1 not a BOOL. */
MLOPS_EXTERN int mlops_manifest_parameter_bool(const mlops_manifest *m, size_t i);

/** Number of metrics. */
MLOPS_EXTERN size_t mlops_manifest_metric_count(const mlops_manifest *m);

/** Name of metric `i`. */
MLOPS_EXTERN const char *mlops_manifest_metric_name(const mlops_manifest *m, size_t i);

/** Value of metric `i` (always finite; NaN when out of range). */
MLOPS_EXTERN double mlops_manifest_metric_value(const mlops_manifest *m, size_t i);

/** Number of annotations. */
MLOPS_EXTERN size_t mlops_manifest_annotation_count(const mlops_manifest *m);

/** Key of annotation `i`. */
MLOPS_EXTERN const char *mlops_manifest_annotation_key(const mlops_manifest *m, size_t i);

/** Value of annotation `i`. */
MLOPS_EXTERN const char *mlops_manifest_annotation_value(const mlops_manifest *m, size_t i);

/** 1 when the manifest has a parent link, else 0. */
MLOPS_EXTERN int mlops_manifest_has_parent(const mlops_manifest *m);

/** Parent name, or NULL. */
MLOPS_EXTERN const char *mlops_manifest_parent_name(const mlops_manifest *m);

/** Parent version, or NULL. */
MLOPS_EXTERN const char *mlops_manifest_parent_version(const mlops_manifest *m);

/** Parent statement digest (64 hex), or NULL. */
MLOPS_EXTERN const char *mlops_manifest_parent_sha256(const mlops_manifest *m);

/** Code repository URI, or NULL. */
MLOPS_EXTERN const char *mlops_manifest_code_uri(const mlops_manifest *m);

/** Code commit (40 lowercase hex digits), or NULL. */
MLOPS_EXTERN const char *mlops_manifest_code_commit(const mlops_manifest *m);

/** Parent relation of a and b (an mlops_manifest_relation). */
MLOPS_EXTERN int mlops_manifest_diff_relation(const mlops_manifest_diff *d);

/** Number of files present in both and equal in every field (not listed). */
MLOPS_EXTERN size_t mlops_manifest_diff_unchanged_file_count(const mlops_manifest_diff *d);

/** Number of files that differ (sorted by path bytes). */
MLOPS_EXTERN size_t mlops_manifest_diff_file_count(const mlops_manifest_diff *d);

/** Path of differing file `i`. */
MLOPS_EXTERN const char *mlops_manifest_diff_file_path(const mlops_manifest_diff *d, size_t i);

/** Change of file `i` (ADDED, REMOVED or CHANGED; UNCHANGED out of range). */
MLOPS_EXTERN int mlops_manifest_diff_file_change(const mlops_manifest_diff *d, size_t i);

/** SHA-256 in a (NULL when added). */
MLOPS_EXTERN const char *mlops_manifest_diff_file_old_sha256(const mlops_manifest_diff *d,
                                                             size_t i);

/** SHA-256 in b (NULL when removed). */
MLOPS_EXTERN const char *mlops_manifest_diff_file_new_sha256(const mlops_manifest_diff *d,
                                                             size_t i);

/** Size in a (0 when added). */
MLOPS_EXTERN uint64_t mlops_manifest_diff_file_old_size(const mlops_manifest_diff *d, size_t i);

/** Size in b (0 when removed). */
MLOPS_EXTERN uint64_t mlops_manifest_diff_file_new_size(const mlops_manifest_diff *d, size_t i);

/**
 * Fields of differing file `i` that differ (mlops_manifest_field bits); 0
 * for an added or removed file and out of range.
 */
MLOPS_EXTERN uint32_t mlops_manifest_diff_file_fields(const mlops_manifest_diff *d, size_t i);

/** Number of datasets present in both (by name) and equal in every field (not listed). */
MLOPS_EXTERN size_t mlops_manifest_diff_unchanged_dataset_count(const mlops_manifest_diff *d);

/** Number of datasets that differ: added, removed or changed (sorted by name bytes). */
MLOPS_EXTERN size_t mlops_manifest_diff_dataset_count(const mlops_manifest_diff *d);

/** Name of differing dataset `i` (borrowed from a or b; NULL out of range). */
MLOPS_EXTERN const char *mlops_manifest_diff_dataset_name(const mlops_manifest_diff *d,
                                                          size_t i);

/** Change of dataset `i` (ADDED, REMOVED or CHANGED; UNCHANGED out of range). */
MLOPS_EXTERN int mlops_manifest_diff_dataset_change(const mlops_manifest_diff *d, size_t i);

/** Fields of dataset `i` that differ (mlops_manifest_field bits; 0 unless CHANGED). */
MLOPS_EXTERN uint32_t mlops_manifest_diff_dataset_fields(const mlops_manifest_diff *d,
                                                         size_t i);

/** SHA-256 of dataset `i` in a (NULL when added or when a records none). */
MLOPS_EXTERN const char *mlops_manifest_diff_dataset_old_sha256(const mlops_manifest_diff *d,
                                                                size_t i);

/** SHA-256 of dataset `i` in b (NULL when removed or when b records none). */
MLOPS_EXTERN const char *mlops_manifest_diff_dataset_new_sha256(const mlops_manifest_diff *d,
                                                                size_t i);

/** URI of dataset `i` in a (NULL when added or when a records none). */
MLOPS_EXTERN const char *mlops_manifest_diff_dataset_old_uri(const mlops_manifest_diff *d,
                                                             size_t i);

/** URI of dataset `i` in b (NULL when removed or when b records none). */
MLOPS_EXTERN const char *mlops_manifest_diff_dataset_new_uri(const mlops_manifest_diff *d,
                                                             size_t i);

/**
 * Change of the code link: ADDED (only b has one), REMOVED (only a),
 * CHANGED (URI or commit differ) or UNCHANGED (equal, or neither has one).
 * The values themselves are mlops_manifest_code_uri()/_commit() of a and b.
 */
MLOPS_EXTERN int mlops_manifest_diff_code_change(const mlops_manifest_diff *d);

/** Fields of the code link that differ (URI, COMMIT bits; 0 unless CHANGED). */
MLOPS_EXTERN uint32_t mlops_manifest_diff_code_fields(const mlops_manifest_diff *d);

/** Number of parameters that differ (canonical key order). */
MLOPS_EXTERN size_t mlops_manifest_diff_parameter_count(const mlops_manifest_diff *d);

/** Name of differing parameter `i`. */
MLOPS_EXTERN const char *mlops_manifest_diff_parameter_name(const mlops_manifest_diff *d,
                                                            size_t i);

/** Change of parameter `i`. */
MLOPS_EXTERN int mlops_manifest_diff_parameter_change(const mlops_manifest_diff *d, size_t i);

/** Canonical JSON of the value in a (NULL when added). */
MLOPS_EXTERN const char *mlops_manifest_diff_parameter_old_json(const mlops_manifest_diff *d,
                                                                size_t i);

/** Canonical JSON of the value in b (NULL when removed). */
MLOPS_EXTERN const char *mlops_manifest_diff_parameter_new_json(const mlops_manifest_diff *d,
                                                                size_t i);

/** Number of metrics in a or b (canonical key order). */
MLOPS_EXTERN size_t mlops_manifest_diff_metric_count(const mlops_manifest_diff *d);

/** Name of metric `i`. */
MLOPS_EXTERN const char *mlops_manifest_diff_metric_name(const mlops_manifest_diff *d,
                                                         size_t i);

/** Change of metric `i` (UNCHANGED when equal values). */
MLOPS_EXTERN int mlops_manifest_diff_metric_change(const mlops_manifest_diff *d, size_t i);

/** Value in a (NaN when added). */
MLOPS_EXTERN double mlops_manifest_diff_metric_old(const mlops_manifest_diff *d, size_t i);

/** Value in b (NaN when removed). */
MLOPS_EXTERN double mlops_manifest_diff_metric_new(const mlops_manifest_diff *d, size_t i);

/** b - a (NaN unless in both). */
MLOPS_EXTERN double mlops_manifest_diff_metric_delta(const mlops_manifest_diff *d, size_t i);

/** (b - a) / |a| (NaN unless in both and a != 0). */
MLOPS_EXTERN double mlops_manifest_diff_metric_relative(const mlops_manifest_diff *d,
                                                        size_t i);


/**
 * The tree digest: SHA-256 of the canonical JSON of the (sorted) "files"
 * array. It is the statement's subject digest.
 * @return 0, MLOPS_E_INVALID.
 */
MLOPS_EXTERN int mlops_manifest_tree_digest(uint8_t out[32], const mlops_manifest *m);

/**
 * Shard `j` of file `i` of `m`, or NULL when `m` is NULL, there is no file
 * `i` or it has no shard `j`. Never allocates; thread-safe.
 */
MLOPS_EXTERN const mlops_manifest_shard_info *
mlops_manifest_file_shard_info(const mlops_manifest *m, size_t i, size_t j);

/** Index of the file with exactly this path, or (size_t)-1 when none.
 *  Binary search: O(log n). */
MLOPS_EXTERN size_t mlops_manifest_file_find(const mlops_manifest *m, const char *path);

/** Set a string parameter. */
MLOPS_EXTERN int mlops_manifest_builder_set_parameter_string(mlops_manifest_builder *b,
                                                             const char *name,
                                                             const char *value);

/** Set a numeric parameter (finite; NaN and infinities are MLOPS_E_SCHEMA). */
MLOPS_EXTERN int mlops_manifest_builder_set_parameter_number(mlops_manifest_builder *b,
                                                             const char *name, double value);

/**
 * Link the parent version by name, version and statement digest (64 hex).
 */
MLOPS_EXTERN int mlops_manifest_builder_set_parent(mlops_manifest_builder *b,
                                                   const char *name, const char *version,
                                                   const char *sha256);

#endif /* MLOPS_EXPERIMENTAL */

#ifdef __cplusplus
}
#endif

#endif /* MLOPS_MANIFEST_H */
