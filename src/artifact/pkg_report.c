/*
 * The report of a package verification: its problems, why the pass
 * stopped, and its JSON.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "artifact/pkg_read.h"
#include "core/alloc.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/json.h"

/* ---- the report --------------------------------------------------------- */

static void problem_free(problem *p)
{
    mlops__free(p->entry);
    mlops__free(p->expected);
    mlops__free(p->found);
    mlops__free(p->message);
}

void mlops_package_report_free(mlops_package_report *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n; i++)
        problem_free(&r->p[i]);
    mlops__free(r->p);
    mlops_manifest_free(r->m);
    mlops__free(r->error_message);
    mlops__free(r->error_path);
    mlops__free(r);
}

int mlops__pkg_problem(reader *r, const char *entry, const char *expected, const char *found,
                       const char *fmt, ...)
{
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    mlops_package_report *rep = r->rep;
    if (rep->n == rep->cap) {
        size_t cap = rep->cap ? rep->cap * 2 : 8;
        problem *p = mlops__reallocarray(rep->p, cap, sizeof *p);
        if (!p)
            return mlops__error_nomem();
        rep->p = p;
        rep->cap = cap;
    }
    problem pr = { .code = MLOPS_E_INTEGRITY,
                   .entry = mlops__strdup(entry ? entry : ""),
                   .expected = mlops__strdup(expected ? expected : ""),
                   .found = mlops__strdup(found ? found : ""),
                   .message = mlops__strdup(msg) };
    if (!pr.entry || !pr.expected || !pr.found || !pr.message) {
        problem_free(&pr);
        return mlops__error_nomem();
    }
    rep->p[rep->n++] = pr;
    mlops__error_at(MLOPS_E_INTEGRITY, -1, 0, 0, entry, "%s: %s", r->pkg, msg);
    return r->x ? MLOPS_E_INTEGRITY : 0;
}

const mlops_manifest *mlops_package_report_manifest(const mlops_package_report *r)
{
    return r ? r->m : NULL;
}
size_t mlops_package_report_count(const mlops_package_report *r) { return r ? r->n : 0; }
int mlops_package_report_code(const mlops_package_report *r, size_t i)
{
    return r && i < r->n ? r->p[i].code : 0;
}
const char *mlops_package_report_entry(const mlops_package_report *r, size_t i)
{
    return r && i < r->n ? r->p[i].entry : "";
}
const char *mlops_package_report_expected(const mlops_package_report *r, size_t i)
{
    return r && i < r->n ? r->p[i].expected : "";
}
const char *mlops_package_report_found(const mlops_package_report *r, size_t i)
{
    return r && i < r->n ? r->p[i].found : "";
}
const char *mlops_package_report_message(const mlops_package_report *r, size_t i)
{
    return r && i < r->n ? r->p[i].message : "";
}
size_t mlops_package_report_files_verified(const mlops_package_report *r)
{
    return r ? r->files_verified : 0;
}
int mlops_package_report_signed(const mlops_package_report *r) { return r ? r->is_signed : 0; }

int mlops_package_report_valid(const mlops_package_report *r)
{
    return r && r->error_code == 0 && r->n == 0 && r->m != NULL;
}
int mlops_package_report_error_code(const mlops_package_report *r)
{
    return r ? r->error_code : 0;
}
const char *mlops_package_report_error_message(const mlops_package_report *r)
{
    return r && r->error_message ? r->error_message : "";
}
const char *mlops_package_report_error_path(const mlops_package_report *r)
{
    return r && r->error_path ? r->error_path : "";
}
int64_t mlops_package_report_error_offset(const mlops_package_report *r)
{
    return r && r->error_code ? r->error_offset : -1;
}

/* Record in the report why the pass stopped: the thread's error record as
 * the call returns it (code `rc`). Returns 0, or MLOPS_E_NOMEM (then the
 * report says MLOPS_E_NOMEM, which still makes it invalid). */
int mlops__pkg_report_stop(mlops_package_report *r, int rc)
{
    r->error_code = rc;
    r->error_offset = mlops_error_last_offset();
    const char *msg = mlops_error_last();
    const char *path = mlops_error_last_path();
    r->error_message = mlops__strdup(msg ? msg : "");
    r->error_path = path && *path ? mlops__strdup(path) : NULL;
    if (r->error_message && (r->error_path || !path || !*path))
        return 0;
    mlops__free(r->error_message);
    mlops__free(r->error_path);
    r->error_message = r->error_path = NULL;
    r->error_code = mlops__error_nomem();
    r->error_offset = -1;
    return r->error_code;
}

static const char *or_null(const char *s) { return s && *s ? s : NULL; }

