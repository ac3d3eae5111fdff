/*
 * The local store. Oracles: the OCI layout is read back with Python's json
 * and hashlib (tests/unit/check_store.py); crash safety is shown by killing
 * a writer with SIGKILL at random points and checking that the store is valid
 * and holds every tag the writer had reported as committed.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "mlops.h"
#include "oom.h"

#define NPKG 8

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

static const uint8_t seed1[32] = { 0x9d, 0x61, 0xb1, 0x9d, 0xef, 0xfd, 0x5a, 0x60,
                                   0xba, 0x84, 0x4a, 0xf4, 0x92, 0xec, 0x2c, 0xc4,
                                   0x44, 0x49, 0xc5, 0x69, 0x7b, 0x32, 0x69, 0x19,
                                   0x70, 0x3b, 0xac, 0x03, 0x1c, 0xae, 0x7f, 0x60 };

static mlops_keyring *ring;

/* Packages 1.0.0 ... 1.0.7 of "fraud": a shared large file (one blob in the
 * store however many versions use it) and a small file that differs. */
static int setup(void **state)
{
    (void)state;
    strcpy(work, "/tmp/mlops-store-XXXXXX");
    if (!mkdtemp(work))
        return -1;
    if (sh("mkdir -p '%s' && head -c 1500000 /dev/zero | tr '\\0' 'w' > '%s'", wp("src"),
           wp("src/weights.bin")) != 0)
        return -1;
    mlops_key *k = NULL;
    if (mlops_key_from_seed(&k, seed1) || mlops_keyring_new(&ring) || mlops_keyring_add(ring, k))
        return -1;
    const mlops_key *keys[1] = { k };
    for (int i = 0; i < NPKG; i++) {
        char ver[16];
        snprintf(ver, sizeof ver, "1.0.%d", i);
        if (sh("echo 'threshold %d' > '%s'", i, wp("src/config.txt")) != 0)
            return -1;
        mlops_pack_options o = MLOPS_PACK_OPTIONS_INIT;
        o.keys = keys;
        o.nkeys = 1;
        o.mtime = 0;
        mlops_packer *p = NULL;
        mlops_manifest_builder *b = NULL;
        if (mlops_packer_new(&p, &o) ||
            mlops_packer_add_file(p, wp("src/weights.bin"), "weights.bin", "model", 0) ||
            mlops_packer_add_file(p, wp("src/config.txt"), "config.txt", "config", 0) ||
            mlops_manifest_builder_new(&b, "fraud", ver, "2026-11-26T09:00:00Z") ||
            mlops_packer_write(p, wp("p%d.mlpkg", i), b, NULL))
            return -1;
        mlops_manifest_builder_free(b);
        mlops_packer_free(p);
    }
    /* a small one for the out-of-memory loop */
    mlops_packer *p = NULL;
    mlops_manifest_builder *b = NULL;
    if (mlops_packer_new(&p, NULL) ||
        mlops_packer_add_file(p, wp("src/config.txt"), "config.txt", "config", 0) ||
        mlops_manifest_builder_new(&b, "tiny", "0.1.0", "2026-11-26T09:00:00Z") ||
        mlops_packer_write(p, wp("tiny.mlpkg"), b, NULL))
        return -1;
    mlops_manifest_builder_free(b);
    mlops_packer_free(p);
    mlops_key_free(k);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    mlops_keyring_free(ring);
    return sh("rm -rf '%s'", work) == 0 ? 0 : -1;
}

static mlops_package_verify_options vopts(void)
{
    mlops_package_verify_options o = MLOPS_PACKAGE_VERIFY_OPTIONS_INIT;
    o.trusted = ring;
    return o;
}

