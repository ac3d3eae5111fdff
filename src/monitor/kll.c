/*
 * KLL quantile sketch with lazy compaction (see kll.h for the layout).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "monitor/kll.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "core/alloc.h"
#include "core/error.h"

uint64_t mlops__splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* ---- sorting ------------------------------------------------------------- */

static void insertion_sort(double *a, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        double x = a[i];
        size_t j = i;
        while (j > 0 && a[j - 1] > x) {
            a[j] = a[j - 1];
            j--;
        }
        a[j] = x;
    }
}

static void sift_down(double *a, size_t root, size_t n)
{
    for (;;) {
        size_t c = 2 * root + 1;
        if (c >= n)
            return;
        if (c + 1 < n && a[c + 1] > a[c])
            c++;
        if (a[root] >= a[c])
            return;
        double t = a[root];
        a[root] = a[c];
        a[c] = t;
        root = c;
    }
}

static void heap_sort(double *a, size_t n)
{
    for (size_t i = n / 2; i-- > 0;)
        sift_down(a, i, n);
    for (size_t i = n; i-- > 1;) {
        double t = a[0];
        a[0] = a[i];
        a[i] = t;
        sift_down(a, 0, i);
    }
}

static void intro_sort(double *a, size_t n, int depth)
{
    while (n > 24) {
        if (depth-- == 0) {
            heap_sort(a, n);
            return;
        }
        /* median of three as pivot */
        double x = a[0], y = a[n / 2], z = a[n - 1];
        double p = x < y ? (y < z ? y : (x < z ? z : x)) : (x < z ? x : (y < z ? z : y));
        size_t i = 0, j = n - 1;
        for (;;) {
            while (a[i] < p)
                i++;
            while (a[j] > p)
                j--;
            if (i >= j)
                break;
            double t = a[i];
            a[i] = a[j];
            a[j] = t;
            i++;
            j--;
        }
        /* [0, j] <= p <= [j+1, n); recurse on the smaller side */
        size_t left = j + 1;
        if (left < n - left) {
            intro_sort(a, left, depth);
            a += left;
            n -= left;
        } else {
            intro_sort(a + left, n - left, depth);
            n = left;
        }
    }
    insertion_sort(a, n);
}

/*
 * Batcher odd-even merge sorting networks for 16 and 32 doubles: branch-free
 * min/max pairs, much faster than insertion sort on the 8..32 items a level-0
 * compaction usually sorts. Padding with +inf keeps the real items first.
 */
#if defined(__SSE2__)
/* minsd/maxsd are exactly x < y ? x : y and its mirror, without a branch */
#define CS(i, j)                                        \
    do {                                                \
        __m128d x_ = _mm_load_sd(a + (i));              \
        __m128d y_ = _mm_load_sd(a + (j));              \
        _mm_store_sd(a + (i), _mm_min_sd(x_, y_));      \
        _mm_store_sd(a + (j), _mm_max_sd(y_, x_));      \
    } while (0)
#else
#define CS(i, j)                                        \
    do {                                                \
        double x_ = a[i], y_ = a[j];                    \
        a[i] = x_ < y_ ? x_ : y_;                       \
        a[j] = x_ < y_ ? y_ : x_;                       \
    } while (0)
