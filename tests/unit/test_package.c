/*
 * Packing. Oracles: tests/unit/check_package.py reads every package with
 * Python's tarfile/json/hashlib (and `cryptography` for the signatures) and
 * checks it against the source files; byte reproducibility is shown by
 * SHA-256 of two packages made from copies of the input in different
 * directories, under different umasks, in different processes, with
 * different thread counts.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "mlops.h"
#include "oom.h"

static char work[64];

static const char *wp(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static const char *wp(const char *fmt, ...)
{
    static char p[16][512];
    static int k;
    k = (k + 1) % 16;
    char rel[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(rel, sizeof rel, fmt, ap);
    va_end(ap);
    snprintf(p[k], sizeof p[k], "%s/%s", work, rel);
    return p[k];
}

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
    char cmd[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    int st = system(cmd);
    return st == -1 ? -1 : WEXITSTATUS(st);
}

static void write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

#define LONG_DIR "a-directory-name-that-is-rather-long-for-tar"
#define LONG_NAME                                                                   \
    "and-a-file-name-that-alone-is-longer-than-the-one-hundred-bytes-ustar-allows-" \
    "for-names-so-the-ustar-prefix-split-cannot-help.md"

/* A model tree: a large weight file (3 shards of 1 MiB at shard size 1 MiB
 * plus a tail), small files of three roles, and things to ignore. */
static void make_tree(const char *root)
{
    assert_int_equal(sh("mkdir -p '%s/model' '%s/docs' '%s/cache'", root, root, root), 0);
    size_t big = 3 * (1u << 20) + 12345;
    unsigned char *b = malloc(big);
    assert_non_null(b);
    uint32_t x = 2463534242u;
    for (size_t i = 0; i < big; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        b[i] = (unsigned char)x;
    }
    char p[512];
    snprintf(p, sizeof p, "%s/model/weights.bin", root);
    write_file(p, b, big);
    free(b);
    snprintf(p, sizeof p, "%s/model/tokenizer.json", root);
    write_file(p, "{\"vocab\":[\"a\",\"b\"]}\n", 21);
    snprintf(p, sizeof p, "%s/model/empty.txt", root);
    write_file(p, "", 0);
    snprintf(p, sizeof p, "%s/docs/README.md", root);
    write_file(p, "# fraud detector\n", 17);
    snprintf(p, sizeof p, "%s/cache/junk.bin", root);
    write_file(p, "junk", 4);
    snprintf(p, sizeof p, "%s/model/scratch.tmp", root);
    write_file(p, "tmp", 3);
    snprintf(p, sizeof p, "%s/.mlopsignore", root);
    const char *ign = "# build leftovers\n*.tmp\n/cache/\n\n";
    write_file(p, ign, strlen(ign));
    snprintf(p, sizeof p, "%s/config.json", root);
    write_file(p, "{\"threshold\":0.7}\n", 18);
    /* a name longer than ustar's 100 bytes (and with no prefix split that
     * fits): written with a pax "path" record, which must not carry a PID */
    assert_int_equal(sh("mkdir -p '%s/docs/" LONG_DIR "'", root), 0);
    snprintf(p, sizeof p, "%s/docs/" LONG_DIR "/" LONG_NAME, root);
    write_file(p, "long\n", 5);
}

static int setup(void **state)
{
    (void)state;
    strcpy(work, "/tmp/mlops-package-XXXXXX");
    if (!mkdtemp(work))
        return -1;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    return sh("rm -rf '%s'", work) == 0 ? 0 : -1;
}

static mlops_manifest_builder *builder(void)
{
    mlops_manifest_builder *b = NULL;
    assert_int_equal(mlops_manifest_builder_new(&b, "fraud-detector", "1.4.0-rc.1",
                                                "2026-11-26T09:00:00Z"), 0);
    assert_int_equal(mlops_manifest_builder_set_framework(b, "onnx", "1.17"), 0);
    assert_int_equal(mlops_manifest_builder_set_metric(b, "auc", 0.912), 0);
    return b;
}

static const uint8_t seed1[32] = { 0x9d, 0x61, 0xb1, 0x9d, 0xef, 0xfd, 0x5a, 0x60,
                                   0xba, 0x84, 0x4a, 0xf4, 0x92, 0xec, 0x2c, 0xc4,
                                   0x44, 0x49, 0xc5, 0x69, 0x7b, 0x32, 0x69, 0x19,
                                   0x70, 0x3b, 0xac, 0x03, 0x1c, 0xae, 0x7f, 0x60 };
/* RFC 8032 §7.1 TEST 2 */
static const uint8_t seed2[32] = { 0x4c, 0xcd, 0x08, 0x9b, 0x28, 0xff, 0x96, 0xda,
                                   0x9d, 0xb6, 0xc3, 0x46, 0xec, 0x11, 0x4e, 0x0f,
                                   0x5b, 0x8a, 0x31, 0x9f, 0x35, 0xab, 0xa6, 0x24,
                                   0xda, 0x8c, 0xf6, 0xed, 0x4f, 0xb8, 0xa6, 0xfb };
#define SEED1_PUBLIC "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"

/* Pack `root` into `out` the way every test does. */
static int pack_tree(const char *root, const char *out, unsigned threads, int64_t mtime,
                     int sign)
{
    mlops_key *k = NULL;
    assert_int_equal(mlops_key_from_seed(&k, seed1), 0);
    const mlops_key *keys[1] = { k };
    mlops_packer_options o = MLOPS_PACKER_OPTIONS_INIT;
    o.threads = threads;
    o.mtime = mtime;
    o.shard_size = 1u << 20;
    if (sign) {
        o.keys = keys;
        o.nkeys = 1;
    }
    mlops_packer *p = NULL;
    assert_int_equal(mlops_packer_new(&p, &o), 0);
    char cfg[512];
    snprintf(cfg, sizeof cfg, "%s/config.json", root);
    int rc = mlops_packer_add_file(p, cfg, "config.json", "config", 0);
    mlops_manifest_builder *b = builder();
    if (!rc) {
        char sub[512];
        snprintf(sub, sizeof sub, "%s/model/weights.bin", root);
        rc = mlops_packer_add_file(p, sub, "model/weights.bin", "model", 0);
        snprintf(sub, sizeof sub, "%s/model/tokenizer.json", root);
        if (!rc)
            rc = mlops_packer_add_file(p, sub, "model/tokenizer.json", "model", 0);
        snprintf(sub, sizeof sub, "%s/model/empty.txt", root);
        if (!rc)
            rc = mlops_packer_add_file(p, sub, "model/empty.txt", "model", 0);
        snprintf(sub, sizeof sub, "%s/docs/README.md", root);
        if (!rc)
            rc = mlops_packer_add_file(p, sub, "docs/README.md", "doc", 0);
        snprintf(sub, sizeof sub, "%s/docs/" LONG_DIR "/" LONG_NAME, root);
        if (!rc)
            rc = mlops_packer_add_file(p, sub, "docs/" LONG_DIR "/" LONG_NAME, "doc", 0);
    }
    if (!rc)
        rc = mlops_packer_write_file(NULL, p, out, b);
    mlops_manifest_builder_free(b);
    mlops_packer_free(p);
    mlops_key_free(k);
    return rc;
}

static void file_sha256(char out[65], const char *path)
{
    uint8_t d[32];
    assert_int_equal(mlops_digest_file(d, path, NULL), 0);
    for (int i = 0; i < 32; i++)
        sprintf(out + 2 * i, "%02x", d[i]);
}

static void package_passes_the_independent_reader(void **state)
{
    (void)state;
    make_tree(wp("a"));
    int rc = pack_tree(wp("a"), wp("a.mlpkg"), 2, 1700000000, 1);
    if (rc)
        fail_msg("pack: %d %s", rc, mlops_error_last());
    const char *py = getenv("MLOPS_PYTHON");
    const char *src = getenv("MLOPS_SOURCE_ROOT");
    assert_int_equal(sh("'%s' '%s/tests/unit/check_package.py' '%s' '%s' 1700000000 %s",
                        py ? py : "python3", src ? src : "..", wp("a.mlpkg"), wp("a"),
                        SEED1_PUBLIC), 0);
    /* unsigned: no referrer */
    assert_int_equal(pack_tree(wp("a"), wp("unsigned.mlpkg"), 1, 0, 0), 0);
    assert_int_equal(sh("'%s' '%s/tests/unit/check_package.py' '%s' '%s' 0", py ? py : "python3",
                        src ? src : "..", wp("unsigned.mlpkg"), wp("a")), 0);
}

