/*
 * `mlops policy lint|test|eval|replay` and `mlops gate`: the retraining
 * trigger and promotion gate of a libmlops.policy/v1 document.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "input.h"
#include "obs.h"

static const char policy_usage[] =
    "usage: mlops policy lint POLICY\n"
    "       mlops policy test POLICY\n"
    "       mlops policy eval POLICY [--signals FILE] [--signal NAME=VALUE[@SAMPLES]]...\n"
    "                         [--now TIME] [--state-in FILE] [--state-out FILE]\n"
    "                         [--last-training TIME]\n"
    "       mlops policy replay POLICY LOG.jsonl [--record OUT.jsonl]\n"
    "\n"
    "lint    report mistakes that parse but are probably wrong (exit 1 when any)\n"
    "test    run the policy's embedded tests (exit 1 when one fails)\n"
    "eval    decide on one set of observations at TIME (RFC 3339, default now),\n"
    "        resuming from --state-in and saving the next state to --state-out;\n"
    "        prints the decision and its explanation (exit 1 when the action is\n"
    "        retrain, block_promotion or rollback; 0 for none or warn)\n"
    "replay  replay a JSON Lines log of observations and compare each decision with\n"
    "        the recorded one (exit 1 on a mismatch); --record writes the log with\n"
    "        the decisions made instead\n"
    "\n"
    "A signals FILE has one observation per line, \"NAME VALUE [samples=N]\"\n"
    "('#' starts a comment); 'mlops drift --format signals' writes one.\n"
    "\n"
    "exit status: 0 ok; 1 negative (findings, failed tests, an action, mismatches);\n"
    "2 usage or input error.\n";

static const char gate_usage[] =
    "usage: mlops gate POLICY --candidate FILE (--champion FILE | --first-release)\n"
    "                  [--allow-downgrade] [--format text|json|github]\n"
    "\n"
    "Evaluate the policy's promotion gate for a candidate's metrics against the\n"
    "champion's. With --first-release (no champion yet) only absolute bounds and\n"
    "sample counts apply; one of --champion and --first-release is required.\n"
    "A metrics FILE is a manifest (JSON) or package (.mlpkg), whose metrics are\n"
    "used (without sample counts or intervals) and whose name and version are\n"
    "checked (the candidate must be the champion's model, not an older version\n"
    "unless --allow-downgrade), or a UTF-8 text file with one metric per line:\n"
    "\"NAME VALUE [samples=N] [ci=LOW:HIGH]\" ('#' starts a comment); a file\n"
    "with no metric, a NUL or another control byte is an input error.\n"
    "--format github writes GitHub Actions annotations (an error per blocking\n"
    "check, a notice when promoted), a step summary and outputs (docs/ci.md).\n"
    "\n"
    "exit status: 0 promote; 1 blocked; 2 usage or input error.\n";

static int load_policy(mlops_policy **p, const char *path, const char *cmd)
{
    uint8_t *data;
    size_t size;
    char err[512];
    if (cli_read_file(&data, &size, path, err, sizeof err) != 0)
        return cli_input_error(cmd, "%s", err);
    int rc = mlops_policy_parse(p, (const char *)data, size, path, 0);
    free(data);
    if (rc != 0)
        return cli_library_error(cmd, rc);
    return CLI_OK;
}

/* Read a signals/metrics file (src/cli/obs.c) into a sink; an input error
 * names the file and line. */
static int read_obs_file(const char *cmd, const char *path, cli_obs_sink sink, void *ctx,
                         int need_one)
{
    uint8_t *data;
    size_t size;
    char err[512];
    if (cli_read_file(&data, &size, path, err, sizeof err) != 0) {
        fprintf(stderr, "mlops %s: %s\n", cmd, err);
        return CLI_USAGE;
    }
    int rc = cli_obs_parse(data, size, path, sink, ctx, need_one, err, sizeof err);
    free(data);
    if (rc != 0) {
        fprintf(stderr, "mlops %s: %s\n", cmd, err);
        return CLI_USAGE;
    }
    return CLI_OK;
}

