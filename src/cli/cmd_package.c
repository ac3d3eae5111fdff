/*
 * `mlops keygen|pack|sign|verify|extract`: signed model packages.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "input.h"
#include "trust.h"

static int load_keys(mlops_key **keys, const char *cmd, const char *const *paths, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int rc = mlops_key_load_file(&keys[i], paths[i], 0);
        if (rc == 0 && !mlops_key_has_private(keys[i]))
            return cli_input_error(cmd, "%s: a public key cannot sign (give the private key)",
                                   paths[i]);
        if (rc != 0) {
            /* the loader's messages name the file already */
            return cli_error_as(cmd, rc, CLI_INPUT, mlops_error_last());
        }
    }
    return CLI_OK;
}

static void free_keys(mlops_key **keys, size_t n)
{
    for (size_t i = 0; i < n; i++)
        mlops_key_free(keys[i]);
}

/* ---- keygen ---- */

static const char keygen_usage[] =
    "usage: mlops keygen -o KEY.pem [--public PUB.pem]\n"
    "\n"
    "Generate an Ed25519 key pair: the private key (PKCS#8 PEM, mode 0600) in\n"
    "KEY.pem and the public key (SubjectPublicKeyInfo PEM) in PUB.pem (default\n"
    "KEY.pub.pem). Prints the key id (SHA-256 of the public key's DER).\n"
    "Existing files are not overwritten.\n"
    "\n"
    "exit status: 0 written; 2 usage or input error.\n";

/* A new file (never replacing one), written whole or not at all; *created
 * names it when it is a new regular file (to remove if a later step fails). */
static int write_new(const char *path, const mlops_buf *b, mode_t mode, char *created,
                     size_t created_len)
{
    char err[4400];
    FILE *f;
    cli_output *o = cli_output_open(path, &f, 0, mode, err, sizeof err);
    if (o && created)
        snprintf(created, created_len, "%s", cli_output_is_new_file(o) ? cli_output_target(o) : "");
    if (o)
        fwrite(b->data, 1, b->size, f);
    if (!o || cli_output_commit(o, err, sizeof err) != 0) {
        if (created)
            created[0] = '\0';
        return cli_input_error("keygen", "cannot create %s", err);
    }
    return CLI_OK;
}

int cli_cmd_keygen(int argc, char **argv, const cli_global *g0)
{
    cli_global g = *g0;
    const char *out = NULL, *pub = NULL;
    const cli_opt opts[] = { { "-o", &out, NULL }, { "--output", &out, NULL },
                             { "--public", &pub, NULL }, { NULL, NULL, NULL } };
    int h = cli_help_or_go(cli_parse("keygen", &argc, argv, &g, opts), keygen_usage);
    if (h >= 0)
        return h;
    if (argc != 1 || !out)
        return cli_usage_error("keygen", "expected -o KEY.pem and no operands");
    char pubbuf[4096];
    if (!pub) {
        size_t n = strlen(out);
        const char *base = n > 4 && strcmp(out + n - 4, ".pem") == 0 ? out : NULL;
        if (base)
            snprintf(pubbuf, sizeof pubbuf, "%.*s.pub.pem", (int)(n - 4), out);
        else
            snprintf(pubbuf, sizeof pubbuf, "%s.pub", out);
        pub = pubbuf;
    }
    mlops_key *k = NULL;
    mlops_buf priv = MLOPS_BUF_INIT, pb = MLOPS_BUF_INIT;
    int rc = mlops_key_generate(&k, 0), status = CLI_USAGE;
    if (rc == 0)
        rc = mlops_key_write_pem(&priv, k, MLOPS_KEY_PEM_PRIVATE);
    if (rc == 0)
        rc = mlops_key_write_pem(&pb, k, 0);
    if (rc != 0) {
        status = cli_library_error("keygen", rc);
        goto out;
    }
    char created[4096];
    if ((status = write_new(out, &priv, 0600, created, sizeof created)) != CLI_OK)
        goto out;
    if ((status = write_new(pub, &pb, 0644, NULL, 0)) != CLI_OK) {
        if (created[0])
            unlink(created);
        goto out;
    }
    if (g.json) {
        printf("{\"key_id\":\"%s\",\"private\":", mlops_key_id(k));
        cli_json_string(stdout, out);
        printf(",\"public\":");
        cli_json_string(stdout, pub);
        printf("}\n");
    } else {
        printf("key %s\nprivate key: %s\npublic key:  %s\n", mlops_key_id(k), out, pub);
    }
out:
    mlops_buf_dispose(&priv);
    mlops_buf_dispose(&pb);
    mlops_key_free(k);
    return status;
}

