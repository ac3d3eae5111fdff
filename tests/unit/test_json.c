/*
 * Strict JSON reader, canonical and pretty writers, number formatting, paths.
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * Oracles: JSONTestSuite (test_parsing: y_ must parse, n_ must be rejected),
 * the RFC 8785 vectors of json-canonicalization (input -> output bytes), and
 * tests/vectors/ecmascript-numbers (doubles with the string Node's
 * JSON.stringify gives them).
 */
#include <dirent.h>
#include <inttypes.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/buf.h"
#include "core/json.h"
#include "mlops.h"
#include "oom.h"

/* ---- helpers ---------------------------------------------------------- */

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)n + 1);
    assert_non_null(b);
    assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    b[n] = '\0';
    *len = (size_t)n;
    return b;
}

/* a + "/" + b into out[4096] */
static void join(char *out, const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la + lb + 2 > 4096)
        fail_msg("path too long");
    memcpy(out, a, la);
    out[la] = '/';
    memcpy(out + la + 1, b, lb + 1);
}

static const char *vectors(void)
{
    const char *v = getenv("MLOPS_VECTORS");
    if (!v)
        fail_msg("MLOPS_VECTORS is not set (run through meson test)");
    return v;
}

static int parse_str(mlops__json_doc **doc, const char *s)
{
    return mlops__json_parse(doc, s, strlen(s), NULL, NULL);
}

/* Parse, expect failure with `code` at 1-based line/column. */
static void expect_error(const char *text, int code, uint32_t line, uint32_t column)
{
    mlops__json_doc *doc = (mlops__json_doc *)0x1;
    int rc = parse_str(&doc, text);
    if (rc != code)
        fail_msg("%s: got %d (%s), expected %d", text, rc, mlops_error_last(), code);
    assert_ptr_equal(doc, (mlops__json_doc *)0x1); /* output untouched */
    assert_int_equal(mlops_error_last_code(), code);
    if (line) {
        if (mlops_error_last_line() != line || mlops_error_last_column() != column)
            fail_msg("%s: error at %u:%u, expected %u:%u (%s)", text, mlops_error_last_line(),
                     mlops_error_last_column(), line, column, mlops_error_last());
    }
}

static char *canonical_of(const char *text, size_t len)
{
    mlops__json_doc *doc = NULL;
    int rc = mlops__json_parse(&doc, text, len, NULL, NULL);
    if (rc)
        fail_msg("parse failed: %s", mlops_error_last());
    mlops_buf b = MLOPS_BUF_INIT;
    rc = mlops__json_write_canonical(&b, mlops__json_root(doc));
    if (rc)
        fail_msg("canonical write failed: %s", mlops_error_last());
    mlops__json_doc_free(doc);
    return b.data;
}

/* ---- JSONTestSuite ---------------------------------------------------- */

/* y_ files the strict reader rejects on purpose: RFC 8259 only says keys
 * SHOULD be unique, and a signed document with two "version" keys is an
 * attack (FORMATS.md section 1, docs/json.md). */
static const char *const y_rejected_duplicates[] = {
    "y_object_duplicated_key.json",
    "y_object_duplicated_key_and_value.json",
    NULL,
};

/* n_ files that are rejected for their depth (MLOPS_E_LIMIT) rather than
 * their syntax: the limit is reached before the syntax error. */
static const char *const n_depth[] = {
    "n_structure_100000_opening_arrays.json",
    "n_structure_open_array_object.json",
    NULL,
};

