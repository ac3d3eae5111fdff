/*
 * Ed25519 keys and DSSE envelopes. Oracles: RFC 8032 §7.1 test vectors,
 * RFC 4648 §10 base64 vectors, the DSSE specification's PAE example, and the
 * openssl command-line tool run on the same keys and bytes (keys it generates
 * must load; signatures we make must pass `openssl pkeyutl -verify -rawin`;
 * key ids must equal `openssl pkey -pubout -outform DER | sha256`).
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
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "artifact/base64.h"
#include "mlops.h"
#include "oom.h"

/* ---- helpers ------------------------------------------------------------ */

static void hex_to_bytes(uint8_t *out, const char *hex, size_t n)
{
    assert_int_equal(strlen(hex), 2 * n);
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        assert_int_equal(sscanf(hex + 2 * i, "%2x", &v), 1);
        out[i] = (uint8_t)v;
    }
}

static void assert_hex(const uint8_t *b, size_t n, const char *hex)
{
    char s[300];
    assert_true(2 * n < sizeof s);
    for (size_t i = 0; i < n; i++)
        sprintf(s + 2 * i, "%02x", b[i]);
    assert_string_equal(s, hex);
}

static char work_dir[64];

static const char *wpath(const char *name)
{
    static char p[16][256];
    static int k;
    k = (k + 1) % 16;
    snprintf(p[k], sizeof p[k], "%s/%s", work_dir, name);
    return p[k];
}

static int setup_dir(void **state)
{
    (void)state;
    strcpy(work_dir, "/tmp/mlops-sign-XXXXXX");
    return mkdtemp(work_dir) ? 0 : -1;
}

static int teardown_dir(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", work_dir);
    return system(cmd) == 0 ? 0 : -1;
}

static const char *openssl_bin(void)
{
    const char *o = getenv("MLOPS_OPENSSL");
    return o && *o ? o : NULL;
}

/* Run a shell command built from a format; return its exit status. */
static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
    char cmd[2048];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    assert_true(n > 0 && (size_t)n < sizeof cmd);
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

static size_t read_file(const char *path, char *buf, size_t cap)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    size_t n = fread(buf, 1, cap, f);
    fclose(f);
    return n;
}

/* SHA-256 hex of the DER public key, as openssl computes it. */
static void openssl_keyid(char out[65], const char *pem_path)
{
    assert_int_equal(sh("'%s' pkey -in '%s' -pubout -outform DER 2>/dev/null | sha256sum "
                        "| cut -c1-64 > '%s'", openssl_bin(), pem_path, wpath("keyid.txt")),
                     0);
    char buf[80] = { 0 };
    assert_true(read_file(wpath("keyid.txt"), buf, sizeof buf - 1) >= 64);
    memcpy(out, buf, 64);
    out[64] = '\0';
}

/* RFC 8032 §7.1 TEST 1 and TEST 2. */
#define T1_SECRET "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"
#define T1_PUBLIC "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
#define T1_SIG                                                                  \
    "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590" \
    "a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
/* sha256(302a300506032b6570032100 || T1_PUBLIC), by sha256sum (and openssl). */
#define T1_KEYID "06e3fd8fda29bb60ab59557de61edb0aecdb231134be30e75b455f8e1b792fa9"
#define T2_SECRET "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb"
#define T2_PUBLIC "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c"
/* the key id of test 2, by sha256sum of its DER SubjectPublicKeyInfo */
#define T2_KEYID_FOR_TEST "deb2ded39dc26fce0e6085b6fc34bf6b5941913bbfe2ea614113cff9e004c170"
#define T2_SIG                                                                  \
    "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e" \
    "15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"

static mlops_key *rfc_key(const char *secret_hex)
{
    uint8_t seed[32];
    hex_to_bytes(seed, secret_hex, 32);
    mlops_key *k = NULL;
    assert_int_equal(mlops_key_from_seed(&k, seed), 0);
    return k;
}

/* ---- base64 ------------------------------------------------------------- */

static void base64_matches_rfc4648_vectors(void **state)
{
    (void)state;
    static const char *const plain[] = { "", "f", "fo", "foo", "foob", "fooba", "foobar" };
    static const char *const enc[] = { "", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=",
                                       "Zm9vYmFy" };
    for (size_t i = 0; i < 7; i++) {
        mlops_buf b = MLOPS_BUF_INIT;
        assert_int_equal(mlops__base64_encode(&b, plain[i], strlen(plain[i])), 0);
        assert_string_equal(b.data, enc[i]);
        mlops_buf_dispose(&b);
        assert_int_equal(mlops__base64_decode(&b, enc[i], strlen(enc[i]), "t"), 0);
        assert_int_equal(b.size, strlen(plain[i]));
        assert_memory_equal(b.data, plain[i], b.size);
        mlops_buf_dispose(&b);
        /* unpadded form decodes to the same bytes */
        size_t n = strlen(enc[i]);
        while (n && enc[i][n - 1] == '=')
            n--;
        assert_int_equal(mlops__base64_decode(&b, enc[i], n, "t"), 0);
        assert_int_equal(b.size, strlen(plain[i]));
        assert_memory_equal(b.data, plain[i], b.size);
        mlops_buf_dispose(&b);
    }
    /* URL-safe alphabet: 0xfb 0xff -> "-_8=" (standard "+/8=") */
    mlops_buf b = MLOPS_BUF_INIT;
    assert_int_equal(mlops__base64_decode(&b, "-_8=", 4, "t"), 0);
    assert_int_equal(b.size, 2);
    assert_int_equal((uint8_t)b.data[0], 0xfb);
    assert_int_equal((uint8_t)b.data[1], 0xff);
    mlops_buf_dispose(&b);
    assert_int_equal(mlops__base64_encode(&b, "\xfb\xff", 2), 0);
    assert_string_equal(b.data, "+/8=");
    mlops_buf_dispose(&b);
}