#endif
static void network_16(double *a)
{
    CS(0, 1);
    CS(2, 3);
    CS(0, 2);
    CS(1, 3);
    CS(1, 2);
    CS(4, 5);
    CS(6, 7);
    CS(4, 6);
    CS(5, 7);
    CS(5, 6);
    CS(0, 4);
    CS(2, 6);
    CS(2, 4);
    CS(1, 5);
    CS(3, 7);
    CS(3, 5);
    CS(1, 2);
    CS(3, 4);
    CS(5, 6);
    CS(8, 9);
    CS(10, 11);
    CS(8, 10);
    CS(9, 11);
    CS(9, 10);
    CS(12, 13);
    CS(14, 15);
    CS(12, 14);
    CS(13, 15);
    CS(13, 14);
    CS(8, 12);
    CS(10, 14);
    CS(10, 12);
    CS(9, 13);
    CS(11, 15);
    CS(11, 13);
    CS(9, 10);
    CS(11, 12);
    CS(13, 14);
    CS(0, 8);
    CS(4, 12);
    CS(4, 8);
    CS(2, 10);
    CS(6, 14);
    CS(6, 10);
    CS(2, 4);
    CS(6, 8);
    CS(10, 12);
    CS(1, 9);
    CS(5, 13);
    CS(5, 9);
    CS(3, 11);
    CS(7, 15);
    CS(7, 11);
    CS(3, 5);
    CS(7, 9);
    CS(11, 13);
    CS(1, 2);
    CS(3, 4);
    CS(5, 6);
    CS(7, 8);
    CS(9, 10);
    CS(11, 12);
    CS(13, 14);
}
static void network_32(double *a)
{
    /* Batcher odd-even merge sort: the two halves, then their merge. */
    network_16(a);
    network_16(a + 16);
    CS(0, 16);
    CS(8, 24);
    CS(8, 16);
    CS(4, 20);
    CS(12, 28);
    CS(12, 20);
    CS(4, 8);
    CS(12, 16);
    CS(20, 24);
    CS(2, 18);
    CS(10, 26);
    CS(10, 18);
    CS(6, 22);
    CS(14, 30);
    CS(14, 22);
    CS(6, 10);
    CS(14, 18);
    CS(22, 26);
    CS(2, 4);
    CS(6, 8);
    CS(10, 12);
    CS(14, 16);
    CS(18, 20);
    CS(22, 24);
    CS(26, 28);
    CS(1, 17);
    CS(9, 25);
    CS(9, 17);
    CS(5, 21);
    CS(13, 29);
    CS(13, 21);
    CS(5, 9);
    CS(13, 17);
    CS(21, 25);
    CS(3, 19);
    CS(11, 27);
    CS(11, 19);
    CS(7, 23);
    CS(15, 31);
    CS(15, 23);
    CS(7, 11);
    CS(15, 19);
    CS(23, 27);
    CS(3, 5);
    CS(7, 9);
    CS(11, 13);
    CS(15, 17);
    CS(19, 21);
    CS(23, 25);
    CS(27, 29);
    CS(1, 2);
    CS(3, 4);
    CS(5, 6);
    CS(7, 8);
    CS(9, 10);
    CS(11, 12);
    CS(13, 14);
    CS(15, 16);
    CS(17, 18);
    CS(19, 20);
    CS(21, 22);
    CS(23, 24);
    CS(25, 26);
    CS(27, 28);
    CS(29, 30);
}
#undef CS

static int sort_small(double *a, size_t n)
{
    double t[32];
    if (n > 32 || n < 8)
        return 0;
    size_t m = n <= 16 ? 16 : 32;
    memcpy(t, a, n * sizeof *a);
    for (size_t i = n; i < m; i++)
        t[i] = INFINITY;
    if (m == 16)
        network_16(t);
    else
        network_32(t);
    memcpy(a, t, n * sizeof *a);
    return 1;
}

void mlops__sort_doubles(double *a, size_t n)
{
    if (sort_small(a, n))
        return;
    int depth = 0;
    for (size_t m = n; m > 1; m >>= 1)
        depth += 2;
    intro_sort(a, n, depth);
}

/* ---- capacities ---------------------------------------------------------- */

uint32_t mlops__kll_level_capacity(uint32_t k, uint32_t levels, uint32_t h)
{
    uint32_t depth = levels - 1 - h;
    if (depth > 40)
        return MLOPS__KLL_M;
    /* ceil(k * 2^d / 3^d) in exact integer arithmetic: deterministic everywhere */
    uint64_t num = (uint64_t)k << depth;
    uint64_t den = 1;
    for (uint32_t i = 0; i < depth; i++)
        den *= 3;
    uint64_t c = (num + den - 1) / den;
    return c < MLOPS__KLL_M ? MLOPS__KLL_M : (uint32_t)c;
}

uint32_t mlops__kll_capacity(uint32_t k, uint32_t levels)
{
    uint32_t total = 0;
    for (uint32_t h = 0; h < levels; h++)
        total += mlops__kll_level_capacity(k, levels, h);
    return total;
}

uint32_t mlops__kll_alloc_size(uint32_t k) { return mlops__kll_capacity(k, MLOPS__KLL_MAX_LEVELS); }

double mlops__kll_rank_error_for_k(uint32_t k, int pmf)
{
    /* Empirical 99%-confidence fits published with Apache DataSketches' KLL
     * sketch, which uses the same capacities and lazy schedule. The unit test
     * test_kll_accuracy measures that this implementation meets them. */
    return pmf ? 2.446 / pow((double)k, 0.9433) : 2.296 / pow((double)k, 0.9723);
}

