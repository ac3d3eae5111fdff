/*
 * Internal: the parsed form of a policy and the objects made for it.
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * A policy is flattened at parse time into arrays (signals, condition nodes,
 * rules) so that deciding walks indices and touches no allocator: every
 * per-evaluation array is sized from these counts when the observation,
 * state and decision objects are created.
 */
#ifndef MLOPS_DECIDE_POLICY_INTERNAL_H
#define MLOPS_DECIDE_POLICY_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "core/json.h"
#include "mlops/digest.h"
#include "mlops/decision.h"
#include "mlops/gate.h"
#include "mlops/policy.h"

#define MLOPS__POLICY_SCHEMA "libmlops.policy/v1"
#define MLOPS__POLICY_STATE_SCHEMA "libmlops.policy-state/v1"
#define MLOPS__DECISION_SCHEMA "libmlops.decision/v1"
#define MLOPS__GATE_SCHEMA "libmlops.gate/v1"

#define MLOPS__POLICY_MAX_BYTES ((size_t)1 << 20)
#define MLOPS__POLICY_MAX_DEPTH 32
#define MLOPS__POLICY_MAX_RULES 1024
#define MLOPS__POLICY_MAX_NODES 65536
#define MLOPS__POLICY_MAX_WINDOW 64
#define MLOPS__POLICY_MAX_BUDGET 64
#define MLOPS__OBS_MAX_NAMES 1000000
#define MLOPS__NAME_MAX 255
#define MLOPS__NONE_TIME INT64_MIN
/* Times (ms) are bounded to ±2^53 (±285,000 years) so no difference overflows. */
#define MLOPS__TIME_LIMIT ((int64_t)1 << 53)
#define MLOPS__TIME_OK(t) ((t) >= -MLOPS__TIME_LIMIT && (t) <= MLOPS__TIME_LIMIT)
#define MLOPS__N_ACTIONS 5

typedef enum mlops__signal_kind {
    MLOPS__KIND_SCORE = 0,
    MLOPS__KIND_P_VALUE,
    MLOPS__KIND_METRIC,
    MLOPS__KIND_COUNT,
    MLOPS__KIND_DURATION
} mlops__signal_kind;

typedef enum mlops__better { MLOPS__BETTER_NONE = 0, MLOPS__BETTER_HIGHER, MLOPS__BETTER_LOWER } mlops__better;

typedef struct mlops__signal_decl {
    char *name;        /* exact name or glob ("drift.*") */
    int is_glob;
    mlops__signal_kind kind;
    mlops__better better;
    int has_range;
    double lo, hi;
    char path[96];
} mlops__signal_decl;

typedef enum mlops__cmp_op {
    MLOPS__OP_GT = 0,
    MLOPS__OP_GTE,
    MLOPS__OP_LT,
    MLOPS__OP_LTE,
    MLOPS__OP_EQ,
    MLOPS__OP_NE,
    MLOPS__OP_BETWEEN,
    MLOPS__OP_OUTSIDE
} mlops__cmp_op;

typedef struct mlops__cmp {
    mlops__cmp_op op;
    double a, b;     /* threshold; b is the upper bound of between/outside */
    double abs_tol, rel_tol;
} mlops__cmp;

typedef enum mlops__node_kind {
    MLOPS__NODE_CMP = 0,
    MLOPS__NODE_ALL,
    MLOPS__NODE_ANY,
    MLOPS__NODE_NOT,
    MLOPS__NODE_AT_LEAST,
    MLOPS__NODE_AGG
} mlops__node_kind;

typedef enum mlops__agg_how {
    MLOPS__AGG_ANY = 0,
    MLOPS__AGG_ALL,
    MLOPS__AGG_COUNT,
    MLOPS__AGG_SHARE,
    MLOPS__AGG_WSHARE
} mlops__agg_how;

typedef enum mlops__correction {
    MLOPS__CORR_NONE = 0,
    MLOPS__CORR_BONFERRONI,
    MLOPS__CORR_HOLM,
    MLOPS__CORR_BH
} mlops__correction;

typedef struct mlops__weight {
    char *name;
    double weight;
} mlops__weight;

