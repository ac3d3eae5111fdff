/*
 * `mlops semver`: validate and order model versions by SemVer precedence.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>

#include "cli.h"

static const char usage[] =
    "usage: mlops semver validate VERSION\n"
    "       mlops semver compare A B\n"
    "\n"
    "validate  exit 0 when VERSION is valid SemVer 2.0.0, 2 with the reason otherwise\n"
    "compare   print \"A < B\", \"A == B\" or \"A > B\" by SemVer precedence\n"
    "          (build metadata is ignored); with --json {\"a\",\"b\",\"order\"}\n";

int cli_cmd_semver(int argc, char **argv, const cli_global *g0)
{
    cli_global g = *g0;
    int h = cli_parse_common("semver", &argc, argv, &g);
    if (h == CLI_USAGE)
        return h;
    if (h) {
        fputs(usage, stdout);
        return CLI_OK;
    }
    if (argc >= 2 && strcmp(argv[1], "validate") == 0) {
        if (argc != 3)
            return cli_usage_error("semver", "validate takes one VERSION");
        int rc = mlops_semver_validate(argv[2]);
        if (g.json) {
            printf("{\"version\":");
            cli_json_string(stdout, argv[2]);
            printf(",\"valid\":%s", rc == 0 ? "true" : "false");
            if (rc != 0) {
                printf(",\"error\":");
                cli_json_string(stdout, mlops_error_last());
            }
            printf("}\n");
            return rc == 0 ? CLI_OK : CLI_USAGE;
        }
        if (rc != 0)
            return cli_library_error("semver", rc);
        printf("%s is valid\n", argv[2]);
        return CLI_OK;
    }
    if (argc >= 2 && strcmp(argv[1], "compare") == 0) {
        if (argc != 4)
            return cli_usage_error("semver", "compare takes two versions A B");
        int order = 0;
        int rc = mlops_semver_compare_str(&order, argv[2], argv[3]);
        if (rc != 0)
            return cli_library_error("semver", rc);
        const char *op = order < 0 ? "<" : order > 0 ? ">" : "==";
        if (g.json) {
            printf("{\"a\":");
            cli_json_string(stdout, argv[2]);
            printf(",\"b\":");
            cli_json_string(stdout, argv[3]);
            printf(",\"order\":%d}\n", order);
        } else {
            printf("%s %s %s\n", argv[2], op, argv[3]);
        }
        return CLI_OK;
    }
    return cli_usage_error("semver", "expected 'validate' or 'compare'");
}
