/*
 * OCI layouts written back as packages: a version of the store
 * (mlops_store_export), or a layout from elsewhere, such as one a registry
 * client pulled (mlops_layout_export).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <openssl/evp.h>

#include "artifact/pack.h"
#include "artifact/store_impl.h"
#include "core/alloc.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/hex.h"
#include "core/io.h"
#include "core/json.h"
#include "core/strlist.h"
#include "mlops/semver.h"
#include "mlops/layout.h"
#include "mlops/store.h"

/* ---- export --------------------------------------------------------------- */

/* Append a manifest's config and layers to the export list. With
 * `stop_after_first_layer`, only the config and the first layer (the
 * statement) go to the list and the other layers to `rest`, which the
 * export writes last. */
static int manifest_parts(mlops_store *s, const uint8_t d[32], mlops__layout_blob **list,
                          size_t *n, size_t *cap, int stop_after_first_layer, size_t *nrest,
                          mlops__layout_blob **rest)
{
    mlops_buf b = MLOPS_BUF_INIT;
    mlops__json_doc *doc = NULL;
    const mlops__json *cfg = NULL, *ls = NULL;
    int rc = mlops__store_read_manifest(s, d, &b, &doc, &cfg, &ls);
    if (rc)
        goto done;
    size_t nl = ls && mlops__json_type_of(ls) == MLOPS__JSON_ARRAY ? mlops__json_array_size(ls)
                                                                   : 0;
    if (!nl) {
        rc = mlops__error(MLOPS_E_SCHEMA, "%s: a stored manifest is malformed", s->root);
        goto done;
    }
    if (*n + nl + 1 > *cap) {
        size_t c = *n + nl + 8;
        mlops__layout_blob *g = mlops__reallocarray(*list, c, sizeof *g);
        if (!g) {
            rc = mlops__error_nomem();
            goto done;
        }
        *list = g;
        *cap = c;
    }
    for (size_t i = 0; i <= nl && !rc; i++) {
        const mlops__json *desc = i == 0 ? cfg : mlops__json_array_get(ls, i - 1);
        const char *dg = mlops__store_str(desc, "digest");
        const mlops__json *sz = mlops__json_type_of(desc) == MLOPS__JSON_OBJECT
                                    ? mlops__json_object_find(desc, "size")
                                    : NULL;
        mlops__layout_blob lb;
        memset(&lb, 0, sizeof lb);
        if (!dg || mlops_digest_parse(lb.digest, dg) != 0 || !sz || !mlops__json_is_integer(sz) ||
            mlops__json_int(sz) < 0) {
            rc = mlops__error(MLOPS_E_SCHEMA, "%s: a stored manifest is malformed", s->root);
            break;
        }
        lb.size = (uint64_t)mlops__json_int(sz);
        if (i <= 1 || !stop_after_first_layer) {
            (*list)[(*n)++] = lb;
        } else {
            mlops__layout_blob *g = mlops__reallocarray(*rest, *nrest + 1, sizeof *g);
            if (!g) {
                rc = mlops__error_nomem();
                break;
            }
            *rest = g;
            (*rest)[(*nrest)++] = lb;
        }
    }
done:
    mlops__json_doc_free(doc);
    mlops_buf_dispose(&b);
    return rc;
}

/* The file layers (`rest`) after the rest of the list, and the file name
 * under `root` of every blob not given by its bytes: *paths (one per list
 * entry, NULL where the bytes are given) owns them. */
static int finish_list(mlops__layout_blob **list, size_t *n, size_t cap,
                       const mlops__layout_blob *rest, size_t nrest, const char *root,
                       char ***paths)
{
    if (*n + nrest > cap) {
        mlops__layout_blob *g = mlops__reallocarray(*list, *n + nrest, sizeof *g);
        if (!g)
            return mlops__error_nomem();
        *list = g;
    }
    for (size_t i = 0; i < nrest; i++)
        (*list)[(*n)++] = rest[i];
    *paths = mlops__calloc(*n ? *n : 1, sizeof **paths);
    if (!*paths)
        return mlops__error_nomem();
    for (size_t i = 0; i < *n; i++) {
        mlops__layout_blob *b = &(*list)[i];
        if (b->data)
            continue;
        char h[65];
        mlops__hex(h, b->digest, MLOPS_SHA256_SIZE);
        mlops_buf p = MLOPS_BUF_INIT;
        int rc = mlops__buf_printf(&p, "%s/blobs/sha256/%s", root, h);
        if (rc) {
            mlops_buf_dispose(&p);
            return rc;
        }
        (*paths)[i] = mlops__buf_detach(&p);
        if (!(*paths)[i])
            return mlops__error_nomem();
        b->path = (*paths)[i];
    }
    return 0;
}

static void free_paths(char **paths, size_t n)
{
    for (size_t i = 0; paths && i < n; i++)
        mlops__free(paths[i]);
    mlops__free(paths);
}

