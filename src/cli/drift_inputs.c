/*
 * `mlops drift`: the feature table and the three input modes that fill it —
 * CSV tables (numeric columns through the library's table call, label
 * columns through its category dictionary), 1-D .npy arrays and stored
 * profiles.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "core/numfmt.h"
#include "drift_report.h"
#include "input.h"

void cli_drift_feat_free(feat *f)
{
    free(f->name);
    free(f->json);
    if (f->bin_labels)
        for (size_t i = 0; i < f->nbins; i++)
            free(f->bin_labels[i]);
    free(f->bin_labels);
    free(f->ref_share);
    free(f->cur_share);
}


static int oom(void)
{
    fprintf(stderr, "mlops drift: out of memory\n");
    return CLI_USAGE;
}

/* The report of a single comparison (.npy arrays, profiles): one feature. */
static int one_feature(report *rep)
{
    rep->f = calloc(1, sizeof *rep->f);
    if (!rep->f)
        return oom();
    rep->n = 1;
    return CLI_OK;
}

/* Severity: how far past its threshold a feature is (1 = at the threshold). */
double cli_drift_severity_of(const feat *f)
{
    if (f->direction == MLOPS_DRIFT_PVALUE_LT) {
        /* under a p-value rule the verdict compares the adjusted p with alpha */
        double pv = f->adjusted ? f->adj_pvalue : f->pvalue;
        double th = f->adjusted ? f->alpha : f->threshold;
        double p = pv > 1e-300 ? pv : 1e-300;
        if (!(th > 0 && th < 1))
            return 0;
        return log(p) / log(th);
    }
    if (f->threshold > 0)
        return f->stat / f->threshold;
    return f->stat > 0 ? INFINITY : 0;
}

static int take_result(feat *f, const mlops_drift_result *r)
{
    f->adj_pvalue = NAN;
    f->alpha = NAN;
    const struct mlops_drift_result_info *ri = mlops_drift_result_info(r);
    f->metric = mlops_drift_metric_name(ri->metric);
    f->stat = ri->statistic;
    f->pvalue = ri->pvalue;
    f->threshold = ri->threshold;
    f->direction = ri->direction;
    f->drifted = ri->drifted;
    f->n_ref = ri->n_ref;
    f->n_cur = ri->n_cur;
    f->miss_ref = ri->missing_ref;
    f->miss_cur = ri->missing_cur;
    mlops_buf b = MLOPS_BUF_INIT;
    int rc = mlops_drift_result_write_json(&b, r, 0);
    if (rc != 0)
        return cli_library_error("drift", rc);
    f->json = malloc(b.size + 1);
    if (!f->json) {
        mlops_buf_dispose(&b);
        return oom();
    }
    memcpy(f->json, b.data, b.size);
    f->json[b.size] = '\0';
    mlops_buf_dispose(&b);
    return CLI_OK;
}

/* Display histogram of two numeric samples over their joint finite range. */
static int numeric_hist(feat *f, const double *a, size_t na, const double *b, size_t nb)
{
    double lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < na; i++)
        if (isfinite(a[i])) {
            lo = a[i] < lo ? a[i] : lo;
            hi = a[i] > hi ? a[i] : hi;
        }
    for (size_t i = 0; i < nb; i++)
        if (isfinite(b[i])) {
            lo = b[i] < lo ? b[i] : lo;
            hi = b[i] > hi ? b[i] : hi;
        }
    if (!(lo <= hi))
        return CLI_OK;
    f->nbins = lo < hi ? HIST_BINS : 1;
    f->lo = lo;
    f->hi = hi;
    f->ref_share = calloc(f->nbins, sizeof(double));
    f->cur_share = calloc(f->nbins, sizeof(double));
    if (!f->ref_share || !f->cur_share)
        return oom();
    double w = (hi - lo) / (double)f->nbins;
    for (int side = 0; side < 2; side++) {
        const double *x = side ? b : a;
        size_t n = side ? nb : na, used = 0;
        double *s = side ? f->cur_share : f->ref_share;
        for (size_t i = 0; i < n; i++) {
            if (!isfinite(x[i]))
                continue;
            size_t k = w > 0 ? (size_t)((x[i] - lo) / w) : 0;
            if (k >= f->nbins)
                k = f->nbins - 1;
            s[k]++;
            used++;
        }
        for (size_t k = 0; k < f->nbins && used; k++)
            s[k] /= (double)used;
    }
    return CLI_OK;
}

