/*
 * Policy parsing (malformed-policy corpus built here), lint findings, the
 * promotion gate, replay of a generated log.
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * Each malformed policy must fail with a specific code and the JSON path of
 * the fault (mlops_error_last_path()); the expected paths are where the
 * fault was planted. Gate expectations follow from the check definitions in
 * docs/formats/policy-v1.md with binary-exact numbers. The replay log and
 * its recorded decisions come from tests/vectors/policy/gen_replay.py, an
 * independent Python model of the semantics the log's policy uses.
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

#define HDR "{\"schema\":\"libmlops.policy/v1\",\"policy_id\":\"t\",\"revision\":1,"
#define SIG "\"signals\":{\"x\":{\"kind\":\"score\"},\"auc\":{\"kind\":\"metric\",\"better\":\"higher\"}},"
#define RULE(w) "\"rules\":[{\"id\":\"r\",\"action\":\"warn\",\"when\":" w "}]"

static const char *vectors(void)
{
    const char *v = getenv("MLOPS_VECTORS");
    return v ? v : "tests/vectors";
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

static void expect_error(const char *json, size_t len, int code, const char *path,
                         const char *needle)
{
    mlops_policy *p = (mlops_policy *)0x1;
    int rc = mlops_policy_parse(&p, json, len, NULL, 0);
    if (rc != code)
        fail_msg("expected %s, got %s (%s) for: %.200s", mlops_error_name(code),
                 mlops_error_name(rc), mlops_error_last(), json);
    assert_ptr_equal(p, (mlops_policy *)0x1); /* output untouched */
    if (path && strcmp(mlops_error_last_path(), path) != 0)
        fail_msg("expected path %s, got %s (%s)", path, mlops_error_last_path(),
                 mlops_error_last());
    if (needle && !strstr(mlops_error_last(), needle))
        fail_msg("message \"%s\" lacks \"%s\"", mlops_error_last(), needle);
}

