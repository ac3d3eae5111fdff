/*
 * `mlops drift`: compare a reference with a current sample — CSV tables
 * (one column or every common column), 1-D .npy files, or stored profiles —
 * and report per feature and for the dataset: human table, JSON, Prometheus
 * text exposition, and a self-contained HTML report.
 *
 * SPDX-License-Identifier: Apache-2.0
 *
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

static int parse_label(const char *s, drift_label *l)
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
    drift_label labels[16];
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
        if (cli_drift_metric_by_name(metric_s, &s.metric) != 0)
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
        status = cli_drift_run_tables(&rep, &s);
    else if (npy_a)
        status = cli_drift_run_arrays(&rep, &s);
    else
        status = cli_drift_run_profiles(&rep, &s);
    if (status == CLI_OK && !csv_a && s.to.rule != MLOPS_DRIFT_RULE_SHARE) {
        /* one feature: a family of one (adjusted = raw), judged at --alpha */
        status = cli_drift_adjust_family(&rep, &s);
        if (status == CLI_OK) {
            rep.drifted_count = 0;
            for (size_t i = 0; i < rep.n; i++)
                rep.drifted_count += rep.f[i].drifted != 0;
            rep.drifted = rep.drifted_count > 0;
        }
    }
    if (status == CLI_OK) {
        for (size_t i = 0; i < rep.n; i++) {
            rep.f[i].severity = cli_drift_severity_of(&rep.f[i]);
            if (rep.f[i].inconclusive && !rep.drifted)
                rep.inconclusive = 1;
        }
        qsort(rep.f, rep.n, sizeof *rep.f, cli_drift_by_severity);
        if (html) {
            /* atomically: a failure (a full disk) leaves no partial report */
            char err[4400];
            FILE *hf;
            cli_output *ho = cli_output_open(html, &hf, CLI_OUTPUT_REPLACE, 0666, err, sizeof err);
            if (ho)
                cli_drift_print_html(hf, &rep);
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
                    cli_drift_print_prometheus(of, &rep, labels, nlabels);
                else
                    cli_drift_print_signals(of, &rep);
            }
            if (!oo || cli_output_commit(oo, err, sizeof err) != 0)
                status = cli_input_error("drift", "%s", err);
        } else if (prom)
            cli_drift_print_prometheus(stdout, &rep, labels, nlabels);
        else if (sigs)
            cli_drift_print_signals(stdout, &rep);
        else if (ghf)
            cli_drift_print_github(&rep);
        else if (g.json)
            cli_drift_print_json(&rep);
        else
            cli_drift_print_text(&rep, &g);
        if (status == CLI_OK)
            status = rep.drifted || rep.inconclusive ? CLI_NEGATIVE : CLI_OK;
    }
    for (size_t i = 0; i < rep.n; i++)
        cli_drift_feat_free(&rep.f[i]);
    free(rep.f);
    return status;
}

