/*
 * SHA-256 digests: NIST FIPS 180-2 example vectors, the OCI string form, files.
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
#include <unistd.h>

#include <cmocka.h>

#include "mlops.h"
#include "oom.h"

/* FIPS 180-2 Appendix B and the empty message. */
#define ABC_HEX "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
#define TWO_BLOCK_HEX "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
#define MILLION_A_HEX "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"
#define EMPTY_HEX "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

static void assert_digest(const uint8_t d[32], const char *hex)
{
    char s[MLOPS_DIGEST_STRING_SIZE];
    assert_int_equal(mlops_digest_format(s, d), 0);
    assert_string_equal(s + 7, hex);
    assert_memory_equal(s, "sha256:", 7);
}

static void buffer_matches_nist_vectors(void **state)
{
    (void)state;
    uint8_t d[32];
    assert_int_equal(mlops_digest_buffer(d, "abc", 3), 0);
    assert_digest(d, ABC_HEX);
    const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    assert_int_equal(mlops_digest_buffer(d, two, strlen(two)), 0);
    assert_digest(d, TWO_BLOCK_HEX);
    assert_int_equal(mlops_digest_buffer(d, NULL, 0), 0);
    assert_digest(d, EMPTY_HEX);
}

static char *million_a(void)
{
    char *m = malloc(1000000);
    assert_non_null(m);
    memset(m, 'a', 1000000);
    return m;
}

static void streaming_million_a_in_odd_chunks(void **state)
{
    (void)state;
    char *m = million_a();
    mlops_digest *h = NULL;
    assert_int_equal(mlops_digest_new(&h), 0);
    size_t done = 0, step = 1;
    while (done < 1000000) {
        size_t n = step < 1000000 - done ? step : 1000000 - done;
        assert_int_equal(mlops_digest_update(h, m + done, n), 0);
        done += n;
        step = step * 3 + 1; /* chunk sizes that straddle block boundaries */
    }
    uint8_t d[32];
    assert_int_equal(mlops_digest_finish(d, h), 0);
    assert_digest(d, MILLION_A_HEX);
    /* finish resets: the object hashes a new message */
    assert_int_equal(mlops_digest_update(h, "abc", 3), 0);
    assert_int_equal(mlops_digest_finish(d, h), 0);
    assert_digest(d, ABC_HEX);
    mlops_digest_free(h);
    mlops_digest_free(NULL);
    free(m);
}

static char tmp_path[64];

static const char *write_temp(const void *data, size_t len)
{
    strcpy(tmp_path, "/tmp/mlops-digest-XXXXXX");
    int fd = mkstemp(tmp_path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, data, len), (ssize_t)len);
    close(fd);
    return tmp_path;
}

static int progress_calls;
static uint64_t progress_last;
static int count_progress(uint64_t done, uint64_t total, void *ctx)
{
    (void)ctx;
    assert_int_equal(total, 1000000);
    assert_true(done > progress_last);
    progress_last = done;
    progress_calls++;
    return 0;
}
static int cancel_progress(uint64_t done, uint64_t total, void *ctx)
{
    (void)done, (void)total, (void)ctx;
    return 1;
}

static void file_digest_with_progress_and_cancel(void **state)
{
    (void)state;
    char *m = million_a();
    const char *p = write_temp(m, 1000000);
    free(m);
    uint8_t d[32];
    assert_int_equal(mlops_digest_file(d, p, NULL), 0);
    assert_digest(d, MILLION_A_HEX);

    mlops_digest_file_options o = MLOPS_DIGEST_FILE_OPTIONS_INIT;
    o.buffer_size = 4096;
    o.progress = count_progress;
    assert_int_equal(mlops_digest_file(d, p, &o), 0);
    assert_digest(d, MILLION_A_HEX);
    assert_int_equal(progress_calls, (1000000 + 4095) / 4096);
    assert_int_equal(progress_last, 1000000);

    o.progress = cancel_progress;
    assert_int_equal(mlops_digest_file(d, p, &o), MLOPS_E_CANCELLED);
    assert_int_equal(mlops_error_last_code(), MLOPS_E_CANCELLED);
    unlink(p);
}

static void file_errors_name_the_path(void **state)
{
    (void)state;
    uint8_t d[32];
    assert_int_equal(mlops_digest_file(d, "/nonexistent/model.onnx", NULL), MLOPS_E_IO);
    assert_non_null(strstr(mlops_error_last(), "/nonexistent/model.onnx"));
    assert_non_null(strstr(mlops_error_last(), "No such file"));
    assert_string_equal(mlops_error_last_path(), "/nonexistent/model.onnx");
    assert_int_equal(mlops_digest_file(d, "/tmp", NULL), MLOPS_E_IO);
    assert_non_null(strstr(mlops_error_last(), "not a regular file"));
}

