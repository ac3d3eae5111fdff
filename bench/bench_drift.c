/*
 * bench_drift: time the drift metrics on large inputs.
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 *   bench_drift ks|wasserstein REF.f64 CUR.f64 [REPS]   sample tests on raw doubles
 *   bench_drift psi REF.f64 CUR.f64 [REPS]              PSI of CUR against a stored
 *                                                       binned reference of REF
 *   bench_drift table ROWS COLS [REPS]                  the table call, default tests
 *   bench_drift identical N                             N identical values (KS, PSI)
 *
 * .f64 files hold native little-endian doubles (numpy's tofile()). Prints
 * "<what> median_s <seconds> result <statistic> ..." lines; bench/drift_compare.py
 * runs it next to SciPy/NumPy on the same data.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mlops.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *t, int n)
{
    qsort(t, (size_t)n, sizeof *t, cmp_double);
    return n % 2 ? t[n / 2] : 0.5 * (t[n / 2 - 1] + t[n / 2]);
}

static double *read_f64(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        exit(2);
    }
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    *n = (size_t)size / sizeof(double);
    double *v = malloc((size_t)size);
    if (!v || fread(v, sizeof(double), *n, f) != *n) {
        fprintf(stderr, "%s: read failed\n", path);
        exit(2);
    }
    fclose(f);
    return v;
}

static void die(const char *what, int rc)
{
    fprintf(stderr, "%s: %s: %s\n", what, mlops_error_name(rc), mlops_error_last());
    exit(1);
}

static int sample_test(int metric, const char *a, const char *b, int reps)
{
    size_t n1, n2;
    double *x = read_f64(a, &n1), *y = read_f64(b, &n2);
    double t[64], c[64], stat = 0, p = 0;
    for (int r = 0; r < reps; r++) {
        mlops_drift_result *res = NULL;
        double t0 = now(), c0 = cpu_now();
        int rc = mlops_drift_numeric(&res, metric, x, n1, y, n2, NULL);
        t[r] = now() - t0;
        c[r] = cpu_now() - c0;
        if (rc)
            die(mlops_drift_metric_name(metric), rc);
        stat = mlops_drift_result_statistic(res);
        p = mlops_drift_result_pvalue(res);
        mlops_drift_result_free(res);
    }
    printf("%s median_s %.6f cpu_s %.6f result %.17g pvalue %.17g n %zu %zu\n",
           mlops_drift_metric_name(metric), median(t, reps), median(c, reps), stat, p, n1, n2);
    free(x);
    free(y);
    return 0;
}

static int psi(const char *a, const char *b, int reps)
{
    size_t n1, n2;
    double *x = read_f64(a, &n1), *y = read_f64(b, &n2);
    mlops_drift_reference *ref = NULL;
    double t0 = now();
    int rc = mlops_drift_reference_new(&ref, x, n1, NULL);
    double tref = now() - t0;
    if (rc)
        die("reference", rc);
    double t[64], c[64], stat = 0;
    for (int r = 0; r < reps; r++) {
        mlops_drift_result *res = NULL;
        t0 = now();
        double c0 = cpu_now();
        rc = mlops_drift_reference_compare(&res, ref, MLOPS_DRIFT_PSI, y, n2, NULL);
        t[r] = now() - t0;
        c[r] = cpu_now() - c0;
        if (rc)
            die("psi", rc);
        stat = mlops_drift_result_statistic(res);
        mlops_drift_result_free(res);
    }
    double med = median(t, reps);
    printf("psi median_s %.6f cpu_s %.6f result %.17g gbps %.3f reference_s %.6f n %zu\n", med,
           median(c, reps), stat, (double)n2 * sizeof(double) / med / 1e9, tref, n2);
    mlops_drift_reference_free(ref);
    free(x);
    free(y);
    return 0;
}

/* xorshift64* and Box-Muller: reproducible normal data without a library. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static double uniform01(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (double)((rng_state * 0x2545f4914f6cdd1dull) >> 11) * 0x1.0p-53;
}

static void fill_normal(double *v, size_t n, double mu, double sigma)
{
    for (size_t i = 0; i + 1 < n; i += 2) {
        double u1 = uniform01(), u2 = uniform01();
        double r = sqrt(-2.0 * log(u1 > 0 ? u1 : 1e-300));
        v[i] = mu + sigma * r * cos(6.283185307179586 * u2);
        v[i + 1] = mu + sigma * r * sin(6.283185307179586 * u2);
    }
    if (n % 2)
        v[n - 1] = mu;
}

static int table(size_t rows, size_t cols, int reps)
{
    double *ref = malloc(rows * cols * sizeof *ref), *cur = malloc(rows * cols * sizeof *cur);
    if (!ref || !cur) {
        fprintf(stderr, "out of memory\n");
        return 2;
    }
    for (size_t j = 0; j < cols; j++) {
        fill_normal(ref + j * rows, rows, 0.0, 1.0);
        /* Every fifth column drifts a little. */
        fill_normal(cur + j * rows, rows, j % 5 == 0 ? 0.2 : 0.0, 1.0);
    }
    double t[64], c[64];
    size_t drifted = 0;
    for (int r = 0; r < reps; r++) {
        mlops_drift_table_result *res = NULL;
        double t0 = now(), c0 = cpu_now();
        int rc = mlops_drift_table(&res, ref, rows, cur, rows, cols, NULL, NULL);
        t[r] = now() - t0;
        c[r] = cpu_now() - c0;
        if (rc)
            die("table", rc);
        drifted = mlops_drift_table_result_drifted_count(res);
        mlops_drift_table_result_free(res);
    }
    printf("table median_s %.6f cpu_s %.6f rows %zu cols %zu drifted_columns %zu\n",
           median(t, reps), median(c, reps), rows, cols, drifted);
    free(ref);
    free(cur);
    return 0;
}