static void packing_is_byte_reproducible(void **state)
{
    (void)state;
    /* a copy of the input elsewhere, other umask, another process, one
     * thread instead of two, SOURCE_DATE_EPOCH instead of the option */
    assert_int_equal(sh("mkdir -p '%s' && cp -r '%s/.' '%s/'", wp("elsewhere/deeper/b"),
                        wp("a"), wp("elsewhere/deeper/b")), 0);
    assert_int_equal(sh("chmod 0700 '%s/model' && chmod 0600 '%s/model/weights.bin' && "
                        "touch -d 2001-01-01 '%s/config.json'", wp("elsewhere/deeper/b"),
                        wp("elsewhere/deeper/b"), wp("elsewhere/deeper/b")), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        umask(077);
        setenv("SOURCE_DATE_EPOCH", "1700000000", 1);
        int rc = pack_tree(wp("elsewhere/deeper/b"), wp("elsewhere/b.mlpkg"), 1, -1, 1);
        _exit(rc == 0 ? 0 : 1);
    }
    int st;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    char a[65], b[65];
    file_sha256(a, wp("a.mlpkg"));
    file_sha256(b, wp("elsewhere/b.mlpkg"));
    assert_string_equal(a, b);
    /* and the same through the shell's sha256sum */
    assert_int_equal(sh("test \"$(sha256sum < '%s')\" = \"$(sha256sum < '%s')\"",
                        wp("a.mlpkg"), wp("elsewhere/b.mlpkg")), 0);
    /* another mtime gives other bytes */
    assert_int_equal(pack_tree(wp("a"), wp("c.mlpkg"), 2, 1700000001, 1), 0);
    file_sha256(b, wp("c.mlpkg"));
    assert_string_not_equal(a, b);
}

static void directory_walk_honours_the_ignore_file(void **state)
{
    (void)state;
    mlops_packer *p = NULL;
    assert_int_equal(mlops_packer_new(&p, NULL), 0);
    assert_int_equal(mlops_packer_add_directory(p, wp("a"), "model", 0), 0);
    mlops_manifest_builder *b = builder();
    mlops_manifest *m = NULL;
    int rc = mlops_packer_write_file(&m, p, wp("dir.mlpkg"), b);
    if (rc)
        fail_msg("%d %s", rc, mlops_error_last());
    static const char *const want[] = { "config.json", "docs/README.md",
                                        "docs/" LONG_DIR "/" LONG_NAME, "model/empty.txt",
                                        "model/tokenizer.json", "model/weights.bin" };
    assert_int_equal(mlops_manifest_file_count(m), 6);
    for (size_t i = 0; i < 6; i++)
        assert_string_equal(mlops_manifest_file_path(m, i), want[i]);
    /* the large file is raw, with its default (256 MiB) shard size: no shards */
    assert_string_equal(mlops_manifest_file_media_type(m, 5),
                        "application/vnd.cncf.model.weight.v1.raw");
    assert_int_equal(mlops_manifest_file_shard_count(m, 5), 0);
    assert_string_equal(mlops_manifest_file_media_type(m, 0),
                        "application/vnd.cncf.model.weight.v1.tar");
    mlops_manifest_free(m);
    mlops_manifest_builder_free(b);
    mlops_packer_free(p);

    /* "!" is not supported */
    assert_int_equal(sh("mkdir -p '%s' && printf '!keep\\n' > '%s/.mlopsignore' && "
                        "echo x > '%s/x'", wp("neg"), wp("neg"), wp("neg")), 0);
    assert_int_equal(mlops_packer_new(&p, NULL), 0);
    assert_int_equal(mlops_packer_add_directory(p, wp("neg"), "model", 0), MLOPS_E_UNSUPPORTED);
    assert_int_equal(mlops_error_last_line(), 1);
    mlops_packer_free(p);
}

static void links_fifos_and_devices_are_refused_by_name(void **state)
{
    (void)state;
    assert_int_equal(sh("mkdir -p '%s' && echo x > '%s/ok' && ln -s /etc/passwd '%s/link'",
                        wp("sym"), wp("sym"), wp("sym")), 0);
    mlops_packer *p = NULL;
    assert_int_equal(mlops_packer_new(&p, NULL), 0);
    assert_int_equal(mlops_packer_add_directory(p, wp("sym"), "model", 0), MLOPS_E_UNSAFE);
    assert_non_null(strstr(mlops_error_last(), "sym/link is a symbolic link"));
    assert_string_equal(mlops_error_last_path(), wp("sym/link"));
    assert_int_equal(mlops_packer_add_file(p, wp("sym/link"), "link", "model", 0),
                     MLOPS_E_UNSAFE);
    assert_int_equal(sh("mkfifo '%s'", wp("fifo")), 0);
    assert_int_equal(mlops_packer_add_file(p, wp("fifo"), "fifo", "model", 0), MLOPS_E_UNSAFE);
    assert_non_null(strstr(mlops_error_last(), "is a FIFO"));
    assert_int_equal(mlops_packer_add_file(p, "/dev/null", "null", "model", 0), MLOPS_E_UNSAFE);
    assert_non_null(strstr(mlops_error_last(), "/dev/null is a character device"));
    assert_int_equal(mlops_packer_add_file(p, wp("sym"), "d", "model", 0), MLOPS_E_UNSAFE);
    assert_int_equal(mlops_packer_add_file(p, wp("sym/ok"), "../ok", "model", 0),
                     MLOPS_E_SCHEMA);
    assert_int_equal(mlops_packer_add_file(p, wp("sym/ok"), "ok", "weights", 0),
                     MLOPS_E_SCHEMA);
    assert_int_equal(mlops_packer_add_file(p, wp("sym/ok"), "ok", "model", 1), MLOPS_E_INVALID);
    /* a path given twice */
    assert_int_equal(mlops_packer_add_file(p, wp("sym/ok"), "ok", "model", 0), 0);
    assert_int_equal(mlops_packer_add_file(p, wp("sym/ok"), "ok", "doc", 0), 0);
    mlops_manifest_builder *b = builder();
    assert_int_equal(mlops_packer_write_file(NULL, p, wp("twice.mlpkg"), b), MLOPS_E_EXISTS);
    assert_int_equal(access(wp("twice.mlpkg"), F_OK), -1);
    mlops_manifest_builder_free(b);
    mlops_packer_free(p);
    /* two paths that collide on a case-insensitive file system */
    assert_int_equal(mlops_packer_new(&p, NULL), 0);
    assert_int_equal(mlops_packer_add_file(p, wp("sym/ok"), "Model.bin", "model", 0), 0);
    assert_int_equal(mlops_packer_add_file(p, wp("sym/ok"), "model.bin", "model", 0), 0);
    b = builder();
    assert_int_equal(mlops_packer_write_file(NULL, p, wp("case.mlpkg"), b), MLOPS_E_SCHEMA);
    assert_int_equal(access(wp("case.mlpkg"), F_OK), -1);
    assert_int_equal(sh("ls '%s' | grep -c 'case.mlpkg' > /dev/null", work), 1);
    mlops_manifest_builder_free(b);
    mlops_packer_free(p);
}

static int cancel_after(uint64_t done, uint64_t total, void *ctx)
{
    (void)total;
    uint64_t *limit = ctx;
    return done > *limit;
}

typedef struct {
    int calls;
    uint64_t last, total, before_last;
} progress_seen;

static int count_progress(uint64_t done, uint64_t total, void *ctx)
{
    progress_seen *p = ctx;
    assert_true(done >= p->last);
    assert_true(done <= total);
    p->calls++;
    p->before_last = p->last;
    p->last = done;
    p->total = total;
    return 0;
}

static int count_dir(const char *dir)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "ls -A '%s' | wc -l > '%s/count.txt'", dir, work);
    assert_int_equal(system(cmd), 0);
    FILE *f = fopen(wp("count.txt"), "r");
    int n = -1;
    assert_int_equal(fscanf(f, "%d", &n), 1);
    fclose(f);
    return n;
}

