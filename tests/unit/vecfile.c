/*
 * Line-oriented vector files (see vecfile.h).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "vecfile.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

static char *path_of(const char *rel)
{
    const char *dir = getenv("MLOPS_VECTORS");
    if (!dir)
        fail_msg("MLOPS_VECTORS is not set (run through meson test)");
    size_t n = strlen(dir) + strlen(rel) + 2;
    char *p = malloc(n);
    assert_non_null(p);
    snprintf(p, n, "%s/%s", dir, rel);
    return p;
}

unsigned char *vec_read_bytes(const char *rel, size_t *size)
{
    char *p = path_of(rel);
    FILE *fp = fopen(p, "rb");
    if (!fp)
        fail_msg("cannot open %s", p);
    fseek(fp, 0, SEEK_END);
    long len = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    unsigned char *buf = malloc((size_t)len + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)len, fp), (size_t)len);
    buf[len] = 0;
    fclose(fp);
    free(p);
    *size = (size_t)len;
    return buf;
}

void vec_load(vec_file *f, const char *rel)
{
    size_t size;
    char *text = (char *)vec_read_bytes(rel, &size);
    memset(f, 0, sizeof *f);
    vec_case *cur = NULL;
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        if (line[0] == '#' || line[0] == '\0')
            continue;
        if (strncmp(line, "case ", 5) == 0) {
            f->cases = realloc(f->cases, (f->n_cases + 1) * sizeof *f->cases);
            assert_non_null(f->cases);
            cur = &f->cases[f->n_cases++];
            memset(cur, 0, sizeof *cur);
            snprintf(cur->name, sizeof cur->name, "%s", line + 5);
            continue;
        }
        if (strcmp(line, "end") == 0) {
            cur = NULL;
            continue;
        }
        assert_non_null(cur);
        cur->lines = realloc(cur->lines, (cur->n_lines + 1) * sizeof *cur->lines);
        assert_non_null(cur->lines);
        cur->lines[cur->n_lines] = strdup(line);
        assert_non_null(cur->lines[cur->n_lines]);
        cur->n_lines++;
    }
    free(text);
}

void vec_free(vec_file *f)
{
    for (size_t i = 0; i < f->n_cases; i++) {
        for (size_t j = 0; j < f->cases[i].n_lines; j++)
            free(f->cases[i].lines[j]);
        free(f->cases[i].lines);
    }
    free(f->cases);
    memset(f, 0, sizeof *f);
}

static const char *find(const vec_case *c, const char *key)
{
    size_t kl = strlen(key);
    for (size_t i = 0; i < c->n_lines; i++)
        if (strncmp(c->lines[i], key, kl) == 0 && (c->lines[i][kl] == ' ' || !c->lines[i][kl]))
            return c->lines[i] + kl + (c->lines[i][kl] == ' ');
    return NULL;
}

int vec_has(const vec_case *c, const char *key) { return find(c, key) != NULL; }

const char *vec_get(const vec_case *c, const char *key)
{
    const char *v = find(c, key);
    if (!v)
        fail_msg("vector case %s has no key %s", c->name, key);
    return v;
}

size_t vec_doubles(const char *s, double *out, size_t cap)
{
    size_t n = 0;
    char *end;
    while (n < cap) {
        double v = strtod(s, &end);
        if (end == s)
            break;
        out[n++] = v;
        s = end;
    }
    return n;
}

double vec_double(const vec_case *c, const char *key)
{
    double v;
    assert_int_equal(vec_doubles(vec_get(c, key), &v, 1), 1);
    return v;
}

uint64_t vec_u64(const vec_case *c, const char *key)
{
    return strtoull(vec_get(c, key), NULL, 10);
}