/* ---- pack ---- */

static const char pack_usage[] =
    "usage: mlops pack PATH... -o OUT.mlpkg --name NAME --version VERSION\n"
    "                  [--created TIME] [--description TEXT] [--framework NAME:VERSION]\n"
    "                  [--role ROLE] [--config|--doc|--code|--dataset PATH]...\n"
    "                  [--metric NAME=VALUE]... [--param NAME=VALUE]...\n"
    "                  [--annotation KEY=VALUE]... [--parent FILE] [--key KEY.pem]...\n"
    "                  [--force]\n"
    "\n"
    "Pack files and directories (a directory's files keep their paths relative to\n"
    "it; a file is packed under its base name) into a reproducible package whose\n"
    "statement records every file's size and SHA-256, signed with each --key.\n"
    "PATH operands get --role (model by default; or config, doc, code, dataset);\n"
    "--config/--doc/--code/--dataset PATH add paths of those roles.\n"
    "--created defaults to SOURCE_DATE_EPOCH when set, else now. --param values are\n"
    "JSON when they parse as JSON, else strings. A --param or --metric number that\n"
    "the signed form would change (9007199254740993 is signed as 9007199254740992)\n"
    "is refused; quote it (--param 'id=\"9007199254740993\"') to keep it as a string.\n"
    "--parent links the manifest to its parent (a manifest or package).\n"
    "\n"
    "exit status: 0 written; 2 usage or input error.\n";

/*
 * A metric is signed through its double (RFC 8785), so a value written with
 * digits a double cannot hold (9007199254740993, 0.10000000000000000001)
 * would be recorded as another number: 0 (refused, *canon pointing at the
 * library's "its canonical form would be ..."), as the builder refuses such a
 * parameter. The library's JSON-number rule decides (on a scratch builder);
 * strtod spellings outside JSON (".5", "+1", "1.") are made JSON first.
 */
static int metric_exact(const char *name, const char *text, const char **canon)
{
    char j[512];
    const char *t = text;
    size_t o = 0;
    if (*t == '+')
        t++;
    else if (*t == '-')
        j[o++] = *t++;
    if (*t == '.')
        j[o++] = '0';
    size_t n = strlen(t);
    if (2 * n + o + 2 > sizeof j)
        return 0;
    for (size_t i = 0; i < n; i++) {
        j[o++] = t[i];
        if (t[i] == '.' && (i + 1 == n || t[i + 1] < '0' || t[i + 1] > '9'))
            j[o++] = '0';
    }
    j[o] = '\0';
    mlops_manifest_builder *s = NULL;
    int rc = mlops_manifest_builder_new(&s, "metric-check", "0.0.0", "1970-01-01T00:00:00Z");
    if (!rc)
        rc = mlops_manifest_builder_set_parameter_json(s, name, j);
    mlops_manifest_builder_free(s);
    if (rc == MLOPS_E_SCHEMA && (*canon = strstr(mlops_error_last(), "its canonical form")))
        return 0;
    return 1; /* exact, or not a decimal number (hexadecimal: strtod's reading) */
}

static int split_kv(const char *s, char *key, size_t keylen, const char **value)
{
    const char *eq = strchr(s, '=');
    if (!eq || eq == s || (size_t)(eq - s) >= keylen)
        return -1;
    memcpy(key, s, (size_t)(eq - s));
    key[eq - s] = '\0';
    *value = eq + 1;
    return 0;
}

