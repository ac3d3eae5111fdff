/*
 * Strict RFC 8259 reader.
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * The parser works on one copy of the input that the document keeps: strings
 * are decoded in place (an escape never decodes to more bytes than it takes)
 * and NUL-terminated where their closing quote was, so a string costs no
 * allocation of its own. Nesting is handled with an explicit stack of open
 * containers (at most max_depth of them), never by recursion, and the values
 * of open containers wait on a value stack until their container closes and
 * they are copied, contiguously, into the document's arena.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#if defined(__SSE2__)
#  include <emmintrin.h>
#endif

#include "core/alloc.h"
#include "core/error.h"
#include "core/json_impl.h"

int mlops__json_error_at(int code, const char *text, size_t offset, const char *source,
                         const char *fmt, ...)
{
    char detail[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    uint32_t line = 1, column = 1;
    if (text) {
        size_t line_start = 0;
        for (size_t i = 0; i < offset; i++) {
            if (text[i] == '\n') {
                line++;
                line_start = i + 1;
            }
        }
        column = (uint32_t)(offset - line_start + 1);
    }
    return mlops__error_at(code, (int64_t)offset, line, column, source,
                           "%s%sline %u, column %u (byte %zu): %s", source ? source : "",
                           source ? ": " : "", (unsigned)line, (unsigned)column, offset,
                           detail);
}

/* ---- UTF-8 ------------------------------------------------------------ */

size_t mlops__json_utf8_seq(const unsigned char *s)
{
    unsigned c = s[0];
    if (c < 0x80)
        return 1;
    if (c < 0xC2)
        return 0; /* continuation byte or overlong 2-byte lead */
    if (c < 0xE0)
        return (s[1] & 0xC0) == 0x80 ? 2 : 0;
    if (c < 0xF0) {
        unsigned lo = 0x80, hi = 0xBF;
        if (c == 0xE0)
            lo = 0xA0; /* overlong */
        else if (c == 0xED)
            hi = 0x9F; /* UTF-16 surrogates */
        if (s[1] < lo || s[1] > hi)
            return 0;
        return (s[2] & 0xC0) == 0x80 ? 3 : 0;
    }
    if (c < 0xF5) {
        unsigned lo = 0x80, hi = 0xBF;
        if (c == 0xF0)
            lo = 0x90; /* overlong */
        else if (c == 0xF4)
            hi = 0x8F; /* above U+10FFFF */
        if (s[1] < lo || s[1] > hi)
            return 0;
        if ((s[2] & 0xC0) != 0x80)
            return 0;
        return (s[3] & 0xC0) == 0x80 ? 4 : 0;
    }
    return 0;
}

int mlops__json_utf8_valid(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + len;
    while (p < end) {
        if (*p < 0x80) {
            p++;
            continue;
        }
        /* Check the sequence fits before reading it. */
        size_t need = *p < 0xE0 ? 2 : *p < 0xF0 ? 3 : 4;
        if ((size_t)(end - p) < need)
            return 0;
        size_t n = mlops__json_utf8_seq(p);
        if (n == 0)
            return 0;
        p += n;
    }
    return 1;
}

/* ---- parser state ----------------------------------------------------- */

/* Bytes that end the fast scan of a string: '"', '\\', controls and non-ASCII. */
static const unsigned char string_stop[256] = {
    ['"'] = 1, ['\\'] = 1,
#define C8(b) [b] = 1, [b + 1] = 1, [b + 2] = 1, [b + 3] = 1, [b + 4] = 1, [b + 5] = 1, [b + 6] = 1, [b + 7] = 1
    C8(0x00), C8(0x08), C8(0x10), C8(0x18),
    C8(0x80), C8(0x88), C8(0x90), C8(0x98), C8(0xA0), C8(0xA8), C8(0xB0), C8(0xB8),
    C8(0xC0), C8(0xC8), C8(0xD0), C8(0xD8), C8(0xE0), C8(0xE8), C8(0xF0), C8(0xF8),
#undef C8
};

typedef struct frame {
    size_t start;    /* first value of this container on the value stack */
    uint32_t offset; /* where its bracket is */
    int is_object;
} frame;

