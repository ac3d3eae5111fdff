/*
 * The category dictionary: codes in first-seen order, labels as exact bytes,
 * unseen labels counted, a failed batch changes nothing, alignment of two
 * samples by label (oracle: SciPy's jensenshannon on counts aligned by hand).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mlops.h"
#include "oom.h"

static void test_codes_in_first_seen_order(void **state)
{
    (void)state;
    mlops_category_dict *d = NULL;
    assert_int_equal(mlops_category_dict_new(&d, 0), 0);
    const char *ref[] = { "b", "a", "b", "c" };
    int64_t codes[4];
    assert_int_equal(mlops_category_dict_add(codes, d, ref, NULL, 4, 0), 0);
    assert_int_equal(codes[0], 0);
    assert_int_equal(codes[1], 1);
    assert_int_equal(codes[2], 0);
    assert_int_equal(codes[3], 2);
    const char *cur[] = { "d", "a" };
    assert_int_equal(mlops_category_dict_add(codes, d, cur, NULL, 2, 0), 0);
    assert_int_equal(codes[0], 3); /* after every reference label */
    assert_int_equal(codes[1], 1);
    assert_int_equal(mlops_category_dict_count(d), 4);
    const char *l;
    size_t len;
    assert_int_equal(mlops_category_dict_label(&l, &len, d, 3), 0);
    assert_int_equal(len, 1);
    assert_string_equal(l, "d");
    assert_int_equal(mlops_category_dict_label(&l, &len, d, 4), MLOPS_E_INVALID);
    assert_int_equal(mlops_category_dict_label(&l, &len, d, -1), MLOPS_E_INVALID);
    assert_int_equal(mlops_category_dict_new(&d, 1), MLOPS_E_INVALID);
    mlops_category_dict_free(d);
    mlops_category_dict_free(NULL);
}

static void test_labels_are_exact_bytes(void **state)
{
    (void)state;
    /* "a\0b", "a\0c" and "a" are three labels; "" is a label too */
    const char *labels[] = { "a\0b", "a\0c", "a", "", NULL, "a\0b" };
    size_t lens[] = { 3, 3, 1, 0, 0, 3 };
    int64_t codes[6];
    mlops_category_dict *d = NULL;
    assert_int_equal(mlops_category_dict_new(&d, 0), 0);
    assert_int_equal(mlops_category_dict_add(codes, d, labels, lens, 6, 0), 0);
    assert_int_equal(mlops_category_dict_count(d), 4);
    int64_t want[] = { 0, 1, 2, 3, 3, 0 };
    for (int i = 0; i < 6; i++)
        assert_int_equal(codes[i], want[i]);
    const char *l;
    size_t len;
    assert_int_equal(mlops_category_dict_label(&l, &len, d, 1), 0);
    assert_int_equal(len, 3);
    assert_memory_equal(l, "a\0c", 4);
    /* a NULL label of non-zero length is refused and changes nothing */
    const char *bad[] = { "new", NULL };
    size_t bad_lens[] = { 3, 2 };
    codes[0] = 42;
    assert_int_equal(mlops_category_dict_add(codes, d, bad, bad_lens, 2, 0), MLOPS_E_INVALID);
    assert_int_equal(codes[0], 42);
    assert_int_equal(mlops_category_dict_count(d), 4);
    /* encode: lookups only, unseen labels counted */
    const char *cur[] = { "a", "zz", "a\0c", "a\0d" };
    size_t cur_lens[] = { 1, 2, 3, 3 };
    uint64_t unseen = 99;
    assert_int_equal(mlops_category_dict_encode(codes, &unseen, d, cur, cur_lens, 4, 0), 0);
    assert_int_equal(unseen, 2);
    assert_int_equal(codes[0], 2);
    assert_int_equal(codes[1], MLOPS_CATEGORY_UNSEEN);
    assert_int_equal(codes[2], 1);
    assert_int_equal(codes[3], MLOPS_CATEGORY_UNSEEN);
    assert_int_equal(mlops_category_dict_count(d), 4);
    assert_int_equal(mlops_category_dict_encode(NULL, NULL, d, cur, cur_lens, 4, 0),
                     MLOPS_E_INVALID);
    mlops_category_dict_free(d);
}

static void test_many_labels_grow_and_stay(void **state)
{
    (void)state;
    mlops_category_dict *d = NULL;
    assert_int_equal(mlops_category_dict_new(&d, 0), 0);
    enum { N = 5000 };
    static char buf[N][16];
    static const char *labels[N];
    static int64_t codes[N];
    for (int i = 0; i < N; i++) {
        snprintf(buf[i], sizeof buf[i], "label-%d", i);
        labels[i] = buf[i];
    }
    assert_int_equal(mlops_category_dict_add(codes, d, labels, NULL, N, 0), 0);
    for (int i = 0; i < N; i++)
        assert_int_equal(codes[i], i);
    uint64_t unseen = 1;
    assert_int_equal(mlops_category_dict_encode(codes, &unseen, d, labels, NULL, N, 0), 0);
    assert_int_equal(unseen, 0);
    for (int i = 0; i < N; i++)
        assert_int_equal(codes[i], i);
    mlops_category_dict_free(d);
}

