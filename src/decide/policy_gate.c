/*
 * The promotion gate: a candidate's metrics against the champion's.
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * Every check of every gate metric is evaluated and traced; any failing check
 * blocks. Missing information blocks too (a missing value, too few samples,
 * a non-inferiority check without an interval, a champion without the
 * metric): a gate that passes on "no data" is the failure mode this exists
 * to remove.
 */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/json.h"
#include "core/numfmt.h"
#include "decide/policy_internal.h"
#include "mlops/semver.h"

typedef struct metric_entry {
    char *name;
    double value, ci_low, ci_high;
    int64_t samples;
} metric_entry;

struct mlops_gate_metrics {
    metric_entry *items;
    size_t n, cap;
    char *model, *version; /* which model version the metrics are of; NULL: not said */
};

int mlops_gate_metrics_new(mlops_gate_metrics **out)
{
    MLOPS__CHECK_ARG(out);
    mlops_gate_metrics *s = mlops__calloc(1, sizeof *s);
    if (!s)
        return mlops__error_nomem();
    *out = s;
    return 0;
}

void mlops_gate_metrics_free(mlops_gate_metrics *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n; i++)
        mlops__free(s->items[i].name);
    mlops__free(s->items);
    mlops__free(s->model);
    mlops__free(s->version);
    mlops__free(s);
}

int mlops_gate_metrics_set_model(mlops_gate_metrics *s, const char *name, const char *version,
                               uint32_t flags)
{
    MLOPS__CHECK_ARG(s);
    MLOPS__CHECK_ARG(name);
    MLOPS__CHECK_ARG(version);
    MLOPS__CHECK_FLAGS(flags, 0);
    size_t len = strlen(name);
    if (len == 0 || len > MLOPS__NAME_MAX)
        return mlops__error(MLOPS_E_INVALID, "model name must be 1 to %d bytes long",
                            MLOPS__NAME_MAX);
    int rc = mlops_semver_validate(version);
    if (rc != 0)
        return rc;
    char *n = mlops__strndup(name, len), *v = mlops__strndup(version, strlen(version));
    if (!n || !v) {
        mlops__free(n);
        mlops__free(v);
        return mlops__error_nomem();
    }
    mlops__free(s->model);
    mlops__free(s->version);
    s->model = n;
    s->version = v;
    return 0;
}

static size_t find_index(const mlops_gate_metrics *s, const char *name)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->items[i].name, name) == 0)
            return i;
    return SIZE_MAX;
}

static const metric_entry *find_metric(const mlops_gate_metrics *s, const char *name)
{
    size_t i = s ? find_index(s, name) : SIZE_MAX;
    return i == SIZE_MAX ? NULL : &s->items[i];
}

int mlops_gate_metrics_put(mlops_gate_metrics *s, const char *name, double value, double ci_low,
                         double ci_high, int64_t samples)
{
    MLOPS__CHECK_ARG(s);
    MLOPS__CHECK_ARG(name);
    size_t len = strlen(name);
    if (len == 0 || len > MLOPS__NAME_MAX)
        return mlops__error(MLOPS_E_INVALID, "metric name must be 1 to %d bytes long",
                            MLOPS__NAME_MAX);
    if (isnan(ci_low) != isnan(ci_high))
        return mlops__error(MLOPS_E_INVALID, "metric \"%s\": give both interval bounds or "
                                             "neither", name);
    if (!isnan(ci_low) && (ci_low > ci_high || (!isnan(value) && (value < ci_low ||
                                                                   value > ci_high))))
        return mlops__error(MLOPS_E_INVALID,
                            "metric \"%s\": the interval must satisfy low <= value <= high",
                            name);
    size_t at = find_index(s, name);
    metric_entry *e = at == SIZE_MAX ? NULL : &s->items[at];
    if (!e) {
        if (s->n == s->cap) {
            size_t cap = s->cap ? s->cap * 2 : 8;
            metric_entry *it = mlops__reallocarray(s->items, cap, sizeof *it);
            if (!it)
                return mlops__error_nomem();
            s->items = it;
            s->cap = cap;
        }
        char *copy = mlops__strndup(name, len);
        if (!copy)
            return mlops__error_nomem();
        e = &s->items[s->n++];
        e->name = copy;
    }
    e->value = value;
    e->ci_low = ci_low;
    e->ci_high = ci_high;
    e->samples = samples < 0 ? -1 : samples;
    return 0;
}