static void add_tag_alias_resolve_and_gc(void **state)
{
    (void)state;
    mlops_store *s = NULL;
    assert_int_equal(mlops_store_open(&s, wp("store"), 0), MLOPS_E_NOTFOUND);
    assert_int_equal(mlops_store_open(&s, wp("store"), MLOPS_STORE_CREATE), 0);
    mlops_package_verify_options o = vopts();
    for (int i = 0; i < 3; i++)
        assert_int_equal(mlops_store_add(s, wp("p%d.mlpkg", i), &o), 0);
    assert_int_equal(mlops_store_add(s, wp("p1.mlpkg"), &o), 0); /* again: nothing */
    assert_int_equal(mlops_store_tag_count(s), 3);
    assert_string_equal(mlops_store_tag(s, 0), "fraud:1.0.0");
    assert_string_equal(mlops_store_tag(s, 2), "fraud:1.0.2");

    /* resolve gives the model manifest digest named by the package's own index */
    char *d = NULL;
    assert_int_equal(mlops_store_resolve(&d, s, "fraud:1.0.1"), 0);
    assert_int_equal(sh("tar -xOf '%s' index.json | grep -q '%s'", wp("p1.mlpkg"), d), 0);
    mlops_free(d);
    assert_int_equal(mlops_store_resolve(&d, s, "fraud:9.9.9"), MLOPS_E_NOTFOUND);

    /* aliases move, and keep their history */
    assert_int_equal(mlops_store_alias_set(s, "fraud", "production", "1.0.0"), 0);
    assert_int_equal(mlops_store_alias_set(s, "fraud", "production", "1.0.2"), 0);
    assert_int_equal(mlops_store_alias_set(s, "fraud", "staging", "1.0.1"), 0);
    assert_int_equal(mlops_store_alias_set(s, "fraud", "production", "7.0.0"), MLOPS_E_NOTFOUND);
    assert_int_equal(mlops_store_alias_set(s, "fraud", "1.2.3", "1.0.0"), MLOPS_E_INVALID);
    assert_int_equal(mlops_store_alias_set(s, "fraud", "a b", "1.0.0"), MLOPS_E_INVALID);
    char *p = NULL, *v = NULL;
    assert_int_equal(mlops_store_resolve(&p, s, "fraud:production"), 0);
    assert_int_equal(mlops_store_resolve(&v, s, "fraud:1.0.2"), 0);
    assert_string_equal(p, v);
    mlops_free(p);
    mlops_free(v);
    assert_int_equal(mlops_store_alias_history_count(s, "fraud", "production"), 2);
    assert_string_equal(mlops_store_alias_history(s, "fraud", "production", 0), "1.0.0");
    assert_string_equal(mlops_store_alias_history(s, "fraud", "production", 1), "1.0.2");
    assert_int_equal(mlops_store_tag_count(s), 3); /* aliases are not tags */

    /* the layout, read independently: every blob hashes to its name, the
     * shared large file is stored once, every index entry's blob exists */
    const char *py = getenv("MLOPS_PYTHON");
    const char *src = getenv("MLOPS_SOURCE_ROOT");
    assert_int_equal(sh("'%s' '%s/tests/unit/check_store.py' '%s'", py ? py : "python3",
                        src ? src : "..", wp("store")), 0);
    assert_int_equal(mlops_store_check(s), 0);

    /* gc keeps reachable blobs; an orphan and a killed writer's temporary go */
    assert_int_equal(sh("echo orphan > '%s' && echo tmp > '%s'",
                        wp("store/blobs/sha256/"
                           "0000000000000000000000000000000000000000000000000000000000000000"),
                        wp("store/blobs/sha256/.tmp-abc")), 0);
    size_t removed = 99;
    assert_int_equal(mlops_store_gc(s, &removed), 0);
    assert_int_equal(removed, 2);
    assert_int_equal(mlops_store_check(s), 0);

    /* export gives back the package byte for byte (same mtime), by tag or alias */
    assert_int_equal(mlops_store_export(s, "fraud:1.0.2", wp("e2.mlpkg"), 0, 0), 0);
    assert_int_equal(sh("cmp '%s' '%s'", wp("e2.mlpkg"), wp("p2.mlpkg")), 0);
    assert_int_equal(mlops_store_export(s, "fraud:staging", wp("e1.mlpkg"), 0, 0), 0);
    assert_int_equal(sh("cmp '%s' '%s'", wp("e1.mlpkg"), wp("p1.mlpkg")), 0);
    assert_int_equal(mlops_store_export(s, "fraud:1.0.2", wp("e2.mlpkg"), 0, 0), MLOPS_E_EXISTS);
    assert_int_equal(mlops_store_export(s, "fraud:1.0.2", wp("e2.mlpkg"), 0, MLOPS_PACK_OVERWRITE),
                     0);
    assert_int_equal(mlops_store_export(s, "fraud:4.0.0", wp("e4.mlpkg"), 0, 0), MLOPS_E_NOTFOUND);

    /* a tag that would name another manifest */
    assert_int_equal(mlops_store_add(s, wp("p1.mlpkg"), &o), 0);
    /* a damaged blob is found */
    assert_int_equal(sh("cd '%s' && f=$(ls | head -1) && chmod u+w \"$f\" && echo x >> \"$f\"",
                        wp("store/blobs/sha256")), 0);
    assert_int_equal(mlops_store_check(s), MLOPS_E_INTEGRITY);
    mlops_store_close(s);
    mlops_store_close(NULL);
}