/* The i_ decisions documented in docs/json.md: 0 = accepted. */
static const struct {
    const char *name;
    int code;
} i_decisions[] = {
    { "i_number_double_huge_neg_exp.json", 0 },
    { "i_number_huge_exp.json", 0 },
    { "i_number_neg_int_huge_exp.json", 0 },
    { "i_number_pos_double_huge_exp.json", 0 },
    { "i_number_real_neg_overflow.json", 0 },
    { "i_number_real_pos_overflow.json", 0 },
    { "i_number_real_underflow.json", 0 },
    { "i_number_too_big_neg_int.json", 0 },
    { "i_number_too_big_pos_int.json", 0 },
    { "i_number_very_big_negative_int.json", 0 },
    { "i_object_key_lone_2nd_surrogate.json", MLOPS_E_PARSE },
    { "i_string_1st_surrogate_but_2nd_missing.json", MLOPS_E_PARSE },
    { "i_string_1st_valid_surrogate_2nd_invalid.json", MLOPS_E_PARSE },
    { "i_string_UTF-16LE_with_BOM.json", MLOPS_E_PARSE },
    { "i_string_UTF-8_invalid_sequence.json", MLOPS_E_PARSE },
    { "i_string_UTF8_surrogate_U+D800.json", MLOPS_E_PARSE },
    { "i_string_incomplete_surrogate_and_escape_valid.json", MLOPS_E_PARSE },
    { "i_string_incomplete_surrogate_pair.json", MLOPS_E_PARSE },
    { "i_string_incomplete_surrogates_escape_valid.json", MLOPS_E_PARSE },
    { "i_string_invalid_lonely_surrogate.json", MLOPS_E_PARSE },
    { "i_string_invalid_surrogate.json", MLOPS_E_PARSE },
    { "i_string_invalid_utf-8.json", MLOPS_E_PARSE },
    { "i_string_inverted_surrogates_U+1D11E.json", MLOPS_E_PARSE },
    { "i_string_iso_latin_1.json", MLOPS_E_PARSE },
    { "i_string_lone_second_surrogate.json", MLOPS_E_PARSE },
    { "i_string_lone_utf8_continuation_byte.json", MLOPS_E_PARSE },
    { "i_string_not_in_unicode_range.json", MLOPS_E_PARSE },
    { "i_string_overlong_sequence_2_bytes.json", MLOPS_E_PARSE },
    { "i_string_overlong_sequence_6_bytes.json", MLOPS_E_PARSE },
    { "i_string_overlong_sequence_6_bytes_null.json", MLOPS_E_PARSE },
    { "i_string_truncated-utf-8.json", MLOPS_E_PARSE },
    { "i_string_utf16BE_no_BOM.json", MLOPS_E_PARSE },
    { "i_string_utf16LE_no_BOM.json", MLOPS_E_PARSE },
    { "i_structure_500_nested_arrays.json", MLOPS_E_LIMIT },
    { "i_structure_UTF-8_BOM_empty_object.json", MLOPS_E_PARSE },
};

static void check_suite_file(const char *dir, const char *name, size_t *counts)
{
    char path[4096];
    join(path, dir, name);
    size_t len;
    char *text = read_file(path, &len);
    mlops__json_doc *doc = NULL;
    int rc = mlops__json_parse(&doc, text, len, NULL, name);
    int dup = 0;
    for (size_t i = 0; y_rejected_duplicates[i]; i++)
        dup |= strcmp(y_rejected_duplicates[i], name) == 0;
    if (dup) {
        if (rc != MLOPS_E_PARSE || !strstr(mlops_error_last(), "duplicate key \"a\""))
            fail_msg("%s must be rejected as a duplicate key: %d %s", name, rc,
                     mlops_error_last());
        counts[3]++;
    } else if (name[0] == 'y') {
        if (rc)
            fail_msg("%s must parse: %s", name, mlops_error_last());
        /* and survive the round trip through the canonical writer, unless
         * a number is beyond a double (none of the y_ files has one) */
        mlops_buf b = MLOPS_BUF_INIT;
        if (mlops__json_write_canonical(&b, mlops__json_root(doc)))
            fail_msg("%s: canonical write failed: %s", name, mlops_error_last());
        mlops_buf_dispose(&b);
        counts[0]++;
    } else if (name[0] == 'n') {
        int want = MLOPS_E_PARSE;
        for (size_t i = 0; n_depth[i]; i++)
            if (strcmp(n_depth[i], name) == 0)
                want = MLOPS_E_LIMIT;
        if (rc != want)
            fail_msg("%s must be rejected with %d, got %d (%s)", name, want, rc,
                     mlops_error_last());
        assert_null(doc);
        /* The message names the file and a position. */
        assert_non_null(strstr(mlops_error_last(), name));
        assert_string_equal(mlops_error_last_path(), name);
        if (want == MLOPS_E_PARSE) {
            assert_true(mlops_error_last_offset() >= 0);
            assert_true(mlops_error_last_line() >= 1);
            assert_non_null(strstr(mlops_error_last(), "line "));
        }
        counts[1]++;
    } else if (name[0] == 'i') {
        size_t k = 0;
        size_t n = sizeof i_decisions / sizeof i_decisions[0];
        while (k < n && strcmp(i_decisions[k].name, name) != 0)
            k++;
        if (k == n)
            fail_msg("%s has no documented decision", name);
        if (rc != i_decisions[k].code)
            fail_msg("%s: decision is %d, got %d (%s)", name, i_decisions[k].code, rc,
                     mlops_error_last());
        counts[2]++;
    }
    mlops__json_doc_free(doc);
    free(text);
}

