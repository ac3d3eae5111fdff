/*
 * Internal: category counts, exact up to a cap, then a Misra–Gries summary.
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * Codes are counted exactly while at most `cap` distinct codes are held. When
 * a new code would make it cap + 1, the summary is reduced: d = the
 * (cap/2 + 1)-th largest count is subtracted from every counter, counters that
 * drop to 0 or below are removed (at most cap/2 remain) and d is added to
 * `error`. Every retained count then underestimates the true count by at most
 * `error`, a code not retained has a true count of at most `error`, and
 * error <= (total - sum of retained counts) / (cap/2 + 1) (Misra & Gries 1982;
 * mergeable as in Agarwal et al., "Mergeable summaries", PODS 2012).
 *
 * The table and the reduction scratch are allocated up front: updating never
 * allocates and never fails.
 */
#ifndef MLOPS_MONITOR_HEAVY_HITTERS_H
#define MLOPS_MONITOR_HEAVY_HITTERS_H

#include <stddef.h>
#include <stdint.h>

#define MLOPS__HH_MIN_CAP 2u
#define MLOPS__HH_MAX_CAP (1u << 16)

typedef struct mlops__hh_entry {
    int64_t code;
    uint64_t count;
} mlops__hh_entry;

typedef struct mlops__hh {
    uint32_t cap;
    uint32_t size;
    uint32_t mask;         /* table size - 1 (power of two >= 2 (cap + 1)) */
    uint8_t *used;         /* table occupancy */
    mlops__hh_entry *slot; /* table */
    mlops__hh_entry *scratch; /* cap + 1 entries */
    uint64_t total;        /* sum of all counts added */
    uint64_t error;        /* bound on the undercount of any code */
} mlops__hh;

int mlops__hh_init(mlops__hh *h, uint32_t cap);
void mlops__hh_dispose(mlops__hh *h);
int mlops__hh_copy(mlops__hh *dst, const mlops__hh *src);
/** Count each code once. Never fails. */
void mlops__hh_update(mlops__hh *h, const int64_t *codes, size_t n);
/** Retained count of a code (0 when not retained). */
uint64_t mlops__hh_get(const mlops__hh *h, int64_t code);
/**
 * Retained entries sorted by code, in a new array of h->size entries (free
 * with mlops__free). NULL with MLOPS_E_NOMEM recorded on failure.
 */
mlops__hh_entry *mlops__hh_sorted(const mlops__hh *h);
/** Merge src into dst; MLOPS_E_NOMEM (recorded) leaves dst unchanged. */
int mlops__hh_merge(mlops__hh *dst, const mlops__hh *src);
/**
 * Replace the content with `n` entries (distinct codes, n <= cap) and the
 * given total and error (deserialisation). Never fails for valid input.
 */
void mlops__hh_load(mlops__hh *h, const mlops__hh_entry *e, size_t n, uint64_t total,
                    uint64_t error);

#endif /* MLOPS_MONITOR_HEAVY_HITTERS_H */
