/*
 * `mlops store add|list|alias|resolve|export|gc|check|rm|retain`: the local store.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "input.h"
#include "trust.h"

/* ---- store ---- */

static const char store_usage[] =
    "usage: mlops store add STORE PKG (--trust PUB.pem... | --allow-unsigned)\n"
    "       mlops store list STORE\n"
    "       mlops store alias STORE NAME ALIAS [VERSION]\n"
    "       mlops store resolve STORE NAME:VERSION|NAME:ALIAS|NAME:latest\n"
    "       mlops store export STORE REFERENCE OUT.mlpkg [--force]\n"
    "       mlops store gc STORE\n"
    "       mlops store check STORE\n"
    "       mlops store rm STORE NAME:VERSION\n"
    "       mlops store retain STORE --keep N [--dry-run]\n"
    "\n"
    "add      verify PKG and add it under the tag NAME:VERSION of its statement\n"
    "         (the store directory is created when missing, once PKG verified)\n"
    "list     the tags: names in byte order, versions in SemVer precedence\n"
    "alias    point ALIAS of NAME at VERSION (a tag), or without VERSION print the\n"
    "         alias's history, oldest first\n"
    "resolve  the manifest digest a reference names (NAME:latest: the highest\n"
    "         version that is not a pre-release)\n"
    "export   write the version a reference names back to a package, byte for byte\n"
    "gc       remove blobs no tag reaches, and temporary files of killed writers\n"
    "check    every blob a tag reaches exists and hashes to its name\n"
    "rm       remove a version (refused while an alias points at it); gc then\n"
    "         frees its blobs\n"
    "retain   keep the N highest versions of every model and every aliased one,\n"
    "         remove the other versions (--dry-run: only list them)\n"
    "\n"
    "exit status: 0 done; 1 add: PKG refused (as for verify), check: check failed;\n"
    "2 usage or input error.\n";

/* Copy `path` into a new temporary file when it is a stream (FIFO or
 * character device): among the blobs of the store `dir` when it exists (gc
 * removes a copy a killed run leaves), else in $TMPDIR (the store is made
 * only once the package verified). `spool` receives the copy's path, or
 * stays empty for anything else. CLI_OK or an input error. */
static int spool_stream(char *spool, size_t len, const char *dir, const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0 || !(S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode)))
        return CLI_OK;
    int in = open(path, O_RDONLY | O_CLOEXEC);
    if (in < 0)
        return cli_input_error("store", "%s: cannot open: %s", path, strerror(errno));
    struct stat ds;
    const char *tmpdir = getenv("TMPDIR");
    if (stat(dir, &ds) == 0)
        snprintf(spool, len, "%s/blobs/sha256/.tmp-spool-XXXXXX", dir);
    else
        snprintf(spool, len, "%s/mlops-spool-XXXXXX", tmpdir && tmpdir[0] ? tmpdir : "/tmp");
    int out = mkstemp(spool);
    if (out < 0) {
        int e = errno;
        close(in);
        spool[0] = '\0';
        return cli_input_error("store", "%s: cannot make a temporary copy of %s: %s", dir, path,
                               strerror(e));
    }
    char buf[1 << 16];
    int e = 0;
    for (;;) {
        ssize_t n = read(in, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            e = n < 0 ? errno : 0;
            break;
        }
        for (ssize_t off = 0; off < n && !e;) {
            ssize_t w = write(out, buf + off, (size_t)(n - off));
            if (w < 0 && errno == EINTR)
                continue;
            if (w <= 0)
                e = w < 0 ? errno : EIO;
            else
                off += w;
        }
        if (e)
            break;
    }
    if (close(out) != 0 && !e)
        e = errno;
    close(in);
    if (e) {
        unlink(spool);
        spool[0] = '\0';
        return cli_input_error("store", "%s: cannot copy it into %s: %s", path, dir, strerror(e));
    }
    return CLI_OK;
}

