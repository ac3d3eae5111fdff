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
    if (b->oom || n == 0)
        return;
    if (n > ((size_t)-1) / 4 - b->n) {
        b->oom = 1;
        return;
    }
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

#if defined(__GNUC__)
__attribute__((format(printf, 2, 0)))
#endif
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
    const unsigned char *e = (const unsigned char *)s + strlen(s);
    for (; *s; s++) {
        if ((unsigned char)*s >= 0x80) {
            /* valid UTF-8 as it is, any other byte as U+FFFD (as --json) */
            size_t n = cli_utf8_len((const unsigned char *)s, e);
            if (n) {
                fwrite(s, 1, n, f);
                s += n - 1;
            } else {
                fputs("\xef\xbf\xbd", f);
            }
            continue;
        }
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
    const unsigned char *e = (const unsigned char *)s + strlen(s);
    for (; *s; s++) {
        char c = *s;
        if ((unsigned char)c >= 0x80) {
            size_t n = cli_utf8_len((const unsigned char *)s, e);
            if (n) {
                sb_add(&gh.md, s, n);
                s += n - 1;
            } else {
                sb_add(&gh.md, "\xef\xbf\xbd", 3);
            }
        } else if (c == '<')
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
    const unsigned char *p = (const unsigned char *)value, *e = p + strlen(value);
    while (p < e) {
        size_t n = *p < 0x80 ? 1 : cli_utf8_len(p, e);
        if (n)
            sb_add(&gh.out, (const char *)p, n);
        else
            sb_add(&gh.out, "\xef\xbf\xbd", 3); /* U+FFFD, as --json */
        p += n ? n : 1;
    }
    sb_add(&gh.out, "", 1);
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
    int summary_in_file = 0;
    if (!failed && sum && *sum) {
        sb_add(&gh.md, "\n", 1);
        if (gh.md.oom || append_file(sum, gh.md.p, gh.md.n) != 0) {
            fprintf(stderr, "mlops %s: cannot append the step summary to %s\n", gh.cmd, sum);
            failed = 1;
        } else {
            summary_in_file = 1;
        }
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
            if (summary_in_file && status == CLI_OK) {
                /* the summary must not be the last word on a run that fails */
                static const char note[] = "\n**Error**: the outputs could not be written; "
                                           "exit status 2.\n\n";
                (void)append_file(sum, note, sizeof note - 1);
            }
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

/* The explanation's line for check i ("  METRIC KIND: observed ..., limit
 * ...: pass"), when it is there and names that check; NULL otherwise. */
static const char *explain_line(const char *text, size_t i, const char *metric,
                                const char *kind, size_t *len)
{
    const char *p = text;
    for (size_t k = 0; k < i + 1 && p; k++) {
        p = strchr(p, '\n');
        if (p)
            p++;
    }
    if (!p)
        return NULL;
    size_t n = strcspn(p, "\n");
    size_t ml = strlen(metric), kl = strlen(kind);
    if (n < 2 + ml + 1 + kl + 1 || strncmp(p, "  ", 2) != 0 || strncmp(p + 2, metric, ml) != 0 ||
        p[2 + ml] != ' ' || strncmp(p + 3 + ml, kind, kl) != 0 || p[3 + ml + kl] != ':')
        return NULL;
    *len = n - 2;
    return p + 2;
}

/* A Markdown code block that no run of backticks in `s` can close. */
static void md_code_block(const char *s)
{
    size_t run = 0, longest = 0;
    for (const char *p = s; *p; p++) {
        run = *p == '`' ? run + 1 : 0;
        longest = run > longest ? run : longest;
    }
    char fence[64];
    size_t n = longest + 1 > 3 ? longest + 1 : 3;
    if (n >= sizeof fence)
        n = sizeof fence - 1;
    memset(fence, '`', n);
    fence[n] = '\0';
    cli_gh_md("%s\n%s%s%s\n", fence, s, *s && s[strlen(s) - 1] == '\n' ? "" : "\n", fence);
}

void cli_github_gate(const mlops_gate_result *r, const char *policy_path)
{
    mlops_buf ex = MLOPS_BUF_INIT;
    const char *text = "";
    if (mlops_gate_result_write_text(&ex, r, 0) == 0 && ex.data)
        text = ex.data;
    const struct mlops_gate_result_info *gi = mlops_gate_result_info(r);
    size_t n = gi ? gi->check_count : 0, failed = 0;
    /* fail closed: no result reads as blocked */
    int blocked = !gi || gi->action == MLOPS_ACTION_BLOCK_PROMOTION;
    sbuf list = { 0 };
    for (size_t i = 0; i < n; i++) {
        const mlops_gate_result_check_info *c = mlops_gate_result_check(r, i);
        if (c && c->passed)
            continue;
        const char *metric = c && c->metric ? c->metric : "?",
                   *kind = c && c->kind ? c->kind : "?";
        size_t len = 0;
        const char *line = explain_line(text, i, metric, kind, &len);
        char title[300];
        snprintf(title, sizeof title, "mlops gate: %s %s", metric, kind);
        int reason = c ? c->reason : -1;
        const char *rname = mlops_policy_reason_name(reason);
        int say = reason != MLOPS_REASON_OK && rname;
        if (line)
            cli_gh_annotate("error", title, NULL, 0, "%.*s%s%s%s", (int)len, line,
                            say ? " (" : "", say ? rname : "", say ? ")" : "");
        else
            cli_gh_annotate("error", title, NULL, 0, "%s %s: BLOCK%s%s%s", metric, kind,
                            say ? " (" : "", say ? rname : "", say ? ")" : "");
        if (failed++)
            sb_add(&list, ",", 1);
        sb_add(&list, metric, strlen(metric));
        sb_add(&list, "/", 1);
        sb_add(&list, kind, strlen(kind));
    }
    if (!blocked)
        cli_gh_annotate("notice", "mlops gate", NULL, 0, "promote: every check passed (%zu check%s)",
                        n, n == 1 ? "" : "s");
    cli_gh_md("## mlops gate\n\n");
    if (blocked)
        cli_gh_md("**BLOCKED**: promotion blocked by %s", list.p ? list.p : "the gate's action");
    else
        cli_gh_md("**PROMOTE**: every check passed");
    cli_gh_md(" (policy ");
    cli_gh_md_text(policy_path);
    cli_gh_md(", %zu of %zu check%s block).\n\n| metric | check | result | reason |\n"
              "| --- | --- | --- | --- |\n",
              failed, n, n == 1 ? "" : "s");
    for (size_t i = 0; i < n; i++) {
        const mlops_gate_result_check_info *c = mlops_gate_result_check(r, i);
        cli_gh_md("| ");
        cli_gh_md_text(c && c->metric ? c->metric : "?");
        cli_gh_md(" | %s | %s | %s |\n", c && c->kind ? c->kind : "?",
                  c && c->passed ? "pass" : "**BLOCK**",
                  mlops_policy_reason_name(c ? c->reason : -1));
    }
    cli_gh_md("\n<details><summary>Explanation</summary>\n\n");
    md_code_block(text);
    cli_gh_md("</details>\n\nExit status %d: %s.\n", blocked ? CLI_NEGATIVE : CLI_OK,
              blocked ? "promotion blocked" : "promote");
    cli_gh_verdict(blocked ? "blocked" : "promote");
    cli_gh_output("action", mlops_policy_action_name(gi ? gi->action
                                                        : MLOPS_ACTION_BLOCK_PROMOTION));
    cli_gh_output("promoted", blocked ? "false" : "true");
    cli_gh_outputf("checks_count", "%zu", n);
    cli_gh_outputf("failed_count", "%zu", failed);
    cli_gh_output("blocked_checks", list.p ? list.p : "");
    free(list.p);
    mlops_buf_dispose(&ex);
}

void cli_github_verify(const mlops_package_report *r, int rc, const char *pkg, const char *detail)
{
    const struct mlops_package_report_info *ri = mlops_package_report_info(r);
    size_t n = ri ? ri->problem_count : 0;
    size_t files = ri ? ri->files_verified : 0;
    int is_signed = ri ? ri->is_signed : 0;
    const mlops_manifest *m = r ? mlops_package_report_manifest(r) : NULL;
    for (size_t i = 0; i < n; i++) {
        const mlops_package_report_problem_info *p = mlops_package_report_problem(r, i);
        if (!p)
            continue;
        const char *entry = p->entry, *e = p->expected, *f = p->found;
        size_t tn = strlen(entry ? entry : "") + 24;
        char *title = malloc(tn);
        if (title)
            snprintf(title, tn, "mlops verify: %s", entry ? entry : "package");
        if (e)
            cli_gh_annotate("error", title ? title : "mlops verify", NULL, 0,
                            "%s: %s (expected %s, found %s)", mlops_error_name(p->code),
                            p->message, e, f ? f : "nothing");
        else
            cli_gh_annotate("error", title ? title : "mlops verify", NULL, 0, "%s: %s",
                            mlops_error_name(p->code), p->message);
        free(title);
    }
    if (rc != 0)
        cli_gh_annotate("error", "mlops verify", NULL, 0, "%s: %s", mlops_error_name(rc),
                        detail && *detail ? detail : mlops_strerror(rc));
    else
        cli_gh_annotate("notice", "mlops verify", NULL, 0, "verified %s %s: %zu file%s checked, %s",
                        m ? mlops_manifest_name(m) : "?", m ? mlops_manifest_version(m) : "?",
                        files, files == 1 ? "" : "s",
                        is_signed ? "signature trusted" : "signature not checked");
    cli_gh_md("## mlops verify\n\n**%s** ", rc ? "FAILED" : "VERIFIED");
    cli_gh_md_text(pkg);
    if (m) {
        cli_gh_md(" (");
        cli_gh_md_text(mlops_manifest_name(m));
        cli_gh_md(" ");
        cli_gh_md_text(mlops_manifest_version(m));
        cli_gh_md(")");
    }
    if (rc) {
        cli_gh_md(": %s: ", mlops_error_name(rc));
        cli_gh_md_text(detail && *detail ? detail : mlops_strerror(rc));
        cli_gh_md(".\n");
    } else {
        cli_gh_md(": %zu file%s checked, %s.\n", files, files == 1 ? "" : "s",
                  is_signed ? "signature trusted" : "signature not checked");
    }
    if (n) {
        cli_gh_md("\n| entry | problem | message | expected | found |\n"
                  "| --- | --- | --- | --- | --- |\n");
        for (size_t i = 0; i < n; i++) {
            const mlops_package_report_problem_info *p = mlops_package_report_problem(r, i);
            if (!p)
                continue;
            cli_gh_md("| ");
            cli_gh_md_text(p->entry ? p->entry : "");
            cli_gh_md(" | %s | ", mlops_error_name(p->code));
            cli_gh_md_text(p->message);
            cli_gh_md(" | ");
            cli_gh_md_text(p->expected ? p->expected : "");
            cli_gh_md(" | ");
            cli_gh_md_text(p->found ? p->found : "");
            cli_gh_md(" |\n");
        }
    }
    cli_gh_md("\nExit status %d: %s.\n", rc ? CLI_NEGATIVE : CLI_OK,
              rc ? "verification failed" : "verified");
    cli_gh_verdict(rc ? "failed" : "verified");
    cli_gh_output("verified", rc ? "false" : "true");
    cli_gh_outputf("problems_count", "%zu", n);
    cli_gh_outputf("files_verified", "%zu", files);
    if (m) {
        cli_gh_output("name", mlops_manifest_name(m));
        cli_gh_output("version", mlops_manifest_version(m));
    }
    if (rc)
        cli_gh_output("error", detail && *detail ? detail : mlops_strerror(rc));
}
