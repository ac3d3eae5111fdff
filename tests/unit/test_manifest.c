/*
 * Version manifests: fixed examples whose canonical bytes, digests and diff
 * come from an independent Python oracle (tests/vectors/manifest/
 * make_expected.py, cross-checked with sha256sum), builder/parser round
 * trips, every bad-input rule, and out-of-memory loops.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <math.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mlops.h"
#include "oom.h"

/* `sha256sum tests/vectors/manifest/{parent,child}.json`, equal to the
 * statement digests make_expected.py computed. */
#define PARENT_STATEMENT "775758787f41f0455c8d8559fdc9ffdfdeed2e72aef7253c2e11af0893c986ad"
#define CHILD_STATEMENT "44b3b0006cb3c1398b5dfb8e4c8901c686474731c26e6f1cb743fa850324a911"
#define PARENT_TREE "622b8878209ef3116e07f474a1154bc04188dcf99aaf60e09db8ab9c930640e1"
#define CHILD_TREE "a52d7d1b5d50ccf1bacb1362738f27524b6072479fe91f3ae7516d52af4ec2e6"

/* ---- helpers ---- */

static char *read_vector(const char *name, size_t *len)
{
    const char *dir = getenv("MLOPS_VECTORS");
    assert_non_null(dir);
    char path[1024];
    snprintf(path, sizeof path, "%s/manifest/%s", dir, name);
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *d = malloc((size_t)n + 1);
    assert_non_null(d);
    assert_int_equal(fread(d, 1, (size_t)n, f), (size_t)n);
    d[n] = '\0';
    fclose(f);
    *len = (size_t)n;
    return d;
}

static mlops_manifest *parse_vector(const char *name)
{
    size_t len = 0;
    char *d = read_vector(name, &len);
    mlops_manifest *m = NULL;
    int rc = mlops_manifest_parse(&m, d, len, NULL);
    if (rc)
        fail_msg("%s: %d %s", name, rc, mlops_error_last());
    free(d);
    return m;
}

static void hex_of(char out[65], const char *text)
{
    uint8_t d[32];
    char s[MLOPS_DIGEST_STRING_SIZE];
    assert_int_equal(mlops_digest_buffer(d, text, strlen(text)), 0);
    assert_int_equal(mlops_digest_format(s, d), 0);
    memcpy(out, s + 7, 65);
}

static void assert_canonical_is(const mlops_manifest *m, const char *vector)
{
    size_t len = 0;
    char *want = read_vector(vector, &len);
    mlops_buf out = MLOPS_BUF_INIT;
    assert_int_equal(mlops_manifest_write_json(&out, m, 0), 0);
    assert_int_equal(out.size, len);
    assert_memory_equal(out.data, want, len);
    mlops_buf_dispose(&out);
    free(want);
}

/* The parent of make_expected.py, built through the API (files out of order). */
static int build_parent(mlops_manifest **out)
{
    mlops_manifest_builder *b = NULL;
    char h[65];
    int rc = mlops_manifest_builder_new(&b, "fraud-detector", "1.3.2", "2026-10-01T08:30:00Z");
    if (rc)
        return rc;
#define TRY(x)            \
    do {                  \
        if ((rc = (x)))   \
            goto done;    \
    } while (0)
    TRY(mlops_manifest_builder_set_description(b, "Gradient-boosted fraud scorer"));
    TRY(mlops_manifest_builder_set_framework(b, "onnx", "1.17"));
    hex_of(h, "model v1");
    TRY(mlops_manifest_builder_add_file(b, "model/model.onnx", 1234567, h,
                                        "application/vnd.cncf.model.weight.v1.raw", "model"));
    hex_of(h, "config v1");
    TRY(mlops_manifest_builder_add_file(b, "config.json", 512, h,
                                        "application/vnd.cncf.model.weight.config.v1.raw",
                                        "config"));
    hex_of(h, "vocab");
    TRY(mlops_manifest_builder_add_file(b, "tokenizer/vocab.txt", 2048, h, NULL, "config"));
    hex_of(h, "notes");
    TRY(mlops_manifest_builder_add_file(b, "extra/notes.txt", 10, h,
                                        "application/vnd.cncf.model.doc.v1.raw", "doc"));
    hex_of(h, "train 09");
    TRY(mlops_manifest_builder_add_dataset(b, "train-2026-09", "s3://data/fraud/train-2026-09",
                                           "train", h));
    TRY(mlops_manifest_builder_set_dataset_foreign_digest(
        b, "train-2026-09", "md5", "dvc3", "8d777f385d3dfec8815d20f7496026dc.dir"));
    TRY(mlops_manifest_builder_set_parameter_number(b, "learning_rate", 0.01));
    TRY(mlops_manifest_builder_set_parameter_int(b, "max_depth", 8));
    TRY(mlops_manifest_builder_set_parameter_string(b, "optimizer", "adam"));
    TRY(mlops_manifest_builder_set_parameter_bool(b, "early_stopping", 1));
    TRY(mlops_manifest_builder_set_metric(b, "auc", 0.9));
    TRY(mlops_manifest_builder_set_metric(b, "p99_latency_ms", 45.25));
    TRY(mlops_manifest_builder_set_metric(b, "f1", 0));
    TRY(mlops_manifest_builder_set_metric(b, "logloss", 0.35));
    TRY(mlops_manifest_builder_set_code(b, "https://git.example/fraud.git",
                                        "0123456789abcdef0123456789abcdef01234567"));
    TRY(mlops_manifest_builder_set_annotation(b, "team", "risk"));
    TRY(mlops_manifest_builder_finish(out, b));
done:
    mlops_manifest_builder_free(b);
    return rc;
}

static int build_child(mlops_manifest **out, const mlops_manifest *parent)
{
    mlops_manifest_builder *b = NULL;
    char h[65], s0[65], s1[65], s2[65];
    int rc = mlops_manifest_builder_new(&b, "fraud-detector", "1.4.0-rc.1",
                                        "2026-11-26T09:00:00Z");
    if (rc)
        return rc;
    TRY(mlops_manifest_builder_set_description(
        b, "Gradient-boosted fraud scorer, retrained on November data"));
    TRY(mlops_manifest_builder_set_framework(b, "onnx", "1.17"));
    hex_of(h, "readme");
    TRY(mlops_manifest_builder_add_file(b, "README.md", 300, h,
                                        "application/vnd.cncf.model.doc.v1.raw", "doc"));
    hex_of(h, "vocab");
    TRY(mlops_manifest_builder_add_file(b, "tokenizer/vocab.txt", 2048, h, NULL, "config"));
    hex_of(h, "model v2");
    TRY(mlops_manifest_builder_add_file(b, "model/model.onnx", 1300000, h,
                                        "application/vnd.cncf.model.weight.v1.raw", "model"));
    hex_of(h, "config v2");
    TRY(mlops_manifest_builder_add_file(b, "config.json", 512, h,
                                        "application/vnd.cncf.model.weight.config.v1.raw",
                                        "config"));
    hex_of(s0, "model v2 shard 0");
    hex_of(s1, "model v2 shard 1");
    hex_of(s2, "model v2 shard 2");
    const char *shards[] = {s0, s1, s2};
    TRY(mlops_manifest_builder_set_file_shards(b, "model/model.onnx", 524288, shards, 3));
    hex_of(h, "train 11");
    TRY(mlops_manifest_builder_add_dataset(b, "train-2026-11", "s3://data/fraud/train-2026-11",
                                           "train", h));
    TRY(mlops_manifest_builder_set_dataset_foreign_digest(
        b, "train-2026-11", "md5", "dvc3", "3f2c1d5e6a7b8c9d0e1f2a3b4c5d6e7f.dir"));
    TRY(mlops_manifest_builder_add_dataset(b, "eval-2026-11", "s3://data/fraud/eval-2026-11",
                                           "eval", NULL));
    TRY(mlops_manifest_builder_set_parameter_json(b, "learning_rate", "0.005"));
    TRY(mlops_manifest_builder_set_parameter_int(b, "max_depth", 8));
    TRY(mlops_manifest_builder_set_parameter_json(b, "optimizer", "\"adam\""));
    TRY(mlops_manifest_builder_set_parameter_int(b, "batch_size", 256));
    TRY(mlops_manifest_builder_set_metric(b, "auc", 0.912));
    TRY(mlops_manifest_builder_set_metric(b, "p99_latency_ms", 41.5));
    TRY(mlops_manifest_builder_set_metric(b, "f1", 0.5));
    TRY(mlops_manifest_builder_set_metric(b, "recall", 0.8));
    TRY(mlops_manifest_builder_set_parent_manifest(b, parent));
    TRY(mlops_manifest_builder_set_code(b, "https://git.example/fraud.git",
                                        "89abcdef0123456789abcdef0123456789abcdef"));
    TRY(mlops_manifest_builder_set_annotation(b, "ticket", "FRAUD-1234"));
    TRY(mlops_manifest_builder_set_annotation(b, "team", "risk"));
    TRY(mlops_manifest_builder_finish(out, b));
done:
    mlops_manifest_builder_free(b);
    return rc;
}

/* ---- fixed examples ---- */

static void fixed_examples_have_pinned_digests(void **state)
{
    (void)state;
    mlops_manifest *p = parse_vector("parent.json");
    mlops_manifest *c = parse_vector("child.json");
    assert_string_equal(mlops_manifest_statement_sha256(p), PARENT_STATEMENT);
    assert_string_equal(mlops_manifest_tree_sha256(p), PARENT_TREE);
    assert_string_equal(mlops_manifest_statement_sha256(c), CHILD_STATEMENT);
    assert_string_equal(mlops_manifest_tree_sha256(c), CHILD_TREE);
    uint8_t d[32];
    char s[MLOPS_DIGEST_STRING_SIZE];
    assert_int_equal(mlops_manifest_statement_digest(d, c), 0);
    assert_int_equal(mlops_digest_format(s, d), 0);
    assert_string_equal(s + 7, CHILD_STATEMENT);
    assert_int_equal(mlops_manifest_tree_digest(d, c), 0);
    assert_int_equal(mlops_digest_format(s, d), 0);
    assert_string_equal(s + 7, CHILD_TREE);
    /* The vectors are canonical already: writing gives the same bytes. */
    assert_canonical_is(p, "parent.json");
    assert_canonical_is(c, "child.json");
    /* And expected.txt agrees with the pinned constants. */
    size_t len = 0;
    char *exp = read_vector("expected.txt", &len);
    assert_non_null(strstr(exp, "child.statement " CHILD_STATEMENT "\n"));
    assert_non_null(strstr(exp, "parent.statement " PARENT_STATEMENT "\n"));
    assert_non_null(strstr(exp, "child.tree " CHILD_TREE "\n"));
    assert_non_null(strstr(exp, "parent.tree " PARENT_TREE "\n"));
    free(exp);
    mlops_manifest_free(p);
    mlops_manifest_free(c);
}

static void built_manifests_equal_the_oracle_bytes(void **state)
{
    (void)state;
    mlops_manifest *p = NULL, *c = NULL;
    if (build_parent(&p))
        fail_msg("build_parent: %s", mlops_error_last());
    assert_canonical_is(p, "parent.json");
    assert_string_equal(mlops_manifest_statement_sha256(p), PARENT_STATEMENT);
    if (build_child(&c, p))
        fail_msg("build_child: %s", mlops_error_last());
    assert_canonical_is(c, "child.json");
    assert_string_equal(mlops_manifest_statement_sha256(c), CHILD_STATEMENT);
    mlops_manifest *pc = parse_vector("child.json");
    assert_true(mlops_manifest_equal(c, pc));
    assert_false(mlops_manifest_equal(c, p));
    assert_false(mlops_manifest_equal(c, NULL));
    assert_int_equal(mlops_manifest_validate(c), 0);
    mlops_manifest_free(pc);
    mlops_manifest_free(c);
    mlops_manifest_free(p);
}

