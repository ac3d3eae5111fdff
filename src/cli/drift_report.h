/*
 * `mlops drift`, internal: the feature table the three input modes fill
 * (drift_inputs.c) and the renderers read (drift_render.c: text, JSON and
 * GitHub; drift_prom.c: Prometheus and policy signals; drift_html.c).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef MLOPS_CLI_DRIFT_REPORT_H
#define MLOPS_CLI_DRIFT_REPORT_H

#include <stdio.h>

#include "cli.h"

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

typedef struct drift_label {
    const char *key;
    const char *value;
} drift_label;

int cli_drift_adjust_family(report *rep, const settings *s);
void cli_drift_feat_free(feat *f);
int cli_drift_metric_by_name(const char *name, int *metric);
int cli_drift_run_arrays(report *rep, const settings *s);
int cli_drift_run_profiles(report *rep, const settings *s);
int cli_drift_run_tables(report *rep, const settings *s);
double cli_drift_severity_of(const feat *f);
int cli_drift_any_adjusted(const report *r);
int cli_drift_by_severity(const void *x, const void *y);
const char *cli_drift_dataset_word(const report *r);
void cli_drift_fmt_num(char *buf, size_t n, double v);
void cli_drift_fmt_stat_p(char *st, char *pv, size_t n, const feat *f);
void cli_drift_print_github(const report *r);
void cli_drift_print_json(const report *r);
void cli_drift_print_reason(FILE *o, const report *r, int html);
void cli_drift_print_text(const report *r, const cli_global *g);
void cli_drift_print_prometheus(FILE *o, const report *r, const drift_label *extra, size_t nextra);
void cli_drift_print_signals(FILE *o, const report *r);
void cli_drift_shortest(FILE *o, double v);
void cli_drift_print_html(FILE *o, const report *r);

#endif
