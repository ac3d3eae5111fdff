/*
 * Test helper for the hostile-package corpus (check_hostile_corpus.py): sign
 * a payload as a DSSE envelope with a PEM private key, so that re-sealed
 * packages can also be re-signed, by a trusted key or another one. Public
 * API only.
 *
 * usage: dsse_sign_tool PRIVATE.pem PAYLOAD_FILE ENVELOPE_OUT
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdio.h>
#include <stdlib.h>

#include "mlops.h"

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: dsse_sign_tool PRIVATE.pem PAYLOAD_FILE ENVELOPE_OUT\n");
        return 2;
    }
    FILE *f = fopen(argv[2], "rb");
    if (!f) {
        perror(argv[2]);
        return 1;
    }
    static char payload[8 << 20];
    size_t len = fread(payload, 1, sizeof payload, f);
    int bad = ferror(f) || !feof(f);
    fclose(f);
    if (bad) {
        fprintf(stderr, "%s: unreadable or larger than 8 MiB\n", argv[2]);
        return 1;
    }
    mlops_key *k = NULL;
    mlops_buf env = MLOPS_BUF_INIT;
    int rc = mlops_key_load_file(&k, argv[1], 0);
    if (!rc) {
        const mlops_key *keys[1] = { k };
        rc = mlops_dsse_sign(&env, NULL, payload, len, keys, 1, 0);
    }
    mlops_key_free(k);
    if (rc) {
        fprintf(stderr, "%s\n", mlops_error_last());
        return 1;
    }
    f = fopen(argv[3], "wb");
    int ok = f && fwrite(env.data, 1, env.size, f) == env.size;
    if (f && fclose(f) != 0)
        ok = 0;
    mlops_buf_dispose(&env);
    if (!ok) {
        perror(argv[3]);
        return 1;
    }
    return 0;
}
