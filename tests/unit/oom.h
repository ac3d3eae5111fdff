/*
 * Out-of-memory injection for unit tests.
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * oom_check() runs an operation with the Nth allocation failing, for N = 1, 2,
 * ... until a run makes no failing allocation. Every failing run must return
 * MLOPS_E_NOMEM (or another code the caller allows) and leave no library
 * memory allocated once the test's cleanup has run. It is how every
 * allocating public function is shown to fail cleanly.
 */
#ifndef MLOPS_TEST_OOM_H
#define MLOPS_TEST_OOM_H

#include <stddef.h>

/**
 * The operation under test: return its result code; put anything it created
 * into `ctx` so `cleanup` can release it (cleanup runs after every attempt,
 * successful or not).
 */
typedef int (*oom_op)(void *ctx);
typedef void (*oom_cleanup)(void *ctx);

/** Install the counting allocator (idempotent). */
void oom_install(void);
/** Make the `n`th library allocation from now fail (once); installs the
 *  counting allocator. */
void oom_fail_next(long n);
/** Number of library allocations alive right now. */
long oom_live(void);

/**
 * Route OpenSSL's allocations through the same counter, so the loop fails
 * them too (a failure there may also end in MLOPS_E_CRYPTO). Call it first
 * in main(), before anything makes OpenSSL allocate (CRYPTO_set_mem_functions
 * refuses once it has). Then oom_check() first runs the operation once
 * without failures, so OpenSSL's one-time set-up is done. Returns 1 when
 * installed (or skipped under valgrind, where only the library's own
 * allocations are failed).
 */
int oom_hook_openssl(void);

/**
 * Run the loop; fails the calling cmocka test on any violation.
 * @param expected_ok the code of a successful run (usually 0)
 * @return the number of allocations the successful run made.
 */
long oom_check(const char *name, oom_op op, oom_cleanup cleanup, void *ctx, int expected_ok);

#endif
