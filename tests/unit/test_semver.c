/*
 * SemVer 2.0.0: the grammar and precedence examples of semver.org.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "mlops.h"
#include "oom.h"

/* Valid and invalid strings from the test list published with semver.org's
 * recommended regular expression (FAQ). */
static const char *const valid[] = {
    "0.0.4", "1.2.3", "10.20.30", "1.1.2-prerelease+meta", "1.1.2+meta", "1.1.2+meta-valid",
    "1.0.0-alpha", "1.0.0-beta", "1.0.0-alpha.beta", "1.0.0-alpha.beta.1", "1.0.0-alpha.1",
    "1.0.0-alpha0.valid", "1.0.0-alpha.0valid",
    "1.0.0-alpha-a.b-c-somethinglong+build.1-aef.1-its-okay", "1.0.0-rc.1+build.1",
    "2.0.0-rc.1+build.123", "1.2.3-beta", "10.2.3-DEV-SNAPSHOT", "1.2.3-SNAPSHOT-123",
    "1.0.0", "2.0.0", "1.1.7", "2.0.0+build.1848", "2.0.1-alpha.1227", "1.0.0-alpha+beta",
    "1.2.3----RC-SNAPSHOT.12.9.1--.12+788", "1.2.3----R-S.12.9.1--.12+meta",
    "1.2.3----RC-SNAPSHOT.12.9.1--.12", "1.0.0+0.build.1-rc.10000aaa-kk-0.1",
    "1.0.0-0A.is.legal",
    /* the largest numbers this library represents */
    "18446744073709551615.18446744073709551615.18446744073709551615",
};

static const struct { const char *s; int64_t offset; } invalid[] = {
    { "1", 1 }, { "1.2", 3 }, { "1.2.3-0123", 6 }, { "1.2.3-0123.0123", 6 },
    { "1.1.2+.123", 6 }, { "+invalid", 0 }, { "-invalid", 0 }, { "-invalid+invalid", 0 },
    { "-invalid.01", 0 }, { "alpha", 0 }, { "alpha.beta", 0 }, { "alpha.beta.1", 0 },
    { "alpha.1", 0 }, { "alpha+beta", 0 }, { "alpha_beta", 0 }, { "alpha.", 0 },
    { "alpha..", 0 }, { "beta", 0 }, { "1.0.0-alpha_beta", 11 }, { "-alpha.", 0 },
    { "1.0.0-alpha..", 12 }, { "1.0.0-alpha..1", 12 }, { "1.0.0-alpha...1", 12 },
    { "1.0.0-alpha....1", 12 }, { "1.0.0-alpha.....1", 12 }, { "1.0.0-alpha......1", 12 },
    { "1.0.0-alpha.......1", 12 }, { "01.1.1", 0 }, { "1.01.1", 2 }, { "1.1.01", 4 },
    { "1.2", 3 }, { "1.2.3.DEV", 5 }, { "1.2-SNAPSHOT", 3 },
    { "1.2.31.2.3----RC-SNAPSHOT.12.09.1--..12+788", 6 }, { "1.2-RC-SNAPSHOT", 3 },
    { "-1.0.3-gamma+b7718", 0 }, { "+justmeta", 0 }, { "9.8.7+meta+meta", 10 },
    { "9.8.7-whatever+meta+meta", 19 },
    /* the issue's own examples */
    { "01.2.3", 0 }, { "1.2.3-", 6 },
    /* beyond the spec's list: whitespace, empty, overflow, a trailing dot */
    { "", 0 }, { " 1.2.3", 0 }, { "1.2.3 ", 5 }, { "1.2.3-a.", 8 }, { "1.2.3+", 6 },
    { "18446744073709551616.0.0", 19 }, { "v1.2.3", 0 },
};

static void accepts_the_spec_valid_list(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof valid / sizeof valid[0]; i++) {
        if (mlops_semver_validate(valid[i]) != 0)
            fail_msg("\"%s\" rejected: %s", valid[i], mlops_error_last());
        mlops_semver *v = NULL;
        assert_int_equal(mlops_semver_parse(&v, valid[i]), 0);
        mlops_semver_free(v);
    }
}

