/*
 * The reproducible tar writer (src/artifact/tarw.c): its output read back by
 * Python's tarfile, a failing sink reported as the sink's own error at every
 * point (with nothing leaked: libarchive never sees the failure), files that
 * grow or shrink while packed, and calls out of order.
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
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "artifact/tarw.h"
#include "mlops.h"

typedef struct sink {
    unsigned char *data;
    size_t len, cap;
    long calls, fail_at; /* the fail_at-th call fails (0: none) */
} sink;

static int sink_write(void *ctx, const void *data, size_t len)
{
    sink *s = ctx;
    if (++s->calls == s->fail_at)
        return MLOPS_E_IO;
    if (len > s->cap - s->len) {
        size_t cap = (s->len + len) * 2;
        unsigned char *d = realloc(s->data, cap);
        assert_non_null(d);
        s->data = d;
        s->cap = cap;
    }
    memcpy(s->data + s->len, data, len);
    s->len += len;
    return 0;
}

static unsigned char raw_bytes[700];

/* A directory, a regular file, an entry whose data goes straight to the
 * sink, and the end of the archive; the first failing step's code, or 0. */
static int write_archive(sink *s)
{
    mlops__tarw *w = NULL;
    int rc = mlops__tarw_new(&w, sink_write, s, 1700000000);
    if (rc)
        return rc;
    if ((rc = mlops__tarw_dir(w, "d")) == 0 &&
        (rc = mlops__tarw_file_begin(w, "d/a.txt", 5)) == 0 &&
        (rc = mlops__tarw_data(w, "hel", 3)) == 0 && (rc = mlops__tarw_data(w, "lo", 2)) == 0 &&
        (rc = mlops__tarw_file_end(w)) == 0 &&
        (rc = mlops__tarw_raw_begin(w, "raw.bin", sizeof raw_bytes)) == 0 &&
        (rc = sink_write(s, raw_bytes, sizeof raw_bytes)) == 0 &&
        (rc = mlops__tarw_raw_end(w, sizeof raw_bytes)) == 0)
        rc = mlops__tarw_finish(w);
    mlops__tarw_free(w);
    return rc;
}

/* Python's tarfile reads the archive back: names, types, sizes, modes,
 * owners, the modification time and the contents. */
static void tarfile_reads_it_back(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof raw_bytes; i++)
        raw_bytes[i] = (unsigned char)(i * 7 + 1);
    sink s = { 0 };
    assert_int_equal(write_archive(&s), 0);
    assert_int_equal(s.len % 512, 0);
    char path[] = "/tmp/mlops-tarw-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, s.data, s.len), (ssize_t)s.len);
    close(fd);
    const char *py = getenv("MLOPS_PYTHON");
    if (!py)
        py = "python3";
    char cmd[1024];
    snprintf(cmd, sizeof cmd,
             "%s -c 'import sys, tarfile\n"
             "t = tarfile.open(sys.argv[1], \"r:\")\n"
             "m = [(x.name, x.type, x.size, x.mode, x.uid, x.gid, x.mtime) for x in t]\n"
             "assert m == [(\"d\", tarfile.DIRTYPE, 0, 0o755, 0, 0, 1700000000),\n"
             "             (\"d/a.txt\", tarfile.REGTYPE, 5, 0o644, 0, 0, 1700000000),\n"
             "             (\"raw.bin\", tarfile.REGTYPE, 700, 0o644, 0, 0, 1700000000)], m\n"
             "assert t.extractfile(\"d/a.txt\").read() == b\"hello\"\n"
             "assert t.extractfile(\"raw.bin\").read() == bytes((i * 7 + 1) %% 256 for i in range(700))\n"
             "' %s",
             py, path);
    int status = system(cmd);
    unlink(path);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    free(s.data);
}

/* The sink failing at its Nth call, for every N: the writer returns the
 * sink's MLOPS_E_IO (not a libarchive error of its own), and once N is past
 * the last call the archive is the same as an undisturbed one. */
