/*
 * Writers: RFC 8785 canonical JSON and the pretty form.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <math.h>
#include <string.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/hex.h"
#include "core/json_impl.h"

/* Built documents have no depth limit of their own; the writers recurse, so
 * they stop here rather than run out of stack. */
#define WRITE_MAX_DEPTH 512
#define SMALL_OBJECT 16

/* Output goes straight into the buffer's memory between p and end (one
 * byte before the capacity is kept for the NUL); `out->size` is brought up to
 * date only when the buffer grows and at the end. */
typedef struct writer {
    mlops_buf *out;
    char *p;
    char *end;
    int pretty;
} writer;

static int grow(writer *w, size_t n)
{
    w->out->size = w->out->data ? (size_t)(w->p - w->out->data) : 0;
    int rc = mlops__buf_reserve(w->out, n < 4096 ? 4096 : n);
    if (rc)
        return rc;
    w->p = w->out->data + w->out->size;
    w->end = w->out->data + w->out->capacity - 1;
    return 0;
}

#define ENSURE(w, n)                                                       \
    do {                                                                   \
        if ((size_t)((w)->end - (w)->p) < (size_t)(n)) {                   \
            int rc_ = grow((w), (n));                                      \
            if (rc_)                                                       \
                return rc_;                                                \
        }                                                                  \
    } while (0)

static int put(writer *w, const char *s, size_t n)
{
    ENSURE(w, n);
    memcpy(w->p, s, n);
    w->p += n;
    return 0;
}

static int put_indent(writer *w, size_t level)
{
    ENSURE(w, 1 + 2 * level);
    *w->p++ = '\n';
    memset(w->p, ' ', 2 * level);
    w->p += 2 * level;
    return 0;
}

/* ---- strings ---------------------------------------------------------- */

/* 1 for the bytes RFC 8785 escapes: '"', '\\' and U+0000..U+001F. */
static const unsigned char must_escape[256] = {
#define C8(b) [b] = 1, [b + 1] = 1, [b + 2] = 1, [b + 3] = 1, [b + 4] = 1, [b + 5] = 1, [b + 6] = 1, [b + 7] = 1
    C8(0x00), C8(0x08), C8(0x10), C8(0x18), ['"'] = 1, ['\\'] = 1,
#undef C8
};

static int write_string_escaped(writer *w, const mlops__json *v);

/* Most parsed strings had no escape in the source, so they need none now:
 * copied whole, inline; the rest go through the escaping path. */
static inline int write_string(writer *w, const mlops__json *v)
{
    if (!(v->bits & JSON_F_PLAIN))
        return write_string_escaped(w, v);
    size_t len = json_len(v);
    ENSURE(w, len + 2);
    *w->p++ = '"';
    memcpy(w->p, v->u.s, len);
    w->p += len;
    *w->p++ = '"';
    return 0;
}

static int write_string_escaped(writer *w, const mlops__json *v)
{
    const unsigned char *s = (const unsigned char *)v->u.s;
    size_t len = json_len(v);
    if ((v->bits & JSON_F_BUILT) && !mlops__json_utf8_valid(v->u.s, len))
        return mlops__error(MLOPS_E_INVALID, "cannot write a string that is not valid UTF-8");
    ENSURE(w, len + 2);
    *w->p++ = '"';
    size_t i = 0;
    for (;;) {
        size_t run = i;
        for (;;) {
            if (run + 8 > len) {
                while (run < len && !must_escape[s[run]])
                    run++;
                break;
            }
            uint64_t m = json_has_special(json_load64(s + run));
            if (m) {
                run += json_first_flag(m);
                break;
            }
            run += 8;
        }
        if (run > i) {
            memcpy(w->p, s + i, run - i); /* room: reserved len + 2 above, or below */
            w->p += run - i;
            i = run;
        }
        if (i == len)
            break;
        unsigned char c = s[i++];
        /* an escape takes up to 6 bytes for 1; keep room for the rest too */
        ENSURE(w, 6 + (len - i) + 1);
        *w->p++ = '\\';
        switch (c) {
        case '"': *w->p++ = '"'; break;
        case '\\': *w->p++ = '\\'; break;
        case '\b': *w->p++ = 'b'; break;
        case '\f': *w->p++ = 'f'; break;
        case '\n': *w->p++ = 'n'; break;
        case '\r': *w->p++ = 'r'; break;
        case '\t': *w->p++ = 't'; break;
        default:
            *w->p++ = 'u';
            *w->p++ = '0';
            *w->p++ = '0';
            *w->p++ = mlops__hex_digits[c >> 4];
            *w->p++ = mlops__hex_digits[c & 15];
        }
    }
    *w->p++ = '"';
    return 0;
}

