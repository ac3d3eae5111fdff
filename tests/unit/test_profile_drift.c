/*
 * Drift metrics between profiles and between count arrays: agreement with the
 * NumPy/SciPy vectors, merge invariance, bad input, OOM.
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * Expected values are those of the files in tests/vectors/drift (NumPy 1.24.2 /
 * SciPy 1.10.1): for numeric cases the quantile_bins and uniform_bins
 * sections give the edges, both count arrays and PSI, KL, JS, Hellinger, TVD,
 * L-inf; the categorical cases give the counts over the union of categories,
 * the share metrics and chi2_contingency's statistic, p-value and dof.
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

#include "mlops.h"
#include "driftvec.h"
#include "oom.h"

static const struct {
    int metric;
    const char *key;
} share_metrics[] = {
    {MLOPS_DRIFT_PSI, "psi"},   {MLOPS_DRIFT_KL, "kl"},
    {MLOPS_DRIFT_JS, "js"},     {MLOPS_DRIFT_HELLINGER, "hellinger"},
    {MLOPS_DRIFT_TVD, "tvd"},   {MLOPS_DRIFT_LINF, "linf"},
};
#define N_SHARE (sizeof share_metrics / sizeof *share_metrics)

static const char *const sections[] = {"quantile_bins", "uniform_bins"};

static uint64_t nonfinite(const entry *e)
{
    uint64_t n = 0;
    for (size_t i = 0; i < e->n; i++)
        n += !isfinite(e->v[i]);
    return n;
}

static mlops_profile *numeric_profile(const double *edges, size_t n_edges, const double *x,
                                      size_t n)
{
    mlops_profile_options po = MLOPS_PROFILE_OPTIONS_INIT;
    po.edges = edges;
    po.n_edges = n_edges;
    mlops_profile *p = NULL;
    if (mlops_profile_new(&p, MLOPS_PROFILE_NUMERIC, &po) != 0)
        fail_msg("mlops_profile_new: %s", mlops_error_last());
    assert_int_equal(mlops_profile_update(p, x, n), 0);
    return p;
}

static mlops_drift_options section_options(const vec *v, const char *sec)
{
    char key[128];
    mlops_drift_options o = MLOPS_DRIFT_OPTIONS_INIT;
    snprintf(key, sizeof key, "%s.smoothing", sec);
    o.smoothing = vec_num(v, key);
    snprintf(key, sizeof key, "%s.js_base", sec);
    o.js_base = vec_num(v, key);
    return o;
}

/* Everything a share-metric result must carry, against one vector section. */
static void check_result(const char *name, const vec *v, const char *sec, int metric,
                         const char *mkey, const mlops_drift_result *r,
                         const mlops_drift_options *o)
{
    char key[128], what[192];
    assert_int_equal(mlops_drift_result_metric(r), metric);
    snprintf(key, sizeof key, "%s.%s", sec, mkey);
    snprintf(what, sizeof what, "%s %s", name, key);
    double want = vec_num(v, key);
    check_stat(what, mlops_drift_result_statistic(r), want);
    size_t ne;
    const double *edges = mlops_drift_result_edges(&ne, r);
    snprintf(key, sizeof key, "%s.edges", sec);
    check_exact_d(what, edges, ne, vec_get(v, key));
    size_t bins = mlops_drift_result_bins(r);
    assert_int_equal(bins, ne + 1);
    snprintf(key, sizeof key, "%s.ref_counts", sec);
    check_exact_u64(what, mlops_drift_result_ref_counts(r), bins, vec_get(v, key));
    snprintf(key, sizeof key, "%s.cur_counts", sec);
    check_exact_u64(what, mlops_drift_result_cur_counts(r), bins, vec_get(v, key));
    const entry *re = vec_get(v, "reference"), *ce = vec_get(v, "current");
    assert_int_equal(mlops_drift_result_missing_ref(r), (uint64_t)vec_num(v, "missing_ref"));
    assert_int_equal(mlops_drift_result_missing_cur(r), (uint64_t)vec_num(v, "missing_cur"));
    assert_int_equal(mlops_drift_result_n_ref(r), re->n - nonfinite(re));
    assert_int_equal(mlops_drift_result_n_cur(r), ce->n - nonfinite(ce));
    assert_true(isnan(mlops_drift_result_pvalue(r)));
    assert_int_equal(mlops_drift_result_pvalue_method(r), MLOPS_DRIFT_PVALUE_NONE);
    assert_true(mlops_drift_result_threshold(r) == 0.1);
    assert_int_equal(mlops_drift_result_direction(r), MLOPS_DRIFT_STATISTIC_GE);
    assert_int_equal(mlops_drift_result_drifted(r), want >= 0.1);
    if (metric == MLOPS_DRIFT_PSI || metric == MLOPS_DRIFT_KL)
        assert_true(mlops_drift_result_smoothing(r) == o->smoothing);
    else
        assert_true(isnan(mlops_drift_result_smoothing(r)));
    if (metric == MLOPS_DRIFT_JS)
        assert_true(mlops_drift_result_js_base(r) == o->js_base);
    else
        assert_true(isnan(mlops_drift_result_js_base(r)));
    /* the same values through the info struct */
    const struct mlops_drift_result_info *info = check_result_info(r);
    check_stat(what, info->statistic, want);
    snprintf(key, sizeof key, "%s.edges", sec);
    check_exact_d(what, info->edges, info->n_edges, vec_get(v, key));
    snprintf(key, sizeof key, "%s.ref_counts", sec);
    check_exact_u64(what, info->ref_counts, info->bins, vec_get(v, key));
    snprintf(key, sizeof key, "%s.cur_counts", sec);
    check_exact_u64(what, info->cur_counts, info->bins, vec_get(v, key));
    assert_int_equal(info->missing_ref, (uint64_t)vec_num(v, "missing_ref"));
    assert_int_equal(info->missing_cur, (uint64_t)vec_num(v, "missing_cur"));
    assert_int_equal(info->n_ref, re->n - nonfinite(re));
    assert_int_equal(info->n_cur, ce->n - nonfinite(ce));
    assert_int_equal(info->drifted, want >= 0.1);
}

