/*
 * KSWIN (Raab, Heusinger & Schleif 2020) with river's decision rule and our
 * own seeded sampling.
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * Once the window holds window_size values, stat_size of its first
 * window_size - stat_size values are drawn without replacement (partial
 * Fisher–Yates driven by splitmix64 seeded with kswin_seed, re-seeded at
 * every reset as river re-creates its generator) and compared with the
 * stat_size most recent values by the two-sample KS test with SciPy's exact
 * p-value for equal sizes. Drift when p <= alpha and D > 0.1; the next value
 * then starts from an empty window (river's reset).
 */
#include <math.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "monitor/detect_impl.h"
#include "monitor/kll.h"

double mlops__ks_equal_sizes_pvalue(uint32_t n, uint32_t c)
{
    if (c == 0)
        return 1.0;
    if (c > n)
        return 0.0;
    /* P(D >= c/n) = 2 sum_{j>=1} (-1)^(j-1) C(2n, n - jc) / C(2n, n) */
    double sum = 0;
    for (uint32_t j = 1; j * c <= n; j++) {
        double ratio = 1.0; /* C(2n, n - jc) / C(2n, n) */
        for (uint32_t i = 0; i < j * c; i++)
            ratio *= (double)(n - i) / (double)(n + 1 + i);
        sum += (j & 1) ? ratio : -ratio;
    }
    double p = 2 * sum;
    return p > 1 ? 1 : (p < 0 ? 0 : p);
}

int mlops__kswin_alloc(mlops_detector *d)
{
    d->kswin.window = mlops__calloc(d->o.kswin_window_size, sizeof(double));
    return d->kswin.window ? 0 : mlops__error_nomem();
}

void mlops__kswin_reset(mlops_detector *d)
{
    kswin_state *s = &d->kswin;
    s->rng = d->o.kswin_seed;
    s->n = 0;
    s->len = 0;
    s->head = 0;
    s->p_value = 0;
}

static double at(const mlops_detector *d, uint32_t i)
{
    const kswin_state *s = &d->kswin;
    return s->window[(s->head + i) % d->o.kswin_window_size];
}

static void sort_small(double *a, uint32_t n)
{
    for (uint32_t i = 1; i < n; i++) {
        double x = a[i];
        uint32_t j = i;
        while (j > 0 && a[j - 1] > x) {
            a[j] = a[j - 1];
            j--;
        }
        a[j] = x;
    }
}

void mlops__kswin_step(mlops_detector *d, double x)
{
    kswin_state *s = &d->kswin;
    uint32_t ws = d->o.kswin_window_size, ss = d->o.kswin_stat_size;
    s->n++;
    if (s->len < ws) {
        s->window[(s->head + s->len) % ws] = x;
        s->len++;
    } else {
        s->window[s->head] = x;
        s->head = (s->head + 1) % ws;
    }
    d->drift = 0;
    if (s->len < ws)
        return;
    double a[MLOPS__KSWIN_MAX_WINDOW / 2], b[MLOPS__KSWIN_MAX_WINDOW / 2];
    uint32_t idx[MLOPS__KSWIN_MAX_WINDOW];
    uint32_t pool = ws - ss;
    for (uint32_t i = 0; i < pool; i++)
        idx[i] = i;
    for (uint32_t i = 0; i < ss; i++) {
        uint32_t j = i + (uint32_t)(mlops__splitmix64(&s->rng) % (pool - i));
        uint32_t t = idx[i];
        idx[i] = idx[j];
        idx[j] = t;
        a[i] = at(d, idx[i]);
        b[i] = at(d, pool + i);
    }
    sort_small(a, ss);
    sort_small(b, ss);
    uint32_t i = 0, j = 0, best = 0;
    while (i < ss && j < ss) {
        double v = a[i] <= b[j] ? a[i] : b[j];
        while (i < ss && a[i] == v)
            i++;
        while (j < ss && b[j] == v)
            j++;
        uint32_t diff = i > j ? i - j : j - i;
        if (diff > best)
            best = diff;
    }
    double dstat = (double)best / ss;
    s->p_value = mlops__ks_equal_sizes_pvalue(ss, best);
    if (s->p_value <= d->o.kswin_alpha && dstat > 0.1) {
        d->drift = 1;
        /* keep only the recent values (river does, then resets anyway) */
        for (uint32_t k = 0; k < ss; k++)
            s->window[k] = at(d, pool + k);
        s->head = 0;
        s->len = ss;
    }
}

void mlops__kswin_save(mlops__writer *w, const mlops_detector *d)
{
    const kswin_state *s = &d->kswin;
    mlops__w_u64(w, s->rng);
    mlops__w_u64(w, s->n);
    mlops__w_f64(w, s->p_value);
    mlops__w_u32(w, s->len);
    for (uint32_t i = 0; i < s->len; i++)
        mlops__w_f64(w, at(d, i));
}

int mlops__kswin_load(mlops_detector *d, mlops__reader *r)
{
    kswin_state *s = &d->kswin;
    s->rng = mlops__r_u64(r);
    s->n = mlops__r_u64(r);
    s->p_value = mlops__r_f64(r);
    uint32_t len = mlops__r_u32(r);
    if (r->rc)
        return r->rc;
    if (len > d->o.kswin_window_size)
        return mlops__r_fail(r, MLOPS_E_SCHEMA, "KSWIN window holds %u values (at most %u)",
                             (unsigned)len, (unsigned)d->o.kswin_window_size);
    if (mlops__r_need(r, len, 8, "KSWIN window"))
        return r->rc;
    for (uint32_t i = 0; i < len; i++) {
        s->window[i] = mlops__r_f64(r);
        if (!isfinite(s->window[i]))
            return mlops__r_fail(r, MLOPS_E_SCHEMA, "KSWIN window value is not finite");
    }
    s->head = 0;
    s->len = len;
    return 0;
}
