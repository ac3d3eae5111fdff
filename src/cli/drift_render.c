/*
 * `mlops drift` renderers for people and programs: the text table, JSON
 * and GitHub Actions annotations with a step summary.
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

/* ---- output ---- */

int cli_drift_by_severity(const void *x, const void *y)
{
    const feat *a = x, *b = y;
    if (a->drifted != b->drifted)
        return b->drifted - a->drifted;
    if (a->severity != b->severity)
        return a->severity < b->severity ? 1 : -1;
    return strcmp(a->name, b->name);
}

/* For people (core/numfmt.h); "-" for no value. */
void cli_drift_fmt_num(char *buf, size_t n, double v)
{
    char h[MLOPS__NUM_HUMAN_SIZE];
    snprintf(buf, n, "%s", isnan(v) ? "-" : mlops__num_human(h, v));
}

/* A feature's statistic and p-value as shown: an inconclusive sketch test
 * has intervals, shown whole ("[0.000165, 1]"), not one end of them. */
void cli_drift_fmt_stat_p(char *st, char *pv, size_t n, const feat *f)
{
    cli_drift_fmt_num(st, n, f->stat);
    cli_drift_fmt_num(pv, n, f->pvalue);
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
void cli_drift_print_reason(FILE *o, const report *r, int html)
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

const char *cli_drift_dataset_word(const report *r)
{
    return r->drifted ? "DRIFT" : r->inconclusive ? "INCONCLUSIVE" : "NO DRIFT";
}

int cli_drift_any_adjusted(const report *r)
{
    for (size_t i = 0; i < r->n; i++)
        if (r->f[i].adjusted)
            return 1;
    return 0;
}

void cli_drift_print_text(const report *r, const cli_global *g)
{
    const char *colour = r->drifted ? cli_red(g) : r->inconclusive ? "" : cli_green(g);
    printf("%s%s%s%s", cli_bold(g), colour, cli_drift_dataset_word(r), cli_reset(g));
    printf(": %zu of %zu feature%s drifted (", r->drifted_count, r->n, r->n == 1 ? "" : "s");
    cli_drift_print_reason(stdout, r, 0);
    printf(")\n\n");
    int adj = cli_drift_any_adjusted(r);
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
        cli_drift_fmt_stat_p(st, pv, sizeof st, f);
        if (f->adjusted) {
            cli_drift_fmt_num(ap, sizeof ap, f->adj_pvalue);
            cli_drift_fmt_num(t2, sizeof t2, f->alpha);
            snprintf(th, sizeof th, "adj p < %s", t2);
        } else {
            snprintf(ap, sizeof ap, "-");
            cli_drift_fmt_num(t2, sizeof t2, f->threshold);
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

void cli_drift_print_json(const report *r)
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
void cli_drift_print_github(const report *r)
{
    char *reason = NULL, *names_json = NULL;
    size_t reason_len = 0, names_len = 0;
    FILE *m = open_memstream(&reason, &reason_len);
    if (m) {
        cli_drift_print_reason(m, r, 0);
        fclose(m);
    }
    const char *why = reason ? reason : "";
    int adj = cli_drift_any_adjusted(r);
    for (size_t i = 0; i < r->n; i++) {
        const feat *f = &r->f[i];
        if (!f->drifted && !f->inconclusive)
            continue;
        char st[32], pv[32], t2[32];
        cli_drift_fmt_num(st, sizeof st, f->stat);
        cli_drift_fmt_num(pv, sizeof pv, f->pvalue);
        cli_drift_fmt_num(t2, sizeof t2, f->adjusted ? f->alpha : f->threshold);
        char adjusted[64] = "";
        if (f->adjusted) {
            char ap[32];
            cli_drift_fmt_num(ap, sizeof ap, f->adj_pvalue);
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
              cli_drift_dataset_word(r), r->drifted_count, r->n, r->n == 1 ? "" : "s", why);
    cli_gh_md_text(r->ref_path);
    cli_gh_md(", current ");
    cli_gh_md_text(r->cur_path);
    cli_gh_md(".\n\n| feature | type | metric | statistic | p-value |%s threshold | verdict |\n"
              "| --- | --- | --- | ---: | ---: |%s --- | --- |\n",
              adj ? " adjusted p |" : "", adj ? " ---: |" : "");
    for (size_t i = 0; i < r->n; i++) {
        const feat *f = &r->f[i];
        char st[32], pv[32], t2[32], ap[32];
        cli_drift_fmt_num(st, sizeof st, f->stat);
        cli_drift_fmt_num(pv, sizeof pv, f->pvalue);
        cli_drift_fmt_num(t2, sizeof t2, f->adjusted ? f->alpha : f->threshold);
        cli_gh_md("| ");
        cli_gh_md_text(f->name);
        cli_gh_md(" | %s | %s | %s | %s |", f->categorical ? "categorical" : "numeric", f->metric,
                  st, pv);
        if (adj) {
            cli_drift_fmt_num(ap, sizeof ap, f->adj_pvalue);
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
    for (int prec = 1; prec <= 17; prec++) { /* the cli_drift_shortest that reads back */
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
