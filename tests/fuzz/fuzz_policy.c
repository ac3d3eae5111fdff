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

#include "mlops.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char fixed[] =
    "{\"schema\":\"libmlops.policy/v1\",\"policy_id\":\"f\",\"revision\":1,"
    "\"signals\":{\"x\":{\"kind\":\"score\"},\"p.*\":{\"kind\":\"p_value\"}},\"rules\":["
    "{\"id\":\"a\",\"action\":\"retrain\",\"for\":\"1m\",\"cooldown\":\"1h\",\"budget\":{\"max\":2,"
    "\"period\":\"1d\"},\"when\":{\"signal\":\"x\",\"gt\":1,\"exit\":0.5}},"
    "{\"id\":\"b\",\"action\":\"warn\",\"m_of_n\":[2,3],\"when\":{\"over\":\"p.*\",\"alpha\":0.05,"
    "\"correction\":\"bh\",\"count\":{\"gte\":1}}}]}";

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
        for (int64_t t = 0; t < 3; t++)
            mlops_policy_decide(d, st, p, obs, t * 60000, st, 0);
        mlops_decision_write_json(&b, d, 0);
        mlops_decision_write_json(&b, d, MLOPS_JSON_PRETTY);
        mlops_decision_write_text(&b, d, 0);
        mlops_policy_state_write_json(&b, st, 0);
    }
    mlops_gate_metrics *m = NULL;
    mlops_gate_result *g = NULL;
    if (mlops_gate_metrics_new(&m) == 0 && mlops_gate_metrics_put(m, "auc", 0.9, 0.8, 0.95, 10) == 0 &&
        mlops_policy_gate(&g, p, m, m, 0) == 0) {
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
