/**
 * @file
 * libmlops — the promotion gate's inputs and result.
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * Evaluated by mlops_policy_gate() (policy.h).
 */
#ifndef MLOPS_GATE_H
#define MLOPS_GATE_H

#include "common.h"
#include "policy.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------ */
/* Promotion gate                                                           */
/* ------------------------------------------------------------------------ */

/** Create an empty metric set. @return 0, MLOPS_E_INVALID, MLOPS_E_NOMEM. */
MLOPS_EXTERN int mlops_gate_metrics_new(mlops_gate_metrics **out);
/** Release a metric set. Accepts NULL. */
MLOPS_EXTERN void mlops_gate_metrics_free(mlops_gate_metrics *set);

/**
 * Set metric `name` (copied) to `value`, with an optional confidence
 * interval [ci_low, ci_high] (both NaN: none) and sample count (negative:
 * not known). Replaces an existing value.
 * @return 0; MLOPS_E_INVALID (NULL or empty name, only one CI bound,
 *   ci_low > ci_high, or a value outside its interval); MLOPS_E_NOMEM.
 */
MLOPS_EXTERN int mlops_gate_metrics_put(mlops_gate_metrics *set, const char *name, double value,
                                      double ci_low, double ci_high, int64_t samples);

/**
 * Say which model version a metric set was measured for: `name` (1 to 255
 * bytes, copied) and `version` (SemVer 2.0.0, copied), as in the model's
 * manifest. mlops_policy_gate() then checks that the candidate is the
 * champion's model and not an older version. Replaces an earlier identity.
 * Not thread-safe on one set.
 * @param set     the metric set.
 * @param name    the model's name (copied).
 * @param version the model's SemVer 2.0.0 version (copied).
 * @param flags   must be 0.
 * @return 0; MLOPS_E_INVALID (NULL, an empty or too long name, flags);
 *   MLOPS_E_PARSE (not a SemVer version, with detail); MLOPS_E_NOMEM (set
 *   unchanged).
 */
MLOPS_EXTERN int mlops_gate_metrics_set_model(mlops_gate_metrics *set, const char *name,
                                            const char *version, uint32_t flags);



/** Release a gate result. Accepts NULL. */
MLOPS_EXTERN void mlops_gate_result_free(mlops_gate_result *result);
/** MLOPS_ACTION_BLOCK_PROMOTION or MLOPS_ACTION_NONE. */
MLOPS_EXTERN int mlops_gate_result_action(const mlops_gate_result *result);
/** Number of checks evaluated. */
MLOPS_EXTERN size_t mlops_gate_result_check_count(const mlops_gate_result *result);
/** Metric name of check `i` (borrowed), NULL when out of range. */
MLOPS_EXTERN const char *mlops_gate_result_check_metric(const mlops_gate_result *result,
                                                        size_t i);
/** Kind of check `i` ("samples", "min", "max", "regression",
 *  "regression_rel", "non_inferiority", "improvement"), NULL when out of range. */
MLOPS_EXTERN const char *mlops_gate_result_check_kind(const mlops_gate_result *result,
                                                      size_t i);
/** 1 when check `i` passed, 0 when it blocks, -1 when out of range. */
MLOPS_EXTERN int mlops_gate_result_check_passed(const mlops_gate_result *result, size_t i);
/** Reason of check `i` (an mlops_reason), -1 when out of range. */
MLOPS_EXTERN int mlops_gate_result_check_reason(const mlops_gate_result *result, size_t i);

/** The gate result as JSON (`libmlops.gate/v1`), appended; flags as for
 *  mlops_decision_write_json(). A model name that is not UTF-8 is written with
 *  U+FFFD for each byte that does not start a valid sequence.
 *  @return 0, MLOPS_E_INVALID, MLOPS_E_NOMEM. */
MLOPS_EXTERN int mlops_gate_result_write_json(mlops_buf *out, const mlops_gate_result *result,
                                           uint32_t flags);
/** A human explanation of the gate result, appended.
 *  @return 0, MLOPS_E_INVALID, MLOPS_E_NOMEM. */
MLOPS_EXTERN int mlops_gate_result_write_text(mlops_buf *out, const mlops_gate_result *result, uint32_t flags);

#ifdef __cplusplus
}
#endif

#endif /* MLOPS_GATE_H */
