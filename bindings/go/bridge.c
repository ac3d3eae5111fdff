/*
 * C side of the Go binding: error snapshot and the progress trampoline.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "bridge.h"

#include "_cgo_export.h"

void mlopsgo_error_read(mlopsgo_error *e)
{
    e->code = mlops_error_last_code();
    e->line = mlops_error_last_line();
    e->column = mlops_error_last_column();
    e->offset = mlops_error_last_offset();
    e->message = mlops_error_last();
    e->path = mlops_error_last_path();
}

static int progress_trampoline(uint64_t done, uint64_t total, void *ctx)
{
    return mlopsgoProgress(done, total, (uintptr_t)ctx);
}

int mlopsgo_digest_file(uint8_t *out, const char *path, size_t buffer_size, uintptr_t handle)
{
    mlops_digest_file_options o;
    int rc = mlops_digest_file_options_init(&o, sizeof o);
    if (rc != 0)
        return rc;
    o.buffer_size = buffer_size;
    if (handle != 0) {
        o.progress = progress_trampoline;
        o.progress_ctx = (void *)handle;
    }
    return mlops_digest_file(out, path, &o);
}

int mlopsgo_dsse_verify(mlops_buf *payload, const char *env, size_t len,
                        const mlops_keyring *ring, uint32_t threshold,
                        const char *payload_type)
{
    mlops_dsse_verify_options o;
    int rc = mlops_dsse_verify_options_init(&o, sizeof o);
    if (rc != 0)
        return rc;
    o.threshold = threshold;
    o.payload_type = payload_type;
    return mlops_dsse_verify(payload, env, len, ring, &o);
}

int mlopsgo_dsse_verify_detached(const char *env, size_t len, const void *payload,
                                 size_t plen, const mlops_keyring *ring,
                                 uint32_t threshold, const char *payload_type)
{
    mlops_dsse_verify_options o;
    int rc = mlops_dsse_verify_options_init(&o, sizeof o);
    if (rc != 0)
        return rc;
    o.threshold = threshold;
    o.payload_type = payload_type;
    return mlops_dsse_verify_detached(env, len, payload, plen, ring, &o);
}

static int verify_options(mlops_package_verify_options *o, uint32_t flags,
                          const mlops_keyring *ring, uint32_t threshold, uintptr_t handle)
{
    int rc = mlops_package_verify_options_init(o, sizeof *o);
    if (rc != 0)
        return rc;
    o->flags = flags;
    o->trusted = ring;
    o->threshold = threshold;
    if (handle != 0) {
        o->progress = progress_trampoline;
        o->progress_ctx = (void *)handle;
    }
    return 0;
}

int mlopsgo_package_verify(mlops_package_report **report, const char *path, uint32_t flags,
                           const mlops_keyring *ring, uint32_t threshold,
                           const char *const *paths, size_t npaths, uintptr_t handle)
{
    mlops_package_verify_options o;
    int rc = verify_options(&o, flags, ring, threshold, handle);
    if (rc != 0)
        return rc;
    o.paths = paths;
    o.npaths = npaths;
    return mlops_package_verify(report, path, &o);
}

int mlopsgo_package_extract(const char *path, const char *dest, uint32_t flags,
                            const mlops_keyring *ring, uint32_t threshold, uintptr_t handle)
{
    mlops_package_verify_options o;
    int rc = verify_options(&o, flags, ring, threshold, handle);
    if (rc != 0)
        return rc;
    return mlops_package_extract(path, dest, &o);
}

int mlopsgo_package_sign(const char *in, const char *out, const mlops_key *const *keys,
                         size_t nkeys, uint32_t vflags, const mlops_keyring *ring,
                         uint32_t threshold, uintptr_t handle, uint32_t flags)
{
    mlops_package_verify_options o;
    int rc = verify_options(&o, vflags, ring, threshold, handle);
    if (rc != 0)
        return rc;
    return mlops_package_sign(in, out, keys, nkeys, &o, flags);
}

int mlopsgo_store_add(mlops_store *s, const char *path, uint32_t flags,
                      const mlops_keyring *ring, uint32_t threshold, uintptr_t handle)
{
    mlops_package_verify_options o;
    int rc = verify_options(&o, flags, ring, threshold, handle);
    if (rc != 0)
        return rc;
    return mlops_store_add(s, path, &o);
}

static int slot_trampoline(uint64_t done, uint64_t total, void *ctx)
{
    uintptr_t h = *(uintptr_t *)ctx;
    if (h == 0)
        return 0;
    return mlopsgoProgress(done, total, h);
}

int mlopsgo_packer_new(mlops_packer **out, uint32_t flags, const mlops_key *const *keys,
                       size_t nkeys, int64_t mtime, uint64_t shard_size, uint32_t threads,
                       uintptr_t *slot)
{
    mlops_packer_options o;
    int rc = mlops_packer_options_init(&o, sizeof o);
    if (rc != 0)
        return rc;
    o.flags = flags;
    o.keys = keys;
    o.nkeys = nkeys;
    o.mtime = mtime;
    o.shard_size = shard_size;
    o.threads = threads;
    o.progress = slot_trampoline;
    o.progress_ctx = slot;
    return mlops_packer_new(out, &o);
}

int mlopsgo_manifest_parse(mlops_manifest **out, const char *data, size_t len,
                           size_t max_size, size_t max_depth)
{
    mlops_manifest_parse_options o;
    int rc = mlops_manifest_parse_options_init(&o, sizeof o);
    if (rc != 0)
        return rc;
    if (max_size != 0)
        o.max_size = max_size;
    if (max_depth != 0)
        o.max_depth = max_depth;
    return mlops_manifest_parse(out, data, len, &o);
}

int mlopsgo_profile_new(mlops_profile **out, int kind, uint32_t kll_k, uint64_t seed,
                        const double *edges, size_t n_edges, uint32_t category_cap)
{
    mlops_profile_options o;
    int rc = mlops_profile_options_init(&o, sizeof o);
    if (rc != 0)
        return rc;
    if (kll_k != 0)
        o.kll_k = kll_k;
    o.seed = seed;
    o.edges = edges;
    o.n_edges = n_edges;
    if (category_cap != 0)
        o.category_cap = category_cap;
    return mlops_profile_new(out, kind, &o);
}

int mlopsgo_detector_new(mlops_detector **out, int type, const mlopsgo_detector_params *p,
                         uint32_t set)
{
    mlops_detector_options o;
    int rc = mlops_detector_options_init(&o, sizeof o);
    if (rc != 0)
        return rc;
#define F(i, field, T) if (set & (1u << (i))) o.field = (T)p->d[i]
    F(0, adwin_delta, double);
    F(1, adwin_clock, uint32_t);
    F(2, adwin_max_buckets, uint32_t);
    F(3, adwin_min_window_length, uint32_t);
    F(4, adwin_grace_period, uint32_t);
    F(5, ph_min_instances, uint32_t);
    F(6, ph_delta, double);
    F(7, ph_threshold, double);
    F(8, ph_alpha, double);
    F(9, ph_mode, uint32_t);
    F(10, ddm_warm_start, uint32_t);
    F(11, ddm_warning_threshold, double);
    F(12, ddm_drift_threshold, double);
    F(13, eddm_warm_start, uint32_t);
    F(14, eddm_alpha, double);
    F(15, eddm_beta, double);
    F(16, kswin_alpha, double);
    F(17, kswin_window_size, uint32_t);
    F(18, kswin_stat_size, uint32_t);
    F(19, kswin_seed, uint64_t);
#undef F
    return mlops_detector_new(out, type, &o);
}

/* which: 0 KS test, 1 Wasserstein. res receives statistic, low, high,
 * pvalue_low, pvalue_high, threshold, eps_ref, eps_cur, verdict. */
