/*
 * Manifests to bytes: the canonical form that is hashed and signed, the
 * pretty form for people, and the two digests.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>

#include "artifact/manifest.h"
#include "core/error.h"
#include "mlops/digest.h"

void mlops__manifest_hex(char *out, const uint8_t *bytes, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[bytes[i] >> 4];
        out[2 * i + 1] = digits[bytes[i] & 15];
    }
    out[2 * n] = '\0';
}

static int canonical_digest(uint8_t out[32], const mlops__json *v)
{
    mlops_buf buf = MLOPS_BUF_INIT;
    int rc = mlops__json_write_canonical(&buf, v);
    if (!rc)
        rc = mlops_digest_buffer(out, buf.data, buf.size);
    mlops_buf_dispose(&buf);
    return rc;
}

int mlops__manifest_digests(mlops_manifest *m)
{
    /* One canonical write at a time, so peak memory holds one copy. */
    int rc = canonical_digest(m->tree, m->files_node);
    if (!rc)
        rc = canonical_digest(m->statement, mlops__json_root(m->doc));
    if (rc)
        return rc;
    mlops__manifest_hex(m->tree_hex, m->tree, 32);
    mlops__manifest_hex(m->statement_hex, m->statement, 32);
    return 0;
}

int mlops_manifest_write_canonical(mlops_buf *out, const mlops_manifest *m)
{
    MLOPS__CHECK_ARG(out);
    MLOPS__CHECK_ARG(m);
    return mlops__json_write_canonical(out, mlops__json_root(m->doc));
}

int mlops_manifest_write_pretty(mlops_buf *out, const mlops_manifest *m)
{
    MLOPS__CHECK_ARG(out);
    MLOPS__CHECK_ARG(m);
    return mlops__json_write_pretty(out, mlops__json_root(m->doc));
}

int mlops_manifest_tree_digest(uint8_t out[32], const mlops_manifest *m)
{
    MLOPS__CHECK_ARG(out);
    MLOPS__CHECK_ARG(m);
    memcpy(out, m->tree, 32);
    return 0;
}

int mlops_manifest_statement_digest(uint8_t out[32], const mlops_manifest *m)
{
    MLOPS__CHECK_ARG(out);
    MLOPS__CHECK_ARG(m);
    memcpy(out, m->statement, 32);
    return 0;
}

const char *mlops_manifest_tree_sha256(const mlops_manifest *m)
{
    return m ? m->tree_hex : NULL;
}

const char *mlops_manifest_statement_sha256(const mlops_manifest *m)
{
    return m ? m->statement_hex : NULL;
}

int mlops_manifest_equal(const mlops_manifest *a, const mlops_manifest *b)
{
    return a && b && memcmp(a->statement, b->statement, 32) == 0;
}
