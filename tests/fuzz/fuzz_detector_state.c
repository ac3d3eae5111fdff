/*
 * Fuzz target: saved detector state. Any input must either load or fail
 * cleanly; a loaded detector must keep working and save back to the same
 * bytes.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "mlops.h"

/*
 * Most mutations break the CRC; a second pass repairs the length and the CRC
 * so that the structure checks behind them are fuzzed too.
 */
static uint8_t *repaired(const uint8_t *data, size_t size)
{
    if (size < 24 || size > (1u << 20))
        return NULL;
    uint8_t *c = malloc(size);
    if (!c)
        return NULL;
    memcpy(c, data, size);
    uint64_t body = size - 24;
    for (int i = 0; i < 8; i++)
        c[12 + i] = (uint8_t)(body >> (8 * i));
    uLong crc = crc32(crc32(0L, Z_NULL, 0), c, (uInt)(size - 4));
    for (int i = 0; i < 4; i++)
        c[size - 4 + i] = (uint8_t)(crc >> (8 * i));
    return c;
}

static void one_input(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void one_input(const uint8_t *data, size_t size)
{
    mlops_detector *d = NULL;
    if (mlops_detector_parse(&d, data, size) != 0)
        return;
    mlops_buf b = MLOPS_BUF_INIT;
    if (mlops_detector_write(&b, d, 0) == 0 && (b.size != size || memcmp(b.data, data, size)))
        abort(); /* loading then saving must be the identity */
    mlops_buf_dispose(&b);
    double x[64];
    for (int i = 0; i < 64; i++)
        x[i] = (i * 7) % 5 == 0 ? 1.0 : 0.0;
    size_t n;
    mlops_detector_update(NULL, 0, &n, d, x, 64);
    mlops_detector_free(d);
}


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    one_input(data, size);
    uint8_t *c = repaired(data, size);
    if (c) {
        one_input(c, size);
        free(c);
    }
    return 0;
}
