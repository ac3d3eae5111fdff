/*
 * Pack a directory or verify a package, printing the wall time, throughput
 * and peak memory; bench/package_compare.sh runs it next to `cat` and
 * `openssl dgst -sha256`.
 *
 * Usage: bench_package pack DIR OUT.mlpkg
 *        bench_package verify PKG
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "mlops.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: bench_package pack DIR OUT | verify PKG\n");
        return 2;
    }
    double t0 = now();
    int rc;
    const char *measured;
    if (strcmp(argv[1], "pack") == 0 && argc == 4) {
        mlops_packer_options o = MLOPS_PACKER_OPTIONS_INIT;
        o.flags = MLOPS_PACK_OVERWRITE;
        mlops_packer *p = NULL;
        mlops_manifest_builder *b = NULL;
        rc = mlops_packer_new(&p, &o);
        if (!rc)
            rc = mlops_packer_add_directory(p, argv[2], "model", 0);
        if (!rc)
            rc = mlops_manifest_builder_new(&b, "bench", "1.0.0", "2026-11-26T09:00:00Z");
        if (!rc)
            rc = mlops_packer_write_file(NULL, p, argv[3], b);
        mlops_manifest_builder_free(b);
        mlops_packer_free(p);
        measured = argv[3];
    } else if (strcmp(argv[1], "verify") == 0 && argc == 3) {
        mlops_package_verify_options o = MLOPS_PACKAGE_VERIFY_OPTIONS_INIT;
        o.flags = MLOPS_PACKAGE_ALLOW_UNSIGNED;
        rc = mlops_package_verify(NULL, argv[2], &o);
        measured = argv[2];
    } else {
        fprintf(stderr, "usage: bench_package pack DIR OUT | verify PKG\n");
        return 2;
    }
    double t = now() - t0;
    if (rc) {
        fprintf(stderr, "%s: %s\n", mlops_error_name(rc), mlops_error_last());
        return 1;
    }
    struct stat st;
    struct rusage ru;
    stat(measured, &st);
    getrusage(RUSAGE_SELF, &ru);
    printf("seconds=%.3f MBps=%.0f maxrss_kib=%ld\n", t, (double)st.st_size / t / 1e6,
           ru.ru_maxrss);
    return 0;
}
