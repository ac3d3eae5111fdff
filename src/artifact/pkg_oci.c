/*
 * The OCI documents of a package, read in order: index.json names the model
 * manifest, which names the config, the statement and the layers; the
 * referrer names the DSSE envelope. They are not signed: they only route
 * bytes, so each is checked against the signed statement once it is known.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdio.h>
#include <string.h>

#include "artifact/pkg_read.h"
#include "core/alloc.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/hex.h"
#include "core/json.h"

int mlops__pkg_parse_json(mlops__json_doc **doc, const mlops_buf *b, const char *name)
{
    mlops__json_limits lim = { 32, MLOPS__PKG_META_MAX };
    return mlops__json_parse(doc, b->data ? b->data : "", b->size, &lim, name);
}

const char *mlops__pkg_str(const mlops__json *o, const char *key)
{
    const mlops__json *v = mlops__json_object_find(o, key);
    return v && mlops__json_type_of(v) == MLOPS__JSON_STRING ? mlops__json_string(v, NULL) : NULL;
}

/* Descriptor fields by which other tools fetch or select content and that
 * the packer never writes: `urls` (fetch the blob from elsewhere), `data`
 * (the content inline, used in place of the blob), `platform` (select by
 * OS and architecture). Unsigned, so never accepted. */
static int refuse_routing_fields(const mlops__json_path *path, const mlops__json *v)
{
    static const char *const fields[] = { "urls", "data", "platform" };
    if (!v || mlops__json_type_of(v) != MLOPS__JSON_OBJECT)
        return 0;
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        const mlops__json *f = mlops__json_object_find(v, fields[i]);
        if (f) {
            mlops__json_path q = *path;
            mlops__json_path_push_key(&q, fields[i]);
            return mlops__json_schema_error(&q, f,
                                            "\"%s\" is not part of a package (another tool "
                                            "would fetch or select content by it)",
                                            fields[i]);
        }
    }
    return 0;
}

/* The top of an OCI document: schemaVersion 2, the expected mediaType, and
 * no member outside `keys`. */
static int check_oci_root(const mlops__json_path *path, const mlops__json *root,
                          const char *media_type, const char *const *keys)
{
    int rc = mlops__json_check_keys(path, root, keys);
    if (rc)
        return rc;
    const mlops__json *sv = mlops__json_object_find(root, "schemaVersion");
    if (!sv || !mlops__json_is_integer(sv) || mlops__json_int(sv) != 2)
        return mlops__json_schema_error(path, sv ? sv : root, "\"schemaVersion\" must be 2");
    const char *mt = mlops__pkg_str(root, "mediaType");
    if (!mt || strcmp(mt, media_type) != 0)
        return mlops__json_schema_error(path, root, "\"mediaType\" must be \"%s\"",
                                        media_type);
    return 0;
}

/* A descriptor: {"mediaType","digest","size", ...}. */
static int read_descriptor(const mlops__json_path *path, const mlops__json *v,
                           const char **media_type, uint8_t digest[32], uint64_t *size)
{
    static const char *const keys[] = { "mediaType", "digest", "size", "annotations",
                                        "artifactType", NULL };
    int rc = refuse_routing_fields(path, v);
    if (!rc)
        rc = mlops__json_check_keys(path, v, keys);
    if (rc)
        return rc;
    const mlops__json *mt = mlops__json_object_find(v, "mediaType");
    const mlops__json *d = mlops__json_object_find(v, "digest");
    const mlops__json *s = mlops__json_object_find(v, "size");
    if (!mt || mlops__json_type_of(mt) != MLOPS__JSON_STRING)
        return mlops__json_schema_error(path, v, "a descriptor needs a string \"mediaType\"");
    if (!d || mlops__json_type_of(d) != MLOPS__JSON_STRING)
        return mlops__json_schema_error(path, v, "a descriptor needs a string \"digest\"");
    if (!s || !mlops__json_is_integer(s) || mlops__json_int(s) < 0)
        return mlops__json_schema_error(path, v, "a descriptor needs a non-negative \"size\"");
    if (mlops_digest_parse(digest, mlops__json_string(d, NULL)) != 0)
        return mlops__json_schema_error(path, d, "not a sha256 digest");
    *media_type = mlops__json_string(mt, NULL);
    *size = (uint64_t)mlops__json_int(s);
    return 0;
}

