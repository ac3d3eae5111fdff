/*
 * `mlops inspect` and `mlops diff`: version manifests (in-toto statements of
 * the libmlops.manifest/v1 predicate), read from a manifest JSON file or from
 * a package.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "core/numfmt.h"
#include "input.h"

static const char inspect_usage[] =
    "usage: mlops inspect FILE [--json]\n"
    "\n"
    "Show a version manifest: name, version, creation time, framework, files (path,\n"
    "size, role, SHA-256), datasets, parameters, metrics, annotations, parent, code,\n"
    "and its tree and statement digests. FILE is a manifest (JSON) or a package\n"
    "(.mlpkg; its signature is not checked here: use 'mlops verify'). With --json,\n"
    "the canonical manifest JSON.\n"
    "\n"
    "exit status: 0 shown; 1 a package whose content does not verify (truncated,\n"
    "tampered, malformed); 2 usage or input error (the library's reason).\n";

static const char diff_usage[] =
    "usage: mlops diff A B [--json]\n"
    "\n"
    "Compare two manifests (JSON files or packages): their parent relation (\"1.1.0\n"
    "is a child of 1.0.0\"), the files and datasets added, removed and changed (with\n"
    "the fields that differ: digest, size, role, media type, shards, URI), the code\n"
    "link, the parameters that differ and every metric with its delta. With --json,\n"
    "the library's diff JSON (docs/formats/manifest-v1.md), whose \"relation\" is one\n"
    "of same, b-child-of-a, a-child-of-b, unrelated.\n"
    "\n"
    "exit status: 0 compared (whether or not they differ); 1 a package whose content\n"
    "does not verify; 2 usage or input error.\n";

/* A package's statement (signature not checked), for inspect and diff: only
 * from a package whose content verifies (a truncated or tampered package is
 * refused, exit 1, as verify and extract refuse it). */
int cli_package_manifest(mlops_manifest **m, const char *path, const char *cmd)
{
    mlops_package_verify_options o = MLOPS_PACKAGE_VERIFY_OPTIONS_INIT;
    o.flags = MLOPS_PACKAGE_ALLOW_UNSIGNED;
    mlops_package_report *r = NULL;
    int rc = mlops_package_verify(&r, path, &o);
    const mlops_manifest *pm = r ? mlops_package_report_manifest(r) : NULL;
    if (!pm || rc != 0) {
        char msg[2048];
        const char *why = rc ? mlops_error_last() : "no statement in the package";
        snprintf(msg, sizeof msg, "%s%s%s", strncmp(why, path, strlen(path)) ? path : "",
                 strncmp(why, path, strlen(path)) ? ": " : "", why);
        mlops_package_report_free(r);
        return cli_error_as(cmd, rc ? rc : MLOPS_E_PARSE, CLI_CONTENT, msg);
    }
    mlops_buf b = MLOPS_BUF_INIT;
    rc = mlops_manifest_write_json(&b, pm, 0);
    if (rc == 0)
        rc = mlops_manifest_parse(m, (const char *)b.data, b.size, NULL);
    mlops_buf_dispose(&b);
    mlops_package_report_free(r);
    if (rc != 0)
        return cli_library_error(cmd, rc);
    return CLI_OK;
}

/* A manifest from a JSON file, or from a package (cli_package_manifest). */
int cli_manifest_load(mlops_manifest **m, const char *path, const char *cmd)
{
    uint8_t *data;
    size_t size;
    char err[512];
    *m = NULL;
    if (cli_read_file(&data, &size, path, err, sizeof err) != 0)
        return cli_input_error(cmd, "%s", err);
    /* a UTF-8 byte-order mark before the JSON (an editor's) is skipped: kept,
     * the file read as a package, "Unrecognized archive format" */
    size_t bom = size >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0, k = bom;
    while (k < size && (data[k] == ' ' || data[k] == '\n' || data[k] == '\r' || data[k] == '\t'))
        k++;
    if (k == size || data[k] != '{') {
        free(data);
        return cli_package_manifest(m, path, cmd);
    }
    int rc = mlops_manifest_parse(m, (const char *)data + bom, size - bom, NULL);
    free(data);
    if (rc != 0) {
        char msg[2048];
        snprintf(msg, sizeof msg, "%s: %s", path, mlops_error_last());
        return cli_error_as(cmd, rc, CLI_INPUT, msg);
    }
    return CLI_OK;
}

