/*
 * `mlops profile build|merge|show`: streaming profiles of one column, stored
 * as the library's profile bytes (docs/formats/profile-v1.md).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "core/numfmt.h"
#include "input.h"

static const char usage[] =
    "usage: mlops profile build INPUT [--column NAME] -o OUT [--k K] [--seed S]\n"
    "                           [--bins B | --edges-from REF] [--category-cap C]\n"
    "                           [--delimiter C]\n"
    "       mlops profile merge -o OUT PROFILE...\n"
    "       mlops profile show PROFILE\n"
    "\n"
    "build  profile one column of a CSV file (--column; optional when the file has\n"
    "       one column) or a 1-D float64/int64 .npy file, and write the profile's\n"
    "       bytes to OUT ('-' reads standard input, CSV or .npy by its first\n"
    "       bytes; --delimiter C: the CSV field separator, '\\t' for a tab).\n"
    "       Numeric columns give numeric profiles (moments, min/max,\n"
    "       KLL quantile sketch with parameter K, default 200; with --bins B also a\n"
    "       histogram of B equal-width bins over the column's range, or with\n"
    "       --edges-from REF the histogram edges of the profile REF, so the two\n"
    "       histograms compare with PSI, JS, ...); other columns\n"
    "       give categorical profiles whose codes are 63-bit FNV-1a hashes of the\n"
    "       labels, so profiles of different files agree on codes (two labels of\n"
    "       one code are refused). A column with one field that is not a number\n"
    "       (see 'mlops drift' for the accepted spellings of NA, NaN and Inf) holds\n"
    "       labels; a note on standard error names that field when others are\n"
    "       numbers.\n"
    "merge  merge profiles of the same kind (and histogram edges) into OUT.\n"
    "show   print a profile's summary: counts, moments, quantiles, histogram or\n"
    "       categories.\n"
    "\n"
    "exit status: 0 done; 2 usage or input error.\n";

static const char *kind_name(int kind)
{
    return kind == MLOPS_PROFILE_NUMERIC ? "numeric" : "categorical";
}

static int save_profile(const char *out, const mlops_profile *p)
{
    mlops_buf buf = MLOPS_BUF_INIT;
    int rc = mlops_profile_write(&buf, p, 0);
    if (rc != 0)
        return cli_library_error("profile", rc);
    char err[4400];
    rc = cli_write_file(out, buf.data, buf.size, err, sizeof err);
    mlops_buf_dispose(&buf);
    if (rc != 0)
        return cli_input_error("profile", "%s", err);
    return CLI_OK;
}

int cli_profile_load(mlops_profile **p, const char *path, const char *cmd)
{
    uint8_t *data;
    size_t size;
    char err[512];
    *p = NULL;
    if (cli_read_file(&data, &size, path, err, sizeof err) != 0)
        return cli_input_error(cmd, "%s", err);
    int rc = mlops_profile_parse(p, data, size);
    free(data);
    if (rc != 0) {
        char msg[2048];
        snprintf(msg, sizeof msg, "%s: %s", path, mlops_error_last());
        return cli_error_as(cmd, rc, CLI_INPUT, msg);
    }
    return CLI_OK;
}

int cli_profile_from_feature(mlops_profile **out, const cli_feature *f, uint32_t k,
                             uint64_t seed, uint32_t bins, uint32_t cap,
                             const double *given_edges, size_t n_given)
{
    mlops_profile_options o = MLOPS_PROFILE_OPTIONS_INIT;
    o.kll_k = k;
    o.seed = seed;
    o.category_cap = cap;
    double *edges = NULL;
    if (!f->categorical && n_given) {
        o.edges = given_edges;
        o.n_edges = n_given;
    } else if (!f->categorical && bins >= 2) {
        double lo = INFINITY, hi = -INFINITY;
        for (size_t i = 0; i < f->n; i++)
            if (isfinite(f->values[i])) {
                lo = f->values[i] < lo ? f->values[i] : lo;
                hi = f->values[i] > hi ? f->values[i] : hi;
            }
        if (lo < hi) {
            edges = malloc((bins - 1) * sizeof *edges);
            if (!edges) {
                fprintf(stderr, "mlops profile: out of memory\n");
                return CLI_USAGE;
            }
            size_t m = 0;
            for (uint32_t b = 1; b < bins; b++) {
                double e = lo + (hi - lo) * b / bins;
                if (m == 0 || e > edges[m - 1])
                    edges[m++] = e;
            }
            o.edges = edges;
            o.n_edges = m;
        }
    }
    mlops_profile *p = NULL;
    int rc = mlops_profile_new(&p, f->categorical ? MLOPS_PROFILE_CATEGORICAL
                                                  : MLOPS_PROFILE_NUMERIC, &o);
    free(edges);
    if (rc == 0)
        rc = f->categorical ? mlops_profile_update_codes(p, f->codes, f->n)
                            : mlops_profile_update(p, f->values, f->n);
    if (rc != 0) {
        mlops_profile_free(p);
        return cli_library_error("profile", rc);
    }
    *out = p;
    return CLI_OK;
}

static int build(int argc, char **argv, const cli_global *g, const char *column,
                 const char *out, const char *k_s, const char *seed_s, const char *bins_s,
                 const char *cap_s, const char *edges_from, const char *delim_s)
{
    if (argc != 1)
        return cli_usage_error("profile", "build takes one INPUT");
    if (!out)
        return cli_usage_error("profile", "build needs -o OUT");
    uint64_t k = MLOPS_PROFILE_DEFAULT_K, seed = 0, bins = 0,
             cap = MLOPS_PROFILE_DEFAULT_CATEGORY_CAP;
    if (k_s && (cli_parse_u64(k_s, &k) != 0 || k > UINT32_MAX))
        return cli_usage_error("profile", "--k: expected an integer, got '%s'", k_s);
    if (seed_s && cli_parse_u64(seed_s, &seed) != 0)
        return cli_usage_error("profile", "--seed: expected an integer, got '%s'", seed_s);
    if (bins_s && (cli_parse_u64(bins_s, &bins) != 0 || bins < 2 || bins > 65536))
        return cli_usage_error("profile", "--bins: expected 2..65536, got '%s'", bins_s);
    if (cap_s && (cli_parse_u64(cap_s, &cap) != 0 || cap > UINT32_MAX))
        return cli_usage_error("profile", "--category-cap: expected an integer, got '%s'",
                               cap_s);
    if (bins_s && edges_from)
        return cli_usage_error("profile", "give --bins or --edges-from, not both");
    char delim = 0;
    if (delim_s && cli_parse_delimiter(delim_s, &delim) != 0)
        return cli_usage_error("profile", "--delimiter: expected one byte such as ';' or '|', "
                                          "or '\\t' for a tab, got '%s'", delim_s);
    /* --edges-from: the histogram edges of a reference profile, so that this
     * profile's histogram can be compared with it (PSI, JS, ...). */
    mlops_profile *ref = NULL;
    const double *given = NULL;
    size_t n_given = 0;
    if (edges_from) {
        int lrc = cli_profile_load(&ref, edges_from, "profile");
        if (lrc != CLI_OK)
            return lrc;
        given = mlops_profile_info(ref)->histogram_edges;
        n_given = mlops_profile_info(ref)->n_histogram_edges;
        if (!given || n_given == 0) {
            mlops_profile_free(ref);
            return cli_usage_error("profile", "--edges-from: %s has no histogram", edges_from);
        }
    }
    cli_feature f;
    char err[1024];
    if (cli_feature_load(&f, argv[0], column, delim, err, sizeof err) != 0) {
        fprintf(stderr, "mlops profile: %s\n", err);
        mlops_profile_free(ref);
        return CLI_USAGE;
    }
    if (edges_from && f.categorical) {
        int urc = cli_usage_error("profile", "--edges-from applies to numeric columns; '%s' "
                                             "holds labels", f.name ? f.name : argv[0]);
        cli_feature_free(&f);
        mlops_profile_free(ref);
        return urc;
    }
    if (f.categorical && f.mixed && f.text_line)
        fprintf(stderr, "mlops profile: note: column '%s' holds labels: %s:%zu: \"%s\" is not "
                        "a number\n", f.name, cli_display_path(argv[0]), f.text_line,
                f.text_value);
    mlops_profile *p = NULL;
    int rc = cli_profile_from_feature(&p, &f, (uint32_t)k, seed, (uint32_t)bins,
                                      (uint32_t)cap, given, n_given);
    mlops_profile_free(ref);
    if (rc == CLI_OK)
        rc = save_profile(out, p);
    if (rc == CLI_OK) {
        if (g->json) {
            printf("{\"input\":");
            cli_json_string(stdout, argv[0]);
            printf(",\"column\":");
            cli_json_string(stdout, f.name);
            printf(",\"kind\":\"%s\",\"rows\":%zu,\"count\":%llu,\"output\":",
                   kind_name(mlops_profile_info(p)->kind), f.n,
                   (unsigned long long)mlops_profile_info(p)->count);
            cli_json_string(stdout, out);
            printf("}\n");
        } else {
            printf("%s profile of '%s' (%zu rows) written to %s\n",
                   kind_name(mlops_profile_info(p)->kind), f.name, f.n, out);
        }
    }
    mlops_profile_free(p);
    cli_feature_free(&f);
    return rc;
}