/* ---- numbers ---------------------------------------------------------- */

static int write_number(writer *w, const mlops__json *v)
{
    const char *t = v->u.s;
    size_t n = json_len(v);
    size_t neg = t[0] == '-';
    /* An integer of at most 15 digits is exact in a double and ECMAScript
     * writes it as it is; only "-0" changes. */
    if (n - neg <= 15) {
        size_t i = neg;
        while (i < n && t[i] >= '0' && t[i] <= '9')
            i++;
        if (i == n) {
            if (n == 2 && neg && t[1] == '0')
                return put(w, "0", 1);
            return put(w, t, n);
        }
    }
    double d = mlops__json_strtod(t, NULL);
    if (!isfinite(d)) {
        if (w->pretty)
            return put(w, t, n);
        return mlops__error(MLOPS_E_LIMIT,
                            "number %.*s%s is outside the range of a double and has no "
                            "canonical form",
                            (int)(n > 40 ? 40 : n), t, n > 40 ? "..." : "");
    }
    char b[32];
    size_t len = mlops__json_format_double(b, d);
    return put(w, b, len);
}

/* ---- key order -------------------------------------------------------- */

static uint32_t decode_cp(const unsigned char *s, size_t avail)
{
    unsigned c = s[0];
    if (c < 0x80 || avail < 2)
        return c;
    if (c < 0xE0)
        return ((c & 0x1Fu) << 6) | (s[1] & 0x3Fu);
    if (c < 0xF0 || avail < 4)
        return avail < 3 ? c : ((c & 0x0Fu) << 12) | ((s[1] & 0x3Fu) << 6) | (s[2] & 0x3Fu);
    return ((c & 0x07u) << 18) | ((s[1] & 0x3Fu) << 12) | ((s[2] & 0x3Fu) << 6) |
           (s[3] & 0x3Fu);
}

/* First UTF-16 code unit of a code point. */
static uint32_t utf16_lead(uint32_t cp)
{
    return cp < 0x10000 ? cp : 0xD800 + ((cp - 0x10000) >> 10);
}

/* Order of two valid UTF-8 keys by their UTF-16 code units (RFC 8785 §3.2.3).
 * Byte order equals code point order; the two differ only where a code point
 * above U+FFFF (a surrogate pair, 0xD800...) meets one in U+E000..U+FFFF. */
static int key_cmp(const mlops__json *ka, const mlops__json *kb)
{
    const unsigned char *a = (const unsigned char *)ka->u.s, *b = (const unsigned char *)kb->u.s;
    size_t alen = json_len(ka), blen = json_len(kb);
    size_t n = alen < blen ? alen : blen, i = 0;
    while (i < n && a[i] == b[i])
        i++;
    if (i == n)
        return alen < blen ? -1 : alen > blen;
    while (i > 0 && (a[i] & 0xC0) == 0x80)
        i--;
    uint32_t ca = decode_cp(a + i, alen - i), cb = decode_cp(b + i, blen - i);
    uint32_t ua = utf16_lead(ca), ub = utf16_lead(cb);
    if (ua != ub)
        return ua < ub ? -1 : 1;
    return ca < cb ? -1 : ca > cb;
}

/* key_cmp with a shortcut for keys whose first bytes differ and are ASCII
 * (UTF-16 and byte order agree there); empty keys have a NUL first byte. */
static inline int key_cmp_fast(const mlops__json *ka, const mlops__json *kb)
{
    unsigned char a = (unsigned char)ka->u.s[0], b = (unsigned char)kb->u.s[0];
    if (a != b && (a | b) < 0x80 && json_len(ka) && json_len(kb))
        return a < b ? -1 : 1;
    return key_cmp(ka, kb);
}

/* A member to sort: key and value nodes side by side, so the sort touches
 * nothing else. */
typedef struct member_ref {
    const mlops__json *key;
    const mlops__json *value;
} member_ref;

static void sort_members(member_ref *a, member_ref *tmp, size_t n)
{
    if (n <= 8) {
        for (size_t i = 1; i < n; i++) {
            member_ref x = a[i];
            size_t j = i;
            while (j > 0 && key_cmp_fast(a[j - 1].key, x.key) > 0) {
                a[j] = a[j - 1];
                j--;
            }
            a[j] = x;
        }
        return;
    }
    size_t h = n / 2;
    sort_members(a, tmp, h);
    sort_members(a + h, tmp, n - h);
    size_t i = 0, j = h, k = 0;
    while (i < h && j < n)
        tmp[k++] = key_cmp(a[i].key, a[j].key) <= 0 ? a[i++] : a[j++];
    while (i < h)
        tmp[k++] = a[i++];
    while (j < n)
        tmp[k++] = a[j++];
    memcpy(a, tmp, n * sizeof *a);
}

