/*
 * The growable buffer behind every byte the library returns.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/buf.h"
#include "mlops.h"
#include "oom.h"

static void appends_keep_a_nul_terminator(void **state)
{
    (void)state;
    mlops_buf b = MLOPS_BUF_INIT;
    assert_int_equal(mlops__buf_append_str(&b, "sha256"), 0);
    assert_int_equal(mlops__buf_append_byte(&b, ':'), 0);
    assert_int_equal(mlops__buf_printf(&b, "%s-%d-%.3f", "x", 42, 0.5), 0);
    assert_int_equal(mlops__buf_append(&b, "\0z", 2), 0);
    assert_int_equal(b.size, 19);
    assert_memory_equal(b.data, "sha256:x-42-0.500\0z", 19);
    assert_int_equal(b.data[b.size], '\0');
    mlops__buf_clear(&b);
    assert_int_equal(b.size, 0);
    assert_string_equal(b.data, "");
    mlops_buf_dispose(&b);
    assert_null(b.data);
    assert_int_equal(b.capacity, 0);
    mlops_buf_dispose(&b);
    mlops_buf_dispose(NULL);
}

static void grows_to_large_sizes(void **state)
{
    (void)state;
    mlops_buf b = MLOPS_BUF_INIT;
    for (int i = 0; i < 100000; i++)
        assert_int_equal(mlops__buf_printf(&b, "%05d,", i % 100000), 0);
    assert_int_equal(b.size, 600000);
    assert_memory_equal(b.data + 6 * 12345, "12345,", 6);
    assert_true(b.capacity > b.size);
    assert_true(b.capacity < 2 * b.size); /* growth by half, not unbounded */
    mlops_buf_dispose(&b);
}

static void overflow_is_a_limit_error(void **state)
{
    (void)state;
    mlops_buf b = MLOPS_BUF_INIT;
    assert_int_equal(mlops__buf_append_str(&b, "abc"), 0);
    assert_int_equal(mlops__buf_reserve(&b, SIZE_MAX - 2), MLOPS_E_LIMIT);
    assert_int_equal(mlops__buf_reserve(&b, SIZE_MAX), MLOPS_E_LIMIT);
    assert_string_equal(b.data, "abc");
    mlops_buf_dispose(&b);
}

static void detach_hands_over_the_string(void **state)
{
    (void)state;
    mlops_buf b = MLOPS_BUF_INIT;
    char *empty = mlops__buf_detach(&b);
    assert_string_equal(empty, "");
    mlops_free(empty);
    assert_int_equal(mlops__buf_append_str(&b, "model"), 0);
    char *s = mlops__buf_detach(&b);
    assert_string_equal(s, "model");
    assert_null(b.data);
    assert_int_equal(b.size, 0);
    mlops_free(s);
}

typedef struct { mlops_buf b; } oom_ctx;
static int op_append(void *p)
{
    oom_ctx *c = p;
    int rc = mlops__buf_append_str(&c->b, "prefix-");
    for (int i = 0; rc == 0 && i < 200; i++)
        rc = mlops__buf_printf(&c->b, "%d;", i);
    if (rc == 0 && (c->b.size < 7 || memcmp(c->b.data, "prefix-0;1;", 11) != 0))
        return -999;
    return rc;
}
static void cleanup_append(void *p) { mlops_buf_dispose(&((oom_ctx *)p)->b); }

static void failed_growth_keeps_content(void **state)
{
    (void)state;
    oom_ctx c = { MLOPS_BUF_INIT };
    assert_true(oom_check("buf append", op_append, cleanup_append, &c, 0) > 2);
    /* the content written before a failing growth is intact */
    mlops_buf b = MLOPS_BUF_INIT;
    assert_int_equal(mlops__buf_append_str(&b, "kept"), 0);
    oom_fail_next(1);
    assert_int_equal(mlops__buf_reserve(&b, 1 << 20), MLOPS_E_NOMEM);
    assert_string_equal(b.data, "kept");
    assert_int_equal(b.size, 4);
    assert_int_equal(mlops_error_last_code(), MLOPS_E_NOMEM);
    mlops_buf_dispose(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(appends_keep_a_nul_terminator),
        cmocka_unit_test(grows_to_large_sizes),
        cmocka_unit_test(overflow_is_a_limit_error),
        cmocka_unit_test(detach_hands_over_the_string),
        cmocka_unit_test(failed_growth_keeps_content),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
