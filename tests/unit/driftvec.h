/*
 * Test-only reader of the drift vector files (tests/vectors/drift/NAME.json):
 * objects are flattened into dotted keys ("quantile_bins.psi"), arrays of
 * scalars into doubles. Also the contract's tolerance checks.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef MLOPS_TEST_DRIFTVEC_H
#define MLOPS_TEST_DRIFTVEC_H

#include <stddef.h>
#include <stdint.h>

#include "mlops.h"

typedef struct entry {
    char key[96];
    size_t n;
    double *v;     /* numeric tokens (NaN for words) */
    char word[32]; /* first token as text */
} entry;

typedef struct vec {
    char name[64];
    entry *e;
    size_t n;
} vec;

/** Load $MLOPS_VECTORS/drift/<name>.json; fails the test when missing. */
void vec_load(vec *out, const char *name);
void vec_free(vec *v);
/** The entry of a dotted key; fails the test when missing. */
const entry *vec_get(const vec *v, const char *key);
/** First number of a key. */
double vec_num(const vec *v, const char *key);
/** Statistics: 1e-12 relative (or 1e-15 absolute); fails the test otherwise. */
void check_stat(const char *what, double got, double want);
/** p-values: 1e-9 relative, or abs_tol absolute. */
void check_p(const char *what, double got, double want, double abs_tol);
/** Exact equality of counts / doubles with a vector array. */
void check_exact_u64(const char *what, const uint64_t *got, size_t n, const entry *want);
void check_exact_d(const char *what, const double *got, size_t n, const entry *want);
/** mlops_drift_numeric on the vector's reference and current samples. */
mlops_drift_result *run_num(const vec *v, int metric, const mlops_drift_options *o);
/**
 * The result's info struct (mlops_drift_result_info()): version and size,
 * and every field equal to its getter (NaN where the getter gives NaN, the
 * same array pointers). Returns the struct for further checks.
 */
const struct mlops_drift_result_info *check_result_info(const mlops_drift_result *r);
/** Run fn on every vector file of a kind, in name order; returns how many. */
size_t for_each_vector(const char *kind, void (*fn)(const char *name));

#endif
