/**
 * @file
 * libmlops — Semantic Versioning 2.0.0.
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * Model versions are SemVer: validated exactly as the specification's grammar
 * says and ordered by its precedence rules (§11), build metadata ignored.
 */
#ifndef MLOPS_SEMVER_H
#define MLOPS_SEMVER_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** A parsed version. Immutable after parsing; may be shared between threads. */
typedef struct mlops_semver mlops_semver;

/**
 * Parse a version string such as "1.4.0-rc.1+build.5".
 * Rejected with MLOPS_E_PARSE (the detail gives the byte offset): missing
 * components ("1.2"), leading zeros in numeric parts ("01.2.3", "1.2.3-01"),
 * empty identifiers ("1.2.3-", "1.2.3-a..b"), characters outside
 * [0-9A-Za-z-], numbers beyond 2^64-1, leading or trailing whitespace.
 * @param out receives the version; release with mlops_semver_free().
 * @param str the NUL-terminated version string (not retained).
 * @return 0, MLOPS_E_PARSE, MLOPS_E_INVALID, MLOPS_E_NOMEM.
 */
MLOPS_EXTERN int mlops_semver_parse(mlops_semver **out, const char *str);

/** Release a version. Accepts NULL. */
MLOPS_EXTERN void mlops_semver_free(mlops_semver *v);

/**
 * The parts of a parsed version. Read-only; borrowed from the version (valid
 * while it is). Version 1; fields are only ever added at the end (see
 * MLOPS_INFO_HAS). The struct has no typedef: its name is the function's.
 */
struct mlops_semver_info {
    MLOPS_INFO_HEADER;
    uint64_t major;         /**< major number */
    uint64_t minor;         /**< minor number */
    uint64_t patch;         /**< patch number */
    /** Pre-release part without its '-' ("rc.1"); NULL when the version has
     *  none (SemVer allows no empty pre-release). */
    const char *prerelease;
    /** Build metadata without its '+' ("build.5"); NULL when none. */
    const char *build;
};

/** Version of struct mlops_semver_info filled by this library. */
#define MLOPS_SEMVER_INFO_VERSION 1

/**
 * The parts of `v`, or NULL when `v` is NULL. Built by mlops_semver_parse():
 * never allocates; thread-safe. Unlike mlops_semver_prerelease() and
 * mlops_semver_build(), which give "" for an absent part, absent parts are NULL.
 */
MLOPS_EXTERN const struct mlops_semver_info *mlops_semver_info(const mlops_semver *v);

/**
 * Precedence order: negative when a < b, 0 when equal precedence (build
 * metadata is ignored, so "1.0.0+a" equals "1.0.0+b"), positive when a > b.
 * Returns exactly -1, 0 or 1.
 */
MLOPS_EXTERN int mlops_semver_compare(const mlops_semver *a, const mlops_semver *b);

/**
 * Compare two version strings by precedence without allocating.
 * @param result receives -1, 0 or 1.
 * @param a, b   the NUL-terminated version strings.
 * @return 0, MLOPS_E_PARSE (the detail names which argument), MLOPS_E_INVALID.
 */
MLOPS_EXTERN int mlops_semver_compare_str(int *result, const char *a, const char *b);

/* ------------------------------------------------------------------------ */
/* Experimental: declared only with MLOPS_EXPERIMENTAL defined; not covered  */
/* by the ABI promise (docs/abi-policy.md).                                  */
/* ------------------------------------------------------------------------ */
#ifdef MLOPS_EXPERIMENTAL

/**
 * Check a version string without keeping it (allocates nothing).
 * @return 0 when valid, MLOPS_E_PARSE (with detail), MLOPS_E_INVALID.
 */
MLOPS_EXTERN int mlops_semver_validate(const char *str);


/** Major number. */
MLOPS_EXTERN uint64_t mlops_semver_major(const mlops_semver *v);

/** Minor number. */
MLOPS_EXTERN uint64_t mlops_semver_minor(const mlops_semver *v);

/** Patch number. */
MLOPS_EXTERN uint64_t mlops_semver_patch(const mlops_semver *v);

/** Pre-release part without its '-' ("" when none); borrowed from `v`. */
MLOPS_EXTERN const char *mlops_semver_prerelease(const mlops_semver *v);

/** Build metadata without its '+' ("" when none); borrowed from `v`. */
MLOPS_EXTERN const char *mlops_semver_build(const mlops_semver *v);

#endif /* MLOPS_EXPERIMENTAL */

#ifdef __cplusplus
}
#endif

#endif /* MLOPS_SEMVER_H */
