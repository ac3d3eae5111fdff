/*
 * Evaluation state: created for a policy, copied, saved and loaded as
 * canonical JSON (`libmlops.policy-state/v1`).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/json.h"
#include "decide/policy_internal.h"

int mlops_policy_state_new(mlops_policy_state **out, const mlops_policy *policy)
{
    MLOPS__CHECK_ARG(out);
    MLOPS__CHECK_ARG(policy);
    mlops_policy_state *s = mlops__calloc(1, sizeof *s);
    if (!s)
        return mlops__error_nomem();
    s->policy = policy;
    s->rules = mlops__calloc(policy->n_rules ? policy->n_rules : 1, sizeof *s->rules);
    s->latches = mlops__calloc(policy->n_latches ? policy->n_latches : 1, 1);
    if (!s->rules || !s->latches) {
        mlops_policy_state_free(s);
        return mlops__error_nomem();
    }
    mlops_policy_state_reset(s);
    *out = s;
    return 0;
}

void mlops_policy_state_free(mlops_policy_state *s)
{
    if (!s)
        return;
    mlops__free(s->rules);
    mlops__free(s->latches);
    mlops__free(s);
}

void mlops_policy_state_reset(mlops_policy_state *s)
{
    if (!s)
        return;
    const mlops_policy *p = s->policy;
    s->last_now = MLOPS__NONE_TIME;
    s->last_training = MLOPS__NONE_TIME;
    for (size_t i = 0; i < p->n_rules; i++) {
        memset(&s->rules[i], 0, sizeof s->rules[i]);
        s->rules[i].true_since = MLOPS__NONE_TIME;
    }
    memset(s->latches, 0, p->n_latches);
    memset(s->actions, 0, sizeof s->actions);
    for (int a = 0; a < MLOPS__N_ACTIONS; a++)
        s->actions[a].last = MLOPS__NONE_TIME;
}

/* Copy `src` into `dst`, a state of the same policy. Never allocates. */
void mlops__policy_state_copy(mlops_policy_state *dst, const mlops_policy_state *src)
{
    const mlops_policy *p = src->policy;
    dst->last_now = src->last_now;
    dst->last_training = src->last_training;
    memcpy(dst->rules, src->rules, p->n_rules * sizeof *src->rules);
    memcpy(dst->latches, src->latches, p->n_latches);
    memcpy(dst->actions, src->actions, sizeof src->actions);
}

int mlops_policy_state_dup(mlops_policy_state **out, const mlops_policy_state *src)
{
    MLOPS__CHECK_ARG(out);
    MLOPS__CHECK_ARG(src);
    mlops_policy_state *s = NULL;
    int rc = mlops_policy_state_new(&s, src->policy);
    if (rc)
        return rc;
    mlops__policy_state_copy(s, src);
    *out = s;
    return 0;
}

int mlops_policy_state_set_last_training(mlops_policy_state *s, int64_t time_ms)
{
    MLOPS__CHECK_ARG(s);
    if (!MLOPS__TIME_OK(time_ms))
        return mlops__error(MLOPS_E_INVALID, "training time %lld is outside +/-2^53 ms",
                            (long long)time_ms);
    s->last_training = time_ms;
    return 0;
}

/* ---- save ---------------------------------------------------------------- */

static mlops__json *time_or_null(mlops__json_doc *doc, int64_t t)
{
    return t == MLOPS__NONE_TIME ? mlops__json_new_null(doc) : mlops__json_new_int(doc, t);
}

static int set(mlops__json_doc *doc, mlops__json *obj, const char *key, mlops__json *v)
{
    if (!v || !obj)
        return mlops__error_nomem();
    return mlops__json_object_set(doc, obj, key, v);
}

