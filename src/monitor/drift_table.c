/*
 * Many features at once: per-column results on worker threads, then the
 * dataset verdict (share of drifted columns or a multiple-testing rule).
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * Columns are handed out one at a time from an atomic counter, so two
 * threads stay busy whatever the per-column cost. A worker's failure is
 * copied out of its thread-local error record and re-recorded on the
 * calling thread.
 */
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/json.h"
#include "core/options.h"
#include "monitor/drift_internal.h"

#define MAX_THREADS 64
#define DEFAULT_THREADS 2

struct mlops_drift_table_result {
    size_t n_cols;
    mlops_drift_result **cols;
    double *adjusted;
    unsigned char *col_drifted;
    size_t drifted_count;
    double drifted_share;
    int drifted;
    uint32_t rule;
    /* The public summary and rows, filled by decide(). */
    struct mlops_drift_table_result_info info;
    struct mlops_drift_table_result_column_info *col_info; /* n_cols */
};

typedef struct table_job {
    const double *ref, *cur;
    size_t n_ref, n_cur, n_cols;
    const int *metrics;
    const mlops_drift_options *o;
    mlops_drift_result **cols;
    atomic_size_t next;
    atomic_int stop;
    pthread_mutex_t lock;
    int err_code;
    size_t err_col;
    char err_msg[512];
} table_job;

static void record_failure(table_job *job, size_t col, int code)
{
    pthread_mutex_lock(&job->lock);
    if (!job->err_code) {
        job->err_code = code;
        job->err_col = col;
        snprintf(job->err_msg, sizeof job->err_msg, "%s", mlops_error_last());
    }
    pthread_mutex_unlock(&job->lock);
    atomic_store(&job->stop, 1);
}

static void *worker(void *arg)
{
    table_job *job = arg;
    for (;;) {
        if (atomic_load(&job->stop))
            break;
        size_t j = atomic_fetch_add(&job->next, 1);
        if (j >= job->n_cols)
            break;
        int metric = job->metrics ? job->metrics[j] : MLOPS_DRIFT_AUTO;
        int rc = mlops__drift_numeric_run(&job->cols[j], metric, job->ref + j * job->n_ref,
                                          job->n_ref, job->cur + j * job->n_cur, job->n_cur,
                                          job->o, 0);
        if (rc)
            record_failure(job, j, rc);
    }
    return NULL;
}

void mlops_drift_table_result_free(mlops_drift_table_result *t)
{
    if (!t)
        return;
    if (t->cols)
        for (size_t i = 0; i < t->n_cols; i++)
            mlops_drift_result_free(t->cols[i]);
    mlops__free(t->cols);
    mlops__free(t->adjusted);
    mlops__free(t->col_drifted);
    mlops__free(t->col_info);
    mlops__free(t);
}

static const mlops_drift_table_options table_defaults = MLOPS_DRIFT_TABLE_OPTIONS_INIT;
#define TABLE_OPTIONS_V1_SIZE sizeof(mlops_drift_table_options)

int mlops_drift_table_options_init(mlops_drift_table_options *opts, size_t size)
{
    return mlops__options_init(opts, size, &table_defaults, sizeof table_defaults,
                               TABLE_OPTIONS_V1_SIZE, "mlops_drift_table_options");
}

static int load_table_options(mlops_drift_table_options *o,
                              const mlops_drift_table_options *opts)
{
    *o = table_defaults;
    int rc = mlops__options_load(o, sizeof *o, opts, MLOPS_DRIFT_TABLE_OPTIONS_VERSION,
                                 TABLE_OPTIONS_V1_SIZE, "mlops_drift_table_options");
    if (rc)
        return rc;
    MLOPS__CHECK_FLAGS(o->flags, 0);
    if (o->rule > MLOPS_DRIFT_RULE_BH)
        return mlops__error(MLOPS_E_INVALID, "table options: unknown rule %u",
                            (unsigned)o->rule);
    if (!(o->drift_share > 0 && o->drift_share <= 1))
        return mlops__error(MLOPS_E_INVALID, "table options: drift_share must be in (0, 1]");
    if (!(o->alpha > 0 && o->alpha < 1))
        return mlops__error(MLOPS_E_INVALID, "table options: alpha must be in (0, 1)");
    if (isinf(o->effect_floor))
        return mlops__error(MLOPS_E_INVALID, "table options: effect_floor must be finite or NaN");
    if (o->threads > MAX_THREADS)
        return mlops__error(MLOPS_E_INVALID, "table options: at most %d threads", MAX_THREADS);
    return 0;
}

static int run_columns(table_job *job, unsigned threads)
{
    if (threads <= 1) {
        worker(job);
        return 0;
    }
    pthread_t tid[MAX_THREADS];
    unsigned started = 0;
    /* The calling thread works too: threads - 1 helpers. A helper that
     * cannot be started (EAGAIN: a thread limit) is done without: the
     * columns are taken from a shared counter, so fewer workers, down to the
     * calling thread alone, compute the same table. */
    for (unsigned i = 0; i + 1 < threads; i++) {
        if (pthread_create(&tid[started], NULL, worker, job) != 0)
            break;
        started++;
    }
    worker(job);
    for (unsigned i = 0; i < started; i++)
        pthread_join(tid[i], NULL);
    return 0;
}