typedef struct parser {
    mlops__json_doc *doc;
    char *text; /* the copy; text[len] == '\0' */
    const char *orig; /* the caller's bytes: positions are counted there, since
                       * in-place decoding may put newlines into the copy */
    size_t len;
    const char *source;
    mlops__json *stack; /* values of open containers */
    size_t top, cap;
    frame *frames;
    size_t depth, max_depth;
    int inplace; /* text is the caller's: decode escaped strings into the arena */
} parser;

static int fail(parser *ps, const char *at, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

static int fail(parser *ps, const char *at, const char *fmt, ...)
{
    char detail[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    return mlops__json_error_at(MLOPS_E_PARSE, ps->orig, (size_t)(at - ps->text), ps->source,
                                "%s", detail);
}

static int fail_unexpected(parser *ps, const char *at, const char *expected)
{
    if (at >= ps->text + ps->len)
        return fail(ps, at, "unexpected end of input, expected %s", expected);
    unsigned char c = (unsigned char)*at;
    if (c >= 0x20 && c < 0x7F)
        return fail(ps, at, "unexpected character '%c', expected %s", c, expected);
    return fail(ps, at, "unexpected byte 0x%02X, expected %s", c, expected);
}

static int grow_stack(parser *ps)
{
    size_t cap = ps->cap ? ps->cap * 2 : 64;
    mlops__json *s = mlops__reallocarray(ps->stack, cap, sizeof *s);
    if (!s)
        return mlops__error_nomem();
    ps->stack = s;
    ps->cap = cap;
    return 0;
}

/* The next free slot of the value stack (filled in place, then top++), or
 * NULL with MLOPS_E_NOMEM recorded. */
static inline mlops__json *next_slot(parser *ps)
{
    if (ps->top == ps->cap && grow_stack(ps))
        return NULL;
    return &ps->stack[ps->top];
}

static int push(parser *ps, const mlops__json *v)
{
    mlops__json *s = next_slot(ps);
    if (!s)
        return MLOPS_E_NOMEM;
    *s = *v;
    ps->top++;
    return 0;
}

static inline char *skip_ws(char *p)
{
    while (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')
        p++;
    return p;
}

static int hexval(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Four hex digits at p (after "\u"), or -1. */
static long hex4(const char *p)
{
    long v = 0;
    for (int i = 0; i < 4; i++) {
        int h = hexval((unsigned char)p[i]);
        if (h < 0)
            return -1;
        v = v * 16 + h;
    }
    return v;
}

static char *put_utf8(char *w, unsigned long cp)
{
    if (cp < 0x80) {
        *w++ = (char)cp;
    } else if (cp < 0x800) {
        *w++ = (char)(0xC0 | (cp >> 6));
        *w++ = (char)(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        *w++ = (char)(0xE0 | (cp >> 12));
        *w++ = (char)(0x80 | ((cp >> 6) & 0x3F));
        *w++ = (char)(0x80 | (cp & 0x3F));
    } else {
        *w++ = (char)(0xF0 | (cp >> 18));
        *w++ = (char)(0x80 | ((cp >> 12) & 0x3F));
        *w++ = (char)(0x80 | ((cp >> 6) & 0x3F));
        *w++ = (char)(0x80 | (cp & 0x3F));
    }
    return w;
}

/* Past the plain ASCII bytes at r (the NUL after the input stops it). */
static inline char *scan_plain(char *r, const char *end)
{
#if defined(__SSE2__)
    /* 16 bytes at a time: '"', '\\', and (as signed bytes) everything below
     * 0x20, which takes in 0x80..0xFF too. */
    const __m128i quote = _mm_set1_epi8('"'), bslash = _mm_set1_epi8('\\'),
                  space = _mm_set1_epi8(0x20);
    while (end - r >= 16) {
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)r);
        __m128i m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, quote), _mm_cmpeq_epi8(x, bslash)),
                                 _mm_cmplt_epi8(x, space));
        unsigned bits = (unsigned)_mm_movemask_epi8(m);
        if (bits)
            return r + __builtin_ctz(bits);
        r += 16;
    }
#endif
    while (end - r >= 8) {
        uint64_t x = json_load64(r);
        uint64_t m = json_has_special(x) | (x & JSON_HIGHS);
        if (m)
            return r + json_first_flag(m);
        r += 8;
    }
    while (!string_stop[(unsigned char)*r])
        r++;
    return r;
}