/* ------------------------------------------------------------------------ */
/* Numeric profiles and counts against the vectors                          */
/* ------------------------------------------------------------------------ */

static void profile_case(const char *name)
{
    vec v;
    vec_load(&v, name);
    const entry *re = vec_get(&v, "reference"), *ce = vec_get(&v, "current");
    for (size_t s = 0; s < 2; s++) {
        char key[128];
        snprintf(key, sizeof key, "%s.edges", sections[s]);
        const entry *e = vec_get(&v, key);
        mlops_profile *pr = numeric_profile(e->v, e->n, re->v, re->n);
        mlops_profile *pc = numeric_profile(e->v, e->n, ce->v, ce->n);
        mlops_drift_options o = section_options(&v, sections[s]);
        for (size_t m = 0; m < N_SHARE; m++) {
            mlops_drift_result *r = NULL;
            if (mlops_profile_drift(&r, pr, pc, share_metrics[m].metric, &o) != 0)
                fail_msg("%s: mlops_profile_drift: %s", name, mlops_error_last());
            check_result(name, &v, sections[s], share_metrics[m].metric, share_metrics[m].key,
                         r, &o);
            /* The same bits as the batch metric on the raw values with these edges. */
            mlops_drift_options ob = o;
            ob.binning = MLOPS_DRIFT_BINS_EDGES;
            ob.edges = e->v;
            ob.n_edges = e->n;
            mlops_drift_result *b = run_num(&v, share_metrics[m].metric, &ob);
            double sa = mlops_drift_result_statistic(r), sb = mlops_drift_result_statistic(b);
            assert_memory_equal(&sa, &sb, sizeof sa);
            mlops_drift_result_free(b);
            mlops_drift_result_free(r);
        }
        /* AUTO is PSI. */
        mlops_drift_result *r = NULL;
        assert_int_equal(mlops_profile_drift(&r, pr, pc, MLOPS_DRIFT_AUTO, &o), 0);
        check_result(name, &v, sections[s], MLOPS_DRIFT_PSI, "psi", r, &o);
        mlops_drift_result_free(r);
        mlops_profile_free(pr);
        mlops_profile_free(pc);
    }
    vec_free(&v);
}

static void test_profile_drift_matches_numpy_vectors(void **state)
{
    (void)state;
    assert_true(for_each_vector("numeric", profile_case) >= 8);
}

