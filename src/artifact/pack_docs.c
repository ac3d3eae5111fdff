/*
 * The OCI documents of a package, as the packer writes them: the ModelPack
 * config, the image manifest, the signature referrer and index.json.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdio.h>
#include <string.h>

#include "artifact/pack_write.h"
#include "core/alloc.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/hex.h"
#include "core/json.h"

/* ---- JSON documents ----------------------------------------------------- */

static int set_str(mlops__json_doc *doc, mlops__json *obj, const char *key, const char *s)
{
    mlops__json *v = mlops__json_new_string(doc, s, strlen(s));
    if (!v)
        return mlops__error_nomem();
    return mlops__json_object_set(doc, obj, key, v);
}

static int set_uint(mlops__json_doc *doc, mlops__json *obj, const char *key, uint64_t n)
{
    mlops__json *v = mlops__json_new_uint(doc, n);
    if (!v)
        return mlops__error_nomem();
    return mlops__json_object_set(doc, obj, key, v);
}

/* {"mediaType","digest","size"} plus an optional artifactType. */
static mlops__json *descriptor(mlops__json_doc *doc, const char *media_type,
                               const uint8_t digest[MLOPS_SHA256_SIZE], uint64_t size,
                               const char *artifact_type)
{
    char d[MLOPS_DIGEST_STRING_SIZE];
    mlops_digest_format(d, digest);
    mlops__json *o = mlops__json_new_object(doc);
    if (!o || set_str(doc, o, "mediaType", media_type) || set_str(doc, o, "digest", d) ||
        set_uint(doc, o, "size", size) ||
        (artifact_type && set_str(doc, o, "artifactType", artifact_type)))
        return NULL;
    return o;
}

static int annotate(mlops__json_doc *doc, mlops__json *obj, const char *k1, const char *v1,
                    const char *k2, const char *v2)
{
    mlops__json *a = mlops__json_new_object(doc);
    if (!a || set_str(doc, a, k1, v1) || (k2 && set_str(doc, a, k2, v2)))
        return mlops__error_nomem();
    return mlops__json_object_set(doc, obj, "annotations", a);
}

/* Canonical bytes of a finished document, and their digest. */
static int finish_blob(mlops_buf *out, uint8_t digest[MLOPS_SHA256_SIZE], mlops__json_doc *doc,
                       mlops__json *root)
{
    mlops__json_doc_set_root(doc, root);
    int rc = mlops__json_write_canonical(out, root);
    if (!rc)
        rc = mlops_digest_buffer(digest, out->data, out->size);
    return rc;
}

/* A new document with an object root: *root. */
static int new_doc(mlops__json_doc **doc, mlops__json **root)
{
    int rc = mlops__json_doc_new(doc);
    if (rc)
        return rc;
    *root = mlops__json_new_object(*doc);
    if (!*root)
        return mlops__error_nomem();
    return 0;
}

const char mlops__oci_empty_json[3] = "{}";
/* SHA-256 of "{}", the OCI empty descriptor's digest. */
const uint8_t mlops__oci_empty_digest[32] = {
    0x44, 0x13, 0x6f, 0xa3, 0x55, 0xb3, 0x67, 0x8a, 0x11, 0x46, 0xad, 0x16, 0xf7, 0xe8, 0x64, 0x9e,
    0x94, 0xfb, 0x4f, 0xc2, 0x1f, 0xe7, 0x7e, 0x83, 0x10, 0xc0, 0x60, 0xf6, 0x1c, 0xaa, 0xff, 0x8a,
};

