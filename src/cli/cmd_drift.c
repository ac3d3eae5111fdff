/*
 * `mlops drift`: compare a reference with a current sample — CSV tables
 * (one column or every common column), 1-D .npy files, or stored profiles —
 * and report per feature and for the dataset: human table, JSON, Prometheus
 * text exposition, and a self-contained HTML report.
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * Over 900 lines for now: the three input modes, the category mapping and the
 * four renderers share this file's feature table and its static helpers.
 * Their split into files of their own (one per input mode, one per renderer)
 * is left for the change that reworks the drift code they call, so that the
 * two do not collide.
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "core/numfmt.h"
#include "input.h"

static const char usage[] =
    "usage: mlops drift REF CUR [--column NAME]... [--metric NAME] [--threshold X]\n"
    "                   [--bins K] [--rule share|bonferroni|holm|bh] [--drift-share X]\n"
    "                   [--alpha X] [--format text|json|prometheus|signals|github]\n"
    "                   [--label KEY=VALUE]... [-o FILE] [--html FILE] [--json]\n"
    "                   [--delimiter C]\n"
    "\n"
    "Compare the current sample CUR with the reference REF. Both are CSV files (.csv),\n"
    "1-D float64/int64 .npy files, or profiles written by 'mlops profile build'; one of\n"
    "them may be '-' (standard input, of the other one's kind).\n"
    "For CSV files every column is compared (both files must have the same columns),\n"
    "or only the --column ones (repeatable; a column missing from either file is an\n"
    "error); numeric columns through the library's table-level call, label columns\n"
    "with a categorical test on labels aligned by the library's category dictionary.\n"
    "  --delimiter C      CSV field separator: one byte (default ','), '\\t' for a tab\n"
    "\n"
    "  --metric NAME      ks, wasserstein, wasserstein_normed, energy, cvm, psi, kl, js,\n"
    "                     hellinger, tvd, linf, chi2, ztest, or auto (default: by type and\n"
    "                     size, as Evidently; numeric profiles: ks or wasserstein\n"
    "                     from the sketches, or a share metric on their histograms\n"
    "                     (same edges: profile build --edges-from); categorical\n"
    "                     profiles: js by default, any share metric, chi2, ztest)\n"
    "  --threshold X      the verdict threshold (default: the metric's, 0.05 for p-values,\n"
    "                     0.1 for distances; profiles: alpha of the KS test)\n"
    "  --bins K           bins of the share metrics (reference quantiles, default 10)\n"
    "  --rule R           dataset verdict: share of drifted features >= --drift-share\n"
    "                     (default 0.5), or a multiple-testing correction at --alpha\n"
    "                     (default 0.05) over every column with a p-value (numeric\n"
    "                     tests, chi-square or z-test on label columns); the tables\n"
    "                     show the adjusted p-values\n"
    "  --format F         text (default), json (same as --json) or prometheus: the\n"
    "                     Prometheus text exposition format, for node_exporter's textfile\n"
    "                     collector; --label KEY=VALUE adds a label to every sample;\n"
    "                     or signals: observations for 'mlops policy eval --signals'\n"
    "                     (<metric>.<feature> statistic, <metric>_p.<feature> p-value,\n"
    "                     drift.share); -o FILE writes either atomically to FILE;\n"
    "                     or github: GitHub Actions annotations on stdout, a Markdown\n"
    "                     step summary to $GITHUB_STEP_SUMMARY (else stdout) and\n"
    "                     outputs to $GITHUB_OUTPUT (docs/ci.md)\n"
    "  --html FILE        also write a self-contained HTML report (inline SVG\n"
    "                     histograms of reference and current, features by severity)\n"
    "\n"
    "exit status: 0 no drift; 1 drift found or inconclusive (the dataset verdict); 2 usage\n"
    "or input error.\n";

#define HIST_BINS 24

typedef struct feat {
    char *name;
    int categorical;
    const char *metric;
    double stat, pvalue, threshold;
    int direction; /* MLOPS_DRIFT_STATISTIC_GE or MLOPS_DRIFT_PVALUE_LT */
    int drifted;
    int inconclusive; /* profiles: the sketches could not decide */
    /* profiles: the sketch test's intervals (shown for an inconclusive one) */
    double stat_lo, stat_hi, p_lo, p_hi;
    int adjusted;     /* verdict from the adjusted p-value (p-value rules) */
    double adj_pvalue, alpha; /* when adjusted: adjusted p-value and the level */
    uint64_t n_ref, n_cur, miss_ref, miss_cur;
    double severity;
    char *json; /* the library's JSON of the result */
    /* histogram for the report: nbins shares per side */
    size_t nbins;
    double lo, hi;      /* numeric: range of the bins */
    char **bin_labels;  /* categorical: label per bin */
    double *ref_share, *cur_share;
} feat;

typedef struct report {
    const char *ref_path, *cur_path;
    const char *rule;
    double rule_value; /* drift share or alpha */
    feat *f;
    size_t n;
    size_t drifted_count;
    int drifted;
    int inconclusive; /* no drift found, but some feature could not be decided */
} report;

static void feat_free(feat *f)
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

static char *dupstr(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

static int oom(void)
{
    fprintf(stderr, "mlops drift: out of memory\n");
    return CLI_USAGE;
}

/* Severity: how far past its threshold a feature is (1 = at the threshold). */
static double severity_of(const feat *f)
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

static int metric_by_name(const char *name, int *metric)
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
            f->bin_labels[k] = dupstr(label);
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

typedef struct settings {
    int metric;
    int metric_given;
    mlops_drift_options o;
    mlops_drift_table_options to;
    const char *const *columns;
    size_t ncolumns;
    int want_hist; /* --html: histograms for the report */
    char delim;    /* CSV field separator */
} settings;

static int adjust_family(report *rep, const settings *s)
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

static int run_tables(report *rep, const settings *s)
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
        rep->f[k].name = dupstr(a.t.cols[ri[k]].name);
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
        status = adjust_family(rep, s);
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

static int run_arrays(report *rep, const settings *s)
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
    rep->f = calloc(1, sizeof *rep->f);
    if (!rep->f) {
        status = oom();
        goto out;
    }
    rep->n = 1;
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
    f->name = dupstr(base ? base + 1 : rep->ref_path);
    f->categorical = categorical;
    int status = f->name ? take_result(f, r) : oom();
    mlops_drift_result_free(r);
    if (status == CLI_OK) {
        rep->drifted_count = f->drifted != 0;
        rep->drifted = f->drifted;
    }
    return status;
}