static void base64_rejects_every_non_canonical_spelling(void **state)
{
    (void)state;
    static const struct { const char *s; int64_t at; } bad[] = {
        { "Zg=", 2 },       /* padding in a length that is not a multiple of 4 */
        { "Zg===", 2 },     /* too much padding */
        { "Z", 0 },         /* no encoding has this length */
        { "Zm9vY", 4 },
        { "Zh==", 1 },      /* non-zero bits after the last byte */
        { "Zm9=", 2 },
        { "Zm 9v", 2 },     /* whitespace */
        { "Zm9v\n", 4 },
        { "Z=9v", 1 },      /* padding before the end */
        { "+_8=", 1 },      /* mixed alphabets */
        { "Zm9v*A==", 4 },
        { "=", 0 },
        { "====", 0 },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        mlops_buf b = MLOPS_BUF_INIT;
        int rc = mlops__base64_decode(&b, bad[i].s, strlen(bad[i].s), "payload");
        if (rc != MLOPS_E_PARSE)
            fail_msg("case %zu \"%s\": rc %d", i, bad[i].s, rc);
        if (mlops_error_last_offset() != bad[i].at)
            fail_msg("case %zu \"%s\": offset %lld, expected %lld", i, bad[i].s,
                     (long long)mlops_error_last_offset(), (long long)bad[i].at);
        assert_non_null(strstr(mlops_error_last(), "payload"));
        assert_null(b.data); /* unchanged */
    }
}

/* ---- keys --------------------------------------------------------------- */

static void rfc8032_test_vectors_sign_and_verify(void **state)
{
    (void)state;
    static const struct { const char *secret, *pub, *msg, *sig; } v[] = {
        { T1_SECRET, T1_PUBLIC, "", T1_SIG },
        { T2_SECRET, T2_PUBLIC, "72", T2_SIG },
    };
    for (size_t i = 0; i < 2; i++) {
        mlops_key *k = rfc_key(v[i].secret);
        uint8_t pub[32], msg[1], sig[64], want[64];
        size_t mlen = strlen(v[i].msg) / 2;
        if (mlen)
            hex_to_bytes(msg, v[i].msg, mlen);
        assert_int_equal(mlops_key_public_raw(pub, k), 0);
        assert_hex(pub, 32, v[i].pub);
        assert_int_equal(mlops_key_sign_raw(sig, k, mlen ? msg : NULL, mlen), 0);
        assert_hex(sig, 64, v[i].sig);
        /* verification with the public key alone */
        mlops_key *p = NULL;
        assert_int_equal(mlops_key_from_public(&p, pub), 0);
        assert_int_equal(mlops_key_has_private(p), 0);
        assert_int_equal(mlops_key_has_private(k), 1);
        hex_to_bytes(want, v[i].sig, 64);
        assert_int_equal(mlops_key_verify_raw(p, want, mlen ? msg : NULL, mlen), 0);
        want[63] ^= 0x01;
        assert_int_equal(mlops_key_verify_raw(p, want, mlen ? msg : NULL, mlen),
                         MLOPS_E_SIGNATURE);
        assert_non_null(strstr(mlops_error_last(), mlops_key_id(p)));
        /* a public key cannot sign */
        assert_int_equal(mlops_key_sign_raw(sig, p, "x", 1), MLOPS_E_INVALID);
        mlops_key_free(p);
        mlops_key_free(k);
    }
}

static void keyid_is_sha256_of_der_spki(void **state)
{
    (void)state;
    mlops_key *k = rfc_key(T1_SECRET);
    assert_string_equal(mlops_key_id(k), T1_KEYID);
    mlops_key *p = NULL;
    uint8_t pub[32];
    hex_to_bytes(pub, T1_PUBLIC, 32);
    assert_int_equal(mlops_key_from_public(&p, pub), 0);
    assert_string_equal(mlops_key_id(p), T1_KEYID);
    assert_null(mlops_key_id(NULL));
    mlops_key_free(p);
    mlops_key_free(k);
}

static void pem_round_trip_keeps_the_key(void **state)
{
    (void)state;
    mlops_key *k = rfc_key(T1_SECRET), *back = NULL, *pub = NULL;
    mlops_buf priv = MLOPS_BUF_INIT, pubpem = MLOPS_BUF_INIT;
    assert_int_equal(mlops_key_write_pem(&priv, k, MLOPS_KEY_PEM_PRIVATE), 0);
    assert_int_equal(mlops_key_write_pem(&pubpem, k, 0), 0);
    /* the PKCS#8 encoding `openssl pkey -inform DER` writes for the test-1 seed
     * (DER 302e020100300506032b657004220420 || seed) */
    assert_non_null(strstr(priv.data, "-----BEGIN PRIVATE KEY-----\n"
                                      "MC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g\n"
                                      "-----END PRIVATE KEY-----\n"));
    assert_int_equal(mlops_key_parse_pem(&back, priv.data, priv.size, 0), 0);
    assert_int_equal(mlops_key_has_private(back), 1);
    assert_string_equal(mlops_key_id(back), T1_KEYID);
    assert_int_equal(mlops_key_parse_pem(&pub, pubpem.data, pubpem.size, 0), 0);
    assert_int_equal(mlops_key_has_private(pub), 0);
    assert_string_equal(mlops_key_id(pub), T1_KEYID);
    /* surrounding whitespace is fine */
    char padded[512];
    int n = snprintf(padded, sizeof padded, "\n  %s\n\n", pubpem.data);
    mlops_key *p2 = NULL;
    assert_int_equal(mlops_key_parse_pem(&p2, padded, (size_t)n, 0), 0);
    mlops_key_free(p2);
    /* a public-only key has no private PEM, and the buffer is untouched */
    mlops_buf none = MLOPS_BUF_INIT;
    assert_int_equal(mlops_key_write_pem(&none, pub, MLOPS_KEY_PEM_PRIVATE), MLOPS_E_INVALID);
    assert_null(none.data);
    mlops_buf_dispose(&priv);
    mlops_buf_dispose(&pubpem);
    mlops_key_free(back);
    mlops_key_free(pub);
    mlops_key_free(k);
}