static int merge(int argc, char **argv, const cli_global *g, const char *out)
{
    if (argc < 1)
        return cli_usage_error("profile", "merge takes at least one PROFILE");
    if (!out)
        return cli_usage_error("profile", "merge needs -o OUT");
    mlops_profile *acc = NULL;
    int rc = cli_profile_load(&acc, argv[0], "profile");
    for (int i = 1; i < argc && rc == CLI_OK; i++) {
        mlops_profile *p = NULL;
        rc = cli_profile_load(&p, argv[i], "profile");
        if (rc == CLI_OK) {
            int lrc = mlops_profile_merge(acc, p);
            if (lrc != 0) {
                fprintf(stderr, "mlops profile: %s: %s\n", argv[i], mlops_error_last());
                rc = CLI_USAGE;
            }
        }
        mlops_profile_free(p);
    }
    if (rc == CLI_OK)
        rc = save_profile(out, acc);
    if (rc == CLI_OK) {
        if (g->json) {
            printf("{\"inputs\":%d,\"kind\":\"%s\",\"count\":%llu,\"output\":", argc,
                   kind_name(mlops_profile_info(acc)->kind),
                   (unsigned long long)mlops_profile_info(acc)->count);
            cli_json_string(stdout, out);
            printf("}\n");
        } else {
            printf("merged %d profiles (%llu values) into %s\n", argc,
                   (unsigned long long)mlops_profile_info(acc)->count, out);
        }
    }
    mlops_profile_free(acc);
    return rc;
}