static void a_failing_sink_is_reported_as_itself(void **state)
{
    (void)state;
    sink whole = { 0 };
    assert_int_equal(write_archive(&whole), 0);
    long n;
    for (n = 1;; n++) {
        sink s = { 0 };
        s.fail_at = n;
        int rc = write_archive(&s);
        free(s.data);
        if (s.calls < n) {
            assert_int_equal(rc, 0);
            break;
        }
        if (rc != MLOPS_E_IO)
            fail_msg("sink failing at call %ld: %d (%s)", n, rc, mlops_error_last());
    }
    assert_true(n > 5);
    free(whole.data);
}

/* Once the sink has failed, every call returns its code at once and nothing
 * more reaches the sink, freeing the writer included. */
static void a_dead_writer_stays_dead(void **state)
{
    (void)state;
    sink s = { 0 };
    s.fail_at = 1;
    mlops__tarw *w = NULL;
    assert_int_equal(mlops__tarw_new(&w, sink_write, &s, 0), 0);
    assert_int_equal(mlops__tarw_dir(w, "d"), MLOPS_E_IO);
    assert_int_equal(s.calls, 1);
    assert_int_equal(mlops__tarw_dir(w, "e"), MLOPS_E_IO);
    assert_int_equal(mlops__tarw_file_begin(w, "f", 1), MLOPS_E_IO);
    assert_int_equal(mlops__tarw_data(w, "x", 1), MLOPS_E_IO);
    assert_int_equal(mlops__tarw_file_end(w), MLOPS_E_IO);
    assert_int_equal(mlops__tarw_raw_begin(w, "r", 1), MLOPS_E_IO);
    assert_int_equal(mlops__tarw_raw_end(w, 1), MLOPS_E_IO);
    assert_int_equal(mlops__tarw_finish(w), MLOPS_E_IO);
    mlops__tarw_free(w);
    assert_int_equal(s.calls, 1);
    assert_int_equal(s.len, 0);
    free(s.data);
}

/* A file that delivers more or fewer bytes than its header declared is an
 * integrity error naming it; calls out of order are refused. */
static void size_changes_and_misuse(void **state)
{
    (void)state;
    sink s = { 0 };
    mlops__tarw *w = NULL;
    assert_int_equal(mlops__tarw_new(&w, sink_write, &s, -5), 0);
    assert_int_equal(mlops__tarw_data(w, "x", 1), MLOPS_E_INTERNAL);
    assert_int_equal(mlops__tarw_file_end(w), MLOPS_E_INTERNAL);
    assert_int_equal(mlops__tarw_file_begin(w, "big", (uint64_t)INT64_MAX + 1), MLOPS_E_LIMIT);
    assert_int_equal(mlops__tarw_raw_begin(w, "big", (uint64_t)INT64_MAX + 1), MLOPS_E_LIMIT);
    assert_int_equal(mlops__tarw_file_begin(w, "f", 3), 0);
    assert_int_equal(mlops__tarw_dir(w, "d"), MLOPS_E_INTERNAL);
    assert_int_equal(mlops__tarw_file_begin(w, "g", 1), MLOPS_E_INTERNAL);
    assert_int_equal(mlops__tarw_raw_begin(w, "g", 1), MLOPS_E_INTERNAL);
    assert_int_equal(mlops__tarw_finish(w), MLOPS_E_INTERNAL);
    assert_int_equal(mlops__tarw_data(w, "abcd", 4), MLOPS_E_INTEGRITY);
    assert_non_null(strstr(mlops_error_last(), "f grew while it was being packed"));
    assert_int_equal(mlops__tarw_data(w, "ab", 2), 0);
    assert_int_equal(mlops__tarw_file_end(w), MLOPS_E_INTEGRITY);
    assert_non_null(strstr(mlops_error_last(), "f shrank while it was being packed"));
    mlops__tarw_free(w);
    mlops__tarw_free(NULL);
    free(s.data);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(tarfile_reads_it_back),
        cmocka_unit_test(a_failing_sink_is_reported_as_itself),
        cmocka_unit_test(a_dead_writer_stays_dead),
        cmocka_unit_test(size_changes_and_misuse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
