/*
 * `--format github` (drift, gate, verify): GitHub Actions workflow commands
 * on stdout (::error / ::warning / ::notice annotations), a Markdown step
 * summary appended to $GITHUB_STEP_SUMMARY (on stdout, after the
 * annotations, when that is unset) and key=value outputs appended to
 * $GITHUB_OUTPUT (docs/ci.md).
 *
 * The commands report their verdict through cli_gh_*; main() calls
 * cli_github_finish() with the exit status, which writes the summary and the
 * outputs. A run that ends before a verdict (usage, an unreadable input)
 * still writes an ::error annotation, an error summary and verdict=error, so
 * that what a workflow reads never disagrees with the exit status.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

typedef struct sbuf {
    char *p;
    size_t n, cap;
    int oom;
} sbuf;

static struct {
    int on;
    const char *cmd;
    int verdict_set;
    sbuf md;                      /* the command's summary */
    sbuf out;                     /* KEY\0VALUE\0 pairs, in order */
} gh;

static void sb_add(sbuf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (b->n + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 1024;
        while (cap < b->n + n + 1)
            cap *= 2;
        char *p = realloc(b->p, cap);
        if (!p) {
            b->oom = 1;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = '\0';
}

static void sb_vprintf(sbuf *b, const char *fmt, va_list ap)
{
    char small[1024];
    va_list aq;
    va_copy(aq, ap);
    int n = vsnprintf(small, sizeof small, fmt, aq);
    va_end(aq);
    if (n < 0)
        return;
    if ((size_t)n < sizeof small) {
        sb_add(b, small, (size_t)n);
        return;
    }
    char *big = malloc((size_t)n + 1);
    if (!big) {
        b->oom = 1;
        return;
    }
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    sb_add(b, big, (size_t)n);
    free(big);
}

void cli_github_prescan(const char *cmd, int argc, char **argv)
{
    if (strcmp(cmd, "drift") != 0 && strcmp(cmd, "gate") != 0 && strcmp(cmd, "verify") != 0)
        return;
    for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
        if (strcmp(argv[i], "--format=github") == 0 ||
            (strcmp(argv[i], "--format") == 0 && i + 1 < argc &&
             strcmp(argv[i + 1], "github") == 0)) {
            gh.on = 1;
            gh.cmd = cmd;
        }
    }
}

int cli_github_on(void) { return gh.on; }

/* Workflow-command data: % CR LF percent-encoded; properties also : and ,
 * (the escaping of GitHub's @actions/core, docs/ci.md). */
static void put_escaped(FILE *f, const char *s, int property)
{
    for (; *s; s++) {
        switch (*s) {
        case '%': fputs("%25", f); break;
        case '\r': fputs("%0D", f); break;
        case '\n': fputs("%0A", f); break;
        case ':': fputs(property ? "%3A" : ":", f); break;
        case ',': fputs(property ? "%2C" : ",", f); break;
        default: fputc(*s, f);
        }
    }
}

void cli_gh_annotate(const char *level, const char *title, const char *file, unsigned line,
                     const char *fmt, ...)
{
    sbuf m = { 0 };
    va_list ap;
    va_start(ap, fmt);
    sb_vprintf(&m, fmt, ap);
    va_end(ap);
    printf("::%s ", level);
    if (file && *file) {
        fputs("file=", stdout);
        put_escaped(stdout, file, 1);
        if (line)
            printf(",line=%u", line);
        fputc(',', stdout);
    }
    fputs("title=", stdout);
    put_escaped(stdout, title, 1);
    fputs("::", stdout);
    put_escaped(stdout, m.p ? m.p : "", 0);
    fputc('\n', stdout);
    free(m.p);
}

void cli_gh_md(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sb_vprintf(&gh.md, fmt, ap);
    va_end(ap);
}

/* Text from an input (a column name, a path, a library message) in Markdown
 * and in a table cell: Markdown's punctuation backslash-escaped, < > & as
 * entities, a line break as a space, so that it reads as written. */
void cli_gh_md_text(const char *s)
{
    for (; *s; s++) {
        char c = *s;
        if (c == '<')
            sb_add(&gh.md, "&lt;", 4);
        else if (c == '>')
            sb_add(&gh.md, "&gt;", 4);
        else if (c == '&')
            sb_add(&gh.md, "&amp;", 5);
        else if (c == '\n' || c == '\r')
            sb_add(&gh.md, " ", 1);
        else if (strchr("\\`*_[]|~#", c)) {
            sb_add(&gh.md, "\\", 1);
            sb_add(&gh.md, &c, 1);
        } else
            sb_add(&gh.md, &c, 1);
    }
}

void cli_gh_output(const char *key, const char *value)
{
    sb_add(&gh.out, key, strlen(key) + 1);
    sb_add(&gh.out, value, strlen(value) + 1);
}

void cli_gh_outputf(const char *key, const char *fmt, ...)
{
    sbuf v = { 0 };
    va_list ap;
    va_start(ap, fmt);
    sb_vprintf(&v, fmt, ap);
    va_end(ap);
    cli_gh_output(key, v.p ? v.p : "");
    free(v.p);
}

void cli_gh_verdict(const char *verdict)
{
    gh.verdict_set = 1;
    cli_gh_output("verdict", verdict);
}

/* Append everything to `path` in one write (O_APPEND), as the runner
 * expects of every step writing to the same file. */
static int append_file(const char *path, const char *s, size_t n)
{
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
        return -1;
    size_t done = 0;
    while (done < n) {
        ssize_t w = write(fd, s + done, n - done);
        if (w <= 0) {
            close(fd);
            return -1;
        }
        done += (size_t)w;
    }
    return close(fd);
}

/* A heredoc delimiter that occurs nowhere in the value (GitHub's
 * "ghadelimiter_<random>" convention). */
static void delimiter(char *d, size_t n, const char *key, const char *value)
{
    unsigned long long r = 0;
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        if (read(fd, &r, sizeof r) != (ssize_t)sizeof r)
            r = 0;
        close(fd);
    }
    for (unsigned long long k = 0;; k++) {
        snprintf(d, n, "ghadelimiter_%016llx", r + k);
        if (!strstr(value, d) && !strstr(key, d))
            return;
    }
}

