/*
 * The `mlops` command: shared declarations of its subcommands and output helpers.
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * The command uses the public API only (it links libmlops.so like any tool
 * would), so everything it can do a tool author can do too.
 */
#ifndef MLOPS_CLI_H
#define MLOPS_CLI_H

#include <stdarg.h>
#include <stdio.h>

#include "mlops.h"

/** Documented exit codes (see `mlops --help` and docs/cli.md). */
enum {
    CLI_OK = 0,        /* done; verdict positive */
    CLI_NEGATIVE = 1,  /* verdict negative: drift found, gate blocked, verification failed */
    CLI_USAGE = 2      /* usage or input error */
};

/** Options every subcommand understands. */
typedef struct cli_global {
    int json;   /* --json: machine-readable output on stdout */
    int color;  /* colour on stdout: a TTY and NO_COLOR unset */
} cli_global;

typedef int (*cli_command_fn)(int argc, char **argv, const cli_global *g);

typedef struct cli_command {
    const char *name;
    const char *summary;
    cli_command_fn run;
} cli_command;

/* Subcommands (one file each: cmd_<name>.c). */
int cli_cmd_version(int argc, char **argv, const cli_global *g);
int cli_cmd_digest(int argc, char **argv, const cli_global *g);
int cli_cmd_semver(int argc, char **argv, const cli_global *g);

/* ---- output helpers (output.c) ---- */

/** "mlops <cmd>: message" on stderr; returns CLI_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/** Report the library's last error ("mlops <cmd>: <detail>") on stderr;
 *  returns CLI_USAGE for input errors, CLI_NEGATIVE for integrity or
 *  signature failures. */
int cli_library_error(const char *cmd, int code);

/** Write `s` as a JSON string literal (quotes, escapes) to `f`. */
void cli_json_string(FILE *f, const char *s);

/** ANSI colour wrappers that print nothing when colour is off. */
const char *cli_green(const cli_global *g);
const char *cli_red(const cli_global *g);
const char *cli_bold(const cli_global *g);
const char *cli_reset(const cli_global *g);

/**
 * Parse the options common to every subcommand out of argv (in place):
 * --json and -h/--help. Returns 1 when help was asked for, 0 otherwise, or
 * CLI_USAGE (with a message) for an unknown option. Positional arguments are
 * left in argv[1..*argc-1].
 */
int cli_parse_common(const char *cmd, int *argc, char **argv, cli_global *g);

#endif
