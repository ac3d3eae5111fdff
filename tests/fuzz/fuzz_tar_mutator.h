/*
 * The structure-aware mutator of the package and extract targets
 * (libFuzzer build only, -DMLOPS_FUZZ_MUTATOR): one document of the package
 * (index.json, an OCI manifest, the config, the statement, the envelope) is
 * mutated with libFuzzer's own mutations, then the package is re-sealed as
 * tests/unit/make_hostile_packages.py does: the blob is renamed to its new
 * SHA-256, every descriptor naming the old digest gets the new digest and
 * size, recursively up to index.json, and a changed statement gets a new
 * envelope signed with the RFC 8032 test key. One mutation in eight is a
 * plain byte mutation of the whole tar. Included once, by the target.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef MLOPS_FUZZ_TAR_MUTATOR_H
#define MLOPS_FUZZ_TAR_MUTATOR_H
#ifdef MLOPS_FUZZ_MUTATOR
#include <stdbool.h>

size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size);
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed);

/* RFC 8032 §7.1 TEST 1's secret key: public knowledge, signs the seeds. */
static const uint8_t test1_seed[32] = {
    0x9d, 0x61, 0xb1, 0x9d, 0xef, 0xfd, 0x5a, 0x60, 0xba, 0x84, 0x4a, 0xf4, 0x92, 0xec, 0x2c, 0xc4,
    0x44, 0x49, 0xc5, 0x69, 0x7b, 0x32, 0x69, 0x19, 0x70, 0x3b, 0xac, 0x03, 0x1c, 0xae, 0x7f, 0x60,
};

#define MAX_ENTRIES 64
typedef struct {
    uint8_t hdr[512];
    uint8_t *data;
    size_t size;
} tar_entry;

typedef struct {
    tar_entry e[MAX_ENTRIES];
    size_t n;
} tar_doc;

static void tar_free(tar_doc *t)
{
    for (size_t i = 0; i < t->n; i++)
        free(t->e[i].data);
    t->n = 0;
}

static int octal(const uint8_t *p, size_t n, size_t *out)
{
    size_t v = 0, i = 0;
    while (i < n && p[i] == ' ')
        i++;
    if (i == n || p[i] < '0' || p[i] > '7')
        return -1;
    for (; i < n && p[i] >= '0' && p[i] <= '7'; i++)
        v = v * 8 + (size_t)(p[i] - '0');
    *out = v;
    return 0;
}

/* A plain ustar stream (as the packer writes) into entries; -1 otherwise. */
static int tar_parse(tar_doc *t, const uint8_t *d, size_t size)
{
    t->n = 0;
    size_t off = 0;
    while (off + 512 <= size) {
        const uint8_t *h = d + off;
        bool zero = true;
        for (int i = 0; i < 512 && zero; i++)
            zero = h[i] == 0;
        if (zero)
            return t->n ? 0 : -1;
        size_t len;
        if (t->n == MAX_ENTRIES || octal(h + 124, 12, &len) != 0 || len > size - off - 512)
            goto bad;
        tar_entry *e = &t->e[t->n++];
        memcpy(e->hdr, h, 512);
        e->size = len;
        e->data = malloc(len ? len : 1);
        if (!e->data)
            goto bad;
        memcpy(e->data, h + 512, len);
        off += 512 + (len + 511) / 512 * 512;
    }
bad:
    tar_free(t);
    return -1;
}

static size_t tar_write(const tar_doc *t, uint8_t *out, size_t max)
{
    size_t off = 0;
    for (size_t i = 0; i < t->n; i++) {
        const tar_entry *e = &t->e[i];
        size_t padded = (e->size + 511) / 512 * 512;
        if (off + 512 + padded + 1024 > max)
            return 0;
        uint8_t h[512];
        memcpy(h, e->hdr, 512);
        snprintf((char *)h + 124, 12, "%011zo", e->size);
        memset(h + 148, ' ', 8);
        unsigned sum = 0;
        for (int k = 0; k < 512; k++)
            sum += h[k];
        snprintf((char *)h + 148, 8, "%06o", sum & 0777777);
        h[155] = ' ';
        memcpy(out + off, h, 512);
        memcpy(out + off + 512, e->data, e->size);
        memset(out + off + 512 + e->size, 0, padded - e->size);
        off += 512 + padded;
    }
    memset(out + off, 0, 1024);
    return off + 1024;
}

static const char *entry_name(const tar_entry *e)
{
    static char name[101];
    memcpy(name, e->hdr, 100);
    name[100] = '\0';
    return name;
}

/* The hex digest of a "blobs/sha256/<hex>" entry, else NULL. */
static const char *blob_hex(const tar_entry *e)
{
    const char *n = entry_name(e);
    return strncmp(n, "blobs/sha256/", 13) == 0 && strlen(n) == 13 + 64 ? n + 13 : NULL;
}

static void sha256_hex(char hex[65], const uint8_t *d, size_t n)
{
    uint8_t md[MLOPS_SHA256_SIZE];
    char s[MLOPS_DIGEST_STRING_SIZE];
    if (mlops_digest_buffer(md, d, n) != 0)
        abort();
    mlops_digest_format(s, md);
    memcpy(hex, s + 7, 65); /* after "sha256:" */
}

