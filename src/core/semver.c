/*
 * Semantic Versioning 2.0.0: the grammar of semver.org and its precedence (§11).
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "mlops/semver.h"

#include <string.h>

#include "core/alloc.h"
#include "core/error.h"

/* A version seen in place: parsing and comparing strings needs no memory. */
typedef struct semver_view {
    uint64_t major, minor, patch;
    const char *pre;
    size_t pre_len;
    const char *build;
    size_t build_len;
} semver_view;

struct mlops_semver {
    uint64_t major, minor, patch;
    char *pre;   /* points into the same allocation */
    char *build; /* likewise */
    struct mlops_semver_info info; /* the same parts, absent ones NULL */
};

static int is_digit(char c) { return c >= '0' && c <= '9'; }

static int is_ident_char(char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-';
}

static int fail(const char *what, const char *s, size_t at, const char *why)
{
    return mlops__error_at(MLOPS_E_PARSE, (int64_t)at, 1, (uint32_t)at + 1, NULL,
                           "%sinvalid SemVer \"%.64s\": %s at byte %zu", what, s, why, at);
}

/* <numeric identifier> as a 64-bit number: "0" or [1-9][0-9]*. */
static int parse_number(uint64_t *out, const char *s, size_t *pos, const char *what,
                        const char *field)
{
    size_t i = *pos;
    if (!is_digit(s[i]))
        return fail(what, s, i, field);
    if (s[i] == '0' && is_digit(s[i + 1]))
        return fail(what, s, i, "leading zero in a numeric part");
    uint64_t v = 0;
    while (is_digit(s[i])) {
        uint64_t d = (uint64_t)(s[i] - '0');
        if (v > (UINT64_MAX - d) / 10)
            return fail(what, s, i, "number larger than 2^64-1");
        v = v * 10 + d;
        i++;
    }
    *out = v;
    *pos = i;
    return 0;
}

/* Dot-separated identifiers; pre-release numeric ones may not have leading zeros. */
static int parse_identifiers(const char *s, size_t *pos, int is_prerelease, const char *what)
{
    size_t i = *pos;
    for (;;) {
        size_t start = i;
        int all_digits = 1;
        while (is_ident_char(s[i])) {
            all_digits &= is_digit(s[i]);
            i++;
        }
        if (i == start)
            return fail(what, s, i, is_prerelease ? "empty pre-release identifier"
                                                  : "empty build identifier");
        if (is_prerelease && all_digits && s[start] == '0' && i - start > 1)
            return fail(what, s, start, "leading zero in a numeric pre-release identifier");
        if (s[i] != '.')
            break;
        i++;
    }
    *pos = i;
    return 0;
}

static int parse_view(semver_view *v, const char *s, const char *what)
{
    size_t i = 0;
    int rc;
    if ((rc = parse_number(&v->major, s, &i, what, "major version is missing")))
        return rc;
    if (s[i] != '.')
        return fail(what, s, i, "expected '.' after the major version");
    i++;
    if ((rc = parse_number(&v->minor, s, &i, what, "minor version is missing")))
        return rc;
    if (s[i] != '.')
        return fail(what, s, i, "expected '.' after the minor version");
    i++;
    if ((rc = parse_number(&v->patch, s, &i, what, "patch version is missing")))
        return rc;
    v->pre = s + i;
    v->pre_len = 0;
    if (s[i] == '-') {
        size_t start = ++i;
        if ((rc = parse_identifiers(s, &i, 1, what)))
            return rc;
        v->pre = s + start;
        v->pre_len = i - start;
    }
    v->build = s + i;
    v->build_len = 0;
    if (s[i] == '+') {
        size_t start = ++i;
        if ((rc = parse_identifiers(s, &i, 0, what)))
            return rc;
        v->build = s + start;
        v->build_len = i - start;
    }
    if (s[i] != '\0')
        return fail(what, s, i, "unexpected character");
    return 0;
}

static int cmp_u64(uint64_t a, uint64_t b) { return a < b ? -1 : a > b; }

static int all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!is_digit(s[i]))
            return 0;
    return 1;
}

