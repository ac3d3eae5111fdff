/*
 * Benchmark: parse + validate + canonical write of a manifest with many files.
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * Usage: bench_manifest [-n FILES] [-r REPS] [-o OUT.json]
 * Builds a manifest of FILES files (default 100000, about 20 MB canonical),
 * optionally writes its canonical bytes to OUT.json (bench/manifest_compare.py
 * times Python's json.loads on the same file), then runs REPS times (default
 * 7): parse (strict JSON, schema, rules, both digests), validate again,
 * canonical write. Prints the median of each step, the throughput in MB/s of
 * input and the library's peak heap during one run relative to the input
 * size (counted through the allocator hooks; the input buffer itself is the
 * caller's and is not counted).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mlops.h"

/* ---- a counting allocator: live and peak bytes ---- */

typedef struct header {
    size_t size;
    size_t pad; /* keep 16-byte alignment */
} header;

static size_t live_bytes, peak_bytes;

static void *c_malloc(size_t size, void *ctx)
{
    (void)ctx;
    header *h = malloc(sizeof *h + size);
    if (!h)
        return NULL;
    h->size = size;
    live_bytes += size;
    if (live_bytes > peak_bytes)
        peak_bytes = live_bytes;
    return h + 1;
}

static void *c_realloc(void *ptr, size_t size, void *ctx)
{
    if (!ptr)
        return c_malloc(size, ctx);
    header *old = (header *)ptr - 1;
    size_t old_size = old->size;
    header *h = realloc(old, sizeof *h + size);
    if (!h)
        return NULL;
    h->size = size;
    live_bytes = live_bytes - old_size + size;
    if (live_bytes > peak_bytes)
        peak_bytes = live_bytes;
    return h + 1;
}

static void c_free(void *ptr, void *ctx)
{
    (void)ctx;
    if (!ptr)
        return;
    header *h = (header *)ptr - 1;
    live_bytes -= h->size;
    free(h);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void die(const char *what, int rc)
{
    fprintf(stderr, "%s failed: %s (%s)\n", what, mlops_error_name(rc), mlops_error_last());
    exit(1);
}

static void build(mlops_buf *out, long files)
{
    mlops_manifest_builder *b = NULL;
    int rc = mlops_manifest_builder_new(&b, "bench-model", "1.0.0", "2026-11-26T09:00:00Z");
    if (rc)
        die("builder_new", rc);
    static const char *const roles[] = {"model", "config", "doc", "code"};
    for (long i = 0; i < files; i++) {
        char path[96], hex[65], s[MLOPS_DIGEST_STRING_SIZE];
        uint8_t d[32];
        snprintf(path, sizeof path, "layers/block-%04ld/shard-%06ld.safetensors", i / 100, i);
        mlops_digest_buffer(d, path, strlen(path));
        mlops_digest_format(s, d);
        memcpy(hex, s + 7, 65);
        uint64_t size = ((uint64_t)i * 2654435761u) % 1000000007u;
        rc = mlops_manifest_builder_add_file(b, path, size, hex,
                                             "application/vnd.cncf.model.weight.v1.raw",
                                             roles[i % 4]);
        if (rc)
            die("add_file", rc);
    }
    mlops_manifest_builder_set_metric(b, "auc", 0.912);
    mlops_manifest_builder_set_parameter_number(b, "learning_rate", 0.01);
    mlops_manifest *m = NULL;
    if ((rc = mlops_manifest_builder_finish(&m, b)))
        die("builder_finish", rc);
    if ((rc = mlops_manifest_write_json(out, m, 0)))
        die("write_canonical", rc);
    mlops_manifest_free(m);
    mlops_manifest_builder_free(b);
}

int main(int argc, char **argv)
{
    long files = 100000;
    int reps = 7;
    const char *out_path = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-n") == 0 && i + 1 < argc)
            files = atol(argv[++i]);
        else if (strcmp(argv[i], "-r") == 0 && i + 1 < argc)
            reps = atoi(argv[++i]);
        else if (strcmp(argv[i], "-o") == 0 && i + 1 < argc)
            out_path = argv[++i];
        else {
            fprintf(stderr, "usage: %s [-n FILES] [-r REPS] [-o OUT.json]\n", argv[0]);
            return 2;
        }
    }
    if (reps < 1 || reps > 1000 || files < 0)
        return 2;
    if (mlops_allocator_set(c_malloc, c_realloc, c_free, NULL) != 0)
        return 1;

    mlops_buf input = MLOPS_BUF_INIT;
    build(&input, files);
    if (out_path) {
        FILE *f = fopen(out_path, "wb");
        if (!f || fwrite(input.data, 1, input.size, f) != input.size || fclose(f) != 0) {
            perror(out_path);
            return 1;
        }
    }

    double *t_parse = calloc((size_t)reps, sizeof(double));
    double *t_validate = calloc((size_t)reps, sizeof(double));
    double *t_write = calloc((size_t)reps, sizeof(double));
    double *t_total = calloc((size_t)reps, sizeof(double));
    if (!t_parse || !t_validate || !t_write || !t_total)
        return 1;
    size_t peak = 0, resident = 0, peak_parse = 0;
    for (int r = 0; r < reps; r++) {
        size_t base = live_bytes;
        peak_bytes = live_bytes;
        mlops_manifest *m = NULL;
        mlops_buf out = MLOPS_BUF_INIT;
        double t0 = now();
        int rc = mlops_manifest_parse(&m, input.data, input.size, NULL);
        if (rc)
            die("parse", rc);
        double t1 = now();
        resident = live_bytes - base;
        if (peak_bytes - base > peak_parse)
            peak_parse = peak_bytes - base;
        if ((rc = mlops_manifest_validate(m)))
            die("validate", rc);
        double t2 = now();
        if ((rc = mlops_manifest_write_json(&out, m, 0)))
            die("write", rc);
        double t3 = now();
        if (out.size != input.size || memcmp(out.data, input.data, out.size) != 0) {
            fprintf(stderr, "canonical output differs from the input\n");
            return 1;
        }
        t_parse[r] = t1 - t0;
        t_validate[r] = t2 - t1;
        t_write[r] = t3 - t2;
        t_total[r] = t3 - t0;
        if (peak_bytes - base > peak)
            peak = peak_bytes - base;
        mlops_buf_dispose(&out);
        mlops_manifest_free(m);
    }
    double mb = (double)input.size / 1e6;
    double tot = median(t_total, reps);
    printf("files %ld\n", files);
    printf("input_bytes %zu\n", input.size);
    printf("reps %d\n", reps);
    printf("median_parse_s %.6f\n", median(t_parse, reps));
    printf("median_validate_s %.6f\n", median(t_validate, reps));
    printf("median_write_s %.6f\n", median(t_write, reps));
    printf("median_total_s %.6f\n", tot);
    printf("throughput_mb_s %.1f\n", mb / tot);
    printf("peak_heap_bytes %zu\n", peak);
    printf("peak_heap_over_input %.2f\n", (double)peak / (double)input.size);
    printf("peak_heap_parse_bytes %zu\n", peak_parse);
    printf("manifest_heap_bytes %zu\n", resident);
    printf("manifest_heap_over_input %.2f\n", (double)resident / (double)input.size);
    mlops_buf_dispose(&input);
    free(t_parse);
    free(t_validate);
    free(t_write);
    free(t_total);
    return 0;
}