void mlops__pkg_report_finish(mlops_package_report *r)
{
    struct mlops_package_report_info *in = &r->info;
    in->version = MLOPS_PACKAGE_REPORT_INFO_VERSION;
    in->size = (uint32_t)sizeof *in;
    in->valid = mlops_package_report_valid(r);
    in->is_signed = r->is_signed != 0;
    in->partial = r->partial != 0;
    in->files_verified = r->files_verified;
    in->problem_count = r->n;
    in->error_code = r->error_code;
    in->error_message = r->error_code ? r->error_message : NULL;
    in->error_path = r->error_code ? or_null(r->error_path) : NULL;
    in->error_offset = r->error_code ? r->error_offset : -1;
    for (size_t i = 0; i < r->n; i++) {
        problem *p = &r->p[i];
        p->info.version = MLOPS_PACKAGE_REPORT_PROBLEM_INFO_VERSION;
        p->info.size = (uint32_t)sizeof p->info;
        p->info.code = p->code;
        p->info.entry = or_null(p->entry);
        p->info.expected = or_null(p->expected);
        p->info.found = or_null(p->found);
        p->info.message = p->message;
    }
}

const struct mlops_package_report_info *mlops_package_report_info(const mlops_package_report *r)
{
    return r ? &r->info : NULL;
}

const mlops_package_report_problem_info *mlops_package_report_problem(
    const mlops_package_report *r, size_t i)
{
    return r && i < r->n ? &r->p[i].info : NULL;
}

/* Report strings carry names and bytes from the package: what is not UTF-8
 * is written as U+FFFD, so any report can be written. */
static int jset_str(mlops__json_doc *doc, mlops__json *o, const char *k, const char *v)
{
    mlops__json *s =
        v ? mlops__json_new_string_lossy(doc, v, strlen(v)) : mlops__json_new_null(doc);
    return s ? mlops__json_object_set(doc, o, k, s) : mlops__error_nomem();
}

/* "error": null for a package that verified, else {"code","message"} and,
 * where known, "path" and "offset". */
static int set_error(mlops__json_doc *doc, mlops__json *root, const mlops_package_report *r)
{
    if (!r->error_code)
        return jset_str(doc, root, "error", NULL);
    mlops__json *e = mlops__json_new_object(doc);
    if (!e)
        return mlops__error_nomem();
    int rc = jset_str(doc, e, "code", mlops_error_name(r->error_code));
    if (!rc)
        rc = jset_str(doc, e, "message", mlops_package_report_error_message(r));
    if (!rc && r->error_path)
        rc = jset_str(doc, e, "path", r->error_path);
    if (!rc && r->error_offset >= 0) {
        mlops__json *o = mlops__json_new_uint(doc, (uint64_t)r->error_offset);
        rc = o ? mlops__json_object_set(doc, e, "offset", o) : mlops__error_nomem();
    }
    if (!rc)
        rc = mlops__json_object_set(doc, root, "error", e);
    return rc;
}

int mlops_package_report_write_json(mlops_buf *out, const mlops_package_report *r,
                                    uint32_t flags)
{
    MLOPS__CHECK_ARG(out);
    MLOPS__CHECK_ARG(r);
    MLOPS__CHECK_FLAGS(flags, 0);
    mlops__json_doc *doc = NULL;
    int rc = mlops__json_doc_new(&doc);
    if (rc)
        return rc;
    mlops__json *root = mlops__json_new_object(doc), *arr = mlops__json_new_array(doc);
    mlops__json *valid = mlops__json_new_bool(doc, mlops_package_report_valid(r));
    mlops__json *nf = mlops__json_new_uint(doc, r->files_verified);
    mlops__json *sg = mlops__json_new_bool(doc, r->is_signed);
    mlops__json *pa = mlops__json_new_bool(doc, r->partial);
    if (!root || !arr || !valid || !nf || !sg || !pa) {
        rc = mlops__error_nomem();
        goto done;
    }
    mlops__json_doc_set_root(doc, root);
    rc = mlops__json_object_set(doc, root, "valid", valid);
    if (!rc)
        rc = mlops__json_object_set(doc, root, "partial", pa);
    if (!rc)
        rc = mlops__json_object_set(doc, root, "files_verified", nf);
    if (!rc)
        rc = mlops__json_object_set(doc, root, "signed", sg);
    if (!rc)
        rc = jset_str(doc, root, "statement_sha256",
                      r->m ? mlops_manifest_statement_sha256(r->m) : NULL);
    if (!rc)
        rc = set_error(doc, root, r);
    for (size_t i = 0; !rc && i < r->n; i++) {
        mlops__json *o = mlops__json_new_object(doc);
        if (!o) {
            rc = mlops__error_nomem();
            break;
        }
        rc = jset_str(doc, o, "code", mlops_error_name(r->p[i].code));
        if (!rc)
            rc = jset_str(doc, o, "entry", r->p[i].entry);
        if (!rc)
            rc = jset_str(doc, o, "expected", r->p[i].expected);
        if (!rc)
            rc = jset_str(doc, o, "found", r->p[i].found);
        if (!rc)
            rc = jset_str(doc, o, "message", r->p[i].message);
        if (!rc)
            rc = mlops__json_array_push(doc, arr, o);
    }
    if (!rc)
        rc = mlops__json_object_set(doc, root, "problems", arr);
    if (!rc)
        rc = mlops__json_write_canonical(out, root);
done:
    mlops__json_doc_free(doc);
    return rc;
}