/* The package: the index and the blobs of `list`, in that order. */
static int write_package(const char *out_path, uint32_t flags, int64_t mtime,
                         const mlops_buf *index, const mlops__layout_blob *list, size_t n)
{
    mlops_packer_options po = MLOPS_PACKER_OPTIONS_INIT;
    po.mtime = mtime;
    return mlops__layout_write(out_path, (flags & MLOPS_PACK_OVERWRITE) != 0,
                               mlops__pack_mtime(&po), index, list, n);
}

int mlops_store_export(mlops_store *s, const char *reference, const char *out_path,
                       int64_t mtime, uint32_t flags)
{
    MLOPS__CHECK_ARG(s);
    MLOPS__CHECK_ARG(reference);
    MLOPS__CHECK_ARG(out_path);
    MLOPS__CHECK_FLAGS(flags, MLOPS_PACK_OVERWRITE);
    int rc = mlops__store_load_index(s, 0);
    if (rc)
        return rc;
    entry *m = mlops__store_find_entry(s, reference, KIND_MODEL);
    if (!m)
        return mlops__error_at(MLOPS_E_NOTFOUND, -1, 0, 0, reference,
                               "%s: no \"%s\" in the store", s->root, reference);
    /* the tag (an alias names the same manifest as some tag) and its referrer */
    const entry *tag = mlops__store_is_tag(m->ref) ? m : NULL;
    for (size_t i = 0; !tag && i < s->n; i++)
        if (s->e[i].kind == KIND_MODEL && mlops__store_is_tag(s->e[i].ref) &&
            memcmp(s->e[i].d, m->d, 32) == 0)
            tag = &s->e[i];
    if (!tag)
        return mlops__error_at(MLOPS_E_NOTFOUND, -1, 0, 0, reference,
                               "%s: \"%s\" names no tagged version", s->root, reference);
    const entry *sig = mlops__store_find_entry(s, tag->ref, KIND_SIGNATURE);
    mlops__layout_blob *list = NULL, *rest = NULL;
    size_t n = 0, cap = 0, nrest = 0;
    mlops_buf index = MLOPS_BUF_INIT;
    mlops__layout_blob mb;
    memset(&mb, 0, sizeof mb);
    memcpy(mb.digest, m->d, 32);
    mb.size = m->size;
    list = mlops__calloc(8, sizeof *list);
    if (!list)
        return mlops__error_nomem();
    cap = 8;
    list[n++] = mb;
    /* model manifest, config, statement; then the referrer, its config, the
     * envelope; then the file layers: the packer's order */
    rc = manifest_parts(s, m->d, &list, &n, &cap, 1, &nrest, &rest);
    if (!rc && sig) {
        if (n + 1 > cap) {
            mlops__layout_blob *g = mlops__reallocarray(list, cap + 8, sizeof *g);
            if (!g)
                rc = mlops__error_nomem();
            else {
                list = g;
                cap += 8;
            }
        }
        if (!rc) {
            mlops__layout_blob rb;
            memset(&rb, 0, sizeof rb);
            memcpy(rb.digest, sig->d, 32);
            rb.size = sig->size;
            list[n++] = rb;
            rc = manifest_parts(s, sig->d, &list, &n, &cap, 0, NULL, NULL);
        }
    }
    char **paths = NULL;
    if (!rc)
        rc = finish_list(&list, &n, cap, rest, nrest, s->root, &paths);
    const char *colon = strrchr(tag->ref, ':');
    if (!rc)
        rc = mlops__layout_index(&index, colon + 1, m->d, m->size, sig != NULL,
                                 sig ? sig->d : m->d, sig ? sig->size : 0);
    if (!rc)
        rc = write_package(out_path, flags, mtime, &index, list, n);
    free_paths(paths, n);
    mlops__free(list);
    mlops__free(rest);
    mlops_buf_dispose(&index);
    return rc;
}

/* ---- an OCI layout from elsewhere back to a package ----------------------- */

