/*
 * Drift results: the object, its verdict, accessors and JSON form; options.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <math.h>
#include <string.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/json.h"
#include "core/options.h"
#include "monitor/drift_internal.h"

static const char *const metric_names[MLOPS_DRIFT_METRIC_COUNT] = {
    "auto", "ks", "wasserstein", "wasserstein_normed", "energy", "cvm", "psi",
    "kl", "js", "hellinger", "tvd", "linf", "chi2", "ztest",
};

const char *mlops_drift_metric_name(int metric)
{
    if (metric < 0 || metric >= MLOPS_DRIFT_METRIC_COUNT)
        return "unknown";
    return metric_names[metric];
}

int mlops__drift_metric_has_pvalue(int metric)
{
    return metric == MLOPS_DRIFT_KS || metric == MLOPS_DRIFT_CVM ||
           metric == MLOPS_DRIFT_CHI2 || metric == MLOPS_DRIFT_ZTEST;
}

int mlops__drift_metric_is_share(int metric)
{
    return metric >= MLOPS_DRIFT_PSI && metric <= MLOPS_DRIFT_LINF;
}

double mlops__drift_default_threshold(int metric)
{
    return mlops__drift_metric_has_pvalue(metric) ? 0.05 : 0.1;
}

mlops_drift_result *mlops__drift_result_alloc(int metric)
{
    mlops_drift_result *r = mlops__calloc(1, sizeof *r);
    if (!r) {
        mlops__error_nomem();
        return NULL;
    }
    r->metric = metric;
    r->pvalue = NAN;
    r->smoothing = NAN;
    r->js_base = NAN;
    r->unseen_share = NAN;
    r->pvalue_method = MLOPS_DRIFT_PVALUE_NONE;
    return r;
}

int mlops__drift_result_decide(mlops_drift_result *r, double threshold_opt)
{
    double th = isnan(threshold_opt) ? mlops__drift_default_threshold(r->metric)
                                     : threshold_opt;
    r->threshold = th;
    /* A NaN compares false both ways: a verdict from it would be "no drift"
     * for a statistic nobody computed. Fail instead (fail closed). +inf is a
     * value (an empty bin without smoothing) and drifts. */
    if (isnan(r->statistic))
        return mlops__error(MLOPS_E_DOMAIN,
                            "%s: the statistic is not computable on these samples (NaN; "
                            "for example values whose differences overflow)",
                            mlops_drift_metric_name(r->metric));
    if (mlops__drift_metric_has_pvalue(r->metric)) {
        if (isnan(r->pvalue))
            return mlops__error(MLOPS_E_DOMAIN,
                                "%s: the p-value is not computable (statistic %.17g)",
                                mlops_drift_metric_name(r->metric), r->statistic);
        r->direction = MLOPS_DRIFT_PVALUE_LT;
        r->drifted = r->pvalue < th;
    } else {
        r->direction = MLOPS_DRIFT_STATISTIC_GE;
        r->drifted = r->statistic >= th;
    }
    mlops__drift_result_seal(r);
    return 0;
}

void mlops__drift_result_seal(mlops_drift_result *r)
{
    struct mlops_drift_result_info *i = &r->info;
    memset(i, 0, sizeof *i);
    i->version = MLOPS_DRIFT_RESULT_INFO_VERSION;
    i->size = (uint32_t)sizeof *i;
    i->metric = r->metric;
    i->pvalue_method = r->pvalue_method;
    i->direction = r->direction;
    i->drifted = r->drifted;
    i->statistic = r->statistic;
    i->pvalue = r->pvalue;
    i->threshold = r->threshold;
    i->smoothing = r->smoothing;
    i->js_base = r->js_base;
    i->unseen_share = r->unseen_share;
    i->n_ref = r->n_ref;
    i->n_cur = r->n_cur;
    i->missing_ref = r->missing_ref;
    i->missing_cur = r->missing_cur;
    i->dof = r->dof;
    i->bins = r->bins;
    i->edges = r->edges;
    i->n_edges = r->edges ? r->bins - 1 : 0;
    i->ref_counts = r->ref_counts;
    i->cur_counts = r->cur_counts;
    i->categories = r->categories;
}

const struct mlops_drift_result_info *mlops_drift_result_info(const mlops_drift_result *r)
{
    return r ? &r->info : NULL;
}

static const mlops_drift_options default_options = MLOPS_DRIFT_OPTIONS_INIT;
#define OPTIONS_V1_SIZE sizeof(mlops_drift_options)

int mlops_drift_options_init(mlops_drift_options *opts, size_t size)
{
    return mlops__options_init(opts, size, &default_options, sizeof default_options,
                               OPTIONS_V1_SIZE, "mlops_drift_options");
}

