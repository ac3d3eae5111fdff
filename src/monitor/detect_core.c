/*
 * Change detectors: creation, bulk update, accessors, saved state.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <math.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/options.h"
#include "monitor/detect_impl.h"

#define STATE_MAGIC "MLDS"
#define STATE_FORMAT_VERSION 1
#define OPTIONS_V1_SIZE (offsetof(mlops_detector_options, kswin_seed) + sizeof(uint64_t))

static const mlops_detector_options default_options = MLOPS_DETECTOR_OPTIONS_INIT;

int mlops_detector_options_init(mlops_detector_options *opts, size_t size)
{
    return mlops__options_init(opts, size, &default_options, sizeof default_options,
                               OPTIONS_V1_SIZE, "mlops_detector_options");
}

static int bad(const char *name, const char *why)
{
    return mlops__error(MLOPS_E_INVALID, "mlops_detector_new: %s %s", name, why);
}

static int validate(int type, const mlops_detector_options *o)
{
    switch (type) {
    case MLOPS_DETECT_ADWIN:
        if (!(o->adwin_delta > 0 && o->adwin_delta < 1))
            return bad("adwin_delta", "must be in (0, 1)");
        if (o->adwin_clock < 1)
            return bad("adwin_clock", "must be at least 1");
        if (o->adwin_max_buckets < 1 || o->adwin_max_buckets > MLOPS__ADWIN_MAX_BUCKETS)
            return bad("adwin_max_buckets", "must be in 1..64");
        if (o->adwin_min_window_length < 1)
            return bad("adwin_min_window_length", "must be at least 1");
        return 0;
    case MLOPS_DETECT_PAGE_HINKLEY:
        if (!isfinite(o->ph_delta) || !(o->ph_threshold >= 0) || !isfinite(o->ph_threshold))
            return bad("ph_delta/ph_threshold", "must be finite (threshold >= 0)");
        if (!(o->ph_alpha > 0 && o->ph_alpha <= 1))
            return bad("ph_alpha", "must be in (0, 1]");
        if (o->ph_mode > MLOPS_PH_DOWN)
            return bad("ph_mode", "is not an mlops_ph_mode");
        return 0;
    case MLOPS_DETECT_DDM:
        if (!isfinite(o->ddm_warning_threshold) || !isfinite(o->ddm_drift_threshold))
            return bad("ddm thresholds", "must be finite");
        return 0;
    case MLOPS_DETECT_EDDM:
        if (!(o->eddm_beta > 0 && o->eddm_beta <= o->eddm_alpha && o->eddm_alpha <= 1))
            return bad("eddm_alpha/eddm_beta", "must satisfy 0 < beta <= alpha <= 1");
        return 0;
    case MLOPS_DETECT_KSWIN:
        if (!(o->kswin_alpha > 0 && o->kswin_alpha < 1))
            return bad("kswin_alpha", "must be in (0, 1)");
        if (o->kswin_window_size < 2 || o->kswin_window_size > MLOPS__KSWIN_MAX_WINDOW)
            return bad("kswin_window_size", "must be in 2..1024");
        if (o->kswin_stat_size < 1 || o->kswin_stat_size > o->kswin_window_size / 2)
            return bad("kswin_stat_size", "must be at least 1 and at most window_size / 2");
        return 0;
    default:
        return mlops__error(MLOPS_E_INVALID, "mlops_detector_new: unknown detector type %d",
                            type);
    }
}

static void reset_state(mlops_detector *d)
{
    d->drift = 0;
    d->warning = 0;
    switch (d->type) {
    case MLOPS_DETECT_ADWIN: mlops__adwin_reset(d); break;
    case MLOPS_DETECT_PAGE_HINKLEY: mlops__ph_reset(d); break;
    case MLOPS_DETECT_DDM: mlops__ddm_reset(d); break;
    case MLOPS_DETECT_EDDM: mlops__eddm_reset(d); break;
    case MLOPS_DETECT_KSWIN: mlops__kswin_reset(d); break;
    }
}

/* Allocate a detector with validated options, in its empty state. */
static int alloc_detector(mlops_detector **out, int type, const mlops_detector_options *o)
{
    mlops_detector *d = mlops__calloc(1, sizeof *d);
    if (!d)
        return mlops__error_nomem();
    d->type = type;
    d->o = *o;
    d->o.version = MLOPS_DETECTOR_OPTIONS_VERSION;
    d->o.size = sizeof d->o;
    int rc = 0;
    if (type == MLOPS_DETECT_ADWIN)
        rc = mlops__adwin_alloc(d);
    else if (type == MLOPS_DETECT_KSWIN)
        rc = mlops__kswin_alloc(d);
    if (rc) {
        mlops_detector_free(d);
        return rc;
    }
    reset_state(d);
    mlops__detector_refresh(d);
    *out = d;
    return 0;
}