/* A copy of the string annotation `key` of an object (NULL when absent). */
static int dup_annotation(char **out, const mlops__json *o, const char *key)
{
    const mlops__json *a = mlops__json_object_find(o, "annotations");
    const char *v = a && mlops__json_type_of(a) == MLOPS__JSON_OBJECT ? mlops__pkg_str(a, key)
                                                                       : NULL;
    mlops__free(*out);
    *out = NULL;
    if (!v)
        return 0;
    *out = mlops__strdup(v);
    return *out ? 0 : mlops__error_nomem();
}

static int expect(blob_slot *slot, const uint8_t d[32], uint64_t size)
{
    slot->expected = 1;
    memcpy(slot->digest, d, 32);
    slot->size = size;
    return 0;
}

int mlops__pkg_on_index(reader *r, const mlops_buf *b)
{
    mlops__json_doc *doc = NULL;
    int rc = mlops__pkg_parse_json(&doc, b, "index.json");
    if (rc)
        return rc;
    mlops__json_path path;
    mlops__json_path_init(&path);
    const mlops__json *root = mlops__json_root(doc);
    const mlops__json *ms = mlops__json_type_of(root) == MLOPS__JSON_OBJECT
                                ? mlops__json_object_find(root, "manifests")
                                : NULL;
    if (!ms || mlops__json_type_of(ms) != MLOPS__JSON_ARRAY) {
        rc = mlops__json_schema_error(&path, root, "index.json needs a \"manifests\" array");
        goto done;
    }
    static const char *const index_keys[] = { "schemaVersion", "mediaType", "manifests", NULL };
    rc = check_oci_root(&path, root, MLOPS__MT_OCI_INDEX, index_keys);
    if (rc)
        goto done;
    mlops__json_path_push_key(&path, "manifests");
    for (size_t i = 0; i < mlops__json_array_size(ms); i++) {
        const mlops__json *d = mlops__json_array_get(ms, i);
        mlops__json_path_push_index(&path, i);
        const char *mt;
        uint8_t dg[32];
        uint64_t size;
        rc = read_descriptor(&path, d, &mt, dg, &size);
        if (rc)
            goto done;
        const char *at = mlops__pkg_str(d, "artifactType");
        blob_slot *slot = NULL;
        if (at && strcmp(at, MLOPS__MT_MODEL_ARTIFACT) == 0)
            slot = &r->manifest;
        else if (at && strcmp(at, MLOPS__MT_DSSE) == 0)
            slot = &r->referrer;
        if (!slot || slot->expected || strcmp(mt, MLOPS__MT_OCI_MANIFEST) != 0) {
            rc = mlops__json_schema_error(&path, d, "expected one model manifest and at most "
                                                    "one signature referrer");
            goto done;
        }
        expect(slot, dg, size);
        /* the model's entry carries its ref.name and nothing else a tool
         * could select by; the referrer's entry no name at all (skopeo
         * would pull the signature as that tag) */
        const mlops__json *an = mlops__json_object_find(d, "annotations");
        if (an) {
            static const char *const model_ann[] = { "org.opencontainers.image.ref.name", NULL };
            mlops__json_path_push_key(&path, "annotations");
            rc = slot == &r->manifest
                     ? mlops__json_check_keys(&path, an, model_ann)
                     : mlops__json_schema_error(&path, an, "the signature referrer's entry "
                                                           "has no annotations");
            mlops__json_path_pop(&path);
            if (rc)
                goto done;
        }
        if (slot == &r->manifest) {
            rc = dup_annotation(&r->ref_name, d, "org.opencontainers.image.ref.name");
            if (rc)
                goto done;
        }
        mlops__json_path_pop(&path);
    }
    if (!r->manifest.expected)
        rc = mlops__json_schema_error(&path, ms, "index.json names no model manifest");
done:
    mlops__json_doc_free(doc);
    return rc;
}

/* Parse an OCI manifest blob: its root and its artifactType (NULL when the
 * root is not an object or has none; the caller reports that). */
static int parse_artifact(mlops__json_doc **doc, const mlops__json **root, const char **type,
                          const mlops_buf *b, const char *what)
{
    int rc = mlops__pkg_parse_json(doc, b, what);
    if (rc)
        return rc;
    *root = mlops__json_root(*doc);
    *type = mlops__json_type_of(*root) == MLOPS__JSON_OBJECT ? mlops__pkg_str(*root, "artifactType")
                                                             : NULL;
    return 0;
}

