/*
 * Policy decision benchmark: a 20-rule policy over 500 features (a PSI score
 * and a KS p-value each, so 1,000 signals, plus 4 metrics). Reports the
 * median and 99th percentile time of one mlops_policy_decide() call and the
 * number of allocations made inside decide (must be 0).
 *
 *   ./build/bench/bench_policy [decisions]
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mlops.h"

static long allocs;
static void *c_malloc(size_t n, void *ctx) { (void)ctx; allocs++; return malloc(n); }
static void *c_realloc(void *p, size_t n, void *ctx) { (void)ctx; allocs++; return realloc(p, n); }
static void c_free(void *p, void *ctx) { (void)ctx; free(p); }

static const char policy[] =
    "{\"schema\":\"libmlops.policy/v1\",\"policy_id\":\"bench\",\"revision\":1,"
    "\"defaults\":{\"evaluation_interval\":\"1m\",\"min_samples\":100},"
    "\"signals\":{\"psi.*\":{\"kind\":\"score\",\"range\":[0,100]},\"ks_p.*\":{\"kind\":\"p_value\"},"
    "\"auc\":{\"kind\":\"metric\",\"better\":\"higher\",\"range\":[0,1]},\"err\":{\"kind\":\"score\"},"
    "\"lat\":{\"kind\":\"duration\"},\"rows\":{\"kind\":\"count\"}},\"rules\":["
    "{\"id\":\"r01\",\"action\":\"retrain\",\"for\":\"30m\",\"cooldown\":\"6h\",\"budget\":{\"max\":2,\"period\":\"7d\"},"
    " \"when\":{\"over\":\"psi.*\",\"each\":{\"gt\":0.25},\"share\":{\"gte\":0.1}}},"
    "{\"id\":\"r02\",\"action\":\"retrain\",\"consecutive\":3,\"when\":{\"over\":\"ks_p.*\",\"alpha\":0.01,\"correction\":\"holm\",\"count\":{\"gte\":5}}},"
    "{\"id\":\"r03\",\"action\":\"retrain\",\"when\":{\"over\":\"ks_p.*\",\"alpha\":0.05,\"correction\":\"bh\",\"share\":{\"gte\":0.2}}},"
    "{\"id\":\"r04\",\"action\":\"warn\",\"when\":{\"over\":\"ks_p.*\",\"alpha\":0.05,\"correction\":\"bonferroni\",\"any\":true}},"
    "{\"id\":\"r05\",\"action\":\"warn\",\"when\":{\"over\":\"psi.*\",\"each\":{\"gt\":0.1},\"any\":true}},"
    "{\"id\":\"r06\",\"action\":\"warn\",\"when\":{\"over\":\"psi.*\",\"each\":{\"lt\":5},\"all\":true}},"
    "{\"id\":\"r07\",\"action\":\"retrain\",\"when\":{\"over\":\"psi.*\",\"each\":{\"gt\":0.2},\"weighted_share\":{\"gte\":0.3},"
    " \"weights\":{\"psi.f000\":5,\"psi.f001\":5,\"psi.f002\":3,\"psi.f003\":3,\"psi.f004\":2}}},"
    "{\"id\":\"r08\",\"action\":\"warn\",\"when\":{\"over\":\"psi.*\",\"each\":{\"between\":[0.1,0.25]},\"count\":{\"gte\":50}}},"
    "{\"id\":\"r09\",\"action\":\"warn\",\"when\":{\"over\":\"ks_p.*\",\"alpha\":0.001,\"count\":{\"gte\":1}}},"
    "{\"id\":\"r10\",\"action\":\"retrain\",\"m_of_n\":[3,6],\"when\":{\"over\":\"psi.*\",\"each\":{\"outside\":[0,0.3]},\"share\":{\"gt\":0.05}}},"
    "{\"id\":\"r11\",\"action\":\"rollback\",\"consecutive\":2,\"when\":{\"signal\":\"auc\",\"lt\":0.7,\"exit\":0.75}},"
    "{\"id\":\"r12\",\"action\":\"rollback\",\"for\":\"10m\",\"when\":{\"signal\":\"err\",\"gt\":0.05,\"exit\":0.02}},"
    "{\"id\":\"r13\",\"action\":\"block_promotion\",\"when\":{\"all_of\":[{\"signal\":\"auc\",\"lt\":0.8},{\"signal\":\"rows\",\"gt\":1000}]}},"
    "{\"id\":\"r14\",\"action\":\"warn\",\"m_of_n\":[2,5],\"when\":{\"signal\":\"lat\",\"gt\":250,\"rel_tol\":0.02}},"
    "{\"id\":\"r15\",\"action\":\"warn\",\"when\":{\"any_of\":[{\"signal\":\"err\",\"gt\":0.03},{\"signal\":\"lat\",\"gt\":200}]}},"
    "{\"id\":\"r16\",\"action\":\"warn\",\"when\":{\"at_least\":{\"k\":2,\"of\":[{\"signal\":\"err\",\"gt\":0.02},"
    " {\"signal\":\"lat\",\"gt\":150},{\"signal\":\"auc\",\"lt\":0.85}]}}},"
    "{\"id\":\"r17\",\"action\":\"retrain\",\"min_since_training\":\"1d\",\"when\":{\"not\":{\"signal\":\"auc\",\"gte\":0.8}}},"
    "{\"id\":\"r18\",\"action\":\"warn\",\"dry_run\":true,\"when\":{\"signal\":\"rows\",\"lt\":500}},"
    "{\"id\":\"r19\",\"action\":\"block_promotion\",\"on_unknown\":\"warn\",\"when\":{\"signal\":\"err\",\"between\":[0.04,0.05]}},"
    "{\"id\":\"r20\",\"action\":\"warn\",\"when\":{\"signal\":\"auc\",\"outside\":[0.6,0.99]}}"
    "]}";

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static unsigned long long rng = 88172645463325252ull;
static double uniform(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (double)(rng >> 11) / 9007199254740992.0;
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 20000;
    if (mlops_allocator_set(c_malloc, c_realloc, c_free, NULL) != 0)
        return 1;
    mlops_policy *p = NULL;
    if (mlops_policy_parse(&p, policy, sizeof policy - 1, "bench", 0) != 0) {
        fprintf(stderr, "%s\n", mlops_error_last());
        return 1;
    }
    mlops_policy_obs *obs = NULL;
    mlops_policy_state *st = NULL;
    mlops_decision *d = NULL;
    if (mlops_policy_obs_new(&obs, p) || mlops_policy_state_new(&st, p) || mlops_decision_new(&d, p))
        return 1;
    char names[2][500][16];
    for (int f = 0; f < 500; f++) {
        snprintf(names[0][f], 16, "psi.f%03d", f);
        snprintf(names[1][f], 16, "ks_p.f%03d", f);
    }
    double *t = malloc(sizeof *t * (size_t)n);
    double set_ns = 0;
    long decide_allocs = 0, counts[5] = {0};
    for (int i = 0; i < n; i++) {
        double t0 = now_ns();
        mlops_policy_obs_clear(obs);
        for (int f = 0; f < 500; f++) {
            mlops_policy_obs_set(obs, names[0][f], 0.3 * uniform() * uniform(), 5000);
            mlops_policy_obs_set(obs, names[1][f], uniform() * uniform(), 5000);
        }
        mlops_policy_obs_set(obs, "auc", 0.7 + 0.25 * uniform(), 5000);
        mlops_policy_obs_set(obs, "err", 0.06 * uniform(), 5000);
        mlops_policy_obs_set(obs, "lat", 100 + 200 * uniform(), 5000);
        mlops_policy_obs_set(obs, "rows", 3000, 5000);
        double t1 = now_ns();
        long before = allocs;
        int rc = mlops_policy_decide(d, st, p, obs, (int64_t)i * 60000, st, 0);
        double t2 = now_ns();
        decide_allocs += allocs - before;
        if (rc) {
            fprintf(stderr, "%s\n", mlops_error_last());
            return 1;
        }
        counts[mlops_decision_action(d)]++;
        if (i > 0) /* the first call after set-up warms caches */
            set_ns += t1 - t0;
        t[i] = (t2 - t1) / 1000.0;
    }
    qsort(t + 1, (size_t)n - 1, sizeof *t, cmp_double);
    printf("policy: 20 rules, 500 features (1004 signals), %d decisions\n", n - 1);
    printf("decide: median %.2f us, p99 %.2f us; allocations inside decide: %ld\n",
           t[1 + (n - 1) / 2], t[1 + (size_t)((n - 1) * 0.99)], decide_allocs);
    printf("setting 1004 observations: mean %.2f us\n", set_ns / (n - 1) / 1000.0);
    printf("decisions: none %ld, warn %ld, retrain %ld, block_promotion %ld, rollback %ld\n",
           counts[0], counts[1], counts[2], counts[3], counts[4]);
    free(t);
    mlops_decision_free(d);
    mlops_policy_state_free(st);
    mlops_policy_obs_free(obs);
    mlops_policy_free(p);
    return decide_allocs != 0;
}
