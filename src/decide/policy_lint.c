/*
 * Lint: mistakes that parse but are probably wrong.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "core/error.h"
#include "core/json.h"
#include "decide/policy_internal.h"

typedef struct linter {
    const mlops_policy *p;
    mlops__json_doc *doc;
    mlops__json *list;
    size_t n;
    int rc;
} linter;

static void finding(linter *l, const char *code, const char *path, const char *fmt, ...)
    MLOPS__PRINTF(4, 5);

static void finding(linter *l, const char *code, const char *path, const char *fmt, ...)
{
    if (l->rc)
        return;
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    mlops__json *o = mlops__json_new_object(l->doc);
    mlops__json *c = mlops__json_new_string(l->doc, code, strlen(code));
    mlops__json *pa = mlops__json_new_string(l->doc, path, strlen(path));
    mlops__json *m = mlops__json_new_string(l->doc, msg, strlen(msg));
    if (!o || !c || !pa || !m) {
        l->rc = mlops__error_nomem();
        return;
    }
    if ((l->rc = mlops__json_object_set(l->doc, o, "code", c)) ||
        (l->rc = mlops__json_object_set(l->doc, o, "path", pa)) ||
        (l->rc = mlops__json_object_set(l->doc, o, "message", m)) ||
        (l->rc = mlops__json_array_push(l->doc, l->list, o)))
        return;
    l->n++;
}

static const mlops__signal_decl *decl_for(const mlops_policy *p, const char *name)
{
    for (size_t i = 0; i < p->n_signals; i++)
        if (!p->signals[i].is_glob && strcmp(p->signals[i].name, name) == 0)
            return &p->signals[i];
    for (size_t i = 0; i < p->n_signals; i++)
        if (p->signals[i].is_glob && mlops__policy_glob_match(p->signals[i].name, name))
            return &p->signals[i];
    return NULL;
}

/* The declaration an aggregation's glob is covered by: the same glob, or a
 * declared glob that matches the aggregation's glob as a string. */
static const mlops__signal_decl *decl_for_glob(const mlops_policy *p, const char *glob)
{
    for (size_t i = 0; i < p->n_signals; i++)
        if (strcmp(p->signals[i].name, glob) == 0 ||
            (p->signals[i].is_glob && mlops__policy_glob_match(p->signals[i].name, glob)))
            return &p->signals[i];
    return NULL;
}

static void check_range(linter *l, const mlops__node *n, const mlops__cmp *c,
                        const mlops__signal_decl *d, const char *what)
{
    if (!d || !d->has_range)
        return;
    double vals[2] = {c->a, c->b};
    for (int i = 0; i < (c->op >= MLOPS__OP_BETWEEN ? 2 : 1); i++) {
        if (vals[i] < d->lo || vals[i] > d->hi) {
            char a[32], lo[32], hi[32];
            mlops__json_format_double(a, vals[i]);
            mlops__json_format_double(lo, d->lo);
            mlops__json_format_double(hi, d->hi);
            finding(l, "threshold_out_of_range", n->path,
                    "%s threshold %s is outside the declared range [%s, %s] of \"%s\"", what, a,
                    lo, hi, d->name);
        }
    }
}

static void lint_node(linter *l, const mlops__node *n)
{
    const mlops_policy *p = l->p;
    if (n->kind == MLOPS__NODE_CMP) {
        const mlops__signal_decl *d = decl_for(p, n->signal);
        if (!d)
            finding(l, "unknown_signal", n->path, "signal \"%s\" is not declared in $.signals",
                    n->signal);
        check_range(l, n, &n->cmp, d, "the");
        if (n->has_exit) {
            int up = n->cmp.op == MLOPS__OP_GT || n->cmp.op == MLOPS__OP_GTE;
            char e[32], t[32];
            mlops__json_format_double(e, n->exit);
            mlops__json_format_double(t, n->cmp.a);
            if (n->exit == n->cmp.a)
                finding(l, "exit_equals_enter", n->path,
                        "exit threshold %s equals the enter threshold: no hysteresis", e);
            else if (up ? n->exit > n->cmp.a : n->exit < n->cmp.a)
                finding(l, "exit_wrong_side", n->path,
                        "exit threshold %s is on the wrong side of the enter threshold %s: it "
                        "must be %s to hold the latch",
                        e, t, up ? "lower" : "higher");
            if (d && d->has_range && (n->exit < d->lo || n->exit > d->hi))
                finding(l, "threshold_out_of_range", n->path,
                        "exit threshold %s is outside the declared range of \"%s\"", e,
                        d->name);
        }
    } else if (n->kind == MLOPS__NODE_AGG) {
        const mlops__signal_decl *d = decl_for_glob(p, n->glob);
        if (!d)
            finding(l, "unknown_signal", n->path,
                    "no declaration in $.signals covers the glob \"%s\"", n->glob);
        if (n->has_each)
            check_range(l, n, &n->each, d, "the per-signal");
        else if (d && d->kind != MLOPS__KIND_P_VALUE)
            finding(l, "alpha_on_non_p_value", n->path,
                    "\"alpha\" treats the values of \"%s\" as p-values, but it is declared as "
                    "another kind",
                    n->glob);
        if (n->how == MLOPS__AGG_SHARE || n->how == MLOPS__AGG_WSHARE) {
            mlops__signal_decl unit = {0};
            unit.has_range = 1;
            unit.lo = 0;
            unit.hi = 1;
            unit.name = (char *)"share";
            check_range(l, n, &n->reduce, &unit, "the share");
        }
    }
}

/* Field by field: the struct has padding after `op`, which memcmp would read. */
static int same_cmp(const mlops__cmp *x, const mlops__cmp *y)
{
    return x->op == y->op && x->a == y->a && x->b == y->b && x->abs_tol == y->abs_tol &&
           x->rel_tol == y->rel_tol;
}

