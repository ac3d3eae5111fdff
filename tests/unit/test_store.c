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
        mlops_packer_options o = MLOPS_PACKER_OPTIONS_INIT;
        o.keys = keys;
        o.nkeys = 1;
        o.mtime = 0;
        mlops_packer *p = NULL;
        mlops_manifest_builder *b = NULL;
        if (mlops_packer_new(&p, &o) ||
            mlops_packer_add_file(p, wp("src/weights.bin"), "weights.bin", "model", 0) ||
            mlops_packer_add_file(p, wp("src/config.txt"), "config.txt", "config", 0) ||
            mlops_manifest_builder_new(&b, "fraud", ver, "2026-11-26T09:00:00Z") ||
            mlops_packer_write_file(NULL, p, wp("p%d.mlpkg", i), b))
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
        mlops_packer_write_file(NULL, p, wp("tiny.mlpkg"), b))
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

static void same_digest(mlops_store *s, const char *a, const char *b);

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
    mlops_strlist *tags = NULL;
    assert_int_equal(mlops_store_tag_list(&tags, s, 0), 0);
    assert_int_equal(mlops_strlist_count(tags), 3);
    assert_string_equal(mlops_strlist_get(tags, 0), "fraud:1.0.0");
    assert_string_equal(mlops_strlist_get(tags, 2), "fraud:1.0.2");
    assert_null(mlops_strlist_get(tags, 3));
    mlops_strlist_free(tags);
    tags = NULL;
    assert_int_equal(mlops_store_tag_list(&tags, s, 1), MLOPS_E_INVALID);
    assert_null(tags);

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
    mlops_strlist *hist = NULL;
    assert_int_equal(mlops_store_alias_history_list(&hist, s, "fraud", "production", 0), 0);
    assert_int_equal(mlops_strlist_count(hist), 2);
    assert_string_equal(mlops_strlist_get(hist, 0), "1.0.0");
    assert_string_equal(mlops_strlist_get(hist, 1), "1.0.2");
    mlops_strlist_free(hist);
    assert_int_equal(mlops_store_alias_history_list(&hist, s, "fraud", "canary", 0), 0);
    assert_int_equal(mlops_strlist_count(hist), 0); /* never set */
    mlops_strlist_free(hist);
    assert_int_equal(mlops_store_tag_list(&tags, s, 0), 0);
    assert_int_equal(mlops_strlist_count(tags), 3); /* aliases are not tags */
    mlops_strlist_free(tags);

    /* the layout, read independently: every blob hashes to its name, the
     * shared large file is stored once, every index entry's blob exists */
    const char *py = getenv("MLOPS_PYTHON");
    const char *src = getenv("MLOPS_SOURCE_ROOT");
    assert_int_equal(sh("'%s' '%s/tests/unit/check_store.py' '%s'", py ? py : "python3",
                        src ? src : "..", wp("store")), 0);
    assert_int_equal(mlops_store_check(s), 0);

    /* gc keeps reachable blobs; an orphan and every temporary a killed
     * writer leaves go (a blob's, index.json's, the history's, oci-layout's) */
    assert_int_equal(sh("echo orphan > '%s' && echo tmp > '%s' && echo '{' > '%s' && "
                        "echo '{' > '%s' && echo '{' > '%s'",
                        wp("store/blobs/sha256/"
                           "0000000000000000000000000000000000000000000000000000000000000000"),
                        wp("store/blobs/sha256/.tmp-abc"), wp("store/.index.json.tmp-Ab12Cd"),
                        wp("store/.mlops-store.json.tmp-x1y2z3"),
                        wp("store/.oci-layout.tmp-QwErTy")), 0);
    size_t removed = 99;
    assert_int_equal(mlops_store_gc(&removed, s), 0);
    assert_int_equal(removed, 5);
    assert_int_equal(sh("test -z \"$(find '%s' -name '*.tmp-*')\"", wp("store")), 0);
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
    mlops_store_free(s);
    mlops_store_free(NULL);
}

/* An unsigned package of model `name` at `version`, at wp(file). */
static void small_package(const char *name, const char *version, const char *file)
{
    assert_int_equal(sh("mkdir -p '%s' && echo '%s %s' > '%s'", wp("life-src"), name, version,
                        wp("life-src/card.txt")), 0);
    mlops_packer *p = NULL;
    mlops_manifest_builder *b = NULL;
    mlops_packer_options o = MLOPS_PACKER_OPTIONS_INIT;
    o.flags = MLOPS_PACK_OVERWRITE;
    o.mtime = 0;
    assert_int_equal(mlops_packer_new(&p, &o), 0);
    assert_int_equal(mlops_packer_add_file(p, wp("life-src/card.txt"), "card.txt", "doc", 0), 0);
    assert_int_equal(mlops_manifest_builder_new(&b, name, version, "2026-12-01T00:00:00Z"), 0);
    assert_int_equal(mlops_packer_write_file(NULL, p, wp("%s", file), b), 0);
    mlops_manifest_builder_free(b);
    mlops_packer_free(p);
}

