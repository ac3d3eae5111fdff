/*
 * JSON documents: the arena, the accessors and the builder.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/json_impl.h"

/* ---- arena ------------------------------------------------------------ */

#define CHUNK_MIN ((size_t)4096)
#define CHUNK_MAX ((size_t)1 << 20)
#define ALIGN16(n) (((n) + 15) & ~(size_t)15)

void *mlops__json_arena_alloc(mlops__json_doc *doc, size_t size)
{
    if (size > SIZE_MAX - 64)
        return NULL;
    size = ALIGN16(size ? size : 1);
    json_chunk *c = doc->chunks;
    if (c && c->size - c->used >= size) {
        void *p = (char *)(c + 1) + c->used;
        c->used += size;
        return p;
    }
    /* A request bigger than the chunk size gets a chunk of its own, placed
     * behind the current one so the current one's free space stays usable. */
    size_t csize = doc->chunk_size;
    int own = size > csize / 2;
    if (own)
        csize = size;
    json_chunk *n = mlops__malloc(sizeof *n + csize);
    if (!n)
        return NULL;
    n->size = csize;
    n->used = size;
    if (own && c) {
        n->next = c->next;
        c->next = n;
    } else {
        n->next = c;
        doc->chunks = n;
        if (doc->chunk_size < CHUNK_MAX)
            doc->chunk_size *= 2;
    }
    return n + 1;
}

static mlops__json_doc *doc_alloc(void)
{
    mlops__json_doc *doc = mlops__calloc(1, sizeof *doc);
    if (doc)
        doc->chunk_size = CHUNK_MIN;
    return doc;
}

int mlops__json_doc_new(mlops__json_doc **out)
{
    MLOPS__CHECK_ARG(out);
    mlops__json_doc *doc = doc_alloc();
    if (!doc)
        return mlops__error_nomem();
    *out = doc;
    return 0;
}

void mlops__json_doc_free(mlops__json_doc *doc)
{
    if (!doc)
        return;
    json_chunk *c = doc->chunks;
    while (c) {
        json_chunk *next = c->next;
        mlops__free(c);
        c = next;
    }
    mlops__free(doc->text);
    mlops__free(doc);
}

const mlops__json *mlops__json_root(const mlops__json_doc *doc)
{
    return doc ? doc->root : NULL;
}

void mlops__json_doc_set_root(mlops__json_doc *doc, mlops__json *root)
{
    if (doc)
        doc->root = root;
}

/* ---- hash index ------------------------------------------------------- */

uint32_t mlops__json_hash(const char *s, size_t len)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= 16777619u;
    }
    return h;
}

static int key_equal(const mlops__json *k, const char *key, size_t len)
{
    return json_len(k) == len && memcmp(k->u.s, key, len) == 0;
}

int mlops__json_index_build(mlops__json_doc *doc, json_index *idx, json_key_at_fn key_at,
                            const void *ctx, size_t n, size_t *dup)
{
    size_t cap = 16;
    while (cap < n * 2)
        cap *= 2;
    if (cap > UINT32_MAX || n >= UINT32_MAX)
        return MLOPS_E_NOMEM;
    uint32_t *slots = mlops__json_arena_alloc(doc, cap * sizeof *slots);
    if (!slots)
        return MLOPS_E_NOMEM;
    memset(slots, 0, cap * sizeof *slots);
    uint32_t mask = (uint32_t)(cap - 1);
    *dup = SIZE_MAX;
    for (size_t i = 0; i < n; i++) {
        const mlops__json *k = key_at(ctx, i);
        size_t klen = json_len(k);
        uint32_t h = mlops__json_hash(k->u.s, klen) & mask;
        for (;;) {
            uint32_t s = slots[h];
            if (s == 0) {
                slots[h] = (uint32_t)i + 1;
                break;
            }
            if (key_equal(key_at(ctx, s - 1), k->u.s, klen)) {
                if (*dup == SIZE_MAX)
                    *dup = i;
                break;
            }
            h = (h + 1) & mask;
        }
    }
    idx->slots = slots;
    idx->mask = mask;
    return 0;
}

size_t mlops__json_index_find(const json_index *idx, json_key_at_fn key_at, const void *ctx,
                              const char *key, size_t len)
{
    uint32_t h = mlops__json_hash(key, len) & idx->mask;
    for (;;) {
        uint32_t s = idx->slots[h];
        if (s == 0)
            return SIZE_MAX;
        if (key_equal(key_at(ctx, s - 1), key, len))
            return s - 1;
        h = (h + 1) & idx->mask;
    }
}

