/*
 * PEM keys: mlops_key_parse_pem() of arbitrary text never crashes or leaks,
 * reports only its documented codes with a message, and a key it loads
 * round-trips: its PEM form loads to the same key id and raw public key, a
 * key pair's signature verifies with the loaded public half, and the
 * public PEM of a key pair loads to a public-only key with the same id.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "fuzz_common.h"
#include "mlops.h"

static int allowed(int rc)
{
    return rc == MLOPS_E_PARSE || rc == MLOPS_E_UNSUPPORTED || rc == MLOPS_E_LIMIT ||
           rc == MLOPS_E_CRYPTO;
}

static mlops_key *reload(const mlops_buf *pem)
{
    mlops_key *k = NULL;
    FUZZ_CHECK(mlops_key_parse_pem(&k, pem->data, pem->size, 0) == 0);
    return k;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mlops_key *k = NULL;
    int rc = mlops_key_parse_pem(&k, (const char *)data, size, 0);
    if (rc != 0) {
        FUZZ_CHECK(allowed(rc) && k == NULL);
        FUZZ_CHECK(mlops_error_last_code() == rc && mlops_error_last()[0] != '\0');
        return 0;
    }
    FUZZ_CHECK(k != NULL && strlen(mlops_key_id(k)) == 64);
    uint8_t raw[MLOPS_ED25519_KEY_SIZE], raw2[MLOPS_ED25519_KEY_SIZE];
    FUZZ_CHECK(mlops_key_public_raw(raw, k) == 0);

    mlops_buf pub = MLOPS_BUF_INIT;
    FUZZ_CHECK(mlops_key_write_pem(&pub, k, 0) == 0);
    mlops_key *p = reload(&pub);
    FUZZ_CHECK(!mlops_key_has_private(p) && strcmp(mlops_key_id(p), mlops_key_id(k)) == 0);
    FUZZ_CHECK(mlops_key_public_raw(raw2, p) == 0 && memcmp(raw, raw2, sizeof raw) == 0);

    /* The public key from its raw bytes is the same key. */
    mlops_key *r = NULL;
    FUZZ_CHECK(mlops_key_from_public(&r, raw) == 0 && strcmp(mlops_key_id(r), mlops_key_id(k)) == 0);

    if (mlops_key_has_private(k)) {
        mlops_buf priv = MLOPS_BUF_INIT;
        FUZZ_CHECK(mlops_key_write_pem(&priv, k, MLOPS_KEY_PEM_PRIVATE) == 0);
        mlops_key *k2 = reload(&priv);
        FUZZ_CHECK(mlops_key_has_private(k2) && strcmp(mlops_key_id(k2), mlops_key_id(k)) == 0);
        uint8_t sig[MLOPS_ED25519_SIGNATURE_SIZE];
        FUZZ_CHECK(mlops_key_sign_raw(sig, k2, data, size) == 0);
        FUZZ_CHECK(mlops_key_verify_raw(p, sig, data, size) == 0);
        sig[0] ^= 1;
        FUZZ_CHECK(mlops_key_verify_raw(p, sig, data, size) == MLOPS_E_SIGNATURE);
        mlops_key_free(k2);
        mlops_buf_dispose(&priv);
    } else {
        mlops_buf priv = MLOPS_BUF_INIT;
        FUZZ_CHECK(mlops_key_write_pem(&priv, k, MLOPS_KEY_PEM_PRIVATE) == MLOPS_E_INVALID && priv.size == 0);
        mlops_buf_dispose(&priv);
    }
    mlops_key_free(r);
    mlops_key_free(p);
    mlops_buf_dispose(&pub);
    mlops_key_free(k);
    return 0;
}