int mlops_detector_new(mlops_detector **out, int type, const mlops_detector_options *opts)
{
    MLOPS__CHECK_ARG(out);
    mlops_detector_options o = default_options;
    int rc = mlops__options_load(&o, sizeof o, opts, MLOPS_DETECTOR_OPTIONS_VERSION,
                                 OPTIONS_V1_SIZE, "mlops_detector_options");
    if (rc)
        return rc;
    MLOPS__CHECK_FLAGS(o.flags, 0);
    if ((rc = validate(type, &o)) != 0)
        return rc;
    return alloc_detector(out, type, &o);
}

void mlops_detector_free(mlops_detector *d)
{
    if (!d)
        return;
    mlops__free(d->adwin.count);
    mlops__free(d->adwin.totals);
    mlops__free(d->adwin.vars);
    mlops__free(d->kswin.window);
    mlops__free(d);
}

static void step(mlops_detector *d, double x)
{
    /* river resets a detector on the value after the one that drifted */
    if (d->drift)
        reset_state(d);
    switch (d->type) {
    case MLOPS_DETECT_ADWIN: mlops__adwin_step(d, x); break;
    case MLOPS_DETECT_PAGE_HINKLEY: mlops__ph_step(d, x); break;
    case MLOPS_DETECT_DDM: mlops__ddm_step(d, x); break;
    case MLOPS_DETECT_EDDM: mlops__eddm_step(d, x); break;
    case MLOPS_DETECT_KSWIN: mlops__kswin_step(d, x); break;
    }
}

int mlops_detector_update_warn(size_t *drifts, size_t drift_cap, size_t *n_drifts, size_t *warnings, size_t warning_cap, size_t *n_warnings, mlops_detector *d, const double *values, size_t n)
{
    MLOPS__CHECK_ARG(d);
    if (n > 0)
        MLOPS__CHECK_ARG(values);
    if ((drift_cap && !drifts) || (warning_cap && !warnings))
        return mlops__error(MLOPS_E_INVALID,
                            "mlops_detector_update: a capacity is given without its array");
    if (d->type == MLOPS_DETECT_DDM || d->type == MLOPS_DETECT_EDDM) {
        for (size_t i = 0; i < n; i++)
            if (isfinite(values[i]) && values[i] != 0.0 && values[i] != 1.0)
                return mlops__error(MLOPS_E_DOMAIN,
                                    "mlops_detector_update: %s takes 0 or 1, got %.17g at "
                                    "position %zu",
                                    d->type == MLOPS_DETECT_DDM ? "DDM" : "EDDM", values[i], i);
    }
    size_t nd = 0, nw = 0;
    for (size_t i = 0; i < n; i++) {
        double x = values[i];
        if (!isfinite(x)) {
            d->nonfinite++;
            continue;
        }
        step(d, x);
        d->count++;
        if (d->drift) {
            d->drifts++;
            if (nd < drift_cap)
                drifts[nd] = i;
            nd++;
        }
        if (d->warning) {
            if (nw < warning_cap)
                warnings[nw] = i;
            nw++;
        }
    }
    if (n_drifts)
        *n_drifts = nd;
    if (n_warnings)
        *n_warnings = nw;
    if (n)
        mlops__detector_refresh(d);
    return 0;
}

