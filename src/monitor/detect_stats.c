/*
 * Page–Hinkley, DDM and EDDM as river 0.26 computes them.
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * Floating-point operations follow river's order (its running mean is
 * mean += (1 / n) * (x - mean)) so that decisions agree value for value.
 */
#include <math.h>

#include "monitor/detect_impl.h"

/* ---- Page–Hinkley -------------------------------------------------------- */

void mlops__ph_reset(mlops_detector *d)
{
    ph_state *s = &d->ph;
    s->n = 0;
    s->mean = 0;
    s->sum_inc = 0;
    s->sum_dec = 0;
    s->min_inc = INFINITY;
    s->max_dec = -1; /* river starts the running maximum at -1, not -inf */
}

void mlops__ph_step(mlops_detector *d, double x)
{
    ph_state *s = &d->ph;
    const mlops_detector_options *o = &d->o;
    s->n += 1.0;
    s->mean += (1.0 / s->n) * (x - s->mean);
    double dev = x - s->mean;
    s->sum_inc = o->ph_alpha * s->sum_inc + dev - o->ph_delta;
    s->sum_dec = o->ph_alpha * s->sum_dec + dev + o->ph_delta;
    if (s->sum_inc < s->min_inc)
        s->min_inc = s->sum_inc;
    if (s->sum_dec > s->max_dec)
        s->max_dec = s->sum_dec;
    if (s->n >= (double)o->ph_min_instances) {
        double up = s->sum_inc - s->min_inc, down = s->max_dec - s->sum_dec;
        int drift;
        switch (o->ph_mode) {
        case MLOPS_PH_UP: drift = up > o->ph_threshold; break;
        case MLOPS_PH_DOWN: drift = down > o->ph_threshold; break;
        default: drift = up > o->ph_threshold || down > o->ph_threshold; break;
        }
        d->drift = drift;
    }
}

/* ---- DDM ----------------------------------------------------------------- */

void mlops__ddm_reset(mlops_detector *d)
{
    ddm_state *s = &d->ddm;
    s->n = 0;
    s->mean = 0;
    s->p_min = NAN;
    s->s_min = NAN;
    s->ps_min = INFINITY;
}

void mlops__ddm_step(mlops_detector *d, double x)
{
    ddm_state *s = &d->ddm;
    const mlops_detector_options *o = &d->o;
    s->n += 1.0;
    s->mean += (1.0 / s->n) * (x - s->mean);
    double p = s->mean;
    double sd = sqrt(p * (1 - p) / s->n);
    if (s->n > (double)o->ddm_warm_start) {
        if (p + sd <= s->ps_min) {
            s->p_min = p;
            s->s_min = sd;
            s->ps_min = s->p_min + s->s_min;
        }
        d->warning = p + sd > s->p_min + o->ddm_warning_threshold * s->s_min;
        if (p + sd > s->p_min + o->ddm_drift_threshold * s->s_min) {
            d->drift = 1;
            d->warning = 0;
        }
    }
}

/* ---- EDDM ---------------------------------------------------------------- */

void mlops__eddm_reset(mlops_detector *d)
{
    eddm_state *s = &d->eddm;
    s->n = 0;
    s->last_error = 0;
    s->n_errors = 0;
    s->var_n = 0;
    s->var_mean = 0;
    s->var_s = 0;
    s->p2s_max = -1;
}

void mlops__eddm_step(mlops_detector *d, double x)
{
    eddm_state *s = &d->eddm;
    const mlops_detector_options *o = &d->o;
    s->n++;
    if (x == 1.0) {
        s->n_errors++;
        /* river's stats.Var (ddof 1) of the distances between errors */
        double dist = (double)(s->n - s->last_error);
        double mean_old = s->var_mean;
        s->var_n += 1.0;
        s->var_mean += (1.0 / s->var_n) * (dist - s->var_mean);
        s->var_s += 1.0 * (dist - mean_old) * (dist - s->var_mean);
        if (s->n > o->eddm_warm_start) {
            double var = s->var_n > 1.0 ? s->var_s / (s->var_n - 1.0) : 0.0;
            double p2s = s->var_mean + 2 * sqrt(var);
            if (p2s > s->p2s_max) {
                s->p2s_max = p2s;
            } else if (s->n_errors > o->eddm_warm_start) {
                double level = p2s / s->p2s_max;
                if (level < o->eddm_beta)
                    d->drift = 1;
                else if (level < o->eddm_alpha)
                    d->warning = 1;
                else
                    d->warning = 0;
            }
        }
        s->last_error = s->n;
    }
}