static void accessors_read_every_field(void **state)
{
    (void)state;
    mlops_manifest *m = parse_vector("child.json");
    assert_string_equal(mlops_manifest_name(m), "fraud-detector");
    assert_string_equal(mlops_manifest_version(m), "1.4.0-rc.1");
    assert_string_equal(mlops_manifest_created(m), "2026-11-26T09:00:00Z");
    assert_string_equal(mlops_manifest_description(m),
                        "Gradient-boosted fraud scorer, retrained on November data");
    assert_string_equal(mlops_manifest_framework_name(m), "onnx");
    assert_string_equal(mlops_manifest_framework_version(m), "1.17");

    char h[65];
    assert_int_equal(mlops_manifest_file_count(m), 4);
    assert_string_equal(mlops_manifest_file_path(m, 0), "README.md");
    assert_string_equal(mlops_manifest_file_path(m, 1), "config.json");
    assert_string_equal(mlops_manifest_file_path(m, 2), "model/model.onnx");
    assert_string_equal(mlops_manifest_file_path(m, 3), "tokenizer/vocab.txt");
    assert_null(mlops_manifest_file_path(m, 4));
    assert_int_equal(mlops_manifest_file_size(m, 2), 1300000);
    hex_of(h, "model v2");
    assert_string_equal(mlops_manifest_file_sha256(m, 2), h);
    assert_string_equal(mlops_manifest_file_media_type(m, 2),
                        "application/vnd.cncf.model.weight.v1.raw");
    assert_null(mlops_manifest_file_media_type(m, 3));
    assert_string_equal(mlops_manifest_file_role(m, 3), "config");
    assert_int_equal(mlops_manifest_file_find(m, "model/model.onnx"), 2);
    assert_int_equal(mlops_manifest_file_find(m, "README.md"), 0);
    assert_int_equal(mlops_manifest_file_find(m, "tokenizer/vocab.txt"), 3);
    assert_int_equal(mlops_manifest_file_find(m, "readme.md"), (size_t)-1);

    assert_int_equal(mlops_manifest_file_shard_count(m, 2), 3);
    assert_int_equal(mlops_manifest_file_shard_size(m, 2), 524288);
    assert_int_equal(mlops_manifest_file_shard_count(m, 1), 0);
    uint64_t off = 0, sz = 0;
    const char *sh = NULL;
    assert_int_equal(mlops_manifest_file_shard(&off, &sz, &sh, m, 2, 2), 0);
    assert_int_equal(off, 1048576);
    assert_int_equal(sz, 1300000 - 1048576);
    hex_of(h, "model v2 shard 2");
    assert_string_equal(sh, h);
    assert_int_equal(mlops_manifest_file_shard(&off, NULL, NULL, m, 2, 3), MLOPS_E_NOTFOUND);
    assert_int_equal(mlops_manifest_file_shard(&off, NULL, NULL, m, 9, 0), MLOPS_E_NOTFOUND);

    assert_int_equal(mlops_manifest_dataset_count(m), 2);
    assert_string_equal(mlops_manifest_dataset_name(m, 0), "train-2026-11");
    assert_string_equal(mlops_manifest_dataset_role(m, 0), "train");
    assert_string_equal(mlops_manifest_dataset_foreign_alg(m, 0), "md5");
    assert_string_equal(mlops_manifest_dataset_foreign_scheme(m, 0), "dvc3");
    assert_string_equal(mlops_manifest_dataset_foreign_value(m, 0),
                        "3f2c1d5e6a7b8c9d0e1f2a3b4c5d6e7f.dir");
    assert_string_equal(mlops_manifest_dataset_name(m, 1), "eval-2026-11");
    assert_string_equal(mlops_manifest_dataset_uri(m, 1), "s3://data/fraud/eval-2026-11");
    assert_null(mlops_manifest_dataset_sha256(m, 1));
    assert_null(mlops_manifest_dataset_foreign_alg(m, 1));

    /* Canonical key order. */
    assert_int_equal(mlops_manifest_parameter_count(m), 4);
    assert_string_equal(mlops_manifest_parameter_name(m, 0), "batch_size");
    assert_string_equal(mlops_manifest_parameter_name(m, 1), "learning_rate");
    assert_string_equal(mlops_manifest_parameter_name(m, 2), "max_depth");
    assert_string_equal(mlops_manifest_parameter_name(m, 3), "optimizer");
    assert_int_equal(mlops_manifest_parameter_type(m, 1), MLOPS_MANIFEST_VALUE_NUMBER);
    assert_true(mlops_manifest_parameter_number(m, 1) == 0.005);
    assert_string_equal(mlops_manifest_parameter_json(m, 1), "0.005");
    assert_string_equal(mlops_manifest_parameter_json(m, 0), "256");
    assert_int_equal(mlops_manifest_parameter_type(m, 3), MLOPS_MANIFEST_VALUE_STRING);
    assert_string_equal(mlops_manifest_parameter_string(m, 3), "adam");
    assert_string_equal(mlops_manifest_parameter_json(m, 3), "\"adam\"");
    assert_int_equal(mlops_manifest_parameter_bool(m, 3), -1);
    assert_true(isnan(mlops_manifest_parameter_number(m, 3)));
    assert_int_equal(mlops_manifest_parameter_type(m, 4), MLOPS_MANIFEST_VALUE_NONE);

    assert_int_equal(mlops_manifest_metric_count(m), 4);
    assert_string_equal(mlops_manifest_metric_name(m, 0), "auc");
    assert_true(mlops_manifest_metric_value(m, 0) == 0.912);
    assert_string_equal(mlops_manifest_metric_name(m, 3), "recall");
    assert_true(isnan(mlops_manifest_metric_value(m, 4)));

    assert_int_equal(mlops_manifest_annotation_count(m), 2);
    assert_string_equal(mlops_manifest_annotation_key(m, 0), "team");
    assert_string_equal(mlops_manifest_annotation_value(m, 1), "FRAUD-1234");

    assert_true(mlops_manifest_has_parent(m));
    assert_string_equal(mlops_manifest_parent_name(m), "fraud-detector");
    assert_string_equal(mlops_manifest_parent_version(m), "1.3.2");
    assert_string_equal(mlops_manifest_parent_sha256(m), PARENT_STATEMENT);
    assert_string_equal(mlops_manifest_code_uri(m), "https://git.example/fraud.git");
    assert_string_equal(mlops_manifest_code_commit(m),
                        "89abcdef0123456789abcdef0123456789abcdef");
    /* A duplicate is another reference: it outlives the first one freed. */
    mlops_manifest *d1 = NULL, *d2 = NULL;
    assert_int_equal(mlops_manifest_dup(&d1, m), 0);
    assert_int_equal(mlops_manifest_dup(&d2, d1), 0);
    assert_ptr_equal(d1, m);
    mlops_manifest_free(m);
    mlops_manifest_free(d1);
    assert_string_equal(mlops_manifest_name(d2), "fraud-detector");
    assert_string_equal(mlops_manifest_parent_version(d2), "1.3.2");
    mlops_manifest_free(d2);
    d1 = NULL;
    assert_int_equal(mlops_manifest_dup(&d1, NULL), MLOPS_E_INVALID);
    assert_null(d1);

    /* NULL and out-of-range are harmless. */
    assert_null(mlops_manifest_name(NULL));
    assert_int_equal(mlops_manifest_file_count(NULL), 0);
    assert_int_equal(mlops_manifest_file_find(NULL, "x"), (size_t)-1);
    assert_int_equal(mlops_manifest_default_shard_size(), 268435456);
}

static void parse_write_parse_write_is_byte_identical(void **state)
{
    (void)state;
    const char *names[] = {"parent.json", "child.json"};
    for (size_t k = 0; k < 2; k++) {
        mlops_manifest *m = parse_vector(names[k]);
        mlops_buf pretty = MLOPS_BUF_INIT, c1 = MLOPS_BUF_INIT, c2 = MLOPS_BUF_INIT;
        assert_int_equal(mlops_manifest_write_json(&pretty, m, MLOPS_JSON_PRETTY), 0);
        assert_true(pretty.size > 0 && pretty.data[pretty.size - 1] == '\n');
        mlops_manifest *m2 = NULL, *m3 = NULL;
        assert_int_equal(mlops_manifest_parse(&m2, pretty.data, pretty.size, NULL), 0);
        assert_true(mlops_manifest_equal(m, m2));
        assert_int_equal(mlops_manifest_write_json(&c1, m2, 0), 0);
        /* The statement digest is the SHA-256 of exactly these bytes. */
        uint8_t want[32], got[32];
        assert_int_equal(mlops_digest_buffer(want, c1.data, c1.size), 0);
        assert_int_equal(mlops_manifest_statement_digest(got, m2), 0);
        assert_memory_equal(want, got, 32);
        assert_int_equal(mlops_manifest_parse(&m3, c1.data, c1.size, NULL), 0);
        assert_int_equal(mlops_manifest_write_json(&c2, m3, 0), 0);
        assert_int_equal(c1.size, c2.size);
        assert_memory_equal(c1.data, c2.data, c1.size);
        assert_canonical_is(m3, names[k]);
        mlops_buf_dispose(&pretty);
        mlops_buf_dispose(&c1);
        mlops_buf_dispose(&c2);
        mlops_manifest_free(m);
        mlops_manifest_free(m2);
        mlops_manifest_free(m3);
    }
}

static void parent_link_is_checked(void **state)
{
    (void)state;
    mlops_manifest *p = parse_vector("parent.json");
    mlops_manifest *c = parse_vector("child.json");
    assert_int_equal(mlops_manifest_check_parent(c, p), 0);
    assert_int_equal(mlops_manifest_check_parent(c, c), MLOPS_E_INTEGRITY);
    assert_string_equal(mlops_error_last_path(), "$.predicate.parent.version");
    assert_int_equal(mlops_manifest_check_parent(p, c), MLOPS_E_NOTFOUND);
    assert_false(mlops_manifest_has_parent(p));
    assert_null(mlops_manifest_parent_sha256(p));
    assert_int_equal(mlops_manifest_check_parent(NULL, p), MLOPS_E_INVALID);

    /* A link with the right name and version but another digest. */
    mlops_manifest_builder *b = NULL;
    mlops_manifest *fake = NULL;
    assert_int_equal(mlops_manifest_builder_new(&b, "fraud-detector", "1.4.0",
                                                "2026-11-26T09:00:00Z"),
                     0);
    assert_int_equal(mlops_manifest_builder_set_parent(b, "fraud-detector", "1.3.2",
                                                       CHILD_STATEMENT),
                     0);
    assert_int_equal(mlops_manifest_builder_finish(&fake, b), 0);
    assert_int_equal(mlops_manifest_check_parent(fake, p), MLOPS_E_INTEGRITY);
    assert_string_equal(mlops_error_last_path(), "$.predicate.parent.digest.sha256");
    assert_non_null(strstr(mlops_error_last(), PARENT_STATEMENT));
    mlops_manifest_free(fake);
    mlops_manifest_builder_free(b);
    mlops_manifest_free(p);
    mlops_manifest_free(c);
}

/* ---- diff ---- */

/* A metric delta that overflows is +inf: written as "Infinity", apart from
 * the null of an undefined relative delta (old value 0). */
static mlops_manifest *with_metrics(double loss, double zero)
{
    mlops_manifest_builder *b = NULL;
    mlops_manifest *m = NULL;
    assert_int_equal(mlops_manifest_builder_new(&b, "m", "1.0.0", "2026-11-26T09:00:00Z"), 0);
    static const char zeros[] =
        "0000000000000000000000000000000000000000000000000000000000000000";
    assert_int_equal(mlops_manifest_builder_add_file(b, "w.bin", 1, zeros, NULL, NULL), 0);
    assert_int_equal(mlops_manifest_builder_set_metric(b, "loss", loss), 0);
    assert_int_equal(mlops_manifest_builder_set_metric(b, "zero", zero), 0);
    assert_int_equal(mlops_manifest_builder_finish(&m, b), 0);
    mlops_manifest_builder_free(b);
    return m;
}

static void diff_writes_an_infinite_delta_apart_from_null(void **state)
{
    (void)state;
    mlops_manifest *a = with_metrics(-1.7976931348623157e308, 0);
    mlops_manifest *c = with_metrics(1.7976931348623157e308, 1);
    mlops_manifest_diff *d = NULL;
    assert_int_equal(mlops_manifest_diff_new(&d, a, c, 0), 0);
    mlops_buf out = MLOPS_BUF_INIT;
    assert_int_equal(mlops_manifest_diff_write_json(&out, d, 0), 0);
    assert_non_null(strstr(out.data, "\"delta\":\"Infinity\""));
    assert_non_null(strstr(out.data, "\"relative\":null"));
    mlops_buf_dispose(&out);
    mlops_manifest_diff_free(d);
    mlops_manifest_free(a);
    mlops_manifest_free(c);
}