static int run_profiles(report *rep, const settings *s)
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
    rep->f = calloc(1, sizeof *rep->f);
    if (!rep->f) {
        status = oom();
        goto out;
    }
    rep->n = 1;
    feat *f = &rep->f[0];
    const char *base = strrchr(rep->ref_path, '/');
    f->name = dupstr(base ? base + 1 : rep->ref_path);
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

/* ---- output ---- */

static int by_severity(const void *x, const void *y)
{
    const feat *a = x, *b = y;
    if (a->drifted != b->drifted)
        return b->drifted - a->drifted;
    if (a->severity != b->severity)
        return a->severity < b->severity ? 1 : -1;
    return strcmp(a->name, b->name);
}

/* For people (core/numfmt.h); "-" for no value. */
static void fmt_num(char *buf, size_t n, double v)
{
    char h[MLOPS__NUM_HUMAN_SIZE];
    snprintf(buf, n, "%s", isnan(v) ? "-" : mlops__num_human(h, v));
}

/* A feature's statistic and p-value as shown: an inconclusive sketch test
 * has intervals, shown whole ("[0.000165, 1]"), not one end of them. */
static void fmt_stat_p(char *st, char *pv, size_t n, const feat *f)
{
    fmt_num(st, n, f->stat);
    fmt_num(pv, n, f->pvalue);
    if (f->inconclusive) {
        char a[MLOPS__NUM_HUMAN_SIZE], b[MLOPS__NUM_HUMAN_SIZE];
        snprintf(st, n, "[%s, %s]", mlops__num_human(a, f->stat_lo),
                 mlops__num_human(b, f->stat_hi));
        if (!isnan(f->p_lo) && !isnan(f->p_hi))
            snprintf(pv, n, "[%s, %s]", mlops__num_human(a, f->p_lo),
                     mlops__num_human(b, f->p_hi));
    }
}

/* x and y with the fewest significant digits (3 or more) that keep their
 * order: two different numbers never print equal, so the comparison written
 * next to them is visibly the one that was made. */
static void fmt_pair(char *a, char *b, size_t n, double x, double y)
{
    char h[MLOPS__NUM_HUMAN_SIZE];
    snprintf(a, n, "%s", mlops__num_human(h, x));
    snprintf(b, n, "%s", mlops__num_human(h, y));
    double xs0 = strtod(a, NULL), ys0 = strtod(b, NULL);
    if ((xs0 < ys0) == (x < y) && (xs0 == ys0) == (x == y))
        return;
    for (int prec = 5; prec <= 17; prec++) {
        snprintf(a, n, "%.*g", prec, x);
        snprintf(b, n, "%.*g", prec, y);
        double xs = strtod(a, NULL), ys = strtod(b, NULL);
        if ((xs < ys) == (x < y) && (xs == ys) == (x == y))
            return;
    }
}

/* The dataset verdict's reason, as the comparison actually made: "share
 * 0.375 < 0.5", "smallest adjusted p-value 0.012 < alpha 0.05". */
static void print_reason(FILE *o, const report *r, int html)
{
    const char *ge = html ? "&ge;" : ">=", *lt = html ? "&lt;" : "<";
    char a[40], b[40];
    if (strcmp(r->rule, "share") == 0) {
        double share = r->n ? (double)r->drifted_count / (double)r->n : 0.0;
        fmt_pair(a, b, sizeof a, share, r->rule_value);
        fprintf(o, "rule share: drifted share %s %s %s", a, share >= r->rule_value ? ge : lt,
                b);
    } else {
        double min_p = NAN;
        size_t n_adj = 0, other = 0;
        for (size_t i = 0; i < r->n; i++) {
            const feat *f = &r->f[i];
            if (f->adjusted) {
                n_adj++;
                if (isnan(min_p) || f->adj_pvalue < min_p)
                    min_p = f->adj_pvalue;
            } else if (f->drifted) {
                other++;
            }
        }
        char al[MLOPS__NUM_HUMAN_SIZE];
        fprintf(o, "rule %s at alpha %s: ", r->rule, mlops__num_human(al, r->rule_value));
        if (n_adj) {
            fmt_pair(a, b, sizeof a, min_p, r->rule_value);
            fprintf(o, "smallest %s-adjusted p-value %s %s %s", r->rule, a,
                    min_p < r->rule_value ? lt : ge, b);
        } else {
            fputs("no feature is judged by a p-value", o);
        }
        if (other)
            fprintf(o, "; %zu feature%s without a p-value drifted at %s threshold", other,
                    other == 1 ? "" : "s", other == 1 ? "its" : "their");
    }
    size_t undecided = 0;
    for (size_t i = 0; i < r->n; i++)
        undecided += r->f[i].inconclusive != 0;
    if (undecided)
        fprintf(o, "; %zu feature%s inconclusive", undecided, undecided == 1 ? "" : "s");
}

static const char *dataset_word(const report *r)
{
    return r->drifted ? "DRIFT" : r->inconclusive ? "INCONCLUSIVE" : "NO DRIFT";
}

static int any_adjusted(const report *r)
{
    for (size_t i = 0; i < r->n; i++)
        if (r->f[i].adjusted)
            return 1;
    return 0;
}