/* ---- values ----------------------------------------------------------- */

static int write_value(writer *w, const mlops__json *v, size_t level);

static int write_array(writer *w, const mlops__json *v, size_t level)
{
    size_t n = mlops__json_array_size(v);
    int rc = put(w, "[", 1);
    for (size_t i = 0; i < n && !rc; i++) {
        if (i)
            rc = put(w, ",", 1);
        if (!rc && w->pretty)
            rc = put_indent(w, level + 1);
        if (!rc)
            rc = write_value(w, mlops__json_array_get(v, i), level + 1);
    }
    if (!rc && w->pretty && n)
        rc = put_indent(w, level);
    return rc ? rc : put(w, "]", 1);
}

static int write_object(writer *w, const mlops__json *v, size_t level)
{
    size_t n = mlops__json_object_size(v);
    member_ref small[2 * SMALL_OBJECT]; /* members, then merge space */
    member_ref *m = small, *heap = NULL;
    int rc = 0;
    if (n > SMALL_OBJECT) {
        heap = mlops__reallocarray(NULL, n, 2 * sizeof *heap);
        if (!heap)
            return mlops__error_nomem();
        m = heap;
    }
    if (v->bits & JSON_F_BUILT) {
        const json_member *bm = v->u.built->members;
        for (size_t i = 0; i < n; i++) {
            m[i].key = &bm[i].key;
            m[i].value = bm[i].value;
            if (!mlops__json_utf8_valid(bm[i].key.u.s, json_len(&bm[i].key))) {
                mlops__free(heap);
                return mlops__error(MLOPS_E_INVALID,
                                    "cannot write an object key that is not valid UTF-8");
            }
        }
    } else {
        for (size_t i = 0; i < n; i++) {
            m[i].key = &v->u.nodes[2 * i];
            m[i].value = &v->u.nodes[2 * i + 1];
        }
    }
    sort_members(m, m + n, n);
    rc = put(w, "{", 1);
    for (size_t i = 0; i < n && !rc; i++) {
        if (i)
            rc = put(w, ",", 1);
        if (!rc && w->pretty)
            rc = put_indent(w, level + 1);
        if (!rc)
            rc = write_string(w, m[i].key);
        if (!rc)
            rc = w->pretty ? put(w, ": ", 2) : put(w, ":", 1);
        if (!rc)
            rc = write_value(w, m[i].value, level + 1);
    }
    mlops__free(heap);
    if (!rc && w->pretty && n)
        rc = put_indent(w, level);
    return rc ? rc : put(w, "}", 1);
}

static int write_value(writer *w, const mlops__json *v, size_t level)
{
    if (level >= WRITE_MAX_DEPTH)
        return mlops__error(MLOPS_E_LIMIT, "cannot write values nested deeper than %d levels",
                            WRITE_MAX_DEPTH);
    switch (json_type(v)) {
    case MLOPS__JSON_NULL: return put(w, "null", 4);
    case MLOPS__JSON_FALSE: return put(w, "false", 5);
    case MLOPS__JSON_TRUE: return put(w, "true", 4);
    case MLOPS__JSON_NUMBER: return write_number(w, v);
    case MLOPS__JSON_STRING: return write_string(w, v);
    case MLOPS__JSON_ARRAY: return write_array(w, v, level);
    case MLOPS__JSON_OBJECT: return write_object(w, v, level);
    }
    return mlops__error(MLOPS_E_INTERNAL, "corrupt JSON node");
}

/* ---- source text known to be canonical --------------------------------- */

typedef struct span_walk {
    size_t size;
    const mlops__json *mark;
    size_t mark_size;
} span_walk;

