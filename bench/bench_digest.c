/*
 * SHA-256 of a file through mlops_digest_file(): prints seconds and MB/s, the
 * digest (to check it against `openssl dgst -sha256`) and the peak RSS.
 * Driven by bench/digest_compare.sh, which runs OpenSSL side by side.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>

#include "mlops.h"

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s FILE\n", argv[0]);
        return 2;
    }
    struct stat st;
    if (stat(argv[1], &st) != 0) {
        perror(argv[1]);
        return 2;
    }
    struct timespec t0, t1;
    uint8_t d[MLOPS_SHA256_SIZE];
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (mlops_digest_file(d, argv[1], NULL) != 0) {
        fprintf(stderr, "%s\n", mlops_error_last());
        return 1;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    char text[MLOPS_DIGEST_STRING_SIZE];
    mlops_digest_format(text, d);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("seconds=%.4f mb_per_s=%.1f digest=%s maxrss_kib=%ld\n", s,
           (double)st.st_size / 1e6 / s, text + 7, ru.ru_maxrss);
    return 0;
}
