/*
 * Internal: numbers for people. Every text a person reads (the command's
 * tables and summaries, the policy and gate explanations) writes a number
 * the same way: about four significant digits (C's and Python's "%.4g",
 * trailing zeros trimmed), an integer-valued number below 2^53 exactly
 * ("12345", not "1.234e+04"), zero as "0". JSON keeps full round-trip
 * precision; this is never used for it.
 *
 * Plain C and no other part of the library, so the `mlops` command compiles
 * the same source (like core/outfile.c).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef MLOPS_CORE_NUMFMT_H
#define MLOPS_CORE_NUMFMT_H

#include <stddef.h>

/** Room for any number mlops__num_human writes, with its NUL. */
#define MLOPS__NUM_HUMAN_SIZE 32

/** `v` for people into `buf` (see above); NaN is "nan", infinities "inf"
 *  and "-inf" (a caller that means "no value" says so itself). Returns buf. */
const char *mlops__num_human(char buf[MLOPS__NUM_HUMAN_SIZE], double v);

#endif /* MLOPS_CORE_NUMFMT_H */
