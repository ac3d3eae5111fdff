/*
 * Test-only reader of the drift vector files (tests/vectors/drift/NAME.json) and
 * the contract's tolerance checks, shared by the drift and profile tests.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <dirent.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mlops.h"
#include "driftvec.h"

/* A test-only reader for the vector files: a small recursive-descent JSON
 * parser that flattens objects into dotted keys (as the files nest at most
 * one level and hold arrays of scalars only). Strings "nan", "inf", "-inf"
 * are numbers; other strings keep their text in `word`. Not the library's
 * parser: malformed input fails the test. */
typedef struct jreader {
    const char *s;
    size_t i, n;
    vec *out;
    const char *path;
} jreader;

static void j_ws(jreader *r)
{
    while (r->i < r->n && (r->s[r->i] == ' ' || r->s[r->i] == '\n' || r->s[r->i] == '\t' ||
                           r->s[r->i] == '\r'))
        r->i++;
}

static entry *j_entry(jreader *r, const char *key)
{
    vec *v = r->out;
    v->e = realloc(v->e, (v->n + 1) * sizeof *v->e);
    assert_non_null(v->e);
    entry *e = &v->e[v->n++];
    memset(e, 0, sizeof *e);
    snprintf(e->key, sizeof e->key, "%s", key);
    return e;
}

/* A scalar at r->i: its number (NaN for a word) and, for strings, the text. */
static double j_scalar(jreader *r, char *word, size_t wsize)
{
    j_ws(r);
    if (r->i >= r->n)
        fail_msg("%s: unexpected end", r->path);
    if (r->s[r->i] == '"') {
        size_t b = ++r->i;
        while (r->i < r->n && r->s[r->i] != '"')
            r->i++;
        size_t len = r->i - b;
        r->i++;
        if (word)
            snprintf(word, wsize, "%.*s", (int)len, r->s + b);
        if (len == 3 && memcmp(r->s + b, "nan", 3) == 0)
            return NAN;
        if (len == 3 && memcmp(r->s + b, "inf", 3) == 0)
            return INFINITY;
        if (len == 4 && memcmp(r->s + b, "-inf", 4) == 0)
            return -INFINITY;
        return NAN;
    }
    if (strncmp(r->s + r->i, "true", 4) == 0) {
        r->i += 4;
        return 1;
    }
    if (strncmp(r->s + r->i, "false", 5) == 0) {
        r->i += 5;
        return 0;
    }
    if (strncmp(r->s + r->i, "null", 4) == 0) {
        r->i += 4;
        return NAN;
    }
    char *end;
    double d = strtod(r->s + r->i, &end);
    if (end == r->s + r->i)
        fail_msg("%s: bad value at byte %zu", r->path, r->i);
    if (word)
        snprintf(word, wsize, "%.*s", (int)(end - (r->s + r->i)), r->s + r->i);
    r->i = (size_t)(end - r->s);
    return d;
}

static void j_value(jreader *r, const char *key)
{
    j_ws(r);
    char c = r->i < r->n ? r->s[r->i] : '\0';
    if (c == '{') {
        r->i++;
        for (;;) {
            j_ws(r);
            if (r->s[r->i] == '}') {
                r->i++;
                return;
            }
            char name[64];
            j_scalar(r, name, sizeof name);
            j_ws(r);
            assert_true(r->s[r->i] == ':');
            r->i++;
            char child[96];
            if (key[0])
                snprintf(child, sizeof child, "%s.%s", key, name);
            else
                snprintf(child, sizeof child, "%s", name);
            j_value(r, child);
            j_ws(r);
            if (r->s[r->i] == ',')
                r->i++;
        }
    }
    entry *e = j_entry(r, key);
    if (c == '[') {
        r->i++;
        size_t cap = 16;
        e->v = malloc(cap * sizeof *e->v);
        assert_non_null(e->v);
        for (;;) {
            j_ws(r);
            if (r->s[r->i] == ']') {
                r->i++;
                break;
            }
            if (e->n == cap) {
                cap *= 2;
                e->v = realloc(e->v, cap * sizeof *e->v);
                assert_non_null(e->v);
            }
            e->v[e->n] = j_scalar(r, e->n ? NULL : e->word, sizeof e->word);
            e->n++;
            j_ws(r);
            if (r->s[r->i] == ',')
                r->i++;
        }
        return;
    }
    e->v = malloc(sizeof *e->v);
    assert_non_null(e->v);
    e->v[0] = j_scalar(r, e->word, sizeof e->word);
    e->n = 1;
}