static void a_second_writer_waits_or_is_told(void **state)
{
    (void)state;
    mlops_store *s = NULL;
    assert_int_equal(mlops_store_open(&s, wp("locked"), MLOPS_STORE_CREATE | MLOPS_STORE_NOWAIT),
                     0);
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        /* hold the lock for a while */
        close(fds[0]);
        int lfd = open(wp("locked/.lock"), O_RDWR);
        if (lfd < 0 || flock(lfd, LOCK_EX) != 0)
            _exit(1);
        if (write(fds[1], "x", 1) != 1)
            _exit(1);
        sleep(2);
        _exit(0);
    }
    close(fds[1]);
    char c;
    assert_int_equal(read(fds[0], &c, 1), 1);
    mlops_package_verify_options o = vopts();
    assert_int_equal(mlops_store_add(s, wp("p0.mlpkg"), &o), MLOPS_E_LOCKED);
    int st;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    assert_int_equal(mlops_store_add(s, wp("p0.mlpkg"), &o), 0);
    close(fds[0]);
    mlops_store_close(s);
}

/* A layout like the one `skopeo copy ... oci:DIR:REF` leaves (here the
 * package's own tar unpacked, signature referrer removed from the index, as
 * registries and copy tools drop it) goes back to the same package bytes
 * once the detached envelope is given back. */
static void a_pulled_layout_becomes_the_package_again(void **state)
{
    (void)state;
    assert_int_equal(sh("mkdir -p '%s' && tar -xf '%s' -C '%s'", wp("pulled"), wp("p4.mlpkg"),
                        wp("pulled")), 0);
    const char *script =
        "import json,sys\n"
        "d=sys.argv[1]; ix=json.load(open(d+'/index.json'))\n"
        "ref=ix['manifests'][1]; ix['manifests']=ix['manifests'][:1]\n"
        "r=json.load(open(d+'/blobs/sha256/'+ref['digest'][7:]))\n"
        "open(sys.argv[2],'wb').write(open(d+'/blobs/sha256/'+r['layers'][0]['digest'][7:],'rb').read())\n"
        "json.dump(ix,open(d+'/index.json','w'),indent=2)\n";
    FILE *f = fopen(wp("strip.py"), "w");
    assert_non_null(f);
    fputs(script, f);
    fclose(f);
    const char *py = getenv("MLOPS_PYTHON");
    assert_int_equal(sh("'%s' '%s' '%s' '%s'", py ? py : "python3", wp("strip.py"), wp("pulled"),
                        wp("p4.sig")), 0);
    FILE *e = fopen(wp("p4.sig"), "rb");
    assert_non_null(e);
    char env[4096];
    size_t elen = fread(env, 1, sizeof env, e);
    fclose(e);
    assert_true(elen > 100 && elen < sizeof env);
    int rc = mlops_layout_export(wp("pulled"), "1.0.4", env, elen, wp("back.mlpkg"), 0, 0);
    if (rc)
        fail_msg("%d %s", rc, mlops_error_last());
    assert_int_equal(sh("cmp '%s' '%s'", wp("back.mlpkg"), wp("p4.mlpkg")), 0);
    mlops_package_verify_options o = vopts();
    assert_int_equal(mlops_package_verify(NULL, wp("back.mlpkg"), &o), 0);
    /* without the envelope: a valid but unsigned package */
    assert_int_equal(mlops_layout_export(wp("pulled"), "1.0.4", NULL, 0, wp("bare.mlpkg"), 0, 0),
                     0);
    assert_int_equal(mlops_package_verify(NULL, wp("bare.mlpkg"), &o), MLOPS_E_SIGNATURE);
    assert_int_equal(mlops_layout_export(wp("pulled"), "9.9.9", NULL, 0, wp("x.mlpkg"), 0, 0),
                     MLOPS_E_NOTFOUND);
    /* a damaged blob in the layout is refused while copying */
    assert_int_equal(sh("cd '%s/blobs/sha256' && for f in *; do if [ $(stat -c %%s \"$f\") -gt "
                        "1000000 ]; then chmod u+w \"$f\"; printf x | dd of=\"$f\" bs=1 seek=10 "
                        "conv=notrunc 2>/dev/null; fi; done", wp("pulled")), 0);
    assert_int_equal(mlops_layout_export(wp("pulled"), "1.0.4", env, elen, wp("bad.mlpkg"), 0, 0),
                     MLOPS_E_INTEGRITY);
    assert_int_equal(access(wp("bad.mlpkg"), F_OK), -1);
}

