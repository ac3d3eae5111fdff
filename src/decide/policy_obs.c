/*
 * Observations: signal name → value and sample count, bound to one policy.
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * Names are resolved when first set, not when deciding: each comparison node
 * learns its slot and each aggregation keeps its member slots sorted by name,
 * so mlops_policy_decide() neither hashes nor matches globs nor allocates.
 */
#include <math.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "decide/policy_internal.h"

static uint32_t name_hash(const char *s)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (; *s; s++) {
        h ^= (uint8_t)*s;
        h *= 16777619u;
    }
    return h;
}

int mlops_policy_obs_new(mlops_policy_obs **out, const mlops_policy *policy)
{
    MLOPS__CHECK_ARG(out);
    MLOPS__CHECK_ARG(policy);
    mlops_policy_obs *o = mlops__calloc(1, sizeof *o);
    if (!o)
        return mlops__error_nomem();
    o->policy = policy;
    o->table_cap = 64;
    o->table = mlops__calloc(o->table_cap, sizeof *o->table);
    o->node_slot = mlops__calloc(policy->n_nodes ? policy->n_nodes : 1, sizeof *o->node_slot);
    o->members = mlops__calloc(policy->n_aggs ? policy->n_aggs : 1, sizeof *o->members);
    if (!o->table || !o->node_slot || !o->members) {
        mlops_policy_obs_free(o);
        return mlops__error_nomem();
    }
    *out = o;
    return 0;
}

void mlops_policy_obs_free(mlops_policy_obs *o)
{
    if (!o)
        return;
    for (size_t i = 0; i < o->n_slots; i++)
        mlops__free(o->slots[i].name);
    mlops__free(o->slots);
    mlops__free(o->table);
    mlops__free(o->node_slot);
    if (o->members)
        for (size_t i = 0; i < o->policy->n_aggs; i++)
        {
            mlops__free(o->members[i].slots);
            mlops__free(o->members[i].weights);
        }
    mlops__free(o->members);
    mlops__free(o->scratch_p);
    mlops__free(o->scratch_idx);
    mlops__free(o->scratch_live);
    mlops__free(o);
}

void mlops_policy_obs_clear(mlops_policy_obs *o)
{
    if (!o)
        return;
    for (size_t i = 0; i < o->n_slots; i++)
        o->slots[i].present = 0;
}

static size_t find_slot(const mlops_policy_obs *o, const char *name, uint32_t h, int *found)
{
    size_t mask = o->table_cap - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        uint32_t e = o->table[i];
        if (e == 0) {
            *found = 0;
            return i;
        }
        const mlops__slot *s = &o->slots[e - 1];
        if (s->hash == h && strcmp(s->name, name) == 0) {
            *found = 1;
            return i;
        }
    }
}

/* Grow every structure a new name needs before changing any of them, so a
 * failed allocation leaves the set as it was. */
static int reserve_for_new(mlops_policy_obs *o, const char *name)
{
    const mlops_policy *p = o->policy;
    if (o->n_slots + 1 > o->cap_slots) {
        size_t cap = o->cap_slots ? o->cap_slots * 2 : 16;
        mlops__slot *s = mlops__reallocarray(o->slots, cap, sizeof *s);
        if (!s)
            return mlops__error_nomem();
        o->slots = s;
        o->cap_slots = cap;
    }
    if ((o->n_slots + 1) * 2 > o->table_cap) {
        size_t cap = o->table_cap * 2;
        uint32_t *t = mlops__calloc(cap, sizeof *t);
        if (!t)
            return mlops__error_nomem();
        for (size_t i = 0; i < o->n_slots; i++) {
            size_t j = o->slots[i].hash & (cap - 1);
            while (t[j])
                j = (j + 1) & (cap - 1);
            t[j] = (uint32_t)i + 1;
        }
        mlops__free(o->table);
        o->table = t;
        o->table_cap = cap;
    }
    size_t biggest = 0;
    for (size_t a = 0, k = 0; k < p->n_nodes; k++) {
        const mlops__node *n = &p->nodes[k];
        if (n->kind != MLOPS__NODE_AGG)
            continue;
        a = n->agg;
        mlops__members *m = &o->members[a];
        if (mlops__policy_glob_match(n->glob, name) && m->n + 1 > m->cap) {
            size_t cap = m->cap ? m->cap * 2 : 16;
            uint32_t *s = mlops__reallocarray(m->slots, cap, sizeof *s);
            if (!s)
                return mlops__error_nomem();
            m->slots = s;
            double *w = mlops__reallocarray(m->weights, cap, sizeof *w);
            if (!w)
                return mlops__error_nomem();
            m->weights = w;
            m->cap = cap;
        }
        if (m->n + 1 > biggest)
            biggest = m->n + 1;
    }
    if (biggest > o->scratch_cap) {
        size_t cap = o->scratch_cap ? o->scratch_cap : 16;
        while (cap < biggest)
            cap *= 2;
        double *sp = mlops__reallocarray(o->scratch_p, cap, sizeof *sp);
        if (!sp)
            return mlops__error_nomem();
        o->scratch_p = sp;
        uint32_t *si = mlops__reallocarray(o->scratch_idx, cap + 2, sizeof *si);
        if (!si)
            return mlops__error_nomem();
        o->scratch_idx = si;
        uint32_t *sl = mlops__reallocarray(o->scratch_live, cap, sizeof *sl);
        if (!sl)
            return mlops__error_nomem();
        o->scratch_live = sl;
        o->scratch_cap = cap;
    }
    return 0;
}

