/*
 * Internal: the library's one allocator.
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * Every allocation goes through these so that caller hooks (and the
 * out-of-memory tests) see all of them. None of them records an error: the
 * caller decides whether a failure is worth reporting (it nearly always is,
 * with mlops__error_nomem()).
 */
#ifndef MLOPS_CORE_ALLOC_H
#define MLOPS_CORE_ALLOC_H

#include <stddef.h>

void *mlops__malloc(size_t size);
void *mlops__calloc(size_t count, size_t size);
void *mlops__realloc(void *ptr, size_t size);
/** realloc of count*size bytes, NULL (without allocating) on overflow. */
void *mlops__reallocarray(void *ptr, size_t count, size_t size);
void mlops__free(void *ptr);
/** Copy of a NUL-terminated string; NULL on allocation failure. */
char *mlops__strdup(const char *s);
/** Copy of `len` bytes plus a NUL terminator. */
char *mlops__strndup(const char *s, size_t len);

#endif /* MLOPS_CORE_ALLOC_H */
