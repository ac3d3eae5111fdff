/*
 * A fast, strict CSV reader for the `mlops` command.
 *
 * Parsing must not be the bottleneck of `mlops drift` on half a million rows,
 * so the file is mapped, scanned once, and numbers of up to 19 significant
 * digits with a small decimal exponent are converted exactly with Clinger's
 * fast path (an integer mantissa divided or multiplied by an exact power of
 * ten is correctly rounded when both are exact doubles); anything else goes
 * through strtod. Both give the correctly rounded double, so the result never
 * depends on which path was taken.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "csv.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct field {
    const char *p;
    size_t len;
    int quoted; /* contains "" escapes to undo */
} field;

static int fail(char *err, size_t errlen, const char *path, size_t line, const char *fmt, ...)
{
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(err, errlen, "%s:%zu: %s", path, line, msg);
    return -1;
}

static const double exact_pow10[] = { 1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                      1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                      1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22 };

/* Parse a whole field as a number; returns 0 on success. */
static int parse_number(const char *p, size_t len, double *out)
{
    if (len == 0 || (len == 2 && memcmp(p, "NA", 2) == 0) ||
        (len == 3 && (memcmp(p, "NaN", 3) == 0 || memcmp(p, "nan", 3) == 0))) {
        *out = NAN;
        return 0;
    }
    if (len == 3 && memcmp(p, "inf", 3) == 0) {
        *out = INFINITY;
        return 0;
    }
    if (len == 4 && memcmp(p, "-inf", 4) == 0) {
        *out = -INFINITY;
        return 0;
    }
    size_t i = 0;
    int neg = 0;
    if (p[i] == '-' || p[i] == '+')
        neg = p[i++] == '-';
    uint64_t mant = 0;
    int digits = 0, frac = 0, seen_digit = 0, dot = 0;
    for (; i < len; i++) {
        char c = p[i];
        if (c >= '0' && c <= '9') {
            seen_digit = 1;
            if (digits == 0 && c == '0') {
                if (dot)
                    frac++;
                continue; /* leading zeros do not count as significant */
            }
            if (digits >= 19)
                goto slow;
            mant = mant * 10 + (uint64_t)(c - '0');
            digits++;
            if (dot)
                frac++;
        } else if (c == '.' && !dot) {
            dot = 1;
        } else {
            goto slow;
        }
    }
    if (!seen_digit)
        return -1;
    if (mant > (1ULL << 53) || frac > 22)
        goto slow;
    double v = (double)mant / exact_pow10[frac];
    *out = neg ? -v : v;
    return 0;
slow:;
    /* Exponents, long mantissas, hex-like junk: strtod decides, on a NUL-
     * terminated copy, and must consume the whole field. */
    char buf[128];
    if (len >= sizeof buf)
        return -1;
    memcpy(buf, p, len);
    buf[len] = '\0';
    if (!((buf[0] >= '0' && buf[0] <= '9') || buf[0] == '-' || buf[0] == '+' || buf[0] == '.'))
        return -1;
    for (size_t k = 0; k < len; k++) {
        char c = buf[k];
        if (!((c >= '0' && c <= '9') || c == '.' || c == 'e' || c == 'E' || c == '-' || c == '+'))
            return -1; /* no hex floats, no "infinity" spellings, no spaces */
    }
    char *end = NULL;
    errno = 0;
    double parsed = strtod(buf, &end);
    if (end != buf + len)
        return -1;
    *out = parsed;
    return 0;
}

/*
 * Fast path for a row of plain decimal numbers (the common case of a numeric
 * table): parse each field straight from the map in one pass, with the same
 * exact conversion as parse_number()'s fast path. Returns 1 and advances *pos
 * past the line end when every field was such a number; returns 0 and leaves
 * *pos alone otherwise (quotes, exponents, empty or NA fields, long
 * mantissas, labels...), and the general path takes the row.
 */
static int fast_numeric_row(const char *data, size_t size, size_t *pos, cli_column *cols,
                            size_t ncols, size_t row)
{
    size_t i = *pos;
    for (size_t c = 0; c < ncols; c++) {
        if (i >= size)
            return 0;
        int neg = 0;
        if (data[i] == '-' || data[i] == '+')
            neg = data[i++] == '-';
        uint64_t mant = 0;
        int digits = 0, frac = 0, seen = 0, dot = 0;
        for (; i < size; i++) {
            unsigned d = (unsigned)(unsigned char)data[i] - '0';
            if (d <= 9) {
                seen = 1;
                if (digits == 0 && d == 0) {
                    frac += dot;
                    continue;
                }
                if (digits >= 19)
                    return 0;
                mant = mant * 10 + d;
                digits++;
                frac += dot;
            } else if (data[i] == '.' && !dot) {
                dot = 1;
            } else {
                break;
            }
        }
        if (!seen || mant > (1ULL << 53) || frac > 22)
            return 0;
        double v = (double)mant / exact_pow10[frac];
        cols[c].values[row] = neg ? -v : v;
        if (c + 1 < ncols) {
            if (i >= size || data[i] != ',')
                return 0;
            i++;
        } else if (i < size) {
            if (data[i] == '\r') {
                if (i + 1 >= size || data[i + 1] != '\n')
                    return 0;
                i += 2;
            } else if (data[i] == '\n') {
                i++;
            } else {
                return 0;
            }
        }
    }
    *pos = i;
    return 1;
}

