/*
 * The decision trace: accessors, JSON (`libmlops.decision/v1`) and a human
 * explanation whose bytes depend only on the decision (numbers for people to
 * about four significant digits, core/numfmt.h; times in RFC 3339 UTC — no
 * locale, no clock). The JSON keeps every digit.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "core/error.h"
#include "core/json.h"
#include "core/numfmt.h"
#include "decide/policy_internal.h"
#include "mlops/timestamp.h"

/* ---- accessors ------------------------------------------------------------ */

int mlops_decision_action(const mlops_decision *d) { return d ? d->action : MLOPS_ACTION_NONE; }

const char *mlops_decision_rule(const mlops_decision *d)
{
    return d && d->rule >= 0 ? d->policy->rules[d->rule].id : NULL;
}

int64_t mlops_decision_time(const mlops_decision *d) { return d ? d->now : 0; }
size_t mlops_decision_suppressed_count(const mlops_decision *d) { return d ? d->n_suppressed : 0; }

const char *mlops_decision_suppressed_rule(const mlops_decision *d, size_t i)
{
    return d && i < d->n_suppressed ? d->policy->rules[d->suppressed[i].rule].id : NULL;
}

int mlops_decision_suppressed_action(const mlops_decision *d, size_t i)
{
    return d && i < d->n_suppressed ? d->suppressed[i].action : -1;
}

int mlops_decision_suppressed_reason(const mlops_decision *d, size_t i)
{
    return d && i < d->n_suppressed ? d->suppressed[i].reason : -1;
}

int mlops_decision_rule_truth(const mlops_decision *d, size_t i)
{
    return d && d->valid && i < d->policy->n_rules ? d->rules[i].truth : -1;
}

int mlops_decision_rule_reason(const mlops_decision *d, size_t i)
{
    return d && d->valid && i < d->policy->n_rules ? d->rules[i].reason : -1;
}

int64_t mlops_decision_rule_wait_ms(const mlops_decision *d, size_t i)
{
    return d && d->valid && i < d->policy->n_rules ? d->rules[i].wait_ms : 0;
}

const struct mlops_decision_info *mlops_decision_info(const mlops_decision *d)
{
    return d && d->valid ? &d->info : NULL;
}

const mlops_decision_rule_trace_info *mlops_decision_rule_trace(const mlops_decision *d, size_t i)
{
    return d && d->valid && i < d->policy->n_rules ? &d->trace_info[i] : NULL;
}

const mlops_decision_suppressed_info *mlops_decision_suppressed(const mlops_decision *d, size_t i)
{
    return d && d->valid && i < d->n_suppressed ? &d->suppressed_info[i] : NULL;
}

int mlops__policy_expect_matches(const mlops_decision *d, int action, const char *rule)
{
    if (d->action != action)
        return 0;
    if (!rule)
        return 1;
    const char *got = mlops_decision_rule(d);
    return got && strcmp(got, rule) == 0;
}

/* ---- JSON ------------------------------------------------------------------ */

typedef struct jb {
    mlops__json_doc *doc;
    int rc;
} jb;

static mlops__json *chk(jb *b, mlops__json *v)
{
    if (!v && !b->rc)
        b->rc = mlops__error_nomem();
    return v;
}

static void put(jb *b, mlops__json *obj, const char *key, mlops__json *v)
{
    if (b->rc || !obj || !v) {
        if (!b->rc)
            b->rc = mlops__error_nomem();
        return;
    }
    b->rc = mlops__json_object_set(b->doc, obj, key, v);
}

static void push(jb *b, mlops__json *arr, mlops__json *v)
{
    if (b->rc || !arr || !v) {
        if (!b->rc)
            b->rc = mlops__error_nomem();
        return;
    }
    b->rc = mlops__json_array_push(b->doc, arr, v);
}

static mlops__json *str(jb *b, const char *s) { return chk(b, mlops__json_new_string(b->doc, s, strlen(s))); }
static mlops__json *i64(jb *b, int64_t v) { return chk(b, mlops__json_new_int(b->doc, v)); }

/* Non-finite numbers have no JSON form: NaN (no value) is null, infinities
 * are the strings "Infinity" / "-Infinity". */
static mlops__json *num(jb *b, double v)
{
    if (isnan(v))
        return chk(b, mlops__json_new_null(b->doc));
    if (isinf(v))
        return str(b, v > 0 ? "Infinity" : "-Infinity");
    return chk(b, mlops__json_new_double(b->doc, v));
}

