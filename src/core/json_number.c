/*
 * Numbers: locale-independent strtod and ECMAScript Number::toString.
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * Shortest round-trip digits are found with the C library's correctly
 * rounding conversions (glibc's printf and strtod are exact): for a
 * precision p, the p-digit decimal nearest to x is printed with "%.*e"; if it
 * does not read back as x, the p-digit neighbour on the other side of x is
 * tried too (at a power of two the rounding interval is lopsided, so the
 * nearest can miss while the other one hits). Some p-digit decimal reads back
 * as x exactly when one of those two does.
 *
 * Precisions 15, 16, 17 are tried in that order (17 always works). If the
 * shortest form d has k <= 15 digits, then |x - d| is at most half an ulp of
 * x (below 1.2e-16 x) while the 15-digit grid around x is at least 1e-15 x
 * wide, so the 15-digit decimal nearest to x is d followed by zeros: p = 15
 * succeeds and stripping the zeros gives d. Otherwise no decimal of 15 or
 * fewer digits reads back, and 16 or 17 is the answer. (Normal doubles only:
 * subnormals are handled by bisection, below.)
 */
#define _GNU_SOURCE 1 /* strtod_l */
#include <float.h>
#include <inttypes.h>
#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/json_impl.h"

static locale_t c_locale;
static pthread_once_t c_locale_once = PTHREAD_ONCE_INIT;

static void c_locale_init(void) { c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0); }

locale_t mlops__c_locale(void)
{
    pthread_once(&c_locale_once, c_locale_init);
    return c_locale;
}

double mlops__json_strtod(const char *s, char **end)
{
    pthread_once(&c_locale_once, c_locale_init);
    if (c_locale)
        return strtod_l(s, end, c_locale);
    return strtod(s, end); /* only when the C locale could not be made */
}

/* s * 10^q read back as a double. s has at most 18 digits. */
static double decimal_value(uint64_t s, int q)
{
    char b[48];
    snprintf(b, sizeof b, "%" PRIu64 "e%d", s, q);
    return strtod(b, NULL); /* no decimal point: the locale does not matter */
}

static uint64_t pow10u(int n)
{
    uint64_t r = 1;
    while (n-- > 0)
        r *= 10;
    return r;
}

/*
 * Whether a p-digit decimal reads back as x (> 0, finite); if so, the one
 * nearest to x in *s, *q (value s * 10^q).
 */
static int shortest_at(double x, int p, uint64_t *s_out, int *q_out)
{
    char b[64];
    snprintf(b, sizeof b, "%.*e", p - 1, x);
    /* "d.ddde[+-]xx" where the point is whatever the locale says. */
    uint64_t s = 0;
    const char *c = b;
    for (; *c && *c != 'e'; c++)
        if (*c >= '0' && *c <= '9')
            s = s * 10 + (uint64_t)(*c - '0');
    if (*c != 'e')
        return 0;
    int e = atoi(c + 1);
    int q = e - (p - 1);
    double back = decimal_value(s, q);
    if (back == x) {
        *s_out = s;
        *q_out = q;
        return 1;
    }
    /* The other neighbour of x on the p-digit grid. */
    uint64_t s2;
    int q2 = q;
    if (back > x) {
        if (s == pow10u(p - 1)) { /* below 10^(p-1) the grid is ten times finer */
            s2 = pow10u(p) - 1;
            q2 = q - 1;
        } else {
            s2 = s - 1;
        }
    } else {
        s2 = s + 1;
    }
    if (decimal_value(s2, q2) == x) {
        *s_out = s2;
        *q_out = q2;
        return 1;
    }
    return 0;
}