static void json_test_suite_y_parse_n_rejected_i_as_documented(void **state)
{
    (void)state;
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/json-test-suite/test_parsing", vectors());
    DIR *d = opendir(dir);
    assert_non_null(d);
    struct dirent *e;
    size_t counts[4] = { 0, 0, 0, 0 };
    while ((e = readdir(d)) != NULL) {
        if (strlen(e->d_name) > 5 && strcmp(e->d_name + strlen(e->d_name) - 5, ".json") == 0)
            check_suite_file(dir, e->d_name, counts);
    }
    closedir(d);
    assert_int_equal(counts[0], 93);
    assert_int_equal(counts[3], 2);
    assert_int_equal(counts[1], 188);
    assert_int_equal(counts[2], sizeof i_decisions / sizeof i_decisions[0]);
}

/* ---- RFC 8785 vectors ------------------------------------------------- */

static void jcs_vectors_serialise_to_expected_bytes(void **state)
{
    (void)state;
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/jcs/testdata/input", vectors());
    DIR *d = opendir(dir);
    assert_non_null(d);
    struct dirent *e;
    int seen = 0;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char in[4096], outp[4096], odir[4096];
        join(in, dir, e->d_name);
        join(odir, vectors(), "jcs/testdata/output");
        join(outp, odir, e->d_name);
        size_t ilen, olen;
        char *input = read_file(in, &ilen);
        char *expected = read_file(outp, &olen);
        char *got = canonical_of(input, ilen);
        if (strlen(got) != olen || memcmp(got, expected, olen) != 0)
            fail_msg("%s: canonical form differs\n got: %s\nwant: %s", e->d_name, got,
                     expected);
        /* parse -> canonical -> parse -> canonical is a fixed point */
        char *again = canonical_of(got, strlen(got));
        assert_string_equal(again, got);
        mlops_free(again);
        mlops_free(got);
        free(input);
        free(expected);
        seen++;
    }
    closedir(d);
    assert_int_equal(seen, 6);
}

/* ---- accessors -------------------------------------------------------- */