static void cancel_and_existing_output_leave_nothing_behind(void **state)
{
    (void)state;
    assert_int_equal(sh("mkdir -p '%s'", wp("outdir")), 0);
    uint64_t limits[] = { 0, 2u << 20, 7u << 19, 6u << 20 }; /* total is ~6.02 MiB */
    for (size_t i = 0; i < sizeof limits / sizeof limits[0]; i++) {
        mlops_packer_options o = MLOPS_PACKER_OPTIONS_INIT;
        o.progress = cancel_after;
        o.progress_ctx = &limits[i];
        o.threads = 1;
        mlops_packer *p = NULL;
        assert_int_equal(mlops_packer_new(&p, &o), 0);
        assert_int_equal(mlops_packer_add_directory(p, wp("a"), "model", 0), 0);
        mlops_manifest_builder *b = builder();
        int rc = mlops_packer_write_file(NULL, p, wp("outdir/x.mlpkg"), b);
        if (rc != MLOPS_E_CANCELLED)
            fail_msg("limit %zu: rc %d %s", i, rc, mlops_error_last());
        assert_int_equal(count_dir(wp("outdir")), 0);
        mlops_manifest_builder_free(b);
        mlops_packer_free(p);
    }
    /* progress is reported while one large file is hashed and written, and
     * ends at the total: twice the input bytes (hashing, then writing) */
    {
        progress_seen seen = { 0, 0, 0, 0 };
        mlops_packer_options o = MLOPS_PACKER_OPTIONS_INIT;
        o.progress = count_progress;
        o.progress_ctx = &seen;
        mlops_packer *p = NULL;
        assert_int_equal(mlops_packer_new(&p, &o), 0);
        assert_int_equal(mlops_packer_add_file(p, wp("a/model/weights.bin"), "w.bin", "model", 0),
                         0);
        mlops_manifest_builder *b = builder();
        assert_int_equal(mlops_packer_write_file(NULL, p, wp("outdir/progress.mlpkg"), b), 0);
        assert_true(seen.calls >= 8); /* 1 MiB reads of a 3 MiB file, twice */
        assert_int_equal(seen.total, 2 * (uint64_t)(3 * (1u << 20) + 12345));
        assert_int_equal(seen.last, seen.total);
        mlops_manifest_builder_free(b);
        mlops_packer_free(p);
        unlink(wp("outdir/progress.mlpkg"));
    }
    /* an existing output is not replaced unless asked */
    write_file(wp("outdir/x.mlpkg"), "keep", 4);
    assert_int_equal(pack_tree(wp("a"), wp("outdir/x.mlpkg"), 2, 0, 0), MLOPS_E_EXISTS);
    assert_int_equal(count_dir(wp("outdir")), 1);
    mlops_packer_options o = MLOPS_PACKER_OPTIONS_INIT;
    o.flags = MLOPS_PACK_OVERWRITE;
    mlops_packer *p = NULL;
    assert_int_equal(mlops_packer_new(&p, &o), 0);
    assert_int_equal(mlops_packer_add_directory(p, wp("a"), "model", 0), 0);
    mlops_manifest_builder *b = builder();
    assert_int_equal(mlops_packer_write_file(NULL, p, wp("outdir/x.mlpkg"), b), 0);
    assert_int_equal(count_dir(wp("outdir")), 1);
    mlops_manifest_builder_free(b);
    mlops_packer_free(p);
    /* option checks */
    o.flags = 8;
    assert_int_equal(mlops_packer_new(&p, &o), MLOPS_E_INVALID);
    o.flags = 0;
    o.version = 7;
    assert_int_equal(mlops_packer_new(&p, &o), MLOPS_E_VERSION);
    assert_int_equal(mlops_packer_options_init(&o, sizeof o), 0);
    assert_int_equal(o.mtime, -1);
    assert_int_equal(mlops_packer_new(&p, NULL), 0);
    b = builder();
    assert_int_equal(mlops_packer_write_file(NULL, p, wp("outdir/none.mlpkg"), b), MLOPS_E_INVALID);
    mlops_manifest_builder_free(b);
    mlops_packer_free(p);
}


/* ---- verification and extraction --------------------------------------- */

static mlops_keyring *trusted_ring(const uint8_t *seed)
{
    mlops_key *k = NULL;
    assert_int_equal(mlops_key_from_seed(&k, seed), 0);
    mlops_keyring *r = NULL;
    assert_int_equal(mlops_keyring_new(&r), 0);
    assert_int_equal(mlops_keyring_add(r, k), 0);
    mlops_key_free(k);
    return r;
}

/* Copy a package and flip one byte at the first occurrence of `needle`
 * (plus `delta`): the tampering an attacker with write access could do. */
