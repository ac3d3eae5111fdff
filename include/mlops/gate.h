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

/**
 * Summary of a gate result. Read-only; borrowed from the result (valid while
 * it is). Version 1; fields are only ever added at the end (see
 * MLOPS_INFO_HAS()). Declared as `struct mlops_gate_result_info` without a
 * typedef, because mlops_gate_result_info() is the function that hands it
 * out.
 */
struct mlops_gate_result_info {
    MLOPS_INFO_HEADER;
    /** MLOPS_ACTION_BLOCK_PROMOTION when any check blocks, else
     *  MLOPS_ACTION_NONE (promote); an mlops_action. */
    int action;
    /** Number of checks evaluated (the rows of mlops_gate_result_check()). */
    size_t check_count;
};

/** Version of struct mlops_gate_result_info filled by this library. */
#define MLOPS_GATE_RESULT_INFO_VERSION 1

/**
 * The summary of `result`, or NULL when `result` is NULL. Built by
 * mlops_policy_gate(): never allocates; thread-safe (a result is immutable).
 */
MLOPS_EXTERN const struct mlops_gate_result_info *
mlops_gate_result_info(const mlops_gate_result *result);

/** One check of the promotion gate, as the `checks` of its JSON. Read-only;
 *  borrowed from the result (valid while it is, and while the policy it was
 *  made with is). Version 1; fields are only ever added at the end. */
typedef struct mlops_gate_result_check_info {
    MLOPS_INFO_HEADER;
    /** The metric checked, or "model" for the identity checks; never NULL. */
    const char *metric;
    /** The check: "samples", "value", "min", "max", "champion",
     *  "regression", "regression_rel", "non_inferiority", "improvement", or
     *  for metric "model" "name" and "version"; never NULL. */
    const char *kind;
    /** 1 when the metric is a guardrail, else 0. */
    int guardrail;
    /** 1 when the check passed, 0 when it blocks. */
    int passed;
    /** Why (an mlops_reason; MLOPS_REASON_OK when it was evaluated on a
     *  value). */
    int reason;
    /** The value compared (the candidate's value, a difference, an interval
     *  bound or a sample count); NaN when there is none. */
    double observed;
    /** The limit it was compared with; NaN when there is none. */
    double limit;
    /** For the "model" checks, what was compared ("candidate a, champion
     *  b"); NULL for metric checks. */
    const char *detail;
} mlops_gate_result_check_info;

/** Version of mlops_gate_result_check_info filled by this library. */
#define MLOPS_GATE_RESULT_CHECK_INFO_VERSION 1

/**
 * Check `i` (evaluation order) of `result`, or NULL when `result` is NULL or
 * `i` is out of range. Never allocates; thread-safe.
 */
MLOPS_EXTERN const mlops_gate_result_check_info *
mlops_gate_result_check(const mlops_gate_result *result, size_t i);

/** The gate result as JSON (`libmlops.gate/v1`), appended; flags as for
 *  mlops_decision_write_json(). A model name that is not UTF-8 is written with
 *  U+FFFD for each byte that does not start a valid sequence.
 *  @return 0, MLOPS_E_INVALID, MLOPS_E_NOMEM. */
MLOPS_EXTERN int mlops_gate_result_write_json(mlops_buf *out, const mlops_gate_result *result,
                                           uint32_t flags);
/** A human explanation of the gate result, appended.
 *  @return 0, MLOPS_E_INVALID, MLOPS_E_NOMEM. */
MLOPS_EXTERN int mlops_gate_result_write_text(mlops_buf *out, const mlops_gate_result *result, uint32_t flags);

/* ------------------------------------------------------------------------ */
/* Experimental: declared only with MLOPS_EXPERIMENTAL defined; not covered  */
/* by the ABI promise (docs/abi-policy.md).                                  */
/* ------------------------------------------------------------------------ */
#ifdef MLOPS_EXPERIMENTAL

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

#endif /* MLOPS_EXPERIMENTAL */

#ifdef __cplusplus
}
#endif

#endif /* MLOPS_GATE_H */
