/**
 * @file
 * libmlops — Ed25519 keys and DSSE signature envelopes.
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * A model version is approved by signing the exact bytes of its statement.
 * The signature format is DSSE (Dead Simple Signing Envelope): a JSON
 * envelope carrying the payload type, the payload (base64 of the exact
 * bytes) and one or more signatures, each made with Ed25519 over the DSSE
 * pre-authentication encoding
 *
 *     PAE(type, body) = "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body
 *
 * where LEN is the decimal byte length without leading zeros. A key is named
 * by its `keyid`: the lowercase hex SHA-256 of the DER SubjectPublicKeyInfo
 * of its public key (the bytes of `openssl pkey -pubout -outform DER`).
 *
 * Verification order is the point of the format: the signature over the
 * exact payload bytes is checked against the caller's trusted keys first,
 * and only then are those bytes handed out to be parsed. Nothing is ever
 * re-serialised to be verified.
 *
 * Cryptography is OpenSSL's (EVP, one-shot Ed25519 without pre-hash). Memory
 * that OpenSSL allocates internally is not routed through
 * mlops_allocator_set().
 */
#ifndef MLOPS_SIGN_H
#define MLOPS_SIGN_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Size of an Ed25519 signature in bytes. */
#define MLOPS_ED25519_SIGNATURE_SIZE 64
/** Size of a raw Ed25519 public key or private seed in bytes. */
#define MLOPS_ED25519_KEY_SIZE 32
/** Size of a key id string: 64 lowercase hex digits and the NUL. */
#define MLOPS_KEYID_STRING_SIZE 65
/** The DSSE payload type of in-toto statements (the default everywhere). */
#define MLOPS_DSSE_PAYLOAD_TYPE_INTOTO "application/vnd.in-toto+json"

/* ------------------------------------------------------------------------ */
/* Keys                                                                     */
/* ------------------------------------------------------------------------ */

/**
 * An Ed25519 key: a key pair, or a public key alone. Immutable once created;
 * may be shared read-only between threads.
 */
typedef struct mlops_key mlops_key;

/**
 * Generate a new key pair from the operating system's random source.
 * @param out receives the key; release it with mlops_key_free().
 * @param flags must be 0.
 * @return 0, MLOPS_E_INVALID, MLOPS_E_NOMEM, MLOPS_E_CRYPTO.
 */
MLOPS_EXTERN int mlops_key_generate(mlops_key **out, uint32_t flags);

/**
 * Load a key from PEM text: "PRIVATE KEY" (unencrypted PKCS#8, gives a key
 * pair) or "PUBLIC KEY" (SubjectPublicKeyInfo, gives a public key). Exactly
 * one PEM block; anything other than whitespace around it is refused.
 * @param out   receives the key; release it with mlops_key_free(). Untouched
 *              on failure.
 * @param pem   the text; need not be NUL-terminated. Not retained.
 * @param len   the length of `pem` in bytes; at most 64 KiB.
 * @param flags must be 0.
 * @return 0; MLOPS_E_PARSE (no PEM block, bad base64 or DER, trailing bytes);
 *         MLOPS_E_UNSUPPORTED (another algorithm, an encrypted or legacy
 *         "ED25519 PRIVATE KEY"-style block, PEM headers); MLOPS_E_INVALID
 *         (NULL `out` or `pem`, non-zero `flags`); MLOPS_E_NOMEM;
 *         MLOPS_E_LIMIT (text over 64 KiB); MLOPS_E_CRYPTO.
 */
MLOPS_EXTERN int mlops_key_load_pem(mlops_key **out, const char *pem, size_t len,
                                    uint32_t flags);

/**
 * Load a key from a PEM file (see mlops_key_load_pem()).
 * @return as mlops_key_load_pem(), plus MLOPS_E_IO naming the path.
 */
MLOPS_EXTERN int mlops_key_load_file(mlops_key **out, const char *path, uint32_t flags);

/**
 * A key pair from its raw 32-byte private seed (RFC 8032 "secret key").
 * @return 0, MLOPS_E_INVALID, MLOPS_E_NOMEM, MLOPS_E_CRYPTO.
 */
MLOPS_EXTERN int mlops_key_from_seed(mlops_key **out,
                                     const uint8_t seed[MLOPS_ED25519_KEY_SIZE]);

/**
 * A public key from its raw 32-byte encoding (RFC 8032).
 * @return 0, MLOPS_E_INVALID, MLOPS_E_NOMEM, MLOPS_E_CRYPTO (not a valid
 *         encoding).
 */
