/*
 * The rules of the manifest format that are more than types: safe paths,
 * strict order, no two paths equal after case folding, names, times, and the
 * parent link.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "artifact/manifest.h"
#include "core/alloc.h"
#include "core/error.h"
#include "mlops/timestamp.h"

/* 1 for '0'-'9' and 'a'-'f': digests are checked for every file. */
static const unsigned char hex_digit[256] = {
    ['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1, ['6'] = 1, ['7'] = 1,
    ['8'] = 1, ['9'] = 1, ['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1,
};

int mlops__manifest_hex_run(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
    size_t i = 0;
    /* Eight bytes at a time, each byte on its own (no carries: the high bit
     * is cleared before adding): the high bit of (b + 0x80 - t) is set
     * exactly when b >= t, for ASCII b. */
    for (; i + 8 <= n; i += 8) {
        uint64_t x;
        memcpy(&x, u + i, 8);
        uint64_t b = x & ~highs;
        uint64_t ge_0 = b + ones * (0x80 - '0'), gt_9 = b + ones * (0x80 - ':');
        uint64_t ge_a = b + ones * (0x80 - 'a'), gt_f = b + ones * (0x80 - 'g');
        uint64_t ok = ((ge_0 & ~gt_9) | (ge_a & ~gt_f)) & ~x & highs;
        if (ok != highs)
            return 0;
    }
    for (; i < n; i++)
        if (!hex_digit[u[i]])
            return 0;
    return 1;
}

int mlops__manifest_is_hex(const char *s, size_t n)
{
    if (!s)
        return 0;
    const unsigned char *u = (const unsigned char *)s;
    unsigned ok = 1;
    for (size_t i = 0; i < n && ok; i++)
        ok &= hex_digit[u[i]];
    return ok && s[n] == '\0';
}

/* Decode one UTF-8 sequence at s[*i]; 0xFFFFFFFF when malformed. */
static uint32_t utf8_next(const unsigned char *s, size_t len, size_t *i)
{
    size_t p = *i;
    unsigned char c = s[p];
    uint32_t cp;
    size_t n;
    if (c < 0x80) {
        *i = p + 1;
        return c;
    } else if (c >= 0xC2 && c <= 0xDF) {
        cp = c & 0x1F;
        n = 1;
    } else if (c >= 0xE0 && c <= 0xEF) {
        cp = c & 0x0F;
        n = 2;
    } else if (c >= 0xF0 && c <= 0xF4) {
        cp = c & 0x07;
        n = 3;
    } else {
        return 0xFFFFFFFFu;
    }
    if (len - p <= n)
        return 0xFFFFFFFFu;
    for (size_t k = 1; k <= n; k++) {
        if ((s[p + k] & 0xC0) != 0x80)
            return 0xFFFFFFFFu;
        cp = (cp << 6) | (s[p + k] & 0x3F);
    }
    if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF))
        return 0xFFFFFFFFu;
    *i = p + n + 1;
    return cp;
}

int mlops__manifest_utf8_ok(const char *s, size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < len;) {
        uint32_t cp = utf8_next(u, len, &i);
        if (cp == 0xFFFFFFFFu || cp == 0)
            return 0;
    }
    return 1;
}

int mlops__manifest_utf16_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
    const unsigned char *x = (const unsigned char *)a, *y = (const unsigned char *)b;
    size_t i = 0, j = 0;
    while (i < alen && j < blen) {
        /* Equal bytes decode to equal code points; compare code points only
         * where the strings differ. */
        if (x[i] == y[j] && x[i] < 0x80) {
            i++, j++;
            continue;
        }
        uint32_t ca = utf8_next(x, alen, &i), cb = utf8_next(y, blen, &j);
        if (ca == cb)
            continue;
        /* Above U+FFFF a code point is a surrogate pair (0xD800..0xDBFF
         * first), which sorts below U+E000..U+FFFF in UTF-16. */
        uint32_t ua = ca > 0xFFFF ? 0xD800 + ((ca - 0x10000) >> 10) : ca;
        uint32_t ub = cb > 0xFFFF ? 0xD800 + ((cb - 0x10000) >> 10) : cb;
        if (ua != ub)
            return ua < ub ? -1 : 1;
        return ca < cb ? -1 : 1; /* same lead surrogate: trail order = code point order */
    }
    if (i < alen)
        return 1;
    if (j < blen)
        return -1;
    return 0;
}

int mlops__manifest_name_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > MLOPS__MF_MAX_NAME)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        int alnum = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        if (!alnum && (i == 0 || (c != '.' && c != '_' && c != '/' && c != '-')))
            return 0;
    }
    return 1;
}