/* Display histogram of two profiles from their sketches' ranks. */
static int profile_hist(feat *f, const mlops_profile *a, const mlops_profile *b)
{
    double lo = fmin(mlops_profile_info(a)->min, mlops_profile_info(b)->min);
    double hi = fmax(mlops_profile_info(a)->max, mlops_profile_info(b)->max);
    if (!(lo < hi))
        return CLI_OK;
    f->nbins = HIST_BINS;
    f->lo = lo;
    f->hi = hi;
    f->ref_share = calloc(f->nbins, sizeof(double));
    f->cur_share = calloc(f->nbins, sizeof(double));
    if (!f->ref_share || !f->cur_share)
        return oom();
    for (int side = 0; side < 2; side++) {
        const mlops_profile *p = side ? b : a;
        double *s = side ? f->cur_share : f->ref_share, prev = 0;
        for (size_t k = 0; k < f->nbins; k++) {
            double r = 1;
            if (k + 1 < f->nbins) {
                double e = lo + (hi - lo) * (double)(k + 1) / (double)f->nbins;
                if (mlops_profile_rank(&r, p, e) != 0)
                    r = prev;
            }
            s[k] = r > prev ? r - prev : 0;
            prev = r > prev ? r : prev;
        }
    }
    return CLI_OK;
}

/* ---- metric names ---- */

int cli_drift_metric_by_name(const char *name, int *metric)
{
    if (strcmp(name, "auto") == 0) {
        *metric = MLOPS_DRIFT_AUTO;
        return 0;
    }
    for (int m = 1; m < MLOPS_DRIFT_METRIC_COUNT; m++)
        if (strcmp(mlops_drift_metric_name(m), name) == 0) {
            *metric = m;
            return 0;
        }
    return -1;
}


/* ---- CSV tables ---- */

typedef struct csv_job {
    const char *path;
    char delim;
    cli_table t;
    char err[1024];
    int rc;
} csv_job;

static void *csv_worker(void *arg)
{
    csv_job *j = arg;
    j->rc = cli_csv_read(&j->t, j->path, j->delim, j->err, sizeof j->err);
    return NULL;
}

/* Read both files at once (two threads). */
static int read_two(csv_job *a, csv_job *b)
{
    pthread_t th;
    int threaded = pthread_create(&th, NULL, csv_worker, b) == 0;
    csv_worker(a);
    if (threaded)
        pthread_join(th, NULL);
    else
        csv_worker(b);
    int rc = CLI_OK;
    if (a->rc != 0) {
        fprintf(stderr, "mlops drift: %s\n", a->err);
        rc = CLI_USAGE;
    }
    if (b->rc != 0) {
        fprintf(stderr, "mlops drift: %s\n", b->err);
        rc = CLI_USAGE;
    }
    return rc;
}

static void no_column(const char *name, const char *path, const cli_table *t)
{
    fprintf(stderr, "mlops drift: no column '%s' in %s (columns:", name, cli_display_path(path));
    for (size_t i = 0; i < t->ncols; i++)
        fprintf(stderr, "%s %s", i ? "," : "", t->cols[i].name);
    fprintf(stderr, ")\n");
}

/* Categorical column: the library's category dictionary gives one code per
 * label for both files (reference labels first, in their order of first
 * appearance; labels only the current file has after them). */
