/*
 * Parsing `libmlops.policy/v1`: strict JSON, strict schema, errors naming the
 * JSON path of the fault.
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * Over 900 lines, kept whole on purpose: one reader of one document, every
 * section (signals, conditions, rules, gate, tests, top level) reading
 * through the same parse context and its typed getters (get_number,
 * get_duration, want_type ...), static here. Splitting a section out would
 * export those getters for a single caller; the names, durations and globs
 * the other files share are in policy_words.c.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/json.h"
#include "decide/policy_internal.h"
#include "mlops/digest.h"
#include "mlops/timestamp.h"

/* ---- parse context ------------------------------------------------------ */

typedef struct pctx {
    mlops_policy *p;
    mlops__json_path path;
    size_t cap_nodes, cap_children, cap_signals;
} pctx;

#define SERR(c, v, ...) mlops__json_schema_error(&(c)->path, (v), __VA_ARGS__)

static const char *type_word(const mlops__json *v)
{
    switch (mlops__json_type_of(v)) {
    case MLOPS__JSON_NULL: return "null";
    case MLOPS__JSON_FALSE:
    case MLOPS__JSON_TRUE: return "a boolean";
    case MLOPS__JSON_NUMBER: return "a number";
    case MLOPS__JSON_STRING: return "a string";
    case MLOPS__JSON_ARRAY: return "an array";
    default: return "an object";
    }
}

static int want_type(pctx *c, const mlops__json *v, mlops__json_type t, const char *what)
{
    mlops__json_type have = mlops__json_type_of(v);
    if (have == t || (t == MLOPS__JSON_TRUE && have == MLOPS__JSON_FALSE))
        return 0;
    return SERR(c, v, "expected %s, found %s", what, type_word(v));
}

static int get_number(pctx *c, const mlops__json *v, double *out)
{
    int rc = want_type(c, v, MLOPS__JSON_NUMBER, "a number");
    if (rc)
        return rc;
    double d = mlops__json_double(v);
    if (!isfinite(d))
        return SERR(c, v, "number out of the range of a double");
    *out = d;
    return 0;
}

static int get_nonneg(pctx *c, const mlops__json *v, double *out)
{
    int rc = get_number(c, v, out);
    if (rc)
        return rc;
    if (*out < 0)
        return SERR(c, v, "must not be negative");
    return 0;
}

static int get_int(pctx *c, const mlops__json *v, int64_t lo, int64_t hi, int64_t *out)
{
    int rc = want_type(c, v, MLOPS__JSON_NUMBER, "an integer");
    if (rc)
        return rc;
    if (!mlops__json_is_integer(v))
        return SERR(c, v, "expected an integer, found a fraction or exponent");
    int64_t n = mlops__json_int(v);
    if (n < lo || n > hi)
        return SERR(c, v, "must be between %lld and %lld, found %lld", (long long)lo,
                    (long long)hi, (long long)n);
    *out = n;
    return 0;
}

static int get_string(pctx *c, const mlops__json *v, const char **out)
{
    *out = NULL; /* defined on every return, not only on success */
    int rc = want_type(c, v, MLOPS__JSON_STRING, "a string");
    if (rc)
        return rc;
    size_t len;
    const char *s = mlops__json_string(v, &len);
    if (len != strlen(s))
        return SERR(c, v, "string contains U+0000");
    *out = s;
    return 0;
}

static int dup_string(pctx *c, const mlops__json *v, size_t max_len, char **out)
{
    const char *s;
    int rc = get_string(c, v, &s);
    if (rc)
        return rc;
    size_t len = strlen(s);
    if (len == 0 || len > max_len)
        return SERR(c, v, "must be 1 to %zu bytes long", max_len);
    *out = mlops__strdup(s);
    return *out ? 0 : mlops__error_nomem();
}

static int get_duration(pctx *c, const mlops__json *v, int64_t *out)
{
    const char *s;
    if (mlops__json_type_of(v) != MLOPS__JSON_STRING)
        return SERR(c, v, "expected a duration string such as \"30m\", found %s", type_word(v));
    int rc = get_string(c, v, &s);
    if (rc)
        return rc;
    int d = mlops__policy_parse_duration(out, s);
    if (d == -2)
        return SERR(c, v, "negative duration \"%s\"", s);
    if (d)
        return SERR(c, v,
                    "invalid duration \"%s\": expected numbers with units w, d, h, m, s, ms "
                    "in decreasing order (\"30m\", \"1h30m\"), at most 100 years",
                    s);
    return 0;
}

static int get_bool(pctx *c, const mlops__json *v, int *out)
{
    int rc = want_type(c, v, MLOPS__JSON_TRUE, "a boolean");
    if (rc)
        return rc;
    *out = mlops__json_type_of(v) == MLOPS__JSON_TRUE;
    return 0;
}

static int get_on_unknown(pctx *c, const mlops__json *v, mlops__on_unknown *out)
{
    const char *s;
    int rc = get_string(c, v, &s);
    if (rc)
        return rc;
    if (strcmp(s, "ignore") == 0)
        *out = MLOPS__UNKNOWN_IGNORE;
    else if (strcmp(s, "warn") == 0)
        *out = MLOPS__UNKNOWN_WARN;
    else if (strcmp(s, "block_promotion") == 0)
        *out = MLOPS__UNKNOWN_BLOCK;
    else
        return SERR(c, v, "must be \"ignore\", \"warn\" or \"block_promotion\", found \"%s\"", s);
    return 0;
}

static void path_copy(char *dst, size_t cap, const mlops__json_path *p)
{
    size_t n = p->len < cap - 1 ? p->len : cap - 1;
    memcpy(dst, p->text, n);
    dst[n] = '\0';
    if (n < p->len && cap > 4)
        memcpy(dst + cap - 4, "...", 4);
}

/* ---- signals ------------------------------------------------------------ */