static void pem_rejects_malformed_and_foreign_keys(void **state)
{
    (void)state;
    mlops_key *k = (mlops_key *)(uintptr_t)0x1;
    mlops_key *const untouched = k;
    static const struct { const char *pem; int code; } bad[] = {
        { "", MLOPS_E_PARSE },
        { "hello", MLOPS_E_PARSE },
        { "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\n",
          MLOPS_E_PARSE }, /* truncated: no END line */
        { "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\n"
          "-----END PUBLIC KEY-----\ntrailing", MLOPS_E_PARSE },
        { "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\n"
          "-----END PRIVATE KEY-----\n", MLOPS_E_PARSE },
        { "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapi\n"
          "-----END PUBLIC KEY-----\n", MLOPS_E_PARSE }, /* DER cut short */
        { "-----BEGIN PUBLIC KEY-----\n!!!!\n-----END PUBLIC KEY-----\n", MLOPS_E_PARSE },
        { "-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n", MLOPS_E_UNSUPPORTED },
        { "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMAA=\n-----END ENCRYPTED PRIVATE KEY-----\n",
          MLOPS_E_UNSUPPORTED },
        /* an X25519 public key (RFC 8410 §10.1): right shape, wrong algorithm */
        { "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VuAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=\n"
          "-----END PUBLIC KEY-----\n", MLOPS_E_UNSUPPORTED },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int rc = mlops_key_parse_pem(&k, bad[i].pem, strlen(bad[i].pem), 0);
        if (rc != bad[i].code)
            fail_msg("case %zu: rc %d (%s), expected %d", i, rc, mlops_error_last(), bad[i].code);
        assert_true(strlen(mlops_error_last()) > 0);
        assert_ptr_equal(k, untouched);
    }
    assert_int_equal(mlops_key_parse_pem(&k, "x", 1, 1), MLOPS_E_INVALID);
    assert_int_equal(mlops_key_parse_pem(NULL, "x", 1, 0), MLOPS_E_INVALID);
    assert_int_equal(mlops_key_load_file(&k, "/nonexistent/key.pem", 0), MLOPS_E_IO);
    assert_string_equal(mlops_error_last_path(), "/nonexistent/key.pem");
    assert_ptr_equal(k, untouched);
}

static void openssl_generated_keys_load_with_the_same_keyid(void **state)
{
    (void)state;
    if (!openssl_bin())
        skip();
    const char *priv = wpath("ossl.pem"), *pub = wpath("ossl.pub.pem");
    assert_int_equal(sh("'%s' genpkey -algorithm ed25519 -out '%s' 2>/dev/null", openssl_bin(),
                        priv), 0);
    assert_int_equal(sh("'%s' pkey -in '%s' -pubout -out '%s' 2>/dev/null", openssl_bin(), priv,
                        pub), 0);
    char want[65];
    openssl_keyid(want, priv);
    mlops_key *k = NULL, *p = NULL;
    assert_int_equal(mlops_key_load_file(&k, priv, 0), 0);
    assert_int_equal(mlops_key_has_private(k), 1);
    assert_string_equal(mlops_key_id(k), want);
    assert_int_equal(mlops_key_load_file(&p, pub, 0), 0);
    assert_int_equal(mlops_key_has_private(p), 0);
    assert_string_equal(mlops_key_id(p), want);

    /* openssl signs, we verify; we sign, openssl verifies */
    const char msg[] = "DSSEv1 28 application/vnd.in-toto+json 2 {}";
    write_file(wpath("msg.bin"), msg, sizeof msg - 1);
    assert_int_equal(sh("'%s' pkeyutl -sign -inkey '%s' -rawin -in '%s' -out '%s' 2>/dev/null",
                        openssl_bin(), priv, wpath("msg.bin"), wpath("ossl.sig")), 0);
    uint8_t sig[64];
    assert_int_equal(read_file(wpath("ossl.sig"), (char *)sig, sizeof sig), 64);
    assert_int_equal(mlops_key_verify_raw(p, sig, msg, sizeof msg - 1), 0);
    uint8_t ours[64];
    assert_int_equal(mlops_key_sign_raw(ours, k, msg, sizeof msg - 1), 0);
    assert_memory_equal(ours, sig, 64); /* Ed25519 is deterministic */
    mlops_key_free(k);
    mlops_key_free(p);
}

