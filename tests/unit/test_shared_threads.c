/*
 * Every object the public headers document as shareable, used from many
 * threads at once. Each object is built once; every operation's output is
 * computed once on the main thread and checked there against an outside
 * oracle where one exists (RFC 8032 §7.1 signatures, FIPS 180-2 and hashlib
 * SHA-256 digests, SciPy values from tests/vectors/drift, the manifest
 * vectors' canonical bytes, digests and diff, the replay log's decisions
 * from gen_replay.py's model, the example gate policy's own expectations,
 * the SemVer 2.0.0 §11 precedence list); then THREADS threads run every
 * operation ROUNDS times on the same objects, each in its own order, and
 * compare every output byte for byte with the expected one.
 *
 * The first test runs before any other library call in the process, so its
 * threads race through the library's one-time initialisations (the SHA-256
 * method, the C locale of the number formatter, OpenSSL's own).
 *
 * scripts/test runs this program again under ThreadSanitizer (suite
 * 'threads'); the unit suite also runs it under valgrind, with one round.
 * MLOPS_STRESS_ROUNDS sets the number of rounds (default 4: about 12 s of CPU
 * under ThreadSanitizer); a longer stress: MLOPS_STRESS_ROUNDS=100.
 * MLOPS_STRESS_OPS=policy,keys runs only the operations named.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <ftw.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
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

#include "core/json.h"
#include "driftvec.h"
#include "mlops.h"

#define THREADS 6

/* ---- oracles ------------------------------------------------------------ */

/* FIPS 180-2 appendix B.1 and the digest of the empty string. */
#define SHA256_ABC "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
#define SHA256_EMPTY "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
/* hashlib.sha256 of the package's files (big_byte() below, and the config). */
#define SHA256_BIG "c4d92634d6048521415305e7b9bf734c581a8795b2ac1fd7cb06f9e2db79d295"
#define SHA256_CONFIG "b2709fad9d4e4634cc10d5af1374216dfd5b5313c45d4ca663de2588ab3af8e6"
#define CONFIG_TEXT "{\"threshold\":0.7}\n"
#define BIG_SIZE ((size_t)(1u << 20) + 4097)

/* RFC 8032 §7.1 TEST 1 (empty message) and TEST 2 (the byte 0x72). */
#define T1_SECRET "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"
#define T1_PUBLIC "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
#define T1_SIG                                                                  \
    "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590" \
    "a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
/* sha256(302a300506032b6570032100 || T1_PUBLIC), by sha256sum. */
#define T1_KEYID "06e3fd8fda29bb60ab59557de61edb0aecdb231134be30e75b455f8e1b792fa9"
#define T2_SECRET "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb"
#define T2_PUBLIC "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c"
#define T2_SIG                                                                  \
    "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e" \
    "15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"

/* tests/vectors/manifest/expected.txt */
#define PARENT_TREE "622b8878209ef3116e07f474a1154bc04188dcf99aaf60e09db8ab9c930640e1"
#define PARENT_STATEMENT "775758787f41f0455c8d8559fdc9ffdfdeed2e72aef7253c2e11af0893c986ad"
#define CHILD_TREE "a52d7d1b5d50ccf1bacb1362738f27524b6072479fe91f3ae7516d52af4ec2e6"
#define CHILD_STATEMENT "44b3b0006cb3c1398b5dfb8e4c8901c686474731c26e6f1cb743fa850324a911"

/* The DSSE v1 specification's PAE of this payload, written out by hand. */
#define DSSE_PAYLOAD "{\"hello\":\"world\"}"
#define DSSE_PAE "DSSEv1 28 application/vnd.in-toto+json 17 " DSSE_PAYLOAD

/* SemVer 2.0.0 §11: in increasing precedence. */
static const char *const semver_order[] = {
    "1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta",
    "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1",      "1.0.0",
    "2.0.0",        "2.1.0",         "2.1.1"};
#define N_SEMVER (sizeof semver_order / sizeof semver_order[0])

/* The replay log's first REPLAY_STEPS steps (their decisions: 199 none,
 * 66 warn, 32 rollback, 3 retrain). */
#define REPLAY_STEPS 300

/* ---- helpers ------------------------------------------------------------ */

static int rounds = 4;
static char work[64];

static unsigned char big_byte(size_t i)
{
    return (unsigned char)(((uint32_t)i * 2654435761u) >> 24);
}

static void hex(char *out, const uint8_t *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        snprintf(out + 2 * i, 3, "%02x", b[i]);
}

/* Hex digits (valid, lowercase) to bytes; called from threads, so no
 * cmocka assertion here. */
static void unhex(uint8_t *out, const char *h, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int hi = h[2 * i] <= '9' ? h[2 * i] - '0' : h[2 * i] - 'a' + 10;
        int lo = h[2 * i + 1] <= '9' ? h[2 * i + 1] - '0' : h[2 * i + 1] - 'a' + 10;
        out[i] = (uint8_t)(hi * 16 + lo);
    }
}

static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    char *s = malloc(cap + 1);
    size_t got;
    while (s && (got = fread(s + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            char *t = realloc(s, 2 * cap + 1);
            if (!t) {
                free(s);
                s = NULL;
                break;
            }
            s = t;
            cap *= 2;
        }
    }
    fclose(f);
    if (s) {
        s[n] = '\0';
        *len = n;
    }
    return s;
}

static char *vector(const char *rel, size_t *len)
{
    const char *dir = getenv("MLOPS_VECTORS");
    assert_non_null(dir);
    char p[1024];
    snprintf(p, sizeof p, "%s/%s", dir, rel);
    char *s = read_all(p, len);
    if (!s)
        fail_msg("cannot read %s", p);
    return s;
}

/* Bytes owned by the fixture: an expected output. */
typedef struct bytes {
    char *data;
    size_t len;
} bytes;

static bytes take(mlops_buf *b)
{
    bytes r = { malloc(b->size + 1), b->size };
    assert_non_null(r.data);
    memcpy(r.data, b->data ? b->data : "", b->size);
    r.data[b->size] = '\0';
    mlops_buf_dispose(b);
    return r;
}

static int same(const mlops_buf *b, bytes want)
{
    return b->size == want.len && (want.len == 0 || memcmp(b->data, want.data, want.len) == 0);
}

static int same_d(double a, double b)
{
    return memcmp(&a, &b, sizeof a) == 0;
}

/* A string for a summary: "-" for NULL. */
static const char *S(const char *s)
{
    return s ? s : "-";
}

static int streq(const char *a, const char *b)
{
    return (a == NULL && b == NULL) || (a && b && strcmp(a, b) == 0);
}

/* An append-only text built with printf, for summaries of getters. */
typedef struct text {
    char *s;
    size_t n, cap;
} text;