static void rejects_the_spec_invalid_list_with_offsets(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof invalid / sizeof invalid[0]; i++) {
        mlops_semver *v = (mlops_semver *)&v; /* sentinel: must stay untouched */
        int rc = mlops_semver_parse(&v, invalid[i].s);
        if (rc != MLOPS_E_PARSE)
            fail_msg("\"%s\" accepted (rc %d)", invalid[i].s, rc);
        assert_ptr_equal(v, (mlops_semver *)&v);
        if (mlops_error_last_offset() != invalid[i].offset)
            fail_msg("\"%s\": offset %lld, expected %lld (%s)", invalid[i].s,
                     (long long)mlops_error_last_offset(), (long long)invalid[i].offset,
                     mlops_error_last());
        assert_int_equal(mlops_semver_validate(invalid[i].s), MLOPS_E_PARSE);
        assert_non_null(strstr(mlops_error_last(), "invalid SemVer"));
    }
}

static void error_messages_say_what_is_wrong(void **state)
{
    (void)state;
    assert_int_equal(mlops_semver_validate("1.2"), MLOPS_E_PARSE);
    assert_non_null(strstr(mlops_error_last(), "expected '.' after the minor version"));
    assert_int_equal(mlops_semver_validate("01.2.3"), MLOPS_E_PARSE);
    assert_non_null(strstr(mlops_error_last(), "leading zero"));
    assert_int_equal(mlops_semver_validate("1.2.3-"), MLOPS_E_PARSE);
    assert_non_null(strstr(mlops_error_last(), "empty pre-release identifier"));
    assert_int_equal(mlops_semver_validate("18446744073709551616.0.0"), MLOPS_E_PARSE);
    assert_non_null(strstr(mlops_error_last(), "2^64-1"));
}

static void accessors_return_the_parts(void **state)
{
    (void)state;
    mlops_semver *v = NULL;
    assert_int_equal(mlops_semver_parse(&v, "1.4.0-rc.1+build.5"), 0);
    assert_int_equal(mlops_semver_major(v), 1);
    assert_int_equal(mlops_semver_minor(v), 4);
    assert_int_equal(mlops_semver_patch(v), 0);
    assert_string_equal(mlops_semver_prerelease(v), "rc.1");
    assert_string_equal(mlops_semver_build(v), "build.5");
    mlops_semver_free(v);
    assert_int_equal(mlops_semver_parse(&v, "18446744073709551615.0.7"), 0);
    assert_true(mlops_semver_major(v) == UINT64_MAX);
    assert_int_equal(mlops_semver_patch(v), 7);
    assert_string_equal(mlops_semver_prerelease(v), "");
    assert_string_equal(mlops_semver_build(v), "");
    mlops_semver_free(v);
    mlops_semver_free(NULL);
}

/* The info struct: the parts as semver.org's grammar splits them (absent
 * parts NULL, not ""), and the same as the getters. */
static void info_struct_gives_the_parts(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        uint64_t major, minor, patch;
        const char *pre, *build;
    } cases[] = {
        {"1.4.0-rc.1+build.5", 1, 4, 0, "rc.1", "build.5"},
        {"1.1.2-prerelease+meta", 1, 1, 2, "prerelease", "meta"},
        {"1.0.0-alpha-a.b-c-somethinglong+build.1-aef.1-its-okay", 1, 0, 0,
         "alpha-a.b-c-somethinglong", "build.1-aef.1-its-okay"},
        {"1.2.3----RC-SNAPSHOT.12.9.1--.12", 1, 2, 3, "---RC-SNAPSHOT.12.9.1--.12", NULL},
        {"2.0.0+build.1848", 2, 0, 0, NULL, "build.1848"},
        {"10.20.30", 10, 20, 30, NULL, NULL},
        {"18446744073709551615.18446744073709551615.18446744073709551615", UINT64_MAX,
         UINT64_MAX, UINT64_MAX, NULL, NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        mlops_semver *v = NULL;
        assert_int_equal(mlops_semver_parse(&v, cases[i].text), 0);
        const struct mlops_semver_info *in = mlops_semver_info(v);
        assert_non_null(in);
        assert_int_equal(in->version, MLOPS_SEMVER_INFO_VERSION);
        assert_int_equal(in->size, sizeof(struct mlops_semver_info));
        assert_true(in->major == cases[i].major);
        assert_true(in->minor == cases[i].minor);
        assert_true(in->patch == cases[i].patch);
        if (cases[i].pre)
            assert_string_equal(in->prerelease, cases[i].pre);
        else
            assert_null(in->prerelease);
        if (cases[i].build)
            assert_string_equal(in->build, cases[i].build);
        else
            assert_null(in->build);
        assert_true(mlops_semver_major(v) == in->major);
        assert_true(mlops_semver_minor(v) == in->minor);
        assert_true(mlops_semver_patch(v) == in->patch);
        assert_string_equal(mlops_semver_prerelease(v), in->prerelease ? in->prerelease : "");
        assert_string_equal(mlops_semver_build(v), in->build ? in->build : "");
        mlops_semver_free(v);
    }
    assert_null(mlops_semver_info(NULL));
}