static const char *node_kind_name(mlops__node_kind k)
{
    static const char *const names[] = {"compare", "all_of", "any_of", "not", "at_least",
                                        "aggregate"};
    return names[k];
}

static const char *agg_name(mlops__agg_how h)
{
    static const char *const names[] = {"any", "all", "count", "share", "weighted_share"};
    return names[h];
}

static const char *corr_name(mlops__correction c)
{
    static const char *const names[] = {"none", "bonferroni", "holm", "bh"};
    return names[c];
}

static mlops__json *node_json(jb *b, const mlops__node_trace *tr, const mlops__node *n)
{
    mlops__json *o = chk(b, mlops__json_new_object(b->doc));
    put(b, o, "path", str(b, n->path));
    put(b, o, "kind", str(b, node_kind_name(n->kind)));
    put(b, o, "truth", str(b, mlops_policy_truth_name(tr->truth)));
    put(b, o, "reason", str(b, mlops_policy_reason_name(tr->reason)));
    if (n->kind == MLOPS__NODE_CMP) {
        put(b, o, "signal", str(b, n->signal));
        put(b, o, "op", str(b, mlops__policy_op_name(n->cmp.op)));
        put(b, o, "value", num(b, tr->value));
        put(b, o, "threshold", num(b, tr->threshold));
        if (n->cmp.op >= MLOPS__OP_BETWEEN)
            put(b, o, "threshold_high", num(b, n->cmp.b));
        put(b, o, "margin", num(b, tr->margin));
        if (tr->samples >= 0)
            put(b, o, "samples", i64(b, tr->samples));
        if (n->has_exit) {
            put(b, o, "exit", num(b, n->exit));
            put(b, o, "latched", chk(b, mlops__json_new_bool(b->doc, tr->used_exit)));
        }
    } else if (n->kind == MLOPS__NODE_AGG) {
        put(b, o, "over", str(b, n->glob));
        put(b, o, "reduce", str(b, agg_name(n->how)));
        if (n->has_each)
            put(b, o, "each_op", str(b, mlops__policy_op_name(n->each.op)));
        else {
            put(b, o, "alpha", num(b, n->alpha));
            put(b, o, "correction", str(b, corr_name(n->correction)));
        }
        if (n->how >= MLOPS__AGG_COUNT)
            put(b, o, "op", str(b, mlops__policy_op_name(n->reduce.op)));
        put(b, o, "value", num(b, tr->value));
        put(b, o, "threshold", num(b, tr->threshold));
        put(b, o, "margin", num(b, tr->margin));
        put(b, o, "matched", i64(b, tr->matched));
        put(b, o, "true", i64(b, tr->n_true));
        put(b, o, "unknown", i64(b, tr->n_unknown));
        if (tr->worst[0]) {
            mlops__json *top = chk(b, mlops__json_new_object(b->doc));
            put(b, top, "signal", str(b, tr->worst));
            put(b, top, "value", num(b, tr->worst_value));
            put(b, o, "strongest", top);
        }
    } else {
        put(b, o, "true", i64(b, tr->n_true));
        put(b, o, "unknown", i64(b, tr->n_unknown));
        put(b, o, "of", i64(b, tr->matched));
        if (n->kind == MLOPS__NODE_AT_LEAST)
            put(b, o, "k", i64(b, n->k));
    }
    return o;
}

