/*
 * Timestamps: parsing never crashes; what parses formats to a string that
 * parses to the same instant.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "fuzz_common.h"
#include "mlops.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = fuzz_cstring(data, size);
    int64_t secs = 0, back = 0;
    uint32_t ns = 0, back_ns = 0;
    if (mlops_timestamp_parse(&secs, &ns, s) == 0) {
        char out[MLOPS_TIMESTAMP_STRING_SIZE];
        FUZZ_CHECK(mlops_timestamp_format(out, secs, ns) == 0);
        FUZZ_CHECK(mlops_timestamp_parse(&back, &back_ns, out) == 0);
        FUZZ_CHECK(back == secs && back_ns == ns);
    }
    free(s);
    return 0;
}