int cli_cmd_pack(int argc, char **argv, const cli_global *g0)
{
    cli_global g = *g0;
    const char *metrics[CLI_MAX_MULTI], *params[CLI_MAX_MULTI], *annots[CLI_MAX_MULTI];
    const char *keyp[CLI_MAX_MULTI];
    static const char *const roles[] = { "config", "doc", "code", "dataset" };
    const char *by_role[4][CLI_MAX_MULTI];
    size_t nm = 0, np = 0, na = 0, nk = 0, nr[4] = { 0, 0, 0, 0 };
    cli_progress bar;
    cli_progress_init(&bar, "packing");
    for (int i = 0; i < 4; i++) {
        char opt[32];
        snprintf(opt, sizeof opt, "--%s", roles[i]);
        if (cli_take_multi("pack", &argc, argv, opt, by_role[i], &nr[i]))
            return CLI_USAGE;
    }
    if (cli_take_multi("pack", &argc, argv, "--metric", metrics, &nm) ||
        cli_take_multi("pack", &argc, argv, "--param", params, &np) ||
        cli_take_multi("pack", &argc, argv, "--annotation", annots, &na) ||
        cli_take_multi("pack", &argc, argv, "--key", keyp, &nk))
        return CLI_USAGE;
    const char *out = NULL, *name = NULL, *version = NULL, *created = NULL, *desc = NULL,
               *framework = NULL, *role = NULL, *parent = NULL;
    int force = 0;
    const cli_opt opts[] = { { "-o", &out, NULL },          { "--output", &out, NULL },
                             { "--name", &name, NULL },     { "--version", &version, NULL },
                             { "--created", &created, NULL }, { "--description", &desc, NULL },
                             { "--framework", &framework, NULL }, { "--role", &role, NULL },
                             { "--parent", &parent, NULL }, { "--force", NULL, &force },
                             { NULL, NULL, NULL } };
    int h = cli_help_or_go(cli_parse("pack", &argc, argv, &g, opts), pack_usage);
    if (h >= 0)
        return h;
    if (argc < 2 && !nr[0] && !nr[1] && !nr[2] && !nr[3])
        return cli_usage_error("pack", "expected at least one PATH to pack");
    if (!role)
        role = "model";
    if (!out || !name || !version)
        return cli_usage_error("pack", "-o OUT, --name and --version are required");
    char now[MLOPS_TIMESTAMP_STRING_SIZE];
    if (!created) {
        const char *sde = getenv("SOURCE_DATE_EPOCH");
        uint64_t secs;
        int64_t t = (sde && cli_parse_u64(sde, &secs) == 0) ? (int64_t)secs : (int64_t)time(NULL);
        if (mlops_timestamp_format(now, t, 0) != 0)
            return cli_library_error("pack", MLOPS_E_INVALID);
        created = now;
    }
    mlops_key *keys[CLI_MAX_MULTI] = { 0 };
    mlops_manifest_builder *b = NULL;
    mlops_packer *p = NULL;
    mlops_manifest *st = NULL, *par = NULL;
    int status = load_keys(keys, "pack", keyp, nk), rc = 0;
    if (status != CLI_OK)
        goto out;
    status = CLI_USAGE;
    if ((rc = mlops_manifest_builder_new(&b, name, version, created)) != 0)
        goto lib;
    if (desc && (rc = mlops_manifest_builder_set_description(b, desc)) != 0)
        goto lib;
    if (framework) {
        char fw[256];
        const char *colon = strchr(framework, ':');
        if (!colon || colon == framework || (size_t)(colon - framework) >= sizeof fw) {
            status = cli_usage_error("pack", "--framework: expected NAME:VERSION, got '%s'",
                                     framework);
            goto out;
        }
        memcpy(fw, framework, (size_t)(colon - framework));
        fw[colon - framework] = '\0';
        if ((rc = mlops_manifest_builder_set_framework(b, fw, colon + 1)) != 0)
            goto lib;
    }
    char key[256];
    const char *val;
    for (size_t i = 0; i < nm; i++) {
        double x;
        if (split_kv(metrics[i], key, sizeof key, &val) != 0 || cli_parse_double(val, &x) != 0) {
            status = cli_usage_error("pack", "--metric: expected NAME=NUMBER, got '%s'", metrics[i]);
            goto out;
        }
        const char *canon = NULL;
        if (!metric_exact(key, val, &canon)) {
            fprintf(stderr,
                    "mlops pack: --metric %s=%s is not exactly representable as a double "
                    "(%.*s); write at most the digits a double holds\n",
                    key, val, canon ? (int)strcspn(canon, ")") : 0, canon ? canon : "");
            status = CLI_USAGE;
            goto out;
        }
        if ((rc = mlops_manifest_builder_set_metric(b, key, x)) != 0)
            goto lib;
    }
    for (size_t i = 0; i < np; i++) {
        if (split_kv(params[i], key, sizeof key, &val) != 0) {
            status = cli_usage_error("pack", "--param: expected NAME=VALUE, got '%s'", params[i]);
            goto out;
        }
        rc = mlops_manifest_builder_set_parameter_json(b, key, val);
        if (rc == MLOPS_E_PARSE)
            rc = mlops_manifest_builder_set_parameter_string(b, key, val);
        if (rc != 0)
            goto lib;
    }
    for (size_t i = 0; i < na; i++) {
        if (split_kv(annots[i], key, sizeof key, &val) != 0) {
            status = cli_usage_error("pack", "--annotation: expected KEY=VALUE, got '%s'",
                                     annots[i]);
            goto out;
        }
        if ((rc = mlops_manifest_builder_set_annotation(b, key, val)) != 0)
            goto lib;
    }
    if (parent) {
        if ((status = cli_manifest_load(&par, parent, "pack")) != CLI_OK)
            goto out;
        status = CLI_USAGE;
        if ((rc = mlops_manifest_builder_set_parent_manifest(b, par)) != 0)
            goto lib;
    }
    mlops_packer_options po = MLOPS_PACKER_OPTIONS_INIT;
    po.flags = force ? MLOPS_PACK_OVERWRITE : 0;
    po.keys = (const mlops_key *const *)keys;
    po.nkeys = nk;
    po.progress = cli_progress_update;
    po.progress_ctx = &bar;
    if ((rc = mlops_packer_new(&p, &po)) != 0)
        goto lib;
    for (int r = -1; r < 4; r++) {
        size_t n = r < 0 ? (size_t)(argc - 1) : nr[r];
        for (size_t i = 0; i < n; i++) {
            const char *src = r < 0 ? argv[i + 1] : by_role[r][i];
            const char *rl = r < 0 ? role : roles[r];
            struct stat sb;
            if (stat(src, &sb) != 0) {
                fprintf(stderr, "mlops pack: %s: cannot open: %s\n", src, strerror(errno));
                goto out;
            }
            if (S_ISDIR(sb.st_mode)) {
                rc = mlops_packer_add_directory(p, src, rl, 0);
            } else {
                const char *base = strrchr(src, '/');
                rc = mlops_packer_add_file(p, src, base ? base + 1 : src, rl, 0);
            }
            if (rc != 0)
                goto lib;
        }
    }
    if ((rc = mlops_packer_write_file(&st, p, out, b)) != 0)
        goto lib;
    if (g.json) {
        printf("{\"package\":");
        cli_json_string(stdout, out);
        printf(",\"name\":");
        cli_json_string(stdout, mlops_manifest_name(st));
        printf(",\"version\":");
        cli_json_string(stdout, mlops_manifest_version(st));
        printf(",\"files\":%zu,\"signatures\":%zu,\"statement_sha256\":\"%s\"}\n",
               mlops_manifest_file_count(st), nk, mlops_manifest_statement_sha256(st));
    } else {
        printf("packed %s %s (%zu file%s, %s) into %s\nstatement sha256:%s\n",
               mlops_manifest_name(st), mlops_manifest_version(st), mlops_manifest_file_count(st),
               mlops_manifest_file_count(st) == 1 ? "" : "s",
               nk ? "signed" : "unsigned", out, mlops_manifest_statement_sha256(st));
    }
    status = CLI_OK;
    goto out;
lib:
    cli_progress_clear(&bar);
    status = cli_library_error("pack", rc);
out:
    cli_progress_clear(&bar);
    mlops_manifest_free(st);
    mlops_manifest_free(par);
    mlops_packer_free(p);
    mlops_manifest_builder_free(b);
    free_keys(keys, nk);
    return status;
}

