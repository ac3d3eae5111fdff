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

static void set_worst(mlops__node_trace *tr, const char *name, double value)
{
    size_t len = strlen(name);
    if (len < MLOPS__WORST_NAME) {
        memcpy(tr->worst, name, len + 1);
    } else {
        /* cut on a character boundary so the trace stays valid UTF-8 */
        size_t cut = MLOPS__WORST_NAME - 4;
        while (cut > 0 && ((unsigned char)name[cut] & 0xC0) == 0x80)
            cut--;
        memcpy(tr->worst, name, cut);
        memcpy(tr->worst + cut, "...", 4);
    }
    tr->worst_value = value;
}

/* Holm's threshold for rank k (1-based) of m: alpha / (m - k + 1). */
static double holm_t(double a, double mt, size_t k) { return a / (mt - (double)(k - 1)); }
/* Benjamini–Hochberg's threshold for rank k of m: k * alpha / m. */
static double bh_t(double a, double mt, size_t k) { return (double)k * a / mt; }

/*
 * Smallest rank k in 1..m whose threshold p is under (m + 1: none). The
 * thresholds grow with k, so this is where p would first be rejected; the
 * estimate is corrected with the exact threshold expressions, so the result
 * is the same as comparing against a sorted list.
 */
static size_t bucket(double p, double a, size_t m, double (*thr)(double, double, size_t),
                     double estimate)
{
    double mt = (double)m;
    size_t k = 1;
    if (estimate > 1)
        k = estimate >= mt + 1 ? m + 1 : (size_t)ceil(estimate);
    while (k > 1 && p <= thr(a, mt, k - 1))
        k--;
    while (k <= m && p > thr(a, mt, k))
        k++;
    return k;
}

/*
 * The rejection threshold of a step-down (Holm) or step-up (BH) procedure
 * over the known p-values, without sorting: cnt[k] counts p-values whose
 * first passing rank is k, so N(t_k) = cnt[1] + ... + cnt[k] is how many are
 * at most t_k. Holm rejects the R smallest where R is the longest prefix with
 * N(t_k) >= k for every k <= R; BH rejects the k* smallest where k* is the
 * largest k with N(t_k) >= k. Either way the rejected ones are exactly those
 * at most t_R (t_k*). Unknown p-values are counted in m but never rejected
 * (as if they were 1: conservative for both procedures).
 * Returns R (0: none); *ref receives t_R, or t_1 when R is 0.
 */
static size_t step_cut(const mlops__node *n, const double *pv, size_t total, uint32_t *cnt,
                       double *ref)
{
    double a = n->alpha, mt = (double)total;
    int holm = n->correction == MLOPS__CORR_HOLM;
    double (*thr)(double, double, size_t) = holm ? holm_t : bh_t;
    memset(cnt, 0, (total + 2) * sizeof *cnt);
    for (size_t j = 0; j < total; j++) {
        double p = pv[j];
        if (isnan(p))
            continue;
        double est = holm ? (p > 0 ? mt + 1 - a / p : 1) : p * mt / a;
        cnt[bucket(p, a, total, thr, est)]++;
    }
    size_t cum = 0, r = 0;
    for (size_t k = 1; k <= total; k++) {
        cum += cnt[k];
        if (cum >= k)
            r = k;
        else if (holm)
            break;
    }
    *ref = thr(a, mt, r ? r : 1);
    return r;
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
    uint32_t *live = obs->scratch_live; /* member indices */
    size_t total = 0;
    for (size_t j = 0; j < m->n; j++)
        if (obs->slots[m->slots[j]].present)
            live[total++] = (uint32_t)j;
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
    int weighted = n->how == MLOPS__AGG_WSHARE;
    double *pv = obs->scratch_p;
    size_t t = 0, u = 0, first_unknown_reason = MLOPS_REASON_OK;
    double w_true = 0, w_unknown = 0, w_total = 0;
    double best_margin = -INFINITY, min_margin = INFINITY;
    const mlops__slot *best = NULL;
    double cutoff = 0, ref = 0;
    int any_rej = 1;

    if (!n->has_each) {
        double mt = (double)total;
        for (size_t j = 0; j < total; j++) {
            const mlops__slot *s = &obs->slots[m->slots[live[j]]];
            pv[j] = value_reason(s, n->min_samples) == MLOPS_REASON_OK ? s->value : NAN;
        }
        switch (n->correction) {
        case MLOPS__CORR_BONFERRONI: cutoff = ref = n->alpha / mt; break;
        case MLOPS__CORR_HOLM:
        case MLOPS__CORR_BH:
            any_rej = step_cut(n, pv, total, obs->scratch_idx, &ref) > 0;
            cutoff = ref;
            break;
        default: cutoff = ref = n->alpha; break;
        }
        tr->threshold = ref;
    }
    for (size_t j = 0; j < total; j++) {
        uint32_t mi = live[j];
        const mlops__slot *s = &obs->slots[m->slots[mi]];
        double w = weighted ? m->weights[mi] : 1.0;
        w_total += w;
        int why = value_reason(s, n->min_samples);
        if (why != MLOPS_REASON_OK) {
            u++;
            w_unknown += w;
            if (!first_unknown_reason)
                first_unknown_reason = (size_t)why;
            continue;
        }
        double margin, thr;
        int yes;
        if (n->has_each) {
            yes = mlops__policy_cmp_eval(&n->each, s->value, &margin, &thr);
        } else {
            margin = ref - s->value;
            yes = any_rej && s->value <= cutoff;
        }
        if (yes) {
            t++;
            w_true += w;
        }
        if (margin < min_margin)
            min_margin = margin;
        if (!best || margin > best_margin) {
            best_margin = margin;
            best = s;
        }
    }
    if (best)
        set_worst(tr, best->name, best->value);
    int have_best = best != NULL;
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
