/*
 * Per-call cost of a few libmlops calls from C, the baseline for the Go
 * binding's BenchmarkCall (same names, same inputs). Prints one line per call:
 * "<name> <nanoseconds per call>", the median of 5 timed batches.
 * Driven by bench/go_overhead.sh.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mlops.h"

static volatile int sink;
static unsigned char mib[1 << 20];

static double now(clockid_t clock)
{
    struct timespec t;
    clock_gettime(clock, &t);
    return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void op_abi_major(void) { sink = mlops_abi_major(); }
static void op_version(void) { sink = (int)strlen(mlops_version()); }
static void op_sha256_3B(void)
{
    uint8_t d[MLOPS_SHA256_SIZE];
    sink = mlops_digest_buffer(d, "abc", 3);
}
static void op_compare_str(void)
{
    int r;
    sink = mlops_semver_compare_str(&r, "1.0.0-rc.1", "1.0.0") + r;
}
static void op_error_path(void)
{
    uint8_t d[MLOPS_SHA256_SIZE];
    /* a failing call and the detail a binding reads after it */
    sink = mlops_digest_parse(d, "sha256:0000000000000000000000000000000000000000000000000000000000000G00");
    sink += (int)strlen(mlops_error_last()) + mlops_error_last_code() +
            (int)mlops_error_last_offset() + (int)mlops_error_last_line() +
            (int)mlops_error_last_column() + (int)strlen(mlops_error_last_path());
}
static void op_sha256_1MiB(void)
{
    uint8_t d[MLOPS_SHA256_SIZE];
    sink = mlops_digest_buffer(d, mib, sizeof mib);
}

static void bench(const char *name, void (*op)(void), long n)
{
    double wall[5], cpu[5];
    for (long i = 0; i < n / 10; i++) /* warm up */
        op();
    for (int r = 0; r < 5; r++) {
        double w0 = now(CLOCK_MONOTONIC), c0 = now(CLOCK_THREAD_CPUTIME_ID);
        for (long i = 0; i < n; i++)
            op();
        cpu[r] = (now(CLOCK_THREAD_CPUTIME_ID) - c0) / (double)n;
        wall[r] = (now(CLOCK_MONOTONIC) - w0) / (double)n;
    }
    qsort(wall, 5, sizeof wall[0], cmp_double);
    qsort(cpu, 5, sizeof cpu[0], cmp_double);
    printf("%s %.2f %.2f\n", name, wall[2], cpu[2]);
}

int main(void)
{
    /* Real pages with content, as the Go side's slice (an untouched static
     * array would be the kernel's shared zero page, always in cache). */
    for (size_t i = 0; i < sizeof mib; i++)
        mib[i] = (unsigned char)(i * 31u);
    bench("abi_major", op_abi_major, 20000000);
    bench("version", op_version, 20000000);
    bench("sha256_3B", op_sha256_3B, 2000000);
    bench("compare_str", op_compare_str, 2000000);
    bench("error_path", op_error_path, 2000000);
    bench("sha256_1MiB", op_sha256_1MiB, 200);
    return 0;
}
