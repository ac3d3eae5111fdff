/*
 * Policy engine: semantics (table-driven), trace, state, determinism, zero
 * allocation while deciding, the example policies' own tests, OOM.
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * Expected values come from the definitions in docs/formats/policy-v1.md
 * worked by hand (thresholds and values are binary-exact so boundaries are
 * unambiguous), and, for multiple-testing corrections, from the Bonferroni /
 * Holm / Benjamini–Hochberg adjusted p-values in tests/vectors/drift/
 * pvalue-adjust.json (statsmodels-compatible, produced with SciPy/NumPy):
 * a hypothesis is rejected at level alpha exactly when its adjusted p-value
 * is at most alpha.
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

#include "core/json.h"
#include "decide/policy_internal.h"
#include "mlops.h"
#include "oom.h"

#define HDR "{\"schema\":\"libmlops.policy/v1\",\"policy_id\":\"t\",\"revision\":1,"
#define MIN 60000LL


/* Read a saved state into *st (replaced on success, untouched on failure). */
static int state_load(mlops_policy_state **st, const mlops_policy *p, const char *data, size_t len)
{
    mlops_policy_state *fresh = NULL;
    int rc = mlops_policy_state_parse(&fresh, p, data, len);
    if (rc == 0) {
        mlops_policy_state_free(*st);
        *st = fresh;
    }
    return rc;
}

static mlops_policy *load(const char *json)
{
    mlops_policy *p = NULL;
    int rc = mlops_policy_parse(&p, json, strlen(json), "test", 0);
    if (rc)
        fail_msg("parse failed: %s", mlops_error_last());
    return p;
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    *len = (size_t)n;
    return buf;
}

static const char *vectors(void)
{
    const char *v = getenv("MLOPS_VECTORS");
    return v ? v : "tests/vectors";
}

static char *example(const char *name, size_t *len)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/../../examples/policies/%s", vectors(), name);
    return slurp(path, len);
}

/* One harness per policy: observations, state and decision. */
typedef struct h {
    mlops_policy *p;
    mlops_policy_obs *obs;
    mlops_policy_state *st;
    mlops_decision *d;
} h;

static void h_open(h *x, const char *json)
{
    x->p = load(json);
    assert_int_equal(mlops_policy_obs_new(&x->obs, x->p), 0);
    assert_int_equal(mlops_policy_state_new(&x->st, x->p), 0);
    assert_int_equal(mlops_decision_new(&x->d, x->p), 0);
}

static void h_close(h *x)
{
    mlops_decision_free(x->d);
    mlops_policy_state_free(x->st);
    mlops_policy_obs_free(x->obs);
    mlops_policy_free(x->p);
}