const mlops__json *mlops__json_parsed_key_at(const void *ctx, size_t i)
{
    return &((const mlops__json *)ctx)[2 * i];
}

static const mlops__json *built_key_at(const void *ctx, size_t i)
{
    return &((const json_member *)ctx)[i].key;
}

/* ---- accessors -------------------------------------------------------- */

mlops__json_type mlops__json_type_of(const mlops__json *v)
{
    return v ? json_type(v) : MLOPS__JSON_NULL;
}

size_t mlops__json_offset(const mlops__json *v) { return v ? v->offset : 0; }

const char *mlops__json_number_text(const mlops__json *v, size_t *len)
{
    if (!v || json_type(v) != MLOPS__JSON_NUMBER) {
        if (len)
            *len = 0;
        return NULL;
    }
    if (len)
        *len = json_len(v);
    return v->u.s;
}

int mlops__json_is_integer(const mlops__json *v)
{
    if (!v || json_type(v) != MLOPS__JSON_NUMBER)
        return 0;
    const char *s = v->u.s;
    size_t n = json_len(v), i = 0;
    int neg = 0;
    if (s[0] == '-') {
        neg = 1;
        i = 1;
    }
    uint64_t acc = 0;
    /* The limit is 2^63 for negatives, 2^63 - 1 otherwise. */
    uint64_t limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    if (i >= n)
        return 0;
    for (; i < n; i++) {
        unsigned d = (unsigned char)s[i] - '0';
        if (d > 9)
            return 0;
        if (acc > (limit - d) / 10)
            return 0;
        acc = acc * 10 + d;
    }
    return 1;
}

int64_t mlops__json_int(const mlops__json *v)
{
    if (!mlops__json_is_integer(v))
        return 0;
    const char *s = v->u.s;
    size_t n = json_len(v), i = s[0] == '-';
    uint64_t acc = 0;
    for (size_t j = i; j < n; j++)
        acc = acc * 10 + (unsigned)(s[j] - '0');
    if (i)
        return acc == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)acc;
    return (int64_t)acc;
}

double mlops__json_double(const mlops__json *v)
{
    if (!v || json_type(v) != MLOPS__JSON_NUMBER)
        return 0.0;
    /* The text is followed by a byte that cannot continue a number (a
     * delimiter, whitespace or NUL), so strtod stops exactly at its end. */
    return mlops__json_strtod(v->u.s, NULL);
}

const char *mlops__json_string(const mlops__json *v, size_t *len)
{
    if (!v || json_type(v) != MLOPS__JSON_STRING) {
        if (len)
            *len = 0;
        return NULL;
    }
    if (len)
        *len = json_len(v);
    return v->u.s;
}

int mlops__json_string_plain(const mlops__json *v)
{
    return v && json_type(v) == MLOPS__JSON_STRING && !(v->bits & JSON_F_BUILT) &&
           (v->bits & JSON_F_PLAIN);
}

size_t mlops__json_array_size(const mlops__json *v)
{
    if (!v || json_type(v) != MLOPS__JSON_ARRAY)
        return 0;
    return (v->bits & JSON_F_BUILT) ? v->u.built->count : json_len(v);
}

const mlops__json *mlops__json_array_get(const mlops__json *v, size_t i)
{
    if (i >= mlops__json_array_size(v))
        return NULL;
    return (v->bits & JSON_F_BUILT) ? v->u.built->items[i] : &v->u.nodes[i];
}

size_t mlops__json_object_size(const mlops__json *v)
{
    if (!v || json_type(v) != MLOPS__JSON_OBJECT)
        return 0;
    return (v->bits & JSON_F_BUILT) ? v->u.built->count : json_len(v);
}

static const mlops__json *object_key_node(const mlops__json *v, size_t i)
{
    return (v->bits & JSON_F_BUILT) ? &v->u.built->members[i].key : &v->u.nodes[2 * i];
}

const char *mlops__json_object_key(const mlops__json *v, size_t i, size_t *len)
{
    if (i >= mlops__json_object_size(v)) {
        if (len)
            *len = 0;
        return NULL;
    }
    const mlops__json *k = object_key_node(v, i);
    if (len)
        *len = json_len(k);
    return k->u.s;
}

