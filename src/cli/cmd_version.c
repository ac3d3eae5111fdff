/*
 * `mlops version`: the library loaded and the ABI it provides.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "cli.h"

static const char usage[] =
    "usage: mlops version [--json]\n"
    "\n"
    "Print the version of the libmlops library in use and its ABI major.\n";

int cli_cmd_version(int argc, char **argv, const cli_global *g0)
{
    cli_global g = *g0;
    int h = cli_parse_common("version", &argc, argv, &g);
    if (h == CLI_USAGE)
        return h;
    if (h) {
        fputs(usage, stdout);
        return CLI_OK;
    }
    if (argc != 1)
        return cli_usage_error("version", "takes no arguments");
    if (g.json)
        printf("{\"version\":\"%s\",\"abi_major\":%d}\n", mlops_version(), mlops_abi_major());
    else
        printf("libmlops %s (ABI %d)\n", mlops_version(), mlops_abi_major());
    return CLI_OK;
}