int cli_cmd_store(int argc, char **argv, const cli_global *g0)
{
    cli_global g = *g0;
    const char *trustp[CLI_MAX_MULTI];
    size_t nt = 0;
    if (cli_take_multi("store", &argc, argv, "--trust", trustp, &nt))
        return CLI_USAGE;
    int unsigned_ok = 0, force = 0, dry_run = 0;
    const char *keep_s = NULL;
    const cli_opt opts[] = { { "--allow-unsigned", NULL, &unsigned_ok },
                             { "--force", NULL, &force },
                             { "--dry-run", NULL, &dry_run },
                             { "--keep", &keep_s, NULL },
                             { NULL, NULL, NULL } };
    int h = cli_help_or_go(cli_parse("store", &argc, argv, &g, opts), store_usage);
    if (h >= 0)
        return h;
    if (argc < 3)
        return cli_usage_error("store", "expected a subcommand and a STORE");
    const char *sub = argv[1], *dir = argv[2];
    static const struct {
        const char *name;
        int min, max;
    } subs[] = { { "add", 4, 4 },    { "list", 3, 3 },   { "alias", 5, 6 }, { "resolve", 4, 4 },
                 { "export", 5, 5 }, { "gc", 3, 3 },     { "check", 3, 3 }, { "rm", 4, 4 },
                 { "retain", 3, 3 } };
    int known = -1;
    for (int i = 0; i < (int)(sizeof subs / sizeof subs[0]); i++)
        if (strcmp(sub, subs[i].name) == 0)
            known = i;
    if (known < 0)
        return cli_usage_error("store", "unknown subcommand '%s' (add, list, alias, resolve, "
                                        "export, gc, check, rm, retain)", sub);
    if (argc < subs[known].min || argc > subs[known].max)
        return cli_usage_error("store", "wrong number of operands for 'store %s'", sub);
    unsigned long long keep = 0;
    if (known == 8) {
        char *end = NULL;
        errno = 0;
        if (!keep_s || !*keep_s || *keep_s == '-' ||
            (keep = strtoull(keep_s, &end, 10), errno != 0 || *end != '\0'))
            return cli_usage_error("store", "retain needs --keep N, a whole number of versions");
    } else if (keep_s || dry_run) {
        return cli_usage_error("store", "--keep and --dry-run are for 'store retain'");
    }
    cli_trust t = { NULL, MLOPS_PACKAGE_VERIFY_OPTIONS_INIT, { NULL, 0, 0, 0, 0 } };
    if (known == 0) {
        int st = cli_trust_setup(&t, "store", trustp, nt, NULL, unsigned_ok);
        if (st != CLI_OK)
            return st;
    }
    mlops_store *s = NULL;
    int rc = 0, status = CLI_OK;
    struct stat dst;
    /* A package from a stream (a pipe, /dev/stdin) is read once, into a
     * temporary copy (spool_stream): adding reads the package twice, a first
     * add verifies it once more before making the store, and the tag is read
     * from it once more. */
    char spool[4200];
    spool[0] = '\0';
    const char *pkg = known == 0 ? argv[3] : NULL;
    if (known == 0) {
        if ((status = spool_stream(spool, sizeof spool, dir, pkg)) != CLI_OK)
            goto out;
        if (spool[0])
            pkg = spool;
    }
    if (known == 0 && lstat(dir, &dst) != 0 && errno == ENOENT) {
        /* a refused first add creates no store: the package is verified
         * before the directory is made (without a bar: the add that
         * follows verifies it again and shows one) */
        mlops_package_verify_options quiet = t.o;
        quiet.progress = NULL;
        quiet.progress_ctx = NULL;
        rc = mlops_package_verify(NULL, pkg, &quiet);
        if (rc != 0) {
            status = spool[0] ? cli_content_error_renamed("store", rc, spool, argv[3])
                              : cli_content_error("store", rc);
            goto out;
        }
    }
    rc = mlops_store_open(&s, dir, known == 0 ? MLOPS_STORE_CREATE : 0);
    if (rc != 0) {
        status = cli_library_error("store", rc);
        goto out;
    }
    if (known == 0) {
        mlops_manifest *m = NULL;
        rc = mlops_store_add(s, pkg, &t.o);
        cli_progress_clear(&t.bar);
        if (rc != 0) {
            status = spool[0] ? cli_content_error_renamed("store", rc, spool, argv[3])
                              : cli_content_error("store", rc);
            goto out;
        }
        status = cli_package_manifest(&m, pkg, "store");
        if (status == CLI_OK) {
            if (g.json) {
                printf("{\"tag\":\"%s:%s\",\"statement_sha256\":\"%s\"}\n", mlops_manifest_name(m),
                       mlops_manifest_version(m), mlops_manifest_statement_sha256(m));
            } else {
                printf("added %s:%s to %s\n", mlops_manifest_name(m), mlops_manifest_version(m),
                       dir);
            }
        }
        mlops_manifest_free(m);
    } else if (known == 1) {
        mlops_strlist *tags = NULL;
        if ((rc = mlops_store_tag_list(&tags, s, 0)) != 0) {
            status = cli_library_error("store", rc);
            goto out;
        }
        size_t n = mlops_strlist_count(tags);
        char **digests = calloc(n ? n : 1, sizeof *digests);
        if (!digests) {
            mlops_strlist_free(tags);
            status = cli_library_error("store", MLOPS_E_NOMEM);
            goto out;
        }
        /* every digest first: an error prints nothing but the error */
        for (size_t i = 0; i < n && rc == 0; i++)
            rc = mlops_store_resolve(&digests[i], s, mlops_strlist_get(tags, i));
        if (rc != 0) {
            status = cli_library_error("store", rc);
        } else {
            if (g.json)
                putchar('[');
            for (size_t i = 0; i < n; i++) {
                if (g.json) {
                    printf("%s{\"tag\":", i ? "," : "");
                    cli_json_string(stdout, mlops_strlist_get(tags, i));
                    printf(",\"digest\":");
                    cli_json_string(stdout, digests[i]);
                    printf("}");
                } else {
                    printf("%-40s %s\n", mlops_strlist_get(tags, i), digests[i]);
                }
            }
            if (g.json)
                printf("]\n");
        }
        for (size_t i = 0; i < n; i++)
            mlops_free(digests[i]);
        free(digests);
        mlops_strlist_free(tags);
    } else if (known == 2) {
        const char *name = argv[3], *alias = argv[4];
        if (argc == 6) {
            if ((rc = mlops_store_alias_set(s, name, alias, argv[5])) != 0) {
                status = cli_library_error("store", rc);
                goto out;
            }
        }
        mlops_strlist *hist = NULL;
        if ((rc = mlops_store_alias_history_list(&hist, s, name, alias, 0)) != 0) {
            status = cli_library_error("store", rc);
            goto out;
        }
        size_t n = mlops_strlist_count(hist);
        if (argc == 5 && n == 0) {
            fprintf(stderr, "mlops store: no alias '%s' for model '%s'\n", alias, name);
            mlops_strlist_free(hist);
            status = CLI_USAGE;
            goto out;
        }
        if (g.json) {
            printf("{\"name\":");
            cli_json_string(stdout, name);
            printf(",\"alias\":");
            cli_json_string(stdout, alias);
            printf(",\"history\":[");
            for (size_t i = 0; i < n; i++) {
                if (i)
                    putchar(',');
                cli_json_string(stdout, mlops_strlist_get(hist, i));
            }
            printf("]}\n");
        } else if (argc == 6) {
            printf("%s:%s -> %s", name, alias, argv[5]);
            if (n >= 2)
                printf(" (was %s)", mlops_strlist_get(hist, n - 2));
            printf("\n");
        } else {
            for (size_t i = 0; i < n; i++)
                printf("%s%s\n", mlops_strlist_get(hist, i), i + 1 == n ? "  (current)" : "");
        }
        mlops_strlist_free(hist);
    } else if (known == 3) {
        char *digest = NULL;
        if ((rc = mlops_store_resolve(&digest, s, argv[3])) != 0) {
            status = cli_library_error("store", rc);
            goto out;
        }
        if (g.json) {
            printf("{\"reference\":");
            cli_json_string(stdout, argv[3]);
            printf(",\"digest\":");
            cli_json_string(stdout, digest);
            printf("}\n");
        } else {
            printf("%s\n", digest);
        }
        mlops_free(digest);
    } else if (known == 4) {
        if ((rc = mlops_store_export(s, argv[3], argv[4], -1, force ? MLOPS_PACK_OVERWRITE : 0)) != 0) {
            status = cli_library_error("store", rc);
            goto out;
        }
        if (g.json) {
            printf("{\"reference\":");
            cli_json_string(stdout, argv[3]);
            printf(",\"package\":");
            cli_json_string(stdout, argv[4]);
            printf("}\n");
        } else {
            printf("exported %s to %s\n", argv[3], argv[4]);
        }
    } else if (known == 5) {
        size_t removed = 0;
        if ((rc = mlops_store_gc(&removed, s)) != 0) {
            status = cli_library_error("store", rc);
            goto out;
        }
        if (g.json)
            printf("{\"removed\":%zu}\n", removed);
        else
            printf("removed %zu unreachable blob%s\n", removed, removed == 1 ? "" : "s");
    } else if (known == 7) {
        if ((rc = mlops_store_remove(s, argv[3], 0)) != 0) {
            status = cli_library_error("store", rc);
            goto out;
        }
        if (g.json) {
            printf("{\"removed\":");
            cli_json_string(stdout, argv[3]);
            printf("}\n");
        } else {
            printf("removed %s (its blobs go at the next 'mlops store gc')\n", argv[3]);
        }
    } else if (known == 8) {
        mlops_strlist *gone = NULL;
        if ((rc = mlops_store_retain(&gone, s, (size_t)keep,
                                     dry_run ? MLOPS_STORE_DRY_RUN : 0)) != 0) {
            status = cli_library_error("store", rc);
            goto out;
        }
        size_t n = mlops_strlist_count(gone);
        if (g.json) {
            printf("{\"dry_run\":%s,\"removed\":[", dry_run ? "true" : "false");
            for (size_t i = 0; i < n; i++) {
                if (i)
                    putchar(',');
                cli_json_string(stdout, mlops_strlist_get(gone, i));
            }
            printf("]}\n");
        } else {
            for (size_t i = 0; i < n; i++)
                printf("%s %s\n", dry_run ? "would remove" : "removed", mlops_strlist_get(gone, i));
            printf("%zu version%s %s\n", n, n == 1 ? "" : "s",
                   dry_run ? "would be removed (dry run)" : "removed");
        }
        mlops_strlist_free(gone);
    } else {
        rc = mlops_store_check(s);
        if (rc != 0) {
            status = cli_library_error("store", rc);
            if (rc == MLOPS_E_INTEGRITY)
                status = CLI_NEGATIVE;
            goto out;
        }
        if (g.json)
            printf("{\"ok\":true}\n");
        else
            printf("store %s is consistent\n", dir);
    }
out:
    if (spool[0])
        unlink(spool);
    mlops_store_free(s);
    mlops_keyring_free(t.ring);
    return status;
}