static void our_keys_and_signatures_pass_openssl(void **state)
{
    (void)state;
    if (!openssl_bin())
        skip();
    mlops_key *k = NULL;
    assert_int_equal(mlops_key_generate(&k, 0), 0);
    assert_int_equal(mlops_key_generate(&k, 2), MLOPS_E_INVALID);
    mlops_buf priv = MLOPS_BUF_INIT, pub = MLOPS_BUF_INIT;
    assert_int_equal(mlops_key_write_pem(&priv, k, MLOPS_KEY_PEM_PRIVATE), 0);
    assert_int_equal(mlops_key_write_pem(&pub, k, 0), 0);
    write_file(wpath("ours.pem"), priv.data, priv.size);
    write_file(wpath("ours.pub.pem"), pub.data, pub.size);
    char want[65];
    openssl_keyid(want, wpath("ours.pem"));
    assert_string_equal(mlops_key_id(k), want);

    const char msg[] = "model bytes \x00\x01\x02 signed";
    write_file(wpath("m.bin"), msg, sizeof msg);
    uint8_t sig[64];
    assert_int_equal(mlops_key_sign_raw(sig, k, msg, sizeof msg), 0);
    write_file(wpath("m.sig"), sig, sizeof sig);
#define VERIFY_CMD "'%s' pkeyutl -verify -pubin -inkey '%s' -rawin -in '%s' " \
                   "-sigfile '%s' >/dev/null 2>&1"
    assert_int_equal(sh(VERIFY_CMD, openssl_bin(), wpath("ours.pub.pem"), wpath("m.bin"),
                        wpath("m.sig")), 0);
    sig[10] ^= 0x40;
    write_file(wpath("m.sig"), sig, sizeof sig);
    assert_int_not_equal(sh(VERIFY_CMD, openssl_bin(), wpath("ours.pub.pem"), wpath("m.bin"),
                            wpath("m.sig")), 0);
#undef VERIFY_CMD
    mlops_buf_dispose(&priv);
    mlops_buf_dispose(&pub);
    mlops_key_free(k);
}

static void keyring_keeps_distinct_public_keys(void **state)
{
    (void)state;
    mlops_keyring *r = NULL;
    assert_int_equal(mlops_keyring_new(&r), 0);
    mlops_key *a = rfc_key(T1_SECRET), *b = rfc_key(T2_SECRET);
    assert_int_equal(mlops_keyring_add(r, a), 0);
    assert_int_equal(mlops_keyring_add(r, a), 0);
    assert_int_equal(mlops_keyring_count(r), 1);
    assert_int_equal(mlops_keyring_add(r, b), 0);
    assert_int_equal(mlops_keyring_count(r), 2);
    assert_int_equal(mlops_keyring_count(NULL), 0);
    assert_int_equal(mlops_keyring_add(r, NULL), MLOPS_E_INVALID);
    mlops_key_free(a);
    mlops_key_free(b);
    mlops_keyring_free(r);
    mlops_keyring_free(NULL);
    mlops_key_free(NULL);
}


/* ---- DSSE envelopes ----------------------------------------------------- */

static const char statement[] =
    "{\"_type\":\"https://in-toto.io/Statement/v1\",\"predicate\":{\"name\":\"fraud\"},"
    "\"predicateType\":\"https://libmlops.dev/manifest/v1\",\"subject\":[]}";

static void pae_matches_the_dsse_specification_example(void **state)
{
    (void)state;
    mlops_buf b = MLOPS_BUF_INIT;
    /* DSSE protocol.md, "Test vectors" */
    assert_int_equal(mlops_dsse_pae(&b, "http://example.com/HelloWorld", "hello world", 11), 0);
    assert_string_equal(b.data, "DSSEv1 29 http://example.com/HelloWorld 11 hello world");
    mlops_buf_dispose(&b);
    assert_int_equal(mlops_dsse_pae(&b, NULL, NULL, 0), 0);
    assert_string_equal(b.data, "DSSEv1 28 application/vnd.in-toto+json 0 ");
    mlops_buf_dispose(&b);
}

static mlops_buf sign_statement(mlops_key **keys, size_t n)
{
    mlops_buf env = MLOPS_BUF_INIT;
    int rc = mlops_dsse_sign(&env, NULL, statement, sizeof statement - 1,
                             (const mlops_key *const *)keys, n, 0);
    if (rc)
        fail_msg("sign: %d %s", rc, mlops_error_last());
    return env;
}

static int python_has(const char *module)
{
    const char *py = getenv("MLOPS_PYTHON");
    return sh("'%s' -c 'import %s' >/dev/null 2>&1", py ? py : "python3", module) == 0;
}

/* The envelope is rebuilt from scratch by Python (json with sorted keys and
 * no spaces, base64, and the cryptography package's Ed25519) and must be
 * byte for byte ours: Ed25519 is deterministic and the envelope canonical. */
static void envelope_equals_an_independent_construction(void **state)
{
    (void)state;
    if (!python_has("cryptography"))
        skip();
    mlops_key *keys[2] = { rfc_key(T1_SECRET), rfc_key(T2_SECRET) };
    mlops_buf env = sign_statement(keys, 2);
    write_file(wpath("statement.json"), statement, sizeof statement - 1);
    const char *script =
        "import base64,hashlib,json,sys\n"
        "from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey\n"
        "from cryptography.hazmat.primitives import serialization as s\n"
        "body=open(sys.argv[1],'rb').read(); t=b'application/vnd.in-toto+json'\n"
        "pae=b'DSSEv1 %d %s %d %s'%(len(t),t,len(body),body)\n"
        "sigs=[]\n"
        "for h in sys.argv[2:]:\n"
        "  k=Ed25519PrivateKey.from_private_bytes(bytes.fromhex(h))\n"
        "  der=k.public_key().public_bytes(s.Encoding.DER,s.PublicFormat.SubjectPublicKeyInfo)\n"
        "  sigs.append({'keyid':hashlib.sha256(der).hexdigest(),"
        "'sig':base64.b64encode(k.sign(pae)).decode()})\n"
        "sys.stdout.write(json.dumps({'payload':base64.b64encode(body).decode(),"
        "'payloadType':t.decode(),'signatures':sigs},sort_keys=True,separators=(',',':')))\n";
    write_file(wpath("envelope.py"), script, strlen(script));
    const char *py = getenv("MLOPS_PYTHON");
    assert_int_equal(sh("'%s' '%s' '%s' %s %s > '%s'", py ? py : "python3", wpath("envelope.py"),
                        wpath("statement.json"), T1_SECRET, T2_SECRET, wpath("expected.json")),
                     0);
    char want[4096];
    size_t n = read_file(wpath("expected.json"), want, sizeof want - 1);
    want[n] = '\0';
    assert_string_equal(env.data, want);
    mlops_buf_dispose(&env);
    mlops_key_free(keys[0]);
    mlops_key_free(keys[1]);
}