void vec_load(vec *out, const char *name)
{
    const char *dir = getenv("MLOPS_VECTORS");
    assert_non_null(dir);
    char path[1024];
    snprintf(path, sizeof path, "%s/drift/%s.json", dir, name);
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *text = malloc((size_t)size + 1);
    assert_non_null(text);
    assert_int_equal(fread(text, 1, (size_t)size, f), (size_t)size);
    text[size] = '\0';
    fclose(f);
    memset(out, 0, sizeof *out);
    snprintf(out->name, sizeof out->name, "%s", name);
    jreader r = {text, 0, (size_t)size, out, path};
    j_value(&r, "");
    free(text);
}

void vec_free(vec *v)
{
    for (size_t i = 0; i < v->n; i++)
        free(v->e[i].v);
    free(v->e);
}

const entry *vec_get(const vec *v, const char *key)
{
    for (size_t i = 0; i < v->n; i++)
        if (strcmp(v->e[i].key, key) == 0)
            return &v->e[i];
    fail_msg("%s: no key %s", v->name, key);
    abort(); /* not reached: fail_msg ends the test; never a NULL to dereference */
}

double vec_num(const vec *v, const char *key)
{
    return vec_get(v, key)->v[0];
}

/* ------------------------------------------------------------------------ */
/* Tolerances of the contract                                               */
/* ------------------------------------------------------------------------ */

void check_stat(const char *what, double got, double want)
{
    if (isnan(got) && isnan(want))
        return;
    double d = fabs(got - want);
    if (d <= 1e-15 || d <= 1e-12 * fabs(want))
        return;
    fail_msg("%s: got %.17g, want %.17g (rel %.3g)", what, got, want, d / fabs(want));
}

/* p-values: 1e-9 relative above 1e-300; abs_tol loosens it where the
 * oracle itself is only that accurate (documented where used). */
void check_p(const char *what, double got, double want, double abs_tol)
{
    if (want <= 1e-300 && got <= 1e-300)
        return;
    double d = fabs(got - want);
    if (d <= 1e-9 * fabs(want) || d <= abs_tol)
        return;
    fail_msg("%s: p-value %.17g, want %.17g (rel %.3g)", what, got, want, d / fabs(want));
}

void check_exact_u64(const char *what, const uint64_t *got, size_t n, const entry *want)
{
    if (n != want->n)
        fail_msg("%s: %zu values, want %zu", what, n, want->n);
    for (size_t i = 0; i < n; i++)
        if ((double)got[i] != want->v[i])
            fail_msg("%s[%zu]: got %llu, want %.17g", what, i, (unsigned long long)got[i],
                     want->v[i]);
}

void check_exact_d(const char *what, const double *got, size_t n, const entry *want)
{
    if (n != want->n)
        fail_msg("%s: %zu values, want %zu", what, n, want->n);
    for (size_t i = 0; i < n; i++)
        if (got[i] != want->v[i])
            fail_msg("%s[%zu]: got %.17g, want %.17g", what, i, got[i], want->v[i]);
}

static void same_double(const char *what, double got, double want)
{
    if (isnan(got) && isnan(want))
        return;
    if (got != want)
        fail_msg("info %s: %.17g, getter %.17g", what, got, want);
}