int mlops_detector_update(size_t *drifts, size_t cap, size_t *n_drifts, mlops_detector *d, const double *values, size_t n)
{
    return mlops_detector_update_warn(drifts, cap, n_drifts, NULL, 0, NULL, d, values, n);
}

int mlops_detector_drift_detected(const mlops_detector *d) { return d ? d->drift : 0; }
int mlops_detector_warning_detected(const mlops_detector *d) { return d ? d->warning : 0; }
int mlops_detector_type_of(const mlops_detector *d) { return d ? d->type : 0; }
uint64_t mlops_detector_count(const mlops_detector *d) { return d ? d->count : 0; }
uint64_t mlops_detector_nonfinite_count(const mlops_detector *d) { return d ? d->nonfinite : 0; }
uint64_t mlops_detector_drift_count(const mlops_detector *d) { return d ? d->drifts : 0; }

uint64_t mlops_detector_width(const mlops_detector *d)
{
    if (!d)
        return 0;
    switch (d->type) {
    case MLOPS_DETECT_ADWIN: return (uint64_t)d->adwin.width;
    case MLOPS_DETECT_PAGE_HINKLEY: return (uint64_t)d->ph.n;
    case MLOPS_DETECT_DDM: return (uint64_t)d->ddm.n;
    case MLOPS_DETECT_EDDM: return d->eddm.n;
    default: return d->kswin.len;
    }
}

double mlops_detector_estimation(const mlops_detector *d)
{
    if (!d || d->type != MLOPS_DETECT_ADWIN || d->adwin.width == 0)
        return NAN;
    return d->adwin.total / d->adwin.width;
}

void mlops__detector_refresh(mlops_detector *d)
{
    struct mlops_detector_info *i = &d->info;
    memset(i, 0, sizeof *i);
    i->version = MLOPS_DETECTOR_INFO_VERSION;
    i->size = (uint32_t)sizeof *i;
    i->type = d->type;
    i->drift_detected = d->drift;
    i->warning_detected = d->warning;
    i->count = d->count;
    i->nonfinite_count = d->nonfinite;
    i->drift_count = d->drifts;
    i->width = mlops_detector_width(d);
    i->estimation = mlops_detector_estimation(d);
}

const struct mlops_detector_info *mlops_detector_info(const mlops_detector *d)
{
    return d ? &d->info : NULL;
}

/* ---- saved state --------------------------------------------------------- */

static void save_options(mlops__writer *w, const mlops_detector_options *o)
{
    mlops__w_f64(w, o->adwin_delta);
    mlops__w_u32(w, o->adwin_clock);
    mlops__w_u32(w, o->adwin_max_buckets);
    mlops__w_u32(w, o->adwin_min_window_length);
    mlops__w_u32(w, o->adwin_grace_period);
    mlops__w_u32(w, o->ph_min_instances);
    mlops__w_f64(w, o->ph_delta);
    mlops__w_f64(w, o->ph_threshold);
    mlops__w_f64(w, o->ph_alpha);
    mlops__w_u32(w, o->ph_mode);
    mlops__w_u32(w, o->ddm_warm_start);
    mlops__w_f64(w, o->ddm_warning_threshold);
    mlops__w_f64(w, o->ddm_drift_threshold);
    mlops__w_u32(w, o->eddm_warm_start);
    mlops__w_f64(w, o->eddm_alpha);
    mlops__w_f64(w, o->eddm_beta);
    mlops__w_f64(w, o->kswin_alpha);
    mlops__w_u32(w, o->kswin_window_size);
    mlops__w_u32(w, o->kswin_stat_size);
    mlops__w_u64(w, o->kswin_seed);
}