int mlops__pkg_on_manifest(reader *r, const mlops_buf *b)
{
    mlops__json_doc *doc = NULL;
    const mlops__json *root;
    const char *at;
    int rc = parse_artifact(&doc, &root, &at, b, "model manifest");
    if (rc)
        return rc;
    mlops__json_path path;
    mlops__json_path_init(&path);
    const mlops__json *cfg = at ? mlops__json_object_find(root, "config") : NULL;
    const mlops__json *ls = at ? mlops__json_object_find(root, "layers") : NULL;
    if (!at || strcmp(at, MLOPS__MT_MODEL_ARTIFACT) != 0 || !cfg || !ls ||
        mlops__json_type_of(ls) != MLOPS__JSON_ARRAY || mlops__json_array_size(ls) == 0) {
        rc = mlops__json_schema_error(&path, root, "not a model manifest (artifactType, config "
                                                   "and layers)");
        goto done;
    }
    static const char *const manifest_keys[] = { "schemaVersion", "mediaType", "artifactType",
                                                 "config", "layers", "annotations", NULL };
    rc = check_oci_root(&path, root, MLOPS__MT_OCI_MANIFEST, manifest_keys);
    if (rc)
        goto done;
    const mlops__json *man_ann = mlops__json_object_find(root, "annotations");
    if (man_ann) {
        /* the two the statement decides (checked against it below); a
         * ref.name or title here would be one more unsigned name */
        static const char *const ann_keys[] = { "org.opencontainers.image.created",
                                                "org.opencontainers.image.version", NULL };
        mlops__json_path_push_key(&path, "annotations");
        rc = mlops__json_check_keys(&path, man_ann, ann_keys);
        mlops__json_path_pop(&path);
        if (rc)
            goto done;
    }
    const char *mt;
    uint8_t dg[32];
    uint64_t size;
    mlops__json_path_push_key(&path, "config");
    rc = read_descriptor(&path, cfg, &mt, dg, &size);
    if (rc)
        goto done;
    expect(&r->config, dg, size);
    mlops__json_path_pop(&path);
    size_t n = mlops__json_array_size(ls);
    if (n > MLOPS__PKG_MAX_LAYERS) {
        rc = mlops__error(MLOPS_E_LIMIT, "%s: %zu layers, at most %d", r->pkg, n,
                          MLOPS__PKG_MAX_LAYERS);
        goto done;
    }
    r->layers = mlops__calloc(n, sizeof *r->layers);
    if (!r->layers) {
        rc = mlops__error_nomem();
        goto done;
    }
    mlops__json_path_push_key(&path, "layers");
    for (size_t i = 0; i < n; i++) {
        const mlops__json *d = mlops__json_array_get(ls, i);
        mlops__json_path_push_index(&path, i);
        rc = read_descriptor(&path, d, &mt, dg, &size);
        if (rc)
            goto done;
        if (i == 0) {
            if (strcmp(mt, MLOPS__MT_STATEMENT) != 0) {
                rc = mlops__json_schema_error(&path, d, "the first layer must be the statement");
                goto done;
            }
            expect(&r->statement, dg, size);
            rc = dup_annotation(&r->stmt_title, d, "org.opencontainers.image.title");
            if (rc)
                goto done;
        } else {
            layer_desc *l = &r->layers[r->nlayers++];
            memcpy(l->digest, dg, 32);
            l->size = size;
            size_t len = strlen(mt);
            static const char prefix[] = "application/vnd.cncf.model.";
            if (len >= sizeof l->media_type || strncmp(mt, prefix, sizeof prefix - 1) != 0) {
                rc = mlops__json_schema_error(&path, d, "unknown layer media type");
                goto done;
            }
            strcpy(l->media_type, mt);
            rc = dup_annotation(&l->filepath, d, "org.cncf.model.filepath");
            if (!rc)
                rc = dup_annotation(&l->title, d, "org.opencontainers.image.title");
            if (rc)
                goto done;
            if (len > 4 && strcmp(mt + len - 4, ".raw") == 0)
                l->kind = LAYER_RAW;
            else if (len > 4 && strcmp(mt + len - 4, ".tar") == 0)
                l->kind = LAYER_TAR;
            else {
                rc = mlops__error_at(MLOPS_E_UNSUPPORTED, -1, 0, 0, NULL,
                                     "%s: layer media type \"%s\" is not supported", r->pkg,
                                     mt);
                goto done;
            }
        }
        mlops__json_path_pop(&path);
    }
    rc = dup_annotation(&r->mf_version, root, "org.opencontainers.image.version");
    if (!rc)
        rc = dup_annotation(&r->mf_created, root, "org.opencontainers.image.created");
done:
    mlops__json_doc_free(doc);
    return rc;
}