/* The writer: adds packages and moves an alias, reporting each committed
 * version on the pipe, until it is killed. */
static void writer(int out, int round)
{
    mlops_store *s = NULL;
    if (mlops_store_open(&s, wp("crash"), MLOPS_STORE_CREATE) != 0)
        _exit(1);
    mlops_package_verify_options o = vopts();
    for (int i = 0; i < NPKG; i++) {
        int k = (i + round) % NPKG;
        if (mlops_store_add(s, wp("p%d.mlpkg", k), &o) != 0)
            _exit(2);
        char ver[16];
        snprintf(ver, sizeof ver, "1.0.%d", k);
        if (mlops_store_alias_set(s, "fraud", "production", ver) != 0)
            _exit(3);
        unsigned char b = (unsigned char)k;
        if (write(out, &b, 1) != 1)
            _exit(4);
        if (i % 3 == 2) {
            size_t n;
            if (mlops_store_gc(s, &n) != 0)
                _exit(5);
        }
    }
    mlops_store_close(s);
    _exit(0);
}

static void a_killed_writer_leaves_a_valid_store(void **state)
{
    (void)state;
    srand((unsigned)time(NULL));
    int committed[NPKG] = { 0 };
    int kills = 0;
    for (int round = 0; round < 12; round++) {
        int fds[2];
        assert_int_equal(pipe(fds), 0);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            close(fds[0]);
            writer(fds[1], round);
        }
        close(fds[1]);
        /* kill it somewhere between 0 and ~300 ms in (the whole run takes longer) */
        struct timespec ts = { 0, (long)(rand() % 300000) * 1000L };
        nanosleep(&ts, NULL);
        if (kill(pid, SIGKILL) == 0)
            kills++;
        int st;
        assert_int_equal(waitpid(pid, &st, 0), pid);
        if (WIFEXITED(st) && WEXITSTATUS(st) != 0)
            fail_msg("round %d: the writer failed with %d", round, WEXITSTATUS(st));
        unsigned char b;
        while (read(fds[0], &b, 1) == 1)
            committed[b] = 1;
        close(fds[0]);

        /* the store opens, checks, and holds everything committed */
        mlops_store *s = NULL;
        struct stat sb;
        if (stat(wp("crash/index.json"), &sb) != 0)
            continue; /* killed before the store existed */
        int rc = mlops_store_open(&s, wp("crash"), 0);
        if (rc)
            fail_msg("round %d: open: %s", round, mlops_error_last());
        rc = mlops_store_check(s);
        if (rc)
            fail_msg("round %d: check: %s", round, mlops_error_last());
        for (int k = 0; k < NPKG; k++) {
            if (!committed[k])
                continue;
            char ref[32], *d = NULL;
            snprintf(ref, sizeof ref, "fraud:1.0.%d", k);
            if (mlops_store_resolve(&d, s, ref) != 0)
                fail_msg("round %d: committed %s lost", round, ref);
            mlops_free(d);
        }
        char *d = NULL;
        if (committed[0] || committed[1] || committed[2] || committed[3])
            assert_int_equal(mlops_store_resolve(&d, s, "fraud:production"), 0);
        mlops_free(d);
        mlops_store_close(s);
    }
    assert_true(kills > 0);
}

typedef struct {
    mlops_store *s;
    char *d;
    int step;
} oom_ctx;

