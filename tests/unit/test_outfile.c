/*
 * The output-file writer (src/core/outfile.h) on every kind of destination
 * it documents: new and existing regular files (mode kept, old content
 * until the rename), symbolic links (relative, absolute, dangling, chains,
 * loops), FIFOs and inherited descriptors written in place, and what it
 * refuses (directories, sockets, empty and long paths, existing files
 * without overwrite, a file that appears before the rename). The oracle is
 * the file system, read back with stat(2), readlink(2) and stdio.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/outfile.h"

static char dir[PATH_MAX];

static int make_dir(void **state)
{
    (void)state;
    const char *t = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/mlops-outfile-XXXXXX", t && t[0] == '/' ? t : "/tmp");
    return mkdtemp(dir) ? 0 : -1;
}

static void rm_tree(const char *path)
{
    DIR *d = opendir(path);
    if (!d) {
        unlink(path);
        return;
    }
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char p[PATH_MAX * 2];
        snprintf(p, sizeof p, "%s/%s", path, e->d_name);
        struct stat st;
        if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
            rm_tree(p);
        else
            unlink(p);
    }
    closedir(d);
    rmdir(path);
}

static int remove_dir(void **state)
{
    (void)state;
    rm_tree(dir);
    return 0;
}

static char *path_of(const char *name)
{
    static char p[4][PATH_MAX * 2];
    static int k;
    k = (k + 1) % 4;
    snprintf(p[k], sizeof p[k], "%s/%s", dir, name);
    return p[k];
}

static void put(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static char *get(const char *path)
{
    static char buf[4096];
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    return buf;
}

/* Entries of the test directory, so that no temporary is left behind. */
static int entries(void)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(d);
    return n;
}

static int write_all(const char *path, unsigned flags, unsigned mode, const char *text,
                     char *err, size_t errlen)
{
    mlops__outfile o;
    int rc = mlops__outfile_open(&o, path, flags, mode, err, errlen);
    if (rc)
        return rc;
    rc = mlops__outfile_write(&o, text, strlen(text), err, errlen);
    if (rc) {
        mlops__outfile_abort(&o);
        return rc;
    }
    return mlops__outfile_commit(&o, err, errlen);
}