static void diff_matches_the_oracle(void **state)
{
    (void)state;
    mlops_manifest *p = parse_vector("parent.json");
    mlops_manifest *c = parse_vector("child.json");
    mlops_manifest_diff *d = NULL;
    assert_int_equal(mlops_manifest_diff_new(&d, p, c, 0), 0);
    size_t len = 0;
    char *want = read_vector("diff.json", &len);
    mlops_buf out = MLOPS_BUF_INIT;
    assert_int_equal(mlops_manifest_diff_write_json(&out, d, 0), 0);
    if (out.size != len || memcmp(out.data, want, len) != 0)
        fail_msg("diff JSON differs from the oracle:\n%s\n%s", out.data, want);
    mlops_buf_dispose(&out);
    free(want);

    assert_int_equal(mlops_manifest_diff_relation(d), MLOPS_MANIFEST_B_CHILD_OF_A);
    assert_int_equal(mlops_manifest_diff_file_count(d), 4);
    assert_int_equal(mlops_manifest_diff_unchanged_file_count(d), 1);
    assert_string_equal(mlops_manifest_diff_file_path(d, 0), "README.md");
    assert_int_equal(mlops_manifest_diff_file_change(d, 0), MLOPS_MANIFEST_ADDED);
    assert_null(mlops_manifest_diff_file_old_sha256(d, 0));
    assert_int_equal(mlops_manifest_diff_file_new_size(d, 0), 300);
    assert_string_equal(mlops_manifest_diff_file_path(d, 2), "extra/notes.txt");
    assert_int_equal(mlops_manifest_diff_file_change(d, 2), MLOPS_MANIFEST_REMOVED);
    assert_int_equal(mlops_manifest_diff_file_old_size(d, 2), 10);
    assert_int_equal(mlops_manifest_diff_file_change(d, 3), MLOPS_MANIFEST_CHANGED);
    assert_int_equal(mlops_manifest_diff_file_old_size(d, 3), 1234567);
    assert_int_equal(mlops_manifest_diff_file_new_size(d, 3), 1300000);

    assert_int_equal(mlops_manifest_diff_parameter_count(d), 3);
    assert_string_equal(mlops_manifest_diff_parameter_name(d, 0), "batch_size");
    assert_int_equal(mlops_manifest_diff_parameter_change(d, 0), MLOPS_MANIFEST_ADDED);
    assert_null(mlops_manifest_diff_parameter_old_json(d, 0));
    assert_string_equal(mlops_manifest_diff_parameter_name(d, 1), "early_stopping");
    assert_string_equal(mlops_manifest_diff_parameter_old_json(d, 1), "true");
    assert_string_equal(mlops_manifest_diff_parameter_old_json(d, 2), "0.01");
    assert_string_equal(mlops_manifest_diff_parameter_new_json(d, 2), "0.005");

    /* auc, f1, logloss, p99_latency_ms, recall */
    assert_int_equal(mlops_manifest_diff_metric_count(d), 5);
    assert_string_equal(mlops_manifest_diff_metric_name(d, 0), "auc");
    assert_true(mlops_manifest_diff_metric_delta(d, 0) == 0.912 - 0.9);
    assert_true(mlops_manifest_diff_metric_relative(d, 0) == (0.912 - 0.9) / 0.9);
    assert_string_equal(mlops_manifest_diff_metric_name(d, 1), "f1");
    assert_true(mlops_manifest_diff_metric_delta(d, 1) == 0.5);
    assert_true(isnan(mlops_manifest_diff_metric_relative(d, 1))); /* old is 0 */
    assert_int_equal(mlops_manifest_diff_metric_change(d, 2), MLOPS_MANIFEST_REMOVED);
    assert_true(isnan(mlops_manifest_diff_metric_new(d, 2)));
    assert_true(isnan(mlops_manifest_diff_metric_delta(d, 2)));
    assert_true(mlops_manifest_diff_metric_old(d, 3) == 45.25);
    assert_true(mlops_manifest_diff_metric_delta(d, 3) == 41.5 - 45.25);
    assert_int_equal(mlops_manifest_diff_metric_change(d, 4), MLOPS_MANIFEST_ADDED);
    mlops_manifest_diff_free(d);

    /* Reverse and same relations; a pretty diff parses as JSON of the same size class. */
    assert_int_equal(mlops_manifest_diff_new(&d, c, p, 0), 0);
    assert_int_equal(mlops_manifest_diff_relation(d), MLOPS_MANIFEST_A_CHILD_OF_B);
    assert_int_equal(mlops_manifest_diff_file_change(d, 0), MLOPS_MANIFEST_REMOVED);
    mlops_buf pretty = MLOPS_BUF_INIT;
    assert_int_equal(mlops_manifest_diff_write_json(&pretty, d, MLOPS_JSON_PRETTY), 0);
    assert_non_null(strstr(pretty.data, "\"relation\": \"a-child-of-b\""));
    mlops_buf_dispose(&pretty);
    assert_int_equal(mlops_manifest_diff_write_json(&pretty, d, 4), MLOPS_E_INVALID);
    mlops_manifest_diff_free(d);
    assert_int_equal(mlops_manifest_diff_new(&d, c, c, 0), 0);
    assert_int_equal(mlops_manifest_diff_relation(d), MLOPS_MANIFEST_SAME);
    assert_int_equal(mlops_manifest_diff_file_count(d), 0);
    assert_int_equal(mlops_manifest_diff_parameter_count(d), 0);
    assert_int_equal(mlops_manifest_diff_metric_count(d), 4);
    assert_int_equal(mlops_manifest_diff_metric_change(d, 0), MLOPS_MANIFEST_UNCHANGED);
    assert_true(mlops_manifest_diff_metric_delta(d, 0) == 0);
    mlops_manifest_diff_free(d);
    assert_int_equal(mlops_manifest_diff_new(&d, c, p, 1), MLOPS_E_INVALID);
    assert_string_equal(mlops_manifest_relation_name(MLOPS_MANIFEST_UNRELATED), "unrelated");
    assert_string_equal(mlops_manifest_change_name(MLOPS_MANIFEST_CHANGED), "changed");
    mlops_manifest_free(p);
    mlops_manifest_free(c);
}

/* ---- bad input ---- */

static void bad_inputs_fail_with_code_and_path(void **state)
{
    (void)state;
    size_t len = 0;
    char *cases = read_vector("bad/cases.txt", &len);
    int n = 0;
    for (char *line = strtok(cases, "\n"); line; line = strtok(NULL, "\n")) {
        char name[128], code[64], path[256];
        assert_int_equal(sscanf(line, "%127s %63s %255s", name, code, path), 3);
        char file[160];
        snprintf(file, sizeof file, "bad/%s.json", name);
        size_t dl = 0;
        char *data = read_vector(file, &dl);
        mlops_manifest *m = (mlops_manifest *)(uintptr_t)1; /* must stay untouched */
        mlops_error_clear();
        int rc = mlops_manifest_parse(&m, data, dl, NULL);
        if (strcmp(mlops_error_name(rc), code) != 0)
            fail_msg("%s: got %s (%s), want %s", name, mlops_error_name(rc), mlops_error_last(),
                     code);
        assert_true(m == (mlops_manifest *)(uintptr_t)1);
        assert_int_equal(mlops_error_last_code(), rc);
        assert_true(strlen(mlops_error_last()) > 10);
        if (strcmp(path, "-") != 0) {
            if (strcmp(mlops_error_last_path(), path) != 0)
                fail_msg("%s: error path \"%s\", want \"%s\" (%s)", name,
                         mlops_error_last_path(), path, mlops_error_last());
            assert_non_null(strstr(mlops_error_last(), path));
        } else {
            /* JSON syntax errors carry a position. */
            assert_true(mlops_error_last_offset() >= 0);
            assert_true(mlops_error_last_line() >= 1);
        }
        free(data);
        n++;
    }
    assert_true(n >= 20);
    free(cases);
}

static void duplicate_version_key_names_the_key(void **state)
{
    (void)state;
    size_t len = 0;
    char *data = read_vector("bad/duplicate-version.json", &len);
    mlops_manifest *m = NULL;
    assert_int_equal(mlops_manifest_parse(&m, data, len, NULL), MLOPS_E_PARSE);
    assert_non_null(strstr(mlops_error_last(), "version"));
    /* The second "version" key is where the error points. */
    const char *second = strstr(strstr(data, "\"version\":\"1.4.0-rc.1\"") + 1, "\"version\"");
    assert_non_null(second);
    int64_t at = mlops_error_last_offset();
    assert_true(at >= second - data - 1 && at <= second - data + 12);
    free(data);
}

static char *replace_once(const char *s, const char *from, const char *to, size_t *out_len)
{
    const char *at = strstr(s, from);
    assert_non_null(at);
    size_t a = (size_t)(at - s), fl = strlen(from), tl = strlen(to), sl = strlen(s);
    char *r = malloc(sl - fl + tl + 1);
    assert_non_null(r);
    memcpy(r, s, a);
    memcpy(r + a, to, tl);
    memcpy(r + a + tl, at + fl, sl - a - fl + 1);
    *out_len = sl - fl + tl;
    return r;
}

/* Parse `text`; its digests must be `statement` and `tree` (hex) and its
 * canonical bytes exactly `canonical`. */
static void assert_reads_as(const char *text, size_t len, const char *statement,
                            const char *tree, const char *canonical, size_t clen)
{
    mlops_manifest *m = NULL;
    int rc = mlops_manifest_parse(&m, text, len, NULL);
    if (rc)
        fail_msg("%d %s", rc, mlops_error_last());
    assert_string_equal(mlops_manifest_statement_sha256(m), statement);
    assert_string_equal(mlops_manifest_tree_sha256(m), tree);
    assert_int_equal(mlops_manifest_validate(m), 0);
    mlops_buf out = MLOPS_BUF_INIT;
    assert_int_equal(mlops_manifest_write_json(&out, m, 0), 0);
    assert_int_equal(out.size, clen);
    assert_memory_equal(out.data, canonical, clen);
    mlops_buf_dispose(&out);
    mlops_manifest_free(m);
}

/*
 * Canonical input is hashed and written back as it is; anything else (white
 * space, escapes, other number spellings, the helper threads of large
 * statements) must give the same digests and bytes. Oracles: sha256sum of
 * the vector (CHILD_*), and OpenSSL's one-shot SHA-256 of the canonical bytes
 * and of their files array.
 */
static void every_spelling_hashes_and_writes_alike(void **state)
{
    (void)state;
    size_t len = 0, vlen = 0;
    char *child = read_vector("child.json", &len);
    assert_reads_as(child, len, CHILD_STATEMENT, CHILD_TREE, child, len);
    /* Trailing white space: canonical once removed. */
    char *v = malloc(len + 2);
    assert_non_null(v);
    memcpy(v, child, len);
    memcpy(v + len, "\n", 2);
    vlen = len + 1;
    assert_reads_as(v, vlen, CHILD_STATEMENT, CHILD_TREE, child, len);
    free(v);
    /* An escape that decodes to a plain letter. */
    v = replace_once(child, "\"Gradient", "\"\\u0047radient", &vlen);
    assert_reads_as(v, vlen, CHILD_STATEMENT, CHILD_TREE, child, len);
    free(v);
    /* A metric spelled with an exponent. */
    v = replace_once(child, "\"f1\":0.5", "\"f1\":5e-1", &vlen);
    assert_reads_as(v, vlen, CHILD_STATEMENT, CHILD_TREE, child, len);
    free(v);
    free(child);

    /* A statement large enough for the helper threads (over 256 KiB). */
    mlops_manifest_builder *b = NULL;
    assert_int_equal(mlops_manifest_builder_new(&b, "big", "1.0.0", "2026-11-26T09:00:00Z"), 0);
    for (int i = 0; i < 3000; i++) {
        char path[64], h[65];
        snprintf(path, sizeof path, "shards/part-%05d.bin", i);
        hex_of(h, path);
        assert_int_equal(mlops_manifest_builder_add_file(b, path, (uint64_t)i * 7919u, h,
                                                         "application/octet-stream", "model"),
                         0);
    }
    mlops_manifest *built = NULL;
    assert_int_equal(mlops_manifest_builder_finish(&built, b), 0);
    mlops_buf c = MLOPS_BUF_INIT, pretty = MLOPS_BUF_INIT;
    assert_int_equal(mlops_manifest_write_json(&c, built, 0), 0);
    assert_int_equal(mlops_manifest_write_json(&pretty, built, MLOPS_JSON_PRETTY), 0);
    assert_true(c.size > ((size_t)256 << 10));
    uint8_t d[32];
    char statement[MLOPS_DIGEST_STRING_SIZE], tree[MLOPS_DIGEST_STRING_SIZE];
    assert_int_equal(mlops_digest_buffer(d, c.data, c.size), 0);
    assert_int_equal(mlops_digest_format(statement, d), 0);
    const char *files = strstr(c.data, "\"files\":[");
    assert_non_null(files);
    files += 8;
    const char *end = strstr(files, "],\"name\":");
    assert_non_null(end);
    assert_int_equal(mlops_digest_buffer(d, files, (size_t)(end + 1 - files)), 0);
    assert_int_equal(mlops_digest_format(tree, d), 0);
    assert_string_equal(mlops_manifest_statement_sha256(built), statement + 7);
    assert_string_equal(mlops_manifest_tree_sha256(built), tree + 7);
    assert_reads_as(c.data, c.size, statement + 7, tree + 7, c.data, c.size);
    assert_reads_as(pretty.data, pretty.size, statement + 7, tree + 7, c.data, c.size);
    v = replace_once(c.data, "\"mediaType\":\"application", "\"mediaType\":\"\\u0061pplication",
                     &vlen);
    assert_reads_as(v, vlen, statement + 7, tree + 7, c.data, c.size);
    free(v);
    mlops_buf_dispose(&c);
    mlops_buf_dispose(&pretty);
    mlops_manifest_free(built);
    mlops_manifest_builder_free(b);
}