int mlops__pkg_on_referrer(reader *r, const mlops_buf *b)
{
    mlops__json_doc *doc = NULL;
    const mlops__json *root;
    const char *at;
    int rc = parse_artifact(&doc, &root, &at, b, "signature referrer");
    if (rc)
        return rc;
    mlops__json_path path;
    mlops__json_path_init(&path);
    const mlops__json *ls = at ? mlops__json_object_find(root, "layers") : NULL;
    const mlops__json *subj = at ? mlops__json_object_find(root, "subject") : NULL;
    const mlops__json *cfg = at ? mlops__json_object_find(root, "config") : NULL;
    if (!at || strcmp(at, MLOPS__MT_DSSE) != 0 || !ls || !subj || !cfg ||
        mlops__json_type_of(ls) != MLOPS__JSON_ARRAY || mlops__json_array_size(ls) != 1) {
        rc = mlops__json_schema_error(&path, root, "not a signature referrer");
        goto done;
    }
    static const char *const referrer_keys[] = { "schemaVersion", "mediaType", "artifactType",
                                                 "config", "layers", "subject", NULL };
    rc = check_oci_root(&path, root, MLOPS__MT_OCI_MANIFEST, referrer_keys);
    if (rc)
        goto done;
    const char *mt;
    uint8_t dg[32];
    uint64_t size;
    mlops__json_path_push_key(&path, "subject");
    rc = read_descriptor(&path, subj, &mt, dg, &size);
    if (!rc && memcmp(dg, r->manifest.digest, 32) != 0)
        rc = mlops__json_schema_error(&path, subj, "the subject is not the model manifest");
    mlops__json_path_pop(&path);
    if (rc)
        goto done;
    mlops__json_path_push_key(&path, "config");
    rc = read_descriptor(&path, cfg, &mt, dg, &size);
    mlops__json_path_pop(&path);
    if (rc)
        goto done;
    expect(&r->empty, dg, size);
    mlops__json_path_push_key(&path, "layers");
    mlops__json_path_push_index(&path, 0);
    rc = read_descriptor(&path, mlops__json_array_get(ls, 0), &mt, dg, &size);
    if (!rc && strcmp(mt, MLOPS__MT_DSSE) != 0)
        rc = mlops__json_schema_error(&path, mlops__json_array_get(ls, 0),
                                      "the signature layer must be a DSSE envelope");
    if (!rc)
        expect(&r->envelope, dg, size);
done:
    mlops__json_doc_free(doc);
    return rc;
}

/* ---- routing documents against the statement -------------------------- */

/* The OCI documents are not signed, yet other tools route by them: `skopeo
 * copy oci-archive:x.mlpkg:<ver>` selects by index.json's ref.name, `oras
 * pull` names files by their layer titles, ModelPack tools by
 * org.cncf.model.filepath and the config's descriptor. Each must say what
 * the signed statement says, or the package is refused. */
static int routing_fault(reader *r, const char *doc, const char *what, const char *found,
                         const char *want)
{
    return mlops__error_at(MLOPS_E_INTEGRITY, -1, 0, 0, doc,
                           "%s: %s: %s is %s%.200s%s, the %sstatement says \"%.200s\"",
                           r->pkg, doc, what, found ? "\"" : "", found ? found : "absent",
                           found ? "\"" : "", r->rep->is_signed ? "signed " : "", want);
}

static const char *layer_kind_role(const char *media_type)
{
    static const struct { const char *kind, *role; } kinds[] = {
        { "weight", "model" }, { "weight.config", "config" }, { "doc", "doc" },
        { "code", "code" },    { "dataset", "dataset" },
    };
    static const char prefix[] = "application/vnd.cncf.model.";
    const char *k = media_type + sizeof prefix - 1;
    size_t len = strlen(k);
    if (len < 7 || strcmp(k + len - 7, ".v1.tar") != 0)
        return NULL;
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (strlen(kinds[i].kind) == len - 7 && memcmp(kinds[i].kind, k, len - 7) == 0)
            return kinds[i].role;
    return NULL;
}

