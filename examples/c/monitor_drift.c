/*
 * The monitor layer, batch: has a production window drifted from the
 * reference? Two samples, the KS test and PSI against a reference binned
 * once, and the result as JSON for a dashboard.
 *
 *   monitor_drift            (deterministic samples: the current one shifted)
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include <mlops.h>

/* A deterministic standard normal sample (xorshift + Box-Muller), so the
 * example needs no data file and prints the same numbers every run. */
static void normal_sample(double *out, size_t n, double mean, uint64_t seed)
{
    uint64_t x = seed;
    for (size_t i = 0; i < n; i += 2) {
        double u[2];
        for (int k = 0; k < 2; k++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            u[k] = ((double)(x >> 11) + 0.5) / 9007199254740992.0;
        }
        double r = sqrt(-2.0 * log(u[0])), t = 6.283185307179586 * u[1];
        out[i] = mean + r * cos(t);
        if (i + 1 < n)
            out[i + 1] = mean + r * sin(t);
    }
}

static int fail(void)
{
    fprintf(stderr, "error: %s\n", mlops_error_last());
    return 1;
}

int main(void)
{
    enum { N = 20000 };
    double *ref = malloc(N * sizeof *ref), *cur = malloc(N * sizeof *cur);
    if (!ref || !cur)
        return 1;
    normal_sample(ref, N, 0.0, 42);
    normal_sample(cur, N, 0.15, 7); /* production moved by 0.15 sd */
    cur[0] = NAN;                    /* a missing value: omitted and counted */

    mlops_drift_result *ks = NULL;
    if (mlops_drift_numeric(&ks, MLOPS_DRIFT_KS, ref, N, cur, N, NULL) != 0)
        return fail();
    const struct mlops_drift_result_info *ki = mlops_drift_result_info(ks);
    printf("KS: D = %.4f, p = %.3g (%s), drifted: %s, missing in current: %llu\n",
           ki->statistic, ki->pvalue,
           ki->pvalue_method == MLOPS_DRIFT_PVALUE_EXACT ? "exact" : "asymptotic",
           ki->drifted ? "yes" : "no", (unsigned long long)ki->missing_cur);

    /* Summarise the reference once (10 quantile bins), compare windows to it. */
    mlops_drift_reference *binned = NULL;
    mlops_drift_result *psi = NULL;
    if (mlops_drift_reference_new(&binned, ref, N, NULL) != 0 ||
        mlops_drift_reference_compare(&psi, binned, MLOPS_DRIFT_PSI, cur, N, NULL) != 0)
        return fail();
    mlops_buf json = MLOPS_BUF_INIT;
    if (mlops_drift_result_write_json(&json, psi, 0) != 0)
        return fail();
    printf("PSI: %s\n", json.data);

    mlops_buf_dispose(&json);
    mlops_drift_result_free(psi);
    mlops_drift_reference_free(binned);
    mlops_drift_result_free(ks);
    free(ref);
    free(cur);
    return 0;
}