static void tags_are(mlops_store *s, size_t n, const char *const *want)
{
    mlops_strlist *tags = NULL;
    assert_int_equal(mlops_store_tag_list(&tags, s, 0), 0);
    for (size_t i = 0; i < n && i < mlops_strlist_count(tags); i++)
        assert_string_equal(mlops_strlist_get(tags, i), want[i]);
    assert_int_equal(mlops_strlist_count(tags), n);
    mlops_strlist_free(tags);
}

/* Versions in SemVer precedence, "latest", removal and retention. The order
 * is the one SemVer 2.0.0 gives in its section 11 ("1.0.0-alpha <
 * 1.0.0-alpha.1 < 1.0.0-alpha.beta < 1.0.0-beta < 1.0.0-beta.2 <
 * 1.0.0-beta.11 < 1.0.0-rc.1 < 1.0.0"), with 1.2.0 < 1.10.0 (numeric, not
 * byte order) and build metadata ordered by bytes among equal precedence. */
static void versions_in_semver_order_latest_remove_and_retain(void **state)
{
    (void)state;
    static const char *const order[] = {
        "life:1.0.0-alpha", "life:1.0.0-alpha.1", "life:1.0.0-alpha.beta", "life:1.0.0-beta",
        "life:1.0.0-beta.2", "life:1.0.0-beta.11", "life:1.0.0-rc.1", "life:1.0.0",
        "life:1.2.0", "life:1.10.0", "life:1.10.0+b.2",
    };
    static const size_t added[] = { 9, 3, 0, 10, 6, 1, 8, 5, 2, 7, 4 }; /* not in order */
    size_t n = sizeof order / sizeof order[0];
    mlops_store *s = NULL;
    assert_int_equal(mlops_store_open(&s, wp("life-store"), MLOPS_STORE_CREATE), 0);
    mlops_package_verify_options o = MLOPS_PACKAGE_VERIFY_OPTIONS_INIT;
    o.flags = MLOPS_PACKAGE_ALLOW_UNSIGNED;
    for (size_t i = 0; i < n; i++) {
        const char *ref = order[added[i]];
        small_package("life", ref + 5, "life.mlpkg");
        assert_int_equal(mlops_store_add(s, wp("life.mlpkg"), &o), 0);
    }
    small_package("pre", "2.0.0-rc.1", "pre.mlpkg");
    assert_int_equal(mlops_store_add(s, wp("pre.mlpkg"), &o), 0);
    static const char *const all[] = {
        "life:1.0.0-alpha", "life:1.0.0-alpha.1", "life:1.0.0-alpha.beta", "life:1.0.0-beta",
        "life:1.0.0-beta.2", "life:1.0.0-beta.11", "life:1.0.0-rc.1", "life:1.0.0",
        "life:1.2.0", "life:1.10.0", "life:1.10.0+b.2", "pre:2.0.0-rc.1",
    };
    tags_are(s, 12, all);

    /* latest: the highest release; a model with pre-releases only has none */
    char *a = NULL, *b = NULL;
    assert_int_equal(mlops_store_resolve(&a, s, "life:latest"), 0);
    assert_int_equal(mlops_store_resolve(&b, s, "life:1.10.0+b.2"), 0);
    assert_string_equal(a, b);
    mlops_free(a);
    mlops_free(b);
    a = NULL;
    assert_int_equal(mlops_store_resolve(&a, s, "pre:latest"), MLOPS_E_NOTFOUND);
    assert_null(a);
    assert_int_equal(mlops_store_alias_set(s, "life", "latest", "1.0.0"), MLOPS_E_INVALID);

    /* remove: not while an alias points at the version; a tag only */
    assert_int_equal(mlops_store_alias_set(s, "life", "production", "1.2.0"), 0);
    assert_int_equal(mlops_store_remove(s, "life:1.2.0", 0), MLOPS_E_EXISTS);
    assert_non_null(strstr(mlops_error_last(), "life:production"));
    assert_int_equal(mlops_store_remove(s, "life:9.9.9", 0), MLOPS_E_NOTFOUND);
    assert_int_equal(mlops_store_remove(s, "life:production", 0), MLOPS_E_INVALID);
    assert_int_equal(mlops_store_remove(s, "life:1.0.0", 1), MLOPS_E_INVALID);
    assert_int_equal(mlops_store_remove(s, "life:1.0.0-alpha", 0), 0);
    tags_are(s, 11, all + 1);
    assert_int_equal(mlops_store_resolve(&a, s, "life:1.0.0-alpha"), MLOPS_E_NOTFOUND);
    /* its blobs are gc's: the manifest, config, statement and the card layer
     * of that version only (no other version shares them) */
    size_t removed = 0;
    assert_int_equal(mlops_store_gc(&removed, s), 0);
    assert_int_equal(removed, 4);
    assert_int_equal(mlops_store_check(s), 0);

    /* retention: keep the two highest per model and every aliased version */
    mlops_strlist *gone = NULL;
    assert_int_equal(mlops_store_retain(&gone, s, 2, MLOPS_STORE_DRY_RUN), 0);
    assert_int_equal(mlops_strlist_count(gone), 7);
    for (size_t i = 0; i < 7; i++)
        assert_string_equal(mlops_strlist_get(gone, i), all[1 + i]);
    mlops_strlist_free(gone);
    tags_are(s, 11, all + 1); /* a dry run removes nothing */
    assert_int_equal(mlops_store_retain(&gone, s, 2, 2), MLOPS_E_INVALID);
    assert_int_equal(mlops_store_retain(&gone, s, 2, 0), 0);
    assert_int_equal(mlops_strlist_count(gone), 7);
    mlops_strlist_free(gone);
    static const char *const kept[] = { "life:1.2.0", "life:1.10.0", "life:1.10.0+b.2",
                                        "pre:2.0.0-rc.1" };
    tags_are(s, 4, kept);
    assert_int_equal(mlops_store_gc(&removed, s), 0);
    assert_int_equal(removed, 7 * 4);
    assert_int_equal(mlops_store_check(s), 0);
    const char *py = getenv("MLOPS_PYTHON");
    const char *src = getenv("MLOPS_SOURCE_ROOT");
    assert_int_equal(sh("'%s' '%s/tests/unit/check_store.py' '%s'", py ? py : "python3",
                        src ? src : "..", wp("life-store")), 0);
    /* retain 0 keeps the aliased versions only */
    assert_int_equal(mlops_store_retain(&gone, s, 0, 0), 0);
    assert_int_equal(mlops_strlist_count(gone), 3);
    mlops_strlist_free(gone);
    static const char *const only[] = { "life:1.2.0" };
    tags_are(s, 1, only);
    mlops_store_free(s);
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
    mlops_store_free(s);
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
            if (mlops_store_gc(&n, s) != 0)
                _exit(5);
        }
    }
    mlops_store_free(s);
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
        /* the alias's history and what it resolves to agree */
        mlops_strlist *h = NULL;
        rc = mlops_store_alias_history_list(&h, s, "fraud", "production", 0);
        if (rc)
            fail_msg("round %d: history: %s", round, mlops_error_last());
        size_t nh = mlops_strlist_count(h);
        if (nh) {
            char ref[64];
            snprintf(ref, sizeof ref, "fraud:%s", mlops_strlist_get(h, nh - 1));
            same_digest(s, "fraud:production", ref);
        } else {
            assert_int_equal(mlops_store_resolve(&d, s, "fraud:production"), MLOPS_E_NOTFOUND);
        }
        mlops_strlist_free(h);
        /* gc leaves no temporary file of the killed writer */
        size_t removed;
        assert_int_equal(mlops_store_gc(&removed, s), 0);
        assert_int_equal(sh("test -z \"$(find '%s' -name '*.tmp-*')\"", wp("crash")), 0);
        mlops_store_free(s);
    }
    assert_true(kills > 0);

    /* writers killed while they create a store (the first few milliseconds):
     * the next writer finishes the store */
    for (int round = 0; round < 16; round++) {
        const char *dir = wp("crashnew%d", round);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            mlops_store *s = NULL;
            _exit(mlops_store_open(&s, dir, MLOPS_STORE_CREATE) == 0 ? 0 : 1);
        }
        struct timespec ts = { 0, (long)(rand() % 3000) * 1000L };
        nanosleep(&ts, NULL);
        kill(pid, SIGKILL);
        int st;
        assert_int_equal(waitpid(pid, &st, 0), pid);
        if (WIFEXITED(st) && WEXITSTATUS(st) != 0)
            fail_msg("new store %d: the writer failed", round);
        mlops_store *s = NULL;
        if (mlops_store_open(&s, dir, MLOPS_STORE_CREATE) != 0)
            fail_msg("new store %d: the next writer: %s", round, mlops_error_last());
        assert_int_equal(mlops_store_check(s), 0);
        mlops_store_free(s);
    }
}