static int same_node(const mlops_policy *p, uint32_t a, uint32_t b)
{
    const mlops__node *x = &p->nodes[a], *y = &p->nodes[b];
    if (x->kind != y->kind || x->n_children != y->n_children || x->k != y->k)
        return 0;
    if (x->kind == MLOPS__NODE_CMP &&
        (strcmp(x->signal, y->signal) != 0 || !same_cmp(&x->cmp, &y->cmp) ||
         x->has_exit != y->has_exit || (x->has_exit && x->exit != y->exit) ||
         x->min_samples != y->min_samples))
        return 0;
    if (x->kind == MLOPS__NODE_AGG &&
        (strcmp(x->glob, y->glob) != 0 || x->how != y->how || x->has_each != y->has_each ||
         !same_cmp(&x->each, &y->each) || x->alpha != y->alpha ||
         x->correction != y->correction || !same_cmp(&x->reduce, &y->reduce) ||
         x->n_weights || y->n_weights || x->min_samples != y->min_samples))
        return 0;
    for (uint32_t i = 0; i < x->n_children; i++)
        if (!same_node(p, p->children[x->first_child + i], p->children[y->first_child + i]))
            return 0;
    return 1;
}

/* A later rule with the same condition and an action no higher never decides
 * when this rule fires whenever the condition is TRUE (no qualifier or
 * suppression can hold it back). */
static int always_fires(const mlops__rule *i)
{
    return !i->for_ms && !i->consecutive && !i->n && !i->cooldown_ms &&
           !i->min_since_training_ms && !i->budget_max && !i->dry_run;
}

static void lint_all(linter *l)
{
    const mlops_policy *p = l->p;
    char path[64], a[32], b[32];
    for (size_t k = 0; k < p->n_nodes; k++)
        lint_node(l, &p->nodes[k]);
    for (size_t r = 0; r < p->n_rules; r++) {
        const mlops__rule *rule = &p->rules[r];
        snprintf(path, sizeof path, "$.rules[%zu]", r);
        if (rule->cooldown_ms && p->evaluation_interval_ms &&
            rule->cooldown_ms < p->evaluation_interval_ms) {
            mlops__policy_format_duration(a, sizeof a, rule->cooldown_ms);
            mlops__policy_format_duration(b, sizeof b, p->evaluation_interval_ms);
            finding(l, "cooldown_shorter_than_interval", path,
                    "cooldown %s is shorter than the evaluation interval %s: it never "
                    "suppresses anything",
                    a, b);
        }
        if (rule->for_ms && p->evaluation_interval_ms &&
            rule->for_ms < p->evaluation_interval_ms) {
            mlops__policy_format_duration(a, sizeof a, rule->for_ms);
            mlops__policy_format_duration(b, sizeof b, p->evaluation_interval_ms);
            finding(l, "for_shorter_than_interval", path,
                    "\"for\" %s is shorter than the evaluation interval %s", a, b);
        }
        for (size_t i = 0; i < r; i++) {
            const mlops__rule *prev = &p->rules[i];
            if (prev->action >= rule->action && always_fires(prev) &&
                same_node(p, prev->root, rule->root)) {
                finding(l, "shadowed_rule", path,
                        "rule \"%s\" can never decide: rule \"%s\" has the same condition and "
                        "an action at least as high",
                        rule->id, prev->id);
                break;
            }
        }
    }
    for (size_t m = 0; m < p->gate.n_metrics; m++) {
        const mlops__gate_metric *gm = &p->gate.metrics[m];
        const mlops__signal_decl *d = decl_for(p, gm->name);
        snprintf(path, sizeof path, "$.gate.metrics");
        if (!d)
            finding(l, "unknown_signal", path, "gate metric \"%s\" is not declared in $.signals",
                    gm->name);
        else if (d->has_range) {
            if (gm->has_min && (gm->min < d->lo || gm->min > d->hi))
                finding(l, "threshold_out_of_range", path,
                        "gate \"min\" of \"%s\" is outside its declared range", gm->name);
            if (gm->has_max && (gm->max < d->lo || gm->max > d->hi))
                finding(l, "threshold_out_of_range", path,
                        "gate \"max\" of \"%s\" is outside its declared range", gm->name);
        }
    }
}

int mlops_policy_lint(mlops_buf *report, size_t *n_findings, const mlops_policy *policy,
                      uint32_t flags)
{
    MLOPS__CHECK_ARG(report);
    MLOPS__CHECK_ARG(policy);
    MLOPS__CHECK_FLAGS(flags, 0);
    linter l;
    memset(&l, 0, sizeof l);
    l.p = policy;
    int rc = mlops__json_doc_new(&l.doc);
    if (rc)
        return rc;
    mlops__json *root = mlops__json_new_object(l.doc);
    l.list = mlops__json_new_array(l.doc);
    mlops__json *id = mlops__json_new_string(l.doc, policy->policy_id, strlen(policy->policy_id));
    if (!root || !l.list || !id)
        rc = mlops__error_nomem();
    if (!rc) {
        mlops__json_doc_set_root(l.doc, root);
        rc = mlops__json_object_set(l.doc, root, "policy_id", id);
    }
    if (!rc)
        rc = mlops__json_object_set(l.doc, root, "findings", l.list);
    if (!rc) {
        lint_all(&l);
        rc = l.rc;
    }
    if (!rc)
        rc = mlops__json_write_pretty(report, root);
    mlops__json_doc_free(l.doc);
    if (rc)
        return rc;
    if (n_findings)
        *n_findings = l.n;
    return 0;
}