/* Python's json/base64 take our envelope apart; openssl checks the signature
 * over the PAE it rebuilds. */
static void envelope_signature_verifies_with_openssl(void **state)
{
    (void)state;
    if (!openssl_bin())
        skip();
    mlops_key *k = NULL;
    assert_int_equal(mlops_key_generate(&k, 0), 0);
    mlops_buf env = sign_statement(&k, 1), pub = MLOPS_BUF_INIT;
    assert_int_equal(mlops_key_write_pem(&pub, k, 0), 0);
    write_file(wpath("env.json"), env.data, env.size);
    write_file(wpath("env.pub.pem"), pub.data, pub.size);
    const char *script =
        "import base64,json,sys\n"
        "e=json.load(open(sys.argv[1])); body=base64.b64decode(e['payload'],validate=True)\n"
        "t=e['payloadType'].encode()\n"
        "open(sys.argv[2],'wb').write(b'DSSEv1 %d %s %d %s'%(len(t),t,len(body),body))\n"
        "open(sys.argv[3],'wb').write(base64.b64decode(e['signatures'][0]['sig']))\n"
        "print(e['signatures'][0]['keyid'])\n";
    write_file(wpath("split.py"), script, strlen(script));
    const char *py = getenv("MLOPS_PYTHON");
    assert_int_equal(sh("'%s' '%s' '%s' '%s' '%s' > '%s'", py ? py : "python3", wpath("split.py"),
                        wpath("env.json"), wpath("pae.bin"), wpath("sig.bin"),
                        wpath("kid.txt")), 0);
    char kid[80] = { 0 };
    read_file(wpath("kid.txt"), kid, 64);
    assert_string_equal(kid, mlops_key_id(k));
    assert_int_equal(sh("'%s' pkeyutl -verify -pubin -inkey '%s' -rawin -in '%s' -sigfile '%s' "
                        ">/dev/null 2>&1", openssl_bin(), wpath("env.pub.pem"), wpath("pae.bin"),
                        wpath("sig.bin")), 0);
    mlops_buf_dispose(&env);
    mlops_buf_dispose(&pub);
    mlops_key_free(k);
}

static mlops_keyring *ring_of(mlops_key **keys, size_t n)
{
    mlops_keyring *r = NULL;
    assert_int_equal(mlops_keyring_new(&r), 0);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(mlops_keyring_add(r, keys[i]), 0);
    return r;
}

static void verify_hands_out_the_exact_payload_only_when_trusted(void **state)
{
    (void)state;
    mlops_key *keys[3] = { rfc_key(T1_SECRET), rfc_key(T2_SECRET), NULL };
    assert_int_equal(mlops_key_generate(&keys[2], 0), 0);
    mlops_buf env = sign_statement(keys, 2);
    mlops_keyring *r1 = ring_of(keys, 1), *r12 = ring_of(keys, 2), *r3 = ring_of(keys + 2, 1);
    mlops_buf payload = MLOPS_BUF_INIT;
    assert_int_equal(mlops_dsse_verify(&payload, env.data, env.size, r1, NULL), 0);
    assert_int_equal(payload.size, sizeof statement - 1);
    assert_memory_equal(payload.data, statement, payload.size);
    mlops_buf_dispose(&payload);

    mlops_dsse_verify_options o = MLOPS_DSSE_VERIFY_OPTIONS_INIT;
    o.threshold = 2;
    assert_int_equal(mlops_dsse_verify(NULL, env.data, env.size, r12, &o), 0);
    /* a threshold above the trusted keys is a caller error */
    assert_int_equal(mlops_dsse_verify(NULL, env.data, env.size, r1, &o), MLOPS_E_INVALID);

    /* a valid signature by a key that is not trusted */
    assert_int_equal(mlops_dsse_verify(&payload, env.data, env.size, r3, NULL),
                     MLOPS_E_SIGNATURE);
    assert_non_null(strstr(mlops_error_last(), "2 by keys that are not trusted"));
    assert_null(payload.data);

    /* the same signature twice does not count twice */
    mlops_buf one = sign_statement(keys, 1);
    const char *sigs = strstr(one.data, "[{");
    const char *end = strstr(one.data, "}]");
    assert_non_null(sigs);
    assert_non_null(end);
    char buf[2048];
    snprintf(buf, sizeof buf, "%.*s,%s", (int)(end + 1 - one.data), one.data, sigs + 1);
    assert_int_equal(mlops_dsse_verify(NULL, buf, strlen(buf), r12, &o), MLOPS_E_SIGNATURE);
    assert_non_null(strstr(mlops_error_last(), "1 valid signature(s) by trusted keys, 2 required"));
    mlops_buf_dispose(&one);

    mlops_keyring_free(r1);
    mlops_keyring_free(r12);
    mlops_keyring_free(r3);
    mlops_buf_dispose(&env);
    for (int i = 0; i < 3; i++)
        mlops_key_free(keys[i]);
}

