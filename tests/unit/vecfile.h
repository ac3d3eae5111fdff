/*
 * Reading the line-oriented vector files written by the generator scripts
 * under tests/vectors: "case NAME", then "key value value ..." lines, "end".
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef MLOPS_TEST_VECFILE_H
#define MLOPS_TEST_VECFILE_H

#include <stddef.h>
#include <stdint.h>

typedef struct vec_case {
    char name[64];
    size_t n_lines;
    char **lines; /* "key rest" */
} vec_case;

typedef struct vec_file {
    size_t n_cases;
    vec_case *cases;
} vec_file;

/** Load $MLOPS_VECTORS/<rel>; fails the test when missing. */
void vec_load(vec_file *f, const char *rel);
void vec_free(vec_file *f);
/** The rest of the line whose key is `key`; fails the test when missing. */
const char *vec_get(const vec_case *c, const char *key);
/** Whether the case has the key. */
int vec_has(const vec_case *c, const char *key);
/** Parse up to `cap` numbers (strtod: nan, inf, -inf allowed); returns count. */
size_t vec_doubles(const char *s, double *out, size_t cap);
double vec_double(const vec_case *c, const char *key);
uint64_t vec_u64(const vec_case *c, const char *key);
/** Read a whole file of $MLOPS_VECTORS/<rel> into malloc'd memory. */
unsigned char *vec_read_bytes(const char *rel, size_t *size);

#endif
