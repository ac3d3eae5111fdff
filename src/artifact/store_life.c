/*
 * The store's versions over time: their order (SemVer precedence), the
 * virtual alias "latest", removal of a version and retention.
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * Removal changes index.json only: the tag and its signature's entry go in
 * one atomic replace of the file (the commit point), and the blobs stay
 * until gc finds them unreachable. So a writer killed at any point leaves
 * either the old index or the new one, and a store gc makes consistent.
 */
#include <stdlib.h>
#include <string.h>

#include "artifact/store_impl.h"
#include "core/alloc.h"
#include "core/error.h"
#include "core/strlist.h"
#include "mlops/semver.h"
#include "mlops/store.h"

/* ---- order ---------------------------------------------------------------- */

int mlops__store_tag_cmp(const char *a, const char *b)
{
    const char *ca = strrchr(a, ':'), *cb = strrchr(b, ':');
    size_t na = (size_t)(ca - a), nb = (size_t)(cb - b);
    int c = memcmp(a, b, na < nb ? na : nb);
    if (c != 0 || na != nb)
        return c != 0 ? c : (na < nb ? -1 : 1);
    int prec = 0;
    if (mlops_semver_compare_str(&prec, ca + 1, cb + 1) != 0)
        prec = 0; /* not SemVer (not a tag): byte order decides */
    return prec != 0 ? prec : strcmp(ca + 1, cb + 1);
}

static int by_tag(const void *x, const void *y)
{
    return mlops__store_tag_cmp(*(const char *const *)x, *(const char *const *)y);
}

/* The tags of the loaded index, sorted (pointers into the entries). */
static int sorted_tags(const char ***out, size_t *n, const mlops_store *s)
{
    const char **t = mlops__reallocarray(NULL, s->n ? s->n : 1, sizeof *t);
    if (!t)
        return mlops__error_nomem();
    size_t k = 0;
    for (size_t i = 0; i < s->n; i++)
        if (s->e[i].kind == KIND_MODEL && mlops__store_is_tag(s->e[i].ref))
            t[k++] = s->e[i].ref;
    qsort(t, k, sizeof *t, by_tag);
    *out = t;
    *n = k;
    return 0;
}

int mlops_store_tag_list(mlops_strlist **out, mlops_store *s, uint32_t flags)
{
    MLOPS__CHECK_ARG(out);
    MLOPS__CHECK_ARG(s);
    MLOPS__CHECK_FLAGS(flags, 0);
    int rc = mlops__store_load_index(s, 0);
    const char **tags = NULL;
    size_t n = 0;
    if (!rc)
        rc = sorted_tags(&tags, &n, s);
    mlops_strlist *l = rc ? NULL : mlops__strlist_new();
    if (!rc && !l)
        rc = MLOPS_E_NOMEM;
    for (size_t i = 0; !rc && i < n; i++)
        rc = mlops__strlist_push(l, tags[i]);
    mlops__free(tags);
    if (rc) {
        mlops_strlist_free(l);
        return rc;
    }
    *out = l;
    return 0;
}

/* ---- latest --------------------------------------------------------------- */

/* Whether `ref` is "name:VERSION" for this name (nlen bytes). */
static int of_model(const char *ref, const char *name, size_t nlen)
{
    return strncmp(ref, name, nlen) == 0 && ref[nlen] == ':' && !strchr(ref + nlen + 1, ':');
}

const struct entry *mlops__store_latest(const mlops_store *s, const char *name, size_t nlen)
{
    const entry *best = NULL;
    for (size_t i = 0; i < s->n; i++) {
        const entry *e = &s->e[i];
        if (e->kind != KIND_MODEL || !of_model(e->ref, name, nlen) ||
            !mlops__store_is_tag(e->ref))
            continue;
        /* a pre-release has a '-' before any build metadata ('+') */
        const char *v = e->ref + nlen + 1;
        if (memchr(v, '-', strcspn(v, "+")))
            continue;
        if (!best || mlops__store_tag_cmp(e->ref, best->ref) > 0)
            best = e;
    }
    return best;
}

/* ---- removal -------------------------------------------------------------- */

/* An alias of the same model that points at the tag's manifest, or NULL. */
static const entry *alias_on(const mlops_store *s, const entry *tag)
{
    size_t nlen = (size_t)(strrchr(tag->ref, ':') - tag->ref);
    for (size_t i = 0; i < s->n; i++) {
        const entry *e = &s->e[i];
        if (e->kind == KIND_MODEL && e != tag && of_model(e->ref, tag->ref, nlen) &&
            !mlops__store_is_tag(e->ref) && memcmp(e->d, tag->d, sizeof e->d) == 0)
            return e;
    }
    return NULL;
}