/* What a creation killed at each of its steps leaves behind: the next writer
 * finishes it (before, every later command said "neither empty nor a model
 * store"). A directory with anything else in it is still refused, untouched. */
static void a_killed_creation_is_finished_by_the_next_writer(void **state)
{
    (void)state;
    static const char *const leftovers[] = {
        ":",
        "touch .lock",
        "touch .lock && printf '{\"imageLay' > .oci-layout.tmp-Ab3dE9",
        "touch .lock && mkdir blobs",
        "touch .lock && mkdir -p blobs/sha256 && printf '{\"imag' > .oci-layout.tmp-Ab3dE9",
        "touch .lock && mkdir -p blobs/sha256 && printf '{\"imageLayoutVersion\":\"1.0.0\"}' > "
        "oci-layout",
        "touch .lock && mkdir -p blobs/sha256 && printf '{\"imageLayoutVersion\":\"1.0.0\"}' > "
        "oci-layout && printf '{\"schemaVer' > .index.json.tmp-Zz9yX8",
    };
    mlops_package_verify_options o = MLOPS_PACKAGE_VERIFY_OPTIONS_INIT;
    o.flags = MLOPS_PACKAGE_ALLOW_UNSIGNED;
    for (size_t i = 0; i < sizeof leftovers / sizeof leftovers[0]; i++) {
        const char *dir = wp("created%zu", i);
        assert_int_equal(sh("mkdir -p '%s' && cd '%s' && %s", dir, dir, leftovers[i]), 0);
        mlops_store *s = NULL;
        assert_int_equal(mlops_store_open(&s, dir, 0), MLOPS_E_NOTFOUND);
        int rc = mlops_store_open(&s, dir, MLOPS_STORE_CREATE);
        if (rc)
            fail_msg("leftovers %zu (%s): %s", i, leftovers[i], mlops_error_last());
        assert_int_equal(mlops_store_add(s, wp("tiny.mlpkg"), &o), 0);
        mlops_strlist *tags = NULL;
        assert_int_equal(mlops_store_tag_list(&tags, s, 0), 0);
        assert_int_equal(mlops_strlist_count(tags), 1);
        assert_string_equal(mlops_strlist_get(tags, 0), "tiny:0.1.0");
        mlops_strlist_free(tags);
        assert_int_equal(mlops_store_check(s), 0);
        mlops_store_free(s);
        const char *py = getenv("MLOPS_PYTHON");
        const char *src = getenv("MLOPS_SOURCE_ROOT");
        assert_int_equal(sh("'%s' '%s/tests/unit/check_store.py' '%s' >/dev/null",
                            py ? py : "python3", src ? src : "..", dir), 0);
        /* the killed creation's temporaries are gone */
        assert_int_equal(sh("test -z \"$(find '%s' -name '.*.tmp-*')\"", dir), 0);
    }
    /* other content, with or without a creation's leftovers: refused, and
     * nothing is written */
    static const char *const foreign[] = {
        "touch .lock && echo mine > notes.txt",
        "touch .lock && mkdir -p blobs/sha256 && echo x > blobs/sha256/abc",
        "mkdir -p blobs/other",
        "printf '{\"imageLayoutVersion\":\"2.0.0\"}' > oci-layout",
        "mkdir .lock",
        "ln -s /tmp .oci-layout.tmp-Ab3dE9",
        "ln -s /tmp blobs",
    };
    for (size_t i = 0; i < sizeof foreign / sizeof foreign[0]; i++) {
        const char *dir = wp("foreign%zu", i);
        assert_int_equal(sh("mkdir -p '%s' && cd '%s' && %s && ls -la > ../foreign%zu.before",
                            dir, dir, foreign[i], i), 0);
        mlops_store *s = NULL;
        assert_int_equal(mlops_store_open(&s, dir, MLOPS_STORE_CREATE), MLOPS_E_EXISTS);
        assert_null(s);
        assert_int_equal(sh("cd '%s' && ls -la | cmp -s - ../foreign%zu.before", dir, i), 0);
    }
}