double mlops__kll_rank_error(const mlops__kll *s, int pmf)
{
    if (s->num_levels == 1)
        return 0.0; /* never compacted: every value is retained with weight 1 */
    return mlops__kll_rank_error_for_k(s->min_k, pmf);
}

/* ---- lifecycle ----------------------------------------------------------- */

static void fill_capacities(mlops__kll *s)
{
    s->cap_total[0] = 0;
    for (uint32_t d = 0; d <= MLOPS__KLL_MAX_LEVELS; d++)
        s->cap_depth[d] = mlops__kll_level_capacity(s->k, d + 1, 0);
    for (uint32_t L = 1; L <= MLOPS__KLL_MAX_LEVELS; L++)
        s->cap_total[L] = s->cap_total[L - 1] + s->cap_depth[L - 1];
}

int mlops__kll_init(mlops__kll *s, uint32_t k, uint64_t seed)
{
    memset(s, 0, sizeof *s);
    s->k = k;
    fill_capacities(s);
    s->min_k = k;
    s->num_levels = 1;
    s->alloc = mlops__kll_alloc_size(k);
    s->rng = seed;
    s->items = mlops__calloc(s->alloc, sizeof(double));
    if (!s->items)
        return mlops__error_nomem();
    s->lv[0] = s->lv[1] = s->alloc;
    return 0;
}

void mlops__kll_dispose(mlops__kll *s)
{
    if (s) {
        mlops__free(s->items);
        s->items = NULL;
    }
}

int mlops__kll_copy(mlops__kll *dst, const mlops__kll *src)
{
    double *items = mlops__malloc((size_t)src->alloc * sizeof(double));
    if (!items)
        return mlops__error_nomem();
    *dst = *src;
    memcpy(items, src->items, (size_t)src->alloc * sizeof(double));
    dst->items = items;
    return 0;
}

uint32_t mlops__kll_retained(const mlops__kll *s) { return s->lv[s->num_levels] - s->lv[0]; }

/* ---- compaction ---------------------------------------------------------- */

#define MERGE_SCRATCH 512u

/*
 * Merge sorted a[0..na) and b[0..nb) into out[0..na+nb) where out may overlap
 * the inputs (it is written only at the end). Two independent chains run at
 * once: the smallest half from the front and the largest half from the back,
 * over copies bounded by -inf/+inf sentinels, with ties resolved a-first in
 * both directions so the halves never overlap.
 */
static void merge_two_ended(const double *a, uint32_t na, const double *b, uint32_t nb,
                            double *out)
{
    double sa[MERGE_SCRATCH + 2], sb[MERGE_SCRATCH + 2], o[MERGE_SCRATCH];
    uint32_t total = na + nb;
    sa[0] = sb[0] = -INFINITY;
    memcpy(sa + 1, a, na * sizeof *a);
    memcpy(sb + 1, b, nb * sizeof *b);
    sa[na + 1] = sb[nb + 1] = INFINITY;
    uint32_t i = 1, j = 1, ia = na, jb = nb;
    uint32_t front = (total + 1) / 2, back = total / 2;
    for (uint32_t t = 0; t < back; t++) {
        double x = sa[i], y = sb[j];
        uint32_t ta = x <= y;
        o[t] = ta ? x : y;
        i += ta;
        j += 1u - ta;
        double u = sa[ia], v = sb[jb];
        uint32_t tb = u > v;
        o[total - 1 - t] = tb ? u : v;
        ia -= tb;
        jb -= 1u - tb;
    }
    if (front > back) {
        double x = sa[i], y = sb[j];
        o[back] = x <= y ? x : y;
    }
    memcpy(out, o, total * sizeof *o);
}

/*
 * Compact level h of the layout (items, lv) into level h+1, which must exist.
 * Frees floor(pop/2) slots at the bottom (lv[0] moves up by that much).
 */
