/**
 * @file
 * libmlops — the decision of one policy evaluation and its trace.
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * Made by mlops_policy_decide() (policy.h).
 */
#ifndef MLOPS_DECISION_H
#define MLOPS_DECISION_H

#include "common.h"
#include "policy.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------ */
/* Deciding                                                                 */
/* ------------------------------------------------------------------------ */

/**
 * Create a decision object sized for `policy` (borrowed).
 * @return 0, MLOPS_E_INVALID, MLOPS_E_NOMEM.
 */
MLOPS_EXTERN int mlops_decision_new(mlops_decision **out, const mlops_policy *policy);
/** Release a decision. Accepts NULL. */
MLOPS_EXTERN void mlops_decision_free(mlops_decision *decision);


/**
 * Summary of a decision. Read-only; lives in the decision object and is
 * rewritten by every mlops_policy_decide() into it: valid until the next
 * decide into the same object or its release. Version 1; fields are only
 * ever added at the end (see MLOPS_INFO_HAS()). Declared as
 * `struct mlops_decision_info` without a typedef, because
 * mlops_decision_info() is the function that hands it out.
 */
struct mlops_decision_info {
    MLOPS_INFO_HEADER;
    /** The decided action (an mlops_action). */
    int action;
    /** Id of the rule that decided, NULL when the action is NONE; borrowed
     *  from the policy. */
    const char *rule;
    /** Time the decision was made for (ms since the epoch). */
    int64_t time_ms;
    /** Number of rules that fired (or would have) but were not decided (the
     *  rows of mlops_decision_suppressed()). */
    size_t suppressed_count;
    /** Number of rules traced: the policy's rule count (the rows of
     *  mlops_decision_rule_trace()). */
    size_t rule_count;
};

/** Version of struct mlops_decision_info filled by this library. */
#define MLOPS_DECISION_INFO_VERSION 1

/**
 * The summary of `decision`, or NULL when `decision` is NULL or nothing was
 * decided into it yet (mlops_decision_write_json() refuses it then too).
 * Filled by mlops_policy_decide() without allocating; reading it never
 * allocates. One thread at a time, as the decision.
 */
MLOPS_EXTERN const struct mlops_decision_info *mlops_decision_info(const mlops_decision *decision);

/** The outcome of one rule in the last evaluation. Read-only; lives in the
 *  decision object, valid until the next decide into it or its release.
 *  Version 1; fields are only ever added at the end. */
typedef struct mlops_decision_rule_trace_info {
    MLOPS_INFO_HEADER;
    /** The rule's id; borrowed from the policy, never NULL. */
    const char *rule;
    /** Truth of the rule's condition (an mlops_truth). */
    int truth;
    /** Why the rule came out as it did (an mlops_reason). */
    int reason;
    /** Milliseconds attached to the reason: the time left for PENDING
     *  (`for`), COOLDOWN, MIN_SINCE_TRAINING and BUDGET; 0 otherwise. */
    int64_t wait_ms;
    /** 1 when this rule decided, else 0. */
    int decided;
} mlops_decision_rule_trace_info;

/** Version of mlops_decision_rule_trace_info filled by this library. */
#define MLOPS_DECISION_RULE_TRACE_INFO_VERSION 1

/**
 * The outcome of rule `i` (the policy's document order), or NULL when
 * `decision` is NULL, nothing was decided yet or `i` is out of range. Never
 * allocates.
 */
MLOPS_EXTERN const mlops_decision_rule_trace_info *
mlops_decision_rule_trace(const mlops_decision *decision, size_t i);

/** A rule that fired (or would have) but did not decide. Read-only; lives in
 *  the decision object, valid until the next decide into it or its release.
 *  Version 1; fields are only ever added at the end. */
typedef struct mlops_decision_suppressed_info {
    MLOPS_INFO_HEADER;
    /** The rule's id; borrowed from the policy, never NULL. */
    const char *rule;
    /** The action it surfaced (an mlops_action). */
    int action;
    /** Why it did not decide (an mlops_reason: SUPPRESSED_BY, COOLDOWN,
     *  DRY_RUN, ...). */
    int reason;
    /** Milliseconds attached to the reason (as in the rule's trace). */
    int64_t wait_ms;
} mlops_decision_suppressed_info;