static void counts_case(const char *name)
{
    vec v;
    vec_load(&v, name);
    for (size_t s = 0; s < 2; s++) {
        char key[128];
        snprintf(key, sizeof key, "%s.edges", sections[s]);
        const entry *e = vec_get(&v, key);
        snprintf(key, sizeof key, "%s.ref_counts", sections[s]);
        const entry *rce = vec_get(&v, key);
        snprintf(key, sizeof key, "%s.cur_counts", sections[s]);
        const entry *cce = vec_get(&v, key);
        size_t bins = rce->n;
        assert_int_equal(bins, e->n + 1);
        uint64_t *rc = malloc(bins * sizeof *rc), *cc = malloc(bins * sizeof *cc);
        assert_non_null(rc);
        assert_non_null(cc);
        for (size_t i = 0; i < bins; i++) {
            rc[i] = (uint64_t)rce->v[i];
            cc[i] = (uint64_t)cce->v[i];
        }
        mlops_drift_options o = section_options(&v, sections[s]);
        uint64_t mr = (uint64_t)vec_num(&v, "missing_ref");
        uint64_t mc = (uint64_t)vec_num(&v, "missing_cur");
        for (size_t m = 0; m < N_SHARE; m++) {
            mlops_drift_result *r = NULL;
            if (mlops_drift_counts(&r, share_metrics[m].metric, e->v, e->n, rc, cc, bins, mr, mc,
                                   &o) != 0)
                fail_msg("%s: mlops_drift_counts: %s", name, mlops_error_last());
            check_result(name, &v, sections[s], share_metrics[m].metric, share_metrics[m].key,
                         r, &o);
            mlops_drift_result_free(r);
        }
        /* Without edges: same statistic, no edges recorded. */
        mlops_drift_result *r = NULL;
        assert_int_equal(mlops_drift_counts(&r, MLOPS_DRIFT_AUTO, NULL, 0, rc, cc, bins, mr, mc,
                                            &o), 0);
        assert_int_equal(mlops_drift_result_metric(r), MLOPS_DRIFT_PSI);
        snprintf(key, sizeof key, "%s.psi", sections[s]);
        check_stat(name, mlops_drift_result_statistic(r), vec_num(&v, key));
        check_stat(name, check_result_info(r)->statistic, vec_num(&v, key));
        assert_null(mlops_drift_result_info(r)->edges);
        size_t ne = 99;
        assert_null(mlops_drift_result_edges(&ne, r));
        assert_int_equal(ne, 0);
        mlops_drift_result_free(r);
        free(rc);
        free(cc);
    }
    vec_free(&v);
}

static void test_counts_match_numpy_vectors(void **state)
{
    (void)state;
    assert_true(for_each_vector("numeric", counts_case) >= 8);
}

/* ------------------------------------------------------------------------ */
/* Merged profiles                                                          */
/* ------------------------------------------------------------------------ */