static const double show_ranks[] = { 0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99 };
#define N_RANKS (sizeof show_ranks / sizeof show_ranks[0])

static int show_numeric(const mlops_profile *p, const cli_global *g)
{
    double q[N_RANKS];
    const struct mlops_profile_info *pi = mlops_profile_info(p);
    int have_q = pi->count > 0;
    for (size_t i = 0; i < N_RANKS; i++)
        if (!have_q || mlops_profile_quantile(&q[i], p, show_ranks[i]) != 0)
            q[i] = NAN;
    size_t ne = pi->n_histogram_edges, nc = pi->n_histogram_counts;
    const double *edges = pi->histogram_edges;
    const uint64_t *counts = pi->histogram_counts;
    /* sample variance: m2 / (count - 1) (profile.h, mlops_profile_info) */
    double sd = sqrt(pi->count > 1 ? pi->m2 / (double)(pi->count - 1) : NAN);
    if (g->json) {
        printf("{\"kind\":\"numeric\",\"count\":%llu,\"nan\":%llu,\"posinf\":%llu,"
               "\"neginf\":%llu,\"mean\":",
               (unsigned long long)pi->count,
               (unsigned long long)pi->nan_count,
               (unsigned long long)pi->posinf_count,
               (unsigned long long)pi->neginf_count);
        cli_json_double(stdout, pi->mean);
        printf(",\"std\":");
        cli_json_double(stdout, sd);
        printf(",\"min\":");
        cli_json_double(stdout, pi->min);
        printf(",\"max\":");
        cli_json_double(stdout, pi->max);
        printf(",\"quantiles\":{");
        for (size_t i = 0; i < N_RANKS; i++) {
            printf("%s\"%g\":", i ? "," : "", show_ranks[i]);
            cli_json_double(stdout, q[i]);
        }
        printf("},\"kll_k\":%u,\"retained\":%zu,\"rank_error\":", pi->kll_k,
               pi->retained);
        cli_json_double(stdout, pi->rank_error);
        if (edges && counts) {
            printf(",\"histogram\":{\"edges\":[");
            for (size_t i = 0; i < ne; i++) {
                if (i)
                    putchar(',');
                cli_json_double(stdout, edges[i]);
            }
            printf("],\"counts\":[");
            for (size_t i = 0; i < nc; i++)
                printf("%s%llu", i ? "," : "", (unsigned long long)counts[i]);
            printf("]}");
        }
        printf("}\n");
        return CLI_OK;
    }
    printf("%-12s numeric\n", "kind");
    printf("%-12s %llu\n", "count", (unsigned long long)pi->count);
    printf("%-12s %llu NaN, %llu +inf, %llu -inf\n", "non-finite",
           (unsigned long long)pi->nan_count,
           (unsigned long long)pi->posinf_count,
           (unsigned long long)pi->neginf_count);
    char h[MLOPS__NUM_HUMAN_SIZE];
    printf("%-12s %s\n", "mean", mlops__num_human(h, pi->mean));
    printf("%-12s %s\n", "std", mlops__num_human(h, sd));
    printf("%-12s %s\n", "min", mlops__num_human(h, pi->min));
    for (size_t i = 0; i < N_RANKS; i++) {
        char label[16];
        snprintf(label, sizeof label, "p%02d", (int)lround(show_ranks[i] * 100));
        printf("%-12s %s\n", label, mlops__num_human(h, q[i]));
    }
    printf("%-12s %s\n", "max", mlops__num_human(h, pi->max));
    printf("%-12s k=%u, %zu retained, rank error %.4f\n", "sketch", pi->kll_k,
           pi->retained, pi->rank_error);
    if (edges && counts) {
        uint64_t top = 1;
        for (size_t i = 0; i < nc; i++)
            top = counts[i] > top ? counts[i] : top;
        printf("histogram\n");
        for (size_t i = 0; i < nc; i++) {
            char lo[32], hi[32];
            if (i == 0)
                snprintf(lo, sizeof lo, "-inf");
            else
                mlops__num_human(lo, edges[i - 1]);
            if (i == nc - 1)
                snprintf(hi, sizeof hi, "+inf");
            else
                mlops__num_human(hi, edges[i]);
            int w = (int)(counts[i] * 40 / top);
            printf("  [%10s, %10s) %10llu %.*s\n", lo, hi, (unsigned long long)counts[i], w,
                   "########################################");
        }
    }
    return CLI_OK;
}