const mlops__json *mlops__json_object_key_node(const mlops__json *v, size_t i)
{
    return i < mlops__json_object_size(v) ? object_key_node(v, i) : NULL;
}

const mlops__json *mlops__json_object_member(const mlops__json *v, size_t i, const char **key,
                                             size_t *key_len, int *key_plain)
{
    if (i >= mlops__json_object_size(v)) {
        *key = NULL;
        *key_len = 0;
        *key_plain = 0;
        return NULL;
    }
    const mlops__json *k = object_key_node(v, i);
    *key = k->u.s;
    *key_len = json_len(k);
    *key_plain = !(k->bits & JSON_F_BUILT) && (k->bits & JSON_F_PLAIN);
    return (v->bits & JSON_F_BUILT) ? v->u.built->members[i].value : &v->u.nodes[2 * i + 1];
}

const mlops__json *mlops__json_object_value(const mlops__json *v, size_t i)
{
    if (i >= mlops__json_object_size(v))
        return NULL;
    return (v->bits & JSON_F_BUILT) ? v->u.built->members[i].value : &v->u.nodes[2 * i + 1];
}

/* Member index of `key` (len bytes) in object v, or SIZE_MAX. */
static size_t object_lookup(const mlops__json *v, const char *key, size_t len)
{
    size_t n = mlops__json_object_size(v);
    if (v->bits & JSON_F_BUILT) {
        const json_built *b = v->u.built;
        if (b->index.slots)
            return mlops__json_index_find(&b->index, built_key_at, b->members, key, len);
        for (size_t i = 0; i < n; i++)
            if (key_equal(&b->members[i].key, key, len))
                return i;
        return SIZE_MAX;
    }
    if (v->bits & JSON_F_INDEXED) {
        const json_index *idx = (const json_index *)v->u.nodes - 1;
        return mlops__json_index_find(idx, mlops__json_parsed_key_at, v->u.nodes, key, len);
    }
    for (size_t i = 0; i < n; i++)
        if (key_equal(&v->u.nodes[2 * i], key, len))
            return i;
    return SIZE_MAX;
}

const mlops__json *mlops__json_object_find(const mlops__json *v, const char *key)
{
    if (!v || !key || json_type(v) != MLOPS__JSON_OBJECT)
        return NULL;
    size_t i = object_lookup(v, key, strlen(key));
    return i == SIZE_MAX ? NULL : mlops__json_object_value(v, i);
}

/* ---- building --------------------------------------------------------- */

static mlops__json *new_node(mlops__json_doc *doc, mlops__json_type t)
{
    if (!doc)
        return NULL;
    mlops__json *v = mlops__json_arena_alloc(doc, sizeof *v);
    if (!v)
        return NULL;
    v->offset = 0;
    v->bits = json_bits(t, 0, 0);
    v->u.s = NULL;
    return v;
}

mlops__json *mlops__json_new_null(mlops__json_doc *doc)
{
    return new_node(doc, MLOPS__JSON_NULL);
}

mlops__json *mlops__json_new_bool(mlops__json_doc *doc, int value)
{
    return new_node(doc, value ? MLOPS__JSON_TRUE : MLOPS__JSON_FALSE);
}

/* A number node whose text is `text` (copied). */
static mlops__json *new_number_text(mlops__json_doc *doc, const char *text, size_t len)
{
    if (!doc)
        return NULL;
    mlops__json *v = mlops__json_arena_alloc(doc, sizeof *v + len + 1);
    if (!v)
        return NULL;
    char *s = (char *)(v + 1);
    memcpy(s, text, len);
    s[len] = '\0';
    v->offset = 0;
    v->bits = json_bits(MLOPS__JSON_NUMBER, 0, len);
    v->u.s = s;
    return v;
}

mlops__json *mlops__json_new_int(mlops__json_doc *doc, int64_t value)
{
    char t[24];
    int n = snprintf(t, sizeof t, "%" PRId64, value);
    return new_number_text(doc, t, (size_t)n);
}

mlops__json *mlops__json_new_uint(mlops__json_doc *doc, uint64_t value)
{
    char t[24];
    int n = snprintf(t, sizeof t, "%" PRIu64, value);
    return new_number_text(doc, t, (size_t)n);
}

mlops__json *mlops__json_new_double(mlops__json_doc *doc, double value)
{
    if (!isfinite(value))
        return NULL;
    char t[32];
    size_t n = mlops__json_format_double(t, value);
    return new_number_text(doc, t, n);
}