int mlops__decision_build_json(mlops__json_doc **out, const mlops_decision *d)
{
    const mlops_policy *p = d->policy;
    jb b = {NULL, 0};
    int rc = mlops__json_doc_new(&b.doc);
    if (rc)
        return rc;
    mlops__json *root = chk(&b, mlops__json_new_object(b.doc));
    if (root)
        mlops__json_doc_set_root(b.doc, root);
    put(&b, root, "schema", str(&b, MLOPS__DECISION_SCHEMA));
    mlops__json *pol = chk(&b, mlops__json_new_object(b.doc));
    put(&b, pol, "id", str(&b, p->policy_id));
    put(&b, pol, "revision", i64(&b, p->revision));
    put(&b, pol, "digest", str(&b, p->digest));
    put(&b, root, "policy", pol);
    put(&b, root, "now_ms", i64(&b, d->now));
    put(&b, root, "action", str(&b, mlops_policy_action_name(d->action)));
    put(&b, root, "rule", d->rule >= 0 ? str(&b, p->rules[d->rule].id)
                                       : chk(&b, mlops__json_new_null(b.doc)));
    mlops__json *sup = chk(&b, mlops__json_new_array(b.doc));
    for (size_t i = 0; i < d->n_suppressed && !b.rc; i++) {
        const mlops__suppressed *s = &d->suppressed[i];
        const mlops__rule_trace *tr = &d->rules[s->rule];
        mlops__json *o = chk(&b, mlops__json_new_object(b.doc));
        put(&b, o, "rule", str(&b, p->rules[s->rule].id));
        put(&b, o, "action", str(&b, mlops_policy_action_name(s->action)));
        put(&b, o, "reason", str(&b, mlops_policy_reason_name(s->reason)));
        if (s->reason == MLOPS_REASON_SUPPRESSED_BY && tr->suppressed_by >= 0)
            put(&b, o, "by", str(&b, p->rules[tr->suppressed_by].id));
        if (tr->wait_ms > 0)
            put(&b, o, "wait_ms", i64(&b, tr->wait_ms));
        push(&b, sup, o);
    }
    put(&b, root, "suppressed", sup);
    mlops__json *rules = chk(&b, mlops__json_new_array(b.doc));
    for (size_t r = 0; r < p->n_rules && !b.rc; r++) {
        const mlops__rule *rule = &p->rules[r];
        const mlops__rule_trace *tr = &d->rules[r];
        mlops__json *o = chk(&b, mlops__json_new_object(b.doc));
        put(&b, o, "id", str(&b, rule->id));
        put(&b, o, "action", str(&b, mlops_policy_action_name(rule->action)));
        put(&b, o, "truth", str(&b, mlops_policy_truth_name(tr->truth)));
        put(&b, o, "reason", str(&b, mlops_policy_reason_name(tr->reason)));
        put(&b, o, "decided", chk(&b, mlops__json_new_bool(b.doc, tr->decided)));
        if (tr->surfaced)
            put(&b, o, "surfaced", str(&b, mlops_policy_action_name(tr->surfaced)));
        if (tr->suppressed_by >= 0)
            put(&b, o, "by", str(&b, p->rules[tr->suppressed_by].id));
        if (tr->wait_ms > 0)
            put(&b, o, "wait_ms", i64(&b, tr->wait_ms));
        if (rule->for_ms && tr->truth == MLOPS_TRUTH_TRUE) {
            put(&b, o, "held_ms", i64(&b, tr->held_ms));
            put(&b, o, "for_ms", i64(&b, rule->for_ms));
        }
        if (tr->needed) {
            put(&b, o, "progress", i64(&b, tr->progress));
            put(&b, o, "needed", i64(&b, tr->needed));
        }
        if (rule->dry_run)
            put(&b, o, "dry_run", chk(&b, mlops__json_new_bool(b.doc, 1)));
        mlops__json *conds = chk(&b, mlops__json_new_array(b.doc));
        for (size_t k = rule->root; k < p->n_nodes && p->nodes[k].rule == r && !b.rc; k++)
            push(&b, conds, node_json(&b, &d->nodes[k], &p->nodes[k]));
        put(&b, o, "conditions", conds);
        push(&b, rules, o);
    }
    put(&b, root, "rules", rules);
    if (b.rc) {
        mlops__json_doc_free(b.doc);
        return b.rc;
    }
    *out = b.doc;
    return 0;
}

static int not_decided(void)
{
    return mlops__error(MLOPS_E_INVALID, "the decision object holds no decision yet: call "
                                         "mlops_policy_decide() first");
}

int mlops_decision_write_json(mlops_buf *out, const mlops_decision *d, uint32_t flags)
{
    MLOPS__CHECK_ARG(out);
    MLOPS__CHECK_ARG(d);
    MLOPS__CHECK_FLAGS(flags, MLOPS_JSON_PRETTY);
    if (!d->valid)
        return not_decided();
    mlops__json_doc *doc = NULL;
    int rc = mlops__decision_build_json(&doc, d);
    if (rc)
        return rc;
    const mlops__json *root = mlops__json_root(doc);
    rc = (flags & MLOPS_JSON_PRETTY) ? mlops__json_write_pretty(out, root)
                                              : mlops__json_write_canonical(out, root);
    mlops__json_doc_free(doc);
    return rc;
}

/* ---- explanation ------------------------------------------------------------ */

