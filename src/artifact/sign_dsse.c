/*
 * DSSE envelopes: the pre-authentication encoding, signing, adding a
 * signature, and verification against trusted keys before the payload is
 * handed out.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "artifact/base64.h"
#include "artifact/sign.h"
#include "core/alloc.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/json.h"
#include "core/options.h"

/* The JSON core's default size limit is also the envelope's (a caller may
 * only lower it): a 64 MiB envelope holds a 48 MiB statement, far more than a
 * version manifest needs. */
#define MAX_ENVELOPE_SIZE MLOPS__JSON_DEFAULT_MAX_SIZE
#define MAX_SIGNATURES 256
/* An envelope is three levels deep: root, signatures array, signature. */
#define MAX_ENVELOPE_DEPTH 4

static int check_payload_type(const char *type)
{
    if (type[0] == '\0')
        return mlops__error(MLOPS_E_INVALID, "DSSE payload type must not be empty");
    for (const char *p = type; *p; p++)
        if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e)
            return mlops__error(MLOPS_E_INVALID,
                                "DSSE payload type must be printable ASCII (byte %zu is 0x%02x)",
                                (size_t)(p - type), (unsigned)(unsigned char)*p);
    return 0;
}

/* PAE without argument checks; the payload type is given with its length. */
static int pae(mlops_buf *out, const char *type, size_t type_len, const void *payload,
               size_t len)
{
    size_t before = out->size;
    int rc = mlops__buf_printf(out, "DSSEv1 %zu ", type_len);
    if (!rc)
        rc = mlops__buf_append(out, type, type_len);
    if (!rc)
        rc = mlops__buf_printf(out, " %zu ", len);
    if (!rc)
        rc = mlops__buf_append(out, payload, len);
    if (rc) {
        out->size = before;
        if (out->data)
            out->data[before] = '\0';
    }
    return rc;
}

int mlops_dsse_pae(mlops_buf *out, const char *payload_type, const void *payload, size_t len)
{
    MLOPS__CHECK_ARG(out);
    if (len)
        MLOPS__CHECK_ARG(payload);
    const char *type = payload_type ? payload_type : MLOPS_DSSE_PAYLOAD_TYPE_INTOTO;
    return pae(out, type, strlen(type), payload, len);
}

/* ---- building envelopes ------------------------------------------------- */

static int set_string(mlops__json_doc *doc, mlops__json *obj, const char *key,
                      const char *s, size_t len)
{
    mlops__json *v = mlops__json_new_string(doc, s, len);
    if (!v)
        return mlops__error_nomem();
    return mlops__json_object_set(doc, obj, key, v);
}

/* Append {"keyid":..., "sig":...} to `sigs`. */
static int push_signature(mlops__json_doc *doc, mlops__json *sigs, const char *keyid,
                          size_t keyid_len, const char *sig_b64, size_t sig_len)
{
    mlops__json *s = mlops__json_new_object(doc);
    if (!s)
        return mlops__error_nomem();
    int rc = set_string(doc, s, "keyid", keyid, keyid_len);
    if (!rc)
        rc = set_string(doc, s, "sig", sig_b64, sig_len);
    if (!rc)
        rc = mlops__json_array_push(doc, sigs, s);
    return rc;
}

/* Sign the PAE bytes with `key` and append its signature object. */
static int sign_into(mlops__json_doc *doc, mlops__json *sigs, const mlops_key *key,
                     const mlops_buf *pae_bytes)
{
    uint8_t sig[MLOPS_ED25519_SIGNATURE_SIZE];
    int rc = mlops_key_sign_raw(sig, key, pae_bytes->data, pae_bytes->size);
    if (rc)
        return rc;
    mlops_buf b64 = MLOPS_BUF_INIT;
    rc = mlops__base64_encode(&b64, sig, sizeof sig);
    if (!rc) {
        const char *id = mlops_key_id(key);
        rc = push_signature(doc, sigs, id, strlen(id), b64.data, b64.size);
    }
    mlops_buf_dispose(&b64);
    return rc;
}

/* A new envelope document with its payload members and an empty signature
 * list, which is returned in `*sigs`. */