static void huge_string_and_deep_nesting_are_limits(void **state)
{
    (void)state;
    const size_t big = 10u << 20;
    char *s = malloc(big + 3);
    assert_non_null(s);
    s[0] = '"';
    memset(s + 1, 'a', big);
    s[big + 1] = '"';
    s[big + 2] = '\0';
    mlops_manifest *m = NULL;
    /* A 10 MB JSON string as the whole document: not a statement. */
    assert_int_equal(mlops_manifest_parse(&m, s, big + 2, NULL), MLOPS_E_SCHEMA);
    assert_string_equal(mlops_error_last_path(), "$");
    /* A 10 MB description: longer than the field allows. */
    size_t len = 0;
    char *child = read_vector("child.json", &len);
    char *desc = malloc(big + 32);
    assert_non_null(desc);
    snprintf(desc, 32, "\"description\":");
    memcpy(desc + strlen(desc), s, big + 3);
    char *doc = replace_once(
        child, "\"description\":\"Gradient-boosted fraud scorer, retrained on November data\"",
        desc, &len);
    assert_int_equal(mlops_manifest_parse(&m, doc, len, NULL), MLOPS_E_LIMIT);
    assert_string_equal(mlops_error_last_path(), "$.predicate.description");
    /* A caller's lower size limit. */
    mlops_manifest_parse_options o = MLOPS_MANIFEST_PARSE_OPTIONS_INIT;
    o.max_size = 1000;
    assert_int_equal(mlops_manifest_parse(&m, child, strlen(child), &o), MLOPS_E_LIMIT);
    o.max_size = (size_t)1 << 40;
    assert_int_equal(mlops_manifest_parse(&m, child, strlen(child), &o), MLOPS_E_INVALID);
    o.max_size = 0;
    o.version = 99;
    assert_int_equal(mlops_manifest_parse(&m, child, strlen(child), &o), MLOPS_E_VERSION);
    assert_int_equal(mlops_manifest_parse_options_init(&o, sizeof o), 0);
    o.flags = 1;
    assert_int_equal(mlops_manifest_parse(&m, child, strlen(child), &o), MLOPS_E_INVALID);
    assert_null(m);
    free(doc);
    free(desc);
    free(child);
    free(s);

    /* 100,000 nested arrays. */
    const size_t depth = 100000;
    char *nest = malloc(2 * depth + 1);
    assert_non_null(nest);
    memset(nest, '[', depth);
    memset(nest + depth, ']', depth);
    nest[2 * depth] = '\0';
    assert_int_equal(mlops_manifest_parse(&m, nest, 2 * depth, NULL), MLOPS_E_LIMIT);
    assert_true(mlops_error_last_offset() >= 0);
    free(nest);
    assert_null(m);
    /* Empty and NULL input. */
    assert_int_equal(mlops_manifest_parse(&m, NULL, 0, NULL), MLOPS_E_PARSE);
    assert_int_equal(mlops_manifest_parse(NULL, "{}", 2, NULL), MLOPS_E_INVALID);
    assert_int_equal(mlops_manifest_parse(&m, "{}", 2, NULL), MLOPS_E_SCHEMA);
    assert_string_equal(mlops_error_last_path(), "$");
}

/* Uniqueness checks are sorted, not quadratic: 200,000 datasets parse at
 * once, and a duplicate among them is found and named. */
static void many_datasets_are_checked_quickly(void **state)
{
    (void)state;
    const size_t n = 200000;
    size_t len = 0;
    char *child = read_vector("child.json", &len);
    char *many = malloc(n * 24 + 32);
    assert_non_null(many);
    size_t o = (size_t)sprintf(many, "\"datasets\":[");
    for (size_t i = 0; i < n; i++)
        o += (size_t)sprintf(many + o, "{\"name\":\"d%zu\"},", i);
    char *doc = replace_once(child, "\"datasets\":[", many, &len);
    mlops_manifest *m = NULL;
    assert_int_equal(mlops_manifest_parse(&m, doc, len, NULL), 0);
    assert_int_equal(mlops_manifest_dataset_count(m), n + 2);
    assert_string_equal(mlops_manifest_dataset_name(m, n - 1), "d199999");
    mlops_manifest_free(m);
    free(doc);
    /* The same with "d7" once more at the end of the list. */
    sprintf(many + o, "{\"name\":\"d7\"},");
    doc = replace_once(child, "\"datasets\":[", many, &len);
    assert_int_equal(mlops_manifest_parse(&m, doc, len, NULL), MLOPS_E_SCHEMA);
    assert_string_equal(mlops_error_last_path(), "$.predicate.datasets[200000]");
    assert_non_null(strstr(mlops_error_last(), "already used by datasets[7]"));
    free(doc);
    free(many);
    free(child);
}

static void path_rules(void **state)
{
    (void)state;
    static const char *const good[] = {"a", "model/model.onnx", "a/b/c.d", ".hidden",
                                       "a/..b", "a/b..", "x.", "caf\xc3\xa9/\xe6\x97\xa5.bin",
                                       "a b/c"};
    for (size_t i = 0; i < sizeof good / sizeof *good; i++)
        if (mlops_manifest_path_check(good[i], strlen(good[i])))
            fail_msg("\"%s\" rejected: %s", good[i], mlops_error_last());
    static const char *const bad[] = {"",          "/etc/passwd", "../../etc/passwd", "a/../b",
                                      "a/./b",     ".",           "..",               "a/",
                                      "a//b",      "a\\b",        "a\x01",            "a\x7f",
                                      "\xc3(",     "\xed\xa0\x80", "\xc0\xaf",        "./a"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        if (mlops_manifest_path_check(bad[i], strlen(bad[i])) != MLOPS_E_SCHEMA)
            fail_msg("bad path %zu accepted", i);
        assert_non_null(strstr(mlops_error_last(), "unsafe path"));
    }
    assert_int_equal(mlops_manifest_path_check("a\0b", 3), MLOPS_E_SCHEMA);
    assert_non_null(strstr(mlops_error_last(), "NUL"));
    assert_int_equal(mlops_manifest_path_check("../x", 4), MLOPS_E_SCHEMA);
    assert_non_null(strstr(mlops_error_last(), "'..' segment"));
    char longp[MLOPS_MANIFEST_MAX_PATH + 2];
    memset(longp, 'a', sizeof longp);
    assert_int_equal(mlops_manifest_path_check(longp, MLOPS_MANIFEST_MAX_PATH), 0);
    assert_int_equal(mlops_manifest_path_check(longp, MLOPS_MANIFEST_MAX_PATH + 1),
                     MLOPS_E_SCHEMA);
    assert_int_equal(mlops_manifest_path_check(NULL, 0), MLOPS_E_INVALID);
}

/* Two paths that must (or must not) collide after folding. */
static int finish_two(const char *p1, const char *p2)
{
    mlops_manifest_builder *b = NULL;
    mlops_manifest *m = NULL;
    static const char h[] = "0000000000000000000000000000000000000000000000000000000000000000";
    assert_int_equal(mlops_manifest_builder_new(&b, "m", "1.0.0", "2026-01-01T00:00:00Z"), 0);
    assert_int_equal(mlops_manifest_builder_add_file(b, p1, 1, h, NULL, NULL), 0);
    assert_int_equal(mlops_manifest_builder_add_file(b, p2, 1, h, NULL, NULL), 0);
    int rc = mlops_manifest_builder_finish(&m, b);
    mlops_manifest_free(m);
    mlops_manifest_builder_free(b);
    return rc;
}

static void case_folding_collisions(void **state)
{
    (void)state;
    static const char *const same[][2] = {
        {"Model.bin", "model.BIN"},
        {"caf\xc3\x89", "caf\xc3\xa9"},                 /* É é */
        {"\xe2\x84\xaa" "elvin", "kelvin"},             /* Kelvin sign K */
        {"\xce\xa3", "\xcf\x82"},                       /* Σ ς */
        {"\xd0\x90\xd0\x81", "\xd0\xb0\xd1\x91"},       /* АЁ аё */
        {"stra\xe1\xba\x9e", "stra\xc3\x9f"},           /* ẞ ß */
        {"\xc5\x81odz", "\xc5\x82odz"},                 /* Ł ł */
        {"\xc5\xb8", "\xc3\xbf"},                       /* Ÿ ÿ */
        {"\xc5\xbf", "S"},                              /* ſ S */
    };
    for (size_t i = 0; i < sizeof same / sizeof *same; i++) {
        int rc = finish_two(same[i][0], same[i][1]);
        if (rc != MLOPS_E_SCHEMA)
            fail_msg("pair %zu not a collision (%d)", i, rc);
        assert_non_null(strstr(mlops_error_last(), "differ only in case"));
    }
    static const char *const distinct[][2] = {
        {"\xc4\xb1", "i"},           /* dotless ı is not folded */
        {"\xc4\xb0", "i"},           /* İ has no simple folding */
        {"a.bin", "a.bin.bak"},
        {"\xc3\x97", "\xc3\xb7"},    /* × ÷ are not letters */
    };
    for (size_t i = 0; i < sizeof distinct / sizeof *distinct; i++)
        if (finish_two(distinct[i][0], distinct[i][1]) != 0)
            fail_msg("pair %zu rejected: %s", i, mlops_error_last());
    assert_int_equal(finish_two("same", "same"), MLOPS_E_SCHEMA);
    assert_non_null(strstr(mlops_error_last(), "duplicate path"));
}

/* Paths of which one is also a directory of another: the builder and the
 * parser refuse them (a tree cannot hold both, so verification and
 * extraction would disagree), also when they sort apart and after case
 * folding; near misses are accepted. */
static int finish_paths(const char *const *paths, size_t n)
{
    mlops_manifest_builder *b = NULL;
    mlops_manifest *m = NULL;
    static const char h[] = "0000000000000000000000000000000000000000000000000000000000000000";
    assert_int_equal(mlops_manifest_builder_new(&b, "m", "1.0.0", "2026-01-01T00:00:00Z"), 0);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(mlops_manifest_builder_add_file(b, paths[i], 1, h, NULL, NULL), 0);
    int rc = mlops_manifest_builder_finish(&m, b);
    mlops_manifest_free(m);
    mlops_manifest_builder_free(b);
    return rc;
}

static void a_file_is_not_also_a_directory(void **state)
{
    (void)state;
    static const struct { const char *p[4]; size_t n; } bad[] = {
        { { "a", "a/b" }, 2 },
        { { "a/b", "a" }, 2 },
        { { "a", "a-x", "a.y", "a/b" }, 4 },      /* '-' and '.' sort between */
        { { "d/a", "d/a b", "d/a/b/c" }, 3 },
        { { "A", "a/b" }, 2 },                    /* after case folding */
        { { "Model", "b", "model/x.bin" }, 3 },
        { { "caf\xc3\x89", "caf\xc3\xa9/x" }, 2 }, /* É é */
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        int rc = finish_paths(bad[i].p, bad[i].n);
        if (rc != MLOPS_E_SCHEMA || !strstr(mlops_error_last(), "both a file and a directory"))
            fail_msg("set %zu: %d %s", i, rc, mlops_error_last());
    }
    static const struct { const char *p[4]; size_t n; } good[] = {
        { { "a", "ab/c" }, 2 },
        { { "a.b", "a/c" }, 2 },
        { { "a/b", "a/c", "a/d/e" }, 3 },
        { { "a-", "a/b", "a0" }, 3 },
        { { "A/b", "a/c" }, 2 },                  /* one directory, two spellings */
    };
    for (size_t i = 0; i < sizeof good / sizeof *good; i++)
        if (finish_paths(good[i].p, good[i].n) != 0)
            fail_msg("set %zu refused: %s", i, mlops_error_last());

    /* the parser: a statement with "a" and "a/b" (its subject digest is the
     * SHA-256 of the files array's canonical JSON, so only the new rule
     * refuses it) */
    static const char files[] =
        "[{\"digest\":{\"sha256\":\"0000000000000000000000000000000000000000000000000000000000000000\"},"
        "\"mediaType\":\"application/vnd.cncf.model.weight.v1.tar\",\"path\":\"a\",\"role\":"
        "\"model\",\"size\":1},"
        "{\"digest\":{\"sha256\":\"0000000000000000000000000000000000000000000000000000000000000000\"},"
        "\"mediaType\":\"application/vnd.cncf.model.weight.v1.tar\",\"path\":\"a/b\",\"role\":"
        "\"model\",\"size\":1}]";
    char tree[65], text[2048];
    hex_of(tree, files);
    snprintf(text, sizeof text,
             "{\"_type\":\"https://in-toto.io/Statement/v1\",\"predicate\":{\"created\":"
             "\"2026-01-01T00:00:00Z\",\"files\":%s,\"name\":\"m\",\"version\":\"1.0.0\"},"
             "\"predicateType\":\"https://libmlops.dev/manifest/v1\",\"subject\":[{\"digest\":"
             "{\"sha256\":\"%s\"},\"name\":\"m@1.0.0\"}]}",
             files, tree);
    mlops_manifest *m = NULL;
    assert_int_equal(mlops_manifest_parse(&m, text, strlen(text), NULL), MLOPS_E_SCHEMA);
    assert_null(m);
    assert_non_null(strstr(mlops_error_last(), "\"a/b\" is under \"a\""));
    assert_string_equal(mlops_error_last_path(), "$.predicate.files[1].path");
    /* the same statement with "a/b" renamed "ab" parses (the rule is the
     * only difference) */
    char *ab = strstr(text, "\"a/b\"");
    memmove(ab + 2, ab + 3, strlen(ab + 3) + 1);
    char *fs = strstr(text, "\"files\":") + 8;
    char files2[sizeof files];
    memcpy(files2, fs, sizeof files - 2);
    files2[sizeof files - 2] = '\0';
    hex_of(tree, files2);
    memcpy(strstr(text, "\"subject\"") + 32, tree, 64);
    if (mlops_manifest_parse(&m, text, strlen(text), NULL) != 0)
        fail_msg("%s", mlops_error_last());
    mlops_manifest_free(m);
}

/* Spellings of numbers a double holds exactly are kept (canonically). */
/* Role, media type, shard, dataset and code changes are all reported, each
 * with the fields that differ; equal files and datasets are counted. */