static double weight_of(const mlops__node *n, const char *name)
{
    for (size_t i = 0; i < n->n_weights; i++)
        if (strcmp(n->weights[i].name, name) == 0)
            return n->weights[i].weight;
    return n->default_weight;
}

static void insert_member(mlops_policy_obs *o, const mlops__node *node, mlops__members *m,
                          uint32_t slot)
{
    const char *name = o->slots[slot].name;
    size_t lo = 0, hi = m->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (strcmp(o->slots[m->slots[mid]].name, name) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    memmove(m->slots + lo + 1, m->slots + lo, (m->n - lo) * sizeof *m->slots);
    memmove(m->weights + lo + 1, m->weights + lo, (m->n - lo) * sizeof *m->weights);
    m->slots[lo] = slot;
    m->weights[lo] = weight_of(node, name);
    m->n++;
}

/* Strict UTF-8 (no overlong forms, surrogates or code points above U+10FFFF):
 * names end up in JSON traces. */
static int valid_utf8(const unsigned char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        unsigned c = s[i];
        size_t n;
        unsigned lo = 0x80, hi = 0xBF;
        if (c < 0x80) {
            i++;
            continue;
        } else if (c >= 0xC2 && c <= 0xDF) {
            n = 1;
        } else if (c >= 0xE0 && c <= 0xEF) {
            n = 2;
            if (c == 0xE0) lo = 0xA0;
            if (c == 0xED) hi = 0x9F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            n = 3;
            if (c == 0xF0) lo = 0x90;
            if (c == 0xF4) hi = 0x8F;
        } else {
            return 0;
        }
        if (len - i <= n)
            return 0;
        if (s[i + 1] < lo || s[i + 1] > hi)
            return 0;
        for (size_t k = 2; k <= n; k++)
            if ((s[i + k] & 0xC0) != 0x80)
                return 0;
        i += n + 1;
    }
    return 1;
}

/* The slot of `name`, created (not present) when new. */
static int ensure_slot(mlops_policy_obs *o, const char *name, uint32_t *out)
{
    size_t len = strlen(name);
    if (len == 0 || len > MLOPS__NAME_MAX)
        return mlops__error(MLOPS_E_INVALID, "signal name must be 1 to %d bytes long, found %zu",
                            MLOPS__NAME_MAX, len);
    uint32_t h = name_hash(name);
    int found;
    size_t pos = find_slot(o, name, h, &found);
    if (found) {
        *out = o->table[pos] - 1;
        return 0;
    }
    if (!valid_utf8((const unsigned char *)name, len))
        return mlops__error(MLOPS_E_INVALID, "signal name is not valid UTF-8");
    if (o->n_slots >= MLOPS__OBS_MAX_NAMES)
        return mlops__error(MLOPS_E_LIMIT, "more than %d distinct signal names",
                            MLOPS__OBS_MAX_NAMES);
    char *copy = mlops__strndup(name, len);
    if (!copy)
        return mlops__error_nomem();
    int rc = reserve_for_new(o, name);
    if (rc) {
        mlops__free(copy);
        return rc;
    }
    pos = find_slot(o, name, h, &found); /* the table may have grown */
    uint32_t idx = (uint32_t)o->n_slots++;
    mlops__slot *s = &o->slots[idx];
    s->name = copy;
    s->hash = h;
    s->present = 0;
    s->value = 0;
    s->samples = -1;
    o->table[pos] = idx + 1;
    const mlops_policy *p = o->policy;
    for (size_t k = 0; k < p->n_nodes; k++) {
        const mlops__node *n = &p->nodes[k];
        if (n->kind == MLOPS__NODE_CMP && strcmp(n->signal, name) == 0)
            o->node_slot[k] = idx + 1;
        else if (n->kind == MLOPS__NODE_AGG && mlops__policy_glob_match(n->glob, name))
            insert_member(o, n, &o->members[n->agg], idx);
    }
    *out = idx;
    return 0;
}