static void compact_level(double *items, uint32_t *lv, uint32_t h, uint64_t *rng)
{
    uint32_t raw_beg = lv[h], raw_end = lv[h + 1];
    uint32_t pop = raw_end - raw_beg;
    if (h == 0)
        mlops__sort_doubles(items + raw_beg, pop);
    uint32_t odd = pop & 1u;
    uint32_t adj_beg = raw_beg + odd;
    uint32_t half = (pop - odd) / 2;
    uint32_t offset = (uint32_t)(mlops__splitmix64(rng) >> 63);
    for (uint32_t i = 0; i < half; i++)
        items[adj_beg + i] = items[adj_beg + 2 * i + offset];
    uint32_t b_beg = raw_end, b_end = lv[h + 2];
    uint32_t nb = b_end - b_beg, total = half + nb;
    if (nb > 0 && total <= MERGE_SCRATCH) {
        merge_two_ended(items + adj_beg, half, items + b_beg, nb, items + adj_beg + half);
    } else {
        /* forward merge of [adj_beg, adj_beg+half) and level h+1 into
         * [adj_beg+half, lv[h+2]); writes never overtake unread input */
        uint32_t a = adj_beg, a_end = adj_beg + half;
        uint32_t b = b_beg;
        uint32_t w = adj_beg + half;
        while (a < a_end && b < b_end) {
            double va = items[a], vb = items[b];
            uint32_t take_a = va <= vb;
            items[w++] = take_a ? va : vb;
            a += take_a;
            b += 1u - take_a;
        }
        while (a < a_end)
            items[w++] = items[a++];
    }
    /* the rest of level h+1 is already in place */
    memmove(items + lv[0] + half, items + lv[0], (size_t)(adj_beg - lv[0]) * sizeof(double));
    for (uint32_t j = 0; j <= h; j++)
        lv[j] += half;
    lv[h + 1] = adj_beg + half;
}

/* Lowest level at or over its capacity, or num_levels when none is. */
static uint32_t level_to_compact(const mlops__kll *s, const uint32_t *lv, uint32_t levels)
{
    for (uint32_t h = 0; h < levels; h++)
        if (lv[h + 1] - lv[h] >= s->cap_depth[levels - 1 - h])
            return h;
    return levels;
}

/* Make room for at least one item; returns 0 when it could not (unreachable
 * below 2^55 values). */
static int compress_one(mlops__kll *s)
{
    uint32_t h = level_to_compact(s, s->lv, s->num_levels);
    if (h >= s->num_levels)
        return 0;
    if (h == s->num_levels - 1) {
        if (s->num_levels == MLOPS__KLL_MAX_LEVELS) {
            /* no level above: compact the lowest level with two items instead */
            for (h = 0; h + 1 < s->num_levels; h++)
                if (s->lv[h + 1] - s->lv[h] >= 2)
                    break;
            if (h + 1 >= s->num_levels)
                return 0;
        } else {
            s->lv[s->num_levels + 1] = s->lv[s->num_levels];
            s->num_levels++;
        }
    }
    compact_level(s->items, s->lv, h, &s->rng);
    return 1;
}

void mlops__kll_update(mlops__kll *s, const double *v, size_t n)
{
    while (n > 0) {
        uint32_t start = s->alloc - s->cap_total[s->num_levels];
        if (s->lv[0] <= start) {
            if (!compress_one(s))
                return;
            continue;
        }
        size_t free_slots = s->lv[0] - start;
        size_t c = n < free_slots ? n : free_slots;
        memcpy(s->items + s->lv[0] - c, v, c * sizeof(double));
        s->lv[0] -= (uint32_t)c;
        s->n += c;
        v += c;
        n -= c;
    }
}

/* ---- merge --------------------------------------------------------------- */