static int check_config(reader *r, const mlops_manifest *m)
{
    mlops__json_doc *doc = NULL;
    int rc = mlops__pkg_parse_json(&doc, &r->config_doc, "config");
    if (rc)
        return rc;
    const mlops__json *root = mlops__json_root(doc);
    int obj = mlops__json_type_of(root) == MLOPS__JSON_OBJECT;
    const mlops__json *desc = obj ? mlops__json_object_find(root, "descriptor") : NULL;
    const mlops__json *cfg = obj ? mlops__json_object_find(root, "config") : NULL;
    const mlops__json *fs = obj ? mlops__json_object_find(root, "modelfs") : NULL;
    if (!desc || mlops__json_type_of(desc) != MLOPS__JSON_OBJECT || !fs ||
        mlops__json_type_of(fs) != MLOPS__JSON_OBJECT ||
        (cfg && mlops__json_type_of(cfg) != MLOPS__JSON_OBJECT)) {
        rc = mlops__error_at(MLOPS_E_INTEGRITY, -1, 0, 0, "config",
                             "%s: config: not a ModelPack config (descriptor, modelfs)", r->pkg);
        goto done;
    }
    const char *v;
    if (!(v = mlops__pkg_str(desc, "name")) || strcmp(v, mlops_manifest_name(m)) != 0)
        rc = routing_fault(r, "config", "descriptor.name", v, mlops_manifest_name(m));
    else if (!(v = mlops__pkg_str(desc, "version")) || strcmp(v, mlops_manifest_version(m)) != 0)
        rc = routing_fault(r, "config", "descriptor.version", v, mlops_manifest_version(m));
    else if (!(v = mlops__pkg_str(desc, "createdAt")) ||
             strcmp(v, mlops_manifest_created(m)) != 0)
        rc = routing_fault(r, "config", "descriptor.createdAt", v, mlops_manifest_created(m));
    if (rc)
        goto done;
    const char *fw = mlops_manifest_framework_name(m);
    v = cfg ? mlops__pkg_str(cfg, "format") : NULL;
    if ((fw || v || (cfg && mlops__json_object_find(cfg, "format"))) &&
        (!fw || !v || strcmp(fw, v) != 0)) {
        rc = routing_fault(r, "config", "config.format", v, fw ? fw : "(no framework)");
        goto done;
    }
    const mlops__json *ids = mlops__json_object_find(fs, "diffIds");
    v = mlops__pkg_str(fs, "type");
    if (!v || strcmp(v, "layers") != 0 || !ids || mlops__json_type_of(ids) != MLOPS__JSON_ARRAY ||
        mlops__json_array_size(ids) != r->nlayers) {
        rc = mlops__error_at(MLOPS_E_INTEGRITY, -1, 0, 0, "config",
                             "%s: config: modelfs must list the %zu file layers of the "
                             "manifest as diffIds",
                             r->pkg, r->nlayers);
        goto done;
    }
    for (size_t i = 0; i < r->nlayers; i++) {
        const mlops__json *d = mlops__json_array_get(ids, i);
        char want[72];
        mlops_digest_format(want, r->layers[i].digest);
        if (mlops__json_type_of(d) != MLOPS__JSON_STRING ||
            strcmp(mlops__json_string(d, NULL), want) != 0) {
            rc = mlops__error_at(MLOPS_E_INTEGRITY, -1, 0, 0, "config",
                                 "%s: config: modelfs.diffIds[%zu] is not the digest of "
                                 "layer %zu of the manifest (%s)",
                                 r->pkg, i, i + 1, want);
            goto done;
        }
    }
done:
    mlops__json_doc_free(doc);
    return rc;
}