/* For people: about four significant digits (core/numfmt.h); the JSON
 * keeps every digit. */
static const char *fmt_num(char buf[32], double v)
{
    if (isnan(v))
        return "n/a";
    if (isinf(v))
        return v > 0 ? "Infinity" : "-Infinity";
    return mlops__num_human(buf, v);
}

/* "5h30m", "45s", "1d2h", "250ms": every non-zero unit, largest first. */
static const char *fmt_wait(char buf[64], int64_t ms)
{
    static const struct { int64_t unit; const char *suffix; } units[] = {
        {86400000, "d"}, {3600000, "h"}, {60000, "m"}, {1000, "s"}, {1, "ms"}};
    size_t len = 0;
    buf[0] = '\0';
    if (ms <= 0)
        return "0s";
    for (size_t i = 0; i < 5; i++) {
        int64_t n = ms / units[i].unit;
        if (n) {
            len += (size_t)snprintf(buf + len, 64 - len, "%lld%s", (long long)n,
                                    units[i].suffix);
            ms -= n * units[i].unit;
        }
    }
    return buf;
}

static void fmt_time(char buf[64], int64_t ms)
{
    int64_t sec = ms / 1000, rem = ms % 1000;
    if (rem < 0) {
        rem += 1000;
        sec -= 1;
    }
    char ts[MLOPS_TIMESTAMP_STRING_SIZE];
    if (mlops_timestamp_format(ts, sec, (uint32_t)rem * 1000000u) == 0)
        snprintf(buf, 64, "%s", ts);
    else
        snprintf(buf, 64, "%lld ms", (long long)ms);
}

static int explain_node(mlops_buf *out, const mlops__node *n, const mlops__node_trace *tr)
{
    char a[32], b2[32], c[32];
    int rc;
    const char *truth = mlops_policy_truth_name(tr->truth);
    const char *why = tr->reason ? mlops_policy_reason_name(tr->reason) : NULL;
    if (n->kind == MLOPS__NODE_CMP) {
        if (tr->truth == MLOPS_TRUTH_UNKNOWN)
            return mlops__buf_printf(out, "    %s: %s %s %s: UNKNOWN (%s)\n", n->path, n->signal,
                                     mlops__policy_op_name(n->cmp.op),
                                     fmt_num(a, n->cmp.a), why ? why : "OK");
        rc = mlops__buf_printf(out, "    %s: %s = %s %s %s", n->path, n->signal,
                               fmt_num(a, tr->value),
                               tr->used_exit ? (n->cmp.op <= MLOPS__OP_GTE ? "gt" : "lt")
                                             : mlops__policy_op_name(n->cmp.op),
                               fmt_num(b2, tr->threshold));
        if (!rc && n->cmp.op >= MLOPS__OP_BETWEEN)
            rc = mlops__buf_printf(out, "..%s", fmt_num(a, n->cmp.b));
        if (!rc && tr->used_exit)
            rc = mlops__buf_append_str(out, " (exit threshold, latched)");
        if (!rc)
            rc = mlops__buf_printf(out, ": %s, margin %s", truth, fmt_num(c, tr->margin));
        if (!rc && tr->samples >= 0)
            rc = mlops__buf_printf(out, ", %lld samples", (long long)tr->samples);
        if (!rc && why)
            rc = mlops__buf_printf(out, " (%s)", why);
        if (!rc)
            rc = mlops__buf_append_byte(out, '\n');
        return rc;
    }
    if (n->kind == MLOPS__NODE_AGG) {
        rc = mlops__buf_printf(out, "    %s: %s over %s: %u of %u true, %u unknown", n->path,
                               agg_name(n->how), n->glob, tr->n_true, tr->matched,
                               tr->n_unknown);
        if (!rc && !n->has_each)
            rc = mlops__buf_printf(out, " (p <= %s, %s)", fmt_num(a, n->alpha),
                                   corr_name(n->correction));
        if (!rc && n->how >= MLOPS__AGG_COUNT)
            rc = mlops__buf_printf(out, "; %s = %s %s %s", agg_name(n->how),
                                   fmt_num(a, tr->value), mlops__policy_op_name(n->reduce.op),
                                   fmt_num(b2, n->reduce.a));
        if (!rc && tr->worst[0])
            rc = mlops__buf_printf(out, "; strongest %s = %s", tr->worst,
                                   fmt_num(c, tr->worst_value));
        if (!rc)
            rc = mlops__buf_printf(out, ": %s%s%s%s\n", truth, why ? " (" : "", why ? why : "",
                                   why ? ")" : "");
        return rc;
    }
    return mlops__buf_printf(out, "    %s: %s, %u of %u true, %u unknown: %s\n", n->path,
                             node_kind_name(n->kind), tr->n_true, tr->matched, tr->n_unknown,
                             truth);
}