mlops__json *mlops__json_new_string(mlops__json_doc *doc, const char *s, size_t len)
{
    if (!doc || (!s && len) || len > JSON_MAX_LEN)
        return NULL;
    mlops__json *v = mlops__json_arena_alloc(doc, sizeof *v + len + 1);
    if (!v)
        return NULL;
    char *t = (char *)(v + 1);
    if (len)
        memcpy(t, s, len);
    t[len] = '\0';
    v->offset = 0;
    /* Built strings are checked for UTF-8 when written. */
    v->bits = json_bits(MLOPS__JSON_STRING, JSON_F_BUILT, len);
    v->u.s = t;
    return v;
}

mlops__json *mlops__json_new_string_lossy(mlops__json_doc *doc, const char *s, size_t len)
{
    if (!s || mlops__json_utf8_valid(s, len))
        return mlops__json_new_string(doc, s, len);
    if (len > JSON_MAX_LEN / 3)
        return NULL;
    char *t = mlops__malloc(len * 3 + 1);
    if (!t)
        return NULL;
    const unsigned char *p = (const unsigned char *)s, *end = p + len;
    size_t n = 0;
    while (p < end) {
        size_t k = 0;
        if (*p < 0x80) {
            k = 1;
        } else {
            size_t need = *p < 0xE0 ? 2 : *p < 0xF0 ? 3 : 4;
            if ((size_t)(end - p) >= need)
                k = mlops__json_utf8_seq(p);
        }
        if (k) {
            memcpy(t + n, p, k);
            n += k;
            p += k;
        } else {
            memcpy(t + n, "\xEF\xBF\xBD", 3); /* U+FFFD */
            n += 3;
            p++;
        }
    }
    mlops__json *v = mlops__json_new_string(doc, t, n);
    mlops__free(t);
    return v;
}

static mlops__json *new_container(mlops__json_doc *doc, mlops__json_type t)
{
    if (!doc)
        return NULL;
    mlops__json *v = mlops__json_arena_alloc(doc, sizeof *v + sizeof(json_built));
    if (!v)
        return NULL;
    json_built *b = (json_built *)(v + 1);
    memset(b, 0, sizeof *b);
    v->offset = 0;
    v->bits = json_bits(t, JSON_F_BUILT, 0);
    v->u.built = b;
    return v;
}

mlops__json *mlops__json_new_array(mlops__json_doc *doc)
{
    return new_container(doc, MLOPS__JSON_ARRAY);
}

mlops__json *mlops__json_new_object(mlops__json_doc *doc)
{
    return new_container(doc, MLOPS__JSON_OBJECT);
}

int mlops__json_array_push(mlops__json_doc *doc, mlops__json *array, mlops__json *value)
{
    MLOPS__CHECK_ARG(doc);
    MLOPS__CHECK_ARG(array);
    if (!value) /* a builder that failed: lets calls be chained */
        return mlops__error_nomem();
    if (json_type(array) != MLOPS__JSON_ARRAY || !(array->bits & JSON_F_BUILT))
        return mlops__error(MLOPS_E_INVALID, "%s: not a built array", __func__);
    json_built *b = array->u.built;
    if (b->count == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 4;
        if (cap > SIZE_MAX / sizeof(mlops__json *))
            return mlops__error_nomem();
        mlops__json **items = mlops__json_arena_alloc(doc, cap * sizeof *items);
        if (!items)
            return mlops__error_nomem();
        if (b->count)
            memcpy(items, b->items, b->count * sizeof *items);
        b->items = items;
        b->cap = cap;
    }
    b->items[b->count++] = value;
    return 0;
}

int mlops__json_object_set(mlops__json_doc *doc, mlops__json *object, const char *key,
                           mlops__json *value)
{
    MLOPS__CHECK_ARG(key);
    return mlops__json_object_set_n(doc, object, key, strlen(key), value);
}