static void malformed_policies_name_the_json_path(void **state)
{
    (void)state;
    static const struct { const char *json; int code; const char *path; const char *needle; } c[] = {
        /* wrong types */
        {"[]", MLOPS_E_SCHEMA, "$", "a policy is a JSON object"},
        {HDR SIG "\"rules\":{}}", MLOPS_E_SCHEMA, "$.rules", "expected an array"},
        {"{\"schema\":\"libmlops.policy/v1\",\"policy_id\":7,\"revision\":1}", MLOPS_E_SCHEMA,
         "$.policy_id", "expected a string, found a number"},
        {"{\"schema\":\"libmlops.policy/v1\",\"policy_id\":\"t\",\"revision\":1.5}",
         MLOPS_E_SCHEMA, "$.revision", "integer"},
        {HDR SIG RULE("{\"signal\":\"x\",\"gt\":\"1\"}") "}", MLOPS_E_SCHEMA, "$.rules[0].when.gt",
         "expected a number, found a string"},
        {HDR SIG RULE("{\"any_of\":[{\"signal\":\"x\",\"gt\":1},[]]}") "}", MLOPS_E_SCHEMA,
         "$.rules[0].when.any_of[1]", "expected a condition object, found an array"},
        {HDR SIG "\"rules\":[{\"id\":\"r\",\"action\":\"warn\",\"dry_run\":1,\"when\":"
                 "{\"signal\":\"x\",\"gt\":1}}]}", MLOPS_E_SCHEMA, "$.rules[0].dry_run", "boolean"},
        {HDR "\"signals\":{\"x\":{\"kind\":\"metric\"}}," RULE("{\"signal\":\"x\",\"gt\":1}") "}",
         MLOPS_E_SCHEMA, "$.signals.x", "better"},
        /* unknown keys, at every level */
        {HDR SIG RULE("{\"signal\":\"x\",\"gt\":1}") ",\"extra\":1}", MLOPS_E_SCHEMA, "$.extra", NULL},
        {HDR SIG RULE("{\"signal\":\"x\",\"gt\":1,\"treshold\":2}") "}", MLOPS_E_SCHEMA,
         "$.rules[0].when.treshold", NULL},
        {HDR SIG "\"rules\":[{\"id\":\"r\",\"action\":\"warn\",\"cooldwn\":\"1h\",\"when\":"
                 "{\"signal\":\"x\",\"gt\":1}}]}", MLOPS_E_SCHEMA, "$.rules[0].cooldwn", NULL},
        {HDR "\"defaults\":{\"min_sample\":3}," SIG RULE("{\"signal\":\"x\",\"gt\":1}") "}",
         MLOPS_E_SCHEMA, "$.defaults.min_sample", NULL},
        {HDR SIG RULE("{\"signal\":\"x\",\"gt\":1}") ",\"gate\":{\"metrics\":{\"auc\":{\"min\":0.5,"
                 "\"maxx\":1}}}}", MLOPS_E_SCHEMA, "$.gate.metrics.auc.maxx", NULL},
        {HDR SIG RULE("{\"signal\":\"x\",\"gt\":1}") ",\"tests\":[{\"name\":\"n\",\"steps\":[{\"at\":"
                 "\"0s\",\"expct\":\"warn\"}]}]}", MLOPS_E_SCHEMA, "$.tests[0].steps[0].expct", NULL},
        /* negative and malformed durations */
        {HDR SIG "\"rules\":[{\"id\":\"r\",\"action\":\"warn\",\"for\":\"-5m\",\"when\":"
                 "{\"signal\":\"x\",\"gt\":1}}]}", MLOPS_E_SCHEMA, "$.rules[0].for", "negative duration"},
        {HDR SIG "\"rules\":[{\"id\":\"r\",\"action\":\"warn\",\"cooldown\":-300,\"when\":"
                 "{\"signal\":\"x\",\"gt\":1}}]}", MLOPS_E_SCHEMA, "$.rules[0].cooldown",
         "expected a duration string"},
        {HDR SIG "\"rules\":[{\"id\":\"r\",\"action\":\"warn\",\"cooldown\":\"5 min\",\"when\":"
                 "{\"signal\":\"x\",\"gt\":1}}]}", MLOPS_E_SCHEMA, "$.rules[0].cooldown",
         "invalid duration"},
        {HDR SIG "\"rules\":[{\"id\":\"r\",\"action\":\"warn\",\"for\":\"30m1h\",\"when\":"
                 "{\"signal\":\"x\",\"gt\":1}}]}", MLOPS_E_SCHEMA, "$.rules[0].for", "decreasing"},
        {HDR "\"defaults\":{\"evaluation_interval\":\"-1s\"}," SIG RULE("{\"signal\":\"x\",\"gt\":1}") "}",
         MLOPS_E_SCHEMA, "$.defaults.evaluation_interval", "negative duration"},
        {HDR SIG "\"rules\":[{\"id\":\"r\",\"action\":\"retrain\",\"budget\":{\"max\":2,\"period\":"
                 "\"0s\"},\"when\":{\"signal\":\"x\",\"gt\":1}}]}", MLOPS_E_SCHEMA,
         "$.rules[0].budget.period", NULL},
        /* constraints */
        {"{\"schema\":\"libmlops.policy/v2\",\"policy_id\":\"t\",\"revision\":1}", MLOPS_E_VERSION,
         "$.schema", "unsupported policy schema"},
        {HDR SIG "\"rules\":[{\"id\":\"r\",\"action\":\"reboot\",\"when\":{\"signal\":\"x\",\"gt\":1}}]}",
         MLOPS_E_SCHEMA, "$.rules[0].action", "unknown action"},
        {HDR SIG "\"rules\":[{\"id\":\"r\",\"action\":\"warn\",\"when\":{\"signal\":\"x\",\"gt\":1}},"
                 "{\"id\":\"r\",\"action\":\"warn\",\"when\":{\"signal\":\"x\",\"gt\":1}}]}",
         MLOPS_E_SCHEMA, "$.rules[1].id", "duplicate rule id"},
        {HDR SIG RULE("{\"signal\":\"x\",\"gt\":1,\"lt\":3}") "}", MLOPS_E_SCHEMA, "$.rules[0].when",
         "exactly one comparator"},
        {HDR SIG RULE("{\"signal\":\"x\",\"between\":[3,1]}") "}", MLOPS_E_SCHEMA,
         "$.rules[0].when.between", "low is greater than high"},
        {HDR SIG RULE("{\"signal\":\"x\",\"eq\":1,\"exit\":0}") "}", MLOPS_E_SCHEMA,
         "$.rules[0].when.exit", "hysteresis"},
        {HDR SIG RULE("{\"signal\":\"x\",\"gt\":1,\"abs_tol\":-0.5}") "}", MLOPS_E_SCHEMA,
         "$.rules[0].when.abs_tol", "negative"},
        {HDR SIG RULE("{\"at_least\":{\"k\":3,\"of\":[{\"signal\":\"x\",\"gt\":1}]}}") "}",
         MLOPS_E_SCHEMA, "$.rules[0].when.at_least.of", "exceeds"},
        {HDR SIG RULE("{\"all_of\":[]}") "}", MLOPS_E_SCHEMA, "$.rules[0].when.all_of", "at least one"},
        {HDR SIG RULE("{\"over\":\"x*\",\"alpha\":1.5,\"any\":true}") "}", MLOPS_E_SCHEMA,
         "$.rules[0].when.alpha", "strictly between 0 and 1"},
        {HDR SIG RULE("{\"over\":\"x*\",\"each\":{\"gt\":1}}") "}", MLOPS_E_SCHEMA, "$.rules[0].when",
         "reducer"},
        {HDR SIG RULE("{\"over\":\"x*\",\"each\":{\"gt\":1},\"any\":false}") "}", MLOPS_E_SCHEMA,
         "$.rules[0].when.any", "expected true"},
        {HDR SIG RULE("{\"over\":\"x*\",\"each\":{\"gt\":1},\"count\":{\"gte\":1},\"weights\":{}}") "}",
         MLOPS_E_SCHEMA, "$.rules[0].when.weights", "weighted_share"},
        {HDR SIG RULE("{\"signal\":\"x*\",\"gt\":1}") "}", MLOPS_E_SCHEMA, "$.rules[0].when.signal",
         "use \"over\""},
        {HDR SIG "\"rules\":[{\"id\":\"r\",\"action\":\"warn\",\"m_of_n\":[4,3],\"when\":"
                 "{\"signal\":\"x\",\"gt\":1}}]}", MLOPS_E_SCHEMA, "$.rules[0].m_of_n[0]", NULL},
        {HDR SIG "\"rules\":[{\"id\":\"r\",\"action\":\"warn\",\"m_of_n\":[1,65],\"when\":"
                 "{\"signal\":\"x\",\"gt\":1}}]}", MLOPS_E_SCHEMA, "$.rules[0].m_of_n[1]", NULL},
        {HDR SIG "\"rules\":[]}", MLOPS_E_SCHEMA, "$.rules", "at least one rule or a gate"},
        {HDR SIG "\"rules\":[],\"gate\":{\"metrics\":{\"x\":{\"max_regression\":0.1}}}}",
         MLOPS_E_SCHEMA, "$.gate.metrics.x", "with \"better\""},
        {HDR SIG "\"rules\":[],\"gate\":{\"metrics\":{\"auc\":{\"guardrail\":true,"
                 "\"min_improvement\":0}}}}", MLOPS_E_SCHEMA, "$.gate.metrics.auc", "guardrail"},
        {HDR SIG RULE("{\"signal\":\"x\",\"gt\":1}") ",\"tests\":[{\"name\":\"n\",\"steps\":[{\"at\":"
                 "\"5m\"},{\"at\":\"1m\"}]}]}", MLOPS_E_SCHEMA, "$.tests[0].steps[1].at", "back in time"},
        {HDR SIG RULE("{\"signal\":\"x\",\"gt\":1}") ",\"tests\":[{\"name\":\"n\",\"steps\":[{\"at\":"
                 "\"0s\",\"expect_rule\":\"nope\"}]}]}", MLOPS_E_SCHEMA,
         "$.tests[0].steps[0].expect_rule", "no rule has id"},
        {HDR SIG RULE("{\"signal\":\"x\",\"gt\":1}") ",\"tests\":[{\"name\":\"n\",\"gate\":{"
                 "\"candidate\":{}},\"expect\":\"none\"}]}", MLOPS_E_SCHEMA, "$.tests[0].gate",
         "needs a \"gate\" in the policy"},
        {HDR SIG RULE("{\"signal\":\"x\",\"gt\":1e999}") "}", MLOPS_E_SCHEMA, "$.rules[0].when.gt",
         "out of the range"},
        /* syntax: offsets, not paths */
        {HDR SIG RULE("{\"signal\":\"x\",\"gt\":1,}") "}", MLOPS_E_PARSE, NULL, NULL},
        {HDR "\"policy_id\":\"u\"}", MLOPS_E_PARSE, NULL, "duplicate"},
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++)
        expect_error(c[i].json, strlen(c[i].json), c[i].code, c[i].path, c[i].needle);
}

