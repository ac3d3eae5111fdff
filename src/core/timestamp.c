/*
 * RFC 3339 timestamps in UTC, converted by arithmetic alone: no locale, no
 * time zone database, no clock, no timegm() (which is neither C11 nor pure).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "mlops/timestamp.h"

#include <string.h>

#include "core/error.h"

static int is_leap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

static int days_in_month(int64_t y, int m)
{
    static const int days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

static int fail(const char *s, size_t at, const char *why)
{
    return mlops__error_at(MLOPS_E_PARSE, (int64_t)at, 1, (uint32_t)at + 1, NULL,
                           "invalid RFC 3339 UTC timestamp \"%.40s\": %s (byte %zu)", s, why,
                           at);
}

/* The value of `n` digits at s[at], already checked to be digits. */
static int number(const char *s, size_t at, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++)
        v = v * 10 + (s[at + (size_t)i] - '0');
    return v;
}

int mlops_timestamp_parse(int64_t *seconds, uint32_t *nanos, const char *str)
{
    MLOPS__CHECK_ARG(seconds);
    MLOPS__CHECK_ARG(str);
    /* The fixed layout, checked byte by byte so the first wrong byte is named;
     * a NUL never matches, so nothing past the string is read. */
    static const char layout[] = "dddd-dd-ddTdd:dd:dd";
    for (size_t i = 0; layout[i]; i++) {
        char c = str[i];
        if (layout[i] == 'd' ? (c < '0' || c > '9') : c != layout[i]) {
            if (layout[i] == 'T' && c == 't')
                return fail(str, i, "write 'T' in upper case");
            return fail(str, i, layout[i] == 'd' ? "expected a digit"
                                : layout[i] == 'T' ? "expected 'T'"
                                : layout[i] == '-' ? "expected '-'" : "expected ':'");
        }
    }
    int Y = number(str, 0, 4), M = number(str, 5, 2), D = number(str, 8, 2);
    int h = number(str, 11, 2), mi = number(str, 14, 2), sec = number(str, 17, 2);
    if (Y < 1)
        return fail(str, 0, "year 0000 is outside 0001..9999");
    if (M < 1 || M > 12)
        return fail(str, 5, "month outside 01..12");
    if (D < 1 || D > days_in_month(Y, M))
        return fail(str, 8, "no such day in that month");
    if (h > 23)
        return fail(str, 11, "hour outside 00..23");
    if (mi > 59)
        return fail(str, 14, "minute outside 00..59");
    if (sec == 60)
        return fail(str, 17, "leap second 60 cannot be represented");
    if (sec > 59)
        return fail(str, 17, "second outside 00..59");
    size_t i = 19;
    uint32_t ns = 0;
    if (str[i] == '.') {
        i++;
        size_t start = i;
        while (str[i] >= '0' && str[i] <= '9') {
            if (i - start == 9)
                return fail(str, i, "more than 9 fraction digits");
            ns = ns * 10 + (uint32_t)(str[i] - '0');
            i++;
        }
        if (i == start)
            return fail(str, i, "expected fraction digits after '.'");
        for (size_t k = i - start; k < 9; k++)
            ns *= 10;
    }
    if (str[i] == '+' || str[i] == '-')
        return fail(str, i, "only UTC is accepted: write 'Z' instead of an offset");
    if (str[i] != 'Z')
        return fail(str, i, str[i] == 'z' ? "write 'Z' in upper case" : "expected 'Z'");
    if (str[i + 1] != '\0')
        return fail(str, i + 1, "unexpected bytes after 'Z'");
    *seconds = days_from_civil(Y, M, D) * 86400 + h * 3600 + mi * 60 + sec;
    if (nanos)
        *nanos = ns;
    return 0;
}

/* Seconds of 0001-01-01T00:00:00Z and of 9999-12-31T23:59:59Z. */
#define MIN_SECONDS (-62135596800LL)
#define MAX_SECONDS (253402300799LL)

int mlops_timestamp_format(char out[MLOPS_TIMESTAMP_STRING_SIZE], int64_t seconds,
                           uint32_t nanos)
{
    MLOPS__CHECK_ARG(out);
    if (nanos > 999999999u)
        return mlops__error(MLOPS_E_INVALID, "mlops_timestamp_format: nanos %u > 999999999",
                            (unsigned)nanos);
    if (seconds < MIN_SECONDS || seconds > MAX_SECONDS)
        return mlops__error(MLOPS_E_INVALID,
                            "mlops_timestamp_format: %lld seconds is outside years 0001..9999",
                            (long long)seconds);
    int64_t days = seconds >= 0 ? seconds / 86400 : -((-seconds + 86399) / 86400);
    int64_t rem = seconds - days * 86400;
    int64_t y;
    int m, d;
    civil_from_days(days, &y, &m, &d);
    int h = (int)(rem / 3600), mi = (int)(rem / 60 % 60), s = (int)(rem % 60);
    char *p = out;
    int vals[6] = { (int)y, m, d, h, mi, s };
    int widths[6] = { 4, 2, 2, 2, 2, 2 };
    const char seps[6] = { '-', '-', 'T', ':', ':', 0 };
    for (int k = 0; k < 6; k++) {
        int v = vals[k];
        for (int w = widths[k] - 1; w >= 0; w--) {
            p[w] = (char)('0' + v % 10);
            v /= 10;
        }
        p += widths[k];
        if (seps[k])
            *p++ = seps[k];
    }
    if (nanos) {
        char frac[9];
        uint32_t v = nanos;
        for (int w = 8; w >= 0; w--) {
            frac[w] = (char)('0' + v % 10);
            v /= 10;
        }
        int len = 9;
        while (frac[len - 1] == '0')
            len--;
        *p++ = '.';
        memcpy(p, frac, (size_t)len);
        p += len;
    }
    *p++ = 'Z';
    *p = '\0';
    return 0;
}
