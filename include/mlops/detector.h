/**
 * @file
 * libmlops — change detectors on a stream of values or of 0/1 errors.
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * ADWIN, Page–Hinkley, DDM, EDDM and KSWIN with the defaults and the decision
 * rules of the river library (docs/detectors.md states every rule and where
 * river and MOA differ). A detector consumes values in bulk, reports at which
 * positions it flagged a drift (and, for DDM/EDDM, a warning), counts and
 * skips non-finite values, and saves its whole state to bytes so that a
 * restarted process makes the same decisions as the one that stopped.
 *
 * Threads: a detector is used by one thread at a time.
 */
#ifndef MLOPS_DETECTOR_H
#define MLOPS_DETECTOR_H

#include <stddef.h>
#include <stdint.h>

#include "mlops/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** An opaque change detector. */
typedef struct mlops_detector mlops_detector;

/** Detector algorithms. Values are part of the state byte format. */
typedef enum mlops_detector_type {
    /** ADaptive WINdowing (Bifet & Gavaldà 2007), river's variant. */
    MLOPS_DETECT_ADWIN = 1,
    /** Page–Hinkley test with forgetting factor. */
    MLOPS_DETECT_PAGE_HINKLEY = 2,
    /** Drift Detection Method (Gama et al. 2004), input 0/1. */
    MLOPS_DETECT_DDM = 3,
    /** Early Drift Detection Method (Baena-García et al. 2006), input 0/1. */
    MLOPS_DETECT_EDDM = 4,
    /** Kolmogorov–Smirnov windowing (Raab et al. 2020). */
    MLOPS_DETECT_KSWIN = 5
} mlops_detector_type;

/** Page–Hinkley directions. */
typedef enum mlops_ph_mode {
    MLOPS_PH_BOTH = 0, /**< flag increases and decreases of the mean */
    MLOPS_PH_UP = 1,   /**< flag increases only */
    MLOPS_PH_DOWN = 2  /**< flag decreases only */
} mlops_ph_mode;

/** Version of mlops_detector_options known to this header. */
#define MLOPS_DETECTOR_OPTIONS_VERSION 1

/**
 * Parameters of every detector; each detector reads its own group. The
 * defaults (MLOPS_DETECTOR_OPTIONS_INIT) are river's.
 */
typedef struct mlops_detector_options {
    MLOPS_OPTIONS_HEADER;
    /** Must be 0. */
    uint32_t flags;
    /* ADWIN */
    double adwin_delta;               /**< significance, (0, 1); 0.002 */
    uint32_t adwin_clock;             /**< check every this many values, >= 1; 32 */
    uint32_t adwin_max_buckets;       /**< buckets per size before merging, 1..64; 5 */
    uint32_t adwin_min_window_length; /**< smallest sub-window tested, >= 1; 5 */
    uint32_t adwin_grace_period;      /**< no test before this width; 10 */
    /* Page–Hinkley */
    uint32_t ph_min_instances;        /**< values before testing; 30 */
    double ph_delta;                  /**< tolerated change magnitude; 0.005 */
    double ph_threshold;              /**< lambda; 50 */
    double ph_alpha;                  /**< forgetting factor, (0, 1]; 0.9999 */
    uint32_t ph_mode;                 /**< an mlops_ph_mode; MLOPS_PH_BOTH */
    /* DDM */
    uint32_t ddm_warm_start;          /**< values before testing; 30 */
    double ddm_warning_threshold;     /**< warning when p + s > p_min + this * s_min; 2.0 */
    double ddm_drift_threshold;       /**< drift when p + s > p_min + this * s_min; 3.0 */
    /* EDDM */
    uint32_t eddm_warm_start;         /**< values and errors before testing; 30 */
    double eddm_alpha;                /**< warning level; 0.95 */
    double eddm_beta;                 /**< drift level, <= alpha; 0.9 */
    /* KSWIN */
    double kswin_alpha;               /**< p-value threshold, (0, 1); 0.005 */
    uint32_t kswin_window_size;       /**< values in the window, 2..1024; 100 */
    uint32_t kswin_stat_size;         /**< recent values tested, 1..window_size / 2; 30 */
    uint64_t kswin_seed;              /**< seed of the sampling generator; 0 */
} mlops_detector_options;

/** Initialiser with river's defaults. */
#define MLOPS_DETECTOR_OPTIONS_INIT                                                    \
    { MLOPS_DETECTOR_OPTIONS_VERSION, sizeof(mlops_detector_options), 0,               \
      0.002, 32, 5, 5, 10,                                                             \
      30, 0.005, 50.0, 0.9999, MLOPS_PH_BOTH,                                          \
      30, 2.0, 3.0,                                                                    \
      30, 0.95, 0.9,                                                                   \
      0.005, 100, 30, 0 }

/**
 * Fill `opts` (of the caller's `size`) with the defaults, for FFIs.
 * @return 0 or MLOPS_E_INVALID.
 */
MLOPS_EXTERN int mlops_detector_options_init(mlops_detector_options *opts, size_t size);

/**
 * Create a detector.
 * @param out  receives the detector; release with mlops_detector_free()
 * @param type an mlops_detector_type
 * @param opts options, or NULL for the defaults
 * @return 0; MLOPS_E_INVALID (NULL out, unknown type or flags, a parameter
 *         of this type out of range: the message names it); MLOPS_E_VERSION;
 *         MLOPS_E_NOMEM.
 */
MLOPS_EXTERN int mlops_detector_new(mlops_detector **out, int type,
                                    const mlops_detector_options *opts);

/** Release a detector. Accepts NULL. */
MLOPS_EXTERN void mlops_detector_free(mlops_detector *d);