static int build_state(mlops__json_doc *doc, const mlops_policy_state *s)
{
    const mlops_policy *p = s->policy;
    mlops__json *root = mlops__json_new_object(doc);
    if (!root)
        return mlops__error_nomem();
    mlops__json_doc_set_root(doc, root);
    int rc;
    if ((rc = set(doc, root, "schema",
                  mlops__json_new_string(doc, MLOPS__POLICY_STATE_SCHEMA,
                                         strlen(MLOPS__POLICY_STATE_SCHEMA)))) ||
        (rc = set(doc, root, "policy_id",
                  mlops__json_new_string(doc, p->policy_id, strlen(p->policy_id)))) ||
        (rc = set(doc, root, "policy_digest",
                  mlops__json_new_string(doc, p->digest, strlen(p->digest)))) ||
        (rc = set(doc, root, "last_now_ms", time_or_null(doc, s->last_now))) ||
        (rc = set(doc, root, "last_training_ms", time_or_null(doc, s->last_training))))
        return rc;
    mlops__json *actions = mlops__json_new_object(doc);
    if ((rc = set(doc, root, "actions", actions)))
        return rc;
    for (int a = 1; a < MLOPS__N_ACTIONS; a++) {
        const mlops__action_state *as = &s->actions[a];
        if (as->last == MLOPS__NONE_TIME && as->hist_n == 0)
            continue;
        mlops__json *o = mlops__json_new_object(doc);
        if ((rc = set(doc, actions, mlops_policy_action_name(a), o)) ||
            (rc = set(doc, o, "last_ms", time_or_null(doc, as->last))))
            return rc;
        mlops__json *h = mlops__json_new_array(doc);
        if ((rc = set(doc, o, "history_ms", h)))
            return rc;
        /* oldest first */
        for (uint32_t i = 0; i < as->hist_n; i++) {
            uint32_t k = (as->hist_head + MLOPS__POLICY_MAX_BUDGET - as->hist_n + i) %
                         MLOPS__POLICY_MAX_BUDGET;
            mlops__json *t = mlops__json_new_int(doc, as->history[k]);
            if (!t)
                return mlops__error_nomem();
            if ((rc = mlops__json_array_push(doc, h, t)))
                return rc;
        }
    }
    mlops__json *rules = mlops__json_new_object(doc);
    if ((rc = set(doc, root, "rules", rules)))
        return rc;
    for (size_t r = 0; r < p->n_rules; r++) {
        const mlops__rule_state *rs = &s->rules[r];
        const mlops__rule *rule = &p->rules[r];
        mlops__json *o = mlops__json_new_object(doc);
        if ((rc = set(doc, rules, rule->id, o)) ||
            (rc = set(doc, o, "true_since_ms", time_or_null(doc, rs->true_since))) ||
            (rc = set(doc, o, "consecutive", mlops__json_new_uint(doc, rs->consecutive))))
            return rc;
        /* window as a string of 0/1, most recent first: exact for 64 bits */
        char win[MLOPS__POLICY_MAX_WINDOW + 1];
        for (uint32_t i = 0; i < rs->window_len; i++)
            win[i] = (rs->window >> i) & 1 ? '1' : '0';
        win[rs->window_len] = '\0';
        if ((rc = set(doc, o, "window", mlops__json_new_string(doc, win, rs->window_len))))
            return rc;
        mlops__json *l = mlops__json_new_array(doc);
        if ((rc = set(doc, o, "latches", l)))
            return rc;
        for (uint32_t i = 0; i < rule->n_latches; i++) {
            mlops__json *b = mlops__json_new_bool(doc, s->latches[rule->first_latch + i]);
            if (!b)
                return mlops__error_nomem();
            if ((rc = mlops__json_array_push(doc, l, b)))
                return rc;
        }
    }
    return 0;
}

int mlops_policy_state_write_json(mlops_buf *out, const mlops_policy_state *s, uint32_t flags)
{
    MLOPS__CHECK_ARG(out);
    MLOPS__CHECK_ARG(s);
    MLOPS__CHECK_FLAGS(flags, MLOPS_JSON_PRETTY);
    mlops__json_doc *doc = NULL;
    int rc = mlops__json_doc_new(&doc);
    if (rc)
        return rc;
    rc = build_state(doc, s);
    if (rc == 0)
        rc = (flags & MLOPS_JSON_PRETTY) ? mlops__json_write_pretty(out, mlops__json_root(doc))
                                         : mlops__json_write_canonical(out, mlops__json_root(doc));
    mlops__json_doc_free(doc);
    return rc;
}

/* ---- load ---------------------------------------------------------------- */

#define LERR(path, v, ...) mlops__json_schema_error((path), (v), __VA_ARGS__)

static int read_time(mlops__json_path *path, const mlops__json *obj, const char *key,
                     int64_t *out)
{
    const mlops__json *v = mlops__json_object_find(obj, key);
    mlops__json_path_push_key(path, key);
    int rc = 0;
    if (!v)
        rc = LERR(path, obj, "missing required key \"%s\"", key);
    else if (mlops__json_type_of(v) == MLOPS__JSON_NULL)
        *out = MLOPS__NONE_TIME;
    else if (mlops__json_type_of(v) != MLOPS__JSON_NUMBER || !mlops__json_is_integer(v) ||
             !MLOPS__TIME_OK(mlops__json_int(v)))
        rc = LERR(path, v, "expected an integer time in milliseconds (within +/-2^53) or null");
    else
        *out = mlops__json_int(v);
    if (rc == 0)
        mlops__json_path_pop(path);
    return rc;
}