static void new_and_replaced_files(void **state)
{
    (void)state;
    char err[8192];
    mode_t old = umask(022);
    const char *p = path_of("new.txt");
    assert_int_equal(write_all(p, 0, 0640, "first\n", err, sizeof err), 0);
    assert_string_equal(get(p), "first\n");
    struct stat st;
    assert_int_equal(stat(p, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0640);
    /* without overwrite an existing file is refused and kept */
    assert_int_equal(write_all(p, 0, 0644, "second\n", err, sizeof err), EEXIST);
    assert_non_null(strstr(err, "already exists"));
    assert_string_equal(get(p), "first\n");
    /* with overwrite it is replaced and keeps its permission bits */
    assert_int_equal(chmod(p, 0604), 0);
    assert_int_equal(write_all(p, MLOPS__OUT_OVERWRITE, 0644, "second\n", err, sizeof err), 0);
    assert_string_equal(get(p), "second\n");
    assert_int_equal(stat(p, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0604);
    /* until the commit a reader sees the old file; an abort leaves it. The
     * temporary has no name where O_TMPFILE works (this file system: tmpfs
     * or ext4), and is PATH.mlops-tmp-XXXXXXXX with MLOPS__OUT_NAMED_TEMP */
    for (unsigned named = 0; named <= MLOPS__OUT_NAMED_TEMP; named += MLOPS__OUT_NAMED_TEMP) {
        mlops__outfile o;
        assert_int_equal(mlops__outfile_open(&o, p, MLOPS__OUT_OVERWRITE | named, 0644, err,
                                             sizeof err),
                         0);
        assert_int_equal(mlops__outfile_write(&o, "third\n", 6, err, sizeof err), 0);
        assert_string_equal(get(p), "second\n");
        assert_int_equal(o.anonymous, !named);
        assert_int_equal(entries(), named ? 2 : 1);
        if (named)
            assert_non_null(strstr(o.tmp, ".mlops-tmp-"));
        mlops__outfile_abort(&o);
        mlops__outfile_abort(&o); /* safe twice */
        assert_string_equal(get(p), "second\n");
        assert_int_equal(entries(), 1);
        /* a commit after an abort has nothing to commit */
        assert_int_equal(mlops__outfile_commit(&o, err, sizeof err), EBADF);
        /* and a commit replaces the file, mode kept, nothing else left */
        assert_int_equal(mlops__outfile_open(&o, p, MLOPS__OUT_OVERWRITE | named, 0644, err,
                                             sizeof err),
                         0);
        assert_int_equal(mlops__outfile_write(&o, "fourth\n", 7, err, sizeof err), 0);
        assert_int_equal(mlops__outfile_commit(&o, err, sizeof err), 0);
        assert_string_equal(get(p), "fourth\n");
        assert_int_equal(stat(p, &st), 0);
        assert_int_equal(st.st_mode & 07777, 0604);
        assert_int_equal(entries(), 1);
        put(p, "second\n");
    }
    /* a new file through each kind of temporary */
    for (unsigned named = 0; named <= MLOPS__OUT_NAMED_TEMP; named += MLOPS__OUT_NAMED_TEMP) {
        const char *q = path_of("fresh.txt");
        assert_int_equal(write_all(q, named, 0600, "fresh\n", err, sizeof err), 0);
        assert_string_equal(get(q), "fresh\n");
        assert_int_equal(stat(q, &st), 0);
        assert_int_equal(st.st_mode & 07777, 0600);
        assert_int_equal(unlink(q), 0);
    }
    unlink(p);
    umask(old);
}

static void a_file_appearing_before_the_rename_is_kept(void **state)
{
    (void)state;
    char err[8192];
    const char *p = path_of("race.txt");
    for (unsigned named = 0; named <= MLOPS__OUT_NAMED_TEMP; named += MLOPS__OUT_NAMED_TEMP) {
        mlops__outfile o;
        assert_int_equal(mlops__outfile_open(&o, p, named, 0644, err, sizeof err), 0);
        assert_int_equal(mlops__outfile_write(&o, "mine\n", 5, err, sizeof err), 0);
        put(p, "theirs\n");
        assert_int_equal(mlops__outfile_commit(&o, err, sizeof err), EEXIST);
        assert_non_null(strstr(err, "already exists"));
        assert_string_equal(get(p), "theirs\n");
        assert_int_equal(entries(), 1); /* no temporary left */
        unlink(p);
    }
}

static void symbolic_links_are_followed(void **state)
{
    (void)state;
    char err[8192];
    assert_int_equal(mkdir(path_of("sub"), 0755), 0);
    put(path_of("sub/target.txt"), "old\n");
    /* relative to the link's directory, through a chain of two */
    assert_int_equal(symlink("sub/target.txt", path_of("hop2")), 0);
    assert_int_equal(symlink("hop2", path_of("hop1")), 0);
    assert_int_equal(write_all(path_of("hop1"), MLOPS__OUT_OVERWRITE, 0644, "new\n", err,
                               sizeof err), 0);
    assert_string_equal(get(path_of("sub/target.txt")), "new\n");
    char link[PATH_MAX];
    ssize_t n = readlink(path_of("hop1"), link, sizeof link - 1);
    assert_true(n > 0);
    link[n] = '\0';
    assert_string_equal(link, "hop2"); /* the link stays a link */
    /* an absolute link */
    assert_int_equal(symlink(path_of("sub/target.txt"), path_of("abs")), 0);
    assert_int_equal(write_all(path_of("abs"), MLOPS__OUT_OVERWRITE, 0644, "abs\n", err,
                               sizeof err), 0);
    assert_string_equal(get(path_of("sub/target.txt")), "abs\n");
    /* without overwrite a link to an existing file is refused */
    assert_int_equal(write_all(path_of("abs"), 0, 0644, "no\n", err, sizeof err), EEXIST);
    assert_string_equal(get(path_of("sub/target.txt")), "abs\n");
    /* a dangling link creates the file it names (with overwrite: the name
     * given exists, as a link) */
    assert_int_equal(symlink("sub/created.txt", path_of("dangling")), 0);
    assert_int_equal(write_all(path_of("dangling"), 0, 0644, "made\n", err, sizeof err), EEXIST);
    assert_int_equal(write_all(path_of("dangling"), MLOPS__OUT_OVERWRITE, 0644, "made\n", err,
                               sizeof err), 0);
    assert_string_equal(get(path_of("sub/created.txt")), "made\n");
    /* a loop */
    assert_int_equal(symlink("loop-b", path_of("loop-a")), 0);
    assert_int_equal(symlink("loop-a", path_of("loop-b")), 0);
    assert_int_equal(write_all(path_of("loop-a"), MLOPS__OUT_OVERWRITE, 0644, "x", err,
                               sizeof err), ELOOP);
    /* a link to a directory */
    assert_int_equal(symlink("sub", path_of("to-dir")), 0);
    assert_int_equal(write_all(path_of("to-dir"), MLOPS__OUT_OVERWRITE, 0644, "x", err,
                               sizeof err), EISDIR);
    const char *names[] = { "hop1", "hop2", "abs", "dangling", "loop-a", "loop-b", "to-dir",
                            "sub/target.txt", "sub/created.txt" };
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        unlink(path_of(names[i]));
    assert_int_equal(rmdir(path_of("sub")), 0);
    assert_int_equal(entries(), 0);
}

static void streams_are_written_in_place(void **state)
{
    (void)state;
    char err[8192];
    /* a FIFO: opened and written into, never replaced */
    const char *fifo = path_of("fifo");
    assert_int_equal(mkfifo(fifo, 0600), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int fd = open(fifo, O_RDONLY);
        char b[64] = { 0 };
        ssize_t n = read(fd, b, sizeof b - 1);
        _exit(n == 6 && memcmp(b, "piped\n", 6) == 0 ? 0 : 1);
    }
    assert_int_equal(write_all(fifo, 0, 0644, "piped\n", err, sizeof err), 0);
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    struct stat st;
    assert_int_equal(lstat(fifo, &st), 0);
    assert_true(S_ISFIFO(st.st_mode));
    unlink(fifo);
    /* an inherited descriptor, by each of its names */
    int pipefd[2];
    assert_int_equal(pipe(pipefd), 0);
    char name[64];
    snprintf(name, sizeof name, "/dev/fd/%d", pipefd[1]);
    assert_int_equal(write_all(name, 0, 0644, "one,", err, sizeof err), 0);
    snprintf(name, sizeof name, "/proc/self/fd/%d", pipefd[1]);
    assert_int_equal(write_all(name, 0, 0644, "two", err, sizeof err), 0);
    close(pipefd[1]);
    char got[16] = { 0 };
    assert_int_equal(read(pipefd[0], got, sizeof got - 1), 7);
    assert_string_equal(got, "one,two");
    close(pipefd[0]);
    /* a descriptor that is not open */
    assert_int_equal(write_all("/dev/fd/999999", 0, 0644, "x", err, sizeof err), EBADF);
    /* "/dev/fd/" with no number, or with letters, is an ordinary path */
    assert_int_not_equal(write_all("/dev/fd/", 0, 0644, "x", err, sizeof err), 0);
    assert_int_equal(entries(), 0);
}

static void what_is_refused(void **state)
{
    (void)state;
    char err[8192];
    assert_int_equal(write_all("", 0, 0644, "x", err, sizeof err), EINVAL);
    assert_non_null(strstr(err, "empty path"));
    char *longp = malloc(MLOPS__OUT_PATH_MAX + 10);
    assert_non_null(longp);
    memset(longp, 'a', MLOPS__OUT_PATH_MAX + 9);
    longp[MLOPS__OUT_PATH_MAX + 9] = '\0';
    assert_int_equal(write_all(longp, 0, 0644, "x", err, sizeof err), ENAMETOOLONG);
    free(longp);
    /* a directory */
    assert_int_equal(write_all(dir, MLOPS__OUT_OVERWRITE, 0644, "x", err, sizeof err), EISDIR);
    /* a socket: neither a regular file nor a stream the writer can open */
    const char *sock = path_of("sock");
    int s = socket(AF_UNIX, SOCK_STREAM, 0);
    assert_true(s >= 0);
    struct sockaddr_un a;
    memset(&a, 0, sizeof a);
    a.sun_family = AF_UNIX;
    if (strlen(sock) < sizeof a.sun_path) {
        snprintf(a.sun_path, sizeof a.sun_path, "%s", sock);
        assert_int_equal(bind(s, (struct sockaddr *)&a, sizeof a), 0);
        assert_int_equal(write_all(sock, MLOPS__OUT_OVERWRITE, 0644, "x", err, sizeof err),
                         ENOTSUP);
        assert_non_null(strstr(err, "refusing to write"));
        struct stat st;
        assert_int_equal(lstat(sock, &st), 0);
        assert_true(S_ISSOCK(st.st_mode));
        unlink(sock);
    }
    close(s);
    /* a missing directory on the way */
    assert_int_equal(write_all(path_of("no/such/dir/file"), 0, 0644, "x", err, sizeof err),
                     ENOENT);
    /* a path through a regular file */
    put(path_of("plain"), "p");
    assert_int_equal(write_all(path_of("plain/child"), 0, 0644, "x", err, sizeof err), ENOTDIR);
    unlink(path_of("plain"));
    assert_int_equal(entries(), 0);
}

static void a_directory_that_takes_no_new_file_is_an_error(void **state)
{
    (void)state;
    char err[8192];
    /* /proc takes no new file, not even from root (ENOENT); a directory
     * without write permission does the same for other users (EACCES) */
    int rc = write_all("/proc/mlops-outfile-test", 0, 0644, "x", err, sizeof err);
    assert_true(rc == ENOENT || rc == EACCES);
    assert_non_null(strstr(err, "cannot create a temporary file beside it"));
    if (geteuid() != 0) {
        assert_int_equal(mkdir(path_of("ro"), 0555), 0);
        assert_int_equal(write_all(path_of("ro/file"), 0, 0644, "x", err, sizeof err), EACCES);
        rmdir(path_of("ro"));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(new_and_replaced_files),
        cmocka_unit_test(a_file_appearing_before_the_rename_is_kept),
        cmocka_unit_test(symbolic_links_are_followed),
        cmocka_unit_test(streams_are_written_in_place),
        cmocka_unit_test(what_is_refused),
        cmocka_unit_test(a_directory_that_takes_no_new_file_is_an_error),
    };
    return cmocka_run_group_tests(tests, make_dir, remove_dir);
}