static void accessors_read_every_kind_of_value(void **state)
{
    (void)state;
    const char *text = "{\"s\": \"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\\u00e9\\ud834\\udd1e\\u0000z\",\n"
                       " \"i\": -9223372036854775808, \"big\": 9223372036854775808,\n"
                       " \"f\": 1.5e3, \"z\": -0, \"t\": true, \"F\": false, \"n\": null,\n"
                       " \"a\": [1, [], {}], \"\\u00e9t\\u00e9\": \"caf\xc3\xa9\"}";
    mlops__json_doc *doc = NULL;
    assert_int_equal(parse_str(&doc, text), 0);
    const mlops__json *r = mlops__json_root(doc);
    assert_int_equal(mlops__json_type_of(r), MLOPS__JSON_OBJECT);
    assert_int_equal(mlops__json_object_size(r), 10);
    assert_int_equal(mlops__json_offset(r), 0);

    size_t len;
    const mlops__json *s = mlops__json_object_find(r, "s");
    const char *sv = mlops__json_string(s, &len);
    static const char want_s[] = "a\"b\\c/d\b\f\n\r\t\xc3\xa9\xf0\x9d\x84\x9e\0z";
    assert_int_equal(len, sizeof want_s - 1);
    assert_memory_equal(sv, want_s, len);
    assert_int_equal(sv[len], '\0');
    assert_int_equal(mlops__json_offset(s), 6);

    const mlops__json *i = mlops__json_object_find(r, "i");
    assert_true(mlops__json_is_integer(i));
    assert_true(mlops__json_int(i) == INT64_MIN);
    const mlops__json *big = mlops__json_object_find(r, "big");
    assert_false(mlops__json_is_integer(big)); /* beyond int64 */
    assert_true(mlops__json_double(big) == 9223372036854775808.0);
    const char *nt = mlops__json_number_text(big, &len);
    assert_int_equal(len, 19);
    assert_memory_equal(nt, "9223372036854775808", 19);

    const mlops__json *f = mlops__json_object_find(r, "f");
    assert_false(mlops__json_is_integer(f));
    assert_true(mlops__json_double(f) == 1500.0);
    nt = mlops__json_number_text(f, &len);
    assert_int_equal(len, 5);
    assert_memory_equal(nt, "1.5e3", 5);
    assert_true(mlops__json_is_integer(mlops__json_object_find(r, "z")));

    assert_int_equal(mlops__json_type_of(mlops__json_object_find(r, "t")), MLOPS__JSON_TRUE);
    assert_int_equal(mlops__json_type_of(mlops__json_object_find(r, "F")), MLOPS__JSON_FALSE);
    assert_int_equal(mlops__json_type_of(mlops__json_object_find(r, "n")), MLOPS__JSON_NULL);
    assert_null(mlops__json_object_find(r, "missing"));

    const mlops__json *a = mlops__json_object_find(r, "a");
    assert_int_equal(mlops__json_array_size(a), 3);
    assert_int_equal(mlops__json_int(mlops__json_array_get(a, 0)), 1);
    assert_int_equal(mlops__json_array_size(mlops__json_array_get(a, 1)), 0);
    assert_int_equal(mlops__json_type_of(mlops__json_array_get(a, 2)), MLOPS__JSON_OBJECT);
    assert_null(mlops__json_array_get(a, 3));

    /* keys in document order, decoded */
    assert_string_equal(mlops__json_object_key(r, 0, &len), "s");
    assert_string_equal(mlops__json_object_key(r, 9, &len), "\xc3\xa9t\xc3\xa9");
    assert_int_equal(len, 5);
    assert_string_equal(mlops__json_string(mlops__json_object_find(r, "\xc3\xa9t\xc3\xa9"), NULL),
                        "caf\xc3\xa9");
    /* wrong-type accessors are harmless */
    assert_null(mlops__json_string(a, &len));
    assert_int_equal(len, 0);
    assert_int_equal(mlops__json_object_size(a), 0);
    assert_int_equal(mlops__json_array_size(s), 0);
    mlops__json_doc_free(doc);
    mlops__json_doc_free(NULL);
}

static void scalar_documents_and_whitespace(void **state)
{
    (void)state;
    mlops__json_doc *doc = NULL;
    assert_int_equal(parse_str(&doc, " \t\r\n 42 \n"), 0);
    assert_int_equal(mlops__json_int(mlops__json_root(doc)), 42);
    assert_int_equal(mlops__json_offset(mlops__json_root(doc)), 5);
    mlops__json_doc_free(doc);
    assert_int_equal(parse_str(&doc, "\"x\""), 0);
    assert_string_equal(mlops__json_string(mlops__json_root(doc), NULL), "x");
    mlops__json_doc_free(doc);
}

static void large_object_find_and_duplicate_check(void **state)
{
    (void)state;
    enum { N = 100000 };
    mlops_buf b = MLOPS_BUF_INIT;
    assert_int_equal(mlops__buf_append_str(&b, "{"), 0);
    for (int i = 0; i < N; i++)
        assert_int_equal(mlops__buf_printf(&b, "%s\"key%d\":%d", i ? "," : "", i, i), 0);
    assert_int_equal(mlops__buf_append_str(&b, "}"), 0);
    mlops__json_doc *doc = NULL;
    assert_int_equal(mlops__json_parse(&doc, b.data, b.size, NULL, NULL), 0);
    const mlops__json *r = mlops__json_root(doc);
    assert_int_equal(mlops__json_object_size(r), N);
    for (int i = 0; i < N; i += 7) {
        char k[32];
        snprintf(k, sizeof k, "key%d", i);
        assert_int_equal(mlops__json_int(mlops__json_object_find(r, k)), i);
    }
    assert_null(mlops__json_object_find(r, "key100000"));
    mlops__json_doc_free(doc);

    /* the same object with its last key repeating the first one */
    char *last = strrchr(b.data, ',');
    assert_non_null(last);
    size_t at = (size_t)(last - b.data) + 1;
    b.size = at;
    assert_int_equal(mlops__buf_append_str(&b, "\"key0\":1}"), 0);
    doc = NULL;
    assert_int_equal(mlops__json_parse(&doc, b.data, b.size, NULL, "big.json"), MLOPS_E_PARSE);
    assert_null(doc);
    assert_int_equal(mlops_error_last_offset(), (int64_t)at);
    assert_non_null(strstr(mlops_error_last(), "duplicate key \"key0\""));
    mlops_buf_dispose(&b);
}