const struct mlops_drift_result_info *check_result_info(const mlops_drift_result *r)
{
    const struct mlops_drift_result_info *i = mlops_drift_result_info(r);
    assert_non_null(i);
    assert_int_equal(i->version, MLOPS_DRIFT_RESULT_INFO_VERSION);
    assert_int_equal(i->size, sizeof *i);
    assert_true(MLOPS_INFO_HAS(i, struct mlops_drift_result_info, categories));
    assert_int_equal(i->metric, mlops_drift_result_metric(r));
    assert_int_equal(i->pvalue_method, mlops_drift_result_pvalue_method(r));
    assert_int_equal(i->direction, mlops_drift_result_direction(r));
    assert_int_equal(i->drifted, mlops_drift_result_drifted(r));
    same_double("statistic", i->statistic, mlops_drift_result_statistic(r));
    same_double("pvalue", i->pvalue, mlops_drift_result_pvalue(r));
    same_double("threshold", i->threshold, mlops_drift_result_threshold(r));
    same_double("smoothing", i->smoothing, mlops_drift_result_smoothing(r));
    same_double("js_base", i->js_base, mlops_drift_result_js_base(r));
    same_double("unseen_share", i->unseen_share, mlops_drift_result_unseen_share(r));
    assert_int_equal(i->n_ref, mlops_drift_result_n_ref(r));
    assert_int_equal(i->n_cur, mlops_drift_result_n_cur(r));
    assert_int_equal(i->missing_ref, mlops_drift_result_missing_ref(r));
    assert_int_equal(i->missing_cur, mlops_drift_result_missing_cur(r));
    assert_int_equal(i->dof, mlops_drift_result_dof(r));
    assert_int_equal(i->bins, mlops_drift_result_bins(r));
    size_t ne = 99;
    assert_ptr_equal(i->edges, mlops_drift_result_edges(&ne, r));
    assert_int_equal(i->n_edges, ne);
    assert_ptr_equal(i->ref_counts, mlops_drift_result_ref_counts(r));
    assert_ptr_equal(i->cur_counts, mlops_drift_result_cur_counts(r));
    assert_ptr_equal(i->categories, mlops_drift_result_categories(r));
    /* the struct lives in the result: the same pointer every time */
    assert_ptr_equal(mlops_drift_result_info(r), i);
    return i;
}

/* ------------------------------------------------------------------------ */
/* Vectors: numeric                                                         */
/* ------------------------------------------------------------------------ */

mlops_drift_result *run_num(const vec *v, int metric, const mlops_drift_options *o)
{
    const entry *r = vec_get(v, "reference"), *c = vec_get(v, "current");
    mlops_drift_result *res = NULL;
    int rc = mlops_drift_numeric(&res, metric, r->v, r->n, c->v, c->n, o);
    if (rc)
        fail_msg("%s: %s failed: %s", v->name, mlops_drift_metric_name(metric),
                 mlops_error_last());
    return res;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Run fn on every vector file of a kind, in name order; returns how many. */
size_t for_each_vector(const char *kind, void (*fn)(const char *name))
{
    const char *root = getenv("MLOPS_VECTORS");
    assert_non_null(root);
    char path[1024];
    snprintf(path, sizeof path, "%s/drift", root);
    DIR *d = opendir(path);
    if (!d)
        fail_msg("cannot open %s", path);
    char *names[256];
    size_t n = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        size_t len = strlen(de->d_name);
        if (len > 5 && strcmp(de->d_name + len - 5, ".json") == 0 && n < 256) {
            names[n] = malloc(len - 4);
            assert_non_null(names[n]);
            snprintf(names[n], len - 4, "%.*s", (int)(len - 5), de->d_name);
            n++;
        }
    }
    closedir(d);
    qsort(names, n, sizeof *names, cmp_str);
    size_t ran = 0;
    for (size_t i = 0; i < n; i++) {
        vec v;
        vec_load(&v, names[i]);
        int match = strcmp(vec_get(&v, "kind")->word, kind) == 0;
        vec_free(&v);
        if (match) {
            fn(names[i]);
            ran++;
        }
        free(names[i]);
    }
    return ran;
}