static int str_eq(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

/* The read-only views of a decision (decision.h) say what the per-field
 * getters say, row by row, and stop where they stop: every value the tests
 * check through a getter is checked through the structs too. */
static void check_decision_views(const mlops_decision *d, const mlops_policy *p)
{
    const struct mlops_decision_info *in = mlops_decision_info(d);
    assert_non_null(in);
    assert_int_equal(in->version, MLOPS_DECISION_INFO_VERSION);
    assert_int_equal(in->size, sizeof *in);
    assert_true(MLOPS_INFO_HAS(in, struct mlops_decision_info, rule_count));
    assert_int_equal(in->action, mlops_decision_action(d));
    assert_true(str_eq(in->rule, mlops_decision_rule(d)));
    assert_int_equal(in->time_ms, mlops_decision_time(d));
    assert_int_equal(in->suppressed_count, mlops_decision_suppressed_count(d));
    assert_int_equal(in->rule_count, mlops_policy_rule_count(p));
    for (size_t i = 0; i < in->rule_count; i++) {
        const mlops_decision_rule_trace_info *t = mlops_decision_rule_trace(d, i);
        assert_non_null(t);
        assert_int_equal(t->version, MLOPS_DECISION_RULE_TRACE_INFO_VERSION);
        assert_int_equal(t->size, sizeof *t);
        assert_string_equal(t->rule, mlops_policy_rule_id(p, i));
        assert_int_equal(t->truth, mlops_decision_rule_truth(d, i));
        assert_int_equal(t->reason, mlops_decision_rule_reason(d, i));
        assert_int_equal(t->wait_ms, mlops_decision_rule_wait_ms(d, i));
        assert_int_equal(t->decided, str_eq(in->rule, t->rule) && in->rule != NULL);
    }
    assert_null(mlops_decision_rule_trace(d, in->rule_count));
    for (size_t i = 0; i < in->suppressed_count; i++) {
        const mlops_decision_suppressed_info *s = mlops_decision_suppressed(d, i);
        assert_non_null(s);
        assert_int_equal(s->version, MLOPS_DECISION_SUPPRESSED_INFO_VERSION);
        assert_int_equal(s->size, sizeof *s);
        assert_string_equal(s->rule, mlops_decision_suppressed_rule(d, i));
        assert_int_equal(s->action, mlops_decision_suppressed_action(d, i));
        assert_int_equal(s->reason, mlops_decision_suppressed_reason(d, i));
    }
    assert_null(mlops_decision_suppressed(d, in->suppressed_count));
}

/* value NAN with samples -2 means: do not set the signal at all */
static int h_step(h *x, int64_t now, const char *sig, double v, int64_t samples)
{
    mlops_policy_obs_clear(x->obs);
    if (sig && samples != -2)
        assert_int_equal(mlops_policy_obs_set(x->obs, sig, v, samples), 0);
    assert_int_equal(mlops_policy_decide(x->d, x->st, x->p, x->obs, now, x->st, 0), 0);
    check_decision_views(x->d, x->p);
    return mlops_decision_action(x->d);
}

static char *h_json(h *x)
{
    mlops_buf b = MLOPS_BUF_INIT;
    assert_int_equal(mlops_decision_write_json(&b, x->d, 0), 0);
    char *s = strdup(b.data);
    mlops_buf_dispose(&b);
    return s;
}

static char *h_explain(h *x)
{
    mlops_buf b = MLOPS_BUF_INIT;
    assert_int_equal(mlops_decision_write_text(&b, x->d, 0), 0);
    char *s = strdup(b.data);
    mlops_buf_dispose(&b);
    return s;
}

/* ---- example policies ------------------------------------------------------ */

static void examples_pass_their_own_tests(void **state)
{
    (void)state;
    static const struct { const char *file; size_t tests; } ex[] = {
        {"drift-retrain.json", 5}, {"performance-rollback.json", 4},
        {"ci-promotion-gate.json", 6}};
    for (size_t i = 0; i < 3; i++) {
        size_t len;
        char *text = example(ex[i].file, &len);
        mlops_policy *p = NULL;
        if (mlops_policy_parse(&p, text, len, ex[i].file, 0))
            fail_msg("%s", mlops_error_last());
        size_t passed = 99, failed = 99;
        mlops_buf report = MLOPS_BUF_INIT;
        assert_int_equal(mlops_policy_run_tests(&passed, &failed, &report, p, 0), 0);
        if (failed)
            fail_msg("%s: %s", ex[i].file, report.data);
        assert_int_equal(passed, ex[i].tests);
        assert_int_equal(mlops_policy_test_count(p), ex[i].tests);
        assert_int_equal(mlops_policy_info(p)->test_count, ex[i].tests);
        size_t findings = 99;
        mlops_buf lint = MLOPS_BUF_INIT;
        assert_int_equal(mlops_policy_lint(&lint, &findings, p, 0), 0);
        if (findings)
            fail_msg("%s lint: %s", ex[i].file, lint.data);
        mlops_buf_dispose(&lint);
        mlops_buf_dispose(&report);
        mlops_policy_free(p);
        free(text);
    }
}

static void failing_embedded_test_is_reported_with_explanation(void **state)
{
    (void)state;
    mlops_policy *p = load(HDR "\"signals\":{\"x\":{\"kind\":\"score\"}},"
                               "\"rules\":[{\"id\":\"r\",\"action\":\"warn\","
                               "\"when\":{\"signal\":\"x\",\"gt\":1}}],"
                               "\"tests\":[{\"name\":\"wrong\",\"steps\":[{\"at\":\"0s\","
                               "\"signals\":{\"x\":2},\"expect\":\"none\"}]},"
                               "{\"name\":\"right\",\"steps\":[{\"at\":\"0s\","
                               "\"signals\":{\"x\":2},\"expect\":\"warn\",\"expect_rule\":\"r\"}]}]}");
    size_t passed, failed;
    mlops_buf report = MLOPS_BUF_INIT;
    assert_int_equal(mlops_policy_run_tests(&passed, &failed, &report, p, 0), 0);
    assert_int_equal(passed, 1);
    assert_int_equal(failed, 1);
    assert_non_null(strstr(report.data, "\"name\": \"wrong\""));
    assert_non_null(strstr(report.data, "rule r (warn): condition TRUE -> decided warn"));
    mlops_buf_dispose(&report);
    mlops_policy_free(p);
}

/* ---- hysteresis ---------------------------------------------------------------- */

typedef struct step {
    int64_t at_ms;
    double value;    /* NAN + samples -2: signal absent */
    int64_t samples;
    int action;
    int reason;      /* of rule 0 */
    int64_t wait_ms; /* of rule 0 */
} step;

static void run_table(const char *policy, const char *sig, const step *steps, size_t n)
{
    h x;
    h_open(&x, policy);
    for (size_t i = 0; i < n; i++) {
        int a = h_step(&x, steps[i].at_ms, sig, steps[i].value, steps[i].samples);
        /* LATCHED is a condition's reason; the rule itself decided (OK) */
        int got_reason = steps[i].reason == MLOPS_REASON_LATCHED
                             ? x.d->nodes[x.p->rules[0].root].reason
                             : mlops_decision_rule_reason(x.d, 0);
        if (a != steps[i].action || got_reason != steps[i].reason ||
            mlops_decision_rule_wait_ms(x.d, 0) != steps[i].wait_ms) {
            char *e = h_explain(&x);
            fail_msg("step %zu: action %s reason %s wait %lld, expected %s %s %lld\n%s", i,
                     mlops_policy_action_name(a), mlops_policy_reason_name(mlops_decision_rule_reason(x.d, 0)),
                     (long long)mlops_decision_rule_wait_ms(x.d, 0),
                     mlops_policy_action_name(steps[i].action), mlops_policy_reason_name(steps[i].reason),
                     (long long)steps[i].wait_ms, e);
        }
    }
    h_close(&x);
}

#define W MLOPS_ACTION_WARN
#define N MLOPS_ACTION_NONE
#define R MLOPS_ACTION_RETRAIN
#define OK MLOPS_REASON_OK

static void hysteresis_holds_latch_until_exit_threshold(void **state)
{
    (void)state;
    const char *up = HDR "\"signals\":{\"x\":{\"kind\":\"score\"}},\"rules\":[{\"id\":\"r\","
                         "\"action\":\"warn\",\"when\":{\"signal\":\"x\",\"gt\":0.5,\"exit\":0.25}}]}";
    const step s_up[] = {
        {0, 0.375, -1, N, OK, 0},
        {1, 0.625, -1, W, OK, 0},                    /* enters */
        {2, 0.375, -1, W, MLOPS_REASON_LATCHED, 0},  /* below enter, above exit: latched */
        {3, 0.2500001, -1, W, MLOPS_REASON_LATCHED, 0},
        {4, 0.25, -1, N, OK, 0},                     /* reaches exit: released */
        {5, 0.375, -1, N, OK, 0},                    /* not latched: needs enter again */
        {6, NAN, -2, N, MLOPS_REASON_UNKNOWN, 0},    /* missing: unknown */
        {7, 0.5, -1, N, OK, 0},                      /* gt is strict */
        {8, 0.75, -1, W, OK, 0},
        {9, NAN, -2, N, MLOPS_REASON_UNKNOWN, 0},    /* unknown keeps the latch ... */
        {10, 0.375, -1, W, MLOPS_REASON_LATCHED, 0}, /* ... so it still holds here */
    };
    run_table(up, "x", s_up, sizeof s_up / sizeof s_up[0]);
    const char *down = HDR "\"signals\":{\"x\":{\"kind\":\"score\"}},\"rules\":[{\"id\":\"r\","
                           "\"action\":\"warn\",\"when\":{\"signal\":\"x\",\"lte\":0.125,\"exit\":0.5}}]}";
    const step s_down[] = {
        {0, 0.25, -1, N, OK, 0},
        {1, 0.125, -1, W, OK, 0}, /* lte: boundary enters */
        {2, 0.375, -1, W, MLOPS_REASON_LATCHED, 0},
        {3, 0.5, -1, N, OK, 0},
        {4, 0.25, -1, N, OK, 0},
    };
    run_table(down, "x", s_down, sizeof s_down / sizeof s_down[0]);
}

static void for_30m_fires_after_continuous_truth_and_resets_when_broken(void **state)
{
    (void)state;
    const char *pol = HDR "\"signals\":{\"x\":{\"kind\":\"score\"}},\"rules\":[{\"id\":\"r\","
                          "\"action\":\"retrain\",\"for\":\"30m\",\"when\":{\"signal\":\"x\",\"gt\":1}}]}";
    const step s[] = {
        {0, 2, -1, N, MLOPS_REASON_PENDING, 30 * MIN},
        {29 * MIN + 59000, 2, -1, N, MLOPS_REASON_PENDING, 1000},
        {30 * MIN, 2, -1, R, OK, 0},
        {31 * MIN, 2, -1, R, OK, 0},
        {40 * MIN, 0, -1, N, OK, 0},                            /* broken */
        {50 * MIN, 2, -1, N, MLOPS_REASON_PENDING, 30 * MIN},   /* starts again */
        {79 * MIN, 2, -1, N, MLOPS_REASON_PENDING, 1 * MIN},
        {80 * MIN, NAN, -2, N, MLOPS_REASON_UNKNOWN, 0},        /* a gap breaks it too */
        {81 * MIN, 2, -1, N, MLOPS_REASON_PENDING, 30 * MIN},
        {111 * MIN, 2, -1, R, OK, 0},
    };
    run_table(pol, "x", s, sizeof s / sizeof s[0]);
}

static void consecutive_and_m_of_n_count_evaluations(void **state)
{
    (void)state;
    const char *cons = HDR "\"signals\":{\"x\":{\"kind\":\"score\"}},\"rules\":[{\"id\":\"r\","
                           "\"action\":\"warn\",\"consecutive\":3,\"when\":{\"signal\":\"x\",\"gt\":1}}]}";
    const step c[] = {
        {0, 2, -1, N, MLOPS_REASON_PENDING, 0}, {1, 2, -1, N, MLOPS_REASON_PENDING, 0},
        {2, 0, -1, N, OK, 0},                   {3, 2, -1, N, MLOPS_REASON_PENDING, 0},
        {4, 2, -1, N, MLOPS_REASON_PENDING, 0}, {5, 2, -1, W, OK, 0},
    };
    run_table(cons, "x", c, sizeof c / sizeof c[0]);
    const char *mn = HDR "\"signals\":{\"x\":{\"kind\":\"score\"}},\"rules\":[{\"id\":\"r\","
                         "\"action\":\"warn\",\"m_of_n\":[2,3],\"when\":{\"signal\":\"x\",\"gt\":1}}]}";
    const step m[] = {
        {0, 2, -1, N, MLOPS_REASON_PENDING, 0}, /* 1 of 1 */
        {1, 0, -1, N, OK, 0},                   /* F: never fires on a false evaluation */
        {2, 2, -1, W, OK, 0},                   /* T F T: 2 of 3 */
        {3, 0, -1, N, OK, 0},
        {4, 0, -1, N, OK, 0},                   /* window F F T */
        {5, 2, -1, N, MLOPS_REASON_PENDING, 0}, /* T F F: 1 of 3 */
        {6, 2, -1, W, OK, 0},
    };
    run_table(mn, "x", m, sizeof m / sizeof m[0]);
}

static void cooldown_suppresses_second_retrain_and_says_how_long(void **state)
{
    (void)state;
    h x;
    h_open(&x, HDR "\"signals\":{\"x\":{\"kind\":\"score\"}},\"rules\":[{\"id\":\"drift\","
                   "\"action\":\"retrain\",\"cooldown\":\"1h\",\"when\":{\"signal\":\"x\",\"gt\":1}},"
                   "{\"id\":\"w\",\"action\":\"warn\",\"when\":{\"signal\":\"x\",\"gt\":1}}]}");
    assert_int_equal(h_step(&x, 0, "x", 2, -1), R);
    assert_int_equal(h_step(&x, 10 * MIN, "x", 2, -1), W);
    assert_int_equal(mlops_decision_rule_reason(x.d, 0), MLOPS_REASON_COOLDOWN);
    assert_int_equal(mlops_decision_rule_wait_ms(x.d, 0), 50 * MIN);
    assert_int_equal(mlops_decision_suppressed_count(x.d), 1);
    assert_string_equal(mlops_decision_suppressed_rule(x.d, 0), "drift");
    assert_int_equal(mlops_decision_suppressed_action(x.d, 0), R);
    assert_int_equal(mlops_decision_suppressed_reason(x.d, 0), MLOPS_REASON_COOLDOWN);
    /* the same through the read-only structs */
    const struct mlops_decision_info *in = mlops_decision_info(x.d);
    assert_int_equal(in->action, W);
    assert_string_equal(in->rule, "w");
    assert_int_equal(in->time_ms, 10 * MIN);
    assert_int_equal(in->suppressed_count, 1);
    assert_int_equal(in->rule_count, 2);
    const mlops_decision_rule_trace_info *t0 = mlops_decision_rule_trace(x.d, 0),
                                         *t1 = mlops_decision_rule_trace(x.d, 1);
    assert_string_equal(t0->rule, "drift");
    assert_int_equal(t0->truth, MLOPS_TRUTH_TRUE);
    assert_int_equal(t0->reason, MLOPS_REASON_COOLDOWN);
    assert_int_equal(t0->wait_ms, 50 * MIN);
    assert_int_equal(t0->decided, 0);
    assert_string_equal(t1->rule, "w");
    assert_int_equal(t1->truth, MLOPS_TRUTH_TRUE);
    assert_int_equal(t1->reason, MLOPS_REASON_OK);
    assert_int_equal(t1->wait_ms, 0);
    assert_int_equal(t1->decided, 1);
    assert_null(mlops_decision_rule_trace(x.d, 2));
    const mlops_decision_suppressed_info *s0 = mlops_decision_suppressed(x.d, 0);
    assert_string_equal(s0->rule, "drift");
    assert_int_equal(s0->action, R);
    assert_int_equal(s0->reason, MLOPS_REASON_COOLDOWN);
    assert_int_equal(s0->wait_ms, 3000000);
    assert_null(mlops_decision_suppressed(x.d, 1));
    assert_null(mlops_decision_suppressed(x.d, SIZE_MAX));
    assert_null(mlops_decision_info(NULL));
    assert_null(mlops_decision_rule_trace(NULL, 0));
    assert_null(mlops_decision_suppressed(NULL, 0));
    char *e = h_explain(&x);
    assert_non_null(strstr(e, "rule drift (retrain): condition TRUE -> suppressed (COOLDOWN) "
                              "for another 50m\n"));
    free(e);
    char *j = h_json(&x);
    assert_non_null(strstr(j, "{\"action\":\"retrain\",\"reason\":\"COOLDOWN\",\"rule\":\"drift\","
                              "\"wait_ms\":3000000}"));
    free(j);
    assert_int_equal(h_step(&x, 59 * MIN + 59999, "x", 2, -1), W);
    assert_int_equal(mlops_decision_rule_wait_ms(x.d, 0), 1);
    assert_int_equal(h_step(&x, 60 * MIN, "x", 2, -1), R);
    /* the structs were rewritten in place by each decide: drift decides now */
    assert_ptr_equal(mlops_decision_info(x.d), in);
    assert_int_equal(in->action, R);
    assert_string_equal(in->rule, "drift");
    assert_int_equal(in->time_ms, 60 * MIN);
    assert_int_equal(in->suppressed_count, 1);
    assert_int_equal(t0->reason, MLOPS_REASON_OK);
    assert_int_equal(t0->decided, 1);
    assert_int_equal(t1->decided, 0);
    assert_int_equal(t1->reason, MLOPS_REASON_SUPPRESSED_BY);
    /* w fired with a lower action: suppressed by drift */
    assert_int_equal(mlops_decision_suppressed_count(x.d), 1);
    assert_string_equal(mlops_decision_suppressed(x.d, 0)->rule, "w");
    assert_int_equal(mlops_decision_suppressed(x.d, 0)->action, W);
    assert_int_equal(mlops_decision_suppressed(x.d, 0)->reason, MLOPS_REASON_SUPPRESSED_BY);
    h_close(&x);
}

static void budget_and_min_since_training_suppress(void **state)
{
    (void)state;
    h x;
    h_open(&x, HDR "\"signals\":{\"x\":{\"kind\":\"score\"}},\"rules\":[{\"id\":\"r\","
                   "\"action\":\"retrain\",\"budget\":{\"max\":2,\"period\":\"1d\"},"
                   "\"min_since_training\":\"2h\",\"when\":{\"signal\":\"x\",\"gt\":1}}]}");
    assert_int_equal(mlops_policy_state_set_last_training(x.st, -60 * MIN), 0);
    assert_int_equal(h_step(&x, 0, "x", 2, -1), N);
    assert_int_equal(mlops_decision_rule_reason(x.d, 0), MLOPS_REASON_MIN_SINCE_TRAINING);
    assert_int_equal(mlops_decision_rule_wait_ms(x.d, 0), 60 * MIN);
    assert_int_equal(h_step(&x, 60 * MIN, "x", 2, -1), R);
    assert_int_equal(h_step(&x, 3 * 60 * MIN, "x", 2, -1), R);
    assert_int_equal(h_step(&x, 6 * 60 * MIN, "x", 2, -1), N);
    assert_int_equal(mlops_decision_rule_reason(x.d, 0), MLOPS_REASON_BUDGET);
    /* the first of the two leaves the 1-day window at 25h */
    assert_int_equal(mlops_decision_rule_wait_ms(x.d, 0), 19 * 60 * MIN);
    assert_int_equal(h_step(&x, 25 * 60 * MIN, "x", 2, -1), R);
    h_close(&x);

    /* the budget counts every decision of the action, and frees up when the
     * max-th most recent one leaves the window */
    h_open(&x, HDR "\"signals\":{\"x\":{\"kind\":\"score\"},\"y\":{\"kind\":\"score\"}},"
                   "\"rules\":[{\"id\":\"a\",\"action\":\"retrain\",\"budget\":{\"max\":1,"
                   "\"period\":\"1d\"},\"when\":{\"signal\":\"x\",\"gt\":1}},"
                   "{\"id\":\"b\",\"action\":\"retrain\",\"when\":{\"signal\":\"y\",\"gt\":1}}]}");
    assert_int_equal(h_step(&x, 0, "x", 2, -1), R);
    assert_string_equal(mlops_decision_rule(x.d), "a");
    mlops_policy_obs_clear(x.obs);
    mlops_policy_obs_set(x.obs, "x", 2, -1);
    mlops_policy_obs_set(x.obs, "y", 2, -1);
    assert_int_equal(mlops_policy_decide(x.d, x.st, x.p, x.obs, 60 * MIN, x.st, 0), 0);
    assert_string_equal(mlops_decision_rule(x.d), "b");
    assert_int_equal(mlops_decision_rule_reason(x.d, 0), MLOPS_REASON_BUDGET);
    assert_int_equal(mlops_decision_rule_wait_ms(x.d, 0), 23 * 60 * MIN);
    assert_int_equal(h_step(&x, 2 * 60 * MIN, "x", 2, -1), N);
    assert_int_equal(mlops_decision_rule_wait_ms(x.d, 0), 23 * 60 * MIN); /* 1h + 24h - 2h */
    assert_int_equal(h_step(&x, 25 * 60 * MIN, "x", 2, -1), R);
    h_close(&x);
}

static void dry_run_is_traced_never_decided(void **state)
{
    (void)state;
    h x;
    h_open(&x, HDR "\"signals\":{\"x\":{\"kind\":\"score\"}},\"rules\":[{\"id\":\"r\","
                   "\"action\":\"rollback\",\"dry_run\":true,\"when\":{\"signal\":\"x\",\"gt\":1}}]}");
    assert_int_equal(h_step(&x, 0, "x", 2, -1), N);
    assert_int_equal(mlops_decision_rule_reason(x.d, 0), MLOPS_REASON_DRY_RUN);
    assert_int_equal(mlops_decision_suppressed_count(x.d), 1);
    assert_int_equal(mlops_decision_suppressed_reason(x.d, 0), MLOPS_REASON_DRY_RUN);
    assert_int_equal(mlops_decision_suppressed(x.d, 0)->action, MLOPS_ACTION_ROLLBACK);
    assert_int_equal(mlops_decision_suppressed(x.d, 0)->reason, MLOPS_REASON_DRY_RUN);
    assert_int_equal(mlops_decision_rule_trace(x.d, 0)->reason, MLOPS_REASON_DRY_RUN);
    assert_null(mlops_decision_info(x.d)->rule);
    const mlops_policy_rule_info *ri = mlops_policy_rule(x.p, 0);
    assert_int_equal(ri->dry_run, 1);
    assert_int_equal(ri->action, MLOPS_ACTION_ROLLBACK);
    char *e = h_explain(&x);
    assert_non_null(strstr(e, "-> would rollback (dry run)"));
    free(e);
    h_close(&x);
}

/* ---- three-valued logic -------------------------------------------------------- */

static void unknown_never_fires(void **state)
{
    (void)state;
    /* every way a value can be unknown, under a rule and under its negation */
    static const struct { double v; int64_t samples; int reason; } cases[] = {
        {NAN, -2, MLOPS_REASON_MISSING},
        {NAN, 5000, MLOPS_REASON_NAN},
        {2, 99, MLOPS_REASON_LOW_SAMPLES},
        {2, -1, MLOPS_REASON_LOW_SAMPLES}, /* a sample count is required and not given */
    };
    const char *pols[] = {
        HDR "\"signals\":{\"x\":{\"kind\":\"score\"}},\"rules\":[{\"id\":\"r\",\"action\":"
            "\"rollback\",\"when\":{\"signal\":\"x\",\"gt\":1,\"min_samples\":100}}]}",
        HDR "\"signals\":{\"x\":{\"kind\":\"score\"}},\"rules\":[{\"id\":\"r\",\"action\":"
            "\"rollback\",\"when\":{\"not\":{\"signal\":\"x\",\"gt\":1,\"min_samples\":100}}}]}",
        HDR "\"defaults\":{\"min_samples\":100},\"signals\":{\"x\":{\"kind\":\"score\"}},"
            "\"rules\":[{\"id\":\"r\",\"action\":\"rollback\",\"when\":{\"any_of\":[{\"signal\":"
            "\"x\",\"gt\":1},{\"signal\":\"x\",\"lte\":1}]}}]}",
    };
    for (size_t p = 0; p < 3; p++) {
        for (size_t i = 0; i < 4; i++) {
            h x;
            h_open(&x, pols[p]);
            assert_int_equal(h_step(&x, 0, "x", cases[i].v, cases[i].samples), N);
            assert_int_equal(mlops_decision_rule_truth(x.d, 0), MLOPS_TRUTH_UNKNOWN);
            assert_int_equal(mlops_decision_rule_reason(x.d, 0), MLOPS_REASON_UNKNOWN);
            assert_int_equal(x.d->nodes[x.p->rules[0].root].reason, cases[i].reason);
            h_close(&x);
        }
    }
    /* on_unknown surfaces it as the configured action, with reason UNKNOWN */
    h x;
    h_open(&x, HDR "\"signals\":{\"x\":{\"kind\":\"score\"}},\"rules\":[{\"id\":\"r\","
                   "\"action\":\"rollback\",\"on_unknown\":\"block_promotion\","
                   "\"when\":{\"signal\":\"x\",\"gt\":1}}]}");
    assert_int_equal(h_step(&x, 0, "x", NAN, -2), MLOPS_ACTION_BLOCK_PROMOTION);
    assert_string_equal(mlops_decision_rule(x.d), "r");
    assert_int_equal(mlops_decision_rule_reason(x.d, 0), MLOPS_REASON_UNKNOWN);
    h_close(&x);
}

static void composition_follows_kleene_logic(void **state)
{
    (void)state;
    /* a, b: T = 1, F = -1, U = absent; conditions "gt 0" */
    static const int vals[3] = {MLOPS_TRUTH_TRUE, MLOPS_TRUTH_FALSE, MLOPS_TRUTH_UNKNOWN};
    static const char *forms[] = {
        "{\"all_of\":[{\"signal\":\"a\",\"gt\":0},{\"signal\":\"b\",\"gt\":0}]}",
        "{\"any_of\":[{\"signal\":\"a\",\"gt\":0},{\"signal\":\"b\",\"gt\":0}]}",
        "{\"at_least\":{\"k\":1,\"of\":[{\"signal\":\"a\",\"gt\":0},{\"signal\":\"b\",\"gt\":0}]}}",
        "{\"not\":{\"signal\":\"a\",\"gt\":0}}",
    };
    enum { Tt = MLOPS_TRUTH_TRUE, Ff = MLOPS_TRUTH_FALSE, Uu = MLOPS_TRUTH_UNKNOWN };
    /* expected[form][a][b], Kleene's strong three-valued logic */
    static const int expected[4][3][3] = {
        {{Tt, Ff, Uu}, {Ff, Ff, Ff}, {Uu, Ff, Uu}},
        {{Tt, Tt, Tt}, {Tt, Ff, Uu}, {Tt, Uu, Uu}},
        {{Tt, Tt, Tt}, {Tt, Ff, Uu}, {Tt, Uu, Uu}},
        {{Ff, Ff, Ff}, {Tt, Tt, Tt}, {Uu, Uu, Uu}},
    };
    for (size_t f = 0; f < 4; f++) {
        char pol[1024];
        snprintf(pol, sizeof pol,
                 HDR "\"signals\":{\"a\":{\"kind\":\"score\"},\"b\":{\"kind\":\"score\"}},"
                     "\"rules\":[{\"id\":\"r\",\"action\":\"warn\",\"when\":%s}]}",
                 forms[f]);
        for (int a = 0; a < 3; a++) {
            for (int b = 0; b < 3; b++) {
                h x;
                h_open(&x, pol);
                if (vals[a] != MLOPS_TRUTH_UNKNOWN)
                    mlops_policy_obs_set(x.obs, "a", vals[a] == MLOPS_TRUTH_TRUE ? 1 : -1, -1);
                if (vals[b] != MLOPS_TRUTH_UNKNOWN)
                    mlops_policy_obs_set(x.obs, "b", vals[b] == MLOPS_TRUTH_TRUE ? 1 : -1, -1);
                assert_int_equal(mlops_policy_decide(x.d, x.st, x.p, x.obs, 0, NULL, 0), 0);
                if (mlops_decision_rule_truth(x.d, 0) != expected[f][a][b])
                    fail_msg("%s with a=%d b=%d gave %d", forms[f], a, b,
                             mlops_decision_rule_truth(x.d, 0));
                assert_int_equal(mlops_decision_action(x.d), expected[f][a][b] == Tt ? W : N);
                h_close(&x);
            }
        }
    }
}

static void comparators_apply_tolerances(void **state)
{
    (void)state;
    /* tol = max(abs_tol, rel_tol*|threshold|); values within tol of a threshold
     * count as equal to it */
    static const struct { const char *cmp; double v; int truth; } t[] = {
        {"\"gt\":1", 1, 0},           {"\"gt\":1", 1.5, 1},
        {"\"gt\":1,\"abs_tol\":0.5", 1.5, 0}, {"\"gt\":1,\"abs_tol\":0.5", 1.75, 1},
        {"\"gte\":1", 1, 1},          {"\"gte\":1,\"abs_tol\":0.25", 0.75, 1},
        {"\"gte\":1,\"abs_tol\":0.25", 0.5, 0},
        {"\"lt\":4", 4, 0},           {"\"lt\":4,\"rel_tol\":0.25", 3, 0},
        {"\"lt\":4,\"rel_tol\":0.25", 2.5, 1},
        {"\"lte\":4", 4, 1},          {"\"lte\":4,\"rel_tol\":0.25", 5, 1},
        {"\"lte\":4,\"rel_tol\":0.25", 5.5, 0},
        {"\"eq\":2", 2, 1},           {"\"eq\":2", 2.5, 0},
        {"\"eq\":2,\"abs_tol\":0.5", 2.5, 1}, {"\"eq\":2,\"abs_tol\":0.5", 1.25, 0},
        {"\"ne\":2", 2.5, 1},         {"\"ne\":2,\"abs_tol\":0.5", 2.5, 0},
        {"\"between\":[1,2]", 1, 1},  {"\"between\":[1,2]", 2, 1},
        {"\"between\":[1,2]", 2.5, 0},
        {"\"between\":[1,2],\"abs_tol\":0.5", 2.5, 1},
        {"\"outside\":[1,2]", 1, 0},  {"\"outside\":[1,2]", 0.5, 1},
        {"\"outside\":[1,2]", 3, 1},  {"\"outside\":[1,2],\"abs_tol\":1", 3, 0},
        {"\"gt\":-1", -0.5, 1},       {"\"gt\":1", INFINITY, 1},
        {"\"lt\":1", -INFINITY, 1},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        char pol[512];
        snprintf(pol, sizeof pol,
                 HDR "\"signals\":{\"x\":{\"kind\":\"score\"}},\"rules\":[{\"id\":\"r\","
                     "\"action\":\"warn\",\"when\":{\"signal\":\"x\",%s}}]}",
                 t[i].cmp);
        h x;
        h_open(&x, pol);
        h_step(&x, 0, "x", t[i].v, -1);
        if (mlops_decision_rule_truth(x.d, 0) != t[i].truth)
            fail_msg("case %zu {%s} with %g: got %d", i, t[i].cmp, t[i].v,
                     mlops_decision_rule_truth(x.d, 0));
        h_close(&x);
    }
}

/* ---- aggregation ------------------------------------------------------------------ */

static double *read_array(const mlops__json *root, const char *key, size_t *n)
{
    const mlops__json *a = mlops__json_object_find(root, key);
    assert_non_null(a);
    *n = mlops__json_array_size(a);
    double *out = malloc(*n * sizeof *out);
    for (size_t i = 0; i < *n; i++)
        out[i] = mlops__json_double(mlops__json_array_get(a, i));
    return out;
}

static void corrections_match_adjusted_p_values(void **state)
{
    (void)state;
    char path[1024];
    size_t len;
    snprintf(path, sizeof path, "%s/drift/pvalue-adjust.json", vectors());
    char *text = slurp(path, &len);
    mlops__json_doc *doc = NULL;
    assert_int_equal(mlops__json_parse(&doc, text, len, NULL, path), 0);
    const mlops__json *root = mlops__json_root(doc);
    size_t n, na;
    double *p = read_array(root, "pvalues", &n);
    static const char *methods[] = {"none", "bonferroni", "holm", "bh"};
    static const double alphas[] = {0.001, 0.01, 0.03, 0.05, 0.1, 0.2, 0.5, 0.7, 0.95};
    for (size_t m = 0; m < 4; m++) {
        double *adj = m ? read_array(root, methods[m], &na) : p;
        for (size_t a = 0; a < sizeof alphas / sizeof alphas[0]; a++) {
            size_t expect = 0;
            for (size_t i = 0; i < n; i++)
                expect += adj[i] <= alphas[a];
            char pol[1024];
            snprintf(pol, sizeof pol,
                     HDR "\"signals\":{\"p.*\":{\"kind\":\"p_value\"}},\"rules\":[{\"id\":\"r\","
                         "\"action\":\"warn\",\"when\":{\"over\":\"p.*\",\"alpha\":%.17g,"
                         "\"correction\":\"%s\",\"count\":{\"eq\":%zu}}}]}",
                     alphas[a], methods[m], expect);
            h x;
            h_open(&x, pol);
            for (size_t i = 0; i < n; i++) {
                char name[32];
                snprintf(name, sizeof name, "p.f%02zu", i);
                assert_int_equal(mlops_policy_obs_set(x.obs, name, p[i], -1), 0);
            }
            assert_int_equal(mlops_policy_decide(x.d, x.st, x.p, x.obs, 0, NULL, 0), 0);
            const mlops__node_trace *tr = &x.d->nodes[x.p->rules[0].root];
            if (tr->n_true != expect)
                fail_msg("%s at alpha %g: %u rejected, expected %zu", methods[m], alphas[a],
                         tr->n_true, expect);
            assert_int_equal(mlops_decision_action(x.d), W);
            h_close(&x);
        }
        if (m)
            free(adj);
    }
    free(p);
    mlops__json_doc_free(doc);
    free(text);
}

static void aggregation_reducers_and_unknown_members(void **state)
{
    (void)state;
    /* features f1..f4 = 0.5, 0.125, 0.375, absent/low samples; each gt 0.25 */
    static const struct { const char *reduce; int truth; } t[] = {
        {"\"any\":true", MLOPS_TRUTH_TRUE},
        {"\"all\":true", MLOPS_TRUTH_FALSE},
        {"\"count\":{\"gte\":2}", MLOPS_TRUTH_TRUE},   /* 2 true (+1 unknown) */
        {"\"count\":{\"gte\":3}", MLOPS_TRUTH_UNKNOWN},/* 2..3 */
        {"\"count\":{\"gte\":4}", MLOPS_TRUTH_FALSE},  /* at most 3 */
        {"\"share\":{\"gte\":0.5}", MLOPS_TRUTH_TRUE}, /* 2/4..3/4 */
        {"\"share\":{\"gt\":0.5}", MLOPS_TRUTH_UNKNOWN},
        {"\"share\":{\"between\":[0.25,0.75]}", MLOPS_TRUTH_TRUE},
        {"\"share\":{\"outside\":[0.6,0.7]}", MLOPS_TRUTH_UNKNOWN},
        /* weights: f1 3, f2 1, f3 0, f4 default 1: true weight 3 of 5, unknown 1 */
        {"\"weighted_share\":{\"gte\":0.6},\"weights\":{\"f1\":3,\"f2\":1,\"f3\":0}", MLOPS_TRUTH_TRUE},
        {"\"weighted_share\":{\"gte\":0.7},\"weights\":{\"f1\":3,\"f2\":1,\"f3\":0}", MLOPS_TRUTH_UNKNOWN},
        {"\"weighted_share\":{\"gt\":0.8},\"weights\":{\"f1\":3,\"f2\":1,\"f3\":0}", MLOPS_TRUTH_FALSE},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        char pol[1024];
        snprintf(pol, sizeof pol,
                 HDR "\"signals\":{\"f*\":{\"kind\":\"score\"}},\"rules\":[{\"id\":\"r\","
                     "\"action\":\"warn\",\"when\":{\"over\":\"f*\",\"each\":{\"gt\":0.25},"
                     "\"min_samples\":10,%s}}]}",
                 t[i].reduce);
        h x;
        h_open(&x, pol);
        mlops_policy_obs_set(x.obs, "f1", 0.5, 100);
        mlops_policy_obs_set(x.obs, "f2", 0.125, 100);
        mlops_policy_obs_set(x.obs, "f3", 0.375, 100);
        mlops_policy_obs_set(x.obs, "f4", 0.9, 5);
        mlops_policy_obs_set(x.obs, "g1", 0.9, 100); /* outside the glob */
        assert_int_equal(mlops_policy_decide(x.d, x.st, x.p, x.obs, 0, NULL, 0), 0);
        if (mlops_decision_rule_truth(x.d, 0) != t[i].truth)
            fail_msg("case %zu {%s}: got %d, expected %d", i, t[i].reduce,
                     mlops_decision_rule_truth(x.d, 0), t[i].truth);
        const mlops__node_trace *tr = &x.d->nodes[x.p->rules[0].root];
        assert_int_equal(tr->matched, 4);
        assert_int_equal(tr->n_unknown, 1);
        if (i == 5) {
            /* share: 2 of 4 true, f1 the strongest (margin 0.25), exact bytes */
            char *j = h_json(&x);
            assert_non_null(strstr(j, "\"conditions\":[{\"each_op\":\"gt\",\"kind\":\"aggregate\","
                                      "\"margin\":0,\"matched\":4,\"op\":\"gte\",\"over\":\"f*\","
                                      "\"path\":\"$.rules[0].when\",\"reason\":\"OK\",\"reduce\":\"share\","
                                      "\"strongest\":{\"signal\":\"f1\",\"value\":0.5},\"threshold\":0.5,"
                                      "\"true\":2,\"truth\":\"TRUE\",\"unknown\":1,\"value\":0.5}]"));
            free(j);
            char *e = h_explain(&x);
            assert_non_null(strstr(e, "    $.rules[0].when: share over f*: 2 of 4 true, 1 unknown; "
                                      "share = 0.5 gte 0.5; strongest f1 = 0.5: TRUE\n"));
            free(e);
        }
        h_close(&x);
    }
}

static void long_member_names_are_cut_on_a_character_boundary(void **state)
{
    (void)state;
    h x;
    h_open(&x, HDR "\"signals\":{\"f*\":{\"kind\":\"score\"}},\"rules\":[{\"id\":\"r\","
                   "\"action\":\"warn\",\"when\":{\"over\":\"f*\",\"each\":{\"gt\":0},\"any\":true}}]}");
    char name[256] = "f";
    for (int i = 0; i < 100; i++)
        strcat(name, "\xC3\xA9"); /* U+00E9, 2 bytes */
    assert_int_equal(mlops_policy_obs_set(x.obs, name, 1, -1), 0);
    assert_int_equal(mlops_policy_decide(x.d, x.st, x.p, x.obs, 0, NULL, 0), 0);
    char *j = h_json(&x);
    mlops__json_doc *doc = NULL;
    assert_int_equal(mlops__json_parse(&doc, j, strlen(j), NULL, "trace"), 0); /* valid UTF-8 */
    const mlops__json *rules = mlops__json_object_find(mlops__json_root(doc), "rules");
    const mlops__json *cond = mlops__json_array_get(
        mlops__json_object_find(mlops__json_array_get(rules, 0), "conditions"), 0);
    size_t len;
    const char *got = mlops__json_string(
        mlops__json_object_find(mlops__json_object_find(cond, "strongest"), "signal"), &len);
    /* 1 + 45 whole characters (91 bytes) and "..." */
    assert_int_equal(len, 94);
    assert_memory_equal(got, name, 91);
    assert_string_equal(got + 91, "...");
    mlops__json_doc_free(doc);
    free(j);
    h_close(&x);
}

/* ---- ranking ------------------------------------------------------------------------ */

static void highest_action_wins_ties_by_rule_order(void **state)
{
    (void)state;
    h x;
    h_open(&x, HDR "\"signals\":{\"x\":{\"kind\":\"score\"}},\"rules\":["
                   "{\"id\":\"w\",\"action\":\"warn\",\"when\":{\"signal\":\"x\",\"gt\":0}},"
                   "{\"id\":\"rb1\",\"action\":\"rollback\",\"when\":{\"signal\":\"x\",\"gt\":0}},"
                   "{\"id\":\"rt\",\"action\":\"retrain\",\"when\":{\"signal\":\"x\",\"gt\":0}},"
                   "{\"id\":\"bp\",\"action\":\"block_promotion\",\"when\":{\"signal\":\"x\",\"gt\":5}},"
                   "{\"id\":\"rb2\",\"action\":\"rollback\",\"when\":{\"signal\":\"x\",\"gt\":0}}]}");
    assert_int_equal(h_step(&x, 0, "x", 1, -1), MLOPS_ACTION_ROLLBACK);
    assert_string_equal(mlops_decision_rule(x.d), "rb1");
    assert_int_equal(mlops_decision_suppressed_count(x.d), 3);
    static const char *ids[] = {"w", "rt", "rb2"};
    static const int acts[] = {W, R, MLOPS_ACTION_ROLLBACK};
    for (size_t i = 0; i < 3; i++) {
        assert_string_equal(mlops_decision_suppressed_rule(x.d, i), ids[i]);
        assert_int_equal(mlops_decision_suppressed_action(x.d, i), acts[i]);
        assert_int_equal(mlops_decision_suppressed_reason(x.d, i), MLOPS_REASON_SUPPRESSED_BY);
    }
    char *j = h_json(&x);
    assert_non_null(strstr(j, "{\"action\":\"warn\",\"by\":\"rb1\",\"reason\":\"SUPPRESSED_BY\","
                              "\"rule\":\"w\"}"));
    free(j);
    assert_null(mlops_decision_suppressed_rule(x.d, 3));
    assert_int_equal(mlops_decision_suppressed_action(x.d, 3), -1);
    h_close(&x);
}

/* ---- determinism, state, trace bytes -------------------------------------------------- */

static const char *det_policy =
    HDR "\"signals\":{\"x\":{\"kind\":\"score\"},\"f*\":{\"kind\":\"score\"}},\"rules\":["
        "{\"id\":\"a\",\"action\":\"retrain\",\"for\":\"10m\",\"cooldown\":\"1h\","
        "\"when\":{\"all_of\":[{\"signal\":\"x\",\"gt\":0.5,\"exit\":0.2},"
        "{\"over\":\"f*\",\"each\":{\"gt\":0.1},\"share\":{\"gte\":0.3}}]}},"
        "{\"id\":\"b\",\"action\":\"warn\",\"m_of_n\":[2,4],\"when\":{\"signal\":\"x\",\"gt\":0.3}}]}";

static void feed_order(h *x, int i, int reverse)
{
    mlops_policy_obs_clear(x->obs);
    double v = 0.5 + 0.45 * sin(i * 0.7);
    if (i % 7 != 3 && !reverse)
        mlops_policy_obs_set(x->obs, "x", v, 100 + i);
    for (int j = 0; j < 5; j++) {
        int k = reverse ? 4 - j : j;
        char name[8];
        snprintf(name, sizeof name, "f%d", k);
        mlops_policy_obs_set(x->obs, name, 0.2 * cos(i * 0.3 + k), -1);
    }
    if (i % 7 != 3 && reverse)
        mlops_policy_obs_set(x->obs, "x", v, 100 + i);
}

static void feed(h *x, int i) { feed_order(x, i, 0); }

static void same_inputs_and_state_give_same_bytes(void **state)
{
    (void)state;
    h a, b;
    h_open(&a, det_policy);
    h_open(&b, det_policy);
    mlops_buf state_bytes = MLOPS_BUF_INIT;
    for (int i = 0; i < 200; i++) {
        int64_t now = (int64_t)i * 5 * MIN;
        feed(&a, i);
        assert_int_equal(mlops_policy_decide(a.d, a.st, a.p, a.obs, now, a.st, 0), 0);
        /* b saves its state to bytes and reloads it into a fresh state each
         * step, and sets its signals in the opposite order */
        mlops_policy_state_free(b.st);
        assert_int_equal(mlops_policy_state_new(&b.st, b.p), 0);
        if (state_bytes.size)
            assert_int_equal(state_load(&b.st, b.p, state_bytes.data, state_bytes.size), 0);
        feed_order(&b, i, 1);
        assert_int_equal(mlops_policy_decide(b.d, b.st, b.p, b.obs, now, b.st, 0), 0);
        char *ja = h_json(&a), *jb = h_json(&b), *ea = h_explain(&a), *eb = h_explain(&b);
        assert_string_equal(ja, jb);
        assert_string_equal(ea, eb);
        free(ja); free(jb); free(ea); free(eb);
        mlops_buf sa = MLOPS_BUF_INIT;
        assert_int_equal(mlops_policy_state_write_json(&sa, a.st, 0), 0);
        mlops_buf_dispose(&state_bytes);
        assert_int_equal(mlops_policy_state_write_json(&state_bytes, b.st, 0), 0);
        assert_string_equal(sa.data, state_bytes.data);
        mlops_buf_dispose(&sa);
    }
    mlops_buf_dispose(&state_bytes);
    h_close(&a);
    h_close(&b);
}

static void decision_json_and_explanation_bytes(void **state)
{
    (void)state;
    h x;
    h_open(&x, HDR "\"signals\":{\"x\":{\"kind\":\"score\"}},\"rules\":[{\"id\":\"r\","
                   "\"action\":\"retrain\",\"for\":\"30m\",\"when\":{\"signal\":\"x\",\"gt\":0.1,"
                   "\"min_samples\":10}}]}");
    assert_int_equal(h_step(&x, 1767225600000LL, "x", 0.30000000000000004, 12), N);
    char *j = h_json(&x);
    /* digest: SHA-256 of the policy's canonical bytes, computed independently */
    char expected[4096];
    snprintf(expected, sizeof expected,
             "{\"action\":\"none\",\"now_ms\":1767225600000,\"policy\":{\"digest\":\"%s\","
             "\"id\":\"t\",\"revision\":1},\"rule\":null,\"rules\":[{\"action\":\"retrain\","
             "\"conditions\":[{\"kind\":\"compare\",\"margin\":0.20000000000000004,\"op\":\"gt\","
             "\"path\":\"$.rules[0].when\",\"reason\":\"OK\",\"samples\":12,\"signal\":\"x\","
             "\"threshold\":0.1,\"truth\":\"TRUE\",\"value\":0.30000000000000004}],"
             "\"decided\":false,\"for_ms\":1800000,\"held_ms\":0,\"id\":\"r\",\"reason\":"
             "\"PENDING\",\"truth\":\"TRUE\",\"wait_ms\":1800000}],\"schema\":"
             "\"libmlops.decision/v1\",\"suppressed\":[]}",
             mlops_policy_digest(x.p));
    assert_string_equal(j, expected);
    free(j);
    char *e = h_explain(&x);
    snprintf(expected, sizeof expected,
             "policy t revision 1 (%s) at 2026-01-01T00:00:00Z\n"
             "decision: none\n"
             "rule r (retrain): condition TRUE -> pending: held 0s of 30m, 30m to go\n"
             /* for people: 4 significant digits as Python's f"{x:.4g}" writes
              * 0.30000000000000004 and 0.20000000000000004; the JSON above
              * keeps every digit */
             "    $.rules[0].when: x = 0.3 gt 0.1: TRUE, margin 0.2, 12 samples\n",
             mlops_policy_digest(x.p));
    assert_string_equal(e, expected);
    free(e);
    h_close(&x);
}

static void policy_digest_is_sha256_of_canonical_bytes(void **state)
{
    (void)state;
    /* canonical form of the document below, written by hand per RFC 8785 */
    const char *doc = "{ \"revision\": 1, \"schema\": \"libmlops.policy/v1\",\n"
                      "  \"policy_id\": \"t\", \"signals\": {},\n"
                      "  \"rules\": [{\"when\": {\"signal\": \"x\", \"gt\": 1.50}, \"id\": \"r\", "
                      "\"action\": \"warn\"}]}";
    const char *canon = "{\"policy_id\":\"t\",\"revision\":1,\"rules\":[{\"action\":\"warn\","
                        "\"id\":\"r\",\"when\":{\"gt\":1.5,\"signal\":\"x\"}}],\"schema\":"
                        "\"libmlops.policy/v1\",\"signals\":{}}";
    uint8_t d[32];
    char hex[MLOPS_DIGEST_STRING_SIZE];
    assert_int_equal(mlops_digest_buffer(d, canon, strlen(canon)), 0);
    assert_int_equal(mlops_digest_format(hex, d), 0);
    mlops_policy *p = load(doc);
    assert_string_equal(mlops_policy_digest(p), hex);
    assert_string_equal(mlops_policy_id(p), "t");
    assert_int_equal(mlops_policy_revision(p), 1);
    assert_int_equal(mlops_policy_rule_count(p), 1);
    assert_string_equal(mlops_policy_rule_id(p, 0), "r");
    assert_null(mlops_policy_rule_id(p, 1));
    /* the same through the read-only structs */
    const struct mlops_policy_info *in = mlops_policy_info(p);
    assert_non_null(in);
    assert_int_equal(in->version, MLOPS_POLICY_INFO_VERSION);
    assert_int_equal(in->size, sizeof *in);
    assert_true(MLOPS_INFO_HAS(in, struct mlops_policy_info, test_count));
    assert_string_equal(in->id, "t");
    assert_int_equal(in->revision, 1);
    assert_string_equal(in->digest, hex);
    assert_int_equal(in->rule_count, 1);
    assert_int_equal(in->test_count, 0);
    const mlops_policy_rule_info *r = mlops_policy_rule(p, 0);
    assert_non_null(r);
    assert_int_equal(r->version, MLOPS_POLICY_RULE_INFO_VERSION);
    assert_int_equal(r->size, sizeof *r);
    assert_string_equal(r->id, "r");
    assert_int_equal(r->action, MLOPS_ACTION_WARN);
    assert_null(r->description);
    assert_int_equal(r->dry_run, 0);
    assert_null(mlops_policy_rule(p, 1));
    assert_null(mlops_policy_rule(p, SIZE_MAX));
    assert_null(mlops_policy_rule(NULL, 0));
    assert_null(mlops_policy_info(NULL));
    mlops_policy_free(p);

    /* every rule of an example, in document order, as the file says */
    size_t len;
    char *text = example("drift-retrain.json", &len);
    assert_int_equal(mlops_policy_parse(&p, text, len, "drift-retrain.json", 0), 0);
    in = mlops_policy_info(p);
    assert_string_equal(in->id, "fraud-drift-retrain");
    assert_int_equal(in->revision, 1);
    assert_int_equal(in->rule_count, 2);
    assert_int_equal(in->test_count, 5);
    static const struct { const char *id; int action; const char *description; } want[] = {
        {"feature-drift", MLOPS_ACTION_RETRAIN,
         "a fifth of the features moved (PSI > 0.25), or three KS tests reject after Holm"},
        {"drift-warning", MLOPS_ACTION_WARN, NULL},
    };
    for (size_t i = 0; i < 2; i++) {
        r = mlops_policy_rule(p, i);
        assert_string_equal(r->id, want[i].id);
        assert_int_equal(r->action, want[i].action);
        assert_true(str_eq(r->description, want[i].description));
        assert_int_equal(r->dry_run, 0);
    }
    mlops_policy_free(p);
    free(text);
}

static void state_carries_over_to_an_edited_policy_by_rule_id(void **state)
{
    (void)state;
    h a, b;
    h_open(&a, HDR "\"signals\":{\"x\":{\"kind\":\"score\"}},\"rules\":["
                   "{\"id\":\"lat\",\"action\":\"warn\",\"when\":{\"signal\":\"x\",\"gt\":0.5,\"exit\":0.25}},"
                   "{\"id\":\"slow\",\"action\":\"retrain\",\"for\":\"1h\",\"when\":{\"signal\":\"x\",\"gt\":0}}]}");
    /* edited: rules reordered, a rule added, the latch threshold changed */
    h_open(&b, HDR "\"signals\":{\"x\":{\"kind\":\"score\"}},\"rules\":["
                   "{\"id\":\"new\",\"action\":\"warn\",\"consecutive\":2,\"when\":{\"signal\":\"x\",\"gt\":0}},"
                   "{\"id\":\"slow\",\"action\":\"retrain\",\"for\":\"1h\",\"when\":{\"signal\":\"x\",\"gt\":0}},"
                   "{\"id\":\"lat\",\"action\":\"warn\",\"when\":{\"signal\":\"x\",\"gt\":0.75,\"exit\":0.25}}]}");
    assert_int_equal(h_step(&a, 0, "x", 0.625, -1), W);        /* lat latches, slow starts */
    assert_int_equal(h_step(&a, 40 * MIN, "x", 0.375, -1), W); /* latched */
    mlops_buf saved = MLOPS_BUF_INIT;
    assert_int_equal(mlops_policy_state_write_json(&saved, a.st, 0), 0);
    assert_int_equal(state_load(&b.st, b.p, saved.data, saved.size), 0);
    /* a duplicate is the same state: same bytes, same next decision */
    mlops_policy_state *dup = NULL;
    assert_int_equal(mlops_policy_state_dup(&dup, a.st), 0);
    mlops_buf dup_bytes = MLOPS_BUF_INIT;
    assert_int_equal(mlops_policy_state_write_json(&dup_bytes, dup, 0), 0);
    assert_int_equal(dup_bytes.size, saved.size);
    assert_memory_equal(dup_bytes.data, saved.data, saved.size);
    mlops_buf_dispose(&dup_bytes);
    mlops_policy_state_free(dup);
    /* slow keeps its streak (true since 0), lat its latch, new starts fresh */
    assert_int_equal(h_step(&b, 60 * MIN, "x", 0.375, -1), R);
    assert_string_equal(mlops_decision_rule(b.d), "slow");
    assert_int_equal(b.d->nodes[b.p->rules[2].root].reason, MLOPS_REASON_LATCHED);
    assert_int_equal(mlops_decision_rule_reason(b.d, 0), MLOPS_REASON_PENDING);
    mlops_buf_dispose(&saved);
    h_close(&a);
    h_close(&b);
}

/* ---- zero allocation ---------------------------------------------------------------- */

typedef struct decide_ctx {
    h *x;
    int64_t now;
} decide_ctx;

static int op_decide(void *ctx)
{
    decide_ctx *c = ctx;
    c->now += 5 * MIN;
    return mlops_policy_decide(c->x->d, c->x->st, c->x->p, c->x->obs, c->now, c->x->st, 0);
}

static void decide_makes_no_allocation(void **state)
{
    (void)state;
    oom_install();
    h x;
    h_open(&x, det_policy);
    decide_ctx c = {&x, 0};
    for (int i = 0; i < 50; i++) {
        feed(&x, i);
        /* oom_check returns the number of allocations of the successful run */
        assert_int_equal(oom_check("mlops_policy_decide", op_decide, NULL, &c, 0), 0);
    }
    h_close(&x);
}

/* ---- bad arguments ------------------------------------------------------------------ */

static void decide_rejects_foreign_objects_and_time_going_back(void **state)
{
    (void)state;
    h a, b;
    h_open(&a, det_policy);
    h_open(&b, det_policy);
    assert_int_equal(mlops_policy_decide(a.d, a.st, a.p, b.obs, 0, NULL, 0), MLOPS_E_INVALID);
    assert_int_equal(mlops_policy_decide(a.d, a.st, a.p, a.obs, 0, b.st, 0), MLOPS_E_INVALID);
    assert_int_equal(mlops_policy_decide(a.d, a.st, a.p, a.obs, 0, NULL, 1), MLOPS_E_INVALID);
    assert_int_equal(mlops_policy_decide(NULL, a.st, a.p, a.obs, 0, NULL, 0), MLOPS_E_INVALID);
    mlops_buf j = MLOPS_BUF_INIT;
    assert_int_equal(mlops_decision_write_json(&j, a.d, 0), MLOPS_E_INVALID); /* nothing decided */
    assert_null(mlops_decision_info(a.d));
    assert_null(mlops_decision_rule_trace(a.d, 0));
    assert_null(mlops_decision_suppressed(a.d, 0));
    feed(&a, 1);
    assert_int_equal(mlops_policy_decide(a.d, a.st, a.p, a.obs, 1000, a.st, 0), 0);
    check_decision_views(a.d, a.p);
    assert_int_equal(mlops_decision_info(a.d)->time_ms, 1000);
    mlops_buf before = MLOPS_BUF_INIT;
    assert_int_equal(mlops_policy_state_write_json(&before, a.st, 0), 0);
    assert_int_equal(mlops_policy_decide(a.d, a.st, a.p, a.obs, 999, a.st, 0), MLOPS_E_INVALID);
    assert_non_null(strstr(mlops_error_last(), "earlier than the state's last evaluation"));
    assert_int_equal(mlops_decision_info(a.d)->time_ms, 1000); /* the decision is unchanged */
    mlops_buf after = MLOPS_BUF_INIT;
    assert_int_equal(mlops_policy_state_write_json(&after, a.st, 0), 0);
    assert_string_equal(before.data, after.data); /* nothing changed */
    assert_int_equal(mlops_policy_obs_set(a.obs, "", 1, -1), MLOPS_E_INVALID);
    char longname[300];
    memset(longname, 'a', sizeof longname - 1);
    longname[299] = '\0';
    assert_int_equal(mlops_policy_obs_set(a.obs, longname, 1, -1), MLOPS_E_INVALID);
    static const char *const bad_utf8[] = {"f\xC0\xAF", "f\xED\xA0\x80", "f\xF4\x90\x80\x80",
                                           "f\xE2\x82", "f\x80"};
    for (size_t i = 0; i < 5; i++)
        assert_int_equal(mlops_policy_obs_set(a.obs, bad_utf8[i], 1, -1), MLOPS_E_INVALID);
    assert_int_equal(mlops_policy_obs_set(a.obs, "f\xC3\xA9\xF0\x9F\x98\x80", 1, -1), 0);
    mlops_buf_dispose(&before);
    mlops_buf_dispose(&after);
    h_close(&a);
    h_close(&b);
}

static void state_load_rejects_other_policy_and_unknown_schema(void **state)
{
    (void)state;
    h x;
    h_open(&x, det_policy);
    static const struct { const char *json; int code; const char *path; } bad[] = {
        {"{\"schema\":\"libmlops.policy-state/v9\"}", MLOPS_E_VERSION, "$.schema"},
        {"{\"schema\":\"libmlops.policy-state/v1\",\"policy_id\":\"other\",\"last_now_ms\":null,"
         "\"last_training_ms\":null,\"actions\":{},\"rules\":{}}", MLOPS_E_SCHEMA, "$.policy_id"},
        {"{\"schema\":\"libmlops.policy-state/v1\",\"policy_id\":\"t\",\"last_now_ms\":\"x\","
         "\"last_training_ms\":null,\"actions\":{},\"rules\":{}}", MLOPS_E_SCHEMA, "$.last_now_ms"},
        {"{\"schema\":\"libmlops.policy-state/v1\",\"policy_id\":\"t\",\"last_now_ms\":1,"
         "\"last_training_ms\":null,\"actions\":{},\"rules\":{\"a\":{\"true_since_ms\":null,"
         "\"consecutive\":0,\"window\":\"012\",\"latches\":[]}}}", MLOPS_E_SCHEMA, "$.rules.a.window"},
        {"{\"schema\":\"libmlops.policy-state/v1\",\"policy_id\":\"t\",\"extra\":1,"
         "\"last_now_ms\":null,\"last_training_ms\":null,\"actions\":{},\"rules\":{}}",
         MLOPS_E_SCHEMA, "$.extra"},
        {"{\"schema\":", MLOPS_E_PARSE, NULL},
    };
    feed(&x, 2);
    assert_int_equal(mlops_policy_decide(x.d, x.st, x.p, x.obs, 5000, NULL, 0), 0);
    mlops_buf before = MLOPS_BUF_INIT;
    assert_int_equal(mlops_policy_state_write_json(&before, x.st, 0), 0);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int rc = state_load(&x.st, x.p, bad[i].json, strlen(bad[i].json));
        if (rc != bad[i].code)
            fail_msg("case %zu: rc %d (%s)", i, rc, mlops_error_last());
        if (bad[i].path)
            assert_string_equal(mlops_error_last_path(), bad[i].path);
        mlops_buf after = MLOPS_BUF_INIT;
        assert_int_equal(mlops_policy_state_write_json(&after, x.st, 0), 0);
        assert_string_equal(after.data, before.data); /* unchanged */
        mlops_buf_dispose(&after);
    }
    mlops_buf_dispose(&before);
    h_close(&x);
}

