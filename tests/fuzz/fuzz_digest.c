/*
 * Digest strings: parsing never crashes; what parses formats back to itself.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "fuzz_common.h"
#include "mlops.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = fuzz_cstring(data, size);
    uint8_t d[MLOPS_SHA256_SIZE];
    if (mlops_digest_parse(d, s) == 0) {
        char back[MLOPS_DIGEST_STRING_SIZE];
        FUZZ_CHECK(mlops_digest_format(back, d) == 0);
        FUZZ_CHECK(strcmp(back, s) == 0);
    } else {
        FUZZ_CHECK(mlops_error_last()[0] != '\0');
    }
    free(s);
    return 0;
}
