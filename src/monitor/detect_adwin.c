/*
 * ADWIN as river 0.26 computes it (Bifet & Gavaldà 2007, ADWIN2 buckets).
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * Floating-point operations are written in river's order so that decisions
 * agree value for value. Row r holds up to max_buckets + 1 buckets that each
 * summarise 2^r values (total and variance); index 0 of a row is its oldest
 * bucket and higher rows are older.
 */
#include <math.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "monitor/detect_impl.h"

#define ROW(d) ((size_t)(d)->o.adwin_max_buckets + 1)

int mlops__adwin_alloc(mlops_detector *d)
{
    adwin_state *a = &d->adwin;
    size_t cells = MLOPS__ADWIN_MAX_ROWS * ROW(d);
    a->count = mlops__calloc(MLOPS__ADWIN_MAX_ROWS, sizeof *a->count);
    a->totals = mlops__calloc(cells, sizeof(double));
    a->vars = mlops__calloc(cells, sizeof(double));
    if (!a->count || !a->totals || !a->vars)
        return mlops__error_nomem();
    return 0;
}

void mlops__adwin_reset(mlops_detector *d)
{
    adwin_state *a = &d->adwin;
    a->total = a->variance = a->width = a->total_width = 0;
    a->tick = a->n_buckets = a->max_n_buckets = a->n_detections = 0;
    a->rows = 1;
    memset(a->count, 0, MLOPS__ADWIN_MAX_ROWS * sizeof *a->count);
    memset(a->totals, 0, MLOPS__ADWIN_MAX_ROWS * ROW(d) * sizeof(double));
    memset(a->vars, 0, MLOPS__ADWIN_MAX_ROWS * ROW(d) * sizeof(double));
}

static void row_insert(mlops_detector *d, uint32_t r, double total, double var)
{
    adwin_state *a = &d->adwin;
    size_t at = r * ROW(d) + a->count[r];
    a->totals[at] = total;
    a->vars[at] = var;
    a->count[r]++;
}

/* Drop the first m buckets of row r. */
static void row_compress(mlops_detector *d, uint32_t r, uint32_t m)
{
    adwin_state *a = &d->adwin;
    double *t = a->totals + r * ROW(d), *v = a->vars + r * ROW(d);
    uint32_t c = a->count[r];
    memmove(t, t + m, (c - m) * sizeof(double));
    memmove(v, v + m, (c - m) * sizeof(double));
    for (uint32_t i = c - m; i < c; i++)
        t[i] = v[i] = 0;
    a->count[r] = c - m;
}

static void compress_buckets(mlops_detector *d)
{
    adwin_state *a = &d->adwin;
    uint32_t mb = d->o.adwin_max_buckets;
    for (uint32_t r = 0;; r++) {
        if (a->count[r] != mb + 1)
            break;
        if (r + 1 >= MLOPS__ADWIN_MAX_ROWS)
            break; /* 2^63 values per bucket: unreachable, the loader checks
                    * that the window is no wider than the values counted */
        const double *t = a->totals + r * ROW(d), *v = a->vars + r * ROW(d);
        double n1 = ldexp(1.0, (int)r);
        double mu1 = t[0] / n1, mu2 = t[1] / n1;
        double total12 = t[0] + t[1];
        double temp = n1 * 0.5 * (mu1 - mu2) * (mu1 - mu2);
        double v12 = v[0] + v[1] + temp;
        if (r + 1 >= a->rows)
            a->rows = r + 2;
        row_insert(d, r + 1, total12, v12);
        a->n_buckets++;
        row_compress(d, r, 2);
        if (a->count[r + 1] <= mb)
            break;
    }
}

