/*
 * Profile update throughput and serialised size.
 *
 *   bench_profile [values=1e8] [batch=10000] [size_values=1e9]
 *
 * Values are splitmix64 uniforms (the same stream bench/profile_compare.py
 * generates with NumPy for the DataSketches side), generated in chunks of
 * 10^6 outside the timed region; only mlops_profile_update() is timed.
 * Prints one line per configuration: "name values wall_seconds Mvalues/s
 * cpu_seconds": the machine may be shared, so the process CPU time of the
 * timed region is printed too.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "mlops.h"

#define CHUNK 1000000

static void fill(double *x, size_t n, uint64_t *state)
{
    for (size_t i = 0; i < n; i++) {
        uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        z ^= z >> 31;
        x[i] = (double)(z >> 11) * 0x1p-53;
    }
}

static double clock_s(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double cpu_spent;

/* Feed `total` values in batches; returns the seconds spent in updates. */
static double run(mlops_profile *p, double *x, uint64_t total, size_t batch)
{
    uint64_t state = 1;
    double spent = 0;
    for (uint64_t done = 0; done < total; done += CHUNK) {
        size_t n = total - done < CHUNK ? (size_t)(total - done) : CHUNK;
        fill(x, n, &state);
        double t0 = clock_s(CLOCK_MONOTONIC), c0 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
        for (size_t i = 0; i < n; i += batch)
            if (mlops_profile_update(p, x + i, n - i < batch ? n - i : batch) != 0) {
                fprintf(stderr, "update failed: %s\n", mlops_error_last());
                exit(1);
            }
        spent += clock_s(CLOCK_MONOTONIC) - t0;
        cpu_spent += clock_s(CLOCK_PROCESS_CPUTIME_ID) - c0;
    }
    return spent;
}

int main(int argc, char **argv)
{
    uint64_t total = argc > 1 ? (uint64_t)strtod(argv[1], NULL) : 100000000u;
    size_t batch = argc > 2 ? (size_t)strtod(argv[2], NULL) : 10000;
    uint64_t size_values = argc > 3 ? (uint64_t)strtod(argv[3], NULL) : 1000000000u;
    double *x = malloc(CHUNK * sizeof *x);
    if (!x)
        return 1;
    double edges[9];
    for (int i = 0; i < 9; i++)
        edges[i] = (i + 1) / 10.0;

    mlops_profile_options o = MLOPS_PROFILE_OPTIONS_INIT;
    mlops_profile *p = NULL;
    if (mlops_profile_new(&p, MLOPS_PROFILE_NUMERIC, &o) != 0)
        return 1;
    cpu_spent = 0;
    double s = run(p, x, total, batch);
    printf("profile_sketch_only %llu %.4f %.1f %.4f\n", (unsigned long long)total, s,
           total / s / 1e6, cpu_spent);
    mlops_profile_free(p);

    o.edges = edges;
    o.n_edges = 9;
    if (mlops_profile_new(&p, MLOPS_PROFILE_NUMERIC, &o) != 0)
        return 1;
    cpu_spent = 0;
    s = run(p, x, total, batch);
    printf("profile_with_histogram %llu %.4f %.1f %.4f\n", (unsigned long long)total, s,
           total / s / 1e6, cpu_spent);
    mlops_profile_free(p);

    if (size_values > 0) {
        if (mlops_profile_new(&p, MLOPS_PROFILE_NUMERIC, &o) != 0)
            return 1;
        run(p, x, size_values, batch);
        mlops_buf b = MLOPS_BUF_INIT;
        if (mlops_profile_write(&b, p, 0) != 0)
            return 1;
        printf("serialized_size %llu %zu bytes (k=200, 10 bins, %zu retained)\n",
               (unsigned long long)size_values, b.size, mlops_profile_retained(p));
        mlops_buf_dispose(&b);
        mlops_profile_free(p);
    }
    free(x);
    return 0;
}