static int obs_sink_policy(void *ctx, const cli_obs_line *o)
{
    return mlops_policy_obs_set(ctx, o->name, o->value, o->samples);
}

static int obs_sink_metrics(void *ctx, const cli_obs_line *o)
{
    return mlops_gate_metrics_put(ctx, o->name, o->value, o->ci_low, o->ci_high, o->samples);
}

/* Metrics of a gate side: a manifest or package (its metrics, no samples or
 * intervals), or a metrics text file. */
static int load_metrics(const char *path, mlops_gate_metrics *set)
{
    uint8_t *data;
    size_t size;
    char err[512];
    if (cli_read_file(&data, &size, path, err, sizeof err) != 0) {
        fprintf(stderr, "mlops gate: %s\n", err);
        return CLI_USAGE;
    }
    size_t k = size >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
    while (k < size && (data[k] == ' ' || data[k] == '\n' || data[k] == '\r' || data[k] == '\t'))
        k++;
    int manifest = (k < size && data[k] == '{') ||
                   (strlen(path) > 6 && strcmp(path + strlen(path) - 6, ".mlpkg") == 0);
    free(data);
    if (!manifest)
        return read_obs_file("gate", path, obs_sink_metrics, set, 1);
    mlops_manifest *m = NULL;
    int status = cli_manifest_load(&m, path, "gate");
    if (status != CLI_OK)
        return status;
    int rc = mlops_gate_metrics_set_model(set, mlops_manifest_name(m), mlops_manifest_version(m), 0);
    if (rc != 0)
        status = cli_library_error("gate", rc);
    for (size_t i = 0; status == CLI_OK && i < mlops_manifest_metric_count(m); i++) {
        rc = mlops_gate_metrics_put(set, mlops_manifest_metric_name(m, i),
                                  mlops_manifest_metric_value(m, i), NAN, NAN, -1);
        if (rc != 0) {
            status = cli_library_error("gate", rc);
            break;
        }
    }
    mlops_manifest_free(m);
    return status;
}

static int parse_time_ms(const char *s, int64_t *ms)
{
    int64_t sec;
    uint32_t nanos;
    if (mlops_timestamp_parse(&sec, &nanos, s) != 0)
        return -1;
    *ms = sec * 1000 + nanos / 1000000;
    return 0;
}

static void put_buf(const mlops_buf *b)
{
    fwrite(b->data, 1, b->size, stdout);
    if (b->size && b->data[b->size - 1] != '\n')
        putchar('\n');
}

static int cmd_lint(const mlops_policy *p, const cli_global *g)
{
    mlops_buf b = MLOPS_BUF_INIT;
    size_t n = 0;
    int rc = mlops_policy_lint(&b, &n, p, 0);
    if (rc != 0)
        return cli_library_error("policy", rc);
    if (!g->json)
        printf("%s: %zu finding%s\n", mlops_policy_info(p)->id, n, n == 1 ? "" : "s");
    if (g->json || n)
        put_buf(&b);
    mlops_buf_dispose(&b);
    return n ? CLI_NEGATIVE : CLI_OK;
}

static int cmd_test(const mlops_policy *p, const cli_global *g)
{
    mlops_buf b = MLOPS_BUF_INIT;
    size_t passed = 0, failed = 0;
    int rc = mlops_policy_run_tests(&passed, &failed, &b, p, 0);
    if (rc != 0)
        return cli_library_error("policy", rc);
    if (g->json) {
        put_buf(&b);
    } else {
        printf("%s: %zu passed, %s%zu failed%s\n", mlops_policy_info(p)->id, passed,
               failed ? cli_red(g) : "", failed, failed ? cli_reset(g) : "");
        if (failed)
            put_buf(&b);
    }
    mlops_buf_dispose(&b);
    return failed ? CLI_NEGATIVE : CLI_OK;
}