/* Several processes creating the same store at once all succeed (before,
 * one saw the other's half-made layout and failed). */
static void first_writers_racing_all_succeed(void **state)
{
    (void)state;
    enum { WRITERS = 3, ROUNDS = 20 };
    mlops_package_verify_options o = MLOPS_PACKAGE_VERIFY_OPTIONS_INIT;
    o.flags = MLOPS_PACKAGE_ALLOW_UNSIGNED;
    for (int round = 0; round < ROUNDS; round++) {
        const char *dir = wp("race%d", round);
        int go[2];
        assert_int_equal(pipe(go), 0);
        pid_t pids[WRITERS];
        for (int w = 0; w < WRITERS; w++) {
            pids[w] = fork();
            assert_true(pids[w] >= 0);
            if (pids[w] == 0) {
                close(go[1]);
                char c;
                if (read(go[0], &c, 1) != 0)
                    _exit(9);
                mlops_store *s = NULL;
                if (mlops_store_open(&s, dir, MLOPS_STORE_CREATE) != 0) {
                    fprintf(stderr, "writer %d: %s\n", w, mlops_error_last());
                    _exit(1);
                }
                int rc = mlops_store_add(s, wp("tiny.mlpkg"), &o);
                mlops_store_free(s);
                _exit(rc ? 2 : 0);
            }
        }
        close(go[0]);
        close(go[1]); /* all start now */
        for (int w = 0; w < WRITERS; w++) {
            int st;
            assert_int_equal(waitpid(pids[w], &st, 0), pids[w]);
            if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
                fail_msg("round %d: writer %d ended with status %d", round, w, st);
        }
        mlops_store *s = NULL;
        assert_int_equal(mlops_store_open(&s, dir, 0), 0);
        assert_int_equal(mlops_store_check(s), 0);
        char *d = NULL;
        assert_int_equal(mlops_store_resolve(&d, s, "tiny:0.1.0"), 0);
        mlops_free(d);
        mlops_store_free(s);
    }
}

