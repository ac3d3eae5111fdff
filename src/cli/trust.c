/*
 * What the commands that read or sign packages share: repeated options
 * ("--trust A --trust B") and the trust options --trust, --threshold and
 * --allow-unsigned (trust.h).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "input.h"
#include "trust.h"

int cli_take_multi(const char *cmd, int *argc, char **argv, const char *name,
                   const char **list, size_t *n)
{
    size_t len = strlen(name);
    int out = 1;
    for (int i = 1; i < *argc; i++) {
        if (strcmp(argv[i], "--") == 0) {
            for (; i < *argc; i++)
                argv[out++] = argv[i];
            break;
        }
        const char *v = NULL;
        if (strncmp(argv[i], name, len) == 0 && argv[i][len] == '=') {
            v = argv[i] + len + 1;
        } else if (strcmp(argv[i], name) == 0) {
            if (i + 1 >= *argc)
                return cli_usage_error(cmd, "option '%s' needs a value", name);
            v = argv[++i];
        } else {
            argv[out++] = argv[i];
            continue;
        }
        if (*n >= CLI_MAX_MULTI)
            return cli_usage_error(cmd, "too many %s options", name);
        list[(*n)++] = v;
    }
    *argc = out;
    return CLI_OK;
}

int cli_trust_setup(cli_trust *t, const char *cmd, const char *const *keys, size_t nkeys,
                    const char *threshold, int allow_unsigned)
{
    mlops_package_verify_options o = MLOPS_PACKAGE_VERIFY_OPTIONS_INIT;
    t->o = o;
    t->ring = NULL;
    /* Progress for every verifying command, signed or --allow-unsigned. */
    cli_progress_init(&t->bar, strcmp(cmd, "verify") == 0    ? "verifying"
                               : strcmp(cmd, "extract") == 0 ? "extracting"
                                                             : "adding to the store");
    t->o.progress = cli_progress_update;
    t->o.progress_ctx = &t->bar;
    if (!nkeys && !allow_unsigned)
        return cli_usage_error(cmd, "give the trusted public keys (--trust PUB.pem) or "
                                    "--allow-unsigned");
    if (nkeys && allow_unsigned)
        return cli_usage_error(cmd, "--trust and --allow-unsigned exclude each other");
    if (allow_unsigned) {
        t->o.flags = MLOPS_PACKAGE_ALLOW_UNSIGNED;
        return CLI_OK;
    }
    int rc = mlops_keyring_new(&t->ring);
    if (rc != 0)
        return cli_library_error(cmd, rc);
    for (size_t i = 0; i < nkeys; i++) {
        mlops_key *k = NULL;
        rc = mlops_key_load_file(&k, keys[i], 0);
        int loaded = rc == 0;
        if (rc == 0)
            rc = mlops_keyring_add(t->ring, k);
        mlops_key_free(k);
        if (rc != 0) {
            /* the loader's messages name the file already */
            char msg[2048];
            snprintf(msg, sizeof msg, "%s%s%s", loaded ? keys[i] : "", loaded ? ": " : "",
                     mlops_error_last());
            mlops_keyring_free(t->ring);
            t->ring = NULL;
            return cli_error_as(cmd, rc, CLI_INPUT, msg);
        }
    }
    t->o.trusted = t->ring;
    if (threshold) {
        uint64_t v;
        if (cli_parse_u64(threshold, &v) != 0 || v < 1 || v > nkeys) {
            mlops_keyring_free(t->ring);
            t->ring = NULL;
            return cli_usage_error(cmd, "--threshold: expected 1..%zu, got '%s'", nkeys, threshold);
        }
        t->o.threshold = (uint32_t)v;
    }
    return CLI_OK;
}
