/*
 * Package reader: verification of arbitrary bytes never crashes, leaks or
 * writes outside its extraction directory, and reports only defined codes;
 * a package it accepts has a statement.
 *
 * In the libFuzzer build a structure-aware mutator (fuzz_tar_mutator.h)
 * mutates mostly one document of the package (index.json, an OCI
 * manifest, the config, the statement, the envelope) and re-seals it the way
 * tests/unit/make_hostile_packages.py does: the blob is renamed to its new
 * SHA-256, every descriptor naming the old digest gets the new digest and
 * size, recursively up to index.json, and a changed statement is signed
 * again with the test key, so mutations reach the checks behind the
 * digests and the signature instead of dying at the first blob name.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#define _GNU_SOURCE /* memfd_create */

#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz_common.h"
#include "mlops.h"

/* RFC 8032 §7.1 TEST 1: the key the seed packages are signed with. */
static const uint8_t test1_public[32] = {
    0xd7, 0x5a, 0x98, 0x01, 0x82, 0xb1, 0x0a, 0xb7, 0xd5, 0x4b, 0xfe, 0xd3, 0xc9, 0x64, 0x07, 0x3a,
    0x0e, 0xe1, 0x72, 0xf3, 0xda, 0xa6, 0x23, 0x25, 0xaf, 0x02, 0x1a, 0x68, 0xf7, 0x07, 0x51, 0x1a,
};

static int allowed(int rc)
{
    return rc == 0 || rc == MLOPS_E_PARSE || rc == MLOPS_E_SCHEMA || rc == MLOPS_E_INTEGRITY ||
           rc == MLOPS_E_SIGNATURE || rc == MLOPS_E_UNSAFE || rc == MLOPS_E_LIMIT ||
           rc == MLOPS_E_UNSUPPORTED || rc == MLOPS_E_VERSION || rc == MLOPS_E_NOTFOUND;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static mlops_keyring *ring;
    if (!ring) {
        mlops_key *k = NULL;
        FUZZ_CHECK(mlops_key_from_public(&k, test1_public) == 0);
        FUZZ_CHECK(mlops_keyring_new(&ring) == 0);
        FUZZ_CHECK(mlops_keyring_add(ring, k) == 0);
        mlops_key_free(k);
    }
    int fd = memfd_create("mlpkg", MFD_CLOEXEC);
    FUZZ_CHECK(fd >= 0);
    FUZZ_CHECK(write(fd, data, size) == (ssize_t)size);
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);

    /* The second pass (no keys, unsigned allowed) only where the first
     * (the trusted key) passed or stopped at the signature: elsewhere it
     * takes the same path, and every pass reads the package again. */
    int first = 0;
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 1 && first != 0 && first != MLOPS_E_SIGNATURE)
            break;
        mlops_package_verify_options o = MLOPS_PACKAGE_VERIFY_OPTIONS_INIT;
        if (pass == 0)
            o.trusted = ring;
        else
            o.flags = MLOPS_PACKAGE_ALLOW_UNSIGNED;
        mlops_package_report *rep = NULL;
        int rc = mlops_package_verify(&rep, path, &o);
        FUZZ_CHECK(allowed(rc));
        if (pass == 0)
            first = rc;
        if (rc == 0)
            FUZZ_CHECK(rep && mlops_package_report_manifest(rep) != NULL &&
                       mlops_package_report_count(rep) == 0);
        /* a report is valid exactly when the call succeeded, and a failed
         * call's report records its error */
        if (rep)
            FUZZ_CHECK(mlops_package_report_valid(rep) == (rc == 0) &&
                       mlops_package_report_error_code(rep) == rc);
        if (rep) {
            mlops_buf j = MLOPS_BUF_INIT;
            FUZZ_CHECK(mlops_package_report_write_json(&j, rep, 0) == 0);
            mlops_buf_dispose(&j);
            /* the read-only view says the same, one row per problem, and a
             * failed call always has its message */
            const struct mlops_package_report_info *in = mlops_package_report_info(rep);
            FUZZ_CHECK(in && in->valid == (rc == 0) && in->error_code == rc &&
                       (rc == 0) == (in->error_message == NULL) &&
                       in->problem_count == mlops_package_report_count(rep));
            for (size_t i = 0; i < in->problem_count; i++) {
                const mlops_package_report_problem_info *pr = mlops_package_report_problem(rep, i);
                FUZZ_CHECK(pr && pr->message && pr->code == MLOPS_E_INTEGRITY);
            }
            FUZZ_CHECK(mlops_package_report_problem(rep, in->problem_count) == NULL);
        }
        mlops_package_report_free(rep);
    }
    close(fd);
    return 0;
}

#include "fuzz_tar_mutator.h"