static int parse_signal(pctx *c, const char *name, const mlops__json *v)
{
    static const char *const keys[] = {"kind", "better", "range", "description", NULL};
    int rc = mlops__json_check_keys(&c->path, v, keys);
    if (rc)
        return rc;
    mlops__signal_decl *d = &c->p->signals[c->p->n_signals];
    memset(d, 0, sizeof *d);
    size_t nlen = strlen(name);
    if (nlen == 0 || nlen > MLOPS__NAME_MAX)
        return SERR(c, v, "signal names must be 1 to %d bytes long", MLOPS__NAME_MAX);
    d->name = mlops__strdup(name);
    if (!d->name)
        return mlops__error_nomem();
    c->p->n_signals++;
    d->is_glob = strpbrk(name, "*?") != NULL;
    path_copy(d->path, sizeof d->path, &c->path);

    const mlops__json *kind = mlops__json_object_find(v, "kind");
    if (!kind)
        return SERR(c, v, "missing required key \"kind\"");
    mlops__json_path_push_key(&c->path, "kind");
    const char *ks;
    rc = get_string(c, kind, &ks);
    if (rc)
        return rc;
    static const char *const kinds[] = {"score", "p_value", "metric", "count", "duration"};
    int found = -1;
    for (int i = 0; i < 5; i++)
        if (strcmp(ks, kinds[i]) == 0)
            found = i;
    if (found < 0)
        return SERR(c, kind,
                    "unknown kind \"%s\": expected score, p_value, metric, count or duration", ks);
    d->kind = (mlops__signal_kind)found;
    mlops__json_path_pop(&c->path);

    const mlops__json *better = mlops__json_object_find(v, "better");
    if (better) {
        mlops__json_path_push_key(&c->path, "better");
        const char *bs;
        rc = get_string(c, better, &bs);
        if (rc)
            return rc;
        if (strcmp(bs, "higher") == 0)
            d->better = MLOPS__BETTER_HIGHER;
        else if (strcmp(bs, "lower") == 0)
            d->better = MLOPS__BETTER_LOWER;
        else
            return SERR(c, better, "must be \"higher\" or \"lower\", found \"%s\"", bs);
        if (d->kind != MLOPS__KIND_METRIC)
            return SERR(c, better, "\"better\" is only allowed on kind \"metric\"");
        mlops__json_path_pop(&c->path);
    } else if (d->kind == MLOPS__KIND_METRIC) {
        return SERR(c, v, "a metric needs \"better\": \"higher\" or \"lower\"");
    }

    const mlops__json *range = mlops__json_object_find(v, "range");
    if (d->kind == MLOPS__KIND_P_VALUE) {
        d->has_range = 1;
        d->lo = 0;
        d->hi = 1;
    }
    if (range) {
        mlops__json_path_push_key(&c->path, "range");
        rc = want_type(c, range, MLOPS__JSON_ARRAY, "an array [low, high]");
        if (rc)
            return rc;
        if (mlops__json_array_size(range) != 2)
            return SERR(c, range, "expected an array of two numbers [low, high]");
        for (size_t i = 0; i < 2; i++) {
            mlops__json_path_push_index(&c->path, i);
            rc = get_number(c, mlops__json_array_get(range, i), i ? &d->hi : &d->lo);
            if (rc)
                return rc;
            mlops__json_path_pop(&c->path);
        }
        if (d->lo > d->hi)
            return SERR(c, range, "low is greater than high");
        d->has_range = 1;
        mlops__json_path_pop(&c->path);
    }
    const mlops__json *desc = mlops__json_object_find(v, "description");
    if (desc) {
        mlops__json_path_push_key(&c->path, "description");
        const char *s;
        rc = get_string(c, desc, &s);
        if (rc)
            return rc;
        mlops__json_path_pop(&c->path);
    }
    return 0;
}

static int parse_signals(pctx *c, const mlops__json *v)
{
    int rc = want_type(c, v, MLOPS__JSON_OBJECT, "an object of signal declarations");
    if (rc)
        return rc;
    size_t n = mlops__json_object_size(v);
    if (n > 100000)
        return mlops__error_at(MLOPS_E_LIMIT, (int64_t)mlops__json_offset(v), 0, 0,
                               c->path.text, "%s: more than 100000 signals", c->path.text);
    c->p->signals = mlops__calloc(n ? n : 1, sizeof *c->p->signals);
    if (!c->p->signals)
        return mlops__error_nomem();
    for (size_t i = 0; i < n; i++) {
        const char *key = mlops__json_object_key(v, i, NULL);
        mlops__json_path_push_key(&c->path, key);
        rc = parse_signal(c, key, mlops__json_object_value(v, i));
        if (rc)
            return rc;
        mlops__json_path_pop(&c->path);
    }
    return 0;
}

/* ---- conditions --------------------------------------------------------- */

static int new_node(pctx *c, const mlops__json *v, uint32_t *out)
{
    mlops_policy *p = c->p;
    if (p->n_nodes >= MLOPS__POLICY_MAX_NODES)
        return mlops__error_at(MLOPS_E_LIMIT, (int64_t)mlops__json_offset(v), 0, 0,
                               c->path.text, "%s: more than %d condition nodes", c->path.text,
                               MLOPS__POLICY_MAX_NODES);
    if (p->n_nodes == c->cap_nodes) {
        size_t cap = c->cap_nodes ? c->cap_nodes * 2 : 32;
        mlops__node *n = mlops__reallocarray(p->nodes, cap, sizeof *n);
        if (!n)
            return mlops__error_nomem();
        p->nodes = n;
        c->cap_nodes = cap;
    }
    mlops__node *n = &p->nodes[p->n_nodes];
    memset(n, 0, sizeof *n);
    path_copy(n->path, sizeof n->path, &c->path);
    *out = (uint32_t)p->n_nodes++;
    return 0;
}

static int reserve_children(pctx *c, size_t k, uint32_t *first)
{
    mlops_policy *p = c->p;
    *first = 0; /* defined on every return, not only on success */
    if (p->n_children + k > c->cap_children) {
        size_t cap = c->cap_children ? c->cap_children : 32;
        while (cap < p->n_children + k)
            cap *= 2;
        uint32_t *ch = mlops__reallocarray(p->children, cap, sizeof *ch);
        if (!ch)
            return mlops__error_nomem();
        p->children = ch;
        c->cap_children = cap;
    }
    *first = (uint32_t)p->n_children;
    p->n_children += k;
    return 0;
}

static const char *const op_keys[] = {"gt", "gte", "lt", "lte", "eq", "ne", "between", "outside"};

const char *mlops__policy_op_name(mlops__cmp_op op) { return op_keys[op]; }

/* Read one comparator (exactly one op key) plus abs_tol / rel_tol from object v. */
static int parse_cmp(pctx *c, const mlops__json *v, mlops__cmp *out, const char *where)
{
    int found = -1;
    for (int i = 0; i < 8; i++) {
        if (mlops__json_object_find(v, op_keys[i])) {
            if (found >= 0)
                return SERR(c, v, "%s has both \"%s\" and \"%s\": give exactly one comparator",
                            where, op_keys[found], op_keys[i]);
            found = i;
        }
    }
    if (found < 0)
        return SERR(c, v,
                    "%s needs one comparator: gt, gte, lt, lte, eq, ne, between or outside",
                    where);
    out->op = (mlops__cmp_op)found;
    out->abs_tol = c->p->abs_tol;
    out->rel_tol = c->p->rel_tol;
    const mlops__json *t = mlops__json_object_find(v, op_keys[found]);
    mlops__json_path_push_key(&c->path, op_keys[found]);
    int rc;
    if (found >= MLOPS__OP_BETWEEN) {
        rc = want_type(c, t, MLOPS__JSON_ARRAY, "an array [low, high]");
        if (rc)
            return rc;
        if (mlops__json_array_size(t) != 2)
            return SERR(c, t, "expected an array of two numbers [low, high]");
        for (size_t i = 0; i < 2; i++) {
            mlops__json_path_push_index(&c->path, i);
            rc = get_number(c, mlops__json_array_get(t, i), i ? &out->b : &out->a);
            if (rc)
                return rc;
            mlops__json_path_pop(&c->path);
        }
        if (out->a > out->b)
            return SERR(c, t, "low is greater than high");
    } else {
        rc = get_number(c, t, &out->a);
        if (rc)
            return rc;
        out->b = out->a;
    }
    mlops__json_path_pop(&c->path);
    const mlops__json *tol;
    if ((tol = mlops__json_object_find(v, "abs_tol"))) {
        mlops__json_path_push_key(&c->path, "abs_tol");
        if ((rc = get_nonneg(c, tol, &out->abs_tol)))
            return rc;
        mlops__json_path_pop(&c->path);
    }
    if ((tol = mlops__json_object_find(v, "rel_tol"))) {
        mlops__json_path_push_key(&c->path, "rel_tol");
        if ((rc = get_nonneg(c, tol, &out->rel_tol)))
            return rc;
        mlops__json_path_pop(&c->path);
    }
    return 0;
}

