/*
 * Store metadata reader: arbitrary index.json and mlops-store.json (the
 * input, split at its first NUL byte; no NUL: no history file) never crash
 * or leak, report only defined codes, and never make an alias's history
 * disagree with what the alias resolves to: the history of "m:prod" is
 * empty exactly when "m:prod" does not resolve, and otherwise its last
 * version resolves to the same manifest. Every listed tag resolves.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz_common.h"
#include "mlops.h"

static char dir[64];

static void put(const char *name, const uint8_t *data, size_t size)
{
    char path[128];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    FUZZ_CHECK(fd >= 0);
    FUZZ_CHECK(size == 0 || write(fd, data, size) == (ssize_t)size);
    close(fd);
}

static void cleanup(void)
{
    static const char *const names[] = { "index.json", "mlops-store.json", "oci-layout", ".lock" };
    char path[128];
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        unlink(path);
    }
    rmdir(dir);
}

static int allowed(int rc)
{
    return rc == 0 || rc == MLOPS_E_PARSE || rc == MLOPS_E_SCHEMA || rc == MLOPS_E_LIMIT;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!dir[0]) {
        strcpy(dir, "/tmp/mlops-fuzz-store-XXXXXX");
        FUZZ_CHECK(mkdtemp(dir) != NULL);
        atexit(cleanup);
        static const char layout[] = "{\"imageLayoutVersion\":\"1.0.0\"}";
        put("oci-layout", (const uint8_t *)layout, sizeof layout - 1);
    }
    const uint8_t *nul = memchr(data, 0, size);
    size_t ilen = nul ? (size_t)(nul - data) : size;
    put("index.json", data, ilen);
    char hist[128];
    snprintf(hist, sizeof hist, "%s/mlops-store.json", dir);
    if (nul)
        put("mlops-store.json", nul + 1, size - ilen - 1);
    else
        unlink(hist);

    mlops_store *s = NULL;
    int rc = mlops_store_open(&s, dir, 0);
    FUZZ_CHECK(allowed(rc));
    if (rc)
        return 0;
    mlops_strlist *tags = NULL, *h = NULL;
    rc = mlops_store_tag_list(&tags, s, 0);
    FUZZ_CHECK(rc == 0);
    for (size_t i = 0; i < mlops_strlist_count(tags); i++) {
        char *d = NULL;
        FUZZ_CHECK(mlops_store_resolve(&d, s, mlops_strlist_get(tags, i)) == 0);
        mlops_free(d);
    }
    FUZZ_CHECK(mlops_store_alias_history_list(&h, s, "m", "prod", 0) == 0);
    char *a = NULL, *v = NULL;
    size_t n = mlops_strlist_count(h);
    rc = mlops_store_resolve(&a, s, "m:prod");
    if (n == 0) {
        FUZZ_CHECK(rc == MLOPS_E_NOTFOUND);
    } else {
        char ref[1024];
        FUZZ_CHECK(rc == 0);
        snprintf(ref, sizeof ref, "m:%s", mlops_strlist_get(h, n - 1));
        FUZZ_CHECK(mlops_store_resolve(&v, s, ref) == 0 && strcmp(a, v) == 0);
    }
    mlops_free(a);
    mlops_free(v);
    mlops_strlist_free(tags);
    mlops_strlist_free(h);
    mlops_store_free(s);
    return 0;
}