static void print_text(const report *r, const cli_global *g)
{
    const char *colour = r->drifted ? cli_red(g) : r->inconclusive ? "" : cli_green(g);
    printf("%s%s%s%s", cli_bold(g), colour, dataset_word(r), cli_reset(g));
    printf(": %zu of %zu feature%s drifted (", r->drifted_count, r->n, r->n == 1 ? "" : "s");
    print_reason(stdout, r, 0);
    printf(")\n\n");
    int adj = any_adjusted(r);
    int w = 7;
    for (size_t i = 0; i < r->n; i++)
        w = (int)strlen(r->f[i].name) > w ? (int)strlen(r->f[i].name) : w;
    if (w > 40)
        w = 40;
    printf("%-*s  %-11s  %-18s  %11s  %11s", w, "feature", "type", "metric", "statistic",
           "p-value");
    if (adj)
        printf("  %11s", "adjusted p");
    printf("  %15s  %s\n", "threshold", "verdict");
    for (size_t i = 0; i < r->n; i++) {
        const feat *f = &r->f[i];
        char st[72], pv[72], th[48], t2[32], ap[32];
        fmt_stat_p(st, pv, sizeof st, f);
        if (f->adjusted) {
            fmt_num(ap, sizeof ap, f->adj_pvalue);
            fmt_num(t2, sizeof t2, f->alpha);
            snprintf(th, sizeof th, "adj p < %s", t2);
        } else {
            snprintf(ap, sizeof ap, "-");
            fmt_num(t2, sizeof t2, f->threshold);
            snprintf(th, sizeof th, "%s %s",
                     f->direction == MLOPS_DRIFT_PVALUE_LT ? "p <" : ">=", t2);
        }
        const char *verdict = f->drifted ? "DRIFT" : f->inconclusive ? "inconclusive" : "ok";
        printf("%-*.*s  %-11s  %-18s  %11s  %11s", w, w, f->name,
               f->categorical ? "categorical" : "numeric", f->metric, st, pv);
        if (adj)
            printf("  %11s", ap);
        printf("  %15s  %s%s%s\n", th, f->drifted ? cli_red(g) : "", verdict,
               f->drifted ? cli_reset(g) : "");
    }
}

static void print_json(const report *r)
{
    printf("{\"reference\":");
    cli_json_string(stdout, r->ref_path);
    printf(",\"current\":");
    cli_json_string(stdout, r->cur_path);
    printf(",\"rule\":\"%s\",\"rule_value\":", r->rule);
    cli_json_double(stdout, r->rule_value);
    printf(",\"verdict\":\"%s\",\"drifted\":%s,\"drifted_count\":%zu,\"features_count\":%zu,"
           "\"drifted_share\":",
           r->drifted ? "drift" : r->inconclusive ? "inconclusive" : "no_drift",
           r->drifted ? "true" : "false", r->drifted_count, r->n);
    cli_json_double(stdout, r->n ? (double)r->drifted_count / (double)r->n : 0.0);
    printf(",\"features\":[");
    for (size_t i = 0; i < r->n; i++) {
        const feat *f = &r->f[i];
        printf("%s{\"feature\":", i ? "," : "");
        cli_json_string(stdout, f->name);
        printf(",\"type\":\"%s\",\"drifted\":%s,\"severity\":",
               f->categorical ? "categorical" : "numeric", f->drifted ? "true" : "false");
        cli_json_double(stdout, f->severity);
        /* the raw p-value and, under a p-value rule, the adjusted one that
         * made the verdict (null when there is none) */
        printf(",\"pvalue\":");
        cli_json_double(stdout, f->pvalue);
        printf(",\"adjusted_pvalue\":");
        cli_json_double(stdout, f->adjusted ? f->adj_pvalue : NAN);
        printf(",\"result\":%s}", f->json);
    }
    printf("]}\n");
}

/* --format github (docs/ci.md): an annotation per drifted feature (::error
 * when the dataset verdict is DRIFT, ::warning when the rule still says no
 * drift) and per inconclusive feature (::warning), a ::notice for NO DRIFT,
 * the table as the step summary and the verdict as outputs. */