static void deep_nesting_and_huge_files_hit_limits(void **state)
{
    (void)state;
    /* conditions nested 40 deep: within the JSON depth limit, beyond the policy's */
    size_t cap = 8192, len = 0;
    char *j = malloc(cap);
    len += (size_t)snprintf(j + len, cap - len, HDR SIG "\"rules\":[{\"id\":\"r\",\"action\":\"warn\",\"when\":");
    for (int i = 0; i < 33; i++)
        len += (size_t)snprintf(j + len, cap - len, "{\"not\":");
    len += (size_t)snprintf(j + len, cap - len, "{\"signal\":\"x\",\"gt\":1}");
    for (int i = 0; i < 33; i++)
        j[len++] = '}';
    len += (size_t)snprintf(j + len, cap - len, "}]}");
    expect_error(j, len, MLOPS_E_LIMIT, NULL, "nested deeper than 32 levels");
    assert_non_null(strstr(mlops_error_last_path(), "$.rules[0].when.not.not.not"));
    free(j);
    /* 100,000 nested arrays: the JSON reader's depth limit, with an offset */
    size_t n = 100000;
    j = malloc(n + 1);
    memset(j, '[', n);
    expect_error(j, n, MLOPS_E_LIMIT, NULL, NULL);
    assert_true(mlops_error_last_offset() >= 0);
    free(j);
    /* a 10 MB policy file: rejected before parsing, with the sizes */
    n = (size_t)10 << 20;
    j = malloc(n);
    memset(j, ' ', n);
    memcpy(j, HDR, strlen(HDR));
    expect_error(j, n, MLOPS_E_LIMIT, NULL, "10485760 bytes, more than the limit of 1048576");
    free(j);
    /* NULL arguments and flags */
    mlops_policy *p = NULL;
    assert_int_equal(mlops_policy_parse(NULL, "{}", 2, NULL, 0), MLOPS_E_INVALID);
    assert_int_equal(mlops_policy_parse(&p, NULL, 2, NULL, 0), MLOPS_E_INVALID);
    assert_int_equal(mlops_policy_parse(&p, "{}", 2, NULL, 4), MLOPS_E_INVALID);
    assert_null(p);
}

static void source_name_prefixes_messages(void **state)
{
    (void)state;
    const char *j = HDR SIG RULE("{\"signal\":\"x\",\"gt\":true}") "}";
    mlops_policy *p = NULL;
    assert_int_equal(mlops_policy_parse(&p, j, strlen(j), "prod.json", 0), MLOPS_E_SCHEMA);
    assert_non_null(strstr(mlops_error_last(), "prod.json: "));
    assert_non_null(strstr(mlops_error_last(), "$.rules[0].when.gt"));
    assert_true(mlops_error_last_offset() > 0);
}

/* ---- lint ------------------------------------------------------------------------ */

static void lint_reports_each_kind_of_mistake(void **state)
{
    (void)state;
    const char *j =
        HDR "\"defaults\":{\"evaluation_interval\":\"5m\"},"
            "\"signals\":{\"err\":{\"kind\":\"score\",\"range\":[0,1]},\"p.*\":{\"kind\":\"p_value\"},"
            "\"auc\":{\"kind\":\"metric\",\"better\":\"higher\",\"range\":[0,1]}},"
            "\"rules\":["
            "{\"id\":\"a\",\"action\":\"rollback\",\"when\":{\"signal\":\"err\",\"gt\":0.1,\"exit\":0.2}},"
            "{\"id\":\"b\",\"action\":\"warn\",\"when\":{\"signal\":\"err\",\"gt\":0.1,\"exit\":0.2}},"
            "{\"id\":\"c\",\"action\":\"retrain\",\"cooldown\":\"1m\",\"when\":{\"signal\":\"latency\",\"gt\":1}},"
            "{\"id\":\"d\",\"action\":\"warn\",\"when\":{\"signal\":\"err\",\"gt\":1.5}},"
            "{\"id\":\"e\",\"action\":\"warn\",\"when\":{\"over\":\"p.*\",\"each\":{\"lt\":2},\"share\":{\"gt\":1.5}}}"
            "],\"gate\":{\"metrics\":{\"auc\":{\"min\":1.2}}}}";
    mlops_policy *p = NULL;
    assert_int_equal(mlops_policy_parse(&p, j, strlen(j), NULL, 0), 0);
    mlops_buf report = MLOPS_BUF_INIT;
    size_t n = 0;
    assert_int_equal(mlops_policy_lint(&report, &n, p, 0), 0);
    static const char *expected[] = {
        "\"code\": \"exit_wrong_side\",\n      \"message\": \"exit threshold 0.2 is on the wrong side of the enter threshold 0.1: it must be lower to hold the latch\",\n      \"path\": \"$.rules[0].when\"",
        "\"code\": \"unknown_signal\",\n      \"message\": \"signal \\\"latency\\\" is not declared in $.signals\",\n      \"path\": \"$.rules[2].when\"",
        "\"code\": \"threshold_out_of_range\",\n      \"message\": \"the threshold 1.5 is outside the declared range [0, 1] of \\\"err\\\"\",\n      \"path\": \"$.rules[3].when\"",
        "\"code\": \"threshold_out_of_range\",\n      \"message\": \"the per-signal threshold 2 is outside the declared range [0, 1] of \\\"p.*\\\"\"",
        "\"code\": \"threshold_out_of_range\",\n      \"message\": \"the share threshold 1.5 is outside the declared range [0, 1] of \\\"share\\\"\"",
        "\"code\": \"cooldown_shorter_than_interval\",\n      \"message\": \"cooldown 1m is shorter than the evaluation interval 5m: it never suppresses anything\",\n      \"path\": \"$.rules[2]\"",
        "\"code\": \"shadowed_rule\",\n      \"message\": \"rule \\\"b\\\" can never decide: rule \\\"a\\\" has the same condition and an action at least as high\",\n      \"path\": \"$.rules[1]\"",
        "\"message\": \"gate \\\"min\\\" of \\\"auc\\\" is outside its declared range\"",
    };
    for (size_t i = 0; i < sizeof expected / sizeof expected[0]; i++)
        if (!strstr(report.data, expected[i]))
            fail_msg("lint report lacks finding %zu:\n%s\n---\n%s", i, expected[i], report.data);
    assert_int_equal(n, 9); /* the exit finding appears for a and b */
    mlops_buf_dispose(&report);
    mlops_policy_free(p);
}