static int new_envelope(mlops__json_doc **out, mlops__json **sigs, const char *type,
                        size_t type_len, const char *payload_b64, size_t b64_len)
{
    mlops__json_doc *doc = NULL;
    int rc = mlops__json_doc_new(&doc);
    if (rc)
        return rc;
    mlops__json *root = mlops__json_new_object(doc);
    mlops__json *list = mlops__json_new_array(doc);
    if (!root || !list) {
        rc = mlops__error_nomem();
        goto fail;
    }
    mlops__json_doc_set_root(doc, root);
    rc = set_string(doc, root, "payload", payload_b64, b64_len);
    if (!rc)
        rc = set_string(doc, root, "payloadType", type, type_len);
    if (!rc)
        rc = mlops__json_object_set(doc, root, "signatures", list);
    if (rc)
        goto fail;
    *out = doc;
    *sigs = list;
    return 0;
fail:
    mlops__json_doc_free(doc);
    return rc;
}

/* Write the document's canonical form to the end of `out`. */
static int write_envelope(mlops_buf *out, const mlops__json_doc *doc)
{
    return mlops__json_write_canonical(out, mlops__json_root(doc));
}

int mlops_dsse_sign(mlops_buf *out, const char *payload_type, const void *payload,
                    size_t len, const mlops_key *const *keys, size_t nkeys, uint32_t flags)
{
    MLOPS__CHECK_ARG(out);
    MLOPS__CHECK_ARG(keys);
    if (len)
        MLOPS__CHECK_ARG(payload);
    MLOPS__CHECK_FLAGS(flags, 0);
    if (nkeys == 0)
        return mlops__error(MLOPS_E_INVALID, "mlops_dsse_sign: no signing key given");
    if (nkeys > MAX_SIGNATURES)
        return mlops__error(MLOPS_E_LIMIT, "mlops_dsse_sign: %zu keys, at most %d", nkeys,
                            MAX_SIGNATURES);
    const char *type = payload_type ? payload_type : MLOPS_DSSE_PAYLOAD_TYPE_INTOTO;
    int rc = check_payload_type(type);
    if (rc)
        return rc;
    if (len > MAX_ENVELOPE_SIZE / 4 * 3 - 64 * 1024)
        return mlops__error(MLOPS_E_LIMIT, "DSSE payload of %zu bytes is too large", len);
    for (size_t i = 0; i < nkeys; i++) {
        if (!keys[i])
            return mlops__error(MLOPS_E_INVALID, "mlops_dsse_sign: keys[%zu] is NULL", i);
        if (!mlops_key_has_private(keys[i]))
            return mlops__error(MLOPS_E_INVALID,
                                "mlops_dsse_sign: key %s is a public key and cannot sign",
                                mlops_key_id(keys[i]));
        for (size_t j = 0; j < i; j++)
            if (strcmp(mlops_key_id(keys[i]), mlops_key_id(keys[j])) == 0)
                return mlops__error(MLOPS_E_INVALID,
                                    "mlops_dsse_sign: key %s is given twice",
                                    mlops_key_id(keys[i]));
    }

    mlops_buf pae_bytes = MLOPS_BUF_INIT, b64 = MLOPS_BUF_INIT;
    mlops__json_doc *doc = NULL;
    mlops__json *sigs = NULL;
    rc = pae(&pae_bytes, type, strlen(type), payload, len);
    if (!rc)
        rc = mlops__base64_encode(&b64, payload, len);
    if (!rc)
        rc = new_envelope(&doc, &sigs, type, strlen(type), b64.data ? b64.data : "", b64.size);
    for (size_t i = 0; !rc && i < nkeys; i++)
        rc = sign_into(doc, sigs, keys[i], &pae_bytes);
    if (!rc)
        rc = write_envelope(out, doc);
    mlops__json_doc_free(doc);
    mlops_buf_dispose(&b64);
    mlops_buf_dispose(&pae_bytes);
    return rc;
}

/* ---- reading envelopes -------------------------------------------------- */

typedef struct envelope_view {
    const char *type;
    size_t type_len;
    const char *payload_b64;
    size_t payload_b64_len;
    const mlops__json *sigs;
} envelope_view;

static const char *const envelope_keys[] = { "payload", "payloadType", "signatures", NULL };
static const char *const signature_keys[] = { "keyid", "sig", NULL };

static int require_string(mlops__json_path *path, const mlops__json *obj, const char *key,
                          const char **s, size_t *len, int optional)
{
    const mlops__json *v = mlops__json_object_find(obj, key);
    if (!v) {
        if (optional) {
            *s = "";
            *len = 0;
            return 0;
        }
        return mlops__json_schema_error(path, obj, "missing member \"%s\"", key);
    }
    if (mlops__json_type_of(v) != MLOPS__JSON_STRING) {
        mlops__json_path_push_key(path, key);
        int rc = mlops__json_schema_error(path, v, "expected a string");
        mlops__json_path_pop(path);
        return rc;
    }
    *s = mlops__json_string(v, len);
    return 0;
}