int mlopsgo_sketch_test(int which, double *res, const mlops_profile *ref,
                        const mlops_profile *cur, double param)
{
    mlops_profile_test t = MLOPS_SKETCH_TEST_INIT;
    int rc = which == 0 ? mlops_profile_ks_test(&t, ref, cur, param)
                        : mlops_profile_wasserstein(&t, ref, cur, param);
    if (rc != 0)
        return rc;
    res[0] = t.statistic;
    res[1] = t.low;
    res[2] = t.high;
    res[3] = t.pvalue_low;
    res[4] = t.pvalue_high;
    res[5] = t.threshold;
    res[6] = t.eps_ref;
    res[7] = t.eps_cur;
    res[8] = (double)t.verdict;
    return 0;
}

int mlopsgo_drift_defaults(mlopsgo_drift_opts *g, mlopsgo_table_opts *t)
{
    mlops_drift_options o;
    mlops_drift_table_options to;
    int rc = mlops_drift_options_init(&o, sizeof o);
    if (rc == 0)
        rc = mlops_drift_table_options_init(&to, sizeof to);
    if (rc != 0)
        return rc;
    g->flags = o.flags;
    g->binning = o.binning;
    g->bins = o.bins;
    g->smoothing = o.smoothing;
    g->js_base = o.js_base;
    g->threshold = o.threshold;
    g->ks_mode = o.ks_mode;
    t->flags = to.flags;
    t->rule = to.rule;
    t->drift_share = to.drift_share;
    t->alpha = to.alpha;
    t->effect_floor = to.effect_floor;
    t->threads = to.threads;
    return 0;
}

