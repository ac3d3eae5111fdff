/*
 * DSSE envelopes: verification never crashes, never hands out a payload
 * without a valid trusted signature, and a payload it hands out is exactly
 * what the envelope's signature covers (so the detached check agrees).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "fuzz_common.h"
#include "mlops.h"

/* RFC 8032 §7.1 TEST 1: the only trusted key. Seed inputs are signed by it. */
static const uint8_t test1_public[32] = {
    0xd7, 0x5a, 0x98, 0x01, 0x82, 0xb1, 0x0a, 0xb7, 0xd5, 0x4b, 0xfe, 0xd3, 0xc9, 0x64, 0x07, 0x3a,
    0x0e, 0xe1, 0x72, 0xf3, 0xda, 0xa6, 0x23, 0x25, 0xaf, 0x02, 0x1a, 0x68, 0xf7, 0x07, 0x51, 0x1a,
};

static mlops_keyring *trusted(void)
{
    static mlops_keyring *ring;
    if (!ring) {
        mlops_key *k = NULL;
        FUZZ_CHECK(mlops_key_from_public(&k, test1_public) == 0);
        FUZZ_CHECK(mlops_keyring_new(&ring) == 0);
        FUZZ_CHECK(mlops_keyring_add(ring, k) == 0);
        mlops_key_free(k);
    }
    return ring;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mlops_buf payload = MLOPS_BUF_INIT;
    int rc = mlops_dsse_verify(&payload, (const char *)data, size, trusted(), NULL);
    FUZZ_CHECK(rc == 0 || rc == MLOPS_E_PARSE || rc == MLOPS_E_SCHEMA ||
               rc == MLOPS_E_SIGNATURE || rc == MLOPS_E_LIMIT);
    FUZZ_CHECK(rc == mlops_error_last_code() || rc == 0);
    if (rc != 0) {
        FUZZ_CHECK(payload.data == NULL && payload.size == 0);
        FUZZ_CHECK(mlops_error_last()[0] != '\0');
    } else {
        FUZZ_CHECK(mlops_dsse_verify_detached((const char *)data, size, payload.data,
                                              payload.size, trusted(), NULL) == 0);
    }
    mlops_buf_dispose(&payload);
    return 0;
}