/* Split one record starting at *pos into fields; returns the number of fields
 * or -1 for an unterminated quote. Advances *pos past the line end. */
static long split_record(const char *data, size_t size, size_t *pos, field *fields,
                         size_t max_fields, size_t *lines_used)
{
    size_t i = *pos;
    long n = 0;
    *lines_used = 1;
    for (;;) {
        field f = { data + i, 0, 0 };
        if (i < size && data[i] == '"') {
            size_t start = ++i;
            for (;;) {
                if (i >= size)
                    return -1;
                if (data[i] == '"') {
                    if (i + 1 < size && data[i + 1] == '"') {
                        f.quoted = 1;
                        i += 2;
                        continue;
                    }
                    break;
                }
                if (data[i] == '\n')
                    (*lines_used)++;
                i++;
            }
            f.p = data + start;
            f.len = i - start;
            i++; /* closing quote */
            if (i < size && data[i] != ',' && data[i] != '\n' && data[i] != '\r')
                return -2; /* text after a closing quote */
        } else {
            while (i < size && data[i] != ',' && data[i] != '\n' && data[i] != '\r')
                i++;
            f.len = (size_t)(data + i - f.p);
        }
        if ((size_t)n < max_fields)
            fields[n] = f;
        n++;
        if (i < size && data[i] == ',') {
            i++;
            continue;
        }
        if (i < size && data[i] == '\r') {
            i++;
            if (i < size && data[i] != '\n')
                return -3; /* a bare CR: not a line end RFC 4180 knows */
        }
        if (i < size && data[i] == '\n')
            i++;
        break;
    }
    *pos = i;
    return n;
}

static const char *record_error(long code)
{
    return code == -1   ? "unterminated quoted field"
           : code == -2 ? "text after a closing quote"
                        : "carriage return not followed by a line feed";
}

/* Unescape a quoted field into a fresh string. */
static char *field_string(const field *f)
{
    char *s = malloc(f->len + 1);
    if (!s)
        return NULL;
    size_t o = 0;
    for (size_t k = 0; k < f->len; k++) {
        s[o++] = f->p[k];
        if (f->quoted && f->p[k] == '"')
            k++;
    }
    s[o] = '\0';
    return s;
}

/* Category labels: open addressing over FNV-1a hashes. */
typedef struct level_map {
    size_t cap;
    int32_t *slots; /* code + 1, 0 = empty */
} level_map;

static uint64_t fnv1a(const char *p, size_t n)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)p[i]) * 1099511628211ULL;
    return h;
}

static int level_code(cli_column *c, level_map *m, const field *f, int32_t *code)
{
    char *s = field_string(f);
    if (!s)
        return -1;
    size_t n = strlen(s);
    if (c->nlevels * 2 >= m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 64;
        int32_t *slots = calloc(cap, sizeof *slots);
        if (!slots) {
            free(s);
            return -1;
        }
        for (size_t k = 0; k < c->nlevels; k++) {
            size_t h = fnv1a(c->levels[k], strlen(c->levels[k])) & (cap - 1);
            while (slots[h])
                h = (h + 1) & (cap - 1);
            slots[h] = (int32_t)k + 1;
        }
        free(m->slots);
        m->slots = slots;
        m->cap = cap;
    }
    size_t h = fnv1a(s, n) & (m->cap - 1);
    while (m->slots[h]) {
        int32_t k = m->slots[h] - 1;
        if (strcmp(c->levels[k], s) == 0) {
            free(s);
            *code = k;
            return 0;
        }
        h = (h + 1) & (m->cap - 1);
    }
    char **levels = realloc(c->levels, (c->nlevels + 1) * sizeof *levels);
    if (!levels) {
        free(s);
        return -1;
    }
    c->levels = levels;
    c->levels[c->nlevels] = s;
    m->slots[h] = (int32_t)c->nlevels + 1;
    *code = (int32_t)c->nlevels++;
    return 0;
}

long cli_csv_find(const cli_table *t, const char *name)
{
    for (size_t i = 0; i < t->ncols; i++)
        if (strcmp(t->cols[i].name, name) == 0)
            return (long)i;
    return -1;
}

void cli_csv_free(cli_table *t)
{
    for (size_t i = 0; i < t->ncols; i++) {
        cli_column *c = &t->cols[i];
        free(c->name);
        free(c->values);
        free(c->codes);
        for (size_t k = 0; k < c->nlevels; k++)
            free(c->levels[k]);
        free(c->levels);
    }
    free(t->cols);
    memset(t, 0, sizeof *t);
}