static int drift_options(mlops_drift_options *o, const mlopsgo_drift_opts *g,
                         const double *edges, size_t n_edges)
{
    int rc = mlops_drift_options_init(o, sizeof *o);
    if (rc != 0 || g == NULL)
        return rc;
    o->flags = g->flags;
    o->binning = g->binning;
    o->bins = g->bins;
    o->edges = edges;
    o->n_edges = n_edges;
    o->smoothing = g->smoothing;
    o->js_base = g->js_base;
    o->threshold = g->threshold;
    o->ks_mode = g->ks_mode;
    return 0;
}

int mlopsgo_drift_numeric(mlops_drift_result **out, int metric, const double *ref, size_t n_ref,
                          const double *cur, size_t n_cur, const mlopsgo_drift_opts *g,
                          const double *edges, size_t n_edges)
{
    mlops_drift_options o;
    int rc = drift_options(&o, g, edges, n_edges);
    if (rc != 0)
        return rc;
    return mlops_drift_numeric(out, metric, ref, n_ref, cur, n_cur, &o);
}

int mlopsgo_drift_categorical(mlops_drift_result **out, int metric, const int64_t *ref,
                              size_t n_ref, const int64_t *cur, size_t n_cur, uint32_t n_cat,
                              const mlopsgo_drift_opts *g)
{
    mlops_drift_options o;
    int rc = drift_options(&o, g, NULL, 0);
    if (rc != 0)
        return rc;
    return mlops_drift_categorical(out, metric, ref, n_ref, cur, n_cur, n_cat, &o);
}

int mlopsgo_drift_reference_new(mlops_drift_reference **out, const double *ref, size_t n_ref,
                                const mlopsgo_drift_opts *g, const double *edges, size_t n_edges)
{
    mlops_drift_options o;
    int rc = drift_options(&o, g, edges, n_edges);
    if (rc != 0)
        return rc;
    return mlops_drift_reference_new(out, ref, n_ref, &o);
}

int mlopsgo_drift_reference_compare(mlops_drift_result **out, const mlops_drift_reference *ref,
                                    int metric, const double *cur, size_t n_cur,
                                    const mlopsgo_drift_opts *g)
{
    mlops_drift_options o;
    int rc = drift_options(&o, g, NULL, 0);
    if (rc != 0)
        return rc;
    return mlops_drift_reference_compare(out, ref, metric, cur, n_cur, &o);
}

int mlopsgo_drift_counts(mlops_drift_result **out, int metric, const double *edges,
                         size_t n_edges, const uint64_t *ref_counts, const uint64_t *cur_counts,
                         size_t bins, uint64_t missing_ref, uint64_t missing_cur,
                         const mlopsgo_drift_opts *g)
{
    mlops_drift_options o;
    int rc = drift_options(&o, g, NULL, 0);
    if (rc != 0)
        return rc;
    return mlops_drift_counts(out, metric, edges, n_edges, ref_counts, cur_counts, bins,
                              missing_ref, missing_cur, &o);
}

int mlopsgo_profile_drift(mlops_drift_result **out, const mlops_profile *ref,
                          const mlops_profile *cur, int metric, const mlopsgo_drift_opts *g)
{
    mlops_drift_options o;
    int rc = drift_options(&o, g, NULL, 0);
    if (rc != 0)
        return rc;
    return mlops_profile_drift(out, ref, cur, metric, &o);
}

int mlopsgo_drift_table(mlops_drift_table_result **out, const double *ref, size_t n_ref,
                        const double *cur, size_t n_cur, size_t n_cols, const int *metrics,
                        const mlopsgo_table_opts *t, const mlopsgo_drift_opts *g,
                        const double *edges, size_t n_edges)
{
    mlops_drift_options o;
    mlops_drift_table_options to;
    int rc = drift_options(&o, g, edges, n_edges);
    if (rc == 0)
        rc = mlops_drift_table_options_init(&to, sizeof to);
    if (rc != 0)
        return rc;
    to.flags = t->flags;
    to.rule = t->rule;
    to.drift_share = t->drift_share;
    to.alpha = t->alpha;
    to.effect_floor = t->effect_floor;
    to.threads = t->threads;
    to.column_options = &o;
    return mlops_drift_table(out, ref, n_ref, cur, n_cur, n_cols, metrics, &to);
}
