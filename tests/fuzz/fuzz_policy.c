/*
 * Fuzz target for the policy parser and everything a parsed policy drives:
 * lint, the embedded tests, deciding, the trace writers, state save/load.
 * Inputs starting with '\n' are a JSONL replay log and inputs starting with
 * '\t' a saved state, both against a fixed policy; anything else is a policy.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "fuzz_common.h"
#include "mlops.h"


static const char fixed[] =
    "{\"schema\":\"libmlops.policy/v1\",\"policy_id\":\"f\",\"revision\":1,"
    "\"signals\":{\"x\":{\"kind\":\"score\"},\"p.*\":{\"kind\":\"p_value\"}},\"rules\":["
    "{\"id\":\"a\",\"action\":\"retrain\",\"for\":\"1m\",\"cooldown\":\"1h\",\"budget\":{\"max\":2,"
    "\"period\":\"1d\"},\"when\":{\"signal\":\"x\",\"gt\":1,\"exit\":0.5}},"
    "{\"id\":\"b\",\"action\":\"warn\",\"m_of_n\":[2,3],\"when\":{\"over\":\"p.*\",\"alpha\":0.05,"
    "\"correction\":\"bh\",\"count\":{\"gte\":1}}}]}";

/* The read-only views agree with the objects they come from. */
static void check_views(const mlops_policy *p, const mlops_decision *d)
{
    const struct mlops_policy_info *pi = mlops_policy_info(p);
    FUZZ_CHECK(pi && pi->id && pi->digest && strncmp(pi->digest, "sha256:", 7) == 0 &&
               strlen(pi->digest) == 71);
    for (size_t i = 0; i < pi->rule_count; i++) {
        const mlops_policy_rule_info *r = mlops_policy_rule(p, i);
        FUZZ_CHECK(r && r->id && r->action >= MLOPS_ACTION_NONE && r->action <= MLOPS_ACTION_ROLLBACK);
    }
    FUZZ_CHECK(mlops_policy_rule(p, pi->rule_count) == NULL);
    const struct mlops_decision_info *di = mlops_decision_info(d);
    FUZZ_CHECK(di && di->rule_count == pi->rule_count && di->suppressed_count <= di->rule_count &&
               (di->rule == NULL) == (di->action == MLOPS_ACTION_NONE));
    size_t decided = 0;
    for (size_t i = 0; i < di->rule_count; i++) {
        const mlops_decision_rule_trace_info *t = mlops_decision_rule_trace(d, i);
        FUZZ_CHECK(t && t->rule == mlops_policy_rule(p, i)->id && t->truth >= 0 && t->truth <= 2);
        decided += t->decided != 0;
    }
    FUZZ_CHECK(decided == (di->rule != NULL));
    for (size_t i = 0; i < di->suppressed_count; i++) {
        const mlops_decision_suppressed_info *s = mlops_decision_suppressed(d, i);
        FUZZ_CHECK(s && s->rule);
    }
    FUZZ_CHECK(mlops_decision_suppressed(d, di->suppressed_count) == NULL);
}

