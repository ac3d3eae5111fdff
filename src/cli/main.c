/*
 * `mlops`: the command-line face of libmlops, for people, shell steps and
 * Makefiles. Human output by default, --json on every command, documented
 * exit codes: 0 ok, 1 negative verdict, 2 usage or input error.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static const cli_command commands[] = {
    { "digest", "SHA-256 digests of files, as packages record them", cli_cmd_digest },
    { "semver", "validate and compare model versions (SemVer 2.0.0)", cli_cmd_semver },
    { "version", "the libmlops version in use", cli_cmd_version },
};

#define COMMAND_COUNT (sizeof commands / sizeof commands[0])

static void print_help(FILE *f)
{
    fprintf(f, "usage: mlops COMMAND [--json] [ARGS...]\n"
               "       mlops COMMAND --help\n\ncommands:\n");
    for (size_t i = 0; i < COMMAND_COUNT; i++)
        fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\noptions for every command:\n"
               "  --json     machine-readable output on stdout\n"
               "  --help     the command's own help\n"
               "\nexit status: 0 ok; 1 negative verdict (drift found, gate blocked,\n"
               "verification failed); 2 usage or input error.\n"
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
    for (size_t i = 0; i < COMMAND_COUNT; i++)
        if (strcmp(commands[i].name, name) == 0)
            return commands[i].run(argc - 1, argv + 1, &g);
    fprintf(stderr, "mlops: unknown command '%s'\n\n", name);
    print_help(stderr);
    return CLI_USAGE;
}