static void options_versioning(void **state)
{
    (void)state;
    uint8_t d[32];
    const char *p = write_temp("abc", 3);
    mlops_digest_file_options o;
    memset(&o, 0xff, sizeof o);
    assert_int_equal(mlops_digest_file_options_init(&o, sizeof o), 0);
    assert_int_equal(o.version, MLOPS_DIGEST_FILE_OPTIONS_VERSION);
    assert_int_equal(o.size, sizeof o);
    assert_null(o.progress);
    assert_int_equal(mlops_digest_file(d, p, &o), 0);
    assert_digest(d, ABC_HEX);
    /* a version from the future is refused, not misread */
    o.version = 99;
    assert_int_equal(mlops_digest_file(d, p, &o), MLOPS_E_VERSION);
    assert_non_null(strstr(mlops_error_last(), "version 99"));
    o.version = 1;
    o.size = 4;
    assert_int_equal(mlops_digest_file(d, p, &o), MLOPS_E_INVALID);
    assert_int_equal(mlops_digest_file_options_init(&o, 4), MLOPS_E_INVALID);
    assert_int_equal(mlops_digest_file_options_init(NULL, sizeof o), MLOPS_E_INVALID);
    /* flags must be 0 */
    assert_int_equal(mlops_digest_file_options_init(&o, sizeof o), 0);
    o.flags = 1;
    assert_int_equal(mlops_digest_file(d, p, &o), MLOPS_E_INVALID);
    assert_non_null(strstr(mlops_error_last(), "flag"));
    unlink(p);
}

static void parse_round_trips_format(void **state)
{
    (void)state;
    uint8_t d[32], back[32];
    assert_int_equal(mlops_digest_buffer(d, "abc", 3), 0);
    char s[MLOPS_DIGEST_STRING_SIZE];
    assert_int_equal(mlops_digest_format(s, d), 0);
    assert_int_equal(mlops_digest_parse(back, s), 0);
    assert_memory_equal(d, back, 32);
    assert_int_equal(mlops_digest_parse(back, "sha256:" ABC_HEX), 0);
    assert_memory_equal(d, back, 32);
}

static void parse_rejects_malformed_strings(void **state)
{
    (void)state;
    uint8_t d[32];
    memset(d, 0x5a, sizeof d);
    static const struct { const char *s; int code; int64_t offset; } bad[] = {
        { "", MLOPS_E_PARSE, 0 },
        { ABC_HEX, MLOPS_E_PARSE, 0 },                               /* no algorithm */
        { "sha256:", MLOPS_E_PARSE, 7 },                             /* no hex */
        { "sha256:BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD",
          MLOPS_E_PARSE, 7 },                                        /* upper case */
        { "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015a",
          MLOPS_E_PARSE, 70 },                                       /* 63 digits */
        { "sha256:" ABC_HEX "0", MLOPS_E_PARSE, 71 },               /* 65 digits */
        { "sha256:" ABC_HEX " ", MLOPS_E_PARSE, 71 },               /* trailing space */
        { " sha256:" ABC_HEX, MLOPS_E_PARSE, 0 },
        { "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ag",
          MLOPS_E_PARSE, 70 },
        { "SHA256:" ABC_HEX, MLOPS_E_PARSE, 0 },
        { "sha512:" ABC_HEX, MLOPS_E_UNSUPPORTED, 0 },
        { "md5:d41d8cd98f00b204e9800998ecf8427e", MLOPS_E_UNSUPPORTED, 0 },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int rc = mlops_digest_parse(d, bad[i].s);
        if (rc != bad[i].code)
            fail_msg("case %zu \"%s\": rc %d", i, bad[i].s, rc);
        assert_int_equal(mlops_error_last_offset(), bad[i].offset);
        assert_true(strlen(mlops_error_last()) > 0);
        for (size_t k = 0; k < sizeof d; k++)
            assert_int_equal(d[k], 0x5a); /* unchanged on failure */
    }
}

static void null_arguments_are_invalid(void **state)
{
    (void)state;
    uint8_t d[32];
    char s[MLOPS_DIGEST_STRING_SIZE];
    assert_int_equal(mlops_digest_new(NULL), MLOPS_E_INVALID);
    assert_non_null(strstr(mlops_error_last(), "'out'"));
    assert_int_equal(mlops_digest_buffer(NULL, "a", 1), MLOPS_E_INVALID);
    assert_int_equal(mlops_digest_buffer(d, NULL, 1), MLOPS_E_INVALID);
    assert_int_equal(mlops_digest_update(NULL, "a", 1), MLOPS_E_INVALID);
    assert_int_equal(mlops_digest_finish(d, NULL), MLOPS_E_INVALID);
    assert_int_equal(mlops_digest_file(d, NULL, NULL), MLOPS_E_INVALID);
    assert_int_equal(mlops_digest_file(NULL, "/tmp", NULL), MLOPS_E_INVALID);
    assert_int_equal(mlops_digest_format(NULL, d), MLOPS_E_INVALID);
    assert_int_equal(mlops_digest_format(s, NULL), MLOPS_E_INVALID);
    assert_int_equal(mlops_digest_parse(d, NULL), MLOPS_E_INVALID);
    assert_int_equal(mlops_digest_parse(NULL, "sha256:" ABC_HEX), MLOPS_E_INVALID);
}

