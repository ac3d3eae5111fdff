/*
 * Prints mlops__num_human of each argument (a C99 hexadecimal float, "%a",
 * so the value is exact), one a line: check_numfmt.py compares the lines
 * with Python's formatting of the same numbers.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdio.h>
#include <stdlib.h>

#include "core/numfmt.h"

int main(int argc, char **argv)
{
    char buf[MLOPS__NUM_HUMAN_SIZE];
    for (int i = 1; i < argc; i++) {
        char *end;
        double v = strtod(argv[i], &end);
        if (*end) {
            fprintf(stderr, "numfmt_tool: not a number: %s\n", argv[i]);
            return 2;
        }
        puts(mlops__num_human(buf, v));
    }
    return 0;
}
