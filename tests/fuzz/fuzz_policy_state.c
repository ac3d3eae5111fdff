/*
 * Policy state files (libmlops.policy-state/v1): mlops_policy_state_parse()
 * of arbitrary bytes into the state of a fixed policy never crashes or
 * leaks, reports only its documented codes, leaves the state unchanged on
 * failure, and a state it loads saves to canonical bytes that load back and
 * save to the same bytes (a fixed point); decisions from a loaded state run.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "fuzz_common.h"
#include "mlops.h"

static const char fixed[] =
    "{\"schema\":\"libmlops.policy/v1\",\"policy_id\":\"f\",\"revision\":1,"
    "\"signals\":{\"x\":{\"kind\":\"score\"},\"p.*\":{\"kind\":\"p_value\"}},\"rules\":["
    "{\"id\":\"a\",\"action\":\"retrain\",\"for\":\"1m\",\"cooldown\":\"1h\",\"budget\":{\"max\":2,"
    "\"period\":\"1d\"},\"when\":{\"signal\":\"x\",\"gt\":1,\"exit\":0.5}},"
    "{\"id\":\"b\",\"action\":\"warn\",\"m_of_n\":[2,3],\"when\":{\"over\":\"p.*\",\"alpha\":0.05,"
    "\"correction\":\"bh\",\"count\":{\"gte\":1}}},"
    "{\"id\":\"c\",\"action\":\"rollback\",\"when\":{\"signal\":\"x\",\"lt\":-1}}]}";

static int allowed(int rc)
{
    return rc == MLOPS_E_PARSE || rc == MLOPS_E_SCHEMA || rc == MLOPS_E_VERSION ||
           rc == MLOPS_E_INVALID || rc == MLOPS_E_LIMIT;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static mlops_policy *p;
    if (!p)
        FUZZ_CHECK(mlops_policy_parse(&p, fixed, sizeof fixed - 1, NULL, 0) == 0);
    mlops_policy_state *st = NULL, *st2 = NULL;
    mlops_policy_obs *obs = NULL;
    mlops_decision *d = NULL;
    mlops_buf a = MLOPS_BUF_INIT, b = MLOPS_BUF_INIT;
    int rc = mlops_policy_state_parse(&st, p, (const char *)data, size);
    if (rc != 0) {
        FUZZ_CHECK(allowed(rc) && mlops_error_last_code() == rc);
        /* nothing handed out on failure */
        FUZZ_CHECK(st == NULL);
        goto out;
    }
    FUZZ_CHECK(mlops_policy_state_write_json(&a, st, 0) == 0);
    FUZZ_CHECK(mlops_policy_state_parse(&st2, p, a.data, a.size) == 0);
    FUZZ_CHECK(mlops_policy_state_write_json(&b, st2, 0) == 0);
    FUZZ_CHECK(a.size == b.size && memcmp(a.data, b.data, a.size) == 0);

    FUZZ_CHECK(mlops_policy_obs_new(&obs, p) == 0 && mlops_decision_new(&d, p) == 0);
    mlops_policy_obs_set(obs, "x", 2, 10);
    mlops_policy_obs_set(obs, "p.a", 0.001, 10);
    for (int64_t t = -2; t < 3; t++)
        FUZZ_CHECK(mlops_policy_decide(d, st, p, obs, t * 3600000, st, 0) == 0 ||
                   mlops_error_last()[0] != '\0');
    mlops_buf_dispose(&b);
    mlops_decision_write_json(&b, d, 0);
    mlops_decision_write_text(&b, d, 0);
out:
    mlops_buf_dispose(&a);
    mlops_buf_dispose(&b);
    mlops_decision_free(d);
    mlops_policy_obs_free(obs);
    mlops_policy_state_free(st);
    mlops_policy_state_free(st2);
    return 0;
}
