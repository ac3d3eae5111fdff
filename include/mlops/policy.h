/**
 * @file
 * libmlops — retraining-trigger policies and the promotion gate.
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * A policy (`libmlops.policy/v1`, see docs/formats/policy-v1.md) turns
 * signals — plain named numbers such as drift scores, p-values and metrics —
 * into one decision: ROLLBACK > BLOCK_PROMOTION > RETRAIN > WARN > NONE.
 * Deciding is a pure function: the caller passes the time and the state
 * explicitly, so any decision can be replayed byte for byte.
 *
 * Objects:
 *  - mlops_policy: a parsed policy; immutable, may be shared between threads.
 *  - mlops_policy_obs: the observations of one evaluation (signal name →
 *    value and optional sample count), created for one policy.
 *  - mlops_policy_state: what one evaluation hands to the next (streaks,
 *    latches, cooldowns, budgets); saved and loaded as JSON.
 *  - mlops_decision: the result of one evaluation with its full trace.
 *  - mlops_gate_metrics / mlops_gate_result: the promotion gate's inputs and
 *    result.
 *
 * Time is int64 milliseconds since 1970-01-01T00:00:00Z (UTC, no leap
 * seconds), within ±2^53 ms, given by the caller; the library never reads a
 * clock.
 *
 * Once a policy is loaded and its observation, state and decision objects
 * exist, mlops_policy_decide() allocates nothing: setting a signal name the
 * observation object has not seen before allocates (in mlops_policy_obs_set),
 * deciding never does.
 *
 * Objects created "for" a policy borrow it: free them before the policy.
 */
#ifndef MLOPS_POLICY_H
#define MLOPS_POLICY_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** A parsed policy. Immutable once parsed: may be read from many threads. */
typedef struct mlops_policy mlops_policy;
/** Observations for one evaluation. One thread at a time: deciding uses the
 *  set's scratch space, so one set must not be decided with from two threads
 *  at once. */
typedef struct mlops_policy_obs mlops_policy_obs;
/** Evaluation state carried from one decision to the next. One thread at a time. */
typedef struct mlops_policy_state mlops_policy_state;
/** A decision and its trace. One thread at a time. */
typedef struct mlops_decision mlops_decision;
/** A set of named metrics (a candidate's or a champion's) for the gate. Filled
 *  by one thread at a time; once filled, any number of mlops_policy_gate()
 *  calls may read it at once. */
typedef struct mlops_gate_metrics mlops_gate_metrics;
/** The result of the promotion gate. Immutable: may be read from many threads. */
typedef struct mlops_gate_result mlops_gate_result;

/** Actions, in rank order: a higher value wins. */
typedef enum mlops_action {
    MLOPS_ACTION_NONE = 0,            /**< nothing to do (the gate: promote) */
    MLOPS_ACTION_WARN = 1,            /**< tell a person */
    MLOPS_ACTION_RETRAIN = 2,         /**< train a new candidate */
    MLOPS_ACTION_BLOCK_PROMOTION = 3, /**< do not promote the candidate */
    MLOPS_ACTION_ROLLBACK = 4         /**< go back to the previous version */
} mlops_action;

/** Three-valued results of conditions and rules. */
typedef enum mlops_truth {
    MLOPS_TRUTH_FALSE = 0,  /**< false */
    MLOPS_TRUTH_TRUE = 1,   /**< true */
    MLOPS_TRUTH_UNKNOWN = 2 /**< not decidable: a signal missing, NaN or with too few
                                 samples; never fires, never passes */
} mlops_truth;