/* semver.org §11: each list is in strictly increasing precedence. */
static const char *const ordered[] = {
    "1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2",
    "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "2.0.0", "2.1.0", "2.1.1",
    /* numbers compare numerically at any size, not as text */
    "10.0.0-2", "10.0.0-10", "10.0.0-99999999999999999999999", "10.0.0-a",
    "18446744073709551615.0.0",
};

static void precedence_follows_section_11(void **state)
{
    (void)state;
    size_t n = sizeof ordered / sizeof ordered[0];
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < n; j++) {
            int expect = i < j ? -1 : i > j ? 1 : 0;
            int got = 2;
            assert_int_equal(mlops_semver_compare_str(&got, ordered[i], ordered[j]), 0);
            if (got != expect)
                fail_msg("%s vs %s: %d, expected %d", ordered[i], ordered[j], got, expect);
            mlops_semver *a = NULL, *b = NULL;
            assert_int_equal(mlops_semver_parse(&a, ordered[i]), 0);
            assert_int_equal(mlops_semver_parse(&b, ordered[j]), 0);
            assert_int_equal(mlops_semver_compare(a, b), expect);
            mlops_semver_free(a);
            mlops_semver_free(b);
        }
    }
}

static void build_metadata_is_ignored_by_precedence(void **state)
{
    (void)state;
    int r = 5;
    assert_int_equal(mlops_semver_compare_str(&r, "1.0.0+a", "1.0.0+b"), 0);
    assert_int_equal(r, 0);
    assert_int_equal(mlops_semver_compare_str(&r, "1.0.0-rc.1+x", "1.0.0-rc.1"), 0);
    assert_int_equal(r, 0);
    assert_int_equal(mlops_semver_compare_str(&r, "1.0.0-alpha+zzz", "1.0.0-alpha.0"), 0);
    assert_int_equal(r, -1);
}

static void bad_arguments(void **state)
{
    (void)state;
    int r = 7;
    assert_int_equal(mlops_semver_compare_str(&r, "1.0.0", "1.0"), MLOPS_E_PARSE);
    assert_non_null(strstr(mlops_error_last(), "second argument"));
    assert_int_equal(r, 7);
    assert_int_equal(mlops_semver_compare_str(&r, "x", "1.0.0"), MLOPS_E_PARSE);
    assert_non_null(strstr(mlops_error_last(), "first argument"));
    assert_int_equal(mlops_semver_compare_str(NULL, "1.0.0", "1.0.0"), MLOPS_E_INVALID);
    assert_int_equal(mlops_semver_compare_str(&r, NULL, "1.0.0"), MLOPS_E_INVALID);
    assert_int_equal(mlops_semver_validate(NULL), MLOPS_E_INVALID);
    mlops_semver *v = NULL;
    assert_int_equal(mlops_semver_parse(NULL, "1.0.0"), MLOPS_E_INVALID);
    assert_int_equal(mlops_semver_parse(&v, NULL), MLOPS_E_INVALID);
    assert_null(v);
    /* NULL handles: defined values, no crash */
    assert_int_equal(mlops_semver_major(NULL), 0);
    assert_string_equal(mlops_semver_prerelease(NULL), "");
    assert_int_equal(mlops_semver_compare(NULL, NULL), 0);
}

typedef struct { mlops_semver *v; } oom_ctx;
static int op_parse(void *p)
{
    return mlops_semver_parse(&((oom_ctx *)p)->v, "1.0.0-rc.1+build.7");
}
static void cleanup_parse(void *p)
{
    oom_ctx *c = p;
    mlops_semver_free(c->v);
    c->v = NULL;
}

static void out_of_memory_is_clean(void **state)
{
    (void)state;
    oom_ctx c = { NULL };
    assert_int_equal(oom_check("mlops_semver_parse", op_parse, cleanup_parse, &c, 0), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(accepts_the_spec_valid_list),
        cmocka_unit_test(rejects_the_spec_invalid_list_with_offsets),
        cmocka_unit_test(error_messages_say_what_is_wrong),
        cmocka_unit_test(accessors_return_the_parts),
        cmocka_unit_test(precedence_follows_section_11),
        cmocka_unit_test(build_metadata_is_ignored_by_precedence),
        cmocka_unit_test(info_struct_gives_the_parts),
        cmocka_unit_test(bad_arguments),
        cmocka_unit_test(out_of_memory_is_clean),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
