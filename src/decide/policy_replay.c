/*
 * Replaying a JSON Lines log of observations and comparing each decision
 * with the one recorded in the log.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/json.h"
#include "decide/policy_internal.h"

#define MAX_REPORTED 100

typedef struct replay {
    const mlops_policy *p;
    mlops_policy_obs *obs;
    mlops_policy_state *st;
    mlops_decision *d;
    mlops__json_doc *report;
    mlops__json *list;
    mlops__json *root;
    uint64_t steps, mismatches;
    mlops_buf *record; /* MLOPS_POLICY_REPLAY_RECORD: the log with decisions */
} replay;


static mlops__json *jstr(mlops__json_doc *doc, const char *s)
{
    return s ? mlops__json_new_string(doc, s, strlen(s)) : mlops__json_new_null(doc);
}

static int put(mlops__json_doc *doc, mlops__json *o, const char *k, mlops__json *v)
{
    return v && o ? mlops__json_object_set(doc, o, k, v) : mlops__error_nomem();
}

/* The line with "expect" set to this step's decision, canonical, newline. */
static int record_line(replay *r, const mlops__json *v)
{
    mlops__json_doc *doc = NULL;
    int rc = mlops__json_doc_new(&doc);
    if (rc)
        return rc;
    mlops__json *copy = mlops__json_copy(doc, v);
    mlops__json *e = mlops__json_new_object(doc);
    if (copy)
        mlops__json_doc_set_root(doc, copy);
    rc = put(doc, copy, "expect", e);
    if (!rc)
        rc = put(doc, e, "action", jstr(doc, mlops_policy_action_name(r->d->action)));
    if (!rc)
        rc = put(doc, e, "rule", jstr(doc, mlops_decision_rule(r->d)));
    if (!rc)
        rc = mlops__json_write_canonical(r->record, copy);
    if (!rc)
        rc = mlops__buf_append_byte(r->record, '\n');
    mlops__json_doc_free(doc);
    return rc;
}

static int report_mismatch(replay *r, uint64_t line, int action, const char *rule, int has_rule)
{
    mlops__json_doc *doc = r->report;
    mlops__json *o = mlops__json_new_object(doc);
    mlops__json *e = mlops__json_new_object(doc);
    mlops__json *g = mlops__json_new_object(doc);
    int rc = put(doc, o, "line", mlops__json_new_uint(doc, line));
    if (!rc) rc = put(doc, o, "now_ms", mlops__json_new_int(doc, r->d->now));
    if (!rc) rc = put(doc, o, "expected", e);
    if (!rc) rc = put(doc, e, "action", jstr(doc, mlops_policy_action_name(action)));
    if (!rc && has_rule) rc = put(doc, e, "rule", jstr(doc, rule));
    if (!rc) rc = put(doc, o, "got", g);
    if (!rc) rc = put(doc, g, "action", jstr(doc, mlops_policy_action_name(r->d->action)));
    if (!rc) rc = put(doc, g, "rule", jstr(doc, mlops_decision_rule(r->d)));
    if (!rc) rc = mlops__json_array_push(doc, r->list, o);
    return rc;
}

static int step(replay *r, const mlops__json *v, uint64_t line)
{
    mlops__json_path path;
    mlops__json_path_init(&path);
    static const char *const keys[] = {"now_ms", "signals", "expect", NULL};
    int rc = mlops__json_check_keys(&path, v, keys);
    if (rc)
        return rc;
    const mlops__json *now = mlops__json_object_find(v, "now_ms");
    if (!now || mlops__json_type_of(now) != MLOPS__JSON_NUMBER || !mlops__json_is_integer(now))
        return mlops__json_schema_error(&path, now ? now : v,
                                        "\"now_ms\" must be an integer (ms since the epoch)");
    mlops_policy_obs_clear(r->obs);
    const mlops__json *sig = mlops__json_object_find(v, "signals");
    if (sig) {
        mlops__json_path_push_key(&path, "signals");
        if (mlops__json_type_of(sig) != MLOPS__JSON_OBJECT)
            return mlops__json_schema_error(&path, sig, "expected an object");
        for (size_t k = 0; k < mlops__json_object_size(sig); k++) {
            const char *name = mlops__json_object_key(sig, k, NULL);
            mlops__json_path_push_key(&path, name);
            if ((rc = mlops__policy_obs_set_json(r->obs, name, mlops__json_object_value(sig, k),
                                                 &path)))
                return rc;
            mlops__json_path_pop(&path);
        }
        mlops__json_path_pop(&path);
    }
    const mlops__json *ex = mlops__json_object_find(v, "expect");
    int action = 0, has_rule = 0;
    const char *rule = NULL;
    if (ex) {
        mlops__json_path_push_key(&path, "expect");
        static const char *const ekeys[] = {"action", "rule", NULL};
        if ((rc = mlops__json_check_keys(&path, ex, ekeys)))
            return rc;
        const mlops__json *a = mlops__json_object_find(ex, "action");
        if (!a || mlops__json_type_of(a) != MLOPS__JSON_STRING ||
            (action = mlops__policy_action_from_name(mlops__json_string(a, NULL))) < 0)
            return mlops__json_schema_error(&path, a ? a : ex, "\"action\" must name an action");
        const mlops__json *ru = mlops__json_object_find(ex, "rule");
        if (ru) {
            has_rule = 1;
            if (mlops__json_type_of(ru) == MLOPS__JSON_STRING)
                rule = mlops__json_string(ru, NULL);
            else if (mlops__json_type_of(ru) != MLOPS__JSON_NULL)
                return mlops__json_schema_error(&path, ru, "\"rule\" must be a string or null");
        }
    }
    if ((rc = mlops_policy_decide(r->d, r->st, r->p, r->obs, mlops__json_int(now), r->st, 0)))
        return rc;
    r->steps++;
    if (r->record && (rc = record_line(r, v)))
        return rc;
    if (!ex)
        return 0;
    int match = r->d->action == action &&
                (!has_rule || (rule ? mlops__policy_expect_matches(r->d, action, rule)
                                    : r->d->rule < 0));
    if (match)
        return 0;
    r->mismatches++;
    if (r->report && r->mismatches <= MAX_REPORTED)
        return report_mismatch(r, line, action, rule, has_rule);
    return 0;
}

