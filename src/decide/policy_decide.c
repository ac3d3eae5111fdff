/*
 * mlops_policy_decide(): evaluate every rule, pick the winner, list the rest.
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * Allocation-free by construction: the decision object holds one trace slot
 * per condition node and rule and one suppressed entry per rule, all sized
 * when it is created.
 */
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "decide/policy_internal.h"

int mlops_decision_new(mlops_decision **out, const mlops_policy *policy)
{
    MLOPS__CHECK_ARG(out);
    MLOPS__CHECK_ARG(policy);
    mlops_decision *d = mlops__calloc(1, sizeof *d);
    if (!d)
        return mlops__error_nomem();
    d->policy = policy;
    d->rule = -1;
    d->nodes = mlops__calloc(policy->n_nodes ? policy->n_nodes : 1, sizeof *d->nodes);
    d->rules = mlops__calloc(policy->n_rules ? policy->n_rules : 1, sizeof *d->rules);
    d->suppressed = mlops__calloc(policy->n_rules ? policy->n_rules : 1, sizeof *d->suppressed);
    d->trace_info = mlops__calloc(policy->n_rules ? policy->n_rules : 1, sizeof *d->trace_info);
    d->suppressed_info =
        mlops__calloc(policy->n_rules ? policy->n_rules : 1, sizeof *d->suppressed_info);
    if (!d->nodes || !d->rules || !d->suppressed || !d->trace_info || !d->suppressed_info) {
        mlops_decision_free(d);
        return mlops__error_nomem();
    }
    /* the read-only views: stamped here, filled by each decide */
    d->info.version = MLOPS_DECISION_INFO_VERSION;
    d->info.size = (uint32_t)sizeof d->info;
    d->info.rule_count = policy->n_rules;
    for (size_t r = 0; r < policy->n_rules; r++) {
        d->trace_info[r].version = MLOPS_DECISION_RULE_TRACE_INFO_VERSION;
        d->trace_info[r].size = (uint32_t)sizeof d->trace_info[r];
        d->trace_info[r].rule = policy->rules[r].id;
        d->suppressed_info[r].version = MLOPS_DECISION_SUPPRESSED_INFO_VERSION;
        d->suppressed_info[r].size = (uint32_t)sizeof d->suppressed_info[r];
    }
    *out = d;
    return 0;
}

void mlops_decision_free(mlops_decision *d)
{
    if (!d)
        return;
    mlops__free(d->nodes);
    mlops__free(d->rules);
    mlops__free(d->suppressed);
    mlops__free(d->trace_info);
    mlops__free(d->suppressed_info);
    mlops__free(d);
}

int mlops_policy_decide(mlops_decision *d, mlops_policy_state *state_out,
                        const mlops_policy *p, const mlops_policy_obs *obs, int64_t now_ms,
                        const mlops_policy_state *state_in, uint32_t flags)
{
    MLOPS__CHECK_ARG(d);
    MLOPS__CHECK_ARG(state_out);
    MLOPS__CHECK_ARG(p);
    MLOPS__CHECK_ARG(obs);
    MLOPS__CHECK_FLAGS(flags, 0);
    if (d->policy != p || state_out->policy != p || obs->policy != p ||
        (state_in && state_in->policy != p))
        return mlops__error(MLOPS_E_INVALID,
                            "mlops_policy_decide: the decision, observations and states must "
                            "be created for this policy");
    if (!MLOPS__TIME_OK(now_ms))
        return mlops__error(MLOPS_E_INVALID,
                            "mlops_policy_decide: now_ms %lld is outside +/-2^53 ms",
                            (long long)now_ms);
    if (state_in && state_in->last_now != MLOPS__NONE_TIME && now_ms < state_in->last_now)
        return mlops__error(MLOPS_E_INVALID,
                            "mlops_policy_decide: now_ms %lld is earlier than the state's last "
                            "evaluation at %lld",
                            (long long)now_ms, (long long)state_in->last_now);

    if (!state_in)
        mlops_policy_state_reset(state_out);
    else if (state_in != state_out)
        mlops__policy_state_copy(state_out, state_in);

    d->valid = 1;
    d->now = now_ms;
    d->action = MLOPS_ACTION_NONE;
    d->rule = -1;
    d->n_suppressed = 0;
    for (uint32_t r = 0; r < p->n_rules; r++) {
        memset(&d->rules[r], 0, sizeof d->rules[r]);
        d->rules[r].suppressed_by = -1;
        mlops__policy_eval_rule_condition(d, state_out, p, obs, r);
        mlops__policy_time_apply(d, state_out, p, r, now_ms);
        if (d->rules[r].fired && d->rules[r].surfaced > d->action) {
            d->action = d->rules[r].surfaced;
            d->rule = (int32_t)r;
        }
    }
    for (uint32_t r = 0; r < p->n_rules; r++) {
        mlops__rule_trace *tr = &d->rules[r];
        if ((int32_t)r == d->rule) {
            tr->decided = 1;
        } else if (tr->fired) {
            tr->reason = MLOPS_REASON_SUPPRESSED_BY;
            tr->suppressed_by = d->rule;
        }
        mlops_decision_rule_trace_info *ti = &d->trace_info[r];
        ti->truth = tr->truth;
        ti->reason = tr->reason;
        ti->wait_ms = tr->wait_ms;
        ti->decided = tr->decided;
        if (tr->decided ||
            (!tr->fired &&
             !(tr->surfaced && tr->reason != MLOPS_REASON_OK &&
               tr->reason != MLOPS_REASON_PENDING && tr->reason != MLOPS_REASON_UNKNOWN)))
            continue;
        mlops_decision_suppressed_info *si = &d->suppressed_info[d->n_suppressed];
        mlops__suppressed *s = &d->suppressed[d->n_suppressed++];
        s->rule = r;
        s->action = tr->surfaced;
        s->reason = tr->reason;
        si->rule = p->rules[r].id;
        si->action = tr->surfaced;
        si->reason = tr->reason;
        si->wait_ms = tr->wait_ms;
    }
    d->info.action = d->action;
    d->info.rule = d->rule >= 0 ? p->rules[d->rule].id : NULL;
    d->info.time_ms = now_ms;
    d->info.suppressed_count = d->n_suppressed;
    mlops__policy_time_record(state_out, d->action, now_ms);
    state_out->last_now = now_ms;
    return 0;
}