static void print_github(const report *r)
{
    char *reason = NULL, *names_json = NULL;
    size_t reason_len = 0, names_len = 0;
    FILE *m = open_memstream(&reason, &reason_len);
    if (m) {
        print_reason(m, r, 0);
        fclose(m);
    }
    const char *why = reason ? reason : "";
    int adj = any_adjusted(r);
    for (size_t i = 0; i < r->n; i++) {
        const feat *f = &r->f[i];
        if (!f->drifted && !f->inconclusive)
            continue;
        char st[32], pv[32], t2[32];
        fmt_num(st, sizeof st, f->stat);
        fmt_num(pv, sizeof pv, f->pvalue);
        fmt_num(t2, sizeof t2, f->adjusted ? f->alpha : f->threshold);
        char adjusted[64] = "";
        if (f->adjusted) {
            char ap[32];
            fmt_num(ap, sizeof ap, f->adj_pvalue);
            snprintf(adjusted, sizeof adjusted, ", %s-adjusted p-value %s", r->rule, ap);
        }
        size_t tn = strlen(f->name) + 16;
        char *title = malloc(tn);
        if (title)
            snprintf(title, tn, "mlops drift: %s", f->name);
        cli_gh_annotate(f->drifted && r->drifted ? "error" : "warning",
                        title ? title : "mlops drift", NULL, 0,
                        "%s %s (%s, %s): statistic %s, p-value %s%s, threshold %s %s", f->name,
                        f->drifted ? "drifted" : "inconclusive", f->categorical ? "categorical" : "numeric", f->metric, st, pv, adjusted,
                        f->adjusted ? "adj p <" : f->direction == MLOPS_DRIFT_PVALUE_LT ? "p <"
                                                                                       : ">=",
                        t2);
        free(title);
    }
    if (!r->drifted && !r->inconclusive)
        cli_gh_annotate("notice", "mlops drift", NULL, 0, "NO DRIFT: %zu of %zu feature%s drifted (%s)",
                        r->drifted_count, r->n, r->n == 1 ? "" : "s", why);
    cli_gh_md("## mlops drift\n\n**%s**: %zu of %zu feature%s drifted (%s).\n\nReference ",
              dataset_word(r), r->drifted_count, r->n, r->n == 1 ? "" : "s", why);
    cli_gh_md_text(r->ref_path);
    cli_gh_md(", current ");
    cli_gh_md_text(r->cur_path);
    cli_gh_md(".\n\n| feature | type | metric | statistic | p-value |%s threshold | verdict |\n"
              "| --- | --- | --- | ---: | ---: |%s --- | --- |\n",
              adj ? " adjusted p |" : "", adj ? " ---: |" : "");
    for (size_t i = 0; i < r->n; i++) {
        const feat *f = &r->f[i];
        char st[32], pv[32], t2[32], ap[32];
        fmt_num(st, sizeof st, f->stat);
        fmt_num(pv, sizeof pv, f->pvalue);
        fmt_num(t2, sizeof t2, f->adjusted ? f->alpha : f->threshold);
        cli_gh_md("| ");
        cli_gh_md_text(f->name);
        cli_gh_md(" | %s | %s | %s | %s |", f->categorical ? "categorical" : "numeric", f->metric,
                  st, pv);
        if (adj) {
            fmt_num(ap, sizeof ap, f->adj_pvalue);
            cli_gh_md(" %s |", f->adjusted ? ap : "-");
        }
        cli_gh_md(" %s %s | %s |\n",
                  f->adjusted ? "adj p <" : f->direction == MLOPS_DRIFT_PVALUE_LT ? "p <" : ">=",
                  t2, f->drifted ? "**DRIFT**" : f->inconclusive ? "inconclusive" : "ok");
    }
    int negative = r->drifted || r->inconclusive;
    cli_gh_md("\nExit status %d: %s.\n", negative ? CLI_NEGATIVE : CLI_OK,
              r->drifted ? "drift found" : r->inconclusive ? "inconclusive" : "no drift");
    cli_gh_verdict(r->drifted ? "drift" : r->inconclusive ? "inconclusive" : "no_drift");
    cli_gh_outputf("drifted_count", "%zu", r->drifted_count);
    cli_gh_outputf("features_count", "%zu", r->n);
    char share[40];
    double sh = r->n ? (double)r->drifted_count / (double)r->n : 0.0;
    for (int prec = 1; prec <= 17; prec++) { /* the shortest that reads back */
        snprintf(share, sizeof share, "%.*g", prec, sh);
        if (strtod(share, NULL) == sh)
            break;
    }
    cli_gh_output("drifted_share", share);
    size_t list_len = 0;
    for (size_t i = 0; i < r->n; i++)
        if (r->f[i].drifted)
            list_len += strlen(r->f[i].name) + 1;
    char *list = calloc(1, list_len + 1);
    m = open_memstream(&names_json, &names_len);
    if (m)
        fputc('[', m);
    for (size_t i = 0, k = 0; i < r->n; i++) {
        if (!r->f[i].drifted)
            continue;
        if (list) {
            if (k)
                strcat(list, "\n");
            strcat(list, r->f[i].name);
        }
        if (m) {
            if (k)
                fputc(',', m);
            cli_json_string(m, r->f[i].name);
        }
        k++;
    }
    if (m) {
        fputc(']', m);
        fclose(m);
    }
    cli_gh_output("drifted_features", list ? list : "");
    cli_gh_output("drifted_features_json", names_json ? names_json : "[]");
    free(list);
    free(names_json);
    free(reason);
}

/* Prometheus label values: backslash, double quote and line feed escaped;
 * the exposition format is UTF-8, so a byte that is not part of a valid
 * sequence (a column name from a Latin-1 CSV) is written as U+FFFD. */
static void prom_value(FILE *o, const char *s)
{
    const unsigned char *p = (const unsigned char *)s, *e = p + strlen(s);
    while (p < e) {
        size_t n = cli_utf8_len(p, e);
        if (*p == '\\')
            fputs("\\\\", o);
        else if (*p == '"')
            fputs("\\\"", o);
        else if (*p == '\n')
            fputs("\\n", o);
        else if (n == 0)
            fputs("\xef\xbf\xbd", o);
        else
            fwrite(p, 1, n, o);
        p += n ? n : 1;
    }
}

/* The shortest of %.15g, %.16g, %.17g that reads back exactly. */
static void shortest(FILE *o, double v)
{
    char buf[40];
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(buf, sizeof buf, "%.*g", prec, v);
        if (strtod(buf, NULL) == v)
            break;
    }
    fputs(buf, o);
}

static void prom_double(FILE *o, double v)
{
    if (isnan(v))
        fputs("NaN", o);
    else if (isinf(v))
        fputs(v > 0 ? "+Inf" : "-Inf", o);
    else
        shortest(o, v);
}

typedef struct label {
    const char *key;
    const char *value;
} label;

static void prom_labels(FILE *o, const label *extra, size_t nextra, const feat *f)
{
    int first = 1;
    fputc('{', o);
    for (size_t i = 0; i < nextra; i++) {
        fprintf(o, "%s%s=\"", first ? "" : ",", extra[i].key);
        prom_value(o, extra[i].value);
        fputc('"', o);
        first = 0;
    }
    if (f) {
        fprintf(o, "%sfeature=\"", first ? "" : ",");
        prom_value(o, f->name);
        fprintf(o, "\",metric=\"%s\"", f->metric);
    }
    fputc('}', o);
}

