/*
 * Drift metrics: agreement with the SciPy/NumPy vectors, bad input, OOM.
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * Expected values come from the JSON files in tests/vectors/drift (SciPy 1.10.1 /
 * NumPy 1.24.2), read by the small test-only reader below; every file there
 * is run, by its "kind". The few extra constants below were computed with
 * SciPy 1.10.1 and say so.
 */
#include <dirent.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mlops.h"
#include "monitor/drift_internal.h"
#include "monitor/drift_shares.h"
#include "oom.h"

#include "driftvec.h"

static void numeric_sample_tests_match(const char *name)
{
    vec v;
    vec_load(&v, name);
    char what[160];
    mlops_drift_result *r = run_num(&v, MLOPS_DRIFT_KS, NULL);
    snprintf(what, sizeof what, "%s ks", name);
    check_stat(what, mlops_drift_result_statistic(r), vec_num(&v, "ks.statistic"));
    check_p(what, mlops_drift_result_pvalue(r), vec_num(&v, "ks.pvalue"), 0);
    int want_method = strcmp(vec_get(&v, "ks.method")->word, "exact") == 0
                          ? MLOPS_DRIFT_PVALUE_EXACT : MLOPS_DRIFT_PVALUE_ASYMPTOTIC;
    assert_int_equal(mlops_drift_result_pvalue_method(r), want_method);
    assert_int_equal(mlops_drift_result_missing_ref(r), (uint64_t)vec_num(&v, "missing_ref"));
    assert_int_equal(mlops_drift_result_missing_cur(r), (uint64_t)vec_num(&v, "missing_cur"));
    assert_int_equal(mlops_drift_result_direction(r), MLOPS_DRIFT_PVALUE_LT);
    assert_int_equal(mlops_drift_result_drifted(r), vec_num(&v, "ks.pvalue") < 0.05);
    const struct mlops_drift_result_info *info = check_result_info(r);
    check_stat(what, info->statistic, vec_num(&v, "ks.statistic"));
    check_p(what, info->pvalue, vec_num(&v, "ks.pvalue"), 0);
    assert_int_equal(info->pvalue_method, want_method);
    assert_int_equal(info->metric, MLOPS_DRIFT_KS);
    assert_int_equal(info->missing_ref, (uint64_t)vec_num(&v, "missing_ref"));
    assert_int_equal(info->missing_cur, (uint64_t)vec_num(&v, "missing_cur"));
    assert_int_equal(info->n_ref + info->missing_ref, vec_get(&v, "reference")->n);
    assert_int_equal(info->n_cur + info->missing_cur, vec_get(&v, "current")->n);
    assert_int_equal(info->direction, MLOPS_DRIFT_PVALUE_LT);
    assert_int_equal(info->drifted, vec_num(&v, "ks.pvalue") < 0.05);
    assert_true(info->threshold == 0.05);
    assert_int_equal(info->bins, 0);
    assert_null(info->edges);
    assert_int_equal(info->n_edges, 0);
    assert_null(info->ref_counts);
    assert_null(info->categories);
    assert_true(isnan(info->smoothing) && isnan(info->js_base) && isnan(info->unseen_share));
    mlops_drift_result_free(r);

    static const struct { int metric; const char *key; } dist[] = {
        {MLOPS_DRIFT_WASSERSTEIN, "wasserstein"},
        {MLOPS_DRIFT_WASSERSTEIN_NORMED, "wasserstein_normed"},
        {MLOPS_DRIFT_ENERGY, "energy"},
    };
    for (size_t i = 0; i < 3; i++) {
        r = run_num(&v, dist[i].metric, NULL);
        snprintf(what, sizeof what, "%s %s", name, dist[i].key);
        check_stat(what, mlops_drift_result_statistic(r), vec_num(&v, dist[i].key));
        check_stat(what, check_result_info(r)->statistic, vec_num(&v, dist[i].key));
        assert_true(isnan(mlops_drift_result_info(r)->pvalue));
        assert_true(mlops_drift_result_info(r)->threshold == 0.1);
        assert_true(isnan(mlops_drift_result_pvalue(r)));
        assert_int_equal(mlops_drift_result_pvalue_method(r), MLOPS_DRIFT_PVALUE_NONE);
        assert_int_equal(mlops_drift_result_direction(r), MLOPS_DRIFT_STATISTIC_GE);
        assert_int_equal(mlops_drift_result_missing_ref(r), (uint64_t)vec_num(&v, "missing_ref"));
        mlops_drift_result_free(r);
    }

    r = run_num(&v, MLOPS_DRIFT_CVM, NULL);
    snprintf(what, sizeof what, "%s cvm", name);
    check_stat(what, mlops_drift_result_statistic(r), vec_num(&v, "cvm.statistic"));
    /* The asymptotic CvM p-value of SciPy 1.10 is 1 - (a series stopped at
     * terms below 1e-7): off by up to 1e-7 absolute in the tail, the sum of
     * the omitted terms (6.3e-9 where the exact value is 3.6e-50). The library sums to full relative
     * accuracy (checked against exact arithmetic by tests/oracle/
     * test_drift_exact.py), so the vectors' value is compared to SciPy's
     * truncation error, 1e-7 absolute. */
    double tol = mlops_drift_result_pvalue_method(r) == MLOPS_DRIFT_PVALUE_ASYMPTOTIC ? 1e-7 : 0;
    check_p(what, mlops_drift_result_pvalue(r), vec_num(&v, "cvm.pvalue"), tol);
    check_stat(what, check_result_info(r)->statistic, vec_num(&v, "cvm.statistic"));
    check_p(what, mlops_drift_result_info(r)->pvalue, vec_num(&v, "cvm.pvalue"), tol);
    mlops_drift_result_free(r);
    vec_free(&v);
}

static void numeric_bins_match(const char *name, int binning, const char *prefix)
{
    vec v;
    vec_load(&v, name);
    static const struct { int metric; const char *key; } sh[] = {
        {MLOPS_DRIFT_PSI, "psi"}, {MLOPS_DRIFT_KL, "kl"}, {MLOPS_DRIFT_JS, "js"},
        {MLOPS_DRIFT_HELLINGER, "hellinger"}, {MLOPS_DRIFT_TVD, "tvd"},
        {MLOPS_DRIFT_LINF, "linf"},
    };
    mlops_drift_options o = MLOPS_DRIFT_OPTIONS_INIT;
    o.binning = (uint32_t)binning;
    char key[128], what[160];
    snprintf(key, sizeof key, "%s.k", prefix);
    o.bins = (size_t)vec_num(&v, key);
    snprintf(key, sizeof key, "%s.smoothing", prefix);
    o.smoothing = vec_num(&v, key);
    snprintf(key, sizeof key, "%s.js_base", prefix);
    o.js_base = vec_num(&v, key);
    for (size_t i = 0; i < 6; i++) {
        mlops_drift_result *r = run_num(&v, sh[i].metric, &o);
        snprintf(key, sizeof key, "%s.%s", prefix, sh[i].key);
        snprintf(what, sizeof what, "%s %s", name, key);
        check_stat(what, mlops_drift_result_statistic(r), vec_num(&v, key));
        size_t ne;
        const double *edges = mlops_drift_result_edges(&ne, r);
        snprintf(key, sizeof key, "%s.edges", prefix);
        snprintf(what, sizeof what, "%s %s", name, key);
        check_exact_d(what, edges, ne, vec_get(&v, key));
        size_t bins = mlops_drift_result_bins(r);
        assert_int_equal(bins, ne + 1);
        snprintf(key, sizeof key, "%s.ref_counts", prefix);
        snprintf(what, sizeof what, "%s %s", name, key);
        check_exact_u64(what, mlops_drift_result_ref_counts(r), bins, vec_get(&v, key));
        snprintf(key, sizeof key, "%s.cur_counts", prefix);
        snprintf(what, sizeof what, "%s %s", name, key);
        check_exact_u64(what, mlops_drift_result_cur_counts(r), bins, vec_get(&v, key));
        const struct mlops_drift_result_info *info = check_result_info(r);
        snprintf(key, sizeof key, "%s.%s", prefix, sh[i].key);
        check_stat(what, info->statistic, vec_num(&v, key));
        snprintf(key, sizeof key, "%s.edges", prefix);
        check_exact_d(what, info->edges, info->n_edges, vec_get(&v, key));
        assert_int_equal(info->bins, info->n_edges + 1);
        snprintf(key, sizeof key, "%s.ref_counts", prefix);
        check_exact_u64(what, info->ref_counts, info->bins, vec_get(&v, key));
        snprintf(key, sizeof key, "%s.cur_counts", prefix);
        check_exact_u64(what, info->cur_counts, info->bins, vec_get(&v, key));
        assert_null(info->categories);
        assert_int_equal(info->metric, sh[i].metric);
        if (sh[i].metric == MLOPS_DRIFT_PSI || sh[i].metric == MLOPS_DRIFT_KL)
            assert_true(info->smoothing == o.smoothing);
        if (sh[i].metric == MLOPS_DRIFT_JS)
            assert_true(info->js_base == o.js_base);
        if (sh[i].metric == MLOPS_DRIFT_PSI || sh[i].metric == MLOPS_DRIFT_KL)
            assert_true(mlops_drift_result_smoothing(r) == o.smoothing);
        if (sh[i].metric == MLOPS_DRIFT_JS)
            assert_true(mlops_drift_result_js_base(r) == o.js_base);
        mlops_drift_result_free(r);
    }
    vec_free(&v);
}

static void test_numeric_vectors_sample_tests_match_scipy(void **state)
{
    (void)state;
    /* The shipped set has 9 numeric files; any added file runs too. */
    assert_true(for_each_vector("numeric", numeric_sample_tests_match) >= 9);
}

static void quantile_bins_match(const char *name)
{
    numeric_bins_match(name, MLOPS_DRIFT_BINS_QUANTILE, "quantile_bins");
}

static void uniform_bins_match(const char *name)
{
    numeric_bins_match(name, MLOPS_DRIFT_BINS_UNIFORM, "uniform_bins");
}

static void test_numeric_vectors_quantile_bins_match_numpy(void **state)
{
    (void)state;
    assert_true(for_each_vector("numeric", quantile_bins_match) >= 9);
}

