/*
 * `mlops digest FILE...`: SHA-256 of files in the OCI form a package records.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <string.h>
#include <unistd.h>

#include "cli.h"

static const char usage[] =
    "usage: mlops digest [--json] FILE...\n"
    "\n"
    "Print the SHA-256 digest of each FILE as \"sha256:<hex>  FILE\", the form\n"
    "manifests and packages record. With --json, one JSON array of\n"
    "{\"path\", \"digest\"} objects ({\"path\", \"error\": {\"code\", \"message\"}} for a\n"
    "file that could not be read; a name that is not UTF-8 shows U+FFFD for each\n"
    "byte that is not).\n"
    "\n"
    "exit status: 0 all files hashed; 2 a file could not be read.\n";

int cli_cmd_digest(int argc, char **argv, const cli_global *g0)
{
    cli_global g = *g0;
    int h = cli_parse_common("digest", &argc, argv, &g);
    if (h == CLI_USAGE)
        return h;
    if (h) {
        fputs(usage, stdout);
        return CLI_OK;
    }
    if (argc < 2)
        return cli_usage_error("digest", "expected at least one FILE");
    int status = CLI_OK;
    if (g.json)
        fputc('[', stdout);
    int first = 1;
    for (int i = 1; i < argc; i++) {
        uint8_t d[MLOPS_SHA256_SIZE];
        char text[MLOPS_DIGEST_STRING_SIZE];
        mlops_digest_file_options o = MLOPS_DIGEST_FILE_OPTIONS_INIT;
        cli_progress bar;
        cli_progress_init(&bar, argv[i]);
        o.progress = cli_progress_update;
        o.progress_ctx = &bar;
        int rc = mlops_digest_file(d, argv[i], &o);
        cli_progress_clear(&bar);
        if (rc != 0) {
            if (g.json) {
                /* the document tells which file failed, as the exit status does */
                printf("%s{\"path\":", first ? "" : ",");
                cli_json_string(stdout, argv[i]);
                printf(",\"error\":{\"code\":\"%s\",\"message\":", mlops_error_name(rc));
                cli_json_string(stdout, mlops_error_last());
                printf("}}");
                first = 0;
            }
            status = cli_library_error("digest", rc);
            continue;
        }
        mlops_digest_format(text, d);
        if (g.json) {
            printf("%s{\"path\":", first ? "" : ",");
            cli_json_string(stdout, argv[i]);
            printf(",\"digest\":\"%s\"}", text);
            first = 0;
        } else {
            printf("%s  %s\n", text, argv[i]);
        }
    }
    if (g.json)
        fputs("]\n", stdout);
    return status;
}