/* A check is the row mlops_gate_result_check() hands out (metric borrowed
 * from the policy, or "model"), and the detail it points to, owned. */
typedef struct gate_check {
    mlops_gate_result_check_info info;
    char *detail; /* owned; NULL for metric checks */
} gate_check;

struct mlops_gate_result {
    const mlops_policy *policy;
    int action;
    gate_check *checks;
    size_t n;
    struct mlops_gate_result_info info; /* filled once every check is made */
};

static gate_check *new_check(mlops_gate_result *g, const char *metric, const char *kind)
{
    gate_check *c = &g->checks[g->n];
    memset(c, 0, sizeof *c);
    c->info.version = MLOPS_GATE_RESULT_CHECK_INFO_VERSION;
    c->info.size = (uint32_t)sizeof c->info;
    c->info.metric = metric;
    c->info.kind = kind;
    return c;
}

static void add(mlops_gate_result *g, const mlops__gate_metric *m, const char *kind, int passed,
                int reason, double observed, double limit)
{
    gate_check *c = new_check(g, m->name, kind);
    g->n++;
    c->info.guardrail = m->guardrail;
    c->info.passed = passed;
    c->info.reason = reason;
    c->info.observed = observed;
    c->info.limit = limit;
    if (!passed)
        g->action = MLOPS_ACTION_BLOCK_PROMOTION;
}

/*
 * Gate comparisons in the metrics' decimal precision. Values and limits are
 * decimal numbers rounded to binary, so a difference such as 0.85 - 0.845
 * comes out as 0.0050000000000000044 and would miss a limit of 0.005 that it
 * meets exactly. A comparison therefore also holds when it misses by at most
 * GATE_TOL (4 units of 2^-52) times `scale`, the sum or largest of the
 * magnitudes of the operands it was computed from: the rounding of the inputs
 * and of the arithmetic is at most 2 such units, so every comparison that
 * holds in exact decimal arithmetic holds, and every one that fails by more
 * than 6 units (about 1.3e-15 relative) fails (docs/formats/policy-v1.md §8).
 */
#define GATE_TOL (4.0 * DBL_EPSILON)

static int le_tol(double x, double limit, double scale)
{
    if (isnan(x) || isnan(limit))
        return 0;
    if (x <= limit)
        return 1;
    if (isinf(x) || isinf(limit) || !isfinite(scale))
        return 0;
    return x - limit <= GATE_TOL * scale;
}

static int ge_tol(double x, double limit, double scale) { return le_tol(limit, x, scale); }

static double mag3(double a, double b, double c)
{
    return fmax(fabs(a), fmax(fabs(b), fabs(c)));
}

static void gate_metric(mlops_gate_result *g, const mlops__gate_metric *m,
                        const mlops_gate_metrics *cand, const mlops_gate_metrics *champ)
{
    const metric_entry *c = find_metric(cand, m->name);
    if (m->min_samples > 0) {
        int64_t s = c ? c->samples : -1;
        add(g, m, "samples", s >= m->min_samples, s >= m->min_samples ? 0 : MLOPS_REASON_LOW_SAMPLES,
            s < 0 ? NAN : (double)s, (double)m->min_samples);
    }
    if (!c || isnan(c->value)) {
        add(g, m, "value", 0, c ? MLOPS_REASON_NAN : MLOPS_REASON_MISSING, NAN, NAN);
        return;
    }
    double v = c->value;
    if (m->has_min)
        add(g, m, "min", ge_tol(v, m->min, mag3(v, m->min, 0)), 0, v, m->min);
    if (m->has_max)
        add(g, m, "max", le_tol(v, m->max, mag3(v, m->max, 0)), 0, v, m->max);
    if (!champ || !(m->has_reg || m->has_reg_rel || m->has_ni || m->has_improve))
        return;
    const metric_entry *k = find_metric(champ, m->name);
    if (!k || isnan(k->value)) {
        add(g, m, "champion", 0, MLOPS_REASON_NO_CHAMPION, NAN, NAN);
        return;
    }
    double improvement = m->better == MLOPS__BETTER_HIGHER ? v - k->value : k->value - v;
    double regression = -improvement;
    if (m->has_reg)
        add(g, m, "regression",
            le_tol(regression, m->max_regression, mag3(v, k->value, m->max_regression)), 0,
            regression, m->max_regression);
    if (m->has_reg_rel) {
        double rel = k->value != 0 ? regression / fabs(k->value)
                                   : (regression > 0 ? INFINITY : 0.0);
        double scale = k->value != 0 ? fmax(fabs(v), fabs(k->value)) / fabs(k->value) +
                                           fabs(rel) + fabs(m->max_regression_rel)
                                     : 0.0;
        add(g, m, "regression_rel", le_tol(rel, m->max_regression_rel, scale), 0, rel,
            m->max_regression_rel);
    }
    if (m->has_ni) {
        if (isnan(c->ci_low)) {
            add(g, m, "non_inferiority", 0, MLOPS_REASON_NO_INTERVAL, NAN, NAN);
        } else if (m->better == MLOPS__BETTER_HIGHER) {
            double lim = k->value - m->ni_margin;
            add(g, m, "non_inferiority",
                ge_tol(c->ci_low, lim, mag3(c->ci_low, k->value, m->ni_margin)), 0, c->ci_low,
                lim);
        } else {
            double lim = k->value + m->ni_margin;
            add(g, m, "non_inferiority",
                le_tol(c->ci_high, lim, mag3(c->ci_high, k->value, m->ni_margin)), 0,
                c->ci_high, lim);
        }
    }
    if (m->has_improve)
        add(g, m, "improvement",
            ge_tol(improvement, m->min_improvement, mag3(v, k->value, m->min_improvement)), 0,
            improvement, m->min_improvement);
}

