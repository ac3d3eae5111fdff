/*
 * `mlops layout-export`: an OCI layout pulled from a registry (skopeo copy
 * docker://... oci:DIR:REF) back into a .mlpkg package.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "input.h"

static const char usage[] =
    "usage: mlops layout-export LAYOUT REF -o OUT.mlpkg [--envelope ENVELOPE] [--force]\n"
    "\n"
    "Write the model that REF (the org.opencontainers.image.ref.name in LAYOUT's\n"
    "index.json, what followed DIR: in the skopeo command) names in the OCI image\n"
    "layout directory LAYOUT back as a package, laid out as 'mlops pack' lays it\n"
    "out, so a package pushed to a registry and pulled again comes back byte for\n"
    "byte. A registry copy carries no signature: --envelope adds the detached DSSE\n"
    "envelope given. Nothing in the layout is trusted: verify the result\n"
    "('mlops verify'). Tar entries get SOURCE_DATE_EPOCH, or 0, as mtime.\n"
    "\n"
    "exit status: 0 written; 1 the layout is refused: a blob that does not hash to\n"
    "its name, a truncated or malformed document (nothing is written); 2 usage or\n"
    "input error (a missing layout or reference, an existing OUT without --force).\n";

int cli_cmd_layout_export(int argc, char **argv, const cli_global *g0)
{
    cli_global g = *g0;
    const char *out = NULL, *envelope = NULL;
    int force = 0;
    const cli_opt opts[] = { { "-o", &out, NULL },      { "--output", &out, NULL },
                             { "--envelope", &envelope, NULL },
                             { "--force", NULL, &force }, { NULL, NULL, NULL } };
    int h = cli_help_or_go(cli_parse("layout-export", &argc, argv, &g, opts), usage);
    if (h >= 0)
        return h;
    if (argc != 3)
        return cli_usage_error("layout-export", "expected LAYOUT and REF");
    if (!out)
        return cli_usage_error("layout-export", "needs -o OUT.mlpkg");
    uint8_t *env = NULL;
    size_t env_len = 0;
    char err[1024];
    if (envelope && cli_read_file(&env, &env_len, envelope, err, sizeof err) != 0)
        return cli_input_error("layout-export", "%s", err);
    int rc = mlops_layout_export(argv[1], argv[2], (const char *)env, env_len, out, -1,
                                 force ? MLOPS_PACK_OVERWRITE : 0);
    free(env);
    if (rc != 0)
        return cli_content_error("layout-export", rc);
    if (g.json) {
        printf("{\"layout\":");
        cli_json_string(stdout, argv[1]);
        printf(",\"reference\":");
        cli_json_string(stdout, argv[2]);
        printf(",\"package\":");
        cli_json_string(stdout, out);
        printf(",\"signed\":%s}\n", envelope ? "true" : "false");
    } else {
        printf("exported %s:%s to %s%s\n", argv[1], argv[2], out,
               envelope ? " (with the given envelope)" : " (unsigned)");
    }
    return CLI_OK;
}