static int decide(mlops_drift_table_result *t, const mlops_drift_table_options *o)
{
    size_t n = t->n_cols;
    for (size_t i = 0; i < n; i++)
        t->adjusted[i] = t->cols[i]->pvalue;
    if (o->rule != MLOPS_DRIFT_RULE_SHARE) {
        size_t m = 0;
        for (size_t i = 0; i < n; i++)
            m += mlops__drift_metric_has_pvalue(t->cols[i]->metric) ? 1 : 0;
        if (m) {
            double *p = mlops__reallocarray(NULL, m, sizeof *p);
            if (!p)
                return mlops__error_nomem();
            size_t k = 0;
            for (size_t i = 0; i < n; i++)
                if (mlops__drift_metric_has_pvalue(t->cols[i]->metric))
                    p[k++] = t->cols[i]->pvalue;
            int method = o->rule == MLOPS_DRIFT_RULE_BONFERRONI ? MLOPS_PVALUE_BONFERRONI
                         : o->rule == MLOPS_DRIFT_RULE_HOLM     ? MLOPS_PVALUE_HOLM
                                                                 : MLOPS_PVALUE_BH;
            int rc = mlops_drift_pvalue_adjust(p, p, m, method);
            if (rc) {
                mlops__free(p);
                return rc;
            }
            k = 0;
            for (size_t i = 0; i < n; i++)
                if (mlops__drift_metric_has_pvalue(t->cols[i]->metric))
                    t->adjusted[i] = p[k++];
            mlops__free(p);
        }
    }
    size_t count = 0;
    for (size_t i = 0; i < n; i++) {
        const mlops_drift_result *r = t->cols[i];
        int d;
        if (o->rule != MLOPS_DRIFT_RULE_SHARE && mlops__drift_metric_has_pvalue(r->metric))
            d = t->adjusted[i] < o->alpha;
        else
            d = r->drifted;
        if (d && !isnan(o->effect_floor))
            d = fabs(r->statistic) > o->effect_floor;
        t->col_drifted[i] = (unsigned char)d;
        count += (size_t)d;
    }
    t->drifted_count = count;
    t->drifted_share = (double)count / (double)n;
    t->drifted = o->rule == MLOPS_DRIFT_RULE_SHARE ? t->drifted_share >= o->drift_share
                                                   : count > 0;
    t->rule = o->rule;
    struct mlops_drift_table_result_info *ti = &t->info;
    memset(ti, 0, sizeof *ti);
    ti->version = MLOPS_DRIFT_TABLE_RESULT_INFO_VERSION;
    ti->size = (uint32_t)sizeof *ti;
    ti->columns = n;
    ti->drifted_count = t->drifted_count;
    ti->drifted_share = t->drifted_share;
    ti->drifted = t->drifted;
    ti->rule = (int)t->rule;
    for (size_t i = 0; i < n; i++) {
        struct mlops_drift_table_result_column_info *ci = &t->col_info[i];
        memset(ci, 0, sizeof *ci);
        ci->version = MLOPS_DRIFT_TABLE_RESULT_COLUMN_INFO_VERSION;
        ci->size = (uint32_t)sizeof *ci;
        ci->result = t->cols[i];
        ci->adjusted_pvalue = t->adjusted[i];
        ci->drifted = t->col_drifted[i];
    }
    return 0;
}