int mlops__manifest_created_ok(const char *s)
{
    int64_t secs = 0;
    uint32_t nanos = 0;
    if (mlops_timestamp_parse(&secs, &nanos, s) != 0)
        return 0;
    char again[MLOPS_TIMESTAMP_STRING_SIZE];
    if (mlops_timestamp_format(again, secs, nanos) != 0)
        return 0;
    return strcmp(again, s) == 0;
}

/* What a byte means in a path; most bytes are plain and skipped in one loop:
 * 0 plain, 1 '/', 2 forbidden (C0 controls, '\\', DEL), 3 start or part of a
 * multi-byte UTF-8 sequence. */
enum { PB_PLAIN = 0, PB_SLASH = 1, PB_BAD = 2, PB_UTF8 = 3 };
static const unsigned char path_byte[256] = {
    2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2,
    3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
    3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
    3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
    3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3,
};

int mlops__manifest_path_rules(const char *path, size_t len, const char **why, size_t *at)
{
    const unsigned char *p = (const unsigned char *)path;
    *at = 0;
    if (len == 0) {
        *why = "empty path";
        return -1;
    }
    if (len > MLOPS_MANIFEST_MAX_PATH) {
        *why = "path longer than 4096 bytes";
        return -1;
    }
    if (p[0] == '/') {
        *why = "absolute path (leading '/')";
        return -1;
    }
    size_t seg = 0, i = 0; /* start of the current segment, position */
    const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
    for (;;) {
        /* Eight plain bytes at a time: none >= 0x80, below 0x20, '/', '\\'
         * or DEL (exact as "any"); the byte loop then finds which. */
        while (i + 8 <= len) {
            uint64_t x;
            memcpy(&x, p + i, 8);
            uint64_t slash = x ^ (ones * '/'), bslash = x ^ (ones * '\\');
            uint64_t del = x ^ (ones * 0x7F);
            uint64_t special = (x & highs) | ((x - ones * 0x20) & ~x & highs) |
                               ((slash - ones) & ~slash & highs) |
                               ((bslash - ones) & ~bslash & highs) | ((del - ones) & ~del & highs);
            if (special)
                break;
            i += 8;
        }
        while (i < len && path_byte[p[i]] == PB_PLAIN)
            i++;
        if (i < len && path_byte[p[i]] == PB_BAD) {
            *at = i;
            *why = p[i] == '\\' ? "backslash" : p[i] == 0 ? "NUL byte" : "control character";
            return -1;
        }
        if (i < len && path_byte[p[i]] == PB_UTF8) {
            size_t k = i;
            if (utf8_next(p, len, &k) == 0xFFFFFFFFu) {
                *at = i;
                *why = "invalid UTF-8";
                return -1;
            }
            i = k;
            continue;
        }
        /* The end of a segment: '/' or the end of the path. */
        size_t n = i - seg;
        *at = seg;
        if (n == 0) {
            *why = i == len ? "trailing '/'" : "empty segment ('//')";
            return -1;
        }
        if (n == 1 && p[seg] == '.') {
            *why = "'.' segment";
            return -1;
        }
        if (n == 2 && p[seg] == '.' && p[seg + 1] == '.') {
            *why = "'..' segment";
            return -1;
        }
        if (i == len)
            return 0;
        seg = ++i;
    }
}

int mlops_manifest_path_check(const char *path, size_t len)
{
    MLOPS__CHECK_ARG(path);
    const char *why = NULL;
    size_t at = 0;
    if (mlops__manifest_path_rules(path, len, &why, &at))
        return mlops__error_at(MLOPS_E_SCHEMA, (int64_t)at, 1, (uint32_t)at + 1, NULL,
                               "unsafe path \"%.200s\": %s at byte %zu", path, why, at);
    return 0;
}

/*
 * Simple case folding of the scripts where file systems fold case in
 * practice (documented in docs/formats/manifest-v1.md): ASCII, Latin-1,
 * Latin Extended-A, Greek, Cyrillic basic, and the compatibility letters
 * Kelvin, Angstrom, micro, long s and capital sharp s. Other code points fold
 * to themselves.
 */
