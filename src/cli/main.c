/*
 * `mlops`: the command-line face of libmlops, for people, shell steps and
 * Makefiles. Human output by default, --json on every command (one JSON
 * document, on failure too), one exit-code table: 0 ok, 1 negative verdict
 * (a refused package included), 2 usage or unreadable input.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static const cli_command commands[] = {
    { "detect", "run a change detector over a column; print change points", cli_cmd_detect },
    { "diff", "compare two model manifests: files, parameters, metrics", cli_cmd_diff },
    { "digest", "SHA-256 digests of files, as packages record them", cli_cmd_digest },
    { "drift", "drift between a reference and a current sample: table, JSON, Prometheus, HTML",
      cli_cmd_drift },
    { "extract", "verify a package and extract its files", cli_cmd_extract },
    { "gate", "promotion gate: a candidate's metrics against the champion's", cli_cmd_gate },
    { "inspect", "show a model manifest or package", cli_cmd_inspect },
    { "keygen", "generate an Ed25519 signing key pair", cli_cmd_keygen },
    { "layout-export", "an OCI layout pulled from a registry back into a package", cli_cmd_layout_export },
    { "pack", "pack model files into a signed, reproducible package", cli_cmd_pack },
    { "policy", "lint, test, evaluate and replay a retraining/promotion policy", cli_cmd_policy },
    { "profile", "build, merge and show streaming profiles of columns", cli_cmd_profile },
    { "semver", "validate and compare model versions (SemVer 2.0.0)", cli_cmd_semver },
    { "sign", "add signatures to a package", cli_cmd_sign },
    { "store", "local model store: add, list, alias, resolve, export, gc", cli_cmd_store },
    { "verify", "verify a package's content and signatures", cli_cmd_verify },
    { "version", "the libmlops version in use", cli_cmd_version },
};

#define COMMAND_COUNT (sizeof commands / sizeof commands[0])

static void print_help(FILE *f)
{
    fprintf(f, "usage: mlops COMMAND [--json] [ARGS...]\n"
               "       mlops COMMAND --help\n\ncommands:\n");
    for (size_t i = 0; i < COMMAND_COUNT; i++)
        fprintf(f, "  %-14s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\noptions for every command:\n"
               "  --json     machine-readable output on stdout\n"
               "  --help     the command's own help\n"
               "  (a failure with --json prints {\"error\": {\"code\", \"message\", ...}})\n"
               "\nexit status, every command: 0 ok; 1 negative verdict (drift found, gate\n"
               "blocked, policy acted; a package or layout refused: tampered, truncated,\n"
               "unsafe, not trusted); 2 usage or unreadable input (missing or malformed\n"
               "file, policy, CSV, key, profile).\n"
               "Outputs: a regular file is replaced atomically, a symbolic link is followed,\n"
               "a device or FIFO is written into, never replaced.\n"
               "Colour only on a terminal, never when NO_COLOR is set.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        print_help(stderr);
        return CLI_USAGE;
    }
    const char *name = argv[1];
    if (strcmp(name, "-h") == 0 || strcmp(name, "--help") == 0 || strcmp(name, "help") == 0) {
        print_help(stdout);
        return CLI_OK;
    }
    if (strcmp(name, "--version") == 0)
        name = "version";
    if (mlops_abi_major() != MLOPS_ABI_MAJOR) {
        fprintf(stderr, "mlops: libmlops ABI %d is loaded, this program needs ABI %d\n",
                mlops_abi_major(), MLOPS_ABI_MAJOR);
        return CLI_USAGE;
    }
    cli_global g = { 0, 0 };
    const char *no_color = getenv("NO_COLOR");
    g.color = isatty(STDOUT_FILENO) && !(no_color && no_color[0]);
    cli_github_prescan(name, argc - 1, argv + 1);
    if (cli_github_on())
        cli_stderr_watch();
    for (size_t i = 0; i < COMMAND_COUNT; i++)
        if (strcmp(commands[i].name, name) == 0)
            return cli_finish(cli_github_finish(commands[i].run(argc - 1, argv + 1, &g)));
    for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
        if (strcmp(argv[i], "--json") == 0)
            cli_json_begin();
    cli_usage_error(NULL, "unknown command '%s'", name);
    fputc('\n', stderr);
    print_help(stderr);
    return cli_finish(CLI_USAGE);
}