/* Count records (an upper bound: newlines) to size the columns once. */
static size_t count_lines(const char *data, size_t size)
{
    size_t n = 0;
    const char *p = data, *end = data + size;
    while ((p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
        n++;
        p++;
    }
    return n + 1;
}

int cli_csv_read(cli_table *t, const char *path, char *err, size_t errlen)
{
    memset(t, 0, sizeof *t);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
    {
        snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        snprintf(err, errlen, "%s: not a regular file", path);
        return -1;
    }
    size_t size = (size_t)st.st_size;
    if (size == 0) {
        close(fd);
        snprintf(err, errlen, "%s:1: empty file, expected a header line", path);
        return -1;
    }
    void *map = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    const char *data = map;
    if (map == MAP_FAILED) {
        snprintf(err, errlen, "%s: cannot map: %s", path, strerror(errno));
        return -1;
    }
    (void)madvise(map, size, MADV_SEQUENTIAL);

    int rc = -1;
    size_t pos = 0, line = 1, used = 0;
    field *fields = NULL;
    level_map *maps = NULL;
    /* header */
    field header[4096];
    long nh = split_record(data, size, &pos, header, 4096, &used);
    if (nh < 0) {
        fail(err, errlen, path, line, "%s", record_error(nh));
        goto done;
    }
    if (nh > 4096) {
        fail(err, errlen, path, line, "more than 4096 columns");
        goto done;
    }
    t->ncols = (size_t)nh;
    t->cols = calloc(t->ncols, sizeof *t->cols);
    maps = calloc(t->ncols, sizeof *maps);
    fields = malloc(t->ncols * sizeof *fields);
    size_t cap = count_lines(data, size);
    if (!t->cols || !maps || !fields)
        goto oom;
    for (size_t c = 0; c < t->ncols; c++) {
        t->cols[c].name = field_string(&header[c]);
        t->cols[c].numeric = 1;
        t->cols[c].values = malloc(cap * sizeof(double));
        if (!t->cols[c].name || !t->cols[c].values)
            goto oom;
        if (t->cols[c].name[0] == '\0') {
            fail(err, errlen, path, line, "column %zu has an empty name", c + 1);
            goto done;
        }
        for (size_t k = 0; k < c; k++)
            if (strcmp(t->cols[k].name, t->cols[c].name) == 0) {
                fail(err, errlen, path, line, "duplicate column name \"%s\"", t->cols[c].name);
                goto done;
            }
    }
    line += used;
    size_t row = 0;
    int all_numeric = 1;
    while (pos < size) {
        if (all_numeric && fast_numeric_row(data, size, &pos, t->cols, t->ncols, row)) {
            row++;
            line++;
            continue;
        }
        size_t start_line = line;
        long n = split_record(data, size, &pos, fields, t->ncols, &used);
        line += used;
        if (n < 0) {
            fail(err, errlen, path, start_line, "%s", record_error(n));
            goto done;
        }
        if (n == 1 && fields[0].len == 0 && t->ncols > 1)
            continue; /* blank line */
        if ((size_t)n != t->ncols) {
            fail(err, errlen, path, start_line, "%ld fields, expected %zu (as in the header)", n,
                 t->ncols);
            goto done;
        }
        for (size_t c = 0; c < t->ncols; c++) {
            cli_column *col = &t->cols[c];
            if (col->numeric) {
                if (!fields[c].quoted && parse_number(fields[c].p, fields[c].len,
                                                      &col->values[row]) == 0)
                    continue;
                /* First non-numeric field: the column holds categories. Re-code
                 * the rows seen so far from the numbers' text is impossible, so
                 * re-scan them from the file. */
                col->numeric = 0;
                all_numeric = 0;
                col->codes = malloc(cap * sizeof(int32_t));
                if (!col->codes)
                    goto oom;
                size_t p2 = 0, u2;
                field tmp[4096];
                split_record(data, size, &p2, tmp, 4096, &u2); /* header */
                for (size_t r = 0; r < row;) {
                    long m = split_record(data, size, &p2, tmp, 4096, &u2);
                    if (m == 1 && tmp[0].len == 0 && t->ncols > 1)
                        continue;
                    if (level_code(col, &maps[c], &tmp[c], &col->codes[r]) != 0)
                        goto oom;
                    r++;
                }
                free(col->values);
                col->values = NULL;
            }
            if (level_code(col, &maps[c], &fields[c], &col->codes[row]) != 0)
                goto oom;
        }
        row++;
    }
    if (row == 0) {
        fail(err, errlen, path, line, "no data rows after the header");
        goto done;
    }
    t->nrows = row;
    rc = 0;
    goto done;
oom:
    snprintf(err, errlen, "%s: out of memory", path);
done:
    if (maps)
        for (size_t c = 0; c < t->ncols; c++)
            free(maps[c].slots);
    free(maps);
    free(fields);
    munmap(map, size);
    if (rc != 0)
        cli_csv_free(t);
    return rc;
}