static void load_options(mlops__reader *r, mlops_detector_options *o)
{
    *o = default_options;
    o->adwin_delta = mlops__r_f64(r);
    o->adwin_clock = mlops__r_u32(r);
    o->adwin_max_buckets = mlops__r_u32(r);
    o->adwin_min_window_length = mlops__r_u32(r);
    o->adwin_grace_period = mlops__r_u32(r);
    o->ph_min_instances = mlops__r_u32(r);
    o->ph_delta = mlops__r_f64(r);
    o->ph_threshold = mlops__r_f64(r);
    o->ph_alpha = mlops__r_f64(r);
    o->ph_mode = mlops__r_u32(r);
    o->ddm_warm_start = mlops__r_u32(r);
    o->ddm_warning_threshold = mlops__r_f64(r);
    o->ddm_drift_threshold = mlops__r_f64(r);
    o->eddm_warm_start = mlops__r_u32(r);
    o->eddm_alpha = mlops__r_f64(r);
    o->eddm_beta = mlops__r_f64(r);
    o->kswin_alpha = mlops__r_f64(r);
    o->kswin_window_size = mlops__r_u32(r);
    o->kswin_stat_size = mlops__r_u32(r);
    o->kswin_seed = mlops__r_u64(r);
}

int mlops_detector_write(mlops_buf *out, const mlops_detector *d, uint32_t flags)
{
    MLOPS__CHECK_ARG(out);
    MLOPS__CHECK_ARG(d);
    MLOPS__CHECK_FLAGS(flags, 0);
    size_t start = out->size;
    mlops__writer w = { out, 0 };
    mlops__frame_begin(&w, STATE_MAGIC, STATE_FORMAT_VERSION, (uint16_t)d->type, 0);
    save_options(&w, &d->o);
    mlops__w_u64(&w, d->count);
    mlops__w_u64(&w, d->nonfinite);
    mlops__w_u64(&w, d->drifts);
    mlops__w_u32(&w, (uint32_t)(d->drift | d->warning << 1));
    switch (d->type) {
    case MLOPS_DETECT_ADWIN: mlops__adwin_save(&w, d); break;
    case MLOPS_DETECT_PAGE_HINKLEY:
        mlops__w_f64(&w, d->ph.n);
        mlops__w_f64(&w, d->ph.mean);
        mlops__w_f64(&w, d->ph.sum_inc);
        mlops__w_f64(&w, d->ph.sum_dec);
        mlops__w_f64(&w, d->ph.min_inc);
        mlops__w_f64(&w, d->ph.max_dec);
        break;
    case MLOPS_DETECT_DDM:
        mlops__w_f64(&w, d->ddm.n);
        mlops__w_f64(&w, d->ddm.mean);
        mlops__w_f64(&w, d->ddm.p_min);
        mlops__w_f64(&w, d->ddm.s_min);
        mlops__w_f64(&w, d->ddm.ps_min);
        break;
    case MLOPS_DETECT_EDDM:
        mlops__w_u64(&w, d->eddm.n);
        mlops__w_u64(&w, d->eddm.last_error);
        mlops__w_u64(&w, d->eddm.n_errors);
        mlops__w_f64(&w, d->eddm.var_n);
        mlops__w_f64(&w, d->eddm.var_mean);
        mlops__w_f64(&w, d->eddm.var_s);
        mlops__w_f64(&w, d->eddm.p2s_max);
        break;
    case MLOPS_DETECT_KSWIN: mlops__kswin_save(&w, d); break;
    }
    int rc = mlops__frame_end(&w, start);
    if (rc) {
        out->size = start;
        if (out->data)
            out->data[start] = '\0';
    }
    return rc;
}

/* A count of values kept as a double (Page-Hinkley's, DDM's): a whole number
 * no larger than the values the detector has seen. Anything else is a state
 * no detector writes, and would not even convert back to an integer. */
static int count_ok(double n, uint64_t seen)
{
    return n >= 0 && n <= (double)seen && n == floor(n);
}