static const char *or_dash(const char *s) { return s ? s : "-"; }

static void human_size(char *buf, size_t n, uint64_t v)
{
    if (v < 10000)
        snprintf(buf, n, "%llu B", (unsigned long long)v);
    else if (v < 10000ull * 1024)
        snprintf(buf, n, "%.1f KiB", (double)v / 1024);
    else if (v < 10000ull * 1024 * 1024)
        snprintf(buf, n, "%.1f MiB", (double)v / (1024.0 * 1024));
    else
        snprintf(buf, n, "%.1f GiB", (double)v / (1024.0 * 1024 * 1024));
}

static void print_manifest(const mlops_manifest *m, const cli_global *g)
{
    printf("%s%s %s%s\n", cli_bold(g), mlops_manifest_name(m), mlops_manifest_version(m),
           cli_reset(g));
    printf("%-12s %s\n", "created", mlops_manifest_created(m));
    if (mlops_manifest_description(m))
        printf("%-12s %s\n", "description", mlops_manifest_description(m));
    if (mlops_manifest_framework_name(m))
        printf("%-12s %s %s\n", "framework", mlops_manifest_framework_name(m),
               or_dash(mlops_manifest_framework_version(m)));
    printf("%-12s sha256:%s\n", "statement", mlops_manifest_statement_sha256(m));
    printf("%-12s sha256:%s\n", "tree", mlops_manifest_tree_sha256(m));
    if (mlops_manifest_has_parent(m))
        printf("%-12s %s %s (sha256:%s)\n", "parent", or_dash(mlops_manifest_parent_name(m)),
               or_dash(mlops_manifest_parent_version(m)), or_dash(mlops_manifest_parent_sha256(m)));
    if (mlops_manifest_code_uri(m) || mlops_manifest_code_commit(m))
        printf("%-12s %s @ %s\n", "code", or_dash(mlops_manifest_code_uri(m)),
               or_dash(mlops_manifest_code_commit(m)));
    size_t n = mlops_manifest_file_count(m);
    int w = 4;
    for (size_t i = 0; i < n; i++) {
        int l = (int)strlen(mlops_manifest_file_path(m, i));
        w = l > w ? l : w;
    }
    printf("\nfiles (%zu)\n  %-*s  %10s  %-8s  %s\n", n, w, "path", "size", "role", "sha256");
    for (size_t i = 0; i < n; i++) {
        char sz[32];
        human_size(sz, sizeof sz, mlops_manifest_file_size(m, i));
        size_t shards = mlops_manifest_file_shard_count(m, i);
        printf("  %-*s  %10s  %-8s  %.16s…", w, mlops_manifest_file_path(m, i), sz,
               or_dash(mlops_manifest_file_role(m, i)), mlops_manifest_file_sha256(m, i));
        if (shards)
            printf("  (%zu shards)", shards);
        printf("\n");
    }
    n = mlops_manifest_dataset_count(m);
    if (n) {
        printf("\ndatasets (%zu)\n", n);
        for (size_t i = 0; i < n; i++)
            printf("  %-20s %-6s %s\n", mlops_manifest_dataset_name(m, i),
                   or_dash(mlops_manifest_dataset_role(m, i)), or_dash(mlops_manifest_dataset_uri(m, i)));
    }
    n = mlops_manifest_parameter_count(m);
    if (n) {
        printf("\nparameters (%zu)\n", n);
        for (size_t i = 0; i < n; i++)
            printf("  %-24s %s\n", mlops_manifest_parameter_name(m, i),
                   mlops_manifest_parameter_json(m, i));
    }
    n = mlops_manifest_metric_count(m);
    if (n) {
        printf("\nmetrics (%zu)\n", n);
        for (size_t i = 0; i < n; i++) {
            char h[MLOPS__NUM_HUMAN_SIZE];
            printf("  %-24s %s\n", mlops_manifest_metric_name(m, i),
                   mlops__num_human(h, mlops_manifest_metric_value(m, i)));
        }
    }
    n = mlops_manifest_annotation_count(m);
    if (n) {
        printf("\nannotations (%zu)\n", n);
        for (size_t i = 0; i < n; i++)
            printf("  %-24s %s\n", mlops_manifest_annotation_key(m, i),
                   mlops_manifest_annotation_value(m, i));
    }
}

