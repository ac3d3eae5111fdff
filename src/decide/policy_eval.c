/*
 * Conditions: comparators with tolerances, three-valued (Kleene) composition,
 * aggregation over globs with multiple-testing corrections, hysteresis.
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * Everything here runs inside mlops_policy_decide(): no allocation, no
 * recursion deeper than the policy's nesting limit, no early exit — every
 * node of every rule is evaluated so the trace is complete.
 */
#include <math.h>
#include <string.h>

#include "decide/policy_internal.h"

enum { F = MLOPS_TRUTH_FALSE, T = MLOPS_TRUTH_TRUE, U = MLOPS_TRUTH_UNKNOWN };

static double tol_at(const mlops__cmp *c, double t)
{
    double r = c->rel_tol * fabs(t);
    return c->abs_tol > r ? c->abs_tol : r;
}

/* Values within the tolerance of a threshold count as equal to it. */
int mlops__policy_cmp_eval(const mlops__cmp *c, double v, double *margin, double *threshold)
{
    double ta = tol_at(c, c->a), tb = tol_at(c, c->b), m;
    *threshold = c->a;
    switch (c->op) {
    case MLOPS__OP_GT: m = v - (c->a + ta); *margin = m; return m > 0;
    case MLOPS__OP_GTE: m = v - (c->a - ta); *margin = m; return m >= 0;
    case MLOPS__OP_LT: m = (c->a - ta) - v; *margin = m; return m > 0;
    case MLOPS__OP_LTE: m = (c->a + ta) - v; *margin = m; return m >= 0;
    case MLOPS__OP_EQ: m = ta - fabs(v - c->a); *margin = m; return m >= 0;
    case MLOPS__OP_NE: m = fabs(v - c->a) - ta; *margin = m; return m > 0;
    case MLOPS__OP_BETWEEN: {
        double lo = v - (c->a - ta), hi = (c->b + tb) - v;
        *margin = lo < hi ? lo : hi;
        return lo >= 0 && hi >= 0;
    }
    default: { /* OUTSIDE */
        double lo = (c->a - ta) - v, hi = v - (c->b + tb);
        *margin = lo > hi ? lo : hi;
        return lo > 0 || hi > 0;
    }
    }
}

/* Truth of a comparison over every value in [x0, x1]: TRUE when all satisfy
 * it, FALSE when none does, UNKNOWN otherwise. Used where unknown inputs
 * leave a statistic only bounded (count, share). */
static int cmp_interval(const mlops__cmp *c, double x0, double x1, double *margin)
{
    double thr, m1;
    int r0 = mlops__policy_cmp_eval(c, x0, margin, &thr);
    if (x0 == x1)
        return r0 ? T : F;
    int r1 = mlops__policy_cmp_eval(c, x1, &m1, &thr);
    double ta = tol_at(c, c->a), tb = tol_at(c, c->b);
    double L, R;
    switch (c->op) {
    case MLOPS__OP_EQ: L = c->a - ta; R = c->a + ta; goto middle;
    case MLOPS__OP_BETWEEN: L = c->a - ta; R = c->b + tb;
    middle:
        if (x0 >= L && x1 <= R)
            return T;
        if (x1 < L || x0 > R)
            return F;
        return U;
    case MLOPS__OP_NE: L = c->a - ta; R = c->a + ta; goto outer;
    case MLOPS__OP_OUTSIDE: L = c->a - ta; R = c->b + tb;
    outer:
        if (x1 < L || x0 > R)
            return T;
        if (x0 >= L && x1 <= R)
            return F;
        return U;
    default:
        return r0 == r1 ? (r0 ? T : F) : U;
    }
}

/* Why a slot's value cannot be used, or OK. */
static int value_reason(const mlops__slot *s, int64_t min_samples)
{
    if (!s || !s->present)
        return MLOPS_REASON_MISSING;
    if (isnan(s->value))
        return MLOPS_REASON_NAN;
    if (min_samples > 0 && (s->samples < 0 || s->samples < min_samples))
        return MLOPS_REASON_LOW_SAMPLES;
    return MLOPS_REASON_OK;
}