static int span_value(span_walk *s, const mlops__json *v, size_t level)
{
    if (level >= WRITE_MAX_DEPTH || (v->bits & JSON_F_BUILT))
        return 0;
    size_t before = s->size;
    switch (json_type(v)) {
    case MLOPS__JSON_NULL:
    case MLOPS__JSON_TRUE: s->size += 4; break;
    case MLOPS__JSON_FALSE: s->size += 5; break;
    case MLOPS__JSON_NUMBER: {
        /* What write_number copies as it is. */
        const char *t = v->u.s;
        size_t n = json_len(v), neg = n && t[0] == '-', i = neg;
        if (n == neg || (neg && n == 2 && t[1] == '0'))
            return 0;
        while (i < n && t[i] >= '0' && t[i] <= '9')
            i++;
        if (i != n || n - neg > 15) {
            /* Otherwise write_number formats the double: canonical when
             * that gives back exactly the source text. */
            double d = mlops__json_strtod(t, NULL);
            char b[32];
            if (!isfinite(d) || mlops__json_format_double(b, d) != n || memcmp(b, t, n) != 0)
                return 0;
        }
        s->size += n;
        break;
    }
    case MLOPS__JSON_STRING:
        if (!(v->bits & JSON_F_PLAIN))
            return 0;
        s->size += json_len(v) + 2;
        break;
    case MLOPS__JSON_ARRAY: {
        size_t n = json_len(v);
        s->size += 2 + (n ? n - 1 : 0);
        for (size_t i = 0; i < n; i++)
            if (!span_value(s, &v->u.nodes[i], level + 1))
                return 0;
        break;
    }
    case MLOPS__JSON_OBJECT: {
        size_t n = json_len(v);
        s->size += 2 + (n ? n - 1 : 0);
        for (size_t i = 0; i < n; i++) {
            const mlops__json *k = &v->u.nodes[2 * i];
            if (!(k->bits & JSON_F_PLAIN) || (i && key_cmp(k - 2, k) >= 0))
                return 0;
            s->size += json_len(k) + 3; /* quotes and colon */
            if (!span_value(s, &v->u.nodes[2 * i + 1], level + 1))
                return 0;
        }
        break;
    }
    default: return 0;
    }
    if (v == s->mark)
        s->mark_size = s->size - before;
    return 1;
}

int mlops__json_canonical_span(const mlops__json *v, size_t *size, const mlops__json *mark,
                               size_t *mark_size)
{
    if (!v || !size)
        return 0;
    span_walk s = {0, mark, 0};
    if (!span_value(&s, v, 0))
        return 0;
    *size = s.size;
    if (mark_size)
        *mark_size = s.mark_size;
    return 1;
}

int mlops__json_doc_write_source(mlops_buf *out, const mlops__json_doc *doc, size_t len)
{
    MLOPS__CHECK_ARG(out);
    MLOPS__CHECK_ARG(doc);
    if (!doc->text || !doc->root || len > doc->text_len)
        return mlops__error(MLOPS_E_INVALID, "the document keeps no source copy of %zu bytes",
                            len);
    int rc = mlops__buf_reserve(out, len); /* and the NUL */
    if (rc)
        return rc;
    /* A raw NUL byte is never valid JSON, so every NUL in the copy is a
     * closing quote the parser replaced: eight bytes at a time, the zero
     * bytes (found exactly) become '"'. */
    const unsigned char *t = (const unsigned char *)doc->text;
    unsigned char *o = (unsigned char *)out->data + out->size;
    const uint64_t low7 = 0x7F7F7F7F7F7F7F7Full;
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t x = json_load64(t + i);
        uint64_t zero = ~(((x & low7) + low7) | x) & JSON_HIGHS;
        x |= (zero >> 7) * (uint64_t)'"';
        memcpy(o + i, &x, 8);
    }
    for (; i < len; i++)
        o[i] = t[i] ? t[i] : (unsigned char)'"';
    out->size += len;
    out->data[out->size] = '\0';
    return 0;
}

static int write_top(mlops_buf *out, const mlops__json *v, int pretty)
{
    MLOPS__CHECK_ARG(out);
    MLOPS__CHECK_ARG(v);
    size_t before = out->size;
    int had_memory = out->data != NULL;
    writer w = { out, NULL, NULL, pretty };
    if (out->data) {
        w.p = out->data + out->size;
        w.end = out->data + out->capacity - 1;
    }
    int rc = write_value(&w, v, 0);
    if (!rc && pretty)
        rc = put(&w, "\n", 1);
    if (!rc) {
        if (out->data) {
            out->size = (size_t)(w.p - out->data);
            out->data[out->size] = '\0';
        }
    } else {
        if (!had_memory) {
            mlops_buf_dispose(out);
        } else {
            out->size = before;
            out->data[before] = '\0';
        }
    }
    return rc;
}

int mlops__json_write_canonical(mlops_buf *out, const mlops__json *v)
{
    return write_top(out, v, 0);
}

int mlops__json_write_pretty(mlops_buf *out, const mlops__json *v)
{
    return write_top(out, v, 1);
}

int mlops__json_append_as(mlops_buf *out, const char *json, size_t len, uint32_t flags)
{
    if (!(flags & MLOPS_JSON_PRETTY))
        return mlops__buf_append(out, json, len);
    mlops__json_doc *doc = NULL;
    int rc = mlops__json_parse(&doc, json, len, NULL, NULL);
    if (!rc)
        rc = mlops__json_write_pretty(out, mlops__json_root(doc));
    mlops__json_doc_free(doc);
    return rc;
}