static void history_is(mlops_store *s, const char *alias, size_t n, const char *const *want)
{
    mlops_strlist *h = NULL;
    int rc = mlops_store_alias_history_list(&h, s, "fraud", alias, 0);
    if (rc)
        fail_msg("history of %s: %s", alias, mlops_error_last());
    assert_int_equal(mlops_strlist_count(h), n);
    for (size_t i = 0; i < n; i++)
        assert_string_equal(mlops_strlist_get(h, i), want[i]);
    mlops_strlist_free(h);
}

static void same_digest(mlops_store *s, const char *a, const char *b)
{
    char *x = NULL, *y = NULL;
    assert_int_equal(mlops_store_resolve(&x, s, a), 0);
    assert_int_equal(mlops_store_resolve(&y, s, b), 0);
    assert_string_equal(x, y);
    mlops_free(x);
    mlops_free(y);
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_int_equal(fputs(text, f) >= 0, 1);
    assert_int_equal(fclose(f), 0);
}

/* index.json is the commit point of an alias move; the history is written
 * before it. The files a move killed at each point leaves, written here by
 * hand: the alias's history and what it resolves to always agree (before,
 * a move killed between index.json and the history left them disagreeing). */
static void an_alias_move_killed_before_its_commit_is_ignored(void **state)
{
    (void)state;
    mlops_store *s = NULL;
    mlops_package_verify_options o = vopts();
    assert_int_equal(mlops_store_open(&s, wp("hist"), MLOPS_STORE_CREATE), 0);
    for (int i = 0; i < 3; i++)
        assert_int_equal(mlops_store_add(s, wp("p%d.mlpkg", i), &o), 0);
    assert_int_equal(mlops_store_alias_set(s, "fraud", "production", "1.0.0"), 0);
    const char *hist = wp("hist/mlops-store.json");

    /* a move to 1.0.1 killed after the history, before index.json */
    write_text(hist, "{\"aliases\":{\"fraud:production\":[\"1.0.0\",\"1.0.1\"]}}");
    history_is(s, "production", 1, (const char *const[]){ "1.0.0" });
    same_digest(s, "fraud:production", "fraud:1.0.0");
    /* a first move of another alias killed the same way */
    write_text(hist, "{\"aliases\":{\"fraud:production\":[\"1.0.0\",\"1.0.1\"],"
                     "\"fraud:staging\":[\"1.0.2\"]}}");
    history_is(s, "staging", 0, NULL);
    char *d = NULL;
    assert_int_equal(mlops_store_resolve(&d, s, "fraud:staging"), MLOPS_E_NOTFOUND);
    /* gc writes the history index.json confirms (checked byte for byte: the
     * canonical JSON of the format) */
    size_t removed = 0;
    assert_int_equal(mlops_store_gc(&removed, s), 0);
    assert_int_equal(sh("printf '%%s' '{\"aliases\":{\"fraud:production\":[\"1.0.0\"]}}' | "
                        "cmp -s - '%s'", hist), 0);
    /* the next move starts from the committed history */
    assert_int_equal(mlops_store_alias_set(s, "fraud", "production", "1.0.2"), 0);
    history_is(s, "production", 2, (const char *const[]){ "1.0.0", "1.0.2" });
    same_digest(s, "fraud:production", "fraud:1.0.2");
    /* a store written by an older library: index.json moved, the history
     * line lost; or no history file at all */
    write_text(hist, "{\"aliases\":{\"fraud:production\":[\"1.0.0\"]}}");
    history_is(s, "production", 2, (const char *const[]){ "1.0.0", "1.0.2" });
    assert_int_equal(unlink(hist), 0);
    history_is(s, "production", 1, (const char *const[]){ "1.0.2" });
    /* a move back to an earlier version, killed before index.json */
    assert_int_equal(mlops_store_alias_set(s, "fraud", "production", "1.0.1"), 0);
    write_text(hist, "{\"aliases\":{\"fraud:production\":[\"1.0.2\",\"1.0.1\",\"1.0.2\"]}}");
    history_is(s, "production", 2, (const char *const[]){ "1.0.2", "1.0.1" });
    same_digest(s, "fraud:production", "fraud:1.0.1");
    mlops_store_free(s);
}

