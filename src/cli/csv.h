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
    size_t text_line;     /* categorical: line of the first field that is not a number */
    char text_value[64];  /* ... and that field, printable (for messages) */
    int has_number;       /* some field is a number or an infinity (not missing) */
} cli_column;

typedef struct cli_table {
    size_t ncols;
    size_t nrows;
    cli_column *cols;
} cli_table;

/**
 * Read a CSV file with a header line. Fields are separated by `delim` (0 for
 * a comma) and may be quoted ("a,b", "say ""hi"""); lines end in LF or CRLF,
 * the last line's newline is optional; a UTF-8 byte-order mark before the
 * header is skipped. A NUL byte in any field is an error (FILE:LINE).
 *
 * A column is numeric when each of its fields is a decimal number, a
 * missing value or an infinity as cli_csv_nonfinite() spells them, with
 * spaces and tabs around it ignored; otherwise its fields are category
 * labels, kept byte for byte, and text_line/text_value name the first field
 * that is not a number.
 *
 * `path` "-" reads standard input (once per process); pipes and devices are
 * read whole. On failure returns -1 and writes "FILE:LINE: reason" into `err`.
 */
int cli_csv_read(cli_table *t, const char *path, char delim, char *err, size_t errlen);

/** As cli_csv_read(), from memory; `path` names the input in messages. */
int cli_csv_parse(cli_table *t, const char *data, size_t size, const char *path, char delim,
                  char *err, size_t errlen);

/**
 * Whether a field (already stripped of surrounding whitespace) is a missing
 * value or an infinity, and which: empty, NA, N/A, n/a, <NA>, null, NULL and
 * nan in any case with an optional sign are NaN (missing); inf and infinity in
 * any case, with an optional sign, are +-infinity. These are what R (NA, NaN,
 * Inf, -Inf), pandas and NumPy (nan, inf, -inf, empty), Java and JavaScript
 * (NaN, Infinity) write. Returns 1 and sets *out, or 0.
 */
int cli_csv_nonfinite(const char *p, size_t len, double *out);

/**
 * Parse a --delimiter value: one byte, or "\t" / "tab" for a tab. Refuses
 * bytes that can be part of a number or a label's UTF-8 (letters, digits,
 * '.', '+', '-', bytes >= 0x80), the quote and line ends. Returns 0 or -1.
 */
int cli_parse_delimiter(const char *s, char *out);

/** Index of the column named `name`, or -1. */
long cli_csv_find(const cli_table *t, const char *name);

void cli_csv_free(cli_table *t);

#endif