static int identical(size_t n)
{
    double *x = malloc(n * sizeof *x);
    if (!x) {
        fprintf(stderr, "out of memory\n");
        return 2;
    }
    for (size_t i = 0; i < n; i++)
        x[i] = 42.0;
    mlops_drift_result *r = NULL;
    double t0 = now();
    int rc = mlops_drift_numeric(&r, MLOPS_DRIFT_KS, x, n, x, n, NULL);
    double tks = now() - t0;
    if (rc)
        die("ks", rc);
    printf("identical n %zu ks_s %.3f statistic %.17g pvalue %.17g\n", n, tks,
           mlops_drift_result_statistic(r), mlops_drift_result_pvalue(r));
    mlops_drift_result_free(r);
    t0 = now();
    rc = mlops_drift_numeric(&r, MLOPS_DRIFT_PSI, x, n, x, n, NULL);
    if (rc)
        die("psi", rc);
    printf("identical n %zu psi_s %.3f statistic %.17g bins %zu\n", n, now() - t0,
           mlops_drift_result_statistic(r), mlops_drift_result_bins(r));
    mlops_drift_result_free(r);
    free(x);
    return 0;
}

int main(int argc, char **argv)
{
    int reps = 5;
    if (argc >= 4 && (strcmp(argv[1], "ks") == 0 || strcmp(argv[1], "wasserstein") == 0)) {
        if (argc > 4)
            reps = atoi(argv[4]);
        reps = reps < 1 ? 1 : (reps > 64 ? 64 : reps);
        return sample_test(strcmp(argv[1], "ks") == 0 ? MLOPS_DRIFT_KS : MLOPS_DRIFT_WASSERSTEIN,
                           argv[2], argv[3], reps);
    }
    if (argc >= 4 && strcmp(argv[1], "psi") == 0) {
        if (argc > 4)
            reps = atoi(argv[4]);
        reps = reps < 1 ? 1 : (reps > 64 ? 64 : reps);
        return psi(argv[2], argv[3], reps);
    }
    if (argc >= 4 && strcmp(argv[1], "table") == 0) {
        if (argc > 4)
            reps = atoi(argv[4]);
        reps = reps < 1 ? 1 : (reps > 64 ? 64 : reps);
        return table(strtoul(argv[2], NULL, 10), strtoul(argv[3], NULL, 10), reps);
    }
    if (argc == 3 && strcmp(argv[1], "identical") == 0)
        return identical(strtoul(argv[2], NULL, 10));
    fprintf(stderr, "usage: bench_drift ks|wasserstein|psi REF.f64 CUR.f64 [REPS] | "
                    "table ROWS COLS [REPS] | identical N\n");
    return 2;
}