static void tamper(const char *from, const char *to, const void *needle, size_t nlen,
                   long delta)
{
    FILE *f = fopen(from, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *b = malloc((size_t)size);
    assert_non_null(b);
    assert_int_equal(fread(b, 1, (size_t)size, f), (size_t)size);
    fclose(f);
    long at = -1;
    for (long i = 0; i + (long)nlen <= size; i++)
        if (memcmp(b + i, needle, nlen) == 0) {
            at = i;
            break;
        }
    assert_true(at >= 0);
    b[at + delta] ^= 0x20;
    write_file(to, b, (size_t)size);
    free(b);
}

/* The report's read-only views (package.h) say what its getters say, with
 * NULL where a getter says "" for "none", and stop where the rows stop. */
static const char *nonempty(const char *s) { return s && *s ? s : NULL; }

static int same_str(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

static const struct mlops_package_report_info *check_report_views(const mlops_package_report *r)
{
    const struct mlops_package_report_info *in = mlops_package_report_info(r);
    assert_non_null(in);
    assert_int_equal(in->version, MLOPS_PACKAGE_REPORT_INFO_VERSION);
    assert_int_equal(in->size, sizeof *in);
    assert_true(MLOPS_INFO_HAS(in, struct mlops_package_report_info, error_offset));
    assert_int_equal(in->valid, mlops_package_report_valid(r));
    assert_int_equal(in->is_signed, mlops_package_report_signed(r));
    assert_int_equal(in->files_verified, mlops_package_report_files_verified(r));
    assert_int_equal(in->problem_count, mlops_package_report_count(r));
    assert_int_equal(in->error_code, mlops_package_report_error_code(r));
    assert_true(same_str(in->error_message, nonempty(mlops_package_report_error_message(r))));
    assert_true(same_str(in->error_path, nonempty(mlops_package_report_error_path(r))));
    assert_int_equal(in->error_offset, mlops_package_report_error_offset(r));
    for (size_t i = 0; i < in->problem_count; i++) {
        const mlops_package_report_problem_info *p = mlops_package_report_problem(r, i);
        assert_non_null(p);
        assert_int_equal(p->version, MLOPS_PACKAGE_REPORT_PROBLEM_INFO_VERSION);
        assert_int_equal(p->size, sizeof *p);
        assert_int_equal(p->code, mlops_package_report_code(r, i));
        assert_true(same_str(p->entry, nonempty(mlops_package_report_entry(r, i))));
        assert_true(same_str(p->expected, nonempty(mlops_package_report_expected(r, i))));
        assert_true(same_str(p->found, nonempty(mlops_package_report_found(r, i))));
        assert_non_null(p->message);
        assert_string_equal(p->message, mlops_package_report_message(r, i));
    }
    assert_null(mlops_package_report_problem(r, in->problem_count));
    assert_null(mlops_package_report_problem(r, SIZE_MAX));
    return in;
}

static void signed_package_verifies_and_reports_every_file(void **state)
{
    (void)state;
    mlops_keyring *ring = trusted_ring(seed1);
    mlops_package_verify_options o = MLOPS_PACKAGE_VERIFY_OPTIONS_INIT;
    o.trusted = ring;
    mlops_package_report *rep = NULL;
    int rc = mlops_package_verify(&rep, wp("a.mlpkg"), &o);
    if (rc)
        fail_msg("%d %s", rc, mlops_error_last());
    assert_int_equal(mlops_package_report_count(rep), 0);
    assert_int_equal(mlops_package_report_files_verified(rep), 6);
    assert_int_equal(mlops_package_report_signed(rep), 1);
    const struct mlops_package_report_info *in = check_report_views(rep);
    assert_int_equal(in->valid, 1);
    assert_int_equal(in->is_signed, 1);
    assert_int_equal(in->partial, 0);
    assert_int_equal(in->files_verified, 6);
    assert_int_equal(in->problem_count, 0);
    assert_int_equal(in->error_code, 0);
    assert_null(in->error_message);
    assert_null(in->error_path);
    assert_int_equal(in->error_offset, -1);
    assert_null(mlops_package_report_problem(rep, 0));
    assert_null(mlops_package_report_info(NULL));
    assert_null(mlops_package_report_problem(NULL, 0));
    const mlops_manifest *m = mlops_package_report_manifest(rep);
    assert_string_equal(mlops_manifest_version(m), "1.4.0-rc.1");
    assert_int_equal(mlops_manifest_file_shard_count(m, mlops_manifest_file_find(m,
                     "model/weights.bin")), 4);
    mlops_buf json = MLOPS_BUF_INIT;
    assert_int_equal(mlops_package_report_write_json(&json, rep, 0), 0);
    assert_non_null(strstr(json.data, "\"valid\":true"));
    assert_non_null(strstr(json.data, "\"problems\":[]"));
    mlops_buf_dispose(&json);
    mlops_package_report_free(rep);

    /* partial: one file */
    const char *only[] = { "config.json" };
    o.paths = only;
    o.npaths = 1;
    rep = NULL;
    assert_int_equal(mlops_package_verify(&rep, wp("a.mlpkg"), &o), 0);
    assert_int_equal(mlops_package_report_files_verified(rep), 1);
    in = check_report_views(rep);
    assert_int_equal(in->partial, 1);
    assert_int_equal(in->valid, 1);
    assert_int_equal(in->files_verified, 1);
    mlops_package_report_free(rep);
    const char *nope[] = { "nope.bin" };
    o.paths = nope;
    assert_int_equal(mlops_package_verify(NULL, wp("a.mlpkg"), &o), MLOPS_E_NOTFOUND);
    o.paths = NULL;
    o.npaths = 0;

    /* unsigned packages need an explicit opt-in */
    /* an unsigned package checked with trusted keys is "not signed" (no
     * word of file content before a signature it never had) */
    assert_int_equal(mlops_package_verify(NULL, wp("unsigned.mlpkg"), &o), MLOPS_E_SIGNATURE);
    assert_non_null(strstr(mlops_error_last(), "the package is not signed"));
    assert_null(strstr(mlops_error_last(), "before a verified signature"));
    mlops_package_verify_options u = MLOPS_PACKAGE_VERIFY_OPTIONS_INIT;
    assert_int_equal(mlops_package_verify(NULL, wp("unsigned.mlpkg"), &u), MLOPS_E_INVALID);
    u.flags = MLOPS_PACKAGE_ALLOW_UNSIGNED;
    assert_int_equal(mlops_package_verify(NULL, wp("unsigned.mlpkg"), &u), 0);
    assert_int_equal(mlops_package_verify(NULL, wp("a.mlpkg"), &u), 0);

    /* a valid signature by a key that is not trusted */
    uint8_t other[32];
    memset(other, 7, sizeof other);
    mlops_keyring *stranger = trusted_ring(other);
    o.trusted = stranger;
    assert_int_equal(mlops_package_verify(NULL, wp("a.mlpkg"), &o), MLOPS_E_SIGNATURE);
    mlops_keyring_free(stranger);
    mlops_keyring_free(ring);
}

static void tampered_packages_are_refused_with_a_report(void **state)
{
    (void)state;
    mlops_keyring *ring = trusted_ring(seed1);
    mlops_package_verify_options o = MLOPS_PACKAGE_VERIFY_OPTIONS_INIT;
    o.trusted = ring;

    /* a flipped byte in the large (raw) file */
    unsigned char head[64];
    FILE *f = fopen(wp("a/model/weights.bin"), "rb");
    assert_non_null(f);
    assert_int_equal(fread(head, 1, sizeof head, f), sizeof head);
    fclose(f);
    tamper(wp("a.mlpkg"), wp("t1.mlpkg"), head, sizeof head, 5000);
    mlops_package_report *rep = NULL;
    assert_int_equal(mlops_package_verify(&rep, wp("t1.mlpkg"), &o), MLOPS_E_INTEGRITY);
    assert_non_null(rep);
    assert_true(mlops_package_report_count(rep) >= 1);
    assert_string_equal(mlops_package_report_entry(rep, 0), "model/weights.bin");
    char want[72];
    uint8_t d[32];
    assert_int_equal(mlops_digest_file(d, wp("a/model/weights.bin"), NULL), 0);
    mlops_digest_format(want, d);
    assert_string_equal(mlops_package_report_expected(rep, 0), want);
    assert_string_not_equal(mlops_package_report_found(rep, 0), want);
    const struct mlops_package_report_info *in = check_report_views(rep);
    assert_int_equal(in->valid, 0);
    assert_int_equal(in->error_code, MLOPS_E_INTEGRITY);
    assert_string_equal(mlops_package_report_problem(rep, 0)->entry, "model/weights.bin");
    assert_string_equal(mlops_package_report_problem(rep, 0)->expected, want);
    assert_int_equal(mlops_package_report_problem(rep, 0)->code, MLOPS_E_INTEGRITY);
    mlops_buf json = MLOPS_BUF_INIT;
    assert_int_equal(mlops_package_report_write_json(&json, rep, 0), 0);
    assert_non_null(strstr(json.data, "\"valid\":false"));
    assert_non_null(strstr(json.data, "\"code\":\"MLOPS_E_INTEGRITY\""));
    mlops_buf_dispose(&json);
    mlops_package_report_free(rep);

    /* a flipped byte in a small file inside a tar layer */
    tamper(wp("a.mlpkg"), wp("t2.mlpkg"), "# fraud detector", 16, 3);
    rep = NULL;
    assert_int_equal(mlops_package_verify(&rep, wp("t2.mlpkg"), &o), MLOPS_E_INTEGRITY);
    assert_string_equal(mlops_package_report_entry(rep, 0), "docs/README.md");
    mlops_package_report_free(rep);

    /* a changed statement no longer matches its blob name */
    tamper(wp("a.mlpkg"), wp("t3.mlpkg"), "\"fraud-detector\"", 16, 2);
    assert_int_equal(mlops_package_verify(NULL, wp("t3.mlpkg"), &o), MLOPS_E_INTEGRITY);

    /* a truncated package */
    assert_int_equal(sh("head -c 2500000 '%s' > '%s'", wp("a.mlpkg"), wp("t4.mlpkg")), 0);
    /* a damaged package is refused content, like a wrong digest: the
     * message says what is wrong */
    assert_int_equal(mlops_package_verify(NULL, wp("t4.mlpkg"), &o), MLOPS_E_INTEGRITY);
    assert_non_null(strstr(mlops_error_last(), "runcated"));
    /* not a package at all */
    write_file(wp("t5.mlpkg"), "hello", 5);
    assert_int_equal(mlops_package_verify(NULL, wp("t5.mlpkg"), &o), MLOPS_E_INTEGRITY);
    assert_int_equal(mlops_package_verify(NULL, wp("missing.mlpkg"), &o), MLOPS_E_IO);
    mlops_keyring_free(ring);
}

static void extraction_writes_verified_files_or_nothing(void **state)
{
    (void)state;
    mlops_keyring *ring = trusted_ring(seed1);
    mlops_package_verify_options o = MLOPS_PACKAGE_VERIFY_OPTIONS_INIT;
    o.trusted = ring;
    assert_int_equal(sh("mkdir -p '%s'", wp("x")), 0);
    int rc = mlops_package_extract(wp("a.mlpkg"), wp("x/model"), &o);
    if (rc)
        fail_msg("%d %s", rc, mlops_error_last());
    /* the extracted tree equals the source tree, byte for byte (diff is the oracle) */
    assert_int_equal(sh("cd '%s' && for f in config.json docs/README.md model/empty.txt "
                        "model/tokenizer.json model/weights.bin 'docs/" LONG_DIR "/" LONG_NAME
                        "'; do cmp \"$f\" '%s'/\"$f\" || exit 1; done",
                        wp("a"), wp("x/model")), 0);
    assert_int_equal(sh("test $(find '%s' -type f | wc -l) -eq 6", wp("x/model")), 0);
    assert_int_equal(mlops_package_extract(wp("a.mlpkg"), wp("x/model"), &o), MLOPS_E_EXISTS);

    /* tampered: refused, and nothing is left */
    static const char *const bad[] = { "t1.mlpkg", "t2.mlpkg", "t3.mlpkg", "t4.mlpkg" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        rc = mlops_package_extract(wp("%s", bad[i]), wp("x/bad"), &o);
        if (rc == 0)
            fail_msg("%s extracted", bad[i]);
        assert_int_equal(access(wp("x/bad"), F_OK), -1);
        assert_int_equal(count_dir(wp("x")), 1);
    }
    /* unsigned package with keys: refused before any file is written */
    assert_int_equal(mlops_package_extract(wp("unsigned.mlpkg"), wp("x/bad"), &o),
                     MLOPS_E_SIGNATURE);
    assert_int_equal(count_dir(wp("x")), 1);
    mlops_keyring_free(ring);
}

/* Signing later gives the same bytes as signing at pack time. */
static void signatures_added_later_equal_signing_at_pack_time(void **state)
{
    (void)state;
    mlops_key *k1 = NULL, *k2 = NULL;
    assert_int_equal(mlops_key_from_seed(&k1, seed1), 0);
    assert_int_equal(mlops_key_from_seed(&k2, seed2), 0);
    /* unsigned.mlpkg was packed with mtime 0, like this one */
    assert_int_equal(pack_tree(wp("a"), wp("s1-direct.mlpkg"), 2, 0, 1), 0);
    mlops_package_verify_options u = MLOPS_PACKAGE_VERIFY_OPTIONS_INIT;
    u.flags = MLOPS_PACKAGE_ALLOW_UNSIGNED;
    const mlops_key *one[1] = { k1 };
    int rc = mlops_package_sign(wp("unsigned.mlpkg"), wp("s1.mlpkg"), one, 1, &u, 0);
    if (rc)
        fail_msg("%d %s", rc, mlops_error_last());
    assert_int_equal(sh("cmp '%s' '%s'", wp("s1.mlpkg"), wp("s1-direct.mlpkg")), 0);

    /* a second signer: both verify, with a threshold of two */
    mlops_keyring *r1 = trusted_ring(seed1), *r2 = trusted_ring(seed2);
    mlops_package_verify_options o = MLOPS_PACKAGE_VERIFY_OPTIONS_INIT;
    o.trusted = r1;
    const mlops_key *two[1] = { k2 };
    assert_int_equal(mlops_package_sign(wp("s1.mlpkg"), wp("s12.mlpkg"), two, 1, &o, 0), 0);
    mlops_key *k2pub = NULL;
    uint8_t raw[32];
    assert_int_equal(mlops_key_public_raw(raw, k2), 0);
    assert_int_equal(mlops_key_from_public(&k2pub, raw), 0);
    assert_int_equal(mlops_keyring_add(r1, k2pub), 0);
    o.threshold = 2;
    assert_int_equal(mlops_package_verify(NULL, wp("s12.mlpkg"), &o), 0);
    o.trusted = r2;
    o.threshold = 0;
    assert_int_equal(mlops_package_verify(NULL, wp("s12.mlpkg"), &o), 0);
    /* the same signer twice, an existing output, an untrusted input */
    o.trusted = r1;
    assert_int_equal(mlops_package_sign(wp("s12.mlpkg"), wp("s122.mlpkg"), two, 1, &o, 0),
                     MLOPS_E_EXISTS);
    assert_int_equal(mlops_package_sign(wp("s1.mlpkg"), wp("s12.mlpkg"), two, 1, &o, 0),
                     MLOPS_E_EXISTS);
    o.trusted = r2;
    assert_int_equal(mlops_package_sign(wp("s1.mlpkg"), wp("s13.mlpkg"), two, 1, &o, 0),
                     MLOPS_E_SIGNATURE);
    assert_int_equal(access(wp("s13.mlpkg"), F_OK), -1);
    /* a signature covers every file: no partial verification before signing */
    o.trusted = r1;
    static const char *const one_path[] = { "config.json" };
    o.paths = one_path;
    o.npaths = 1;
    assert_int_equal(mlops_package_sign(wp("s1.mlpkg"), wp("s14.mlpkg"), two, 1, &o, 0),
                     MLOPS_E_INVALID);
    assert_non_null(strstr(mlops_error_last(), "opts->paths is not allowed"));
    assert_int_equal(access(wp("s14.mlpkg"), F_OK), -1);
    o.paths = NULL;
    o.npaths = 0;
    /* the output may not be the input, even with OVERWRITE */
    uint8_t before[32], after[32];
    assert_int_equal(mlops_digest_file(before, wp("s1.mlpkg"), NULL), 0);
    assert_int_equal(mlops_package_sign(wp("s1.mlpkg"), wp("s1.mlpkg"), two, 1, &o,
                                        MLOPS_PACK_OVERWRITE),
                     MLOPS_E_INVALID);
    assert_non_null(strstr(mlops_error_last(), "is the input package"));
    assert_int_equal(mlops_digest_file(after, wp("s1.mlpkg"), NULL), 0);
    assert_memory_equal(before, after, 32);
    const char *py = getenv("MLOPS_PYTHON");
    const char *src = getenv("MLOPS_SOURCE_ROOT");
    assert_int_equal(sh("'%s' '%s/tests/unit/check_package.py' '%s' '%s' 0 %s "
                        "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
                        py ? py : "python3", src ? src : "..", wp("s12.mlpkg"), wp("a"),
                        SEED1_PUBLIC), 0);
    mlops_keyring_free(r1);
    mlops_keyring_free(r2);
    mlops_key_free(k2pub);
    mlops_key_free(k1);
    mlops_key_free(k2);
}

/* Two large files with the same content travel as one blob, and both come
 * back. */
static void identical_large_files_share_one_blob(void **state)
{
    (void)state;
    assert_int_equal(sh("mkdir -p '%s/b' && cp '%s' '%s/a.bin' && cp '%s' '%s/b/a-copy.bin'",
                        wp("dup"), wp("a/model/weights.bin"), wp("dup"),
                        wp("a/model/weights.bin"), wp("dup")), 0);
    mlops_packer_options po = MLOPS_PACKER_OPTIONS_INIT;
    po.mtime = 0;
    mlops_packer *p = NULL;
    assert_int_equal(mlops_packer_new(&p, &po), 0);
    assert_int_equal(mlops_packer_add_directory(p, wp("dup"), "model", 0), 0);
    mlops_manifest_builder *b = builder();
    assert_int_equal(mlops_packer_write_file(NULL, p, wp("dup.mlpkg"), b), 0);
    mlops_manifest_builder_free(b);
    mlops_packer_free(p);
    /* one blob of that digest in the tar */
    uint8_t d[32];
    char want[72];
    assert_int_equal(mlops_digest_file(d, wp("dup/a.bin"), NULL), 0);
    mlops_digest_format(want, d);
    assert_int_equal(sh("test $(tar -tf '%s' | grep -c '%s') -eq 1", wp("dup.mlpkg"), want + 7),
                     0);
    mlops_package_verify_options o = MLOPS_PACKAGE_VERIFY_OPTIONS_INIT;
    o.flags = MLOPS_PACKAGE_ALLOW_UNSIGNED;
    mlops_package_report *rep = NULL;
    assert_int_equal(mlops_package_verify(&rep, wp("dup.mlpkg"), &o), 0);
    assert_int_equal(mlops_package_report_files_verified(rep), 2);
    mlops_package_report_free(rep);
    const char *second[] = { "b/a-copy.bin" };
    o.paths = second;
    o.npaths = 1;
    rep = NULL;
    assert_int_equal(mlops_package_verify(&rep, wp("dup.mlpkg"), &o), 0);
    assert_int_equal(mlops_package_report_files_verified(rep), 1);
    mlops_package_report_free(rep);
    o.paths = NULL;
    o.npaths = 0;
    assert_int_equal(mlops_package_extract(wp("dup.mlpkg"), wp("dup-out"), &o), 0);
    assert_int_equal(sh("cmp '%s/a.bin' '%s/a.bin' && cmp '%s/b/a-copy.bin' '%s/b/a-copy.bin'",
                        wp("dup"), wp("dup-out"), wp("dup"), wp("dup-out")), 0);
}

/* Hostile packages derived from a good one by tests/unit/make_hostile_packages.py,
 * with every unsigned digest recomputed: only the signature and the signed
 * statement stand between them and the caller. */
static void resealed_hostile_packages_are_refused(void **state)
{
    (void)state;
    const char *py = getenv("MLOPS_PYTHON");
    const char *src = getenv("MLOPS_SOURCE_ROOT");
    assert_int_equal(sh("'%s' '%s/tests/unit/make_hostile_packages.py' '%s' '%s'",
                        py ? py : "python3", src ? src : "..", wp("a.mlpkg"), wp("hostile")),
                     0);
    static const struct { const char *name; int verify, extract; const char *says; } cases[] = {
        { "forged_signature", MLOPS_E_SIGNATURE, MLOPS_E_SIGNATURE, "0 valid signature" },
        { "swapped_names", MLOPS_E_INTEGRITY, MLOPS_E_INTEGRITY, "the statement says" },
        { "dotdot_in_layer", MLOPS_E_UNSAFE, MLOPS_E_UNSAFE, "\"..\" path segment" },
        { "symlink_in_layer", MLOPS_E_UNSAFE, MLOPS_E_UNSAFE, "symbolic link" },
        { "hardlink_in_layer", MLOPS_E_UNSAFE, MLOPS_E_UNSAFE, "hard link" },
        { "device_in_layer", MLOPS_E_UNSAFE, MLOPS_E_UNSAFE, "character device" },
        { "blockdev_in_layer", MLOPS_E_UNSAFE, MLOPS_E_UNSAFE, "block device" },
        { "fifo_in_layer", MLOPS_E_UNSAFE, MLOPS_E_UNSAFE, "FIFO" },
        { "empty_symlink_in_layer", MLOPS_E_UNSAFE, MLOPS_E_UNSAFE, "symbolic link" },
        { "extra_file_in_layer", MLOPS_E_INTEGRITY, MLOPS_E_INTEGRITY, "not a file of the" },
        { "duplicate_in_layer", MLOPS_E_INTEGRITY, MLOPS_E_INTEGRITY, "appears twice" },
        { "dotdot_outer", MLOPS_E_UNSAFE, MLOPS_E_UNSAFE, "\"..\" path segment" },
        { "symlink_outer", MLOPS_E_UNSAFE, MLOPS_E_UNSAFE, "symbolic link" },
        { "extra_blob", MLOPS_E_INTEGRITY, MLOPS_E_INTEGRITY, "not referenced" },
        { "missing_layer", MLOPS_E_INTEGRITY, MLOPS_E_INTEGRITY, "is missing" },
    };
    mlops_keyring *ring = trusted_ring(seed1);
    mlops_package_verify_options o = MLOPS_PACKAGE_VERIFY_OPTIONS_INIT;
    o.trusted = ring;
    assert_int_equal(sh("mkdir -p '%s'", wp("hx")), 0);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *pkg = wp("hostile/%s.mlpkg", cases[i].name);
        mlops_package_report *rep = NULL;
        int rc = mlops_package_verify(&rep, pkg, &o);
        if (rc != cases[i].verify)
            fail_msg("%s: verify rc %d (%s)", cases[i].name, rc, mlops_error_last());
        /* the report says why it stopped and is never valid, in the
         * accessors and in its JSON */
        assert_non_null(rep);
        assert_int_equal(mlops_package_report_valid(rep), 0);
        assert_int_equal(mlops_package_report_error_code(rep), rc);
        assert_string_equal(mlops_package_report_error_message(rep), mlops_error_last());
        const struct mlops_package_report_info *in = check_report_views(rep);
        assert_int_equal(in->valid, 0);
        assert_int_equal(in->error_code, rc);
        assert_string_equal(in->error_message, mlops_error_last());
        assert_true(same_str(in->error_path, nonempty(mlops_error_last_path())));
        if (strcmp(cases[i].name, "missing_layer") == 0) {
            /* a blob that is not there: what was expected, no entry, nothing found */
            const mlops_package_report_problem_info *pr = mlops_package_report_problem(rep, 0);
            assert_non_null(pr);
            assert_null(pr->entry);
            assert_null(pr->found);
            assert_int_equal(strncmp(pr->expected, "sha256:", 7), 0);
            assert_int_equal(strlen(pr->expected), 71);
        }
        mlops_buf j = MLOPS_BUF_INIT;
        assert_int_equal(mlops_package_report_write_json(&j, rep, 0), 0);
        char want[96];
        snprintf(want, sizeof want, "\"error\":{\"code\":\"%s\"", mlops_error_name(rc));
        if (!strstr(j.data, "\"valid\":false") || !strstr(j.data, want))
            fail_msg("%s: report %s", cases[i].name, j.data);
        mlops_buf_dispose(&j);
        mlops_package_report_free(rep);
        if (!strstr(mlops_error_last(), cases[i].says))
            fail_msg("%s: \"%s\" does not say \"%s\"", cases[i].name, mlops_error_last(),
                     cases[i].says);
        rc = mlops_package_extract(pkg, wp("hx/out"), &o);
        if (rc != cases[i].extract)
            fail_msg("%s: extract rc %d (%s)", cases[i].name, rc, mlops_error_last());
        assert_int_equal(count_dir(wp("hx")), 0);
        assert_int_equal(access(wp("evil.txt"), F_OK), -1);
        assert_int_equal(access(wp("hostile/evil.txt"), F_OK), -1);
    }
    mlops_keyring_free(ring);
}

typedef struct {
    mlops_keyring *ring;
    mlops_package_report *rep;
    int extract;
    mlops_keyring *other; /* a key that did not sign a.mlpkg */
} verify_ctx;

static int op_verify(void *arg)
{
    verify_ctx *c = arg;
    mlops_package_verify_options o = MLOPS_PACKAGE_VERIFY_OPTIONS_INIT;
    o.trusted = c->ring;
    if (c->extract == 2) {
        mlops_key *k = NULL;
        int rc = mlops_key_from_seed(&k, seed2);
        const mlops_key *keys[1] = { k };
        if (!rc)
            rc = mlops_package_sign(wp("a.mlpkg"), wp("oomx"), keys, 1, &o, 0);
        mlops_key_free(k);
        return rc;
    }
    if (c->extract == 3) {
        /* a refused package: the report records the error and its JSON
         * says so (not valid) */
        o.trusted = c->other;
        int rc = mlops_package_verify(&c->rep, wp("a.mlpkg"), &o);
        mlops_buf j = MLOPS_BUF_INIT;
        if (rc == MLOPS_E_SIGNATURE) {
            int jrc = mlops_package_report_write_json(&j, c->rep, 0);
            if (jrc)
                rc = jrc;
            else if (!strstr(j.data, "\"valid\":false") ||
                     !strstr(j.data, "\"error\":{\"code\":\"MLOPS_E_SIGNATURE\""))
                rc = MLOPS_E_INTERNAL;
        }
        mlops_buf_dispose(&j);
        return rc;
    }
    if (c->extract)
        return mlops_package_extract(wp("a.mlpkg"), wp("oomx"), &o);
    int rc = mlops_package_verify(&c->rep, wp("a.mlpkg"), &o);
    mlops_buf j = MLOPS_BUF_INIT;
    if (!rc)
        rc = mlops_package_report_write_json(&j, c->rep, 0);
    mlops_buf_dispose(&j);
    return rc;
}

static void cleanup_verify(void *arg)
{
    verify_ctx *c = arg;
    mlops_package_report_free(c->rep);
    c->rep = NULL;
    assert_int_equal(sh("rm -rf '%s'", wp("oomx")), 0);
}

static void verify_and_extract_out_of_memory_are_clean(void **state)
{
    (void)state;
    verify_ctx c = { trusted_ring(seed1), NULL, 0, NULL };
    assert_true(oom_check("mlops_package_verify", op_verify, cleanup_verify, &c, 0) >= 10);
    c.extract = 1;
    assert_true(oom_check("mlops_package_extract", op_verify, cleanup_verify, &c, 0) >= 10);
    c.extract = 2;
    assert_true(oom_check("mlops_package_sign", op_verify, cleanup_verify, &c, 0) >= 10);
    c.extract = 3;
    c.other = trusted_ring(seed2);
    assert_true(oom_check("mlops_package_report_write_json (refused)", op_verify, cleanup_verify,
                          &c, MLOPS_E_SIGNATURE) >= 10);
    assert_int_equal(sh("ls -a '%s' | grep -c oomx > /dev/null", work), 1);
    mlops_keyring_free(c.ring);
    mlops_keyring_free(c.other);
}

/* Shard-parallel verification: a byte flipped in the second shard of the
 * large file is found, the file and that shard are named with the digests
 * expected and found (oracle: sha256sum over the source and the tampered
 * bytes, cut with head/tail). */
static void sharded_file_verification_names_the_bad_shard(void **state)
{
    (void)state;
    /* the 64 bytes at 1 MiB + 4096 of weights.bin locate shard 1 in the package */
    unsigned char needle[64];
    FILE *f = fopen(wp("a/model/weights.bin"), "rb");
    assert_non_null(f);
    assert_int_equal(fseek(f, (1L << 20) + 4096, SEEK_SET), 0);
    assert_int_equal(fread(needle, 1, sizeof needle, f), sizeof needle);
    fclose(f);
    tamper(wp("a.mlpkg"), wp("shard1.mlpkg"), needle, sizeof needle, 7);
    /* the same flip in a copy of the file, for the oracle */
    assert_int_equal(sh("cp '%s' '%s' && printf \"$(printf '\\\\%%03o' $(( $(od -An -tu1 -j %ld "
                        "-N1 '%s') ^ 32 )))\" | dd of='%s' bs=1 seek=%ld conv=notrunc "
                        "status=none",
                        wp("a/model/weights.bin"), wp("w-flipped.bin"), (1L << 20) + 4096 + 7,
                        wp("a/model/weights.bin"), wp("w-flipped.bin"), (1L << 20) + 4096 + 7),
                     0);
    assert_int_equal(sh("cmp -s '%s' '%s'", wp("a/model/weights.bin"), wp("w-flipped.bin")), 1);
    char whole_want[80], whole_got[80], shard_want[80], shard_got[80];
    assert_int_equal(sh("(printf 'sha256:'; sha256sum < '%s' | cut -c1-64;"
                        " printf 'sha256:'; sha256sum < '%s' | cut -c1-64;"
                        " printf 'sha256:'; head -c 2097152 '%s' | tail -c 1048576 | sha256sum |"
                        " cut -c1-64;"
                        " printf 'sha256:'; head -c 2097152 '%s' | tail -c 1048576 | sha256sum |"
                        " cut -c1-64) > '%s'",
                        wp("a/model/weights.bin"), wp("w-flipped.bin"), wp("a/model/weights.bin"),
                        wp("w-flipped.bin"), wp("oracle.txt")), 0);
    f = fopen(wp("oracle.txt"), "r");
    assert_non_null(f);
    assert_int_equal(fscanf(f, "%79s %79s %79s %79s", whole_want, whole_got, shard_want,
                            shard_got), 4);
    fclose(f);

    mlops_keyring *ring = trusted_ring(seed1);
    mlops_package_verify_options o = MLOPS_PACKAGE_VERIFY_OPTIONS_INIT;
    o.trusted = ring;
    mlops_package_report *rep = NULL;
    assert_int_equal(mlops_package_verify(&rep, wp("shard1.mlpkg"), &o), MLOPS_E_INTEGRITY);
    assert_non_null(rep);
    assert_int_equal(mlops_package_report_count(rep), 2);
    assert_string_equal(mlops_package_report_entry(rep, 0), "model/weights.bin");
    assert_string_equal(mlops_package_report_expected(rep, 0), whole_want);
    assert_string_equal(mlops_package_report_found(rep, 0), whole_got);
    assert_non_null(strstr(mlops_package_report_message(rep, 0), "(shard 1 of 4 differs)"));
    assert_string_equal(mlops_package_report_entry(rep, 1), "model/weights.bin");
    assert_string_equal(mlops_package_report_expected(rep, 1), shard_want);
    assert_string_equal(mlops_package_report_found(rep, 1), shard_got);
    assert_non_null(strstr(mlops_package_report_message(rep, 1),
                           "shard 1 of \"model/weights.bin\" (bytes 1048576 to 2097151)"));
    /* the other files still verified */
    assert_int_equal(mlops_package_report_files_verified(rep), 5);
    /* the same through the read-only structs, against sha256sum */
    const struct mlops_package_report_info *in = check_report_views(rep);
    assert_int_equal(in->problem_count, 2);
    assert_int_equal(in->files_verified, 5);
    assert_int_equal(in->is_signed, 1);
    assert_int_equal(in->valid, 0);
    assert_int_equal(in->error_code, MLOPS_E_INTEGRITY);
    const mlops_package_report_problem_info *p0 = mlops_package_report_problem(rep, 0),
                                            *p1 = mlops_package_report_problem(rep, 1);
    assert_string_equal(p0->entry, "model/weights.bin");
    assert_string_equal(p0->expected, whole_want);
    assert_string_equal(p0->found, whole_got);
    assert_non_null(strstr(p0->message, "(shard 1 of 4 differs)"));
    assert_string_equal(p1->entry, "model/weights.bin");
    assert_string_equal(p1->expected, shard_want);
    assert_string_equal(p1->found, shard_got);
    assert_null(mlops_package_report_problem(rep, 2));
    mlops_package_report_free(rep);
    /* extraction (one streaming pass, whole-file digest) refuses it too */
    assert_int_equal(mlops_package_extract(wp("shard1.mlpkg"), wp("shard1-out"), &o),
                     MLOPS_E_INTEGRITY);
    assert_int_equal(access(wp("shard1-out"), F_OK), -1);

    /* partial verification of the sharded file alone: it passes in the good
     * package and fails in the tampered one */
    const char *only[] = { "model/weights.bin" };
    o.paths = only;
    o.npaths = 1;
    rep = NULL;
    assert_int_equal(mlops_package_verify(&rep, wp("a.mlpkg"), &o), 0);
    assert_int_equal(mlops_package_report_files_verified(rep), 1);
    mlops_package_report_free(rep);
    assert_int_equal(mlops_package_verify(NULL, wp("shard1.mlpkg"), &o), MLOPS_E_INTEGRITY);
    o.paths = NULL;
    o.npaths = 0;

    /* progress covers the whole package once, and cancelling works mid-file */
    progress_seen seen = { 0, 0, 0, 0 };
    o.progress = count_progress;
    o.progress_ctx = &seen;
    assert_int_equal(mlops_package_verify(NULL, wp("a.mlpkg"), &o), 0);
    struct stat st;
    assert_int_equal(stat(wp("a.mlpkg"), &st), 0);
    assert_true(seen.calls >= 4);
    assert_int_equal(seen.total, (uint64_t)st.st_size);
    /* every data byte of the package counted once as it is read: the sum of
     * the entries' sizes, as GNU tar lists them; then, at the end of the
     * archive, the headers and padding, so that the last call is the whole
     * file (a progress bar ends at 100%) */
    assert_int_equal(sh("tar -tvf '%s' | awk '{ s += $3 } END { print s }' > '%s'",
                        wp("a.mlpkg"), wp("datasize.txt")), 0);
    FILE *ds = fopen(wp("datasize.txt"), "r");
    unsigned long long data_bytes = 0;
    assert_non_null(ds);
    assert_int_equal(fscanf(ds, "%llu", &data_bytes), 1);
    fclose(ds);
    assert_int_equal(seen.before_last, data_bytes);
    assert_true(seen.before_last > (uint64_t)st.st_size - 16384); /* headers, padding */
    assert_int_equal(seen.last, (uint64_t)st.st_size);
    uint64_t limit = 2u << 20;
    o.progress = cancel_after;
    o.progress_ctx = &limit;
    assert_int_equal(mlops_package_verify(NULL, wp("a.mlpkg"), &o), MLOPS_E_CANCELLED);
    mlops_keyring_free(ring);
}

static uint64_t modify_at;
static const char *modify_path;

/* Progress callback that rewrites `modify_path` in place (same size, other
 * bytes, a different mtime) once `modify_at` bytes are done. */
static int modify_once(uint64_t done, uint64_t total, void *ctx)
{
    (void)total;
    int *fired = ctx;
    if (!*fired && done >= modify_at) {
        *fired = 1;
        int fd = open(modify_path, O_WRONLY);
        assert_true(fd >= 0);
        assert_int_equal(pwrite(fd, "XXXX", 4, 100), 4);
        close(fd);
    }
    return 0;
}

static int pack_two(const char *out, uint64_t at, const char *modify, int *fired)
{
    mlops_packer_options o = MLOPS_PACKER_OPTIONS_INIT;
    o.threads = 1; /* progress calls at known points */
    o.progress = modify_once;
    o.progress_ctx = fired;
    modify_at = at;
    modify_path = modify;
    *fired = 0;
    mlops_packer *p = NULL;
    assert_int_equal(mlops_packer_new(&p, &o), 0);
    int rc = mlops_packer_add_file(p, wp("mod/a.bin"), "a.bin", "model", 0);
    if (!rc)
        rc = mlops_packer_add_file(p, wp("mod/b.bin"), "b.bin", "model", 0);
    mlops_manifest_builder *b = builder();
    if (!rc)
        rc = mlops_packer_write_file(NULL, p, out, b);
    mlops_manifest_builder_free(b);
    mlops_packer_free(p);
    return rc;
}

/* The writing pass copies large files without hashing them again: a file
 * changed between the passes, or while either runs, is refused by name and
 * nothing is left behind. */
static void a_file_changed_between_passes_is_refused(void **state)
{
    (void)state;
    /* two 2 MiB raw files, with an old mtime so any write changes it */
    assert_int_equal(sh("mkdir -p '%s' '%s' && head -c 2097152 /dev/urandom > '%s' && "
                        "head -c 2097152 /dev/urandom > '%s' && touch -d 2001-01-01 '%s' '%s'",
                        wp("mod"), wp("moddir"), wp("mod/a.bin"), wp("mod/b.bin"),
                        wp("mod/a.bin"), wp("mod/b.bin")), 0);
    const uint64_t total = 2 * 2 * 2097152ull;
    int fired = 0;
    /* unchanged: packs, and the package verifies */
    assert_int_equal(pack_two(wp("mod.mlpkg"), total + 1, wp("mod/a.bin"), &fired), 0);
    assert_int_equal(fired, 0);
    mlops_package_verify_options vo = MLOPS_PACKAGE_VERIFY_OPTIONS_INIT;
    vo.flags = MLOPS_PACKAGE_ALLOW_UNSIGNED;
    assert_int_equal(mlops_package_verify(NULL, wp("mod.mlpkg"), &vo), 0);

    static const struct {
        uint64_t at;
        const char *file, *says;
    } cases[] = {
        /* b.bin changes while a.bin is copied: found before b.bin is copied */
        { 2 * 2097152ull + 1, "mod/b.bin", "changed between hashing and writing" },
        /* a.bin changes while it is copied */
        { 2 * 2097152ull + 1, "mod/a.bin", "changed while it was being written" },
        /* a.bin changes while it is hashed */
        { 1, "mod/a.bin", "changed while it was being hashed" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_int_equal(sh("touch -d 2001-01-01 '%s' '%s'", wp("mod/a.bin"), wp("mod/b.bin")),
                         0);
        char path[512];
        snprintf(path, sizeof path, "%s", wp("%s", cases[i].file));
        int rc = pack_two(wp("moddir/x.mlpkg"), cases[i].at, path, &fired);
        assert_int_equal(fired, 1);
        if (rc != MLOPS_E_INTEGRITY || !strstr(mlops_error_last(), cases[i].says))
            fail_msg("case %zu: rc %d: %s", i, rc, mlops_error_last());
        assert_string_equal(mlops_error_last_path(), path);
        assert_int_equal(access(wp("moddir/x.mlpkg"), F_OK), -1);
    }
    assert_int_equal(count_dir(wp("moddir")), 0); /* no temporaries either */

    /* progress with shards: the whole digest, the shards, then the copy */
    progress_seen seen = { 0, 0, 0, 0 };
    mlops_packer_options o = MLOPS_PACKER_OPTIONS_INIT;
    o.progress = count_progress;
    o.progress_ctx = &seen;
    o.shard_size = 1u << 20;
    mlops_packer *p = NULL;
    assert_int_equal(mlops_packer_new(&p, &o), 0);
    assert_int_equal(mlops_packer_add_file(p, wp("mod/b.bin"), "b.bin", "model", 0), 0);
    mlops_manifest_builder *b = builder();
    assert_int_equal(mlops_packer_write_file(NULL, p, wp("moddir/s.mlpkg"), b), 0);
    assert_int_equal(seen.total, 3 * 2097152ull);
    assert_int_equal(seen.last, seen.total);
    mlops_manifest_builder_free(b);
    mlops_packer_free(p);
}

typedef struct {
    mlops_packer *p;
    mlops_manifest_builder *b;
    mlops_manifest *m;
} oom_ctx;

static int op_pack(void *arg)
{
    oom_ctx *c = arg;
    mlops_packer_options o = MLOPS_PACKER_OPTIONS_INIT;
    o.threads = 1; /* the counting allocator is not thread-safe */
    o.mtime = 0;
    int rc = mlops_packer_new(&c->p, &o);
    if (!rc)
        rc = mlops_manifest_builder_new(&c->b, "m", "1.0.0", "2026-11-26T09:00:00Z");
    if (!rc)
        rc = mlops_packer_add_directory(c->p, wp("oom"), "model", 0);
    if (!rc)
        rc = mlops_packer_write_file(&c->m, c->p, wp("oom.mlpkg"), c->b);
    return rc;
}

static void cleanup_pack(void *arg)
{
    oom_ctx *c = arg;
    mlops_manifest_free(c->m);
    mlops_manifest_builder_free(c->b);
    mlops_packer_free(c->p);
    c->m = NULL;
    c->b = NULL;
    c->p = NULL;
    unlink(wp("oom.mlpkg"));
}

static void out_of_memory_is_clean(void **state)
{
    (void)state;
    assert_int_equal(sh("mkdir -p '%s/sub' && echo one > '%s/a.txt' && echo two > '%s/sub/b'",
                        wp("oom"), wp("oom"), wp("oom")), 0);
    oom_ctx c = { 0 };
    assert_true(oom_check("mlops_packer_write_file", op_pack, cleanup_pack, &c, 0) >= 10);
    assert_int_equal(sh("ls '%s' | grep -c mlops- > /dev/null", work), 1); /* no temporaries */
}

/* The same with a raw layer with shards: the shard hashing units and the
 * raw copy's header writer fail cleanly too. */
static int op_pack_raw(void *arg)
{
    oom_ctx *c = arg;
    mlops_packer_options o = MLOPS_PACKER_OPTIONS_INIT;
    o.threads = 1; /* the counting allocator is not thread-safe */
    o.mtime = 0;
    o.shard_size = 1u << 19;
    int rc = mlops_packer_new(&c->p, &o);
    if (!rc)
        rc = mlops_manifest_builder_new(&c->b, "m", "1.0.0", "2026-11-26T09:00:00Z");
    if (!rc)
        rc = mlops_packer_add_directory(c->p, wp("oomraw"), "model", 0);
    if (!rc)
        rc = mlops_packer_add_file(c->p, wp("oom/a.txt"), "extra/a.txt", "doc", 0);
    if (!rc)
        rc = mlops_packer_write_file(&c->m, c->p, wp("oom.mlpkg"), c->b);
    return rc;
}

static void out_of_memory_with_a_raw_layer_is_clean(void **state)
{
    (void)state;
    assert_int_equal(sh("mkdir -p '%s' '%s' && echo one > '%s/a.txt' && head -c 1100000 "
                        "/dev/urandom > '%s/big.bin' && echo three > '%s/a.txt'", wp("oomraw"),
                        wp("oom"), wp("oomraw"), wp("oomraw"), wp("oom")), 0);
    oom_ctx c = { 0 };
    assert_true(oom_check("mlops_packer_write_file", op_pack_raw, cleanup_pack, &c, 0) >= 10);
    assert_int_equal(sh("ls '%s' | grep -c mlops- > /dev/null", work), 1); /* no temporaries */
}

/* The FFI initialiser gives the documented defaults: no flags, no trusted
 * keys, a threshold of 0 (meaning one key), every file, no progress. */
static void verify_options_init_gives_the_defaults(void **state)
{
    (void)state;
    mlops_package_verify_options o;
    memset(&o, 0xAB, sizeof o);
    assert_int_equal(mlops_package_verify_options_init(&o, sizeof o), 0);
    assert_int_equal(o.version, MLOPS_PACKAGE_VERIFY_OPTIONS_VERSION);
    assert_int_equal(o.size, sizeof o);
    assert_int_equal(o.flags, 0);
    assert_null(o.trusted);
    assert_int_equal(o.threshold, 0);
    assert_null(o.paths);
    assert_int_equal(o.npaths, 0);
    assert_null(o.progress);
    assert_null(o.progress_ctx);
    assert_int_equal(mlops_package_verify_options_init(&o, 4), MLOPS_E_INVALID);
    assert_int_equal(mlops_package_verify_options_init(NULL, sizeof o), MLOPS_E_INVALID);
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
        cmocka_unit_test(verify_options_init_gives_the_defaults),
        cmocka_unit_test(package_passes_the_independent_reader),
        cmocka_unit_test(packing_is_byte_reproducible),
        cmocka_unit_test(directory_walk_honours_the_ignore_file),
        cmocka_unit_test(links_fifos_and_devices_are_refused_by_name),
        cmocka_unit_test(cancel_and_existing_output_leave_nothing_behind),
        cmocka_unit_test(signed_package_verifies_and_reports_every_file),
        cmocka_unit_test(tampered_packages_are_refused_with_a_report),
        cmocka_unit_test(extraction_writes_verified_files_or_nothing),
        cmocka_unit_test(signatures_added_later_equal_signing_at_pack_time),
        cmocka_unit_test(identical_large_files_share_one_blob),
        cmocka_unit_test(resealed_hostile_packages_are_refused),
        cmocka_unit_test(sharded_file_verification_names_the_bad_shard),
        cmocka_unit_test(a_file_changed_between_passes_is_refused),
        cmocka_unit_test(verify_and_extract_out_of_memory_are_clean),
        cmocka_unit_test(out_of_memory_is_clean),
        cmocka_unit_test(out_of_memory_with_a_raw_layer_is_clean),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