int mlops__drift_options_load(mlops_drift_options *o, const mlops_drift_options *opts)
{
    *o = default_options;
    int rc = mlops__options_load(o, sizeof *o, opts, MLOPS_DRIFT_OPTIONS_VERSION,
                                 OPTIONS_V1_SIZE, "mlops_drift_options");
    if (rc)
        return rc;
    MLOPS__CHECK_FLAGS(o->flags, MLOPS_DRIFT_REJECT_NONFINITE);
    if (o->binning > MLOPS_DRIFT_BINS_EDGES)
        return mlops__error(MLOPS_E_INVALID, "options: unknown binning %u",
                            (unsigned)o->binning);
    if (o->binning != MLOPS_DRIFT_BINS_EDGES && (o->bins == 0 || o->bins > 1000000))
        return mlops__error(MLOPS_E_INVALID,
                            "options: bins must be in 1..1000000 (got %zu)", o->bins);
    if (!(o->smoothing >= 0) || isinf(o->smoothing))
        return mlops__error(MLOPS_E_INVALID, "options: smoothing must be finite and >= 0");
    if (!(o->js_base > 0) || o->js_base == 1.0 || isinf(o->js_base))
        return mlops__error(MLOPS_E_INVALID, "options: js_base must be > 0 and != 1");
    if (isinf(o->threshold))
        return mlops__error(MLOPS_E_INVALID, "options: threshold must be finite or NaN");
    if (o->ks_mode > MLOPS_DRIFT_KS_ASYMPTOTIC)
        return mlops__error(MLOPS_E_INVALID, "options: unknown ks_mode %u",
                            (unsigned)o->ks_mode);
    return 0;
}

void mlops_drift_result_free(mlops_drift_result *r)
{
    if (!r)
        return;
    mlops__free(r->edges);
    mlops__free(r->ref_counts);
    mlops__free(r->cur_counts);
    mlops__free(r->categories);
    mlops__free(r);
}

int mlops_drift_result_metric(const mlops_drift_result *r) { return r ? r->metric : -1; }
double mlops_drift_result_statistic(const mlops_drift_result *r) { return r ? r->statistic : NAN; }
double mlops_drift_result_pvalue(const mlops_drift_result *r) { return r ? r->pvalue : NAN; }
int mlops_drift_result_pvalue_method(const mlops_drift_result *r)
{
    return r ? r->pvalue_method : MLOPS_DRIFT_PVALUE_NONE;
}
double mlops_drift_result_threshold(const mlops_drift_result *r) { return r ? r->threshold : NAN; }
int mlops_drift_result_direction(const mlops_drift_result *r) { return r ? r->direction : 0; }
int mlops_drift_result_drifted(const mlops_drift_result *r) { return r ? r->drifted : 0; }
uint64_t mlops_drift_result_missing_ref(const mlops_drift_result *r) { return r ? r->missing_ref : 0; }
uint64_t mlops_drift_result_missing_cur(const mlops_drift_result *r) { return r ? r->missing_cur : 0; }
uint64_t mlops_drift_result_n_ref(const mlops_drift_result *r) { return r ? r->n_ref : 0; }
uint64_t mlops_drift_result_n_cur(const mlops_drift_result *r) { return r ? r->n_cur : 0; }
double mlops_drift_result_smoothing(const mlops_drift_result *r) { return r ? r->smoothing : NAN; }
double mlops_drift_result_js_base(const mlops_drift_result *r) { return r ? r->js_base : NAN; }
uint64_t mlops_drift_result_dof(const mlops_drift_result *r) { return r ? r->dof : 0; }
double mlops_drift_result_unseen_share(const mlops_drift_result *r)
{
    return r ? r->unseen_share : NAN;
}
size_t mlops_drift_result_bins(const mlops_drift_result *r) { return r ? r->bins : 0; }

const double *mlops_drift_result_edges(size_t *n, const mlops_drift_result *r)
{
    size_t ne = (r && r->edges) ? r->bins - 1 : 0;
    if (n)
        *n = ne;
    return r ? r->edges : NULL;
}

const uint64_t *mlops_drift_result_ref_counts(const mlops_drift_result *r)
{
    return r ? r->ref_counts : NULL;
}

const uint64_t *mlops_drift_result_cur_counts(const mlops_drift_result *r)
{
    return r ? r->cur_counts : NULL;
}

const int64_t *mlops_drift_result_categories(const mlops_drift_result *r)
{
    return r ? r->categories : NULL;
}

/* ---- JSON ------------------------------------------------------------- */

/* JSON has no non-finite numbers. As in the policy formats: NaN (no value,
 * e.g. the p-value of a metric without one) is null, infinities are the
 * strings "Infinity" / "-Infinity" (docs/drift-contract.md, "Thresholds"). */