/* Replace the first occurrence of `from` in `s` by `to` into `out`. */
static void replace(char *out, size_t cap, const char *s, const char *from, const char *to)
{
    const char *at = strstr(s, from);
    assert_non_null(at);
    int n = snprintf(out, cap, "%.*s%s%s", (int)(at - s), s, to, at + strlen(from));
    assert_true(n > 0 && (size_t)n < cap);
}

static void forged_and_altered_envelopes_are_refused(void **state)
{
    (void)state;
    mlops_key *k = rfc_key(T1_SECRET);
    mlops_keyring *r = ring_of(&k, 1);
    mlops_buf env = sign_statement(&k, 1);
    char bad[4096];

    /* a forged signature: one bit of the signature changed (the first
     * base64 character of "sig") */
    const char *sig = strstr(env.data, "\"sig\":\"") + 7;
    snprintf(bad, sizeof bad, "%s", env.data);
    bad[sig - env.data] = sig[0] == 'A' ? 'B' : 'A';
    assert_int_equal(mlops_dsse_verify(NULL, bad, strlen(bad), r, NULL), MLOPS_E_SIGNATURE);
    assert_non_null(strstr(mlops_error_last(), "1 invalid"));

    /* the payload swapped for another statement, signatures kept */
    mlops_buf other = MLOPS_BUF_INIT;
    assert_int_equal(mlops__base64_encode(&other, "{\"evil\":1}", 10), 0);
    const char *p = strstr(env.data, "\"payload\":\"") + 11;
    const char *q = strchr(p, '"');
    snprintf(bad, sizeof bad, "%.*s%s%s", (int)(p - env.data), env.data, other.data, q);
    assert_int_equal(mlops_dsse_verify(NULL, bad, strlen(bad), r, NULL), MLOPS_E_SIGNATURE);
    mlops_buf_dispose(&other);

    /* another payload type: refused by default, and not covered by the
     * signature when the caller asks for it */
    replace(bad, sizeof bad, env.data, "application/vnd.in-toto+json", "application/json");
    assert_int_equal(mlops_dsse_verify(NULL, bad, strlen(bad), r, NULL), MLOPS_E_SCHEMA);
    assert_string_equal(mlops_error_last_path(), "$.payloadType");
    mlops_dsse_verify_options o = MLOPS_DSSE_VERIFY_OPTIONS_INIT;
    o.payload_type = "application/json";
    assert_int_equal(mlops_dsse_verify(NULL, bad, strlen(bad), r, &o), MLOPS_E_SIGNATURE);

    /* a key id that names nobody we trust: the valid signature is not used */
    replace(bad, sizeof bad, env.data, T1_KEYID, T2_KEYID_FOR_TEST);
    assert_int_equal(mlops_dsse_verify(NULL, bad, strlen(bad), r, NULL), MLOPS_E_SIGNATURE);
    /* no key id: tried against every trusted key */
    replace(bad, sizeof bad, env.data, "\"keyid\":\"" T1_KEYID "\",", "");
    assert_int_equal(mlops_dsse_verify(NULL, bad, strlen(bad), r, NULL), 0);

    mlops_buf_dispose(&env);
    mlops_keyring_free(r);
    mlops_key_free(k);
}

static void truncated_and_garbled_envelopes_are_parse_or_schema_errors(void **state)
{
    (void)state;
    mlops_key *k = rfc_key(T1_SECRET);
    mlops_keyring *r = ring_of(&k, 1);
    mlops_buf env = sign_statement(&k, 1);
    /* every proper prefix is malformed JSON */
    for (size_t n = 0; n < env.size; n++) {
        int rc = mlops_dsse_verify(NULL, env.data, n, r, NULL);
        if (rc != MLOPS_E_PARSE)
            fail_msg("prefix of %zu bytes: rc %d (%s)", n, rc, mlops_error_last());
    }
    char bad[4096];
    static const struct { const char *from, *to; int code; const char *path; } edits[] = {
        { "{\"payload\"", "{\"x\":1,\"payload\"", MLOPS_E_SCHEMA, "$.x" },
        { "{\"payload\"", "{\"payload\":\"\",\"payload\"", MLOPS_E_PARSE, "" },
        { "\"signatures\":[", "\"signatures\":[],\"z\":[", MLOPS_E_SCHEMA, "$.z" },
        { "\"sig\":\"", "\"sig\":\"!", MLOPS_E_PARSE, "" },
        { "\"sig\":\"", "\"sig\":1,\"s\":\"", MLOPS_E_SCHEMA, "$.signatures[0].s" },
        { "\"payload\":\"", "\"payload\":\" ", MLOPS_E_PARSE, "" },
        { "\"payloadType\":\"", "\"payloadType\":7,\"q\":\"", MLOPS_E_SCHEMA, "$.q" },
    };
    for (size_t i = 0; i < sizeof edits / sizeof edits[0]; i++) {
        replace(bad, sizeof bad, env.data, edits[i].from, edits[i].to);
        int rc = mlops_dsse_verify(NULL, bad, strlen(bad), r, NULL);
        if (rc != edits[i].code)
            fail_msg("edit %zu: rc %d (%s)", i, rc, mlops_error_last());
        if (edits[i].path[0] && strcmp(mlops_error_last_path(), edits[i].path) != 0)
            fail_msg("edit %zu: path \"%s\" (%s)", i, mlops_error_last_path(),
                     mlops_error_last());
    }
    static const char *const schema_bad[] = {
        "[]", "{}", "{\"payload\":\"\",\"payloadType\":\"application/vnd.in-toto+json\"}",
        "{\"payload\":\"\",\"payloadType\":\"application/vnd.in-toto+json\",\"signatures\":[]}",
        "{\"payload\":\"\",\"payloadType\":\"application/vnd.in-toto+json\",\"signatures\":[1]}",
        "{\"payload\":\"\",\"payloadType\":\"application/vnd.in-toto+json\",\"signatures\":[{}]}",
    };
    for (size_t i = 0; i < sizeof schema_bad / sizeof schema_bad[0]; i++) {
        int rc = mlops_dsse_verify(NULL, schema_bad[i], strlen(schema_bad[i]), r, NULL);
        if (rc != MLOPS_E_SCHEMA)
            fail_msg("\"%s\": rc %d (%s)", schema_bad[i], rc, mlops_error_last());
    }
    assert_int_equal(mlops_dsse_verify(NULL, "\x7f", 1, r, NULL), MLOPS_E_PARSE);
    assert_int_equal(mlops_dsse_verify(NULL, NULL, 0, r, NULL), MLOPS_E_INVALID);
    assert_int_equal(mlops_dsse_verify(NULL, "{}", 2, NULL, NULL), MLOPS_E_INVALID);
    mlops_dsse_verify_options o = MLOPS_DSSE_VERIFY_OPTIONS_INIT;
    o.version = 9;
    assert_int_equal(mlops_dsse_verify(NULL, env.data, env.size, r, &o), MLOPS_E_VERSION);
    assert_int_equal(mlops_dsse_verify_options_init(&o, sizeof o), 0);
    o.flags = 4;
    assert_int_equal(mlops_dsse_verify(NULL, env.data, env.size, r, &o), MLOPS_E_INVALID);
    mlops_buf_dispose(&env);
    mlops_keyring_free(r);
    mlops_key_free(k);
}

