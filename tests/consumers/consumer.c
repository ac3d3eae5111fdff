/*
 * A program that uses libmlops the way an outside project does: only the
 * installed headers and whatever the build system found (CMake package,
 * meson subproject, pkg-config --static). tests/integration/consumers.sh
 * builds it each of those ways and runs it.
 *
 * Prints the SHA-256 of "abc" and exits 1 unless it is the FIPS 180-2
 * value; the script compares the printed digest with sha256sum's as well.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdio.h>
#include <string.h>

#include <mlops.h>

int main(void)
{
    static const char want[] =
        "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
    if (mlops_abi_major() != MLOPS_ABI_MAJOR) {
        fprintf(stderr, "libmlops ABI %d loaded, built for %d\n", mlops_abi_major(),
                MLOPS_ABI_MAJOR);
        return 1;
    }
    uint8_t raw[MLOPS_SHA256_SIZE];
    char text[MLOPS_DIGEST_STRING_SIZE];
    if (mlops_digest_buffer(raw, "abc", 3) != 0 || mlops_digest_format(text, raw) != 0) {
        fprintf(stderr, "error: %s\n", mlops_error_last());
        return 1;
    }
    printf("digest %s\n", text);

    int order = 0;
    if (mlops_semver_compare_str(&order, "1.0.0-rc.1", "1.0.0") != 0) {
        fprintf(stderr, "error: %s\n", mlops_error_last());
        return 1;
    }
    printf("1.0.0-rc.1 %s 1.0.0\n", order < 0 ? "<" : order > 0 ? ">" : "==");
    printf("libmlops %s\n", mlops_version());
    return strcmp(text, want) == 0 && order < 0 ? 0 : 1;
}