static int parse_condition(pctx *c, const mlops__json *v, uint32_t rule, size_t depth,
                           uint32_t *out);

static int parse_list(pctx *c, const mlops__json *arr, uint32_t node, uint32_t rule,
                      size_t depth)
{
    int rc = want_type(c, arr, MLOPS__JSON_ARRAY, "an array of conditions");
    if (rc)
        return rc;
    size_t n = mlops__json_array_size(arr);
    if (n == 0)
        return SERR(c, arr, "must hold at least one condition");
    uint32_t first;
    if ((rc = reserve_children(c, n, &first)))
        return rc;
    c->p->nodes[node].first_child = first;
    c->p->nodes[node].n_children = (uint32_t)n;
    for (size_t i = 0; i < n; i++) {
        mlops__json_path_push_index(&c->path, i);
        uint32_t child;
        rc = parse_condition(c, mlops__json_array_get(arr, i), rule, depth + 1, &child);
        if (rc)
            return rc;
        c->p->children[first + i] = child;
        mlops__json_path_pop(&c->path);
    }
    return 0;
}

static int parse_comparison(pctx *c, const mlops__json *v, uint32_t id)
{
    static const char *const keys[] = {"signal", "gt", "gte", "lt", "lte", "eq", "ne",
                                       "between", "outside", "exit", "abs_tol", "rel_tol",
                                       "min_samples", NULL};
    int rc = mlops__json_check_keys(&c->path, v, keys);
    if (rc)
        return rc;
    mlops__node *n = &c->p->nodes[id];
    n->kind = MLOPS__NODE_CMP;
    n->min_samples = c->p->min_samples;
    mlops__json_path_push_key(&c->path, "signal");
    char *sig = NULL;
    rc = dup_string(c, mlops__json_object_find(v, "signal"), MLOPS__NAME_MAX, &sig);
    if (rc)
        return rc;
    c->p->nodes[id].signal = sig;
    if (strpbrk(sig, "*?"))
        return SERR(c, mlops__json_object_find(v, "signal"),
                    "\"signal\" names one signal; use \"over\" to aggregate a glob");
    mlops__json_path_pop(&c->path);
    mlops__cmp cmp;
    if ((rc = parse_cmp(c, v, &cmp, "a comparison")))
        return rc;
    n = &c->p->nodes[id];
    n->cmp = cmp;
    const mlops__json *x;
    if ((x = mlops__json_object_find(v, "exit"))) {
        mlops__json_path_push_key(&c->path, "exit");
        if (cmp.op > MLOPS__OP_LTE)
            return SERR(c, x, "hysteresis \"exit\" needs gt, gte, lt or lte");
        if ((rc = get_number(c, x, &n->exit)))
            return rc;
        n->has_exit = 1;
        mlops__json_path_pop(&c->path);
    }
    if ((x = mlops__json_object_find(v, "min_samples"))) {
        mlops__json_path_push_key(&c->path, "min_samples");
        if ((rc = get_int(c, x, 0, INT64_MAX, &n->min_samples)))
            return rc;
        mlops__json_path_pop(&c->path);
    }
    return 0;
}

static int parse_weights(pctx *c, const mlops__json *w, mlops__node *n)
{
    int rc = want_type(c, w, MLOPS__JSON_OBJECT, "an object of weights");
    if (rc)
        return rc;
    size_t k = mlops__json_object_size(w);
    n->weights = mlops__calloc(k ? k : 1, sizeof *n->weights);
    if (!n->weights)
        return mlops__error_nomem();
    for (size_t i = 0; i < k; i++) {
        const char *key = mlops__json_object_key(w, i, NULL);
        mlops__json_path_push_key(&c->path, key);
        double d;
        if ((rc = get_nonneg(c, mlops__json_object_value(w, i), &d)))
            return rc;
        n->weights[i].name = mlops__strdup(key);
        if (!n->weights[i].name)
            return mlops__error_nomem();
        n->weights[i].weight = d;
        n->n_weights++;
        mlops__json_path_pop(&c->path);
    }
    return 0;
}

static int parse_aggregate(pctx *c, const mlops__json *v, uint32_t id)
{
    static const char *const keys[] = {"over", "each", "alpha", "correction", "any", "all",
                                       "count", "share", "weighted_share", "weights",
                                       "default_weight", "min_samples", NULL};
    int rc = mlops__json_check_keys(&c->path, v, keys);
    if (rc)
        return rc;
    mlops__node *n = &c->p->nodes[id];
    n->kind = MLOPS__NODE_AGG;
    n->min_samples = c->p->min_samples;
    n->default_weight = 1.0;
    n->agg = (uint32_t)c->p->n_aggs++;
    mlops__json_path_push_key(&c->path, "over");
    char *glob = NULL;
    if ((rc = dup_string(c, mlops__json_object_find(v, "over"), MLOPS__NAME_MAX, &glob)))
        return rc;
    n->glob = glob;
    mlops__json_path_pop(&c->path);

    const mlops__json *each = mlops__json_object_find(v, "each");
    const mlops__json *alpha = mlops__json_object_find(v, "alpha");
    const mlops__json *corr = mlops__json_object_find(v, "correction");
    if (each && (alpha || corr))
        return SERR(c, v, "give either \"each\" or \"alpha\" (with \"correction\"), not both");
    if (!each && !alpha)
        return SERR(c, v, "an aggregation needs \"each\" (a comparator) or \"alpha\"");
    if (corr && !alpha)
        return SERR(c, v, "\"correction\" needs \"alpha\"");
    if (each) {
        static const char *const ekeys[] = {"gt", "gte", "lt", "lte", "eq", "ne", "between",
                                            "outside", "abs_tol", "rel_tol", NULL};
        mlops__json_path_push_key(&c->path, "each");
        if ((rc = mlops__json_check_keys(&c->path, each, ekeys)))
            return rc;
        mlops__cmp e;
        if ((rc = parse_cmp(c, each, &e, "\"each\"")))
            return rc;
        c->p->nodes[id].each = e;
        c->p->nodes[id].has_each = 1;
        mlops__json_path_pop(&c->path);
    } else {
        mlops__json_path_push_key(&c->path, "alpha");
        double a;
        if ((rc = get_number(c, alpha, &a)))
            return rc;
        if (!(a > 0 && a < 1))
            return SERR(c, alpha, "alpha must be strictly between 0 and 1");
        c->p->nodes[id].alpha = a;
        mlops__json_path_pop(&c->path);
        if (corr) {
            mlops__json_path_push_key(&c->path, "correction");
            const char *s;
            if ((rc = get_string(c, corr, &s)))
                return rc;
            mlops__correction k;
            if (strcmp(s, "none") == 0)
                k = MLOPS__CORR_NONE;
            else if (strcmp(s, "bonferroni") == 0)
                k = MLOPS__CORR_BONFERRONI;
            else if (strcmp(s, "holm") == 0)
                k = MLOPS__CORR_HOLM;
            else if (strcmp(s, "bh") == 0)
                k = MLOPS__CORR_BH;
            else
                return SERR(c, corr,
                            "must be \"none\", \"bonferroni\", \"holm\" or \"bh\", found \"%s\"",
                            s);
            c->p->nodes[id].correction = k;
            mlops__json_path_pop(&c->path);
        }
    }
    n = &c->p->nodes[id];

    static const char *const hows[] = {"any", "all", "count", "share", "weighted_share"};
    int how = -1;
    for (int i = 0; i < 5; i++) {
        if (mlops__json_object_find(v, hows[i])) {
            if (how >= 0)
                return SERR(c, v, "has both \"%s\" and \"%s\": give exactly one reducer",
                            hows[how], hows[i]);
            how = i;
        }
    }
    if (how < 0)
        return SERR(c, v, "an aggregation needs one reducer: any, all, count, share or "
                          "weighted_share");
    n->how = (mlops__agg_how)how;
    const mlops__json *r = mlops__json_object_find(v, hows[how]);
    mlops__json_path_push_key(&c->path, hows[how]);
    if (how <= MLOPS__AGG_ALL) {
        if (mlops__json_type_of(r) != MLOPS__JSON_TRUE)
            return SERR(c, r, "expected true, found %s", type_word(r));
    } else {
        static const char *const rkeys[] = {"gt", "gte", "lt", "lte", "eq", "ne", "between",
                                            "outside", "abs_tol", "rel_tol", NULL};
        if ((rc = mlops__json_check_keys(&c->path, r, rkeys)))
            return rc;
        mlops__cmp red;
        if ((rc = parse_cmp(c, r, &red, "a reducer")))
            return rc;
        c->p->nodes[id].reduce = red;
    }
    mlops__json_path_pop(&c->path);
    n = &c->p->nodes[id];
    const mlops__json *w = mlops__json_object_find(v, "weights");
    const mlops__json *dw = mlops__json_object_find(v, "default_weight");
    if ((w || dw) && how != MLOPS__AGG_WSHARE) {
        mlops__json_path_push_key(&c->path, w ? "weights" : "default_weight");
        return SERR(c, w ? w : dw, "weights are only allowed with \"weighted_share\"");
    }
    if (w) {
        mlops__json_path_push_key(&c->path, "weights");
        if ((rc = parse_weights(c, w, n)))
            return rc;
        mlops__json_path_pop(&c->path);
    }
    if (dw) {
        mlops__json_path_push_key(&c->path, "default_weight");
        if ((rc = get_nonneg(c, dw, &n->default_weight)))
            return rc;
        mlops__json_path_pop(&c->path);
    }
    const mlops__json *ms = mlops__json_object_find(v, "min_samples");
    if (ms) {
        mlops__json_path_push_key(&c->path, "min_samples");
        if ((rc = get_int(c, ms, 0, INT64_MAX, &n->min_samples)))
            return rc;
        mlops__json_path_pop(&c->path);
    }
    return 0;
}

