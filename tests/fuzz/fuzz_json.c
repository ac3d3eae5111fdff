/*
 * Fuzz target for the strict JSON reader and the writers.
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * Any input either fails to parse with a recorded error, or parses and then:
 * its canonical form parses again and writes the same bytes (a fixed point),
 * and its pretty form parses to the same canonical bytes. A number outside
 * the range of a double has no canonical form; that is the one allowed
 * write failure.
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mlops_buf a = MLOPS_BUF_INIT, b = MLOPS_BUF_INIT, p = MLOPS_BUF_INIT, c = MLOPS_BUF_INIT;
    int parsed;
    int rc = canonical(&a, (const char *)data, size, &parsed);
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
done:
    mlops_buf_dispose(&a);
    mlops_buf_dispose(&b);
    mlops_buf_dispose(&p);
    mlops_buf_dispose(&c);
    return 0;
}
