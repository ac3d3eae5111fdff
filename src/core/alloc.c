/*
 * The allocator behind every library allocation, replaceable by the caller.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "core/alloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"

static void *std_malloc(size_t size, void *ctx) { (void)ctx; return malloc(size); }
static void *std_realloc(void *p, size_t size, void *ctx) { (void)ctx; return realloc(p, size); }
static void std_free(void *p, void *ctx) { (void)ctx; free(p); }

/* Process-wide by nature (like malloc itself); documented as set-before-use. */
static mlops_malloc_fn hook_malloc = std_malloc;
static mlops_realloc_fn hook_realloc = std_realloc;
static mlops_free_fn hook_free = std_free;
static void *hook_ctx = NULL;

int mlops_allocator_set(mlops_malloc_fn malloc_fn, mlops_realloc_fn realloc_fn,
                        mlops_free_fn free_fn, void *ctx)
{
    if (!malloc_fn && !realloc_fn && !free_fn) {
        hook_malloc = std_malloc;
        hook_realloc = std_realloc;
        hook_free = std_free;
        hook_ctx = NULL;
        return 0;
    }
    if (!malloc_fn || !realloc_fn || !free_fn)
        return mlops__error(MLOPS_E_INVALID,
                            "mlops_allocator_set: give all three functions or none");
    hook_malloc = malloc_fn;
    hook_realloc = realloc_fn;
    hook_free = free_fn;
    hook_ctx = ctx;
    return 0;
}

void *mlops__malloc(size_t size)
{
    /* malloc(0) may return NULL, which callers would take for a failure. */
    return hook_malloc(size ? size : 1, hook_ctx);
}

void *mlops__calloc(size_t count, size_t size)
{
    if (size != 0 && count > SIZE_MAX / size)
        return NULL;
    size_t total = count * size;
    void *p = mlops__malloc(total);
    if (p)
        memset(p, 0, total);
    return p;
}

void *mlops__realloc(void *ptr, size_t size)
{
    return hook_realloc(ptr, size ? size : 1, hook_ctx);
}

void *mlops__reallocarray(void *ptr, size_t count, size_t size)
{
    if (size != 0 && count > SIZE_MAX / size)
        return NULL;
    return mlops__realloc(ptr, count * size);
}

void mlops__free(void *ptr)
{
    if (ptr)
        hook_free(ptr, hook_ctx);
}

void mlops_free(void *ptr) { mlops__free(ptr); }

char *mlops__strndup(const char *s, size_t len)
{
    if (len == SIZE_MAX)
        return NULL;
    char *p = mlops__malloc(len + 1);
    if (p) {
        memcpy(p, s, len);
        p[len] = '\0';
    }
    return p;
}

char *mlops__strdup(const char *s) { return mlops__strndup(s, strlen(s)); }
