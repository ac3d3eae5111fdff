/*
 * SemVer: parsing never crashes; precedence is a consistent total preorder.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "fuzz_common.h"
#include "mlops.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* Two versions separated by the first newline. */
    char *s = fuzz_cstring(data, size);
    char *b = strchr(s, '\n');
    if (b)
        *b++ = '\0';
    mlops_semver *va = NULL, *vb = NULL;
    int ra = mlops_semver_parse(&va, s);
    FUZZ_CHECK((ra == 0) == (mlops_semver_validate(s) == 0));
    if (ra == 0) {
        FUZZ_CHECK(mlops_semver_compare(va, va) == 0);
        if (b && mlops_semver_parse(&vb, b) == 0) {
            int ab = mlops_semver_compare(va, vb), ba = mlops_semver_compare(vb, va), r = 9;
            FUZZ_CHECK(ab == -ba);
            FUZZ_CHECK(mlops_semver_compare_str(&r, s, b) == 0 && r == ab);
        }
    }
    mlops_semver_free(va);
    mlops_semver_free(vb);
    free(s);
    return 0;
}