static int load_rule(mlops__json_path *path, const mlops__json *o, const mlops__rule *rule,
                     mlops__rule_state *rs, uint8_t *latches)
{
    static const char *const keys[] = {"true_since_ms", "consecutive", "window", "latches",
                                       NULL};
    int rc = mlops__json_check_keys(path, o, keys);
    if (rc)
        return rc;
    if ((rc = read_time(path, o, "true_since_ms", &rs->true_since)))
        return rc;
    const mlops__json *c = mlops__json_object_find(o, "consecutive");
    mlops__json_path_push_key(path, "consecutive");
    if (!c || mlops__json_type_of(c) != MLOPS__JSON_NUMBER || !mlops__json_is_integer(c) ||
        mlops__json_int(c) < 0 || mlops__json_int(c) > UINT32_MAX)
        return LERR(path, c ? c : o, "expected a non-negative integer");
    rs->consecutive = (uint32_t)mlops__json_int(c);
    mlops__json_path_pop(path);
    const mlops__json *w = mlops__json_object_find(o, "window");
    mlops__json_path_push_key(path, "window");
    size_t wl = 0;
    const char *ws = w && mlops__json_type_of(w) == MLOPS__JSON_STRING
                         ? mlops__json_string(w, &wl)
                         : NULL;
    if (!ws || wl > MLOPS__POLICY_MAX_WINDOW || strspn(ws, "01") != wl)
        return LERR(path, w ? w : o, "expected a string of at most 64 '0'/'1'");
    /* a window longer than the rule's n (the policy changed) is cut */
    if (rule->n && wl > rule->n)
        wl = rule->n;
    rs->window = 0;
    rs->window_len = rule->n ? (uint32_t)wl : 0;
    for (size_t i = 0; i < rs->window_len; i++)
        if (ws[i] == '1')
            rs->window |= (uint64_t)1 << i;
    mlops__json_path_pop(path);
    const mlops__json *l = mlops__json_object_find(o, "latches");
    mlops__json_path_push_key(path, "latches");
    if (!l || mlops__json_type_of(l) != MLOPS__JSON_ARRAY)
        return LERR(path, l ? l : o, "expected an array of booleans");
    size_t nl = mlops__json_array_size(l);
    for (size_t i = 0; i < nl; i++) {
        mlops__json_type t = mlops__json_type_of(mlops__json_array_get(l, i));
        if (t != MLOPS__JSON_TRUE && t != MLOPS__JSON_FALSE) {
            mlops__json_path_push_index(path, i);
            return LERR(path, mlops__json_array_get(l, i), "expected a boolean");
        }
    }
    /* latches only carry over when the rule still has the same number */
    for (size_t i = 0; i < rule->n_latches; i++)
        latches[rule->first_latch + i] =
            nl == rule->n_latches &&
            mlops__json_type_of(mlops__json_array_get(l, i)) == MLOPS__JSON_TRUE;
    mlops__json_path_pop(path);
    return 0;
}

static int load_action(mlops__json_path *path, const mlops__json *o, mlops__action_state *as)
{
    static const char *const keys[] = {"last_ms", "history_ms", NULL};
    int rc = mlops__json_check_keys(path, o, keys);
    if (rc)
        return rc;
    if ((rc = read_time(path, o, "last_ms", &as->last)))
        return rc;
    const mlops__json *h = mlops__json_object_find(o, "history_ms");
    mlops__json_path_push_key(path, "history_ms");
    if (!h || mlops__json_type_of(h) != MLOPS__JSON_ARRAY ||
        mlops__json_array_size(h) > MLOPS__POLICY_MAX_BUDGET)
        return LERR(path, h ? h : o, "expected an array of at most %d times",
                    MLOPS__POLICY_MAX_BUDGET);
    size_t n = mlops__json_array_size(h);
    for (size_t i = 0; i < n; i++) {
        const mlops__json *t = mlops__json_array_get(h, i);
        if (mlops__json_type_of(t) != MLOPS__JSON_NUMBER || !mlops__json_is_integer(t) ||
            !MLOPS__TIME_OK(mlops__json_int(t)) ||
            (i > 0 && mlops__json_int(t) < as->history[i - 1])) {
            mlops__json_path_push_index(path, i);
            return LERR(path, t, "expected integer times in milliseconds (within +/-2^53), "
                                 "oldest first");
        }
        as->history[i] = mlops__json_int(t);
    }
    as->hist_n = (uint32_t)n;
    as->hist_head = (uint32_t)(n % MLOPS__POLICY_MAX_BUDGET);
    mlops__json_path_pop(path);
    return 0;
}