static int op_store(void *arg)
{
    oom_ctx *c = arg;
    mlops_package_verify_options o = MLOPS_PACKAGE_VERIFY_OPTIONS_INIT;
    o.flags = MLOPS_PACKAGE_ALLOW_UNSIGNED;
    int rc = mlops_store_open(&c->s, wp("oomstore"), 0);
    if (rc)
        return rc;
    if (c->step == 0)
        return mlops_store_add(c->s, wp("tiny.mlpkg"), &o);
    rc = mlops_store_alias_set(c->s, "tiny", "staging", "0.1.0");
    if (!rc)
        rc = mlops_store_resolve(&c->d, c->s, "tiny:staging");
    if (!rc)
        rc = mlops_store_check(c->s);
    size_t n;
    if (!rc)
        rc = mlops_store_gc(c->s, &n);
    if (!rc)
        rc = mlops_store_export(c->s, "tiny:staging", wp("oom-export.mlpkg"), 0, 0);
    return rc;
}

static void cleanup_store(void *arg)
{
    oom_ctx *c = arg;
    mlops_free(c->d);
    mlops_store_close(c->s);
    c->d = NULL;
    c->s = NULL;
    unlink(wp("oom-export.mlpkg"));
    /* start every attempt from the same store, copied without fsyncs */
    assert_int_equal(sh("rm -rf '%s' && cp -r '%s' '%s'", wp("oomstore"),
                        wp(c->step == 0 ? "empty" : "withtiny"), wp("oomstore")), 0);
}

/* A layout of another version is refused, not misread; CREATE never turns a
 * directory holding other files into a store. */
static void foreign_layouts_and_busy_directories_are_refused(void **state)
{
    (void)state;
    mlops_store *st = NULL;
    assert_int_equal(mlops_store_open(&st, wp("v2store"), MLOPS_STORE_CREATE), 0);
    mlops_store_close(st);
    st = NULL;
    assert_int_equal(sh("printf '{\"imageLayoutVersion\":\"2.0.0\"}' > '%s'",
                        wp("v2store/oci-layout")), 0);
    assert_int_equal(mlops_store_open(&st, wp("v2store"), 0), MLOPS_E_VERSION);
    assert_null(st);
    assert_non_null(strstr(mlops_error_last(), "version 2.0.0 is not supported"));

    assert_int_equal(sh("mkdir -p '%s' && echo keep > '%s'", wp("busy"), wp("busy/notes.txt")), 0);
    assert_int_equal(mlops_store_open(&st, wp("busy"), MLOPS_STORE_CREATE), MLOPS_E_EXISTS);
    assert_null(st);
    assert_non_null(strstr(mlops_error_last(), "notes.txt"));
    /* nothing was added to it */
    assert_int_equal(sh("test ! -e '%s' && test ! -e '%s' && test ! -e '%s'",
                        wp("busy/index.json"), wp("busy/oci-layout"), wp("busy/.lock")), 0);
    /* an empty directory is fine */
    assert_int_equal(sh("mkdir -p '%s'", wp("empty")), 0);
    assert_int_equal(mlops_store_open(&st, wp("empty"), MLOPS_STORE_CREATE), 0);
    mlops_store_close(st);
}

static void out_of_memory_is_clean(void **state)
{
    (void)state;
    mlops_store *s = NULL;
    mlops_package_verify_options o = MLOPS_PACKAGE_VERIFY_OPTIONS_INIT;
    o.flags = MLOPS_PACKAGE_ALLOW_UNSIGNED;
    assert_int_equal(mlops_store_open(&s, wp("empty"), MLOPS_STORE_CREATE), 0);
    mlops_store_close(s);
    assert_int_equal(sh("cp -r '%s' '%s'", wp("empty"), wp("withtiny")), 0);
    assert_int_equal(mlops_store_open(&s, wp("withtiny"), 0), 0);
    assert_int_equal(mlops_store_add(s, wp("tiny.mlpkg"), &o), 0);
    mlops_store_close(s);
    oom_ctx c = { NULL, NULL, 0 };
    cleanup_store(&c);
    assert_true(oom_check("mlops_store_open/add", op_store, cleanup_store, &c, 0) >= 10);
    c.step = 1;
    cleanup_store(&c);
    assert_true(oom_check("mlops_store_alias_set/resolve/check/gc/export", op_store, cleanup_store, &c,
                          0) >= 10);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(add_tag_alias_resolve_and_gc),
        cmocka_unit_test(a_second_writer_waits_or_is_told),
        cmocka_unit_test(a_pulled_layout_becomes_the_package_again),
        cmocka_unit_test(a_killed_writer_leaves_a_valid_store),
        cmocka_unit_test(foreign_layouts_and_busy_directories_are_refused),
        cmocka_unit_test(out_of_memory_is_clean),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
