/**
 * @file
 * libmlops — DSSE signature envelopes.
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * Envelopes are made and checked with the keys of key.h; the format and the
 * verification order are described there and in docs/formats/package-v1.md.
 */
#ifndef MLOPS_DSSE_H
#define MLOPS_DSSE_H

#include "common.h"
#include "key.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The DSSE payload type of in-toto statements (the default everywhere). */
#define MLOPS_DSSE_PAYLOAD_TYPE_INTOTO "application/vnd.in-toto+json"

/* ------------------------------------------------------------------------ */
/* DSSE envelopes                                                           */
/* ------------------------------------------------------------------------ */

/**
 * Sign `payload` with each of `nkeys` keys and write the envelope, as
 * canonical JSON (RFC 8785), to `out` (appended; unchanged on failure):
 * `{"payload":"<base64>","payloadType":"...","signatures":[{"keyid":"...",
 * "sig":"<base64>"},...]}`. Base64 is the standard alphabet with padding.
 * Signatures are in the order of `keys`.
 * @param out   receives the envelope, appended.
 * @param payload_type NULL means MLOPS_DSSE_PAYLOAD_TYPE_INTOTO; it must be
 *        printable ASCII and not empty.
 * @param payload the bytes to sign; may be NULL only when `len` is 0. Not
 *        retained: the envelope carries a base64 copy.
 * @param len   the length of `payload` in bytes; at most 48 MiB less 64 KiB
 *        (50266112), so that the envelope stays within the 64 MiB that
 *        mlops_dsse_verify() reads.
 * @param keys  `nkeys` key pairs (none NULL), borrowed for the call and not
 *        retained; two keys with one key id are refused.
 * @param nkeys the number of `keys`: 1 to 256.
 * @param flags must be 0.
 * @return 0; MLOPS_E_INVALID (NULL, nkeys 0, a public-only key, a duplicate
 *         key, a bad payload type, non-zero flags); MLOPS_E_NOMEM;
 *         MLOPS_E_CRYPTO; MLOPS_E_LIMIT (payload over the size above, more
 *         than 256 keys). Thread-safe for shared keys.
 */
MLOPS_EXTERN int mlops_dsse_sign(mlops_buf *out, const char *payload_type,
                                 const void *payload, size_t len,
                                 const mlops_key *const *keys, size_t nkeys,
                                 uint32_t flags);

/** Current version of mlops_dsse_verify_options. */
#define MLOPS_DSSE_VERIFY_OPTIONS_VERSION 1

/** Options for mlops_dsse_verify(). */
typedef struct mlops_dsse_verify_options {
    MLOPS_OPTIONS_HEADER;
    /** Must be 0. */
    uint32_t flags;
    /** Number of distinct trusted keys that must have signed; 0 means 1. */
    uint32_t threshold;
    /** The payload type required; NULL means MLOPS_DSSE_PAYLOAD_TYPE_INTOTO. */
    const char *payload_type;
} mlops_dsse_verify_options;

/** Initialiser for mlops_dsse_verify_options. */
#define MLOPS_DSSE_VERIFY_OPTIONS_INIT \
    { MLOPS_DSSE_VERIFY_OPTIONS_VERSION, sizeof(mlops_dsse_verify_options), 0, 0, NULL }

/**
 * Initialise an options struct to the defaults.
 * @return 0, MLOPS_E_INVALID.
 */
MLOPS_EXTERN int mlops_dsse_verify_options_init(mlops_dsse_verify_options *opts,
                                                size_t size);