static void signatures_can_be_added_and_checked_detached(void **state)
{
    (void)state;
    mlops_key *keys[2] = { rfc_key(T1_SECRET), rfc_key(T2_SECRET) };
    mlops_keyring *r = ring_of(keys, 2);
    mlops_buf one = sign_statement(keys, 1), two = MLOPS_BUF_INIT, direct = sign_statement(keys, 2);
    assert_int_equal(mlops_dsse_add_signature(&two, one.data, one.size, keys[1], 0), 0);
    /* adding gives what signing with both at once gives */
    assert_string_equal(two.data, direct.data);
    mlops_dsse_verify_options o = MLOPS_DSSE_VERIFY_OPTIONS_INIT;
    o.threshold = 2;
    assert_int_equal(mlops_dsse_verify(NULL, two.data, two.size, r, &o), 0);
    mlops_buf again = MLOPS_BUF_INIT;
    assert_int_equal(mlops_dsse_add_signature(&again, two.data, two.size, keys[0], 0),
                     MLOPS_E_EXISTS);
    assert_null(again.data);
    assert_int_equal(mlops_dsse_add_signature(&again, "{", 1, keys[0], 0), MLOPS_E_PARSE);

    assert_int_equal(mlops_dsse_verify_detached(two.data, two.size, statement,
                                                sizeof statement - 1, r, &o), 0);
    assert_int_equal(mlops_dsse_verify_detached(two.data, two.size, statement,
                                                sizeof statement - 2, r, &o), MLOPS_E_SIGNATURE);
    assert_non_null(strstr(mlops_error_last(), "not the given payload"));

    /* signing refuses public keys and repeated keys */
    mlops_key *pub = NULL;
    uint8_t raw[32];
    assert_int_equal(mlops_key_public_raw(raw, keys[0]), 0);
    assert_int_equal(mlops_key_from_public(&pub, raw), 0);
    mlops_buf x = MLOPS_BUF_INIT;
    assert_int_equal(mlops_dsse_sign(&x, NULL, "a", 1, (const mlops_key *const *)&pub, 1, 0),
                     MLOPS_E_INVALID);
    const mlops_key *dup[2] = { keys[0], keys[0] };
    assert_int_equal(mlops_dsse_sign(&x, NULL, "a", 1, dup, 2, 0), MLOPS_E_INVALID);
    assert_int_equal(mlops_dsse_sign(&x, "bad\ntype", "a", 1, dup, 1, 0), MLOPS_E_INVALID);
    assert_int_equal(mlops_dsse_sign(&x, NULL, "a", 1, dup, 0, 0), MLOPS_E_INVALID);
    assert_null(x.data);
    mlops_key_free(pub);
    mlops_buf_dispose(&one);
    mlops_buf_dispose(&two);
    mlops_buf_dispose(&direct);
    mlops_keyring_free(r);
    mlops_key_free(keys[0]);
    mlops_key_free(keys[1]);
}

/* ---- out of memory ------------------------------------------------------ */

typedef struct {
    mlops_key *k;
    mlops_keyring *r;
    mlops_buf pem;
    const char *pem_text;
} oom_ctx;

static int op_pem(void *p)
{
    oom_ctx *c = p;
    int rc = mlops_key_parse_pem(&c->k, c->pem_text, strlen(c->pem_text), 0);
    if (!rc)
        rc = mlops_key_write_pem(&c->pem, c->k, MLOPS_KEY_PEM_PRIVATE);
    if (!rc)
        rc = mlops_key_write_pem(&c->pem, c->k, 0);
    return rc;
}