typedef struct many_ctx {
    h *x;
    const char *names[64];
    double values[64];
    char *json_before;
} many_ctx;

static int op_set_many(void *ctx)
{
    many_ctx *c = ctx;
    int rc = mlops_policy_obs_set_many(c->x->obs, c->names, c->values, NULL, 64);
    if (rc) {
        /* nothing set: the decision is what it was */
        assert_int_equal(mlops_policy_decide(c->x->d, c->x->st, c->x->p, c->x->obs, 0, NULL, 0), 0);
        char *j = h_json(c->x);
        assert_string_equal(j, c->json_before);
        free(j);
    }
    return rc;
}

/* Names a failed call registered stay in the set (by design); start each
 * attempt from an identical fresh set so the harness can count leaks. */
static void reset_obs(void *ctx)
{
    many_ctx *c = ctx;
    mlops_policy_obs_free(c->x->obs);
    c->x->obs = NULL;
    assert_int_equal(mlops_policy_obs_new(&c->x->obs, c->x->p), 0);
    assert_int_equal(mlops_policy_obs_set(c->x->obs, "f00", 0, -1), 0);
}

static void set_many_is_all_or_nothing_for_values(void **state)
{
    (void)state;
    h x;
    h_open(&x, HDR "\"signals\":{\"f*\":{\"kind\":\"score\"}},\"rules\":[{\"id\":\"r\","
                   "\"action\":\"warn\",\"when\":{\"over\":\"f*\",\"each\":{\"gt\":1},\"count\":{\"gte\":64}}}]}");
    many_ctx c = {&x, {0}, {0}, NULL};
    char names[64][8];
    for (int i = 0; i < 64; i++) {
        snprintf(names[i], sizeof names[i], "f%02d", i);
        c.names[i] = names[i];
        c.values[i] = 2;
    }
    oom_install();
    reset_obs(&c);
    assert_int_equal(mlops_policy_decide(x.d, x.st, x.p, x.obs, 0, NULL, 0), 0);
    c.json_before = h_json(&x);
    /* a bad name in the middle: nothing is set */
    c.names[40] = "f\xFF";
    assert_int_equal(mlops_policy_obs_set_many(x.obs, c.names, c.values, NULL, 64), MLOPS_E_INVALID);
    assert_non_null(strstr(mlops_error_last(), "names[40]"));
    assert_int_equal(mlops_policy_decide(x.d, x.st, x.p, x.obs, 0, NULL, 0), 0);
    char *j = h_json(&x);
    assert_string_equal(j, c.json_before);
    free(j);
    c.names[40] = names[40];
    reset_obs(&c); /* forget the 40 names registered by the failed call */
    /* out of memory at every step: nothing set either */
    assert_true(oom_check("mlops_policy_obs_set_many", op_set_many, reset_obs, &c, 0) > 0);
    assert_int_equal(mlops_policy_obs_set_many(x.obs, c.names, c.values, NULL, 64), 0);
    assert_int_equal(mlops_policy_decide(x.d, x.st, x.p, x.obs, 0, NULL, 0), 0);
    assert_int_equal(mlops_decision_action(x.d), W); /* all 64 set */
    free(c.json_before);
    h_close(&x);
}