static void insert_element(mlops_detector *d, double value)
{
    adwin_state *a = &d->adwin;
    row_insert(d, 0, value, 0.0);
    a->n_buckets++;
    if (a->n_buckets > a->max_n_buckets)
        a->max_n_buckets = a->n_buckets;
    a->width += 1.0;
    double inc = 0.0;
    if (a->width > 1.0) {
        double dv = value - a->total / (a->width - 1.0);
        inc = (a->width - 1.0) * dv * dv / a->width;
    }
    a->variance += inc;
    a->total += value;
    compress_buckets(d);
}

static void delete_element(mlops_detector *d)
{
    adwin_state *a = &d->adwin;
    uint32_t last = a->rows - 1;
    double n = ldexp(1.0, (int)last);
    double u = a->totals[last * ROW(d)], v = a->vars[last * ROW(d)];
    double mu = u / n;
    a->width -= n;
    a->total -= u;
    double mu_window = a->total / a->width;
    double inc = v + n * a->width * (mu - mu_window) * (mu - mu_window) / (n + a->width);
    a->variance -= inc;
    row_compress(d, last, 1);
    a->n_buckets--;
    /* With max_buckets 1 a merge leaves rows empty, so the row below the
     * one just emptied may be empty too: drop every empty row on top, so
     * that the next deletion takes the oldest bucket that exists. river
     * drops one row only and then reads an empty row's stale slot; with
     * max_buckets >= 2 no row below the top is ever empty and both agree. */
    while (a->rows > 1 && a->count[a->rows - 1] == 0)
        a->rows--;
}

static int evaluate_cut(const mlops_detector *d, double n0, double n1, double delta_mean)
{
    const adwin_state *a = &d->adwin;
    double mwl = (double)d->o.adwin_min_window_length;
    double delta_prime = log(2.0 * log(a->width) / d->o.adwin_delta);
    double m_recip = 1.0 / (n0 - mwl + 1.0) + 1.0 / (n1 - mwl + 1.0);
    double epsilon = sqrt(2.0 * m_recip * (a->variance / a->width) * delta_prime) +
                     2.0 / 3.0 * delta_prime * m_recip;
    return fabs(delta_mean) > epsilon;
}

static int detect_change(mlops_detector *d)
{
    adwin_state *a = &d->adwin;
    int change = 0;
    double mwl = (double)d->o.adwin_min_window_length;
    a->tick++;
    if (a->tick % d->o.adwin_clock == 0 && a->width > (double)d->o.adwin_grace_period) {
        int reduce = 1;
        while (reduce) {
            reduce = 0;
            int exit_flag = 0;
            double n0 = 0, n1 = a->width, u0 = 0, u1 = a->total;
            for (uint32_t r = a->rows; r-- > 0 && !exit_flag;) {
                double size = ldexp(1.0, (int)r);
                uint32_t c = a->count[r];
                for (uint32_t k = 0; k < c; k++) {
                    double t = a->totals[r * ROW(d) + k];
                    n0 += size;
                    n1 -= size;
                    u0 += t;
                    u1 -= t;
                    if (r == 0 && k == c - 1) {
                        exit_flag = 1;
                        break;
                    }
                    double delta_mean = u0 / n0 - u1 / n1;
                    if (n1 >= mwl && n0 >= mwl && evaluate_cut(d, n0, n1, delta_mean)) {
                        reduce = 1;
                        change = 1;
                        if (a->width > 0) {
                            delete_element(d);
                            exit_flag = 1;
                            break;
                        }
                    }
                }
            }
        }
    }
    a->total_width += a->width;
    if (change)
        a->n_detections++;
    return change;
}

void mlops__adwin_step(mlops_detector *d, double x)
{
    insert_element(d, x);
    d->drift = detect_change(d);
}

