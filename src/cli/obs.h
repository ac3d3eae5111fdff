/*
 * Signals and metrics text files of `mlops policy eval` and `mlops gate`:
 * "NAME VALUE [samples=N] [ci=LOW:HIGH]" lines, '#' comments, blank lines.
 * Kept apart from the commands so the reader is fuzzed on its own
 * (tests/fuzz/fuzz_obs.c).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef MLOPS_CLI_OBS_H
#define MLOPS_CLI_OBS_H

#include <stddef.h>
#include <stdint.h>

/** One parsed line: ci_low/ci_high are NaN and samples -1 when not given. */
typedef struct cli_obs_line {
    char name[256];
    double value, ci_low, ci_high;
    int64_t samples;
} cli_obs_line;

/** Receives each observation in file order; non-zero (with the library's
 *  error record set) stops the read. */
typedef int (*cli_obs_sink)(void *ctx, const cli_obs_line *o);

/** Parse one line (modified in place) into `o`; 0, or -1 with the reason. */
int cli_obs_parse_line(char *line, cli_obs_line *o, const char **why);

/**
 * Parse the signals/metrics text in data[0..size) into `sink`. The input
 * must be text: a NUL, another control character (other than tab and a
 * line's final CR) or bytes that are not UTF-8 are an error naming the line
 * and column, never skipped; so are lines of 4096 bytes or more and lines
 * that are not "NAME VALUE [samples=N] [ci=LOW:HIGH]". With `need_one`, an
 * input without a single observation is an error too.
 * @return 0, or -1 with "PATH:LINE: reason" (or "PATH:LINE:COLUMN: ...",
 *         "PATH: no metrics ...") in err.
 */
int cli_obs_parse(const uint8_t *data, size_t size, const char *path, cli_obs_sink sink,
                  void *ctx, int need_one, char *err, size_t errlen);

#endif