/* §11.4: identifiers compared one by one. */
static int compare_prerelease(const char *a, size_t an, const char *b, size_t bn)
{
    if (an == 0 || bn == 0) /* no pre-release ranks above any pre-release */
        return an == bn ? 0 : (an == 0 ? 1 : -1);
    size_t i = 0, j = 0;
    while (i < an && j < bn) {
        size_t ie = i, je = j;
        while (ie < an && a[ie] != '.')
            ie++;
        while (je < bn && b[je] != '.')
            je++;
        size_t la = ie - i, lb = je - j;
        int na = all_digits(a + i, la), nb = all_digits(b + j, lb);
        int c;
        if (na && nb) /* no leading zeros, so longer means larger, whatever the size */
            c = la != lb ? (la < lb ? -1 : 1) : memcmp(a + i, b + j, la);
        else if (na != nb)
            c = na ? -1 : 1; /* numeric identifiers rank below alphanumeric ones */
        else {
            size_t l = la < lb ? la : lb;
            c = memcmp(a + i, b + j, l);
            if (c == 0)
                c = la < lb ? -1 : la > lb;
        }
        if (c)
            return c < 0 ? -1 : 1;
        i = ie + 1;
        j = je + 1;
    }
    /* A larger set of fields ranks higher when all before are equal. */
    int a_more = i < an, b_more = j < bn;
    return a_more == b_more ? 0 : (a_more ? 1 : -1);
}

static int compare_view(const semver_view *a, const semver_view *b)
{
    int c = cmp_u64(a->major, b->major);
    if (!c)
        c = cmp_u64(a->minor, b->minor);
    if (!c)
        c = cmp_u64(a->patch, b->patch);
    if (!c)
        c = compare_prerelease(a->pre, a->pre_len, b->pre, b->pre_len);
    return c;
}

int mlops_semver_validate(const char *str)
{
    MLOPS__CHECK_ARG(str);
    semver_view v;
    return parse_view(&v, str, "");
}

int mlops_semver_compare_str(int *result, const char *a, const char *b)
{
    MLOPS__CHECK_ARG(result);
    MLOPS__CHECK_ARG(a);
    MLOPS__CHECK_ARG(b);
    semver_view va, vb;
    int rc = parse_view(&va, a, "first argument: ");
    if (!rc)
        rc = parse_view(&vb, b, "second argument: ");
    if (rc)
        return rc;
    *result = compare_view(&va, &vb);
    return 0;
}

int mlops_semver_parse(mlops_semver **out, const char *str)
{
    MLOPS__CHECK_ARG(out);
    MLOPS__CHECK_ARG(str);
    semver_view v;
    int rc = parse_view(&v, str, "");
    if (rc)
        return rc;
    /* One allocation: the struct, then "pre\0build\0". */
    size_t extra = v.pre_len + 1 + v.build_len + 1;
    mlops_semver *s = mlops__malloc(sizeof *s + extra);
    if (!s)
        return mlops__error_nomem();
    s->major = v.major;
    s->minor = v.minor;
    s->patch = v.patch;
    s->pre = (char *)(s + 1);
    memcpy(s->pre, v.pre, v.pre_len);
    s->pre[v.pre_len] = '\0';
    s->build = s->pre + v.pre_len + 1;
    memcpy(s->build, v.build, v.build_len);
    s->build[v.build_len] = '\0';
    s->info.version = MLOPS_SEMVER_INFO_VERSION;
    s->info.size = (uint32_t)sizeof s->info;
    s->info.major = v.major;
    s->info.minor = v.minor;
    s->info.patch = v.patch;
    s->info.prerelease = v.pre_len ? s->pre : NULL;
    s->info.build = v.build_len ? s->build : NULL;
    *out = s;
    return 0;
}

void mlops_semver_free(mlops_semver *v) { mlops__free(v); }

uint64_t mlops_semver_major(const mlops_semver *v) { return v ? v->major : 0; }
uint64_t mlops_semver_minor(const mlops_semver *v) { return v ? v->minor : 0; }
uint64_t mlops_semver_patch(const mlops_semver *v) { return v ? v->patch : 0; }
const char *mlops_semver_prerelease(const mlops_semver *v) { return v ? v->pre : ""; }
const char *mlops_semver_build(const mlops_semver *v) { return v ? v->build : ""; }

const struct mlops_semver_info *mlops_semver_info(const mlops_semver *v)
{
    return v ? &v->info : NULL;
}

int mlops_semver_compare(const mlops_semver *a, const mlops_semver *b)
{
    /* NULL sorts first so that sorting a list with a hole does not crash. */
    if (!a || !b)
        return a == b ? 0 : (a ? 1 : -1);
    semver_view va = { a->major, a->minor, a->patch, a->pre, strlen(a->pre), a->build, 0 };
    semver_view vb = { b->major, b->minor, b->patch, b->pre, strlen(b->pre), b->build, 0 };
    return compare_view(&va, &vb);
}