static int parse_condition(pctx *c, const mlops__json *v, uint32_t rule, size_t depth,
                           uint32_t *out)
{
    if (depth > MLOPS__POLICY_MAX_DEPTH)
        return mlops__error_at(MLOPS_E_LIMIT, (int64_t)mlops__json_offset(v), 0, 0,
                               c->path.text, "%s: conditions nested deeper than %d levels",
                               c->path.text, MLOPS__POLICY_MAX_DEPTH);
    int rc = want_type(c, v, MLOPS__JSON_OBJECT, "a condition object");
    if (rc)
        return rc;
    static const char *const forms[] = {"signal", "all_of", "any_of", "not", "at_least", "over"};
    int form = -1;
    for (int i = 0; i < 6; i++) {
        if (mlops__json_object_find(v, forms[i])) {
            if (form >= 0)
                return SERR(c, v, "a condition has both \"%s\" and \"%s\"", forms[form],
                            forms[i]);
            form = i;
        }
    }
    if (form < 0)
        return SERR(c, v, "a condition needs one of signal, all_of, any_of, not, at_least, "
                          "over");
    uint32_t id = 0;
    if ((rc = new_node(c, v, &id)))
        return rc;
    c->p->nodes[id].rule = rule;
    *out = id;
    switch (form) {
    case 0:
        return parse_comparison(c, v, id);
    case 5:
        return parse_aggregate(c, v, id);
    case 1:
    case 2: {
        const char *const k1[] = {forms[form], NULL};
        if ((rc = mlops__json_check_keys(&c->path, v, k1)))
            return rc;
        c->p->nodes[id].kind = form == 1 ? MLOPS__NODE_ALL : MLOPS__NODE_ANY;
        mlops__json_path_push_key(&c->path, forms[form]);
        rc = parse_list(c, mlops__json_object_find(v, forms[form]), id, rule, depth);
        if (rc)
            return rc;
        mlops__json_path_pop(&c->path);
        return 0;
    }
    case 3: {
        static const char *const k1[] = {"not", NULL};
        if ((rc = mlops__json_check_keys(&c->path, v, k1)))
            return rc;
        c->p->nodes[id].kind = MLOPS__NODE_NOT;
        uint32_t first, child;
        if ((rc = reserve_children(c, 1, &first)))
            return rc;
        c->p->nodes[id].first_child = first;
        c->p->nodes[id].n_children = 1;
        mlops__json_path_push_key(&c->path, "not");
        if ((rc = parse_condition(c, mlops__json_object_find(v, "not"), rule, depth + 1,
                                  &child)))
            return rc;
        c->p->children[first] = child;
        mlops__json_path_pop(&c->path);
        return 0;
    }
    default: {
        static const char *const k1[] = {"at_least", NULL};
        if ((rc = mlops__json_check_keys(&c->path, v, k1)))
            return rc;
        c->p->nodes[id].kind = MLOPS__NODE_AT_LEAST;
        const mlops__json *al = mlops__json_object_find(v, "at_least");
        mlops__json_path_push_key(&c->path, "at_least");
        static const char *const k2[] = {"k", "of", NULL};
        if ((rc = mlops__json_check_keys(&c->path, al, k2)))
            return rc;
        const mlops__json *kv = mlops__json_object_find(al, "k");
        const mlops__json *of = mlops__json_object_find(al, "of");
        if (!kv || !of)
            return SERR(c, al, "at_least needs \"k\" and \"of\"");
        mlops__json_path_push_key(&c->path, "k");
        int64_t k;
        if ((rc = get_int(c, kv, 1, 100000, &k)))
            return rc;
        mlops__json_path_pop(&c->path);
        c->p->nodes[id].k = (uint32_t)k;
        mlops__json_path_push_key(&c->path, "of");
        if ((rc = parse_list(c, of, id, rule, depth)))
            return rc;
        if ((size_t)k > c->p->nodes[id].n_children)
            return SERR(c, of, "k = %lld exceeds the %u conditions listed", (long long)k,
                        c->p->nodes[id].n_children);
        mlops__json_path_pop(&c->path);
        mlops__json_path_pop(&c->path);
        return 0;
    }
    }
}

/* ---- rules -------------------------------------------------------------- */