static int cmd_replay(const mlops_policy *p, const char *log, const char *record,
                      const cli_global *g)
{
    uint8_t *data;
    size_t size;
    char err[512];
    if (cli_read_file(&data, &size, log, err, sizeof err) != 0) {
        fprintf(stderr, "mlops policy: %s\n", err);
        return CLI_USAGE;
    }
    mlops_buf b = MLOPS_BUF_INIT;
    uint64_t steps = 0, mism = 0;
    int rc = mlops_policy_replay(&steps, &mism, &b, p, (const char *)data, size,
                                 record ? MLOPS_POLICY_REPLAY_RECORD : 0);
    free(data);
    if (rc != 0) {
        char msg[2048];
        snprintf(msg, sizeof msg, "%s: %s", log, mlops_error_last());
        mlops_buf_dispose(&b);
        return cli_error_as("policy", rc, CLI_INPUT, msg);
    }
    int status = CLI_OK;
    if (record) {
        if (cli_write_file(record, b.data, b.size, err, sizeof err) != 0) {
            fprintf(stderr, "mlops policy: %s\n", err);
            status = CLI_USAGE;
        } else if (g->json) {
            printf("{\"steps\":%llu,\"recorded\":", (unsigned long long)steps);
            cli_json_string(stdout, record);
            printf("}\n");
        } else {
            printf("%llu steps recorded to %s\n", (unsigned long long)steps, record);
        }
    } else {
        if (g->json) {
            put_buf(&b);
        } else {
            printf("%llu steps, %s%llu mismatch%s%s\n", (unsigned long long)steps,
                   mism ? cli_red(g) : "", (unsigned long long)mism, mism == 1 ? "" : "es",
                   mism ? cli_reset(g) : "");
            if (mism)
                put_buf(&b);
        }
        status = mism ? CLI_NEGATIVE : CLI_OK;
    }
    mlops_buf_dispose(&b);
    return status;
}

static int cmd_eval(const mlops_policy *p, const char *signals, const char *const *sig,
                    size_t nsig, const char *now_s, const char *state_in,
                    const char *state_out, const char *last_training, const cli_global *g)
{
    int64_t now;
    if (now_s) {
        if (parse_time_ms(now_s, &now) != 0)
            return cli_usage_error("policy", "--now: %s", mlops_error_last());
    } else {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        now = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
    }
    mlops_policy_obs *obs = NULL;
    mlops_policy_state *st = NULL;
    mlops_decision *d = NULL;
    mlops_buf b = MLOPS_BUF_INIT;
    int status = CLI_USAGE, rc;
    char err[512];
    if ((rc = mlops_policy_obs_new(&obs, p)) != 0 || (rc = mlops_policy_state_new(&st, p)) != 0 ||
        (rc = mlops_decision_new(&d, p)) != 0) {
        status = cli_library_error("policy", rc);
        goto out;
    }
    if (signals && (status = read_obs_file("policy", signals, obs_sink_policy, obs, 0)) != CLI_OK)
        goto out;
    status = CLI_USAGE;
    for (size_t i = 0; i < nsig; i++) {
        char line[512];
        if (strlen(sig[i]) >= sizeof line - 16) {
            cli_usage_error("policy", "--signal too long");
            goto out;
        }
        /* NAME=VALUE[@SAMPLES] */
        const char *eq = strrchr(sig[i], '=');
        if (!eq || eq == sig[i]) {
            cli_usage_error("policy", "--signal: expected NAME=VALUE[@SAMPLES], got '%s'", sig[i]);
            goto out;
        }
        const char *at = strchr(eq, '@');
        if (at)
            snprintf(line, sizeof line, "%.*s %.*s samples=%s", (int)(eq - sig[i]), sig[i],
                     (int)(at - eq - 1), eq + 1, at + 1);
        else
            snprintf(line, sizeof line, "%.*s %s", (int)(eq - sig[i]), sig[i], eq + 1);
        cli_obs_line o;
        const char *why = NULL;
        if (cli_obs_parse_line(line, &o, &why) != 0) {
            cli_usage_error("policy", "--signal '%s': %s", sig[i], why);
            goto out;
        }
        if ((rc = mlops_policy_obs_set(obs, o.name, o.value, o.samples)) != 0) {
            status = cli_library_error("policy", rc);
            goto out;
        }
    }
    if (state_in) {
        uint8_t *data;
        size_t size;
        if (cli_read_file(&data, &size, state_in, err, sizeof err) != 0) {
            fprintf(stderr, "mlops policy: %s\n", err);
            goto out;
        }
        mlops_policy_state *loaded = NULL;
        rc = mlops_policy_state_parse(&loaded, p, (const char *)data, size);
        free(data);
        if (rc == 0) {
            mlops_policy_state_free(st);
            st = loaded;
        }
        if (rc != 0) {
            snprintf(err, sizeof err, "%s: %s", state_in, mlops_error_last());
            status = cli_error_as("policy", rc, CLI_INPUT, err);
            goto out;
        }
    }
    if (last_training) {
        int64_t t;
        if (parse_time_ms(last_training, &t) != 0) {
            cli_usage_error("policy", "--last-training: %s", mlops_error_last());
            goto out;
        }
        if ((rc = mlops_policy_state_set_last_training(st, t)) != 0) {
            status = cli_library_error("policy", rc);
            goto out;
        }
    }
    if ((rc = mlops_policy_decide(d, st, p, obs, now, st, 0)) != 0) {
        status = cli_library_error("policy", rc);
        goto out;
    }
    if (state_out) {
        mlops_buf sb = MLOPS_BUF_INIT;
        if ((rc = mlops_policy_state_write_json(&sb, st, 0)) != 0) {
            status = cli_library_error("policy", rc);
            goto out;
        }
        rc = cli_write_file(state_out, sb.data, sb.size, err, sizeof err);
        mlops_buf_dispose(&sb);
        if (rc != 0) {
            status = cli_input_error("policy", "%s", err);
            goto out;
        }
    }
    /* decided above: the summary is there */
    int action = mlops_decision_info(d)->action;
    if (g->json) {
        rc = mlops_decision_write_json(&b, d, 0);
    } else {
        rc = mlops_decision_write_text(&b, d, 0);
    }
    if (rc != 0) {
        status = cli_library_error("policy", rc);
        goto out;
    }
    put_buf(&b);
    status = action >= MLOPS_ACTION_RETRAIN ? CLI_NEGATIVE : CLI_OK;
out:
    mlops_buf_dispose(&b);
    mlops_decision_free(d);
    mlops_policy_state_free(st);
    mlops_policy_obs_free(obs);
    return status;
}

