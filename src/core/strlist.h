/*
 * Internal: building an mlops_strlist, the snapshot of strings a public
 * function hands to its caller (include/mlops/common.h).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef MLOPS_CORE_STRLIST_H
#define MLOPS_CORE_STRLIST_H

#include "mlops/common.h"

/** A new empty list; NULL (error recorded) when out of memory. */
mlops_strlist *mlops__strlist_new(void);
/** Append a copy of `s`; 0 or MLOPS_E_NOMEM (error recorded; the list is
 *  unchanged). */
int mlops__strlist_push(mlops_strlist *l, const char *s);

#endif /* MLOPS_CORE_STRLIST_H */