static int run(replay *r, const char *data, size_t len)
{
    size_t pos = 0;
    uint64_t line = 0;
    while (pos < len) {
        const char *nl = memchr(data + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - data) : len;
        line++;
        size_t a = pos, b = end;
        while (a < b && (data[a] == ' ' || data[a] == '\t' || data[a] == '\r'))
            a++;
        if (a < b) {
            mlops__json_doc *doc = NULL;
            int rc = mlops__json_parse(&doc, data + a, b - a, NULL, NULL);
            if (rc == 0) {
                const mlops__json *v = mlops__json_root(doc);
                if (mlops__json_type_of(v) != MLOPS__JSON_OBJECT) {
                    mlops__json_path path;
                    mlops__json_path_init(&path);
                    rc = mlops__json_schema_error(&path, v, "each line is a JSON object");
                } else {
                    rc = step(r, v, line);
                }
            }
            mlops__json_doc_free(doc);
            if (rc) {
                if (rc != MLOPS_E_NOMEM)
                    mlops__error_prefix("log line %llu", (unsigned long long)line);
                return rc;
            }
        }
        pos = end + 1;
    }
    return 0;
}

int mlops_policy_replay(uint64_t *steps, uint64_t *mismatches, mlops_buf *report,
                        const mlops_policy *policy, const char *data, size_t len, uint32_t flags)
{
    MLOPS__CHECK_ARG(steps);
    MLOPS__CHECK_ARG(mismatches);
    MLOPS__CHECK_ARG(policy);
    MLOPS__CHECK_ARG(data);
    MLOPS__CHECK_FLAGS(flags, MLOPS_POLICY_REPLAY_RECORD);
    replay r;
    memset(&r, 0, sizeof r);
    r.p = policy;
    mlops_buf recorded = MLOPS_BUF_INIT;
    mlops_buf *record_out = NULL;
    if (flags & MLOPS_POLICY_REPLAY_RECORD) {
        MLOPS__CHECK_ARG(report);
        r.record = &recorded;
        record_out = report;
        report = NULL; /* the output is the recorded log, not a mismatch report */
    }
    int rc = mlops_policy_obs_new(&r.obs, policy);
    if (!rc) rc = mlops_policy_state_new(&r.st, policy);
    if (!rc) rc = mlops_decision_new(&r.d, policy);
    if (!rc && report) {
        rc = mlops__json_doc_new(&r.report);
        if (!rc) {
            r.root = mlops__json_new_object(r.report);
            r.list = mlops__json_new_array(r.report);
            if (r.root)
                mlops__json_doc_set_root(r.report, r.root);
            rc = put(r.report, r.root, "mismatches", r.list);
        }
    }
    if (!rc)
        rc = run(&r, data, len);
    if (!rc && report) {
        mlops__json *root = r.root;
        rc = put(r.report, root, "steps", mlops__json_new_uint(r.report, r.steps));
        if (!rc)
            rc = put(r.report, root, "mismatch_count", mlops__json_new_uint(r.report, r.mismatches));
        if (!rc)
            rc = mlops__json_write_pretty(report, root);
    }
    if (!rc && record_out)
        rc = mlops__buf_append(record_out, recorded.data, recorded.size);
    mlops_buf_dispose(&recorded);
    mlops__json_doc_free(r.report);
    mlops_decision_free(r.d);
    mlops_policy_state_free(r.st);
    mlops_policy_obs_free(r.obs);
    if (rc)
        return rc;
    *steps = r.steps;
    *mismatches = r.mismatches;
    return 0;
}