static int load_body(mlops_detector *d, mlops__reader *r)
{
    switch (d->type) {
    case MLOPS_DETECT_ADWIN: return mlops__adwin_load(d, r);
    case MLOPS_DETECT_PAGE_HINKLEY:
        d->ph.n = mlops__r_f64(r);
        d->ph.mean = mlops__r_f64(r);
        d->ph.sum_inc = mlops__r_f64(r);
        d->ph.sum_dec = mlops__r_f64(r);
        d->ph.min_inc = mlops__r_f64(r);
        d->ph.max_dec = mlops__r_f64(r);
        if (r->rc == 0 && !(count_ok(d->ph.n, d->count) && isfinite(d->ph.mean)))
            return mlops__r_fail(r, MLOPS_E_SCHEMA, "Page-Hinkley state is not consistent");
        return r->rc;
    case MLOPS_DETECT_DDM:
        d->ddm.n = mlops__r_f64(r);
        d->ddm.mean = mlops__r_f64(r);
        d->ddm.p_min = mlops__r_f64(r);
        d->ddm.s_min = mlops__r_f64(r);
        d->ddm.ps_min = mlops__r_f64(r);
        if (r->rc == 0 && !(count_ok(d->ddm.n, d->count) && d->ddm.mean >= 0 && d->ddm.mean <= 1))
            return mlops__r_fail(r, MLOPS_E_SCHEMA, "DDM state is not consistent");
        return r->rc;
    case MLOPS_DETECT_EDDM:
        d->eddm.n = mlops__r_u64(r);
        d->eddm.last_error = mlops__r_u64(r);
        d->eddm.n_errors = mlops__r_u64(r);
        d->eddm.var_n = mlops__r_f64(r);
        d->eddm.var_mean = mlops__r_f64(r);
        d->eddm.var_s = mlops__r_f64(r);
        d->eddm.p2s_max = mlops__r_f64(r);
        if (r->rc == 0 && (d->eddm.last_error > d->eddm.n || d->eddm.n_errors > d->eddm.n))
            return mlops__r_fail(r, MLOPS_E_SCHEMA, "EDDM state is not consistent");
        return r->rc;
    default: return mlops__kswin_load(d, r);
    }
}

int mlops_detector_parse(mlops_detector **out, const void *data, size_t size)
{
    MLOPS__CHECK_ARG(out);
    if (!data && size > 0)
        return mlops__error(MLOPS_E_INVALID, "mlops_detector_parse: data is NULL");
    mlops__reader r;
    uint16_t version, type;
    uint32_t flags;
    int rc = mlops__frame_open(&r, &version, &type, &flags, data ? data : "", size, STATE_MAGIC,
                               STATE_FORMAT_VERSION, "detector state");
    if (rc)
        return rc;
    if (flags != 0)
        return mlops__error_at(MLOPS_E_SCHEMA, 8, 0, 0, NULL,
                               "detector state: unknown flags 0x%x at byte 8", (unsigned)flags);
    if (type < MLOPS_DETECT_ADWIN || type > MLOPS_DETECT_KSWIN)
        return mlops__error_at(MLOPS_E_SCHEMA, 6, 0, 0, NULL,
                               "detector state: unknown detector type %u at byte 6",
                               (unsigned)type);
    mlops_detector_options o;
    load_options(&r, &o);
    if (r.rc)
        return r.rc;
    if (validate(type, &o) != 0)
        return mlops__r_fail(&r, MLOPS_E_SCHEMA, "parameters out of range (%s)",
                             mlops_error_last());
    uint64_t count = mlops__r_u64(&r), nonfinite = mlops__r_u64(&r), drifts = mlops__r_u64(&r);
    uint32_t state = mlops__r_u32(&r);
    if (r.rc)
        return r.rc;
    if (state > 3)
        return mlops__r_fail(&r, MLOPS_E_SCHEMA, "unknown state bits 0x%x", (unsigned)state);
    mlops_detector *d = NULL;
    if ((rc = alloc_detector(&d, type, &o)) != 0)
        return rc;
    d->count = count;
    d->nonfinite = nonfinite;
    d->drifts = drifts;
    d->drift = (int)(state & 1);
    d->warning = (int)(state >> 1);
    rc = load_body(d, &r);
    if (rc == 0 && mlops__r_left(&r) != 0)
        rc = mlops__r_fail(&r, MLOPS_E_PARSE, "%zu unexpected trailing bytes", mlops__r_left(&r));
    if (rc) {
        mlops_detector_free(d);
        return rc;
    }
    mlops__detector_refresh(d);
    *out = d;
    return 0;
}