int mlops__drift_json_double(mlops_buf *b, double v)
{
    if (isnan(v))
        return mlops__buf_append_str(b, "null");
    if (isinf(v))
        return mlops__buf_append_str(b, v > 0 ? "\"Infinity\"" : "\"-Infinity\"");
    return mlops__buf_printf(b, "%.17g", v);
}

static int put_double(mlops_buf *b, double v)
{
    return mlops__drift_json_double(b, v);
}

static int put_key_double(mlops_buf *b, const char *key, double v)
{
    int rc = mlops__buf_printf(b, ",\"%s\":", key);
    return rc ? rc : put_double(b, v);
}

static int put_u64_array(mlops_buf *b, const char *key, const uint64_t *a, size_t n)
{
    int rc = mlops__buf_printf(b, ",\"%s\":[", key);
    for (size_t i = 0; !rc && i < n; i++)
        rc = mlops__buf_printf(b, i ? ",%llu" : "%llu", (unsigned long long)a[i]);
    return rc ? rc : mlops__buf_append_byte(b, ']');
}

static const char *pvalue_method_name(int m)
{
    return m == MLOPS_DRIFT_PVALUE_EXACT ? "exact"
           : m == MLOPS_DRIFT_PVALUE_ASYMPTOTIC ? "asymptotic" : "none";
}

int mlops__drift_result_json_members(const mlops_drift_result *r, mlops_buf *b)
{
    int rc = mlops__buf_printf(b, "\"metric\":\"%s\",\"statistic\":",
                               mlops_drift_metric_name(r->metric));
    if (!rc)
        rc = put_double(b, r->statistic);
    if (!rc)
        rc = put_key_double(b, "pvalue", r->pvalue);
    if (!rc)
        rc = mlops__buf_printf(b, ",\"pvalue_method\":\"%s\"",
                               pvalue_method_name(r->pvalue_method));
    if (!rc)
        rc = put_key_double(b, "threshold", r->threshold);
    if (!rc)
        rc = mlops__buf_printf(b,
                               ",\"direction\":\"%s\",\"drifted\":%s,\"n_ref\":%llu,"
                               "\"n_cur\":%llu,\"missing_ref\":%llu,\"missing_cur\":%llu",
                               r->direction == MLOPS_DRIFT_PVALUE_LT ? "<" : ">=",
                               r->drifted ? "true" : "false",
                               (unsigned long long)r->n_ref, (unsigned long long)r->n_cur,
                               (unsigned long long)r->missing_ref,
                               (unsigned long long)r->missing_cur);
    if (!rc && r->bins)
        rc = mlops__buf_printf(b, ",\"bins\":%zu", r->bins);
    if (!rc && !isnan(r->smoothing))
        rc = put_key_double(b, "smoothing", r->smoothing);
    if (!rc && !isnan(r->js_base))
        rc = put_key_double(b, "js_base", r->js_base);
    if (!rc && r->edges) {
        rc = mlops__buf_append_str(b, ",\"edges\":[");
        for (size_t i = 0; !rc && i + 1 < r->bins; i++) {
            if (i)
                rc = mlops__buf_append_byte(b, ',');
            if (!rc)
                rc = put_double(b, r->edges[i]);
        }
        if (!rc)
            rc = mlops__buf_append_byte(b, ']');
    }
    if (!rc && r->categories) {
        rc = mlops__buf_append_str(b, ",\"categories\":[");
        for (size_t i = 0; !rc && i < r->bins; i++)
            rc = mlops__buf_printf(b, i ? ",%lld" : "%lld", (long long)r->categories[i]);
        if (!rc)
            rc = mlops__buf_append_byte(b, ']');
    }
    if (!rc && r->ref_counts)
        rc = put_u64_array(b, "ref_counts", r->ref_counts, r->bins);
    if (!rc && r->cur_counts)
        rc = put_u64_array(b, "cur_counts", r->cur_counts, r->bins);
    if (!rc && !isnan(r->unseen_share))
        rc = put_key_double(b, "unseen_share", r->unseen_share);
    if (!rc && r->metric == MLOPS_DRIFT_CHI2)
        rc = mlops__buf_printf(b, ",\"dof\":%llu", (unsigned long long)r->dof);
    return rc;
}

int mlops_drift_result_write_json(mlops_buf *out, const mlops_drift_result *r, uint32_t flags)
{
    MLOPS__CHECK_ARG(r);
    MLOPS__CHECK_ARG(out);
    MLOPS__CHECK_FLAGS(flags, MLOPS_JSON_PRETTY);
    mlops_buf b = MLOPS_BUF_INIT;
    int rc = mlops__buf_append_byte(&b, '{');
    if (!rc)
        rc = mlops__drift_result_json_members(r, &b);
    if (!rc)
        rc = mlops__buf_append_byte(&b, '}');
    if (!rc)
        rc = mlops__json_append_as(out, b.data, b.size, flags);
    mlops_buf_dispose(&b);
    return rc;
}