void mlops__adwin_save(mlops__writer *w, const mlops_detector *d)
{
    const adwin_state *a = &d->adwin;
    mlops__w_f64(w, a->total);
    mlops__w_f64(w, a->variance);
    mlops__w_f64(w, a->width);
    mlops__w_f64(w, a->total_width);
    mlops__w_u64(w, a->tick);
    mlops__w_u64(w, a->n_buckets);
    mlops__w_u64(w, a->max_n_buckets);
    mlops__w_u64(w, a->n_detections);
    mlops__w_u32(w, a->rows);
    for (uint32_t r = 0; r < a->rows; r++) {
        mlops__w_u32(w, a->count[r]);
        for (uint32_t k = 0; k < a->count[r]; k++) {
            mlops__w_f64(w, a->totals[r * ROW(d) + k]);
            mlops__w_f64(w, a->vars[r * ROW(d) + k]);
        }
    }
}

int mlops__adwin_load(mlops_detector *d, mlops__reader *r)
{
    adwin_state *a = &d->adwin;
    a->total = mlops__r_f64(r);
    a->variance = mlops__r_f64(r);
    a->width = mlops__r_f64(r);
    a->total_width = mlops__r_f64(r);
    a->tick = mlops__r_u64(r);
    a->n_buckets = mlops__r_u64(r);
    a->max_n_buckets = mlops__r_u64(r);
    a->n_detections = mlops__r_u64(r);
    a->rows = mlops__r_u32(r);
    if (r->rc)
        return r->rc;
    if (a->rows < 1 || a->rows > MLOPS__ADWIN_MAX_ROWS)
        return mlops__r_fail(r, MLOPS_E_SCHEMA, "ADWIN has %u rows (1..%u)", (unsigned)a->rows,
                             MLOPS__ADWIN_MAX_ROWS);
    double width = 0;
    uint64_t buckets = 0;
    for (uint32_t row = 0; row < a->rows; row++) {
        uint32_t c = mlops__r_u32(r);
        if (r->rc)
            return r->rc;
        /* rows may be empty (with max_buckets 1 a merge empties a row), so
         * only the bound is checked */
        if (c > d->o.adwin_max_buckets)
            return mlops__r_fail(r, MLOPS_E_SCHEMA, "ADWIN row %u holds %u buckets",
                                 (unsigned)row, (unsigned)c);
        if (mlops__r_need(r, c, 16, "ADWIN buckets"))
            return r->rc;
        a->count[row] = c;
        for (uint32_t k = 0; k < c; k++) {
            double t = mlops__r_f64(r), v = mlops__r_f64(r);
            if (!isfinite(t) || !isfinite(v))
                return mlops__r_fail(r, MLOPS_E_SCHEMA, "ADWIN bucket is not finite");
            a->totals[row * ROW(d) + k] = t;
            a->vars[row * ROW(d) + k] = v;
        }
        width += ldexp((double)c, (int)row);
        buckets += c;
    }
    /* Rows in between may be empty, the last one never is: the detector
     * drops a row as soon as it empties, and deleting from an empty last
     * row would take a bucket that is not there. */
    if (a->rows > 1 && a->count[a->rows - 1] == 0)
        return mlops__r_fail(r, MLOPS_E_SCHEMA, "ADWIN's last row %u is empty",
                             (unsigned)(a->rows - 1));
    if (width != a->width || !isfinite(a->total) || !isfinite(a->variance) ||
        !isfinite(a->total_width))
        return mlops__r_fail(r, MLOPS_E_SCHEMA,
                             "ADWIN width %.17g does not match its buckets (%.17g)", a->width,
                             width);
    /* The window holds values the detector has seen, so it is never wider
     * than the count of finite values. compress_buckets relies on this: the
     * top row can only overflow after 2^64 values, which the count bounds. A
     * state that breaks it was not written by this code. */
    if (a->width > (double)d->count)
        return mlops__r_fail(r, MLOPS_E_SCHEMA,
                             "ADWIN window of %.17g values is wider than the %llu values seen",
                             a->width, (unsigned long long)d->count);
    /* n_buckets is river's running statistic (merges add to it and never
     * subtract), not the number of stored buckets: nothing to check */
    (void)buckets;
    return 0;
}