static void test_numeric_vectors_uniform_bins_match_numpy(void **state)
{
    (void)state;
    assert_true(for_each_vector("numeric", uniform_bins_match) >= 9);
}

/* A stored binned reference gives the same numbers as the one-shot call. */
static void test_binned_reference_reused_matches_vectors(void **state)
{
    (void)state;
    vec v;
    vec_load(&v, "lognormal-with-nonfinite");
    const entry *r = vec_get(&v, "reference"), *c = vec_get(&v, "current");
    mlops_drift_reference *ref = NULL;
    assert_int_equal(mlops_drift_reference_new(&ref, r->v, r->n, NULL), 0);
    size_t ne, nb;
    const double *e = mlops_drift_reference_edges(&ne, ref);
    check_exact_d("reference edges", e, ne, vec_get(&v, "quantile_bins.edges"));
    const uint64_t *counts = mlops_drift_reference_counts(&nb, ref);
    check_exact_u64("reference counts", counts, nb, vec_get(&v, "quantile_bins.ref_counts"));
    const struct mlops_drift_reference_info *ri = mlops_drift_reference_info(ref);
    assert_non_null(ri);
    assert_int_equal(ri->version, MLOPS_DRIFT_REFERENCE_INFO_VERSION);
    assert_int_equal(ri->size, sizeof *ri);
    check_exact_d("reference info edges", ri->edges, ri->n_edges,
                  vec_get(&v, "quantile_bins.edges"));
    check_exact_u64("reference info counts", ri->counts, ri->bins,
                    vec_get(&v, "quantile_bins.ref_counts"));
    assert_int_equal(ri->bins, ri->n_edges + 1);
    assert_int_equal(ri->missing, 40);
    assert_int_equal(ri->count + ri->missing, r->n);
    assert_ptr_equal(ri->edges, e);
    assert_ptr_equal(ri->counts, counts);
    for (int pass = 0; pass < 2; pass++) {
        mlops_drift_result *res = NULL;
        assert_int_equal(mlops_drift_reference_compare(&res, ref, MLOPS_DRIFT_PSI, c->v, c->n,
                                                       NULL), 0);
        check_stat("stored reference psi", mlops_drift_result_statistic(res),
                   vec_num(&v, "quantile_bins.psi"));
        assert_int_equal(mlops_drift_result_missing_ref(res), 40);
        assert_int_equal(mlops_drift_result_missing_cur(res), 30);
        check_stat("stored reference psi (info)", check_result_info(res)->statistic,
                   vec_num(&v, "quantile_bins.psi"));
        assert_int_equal(mlops_drift_result_info(res)->missing_ref, 40);
        assert_int_equal(mlops_drift_result_info(res)->missing_cur, 30);
        mlops_drift_result_free(res);
    }
    /* Rebuilt from its stored edges and counts. */
    mlops_drift_reference *copy = NULL;
    assert_int_equal(mlops_drift_reference_from_counts(&copy, e, ne,
                                                       mlops_drift_reference_counts(NULL, ref),
                                                       40), 0);
    mlops_drift_result *res = NULL;
    assert_int_equal(mlops_drift_reference_compare(&res, copy, MLOPS_DRIFT_JS, c->v, c->n,
                                                   NULL), 0);
    check_stat("rebuilt reference js", mlops_drift_result_statistic(res),
               vec_num(&v, "quantile_bins.js"));
    check_stat("rebuilt reference js (info)", check_result_info(res)->statistic,
               vec_num(&v, "quantile_bins.js"));
    assert_int_equal(mlops_drift_reference_info(copy)->missing, 40);
    check_exact_u64("rebuilt reference info counts", mlops_drift_reference_info(copy)->counts,
                    mlops_drift_reference_info(copy)->bins,
                    vec_get(&v, "quantile_bins.ref_counts"));
    mlops_drift_result_free(res);
    mlops_drift_reference_free(copy);
    mlops_drift_reference_free(ref);
    vec_free(&v);
}

/* ------------------------------------------------------------------------ */
/* Vectors: categorical and adjustment                                      */
/* ------------------------------------------------------------------------ */

static int64_t *codes_of(const entry *e)
{
    int64_t *c = malloc(e->n * sizeof *c);
    assert_non_null(c);
    for (size_t i = 0; i < e->n; i++)
        c[i] = (int64_t)e->v[i];
    return c;
}

static void categorical_matches(const char *name)
{
    vec v;
    vec_load(&v, name);
    const entry *re = vec_get(&v, "reference"), *ce = vec_get(&v, "current");
    int64_t *r = codes_of(re), *c = codes_of(ce);
    const entry *cats = vec_get(&v, "categories");
    uint32_t ncat = (uint32_t)cats->v[cats->n - 1] + 1;
    char what[160];
    mlops_drift_result *res = NULL;
    assert_int_equal(mlops_drift_categorical(&res, MLOPS_DRIFT_CHI2, r, re->n, c, ce->n, ncat,
                                             NULL), 0);
    snprintf(what, sizeof what, "%s chi2", name);
    check_stat(what, mlops_drift_result_statistic(res), vec_num(&v, "chi2.statistic"));
    check_p(what, mlops_drift_result_pvalue(res), vec_num(&v, "chi2.pvalue"), 0);
    assert_int_equal(mlops_drift_result_dof(res), (uint64_t)vec_num(&v, "chi2.dof"));
    check_stat("unseen_share", mlops_drift_result_unseen_share(res), vec_num(&v, "unseen_share"));
    size_t bins = mlops_drift_result_bins(res);
    assert_int_equal(bins, cats->n);
    for (size_t i = 0; i < bins; i++)
        assert_int_equal(mlops_drift_result_categories(res)[i], (int64_t)cats->v[i]);
    check_exact_u64("ref_counts", mlops_drift_result_ref_counts(res), bins,
                    vec_get(&v, "ref_counts"));
    check_exact_u64("cur_counts", mlops_drift_result_cur_counts(res), bins,
                    vec_get(&v, "cur_counts"));
    const struct mlops_drift_result_info *info = check_result_info(res);
    check_stat(what, info->statistic, vec_num(&v, "chi2.statistic"));
    check_p(what, info->pvalue, vec_num(&v, "chi2.pvalue"), 0);
    assert_int_equal(info->dof, (uint64_t)vec_num(&v, "chi2.dof"));
    check_stat("info unseen_share", info->unseen_share, vec_num(&v, "unseen_share"));
    assert_int_equal(info->bins, cats->n);
    assert_non_null(info->categories);
    for (size_t i = 0; i < info->bins; i++)
        assert_int_equal(info->categories[i], (int64_t)cats->v[i]);
    check_exact_u64("info ref_counts", info->ref_counts, info->bins, vec_get(&v, "ref_counts"));
    check_exact_u64("info cur_counts", info->cur_counts, info->bins, vec_get(&v, "cur_counts"));
    assert_null(info->edges);
    assert_int_equal(info->n_edges, 0);
    mlops_drift_result_free(res);
    static const struct { int metric; const char *key; } sh[] = {
        {MLOPS_DRIFT_PSI, "psi"}, {MLOPS_DRIFT_KL, "kl"}, {MLOPS_DRIFT_JS, "js"},
        {MLOPS_DRIFT_HELLINGER, "hellinger"}, {MLOPS_DRIFT_TVD, "tvd"},
        {MLOPS_DRIFT_LINF, "linf"},
    };
    for (size_t i = 0; i < 6; i++) {
        res = NULL;
        assert_int_equal(mlops_drift_categorical(&res, sh[i].metric, r, re->n, c, ce->n, ncat,
                                                 NULL), 0);
        snprintf(what, sizeof what, "%s %s", name, sh[i].key);
        check_stat(what, mlops_drift_result_statistic(res), vec_num(&v, sh[i].key));
        check_stat("unseen_share", mlops_drift_result_unseen_share(res),
                   vec_num(&v, "unseen_share"));
        check_stat(what, check_result_info(res)->statistic, vec_num(&v, sh[i].key));
        mlops_drift_result_free(res);
    }
    free(r);
    free(c);
    vec_free(&v);
}

static void test_categorical_vectors_match_scipy(void **state)
{
    (void)state;
    assert_true(for_each_vector("categorical", categorical_matches) >= 2);
}

static void adjust_matches(const char *name)
{
    vec v;
    vec_load(&v, name);
    const entry *p = vec_get(&v, "pvalues");
    static const struct { int m; const char *key; } methods[] = {
        {MLOPS_PVALUE_BONFERRONI, "bonferroni"}, {MLOPS_PVALUE_HOLM, "holm"},
        {MLOPS_PVALUE_BH, "bh"},
    };
    double *out = malloc((p->n ? p->n : 1) * sizeof *out);
    double *inplace = malloc((p->n ? p->n : 1) * sizeof *inplace);
    assert_non_null(out);
    assert_non_null(inplace);
    for (size_t k = 0; k < 3; k++) {
        assert_int_equal(mlops_drift_pvalue_adjust(out, p->v, p->n, methods[k].m), 0);
        const entry *want = vec_get(&v, methods[k].key);
        for (size_t i = 0; i < p->n; i++)
            check_p(methods[k].key, out[i], want->v[i], 0);
    }
    /* In place gives the same. */
    memcpy(inplace, p->v, p->n * sizeof *inplace);
    assert_int_equal(mlops_drift_pvalue_adjust(inplace, inplace, p->n, MLOPS_PVALUE_BH), 0);
    const entry *bh = vec_get(&v, "bh");
    for (size_t i = 0; i < p->n; i++)
        check_p("bh in place", inplace[i], bh->v[i], 0);
    free(out);
    free(inplace);
    vec_free(&v);
}

static void test_pvalue_adjust_matches_vectors(void **state)
{
    (void)state;
    assert_true(for_each_vector("adjust", adjust_matches) >= 1);
}

/* ------------------------------------------------------------------------ */
/* Beyond the vectors                                                       */
/* ------------------------------------------------------------------------ */

/* Exact KS for equal sizes beyond SciPy's 10000 limit: the O(n) formula.
 * Oracle: scipy.stats.ks_2samp(x, y, method='exact') (SciPy 1.10.1) for
 * x = arange(12000)/12000, y = x + 0.01 (rounding makes D = 121/12000):
 * statistic 0.010083333333333333, p-value 0.5752759155752044. */