/* ---- errors ----------------------------------------------------------- */

static void errors_carry_offset_line_and_column(void **state)
{
    (void)state;
    mlops__json_doc *doc = NULL;
    const char *text = "{\n  \"a\": 1,\n  \"b\": [1, 2,]\n}";
    assert_int_equal(mlops__json_parse(&doc, text, strlen(text), NULL, "m.json"),
                     MLOPS_E_PARSE);
    assert_int_equal(mlops_error_last_offset(), 25);
    assert_int_equal(mlops_error_last_line(), 3);
    assert_int_equal(mlops_error_last_column(), 14);
    assert_string_equal(mlops_error_last_path(), "m.json");
    assert_string_equal(mlops_error_last(),
                        "m.json: line 3, column 14 (byte 25): trailing comma before ']'");

    /* positions are counted in the caller's bytes even after an escaped
     * newline was decoded in place */
    expect_error("[\"a\\nb\", x]", MLOPS_E_PARSE, 1, 10);
    expect_error("{\"version\": \"1\", \"version\": \"2\"}", MLOPS_E_PARSE, 1, 18);
    assert_string_equal(mlops_error_last(), "line 1, column 18 (byte 17): duplicate key \"version\"");
    expect_error("", MLOPS_E_PARSE, 1, 1);
    expect_error("   ", MLOPS_E_PARSE, 1, 4);
    expect_error("[1, 2", MLOPS_E_PARSE, 1, 6);
    assert_non_null(strstr(mlops_error_last(), "unexpected end of input"));
    expect_error("{\"a\": \"abc", MLOPS_E_PARSE, 1, 7);
    assert_non_null(strstr(mlops_error_last(), "unterminated string"));
    expect_error("{\"a\"", MLOPS_E_PARSE, 1, 5);
    expect_error("[01]", MLOPS_E_PARSE, 1, 2);
    assert_non_null(strstr(mlops_error_last(), "leading zero"));
    expect_error("[NaN]", MLOPS_E_PARSE, 1, 2);
    expect_error("[-Infinity]", MLOPS_E_PARSE, 1, 3);
    expect_error("[1.]", MLOPS_E_PARSE, 1, 4);
    expect_error("[\"a\tb\"]", MLOPS_E_PARSE, 1, 4);
    assert_non_null(strstr(mlops_error_last(), "control character 0x09"));
    expect_error("[\"\\ud800\"]", MLOPS_E_PARSE, 1, 3);
    assert_non_null(strstr(mlops_error_last(), "lone high surrogate"));
    expect_error("[\"\\udc00\"]", MLOPS_E_PARSE, 1, 3);
    assert_non_null(strstr(mlops_error_last(), "lone low surrogate"));
    expect_error("[\"\xc0\xaf\"]", MLOPS_E_PARSE, 1, 3);        /* overlong */
    expect_error("[\"\xed\xa0\x80\"]", MLOPS_E_PARSE, 1, 3);    /* UTF-8 surrogate */
    expect_error("[\"\xf4\x90\x80\x80\"]", MLOPS_E_PARSE, 1, 3); /* above U+10FFFF */
    expect_error("[\"\xe2\x82\"]", MLOPS_E_PARSE, 1, 3);        /* truncated */
    assert_non_null(strstr(mlops_error_last(), "invalid UTF-8"));
    expect_error("\xef\xbb\xbf{}", MLOPS_E_PARSE, 1, 1);
    expect_error("{} {}", MLOPS_E_PARSE, 1, 4);
    expect_error("[tru]", MLOPS_E_PARSE, 1, 2);
    expect_error("{1: 2}", MLOPS_E_PARSE, 1, 2);
    /* an embedded NUL byte is not the end of the input */
    doc = NULL;
    assert_int_equal(mlops__json_parse(&doc, "[1]\0", 4, NULL, NULL), MLOPS_E_PARSE);
    assert_int_equal(mlops_error_last_offset(), 3);
    assert_int_equal(mlops__json_parse(NULL, "1", 1, NULL, NULL), MLOPS_E_INVALID);
    assert_int_equal(mlops__json_parse(&doc, NULL, 1, NULL, NULL), MLOPS_E_INVALID);
}