/* The findings of docs/formats/policy-v1.md §10 the test above does not
 * produce: an exit equal to the enter threshold or outside the range, a
 * "lt" exit on the wrong side, an aggregation no declaration covers, alpha
 * over non-p-values, "for" shorter than the interval, gate bounds and an
 * undeclared gate metric; a shadowed aggregation rule; and nothing for
 * signals and globs a declared glob covers. */
static void lint_reports_the_other_findings(void **state)
{
    (void)state;
    const char *j =
        HDR "\"defaults\":{\"evaluation_interval\":\"10m\"},"
            "\"signals\":{\"err\":{\"kind\":\"score\",\"range\":[0,1]},\"ks_p.*\":{\"kind\":\"p_value\"},"
            "\"psi.*\":{\"kind\":\"score\"},"
            "\"auc\":{\"kind\":\"metric\",\"better\":\"higher\",\"range\":[0,1]}},"
            "\"rules\":["
            "{\"id\":\"a\",\"action\":\"warn\",\"when\":{\"signal\":\"err\",\"gt\":0.5,\"exit\":0.5}},"
            "{\"id\":\"b\",\"action\":\"warn\",\"when\":{\"signal\":\"err\",\"gt\":0.5,\"exit\":-1}},"
            "{\"id\":\"c\",\"action\":\"warn\",\"when\":{\"signal\":\"err\",\"lt\":0.2,\"exit\":0.1}},"
            "{\"id\":\"d\",\"action\":\"warn\",\"when\":{\"over\":\"drift.*\",\"each\":{\"gt\":0.2},\"any\":true}},"
            "{\"id\":\"e\",\"action\":\"block_promotion\",\"when\":{\"over\":\"psi.*\",\"alpha\":0.01,\"count\":{\"gte\":1}}},"
            "{\"id\":\"f\",\"action\":\"warn\",\"for\":\"1m\",\"when\":{\"signal\":\"ks_p.age\",\"lt\":0.05}},"
            "{\"id\":\"g\",\"action\":\"rollback\",\"when\":{\"over\":\"ks_p.*\",\"alpha\":0.01,\"correction\":\"holm\",\"count\":{\"gte\":2}}},"
            "{\"id\":\"h\",\"action\":\"retrain\",\"when\":{\"over\":\"ks_p.*\",\"alpha\":0.01,\"correction\":\"holm\",\"count\":{\"gte\":2}}}"
            "],\"gate\":{\"metrics\":{\"auc\":{\"max\":1.5},\"loss\":{\"max\":2}}}}";
    mlops_policy *p = NULL;
    assert_int_equal(mlops_policy_parse(&p, j, strlen(j), NULL, 0), 0);
    mlops_buf report = MLOPS_BUF_INIT;
    size_t n = 0;
    assert_int_equal(mlops_policy_lint(&report, &n, p, 0), 0);
    static const char *expected[] = {
        "\"code\": \"exit_equals_enter\",\n      \"message\": \"exit threshold 0.5 equals the enter threshold: no hysteresis\",\n      \"path\": \"$.rules[0].when\"",
        "\"code\": \"threshold_out_of_range\",\n      \"message\": \"exit threshold -1 is outside the declared range of \\\"err\\\"\",\n      \"path\": \"$.rules[1].when\"",
        "\"code\": \"exit_wrong_side\",\n      \"message\": \"exit threshold 0.1 is on the wrong side of the enter threshold 0.2: it must be higher to hold the latch\",\n      \"path\": \"$.rules[2].when\"",
        "\"code\": \"unknown_signal\",\n      \"message\": \"no declaration in $.signals covers the glob \\\"drift.*\\\"\",\n      \"path\": \"$.rules[3].when\"",
        "\"code\": \"alpha_on_non_p_value\",\n      \"message\": \"\\\"alpha\\\" treats the values of \\\"psi.*\\\" as p-values, but it is declared as another kind\",\n      \"path\": \"$.rules[4].when\"",
        "\"code\": \"for_shorter_than_interval\",\n      \"message\": \"\\\"for\\\" 1m is shorter than the evaluation interval 10m\",\n      \"path\": \"$.rules[5]\"",
        "\"code\": \"shadowed_rule\",\n      \"message\": \"rule \\\"h\\\" can never decide: rule \\\"g\\\" has the same condition and an action at least as high\",\n      \"path\": \"$.rules[7]\"",
        "\"code\": \"threshold_out_of_range\",\n      \"message\": \"gate \\\"max\\\" of \\\"auc\\\" is outside its declared range\",\n      \"path\": \"$.gate.metrics\"",
        "\"code\": \"unknown_signal\",\n      \"message\": \"gate metric \\\"loss\\\" is not declared in $.signals\",\n      \"path\": \"$.gate.metrics\"",
    };
    for (size_t i = 0; i < sizeof expected / sizeof expected[0]; i++)
        if (!strstr(report.data, expected[i]))
            fail_msg("lint report lacks finding %zu:\n%s\n---\n%s", i, expected[i], report.data);
    /* rule f reads ks_p.age, which the glob ks_p.* declares: no finding */
    assert_null(strstr(report.data, "ks_p.age"));
    assert_int_equal(n, sizeof expected / sizeof expected[0]);
    mlops_buf_dispose(&report);
    mlops_policy_free(p);
}

/* ---- gate ----------------------------------------------------------------------- */

static const char *gate_policy =
    HDR "\"signals\":{\"auc\":{\"kind\":\"metric\",\"better\":\"higher\"},"
        "\"lat\":{\"kind\":\"metric\",\"better\":\"lower\"},\"gap\":{\"kind\":\"metric\",\"better\":\"lower\"}},"
        "\"rules\":[],\"gate\":{\"min_samples\":100,\"metrics\":{"
        "\"auc\":{\"min\":0.75,\"max_regression\":0.0625,\"non_inferiority_margin\":0.125,\"min_improvement\":-0.0625},"
        "\"lat\":{\"max\":100,\"max_regression_rel\":0.25,\"min_samples\":0},"
        "\"gap\":{\"guardrail\":true,\"max\":0.5}}}}";

