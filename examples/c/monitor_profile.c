/*
 * The monitor layer, streaming: profiles built in one pass on separate
 * workers, merged, stored as bytes, and compared with the sketch error taken
 * into account; a change detector that survives a restart.
 *
 *   monitor_profile
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdio.h>
#include <stdlib.h>

#include <mlops.h>

static int fail(void)
{
    fprintf(stderr, "error: %s\n", mlops_error_last());
    return 1;
}

/* A deterministic uniform sample on [lo, lo + 1). */
static void uniform(double *out, size_t n, double lo, uint64_t seed)
{
    uint64_t x = seed;
    for (size_t i = 0; i < n; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        out[i] = lo + (double)(x >> 11) / 9007199254740992.0;
    }
}

int main(void)
{
    enum { N = 100000 };
    double *a = malloc(N * sizeof *a), *b = malloc(N * sizeof *b);
    if (!a || !b)
        return 1;
    uniform(a, N, 0.0, 1);
    uniform(b, N, 0.0, 2);

    /* Two workers each profile half of the reference; the driver merges. */
    static const double edges[] = { 0.25, 0.5, 0.75 };
    mlops_profile_options o = MLOPS_PROFILE_OPTIONS_INIT;
    o.edges = edges;
    o.n_edges = 3;
    mlops_profile *w1 = NULL, *w2 = NULL, *cur = NULL, *back = NULL;
    if (mlops_profile_new(&w1, MLOPS_PROFILE_NUMERIC, &o) != 0 ||
        mlops_profile_new(&w2, MLOPS_PROFILE_NUMERIC, &o) != 0 ||
        mlops_profile_update(w1, a, N / 2) != 0 ||
        mlops_profile_update(w2, a + N / 2, N - N / 2) != 0 ||
        mlops_profile_merge(w1, w2) != 0)
        return fail();
    double median = 0;
    if (mlops_profile_quantile(&median, w1, 0.5) != 0)
        return fail();
    const struct mlops_profile_info *wi = mlops_profile_info(w1);
    printf("reference profile: %llu values, mean %.4f, median ~ %.4f (rank error %.4f)\n",
           (unsigned long long)wi->count, wi->mean, median, wi->rank_error);

    /* Store it as bytes (what a worker ships to the driver), load it back. */
    mlops_buf bytes = MLOPS_BUF_INIT;
    if (mlops_profile_write(&bytes, w1, 0) != 0 ||
        mlops_profile_parse(&back, bytes.data, bytes.size) != 0)
        return fail();
    printf("serialised profile: %zu bytes\n", bytes.size);

    /* Current window: shifted by 0.2. KS from sketches is an interval. */
    for (size_t i = 0; i < N; i++)
        b[i] = b[i] * 0.8 + 0.2;
    if (mlops_profile_new(&cur, MLOPS_PROFILE_NUMERIC, &o) != 0 ||
        mlops_profile_update(cur, b, N) != 0)
        return fail();
    mlops_profile_test t = MLOPS_SKETCH_TEST_INIT;
    if (mlops_profile_ks_test(&t, back, cur, 0.05) != 0)
        return fail();
    printf("KS from sketches: D in [%.4f, %.4f], verdict %s\n", t.low,
           t.high, t.verdict == MLOPS_SKETCH_DRIFT ? "drift"
                             : t.verdict == MLOPS_SKETCH_NO_DRIFT ? "no drift"
                                                                   : "inconclusive");

    mlops_buf_dispose(&bytes);
    mlops_profile_free(w1);
    mlops_profile_free(w2);
    mlops_profile_free(cur);
    mlops_profile_free(back);
    free(a);
    free(b);
    return 0;
}
