/*
 * Safe extraction. Oracle: a corpus of hostile archives written by Python's
 * tarfile module (tests/unit/make_hostile_tars.py), with the declared digests
 * computed by hashlib. Every hostile archive must be refused with its
 * specific code, leave nothing at the destination (not even the temporary
 * directory) and write nothing outside it.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <dirent.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "artifact/extract.h"
#include "mlops.h"
#include "oom.h"

static char work[64];
static char tars[128], out_dir[128], outside[128], dest[160];

static int count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            n++;
    closedir(d);
    return n;
}

static int setup(void **state)
{
    (void)state;
    strcpy(work, "/tmp/mlops-extract-XXXXXX");
    if (!mkdtemp(work))
        return -1;
    snprintf(tars, sizeof tars, "%s/tars", work);
    snprintf(out_dir, sizeof out_dir, "%s/out", work);
    snprintf(outside, sizeof outside, "%s/outside", work);
    snprintf(dest, sizeof dest, "%s/dest", out_dir);
    if (mkdir(out_dir, 0755) || mkdir(outside, 0755))
        return -1;
    const char *py = getenv("MLOPS_PYTHON");
    const char *src = getenv("MLOPS_SOURCE_ROOT");
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "'%s' '%s/tests/unit/make_hostile_tars.py' '%s' '%s'",
             py ? py : "python3", src ? src : "..", tars, outside);
    return system(cmd) == 0 ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", work);
    return system(cmd) == 0 ? 0 : -1;
}

typedef struct declared_list {
    mlops__extract_entry e[16];
    char paths[16][256];
    size_t n;
} declared_list;

static void load_decl(declared_list *d, const char *name)
{
    char path[256], hex[80];
    snprintf(path, sizeof path, "%s/%s.decl", tars, name);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    d->n = 0;
    unsigned long long size;
    unsigned mode;
    while (d->n < 16 &&
           fscanf(f, "%64s %llu %o %255[^\n]\n", hex, &size, &mode, d->paths[d->n]) == 4) {
        mlops__extract_entry *e = &d->e[d->n];
        char s[100];
        snprintf(s, sizeof s, "sha256:%s", hex);
        assert_int_equal(mlops_digest_parse(e->digest, s), 0);
        e->size = size;
        e->executable = (mode & 0100) != 0;
        e->path = d->paths[d->n];
        d->n++;
    }
    fclose(f);
}

static int extract_case(const char *name, int with_declared)
{
    declared_list d;
    load_decl(&d, name);
    char path[256];
    snprintf(path, sizeof path, "%s/%s.tar", tars, name);
    int fd = open(path, O_RDONLY);
    assert_true(fd >= 0);
    int rc = mlops__extract_tar(fd, dest, with_declared ? d.e : NULL, with_declared ? d.n : 0,
                                NULL);
    close(fd);
    return rc;
}

static void assert_nothing_left(const char *name)
{
    struct stat st;
    if (lstat(dest, &st) == 0)
        fail_msg("%s: the destination exists after a refused extraction", name);
    if (count_entries(out_dir) != 0)
        fail_msg("%s: something (a temporary directory?) was left beside the destination",
                 name);
    if (count_entries(outside) != 0)
        fail_msg("%s: something was written outside the destination", name);
    char evil[192];
    snprintf(evil, sizeof evil, "%s/evil.txt", work);
    if (lstat(evil, &st) == 0)
        fail_msg("%s: ../evil.txt was written", name);
}

static void hostile_archives_are_refused_with_specific_codes(void **state)
{
    (void)state;
    static const struct { const char *name; int code; const char *says; } cases[] = {
        { "dotdot", MLOPS_E_UNSAFE, "\"..\" path segment" },
        { "dotdot_nested", MLOPS_E_UNSAFE, "\"..\" path segment" },
        { "dotdot_outside", MLOPS_E_UNSAFE, "\"..\" path segment" },
        { "absolute", MLOPS_E_UNSAFE, "absolute path" },
        { "backslash", MLOPS_E_UNSAFE, "backslash" },
        { "dot_segment", MLOPS_E_UNSAFE, "\".\" path segment" },
        { "symlink_then_write", MLOPS_E_UNSAFE, "symbolic link" },
        { "hardlink_out", MLOPS_E_UNSAFE, "hard link" },
        { "chardev", MLOPS_E_UNSAFE, "character device" },
        { "blockdev", MLOPS_E_UNSAFE, "block device" },
        { "fifo", MLOPS_E_UNSAFE, "FIFO" },
        { "duplicate", MLOPS_E_UNSAFE, "duplicate entry \"config.json\"" },
        { "case_collision", MLOPS_E_UNSAFE, "collides with \"Model.bin\"" },
        { "case_collision_dir", MLOPS_E_UNSAFE, "collides with \"Model\"" },
        { "file_then_dir", MLOPS_E_UNSAFE, "both a file and a directory" },
        { "larger_than_declared", MLOPS_E_INTEGRITY, "larger than its declared 10" },
        { "flipped_byte", MLOPS_E_INTEGRITY, "expected sha256:" },
        { "swapped_names", MLOPS_E_INTEGRITY, "entry \"a.bin\": digest sha256:" },
        { "extra_entry", MLOPS_E_INTEGRITY, "\"extra.txt\" is not a declared file" },
        { "missing_entry", MLOPS_E_INTEGRITY, "\"run.sh\" is missing" },
        { "truncated", MLOPS_E_PARSE, "model/weights.bin" },
        { "garbage", MLOPS_E_PARSE, "tar" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int rc = extract_case(cases[i].name, 1);
        if (rc != cases[i].code)
            fail_msg("%s: rc %d (%s), expected %s", cases[i].name, rc, mlops_error_last(),
                     mlops_error_name(cases[i].code));
        if (!strstr(mlops_error_last(), cases[i].says))
            fail_msg("%s: message \"%s\" does not say \"%s\"", cases[i].name,
                     mlops_error_last(), cases[i].says);
        assert_nothing_left(cases[i].name);
    }
}

static void hostile_kinds_are_refused_without_a_manifest_too(void **state)
{
    (void)state;
    static const char *const names[] = {
        "dotdot", "absolute", "symlink_then_write", "hardlink_out", "chardev", "fifo",
        "duplicate", "case_collision", "file_then_dir",
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        int rc = extract_case(names[i], 0);
        if (rc != MLOPS_E_UNSAFE)
            fail_msg("%s: rc %d (%s)", names[i], rc, mlops_error_last());
        assert_nothing_left(names[i]);
    }
}

static void check_file(const char *rel, const declared_list *d, size_t i, mode_t mode)
{
    char p[256];
    snprintf(p, sizeof p, "%s/%s", dest, rel);
    struct stat st;
    assert_int_equal(lstat(p, &st), 0);
    assert_true(S_ISREG(st.st_mode));
    assert_int_equal(st.st_mode & 07777, mode);
    assert_int_equal((uint64_t)st.st_size, d->e[i].size);
    uint8_t got[32];
    assert_int_equal(mlops_digest_file(got, p, NULL), 0);
    assert_memory_equal(got, d->e[i].digest, 32);
}

static void good_archive_extracts_exactly_its_declared_files(void **state)
{
    (void)state;
    mode_t old = umask(077); /* the umask must not leak into modes */
    int rc = extract_case("good", 1);
    umask(old);
    if (rc)
        fail_msg("rc %d: %s", rc, mlops_error_last());
    declared_list d;
    load_decl(&d, "good");
    assert_int_equal(d.n, 3);
    check_file("config.json", &d, 0, 0644);
    check_file("model/weights.bin", &d, 1, 0644);
    check_file("run.sh", &d, 2, 0755);
    struct stat st;
    char p[256];
    snprintf(p, sizeof p, "%s/model", dest);
    assert_int_equal(lstat(p, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0755);
    assert_int_equal(lstat(dest, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0755);
    assert_int_equal(count_entries(dest), 3);
    assert_int_equal(count_entries(out_dir), 1); /* no temporary left */

    /* an existing destination is never replaced nor entered */
    assert_int_equal(extract_case("good", 1), MLOPS_E_EXISTS);
    assert_string_equal(mlops_error_last_path(), dest);
    assert_int_equal(count_entries(out_dir), 1);
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dest);
    assert_int_equal(system(cmd), 0);
}