static void diff_reports_every_field_datasets_and_code(void **state)
{
    (void)state;
    static const char X[] = "1111111111111111111111111111111111111111111111111111111111111111";
    static const char Y[] = "2222222222222222222222222222222222222222222222222222222222222222";
    const char *sh[] = {X, X};
    mlops_manifest *m[2] = {NULL, NULL};
    for (int k = 0; k < 2; k++) {
        mlops_manifest_builder *b = NULL;
        assert_int_equal(mlops_manifest_builder_new(&b, "m", k ? "1.1.0" : "1.0.0",
                                                    "2026-01-01T00:00:00Z"), 0);
        assert_int_equal(mlops_manifest_builder_add_file(b, "a.bin", 2, X, NULL, "model"), 0);
        assert_int_equal(mlops_manifest_builder_add_file(b, "r.bin", 2, X, NULL,
                                                         k ? "doc" : "model"), 0);
        assert_int_equal(mlops_manifest_builder_add_file(b, "t.bin", 2, X, k ? "text/plain" : NULL,
                                                         NULL), 0);
        assert_int_equal(mlops_manifest_builder_add_file(b, "s.bin", 2, X, NULL, NULL), 0);
        if (k)
            assert_int_equal(mlops_manifest_builder_set_file_shards(b, "s.bin", 1, sh, 2), 0);
        assert_int_equal(mlops_manifest_builder_add_dataset(b, "eval", "s3://e", "eval", X), 0);
        assert_int_equal(mlops_manifest_builder_add_dataset(b, "train", "s3://t", "train",
                                                            k ? Y : X), 0);
        assert_int_equal(mlops_manifest_builder_set_code(
                             b, "https://git", k ? "89abcdef0123456789abcdef0123456789abcdef"
                                                 : "0123456789abcdef0123456789abcdef01234567"), 0);
        assert_int_equal(mlops_manifest_builder_finish(&m[k], b), 0);
        mlops_manifest_builder_free(b);
    }
    mlops_manifest_diff *d = NULL;
    assert_int_equal(mlops_manifest_diff_new(&d, m[0], m[1], 0), 0);
    assert_int_equal(mlops_manifest_diff_unchanged_file_count(d), 1);
    assert_int_equal(mlops_manifest_diff_file_count(d), 3);
    assert_string_equal(mlops_manifest_diff_file_path(d, 0), "r.bin");
    assert_int_equal(mlops_manifest_diff_file_change(d, 0), MLOPS_MANIFEST_CHANGED);
    assert_int_equal(mlops_manifest_diff_file_fields(d, 0), MLOPS_MANIFEST_FIELD_ROLE);
    assert_string_equal(mlops_manifest_diff_file_path(d, 1), "s.bin");
    assert_int_equal(mlops_manifest_diff_file_fields(d, 1), MLOPS_MANIFEST_FIELD_SHARDS);
    assert_int_equal(mlops_manifest_diff_file_fields(d, 2), MLOPS_MANIFEST_FIELD_MEDIA_TYPE);
    assert_int_equal(mlops_manifest_diff_file_fields(d, 3), 0); /* out of range */
    assert_int_equal(mlops_manifest_diff_unchanged_dataset_count(d), 1);
    assert_int_equal(mlops_manifest_diff_dataset_count(d), 1);
    assert_string_equal(mlops_manifest_diff_dataset_name(d, 0), "train");
    assert_int_equal(mlops_manifest_diff_dataset_change(d, 0), MLOPS_MANIFEST_CHANGED);
    assert_int_equal(mlops_manifest_diff_dataset_fields(d, 0), MLOPS_MANIFEST_FIELD_DIGEST);
    assert_string_equal(mlops_manifest_diff_dataset_old_sha256(d, 0), X);
    assert_string_equal(mlops_manifest_diff_dataset_new_sha256(d, 0), Y);
    assert_string_equal(mlops_manifest_diff_dataset_new_uri(d, 0), "s3://t");
    assert_null(mlops_manifest_diff_dataset_name(d, 1));
    assert_int_equal(mlops_manifest_diff_code_change(d), MLOPS_MANIFEST_CHANGED);
    assert_int_equal(mlops_manifest_diff_code_fields(d), MLOPS_MANIFEST_FIELD_COMMIT);
    assert_string_equal(mlops_manifest_field_name(MLOPS_MANIFEST_FIELD_MEDIA_TYPE), "mediaType");
    assert_string_equal(mlops_manifest_field_name(3), "unknown");
    assert_string_equal(mlops_manifest_field_name(0), "unknown");
    mlops_manifest_diff_free(d);
    /* reversed: the dataset and code are changed the other way; same counts */
    assert_int_equal(mlops_manifest_diff_new(&d, m[1], m[0], 0), 0);
    assert_int_equal(mlops_manifest_diff_dataset_count(d), 1);
    assert_string_equal(mlops_manifest_diff_dataset_old_sha256(d, 0), Y);
    mlops_manifest_diff_free(d);
    assert_int_equal(mlops_manifest_diff_new(&d, m[0], m[0], 0), 0);
    assert_int_equal(mlops_manifest_diff_dataset_count(d), 0);
    assert_int_equal(mlops_manifest_diff_unchanged_dataset_count(d), 2);
    assert_int_equal(mlops_manifest_diff_code_change(d), MLOPS_MANIFEST_UNCHANGED);
    mlops_manifest_diff_free(d);
    assert_int_equal(mlops_manifest_diff_code_change(NULL), MLOPS_MANIFEST_UNCHANGED);
    mlops_manifest_free(m[0]);
    mlops_manifest_free(m[1]);
}

/* ---- read-only info structs ---- */

#define SHA(hex) "sha256:" hex

/* The struct's version and size are the library's own. */
#define ASSERT_INFO(p, type, VERSION)                    \
    do {                                                 \
        assert_non_null(p);                              \
        assert_int_equal((p)->version, (VERSION));       \
        assert_int_equal((p)->size, sizeof(type));       \
    } while (0)

static void assert_opt_str(const char *got, const char *want)
{
    if (!want)
        assert_null(got);
    else
        assert_string_equal(got, want);
}

/* Every value of child.json (make_expected.py wrote it; sha256sum gave the
 * statement digests) through the structs, and each one equal to its getter. */
static void info_structs_read_every_field(void **state)
{
    (void)state;
    mlops_manifest *m = parse_vector("child.json");
    const struct mlops_manifest_info *mi = mlops_manifest_info(m);
    ASSERT_INFO(mi, struct mlops_manifest_info, MLOPS_MANIFEST_INFO_VERSION);
    assert_string_equal(mi->name, "fraud-detector");
    assert_string_equal(mi->model_version, "1.4.0-rc.1");
    assert_string_equal(mi->created, "2026-11-26T09:00:00Z");
    assert_string_equal(mi->description,
                        "Gradient-boosted fraud scorer, retrained on November data");
    assert_string_equal(mi->framework_name, "onnx");
    assert_string_equal(mi->framework_version, "1.17");
    assert_string_equal(mi->code_uri, "https://git.example/fraud.git");
    assert_string_equal(mi->code_commit, "89abcdef0123456789abcdef0123456789abcdef");
    assert_int_equal(mi->has_parent, 1);
    assert_string_equal(mi->parent_name, "fraud-detector");
    assert_string_equal(mi->parent_version, "1.3.2");
    assert_string_equal(mi->parent_digest, SHA(PARENT_STATEMENT));
    assert_string_equal(mi->tree_digest, SHA(CHILD_TREE));
    assert_string_equal(mi->statement_digest, SHA(CHILD_STATEMENT));
    assert_int_equal(mi->n_files, 4);
    assert_int_equal(mi->n_datasets, 2);
    assert_int_equal(mi->n_parameters, 4);
    assert_int_equal(mi->n_metrics, 4);
    assert_int_equal(mi->n_annotations, 2);
    assert_string_equal(mi->tree_digest + 7, mlops_manifest_tree_sha256(m));
    assert_string_equal(mi->statement_digest + 7, mlops_manifest_statement_sha256(m));
    assert_true(MLOPS_INFO_HAS(mi, struct mlops_manifest_info, n_annotations));

    static const struct {
        const char *path, *hex, *media, *role;
        uint64_t size, shard_size;
        size_t shards;
    } files[] = {
        {"README.md", "711a6108ba2ce6ca93dd47d6817f2361db10d8ab6eec89460b2dfc2c325efabe",
         "application/vnd.cncf.model.doc.v1.raw", "doc", 300, 0, 0},
        {"config.json", "a239473e0769fb19eb49112484184f55443282b84b571203fe2269aae7983334",
         "application/vnd.cncf.model.weight.config.v1.raw", "config", 512, 0, 0},
        {"model/model.onnx", "aef67ade9c60b654ca2973a92f63bd7bb1096aaad143336cd1dfe583d9317ecd",
         "application/vnd.cncf.model.weight.v1.raw", "model", 1300000, 524288, 3},
        {"tokenizer/vocab.txt", "273e2549599ddf859b4c24385dfb4dcc23e8e66994c2c176b90c602f77a795c0",
         NULL, "config", 2048, 0, 0},
    };
    for (size_t i = 0; i < 4; i++) {
        const mlops_manifest_file_info *f = mlops_manifest_file(m, i);
        ASSERT_INFO(f, mlops_manifest_file_info, MLOPS_MANIFEST_FILE_INFO_VERSION);
        char want[80];
        snprintf(want, sizeof want, "sha256:%s", files[i].hex);
        assert_string_equal(f->path, files[i].path);
        assert_int_equal(f->file_size, files[i].size);
        assert_string_equal(f->digest, want);
        assert_opt_str(f->media_type, files[i].media);
        assert_opt_str(f->role, files[i].role);
        assert_int_equal(f->shard_size, files[i].shard_size);
        assert_int_equal(f->shard_count, files[i].shards);
        /* the getters say the same (bare hex) */
        assert_string_equal(mlops_manifest_file_path(m, i), f->path);
        assert_int_equal(mlops_manifest_file_size(m, i), f->file_size);
        assert_string_equal(mlops_manifest_file_sha256(m, i), files[i].hex);
        assert_opt_str(mlops_manifest_file_media_type(m, i), f->media_type);
        assert_opt_str(mlops_manifest_file_role(m, i), f->role);
        assert_int_equal(mlops_manifest_file_shard_size(m, i), f->shard_size);
        assert_int_equal(mlops_manifest_file_shard_count(m, i), f->shard_count);
        assert_int_equal(mlops_manifest_file_find(m, files[i].path), i);
        assert_null(mlops_manifest_file_shard_info(m, i, f->shard_count));
    }
    assert_null(mlops_manifest_file(m, 4));

    static const struct {
        uint64_t offset, length;
        const char *hex;
    } shards[] = {
        {0, 524288, "abfdcc9da87a85a46685bd8b5cc46471d6d27d3d73a0e3dead7d560ba8073b41"},
        {524288, 524288, "e18eceb5ef6af2c41ba4adf294b1c96dae82a61709467e0c10d16fb05f0e7e43"},
        {1048576, 251424, "1ea6aee4e24dce0ba87747011c2b511851821038ffa4149f4ffd71cf9ff3f9d9"},
    };
    for (size_t j = 0; j < 3; j++) {
        const mlops_manifest_shard_info *s = mlops_manifest_file_shard_info(m, 2, j);
        ASSERT_INFO(s, mlops_manifest_shard_info, MLOPS_MANIFEST_SHARD_INFO_VERSION);
        char want[80];
        snprintf(want, sizeof want, "sha256:%s", shards[j].hex);
        assert_int_equal(s->offset, shards[j].offset);
        assert_int_equal(s->length, shards[j].length);
        assert_string_equal(s->digest, want);
        uint64_t off = 0, sz = 0;
        const char *sh = NULL;
        assert_int_equal(mlops_manifest_file_shard(&off, &sz, &sh, m, 2, j), 0);
        assert_int_equal(off, s->offset);
        assert_int_equal(sz, s->length);
        assert_string_equal(sh, shards[j].hex);
    }
    assert_null(mlops_manifest_file_shard_info(m, 9, 0));

    const mlops_manifest_dataset_info *d0 = mlops_manifest_dataset(m, 0);
    const mlops_manifest_dataset_info *d1 = mlops_manifest_dataset(m, 1);
    ASSERT_INFO(d0, mlops_manifest_dataset_info, MLOPS_MANIFEST_DATASET_INFO_VERSION);
    ASSERT_INFO(d1, mlops_manifest_dataset_info, MLOPS_MANIFEST_DATASET_INFO_VERSION);
    assert_string_equal(d0->name, "train-2026-11");
    assert_string_equal(d0->uri, "s3://data/fraud/train-2026-11");
    assert_string_equal(d0->role, "train");
    assert_string_equal(d0->digest,
                        SHA("93d269f0f865ba53afa795da2be4651342bd8fc4f76ca847ed695b9708e75e5a"));
    assert_string_equal(d0->foreign_alg, "md5");
    assert_string_equal(d0->foreign_scheme, "dvc3");
    assert_string_equal(d0->foreign_value, "3f2c1d5e6a7b8c9d0e1f2a3b4c5d6e7f.dir");
    assert_string_equal(mlops_manifest_dataset_sha256(m, 0), d0->digest + 7);
    assert_string_equal(d1->name, "eval-2026-11");
    assert_string_equal(d1->uri, "s3://data/fraud/eval-2026-11");
    assert_string_equal(d1->role, "eval");
    assert_null(d1->digest);
    assert_null(d1->foreign_alg);
    assert_null(d1->foreign_scheme);
    assert_null(d1->foreign_value);
    assert_null(mlops_manifest_dataset(m, 2));

    /* canonical key order: batch_size, learning_rate, max_depth, optimizer */
    static const struct {
        const char *name, *json, *string;
        int type;
        double number;
    } params[] = {
        {"batch_size", "256", NULL, MLOPS_MANIFEST_VALUE_NUMBER, 256},
        {"learning_rate", "0.005", NULL, MLOPS_MANIFEST_VALUE_NUMBER, 0.005},
        {"max_depth", "8", NULL, MLOPS_MANIFEST_VALUE_NUMBER, 8},
        {"optimizer", "\"adam\"", "adam", MLOPS_MANIFEST_VALUE_STRING, NAN},
    };
    for (size_t i = 0; i < 4; i++) {
        const mlops_manifest_parameter_info *p = mlops_manifest_parameter(m, i);
        ASSERT_INFO(p, mlops_manifest_parameter_info, MLOPS_MANIFEST_PARAMETER_INFO_VERSION);
        assert_string_equal(p->name, params[i].name);
        assert_int_equal(p->type, params[i].type);
        assert_string_equal(p->json, params[i].json);
        assert_opt_str(p->string, params[i].string);
        if (isnan(params[i].number))
            assert_true(isnan(p->number));
        else
            assert_true(p->number == params[i].number);
        assert_int_equal(p->boolean, -1);
        assert_int_equal(mlops_manifest_parameter_type(m, i), p->type);
        assert_string_equal(mlops_manifest_parameter_json(m, i), p->json);
    }
    assert_null(mlops_manifest_parameter(m, 4));

    static const struct {
        const char *name;
        double value;
    } metrics[] = {{"auc", 0.912}, {"f1", 0.5}, {"p99_latency_ms", 41.5}, {"recall", 0.8}};
    for (size_t i = 0; i < 4; i++) {
        const mlops_manifest_metric_info *x = mlops_manifest_metric(m, i);
        ASSERT_INFO(x, mlops_manifest_metric_info, MLOPS_MANIFEST_METRIC_INFO_VERSION);
        assert_string_equal(x->name, metrics[i].name);
        assert_true(x->value == metrics[i].value);
        assert_true(mlops_manifest_metric_value(m, i) == x->value);
    }
    assert_null(mlops_manifest_metric(m, 4));

    const mlops_manifest_annotation_info *a0 = mlops_manifest_annotation(m, 0);
    const mlops_manifest_annotation_info *a1 = mlops_manifest_annotation(m, 1);
    ASSERT_INFO(a0, mlops_manifest_annotation_info, MLOPS_MANIFEST_ANNOTATION_INFO_VERSION);
    ASSERT_INFO(a1, mlops_manifest_annotation_info, MLOPS_MANIFEST_ANNOTATION_INFO_VERSION);
    assert_string_equal(a0->key, "team");
    assert_string_equal(a0->value, "risk");
    assert_string_equal(a1->key, "ticket");
    assert_string_equal(a1->value, "FRAUD-1234");
    assert_null(mlops_manifest_annotation(m, 2));

    /* a reference is the same object: the same structs */
    mlops_manifest *ref = NULL;
    assert_int_equal(mlops_manifest_dup(&ref, m), 0);
    assert_ptr_equal(mlops_manifest_info(ref), mi);
    mlops_manifest_free(ref);
    mlops_manifest_free(m);

    /* parent.json: a boolean parameter, no parent link, no code */
    m = parse_vector("parent.json");
    mi = mlops_manifest_info(m);
    assert_string_equal(mi->model_version, "1.3.2");
    assert_int_equal(mi->has_parent, 0);
    assert_null(mi->parent_name);
    assert_null(mi->parent_version);
    assert_null(mi->parent_digest);
    assert_string_equal(mi->tree_digest, SHA(PARENT_TREE));
    assert_string_equal(mi->statement_digest, SHA(PARENT_STATEMENT));
    int seen_bool = 0;
    for (size_t i = 0; i < mi->n_parameters; i++) {
        const mlops_manifest_parameter_info *p = mlops_manifest_parameter(m, i);
        if (strcmp(p->name, "early_stopping") == 0) {
            seen_bool = 1;
            assert_int_equal(p->type, MLOPS_MANIFEST_VALUE_BOOL);
            assert_string_equal(p->json, "true");
            assert_int_equal(p->boolean, 1);
            assert_true(isnan(p->number));
            assert_null(p->string);
            assert_int_equal(mlops_manifest_parameter_bool(m, i), 1);
        }
    }
    assert_true(seen_bool);
    mlops_manifest_free(m);

    /* NULL objects */
    assert_null(mlops_manifest_info(NULL));
    assert_null(mlops_manifest_file(NULL, 0));
    assert_null(mlops_manifest_file_shard_info(NULL, 0, 0));
    assert_null(mlops_manifest_dataset(NULL, 0));
    assert_null(mlops_manifest_parameter(NULL, 0));
    assert_null(mlops_manifest_metric(NULL, 0));
    assert_null(mlops_manifest_annotation(NULL, 0));
}

