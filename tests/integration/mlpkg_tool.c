/*
 * A small driver for the registry interoperability test: pack, turn a pulled
 * OCI layout back into a package, verify. Uses the public API only.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mlops.h"

static int fail(const char *what, int rc)
{
    fprintf(stderr, "%s: %s: %s\n", what, mlops_error_name(rc), mlops_error_last());
    return 1;
}

static int hex32(uint8_t out[32], const char *hex)
{
    if (strlen(hex) != 64)
        return -1;
    for (int i = 0; i < 32; i++) {
        unsigned v;
        if (sscanf(hex + 2 * i, "%2x", &v) != 1)
            return -1;
        out[i] = (uint8_t)v;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 7 && strcmp(argv[1], "pack") == 0) {
        /* pack OUT DIR NAME VERSION SEED_HEX */
        uint8_t seed[32];
        mlops_key *k = NULL;
        int rc = hex32(seed, argv[6]) ? MLOPS_E_INVALID : mlops_key_from_seed(&k, seed);
        if (rc)
            return fail("key", rc);
        const mlops_key *keys[1] = { k };
        mlops_packer_options o = MLOPS_PACKER_OPTIONS_INIT;
        o.keys = keys;
        o.nkeys = 1;
        mlops_packer *p = NULL;
        mlops_manifest_builder *b = NULL;
        rc = mlops_packer_new(&p, &o);
        if (!rc)
            rc = mlops_packer_add_directory(p, argv[3], "model", 0);
        if (!rc)
            rc = mlops_manifest_builder_new(&b, argv[4], argv[5], "2026-11-26T09:00:00Z");
        if (!rc)
            rc = mlops_packer_write_file(NULL, p, argv[2], b);
        mlops_manifest_builder_free(b);
        mlops_packer_free(p);
        mlops_key_free(k);
        return rc ? fail("pack", rc) : 0;
    }
    if (argc == 6 && strcmp(argv[1], "from-layout") == 0) {
        /* from-layout DIR REF ENVELOPE_FILE OUT */
        FILE *f = fopen(argv[4], "rb");
        if (!f)
            return fail("envelope", MLOPS_E_IO);
        static char env[1 << 20];
        size_t n = fread(env, 1, sizeof env, f);
        fclose(f);
        int rc = mlops_layout_export(argv[2], argv[3], env, n, argv[5], -1, 0);
        return rc ? fail("from-layout", rc) : 0;
    }
    if (argc == 4 && strcmp(argv[1], "verify") == 0) {
        /* verify PKG PUBLIC_KEY_HEX */
        uint8_t pub[32];
        mlops_key *k = NULL;
        mlops_keyring *r = NULL;
        int rc = hex32(pub, argv[3]) ? MLOPS_E_INVALID : mlops_key_from_public(&k, pub);
        if (!rc)
            rc = mlops_keyring_new(&r);
        if (!rc)
            rc = mlops_keyring_add(r, k);
        mlops_package_verify_options o = MLOPS_PACKAGE_VERIFY_OPTIONS_INIT;
        o.trusted = r;
        mlops_package_report *rep = NULL;
        if (!rc)
            rc = mlops_package_verify(&rep, argv[2], &o);
        if (!rc)
            printf("verified %zu files of %s\n", mlops_package_report_files_verified(rep),
                   mlops_manifest_version(mlops_package_report_manifest(rep)));
        mlops_package_report_free(rep);
        mlops_keyring_free(r);
        mlops_key_free(k);
        return rc ? fail("verify", rc) : 0;
    }
    fprintf(stderr, "usage: mlpkg_tool pack OUT DIR NAME VERSION SEED_HEX\n"
                    "       mlpkg_tool from-layout DIR REF ENVELOPE OUT\n"
                    "       mlpkg_tool verify PKG PUBLIC_KEY_HEX\n");
    return 2;
}