/* ---- sign ---- */

static const char sign_usage[] =
    "usage: mlops sign IN.mlpkg -o OUT.mlpkg --key KEY.pem... (--trust PUB.pem... |\n"
    "                  --allow-unsigned) [--force]\n"
    "\n"
    "Verify IN (against --trust, or accepting an unsigned package with\n"
    "--allow-unsigned) and write OUT with the same content and one more signature\n"
    "per --key.\n"
    "\n"
    "exit status: 0 written; 1 IN refused (tampered, truncated, malformed, not\n"
    "trusted); 2 usage or input error (IN cannot be read, a bad key, OUT exists).\n";

int cli_cmd_sign(int argc, char **argv, const cli_global *g0)
{
    cli_global g = *g0;
    const char *keyp[CLI_MAX_MULTI], *trustp[CLI_MAX_MULTI];
    size_t nk = 0, nt = 0;
    if (cli_take_multi("sign", &argc, argv, "--key", keyp, &nk) ||
        cli_take_multi("sign", &argc, argv, "--trust", trustp, &nt))
        return CLI_USAGE;
    const char *out = NULL;
    int force = 0, unsigned_ok = 0;
    const cli_opt opts[] = { { "-o", &out, NULL }, { "--output", &out, NULL },
                             { "--force", NULL, &force }, { "--allow-unsigned", NULL, &unsigned_ok },
                             { NULL, NULL, NULL } };
    int h = cli_help_or_go(cli_parse("sign", &argc, argv, &g, opts), sign_usage);
    if (h >= 0)
        return h;
    if (argc != 2 || !out || !nk)
        return cli_usage_error("sign", "expected IN, -o OUT and at least one --key");
    cli_trust t;
    int status = cli_trust_setup(&t, "sign", trustp, nt, NULL, unsigned_ok);
    if (status != CLI_OK)
        return status;
    mlops_key *keys[CLI_MAX_MULTI] = { 0 };
    status = load_keys(keys, "sign", keyp, nk);
    if (status == CLI_OK) {
        int rc = mlops_package_sign(argv[1], out, (const mlops_key *const *)keys, nk, &t.o,
                                    force ? MLOPS_PACK_OVERWRITE : 0);
        if (rc != 0) {
            status = cli_content_error("sign", rc);
        } else if (g.json) {
            printf("{\"input\":");
            cli_json_string(stdout, argv[1]);
            printf(",\"output\":");
            cli_json_string(stdout, out);
            printf(",\"keys\":[");
            for (size_t i = 0; i < nk; i++)
                printf("%s\"%s\"", i ? "," : "", mlops_key_id(keys[i]));
            printf("]}\n");
        } else {
            for (size_t i = 0; i < nk; i++)
                printf("signed with key %s\n", mlops_key_id(keys[i]));
            printf("wrote %s\n", out);
        }
    }
    free_keys(keys, nk);
    mlops_keyring_free(t.ring);
    return status;
}

