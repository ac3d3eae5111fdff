/*
 * The store's reachability: gc removes the blobs no name reaches, check
 * verifies that every reachable blob is present and intact.
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
#include "mlops/store.h"

/* ---- reachability: gc and check ----------------------------------------- */

typedef struct digest_set {
    uint8_t (*d)[32];
    size_t n, cap;
} digest_set;

static int set_add(digest_set *set, const uint8_t d[32])
{
    for (size_t i = 0; i < set->n; i++)
        if (memcmp(set->d[i], d, 32) == 0)
            return 0;
    if (set->n == set->cap) {
        size_t cap = set->cap ? set->cap * 2 : 64;
        uint8_t(*g)[32] = mlops__reallocarray(set->d, cap, sizeof *g);
        if (!g)
            return mlops__error_nomem();
        set->d = g;
        set->cap = cap;
    }
    memcpy(set->d[set->n++], d, 32);
    return 0;
}

static int set_has(const digest_set *set, const uint8_t d[32])
{
    for (size_t i = 0; i < set->n; i++)
        if (memcmp(set->d[i], d, 32) == 0)
            return 1;
    return 0;
}

/* A blob's bytes, checked against its name. */
int mlops__store_read_blob(mlops_store *s, const uint8_t d[32], mlops_buf *out)
{
    char h[65];
    mlops__hex(h, d, MLOPS_SHA256_SIZE);
    mlops_buf p = MLOPS_BUF_INIT;
    int rc = mlops__buf_printf(&p, "%s/blobs/sha256/%s", s->root, h);
    if (!rc)
        rc = mlops__store_read_file(out, p.data, META_MAX, NULL);
    uint8_t got[32];
    if (!rc)
        rc = mlops_digest_buffer(got, out->data ? out->data : "", out->size);
    if (!rc && memcmp(got, d, 32) != 0)
        rc = mlops__error_at(MLOPS_E_INTEGRITY, -1, 0, 0, p.data,
                             "%s does not hash to its name", p.data);
    mlops_buf_dispose(&p);
    return rc;
}

/* Everything a manifest reaches: itself, its config, its layers. */
int mlops__store_read_manifest(mlops_store *s, const uint8_t d[32], mlops_buf *b,
                               mlops__json_doc **doc, const mlops__json **config,
                               const mlops__json **layers)
{
    int rc = mlops__store_read_blob(s, d, b);
    if (!rc) {
        mlops__json_limits lim = { 32, META_MAX };
        rc = mlops__json_parse(doc, b->data ? b->data : "", b->size, &lim, "manifest");
    }
    if (rc)
        return rc;
    const mlops__json *root = mlops__json_root(*doc);
    *config = mlops__json_type_of(root) == MLOPS__JSON_OBJECT
                  ? mlops__json_object_find(root, "config")
                  : NULL;
    *layers = *config ? mlops__json_object_find(root, "layers") : NULL;
    return 0;
}

static int reach(mlops_store *s, const uint8_t d[32], digest_set *set)
{
    int rc = set_add(set, d);
    mlops_buf b = MLOPS_BUF_INIT;
    mlops__json_doc *doc = NULL;
    const mlops__json *cfg = NULL, *ls = NULL;
    if (!rc)
        rc = mlops__store_read_manifest(s, d, &b, &doc, &cfg, &ls);
    if (rc)
        goto done;
    uint8_t x[32];
    const char *cd = mlops__store_str(cfg, "digest");
    if (!cd || mlops_digest_parse(x, cd) != 0 || !ls ||
        mlops__json_type_of(ls) != MLOPS__JSON_ARRAY) {
        rc = mlops__error(MLOPS_E_SCHEMA, "%s: a stored manifest is malformed", s->root);
        goto done;
    }
    rc = set_add(set, x);
    for (size_t i = 0; !rc && i < mlops__json_array_size(ls); i++) {
        const char *ld = mlops__store_str(mlops__json_array_get(ls, i), "digest");
        if (!ld || mlops_digest_parse(x, ld) != 0)
            rc = mlops__error(MLOPS_E_SCHEMA, "%s: a stored manifest is malformed", s->root);
        else
            rc = set_add(set, x);
    }
done:
    mlops__json_doc_free(doc);
    mlops_buf_dispose(&b);
    return rc;
}

static int reachable(mlops_store *s, digest_set *set)
{
    int rc = 0;
    for (size_t i = 0; !rc && i < s->n; i++)
        rc = reach(s, s->e[i].d, set);
    return rc;
}

int mlops_store_gc(size_t *removed, mlops_store *s)
{
    MLOPS__CHECK_ARG(s);
    int rc = mlops__store_lock(s);
    if (rc)
        return rc;
    digest_set set = { NULL, 0, 0 };
    mlops_buf dir = MLOPS_BUF_INIT;
    size_t count = 0;
    rc = reachable(s, &set);
    if (!rc)
        rc = mlops__buf_printf(&dir, "%s/blobs/sha256", s->root);
    DIR *d = rc ? NULL : opendir(dir.data);
    if (!rc && !d)
        rc = mlops__error_at(MLOPS_E_IO, -1, 0, 0, dir.data, "%s: %s", dir.data,
                             mlops__strerror(errno));
    struct dirent *e;
    while (!rc && (e = readdir(d)) != NULL) {
        uint8_t x[32];
        char full[80];
        if (e->d_name[0] == '.' && (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0))
            continue;
        snprintf(full, sizeof full, "sha256:%.70s", e->d_name);
        int is_blob = strlen(e->d_name) == 64 && mlops_digest_parse(x, full) == 0;
        /* unreferenced blobs, and temporaries a killed writer left */
        if ((is_blob && !set_has(&set, x)) || strncmp(e->d_name, ".tmp-", 5) == 0) {
            if (unlinkat(dirfd(d), e->d_name, 0) == 0)
                count++;
        }
    }
    if (d)
        closedir(d);
    if (!rc)
        rc = mlops__store_fsync_dir(dir.data);
    /* an alias history line index.json never confirmed goes; then the
     * temporary files of killed writers in the store's directory */
    if (!rc && s->repaired)
        rc = mlops__store_save_history(s);
    if (!rc)
        rc = mlops__store_remove_root_temps(s->root, &count);
    mlops__store_unlock(s);
    mlops__free(set.d);
    mlops_buf_dispose(&dir);
    if (!rc && removed)
        *removed = count;
    return rc;
}

int mlops_store_check(mlops_store *s)
{
    MLOPS__CHECK_ARG(s);
    int rc = mlops__store_load_index(s, 0);
    digest_set set = { NULL, 0, 0 };
    if (!rc)
        rc = reachable(s, &set);
    for (size_t i = 0; !rc && i < set.n; i++) {
        char h[65];
        mlops__hex(h, set.d[i], MLOPS_SHA256_SIZE);
        mlops_buf p = MLOPS_BUF_INIT;
        uint8_t got[32];
        rc = mlops__buf_printf(&p, "%s/blobs/sha256/%s", s->root, h);
        if (!rc) {
            rc = mlops_digest_file(got, p.data, NULL);
            if (rc == MLOPS_E_IO)
                rc = mlops__error_at(MLOPS_E_INTEGRITY, -1, 0, 0, p.data,
                                     "%s: blob %s is missing or unreadable", s->root, h);
        }
        if (!rc && memcmp(got, set.d[i], 32) != 0)
            rc = mlops__error_at(MLOPS_E_INTEGRITY, -1, 0, 0, p.data,
                                 "%s: blob %s does not hash to its name", s->root, h);
        mlops_buf_dispose(&p);
    }
    mlops__free(set.d);
    return rc;
}