/*
 * The string whose opening quote is at *pp: decoded in place, NUL-terminated,
 * described in *node; *pp moves past the closing quote.
 */
static int parse_string_slow(parser *ps, char **pp, mlops__json *node, char *r);

/* The common case inline: plain ASCII up to the closing quote. */
static inline int parse_string(parser *ps, char **pp, mlops__json *node)
{
    char *q = *pp;
    char *r = scan_plain(q + 1, ps->text + ps->len);
    if (*r != '"')
        return parse_string_slow(ps, pp, node, r);
    *r = '\0';
    node->offset = (uint32_t)(q - ps->text);
    node->bits = json_bits(MLOPS__JSON_STRING, JSON_F_PLAIN, (size_t)(r - q - 1));
    node->u.s = q + 1;
    *pp = r + 1;
    return 0;
}

/* Escapes, non-ASCII and errors; r is the first byte the fast scan stopped at. */
static int parse_string_slow(parser *ps, char **pp, mlops__json *node, char *r)
{
    char *q = *pp;
    char *start = q + 1;
    const char *end = ps->text + ps->len;
    char *w = r;
    if (ps->inplace) {
        /* The caller's bytes are not rewritten (so error positions stay
         * right): the string is decoded into the arena, sized by its raw
         * length, which decoding never exceeds. */
        const char *e = r;
        while (e < end && *e != '"') {
            if (*e == '\\' && e + 1 < end)
                e++;
            e++;
        }
        char *copy = mlops__json_arena_alloc(ps->doc, (size_t)(e - start) + 1);
        if (!copy)
            return mlops__error_nomem();
        memcpy(copy, start, (size_t)(r - start));
        w = copy + (r - start);
        start = copy;
    }
    uint32_t plain = JSON_F_PLAIN;
    for (;;) {
        unsigned char c = (unsigned char)*r;
        if (c == '"')
            break;
        if (c == '\\') {
            plain = 0;
            char e = r[1];
            switch (e) {
            case '"': *w++ = '"'; r += 2; break;
            case '\\': *w++ = '\\'; r += 2; break;
            case '/': *w++ = '/'; r += 2; break;
            case 'b': *w++ = '\b'; r += 2; break;
            case 'f': *w++ = '\f'; r += 2; break;
            case 'n': *w++ = '\n'; r += 2; break;
            case 'r': *w++ = '\r'; r += 2; break;
            case 't': *w++ = '\t'; r += 2; break;
            case 'u': {
                long u = hex4(r + 2);
                if (u < 0)
                    return fail(ps, r, "invalid \\u escape (four hex digits expected)");
                unsigned long cp = (unsigned long)u;
                if (u >= 0xDC00 && u <= 0xDFFF)
                    return fail(ps, r, "lone low surrogate \\u%04lX", cp);
                if (u >= 0xD800 && u <= 0xDBFF) {
                    long lo = (r[6] == '\\' && r[7] == 'u') ? hex4(r + 8) : -1;
                    if (lo < 0xDC00 || lo > 0xDFFF)
                        return fail(ps, r, "lone high surrogate \\u%04lX (no low surrogate follows)",
                                    cp);
                    cp = 0x10000 + ((cp - 0xD800) << 10) + ((unsigned long)lo - 0xDC00);
                    r += 12;
                } else {
                    r += 6;
                }
                w = put_utf8(w, cp);
                break;
            }
            default:
                if (r + 1 >= end)
                    return fail(ps, r + 1, "unexpected end of input in a string escape");
                if ((unsigned char)e >= 0x20 && (unsigned char)e < 0x7F)
                    return fail(ps, r, "invalid escape '\\%c'", e);
                return fail(ps, r, "invalid escape (byte 0x%02X after '\\')", (unsigned char)e);
            }
        } else if (c < 0x20) {
            if (r >= end)
                return fail(ps, q, "unterminated string (end of input)");
            return fail(ps, r, "raw control character 0x%02X in a string (must be escaped)", c);
        } else if (c < 0x80) {
            *w++ = *r++;
        } else {
            size_t n = mlops__json_utf8_seq((const unsigned char *)r);
            if (n == 0)
                return fail(ps, r, "invalid UTF-8 (byte 0x%02X) in a string", c);
            memmove(w, r, n);
            w += n;
            r += n;
        }
        /* Copy the next plain run in one go. */
        char *run = r;
        r = scan_plain(r, end);
        if (r != run) {
            memmove(w, run, (size_t)(r - run));
            w += r - run;
        }
    }
    size_t len = (size_t)(w - start);
    *w = '\0';
    node->offset = (uint32_t)(q - ps->text);
    node->bits = json_bits(MLOPS__JSON_STRING, plain, len);
    node->u.s = start;
    *pp = r + 1;
    return 0;
}

