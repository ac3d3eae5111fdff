/**
 * @file
 * libmlops — category dictionaries: labels to the 64-bit codes drift and profiles count.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef MLOPS_CATEGORY_H
#define MLOPS_CATEGORY_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------ */
/* Category dictionary: labels to codes shared by reference and current     */
/* ------------------------------------------------------------------------ */

/**
 * A dictionary of category labels (arbitrary byte strings, NUL bytes
 * included) to dense codes 0, 1, 2, ... Codes are assigned in first-seen
 * order: the same sequence of additions gives the same codes on every
 * machine and every run. To compare two samples of labels, add the reference
 * first and then the current sample to ONE dictionary: every label then has
 * one code whatever sample it appears in, reference labels keep the codes
 * they had before the current sample was added, and labels only the current
 * sample has get the codes after them. Codes are never reused or reordered.
 *
 * Thread-safety: mlops_category_dict_add() changes the dictionary and needs
 * exclusive access; the const functions may run concurrently with each other.
 */
typedef struct mlops_category_dict mlops_category_dict;

/** The most labels a dictionary holds: codes fit an int32_t. */
#define MLOPS_CATEGORY_DICT_MAX 2147483647u

/** The code mlops_category_dict_encode() gives a label the dictionary lacks. */
#define MLOPS_CATEGORY_UNSEEN (-1)

/**
 * Create an empty dictionary.
 * @param out receives the dictionary; release with mlops_category_dict_free().
 * @param flags must be 0.
 * @return 0; MLOPS_E_INVALID (NULL out, unknown flags); MLOPS_E_NOMEM.
 */
MLOPS_EXTERN int mlops_category_dict_new(mlops_category_dict **out, uint32_t flags);

/** Release a dictionary and its labels; NULL is allowed. */
MLOPS_EXTERN void mlops_category_dict_free(mlops_category_dict *d);

/**
 * Add a batch of labels: a label seen for the first time gets the next code.
 * @param codes receives the code of each label (n entries; caller-owned), or
 *        NULL when only the dictionary is wanted. Written only on success.
 * @param d the dictionary.
 * @param labels n pointers to label bytes (borrowed; copied); labels[i] may be
 *        NULL only when its length is 0.
 * @param lengths n byte lengths, or NULL when every label is a NUL-terminated
 *        string (then a label cannot contain a NUL byte).
 * @param n number of labels; 0 is allowed.
 * @param flags must be 0.
 * @return 0; MLOPS_E_INVALID (NULL d, NULL labels with n > 0, a NULL label of
 *         non-zero length, unknown flags); MLOPS_E_LIMIT (more than
 *         MLOPS_CATEGORY_DICT_MAX labels); MLOPS_E_NOMEM. On failure the
 *         dictionary is unchanged (the batch's new labels are dropped) and
 *         codes is untouched. Not thread-safe for the same dictionary.
 */
MLOPS_EXTERN int mlops_category_dict_add(int64_t *codes, mlops_category_dict *d,
                                         const char *const *labels, const size_t *lengths,
                                         size_t n, uint32_t flags);

/**
 * Look up a batch of labels without adding any: a label the dictionary lacks
 * gets MLOPS_CATEGORY_UNSEEN (a missing value to mlops_drift_categorical())
 * and is counted.
 * @param codes receives n codes (caller-owned); may be NULL only when n is 0.
 * @param n_unseen receives how many of the n labels are not in the
 *        dictionary, or NULL.
 * @param d the dictionary (not changed).
 * @param labels n pointers to label bytes (borrowed), as for
 *        mlops_category_dict_add().
 * @param lengths n byte lengths, or NULL for NUL-terminated labels.
 * @param n number of labels; 0 is allowed.
 * @param flags must be 0.
 * @return 0; MLOPS_E_INVALID (as for mlops_category_dict_add(), or NULL codes
 *         with n > 0). On failure nothing is written. Thread-safe (const).
 */
MLOPS_EXTERN int mlops_category_dict_encode(int64_t *codes, uint64_t *n_unseen,
                                            const mlops_category_dict *d,
                                            const char *const *labels, const size_t *lengths,
                                            size_t n, uint32_t flags);

/** Number of labels in the dictionary (the next code); 0 for NULL. */
MLOPS_EXTERN size_t mlops_category_dict_count(const mlops_category_dict *d);

/**
 * The label of a code.
 * @param label receives the label's bytes, borrowed from the dictionary and
 *        valid until it is freed; a NUL byte follows them.
 * @param length receives the label's length in bytes, or NULL.
 * @param d the dictionary.
 * @param code a code in [0, mlops_category_dict_count(d)).
 * @return 0; MLOPS_E_INVALID (NULL label or d, code out of range).
 *         Thread-safe (const).
 */
MLOPS_EXTERN int mlops_category_dict_label(const char **label, size_t *length,
                                           const mlops_category_dict *d, int64_t code);

#ifdef __cplusplus
}
#endif

#endif /* MLOPS_CATEGORY_H */