/* ---- verify and extract ---- */

static const char verify_usage[] =
    "usage: mlops verify PKG (--trust PUB.pem... [--threshold N] | --allow-unsigned)\n"
    "                    [--path P]... [--format text|json|github]\n"
    "\n"
    "Verify a package: its layout, every file's size and SHA-256 against the signed\n"
    "statement (only the --path files when given), and that at least --threshold\n"
    "distinct trusted keys signed it (default 1). --allow-unsigned checks content\n"
    "only. Every problem found is listed. --format github writes GitHub Actions\n"
    "annotations (an error per problem and for the refusal), a step summary and\n"
    "outputs (docs/ci.md).\n"
    "\n"
    "exit status: 0 valid; 1 verification failed (content or signature: tampered,\n"
    "truncated, malformed, unsafe, not trusted); 2 usage or input error (PKG cannot\n"
    "be read, a bad key).\n";

int cli_cmd_verify(int argc, char **argv, const cli_global *g0)
{
    cli_global g = *g0;
    const char *trustp[CLI_MAX_MULTI], *paths[CLI_MAX_MULTI];
    size_t nt = 0, npaths = 0;
    if (cli_take_multi("verify", &argc, argv, "--trust", trustp, &nt) ||
        cli_take_multi("verify", &argc, argv, "--path", paths, &npaths))
        return CLI_USAGE;
    const char *threshold = NULL, *format_s = NULL;
    int unsigned_ok = 0;
    const cli_opt opts[] = { { "--threshold", &threshold, NULL },
                             { "--allow-unsigned", NULL, &unsigned_ok },
                             { "--format", &format_s, NULL },
                             { NULL, NULL, NULL } };
    int h = cli_help_or_go(cli_parse("verify", &argc, argv, &g, opts), verify_usage);
    if (h >= 0)
        return h;
    int ghf = 0, fs = cli_format_text_json_github(&g, &ghf, "verify", format_s);
    if (fs >= 0)
        return fs;
    if (argc != 2)
        return cli_usage_error("verify", "expected one PKG");
    cli_trust t;
    int status = cli_trust_setup(&t, "verify", trustp, nt, threshold, unsigned_ok);
    if (status != CLI_OK)
        return status;
    t.o.paths = npaths ? paths : NULL;
    t.o.npaths = npaths;
    mlops_package_report *r = NULL;
    int rc = mlops_package_verify(&r, argv[1], &t.o);
    cli_progress_clear(&t.bar);
    const char *detail = rc ? mlops_error_last() : "";
    char saved[1024];
    snprintf(saved, sizeof saved, "%s", detail);
    if (ghf) {
        /* refused: the verdict; unreadable: an error (no verdict) */
        if (rc && cli_exit_code(rc, CLI_CONTENT) != CLI_NEGATIVE)
            status = cli_error_as("verify", rc, CLI_CONTENT, saved);
        else
            cli_github_verify(r, rc, argv[1], saved);
    } else if (g.json && r) {
        mlops_buf b = MLOPS_BUF_INIT;
        if (mlops_package_report_write_json(&b, r, 0) == 0) {
            fwrite(b.data, 1, b.size, stdout);
            putchar('\n');
        }
        mlops_buf_dispose(&b);
    } else if (!g.json) {
        const mlops_manifest *m = r ? mlops_package_report_manifest(r) : NULL;
        const struct mlops_package_report_info *ri = mlops_package_report_info(r);
        size_t files = ri ? ri->files_verified : 0;
        if (rc == 0) {
            printf("%s%sverified%s %s %s: %zu file%s checked%s, %s\n", cli_bold(&g), cli_green(&g),
                   cli_reset(&g), m ? mlops_manifest_name(m) : "?",
                   m ? mlops_manifest_version(m) : "?", files, files == 1 ? "" : "s",
                   npaths ? " (only the --path files: the rest of the package was not read)" : "",
                   ri && ri->is_signed ? "signature trusted" : "signature not checked");
        } else {
            /* the library's message starts with the package's name */
            size_t pl = strlen(argv[1]);
            int named = strncmp(saved, argv[1], pl) == 0 && saved[pl] == ':';
            printf("%s%sFAILED%s %s%s%s\n", cli_bold(&g), cli_red(&g), cli_reset(&g),
                   named ? "" : argv[1], named ? "" : ": ", saved);
            size_t n = ri ? ri->problem_count : 0;
            for (size_t i = 0; i < n; i++) {
                const mlops_package_report_problem_info *p = mlops_package_report_problem(r, i);
                if (!p)
                    continue;
                printf("  %s: %s", mlops_error_name(p->code), p->message);
                if (p->expected)
                    printf(" (expected %s, found %s)", p->expected,
                           p->found ? p->found : "nothing");
                printf("\n");
            }
        }
    }
    if (rc != 0 && ghf) {
        status = cli_exit_code(rc, CLI_CONTENT);
    } else if (rc != 0) {
        if (!r || g.json)
            status = cli_error_as("verify", rc, CLI_CONTENT, saved);
        else
            status = cli_exit_code(rc, CLI_CONTENT);
    }
    mlops_package_report_free(r);
    mlops_keyring_free(t.ring);
    return status;
}

