/*
 * The one progress bar of the command line (pack, verify, extract, store add,
 * digest): on stderr, only when it is a terminal, only for inputs of at least
 * CLI_PROGRESS_MIN bytes, and redrawn only when the whole percentage changes,
 * so a bar costs at most 101 redraws however many callbacks the library makes.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

#define BAR_WIDTH 20

void cli_progress_init(cli_progress *p, const char *label)
{
    memset(p, 0, sizeof *p);
    p->label = label;
    p->tty = isatty(STDERR_FILENO);
    p->last = -1;
}

void cli_progress_clear(cli_progress *p)
{
    if (p->shown) {
        fprintf(stderr, "\r%*s\r", 40 + BAR_WIDTH + 8, "");
        fflush(stderr);
        p->shown = 0;
    }
}

int cli_progress_update(uint64_t done, uint64_t total, void *ctx)
{
    cli_progress *p = ctx;
    if (!p || !p->tty || total < CLI_PROGRESS_MIN)
        return 0;
    int pct = done >= total ? 100 : (int)((double)done * 100.0 / (double)total);
    if (pct == p->last)
        return 0;
    p->last = pct;
    if (pct == 100) { /* done: leave the line empty for what follows */
        cli_progress_clear(p);
        return 0;
    }
    char bar[BAR_WIDTH + 1];
    int fill = pct * BAR_WIDTH / 100;
    memset(bar, '#', (size_t)fill);
    memset(bar + fill, ' ', (size_t)(BAR_WIDTH - fill));
    bar[BAR_WIDTH] = '\0';
    fprintf(stderr, "\r%-40.40s [%s] %3d%%", p->label ? p->label : "", bar, pct);
    fflush(stderr);
    p->shown = 1;
    p->draws++;
    return 0;
}
