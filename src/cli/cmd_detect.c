/*
 * `mlops detect`: run a change detector over a column, print change points,
 * optionally resume from and save the detector's state.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "input.h"

static const char usage[] =
    "usage: mlops detect INPUT [--column NAME] [--detector NAME] [--state-in FILE]\n"
    "                    [--state-out FILE] [--delta X] [--threshold X] [--alpha X]\n"
    "                    [--min-instances N] [--window-size N] [--stat-size N] [--seed N]\n"
    "                    [--delimiter C]\n"
    "\n"
    "Feed the values of INPUT (a CSV column or a 1-D .npy file; '-' reads standard\n"
    "input, CSV or .npy by its first bytes) in order to a change\n"
    "detector and print the positions (0-based rows of INPUT) where it flagged a\n"
    "change, and for ddm/eddm its warnings.\n"
    "\n"
    "  --detector NAME    adwin (default), page-hinkley, ddm, eddm or kswin;\n"
    "                     ddm and eddm take 0/1 values (1 = an error)\n"
    "  --state-in FILE    resume the detector saved by an earlier --state-out\n"
    "                     (its type and parameters come from the file)\n"
    "  --state-out FILE   save the detector's whole state after the input\n"
    "  --delta X          adwin delta (0.002) or page-hinkley delta (0.005)\n"
    "  --threshold X      page-hinkley lambda (50)\n"
    "  --alpha X          kswin p-value threshold (0.005) or page-hinkley forgetting\n"
    "                     factor (0.9999)\n"
    "  --min-instances N  page-hinkley, ddm, eddm warm start (30)\n"
    "  --window-size N, --stat-size N, --seed N   kswin (100, 30, 0)\n"
    "  --delimiter C      CSV field separator: one byte (default ','), '\\t' for a tab\n"
    "Defaults are river's. Non-finite values are counted and skipped.\n"
    "\n"
    "exit status: 0 no change flagged; 1 a change was flagged; 2 usage or input error.\n";

static const struct {
    const char *name;
    int type;
} detectors[] = { { "adwin", MLOPS_DETECT_ADWIN },
                  { "page-hinkley", MLOPS_DETECT_PAGE_HINKLEY },
                  { "ddm", MLOPS_DETECT_DDM },
                  { "eddm", MLOPS_DETECT_EDDM },
                  { "kswin", MLOPS_DETECT_KSWIN } };

static const char *detector_name(int type)
{
    for (size_t i = 0; i < sizeof detectors / sizeof detectors[0]; i++)
        if (detectors[i].type == type)
            return detectors[i].name;
    return "unknown";
}

static void print_positions(const char *label, const size_t *pos, size_t n, size_t shown)
{
    printf("%s", label);
    for (size_t i = 0; i < n && i < shown; i++)
        printf("%s%zu", i ? ", " : " ", pos[i]);
    if (n > shown)
        printf(", ... (%zu in all)", n);
    printf("\n");
}

int cli_cmd_detect(int argc, char **argv, const cli_global *g0)
{
    cli_global g = *g0;
    const char *column = NULL, *det = NULL, *state_in = NULL, *state_out = NULL,
               *delta = NULL, *threshold = NULL, *alpha = NULL, *min_inst = NULL,
               *wsize = NULL, *ssize = NULL, *seed = NULL, *delim_s = NULL;
    const cli_opt opts[] = { { "--column", &column, NULL },
                             { "--detector", &det, NULL },
                             { "--state-in", &state_in, NULL },
                             { "--state-out", &state_out, NULL },
                             { "--delta", &delta, NULL },
                             { "--threshold", &threshold, NULL },
                             { "--alpha", &alpha, NULL },
                             { "--min-instances", &min_inst, NULL },
                             { "--window-size", &wsize, NULL },
                             { "--stat-size", &ssize, NULL },
                             { "--seed", &seed, NULL },
                             { "--delimiter", &delim_s, NULL },
                             { NULL, NULL, NULL } };
    int h = cli_help_or_go(cli_parse("detect", &argc, argv, &g, opts), usage);
    if (h >= 0)
        return h;
    if (argc != 2)
        return cli_usage_error("detect", "expected one INPUT");
    const char *input = argv[1];
    char delim = 0;
    if (delim_s && cli_parse_delimiter(delim_s, &delim) != 0)
        return cli_usage_error("detect", "--delimiter: expected one byte such as ';' or '|', "
                                         "or '\\t' for a tab, got '%s'", delim_s);
    mlops_detector *d = NULL;
    char err[1024];
    if (state_in) {
        if (det || delta || threshold || alpha || min_inst || wsize || ssize || seed)
            return cli_usage_error("detect", "--state-in fixes the detector and its "
                                             "parameters; drop --detector and parameters");
        uint8_t *data;
        size_t size;
        if (cli_read_file(&data, &size, state_in, err, sizeof err) != 0)
            return cli_input_error("detect", "%s", err);
        int rc = mlops_detector_parse(&d, data, size);
        free(data);
        if (rc != 0) {
            snprintf(err, sizeof err, "%s: %s", state_in, mlops_error_last());
            return cli_error_as("detect", rc, CLI_INPUT, err);
        }
    } else {
        int type = MLOPS_DETECT_ADWIN;
        if (det) {
            type = 0;
            for (size_t i = 0; i < sizeof detectors / sizeof detectors[0]; i++)
                if (strcmp(det, detectors[i].name) == 0)
                    type = detectors[i].type;
            if (!type)
                return cli_usage_error("detect", "unknown detector '%s' (adwin, page-hinkley, "
                                                 "ddm, eddm, kswin)", det);
        }
        mlops_detector_options o = MLOPS_DETECTOR_OPTIONS_INIT;
        double x;
        uint64_t u;
        if (delta) {
            if (cli_parse_double(delta, &x) != 0)
                return cli_usage_error("detect", "--delta: expected a number, got '%s'", delta);
            o.adwin_delta = x;
            o.ph_delta = x;
        }
        if (threshold) {
            if (cli_parse_double(threshold, &x) != 0)
                return cli_usage_error("detect", "--threshold: expected a number, got '%s'",
                                       threshold);
            o.ph_threshold = x;
        }
        if (alpha) {
            if (cli_parse_double(alpha, &x) != 0)
                return cli_usage_error("detect", "--alpha: expected a number, got '%s'", alpha);
            o.kswin_alpha = x;
            o.ph_alpha = x;
        }
        if (min_inst) {
            if (cli_parse_u64(min_inst, &u) != 0 || u > UINT32_MAX)
                return cli_usage_error("detect", "--min-instances: expected an integer, got '%s'",
                                       min_inst);
            o.ph_min_instances = o.ddm_warm_start = o.eddm_warm_start = (uint32_t)u;
        }
        if (wsize) {
            if (cli_parse_u64(wsize, &u) != 0 || u > UINT32_MAX)
                return cli_usage_error("detect", "--window-size: expected an integer, got '%s'",
                                       wsize);
            o.kswin_window_size = (uint32_t)u;
        }
        if (ssize) {
            if (cli_parse_u64(ssize, &u) != 0 || u > UINT32_MAX)
                return cli_usage_error("detect", "--stat-size: expected an integer, got '%s'",
                                       ssize);
            o.kswin_stat_size = (uint32_t)u;
        }
        if (seed) {
            if (cli_parse_u64(seed, &u) != 0)
                return cli_usage_error("detect", "--seed: expected an integer, got '%s'", seed);
            o.kswin_seed = u;
        }
        int rc = mlops_detector_new(&d, type, &o);
        if (rc != 0)
            return cli_library_error("detect", rc);
    }
    cli_feature f;
    if (cli_feature_load(&f, input, column, delim, err, sizeof err) != 0) {
        fprintf(stderr, "mlops detect: %s\n", err);
        mlops_detector_free(d);
        return CLI_USAGE;
    }
    int status = CLI_USAGE;
    size_t *drifts = NULL, *warns = NULL, nd = 0, nw = 0;
    if (f.categorical) {
        fprintf(stderr, "mlops detect: column '%s' of %s is not numeric: %s:%zu: \"%s\" is not "
                        "a number\n", f.name, cli_display_path(input), cli_display_path(input),
                f.text_line, f.text_value);
        goto out;
    }
    uint64_t before = mlops_detector_info(d)->count;
    drifts = malloc((f.n ? f.n : 1) * sizeof *drifts);
    warns = malloc((f.n ? f.n : 1) * sizeof *warns);
    if (!drifts || !warns) {
        fprintf(stderr, "mlops detect: out of memory\n");
        goto out;
    }
    int rc = mlops_detector_update_warn(drifts, f.n, &nd, warns, f.n, &nw, d, f.values, f.n);
    if (rc != 0) {
        status = cli_library_error("detect", rc);
        goto out;
    }
    if (state_out) {
        mlops_buf buf = MLOPS_BUF_INIT;
        rc = mlops_detector_write(&buf, d, 0);
        if (rc != 0) {
            status = cli_library_error("detect", rc);
            goto out;
        }
        rc = cli_write_file(state_out, buf.data, buf.size, err, sizeof err);
        mlops_buf_dispose(&buf);
        if (rc != 0) {
            status = cli_input_error("detect", "%s", err);
            goto out;
        }
    }
    const struct mlops_detector_info *di = mlops_detector_info(d);
    const char *name = detector_name(di->type);
    if (g.json) {
        printf("{\"detector\":\"%s\",\"input\":", name);
        cli_json_string(stdout, input);
        printf(",\"values\":%zu,\"consumed_before\":%llu,\"nonfinite\":%llu,"
               "\"change_points\":[",
               f.n, (unsigned long long)before,
               (unsigned long long)di->nonfinite_count);
        for (size_t i = 0; i < nd; i++)
            printf("%s%zu", i ? "," : "", drifts[i]);
        printf("],\"warnings\":[");
        for (size_t i = 0; i < nw; i++)
            printf("%s%zu", i ? "," : "", warns[i]);
        printf("],\"drift_detected\":%s,\"total_drifts\":%llu}\n", nd ? "true" : "false",
               (unsigned long long)di->drift_count);
    } else {
        printf("%s over %zu values of '%s'%s: ", name, f.n, f.name,
               state_in ? " (resumed)" : "");
        if (nd)
            printf("%s%zu change point%s%s\n", cli_red(&g), nd, nd == 1 ? "" : "s",
                   cli_reset(&g));
        else
            printf("%sno change%s\n", cli_green(&g), cli_reset(&g));
        if (nd)
            print_positions("change points at rows", drifts, nd, 50);
        if (nw)
            print_positions("warnings at rows", warns, nw, 50);
    }
    status = nd ? CLI_NEGATIVE : CLI_OK;
out:
    free(drifts);
    free(warns);
    cli_feature_free(&f);
    mlops_detector_free(d);
    return status;
}
