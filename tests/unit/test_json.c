/*
 * Strict JSON reader, canonical and pretty writers, number formatting, paths.
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * Oracles: JSONTestSuite (test_parsing: y_ must parse, n_ must be rejected),
 * the RFC 8785 vectors of json-canonicalization (input -> output bytes),
 * tests/vectors/ecmascript-numbers (doubles with the string Node's
 * JSON.stringify gives them) and tests/vectors/jcs-node (random documents
 * written irregularly, with the canonical form Node computes).
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
static void check_inplace_agrees(const char *text, size_t len, const char *source);

static void expect_error(const char *text, int code, uint32_t line, uint32_t column)
{
    check_inplace_agrees(text, strlen(text), "e.json");
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

/*
 * mlops__json_parse_inplace() must decide, report and write exactly as
 * mlops__json_parse() does: run both on `text` and compare.
 */
static void check_inplace_agrees(const char *text, size_t len, const char *source)
{
    mlops__json_doc *a = NULL, *b = NULL;
    int ra = mlops__json_parse(&a, text, len, NULL, source);
    char msg[1024], path[512];
    snprintf(msg, sizeof msg, "%s", mlops_error_last());
    snprintf(path, sizeof path, "%s", mlops_error_last_path());
    int64_t off = mlops_error_last_offset();
    uint32_t line = mlops_error_last_line(), col = mlops_error_last_column();
    char *mine = malloc(len + 1);
    assert_non_null(mine);
    memcpy(mine, text, len);
    mine[len] = '\0';
    int rb = mlops__json_parse_inplace(&b, mine, len, NULL, source);
    if (ra != rb)
        fail_msg("%s: parse %d, parse_inplace %d (%s)", source, ra, rb, mlops_error_last());
    if (ra) {
        assert_string_equal(mlops_error_last(), msg);
        assert_string_equal(mlops_error_last_path(), path);
        assert_int_equal(mlops_error_last_offset(), off);
        assert_int_equal(mlops_error_last_line(), line);
        assert_int_equal(mlops_error_last_column(), col);
        assert_null(b);
    } else {
        mlops_buf x = MLOPS_BUF_INIT, y = MLOPS_BUF_INIT;
        int wa = mlops__json_write_pretty(&x, mlops__json_root(a));
        int wb = mlops__json_write_pretty(&y, mlops__json_root(b));
        assert_int_equal(wa, wb);
        assert_int_equal(x.size, y.size);
        if (x.size)
            assert_memory_equal(x.data, y.data, x.size);
        mlops_buf_dispose(&x);
        mlops_buf_dispose(&y);
    }
    mlops__json_doc_free(a);
    mlops__json_doc_free(b);
    free(mine);
}

/* ---- JSONTestSuite ---------------------------------------------------- */

/* y_ files the strict reader rejects on purpose: RFC 8259 only says keys
 * SHOULD be unique, and a signed document with two "version" keys is an
 * attack (docs/formats/overview.md section 1, docs/json.md). */
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
    check_inplace_agrees(text, len, name);
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


