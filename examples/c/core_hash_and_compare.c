/*
 * The core layer from a tool author's side: hash a model file the way a
 * package records it, and order two model versions by SemVer precedence.
 *
 *   core_hash_and_compare FILE VERSION_A VERSION_B
 *
 * Build against an installed libmlops:
 *   cc core_hash_and_compare.c $(pkg-config --cflags --libs libmlops)
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdio.h>

#include <mlops.h>

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: %s FILE VERSION_A VERSION_B\n", argv[0]);
        return 2;
    }
    if (mlops_abi_major() != MLOPS_ABI_MAJOR) {
        fprintf(stderr, "libmlops ABI %d loaded, built for %d\n", mlops_abi_major(),
                MLOPS_ABI_MAJOR);
        return 2;
    }

    uint8_t digest[MLOPS_SHA256_SIZE];
    char text[MLOPS_DIGEST_STRING_SIZE];
    if (mlops_digest_file(digest, argv[1], NULL) != 0 ||
        mlops_digest_format(text, digest) != 0) {
        fprintf(stderr, "error: %s\n", mlops_error_last());
        return 2;
    }
    printf("%s  %s\n", text, argv[1]);

    int order = 0;
    if (mlops_semver_compare_str(&order, argv[2], argv[3]) != 0) {
        fprintf(stderr, "error: %s\n", mlops_error_last());
        return 2;
    }
    printf("%s %s %s\n", argv[2], order < 0 ? "<" : order > 0 ? ">" : "==", argv[3]);
    printf("libmlops %s\n", mlops_version());
    return 0;
}
