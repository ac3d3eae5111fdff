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
#include <string.h>

#include <cmocka.h>
#include <openssl/crypto.h>

#include "mlops/common.h"

static long live;        /* allocations alive */
static long counter;     /* allocations made since arming */
static long fail_at;     /* 1-based index of the allocation to fail; 0 = never */
static int failed;       /* whether the armed failure happened */

static int openssl_hooked; /* OpenSSL's allocations go through should_fail too */
static int failed_in_openssl;

/* Atomic: OpenSSL may allocate on the library's helper threads. */
static int should_fail(void)
{
    long c = __atomic_add_fetch(&counter, 1, __ATOMIC_SEQ_CST);
    if (fail_at && c == fail_at) {
        __atomic_store_n(&failed, 1, __ATOMIC_SEQ_CST);
        return 1;
    }
    return 0;
}

/* OpenSSL's allocator: counted and failed like the library's, not tracked
 * as live (OpenSSL keeps caches of its own across calls; a leaked OpenSSL
 * object is found by ASan and valgrind instead). */
static void *o_malloc(size_t n, const char *file, int line)
{
    (void)file;
    (void)line;
    if (should_fail()) {
        failed_in_openssl = 1;
        return NULL;
    }
    return malloc(n);
}

static void *o_realloc(void *p, size_t n, const char *file, int line)
{
    (void)file;
    (void)line;
    if (n && should_fail()) {
        failed_in_openssl = 1;
        return NULL;
    }
    return realloc(p, n);
}

static void o_free(void *p, const char *file, int line)
{
    (void)file;
    (void)line;
    free(p);
}

int oom_hook_openssl(void)
{
    /* Under valgrind (its preloaded core in LD_PRELOAD) the loops keep to
     * the library's allocations: the OpenSSL failure paths run in the
     * normal and ASan passes, and would multiply the memcheck pass's time. */
    const char *preload = getenv("LD_PRELOAD");
    if (preload && strstr(preload, "vgpreload"))
        return 1;
    openssl_hooked = CRYPTO_set_mem_functions(o_malloc, o_realloc, o_free) == 1;
    return openssl_hooked;
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
    if (openssl_hooked) {
        /* one run without failures first: OpenSSL's one-time set-up (its
         * providers, the algorithms fetched) is not the library's to undo,
         * and a failure there would stay for the rest of the process */
        fail_at = 0;
        int rc = op(ctx);
        if (cleanup)
            cleanup(ctx);
        if (rc != expected_ok)
            fail_msg("%s: run without failure returned %d (%s), expected %d", name, rc,
                     mlops_error_last(), expected_ok);
    }
    for (long n = 1;; n++) {
        long before = live;
        counter = 0;
        fail_at = n;
        failed = 0;
        failed_in_openssl = 0;
        int rc = op(ctx);
        fail_at = 0;
        if (cleanup)
            cleanup(ctx);
        if (live != before) {
            fail_msg("%s: %ld allocation(s) leaked with allocation %ld failing (rc %d)", name,
                     live - before, n, rc);
        }
        if (failed && failed_in_openssl && rc == expected_ok)
            continue; /* OpenSSL absorbed it (an error-queue entry it could not
                       * allocate): the same outcome as without the failure */
        if (!failed) {
            if (rc != expected_ok)
                fail_msg("%s: run without failure returned %d (%s), expected %d", name, rc,
                         mlops_error_last(), expected_ok);
            return counter;
        }
        /* OpenSSL reports most of its allocation failures as a failed
         * operation, not as one of memory: MLOPS_E_CRYPTO is the clean error
         * then (never a verdict: a signature refused for lack of memory
         * would read as a forgery) */
        int ok = rc == MLOPS_E_NOMEM || (failed_in_openssl && rc == MLOPS_E_CRYPTO);
        if (!ok)
            fail_msg("%s: allocation %ld%s failed but the call returned %d (%s), not "
                     "MLOPS_E_NOMEM", name, n, failed_in_openssl ? " (in OpenSSL)" : "", rc,
                     mlops_error_last());
        if (mlops_error_last_code() != rc)
            fail_msg("%s: allocation %ld failed but the recorded error is %d", name, n,
                     mlops_error_last_code());
    }
}