static uint64_t rng_state;
static uint64_t rng_next(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

/* A profile of x built from `parts` random contiguous pieces of a random
 * permutation, merged in random order. */
static mlops_profile *split_profile(const double *edges, size_t n_edges, const double *x,
                                    size_t n, size_t parts)
{
    double *y = malloc(n * sizeof *y);
    assert_non_null(y);
    memcpy(y, x, n * sizeof *y);
    for (size_t i = n; i > 1; i--) {
        size_t j = (size_t)(rng_next() % i);
        double t = y[i - 1];
        y[i - 1] = y[j];
        y[j] = t;
    }
    size_t cut[9];
    cut[0] = 0;
    cut[parts] = n;
    for (size_t k = 1; k < parts; k++)
        cut[k] = (size_t)(rng_next() % (n + 1));
    for (size_t a = 1; a < parts; a++) /* sort the interior cuts */
        for (size_t b = a + 1; b < parts; b++)
            if (cut[b] < cut[a]) {
                size_t t = cut[a];
                cut[a] = cut[b];
                cut[b] = t;
            }
    mlops_profile *pieces[8];
    for (size_t k = 0; k < parts; k++)
        pieces[k] = numeric_profile(edges, n_edges, y + cut[k], cut[k + 1] - cut[k]);
    for (size_t i = parts; i > 1; i--) {
        size_t j = (size_t)(rng_next() % i);
        mlops_profile *t = pieces[i - 1];
        pieces[i - 1] = pieces[j];
        pieces[j] = t;
    }
    for (size_t k = 1; k < parts; k++) {
        assert_int_equal(mlops_profile_merge(pieces[0], pieces[k]), 0);
        mlops_profile_free(pieces[k]);
    }
    free(y);
    return pieces[0];
}

static void merged_case(const char *name)
{
    vec v;
    vec_load(&v, name);
    const entry *re = vec_get(&v, "reference"), *ce = vec_get(&v, "current");
    for (size_t s = 0; s < 2; s++) {
        char key[128];
        snprintf(key, sizeof key, "%s.edges", sections[s]);
        const entry *e = vec_get(&v, key);
        mlops_profile *wr = numeric_profile(e->v, e->n, re->v, re->n);
        mlops_profile *wc = numeric_profile(e->v, e->n, ce->v, ce->n);
        mlops_drift_options o = section_options(&v, sections[s]);
        for (int trial = 0; trial < 3; trial++) {
            mlops_profile *pr = split_profile(e->v, e->n, re->v, re->n, 2 + (size_t)trial * 3);
            mlops_profile *pc = split_profile(e->v, e->n, ce->v, ce->n, 1 + (size_t)trial * 2);
            for (size_t m = 0; m < N_SHARE; m++) {
                mlops_drift_result *a = NULL, *b = NULL;
                assert_int_equal(mlops_profile_drift(&a, pr, pc, share_metrics[m].metric, &o), 0);
                assert_int_equal(mlops_profile_drift(&b, wr, wc, share_metrics[m].metric, &o), 0);
                check_result(name, &v, sections[s], share_metrics[m].metric,
                             share_metrics[m].key, a, &o);
                /* identical, not just close */
                double sa = mlops_drift_result_statistic(a), sb = mlops_drift_result_statistic(b);
                assert_memory_equal(&sa, &sb, sizeof sa);
                mlops_drift_result_free(a);
                mlops_drift_result_free(b);
            }
            mlops_profile_free(pr);
            mlops_profile_free(pc);
        }
        mlops_profile_free(wr);
        mlops_profile_free(wc);
    }
    vec_free(&v);
}

static void test_merged_profiles_give_identical_results(void **state)
{
    (void)state;
    rng_state = 20261126;
    assert_true(for_each_vector("numeric", merged_case) >= 8);
}

/* ------------------------------------------------------------------------ */
/* Categorical profiles                                                     */
/* ------------------------------------------------------------------------ */

static mlops_profile *categorical_profile(const entry *e, uint32_t cap)
{
    mlops_profile_options po = MLOPS_PROFILE_OPTIONS_INIT;
    po.category_cap = cap;
    mlops_profile *p = NULL;
    assert_int_equal(mlops_profile_new(&p, MLOPS_PROFILE_CATEGORICAL, &po), 0);
    int64_t *codes = malloc(e->n * sizeof *codes);
    assert_non_null(codes);
    for (size_t i = 0; i < e->n; i++)
        codes[i] = (int64_t)e->v[i];
    assert_int_equal(mlops_profile_update_codes(p, codes, e->n), 0);
    free(codes);
    return p;
}

static void categorical_case(const char *name)
{
    vec v;
    vec_load(&v, name);
    const entry *re = vec_get(&v, "reference"), *ce = vec_get(&v, "current");
    const entry *cats = vec_get(&v, "categories");
    mlops_profile *pr = categorical_profile(re, MLOPS_PROFILE_DEFAULT_CATEGORY_CAP);
    mlops_profile *pc = categorical_profile(ce, MLOPS_PROFILE_DEFAULT_CATEGORY_CAP);
    char what[160];
    mlops_drift_result *r = NULL;
    assert_int_equal(mlops_profile_drift(&r, pr, pc, MLOPS_DRIFT_CHI2, NULL), 0);
    snprintf(what, sizeof what, "%s chi2", name);
    check_stat(what, mlops_drift_result_statistic(r), vec_num(&v, "chi2.statistic"));
    check_p(what, mlops_drift_result_pvalue(r), vec_num(&v, "chi2.pvalue"), 0);
    assert_int_equal(mlops_drift_result_dof(r), (uint64_t)vec_num(&v, "chi2.dof"));
    assert_int_equal(mlops_drift_result_direction(r), MLOPS_DRIFT_PVALUE_LT);
    assert_int_equal(mlops_drift_result_drifted(r), vec_num(&v, "chi2.pvalue") < 0.05);
    const struct mlops_drift_result_info *info = check_result_info(r);
    check_stat(what, info->statistic, vec_num(&v, "chi2.statistic"));
    check_p(what, info->pvalue, vec_num(&v, "chi2.pvalue"), 0);
    assert_int_equal(info->dof, (uint64_t)vec_num(&v, "chi2.dof"));
    for (size_t i = 0; i < info->bins; i++)
        assert_int_equal(info->categories[i], (int64_t)cats->v[i]);
    mlops_drift_result_free(r);
    for (size_t m = 0; m < N_SHARE; m++) {
        r = NULL;
        assert_int_equal(mlops_profile_drift(&r, pr, pc, share_metrics[m].metric, NULL), 0);
        snprintf(what, sizeof what, "%s %s", name, share_metrics[m].key);
        check_stat(what, mlops_drift_result_statistic(r), vec_num(&v, share_metrics[m].key));
        check_stat(what, mlops_drift_result_unseen_share(r), vec_num(&v, "unseen_share"));
        size_t bins = mlops_drift_result_bins(r);
        assert_int_equal(bins, cats->n);
        for (size_t i = 0; i < bins; i++)
            assert_int_equal(mlops_drift_result_categories(r)[i], (int64_t)cats->v[i]);
        check_exact_u64(what, mlops_drift_result_ref_counts(r), bins, vec_get(&v, "ref_counts"));
        check_exact_u64(what, mlops_drift_result_cur_counts(r), bins, vec_get(&v, "cur_counts"));
        assert_null(mlops_drift_result_edges(NULL, r));
        assert_int_equal(mlops_drift_result_n_ref(r), re->n);
        assert_int_equal(mlops_drift_result_n_cur(r), ce->n);
        assert_int_equal(mlops_drift_result_missing_ref(r), 0);
        assert_int_equal(mlops_drift_result_missing_cur(r), 0);
        info = check_result_info(r);
        check_stat(what, info->statistic, vec_num(&v, share_metrics[m].key));
        check_stat(what, info->unseen_share, vec_num(&v, "unseen_share"));
        check_exact_u64(what, info->ref_counts, info->bins, vec_get(&v, "ref_counts"));
        mlops_drift_result_free(r);
    }
    mlops_profile_free(pr);
    mlops_profile_free(pc);
    vec_free(&v);
}

static void test_categorical_profiles_match_scipy_vectors(void **state)
{
    (void)state;
    assert_true(for_each_vector("categorical", categorical_case) >= 2);
}

static void test_categorical_codes_beyond_int32_keep_their_category_list(void **state)
{
    (void)state;
    /* ref {1, 2^40}, cur {1, 1, 2^40}: TVD = (|1/2 - 2/3| + |1/2 - 1/3|) / 2 = 1/6,
     * L-inf = 1/6. */
    const int64_t a[] = {1, (int64_t)1 << 40}, b[] = {(int64_t)1 << 40, 1, 1};
    mlops_profile *pa = NULL, *pb = NULL;
    assert_int_equal(mlops_profile_new(&pa, MLOPS_PROFILE_CATEGORICAL, NULL), 0);
    assert_int_equal(mlops_profile_new(&pb, MLOPS_PROFILE_CATEGORICAL, NULL), 0);
    assert_int_equal(mlops_profile_update_codes(pa, a, 2), 0);
    assert_int_equal(mlops_profile_update_codes(pb, b, 3), 0);
    mlops_drift_result *r = NULL;
    assert_int_equal(mlops_profile_drift(&r, pa, pb, MLOPS_DRIFT_TVD, NULL), 0);
    check_stat("tvd", mlops_drift_result_statistic(r), 1.0 / 6.0);
    check_stat("tvd (info)", check_result_info(r)->statistic, 1.0 / 6.0);
    assert_true(mlops_drift_result_info(r)->categories[1] == (int64_t)1 << 40);
    assert_int_equal(mlops_drift_result_bins(r), 2);
    const int64_t *cats = mlops_drift_result_categories(r);
    assert_non_null(cats);
    assert_int_equal(cats[0], 1);
    assert_int_equal(cats[1], (int64_t)1 << 40);
    const uint64_t *rc = mlops_drift_result_ref_counts(r), *cc = mlops_drift_result_cur_counts(r);
    assert_int_equal(rc[0], 1);
    assert_int_equal(rc[1], 1);
    assert_int_equal(cc[0], 2);
    assert_int_equal(cc[1], 1);
    assert_true(mlops_drift_result_unseen_share(r) == 0.0);
    assert_int_equal(mlops_drift_result_drifted(r), 1);
    mlops_drift_result_free(r);
    mlops_profile_free(pa);
    mlops_profile_free(pb);
}

/* ------------------------------------------------------------------------ */
/* Bad input                                                                */
/* ------------------------------------------------------------------------ */

static mlops_drift_result *const SENTINEL = (mlops_drift_result *)&rng_state;

static void expect_fail(int rc, int code, const char *needle)
{
    if (rc != code)
        fail_msg("got %d (%s), want %d; message: %s", rc, mlops_error_name(rc), code,
                 mlops_error_last());
    assert_int_equal(mlops_error_last_code(), code);
    if (needle && !strstr(mlops_error_last(), needle))
        fail_msg("message \"%s\" does not mention \"%s\"", mlops_error_last(), needle);
}

static void bytes_of(mlops_buf *b, const mlops_profile *p)
{
    *b = (mlops_buf)MLOPS_BUF_INIT;
    assert_int_equal(mlops_profile_write(b, p, 0), 0);
}

static void expect_unchanged(const mlops_profile *p, const mlops_buf *before)
{
    mlops_buf now;
    bytes_of(&now, p);
    assert_int_equal(now.size, before->size);
    assert_memory_equal(now.data, before->data, now.size);
    mlops_buf_dispose(&now);
}

static void test_profile_drift_bad_input_is_rejected(void **state)
{
    (void)state;
    const double e1[] = {0.0, 1.0, 2.0}, e2[] = {0.0, 1.5, 2.0}, e3[] = {0.0, 1.0};
    const double x[] = {-1, 0.5, 1.5, 2.5, 0.25, NAN, INFINITY, -INFINITY};
    mlops_profile *a = numeric_profile(e1, 3, x, 8);
    mlops_profile *b = numeric_profile(e2, 3, x, 8);
    mlops_profile *c = numeric_profile(e3, 2, x, 8);
    mlops_profile *nohist = numeric_profile(NULL, 0, x, 8);
    mlops_profile *empty = numeric_profile(e1, 3, NULL, 0);
    mlops_profile *onlynan = numeric_profile(e1, 3, x + 5, 3);
    const int64_t codes[] = {1, 2, 3};
    mlops_profile *cat = NULL, *hh = NULL;
    assert_int_equal(mlops_profile_new(&cat, MLOPS_PROFILE_CATEGORICAL, NULL), 0);
    assert_int_equal(mlops_profile_update_codes(cat, codes, 3), 0);
    mlops_profile_options po = MLOPS_PROFILE_OPTIONS_INIT;
    po.category_cap = 2;
    assert_int_equal(mlops_profile_new(&hh, MLOPS_PROFILE_CATEGORICAL, &po), 0);
    assert_int_equal(mlops_profile_update_codes(hh, codes, 3), 0);
    assert_true(mlops_profile_category_error(hh) > 0);
    mlops_buf ba, bcat;
    bytes_of(&ba, a);
    bytes_of(&bcat, cat);

    mlops_drift_result *r = SENTINEL;
    expect_fail(mlops_profile_drift(&r, a, b, MLOPS_DRIFT_PSI, NULL), MLOPS_E_INVALID,
                "edges differ at edge 1");
    expect_fail(mlops_profile_drift(&r, a, c, MLOPS_DRIFT_PSI, NULL), MLOPS_E_INVALID,
                "3 edges in the reference vs 2");
    expect_fail(mlops_profile_drift(&r, a, cat, MLOPS_DRIFT_PSI, NULL), MLOPS_E_INVALID,
                "numeric reference profile with a categorical current");
    expect_fail(mlops_profile_drift(&r, cat, a, MLOPS_DRIFT_PSI, NULL), MLOPS_E_INVALID,
                "categorical reference profile with a numeric current");
    expect_fail(mlops_profile_drift(&r, nohist, a, MLOPS_DRIFT_PSI, NULL), MLOPS_E_INVALID,
                "reference profile has no histogram");
    expect_fail(mlops_profile_drift(&r, a, nohist, MLOPS_DRIFT_PSI, NULL), MLOPS_E_INVALID,
                "current profile has no histogram");
    expect_fail(mlops_profile_drift(NULL, a, a, MLOPS_DRIFT_PSI, NULL), MLOPS_E_INVALID, NULL);
    expect_fail(mlops_profile_drift(&r, NULL, a, MLOPS_DRIFT_PSI, NULL), MLOPS_E_INVALID, NULL);
    expect_fail(mlops_profile_drift(&r, a, NULL, MLOPS_DRIFT_PSI, NULL), MLOPS_E_INVALID, NULL);
    expect_fail(mlops_profile_drift(&r, a, a, MLOPS_DRIFT_KS, NULL), MLOPS_E_INVALID, "ks");
    expect_fail(mlops_profile_drift(&r, a, a, 99, NULL), MLOPS_E_INVALID, "unknown");
    expect_fail(mlops_profile_drift(&r, empty, a, MLOPS_DRIFT_PSI, NULL), MLOPS_E_DOMAIN,
                "reference histogram is empty");
    expect_fail(mlops_profile_drift(&r, a, onlynan, MLOPS_DRIFT_PSI, NULL), MLOPS_E_DOMAIN,
                "current histogram is empty: every bin count is 0 (3 non-finite");
    mlops_drift_options o = MLOPS_DRIFT_OPTIONS_INIT;
    o.flags = MLOPS_DRIFT_REJECT_NONFINITE;
    expect_fail(mlops_profile_drift(&r, a, a, MLOPS_DRIFT_PSI, &o), MLOPS_E_DOMAIN,
                "reference: 3 non-finite values");
    o = (mlops_drift_options)MLOPS_DRIFT_OPTIONS_INIT;
    o.version = 99;
    expect_fail(mlops_profile_drift(&r, a, a, MLOPS_DRIFT_PSI, &o), MLOPS_E_VERSION, NULL);
    o = (mlops_drift_options)MLOPS_DRIFT_OPTIONS_INIT;
    o.js_base = 1.0;
    expect_fail(mlops_profile_drift(&r, a, a, MLOPS_DRIFT_JS, &o), MLOPS_E_INVALID, "js_base");
    /* categorical */
    expect_fail(mlops_profile_drift(&r, hh, cat, MLOPS_DRIFT_PSI, NULL), MLOPS_E_LIMIT,
                "reference profile exceeded its category cap (2)");
    expect_fail(mlops_profile_drift(&r, cat, hh, MLOPS_DRIFT_PSI, NULL), MLOPS_E_LIMIT,
                "current profile exceeded its category cap");
    expect_fail(mlops_profile_drift(&r, cat, cat, MLOPS_DRIFT_ZTEST, NULL), MLOPS_E_DOMAIN,
                "exactly two categories");
    expect_fail(mlops_profile_drift(&r, cat, cat, MLOPS_DRIFT_WASSERSTEIN, NULL),
                MLOPS_E_INVALID, "does not apply to categorical");
    mlops_profile *ecat = NULL;
    assert_int_equal(mlops_profile_new(&ecat, MLOPS_PROFILE_CATEGORICAL, NULL), 0);
    expect_fail(mlops_profile_drift(&r, cat, ecat, MLOPS_DRIFT_PSI, NULL), MLOPS_E_DOMAIN,
                "current profile holds no codes");
    assert_ptr_equal(r, SENTINEL);
    expect_unchanged(a, &ba);
    expect_unchanged(cat, &bcat);

    /* Same profile on both sides: a defined zero. */
    r = NULL;
    assert_int_equal(mlops_profile_drift(&r, a, a, MLOPS_DRIFT_TVD, NULL), 0);
    assert_true(mlops_drift_result_statistic(r) == 0.0);
    assert_int_equal(mlops_drift_result_missing_ref(r), 3); /* NaN, +inf, -inf */
    assert_int_equal(mlops_drift_result_n_ref(r), 5);
    mlops_drift_result_free(r);

    mlops_buf_dispose(&ba);
    mlops_buf_dispose(&bcat);
    mlops_profile_free(a);
    mlops_profile_free(b);
    mlops_profile_free(c);
    mlops_profile_free(nohist);
    mlops_profile_free(empty);
    mlops_profile_free(onlynan);
    mlops_profile_free(cat);
    mlops_profile_free(hh);
    mlops_profile_free(ecat);
}

static void test_counts_bad_input_is_rejected(void **state)
{
    (void)state;
    const double e[] = {1.0, 2.0}, bad_order[] = {2.0, 1.0}, bad_nan[] = {1.0, NAN};
    const uint64_t rc[] = {3, 4, 5}, cc[] = {1, 0, 7}, zero[] = {0, 0, 0};
    const uint64_t big[] = {UINT64_MAX, 1, 0};
    mlops_drift_result *r = SENTINEL;
    expect_fail(mlops_drift_counts(&r, MLOPS_DRIFT_PSI, e, 2, rc, cc, 0, 0, 0, NULL),
                MLOPS_E_INVALID, "bins must be in 1..");
    expect_fail(mlops_drift_counts(NULL, MLOPS_DRIFT_PSI, e, 2, rc, cc, 3, 0, 0, NULL),
                MLOPS_E_INVALID, NULL);
    expect_fail(mlops_drift_counts(&r, MLOPS_DRIFT_PSI, e, 2, NULL, cc, 3, 0, 0, NULL),
                MLOPS_E_INVALID, NULL);
    expect_fail(mlops_drift_counts(&r, MLOPS_DRIFT_PSI, e, 2, rc, NULL, 3, 0, 0, NULL),
                MLOPS_E_INVALID, NULL);
    expect_fail(mlops_drift_counts(&r, MLOPS_DRIFT_PSI, NULL, 2, rc, cc, 3, 0, 0, NULL),
                MLOPS_E_INVALID, "edges is NULL");
    expect_fail(mlops_drift_counts(&r, MLOPS_DRIFT_PSI, e, 1, rc, cc, 3, 0, 0, NULL),
                MLOPS_E_INVALID, "1 edges for 3 bins");
    expect_fail(mlops_drift_counts(&r, MLOPS_DRIFT_PSI, bad_order, 2, rc, cc, 3, 0, 0, NULL),
                MLOPS_E_INVALID, "strictly increasing (edge 1)");
    expect_fail(mlops_drift_counts(&r, MLOPS_DRIFT_PSI, bad_nan, 2, rc, cc, 3, 0, 0, NULL),
                MLOPS_E_INVALID, "edge 1 is not finite");
    expect_fail(mlops_drift_counts(&r, MLOPS_DRIFT_CVM, e, 2, rc, cc, 3, 0, 0, NULL),
                MLOPS_E_INVALID, "cvm");
    expect_fail(mlops_drift_counts(&r, MLOPS_DRIFT_PSI, e, 2, zero, cc, 3, 4, 0, NULL),
                MLOPS_E_DOMAIN, "reference histogram is empty: every bin count is 0 (4");
    expect_fail(mlops_drift_counts(&r, MLOPS_DRIFT_PSI, e, 2, rc, zero, 3, 0, 0, NULL),
                MLOPS_E_DOMAIN, "current histogram is empty");
    expect_fail(mlops_drift_counts(&r, MLOPS_DRIFT_PSI, e, 2, big, cc, 3, 0, 0, NULL),
                MLOPS_E_INVALID, "overflow");
    mlops_drift_options o = MLOPS_DRIFT_OPTIONS_INIT;
    o.flags = MLOPS_DRIFT_REJECT_NONFINITE;
    expect_fail(mlops_drift_counts(&r, MLOPS_DRIFT_PSI, e, 2, rc, cc, 3, 0, 5, &o),
                MLOPS_E_DOMAIN, "current: 5 non-finite");
    o.flags = 0x80;
    expect_fail(mlops_drift_counts(&r, MLOPS_DRIFT_PSI, e, 2, rc, cc, 3, 0, 0, &o),
                MLOPS_E_INVALID, NULL);
    assert_ptr_equal(r, SENTINEL);

    /* One bin: every share metric is 0. With a = 0 and an empty bin, PSI is
     * +inf (the contract's defined result, as NumPy gives). */
    r = NULL;
    assert_int_equal(mlops_drift_counts(&r, MLOPS_DRIFT_JS, NULL, 0, rc, cc, 1, 0, 0, NULL), 0);
    assert_true(mlops_drift_result_statistic(r) == 0.0);
    assert_int_equal(mlops_drift_result_bins(r), 1);
    mlops_drift_result_free(r);
    o = (mlops_drift_options)MLOPS_DRIFT_OPTIONS_INIT;
    o.smoothing = 0;
    o.threshold = 0.25;
    r = NULL;
    assert_int_equal(mlops_drift_counts(&r, MLOPS_DRIFT_PSI, e, 2, rc, cc, 3, 1, 2, &o), 0);
    assert_true(isinf(mlops_drift_result_statistic(r)));
    assert_true(mlops_drift_result_smoothing(r) == 0.0);
    assert_true(mlops_drift_result_threshold(r) == 0.25);
    assert_int_equal(mlops_drift_result_drifted(r), 1);
    assert_int_equal(mlops_drift_result_missing_ref(r), 1);
    assert_int_equal(mlops_drift_result_missing_cur(r), 2);
    assert_int_equal(mlops_drift_result_n_ref(r), 12);
    assert_int_equal(mlops_drift_result_n_cur(r), 8);
    mlops_drift_result_free(r);
}

/* ------------------------------------------------------------------------ */
/* Out of memory                                                            */
/* ------------------------------------------------------------------------ */

typedef struct oom_ctx {
    mlops_drift_result *r;
    const mlops_profile *a, *b;
    int metric;
} oom_ctx;

static void cleanup_result(void *p)
{
    oom_ctx *c = p;
    mlops_drift_result_free(c->r);
    c->r = NULL;
}

static int op_counts(void *p)
{
    oom_ctx *c = p;
    const double e[] = {1.0, 2.0};
    const uint64_t rc[] = {3, 4, 5}, cc[] = {1, 6, 7};
    return mlops_drift_counts(&c->r, c->metric, e, 2, rc, cc, 3, 1, 0, NULL);
}

static int op_profile(void *p)
{
    oom_ctx *c = p;
    return mlops_profile_drift(&c->r, c->a, c->b, c->metric, NULL);
}

static void test_every_allocating_function_survives_oom(void **state)
{
    (void)state;
    const double e[] = {-1.0, 0.0, 1.0};
    double x[200], y[150];
    for (size_t i = 0; i < 200; i++)
        x[i] = sin((double)i * 1.3) * 2 + (i % 17 == 0 ? NAN : 0);
    for (size_t i = 0; i < 150; i++)
        y[i] = cos((double)i * 0.7) * 1.5 + 0.2;
    mlops_profile *a = numeric_profile(e, 3, x, 200);
    mlops_profile *b = numeric_profile(e, 3, y, 150);
    const int64_t ca[] = {1, 2, 2, 3, 5, 5, 5}, cb[] = {2, 3, 3, 4, 5};
    mlops_profile *pa = NULL, *pb = NULL;
    assert_int_equal(mlops_profile_new(&pa, MLOPS_PROFILE_CATEGORICAL, NULL), 0);
    assert_int_equal(mlops_profile_new(&pb, MLOPS_PROFILE_CATEGORICAL, NULL), 0);
    assert_int_equal(mlops_profile_update_codes(pa, ca, 7), 0);
    assert_int_equal(mlops_profile_update_codes(pb, cb, 5), 0);
    oom_ctx c = {NULL, a, b, MLOPS_DRIFT_PSI};
    assert_true(oom_check("counts psi", op_counts, cleanup_result, &c, 0) > 0);
    c.metric = MLOPS_DRIFT_JS;
    oom_check("counts js", op_counts, cleanup_result, &c, 0);
    c.metric = MLOPS_DRIFT_HELLINGER;
    assert_true(oom_check("profile numeric", op_profile, cleanup_result, &c, 0) > 0);
    c.a = pa;
    c.b = pb;
    c.metric = MLOPS_DRIFT_TVD;
    assert_true(oom_check("profile categorical tvd", op_profile, cleanup_result, &c, 0) > 0);
    c.metric = MLOPS_DRIFT_CHI2;
    oom_check("profile categorical chi2", op_profile, cleanup_result, &c, 0);
    mlops_profile_free(a);
    mlops_profile_free(b);
    mlops_profile_free(pa);
    mlops_profile_free(pb);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_profile_drift_matches_numpy_vectors),
        cmocka_unit_test(test_counts_match_numpy_vectors),
        cmocka_unit_test(test_merged_profiles_give_identical_results),
        cmocka_unit_test(test_categorical_profiles_match_scipy_vectors),
        cmocka_unit_test(test_categorical_codes_beyond_int32_keep_their_category_list),
        cmocka_unit_test(test_profile_drift_bad_input_is_rejected),
        cmocka_unit_test(test_counts_bad_input_is_rejected),
        cmocka_unit_test(test_every_allocating_function_survives_oom),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