static int categorical_feature(feat *f, const cli_column *rc_, size_t nr, const cli_column *cc,
                               size_t ncur, int metric, const mlops_drift_options *o)
{
    size_t L = rc_->nlevels, M = cc->nlevels;
    int64_t *ref_map = malloc((L ? L : 1) * sizeof *ref_map);
    int64_t *cur_map = malloc((M ? M : 1) * sizeof *cur_map);
    int64_t *ref_codes = malloc((nr ? nr : 1) * sizeof *ref_codes);
    int64_t *cur_codes = malloc((ncur ? ncur : 1) * sizeof *cur_codes);
    int status = CLI_USAGE;
    mlops_drift_result *r = NULL;
    mlops_category_dict *dict = NULL;
    if (!ref_map || !cur_map || !ref_codes || !cur_codes) {
        status = oom();
        goto out;
    }
    int lrc = mlops_category_dict_new(&dict, 0);
    if (lrc == 0)
        lrc = mlops_category_dict_add(ref_map, dict, (const char *const *)rc_->levels, NULL, L,
                                      0);
    if (lrc == 0)
        lrc = mlops_category_dict_add(cur_map, dict, (const char *const *)cc->levels, NULL, M,
                                      0);
    if (lrc != 0) {
        fprintf(stderr, "mlops drift: column '%s': %s\n", f->name, mlops_error_last());
        goto out;
    }
    size_t next = mlops_category_dict_count(dict);
    for (size_t i = 0; i < nr; i++)
        ref_codes[i] = (int64_t)ref_map[rc_->codes[i]];
    for (size_t i = 0; i < ncur; i++)
        cur_codes[i] = (int64_t)cur_map[cc->codes[i]];
    lrc = mlops_drift_categorical(&r, metric, ref_codes, nr, cur_codes, ncur,
                                  (uint32_t)(next ? next : 1), o);
    if (lrc != 0) {
        fprintf(stderr, "mlops drift: column '%s': %s\n", f->name, mlops_error_last());
        goto out;
    }
    status = take_result(f, r);
    if (status != CLI_OK)
        goto out;
    /* histogram: one bin per category of the union, as the result's bins */
    const struct mlops_drift_result_info *ri = mlops_drift_result_info(r);
    size_t nb = ri->bins;
    const uint64_t *rcnt = ri->ref_counts, *ccnt = ri->cur_counts;
    const int64_t *cats = ri->categories;
    if (nb && rcnt && ccnt && cats) {
        f->nbins = nb;
        f->bin_labels = calloc(nb, sizeof *f->bin_labels);
        f->ref_share = calloc(nb, sizeof(double));
        f->cur_share = calloc(nb, sizeof(double));
        if (!f->bin_labels || !f->ref_share || !f->cur_share) {
            status = oom();
            goto out;
        }
        double tr = 0, tc = 0;
        for (size_t k = 0; k < nb; k++) {
            tr += (double)rcnt[k];
            tc += (double)ccnt[k];
        }
        for (size_t k = 0; k < nb; k++) {
            const char *label = "?";
            if (mlops_category_dict_label(&label, NULL, dict, cats[k]) != 0)
                label = "?";
            f->bin_labels[k] = strdup(label);
            if (!f->bin_labels[k]) {
                status = oom();
                goto out;
            }
            f->ref_share[k] = tr > 0 ? (double)rcnt[k] / tr : 0;
            f->cur_share[k] = tc > 0 ? (double)ccnt[k] / tc : 0;
        }
    }
out:
    mlops_drift_result_free(r);
    mlops_category_dict_free(dict);
    free(ref_map);
    free(cur_map);
    free(ref_codes);
    free(cur_codes);
    return status;
}


int cli_drift_adjust_family(report *rep, const settings *s)
{
    size_t m = 0;
    for (size_t k = 0; k < rep->n; k++)
        m += rep->f[k].direction == MLOPS_DRIFT_PVALUE_LT;
    if (m == 0)
        return CLI_OK;
    double *p = malloc(m * sizeof *p);
    if (!p)
        return oom();
    size_t j = 0;
    for (size_t k = 0; k < rep->n; k++)
        if (rep->f[k].direction == MLOPS_DRIFT_PVALUE_LT)
            p[j++] = rep->f[k].pvalue;
    int method = s->to.rule == MLOPS_DRIFT_RULE_BONFERRONI ? MLOPS_PVALUE_BONFERRONI
                 : s->to.rule == MLOPS_DRIFT_RULE_HOLM     ? MLOPS_PVALUE_HOLM
                                                           : MLOPS_PVALUE_BH;
    int lrc = mlops_drift_pvalue_adjust(p, p, m, method);
    if (lrc != 0) {
        free(p);
        return cli_library_error("drift", lrc);
    }
    j = 0;
    for (size_t k = 0; k < rep->n; k++) {
        feat *f = &rep->f[k];
        if (f->direction != MLOPS_DRIFT_PVALUE_LT)
            continue; /* no p-value: the metric's own threshold verdict */
        f->adjusted = 1;
        f->adj_pvalue = p[j++];
        f->alpha = s->to.alpha;
        int d = f->adj_pvalue < s->to.alpha;
        if (d && !isnan(s->to.effect_floor))
            d = fabs(f->stat) > s->to.effect_floor;
        f->drifted = d;
    }
    free(p);
    return CLI_OK;
}

