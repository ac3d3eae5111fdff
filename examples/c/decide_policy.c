/*
 * The decide layer: a retraining policy evaluated as a pure function. The
 * caller owns the clock and the state, so every decision can be replayed; the
 * decision explains itself.
 *
 *   decide_policy
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdio.h>
#include <string.h>

#include <mlops.h>

static const char policy_json[] =
    "{\"schema\":\"libmlops.policy/v1\",\"policy_id\":\"example-retrain\",\"revision\":1,"
    "\"signals\":{\"psi.*\":{\"kind\":\"score\",\"range\":[0,100]}},"
    "\"rules\":[{\"id\":\"drift\",\"action\":\"retrain\",\"cooldown\":\"6h\","
    "\"when\":{\"over\":\"psi.*\",\"each\":{\"gt\":0.25},\"share\":{\"gte\":0.5},"
    "\"min_samples\":100}}]}";

static int fail(void)
{
    fprintf(stderr, "error: %s\n", mlops_error_last());
    return 1;
}

int main(void)
{
    mlops_policy *policy = NULL;
    mlops_policy_obs *obs = NULL;
    mlops_policy_state *state = NULL;
    mlops_decision *decision = NULL;
    if (mlops_policy_parse(&policy, policy_json, strlen(policy_json), "example", 0) != 0 ||
        mlops_policy_obs_new(&obs, policy) != 0 || mlops_policy_state_new(&state, policy) != 0 ||
        mlops_decision_new(&decision, policy) != 0)
        return fail();

    /* Hourly evaluations: PSI per feature, from the monitor layer. */
    static const double psi_age[] = { 0.02, 0.31, 0.40, 0.45 };
    static const double psi_income[] = { 0.05, 0.29, 0.33, 0.38 };
    const int64_t t0 = 1795683600000; /* 2026-11-26T09:00:00Z in ms */
    mlops_buf text = MLOPS_BUF_INIT;
    for (int h = 0; h < 4; h++) {
        mlops_policy_obs_clear(obs);
        if (mlops_policy_obs_set(obs, "psi.age", psi_age[h], 5000) != 0 ||
            mlops_policy_obs_set(obs, "psi.income", psi_income[h], 5000) != 0 ||
            mlops_policy_decide(decision, state, policy, obs, t0 + h * 3600000LL, state, 0) != 0)
            return fail();
        mlops_buf_dispose(&text);
        if (mlops_decision_write_text(&text, decision, 0) != 0)
            return fail();
        const struct mlops_decision_info *info = mlops_decision_info(decision);
        printf("hour %d: %s\n%s\n", h, mlops_policy_action_name(info->action), text.data);
    }
    mlops_buf_dispose(&text);
    mlops_decision_free(decision);
    mlops_policy_state_free(state);
    mlops_policy_obs_free(obs);
    mlops_policy_free(policy);
    return 0;
}
