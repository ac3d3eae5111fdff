/*
 * Internal: reading a caller's versioned options struct.
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * A caller built against an older header passes a smaller struct; one built
 * against a newer header may pass a larger one with a version we do not know.
 * mlops__options_load() copies what the caller's `size` covers into a struct
 * of the library's own size that the caller has already filled with defaults,
 * so fields the caller does not know keep their defaults, and nothing is read
 * past the caller's struct (libgit2's init that copied the library's full size
 * overran older callers).
 */
#ifndef MLOPS_CORE_OPTIONS_H
#define MLOPS_CORE_OPTIONS_H

#include <stddef.h>
#include <stdint.h>

/**
 * @param dst      the library's struct, already holding the defaults
 * @param dst_size sizeof the library's struct
 * @param src      the caller's struct, or NULL to keep the defaults
 * @param max_version the newest version this library knows
 * @param min_size the size of version 1 of the struct
 * @param what     the struct's name, for the error detail
 * @return 0, MLOPS_E_VERSION or MLOPS_E_INVALID (recorded)
 */
int mlops__options_load(void *dst, size_t dst_size, const void *src,
                        uint32_t max_version, size_t min_size, const char *what);

/**
 * The `*_options_init(opts, size)` body: check `size` covers version 1, zero
 * the caller's struct and copy in the defaults `dflt` (of the library's size),
 * never writing past `size`.
 */
int mlops__options_init(void *opts, size_t size, const void *dflt, size_t dflt_size,
                        size_t min_size, const char *what);

#endif /* MLOPS_CORE_OPTIONS_H */