static uint32_t fold(uint32_t c)
{
    if (c < 0x80)
        return (c >= 'A' && c <= 'Z') ? c + 0x20 : c;
    if (c >= 0xC0 && c <= 0xDE && c != 0xD7)
        return c + 0x20;
    if (c == 0xB5)
        return 0x3BC;
    if (c >= 0x100 && c <= 0x17F) {
        if (c == 0x130 || c == 0x131 || c == 0x138 || c == 0x149)
            return c;
        if (c == 0x178)
            return 0xFF;
        if (c == 0x17F)
            return 's';
        if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E))
            return (c & 1) ? c + 1 : c;
        return (c & 1) ? c : c + 1;
    }
    if (c >= 0x391 && c <= 0x3AB && c != 0x3A2)
        return c + 0x20;
    if (c == 0x3C2)
        return 0x3C3;
    if (c >= 0x410 && c <= 0x42F)
        return c + 0x20;
    if (c >= 0x400 && c <= 0x40F)
        return c + 0x50;
    if (c == 0x1E9E)
        return 0xDF;
    if (c == 0x212A)
        return 'k';
    if (c == 0x212B)
        return 0xE5;
    return c;
}

static size_t put_utf8(unsigned char *o, uint32_t c)
{
    if (c < 0x80) {
        o[0] = (unsigned char)c;
        return 1;
    }
    if (c < 0x800) {
        o[0] = (unsigned char)(0xC0 | (c >> 6));
        o[1] = (unsigned char)(0x80 | (c & 0x3F));
        return 2;
    }
    if (c < 0x10000) {
        o[0] = (unsigned char)(0xE0 | (c >> 12));
        o[1] = (unsigned char)(0x80 | ((c >> 6) & 0x3F));
        o[2] = (unsigned char)(0x80 | (c & 0x3F));
        return 3;
    }
    o[0] = (unsigned char)(0xF0 | (c >> 18));
    o[1] = (unsigned char)(0x80 | ((c >> 12) & 0x3F));
    o[2] = (unsigned char)(0x80 | ((c >> 6) & 0x3F));
    o[3] = (unsigned char)(0x80 | (c & 0x3F));
    return 4;
}

typedef struct folded {
    const unsigned char *s;
    size_t len;
    size_t index;
} folded;

static int folded_cmp(const void *a, const void *b)
{
    const folded *x = a, *y = b;
    size_t n = x->len < y->len ? x->len : y->len;
    int c = memcmp(x->s, y->s, n);
    if (c)
        return c;
    if (x->len != y->len)
        return x->len < y->len ? -1 : 1;
    return x->index < y->index ? -1 : (x->index > y->index);
}

static int path_fault(size_t i, const char *fmt, ...) MLOPS__PRINTF(2, 3);

static int path_fault(size_t i, const char *fmt, ...)
{
    char jp[64], detail[640];
    snprintf(jp, sizeof jp, "$.predicate.files[%zu].path", i);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    return mlops__error_at(MLOPS_E_SCHEMA, -1, 0, 0, jp, "manifest: %s: %s", jp, detail);
}

/* 1 when `p` has an upper-case ASCII letter or a non-ASCII byte: only then
 * can case folding change it. Eight bytes at a time. */
static int may_fold(const unsigned char *p, size_t len)
{
    const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
    size_t k = 0;
    for (; k + 8 <= len; k += 8) {
        uint64_t x;
        memcpy(&x, p + k, 8);
        /* Any byte >= 0x80, or any byte in 'A'..'Z' (0x41..0x5A) among
         * ASCII bytes: (b + 0x3F) has its high bit set for b >= 0x41, and
         * (b + 0x25) for b >= 0x5B. */
        uint64_t low = x & ~highs;
        uint64_t ge_a = (low + ones * 0x3F) & highs;
        uint64_t gt_z = (low + ones * 0x25) & highs;
        if ((x & highs) | (ge_a & ~gt_z))
            return 1;
    }
    for (; k < len; k++)
        if ((p[k] >= 'A' && p[k] <= 'Z') || p[k] >= 0x80)
            return 1;
    return 0;
}

/* Whether `cur` fails to sort strictly after `prev` (byte order). */
static int out_of_order(const char *prev, size_t plen, const char *cur, size_t qlen)
{
    int c = memcmp(prev, cur, plen < qlen ? plen : qlen);
    return c > 0 || (c == 0 && plen >= qlen);
}

void mlops__manifest_note_path(mlops_manifest *m, const char *prev, size_t plen,
                               const char *cur, size_t qlen, size_t i)
{
    if (prev && !m->order_fault && out_of_order(prev, plen, cur, qlen))
        m->order_fault = i + 1;
    if (!m->paths_foldable)
        m->paths_foldable = may_fold((const unsigned char *)cur, qlen);
}