/** Why a condition or rule came out as it did (append-only). */
typedef enum mlops_reason {
    MLOPS_REASON_OK = 0,           /**< evaluated on a valid value */
    MLOPS_REASON_MISSING = 1,      /**< the signal was not observed */
    MLOPS_REASON_NAN = 2,          /**< the value was NaN */
    MLOPS_REASON_LOW_SAMPLES = 3,  /**< fewer samples than min_samples (or none given) */
    MLOPS_REASON_PENDING = 4,      /**< true, but for/consecutive/m_of_n not yet met */
    MLOPS_REASON_COOLDOWN = 5,     /**< the action is cooling down */
    MLOPS_REASON_LATCHED = 6,      /**< true because a hysteresis latch holds */
    MLOPS_REASON_DRY_RUN = 7,      /**< the rule is dry-run: traced, never decided */
    MLOPS_REASON_SUPPRESSED_BY = 8,/**< a higher (or earlier) rule won */
    MLOPS_REASON_MIN_SINCE_TRAINING = 9, /**< too soon after the last training */
    MLOPS_REASON_BUDGET = 10,      /**< the action's budget for the period is spent */
    MLOPS_REASON_UNKNOWN = 11,     /**< the rule's condition was UNKNOWN (on_unknown) */
    MLOPS_REASON_NO_INTERVAL = 12, /**< gate: non-inferiority needs a confidence interval */
    MLOPS_REASON_NO_CHAMPION = 13, /**< gate: the champion has no value for the metric */
    MLOPS_REASON_OTHER_MODEL = 14, /**< gate: the candidate is another model than the champion */
    MLOPS_REASON_DOWNGRADE = 15    /**< gate: the candidate's version is lower than the champion's */
} mlops_reason;

/** Name of an action ("none", "warn", "retrain", "block_promotion",
 *  "rollback"); "unknown" for other values. Static string. Thread-safe. */
MLOPS_EXTERN const char *mlops_policy_action_name(int action);
/** Name of a truth value ("FALSE", "TRUE", "UNKNOWN"); "unknown" (lower case) otherwise. */
MLOPS_EXTERN const char *mlops_policy_truth_name(int truth);
/** Name of a reason ("OK", "MISSING", ..., "DOWNGRADE"); "unknown" (lower case) otherwise. */
MLOPS_EXTERN const char *mlops_policy_reason_name(int reason);

/* ------------------------------------------------------------------------ */
/* Policies                                                                 */
/* ------------------------------------------------------------------------ */

/**
 * Parse a `libmlops.policy/v1` document (strict JSON, strict schema).
 *
 * @param out    receives the policy; release with mlops_policy_free().
 * @param data   the bytes (need not be NUL-terminated); not retained.
 * @param len    their length; at most 1 MiB (MLOPS_E_LIMIT beyond).
 * @param source a name for messages (a file name) or NULL; not retained.
 * @param flags  must be 0.
 * @return 0; MLOPS_E_INVALID (NULL argument, flags); MLOPS_E_PARSE (JSON
 *   syntax, with offset/line/column); MLOPS_E_VERSION (a schema other than
 *   "libmlops.policy/v1"); MLOPS_E_SCHEMA (the detail and
 *   mlops_error_last_path() name the JSON path, e.g. "$.rules[2].for");
 *   MLOPS_E_LIMIT (size, nesting, counts); MLOPS_E_NOMEM. Thread-safe.
 */
MLOPS_EXTERN int mlops_policy_parse(mlops_policy **out, const char *data, size_t len,
                                    const char *source, uint32_t flags);

/** Release a policy. Accepts NULL. Free the objects created for it first. */
MLOPS_EXTERN void mlops_policy_free(mlops_policy *policy);

/**
 * Summary of a policy. Read-only; borrowed from the policy (valid while it
 * is). Version 1; fields are only ever added at the end (see
 * MLOPS_INFO_HAS()). Declared as `struct mlops_policy_info` without a
 * typedef, because mlops_policy_info() is the function that hands it out
 * (the `struct stat` / `stat()` idiom).
 */
struct mlops_policy_info {
    MLOPS_INFO_HEADER;
    /** The `policy_id`; never NULL. */
    const char *id;
    /** The `revision` (0 or more). */
    int64_t revision;
    /** The policy digest "sha256:<64 lowercase hex>" of its RFC 8785
     *  canonical bytes; never NULL. */
    const char *digest;
    /** Number of rules (the rows of mlops_policy_rule()). */
    size_t rule_count;
    /** Number of embedded tests. */
    size_t test_count;
};

/** Version of struct mlops_policy_info filled by this library. */
#define MLOPS_POLICY_INFO_VERSION 1

/**
 * The summary of `policy`, or NULL when `policy` is NULL. Built when the
 * policy is parsed: never allocates; thread-safe (a policy is immutable).
 */
MLOPS_EXTERN const struct mlops_policy_info *mlops_policy_info(const mlops_policy *policy);