static void eval_cmp(mlops_decision *d, mlops_policy_state *st, const mlops_policy *p,
                     const mlops_policy_obs *obs, uint32_t id)
{
    const mlops__node *n = &p->nodes[id];
    mlops__node_trace *tr = &d->nodes[id];
    uint32_t si = obs->node_slot[id];
    const mlops__slot *s = si ? &obs->slots[si - 1] : NULL;
    tr->threshold = n->cmp.a;
    tr->value = s && s->present ? s->value : NAN;
    tr->samples = s && s->present ? s->samples : -1;
    tr->margin = NAN;
    int why = value_reason(s, n->min_samples);
    if (why != MLOPS_REASON_OK) {
        tr->truth = U;
        tr->reason = (uint8_t)why;
        return; /* a latch keeps its state through unknown values */
    }
    double v = s->value, margin, thr;
    int enter = mlops__policy_cmp_eval(&n->cmp, v, &margin, &thr);
    if (!n->has_exit) {
        tr->truth = enter ? T : F;
        tr->margin = margin;
        return;
    }
    uint8_t *latch = &st->latches[n->latch];
    if (!*latch) {
        tr->truth = enter ? T : F;
        tr->margin = margin;
        *latch = (uint8_t)enter;
        return;
    }
    /* Latched: stays TRUE until the value reaches the exit threshold. */
    mlops__cmp ex = n->cmp;
    ex.op = (n->cmp.op == MLOPS__OP_GT || n->cmp.op == MLOPS__OP_GTE) ? MLOPS__OP_GT
                                                                       : MLOPS__OP_LT;
    ex.a = ex.b = n->exit;
    double em;
    int hold = mlops__policy_cmp_eval(&ex, v, &em, &thr);
    tr->used_exit = 1;
    tr->threshold = n->exit;
    tr->margin = em;
    if (hold) {
        tr->truth = T;
        tr->reason = enter ? MLOPS_REASON_OK : MLOPS_REASON_LATCHED;
    } else {
        tr->truth = F;
        *latch = 0;
    }
}

/* In-place heap sort of idx[0..n) by (p[idx], idx): deterministic, no memory. */
static int before(const double *p, uint32_t a, uint32_t b)
{
    return p[a] < p[b] || (p[a] == p[b] && a < b);
}

static void sift(uint32_t *idx, const double *p, size_t root, size_t n)
{
    for (;;) {
        size_t c = 2 * root + 1;
        if (c >= n)
            return;
        if (c + 1 < n && before(p, idx[c], idx[c + 1]))
            c++;
        if (!before(p, idx[root], idx[c]))
            return;
        uint32_t t = idx[root];
        idx[root] = idx[c];
        idx[c] = t;
        root = c;
    }
}

static void sort_by_p(uint32_t *idx, const double *p, size_t n)
{
    for (size_t i = n / 2; i-- > 0;)
        sift(idx, p, i, n);
    for (size_t end = n; end-- > 1;) {
        uint32_t t = idx[0];
        idx[0] = idx[end];
        idx[end] = t;
        sift(idx, p, 0, end);
    }
}

static double weight_of(const mlops__node *n, const char *name)
{
    for (size_t i = 0; i < n->n_weights; i++)
        if (strcmp(n->weights[i].name, name) == 0)
            return n->weights[i].weight;
    return n->default_weight;
}

static void set_worst(mlops__node_trace *tr, const char *name, double value)
{
    size_t len = strlen(name);
    if (len < MLOPS__WORST_NAME) {
        memcpy(tr->worst, name, len + 1);
    } else {
        memcpy(tr->worst, name, MLOPS__WORST_NAME - 4);
        memcpy(tr->worst + MLOPS__WORST_NAME - 4, "...", 4);
    }
    tr->worst_value = value;
}

