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
    "Compare two manifests (JSON files or packages): their parent relation, the\n"
    "files added, removed and changed, the parameters that differ and every metric\n"
    "with its delta. With --json, the library's diff JSON\n"
    "(docs/formats/manifest-v1.md).\n"
    "\n"
    "exit status: 0 compared (whether or not they differ); 1 a package whose content\n"
    "does not verify; 2 usage or input error.\n";

/* A manifest from a JSON file, or from a package through the package layer
 * when it is available (cli_package_manifest, cmd_package.c). */
int cli_manifest_load(mlops_manifest **m, const char *path, const char *cmd)
{
    uint8_t *data;
    size_t size;
    char err[512];
    *m = NULL;
    if (cli_read_file(&data, &size, path, err, sizeof err) != 0)
        return cli_input_error(cmd, "%s", err);
    size_t k = 0;
    while (k < size && (data[k] == ' ' || data[k] == '\n' || data[k] == '\r' || data[k] == '\t'))
        k++;
    if (k == size || data[k] != '{') {
        free(data);
        return cli_package_manifest(m, path, cmd);
    }
    int rc = mlops_manifest_parse(m, (const char *)data, size, NULL);
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
        for (size_t i = 0; i < n; i++)
            printf("  %-24s %.10g\n", mlops_manifest_metric_name(m, i),
                   mlops_manifest_metric_value(m, i));
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
        int lrc = mlops_manifest_write_canonical(&b, m);
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

static void print_delta(double v)
{
    if (isnan(v))
        printf("  %12s", "-");
    else
        printf("  %+12.6g", v);
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
    printf("%s %s -> %s %s (%s)\n", mlops_manifest_name(a), mlops_manifest_version(a),
           mlops_manifest_name(b), mlops_manifest_version(b),
           mlops_manifest_relation_name(mlops_manifest_diff_relation(d)));
    size_t n = mlops_manifest_diff_file_count(d);
    printf("\nfiles: %zu changed\n", n);
    for (size_t i = 0; i < n; i++) {
        int c = mlops_manifest_diff_file_change(d, i);
        int added = c == MLOPS_MANIFEST_ADDED, removed = c == MLOPS_MANIFEST_REMOVED;
        const char *mark = added ? "+" : removed ? "-" : "~";
        const char *col = added ? cli_green(&g) : removed ? cli_red(&g) : "";
        printf("  %s%s %-40s%s", col, mark, mlops_manifest_diff_file_path(d, i),
               added || removed ? cli_reset(&g) : "");
        if (c == MLOPS_MANIFEST_CHANGED)
            printf(" %llu -> %llu bytes", (unsigned long long)mlops_manifest_diff_file_old_size(d, i),
                   (unsigned long long)mlops_manifest_diff_file_new_size(d, i));
        else if (added)
            printf(" %llu bytes", (unsigned long long)mlops_manifest_diff_file_new_size(d, i));
        else
            printf(" %llu bytes", (unsigned long long)mlops_manifest_diff_file_old_size(d, i));
        printf(" (%s)\n", mlops_manifest_change_name(c));
    }
    n = mlops_manifest_diff_parameter_count(d);
    printf("\nparameters: %zu changed\n", n);
    for (size_t i = 0; i < n; i++)
        printf("  %-24s %s -> %s\n", mlops_manifest_diff_parameter_name(d, i),
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