/* Drop the tag and its signature's entry from the loaded index (memory only). */
static void drop_tag(mlops_store *s, const char *tag)
{
    size_t k = 0;
    for (size_t i = 0; i < s->n; i++) {
        if (strcmp(s->e[i].ref, tag) == 0) {
            mlops__free(s->e[i].ref);
            continue;
        }
        s->e[k++] = s->e[i];
    }
    s->n = k;
}

static int check_tag(const char *tag)
{
    if (!mlops__store_is_tag(tag))
        return mlops__error(MLOPS_E_INVALID, "\"%.200s\" is not a NAME:VERSION tag", tag);
    return 0;
}

int mlops_store_remove(mlops_store *s, const char *tag, uint32_t flags)
{
    MLOPS__CHECK_ARG(s);
    MLOPS__CHECK_ARG(tag);
    MLOPS__CHECK_FLAGS(flags, 0);
    int rc = check_tag(tag);
    if (!rc)
        rc = mlops__store_lock(s);
    if (rc)
        return rc;
    const entry *t = mlops__store_find_entry(s, tag, KIND_MODEL);
    const entry *a = t ? alias_on(s, t) : NULL;
    if (!t)
        rc = mlops__error_at(MLOPS_E_NOTFOUND, -1, 0, 0, tag, "%s: no tag %s", s->root, tag);
    else if (a)
        rc = mlops__error_at(MLOPS_E_EXISTS, -1, 0, 0, tag,
                             "%s: alias %s points at %s: move it first", s->root, a->ref, tag);
    if (!rc) {
        drop_tag(s, tag);
        rc = mlops__store_save_index(s);
    }
    mlops__store_unlock(s);
    return rc;
}

int mlops_store_retain(mlops_strlist **removed, mlops_store *s, size_t keep, uint32_t flags)
{
    MLOPS__CHECK_ARG(removed);
    MLOPS__CHECK_ARG(s);
    MLOPS__CHECK_FLAGS(flags, MLOPS_STORE_DRY_RUN);
    int dry = (flags & MLOPS_STORE_DRY_RUN) != 0;
    /* a dry run reads the committed index without the lock, as the lists do */
    int rc = dry ? mlops__store_load_index(s, 0) : mlops__store_lock(s);
    if (rc)
        return rc;
    const char **tags = NULL;
    size_t n = 0;
    mlops_strlist *l = NULL;
    if ((rc = sorted_tags(&tags, &n, s)) != 0)
        goto done;
    if (!(l = mlops__strlist_new())) {
        rc = MLOPS_E_NOMEM;
        goto done;
    }
    /* Walk each model's versions from the highest: the first `keep` stay. */
    for (size_t end = n; !rc && end > 0;) {
        size_t nlen = (size_t)(strrchr(tags[end - 1], ':') - tags[end - 1]);
        size_t begin = end;
        while (begin > 0 && of_model(tags[begin - 1], tags[end - 1], nlen))
            begin--;
        for (size_t i = begin; !rc && i + keep < end; i++) {
            const entry *t = mlops__store_find_entry(s, tags[i], KIND_MODEL);
            if (!alias_on(s, t))
                rc = mlops__strlist_push(l, tags[i]);
        }
        end = begin;
    }
    if (rc)
        goto done;
    /* the pushes above went model by model from the last: back in list order */
    mlops_strlist *ordered = mlops__strlist_new();
    size_t m = mlops_strlist_count(l);
    const char **pick = mlops__reallocarray(NULL, m ? m : 1, sizeof *pick);
    if (!ordered || !pick) {
        mlops_strlist_free(ordered);
        mlops__free(pick);
        rc = mlops__error_nomem();
        goto done;
    }
    for (size_t i = 0; i < m; i++)
        pick[i] = mlops_strlist_get(l, i);
    qsort(pick, m, sizeof *pick, by_tag);
    for (size_t i = 0; !rc && i < m; i++)
        rc = mlops__strlist_push(ordered, pick[i]);
    mlops__free(pick);
    mlops_strlist_free(l);
    l = ordered;
    if (!rc && !dry && m > 0) {
        for (size_t i = 0; i < m; i++)
            drop_tag(s, mlops_strlist_get(l, i));
        rc = mlops__store_save_index(s);
    }
done:
    mlops__free(tags);
    if (!dry)
        mlops__store_unlock(s);
    if (rc) {
        mlops_strlist_free(l);
        return rc;
    }
    *removed = l;
    return 0;
}