/* The candidate must be a later (or the same) version of the champion's
 * model: a check "model"/"name" (same name; a side that does not say which
 * model it is blocks as MISSING when the other does) and "model"/"version"
 * (not lower unless MLOPS_GATE_ALLOW_DOWNGRADE). */
static int gate_identity(mlops_gate_result *g, const mlops_gate_metrics *cand,
                         const mlops_gate_metrics *champ, uint32_t flags)
{
    if (!champ || (!cand->model && !champ->model))
        return 0;
    gate_check *c = new_check(g, "model", "name");
    c->info.observed = c->info.limit = NAN;
    mlops_buf d = MLOPS_BUF_INIT;
    int rc;
    if (!cand->model || !champ->model) {
        c->info.reason = MLOPS_REASON_MISSING;
        rc = mlops__buf_printf(&d, "the %s does not say which model it is",
                               cand->model ? "champion" : "candidate");
    } else {
        c->info.passed = strcmp(cand->model, champ->model) == 0;
        c->info.reason = c->info.passed ? 0 : MLOPS_REASON_OTHER_MODEL;
        rc = mlops__buf_printf(&d, "candidate %s, champion %s", cand->model, champ->model);
    }
    if (rc != 0) {
        mlops_buf_dispose(&d);
        return rc;
    }
    c->detail = d.data; /* the buffer keeps a NUL after its content */
    c->info.detail = c->detail;
    g->n++;
    if (!c->info.passed) {
        g->action = MLOPS_ACTION_BLOCK_PROMOTION;
        return 0;
    }
    int cmp = 0;
    if ((rc = mlops_semver_compare_str(&cmp, cand->version, champ->version)) != 0)
        return rc;
    c = new_check(g, "model", "version");
    c->info.observed = c->info.limit = NAN;
    c->info.passed = cmp >= 0 || (flags & MLOPS_GATE_ALLOW_DOWNGRADE);
    c->info.reason = c->info.passed ? 0 : MLOPS_REASON_DOWNGRADE;
    d = (mlops_buf)MLOPS_BUF_INIT;
    rc = mlops__buf_printf(&d, "candidate %s, champion %s%s", cand->version, champ->version,
                           cmp < 0 && c->info.passed ? " (downgrade allowed)" : "");
    if (rc != 0) {
        mlops_buf_dispose(&d);
        return rc;
    }
    c->detail = d.data; /* the buffer keeps a NUL after its content */
    c->info.detail = c->detail;
    g->n++;
    if (!c->info.passed)
        g->action = MLOPS_ACTION_BLOCK_PROMOTION;
    return 0;
}

