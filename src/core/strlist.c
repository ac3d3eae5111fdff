/*
 * A list of strings owned by the list: what the store's listing functions
 * return, so nothing handed out is borrowed from an object a later call
 * reloads.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "core/strlist.h"

#include <string.h>

#include "core/alloc.h"
#include "core/error.h"

struct mlops_strlist {
    char **items;
    size_t n, cap;
};

mlops_strlist *mlops__strlist_new(void)
{
    mlops_strlist *l = mlops__calloc(1, sizeof *l);
    if (!l)
        mlops__error_nomem();
    return l;
}

int mlops__strlist_push(mlops_strlist *l, const char *s)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 8;
        char **g = mlops__reallocarray(l->items, cap, sizeof *g);
        if (!g)
            return mlops__error_nomem();
        l->items = g;
        l->cap = cap;
    }
    char *copy = mlops__strdup(s);
    if (!copy)
        return mlops__error_nomem();
    l->items[l->n++] = copy;
    return 0;
}

size_t mlops_strlist_count(const mlops_strlist *l) { return l ? l->n : 0; }

const char *mlops_strlist_get(const mlops_strlist *l, size_t i)
{
    return l && i < l->n ? l->items[i] : NULL;
}

void mlops_strlist_free(mlops_strlist *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->n; i++)
        mlops__free(l->items[i]);
    mlops__free(l->items);
    mlops__free(l);
}
