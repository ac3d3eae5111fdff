/*
 * The policy's embedded `tests`: sequences of observations with expected
 * actions (like `promtool test rules`), and gate cases.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <math.h>
#include <string.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/json.h"
#include "decide/policy_internal.h"
#include "mlops/timestamp.h"

typedef struct runner {
    const mlops_policy *p;
    mlops__json_doc *doc; /* the report */
    mlops__json *tests;
    size_t passed, failed;
} runner;

static mlops__json *jstr(mlops__json_doc *doc, const char *s)
{
    return s ? mlops__json_new_string(doc, s, strlen(s)) : mlops__json_new_null(doc);
}

static int put(mlops__json_doc *doc, mlops__json *o, const char *k, mlops__json *v)
{
    return v && o ? mlops__json_object_set(doc, o, k, v) : mlops__error_nomem();
}

static int expectation(mlops__json_doc *doc, mlops__json *o, const char *key, const char *action,
                       const char *rule, int with_rule)
{
    mlops__json *e = mlops__json_new_object(doc);
    int rc = put(doc, o, key, e);
    if (!rc)
        rc = put(doc, e, "action", jstr(doc, action));
    if (!rc && with_rule)
        rc = put(doc, e, "rule", jstr(doc, rule));
    return rc;
}

static int fill_metrics(mlops_gate_metrics *set, const mlops__json *obj)
{
    for (size_t i = 0; i < mlops__json_object_size(obj); i++) {
        const char *name = mlops__json_object_key(obj, i, NULL);
        const mlops__json *v = mlops__json_object_value(obj, i);
        double value = NAN, lo = NAN, hi = NAN;
        int64_t samples = -1;
        if (mlops__json_type_of(v) == MLOPS__JSON_NUMBER) {
            value = mlops__json_double(v);
        } else if (mlops__json_type_of(v) == MLOPS__JSON_OBJECT) {
            const mlops__json *x = mlops__json_object_find(v, "value");
            if (x && mlops__json_type_of(x) == MLOPS__JSON_NUMBER)
                value = mlops__json_double(x);
            if ((x = mlops__json_object_find(v, "samples")))
                samples = mlops__json_int(x);
            if ((x = mlops__json_object_find(v, "ci"))) {
                lo = mlops__json_double(mlops__json_array_get(x, 0));
                hi = mlops__json_double(mlops__json_array_get(x, 1));
            }
        } else {
            continue; /* null: not given */
        }
        int rc = mlops_gate_metrics_put(set, name, value, lo, hi, samples);
        if (rc == MLOPS_E_INVALID)
            return mlops__error(MLOPS_E_SCHEMA, "test metric \"%s\": %s", name,
                                mlops_error_last());
        if (rc)
            return rc;
    }
    return 0;
}

static int run_gate_test(runner *run, const mlops__json *t, mlops__json *res, int *ok)
{
    const mlops__json *gate = mlops__json_object_find(t, "gate");
    const mlops__json *champ_json = mlops__json_object_find(gate, "champion");
    const char *expect = mlops__json_string(mlops__json_object_find(t, "expect"), NULL);
    mlops_gate_metrics *cand = NULL, *champ = NULL;
    mlops_gate_result *g = NULL;
    int rc = mlops_gate_metrics_new(&cand);
    if (!rc && champ_json)
        rc = mlops_gate_metrics_new(&champ);
    if (!rc)
        rc = fill_metrics(cand, mlops__json_object_find(gate, "candidate"));
    if (!rc && champ)
        rc = fill_metrics(champ, champ_json);
    if (!rc)
        rc = mlops_policy_gate(&g, run->p, cand, champ, 0);
    if (!rc) {
        *ok = mlops__policy_action_from_name(expect) == mlops_gate_result_action(g);
        if (!*ok) {
            mlops_buf ex = MLOPS_BUF_INIT;
            rc = expectation(run->doc, res, "expected", expect, NULL, 0);
            if (!rc)
                rc = expectation(run->doc, res, "got",
                                 mlops_policy_action_name(mlops_gate_result_action(g)), NULL, 0);
            if (!rc)
                rc = mlops_gate_result_write_text(&ex, g, 0);
            if (!rc)
                rc = put(run->doc, res, "explanation", jstr(run->doc, ex.data ? ex.data : ""));
            mlops_buf_dispose(&ex);
        }
    }
    mlops_gate_result_free(g);
    mlops_gate_metrics_free(cand);
    mlops_gate_metrics_free(champ);
    return rc;
}

