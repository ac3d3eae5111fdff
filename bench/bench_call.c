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

/* Drift on 10^6 values: KS between two samples of 500,000, and PSI of a
 * sample of 10^6 against a binned reference. The values are the Go side's
 * (bench_test.go: driftSample). */
#define DRIFT_N 1000000
static double *drift_ref, *drift_cur;
static mlops_drift_reference *drift_refobj;
static double drift_value(uint32_t i, double scale)
{
    return (double)(uint32_t)(i * 2654435761u) / 4294967296.0 * scale;
}
static void op_drift_ks_1e6(void)
{
    mlops_drift_result *r = NULL;
    sink = mlops_drift_numeric(&r, MLOPS_DRIFT_KS, drift_ref, DRIFT_N / 2, drift_cur, DRIFT_N / 2, NULL);
    mlops_drift_result_free(r);
}
static void op_drift_psi_1e6(void)
{
    mlops_drift_result *r = NULL;
    sink = mlops_drift_reference_compare(&r, drift_refobj, MLOPS_DRIFT_PSI, drift_cur, DRIFT_N, NULL);
    mlops_drift_result_free(r);
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
    drift_ref = malloc(DRIFT_N * sizeof *drift_ref);
    drift_cur = malloc(DRIFT_N * sizeof *drift_cur);
    if (drift_ref == NULL || drift_cur == NULL)
        return 1;
    for (uint32_t i = 0; i < DRIFT_N; i++) {
        drift_ref[i] = drift_value(i, 1.0);
        drift_cur[i] = drift_value(i, 1.1);
    }
    if (mlops_drift_reference_new(&drift_refobj, drift_ref, DRIFT_N, NULL) != 0)
        return 1;
    bench("drift_ks_1e6", op_drift_ks_1e6, 4);
    bench("drift_psi_1e6", op_drift_psi_1e6, 20);
    mlops_drift_reference_free(drift_refobj);
    free(drift_ref);
    free(drift_cur);
    return 0;
}
