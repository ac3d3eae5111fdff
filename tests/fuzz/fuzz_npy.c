/*
 * Fuzz target: the `mlops` command's .npy reader (src/cli/input.c, compiled
 * in). Any input must either load or fail with a "NAME: reason" message; a
 * loaded array has exactly as many values as its data bytes allow.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > (1u << 20))
        return 0;
    double *v = NULL;
    size_t n = 0;
    int is_int = -1;
    char err[512];
    err[0] = '\0';
    if (cli_npy_parse(&v, &n, &is_int, data, size, "fuzz.npy", err, sizeof err) != 0) {
        if (strncmp(err, "fuzz.npy", 8) != 0 || v || n)
            abort();
        return 0;
    }
    if (n * 8 > size || (is_int != 0 && is_int != 1))
        abort();
    volatile double sink = 0;
    for (size_t i = 0; i < n; i++)
        sink += v[i];
    (void)sink;
    free(v);
    return 0;
}