static void outputs_text(sbuf *b)
{
    const char *p = gh.out.p, *e = gh.out.p + gh.out.n;
    while (p && p < e) {
        const char *key = p, *value = p + strlen(p) + 1;
        p = value + strlen(value) + 1;
        /* the last value of a key stands: one key, one truth */
        int later = 0;
        for (const char *q = p; q < e;) {
            const char *k2 = q, *v2 = q + strlen(q) + 1;
            if (strcmp(k2, key) == 0)
                later = 1;
            q = v2 + strlen(v2) + 1;
        }
        if (later)
            continue;
        if (strchr(value, '\n') || strchr(value, '\r')) {
            char d[40];
            delimiter(d, sizeof d, key, value);
            sb_add(b, key, strlen(key));
            sb_add(b, "<<", 2);
            sb_add(b, d, strlen(d));
            sb_add(b, "\n", 1);
            sb_add(b, value, strlen(value));
            sb_add(b, "\n", 1);
            sb_add(b, d, strlen(d));
            sb_add(b, "\n", 1);
        } else {
            sb_add(b, key, strlen(key));
            sb_add(b, "=", 1);
            sb_add(b, value, strlen(value));
            sb_add(b, "\n", 1);
        }
    }
}

int cli_github_finish(int status)
{
    if (!gh.on)
        return status;
    if (!gh.verdict_set && status == CLI_OK) {
        /* --help: no verdict, nothing to report */
        free(gh.md.p);
        free(gh.out.p);
        return status;
    }
    if (status == CLI_USAGE || !gh.verdict_set) {
        /* no verdict: an error summary and verdict=error (the command's
         * partial summary and outputs are dropped) */
        const char *code = NULL, *path = NULL;
        unsigned line = 0;
        const char *msg = cli_failure(&code, &path, &line);
        char fallback[160];
        if (!msg || !*msg) {
            snprintf(fallback, sizeof fallback, "mlops %s failed with exit status %d", gh.cmd,
                     status);
            msg = fallback;
        }
        free(gh.md.p);
        free(gh.out.p);
        memset(&gh.md, 0, sizeof gh.md);
        memset(&gh.out, 0, sizeof gh.out);
        char title[64];
        snprintf(title, sizeof title, "mlops %s", gh.cmd);
        cli_gh_annotate("error", title, path, line, "%s", msg);
        cli_gh_md("## mlops %s\n\n**Error** (exit status %d", gh.cmd, status);
        if (code && *code)
            cli_gh_md(", %s", code);
        cli_gh_md("): ");
        cli_gh_md_text(msg);
        cli_gh_md("\n\nNo verdict was reached.\n");
        cli_gh_output("verdict", "error");
        cli_gh_output("error", msg);
    }
    cli_gh_outputf("exit_code", "%d", status);
    int failed = gh.md.oom || gh.out.oom;
    if (fflush(stdout) != 0)
        failed = 1;
    const char *sum = getenv("GITHUB_STEP_SUMMARY"), *outp = getenv("GITHUB_OUTPUT");
    if (!failed && sum && *sum) {
        sbuf b = { 0 };
        sb_add(&b, gh.md.p ? gh.md.p : "", gh.md.n);
        sb_add(&b, "\n", 1);
        if (b.oom || append_file(sum, b.p, b.n) != 0) {
            fprintf(stderr, "mlops %s: cannot append the step summary to %s\n", gh.cmd, sum);
            failed = 1;
        }
        free(b.p);
    } else if (!failed) {
        /* no summary file: the summary follows the annotations on stdout */
        fputs(gh.md.p ? gh.md.p : "", stdout);
        if (fflush(stdout) != 0)
            failed = 1;
    }
    if (outp && *outp) {
        if (failed && status == CLI_OK) {
            cli_gh_output("verdict", "error");
            cli_gh_output("exit_code", "2");
        }
        sbuf b = { 0 };
        outputs_text(&b);
        if (b.oom || append_file(outp, b.p, b.n) != 0) {
            fprintf(stderr, "mlops %s: cannot append the outputs to %s\n", gh.cmd, outp);
            failed = 1;
        }
        free(b.p);
    }
    free(gh.md.p);
    free(gh.out.p);
    memset(&gh.md, 0, sizeof gh.md);
    memset(&gh.out, 0, sizeof gh.out);
    /* what was written must not say more than the exit status: a verdict
     * that could not be reported is an error */
    if (failed && status == CLI_OK)
        status = CLI_USAGE;
    return status;
}
