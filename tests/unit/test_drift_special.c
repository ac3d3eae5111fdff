/*
 * The drift layer's special functions (src/monitor/drift_special.c) against
 * SciPy 1.10.1, one case per branch: tests/vectors/special/special.txt,
 * written by gen_special.py beside it. The p-values of the KS, chi-square
 * and Cramér-von Mises tests are built on these. And the share metrics with
 * NumPy's pairwise summation (src/monitor/drift_shares.c) on hundreds of bins:
 * shares.txt, written by gen_shares.py.
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
#include <string.h>

#include <cmocka.h>

#include "monitor/drift_shares.h"
#include "monitor/drift_special.h"
#include "oom.h"
#include "vecfile.h"

static vec_file vectors, share_vectors;

static int load_vectors(void **state)
{
    (void)state;
    vec_load(&vectors, "special/special.txt");
    vec_load(&share_vectors, "special/shares.txt");
    return 0;
}

static int free_vectors(void **state)
{
    (void)state;
    vec_free(&vectors);
    vec_free(&share_vectors);
    return 0;
}

static double call(const vec_case *c, const char *fn)
{
    double a[2] = {0, 0};
    size_t n = vec_doubles(vec_get(c, "args"), a, 2);
    if (strcmp(fn, "gamma_q") == 0 && n == 2)
        return mlops__drift_gamma_q(a[0], a[1]);
    if (strcmp(fn, "chi2_sf") == 0 && n == 2)
        return mlops__drift_chi2_sf(a[0], a[1]);
    if (strcmp(fn, "norm_sf") == 0 && n == 1)
        return mlops__drift_norm_sf(a[0]);
    if (strcmp(fn, "smirnov_sf") == 0 && n == 2)
        return mlops__drift_smirnov_sf((int64_t)a[0], a[1]);
    if (strcmp(fn, "kstwo_sf") == 0 && n == 2)
        return mlops__drift_kstwo_sf((int64_t)a[0], a[1]);
    if (strcmp(fn, "bessel_k14_scaled") == 0 && n == 1)
        return mlops__drift_bessel_k14_scaled(a[0]);
    if (strcmp(fn, "cvm_inf_cdf") == 0 && n == 1)
        return mlops__drift_cvm_inf_cdf(a[0]);
    fail_msg("case %s: unknown function %s or wrong argument count", c->name, fn);
    return NAN;
}

/* Every case: NaN where SciPy gives NaN, else within the case's relative
 * tolerance (an exact match when the tolerance is 0 or the value is 0). */
static void scipy_values(void **state)
{
    (void)state;
    size_t checked = 0;
    for (size_t i = 0; i < vectors.n_cases; i++) {
        const vec_case *c = &vectors.cases[i];
        double want = vec_double(c, "want"), rtol = vec_double(c, "rtol");
        double got = call(c, vec_get(c, "fn"));
        if (isnan(want)) {
            if (!isnan(got))
                fail_msg("case %s: got %.17g, want NaN", c->name, got);
        } else if (!(fabs(got - want) <= rtol * fabs(want))) {
            fail_msg("case %s: got %.17g, want %.17g (rtol %g)", c->name, got, want, rtol);
        }
        checked++;
    }
    assert_true(checked >= 60);
}

/* The Durbin matrix needs memory; when it cannot be had the two-sided
 * p-value is NaN (its callers then fall back), never a made-up number. */
static void kstwo_out_of_memory(void **state)
{
    (void)state;
    oom_fail_next(1);
    assert_true(isnan(mlops__drift_kstwo_sf(20, 0.2)));  /* Durbin, n <= 140 */
    oom_fail_next(1);
    assert_true(isnan(mlops__drift_kstwo_sf(1000, 0.012)));  /* Durbin, n > 140 */
    /* and with memory, SciPy's stats.kstwo.sf(0.2, 20) */
    assert_true(fabs(mlops__drift_kstwo_sf(20, 0.2) - 0.352720173623415) <= 1e-9 * 0.3527);
}

/* Up to `cap` numbers of a line; fails the test when there are more. */
static size_t numbers(const vec_case *c, const char *key, double *out, size_t cap)
{
    size_t n = vec_doubles(vec_get(c, key), out, cap);
    if (n >= cap)
        fail_msg("case %s: more than %zu values in %s", c->name, cap - 1, key);
    return n;
}

enum { MAXV = 5000 };

static void check_metric(const vec_case *c, const char *key, double got)
{
    double want = vec_double(c, key);
    if (isinf(want) ? got != want : !(fabs(got - want) <= 1e-12 * fabs(want) + 1e-15))
        fail_msg("case %s: %s %.17g, want %.17g", c->name, key, got, want);
}

/* PSI, KL, JS, Hellinger, TVD, L-infinity against NumPy / SciPy
 * (docs/drift-contract.md: 1e-12 relative). */
static void share_metrics(void **state)
{
    (void)state;
    static double r[MAXV], q[MAXV];
    static uint64_t rc[MAXV], qc[MAXV];
    size_t checked = 0;
    for (size_t i = 0; i < share_vectors.n_cases; i++) {
        const vec_case *c = &share_vectors.cases[i];
        if (strcmp(vec_get(c, "fn"), "shares") != 0)
            continue;
        size_t bins = numbers(c, "ref", r, MAXV);
        assert_int_equal(numbers(c, "cur", q, MAXV), bins);
        for (size_t b = 0; b < bins; b++) {
            rc[b] = (uint64_t)r[b];
            qc[b] = (uint64_t)q[b];
        }
        mlops__drift_shares sh;
        mlops__drift_shares_from_counts(&sh, rc, qc, bins, vec_double(c, "smoothing"),
                                        vec_double(c, "js_base"));
        check_metric(c, "psi", sh.psi);
        check_metric(c, "kl", sh.kl);
        check_metric(c, "js", sh.js);
        check_metric(c, "hellinger", sh.hellinger);
        check_metric(c, "tvd", sh.tvd);
        check_metric(c, "linf", sh.linf);
        checked++;
    }
    assert_int_equal(checked, 4);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(scipy_values),
        cmocka_unit_test(kstwo_out_of_memory),
        cmocka_unit_test(share_metrics),
    };
    return cmocka_run_group_tests(tests, load_vectors, free_vectors);
}
