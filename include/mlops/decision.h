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

#ifdef __cplusplus
}
#endif

#endif /* MLOPS_DECISION_H */