/* A duplicate continues from the same point, independently of the original
 * (digests from Python's hashlib: sha256(b"ab"), b"abc", b"abd"). */
static void dup_continues_independently(void **state)
{
    (void)state;
    mlops_digest *a = NULL, *b = NULL;
    uint8_t d[32];
    assert_int_equal(mlops_digest_new(&a), 0);
    assert_int_equal(mlops_digest_update(a, "ab", 2), 0);
    assert_int_equal(mlops_digest_dup(&b, a), 0);
    assert_int_equal(mlops_digest_update(b, "c", 1), 0);
    assert_int_equal(mlops_digest_finish(d, b), 0);
    assert_digest(d, ABC_HEX);
    assert_int_equal(mlops_digest_update(a, "d", 1), 0);
    assert_int_equal(mlops_digest_finish(d, a), 0);
    assert_digest(d, "a52d159f262b2c6ddb724a61840befc36eb30c88877a4030b65cbe86298449c9");
    /* a finished digest starts over; its duplicate hashes from there */
    mlops_digest_free(b);
    b = NULL;
    assert_int_equal(mlops_digest_update(a, "ab", 2), 0);
    assert_int_equal(mlops_digest_dup(&b, a), 0);
    assert_int_equal(mlops_digest_finish(d, b), 0);
    assert_digest(d, "fb8e20fc2e4c3f248c60c39bd652f3c1347298bb977b8b4d5903b85055620603");
    mlops_digest *untouched = (mlops_digest *)&d;
    assert_int_equal(mlops_digest_dup(&untouched, NULL), MLOPS_E_INVALID);
    assert_ptr_equal(untouched, (mlops_digest *)&d);
    assert_int_equal(mlops_digest_dup(NULL, a), MLOPS_E_INVALID);
    mlops_digest_free(a);
    mlops_digest_free(b);
}

/* OOM loop over the allocating functions of this module. */
typedef struct { mlops_digest *h, *h2; uint8_t d[32]; const char *path; } oom_ctx;

static int op_new(void *p)
{
    oom_ctx *c = p;
    int rc = mlops_digest_new(&c->h);
    if (!rc)
        rc = mlops_digest_update(c->h, "ab", 2);
    if (!rc)
        rc = mlops_digest_dup(&c->h2, c->h);
    if (!rc)
        rc = mlops_digest_update(c->h2, "c", 1);
    if (!rc)
        rc = mlops_digest_finish(c->d, c->h2);
    return rc;
}
static void cleanup_new(void *p)
{
    oom_ctx *c = p;
    mlops_digest_free(c->h);
    mlops_digest_free(c->h2);
    c->h = c->h2 = NULL;
}
static int op_file(void *p)
{
    oom_ctx *c = p;
    return mlops_digest_file(c->d, c->path, NULL);
}

static void out_of_memory_is_clean(void **state)
{
    (void)state;
    oom_ctx c = { 0 };
    assert_true(oom_check("mlops_digest_new", op_new, cleanup_new, &c, 0) >= 1);
    assert_digest(c.d, ABC_HEX);
    c.path = write_temp("abc", 3);
    assert_true(oom_check("mlops_digest_file", op_file, NULL, &c, 0) >= 1);
    assert_digest(c.d, ABC_HEX);
    unlink(c.path);
}

int main(void)
{
    /* before anything allocates in OpenSSL: the OOM loops fail its
     * allocations too */
    if (!oom_hook_openssl()) {
        fprintf(stderr, "CRYPTO_set_mem_functions refused\n");
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(buffer_matches_nist_vectors),
        cmocka_unit_test(streaming_million_a_in_odd_chunks),
        cmocka_unit_test(file_digest_with_progress_and_cancel),
        cmocka_unit_test(file_errors_name_the_path),
        cmocka_unit_test(options_versioning),
        cmocka_unit_test(parse_round_trips_format),
        cmocka_unit_test(parse_rejects_malformed_strings),
        cmocka_unit_test(null_arguments_are_invalid),
        cmocka_unit_test(dup_continues_independently),
        cmocka_unit_test(out_of_memory_is_clean),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
