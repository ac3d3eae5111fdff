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
#include <stddef.h>
#include <stdio.h>

#include "mlops.h"

/** Documented exit codes (see `mlops --help`, mlops(1) and docs/cli.md). */
enum {
    CLI_OK = 0,        /* done; verdict positive */
    CLI_NEGATIVE = 1,  /* verdict negative: drift found, gate blocked, verification or
                          safety check refused the content */
    CLI_USAGE = 2      /* usage error, or an input that cannot be read or used */
};

/** What a library error was about (cli_exit_code()). */
enum {
    CLI_INPUT = 0,   /* an input the command reads to do its work: a policy, a CSV,
                        a key, a profile, a store */
    CLI_CONTENT = 1  /* content under verification: a package or layout */
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
int cli_cmd_inspect(int argc, char **argv, const cli_global *g);
int cli_cmd_diff(int argc, char **argv, const cli_global *g);
int cli_manifest_load(mlops_manifest **m, const char *path, const char *cmd);
int cli_package_manifest(mlops_manifest **m, const char *path, const char *cmd);
int cli_cmd_keygen(int argc, char **argv, const cli_global *g);
int cli_cmd_pack(int argc, char **argv, const cli_global *g);
int cli_cmd_sign(int argc, char **argv, const cli_global *g);
int cli_cmd_verify(int argc, char **argv, const cli_global *g);
int cli_cmd_extract(int argc, char **argv, const cli_global *g);
int cli_cmd_store(int argc, char **argv, const cli_global *g);
int cli_cmd_layout_export(int argc, char **argv, const cli_global *g);
int cli_cmd_policy(int argc, char **argv, const cli_global *g);
int cli_cmd_gate(int argc, char **argv, const cli_global *g);
int cli_cmd_profile(int argc, char **argv, const cli_global *g);
int cli_cmd_detect(int argc, char **argv, const cli_global *g);
int cli_cmd_drift(int argc, char **argv, const cli_global *g);

/* Profiles shared by profile and drift (cmd_profile.c). */
struct cli_feature;
int cli_profile_load(mlops_profile **p, const char *path, const char *cmd);
int cli_profile_from_feature(mlops_profile **out, const struct cli_feature *f, uint32_t k,
                             uint64_t seed, uint32_t bins, uint32_t cap,
                             const double *edges, size_t n_edges);

/* ---- output helpers (output.c) ---- */

/**
 * The one table from a library error code to the exit status (docs/cli.md).
 * Content under verification (CLI_CONTENT: a package, a layout) that the
 * library refuses — INTEGRITY, SIGNATURE, UNSAFE, PARSE, SCHEMA, LIMIT,
 * VERSION, UNSUPPORTED: tampered, badly signed, unsafe, truncated, malformed —
 * is a negative verdict, 1. Anything else is 2: an input the command reads to
 * do its work (CLI_INPUT: a policy, a CSV, a key, a profile, a manifest file)
 * that is malformed or damaged, a file that cannot be opened, usage, an
 * existing output, a lock, memory.
 */
int cli_exit_code(int code, int what);

/*
 * The progress bar of long commands (progress.c): pass cli_progress_update
 * as the library's mlops_progress_fn with a cli_progress as its context. It
 * draws on stderr only when that is a terminal and the total is at least
 * CLI_PROGRESS_MIN bytes, redraws only when the whole percentage changes (at
 * most 101 times per bar) and clears its line at 100%; cli_progress_clear()
 * clears it after an early failure.
 */
#define CLI_PROGRESS_MIN (32u << 20)
typedef struct cli_progress {
    const char *label;
    int tty, last, shown;
    unsigned long draws;
} cli_progress;
void cli_progress_init(cli_progress *p, const char *label);
int cli_progress_update(uint64_t done, uint64_t total, void *ctx);
void cli_progress_clear(cli_progress *p);

/** "mlops <cmd>: message" on stderr, kept for the --json error document
 *  (code "usage"); returns CLI_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/** As cli_usage_error() for an input the command itself refused (code
 *  "input", no usage hint); returns CLI_USAGE. */
int cli_input_error(const char *cmd, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/** Report the library's last error ("mlops <cmd>: <detail>") on stderr and
 *  for the --json error document (its MLOPS_E_* name, path, offset, line,
 *  column); returns cli_exit_code(code, CLI_INPUT). */
int cli_library_error(const char *cmd, int code);
/** The same for content under verification: cli_exit_code(code, CLI_CONTENT). */
int cli_content_error(const char *cmd, int code);
/* cli_content_error() for a library call made on a copy of a file: the
 * copy's path `from` in the library's message and path reads `to`. */
int cli_content_error_renamed(const char *cmd, int code, const char *from, const char *to);
/** The same with the message given (NULL: mlops_strerror(code)). */
int cli_error_as(const char *cmd, int code, int what, const char *message);

/**
 * --json mode: from here on stdout is held back and stderr watched, so that
 * cli_finish() prints exactly one JSON document (cli_parse() and
 * cli_parse_common() call it when --json is given).
 */
void cli_json_begin(void);

/* `--format text|json|github` of the commands that know these three (verify,
 * gate): json sets g->json (and starts collecting stdout), github sets
 * *github. Returns -1 when the format is usable, else the usage error's exit
 * status (an unknown format, or --json with --format github). */
int cli_format_text_json_github(cli_global *g, int *github, const char *cmd, const char *format);
/**
 * End of a run (main): in --json mode print what the command printed when it
 * succeeded or when it is one complete JSON document (the command's own
 * report of a failure), otherwise {"error": {...}}. Returns the exit status.
 */
int cli_finish(int status);
/** Keep the last "mlops CMD: message" line written to stderr for
 *  cli_failure() (--format github; --json does it too). */
void cli_stderr_watch(void);
/** The run's first recorded error: its message (NULL when none), code
 *  ("usage", "input" or an MLOPS_E_* name), path (NULL when none) and line. */
const char *cli_failure(const char **code, const char **path, unsigned *line);

/* ---- --format github: GitHub Actions annotations, step summary, outputs
 * (ci_github.c, docs/ci.md) ---- */
/** main(): turn GitHub mode on when a drift, gate or verify command line
 *  asks for --format github, before anything can fail. */
void cli_github_prescan(const char *cmd, int argc, char **argv);
int cli_github_on(void);
/** "::LEVEL [file=F,line=N,]title=T::message" on stdout, escaped as GitHub
 *  wants (% CR LF in the message; also : and , in properties). */
void cli_gh_annotate(const char *level, const char *title, const char *file, unsigned line,
                     const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 5, 6)))