/* Parse the envelope and check its shape (not its signatures). */
static int read_envelope(mlops__json_doc **out, envelope_view *view, const char *text,
                         size_t len)
{
    if (len > MAX_ENVELOPE_SIZE)
        return mlops__error(MLOPS_E_LIMIT, "DSSE envelope of %zu bytes is over the %zu limit",
                            len, (size_t)MAX_ENVELOPE_SIZE);
    mlops__json_limits limits = { MAX_ENVELOPE_DEPTH, MAX_ENVELOPE_SIZE };
    mlops__json_doc *doc = NULL;
    int rc = mlops__json_parse(&doc, text, len, &limits, "DSSE envelope");
    if (rc)
        return rc;
    const mlops__json *root = mlops__json_root(doc);
    mlops__json_path path;
    mlops__json_path_init(&path);
    rc = mlops__json_check_keys(&path, root, envelope_keys);
    if (!rc)
        rc = require_string(&path, root, "payloadType", &view->type, &view->type_len, 0);
    if (!rc)
        rc = require_string(&path, root, "payload", &view->payload_b64,
                            &view->payload_b64_len, 0);
    if (rc)
        goto fail;
    view->sigs = mlops__json_object_find(root, "signatures");
    mlops__json_path_push_key(&path, "signatures");
    if (!view->sigs) {
        mlops__json_path_pop(&path);
        rc = mlops__json_schema_error(&path, root, "missing member \"signatures\"");
        goto fail;
    }
    if (mlops__json_type_of(view->sigs) != MLOPS__JSON_ARRAY) {
        rc = mlops__json_schema_error(&path, view->sigs, "expected an array");
        goto fail;
    }
    size_t n = mlops__json_array_size(view->sigs);
    if (n == 0) {
        rc = mlops__json_schema_error(&path, view->sigs, "an envelope needs a signature");
        goto fail;
    }
    if (n > MAX_SIGNATURES) {
        rc = mlops__error(MLOPS_E_LIMIT, "DSSE envelope has %zu signatures, at most %d", n,
                          MAX_SIGNATURES);
        goto fail;
    }
    for (size_t i = 0; i < n; i++) {
        const mlops__json *s = mlops__json_array_get(view->sigs, i);
        const char *str;
        size_t slen;
        mlops__json_path_push_index(&path, i);
        rc = mlops__json_check_keys(&path, s, signature_keys);
        if (!rc)
            rc = require_string(&path, s, "sig", &str, &slen, 0);
        if (!rc)
            rc = require_string(&path, s, "keyid", &str, &slen, 1);
        mlops__json_path_pop(&path);
        if (rc)
            goto fail;
    }
    *out = doc;
    return 0;
fail:
    mlops__json_doc_free(doc);
    return rc;
}

static void signature_strings(const mlops__json *s, const char **keyid, size_t *keyid_len,
                              const char **sig, size_t *sig_len)
{
    const mlops__json *k = mlops__json_object_find(s, "keyid");
    if (k) {
        *keyid = mlops__json_string(k, keyid_len);
    } else {
        *keyid = "";
        *keyid_len = 0;
    }
    *sig = mlops__json_string(mlops__json_object_find(s, "sig"), sig_len);
}