typedef struct mlops__node {
    mlops__node_kind kind;
    uint32_t rule;           /* owning rule */
    uint32_t first_child;    /* index into policy->children */
    uint32_t n_children;
    uint32_t k;              /* at_least */
    /* comparison */
    char *signal;
    int64_t min_samples;     /* 0: no requirement */
    mlops__cmp cmp;
    int has_exit;
    double exit;
    uint32_t latch;          /* index of this node's latch (has_exit) */
    /* aggregation */
    char *glob;
    uint32_t agg;            /* index among aggregation nodes */
    mlops__agg_how how;
    int has_each;
    mlops__cmp each;         /* per-feature test (when no correction) */
    mlops__correction correction;
    double alpha;
    mlops__cmp reduce;       /* count / share / weighted_share threshold */
    mlops__weight *weights;
    size_t n_weights;
    double default_weight;
    char path[128];          /* JSON path of the node, for traces and lint */
} mlops__node;

typedef enum mlops__on_unknown {
    MLOPS__UNKNOWN_IGNORE = 0,
    MLOPS__UNKNOWN_WARN,
    MLOPS__UNKNOWN_BLOCK
} mlops__on_unknown;

typedef struct mlops__rule {
    char *id;
    char *description;
    int action;
    uint32_t root;
    int64_t for_ms;             /* 0: none */
    uint32_t consecutive;       /* 0: none */
    uint32_t m, n;              /* m_of_n; n == 0: none */
    int64_t cooldown_ms;        /* 0: none */
    int64_t min_since_training_ms;
    uint32_t budget_max;        /* 0: none */
    int64_t budget_period_ms;
    int dry_run;
    mlops__on_unknown on_unknown;
    uint32_t first_latch, n_latches;
    mlops_policy_rule_info info; /* mlops_policy_rule(), filled once parsed */
} mlops__rule;

typedef struct mlops__gate_metric {
    char *name;
    mlops__better better;
    int guardrail;
    int has_min, has_max, has_reg, has_reg_rel, has_ni, has_improve;
    double min, max, max_regression, max_regression_rel, ni_margin, min_improvement;
    int64_t min_samples;
} mlops__gate_metric;

typedef struct mlops__gate {
    int present;
    int64_t min_samples;
    mlops__gate_metric *metrics;
    size_t n_metrics;
} mlops__gate;

struct mlops_policy {
    char *policy_id;
    int64_t revision;
    char digest[MLOPS_DIGEST_STRING_SIZE];
    /* defaults */
    int64_t min_samples;
    int64_t evaluation_interval_ms;
    double abs_tol, rel_tol;
    mlops__on_unknown on_unknown;
    mlops__signal_decl *signals;
    size_t n_signals;
    mlops__node *nodes;
    size_t n_nodes;
    uint32_t *children;
    size_t n_children;
    size_t n_aggs;
    size_t n_latches;
    mlops__rule *rules;
    size_t n_rules;
    mlops__gate gate;
    /* the parsed document, kept for the embedded tests */
    mlops__json_doc *doc;
    const mlops__json *tests;
    size_t n_tests;
    struct mlops_policy_info info; /* mlops_policy_info(), filled once parsed */
};

/* ---- observations ----------------------------------------------------- */

typedef struct mlops__slot {
    char *name;
    uint32_t hash;
    int present;
    double value;
    int64_t samples;
} mlops__slot;

typedef struct mlops__members {
    uint32_t *slots;  /* sorted by name */
    double *weights;  /* weighted_share weight of each member, resolved on insert */
    size_t n, cap;
} mlops__members;

struct mlops_policy_obs {
    const mlops_policy *policy;
    mlops__slot *slots;
    size_t n_slots, cap_slots;
    uint32_t *table;          /* open addressing: slot index + 1, 0 = empty */
    size_t table_cap;         /* power of two */
    uint32_t *node_slot;      /* per node: resolved slot + 1 for comparisons */
    mlops__members *members;  /* per aggregation node */
    /* scratch for aggregation (capacity = largest member list) */
    double *scratch_p;
    uint32_t *scratch_idx;    /* capacity + 2: rank counts */
    uint32_t *scratch_live;   /* present members, in name order */
    size_t scratch_cap;
};

/* ---- state ------------------------------------------------------------ */

typedef struct mlops__rule_state {
    int64_t true_since;   /* MLOPS__NONE_TIME when not currently true */
    uint32_t consecutive;
    uint32_t window_len;  /* results recorded in window (<= n) */
    uint64_t window;      /* bit i = result i evaluations ago was TRUE */
} mlops__rule_state;

typedef struct mlops__action_state {
    int64_t last;                              /* last decided, or NONE */
    int64_t history[MLOPS__POLICY_MAX_BUDGET]; /* ring of decision times */
    uint32_t hist_n, hist_head;
} mlops__action_state;

