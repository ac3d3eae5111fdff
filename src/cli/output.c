/*
 * Output helpers of the `mlops` command: errors, colour, JSON strings, options.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "mlops %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n(see 'mlops %s --help')\n", cmd);
    return CLI_USAGE;
}

int cli_library_error(const char *cmd, int code)
{
    fprintf(stderr, "mlops %s: %s\n", cmd, mlops_error_last());
    if (code == MLOPS_E_INTEGRITY || code == MLOPS_E_SIGNATURE)
        return CLI_NEGATIVE;
    return CLI_USAGE;
}

void cli_json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"': fputs("\\\"", f); break;
        case '\\': fputs("\\\\", f); break;
        case '\n': fputs("\\n", f); break;
        case '\r': fputs("\\r", f); break;
        case '\t': fputs("\\t", f); break;
        case '\b': fputs("\\b", f); break;
        case '\f': fputs("\\f", f); break;
        default:
            if (*p < 0x20)
                fprintf(f, "\\u%04x", *p);
            else
                fputc(*p, f);
        }
    }
    fputc('"', f);
}

const char *cli_green(const cli_global *g) { return g->color ? "\033[32m" : ""; }
const char *cli_red(const cli_global *g) { return g->color ? "\033[31m" : ""; }
const char *cli_bold(const cli_global *g) { return g->color ? "\033[1m" : ""; }
const char *cli_reset(const cli_global *g) { return g->color ? "\033[0m" : ""; }

int cli_parse_common(const char *cmd, int *argc, char **argv, cli_global *g)
{
    int out = 1, help = 0, only_positional = 0;
    for (int i = 1; i < *argc; i++) {
        const char *a = argv[i];
        if (!only_positional && strcmp(a, "--") == 0) {
            only_positional = 1;
        } else if (!only_positional && strcmp(a, "--json") == 0) {
            g->json = 1;
            g->color = 0;
        } else if (!only_positional && (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0)) {
            help = 1;
        } else if (!only_positional && a[0] == '-' && a[1] != '\0') {
            return cli_usage_error(cmd, "unknown option '%s'", a);
        } else {
            argv[out++] = argv[i];
        }
    }
    *argc = out;
    return help;
}

int cli_parse(const char *cmd, int *argc, char **argv, cli_global *g, const cli_opt *opts)
{
    int out = 1, help = 0, only_positional = 0;
    for (int i = 1; i < *argc; i++) {
        const char *a = argv[i];
        if (only_positional || a[0] != '-' || a[1] == '\0') {
            argv[out++] = argv[i];
            continue;
        }
        if (strcmp(a, "--") == 0) {
            only_positional = 1;
            continue;
        }
        if (strcmp(a, "--json") == 0) {
            g->json = 1;
            g->color = 0;
            continue;
        }
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            help = 1;
            continue;
        }
        const cli_opt *o = NULL;
        const char *inline_value = NULL;
        for (const cli_opt *k = opts; k && k->name; k++) {
            size_t n = strlen(k->name);
            if (strncmp(a, k->name, n) == 0 && (a[n] == '\0' || (a[n] == '=' && k->value))) {
                o = k;
                inline_value = a[n] == '=' ? a + n + 1 : NULL;
                break;
            }
        }
        if (!o)
            return cli_usage_error(cmd, "unknown option '%s'", a);
        if (o->flag)
            *o->flag = 1;
        if (o->value) {
            if (inline_value) {
                *o->value = inline_value;
            } else {
                if (i + 1 >= *argc)
                    return cli_usage_error(cmd, "option '%s' needs a value", a);
                *o->value = argv[++i];
            }
        }
    }
    *argc = out;
    return help;
}

int cli_help_or_go(int h, const char *usage)
{
    if (h == CLI_USAGE)
        return CLI_USAGE;
    if (h) {
        fputs(usage, stdout);
        return CLI_OK;
    }
    return -1;
}

/* As the library's JSON writers: NaN (no value) is null, infinities are the
 * strings "Infinity" / "-Infinity" (docs/cli.md, "JSON output"). */
void cli_json_double(FILE *f, double v)
{
    if (isnan(v))
        fputs("null", f);
    else if (isinf(v))
        fputs(v > 0 ? "\"Infinity\"" : "\"-Infinity\"", f);
    else
        fprintf(f, "%.17g", v);
}
