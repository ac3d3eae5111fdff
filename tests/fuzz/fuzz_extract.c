/*
 * Package extraction: mlops_package_extract() of arbitrary bytes into a
 * scratch directory never crashes or leaks and reports only defined codes;
 * nothing is written outside the destination (the scratch directory holds
 * the destination alone after a success and nothing after a failure, and
 * the working directory during the call, a second scratch directory, stays
 * empty); the extracted tree holds only directories and regular files; and
 * extraction
 * succeeds only where verification of the same bytes does. Each input's
 * destination is removed before the next.
 *
 * In the libFuzzer build, the package mutator of fuzz_tar_mutator.h.
 *
 * The scratch directories are made under /dev/shm when it exists (the
 * extractor fsyncs every file), else under $TMPDIR or /tmp.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#define _GNU_SOURCE /* memfd_create */

#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz_common.h"
#include "mlops.h"

/* RFC 8032 §7.1 TEST 1: the key the seed packages are signed with. */
static const uint8_t test1_public[32] = {
    0xd7, 0x5a, 0x98, 0x01, 0x82, 0xb1, 0x0a, 0xb7, 0xd5, 0x4b, 0xfe, 0xd3, 0xc9, 0x64, 0x07, 0x3a,
    0x0e, 0xe1, 0x72, 0xf3, 0xda, 0xa6, 0x23, 0x25, 0xaf, 0x02, 0x1a, 0x68, 0xf7, 0x07, 0x51, 0x1a,
};

static char scratch[256], cwd_dir[256], dest[300];
static int home_fd = -1; /* the working directory between inputs */
static mlops_keyring *ring;

static int allowed(int rc)
{
    return rc == 0 || rc == MLOPS_E_PARSE || rc == MLOPS_E_SCHEMA || rc == MLOPS_E_INTEGRITY ||
           rc == MLOPS_E_SIGNATURE || rc == MLOPS_E_UNSAFE || rc == MLOPS_E_LIMIT ||
           rc == MLOPS_E_UNSUPPORTED || rc == MLOPS_E_VERSION || rc == MLOPS_E_NOTFOUND;
}

/* Names in `dir` other than "." and ".."; the first one in *first. */
static size_t entries(const char *dir, char *first, size_t firstlen)
{
    DIR *d = opendir(dir);
    FUZZ_CHECK(d != NULL);
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if (n++ == 0 && first)
            snprintf(first, firstlen, "%s", e->d_name);
    }
    closedir(d);
    return n;
}

static int only_dirs_and_files(const char *path, const struct stat *st, int type,
                               struct FTW *ftw)
{
    (void)path;
    (void)ftw;
    FUZZ_CHECK(type == FTW_D || type == FTW_F);
    FUZZ_CHECK(S_ISDIR(st->st_mode) || S_ISREG(st->st_mode));
    return 0;
}

static int remove_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    if (type == FTW_DP)
        FUZZ_CHECK(rmdir(path) == 0);
    else
        FUZZ_CHECK(unlink(path) == 0);
    return 0;
}

static void remove_tree(const char *path)
{
    struct stat st;
    if (lstat(path, &st) == 0)
        FUZZ_CHECK(nftw(path, remove_one, 16, FTW_DEPTH | FTW_PHYS) == 0);
}

static void cleanup(void)
{
    remove_tree(scratch);
    remove_tree(cwd_dir);
}

static void setup(void)
{
    const char *base = "/dev/shm";
    struct stat st;
    if (stat(base, &st) != 0 || !S_ISDIR(st.st_mode) || access(base, W_OK) != 0)
        base = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    snprintf(scratch, sizeof scratch, "%s/mlops-fuzz-extract-XXXXXX", base);
    snprintf(cwd_dir, sizeof cwd_dir, "%s/mlops-fuzz-extract-cwd-XXXXXX", base);
    FUZZ_CHECK(mkdtemp(scratch) != NULL && mkdtemp(cwd_dir) != NULL);
    home_fd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    FUZZ_CHECK(home_fd >= 0);
    snprintf(dest, sizeof dest, "%s/out", scratch);
    atexit(cleanup);
    mlops_key *k = NULL;
    FUZZ_CHECK(mlops_key_from_public(&k, test1_public) == 0);
    FUZZ_CHECK(mlops_keyring_new(&ring) == 0);
    FUZZ_CHECK(mlops_keyring_add(ring, k) == 0);
    mlops_key_free(k);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!ring)
        setup();
    int fd = memfd_create("mlpkg", MFD_CLOEXEC);
    FUZZ_CHECK(fd >= 0);
    FUZZ_CHECK(size == 0 || write(fd, data, size) == (ssize_t)size);
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);

    /* Signed packages are checked against the key; unsigned ones accepted. */
    mlops_package_verify_options o = MLOPS_PACKAGE_VERIFY_OPTIONS_INIT;
    o.trusted = ring;
    o.flags = MLOPS_PACKAGE_ALLOW_UNSIGNED;
    FUZZ_CHECK(chdir(cwd_dir) == 0); /* during the call only: libFuzzer's paths are relative */
    int rc = mlops_package_extract(path, dest, &o);
    FUZZ_CHECK(fchdir(home_fd) == 0);
    FUZZ_CHECK(allowed(rc));
    FUZZ_CHECK(rc == 0 || (mlops_error_last_code() == rc && mlops_error_last()[0] != '\0'));

    char first[256] = "";
    size_t n = entries(scratch, first, sizeof first);
    if (rc == 0) {
        FUZZ_CHECK(n == 1 && strcmp(first, "out") == 0);
        FUZZ_CHECK(nftw(dest, only_dirs_and_files, 16, FTW_PHYS) == 0);
        /* what extracts also verifies */
        mlops_package_report *rep = NULL;
        FUZZ_CHECK(mlops_package_verify(&rep, path, &o) == 0);
        mlops_package_report_free(rep);
    } else {
        if (n != 0)
            fprintf(stderr, "left behind after rc %d: %s\n", rc, first);
        FUZZ_CHECK(n == 0);
    }
    FUZZ_CHECK(entries(cwd_dir, NULL, 0) == 0);
    remove_tree(dest);
    close(fd);
    return 0;
}

#include "fuzz_tar_mutator.h"
