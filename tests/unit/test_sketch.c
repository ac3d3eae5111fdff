/*
 * Streaming profiles: statistics against NumPy/SciPy, sketch error bounds,
 * merge properties, bytes round trips, the checked-in v1 file, bad input, OOM.
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

#include "mlops.h"
#include "oom.h"
#include "vecfile.h"

/* ---- streams shared with tests/vectors/profile/gen_profile_vectors.py ---- */

static uint64_t mix(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static double unit(uint64_t *state) { return (double)(mix(state) >> 11) * 0x1p-53; }

/* Stream of a "ref_stream"/"cur_stream" line: seed n a b nan posinf neginf */
static double *make_stream(const char *spec, size_t *n_out)
{
    double p[7];
    assert_int_equal(vec_doubles(spec, p, 7), 7);
    uint64_t state = (uint64_t)p[0];
    size_t n = (size_t)p[1];
    double a = p[2], b = p[3];
    uint64_t ne = (uint64_t)p[4], pe = (uint64_t)p[5], me = (uint64_t)p[6];
    double *x = malloc(n * sizeof *x);
    assert_non_null(x);
    for (size_t i = 0; i < n; i++) {
        double u = unit(&state);
        double v = (a * u) * u + b * u;
        if (ne && i % ne == ne - 1)
            v = NAN;
        else if (pe && i % pe == pe - 1)
            v = INFINITY;
        else if (me && i % me == me - 1)
            v = -INFINITY;
        x[i] = v;
    }
    *n_out = n;
    return x;
}

static vec_file vectors;

static int load_vectors(void **state)
{
    (void)state;
    vec_load(&vectors, "profile/streams.txt");
    return 0;
}

static int free_vectors(void **state)
{
    (void)state;
    vec_free(&vectors);
    return 0;
}

static void assert_close(double got, double want, double rel, const char *what)
{
    double tol = rel * fmax(fabs(want), 1e-300);
    if (!(fabs(got - want) <= tol))
        fail_msg("%s: got %.17g, want %.17g (rel tol %g)", what, got, want, rel);
}

static mlops_profile *numeric(uint32_t k, uint64_t seed, const double *edges, size_t n_edges)
{
    mlops_profile_options o = MLOPS_PROFILE_OPTIONS_INIT;
    o.kll_k = k;
    o.seed = seed;
    o.edges = edges;
    o.n_edges = n_edges;
    mlops_profile *p = NULL;
    assert_int_equal(mlops_profile_new(&p, MLOPS_PROFILE_NUMERIC, &o), 0);
    return p;
}

/* Feed in uneven batches so that batch boundaries are exercised. */
static void feed(mlops_profile *p, const double *x, size_t n)
{
    size_t done = 0, step = 1;
    while (done < n) {
        size_t m = step < n - done ? step : n - done;
        assert_int_equal(mlops_profile_update(p, x + done, m), 0);
        done += m;
        step = step * 7 + 3;
    }
}

static void same_double(double got, double want, const char *what)
{
    if (!(isnan(got) && isnan(want)) && got != want)
        fail_msg("info %s: %.17g, getter %.17g", what, got, want);
}

/* mlops_profile_info(): version and size, every field equal to its getter
 * (the variance for ddof 0 and 1 derived from m2 exactly as documented), the
 * same pointer on every call. */
static const struct mlops_profile_info *check_profile_info(const mlops_profile *p)
{
    const struct mlops_profile_info *i = mlops_profile_info(p);
    assert_non_null(i);
    assert_ptr_equal(mlops_profile_info(p), i);
    assert_int_equal(i->version, MLOPS_PROFILE_INFO_VERSION);
    assert_int_equal(i->size, sizeof *i);
    assert_true(MLOPS_INFO_HAS(i, struct mlops_profile_info, category_error));
    assert_int_equal(i->kind, mlops_profile_kind(p));
    assert_int_equal(i->count, mlops_profile_count(p));
    assert_int_equal(i->nan_count, mlops_profile_nan_count(p));
    assert_int_equal(i->posinf_count, mlops_profile_posinf_count(p));
    assert_int_equal(i->neginf_count, mlops_profile_neginf_count(p));
    same_double(i->mean, mlops_profile_mean(p), "mean");
    same_double(i->min, mlops_profile_min(p), "min");
    same_double(i->max, mlops_profile_max(p), "max");
    for (uint32_t ddof = 0; ddof <= 2; ddof++)
        same_double(i->count > ddof ? i->m2 / (double)(i->count - ddof) : NAN,
                    mlops_profile_variance(p, ddof), "m2 / (count - ddof)");
    assert_int_equal(i->kll_k, mlops_profile_kll_k(p));
    assert_int_equal(i->retained, mlops_profile_retained(p));
    same_double(i->rank_error, mlops_profile_rank_error(p), "rank_error");
    size_t ne = 99, nc = 99;
    assert_ptr_equal(i->histogram_edges, mlops_profile_histogram_edges(&ne, p));
    assert_int_equal(i->n_histogram_edges, ne);
    assert_ptr_equal(i->histogram_counts, mlops_profile_histogram_counts(&nc, p));
    assert_int_equal(i->n_histogram_counts, nc);
    assert_int_equal(i->category_size, mlops_profile_category_size(p));
    assert_int_equal(i->category_error, mlops_profile_category_error(p));
    return i;
}

static void check_side(const mlops_profile *p, const vec_case *c, const char *tag)
{
    char key[64];
#define KEY(s) (snprintf(key, sizeof key, "%s_%s", tag, s), key)
    assert_int_equal(mlops_profile_count(p), vec_u64(c, KEY("count")));
    assert_int_equal(mlops_profile_nan_count(p), vec_u64(c, KEY("nan")));
    assert_int_equal(mlops_profile_posinf_count(p), vec_u64(c, KEY("posinf")));
    assert_int_equal(mlops_profile_neginf_count(p), vec_u64(c, KEY("neginf")));
    assert_close(mlops_profile_mean(p), vec_double(c, KEY("mean")), 1e-12, KEY("mean"));
    assert_close(mlops_profile_variance(p, 1), vec_double(c, KEY("var1")), 1e-11, KEY("var1"));
    assert_true(mlops_profile_min(p) == vec_double(c, KEY("min")));
    assert_true(mlops_profile_max(p) == vec_double(c, KEY("max")));
    double want[64];
    size_t nb = vec_doubles(vec_get(c, KEY("hist")), want, 64), got_n;
    const uint64_t *h = mlops_profile_histogram_counts(&got_n, p);
    assert_int_equal(got_n, nb);
    for (size_t i = 0; i < nb; i++)
        assert_int_equal(h[i], (uint64_t)want[i]);
    /* the same values through the info struct */
    const struct mlops_profile_info *in = check_profile_info(p);
    assert_int_equal(in->kind, MLOPS_PROFILE_NUMERIC);
    assert_int_equal(in->count, vec_u64(c, KEY("count")));
    assert_int_equal(in->nan_count, vec_u64(c, KEY("nan")));
    assert_int_equal(in->posinf_count, vec_u64(c, KEY("posinf")));
    assert_int_equal(in->neginf_count, vec_u64(c, KEY("neginf")));
    assert_close(in->mean, vec_double(c, KEY("mean")), 1e-12, KEY("info mean"));
    assert_close(in->m2 / (double)(in->count - 1), vec_double(c, KEY("var1")), 1e-11,
                 KEY("info m2 / (n - 1)"));
    assert_true(in->min == vec_double(c, KEY("min")));
    assert_true(in->max == vec_double(c, KEY("max")));
    assert_int_equal(in->n_histogram_counts, nb);
    assert_int_equal(in->n_histogram_edges + 1, nb);
    for (size_t i = 0; i < nb; i++)
        assert_int_equal(in->histogram_counts[i], (uint64_t)want[i]);
    double edges[32];
    size_t ne = vec_doubles(vec_get(c, "edges"), edges, 32);
    assert_int_equal(in->n_histogram_edges, ne);
    for (size_t i = 0; i < ne; i++)
        assert_true(in->histogram_edges[i] == edges[i]);
    assert_int_equal(in->category_size, 0);
    assert_int_equal(in->category_error, 0);
#undef KEY
}

/* Counts, moments, min/max and histogram agree with NumPy on every case. */
static void numeric_profile_matches_numpy(void **state)
{
    (void)state;
    for (size_t ci = 0; ci < vectors.n_cases; ci++) {
        const vec_case *c = &vectors.cases[ci];
        double edges[32];
        size_t ne = vec_doubles(vec_get(c, "edges"), edges, 32);
        size_t nr, nc;
        double *r = make_stream(vec_get(c, "ref_stream"), &nr);
        double *cu = make_stream(vec_get(c, "cur_stream"), &nc);
        mlops_profile *pr = numeric(200, 1, edges, ne), *pc = numeric(200, 2, edges, ne);
        feed(pr, r, nr);
        feed(pc, cu, nc);
        check_side(pr, c, "ref");
        check_side(pc, c, "cur");
        mlops_profile_free(pr);
        mlops_profile_free(pc);
        free(r);
        free(cu);
    }
}

/* While the sketch is exact, quantile edges are NumPy's, bit for bit. */
static void quantile_edges_equal_numpy_while_exact(void **state)
{
    (void)state;
    for (size_t ci = 0; ci < vectors.n_cases; ci++) {
        const vec_case *c = &vectors.cases[ci];
        if (strncmp(c->name, "small", 5) != 0)
            continue;
        double want[32], got[32];
        size_t nw = vec_doubles(vec_get(c, "edges"), want, 32), ng = 0;
        size_t nr;
        double *r = make_stream(vec_get(c, "ref_stream"), &nr);
        mlops_profile *p = numeric(65535, 0, NULL, 0);
        feed(p, r, nr);
        assert_true(mlops_profile_rank_error(p) == 0.0);
        assert_int_equal(mlops_profile_quantile_edges(got, &ng, p, 10), 0);
        assert_int_equal(ng, nw);
        for (size_t i = 0; i < nw; i++)
            if (got[i] != want[i])
                fail_msg("%s edge %zu: %.17g vs numpy %.17g", c->name, i, got[i], want[i]);
        mlops_profile_free(p);
        free(r);
    }
}

static void profiles_of(const vec_case *c, uint32_t k, mlops_profile **pr, mlops_profile **pc)
{
    size_t nr, nc;
    double *r = make_stream(vec_get(c, "ref_stream"), &nr);
    double *cu = make_stream(vec_get(c, "cur_stream"), &nc);
    *pr = numeric(k, 11, NULL, 0);
    *pc = numeric(k, 12, NULL, 0);
    feed(*pr, r, nr);
    feed(*pc, cu, nc);
    free(r);
    free(cu);
}

/* Exact profiles give SciPy's KS statistic and Wasserstein distance. */
static void exact_profiles_give_scipy_ks_and_wasserstein(void **state)
{
    (void)state;
    for (size_t ci = 0; ci < vectors.n_cases; ci++) {
        const vec_case *c = &vectors.cases[ci];
        if (strncmp(c->name, "small", 5) != 0)
            continue;
        mlops_profile *pr, *pc;
        profiles_of(c, 65535, &pr, &pc);
        mlops_profile_test t = MLOPS_SKETCH_TEST_INIT;
        assert_int_equal(mlops_profile_ks_test(&t, pr, pc, 0.05), 0);
        assert_close(t.statistic, vec_double(c, "ks_d"), 1e-12, "ks_d");
        assert_true(t.low == t.statistic && t.high == t.statistic);
        assert_true(t.eps_ref == 0 && t.eps_cur == 0);
        double p = vec_double(c, "ks_p");
        /* the asymptotic p-value is close to SciPy's exact one at these sizes */
        assert_true(fabs(t.pvalue_low - p) < 0.05);
        assert_int_equal(t.verdict, p < 0.05 ? MLOPS_SKETCH_DRIFT : MLOPS_SKETCH_NO_DRIFT);
        mlops_profile_test w = MLOPS_SKETCH_TEST_INIT;
        assert_int_equal(mlops_profile_wasserstein(&w, pr, pc, 0.1), 0);
        assert_close(w.statistic, vec_double(c, "w1"), 1e-9, "w1");
        assert_int_equal(w.verdict, MLOPS_SKETCH_NO_DRIFT);
        assert_true(isnan(w.pvalue_low));
        mlops_profile_free(pr);
        mlops_profile_free(pc);
    }
}

/* At k = 200 on 10^5-scale streams the intervals contain SciPy's values. */
static void sketch_intervals_contain_scipy_values(void **state)
{
    (void)state;
    for (size_t ci = 0; ci < vectors.n_cases; ci++) {
        const vec_case *c = &vectors.cases[ci];
        if (strncmp(c->name, "large", 5) != 0)
            continue;
        mlops_profile *pr, *pc;
        profiles_of(c, 200, &pr, &pc);
        assert_true(fabs(mlops_profile_rank_error(pr) - 0.013293) < 1e-5);
        mlops_profile_test t = MLOPS_SKETCH_TEST_INIT;
        assert_int_equal(mlops_profile_ks_test(&t, pr, pc, 0.05), 0);
        double d = vec_double(c, "ks_d");
        if (!(t.low <= d && d <= t.high))
            fail_msg("%s: KS %.6g outside [%.6g, %.6g]", c->name, d, t.low, t.high);
        assert_true(t.pvalue_low <= t.pvalue_high);
        /* the rule: drift only when even the lower end passes the threshold */
        if (strcmp(c->name, "large_strong") == 0)
            assert_int_equal(t.verdict, MLOPS_SKETCH_DRIFT);
        else
            assert_int_equal(t.verdict, MLOPS_SKETCH_INCONCLUSIVE);
        mlops_profile_test w = MLOPS_SKETCH_TEST_INIT;
        assert_int_equal(mlops_profile_wasserstein(&w, pr, pc, 0.1), 0);
        double w1 = vec_double(c, "w1");
        if (!(w.low <= w1 && w1 <= w.high))
            fail_msg("%s: W1 %.6g outside [%.6g, %.6g]", c->name, w1, w.low, w.high);
        mlops_profile_free(pr);
        mlops_profile_free(pc);
    }
}

/* Rank answers stay within the published error against NumPy's true ranks. */
static void ranks_within_rank_error_of_truth(void **state)
{
    (void)state;
    for (size_t ci = 0; ci < vectors.n_cases; ci++) {
        const vec_case *c = &vectors.cases[ci];
        if (strncmp(c->name, "large", 5) != 0)
            continue;
        mlops_profile *pr, *pc;
        profiles_of(c, 200, &pr, &pc);
        double xs[16], truth[16];
        size_t n = vec_doubles(vec_get(c, "rank_x"), xs, 16);
        assert_int_equal(vec_doubles(vec_get(c, "rank_true"), truth, 16), n);
        double eps = mlops_profile_rank_error(pr);
        for (size_t i = 0; i < n; i++) {
            double r;
            assert_int_equal(mlops_profile_rank(&r, pr, xs[i]), 0);
            if (fabs(r - truth[i]) > eps)
                fail_msg("%s: rank(%g) = %g, truth %g, eps %g", c->name, xs[i], r, truth[i], eps);
            double q;
            assert_int_equal(mlops_profile_quantile(&q, pr, truth[i]), 0);
            double rq;
            assert_int_equal(mlops_profile_rank(&rq, pr, q), 0);
            assert_true(rq >= truth[i] - 1e-12);
        }
        double q0, q1;
        assert_int_equal(mlops_profile_quantile(&q0, pr, 0.0), 0);
        assert_int_equal(mlops_profile_quantile(&q1, pr, 1.0), 0);
        assert_true(q0 == mlops_profile_min(pr) && q1 == mlops_profile_max(pr));
        mlops_profile_free(pr);
        mlops_profile_free(pc);
    }
}

/* ---- merge properties ---------------------------------------------------- */

static void assert_same_exact_fields(const mlops_profile *a, const mlops_profile *b)
{
    check_profile_info(a);
    check_profile_info(b);
    assert_int_equal(mlops_profile_count(a), mlops_profile_count(b));
    assert_int_equal(mlops_profile_nan_count(a), mlops_profile_nan_count(b));
    assert_int_equal(mlops_profile_posinf_count(a), mlops_profile_posinf_count(b));
    assert_int_equal(mlops_profile_neginf_count(a), mlops_profile_neginf_count(b));
    assert_true(mlops_profile_min(a) == mlops_profile_min(b));
    assert_true(mlops_profile_max(a) == mlops_profile_max(b));
    assert_close(mlops_profile_mean(a), mlops_profile_mean(b), 1e-12, "merged mean");
    assert_close(mlops_profile_variance(a, 0), mlops_profile_variance(b, 0), 1e-10,
                 "merged variance");
    size_t na, nb;
    const uint64_t *ha = mlops_profile_histogram_counts(&na, a);
    const uint64_t *hb = mlops_profile_histogram_counts(&nb, b);
    assert_int_equal(na, nb);
    for (size_t i = 0; i < na; i++)
        assert_int_equal(ha[i], hb[i]);
}

/*
 * Random splits of a stream, merged in random orders and tree shapes, give
 * the single-pass profile: exact fields equal, moments to rounding, and ranks
 * within the sketch error of NumPy's truth.
 */
static void merge_over_random_splits_and_orders(void **state)
{
    (void)state;
    const vec_case *c = NULL;
    for (size_t ci = 0; ci < vectors.n_cases; ci++)
        if (strcmp(vectors.cases[ci].name, "large_shift") == 0)
            c = &vectors.cases[ci];
    assert_non_null(c);
    double edges[32], xs[16], truth[16];
    size_t ne = vec_doubles(vec_get(c, "edges"), edges, 32);
    size_t nq = vec_doubles(vec_get(c, "rank_x"), xs, 16);
    vec_doubles(vec_get(c, "rank_true"), truth, 16);
    size_t n;
    double *x = make_stream(vec_get(c, "ref_stream"), &n);
    mlops_profile *whole = numeric(200, 5, edges, ne);
    feed(whole, x, n);
    uint64_t rng = 42;
    for (int trial = 0; trial < 12; trial++) {
        size_t parts = 2 + (size_t)(mix(&rng) % 14);
        size_t cut[17];
        cut[0] = 0;
        cut[parts] = n;
        for (size_t i = 1; i < parts; i++)
            cut[i] = (size_t)(mix(&rng) % n);
        for (size_t i = 1; i < parts; i++) /* sort the cut points */
            for (size_t j = i; j > 1 && cut[j - 1] > cut[j]; j--) {
                size_t t = cut[j];
                cut[j] = cut[j - 1];
                cut[j - 1] = t;
            }
        mlops_profile *p[16];
        for (size_t i = 0; i < parts; i++) {
            p[i] = numeric(i % 3 == 2 ? 400 : 200, 100 + i, edges, ne);
            feed(p[i], x + cut[i], cut[i + 1] - cut[i]);
        }
        /* merge random pairs until one is left (random tree, random order) */
        size_t live = parts;
        while (live > 1) {
            size_t i = (size_t)(mix(&rng) % live), j = (size_t)(mix(&rng) % (live - 1));
            if (j >= i)
                j++;
            assert_int_equal(mlops_profile_merge(p[i], p[j]), 0);
            mlops_profile_free(p[j]);
            p[j] = p[--live];
        }
        assert_same_exact_fields(p[0], whole);
        assert_true(mlops_profile_kll_k(p[0]) == 200 || mlops_profile_kll_k(p[0]) == 400);
        double eps = mlops_profile_rank_error(p[0]);
        assert_true(fabs(eps - 0.013293) < 1e-5); /* the smallest k (200) governs */
        for (size_t i = 0; i < nq; i++) {
            double r;
            assert_int_equal(mlops_profile_rank(&r, p[0], xs[i]), 0);
            if (fabs(r - truth[i]) > eps)
                fail_msg("trial %d: merged rank(%g) = %g, truth %g", trial, xs[i], r, truth[i]);
        }
        mlops_profile_free(p[0]);
    }
    mlops_profile_free(whole);
    free(x);
}

/* merge(a, b) and merge(b, a) agree on everything exact, in both kinds. */
static void merge_is_commutative_on_exact_parts(void **state)
{
    (void)state;
    double x[3000];
    uint64_t s = 9;
    for (size_t i = 0; i < 3000; i++)
        x[i] = unit(&s) * 10 - 3;
    double edges[] = { -1, 0, 1, 2.5 };
    mlops_profile *a = numeric(64, 1, edges, 4), *b = numeric(64, 2, edges, 4);
    feed(a, x, 1700);
    feed(b, x + 1700, 1300);
    mlops_profile *ab, *ba;
    assert_int_equal(mlops_profile_dup(&ab, a), 0);
    assert_int_equal(mlops_profile_dup(&ba, b), 0);
    assert_int_equal(mlops_profile_merge(ab, b), 0);
    assert_int_equal(mlops_profile_merge(ba, a), 0);
    assert_same_exact_fields(ab, ba);
    mlops_profile_free(a);
    mlops_profile_free(b);
    mlops_profile_free(ab);
    mlops_profile_free(ba);

    mlops_profile_options o = MLOPS_PROFILE_OPTIONS_INIT;
    mlops_profile *ca, *cb, *cab, *cba;
    assert_int_equal(mlops_profile_new(&ca, MLOPS_PROFILE_CATEGORICAL, &o), 0);
    assert_int_equal(mlops_profile_new(&cb, MLOPS_PROFILE_CATEGORICAL, &o), 0);
    int64_t codes[500];
    for (int i = 0; i < 500; i++)
        codes[i] = (int64_t)(mix(&s) % 300) - 150;
    assert_int_equal(mlops_profile_update_codes(ca, codes, 260), 0);
    assert_int_equal(mlops_profile_update_codes(cb, codes + 260, 240), 0);
    assert_int_equal(mlops_profile_dup(&cab, ca), 0);
    assert_int_equal(mlops_profile_dup(&cba, cb), 0);
    assert_int_equal(mlops_profile_merge(cab, cb), 0);
    assert_int_equal(mlops_profile_merge(cba, ca), 0);
    mlops_buf b1 = MLOPS_BUF_INIT, b2 = MLOPS_BUF_INIT;
    assert_int_equal(mlops_profile_write(&b1, cab, 0), 0);
    assert_int_equal(mlops_profile_write(&b2, cba, 0), 0);
    assert_int_equal(b1.size, b2.size);
    assert_memory_equal(b1.data, b2.data, b1.size);
    /* and the counts are the naive counts */
    for (int64_t code = -150; code < 150; code++) {
        uint64_t naive = 0;
        for (int i = 0; i < 500; i++)
            naive += codes[i] == code;
        assert_int_equal(mlops_profile_category_count(cab, code), naive);
    }
    assert_int_equal(mlops_profile_category_error(cab), 0);
    assert_int_equal(mlops_profile_count(cab), 500);
    const struct mlops_profile_info *ci = check_profile_info(cab);
    assert_int_equal(ci->kind, MLOPS_PROFILE_CATEGORICAL);
    assert_int_equal(ci->count, 500);
    assert_int_equal(ci->category_error, 0);
    size_t distinct = 0;
    for (int64_t code = -150; code < 150; code++) {
        int seen = 0;
        for (int i = 0; i < 500 && !seen; i++)
            seen = codes[i] == code;
        distinct += (size_t)seen;
    }
    assert_int_equal(ci->category_size, distinct);
    assert_true(isnan(ci->mean) && isnan(ci->m2) && isnan(ci->min) && isnan(ci->rank_error));
    assert_int_equal(ci->kll_k, 0);
    assert_null(ci->histogram_edges);
    assert_null(ci->histogram_counts);
    mlops_buf_dispose(&b1);
    mlops_buf_dispose(&b2);
    mlops_profile_free(ca);
    mlops_profile_free(cb);
    mlops_profile_free(cab);
    mlops_profile_free(cba);
}

/* Beyond the cap: every code's true count is within [count, count + error]. */
static void heavy_hitters_bound_holds_beyond_cap(void **state)
{
    (void)state;
    enum { N = 200000, CODES = 5000 };
    mlops_profile_options o = MLOPS_PROFILE_OPTIONS_INIT;
    o.category_cap = 64;
    mlops_profile *p, *q;
    assert_int_equal(mlops_profile_new(&p, MLOPS_PROFILE_CATEGORICAL, &o), 0);
    assert_int_equal(mlops_profile_new(&q, MLOPS_PROFILE_CATEGORICAL, &o), 0);
    int64_t *codes = malloc(N * sizeof *codes);
    uint64_t *truth = calloc(CODES, sizeof *truth);
    uint64_t s = 77;
    for (size_t i = 0; i < N; i++) {
        /* skewed: code = floor(CODES * u^4) */
        double u = unit(&s);
        codes[i] = (int64_t)(CODES * u * u * u * u);
        truth[codes[i]]++;
    }
    assert_int_equal(mlops_profile_update_codes(p, codes, N / 2), 0);
    assert_int_equal(mlops_profile_update_codes(q, codes + N / 2, N - N / 2), 0);
    assert_int_equal(mlops_profile_merge(p, q), 0);
    uint64_t err = mlops_profile_category_error(p);
    assert_true(err > 0);
    assert_true(err <= (uint64_t)N / (64 / 2 + 1) * 2);
    assert_true(mlops_profile_category_size(p) <= 64);
    for (int64_t code = 0; code < CODES; code++) {
        uint64_t got = mlops_profile_category_count(p, code);
        assert_true(got <= truth[code]);
        assert_true(truth[code] <= got + err);
    }
    assert_int_equal(mlops_profile_count(p), N);
    free(codes);
    free(truth);
    mlops_profile_free(p);
    mlops_profile_free(q);
}

/* ---- bytes --------------------------------------------------------------- */

static void serialize_round_trip_gives_identical_answers(void **state)
{
    (void)state;
    double edges[] = { 0.1, 0.5, 0.9 };
    mlops_profile *p = numeric(200, 3, edges, 3);
    double x[50000];
    uint64_t s = 5;
    for (size_t i = 0; i < 50000; i++)
        x[i] = i % 1000 == 7 ? NAN : unit(&s);
    feed(p, x, 50000);
    mlops_buf b = MLOPS_BUF_INIT;
    assert_int_equal(mlops_profile_write(&b, p, 0), 0);
    mlops_profile *r = NULL;
    assert_int_equal(mlops_profile_parse(&r, b.data, b.size), 0);
    for (int i = 0; i <= 100; i++) {
        double qa, qb;
        assert_int_equal(mlops_profile_quantile(&qa, p, i / 100.0), 0);
        assert_int_equal(mlops_profile_quantile(&qb, r, i / 100.0), 0);
        assert_true(qa == qb);
    }
    assert_true(mlops_profile_mean(p) == mlops_profile_mean(r));
    assert_true(mlops_profile_variance(p, 1) == mlops_profile_variance(r, 1));
    assert_int_equal(mlops_profile_retained(p), mlops_profile_retained(r));
    /* the generator state travels too: further updates stay identical */
    feed(p, x, 20000);
    feed(r, x, 20000);
    mlops_buf b1 = MLOPS_BUF_INIT, b2 = MLOPS_BUF_INIT;
    assert_int_equal(mlops_profile_write(&b1, p, 0), 0);
    assert_int_equal(mlops_profile_write(&b2, r, 0), 0);
    assert_int_equal(b1.size, b2.size);
    assert_memory_equal(b1.data, b2.data, b1.size);
    /* 10^9-scale sizes are small: 50k values at k = 200 take a few KiB */
    assert_true(b.size < 16384);
    mlops_buf_dispose(&b);
    mlops_buf_dispose(&b1);
    mlops_buf_dispose(&b2);
    mlops_profile_free(p);
    mlops_profile_free(r);
}

/* The same seed and data give the same sketch however the data is batched. */
static void same_seed_same_sketch_whatever_the_batches(void **state)
{
    (void)state;
    enum { N = 100000 };
    double *x = malloc(N * sizeof *x);
    uint64_t s = 8;
    for (size_t i = 0; i < N; i++)
        x[i] = unit(&s);
    mlops_profile *a = numeric(200, 99, NULL, 0), *b = numeric(200, 99, NULL, 0);
    assert_int_equal(mlops_profile_update(a, x, N), 0);
    feed(b, x, N);
    for (int i = 0; i <= 200; i++) {
        double qa, qb;
        assert_int_equal(mlops_profile_quantile(&qa, a, i / 200.0), 0);
        assert_int_equal(mlops_profile_quantile(&qb, b, i / 200.0), 0);
        assert_true(qa == qb);
    }
    mlops_profile *c = numeric(200, 100, NULL, 0); /* another seed: another sketch */
    assert_int_equal(mlops_profile_update(c, x, N), 0);
    int differ = 0;
    for (int i = 1; i < 200; i++) {
        double qa, qc;
        assert_int_equal(mlops_profile_quantile(&qa, a, i / 200.0), 0);
        assert_int_equal(mlops_profile_quantile(&qc, c, i / 200.0), 0);
        differ += qa != qc;
    }
    assert_true(differ > 0);
    mlops_profile_free(a);
    mlops_profile_free(b);
    mlops_profile_free(c);
    free(x);
}

/* The small_shift reference stream, stored by format version 1. */
static mlops_profile *v1_reference_profile(void)
{
    const vec_case *c = &vectors.cases[0];
    assert_string_equal(c->name, "small_shift");
    double edges[32];
    size_t ne = vec_doubles(vec_get(c, "edges"), edges, 32), n;
    double *x = make_stream(vec_get(c, "ref_stream"), &n);
    mlops_profile *p = numeric(32, 2026, edges, ne);
    feed(p, x, n);
    free(x);
    return p;
}

/*
 * tests/vectors/profile-v1/ holds files written by format version 1. They
 * must keep loading and keep giving NumPy's answers. MLOPS_WRITE_VECTORS=1
 * rewrites them (only when the format version changes, into a new folder).
 */
static void checked_in_v1_files_still_load(void **state)
{
    (void)state;
    if (getenv("MLOPS_WRITE_VECTORS")) {
        mlops_profile *p = v1_reference_profile();
        mlops_buf b = MLOPS_BUF_INIT;
        assert_int_equal(mlops_profile_write(&b, p, 0), 0);
        char path[512];
        snprintf(path, sizeof path, "%s/profile-v1/numeric-k32.bin", getenv("MLOPS_VECTORS"));
        FILE *f = fopen(path, "wb");
        assert_non_null(f);
        fwrite(b.data, 1, b.size, f);
        fclose(f);
        mlops_buf_dispose(&b);
        mlops_profile_free(p);
        mlops_profile_options o = MLOPS_PROFILE_OPTIONS_INIT;
        o.category_cap = 8;
        assert_int_equal(mlops_profile_new(&p, MLOPS_PROFILE_CATEGORICAL, &o), 0);
        int64_t codes[] = { 5, -3, 5, 7, 5, 1000000000000, -3, 5 };
        assert_int_equal(mlops_profile_update_codes(p, codes, 8), 0);
        assert_int_equal(mlops_profile_write(&b, p, 0), 0);
        snprintf(path, sizeof path, "%s/profile-v1/categorical-cap8.bin", getenv("MLOPS_VECTORS"));
        f = fopen(path, "wb");
        assert_non_null(f);
        fwrite(b.data, 1, b.size, f);
        fclose(f);
        mlops_buf_dispose(&b);
        mlops_profile_free(p);
    }
    size_t size;
    unsigned char *bytes = vec_read_bytes("profile-v1/numeric-k32.bin", &size);
    mlops_profile *p = NULL;
    assert_int_equal(mlops_profile_parse(&p, bytes, size), 0);
    check_side(p, &vectors.cases[0], "ref");
    assert_int_equal(mlops_profile_kll_k(p), 32);
    /* the stored sketch answers ranks within its error of NumPy's */
    double xs[16], truth[16];
    size_t nq = vec_doubles(vec_get(&vectors.cases[0], "rank_x"), xs, 16);
    vec_doubles(vec_get(&vectors.cases[0], "rank_true"), truth, 16);
    double eps = mlops_profile_rank_error(p);
    assert_true(eps > 0.05 && eps < 0.08); /* k = 32 */
    for (size_t i = 0; i < nq; i++) {
        double r;
        assert_int_equal(mlops_profile_rank(&r, p, xs[i]), 0);
        assert_true(fabs(r - truth[i]) <= eps);
    }
    /* loading and saving again reproduces the file byte for byte */
    mlops_buf b = MLOPS_BUF_INIT;
    assert_int_equal(mlops_profile_write(&b, p, 0), 0);
    assert_int_equal(b.size, size);
    assert_memory_equal(b.data, bytes, size);
    mlops_buf_dispose(&b);
    /* and today's code builds the same sketch from the same stream (the
     * moments may differ in the last bits if their summation order changes) */
    mlops_profile *today = v1_reference_profile();
    assert_same_exact_fields(today, p);
    assert_int_equal(mlops_profile_retained(today), mlops_profile_retained(p));
    for (int i = 0; i <= 64; i++) {
        double qa, qb;
        assert_int_equal(mlops_profile_quantile(&qa, today, i / 64.0), 0);
        assert_int_equal(mlops_profile_quantile(&qb, p, i / 64.0), 0);
        assert_true(qa == qb);
    }
    mlops_profile_free(today);
    mlops_profile_free(p);
    free(bytes);

    bytes = vec_read_bytes("profile-v1/categorical-cap8.bin", &size);
    assert_int_equal(mlops_profile_parse(&p, bytes, size), 0);
    assert_int_equal(mlops_profile_kind(p), MLOPS_PROFILE_CATEGORICAL);
    assert_int_equal(mlops_profile_count(p), 8);
    assert_int_equal(check_profile_info(p)->count, 8);
    assert_int_equal(mlops_profile_info(p)->category_size, 4);
    assert_int_equal(mlops_profile_info(p)->category_error, 0);
    int64_t codes[8];
    uint64_t counts[8];
    size_t n = 0;
    assert_int_equal(mlops_profile_categories(codes, counts, 8, &n, p), 0);
    assert_int_equal(n, 4);
    int64_t want_codes[] = { -3, 5, 7, 1000000000000 };
    uint64_t want_counts[] = { 2, 4, 1, 1 };
    for (size_t i = 0; i < 4; i++) {
        assert_true(codes[i] == want_codes[i]);
        assert_int_equal(counts[i], want_counts[i]);
    }
    mlops_profile_free(p);
    free(bytes);
}

/* Every truncation and every bit flip of valid bytes is a clean error. */
static void damaged_bytes_are_rejected_cleanly(void **state)
{
    (void)state;
    mlops_profile *p = numeric(16, 1, (double[]){ 0.5 }, 1);
    double x[300];
    uint64_t s = 3;
    for (int i = 0; i < 300; i++)
        x[i] = unit(&s);
    feed(p, x, 300);
    mlops_buf b = MLOPS_BUF_INIT;
    assert_int_equal(mlops_profile_write(&b, p, 0), 0);
    unsigned char *copy = malloc(b.size);
    for (size_t len = 0; len < b.size; len++) {
        mlops_profile *r = (mlops_profile *)0x1;
        memcpy(copy, b.data, b.size);
        int rc = mlops_profile_parse(&r, copy, len);
        assert_true(rc == MLOPS_E_PARSE || rc == MLOPS_E_INTEGRITY);
        assert_true(r == (mlops_profile *)0x1); /* output untouched */
    }
    for (size_t i = 0; i < b.size; i++)
        for (int bit = 0; bit < 8; bit++) {
            memcpy(copy, b.data, b.size);
            copy[i] ^= (unsigned char)(1u << bit);
            mlops_profile *r = NULL;
            int rc = mlops_profile_parse(&r, copy, b.size);
            assert_true(rc < 0);
            assert_null(r);
            assert_true(strlen(mlops_error_last()) > 0);
        }
    /* magic, version */
    memcpy(copy, b.data, b.size);
    copy[0] = 'X';
    mlops_profile *r = NULL;
    assert_int_equal(mlops_profile_parse(&r, copy, b.size), MLOPS_E_PARSE);
    assert_non_null(strstr(mlops_error_last(), "magic"));
    memcpy(copy, b.data, b.size);
    copy[4] = 2;
    assert_int_equal(mlops_profile_parse(&r, copy, b.size), MLOPS_E_VERSION);
    assert_non_null(strstr(mlops_error_last(), "format version 2"));
    memcpy(copy, b.data, b.size);
    copy[b.size - 1] ^= 0x80;
    assert_int_equal(mlops_profile_parse(&r, copy, b.size), MLOPS_E_INTEGRITY);
    assert_non_null(strstr(mlops_error_last(), "CRC"));
    assert_int_equal(mlops_profile_parse(&r, NULL, 4), MLOPS_E_INVALID);
    free(copy);
    mlops_buf_dispose(&b);
    mlops_profile_free(p);
}

/* Fix the CRC after editing a body so that the schema checks are reached. */
static void fix_crc(unsigned char *d, size_t n)
{
    extern uint32_t mlops__crc32(const void *, size_t);
    uint32_t c = mlops__crc32(d, n - 4);
    for (int i = 0; i < 4; i++)
        d[n - 4 + i] = (unsigned char)(c >> (8 * i));
}

/* Well-framed but inconsistent bodies give MLOPS_E_SCHEMA or E_PARSE. */
static void inconsistent_bodies_are_schema_errors(void **state)
{
    (void)state;
    mlops_profile *p = numeric(16, 1, NULL, 0);
    double x[100];
    for (int i = 0; i < 100; i++)
        x[i] = i;
    feed(p, x, 100);
    mlops_buf b = MLOPS_BUF_INIT;
    assert_int_equal(mlops_profile_write(&b, p, 0), 0);
    unsigned char *d = malloc(b.size);
    mlops_profile *r = NULL;
    /* body offsets: k@20 min_k@24 rng@28 count@36 ... n_edges@100 levels@104 */
    memcpy(d, b.data, b.size);
    d[20] = 4; /* k = 4 */
    fix_crc(d, b.size);
    assert_int_equal(mlops_profile_parse(&r, d, b.size), MLOPS_E_SCHEMA);
    assert_non_null(strstr(mlops_error_last(), "kll k 4"));
    memcpy(d, b.data, b.size);
    d[36] ^= 1; /* count no longer matches the sketch weights */
    fix_crc(d, b.size);
    assert_int_equal(mlops_profile_parse(&r, d, b.size), MLOPS_E_SCHEMA);
    memcpy(d, b.data, b.size);
    d[100] = 0xff, d[101] = 0xff, d[102] = 0x00; /* 65535 edges in a short body */
    fix_crc(d, b.size);
    assert_int_equal(mlops_profile_parse(&r, d, b.size), MLOPS_E_PARSE);
    assert_non_null(strstr(mlops_error_last(), "histogram edges: count 65535"));
    memcpy(d, b.data, b.size);
    d[6] = 9; /* kind */
    fix_crc(d, b.size);
    assert_int_equal(mlops_profile_parse(&r, d, b.size), MLOPS_E_SCHEMA);
    assert_null(r);
    free(d);
    mlops_buf_dispose(&b);
    mlops_profile_free(p);
}

static void put_u64(unsigned char *d, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        d[i] = (unsigned char)(v >> (8 * i));
}

static void put_f64(unsigned char *d, double x)
{
    uint64_t v;
    memcpy(&v, &x, 8);
    put_u64(d, v);
}

static uint64_t get_u64(const void *at)
{
    const unsigned char *d = at;
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = (v << 8) | d[i];
    return v;
}

static uint32_t get_u32(const void *at)
{
    const unsigned char *d = at;
    return (uint32_t)d[0] | (uint32_t)d[1] << 8 | (uint32_t)d[2] << 16 | (uint32_t)d[3] << 24;
}

static void put_u32(unsigned char *d, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        d[i] = (unsigned char)(v >> (8 * i));
}

/* Deserialise `d` (CRC fixed first): MLOPS_E_SCHEMA, no profile, and every
 * NULL-terminated fragment in the error message. */
static void refused(unsigned char *d, size_t n, ...)
{
    fix_crc(d, n);
    mlops_profile *r = NULL;
    assert_int_equal(mlops_profile_parse(&r, d, n), MLOPS_E_SCHEMA);
    assert_null(r);
    va_list ap;
    va_start(ap, n);
    for (const char *want; (want = va_arg(ap, const char *)) != NULL;)
        if (!strstr(mlops_error_last(), want))
            fail_msg("error \"%s\" lacks \"%s\"", mlops_error_last(), want);
    va_end(ap);
}

/* Every constraint docs/formats/profile-v1.md puts on a field, broken one at
 * a time in otherwise valid bytes (CRC fixed): a schema error naming the
 * field, and for an edge, item or category its byte offset. */
static void documented_field_constraints_are_enforced(void **state)
{
    (void)state;
    /* numeric, k = 16, edges 0.25 0.5 0.75, the 100 values 0.00 .. 0.99:
     * E@100 = 3, edges@104, bin counts@128 (25 each), L@160, sizes@164 */
    double edges[] = { 0.25, 0.5, 0.75 }, x[100];
    for (int i = 0; i < 100; i++)
        x[i] = i / 100.0;
    mlops_profile *p = numeric(16, 1, edges, 3);
    feed(p, x, 100);
    mlops_buf b = MLOPS_BUF_INIT;
    assert_int_equal(mlops_profile_write(&b, p, 0), 0);
    unsigned char *d = malloc(b.size);
    assert_int_equal(get_u64(b.data + 128), 25); /* the layout is as documented */
#define EDIT(stmt, ...) do { memcpy(d, b.data, b.size); stmt; refused(d, b.size, __VA_ARGS__, NULL); } while (0)
    EDIT(put_u32(d + 8, 1), "unknown flags 0x1 at byte 8");
    EDIT(put_u32(d + 24, 17), "kll min k 17 is outside 8..16");
    EDIT(put_u32(d + 24, 7), "kll min k 7 is outside 8..16");
    EDIT(put_f64(d + 76, -1.0), "moments (mean, m2, min, max) are not consistent with count 100");
    EDIT(put_f64(d + 84, 2.0), "moments"); /* min 2 above max 0.99 */
    EDIT(put_f64(d + 84, 0.5), "mean 0.49500000000000005 is outside [min 0.5, max 0.9899");
    EDIT(put_u32(d + 100, 65537), "65537 histogram edges (at most 65536)");
    EDIT(put_f64(d + 112, 0.1), "histogram edge 1 is not finite or not increasing", "at byte 112");
    EDIT(put_f64(d + 104, NAN), "histogram edge 0", "at byte 104");
    EDIT(put_u64(d + 128, 101), "histogram counts exceed the count 100");
    EDIT(put_u64(d + 128, 24), "histogram counts add up to 99, not the count 100");
    EDIT(put_u32(d + 160, 0), "sketch has 0 levels (1..");
    EDIT(put_u32(d + 160, 57), "sketch has 57 levels (1..");
    uint32_t levels = get_u32(b.data + 160);
    size_t item0 = 164 + 4 * (size_t)levels;
    EDIT(put_f64(d + item0, 5.0), "sketch item 0 of level 0 is not finite, outside [min, max]");
    EDIT(put_f64(d + item0, INFINITY), "sketch item 0 of level 0");
    free(d);
    mlops_buf_dispose(&b);
    mlops_profile_free(p);

    /* no values: mean, m2, min and max are 0 */
    p = numeric(16, 1, NULL, 0);
    assert_int_equal(mlops_profile_write(&b, p, 0), 0);
    d = malloc(b.size);
    EDIT(put_f64(d + 68, 1.0), "not consistent with count 0");
    free(d);
    mlops_buf_dispose(&b);
    mlops_profile_free(p);

    /* one value is its own min, max and mean */
    p = numeric(16, 1, NULL, 0);
    feed(p, (double[]){ 2.0 }, 1);
    assert_int_equal(mlops_profile_write(&b, p, 0), 0);
    d = malloc(b.size);
    EDIT(put_f64(d + 92, 3.0), "one value but min 2 != max 3");
    free(d);
    mlops_buf_dispose(&b);
    mlops_profile_free(p);

    /* categorical: cap@20 reserved@24 total@28 error@36 n@44, then
     * (code, count) entries@48; codes 1 2 2 5: (1, 1) (2, 2) (5, 1) */
    assert_int_equal(mlops_profile_new(&p, MLOPS_PROFILE_CATEGORICAL, NULL), 0);
    assert_int_equal(mlops_profile_update_codes(p, (int64_t[]){ 1, 2, 2, 5 }, 4), 0);
    assert_int_equal(mlops_profile_write(&b, p, 0), 0);
    d = malloc(b.size);
    assert_int_equal(get_u64(b.data + 28), 4);
    assert_int_equal(get_u64(b.data + 64), 2);
    uint32_t cap = get_u32(b.data + 20);
    EDIT(put_u32(d + 20, 1), "category cap 1 is outside 2..");
    EDIT(put_u32(d + 24, 1), "reserved field is 1, not 0");
    EDIT(put_u32(d + 44, cap + 1), "categories exceed the cap");
    EDIT(put_u64(d + 36, 5), "error bound exceeds the total");
    EDIT(put_u64(d + 56, 0), "category 0: zero count", "at byte 48");
    EDIT(put_u64(d + 72, 4), "category 1: zero count, counts above the total", "at byte 64");
    EDIT(put_u64(d + 64, 1), "category 1:", "codes not strictly increasing", "at byte 64");
    EDIT(put_u64(d + 28, 5), "exact category counts add up to 4, not the total 5");
#undef EDIT
    free(d);
    mlops_buf_dispose(&b);
    mlops_profile_free(p);
}

/* Crafted profiles whose counts or moments cannot belong to any data are
 * refused when read, and a merge whose counts would wrap is refused with the
 * destination unchanged. */
static void impossible_counts_and_moments_are_refused(void **state)
{
    (void)state;
    mlops_profile *p = numeric(16, 1, NULL, 0);
    double x[] = { 1, 2, 3, 4 };
    feed(p, x, 4);
    mlops_buf b = MLOPS_BUF_INIT;
    assert_int_equal(mlops_profile_write(&b, p, 0), 0);
    unsigned char *d = malloc(b.size);
    mlops_profile *r = NULL;
    /* body offsets: count@36 nan@44 posinf@52 neginf@60 mean@68 m2@76 min@84 max@92 */
    memcpy(d, b.data, b.size);
    put_f64(d + 68, 7.5); /* mean 7.5 outside [1, 4] */
    fix_crc(d, b.size);
    assert_int_equal(mlops_profile_parse(&r, d, b.size), MLOPS_E_SCHEMA);
    assert_non_null(strstr(mlops_error_last(), "outside [min"));
    assert_null(r);
    memcpy(d, b.data, b.size);
    put_u64(d + 44, UINT64_MAX); /* NaN count 2^64 - 1 beside 4 finite values */
    fix_crc(d, b.size);
    assert_int_equal(mlops_profile_parse(&r, d, b.size), MLOPS_E_SCHEMA);
    assert_non_null(strstr(mlops_error_last(), "overflow"));
    assert_null(r);
    /* a NaN count that loads on its own but wraps when merged */
    memcpy(d, b.data, b.size);
    put_u64(d + 44, UINT64_MAX - 4);
    fix_crc(d, b.size);
    assert_int_equal(mlops_profile_parse(&r, d, b.size), 0);
    mlops_profile *q = numeric(16, 1, NULL, 0);
    double y[] = { 5 };
    feed(q, y, 1);
    mlops_buf before = MLOPS_BUF_INIT, after = MLOPS_BUF_INIT;
    assert_int_equal(mlops_profile_write(&before, r, 0), 0);
    assert_int_equal(mlops_profile_merge(r, q), MLOPS_E_LIMIT);
    assert_non_null(strstr(mlops_error_last(), "overflow"));
    assert_int_equal(mlops_profile_write(&after, r, 0), 0);
    assert_int_equal(before.size, after.size);
    assert_memory_equal(before.data, after.data, before.size);
    assert_int_equal(mlops_profile_merge(q, r), MLOPS_E_LIMIT);
    /* updates check the same bound: 2^64 - 1 values are counted, one more
     * would wrap */
    assert_int_equal(mlops_profile_update(r, y, 1), MLOPS_E_LIMIT);
    assert_int_equal(mlops_profile_count(r), 4);
    mlops_buf_dispose(&before);
    mlops_buf_dispose(&after);
    mlops_profile_free(q);
    mlops_profile_free(r);
    free(d);
    mlops_buf_dispose(&b);
    mlops_profile_free(p);
    /* categorical totals */
    mlops_profile *c1 = NULL, *c2 = NULL, *c3 = NULL;
    assert_int_equal(mlops_profile_new(&c1, MLOPS_PROFILE_CATEGORICAL, NULL), 0);
    int64_t codes[] = { 1, 2, 2 };
    assert_int_equal(mlops_profile_update_codes(c1, codes, 3), 0);
    assert_int_equal(mlops_profile_write(&b, c1, 0), 0);
    d = malloc(b.size);
    memcpy(d, b.data, b.size);
    /* categorical body: cap@20 reserved@24 total@28 error@36 n@44, entries@48 */
    put_u64(d + 28, UINT64_MAX);
    put_u64(d + 36, UINT64_MAX - 3); /* an error bound lets the counts fall short */
    fix_crc(d, b.size);
    assert_int_equal(mlops_profile_parse(&c2, d, b.size), 0);
    assert_int_equal(mlops_profile_parse(&c3, b.data, b.size), 0);
    assert_int_equal(mlops_profile_merge(c2, c3), MLOPS_E_LIMIT);
    assert_int_equal(mlops_profile_count(c2), UINT64_MAX);
    assert_int_equal(mlops_profile_update_codes(c2, codes, 1), MLOPS_E_LIMIT);
    free(d);
    mlops_buf_dispose(&b);
    mlops_profile_free(c1);
    mlops_profile_free(c2);
    mlops_profile_free(c3);
}

/* Mismatched kinds or edges are refused with a message; dst is unchanged. */
static void merging_mismatched_profiles_is_refused(void **state)
{
    (void)state;
    double e1[] = { 0, 1, 2 }, e2[] = { 0, 1.5, 2 };
    mlops_profile *a = numeric(200, 1, e1, 3), *b = numeric(200, 1, e2, 3);
    mlops_profile *n = numeric(200, 1, NULL, 0), *c;
    assert_int_equal(mlops_profile_new(&c, MLOPS_PROFILE_CATEGORICAL, NULL), 0);
    double x[] = { 0.5, 1.7, 3 };
    feed(a, x, 3);
    feed(b, x, 3);
    mlops_buf before = MLOPS_BUF_INIT, after = MLOPS_BUF_INIT;
    assert_int_equal(mlops_profile_write(&before, a, 0), 0);
    assert_int_equal(mlops_profile_merge(a, b), MLOPS_E_INVALID);
    assert_non_null(strstr(mlops_error_last(), "edges differ at edge 1"));
    assert_int_equal(mlops_profile_merge(a, n), MLOPS_E_INVALID);
    assert_non_null(strstr(mlops_error_last(), "3 edges vs 0"));
    assert_int_equal(mlops_profile_merge(a, c), MLOPS_E_INVALID);
    assert_non_null(strstr(mlops_error_last(), "categorical profile into a numeric"));
    assert_int_equal(mlops_profile_merge(a, a), MLOPS_E_INVALID);
    assert_int_equal(mlops_profile_write(&after, a, 0), 0);
    assert_int_equal(before.size, after.size);
    assert_memory_equal(before.data, after.data, before.size);
    assert_int_equal(mlops_profile_update(c, x, 3), MLOPS_E_INVALID);
    assert_int_equal(mlops_profile_update_codes(a, (int64_t[]){ 1 }, 1), MLOPS_E_INVALID);
    mlops_buf_dispose(&before);
    mlops_buf_dispose(&after);
    mlops_profile_free(a);
    mlops_profile_free(b);
    mlops_profile_free(n);
    mlops_profile_free(c);
}

static void options_and_arguments_are_checked(void **state)
{
    (void)state;
    mlops_profile *p = NULL;
    mlops_profile_options o;
    memset(&o, 0xff, sizeof o);
    assert_int_equal(mlops_profile_options_init(&o, sizeof o), 0);
    assert_int_equal(o.kll_k, 200);
    assert_int_equal(o.category_cap, 1024);
    assert_null(o.edges);
    o.kll_k = 7;
    assert_int_equal(mlops_profile_new(&p, MLOPS_PROFILE_NUMERIC, &o), MLOPS_E_INVALID);
    assert_non_null(strstr(mlops_error_last(), "kll_k 7"));
    o.kll_k = 200;
    o.version = 2;
    assert_int_equal(mlops_profile_new(&p, MLOPS_PROFILE_NUMERIC, &o), MLOPS_E_VERSION);
    o.version = 1;
    o.flags = 4;
    assert_int_equal(mlops_profile_new(&p, MLOPS_PROFILE_NUMERIC, &o), MLOPS_E_INVALID);
    o.flags = 0;
    double bad[] = { 1, 1 };
    o.edges = bad;
    o.n_edges = 2;
    assert_int_equal(mlops_profile_new(&p, MLOPS_PROFILE_NUMERIC, &o), MLOPS_E_INVALID);
    assert_non_null(strstr(mlops_error_last(), "strictly increasing"));
    double inf_edge[] = { 0, INFINITY };
    o.edges = inf_edge;
    assert_int_equal(mlops_profile_new(&p, MLOPS_PROFILE_NUMERIC, &o), MLOPS_E_INVALID);
    o.edges = NULL;
    o.n_edges = 0;
    assert_int_equal(mlops_profile_new(&p, 3, &o), MLOPS_E_INVALID);
    assert_int_equal(mlops_profile_new(NULL, 1, &o), MLOPS_E_INVALID);
    assert_null(p);
    assert_int_equal(mlops_profile_new(&p, MLOPS_PROFILE_NUMERIC, NULL), 0);
    double q;
    assert_int_equal(mlops_profile_quantile(&q, p, 0.5), MLOPS_E_DOMAIN);
    assert_non_null(strstr(mlops_error_last(), "no finite values"));
    double only_nan[] = { NAN, NAN, -INFINITY };
    assert_int_equal(mlops_profile_update(p, only_nan, 3), 0);
    assert_int_equal(mlops_profile_count(p), 0);
    assert_int_equal(mlops_profile_nan_count(p), 2);
    assert_true(isnan(mlops_profile_mean(p)));
    const struct mlops_profile_info *pi = check_profile_info(p);
    assert_int_equal(pi->count, 0);
    assert_int_equal(pi->nan_count, 2);
    assert_int_equal(pi->neginf_count, 1);
    assert_true(isnan(pi->mean) && isnan(pi->m2) && isnan(pi->min) && isnan(pi->max));
    assert_null(mlops_profile_info(NULL));
    mlops_profile *p2 = numeric(200, 0, NULL, 0);
    assert_int_equal(mlops_profile_update(p2, (double[]){ 1 }, 1), 0);
    mlops_profile_test t = MLOPS_SKETCH_TEST_INIT;
    assert_int_equal(mlops_profile_ks_test(&t, p, p2, 0.05), MLOPS_E_DOMAIN);
    assert_non_null(strstr(mlops_error_last(), "reference profile has no finite values"));
    assert_int_equal(mlops_profile_ks_test(&t, p2, p2, 1.5), MLOPS_E_INVALID);
    t.version = 9;
    assert_int_equal(mlops_profile_ks_test(&t, p2, p2, 0.05), MLOPS_E_VERSION);
    assert_int_equal(mlops_profile_quantile(&q, p2, 1.5), MLOPS_E_INVALID);
    assert_int_equal(mlops_profile_rank(&q, p2, NAN), MLOPS_E_INVALID);
    assert_int_equal(mlops_profile_update(p2, NULL, 1), MLOPS_E_INVALID);
    mlops_profile_free(p);
    mlops_profile_free(p2);
    mlops_profile_free(NULL);
}

/* ---- out of memory ------------------------------------------------------- */

typedef struct oom_ctx {
    mlops_profile *a, *b, *out;
    mlops_buf buf;
    const void *bytes;
    size_t size;
    int which;
} oom_ctx;

static int oom_op_run(void *vctx)
{
    oom_ctx *c = vctx;
    mlops_profile_options o = MLOPS_PROFILE_OPTIONS_INIT;
    double e[] = { 0.25, 0.5 }, q;
    o.edges = e;
    o.n_edges = 2;
    mlops_profile_test t = MLOPS_SKETCH_TEST_INIT;
    double edges[9];
    size_t n;
    int64_t codes[64];
    uint64_t counts[64];
    switch (c->which) {
    case 0: return mlops_profile_new(&c->out, MLOPS_PROFILE_NUMERIC, &o);
    case 1: return mlops_profile_new(&c->out, MLOPS_PROFILE_CATEGORICAL, NULL);
    case 2: return mlops_profile_dup(&c->out, c->a);
    case 3: return mlops_profile_merge(c->a, c->b);
    case 4: return mlops_profile_write(&c->buf, c->a, 0);
    case 5: return mlops_profile_parse(&c->out, c->bytes, c->size);
    case 6: return mlops_profile_quantile(&q, c->a, 0.3);
    case 7: return mlops_profile_rank(&q, c->a, 0.3);
    case 8: return mlops_profile_ks_test(&t, c->a, c->b, 0.05);
    case 9: return mlops_profile_wasserstein(&t, c->a, c->b, 0.1);
    case 10: return mlops_profile_quantile_edges(edges, &n, c->a, 10);
    case 11: return mlops_profile_categories(codes, counts, 64, &n, c->a);
    case 12: return mlops_profile_merge(c->a, c->b);
    case 13: return mlops_profile_write(&c->buf, c->a, 0);
    case 14: return mlops_profile_parse(&c->out, c->bytes, c->size);
    case 15: return mlops_profile_dup(&c->out, c->a);
    }
    return -99;
}

static void oom_cleanup_run(void *vctx)
{
    oom_ctx *c = vctx;
    mlops_profile_free(c->out);
    c->out = NULL;
    mlops_buf_dispose(&c->buf);
}

static void every_allocating_function_fails_cleanly(void **state)
{
    (void)state;
    oom_install();
    double x[5000];
    uint64_t s = 1;
    for (int i = 0; i < 5000; i++)
        x[i] = unit(&s);
    oom_ctx c;
    memset(&c, 0, sizeof c);
    c.a = numeric(16, 1, (double[]){ 0.5 }, 1);
    c.b = numeric(16, 2, (double[]){ 0.5 }, 1);
    feed(c.a, x, 5000);
    feed(c.b, x, 3000);
    mlops_buf bytes = MLOPS_BUF_INIT;
    assert_int_equal(mlops_profile_write(&bytes, c.a, 0), 0);
    c.bytes = bytes.data;
    c.size = bytes.size;
    for (c.which = 0; c.which <= 10; c.which++) {
        char name[32];
        snprintf(name, sizeof name, "profile op %d", c.which);
        oom_check(name, oom_op_run, oom_cleanup_run, &c, 0);
    }
    mlops_profile_free(c.a);
    mlops_profile_free(c.b);
    assert_int_equal(mlops_profile_new(&c.a, MLOPS_PROFILE_CATEGORICAL, NULL), 0);
    assert_int_equal(mlops_profile_new(&c.b, MLOPS_PROFILE_CATEGORICAL, NULL), 0);
    int64_t codes[40];
    for (int i = 0; i < 40; i++)
        codes[i] = i % 13;
    assert_int_equal(mlops_profile_update_codes(c.a, codes, 40), 0);
    assert_int_equal(mlops_profile_update_codes(c.b, codes, 20), 0);
    mlops_buf_dispose(&bytes);
    assert_int_equal(mlops_profile_write(&bytes, c.a, 0), 0);
    c.bytes = bytes.data;
    c.size = bytes.size;
    for (c.which = 11; c.which <= 15; c.which++)
        oom_check("categorical op", oom_op_run, oom_cleanup_run, &c, 0);
    mlops_buf_dispose(&bytes);
    mlops_profile_free(c.a);
    mlops_profile_free(c.b);
}

/* Finite values near ±DBL_MAX: the mean stays finite and exact where the
 * plain sum would overflow (NumPy's mean of [1e308, 1e308] is inf), a variance
 * beyond DBL_MAX is +inf, and such a profile survives its own bytes. */
static void extreme_finite_values_keep_defined_moments(void **state)
{
    (void)state;
    static const double twice[] = { 1e308, 1e308 };
    static const double spread[] = { 1e308, -1e308, 0.0 };
    mlops_profile *a = NULL, *b = NULL, *c = NULL, *back = NULL;
    assert_int_equal(mlops_profile_new(&a, MLOPS_PROFILE_NUMERIC, NULL), 0);
    assert_int_equal(mlops_profile_update(a, twice, 2), 0);
    assert_true(mlops_profile_mean(a) == 1e308);
    assert_true(mlops_profile_variance(a, 0) == 0.0);

    assert_int_equal(mlops_profile_new(&b, MLOPS_PROFILE_NUMERIC, NULL), 0);
    assert_int_equal(mlops_profile_update(b, spread, 3), 0);
    assert_true(mlops_profile_mean(b) == 0.0);
    assert_true(isinf(mlops_profile_variance(b, 0)) && mlops_profile_variance(b, 0) > 0);
    mlops_buf bytes = MLOPS_BUF_INIT;
    assert_int_equal(mlops_profile_write(&bytes, b, 0), 0);
    assert_int_equal(mlops_profile_parse(&back, bytes.data, bytes.size), 0);
    assert_true(mlops_profile_mean(back) == 0.0);
    assert_true(isinf(mlops_profile_variance(back, 0)));
    assert_true(mlops_profile_min(back) == -1e308 && mlops_profile_max(back) == 1e308);

    /* merging means that are 2e308 apart: (1e308 + -1e308) / 2 = 0 exactly */
    static const double lo[] = { -1e308 }, hi[] = { 1e308 };
    mlops_profile_free(a);
    a = NULL;
    assert_int_equal(mlops_profile_new(&a, MLOPS_PROFILE_NUMERIC, NULL), 0);
    assert_int_equal(mlops_profile_new(&c, MLOPS_PROFILE_NUMERIC, NULL), 0);
    assert_int_equal(mlops_profile_update(a, hi, 1), 0);
    assert_int_equal(mlops_profile_update(c, lo, 1), 0);
    assert_int_equal(mlops_profile_merge(a, c), 0);
    assert_true(mlops_profile_mean(a) == 0.0);
    assert_int_equal(mlops_profile_update(a, lo, 1), 0); /* batch after merge */
    assert_true(isfinite(mlops_profile_mean(a)));
    mlops_buf_dispose(&bytes);
    mlops_profile_free(a);
    mlops_profile_free(b);
    mlops_profile_free(c);
    mlops_profile_free(back);
}

/* The info struct lives in the profile and follows every change: update,
 * update_codes, merge, parse and dup (values from NumPy: mean([1, 2, 4]) =
 * 2.3333333333333335, var(ddof=1) = 2.333333333333333, var(ddof=0) =
 * 1.5555555555555554; NumPy 2, within 1e-15). A failed update leaves it as it was. */
static void info_struct_follows_every_change(void **state)
{
    (void)state;
    mlops_profile *p = numeric(200, 0, (double[]){ 2.0 }, 1);
    const struct mlops_profile_info *i = check_profile_info(p);
    assert_int_equal(i->count, 0);
    assert_int_equal(i->retained, 0);
    assert_true(i->rank_error == 0.0);
    assert_int_equal(i->n_histogram_edges, 1);
    assert_int_equal(i->histogram_counts[0] + i->histogram_counts[1], 0);
    assert_int_equal(mlops_profile_update(p, (double[]){ 1, NAN, 2, 4, INFINITY }, 5), 0);
    assert_ptr_equal(mlops_profile_info(p), i);
    check_profile_info(p);
    assert_int_equal(i->count, 3);
    assert_int_equal(i->nan_count, 1);
    assert_int_equal(i->posinf_count, 1);
    assert_true(i->mean == 2.3333333333333335);
    assert_close(i->m2 / 2, 2.333333333333333, 1e-15, "var ddof=1");
    assert_close(i->m2 / 3, 1.5555555555555554, 1e-15, "var ddof=0");
    assert_true(i->min == 1 && i->max == 4);
    assert_int_equal(i->retained, 3);
    assert_int_equal(i->histogram_counts[0], 1);
    assert_int_equal(i->histogram_counts[1], 2);
    /* a refused update changes nothing */
    assert_int_equal(mlops_profile_update_codes(p, (int64_t[]){ 1 }, 1), MLOPS_E_INVALID);
    assert_int_equal(i->count, 3);
    /* merge: dst's struct follows, src's stays */
    mlops_profile *q = numeric(200, 0, (double[]){ 2.0 }, 1);
    assert_int_equal(mlops_profile_update(q, (double[]){ -1 }, 1), 0);
    assert_int_equal(mlops_profile_merge(p, q), 0);
    check_profile_info(p);
    assert_int_equal(i->count, 4);
    assert_true(i->min == -1);
    assert_int_equal(i->histogram_counts[0], 2);
    assert_int_equal(mlops_profile_info(q)->count, 1);
    /* dup and parse: their own struct, pointing into their own arrays */
    mlops_profile *d = NULL, *r = NULL;
    assert_int_equal(mlops_profile_dup(&d, p), 0);
    const struct mlops_profile_info *di = check_profile_info(d);
    assert_ptr_not_equal(di, i);
    assert_ptr_not_equal(di->histogram_counts, i->histogram_counts);
    assert_int_equal(di->count, 4);
    mlops_buf b = MLOPS_BUF_INIT;
    assert_int_equal(mlops_profile_write(&b, p, 0), 0);
    assert_int_equal(mlops_profile_parse(&r, b.data, b.size), 0);
    const struct mlops_profile_info *ri = check_profile_info(r);
    assert_int_equal(ri->count, 4);
    assert_true(ri->mean == i->mean && ri->m2 == i->m2);
    mlops_buf_dispose(&b);
    /* categorical: update_codes */
    mlops_profile *c = NULL;
    assert_int_equal(mlops_profile_new(&c, MLOPS_PROFILE_CATEGORICAL, NULL), 0);
    const struct mlops_profile_info *cinfo = check_profile_info(c);
    assert_int_equal(cinfo->count, 0);
    assert_int_equal(mlops_profile_update_codes(c, (int64_t[]){ 5, 5, -2 }, 3), 0);
    check_profile_info(c);
    assert_int_equal(cinfo->count, 3);
    assert_int_equal(cinfo->category_size, 2);
    mlops_profile_free(c);
    mlops_profile_free(r);
    mlops_profile_free(d);
    mlops_profile_free(q);
    mlops_profile_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(numeric_profile_matches_numpy),
        cmocka_unit_test(quantile_edges_equal_numpy_while_exact),
        cmocka_unit_test(exact_profiles_give_scipy_ks_and_wasserstein),
        cmocka_unit_test(sketch_intervals_contain_scipy_values),
        cmocka_unit_test(ranks_within_rank_error_of_truth),
        cmocka_unit_test(merge_over_random_splits_and_orders),
        cmocka_unit_test(merge_is_commutative_on_exact_parts),
        cmocka_unit_test(heavy_hitters_bound_holds_beyond_cap),
        cmocka_unit_test(serialize_round_trip_gives_identical_answers),
        cmocka_unit_test(same_seed_same_sketch_whatever_the_batches),
        cmocka_unit_test(checked_in_v1_files_still_load),
        cmocka_unit_test(damaged_bytes_are_rejected_cleanly),
        cmocka_unit_test(inconsistent_bodies_are_schema_errors),
        cmocka_unit_test(merging_mismatched_profiles_is_refused),
        cmocka_unit_test(options_and_arguments_are_checked),
        cmocka_unit_test(extreme_finite_values_keep_defined_moments),
        cmocka_unit_test(impossible_counts_and_moments_are_refused),
        cmocka_unit_test(documented_field_constraints_are_enforced),
        cmocka_unit_test(every_allocating_function_fails_cleanly),
        cmocka_unit_test(info_struct_follows_every_change),
    };
    return cmocka_run_group_tests(tests, load_vectors, free_vectors);
}