/** One rule of a policy. Read-only; borrowed from the policy (valid while it
 *  is). Version 1; fields are only ever added at the end. */
typedef struct mlops_policy_rule_info {
    MLOPS_INFO_HEADER;
    /** The rule's `id`; never NULL. */
    const char *id;
    /** The rule's `action` (an mlops_action). */
    int action;
    /** The rule's `description`, NULL when it has none. */
    const char *description;
    /** 1 when the rule is `dry_run` (traced, never decided), else 0. */
    int dry_run;
} mlops_policy_rule_info;

/** Version of mlops_policy_rule_info filled by this library. */
#define MLOPS_POLICY_RULE_INFO_VERSION 1

/**
 * Rule `i` (document order) of `policy`, or NULL when `policy` is NULL or
 * `i` is out of range. Never allocates; thread-safe.
 */
MLOPS_EXTERN const mlops_policy_rule_info *mlops_policy_rule(const mlops_policy *policy,
                                                             size_t i);

/** Flag for mlops_policy_replay(): write the log with the decisions made. */
#define MLOPS_POLICY_REPLAY_RECORD 0x1u

/* ------------------------------------------------------------------------ */
/* Observations                                                             */
/* ------------------------------------------------------------------------ */

/**
 * Create an empty observation set for `policy` (borrowed; it must outlive
 * the set). Release with mlops_policy_obs_free().
 * @return 0, MLOPS_E_INVALID, MLOPS_E_NOMEM.
 */
MLOPS_EXTERN int mlops_policy_obs_new(mlops_policy_obs **out, const mlops_policy *policy);
/** Release an observation set. Accepts NULL. */
MLOPS_EXTERN void mlops_policy_obs_free(mlops_policy_obs *obs);
/** Forget every value (names already seen keep their memory). Never allocates. */
MLOPS_EXTERN void mlops_policy_obs_clear(mlops_policy_obs *obs);

/**
 * Set signal `name` (valid UTF-8, 1..255 bytes; copied) to `value` with
 * `samples` observations behind it (negative: not known). NaN and
 * infinities are accepted: the conditions reading them are UNKNOWN. Setting
 * a name again replaces its value. Allocates only for a name this set has
 * not seen before.
 * @return 0, MLOPS_E_INVALID (NULL, empty, too long or not UTF-8), MLOPS_E_LIMIT
 *   (more than 1,000,000 names), MLOPS_E_NOMEM (the set is unchanged).
 */
MLOPS_EXTERN int mlops_policy_obs_set(mlops_policy_obs *obs, const char *name, double value,
                                      int64_t samples);

/**
 * Set `n` signals at once: `names[i]` to `values[i]` with `samples[i]`
 * (`samples` may be NULL: no counts). The same as n calls of
 * mlops_policy_obs_set() in one foreign call, for bindings. All names are
 * checked and registered before any value is set, so on failure no value
 * changes (names new to the set may have been registered, not set).
 * @return 0, MLOPS_E_INVALID (a NULL array or name, a bad name; the detail
 *   names the index), MLOPS_E_LIMIT, MLOPS_E_NOMEM.
 */
MLOPS_EXTERN int mlops_policy_obs_set_many(mlops_policy_obs *obs, const char *const *names,
                                           const double *values, const int64_t *samples,
                                           size_t n);

/* ------------------------------------------------------------------------ */
/* State                                                                    */
/* ------------------------------------------------------------------------ */

/**
 * Create a fresh state for `policy` (borrowed). No streaks, no latches, no
 * past decisions, no known training time.
 * @return 0, MLOPS_E_INVALID, MLOPS_E_NOMEM.
 */
MLOPS_EXTERN int mlops_policy_state_new(mlops_policy_state **out, const mlops_policy *policy);
/** Release a state. Accepts NULL. */
MLOPS_EXTERN void mlops_policy_state_free(mlops_policy_state *state);
/** Return a state to fresh. Never allocates. */
MLOPS_EXTERN void mlops_policy_state_reset(mlops_policy_state *state);

/**
 * Record that a model was (re)trained at `time_ms`: `min_since_training`
 * counts from here. RETRAIN decisions also record their time.
 * @return 0, MLOPS_E_INVALID.
 */
MLOPS_EXTERN int mlops_policy_state_set_last_training(mlops_policy_state *state,
                                                      int64_t time_ms);

