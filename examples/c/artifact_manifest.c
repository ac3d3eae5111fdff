/*
 * The artifact layer: a version manifest that says exactly what a model
 * version is (files with sizes and digests, metrics, parameters, its parent),
 * written as canonical JSON and named by its statement digest; and the diff a
 * CI job posts when a new version is proposed.
 *
 *   artifact_manifest
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdio.h>
#include <string.h>

#include <mlops.h>

static int fail(void)
{
    fprintf(stderr, "error: %s\n", mlops_error_last());
    return 1;
}

/* Build one version whose single model file has the given bytes. */
static int build(mlops_manifest **out, const char *version, const char *weights, double auc,
                 const mlops_manifest *parent)
{
    uint8_t d[MLOPS_SHA256_SIZE];
    char digest[MLOPS_DIGEST_STRING_SIZE];
    mlops_manifest_builder *b = NULL;
    int rc = mlops_digest_buffer(d, weights, strlen(weights));
    if (!rc)
        rc = mlops_digest_format(digest, d);
    if (!rc)
        rc = mlops_manifest_builder_new(&b, "fraud-detector", version, "2026-11-26T09:00:00Z");
    if (!rc)
        rc = mlops_manifest_builder_add_file(b, "model/model.onnx", strlen(weights),
                                             digest + 7, /* the hex part */
                                             "application/vnd.cncf.model.weight.v1.raw",
                                             "model");
    if (!rc)
        rc = mlops_manifest_builder_set_metric(b, "auc", auc);
    if (!rc && parent)
        rc = mlops_manifest_builder_set_parent_manifest(b, parent);
    if (!rc)
        rc = mlops_manifest_builder_finish(out, b);
    mlops_manifest_builder_free(b);
    return rc;
}

int main(void)
{
    mlops_manifest *v1 = NULL, *v2 = NULL;
    if (build(&v1, "1.0.0", "weights of version one", 0.912, NULL) != 0 ||
        build(&v2, "1.1.0", "weights of version two", 0.925, v1) != 0)
        return fail();
    printf("1.0.0 statement %s\n", mlops_manifest_info(v1)->statement_digest);
    printf("1.1.0 statement %s (parent link checked: %s)\n",
           mlops_manifest_info(v2)->statement_digest,
           mlops_manifest_check_parent(v2, v1) == 0 ? "yes" : mlops_error_last());

    mlops_manifest_diff *diff = NULL;
    mlops_buf json = MLOPS_BUF_INIT;
    if (mlops_manifest_diff_new(&diff, v1, v2, 0) != 0 ||
        mlops_manifest_diff_write_json(&json, diff, 0) != 0)
        return fail();
    printf("diff: %s\n", json.data);

    mlops_buf_dispose(&json);
    mlops_manifest_diff_free(diff);
    mlops_manifest_free(v2);
    mlops_manifest_free(v1);
    return 0;
}