static int explain_rule(mlops_buf *out, const mlops_decision *d, size_t r)
{
    const mlops_policy *p = d->policy;
    const mlops__rule *rule = &p->rules[r];
    const mlops__rule_trace *tr = &d->rules[r];
    char w[64];
    int rc = mlops__buf_printf(out, "rule %s (%s%s): condition %s", rule->id,
                               mlops_policy_action_name(rule->action), rule->dry_run ? ", dry run" : "",
                               mlops_policy_truth_name(tr->truth));
    if (rc)
        return rc;
    if (tr->decided)
        rc = mlops__buf_printf(out, " -> decided %s", mlops_policy_action_name(tr->surfaced));
    else
        switch (tr->reason) {
        case MLOPS_REASON_PENDING:
            if (rule->for_ms && tr->wait_ms > 0) {
                char h[64];
                fmt_wait(h, tr->held_ms);
                rc = mlops__buf_printf(out, " -> pending: held %s of %s, %s to go",
                                       tr->held_ms > 0 ? h : "0s",
                                       fmt_wait(w, rule->for_ms), fmt_wait(h, tr->wait_ms));
            } else {
                rc = mlops__buf_printf(out, " -> pending: %u of %u", tr->progress, tr->needed);
            }
            break;
        case MLOPS_REASON_COOLDOWN:
        case MLOPS_REASON_MIN_SINCE_TRAINING:
        case MLOPS_REASON_BUDGET:
            rc = mlops__buf_printf(out, " -> suppressed (%s) for another %s",
                                   mlops_policy_reason_name(tr->reason), fmt_wait(w, tr->wait_ms));
            break;
        case MLOPS_REASON_SUPPRESSED_BY:
            rc = mlops__buf_printf(out, " -> %s suppressed by rule %s",
                                   mlops_policy_action_name(tr->surfaced),
                                   p->rules[tr->suppressed_by].id);
            break;
        case MLOPS_REASON_DRY_RUN:
            rc = mlops__buf_printf(out, " -> would %s (dry run)", mlops_policy_action_name(rule->action));
            break;
        case MLOPS_REASON_UNKNOWN:
            rc = mlops__buf_printf(out, " -> not fired (UNKNOWN never fires)%s%s",
                                   tr->surfaced ? "; on_unknown surfaces " : "",
                                   tr->surfaced ? mlops_policy_action_name(tr->surfaced) : "");
            break;
        default:
            rc = mlops__buf_append_str(out, " -> not fired");
            break;
        }
    if (!rc)
        rc = mlops__buf_append_byte(out, '\n');
    for (size_t k = rule->root; !rc && k < p->n_nodes && p->nodes[k].rule == r; k++)
        rc = explain_node(out, &p->nodes[k], &d->nodes[k]);
    return rc;
}

int mlops_decision_write_text(mlops_buf *out, const mlops_decision *d, uint32_t flags)
{
    MLOPS__CHECK_ARG(out);
    MLOPS__CHECK_ARG(d);
    MLOPS__CHECK_FLAGS(flags, 0);
    if (!d->valid)
        return not_decided();
    const mlops_policy *p = d->policy;
    mlops_buf tmp = MLOPS_BUF_INIT;
    char t[64];
    fmt_time(t, d->now);
    int rc = mlops__buf_printf(&tmp, "policy %s revision %lld (%s) at %s\n", p->policy_id,
                               (long long)p->revision, p->digest, t);
    if (!rc) {
        if (d->rule >= 0)
            rc = mlops__buf_printf(&tmp, "decision: %s by rule %s\n",
                                   mlops_policy_action_name(d->action), p->rules[d->rule].id);
        else
            rc = mlops__buf_append_str(&tmp, "decision: none\n");
    }
    for (size_t r = 0; !rc && r < p->n_rules; r++)
        rc = explain_rule(&tmp, d, r);
    if (!rc)
        rc = mlops__buf_append(out, tmp.data, tmp.size);
    mlops_buf_dispose(&tmp);
    return rc;
}
