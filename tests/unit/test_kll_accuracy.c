/*
 * KLL accuracy measured, not assumed: over 100 random streams of 10^6 values
 * the maximum normalised rank error at k = 200 must stay within the published
 * 99%-confidence bound (2.296 / k^0.9723 = 1.33%) in at least 99 streams.
 *
 * Each stream is a random permutation of 0 .. n-1, so the true rank of every
 * value is known exactly (fraction <= v is (v + 1) / n) and the maximum error
 * over all possible queries is found by checking both sides of every step of
 * the sketch's rank function. The sketch only compares values, so any stream
 * of distinct values in the same order gives the same errors.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "monitor/kll.h"

enum { STREAMS = 100, N = 1000000, K = 200 };

static double max_rank_error(const mlops__kll *s)
{
    mlops__kll_view v;
    assert_int_equal(mlops__kll_view_build(&v, s), 0);
    assert_int_equal(v.n, N);
    double worst = 0;
    for (size_t i = 0; i < v.size; i++) {
        double x = v.items[i];
        double at = fabs((double)v.cum[i] - (x + 1));            /* rank(x) */
        double before = fabs((double)(i ? v.cum[i - 1] : 0) - x); /* rank(x - 1) */
        worst = fmax(worst, fmax(at, before));
    }
    /* beyond the largest retained value the sketch says n */
    worst = fmax(worst, fabs((double)N - (v.items[v.size - 1] + 1)));
    mlops__kll_view_dispose(&v);
    return worst / N;
}

static void rank_error_within_published_bound_in_99_of_100_streams(void **state)
{
    (void)state;
    double *x = malloc(N * sizeof *x);
    assert_non_null(x);
    const double bound = mlops__kll_rank_error_for_k(K, 0);
    assert_true(fabs(bound - 0.013293) < 1e-5);
    int within = 0;
    double worst = 0, sum = 0;
    uint64_t rng = 20261126;
    for (int t = 0; t < STREAMS; t++) {
        for (size_t i = 0; i < N; i++)
            x[i] = (double)i;
        for (size_t i = N - 1; i > 0; i--) { /* Fisher–Yates */
            size_t j = (size_t)(mlops__splitmix64(&rng) % (i + 1));
            double tmp = x[i];
            x[i] = x[j];
            x[j] = tmp;
        }
        mlops__kll s;
        assert_int_equal(mlops__kll_init(&s, K, (uint64_t)t * 7919u + 1), 0);
        for (size_t i = 0; i < N; i += 4096)
            mlops__kll_update(&s, x + i, N - i < 4096 ? N - i : 4096);
        double e = max_rank_error(&s);
        within += e <= bound;
        worst = fmax(worst, e);
        sum += e;
        mlops__kll_dispose(&s);
    }
    print_message("KLL k=%d: %d/%d streams within %.4f%%; mean max error %.4f%%, worst %.4f%%\n",
                  K, within, STREAMS, 100 * bound, 100 * sum / STREAMS, 100 * worst);
    assert_true(within >= 99);
    free(x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rank_error_within_published_bound_in_99_of_100_streams),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