static void test_ks_exact_beyond_scipy_limit_for_equal_sizes(void **state)
{
    (void)state;
    size_t n = 12000;
    double *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y);
    assert_non_null(x);
    assert_non_null(y);
    for (size_t i = 0; i < n; i++) {
        x[i] = (double)i / (double)n;
        y[i] = x[i] + 0.01;
    }
    mlops_drift_options o = MLOPS_DRIFT_OPTIONS_INIT;
    o.ks_mode = MLOPS_DRIFT_KS_EXACT_WHERE_FEASIBLE;
    mlops_drift_result *r = NULL;
    assert_int_equal(mlops_drift_numeric(&r, MLOPS_DRIFT_KS, x, n, y, n, &o), 0);
    assert_int_equal(mlops_drift_result_pvalue_method(r), MLOPS_DRIFT_PVALUE_EXACT);
    check_stat("ks exact 12000", mlops_drift_result_statistic(r), 0.010083333333333333);
    check_p("ks exact 12000", mlops_drift_result_pvalue(r), 0.5752759155752044, 0);
    mlops_drift_result_free(r);
    /* The default (SciPy's auto) is asymptotic here. */
    assert_int_equal(mlops_drift_numeric(&r, MLOPS_DRIFT_KS, x, n, y, n, NULL), 0);
    assert_int_equal(mlops_drift_result_pvalue_method(r), MLOPS_DRIFT_PVALUE_ASYMPTOTIC);
    mlops_drift_result_free(r);
    free(x);
    free(y);

    /* Unequal sizes with n*m = 2.25e8: exact by the banded lattice count
     * (the band of paths is about 2 D n rows wide). Oracle: SciPy 1.10.1,
     * ks_2samp(arange(15000) / 15000, arange(15001) / 15001 + 0.01,
     * method='exact'): statistic 0.010065995600293315, p 0.42865345500288515. */
    size_t n1 = 15000, n2 = 15001;
    x = malloc(n1 * sizeof *x);
    y = malloc(n2 * sizeof *y);
    assert_non_null(x);
    assert_non_null(y);
    for (size_t i = 0; i < n1; i++)
        x[i] = (double)i / (double)n1;
    for (size_t i = 0; i < n2; i++)
        y[i] = (double)i / (double)n2 + 0.01;
    assert_int_equal(mlops_drift_numeric(&r, MLOPS_DRIFT_KS, x, n1, y, n2, &o), 0);
    assert_int_equal(mlops_drift_result_pvalue_method(r), MLOPS_DRIFT_PVALUE_EXACT);
    check_stat("ks exact 15000x15001", mlops_drift_result_statistic(r), 0.010065995600293315);
    check_p("ks exact 15000x15001", mlops_drift_result_pvalue(r), 0.42865345500288515, 0);
    mlops_drift_result_free(r);
    free(x);
    free(y);
}

/* n = 1 is a defined result. Oracle: ks_2samp([0.5], [0.1, 0.2, 0.9]) in
 * SciPy 1.10.1: statistic 0.6666666666666666, p-value 1.0;
 * wasserstein_distance([0.5], [0.1, 0.2, 0.9]) = 0.3666666666666667. */
static void test_single_value_gives_defined_results(void **state)
{
    (void)state;
    const double a[] = {0.5}, b[] = {0.1, 0.2, 0.9};
    mlops_drift_result *r = NULL;
    assert_int_equal(mlops_drift_numeric(&r, MLOPS_DRIFT_KS, a, 1, b, 3, NULL), 0);
    check_stat("ks n=1", mlops_drift_result_statistic(r), 0.6666666666666666);
    check_p("ks n=1", mlops_drift_result_pvalue(r), 1.0, 0);
    mlops_drift_result_free(r);
    assert_int_equal(mlops_drift_numeric(&r, MLOPS_DRIFT_WASSERSTEIN, a, 1, b, 3, NULL), 0);
    check_stat("wasserstein n=1", mlops_drift_result_statistic(r), 0.3666666666666667);
    mlops_drift_result_free(r);
    /* CvM needs two values per side: a clear error, nothing returned. */
    r = (mlops_drift_result *)(uintptr_t)0x1;
    assert_int_equal(mlops_drift_numeric(&r, MLOPS_DRIFT_CVM, a, 1, b, 3, NULL),
                     MLOPS_E_DOMAIN);
    assert_ptr_equal(r, (mlops_drift_result *)(uintptr_t)0x1);
    assert_non_null(strstr(mlops_error_last(), "at least two"));
}

static void test_empty_or_nonfinite_side_is_a_domain_error(void **state)
{
    (void)state;
    const double ok[] = {1, 2, 3};
    const double nans[] = {NAN, NAN};
    const double infs[] = {INFINITY, -INFINITY, INFINITY};
    mlops_drift_result *sentinel = (mlops_drift_result *)(uintptr_t)0x1, *r = sentinel;
    static const int metrics[] = {MLOPS_DRIFT_KS, MLOPS_DRIFT_WASSERSTEIN, MLOPS_DRIFT_PSI,
                                  MLOPS_DRIFT_CVM, MLOPS_DRIFT_AUTO, MLOPS_DRIFT_CHI2};
    for (size_t i = 0; i < sizeof metrics / sizeof *metrics; i++) {
        int m = metrics[i];
        assert_int_equal(mlops_drift_numeric(&r, m, ok, 0, ok, 3, NULL), MLOPS_E_DOMAIN);
        assert_non_null(strstr(mlops_error_last(), "reference sample is empty"));
        assert_int_equal(mlops_drift_numeric(&r, m, ok, 3, nans, 2, NULL), MLOPS_E_DOMAIN);
        assert_non_null(strstr(mlops_error_last(), "current sample is empty"));
        assert_int_equal(mlops_drift_numeric(&r, m, infs, 3, ok, 3, NULL), MLOPS_E_DOMAIN);
        assert_non_null(strstr(mlops_error_last(), "reference"));
        assert_int_equal(mlops_drift_numeric(&r, m, NULL, 3, ok, 3, NULL), MLOPS_E_INVALID);
        assert_ptr_equal(r, sentinel);
    }
    /* Rejecting non-finite values names the index. */
    const double some[] = {1, 2, NAN, 4};
    mlops_drift_options o = MLOPS_DRIFT_OPTIONS_INIT;
    o.flags = MLOPS_DRIFT_REJECT_NONFINITE;
    assert_int_equal(mlops_drift_numeric(&r, MLOPS_DRIFT_KS, ok, 3, some, 4, &o), MLOPS_E_DOMAIN);
    assert_non_null(strstr(mlops_error_last(), "index 2"));
    assert_ptr_equal(r, sentinel);
    /* Omitted by default, and counted. */
    assert_int_equal(mlops_drift_numeric(&r, MLOPS_DRIFT_KS, ok, 3, some, 4, NULL), 0);
    assert_int_equal(mlops_drift_result_missing_cur(r), 1);
    assert_int_equal(mlops_drift_result_n_cur(r), 3);
    mlops_drift_result_free(r);
}

static void test_bad_arguments_are_rejected(void **state)
{
    (void)state;
    const double x[] = {1, 2, 3, 4};
    mlops_drift_result *sentinel = (mlops_drift_result *)(uintptr_t)0x1, *r = sentinel;
    assert_int_equal(mlops_drift_numeric(NULL, MLOPS_DRIFT_KS, x, 4, x, 4, NULL),
                     MLOPS_E_INVALID);
    assert_non_null(strstr(mlops_error_last(), "out"));
    assert_int_equal(mlops_drift_numeric(&r, 99, x, 4, x, 4, NULL), MLOPS_E_INVALID);
    assert_int_equal(mlops_drift_numeric(&r, -1, x, 4, x, 4, NULL), MLOPS_E_INVALID);
    mlops_drift_options o = MLOPS_DRIFT_OPTIONS_INIT;
    o.bins = 0; /* zero bins */
    assert_int_equal(mlops_drift_numeric(&r, MLOPS_DRIFT_PSI, x, 4, x, 4, &o), MLOPS_E_INVALID);
    assert_non_null(strstr(mlops_error_last(), "bins"));
    o = (mlops_drift_options)MLOPS_DRIFT_OPTIONS_INIT;
    o.flags = 0x80;
    assert_int_equal(mlops_drift_numeric(&r, MLOPS_DRIFT_KS, x, 4, x, 4, &o), MLOPS_E_INVALID);
    o = (mlops_drift_options)MLOPS_DRIFT_OPTIONS_INIT;
    o.version = 99;
    assert_int_equal(mlops_drift_numeric(&r, MLOPS_DRIFT_KS, x, 4, x, 4, &o), MLOPS_E_VERSION);
    o = (mlops_drift_options)MLOPS_DRIFT_OPTIONS_INIT;
    o.js_base = 1.0;
    assert_int_equal(mlops_drift_numeric(&r, MLOPS_DRIFT_JS, x, 4, x, 4, &o), MLOPS_E_INVALID);
    o = (mlops_drift_options)MLOPS_DRIFT_OPTIONS_INIT;
    o.smoothing = -1;
    assert_int_equal(mlops_drift_numeric(&r, MLOPS_DRIFT_PSI, x, 4, x, 4, &o), MLOPS_E_INVALID);
    o = (mlops_drift_options)MLOPS_DRIFT_OPTIONS_INIT;
    const double edges[] = {2, 1};
    o.binning = MLOPS_DRIFT_BINS_EDGES;
    o.edges = edges;
    o.n_edges = 2;
    assert_int_equal(mlops_drift_numeric(&r, MLOPS_DRIFT_PSI, x, 4, x, 4, &o), MLOPS_E_INVALID);
    assert_non_null(strstr(mlops_error_last(), "strictly increasing"));
    assert_ptr_equal(r, sentinel);
    /* Categories: out of range, zero categories, wrong metric. */
    const int64_t c[] = {0, 1, 2}, bad[] = {0, 3};
    assert_int_equal(mlops_drift_categorical(&r, MLOPS_DRIFT_CHI2, c, 3, bad, 2, 3, NULL),
                     MLOPS_E_INVALID);
    assert_non_null(strstr(mlops_error_last(), "out of range"));
    assert_non_null(strstr(mlops_error_last(), "index 1"));
    assert_int_equal(mlops_drift_categorical(&r, MLOPS_DRIFT_CHI2, c, 3, c, 3, 0, NULL),
                     MLOPS_E_INVALID);
    assert_int_equal(mlops_drift_categorical(&r, MLOPS_DRIFT_KS, c, 3, c, 3, 3, NULL),
                     MLOPS_E_INVALID);
    assert_int_equal(mlops_drift_categorical(&r, MLOPS_DRIFT_ZTEST, c, 3, c, 3, 3, NULL),
                     MLOPS_E_DOMAIN);
    const int64_t missing[] = {-1, -1};
    assert_int_equal(mlops_drift_categorical(&r, MLOPS_DRIFT_CHI2, missing, 2, c, 3, 3, NULL),
                     MLOPS_E_DOMAIN);
    assert_ptr_equal(r, sentinel);
    /* p-value adjustment. */
    double p[] = {0.1, 1.5}, out[2] = {7, 7};
    assert_int_equal(mlops_drift_pvalue_adjust(out, p, 2, MLOPS_PVALUE_BH), MLOPS_E_INVALID);
    assert_true(out[0] == 7 && out[1] == 7);
    assert_int_equal(mlops_drift_pvalue_adjust(out, NULL, 2, MLOPS_PVALUE_BH), MLOPS_E_INVALID);
    assert_int_equal(mlops_drift_pvalue_adjust(out, p, 1, 9), MLOPS_E_INVALID);
    /* Reference objects. */
    mlops_drift_reference *ref = NULL;
    assert_int_equal(mlops_drift_reference_new(&ref, x, 4, NULL), 0);
    assert_int_equal(mlops_drift_reference_compare(&r, ref, MLOPS_DRIFT_KS, x, 4, NULL),
                     MLOPS_E_INVALID);
    assert_int_equal(mlops_drift_reference_compare(&r, NULL, MLOPS_DRIFT_PSI, x, 4, NULL),
                     MLOPS_E_INVALID);
    const uint64_t zeros[] = {0, 0};
    mlops_drift_reference *z = NULL;
    assert_int_equal(mlops_drift_reference_from_counts(&z, x, 1, zeros, 0), MLOPS_E_DOMAIN);
    assert_null(z);
    mlops_drift_reference_free(ref);
    mlops_drift_result_free(NULL);
    mlops_drift_reference_free(NULL);
    mlops_drift_table_result_free(NULL);
}