int mlops__json_object_set_n(mlops__json_doc *doc, mlops__json *object, const char *key,
                             size_t len, mlops__json *value)
{
    MLOPS__CHECK_ARG(doc);
    MLOPS__CHECK_ARG(object);
    MLOPS__CHECK_ARG(key);
    if (!value) /* a builder that failed: lets calls be chained */
        return mlops__error_nomem();
    if (json_type(object) != MLOPS__JSON_OBJECT || !(object->bits & JSON_F_BUILT))
        return mlops__error(MLOPS_E_INVALID, "%s: not a built object", __func__);
    if (len > JSON_MAX_LEN)
        return mlops__error(MLOPS_E_LIMIT, "%s: key too long", __func__);
    json_built *b = object->u.built;
    size_t at = object_lookup(object, key, len);
    if (at != SIZE_MAX) {
        b->members[at].value = value;
        return 0;
    }
    char *k = mlops__json_arena_alloc(doc, len + 1);
    if (!k)
        return mlops__error_nomem();
    memcpy(k, key, len);
    k[len] = '\0';
    json_member *members = b->members;
    size_t cap = b->cap;
    if (b->count == b->cap) {
        cap = b->cap ? b->cap * 2 : 4;
        if (cap > SIZE_MAX / sizeof(json_member))
            return mlops__error_nomem();
        members = mlops__json_arena_alloc(doc, cap * sizeof *members);
        if (!members)
            return mlops__error_nomem();
        if (b->count)
            memcpy(members, b->members, b->count * sizeof *members);
    }
    json_member *m = &members[b->count];
    m->key.offset = 0;
    m->key.bits = json_bits(MLOPS__JSON_STRING, JSON_F_BUILT, len);
    m->key.u.s = k;
    m->value = value;
    size_t n = b->count + 1;
    json_index idx = b->index;
    if (n > JSON_INDEX_MIN && (!idx.slots || n * 2 > (size_t)idx.mask + 1)) {
        size_t dup;
        if (mlops__json_index_build(doc, &idx, built_key_at, members, n, &dup))
            return mlops__error_nomem();
    } else if (idx.slots) {
        uint32_t h = mlops__json_hash(k, len) & idx.mask;
        while (idx.slots[h])
            h = (h + 1) & idx.mask;
        idx.slots[h] = (uint32_t)n;
    }
    /* Commit only now: every failure above left the object as it was. */
    b->members = members;
    b->cap = cap;
    b->index = idx;
    b->count = n;
    return 0;
}

/* Built documents can nest without limit; the copy recurses, so it stops
 * (NULL) where the writers would refuse the value anyway. */
#define COPY_MAX_DEPTH 512

static mlops__json *copy_value(mlops__json_doc *doc, const mlops__json *v, size_t depth);

mlops__json *mlops__json_copy(mlops__json_doc *doc, const mlops__json *v)
{
    return copy_value(doc, v, 0);
}

static mlops__json *copy_value(mlops__json_doc *doc, const mlops__json *v, size_t depth)
{
    if (!doc || !v || depth >= COPY_MAX_DEPTH)
        return NULL;
    switch (json_type(v)) {
    case MLOPS__JSON_NULL:
    case MLOPS__JSON_FALSE:
    case MLOPS__JSON_TRUE:
        return new_node(doc, json_type(v));
    case MLOPS__JSON_NUMBER:
        return new_number_text(doc, v->u.s, json_len(v));
    case MLOPS__JSON_STRING: {
        mlops__json *c = mlops__json_new_string(doc, v->u.s, json_len(v));
        if (c && !(v->bits & JSON_F_BUILT)) /* already known to be valid UTF-8 */
            c->bits = (c->bits & ~JSON_F_BUILT) | (v->bits & JSON_F_PLAIN);
        return c;
    }
    case MLOPS__JSON_ARRAY: {
        mlops__json *a = mlops__json_new_array(doc);
        if (!a)
            return NULL;
        size_t n = mlops__json_array_size(v);
        for (size_t i = 0; i < n; i++) {
            mlops__json *c = copy_value(doc, mlops__json_array_get(v, i), depth + 1);
            if (!c || mlops__json_array_push(doc, a, c))
                return NULL;
        }
        return a;
    }
    case MLOPS__JSON_OBJECT: {
        mlops__json *o = mlops__json_new_object(doc);
        if (!o)
            return NULL;
        size_t n = mlops__json_object_size(v);
        for (size_t i = 0; i < n; i++) {
            size_t klen;
            const char *k = mlops__json_object_key(v, i, &klen);
            mlops__json *c = copy_value(doc, mlops__json_object_value(v, i), depth + 1);
            if (!c || mlops__json_object_set_n(doc, o, k, klen, c))
                return NULL;
        }
        return o;
    }
    }
    return NULL;
}
