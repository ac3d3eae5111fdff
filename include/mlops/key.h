/**
 * @file
 * libmlops — Ed25519 keys and keyrings.
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
#ifndef MLOPS_KEY_H
#define MLOPS_KEY_H

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
MLOPS_EXTERN int mlops_key_parse_pem(mlops_key **out, const char *pem, size_t len,
                                    uint32_t flags);

/**
 * Load a key from a PEM file (see mlops_key_parse_pem()).
 * @return as mlops_key_parse_pem(), plus MLOPS_E_IO naming the path.
 */
MLOPS_EXTERN int mlops_key_load_file(mlops_key **out, const char *path, uint32_t flags);

/** Release a key (its private half is cleansed by OpenSSL). Accepts NULL. */
MLOPS_EXTERN void mlops_key_free(mlops_key *key);

/**
 * The key id: 64 lowercase hex digits of SHA-256(DER SubjectPublicKeyInfo).
 * Borrowed from `key`; NULL for NULL.
 */
MLOPS_EXTERN const char *mlops_key_id(const mlops_key *key);

/** Flag for mlops_key_write_pem(): write the private key. */
#define MLOPS_KEY_PEM_PRIVATE 0x1u

/**
 * Append the key as PEM. With `flags` 0: the public key as
 * SubjectPublicKeyInfo ("-----BEGIN PUBLIC KEY-----"). With
 * MLOPS_KEY_PEM_PRIVATE: the private key as unencrypted PKCS#8 ("-----BEGIN
 * PRIVATE KEY-----"); store it with restrictive permissions. On failure
 * `out` is unchanged.
 * @return 0, MLOPS_E_INVALID (NULL, an unknown flag, or
 *         MLOPS_KEY_PEM_PRIVATE with a public-only key), MLOPS_E_NOMEM,
 *         MLOPS_E_CRYPTO.
 */
MLOPS_EXTERN int mlops_key_write_pem(mlops_buf *out, const mlops_key *key, uint32_t flags);

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

/* ------------------------------------------------------------------------ */
/* Experimental: declared only with MLOPS_EXPERIMENTAL defined; not covered  */
/* by the ABI promise (docs/abi-policy.md).                                  */
/* ------------------------------------------------------------------------ */
#ifdef MLOPS_EXPERIMENTAL

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

/**
 * The raw 32-byte public key.
 * @return 0, MLOPS_E_INVALID.
 */
MLOPS_EXTERN int mlops_key_public_raw(uint8_t out[MLOPS_ED25519_KEY_SIZE],
                                      const mlops_key *key);

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

/** Number of distinct keys in the set (0 for NULL). */
MLOPS_EXTERN size_t mlops_keyring_count(const mlops_keyring *ring);


/** 1 when the key holds a private half and can sign, 0 otherwise (or NULL). */
MLOPS_EXTERN int mlops_key_has_private(const mlops_key *key);

#endif /* MLOPS_EXPERIMENTAL */

#ifdef __cplusplus
}
#endif

#endif /* MLOPS_KEY_H */