/* The fault for file i not sorting after file i - 1. */
static int order_fault(const mlops_manifest *m, size_t i)
{
    size_t plen = 0, qlen = 0;
    const char *prev = mlops__manifest_file_path(mlops__manifest_file(m, i - 1), &plen);
    const char *cur = mlops__manifest_file_path(mlops__manifest_file(m, i), &qlen);
    int c = memcmp(prev, cur, plen < qlen ? plen : qlen);
    if (c == 0 && plen == qlen)
        return path_fault(i, "duplicate path \"%.200s\" (also files[%zu])", cur, i - 1);
    return path_fault(i, "\"%.200s\" must sort after \"%.200s\" "
                         "(files are in byte order of their paths; files[%zu])",
                      cur, prev, i - 1);
}

/* Compare `s` with the key `p` + "/" (byte order). */
static int cmp_dir_key(const unsigned char *s, size_t slen, const unsigned char *p, size_t plen)
{
    int c = memcmp(s, p, slen < plen ? slen : plen);
    if (c)
        return c;
    if (slen <= plen)
        return -1; /* s is a prefix of the key (or p itself) */
    return s[plen] < '/' ? -1 : s[plen] > '/';
}

static int dir_fault(size_t file, size_t under, const char *file_path, const char *under_path)
{
    return path_fault(under,
                      "\"%.200s\" is under \"%.200s\", which is a file (files[%zu]): a "
                      "path cannot be both a file and a directory",
                      under_path, file_path, file);
}

/* No path may be a directory of another: with the paths in byte order (or
 * in folded order, `folded` not NULL), the paths under `p` + "/" follow one
 * another from where that key would sort. Returns the fault, or 0. */
static int check_dirs(const mlops_manifest *m, const folded *f)
{
    size_t n = m->n_files;
    for (size_t i = 0; i < n; i++) {
        size_t plen = 0;
        const unsigned char *p =
            f ? f[i].s
              : (const unsigned char *)mlops__manifest_file_path(mlops__manifest_file(m, i),
                                                                 &plen);
        if (f)
            plen = f[i].len;
        size_t lo = i + 1, hi = n; /* first entry not below the key */
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2, slen = 0;
            const unsigned char *s =
                f ? f[mid].s
                  : (const unsigned char *)mlops__manifest_file_path(
                        mlops__manifest_file(m, mid), &slen);
            if (f)
                slen = f[mid].len;
            if (cmp_dir_key(s, slen, p, plen) < 0)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo == n)
            continue;
        size_t slen = 0;
        const unsigned char *s =
            f ? f[lo].s
              : (const unsigned char *)mlops__manifest_file_path(mlops__manifest_file(m, lo),
                                                                 &slen);
        if (f)
            slen = f[lo].len;
        if (slen > plen && memcmp(s, p, plen) == 0 && s[plen] == '/') {
            size_t a = f ? f[i].index : i, b = f ? f[lo].index : lo;
            return dir_fault(a, b, mlops__manifest_file_path(mlops__manifest_file(m, a), NULL),
                             mlops__manifest_file_path(mlops__manifest_file(m, b), NULL));
        }
    }
    return 0;
}

/* Strictly increasing byte order (so unique), no path a directory of
 * another, then both again after folding. */