static void print_prometheus(FILE *o, const report *r, const label *extra, size_t nextra)
{
    static const struct {
        const char *name, *help;
        int which;
    } per[] = {
        { "mlops_drift_statistic", "Drift statistic of a feature; the metric label names it.", 0 },
        { "mlops_drift_pvalue", "P-value of the feature's drift test (metrics with one).", 1 },
        { "mlops_drift_adjusted_pvalue", "Adjusted p-value that made the verdict (p-value rules).", 7 },
        { "mlops_drift_threshold", "Threshold of the feature's verdict.", 2 },
        { "mlops_drift_detected", "1 when the feature drifted, else 0.", 3 },
        { "mlops_drift_reference_values", "Reference values used for the feature.", 4 },
        { "mlops_drift_current_values", "Current values used for the feature.", 5 },
        { "mlops_drift_current_missing", "Current values omitted as missing or non-finite.", 6 },
    };
    for (size_t m = 0; m < sizeof per / sizeof per[0]; m++) {
        fprintf(o, "# HELP %s %s\n# TYPE %s gauge\n", per[m].name, per[m].help, per[m].name);
        for (size_t i = 0; i < r->n; i++) {
            const feat *f = &r->f[i];
            double v = 0;
            switch (per[m].which) {
            case 0: v = f->stat; break;
            case 1: v = f->pvalue; break;
            case 2: v = f->threshold; break;
            case 3: v = f->drifted; break;
            case 4: v = (double)f->n_ref; break;
            case 5: v = (double)f->n_cur; break;
            case 7: v = f->adjusted ? f->adj_pvalue : NAN; break;
            default: v = (double)f->miss_cur; break;
            }
            if ((per[m].which == 1 || per[m].which == 7) && isnan(v))
                continue;
            fputs(per[m].name, o);
            prom_labels(o, extra, nextra, f);
            fputc(' ', o);
            prom_double(o, v);
            fputc('\n', o);
        }
    }
    fprintf(o, "# HELP mlops_drift_dataset_detected 1 when the dataset verdict is drift.\n"
               "# TYPE mlops_drift_dataset_detected gauge\nmlops_drift_dataset_detected");
    prom_labels(o, extra, nextra, NULL);
    fprintf(o, " %d\n", r->drifted);
    fprintf(o, "# HELP mlops_drift_dataset_inconclusive 1 when no drift was found but a feature "
               "could not be decided.\n"
               "# TYPE mlops_drift_dataset_inconclusive gauge\nmlops_drift_dataset_inconclusive");
    prom_labels(o, extra, nextra, NULL);
    fprintf(o, " %d\n", r->inconclusive);
    fprintf(o, "# HELP mlops_drift_dataset_drifted_features Features that drifted.\n"
               "# TYPE mlops_drift_dataset_drifted_features gauge\n"
               "mlops_drift_dataset_drifted_features");
    prom_labels(o, extra, nextra, NULL);
    fprintf(o, " %zu\n", r->drifted_count);
    fprintf(o, "# HELP mlops_drift_dataset_features Features compared.\n"
               "# TYPE mlops_drift_dataset_features gauge\nmlops_drift_dataset_features");
    prom_labels(o, extra, nextra, NULL);
    fprintf(o, " %zu\n", r->n);
}


/* Observations for `mlops policy eval --signals`: "<metric>.<feature>" with
 * the statistic and "<metric>_p.<feature>" with the p-value, samples = the
 * current values used; whitespace in names becomes '_'. */
static void signal_name(FILE *o, const char *metric, const char *suffix, const char *name)
{
    fprintf(o, "%s%s.", metric, suffix);
    for (const char *c = name; *c; c++)
        fputc(*c == ' ' || *c == '\t' || *c == '\n' || *c == '\r' || *c == '#' ? '_' : *c, o);
}

static void print_signals(FILE *o, const report *r)
{
    for (size_t i = 0; i < r->n; i++) {
        const feat *f = &r->f[i];
        signal_name(o, f->metric, "", f->name);
        fputc(' ', o);
        prom_double(o, f->stat);
        fprintf(o, " samples=%llu\n", (unsigned long long)f->n_cur);
        if (!isnan(f->pvalue)) {
            signal_name(o, f->metric, "_p", f->name);
            fputc(' ', o);
            prom_double(o, f->pvalue);
            fprintf(o, " samples=%llu\n", (unsigned long long)f->n_cur);
        }
    }
    fputs("drift.share ", o);
    shortest(o, r->n ? (double)r->drifted_count / (double)r->n : 0.0);
    fprintf(o, " samples=%zu\n", r->n);
}

/* ---- HTML ---- */

/* Text into the UTF-8 page: markup escaped, a byte that is not part of a
 * valid UTF-8 sequence written as U+FFFD (as in the JSON output). */
static void html_text(FILE *o, const char *s)
{
    const unsigned char *p = (const unsigned char *)s, *e = p + strlen(s);
    while (p < e) {
        size_t n = cli_utf8_len(p, e);
        switch (*p) {
        case '&': fputs("&amp;", o); break;
        case '<': fputs("&lt;", o); break;
        case '>': fputs("&gt;", o); break;
        case '"': fputs("&quot;", o); break;
        case '\'': fputs("&#39;", o); break;
        default:
            if (n == 0)
                fputs("&#xfffd;", o);
            else
                fwrite(p, 1, n, o);
        }
        p += n ? n : 1;
    }
}

