/*
 * Versioned options structs: the one place that reads `version` and `size`.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "core/options.h"

#include <string.h>

#include "core/error.h"

typedef struct options_header {
    uint32_t version;
    uint32_t size;
} options_header;

int mlops__options_load(void *dst, size_t dst_size, const void *src,
                        uint32_t max_version, size_t min_size, const char *what)
{
    if (!src)
        return 0;
    options_header h;
    memcpy(&h, src, sizeof h);
    if (h.version == 0 || h.version > max_version)
        return mlops__error(MLOPS_E_VERSION,
                            "%s: version %u is not supported (this library knows 1..%u)",
                            what, (unsigned)h.version, (unsigned)max_version);
    if (h.size < min_size)
        return mlops__error(MLOPS_E_INVALID,
                            "%s: size %u is smaller than version 1 of the struct (%zu)",
                            what, (unsigned)h.size, min_size);
    size_t n = h.size < dst_size ? h.size : dst_size;
    memcpy(dst, src, n);
    return 0;
}

int mlops__options_init(void *opts, size_t size, const void *dflt, size_t dflt_size,
                        size_t min_size, const char *what)
{
    if (!opts)
        return mlops__error(MLOPS_E_INVALID, "%s_init: argument 'opts' must not be NULL", what);
    if (size < min_size)
        return mlops__error(MLOPS_E_INVALID,
                            "%s_init: size %zu is smaller than version 1 of the struct (%zu)",
                            what, size, min_size);
    memset(opts, 0, size);
    size_t n = size < dflt_size ? size : dflt_size;
    memcpy(opts, dflt, n);
    /* The caller's struct records its own size, not the library's. */
    options_header h;
    memcpy(&h, opts, sizeof h);
    h.size = (uint32_t)size;
    memcpy(opts, &h, sizeof h);
    return 0;
}