static int show_categorical(const mlops_profile *p, const cli_global *g)
{
    size_t n = mlops_profile_info(p)->category_size, got = 0;
    int64_t *codes = malloc((n ? n : 1) * sizeof *codes);
    uint64_t *counts = malloc((n ? n : 1) * sizeof *counts);
    if (!codes || !counts) {
        free(codes);
        free(counts);
        fprintf(stderr, "mlops profile: out of memory\n");
        return CLI_USAGE;
    }
    int rc = mlops_profile_categories(codes, counts, n, &got, p);
    if (rc != 0) {
        free(codes);
        free(counts);
        return cli_library_error("profile", rc);
    }
    /* most frequent first */
    for (size_t i = 1; i < got; i++)
        for (size_t j = i; j > 0 && counts[j] > counts[j - 1]; j--) {
            uint64_t c = counts[j];
            counts[j] = counts[j - 1];
            counts[j - 1] = c;
            int64_t k = codes[j];
            codes[j] = codes[j - 1];
            codes[j - 1] = k;
        }
    if (g->json) {
        printf("{\"kind\":\"categorical\",\"count\":%llu,\"error\":%llu,\"categories\":[",
               (unsigned long long)mlops_profile_info(p)->count,
               (unsigned long long)mlops_profile_info(p)->category_error);
        for (size_t i = 0; i < got; i++)
            printf("%s{\"code\":%lld,\"count\":%llu}", i ? "," : "", (long long)codes[i],
                   (unsigned long long)counts[i]);
        printf("]}\n");
    } else {
        printf("%-12s categorical\n", "kind");
        printf("%-12s %llu\n", "count", (unsigned long long)mlops_profile_info(p)->count);
        printf("%-12s %zu (count error bound %llu)\n", "categories", got,
               (unsigned long long)mlops_profile_info(p)->category_error);
        for (size_t i = 0; i < got && i < 20; i++)
            printf("  %20lld %10llu\n", (long long)codes[i], (unsigned long long)counts[i]);
        if (got > 20)
            printf("  ... %zu more\n", got - 20);
    }
    free(codes);
    free(counts);
    return CLI_OK;
}