int cli_cmd_policy(int argc, char **argv, const cli_global *g0)
{
    cli_global g = *g0;
    const char *sig[256];
    size_t nsig = 0;
    int out = 1;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--") == 0) {
            for (; i < argc; i++)
                argv[out++] = argv[i];
            break;
        }
        if (strcmp(argv[i], "--signal") == 0 || strncmp(argv[i], "--signal=", 9) == 0) {
            const char *v = argv[i][8] == '=' ? argv[i] + 9 : NULL;
            if (!v) {
                if (i + 1 >= argc)
                    return cli_usage_error("policy", "option '--signal' needs a value");
                v = argv[++i];
            }
            if (nsig >= sizeof sig / sizeof sig[0])
                return cli_usage_error("policy", "too many --signal options");
            sig[nsig++] = v;
            continue;
        }
        argv[out++] = argv[i];
    }
    argc = out;
    const char *signals = NULL, *now = NULL, *state_in = NULL, *state_out = NULL,
               *last_training = NULL, *record = NULL;
    const cli_opt opts[] = { { "--signals", &signals, NULL },
                             { "--now", &now, NULL },
                             { "--state-in", &state_in, NULL },
                             { "--state-out", &state_out, NULL },
                             { "--last-training", &last_training, NULL },
                             { "--record", &record, NULL },
                             { NULL, NULL, NULL } };
    int h = cli_help_or_go(cli_parse("policy", &argc, argv, &g, opts), policy_usage);
    if (h >= 0)
        return h;
    if (argc < 3)
        return cli_usage_error("policy", "expected lint, test, eval or replay and a POLICY");
    const char *sub = argv[1];
    int known = strcmp(sub, "lint") == 0 || strcmp(sub, "test") == 0 ||
                strcmp(sub, "eval") == 0 || strcmp(sub, "replay") == 0;
    if (!known)
        return cli_usage_error("policy", "unknown subcommand '%s' (expected lint, test, eval or "
                                         "replay)", sub);
    int want = strcmp(sub, "replay") == 0 ? 4 : 3;
    if (argc != want)
        return cli_usage_error("policy", "%s takes %s", sub,
                               want == 4 ? "POLICY and LOG" : "one POLICY");
    mlops_policy *p = NULL;
    int status = load_policy(&p, argv[2], "policy");
    if (status != CLI_OK)
        return status;
    if (strcmp(sub, "lint") == 0)
        status = cmd_lint(p, &g);
    else if (strcmp(sub, "test") == 0)
        status = cmd_test(p, &g);
    else if (strcmp(sub, "replay") == 0)
        status = cmd_replay(p, argv[3], record, &g);
    else
        status = cmd_eval(p, signals, sig, nsig, now, state_in, state_out, last_training, &g);
    mlops_policy_free(p);
    return status;
}