static void eval_agg(mlops_decision *d, const mlops_policy *p, const mlops_policy_obs *obs,
                     uint32_t id)
{
    const mlops__node *n = &p->nodes[id];
    mlops__node_trace *tr = &d->nodes[id];
    const mlops__members *m = &obs->members[n->agg];
    /* Members are the matching signals set in this evaluation: a name seen
     * in an earlier evaluation but not now is not a member, so the result
     * depends on this evaluation's inputs only. */
    uint32_t *live = obs->scratch_live;
    size_t total = 0;
    for (size_t j = 0; j < m->n; j++)
        if (obs->slots[m->slots[j]].present)
            live[total++] = m->slots[j];
    tr->matched = (uint32_t)total;
    tr->samples = -1;
    tr->value = NAN;
    tr->margin = NAN;
    tr->worst[0] = '\0';
    tr->worst_value = NAN;
    tr->threshold = n->has_each ? n->each.a : n->alpha;
    if (total == 0) {
        tr->truth = U;
        tr->reason = MLOPS_REASON_MISSING;
        return;
    }
    double *pv = obs->scratch_p;
    uint32_t *order = obs->scratch_idx;
    size_t t = 0, u = 0, first_unknown_reason = MLOPS_REASON_OK;
    double w_true = 0, w_unknown = 0, w_total = 0;
    double best_margin = -INFINITY, min_margin = INFINITY;
    int have_best = 0;

    if (!n->has_each) {
        /* p-values: unknown ones rank last as if 1 (conservative). */
        for (size_t j = 0; j < total; j++) {
            const mlops__slot *s = &obs->slots[live[j]];
            int why = value_reason(s, n->min_samples);
            pv[j] = why == MLOPS_REASON_OK ? s->value : 2.0;
            order[j] = (uint32_t)j;
        }
        if (n->correction == MLOPS__CORR_HOLM || n->correction == MLOPS__CORR_BH)
            sort_by_p(order, pv, total);
        /* Decide the rejection cut in rank order. */
        size_t cut = 0; /* members at ranks < cut are rejected (TRUE) */
        double mt = (double)total;
        if (n->correction == MLOPS__CORR_HOLM) {
            while (cut < total && pv[order[cut]] <= n->alpha / (mt - (double)cut))
                cut++;
        } else if (n->correction == MLOPS__CORR_BH) {
            for (size_t k = total; k > 0; k--) {
                if (pv[order[k - 1]] <= (double)k * n->alpha / mt) {
                    cut = k;
                    break;
                }
            }
        }
        for (size_t r = 0; r < total; r++) {
            size_t j = order[r];
            const mlops__slot *s = &obs->slots[live[j]];
            int why = value_reason(s, n->min_samples);
            double level;
            int rej;
            switch (n->correction) {
            case MLOPS__CORR_BONFERRONI: level = n->alpha / mt; rej = pv[j] <= level; break;
            case MLOPS__CORR_HOLM: level = n->alpha / (mt - (double)r); rej = r < cut; break;
            case MLOPS__CORR_BH: level = (double)(r + 1) * n->alpha / mt; rej = r < cut; break;
            default: level = n->alpha; rej = pv[j] <= level; break;
            }
            double w = n->how == MLOPS__AGG_WSHARE ? weight_of(n, s->name) : 1.0;
            w_total += w;
            if (why != MLOPS_REASON_OK) {
                u++;
                w_unknown += w;
                if (!first_unknown_reason)
                    first_unknown_reason = (size_t)why;
                continue;
            }
            double margin = level - pv[j];
            if (rej) {
                t++;
                w_true += w;
            }
            if (margin < min_margin)
                min_margin = margin;
            if (!have_best || margin > best_margin) {
                best_margin = margin;
                have_best = 1;
                set_worst(tr, s->name, s->value);
            }
        }
    } else {
        for (size_t j = 0; j < total; j++) {
            const mlops__slot *s = &obs->slots[live[j]];
            int why = value_reason(s, n->min_samples);
            double w = n->how == MLOPS__AGG_WSHARE ? weight_of(n, s->name) : 1.0;
            w_total += w;
            if (why != MLOPS_REASON_OK) {
                u++;
                w_unknown += w;
                if (!first_unknown_reason)
                    first_unknown_reason = (size_t)why;
                continue;
            }
            double margin, thr;
            if (mlops__policy_cmp_eval(&n->each, s->value, &margin, &thr)) {
                t++;
                w_true += w;
            }
            if (margin < min_margin)
                min_margin = margin;
            if (!have_best || margin > best_margin) {
                best_margin = margin;
                have_best = 1;
                set_worst(tr, s->name, s->value);
            }
        }
    }
    size_t f = total - t - u;
    tr->n_true = (uint32_t)t;
    tr->n_unknown = (uint32_t)u;
    int r;
    switch (n->how) {
    case MLOPS__AGG_ANY:
        r = t ? T : (u ? U : F);
        tr->value = (double)t;
        tr->margin = have_best ? best_margin : NAN;
        break;
    case MLOPS__AGG_ALL:
        r = f ? F : (u ? U : T);
        tr->value = (double)t;
        tr->margin = have_best ? min_margin : NAN;
        break;
    case MLOPS__AGG_COUNT:
        r = cmp_interval(&n->reduce, (double)t, (double)(t + u), &tr->margin);
        tr->value = (double)t;
        tr->threshold = n->reduce.a;
        break;
    case MLOPS__AGG_SHARE:
        r = cmp_interval(&n->reduce, (double)t / (double)total, (double)(t + u) / (double)total,
                         &tr->margin);
        tr->value = (double)t / (double)total;
        tr->threshold = n->reduce.a;
        break;
    default: /* weighted share; all-zero weights give no defined share */
        if (!(w_total > 0)) {
            r = U;
            tr->value = NAN;
            if (!first_unknown_reason)
                first_unknown_reason = MLOPS_REASON_MISSING;
        } else {
            r = cmp_interval(&n->reduce, w_true / w_total, (w_true + w_unknown) / w_total,
                             &tr->margin);
            tr->value = w_true / w_total;
        }
        tr->threshold = n->reduce.a;
        break;
    }
    tr->truth = (uint8_t)r;
    tr->reason = (uint8_t)(r == U ? first_unknown_reason : MLOPS_REASON_OK);
}