int cli_cmd_inspect(int argc, char **argv, const cli_global *g0)
{
    cli_global g = *g0;
    int h = cli_help_or_go(cli_parse("inspect", &argc, argv, &g, NULL), inspect_usage);
    if (h >= 0)
        return h;
    if (argc != 2)
        return cli_usage_error("inspect", "expected one FILE");
    mlops_manifest *m = NULL;
    int rc = cli_manifest_load(&m, argv[1], "inspect");
    if (rc != CLI_OK)
        return rc;
    if (g.json) {
        mlops_buf b = MLOPS_BUF_INIT;
        int lrc = mlops_manifest_write_json(&b, m, 0);
        if (lrc != 0) {
            mlops_manifest_free(m);
            return cli_library_error("inspect", lrc);
        }
        fwrite(b.data, 1, b.size, stdout);
        putchar('\n');
        mlops_buf_dispose(&b);
    } else {
        print_manifest(m, &g);
    }
    mlops_manifest_free(m);
    return CLI_OK;
}

static const char *change_mark(int c)
{
    return c == MLOPS_MANIFEST_ADDED ? "+" : c == MLOPS_MANIFEST_REMOVED ? "-" : "~";
}

/* "1.1.0" when both sides have one name, else "name 1.1.0". */
static void print_side(const mlops_manifest *m, int same_name)
{
    if (same_name)
        printf("%s", mlops_manifest_version(m));
    else
        printf("%s %s", mlops_manifest_name(m), mlops_manifest_version(m));
}

/* The parent relation for people; --json keeps the stable machine value. */
static void print_relation(const mlops_manifest *a, const mlops_manifest *b, int rel)
{
    int same_name = strcmp(mlops_manifest_name(a), mlops_manifest_name(b)) == 0;
    printf("%s %s -> %s %s\n", mlops_manifest_name(a), mlops_manifest_version(a),
           mlops_manifest_name(b), mlops_manifest_version(b));
    printf("relation: ");
    switch (rel) {
    case MLOPS_MANIFEST_SAME: printf("the same statement (equal digests)"); break;
    case MLOPS_MANIFEST_B_CHILD_OF_A:
        print_side(b, same_name);
        printf(" is a child of ");
        print_side(a, same_name);
        break;
    case MLOPS_MANIFEST_A_CHILD_OF_B:
        print_side(a, same_name);
        printf(" is a child of ");
        print_side(b, same_name);
        break;
    default: printf("none (neither names the other as its parent)"); break;
    }
    printf("\n");
}

/* The field names of a mask, comma-separated ("digest, size"). */
static void print_fields(uint32_t fields)
{
    const char *sep = "";
    for (uint32_t bit = 1; bit && bit <= MLOPS_MANIFEST_FIELD_COMMIT; bit <<= 1)
        if (fields & bit) {
            printf("%s%s", sep, mlops_manifest_field_name(bit));
            sep = ", ";
        }
}

