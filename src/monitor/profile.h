/*
 * Internal: the profile object shared by profile*.c.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef MLOPS_MONITOR_PROFILE_H
#define MLOPS_MONITOR_PROFILE_H

#include <stddef.h>
#include <stdint.h>

#include "mlops/profile.h"
#include "monitor/heavy_hitters.h"
#include "monitor/kll.h"

struct mlops_profile {
    int kind;
    /* numeric */
    uint64_t count, nan, posinf, neginf;
    double mean, m2, min, max; /* min/max/mean/m2 are 0 while count == 0 */
    size_t n_edges;
    double *edges;   /* n_edges, or NULL */
    uint64_t *hist;  /* n_edges + 1, or NULL */
    mlops__kll kll;
    /* categorical */
    mlops__hh hh;
    /* The public summary, rewritten by mlops__profile_refresh() at the end of
     * every call that creates or changes the profile. */
    struct mlops_profile_info info;
};

/** Rewrite p->info from the profile's state. Never allocates. */
void mlops__profile_refresh(mlops_profile *p);

/** Allocate an empty profile with validated parameters (no argument checks). */
int mlops__profile_alloc(mlops_profile **out, int kind, uint32_t k, uint64_t seed,
                         const double *edges, size_t n_edges, uint32_t cap);

/**
 * Histogram of a numeric profile for the share metrics: edges, bin counts
 * (n_edges + 1) and the non-finite counts. Returns 0 when there is no
 * histogram (then *n_edges == 0 and the pointers are NULL).
 */
int mlops__profile_histogram(const double **edges, size_t *n_edges, const uint64_t **counts,
                             uint64_t nonfinite[3], const mlops_profile *p);

#endif /* MLOPS_MONITOR_PROFILE_H */
