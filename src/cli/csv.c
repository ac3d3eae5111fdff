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
#include "input.h"

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
    __attribute__((format(printf, 5, 6)));
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

/* Whether p[0..len) equals the lower-case ASCII word w, ignoring case. */
static int word_ci(const char *p, size_t len, const char *w)
{
    size_t n = strlen(w);
    if (len != n)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (c != w[i])
            return 0;
    }
    return 1;
}

int cli_csv_nonfinite(const char *p, size_t len, double *out)
{
    /* missing values as R, pandas and SQL exports write them */
    static const char *const missing[] = { "NA", "N/A", "n/a", "<NA>", "null", "NULL" };
    if (len == 0) {
        *out = NAN;
        return 1;
    }
    for (size_t k = 0; k < sizeof missing / sizeof missing[0]; k++)
        if (strlen(missing[k]) == len && memcmp(p, missing[k], len) == 0) {
            *out = NAN;
            return 1;
        }
    int neg = 0;
    if (p[0] == '-' || p[0] == '+') {
        neg = p[0] == '-';
        p++;
        len--;
    }
    if (word_ci(p, len, "nan")) {
        *out = NAN;
        return 1;
    }
    if (word_ci(p, len, "inf") || word_ci(p, len, "infinity")) {
        *out = neg ? -INFINITY : INFINITY;
        return 1;
    }
    return 0;
}

/* Parse a whole field as a number; returns 0 on success. Spaces and tabs
 * around the number are ignored (as R and pandas do); a field of only
 * whitespace is missing. -1: not a number; -2: out of memory (a long number
 * could not be copied). */
static int parse_number(const char *p, size_t len, double *out)
{
    while (len && (p[0] == ' ' || p[0] == '\t'))
        p++, len--;
    while (len && (p[len - 1] == ' ' || p[len - 1] == '\t'))
        len--;
    if (cli_csv_nonfinite(p, len, out))
        return 0;
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
    if (!((p[0] >= '0' && p[0] <= '9') || p[0] == '-' || p[0] == '+' || p[0] == '.'))
        return -1;
    for (size_t k = 0; k < len; k++) {
        char c = p[k];
        if (!((c >= '0' && c <= '9') || c == '.' || c == 'e' || c == 'E' || c == '-' || c == '+'))
            return -1; /* no hex floats, no other words, no inner spaces */
    }
    /* a number of any length (a high-precision export has hundreds of
     * digits): a heap copy when it does not fit the stack buffer */
    char small[128], *buf = small;
    if (len >= sizeof small && !(buf = malloc(len + 1)))
        return -2;
    memcpy(buf, p, len);
    buf[len] = '\0';
    char *end = NULL;
    errno = 0;
    double parsed = strtod(buf, &end);
    int whole = end == buf + len;
    if (buf != small)
        free(buf);
    if (!whole)
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
                            size_t ncols, size_t row, char delim)
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
            if (i >= size || data[i] != delim)
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
 * or a negative record_error() code. Advances *pos past the line end. A NUL
 * byte anywhere in a record is an error (-4): it would cut a label short. */
