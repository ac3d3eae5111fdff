/*
 * JSON throughput: parse and canonical write of a manifest-like document.
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 *   bench_json --gen FILE [FILES]   write the document (FILES entries, default
 *                                   100000; deterministic) to FILE
 *   bench_json [--runs N] FILE      time parse, canonical write, and both;
 *                                   print medians, peak library memory and
 *                                   peak RSS as key=value lines
 *   bench_json --mem FILE           parse once: peak RSS before and after
 *                                   (the input buffer is counted in both)
 *   --inplace (before FILE)         use mlops__json_parse_inplace: no copy of
 *                                   the input (each timed run gets fresh
 *                                   bytes, copied outside the timing)
 *
 * bench/json_compare.py runs this next to Python's json.loads on the same
 * bytes. Not a test: nothing here is asserted.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "core/buf.h"
#include "core/json.h"
#include "mlops.h"

/* ---- a counting allocator for the library's peak memory --------------- */

typedef struct hdr {
    size_t size;
    size_t pad;
} hdr;
static size_t cur_bytes, peak_bytes;

static void *c_malloc(size_t n, void *ctx)
{
    (void)ctx;
    hdr *h = malloc(sizeof *h + n);
    if (!h)
        return NULL;
    h->size = n;
    cur_bytes += n;
    if (cur_bytes > peak_bytes)
        peak_bytes = cur_bytes;
    return h + 1;
}

static void c_free(void *p, void *ctx)
{
    (void)ctx;
    if (!p)
        return;
    hdr *h = (hdr *)p - 1;
    cur_bytes -= h->size;
    free(h);
}

static void *c_realloc(void *p, size_t n, void *ctx)
{
    if (!p)
        return c_malloc(n, ctx);
    hdr *h = (hdr *)p - 1;
    size_t old = h->size;
    hdr *q = realloc(h, sizeof *q + n);
    if (!q)
        return NULL;
    q->size = n;
    cur_bytes = cur_bytes - old + n;
    if (cur_bytes > peak_bytes)
        peak_bytes = cur_bytes;
    return q + 1;
}

/* ---- the document ----------------------------------------------------- */

static uint64_t rng = 0x243F6A8885A308D3u;
static uint64_t next_u64(void)
{
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return rng * 0x2545F4914F6CDD1Du;
}

static const char *const roles[] = { "model", "weights", "config", "tokenizer", "doc" };
static const char *const types[] = {
    "application/vnd.cncf.model.weight.v1.raw", "application/vnd.cncf.model.weight.v1.raw",
    "application/vnd.cncf.model.weight.config.v1.raw", "application/vnd.cncf.model.code.v1.raw",
    "application/vnd.cncf.model.doc.v1.raw"
};

static int generate(const char *path, long files)
{
    FILE *f = fopen(path, "wb");
    if (!f) {
        perror(path);
        return 1;
    }
    fprintf(f, "{\"_type\": \"https://in-toto.io/Statement/v1\", \"subject\": [{\"name\": "
               "\"fraud-detector@1.4.0\", \"digest\": {\"sha256\": "
               "\"5d3f2a8a3e1c0b9a7f6e5d4c3b2a19080706050403020100ffeeddccbbaa9988\"}}], "
               "\"predicateType\": \"https://libmlops.dev/manifest/v1\", \"predicate\": {"
               "\"name\": \"fraud-detector\", \"version\": \"1.4.0\", \"created\": "
               "\"2026-11-26T09:00:00Z\", \"parameters\": {\"learning_rate\": 0.01, "
               "\"max_depth\": 8}, \"metrics\": {\"auc\": 0.912}, \"files\": [\n");
    for (long i = 0; i < files; i++) {
        uint64_t r = next_u64();
        int k = (int)(r % 5);
        char hex[65];
        for (int j = 0; j < 4; j++)
            snprintf(hex + 16 * j, 17, "%016" PRIx64, next_u64());
        fprintf(f,
                "  {\"path\": \"model/%s/part-%06ld.bin\", \"size\": %" PRIu64
                ", \"digest\": {\"sha256\": \"%s\"}, \"mediaType\": \"%s\", \"role\": \"%s\"}%s\n",
                roles[k], i, (r >> 8) % 5000000000u, hex, types[k], roles[k],
                i + 1 < files ? "," : "");
    }
    fprintf(f, "]}}\n");
    return fclose(f) != 0;
}

/* Peak resident memory of this process in KiB: VmHWM (reset at exec, unlike
 * ru_maxrss, which a child inherits from a large parent), else ru_maxrss. */
