/*
 * The policy's words: durations ("5h30m"), the names of actions, truths and
 * reasons, and the signal globs of aggregations — what the parser, the
 * evaluator, the trace and the gate share.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdio.h>
#include <string.h>

#include "core/error.h"
#include "decide/policy_internal.h"

int mlops__policy_parse_duration(int64_t *out_ms, const char *s)
{
    /* One or more <digits><unit> parts, units in strictly decreasing size
     * ("1h30m", "90s", "250ms"), like Go's time.ParseDuration without
     * fractions or signs. */
    static const struct { const char *name; size_t len; int64_t ms; } units[] = {
        {"ms", 2, 1}, {"w", 1, 604800000}, {"d", 1, 86400000}, {"h", 1, 3600000},
        {"m", 1, 60000}, {"s", 1, 1000}};
    const int64_t max = (int64_t)3155760000000; /* 100 years: certainly a mistake beyond */
    const char *q = s;
    if (*q == '-')
        return -2;
    if (*q == '\0')
        return -1;
    int64_t total = 0, last_unit = INT64_MAX;
    while (*q) {
        if (*q < '0' || *q > '9')
            return -1;
        int64_t n = 0;
        while (*q >= '0' && *q <= '9') {
            if (n > max)
                return -1;
            n = n * 10 + (*q - '0');
            q++;
        }
        int64_t unit = 0;
        for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
            if (strncmp(q, units[i].name, units[i].len) == 0) {
                unit = units[i].ms;
                q += units[i].len;
                break;
            }
        }
        if (!unit || unit >= last_unit || n > (max - total) / unit)
            return -1;
        last_unit = unit;
        total += n * unit;
    }
    *out_ms = total;
    return 0;
}

void mlops__policy_format_duration(char *out, size_t cap, int64_t ms)
{
    static const struct { int64_t unit; const char *suffix; } units[] = {
        {604800000, "w"}, {86400000, "d"}, {3600000, "h"}, {60000, "m"}, {1000, "s"}};
    if (ms < 0) {
        snprintf(out, cap, "%lldms", (long long)ms);
        return;
    }
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (ms != 0 && ms % units[i].unit == 0) {
            snprintf(out, cap, "%lld%s", (long long)(ms / units[i].unit), units[i].suffix);
            return;
        }
    }
    snprintf(out, cap, "%lldms", (long long)ms);
}

static const char *const action_names[MLOPS__N_ACTIONS] = {"none", "warn", "retrain",
                                                           "block_promotion", "rollback"};

int mlops__policy_action_from_name(const char *s)
{
    for (int i = 0; i < MLOPS__N_ACTIONS; i++)
        if (strcmp(s, action_names[i]) == 0)
            return i;
    return -1;
}

const char *mlops_policy_action_name(int action)
{
    return action >= 0 && action < MLOPS__N_ACTIONS ? action_names[action] : "unknown";
}

const char *mlops_policy_truth_name(int truth)
{
    switch (truth) {
    case MLOPS_TRUTH_FALSE: return "FALSE";
    case MLOPS_TRUTH_TRUE: return "TRUE";
    case MLOPS_TRUTH_UNKNOWN: return "UNKNOWN";
    default: return "unknown";
    }
}

const char *mlops_policy_reason_name(int reason)
{
    static const char *const names[] = {
        "OK", "MISSING", "NAN", "LOW_SAMPLES", "PENDING", "COOLDOWN", "LATCHED", "DRY_RUN",
        "SUPPRESSED_BY", "MIN_SINCE_TRAINING", "BUDGET", "UNKNOWN", "NO_INTERVAL",
        "NO_CHAMPION", "OTHER_MODEL", "DOWNGRADE"};
    return reason >= 0 && (size_t)reason < sizeof names / sizeof names[0] ? names[reason] : "unknown";
}

int mlops__policy_glob_match(const char *g, const char *s)
{
    /* Iterative matcher with single backtrack point: linear in practice and
     * never recursive, so hostile globs cannot blow the stack. */
    const char *star = NULL, *resume = NULL;
    while (*s) {
        if (*g == '*') {
            star = g++;
            resume = s;
        } else if (*g == '?' || *g == *s) {
            g++;
            s++;
        } else if (star) {
            g = star + 1;
            s = ++resume;
        } else {
            return 0;
        }
    }
    while (*g == '*')
        g++;
    return *g == '\0';
}