static void exercise(mlops_policy *p)
{
    mlops_buf b = MLOPS_BUF_INIT;
    size_t n, passed, failed;
    mlops_policy_lint(&b, &n, p, 0);
    mlops_policy_run_tests(&passed, &failed, &b, p, 0);
    mlops_policy_obs *obs = NULL;
    mlops_policy_state *st = NULL;
    mlops_decision *d = NULL;
    if (mlops_policy_obs_new(&obs, p) == 0 && mlops_policy_state_new(&st, p) == 0 &&
        mlops_decision_new(&d, p) == 0) {
        for (size_t i = 0; i < mlops_policy_rule_count(p) && i < 8; i++)
            mlops_policy_obs_set(obs, mlops_policy_rule_id(p, i), (double)i, (int64_t)i * 100);
        mlops_policy_obs_set(obs, "x", 2, 1000);
        mlops_policy_obs_set(obs, "p.a", 0.01, 1000);
        FUZZ_CHECK(mlops_decision_info(d) == NULL); /* nothing decided yet */
        for (int64_t t = 0; t < 3; t++)
            if (mlops_policy_decide(d, st, p, obs, t * 60000, st, 0) == 0)
                check_views(p, d);
        mlops_decision_write_json(&b, d, 0);
        mlops_decision_write_json(&b, d, MLOPS_JSON_PRETTY);
        mlops_decision_write_text(&b, d, 0);
        mlops_policy_state_write_json(&b, st, 0);
    }
    mlops_gate_metrics *m = NULL;
    mlops_gate_result *g = NULL;
    if (mlops_gate_metrics_new(&m) == 0 && mlops_gate_metrics_put(m, "auc", 0.9, 0.8, 0.95, 10) == 0 &&
        mlops_policy_gate(&g, p, m, m, 0) == 0) {
        const struct mlops_gate_result_info *gi = mlops_gate_result_info(g);
        FUZZ_CHECK(gi && (gi->action == MLOPS_ACTION_NONE ||
                          gi->action == MLOPS_ACTION_BLOCK_PROMOTION));
        size_t blocking = 0;
        for (size_t i = 0; i < gi->check_count; i++) {
            const mlops_gate_result_check_info *c = mlops_gate_result_check(g, i);
            FUZZ_CHECK(c && c->metric && c->kind && (c->passed == 0 || c->passed == 1));
            blocking += !c->passed;
        }
        FUZZ_CHECK((blocking > 0) == (gi->action == MLOPS_ACTION_BLOCK_PROMOTION));
        FUZZ_CHECK(mlops_gate_result_check(g, gi->check_count) == NULL);
        mlops_gate_result_write_json(&b, g, 0);
        mlops_gate_result_write_text(&b, g, 0);
    }
    mlops_gate_result_free(g);
    mlops_gate_metrics_free(m);
    mlops_decision_free(d);
    mlops_policy_state_free(st);
    mlops_policy_obs_free(obs);
    mlops_buf_dispose(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mlops_policy *p = NULL;
    if (size > 0 && (data[0] == '\n' || data[0] == '\t')) {
        if (mlops_policy_parse(&p, fixed, sizeof fixed - 1, NULL, 0) != 0)
            __builtin_trap();
        if (data[0] == '\n') {
            uint64_t steps, mism;
            mlops_buf b = MLOPS_BUF_INIT;
            mlops_policy_replay(&steps, &mism, &b, p, (const char *)data + 1, size - 1, 0);
            mlops_buf_dispose(&b);
        } else {
            mlops_policy_state *st = NULL;
            mlops_policy_obs *obs = NULL;
            mlops_decision *d = NULL;
            if (mlops_policy_obs_new(&obs, p) == 0 && mlops_decision_new(&d, p) == 0 &&
                mlops_policy_state_parse(&st, p, (const char *)data + 1, size - 1) == 0) {
                mlops_policy_obs_set(obs, "x", 2, 10);
                mlops_policy_obs_set(obs, "p.a", 0.001, 10);
                for (int64_t t = -2; t < 3; t++)
                    mlops_policy_decide(d, st, p, obs, t * 3600000, st, 0);
                mlops_buf b = MLOPS_BUF_INIT;
                mlops_decision_write_json(&b, d, 0);
                mlops_decision_write_text(&b, d, 0);
                mlops_policy_state_write_json(&b, st, 0);
                mlops_buf_dispose(&b);
            }
            mlops_decision_free(d);
            mlops_policy_obs_free(obs);
            mlops_policy_state_free(st);
        }
        mlops_policy_free(p);
        return 0;
    }
    if (mlops_policy_parse(&p, (const char *)data, size, NULL, 0) == 0)
        exercise(p);
    mlops_policy_free(p);
    return 0;
}