int mlops_policy_gate(mlops_gate_result **out, const mlops_policy *p,
                      const mlops_gate_metrics *candidate, const mlops_gate_metrics *champion,
                      uint32_t flags)
{
    MLOPS__CHECK_ARG(out);
    MLOPS__CHECK_ARG(p);
    MLOPS__CHECK_ARG(candidate);
    MLOPS__CHECK_FLAGS(flags, MLOPS_GATE_ALLOW_DOWNGRADE);
    if (!p->gate.present)
        return mlops__error(MLOPS_E_NOTFOUND, "policy \"%s\" has no gate", p->policy_id);
    mlops_gate_result *g = mlops__calloc(1, sizeof *g);
    if (!g)
        return mlops__error_nomem();
    g->policy = p;
    g->checks = mlops__calloc(p->gate.n_metrics * 8 + 2, sizeof *g->checks);
    if (!g->checks) {
        mlops__free(g);
        return mlops__error_nomem();
    }
    int rc = gate_identity(g, candidate, champion, flags);
    if (rc != 0) {
        mlops_gate_result_free(g);
        return rc;
    }
    for (size_t i = 0; i < p->gate.n_metrics; i++)
        gate_metric(g, &p->gate.metrics[i], candidate, champion);
    g->info.version = MLOPS_GATE_RESULT_INFO_VERSION;
    g->info.size = (uint32_t)sizeof g->info;
    g->info.action = g->action;
    g->info.check_count = g->n;
    *out = g;
    return 0;
}

void mlops_gate_result_free(mlops_gate_result *g)
{
    if (!g)
        return;
    for (size_t i = 0; i < g->n; i++)
        mlops__free(g->checks[i].detail);
    mlops__free(g->checks);
    mlops__free(g);
}

int mlops_gate_result_action(const mlops_gate_result *g) { return g ? g->action : MLOPS_ACTION_NONE; }
size_t mlops_gate_result_check_count(const mlops_gate_result *g) { return g ? g->n : 0; }

const char *mlops_gate_result_check_metric(const mlops_gate_result *g, size_t i)
{
    return g && i < g->n ? g->checks[i].info.metric : NULL;
}

const char *mlops_gate_result_check_kind(const mlops_gate_result *g, size_t i)
{
    return g && i < g->n ? g->checks[i].info.kind : NULL;
}

int mlops_gate_result_check_passed(const mlops_gate_result *g, size_t i)
{
    return g && i < g->n ? g->checks[i].info.passed : -1;
}

int mlops_gate_result_check_reason(const mlops_gate_result *g, size_t i)
{
    return g && i < g->n ? g->checks[i].info.reason : -1;
}

const struct mlops_gate_result_info *mlops_gate_result_info(const mlops_gate_result *g)
{
    return g ? &g->info : NULL;
}

const mlops_gate_result_check_info *mlops_gate_result_check(const mlops_gate_result *g, size_t i)
{
    return g && i < g->n ? &g->checks[i].info : NULL;
}

/* ---- output ------------------------------------------------------------------ */

static int put(mlops__json_doc *doc, mlops__json *o, const char *k, mlops__json *v)
{
    return v && o ? mlops__json_object_set(doc, o, k, v) : mlops__error_nomem();
}

static mlops__json *jnum(mlops__json_doc *doc, double v)
{
    if (isnan(v))
        return mlops__json_new_null(doc);
    if (isinf(v))
        return mlops__json_new_string(doc, v > 0 ? "Infinity" : "-Infinity", v > 0 ? 8 : 9);
    return mlops__json_new_double(doc, v);
}

/* Model names (mlops_gate_metrics_set_model()) are the caller's bytes: what is
 * not UTF-8 is written as U+FFFD, so every gate result can be written. */
static mlops__json *jstr(mlops__json_doc *doc, const char *s)
{
    return mlops__json_new_string_lossy(doc, s, strlen(s));
}

