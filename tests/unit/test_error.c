/*
 * Error codes, the thread-local detail record, versions and allocator hooks.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/error.h"
#include "mlops.h"

static void codes_have_stable_values_and_names(void **state)
{
    (void)state;
    /* The numeric values are ABI: they must never change. */
    static const struct { int code; int value; const char *name; const char *text; } table[] = {
        { MLOPS_OK, 0, "MLOPS_OK", "no error" },
        { MLOPS_E_INVALID, -1, "MLOPS_E_INVALID", "invalid argument" },
        { MLOPS_E_NOMEM, -2, "MLOPS_E_NOMEM", "out of memory" },
        { MLOPS_E_IO, -3, "MLOPS_E_IO", "input/output error" },
        { MLOPS_E_PARSE, -4, "MLOPS_E_PARSE", "parse error" },
        { MLOPS_E_SCHEMA, -5, "MLOPS_E_SCHEMA", "schema violation" },
        { MLOPS_E_LIMIT, -6, "MLOPS_E_LIMIT", "limit exceeded" },
        { MLOPS_E_NOTFOUND, -7, "MLOPS_E_NOTFOUND", "not found" },
        { MLOPS_E_EXISTS, -8, "MLOPS_E_EXISTS", "already exists" },
        { MLOPS_E_INTEGRITY, -9, "MLOPS_E_INTEGRITY", "integrity check failed" },
        { MLOPS_E_SIGNATURE, -10, "MLOPS_E_SIGNATURE", "signature verification failed" },
        { MLOPS_E_UNSAFE, -11, "MLOPS_E_UNSAFE", "unsafe archive entry" },
        { MLOPS_E_VERSION, -12, "MLOPS_E_VERSION", "unsupported version" },
        { MLOPS_E_CANCELLED, -13, "MLOPS_E_CANCELLED", "cancelled" },
        { MLOPS_E_DOMAIN, -14, "MLOPS_E_DOMAIN", "input outside the domain of the computation" },
        { MLOPS_E_LOCKED, -15, "MLOPS_E_LOCKED", "locked by another writer" },
        { MLOPS_E_CRYPTO, -16, "MLOPS_E_CRYPTO", "cryptographic library error" },
        { MLOPS_E_UNSUPPORTED, -17, "MLOPS_E_UNSUPPORTED", "not supported" },
        { MLOPS_E_INTERNAL, -18, "MLOPS_E_INTERNAL", "internal error" },
    };
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        assert_int_equal(table[i].code, table[i].value);
        assert_string_equal(mlops_error_name(table[i].code), table[i].name);
        assert_string_equal(mlops_strerror(table[i].code), table[i].text);
    }
    assert_string_equal(mlops_strerror(-19), "unknown error");
    assert_string_equal(mlops_strerror(1), "unknown error");
    assert_string_equal(mlops_strerror(INT32_MIN), "unknown error");
    assert_string_equal(mlops_error_name(-1000), "MLOPS_E_UNKNOWN");
}

static void last_error_is_recorded_with_position(void **state)
{
    (void)state;
    mlops_error_clear();
    assert_string_equal(mlops_error_last(), "");
    assert_int_equal(mlops_error_last_code(), 0);
    assert_int_equal(mlops_error_last_offset(), -1);
    assert_string_equal(mlops_error_last_path(), "");

    assert_int_equal(mlops__error_at(MLOPS_E_PARSE, 52, 3, 14, "$.predicate.version",
                                     "duplicate key \"%s\"", "version"),
                     MLOPS_E_PARSE);
    assert_string_equal(mlops_error_last(), "duplicate key \"version\"");
    assert_int_equal(mlops_error_last_code(), MLOPS_E_PARSE);
    assert_int_equal(mlops_error_last_offset(), 52);
    assert_int_equal(mlops_error_last_line(), 3);
    assert_int_equal(mlops_error_last_column(), 14);
    assert_string_equal(mlops_error_last_path(), "$.predicate.version");

    assert_int_equal(mlops__error_prefix("manifest.json"), MLOPS_E_PARSE);
    assert_string_equal(mlops_error_last(), "manifest.json: duplicate key \"version\"");
    assert_int_equal(mlops_error_last_offset(), 52);

    /* a plain error resets the position */
    mlops__error(MLOPS_E_IO, "disk on fire");
    assert_int_equal(mlops_error_last_offset(), -1);
    assert_int_equal(mlops_error_last_line(), 0);
    assert_string_equal(mlops_error_last_path(), "");

    /* a successful call leaves the record alone */
    uint8_t d[32];
    assert_int_equal(mlops_digest_buffer(d, "x", 1), 0);
    assert_string_equal(mlops_error_last(), "disk on fire");
    mlops_error_clear();
    assert_string_equal(mlops_error_last(), "");
}