#endif
    ;
/** Markdown for the summary, as given / as escaped text. */
void cli_gh_md(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;
void cli_gh_md_text(const char *s);
/** An output (the last value of a key stands; a value with a line break is
 *  written with a heredoc delimiter). */
void cli_gh_output(const char *key, const char *value);
void cli_gh_outputf(const char *key, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/** The verdict was reached: output verdict=VERDICT. */
void cli_gh_verdict(const char *verdict);
/** gate: an ::error per blocking check, a ::notice when promoted, the
 *  checks and the explanation as the summary; outputs verdict (promote,
 *  blocked), action, promoted, checks_count, failed_count, blocked_checks. */
void cli_github_gate(const mlops_gate_result *r, const char *policy_path);
/** verify: an ::error per problem and one for the fatal error `detail` when
 *  rc != 0 (refused), a ::notice when verified; outputs verdict (verified,
 *  failed), verified, problems_count, name, version, files_verified. */
void cli_github_verify(const mlops_package_report *r, int rc, const char *pkg,
                       const char *detail);
/** main(), after the command: an error summary when no verdict was reached,
 *  then the summary ($GITHUB_STEP_SUMMARY, else stdout) and the outputs
 *  ($GITHUB_OUTPUT) with exit_code. Returns the status (2 when a verdict
 *  of 0 could not be written). */
int cli_github_finish(int status);

/** Whether text is exactly one JSON value (RFC 8259, valid UTF-8). */
int cli_json_is_document(const char *text, size_t len);

/** Write `s` as a JSON string literal (quotes, escapes) to `f`; bytes that
 *  are not valid UTF-8 are written as \ufffd, so the output is always JSON. */
void cli_json_string(FILE *f, const char *s);

/** The length of the valid UTF-8 sequence at p (before e), or 0 when the
 *  byte at p does not start one (every output that must be UTF-8 writes
 *  U+FFFD for such a byte). */
size_t cli_utf8_len(const unsigned char *p, const unsigned char *e);

/** Write a double as JSON: %.17g; NaN as null, infinities as "Infinity" and
 *  "-Infinity" (the library's spelling, docs/drift-contract.md). */
void cli_json_double(FILE *f, double v);

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

/** A command-specific option: "--name VALUE", "--name=VALUE" or a flag. */
typedef struct cli_opt {
    const char *name;    /* "--column", or a short alias such as "-o" */
    const char **value;  /* receives the value (options with a value), or NULL */
    int *flag;           /* set to 1 (flags), or NULL */
} cli_opt;

/**
 * As cli_parse_common(), plus the options in `opts` (terminated by a zero
 * entry). A repeated option keeps its last value.
 */
int cli_parse(const char *cmd, int *argc, char **argv, cli_global *g, const cli_opt *opts);

/** Print `usage` and return CLI_OK when h == 1, CLI_USAGE when h == CLI_USAGE,
 *  -1 otherwise (go on). */
int cli_help_or_go(int h, const char *usage);

#endif
