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
#include "core/json_impl.h"

/* Built documents have no depth limit of their own; the writers recurse, so
 * they stop here rather than run out of stack. */
#define WRITE_MAX_DEPTH 512
#define SMALL_OBJECT 16

typedef struct writer {
    mlops_buf *out;
    int pretty;
} writer;

static int put(writer *w, const char *s, size_t n) { return mlops__buf_append(w->out, s, n); }

static int put_indent(writer *w, size_t level)
{
    int rc = mlops__buf_reserve(w->out, 1 + 2 * level);
    if (rc)
        return rc;
    char *d = w->out->data + w->out->size;
    d[0] = '\n';
    memset(d + 1, ' ', 2 * level);
    w->out->size += 1 + 2 * level;
    w->out->data[w->out->size] = '\0';
    return 0;
}

/* ---- strings ---------------------------------------------------------- */

static const char hexdig[] = "0123456789abcdef";

static int write_string(writer *w, const mlops__json *v)
{
    const char *s = v->u.s;
    size_t len = json_len(v);
    if ((v->bits & JSON_F_BUILT) && !mlops__json_utf8_valid(s, len))
        return mlops__error(MLOPS_E_INVALID, "cannot write a string that is not valid UTF-8");
    int rc = mlops__buf_reserve(w->out, len + 2);
    if (rc)
        return rc;
    w->out->data[w->out->size++] = '"';
    size_t i = 0;
    while (i < len) {
        size_t run = i;
        while (run < len) {
            unsigned char c = (unsigned char)s[run];
            if (c < 0x20 || c == '"' || c == '\\')
                break;
            run++;
        }
        if (run > i) {
            if ((rc = put(w, s + i, run - i)))
                return rc;
            i = run;
        }
        if (i == len)
            break;
        unsigned char c = (unsigned char)s[i++];
        char esc[6] = { '\\', 0, 0, 0, 0, 0 };
        size_t n = 2;
        switch (c) {
        case '"': esc[1] = '"'; break;
        case '\\': esc[1] = '\\'; break;
        case '\b': esc[1] = 'b'; break;
        case '\f': esc[1] = 'f'; break;
        case '\n': esc[1] = 'n'; break;
        case '\r': esc[1] = 'r'; break;
        case '\t': esc[1] = 't'; break;
        default:
            esc[1] = 'u';
            esc[2] = '0';
            esc[3] = '0';
            esc[4] = hexdig[c >> 4];
            esc[5] = hexdig[c & 15];
            n = 6;
        }
        if ((rc = put(w, esc, n)))
            return rc;
    }
    return put(w, "\"", 1);
}

/* ---- numbers ---------------------------------------------------------- */

static int write_number(writer *w, const mlops__json *v)
{
    const char *t = v->u.s;
    size_t n = json_len(v);
    size_t digits = n - (t[0] == '-');
    /* An integer of at most 15 digits is exact in a double and ECMAScript
     * writes it as it is; only "-0" changes. */
    if (digits <= 15 && !memchr(t, '.', n) && !memchr(t, 'e', n) && !memchr(t, 'E', n)) {
        if (n == 2 && t[0] == '-' && t[1] == '0')
            return put(w, "0", 1);
        return put(w, t, n);
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

static const mlops__json *key_node(const mlops__json *o, size_t i)
{
    return (o->bits & JSON_F_BUILT) ? &o->u.built->members[i].key : &o->u.nodes[2 * i];
}

static const mlops__json *value_node(const mlops__json *o, size_t i)
{
    return (o->bits & JSON_F_BUILT) ? o->u.built->members[i].value : &o->u.nodes[2 * i + 1];
}

static void merge_sort(const mlops__json *o, size_t *a, size_t *tmp, size_t n)
{
    if (n <= 8) {
        for (size_t i = 1; i < n; i++) {
            size_t x = a[i], j = i;
            while (j > 0 && key_cmp(key_node(o, a[j - 1]), key_node(o, x)) > 0) {
                a[j] = a[j - 1];
                j--;
            }
            a[j] = x;
        }
        return;
    }
    size_t h = n / 2;
    merge_sort(o, a, tmp, h);
    merge_sort(o, a + h, tmp, n - h);
    size_t i = 0, j = h, k = 0;
    while (i < h && j < n)
        tmp[k++] = key_cmp(key_node(o, a[i]), key_node(o, a[j])) <= 0 ? a[i++] : a[j++];
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
    size_t small[2 * SMALL_OBJECT]; /* order, then merge space */
    size_t *order = small, *heap = NULL;
    int rc = 0;
    if (v->bits & JSON_F_BUILT) {
        for (size_t i = 0; i < n; i++) {
            const mlops__json *k = key_node(v, i);
            if (!mlops__json_utf8_valid(k->u.s, json_len(k)))
                return mlops__error(MLOPS_E_INVALID,
                                    "cannot write an object key that is not valid UTF-8");
        }
    }
    if (n > SMALL_OBJECT) {
        heap = mlops__reallocarray(NULL, n, 2 * sizeof *heap);
        if (!heap)
            return mlops__error_nomem();
        order = heap;
    }
    for (size_t i = 0; i < n; i++)
        order[i] = i;
    merge_sort(v, order, order + n, n);
    rc = put(w, "{", 1);
    for (size_t i = 0; i < n && !rc; i++) {
        if (i)
            rc = put(w, ",", 1);
        if (!rc && w->pretty)
            rc = put_indent(w, level + 1);
        if (!rc)
            rc = write_string(w, key_node(v, order[i]));
        if (!rc)
            rc = w->pretty ? put(w, ": ", 2) : put(w, ":", 1);
        if (!rc)
            rc = write_value(w, value_node(v, order[i]), level + 1);
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

static int write_top(mlops_buf *out, const mlops__json *v, int pretty)
{
    MLOPS__CHECK_ARG(out);
    MLOPS__CHECK_ARG(v);
    size_t before = out->size;
    writer w = { out, pretty };
    int rc = write_value(&w, v, 0);
    if (!rc && pretty)
        rc = put(&w, "\n", 1);
    if (rc) {
        out->size = before;
        if (out->data)
            out->data[before] = '\0';
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
