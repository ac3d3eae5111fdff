/*
 * Time qualifiers and suppressions: the per-rule state machine.
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * A rule whose condition is TRUE "holds" once its qualifiers agree: `for`
 * (continuously TRUE for a duration), `consecutive` (N evaluations in a
 * row), `m_of_n` (M TRUE among the last N). UNKNOWN and FALSE both break a
 * streak: continuous truth cannot be claimed across a gap in the data. A
 * holding rule is then checked, in this order, against `dry_run`, the
 * action's `cooldown`, `min_since_training` and the action's `budget`; the
 * first that applies suppresses it and its reason and remaining wait are
 * traced.
 */
#include <string.h>

#include "decide/policy_internal.h"

static unsigned popcount64(uint64_t x)
{
    unsigned n = 0;
    while (x) {
        x &= x - 1;
        n++;
    }
    return n;
}

/*
 * Number of decisions of `a` in (now - period, now] (newest first; times never
 * decrease, so the walk stops at the first one outside), and in *release the
 * time of the max-th most recent of them: the budget frees up when that one
 * leaves the window.
 */
static uint32_t budget_used(const mlops__action_state *a, int64_t now, int64_t period,
                            uint32_t max, int64_t *release)
{
    uint32_t used = 0;
    *release = now;
    for (uint32_t i = 0; i < a->hist_n; i++) {
        int64_t t = a->history[(a->hist_head + 2 * MLOPS__POLICY_MAX_BUDGET - 1 - i) %
                               MLOPS__POLICY_MAX_BUDGET];
        if (t <= now - period)
            break;
        if (++used == max)
            *release = t;
    }
    return used;
}

void mlops__policy_time_apply(mlops_decision *d, mlops_policy_state *st, const mlops_policy *p,
                              uint32_t r, int64_t now)
{
    const mlops__rule *rule = &p->rules[r];
    mlops__rule_state *rs = &st->rules[r];
    mlops__rule_trace *tr = &d->rules[r];
    int truth = tr->truth;
    int is_true = truth == MLOPS_TRUTH_TRUE;
    int ok = 1;

    /* Streaks advance on every evaluation, whatever happens afterwards. */
    if (is_true) {
        if (rs->true_since == MLOPS__NONE_TIME)
            rs->true_since = now;
        if (rs->consecutive < UINT32_MAX)
            rs->consecutive++;
    } else {
        rs->true_since = MLOPS__NONE_TIME;
        rs->consecutive = 0;
    }
    if (rule->n) {
        uint64_t mask = rule->n == 64 ? UINT64_MAX : (((uint64_t)1 << rule->n) - 1);
        rs->window = ((rs->window << 1) | (uint64_t)is_true) & mask;
        if (rs->window_len < rule->n)
            rs->window_len++;
    }
    if (!is_true) {
        tr->reason = truth == MLOPS_TRUTH_UNKNOWN ? MLOPS_REASON_UNKNOWN : MLOPS_REASON_OK;
        if (truth == MLOPS_TRUTH_UNKNOWN && rule->on_unknown != MLOPS__UNKNOWN_IGNORE) {
            tr->surfaced = rule->on_unknown == MLOPS__UNKNOWN_WARN
                               ? MLOPS_ACTION_WARN
                               : MLOPS_ACTION_BLOCK_PROMOTION;
            tr->fired = 1;
        }
        return;
    }
    if (rule->for_ms) {
        tr->held_ms = now - rs->true_since;
        if (tr->held_ms < rule->for_ms) {
            ok = 0;
            tr->wait_ms = rule->for_ms - tr->held_ms;
        }
    }
    if (rule->consecutive) {
        tr->progress = rs->consecutive;
        tr->needed = rule->consecutive;
        if (rs->consecutive < rule->consecutive)
            ok = 0;
    }
    if (rule->n) {
        uint32_t got = popcount64(rs->window);
        if (!rule->consecutive) {
            tr->progress = got;
            tr->needed = rule->m;
        }
        if (got < rule->m)
            ok = 0;
    }
    if (!ok) {
        tr->reason = MLOPS_REASON_PENDING;
        return;
    }
    tr->surfaced = rule->action;
    const mlops__action_state *as = &st->actions[rule->action];
    int64_t release;
    if (rule->dry_run) {
        tr->reason = MLOPS_REASON_DRY_RUN;
    } else if (rule->cooldown_ms && as->last != MLOPS__NONE_TIME &&
               now - as->last < rule->cooldown_ms) {
        tr->reason = MLOPS_REASON_COOLDOWN;
        tr->wait_ms = rule->cooldown_ms - (now - as->last);
    } else if (rule->min_since_training_ms && st->last_training != MLOPS__NONE_TIME &&
               now - st->last_training < rule->min_since_training_ms) {
        tr->reason = MLOPS_REASON_MIN_SINCE_TRAINING;
        tr->wait_ms = rule->min_since_training_ms - (now - st->last_training);
    } else if (rule->budget_max && budget_used(as, now, rule->budget_period_ms,
                                               rule->budget_max, &release) >= rule->budget_max) {
        tr->reason = MLOPS_REASON_BUDGET;
        tr->wait_ms = release + rule->budget_period_ms - now;
    } else {
        tr->reason = MLOPS_REASON_OK;
        tr->fired = 1;
    }
}

void mlops__policy_time_record(mlops_policy_state *st, int action, int64_t now)
{
    if (action <= MLOPS_ACTION_NONE || action >= MLOPS__N_ACTIONS)
        return;
    mlops__action_state *a = &st->actions[action];
    a->last = now;
    a->history[a->hist_head] = now;
    a->hist_head = (a->hist_head + 1) % MLOPS__POLICY_MAX_BUDGET;
    if (a->hist_n < MLOPS__POLICY_MAX_BUDGET)
        a->hist_n++;
    if (action == MLOPS_ACTION_RETRAIN)
        st->last_training = now;
}