static void html_svg(FILE *o, const feat *f)
{
    const double W = 560, H = 180, L = 40, R = 10, T = 10, B = 40;
    double top = 0;
    for (size_t k = 0; k < f->nbins; k++) {
        top = f->ref_share[k] > top ? f->ref_share[k] : top;
        top = f->cur_share[k] > top ? f->cur_share[k] : top;
    }
    if (top <= 0)
        top = 1;
    double pw = W - L - R, ph = H - T - B, bw = pw / (double)f->nbins;
    fprintf(o, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%g\" height=\"%g\" "
               "viewBox=\"0 0 %g %g\" role=\"img\" aria-label=\"histograms of ",
            W, H, W, H);
    html_text(o, f->name);
    fprintf(o, "\">\n<line x1=\"%g\" y1=\"%g\" x2=\"%g\" y2=\"%g\" class=\"axis\"/>\n", L,
            T + ph, L + pw, T + ph);
    fprintf(o, "<text x=\"%g\" y=\"%g\" class=\"tick\" text-anchor=\"end\">%.0f%%</text>\n",
            L - 4, T + 8, top * 100);
    for (int side = 0; side < 2; side++) {
        const double *s = side ? f->cur_share : f->ref_share;
        for (size_t k = 0; k < f->nbins; k++) {
            double h = s[k] / top * ph;
            if (h <= 0)
                continue;
            fprintf(o, "<rect class=\"%s\" x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\">"
                       "<title>%s %.2f%%</title></rect>\n",
                    side ? "cur" : "ref", L + bw * (double)k + (side ? bw * 0.5 : 0.5),
                    T + ph - h, bw * 0.5 - 0.5 > 0.5 ? bw * 0.5 - 0.5 : 0.5, h,
                    side ? "current" : "reference", s[k] * 100);
        }
    }
    if (f->bin_labels) {
        size_t step = f->nbins > 12 ? (f->nbins + 11) / 12 : 1;
        for (size_t k = 0; k < f->nbins; k += step) {
            fprintf(o, "<text x=\"%.2f\" y=\"%g\" class=\"tick\" text-anchor=\"middle\">",
                    L + bw * ((double)k + 0.5), T + ph + 14);
            char short_label[24];
            snprintf(short_label, sizeof short_label, "%s", f->bin_labels[k]);
            html_text(o, short_label);
            fputs("</text>\n", o);
        }
    } else {
        char lo[MLOPS__NUM_HUMAN_SIZE], hi[MLOPS__NUM_HUMAN_SIZE];
        fprintf(o, "<text x=\"%g\" y=\"%g\" class=\"tick\">%s</text>\n", L, T + ph + 14,
                mlops__num_human(lo, f->lo));
        fprintf(o, "<text x=\"%g\" y=\"%g\" class=\"tick\" text-anchor=\"end\">%s</text>\n",
                L + pw, T + ph + 14, mlops__num_human(hi, f->hi));
    }
    fprintf(o, "<rect class=\"ref\" x=\"%g\" y=\"%g\" width=\"10\" height=\"10\"/>"
               "<text x=\"%g\" y=\"%g\" class=\"tick\">reference</text>\n",
            L, H - 12, L + 14, H - 3);
    fprintf(o, "<rect class=\"cur\" x=\"%g\" y=\"%g\" width=\"10\" height=\"10\"/>"
               "<text x=\"%g\" y=\"%g\" class=\"tick\">current</text>\n</svg>\n",
            L + 100, H - 12, L + 114, H - 3);
}

static void print_html(FILE *o, const report *r)
{
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
          "<title>Drift report</title>\n<style>\n"
          "body{font-family:sans-serif;margin:2em;color:#222;max-width:60em}\n"
          "h1{font-size:1.5em}.verdict{padding:.6em 1em;border-radius:4px;font-weight:bold}\n"
          ".drift{background:#fde2e1;color:#8a1c13}.ok{background:#e3f4e1;color:#1d5e1a}\n"
          ".inconclusive{background:#fff4d6;color:#7a5a00}\n"
          "table{border-collapse:collapse;margin:1em 0}td,th{padding:.2em .8em;text-align:left;"
          "border-bottom:1px solid #ddd}td.num{text-align:right;font-variant-numeric:tabular-nums}\n"
          "section{margin:2em 0;border-top:1px solid #ccc;padding-top:.5em}\n"
          "rect.ref{fill:#4c78a8;fill-opacity:.75}rect.cur{fill:#f58518;fill-opacity:.75}\n"
          ".axis{stroke:#555}.tick{font-size:11px;fill:#444}\n"
          "</style>\n</head>\n<body>\n<h1>Drift report</h1>\n<p>Reference <code>", o);
    html_text(o, r->ref_path);
    fputs("</code>, current <code>", o);
    html_text(o, r->cur_path);
    fprintf(o, "</code></p>\n<p id=\"dataset-verdict\" class=\"verdict %s\">%s: %zu of %zu "
               "features drifted (",
            r->drifted ? "drift" : r->inconclusive ? "inconclusive" : "ok", dataset_word(r),
            r->drifted_count, r->n);
    print_reason(o, r, 1);
    int adj = any_adjusted(r);
    fprintf(o, ")</p>\n<table>\n<thead><tr><th>feature</th><th>type</th><th>metric</th>"
               "<th>statistic</th><th>p-value</th>%s<th>threshold</th><th>verdict</th></tr>"
               "</thead>\n<tbody>\n",
            adj ? "<th>adjusted p-value</th>" : "");
    for (size_t i = 0; i < r->n; i++) {
        const feat *f = &r->f[i];
        char st[72], pv[72], th[32], ap[32];
        fmt_stat_p(st, pv, sizeof st, f);
        fmt_num(th, sizeof th, f->adjusted ? f->alpha : f->threshold);
        fmt_num(ap, sizeof ap, f->adjusted ? f->adj_pvalue : NAN);
        fprintf(o, "<tr><td><a href=\"#f%zu\">", i);
        html_text(o, f->name);
        fprintf(o, "</a></td><td>%s</td><td>%s</td><td class=\"num\">%s</td>"
                   "<td class=\"num\">%s</td>",
                f->categorical ? "categorical" : "numeric", f->metric, st, pv);
        if (adj)
            fprintf(o, "<td class=\"num\">%s</td>", ap);
        fprintf(o, "<td class=\"num\">%s %s</td><td class=\"%s\">%s</td></tr>\n",
                f->adjusted ? "adjusted p &lt;"
                : f->direction == MLOPS_DRIFT_PVALUE_LT ? "p &lt;" : "&ge;", th,
                f->drifted ? "drift" : f->inconclusive ? "inconclusive" : "ok",
                f->drifted ? "DRIFT" : f->inconclusive ? "inconclusive" : "ok");
    }
    fputs("</tbody>\n</table>\n", o);
    for (size_t i = 0; i < r->n; i++) {
        const feat *f = &r->f[i];
        char st[72], pv[72], th[32];
        fmt_stat_p(st, pv, sizeof st, f);
        fmt_num(th, sizeof th, f->threshold);
        fprintf(o, "<section id=\"f%zu\" class=\"feature\">\n<h2>", i);
        html_text(o, f->name);
        fprintf(o, " <span class=\"verdict %s\">%s</span></h2>\n",
                f->drifted ? "drift" : f->inconclusive ? "inconclusive" : "ok",
                f->drifted ? "DRIFT" : f->inconclusive ? "inconclusive" : "ok");
        char ap[64] = "";
        if (f->adjusted) {
            char apv[32];
            fmt_num(apv, sizeof apv, f->adj_pvalue);
            snprintf(ap, sizeof ap, " (%s-adjusted %s)", r->rule, apv);
            fmt_num(th, sizeof th, f->alpha);
        }
        fprintf(o, "<p>%s %s = %s; p-value %s%s; threshold %s %s; %llu reference and %llu current "
                   "values (%llu and %llu missing)</p>\n",
                f->categorical ? "categorical," : "numeric,", f->metric, st, pv, ap,
                f->adjusted ? "adjusted p &lt;"
                : f->direction == MLOPS_DRIFT_PVALUE_LT ? "p &lt;" : "&ge;", th,
                (unsigned long long)f->n_ref, (unsigned long long)f->n_cur,
                (unsigned long long)f->miss_ref, (unsigned long long)f->miss_cur);
        if (f->nbins)
            html_svg(o, f);
        fputs("</section>\n", o);
    }
    fputs("</body>\n</html>\n", o);
}