/**
 * Verify an envelope against trusted keys and, only when it is valid, hand
 * out the exact payload bytes.
 *
 * The envelope is parsed as strict JSON with exactly the members `payload`,
 * `payloadType` and `signatures` (each signature exactly `keyid` and `sig`;
 * `keyid` may be absent or ""); base64 may be standard or URL-safe, padded or
 * not, but nothing else (no whitespace, no stray bits). A signature counts
 * when its key id names a trusted key and its Ed25519 signature over the PAE
 * is valid; a signature without key id is tried against every trusted key.
 * Signatures by keys that are not trusted are ignored. The envelope is valid
 * when at least `threshold` distinct trusted keys signed it.
 *
 * @param payload receives the exact payload bytes (appended); unchanged on
 *        any failure. May be NULL to only check.
 * @param envelope the envelope's JSON text; need not be NUL-terminated. Not
 *        retained.
 * @param envelope_len the length of `envelope` in bytes; at most 64 MiB.
 * @param trusted the trusted keys; borrowed for the call and only read. It
 *        must hold at least `threshold` keys (an empty set is refused).
 * @param opts NULL for the defaults.
 * @return 0; MLOPS_E_PARSE (not JSON, bad base64; the detail and the error
 *         position say where); MLOPS_E_SCHEMA (missing or unknown member,
 *         wrong type, no signatures, wrong payload type);
 *         MLOPS_E_SIGNATURE (fewer than `threshold` valid trusted
 *         signatures: forged, altered or untrusted); MLOPS_E_LIMIT (envelope
 *         over 64 MiB, more than 256 signatures); MLOPS_E_INVALID (NULL
 *         `envelope` or `trusted`, non-zero option flags, a threshold above
 *         the number of trusted keys); MLOPS_E_VERSION; MLOPS_E_NOMEM;
 *         MLOPS_E_CRYPTO.
 * Thread-safe for a shared keyring.
 */
MLOPS_EXTERN int mlops_dsse_verify(mlops_buf *payload, const char *envelope,
                                   size_t envelope_len, const mlops_keyring *trusted,
                                   const mlops_dsse_verify_options *opts);

/* ------------------------------------------------------------------------ */
/* Experimental: declared only with MLOPS_EXPERIMENTAL defined; not covered  */
/* by the ABI promise (docs/abi-policy.md).                                  */
/* ------------------------------------------------------------------------ */
#ifdef MLOPS_EXPERIMENTAL

/**
 * The DSSE pre-authentication encoding of a payload (the bytes that are
 * actually signed), appended to `out`; on failure `out` is unchanged.
 * @param out          receives the encoding, appended.
 * @param payload_type NUL-terminated; NULL means MLOPS_DSSE_PAYLOAD_TYPE_INTOTO.
 *                     Used as given (not checked for printable ASCII here).
 * @param payload      the payload bytes; may be NULL only when `len` is 0.
 *                     Not retained.
 * @param len          the length of `payload` in bytes.
 * @return 0, MLOPS_E_INVALID (NULL `out`, or NULL `payload` with `len` not 0),
 *         MLOPS_E_NOMEM, MLOPS_E_LIMIT (the encoding's size overflows).
 *         Thread-safe.
 */
MLOPS_EXTERN int mlops_dsse_pae(mlops_buf *out, const char *payload_type,
                                const void *payload, size_t len);

/**
 * Add one signature to an existing envelope and write the new envelope
 * (canonical JSON) to `out`. The existing signatures are kept as they are and
 * NOT verified: the caller vouches for the payload by signing it, so it
 * should have verified or produced the envelope itself.
 * @return 0; MLOPS_E_PARSE / MLOPS_E_SCHEMA (not a DSSE envelope);
 *         MLOPS_E_EXISTS (the key already signed it); MLOPS_E_INVALID;
 *         MLOPS_E_LIMIT; MLOPS_E_NOMEM; MLOPS_E_CRYPTO.
 */
MLOPS_EXTERN int mlops_dsse_add_signature(mlops_buf *out, const char *envelope,
                                          size_t envelope_len, const mlops_key *key,
                                          uint32_t flags);

/**
 * Verify a detached envelope: one kept apart from what it signs (a `.sig`
 * file beside a package). Like mlops_dsse_verify(), and in addition the
 * signed payload must equal `payload` byte for byte (otherwise
 * MLOPS_E_SIGNATURE: the signature is about other bytes).
 * @return as mlops_dsse_verify(). Thread-safe for a shared keyring.
 */
MLOPS_EXTERN int mlops_dsse_verify_detached(const char *envelope, size_t envelope_len,
                                            const void *payload, size_t payload_len,
                                            const mlops_keyring *trusted,
                                            const mlops_dsse_verify_options *opts);

#endif /* MLOPS_EXPERIMENTAL */

#ifdef __cplusplus
}
#endif

#endif /* MLOPS_DSSE_H */