static int parse_rule(pctx *c, const mlops__json *v, uint32_t index)
{
    static const char *const keys[] = {"id", "description", "action", "when", "for",
                                       "consecutive", "m_of_n", "cooldown",
                                       "min_since_training", "budget", "dry_run",
                                       "on_unknown", NULL};
    int rc = mlops__json_check_keys(&c->path, v, keys);
    if (rc)
        return rc;
    mlops_policy *p = c->p;
    mlops__rule *r = &p->rules[index];
    r->on_unknown = p->on_unknown;
    const mlops__json *x;

    if (!(x = mlops__json_object_find(v, "id")))
        return SERR(c, v, "missing required key \"id\"");
    mlops__json_path_push_key(&c->path, "id");
    if ((rc = dup_string(c, x, 128, &r->id)))
        return rc;
    p->n_rules = index + 1;
    for (uint32_t i = 0; i < index; i++)
        if (strcmp(p->rules[i].id, r->id) == 0)
            return SERR(c, x, "duplicate rule id \"%s\" (also $.rules[%u])", r->id, i);
    mlops__json_path_pop(&c->path);

    if ((x = mlops__json_object_find(v, "description"))) {
        mlops__json_path_push_key(&c->path, "description");
        if ((rc = dup_string(c, x, 4096, &r->description)))
            return rc;
        mlops__json_path_pop(&c->path);
    }
    if (!(x = mlops__json_object_find(v, "action")))
        return SERR(c, v, "missing required key \"action\"");
    mlops__json_path_push_key(&c->path, "action");
    const char *as;
    if ((rc = get_string(c, x, &as)))
        return rc;
    r->action = mlops__policy_action_from_name(as);
    if (r->action <= 0)
        return SERR(c, x,
                    "unknown action \"%s\": expected warn, retrain, block_promotion or rollback",
                    as);
    mlops__json_path_pop(&c->path);

    if (!(x = mlops__json_object_find(v, "when")))
        return SERR(c, v, "missing required key \"when\"");
    r->first_latch = (uint32_t)p->n_latches;
    size_t first_node = p->n_nodes;
    mlops__json_path_push_key(&c->path, "when");
    if ((rc = parse_condition(c, x, index, 0, &r->root)))
        return rc;
    mlops__json_path_pop(&c->path);
    for (size_t i = first_node; i < p->n_nodes; i++)
        if (p->nodes[i].kind == MLOPS__NODE_CMP && p->nodes[i].has_exit)
            p->nodes[i].latch = (uint32_t)p->n_latches++;
    r->n_latches = (uint32_t)p->n_latches - r->first_latch;

    struct { const char *key; int64_t *dst; } durs[] = {
        {"for", &r->for_ms}, {"cooldown", &r->cooldown_ms},
        {"min_since_training", &r->min_since_training_ms}};
    for (size_t i = 0; i < 3; i++) {
        if ((x = mlops__json_object_find(v, durs[i].key))) {
            mlops__json_path_push_key(&c->path, durs[i].key);
            if ((rc = get_duration(c, x, durs[i].dst)))
                return rc;
            mlops__json_path_pop(&c->path);
        }
    }
    if ((x = mlops__json_object_find(v, "consecutive"))) {
        mlops__json_path_push_key(&c->path, "consecutive");
        int64_t n;
        if ((rc = get_int(c, x, 1, 1000000, &n)))
            return rc;
        r->consecutive = (uint32_t)n;
        mlops__json_path_pop(&c->path);
    }
    if ((x = mlops__json_object_find(v, "m_of_n"))) {
        mlops__json_path_push_key(&c->path, "m_of_n");
        if ((rc = want_type(c, x, MLOPS__JSON_ARRAY, "an array [m, n]")))
            return rc;
        if (mlops__json_array_size(x) != 2)
            return SERR(c, x, "expected an array of two integers [m, n]");
        int64_t m, n;
        mlops__json_path_push_index(&c->path, 1);
        if ((rc = get_int(c, mlops__json_array_get(x, 1), 1, MLOPS__POLICY_MAX_WINDOW, &n)))
            return rc;
        mlops__json_path_pop(&c->path);
        mlops__json_path_push_index(&c->path, 0);
        if ((rc = get_int(c, mlops__json_array_get(x, 0), 1, n, &m)))
            return rc;
        mlops__json_path_pop(&c->path);
        r->m = (uint32_t)m;
        r->n = (uint32_t)n;
        mlops__json_path_pop(&c->path);
    }
    if ((x = mlops__json_object_find(v, "budget"))) {
        mlops__json_path_push_key(&c->path, "budget");
        static const char *const bkeys[] = {"max", "period", NULL};
        if ((rc = mlops__json_check_keys(&c->path, x, bkeys)))
            return rc;
        const mlops__json *bm = mlops__json_object_find(x, "max");
        const mlops__json *bp = mlops__json_object_find(x, "period");
        if (!bm || !bp)
            return SERR(c, x, "a budget needs \"max\" and \"period\"");
        int64_t m;
        mlops__json_path_push_key(&c->path, "max");
        if ((rc = get_int(c, bm, 1, MLOPS__POLICY_MAX_BUDGET, &m)))
            return rc;
        mlops__json_path_pop(&c->path);
        r->budget_max = (uint32_t)m;
        mlops__json_path_push_key(&c->path, "period");
        if ((rc = get_duration(c, bp, &r->budget_period_ms)))
            return rc;
        if (r->budget_period_ms == 0)
            return SERR(c, bp, "the budget period must be longer than 0");
        mlops__json_path_pop(&c->path);
        mlops__json_path_pop(&c->path);
    }
    if ((x = mlops__json_object_find(v, "dry_run"))) {
        mlops__json_path_push_key(&c->path, "dry_run");
        if ((rc = get_bool(c, x, &r->dry_run)))
            return rc;
        mlops__json_path_pop(&c->path);
    }
    if ((x = mlops__json_object_find(v, "on_unknown"))) {
        mlops__json_path_push_key(&c->path, "on_unknown");
        if ((rc = get_on_unknown(c, x, &r->on_unknown)))
            return rc;
        mlops__json_path_pop(&c->path);
    }
    return 0;
}

/* ---- gate --------------------------------------------------------------- */

static const mlops__signal_decl *find_decl(const mlops_policy *p, const char *name)
{
    for (size_t i = 0; i < p->n_signals; i++)
        if (!p->signals[i].is_glob && strcmp(p->signals[i].name, name) == 0)
            return &p->signals[i];
    for (size_t i = 0; i < p->n_signals; i++)
        if (p->signals[i].is_glob && mlops__policy_glob_match(p->signals[i].name, name))
            return &p->signals[i];
    return NULL;
}

static int parse_gate_metric(pctx *c, const char *name, const mlops__json *v,
                             mlops__gate_metric *m)
{
    static const char *const keys[] = {"min", "max", "max_regression", "max_regression_rel",
                                       "non_inferiority_margin", "min_improvement",
                                       "guardrail", "min_samples", NULL};
    int rc = mlops__json_check_keys(&c->path, v, keys);
    if (rc)
        return rc;
    m->name = mlops__strdup(name);
    if (!m->name)
        return mlops__error_nomem();
    m->min_samples = c->p->gate.min_samples;
    struct { const char *key; int *has; double *dst; int nonneg; } nums[] = {
        {"min", &m->has_min, &m->min, 0},
        {"max", &m->has_max, &m->max, 0},
        {"max_regression", &m->has_reg, &m->max_regression, 1},
        {"max_regression_rel", &m->has_reg_rel, &m->max_regression_rel, 1},
        {"non_inferiority_margin", &m->has_ni, &m->ni_margin, 1},
        {"min_improvement", &m->has_improve, &m->min_improvement, 0}};
    for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++) {
        const mlops__json *x = mlops__json_object_find(v, nums[i].key);
        if (!x)
            continue;
        mlops__json_path_push_key(&c->path, nums[i].key);
        rc = nums[i].nonneg ? get_nonneg(c, x, nums[i].dst) : get_number(c, x, nums[i].dst);
        if (rc)
            return rc;
        *nums[i].has = 1;
        mlops__json_path_pop(&c->path);
    }
    const mlops__json *x;
    if ((x = mlops__json_object_find(v, "guardrail"))) {
        mlops__json_path_push_key(&c->path, "guardrail");
        if ((rc = get_bool(c, x, &m->guardrail)))
            return rc;
        mlops__json_path_pop(&c->path);
    }
    if ((x = mlops__json_object_find(v, "min_samples"))) {
        mlops__json_path_push_key(&c->path, "min_samples");
        if ((rc = get_int(c, x, 0, INT64_MAX, &m->min_samples)))
            return rc;
        mlops__json_path_pop(&c->path);
    }
    if (m->has_min && m->has_max && m->min > m->max)
        return SERR(c, v, "\"min\" is greater than \"max\"");
    if (m->guardrail && m->has_improve)
        return SERR(c, v, "a guardrail can only block: \"min_improvement\" is not allowed");
    if (m->has_reg || m->has_reg_rel || m->has_ni || m->has_improve) {
        const mlops__signal_decl *d = find_decl(c->p, name);
        if (!d || d->better == MLOPS__BETTER_NONE)
            return SERR(c, v,
                        "regression, non-inferiority and improvement checks need \"%s\" "
                        "declared in $.signals as a metric with \"better\"",
                        name);
        m->better = d->better;
    }
    if (!(m->has_min || m->has_max || m->has_reg || m->has_reg_rel || m->has_ni ||
          m->has_improve || m->min_samples > 0))
        return SERR(c, v, "a gate metric needs at least one check");
    return 0;
}