/* Replace bytes [at, at+len) of e->data with `rep`. */
static void tar_splice(tar_entry *e, size_t at, size_t len, const char *rep, size_t rlen)
{
    uint8_t *n = malloc(e->size - len + rlen + 1);
    if (!n)
        abort();
    memcpy(n, e->data, at);
    memcpy(n + at, rep, rlen);
    memcpy(n + at + rlen, e->data + at + len, e->size - at - len);
    free(e->data);
    e->data = n;
    e->size = e->size - len + rlen;
}

/* In e: every old hex becomes new_hex; a descriptor's "size" after
 * "sha256:<new>" (in the same object) becomes new_size. 1 when changed. */
static int rewrite_refs(tar_entry *e, const char *old_hex, const char *new_hex, size_t new_size)
{
    int changed = 0;
    for (size_t i = 0; i + 64 <= e->size; i++) {
        if (memcmp(e->data + i, old_hex, 64) != 0)
            continue;
        memcpy(e->data + i, new_hex, 64);
        changed = 1;
        if (i < 7 || memcmp(e->data + i - 7, "sha256:", 7) != 0)
            continue;
        for (size_t j = i + 64; j + 7 < e->size; j++) {
            uint8_t c = e->data[j];
            if (c == '{' || c == '}' || c == '[' || c == ']')
                break;
            if (memcmp(e->data + j, "\"size\":", 7) == 0) {
                size_t k = j + 7;
                while (k < e->size && e->data[k] >= '0' && e->data[k] <= '9')
                    k++;
                char num[32];
                int len = snprintf(num, sizeof num, "%zu", new_size);
                tar_splice(e, j + 7, k - j - 7, num, (size_t)len);
                break;
            }
        }
    }
    return changed;
}

/* After entry `i` changed: rename it to its digest and fix every reference,
 * repeating for the documents that changed in turn. */
static void reseal(tar_doc *t, size_t first)
{
    size_t work[MAX_ENTRIES * 4], nw = 0;
    work[nw++] = first;
    for (size_t round = 0; nw && round < MAX_ENTRIES * 4; round++) {
        size_t i = work[--nw];
        const char *hex = blob_hex(&t->e[i]);
        if (!hex)
            continue;
        char old_hex[65], new_hex[65];
        memcpy(old_hex, hex, 65);
        sha256_hex(new_hex, t->e[i].data, t->e[i].size);
        if (strcmp(old_hex, new_hex) == 0)
            continue;
        memcpy(t->e[i].hdr + 13, new_hex, 64);
        for (size_t k = 0; k < t->n; k++)
            if (k != i && rewrite_refs(&t->e[k], old_hex, new_hex, t->e[i].size) &&
                nw < sizeof work / sizeof work[0])
                work[nw++] = k;
    }
}

static int starts_with(const tar_entry *e, const char *s)
{
    return e->size >= strlen(s) && memcmp(e->data, s, strlen(s)) == 0;
}

/* A changed statement: a new envelope over it, signed with the test key. */
static void resign(tar_doc *t, size_t stmt)
{
    static mlops_key *key;
    if (!key && mlops_key_from_seed(&key, test1_seed) != 0)
        return;
    for (size_t i = 0; i < t->n; i++) {
        if (i == stmt || !blob_hex(&t->e[i]) || !starts_with(&t->e[i], "{\"payload\":"))
            continue;
        mlops_buf env = MLOPS_BUF_INIT;
        const mlops_key *keys[1] = { key };
        if (mlops_dsse_sign(&env, "application/vnd.in-toto+json", t->e[stmt].data,
                            t->e[stmt].size, keys, 1, 0) == 0) {
            free(t->e[i].data);
            t->e[i].data = malloc(env.size ? env.size : 1);
            if (!t->e[i].data)
                abort();
            memcpy(t->e[i].data, env.data, env.size);
            t->e[i].size = env.size;
            reseal(t, i);
        }
        mlops_buf_dispose(&env);
    }
}

size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed)
{
    unsigned r = seed;
    tar_doc t;
    if (r % 8 == 0 || tar_parse(&t, data, size) != 0)
        return LLVMFuzzerMutate(data, size, max_size);
    r /= 8;
    /* The documents: index.json and the blobs that are JSON. */
    size_t docs[MAX_ENTRIES], nd = 0;
    for (size_t i = 0; i < t.n; i++)
        if (t.e[i].hdr[156] == '0' || t.e[i].hdr[156] == '\0') {
            if (strcmp(entry_name(&t.e[i]), "index.json") == 0 ||
                (blob_hex(&t.e[i]) && starts_with(&t.e[i], "{")) || r % 4 == 0)
                docs[nd++] = i;
        }
    if (nd == 0) {
        tar_free(&t);
        return LLVMFuzzerMutate(data, size, max_size);
    }
    size_t pick = docs[(r / 4) % nd];
    tar_entry *e = &t.e[pick];
    bool statement = starts_with(e, "{\"_type\":");
    size_t cap = e->size * 2 + 256;
    uint8_t *buf = malloc(cap);
    if (!buf)
        abort();
    memcpy(buf, e->data, e->size);
    size_t n = LLVMFuzzerMutate(buf, e->size, cap);
    free(e->data);
    e->data = buf;
    e->size = n;
    reseal(&t, pick);
    if (statement)
        resign(&t, pick);
    size_t out = tar_write(&t, data, max_size);
    tar_free(&t);
    return out ? out : LLVMFuzzerMutate(data, size, max_size);
}
#endif

#endif