/* Many identical values: sorting skips every radix pass; KS of a sample
 * against itself is 0 with p-value 1 (exactly, as SciPy: h = 0). */
static void test_identical_values_are_cheap_and_defined(void **state)
{
    (void)state;
    size_t n = 2000000;
    double *x = malloc(n * sizeof *x);
    assert_non_null(x);
    for (size_t i = 0; i < n; i++)
        x[i] = 3.25;
    mlops_drift_result *r = NULL;
    assert_int_equal(mlops_drift_numeric(&r, MLOPS_DRIFT_KS, x, n, x, n, NULL), 0);
    assert_true(mlops_drift_result_statistic(r) == 0.0);
    assert_true(mlops_drift_result_pvalue(r) == 1.0);
    assert_int_equal(mlops_drift_result_drifted(r), 0);
    mlops_drift_result_free(r);
    assert_int_equal(mlops_drift_numeric(&r, MLOPS_DRIFT_WASSERSTEIN_NORMED, x, n, x, n, NULL),
                     0);
    assert_true(mlops_drift_result_statistic(r) == 0.0);
    mlops_drift_result_free(r);
    assert_int_equal(mlops_drift_numeric(&r, MLOPS_DRIFT_PSI, x, n, x, n, NULL), 0);
    assert_true(mlops_drift_result_statistic(r) == 0.0);
    assert_int_equal(mlops_drift_result_bins(r), 2);
    mlops_drift_result_free(r);
    free(x);
}

