/*
 * Signals and metrics text files of `mlops policy eval` and `mlops gate`
 * (see obs.h).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "input.h"
#include "mlops.h"
#include "obs.h"

/* One "NAME VALUE [samples=N] [ci=LOW:HIGH]" line; 0, or -1 with reason. */
int cli_obs_parse_line(char *line, cli_obs_line *o, const char **why)
{
    char *save = NULL;
    char *name = strtok_r(line, " \t", &save), *value = strtok_r(NULL, " \t", &save);
    if (!name || !value) {
        *why = "expected NAME VALUE";
        return -1;
    }
    if (strlen(name) >= sizeof o->name) {
        *why = "name longer than 255 bytes";
        return -1;
    }
    strcpy(o->name, name);
    char *end;
    errno = 0;
    o->value = strtod(value, &end);
    if (*end || errno == ERANGE) {
        *why = "VALUE is not a number";
        return -1;
    }
    o->samples = -1;
    o->ci_low = o->ci_high = NAN;
    for (char *t; (t = strtok_r(NULL, " \t", &save)) != NULL;) {
        if (strncmp(t, "samples=", 8) == 0) {
            uint64_t u;
            if (cli_parse_u64(t + 8, &u) != 0 || u > INT64_MAX) {
                *why = "samples= needs a non-negative integer";
                return -1;
            }
            o->samples = (int64_t)u;
        } else if (strncmp(t, "ci=", 3) == 0) {
            char *colon = strchr(t + 3, ':');
            if (!colon) {
                *why = "ci= needs LOW:HIGH";
                return -1;
            }
            *colon = '\0';
            if (cli_parse_double(t + 3, &o->ci_low) != 0 ||
                cli_parse_double(colon + 1, &o->ci_high) != 0) {
                *why = "ci= needs two numbers LOW:HIGH";
                return -1;
            }
        } else {
            *why = "unknown field (expected samples=N or ci=LOW:HIGH)";
            return -1;
        }
    }
    return 0;
}

/* 0 when s[0..n) is UTF-8 text without control characters other than tab
 * and a final CR; else -1 with the offending byte's offset in *at. */
static int text_line(const unsigned char *s, size_t n, size_t *at)
{
    for (size_t i = 0; i < n;) {
        unsigned c = s[i];
        if (c < 0x80) {
            if ((c < 0x20 && c != '\t' && !(c == '\r' && i + 1 == n)) || c == 0x7f) {
                *at = i;
                return -1;
            }
            i++;
            continue;
        }
        size_t len = c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3
                   : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
        if (len == 0 || i + len > n) {
            *at = i;
            return -1;
        }
        for (size_t k = 1; k < len; k++)
            if ((s[i + k] & 0xc0) != 0x80) {
                *at = i;
                return -1;
            }
        unsigned c1 = s[i + 1];
        if ((c == 0xe0 && c1 < 0xa0) || (c == 0xed && c1 > 0x9f) || (c == 0xf0 && c1 < 0x90) ||
            (c == 0xf4 && c1 > 0x8f)) { /* overlong, surrogate, above U+10FFFF */
            *at = i;
            return -1;
        }
        i += len;
    }
    return 0;
}

int cli_obs_parse(const uint8_t *data, size_t size, const char *path, cli_obs_sink sink,
                  void *ctx, int need_one, char *err, size_t errlen)
{
    size_t lineno = 0, seen = 0;
    const char *p = (const char *)data, *end = p + size;
    /* a UTF-8 byte-order mark (Notepad, PowerShell) is not part of the
     * first name: kept, it hid that signal or metric ("\xEF\xBB\xBFpsi"
     * is not "psi", so the policy saw it missing) */
    if (size >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
        p += 3;
    char line[4096];
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        lineno++;
        if (n >= sizeof line) {
            snprintf(err, errlen, "%s:%zu: line too long", path, lineno);
            return -1;
        }
        size_t bad;
        if (text_line((const unsigned char *)p, n, &bad) != 0) {
            unsigned char c = (unsigned char)p[bad];
            snprintf(err, errlen, "%s:%zu:%zu: %s 0x%02x: not a text file of \"NAME VALUE\" lines",
                     path, lineno, bad + 1,
                     c == 0 ? "NUL byte"
                     : c < 0x20 || c == 0x7f ? "control character" : "invalid UTF-8 byte",
                     c);
            return -1;
        }
        memcpy(line, p, n);
        line[n] = '\0';
        p += n + (nl ? 1 : 0);
        char *hash = strchr(line, '#');
        if (hash)
            *hash = '\0';
        if (n && line[n - 1] == '\r')
            line[n - 1] = '\0';
        if (strspn(line, " \t") == strlen(line))
            continue;
        cli_obs_line o;
        const char *why = NULL;
        if (cli_obs_parse_line(line, &o, &why) != 0) {
            snprintf(err, errlen, "%s:%zu: %s", path, lineno, why);
            return -1;
        }
        if (sink(ctx, &o) != 0) {
            snprintf(err, errlen, "%s:%zu: %s", path, lineno, mlops_error_last());
            return -1;
        }
        seen++;
    }
    if (need_one && seen == 0) {
        snprintf(err, errlen, "%s: no metrics (an empty metrics file is an input error)", path);
        return -1;
    }
    return 0;
}