static void canonical_matches_node_on_random_documents(void **state)
{
    (void)state;
    char path[4096];
    join(path, vectors(), "jcs-node/cases.txt");
    size_t len;
    char *text = read_file(path, &len);
    size_t count = 0;
    char *line = text;
    while (line < text + len) {
        char *nl = strchr(line, '\n');
        assert_non_null(nl);
        char *want = nl + 1;
        char *nl2 = strchr(want, '\n');
        assert_non_null(nl2);
        *nl2 = '\0';
        size_t wlen = (size_t)(nl2 - want);
        check_inplace_agrees(line, (size_t)(nl - line), "node case");
        mlops__json_doc *doc = NULL;
        if (mlops__json_parse(&doc, line, (size_t)(nl - line), NULL, NULL))
            fail_msg("case %zu: %s", count, mlops_error_last());
        mlops_buf b = MLOPS_BUF_INIT;
        assert_int_equal(mlops__json_write_canonical(&b, mlops__json_root(doc)), 0);
        if (b.size != wlen || memcmp(b.data, want, wlen) != 0)
            fail_msg("case %zu:\n got: %s\nwant: %s", count, b.data, want);
        /* the pretty form reads back to the same canonical bytes */
        mlops__buf_clear(&b);
        assert_int_equal(mlops__json_write_pretty(&b, mlops__json_root(doc)), 0);
        mlops__json_doc_free(doc);
        doc = NULL;
        assert_int_equal(mlops__json_parse(&doc, b.data, b.size, NULL, NULL), 0);
        mlops__buf_clear(&b);
        assert_int_equal(mlops__json_write_canonical(&b, mlops__json_root(doc)), 0);
        assert_int_equal(b.size, wlen);
        assert_memory_equal(b.data, want, wlen);
        mlops__json_doc_free(doc);
        mlops_buf_dispose(&b);
        count++;
        line = nl2 + 1;
    }
    assert_int_equal(count, 2000);
    free(text);
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


static void parse_inplace_borrows_the_callers_bytes(void **state)
{
    (void)state;
    char text[] = "{\"plain\": \"abc\", \"esc\": \"a\\nb\\u00e9\", \"n\": 12.5}";
    size_t len = strlen(text);
    mlops__json_doc *doc = NULL;
    assert_int_equal(mlops__json_parse_inplace(&doc, text, len, NULL, NULL), 0);
    const mlops__json *r = mlops__json_root(doc);
    const char *plain = mlops__json_string(mlops__json_object_find(r, "plain"), NULL);
    assert_string_equal(plain, "abc");
    assert_ptr_equal(plain, text + 11); /* points into the caller's buffer */
    assert_int_equal(text[14], '\0');    /* its closing quote became the NUL */
    assert_string_equal(mlops__json_string(mlops__json_object_find(r, "esc"), NULL),
                        "a\nb\xc3\xa9");
    assert_memory_equal(text + 25, "a\\nb\\u00e9\"", 11); /* escapes left as they were */
    assert_true(mlops__json_double(mlops__json_object_find(r, "n")) == 12.5);
    mlops__json_doc_free(doc);

    /* data[len] must be the NUL sentinel */
    char no_nul[] = "[1]x";
    doc = NULL;
    assert_int_equal(mlops__json_parse_inplace(&doc, no_nul, 3, NULL, NULL), MLOPS_E_INVALID);
    assert_null(doc);
    assert_int_equal(mlops__json_parse_inplace(&doc, NULL, 0, NULL, NULL), MLOPS_E_INVALID);
}

typedef struct inplace_ctx {
    char *text;
    char *work;
    size_t len;
    mlops__json_doc *doc;
} inplace_ctx;

static int op_parse_inplace(void *p)
{
    inplace_ctx *c = p;
    memcpy(c->work, c->text, c->len + 1); /* each attempt on fresh bytes */
    return mlops__json_parse_inplace(&c->doc, c->work, c->len, NULL, NULL);
}

static void cleanup_inplace(void *p)
{
    inplace_ctx *c = p;
    mlops__json_doc_free(c->doc);
    c->doc = NULL;
}

static void out_of_memory_in_parse_inplace_fails_cleanly(void **state)
{
    (void)state;
    mlops_buf text = MLOPS_BUF_INIT;
    assert_int_equal(mlops__buf_append_str(&text, "["), 0);
    for (int i = 0; i < 400; i++)
        assert_int_equal(mlops__buf_printf(&text, "%s{\"k\\u00e9%d\":\"v\\t%d\",\"x\":%d}",
                                           i ? "," : "", i, i, i),
                         0);
    assert_int_equal(mlops__buf_append_str(&text, "]"), 0);
    inplace_ctx c = { text.data, malloc(text.size + 1), text.size, NULL };
    assert_non_null(c.work);
    oom_check("parse_inplace", op_parse_inplace, cleanup_inplace, &c, 0);
    free(c.work);
    mlops_buf_dispose(&text);
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


/* ---- numbers ---------------------------------------------------------- */

static void number_formatting_matches_ecmascript_vectors(void **state)
{
    (void)state;
    char path[4096];
    join(path, vectors(), "ecmascript-numbers/numbers.txt");
    size_t len;
    char *text = read_file(path, &len);
    size_t count = 0;
    char *line = text;
    while (line < text + len) {
        char *nl = strchr(line, '\n');
        assert_non_null(nl);
        *nl = '\0';
        char *comma = strchr(line, ',');
        assert_non_null(comma);
        *comma = '\0';
        uint64_t bits = strtoull(line, NULL, 16);
        double x;
        memcpy(&x, &bits, sizeof x);
        char got[32];
        size_t n = mlops__json_format_double(got, x);
        if (n != strlen(comma + 1) || strcmp(got, comma + 1) != 0)
            fail_msg("double %s: got %s, ECMAScript gives %s", line, got, comma + 1);
        count++;
        line = nl + 1;
    }
    assert_true(count > 140000);
    free(text);
}

/* Exact: the text's decimal value is that of its canonical form (Python:
 * Decimal(t) == Decimal(repr(float(t)))). */
static void number_exactness_compares_decimal_values(void **state)
{
    (void)state;
    static const struct {
        const char *t;
        int exact;
    } cases[] = {
        { "-0", 1 }, { "-0.0", 1 }, { "1.0", 1 }, { "1E2", 1 }, { "100e-2", 1 },
        { "0.1e1", 1 }, { "0.1", 1 }, { "0.000001", 1 }, { "1e21", 1 }, { "5E-324", 1 },
        { "9007199254740992", 1 }, { "9007199254740994", 1 }, { "4.35", 1 },
        { "0.0000001", 1 }, { "00.5", 1 }, { "120e-1", 1 }, { "1152921504606847000", 1 },
        { "1152921504606846976", 0 }, /* 2^60: a double, but written 1152921504606847000 */
        { "9007199254740993", 0 }, { "-9007199254740993", 0 }, { "18446744073709551615", 0 },
        { "1.5e-9999", 0 }, { "-1e-400", 0 }, { "333333333.33333329", 0 },
        { "0.10000000000000000001", 0 }, { "1e400", 0 }, { "1e99999999999999999999", 0 },
        { "", 0 }, { "x", 0 }, { "1e", 0 }, { "0x10", 0 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        if (mlops__json_number_exact(cases[i].t, strlen(cases[i].t)) != cases[i].exact)
            fail_msg("%s: want %d", cases[i].t, cases[i].exact);
}

static void numbers_are_rewritten_through_their_double(void **state)
{
    (void)state;
    /* RFC 8785 section 3.2.2.3 examples and the integer fast path's edges */
    static const char *const cases[][2] = {
        { "[-0]", "[0]" },
        { "[-0.0]", "[0]" },
        { "[1.0]", "[1]" },
        { "[1E2]", "[100]" },
        { "[100e-2]", "[1]" },
        { "[123456789012345]", "[123456789012345]" },
        { "[1234567890123456]", "[1234567890123456]" },
        { "[9007199254740993]", "[9007199254740992]" },
        { "[18446744073709551615]", "[18446744073709552000]" },
        { "[1e21]", "[1e+21]" },
        { "[0.000001]", "[0.000001]" },
        { "[0.0000001]", "[1e-7]" },
        { "[1.5e-9999]", "[0]" },
        { "[4.35]", "[4.35]" },
        { "[0.1e1]", "[1]" },
        { "[-1e-400]", "[0]" },
        { "[333333333.33333329]", "[333333333.3333333]" },
        { "[1E30]", "[1e+30]" },
        { "[5E-324]", "[5e-324]" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *got = canonical_of(cases[i][0], strlen(cases[i][0]));
        if (strcmp(got, cases[i][1]) != 0)
            fail_msg("%s: got %s, want %s", cases[i][0], got, cases[i][1]);
        mlops_free(got);
    }
    /* beyond a double: no canonical form (the pretty form keeps the text) */
    mlops__json_doc *doc = NULL;
    assert_int_equal(parse_str(&doc, "[1e400]"), 0);
    assert_false(mlops__json_is_integer(mlops__json_array_get(mlops__json_root(doc), 0)));
    mlops_buf b = MLOPS_BUF_INIT;
    assert_int_equal(mlops__buf_append_str(&b, "keep"), 0);
    assert_int_equal(mlops__json_write_canonical(&b, mlops__json_root(doc)), MLOPS_E_LIMIT);
    assert_string_equal(b.data, "keep"); /* unchanged */
    assert_non_null(strstr(mlops_error_last(), "1e400"));
    mlops__buf_clear(&b);
    assert_int_equal(mlops__json_write_pretty(&b, mlops__json_root(doc)), 0);
    assert_string_equal(b.data, "[\n  1e400\n]\n");
    mlops_buf_dispose(&b);
    mlops__json_doc_free(doc);
}

/* ---- writers ---------------------------------------------------------- */

static void canonical_orders_keys_by_utf16_code_units(void **state)
{
    (void)state;
    /* U+FB01 (EF AC 81) sorts after U+1F600 (a surrogate pair D83D DE00)
     * in UTF-16 although it sorts before it in UTF-8 and code points;
     * RFC 8785 section 3.2.3 uses the same effect. */
    const char *in = "{\"\xef\xac\x81\":1,\"\xf0\x9f\x98\x80\":2,\"b\":3,\"a\":4,\"\":5,"
                     "\"aa\":6,\"\\u0080\":7,\"\\u0000\":8}";
    char *got = canonical_of(in, strlen(in));
    assert_string_equal(got, "{\"\":5,\"\\u0000\":8,\"a\":4,\"aa\":6,\"b\":3,\"\xc2\x80\":7,"
                             "\"\xf0\x9f\x98\x80\":2,\"\xef\xac\x81\":1}");
    mlops_free(got);
}

static void canonical_escapes_only_what_rfc8785_requires(void **state)
{
    (void)state;
    const char *in = "[\"\\u0001\\u001f\\b\\t\\n\\f\\r\\\"\\\\\\/\\u007f\\u00e9\\u2028<>&'\"]";
    char *got = canonical_of(in, strlen(in));
    assert_string_equal(got, "[\"\\u0001\\u001f\\b\\t\\n\\f\\r\\\"\\\\/\x7f\xc3\xa9\xe2\x80\xa8<>&'\"]");
    mlops_free(got);
}

static mlops__json *build_sample(mlops__json_doc *doc)
{
    mlops__json *root = mlops__json_new_object(doc);
    mlops__json *files = mlops__json_new_array(doc);
    mlops__json *file = mlops__json_new_object(doc);
    mlops__json *digest = mlops__json_new_object(doc);
    if (!root || !files || !file || !digest)
        return NULL;
    /* the file object is filled after it was added to the array */
    if (mlops__json_object_set(doc, root, "files", files) ||
        mlops__json_array_push(doc, files, file) ||
        mlops__json_object_set(doc, file, "size", mlops__json_new_uint(doc, UINT64_MAX)) ||
        mlops__json_object_set(doc, file, "path", mlops__json_new_string(doc, "m/a\"b\n", 6)) ||
        mlops__json_object_set(doc, file, "digest", digest) ||
        mlops__json_object_set(doc, digest, "sha256", mlops__json_new_string(doc, "ab", 2)) ||
        mlops__json_object_set(doc, root, "name", mlops__json_new_string(doc, "x", 1)) ||
        mlops__json_object_set(doc, root, "auc", mlops__json_new_double(doc, 0.912)) ||
        mlops__json_object_set(doc, root, "n", mlops__json_new_int(doc, -42)) ||
        mlops__json_object_set(doc, root, "ok", mlops__json_new_bool(doc, 1)) ||
        mlops__json_object_set(doc, root, "no", mlops__json_new_bool(doc, 0)) ||
        mlops__json_object_set(doc, root, "nil", mlops__json_new_null(doc)) ||
        mlops__json_object_set(doc, root, "empty", mlops__json_new_object(doc)) ||
        mlops__json_object_set(doc, root, "list", mlops__json_new_array(doc)) ||
        /* replaces the earlier "name" in place */
        mlops__json_object_set(doc, root, "name", mlops__json_new_string(doc, "y", 1)))
        return NULL;
    return root;
}

static const char sample_canonical[] =
    "{\"auc\":0.912,\"empty\":{},\"files\":[{\"digest\":{\"sha256\":\"ab\"},\"path\":"
    "\"m/a\\\"b\\n\",\"size\":18446744073709552000}],\"list\":[],\"n\":-42,\"name\":\"y\","
    "\"nil\":null,\"no\":false,\"ok\":true}";

static const char sample_pretty[] = "{\n"
                                    "  \"auc\": 0.912,\n"
                                    "  \"empty\": {},\n"
                                    "  \"files\": [\n"
                                    "    {\n"
                                    "      \"digest\": {\n"
                                    "        \"sha256\": \"ab\"\n"
                                    "      },\n"
                                    "      \"path\": \"m/a\\\"b\\n\",\n"
                                    "      \"size\": 18446744073709552000\n"
                                    "    }\n"
                                    "  ],\n"
                                    "  \"list\": [],\n"
                                    "  \"n\": -42,\n"
                                    "  \"name\": \"y\",\n"
                                    "  \"nil\": null,\n"
                                    "  \"no\": false,\n"
                                    "  \"ok\": true\n"
                                    "}\n";

static void built_document_writes_canonical_and_pretty(void **state)
{
    (void)state;
    mlops__json_doc *doc = NULL;
    assert_int_equal(mlops__json_doc_new(&doc), 0);
    mlops__json *root = build_sample(doc);
    assert_non_null(root);
    mlops__json_doc_set_root(doc, root);
    const mlops__json *r = mlops__json_root(doc);
    assert_int_equal(mlops__json_object_size(r), 9);
    assert_string_equal(mlops__json_object_key(r, 1, NULL), "name"); /* insertion order */
    assert_string_equal(mlops__json_string(mlops__json_object_find(r, "name"), NULL), "y");
    const mlops__json *size = mlops__json_object_find(
        mlops__json_array_get(mlops__json_object_find(r, "files"), 0), "size");
    assert_string_equal(mlops__json_number_text(size, NULL), "18446744073709551615");
    assert_false(mlops__json_is_integer(size));
    assert_true(mlops__json_is_integer(mlops__json_object_find(r, "n")));
    assert_int_equal(mlops__json_int(mlops__json_object_find(r, "n")), -42);
    assert_true(mlops__json_double(mlops__json_object_find(r, "auc")) == 0.912);

    mlops_buf b = MLOPS_BUF_INIT;
    assert_int_equal(mlops__json_write_canonical(&b, r), 0);
    assert_string_equal(b.data, sample_canonical);
    mlops__buf_clear(&b);
    assert_int_equal(mlops__json_write_pretty(&b, r), 0);
    assert_string_equal(b.data, sample_pretty);

    /* parsing the pretty form gives the same canonical bytes */
    mlops__json_doc *back = NULL;
    assert_int_equal(mlops__json_parse(&back, b.data, b.size, NULL, NULL), 0);
    mlops__buf_clear(&b);
    assert_int_equal(mlops__json_write_canonical(&b, mlops__json_root(back)), 0);
    assert_string_equal(b.data, sample_canonical);

    /* a deep copy into another document writes the same bytes */
    mlops__json_doc *copy = NULL;
    assert_int_equal(mlops__json_doc_new(&copy), 0);
    mlops__json *c = mlops__json_copy(copy, mlops__json_root(back));
    assert_non_null(c);
    mlops__json_doc_set_root(copy, c);
    mlops__buf_clear(&b);
    assert_int_equal(mlops__json_write_canonical(&b, c), 0);
    assert_string_equal(b.data, sample_canonical);
    mlops__json_doc_free(copy);
    mlops__json_doc_free(back);
    mlops_buf_dispose(&b);

    /* builders refuse what JSON cannot hold */
    assert_null(mlops__json_new_double(doc, NAN));
    assert_null(mlops__json_new_double(doc, INFINITY));
    assert_int_equal(mlops__json_array_push(doc, root, root), MLOPS_E_INVALID);
    /* a failed builder chained into a setter reads as out of memory */
    mlops_error_clear();
    assert_int_equal(mlops__json_object_set(doc, root, "x", NULL), MLOPS_E_NOMEM);
    assert_int_equal(mlops_error_last_code(), MLOPS_E_NOMEM);
    assert_int_equal(mlops__json_array_push(doc, mlops__json_new_array(doc), NULL),
                     MLOPS_E_NOMEM);
    assert_null(mlops__json_object_find(root, "x"));
    mlops__json_doc_free(doc);
}

static void builder_rejects_invalid_utf8_at_write_and_keeps_buffer(void **state)
{
    (void)state;
    mlops__json_doc *doc = NULL;
    assert_int_equal(mlops__json_doc_new(&doc), 0);
    mlops__json *a = mlops__json_new_array(doc);
    assert_int_equal(mlops__json_array_push(doc, a, mlops__json_new_string(doc, "\xff", 1)), 0);
    mlops_buf b = MLOPS_BUF_INIT;
    assert_int_equal(mlops__json_write_canonical(&b, a), MLOPS_E_INVALID);
    assert_int_equal(b.size, 0);
    assert_non_null(strstr(mlops_error_last(), "UTF-8"));
    mlops__json *o = mlops__json_new_object(doc);
    assert_int_equal(mlops__json_object_set(doc, o, "\xc3", mlops__json_new_null(doc)), 0);
    assert_int_equal(mlops__json_write_pretty(&b, o), MLOPS_E_INVALID);
    assert_null(b.data);
    mlops__json_doc_free(doc);
}

static void large_built_object_sorts_and_finds(void **state)
{
    (void)state;
    mlops__json_doc *doc = NULL;
    assert_int_equal(mlops__json_doc_new(&doc), 0);
    mlops__json *o = mlops__json_new_object(doc);
    enum { N = 5000 };
    for (int i = N - 1; i >= 0; i--) {
        char k[16];
        snprintf(k, sizeof k, "k%05d", i);
        assert_int_equal(mlops__json_object_set(doc, o, k, mlops__json_new_int(doc, i)), 0);
    }
    /* setting every key again replaces, it does not add */
    for (int i = 0; i < N; i += 3) {
        char k[16];
        snprintf(k, sizeof k, "k%05d", i);
        assert_int_equal(mlops__json_object_set(doc, o, k, mlops__json_new_int(doc, -i)), 0);
    }
    assert_int_equal(mlops__json_object_size(o), N);
    assert_int_equal(mlops__json_int(mlops__json_object_find(o, "k00003")), -3);
    assert_int_equal(mlops__json_int(mlops__json_object_find(o, "k00004")), 4);
    mlops_buf b = MLOPS_BUF_INIT;
    assert_int_equal(mlops__json_write_canonical(&b, o), 0);
    assert_memory_equal(b.data, "{\"k00000\":0,\"k00001\":1,\"k00002\":2,\"k00003\":-3,", 45);
    mlops_buf_dispose(&b);
    mlops__json_doc_free(doc);
}

static void round_trip_is_byte_identical(void **state)
{
    (void)state;
    static const char *const docs[] = {
        "{\"b\":[1,2.5,-3e-7,true,null,{\"z\":{},\"y\":[]}],\"a\":\"\\u00e9\\ud83d\\ude00\"}",
        "[0.1, 1e300, -1e-300, 123456789012345678901234567890, \"\\u001f\"]",
        "\"just a string\"",
        "{\"\\ud834\\udd1e\": {\"\\uffff\": 1, \"\\ud800\\udc00\": 2}}",
    };
    for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++) {
        char *c1 = canonical_of(docs[i], strlen(docs[i]));
        char *c2 = canonical_of(c1, strlen(c1));
        assert_string_equal(c1, c2);
        mlops_free(c1);
        mlops_free(c2);
    }
}


static void built_documents_deeper_than_the_writer_limit_fail_cleanly(void **state)
{
    (void)state;
    mlops__json_doc *doc = NULL;
    assert_int_equal(mlops__json_doc_new(&doc), 0);
    mlops__json *root = mlops__json_new_array(doc), *cur = root;
    for (int i = 1; i < 600; i++) {
        mlops__json *a = mlops__json_new_array(doc);
        assert_int_equal(mlops__json_array_push(doc, cur, a), 0);
        cur = a;
    }
    mlops_buf b = MLOPS_BUF_INIT;
    assert_int_equal(mlops__buf_append_str(&b, "x"), 0);
    assert_int_equal(mlops__json_write_canonical(&b, root), MLOPS_E_LIMIT);
    assert_string_equal(b.data, "x");
    assert_non_null(strstr(mlops_error_last(), "deeper than 512"));
    assert_int_equal(mlops__json_write_pretty(&b, root), MLOPS_E_LIMIT);
    assert_string_equal(b.data, "x");
    mlops_buf_dispose(&b);
    assert_null(mlops__json_copy(doc, root)); /* no unbounded recursion either */
    mlops__json_doc_free(doc);
}

static void keys_with_embedded_nul_survive_copy_and_write(void **state)
{
    (void)state;
    mlops__json_doc *doc = NULL;
    assert_int_equal(parse_str(&doc, "{\"a\\u0000b\": 1, \"a\": 2}"), 0);
    const mlops__json *r = mlops__json_root(doc);
    size_t len;
    assert_memory_equal(mlops__json_object_key(r, 0, &len), "a\0b", 4);
    assert_int_equal(len, 3);
    /* find takes a C string: "a" is the second member, not a prefix match */
    assert_int_equal(mlops__json_int(mlops__json_object_find(r, "a")), 2);
    mlops__json_doc *copy = NULL;
    assert_int_equal(mlops__json_doc_new(&copy), 0);
    mlops__json *c = mlops__json_copy(copy, r);
    assert_non_null(c);
    assert_int_equal(mlops__json_object_size(c), 2);
    mlops_buf b = MLOPS_BUF_INIT;
    assert_int_equal(mlops__json_write_canonical(&b, c), 0);
    assert_string_equal(b.data, "{\"a\":2,\"a\\u0000b\":1}");
    /* set_n replaces by the full key */
    assert_int_equal(mlops__json_object_set_n(copy, c, "a\0b", 3, mlops__json_new_null(copy)), 0);
    assert_int_equal(mlops__json_object_size(c), 2);
    mlops__buf_clear(&b);
    assert_int_equal(mlops__json_write_canonical(&b, c), 0);
    assert_string_equal(b.data, "{\"a\":2,\"a\\u0000b\":null}");
    mlops_buf_dispose(&b);
    assert_null(mlops__json_new_string(copy, NULL, 1));
    mlops__json *empty = mlops__json_new_string(copy, NULL, 0);
    assert_non_null(empty);
    assert_string_equal(mlops__json_string(empty, &len), "");
    assert_int_equal(len, 0);
    mlops__json_doc_free(copy);
    mlops__json_doc_free(doc);
}

static void size_limit_is_inclusive(void **state)
{
    (void)state;
    mlops__json_doc *doc = NULL;
    mlops__json_limits lim = { 0, 7 };
    assert_int_equal(mlops__json_parse(&doc, "[1,2,3]", 7, &lim, NULL), 0);
    mlops__json_doc_free(doc);
    doc = NULL;
    assert_int_equal(mlops__json_parse(&doc, "[1,2,3] ", 8, &lim, NULL), MLOPS_E_LIMIT);
    assert_null(doc);
    assert_int_equal(mlops_error_last_offset(), -1);
}

/* ---- paths and schema helpers ---------------------------------------- */

static void paths_name_members_and_indexes(void **state)
{
    (void)state;
    mlops__json_path p;
    mlops__json_path_init(&p);
    assert_string_equal(p.text, "$");
    mlops__json_path_push_key(&p, "predicate");
    mlops__json_path_push_key(&p, "files");
    mlops__json_path_push_index(&p, 3);
    mlops__json_path_push_key(&p, "path");
    assert_string_equal(p.text, "$.predicate.files[3].path");
    mlops__json_path_pop(&p);
    mlops__json_path_pop(&p);
    mlops__json_path_push_index(&p, 12);
    mlops__json_path_push_key(&p, "a key \"q\"");
    assert_string_equal(p.text, "$.predicate.files[12][\"a key \\\"q\\\"\"]");
    mlops__json_path_pop(&p);
    mlops__json_path_pop(&p);
    mlops__json_path_pop(&p);
    mlops__json_path_pop(&p);
    mlops__json_path_pop(&p); /* extra pops are harmless */
    assert_string_equal(p.text, "$");

    /* deep or long paths are cut with "..." and pop back correctly */
    char key[200];
    memset(key, 'k', sizeof key - 1);
    key[sizeof key - 1] = '\0';
    for (int i = 0; i < 100; i++)
        mlops__json_path_push_key(&p, key);
    assert_true(p.len < sizeof p.text);
    assert_int_equal(strlen(p.text), p.len);
    assert_string_equal(p.text + p.len - 3, "...");
    for (int i = 0; i < 100; i++)
        mlops__json_path_pop(&p);
    assert_string_equal(p.text, "$");
}

static void schema_errors_name_the_path_and_offset(void **state)
{
    (void)state;
    const char *text = "{\"predicate\": {\"metrics\": {\"auc\": \"high\"}, \"extra\": 1}}";
    mlops__json_doc *doc = NULL;
    assert_int_equal(parse_str(&doc, text), 0);
    const mlops__json *pred = mlops__json_object_find(mlops__json_root(doc), "predicate");
    const mlops__json *auc =
        mlops__json_object_find(mlops__json_object_find(pred, "metrics"), "auc");
    mlops__json_path p;
    mlops__json_path_init(&p);
    mlops__json_path_push_key(&p, "predicate");
    mlops__json_path_push_key(&p, "metrics");
    mlops__json_path_push_key(&p, "auc");
    assert_int_equal(mlops__json_schema_error(&p, auc, "expected a number, found a %s", "string"),
                     MLOPS_E_SCHEMA);
    assert_string_equal(mlops_error_last(),
                        "$.predicate.metrics.auc: expected a number, found a string");
    assert_string_equal(mlops_error_last_path(), "$.predicate.metrics.auc");
    assert_int_equal(mlops_error_last_offset(), 34);
    assert_int_equal(mlops_error_last_code(), MLOPS_E_SCHEMA);

    mlops__json_path_pop(&p);
    mlops__json_path_pop(&p);
    static const char *const allowed[] = { "metrics", NULL };
    assert_int_equal(mlops__json_check_keys(&p, pred, allowed), MLOPS_E_SCHEMA);
    assert_string_equal(mlops_error_last_path(), "$.predicate.extra");
    assert_string_equal(mlops_error_last(), "$.predicate.extra: unknown key \"extra\"");
    assert_int_equal(mlops_error_last_offset(), 43); /* the key */
    assert_string_equal(p.text, "$.predicate"); /* the caller's path is unchanged */
    static const char *const both[] = { "metrics", "extra", NULL };
    assert_int_equal(mlops__json_check_keys(&p, pred, both), 0);
    assert_int_equal(mlops__json_check_keys(&p, auc, both), MLOPS_E_SCHEMA);
    assert_string_equal(mlops_error_last(), "$.predicate: expected an object, found a string");
    mlops__json_doc_free(doc);
}

/* ---- out of memory ---------------------------------------------------- */

typedef struct oom_ctx {
    const char *text;
    size_t len;
    mlops__json_doc *doc;
    mlops_buf buf;
    const mlops__json *value;
} oom_ctx;

static int op_parse(void *p)
{
    oom_ctx *c = p;
    return mlops__json_parse(&c->doc, c->text, c->len, NULL, NULL);
}

static void cleanup_doc(void *p)
{
    oom_ctx *c = p;
    mlops__json_doc_free(c->doc);
    c->doc = NULL;
    mlops_buf_dispose(&c->buf);
}

static int op_build(void *p)
{
    oom_ctx *c = p;
    int rc = mlops__json_doc_new(&c->doc);
    if (rc)
        return rc;
    mlops__json *root = build_sample(c->doc);
    if (!root)
        return mlops__error_nomem();
    /* a member count that needs an index, and a deep copy */
    for (int i = 0; i < 20; i++) {
        char k[8];
        snprintf(k, sizeof k, "m%d", i);
        mlops__json *v = mlops__json_copy(c->doc, root);
        if (!v)
            return mlops__error_nomem();
        if ((rc = mlops__json_object_set(c->doc, root, k, mlops__json_new_int(c->doc, i))))
            return rc;
    }
    mlops__json_doc_set_root(c->doc, root);
    return 0;
}

static int op_write_canonical(void *p)
{
    oom_ctx *c = p;
    return mlops__json_write_canonical(&c->buf, c->value);
}

static int op_write_pretty(void *p)
{
    oom_ctx *c = p;
    return mlops__json_write_pretty(&c->buf, c->value);
}

static void cleanup_buf(void *p)
{
    oom_ctx *c = p;
    mlops_buf_dispose(&c->buf);
}

static void out_of_memory_in_parse_build_and_write_fails_cleanly(void **state)
{
    (void)state;
    /* big enough for several arena chunks, an indexed object and a
     * value stack that grows */
    mlops_buf text = MLOPS_BUF_INIT;
    assert_int_equal(mlops__buf_append_str(&text, "{\"files\":["), 0);
    for (int i = 0; i < 300; i++)
        assert_int_equal(mlops__buf_printf(&text,
                                           "%s{\"path\":\"f%d\\u00e9\",\"size\":%d,\"x\":1.5e%d}",
                                           i ? "," : "", i, i, i % 40),
                         0);
    assert_int_equal(mlops__buf_append_str(&text, "],\"o\":{"), 0);
    for (int i = 0; i < 40; i++)
        assert_int_equal(mlops__buf_printf(&text, "%s\"k%d\":[%d]", i ? "," : "", i, i), 0);
    assert_int_equal(mlops__buf_append_str(&text, "}}"), 0);
    char *copy = malloc(text.size);
    memcpy(copy, text.data, text.size);
    oom_ctx c = { copy, text.size, NULL, MLOPS_BUF_INIT, NULL };
    size_t tsize = text.size;
    mlops_buf_dispose(&text);

    long n = oom_check("parse", op_parse, cleanup_doc, &c, 0);
    assert_true(n >= 3);
    oom_check("build", op_build, cleanup_doc, &c, 0);

    assert_int_equal(mlops__json_parse(&c.doc, copy, tsize, NULL, NULL), 0);
    c.value = mlops__json_root(c.doc);
    mlops__json_doc *doc = c.doc;
    c.doc = NULL;
    oom_check("canonical", op_write_canonical, cleanup_buf, &c, 0);
    oom_check("pretty", op_write_pretty, cleanup_buf, &c, 0);
    mlops__json_doc_free(doc);

    assert_int_equal(op_build(&c), 0);
    c.value = mlops__json_root(c.doc);
    doc = c.doc;
    c.doc = NULL;
    oom_check("canonical built", op_write_canonical, cleanup_buf, &c, 0);
    oom_check("pretty built", op_write_pretty, cleanup_buf, &c, 0);
    mlops__json_doc_free(doc);
    free(copy);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(json_test_suite_y_parse_n_rejected_i_as_documented),
        cmocka_unit_test(jcs_vectors_serialise_to_expected_bytes),
        cmocka_unit_test(canonical_matches_node_on_random_documents),
        cmocka_unit_test(accessors_read_every_kind_of_value),
        cmocka_unit_test(scalar_documents_and_whitespace),
        cmocka_unit_test(large_object_find_and_duplicate_check),
        cmocka_unit_test(parse_inplace_borrows_the_callers_bytes),
        cmocka_unit_test(out_of_memory_in_parse_inplace_fails_cleanly),
        cmocka_unit_test(errors_carry_offset_line_and_column),
        cmocka_unit_test(truncated_documents_are_rejected_at_every_length),
        cmocka_unit_test(depth_limit_without_recursion),
        cmocka_unit_test(ten_megabyte_string_and_size_limit),
        cmocka_unit_test(number_formatting_matches_ecmascript_vectors),
        cmocka_unit_test(numbers_are_rewritten_through_their_double),
        cmocka_unit_test(number_exactness_compares_decimal_values),
        cmocka_unit_test(canonical_orders_keys_by_utf16_code_units),
        cmocka_unit_test(canonical_escapes_only_what_rfc8785_requires),
        cmocka_unit_test(built_document_writes_canonical_and_pretty),
        cmocka_unit_test(builder_rejects_invalid_utf8_at_write_and_keeps_buffer),
        cmocka_unit_test(large_built_object_sorts_and_finds),
        cmocka_unit_test(round_trip_is_byte_identical),
        cmocka_unit_test(built_documents_deeper_than_the_writer_limit_fail_cleanly),
        cmocka_unit_test(keys_with_embedded_nul_survive_copy_and_write),
        cmocka_unit_test(size_limit_is_inclusive),
        cmocka_unit_test(paths_name_members_and_indexes),
        cmocka_unit_test(schema_errors_name_the_path_and_offset),
        cmocka_unit_test(out_of_memory_in_parse_build_and_write_fails_cleanly),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
