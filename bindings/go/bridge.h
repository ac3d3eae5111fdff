/*
 * C side of the Go binding: declarations shared by every cgo preamble.
 *
 * SPDX-License-Identifier: Apache-2.0
 *
 * The build-time ABI guard lives here so that every Go file that includes
 * this header refuses to compile against headers of another ABI major.
 */
#ifndef MLOPSGO_BRIDGE_H
#define MLOPSGO_BRIDGE_H

#include <stdint.h>
#include <stdlib.h>

#include <mlops.h>

/* Keep in step with BindingABIMajor in mlops.go. */
#if !defined(MLOPS_ABI_MAJOR) || MLOPS_ABI_MAJOR != 0
#error "libmlops Go binding: the libmlops headers found declare an ABI major other than 0; this binding is written for ABI 0"
#endif

/* A snapshot of the calling thread's error record, read in one cgo call. */
typedef struct mlopsgo_error {
    int code;
    uint32_t line;
    uint32_t column;
    int64_t offset;
    const char *message; /* owned by the library; valid until its next call on this thread */
    const char *path;
} mlopsgo_error;

void mlopsgo_error_read(mlopsgo_error *e);

/*
 * mlops_digest_file() with the progress callback routed to the exported Go
 * function mlopsgoProgress. `handle` is a runtime/cgo.Handle value (never a Go
 * pointer); 0 means no callback.
 */
int mlopsgo_digest_file(uint8_t *out, const char *path, size_t buffer_size, uintptr_t handle);

#endif /* MLOPSGO_BRIDGE_H */