/* The listings are snapshots that own their strings: holding a history
 * while listing the tags (which reloaded index.json and freed the history's
 * strings: a heap-use-after-free under ASan) is safe, and so is reading one
 * after the store changed or was closed. A damaged index.json or history
 * is an error, never an empty list. */
static void listings_are_snapshots_and_report_errors(void **state)
{
    (void)state;
    mlops_store *s = NULL;
    mlops_package_verify_options o = vopts();
    assert_int_equal(sh("cp -r '%s' '%s'", wp("hist"), wp("snap")), 0);
    assert_int_equal(mlops_store_open(&s, wp("snap"), 0), 0);
    mlops_strlist *hist = NULL, *tags = NULL;
    assert_int_equal(mlops_store_alias_history_list(&hist, s, "fraud", "production", 0), 0);
    const char *first = mlops_strlist_get(hist, 0);
    assert_int_equal(mlops_store_tag_list(&tags, s, 0), 0);
    assert_string_equal(first, "1.0.2");
    assert_int_equal(mlops_store_add(s, wp("p3.mlpkg"), &o), 0);
    assert_int_equal(mlops_store_alias_set(s, "fraud", "production", "1.0.3"), 0);
    assert_string_equal(first, "1.0.2");
    assert_int_equal(mlops_strlist_count(hist), 2);
    assert_int_equal(mlops_strlist_count(tags), 3);
    mlops_store_free(s);
    assert_string_equal(mlops_strlist_get(hist, 1), "1.0.1");
    assert_string_equal(mlops_strlist_get(tags, 2), "fraud:1.0.2");
    mlops_strlist_free(hist);
    mlops_strlist_free(tags);
    assert_int_equal(mlops_strlist_count(NULL), 0);
    assert_null(mlops_strlist_get(NULL, 0));
    mlops_strlist_free(NULL);

    assert_int_equal(mlops_store_open(&s, wp("snap"), 0), 0);
    mlops_strlist *const untouched = (mlops_strlist *)(uintptr_t)0x1;
    static const struct {
        const char *file, *text;
        int code;
    } damaged[] = {
        { "index.json", "{\"schemaVersion\":2,\"manifests\":[", MLOPS_E_PARSE },
        { "index.json", "{\"schemaVersion\":2}", MLOPS_E_SCHEMA },
        { "mlops-store.json", "{\"aliases\":{\"fraud:production\":[\"1.0.0\",", MLOPS_E_PARSE },
        { "mlops-store.json", "{\"aliases\":{\"fraud:production\":[\"1.0.0\",7]}}",
          MLOPS_E_SCHEMA },
        { "mlops-store.json", "{\"aliases\":{\"fraud:production\":\"1.0.0\"}}", MLOPS_E_SCHEMA },
        { "mlops-store.json", "{\"aliases\":[]}", MLOPS_E_SCHEMA },
        { "mlops-store.json", "{}", MLOPS_E_SCHEMA },
    };
    for (size_t i = 0; i < sizeof damaged / sizeof damaged[0]; i++) {
        assert_int_equal(sh("cp '%s/%s' '%s.good'", wp("snap"), damaged[i].file, wp("snap")), 0);
        write_text(wp("snap/%s", damaged[i].file), damaged[i].text);
        tags = hist = untouched;
        assert_int_equal(mlops_store_tag_list(&tags, s, 0), damaged[i].code);
        assert_int_equal(mlops_store_alias_history_list(&hist, s, "fraud", "production", 0),
                         damaged[i].code);
        assert_ptr_equal(tags, untouched);
        assert_ptr_equal(hist, untouched);
        assert_non_null(strstr(mlops_error_last(), damaged[i].file));
        assert_int_equal(sh("mv '%s.good' '%s/%s'", wp("snap"), wp("snap"), damaged[i].file), 0);
    }
    assert_int_equal(mlops_store_alias_history_list(&hist, s, "fraud", "production", 2),
                     MLOPS_E_INVALID);
    assert_int_equal(mlops_store_alias_history_list(&hist, s, NULL, "production", 0),
                     MLOPS_E_INVALID);
    assert_int_equal(mlops_store_tag_list(NULL, s, 0), MLOPS_E_INVALID);
    mlops_store_free(s);
}

