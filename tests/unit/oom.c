/*
 * Out-of-memory injection: a counting allocator that fails on request.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "oom.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "mlops/common.h"

static long live;        /* allocations alive */
static long counter;     /* allocations made since arming */
static long fail_at;     /* 1-based index of the allocation to fail; 0 = never */
static int failed;       /* whether the armed failure happened */

static int should_fail(void)
{
    counter++;
    if (fail_at && counter == fail_at) {
        failed = 1;
        return 1;
    }
    return 0;
}

static void *t_malloc(size_t size, void *ctx)
{
    (void)ctx;
    if (should_fail())
        return NULL;
    void *p = malloc(size);
    if (p)
        live++;
    return p;
}

static void *t_realloc(void *ptr, size_t size, void *ctx)
{
    (void)ctx;
    if (should_fail())
        return NULL;
    void *p = realloc(ptr, size);
    if (p && !ptr)
        live++;
    return p;
}

static void t_free(void *ptr, void *ctx)
{
    (void)ctx;
    if (ptr) {
        live--;
        free(ptr);
    }
}

void oom_install(void)
{
    static int installed;
    if (!installed) {
        assert_int_equal(mlops_allocator_set(t_malloc, t_realloc, t_free, NULL), 0);
        installed = 1;
    }
}

long oom_live(void) { return live; }

void oom_fail_next(long n)
{
    oom_install();
    counter = 0;
    failed = 0;
    fail_at = n;
}

long oom_check(const char *name, oom_op op, oom_cleanup cleanup, void *ctx, int expected_ok)
{
    oom_install();
    for (long n = 1;; n++) {
        long before = live;
        counter = 0;
        fail_at = n;
        failed = 0;
        int rc = op(ctx);
        fail_at = 0;
        if (cleanup)
            cleanup(ctx);
        if (live != before) {
            fail_msg("%s: %ld allocation(s) leaked with allocation %ld failing (rc %d)", name,
                     live - before, n, rc);
        }
        if (!failed) {
            if (rc != expected_ok)
                fail_msg("%s: run without failure returned %d (%s), expected %d", name, rc,
                         mlops_error_last(), expected_ok);
            return counter;
        }
        if (rc != MLOPS_E_NOMEM)
            fail_msg("%s: allocation %ld failed but the call returned %d (%s), not "
                     "MLOPS_E_NOMEM", name, n, rc, mlops_error_last());
        if (mlops_error_last_code() != MLOPS_E_NOMEM)
            fail_msg("%s: allocation %ld failed but the recorded error is %d", name, n,
                     mlops_error_last_code());
    }
}
