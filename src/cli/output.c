/*
 * Output helpers of the `mlops` command: errors, colour, JSON strings, options.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#define _GNU_SOURCE /* fopencookie, open_memstream */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>

#include "cli.h"

/* ---- errors, exit codes, and the one JSON document of a --json run ---- */

/* --json seen: stdout is collected (cli_json_begin) so that a failing run
 * prints exactly one document (cli_finish). */
static int json_mode;
#if defined(__GLIBC__)
static FILE *real_stdout, *real_stderr;
static char *captured;
static size_t captured_len;
#endif

/* The error of the run, for the JSON error document. */
static struct {
    int set;
    char code[40];
    char message[2048];
    char path[1024];
    int64_t offset;
    uint32_t line, column;
} failure;

/* The last "mlops CMD: message" line written to stderr (see tee_write). */
#if defined(__GLIBC__)
static char last_line[2048];
static size_t last_len;
#endif
static char last_error[2048];

static void record(const char *code, const char *message, const char *path, int64_t offset,
                   uint32_t line, uint32_t column)
{
    if (failure.set)
        return; /* the first error is the cause */
    failure.set = 1;
    snprintf(failure.code, sizeof failure.code, "%s", code);
    snprintf(failure.message, sizeof failure.message, "%s", message ? message : "");
    snprintf(failure.path, sizeof failure.path, "%s", path ? path : "");
    failure.offset = offset;
    failure.line = line;
    failure.column = column;
}