static void truncated_documents_are_rejected_at_every_length(void **state)
{
    (void)state;
    const char *text = "{\"files\":[{\"path\":\"a\\u00e9\",\"size\":12,\"digest\":{\"sha256\":"
                       "\"ab\"}},true,false,null,-1.5e-3]}";
    size_t n = strlen(text);
    for (size_t cut = 0; cut < n; cut++) {
        mlops__json_doc *doc = NULL;
        int rc = mlops__json_parse(&doc, text, cut, NULL, NULL);
        assert_int_equal(rc, MLOPS_E_PARSE);
        assert_null(doc);
        assert_true(mlops_error_last_offset() <= (int64_t)cut);
    }
    mlops__json_doc *doc = NULL;
    assert_int_equal(mlops__json_parse(&doc, text, n, NULL, NULL), 0);
    mlops__json_doc_free(doc);
}

static void depth_limit_without_recursion(void **state)
{
    (void)state;
    enum { N = 100000 };
    char *t = malloc(2 * N);
    assert_non_null(t);
    memset(t, '[', N);
    memset(t + N, ']', N);
    mlops__json_doc *doc = NULL;
    assert_int_equal(mlops__json_parse(&doc, t, 2 * N, NULL, "deep.json"), MLOPS_E_LIMIT);
    assert_null(doc);
    assert_int_equal(mlops_error_last_offset(), 64); /* the 65th bracket */
    assert_non_null(strstr(mlops_error_last(), "nesting deeper than 64 levels"));
    /* 64 levels are fine, 65 are not; a caller may lower the limit */
    assert_int_equal(mlops__json_parse(&doc, t + N - 64, 128, NULL, NULL), 0);
    mlops__json_doc_free(doc);
    doc = NULL;
    assert_int_equal(mlops__json_parse(&doc, t + N - 65, 130, NULL, NULL), MLOPS_E_LIMIT);
    mlops__json_limits lim = { 3, 0 };
    assert_int_equal(mlops__json_parse(&doc, "[[[1]]]", 7, &lim, NULL), 0);
    mlops__json_doc_free(doc);
    doc = NULL;
    assert_int_equal(mlops__json_parse(&doc, "[[[[1]]]]", 9, &lim, NULL), MLOPS_E_LIMIT);
    assert_int_equal(mlops_error_last_column(), 4);
    /* a limit above the default is the default: it cannot be raised */
    lim.max_depth = 1000;
    assert_int_equal(mlops__json_parse(&doc, t + N - 65, 130, &lim, NULL), MLOPS_E_LIMIT);
    assert_null(doc);
    free(t);
}

static void ten_megabyte_string_and_size_limit(void **state)
{
    (void)state;
    size_t n = 10u << 20;
    char *t = malloc(n + 2);
    assert_non_null(t);
    t[0] = '"';
    for (size_t i = 1; i <= n; i++)
        t[i] = (char)('a' + i % 26);
    t[n + 1] = '"';
    mlops__json_doc *doc = NULL;
    assert_int_equal(mlops__json_parse(&doc, t, n + 2, NULL, NULL), 0);
    size_t len;
    const char *s = mlops__json_string(mlops__json_root(doc), &len);
    assert_int_equal(len, n);
    assert_memory_equal(s, t + 1, n);
    mlops__json_doc_free(doc);
    doc = NULL;
    mlops__json_limits lim = { 0, 1u << 20 };
    assert_int_equal(mlops__json_parse(&doc, t, n + 2, &lim, "big.json"), MLOPS_E_LIMIT);
    assert_null(doc);
    assert_string_equal(mlops_error_last(),
                        "big.json: input of 10485762 bytes exceeds the size limit of 1048576 bytes");
    free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(json_test_suite_y_parse_n_rejected_i_as_documented),
        cmocka_unit_test(jcs_vectors_serialise_to_expected_bytes),
        cmocka_unit_test(accessors_read_every_kind_of_value),
        cmocka_unit_test(scalar_documents_and_whitespace),
        cmocka_unit_test(large_object_find_and_duplicate_check),
        cmocka_unit_test(errors_carry_offset_line_and_column),
        cmocka_unit_test(truncated_documents_are_rejected_at_every_length),
        cmocka_unit_test(depth_limit_without_recursion),
        cmocka_unit_test(ten_megabyte_string_and_size_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
