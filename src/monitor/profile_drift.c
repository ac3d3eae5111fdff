/*
 * Share metrics (and, for categories, chi-square / z-test) between two
 * profiles: the drift module's count-based computations applied to the
 * profiles' exact counts.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdint.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "monitor/drift_categorical.h"
#include "monitor/drift_internal.h"
#include "monitor/profile.h"

static const char *kind_word(int kind)
{
    return kind == MLOPS_PROFILE_NUMERIC ? "numeric" : "categorical";
}

static int numeric_drift(mlops_drift_result **out, const mlops_profile *ref,
                         const mlops_profile *cur, int metric, const mlops_drift_options *opts)
{
    const double *er, *ec;
    const uint64_t *cr, *cc;
    size_t nr, nc;
    uint64_t fr[3], fc[3];
    if (!mlops__profile_histogram(&er, &nr, &cr, fr, ref))
        return mlops__error(MLOPS_E_INVALID,
                            "mlops_profile_drift: the reference profile has no histogram "
                            "(give edges in mlops_profile_options)");
    if (!mlops__profile_histogram(&ec, &nc, &cc, fc, cur))
        return mlops__error(MLOPS_E_INVALID,
                            "mlops_profile_drift: the current profile has no histogram "
                            "(give edges in mlops_profile_options)");
    if (nr != nc)
        return mlops__error(MLOPS_E_INVALID,
                            "mlops_profile_drift: histogram edges differ (%zu edges in the "
                            "reference vs %zu in the current profile)", nr, nc);
    for (size_t i = 0; i < nr; i++)
        if (memcmp(&er[i], &ec[i], sizeof(double)) != 0)
            return mlops__error(MLOPS_E_INVALID,
                                "mlops_profile_drift: histogram edges differ at edge %zu "
                                "(%.17g in the reference vs %.17g in the current profile)",
                                i, er[i], ec[i]);
    return mlops_drift_counts(out, metric, er, nr, cr, cc, nr + 1, fr[0] + fr[1] + fr[2],
                              fc[0] + fc[1] + fc[2], opts);
}

static int categorical_drift(mlops_drift_result **out, const mlops_profile *ref,
                             const mlops_profile *cur, int metric,
                             const mlops_drift_options *opts)
{
    mlops_drift_options o;
    int rc = mlops__drift_options_load(&o, opts);
    if (rc)
        return rc;
    if (metric == MLOPS_DRIFT_AUTO)
        metric = MLOPS_DRIFT_PSI;
    if (metric != MLOPS_DRIFT_CHI2 && metric != MLOPS_DRIFT_ZTEST &&
        !mlops__drift_metric_is_share(metric))
        return mlops__error(MLOPS_E_INVALID,
                            "mlops_profile_drift: metric %d (%s) does not apply to "
                            "categorical profiles", metric, mlops_drift_metric_name(metric));
    if (ref->hh.error || cur->hh.error)
        return mlops__error(MLOPS_E_LIMIT,
                            "mlops_profile_drift: the %s profile exceeded its category cap "
                            "(%lu) and holds approximate counts (error bound %llu); "
                            "comparisons need exact counts: raise category_cap",
                            ref->hh.error ? "reference" : "current",
                            (unsigned long)(ref->hh.error ? ref->hh.cap : cur->hh.cap),
                            (unsigned long long)(ref->hh.error ? ref->hh.error
                                                               : cur->hh.error));
    if (ref->hh.total == 0)
        return mlops__error(MLOPS_E_DOMAIN,
                            "mlops_profile_drift: the reference profile holds no codes");
    if (cur->hh.total == 0)
        return mlops__error(MLOPS_E_DOMAIN,
                            "mlops_profile_drift: the current profile holds no codes");
    mlops__hh_entry *a = mlops__hh_sorted(&ref->hh);
    mlops__hh_entry *b = a ? mlops__hh_sorted(&cur->hh) : NULL;
    size_t na = ref->hh.size, nb = cur->hh.size, cap = na + nb;
    uint64_t *rcnt = NULL, *ccnt = NULL;
    int64_t *cats = NULL;
    mlops_drift_result *r = NULL;
    if (!a || !b) {
        rc = MLOPS_E_NOMEM; /* recorded by mlops__hh_sorted */
        goto done;
    }
    rcnt = mlops__reallocarray(NULL, cap, sizeof *rcnt);
    ccnt = mlops__reallocarray(NULL, cap, sizeof *ccnt);
    cats = mlops__reallocarray(NULL, cap, sizeof *cats);
    if (!rcnt || !ccnt || !cats) {
        rc = mlops__error_nomem();
        goto done;
    }
    /* Union of both code lists, in code order. */
    size_t i = 0, j = 0, bins = 0;
    while (i < na || j < nb) {
        int64_t code;
        uint64_t x = 0, y = 0;
        if (j >= nb || (i < na && a[i].code < b[j].code)) {
            code = a[i].code;
            x = a[i++].count;
        } else if (i >= na || b[j].code < a[i].code) {
            code = b[j].code;
            y = b[j++].count;
        } else {
            code = a[i].code;
            x = a[i++].count;
            y = b[j++].count;
        }
        cats[bins] = code;
        rcnt[bins] = x;
        ccnt[bins] = y;
        bins++;
    }
    r = mlops__drift_result_alloc(metric);
    if (!r) {
        rc = MLOPS_E_NOMEM;
        goto done;
    }
    rc = mlops__drift_categorical_from_counts(r, rcnt, ccnt, cats, bins, &o);
    if (rc)
        goto done;
    rc = mlops__drift_result_decide(r, o.threshold);
    if (rc)
        goto done;
    *out = r;
    r = NULL;
done:
    mlops_drift_result_free(r);
    mlops__free(a);
    mlops__free(b);
    mlops__free(rcnt);
    mlops__free(ccnt);
    mlops__free(cats);
    return rc;
}

int mlops_profile_drift(mlops_drift_result **out, const mlops_profile *ref,
                        const mlops_profile *cur, int metric, const mlops_drift_options *opts)
{
    MLOPS__CHECK_ARG(out);
    MLOPS__CHECK_ARG(ref);
    MLOPS__CHECK_ARG(cur);
    if (ref->kind != cur->kind)
        return mlops__error(MLOPS_E_INVALID,
                            "mlops_profile_drift: cannot compare a %s reference profile with "
                            "a %s current profile", kind_word(ref->kind), kind_word(cur->kind));
    if (ref->kind == MLOPS_PROFILE_CATEGORICAL)
        return categorical_drift(out, ref, cur, metric, opts);
    return numeric_drift(out, ref, cur, metric, opts);
}