/* A built manifest without optional parts: NULL (never "") for what is absent. */
static void info_structs_of_a_minimal_manifest(void **state)
{
    (void)state;
    char h[65];
    hex_of(h, "w");
    mlops_manifest_builder *b = NULL;
    assert_int_equal(mlops_manifest_builder_new(&b, "m", "1.0.0", "2026-01-01T00:00:00Z"), 0);
    assert_int_equal(mlops_manifest_builder_add_file(b, "w.bin", 0, h, NULL, NULL), 0);
    assert_int_equal(mlops_manifest_builder_set_parameter_null(b, "p"), 0);
    assert_int_equal(mlops_manifest_builder_set_parameter_bool(b, "q", 0), 0);
    mlops_manifest *m = NULL;
    assert_int_equal(mlops_manifest_builder_finish(&m, b), 0);
    mlops_manifest_builder_free(b);
    const struct mlops_manifest_info *mi = mlops_manifest_info(m);
    assert_null(mi->description);
    assert_null(mi->framework_name);
    assert_null(mi->framework_version);
    assert_null(mi->code_uri);
    assert_null(mi->code_commit);
    assert_int_equal(mi->n_files, 1);
    assert_int_equal(mi->n_datasets, 0);
    assert_int_equal(mi->n_metrics, 0);
    assert_int_equal(mi->n_annotations, 0);
    const mlops_manifest_file_info *f = mlops_manifest_file(m, 0);
    /* SHA-256 of "w", `printf w | sha256sum` */
    assert_string_equal(
        f->digest, "sha256:50e721e49c013f00c62cf59f2163542a9d8df02464efeb615d31051b0fddc326");
    assert_null(f->media_type);
    assert_null(f->role);
    assert_int_equal(f->file_size, 0);
    assert_null(mlops_manifest_file_shard_info(m, 0, 0));
    const mlops_manifest_parameter_info *p = mlops_manifest_parameter(m, 0);
    assert_int_equal(p->type, MLOPS_MANIFEST_VALUE_NULL);
    assert_string_equal(p->json, "null");
    assert_int_equal(p->boolean, -1);
    p = mlops_manifest_parameter(m, 1);
    assert_int_equal(p->type, MLOPS_MANIFEST_VALUE_BOOL);
    assert_string_equal(p->json, "false");
    assert_int_equal(p->boolean, 0);
    assert_null(mlops_manifest_dataset(m, 0));
    assert_null(mlops_manifest_metric(m, 0));
    assert_null(mlops_manifest_annotation(m, 0));
    mlops_manifest_free(m);
}

/* The diff of parent.json → child.json through the structs: every value of
 * the oracle's diff.json (make_expected.py), and each equal to its getter. */
static void diff_info_structs_match_the_oracle(void **state)
{
    (void)state;
    mlops_manifest *p = parse_vector("parent.json");
    mlops_manifest *c = parse_vector("child.json");
    mlops_manifest_diff *d = NULL;
    assert_int_equal(mlops_manifest_diff_new(&d, p, c, 0), 0);
    const struct mlops_manifest_diff_info *di = mlops_manifest_diff_info(d);
    ASSERT_INFO(di, struct mlops_manifest_diff_info, MLOPS_MANIFEST_DIFF_INFO_VERSION);
    assert_int_equal(di->relation, MLOPS_MANIFEST_B_CHILD_OF_A);
    assert_int_equal(di->unchanged_file_count, 1);
    assert_int_equal(di->n_files, 4);
    assert_int_equal(di->unchanged_dataset_count, 0);
    assert_int_equal(di->n_datasets, 3);
    assert_int_equal(di->n_parameters, 3);
    assert_int_equal(di->n_metrics, 5);
    assert_int_equal(di->code_change, MLOPS_MANIFEST_CHANGED);
    assert_int_equal(di->code_fields, MLOPS_MANIFEST_FIELD_COMMIT);

    static const struct {
        const char *path;
        int change;
        uint32_t fields;
        const char *old_hex, *new_hex;
        uint64_t old_size, new_size;
    } files[] = {
        {"README.md", MLOPS_MANIFEST_ADDED, 0, NULL,
         "711a6108ba2ce6ca93dd47d6817f2361db10d8ab6eec89460b2dfc2c325efabe", 0, 300},
        {"config.json", MLOPS_MANIFEST_CHANGED, MLOPS_MANIFEST_FIELD_DIGEST,
         "a9fdc967490cae43b4af0fbb26f7ac8181bfcac06e7e79a80b05212c24d39a64",
         "a239473e0769fb19eb49112484184f55443282b84b571203fe2269aae7983334", 512, 512},
        {"extra/notes.txt", MLOPS_MANIFEST_REMOVED, 0,
         "ab5aa97074c454a0632057e704220d9a6678fbf773a0a5806fc09b8173b07309", NULL, 10, 0},
        {"model/model.onnx", MLOPS_MANIFEST_CHANGED,
         MLOPS_MANIFEST_FIELD_DIGEST | MLOPS_MANIFEST_FIELD_SIZE | MLOPS_MANIFEST_FIELD_SHARDS,
         "97e79ca4f543a0ddb2336f125ebcc9bc9b453986408d58f8ce0fd0ce80be4bc2",
         "aef67ade9c60b654ca2973a92f63bd7bb1096aaad143336cd1dfe583d9317ecd", 1234567, 1300000},
    };
    for (size_t i = 0; i < 4; i++) {
        const mlops_manifest_diff_file_info *f = mlops_manifest_diff_file(d, i);
        ASSERT_INFO(f, mlops_manifest_diff_file_info, MLOPS_MANIFEST_DIFF_FILE_INFO_VERSION);
        char want[80];
        assert_string_equal(f->path, files[i].path);
        assert_int_equal(f->change, files[i].change);
        assert_int_equal(f->fields, files[i].fields);
        if (files[i].old_hex) {
            snprintf(want, sizeof want, "sha256:%s", files[i].old_hex);
            assert_string_equal(f->old_digest, want);
            assert_string_equal(mlops_manifest_diff_file_old_sha256(d, i), files[i].old_hex);
        } else {
            assert_null(f->old_digest);
            assert_null(mlops_manifest_diff_file_old_sha256(d, i));
        }
        if (files[i].new_hex) {
            snprintf(want, sizeof want, "sha256:%s", files[i].new_hex);
            assert_string_equal(f->new_digest, want);
            assert_string_equal(mlops_manifest_diff_file_new_sha256(d, i), files[i].new_hex);
        } else {
            assert_null(f->new_digest);
            assert_null(mlops_manifest_diff_file_new_sha256(d, i));
        }
        assert_int_equal(f->old_size, files[i].old_size);
        assert_int_equal(f->new_size, files[i].new_size);
        assert_string_equal(mlops_manifest_diff_file_path(d, i), f->path);
        assert_int_equal(mlops_manifest_diff_file_change(d, i), f->change);
        assert_int_equal(mlops_manifest_diff_file_fields(d, i), f->fields);
        assert_int_equal(mlops_manifest_diff_file_old_size(d, i), f->old_size);
        assert_int_equal(mlops_manifest_diff_file_new_size(d, i), f->new_size);
    }
    assert_null(mlops_manifest_diff_file(d, 4));

    static const struct {
        const char *name;
        int change;
        const char *old_digest, *new_digest, *old_uri, *new_uri;
    } datasets[] = {
        {"eval-2026-11", MLOPS_MANIFEST_ADDED, NULL, NULL, NULL,
         "s3://data/fraud/eval-2026-11"},
        {"train-2026-09", MLOPS_MANIFEST_REMOVED,
         SHA("1fa3e7865558f1927084b5a9e272c0441dd5068204a063ea533e2d371a8c9201"), NULL,
         "s3://data/fraud/train-2026-09", NULL},
        {"train-2026-11", MLOPS_MANIFEST_ADDED, NULL,
         SHA("93d269f0f865ba53afa795da2be4651342bd8fc4f76ca847ed695b9708e75e5a"), NULL,
         "s3://data/fraud/train-2026-11"},
    };
    for (size_t i = 0; i < 3; i++) {
        const mlops_manifest_diff_dataset_info *e = mlops_manifest_diff_dataset(d, i);
        ASSERT_INFO(e, mlops_manifest_diff_dataset_info,
                    MLOPS_MANIFEST_DIFF_DATASET_INFO_VERSION);
        assert_string_equal(e->name, datasets[i].name);
        assert_int_equal(e->change, datasets[i].change);
        assert_int_equal(e->fields, 0);
        assert_opt_str(e->old_digest, datasets[i].old_digest);
        assert_opt_str(e->new_digest, datasets[i].new_digest);
        assert_opt_str(e->old_uri, datasets[i].old_uri);
        assert_opt_str(e->new_uri, datasets[i].new_uri);
        assert_string_equal(mlops_manifest_diff_dataset_name(d, i), e->name);
        assert_opt_str(mlops_manifest_diff_dataset_old_sha256(d, i),
                       e->old_digest ? e->old_digest + 7 : NULL);
        assert_opt_str(mlops_manifest_diff_dataset_new_sha256(d, i),
                       e->new_digest ? e->new_digest + 7 : NULL);
    }
    assert_null(mlops_manifest_diff_dataset(d, 3));

    static const struct {
        const char *name;
        int change;
        const char *old_json, *new_json;
    } params[] = {
        {"batch_size", MLOPS_MANIFEST_ADDED, NULL, "256"},
        {"early_stopping", MLOPS_MANIFEST_REMOVED, "true", NULL},
        {"learning_rate", MLOPS_MANIFEST_CHANGED, "0.01", "0.005"},
    };
    for (size_t i = 0; i < 3; i++) {
        const mlops_manifest_diff_parameter_info *e = mlops_manifest_diff_parameter(d, i);
        ASSERT_INFO(e, mlops_manifest_diff_parameter_info,
                    MLOPS_MANIFEST_DIFF_PARAMETER_INFO_VERSION);
        assert_string_equal(e->name, params[i].name);
        assert_int_equal(e->change, params[i].change);
        assert_opt_str(e->old_json, params[i].old_json);
        assert_opt_str(e->new_json, params[i].new_json);
        assert_int_equal(mlops_manifest_diff_parameter_change(d, i), e->change);
    }
    assert_null(mlops_manifest_diff_parameter(d, 3));

    /* diff.json's metrics: delta and relative as Python computed them */
    static const struct {
        const char *name;
        int change;
        double old_value, new_value, delta, relative;
    } metrics[] = {
        {"auc", MLOPS_MANIFEST_CHANGED, 0.9, 0.912, 0.01200000000000001, 0.013333333333333345},
        {"f1", MLOPS_MANIFEST_CHANGED, 0, 0.5, 0.5, NAN},
        {"logloss", MLOPS_MANIFEST_REMOVED, 0.35, NAN, NAN, NAN},
        {"p99_latency_ms", MLOPS_MANIFEST_CHANGED, 45.25, 41.5, -3.75, -0.08287292817679558},
        {"recall", MLOPS_MANIFEST_ADDED, NAN, 0.8, NAN, NAN},
    };
    for (size_t i = 0; i < 5; i++) {
        const mlops_manifest_diff_metric_info *e = mlops_manifest_diff_metric(d, i);
        ASSERT_INFO(e, mlops_manifest_diff_metric_info, MLOPS_MANIFEST_DIFF_METRIC_INFO_VERSION);
        assert_string_equal(e->name, metrics[i].name);
        assert_int_equal(e->change, metrics[i].change);
        const double got[4] = {e->old_value, e->new_value, e->delta, e->relative};
        const double want[4] = {metrics[i].old_value, metrics[i].new_value, metrics[i].delta,
                                metrics[i].relative};
        for (int k = 0; k < 4; k++) {
            if (isnan(want[k]))
                assert_true(isnan(got[k]));
            else
                assert_true(got[k] == want[k]);
        }
        assert_true(mlops_manifest_diff_metric_delta(d, i) == e->delta || isnan(e->delta));
    }
    assert_null(mlops_manifest_diff_metric(d, 5));
    mlops_manifest_diff_free(d);

    assert_null(mlops_manifest_diff_info(NULL));
    assert_null(mlops_manifest_diff_file(NULL, 0));
    assert_null(mlops_manifest_diff_dataset(NULL, 0));
    assert_null(mlops_manifest_diff_parameter(NULL, 0));
    assert_null(mlops_manifest_diff_metric(NULL, 0));
    mlops_manifest_free(p);
    mlops_manifest_free(c);
}