/* ---- OOM ---------------------------------------------------------------------------- */

typedef struct oom_ctx {
    const char *text;
    size_t len;
    mlops_policy *p;
    mlops_policy_obs *obs;
    mlops_policy_state *st;
    mlops_decision *d;
    mlops_buf buf;
} oom_ctx;

static int op_parse(void *ctx)
{
    oom_ctx *c = ctx;
    return mlops_policy_parse(&c->p, c->text, c->len, "x", 0);
}

static void cleanup_all(void *ctx)
{
    oom_ctx *c = ctx;
    mlops_decision_free(c->d);
    mlops_policy_state_free(c->st);
    mlops_policy_obs_free(c->obs);
    mlops_policy_free(c->p);
    mlops_buf_dispose(&c->buf);
    c->d = NULL;
    c->st = NULL;
    c->obs = NULL;
    c->p = NULL;
}

static void cleanup_keep_policy(void *ctx)
{
    oom_ctx *c = ctx;
    mlops_decision_free(c->d);
    mlops_policy_state_free(c->st);
    mlops_policy_obs_free(c->obs);
    mlops_buf_dispose(&c->buf);
    c->d = NULL;
    c->st = NULL;
    c->obs = NULL;
}

static int op_setup(void *ctx)
{
    oom_ctx *c = ctx;
    int rc = mlops_policy_obs_new(&c->obs, c->p);
    if (!rc) rc = mlops_policy_state_new(&c->st, c->p);
    if (!rc) rc = mlops_decision_new(&c->d, c->p);
    for (int i = 0; !rc && i < 40; i++) {
        char name[16];
        snprintf(name, sizeof name, "psi.f%d", i);
        rc = mlops_policy_obs_set(c->obs, name, 0.3, 1000);
    }
    if (!rc) rc = mlops_policy_decide(c->d, c->st, c->p, c->obs, 0, NULL, 0);
    if (!rc) rc = mlops_decision_write_json(&c->buf, c->d, MLOPS_JSON_PRETTY);
    if (!rc) rc = mlops_decision_write_text(&c->buf, c->d, 0);
    if (!rc) rc = mlops_policy_state_write_json(&c->buf, c->st, 0);
    return rc;
}

