/*
 * Internal: what the DSSE code needs from keys and key sets.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef MLOPS_ARTIFACT_SIGN_H
#define MLOPS_ARTIFACT_SIGN_H

#include <stddef.h>

#include "mlops/dsse.h"
#include "mlops/key.h"

/** Number of keys in a set and the i-th one (borrowed). */
size_t mlops__keyring_size(const mlops_keyring *ring);
const mlops_key *mlops__keyring_at(const mlops_keyring *ring, size_t i);
/** The trusted key with this key id (`len` hex characters), or NULL. */
const mlops_key *mlops__keyring_find(const mlops_keyring *ring, const char *keyid, size_t len);

#endif /* MLOPS_ARTIFACT_SIGN_H */