static int check_paths(const mlops_manifest *m)
{
    int foldable = 0;
    size_t total = 0;
    if (m->paths_noted) {
        if (m->order_fault)
            return order_fault(m, m->order_fault - 1);
        if (m->n_files < 2)
            return 0;
        int rc = check_dirs(m, NULL);
        if (rc || !m->paths_foldable)
            return rc;
        for (size_t i = 0; i < m->n_files; i++) {
            size_t len = 0;
            mlops__manifest_file_path(mlops__manifest_file(m, i), &len);
            total += len;
        }
    } else {
        size_t plen = 0, qlen = 0;
        const char *prev = mlops__manifest_file_path(mlops__manifest_file(m, 0), &plen), *cur;
        for (size_t i = 1; i < m->n_files; i++, prev = cur, plen = qlen) {
            cur = mlops__manifest_file_path(mlops__manifest_file(m, i), &qlen);
            if (out_of_order(prev, plen, cur, qlen))
                return order_fault(m, i);
        }
        if (m->n_files < 2)
            return 0;
        int rc = check_dirs(m, NULL);
        if (rc)
            return rc;
        /* Without upper-case ASCII and non-ASCII bytes folding changes
         * nothing, and the paths are already known to be distinct. */
        for (size_t i = 0; i < m->n_files; i++) {
            size_t len = 0;
            const unsigned char *p = (const unsigned char *)mlops__manifest_file_path(
                mlops__manifest_file(m, i), &len);
            total += len;
            foldable = foldable || may_fold(p, len);
        }
        if (!foldable)
            return 0;
    }
    /* No folding above makes a code point longer in UTF-8 (Kelvin 3 -> 1,
     * micro 2 -> 2, capital sharp s 3 -> 2), so the input's size suffices. */
    unsigned char *buf = mlops__malloc(total ? total : 1);
    folded *f = mlops__reallocarray(NULL, m->n_files, sizeof *f);
    int rc = 0;
    if (!buf || !f) {
        rc = mlops__error_nomem();
        goto done;
    }
    size_t o = 0;
    for (size_t i = 0; i < m->n_files; i++) {
        size_t len = 0;
        const unsigned char *p =
            (const unsigned char *)mlops__manifest_file_path(mlops__manifest_file(m, i), &len);
        f[i].s = buf + o;
        f[i].index = i;
        for (size_t k = 0; k < len;)
            o += put_utf8(buf + o, fold(utf8_next(p, len, &k)));
        f[i].len = (size_t)(buf + o - f[i].s);
    }
    qsort(f, m->n_files, sizeof *f, folded_cmp);
    for (size_t i = 1; i < m->n_files; i++) {
        if (f[i].len == f[i - 1].len && memcmp(f[i].s, f[i - 1].s, f[i].len) == 0) {
            size_t a = f[i - 1].index, b = f[i].index;
            rc = path_fault(b, "\"%.200s\" and \"%.200s\" differ only in case "
                               "(files[%zu]); they would collide on a case-insensitive "
                               "file system",
                            mlops__manifest_file_path(mlops__manifest_file(m, b), NULL),
                            mlops__manifest_file_path(mlops__manifest_file(m, a), NULL), a);
            goto done;
        }
    }
    rc = check_dirs(m, f);
done:
    mlops__free(buf);
    mlops__free(f);
    return rc;
}

int mlops__manifest_check(const mlops_manifest *m)
{
    int rc = check_paths(m);
    if (rc)
        return rc;
    /* The subject names the version it stands for. */
    size_t nl = strlen(m->name), vl = strlen(m->version);
    if (strlen(m->subject_name) != nl + 1 + vl || memcmp(m->subject_name, m->name, nl) != 0 ||
        m->subject_name[nl] != '@' || strcmp(m->subject_name + nl + 1, m->version) != 0)
        return mlops__error_at(MLOPS_E_SCHEMA, -1, 0, 0, "$.subject[0].name",
                               "manifest: $.subject[0].name: \"%.200s\" must be "
                               "\"<name>@<version>\" = \"%.200s@%.200s\"",
                               m->subject_name, m->name, m->version);
    return 0;
}

int mlops_manifest_validate(const mlops_manifest *m)
{
    MLOPS__CHECK_ARG(m);
    /* Every manifest object comes out of mlops__manifest_load, which has run
     * all of the rules (mlops__manifest_check, the path rules) on exactly
     * this immutable content before returning it, and nothing makes
     * a manifest any other way: they are not repeated. The subject binding
     * is cheap and compared again, as documented. */
    if (strcmp(m->subject_sha256, m->tree_hex) != 0)
        return mlops__error_at(MLOPS_E_INTEGRITY, -1, 0, 0, "$.subject[0].digest.sha256",
                               "manifest: subject digest is not the tree digest");
    return 0;
}

int mlops_manifest_check_parent(const mlops_manifest *child, const mlops_manifest *parent)
{
    MLOPS__CHECK_ARG(child);
    MLOPS__CHECK_ARG(parent);
    if (!child->parent_sha256)
        return mlops__error_at(MLOPS_E_NOTFOUND, -1, 0, 0, "$.predicate.parent",
                               "manifest %s@%s has no parent link", child->name,
                               child->version);
    if (strcmp(child->parent_name, parent->name) != 0)
        return mlops__error_at(MLOPS_E_INTEGRITY, -1, 0, 0, "$.predicate.parent.name",
                               "parent link names model \"%s\", the parent is \"%s\"",
                               child->parent_name, parent->name);
    if (strcmp(child->parent_version, parent->version) != 0)
        return mlops__error_at(MLOPS_E_INTEGRITY, -1, 0, 0, "$.predicate.parent.version",
                               "parent link names version \"%s\", the parent is \"%s\"",
                               child->parent_version, parent->version);
    if (strcmp(child->parent_sha256, parent->statement_hex) != 0)
        return mlops__error_at(MLOPS_E_INTEGRITY, -1, 0, 0,
                               "$.predicate.parent.digest.sha256",
                               "parent link digest sha256:%s is not the statement digest "
                               "of %s@%s (sha256:%s)",
                               child->parent_sha256, parent->name, parent->version,
                               parent->statement_hex);
    return 0;
}
