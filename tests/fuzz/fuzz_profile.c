/*
 * Fuzz target: profile bytes. Any input must either load or fail cleanly;
 * a loaded profile must answer queries, merge, and serialise back to the
 * same bytes.
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
    mlops_profile *p = NULL;
    if (mlops_profile_parse(&p, data, size) != 0)
        return;
    mlops_buf b = MLOPS_BUF_INIT;
    if (mlops_profile_write(&b, p, 0) == 0 && (b.size != size || memcmp(b.data, data, size)))
        abort(); /* loading then saving must be the identity */
    mlops_buf_dispose(&b);
    if (mlops_profile_kind(p) == MLOPS_PROFILE_NUMERIC) {
        double q, r;
        mlops_profile_quantile(&q, p, 0.5);
        mlops_profile_rank(&r, p, 0.0);
        double edges[16];
        size_t ne;
        mlops_profile_quantile_edges(edges, &ne, p, 10);
        mlops_profile_test t = MLOPS_SKETCH_TEST_INIT;
        mlops_profile_ks_test(&t, p, p, 0.05);
        mlops_profile_wasserstein(&t, p, p, 0.1);
        double x[] = { 1.0, -2.5, 1e300, 0.0 };
        mlops_profile_update(p, x, 4);
    } else {
        int64_t codes[] = { 1, 2, 3, -7 };
        mlops_profile_update_codes(p, codes, 4);
        size_t n;
        mlops_profile_categories(NULL, NULL, 0, &n, p);
    }
    mlops_profile *c = NULL;
    if (mlops_profile_dup(&c, p) == 0) {
        mlops_profile_merge(p, c);
        mlops_profile_free(c);
    }
    mlops_profile_free(p);
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