int cli_cmd_gate(int argc, char **argv, const cli_global *g0)
{
    cli_global g = *g0;
    const char *cand = NULL, *champ = NULL, *format_s = NULL;
    int first_release = 0, allow_downgrade = 0;
    const cli_opt opts[] = { { "--candidate", &cand, NULL },
                             { "--format", &format_s, NULL },
                             { "--champion", &champ, NULL },
                             { "--first-release", NULL, &first_release },
                             { "--allow-downgrade", NULL, &allow_downgrade },
                             { NULL, NULL, NULL } };
    int h = cli_help_or_go(cli_parse("gate", &argc, argv, &g, opts), gate_usage);
    if (h >= 0)
        return h;
    int ghf = 0, fs = cli_format_text_json_github(&g, &ghf, "gate", format_s);
    if (fs >= 0)
        return fs;
    if (argc != 2)
        return cli_usage_error("gate", "expected one POLICY");
    if (!cand)
        return cli_usage_error("gate", "--candidate FILE is required");
    if (!champ && !first_release)
        return cli_usage_error("gate", "--champion FILE is required (or --first-release when "
                                       "there is no champion yet)");
    if (champ && first_release)
        return cli_usage_error("gate", "--first-release contradicts --champion: give one");
    mlops_policy *p = NULL;
    mlops_gate_metrics *c = NULL, *ch = NULL;
    mlops_gate_result *r = NULL;
    mlops_buf b = MLOPS_BUF_INIT;
    int status = load_policy(&p, argv[1], "gate"), rc;
    if (status != CLI_OK)
        return status;
    if ((rc = mlops_gate_metrics_new(&c)) != 0 || (champ && (rc = mlops_gate_metrics_new(&ch)) != 0)) {
        status = cli_library_error("gate", rc);
        goto out;
    }
    if ((status = load_metrics(cand, c)) != CLI_OK)
        goto out;
    if (champ && (status = load_metrics(champ, ch)) != CLI_OK)
        goto out;
    if ((rc = mlops_policy_gate(&r, p, c, ch,
                                allow_downgrade ? MLOPS_GATE_ALLOW_DOWNGRADE : 0)) != 0) {
        status = cli_library_error("gate", rc);
        goto out;
    }
    int action = mlops_gate_result_info(r)->action;
    if (ghf) {
        cli_github_gate(r, argv[1]);
        status = action == MLOPS_ACTION_BLOCK_PROMOTION ? CLI_NEGATIVE : CLI_OK;
        goto out;
    }
    if (g.json) {
        rc = mlops_gate_result_write_json(&b, r, 0);
    } else {
        rc = mlops_gate_result_write_text(&b, r, 0);
    }
    if (rc != 0) {
        status = cli_library_error("gate", rc);
        goto out;
    }
    put_buf(&b);
    status = action == MLOPS_ACTION_BLOCK_PROMOTION ? CLI_NEGATIVE : CLI_OK;
out:
    mlops_buf_dispose(&b);
    mlops_gate_result_free(r);
    mlops_gate_metrics_free(c);
    mlops_gate_metrics_free(ch);
    mlops_policy_free(p);
    return status;
}