static int parse_gate(pctx *c, const mlops__json *v)
{
    static const char *const keys[] = {"min_samples", "metrics", NULL};
    int rc = mlops__json_check_keys(&c->path, v, keys);
    if (rc)
        return rc;
    mlops__gate *g = &c->p->gate;
    g->present = 1;
    const mlops__json *x;
    if ((x = mlops__json_object_find(v, "min_samples"))) {
        mlops__json_path_push_key(&c->path, "min_samples");
        if ((rc = get_int(c, x, 0, INT64_MAX, &g->min_samples)))
            return rc;
        mlops__json_path_pop(&c->path);
    }
    if (!(x = mlops__json_object_find(v, "metrics")))
        return SERR(c, v, "missing required key \"metrics\"");
    mlops__json_path_push_key(&c->path, "metrics");
    if ((rc = want_type(c, x, MLOPS__JSON_OBJECT, "an object of metric checks")))
        return rc;
    size_t n = mlops__json_object_size(x);
    if (n == 0)
        return SERR(c, x, "must name at least one metric");
    g->metrics = mlops__calloc(n, sizeof *g->metrics);
    if (!g->metrics)
        return mlops__error_nomem();
    for (size_t i = 0; i < n; i++) {
        const char *key = mlops__json_object_key(x, i, NULL);
        mlops__json_path_push_key(&c->path, key);
        g->n_metrics = i + 1;
        if ((rc = parse_gate_metric(c, key, mlops__json_object_value(x, i), &g->metrics[i])))
            return rc;
        mlops__json_path_pop(&c->path);
    }
    mlops__json_path_pop(&c->path);
    return 0;
}

/* ---- tests (validated here, run by policy_test.c) ------------------------ */

static int check_signal_values(pctx *c, const mlops__json *sig)
{
    int rc = want_type(c, sig, MLOPS__JSON_OBJECT, "an object of signal values");
    if (rc)
        return rc;
    for (size_t i = 0; i < mlops__json_object_size(sig); i++) {
        const mlops__json *val = mlops__json_object_value(sig, i);
        mlops__json_path_push_key(&c->path, mlops__json_object_key(sig, i, NULL));
        mlops__json_type t = mlops__json_type_of(val);
        if (t == MLOPS__JSON_OBJECT) {
            static const char *const vkeys[] = {"value", "samples", "ci", NULL};
            if ((rc = mlops__json_check_keys(&c->path, val, vkeys)))
                return rc;
            const mlops__json *vv = mlops__json_object_find(val, "value");
            if (!vv)
                return SERR(c, val, "missing required key \"value\"");
            double d;
            mlops__json_path_push_key(&c->path, "value");
            if (mlops__json_type_of(vv) != MLOPS__JSON_NULL && (rc = get_number(c, vv, &d)))
                return rc;
            mlops__json_path_pop(&c->path);
            const mlops__json *sv = mlops__json_object_find(val, "samples");
            if (sv) {
                int64_t s;
                mlops__json_path_push_key(&c->path, "samples");
                if ((rc = get_int(c, sv, 0, INT64_MAX, &s)))
                    return rc;
                mlops__json_path_pop(&c->path);
            }
            const mlops__json *ci = mlops__json_object_find(val, "ci");
            if (ci) {
                mlops__json_path_push_key(&c->path, "ci");
                if ((rc = want_type(c, ci, MLOPS__JSON_ARRAY, "an array [low, high]")))
                    return rc;
                if (mlops__json_array_size(ci) != 2)
                    return SERR(c, ci, "expected an array of two numbers [low, high]");
                for (size_t k = 0; k < 2; k++) {
                    mlops__json_path_push_index(&c->path, k);
                    if ((rc = get_number(c, mlops__json_array_get(ci, k), &d)))
                        return rc;
                    mlops__json_path_pop(&c->path);
                }
                mlops__json_path_pop(&c->path);
            }
        } else if (t != MLOPS__JSON_NULL) {
            double d;
            if ((rc = get_number(c, val, &d)))
                return rc;
        }
        mlops__json_path_pop(&c->path);
    }
    return 0;
}

static int check_expect_action(pctx *c, const mlops__json *x)
{
    const char *s;
    int rc = get_string(c, x, &s);
    if (rc)
        return rc;
    if (mlops__policy_action_from_name(s) < 0)
        return SERR(c, x,
                    "unknown action \"%s\": expected none, warn, retrain, block_promotion or "
                    "rollback",
                    s);
    return 0;
}