int mlops_dsse_add_signature(mlops_buf *out, const char *envelope, size_t envelope_len,
                             const mlops_key *key, uint32_t flags)
{
    MLOPS__CHECK_ARG(out);
    MLOPS__CHECK_ARG(envelope);
    MLOPS__CHECK_ARG(key);
    MLOPS__CHECK_FLAGS(flags, 0);
    if (!mlops_key_has_private(key))
        return mlops__error(MLOPS_E_INVALID, "key %s is a public key and cannot sign",
                            mlops_key_id(key));
    mlops__json_doc *in = NULL, *doc = NULL;
    mlops__json *sigs = NULL;
    envelope_view v;
    mlops_buf payload = MLOPS_BUF_INIT, pae_bytes = MLOPS_BUF_INIT;
    int rc = read_envelope(&in, &v, envelope, envelope_len);
    if (rc)
        return rc;
    size_t n = mlops__json_array_size(v.sigs);
    if (n >= MAX_SIGNATURES) {
        rc = mlops__error(MLOPS_E_LIMIT, "DSSE envelope already has %zu signatures", n);
        goto done;
    }
    const char *id = mlops_key_id(key);
    for (size_t i = 0; i < n; i++) {
        const char *kid, *sig;
        size_t kid_len, sig_len;
        signature_strings(mlops__json_array_get(v.sigs, i), &kid, &kid_len, &sig, &sig_len);
        if (kid_len == strlen(id) && memcmp(kid, id, kid_len) == 0) {
            rc = mlops__error(MLOPS_E_EXISTS, "key %s has already signed this envelope", id);
            goto done;
        }
    }
    rc = mlops__base64_decode(&payload, v.payload_b64, v.payload_b64_len, "DSSE payload");
    if (!rc)
        rc = pae(&pae_bytes, v.type, v.type_len, payload.data ? payload.data : "",
                 payload.size);
    if (!rc)
        rc = new_envelope(&doc, &sigs, v.type, v.type_len, v.payload_b64, v.payload_b64_len);
    for (size_t i = 0; !rc && i < n; i++) {
        const char *kid, *sig;
        size_t kid_len, sig_len;
        signature_strings(mlops__json_array_get(v.sigs, i), &kid, &kid_len, &sig, &sig_len);
        rc = push_signature(doc, sigs, kid, kid_len, sig, sig_len);
    }
    if (!rc)
        rc = sign_into(doc, sigs, key, &pae_bytes);
    if (!rc)
        rc = write_envelope(out, doc);
done:
    mlops__json_doc_free(doc);
    mlops__json_doc_free(in);
    mlops_buf_dispose(&payload);
    mlops_buf_dispose(&pae_bytes);
    return rc;
}

static const mlops_dsse_verify_options verify_defaults = MLOPS_DSSE_VERIFY_OPTIONS_INIT;
#define VERIFY_OPTIONS_V1_SIZE sizeof(mlops_dsse_verify_options)

int mlops_dsse_verify_options_init(mlops_dsse_verify_options *opts, size_t size)
{
    return mlops__options_init(opts, size, &verify_defaults, sizeof verify_defaults,
                               VERIFY_OPTIONS_V1_SIZE, "mlops_dsse_verify_options");
}

/* Does `sig_b64` hold a valid signature over the PAE by `key`? A malformed
 * signature string is a parse error; a wrong one is simply not valid. */
static int signature_valid(int *valid, const mlops_key *key, const char *sig_b64,
                           size_t sig_len, const mlops_buf *pae_bytes, size_t index)
{
    mlops_buf raw = MLOPS_BUF_INIT;
    char what[48];
    snprintf(what, sizeof what, "DSSE signatures[%zu].sig", index);
    int rc = mlops__base64_decode(&raw, sig_b64, sig_len, what);
    if (rc)
        return rc;
    *valid = 0;
    if (raw.size == MLOPS_ED25519_SIGNATURE_SIZE) {
        rc = mlops_key_verify_raw(key, (const uint8_t *)raw.data, pae_bytes->data,
                                  pae_bytes->size);
        if (rc == 0)
            *valid = 1;
        else if (rc == MLOPS_E_SIGNATURE)
            rc = 0;
    }
    mlops_buf_dispose(&raw);
    return rc;
}

/* Verify and leave the decoded payload in `payload` (which the caller owns
 * and disposes of whatever happens). */