static void put_value(mlops__slot *s, double value, int64_t samples)
{
    s->present = 1;
    s->value = value;
    s->samples = samples < 0 ? -1 : samples;
}

int mlops_policy_obs_set(mlops_policy_obs *o, const char *name, double value, int64_t samples)
{
    MLOPS__CHECK_ARG(o);
    MLOPS__CHECK_ARG(name);
    uint32_t idx;
    int rc = ensure_slot(o, name, &idx);
    if (rc)
        return rc;
    put_value(&o->slots[idx], value, samples);
    return 0;
}

int mlops_policy_obs_set_many(mlops_policy_obs *o, const char *const *names,
                              const double *values, const int64_t *samples, size_t n)
{
    MLOPS__CHECK_ARG(o);
    if (n == 0)
        return 0;
    MLOPS__CHECK_ARG(names);
    MLOPS__CHECK_ARG(values);
    for (size_t i = 0; i < n; i++)
        if (!names[i])
            return mlops__error(MLOPS_E_INVALID, "mlops_policy_obs_set_many: names[%zu] is NULL",
                                i);
    /* Phase 1 creates every slot (new ones not present), phase 2 sets values:
     * a failure in phase 1 leaves every value as it was. */
    for (size_t i = 0; i < n; i++) {
        uint32_t idx;
        int rc = ensure_slot(o, names[i], &idx);
        if (rc)
            return mlops__error_prefix("mlops_policy_obs_set_many: names[%zu]", i);
    }
    for (size_t i = 0; i < n; i++) {
        uint32_t idx;
        ensure_slot(o, names[i], &idx); /* found: no allocation, cannot fail */
        put_value(&o->slots[idx], values[i], samples ? samples[i] : -1);
    }
    return 0;
}

int mlops__policy_obs_set_json(mlops_policy_obs *obs, const char *name, const mlops__json *v,
                               mlops__json_path *path)
{
    mlops__json_type t = mlops__json_type_of(v);
    double value;
    int64_t samples = -1;
    if (t == MLOPS__JSON_NULL)
        return 0; /* null: not observed */
    if (t == MLOPS__JSON_NUMBER) {
        value = mlops__json_double(v);
    } else if (t == MLOPS__JSON_OBJECT) {
        static const char *const keys[] = {"value", "samples", "ci", NULL};
        int rc = mlops__json_check_keys(path, v, keys);
        if (rc)
            return rc;
        const mlops__json *x = mlops__json_object_find(v, "value");
        if (!x)
            return mlops__json_schema_error(path, v, "missing required key \"value\"");
        if (mlops__json_type_of(x) == MLOPS__JSON_NULL)
            return 0;
        if (mlops__json_type_of(x) != MLOPS__JSON_NUMBER)
            return mlops__json_schema_error(path, x, "\"value\" must be a number or null");
        value = mlops__json_double(x);
        const mlops__json *sv = mlops__json_object_find(v, "samples");
        if (sv) {
            if (mlops__json_type_of(sv) != MLOPS__JSON_NUMBER || !mlops__json_is_integer(sv) ||
                mlops__json_int(sv) < 0)
                return mlops__json_schema_error(path, sv,
                                                "\"samples\" must be a non-negative integer");
            samples = mlops__json_int(sv);
        }
    } else {
        return mlops__json_schema_error(path, v,
                                        "a signal value must be a number, null or an object");
    }
    int rc = mlops_policy_obs_set(obs, name, value, samples);
    if (rc == MLOPS_E_INVALID || rc == MLOPS_E_LIMIT)
        return mlops__json_schema_error(path, v, "%s", mlops_error_last());
    return rc;
}