/**
 * Write the state as JSON (`libmlops.policy-state/v1`, see
 * docs/formats/policy-v1.md), appended to `out`: canonical, or indented
 * with MLOPS_JSON_PRETTY.
 * @return 0, MLOPS_E_INVALID (also an unknown flag), MLOPS_E_NOMEM (out
 *   unchanged).
 */
MLOPS_EXTERN int mlops_policy_state_write_json(mlops_buf *out, const mlops_policy_state *state,
                                               uint32_t flags);

/**
 * Read a state written by mlops_policy_state_write_json() for `policy`
 * (borrowed: it must outlive the state). Rules are matched by id; rules
 * absent from the saved state start fresh, saved rules the policy no longer
 * has are ignored. A different `policy_id` is rejected.
 * @return 0; MLOPS_E_PARSE; MLOPS_E_SCHEMA (with path); MLOPS_E_VERSION
 *   (unknown state schema); MLOPS_E_INVALID; MLOPS_E_NOMEM. On failure
 *   `*out` is untouched.
 */
MLOPS_EXTERN int mlops_policy_state_parse(mlops_policy_state **out, const mlops_policy *policy,
                                          const char *data, size_t len);

/** A new state equal to `src`, for the same policy.
 *  @return 0, MLOPS_E_INVALID, MLOPS_E_NOMEM. */
MLOPS_EXTERN int mlops_policy_state_dup(mlops_policy_state **out, const mlops_policy_state *src);

/* ------------------------------------------------------------------------ */
/* Deciding and gating (results: decision.h, gate.h)                       */
/* ------------------------------------------------------------------------ */

/**
 * Evaluate every rule of `policy` on `obs` at time `now_ms`, starting from
 * `state_in` (NULL: a fresh state), and write the decision with its trace
 * into `decision` and the next state into `state_out` (which may be the same
 * object as `state_in`). Pure and allocation-free.
 *
 * @return 0; MLOPS_E_INVALID (NULL argument, flags, objects made for
 *   another policy, `now_ms` outside ±2^53 or earlier than the state's last
 *   evaluation).
 *   On failure neither `decision` nor `state_out` changes.
 */
MLOPS_EXTERN int mlops_policy_decide(mlops_decision *decision, mlops_policy_state *state_out,
                                     const mlops_policy *policy, const mlops_policy_obs *obs,
                                     int64_t now_ms, const mlops_policy_state *state_in,
                                     uint32_t flags);

/** Flag for mlops_policy_gate(): a candidate version lower than the
 *  champion's passes the "version" check (a deliberate rollback). */
#define MLOPS_GATE_ALLOW_DOWNGRADE 0x1u

/**
 * Evaluate the policy's `gate` for a candidate against a champion (NULL
 * when there is none, a first release: only absolute bounds and sample
 * counts apply; callers that look a champion up must treat one not found as
 * an error unless told that this is a first release). Every check is
 * evaluated and traced. When either set names its model
 * (mlops_gate_metrics_set_model()) and there is a champion, two checks come
 * first, metric "model": "name" blocks (OTHER_MODEL) unless both name the
 * same model (MISSING when one side does not say), and "version" blocks
 * (DOWNGRADE) when the candidate's version has lower precedence than the
 * champion's, unless `flags` has MLOPS_GATE_ALLOW_DOWNGRADE. Comparisons
 * with limits are made in the inputs' decimal precision (a documented
 * tolerance of 4·2^-52 of the operands' magnitude; docs/formats/policy-v1.md
 * §8). The result's action is BLOCK_PROMOTION when any check blocks, else
 * NONE (promote).
 * @return 0; MLOPS_E_INVALID (NULL, flags); MLOPS_E_NOTFOUND (the policy has
 *   no gate); MLOPS_E_NOMEM.
 */
MLOPS_EXTERN int mlops_policy_gate(mlops_gate_result **out, const mlops_policy *policy,
                                   const mlops_gate_metrics *candidate,
                                   const mlops_gate_metrics *champion, uint32_t flags);

/* ------------------------------------------------------------------------ */
/* Experimental: declared only with MLOPS_EXPERIMENTAL defined; not covered  */
/* by the ABI promise (docs/abi-policy.md).                                  */
/* ------------------------------------------------------------------------ */
#ifdef MLOPS_EXPERIMENTAL

