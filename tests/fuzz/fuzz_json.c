/*
 * Fuzz target for the strict JSON reader and the writers.
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * Any input either fails to parse with a recorded error, or parses and then:
 * its canonical form parses again and writes the same bytes (a fixed point),
 * and its pretty form parses to the same canonical bytes. A number outside
 * the range of a double has no canonical form; that is the one allowed
 * write failure. mlops__json_parse_inplace() must agree with
 * mlops__json_parse() on the outcome, the error position and the output.
 * mlops__json_number_exact() holds for every canonical number and answers
 * 0 or 1 for any bytes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "mlops.h"

static void check(int cond)
{
    if (!cond)
        abort();
}

static int canonical(mlops_buf *out, const char *data, size_t size, int *parsed)
{
    mlops__json_doc *doc = NULL;
    mlops__json_limits lim = { 0, 1u << 20 };
    int rc = mlops__json_parse(&doc, data, size, &lim, "fuzz");
    *parsed = rc == 0;
    if (rc) {
        check(rc == MLOPS_E_PARSE || rc == MLOPS_E_LIMIT || rc == MLOPS_E_NOMEM);
        check(mlops_error_last_code() == rc);
        check(doc == NULL);
        return rc;
    }
    rc = mlops__json_write_canonical(out, mlops__json_root(doc));
    mlops__json_doc_free(doc);
    return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_inplace(const uint8_t *data, size_t size, int rc_copy, int64_t offset,
                          const mlops_buf *canon)
{
    char *mine = malloc(size + 1);
    if (!mine)
        return;
    memcpy(mine, data, size);
    mine[size] = '\0';
    mlops__json_doc *doc = NULL;
    mlops__json_limits lim = { 0, 1u << 20 };
    int rc = mlops__json_parse_inplace(&doc, mine, size, &lim, "fuzz");
    check((rc == 0) == (rc_copy == 0));
    if (rc) {
        check(rc == rc_copy && mlops_error_last_offset() == offset);
    } else {
        mlops_buf out = MLOPS_BUF_INIT;
        int w = mlops__json_write_canonical(&out, mlops__json_root(doc));
        check(w == 0 ? canon->size == out.size && memcmp(canon->data, out.data, out.size) == 0
                     : canon->size == 0);
        mlops_buf_dispose(&out);
    }
    mlops__json_doc_free(doc);
    free(mine);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mlops_buf a = MLOPS_BUF_INIT, b = MLOPS_BUF_INIT, p = MLOPS_BUF_INIT, c = MLOPS_BUF_INIT;
    int parsed;
    int rc = canonical(&a, (const char *)data, size, &parsed);
    check_inplace(data, size, parsed ? 0 : rc, mlops_error_last_offset(), &a);
    if (!parsed)
        goto done;
    if (rc) {
        check(rc == MLOPS_E_LIMIT); /* a number beyond a double */
        goto done;
    }
    check(canonical(&b, a.data, a.size, &parsed) == 0);
    check(a.size == b.size && memcmp(a.data, b.data, a.size) == 0);

    mlops__json_doc *doc = NULL;
    check(mlops__json_parse(&doc, a.data, a.size, NULL, NULL) == 0);
    check(mlops__json_write_pretty(&p, mlops__json_root(doc)) == 0);
    mlops__json_doc_free(doc);
    check(canonical(&c, p.data, p.size, &parsed) == 0);
    check(a.size == c.size && memcmp(a.data, c.data, a.size) == 0);
    /* A number's canonical form has, by definition, its own value. */
    if (a.size && (a.data[0] == '-' || (a.data[0] >= '0' && a.data[0] <= '9')))
        check(mlops__json_number_exact(a.data, a.size) == 1);
done:
    /* Any bytes: the exactness test answers 0 or 1 and reads only `size` bytes. */
    check((mlops__json_number_exact((const char *)data, size) & ~1) == 0);
    mlops_buf_dispose(&a);
    mlops_buf_dispose(&b);
    mlops_buf_dispose(&p);
    mlops_buf_dispose(&c);
    return 0;
}