int mlops_drift_table(mlops_drift_table_result **out, const double *ref, size_t n_ref,
                      const double *cur, size_t n_cur, size_t n_cols, const int *metrics,
                      const mlops_drift_table_options *opts)
{
    MLOPS__CHECK_ARG(out);
    mlops_drift_table_options o;
    int rc = load_table_options(&o, opts);
    if (rc)
        return rc;
    mlops_drift_options co;
    rc = mlops__drift_options_load(&co, o.column_options);
    if (rc)
        return rc;
    if (n_cols == 0)
        return mlops__error(MLOPS_E_INVALID, "a drift table needs at least one column");
    if ((n_ref > 0 && !ref) || (n_cur > 0 && !cur))
        return mlops__error(MLOPS_E_INVALID, "%s table is NULL with %zu rows",
                            (n_ref > 0 && !ref) ? "reference" : "current",
                            (n_ref > 0 && !ref) ? n_ref : n_cur);
    if ((n_ref && n_cols > SIZE_MAX / n_ref) || (n_cur && n_cols > SIZE_MAX / n_cur))
        return mlops__error(MLOPS_E_LIMIT, "table size overflows");
    if (metrics)
        for (size_t j = 0; j < n_cols; j++)
            if (metrics[j] < 0 || metrics[j] >= MLOPS_DRIFT_METRIC_COUNT)
                return mlops__error(MLOPS_E_INVALID, "column %zu: unknown drift metric %d", j,
                                    metrics[j]);
    mlops_drift_table_result *t = mlops__calloc(1, sizeof *t);
    if (!t)
        return mlops__error_nomem();
    t->n_cols = n_cols;
    t->cols = mlops__calloc(n_cols, sizeof *t->cols);
    t->adjusted = mlops__reallocarray(NULL, n_cols, sizeof *t->adjusted);
    t->col_drifted = mlops__calloc(n_cols, 1);
    t->col_info = mlops__calloc(n_cols, sizeof *t->col_info);
    if (!t->cols || !t->adjusted || !t->col_drifted || !t->col_info) {
        mlops_drift_table_result_free(t);
        return mlops__error_nomem();
    }
    table_job job;
    memset(&job, 0, sizeof job);
    job.ref = ref;
    job.cur = cur;
    job.n_ref = n_ref;
    job.n_cur = n_cur;
    job.n_cols = n_cols;
    job.metrics = metrics;
    job.o = &co;
    job.cols = t->cols;
    atomic_init(&job.next, 0);
    atomic_init(&job.stop, 0);
    if (pthread_mutex_init(&job.lock, NULL) != 0) {
        mlops_drift_table_result_free(t);
        return mlops__error(MLOPS_E_INTERNAL, "cannot create a mutex");
    }
    unsigned threads = o.threads ? o.threads : DEFAULT_THREADS;
    if (threads > n_cols)
        threads = (unsigned)n_cols;
    rc = run_columns(&job, threads);
    pthread_mutex_destroy(&job.lock);
    if (!rc && job.err_code) {
        if (job.err_code == MLOPS_E_NOMEM)
            rc = mlops__error_nomem();
        else
            rc = mlops__error(job.err_code, "column %zu: %s", job.err_col, job.err_msg);
    }
    if (!rc)
        rc = decide(t, &o);
    if (rc) {
        mlops_drift_table_result_free(t);
        return rc;
    }
    *out = t;
    return 0;
}

const struct mlops_drift_table_result_info *
mlops_drift_table_result_info(const mlops_drift_table_result *t)
{
    return t ? &t->info : NULL;
}

const struct mlops_drift_table_result_column_info *
mlops_drift_table_result_column_info(const mlops_drift_table_result *t, size_t i)
{
    return (t && i < t->n_cols) ? &t->col_info[i] : NULL;
}

size_t mlops_drift_table_result_columns(const mlops_drift_table_result *t)
{
    return t ? t->n_cols : 0;
}

const mlops_drift_result *mlops_drift_table_result_column(const mlops_drift_table_result *t,
                                                          size_t i)
{
    return (t && i < t->n_cols) ? t->cols[i] : NULL;
}

int mlops_drift_table_result_column_drifted(const mlops_drift_table_result *t, size_t i)
{
    return (t && i < t->n_cols) ? t->col_drifted[i] : 0;
}

double mlops_drift_table_result_adjusted_pvalue(const mlops_drift_table_result *t, size_t i)
{
    return (t && i < t->n_cols) ? t->adjusted[i] : NAN;
}

size_t mlops_drift_table_result_drifted_count(const mlops_drift_table_result *t)
{
    return t ? t->drifted_count : 0;
}

double mlops_drift_table_result_drifted_share(const mlops_drift_table_result *t)
{
    return t ? t->drifted_share : NAN;
}

int mlops_drift_table_result_drifted(const mlops_drift_table_result *t)
{
    return t ? t->drifted : 0;
}

static const char *rule_name(uint32_t rule)
{
    static const char *const names[] = {"share", "bonferroni", "holm", "bh"};
    return rule <= MLOPS_DRIFT_RULE_BH ? names[rule] : "unknown";
}

int mlops_drift_table_result_write_json(mlops_buf *out, const mlops_drift_table_result *t, uint32_t flags)
{
    MLOPS__CHECK_ARG(t);
    MLOPS__CHECK_ARG(out);
    MLOPS__CHECK_FLAGS(flags, MLOPS_JSON_PRETTY);
    mlops_buf b = MLOPS_BUF_INIT;
    int rc = mlops__buf_printf(&b,
                               "{\"rule\":\"%s\",\"drifted\":%s,\"drifted_count\":%zu,"
                               "\"drifted_share\":%.17g,\"columns\":[",
                               rule_name(t->rule), t->drifted ? "true" : "false",
                               t->drifted_count, t->drifted_share);
    for (size_t i = 0; !rc && i < t->n_cols; i++) {
        rc = mlops__buf_append_str(&b, i ? ",{" : "{");
        if (!rc)
            rc = mlops__drift_result_json_members(t->cols[i], &b);
        if (!rc) {
            rc = mlops__buf_append_str(&b, ",\"adjusted_pvalue\":");
            if (!rc)
                rc = mlops__drift_json_double(&b, t->adjusted[i]);
        }
        if (!rc)
            rc = mlops__buf_printf(&b, ",\"column_drifted\":%s}",
                                   t->col_drifted[i] ? "true" : "false");
    }
    if (!rc)
        rc = mlops__buf_append_str(&b, "]}");
    if (!rc)
        rc = mlops__json_append_as(out, b.data, b.size, flags);
    mlops_buf_dispose(&b);
    return rc;
}
