/*
 * Repeated options and the trust options of the package commands
 * (cmd_package.c, cmd_store.c).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef MLOPS_CLI_TRUST_H
#define MLOPS_CLI_TRUST_H

#include <stddef.h>

#include "cli.h"

/* The most values one repeated option takes. */
#define CLI_MAX_MULTI 64

/* Remove every "--name V" / "--name=V" before "--" from argv into list
 * (at most CLI_MAX_MULTI). CLI_OK or a usage error. */
int cli_take_multi(const char *cmd, int *argc, char **argv, const char *name,
                   const char **list, size_t *n);

typedef struct cli_trust {
    mlops_keyring *ring;
    mlops_package_verify_options o;
    cli_progress bar; /* o.progress_ctx points here: the struct is not copied */
} cli_trust;

/* --trust PUB... (a keyring), --threshold N, --allow-unsigned, and the
 * progress bar of `cmd`. CLI_OK, or a usage or input error (t->ring is then
 * NULL). On CLI_OK the caller frees t->ring. */
int cli_trust_setup(cli_trust *t, const char *cmd, const char *const *keys, size_t nkeys,
                    const char *threshold, int allow_unsigned);

#endif /* MLOPS_CLI_TRUST_H */
