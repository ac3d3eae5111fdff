/*
 * Internal: categorical tests on count tables.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef MLOPS_MONITOR_DRIFT_CATEGORICAL_H
#define MLOPS_MONITOR_DRIFT_CATEGORICAL_H

#include <stddef.h>
#include <stdint.h>

#include "mlops/category.h"
#include "mlops/drift.h"

/**
 * Fill `r` (allocated for CHI2, ZTEST or a share metric) from per-category
 * counts over the union of categories (`bins` entries, each with a non-zero
 * total). `cats` (may be NULL) names the categories and is copied. Sets the
 * statistic, p-value, counts, unseen share, n_ref and n_cur; the caller sets
 * missing counts and the verdict.
 * @return 0, MLOPS_E_DOMAIN (ZTEST with bins != 2), MLOPS_E_NOMEM.
 */
int mlops__drift_categorical_from_counts(mlops_drift_result *r, const uint64_t *rc,
                                         const uint64_t *cc, const int64_t *cats,
                                         size_t bins, const mlops_drift_options *o);

#endif /* MLOPS_MONITOR_DRIFT_CATEGORICAL_H */