int cli_drift_run_tables(report *rep, const settings *s)
{
    csv_job a = { rep->ref_path, s->delim, { 0, 0, NULL }, { 0 }, 0 };
    csv_job b = { rep->cur_path, s->delim, { 0, 0, NULL }, { 0 }, 0 };
    int tty = isatty(STDERR_FILENO);
    if (tty)
        fprintf(stderr, "\rreading %.60s and %.60s ...", rep->ref_path, rep->cur_path);
    int status = read_two(&a, &b);
    if (tty)
        fprintf(stderr, "\r%-130s\r", "");
    double *ref = NULL, *cur = NULL;
    long *ri = NULL, *ci = NULL;
    size_t *num = NULL, *cat = NULL;
    int *metrics = NULL;
    mlops_drift_table_result *tr = NULL;
    if (status != CLI_OK)
        goto out;
    size_t want = s->ncolumns ? s->ncolumns : a.t.ncols, nf = 0, nn = 0, nc = 0;
    ri = malloc(want * sizeof *ri);
    ci = malloc(want * sizeof *ci);
    num = malloc(want * sizeof *num);
    cat = malloc(want * sizeof *cat);
    if (!ri || !ci || !num || !cat) {
        status = oom();
        goto out;
    }
    for (size_t k = 0; k < want; k++) {
        const char *name = s->ncolumns ? s->columns[k] : a.t.cols[k].name;
        long x = cli_csv_find(&a.t, name), y = cli_csv_find(&b.t, name);
        if (x < 0) {
            no_column(name, rep->ref_path, &a.t);
            status = CLI_USAGE;
            goto out;
        }
        if (y < 0) {
            /* with or without --column, a column one file lacks is an input
             * error, never skipped in silence */
            if (s->ncolumns)
                no_column(name, rep->cur_path, &b.t);
            else
                fprintf(stderr, "mlops drift: column '%s' of %s is not in %s (compare chosen "
                                "columns with --column)\n", name,
                        cli_display_path(rep->ref_path), cli_display_path(rep->cur_path));
            status = CLI_USAGE;
            goto out;
        }
        if (a.t.cols[x].numeric != b.t.cols[y].numeric) {
            const cli_column *tc = a.t.cols[x].numeric ? &b.t.cols[y] : &a.t.cols[x];
            const char *tp = a.t.cols[x].numeric ? rep->cur_path : rep->ref_path;
            fprintf(stderr, "mlops drift: column '%s' is %s in %s but %s in %s: %s:%zu: "
                            "\"%s\" is not a number\n", name,
                    a.t.cols[x].numeric ? "numeric" : "text", cli_display_path(rep->ref_path),
                    b.t.cols[y].numeric ? "numeric" : "text", cli_display_path(rep->cur_path),
                    cli_display_path(tp), tc->text_line, tc->text_value);
            status = CLI_USAGE;
            goto out;
        }
        ri[nf] = x;
        ci[nf] = y;
        if (a.t.cols[x].numeric)
            num[nn++] = nf;
        else
            cat[nc++] = nf;
        nf++;
    }
    for (size_t k = 0; !s->ncolumns && k < b.t.ncols; k++)
        if (cli_csv_find(&a.t, b.t.cols[k].name) < 0) {
            fprintf(stderr, "mlops drift: column '%s' of %s is not in %s (compare chosen "
                            "columns with --column)\n", b.t.cols[k].name,
                    cli_display_path(rep->cur_path), cli_display_path(rep->ref_path));
            status = CLI_USAGE;
            goto out;
        }
    if (nf == 0) {
        fprintf(stderr, "mlops drift: %s and %s have no column in common\n", rep->ref_path,
                rep->cur_path);
        status = CLI_USAGE;
        goto out;
    }
    rep->f = calloc(nf, sizeof *rep->f);
    if (!rep->f) {
        status = oom();
        goto out;
    }
    rep->n = nf;
    for (size_t k = 0; k < nf; k++) {
        rep->f[k].name = strdup(a.t.cols[ri[k]].name);
        rep->f[k].categorical = !a.t.cols[ri[k]].numeric;
        if (!rep->f[k].name) {
            status = oom();
            goto out;
        }
    }
    size_t n_ref = a.t.nrows, n_cur = b.t.nrows;
    if (nn) {
        ref = malloc(nn * n_ref * sizeof *ref);
        cur = malloc(nn * n_cur * sizeof *cur);
        metrics = malloc(nn * sizeof *metrics);
        if (!ref || !cur || !metrics) {
            status = oom();
            goto out;
        }
        for (size_t j = 0; j < nn; j++) {
            memcpy(ref + j * n_ref, a.t.cols[ri[num[j]]].values, n_ref * sizeof *ref);
            memcpy(cur + j * n_cur, b.t.cols[ci[num[j]]].values, n_cur * sizeof *cur);
            metrics[j] = s->metric;
        }
        if (tty)
            fprintf(stderr, "\rcomparing %zu numeric columns of %zu and %zu rows ...", nn, n_ref,
                    n_cur);
        int lrc = mlops_drift_table(&tr, ref, n_ref, cur, n_cur, nn, metrics, &s->to);
        if (tty)
            fprintf(stderr, "\r%-130s\r", "");
        if (lrc != 0) {
            status = cli_library_error("drift", lrc);
            goto out;
        }
        for (size_t j = 0; j < nn; j++) {
            feat *f = &rep->f[num[j]];
            const struct mlops_drift_table_result_column_info *col =
                mlops_drift_table_result_column_info(tr, j);
            status = take_result(f, col->result);
            if (status != CLI_OK)
                goto out;
            f->drifted = col->drifted;
            if (s->to.rule != MLOPS_DRIFT_RULE_SHARE && f->direction == MLOPS_DRIFT_PVALUE_LT) {
                f->adjusted = 1;
                f->adj_pvalue = col->adjusted_pvalue;
                f->alpha = s->to.alpha;
            }
            if (s->want_hist)
                status = numeric_hist(f, ref + j * n_ref, n_ref, cur + j * n_cur, n_cur);
            if (status != CLI_OK)
                goto out;
        }
    }
    for (size_t j = 0; j < nc; j++) {
        feat *f = &rep->f[cat[j]];
        int m = s->metric;
        status = categorical_feature(f, &a.t.cols[ri[cat[j]]], n_ref, &b.t.cols[ci[cat[j]]],
                                     n_cur, m, &s->o);
        if (status != CLI_OK)
            goto out;
    }
    /* Label columns with a p-value rule: one family over every column with a
     * p-value (numeric tests and chi-square / z-test on labels), adjusted by
     * the library, verdicts as mlops_drift_table() makes them. */
    if (nc && s->to.rule != MLOPS_DRIFT_RULE_SHARE) {
        status = cli_drift_adjust_family(rep, s);
        if (status != CLI_OK)
            goto out;
    }
    rep->drifted_count = 0;
    for (size_t k = 0; k < nf; k++)
        rep->drifted_count += rep->f[k].drifted != 0;
    if (nc == 0)
        rep->drifted = tr ? mlops_drift_table_result_info(tr)->drifted : 0;
    else if (s->to.rule == MLOPS_DRIFT_RULE_SHARE)
        rep->drifted = (double)rep->drifted_count / (double)nf >= s->to.drift_share;
    else
        rep->drifted = rep->drifted_count > 0;
    status = CLI_OK;
out:
    mlops_drift_table_result_free(tr);
    free(ref);
    free(cur);
    free(metrics);
    free(ri);
    free(ci);
    free(num);
    free(cat);
    cli_csv_free(&a.t);
    cli_csv_free(&b.t);
    return status;
}

