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

/* A digest of the info structs ("sha256:<hex>") as its hex digits. */
static const char *hex_of(const char *digest) { return digest ? digest + 7 : NULL; }

static void print_manifest(const mlops_manifest *m, const cli_global *g)
{
    const struct mlops_manifest_info *in = mlops_manifest_info(m);
    printf("%s%s %s%s\n", cli_bold(g), in->name, in->model_version, cli_reset(g));
    printf("%-12s %s\n", "created", in->created);
    if (in->description)
        printf("%-12s %s\n", "description", in->description);
    if (in->framework_name)
        printf("%-12s %s %s\n", "framework", in->framework_name, or_dash(in->framework_version));
    printf("%-12s %s\n", "statement", in->statement_digest);
    printf("%-12s %s\n", "tree", in->tree_digest);
    if (in->has_parent)
        printf("%-12s %s %s (%s)\n", "parent", or_dash(in->parent_name),
               or_dash(in->parent_version), or_dash(in->parent_digest));
    if (in->code_uri || in->code_commit)
        printf("%-12s %s @ %s\n", "code", or_dash(in->code_uri), or_dash(in->code_commit));
    size_t n = in->n_files;
    int w = 4;
    for (size_t i = 0; i < n; i++) {
        int l = (int)strlen(mlops_manifest_file(m, i)->path);
        w = l > w ? l : w;
    }
    printf("\nfiles (%zu)\n  %-*s  %10s  %-8s  %s\n", n, w, "path", "size", "role", "sha256");
    for (size_t i = 0; i < n; i++) {
        const mlops_manifest_file_info *f = mlops_manifest_file(m, i);
        char sz[32];
        human_size(sz, sizeof sz, f->file_size);
        printf("  %-*s  %10s  %-8s  %.16s…", w, f->path, sz, or_dash(f->role), hex_of(f->digest));
        if (f->shard_count)
            printf("  (%zu shards)", f->shard_count);
        printf("\n");
    }
    if (in->n_datasets) {
        printf("\ndatasets (%zu)\n", in->n_datasets);
        for (size_t i = 0; i < in->n_datasets; i++) {
            const mlops_manifest_dataset_info *ds = mlops_manifest_dataset(m, i);
            printf("  %-20s %-6s %s\n", ds->name, or_dash(ds->role), or_dash(ds->uri));
        }
    }
    if (in->n_parameters) {
        printf("\nparameters (%zu)\n", in->n_parameters);
        for (size_t i = 0; i < in->n_parameters; i++) {
            const mlops_manifest_parameter_info *p = mlops_manifest_parameter(m, i);
            printf("  %-24s %s\n", p->name, p->json);
        }
    }
    if (in->n_metrics) {
        printf("\nmetrics (%zu)\n", in->n_metrics);
        for (size_t i = 0; i < in->n_metrics; i++) {
            const mlops_manifest_metric_info *x = mlops_manifest_metric(m, i);
            char h[MLOPS__NUM_HUMAN_SIZE];
            printf("  %-24s %s\n", x->name, mlops__num_human(h, x->value));
        }
    }
    if (in->n_annotations) {
        printf("\nannotations (%zu)\n", in->n_annotations);
        for (size_t i = 0; i < in->n_annotations; i++) {
            const mlops_manifest_annotation_info *a = mlops_manifest_annotation(m, i);
            printf("  %-24s %s\n", a->key, a->value);
        }
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
    const struct mlops_manifest_info *in = mlops_manifest_info(m);
    if (same_name)
        printf("%s", in->model_version);
    else
        printf("%s %s", in->name, in->model_version);
}

/* The parent relation for people; --json keeps the stable machine value. */
static void print_relation(const mlops_manifest *a, const mlops_manifest *b, int rel)
{
    const struct mlops_manifest_info *ia = mlops_manifest_info(a), *ib = mlops_manifest_info(b);
    int same_name = strcmp(ia->name, ib->name) == 0;
    printf("%s %s -> %s %s\n", ia->name, ia->model_version, ib->name, ib->model_version);
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
    const struct mlops_manifest_diff_info *di = mlops_manifest_diff_info(d);
    size_t n = di->n_files, c4[4] = {0, 0, 0, 0};
    for (size_t i = 0; i < n; i++)
        c4[mlops_manifest_diff_file(d, i)->change & 3]++;
    printf("\nfiles: %zu added, %zu removed, %zu changed, %zu unchanged\n",
           c4[MLOPS_MANIFEST_ADDED], c4[MLOPS_MANIFEST_REMOVED], c4[MLOPS_MANIFEST_CHANGED],
           di->unchanged_file_count);
    for (size_t i = 0; i < n; i++) {
        const mlops_manifest_diff_file_info *r = mlops_manifest_diff_file(d, i);
        int c = r->change;
        int added = c == MLOPS_MANIFEST_ADDED, removed = c == MLOPS_MANIFEST_REMOVED;
        const char *col = added ? cli_green(g) : removed ? cli_red(g) : "";
        printf("  %s%s %-40s%s", col, change_mark(c), r->path, added || removed ? cli_reset(g) : "");
        if (added) {
            printf(" %llu bytes (added)\n", (unsigned long long)r->new_size);
            continue;
        }
        if (removed) {
            printf(" %llu bytes (removed)\n", (unsigned long long)r->old_size);
            continue;
        }
        uint32_t f = r->fields;
        const mlops_manifest_file_info *fa = mlops_manifest_file(a, mlops_manifest_file_find(a, r->path));
        const mlops_manifest_file_info *fb = mlops_manifest_file(b, mlops_manifest_file_find(b, r->path));
        if (f & MLOPS_MANIFEST_FIELD_SIZE)
            printf(" %llu -> %llu bytes", (unsigned long long)r->old_size,
                   (unsigned long long)r->new_size);
        if (f & MLOPS_MANIFEST_FIELD_DIGEST)
            printf(" sha256 %.12s… -> %.12s…", hex_of(r->old_digest), hex_of(r->new_digest));
        if (f & MLOPS_MANIFEST_FIELD_ROLE)
            printf(" role %s -> %s", or_dash(fa->role), or_dash(fb->role));
        if (f & MLOPS_MANIFEST_FIELD_MEDIA_TYPE)
            printf(" media type %s -> %s", or_dash(fa->media_type), or_dash(fb->media_type));
        if (f & MLOPS_MANIFEST_FIELD_SHARDS)
            printf(" shards %zu -> %zu", fa->shard_count, fb->shard_count);
        printf(" (changed: ");
        print_fields(f);
        printf(")\n");
    }
}

static void print_datasets(const mlops_manifest_diff *d, const cli_global *g)
{
    const struct mlops_manifest_diff_info *di = mlops_manifest_diff_info(d);
    size_t n = di->n_datasets, c4[4] = {0, 0, 0, 0};
    for (size_t i = 0; i < n; i++)
        c4[mlops_manifest_diff_dataset(d, i)->change & 3]++;
    printf("\ndatasets: %zu added, %zu removed, %zu changed, %zu unchanged\n",
           c4[MLOPS_MANIFEST_ADDED], c4[MLOPS_MANIFEST_REMOVED], c4[MLOPS_MANIFEST_CHANGED],
           di->unchanged_dataset_count);
    for (size_t i = 0; i < n; i++) {
        const mlops_manifest_diff_dataset_info *r = mlops_manifest_diff_dataset(d, i);
        int c = r->change;
        int added = c == MLOPS_MANIFEST_ADDED, removed = c == MLOPS_MANIFEST_REMOVED;
        const char *col = added ? cli_green(g) : removed ? cli_red(g) : "";
        printf("  %s%s %-24s%s", col, change_mark(c), r->name, added || removed ? cli_reset(g) : "");
        if (added || removed) {
            const char *uri = added ? r->new_uri : r->old_uri;
            const char *sha = hex_of(added ? r->new_digest : r->old_digest);
            if (uri)
                printf(" %s", uri);
            if (sha)
                printf(" sha256 %.12s…", sha);
            printf(" (%s)\n", mlops_manifest_change_name(c));
            continue;
        }
        uint32_t f = r->fields;
        if (f & MLOPS_MANIFEST_FIELD_DIGEST)
            printf(" sha256 %.12s%s -> %.12s%s", or_dash(hex_of(r->old_digest)),
                   r->old_digest ? "…" : "", or_dash(hex_of(r->new_digest)),
                   r->new_digest ? "…" : "");
        if (f & MLOPS_MANIFEST_FIELD_URI)
            printf(" uri %s -> %s", or_dash(r->old_uri), or_dash(r->new_uri));
        printf(" (changed: ");
        print_fields(f);
        printf(")\n");
    }
}

static void print_code(const mlops_manifest *a, const mlops_manifest *b,
                       const mlops_manifest_diff *d)
{
    const struct mlops_manifest_diff_info *di = mlops_manifest_diff_info(d);
    const struct mlops_manifest_info *ia = mlops_manifest_info(a), *ib = mlops_manifest_info(b);
    int c = di->code_change;
    const struct mlops_manifest_info *im = c == MLOPS_MANIFEST_REMOVED ? ia : ib;
    printf("\ncode: ");
    if (c == MLOPS_MANIFEST_UNCHANGED && !ia->code_uri && !ia->code_commit)
        printf("none on either side\n");
    else if (c == MLOPS_MANIFEST_UNCHANGED)
        printf("unchanged (%s @ %s)\n", or_dash(ia->code_uri), or_dash(ia->code_commit));
    else if (c != MLOPS_MANIFEST_CHANGED)
        printf("%s (%s @ %s)\n", mlops_manifest_change_name(c), or_dash(im->code_uri),
               or_dash(im->code_commit));
    else {
        uint32_t f = di->code_fields;
        printf("changed:");
        if (f & MLOPS_MANIFEST_FIELD_URI)
            printf(" uri %s -> %s", or_dash(ia->code_uri), or_dash(ib->code_uri));
        if (f & MLOPS_MANIFEST_FIELD_COMMIT)
            printf(" commit %s -> %s", or_dash(ia->code_commit), or_dash(ib->code_commit));
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
    const struct mlops_manifest_info *ia = mlops_manifest_info(a), *ib = mlops_manifest_info(b);
    const char *changed[4];
    size_t n = 0;
    if (!same_or_both_null(ia->created, ib->created))
        changed[n++] = "created";
    if (!same_or_both_null(ia->description, ib->description))
        changed[n++] = "description";
    if (!same_or_both_null(ia->framework_name, ib->framework_name) ||
        !same_or_both_null(ia->framework_version, ib->framework_version))
        changed[n++] = "framework";
    int ann = ia->n_annotations != ib->n_annotations;
    for (size_t i = 0; !ann && i < ia->n_annotations; i++) {
        const mlops_manifest_annotation_info *x = mlops_manifest_annotation(a, i);
        const mlops_manifest_annotation_info *y = mlops_manifest_annotation(b, i);
        ann = !same_or_both_null(x->key, y->key) || !same_or_both_null(x->value, y->value);
    }
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
    const struct mlops_manifest_diff_info *di = mlops_manifest_diff_info(d);
    print_relation(a, b, di->relation);
    print_files(a, b, d, &g);
    print_datasets(d, &g);
    print_code(a, b, d);
    print_metadata(a, b);
    size_t n = di->n_parameters;
    size_t pc[4] = {0, 0, 0, 0};
    for (size_t i = 0; i < n; i++)
        pc[mlops_manifest_diff_parameter(d, i)->change & 3]++;
    printf("\nparameters: %zu added, %zu removed, %zu changed\n", pc[MLOPS_MANIFEST_ADDED],
           pc[MLOPS_MANIFEST_REMOVED], pc[MLOPS_MANIFEST_CHANGED]);
    for (size_t i = 0; i < n; i++) {
        const mlops_manifest_diff_parameter_info *r = mlops_manifest_diff_parameter(d, i);
        printf("  %s %-24s %s -> %s\n", change_mark(r->change), r->name, or_dash(r->old_json),
               or_dash(r->new_json));
    }
    n = di->n_metrics;
    printf("\nmetrics (%zu)\n  %-24s  %12s  %12s  %12s  %12s\n", n, "metric", "a", "b", "delta",
           "relative");
    for (size_t i = 0; i < n; i++) {
        const mlops_manifest_diff_metric_info *r = mlops_manifest_diff_metric(d, i);
        printf("  %-24s", r->name);
        double o = r->old_value, v = r->new_value;
        if (isnan(o))
            printf("  %12s", "-");
        else
            printf("  %12.6g", o);
        if (isnan(v))
            printf("  %12s", "-");
        else
            printf("  %12.6g", v);
        print_delta(r->delta);
        print_delta(r->relative);
        printf("\n");
    }
out:
    mlops_manifest_diff_free(d);
    mlops_manifest_free(a);
    mlops_manifest_free(b);
    return status;
}