struct mlops_policy_state {
    const mlops_policy *policy;
    int64_t last_now;       /* NONE: never evaluated */
    int64_t last_training;  /* NONE: unknown */
    mlops__rule_state *rules;
    uint8_t *latches;
    mlops__action_state actions[MLOPS__N_ACTIONS];
};

/* ---- decision --------------------------------------------------------- */

#define MLOPS__WORST_NAME 96

typedef struct mlops__node_trace {
    uint8_t truth;
    uint8_t reason;
    double value;       /* observed value / aggregate statistic */
    double threshold;   /* effective threshold (enter or exit) */
    double margin;      /* > 0 inside the true region */
    int64_t samples;    /* -1 unknown */
    int used_exit;      /* compared against the exit threshold (latched) */
    /* aggregation */
    uint32_t matched, n_true, n_unknown;
    char worst[MLOPS__WORST_NAME];
    double worst_value;
} mlops__node_trace;

typedef struct mlops__rule_trace {
    uint8_t truth;       /* of the condition */
    uint8_t reason;      /* outcome reason */
    uint8_t fired;       /* the rule's action is a candidate */
    uint8_t decided;     /* this rule decided */
    int surfaced;        /* action the rule surfaced (action, or on_unknown's) or 0 */
    int64_t wait_ms;
    uint32_t progress, needed; /* consecutive / m_of_n progress */
    int64_t held_ms;           /* for: how long it has held */
    int32_t suppressed_by;     /* rule index or -1 */
} mlops__rule_trace;

typedef struct mlops__suppressed {
    uint32_t rule;
    int action;
    uint8_t reason;
} mlops__suppressed;

struct mlops_decision {
    const mlops_policy *policy;
    int valid;
    int64_t now;
    int action;
    int32_t rule;        /* -1: none */
    mlops__node_trace *nodes;
    mlops__rule_trace *rules;
    mlops__suppressed *suppressed;
    size_t n_suppressed;
    /* The read-only views handed out (decision.h), one row per rule each,
     * sized and stamped (version, size, rule ids) by mlops_decision_new() and
     * filled by every decide without allocating. */
    struct mlops_decision_info info;
    mlops_decision_rule_trace_info *trace_info;
    mlops_decision_suppressed_info *suppressed_info;
};

/* ---- shared helpers --------------------------------------------------- */

/** Glob match: '*' any run of bytes, '?' one byte, everything else literal. */
int mlops__policy_glob_match(const char *glob, const char *name);
/** Parse "30m"-style durations; -1 on syntax error, -2 when negative. */
int mlops__policy_parse_duration(int64_t *out_ms, const char *s);
/** Render a duration in the largest exact unit ("30m", "1500ms"). out >= 32. */
void mlops__policy_format_duration(char *out, size_t cap, int64_t ms);
/** Action index of a name, or -1. */
int mlops__policy_action_from_name(const char *s);

/** The comparison of value `v` (finite) against `c`; margin > 0 inside. */
int mlops__policy_cmp_eval(const mlops__cmp *c, double v, double *margin, double *threshold);
const char *mlops__policy_op_name(mlops__cmp_op op);

/** Evaluate rule conditions into the decision and the (already copied) state. */
void mlops__policy_eval_rule_condition(mlops_decision *d, mlops_policy_state *st,
                                       const mlops_policy *p, const mlops_policy_obs *obs,
                                       uint32_t rule);
/** Apply time qualifiers and suppressions of rule `r` (state updated). */
void mlops__policy_time_apply(mlops_decision *d, mlops_policy_state *st,
                              const mlops_policy *p, uint32_t r, int64_t now);
/** Record the decided action in the state (cooldown, budget, training). */
void mlops__policy_time_record(mlops_policy_state *st, int action, int64_t now);
/* Copy a state into another of the same policy; never allocates (decide's
 * state_in -> state_out, and mlops_policy_state_dup()). */
void mlops__policy_state_copy(mlops_policy_state *dst, const mlops_policy_state *src);

/** Fill a signal's value and samples in `obs` from a JSON value
 *  (number | {"value","samples"} | null), path for errors. */
int mlops__policy_obs_set_json(mlops_policy_obs *obs, const char *name,
                               const mlops__json *v, mlops__json_path *path);

/** Build the decision JSON document (trace included). */
int mlops__decision_build_json(mlops__json_doc **out, const mlops_decision *d);

/** Action/rule comparison against an "expect" object; 1 when equal. */
int mlops__policy_expect_matches(const mlops_decision *d, int action, const char *rule);

#endif /* MLOPS_DECIDE_POLICY_INTERNAL_H */