static int check_test(pctx *c, const mlops__json *t)
{
    static const char *const keys[] = {"name", "start", "last_training", "steps", "gate",
                                       "expect", NULL};
    int rc = mlops__json_check_keys(&c->path, t, keys);
    if (rc)
        return rc;
    const mlops__json *x;
    if (!(x = mlops__json_object_find(t, "name")))
        return SERR(c, t, "missing required key \"name\"");
    mlops__json_path_push_key(&c->path, "name");
    const char *s;
    if ((rc = get_string(c, x, &s)))
        return rc;
    mlops__json_path_pop(&c->path);
    const mlops__json *steps = mlops__json_object_find(t, "steps");
    const mlops__json *gate = mlops__json_object_find(t, "gate");
    if ((steps != NULL) == (gate != NULL))
        return SERR(c, t, "a test needs exactly one of \"steps\" and \"gate\"");
    if ((x = mlops__json_object_find(t, "start"))) {
        mlops__json_path_push_key(&c->path, "start");
        if ((rc = get_string(c, x, &s)))
            return rc;
        int64_t sec;
        if (mlops_timestamp_parse(&sec, NULL, s) != 0)
            return SERR(c, x, "expected an RFC 3339 UTC time such as \"2026-01-01T00:00:00Z\"");
        mlops__json_path_pop(&c->path);
    }
    if ((x = mlops__json_object_find(t, "last_training"))) {
        int64_t d;
        mlops__json_path_push_key(&c->path, "last_training");
        if ((rc = get_duration(c, x, &d)))
            return rc;
        mlops__json_path_pop(&c->path);
    }
    if (gate) {
        if (!c->p->gate.present) {
            mlops__json_path_push_key(&c->path, "gate");
            return SERR(c, gate, "a gate test needs a \"gate\" in the policy");
        }
        x = mlops__json_object_find(t, "expect");
        if (!x)
            return SERR(c, t, "missing required key \"expect\"");
        mlops__json_path_push_key(&c->path, "expect");
        if ((rc = check_expect_action(c, x)))
            return rc;
        mlops__json_path_pop(&c->path);
        mlops__json_path_push_key(&c->path, "gate");
        static const char *const gkeys[] = {"candidate", "champion", NULL};
        if ((rc = mlops__json_check_keys(&c->path, gate, gkeys)))
            return rc;
        if (!mlops__json_object_find(gate, "candidate"))
            return SERR(c, gate, "missing required key \"candidate\"");
        for (size_t i = 0; i < 2; i++) {
            const char *k = i ? "champion" : "candidate";
            if ((x = mlops__json_object_find(gate, k))) {
                mlops__json_path_push_key(&c->path, k);
                if ((rc = check_signal_values(c, x)))
                    return rc;
                mlops__json_path_pop(&c->path);
            }
        }
        mlops__json_path_pop(&c->path);
        return 0;
    }
    if (mlops__json_object_find(t, "expect"))
        return SERR(c, t, "a steps test puts \"expect\" in each step");
    mlops__json_path_push_key(&c->path, "steps");
    if ((rc = want_type(c, steps, MLOPS__JSON_ARRAY, "an array of steps")))
        return rc;
    if (mlops__json_array_size(steps) == 0)
        return SERR(c, steps, "must hold at least one step");
    int64_t prev = -1;
    for (size_t i = 0; i < mlops__json_array_size(steps); i++) {
        const mlops__json *st = mlops__json_array_get(steps, i);
        mlops__json_path_push_index(&c->path, i);
        static const char *const skeys[] = {"at", "signals", "expect", "expect_rule", NULL};
        if ((rc = mlops__json_check_keys(&c->path, st, skeys)))
            return rc;
        if (!(x = mlops__json_object_find(st, "at")))
            return SERR(c, st, "missing required key \"at\"");
        mlops__json_path_push_key(&c->path, "at");
        int64_t at;
        if ((rc = get_duration(c, x, &at)))
            return rc;
        if (at < prev)
            return SERR(c, x, "steps must not go back in time");
        prev = at;
        mlops__json_path_pop(&c->path);
        if ((x = mlops__json_object_find(st, "signals"))) {
            mlops__json_path_push_key(&c->path, "signals");
            if ((rc = check_signal_values(c, x)))
                return rc;
            mlops__json_path_pop(&c->path);
        }
        if ((x = mlops__json_object_find(st, "expect"))) {
            mlops__json_path_push_key(&c->path, "expect");
            if ((rc = check_expect_action(c, x)))
                return rc;
            mlops__json_path_pop(&c->path);
        }
        if ((x = mlops__json_object_find(st, "expect_rule"))) {
            mlops__json_path_push_key(&c->path, "expect_rule");
            if (mlops__json_type_of(x) != MLOPS__JSON_NULL) {
                if ((rc = get_string(c, x, &s)))
                    return rc;
                int known = 0;
                for (size_t r = 0; r < c->p->n_rules; r++)
                    known |= strcmp(c->p->rules[r].id, s) == 0;
                if (!known)
                    return SERR(c, x, "no rule has id \"%s\"", s);
            }
            mlops__json_path_pop(&c->path);
        }
        mlops__json_path_pop(&c->path);
    }
    mlops__json_path_pop(&c->path);
    return 0;
}

/* ---- top level ---------------------------------------------------------- */

static int parse_defaults(pctx *c, const mlops__json *v)
{
    static const char *const keys[] = {"min_samples", "evaluation_interval", "abs_tol",
                                       "rel_tol", "on_unknown", NULL};
    int rc = mlops__json_check_keys(&c->path, v, keys);
    if (rc)
        return rc;
    mlops_policy *p = c->p;
    const mlops__json *x;
    if ((x = mlops__json_object_find(v, "min_samples"))) {
        mlops__json_path_push_key(&c->path, "min_samples");
        if ((rc = get_int(c, x, 0, INT64_MAX, &p->min_samples)))
            return rc;
        mlops__json_path_pop(&c->path);
    }
    if ((x = mlops__json_object_find(v, "evaluation_interval"))) {
        mlops__json_path_push_key(&c->path, "evaluation_interval");
        if ((rc = get_duration(c, x, &p->evaluation_interval_ms)))
            return rc;
        mlops__json_path_pop(&c->path);
    }
    if ((x = mlops__json_object_find(v, "abs_tol"))) {
        mlops__json_path_push_key(&c->path, "abs_tol");
        if ((rc = get_nonneg(c, x, &p->abs_tol)))
            return rc;
        mlops__json_path_pop(&c->path);
    }
    if ((x = mlops__json_object_find(v, "rel_tol"))) {
        mlops__json_path_push_key(&c->path, "rel_tol");
        if ((rc = get_nonneg(c, x, &p->rel_tol)))
            return rc;
        mlops__json_path_pop(&c->path);
    }
    if ((x = mlops__json_object_find(v, "on_unknown"))) {
        mlops__json_path_push_key(&c->path, "on_unknown");
        if ((rc = get_on_unknown(c, x, &p->on_unknown)))
            return rc;
        mlops__json_path_pop(&c->path);
    }
    return 0;
}

static int compute_digest(mlops_policy *p, const mlops__json *root)
{
    mlops_buf canon = MLOPS_BUF_INIT;
    int rc = mlops__json_write_canonical(&canon, root);
    if (rc == 0) {
        uint8_t d[MLOPS_SHA256_SIZE];
        rc = mlops_digest_buffer(d, canon.data ? canon.data : "", canon.size);
        if (rc == 0)
            rc = mlops_digest_format(p->digest, d);
    }
    mlops_buf_dispose(&canon);
    return rc;
}