static void gate_checks_every_metric_and_explains(void **state)
{
    (void)state;
    mlops_policy *p = NULL;
    assert_int_equal(mlops_policy_parse(&p, gate_policy, strlen(gate_policy), NULL, 0), 0);
    mlops_gate_metrics *cand = NULL, *champ = NULL;
    assert_int_equal(mlops_gate_metrics_new(&cand), 0);
    assert_int_equal(mlops_gate_metrics_new(&champ), 0);
    assert_int_equal(mlops_gate_metrics_put(cand, "auc", 0.8125, 0.75, 0.875, 1000), 0);
    assert_int_equal(mlops_gate_metrics_put(cand, "lat", 90, NAN, NAN, -1), 0);
    assert_int_equal(mlops_gate_metrics_put(cand, "gap", 0.25, NAN, NAN, 50), 0); /* too few */
    assert_int_equal(mlops_gate_metrics_put(champ, "auc", 0.875, NAN, NAN, -1), 0);
    assert_int_equal(mlops_gate_metrics_put(champ, "lat", 80, NAN, NAN, -1), 0);
    mlops_gate_result *g = NULL;
    assert_int_equal(mlops_policy_gate(&g, p, cand, champ, 0), 0);
    assert_int_equal(mlops_gate_result_action(g), MLOPS_ACTION_BLOCK_PROMOTION);
    /* auc: samples, min, regression 0.0625 <= 0.0625, NI 0.75 >= 0.75, improvement -0.0625 >= -0.0625;
     * lat: max, regression_rel 0.125; gap: samples 50 < 100 blocks, max */
    /* observed and limit worked by hand from the inputs (binary-exact):
     * regression 0.875 - 0.8125, NI the interval's low end against
     * 0.875 - 0.125, improvement its negation, regression_rel (90 - 80) / 80 */
    static const struct {
        const char *metric, *kind;
        int guardrail, passed, reason;
        double observed, limit;
    } want[] = {
        {"auc", "samples", 0, 1, 0, 1000, 100},
        {"auc", "min", 0, 1, 0, 0.8125, 0.75},
        {"auc", "regression", 0, 1, 0, 0.0625, 0.0625},
        {"auc", "non_inferiority", 0, 1, 0, 0.75, 0.75},
        {"auc", "improvement", 0, 1, 0, -0.0625, -0.0625},
        {"lat", "max", 0, 1, 0, 90, 100},
        {"lat", "regression_rel", 0, 1, 0, 0.125, 0.25},
        {"gap", "samples", 1, 0, MLOPS_REASON_LOW_SAMPLES, 50, 100},
        {"gap", "max", 1, 1, 0, 0.25, 0.5},
    };
    assert_int_equal(mlops_gate_result_check_count(g), 9);
    const struct mlops_gate_result_info *gi = mlops_gate_result_info(g);
    assert_non_null(gi);
    assert_int_equal(gi->version, MLOPS_GATE_RESULT_INFO_VERSION);
    assert_int_equal(gi->size, sizeof *gi);
    assert_true(MLOPS_INFO_HAS(gi, struct mlops_gate_result_info, check_count));
    assert_int_equal(gi->action, MLOPS_ACTION_BLOCK_PROMOTION);
    assert_int_equal(gi->check_count, 9);
    for (size_t i = 0; i < 9; i++) {
        assert_string_equal(mlops_gate_result_check_metric(g, i), want[i].metric);
        assert_string_equal(mlops_gate_result_check_kind(g, i), want[i].kind);
        assert_int_equal(mlops_gate_result_check_passed(g, i), want[i].passed);
        assert_int_equal(mlops_gate_result_check_reason(g, i), want[i].reason);
        const mlops_gate_result_check_info *c = mlops_gate_result_check(g, i);
        assert_non_null(c);
        assert_int_equal(c->version, MLOPS_GATE_RESULT_CHECK_INFO_VERSION);
        assert_int_equal(c->size, sizeof *c);
        assert_string_equal(c->metric, want[i].metric);
        assert_string_equal(c->kind, want[i].kind);
        assert_int_equal(c->guardrail, want[i].guardrail);
        assert_int_equal(c->passed, want[i].passed);
        assert_int_equal(c->reason, want[i].reason);
        assert_true(c->observed == want[i].observed);
        assert_true(c->limit == want[i].limit);
        assert_null(c->detail);
    }
    assert_null(mlops_gate_result_check_metric(g, 9));
    assert_int_equal(mlops_gate_result_check_passed(g, 9), -1);
    assert_null(mlops_gate_result_check(g, 9));
    assert_null(mlops_gate_result_check(g, SIZE_MAX));
    assert_null(mlops_gate_result_check(NULL, 0));
    assert_null(mlops_gate_result_info(NULL));
    mlops_buf e = MLOPS_BUF_INIT;
    assert_int_equal(mlops_gate_result_write_text(&e, g, 0), 0);
    assert_string_equal(e.data,
        "gate of policy t revision 1: block_promotion (1 of 9 checks block)\n"
        "  auc samples: observed 1000, limit 100: pass\n"
        "  auc min: observed 0.8125, limit 0.75: pass\n"
        "  auc regression: observed 0.0625, limit 0.0625: pass\n"
        "  auc non_inferiority: observed 0.75, limit 0.75: pass\n"
        "  auc improvement: observed -0.0625, limit -0.0625: pass\n"
        "  lat max: observed 90, limit 100: pass\n"
        "  lat regression_rel: observed 0.125, limit 0.25: pass\n"
        "  gap samples (guardrail): observed 50, limit 100: BLOCK LOW_SAMPLES\n"
        "  gap max (guardrail): observed 0.25, limit 0.5: pass\n");
    mlops_buf j = MLOPS_BUF_INIT;
    assert_int_equal(mlops_gate_result_write_json(&j, g, 0), 0);
    assert_non_null(strstr(j.data, "{\"guardrail\":true,\"kind\":\"samples\",\"limit\":100,"
                                   "\"metric\":\"gap\",\"observed\":50,\"passed\":false,"
                                   "\"reason\":\"LOW_SAMPLES\"}"));
    mlops_buf_dispose(&e);
    mlops_buf_dispose(&j);
    mlops_gate_result_free(g);

    /* missing candidate metric, champion without it, no interval */
    mlops_gate_metrics *c2 = NULL, *k2 = NULL;
    assert_int_equal(mlops_gate_metrics_new(&c2), 0);
    assert_int_equal(mlops_gate_metrics_new(&k2), 0);
    assert_int_equal(mlops_gate_metrics_put(c2, "auc", 0.875, NAN, NAN, 1000), 0);
    assert_int_equal(mlops_gate_metrics_put(c2, "gap", 0.25, NAN, NAN, 1000), 0);
    assert_int_equal(mlops_policy_gate(&g, p, c2, k2, 0), 0);
    assert_int_equal(mlops_gate_result_action(g), MLOPS_ACTION_BLOCK_PROMOTION);
    assert_string_equal(mlops_gate_result_check_kind(g, 2), "champion");
    assert_int_equal(mlops_gate_result_check_reason(g, 2), MLOPS_REASON_NO_CHAMPION);
    assert_string_equal(mlops_gate_result_check_kind(g, 3), "value"); /* lat missing */
    assert_int_equal(mlops_gate_result_check_reason(g, 3), MLOPS_REASON_MISSING);
    /* no value, no limit: NaN in the struct (null in the JSON) */
    assert_string_equal(mlops_gate_result_check(g, 2)->kind, "champion");
    assert_int_equal(mlops_gate_result_check(g, 2)->reason, MLOPS_REASON_NO_CHAMPION);
    assert_true(isnan(mlops_gate_result_check(g, 2)->observed));
    assert_string_equal(mlops_gate_result_check(g, 3)->metric, "lat");
    assert_int_equal(mlops_gate_result_check(g, 3)->passed, 0);
    assert_true(isnan(mlops_gate_result_check(g, 3)->observed));
    assert_true(isnan(mlops_gate_result_check(g, 3)->limit));
    mlops_gate_result_free(g);
    assert_int_equal(mlops_gate_metrics_put(k2, "auc", 0.875, NAN, NAN, -1), 0);
    assert_int_equal(mlops_gate_metrics_put(c2, "lat", 50, NAN, NAN, -1), 0);
    assert_int_equal(mlops_policy_gate(&g, p, c2, k2, 0), 0);
    assert_string_equal(mlops_gate_result_check_kind(g, 3), "non_inferiority");
    assert_int_equal(mlops_gate_result_check_reason(g, 3), MLOPS_REASON_NO_INTERVAL);
    mlops_gate_result_free(g);
    /* bad inputs */
    assert_int_equal(mlops_gate_metrics_put(c2, "auc", 0.5, 0.6, NAN, -1), MLOPS_E_INVALID);
    assert_int_equal(mlops_gate_metrics_put(c2, "auc", 0.5, 0.6, 0.7, -1), MLOPS_E_INVALID);
    assert_int_equal(mlops_gate_metrics_put(c2, "", 0.5, NAN, NAN, -1), MLOPS_E_INVALID);
    assert_int_equal(mlops_policy_gate(&g, p, c2, NULL, 2), MLOPS_E_INVALID);
    mlops_gate_metrics_free(c2);
    mlops_gate_metrics_free(k2);
    mlops_gate_metrics_free(cand);
    mlops_gate_metrics_free(champ);
    mlops_policy_free(p);
    const char *nogate = HDR SIG RULE("{\"signal\":\"x\",\"gt\":1}") "}";
    assert_int_equal(mlops_policy_parse(&p, nogate, strlen(nogate), NULL, 0), 0);
    mlops_gate_metrics *empty = NULL;
    assert_int_equal(mlops_gate_metrics_new(&empty), 0);
    assert_int_equal(mlops_policy_gate(&g, p, empty, NULL, 0), MLOPS_E_NOTFOUND);
    mlops_gate_metrics_free(empty);
    mlops_policy_free(p);
}

