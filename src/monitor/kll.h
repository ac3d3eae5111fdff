/*
 * Internal: KLL quantile sketch over finite doubles.
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * The sketch of Karnin, Lang and Liberty ("Optimal quantile approximation in
 * streams", FOCS 2016) with the lazy compaction schedule: level h holds items
 * of weight 2^h; its nominal capacity is max(8, ceil(k (2/3)^depth)) where
 * depth counts the levels above it; compaction happens only when the whole
 * sketch is full, and then on the lowest level that is at or over its
 * capacity. A compaction sorts the level, keeps every other item starting at
 * a random offset (one bit of the caller-seeded generator), and merges the
 * kept items into the level above. Weights are preserved exactly, so
 * sum(size(h) * 2^h) == n always holds.
 *
 * Storage is one array sized for the largest sketch the format allows
 * (MLOPS__KLL_MAX_LEVELS levels), so updating never allocates and never fails.
 * Items live at the end of the array: level h occupies [lv[h], lv[h+1]),
 * lv[num_levels] == alloc, and the free space is [alloc - capacity, lv[0]).
 */
#ifndef MLOPS_MONITOR_KLL_H
#define MLOPS_MONITOR_KLL_H

#include <stddef.h>
#include <stdint.h>

#define MLOPS__KLL_MIN_K 8u
#define MLOPS__KLL_MAX_K 65535u
#define MLOPS__KLL_M 8u
#define MLOPS__KLL_MAX_LEVELS 60u

typedef struct mlops__kll {
    uint32_t k;
    uint32_t min_k;      /* smallest k of any sketch merged in: drives the error */
    uint32_t num_levels; /* >= 1 */
    uint32_t alloc;      /* items allocated */
    uint64_t n;          /* total weight (values seen) */
    uint64_t rng;        /* splitmix64 state */
    uint32_t lv[MLOPS__KLL_MAX_LEVELS + 1];
    double *items;
    /* derived from k (not serialised): capacity of a level at depth d, and of
     * a whole sketch of L levels */
    uint32_t cap_depth[MLOPS__KLL_MAX_LEVELS + 1];
    uint32_t cap_total[MLOPS__KLL_MAX_LEVELS + 1];
} mlops__kll;

/** Initialise an empty sketch; MLOPS_E_NOMEM (recorded) on failure. */
int mlops__kll_init(mlops__kll *s, uint32_t k, uint64_t seed);
void mlops__kll_dispose(mlops__kll *s);
/** Deep copy into an uninitialised `dst`. */
int mlops__kll_copy(mlops__kll *dst, const mlops__kll *src);
/** Add finite values (the caller filters non-finite ones). Never fails. */
void mlops__kll_update(mlops__kll *s, const double *v, size_t n);
/**
 * Merge `src` into `dst`. Allocates a work area; on failure (MLOPS_E_NOMEM,
 * recorded) dst is unchanged.
 */
int mlops__kll_merge(mlops__kll *dst, const mlops__kll *src);

/** Number of retained items. */
uint32_t mlops__kll_retained(const mlops__kll *s);
/** Nominal capacity of a sketch with `levels` levels. */
uint32_t mlops__kll_capacity(uint32_t k, uint32_t levels);
/** Nominal capacity of level `h` of a sketch with `levels` levels. */
uint32_t mlops__kll_level_capacity(uint32_t k, uint32_t levels, uint32_t h);
/** Items to allocate for a sketch of parameter k. */
uint32_t mlops__kll_alloc_size(uint32_t k);

/**
 * Normalised rank error at 99% confidence for a sketch with parameter k:
 * single-sided (rank, quantile, CDF) when pmf == 0, double-sided (mass of an
 * interval) otherwise. 0 when the sketch is exact (it has never compacted).
 */
double mlops__kll_rank_error(const mlops__kll *s, int pmf);
/** The same bound for a given k, regardless of whether compaction happened. */
double mlops__kll_rank_error_for_k(uint32_t k, int pmf);

/**
 * A sorted view: items ascending with cumulative weights (cum[i] = total
 * weight of items[0..i]). Allocated; free with mlops__kll_view_dispose.
 */
typedef struct mlops__kll_view {
    double *items;
    uint64_t *cum;
    size_t size;
    uint64_t n;
} mlops__kll_view;

int mlops__kll_view_build(mlops__kll_view *v, const mlops__kll *s);
void mlops__kll_view_dispose(mlops__kll_view *v);
/** Weight of items <= x. */
uint64_t mlops__kll_view_rank_le(const mlops__kll_view *v, double x);
/** Smallest item whose cumulative weight >= w (w in 1..n). */
double mlops__kll_view_quantile_w(const mlops__kll_view *v, uint64_t w);

/** Sort doubles ascending (no NaN). */
void mlops__sort_doubles(double *a, size_t n);
/** The splitmix64 generator shared by sketches and detectors. */
uint64_t mlops__splitmix64(uint64_t *state);

#endif /* MLOPS_MONITOR_KLL_H */