static long split_record(const char *data, size_t size, size_t *pos, field *fields,
                         size_t max_fields, size_t *lines_used, char delim)
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
                else if (data[i] == '\0')
                    return -4;
                i++;
            }
            f.p = data + start;
            f.len = i - start;
            i++; /* closing quote */
            if (i < size && data[i] != delim && data[i] != '\n' && data[i] != '\r')
                return -2; /* text after a closing quote */
        } else {
            while (i < size && data[i] != delim && data[i] != '\n' && data[i] != '\r') {
                if (data[i] == '\0')
                    return -4;
                i++;
            }
            f.len = (size_t)(data + i - f.p);
        }
        if ((size_t)n < max_fields)
            fields[n] = f;
        n++;
        if (i < size && data[i] == delim) {
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
           : code == -4 ? "NUL byte in a field (labels and numbers are text)"
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

/* A short, printable rendering of a field for messages. */
static void show_field(char *out, size_t outlen, const field *f)
{
    size_t o = 0;
    for (size_t k = 0; k < f->len && o + 5 < outlen; k++) {
        unsigned char c = (unsigned char)f->p[k];
        if (k >= 40) {
            o += (size_t)snprintf(out + o, outlen - o, "...");
            break;
        }
        if (c < 0x20 || c == 0x7f || c == '\\' || c == '"')
            o += (size_t)snprintf(out + o, outlen - o, "\\x%02x", c);
        else
            out[o++] = (char)c;
    }
    out[o < outlen ? o : outlen - 1] = '\0';
}

int cli_csv_parse(cli_table *t, const char *data, size_t size, const char *path, char delim,
                  char *err, size_t errlen)
{
    memset(t, 0, sizeof *t);
    if (!delim)
        delim = ',';
    /* a UTF-8 byte-order mark (Excel, PowerShell, Notepad write one) is not
     * part of the first column's name */
    size_t bom = size >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
    /* UTF-16 and UTF-32 (what Excel's "Unicode text" and PowerShell 5 write)
     * say so by their byte-order mark: name the encoding, not a NUL byte */
    static const struct {
        const char *mark;
        size_t len;
        const char *name;
    } other[] = { { "\xFF\xFE\0\0", 4, "UTF-32LE" },
                  { "\0\0\xFE\xFF", 4, "UTF-32BE" },
                  { "\xFF\xFE", 2, "UTF-16LE" },
                  { "\xFE\xFF", 2, "UTF-16BE" } };
    for (size_t k = 0; !bom && k < sizeof other / sizeof other[0]; k++)
        if (size >= other[k].len && memcmp(data, other[k].mark, other[k].len) == 0) {
            snprintf(err, errlen,
                     "%s:1: the file is %s text (its byte-order mark says so); CSV input "
                     "must be UTF-8: convert it first (iconv -f %s -t UTF-8)",
                     path, other[k].name, other[k].name);
            return -1;
        }
    if (size == bom) {
        snprintf(err, errlen, "%s:1: empty file, expected a header line", path);
        return -1;
    }
    int rc = -1;
    size_t pos = bom, line = 1, used = 0;
    field *fields = NULL;
    level_map *maps = NULL;
    /* header */
    field header[4096];
    long nh = split_record(data, size, &pos, header, 4096, &used, delim);
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
        if (all_numeric && fast_numeric_row(data, size, &pos, t->cols, t->ncols, row, delim)) {
            row++;
            line++;
            continue;
        }
        size_t start_line = line;
        long n = split_record(data, size, &pos, fields, t->ncols, &used, delim);
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
                int pn = fields[c].quoted ? -1
                                          : parse_number(fields[c].p, fields[c].len,
                                                         &col->values[row]);
                if (pn == 0) {
                    col->has_number |= !isnan(col->values[row]);
                    continue;
                }
                if (pn == -2)
                    goto oom; /* a long number could not be copied: never a label */
                /* First non-numeric field: the column holds categories. Re-code
                 * the rows seen so far from the numbers' text is impossible, so
                 * re-scan them from the file. */
                col->numeric = 0;
                all_numeric = 0;
                for (size_t r = 0; r < row && !col->has_number; r++)
                    col->has_number = !isnan(col->values[r]); /* rows of the fast path */
                col->text_line = start_line;
                show_field(col->text_value, sizeof col->text_value, &fields[c]);
                col->codes = malloc(cap * sizeof(int32_t));
                if (!col->codes)
                    goto oom;
                size_t p2 = bom, u2;
                field tmp[4096];
                split_record(data, size, &p2, tmp, 4096, &u2, delim); /* header */
                for (size_t r = 0; r < row;) {
                    long m = split_record(data, size, &p2, tmp, 4096, &u2, delim);
                    if (m == 1 && tmp[0].len == 0 && t->ncols > 1)
                        continue;
                    if (level_code(col, &maps[c], &tmp[c], &col->codes[r]) != 0)
                        goto oom;
                    r++;
                }
                free(col->values);
                col->values = NULL;
            }
            if (!col->has_number && !fields[c].quoted) {
                double x;
                col->has_number = parse_number(fields[c].p, fields[c].len, &x) == 0 && !isnan(x);
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
    if (rc != 0)
        cli_csv_free(t);
    return rc;
}

int cli_csv_read(cli_table *t, const char *path, char delim, char *err, size_t errlen)
{
    memset(t, 0, sizeof *t);
    struct stat st;
    int fd = -1;
    if (strcmp(path, "-") != 0) {
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
            return -1;
        }
        if (fstat(fd, &st) != 0) {
            snprintf(err, errlen, "%s: cannot stat: %s", path, strerror(errno));
            close(fd);
            return -1;
        }
        if (!(S_ISREG(st.st_mode) || S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode))) {
            snprintf(err, errlen, "%s: not a regular file or a pipe", path);
            close(fd);
            return -1;
        }
    }
    if (fd < 0 || !S_ISREG(st.st_mode) || st.st_size == 0) {
        /* standard input, a pipe or a device: read it whole */
        if (fd >= 0)
            close(fd);
        uint8_t *buf;
        size_t n;
        if (cli_read_file(&buf, &n, path, err, errlen) != 0)
            return -1;
        int rc = cli_csv_parse(t, (const char *)buf, n, cli_display_path(path), delim, err,
                               errlen);
        free(buf);
        return rc;
    }
    size_t size = (size_t)st.st_size;
    void *map = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (map == MAP_FAILED) {
        snprintf(err, errlen, "%s: cannot map: %s", path, strerror(errno));
        return -1;
    }
    (void)madvise(map, size, MADV_SEQUENTIAL);
    int rc = cli_csv_parse(t, map, size, path, delim, err, errlen);
    munmap(map, size);
    return rc;
}

int cli_parse_delimiter(const char *s, char *out)
{
    char c;
    if (strcmp(s, "\\t") == 0 || strcmp(s, "tab") == 0)
        c = '\t';
    else if (s[0] && !s[1])
        c = s[0];
    else
        return -1;
    unsigned char u = (unsigned char)c;
    /* bytes that can be part of a number, a quote, a line end or UTF-8
     * would make fields ambiguous */
    if (u >= 0x80 || u == 0 || c == '"' || c == '\r' || c == '\n' || c == '.' || c == '+' ||
        c == '-' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
        return -1;
    *out = c;
    return 0;
}