static int parse_label(const char *s, label *l)
{
    const char *eq = strchr(s, '=');
    if (!eq || eq == s)
        return -1;
    for (const char *p = s; p < eq; p++) {
        char c = *p;
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
                 (p > s && c >= '0' && c <= '9');
        if (!ok)
            return -1;
    }
    if (eq - s >= 2 && s[0] == '_' && s[1] == '_')
        return -1; /* reserved */
    static char keys[16][64];
    static size_t used = 0;
    if (used >= 16 || (size_t)(eq - s) >= sizeof keys[0])
        return -1;
    memcpy(keys[used], s, (size_t)(eq - s));
    keys[used][eq - s] = '\0';
    if (strcmp(keys[used], "feature") == 0 || strcmp(keys[used], "metric") == 0)
        return -1;
    l->key = keys[used++];
    l->value = eq + 1;
    return 0;
}

int cli_cmd_drift(int argc, char **argv, const cli_global *g0)
{
    cli_global g = *g0;
    /* repeatable options are collected first */
    const char *columns[256];
    label labels[16];
    size_t ncolumns = 0, nlabels = 0;
    int out = 1;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0) {
            for (; i < argc; i++)
                argv[out++] = argv[i];
            break;
        }
        int is_col = strcmp(argv[i], "--column") == 0, is_lab = strcmp(argv[i], "--label") == 0;
        const char *v = NULL;
        if (strncmp(argv[i], "--column=", 9) == 0)
            v = argv[i] + 9, is_col = 2;
        else if (strncmp(argv[i], "--label=", 8) == 0)
            v = argv[i] + 8, is_lab = 2;
        if (!is_col && !is_lab) {
            argv[out++] = argv[i];
            continue;
        }
        if (!v) {
            if (i + 1 >= argc)
                return cli_usage_error("drift", "option '%s' needs a value", argv[i]);
            v = argv[++i];
        }
        if (is_col) {
            if (ncolumns >= sizeof columns / sizeof columns[0])
                return cli_usage_error("drift", "too many --column options");
            columns[ncolumns++] = v;
        } else {
            if (nlabels >= 16 || parse_label(v, &labels[nlabels]) != 0)
                return cli_usage_error("drift", "--label: expected KEY=VALUE with a Prometheus "
                                                "label name (not feature or metric), got '%s'", v);
            nlabels++;
        }
    }
    argc = out;
    const char *metric_s = NULL, *thr_s = NULL, *bins_s = NULL, *rule_s = NULL,
               *share_s = NULL, *alpha_s = NULL, *format_s = NULL, *html = NULL, *outp = NULL,
               *delim_s = NULL;
    const cli_opt opts[] = { { "--metric", &metric_s, NULL },   { "--threshold", &thr_s, NULL },
                             { "--bins", &bins_s, NULL },       { "--rule", &rule_s, NULL },
                             { "--drift-share", &share_s, NULL }, { "--alpha", &alpha_s, NULL },
                             { "--format", &format_s, NULL },   { "--html", &html, NULL },
                             { "-o", &outp, NULL },             { "--output", &outp, NULL },
                             { "--delimiter", &delim_s, NULL },
                             { NULL, NULL, NULL } };
    int h = cli_help_or_go(cli_parse("drift", &argc, argv, &g, opts), usage);
    if (h >= 0)
        return h;
    if (argc != 3)
        return cli_usage_error("drift", "expected REF and CUR");
    settings s;
    memset(&s, 0, sizeof s);
    mlops_drift_options o = MLOPS_DRIFT_OPTIONS_INIT;
    mlops_drift_table_options to = MLOPS_DRIFT_TABLE_OPTIONS_INIT;
    s.o = o;
    s.to = to;
    s.metric = MLOPS_DRIFT_AUTO;
    s.columns = columns;
    s.ncolumns = ncolumns;
    s.want_hist = html != NULL;
    if (delim_s && cli_parse_delimiter(delim_s, &s.delim) != 0)
        return cli_usage_error("drift", "--delimiter: expected one byte such as ';' or '|', or "
                                        "'\\t' for a tab, got '%s'", delim_s);
    int prom = 0, sigs = 0, ghf = 0;
    if (format_s) {
        if (strcmp(format_s, "json") == 0)
            g.json = 1, g.color = 0, cli_json_begin();
        else if (strcmp(format_s, "prometheus") == 0)
            prom = 1, g.color = 0;
        else if (strcmp(format_s, "signals") == 0)
            sigs = 1, g.color = 0;
        else if (strcmp(format_s, "github") == 0)
            ghf = 1, g.color = 0;
        else if (strcmp(format_s, "text") != 0)
            return cli_usage_error("drift", "--format: expected text, json, prometheus, "
                                            "signals or github, got '%s'", format_s);
    }
    if ((prom || sigs || ghf) && g.json)
        return cli_usage_error("drift", "choose one of --json and --format %s", format_s);
    if (outp && !prom && !sigs)
        return cli_usage_error("drift", "-o applies to --format prometheus and signals");
    if (metric_s) {
        if (metric_by_name(metric_s, &s.metric) != 0)
            return cli_usage_error("drift", "unknown metric '%s'", metric_s);
        s.metric_given = 1;
    }
    if (thr_s && cli_parse_double(thr_s, &s.o.threshold) != 0)
        return cli_usage_error("drift", "--threshold: expected a number, got '%s'", thr_s);
    if (bins_s) {
        uint64_t k;
        if (cli_parse_u64(bins_s, &k) != 0 || k < 1 || k > 1000000)
            return cli_usage_error("drift", "--bins: expected 1..1000000, got '%s'", bins_s);
        s.o.bins = (size_t)k;
    }
    const char *rule = "share";
    if (rule_s) {
        static const char *names[] = { "share", "bonferroni", "holm", "bh" };
        int found = -1;
        for (int i = 0; i < 4; i++)
            if (strcmp(rule_s, names[i]) == 0)
                found = i;
        if (found < 0)
            return cli_usage_error("drift", "--rule: expected share, bonferroni, holm or bh, "
                                            "got '%s'", rule_s);
        s.to.rule = (uint32_t)found;
        rule = names[found];
    }
    if (share_s && (cli_parse_double(share_s, &s.to.drift_share) != 0 ||
                    !(s.to.drift_share > 0 && s.to.drift_share <= 1)))
        return cli_usage_error("drift", "--drift-share: expected a number in (0, 1], got '%s'",
                               share_s);
    if (alpha_s && (cli_parse_double(alpha_s, &s.to.alpha) != 0 ||
                    !(s.to.alpha > 0 && s.to.alpha < 1)))
        return cli_usage_error("drift", "--alpha: expected a number in (0, 1), got '%s'", alpha_s);
    s.to.column_options = &s.o;

    report rep;
    memset(&rep, 0, sizeof rep);
    rep.ref_path = argv[1];
    rep.cur_path = argv[2];
    rep.rule = rule;
    rep.rule_value = s.to.rule == MLOPS_DRIFT_RULE_SHARE ? s.to.drift_share : s.to.alpha;
    int csv_a = cli_is_csv(argv[1]), csv_b = cli_is_csv(argv[2]);
    int npy_a = cli_is_npy(argv[1]), npy_b = cli_is_npy(argv[2]);
    /* "-" (standard input) is of the other argument's kind */
    int in_a = strcmp(argv[1], "-") == 0, in_b = strcmp(argv[2], "-") == 0;
    if (in_a && in_b)
        return cli_usage_error("drift", "standard input ('-') can be REF or CUR, not both");
    if (in_a)
        csv_a = csv_b, npy_a = npy_b;
    if (in_b)
        csv_b = csv_a, npy_b = npy_a;
    int status;
    if (delim_s && !csv_a)
        status = cli_usage_error("drift", "--delimiter applies to CSV files only");
    else if (csv_a != csv_b || npy_a != npy_b)
        status = cli_usage_error("drift", "REF and CUR must be of the same kind (both .csv, both "
                                          ".npy or both profiles)");
    else if (ncolumns && !csv_a)
        status = cli_usage_error("drift", "--column applies to CSV files only");
    else if (csv_a)
        status = run_tables(&rep, &s);
    else if (npy_a)
        status = run_arrays(&rep, &s);
    else
        status = run_profiles(&rep, &s);
    if (status == CLI_OK && !csv_a && s.to.rule != MLOPS_DRIFT_RULE_SHARE) {
        /* one feature: a family of one (adjusted = raw), judged at --alpha */
        status = adjust_family(&rep, &s);
        if (status == CLI_OK) {
            rep.drifted_count = 0;
            for (size_t i = 0; i < rep.n; i++)
                rep.drifted_count += rep.f[i].drifted != 0;
            rep.drifted = rep.drifted_count > 0;
        }
    }
    if (status == CLI_OK) {
        for (size_t i = 0; i < rep.n; i++) {
            rep.f[i].severity = severity_of(&rep.f[i]);
            if (rep.f[i].inconclusive && !rep.drifted)
                rep.inconclusive = 1;
        }
        qsort(rep.f, rep.n, sizeof *rep.f, by_severity);
        if (html) {
            /* atomically: a failure (a full disk) leaves no partial report */
            char err[4400];
            FILE *hf;
            cli_output *ho = cli_output_open(html, &hf, CLI_OUTPUT_REPLACE, 0666, err, sizeof err);
            if (ho)
                print_html(hf, &rep);
            if (!ho || cli_output_commit(ho, err, sizeof err) != 0)
                status = cli_input_error("drift", "%s", err);
        }
    }
    if (status == CLI_OK) {
        if ((prom || sigs) && outp) {
            /* atomically, as node_exporter's textfile collector wants */
            char err[4400];
            FILE *of;
            cli_output *oo = cli_output_open(outp, &of, CLI_OUTPUT_REPLACE, 0666, err, sizeof err);
            if (oo) {
                if (prom)
                    print_prometheus(of, &rep, labels, nlabels);
                else
                    print_signals(of, &rep);
            }
            if (!oo || cli_output_commit(oo, err, sizeof err) != 0)
                status = cli_input_error("drift", "%s", err);
        } else if (prom)
            print_prometheus(stdout, &rep, labels, nlabels);
        else if (sigs)
            print_signals(stdout, &rep);
        else if (ghf)
            print_github(&rep);
        else if (g.json)
            print_json(&rep);
        else
            print_text(&rep, &g);
        if (status == CLI_OK)
            status = rep.drifted || rep.inconclusive ? CLI_NEGATIVE : CLI_OK;
    }
    for (size_t i = 0; i < rep.n; i++)
        feat_free(&rep.f[i]);
    free(rep.f);
    return status;
}
