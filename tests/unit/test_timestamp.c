/*
 * RFC 3339 UTC timestamps: known instants (from Python's datetime), a sweep
 * against the C library's gmtime_r, and every rejection rule.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "mlops.h"

static void known_instants(void **state)
{
    (void)state;
    /* Expected seconds computed with Python: datetime(...,tzinfo=utc).timestamp() */
    static const struct { const char *s; int64_t secs; uint32_t ns; } cases[] = {
        { "1970-01-01T00:00:00Z", 0, 0 },
        { "2026-11-26T09:00:00Z", 1795683600, 0 },
        { "2000-02-29T12:34:56.789Z", 951827696, 789000000 },
        { "1969-12-31T23:59:59.5Z", -1, 500000000 },
        { "1900-03-01T00:00:00Z", -2203891200LL, 0 },
        { "2024-02-29T23:59:59.000000001Z", 1709251199, 1 },
        { "0001-01-01T00:00:00Z", -62135596800LL, 0 },
        { "9999-12-31T23:59:59.999999999Z", 253402300799LL, 999999999 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int64_t s = 0;
        uint32_t ns = 7;
        if (mlops_timestamp_parse(&s, &ns, cases[i].s) != 0)
            fail_msg("%s: %s", cases[i].s, mlops_error_last());
        assert_int_equal(s, cases[i].secs);
        assert_int_equal(ns, cases[i].ns);
        char out[MLOPS_TIMESTAMP_STRING_SIZE];
        assert_int_equal(mlops_timestamp_format(out, s, ns), 0);
        assert_string_equal(out, cases[i].s);
    }
    int64_t s;
    assert_int_equal(mlops_timestamp_parse(&s, NULL, "2026-11-26T09:00:00.120Z"), 0);
    char out[MLOPS_TIMESTAMP_STRING_SIZE];
    assert_int_equal(mlops_timestamp_format(out, s, 120000000), 0);
    assert_string_equal(out, "2026-11-26T09:00:00.12Z"); /* fewest exact digits */
}

static void sweep_agrees_with_gmtime(void **state)
{
    (void)state;
    /* A deterministic walk over 1901..2099 (the range of a 32-bit time_t-free
     * gmtime on every libc) in irregular steps. */
    uint64_t x = 88172645463325252ULL;
    for (int i = 0; i < 200000; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        int64_t secs = -2147483648LL + (int64_t)(x % (4102444800ULL + 2147483648ULL));
        time_t t = (time_t)secs;
        struct tm tm;
        assert_non_null(gmtime_r(&t, &tm));
        char expect[64];
        strftime(expect, sizeof expect, "%Y-%m-%dT%H:%M:%SZ", &tm);
        char got[MLOPS_TIMESTAMP_STRING_SIZE];
        assert_int_equal(mlops_timestamp_format(got, secs, 0), 0);
        assert_string_equal(got, expect);
        int64_t back = 0;
        assert_int_equal(mlops_timestamp_parse(&back, NULL, got), 0);
        assert_int_equal(back, secs);
    }
}

static void rejects_non_utc_and_impossible_times(void **state)
{
    (void)state;
    static const struct { const char *s; int64_t offset; const char *why; } bad[] = {
        { "2026-11-26T09:00:00+02:00", 19, "only UTC" },
        { "2026-11-26T09:00:00+00:00", 19, "only UTC" },
        { "2026-11-26T09:00:00-00:00", 19, "only UTC" },
        { "2026-11-26T09:00:00", 19, "expected 'Z'" },
        { "2026-11-26T09:00:00z", 19, "upper case" },
        { "2026-11-26t09:00:00Z", 10, "upper case" },
        { "2026-11-26 09:00:00Z", 10, "expected 'T'" },
        { "2026-02-30T00:00:00Z", 8, "no such day" },
        { "2025-02-29T00:00:00Z", 8, "no such day" },
        { "1900-02-29T00:00:00Z", 8, "no such day" },
        { "2026-04-31T00:00:00Z", 8, "no such day" },
        { "2026-13-01T00:00:00Z", 5, "month" },
        { "2026-00-01T00:00:00Z", 5, "month" },
        { "2026-11-00T00:00:00Z", 8, "no such day" },
        { "2026-11-26T24:00:00Z", 11, "hour" },
        { "2026-11-26T23:60:00Z", 14, "minute" },
        { "2016-12-31T23:59:60Z", 17, "leap second" },
        { "2026-11-26T09:00:61Z", 17, "second" },
        { "0000-01-01T00:00:00Z", 0, "year 0000" },
        { "2026-11-26T09:00:00.Z", 20, "fraction digits" },
        { "2026-11-26T09:00:00.1234567890Z", 29, "more than 9" },
        { "2026-11-26T09:00:00ZZ", 20, "after 'Z'" },
        { "2026-11-26T09:00:00Z ", 20, "after 'Z'" },
        { "26-11-26T09:00:00Z", 2, "digit" },
        { "2026-1-26T09:00:00Z", 6, "digit" },
        { "", 0, "digit" },
        { "2026-11-26", 10, "expected 'T'" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t s = 42;
        uint32_t ns = 42;
        int rc = mlops_timestamp_parse(&s, &ns, bad[i].s);
        if (rc != MLOPS_E_PARSE)
            fail_msg("\"%s\" accepted", bad[i].s);
        if (mlops_error_last_offset() != bad[i].offset || !strstr(mlops_error_last(), bad[i].why))
            fail_msg("\"%s\": offset %lld, message \"%s\"", bad[i].s,
                     (long long)mlops_error_last_offset(), mlops_error_last());
        assert_int_equal(s, 42);
        assert_int_equal(ns, 42);
    }
}

static void format_rejects_out_of_range(void **state)
{
    (void)state;
    char out[MLOPS_TIMESTAMP_STRING_SIZE];
    assert_int_equal(mlops_timestamp_format(out, 0, 1000000000u), MLOPS_E_INVALID);
    assert_int_equal(mlops_timestamp_format(out, 253402300800LL, 0), MLOPS_E_INVALID);
    assert_non_null(strstr(mlops_error_last(), "0001..9999"));
    assert_int_equal(mlops_timestamp_format(out, -62135596801LL, 0), MLOPS_E_INVALID);
    assert_int_equal(mlops_timestamp_format(out, INT64_MIN, 0), MLOPS_E_INVALID);
    assert_int_equal(mlops_timestamp_format(NULL, 0, 0), MLOPS_E_INVALID);
    int64_t s;
    assert_int_equal(mlops_timestamp_parse(NULL, NULL, "1970-01-01T00:00:00Z"), MLOPS_E_INVALID);
    assert_int_equal(mlops_timestamp_parse(&s, NULL, NULL), MLOPS_E_INVALID);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(known_instants),
        cmocka_unit_test(sweep_agrees_with_gmtime),
        cmocka_unit_test(rejects_non_utc_and_impossible_times),
        cmocka_unit_test(format_rejects_out_of_range),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
