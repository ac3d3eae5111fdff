/*
 * drift_cli: run the drift metrics on samples read from text files, for the
 * SciPy oracle script (tests/oracle/drift_random.py) and for manual checks.
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 *   drift_cli numeric REF CUR [KS_MODE]  all numeric metrics, both binnings
 *   drift_cli categorical REF CUR NCAT   categorical metrics on integer codes
 *   drift_cli adjust P                   Bonferroni, Holm, BH of p-values
 *
 * Files hold one value per line ("nan", "inf", "-inf" allowed). Output is
 * "key value..." lines with 17 significant digits.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mlops.h"

static double *read_values(const char *path, size_t *n)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "%s: %s\n", path, strerror(errno));
        exit(2);
    }
    size_t cap = 1024, len = 0;
    double *v = malloc(cap * sizeof *v);
    char line[128];
    while (v && fgets(line, sizeof line, f)) {
        if (line[0] == '\n' || line[0] == '\0')
            continue;
        if (len == cap) {
            cap *= 2;
            double *nv = realloc(v, cap * sizeof *v);
            if (!nv) {
                free(v);
                v = NULL;
                break;
            }
            v = nv;
        }
        v[len++] = strtod(line, NULL);
    }
    fclose(f);
    if (!v) {
        fprintf(stderr, "out of memory\n");
        exit(2);
    }
    *n = len;
    return v;
}

static void print_result(const char *prefix, const mlops_drift_result *r)
{
    printf("%s.statistic %.17g\n", prefix, mlops_drift_result_statistic(r));
    printf("%s.pvalue %.17g\n", prefix, mlops_drift_result_pvalue(r));
    int m = mlops_drift_result_pvalue_method(r);
    printf("%s.method %s\n", prefix, m == MLOPS_DRIFT_PVALUE_EXACT ? "exact"
                                     : m == MLOPS_DRIFT_PVALUE_ASYMPTOTIC ? "asymp" : "none");
}

static void fail(const char *what, int rc)
{
    printf("error %s %s %s\n", what, mlops_error_name(rc), mlops_error_last());
}

static void print_bins(const char *prefix, const mlops_drift_result *r)
{
    size_t ne = 0;
    const double *e = mlops_drift_result_edges(&ne, r);
    printf("%s.edges", prefix);
    for (size_t i = 0; i < ne; i++)
        printf(" %.17g", e[i]);
    printf("\n%s.ref_counts", prefix);
    size_t b = mlops_drift_result_bins(r);
    const uint64_t *rc = mlops_drift_result_ref_counts(r), *cc = mlops_drift_result_cur_counts(r);
    for (size_t i = 0; i < b; i++)
        printf(" %llu", (unsigned long long)rc[i]);
    printf("\n%s.cur_counts", prefix);
    for (size_t i = 0; i < b; i++)
        printf(" %llu", (unsigned long long)cc[i]);
    printf("\n");
}

static const int share_metrics[] = {MLOPS_DRIFT_PSI, MLOPS_DRIFT_KL, MLOPS_DRIFT_JS,
                                    MLOPS_DRIFT_HELLINGER, MLOPS_DRIFT_TVD, MLOPS_DRIFT_LINF};

static int run_numeric(const char *a, const char *b, int ks_mode)
{
    size_t n1, n2;
    double *x = read_values(a, &n1), *y = read_values(b, &n2);
    mlops_drift_options o = MLOPS_DRIFT_OPTIONS_INIT;
    o.ks_mode = (uint32_t)ks_mode;
    static const int tests[] = {MLOPS_DRIFT_KS, MLOPS_DRIFT_WASSERSTEIN,
                                MLOPS_DRIFT_WASSERSTEIN_NORMED, MLOPS_DRIFT_ENERGY,
                                MLOPS_DRIFT_CVM, MLOPS_DRIFT_AUTO};
    for (size_t t = 0; t < sizeof tests / sizeof tests[0]; t++) {
        mlops_drift_result *r = NULL;
        const char *name = mlops_drift_metric_name(tests[t]);
        int rc = mlops_drift_numeric(&r, tests[t], x, n1, y, n2, &o);
        if (rc) {
            fail(name, rc);
            continue;
        }
        if (t == 0) {
            printf("missing_ref %llu\nmissing_cur %llu\n",
                   (unsigned long long)mlops_drift_result_missing_ref(r),
                   (unsigned long long)mlops_drift_result_missing_cur(r));
        }
        if (tests[t] == MLOPS_DRIFT_AUTO)
            printf("auto.metric %s\n", mlops_drift_metric_name(mlops_drift_result_metric(r)));
        print_result(name, r);
        mlops_drift_result_free(r);
    }
    static const char *bn[] = {"quantile_bins", "uniform_bins"};
    for (int binning = 0; binning < 2; binning++) {
        o.binning = (uint32_t)binning;
        for (size_t t = 0; t < 6; t++) {
            mlops_drift_result *r = NULL;
            char prefix[64];
            snprintf(prefix, sizeof prefix, "%s.%s", bn[binning],
                     mlops_drift_metric_name(share_metrics[t]));
            int rc = mlops_drift_numeric(&r, share_metrics[t], x, n1, y, n2, &o);
            if (rc) {
                fail(prefix, rc);
                continue;
            }
            printf("%s %.17g\n", prefix, mlops_drift_result_statistic(r));
            if (t == 0)
                print_bins(bn[binning], r);
            mlops_drift_result_free(r);
        }
    }
    free(x);
    free(y);
    return 0;
}

static int64_t *to_codes(const double *v, size_t n)
{
    int64_t *c = malloc((n ? n : 1) * sizeof *c);
    if (!c)
        exit(2);
    for (size_t i = 0; i < n; i++)
        c[i] = (int64_t)v[i];
    return c;
}

static int run_categorical(const char *a, const char *b, uint32_t ncat)
{
    size_t n1, n2;
    double *x = read_values(a, &n1), *y = read_values(b, &n2);
    int64_t *cx = to_codes(x, n1), *cy = to_codes(y, n2);
    static const int tests[] = {MLOPS_DRIFT_CHI2, MLOPS_DRIFT_ZTEST, MLOPS_DRIFT_PSI,
                                MLOPS_DRIFT_KL, MLOPS_DRIFT_JS, MLOPS_DRIFT_HELLINGER,
                                MLOPS_DRIFT_TVD, MLOPS_DRIFT_LINF};
    for (size_t t = 0; t < sizeof tests / sizeof tests[0]; t++) {
        mlops_drift_result *r = NULL;
        const char *name = mlops_drift_metric_name(tests[t]);
        int rc = mlops_drift_categorical(&r, tests[t], cx, n1, cy, n2, ncat, NULL);
        if (rc) {
            fail(name, rc);
            continue;
        }
        print_result(name, r);
        if (tests[t] == MLOPS_DRIFT_CHI2) {
            printf("chi2.dof %llu\nunseen_share %.17g\n",
                   (unsigned long long)mlops_drift_result_dof(r),
                   mlops_drift_result_unseen_share(r));
            size_t bins = mlops_drift_result_bins(r);
            const int64_t *cats = mlops_drift_result_categories(r);
            printf("categories");
            for (size_t i = 0; i < bins; i++)
                printf(" %ld", (long)cats[i]);
            printf("\n");
            print_bins("cat", r);
        }
        mlops_drift_result_free(r);
    }
    free(cx);
    free(cy);
    free(x);
    free(y);
    return 0;
}

static int run_adjust(const char *a)
{
    size_t n;
    double *p = read_values(a, &n);
    double *o = malloc((n ? n : 1) * sizeof *o);
    static const char *names[] = {"bonferroni", "holm", "bh"};
    for (int m = 0; m < 3 && o; m++) {
        int rc = mlops_drift_pvalue_adjust(o, p, n, m);
        if (rc) {
            fail(names[m], rc);
            continue;
        }
        printf("%s", names[m]);
        for (size_t i = 0; i < n; i++)
            printf(" %.17g", o[i]);
        printf("\n");
    }
    free(o);
    free(p);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 4 && strcmp(argv[1], "numeric") == 0)
        return run_numeric(argv[2], argv[3], argc > 4 ? atoi(argv[4]) : 0);
    if (argc == 5 && strcmp(argv[1], "categorical") == 0)
        return run_categorical(argv[2], argv[3], (uint32_t)strtoul(argv[4], NULL, 10));
    if (argc == 3 && strcmp(argv[1], "adjust") == 0)
        return run_adjust(argv[2]);
    fprintf(stderr, "usage: drift_cli numeric REF CUR [KS_MODE] | categorical REF CUR NCAT | "
                    "adjust P\n");
    return 2;
}