static int cmp_dbl(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The radix sort (serial and two-thread paths, out of place and in place)
 * orders like qsort: mixed signs, zeros of both signs, ties, subnormals, huge
 * magnitudes, one bucket. */
static void radix_sort_case(size_t n)
{
    double *in = malloc(n * sizeof *in), *out = malloc((n + 1) * sizeof *out);
    double *want = malloc(n * sizeof *want);
    assert_non_null(in);
    assert_non_null(out);
    assert_non_null(want);
    for (int variant = 0; variant < 3; variant++) {
        uint64_t st = 88172645463325252ull + (uint64_t)variant;
        size_t m = 0;
        for (size_t i = 0; i < n; i++) {
            st ^= st << 13;
            st ^= st >> 7;
            st ^= st << 17;
            double v;
            switch (st % 8) {
            case 0: v = (double)(int64_t)(st >> 40) - 8388608.0; break;   /* ties */
            case 1: v = (st & 256) ? -0.0 : 0.0; break;
            case 2: v = ldexp((double)(st >> 11), -1074 - 40); break;    /* subnormal */
            case 3: v = ldexp((double)(st >> 11), 900) * ((st & 1) ? -1 : 1); break;
            default: v = ((double)(st >> 11) * 0x1.0p-53 - 0.5) * 10.0; break;
            }
            if (variant == 1)
                v = 1.0 + (double)(st >> 40) * 0x1.0p-30; /* all in one top bucket */
            if (variant == 2 && st % 1000 == 0)
                v = NAN; /* non-finite: the serial first pass */
            in[i] = v;
            if (isfinite(v))
                want[m++] = v;
        }
        qsort(want, m, sizeof *want, cmp_dbl);
        for (int par = 0; par < 2; par++) {
            assert_int_equal(mlops__drift_sort_copy_par(out, in, n, m, par), 0);
            for (size_t i = 0; i < m; i++)
                if (!(out[i] == want[i]))
                    fail_msg("variant %d parallel %d: index %zu: %.17g, want %.17g", variant,
                             par, i, out[i], want[i]);
        }
    }
    free(in);
    free(out);
    free(want);
}

/* Both sizes take the two-thread path; the first scatters out of place, the
 * second permutes in place. */
static void test_radix_sort_orders_like_qsort(void **state)
{
    (void)state;
    radix_sort_case((1u << 20) + 12345);
    radix_sort_case((1u << 21) + 777);
}

/* Hostile values (NaN payloads, infinities, subnormals, +-DBL_MAX, signed
 * zeros) in random mixtures: every metric returns 0 or MLOPS_E_DOMAIN, and a
 * returned result is well-formed (p-value in [0, 1] or NaN when there is
 * none, statistic not NaN, counts that add up). */
static void test_hostile_values_give_defined_results(void **state)
{
    (void)state;
    static const double specials[] = {NAN, INFINITY, -INFINITY, 0.0, -0.0, 5e-324,
                                      -5e-324, 1.7976931348623157e308,
                                      -1.7976931348623157e308, 1.0, 2.2250738585072014e-308};
    double a[300], b[300];
    uint64_t st = 0x2545f4914f6cdd1dull;
    for (int iter = 0; iter < 150; iter++) {
        size_t na = 0, nb = 0;
        st ^= st << 13; st ^= st >> 7; st ^= st << 17;
        na = st % 300;
        st ^= st << 13; st ^= st >> 7; st ^= st << 17;
        nb = st % 300;
        uint64_t miss_a = 0, miss_b = 0;
        for (size_t i = 0; i < 300; i++) {
            st ^= st << 13; st ^= st >> 7; st ^= st << 17;
            double v = (st % 3 == 0) ? specials[(st >> 8) % 11]
                                     : ((double)(st >> 11) * 0x1.0p-53 - 0.5) * (double)(iter % 7);
            if (i < na) {
                a[i] = v;
                miss_a += !isfinite(v);
            }
            st ^= st << 13; st ^= st >> 7; st ^= st << 17;
            v = (st % 4 == 0) ? specials[(st >> 8) % 11] : (double)((st >> 20) % 5);
            if (i < nb) {
                b[i] = v;
                miss_b += !isfinite(v);
            }
        }
        for (int m = 0; m < MLOPS_DRIFT_METRIC_COUNT; m++) {
            for (int binning = 0; binning < 2; binning++) {
                mlops_drift_options o = MLOPS_DRIFT_OPTIONS_INIT;
                o.binning = (uint32_t)binning;
                mlops_drift_result *r = NULL;
                int rc = mlops_drift_numeric(&r, m, a, na, b, nb, &o);
                if (rc) {
                    if (rc != MLOPS_E_DOMAIN)
                        fail_msg("iter %d metric %s: %s", iter, mlops_drift_metric_name(m),
                                 mlops_error_last());
                    assert_null(r);
                    continue;
                }
                double p = mlops_drift_result_pvalue(r), t = mlops_drift_result_statistic(r);
                if (isnan(t) || !(isnan(p) || (p >= 0 && p <= 1)))
                    fail_msg("iter %d metric %s: statistic %g p-value %g", iter,
                             mlops_drift_metric_name(m), t, p);
                assert_int_equal(mlops_drift_result_missing_ref(r), miss_a);
                assert_int_equal(mlops_drift_result_missing_cur(r), miss_b);
                assert_int_equal(mlops_drift_result_n_ref(r) + miss_a, na);
                assert_int_equal(mlops_drift_result_n_cur(r) + miss_b, nb);
                size_t ne;
                const double *e = mlops_drift_result_edges(&ne, r);
                for (size_t i = 0; i < ne; i++)
                    if (!isfinite(e[i]) || (i && !(e[i] > e[i - 1])))
                        fail_msg("iter %d metric %s: bad edge %zu = %g", iter,
                                 mlops_drift_metric_name(m), i, e[i]);
                mlops_drift_result_free(r);
            }
        }
    }
}

/* The internal share function reproduces the vectors from counts alone. */
static void test_shares_from_counts_match_vectors(void **state)
{
    (void)state;
    vec v;
    vec_load(&v, "categories-shift");
    const entry *rc = vec_get(&v, "ref_counts"), *cc = vec_get(&v, "cur_counts");
    uint64_t a[16], b[16];
    for (size_t i = 0; i < rc->n; i++) {
        a[i] = (uint64_t)rc->v[i];
        b[i] = (uint64_t)cc->v[i];
    }
    mlops__drift_shares s;
    mlops__drift_shares_from_counts(&s, a, b, rc->n, 0.5, 2.0);
    check_stat("psi", s.psi, vec_num(&v, "psi"));
    check_stat("kl", s.kl, vec_num(&v, "kl"));
    check_stat("js", s.js, vec_num(&v, "js"));
    check_stat("hellinger", s.hellinger, vec_num(&v, "hellinger"));
    check_stat("tvd", s.tvd, vec_num(&v, "tvd"));
    check_stat("linf", s.linf, vec_num(&v, "linf"));
    vec_free(&v);
}

static void test_auto_rule_picks_by_type_and_size(void **state)
{
    (void)state;
    assert_int_equal(mlops_drift_auto_metric(0, 1000, 900), MLOPS_DRIFT_KS);
    assert_int_equal(mlops_drift_auto_metric(0, 1001, 900), MLOPS_DRIFT_WASSERSTEIN_NORMED);
    assert_int_equal(mlops_drift_auto_metric(0, 500, 5), MLOPS_DRIFT_CHI2);
    assert_int_equal(mlops_drift_auto_metric(1, 500, 2), MLOPS_DRIFT_ZTEST);
    assert_int_equal(mlops_drift_auto_metric(1, 5000, 40), MLOPS_DRIFT_JS);
    vec v;
    vec_load(&v, "normal-shift-small"); /* 500 reference values: KS */
    mlops_drift_result *r = run_num(&v, MLOPS_DRIFT_AUTO, NULL);
    assert_int_equal(mlops_drift_result_metric(r), MLOPS_DRIFT_KS);
    check_stat("auto ks", mlops_drift_result_statistic(r), vec_num(&v, "ks.statistic"));
    mlops_drift_result_free(r);
    vec_free(&v);
    vec_load(&v, "uniform-vs-beta"); /* 3000 reference values */
    r = run_num(&v, MLOPS_DRIFT_AUTO, NULL);
    assert_int_equal(mlops_drift_result_metric(r), MLOPS_DRIFT_WASSERSTEIN_NORMED);
    check_stat("auto wn", mlops_drift_result_statistic(r), vec_num(&v, "wasserstein_normed"));
    assert_int_equal(mlops_drift_result_drifted(r), 1);
    mlops_drift_result_free(r);
    vec_free(&v);
    /* Numeric values with two distinct values and a small sample: z-test.
     * Shares of the first value 0: p1 = 3/6, p2 = 5/6, pooled 2/3,
     * z = (-1/3) / sqrt(2/9 * 1/3) = -sqrt(1.5);
     * p = 2 * scipy.stats.norm.sf(sqrt(1.5)) = 0.22067136191984693. */
    const double a[] = {0, 0, 0, 1, 1, 1}, b[] = {0, 0, 0, 0, 0, 1};
    assert_int_equal(mlops_drift_numeric(&r, MLOPS_DRIFT_AUTO, a, 6, b, 6, NULL), 0);
    assert_int_equal(mlops_drift_result_metric(r), MLOPS_DRIFT_ZTEST);
    check_stat("ztest z", mlops_drift_result_statistic(r), -1.224744871391589);
    check_p("ztest p", mlops_drift_result_pvalue(r), 0.22067136191984693, 0);
    mlops_drift_result_free(r);
    /* Binary reference, a third value in the current sample: chi-square.
     * Oracle: scipy.stats.chi2_contingency([[3, 3, 0], [2, 3, 1]],
     * correction=False) = (1.2, 0.5488116360940265, dof 2). */
    const double c3[] = {0, 0, 1, 1, 1, 2};
    assert_int_equal(mlops_drift_numeric(&r, MLOPS_DRIFT_AUTO, a, 6, c3, 6, NULL), 0);
    assert_int_equal(mlops_drift_result_metric(r), MLOPS_DRIFT_CHI2);
    check_stat("auto chi2", mlops_drift_result_statistic(r), 1.2);
    check_p("auto chi2", mlops_drift_result_pvalue(r), 0.5488116360940265, 0);
    assert_int_equal(mlops_drift_result_dof(r), 2);
    mlops_drift_result_free(r);
}

static void test_result_json_carries_the_contract(void **state)
{
    (void)state;
    vec v;
    vec_load(&v, "tiny");
    mlops_drift_result *r = run_num(&v, MLOPS_DRIFT_KS, NULL);
    mlops_buf b = MLOPS_BUF_INIT;
    assert_int_equal(mlops_drift_result_write_json(&b, r, 0), 0);
    assert_non_null(strstr(b.data, "\"metric\":\"ks\",\"statistic\":0.65714285714285714"));
    assert_non_null(strstr(b.data, "\"pvalue\":0.11616161616161"));
    assert_non_null(strstr(b.data, "\"pvalue_method\":\"exact\""));
    assert_non_null(strstr(b.data, "\"threshold\":0.050000000000000003"));
    assert_non_null(strstr(b.data, "\"direction\":\"<\",\"drifted\":false"));
    mlops_buf_dispose(&b);
    mlops_drift_result_free(r);
    r = run_num(&v, MLOPS_DRIFT_PSI, NULL);
    assert_int_equal(mlops_drift_result_write_json(&b, r, 0), 0);
    assert_non_null(strstr(b.data, "\"pvalue\":null"));
    assert_non_null(strstr(b.data, "\"direction\":\">=\""));
    assert_non_null(strstr(b.data, "\"smoothing\":0.5"));
    assert_non_null(strstr(b.data, "\"ref_counts\":[1,0,1,0,0,1,0,1,0,1]"));
    mlops_buf_dispose(&b);
    mlops_drift_result_free(r);
    vec_free(&v);
}

/* Smoothing a = 0: 0 ln 0 = 0 and an empty bin on one side is +inf, as
 * scipy.special.rel_entr (KL = sum rel_entr(p, q), PSI = sum rel_entr(q, p) +
 * rel_entr(p, q)); the constants are SciPy 1.17's. +inf drifts and is written
 * to JSON as "Infinity"; a NaN statistic is an error, never "no drift". */
static void expect_counts(int metric, const uint64_t *rc, const uint64_t *cc, size_t bins,
                          double want)
{
    mlops_drift_options o = MLOPS_DRIFT_OPTIONS_INIT;
    o.smoothing = 0;
    mlops_drift_result *r = NULL;
    assert_int_equal(mlops_drift_counts(&r, metric, NULL, 0, rc, cc, bins, 0, 0, &o), 0);
    double got = mlops_drift_result_statistic(r);
    if (isinf(want)) {
        if (!(isinf(got) && got > 0))
            fail_msg("%s: want +inf, got %.17g", mlops_drift_metric_name(metric), got);
    } else if (!(fabs(got - want) <= 1e-12 * fabs(want))) {
        fail_msg("%s: want %.17g, got %.17g", mlops_drift_metric_name(metric), want, got);
    }
    assert_int_equal(mlops_drift_result_drifted(r), want >= 0.1);
    mlops_drift_result_free(r);
}

static void test_smoothing_zero_follows_rel_entr(void **state)
{
    (void)state;
    static const uint64_t r1[] = {0, 1}, c1[] = {341, 359};
    static const uint64_t r2[] = {0, 5, 3}, c2[] = {2, 4, 1};
    static const uint64_t r3[] = {3, 0, 0, 0, 1}, c3[] = {1, 0, 0, 0, 3};
    static const uint64_t r4[] = {5, 0, 3}, c4[] = {2, 4, 0};
    expect_counts(MLOPS_DRIFT_KL, r1, c1, 2, 0.6677579465551258);
    expect_counts(MLOPS_DRIFT_PSI, r1, c1, 2, INFINITY);
    expect_counts(MLOPS_DRIFT_KL, r2, c2, 3, 0.4179129351973996);
    expect_counts(MLOPS_DRIFT_PSI, r2, c2, 3, INFINITY);
    expect_counts(MLOPS_DRIFT_KL, r3, c3, 5, 0.5493061443340548);
    expect_counts(MLOPS_DRIFT_PSI, r3, c3, 5, 1.0986122886681096);
    expect_counts(MLOPS_DRIFT_KL, r4, c4, 3, INFINITY);
    expect_counts(MLOPS_DRIFT_PSI, r4, c4, 3, INFINITY);

    /* The same through samples: drift([0,0,0,10], [0,10,10,10], psi, uniform,
     * 5 bins, a = 0) has empty middle bins on both sides. */
    static const double a[] = {0, 0, 0, 10}, b[] = {0, 10, 10, 10};
    mlops_drift_options o = MLOPS_DRIFT_OPTIONS_INIT;
    o.smoothing = 0;
    o.binning = MLOPS_DRIFT_BINS_UNIFORM;
    o.bins = 5;
    mlops_drift_result *r = NULL;
    assert_int_equal(mlops_drift_numeric(&r, MLOPS_DRIFT_PSI, a, 4, b, 4, &o), 0);
    assert_true(fabs(mlops_drift_result_statistic(r) - 1.0986122886681096) <= 1e-12);
    assert_int_equal(mlops_drift_result_drifted(r), 1);
    mlops_drift_result_free(r);

    /* Categories: a code the reference never shows makes PSI and KL(cur || ...)
     * infinite; the result drifts and JSON says "Infinity", not null. */
    static const int64_t cr[] = {0, 0, 1, 1}, ccur[] = {0, 1, 2, 2};
    assert_int_equal(mlops_drift_categorical(&r, MLOPS_DRIFT_PSI, cr, 4, ccur, 4, 3, &o), 0);
    assert_true(isinf(mlops_drift_result_statistic(r)));
    assert_int_equal(mlops_drift_result_drifted(r), 1);
    mlops_buf buf = MLOPS_BUF_INIT;
    assert_int_equal(mlops_drift_result_write_json(&buf, r, 0), 0);
    assert_non_null(strstr(buf.data, "\"statistic\":\"Infinity\""));
    assert_non_null(strstr(buf.data, "\"pvalue\":null"));
    mlops_buf_dispose(&buf);
    mlops_drift_result_free(r);

    /* A statistic SciPy itself returns as NaN (wasserstein_distance of
     * [-DBL_MAX, DBL_MAX] with itself: inf * 0) is an error, not "no drift". */
    static const double big[] = {-1.7976931348623157e308, 1.7976931348623157e308};
    r = NULL;
    assert_int_equal(mlops_drift_numeric(&r, MLOPS_DRIFT_WASSERSTEIN, big, 2, big, 2, NULL),
                     MLOPS_E_DOMAIN);
    assert_null(r);
    assert_non_null(strstr(mlops_error_last(), "not computable"));
    /* ... and fails a table naming the column. */

    mlops_drift_table_result *t = NULL;
    int metrics[] = {MLOPS_DRIFT_WASSERSTEIN, MLOPS_DRIFT_WASSERSTEIN};
    double tcur[4] = {1, 2, -1.7976931348623157e308, 1.7976931348623157e308};

    double tr2[4] = {1, 2, -1.7976931348623157e308, 1.7976931348623157e308};
    assert_int_equal(mlops_drift_table(&t, tr2, 2, tcur, 2, 2, metrics, NULL), MLOPS_E_DOMAIN);
    assert_null(t);
    assert_non_null(strstr(mlops_error_last(), "column 1"));
}

/* A tiny smoothing a > 0 keeps PSI and KL finite even where a smoothed share
 * or the quotient of two shares leaves the range of a double (a = 1e-310:
 * 1 / 1e-310 overflows; a = 1e-320 over 10^6 values: a / N underflows to 0).
 * The constants are the exact sums, p_i = (c_i + a) / (N + a B), computed
 * with Python's decimal module at 60 digits (SciPy 1.17's entropy() agrees
 * on the first case: 713.8013788281542). */
static void expect_smoothed(int metric, const uint64_t *rc, const uint64_t *cc, size_t bins,
                            double a, double want)
{
    mlops_drift_options o = MLOPS_DRIFT_OPTIONS_INIT;
    o.smoothing = a;
    mlops_drift_result *r = NULL;
    assert_int_equal(mlops_drift_counts(&r, metric, NULL, 0, rc, cc, bins, 0, 0, &o), 0);
    double got = mlops_drift_result_statistic(r);
    if (!(fabs(got - want) <= 1e-12 * fabs(want)))
        fail_msg("%s, a = %g: want %.17g, got %.17g", mlops_drift_metric_name(metric), a, want,
                 got);
    assert_int_equal(mlops_drift_result_drifted(r), 1);
    mlops_drift_result_free(r);
}

static void test_tiny_smoothing_stays_finite(void **state)
{
    (void)state;
    static const uint64_t r1[] = {1, 0}, c1[] = {0, 1};
    static const uint64_t r2[] = {0, 1}, c2[] = {341, 359};
    static const uint64_t r3[] = {0, 1000000}, c3[] = {1, 1};
    expect_smoothed(MLOPS_DRIFT_KL, r1, c1, 2, 1e-310, 713.80137882815416);
    expect_smoothed(MLOPS_DRIFT_PSI, r1, c1, 2, 1e-310, 1427.6027576563083);
    expect_smoothed(MLOPS_DRIFT_KL, r2, c2, 2, 4.9406564584124654e-324, 0.66775794655512577);
    expect_smoothed(MLOPS_DRIFT_PSI, r2, c2, 2, 4.9406564584124654e-324, 362.62360502210026);
    expect_smoothed(MLOPS_DRIFT_KL, r3, c3, 2, 1e-320, 0.69314718055994529);
    expect_smoothed(MLOPS_DRIFT_PSI, r3, c3, 2, 1e-320, 375.32137572446908);
    expect_smoothed(MLOPS_DRIFT_KL, c3, r3, 2, 1e-320, 374.62822854390913);
}

/* ------------------------------------------------------------------------ */
/* Table                                                                    */
/* ------------------------------------------------------------------------ */

static void test_table_matches_single_calls_and_rules(void **state)
{
    (void)state;
    /* Three columns of 1000 x 1000: normal-same, and its halves swapped. */
    vec v;
    vec_load(&v, "normal-same");
    const entry *re = vec_get(&v, "reference"), *ce = vec_get(&v, "current");
    size_t n = re->n, m = ce->n, cols = 3;
    double *ref = malloc(cols * n * sizeof *ref), *cur = malloc(cols * m * sizeof *cur);
    assert_non_null(ref);
    assert_non_null(cur);
    for (size_t j = 0; j < cols; j++) {
        memcpy(ref + j * n, re->v, n * sizeof *ref);
        for (size_t i = 0; i < m; i++)
            cur[j * m + i] = ce->v[i] + (double)j * 0.5; /* shifts 0, 0.5, 1 */
    }
    int metrics[3] = {MLOPS_DRIFT_KS, MLOPS_DRIFT_KS, MLOPS_DRIFT_KS};
    mlops_drift_table_options o = MLOPS_DRIFT_TABLE_OPTIONS_INIT;
    mlops_drift_table_result *t1 = NULL, *t2 = NULL;
    o.threads = 1;
    assert_int_equal(mlops_drift_table(&t1, ref, n, cur, m, cols, metrics, &o), 0);
    o.threads = 2;
    assert_int_equal(mlops_drift_table(&t2, ref, n, cur, m, cols, metrics, &o), 0);
    assert_int_equal(mlops_drift_table_result_columns(t2), 3);
    const mlops_drift_result *c0 = mlops_drift_table_result_column(t2, 0);
    check_stat("table col0 ks", mlops_drift_result_statistic(c0), vec_num(&v, "ks.statistic"));
    check_p("table col0 ks", mlops_drift_result_pvalue(c0), vec_num(&v, "ks.pvalue"), 0);
    for (size_t j = 0; j < cols; j++) {
        const mlops_drift_result *a = mlops_drift_table_result_column(t1, j);
        const mlops_drift_result *b = mlops_drift_table_result_column(t2, j);
        assert_true(mlops_drift_result_statistic(a) == mlops_drift_result_statistic(b));
        assert_true(mlops_drift_result_pvalue(a) == mlops_drift_result_pvalue(b));
        mlops_drift_result *single = NULL;
        assert_int_equal(mlops_drift_numeric(&single, MLOPS_DRIFT_KS, ref + j * n, n,
                                             cur + j * m, m, NULL), 0);
        assert_true(mlops_drift_result_pvalue(single) == mlops_drift_result_pvalue(b));
        mlops_drift_result_free(single);
    }
    /* Share rule: columns 1 and 2 drift (2/3 >= 0.5). */
    assert_int_equal(mlops_drift_table_result_drifted_count(t2), 2);
    assert_int_equal(mlops_drift_table_result_drifted(t2), 1);
    assert_null(mlops_drift_table_result_column(t2, 3));
    /* BH over the three p-values equals mlops_drift_pvalue_adjust. */
    mlops_drift_table_result *t3 = NULL;
    o.rule = MLOPS_DRIFT_RULE_BH;
    o.effect_floor = 0.5; /* KS D must also exceed 0.5: only the shift by 1 */
    assert_int_equal(mlops_drift_table(&t3, ref, n, cur, m, cols, metrics, &o), 0);
    double p[3], adj[3];
    for (size_t j = 0; j < 3; j++)
        p[j] = mlops_drift_result_pvalue(mlops_drift_table_result_column(t3, j));
    assert_int_equal(mlops_drift_pvalue_adjust(adj, p, 3, MLOPS_PVALUE_BH), 0);
    for (size_t j = 0; j < 3; j++)
        assert_true(adj[j] == mlops_drift_table_result_adjusted_pvalue(t3, j));
    int floor_ok = mlops_drift_result_statistic(mlops_drift_table_result_column(t3, 1)) > 0.5;
    assert_int_equal(mlops_drift_table_result_column_drifted(t3, 1), floor_ok);
    assert_int_equal(mlops_drift_table_result_column_drifted(t3, 0), 0);
    /* The same through the info structs. */
    const struct mlops_drift_table_result_info *ti = mlops_drift_table_result_info(t2);
    assert_non_null(ti);
    assert_int_equal(ti->version, MLOPS_DRIFT_TABLE_RESULT_INFO_VERSION);
    assert_int_equal(ti->size, sizeof *ti);
    assert_int_equal(ti->columns, 3);
    assert_int_equal(ti->drifted_count, 2);
    assert_true(ti->drifted_share == 2.0 / 3.0);
    assert_int_equal(ti->drifted, 1);
    assert_int_equal(ti->rule, MLOPS_DRIFT_RULE_SHARE);
    const struct mlops_drift_table_result_column_info *ci0 =
        mlops_drift_table_result_column_info(t2, 0);
    assert_non_null(ci0);
    assert_int_equal(ci0->version, MLOPS_DRIFT_TABLE_RESULT_COLUMN_INFO_VERSION);
    assert_int_equal(ci0->size, sizeof *ci0);
    assert_ptr_equal(ci0->result, mlops_drift_table_result_column(t2, 0));
    check_stat("table col0 ks (info)", check_result_info(ci0->result)->statistic,
               vec_num(&v, "ks.statistic"));
    check_p("table col0 ks (info)", mlops_drift_result_info(ci0->result)->pvalue,
            vec_num(&v, "ks.pvalue"), 0);
    /* share rule: the adjusted p-value is the raw one */
    check_p("table col0 adjusted (info)", ci0->adjusted_pvalue, vec_num(&v, "ks.pvalue"), 0);
    assert_int_equal(ci0->drifted, 0);
    assert_int_equal(mlops_drift_table_result_column_info(t2, 1)->drifted, 1);
    assert_int_equal(mlops_drift_table_result_column_info(t2, 2)->drifted, 1);
    assert_null(mlops_drift_table_result_column_info(t2, 3));
    assert_null(mlops_drift_table_result_column_info(t2, SIZE_MAX));
    const struct mlops_drift_table_result_info *ti3 = mlops_drift_table_result_info(t3);
    assert_int_equal(ti3->rule, MLOPS_DRIFT_RULE_BH);
    assert_int_equal(ti3->drifted_count, mlops_drift_table_result_drifted_count(t3));
    assert_int_equal(ti3->drifted, mlops_drift_table_result_drifted(t3));
    assert_true(ti3->drifted_share == mlops_drift_table_result_drifted_share(t3));
    for (size_t j = 0; j < 3; j++) {
        const struct mlops_drift_table_result_column_info *cj =
            mlops_drift_table_result_column_info(t3, j);
        assert_true(cj->adjusted_pvalue == adj[j]);
        assert_int_equal(cj->drifted, mlops_drift_table_result_column_drifted(t3, j));
        assert_ptr_equal(cj->result, mlops_drift_table_result_column(t3, j));
        check_result_info(cj->result);
    }
    mlops_buf b = MLOPS_BUF_INIT;
    assert_int_equal(mlops_drift_table_result_write_json(&b, t3, 0), 0);
    assert_non_null(strstr(b.data, "{\"rule\":\"bh\""));
    assert_non_null(strstr(b.data, "\"adjusted_pvalue\":"));
    mlops_buf_dispose(&b);
    /* A column that is all NaN is an error naming the column. */
    for (size_t i = 0; i < n; i++)
        ref[2 * n + i] = NAN;
    mlops_drift_table_result *bad = (mlops_drift_table_result *)(uintptr_t)0x1;
    assert_int_equal(mlops_drift_table(&bad, ref, n, cur, m, cols, NULL, NULL), MLOPS_E_DOMAIN);
    assert_non_null(strstr(mlops_error_last(), "column 2"));
    assert_ptr_equal(bad, (mlops_drift_table_result *)(uintptr_t)0x1);
    assert_int_equal(mlops_drift_table(&bad, ref, n, cur, m, 0, NULL, NULL), MLOPS_E_INVALID);
    mlops_drift_table_result_free(t1);
    mlops_drift_table_result_free(t2);
    mlops_drift_table_result_free(t3);
    free(ref);
    free(cur);
    vec_free(&v);
}

/* ------------------------------------------------------------------------ */
/* Out of memory                                                            */
/* ------------------------------------------------------------------------ */

typedef struct oom_ctx {
    int metric;
    const double *a, *b;
    size_t na, nb;
    mlops_drift_options o;
    mlops_drift_result *r;
    mlops_drift_reference *ref;
    mlops_drift_table_result *t;
    mlops_buf buf;
    const int64_t *ca, *cb;
    double p[8], out[8];
} oom_ctx;

static void oom_cleanup_all(void *p)
{
    oom_ctx *c = p;
    mlops_drift_result_free(c->r);
    c->r = NULL;
    mlops_drift_reference_free(c->ref);
    c->ref = NULL;
    mlops_drift_table_result_free(c->t);
    c->t = NULL;
    mlops_buf_dispose(&c->buf);
}

static int op_numeric(void *p)
{
    oom_ctx *c = p;
    return mlops_drift_numeric(&c->r, c->metric, c->a, c->na, c->b, c->nb, &c->o);
}

static int op_reference(void *p)
{
    oom_ctx *c = p;
    int rc = mlops_drift_reference_new(&c->ref, c->a, c->na, &c->o);
    if (rc)
        return rc;
    return mlops_drift_reference_compare(&c->r, c->ref, MLOPS_DRIFT_JS, c->b, c->nb, &c->o);
}

static int op_from_counts(void *p)
{
    oom_ctx *c = p;
    const double e[] = {1.0, 2.0};
    const uint64_t k[] = {3, 4, 5};
    return mlops_drift_reference_from_counts(&c->ref, e, 2, k, 0);
}

static int op_categorical(void *p)
{
    oom_ctx *c = p;
    return mlops_drift_categorical(&c->r, c->metric, c->ca, c->na, c->cb, c->nb, 4, NULL);
}

static int op_adjust(void *p)
{
    oom_ctx *c = p;
    return mlops_drift_pvalue_adjust(c->out, c->p, 8, c->metric);
}

static int op_table(void *p)
{
    oom_ctx *c = p;
    mlops_drift_table_options o = MLOPS_DRIFT_TABLE_OPTIONS_INIT;
    o.threads = 1; /* the counting allocator is not thread-safe */
    o.rule = MLOPS_DRIFT_RULE_HOLM;
    int rc = mlops_drift_table(&c->t, c->a, c->na / 2, c->b, c->nb / 2, 2, NULL, &o);
    if (rc)
        return rc;
    return mlops_drift_table_result_write_json(&c->buf, c->t, 0);
}

static int op_json(void *p)
{
    oom_ctx *c = p;
    int rc = mlops_drift_numeric(&c->r, MLOPS_DRIFT_PSI, c->a, c->na, c->b, c->nb, NULL);
    if (rc)
        return rc;
    return mlops_drift_result_write_json(&c->buf, c->r, 0);
}

/* Table options outside the ranges include/mlops/drift.h documents are
 * MLOPS_E_INVALID (a newer struct version MLOPS_E_VERSION) with *out
 * unchanged; the documented bounds themselves are accepted. */
/* The info accessors: NULL for a NULL object or a row out of range. */
static void test_info_accessors_reject_null_and_out_of_range(void **state)
{
    (void)state;
    assert_null(mlops_drift_result_info(NULL));
    assert_null(mlops_drift_reference_info(NULL));
    assert_null(mlops_drift_table_result_info(NULL));
    assert_null(mlops_drift_table_result_column_info(NULL, 0));
    /* A categorical result from a hand-made table (SciPy 1.10.1:
     * chi2_contingency([[3, 1], [1, 3]], correction=False) = (2.0,
     * 0.15729920705028105, 1)); codes 7 and 9 of 10. */
    const int64_t ref[] = {7, 7, 7, 9}, cur[] = {7, 9, 9, 9, -1};
    mlops_drift_result *r = NULL;
    assert_int_equal(mlops_drift_categorical(&r, MLOPS_DRIFT_CHI2, ref, 4, cur, 5, 10, NULL), 0);
    const struct mlops_drift_result_info *i = check_result_info(r);
    check_stat("chi2 2x2", i->statistic, 2.0);
    check_p("chi2 2x2", i->pvalue, 0.15729920705028105, 0);
    assert_int_equal(i->dof, 1);
    assert_int_equal(i->bins, 2);
    assert_int_equal(i->categories[0], 7);
    assert_int_equal(i->categories[1], 9);
    assert_int_equal(i->ref_counts[0], 3);
    assert_int_equal(i->cur_counts[1], 3);
    assert_int_equal(i->missing_cur, 1);
    assert_int_equal(i->n_cur, 4);
    assert_true(i->unseen_share == 0.0);
    assert_int_equal(i->drifted, 0);
    mlops_drift_result_free(r);
    /* Counts: PSI on a single bin without edges. */
    const uint64_t rc[] = {5}, cc[] = {9};
    assert_int_equal(mlops_drift_counts(&r, MLOPS_DRIFT_PSI, NULL, 0, rc, cc, 1, 2, 3, NULL), 0);
    i = check_result_info(r);
    assert_true(i->statistic == 0.0);
    assert_null(i->edges);
    assert_int_equal(i->n_edges, 0);
    assert_int_equal(i->n_ref, 5);
    assert_int_equal(i->n_cur, 9);
    assert_int_equal(i->missing_ref, 2);
    assert_int_equal(i->missing_cur, 3);
    assert_true(i->smoothing == 0.5);
    mlops_drift_result_free(r);
    /* A reference with one bin has no edges. */
    mlops_drift_reference *one = NULL;
    assert_int_equal(mlops_drift_reference_from_counts(&one, NULL, 0, rc, 4), 0);
    const struct mlops_drift_reference_info *ri = mlops_drift_reference_info(one);
    assert_null(ri->edges);
    assert_int_equal(ri->n_edges, 0);
    assert_int_equal(ri->bins, 1);
    assert_int_equal(ri->counts[0], 5);
    assert_int_equal(ri->count, 5);
    assert_int_equal(ri->missing, 4);
    mlops_drift_reference_free(one);
}

static void test_table_options_outside_their_documented_ranges(void **state)
{
    (void)state;
    double ref[40], cur[40];
    for (int i = 0; i < 40; i++) {
        ref[i] = i % 20;
        cur[i] = (i % 20) + 0.5;
    }
    mlops_drift_table_options o;
    mlops_drift_table_result *t = (mlops_drift_table_result *)0x1;
#define BAD(stmt, want, msg)                                                                   \
    do {                                                                                       \
        o = (mlops_drift_table_options)MLOPS_DRIFT_TABLE_OPTIONS_INIT;                         \
        stmt;                                                                                  \
        assert_int_equal(mlops_drift_table(&t, ref, 20, cur, 20, 2, NULL, &o), want);          \
        assert_true(t == (mlops_drift_table_result *)0x1);                                     \
        if (msg[0] && !strstr(mlops_error_last(), msg))                                        \
            fail_msg("%s: \"%s\" lacks \"%s\"", #stmt, mlops_error_last(), msg);               \
    } while (0)
    BAD(o.flags = 1, MLOPS_E_INVALID, "");
    BAD(o.rule = MLOPS_DRIFT_RULE_BH + 1, MLOPS_E_INVALID, "unknown rule 4");
    BAD(o.drift_share = 0, MLOPS_E_INVALID, "drift_share must be in (0, 1]");
    BAD(o.drift_share = 1.0000001, MLOPS_E_INVALID, "drift_share");
    BAD(o.drift_share = NAN, MLOPS_E_INVALID, "drift_share");
    BAD(o.alpha = 0, MLOPS_E_INVALID, "alpha must be in (0, 1)");
    BAD(o.alpha = 1, MLOPS_E_INVALID, "alpha");
    BAD(o.effect_floor = INFINITY, MLOPS_E_INVALID, "effect_floor must be finite or NaN");
    BAD(o.effect_floor = -INFINITY, MLOPS_E_INVALID, "effect_floor");
    BAD(o.threads = 65, MLOPS_E_INVALID, "at most 64 threads");
    BAD(o.version = MLOPS_DRIFT_TABLE_OPTIONS_VERSION + 1, MLOPS_E_VERSION, "");
#undef BAD
    /* the bounds: drift_share 1, 64 threads, a finite floor */
    o = (mlops_drift_table_options)MLOPS_DRIFT_TABLE_OPTIONS_INIT;
    o.drift_share = 1;
    o.threads = 64;
    o.effect_floor = 0.1;
    t = NULL;
    assert_int_equal(mlops_drift_table(&t, ref, 20, cur, 20, 2, NULL, &o), 0);
    assert_int_equal(mlops_drift_table_result_columns(t), 2);
    mlops_drift_table_result_free(t);
}

static void test_every_allocating_function_survives_oom(void **state)
{
    (void)state;
    /* Sizes that reach every allocating path: radix scratch (>= 64 values),
     * the lattice count of exact KS (n != m), the exact CvM tables (<= 20). */
    double a[300], b[250];
    for (size_t i = 0; i < 300; i++)
        a[i] = sin((double)i * 1.7) * 3 + (i % 7 == 0 ? NAN : 0);
    for (size_t i = 0; i < 250; i++)
        b[i] = cos((double)i * 0.9) * 2.5 + 0.3;
    oom_ctx c;
    memset(&c, 0, sizeof c);
    c.buf = (mlops_buf)MLOPS_BUF_INIT;
    c.o = (mlops_drift_options)MLOPS_DRIFT_OPTIONS_INIT;
    c.a = a;
    c.b = b;
    c.na = 300;
    c.nb = 250;
    static const int metrics[] = {MLOPS_DRIFT_KS, MLOPS_DRIFT_WASSERSTEIN_NORMED,
                                  MLOPS_DRIFT_ENERGY, MLOPS_DRIFT_CVM, MLOPS_DRIFT_PSI,
                                  MLOPS_DRIFT_AUTO};
    for (size_t i = 0; i < sizeof metrics / sizeof *metrics; i++) {
        c.metric = metrics[i];
        oom_check(mlops_drift_metric_name(c.metric), op_numeric, oom_cleanup_all, &c, 0);
    }
    c.o.binning = MLOPS_DRIFT_BINS_UNIFORM;
    c.metric = MLOPS_DRIFT_HELLINGER;
    oom_check("uniform hellinger", op_numeric, oom_cleanup_all, &c, 0);
    c.o.binning = MLOPS_DRIFT_BINS_QUANTILE;
    /* Asymptotic KS on a Durbin-matrix path (n <= 140 after rounding). */
    c.o.ks_mode = MLOPS_DRIFT_KS_ASYMPTOTIC;
    c.metric = MLOPS_DRIFT_KS;
    c.na = 60;
    c.nb = 70;
    oom_check("ks asymptotic", op_numeric, oom_cleanup_all, &c, 0);
    c.o.ks_mode = MLOPS_DRIFT_KS_SCIPY;
    /* Exact CvM on small samples; CHI2 on values. */
    c.na = 12;
    c.nb = 15;
    c.metric = MLOPS_DRIFT_CVM;
    oom_check("cvm exact", op_numeric, oom_cleanup_all, &c, 0);
    c.na = 300;
    c.nb = 250;
    oom_check("reference", op_reference, oom_cleanup_all, &c, 0);
    oom_check("reference from counts", op_from_counts, oom_cleanup_all, &c, 0);
    oom_check("table", op_table, oom_cleanup_all, &c, 0);
    oom_check("json", op_json, oom_cleanup_all, &c, 0);
    int64_t ca[40], cb[30];
    for (int i = 0; i < 40; i++)
        ca[i] = i % 3;
    for (int i = 0; i < 30; i++)
        cb[i] = (i * 7) % 4;
    c.ca = ca;
    c.cb = cb;
    c.na = 40;
    c.nb = 30;
    c.metric = MLOPS_DRIFT_CHI2;
    oom_check("categorical chi2", op_categorical, oom_cleanup_all, &c, 0);
    c.metric = MLOPS_DRIFT_PSI;
    oom_check("categorical psi", op_categorical, oom_cleanup_all, &c, 0);
    for (int i = 0; i < 8; i++)
        c.p[i] = (double)(i + 1) / 10.0;
    c.metric = MLOPS_PVALUE_HOLM;
    oom_check("adjust holm", op_adjust, oom_cleanup_all, &c, 0);
}

static int cmp_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

/* Two samples large enough to be sorted on one thread each and scattered
 * straight from the input (drift_sample.c: PARALLEL_MIN, OOP_MAX): the KS statistic
 * equals the one a plain qsort and merge give (D is a difference of two
 * integer ratios, so equality is exact). */
static void test_large_samples_sort_concurrently(void **state)
{
    (void)state;
    enum { N = (1 << 21) + 12345, M = (1 << 21) + 777 }; /* above OOP_MAX and PARALLEL_MIN */
    double *a = malloc(N * sizeof *a), *b = malloc(M * sizeof *b);
    assert_non_null(a);
    assert_non_null(b);
    uint64_t x = 0x9e3779b97f4a7c15ULL;
    for (size_t i = 0; i < N + M; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        double u = (double)(x >> 11) / 9007199254740992.0;
        if (i < N)
            a[i] = u * u;             /* skewed toward 0 */
        else
            b[i - N] = u * 0.98 + 0.01;
    }
    a[5] = NAN; /* omitted and counted */
    mlops_drift_result *r = NULL;
    assert_int_equal(mlops_drift_numeric(&r, MLOPS_DRIFT_KS, a, N, b, M, NULL), 0);
    assert_int_equal(mlops_drift_result_missing_ref(r), 1);
    /* reference: sort copies, walk both */
    double *sa = malloc((N - 1) * sizeof *sa), *sb = malloc(M * sizeof *sb);
    size_t na = 0;
    for (size_t i = 0; i < N; i++)
        if (!isnan(a[i]))
            sa[na++] = a[i];
    memcpy(sb, b, M * sizeof *sb);
    qsort(sa, na, sizeof *sa, cmp_double);
    qsort(sb, M, sizeof *sb, cmp_double);
    size_t i = 0, j = 0;
    double d = 0;
    while (i < na && j < M) {
        double v = sa[i] <= sb[j] ? sa[i] : sb[j];
        while (i < na && sa[i] == v)
            i++;
        while (j < M && sb[j] == v)
            j++;
        double diff = fabs((double)i / (double)na - (double)j / (double)M);
        d = diff > d ? diff : d;
    }
    assert_true(mlops_drift_result_statistic(r) == d);
    assert_true(d > 0.1);
    mlops_drift_result_free(r);
    free(a);
    free(b);
    free(sa);
    free(sb);
}

/* The FFI initialisers give the defaults the header documents (bins 10,
 * smoothing 0.5, JS base 2, the metric's own threshold, SciPy's KS mode;
 * the SHARE rule at 0.5, alpha 0.05, no effect floor, 2 threads), and a
 * struct smaller than version 1 is refused untouched. */
static void test_options_init_gives_the_documented_defaults(void **state)
{
    (void)state;
    mlops_drift_options o;
    memset(&o, 0xAB, sizeof o);
    assert_int_equal(mlops_drift_options_init(&o, sizeof o), 0);
    assert_int_equal(o.version, MLOPS_DRIFT_OPTIONS_VERSION);
    assert_int_equal(o.size, sizeof o);
    assert_int_equal(o.flags, 0);
    assert_int_equal(o.binning, MLOPS_DRIFT_BINS_QUANTILE);
    assert_int_equal(o.bins, 10);
    assert_null(o.edges);
    assert_int_equal(o.n_edges, 0);
    assert_true(o.smoothing == 0.5 && o.js_base == 2.0 && isnan(o.threshold));
    assert_int_equal(o.ks_mode, MLOPS_DRIFT_KS_SCIPY);
    mlops_drift_options small;
    memset(&small, 0xAB, sizeof small);
    assert_int_equal(mlops_drift_options_init(&small, 4), MLOPS_E_INVALID);
    assert_int_equal(small.version, 0xABABABABu);
    assert_int_equal(mlops_drift_options_init(NULL, sizeof o), MLOPS_E_INVALID);

    mlops_drift_table_options t;
    memset(&t, 0xAB, sizeof t);
    assert_int_equal(mlops_drift_table_options_init(&t, sizeof t), 0);
    assert_int_equal(t.version, MLOPS_DRIFT_TABLE_OPTIONS_VERSION);
    assert_int_equal(t.size, sizeof t);
    assert_int_equal(t.flags, 0);
    assert_int_equal(t.rule, MLOPS_DRIFT_RULE_SHARE);
    assert_true(t.drift_share == 0.5 && t.alpha == 0.05 && isnan(t.effect_floor));
    assert_int_equal(t.threads, 0);
    assert_null(t.column_options);
    assert_int_equal(mlops_drift_table_options_init(&t, 4), MLOPS_E_INVALID);
    assert_int_equal(mlops_drift_table_options_init(NULL, sizeof t), MLOPS_E_INVALID);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_options_init_gives_the_documented_defaults),
        cmocka_unit_test(test_numeric_vectors_sample_tests_match_scipy),
        cmocka_unit_test(test_numeric_vectors_quantile_bins_match_numpy),
        cmocka_unit_test(test_numeric_vectors_uniform_bins_match_numpy),
        cmocka_unit_test(test_binned_reference_reused_matches_vectors),
        cmocka_unit_test(test_categorical_vectors_match_scipy),
        cmocka_unit_test(test_pvalue_adjust_matches_vectors),
        cmocka_unit_test(test_shares_from_counts_match_vectors),
        cmocka_unit_test(test_radix_sort_orders_like_qsort),
        cmocka_unit_test(test_hostile_values_give_defined_results),
        cmocka_unit_test(test_ks_exact_beyond_scipy_limit_for_equal_sizes),
        cmocka_unit_test(test_single_value_gives_defined_results),
        cmocka_unit_test(test_empty_or_nonfinite_side_is_a_domain_error),
        cmocka_unit_test(test_bad_arguments_are_rejected),
        cmocka_unit_test(test_identical_values_are_cheap_and_defined),
        cmocka_unit_test(test_auto_rule_picks_by_type_and_size),
        cmocka_unit_test(test_result_json_carries_the_contract),
        cmocka_unit_test(test_smoothing_zero_follows_rel_entr),
        cmocka_unit_test(test_tiny_smoothing_stays_finite),
        cmocka_unit_test(test_table_matches_single_calls_and_rules),
        cmocka_unit_test(test_large_samples_sort_concurrently),
        cmocka_unit_test(test_table_options_outside_their_documented_ranges),
        cmocka_unit_test(test_info_accessors_reject_null_and_out_of_range),
        cmocka_unit_test(test_every_allocating_function_survives_oom),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