static int parse_number(parser *ps, char **pp, mlops__json *node)
{
    char *p = *pp, *q = p;
    if (*q == '-')
        q++;
    if (*q == '0') {
        q++;
        if (*q >= '0' && *q <= '9')
            return fail(ps, p, "number with a leading zero");
    } else if (*q >= '1' && *q <= '9') {
        while (*q >= '0' && *q <= '9')
            q++;
    } else {
        return fail_unexpected(ps, q, "a digit");
    }
    if (*q == '.') {
        q++;
        if (!(*q >= '0' && *q <= '9'))
            return fail_unexpected(ps, q, "a digit after the decimal point");
        while (*q >= '0' && *q <= '9')
            q++;
    }
    if (*q == 'e' || *q == 'E') {
        q++;
        if (*q == '+' || *q == '-')
            q++;
        if (!(*q >= '0' && *q <= '9'))
            return fail_unexpected(ps, q, "a digit in the exponent");
        while (*q >= '0' && *q <= '9')
            q++;
    }
    node->offset = (uint32_t)(p - ps->text);
    node->bits = json_bits(MLOPS__JSON_NUMBER, 0, (size_t)(q - p));
    node->u.s = p;
    *pp = q;
    return 0;
}

/* The later of two equal keys among n small-object members, or SIZE_MAX. */
static size_t small_dup(const mlops__json *vals, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        const mlops__json *k = &vals[2 * i];
        size_t len = json_len(k);
        for (size_t j = 0; j < i; j++) {
            const mlops__json *o = &vals[2 * j];
            if (json_len(o) == len && (len == 0 || (o->u.s[0] == k->u.s[0] &&
                                                    memcmp(o->u.s, k->u.s, len) == 0)))
                return i;
        }
    }
    return SIZE_MAX;
}

static int fail_dup(parser *ps, const mlops__json *key)
{
    const char *k = key->u.s;
    size_t len = json_len(key);
    return mlops__json_error_at(MLOPS_E_PARSE, ps->orig, key->offset, ps->source,
                                "duplicate key \"%.*s%s\"", (int)(len > 100 ? 100 : len), k,
                                len > 100 ? "..." : "");
}

/* Close the innermost container: move its values into the arena and leave
 * the container itself on the value stack. */
static int close_container(parser *ps)
{
    frame *f = &ps->frames[ps->depth - 1];
    size_t nvals = ps->top - f->start;
    mlops__json *vals = ps->stack + f->start;
    size_t count = f->is_object ? nvals / 2 : nvals;
    mlops__json node;
    node.offset = f->offset;
    node.u.nodes = NULL;
    uint32_t flags = 0;
    if (f->is_object && count > JSON_INDEX_MIN) {
        /* The index sits just before the nodes (see object_lookup()). */
        json_index *idx = mlops__json_arena_alloc(ps->doc, sizeof *idx + nvals * sizeof *vals);
        if (!idx)
            return mlops__error_nomem();
        mlops__json *nodes = (mlops__json *)(idx + 1);
        memcpy(nodes, vals, nvals * sizeof *vals);
        size_t dup;
        if (mlops__json_index_build(ps->doc, idx, mlops__json_parsed_key_at, nodes, count, &dup))
            return mlops__error_nomem();
        if (dup != SIZE_MAX)
            return fail_dup(ps, &nodes[2 * dup]);
        node.u.nodes = nodes;
        flags = JSON_F_INDEXED;
    } else if (nvals) {
        if (f->is_object) {
            size_t dup = small_dup(vals, count);
            if (dup != SIZE_MAX)
                return fail_dup(ps, &vals[2 * dup]);
        }
        mlops__json *nodes = mlops__json_arena_alloc(ps->doc, nvals * sizeof *vals);
        if (!nodes)
            return mlops__error_nomem();
        memcpy(nodes, vals, nvals * sizeof *vals);
        node.u.nodes = nodes;
    }
    node.bits = json_bits(f->is_object ? MLOPS__JSON_OBJECT : MLOPS__JSON_ARRAY, flags, count);
    ps->top = f->start;
    ps->depth--;
    return push(ps, &node);
}