static void builder_keeps_numbers_a_double_holds_exactly(void **state)
{
    (void)state;
    static const char *const cases[][2] = {
        { "1.0", "1" },   { "1e2", "100" }, { "-0", "0" },
        { "0.1", "0.1" }, { "9007199254740994", "9007199254740994" },
        { "-9007199254740992", "-9007199254740992" },
        { "1152921504606847000", "1152921504606847000" }, /* 2^60, canonically */
    };
    char h[65];
    memset(h, 'a', 64);
    h[64] = '\0';
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        mlops_manifest_builder *b = NULL;
        assert_int_equal(mlops_manifest_builder_new(&b, "m", "1.0.0", "2026-01-01T00:00:00Z"), 0);
        assert_int_equal(mlops_manifest_builder_add_file(b, "w.bin", 1, h, NULL, NULL), 0);
        if (mlops_manifest_builder_set_parameter_json(b, "p", cases[i][0]) != 0)
            fail_msg("%s: %s", cases[i][0], mlops_error_last());
        mlops_manifest *m = NULL;
        assert_int_equal(mlops_manifest_builder_finish(&m, b), 0);
        assert_string_equal(mlops_manifest_parameter_json(m, 0), cases[i][1]);
        mlops_manifest_free(m);
        mlops_manifest_builder_free(b);
    }
    mlops_manifest_builder *b = NULL;
    assert_int_equal(mlops_manifest_builder_new(&b, "m", "1.0.0", "2026-01-01T00:00:00Z"), 0);
    assert_int_equal(mlops_manifest_builder_set_parameter_int(b, "p", 9007199254740994LL), 0);
    assert_int_equal(mlops_manifest_builder_set_parameter_int(b, "q", -9007199254740992LL), 0);
    /* 2^60 is a double, but its canonical form is 1152921504606847000 */
    assert_int_equal(mlops_manifest_builder_set_parameter_int(b, "r", 1152921504606846976LL),
                     MLOPS_E_SCHEMA);
    assert_non_null(strstr(mlops_error_last(), "1152921504606847000"));
    mlops_manifest_builder_free(b);
}

static void builder_rejects_bad_values_and_stays_unchanged(void **state)
{
    (void)state;
    static const char h[] = "1111111111111111111111111111111111111111111111111111111111111111";
    mlops_manifest_builder *b = NULL;
    assert_int_equal(mlops_manifest_builder_new(&b, "-bad", "1.0.0", "2026-01-01T00:00:00Z"),
                     MLOPS_E_SCHEMA);
    assert_int_equal(mlops_manifest_builder_new(&b, "m", "1.0", "2026-01-01T00:00:00Z"),
                     MLOPS_E_SCHEMA);
    assert_int_equal(mlops_manifest_builder_new(&b, "m", "1.0.0", "2026-01-01T00:00:00.50Z"),
                     MLOPS_E_SCHEMA);
    assert_int_equal(mlops_manifest_builder_new(&b, "m", "1.0.0", "2026-01-01 00:00:00Z"),
                     MLOPS_E_SCHEMA);
    assert_null(b);
    assert_int_equal(mlops_manifest_builder_new(&b, "m", "1.0.0", "2026-01-01T00:00:00.5Z"), 0);
    assert_int_equal(mlops_manifest_builder_add_file(b, "w.bin", 600, h, NULL, "model"), 0);
    assert_int_equal(mlops_manifest_builder_set_metric(b, "auc", 0.5), 0);
    mlops_manifest *before = NULL;
    assert_int_equal(mlops_manifest_builder_finish(&before, b), 0);

    assert_int_equal(mlops_manifest_builder_set_metric(b, "auc", NAN), MLOPS_E_SCHEMA);
    assert_int_equal(mlops_manifest_builder_set_metric(b, "auc", INFINITY), MLOPS_E_SCHEMA);
    assert_int_equal(mlops_manifest_builder_set_parameter_number(b, "x", NAN), MLOPS_E_SCHEMA);
    assert_int_equal(mlops_manifest_builder_set_parameter_int(b, "x", INT64_MAX),
                     MLOPS_E_SCHEMA);
    assert_int_equal(mlops_manifest_builder_set_parameter_json(b, "x", "[1]"), MLOPS_E_SCHEMA);
    assert_int_equal(mlops_manifest_builder_set_parameter_json(b, "x", "01"), MLOPS_E_PARSE);
    assert_int_equal(mlops_manifest_builder_set_parameter_json(b, "x", "1e999"),
                     MLOPS_E_SCHEMA);
    /* Numbers a double cannot hold exactly would be signed as other numbers
     * (9007199254740993 as 9007199254740992): refused, naming name and value. */
    assert_int_equal(mlops_manifest_builder_set_parameter_json(b, "big", "9007199254740993"),
                     MLOPS_E_SCHEMA);
    assert_non_null(strstr(mlops_error_last(), "\"big\" = 9007199254740993"));
    assert_non_null(strstr(mlops_error_last(), "9007199254740992"));
    assert_int_equal(mlops_manifest_builder_set_parameter_json(b, "x", " -9007199254740995 "),
                     MLOPS_E_SCHEMA);
    assert_int_equal(mlops_manifest_builder_set_parameter_json(b, "x", "0.10000000000000000001"),
                     MLOPS_E_SCHEMA);
    assert_int_equal(mlops_manifest_builder_set_parameter_json(b, "x", "1e-400"),
                     MLOPS_E_SCHEMA);
    assert_int_equal(mlops_manifest_builder_set_parameter_int(b, "big", 9007199254740993LL),
                     MLOPS_E_SCHEMA);
    assert_non_null(strstr(mlops_error_last(), "\"big\" = 9007199254740993"));
    assert_int_equal(mlops_manifest_builder_set_parameter_int(b, "x", -9007199254740993LL),
                     MLOPS_E_SCHEMA);
    assert_int_equal(mlops_manifest_builder_set_annotation(b, "k", "\xff"), MLOPS_E_SCHEMA);
    assert_int_equal(mlops_manifest_builder_add_file(b, "../x", 1, h, NULL, NULL),
                     MLOPS_E_SCHEMA);
    assert_non_null(strstr(mlops_error_last(), "'..' segment"));
    assert_int_equal(mlops_manifest_builder_add_file(b, "y", 1, "ABC", NULL, NULL),
                     MLOPS_E_SCHEMA);
    assert_int_equal(mlops_manifest_builder_add_file(b, "y", (uint64_t)1 << 53, h, NULL, NULL),
                     MLOPS_E_SCHEMA);
    const char *two[] = {h, h};
    assert_int_equal(mlops_manifest_builder_set_file_shards(b, "w.bin", 256, two, 2),
                     MLOPS_E_SCHEMA); /* 600 bytes in 256 need 3 */
    assert_int_equal(mlops_manifest_builder_set_file_shards(b, "nope", 256, two, 2),
                     MLOPS_E_NOTFOUND);
    assert_int_equal(mlops_manifest_builder_set_dataset_foreign_digest(b, "d", "md5", "x", "y"),
                     MLOPS_E_NOTFOUND);
    assert_int_equal(mlops_manifest_builder_add_dataset(b, "d", NULL, NULL, "zz"),
                     MLOPS_E_SCHEMA);
    assert_int_equal(mlops_manifest_builder_set_code(b, "u", "abc"), MLOPS_E_SCHEMA);
    assert_int_equal(mlops_manifest_builder_set_parent(b, "m", "x", h), MLOPS_E_SCHEMA);
    assert_int_equal(mlops_manifest_builder_set_description(b, NULL), MLOPS_E_INVALID);
    assert_int_equal(mlops_manifest_builder_set_framework(b, "", "1"), MLOPS_E_SCHEMA);

    mlops_manifest *after = NULL;
    assert_int_equal(mlops_manifest_builder_finish(&after, b), 0);
    assert_true(mlops_manifest_equal(before, after));
    assert_string_equal(mlops_manifest_created(after), "2026-01-01T00:00:00.5Z");
    mlops_manifest_free(after);

    /* A second dataset of the same name. */
    assert_int_equal(mlops_manifest_builder_add_dataset(b, "d", NULL, NULL, NULL), 0);
    assert_int_equal(mlops_manifest_builder_add_dataset(b, "d", NULL, NULL, NULL),
                     MLOPS_E_SCHEMA);
    /* Three shards with the default size would need 1 for 600 bytes. */
    const char *one[] = {h};
    assert_int_equal(mlops_manifest_builder_set_file_shards(b, "w.bin", 0, one, 1), 0);
    assert_int_equal(mlops_manifest_builder_finish(&after, b), 0);
    assert_int_equal(mlops_manifest_file_shard_size(after, 0), 268435456);
    assert_int_equal(mlops_manifest_file_shard_count(after, 0), 1);
    mlops_manifest_free(after);
    mlops_manifest_free(before);
    mlops_manifest_builder_free(b);
}

static void empty_manifest_has_digest_of_empty_array(void **state)
{
    (void)state;
    mlops_manifest_builder *b = NULL;
    mlops_manifest *m = NULL;
    assert_int_equal(mlops_manifest_builder_new(&b, "m", "0.0.1", "1970-01-01T00:00:00Z"), 0);
    assert_int_equal(mlops_manifest_builder_finish(&m, b), 0);
    /* sha256("[]"), from `printf '[]' | sha256sum` */
    assert_string_equal(mlops_manifest_tree_sha256(m),
                        "4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945");
    assert_int_equal(mlops_manifest_file_count(m), 0);
    assert_int_equal(mlops_manifest_parameter_count(m), 0);
    mlops_buf out = MLOPS_BUF_INIT;
    assert_int_equal(mlops_manifest_write_json(&out, m, 0), 0);
    assert_string_equal(
        out.data,
        "{\"_type\":\"https://in-toto.io/Statement/v1\",\"predicate\":{\"created\":"
        "\"1970-01-01T00:00:00Z\",\"files\":[],\"name\":\"m\",\"version\":\"0.0.1\"},"
        "\"predicateType\":\"https://libmlops.dev/manifest/v1\",\"subject\":[{\"digest\":"
        "{\"sha256\":\"4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945\"},"
        "\"name\":\"m@0.0.1\"}]}");
    mlops_buf_dispose(&out);
    mlops_manifest_free(m);
    mlops_manifest_builder_free(b);
}