/* The candidate must be a later version of the champion's model: another
 * model (a typo, a wrong store reference) or an older version blocks. */
static mlops_gate_result *gate_models(const mlops_policy *p, const char *cn, const char *cv,
                                      const char *kn, const char *kv, uint32_t flags)
{
    mlops_gate_metrics *c = NULL, *k = NULL;
    assert_int_equal(mlops_gate_metrics_new(&c), 0);
    assert_int_equal(mlops_gate_metrics_new(&k), 0);
    assert_int_equal(mlops_gate_metrics_put(c, "auc", 0.875, 0.85, 0.9, 1000), 0);
    assert_int_equal(mlops_gate_metrics_put(c, "lat", 50, NAN, NAN, 1000), 0);
    assert_int_equal(mlops_gate_metrics_put(c, "gap", 0.25, NAN, NAN, 1000), 0);
    assert_int_equal(mlops_gate_metrics_put(k, "auc", 0.875, NAN, NAN, -1), 0);
    assert_int_equal(mlops_gate_metrics_put(k, "lat", 50, NAN, NAN, -1), 0);
    if (cn)
        assert_int_equal(mlops_gate_metrics_set_model(c, cn, cv, 0), 0);
    if (kn)
        assert_int_equal(mlops_gate_metrics_set_model(k, kn, kv, 0), 0);
    mlops_gate_result *g = NULL;
    assert_int_equal(mlops_policy_gate(&g, p, c, k, flags), 0);
    mlops_gate_metrics_free(c);
    mlops_gate_metrics_free(k);
    return g;
}

