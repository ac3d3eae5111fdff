/*
 * `mlops drift` renderers for monitoring: the Prometheus text exposition
 * format and observations for `mlops policy eval --signals`.
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

/* The cli_drift_shortest of %.15g, %.16g, %.17g that reads back exactly. */
void cli_drift_shortest(FILE *o, double v)
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
        cli_drift_shortest(o, v);
}


static void prom_labels(FILE *o, const drift_label *extra, size_t nextra, const feat *f)
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

void cli_drift_print_prometheus(FILE *o, const report *r, const drift_label *extra, size_t nextra)
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

void cli_drift_print_signals(FILE *o, const report *r)
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
    cli_drift_shortest(o, r->n ? (double)r->drifted_count / (double)r->n : 0.0);
    fprintf(o, " samples=%zu\n", r->n);
}
