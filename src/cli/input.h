/*
 * Inputs of the `mlops` command: columns of CSV files, 1-D .npy arrays,
 * whole files.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef MLOPS_CLI_INPUT_H
#define MLOPS_CLI_INPUT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "csv.h"

/**
 * Read a .npy file holding a C-order 1-D array of little-endian float64
 * ('<f8') or int64 ('<i8'), format version 1.0, 2.0 or 3.0 (3.0 is 2.0 with
 * a UTF-8 header). int64 values are converted to double (exactly up to
 * 2^53). A header key given twice, an unknown key or version, and a data
 * size that disagrees with the shape are rejected with "FILE: reason" in
 * err. *values is malloc'ed.
 */
int cli_npy_read(double **values, size_t *n, int *is_int, const char *path, char *err,
                 size_t errlen);

/** As cli_npy_read(), from memory; `path` names the input in messages. */
int cli_npy_parse(double **values, size_t *n, int *is_int, const uint8_t *data, size_t size,
                  const char *path, char *err, size_t errlen);

/** Whether the path names a .npy file (by its suffix). */
int cli_is_npy(const char *path);

/** Whether the path names a CSV file (by its suffix .csv). */
int cli_is_csv(const char *path);

/**
 * Read a whole file into a malloc'ed buffer; -1 with "FILE: reason". "-" is
 * standard input, which a process can read only once: a second "-" is
 * refused ("standard input is already used by another argument"). Pipes and
 * devices are read to their end; a directory is refused.
 */
int cli_read_file(uint8_t **data, size_t *size, const char *path, char *err, size_t errlen);

/** How messages name an input: "(stdin)" for "-", else the path. */
const char *cli_display_path(const char *path);

/**
 * Write a whole output file; -1 with "FILE: reason" (the reason carries
 * strerror()). One mechanism for every output of the command (and of the
 * library's package writers, src/core/outfile.h): a regular file or a new
 * path is replaced atomically (temporary beside it, fsync, rename), so a
 * failure such as a full disk leaves the old file and no partial one; a
 * symbolic link is followed and its target replaced, the link kept; a
 * character device, FIFO or /dev/stdout is written straight into, never
 * replaced; a directory, block device or socket is refused.
 */
int cli_write_file(const char *path, const void *data, size_t size, char *err, size_t errlen);

/** An output file being written through stdio (see cli_write_file()). */
typedef struct cli_output cli_output;

/** May replace an existing regular file (without it: "already exists"). */
#define CLI_OUTPUT_REPLACE 1u

/**
 * Open `path` for writing as cli_write_file() does; *f receives the stream
 * (do not fclose it). A new file gets `mode` less the umask; a replaced one
 * keeps its mode. NULL with "FILE: reason" in err.
 */
cli_output *cli_output_open(const char *path, FILE **f, unsigned flags, unsigned mode, char *err,
                            size_t errlen);
/** Flush, check every write, and put the file in place; 0 or -1 with
 *  "FILE: reason" (nothing left behind). Frees `o` either way. */
int cli_output_commit(cli_output *o, char *err, size_t errlen);
/** Abandon the output (the temporary is removed); frees `o`. NULL is fine. */
void cli_output_abort(cli_output *o);
/** Whether the output is a file this command created (not a stream, not a
 *  replaced file): what to remove when a later step fails. */
int cli_output_is_new_file(const cli_output *o);
/** The file that receives the bytes (symbolic links resolved). */
const char *cli_output_target(const cli_output *o);

/** A stable non-negative int64 code of a category label (FNV-1a 64). */
int64_t cli_label_code(const char *label);

/** Parse a double option value; returns 0 or -1. */
int cli_parse_double(const char *s, double *out);
/** Parse an unsigned integer option value; returns 0 or -1. */
int cli_parse_u64(const char *s, uint64_t *out);

/** One feature's values: numeric (values) or categorical (codes of labels). */
typedef struct cli_feature {
    char *name;
    int categorical;
    double *values;   /* numeric */
    int64_t *codes;   /* categorical: cli_label_code() of each label */
    char **labels;    /* categorical: distinct labels (borrowed from nothing; owned) */
    int64_t *label_codes;
    size_t nlabels;
    size_t n;
    size_t text_line;    /* categorical CSV column: line of its first non-number */
    char text_value[64]; /* ... and that field, printable */
    int mixed;           /* categorical CSV column that also holds numbers */
} cli_feature;

/**
 * Load one feature from a CSV column (`column` required unless the file has
 * one column) or a .npy file (numeric; `column` must be NULL). "-" reads
 * standard input: a .npy array when it starts with the .npy magic, else CSV.
 * `delim` is the CSV field separator (0: comma). On failure -1 with the
 * reason in err ("FILE:LINE: ..." for CSV syntax errors, "no column 'X' in
 * FILE (columns: ...)" for a wrong name).
 */
int cli_feature_load(cli_feature *f, const char *path, const char *column, char delim,
                     char *err, size_t errlen);

/** Move column `c` of a table into a feature (the table keeps an empty slot).
 *  Returns 0, -1 (out of memory) or -2 (two labels with one label code). */
int cli_feature_from_column(cli_feature *f, cli_column *c, size_t nrows);

void cli_feature_free(cli_feature *f);

#endif