static void odd_keys_are_named_in_bracket_form(void **state)
{
    (void)state;
    mlops_manifest_builder *b = NULL;
    mlops_manifest *m = NULL;
    assert_int_equal(mlops_manifest_builder_new(&b, "m", "1.0.0", "2026-01-01T00:00:00Z"), 0);
    assert_int_equal(mlops_manifest_builder_set_parameter_null(b, "dropout"), 0);
    assert_int_equal(mlops_manifest_builder_set_parameter_string(b, "a.b \"c\"", "x"), 0);
    assert_int_equal(mlops_manifest_builder_finish(&m, b), 0);
    assert_int_equal(mlops_manifest_parameter_count(m), 2);
    assert_string_equal(mlops_manifest_parameter_name(m, 0), "a.b \"c\"");
    assert_int_equal(mlops_manifest_parameter_type(m, 1), MLOPS_MANIFEST_VALUE_NULL);
    assert_string_equal(mlops_manifest_parameter_json(m, 1), "null");
    /* Turn the string parameter into an object: the fault names the odd key. */
    mlops_buf out = MLOPS_BUF_INIT;
    assert_int_equal(mlops_manifest_write_json(&out, m, 0), 0);
    size_t len = 0;
    char *bad = replace_once(out.data, "\"a.b \\\"c\\\"\":\"x\"",
                             "\"a.b \\\"c\\\"\":{}", &len);
    mlops_manifest *m2 = NULL;
    assert_int_equal(mlops_manifest_parse(&m2, bad, len, NULL), MLOPS_E_SCHEMA);
    assert_string_equal(mlops_error_last_path(), "$.predicate.parameters[\"a.b \\\"c\\\"\"]");
    free(bad);
    mlops_buf_dispose(&out);
    mlops_manifest_free(m);
    mlops_manifest_builder_free(b);
}

static void maps_iterate_in_utf16_order(void **state)
{
    (void)state;
    mlops_manifest_builder *b = NULL;
    mlops_manifest *m = NULL;
    assert_int_equal(mlops_manifest_builder_new(&b, "m", "1.0.0", "2026-01-01T00:00:00Z"), 0);
    /* U+FB01 sorts before U+1F600 by code point, after it by UTF-16 code
     * units (0xD83D 0xDE00): RFC 8785 uses the latter. */
    assert_int_equal(mlops_manifest_builder_set_metric(b, "\xef\xac\x81", 1), 0);
    assert_int_equal(mlops_manifest_builder_set_metric(b, "\xf0\x9f\x98\x80", 2), 0);
    assert_int_equal(mlops_manifest_builder_set_metric(b, "z", 3), 0);
    assert_int_equal(mlops_manifest_builder_finish(&m, b), 0);
    assert_string_equal(mlops_manifest_metric_name(m, 0), "z");
    assert_string_equal(mlops_manifest_metric_name(m, 1), "\xf0\x9f\x98\x80");
    assert_string_equal(mlops_manifest_metric_name(m, 2), "\xef\xac\x81");
    mlops_buf out = MLOPS_BUF_INIT;
    assert_int_equal(mlops_manifest_write_json(&out, m, 0), 0);
    assert_non_null(strstr(out.data, "\"metrics\":{\"z\":3,\"\xf0\x9f\x98\x80\":2,"
                                     "\"\xef\xac\x81\":1}"));
    mlops_buf_dispose(&out);
    mlops_manifest_free(m);
    mlops_manifest_builder_free(b);
}

/* ---- threads: a manifest is immutable and may be read concurrently ---- */

typedef struct reader_arg {
    const mlops_manifest *m;
    int ok;
} reader_arg;

static void *reader(void *p)
{
    reader_arg *a = p;
    a->ok = 1;
    for (int round = 0; round < 50; round++) {
        mlops_buf out = MLOPS_BUF_INIT;
        uint8_t want[32], got[32];
        if (mlops_manifest_write_json(&out, a->m, 0) ||
            mlops_digest_buffer(want, out.data, out.size) ||
            mlops_manifest_statement_digest(got, a->m) || memcmp(want, got, 32) != 0)
            a->ok = 0;
        for (size_t i = 0; i < mlops_manifest_file_count(a->m); i++)
            if (mlops_manifest_file_find(a->m, mlops_manifest_file_path(a->m, i)) != i)
                a->ok = 0;
        if (mlops_manifest_validate(a->m) != 0)
            a->ok = 0;
        mlops_buf_dispose(&out);
    }
    return NULL;
}

static void manifest_is_readable_from_many_threads(void **state)
{
    (void)state;
    mlops_manifest *m = parse_vector("child.json");
    pthread_t t[4];
    reader_arg a[4];
    for (int i = 0; i < 4; i++) {
        a[i].m = m;
        assert_int_equal(pthread_create(&t[i], NULL, reader, &a[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        assert_int_equal(pthread_join(t[i], NULL), 0);
        assert_true(a[i].ok);
    }
    assert_string_equal(mlops_manifest_statement_sha256(m), CHILD_STATEMENT);
    mlops_manifest_free(m);
}

/* ---- out of memory ---- */

typedef struct oom_ctx {
    mlops_manifest *m, *m2, *p, *c;
    mlops_manifest_diff *d;
    mlops_buf buf;
    char *data;
    size_t len;
} oom_ctx;

static void oom_cleanup_fn(void *p)
{
    oom_ctx *x = p;
    mlops_manifest_free(x->m);
    mlops_manifest_free(x->m2);
    mlops_manifest_diff_free(x->d);
    mlops_buf_dispose(&x->buf);
    x->m = x->m2 = NULL;
    x->d = NULL;
}

static int op_build(void *p)
{
    oom_ctx *x = p;
    int rc = build_parent(&x->m);
    return rc ? rc : build_child(&x->m2, x->m);
}

static int op_parse(void *p)
{
    oom_ctx *x = p;
    return mlops_manifest_parse(&x->m, x->data, x->len, NULL);
}

static int op_write(void *p)
{
    oom_ctx *x = p;
    int rc = mlops_manifest_write_json(&x->buf, x->c, 0);
    return rc ? rc : mlops_manifest_write_json(&x->buf, x->c, MLOPS_JSON_PRETTY);
}

static int op_validate(void *p)
{
    oom_ctx *x = p;
    return mlops_manifest_validate(x->c);
}

static int op_diff(void *p)
{
    oom_ctx *x = p;
    int rc = mlops_manifest_diff_new(&x->d, x->p, x->c, 0);
    if (!rc)
        rc = mlops_manifest_diff_write_json(&x->buf, x->d, 0);
    if (!rc)
        rc = mlops_manifest_diff_write_json(&x->buf, x->d, MLOPS_JSON_PRETTY);
    return rc;
}

/* A builder setter that fails for lack of memory leaves the builder as it was:
 * finishing it gives the same statement as before the call. */
typedef struct setter_ctx {
    int which;
    char baseline[65];
    mlops_manifest_builder *b;
} setter_ctx;

static const char H64[] = "abababababababababababababababababababababababababababababababab";

static int base_builder(mlops_manifest_builder **b)
{
    int rc = mlops_manifest_builder_new(b, "m", "1.0.0", "2026-01-01T00:00:00Z");
    if (!rc)
        rc = mlops_manifest_builder_add_file(*b, "w.bin", 1000, H64, NULL, "model");
    if (!rc)
        rc = mlops_manifest_builder_add_dataset(*b, "train", NULL, NULL, NULL);
    if (!rc)
        rc = mlops_manifest_builder_set_metric(*b, "auc", 0.5);
    return rc;
}

static int apply_setter(mlops_manifest_builder *b, int which)
{
    const char *shards[] = {H64, H64, H64, H64};
    switch (which) {
    case 0: return mlops_manifest_builder_set_file_shards(b, "w.bin", 256, shards, 4);
    case 1: return mlops_manifest_builder_set_dataset_foreign_digest(b, "train", "md5", "dvc3", "x");
    case 2: return mlops_manifest_builder_set_parameter_json(b, "lr", "0.01");
    case 3: return mlops_manifest_builder_set_parent(b, "m", "0.9.0", H64);
    case 4: return mlops_manifest_builder_set_code(b, "https://x", "0123456789abcdef0123456789abcdef01234567");
    case 5: return mlops_manifest_builder_set_framework(b, "onnx", "1.17");
    case 6: return mlops_manifest_builder_add_file(b, "z.bin", 1, H64, "t", "r");
    case 7: return mlops_manifest_builder_set_parameter_null(b, "dropout");
    default: return mlops_manifest_builder_set_annotation(b, "team", "risk");
    }
}

static int op_setter(void *p)
{
    setter_ctx *x = p;
    int rc = base_builder(&x->b);
    if (rc)
        return rc;
    rc = apply_setter(x->b, x->which);
    if (rc == MLOPS_E_NOMEM) {
        mlops_manifest *m = NULL;
        if (mlops_manifest_builder_finish(&m, x->b) != 0)
            fail_msg("setter %d: finish after a failed call: %s", x->which, mlops_error_last());
        if (strcmp(mlops_manifest_statement_sha256(m), x->baseline) != 0)
            fail_msg("setter %d changed the builder although it failed", x->which);
        mlops_manifest_free(m);
        return MLOPS_E_NOMEM; /* the successful finish kept the recorded error */
    }
    return rc;
}

static void setter_cleanup(void *p)
{
    setter_ctx *x = p;
    mlops_manifest_builder_free(x->b);
    x->b = NULL;
}

static void failed_setters_leave_the_builder_unchanged(void **state)
{
    (void)state;
    oom_install();
    setter_ctx x;
    memset(&x, 0, sizeof x);
    mlops_manifest *m = NULL;
    assert_int_equal(base_builder(&x.b), 0);
    assert_int_equal(mlops_manifest_builder_finish(&m, x.b), 0);
    memcpy(x.baseline, mlops_manifest_statement_sha256(m), 65);
    mlops_manifest_free(m);
    setter_cleanup(&x);
    for (x.which = 0; x.which <= 8; x.which++)
        oom_check("setter", op_setter, setter_cleanup, &x, 0);
}

static void every_operation_survives_allocation_failure(void **state)
{
    (void)state;
    oom_install();
    oom_ctx x;
    memset(&x, 0, sizeof x);
    x.data = read_vector("child.json", &x.len);
    x.p = parse_vector("parent.json");
    x.c = parse_vector("child.json");
    oom_check("build", op_build, oom_cleanup_fn, &x, 0);
    oom_check("parse", op_parse, oom_cleanup_fn, &x, 0);
    oom_check("write", op_write, oom_cleanup_fn, &x, 0);
    oom_check("validate", op_validate, oom_cleanup_fn, &x, 0);
    oom_check("diff", op_diff, oom_cleanup_fn, &x, 0);
    mlops_manifest_free(x.p);
    mlops_manifest_free(x.c);
    free(x.data);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fixed_examples_have_pinned_digests),
        cmocka_unit_test(built_manifests_equal_the_oracle_bytes),
        cmocka_unit_test(accessors_read_every_field),
        cmocka_unit_test(parse_write_parse_write_is_byte_identical),
        cmocka_unit_test(every_spelling_hashes_and_writes_alike),
        cmocka_unit_test(parent_link_is_checked),
        cmocka_unit_test(diff_matches_the_oracle),
        cmocka_unit_test(diff_writes_an_infinite_delta_apart_from_null),
        cmocka_unit_test(bad_inputs_fail_with_code_and_path),
        cmocka_unit_test(duplicate_version_key_names_the_key),
        cmocka_unit_test(huge_string_and_deep_nesting_are_limits),
        cmocka_unit_test(many_datasets_are_checked_quickly),
        cmocka_unit_test(path_rules),
        cmocka_unit_test(case_folding_collisions),
        cmocka_unit_test(a_file_is_not_also_a_directory),
        cmocka_unit_test(builder_rejects_bad_values_and_stays_unchanged),
        cmocka_unit_test(builder_keeps_numbers_a_double_holds_exactly),
        cmocka_unit_test(diff_reports_every_field_datasets_and_code),
        cmocka_unit_test(info_structs_read_every_field),
        cmocka_unit_test(info_structs_of_a_minimal_manifest),
        cmocka_unit_test(diff_info_structs_match_the_oracle),
        cmocka_unit_test(empty_manifest_has_digest_of_empty_array),
        cmocka_unit_test(odd_keys_are_named_in_bracket_form),
        cmocka_unit_test(maps_iterate_in_utf16_order),
        cmocka_unit_test(manifest_is_readable_from_many_threads),
        cmocka_unit_test(every_operation_survives_allocation_failure),
        cmocka_unit_test(failed_setters_leave_the_builder_unchanged),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