static void print_files(const mlops_manifest *a, const mlops_manifest *b,
                        const mlops_manifest_diff *d, const cli_global *g)
{
    size_t n = mlops_manifest_diff_file_count(d), c4[4] = {0, 0, 0, 0};
    for (size_t i = 0; i < n; i++)
        c4[mlops_manifest_diff_file_change(d, i) & 3]++;
    printf("\nfiles: %zu added, %zu removed, %zu changed, %zu unchanged\n",
           c4[MLOPS_MANIFEST_ADDED], c4[MLOPS_MANIFEST_REMOVED], c4[MLOPS_MANIFEST_CHANGED],
           mlops_manifest_diff_unchanged_file_count(d));
    for (size_t i = 0; i < n; i++) {
        int c = mlops_manifest_diff_file_change(d, i);
        int added = c == MLOPS_MANIFEST_ADDED, removed = c == MLOPS_MANIFEST_REMOVED;
        const char *col = added ? cli_green(g) : removed ? cli_red(g) : "";
        const char *path = mlops_manifest_diff_file_path(d, i);
        printf("  %s%s %-40s%s", col, change_mark(c), path, added || removed ? cli_reset(g) : "");
        if (added) {
            printf(" %llu bytes (added)\n",
                   (unsigned long long)mlops_manifest_diff_file_new_size(d, i));
            continue;
        }
        if (removed) {
            printf(" %llu bytes (removed)\n",
                   (unsigned long long)mlops_manifest_diff_file_old_size(d, i));
            continue;
        }
        uint32_t f = mlops_manifest_diff_file_fields(d, i);
        size_t ia = mlops_manifest_file_find(a, path), ib = mlops_manifest_file_find(b, path);
        if (f & MLOPS_MANIFEST_FIELD_SIZE)
            printf(" %llu -> %llu bytes", (unsigned long long)mlops_manifest_diff_file_old_size(d, i),
                   (unsigned long long)mlops_manifest_diff_file_new_size(d, i));
        if (f & MLOPS_MANIFEST_FIELD_DIGEST)
            printf(" sha256 %.12s… -> %.12s…", mlops_manifest_diff_file_old_sha256(d, i),
                   mlops_manifest_diff_file_new_sha256(d, i));
        if (f & MLOPS_MANIFEST_FIELD_ROLE)
            printf(" role %s -> %s", or_dash(mlops_manifest_file_role(a, ia)),
                   or_dash(mlops_manifest_file_role(b, ib)));
        if (f & MLOPS_MANIFEST_FIELD_MEDIA_TYPE)
            printf(" media type %s -> %s", or_dash(mlops_manifest_file_media_type(a, ia)),
                   or_dash(mlops_manifest_file_media_type(b, ib)));
        if (f & MLOPS_MANIFEST_FIELD_SHARDS)
            printf(" shards %zu -> %zu", mlops_manifest_file_shard_count(a, ia),
                   mlops_manifest_file_shard_count(b, ib));
        printf(" (changed: ");
        print_fields(f);
        printf(")\n");
    }
}

