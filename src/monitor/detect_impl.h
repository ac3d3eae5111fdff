/*
 * Internal: the detector object shared by detect_*.c.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef MLOPS_MONITOR_DETECT_IMPL_H
#define MLOPS_MONITOR_DETECT_IMPL_H

#include <stdint.h>

#include "mlops/detector.h"
#include "monitor/bytes.h"

/* ADWIN keeps one row of buckets per size 2^r. */
#define MLOPS__ADWIN_MAX_ROWS 64u
#define MLOPS__ADWIN_MAX_BUCKETS 64u
#define MLOPS__KSWIN_MAX_WINDOW 1024u

typedef struct adwin_state {
    double total, variance, width, total_width;
    uint64_t tick, n_buckets, max_n_buckets, n_detections;
    uint32_t rows;
    uint32_t *count;  /* MAX_ROWS */
    double *totals;   /* MAX_ROWS x (max_buckets + 1) */
    double *vars;     /* MAX_ROWS x (max_buckets + 1) */
} adwin_state;

typedef struct ph_state {
    double n, mean, sum_inc, sum_dec, min_inc, max_dec;
} ph_state;

typedef struct ddm_state {
    double n, mean, p_min, s_min, ps_min;
} ddm_state;

typedef struct eddm_state {
    uint64_t n, last_error, n_errors;
    double var_n, var_mean, var_s, p2s_max;
} eddm_state;

typedef struct kswin_state {
    uint64_t rng, n;
    uint32_t len, head; /* ring buffer: oldest at head */
    double p_value;
    double *window;     /* window_size */
} kswin_state;

struct mlops_detector {
    int type;
    mlops_detector_options o;
    uint64_t count, nonfinite, drifts;
    int drift, warning;
    adwin_state adwin;
    ph_state ph;
    ddm_state ddm;
    eddm_state eddm;
    kswin_state kswin;
    /* The public summary, rewritten by mlops__detector_refresh() at the end
     * of every call that creates or changes the detector. */
    struct mlops_detector_info info;
};

/** Rewrite d->info from the detector's state. Never allocates. */
void mlops__detector_refresh(mlops_detector *d);

/* Each detector: allocate its buffers, reset to the empty state, and consume
 * one finite value (setting d->drift / d->warning). */
int mlops__adwin_alloc(mlops_detector *d);
void mlops__adwin_reset(mlops_detector *d);
void mlops__adwin_step(mlops_detector *d, double x);
void mlops__adwin_save(mlops__writer *w, const mlops_detector *d);
int mlops__adwin_load(mlops_detector *d, mlops__reader *r);

void mlops__ph_reset(mlops_detector *d);
void mlops__ph_step(mlops_detector *d, double x);
void mlops__ddm_reset(mlops_detector *d);
void mlops__ddm_step(mlops_detector *d, double x);
void mlops__eddm_reset(mlops_detector *d);
void mlops__eddm_step(mlops_detector *d, double x);

int mlops__kswin_alloc(mlops_detector *d);
void mlops__kswin_reset(mlops_detector *d);
void mlops__kswin_step(mlops_detector *d, double x);
void mlops__kswin_save(mlops__writer *w, const mlops_detector *d);
int mlops__kswin_load(mlops_detector *d, mlops__reader *r);

/**
 * Exact P(D >= c/n) of the two-sample KS statistic for two samples of size n
 * (two-sided), by the lattice-path formula for equal sizes.
 */
double mlops__ks_equal_sizes_pvalue(uint32_t n, uint32_t c);

#endif /* MLOPS_MONITOR_DETECT_IMPL_H */