int cli_drift_run_arrays(report *rep, const settings *s)
{
    cli_feature a, b;
    char err[1024];
    if (cli_feature_load(&a, rep->ref_path, NULL, s->delim, err, sizeof err) != 0) {
        fprintf(stderr, "mlops drift: %s\n", err);
        return CLI_USAGE;
    }
    if (cli_feature_load(&b, rep->cur_path, NULL, s->delim, err, sizeof err) != 0) {
        fprintf(stderr, "mlops drift: %s\n", err);
        cli_feature_free(&a);
        return CLI_USAGE;
    }
    int status = CLI_USAGE;
    mlops_drift_result *r = NULL;
    if (a.categorical || b.categorical) {
        fprintf(stderr, "mlops drift: %s holds labels, not numbers\n",
                cli_display_path(a.categorical ? rep->ref_path : rep->cur_path));
        goto out;
    }
    if ((status = one_feature(rep)) != CLI_OK)
        goto out;
    rep->f[0].name = a.name;
    a.name = NULL;
    int lrc = mlops_drift_numeric(&r, s->metric, a.values, a.n, b.values, b.n, &s->o);
    if (lrc != 0) {
        status = cli_library_error("drift", lrc);
        goto out;
    }
    status = take_result(&rep->f[0], r);
    if (status == CLI_OK && s->want_hist)
        status = numeric_hist(&rep->f[0], a.values, a.n, b.values, b.n);
    rep->drifted_count = rep->f[0].drifted != 0;
    rep->drifted = rep->f[0].drifted;
out:
    mlops_drift_result_free(r);
    cli_feature_free(&a);
    cli_feature_free(&b);
    return status;
}