static void tprintf(text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void tprintf(text *t, const char *fmt, ...)
{
    va_list ap;
    for (;;) {
        va_start(ap, fmt);
        int k = vsnprintf(t->s ? t->s + t->n : NULL, t->s ? t->cap - t->n : 0, fmt, ap);
        va_end(ap);
        if (k < 0)
            abort();
        if (t->s && t->n + (size_t)k < t->cap) {
            t->n += (size_t)k;
            return;
        }
        size_t cap = (t->cap ? t->cap : 256) * 2 + (size_t)k;
        char *s = realloc(t->s, cap);
        if (!s)
            abort();
        t->s = s;
        t->cap = cap;
    }
}

/* ---- the worker's record of what went wrong ----------------------------- */

typedef struct worker {
    int id;
    int round;
    unsigned long checks;
    unsigned long failures;
    char first[256];
} worker;

static void note(worker *w, const char *what, int line)
{
    if (w->failures++ == 0)
        snprintf(w->first, sizeof w->first, "thread %d round %d line %d: %s (last error: %s)",
                 w->id, w->round, line, what, mlops_error_last());
}

#define CHECK(w, cond, what)                \
    do {                                    \
        (w)->checks++;                      \
        if (!(cond))                        \
            note((w), (what), __LINE__);    \
    } while (0)

/* ======================================================================== */
/* First use from many threads at once                                      */
/* ======================================================================== */

static void *first_use_body(void *arg)
{
    worker *w = arg;
    uint8_t d[32];
    char h[65];
    CHECK(w, mlops_digest_buffer(d, "abc", 3) == 0, "digest");
    hex(h, d, 32);
    CHECK(w, strcmp(h, SHA256_ABC) == 0, "digest of abc");
    uint8_t seed[32], sig[64], want[64];
    unhex(seed, T1_SECRET, 32);
    unhex(want, T1_SIG, 64);
    mlops_key *k = NULL;
    CHECK(w, mlops_key_from_seed(&k, seed) == 0, "key from seed");
    CHECK(w, k && mlops_key_sign_raw(sig, k, NULL, 0) == 0 && memcmp(sig, want, 64) == 0,
          "RFC 8032 TEST 1 signature");
    mlops_key_free(k);
    /* the number formatter's C locale: 0.5 and 2 are written "0.5", "2" */
    uint64_t a[2] = { 1, 3 }, b[2] = { 3, 1 };
    mlops_drift_result *r = NULL;
    CHECK(w, mlops_drift_counts(&r, MLOPS_DRIFT_TVD, NULL, 0, a, b, 2, 0, 0, NULL) == 0,
          "drift counts");
    mlops_buf j = MLOPS_BUF_INIT;
    CHECK(w, r && mlops_drift_result_write_json(&j, r, 0) == 0 &&
                 strstr(j.data, "\"statistic\":0.5,") != NULL,
          "TVD of (1,3) and (3,1) is 0.5");
    mlops_buf_dispose(&j);
    mlops_drift_result_free(r);
    return NULL;
}

static void first_use_from_many_threads(void **state)
{
    (void)state;
    worker w[THREADS];
    pthread_t t[THREADS];
    memset(w, 0, sizeof w);
    for (int i = 0; i < THREADS; i++) {
        w[i].id = i;
        assert_int_equal(pthread_create(&t[i], NULL, first_use_body, &w[i]), 0);
    }
    for (int i = 0; i < THREADS; i++)
        assert_int_equal(pthread_join(t[i], NULL), 0);
    for (int i = 0; i < THREADS; i++)
        if (w[i].failures)
            fail_msg("%s", w[i].first);
}

/* ======================================================================== */
/* The shared objects and their expected outputs                            */
/* ======================================================================== */

typedef struct step {
    int64_t now_ms;
    size_t n;
    char **names;
    double *values;
    int64_t *samples;
    char action[32];
    char *rule; /* NULL: none */
} step;

static struct fixture {
    /* keys and keyring (sign.h) */
    mlops_key *key1, *key2;
    mlops_keyring *ring;
    bytes pub_pem1, envelope;
    /* manifests (manifest.h) */
    mlops_manifest *parent, *child;
    mlops_manifest_diff *diff;
    bytes big_statement; /* over 256 KiB: parsed with a helper thread */
    char big_statement_sha[65];
    bytes parent_bytes, child_bytes, diff_bytes, parent_pretty, summary_parent,
        summary_child, summary_diff;
    /* versions (semver.h) */
    mlops_semver *sv[N_SEMVER];
    mlops_semver *rc;
    /* drift (drift.h) */
    vec num, cat, adj;
    mlops_drift_reference *ref;
    double *ref_edges;
    uint64_t *ref_counts;
    size_t ref_ne, ref_nb;
    mlops_drift_result *ks, *chi2;
    mlops_drift_table_result *table;
    double *table_ref, *table_cur;
    int64_t *cat_ref, *cat_cur;
    uint32_t ncat;
    int64_t *cat_ref64, *cat_cur64;
    size_t n_cat_ref, n_cat_cur;
    bytes ks_json, psi_ref_json, counts_json, chi2_json, table_json;
    mlops_drift_options dopts; /* shared options: only read */
    double adjusted[3][16];
    /* profiles (sketch.h) */
    mlops_profile *pref, *pcur, *pcat_ref, *pcat_cur;
    mlops_profile *psmall_ref, *psmall_cur, *pcat_hh; /* compacted sketch, heavy hitters */
    bytes pref_bytes, pcat_bytes, pdrift_json, pchi2_json, profile_summary;
    mlops_profile_test ks_test, w_test;
    /* category dictionary (drift.h) */
    mlops_category_dict *dict;
    /* policies (policy.h) */
    mlops_policy *policy, *gate_policy;
    step *steps;
    char *log;
    size_t log_len;
    bytes record, lint, decision_json, state_json, gate_json[2], gate_explain[2];
    mlops_gate_metrics *cand[2], *champ[2];
    mlops_gate_result *gate[2];
    /* package (package.h), its report, and store lists (common.h) */
    char pkg[128];
    mlops_package_report *report;
    bytes report_json;
    mlops_package_verify_options vopts; /* shared options: only read */
    char signed_sha[65]; /* the package signed again by key 2 */
    mlops_strlist *tags, *history;
} F;

/* ---- keys -------------------------------------------------------------- */

static void fixture_keys(void)
{
    uint8_t seed[32];
    unhex(seed, T1_SECRET, 32);
    assert_int_equal(mlops_key_from_seed(&F.key1, seed), 0);
    unhex(seed, T2_SECRET, 32);
    assert_int_equal(mlops_key_from_seed(&F.key2, seed), 0);
    assert_int_equal(mlops_keyring_new(&F.ring), 0);
    assert_int_equal(mlops_keyring_add(F.ring, F.key1), 0);
    assert_int_equal(mlops_keyring_add(F.ring, F.key2), 0);
    assert_string_equal(mlops_key_id(F.key1), T1_KEYID);
    mlops_buf b = MLOPS_BUF_INIT;
    assert_int_equal(mlops_key_write_pem(&b, F.key1, 0), 0);
    F.pub_pem1 = take(&b);
    /* the PEM is the SubjectPublicKeyInfo of RFC 8410: its base64 decodes to
     * 302a300506032b6570032100 || the public key */
    assert_non_null(strstr(F.pub_pem1.data, "MCowBQYDK2VwAyEA"));
    const mlops_key *keys[2] = { F.key1, F.key2 };
    assert_int_equal(mlops_dsse_sign(&b, NULL, DSSE_PAYLOAD, strlen(DSSE_PAYLOAD), keys, 2, 0),
                     0);
    F.envelope = take(&b);
    assert_int_equal(mlops_dsse_verify(NULL, F.envelope.data, F.envelope.len, F.ring, NULL), 0);
}

static int op_keys(worker *w)
{
    uint8_t sig[64], want[64], pub[32], wpub[32];
    unhex(want, T1_SIG, 64);
    CHECK(w, mlops_key_sign_raw(sig, F.key1, NULL, 0) == 0 && memcmp(sig, want, 64) == 0,
          "sign_raw: RFC 8032 TEST 1");
    CHECK(w, mlops_key_verify_raw(F.key1, want, NULL, 0) == 0, "verify_raw TEST 1");
    unhex(want, T2_SIG, 64);
    CHECK(w, mlops_key_sign_raw(sig, F.key2, "\x72", 1) == 0 && memcmp(sig, want, 64) == 0,
          "sign_raw: RFC 8032 TEST 2");
    CHECK(w, mlops_key_verify_raw(F.key2, want, "\x72", 1) == 0, "verify_raw TEST 2");
    want[w->id % 64] ^= 0x01;
    CHECK(w, mlops_key_verify_raw(F.key2, want, "\x72", 1) == MLOPS_E_SIGNATURE,
          "verify_raw refuses an altered signature");
    CHECK(w, mlops_key_verify_raw(F.key1, sig, "\x72", 1) == MLOPS_E_SIGNATURE,
          "verify_raw refuses another key's signature");
    unhex(wpub, T1_PUBLIC, 32);
    CHECK(w, mlops_key_public_raw(pub, F.key1) == 0 && memcmp(pub, wpub, 32) == 0,
          "public_raw TEST 1");
    unhex(wpub, T2_PUBLIC, 32);
    CHECK(w, mlops_key_public_raw(pub, F.key2) == 0 && memcmp(pub, wpub, 32) == 0,
          "public_raw TEST 2");
    CHECK(w, strcmp(mlops_key_id(F.key1), T1_KEYID) == 0, "key id");
    CHECK(w, mlops_key_has_private(F.key1) == 1, "has_private");
    CHECK(w, mlops_keyring_count(F.ring) == 2, "keyring count");
    mlops_buf b = MLOPS_BUF_INIT;
    CHECK(w, mlops_key_write_pem(&b, F.key1, 0) == 0 && same(&b, F.pub_pem1),
          "public PEM");
    mlops_buf_dispose(&b);
    return 0;
}

static int op_dsse(worker *w)
{
    mlops_buf b = MLOPS_BUF_INIT;
    CHECK(w, mlops_dsse_pae(&b, NULL, DSSE_PAYLOAD, strlen(DSSE_PAYLOAD)) == 0 &&
                 b.size == strlen(DSSE_PAE) && memcmp(b.data, DSSE_PAE, b.size) == 0,
          "PAE as the DSSE specification spells it");
    mlops_buf_dispose(&b);
    const mlops_key *keys[2] = { F.key1, F.key2 };
    CHECK(w, mlops_dsse_sign(&b, NULL, DSSE_PAYLOAD, strlen(DSSE_PAYLOAD), keys, 2, 0) == 0 &&
                 same(&b, F.envelope),
          "dsse_sign with shared keys");
    mlops_buf_dispose(&b);
    mlops_dsse_verify_options o = MLOPS_DSSE_VERIFY_OPTIONS_INIT;
    o.threshold = 2;
    CHECK(w, mlops_dsse_verify(&b, F.envelope.data, F.envelope.len, F.ring, &o) == 0 &&
                 b.size == strlen(DSSE_PAYLOAD) && memcmp(b.data, DSSE_PAYLOAD, b.size) == 0,
          "dsse_verify with a shared keyring hands out the payload");
    mlops_buf_dispose(&b);
    CHECK(w, mlops_dsse_verify_detached(F.envelope.data, F.envelope.len, DSSE_PAYLOAD,
                                        strlen(DSSE_PAYLOAD), F.ring, &o) == 0,
          "dsse_verify_detached");
    CHECK(w, mlops_dsse_verify_detached(F.envelope.data, F.envelope.len, "{}", 2, F.ring,
                                        NULL) == MLOPS_E_SIGNATURE,
          "dsse_verify_detached refuses other bytes");
    return 0;
}

/* ---- digests and static strings ----------------------------------------- */

static int op_digest(worker *w)
{
    uint8_t d[32];
    char h[65];
    CHECK(w, mlops_digest_buffer(d, "abc", 3) == 0, "digest abc");
    hex(h, d, 32);
    CHECK(w, strcmp(h, SHA256_ABC) == 0, "SHA-256 of abc (FIPS 180-2)");
    CHECK(w, mlops_digest_buffer(d, NULL, 0) == 0, "digest of nothing");
    hex(h, d, 32);
    CHECK(w, strcmp(h, SHA256_EMPTY) == 0, "SHA-256 of the empty string");
    char p[160];
    snprintf(p, sizeof p, "%s/tree/weights.bin", work);
    CHECK(w, mlops_digest_file(d, p, NULL) == 0, "digest_file");
    hex(h, d, 32);
    CHECK(w, strcmp(h, SHA256_BIG) == 0, "SHA-256 of the weights (hashlib)");
    /* static strings */
    CHECK(w, strcmp(mlops_error_name(MLOPS_E_PARSE), "MLOPS_E_PARSE") == 0, "error_name");
    CHECK(w, strcmp(mlops_strerror(MLOPS_E_PARSE), "parse error") == 0, "strerror");
    CHECK(w, strcmp(mlops_version(), MLOPS_VERSION_STRING) == 0, "version");
    CHECK(w, mlops_version_number() == MLOPS_VERSION_NUMBER, "version number");
    CHECK(w, strcmp(mlops_drift_metric_name(MLOPS_DRIFT_PSI), "psi") == 0, "metric name");
    CHECK(w, strcmp(mlops_policy_action_name(MLOPS_ACTION_ROLLBACK), "rollback") == 0, "action name");
    CHECK(w, strcmp(mlops_manifest_field_name(MLOPS_MANIFEST_FIELD_MEDIA_TYPE), "mediaType") == 0,
          "field name");
    CHECK(w, mlops_manifest_path_check("model/weights.bin", 17) == 0, "path check");
    CHECK(w, mlops_manifest_path_check("../x", 4) == MLOPS_E_SCHEMA, "path check refuses ..");
    return 0;
}

/* ---- the error record --------------------------------------------------- */

/* Each thread fails with a source name of its own; after other threads have
 * run and failed with theirs, it still reads its own failure. */
static int op_error(worker *w)
{
    char src[64];
    snprintf(src, sizeof src, "thread-%d-round-%d.json", w->id, w->round);
    mlops_policy *p = NULL;
    CHECK(w, mlops_policy_parse(&p, "{\"schema\":", 10, src, 0) == MLOPS_E_PARSE,
          "a truncated policy is PARSE");
    for (int i = 0; i < 4; i++) {
        sched_yield();
        uint8_t d[32];
        CHECK(w, mlops_digest_buffer(d, "x", 1) == 0, "digest between");
        CHECK(w, mlops_error_last_code() == MLOPS_E_PARSE, "own error code");
        CHECK(w, strstr(mlops_error_last(), src) != NULL, "own error message");
    }
    mlops_error_clear();
    CHECK(w, mlops_error_last_code() == 0 && mlops_error_last()[0] == '\0', "cleared");
    return 0;
}

/* ---- manifests ---------------------------------------------------------- */

static void manifest_summary(text *t, const mlops_manifest *m)
{
    tprintf(t, "%s|%s|%s|%s|%s|%s\n", mlops_manifest_name(m), mlops_manifest_version(m),
            mlops_manifest_created(m), S(mlops_manifest_description(m)),
            S(mlops_manifest_framework_name(m)), S(mlops_manifest_framework_version(m)));
    for (size_t i = 0; i < mlops_manifest_file_count(m); i++) {
        tprintf(t, "f %s %llu %s %s %s %llu %zu %zu\n", mlops_manifest_file_path(m, i),
                (unsigned long long)mlops_manifest_file_size(m, i),
                mlops_manifest_file_sha256(m, i), S(mlops_manifest_file_media_type(m, i)),
                S(mlops_manifest_file_role(m, i)),
                (unsigned long long)mlops_manifest_file_shard_size(m, i),
                mlops_manifest_file_shard_count(m, i),
                mlops_manifest_file_find(m, mlops_manifest_file_path(m, i)));
        for (size_t j = 0; j < mlops_manifest_file_shard_count(m, i); j++) {
            uint64_t off = 0, sz = 0;
            const char *sh = NULL;
            mlops_manifest_file_shard(&off, &sz, &sh, m, i, j);
            tprintf(t, "  s %llu %llu %s\n", (unsigned long long)off, (unsigned long long)sz,
                    sh ? sh : "-");
        }
    }
    for (size_t i = 0; i < mlops_manifest_dataset_count(m); i++)
        tprintf(t, "d %s %s %s %s %s %s %s\n", mlops_manifest_dataset_name(m, i),
                S(mlops_manifest_dataset_uri(m, i)), S(mlops_manifest_dataset_role(m, i)),
                S(mlops_manifest_dataset_sha256(m, i)),
                S(mlops_manifest_dataset_foreign_alg(m, i)),
                S(mlops_manifest_dataset_foreign_scheme(m, i)),
                S(mlops_manifest_dataset_foreign_value(m, i)));
    for (size_t i = 0; i < mlops_manifest_parameter_count(m); i++)
        tprintf(t, "p %s %d %s %a %s %d\n", mlops_manifest_parameter_name(m, i),
                mlops_manifest_parameter_type(m, i), mlops_manifest_parameter_json(m, i),
                mlops_manifest_parameter_number(m, i), S(mlops_manifest_parameter_string(m, i)),
                mlops_manifest_parameter_bool(m, i));
    for (size_t i = 0; i < mlops_manifest_metric_count(m); i++)
        tprintf(t, "m %s %a\n", mlops_manifest_metric_name(m, i),
                mlops_manifest_metric_value(m, i));
    for (size_t i = 0; i < mlops_manifest_annotation_count(m); i++)
        tprintf(t, "a %s %s\n", mlops_manifest_annotation_key(m, i),
                mlops_manifest_annotation_value(m, i));
    tprintf(t, "parent %d %s %s %s code %s %s\n", mlops_manifest_has_parent(m),
            S(mlops_manifest_parent_name(m)), S(mlops_manifest_parent_version(m)),
            S(mlops_manifest_parent_sha256(m)), S(mlops_manifest_code_uri(m)),
            S(mlops_manifest_code_commit(m)));
    tprintf(t, "%s %s\n", mlops_manifest_tree_sha256(m), mlops_manifest_statement_sha256(m));
}

static void diff_summary(text *t, const mlops_manifest_diff *d)
{
    tprintf(t, "%d %zu %zu %d %u\n", mlops_manifest_diff_relation(d),
            mlops_manifest_diff_unchanged_file_count(d),
            mlops_manifest_diff_unchanged_dataset_count(d), mlops_manifest_diff_code_change(d),
            mlops_manifest_diff_code_fields(d));
    for (size_t i = 0; i < mlops_manifest_diff_file_count(d); i++)
        tprintf(t, "f %s %d %s %s %llu %llu %u\n", mlops_manifest_diff_file_path(d, i),
                mlops_manifest_diff_file_change(d, i),
                S(mlops_manifest_diff_file_old_sha256(d, i)),
                S(mlops_manifest_diff_file_new_sha256(d, i)),
                (unsigned long long)mlops_manifest_diff_file_old_size(d, i),
                (unsigned long long)mlops_manifest_diff_file_new_size(d, i),
                mlops_manifest_diff_file_fields(d, i));
    for (size_t i = 0; i < mlops_manifest_diff_dataset_count(d); i++)
        tprintf(t, "d %s %d %u %s %s %s %s\n", mlops_manifest_diff_dataset_name(d, i),
                mlops_manifest_diff_dataset_change(d, i),
                mlops_manifest_diff_dataset_fields(d, i),
                S(mlops_manifest_diff_dataset_old_sha256(d, i)),
                S(mlops_manifest_diff_dataset_new_sha256(d, i)),
                S(mlops_manifest_diff_dataset_old_uri(d, i)),
                S(mlops_manifest_diff_dataset_new_uri(d, i)));
    for (size_t i = 0; i < mlops_manifest_diff_parameter_count(d); i++)
        tprintf(t, "p %s %d %s %s\n", mlops_manifest_diff_parameter_name(d, i),
                mlops_manifest_diff_parameter_change(d, i),
                S(mlops_manifest_diff_parameter_old_json(d, i)),
                S(mlops_manifest_diff_parameter_new_json(d, i)));
    for (size_t i = 0; i < mlops_manifest_diff_metric_count(d); i++)
        tprintf(t, "m %s %d %a %a %a %a\n", mlops_manifest_diff_metric_name(d, i),
                mlops_manifest_diff_metric_change(d, i), mlops_manifest_diff_metric_old(d, i),
                mlops_manifest_diff_metric_new(d, i), mlops_manifest_diff_metric_delta(d, i),
                mlops_manifest_diff_metric_relative(d, i));
}

static bytes text_bytes(text *t)
{
    bytes b = { t->s, t->n };
    if (!b.data) {
        b.data = calloc(1, 1);
        assert_non_null(b.data);
    }
    t->s = NULL;
    t->n = t->cap = 0;
    return b;
}

static int text_is(text *t, bytes want)
{
    int ok = t->n == want.len && memcmp(t->s ? t->s : "", want.data, want.len) == 0;
    free(t->s);
    t->s = NULL;
    t->n = t->cap = 0;
    return ok;
}

static void fixture_manifests(void)
{
    F.parent_bytes.data = vector("manifest/parent.json", &F.parent_bytes.len);
    F.child_bytes.data = vector("manifest/child.json", &F.child_bytes.len);
    F.diff_bytes.data = vector("manifest/diff.json", &F.diff_bytes.len);
    assert_int_equal(mlops_manifest_parse(&F.parent, F.parent_bytes.data, F.parent_bytes.len,
                                          NULL), 0);
    assert_int_equal(mlops_manifest_parse(&F.child, F.child_bytes.data, F.child_bytes.len,
                                          NULL), 0);
    assert_string_equal(mlops_manifest_tree_sha256(F.parent), PARENT_TREE);
    assert_string_equal(mlops_manifest_statement_sha256(F.parent), PARENT_STATEMENT);
    assert_string_equal(mlops_manifest_tree_sha256(F.child), CHILD_TREE);
    assert_string_equal(mlops_manifest_statement_sha256(F.child), CHILD_STATEMENT);
    assert_int_equal(mlops_manifest_diff_new(&F.diff, F.parent, F.child, 0), 0);
    mlops_buf b = MLOPS_BUF_INIT;
    assert_int_equal(mlops_manifest_diff_write_json(&b, F.diff, 0), 0);
    assert_true(same(&b, F.diff_bytes)); /* the vector's canonical diff */
    mlops_buf_dispose(&b);
    assert_int_equal(mlops_manifest_write_json(&b, F.parent, MLOPS_JSON_PRETTY), 0);
    F.parent_pretty = take(&b);
    /* a statement over 256 KiB: its digests are computed on a helper thread */
    mlops_manifest_builder *bld = NULL;
    assert_int_equal(mlops_manifest_builder_new(&bld, "big", "1.0.0", "2026-11-26T09:00:00Z"), 0);
    for (int i = 0; i < 2500; i++) {
        char path[128], sha[65];
        uint8_t d[32];
        snprintf(path, sizeof path, "weights/part-%05d-of-a-model-sharded-into-many-files.bin", i);
        assert_int_equal(mlops_digest_buffer(d, path, strlen(path)), 0);
        hex(sha, d, 32);
        assert_int_equal(mlops_manifest_builder_add_file(bld, path, (uint64_t)i * 977, sha, NULL,
                                                         "model"), 0);
    }
    mlops_manifest *big = NULL;
    assert_int_equal(mlops_manifest_builder_finish(&big, bld), 0);
    mlops_manifest_builder_free(bld);
    assert_int_equal(mlops_manifest_write_json(&b, big, 0), 0);
    F.big_statement = take(&b);
    assert_true(F.big_statement.len >= 256 * 1024);
    snprintf(F.big_statement_sha, sizeof F.big_statement_sha, "%s",
             mlops_manifest_statement_sha256(big));
    mlops_manifest_free(big);
    uint8_t d[32];
    char h[65];
    assert_int_equal(mlops_digest_buffer(d, F.big_statement.data, F.big_statement.len), 0);
    hex(h, d, 32);
    assert_string_equal(h, F.big_statement_sha); /* the statement digest's definition */

    text t = { 0 };
    manifest_summary(&t, F.parent);
    F.summary_parent = text_bytes(&t);
    manifest_summary(&t, F.child);
    F.summary_child = text_bytes(&t);
    diff_summary(&t, F.diff);
    F.summary_diff = text_bytes(&t);
}

static int op_manifest(worker *w)
{
    mlops_buf b = MLOPS_BUF_INIT;
    CHECK(w, mlops_manifest_write_json(&b, F.parent, 0) == 0 && same(&b, F.parent_bytes),
          "canonical bytes of the parent vector");
    mlops_buf_dispose(&b);
    CHECK(w, mlops_manifest_write_json(&b, F.child, 0) == 0 && same(&b, F.child_bytes),
          "canonical bytes of the child vector");
    mlops_buf_dispose(&b);
    CHECK(w, mlops_manifest_write_json(&b, F.parent, MLOPS_JSON_PRETTY) == 0 && same(&b, F.parent_pretty),
          "pretty bytes");
    mlops_buf_dispose(&b);
    uint8_t d[32];
    char h[65];
    CHECK(w, mlops_manifest_statement_digest(d, F.child) == 0, "statement digest");
    hex(h, d, 32);
    CHECK(w, strcmp(h, CHILD_STATEMENT) == 0, "statement digest (expected.txt)");
    CHECK(w, mlops_manifest_tree_digest(d, F.parent) == 0, "tree digest");
    hex(h, d, 32);
    CHECK(w, strcmp(h, PARENT_TREE) == 0, "tree digest (expected.txt)");
    CHECK(w, strcmp(mlops_manifest_statement_sha256(F.parent), PARENT_STATEMENT) == 0,
          "statement sha256 string");
    CHECK(w, mlops_manifest_validate(F.child) == 0, "validate");
    CHECK(w, mlops_manifest_check_parent(F.child, F.parent) == 0, "child's parent link");
    CHECK(w, mlops_manifest_equal(F.parent, F.parent) == 1 &&
                 mlops_manifest_equal(F.parent, F.child) == 0,
          "equal");
    text t = { 0 };
    manifest_summary(&t, w->id % 2 ? F.child : F.parent);
    CHECK(w, text_is(&t, w->id % 2 ? F.summary_child : F.summary_parent), "getters");
    /* the shared diff, and a diff made on this thread of the shared manifests */
    CHECK(w, mlops_manifest_diff_write_json(&b, F.diff, 0) == 0 && same(&b, F.diff_bytes),
          "shared diff's JSON (diff.json)");
    mlops_buf_dispose(&b);
    diff_summary(&t, F.diff);
    CHECK(w, text_is(&t, F.summary_diff), "shared diff's getters");
    mlops_manifest_diff *dd = NULL;
    CHECK(w, mlops_manifest_diff_new(&dd, F.parent, F.child, 0) == 0 &&
                 mlops_manifest_diff_write_json(&b, dd, 0) == 0 && same(&b, F.diff_bytes),
          "diff made here (diff.json)");
    mlops_buf_dispose(&b);
    mlops_manifest_diff_free(dd);
    /* parsing is thread-safe too */
    mlops_manifest *m = NULL;
    CHECK(w, mlops_manifest_parse(&m, F.child_bytes.data, F.child_bytes.len, NULL) == 0 &&
                 mlops_manifest_equal(m, F.child) == 1,
          "parse the child vector");
    mlops_manifest_free(m);
    m = NULL;
    CHECK(w, mlops_manifest_parse(&m, F.big_statement.data, F.big_statement.len, NULL) == 0 &&
                 strcmp(mlops_manifest_statement_sha256(m), F.big_statement_sha) == 0 &&
                 mlops_manifest_write_json(&b, m, 0) == 0 && same(&b, F.big_statement),
          "parse a statement over 256 KiB");
    mlops_buf_dispose(&b);
    mlops_manifest_free(m);
    return 0;
}

/* ---- versions ----------------------------------------------------------- */

static void fixture_semver(void)
{
    for (size_t i = 0; i < N_SEMVER; i++)
        assert_int_equal(mlops_semver_parse(&F.sv[i], semver_order[i]), 0);
    assert_int_equal(mlops_semver_parse(&F.rc, "1.4.0-rc.1+build.5"), 0);
}

static int op_semver(worker *w)
{
    for (size_t i = 0; i < N_SEMVER; i++)
        for (size_t j = 0; j < N_SEMVER; j++) {
            size_t a = (i + (size_t)w->id) % N_SEMVER;
            int want = a < j ? -1 : a > j ? 1 : 0;
            CHECK(w, mlops_semver_compare(F.sv[a], F.sv[j]) == want, "SemVer §11 order");
        }
    CHECK(w, mlops_semver_major(F.rc) == 1 && mlops_semver_minor(F.rc) == 4 &&
                 mlops_semver_patch(F.rc) == 0 &&
                 strcmp(mlops_semver_prerelease(F.rc), "rc.1") == 0 &&
                 strcmp(mlops_semver_build(F.rc), "build.5") == 0,
          "getters of 1.4.0-rc.1+build.5");
    int r = 9;
    CHECK(w, mlops_semver_compare_str(&r, "1.0.0-beta.11", "1.0.0-beta.2") == 0 && r == 1,
          "compare_str");
    CHECK(w, mlops_semver_validate("01.2.3") == MLOPS_E_PARSE, "leading zero refused");
    return 0;
}

/* ---- drift -------------------------------------------------------------- */

static void fixture_drift(void)
{
    vec_load(&F.num, "normal-shift-small");
    vec_load(&F.cat, "categories-shift");
    vec_load(&F.adj, "pvalue-adjust");
    const entry *r = vec_get(&F.num, "reference"), *c = vec_get(&F.num, "current");
    mlops_buf b = MLOPS_BUF_INIT;

    /* a shared KS result: SciPy's exact ks_2samp */
    F.dopts = (mlops_drift_options)MLOPS_DRIFT_OPTIONS_INIT;
    F.ks = run_num(&F.num, MLOPS_DRIFT_KS, &F.dopts);
    check_stat("ks statistic", mlops_drift_result_statistic(F.ks), vec_num(&F.num, "ks.statistic"));
    check_p("ks p-value", mlops_drift_result_pvalue(F.ks), vec_num(&F.num, "ks.pvalue"), 0);
    assert_int_equal(mlops_drift_result_write_json(&b, F.ks, 0), 0);
    F.ks_json = take(&b);

    /* a shared binned reference: quantile edges and counts as NumPy's */
    assert_int_equal(mlops_drift_reference_new(&F.ref, r->v, r->n, NULL), 0);
    const double *e = mlops_drift_reference_edges(&F.ref_ne, F.ref);
    check_exact_d("reference edges", e, F.ref_ne, vec_get(&F.num, "quantile_bins.edges"));
    F.ref_edges = malloc(F.ref_ne * sizeof *e);
    assert_non_null(F.ref_edges);
    memcpy(F.ref_edges, e, F.ref_ne * sizeof *e);
    const uint64_t *cnt = mlops_drift_reference_counts(&F.ref_nb, F.ref);
    check_exact_u64("reference counts", cnt, F.ref_nb,
                    vec_get(&F.num, "quantile_bins.ref_counts"));
    F.ref_counts = malloc(F.ref_nb * sizeof *cnt);
    assert_non_null(F.ref_counts);
    memcpy(F.ref_counts, cnt, F.ref_nb * sizeof *cnt);
    mlops_drift_result *x = NULL;
    assert_int_equal(mlops_drift_reference_compare(&x, F.ref, MLOPS_DRIFT_PSI, c->v, c->n, NULL),
                     0);
    check_stat("psi", mlops_drift_result_statistic(x), vec_num(&F.num, "quantile_bins.psi"));
    assert_int_equal(mlops_drift_result_write_json(&b, x, 0), 0);
    F.psi_ref_json = take(&b);
    mlops_drift_result_free(x);

    /* counts: JS distance from the vector's counts */
    const entry *rc = vec_get(&F.num, "quantile_bins.ref_counts"),
                *cc = vec_get(&F.num, "quantile_bins.cur_counts");
    uint64_t rcu[16], ccu[16];
    assert_true(rc->n == 10 && cc->n == 10);
    for (size_t i = 0; i < 10; i++) {
        rcu[i] = (uint64_t)rc->v[i];
        ccu[i] = (uint64_t)cc->v[i];
    }
    assert_int_equal(mlops_drift_counts(&x, MLOPS_DRIFT_JS, F.ref_edges, F.ref_ne, rcu, ccu, 10,
                                        0, 0, NULL), 0);
    check_stat("js", mlops_drift_result_statistic(x), vec_num(&F.num, "quantile_bins.js"));
    assert_int_equal(mlops_drift_result_write_json(&b, x, 0), 0);
    F.counts_json = take(&b);
    mlops_drift_result_free(x);

    /* a shared chi-square result on categories */
    const entry *cr = vec_get(&F.cat, "reference"), *ccur = vec_get(&F.cat, "current");
    F.n_cat_ref = cr->n;
    F.n_cat_cur = ccur->n;
    F.cat_ref = malloc(cr->n * sizeof *F.cat_ref);
    F.cat_cur = malloc(ccur->n * sizeof *F.cat_cur);
    F.cat_ref64 = malloc(cr->n * sizeof *F.cat_ref64);
    F.cat_cur64 = malloc(ccur->n * sizeof *F.cat_cur64);
    assert_true(F.cat_ref && F.cat_cur && F.cat_ref64 && F.cat_cur64);
    for (size_t i = 0; i < cr->n; i++)
        F.cat_ref64[i] = F.cat_ref[i] = (int64_t)cr->v[i];
    for (size_t i = 0; i < ccur->n; i++)
        F.cat_cur64[i] = F.cat_cur[i] = (int64_t)ccur->v[i];
    uint32_t ncat = (uint32_t)vec_num(&F.cat, "categories") + 1; /* + unseen ones */
    for (size_t i = 0; i < ccur->n; i++)
        if ((uint32_t)F.cat_cur[i] >= ncat)
            ncat = (uint32_t)F.cat_cur[i] + 1;
    F.ncat = ncat;
    assert_int_equal(mlops_drift_categorical(&F.chi2, MLOPS_DRIFT_CHI2, F.cat_ref, cr->n,
                                             F.cat_cur, ccur->n, ncat, NULL), 0);
    check_stat("chi2", mlops_drift_result_statistic(F.chi2), vec_num(&F.cat, "chi2.statistic"));
    check_p("chi2 p-value", mlops_drift_result_pvalue(F.chi2), vec_num(&F.cat, "chi2.pvalue"), 0);
    assert_int_equal(mlops_drift_result_write_json(&b, F.chi2, 0), 0);
    F.chi2_json = take(&b);

    /* a shared table result: column 0 is the vector's samples, column 1 the
     * same samples doubled (KS is scale-free: the same D) */
    size_t nr = r->n, nc = c->n;
    F.table_ref = malloc(2 * nr * sizeof(double));
    F.table_cur = malloc(2 * nc * sizeof(double));
    assert_true(F.table_ref && F.table_cur);
    for (size_t i = 0; i < nr; i++) {
        F.table_ref[i] = r->v[i];
        F.table_ref[nr + i] = 2 * r->v[i];
    }
    for (size_t i = 0; i < nc; i++) {
        F.table_cur[i] = c->v[i];
        F.table_cur[nc + i] = 2 * c->v[i];
    }
    int metrics[2] = { MLOPS_DRIFT_KS, MLOPS_DRIFT_KS };
    mlops_drift_table_options to = MLOPS_DRIFT_TABLE_OPTIONS_INIT;
    to.rule = MLOPS_DRIFT_RULE_HOLM;
    assert_int_equal(mlops_drift_table(&F.table, F.table_ref, nr, F.table_cur, nc, 2, metrics,
                                       &to), 0);
    for (size_t i = 0; i < 2; i++)
        check_stat("table ks", mlops_drift_result_statistic(
                                   mlops_drift_table_result_column(F.table, i)),
                   vec_num(&F.num, "ks.statistic"));
    assert_int_equal(mlops_drift_table_result_write_json(&b, F.table, 0), 0);
    F.table_json = take(&b);

    /* p-value adjustments (statsmodels' multipletests) */
    const entry *p = vec_get(&F.adj, "pvalues");
    static const char *const keys[3] = { "bonferroni", "holm", "bh" };
    static const int methods[3] = { MLOPS_PVALUE_BONFERRONI, MLOPS_PVALUE_HOLM, MLOPS_PVALUE_BH };
    assert_true(p->n == 16);
    for (int m = 0; m < 3; m++) {
        assert_int_equal(mlops_drift_pvalue_adjust(F.adjusted[m], p->v, 16, methods[m]), 0);
        const entry *want = vec_get(&F.adj, keys[m]);
        for (size_t i = 0; i < 16; i++)
            check_p(keys[m], F.adjusted[m][i], want->v[i], 0);
    }
}

static int result_json_is(const mlops_drift_result *r, bytes want)
{
    mlops_buf b = MLOPS_BUF_INIT;
    int ok = r && mlops_drift_result_write_json(&b, r, 0) == 0 && same(&b, want);
    mlops_buf_dispose(&b);
    return ok;
}

static int op_drift(worker *w)
{
    const entry *r = vec_get(&F.num, "reference"), *c = vec_get(&F.num, "current");
    /* the shared results */
    CHECK(w, result_json_is(F.ks, F.ks_json), "shared KS result");
    CHECK(w, mlops_drift_result_metric(F.ks) == MLOPS_DRIFT_KS &&
                 mlops_drift_result_n_ref(F.ks) == r->n && mlops_drift_result_n_cur(F.ks) == c->n,
          "shared KS getters");
    CHECK(w, result_json_is(F.chi2, F.chi2_json), "shared chi-square result");
    CHECK(w, mlops_drift_result_dof(F.chi2) == (uint64_t)vec_num(&F.cat, "chi2.dof"),
          "chi-square dof (SciPy)");
    mlops_buf b = MLOPS_BUF_INIT;
    CHECK(w, mlops_drift_table_result_write_json(&b, F.table, 0) == 0 && same(&b, F.table_json),
          "shared table result");
    mlops_buf_dispose(&b);
    CHECK(w, mlops_drift_table_result_columns(F.table) == 2 &&
                 mlops_drift_table_result_drifted(F.table) == 1,
          "shared table getters");
    /* the shared reference */
    size_t ne = 0, nb = 0;
    const double *e = mlops_drift_reference_edges(&ne, F.ref);
    const uint64_t *cnt = mlops_drift_reference_counts(&nb, F.ref);
    CHECK(w, ne == F.ref_ne && memcmp(e, F.ref_edges, ne * sizeof *e) == 0, "reference edges");
    CHECK(w, nb == F.ref_nb && memcmp(cnt, F.ref_counts, nb * sizeof *cnt) == 0,
          "reference counts");
    mlops_drift_result *x = NULL;
    CHECK(w, mlops_drift_reference_compare(&x, F.ref, MLOPS_DRIFT_PSI, c->v, c->n, &F.dopts) ==
                     0 &&
                 result_json_is(x, F.psi_ref_json),
          "PSI against the shared reference");
    mlops_drift_result_free(x);
    x = NULL;
    /* the pure functions, run here */
    CHECK(w, mlops_drift_numeric(&x, MLOPS_DRIFT_KS, r->v, r->n, c->v, c->n, &F.dopts) == 0 &&
                 result_json_is(x, F.ks_json),
          "KS made here");
    mlops_drift_result_free(x);
    x = NULL;
    const entry *rc = vec_get(&F.num, "quantile_bins.ref_counts"),
                *cc = vec_get(&F.num, "quantile_bins.cur_counts");
    uint64_t rcu[10], ccu[10];
    for (size_t i = 0; i < 10; i++) {
        rcu[i] = (uint64_t)rc->v[i];
        ccu[i] = (uint64_t)cc->v[i];
    }
    CHECK(w, mlops_drift_counts(&x, MLOPS_DRIFT_JS, F.ref_edges, F.ref_ne, rcu, ccu, 10, 0, 0,
                                NULL) == 0 &&
                 result_json_is(x, F.counts_json),
          "JS from counts");
    mlops_drift_result_free(x);
    x = NULL;
    CHECK(w, mlops_drift_categorical(&x, MLOPS_DRIFT_CHI2, F.cat_ref, F.n_cat_ref, F.cat_cur,
                                     F.n_cat_cur, F.ncat, NULL) == 0 &&
                 result_json_is(x, F.chi2_json),
          "chi-square made here");
    mlops_drift_result_free(x);
    { /* the table starts workers of its own */
        mlops_drift_table_result *t = NULL;
        int metrics[2] = { MLOPS_DRIFT_KS, MLOPS_DRIFT_KS };
        mlops_drift_table_options to = MLOPS_DRIFT_TABLE_OPTIONS_INIT;
        to.rule = MLOPS_DRIFT_RULE_HOLM;
        CHECK(w, mlops_drift_table(&t, F.table_ref, r->n, F.table_cur, c->n, 2, metrics, &to) ==
                         0 &&
                     mlops_drift_table_result_write_json(&b, t, 0) == 0 && same(&b, F.table_json),
              "table made here");
        mlops_buf_dispose(&b);
        mlops_drift_table_result_free(t);
    }
    static const int methods[3] = { MLOPS_PVALUE_BONFERRONI, MLOPS_PVALUE_HOLM, MLOPS_PVALUE_BH };
    const entry *p = vec_get(&F.adj, "pvalues");
    for (int m = 0; m < 3; m++) {
        double out[16];
        CHECK(w, mlops_drift_pvalue_adjust(out, p->v, 16, methods[m]) == 0 &&
                     memcmp(out, F.adjusted[m], sizeof out) == 0,
              "p-value adjustment");
    }
    return 0;
}

/* ---- profiles ----------------------------------------------------------- */

static void sketch_summary(text *t, const mlops_profile_test *s)
{
    tprintf(t, "%a %a %a %a %a %a %a %a %d\n", s->statistic, s->low, s->high, s->pvalue_low,
            s->pvalue_high, s->threshold, s->eps_ref, s->eps_cur, s->verdict);
}

static void profile_summary(text *t)
{
    const mlops_profile *p = F.pref;
    tprintf(t, "%d %llu %llu %a %a %a %a %a %u %zu %a\n", mlops_profile_kind(p),
            (unsigned long long)mlops_profile_count(p),
            (unsigned long long)mlops_profile_nan_count(p), mlops_profile_mean(p),
            mlops_profile_variance(p, 0), mlops_profile_variance(p, 1), mlops_profile_min(p),
            mlops_profile_max(p), mlops_profile_kll_k(p), mlops_profile_retained(p),
            mlops_profile_rank_error(p));
    size_t n = 0;
    const uint64_t *h = mlops_profile_histogram_counts(&n, p);
    for (size_t i = 0; i < n; i++)
        tprintf(t, "%llu ", (unsigned long long)h[i]);
    double q[3];
    for (int i = 0; i < 3; i++)
        q[i] = NAN;
    mlops_profile_quantile(&q[0], p, 0.5);
    mlops_profile_quantile(&q[1], p, 0.0);
    mlops_profile_rank(&q[2], p, 0.1);
    tprintf(t, "\nq %a %a %a\n", q[0], q[1], q[2]);
    double edges[16];
    size_t ne = 0;
    mlops_profile_quantile_edges(edges, &ne, p, 10);
    for (size_t i = 0; i < ne; i++)
        tprintf(t, "%a ", edges[i]);
    int64_t codes[64];
    uint64_t counts[64];
    size_t nc = 0;
    mlops_profile_categories(codes, counts, 64, &nc, F.pcat_ref);
    tprintf(t, "\nc %zu %llu:", mlops_profile_category_size(F.pcat_ref),
            (unsigned long long)mlops_profile_category_error(F.pcat_ref));
    for (size_t i = 0; i < nc; i++)
        tprintf(t, " %lld=%llu/%llu", (long long)codes[i], (unsigned long long)counts[i],
                (unsigned long long)mlops_profile_category_count(F.pcat_ref, codes[i]));
    mlops_profile_test s = MLOPS_SKETCH_TEST_INIT;
    mlops_profile_ks_test(&s, F.pref, F.pcur, 0.05);
    sketch_summary(t, &s);
    mlops_profile_test u = MLOPS_SKETCH_TEST_INIT;
    mlops_profile_wasserstein(&u, F.pref, F.pcur, 0.1);
    sketch_summary(t, &u);
    /* the compacted sketches and the heavy-hitters summary */
    const mlops_profile *sm = F.psmall_ref;
    for (int i = 0; i < 3; i++)
        q[i] = NAN;
    mlops_profile_quantile(&q[0], sm, 0.5);
    mlops_profile_quantile(&q[1], sm, 0.9);
    mlops_profile_rank(&q[2], sm, 0.1);
    tprintf(t, "small %zu %a %a %a %a\n", mlops_profile_retained(sm),
            mlops_profile_rank_error(sm), q[0], q[1], q[2]);
    ne = 0;
    mlops_profile_quantile_edges(edges, &ne, sm, 10);
    for (size_t i = 0; i < ne; i++)
        tprintf(t, "%a ", edges[i]);
    s = (mlops_profile_test)MLOPS_SKETCH_TEST_INIT;
    mlops_profile_ks_test(&s, F.psmall_ref, F.psmall_cur, 0.05);
    sketch_summary(t, &s);
    u = (mlops_profile_test)MLOPS_SKETCH_TEST_INIT;
    mlops_profile_wasserstein(&u, F.psmall_ref, F.psmall_cur, 0.1);
    sketch_summary(t, &u);
    nc = 0;
    mlops_profile_categories(codes, counts, 64, &nc, F.pcat_hh);
    tprintf(t, "hh %zu %llu:", mlops_profile_category_size(F.pcat_hh),
            (unsigned long long)mlops_profile_category_error(F.pcat_hh));
    for (size_t i = 0; i < nc; i++)
        tprintf(t, " %lld=%llu/%llu", (long long)codes[i], (unsigned long long)counts[i],
                (unsigned long long)mlops_profile_category_count(F.pcat_hh, codes[i]));
}

static void fixture_profiles(void)
{
    const entry *r = vec_get(&F.num, "reference"), *c = vec_get(&F.num, "current");
    const entry *e = vec_get(&F.num, "quantile_bins.edges");
    mlops_profile_options o = MLOPS_PROFILE_OPTIONS_INIT;
    o.edges = e->v;
    o.n_edges = e->n;
    o.kll_k = 2000; /* more than either sample: the sketches stay exact */
    assert_int_equal(mlops_profile_new(&F.pref, MLOPS_PROFILE_NUMERIC, &o), 0);
    assert_int_equal(mlops_profile_new(&F.pcur, MLOPS_PROFILE_NUMERIC, &o), 0);
    assert_int_equal(mlops_profile_update(F.pref, r->v, r->n), 0);
    assert_int_equal(mlops_profile_update(F.pcur, c->v, c->n), 0);
    assert_int_equal(mlops_profile_new(&F.pcat_ref, MLOPS_PROFILE_CATEGORICAL, NULL), 0);
    assert_int_equal(mlops_profile_new(&F.pcat_cur, MLOPS_PROFILE_CATEGORICAL, NULL), 0);
    assert_int_equal(mlops_profile_update_codes(F.pcat_ref, F.cat_ref64, F.n_cat_ref), 0);
    assert_int_equal(mlops_profile_update_codes(F.pcat_cur, F.cat_cur64, F.n_cat_cur), 0);

    /* SciPy's values through the profiles: exact histograms, exact sketches */
    size_t n = 0;
    const uint64_t *h = mlops_profile_histogram_counts(&n, F.pref);
    check_exact_u64("profile histogram", h, n, vec_get(&F.num, "quantile_bins.ref_counts"));
    mlops_drift_result *x = NULL;
    assert_int_equal(mlops_profile_drift(&x, F.pref, F.pcur, MLOPS_DRIFT_PSI, NULL), 0);
    check_stat("profile psi", mlops_drift_result_statistic(x),
               vec_num(&F.num, "quantile_bins.psi"));
    mlops_buf b = MLOPS_BUF_INIT;
    assert_int_equal(mlops_drift_result_write_json(&b, x, 0), 0);
    F.pdrift_json = take(&b);
    mlops_drift_result_free(x);
    assert_int_equal(mlops_profile_drift(&x, F.pcat_ref, F.pcat_cur, MLOPS_DRIFT_CHI2, NULL), 0);
    check_stat("profile chi2", mlops_drift_result_statistic(x), vec_num(&F.cat, "chi2.statistic"));
    assert_int_equal(mlops_drift_result_write_json(&b, x, 0), 0);
    F.pchi2_json = take(&b);
    mlops_drift_result_free(x);
    F.ks_test = (mlops_profile_test)MLOPS_SKETCH_TEST_INIT;
    assert_int_equal(mlops_profile_ks_test(&F.ks_test, F.pref, F.pcur, 0.05), 0);
    assert_true(F.ks_test.eps_ref == 0 && F.ks_test.eps_cur == 0);
    check_stat("profile ks", F.ks_test.statistic, vec_num(&F.num, "ks.statistic"));
    F.w_test = (mlops_profile_test)MLOPS_SKETCH_TEST_INIT;
    assert_int_equal(mlops_profile_wasserstein(&F.w_test, F.pref, F.pcur, 0.1), 0);
    check_stat("profile wasserstein", F.w_test.statistic, vec_num(&F.num, "wasserstein"));
    double med = NAN;
    assert_int_equal(mlops_profile_quantile(&med, F.pref, 0.0), 0);
    double mn = r->v[0];
    for (size_t i = 1; i < r->n; i++)
        mn = r->v[i] < mn ? r->v[i] : mn;
    assert_true(same_d(med, mn) && same_d(mlops_profile_min(F.pref), mn));

    /* a compacted sketch (k = 32): its KS interval holds SciPy's D */
    mlops_profile_options so = MLOPS_PROFILE_OPTIONS_INIT;
    so.kll_k = 32;
    so.seed = 7;
    assert_int_equal(mlops_profile_new(&F.psmall_ref, MLOPS_PROFILE_NUMERIC, &so), 0);
    assert_int_equal(mlops_profile_new(&F.psmall_cur, MLOPS_PROFILE_NUMERIC, &so), 0);
    assert_int_equal(mlops_profile_update(F.psmall_ref, r->v, r->n), 0);
    assert_int_equal(mlops_profile_update(F.psmall_cur, c->v, c->n), 0);
    assert_true(mlops_profile_rank_error(F.psmall_ref) > 0); /* compacted */
    mlops_profile_test st = MLOPS_SKETCH_TEST_INIT;
    assert_int_equal(mlops_profile_ks_test(&st, F.psmall_ref, F.psmall_cur, 0.05), 0);
    double d_scipy = vec_num(&F.num, "ks.statistic");
    assert_true(st.low <= d_scipy && d_scipy <= st.high);
    /* heavy hitters: a cap of 4 for 6+ categories; every true count lies in
     * [category_count, category_count + error] */
    mlops_profile_options ho = MLOPS_PROFILE_OPTIONS_INIT;
    ho.category_cap = 4;
    assert_int_equal(mlops_profile_new(&F.pcat_hh, MLOPS_PROFILE_CATEGORICAL, &ho), 0);
    assert_int_equal(mlops_profile_update_codes(F.pcat_hh, F.cat_ref64, F.n_cat_ref), 0);
    uint64_t err = mlops_profile_category_error(F.pcat_hh);
    assert_true(err > 0);
    for (int64_t code = 0; code < 64; code++) {
        uint64_t truth = 0;
        for (size_t i = 0; i < F.n_cat_ref; i++)
            truth += F.cat_ref64[i] == code;
        uint64_t got = mlops_profile_category_count(F.pcat_hh, code);
        assert_true(got <= truth && truth <= got + err);
    }

    assert_int_equal(mlops_profile_write(&b, F.pref, 0), 0);
    F.pref_bytes = take(&b);
    assert_int_equal(mlops_profile_write(&b, F.pcat_ref, 0), 0);
    F.pcat_bytes = take(&b);
    text t = { 0 };
    profile_summary(&t);
    F.profile_summary = text_bytes(&t);
}

static int op_profile(worker *w)
{
    mlops_buf b = MLOPS_BUF_INIT;
    CHECK(w, mlops_profile_write(&b, F.pref, 0) == 0 && same(&b, F.pref_bytes),
          "serialise the numeric profile");
    mlops_buf_dispose(&b);
    CHECK(w, mlops_profile_write(&b, F.pcat_ref, 0) == 0 && same(&b, F.pcat_bytes),
          "serialise the categorical profile");
    mlops_buf_dispose(&b);
    mlops_drift_result *x = NULL;
    CHECK(w, mlops_profile_drift(&x, F.pref, F.pcur, MLOPS_DRIFT_PSI, NULL) == 0 &&
                 result_json_is(x, F.pdrift_json),
          "profile PSI");
    mlops_drift_result_free(x);
    x = NULL;
    CHECK(w, mlops_profile_drift(&x, F.pcat_ref, F.pcat_cur, MLOPS_DRIFT_CHI2, NULL) == 0 &&
                 result_json_is(x, F.pchi2_json),
          "profile chi-square");
    mlops_drift_result_free(x);
    mlops_profile_test s = MLOPS_SKETCH_TEST_INIT;
    CHECK(w, mlops_profile_ks_test(&s, F.pref, F.pcur, 0.05) == 0 &&
                 same_d(s.statistic, F.ks_test.statistic) && same_d(s.low, F.ks_test.low) &&
                 same_d(s.high, F.ks_test.high) &&
                 same_d(s.pvalue_low, F.ks_test.pvalue_low) &&
                 same_d(s.threshold, F.ks_test.threshold) && s.verdict == F.ks_test.verdict,
          "profile KS test");
    s = (mlops_profile_test)MLOPS_SKETCH_TEST_INIT;
    CHECK(w, mlops_profile_wasserstein(&s, F.pref, F.pcur, 0.1) == 0 &&
                 same_d(s.statistic, F.w_test.statistic) && same_d(s.high, F.w_test.high) &&
                 s.verdict == F.w_test.verdict,
          "profile Wasserstein");
    text t = { 0 };
    profile_summary(&t);
    CHECK(w, text_is(&t, F.profile_summary), "profile getters, quantiles, ranks, categories");
    mlops_profile *cl = NULL;
    CHECK(w, mlops_profile_dup(&cl, F.pref) == 0 && mlops_profile_write(&b, cl, 0) == 0 &&
                 same(&b, F.pref_bytes),
          "clone of the shared profile");
    mlops_buf_dispose(&b);
    mlops_profile_free(cl);
    return 0;
}

/* ---- the category dictionary -------------------------------------------- */

static void fixture_dict(void)
{
    assert_int_equal(mlops_category_dict_new(&F.dict, 0), 0);
    const char *ref[] = { "red", "green", "red", "blue" };
    const char *cur[] = { "blue", "vi\0let", "" };
    const size_t cur_len[] = { 4, 6, 0 };
    int64_t codes[4];
    assert_int_equal(mlops_category_dict_add(codes, F.dict, ref, NULL, 4, 0), 0);
    /* first-seen order */
    assert_true(codes[0] == 0 && codes[1] == 1 && codes[2] == 0 && codes[3] == 2);
    assert_int_equal(mlops_category_dict_add(codes, F.dict, cur, cur_len, 3, 0), 0);
    assert_true(codes[0] == 2 && codes[1] == 3 && codes[2] == 4);
}

static int op_dict(worker *w)
{
    const char *q[] = { "vi\0let", "red", "black", "green", "", "blue", "vi" };
    const size_t ql[] = { 6, 3, 5, 5, 0, 4, 2 };
    static const int64_t want[] = { 3, 0, MLOPS_CATEGORY_UNSEEN, 1, 4, 2, MLOPS_CATEGORY_UNSEEN };
    int64_t codes[7];
    uint64_t unseen = 99;
    CHECK(w, mlops_category_dict_encode(codes, &unseen, F.dict, q, ql, 7, 0) == 0 &&
                 memcmp(codes, want, sizeof want) == 0 && unseen == 2,
          "encode");
    CHECK(w, mlops_category_dict_count(F.dict) == 5, "count");
    for (int64_t k = 0; k < 5; k++) {
        static const char *const lab[] = { "red", "green", "blue", "vi\0let", "" };
        static const size_t len[] = { 3, 5, 4, 6, 0 };
        const char *l = NULL;
        size_t n = 99;
        CHECK(w, mlops_category_dict_label(&l, &n, F.dict, k) == 0 && n == len[k] &&
                     memcmp(l, lab[k], n) == 0 && l[n] == '\0',
              "label");
    }
    return 0;
}

/* ---- policies ----------------------------------------------------------- */

static void fixture_policy(void)
{
    size_t len;
    char *text_ = vector("policy/replay-policy.json", &len);
    assert_int_equal(mlops_policy_parse(&F.policy, text_, len, "replay-policy.json", 0), 0);
    free(text_);
    const char *src = getenv("MLOPS_SOURCE_ROOT");
    assert_non_null(src);
    char p[1024];
    snprintf(p, sizeof p, "%s/examples/policies/ci-promotion-gate.json", src);
    text_ = read_all(p, &len);
    assert_non_null(text_);
    assert_int_equal(mlops_policy_parse(&F.gate_policy, text_, len, "ci-promotion-gate.json", 0),
                     0);
    free(text_);

    /* the first REPLAY_STEPS lines of the log, as steps */
    char *log = vector("policy/replay-10k.jsonl", &len);
    F.steps = calloc(REPLAY_STEPS, sizeof *F.steps);
    assert_non_null(F.steps);
    char *line = log;
    for (size_t s = 0; s < REPLAY_STEPS; s++) {
        char *nl = strchr(line, '\n');
        assert_non_null(nl);
        mlops__json_doc *doc = NULL;
        assert_int_equal(mlops__json_parse(&doc, line, (size_t)(nl - line), NULL, "log"), 0);
        const mlops__json *root = mlops__json_root(doc);
        step *st = &F.steps[s];
        st->now_ms = mlops__json_int(mlops__json_object_find(root, "now_ms"));
        const mlops__json *sig = mlops__json_object_find(root, "signals");
        size_t n = mlops__json_object_size(sig);
        st->names = calloc(n + 1, sizeof *st->names);
        st->values = calloc(n + 1, sizeof *st->values);
        st->samples = calloc(n + 1, sizeof *st->samples);
        assert_true(st->names && st->values && st->samples);
        for (size_t k = 0; k < n; k++) {
            const mlops__json *v = mlops__json_object_value(sig, k);
            double value;
            int64_t samples = -1;
            if (mlops__json_type_of(v) == MLOPS__JSON_NULL)
                continue; /* not observed */
            if (mlops__json_type_of(v) == MLOPS__JSON_NUMBER) {
                value = mlops__json_double(v);
            } else {
                const mlops__json *x = mlops__json_object_find(v, "value");
                if (mlops__json_type_of(x) == MLOPS__JSON_NULL)
                    continue;
                value = mlops__json_double(x);
                const mlops__json *sv = mlops__json_object_find(v, "samples");
                if (sv)
                    samples = mlops__json_int(sv);
            }
            st->names[st->n] = strdup(mlops__json_object_key(sig, k, NULL));
            assert_non_null(st->names[st->n]);
            st->values[st->n] = value;
            st->samples[st->n] = samples;
            st->n++;
        }
        const mlops__json *ex = mlops__json_object_find(root, "expect");
        snprintf(st->action, sizeof st->action, "%s",
                 mlops__json_string(mlops__json_object_find(ex, "action"), NULL));
        const mlops__json *ru = mlops__json_object_find(ex, "rule");
        st->rule = mlops__json_type_of(ru) == MLOPS__JSON_STRING
                       ? strdup(mlops__json_string(ru, NULL))
                       : NULL;
        mlops__json_doc_free(doc);
        line = nl + 1;
    }
    F.log_len = (size_t)(line - log);
    F.log = log;

    /* replay: no mismatch with the log's decisions */
    uint64_t steps = 0, mism = 99;
    mlops_buf b = MLOPS_BUF_INIT;
    assert_int_equal(mlops_policy_replay(&steps, &mism, NULL, F.policy, F.log, F.log_len, 0), 0);
    assert_int_equal(steps, REPLAY_STEPS);
    assert_int_equal(mism, 0);
    assert_int_equal(mlops_policy_replay(&steps, &mism, &b, F.policy, F.log, F.log_len,
                                         MLOPS_POLICY_REPLAY_RECORD), 0);
    F.record = take(&b);
    assert_int_equal(mlops_policy_lint(&b, NULL, F.policy, 0), 0);
    F.lint = take(&b);
}

/* Decide every step of the log on this thread's own observations, state
 * and decision; every decision must be the log's. */
static int decide_steps(worker *w, mlops_buf *json, mlops_buf *state)
{
    mlops_policy_obs *obs = NULL;
    mlops_policy_state *st = NULL;
    mlops_decision *d = NULL;
    int ok = mlops_policy_obs_new(&obs, F.policy) == 0 &&
             mlops_policy_state_new(&st, F.policy) == 0 &&
             mlops_decision_new(&d, F.policy) == 0;
    CHECK(w, ok, "policy objects");
    for (size_t s = 0; ok && s < REPLAY_STEPS; s++) {
        const step *x = &F.steps[s];
        mlops_policy_obs_clear(obs);
        int rc = mlops_policy_obs_set_many(obs, (const char *const *)x->names, x->values,
                                           x->samples, x->n);
        rc = rc ? rc : mlops_policy_decide(d, st, F.policy, obs, x->now_ms, st, 0);
        CHECK(w, rc == 0, "decide");
        CHECK(w, strcmp(mlops_policy_action_name(mlops_decision_action(d)), x->action) == 0 &&
                     streq(mlops_decision_rule(d), x->rule),
              "the log's decision (gen_replay.py)");
        const struct mlops_decision_info *di = mlops_decision_info(d);
        CHECK(w, di && strcmp(mlops_policy_action_name(di->action), x->action) == 0 &&
                     streq(di->rule, x->rule) && di->time_ms == x->now_ms && di->rule_count == 3,
              "the log's decision through the decision's info struct");
        if (rc)
            ok = 0;
    }
    if (ok) {
        CHECK(w, mlops_decision_write_json(json, d, 0) == 0, "decision JSON");
        CHECK(w, mlops_policy_state_write_json(state, st, 0) == 0, "state JSON");
    }
    mlops_decision_free(d);
    mlops_policy_state_free(st);
    mlops_policy_obs_free(obs);
    return 0;
}

static void gate_sets(mlops_gate_metrics **cand, mlops_gate_metrics **champ, int which)
{
    *cand = *champ = NULL;
    if (mlops_gate_metrics_new(cand) || mlops_gate_metrics_new(champ))
        return;
    /* the same model, a higher version: the model checks pass */
    mlops_gate_metrics_set_model(*cand, "fraud-detector", "1.5.0", 0);
    mlops_gate_metrics_set_model(*champ, "fraud-detector", "1.4.0", 0);
    if (which == 0) { /* the example's test "a better candidate is promoted" */
        mlops_gate_metrics_put(*cand, "auc", 0.915, 0.905, 0.925, 20000);
        mlops_gate_metrics_put(*cand, "p99_latency_ms", 42, NAN, NAN, -1);
        mlops_gate_metrics_put(*cand, "fairness_gap", 0.02, NAN, NAN, 20000);
        mlops_gate_metrics_put(*champ, "auc", 0.91, NAN, NAN, -1);
        mlops_gate_metrics_put(*champ, "p99_latency_ms", 40, NAN, NAN, -1);
        mlops_gate_metrics_put(*champ, "fairness_gap", 0.025, NAN, NAN, -1);
    } else { /* "an AUC regression beyond half a point blocks" */
        mlops_gate_metrics_put(*cand, "auc", 0.902, 0.9, 0.904, 20000);
        mlops_gate_metrics_put(*cand, "p99_latency_ms", 40, NAN, NAN, -1);
        mlops_gate_metrics_put(*cand, "fairness_gap", 0.02, NAN, NAN, 20000);
        mlops_gate_metrics_put(*champ, "auc", 0.91, NAN, NAN, -1);
        mlops_gate_metrics_put(*champ, "p99_latency_ms", 40, NAN, NAN, -1);
        mlops_gate_metrics_put(*champ, "fairness_gap", 0.02, NAN, NAN, -1);
    }
}

/* The gate on the shared metric sets of case `which`: the example's
 * expected action, then its JSON. */
static int gate_json(mlops_buf *out, int which)
{
    mlops_gate_result *g = NULL;
    int rc = mlops_policy_gate(&g, F.gate_policy, F.cand[which], F.champ[which], 0);
    int want = which == 0 ? MLOPS_ACTION_NONE : MLOPS_ACTION_BLOCK_PROMOTION;
    if (rc == 0 && mlops_gate_result_action(g) != want)
        rc = MLOPS_E_INTERNAL;
    if (rc == 0)
        rc = mlops_gate_result_write_json(out, g, 0);
    mlops_gate_result_free(g);
    return rc;
}

static void fixture_policy_outputs(void)
{
    worker w = { 0 };
    mlops_buf j = MLOPS_BUF_INIT, s = MLOPS_BUF_INIT;
    decide_steps(&w, &j, &s);
    if (w.failures)
        fail_msg("%s", w.first);
    F.decision_json = take(&j);
    F.state_json = take(&s);
    for (int i = 0; i < 2; i++) {
        gate_sets(&F.cand[i], &F.champ[i], i);
        assert_true(F.cand[i] && F.champ[i]);
        assert_int_equal(gate_json(&j, i), 0);
        F.gate_json[i] = take(&j);
        assert_int_equal(mlops_policy_gate(&F.gate[i], F.gate_policy, F.cand[i], F.champ[i], 0),
                         0);
        assert_int_equal(mlops_gate_result_write_text(&j, F.gate[i], 0), 0);
        F.gate_explain[i] = take(&j);
    }
    size_t passed = 0, failed = 99;
    assert_int_equal(mlops_policy_run_tests(&passed, &failed, NULL, F.gate_policy, 0), 0);
    assert_int_equal(passed, 6);
    assert_int_equal(failed, 0);
}

static int op_policy(worker *w)
{
    mlops_buf j = MLOPS_BUF_INIT, s = MLOPS_BUF_INIT;
    decide_steps(w, &j, &s);
    CHECK(w, same(&j, F.decision_json), "final decision JSON");
    CHECK(w, same(&s, F.state_json), "final state JSON");
    mlops_buf_dispose(&j);
    mlops_buf_dispose(&s);
    uint64_t steps = 0, mism = 99;
    CHECK(w, mlops_policy_replay(&steps, &mism, &j, F.policy, F.log, F.log_len,
                                 MLOPS_POLICY_REPLAY_RECORD) == 0 &&
                 steps == REPLAY_STEPS && same(&j, F.record),
          "replay, recorded");
    mlops_buf_dispose(&j);
    CHECK(w, mlops_policy_replay(&steps, &mism, NULL, F.policy, F.log, F.log_len, 0) == 0 &&
                 steps == REPLAY_STEPS && mism == 0,
          "replay: no mismatch with the log");
    CHECK(w, mlops_policy_lint(&j, NULL, F.policy, 0) == 0 && same(&j, F.lint), "lint");
    mlops_buf_dispose(&j);
    for (int i = 0; i < 2; i++) {
        int which = (i + w->id) % 2;
        CHECK(w, gate_json(&j, which) == 0 && same(&j, F.gate_json[which]),
              "gate on shared metric sets: the example's expected action and the same JSON");
        mlops_buf_dispose(&j);
        /* the shared gate results */
        const mlops_gate_result *g = F.gate[which];
        CHECK(w, mlops_gate_result_write_json(&j, g, 0) == 0 && same(&j, F.gate_json[which]),
              "shared gate result's JSON");
        mlops_buf_dispose(&j);
        CHECK(w, mlops_gate_result_write_text(&j, g, 0) == 0 && same(&j, F.gate_explain[which]),
              "shared gate result's explanation");
        mlops_buf_dispose(&j);
        int blocks = 0;
        for (size_t k = 0; k < mlops_gate_result_check_count(g); k++)
            blocks += mlops_gate_result_check_passed(g, k) == 0 &&
                      mlops_gate_result_check_metric(g, k) != NULL &&
                      mlops_gate_result_check_kind(g, k) != NULL &&
                      mlops_gate_result_check_reason(g, k) >= 0;
        CHECK(w, (blocks > 0) == (which == 1) &&
                     mlops_gate_result_action(g) ==
                         (which ? MLOPS_ACTION_BLOCK_PROMOTION : MLOPS_ACTION_NONE),
              "shared gate result's checks");
        const struct mlops_gate_result_info *gi = mlops_gate_result_info(g);
        int struct_blocks = 0;
        for (size_t k = 0; gi && k < gi->check_count; k++)
            struct_blocks += !mlops_gate_result_check(g, k)->passed;
        CHECK(w, gi && struct_blocks == blocks &&
                     gi->action == (which ? MLOPS_ACTION_BLOCK_PROMOTION : MLOPS_ACTION_NONE),
              "shared gate result's info structs");
    }
    size_t passed = 0, failed = 99;
    CHECK(w, mlops_policy_run_tests(&passed, &failed, NULL, F.gate_policy, 0) == 0 &&
                 passed == 6 && failed == 0,
          "the gate policy's own tests");
    CHECK(w, strcmp(mlops_policy_id(F.policy), "replay-fixture") == 0 &&
                 mlops_policy_revision(F.policy) == 1 && mlops_policy_rule_count(F.policy) == 3 &&
                 strcmp(mlops_policy_rule_id(F.policy, 1), "drift") == 0 &&
                 strncmp(mlops_policy_digest(F.policy), "sha256:", 7) == 0,
          "policy getters");
    const struct mlops_policy_info *pi = mlops_policy_info(F.policy);
    CHECK(w, pi && strcmp(pi->id, "replay-fixture") == 0 && pi->revision == 1 &&
                 pi->rule_count == 3 && strcmp(mlops_policy_rule(F.policy, 1)->id, "drift") == 0 &&
                 strcmp(pi->digest, mlops_policy_digest(F.policy)) == 0,
          "policy info structs");
    return 0;
}

/* ---- packages, reports and store lists ---------------------------------- */

static void write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

static void fixture_package(void)
{
    char p[160], q[160];
    snprintf(p, sizeof p, "%s/tree", work);
    assert_int_equal(mkdir(p, 0755), 0);
    unsigned char *big = malloc(BIG_SIZE);
    assert_non_null(big);
    for (size_t i = 0; i < BIG_SIZE; i++)
        big[i] = big_byte(i);
    snprintf(p, sizeof p, "%s/tree/weights.bin", work);
    write_file(p, big, BIG_SIZE);
    free(big);
    snprintf(q, sizeof q, "%s/tree/config.json", work);
    write_file(q, CONFIG_TEXT, strlen(CONFIG_TEXT));

    const mlops_key *keys[1] = { F.key1 };
    mlops_packer_options o = MLOPS_PACKER_OPTIONS_INIT;
    o.keys = keys;
    o.nkeys = 1;
    o.mtime = 0;
    o.shard_size = 256 * 1024; /* five shards: the verifier's shard threads */
    mlops_packer *pk = NULL;
    assert_int_equal(mlops_packer_new(&pk, &o), 0);
    assert_int_equal(mlops_packer_add_file(pk, p, "model/weights.bin", "model", 0), 0);
    assert_int_equal(mlops_packer_add_file(pk, q, "config.json", "config", 0), 0);
    mlops_manifest_builder *b = NULL;
    assert_int_equal(mlops_manifest_builder_new(&b, "fraud-detector", "1.4.0-rc.1",
                                                "2026-11-26T09:00:00Z"), 0);
    snprintf(F.pkg, sizeof F.pkg, "%s/model.mlpkg", work);
    assert_int_equal(mlops_packer_write_file(NULL, pk, F.pkg, b), 0);
    mlops_manifest_builder_free(b);
    mlops_packer_free(pk);

    mlops_package_verify_options vo = MLOPS_PACKAGE_VERIFY_OPTIONS_INIT;
    vo.trusted = F.ring;
    F.vopts = vo;
    assert_int_equal(mlops_package_verify(&F.report, F.pkg, &vo), 0);
    const mlops_manifest *m = mlops_package_report_manifest(F.report);
    assert_non_null(m);
    size_t i = mlops_manifest_file_find(m, "model/weights.bin");
    assert_string_equal(mlops_manifest_file_sha256(m, i), SHA256_BIG);
    assert_int_equal(mlops_manifest_file_shard_count(m, i), 5);
    i = mlops_manifest_file_find(m, "config.json");
    assert_string_equal(mlops_manifest_file_sha256(m, i), SHA256_CONFIG);
    mlops_buf j = MLOPS_BUF_INIT;
    assert_int_equal(mlops_package_report_write_json(&j, F.report, 0), 0);
    assert_non_null(strstr(j.data, "\"valid\":true"));
    F.report_json = take(&j);
    /* signed again by key 2: both RFC 8032 keys then verify it */
    snprintf(p, sizeof p, "%s/signed.mlpkg", work);
    const mlops_key *k2[1] = { F.key2 };
    assert_int_equal(mlops_package_sign(F.pkg, p, k2, 1, &vo, 0), 0);
    mlops_package_verify_options v2 = vo;
    v2.threshold = 2;
    assert_int_equal(mlops_package_verify(NULL, p, &v2), 0);
    uint8_t d[32];
    assert_int_equal(mlops_digest_file(d, p, NULL), 0);
    hex(F.signed_sha, d, 32);

    /* a store with the package under a tag and an alias: its lists */
    mlops_store *s = NULL;
    snprintf(p, sizeof p, "%s/store", work);
    assert_int_equal(mlops_store_open(&s, p, MLOPS_STORE_CREATE), 0);
    assert_int_equal(mlops_store_add(s, F.pkg, &vo), 0);
    assert_int_equal(mlops_store_alias_set(s, "fraud-detector", "prod", "1.4.0-rc.1"), 0);
    assert_int_equal(mlops_store_tag_list(&F.tags, s, 0), 0);
    assert_int_equal(mlops_store_alias_history_list(&F.history, s, "fraud-detector", "prod", 0),
                     0);
    mlops_store_free(s);
    assert_int_equal(mlops_strlist_count(F.tags), 1);
    assert_string_equal(mlops_strlist_get(F.tags, 0), "fraud-detector:1.4.0-rc.1");
    assert_int_equal(mlops_strlist_count(F.history), 1);
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *f)
{
    (void)st;
    (void)f;
    return flag == FTW_DP ? rmdir(path) : unlink(path);
}

static int file_is(const char *path, const char *want, size_t len, int big)
{
    size_t n = 0;
    char *s = read_all(path, &n);
    int ok = s && n == len;
    for (size_t i = 0; ok && i < n; i++)
        ok = (unsigned char)s[i] == (big ? big_byte(i) : (unsigned char)want[i]);
    free(s);
    return ok;
}

/* A progress callback's record: it must only be called on the thread that
 * called the verification, with the bytes read growing (not past the
 * package's size: the tar's zero padding at the end is not counted). */
typedef struct progress_rec {
    pthread_t caller;
    unsigned long calls;
    int other_thread, backwards;
    uint64_t last, total;
} progress_rec;

static int on_progress(uint64_t done, uint64_t total, void *ctx)
{
    progress_rec *p = ctx;
    p->calls++;
    if (!pthread_equal(pthread_self(), p->caller))
        p->other_thread = 1;
    if (done < p->last)
        p->backwards = 1;
    p->last = done;
    p->total = total;
    return 0;
}

static int progress_ok(const progress_rec *p)
{
    struct stat st;
    return stat(F.pkg, &st) == 0 && p->calls > 0 && !p->other_thread && !p->backwards &&
           p->last > 0 && p->last <= (uint64_t)st.st_size && p->total == (uint64_t)st.st_size;
}

static int op_package(worker *w)
{
    mlops_package_verify_options vo = MLOPS_PACKAGE_VERIFY_OPTIONS_INIT;
    vo.trusted = F.ring;
    mlops_package_report *r = NULL;
    mlops_buf j = MLOPS_BUF_INIT;
    progress_rec pr = { .caller = pthread_self() };
    mlops_package_verify_options vp = vo;
    vp.progress = on_progress;
    vp.progress_ctx = &pr;
    CHECK(w, mlops_package_verify(&r, F.pkg, &vp) == 0 &&
                 mlops_package_report_write_json(&j, r, 0) == 0 && same(&j, F.report_json),
          "verify on this thread");
    CHECK(w, progress_ok(&pr), "verify's progress: on this thread only, up to the size");
    mlops_buf_dispose(&j);
    mlops_package_report_free(r);
    /* the shared report */
    CHECK(w, mlops_package_report_write_json(&j, F.report, 0) == 0 && same(&j, F.report_json),
          "shared report's JSON");
    mlops_buf_dispose(&j);
    const mlops_manifest *m = mlops_package_report_manifest(F.report);
    CHECK(w, mlops_package_report_valid(F.report) == 1 &&
                 mlops_package_report_signed(F.report) == 1 &&
                 mlops_package_report_count(F.report) == 0 &&
                 mlops_package_report_files_verified(F.report) == 2 &&
                 mlops_package_report_error_code(F.report) == 0 &&
                 strcmp(mlops_package_report_error_message(F.report), "") == 0 && m &&
                 strcmp(mlops_manifest_file_sha256(
                            m, mlops_manifest_file_find(m, "model/weights.bin")),
                        SHA256_BIG) == 0,
          "shared report's getters");
    const struct mlops_package_report_info *ri = mlops_package_report_info(F.report);
    CHECK(w, ri && ri->valid == 1 && ri->is_signed == 1 && ri->problem_count == 0 &&
                 ri->files_verified == 2 && ri->error_code == 0 && ri->error_message == NULL &&
                 ri->error_offset == -1 && mlops_package_report_problem(F.report, 0) == NULL,
          "shared report's info struct");
    /* signing into a file of this thread's own: the same bytes as on the
     * main thread, verified by both keys */
    char out[160];
    snprintf(out, sizeof out, "%s/s-%d-%d.mlpkg", work, w->id, w->round);
    const mlops_key *k2[1] = { F.key2 };
    CHECK(w, mlops_package_sign(F.pkg, out, k2, 1, &F.vopts, 0) == 0, "package_sign");
    mlops_package_verify_options v2 = vo;
    v2.threshold = 2;
    CHECK(w, mlops_package_verify(NULL, out, &v2) == 0, "signed package: two signatures");
    uint8_t d[32];
    char h[65];
    CHECK(w, mlops_digest_file(d, out, NULL) == 0, "digest of the signed package");
    hex(h, d, 32);
    CHECK(w, strcmp(h, F.signed_sha) == 0, "signed package: the same bytes");
    CHECK(w, unlink(out) == 0, "remove the signed package");
    /* extraction into a directory of this thread's own */
    char dest[160], p[200];
    snprintf(dest, sizeof dest, "%s/x-%d-%d", work, w->id, w->round);
    pr = (progress_rec){ .caller = pthread_self() };
    CHECK(w, mlops_package_extract(F.pkg, dest, &vp) == 0, "extract");
    CHECK(w, progress_ok(&pr), "extract's progress: on this thread only, up to the size");
    snprintf(p, sizeof p, "%s/model/weights.bin", dest);
    CHECK(w, file_is(p, NULL, BIG_SIZE, 1), "extracted weights");
    snprintf(p, sizeof p, "%s/config.json", dest);
    CHECK(w, file_is(p, CONFIG_TEXT, strlen(CONFIG_TEXT), 0), "extracted config");
    CHECK(w, nftw(dest, rm_entry, 8, FTW_DEPTH | FTW_PHYS) == 0, "remove the extraction");
    /* the store's lists */
    CHECK(w, mlops_strlist_count(F.tags) == 1 &&
                 strcmp(mlops_strlist_get(F.tags, 0), "fraud-detector:1.4.0-rc.1") == 0 &&
                 mlops_strlist_get(F.tags, 1) == NULL,
          "tag list");
    CHECK(w, mlops_strlist_count(F.history) == 1 &&
                 strcmp(mlops_strlist_get(F.history, 0), "1.4.0-rc.1") == 0,
          "alias history list");
    return 0;
}

/* ======================================================================== */
/* The stress                                                               */
/* ======================================================================== */

typedef int (*op_fn)(worker *w);
static const struct {
    const char *name;
    op_fn fn;
} ops[] = {
    { "keys", op_keys },         { "dsse", op_dsse },       { "digest", op_digest },
    { "error", op_error },       { "manifest", op_manifest }, { "semver", op_semver },
    { "drift", op_drift },       { "profile", op_profile }, { "dict", op_dict },
    { "policy", op_policy },     { "package", op_package },
};
#define N_OPS (sizeof ops / sizeof ops[0])

static const char *only; /* MLOPS_STRESS_OPS: run only these operations */

static int selected(size_t i)
{
    if (!only)
        return 1;
    size_t n = strlen(ops[i].name);
    for (const char *p = only; (p = strstr(p, ops[i].name)) != NULL; p += n)
        if ((p == only || p[-1] == ',') && (p[n] == ',' || p[n] == '\0'))
            return 1;
    return 0;
}

static void *stress_body(void *arg)
{
    worker *w = arg;
    for (w->round = 0; w->round < rounds; w->round++) {
        /* each thread its own order: a rotation, backwards on odd threads */
        size_t start = ((size_t)w->id * 5 + (size_t)w->round) % N_OPS;
        for (size_t k = 0; k < N_OPS; k++) {
            size_t i = w->id % 2 ? (start + N_OPS - k) % N_OPS : (start + k) % N_OPS;
            if (selected(i))
                ops[i].fn(w);
        }
    }
    return NULL;
}

static int fixture_setup(void **state)
{
    (void)state;
    strcpy(work, "/tmp/mlops-shared-XXXXXX");
    if (!mkdtemp(work))
        return -1;
    return 0;
}

static int fixture_teardown(void **state)
{
    (void)state;
    mlops_key_free(F.key1);
    mlops_key_free(F.key2);
    mlops_keyring_free(F.ring);
    mlops_manifest_diff_free(F.diff);
    mlops_manifest_free(F.parent);
    mlops_manifest_free(F.child);
    for (size_t i = 0; i < N_SEMVER; i++)
        mlops_semver_free(F.sv[i]);
    mlops_semver_free(F.rc);
    mlops_drift_reference_free(F.ref);
    mlops_drift_result_free(F.ks);
    mlops_drift_result_free(F.chi2);
    mlops_drift_table_result_free(F.table);
    vec_free(&F.num);
    vec_free(&F.cat);
    vec_free(&F.adj);
    free(F.ref_edges);
    free(F.ref_counts);
    free(F.table_ref);
    free(F.table_cur);
    free(F.cat_ref);
    free(F.cat_cur);
    free(F.cat_ref64);
    free(F.cat_cur64);
    mlops_profile_free(F.pref);
    mlops_profile_free(F.pcur);
    mlops_profile_free(F.pcat_ref);
    mlops_profile_free(F.pcat_cur);
    mlops_profile_free(F.psmall_ref);
    mlops_profile_free(F.psmall_cur);
    mlops_profile_free(F.pcat_hh);
    mlops_category_dict_free(F.dict);
    for (int i = 0; i < 2; i++) {
        mlops_gate_result_free(F.gate[i]);
        mlops_gate_metrics_free(F.cand[i]);
        mlops_gate_metrics_free(F.champ[i]);
    }
    mlops_policy_free(F.policy);
    mlops_policy_free(F.gate_policy);
    if (F.steps)
        for (size_t s = 0; s < REPLAY_STEPS; s++) {
            for (size_t k = 0; k < F.steps[s].n; k++)
                free(F.steps[s].names[k]);
            free(F.steps[s].names);
            free(F.steps[s].values);
            free(F.steps[s].samples);
            free(F.steps[s].rule);
        }
    free(F.steps);
    free(F.log);
    mlops_package_report_free(F.report);
    mlops_strlist_free(F.tags);
    mlops_strlist_free(F.history);
    bytes *all[] = { &F.pub_pem1,     &F.envelope,     &F.parent_bytes,  &F.child_bytes,
                     &F.diff_bytes,   &F.parent_pretty, &F.summary_parent, &F.summary_child,
                     &F.summary_diff, &F.ks_json,      &F.psi_ref_json,  &F.counts_json,
                     &F.chi2_json,    &F.table_json,   &F.pref_bytes,    &F.pcat_bytes,
                     &F.pdrift_json,  &F.pchi2_json,   &F.profile_summary, &F.record,
                     &F.lint,         &F.decision_json, &F.state_json,   &F.gate_json[0],
                     &F.gate_json[1], &F.gate_explain[0], &F.gate_explain[1],
                     &F.report_json, &F.big_statement };
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        free(all[i]->data);
    memset(&F, 0, sizeof F);
    if (work[0])
        nftw(work, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    return 0;
}

static void shared_objects_from_many_threads(void **state)
{
    (void)state;
    fixture_keys();
    fixture_manifests();
    fixture_semver();
    fixture_drift();
    fixture_profiles();
    fixture_dict();
    fixture_policy();
    fixture_policy_outputs();
    fixture_package();

    /* every operation once on this thread first: the expected outputs hold */
    worker one = { .id = 0, .round = 0 };
    for (size_t i = 0; i < N_OPS; i++)
        if (selected(i))
            ops[i].fn(&one);
    if (one.failures)
        fail_msg("single-threaded: %s", one.first);

    worker w[THREADS];
    pthread_t t[THREADS];
    memset(w, 0, sizeof w);
    for (int i = 0; i < THREADS; i++) {
        w[i].id = i;
        assert_int_equal(pthread_create(&t[i], NULL, stress_body, &w[i]), 0);
    }
    for (int i = 0; i < THREADS; i++)
        assert_int_equal(pthread_join(t[i], NULL), 0);
    unsigned long checks = 0;
    for (int i = 0; i < THREADS; i++) {
        if (w[i].failures)
            fail_msg("%lu of %lu checks failed; first: %s", w[i].failures, w[i].checks,
                     w[i].first);
        checks += w[i].checks;
    }
    /* every thread ran every check of every round */
    assert_int_equal(checks, (unsigned long)THREADS * (unsigned long)rounds * one.checks);
    print_message("%d threads x %d rounds x %zu operations: %lu checks\n", THREADS, rounds,
                  N_OPS, checks);
}

int main(void)
{
    /* under valgrind (which runs one thread at a time) one round: memcheck
     * looks for memory errors, not for interleavings */
    const char *pre = getenv("LD_PRELOAD");
    if (pre && strstr(pre, "vgpreload"))
        rounds = 1;
    const char *r = getenv("MLOPS_STRESS_ROUNDS");
    if (r && atoi(r) > 0)
        rounds = atoi(r);
    only = getenv("MLOPS_STRESS_OPS");
    const struct CMUnitTest tests[] = {
        /* first: no library call may come before it */
        cmocka_unit_test(first_use_from_many_threads),
        cmocka_unit_test_setup_teardown(shared_objects_from_many_threads, fixture_setup,
                                        fixture_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