static size_t put_uint(char *out, uint64_t v)
{
    char t[24];
    size_t n = 0;
    do {
        t[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    for (size_t i = 0; i < n; i++)
        out[i] = t[n - 1 - i];
    return n;
}

size_t mlops__json_format_double(char out[32], double value)
{
    size_t o = 0;
    if (value == 0 || !isfinite(value)) { /* -0 too; non-finite is a caller error */
        memcpy(out, "0", 2);
        return 1;
    }
    double x = value;
    if (x < 0) {
        out[o++] = '-';
        x = -x;
    }
    if (x < 9007199254740992.0 && x == floor(x)) {
        o += put_uint(out + o, (uint64_t)x);
        out[o] = '\0';
        return o;
    }
    uint64_t s = 0;
    int q = 0;
    if (x >= DBL_MIN) {
        if (!shortest_at(x, 15, &s, &q) && !shortest_at(x, 16, &s, &q))
            shortest_at(x, 17, &s, &q);
    } else {
        /* Subnormals carry fewer bits, so the argument above fails; a p-digit
         * decimal is also a (p+1)-digit one, so "some p-digit decimal reads
         * back" is monotone in p and bisection finds the smallest p. */
        int lo = 1, hi = 17;
        shortest_at(x, 17, &s, &q);
        while (lo < hi) {
            int mid = (lo + hi) / 2;
            uint64_t sm;
            int qm;
            if (shortest_at(x, mid, &sm, &qm)) {
                hi = mid;
                s = sm;
                q = qm;
            } else {
                lo = mid + 1;
            }
        }
    }
    while (s % 10 == 0) {
        s /= 10;
        q++;
    }
    char d[24];
    int k = (int)put_uint(d, s);
    int n = k + q; /* x = 0.d1d2...dk * 10^n */
    if (k <= n && n <= 21) {
        memcpy(out + o, d, (size_t)k);
        o += (size_t)k;
        for (int i = 0; i < n - k; i++)
            out[o++] = '0';
    } else if (0 < n && n <= 21) {
        memcpy(out + o, d, (size_t)n);
        o += (size_t)n;
        out[o++] = '.';
        memcpy(out + o, d + n, (size_t)(k - n));
        o += (size_t)(k - n);
    } else if (-6 < n && n <= 0) {
        out[o++] = '0';
        out[o++] = '.';
        for (int i = 0; i < -n; i++)
            out[o++] = '0';
        memcpy(out + o, d, (size_t)k);
        o += (size_t)k;
    } else {
        out[o++] = d[0];
        if (k > 1) {
            out[o++] = '.';
            memcpy(out + o, d + 1, (size_t)(k - 1));
            o += (size_t)(k - 1);
        }
        int e = n - 1;
        out[o++] = 'e';
        out[o++] = e < 0 ? '-' : '+';
        o += put_uint(out + o, (uint64_t)(e < 0 ? -e : e));
    }
    out[o] = '\0';
    return o;
}

/*
 * A decimal number reduced to sign, significant digits (no leading or
 * trailing zeros) and the exponent n of x = 0.d1d2...dk * 10^n. Exponents
 * are clamped far outside the double range, so two clamped values never
 * meet a canonical (in-range) one. Returns 0 for a malformed text.
 */
typedef struct decimal {
    int neg, zero;
    const char *d[2]; /* the digits, in at most two runs (around the point) */
    size_t dn[2];
    long n;
} decimal;

static int decimal_read(decimal *r, const char *t, size_t len)
{
    memset(r, 0, sizeof *r);
    size_t i = 0;
    if (i < len && t[i] == '-') {
        r->neg = 1;
        i++;
    }
    size_t ib = i;
    while (i < len && t[i] >= '0' && t[i] <= '9')
        i++;
    size_t ie = i, fb = i, fe = i;
    if (i < len && t[i] == '.') {
        fb = ++i;
        while (i < len && t[i] >= '0' && t[i] <= '9')
            i++;
        fe = i;
    }
    if (ie == ib && fe == fb)
        return 0;
    long e = 0;
    if (i < len && (t[i] == 'e' || t[i] == 'E')) {
        int eneg = 0;
        i++;
        if (i < len && (t[i] == '+' || t[i] == '-'))
            eneg = t[i++] == '-';
        if (i == len)
            return 0;
        for (; i < len; i++) {
            if (t[i] < '0' || t[i] > '9')
                return 0;
            if (e < 100000000L)
                e = e * 10 + (t[i] - '0');
        }
        if (eneg)
            e = -e;
    }
    if (i != len)
        return 0;
    /* Strip leading zeros (each moves the point) and trailing zeros. */
    long n = (long)(ie - ib);
    while (ib < ie && t[ib] == '0') {
        ib++;
        n--;
    }
    if (ib == ie)
        while (fb < fe && t[fb] == '0') {
            fb++;
            n--;
        }
    while (fe > fb && t[fe - 1] == '0')
        fe--;
    if (fe == fb)
        while (ie > ib && t[ie - 1] == '0')
            ie--;
    r->d[0] = t + ib;
    r->dn[0] = ie - ib;
    r->d[1] = t + fb;
    r->dn[1] = fe - fb;
    r->zero = r->dn[0] + r->dn[1] == 0;
    r->n = n + e;
    return 1;
}

static char decimal_digit(const decimal *r, size_t k)
{
    return k < r->dn[0] ? r->d[0][k] : r->d[1][k - r->dn[0]];
}

int mlops__json_number_exact(const char *text, size_t len)
{
    if (!text || len == 0 || len > 4096)
        return 0;
    char buf[4097];
    memcpy(buf, text, len);
    buf[len] = '\0';
    char *end = NULL;
    double x = mlops__json_strtod(buf, &end);
    if (end != buf + len || !isfinite(x))
        return 0;
    char canon[32];
    size_t cn = mlops__json_format_double(canon, x);
    decimal a, b;
    if (!decimal_read(&a, text, len) || !decimal_read(&b, canon, cn))
        return 0;
    if (a.zero || b.zero)
        return a.zero && b.zero; /* -0 and 0 are the same value */
    size_t ka = a.dn[0] + a.dn[1], kb = b.dn[0] + b.dn[1];
    if (a.neg != b.neg || a.n != b.n || ka != kb)
        return 0;
    for (size_t k = 0; k < ka; k++)
        if (decimal_digit(&a, k) != decimal_digit(&b, k))
            return 0;
    return 1;
}