static void print_datasets(const mlops_manifest_diff *d, const cli_global *g)
{
    size_t n = mlops_manifest_diff_dataset_count(d), c4[4] = {0, 0, 0, 0};
    for (size_t i = 0; i < n; i++)
        c4[mlops_manifest_diff_dataset_change(d, i) & 3]++;
    printf("\ndatasets: %zu added, %zu removed, %zu changed, %zu unchanged\n",
           c4[MLOPS_MANIFEST_ADDED], c4[MLOPS_MANIFEST_REMOVED], c4[MLOPS_MANIFEST_CHANGED],
           mlops_manifest_diff_unchanged_dataset_count(d));
    for (size_t i = 0; i < n; i++) {
        int c = mlops_manifest_diff_dataset_change(d, i);
        int added = c == MLOPS_MANIFEST_ADDED, removed = c == MLOPS_MANIFEST_REMOVED;
        const char *col = added ? cli_green(g) : removed ? cli_red(g) : "";
        printf("  %s%s %-24s%s", col, change_mark(c), mlops_manifest_diff_dataset_name(d, i),
               added || removed ? cli_reset(g) : "");
        if (added || removed) {
            const char *uri = added ? mlops_manifest_diff_dataset_new_uri(d, i)
                                    : mlops_manifest_diff_dataset_old_uri(d, i);
            const char *sha = added ? mlops_manifest_diff_dataset_new_sha256(d, i)
                                    : mlops_manifest_diff_dataset_old_sha256(d, i);
            if (uri)
                printf(" %s", uri);
            if (sha)
                printf(" sha256 %.12s…", sha);
            printf(" (%s)\n", mlops_manifest_change_name(c));
            continue;
        }
        uint32_t f = mlops_manifest_diff_dataset_fields(d, i);
        if (f & MLOPS_MANIFEST_FIELD_DIGEST)
            printf(" sha256 %.12s%s -> %.12s%s", or_dash(mlops_manifest_diff_dataset_old_sha256(d, i)),
                   mlops_manifest_diff_dataset_old_sha256(d, i) ? "…" : "",
                   or_dash(mlops_manifest_diff_dataset_new_sha256(d, i)),
                   mlops_manifest_diff_dataset_new_sha256(d, i) ? "…" : "");
        if (f & MLOPS_MANIFEST_FIELD_URI)
            printf(" uri %s -> %s", or_dash(mlops_manifest_diff_dataset_old_uri(d, i)),
                   or_dash(mlops_manifest_diff_dataset_new_uri(d, i)));
        printf(" (changed: ");
        print_fields(f);
        printf(")\n");
    }
}

static void print_code(const mlops_manifest *a, const mlops_manifest *b,
                       const mlops_manifest_diff *d)
{
    int c = mlops_manifest_diff_code_change(d);
    const mlops_manifest *m = c == MLOPS_MANIFEST_REMOVED ? a : b;
    printf("\ncode: ");
    if (c == MLOPS_MANIFEST_UNCHANGED && !mlops_manifest_code_uri(a) && !mlops_manifest_code_commit(a))
        printf("none on either side\n");
    else if (c == MLOPS_MANIFEST_UNCHANGED)
        printf("unchanged (%s @ %s)\n", or_dash(mlops_manifest_code_uri(a)),
               or_dash(mlops_manifest_code_commit(a)));
    else if (c != MLOPS_MANIFEST_CHANGED)
        printf("%s (%s @ %s)\n", mlops_manifest_change_name(c), or_dash(mlops_manifest_code_uri(m)),
               or_dash(mlops_manifest_code_commit(m)));
    else {
        uint32_t f = mlops_manifest_diff_code_fields(d);
        printf("changed:");
        if (f & MLOPS_MANIFEST_FIELD_URI)
            printf(" uri %s -> %s", or_dash(mlops_manifest_code_uri(a)),
                   or_dash(mlops_manifest_code_uri(b)));
        if (f & MLOPS_MANIFEST_FIELD_COMMIT)
            printf(" commit %s -> %s", or_dash(mlops_manifest_code_commit(a)),
                   or_dash(mlops_manifest_code_commit(b)));
        printf("\n");
    }
}

static void print_delta(double v)
{
    if (isnan(v))
        printf("  %12s", "-");
    else
        printf("  %+12.6g", v);
}

static int same_or_both_null(const char *x, const char *y)
{
    return x == y || (x && y && strcmp(x, y) == 0);
}

/* The statement's own fields (as the JSON's "metadata"): a diff of two
 * statements that differ only there must not read as no change. */