static int parse_root(pctx *c, const mlops__json *root)
{
    static const char *const keys[] = {"schema", "policy_id", "revision", "description",
                                       "defaults", "signals", "rules", "gate", "tests", NULL};
    int rc = mlops__json_check_keys(&c->path, root, keys);
    if (rc)
        return rc;
    mlops_policy *p = c->p;
    const mlops__json *x;
    if (!(x = mlops__json_object_find(root, "schema")))
        return SERR(c, root, "missing required key \"schema\"");
    mlops__json_path_push_key(&c->path, "schema");
    const char *s;
    if ((rc = get_string(c, x, &s)))
        return rc;
    if (strcmp(s, MLOPS__POLICY_SCHEMA) != 0)
        return mlops__error_at(MLOPS_E_VERSION, (int64_t)mlops__json_offset(x), 0, 0,
                               c->path.text, "%s: unsupported policy schema \"%s\" (expected \"%s\")",
                               c->path.text, s, MLOPS__POLICY_SCHEMA);
    mlops__json_path_pop(&c->path);

    if (!(x = mlops__json_object_find(root, "policy_id")))
        return SERR(c, root, "missing required key \"policy_id\"");
    mlops__json_path_push_key(&c->path, "policy_id");
    if ((rc = dup_string(c, x, 128, &p->policy_id)))
        return rc;
    mlops__json_path_pop(&c->path);

    if (!(x = mlops__json_object_find(root, "revision")))
        return SERR(c, root, "missing required key \"revision\"");
    mlops__json_path_push_key(&c->path, "revision");
    if ((rc = get_int(c, x, 0, INT64_MAX, &p->revision)))
        return rc;
    mlops__json_path_pop(&c->path);

    if ((x = mlops__json_object_find(root, "description"))) {
        mlops__json_path_push_key(&c->path, "description");
        if ((rc = get_string(c, x, &s)))
            return rc;
        mlops__json_path_pop(&c->path);
    }
    if ((x = mlops__json_object_find(root, "defaults"))) {
        mlops__json_path_push_key(&c->path, "defaults");
        if ((rc = parse_defaults(c, x)))
            return rc;
        mlops__json_path_pop(&c->path);
    }
    if (!(x = mlops__json_object_find(root, "signals")))
        return SERR(c, root, "missing required key \"signals\"");
    mlops__json_path_push_key(&c->path, "signals");
    if ((rc = parse_signals(c, x)))
        return rc;
    mlops__json_path_pop(&c->path);

    if ((x = mlops__json_object_find(root, "gate"))) {
        mlops__json_path_push_key(&c->path, "gate");
        if ((rc = parse_gate(c, x)))
            return rc;
        mlops__json_path_pop(&c->path);
    }

    if (!(x = mlops__json_object_find(root, "rules")))
        return SERR(c, root, "missing required key \"rules\"");
    mlops__json_path_push_key(&c->path, "rules");
    if ((rc = want_type(c, x, MLOPS__JSON_ARRAY, "an array of rules")))
        return rc;
    size_t n = mlops__json_array_size(x);
    if (n > MLOPS__POLICY_MAX_RULES)
        return mlops__error_at(MLOPS_E_LIMIT, (int64_t)mlops__json_offset(x), 0, 0,
                               c->path.text, "%s: more than %d rules", c->path.text,
                               MLOPS__POLICY_MAX_RULES);
    if (n == 0 && !p->gate.present)
        return SERR(c, x, "a policy needs at least one rule or a gate");
    p->rules = mlops__calloc(n ? n : 1, sizeof *p->rules);
    if (!p->rules)
        return mlops__error_nomem();
    for (size_t i = 0; i < n; i++) {
        mlops__json_path_push_index(&c->path, i);
        if ((rc = parse_rule(c, mlops__json_array_get(x, i), (uint32_t)i)))
            return rc;
        mlops__json_path_pop(&c->path);
    }
    mlops__json_path_pop(&c->path);

    if ((x = mlops__json_object_find(root, "tests"))) {
        mlops__json_path_push_key(&c->path, "tests");
        if ((rc = want_type(c, x, MLOPS__JSON_ARRAY, "an array of tests")))
            return rc;
        for (size_t i = 0; i < mlops__json_array_size(x); i++) {
            mlops__json_path_push_index(&c->path, i);
            if ((rc = check_test(c, mlops__json_array_get(x, i))))
                return rc;
            mlops__json_path_pop(&c->path);
        }
        p->tests = x;
        p->n_tests = mlops__json_array_size(x);
        mlops__json_path_pop(&c->path);
    }
    return compute_digest(p, root);
}

/* The read-only views of policy.h, built once the policy is complete (they
 * point into it and never change). */
static void fill_info(mlops_policy *p)
{
    p->info.version = MLOPS_POLICY_INFO_VERSION;
    p->info.size = (uint32_t)sizeof p->info;
    p->info.id = p->policy_id;
    p->info.revision = p->revision;
    p->info.digest = p->digest;
    p->info.rule_count = p->n_rules;
    p->info.test_count = p->n_tests;
    for (size_t i = 0; i < p->n_rules; i++) {
        mlops__rule *r = &p->rules[i];
        r->info.version = MLOPS_POLICY_RULE_INFO_VERSION;
        r->info.size = (uint32_t)sizeof r->info;
        r->info.id = r->id;
        r->info.action = r->action;
        r->info.description = r->description;
        r->info.dry_run = r->dry_run != 0;
    }
}

int mlops_policy_parse(mlops_policy **out, const char *data, size_t len, const char *source,
                       uint32_t flags)
{
    MLOPS__CHECK_ARG(out);
    MLOPS__CHECK_ARG(data);
    MLOPS__CHECK_FLAGS(flags, 0);
    if (len > MLOPS__POLICY_MAX_BYTES)
        return mlops__error_at(MLOPS_E_LIMIT, -1, 0, 0, source,
                               "%s%spolicy is %zu bytes, more than the limit of %zu",
                               source ? source : "", source ? ": " : "", len,
                               MLOPS__POLICY_MAX_BYTES);
    mlops_policy *p = mlops__calloc(1, sizeof *p);
    if (!p)
        return mlops__error_nomem();
    mlops__json_limits lim = {MLOPS__POLICY_MAX_DEPTH + 8, MLOPS__POLICY_MAX_BYTES};
    int rc = mlops__json_parse(&p->doc, data, len, &lim, source);
    if (rc == 0) {
        pctx c;
        memset(&c, 0, sizeof c);
        c.p = p;
        mlops__json_path_init(&c.path);
        const mlops__json *root = mlops__json_root(p->doc);
        if (mlops__json_type_of(root) != MLOPS__JSON_OBJECT)
            rc = SERR(&c, root, "a policy is a JSON object, found %s", type_word(root));
        else
            rc = parse_root(&c, root);
        if (rc && source && mlops_error_last_code() != MLOPS_E_NOMEM)
            mlops__error_prefix("%s", source);
    }
    if (rc) {
        mlops_policy_free(p);
        return rc;
    }
    fill_info(p);
    *out = p;
    return 0;
}

void mlops_policy_free(mlops_policy *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->n_signals; i++)
        mlops__free(p->signals[i].name);
    mlops__free(p->signals);
    for (size_t i = 0; i < p->n_nodes; i++) {
        mlops__free(p->nodes[i].signal);
        mlops__free(p->nodes[i].glob);
        for (size_t k = 0; k < p->nodes[i].n_weights; k++)
            mlops__free(p->nodes[i].weights[k].name);
        mlops__free(p->nodes[i].weights);
    }
    mlops__free(p->nodes);
    mlops__free(p->children);
    for (size_t i = 0; i < p->n_rules; i++) {
        mlops__free(p->rules[i].id);
        mlops__free(p->rules[i].description);
    }
    mlops__free(p->rules);
    for (size_t i = 0; i < p->gate.n_metrics; i++)
        mlops__free(p->gate.metrics[i].name);
    mlops__free(p->gate.metrics);
    mlops__free(p->policy_id);
    mlops__json_doc_free(p->doc);
    mlops__free(p);
}

const char *mlops_policy_id(const mlops_policy *p) { return p ? p->policy_id : NULL; }
int64_t mlops_policy_revision(const mlops_policy *p) { return p ? p->revision : -1; }
const char *mlops_policy_digest(const mlops_policy *p) { return p ? p->digest : NULL; }
size_t mlops_policy_rule_count(const mlops_policy *p) { return p ? p->n_rules : 0; }
size_t mlops_policy_test_count(const mlops_policy *p) { return p ? p->n_tests : 0; }

const char *mlops_policy_rule_id(const mlops_policy *p, size_t i)
{
    return p && i < p->n_rules ? p->rules[i].id : NULL;
}

const struct mlops_policy_info *mlops_policy_info(const mlops_policy *p)
{
    return p ? &p->info : NULL;
}

const mlops_policy_rule_info *mlops_policy_rule(const mlops_policy *p, size_t i)
{
    return p && i < p->n_rules ? &p->rules[i].info : NULL;
}