/**
 * Feed `n` values in order.
 *
 * Non-finite values (NaN, ±inf) are counted (mlops_detector_nonfinite_count)
 * and skipped: they change nothing else. DDM and EDDM take 0 and 1 only.
 * Positions are indices into `values`.
 *
 * @param d        the detector
 * @param values   `n` values (not retained); may be NULL when n == 0
 * @param n        number of values
 * @param cap      number of entries of `drifts`
 * @param drifts   array of `cap` entries receiving the positions of the
 *                 values at which a drift was flagged (may be NULL if cap 0)
 * @param n_drifts receives how many drifts were flagged in this call (may be
 *                 more than cap; only the first cap positions are stored);
 *                 may be NULL
 * @return 0; MLOPS_E_INVALID (NULL detector, NULL values with n > 0);
 *         MLOPS_E_DOMAIN (DDM/EDDM given a finite value other than 0 or 1:
 *         the message gives its position; the detector is unchanged).
 *         Never allocates.
 */
MLOPS_EXTERN int mlops_detector_update(size_t *drifts, size_t cap, size_t *n_drifts, mlops_detector *d, const double *values, size_t n);

/**
 * Like mlops_detector_update() and also reports warnings (DDM, EDDM; other
 * detectors never warn).
 */
MLOPS_EXTERN int mlops_detector_update_warn(size_t *drifts, size_t drift_cap, size_t *n_drifts, size_t *warnings, size_t warning_cap, size_t *n_warnings, mlops_detector *d, const double *values, size_t n);

/** Version of struct mlops_detector_info filled by this library. */
#define MLOPS_DETECTOR_INFO_VERSION 1

/**
 * The detector's state in one read-only struct (the values of the accessors
 * above). The struct lives in the detector and the library keeps it up to
 * date: it is valid until the next call that changes the detector
 * (mlops_detector_update(), mlops_detector_update_warn(),
 * mlops_detector_free()), which rewrites it in place. Version 1; fields are
 * only ever added at the end (see MLOPS_INFO_HAS()).
 */
struct mlops_detector_info {
    MLOPS_INFO_HEADER;
    /** The mlops_detector_type. */
    int type;
    /** 1 when the last finite value fed caused a drift, else 0. */
    int drift_detected;
    /** 1 when the detector is in its warning zone (DDM, EDDM), else 0. */
    int warning_detected;
    /** Finite values consumed since creation (restored with the state). */
    uint64_t count;
    /** Non-finite values counted and skipped since creation. */
    uint64_t nonfinite_count;
    /** Drifts flagged since creation. */
    uint64_t drift_count;
    /** ADWIN: width of the current window; KSWIN: values in the window;
     *  others: values since the last reset (mlops_detector_width()). */
    uint64_t width;
    /** ADWIN: mean of the current window (NaN when empty); others: NaN. */
    double estimation;
};

/**
 * The state of `d`, or NULL when `d` is NULL. Never allocates (the struct
 * is kept up to date by the calls that change the detector); any number of
 * threads may call it concurrently on a detector nobody is changing.
 */
MLOPS_EXTERN const struct mlops_detector_info *mlops_detector_info(const mlops_detector *d);

/**
 * Save the complete state (parameters, window, generator) to bytes, appended
 * to `out` (format in docs/detectors.md).
 * @return 0, MLOPS_E_INVALID or MLOPS_E_NOMEM (out as it was).
 */
MLOPS_EXTERN int mlops_detector_write(mlops_buf *out, const mlops_detector *d, uint32_t flags);

/**
 * Restore a detector saved by mlops_detector_write(). Any byte string gives a
 * detector or a clear error; allocation is bounded by the parameters.
 * @return 0; MLOPS_E_INVALID; MLOPS_E_PARSE; MLOPS_E_VERSION;
 *         MLOPS_E_INTEGRITY (CRC); MLOPS_E_SCHEMA (inconsistent state);
 *         MLOPS_E_NOMEM.
 */
MLOPS_EXTERN int mlops_detector_parse(mlops_detector **out, const void *data, size_t size);

/* ------------------------------------------------------------------------ */
/* Experimental: declared only with MLOPS_EXPERIMENTAL defined; not covered  */
/* by the ABI promise (docs/abi-policy.md).                                  */
/* ------------------------------------------------------------------------ */
#ifdef MLOPS_EXPERIMENTAL

/** Whether the last finite value fed caused a drift (0 for NULL). */
MLOPS_EXTERN int mlops_detector_drift_detected(const mlops_detector *d);

/** Whether the detector is in its warning zone after the last value. */
MLOPS_EXTERN int mlops_detector_warning_detected(const mlops_detector *d);

/** The detector's type (0 for NULL). */
MLOPS_EXTERN int mlops_detector_type_of(const mlops_detector *d);

/** Finite values consumed since creation (restored with the state). */
MLOPS_EXTERN uint64_t mlops_detector_count(const mlops_detector *d);

/** Non-finite values counted and skipped since creation. */
MLOPS_EXTERN uint64_t mlops_detector_nonfinite_count(const mlops_detector *d);

/** Drifts flagged since creation. */
MLOPS_EXTERN uint64_t mlops_detector_drift_count(const mlops_detector *d);

/**
 * ADWIN: width of the current window; KSWIN: values in the window; others:
 * values since the last reset.
 */
MLOPS_EXTERN uint64_t mlops_detector_width(const mlops_detector *d);

/** ADWIN: mean of the current window (NaN when empty); others: NaN. */
MLOPS_EXTERN double mlops_detector_estimation(const mlops_detector *d);

#endif /* MLOPS_EXPERIMENTAL */

#ifdef __cplusplus
}
#endif

#endif /* MLOPS_DETECTOR_H */