int mlops_layout_export(const char *layout_dir, const char *reference, const char *envelope,
                        size_t envelope_len, const char *out_path, int64_t mtime,
                        uint32_t flags)
{
    MLOPS__CHECK_ARG(layout_dir);
    MLOPS__CHECK_ARG(reference);
    MLOPS__CHECK_ARG(out_path);
    if (envelope_len)
        MLOPS__CHECK_ARG(envelope);
    MLOPS__CHECK_FLAGS(flags, MLOPS_PACK_OVERWRITE);
    /* a read-only view of the directory through the store's blob helpers */
    mlops_store view;
    memset(&view, 0, sizeof view);
    view.root = (char *)(uintptr_t)layout_dir;
    view.lock_fd = -1;
    mlops_buf path = MLOPS_BUF_INIT, text = MLOPS_BUF_INIT, stmt = MLOPS_BUF_INIT;
    mlops_buf mbytes = MLOPS_BUF_INIT, ref = MLOPS_BUF_INIT, index = MLOPS_BUF_INIT;
    mlops__json_doc *doc = NULL, *mdoc = NULL;
    mlops_manifest *m = NULL;
    mlops__layout_blob *list = NULL, *rest = NULL;
    size_t n = 0, cap = 0, nrest = 0;
    char **paths = NULL;
    uint8_t md[32], sd[32], rd[32], ed[32];
    uint64_t msize = 0;
    int found = 0;
    int rc = mlops__store_path_join(&path, layout_dir, "index.json");
    if (!rc)
        rc = mlops__store_read_file(&text, path.data, META_MAX, NULL);
    const mlops__json *ms = NULL;
    if (!rc)
        rc = mlops__store_index_parse(&doc, &ms, &text, path.data);
    if (rc)
        goto done;
    for (size_t i = 0; ms && i < mlops__json_array_size(ms) && !found; i++) {
        const char *r, *subj, *at;
        found = mlops__store_index_descriptor(mlops__json_array_get(ms, i), md, &msize, &r, &subj,
                                              &at) == 0 &&
                r && strcmp(r, reference) == 0;
    }
    if (!found) {
        rc = mlops__error_at(MLOPS_E_NOTFOUND, -1, 0, 0, reference,
                             "%s: no manifest named \"%s\" in index.json", layout_dir, reference);
        goto done;
    }
    /* the statement (first layer) gives the version the package's index names */
    rc = mlops__store_read_blob(&view, md, &mbytes);
    if (!rc) {
        mlops__json_limits lim = { 32, META_MAX };
        rc = mlops__json_parse(&mdoc, mbytes.data, mbytes.size, &lim, "model manifest");
    }
    if (rc)
        goto done;
    const mlops__json *ls = mlops__json_type_of(mlops__json_root(mdoc)) == MLOPS__JSON_OBJECT
                                ? mlops__json_object_find(mlops__json_root(mdoc), "layers")
                                : NULL;
    const char *sdg = ls && mlops__json_type_of(ls) == MLOPS__JSON_ARRAY &&
                              mlops__json_array_size(ls) > 0
                          ? mlops__store_str(mlops__json_array_get(ls, 0), "digest")
                          : NULL;
    if (!sdg || mlops_digest_parse(sd, sdg) != 0) {
        rc = mlops__error(MLOPS_E_SCHEMA, "%s: the model manifest has no statement layer",
                          layout_dir);
        goto done;
    }
    rc = mlops__store_read_blob(&view, sd, &stmt);
    if (!rc)
        rc = mlops_manifest_parse(&m, stmt.data, stmt.size, NULL);
    if (rc)
        goto done;
    list = mlops__calloc(8, sizeof *list);
    if (!list) {
        rc = mlops__error_nomem();
        goto done;
    }
    cap = 8;
    memcpy(list[0].digest, md, 32);
    list[0].size = msize;
    n = 1;
    rc = manifest_parts(&view, md, &list, &n, &cap, 1, &nrest, &rest);
    if (!rc && envelope) {
        rc = mlops_digest_buffer(ed, envelope, envelope_len);
        if (!rc)
            rc = mlops__layout_referrer(&ref, rd, md, msize, ed, envelope_len);
        mlops__layout_blob *g = rc ? NULL : mlops__reallocarray(list, n + 3, sizeof *g);
        if (!rc && !g)
            rc = mlops__error_nomem();
        if (!rc) {
            list = g;
            cap = n + 3;
            mlops__layout_blob extra[3];
            memset(extra, 0, sizeof extra);
            memcpy(extra[0].digest, rd, 32);
            extra[0].size = ref.size;
            extra[0].data = ref.data;
            memcpy(extra[1].digest, mlops__oci_empty_digest, 32);
            extra[1].size = 2;
            extra[1].data = "{}";
            memcpy(extra[2].digest, ed, 32);
            extra[2].size = envelope_len;
            extra[2].data = envelope;
            for (int k = 0; k < 3; k++)
                list[n++] = extra[k];
        }
    }
    if (!rc)
        rc = finish_list(&list, &n, cap, rest, nrest, layout_dir, &paths);
    if (!rc)
        rc = mlops__layout_index(&index, mlops_manifest_version(m), md, msize, envelope != NULL,
                                 rd, ref.size);
    if (!rc)
        rc = write_package(out_path, flags, mtime, &index, list, n);
done:
    free_paths(paths, n);
    mlops__free(list);
    mlops__free(rest);
    mlops_manifest_free(m);
    mlops__json_doc_free(doc);
    mlops__json_doc_free(mdoc);
    mlops_buf_dispose(&path);
    mlops_buf_dispose(&text);
    mlops_buf_dispose(&stmt);
    mlops_buf_dispose(&mbytes);
    mlops_buf_dispose(&ref);
    mlops_buf_dispose(&index);
    return rc;
}