static const char extract_usage[] =
    "usage: mlops extract PKG DEST (--trust PUB.pem... [--threshold N] | --allow-unsigned)\n"
    "\n"
    "Verify PKG and extract its files into the new directory DEST in the same pass;\n"
    "DEST appears only when everything verified.\n"
    "\n"
    "exit status: 0 extracted; 1 verification failed (as for verify); 2 usage or\n"
    "input error (PKG cannot be read, DEST exists).\n";

int cli_cmd_extract(int argc, char **argv, const cli_global *g0)
{
    cli_global g = *g0;
    const char *trustp[CLI_MAX_MULTI];
    size_t nt = 0;
    if (cli_take_multi("extract", &argc, argv, "--trust", trustp, &nt))
        return CLI_USAGE;
    const char *threshold = NULL;
    int unsigned_ok = 0;
    const cli_opt opts[] = { { "--threshold", &threshold, NULL },
                             { "--allow-unsigned", NULL, &unsigned_ok },
                             { NULL, NULL, NULL } };
    int h = cli_help_or_go(cli_parse("extract", &argc, argv, &g, opts), extract_usage);
    if (h >= 0)
        return h;
    if (argc != 3)
        return cli_usage_error("extract", "expected PKG and DEST");
    cli_trust t;
    int status = cli_trust_setup(&t, "extract", trustp, nt, threshold, unsigned_ok);
    if (status != CLI_OK)
        return status;
    int rc = mlops_package_extract(argv[1], argv[2], &t.o);
    cli_progress_clear(&t.bar);
    if (rc != 0) {
        status = cli_content_error("extract", rc);
    } else if (g.json) {
        printf("{\"package\":");
        cli_json_string(stdout, argv[1]);
        printf(",\"dest\":");
        cli_json_string(stdout, argv[2]);
        printf("}\n");
    } else {
        printf("extracted %s into %s\n", argv[1], argv[2]);
    }
    mlops_keyring_free(t.ring);
    return status;
}