static int op_ring(void *p)
{
    oom_ctx *c = p;
    int rc = mlops_key_generate(&c->k, 0);
    if (!rc)
        rc = mlops_keyring_new(&c->r);
    if (!rc)
        rc = mlops_keyring_add(c->r, c->k);
    return rc;
}

static int op_file(void *p)
{
    oom_ctx *c = p;
    return mlops_key_load_file(&c->k, c->pem_text, 0);
}

/* A public-key-only copy of a key, by its raw bytes. */
static int op_from_public(void *p)
{
    oom_ctx *c = p;
    uint8_t raw[MLOPS_ED25519_KEY_SIZE];
    int rc = mlops_key_generate(&c->k, 0);
    if (!rc)
        rc = mlops_key_public_raw(raw, c->k);
    mlops_key_free(c->k);
    c->k = NULL;
    if (!rc)
        rc = mlops_key_from_public(&c->k, raw);
    if (!rc && mlops_key_has_private(c->k))
        rc = MLOPS_E_INTERNAL;
    return rc;
}

static void cleanup(void *p)
{
    oom_ctx *c = p;
    mlops_key_free(c->k);
    mlops_keyring_free(c->r);
    mlops_buf_dispose(&c->pem);
    c->k = NULL;
    c->r = NULL;
}

static void out_of_memory_is_clean(void **state)
{
    (void)state;
    oom_ctx c = { 0 };
    c.pem_text = "-----BEGIN PRIVATE KEY-----\n"
                 "MC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g\n"
                 "-----END PRIVATE KEY-----\n";
    assert_true(oom_check("mlops_key_parse_pem/save", op_pem, cleanup, &c, 0) >= 3);
    assert_true(oom_check("mlops_keyring_add", op_ring, cleanup, &c, 0) >= 3);
    write_file(wpath("oom.pem"), c.pem_text, strlen(c.pem_text));
    c.pem_text = wpath("oom.pem");
    assert_true(oom_check("mlops_key_load_file", op_file, cleanup, &c, 0) >= 2);
    assert_true(oom_check("mlops_key_from_public", op_from_public, cleanup, &c, 0) >= 2);
}


typedef struct {
    mlops_key *keys[2];
    mlops_keyring *ring;
    mlops_buf env, out, pae;
} dsse_ctx;

static int op_dsse(void *p)
{
    dsse_ctx *c = p;
    int rc = mlops_dsse_sign(&c->env, NULL, statement, sizeof statement - 1,
                             (const mlops_key *const *)c->keys, 1, 0);
    if (!rc)
        rc = mlops_dsse_add_signature(&c->out, c->env.data, c->env.size, c->keys[1], 0);
    mlops_dsse_verify_options o = MLOPS_DSSE_VERIFY_OPTIONS_INIT;
    o.threshold = 2;
    if (!rc)
        rc = mlops_dsse_verify(&c->env, c->out.data, c->out.size, c->ring, &o);
    if (!rc)
        rc = mlops_dsse_verify_detached(c->out.data, c->out.size, statement,
                                        sizeof statement - 1, c->ring, &o);
    if (!rc)
        rc = mlops_dsse_pae(&c->pae, NULL, statement, sizeof statement - 1);
    return rc;
}


static void cleanup_dsse(void *p)
{
    dsse_ctx *c = p;
    mlops_buf_dispose(&c->env);
    mlops_buf_dispose(&c->out);
    mlops_buf_dispose(&c->pae);
}

static void dsse_out_of_memory_is_clean(void **state)
{
    (void)state;
    dsse_ctx c = { { rfc_key(T1_SECRET), rfc_key(T2_SECRET) }, NULL, MLOPS_BUF_INIT,
                   MLOPS_BUF_INIT, MLOPS_BUF_INIT };
    c.ring = ring_of(c.keys, 2);
    assert_true(oom_check("mlops_dsse_sign/add/verify/verify_detached/pae", op_dsse, cleanup_dsse, &c, 0) >= 10);
    mlops_keyring_free(c.ring);
    mlops_key_free(c.keys[0]);
    mlops_key_free(c.keys[1]);
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
        cmocka_unit_test(base64_matches_rfc4648_vectors),
        cmocka_unit_test(base64_rejects_every_non_canonical_spelling),
        cmocka_unit_test(rfc8032_test_vectors_sign_and_verify),
        cmocka_unit_test(keyid_is_sha256_of_der_spki),
        cmocka_unit_test(pem_round_trip_keeps_the_key),
        cmocka_unit_test(pem_rejects_malformed_and_foreign_keys),
        cmocka_unit_test(openssl_generated_keys_load_with_the_same_keyid),
        cmocka_unit_test(our_keys_and_signatures_pass_openssl),
        cmocka_unit_test(keyring_keeps_distinct_public_keys),
        cmocka_unit_test(out_of_memory_is_clean),
        cmocka_unit_test(pae_matches_the_dsse_specification_example),
        cmocka_unit_test(envelope_equals_an_independent_construction),
        cmocka_unit_test(envelope_signature_verifies_with_openssl),
        cmocka_unit_test(verify_hands_out_the_exact_payload_only_when_trusted),
        cmocka_unit_test(forged_and_altered_envelopes_are_refused),
        cmocka_unit_test(truncated_and_garbled_envelopes_are_parse_or_schema_errors),
        cmocka_unit_test(signatures_can_be_added_and_checked_detached),
        cmocka_unit_test(dsse_out_of_memory_is_clean),
    };
    return cmocka_run_group_tests(tests, setup_dir, teardown_dir);
}
