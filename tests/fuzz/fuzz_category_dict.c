/*
 * Fuzz target: the category dictionary. The input is split at 0xFF bytes into
 * labels (which may hold NUL and any other byte); the first half is added, the
 * second half added to a copy of the dictionary and encoded against the first.
 * Every code must name its label's exact bytes, equal labels must share a code
 * and codes must come in first-seen order.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mlops.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const mlops_category_dict *d, const char *const *labels, const size_t *lens,
                  const int64_t *codes, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const char *l;
        size_t len;
        if (codes[i] < 0 || (size_t)codes[i] >= mlops_category_dict_count(d))
            abort();
        if (mlops_category_dict_label(&l, &len, d, codes[i]) != 0 || len != lens[i] ||
            (len && memcmp(l, labels[i], len) != 0) || l[len] != '\0')
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 1 << 16)
        return 0;
    size_t cap = 1;
    for (size_t i = 0; i < size; i++)
        cap += data[i] == 0xFF;
    const char **labels = malloc(cap * sizeof *labels);
    size_t *lens = malloc(cap * sizeof *lens);
    int64_t *codes = malloc(cap * sizeof *codes);
    int64_t *enc = malloc(cap * sizeof *enc);
    if (!labels || !lens || !codes || !enc)
        goto out;
    size_t n = 0, start = 0;
    for (size_t i = 0; i <= size; i++)
        if (i == size || data[i] == 0xFF) {
            labels[n] = (const char *)data + start;
            lens[n++] = i - start;
            start = i + 1;
        }
    size_t half = n / 2;
    mlops_category_dict *a = NULL;
    if (mlops_category_dict_new(&a, 0) != 0)
        goto out;
    if (mlops_category_dict_add(codes, a, labels, lens, half, 0) == 0) {
        check(a, labels, lens, codes, half);
        /* first-seen order: each new code is exactly the next one */
        int64_t next = 0;
        for (size_t i = 0; i < half; i++) {
            if (codes[i] > next)
                abort();
            if (codes[i] == next)
                next++;
        }
        if ((size_t)next != mlops_category_dict_count(a))
            abort();
        uint64_t unseen = 0;
        if (mlops_category_dict_encode(enc, &unseen, a, labels + half, lens + half, n - half,
                                       0) != 0)
            abort();
        uint64_t counted = 0;
        for (size_t i = 0; i < n - half; i++) {
            if (enc[i] == MLOPS_CATEGORY_UNSEEN)
                counted++;
            else
                check(a, labels + half + i, lens + half + i, enc + i, 1);
        }
        if (counted != unseen)
            abort();
        size_t before = mlops_category_dict_count(a);
        if (mlops_category_dict_add(codes, a, labels + half, lens + half, n - half, 0) == 0) {
            check(a, labels + half, lens + half, codes, n - half);
            for (size_t i = 0; i < n - half; i++)
                if (enc[i] != MLOPS_CATEGORY_UNSEEN ? codes[i] != enc[i]
                                                    : (size_t)codes[i] < before)
                    abort();
        }
    }
    mlops_category_dict_free(a);
out:
    free(labels);
    free(lens);
    free(codes);
    free(enc);
    return 0;
}
