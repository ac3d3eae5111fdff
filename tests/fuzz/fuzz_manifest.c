/*
 * Fuzz target: version manifests. Any byte string either fails to parse with
 * a recorded error or gives a manifest whose canonical and pretty forms parse
 * back to the same statement, which validates and diffs against itself as
 * "same".
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mlops.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(x)         \
    do {                 \
        if (!(x))        \
            abort();     \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mlops_manifest *m = NULL;
    int rc = mlops_manifest_parse(&m, (const char *)data, size, NULL);
    if (rc) {
        CHECK(m == NULL);
        CHECK(rc < 0 && mlops_error_last_code() == rc);
        CHECK(mlops_error_last()[0] != '\0');
        return 0;
    }
    mlops_buf canon = MLOPS_BUF_INIT, pretty = MLOPS_BUF_INIT, again = MLOPS_BUF_INIT;
    mlops_manifest *m2 = NULL, *m3 = NULL;
    mlops_manifest_diff *d = NULL;
    CHECK(mlops_manifest_write_json(&canon, m, 0) == 0);
    CHECK(mlops_manifest_write_json(&pretty, m, MLOPS_JSON_PRETTY) == 0);
    CHECK(mlops_manifest_parse(&m2, canon.data, canon.size, NULL) == 0);
    CHECK(mlops_manifest_parse(&m3, pretty.data, pretty.size, NULL) == 0);
    CHECK(mlops_manifest_write_json(&again, m3, 0) == 0);
    CHECK(again.size == canon.size && memcmp(again.data, canon.data, canon.size) == 0);
    CHECK(mlops_manifest_equal(m, m2) && mlops_manifest_equal(m, m3));
    /* The statement digest is SHA-256 of exactly the canonical bytes. */
    uint8_t want[32], got[32];
    CHECK(mlops_digest_buffer(want, canon.data, canon.size) == 0);
    CHECK(mlops_manifest_statement_digest(got, m) == 0);
    CHECK(memcmp(want, got, 32) == 0);
    CHECK(mlops_manifest_validate(m) == 0);
    CHECK(mlops_manifest_diff_new(&d, m, m2, 0) == 0);
    CHECK(mlops_manifest_diff_relation(d) == MLOPS_MANIFEST_SAME);
    CHECK(mlops_manifest_diff_file_count(d) == 0);
    CHECK(mlops_manifest_diff_parameter_count(d) == 0);
    CHECK(mlops_manifest_diff_dataset_count(d) == 0);
    CHECK(mlops_manifest_diff_unchanged_dataset_count(d) == mlops_manifest_dataset_count(m));
    CHECK(mlops_manifest_diff_code_change(d) == MLOPS_MANIFEST_UNCHANGED);
    mlops_buf_dispose(&again);
    CHECK(mlops_manifest_diff_write_json(&again, d, 0) == 0);
    for (size_t i = 0; i < mlops_manifest_file_count(m); i++) {
        const char *p = mlops_manifest_file_path(m, i);
        CHECK(mlops_manifest_path_check(p, strlen(p)) == 0);
        CHECK(mlops_manifest_file_find(m, p) == i);
        for (size_t j = 0; j < mlops_manifest_file_shard_count(m, i); j++)
            CHECK(mlops_manifest_file_shard(NULL, NULL, NULL, m, i, j) == 0);
        /* The info structs tell the same, digests in the sha256: spelling. */
        const mlops_manifest_file_info *fi = mlops_manifest_file(m, i);
        CHECK(fi && strcmp(fi->path, p) == 0 && fi->file_size == mlops_manifest_file_size(m, i));
        CHECK(strncmp(fi->digest, "sha256:", 7) == 0 &&
              strcmp(fi->digest + 7, mlops_manifest_file_sha256(m, i)) == 0);
        for (size_t j = 0; j < fi->shard_count; j++) {
            const mlops_manifest_shard_info *si = mlops_manifest_file_shard_info(m, i, j);
            uint64_t off = 0, len = 0;
            const char *hex = NULL;
            CHECK(mlops_manifest_file_shard(&off, &len, &hex, m, i, j) == 0);
            CHECK(si && si->offset == off && si->length == len && strcmp(si->digest + 7, hex) == 0);
        }
        CHECK(mlops_manifest_file_shard_info(m, i, fi->shard_count) == NULL);
    }
    const struct mlops_manifest_info *mi = mlops_manifest_info(m);
    CHECK(mi && mi->n_files == mlops_manifest_file_count(m) && mlops_manifest_file(m, mi->n_files) == NULL);
    CHECK(strcmp(mi->tree_digest + 7, mlops_manifest_tree_sha256(m)) == 0);
    CHECK(mlops_manifest_dataset(m, mi->n_datasets) == NULL);
    CHECK(mlops_manifest_parameter(m, mi->n_parameters) == NULL);
    CHECK(mlops_manifest_metric(m, mi->n_metrics) == NULL);
    CHECK(mlops_manifest_annotation(m, mi->n_annotations) == NULL);
    for (size_t i = 0; i < mi->n_datasets; i++) {
        const mlops_manifest_dataset_info *di = mlops_manifest_dataset(m, i);
        const char *hex = mlops_manifest_dataset_sha256(m, i);
        CHECK(di && (hex ? di->digest && strcmp(di->digest + 7, hex) == 0 : !di->digest));
    }
    for (size_t i = 0; i < mi->n_parameters; i++)
        CHECK(strcmp(mlops_manifest_parameter(m, i)->json, mlops_manifest_parameter_json(m, i)) == 0);
    const struct mlops_manifest_diff_info *di = mlops_manifest_diff_info(d);
    CHECK(di && di->relation == MLOPS_MANIFEST_SAME && di->n_files == 0 &&
          di->n_metrics == mi->n_metrics && mlops_manifest_diff_metric(d, di->n_metrics) == NULL);
    mlops_manifest_diff_free(d);
    mlops_buf_dispose(&canon);
    mlops_buf_dispose(&pretty);
    mlops_buf_dispose(&again);
    mlops_manifest_free(m);
    mlops_manifest_free(m2);
    mlops_manifest_free(m3);
    return 0;
}