static int build(mlops__json_doc *doc, const mlops_gate_result *g)
{
    const mlops_policy *p = g->policy;
    mlops__json *root = mlops__json_new_object(doc);
    if (!root)
        return mlops__error_nomem();
    mlops__json_doc_set_root(doc, root);
    mlops__json *pol = mlops__json_new_object(doc);
    mlops__json *checks = mlops__json_new_array(doc);
    int rc;
    if ((rc = put(doc, root, "schema", jstr(doc, MLOPS__GATE_SCHEMA))) ||
        (rc = put(doc, root, "policy", pol)) ||
        (rc = put(doc, pol, "id", jstr(doc, p->policy_id))) ||
        (rc = put(doc, pol, "revision", mlops__json_new_int(doc, p->revision))) ||
        (rc = put(doc, pol, "digest", jstr(doc, p->digest))) ||
        (rc = put(doc, root, "action", jstr(doc, mlops_policy_action_name(g->action)))) ||
        (rc = put(doc, root, "checks", checks)))
        return rc;
    for (size_t i = 0; i < g->n; i++) {
        const mlops_gate_result_check_info *c = &g->checks[i].info;
        mlops__json *o = mlops__json_new_object(doc);
        if ((rc = put(doc, o, "metric", jstr(doc, c->metric))) ||
            (rc = put(doc, o, "kind", jstr(doc, c->kind))) ||
            (rc = put(doc, o, "guardrail", mlops__json_new_bool(doc, c->guardrail))) ||
            (rc = put(doc, o, "passed", mlops__json_new_bool(doc, c->passed))) ||
            (rc = put(doc, o, "reason", jstr(doc, mlops_policy_reason_name(c->reason)))) ||
            (rc = put(doc, o, "observed", jnum(doc, c->observed))) ||
            (rc = put(doc, o, "limit", jnum(doc, c->limit))) ||
            (c->detail && (rc = put(doc, o, "detail", jstr(doc, c->detail)))))
            return rc;
        if ((rc = mlops__json_array_push(doc, checks, o)))
            return rc;
    }
    return 0;
}

int mlops_gate_result_write_json(mlops_buf *out, const mlops_gate_result *g, uint32_t flags)
{
    MLOPS__CHECK_ARG(out);
    MLOPS__CHECK_ARG(g);
    MLOPS__CHECK_FLAGS(flags, MLOPS_JSON_PRETTY);
    mlops__json_doc *doc = NULL;
    int rc = mlops__json_doc_new(&doc);
    if (rc)
        return rc;
    rc = build(doc, g);
    if (rc == 0)
        rc = (flags & MLOPS_JSON_PRETTY)
                 ? mlops__json_write_pretty(out, mlops__json_root(doc))
                 : mlops__json_write_canonical(out, mlops__json_root(doc));
    mlops__json_doc_free(doc);
    return rc;
}

static const char *gnum(char b[32], double v)
{
    if (isnan(v))
        return "n/a";
    if (isinf(v))
        return v > 0 ? "Infinity" : "-Infinity";
    return mlops__num_human(b, v); /* for people; the JSON keeps every digit */
}

int mlops_gate_result_write_text(mlops_buf *out, const mlops_gate_result *g, uint32_t flags)
{
    MLOPS__CHECK_ARG(out);
    MLOPS__CHECK_ARG(g);
    MLOPS__CHECK_FLAGS(flags, 0);
    size_t blocking = 0;
    for (size_t i = 0; i < g->n; i++)
        blocking += !g->checks[i].info.passed;
    mlops_buf tmp = MLOPS_BUF_INIT;
    int rc = mlops__buf_printf(&tmp, "gate of policy %s revision %lld: %s (%zu of %zu checks "
                                     "block)\n",
                               g->policy->policy_id, (long long)g->policy->revision,
                               g->action ? "block_promotion" : "promote", blocking, g->n);
    for (size_t i = 0; !rc && i < g->n; i++) {
        const mlops_gate_result_check_info *c = &g->checks[i].info;
        char a[32], b[32];
        if (c->detail) {
            rc = mlops__buf_printf(&tmp, "  %s %s: %s: %s%s%s\n", c->metric, c->kind, c->detail,
                                   c->passed ? "pass" : "BLOCK", c->reason ? " " : "",
                                   c->reason ? mlops_policy_reason_name(c->reason) : "");
            continue;
        }
        rc = mlops__buf_printf(&tmp, "  %s %s%s: observed %s, limit %s: %s%s%s\n", c->metric,
                               c->kind, c->guardrail ? " (guardrail)" : "",
                               gnum(a, c->observed), gnum(b, c->limit),
                               c->passed ? "pass" : "BLOCK", c->reason ? " " : "",
                               c->reason ? mlops_policy_reason_name(c->reason) : "");
    }
    if (!rc)
        rc = mlops__buf_append(out, tmp.data, tmp.size);
    mlops_buf_dispose(&tmp);
    return rc;
}