static int op_state_load(void *ctx)
{
    oom_ctx *c = ctx;
    int rc = mlops_policy_state_new(&c->st, c->p);
    if (!rc) rc = mlops_policy_state_write_json(&c->buf, c->st, 0);
    if (!rc) rc = state_load(&c->st, c->p, c->buf.data, c->buf.size);
    mlops_policy_state *copy = NULL;
    if (!rc) rc = mlops_policy_state_dup(&copy, c->st);
    if (!rc) {
        mlops_policy_state_free(c->st);
        c->st = copy;
    }
    return rc;
}

static int op_lint(void *ctx)
{
    oom_ctx *c = ctx;
    size_t n;
    return mlops_policy_lint(&c->buf, &n, c->p, 0);
}

static int op_tests(void *ctx)
{
    oom_ctx *c = ctx;
    size_t passed, failed;
    int rc = mlops_policy_run_tests(&passed, &failed, &c->buf, c->p, 0);
    return rc ? rc : (failed ? -100 : 0);
}

static void oom_everywhere(void **state)
{
    (void)state;
    static const char *files[] = {"drift-retrain.json", "performance-rollback.json",
                                  "ci-promotion-gate.json"};
    for (size_t f = 0; f < 3; f++) {
        oom_ctx c;
        memset(&c, 0, sizeof c);
        char *text = example(files[f], &c.len);
        c.text = text;
        assert_true(oom_check("mlops_policy_parse", op_parse, cleanup_all, &c, 0) > 0);
        assert_int_equal(op_parse(&c), 0);
        assert_true(oom_check("decide setup", op_setup, cleanup_keep_policy, &c, 0) > 0);
        assert_true(oom_check("state load", op_state_load, cleanup_keep_policy, &c, 0) > 0);
        assert_true(oom_check("mlops_policy_lint", op_lint, cleanup_keep_policy, &c, 0) > 0);
        assert_true(oom_check("mlops_policy_run_tests", op_tests, cleanup_keep_policy, &c, 0) > 0);
        cleanup_all(&c);
        free(text);
    }
}