static void gate_checks_the_model_and_its_version(void **state)
{
    (void)state;
    mlops_policy *p = NULL;
    assert_int_equal(mlops_policy_parse(&p, gate_policy, strlen(gate_policy), NULL, 0), 0);
    /* without identities: the metric checks only (all pass) */
    mlops_gate_result *g = gate_models(p, NULL, NULL, NULL, NULL, 0);
    assert_int_equal(mlops_gate_result_action(g), MLOPS_ACTION_NONE);
    assert_string_equal(mlops_gate_result_check_metric(g, 0), "auc");
    mlops_gate_result_free(g);
    /* a later version of the same model */
    g = gate_models(p, "dia", "1.1.0", "dia", "1.0.0", 0);
    assert_int_equal(mlops_gate_result_action(g), MLOPS_ACTION_NONE);
    assert_string_equal(mlops_gate_result_check_metric(g, 0), "model");
    assert_string_equal(mlops_gate_result_check_kind(g, 0), "name");
    assert_string_equal(mlops_gate_result_check_kind(g, 1), "version");
    assert_int_equal(mlops_gate_result_check_passed(g, 1), 1);
    assert_int_equal(mlops_gate_result_info(g)->action, MLOPS_ACTION_NONE);
    assert_string_equal(mlops_gate_result_check(g, 0)->metric, "model");
    assert_string_equal(mlops_gate_result_check(g, 0)->kind, "name");
    assert_string_equal(mlops_gate_result_check(g, 0)->detail, "candidate dia, champion dia");
    assert_string_equal(mlops_gate_result_check(g, 1)->kind, "version");
    assert_string_equal(mlops_gate_result_check(g, 1)->detail,
                        "candidate 1.1.0, champion 1.0.0");
    assert_int_equal(mlops_gate_result_check(g, 1)->passed, 1);
    assert_true(isnan(mlops_gate_result_check(g, 1)->observed));
    mlops_gate_result_free(g);
    /* another model blocks, whatever its metrics */
    g = gate_models(p, "totally-different", "0.0.1", "dia", "1.0.0", 0);
    assert_int_equal(mlops_gate_result_action(g), MLOPS_ACTION_BLOCK_PROMOTION);
    assert_int_equal(mlops_gate_result_check_passed(g, 0), 0);
    assert_int_equal(mlops_gate_result_check_reason(g, 0), MLOPS_REASON_OTHER_MODEL);
    assert_int_equal(mlops_gate_result_check(g, 0)->passed, 0);
    assert_int_equal(mlops_gate_result_check(g, 0)->reason, MLOPS_REASON_OTHER_MODEL);
    assert_string_equal(mlops_gate_result_check(g, 0)->detail,
                        "candidate totally-different, champion dia");
    assert_int_equal(mlops_gate_result_info(g)->action, MLOPS_ACTION_BLOCK_PROMOTION);
    assert_string_equal(mlops_policy_reason_name(MLOPS_REASON_OTHER_MODEL), "OTHER_MODEL");
    assert_string_equal(mlops_gate_result_check_kind(g, 1), "samples"); /* no version check */
    mlops_buf e = MLOPS_BUF_INIT, j = MLOPS_BUF_INIT;
    assert_int_equal(mlops_gate_result_write_text(&e, g, 0), 0);
    assert_non_null(strstr(e.data, "  model name: candidate totally-different, champion dia: "
                                   "BLOCK OTHER_MODEL\n"));
    assert_int_equal(mlops_gate_result_write_json(&j, g, 0), 0);
    assert_non_null(strstr(j.data, "{\"detail\":\"candidate totally-different, champion dia\","
                                   "\"guardrail\":false,\"kind\":\"name\",\"limit\":null,"
                                   "\"metric\":\"model\",\"observed\":null,\"passed\":false,"
                                   "\"reason\":\"OTHER_MODEL\"}"));
    mlops_buf_dispose(&e);
    mlops_buf_dispose(&j);
    mlops_gate_result_free(g);
    /* an older version blocks unless allowed; a pre-release is older */
    static const char *older[] = {"0.9.9", "1.0.0-rc.1", "0.0.1"};
    for (size_t i = 0; i < 3; i++) {
        g = gate_models(p, "dia", older[i], "dia", "1.0.0", 0);
        assert_int_equal(mlops_gate_result_action(g), MLOPS_ACTION_BLOCK_PROMOTION);
        assert_string_equal(mlops_gate_result_check_kind(g, 1), "version");
        assert_int_equal(mlops_gate_result_check_reason(g, 1), MLOPS_REASON_DOWNGRADE);
        assert_int_equal(mlops_gate_result_check(g, 1)->reason, MLOPS_REASON_DOWNGRADE);
        assert_int_equal(mlops_gate_result_info(g)->action, MLOPS_ACTION_BLOCK_PROMOTION);
        mlops_gate_result_free(g);
        g = gate_models(p, "dia", older[i], "dia", "1.0.0", MLOPS_GATE_ALLOW_DOWNGRADE);
        assert_int_equal(mlops_gate_result_action(g), MLOPS_ACTION_NONE);
        char allowed[64];
        snprintf(allowed, sizeof allowed, "candidate %s, champion 1.0.0 (downgrade allowed)",
                 older[i]);
        assert_string_equal(mlops_gate_result_check(g, 1)->detail, allowed);
        assert_int_equal(mlops_gate_result_check(g, 1)->passed, 1);
        mlops_gate_result_free(g);
    }
    /* the same version (build metadata ignored) is not a downgrade */
    g = gate_models(p, "dia", "1.0.0+build.7", "dia", "1.0.0", 0);
    assert_int_equal(mlops_gate_result_action(g), MLOPS_ACTION_NONE);
    mlops_gate_result_free(g);
    /* one side that does not say which model it is blocks */
    g = gate_models(p, "dia", "1.1.0", NULL, NULL, 0);
    assert_int_equal(mlops_gate_result_action(g), MLOPS_ACTION_BLOCK_PROMOTION);
    assert_int_equal(mlops_gate_result_check_reason(g, 0), MLOPS_REASON_MISSING);
    mlops_gate_result_free(g);
    /* bad identities */
    mlops_gate_metrics *s = NULL;
    assert_int_equal(mlops_gate_metrics_new(&s), 0);
    assert_int_equal(mlops_gate_metrics_set_model(s, "dia", "1.0", 0), MLOPS_E_PARSE);
    assert_int_equal(mlops_gate_metrics_set_model(s, "", "1.0.0", 0), MLOPS_E_INVALID);
    assert_int_equal(mlops_gate_metrics_set_model(s, "dia", "1.0.0", 1), MLOPS_E_INVALID);
    assert_int_equal(mlops_gate_metrics_set_model(NULL, "dia", "1.0.0", 0), MLOPS_E_INVALID);
    mlops_gate_metrics_free(s);
    mlops_policy_free(p);
}

/* ---- replay ------------------------------------------------------------------------ */