static void long_details_are_cut_not_overflowed(void **state)
{
    (void)state;
    char big[5000];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    mlops__error_at(MLOPS_E_PARSE, 1, 1, 2, big, "%s", big);
    assert_int_equal(strlen(mlops_error_last()), 1023);
    assert_int_equal(strlen(mlops_error_last_path()), 511);
    mlops__error_prefix("%s", big);
    assert_int_equal(strlen(mlops_error_last()), 1023);
    assert_int_equal(mlops_error_last_code(), MLOPS_E_PARSE);
}

/* Each thread fails with its own input and must read back exactly its own
 * detail, however the threads interleave. */
static void *thread_body(void *arg)
{
    intptr_t id = (intptr_t)arg;
    char version[32];
    snprintf(version, sizeof version, "%ld.%ld", (long)id, (long)id);
    for (int i = 0; i < 20000; i++) {
        if (mlops_semver_validate(version) != MLOPS_E_PARSE)
            return (void *)1;
        char expect[96];
        snprintf(expect, sizeof expect, "invalid SemVer \"%s\"", version);
        if (strncmp(mlops_error_last(), expect, strlen(expect)) != 0)
            return (void *)2;
        if (i % 2 && mlops_semver_validate("1.0.0") != 0)
            return (void *)3;
    }
    return NULL;
}

static void errors_are_thread_local(void **state)
{
    (void)state;
    pthread_t t[8];
    for (intptr_t i = 0; i < 8; i++)
        assert_int_equal(pthread_create(&t[i], NULL, thread_body, (void *)(i + 1)), 0);
    for (int i = 0; i < 8; i++) {
        void *r = (void *)99;
        assert_int_equal(pthread_join(t[i], &r), 0);
        assert_null(r);
    }
}

static void versions_agree(void **state)
{
    (void)state;
    assert_string_equal(mlops_version(), MLOPS_VERSION_STRING);
    assert_int_equal(mlops_version_number(), MLOPS_VERSION_NUMBER);
    assert_int_equal(mlops_abi_major(), MLOPS_ABI_MAJOR);
    char expect[32];
    snprintf(expect, sizeof expect, "%d.%d.%d", MLOPS_VERSION_MAJOR, MLOPS_VERSION_MINOR,
             MLOPS_VERSION_PATCH);
    assert_string_equal(mlops_version(), expect);
}

static long hooked;
static void *h_malloc(size_t n, void *ctx) { (*(long *)ctx)++; return malloc(n); }
static void *h_realloc(void *p, size_t n, void *ctx) { (*(long *)ctx)++; return realloc(p, n); }
static void h_free(void *p, void *ctx) { (void)ctx; free(p); }

static void allocator_hooks_see_library_allocations(void **state)
{
    (void)state;
    assert_int_equal(mlops_allocator_set(h_malloc, NULL, h_free, NULL), MLOPS_E_INVALID);
    assert_int_equal(mlops_allocator_set(h_malloc, h_realloc, h_free, &hooked), 0);
    mlops_semver *v = NULL;
    assert_int_equal(mlops_semver_parse(&v, "1.2.3"), 0);
    assert_int_equal(hooked, 1);
    mlops_semver_free(v);
    assert_int_equal(mlops_allocator_set(NULL, NULL, NULL, NULL), 0);
    assert_int_equal(mlops_semver_parse(&v, "1.2.3"), 0);
    assert_int_equal(hooked, 1);
    mlops_semver_free(v);
    mlops_free(NULL);
}

/* errno texts through strerror_r, with a buffer per call site: two in one
 * expression do not overwrite each other (strerror's static buffer would). */
static void errno_text_is_per_call(void **state)
{
    (void)state;
    char want_noent[128], want_unknown[128];
    assert_int_equal(strerror_r(ENOENT, want_noent, sizeof want_noent), 0);
    (void)strerror_r(123456, want_unknown, sizeof want_unknown);
    char both[300];
    snprintf(both, sizeof both, "%s|%s", mlops__strerror(ENOENT), mlops__strerror(123456));
    char expect[300];
    snprintf(expect, sizeof expect, "%s|%s", want_noent, want_unknown);
    assert_string_equal(both, expect);
    assert_non_null(strstr(mlops__strerror(123456), "123456"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(codes_have_stable_values_and_names),
        cmocka_unit_test(last_error_is_recorded_with_position),
        cmocka_unit_test(long_details_are_cut_not_overflowed),
        cmocka_unit_test(errors_are_thread_local),
        cmocka_unit_test(errno_text_is_per_call),
        cmocka_unit_test(versions_agree),
        cmocka_unit_test(allocator_hooks_see_library_allocations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