static int verify_envelope(mlops_buf *payload, const char *envelope, size_t envelope_len,
                           const mlops_keyring *trusted, const mlops_dsse_verify_options *opts)
{
    mlops_dsse_verify_options o = verify_defaults;
    int rc = mlops__options_load(&o, sizeof o, opts, MLOPS_DSSE_VERIFY_OPTIONS_VERSION,
                                 VERIFY_OPTIONS_V1_SIZE, "mlops_dsse_verify_options");
    if (rc)
        return rc;
    MLOPS__CHECK_FLAGS(o.flags, 0);
    const char *want_type = o.payload_type ? o.payload_type : MLOPS_DSSE_PAYLOAD_TYPE_INTOTO;
    size_t threshold = o.threshold ? o.threshold : 1;
    size_t nkeys = mlops__keyring_size(trusted);
    if (threshold > nkeys)
        return mlops__error(MLOPS_E_INVALID,
                            "DSSE verify: threshold %zu is more than the %zu trusted key(s)",
                            threshold, nkeys);

    mlops__json_doc *doc = NULL;
    envelope_view v;
    mlops_buf pae_bytes = MLOPS_BUF_INIT;
    unsigned char *seen = NULL;
    rc = read_envelope(&doc, &v, envelope, envelope_len);
    if (rc)
        return rc;
    if (v.type_len != strlen(want_type) || memcmp(v.type, want_type, v.type_len) != 0) {
        mlops__json_path path;
        mlops__json_path_init(&path);
        mlops__json_path_push_key(&path, "payloadType");
        rc = mlops__json_schema_error(&path, mlops__json_object_find(mlops__json_root(doc),
                                                                     "payloadType"),
                                      "payload type \"%.80s\" is not the expected \"%s\"",
                                      v.type, want_type);
        goto done;
    }
    rc = mlops__base64_decode(payload, v.payload_b64, v.payload_b64_len, "DSSE payload");
    if (!rc)
        rc = pae(&pae_bytes, v.type, v.type_len, payload->data ? payload->data : "",
                 payload->size);
    if (rc)
        goto done;
    seen = mlops__calloc(nkeys ? nkeys : 1, 1);
    if (!seen) {
        rc = mlops__error_nomem();
        goto done;
    }
    size_t n = mlops__json_array_size(v.sigs), good = 0, untrusted = 0, bad = 0;
    for (size_t i = 0; i < n; i++) {
        const char *kid, *sig;
        size_t kid_len, sig_len;
        signature_strings(mlops__json_array_get(v.sigs, i), &kid, &kid_len, &sig, &sig_len);
        int matched = 0;
        for (size_t k = 0; k < nkeys; k++) {
            const mlops_key *key = mlops__keyring_at(trusted, k);
            /* The key id is an unauthenticated hint: it only selects which
             * trusted key to try; without one every trusted key is tried. */
            if (kid_len && (kid_len != MLOPS_KEYID_STRING_SIZE - 1 ||
                            memcmp(kid, mlops_key_id(key), kid_len) != 0))
                continue;
            matched = 1;
            int valid = 0;
            rc = signature_valid(&valid, key, sig, sig_len, &pae_bytes, i);
            if (rc)
                goto done;
            if (valid) {
                if (!seen[k])
                    good++;
                seen[k] = 1;
                break;
            }
            if (k + 1 == nkeys || kid_len)
                bad++;
        }
        if (!matched)
            untrusted++;
    }
    if (good < threshold) {
        rc = mlops__error(MLOPS_E_SIGNATURE,
                          "DSSE envelope: %zu valid signature(s) by trusted keys, %zu required "
                          "(%zu signature(s): %zu invalid, %zu by keys that are not trusted)",
                          good, threshold, n, bad, untrusted);
        goto done;
    }
done:
    mlops__free(seen);
    if (pae_bytes.data)
        OPENSSL_cleanse(pae_bytes.data, pae_bytes.size);
    mlops_buf_dispose(&pae_bytes);
    mlops__json_doc_free(doc);
    return rc;
}

int mlops_dsse_verify(mlops_buf *payload, const char *envelope, size_t envelope_len,
                      const mlops_keyring *trusted, const mlops_dsse_verify_options *opts)
{
    MLOPS__CHECK_ARG(envelope);
    MLOPS__CHECK_ARG(trusted);
    mlops_buf tmp = MLOPS_BUF_INIT;
    int rc = verify_envelope(&tmp, envelope, envelope_len, trusted, opts);
    if (!rc && payload)
        rc = mlops__buf_append(payload, tmp.data ? tmp.data : "", tmp.size);
    mlops_buf_dispose(&tmp);
    return rc;
}

int mlops_dsse_verify_detached(const char *envelope, size_t envelope_len, const void *payload,
                               size_t payload_len, const mlops_keyring *trusted,
                               const mlops_dsse_verify_options *opts)
{
    MLOPS__CHECK_ARG(envelope);
    MLOPS__CHECK_ARG(trusted);
    if (payload_len)
        MLOPS__CHECK_ARG(payload);
    mlops_buf signed_bytes = MLOPS_BUF_INIT;
    int rc = verify_envelope(&signed_bytes, envelope, envelope_len, trusted, opts);
    if (!rc && (signed_bytes.size != payload_len ||
                (payload_len && memcmp(signed_bytes.data, payload, payload_len) != 0)))
        rc = mlops__error(MLOPS_E_SIGNATURE,
                          "detached DSSE envelope: the signed payload (%zu bytes) is not the "
                          "given payload (%zu bytes)", signed_bytes.size, payload_len);
    mlops_buf_dispose(&signed_bytes);
    return rc;
}
