/*
 * C side of the Go binding: error snapshot and the progress trampoline.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "bridge.h"

#include "_cgo_export.h"

void mlopsgo_error_read(mlopsgo_error *e)
{
    e->code = mlops_error_last_code();
    e->line = mlops_error_last_line();
    e->column = mlops_error_last_column();
    e->offset = mlops_error_last_offset();
    e->message = mlops_error_last();
    e->path = mlops_error_last_path();
}

static int progress_trampoline(uint64_t done, uint64_t total, void *ctx)
{
    return mlopsgoProgress(done, total, (uintptr_t)ctx);
}

int mlopsgo_digest_file(uint8_t *out, const char *path, size_t buffer_size, uintptr_t handle)
{
    mlops_digest_file_options o;
    int rc = mlops_digest_file_options_init(&o, sizeof o);
    if (rc != 0)
        return rc;
    o.buffer_size = buffer_size;
    if (handle != 0) {
        o.progress = progress_trampoline;
        o.progress_ctx = (void *)handle;
    }
    return mlops_digest_file(out, path, &o);
}