static void print_metadata(const mlops_manifest *a, const mlops_manifest *b)
{
    const char *changed[4];
    size_t n = 0;
    if (!same_or_both_null(mlops_manifest_created(a), mlops_manifest_created(b)))
        changed[n++] = "created";
    if (!same_or_both_null(mlops_manifest_description(a), mlops_manifest_description(b)))
        changed[n++] = "description";
    if (!same_or_both_null(mlops_manifest_framework_name(a), mlops_manifest_framework_name(b)) ||
        !same_or_both_null(mlops_manifest_framework_version(a),
                           mlops_manifest_framework_version(b)))
        changed[n++] = "framework";
    int ann = mlops_manifest_annotation_count(a) != mlops_manifest_annotation_count(b);
    for (size_t i = 0; !ann && i < mlops_manifest_annotation_count(a); i++)
        ann = !same_or_both_null(mlops_manifest_annotation_key(a, i),
                                 mlops_manifest_annotation_key(b, i)) ||
              !same_or_both_null(mlops_manifest_annotation_value(a, i),
                                 mlops_manifest_annotation_value(b, i));
    if (ann)
        changed[n++] = "annotations";
    printf("\nmetadata: ");
    if (!n)
        printf("unchanged\n");
    for (size_t i = 0; i < n; i++)
        printf("%s%s", changed[i], i + 1 < n ? ", " : " changed\n");
}

int cli_cmd_diff(int argc, char **argv, const cli_global *g0)
{
    cli_global g = *g0;
    int h = cli_help_or_go(cli_parse("diff", &argc, argv, &g, NULL), diff_usage);
    if (h >= 0)
        return h;
    if (argc != 3)
        return cli_usage_error("diff", "expected two manifests A and B");
    mlops_manifest *a = NULL, *b = NULL;
    mlops_manifest_diff *d = NULL;
    int status = cli_manifest_load(&a, argv[1], "diff");
    if (status == CLI_OK)
        status = cli_manifest_load(&b, argv[2], "diff");
    if (status != CLI_OK)
        goto out;
    int rc = mlops_manifest_diff_new(&d, a, b, 0);
    if (rc != 0) {
        status = cli_library_error("diff", rc);
        goto out;
    }
    if (g.json) {
        mlops_buf buf = MLOPS_BUF_INIT;
        rc = mlops_manifest_diff_write_json(&buf, d, 0);
        if (rc != 0) {
            status = cli_library_error("diff", rc);
            goto out;
        }
        fwrite(buf.data, 1, buf.size, stdout);
        putchar('\n');
        mlops_buf_dispose(&buf);
        goto out;
    }
    print_relation(a, b, mlops_manifest_diff_relation(d));
    print_files(a, b, d, &g);
    print_datasets(d, &g);
    print_code(a, b, d);
    print_metadata(a, b);
    size_t n = mlops_manifest_diff_parameter_count(d);
    size_t pc[4] = {0, 0, 0, 0};
    for (size_t i = 0; i < n; i++)
        pc[mlops_manifest_diff_parameter_change(d, i) & 3]++;
    printf("\nparameters: %zu added, %zu removed, %zu changed\n", pc[MLOPS_MANIFEST_ADDED],
           pc[MLOPS_MANIFEST_REMOVED], pc[MLOPS_MANIFEST_CHANGED]);
    for (size_t i = 0; i < n; i++)
        printf("  %s %-24s %s -> %s\n", change_mark(mlops_manifest_diff_parameter_change(d, i)),
               mlops_manifest_diff_parameter_name(d, i),
               or_dash(mlops_manifest_diff_parameter_old_json(d, i)),
               or_dash(mlops_manifest_diff_parameter_new_json(d, i)));
    n = mlops_manifest_diff_metric_count(d);
    printf("\nmetrics (%zu)\n  %-24s  %12s  %12s  %12s  %12s\n", n, "metric", "a", "b", "delta",
           "relative");
    for (size_t i = 0; i < n; i++) {
        printf("  %-24s", mlops_manifest_diff_metric_name(d, i));
        double o = mlops_manifest_diff_metric_old(d, i), v = mlops_manifest_diff_metric_new(d, i);
        if (isnan(o))
            printf("  %12s", "-");
        else
            printf("  %12.6g", o);
        if (isnan(v))
            printf("  %12s", "-");
        else
            printf("  %12.6g", v);
        print_delta(mlops_manifest_diff_metric_delta(d, i));
        print_delta(mlops_manifest_diff_metric_relative(d, i));
        printf("\n");
    }
out:
    mlops_manifest_diff_free(d);
    mlops_manifest_free(a);
    mlops_manifest_free(b);
    return status;
}