int mlops__kll_merge(mlops__kll *dst, const mlops__kll *src)
{
    if (src->n == 0) {
        if (src->min_k < dst->min_k && src->num_levels > 1)
            dst->min_k = src->min_k;
        return 0;
    }
    uint32_t levels = dst->num_levels > src->num_levels ? dst->num_levels : src->num_levels;
    size_t total = (size_t)mlops__kll_retained(dst) + mlops__kll_retained(src);
    double *tmp = mlops__malloc(total * sizeof(double));
    if (!tmp)
        return mlops__error_nomem();
    uint32_t tlv[MLOPS__KLL_MAX_LEVELS + 1];
    uint32_t pos = 0;
    for (uint32_t h = 0; h < levels; h++) {
        tlv[h] = pos;
        const double *a = NULL, *b = NULL;
        uint32_t na = 0, nb = 0;
        if (h < dst->num_levels) {
            a = dst->items + dst->lv[h];
            na = dst->lv[h + 1] - dst->lv[h];
        }
        if (h < src->num_levels) {
            b = src->items + src->lv[h];
            nb = src->lv[h + 1] - src->lv[h];
        }
        if (h == 0) {
            if (na)
                memcpy(tmp + pos, a, na * sizeof(double));
            if (nb)
                memcpy(tmp + pos + na, b, nb * sizeof(double));
            pos += na + nb;
        } else {
            uint32_t i = 0, j = 0;
            while (i < na && j < nb)
                tmp[pos++] = a[i] <= b[j] ? a[i++] : b[j++];
            while (i < na)
                tmp[pos++] = a[i++];
            while (j < nb)
                tmp[pos++] = b[j++];
        }
    }
    tlv[levels] = pos;
    uint64_t rng = dst->rng;
    while (tlv[levels] - tlv[0] > dst->cap_total[levels]) {
        uint32_t h = level_to_compact(dst, tlv, levels);
        if (h == levels - 1) {
            if (levels == MLOPS__KLL_MAX_LEVELS) {
                mlops__free(tmp);
                return mlops__error(MLOPS_E_LIMIT, "profile merge: sketch would exceed %u levels",
                                    MLOPS__KLL_MAX_LEVELS);
            }
            tlv[levels + 1] = tlv[levels];
            levels++;
        }
        compact_level(tmp, tlv, h, &rng);
    }
    uint32_t size = tlv[levels] - tlv[0];
    for (uint32_t h = 0; h <= levels; h++)
        dst->lv[h] = dst->alloc - (tlv[levels] - tlv[h]);
    memcpy(dst->items + dst->lv[0], tmp + tlv[0], (size_t)size * sizeof(double));
    mlops__free(tmp);
    dst->num_levels = levels;
    dst->n += src->n;
    dst->rng = rng;
    if (src->min_k < dst->min_k)
        dst->min_k = src->min_k;
    return 0;
}

/* ---- queries ------------------------------------------------------------- */

typedef struct weighted {
    double x;
    uint64_t w;
} weighted;

static int cmp_weighted(const void *pa, const void *pb)
{
    const weighted *a = pa, *b = pb;
    return (a->x > b->x) - (a->x < b->x);
}

int mlops__kll_view_build(mlops__kll_view *v, const mlops__kll *s)
{
    memset(v, 0, sizeof *v);
    size_t n = mlops__kll_retained(s);
    weighted *tmp = mlops__calloc(n ? n : 1, sizeof *tmp);
    double *items = mlops__calloc(n ? n : 1, sizeof(double));
    uint64_t *cum = mlops__calloc(n ? n : 1, sizeof(uint64_t));
    if (!tmp || !items || !cum) {
        mlops__free(tmp);
        mlops__free(items);
        mlops__free(cum);
        return mlops__error_nomem();
    }
    size_t p = 0;
    for (uint32_t h = 0; h < s->num_levels; h++)
        for (uint32_t i = s->lv[h]; i < s->lv[h + 1]; i++) {
            tmp[p].x = s->items[i];
            tmp[p].w = (uint64_t)1 << h;
            p++;
        }
    qsort(tmp, n, sizeof *tmp, cmp_weighted);
    uint64_t acc = 0;
    for (size_t i = 0; i < n; i++) {
        acc += tmp[i].w;
        items[i] = tmp[i].x;
        cum[i] = acc;
    }
    mlops__free(tmp);
    v->items = items;
    v->cum = cum;
    v->size = n;
    v->n = acc;
    return 0;
}

void mlops__kll_view_dispose(mlops__kll_view *v)
{
    if (v) {
        mlops__free(v->items);
        mlops__free(v->cum);
        memset(v, 0, sizeof *v);
    }
}

uint64_t mlops__kll_view_rank_le(const mlops__kll_view *v, double x)
{
    size_t lo = 0, hi = v->size; /* first index with items[i] > x */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (v->items[mid] <= x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo ? v->cum[lo - 1] : 0;
}

double mlops__kll_view_quantile_w(const mlops__kll_view *v, uint64_t w)
{
    size_t lo = 0, hi = v->size; /* first index with cum[i] >= w */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (v->cum[mid] < w)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo >= v->size)
        lo = v->size - 1;
    return v->items[lo];
}