/* A reset state is a fresh one: the latch a rule holds (docs/formats/
 * policy-v1.md, hysteresis) is gone, so a value between exit and enter no
 * longer warns; and the truth values have their documented names. */
static void reset_forgets_latches_and_truth_values_are_named(void **state)
{
    (void)state;
    const char *json = HDR "\"signals\":{\"x\":{\"kind\":\"score\"}},\"rules\":[{\"id\":\"r\","
                           "\"action\":\"warn\",\"when\":{\"signal\":\"x\",\"gt\":0.5,\"exit\":0.25}}]}";
    h x;
    h_open(&x, json);
    mlops_buf fresh = MLOPS_BUF_INIT, after = MLOPS_BUF_INIT;
    assert_int_equal(mlops_policy_state_write_json(&fresh, x.st, 0), 0);
    assert_int_equal(h_step(&x, 0, "x", 0.625, -1), W);     /* enters: latched */
    assert_int_equal(h_step(&x, 1000, "x", 0.375, -1), W);  /* held by the latch */
    mlops_policy_state_reset(x.st);
    assert_int_equal(mlops_policy_state_write_json(&after, x.st, 0), 0);
    assert_int_equal(after.size, fresh.size);
    assert_memory_equal(after.data, fresh.data, fresh.size);
    assert_int_equal(h_step(&x, 2000, "x", 0.375, -1), N);  /* no latch any more */
    mlops_policy_state_reset(NULL);                          /* accepted, does nothing */
    mlops_buf_dispose(&fresh);
    mlops_buf_dispose(&after);
    h_close(&x);
    assert_string_equal(mlops_policy_truth_name(MLOPS_TRUTH_FALSE), "FALSE");
    assert_string_equal(mlops_policy_truth_name(MLOPS_TRUTH_TRUE), "TRUE");
    assert_string_equal(mlops_policy_truth_name(MLOPS_TRUTH_UNKNOWN), "UNKNOWN");
    assert_string_equal(mlops_policy_truth_name(3), "unknown");
    assert_string_equal(mlops_policy_truth_name(-1), "unknown");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(examples_pass_their_own_tests),
        cmocka_unit_test(reset_forgets_latches_and_truth_values_are_named),
        cmocka_unit_test(failing_embedded_test_is_reported_with_explanation),
        cmocka_unit_test(hysteresis_holds_latch_until_exit_threshold),
        cmocka_unit_test(for_30m_fires_after_continuous_truth_and_resets_when_broken),
        cmocka_unit_test(consecutive_and_m_of_n_count_evaluations),
        cmocka_unit_test(cooldown_suppresses_second_retrain_and_says_how_long),
        cmocka_unit_test(budget_and_min_since_training_suppress),
        cmocka_unit_test(dry_run_is_traced_never_decided),
        cmocka_unit_test(unknown_never_fires),
        cmocka_unit_test(composition_follows_kleene_logic),
        cmocka_unit_test(comparators_apply_tolerances),
        cmocka_unit_test(corrections_match_adjusted_p_values),
        cmocka_unit_test(aggregation_reducers_and_unknown_members),
        cmocka_unit_test(long_member_names_are_cut_on_a_character_boundary),
        cmocka_unit_test(highest_action_wins_ties_by_rule_order),
        cmocka_unit_test(same_inputs_and_state_give_same_bytes),
        cmocka_unit_test(decision_json_and_explanation_bytes),
        cmocka_unit_test(policy_digest_is_sha256_of_canonical_bytes),
        cmocka_unit_test(state_carries_over_to_an_edited_policy_by_rule_id),
        cmocka_unit_test(decide_makes_no_allocation),
        cmocka_unit_test(decide_rejects_foreign_objects_and_time_going_back),
        cmocka_unit_test(state_load_rejects_other_policy_and_unknown_schema),
        cmocka_unit_test(set_many_is_all_or_nothing_for_values),
        cmocka_unit_test(oom_everywhere),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