/* The ModelPack config: descriptor fields and the layers' diff ids. */
int mlops__pack_build_config(blobs *b, const mlops_manifest *m, const layer *layers, size_t nl)
{
    mlops__json_doc *doc = NULL;
    mlops__json *root;
    int rc = new_doc(&doc, &root);
    mlops__json *desc = NULL, *cfg = NULL, *fs = NULL, *ids = NULL;
    if (!rc) {
        desc = mlops__json_new_object(doc);
        cfg = mlops__json_new_object(doc);
        fs = mlops__json_new_object(doc);
        ids = mlops__json_new_array(doc);
        if (!desc || !cfg || !fs || !ids)
            rc = mlops__error_nomem();
    }
    if (!rc)
        rc = set_str(doc, desc, "name", mlops_manifest_name(m));
    if (!rc)
        rc = set_str(doc, desc, "version", mlops_manifest_version(m));
    if (!rc)
        rc = set_str(doc, desc, "createdAt", mlops_manifest_created(m));
    if (!rc && mlops_manifest_framework_name(m))
        rc = set_str(doc, cfg, "format", mlops_manifest_framework_name(m));
    for (size_t i = 0; !rc && i < nl; i++) {
        char d[MLOPS_DIGEST_STRING_SIZE];
        mlops_digest_format(d, layers[i].digest);
        mlops__json *s = mlops__json_new_string(doc, d, strlen(d));
        rc = s ? mlops__json_array_push(doc, ids, s) : mlops__error_nomem();
    }
    if (!rc)
        rc = set_str(doc, fs, "type", "layers");
    if (!rc)
        rc = mlops__json_object_set(doc, fs, "diffIds", ids);
    if (!rc)
        rc = mlops__json_object_set(doc, root, "descriptor", desc);
    if (!rc)
        rc = mlops__json_object_set(doc, root, "config", cfg);
    if (!rc)
        rc = mlops__json_object_set(doc, root, "modelfs", fs);
    if (!rc)
        rc = finish_blob(&b->config, b->config_d, doc, root);
    mlops__json_doc_free(doc);
    return rc;
}

/* The fields every OCI image manifest of a package starts with: schema
 * version, media type, artifact type and the config descriptor. */
static int oci_manifest_head(mlops__json_doc *doc, mlops__json *root, const char *artifact_type,
                             const char *config_type, const uint8_t config_d[32],
                             uint64_t config_size)
{
    int rc = set_uint(doc, root, "schemaVersion", 2);
    if (!rc)
        rc = set_str(doc, root, "mediaType", MLOPS__MT_OCI_MANIFEST);
    if (!rc)
        rc = set_str(doc, root, "artifactType", artifact_type);
    if (!rc) {
        mlops__json *d = descriptor(doc, config_type, config_d, config_size, NULL);
        rc = d ? mlops__json_object_set(doc, root, "config", d) : mlops__error_nomem();
    }
    return rc;
}

int mlops__pack_build_manifest(blobs *b, const mlops_manifest *m, const layer *layers, size_t nl)
{
    mlops__json_doc *doc = NULL;
    mlops__json *root, *arr = NULL, *d;
    int rc = new_doc(&doc, &root);
    if (!rc)
        rc = oci_manifest_head(doc, root, MLOPS__MT_MODEL_ARTIFACT, MLOPS__MT_MODEL_CONFIG,
                               b->config_d, b->config.size);
    if (!rc) {
        arr = mlops__json_new_array(doc);
        d = descriptor(doc, MLOPS__MT_STATEMENT, b->statement_d, b->statement.size, NULL);
        rc = arr && d ? annotate(doc, d, "org.opencontainers.image.title", "statement.json",
                                 NULL, NULL)
                      : mlops__error_nomem();
        if (!rc)
            rc = mlops__json_array_push(doc, arr, d);
    }
    for (size_t i = 0; !rc && i < nl; i++) {
        d = descriptor(doc, layers[i].media_type, layers[i].digest, layers[i].size, NULL);
        if (!d) {
            rc = mlops__error_nomem();
            break;
        }
        if (layers[i].raw) {
            const char *path = layers[i].raw->path;
            const char *base = strrchr(path, '/');
            rc = annotate(doc, d, "org.cncf.model.filepath", path,
                          "org.opencontainers.image.title", base ? base + 1 : path);
        } else {
            char title[64];
            snprintf(title, sizeof title, "%s-files.tar", layers[i].role);
            rc = annotate(doc, d, "org.opencontainers.image.title", title, NULL, NULL);
        }
        if (!rc)
            rc = mlops__json_array_push(doc, arr, d);
    }
    if (!rc)
        rc = mlops__json_object_set(doc, root, "layers", arr);
    if (!rc)
        rc = annotate(doc, root, "org.opencontainers.image.created", mlops_manifest_created(m),
                      "org.opencontainers.image.version", mlops_manifest_version(m));
    if (!rc)
        rc = finish_blob(&b->manifest, b->manifest_d, doc, root);
    mlops__json_doc_free(doc);
    return rc;
}

/* The signature referrer: an image manifest whose subject is the model
 * manifest and whose one layer is the DSSE envelope. */