static long peak_rss_kb(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    if (f) {
        char line[256];
        long kb = -1;
        while (fgets(line, sizeof line, f))
            if (strncmp(line, "VmHWM:", 6) == 0)
                kb = atol(line + 6);
        fclose(f);
        if (kb >= 0)
            return kb;
    }
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

/* ---- timing ----------------------------------------------------------- */

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int main(int argc, char **argv)
{
    int runs = 9;
    if (argc >= 3 && strcmp(argv[1], "--gen") == 0)
        return generate(argv[2], argc >= 4 ? atol(argv[3]) : 100000);
    int a = 1, mem_only = 0;
    if (argc >= 3 && strcmp(argv[1], "--mem") == 0) {
        mem_only = 1;
        a = 2;
    } else if (argc >= 3 && strcmp(argv[1], "--runs") == 0) {
        runs = atoi(argv[2]);
        a = 3;
    }
    int inplace = 0;
    if (a < argc && strcmp(argv[a], "--inplace") == 0) {
        inplace = 1;
        a++;
    }
    if (a >= argc || runs < 1 || runs > 1000) {
        fprintf(stderr, "usage: %s --gen FILE [FILES] | %s [--runs N] FILE\n", argv[0], argv[0]);
        return 2;
    }
    FILE *f = fopen(argv[a], "rb");
    if (!f) {
        perror(argv[a]);
        return 1;
    }
    fseek(f, 0, SEEK_END);
    size_t len = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    char *data = malloc(len + 1);
    if (!data || fread(data, 1, len, f) != len)
        return 1;
    data[len] = '\0';
    fclose(f);
    char *work = NULL;
    /* fread touched every page of the input: it is resident */
    long rss_before = peak_rss_kb();
    if (mem_only) {
        mlops__json_doc *doc = NULL;
        int rc = inplace ? mlops__json_parse_inplace(&doc, data, len, NULL, argv[a])
                         : mlops__json_parse(&doc, data, len, NULL, argv[a]);
        if (rc) {
            fprintf(stderr, "%s\n", mlops_error_last());
            return 1;
        }
        long rss_after = peak_rss_kb();
        printf("input_bytes=%zu\nrss_before_parse_kb=%ld\nrss_after_parse_kb=%ld\n", len,
               rss_before, rss_after);
        printf("parse_rss_growth_ratio=%.2f\nprocess_rss_ratio=%.2f\n",
               (double)(rss_after - rss_before) * 1024.0 / (double)len,
               (double)rss_after * 1024.0 / (double)len);
        mlops__json_doc_free(doc);
        free(data);
        return 0;
    }
    if (inplace) {
        work = malloc(len + 1);
        if (!work)
            return 1;
    }
    mlops_allocator_set(c_malloc, c_realloc, c_free, NULL);

    double *tp = calloc((size_t)runs, sizeof *tp), *tw = calloc((size_t)runs, sizeof *tw),
           *tb = calloc((size_t)runs, sizeof *tb);
    size_t out_size = 0, doc_peak = 0, base_bytes = cur_bytes;
    for (int r = 0; r < runs; r++) {
        mlops__json_doc *doc = NULL;
        if (inplace)
            memcpy(work, data, len + 1);
        peak_bytes = cur_bytes;
        double t0 = now_ms();
        int prc = inplace ? mlops__json_parse_inplace(&doc, work, len, NULL, argv[a])
                          : mlops__json_parse(&doc, data, len, NULL, argv[a]);
        if (prc) {
            fprintf(stderr, "%s\n", mlops_error_last());
            return 1;
        }
        double t1 = now_ms();
        doc_peak = peak_bytes;
        mlops_buf out = MLOPS_BUF_INIT;
        if (mlops__json_write_canonical(&out, mlops__json_root(doc))) {
            fprintf(stderr, "%s\n", mlops_error_last());
            return 1;
        }
        double t2 = now_ms();
        out_size = out.size;
        tp[r] = t1 - t0;
        tw[r] = t2 - t1;
        tb[r] = t2 - t0;
        mlops_buf_dispose(&out);
        mlops__json_doc_free(doc);
    }
    long rss_peak = peak_rss_kb();
    double mb = (double)len / 1e6;
    double p = median(tp, runs), w = median(tw, runs), b = median(tb, runs);
    printf("input_bytes=%zu\n", len);
    printf("canonical_bytes=%zu\n", out_size);
    printf("runs=%d\n", runs);
    printf("parse_ms=%.2f\nwrite_ms=%.2f\nparse_write_ms=%.2f\n", p, w, b);
    printf("parse_MBps=%.1f\nparse_write_MBps=%.1f\n", mb / p * 1e3, mb / b * 1e3);
    printf("doc_peak_bytes=%zu\ndoc_peak_ratio=%.2f\n", doc_peak - base_bytes,
           (double)(doc_peak - base_bytes) / (double)len);
    printf("rss_before_kb=%ld\nrss_peak_kb=%ld\nrss_peak_ratio=%.2f\n", rss_before, rss_peak,
           (double)rss_peak * 1024.0 / (double)len);
    free(tp);
    free(tw);
    free(tb);
    free(work);
    free(data);
    return 0;
}