/* Profiles compared on their histograms (numeric, same edges) or category
 * counts, with the library's share metrics or chi-square: a normal drift
 * result, exact with respect to the binned contract. */
static int profile_shares(report *rep, const settings *s, const mlops_profile *a,
                          const mlops_profile *b, int categorical)
{
    int metric = s->metric_given ? s->metric : (categorical ? MLOPS_DRIFT_JS : MLOPS_DRIFT_PSI);
    mlops_drift_result *r = NULL;
    int lrc = mlops_profile_drift(&r, a, b, metric, &s->o);
    if (lrc != 0)
        return cli_library_error("drift", lrc);
    rep->f = calloc(1, sizeof *rep->f);
    if (!rep->f) {
        mlops_drift_result_free(r);
        return oom();
    }
    rep->n = 1;
    feat *f = &rep->f[0];
    const char *base = strrchr(rep->ref_path, '/');
    f->name = strdup(base ? base + 1 : rep->ref_path);
    f->categorical = categorical;
    int status = f->name ? take_result(f, r) : oom();
    mlops_drift_result_free(r);
    if (status == CLI_OK) {
        rep->drifted_count = f->drifted != 0;
        rep->drifted = f->drifted;
    }
    return status;
}

int cli_drift_run_profiles(report *rep, const settings *s)
{
    mlops_profile *a = NULL, *b = NULL;
    int status = cli_profile_load(&a, rep->ref_path, "drift");
    if (status == CLI_OK)
        status = cli_profile_load(&b, rep->cur_path, "drift");
    if (status != CLI_OK)
        goto out;
    const struct mlops_profile_info *ia = mlops_profile_info(a), *ib = mlops_profile_info(b);
    int categorical = ia->kind == MLOPS_PROFILE_CATEGORICAL ||
                      ib->kind == MLOPS_PROFILE_CATEGORICAL;
    int share = s->metric_given &&
                ((s->metric >= MLOPS_DRIFT_PSI && s->metric <= MLOPS_DRIFT_LINF) ||
                 s->metric == MLOPS_DRIFT_CHI2 || s->metric == MLOPS_DRIFT_ZTEST);
    if (categorical || share) {
        status = profile_shares(rep, s, a, b, categorical);
        goto out;
    }
    int wass = s->metric_given && s->metric == MLOPS_DRIFT_WASSERSTEIN;
    if (s->metric_given && !wass && s->metric != MLOPS_DRIFT_KS) {
        fprintf(stderr, "mlops drift: numeric profiles are compared with ks or wasserstein "
                        "(sketches), or a share metric (histograms)\n");
        status = CLI_USAGE;
        goto out;
    }
    double thr = s->o.threshold;
    if (isnan(thr))
        thr = wass ? 0.1 : 0.05;
    mlops_profile_test t = MLOPS_SKETCH_TEST_INIT;
    int lrc = wass ? mlops_profile_wasserstein(&t, a, b, thr) : mlops_profile_ks_test(&t, a, b, thr);
    if (lrc != 0) {
        status = cli_library_error("drift", lrc);
        goto out;
    }
    if ((status = one_feature(rep)) != CLI_OK)
        goto out;
    feat *f = &rep->f[0];
    const char *base = strrchr(rep->ref_path, '/');
    f->name = strdup(base ? base + 1 : rep->ref_path);
    if (!f->name) {
        status = oom();
        goto out;
    }
    f->metric = wass ? "wasserstein" : "ks";
    f->stat = t.statistic;
    f->pvalue = t.pvalue_high;
    f->threshold = t.threshold;
    f->direction = MLOPS_DRIFT_STATISTIC_GE;
    f->drifted = t.verdict == MLOPS_SKETCH_DRIFT;
    f->inconclusive = t.verdict == MLOPS_SKETCH_INCONCLUSIVE;
    f->stat_lo = t.low;
    f->stat_hi = t.high;
    f->p_lo = t.pvalue_low;
    f->p_hi = t.pvalue_high;
    f->n_ref = ia->count;
    f->n_cur = ib->count;
    f->miss_ref = ia->nan_count + ia->posinf_count + ia->neginf_count;
    f->miss_cur = ib->nan_count + ib->posinf_count + ib->neginf_count;
    /* the sketch test's fields, in the style of the library's result JSON */
    char *buf = NULL;
    size_t buf_len = 0;
    FILE *js = open_memstream(&buf, &buf_len);
    if (!js) {
        status = oom();
        goto out;
    }
    fprintf(js, "{\"metric\":\"%s\",\"statistic\":", f->metric);
    cli_json_double(js, t.statistic);
    fputs(",\"low\":", js);
    cli_json_double(js, t.low);
    fputs(",\"high\":", js);
    cli_json_double(js, t.high);
    fputs(",\"pvalue_low\":", js);
    cli_json_double(js, t.pvalue_low);
    fputs(",\"pvalue_high\":", js);
    cli_json_double(js, t.pvalue_high);
    fputs(",\"threshold\":", js);
    cli_json_double(js, t.threshold);
    fprintf(js, ",\"direction\":\">=\",\"verdict\":\"%s\",\"drifted\":%s,\"n_ref\":%llu,"
                "\"n_cur\":%llu,\"missing_ref\":%llu,\"missing_cur\":%llu,\"eps_ref\":",
            f->drifted ? "drift" : f->inconclusive ? "inconclusive" : "no_drift",
            f->drifted ? "true" : "false", (unsigned long long)f->n_ref,
            (unsigned long long)f->n_cur, (unsigned long long)f->miss_ref,
            (unsigned long long)f->miss_cur);
    cli_json_double(js, t.eps_ref);
    fputs(",\"eps_cur\":", js);
    cli_json_double(js, t.eps_cur);
    fputc('}', js);
    if (fclose(js) != 0) {
        free(buf);
        status = oom();
        goto out;
    }
    f->json = buf;
    if (!f->json) {
        status = oom();
        goto out;
    }
    if (s->want_hist)
        status = profile_hist(f, a, b);
    rep->drifted_count = f->drifted != 0;
    rep->drifted = f->drifted;
out:
    mlops_profile_free(a);
    mlops_profile_free(b);
    return status;
}