/* Once the statement is trusted and the config was read. */
int mlops__pkg_check_routing(reader *r)
{
    const mlops_manifest *m = r->rep->m;
    if (r->routing_checked || !m || !r->config.done)
        return 0;
    r->routing_checked = 1;
    const char *ver = mlops_manifest_version(m);
    if (!r->ref_name || strcmp(r->ref_name, ver) != 0)
        return routing_fault(r, "index.json", "org.opencontainers.image.ref.name", r->ref_name,
                             ver);
    if (!r->mf_version || strcmp(r->mf_version, ver) != 0)
        return routing_fault(r, "model manifest", "org.opencontainers.image.version",
                             r->mf_version, ver);
    if (!r->mf_created || strcmp(r->mf_created, mlops_manifest_created(m)) != 0)
        return routing_fault(r, "model manifest", "org.opencontainers.image.created",
                             r->mf_created, mlops_manifest_created(m));
    if (!r->stmt_title || strcmp(r->stmt_title, "statement.json") != 0)
        return routing_fault(r, "model manifest", "the statement layer's title", r->stmt_title,
                             "statement.json");
    for (size_t i = 0; i < r->nlayers; i++) {
        layer_desc *l = &r->layers[i];
        char what[64];
        snprintf(what, sizeof what, "layers[%zu] annotation", i + 1);
        if (l->kind == LAYER_RAW) {
            char hexd[65];
            mlops__hex(hexd, l->digest, MLOPS_SHA256_SIZE);
            size_t f = l->filepath ? mlops_manifest_file_find(m, l->filepath) : (size_t)-1;
            if (f == (size_t)-1 || strcmp(mlops_manifest_file_sha256(m, f), hexd) != 0 ||
                mlops_manifest_file_size(m, f) < MLOPS_PACKAGE_RAW_THRESHOLD) {
                char want[120];
                snprintf(want, sizeof want, "the path of a file of digest sha256:%.12s...",
                         hexd);
                return mlops__error_at(MLOPS_E_INTEGRITY, -1, 0, 0, "model manifest",
                                       "%s: model manifest: %s org.cncf.model.filepath is "
                                       "%s%.200s%s, not %s",
                                       r->pkg, what, l->filepath ? "\"" : "",
                                       l->filepath ? l->filepath : "absent",
                                       l->filepath ? "\"" : "", want);
            }
            const char *base = strrchr(l->filepath, '/');
            base = base ? base + 1 : l->filepath;
            if (!l->title || strcmp(l->title, base) != 0)
                return routing_fault(r, "model manifest", "org.opencontainers.image.title",
                                     l->title, base);
        } else {
            const char *role = layer_kind_role(l->media_type);
            char want[64];
            snprintf(want, sizeof want, "%s-files.tar", role ? role : "?");
            if (l->filepath)
                return routing_fault(r, "model manifest",
                                     "a tar layer's org.cncf.model.filepath", l->filepath,
                                     "(none)");
            if (!role || !l->title || strcmp(l->title, want) != 0)
                return routing_fault(r, "model manifest", "org.opencontainers.image.title",
                                     l->title, want);
        }
    }
    return check_config(r, m);
}

/* The statement is trusted: parse it and set up the per-file bookkeeping. */
int mlops__pkg_trust_statement(reader *r, const char *bytes, size_t len)
{
    int rc = mlops_manifest_parse(&r->rep->m, bytes, len, NULL);
    if (rc)
        return mlops__error_prefix("%s: statement", r->pkg);
    size_t n = mlops_manifest_file_count(r->rep->m);
    r->file_seen = mlops__calloc(n ? n : 1, 1);
    r->wanted = mlops__calloc(n ? n : 1, 1);
    if (!r->file_seen || !r->wanted)
        return mlops__error_nomem();
    for (size_t i = 0; i < n; i++)
        r->wanted[i] = r->o.paths == NULL;
    for (size_t k = 0; r->o.paths && k < r->o.npaths; k++) {
        size_t i = mlops_manifest_file_find(r->rep->m, r->o.paths[k]);
        if (i == (size_t)-1)
            return mlops__error_at(MLOPS_E_NOTFOUND, -1, 0, 0, r->o.paths[k],
                                   "%s: \"%s\" is not a file of this package", r->pkg,
                                   r->o.paths[k]);
        r->wanted[i] = 1;
    }
    r->statement_trusted = 1;
    return mlops__pkg_check_routing(r);
}

int mlops__pkg_on_envelope(reader *r, const mlops_buf *b)
{
    if (!r->o.trusted)
        return 0; /* unsigned verification: the statement blob is used */
    mlops_buf payload = MLOPS_BUF_INIT;
    mlops_dsse_verify_options vo = MLOPS_DSSE_VERIFY_OPTIONS_INIT;
    vo.threshold = r->o.threshold;
    int rc = mlops_dsse_verify(&payload, b->data ? b->data : "", b->size, r->o.trusted, &vo);
    if (rc) {
        mlops__error_prefix("%s", r->pkg);
        goto done;
    }
    uint8_t d[32];
    rc = mlops_digest_buffer(d, payload.data ? payload.data : "", payload.size);
    if (rc)
        goto done;
    if (memcmp(d, r->statement.digest, 32) != 0) {
        rc = mlops__error(MLOPS_E_SIGNATURE,
                          "%s: the signed statement is not the package's statement", r->pkg);
        goto done;
    }
    /* the signature verified and covers the statement */
    r->rep->is_signed = 1;
    rc = mlops__pkg_trust_statement(r, payload.data ? payload.data : "", payload.size);
done:
    mlops_buf_dispose(&payload);
    return rc;
}