static void unsafe_paths_are_named_with_their_rule(void **state)
{
    (void)state;
    static const struct { const char *p; size_t len; const char *why; } bad[] = {
        { "", 0, "empty entry path" },
        { "/etc/passwd", 11, "absolute path" },
        { "a//b", 4, "empty path segment" },
        { "a/", 2, "empty path segment" },
        { "a/./b", 5, "\".\" path segment" },
        { "..", 2, "\"..\" path segment" },
        { "a/..", 4, "\"..\" path segment" },
        { "a\\b", 3, "backslash" },
        { "a\0b", 3, "NUL byte" },
        { "a\nb", 3, "control character" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(mlops__path_check(bad[i].p, bad[i].len), MLOPS_E_UNSAFE);
        if (!strstr(mlops_error_last(), bad[i].why))
            fail_msg("case %zu: \"%s\" lacks \"%s\"", i, mlops_error_last(), bad[i].why);
    }
    char longseg[300];
    memset(longseg, 'a', 256);
    longseg[256] = '\0';
    assert_int_equal(mlops__path_check(longseg, 256), MLOPS_E_UNSAFE);
    char deep[200];
    size_t n = 0;
    for (int i = 0; i < 65; i++) {
        deep[n++] = 'd';
        deep[n++] = '/';
    }
    deep[n - 1] = '\0';
    assert_int_equal(mlops__path_check(deep, n - 1), MLOPS_E_UNSAFE);
    assert_non_null(strstr(mlops_error_last(), "deeper than 64"));
    /* the good ones */
    assert_int_equal(mlops__path_check("a", 1), 0);
    assert_int_equal(mlops__path_check("model/.hidden/..x/w.bin", 23), 0);
    assert_int_equal(mlops__path_check(longseg, 255), 0);
    assert_int_equal(mlops__path_check(deep, n - 3), 0);
}

static void destination_rules(void **state)
{
    (void)state;
    mlops__extract *x = NULL;
    assert_int_equal(mlops__extract_begin(&x, "/nonexistent-dir/x", NULL), MLOPS_E_IO);
    assert_null(x);
    char p[200];
    snprintf(p, sizeof p, "%s/..", out_dir);
    assert_int_equal(mlops__extract_begin(&x, p, NULL), MLOPS_E_INVALID);
    /* an explicit abort removes everything */
    assert_int_equal(mlops__extract_begin(&x, dest, NULL), 0);
    assert_int_equal(mlops__extract_file_begin(x, "a/b/c.txt", 9, 3, NULL, 0), 0);
    assert_int_equal(mlops__extract_file_write(x, "abcd", 4), MLOPS_E_INTEGRITY);
    assert_int_equal(mlops__extract_file_write(x, "ab", 2), 0);
    assert_int_equal(mlops__extract_file_end(x, NULL), MLOPS_E_INTEGRITY); /* short */
    mlops__extract_abort(x);
    assert_nothing_left("abort");
    /* a limit on total bytes */
    mlops__extract_limits lim = { 5, 0 };
    assert_int_equal(mlops__extract_begin(&x, dest, &lim), 0);
    assert_int_equal(mlops__extract_file_begin(x, "a", 1, 6, NULL, 0), MLOPS_E_LIMIT);
    mlops__extract_abort(x);
    lim.max_total_bytes = 0;
    lim.max_entries = 2;
    assert_int_equal(mlops__extract_begin(&x, dest, &lim), 0);
    assert_int_equal(mlops__extract_file_begin(x, "a/b/c", 5, 0, NULL, 0), MLOPS_E_LIMIT);
    mlops__extract_abort(x);
    assert_nothing_left("limits");
}

typedef struct { int fd; } oom_ctx;

static int op_extract(void *p)
{
    oom_ctx *c = p;
    declared_list d;
    load_decl(&d, "good");
    char path[256];
    snprintf(path, sizeof path, "%s/good.tar", tars);
    c->fd = open(path, O_RDONLY);
    return mlops__extract_tar(c->fd, dest, d.e, d.n, NULL);
}

static void cleanup_extract(void *p)
{
    oom_ctx *c = p;
    close(c->fd);
    struct stat st;
    if (lstat(dest, &st) == 0) {
        char cmd[256];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", dest);
        assert_int_equal(system(cmd), 0);
    }
    assert_int_equal(count_entries(out_dir), 0);
}

static void out_of_memory_is_clean(void **state)
{
    (void)state;
    oom_ctx c = { -1 };
    assert_true(oom_check("mlops__extract_tar", op_extract, cleanup_extract, &c, 0) >= 5);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(unsafe_paths_are_named_with_their_rule),
        cmocka_unit_test(hostile_archives_are_refused_with_specific_codes),
        cmocka_unit_test(hostile_kinds_are_refused_without_a_manifest_too),
        cmocka_unit_test(good_archive_extracts_exactly_its_declared_files),
        cmocka_unit_test(destination_rules),
        cmocka_unit_test(out_of_memory_is_clean),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
