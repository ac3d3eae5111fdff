/*
 * The drift functions from many threads at once: the library promises they
 * are reentrant and thread-safe (mlops/drift.h). Run under ThreadSanitizer
 * by scripts/test (the "threads" suite); in a plain build it checks that
 * concurrent results equal the single-threaded ones and SciPy's.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <math.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mlops.h"

#define THREADS 4
#define ROUNDS 25

/* Two KS cases whose asymptotic p-value takes the one-sided Smirnov sum
 * (kstwo.sf with n*x^2 > 4 and n <= 140: log-factorials in long double).
 * Expected values: scipy.stats.ks_2samp(a, b, method='asymp'), SciPy 1.17. */
typedef struct ks_case {
    double a[200], b[200];
    size_t na, nb;
    double want_d, want_p;
} ks_case;

static ks_case cases[2];

static void make_cases(void)
{
    ks_case *c = &cases[0];
    c->na = c->nb = 200;
    for (size_t i = 0; i < 200; i++) {
        c->a[i] = (double)i / 200.0;
        c->b[i] = (double)i / 200.0 + 0.3;
    }
    c->want_d = 0.30499999999999994;
    c->want_p = 9.402614888047207e-09;
    c = &cases[1];
    c->na = 150;
    c->nb = 130;
    for (size_t i = 0; i < 150; i++)
        c->a[i] = (double)i / 150.0;
    for (size_t i = 0; i < 130; i++)
        c->b[i] = ((double)i / 130.0) * ((double)i / 130.0);
    c->want_d = 0.25641025641025644;
    c->want_p = 0.000151550005255534;
}

static int ks_once(const ks_case *c, double *d, double *p)
{
    *d = *p = NAN; /* a failed call leaves no stale value to compare */
    mlops_drift_options o = MLOPS_DRIFT_OPTIONS_INIT;
    o.ks_mode = MLOPS_DRIFT_KS_ASYMPTOTIC;
    mlops_drift_result *r = NULL;
    int rc = mlops_drift_numeric(&r, MLOPS_DRIFT_KS, c->a, c->na, c->b, c->nb, &o);
    if (rc)
        return rc;
    *d = mlops_drift_result_statistic(r);
    *p = mlops_drift_result_pvalue(r);
    mlops_drift_result_free(r);
    return 0;
}

typedef struct ks_thread {
    int failures;
    double p[2];
} ks_thread;

static void *ks_body(void *arg)
{
    ks_thread *t = arg;
    for (int round = 0; round < ROUNDS; round++) {
        for (int k = 0; k < 2; k++) {
            double d, p;
            if (ks_once(&cases[k], &d, &p) != 0) {
                t->failures++;
                continue;
            }
            if (round == 0)
                t->p[k] = p;
            else if (memcmp(&p, &t->p[k], sizeof p) != 0)
                t->failures++;
        }
    }
    return NULL;
}

static void close_to(double got, double want, double rel)
{
    if (!(fabs(got - want) <= rel * fabs(want)))
        fail_msg("got %.17g, want %.17g (rel %g)", got, want, rel);
}

static void test_concurrent_ks_pvalues(void **state)
{
    (void)state;
    make_cases();
    double single[2];
    for (int k = 0; k < 2; k++) {
        double d;
        assert_int_equal(ks_once(&cases[k], &d, &single[k]), 0);
        close_to(d, cases[k].want_d, 1e-12);
        close_to(single[k], cases[k].want_p, 1e-9);
    }
    pthread_t tid[THREADS];
    ks_thread t[THREADS];
    memset(t, 0, sizeof t);
    for (int i = 0; i < THREADS; i++)
        assert_int_equal(pthread_create(&tid[i], NULL, ks_body, &t[i]), 0);
    for (int i = 0; i < THREADS; i++)
        assert_int_equal(pthread_join(tid[i], NULL), 0);
    for (int i = 0; i < THREADS; i++) {
        assert_int_equal(t[i].failures, 0);
        for (int k = 0; k < 2; k++)
            assert_memory_equal(&t[i].p[k], &single[k], sizeof(double));
    }
}

/* The table call's own workers: KS columns on four threads. */
static void test_table_workers_compute_ks_concurrently(void **state)
{
    (void)state;
    make_cases();
    enum { COLS = 8, N = 150, M = 130 };
    static double ref[COLS * N], cur[COLS * M];
    for (size_t j = 0; j < COLS; j++) {
        memcpy(ref + j * N, cases[1].a, N * sizeof(double));
        memcpy(cur + j * M, cases[1].b, M * sizeof(double));
    }
    mlops_drift_options co = MLOPS_DRIFT_OPTIONS_INIT;
    co.ks_mode = MLOPS_DRIFT_KS_ASYMPTOTIC;
    mlops_drift_table_options to = MLOPS_DRIFT_TABLE_OPTIONS_INIT;
    to.threads = 4;
    to.column_options = &co;
    int metrics[COLS];
    for (size_t j = 0; j < COLS; j++)
        metrics[j] = MLOPS_DRIFT_KS;
    for (int round = 0; round < 5; round++) {
        mlops_drift_table_result *t = NULL;
        assert_int_equal(mlops_drift_table(&t, ref, N, cur, M, COLS, metrics, &to), 0);
        for (size_t j = 0; j < COLS; j++)
            close_to(mlops_drift_result_pvalue(mlops_drift_table_result_column(t, j)),
                     cases[1].want_p, 1e-9);
        mlops_drift_table_result_free(t);
    }
}

static int cmp_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

/* A sample of 2^20 values or more sorts its buckets on two threads. */
static void test_large_sample_sorts_on_two_threads(void **state)
{
    (void)state;
    enum { N = (1 << 20) + 4321, M = 3000 };
    double *a = malloc(N * sizeof *a), *b = malloc(M * sizeof *b);
    assert_non_null(a);
    assert_non_null(b);
    uint64_t x = 0x243f6a8885a308d3ULL;
    for (size_t i = 0; i < N + M; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        double u = (double)(x >> 11) / 9007199254740992.0;
        if (i < N)
            a[i] = u * u;
        else
            b[i - N] = u;
    }
    mlops_drift_result *r = NULL;
    assert_int_equal(mlops_drift_numeric(&r, MLOPS_DRIFT_KS, a, N, b, M, NULL), 0);
    qsort(a, N, sizeof *a, cmp_double);
    qsort(b, M, sizeof *b, cmp_double);
    size_t i = 0, j = 0;
    double d = 0;
    while (i < N && j < M) {
        double v = a[i] <= b[j] ? a[i] : b[j];
        while (i < N && a[i] == v)
            i++;
        while (j < M && b[j] == v)
            j++;
        double diff = fabs((double)i / (double)N - (double)j / (double)M);
        d = diff > d ? diff : d;
    }
    assert_true(mlops_drift_result_statistic(r) == d);
    mlops_drift_result_free(r);
    free(a);
    free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_concurrent_ks_pvalues),
        cmocka_unit_test(test_table_workers_compute_ks_concurrently),
        cmocka_unit_test(test_large_sample_sorts_on_two_threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