/* The issue this dictionary exists for: two samples whose per-sample
 * category codes disagree. Reference a a a b c c, current b b c d d d.
 * Aligned by label the counts are ref (a 3, b 1, c 2, d 0) and current
 * (a 0, b 2, c 1, d 3); SciPy 1.17.1:
 * jensenshannon([3,1,2,0],[0,2,1,3], base=2) = 0.7354264633345439.
 * Per-sample codes used raw (ref a0 b1 c2, current b0 c1 d2) would compare
 * [3,1,2] with [2,1,3]: 0.15558868196126246. */
static void test_alignment_matches_scipy(void **state)
{
    (void)state;
    const char *ref[] = { "a", "a", "a", "b", "c", "c" };
    const char *cur[] = { "b", "b", "c", "d", "d", "d" };
    int64_t rc[6], cc[6];
    mlops_category_dict *d = NULL;
    assert_int_equal(mlops_category_dict_new(&d, 0), 0);
    /* the dictionary's codes go to the drift function as they are */
    assert_int_equal(mlops_category_dict_add(rc, d, ref, NULL, 6, 0), 0);
    assert_int_equal(mlops_category_dict_add(cc, d, cur, NULL, 6, 0), 0);
    mlops_drift_result *r = NULL;
    assert_int_equal(mlops_drift_categorical(&r, MLOPS_DRIFT_JS, rc, 6, cc, 6,
                                             (uint32_t)mlops_category_dict_count(d), NULL),
                     0);
    assert_true(fabs(mlops_drift_result_statistic(r) - 0.7354264633345439) < 1e-12);
    /* 3 of 6 current values carry a label the reference lacks */
    assert_true(fabs(mlops_drift_result_unseen_share(r) - 0.5) < 1e-15);
    mlops_drift_result_free(r);
    mlops_category_dict_free(d);
}

typedef struct oom_ctx {
    mlops_category_dict *d;
    const char **labels;
    size_t n;
    int64_t *codes;
} oom_ctx;

static int op_new_add(void *arg)
{
    oom_ctx *c = arg;
    int rc = mlops_category_dict_new(&c->d, 0);
    if (rc)
        return rc;
    return mlops_category_dict_add(c->codes, c->d, c->labels, NULL, c->n, 0);
}

static void cleanup_dict(void *arg)
{
    oom_ctx *c = arg;
    mlops_category_dict_free(c->d);
    c->d = NULL;
}

/* A second batch into an existing dictionary: a failure must leave it as it
 * was (same labels, same codes) and the caller's codes untouched. */
static int op_add_more(void *arg)
{
    oom_ctx *c = arg;
    for (size_t i = 0; i < c->n; i++)
        c->codes[i] = -42;
    int rc = mlops_category_dict_add(c->codes, c->d, c->labels, NULL, c->n, 0);
    if (rc != 0) {
        if (mlops_category_dict_count(c->d) != 20)
            return -1000;
        for (size_t i = 0; i < c->n; i++)
            if (c->codes[i] != -42)
                return -1001;
        int64_t again[200];
        uint64_t unseen = 0;
        if (mlops_category_dict_encode(again, &unseen, c->d, c->labels, NULL, 20, 0) != 0 ||
            unseen != 0)
            return -1002;
        for (size_t i = 0; i < 20; i++)
            if (again[i] != (int64_t)i)
                return -1003;
        mlops_error_clear();
        return MLOPS_E_NOMEM;
    }
    return rc;
}

static void test_every_allocation_failure_is_clean(void **state)
{
    (void)state;
    static char buf[200][16];
    static const char *labels[200];
    static int64_t codes[200];
    for (int i = 0; i < 200; i++) {
        snprintf(buf[i], sizeof buf[i], "v%d", i % 150);
        labels[i] = buf[i];
    }
    oom_ctx c = { NULL, labels, 200, codes };
    oom_check("category dict new+add", op_new_add, cleanup_dict, &c, 0);
    /* an existing dictionary of 20 labels, then a batch that grows it */
    c.n = 200;
    for (long n = 1;; n++) {
        oom_install();
        assert_int_equal(mlops_category_dict_new(&c.d, 0), 0);
        assert_int_equal(mlops_category_dict_add(NULL, c.d, labels, NULL, 20, 0), 0);
        long before = oom_live();
        oom_fail_next(n);
        int rc = op_add_more(&c);
        oom_fail_next(0);
        if (rc == 0) {
            assert_int_equal(mlops_category_dict_count(c.d), 150);
            cleanup_dict(&c);
            break;
        }
        assert_int_equal(rc, MLOPS_E_NOMEM);
        assert_int_equal(oom_live(), before);
        cleanup_dict(&c);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_codes_in_first_seen_order),
        cmocka_unit_test(test_labels_are_exact_bytes),
        cmocka_unit_test(test_many_labels_grow_and_stay),
        cmocka_unit_test(test_alignment_matches_scipy),
        cmocka_unit_test(test_every_allocation_failure_is_clean),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