static void replay_of_generated_log_matches_recorded_decisions(void **state)
{
    (void)state;
    char path[1024];
    size_t plen, llen;
    snprintf(path, sizeof path, "%s/policy/replay-policy.json", vectors());
    char *ptext = slurp(path, &plen);
    snprintf(path, sizeof path, "%s/policy/replay-10k.jsonl", vectors());
    char *log = slurp(path, &llen);
    mlops_policy *p = NULL;
    if (mlops_policy_parse(&p, ptext, plen, "replay-policy.json", 0))
        fail_msg("%s", mlops_error_last());
    uint64_t steps = 0, mism = 99;
    mlops_buf report = MLOPS_BUF_INIT;
    assert_int_equal(mlops_policy_replay(&steps, &mism, &report, p, log, llen, 0), 0);
    if (mism)
        fail_msg("%llu mismatches: %.2000s", (unsigned long long)mism, report.data);
    assert_int_equal(steps, 10000);
    mlops_buf_dispose(&report);
    /* record mode writes the log back, canonical, with the decisions made */
    mlops_buf rec = MLOPS_BUF_INIT;
    assert_int_equal(mlops_policy_replay(&steps, &mism, &rec, p, log, llen, MLOPS_POLICY_REPLAY_RECORD), 0);
    assert_int_equal(steps, 10000);
    assert_int_equal(mism, 0);
    const char *first = "{\"expect\":{\"action\":\"none\",\"rule\":null},\"now_ms\":1767225600000,"
                        "\"signals\":{\"auc\":0.845,\"err\":{\"samples\":800,\"value\":0.0251},"
                        "\"psi.a\":{\"samples\":1000,\"value\":0.0527},";
    assert_memory_equal(rec.data, first, strlen(first));
    uint64_t s2 = 0, m2 = 99;
    assert_int_equal(mlops_policy_replay(&s2, &m2, NULL, p, rec.data, rec.size, 0), 0);
    assert_int_equal(s2, 10000);
    assert_int_equal(m2, 0);
    mlops_buf_dispose(&rec);
    assert_int_equal(mlops_policy_replay(&s2, &m2, NULL, p, log, llen, MLOPS_POLICY_REPLAY_RECORD),
                     MLOPS_E_INVALID); /* record needs an output */
    /* a tampered log is caught at the right line */
    char *bad = strstr(log, "\"action\":\"retrain\"");
    assert_non_null(bad);
    memcpy(bad + 9, "\"warn\"   ", 9); /* same length, still valid JSON */
    assert_int_equal(mlops_policy_replay(&steps, &mism, &report, p, log, llen, 0), 0);
    assert_int_equal(mism, 1);
    assert_non_null(strstr(report.data, "\"action\": \"warn\""));
    mlops_buf_dispose(&report);
    /* errors name the line */
    const char *broken = "{\"now_ms\":0}\n{\"now_ms\":1,\"signals\":{\"x\":\"high\"}}\n";
    assert_int_equal(mlops_policy_replay(&steps, &mism, NULL, p, broken, strlen(broken), 0),
                     MLOPS_E_SCHEMA);
    assert_non_null(strstr(mlops_error_last(), "log line 2: "));
    const char *back = "{\"now_ms\":5}\n\n{\"now_ms\":1}\n";
    assert_int_equal(mlops_policy_replay(&steps, &mism, NULL, p, back, strlen(back), 0),
                     MLOPS_E_INVALID);
    assert_non_null(strstr(mlops_error_last(), "log line 3: "));
    mlops_policy_free(p);
    free(ptext);
    free(log);
}

typedef struct rctx {
    mlops_policy *p;
    const char *log;
    size_t len;
    mlops_buf buf;
} rctx;

static int op_replay(void *ctx)
{
    rctx *c = ctx;
    uint64_t s, m;
    int rc = mlops_policy_replay(&s, &m, &c->buf, c->p, c->log, c->len, 0);
    if (!rc)
        rc = mlops_policy_replay(&s, &m, &c->buf, c->p, c->log, c->len,
                                 MLOPS_POLICY_REPLAY_RECORD);
    return rc;
}

static void cleanup_replay(void *ctx)
{
    mlops_buf_dispose(&((rctx *)ctx)->buf);
}

static int op_gate(void *ctx)
{
    rctx *c = ctx;
    mlops_gate_metrics *cand = NULL;
    mlops_gate_result *g = NULL;
    int rc = mlops_gate_metrics_new(&cand);
    if (!rc) rc = mlops_gate_metrics_put(cand, "auc", 0.8, NAN, NAN, 1000);
    if (!rc) rc = mlops_gate_metrics_put(cand, "lat", 80, NAN, NAN, 1000);
    if (!rc) rc = mlops_gate_metrics_set_model(cand, "dia", "1.0.0", 0);
    if (!rc) rc = mlops_policy_gate(&g, c->p, cand, cand, 0);
    if (!rc) rc = mlops_gate_result_write_json(&c->buf, g, MLOPS_JSON_PRETTY);
    if (!rc) rc = mlops_gate_result_write_text(&c->buf, g, 0);
    mlops_gate_result_free(g);
    mlops_gate_metrics_free(cand);
    return rc;
}

static void oom_replay_and_gate(void **state)
{
    (void)state;
    rctx c;
    memset(&c, 0, sizeof c);
    char path[1024];
    size_t plen, llen;
    snprintf(path, sizeof path, "%s/policy/replay-policy.json", vectors());
    char *ptext = slurp(path, &plen);
    snprintf(path, sizeof path, "%s/policy/replay-10k.jsonl", vectors());
    char *log = slurp(path, &llen);
    assert_int_equal(mlops_policy_parse(&c.p, ptext, plen, NULL, 0), 0);
    /* the first 40 lines, with a tampered expectation so a mismatch is reported */
    const char *end = log;
    for (int i = 0; i < 40; i++)
        end = strchr(end, '\n') + 1;
    c.log = log;
    c.len = (size_t)(end - log);
    assert_true(oom_check("mlops_policy_replay", op_replay, cleanup_replay, &c, 0) > 0);
    mlops_policy_free(c.p);
    assert_int_equal(mlops_policy_parse(&c.p, gate_policy, strlen(gate_policy), NULL, 0), 0);
    assert_true(oom_check("mlops_policy_gate", op_gate, cleanup_replay, &c, 0) > 0);
    mlops_policy_free(c.p);
    free(ptext);
    free(log);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(malformed_policies_name_the_json_path),
        cmocka_unit_test(deep_nesting_and_huge_files_hit_limits),
        cmocka_unit_test(source_name_prefixes_messages),
        cmocka_unit_test(lint_reports_each_kind_of_mistake),
        cmocka_unit_test(lint_reports_the_other_findings),
        cmocka_unit_test(gate_checks_every_metric_and_explains),
        cmocka_unit_test(gate_checks_the_model_and_its_version),
        cmocka_unit_test(replay_of_generated_log_matches_recorded_decisions),
        cmocka_unit_test(oom_replay_and_gate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