/**
 * Check a policy for mistakes that parse but are probably wrong: rules on
 * signals that are not declared, hysteresis exit thresholds on the wrong
 * side of the enter threshold, cooldowns shorter than the evaluation
 * interval, rules shadowed by an earlier rule with the same condition and
 * an action at least as high, thresholds outside a signal's declared range
 * (p-values and shares: [0, 1]), `alpha` over signals that are not
 * p-values. Codes and messages: docs/formats/policy-v1.md §10.
 *
 * @param report     receives a JSON report (appended): {"findings":[...]},
 *                   each finding with "code", "path" and "message".
 * @param n_findings receives the number of findings; may be NULL.
 * @param policy     the policy.
 * @param flags      must be 0.
 * @return 0 (findings are not errors); MLOPS_E_INVALID; MLOPS_E_NOMEM.
 */
MLOPS_EXTERN int mlops_policy_lint(mlops_buf *report, size_t *n_findings,
                                   const mlops_policy *policy, uint32_t flags);

/**
 * Run the policy's embedded `tests`.
 *
 * @param passed, failed receive the counts; either may be NULL.
 * @param report receives a JSON report (appended), or NULL.
 * @param policy the policy.
 * @param flags  must be 0.
 * @return 0 whether or not tests fail (see `failed`); MLOPS_E_INVALID;
 *   MLOPS_E_NOMEM.
 */
MLOPS_EXTERN int mlops_policy_run_tests(size_t *passed, size_t *failed, mlops_buf *report,
                                        const mlops_policy *policy, uint32_t flags);

/**
 * Replay a JSON Lines log of observations against the policy, starting from
 * a fresh state, and compare each step's decision with the one recorded in
 * the log. One object per line:
 * @code
 * {"now_ms": <int>, "signals": {name: number | {"value": number,
 * "samples": int} | null}, "expect": {"action": "<name>", "rule": "<id>" |
 * null}}
 * @endcode
 * `expect` may be absent (the step is evaluated, not compared).
 *
 * With MLOPS_POLICY_REPLAY_RECORD in `flags`, `report` (required) receives
 * instead the log itself, one canonical JSON object per line, with each
 * line's `expect` set to the decision made: a recorded log that replays with
 * no mismatch.
 *
 * @param steps      receives the number of steps evaluated.
 * @param mismatches receives the number of steps whose decision differs.
 * @param report     receives (appended) a JSON report listing up to 100
 *                   mismatches, or NULL.
 * @param policy     the policy.
 * @param data       the log's bytes (need not be NUL-terminated); not retained.
 * @param len        their length in bytes.
 * @param flags      0 or MLOPS_POLICY_REPLAY_RECORD.
 * @return 0 (mismatches are not errors); MLOPS_E_PARSE / MLOPS_E_SCHEMA
 *   naming the line ("log line 17: ..."); MLOPS_E_INVALID (time going
 *   backwards); MLOPS_E_NOMEM. Nothing is written on failure.
 */
MLOPS_EXTERN int mlops_policy_replay(uint64_t *steps, uint64_t *mismatches,
                                     mlops_buf *report, const mlops_policy *policy,
                                     const char *data, size_t len, uint32_t flags);


/** The policy's `policy_id`; borrowed from the policy. */
MLOPS_EXTERN const char *mlops_policy_id(const mlops_policy *policy);

/** The policy's `revision`. */
MLOPS_EXTERN int64_t mlops_policy_revision(const mlops_policy *policy);

/** The policy digest "sha256:<hex>" of its RFC 8785 canonical bytes; borrowed. */
MLOPS_EXTERN const char *mlops_policy_digest(const mlops_policy *policy);

/** Number of rules. */
MLOPS_EXTERN size_t mlops_policy_rule_count(const mlops_policy *policy);

/** Id of rule `i` (document order), or NULL when out of range; borrowed. */
MLOPS_EXTERN const char *mlops_policy_rule_id(const mlops_policy *policy, size_t i);

/** Number of embedded tests. */
MLOPS_EXTERN size_t mlops_policy_test_count(const mlops_policy *policy);

#endif /* MLOPS_EXPERIMENTAL */

#ifdef __cplusplus
}
#endif

#endif /* MLOPS_POLICY_H */
