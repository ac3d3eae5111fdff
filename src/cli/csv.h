/*
 * CSV tables for the `mlops` command: RFC 4180 files read into column-major
 * arrays, numeric columns as doubles, the others as category codes.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef MLOPS_CLI_CSV_H
#define MLOPS_CLI_CSV_H

#include <stddef.h>
#include <stdint.h>

typedef struct cli_column {
    char *name;
    int numeric;       /* every non-empty field parsed as a number */
    double *values;    /* numeric: nrows values, NaN for empty/NA/nan fields */
    int32_t *codes;    /* categorical: nrows codes into levels */
    char **levels;     /* categorical: distinct values in order of first appearance */
    size_t nlevels;
} cli_column;

typedef struct cli_table {
    size_t ncols;
    size_t nrows;
    cli_column *cols;
} cli_table;

/**
 * Read a CSV file with a header line. Fields may be quoted ("a,b", "say ""hi"""),
 * lines end in LF or CRLF, the last line's newline is optional. A column is
 * numeric when each of its fields is a decimal number, empty, "NA", "NaN",
 * "nan", "inf" or "-inf"; otherwise its values are category labels.
 *
 * On failure returns -1 and writes "FILE:LINE: reason" into `err`.
 */
int cli_csv_read(cli_table *t, const char *path, char *err, size_t errlen);

/** Index of the column named `name`, or -1. */
long cli_csv_find(const cli_table *t, const char *name);

void cli_csv_free(cli_table *t);

#endif
