/*
 * JSON paths for schema errors ("$.predicate.files[3].path").
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/error.h"
#include "core/json_impl.h"

#define PATH_MARKS (sizeof(((mlops__json_path *)0)->marks) / sizeof(size_t))
#define PATH_ROOM (sizeof(((mlops__json_path *)0)->text) - 4) /* keep room for "..." */

void mlops__json_path_init(mlops__json_path *p)
{
    if (!p)
        return;
    memcpy(p->text, "$", 2);
    p->len = 1;
    p->depth = 0;
}

/* Append n bytes, or "..." (once) when they no longer fit. */
static void path_append(mlops__json_path *p, const char *s, size_t n)
{
    if (p->len + n > PATH_ROOM) {
        if (!(p->len >= 3 && memcmp(p->text + p->len - 3, "...", 3) == 0)) {
            memcpy(p->text + p->len, "...", 4);
            p->len += 3;
        }
        return;
    }
    memcpy(p->text + p->len, s, n);
    p->len += n;
    p->text[p->len] = '\0';
}

static void mark(mlops__json_path *p)
{
    if (p->depth < PATH_MARKS)
        p->marks[p->depth] = p->len;
    p->depth++;
}

static int is_identifier(const char *k)
{
    if (!((*k >= 'a' && *k <= 'z') || (*k >= 'A' && *k <= 'Z') || *k == '_'))
        return 0;
    for (k++; *k; k++)
        if (!((*k >= 'a' && *k <= 'z') || (*k >= 'A' && *k <= 'Z') || *k == '_' ||
              (*k >= '0' && *k <= '9')))
            return 0;
    return 1;
}

void mlops__json_path_push_key(mlops__json_path *p, const char *key)
{
    if (!p)
        return;
    mark(p);
    if (!key)
        key = "";
    if (is_identifier(key)) {
        char t[PATH_ROOM + 2];
        int n = snprintf(t, sizeof t, ".%s", key);
        path_append(p, t, (size_t)n < sizeof t ? (size_t)n : sizeof t);
        return;
    }
    /* ["key"] with '"' and '\' escaped and control bytes as \u00XX */
    char t[PATH_ROOM + 8];
    size_t n = 0;
    t[n++] = '[';
    t[n++] = '"';
    for (const char *k = key; *k && n < PATH_ROOM; k++) {
        unsigned char c = (unsigned char)*k;
        if (c == '"' || c == '\\') {
            t[n++] = '\\';
            t[n++] = (char)c;
        } else if (c < 0x20) {
            n += (size_t)snprintf(t + n, 7, "\\u%04x", c);
        } else {
            t[n++] = (char)c;
        }
    }
    t[n++] = '"';
    t[n++] = ']';
    path_append(p, t, n);
}

void mlops__json_path_push_index(mlops__json_path *p, size_t index)
{
    if (!p)
        return;
    mark(p);
    char t[32];
    int n = snprintf(t, sizeof t, "[%zu]", index);
    path_append(p, t, (size_t)n);
}

void mlops__json_path_pop(mlops__json_path *p)
{
    if (!p || p->depth == 0)
        return;
    p->depth--;
    if (p->depth < PATH_MARKS) {
        p->len = p->marks[p->depth];
        p->text[p->len] = '\0';
    }
}

static const char *type_name(const mlops__json *v)
{
    static const char *const names[] = { "null",   "boolean", "boolean", "number",
                                         "string", "array",   "object" };
    return v ? names[json_type(v)] : "nothing";
}

int mlops__json_schema_error(const mlops__json_path *p, const mlops__json *v, const char *fmt,
                             ...)
{
    char detail[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    const char *path = p ? p->text : "$";
    int64_t offset = v ? (int64_t)v->offset : -1;
    return mlops__error_at(MLOPS_E_SCHEMA, offset, 0, 0, path, "%s: %s", path, detail);
}

int mlops__json_check_keys(const mlops__json_path *p, const mlops__json *v,
                           const char *const *allowed)
{
    if (!v || json_type(v) != MLOPS__JSON_OBJECT)
        return mlops__json_schema_error(p, v, "expected an object, found %s %s",
                                        v && json_type(v) == MLOPS__JSON_ARRAY ? "an" : "a",
                                        type_name(v));
    size_t n = mlops__json_object_size(v);
    for (size_t i = 0; i < n; i++) {
        size_t klen;
        const char *k = mlops__json_object_key(v, i, &klen);
        int ok = 0;
        for (const char *const *a = allowed; a && *a && !ok; a++)
            ok = strlen(*a) == klen && memcmp(*a, k, klen) == 0;
        if (!ok) {
            mlops__json_path q;
            if (p)
                q = *p;
            else
                mlops__json_path_init(&q);
            mlops__json_path_push_key(&q, k);
            /* point at the key itself */
            const mlops__json *key = (v->bits & JSON_F_BUILT) ? &v->u.built->members[i].key
                                                               : &v->u.nodes[2 * i];
            return mlops__json_schema_error(&q, key, "unknown key \"%s\"", k);
        }
    }
    return 0;
}
