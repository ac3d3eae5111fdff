/*
 * `mlops drift --html`: a self-contained HTML report with inline SVG
 * histograms, features by severity.
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

void cli_drift_print_html(FILE *o, const report *r)
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
            r->drifted ? "drift" : r->inconclusive ? "inconclusive" : "ok", cli_drift_dataset_word(r),
            r->drifted_count, r->n);
    cli_drift_print_reason(o, r, 1);
    int adj = cli_drift_any_adjusted(r);
    fprintf(o, ")</p>\n<table>\n<thead><tr><th>feature</th><th>type</th><th>metric</th>"
               "<th>statistic</th><th>p-value</th>%s<th>threshold</th><th>verdict</th></tr>"
               "</thead>\n<tbody>\n",
            adj ? "<th>adjusted p-value</th>" : "");
    for (size_t i = 0; i < r->n; i++) {
        const feat *f = &r->f[i];
        char st[72], pv[72], th[32], ap[32];
        cli_drift_fmt_stat_p(st, pv, sizeof st, f);
        cli_drift_fmt_num(th, sizeof th, f->adjusted ? f->alpha : f->threshold);
        cli_drift_fmt_num(ap, sizeof ap, f->adjusted ? f->adj_pvalue : NAN);
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
        cli_drift_fmt_stat_p(st, pv, sizeof st, f);
        cli_drift_fmt_num(th, sizeof th, f->threshold);
        fprintf(o, "<section id=\"f%zu\" class=\"feature\">\n<h2>", i);
        html_text(o, f->name);
        fprintf(o, " <span class=\"verdict %s\">%s</span></h2>\n",
                f->drifted ? "drift" : f->inconclusive ? "inconclusive" : "ok",
                f->drifted ? "DRIFT" : f->inconclusive ? "inconclusive" : "ok");
        char ap[64] = "";
        if (f->adjusted) {
            char apv[32];
            cli_drift_fmt_num(apv, sizeof apv, f->adj_pvalue);
            snprintf(ap, sizeof ap, " (%s-adjusted %s)", r->rule, apv);
            cli_drift_fmt_num(th, sizeof th, f->alpha);
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