MLOPS_EXTERN int mlops_key_from_public(mlops_key **out,
                                       const uint8_t pub[MLOPS_ED25519_KEY_SIZE]);

/** Release a key (its private half is cleansed by OpenSSL). Accepts NULL. */
MLOPS_EXTERN void mlops_key_free(mlops_key *key);

/** 1 when the key holds a private half and can sign, 0 otherwise (or NULL). */
MLOPS_EXTERN int mlops_key_has_private(const mlops_key *key);

/**
 * The key id: 64 lowercase hex digits of SHA-256(DER SubjectPublicKeyInfo).
 * Borrowed from `key`; "" for NULL.
 */
MLOPS_EXTERN const char *mlops_key_id(const mlops_key *key);

/**
 * The raw 32-byte public key.
 * @return 0, MLOPS_E_INVALID.
 */
MLOPS_EXTERN int mlops_key_public_raw(uint8_t out[MLOPS_ED25519_KEY_SIZE],
                                      const mlops_key *key);

/**
 * Write the private key as unencrypted PKCS#8 PEM ("-----BEGIN PRIVATE
 * KEY-----"). The text is appended to `out`; on failure `out` is unchanged.
 * Store it with restrictive permissions: it is not encrypted.
 * @return 0, MLOPS_E_INVALID (NULL, or a public-only key), MLOPS_E_NOMEM,
 *         MLOPS_E_CRYPTO.
 */
MLOPS_EXTERN int mlops_key_save_private_pem(mlops_buf *out, const mlops_key *key);

/**
 * Write the public key as SubjectPublicKeyInfo PEM ("-----BEGIN PUBLIC
 * KEY-----"), appended to `out`; on failure `out` is unchanged.
 * @return 0, MLOPS_E_INVALID, MLOPS_E_NOMEM, MLOPS_E_CRYPTO.
 */
MLOPS_EXTERN int mlops_key_save_public_pem(mlops_buf *out, const mlops_key *key);

/**
 * Sign `len` bytes with plain Ed25519 (RFC 8032, no pre-hash, no DSSE).
 * `msg` may be NULL only when `len` is 0. Thread-safe for a shared key.
 * @return 0, MLOPS_E_INVALID (NULL, public-only key), MLOPS_E_NOMEM,
 *         MLOPS_E_CRYPTO.
 */
MLOPS_EXTERN int mlops_key_sign_raw(uint8_t sig[MLOPS_ED25519_SIGNATURE_SIZE],
                                    const mlops_key *key, const void *msg, size_t len);

/**
 * Check a plain Ed25519 signature.
 * @return 0 when valid; MLOPS_E_SIGNATURE when not; MLOPS_E_INVALID;
 *         MLOPS_E_NOMEM; MLOPS_E_CRYPTO when the verification could not be
 *         computed (OpenSSL failed, e.g. out of memory): never
 *         MLOPS_E_SIGNATURE then. Thread-safe for a shared key.
 */
MLOPS_EXTERN int mlops_key_verify_raw(const mlops_key *key,
                                      const uint8_t sig[MLOPS_ED25519_SIGNATURE_SIZE],
                                      const void *msg, size_t len);

/* ------------------------------------------------------------------------ */
/* Trusted keys                                                             */
/* ------------------------------------------------------------------------ */

/**
 * A set of trusted public keys, looked up by key id. Only the public half of
 * each key is kept. Immutable while it is being used to verify; may then be
 * shared read-only between threads.
 */
typedef struct mlops_keyring mlops_keyring;

/**
 * An empty set.
 * @return 0, MLOPS_E_INVALID, MLOPS_E_NOMEM.
 */
MLOPS_EXTERN int mlops_keyring_new(mlops_keyring **out);

/** Release a set. Accepts NULL. */
MLOPS_EXTERN void mlops_keyring_free(mlops_keyring *ring);

/**
 * Trust the public half of `key` (copied; `key` stays the caller's). Adding
 * a key that is already trusted does nothing and succeeds.
 * @return 0, MLOPS_E_INVALID, MLOPS_E_NOMEM, MLOPS_E_CRYPTO.
 */
MLOPS_EXTERN int mlops_keyring_add(mlops_keyring *ring, const mlops_key *key);

/** Number of distinct keys in the set (0 for NULL). */
MLOPS_EXTERN size_t mlops_keyring_count(const mlops_keyring *ring);

/* ------------------------------------------------------------------------ */
/* DSSE envelopes                                                           */
/* ------------------------------------------------------------------------ */

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

#ifdef __cplusplus
}
#endif

#endif /* MLOPS_SIGN_H */