/** Version of mlops_decision_suppressed_info filled by this library. */
#define MLOPS_DECISION_SUPPRESSED_INFO_VERSION 1

/**
 * Suppressed entry `i` (rule order), or NULL when `decision` is NULL,
 * nothing was decided yet or `i` is out of range. Never allocates.
 */
MLOPS_EXTERN const mlops_decision_suppressed_info *
mlops_decision_suppressed(const mlops_decision *decision, size_t i);

/**
 * The decision and its full trace as JSON (`libmlops.decision/v1`),
 * appended to `out`: canonical RFC 8785 bytes, or pretty with
 * MLOPS_JSON_PRETTY. Same inputs and state give the same bytes.
 * @return 0, MLOPS_E_INVALID (also when nothing was decided yet),
 *   MLOPS_E_NOMEM (out unchanged).
 */
MLOPS_EXTERN int mlops_decision_write_json(mlops_buf *out, const mlops_decision *decision,
                                        uint32_t flags);

/**
 * A human explanation of the decision (English, one line per rule and
 * condition, numbers in ECMAScript shortest form: never locale-dependent),
 * appended to `out`.
 * @return 0, MLOPS_E_INVALID (also when nothing was decided yet),
 *   MLOPS_E_NOMEM (out unchanged).
 */
MLOPS_EXTERN int mlops_decision_write_text(mlops_buf *out, const mlops_decision *decision, uint32_t flags);

/* ------------------------------------------------------------------------ */
/* Experimental: declared only with MLOPS_EXPERIMENTAL defined; not covered  */
/* by the ABI promise (docs/abi-policy.md).                                  */
/* ------------------------------------------------------------------------ */
#ifdef MLOPS_EXPERIMENTAL

/** The decided action (an mlops_action). */
MLOPS_EXTERN int mlops_decision_action(const mlops_decision *decision);

/** Id of the rule that decided, or NULL for NONE; borrowed from the policy. */
MLOPS_EXTERN const char *mlops_decision_rule(const mlops_decision *decision);

/** Time the decision was made for (ms since the epoch). */
MLOPS_EXTERN int64_t mlops_decision_time(const mlops_decision *decision);

/** Number of rules that fired (or would have) but were not decided. */
MLOPS_EXTERN size_t mlops_decision_suppressed_count(const mlops_decision *decision);

/** Rule id of suppressed entry `i`, or NULL when out of range. */
MLOPS_EXTERN const char *mlops_decision_suppressed_rule(const mlops_decision *decision,
                                                       size_t i);

/** Action of suppressed entry `i` (-1 when out of range). */
MLOPS_EXTERN int mlops_decision_suppressed_action(const mlops_decision *decision, size_t i);

/** Reason of suppressed entry `i` (an mlops_reason; -1 when out of range). */
MLOPS_EXTERN int mlops_decision_suppressed_reason(const mlops_decision *decision, size_t i);

/** Truth of rule `i`'s condition in the last evaluation (-1 when out of range). */
MLOPS_EXTERN int mlops_decision_rule_truth(const mlops_decision *decision, size_t i);

/** Reason of rule `i`'s outcome (an mlops_reason; -1 when out of range). */
MLOPS_EXTERN int mlops_decision_rule_reason(const mlops_decision *decision, size_t i);

/**
 * Milliseconds attached to rule `i`'s reason: the time left for PENDING
 * (`for`), COOLDOWN, MIN_SINCE_TRAINING and BUDGET; 0 otherwise.
 */
MLOPS_EXTERN int64_t mlops_decision_rule_wait_ms(const mlops_decision *decision, size_t i);

#endif /* MLOPS_EXPERIMENTAL */

#ifdef __cplusplus
}
#endif

#endif /* MLOPS_DECISION_H */
