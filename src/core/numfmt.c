/*
 * Numbers for people (core/numfmt.h).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "core/numfmt.h"

#include <math.h>
#include <stdio.h>

const char *mlops__num_human(char buf[MLOPS__NUM_HUMAN_SIZE], double v)
{
    if (isnan(v))
        snprintf(buf, MLOPS__NUM_HUMAN_SIZE, "nan");
    else if (isinf(v))
        snprintf(buf, MLOPS__NUM_HUMAN_SIZE, "%s", v > 0 ? "inf" : "-inf");
    else if (v == 0)
        snprintf(buf, MLOPS__NUM_HUMAN_SIZE, "0"); /* and -0 */
    else if (v == floor(v) && fabs(v) < 9007199254740992.0) /* 2^53: every integer exact */
        snprintf(buf, MLOPS__NUM_HUMAN_SIZE, "%.0f", v);
    else
        snprintf(buf, MLOPS__NUM_HUMAN_SIZE, "%.4g", v);
    return buf;
}