int mlops__pack_build_referrer(blobs *b)
{
    mlops__json_doc *doc = NULL;
    mlops__json *root, *arr = NULL, *d;
    int rc = new_doc(&doc, &root);
    if (!rc)
        rc = oci_manifest_head(doc, root, MLOPS__MT_DSSE, MLOPS__MT_OCI_EMPTY,
                               mlops__oci_empty_digest, 2);
    if (!rc) {
        arr = mlops__json_new_array(doc);
        d = descriptor(doc, MLOPS__MT_DSSE, b->envelope_d, b->envelope.size, NULL);
        rc = arr && d ? mlops__json_array_push(doc, arr, d) : mlops__error_nomem();
    }
    if (!rc)
        rc = mlops__json_object_set(doc, root, "layers", arr);
    if (!rc) {
        d = descriptor(doc, MLOPS__MT_OCI_MANIFEST, b->manifest_d, b->manifest.size, NULL);
        rc = d ? mlops__json_object_set(doc, root, "subject", d) : mlops__error_nomem();
    }
    if (!rc)
        rc = finish_blob(&b->referrer, b->referrer_d, doc, root);
    mlops__json_doc_free(doc);
    return rc;
}

int mlops__layout_index(mlops_buf *out, const char *version, const uint8_t manifest_d[32],
                        uint64_t manifest_size, int signed_pkg, const uint8_t referrer_d[32],
                        uint64_t referrer_size)
{
    mlops__json_doc *doc = NULL;
    mlops__json *root, *arr = NULL, *d;
    int rc = new_doc(&doc, &root);
    if (!rc)
        rc = set_uint(doc, root, "schemaVersion", 2);
    if (!rc)
        rc = set_str(doc, root, "mediaType", MLOPS__MT_OCI_INDEX);
    if (!rc) {
        arr = mlops__json_new_array(doc);
        d = descriptor(doc, MLOPS__MT_OCI_MANIFEST, manifest_d, manifest_size,
                       MLOPS__MT_MODEL_ARTIFACT);
        rc = arr && d ? annotate(doc, d, "org.opencontainers.image.ref.name", version, NULL,
                                 NULL)
                      : mlops__error_nomem();
        if (!rc)
            rc = mlops__json_array_push(doc, arr, d);
    }
    if (!rc && signed_pkg) {
        d = descriptor(doc, MLOPS__MT_OCI_MANIFEST, referrer_d, referrer_size, MLOPS__MT_DSSE);
        rc = d ? mlops__json_array_push(doc, arr, d) : mlops__error_nomem();
    }
    if (!rc)
        rc = mlops__json_object_set(doc, root, "manifests", arr);
    uint8_t unused[32];
    if (!rc)
        rc = finish_blob(out, unused, doc, root);
    mlops__json_doc_free(doc);
    return rc;
}

int mlops__pack_build_index(blobs *b, const mlops_manifest *m, int signed_pkg)
{
    return mlops__layout_index(&b->index, mlops_manifest_version(m), b->manifest_d,
                               b->manifest.size, signed_pkg, b->referrer_d, b->referrer.size);
}

int mlops__layout_referrer(mlops_buf *out, uint8_t out_d[32], const uint8_t manifest_d[32],
                           uint64_t manifest_size, const uint8_t envelope_d[32],
                           uint64_t envelope_size)
{
    blobs b;
    memset(&b, 0, sizeof b);
    memcpy(b.manifest_d, manifest_d, 32);
    memcpy(b.envelope_d, envelope_d, 32);
    /* mlops__pack_build_referrer reads only the sizes of these two */
    b.manifest.size = (size_t)manifest_size;
    b.envelope.size = (size_t)envelope_size;
    int rc = mlops__pack_build_referrer(&b);
    if (!rc)
        rc = mlops__buf_append(out, b.referrer.data, b.referrer.size);
    if (!rc)
        memcpy(out_d, b.referrer_d, 32);
    mlops_buf_dispose(&b.referrer);
    return rc;
}

void mlops__pack_blobs_dispose(blobs *b)
{
    mlops_buf_dispose(&b->statement);
    mlops_buf_dispose(&b->config);
    mlops_buf_dispose(&b->manifest);
    mlops_buf_dispose(&b->envelope);
    mlops_buf_dispose(&b->referrer);
    mlops_buf_dispose(&b->index);
}