typedef struct {
    mlops_store *s;
    char *d;
    mlops_strlist *tags, *hist, *gone;
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
        rc = mlops_store_tag_list(&c->tags, c->s, 0);
    if (!rc)
        rc = mlops_store_alias_history_list(&c->hist, c->s, "tiny", "staging", 0);
    if (!rc)
        rc = mlops_store_check(c->s);
    size_t n;
    if (!rc)
        rc = mlops_store_gc(&n, c->s);
    if (!rc)
        rc = mlops_store_export(c->s, "tiny:staging", wp("oom-export.mlpkg"), 0, 0);
    if (!rc)
        rc = mlops_store_retain(&c->gone, c->s, 0, MLOPS_STORE_DRY_RUN);
    if (!rc) {
        rc = mlops_store_remove(c->s, "tiny:0.1.0", 0); /* staging points at it */
        if (rc == MLOPS_E_EXISTS)
            rc = 0;
        else if (rc == 0)
            rc = -100;
    }
    if (!rc)
        rc = mlops_store_alias_set(c->s, "tiny", "staging", "0.1.0");
    return rc;
}

static void cleanup_store(void *arg)
{
    oom_ctx *c = arg;
    mlops_free(c->d);
    mlops_store_free(c->s);
    mlops_strlist_free(c->tags);
    mlops_strlist_free(c->hist);
    mlops_strlist_free(c->gone);
    c->d = NULL;
    c->s = NULL;
    c->tags = c->hist = c->gone = NULL;
    unlink(wp("oom-export.mlpkg"));
    /* start every attempt from the same store, copied without fsyncs */
    assert_int_equal(sh("rm -rf '%s' && cp -r '%s' '%s'", wp("oomstore"),
                        wp(c->step == 0 ? "empty" : "withtiny"), wp("oomstore")), 0);
}

/* A layout unpacked from a package goes back into a package. */
static int op_layout(void *arg)
{
    (void)arg;
    return mlops_layout_export(wp("tinylayout"), "0.1.0", NULL, 0, wp("oom-layout.mlpkg"), 0, 0);
}

static void cleanup_layout(void *arg)
{
    (void)arg;
    unlink(wp("oom-layout.mlpkg"));
}

/* A layout of another version is refused, not misread; CREATE never turns a
 * directory holding other files into a store. */
/* Feed `pkg` (its first `len` bytes; all with -1) into the FIFO `fifo` from a
 * child process. Returns the child's pid. */
static pid_t feed_fifo(const char *fifo, const char *pkg, long len)
{
    pid_t pid = fork();
    if (pid == 0) {
        int in = open(pkg, O_RDONLY), out = open(fifo, O_WRONLY);
        char buf[65536];
        ssize_t n;
        while ((len < 0 || len > 0) && (n = read(in, buf, sizeof buf)) > 0) {
            size_t k = len < 0 || n < len ? (size_t)n : (size_t)len;
            if (write(out, buf, k) != (ssize_t)k)
                _exit(1);
            if (len > 0)
                len -= (long)k;
        }
        _exit(0);
    }
    return pid;
}

/* A package read from a pipe (it can be read only once; adding reads it
 * twice) is spooled among the store's blobs, added, and the spool removed;
 * a damaged one is refused naming the pipe, not the spool. Oracle: the
 * digest the package's own index.json names, read with tar. */