static int run_steps_test(runner *run, const mlops__json *t, mlops__json *res, int *ok)
{
    const mlops_policy *p = run->p;
    int64_t start = 0;
    const mlops__json *x;
    if ((x = mlops__json_object_find(t, "start"))) {
        int64_t sec;
        mlops_timestamp_parse(&sec, NULL, mlops__json_string(x, NULL));
        start = sec * 1000;
    }
    mlops_policy_obs *obs = NULL;
    mlops_policy_state *st = NULL;
    mlops_decision *d = NULL;
    int rc = mlops_policy_obs_new(&obs, p);
    if (!rc)
        rc = mlops_policy_state_new(&st, p);
    if (!rc)
        rc = mlops_decision_new(&d, p);
    if (!rc && (x = mlops__json_object_find(t, "last_training"))) {
        int64_t off = 0;
        mlops__policy_parse_duration(&off, mlops__json_string(x, NULL));
        rc = mlops_policy_state_set_last_training(st, start + off);
    }
    const mlops__json *steps = mlops__json_object_find(t, "steps");
    *ok = 1;
    for (size_t i = 0; !rc && i < mlops__json_array_size(steps); i++) {
        const mlops__json *step = mlops__json_array_get(steps, i);
        int64_t at = 0;
        mlops__policy_parse_duration(&at, mlops__json_string(mlops__json_object_find(step, "at"),
                                                             NULL));
        mlops_policy_obs_clear(obs);
        const mlops__json *sig = mlops__json_object_find(step, "signals");
        mlops__json_path path;
        mlops__json_path_init(&path);
        for (size_t k = 0; !rc && sig && k < mlops__json_object_size(sig); k++)
            rc = mlops__policy_obs_set_json(obs, mlops__json_object_key(sig, k, NULL),
                                            mlops__json_object_value(sig, k), &path);
        if (!rc)
            rc = mlops_policy_decide(d, st, p, obs, start + at, st, 0);
        if (rc)
            break;
        const mlops__json *ea = mlops__json_object_find(step, "expect");
        const mlops__json *er = mlops__json_object_find(step, "expect_rule");
        if (!ea && !er)
            continue;
        int action = ea ? mlops__policy_action_from_name(mlops__json_string(ea, NULL))
                        : d->action;
        const char *rule = er && mlops__json_type_of(er) == MLOPS__JSON_STRING
                               ? mlops__json_string(er, NULL)
                               : NULL;
        int match = mlops__policy_expect_matches(d, action, rule) &&
                    !(er && !rule && d->rule >= 0);
        if (match || !*ok)
            continue;
        *ok = 0;
        mlops_buf ex = MLOPS_BUF_INIT;
        rc = put(run->doc, res, "step", mlops__json_new_uint(run->doc, i));
        if (!rc)
            rc = expectation(run->doc, res, "expected", mlops_policy_action_name(action), rule,
                             er != NULL);
        if (!rc)
            rc = expectation(run->doc, res, "got", mlops_policy_action_name(d->action),
                             mlops_decision_rule(d), 1);
        if (!rc)
            rc = mlops_decision_write_text(&ex, d, 0);
        if (!rc)
            rc = put(run->doc, res, "explanation", jstr(run->doc, ex.data ? ex.data : ""));
        mlops_buf_dispose(&ex);
    }
    mlops_decision_free(d);
    mlops_policy_state_free(st);
    mlops_policy_obs_free(obs);
    return rc;
}

static int run_all(runner *run)
{
    const mlops_policy *p = run->p;
    mlops__json *root = mlops__json_new_object(run->doc);
    if (!root)
        return mlops__error_nomem();
    mlops__json_doc_set_root(run->doc, root);
    run->tests = mlops__json_new_array(run->doc);
    int rc = put(run->doc, root, "policy_id", jstr(run->doc, p->policy_id));
    if (!rc)
        rc = put(run->doc, root, "tests", run->tests);
    for (size_t i = 0; !rc && i < p->n_tests; i++) {
        const mlops__json *t = mlops__json_array_get(p->tests, i);
        mlops__json *res = mlops__json_new_object(run->doc);
        rc = put(run->doc, res, "name",
                 jstr(run->doc, mlops__json_string(mlops__json_object_find(t, "name"), NULL)));
        int ok = 0;
        if (!rc)
            rc = mlops__json_object_find(t, "gate") ? run_gate_test(run, t, res, &ok)
                                                     : run_steps_test(run, t, res, &ok);
        if (!rc)
            rc = put(run->doc, res, "passed", mlops__json_new_bool(run->doc, ok));
        if (!rc)
            rc = mlops__json_array_push(run->doc, run->tests, res);
        if (!rc) {
            run->passed += ok;
            run->failed += !ok;
        }
    }
    if (!rc)
        rc = put(run->doc, root, "passed", mlops__json_new_uint(run->doc, run->passed));
    if (!rc)
        rc = put(run->doc, root, "failed", mlops__json_new_uint(run->doc, run->failed));
    return rc;
}

int mlops_policy_run_tests(size_t *passed, size_t *failed, mlops_buf *report,
                           const mlops_policy *policy, uint32_t flags)
{
    MLOPS__CHECK_ARG(policy);
    MLOPS__CHECK_FLAGS(flags, 0);
    runner run;
    memset(&run, 0, sizeof run);
    run.p = policy;
    int rc = mlops__json_doc_new(&run.doc);
    if (rc)
        return rc;
    rc = run_all(&run);
    if (!rc && report)
        rc = mlops__json_write_pretty(report, mlops__json_root(run.doc));
    mlops__json_doc_free(run.doc);
    if (rc)
        return rc;
    if (passed)
        *passed = run.passed;
    if (failed)
        *failed = run.failed;
    return 0;
}