static int open_container(parser *ps, char *p, int is_object)
{
    if (ps->depth >= ps->max_depth)
        return mlops__json_error_at(MLOPS_E_LIMIT, ps->orig, (size_t)(p - ps->text),
                                    ps->source, "nesting deeper than %zu levels",
                                    ps->max_depth);
    frame *f = &ps->frames[ps->depth++];
    f->start = ps->top;
    f->offset = (uint32_t)(p - ps->text);
    f->is_object = is_object;
    return 0;
}

/* A key, the colon and the whitespace after it; p is at the opening quote. */
static int parse_key(parser *ps, char **pp)
{
    char *p = *pp;
    if (*p != '"')
        return fail_unexpected(ps, p, "a string key");
    mlops__json *key = next_slot(ps);
    if (!key)
        return MLOPS_E_NOMEM;
    int rc = parse_string(ps, &p, key);
    if (rc)
        return rc;
    ps->top++;
    p = skip_ws(p);
    if (*p != ':')
        return fail_unexpected(ps, p, "':' after an object key");
    *pp = skip_ws(p + 1);
    return 0;
}

static int parse_text(parser *ps)
{
    char *p = ps->text;
    const char *end = ps->text + ps->len;
    int rc;
    if (ps->len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
        return fail(ps, p, "byte order mark at the start of the input (not allowed)");
    p = skip_ws(p);
    for (;;) {
        /* A value starts at p; scalars are parsed into the stack slot. */
        mlops__json *v = next_slot(ps);
        if (!v)
            return MLOPS_E_NOMEM;
        switch (*p) {
        case '{':
            if ((rc = open_container(ps, p, 1)))
                return rc;
            p = skip_ws(p + 1);
            if (*p == '}') {
                p++;
                if ((rc = close_container(ps)))
                    return rc;
                goto after_value;
            }
            if ((rc = parse_key(ps, &p)))
                return rc;
            continue;
        case '[':
            if ((rc = open_container(ps, p, 0)))
                return rc;
            p = skip_ws(p + 1);
            if (*p == ']') {
                p++;
                if ((rc = close_container(ps)))
                    return rc;
                goto after_value;
            }
            continue;
        case '"':
            if ((rc = parse_string(ps, &p, v)))
                return rc;
            break;
        case '-': case '0': case '1': case '2': case '3': case '4':
        case '5': case '6': case '7': case '8': case '9':
            if ((rc = parse_number(ps, &p, v)))
                return rc;
            break;
        case 't':
        case 'f':
        case 'n': {
            static const char *const words[] = { "true", "false", "null" };
            static const mlops__json_type types[] = { MLOPS__JSON_TRUE, MLOPS__JSON_FALSE,
                                                      MLOPS__JSON_NULL };
            int w = *p == 't' ? 0 : *p == 'f' ? 1 : 2;
            size_t n = strlen(words[w]);
            if ((size_t)(end - p) < n || memcmp(p, words[w], n) != 0)
                return fail(ps, p, "invalid literal (expected '%s')", words[w]);
            v->offset = (uint32_t)(p - ps->text);
            v->bits = json_bits(types[w], 0, 0);
            v->u.s = NULL;
            p += n;
            break;
        }
        default:
            if (p >= end && ps->depth == 0 && ps->top == 0)
                return fail(ps, p, "empty input (no JSON value)");
            if (*p == ']' || *p == '}')
                return fail(ps, p, "unexpected '%c', expected a value", *p);
            if ((unsigned char)*p == 'N' || (unsigned char)*p == 'I')
                return fail(ps, p, "NaN and Infinity are not JSON numbers");
            return fail_unexpected(ps, p, "a value");
        }
        ps->top++;
    after_value:
        for (;;) {
            if (ps->depth == 0) {
                p = skip_ws(p);
                if (p < end)
                    return fail_unexpected(ps, p, "end of input after the value");
                return 0;
            }
            p = skip_ws(p);
            frame *f = &ps->frames[ps->depth - 1];
            char closer = f->is_object ? '}' : ']';
            if (*p == ',') {
                p = skip_ws(p + 1);
                if (*p == closer)
                    return fail(ps, p, "trailing comma before '%c'", closer);
                if (f->is_object && (rc = parse_key(ps, &p)))
                    return rc;
                break; /* next value */
            }
            if (*p == closer) {
                p++;
                if ((rc = close_container(ps)))
                    return rc;
                continue;
            }
            return fail_unexpected(ps, p, f->is_object ? "',' or '}'" : "',' or ']'");
        }
    }
}

/*
 * Shared by both entry points. `copy` says whether to parse a private copy of
 * `data` (kept by the document) or `data` itself, which the caller keeps
 * alive and whose data[len] is '\0'.
 */
static int parse_bytes(mlops__json_doc **out, char *data, size_t len,
                       const mlops__json_limits *limits, const char *source, int copy)
{
    size_t max_depth = MLOPS__JSON_DEFAULT_MAX_DEPTH, max_size = MLOPS__JSON_DEFAULT_MAX_SIZE;
    /* Limits can only be lowered: a larger value means the default. */
    if (limits && limits->max_depth && limits->max_depth < max_depth)
        max_depth = limits->max_depth;
    if (limits && limits->max_size && limits->max_size < max_size)
        max_size = limits->max_size;
    if (len > max_size)
        return mlops__error_at(MLOPS_E_LIMIT, -1, 0, 0, source,
                               "%s%sinput of %zu bytes exceeds the size limit of %zu bytes",
                               source ? source : "", source ? ": " : "", len, max_size);

    int rc = 0;
    parser ps;
    memset(&ps, 0, sizeof ps);
    ps.source = source;
    ps.len = len;
    ps.max_depth = max_depth;
    ps.inplace = !copy;
    mlops__json_doc *doc = NULL;
    if (mlops__json_doc_new(&doc))
        return MLOPS_E_NOMEM;
    ps.doc = doc;
    /* Chunks sized to the input: about one node per 10 bytes of a manifest. */
    doc->chunk_size = len / 4 > ((size_t)1 << 20) ? ((size_t)1 << 20)
                      : len / 4 > 4096            ? len / 4
                                                  : 4096;
    ps.frames = mlops__malloc(max_depth * sizeof *ps.frames);
    if (copy)
        doc->text = mlops__malloc(len + 1);
    if (!ps.frames || (copy && !doc->text)) {
        rc = mlops__error_nomem();
        goto done;
    }
    if (copy) {
        if (len)
            memcpy(doc->text, data, len);
        doc->text[len] = '\0';
        doc->text_len = len;
        ps.text = doc->text;
    } else {
        ps.text = data;
    }
    ps.orig = data;
    rc = parse_text(&ps);
    if (rc)
        goto done;
    doc->root_node = ps.stack[0];
    doc->root = &doc->root_node;
    *out = doc;
    doc = NULL;
done:
    mlops__free(ps.stack);
    mlops__free(ps.frames);
    mlops__json_doc_free(doc);
    return rc;
}

int mlops__json_parse(mlops__json_doc **out, const char *data, size_t len,
                      const mlops__json_limits *limits, const char *source)
{
    MLOPS__CHECK_ARG(out);
    if (!data && len)
        return mlops__error(MLOPS_E_INVALID, "%s: argument 'data' must not be NULL", __func__);
    /* Only read: the copy is what gets decoded. */
    union {
        const char *c;
        char *m;
    } bytes = { data };
    return parse_bytes(out, bytes.m, len, limits, source, 1);
}

int mlops__json_parse_inplace(mlops__json_doc **out, char *data, size_t len,
                              const mlops__json_limits *limits, const char *source)
{
    MLOPS__CHECK_ARG(out);
    MLOPS__CHECK_ARG(data);
    if (data[len] != '\0')
        return mlops__error(MLOPS_E_INVALID, "%s: data[len] must be '\\0'", __func__);
    return parse_bytes(out, data, len, limits, source, 0);
}
