/*
 * The signals and metrics text files of `mlops policy eval` and `mlops gate`
 * (src/cli/obs.c, compiled in). The first byte picks the kind: even, a
 * gate's metrics file (at least one metric) judged by a fixed gate against a
 * fixed champion; odd, a signals file fed to a fixed policy's decision.
 * Any input either parses or fails with a "fuzz.txt:..." message; a gate
 * over parsed metrics fails closed: when a gated metric is missing or NaN
 * the action is BLOCK_PROMOTION, and the action is BLOCK_PROMOTION exactly
 * when some check failed.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <math.h>

#include "fuzz_common.h"
#include "mlops.h"
#include "obs.h"

static const char gate_policy[] =
    "{\"schema\":\"libmlops.policy/v1\",\"policy_id\":\"g\",\"revision\":1,"
    "\"signals\":{\"auc\":{\"kind\":\"metric\",\"better\":\"higher\",\"range\":[0,1]},"
    "\"p99_latency_ms\":{\"kind\":\"metric\",\"better\":\"lower\",\"range\":[0,60000]},"
    "\"fairness_gap\":{\"kind\":\"metric\",\"better\":\"lower\",\"range\":[0,1]}},"
    "\"gate\":{\"min_samples\":1000,\"metrics\":{"
    "\"auc\":{\"min\":0.85,\"max_regression\":0.005,\"non_inferiority_margin\":0.01},"
    "\"p99_latency_ms\":{\"max\":80,\"max_regression_rel\":0.10,\"min_samples\":0},"
    "\"fairness_gap\":{\"guardrail\":true,\"max\":0.05,\"max_regression\":0.01}}},"
    "\"rules\":[]}";

static const char signal_policy[] =
    "{\"schema\":\"libmlops.policy/v1\",\"policy_id\":\"f\",\"revision\":1,"
    "\"signals\":{\"x\":{\"kind\":\"score\"},\"p.*\":{\"kind\":\"p_value\"}},\"rules\":["
    "{\"id\":\"a\",\"action\":\"retrain\",\"for\":\"1m\",\"when\":{\"signal\":\"x\",\"gt\":1}},"
    "{\"id\":\"b\",\"action\":\"warn\",\"when\":{\"over\":\"p.*\",\"alpha\":0.05,"
    "\"correction\":\"bh\",\"count\":{\"gte\":1}}}]}";

static const char *const gated[3] = { "auc", "p99_latency_ms", "fairness_gap" };

typedef struct {
    mlops_gate_metrics *set;
    double last[3]; /* the value each gated metric was last given; NaN: none */
    int seen[3];
} metrics_ctx;

static int to_metrics(void *ctx, const cli_obs_line *o)
{
    metrics_ctx *m = ctx;
    int rc = mlops_gate_metrics_put(m->set, o->name, o->value, o->ci_low, o->ci_high, o->samples);
    if (rc == 0)
        for (int i = 0; i < 3; i++)
            if (strcmp(o->name, gated[i]) == 0) {
                m->last[i] = o->value;
                m->seen[i] = 1;
            }
    return rc;
}

static int to_obs(void *ctx, const cli_obs_line *o)
{
    return mlops_policy_obs_set(ctx, o->name, o->value, o->samples);
}

static void check_err(int rc, const char *err)
{
    if (rc != 0)
        FUZZ_CHECK(strncmp(err, "fuzz.txt:", 9) == 0);
}

static void gate(const uint8_t *data, size_t size)
{
    static mlops_policy *p;
    static mlops_gate_metrics *champion;
    if (!p) {
        FUZZ_CHECK(mlops_policy_parse(&p, gate_policy, sizeof gate_policy - 1, NULL, 0) == 0);
        FUZZ_CHECK(mlops_gate_metrics_new(&champion) == 0);
        FUZZ_CHECK(mlops_gate_metrics_put(champion, "auc", 0.91, NAN, NAN, -1) == 0 &&
                   mlops_gate_metrics_put(champion, "p99_latency_ms", 40, NAN, NAN, -1) == 0 &&
                   mlops_gate_metrics_put(champion, "fairness_gap", 0.02, NAN, NAN, -1) == 0);
    }
    metrics_ctx m = { NULL, { NAN, NAN, NAN }, { 0, 0, 0 } };
    FUZZ_CHECK(mlops_gate_metrics_new(&m.set) == 0);
    char err[512] = "";
    int rc = cli_obs_parse(data, size, "fuzz.txt", to_metrics, &m, 1, err, sizeof err);
    check_err(rc, err);
    if (rc == 0) {
        mlops_gate_result *g = NULL;
        FUZZ_CHECK(mlops_policy_gate(&g, p, m.set, champion, 0) == 0);
        int failed = 0, must_block = 0;
        for (size_t i = 0; i < mlops_gate_result_check_count(g); i++)
            failed |= !mlops_gate_result_check_passed(g, i);
        for (int i = 0; i < 3; i++)
            must_block |= !m.seen[i] || isnan(m.last[i]);
        int action = mlops_gate_result_action(g);
        FUZZ_CHECK(action == (failed ? MLOPS_ACTION_BLOCK_PROMOTION : MLOPS_ACTION_NONE));
        if (must_block)
            FUZZ_CHECK(action == MLOPS_ACTION_BLOCK_PROMOTION);
        mlops_buf b = MLOPS_BUF_INIT;
        FUZZ_CHECK(mlops_gate_result_write_json(&b, g, 0) == 0);
        FUZZ_CHECK(mlops_gate_result_write_text(&b, g, 0) == 0);
        mlops_buf_dispose(&b);
        mlops_gate_result_free(g);
    }
    mlops_gate_metrics_free(m.set);
}

static void signals(const uint8_t *data, size_t size)
{
    static mlops_policy *p;
    if (!p)
        FUZZ_CHECK(mlops_policy_parse(&p, signal_policy, sizeof signal_policy - 1, NULL, 0) == 0);
    mlops_policy_obs *obs = NULL;
    mlops_policy_state *st = NULL;
    mlops_decision *d = NULL;
    FUZZ_CHECK(mlops_policy_obs_new(&obs, p) == 0 && mlops_policy_state_new(&st, p) == 0 &&
               mlops_decision_new(&d, p) == 0);
    char err[512] = "";
    int rc = cli_obs_parse(data, size, "fuzz.txt", to_obs, obs, 0, err, sizeof err);
    check_err(rc, err);
    if (rc == 0 && mlops_policy_decide(d, st, p, obs, 120000, st, 0) == 0) {
        mlops_buf b = MLOPS_BUF_INIT;
        FUZZ_CHECK(mlops_decision_write_json(&b, d, 0) == 0);
        mlops_buf_dispose(&b);
    }
    mlops_decision_free(d);
    mlops_policy_state_free(st);
    mlops_policy_obs_free(obs);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > (1u << 20))
        return 0;
    if (data[0] & 1)
        signals(data + 1, size - 1);
    else
        gate(data + 1, size - 1);
    return 0;
}