static int load_into(mlops_policy_state *tmp, const mlops__json *root, mlops__json_path *path)
{
    const mlops_policy *p = tmp->policy;
    static const char *const keys[] = {"schema", "policy_id", "policy_digest", "last_now_ms",
                                       "last_training_ms", "actions", "rules", NULL};
    if (mlops__json_type_of(root) != MLOPS__JSON_OBJECT)
        return LERR(path, root, "a policy state is a JSON object");
    const mlops__json *x = mlops__json_object_find(root, "schema");
    if (!x || mlops__json_type_of(x) != MLOPS__JSON_STRING)
        return LERR(path, root, "missing required key \"schema\"");
    if (strcmp(mlops__json_string(x, NULL), MLOPS__POLICY_STATE_SCHEMA) != 0)
        return mlops__error_at(MLOPS_E_VERSION, (int64_t)mlops__json_offset(x), 0, 0,
                               "$.schema", "$.schema: unsupported state schema \"%s\"",
                               mlops__json_string(x, NULL));
    int rc = mlops__json_check_keys(path, root, keys);
    if (rc)
        return rc;
    x = mlops__json_object_find(root, "policy_id");
    mlops__json_path_push_key(path, "policy_id");
    if (!x || mlops__json_type_of(x) != MLOPS__JSON_STRING)
        return LERR(path, x ? x : root, "expected a string");
    if (strcmp(mlops__json_string(x, NULL), p->policy_id) != 0)
        return LERR(path, x, "state of policy \"%s\", not \"%s\"", mlops__json_string(x, NULL),
                    p->policy_id);
    mlops__json_path_pop(path);
    if ((x = mlops__json_object_find(root, "policy_digest")) &&
        mlops__json_type_of(x) != MLOPS__JSON_STRING) {
        mlops__json_path_push_key(path, "policy_digest");
        return LERR(path, x, "expected a string");
    }
    if ((rc = read_time(path, root, "last_now_ms", &tmp->last_now)) ||
        (rc = read_time(path, root, "last_training_ms", &tmp->last_training)))
        return rc;
    const mlops__json *acts = mlops__json_object_find(root, "actions");
    mlops__json_path_push_key(path, "actions");
    if (!acts || mlops__json_type_of(acts) != MLOPS__JSON_OBJECT)
        return LERR(path, acts ? acts : root, "expected an object");
    for (size_t i = 0; i < mlops__json_object_size(acts); i++) {
        const char *name = mlops__json_object_key(acts, i, NULL);
        mlops__json_path_push_key(path, name);
        int a = mlops__policy_action_from_name(name);
        if (a <= 0)
            return LERR(path, mlops__json_object_value(acts, i), "unknown action \"%s\"", name);
        if ((rc = load_action(path, mlops__json_object_value(acts, i), &tmp->actions[a])))
            return rc;
        mlops__json_path_pop(path);
    }
    mlops__json_path_pop(path);
    const mlops__json *rules = mlops__json_object_find(root, "rules");
    mlops__json_path_push_key(path, "rules");
    if (!rules || mlops__json_type_of(rules) != MLOPS__JSON_OBJECT)
        return LERR(path, rules ? rules : root, "expected an object");
    for (size_t i = 0; i < mlops__json_object_size(rules); i++) {
        const char *id = mlops__json_object_key(rules, i, NULL);
        for (size_t r = 0; r < p->n_rules; r++) {
            if (strcmp(p->rules[r].id, id) != 0)
                continue;
            mlops__json_path_push_key(path, id);
            if ((rc = load_rule(path, mlops__json_object_value(rules, i), &p->rules[r],
                                &tmp->rules[r], tmp->latches)))
                return rc;
            mlops__json_path_pop(path);
        }
    }
    mlops__json_path_pop(path);
    return 0;
}

int mlops_policy_state_parse(mlops_policy_state **out, const mlops_policy *policy,
                             const char *data, size_t len)
{
    MLOPS__CHECK_ARG(out);
    MLOPS__CHECK_ARG(policy);
    MLOPS__CHECK_ARG(data);
    mlops__json_doc *doc = NULL;
    int rc = mlops__json_parse(&doc, data, len, NULL, "policy state");
    if (rc)
        return rc;
    mlops_policy_state *tmp = NULL;
    rc = mlops_policy_state_new(&tmp, policy);
    if (rc == 0) {
        mlops__json_path path;
        mlops__json_path_init(&path);
        rc = load_into(tmp, mlops__json_root(doc), &path);
        if (rc == 0) {
            *out = tmp;
            tmp = NULL;
        }
    }
    mlops_policy_state_free(tmp);
    mlops__json_doc_free(doc);
    return rc;
}
