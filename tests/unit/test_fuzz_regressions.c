/*
 * Regressions found by fuzzing (docs/fuzzing.md): each input is also a seed
 * of its target's corpus under tests/fuzz/corpus.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <limits.h>
#include <math.h>

#include "core/error.h"
#include "mlops.h"

static char *corpus_path(const char *target, const char *name)
{
    const char *src = getenv("MLOPS_SOURCE_ROOT");
    assert_non_null(src);
    static char path[4096];
    snprintf(path, sizeof path, "%s/tests/fuzz/corpus/%s/%s", src, target, name);
    return path;
}

/* fuzz_package: a package whose second tar entry is named with bytes that
 * are not UTF-8 ("in\x93\x9a\x87\xd1\x95\x8c\x90\x91", as Python's tarfile
 * reads the header). The report lists it as an unexpected entry, and
 * mlops_package_report_write_json() failed with "cannot write a string that
 * is not valid UTF-8": a report of a hostile package could not be written.
 * Now the name is written with U+FFFD for each byte that is not UTF-8, the
 * bytes of Python's name.decode("utf-8", "replace"). */
static void test_report_of_a_name_not_utf8_is_written(void **state)
{
    (void)state;
    mlops_package_verify_options o = MLOPS_PACKAGE_VERIFY_OPTIONS_INIT;
    o.flags = MLOPS_PACKAGE_ALLOW_UNSIGNED;
    mlops_package_report *rep = NULL;
    int rc = mlops_package_verify(&rep, corpus_path("package", "regress-entry-name-not-utf8.mlpkg"),
                                  &o);
    assert_int_equal(rc, MLOPS_E_INTEGRITY);
    assert_non_null(rep);
    assert_int_equal(mlops_package_report_count(rep), 1);
    assert_string_equal(mlops_package_report_entry(rep, 0), "in\x93\x9a\x87\xd1\x95\x8c\x90\x91");
    mlops_buf j = MLOPS_BUF_INIT;
    assert_int_equal(mlops_package_report_write_json(&j, rep, 0), 0);
    assert_non_null(strstr(j.data, "\"entry\":\"in\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xd1\x95"
                                   "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\""));
    assert_non_null(strstr(j.data, "\"valid\":false"));
    mlops_buf_dispose(&j);
    mlops_package_report_free(rep);
}

/* A detail or path longer than the error record holds was cut inside a
 * UTF-8 character, leaving a lead byte without its continuation: the
 * record (read by the bindings as UTF-8 and written into JSON documents)
 * was no longer text. A cut now ends on a whole character: 600 "é" (two
 * bytes each) cut to at most 1023 bytes keep 511 of them, 1022 bytes
 * (Python: ("é" * 600).encode()[:1023].decode("utf-8", "ignore")). */
static void test_error_record_cut_on_a_character(void **state)
{
    (void)state;
    char big[1201];
    for (int i = 0; i < 600; i++)
        memcpy(big + 2 * i, "\xc3\xa9", 2);
    big[1200] = '\0';
    mlops__error(MLOPS_E_PARSE, "%s", big);
    assert_int_equal(strlen(mlops_error_last()), 1022);
    assert_memory_equal(mlops_error_last(), big, 1022);
    /* the path: at most 511 bytes, so 255 characters, 510 bytes */
    mlops__error_at(MLOPS_E_PARSE, -1, 0, 0, big, "x");
    assert_int_equal(strlen(mlops_error_last_path()), 510);
    /* a prefix before an over-long detail: "pq: " then 509 characters */
    mlops__error(MLOPS_E_PARSE, "%s", big);
    mlops__error_prefix("pq");
    assert_int_equal(strlen(mlops_error_last()), 4 + 1018);
    /* one byte over: "a" + the characters, cut at 1023 bytes keeps 511 */
    mlops__error(MLOPS_E_PARSE, "a%s", big);
    assert_int_equal(strlen(mlops_error_last()), 1023);
}

/* The same class in the gate: a model name given to
 * mlops_gate_metrics_set_model() that is not UTF-8 went into the "detail" of
 * the gate's model check, and mlops_gate_result_write_json() failed. The name
 * "m\xff" is written as "m" U+FFFD. */
static void test_gate_result_of_a_model_name_not_utf8_is_written(void **state)
{
    (void)state;
    static const char pol[] =
        "{\"schema\":\"libmlops.policy/v1\",\"policy_id\":\"g\",\"revision\":1,"
        "\"signals\":{\"auc\":{\"kind\":\"metric\",\"better\":\"higher\"}},"
        "\"gate\":{\"metrics\":{\"auc\":{\"min\":0.5}}},\"rules\":[]}";
    mlops_policy *p = NULL;
    mlops_gate_metrics *cand = NULL, *champ = NULL;
    mlops_gate_result *g = NULL;
    assert_int_equal(mlops_policy_parse(&p, pol, sizeof pol - 1, NULL, 0), 0);
    assert_int_equal(mlops_gate_metrics_new(&cand), 0);
    assert_int_equal(mlops_gate_metrics_new(&champ), 0);
    assert_int_equal(mlops_gate_metrics_put(cand, "auc", 0.9, NAN, NAN, -1), 0);
    assert_int_equal(mlops_gate_metrics_put(champ, "auc", 0.8, NAN, NAN, -1), 0);
    assert_int_equal(mlops_gate_metrics_set_model(cand, "m\xff", "1.0.0", 0), 0);
    assert_int_equal(mlops_gate_metrics_set_model(champ, "m\xff", "0.9.0", 0), 0);
    assert_int_equal(mlops_policy_gate(&g, p, cand, champ, 0), 0);
    assert_int_equal(mlops_gate_result_action(g), MLOPS_ACTION_NONE);
    mlops_buf j = MLOPS_BUF_INIT;
    assert_int_equal(mlops_gate_result_write_json(&j, g, 0), 0);
    assert_non_null(strstr(j.data, "\"detail\":\"candidate m\xef\xbf\xbd, champion m\xef\xbf\xbd\""));
    mlops_buf_dispose(&j);
    mlops_gate_result_free(g);
    mlops_gate_metrics_free(cand);
    mlops_gate_metrics_free(champ);
    mlops_policy_free(p);
}

/* clang's UBSan in the fuzz build: the names of an unknown code negated
 * the code, undefined for INT_MIN (a code a binding may pass as it is). */
static void test_unknown_code_int_min(void **state)
{
    (void)state;
    assert_string_equal(mlops_error_name(INT_MIN), "MLOPS_E_UNKNOWN");
    assert_string_equal(mlops_strerror(INT_MIN), "unknown error");
    assert_string_equal(mlops_error_name(INT_MIN + 1), "MLOPS_E_UNKNOWN");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_report_of_a_name_not_utf8_is_written),
        cmocka_unit_test(test_error_record_cut_on_a_character),
        cmocka_unit_test(test_gate_result_of_a_model_name_not_utf8_is_written),
        cmocka_unit_test(test_unknown_code_int_min),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