int cli_exit_code(int code, int what)
{
    if (code == 0)
        return CLI_OK;
    if (what != CLI_CONTENT)
        return CLI_USAGE; /* an input that cannot be read or used: never a verdict */
    switch (code) {
    /* content under verification (a package, a layout, a store's blobs) that
     * is refused: tampered, unsigned or wrongly signed, unsafe, truncated,
     * malformed, oversized, of an unknown version or feature */
    case MLOPS_E_INTEGRITY:
    case MLOPS_E_SIGNATURE:
    case MLOPS_E_UNSAFE:
    case MLOPS_E_PARSE:
    case MLOPS_E_SCHEMA:
    case MLOPS_E_LIMIT:
    case MLOPS_E_VERSION:
    case MLOPS_E_UNSUPPORTED:
        return CLI_NEGATIVE;
    /* a file that cannot be opened or read, usage, exists, locked, out of
     * memory, an internal failure: not a verdict on the content */
    default:
        return CLI_USAGE;
    }
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    char msg[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    record("usage", msg, NULL, -1, 0, 0);
    if (cmd)
        fprintf(stderr, "mlops %s: %s\n(see 'mlops %s --help')\n", cmd, msg, cmd);
    else
        fprintf(stderr, "mlops: %s\n", msg);
    return CLI_USAGE;
}

/* An error the command made itself: "FILE:LINE: why" or "FILE: why" names
 * the file (and line) when FILE exists. */
static void record_input(const char *msg)
{
    char path[1024];
    uint32_t line = 0;
    path[0] = '\0';
    const char *c = strstr(msg, ": ");
    if (c && (size_t)(c - msg) < sizeof path) {
        const char *p = c;
        while (p > msg && isdigit((unsigned char)p[-1]))
            p--;
        size_t n = (size_t)(c - msg);
        if (p < c && p > msg && p[-1] == ':') {
            line = (uint32_t)strtoul(p, NULL, 10);
            n = (size_t)(p - 1 - msg);
        }
        memcpy(path, msg, n);
        path[n] = '\0';
        if (access(path, F_OK) != 0) {
            path[0] = '\0';
            line = 0;
        }
    }
    record("input", msg, path, -1, line, 0);
}

int cli_input_error(const char *cmd, const char *fmt, ...)
{
    char msg[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    record_input(msg);
    fprintf(stderr, "mlops %s: %s\n", cmd, msg);
    return CLI_USAGE;
}

int cli_error_as(const char *cmd, int code, int what, const char *message)
{
    if (!message || !message[0])
        message = mlops_strerror(code);
    int64_t off = mlops_error_last_offset();
    record(mlops_error_name(code), message, mlops_error_last_path(), off,
           mlops_error_last_line(), mlops_error_last_column());
    fprintf(stderr, "mlops %s: %s\n", cmd, message);
    return cli_exit_code(code, what);
}

/* Replace the first `from` in `in` by `to`. */
static void renamed(char *out, size_t len, const char *in, const char *from, const char *to)
{
    const char *at = from && *from ? strstr(in, from) : NULL;
    if (at)
        snprintf(out, len, "%.*s%s%s", (int)(at - in), in, to, at + strlen(from));
    else
        snprintf(out, len, "%s", in);
}

int cli_content_error_renamed(const char *cmd, int code, const char *from, const char *to)
{
    char message[2048], path[1024];
    renamed(message, sizeof message, mlops_error_last(), from, to);
    renamed(path, sizeof path, mlops_error_last_path(), from, to);
    record(mlops_error_name(code), message, path, mlops_error_last_offset(),
           mlops_error_last_line(), mlops_error_last_column());
    fprintf(stderr, "mlops %s: %s\n", cmd, message);
    return cli_exit_code(code, CLI_CONTENT);
}

int cli_library_error(const char *cmd, int code)
{
    return cli_error_as(cmd, code, CLI_INPUT, mlops_error_last());
}

int cli_content_error(const char *cmd, int code)
{
    return cli_error_as(cmd, code, CLI_CONTENT, mlops_error_last());
}

/* stderr in --json mode: written through at once, and the last line that
 * reads as an error of the command kept for the error document. */
#if defined(__GLIBC__)
static ssize_t tee_write(void *cookie, const char *buf, size_t size)
{
    (void)cookie;
    fwrite(buf, 1, size, real_stderr);
    for (size_t i = 0; i < size; i++) {
        char c = buf[i];
        if (c == '\n' || c == '\r') {
            last_line[last_len] = '\0';
            const char *p = last_line, *colon;
            if (strncmp(p, "mlops ", 6) == 0 && (colon = strstr(p + 6, ": ")) &&
                !memchr(p + 6, ' ', (size_t)(colon - p - 6)) && strncmp(colon + 2, "note:", 5) &&
                strncmp(colon + 2, "warning:", 8))
                snprintf(last_error, sizeof last_error, "%s", colon + 2);
            last_len = 0;
        } else if (last_len + 1 < sizeof last_line) {
            last_line[last_len++] = c;
        }
    }
    return (ssize_t)size;
}
#endif

static void json_begin(void)
{
    if (json_mode)
        return;
    json_mode = 1;
#if defined(__GLIBC__)
    /* glibc lets a program replace its standard streams */
    fflush(stdout);
    FILE *cap = open_memstream(&captured, &captured_len);
    if (cap) {
        real_stdout = stdout;
        stdout = cap;
    }
    cookie_io_functions_t io = { NULL, tee_write, NULL, NULL };
    FILE *tee = real_stderr ? NULL : fopencookie(NULL, "w", io);
    if (tee) {
        setvbuf(tee, NULL, _IONBF, 0);
        real_stderr = stderr;
        stderr = tee;
    }
#endif
}

void cli_json_begin(void) { json_begin(); }

int cli_format_text_json_github(cli_global *g, int *github, const char *cmd, const char *format)
{
    *github = format && strcmp(format, "github") == 0;
    if (format && strcmp(format, "json") == 0) {
        g->json = 1;
        g->color = 0;
        cli_json_begin();
    } else if (format && !*github && strcmp(format, "text") != 0) {
        return cli_usage_error(cmd, "--format: expected text, json or github, got '%s'", format);
    }
    if (*github && g->json)
        return cli_usage_error(cmd, "choose one of --json and --format github");
    return -1;
}

void cli_stderr_watch(void)
{
#if defined(__GLIBC__)
    if (real_stderr)
        return;
    cookie_io_functions_t io = { NULL, tee_write, NULL, NULL };
    FILE *tee = fopencookie(NULL, "w", io);
    if (tee) {
        setvbuf(tee, NULL, _IONBF, 0);
        real_stderr = stderr;
        stderr = tee;
    }
#endif
}

const char *cli_failure(const char **code, const char **path, unsigned *line)
{
    if (failure.set) {
        *code = failure.code;
        *path = failure.path[0] ? failure.path : NULL;
        *line = failure.line;
        return failure.message;
    }
    *code = NULL;
    *path = NULL;
    *line = 0;
    return last_error[0] ? last_error : NULL;
}

/* ---- a strict JSON syntax check (RFC 8259, UTF-8) of the collected output ---- */

typedef struct jscan {
    const unsigned char *p, *e;
    int depth;
} jscan;

static void jws(jscan *s)
{
    while (s->p < s->e && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
        s->p++;
}

/* Length of the UTF-8 sequence at p (1..4), or 0 when it is not valid. */
static size_t utf8_len(const unsigned char *p, const unsigned char *e)
{
    unsigned c = p[0];
    if (c < 0x80)
        return 1;
    size_t n = c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
    if (!n || (size_t)(e - p) < n)
        return 0;
    for (size_t i = 1; i < n; i++)
        if ((p[i] & 0xc0) != 0x80)
            return 0;
    if (c == 0xe0 && p[1] < 0xa0)
        return 0; /* overlong */
    if (c == 0xed && p[1] >= 0xa0)
        return 0; /* surrogate */
    if (c == 0xf0 && p[1] < 0x90)
        return 0; /* overlong */
    if (c == 0xf4 && p[1] >= 0x90)
        return 0; /* above U+10FFFF */
    return n;
}

size_t cli_utf8_len(const unsigned char *p, const unsigned char *e)
{
    return p < e ? utf8_len(p, e) : 0;
}

static int jvalue(jscan *s);

static int jstring(jscan *s)
{
    s->p++;
    while (s->p < s->e) {
        unsigned c = *s->p;
        if (c == '"') {
            s->p++;
            return 1;
        }
        if (c < 0x20)
            return 0;
        if (c == '\\') {
            if (++s->p >= s->e)
                return 0;
            c = *s->p;
            if (c == 'u') {
                for (int i = 1; i <= 4; i++)
                    if (s->p + i >= s->e || !isxdigit(s->p[i]))
                        return 0;
                s->p += 5;
            } else if (strchr("\"\\/bfnrt", (int)c) && c) {
                s->p++;
            } else {
                return 0;
            }
            continue;
        }
        size_t n = utf8_len(s->p, s->e);
        if (!n)
            return 0;
        s->p += n;
    }
    return 0;
}

static int jnumber(jscan *s)
{
    const unsigned char *p = s->p;
    if (p < s->e && *p == '-')
        p++;
    if (p >= s->e || !isdigit(*p))
        return 0;
    if (*p == '0')
        p++;
    else
        while (p < s->e && isdigit(*p))
            p++;
    if (p < s->e && *p == '.') {
        if (++p >= s->e || !isdigit(*p))
            return 0;
        while (p < s->e && isdigit(*p))
            p++;
    }
    if (p < s->e && (*p == 'e' || *p == 'E')) {
        p++;
        if (p < s->e && (*p == '+' || *p == '-'))
            p++;
        if (p >= s->e || !isdigit(*p))
            return 0;
        while (p < s->e && isdigit(*p))
            p++;
    }
    s->p = p;
    return 1;
}

static int jliteral(jscan *s, const char *w)
{
    size_t n = strlen(w);
    if ((size_t)(s->e - s->p) < n || memcmp(s->p, w, n) != 0)
        return 0;
    s->p += n;
    return 1;
}

static int jvalue(jscan *s)
{
    jws(s);
    if (s->p >= s->e || ++s->depth > 512)
        return 0;
    int ok;
    unsigned c = *s->p;
    if (c == '{' || c == '[') {
        unsigned close = c == '{' ? '}' : ']';
        s->p++;
        jws(s);
        if (s->p < s->e && *s->p == close) {
            s->p++;
            ok = 1;
        } else {
            for (ok = 0;;) {
                if (c == '{') {
                    jws(s);
                    if (s->p >= s->e || *s->p != '"' || !jstring(s))
                        break;
                    jws(s);
                    if (s->p >= s->e || *s->p++ != ':')
                        break;
                }
                if (!jvalue(s))
                    break;
                jws(s);
                if (s->p < s->e && *s->p == ',') {
                    s->p++;
                    continue;
                }
                if (s->p < s->e && *s->p == close) {
                    s->p++;
                    ok = 1;
                }
                break;
            }
        }
    } else if (c == '"') {
        ok = jstring(s);
    } else if (c == 't') {
        ok = jliteral(s, "true");
    } else if (c == 'f') {
        ok = jliteral(s, "false");
    } else if (c == 'n') {
        ok = jliteral(s, "null");
    } else {
        ok = jnumber(s);
    }
    s->depth--;
    return ok;
}

int cli_json_is_document(const char *text, size_t len)
{
    jscan s = { (const unsigned char *)text, (const unsigned char *)text + len, 0 };
    if (!jvalue(&s))
        return 0;
    jws(&s);
    return s.p == s.e;
}

static void error_document(FILE *f, int status)
{
    if (!failure.set && last_error[0] && status == CLI_USAGE)
        record_input(last_error);
    const char *code = failure.set ? failure.code : status == CLI_NEGATIVE ? "refused" : "input";
    const char *msg = failure.set ? failure.message
                      : last_error[0] ? last_error
                                      : status == CLI_NEGATIVE ? "negative verdict"
                                                               : "failed";
    fputs("{\"error\":{\"code\":", f);
    cli_json_string(f, code);
    fputs(",\"message\":", f);
    cli_json_string(f, msg);
    fprintf(f, ",\"exit_status\":%d", status);
    if (failure.set && failure.path[0]) {
        fputs(",\"path\":", f);
        cli_json_string(f, failure.path);
    }
    if (failure.set && failure.offset >= 0)
        fprintf(f, ",\"offset\":%lld", (long long)failure.offset);
    if (failure.set && failure.line > 0)
        fprintf(f, ",\"line\":%u", failure.line);
    if (failure.set && failure.column > 0)
        fprintf(f, ",\"column\":%u", failure.column);
    fputs("}}\n", f);
}

int cli_finish(int status)
{
    if (!json_mode)
        return status;
#if defined(__GLIBC__)
    if (real_stderr) {
        fflush(stderr);
        fclose(stderr);
        stderr = real_stderr;
        real_stderr = NULL;
    }
    if (real_stdout) {
        fclose(stdout); /* settles captured and captured_len */
        stdout = real_stdout;
        real_stdout = NULL;
        /* the command's own document stands when it is one (it tells the
         * verdict, a failed verification included), or when the run ended
         * on a verdict without any error; otherwise, on failure, what it
         * began is dropped for the error document */
        int erred = failure.set || last_error[0];
        if (status == CLI_OK || (captured_len && !erred) ||
            cli_json_is_document(captured, captured_len))
            fwrite(captured, 1, captured_len, stdout);
        else
            error_document(stdout, status);
        free(captured);
        captured = NULL;
    }
#else
    /* no way to hold stdout back: the error document follows whatever was
     * printed, when the run failed before printing anything of its own */
    if (status != CLI_OK && failure.set)
        error_document(stdout, status);
#endif
    if (fflush(stdout) != 0 && status == CLI_OK)
        status = CLI_USAGE;
    return status;
}

void cli_json_string(FILE *f, const char *s)
{
    fputc('"', f);
    const unsigned char *p = (const unsigned char *)s, *e = p + strlen(s);
    while (p < e) {
        switch (*p) {
        case '"': fputs("\\\"", f); break;
        case '\\': fputs("\\\\", f); break;
        case '\n': fputs("\\n", f); break;
        case '\r': fputs("\\r", f); break;
        case '\t': fputs("\\t", f); break;
        case '\b': fputs("\\b", f); break;
        case '\f': fputs("\\f", f); break;
        default:
            if (*p < 0x20) {
                fprintf(f, "\\u%04x", *p);
            } else {
                /* valid UTF-8 as it is; each byte that is not part of a
                 * valid sequence becomes U+FFFD, so the output is always
                 * valid JSON (docs/cli.md) */
                size_t n = utf8_len(p, e);
                if (n) {
                    fwrite(p, 1, n, f);
                    p += n;
                } else {
                    fputs("\\ufffd", f);
                    p++;
                }
                continue;
            }
        }
        p++;
    }
    fputc('"', f);
}

const char *cli_green(const cli_global *g) { return g->color ? "\033[32m" : ""; }
const char *cli_red(const cli_global *g) { return g->color ? "\033[31m" : ""; }
const char *cli_bold(const cli_global *g) { return g->color ? "\033[1m" : ""; }
const char *cli_reset(const cli_global *g) { return g->color ? "\033[0m" : ""; }

/* Turn --json on before anything can fail, wherever it stands (but not
 * when it is the value of an option: --description --json). */
static void json_prescan(int argc, char **argv, cli_global *g, const cli_opt *opts)
{
    for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
        if (strcmp(argv[i], "--json") == 0) {
            g->json = 1;
            g->color = 0;
            json_begin();
            continue;
        }
        for (const cli_opt *k = opts; k && k->name; k++)
            if (k->value && strcmp(argv[i], k->name) == 0) {
                i++;
                break;
            }
    }
}

int cli_parse_common(const char *cmd, int *argc, char **argv, cli_global *g)
{
    int out = 1, help = 0, only_positional = 0;
    json_prescan(*argc, argv, g, NULL);
    for (int i = 1; i < *argc; i++) {
        const char *a = argv[i];
        if (!only_positional && strcmp(a, "--") == 0) {
            only_positional = 1;
        } else if (!only_positional && strcmp(a, "--json") == 0) {
            g->json = 1;
            g->color = 0;
        } else if (!only_positional && (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0)) {
            help = 1;
        } else if (!only_positional && a[0] == '-' && a[1] != '\0') {
            return cli_usage_error(cmd, "unknown option '%s'", a);
        } else {
            argv[out++] = argv[i];
        }
    }
    *argc = out;
    return help;
}

int cli_parse(const char *cmd, int *argc, char **argv, cli_global *g, const cli_opt *opts)
{
    int out = 1, help = 0, only_positional = 0;
    json_prescan(*argc, argv, g, opts);
    for (int i = 1; i < *argc; i++) {
        const char *a = argv[i];
        if (only_positional || a[0] != '-' || a[1] == '\0') {
            argv[out++] = argv[i];
            continue;
        }
        if (strcmp(a, "--") == 0) {
            only_positional = 1;
            continue;
        }
        if (strcmp(a, "--json") == 0) {
            g->json = 1;
            g->color = 0;
            continue;
        }
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            help = 1;
            continue;
        }
        const cli_opt *o = NULL;
        const char *inline_value = NULL;
        for (const cli_opt *k = opts; k && k->name; k++) {
            size_t n = strlen(k->name);
            if (strncmp(a, k->name, n) == 0 && (a[n] == '\0' || (a[n] == '=' && k->value))) {
                o = k;
                inline_value = a[n] == '=' ? a + n + 1 : NULL;
                break;
            }
        }
        if (!o)
            return cli_usage_error(cmd, "unknown option '%s'", a);
        if (o->flag)
            *o->flag = 1;
        if (o->value) {
            if (inline_value) {
                *o->value = inline_value;
            } else {
                if (i + 1 >= *argc)
                    return cli_usage_error(cmd, "option '%s' needs a value", a);
                *o->value = argv[++i];
            }
        }
    }
    *argc = out;
    return help;
}

int cli_help_or_go(int h, const char *usage)
{
    if (h == CLI_USAGE)
        return CLI_USAGE;
    if (h) {
        fputs(usage, stdout);
        return CLI_OK;
    }
    return -1;
}

/* As the library's JSON writers: NaN (no value) is null, infinities are the
 * strings "Infinity" / "-Infinity" (docs/cli.md, "JSON output"). */
void cli_json_double(FILE *f, double v)
{
    if (isnan(v))
        fputs("null", f);
    else if (isinf(v))
        fputs(v > 0 ? "\"Infinity\"" : "\"-Infinity\"", f);
    else
        fprintf(f, "%.17g", v);
}