static void a_package_from_a_pipe_is_added(void **state)
{
    (void)state;
    mlops_store *s = NULL;
    assert_int_equal(mlops_store_open(&s, wp("pipestore"), MLOPS_STORE_CREATE), 0);
    assert_int_equal(mkfifo(wp("pkg.fifo"), 0600), 0);
    mlops_package_verify_options o = vopts();
    pid_t pid = feed_fifo(wp("pkg.fifo"), wp("p3.mlpkg"), -1);
    assert_int_equal(mlops_store_add(s, wp("pkg.fifo"), &o), 0);
    int st = 0;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    char *d = NULL;
    assert_int_equal(mlops_store_resolve(&d, s, "fraud:1.0.3"), 0);
    assert_int_equal(sh("tar -xOf '%s' index.json | grep -q '%s'", wp("p3.mlpkg"), d), 0);
    mlops_free(d);
    /* truncated: refused, the message names the pipe, no spool is left */
    pid = feed_fifo(wp("pkg.fifo"), wp("p4.mlpkg"), 4096);
    int rc = mlops_store_add(s, wp("pkg.fifo"), &o);
    assert_int_equal(waitpid(pid, &st, 0), pid);
    assert_int_not_equal(rc, 0);
    assert_non_null(strstr(mlops_error_last(), wp("pkg.fifo")));
    assert_null(strstr(mlops_error_last(), ".tmp-spool"));
    assert_int_equal(mlops_store_resolve(&d, s, "fraud:1.0.4"), MLOPS_E_NOTFOUND);
    assert_int_equal(sh("ls -a '%s' | grep -q tmp-spool", wp("pipestore/blobs/sha256")), 1);
    mlops_store_free(s);
}

static void foreign_layouts_and_busy_directories_are_refused(void **state)
{
    (void)state;
    mlops_store *st = NULL;
    assert_int_equal(mlops_store_open(&st, wp("v2store"), MLOPS_STORE_CREATE), 0);
    mlops_store_free(st);
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
    mlops_store_free(st);
}

static void out_of_memory_is_clean(void **state)
{
    (void)state;
    mlops_store *s = NULL;
    mlops_package_verify_options o = MLOPS_PACKAGE_VERIFY_OPTIONS_INIT;
    o.flags = MLOPS_PACKAGE_ALLOW_UNSIGNED;
    assert_int_equal(mlops_store_open(&s, wp("empty"), MLOPS_STORE_CREATE), 0);
    mlops_store_free(s);
    assert_int_equal(sh("cp -r '%s' '%s'", wp("empty"), wp("withtiny")), 0);
    assert_int_equal(mlops_store_open(&s, wp("withtiny"), 0), 0);
    assert_int_equal(mlops_store_add(s, wp("tiny.mlpkg"), &o), 0);
    mlops_store_free(s);
    oom_ctx c = { NULL, NULL, NULL, NULL, NULL, 0 };
    cleanup_store(&c);
    assert_true(oom_check("mlops_store_open/add", op_store, cleanup_store, &c, 0) >= 10);
    c.step = 1;
    cleanup_store(&c);
    assert_true(oom_check("mlops_store_alias_set/resolve/tag_list/alias_history_list/check/gc/"
                          "export", op_store, cleanup_store, &c, 0) >= 10);
    assert_int_equal(sh("mkdir -p '%s' && tar -xf '%s' -C '%s'", wp("tinylayout"),
                        wp("tiny.mlpkg"), wp("tinylayout")), 0);
    assert_true(oom_check("mlops_layout_export", op_layout, cleanup_layout, NULL, 0) >= 3);
    /* no temporary beside the output */
    assert_int_equal(sh("ls -a '%s' | grep -c oom-layout > /dev/null", work), 1);
}

int main(int argc, char **argv)
{
    /* before anything allocates in OpenSSL: the OOM loops fail its
     * allocations too */
    if (!oom_hook_openssl()) {
        fprintf(stderr, "CRYPTO_set_mem_functions refused\n");
        return 1;
    }
    /* `test_store NAME` runs the tests whose name matches NAME (cmocka's filter) */
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(add_tag_alias_resolve_and_gc),
        cmocka_unit_test(versions_in_semver_order_latest_remove_and_retain),
        cmocka_unit_test(a_second_writer_waits_or_is_told),
        cmocka_unit_test(a_pulled_layout_becomes_the_package_again),
        cmocka_unit_test(a_killed_writer_leaves_a_valid_store),
        cmocka_unit_test(a_killed_creation_is_finished_by_the_next_writer),
        cmocka_unit_test(first_writers_racing_all_succeed),
        cmocka_unit_test(an_alias_move_killed_before_its_commit_is_ignored),
        cmocka_unit_test(listings_are_snapshots_and_report_errors),
        cmocka_unit_test(a_package_from_a_pipe_is_added),
        cmocka_unit_test(foreign_layouts_and_busy_directories_are_refused),
        cmocka_unit_test(out_of_memory_is_clean),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
