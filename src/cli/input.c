/*
 * Inputs of the `mlops` command: strict .npy arrays and whole files.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "input.h"

#include "core/outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int suffix(const char *path, const char *suf)
{
    size_t n = strlen(path), m = strlen(suf);
    return n > m && strcmp(path + n - m, suf) == 0;
}

int cli_is_npy(const char *path) { return suffix(path, ".npy"); }
int cli_is_csv(const char *path) { return suffix(path, ".csv"); }

const char *cli_display_path(const char *path)
{
    return strcmp(path, "-") == 0 ? "(stdin)" : path;
}

static int stdin_taken;

/* Read an open descriptor to its end. */
static int read_all(int fd, uint8_t **data, size_t *size, size_t hint, const char *path,
                    char *err, size_t errlen)
{
    size_t cap = hint ? hint + 1 : 65536, n = 0;
    uint8_t *buf = malloc(cap);
    if (!buf) {
        snprintf(err, errlen, "%s: out of memory", path);
        return -1;
    }
    for (;;) {
        if (n == cap) {
            if (cap > SIZE_MAX / 2) {
                free(buf);
                snprintf(err, errlen, "%s: too large", path);
                return -1;
            }
            uint8_t *b = realloc(buf, cap * 2);
            if (!b) {
                free(buf);
                snprintf(err, errlen, "%s: out of memory", path);
                return -1;
            }
            buf = b;
            cap *= 2;
        }
        ssize_t r = read(fd, buf + n, cap - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            snprintf(err, errlen, "%s: read error: %s", path, strerror(errno));
            free(buf);
            return -1;
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    *data = buf;
    *size = n;
    return 0;
}

int cli_read_file(uint8_t **data, size_t *size, const char *path, char *err, size_t errlen)
{
    *data = NULL;
    *size = 0;
    if (strcmp(path, "-") == 0) {
        if (__atomic_exchange_n(&stdin_taken, 1, __ATOMIC_SEQ_CST)) {
            snprintf(err, errlen, "-: standard input is already used by another argument "
                                  "(give '-' once)");
            return -1;
        }
        return read_all(STDIN_FILENO, data, size, 0, "(stdin)", err, errlen);
    }
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 ||
        !(S_ISREG(st.st_mode) || S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode))) {
        close(fd);
        snprintf(err, errlen, "%s: not a regular file or a pipe", path);
        return -1;
    }
    int rc = read_all(fd, data, size, S_ISREG(st.st_mode) ? (size_t)st.st_size : 0, path, err,
                      errlen);
    close(fd);
    return rc;
}

int cli_write_file(const char *path, const void *data, size_t size, char *err, size_t errlen)
{
    FILE *f;
    cli_output *o = cli_output_open(path, &f, CLI_OUTPUT_REPLACE, 0666, err, errlen);
    if (!o)
        return -1;
    if (size && fwrite(data, 1, size, f) != size) {
        /* the error is reported (with errno) by the commit's flush */
    }
    return cli_output_commit(o, err, errlen);
}

struct cli_output {
    mlops__outfile o;
    FILE *f;
};

cli_output *cli_output_open(const char *path, FILE **f, unsigned flags, unsigned mode, char *err,
                            size_t errlen)
{
    *f = NULL;
    cli_output *o = malloc(sizeof *o);
    if (!o) {
        snprintf(err, errlen, "%s: out of memory", path);
        return NULL;
    }
    if (mlops__outfile_open(&o->o, path, flags & CLI_OUTPUT_REPLACE ? MLOPS__OUT_OVERWRITE : 0,
                            mode, err, errlen) != 0) {
        free(o);
        return NULL;
    }
    o->f = fdopen(o->o.fd, "w");
    if (!o->f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        mlops__outfile_abort(&o->o);
        free(o);
        return NULL;
    }
    *f = o->f;
    return o;
}

int cli_output_is_new_file(const cli_output *o) { return !o->o.through && !o->o.existed; }

const char *cli_output_target(const cli_output *o) { return o->o.target; }

int cli_output_commit(cli_output *o, char *err, size_t errlen)
{
    errno = 0;
    int bad = fflush(o->f) != 0 || ferror(o->f);
    int e = errno;
    /* the stream owns the descriptor: take it back for the commit */
    int fd = dup(o->o.fd);
    fclose(o->f);
    o->o.fd = fd;
    if (bad || fd < 0) {
        snprintf(err, errlen, "%s: write failed: %s", o->o.target,
                 strerror(bad ? (e ? e : EIO) : errno));
        mlops__outfile_abort(&o->o);
        free(o);
        return -1;
    }
    int rc = mlops__outfile_commit(&o->o, err, errlen) == 0 ? 0 : -1;
    free(o);
    return rc;
}