static void eval_node(mlops_decision *d, mlops_policy_state *st, const mlops_policy *p,
                      const mlops_policy_obs *obs, uint32_t id)
{
    const mlops__node *n = &p->nodes[id];
    mlops__node_trace *tr = &d->nodes[id];
    memset(tr, 0, sizeof *tr);
    tr->samples = -1;
    switch (n->kind) {
    case MLOPS__NODE_CMP:
        eval_cmp(d, st, p, obs, id);
        return;
    case MLOPS__NODE_AGG:
        eval_agg(d, p, obs, id);
        return;
    default:
        break;
    }
    uint32_t nt = 0, nu = 0, nf = 0;
    uint8_t ureason = MLOPS_REASON_OK;
    for (uint32_t i = 0; i < n->n_children; i++) {
        uint32_t c = p->children[n->first_child + i];
        eval_node(d, st, p, obs, c);
        uint8_t r = d->nodes[c].truth;
        nt += r == T;
        nf += r == F;
        if (r == U) {
            nu++;
            if (!ureason)
                ureason = d->nodes[c].reason;
        }
    }
    int r;
    switch (n->kind) {
    case MLOPS__NODE_ALL:
        r = nf ? F : (nu ? U : T);
        tr->threshold = n->n_children;
        break;
    case MLOPS__NODE_ANY:
        r = nt ? T : (nu ? U : F);
        tr->threshold = 1;
        break;
    case MLOPS__NODE_NOT:
        r = nt ? F : (nu ? U : T);
        tr->threshold = NAN;
        break;
    default: /* at_least k */
        r = nt >= n->k ? T : (nt + nu < n->k ? F : U);
        tr->threshold = n->k;
        break;
    }
    tr->value = nt;
    tr->margin = NAN;
    tr->matched = n->n_children;
    tr->n_true = nt;
    tr->n_unknown = nu;
    tr->truth = (uint8_t)r;
    tr->reason = r == U ? ureason : MLOPS_REASON_OK;
}

void mlops__policy_eval_rule_condition(mlops_decision *d, mlops_policy_state *st,
                                       const mlops_policy *p, const mlops_policy_obs *obs,
                                       uint32_t rule)
{
    uint32_t root = p->rules[rule].root;
    eval_node(d, st, p, obs, root);
    d->rules[rule].truth = d->nodes[root].truth;
}