int cli_cmd_profile(int argc, char **argv, const cli_global *g0)
{
    cli_global g = *g0;
    const char *column = NULL, *out = NULL, *k = NULL, *seed = NULL, *bins = NULL,
               *cap = NULL, *edges_from = NULL, *delim = NULL;
    const cli_opt opts[] = { { "--column", &column, NULL }, { "--output", &out, NULL },
                             { "-o", &out, NULL },          { "--k", &k, NULL },
                             { "--seed", &seed, NULL },     { "--bins", &bins, NULL },
                             { "--category-cap", &cap, NULL },
                             { "--edges-from", &edges_from, NULL },
                             { "--delimiter", &delim, NULL }, { NULL, NULL, NULL } };
    int h = cli_help_or_go(cli_parse("profile", &argc, argv, &g, opts), usage);
    if (h >= 0)
        return h;
    if (argc < 2)
        return cli_usage_error("profile", "expected build, merge or show");
    const char *sub = argv[1];
    argc -= 2;
    argv += 2;
    if (strcmp(sub, "build") == 0)
        return build(argc, argv, &g, column, out, k, seed, bins, cap, edges_from, delim);
    if (strcmp(sub, "merge") == 0)
        return merge(argc, argv, &g, out);
    if (strcmp(sub, "show") == 0) {
        if (argc != 1)
            return cli_usage_error("profile", "show takes one PROFILE");
        mlops_profile *p = NULL;
        int rc = cli_profile_load(&p, argv[0], "profile");
        if (rc != CLI_OK)
            return rc;
        rc = mlops_profile_info(p)->kind == MLOPS_PROFILE_NUMERIC ? show_numeric(p, &g)
                                                             : show_categorical(p, &g);
        mlops_profile_free(p);
        return rc;
    }
    return cli_usage_error("profile", "unknown subcommand '%s' (expected build, merge or show)",
                           sub);
}