void cli_output_abort(cli_output *o)
{
    if (!o)
        return;
    int fd = dup(o->o.fd);
    fclose(o->f);
    o->o.fd = fd;
    mlops__outfile_abort(&o->o);
    free(o);
}

int64_t cli_label_code(const char *label)
{
    uint64_t h = 1469598103934665603ULL;
    for (const unsigned char *p = (const unsigned char *)label; *p; p++)
        h = (h ^ *p) * 1099511628211ULL;
    return (int64_t)(h & (uint64_t)INT64_MAX);
}

int cli_parse_double(const char *s, double *out)
{
    char *end = NULL;
    errno = 0;
    double v = strtod(s, &end);
    if (!s[0] || *end || errno || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}

int cli_parse_u64(const char *s, uint64_t *out)
{
    if (!s[0] || s[0] == '-' || s[0] == '+')
        return -1;
    char *end = NULL;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (*end || errno)
        return -1;
    *out = v;
    return 0;
}

/* ---- .npy ---- */

static int npy_fail(char *err, size_t errlen, const char *path, const char *why)
{
    snprintf(err, errlen, "%s: not a supported .npy file: %s", path, why);
    return -1;
}

/* Skip spaces; match a literal. */
static const char *ws(const char *p, const char *e)
{
    while (p < e && (*p == ' '))
        p++;
    return p;
}

static const char *lit(const char *p, const char *e, const char *s)
{
    size_t n = strlen(s);
    if ((size_t)(e - p) < n || memcmp(p, s, n) != 0)
        return NULL;
    return p + n;
}

int cli_npy_read(double **values, size_t *n_out, int *is_int, const char *path, char *err,
                 size_t errlen)
{
    uint8_t *d;
    size_t size;
    *values = NULL;
    *n_out = 0;
    if (cli_read_file(&d, &size, path, err, errlen) != 0)
        return -1;
    int rc = cli_npy_parse(values, n_out, is_int, d, size, cli_display_path(path), err, errlen);
    free(d);
    return rc;
}

int cli_npy_parse(double **values, size_t *n_out, int *is_int, const uint8_t *d, size_t size,
                  const char *path, char *err, size_t errlen)
{
    *values = NULL;
    *n_out = 0;
    int rc = -1;
    if (size < 10 || memcmp(d, "\x93NUMPY", 6) != 0) {
        npy_fail(err, errlen, path, "no \\x93NUMPY magic");
        goto out;
    }
    unsigned major = d[6];
    if (d[7] != 0 || major < 1 || major > 3) {
        char why[96];
        snprintf(why, sizeof why, "unknown format version %u.%u (1.0, 2.0 and 3.0 are supported)",
                 major, (unsigned)d[7]);
        npy_fail(err, errlen, path, why);
        goto out;
    }
    size_t hlen, hoff;
    if (major == 1) {
        hlen = (size_t)d[8] | (size_t)d[9] << 8;
        hoff = 10;
    } else if (major == 2 || major == 3) {
        if (size < 12) {
            npy_fail(err, errlen, path, "truncated header");
            goto out;
        }
        hlen = (size_t)d[8] | (size_t)d[9] << 8 | (size_t)d[10] << 16 | (size_t)d[11] << 24;
        hoff = 12;
    } else {
        npy_fail(err, errlen, path, "unknown format version");
        goto out;
    }
    if (hlen > size - hoff) {
        char why[160];
        snprintf(why, sizeof why, "truncated header: version %u.0 gives a %zu-byte header "
                 "length at byte 8, and %zu bytes follow it", major, hlen, size - hoff);
        npy_fail(err, errlen, path, why);
        goto out;
    }
    const char *p = (const char *)d + hoff, *e = p + hlen;
    /* The header is a Python dict literal padded with spaces and ending in
     * '\n'; numpy writes the keys in this order. */
    while (e > p && (e[-1] == ' ' || e[-1] == '\n'))
        e--;
    int dtype = 0, have_descr = 0, have_order = 0, have_shape = 0;
    unsigned long long count = 0;
    p = ws(p, e);
    if (!(p = lit(p, e, "{"))) {
        npy_fail(err, errlen, path, "header is not a dict");
        goto out;
    }
    for (;;) {
        p = ws(p, e);
        if (p < e && *p == '}')
            break;
        const char *q;
        if ((q = lit(p, e, "'descr':"))) {
            if (have_descr) {
                npy_fail(err, errlen, path, "key 'descr' given twice");
                goto out;
            }
            q = ws(q, e);
            const char *r;
            if ((r = lit(q, e, "'<f8'")))
                dtype = 1;
            else if ((r = lit(q, e, "'<i8'")))
                dtype = 2;
            else {
                npy_fail(err, errlen, path, "dtype must be '<f8' (float64) or '<i8' (int64)");
                goto out;
            }
            p = r;
            have_descr = 1;
        } else if ((q = lit(p, e, "'fortran_order':"))) {
            if (have_order) {
                npy_fail(err, errlen, path, "key 'fortran_order' given twice");
                goto out;
            }
            q = ws(q, e);
            const char *r = lit(q, e, "False");
            if (!r) {
                if (lit(q, e, "True")) {
                    /* a 1-D array is the same either way, but numpy never
                     * writes True for one: refuse rather than guess */
                    npy_fail(err, errlen, path, "Fortran order is not supported");
                } else
                    npy_fail(err, errlen, path, "bad fortran_order");
                goto out;
            }
            p = r;
            have_order = 1;
        } else if ((q = lit(p, e, "'shape':"))) {
            if (have_shape) {
                npy_fail(err, errlen, path, "key 'shape' given twice");
                goto out;
            }
            q = ws(q, e);
            if (!(q = lit(q, e, "("))) {
                npy_fail(err, errlen, path, "bad shape");
                goto out;
            }
            int digits = 0;
            count = 0;
            while (q < e && *q >= '0' && *q <= '9') {
                if (count > (1ULL << 40)) {
                    npy_fail(err, errlen, path, "shape too large");
                    goto out;
                }
                count = count * 10 + (unsigned)(*q++ - '0');
                digits++;
            }
            if (!digits || !(q = lit(q, e, ",")) || !(q = lit(ws(q, e), e, ")"))) {
                npy_fail(err, errlen, path, "only 1-D arrays, shape (N,), are supported");
                goto out;
            }
            p = q;
            have_shape = 1;
        } else {
            npy_fail(err, errlen, path, "unexpected key in header");
            goto out;
        }
        p = ws(p, e);
        if (p < e && *p == ',')
            p++;
        else if (p < e && *p == '}')
            break;
        else {
            npy_fail(err, errlen, path, "malformed header dict");
            goto out;
        }
    }
    if (!have_descr || !have_order || !have_shape) {
        npy_fail(err, errlen, path, "header lacks descr, fortran_order or shape");
        goto out;
    }
    size_t data_off = hoff + hlen;
    if (size - data_off != count * 8) {
        char why[96];
        snprintf(why, sizeof why, "%zu data bytes, shape says %llu", size - data_off,
                 count * 8);
        npy_fail(err, errlen, path, why);
        goto out;
    }
    double *v = malloc(count ? count * sizeof *v : 1);
    if (!v) {
        snprintf(err, errlen, "%s: out of memory", path);
        goto out;
    }
    const uint8_t *src = d + data_off;
    for (size_t i = 0; i < count; i++) {
        uint64_t u = 0;
        for (int b = 7; b >= 0; b--)
            u = u << 8 | src[i * 8 + (size_t)b];
        if (dtype == 1)
            memcpy(&v[i], &u, 8);
        else
            v[i] = (double)(int64_t)u;
    }
    *values = v;
    *n_out = count;
    if (is_int)
        *is_int = dtype == 2;
    rc = 0;
out:
    return rc;
}

void cli_feature_free(cli_feature *f)
{
    free(f->name);
    free(f->values);
    free(f->codes);
    for (size_t i = 0; i < f->nlabels; i++)
        free(f->labels[i]);
    free(f->labels);
    free(f->label_codes);
    memset(f, 0, sizeof *f);
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

int cli_feature_from_column(cli_feature *f, cli_column *c, size_t nrows)
{
    memset(f, 0, sizeof *f);
    f->name = c->name;
    c->name = NULL;
    f->n = nrows;
    if (c->numeric) {
        f->values = c->values;
        c->values = NULL;
        return 0;
    }
    f->categorical = 1;
    f->codes = malloc((nrows ? nrows : 1) * sizeof *f->codes);
    f->label_codes = malloc((c->nlevels ? c->nlevels : 1) * sizeof *f->label_codes);
    if (!f->codes || !f->label_codes) {
        cli_feature_free(f);
        return -1;
    }
    for (size_t k = 0; k < c->nlevels; k++)
        f->label_codes[k] = cli_label_code(c->levels[k]);
    /* distinct labels must keep distinct codes: refuse a hash collision
     * rather than merge two categories */
    if (c->nlevels > 1) {
        int64_t *sorted = malloc(c->nlevels * sizeof *sorted);
        if (!sorted) {
            cli_feature_free(f);
            return -1;
        }
        memcpy(sorted, f->label_codes, c->nlevels * sizeof *sorted);
        qsort(sorted, c->nlevels, sizeof *sorted, cmp_i64);
        int dup = 0;
        for (size_t k = 1; k < c->nlevels; k++)
            dup |= sorted[k] == sorted[k - 1];
        free(sorted);
        if (dup) {
            cli_feature_free(f);
            return -2;
        }
    }
    f->text_line = c->text_line;
    f->mixed = c->has_number;
    memcpy(f->text_value, c->text_value, sizeof f->text_value);
    for (size_t r = 0; r < nrows; r++)
        f->codes[r] = f->label_codes[c->codes[r]];
    f->labels = c->levels;
    f->nlabels = c->nlevels;
    c->levels = NULL;
    c->nlevels = 0;
    return 0;
}


static int feature_from_npy(cli_feature *f, const char *path, const char *column, double *v,
                            size_t n, char *err, size_t errlen)
{
    if (column) {
        free(v);
        snprintf(err, errlen, "%s: a .npy file has no columns (drop --column)",
                 cli_display_path(path));
        return -1;
    }
    f->values = v;
    f->n = n;
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    f->name = strdup(strcmp(path, "-") == 0 ? "stdin" : base);
    if (!f->name) {
        cli_feature_free(f);
        snprintf(err, errlen, "%s: out of memory", path);
        return -1;
    }
    size_t len = strlen(f->name);
    if (len > 4 && strcmp(f->name + len - 4, ".npy") == 0)
        f->name[len - 4] = '\0';
    return 0;
}

int cli_feature_load(cli_feature *f, const char *path, const char *column, char delim,
                     char *err, size_t errlen)
{
    memset(f, 0, sizeof *f);
    cli_table t;
    if (strcmp(path, "-") == 0) {
        /* standard input: a .npy array by its magic, else CSV */
        uint8_t *d;
        size_t size;
        if (cli_read_file(&d, &size, path, err, errlen) != 0)
            return -1;
        int rc;
        if (size >= 6 && memcmp(d, "\x93NUMPY", 6) == 0) {
            double *v;
            size_t n;
            rc = cli_npy_parse(&v, &n, NULL, d, size, "(stdin)", err, errlen);
            free(d);
            return rc != 0 ? -1 : feature_from_npy(f, path, column, v, n, err, errlen);
        }
        rc = cli_csv_parse(&t, (const char *)d, size, "(stdin)", delim, err, errlen);
        free(d);
        if (rc != 0)
            return -1;
    } else if (cli_is_npy(path)) {
        double *v;
        size_t n;
        if (cli_npy_read(&v, &n, NULL, path, err, errlen) != 0)
            return -1;
        return feature_from_npy(f, path, column, v, n, err, errlen);
    } else if (cli_csv_read(&t, path, delim, err, errlen) != 0) {
        return -1;
    }
    const char *shown = cli_display_path(path);
    long idx;
    if (!column) {
        if (t.ncols != 1) {
            snprintf(err, errlen, "%s has %zu columns: choose one with --column", shown, t.ncols);
            cli_csv_free(&t);
            return -1;
        }
        idx = 0;
    } else if ((idx = cli_csv_find(&t, column)) < 0) {
        int o = snprintf(err, errlen, "no column '%s' in %s (columns:", column, shown);
        for (size_t i = 0; i < t.ncols && o > 0 && (size_t)o < errlen; i++)
            o += snprintf(err + o, errlen - (size_t)o, "%s %s", i ? "," : "", t.cols[i].name);
        if (o > 0 && (size_t)o < errlen)
            snprintf(err + o, errlen - (size_t)o, ")");
        cli_csv_free(&t);
        return -1;
    }
    int rc = cli_feature_from_column(f, &t.cols[idx], t.nrows);
    cli_csv_free(&t);
    if (rc == -2)
        snprintf(err, errlen, "%s: column '%s': two labels share a 63-bit label code; "
                              "they cannot be told apart in a profile", shown, column ? column : "");
    else if (rc != 0)
        snprintf(err, errlen, "%s: out of memory", shown);
    return rc != 0 ? -1 : 0;
}
