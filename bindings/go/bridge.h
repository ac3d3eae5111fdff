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


/*
 * Wrappers that build an options struct on the C stack from scalar
 * arguments (with its _options_init function) and route any progress
 * callback to mlopsgoProgress through a cgo.Handle value (0: none).
 */
int mlopsgo_dsse_verify(mlops_buf *payload, const char *env, size_t len,
                        const mlops_keyring *ring, uint32_t threshold,
                        const char *payload_type);
int mlopsgo_dsse_verify_detached(const char *env, size_t len, const void *payload,
                                 size_t plen, const mlops_keyring *ring,
                                 uint32_t threshold, const char *payload_type);
int mlopsgo_package_verify(mlops_package_report **report, const char *path, uint32_t flags,
                           const mlops_keyring *ring, uint32_t threshold,
                           const char *const *paths, size_t npaths, uintptr_t handle);
int mlopsgo_package_extract(const char *path, const char *dest, uint32_t flags,
                            const mlops_keyring *ring, uint32_t threshold, uintptr_t handle);
int mlopsgo_package_sign(const char *in, const char *out, const mlops_key *const *keys,
                         size_t nkeys, uint32_t vflags, const mlops_keyring *ring,
                         uint32_t threshold, uintptr_t handle, uint32_t flags);
int mlopsgo_store_add(mlops_store *s, const char *path, uint32_t flags,
                      const mlops_keyring *ring, uint32_t threshold, uintptr_t handle);
/* The packer keeps its options; its progress context is a C slot holding
 * the handle of the write in progress (0 between writes). */
int mlopsgo_packer_new(mlops_packer **out, uint32_t flags, const mlops_key *const *keys,
                       size_t nkeys, int64_t mtime, uint64_t shard_size, uint32_t threads,
                       uintptr_t *slot);
int mlopsgo_manifest_parse(mlops_manifest **out, const char *data, size_t len,
                           size_t max_size, size_t max_depth);
int mlopsgo_profile_new(mlops_profile **out, int kind, uint32_t kll_k, uint64_t seed,
                        const double *edges, size_t n_edges, uint32_t category_cap);
/* Detector options in the order of mlops_detector_options after its header
 * and flags; `set` says which of the 20 fields to take (bit i: field i). */
typedef struct mlopsgo_detector_params {
    double d[20];
} mlopsgo_detector_params;
int mlopsgo_detector_new(mlops_detector **out, int type, const mlopsgo_detector_params *p,
                         uint32_t set);
int mlopsgo_sketch_test(int which, double *res, const mlops_profile *ref,
                        const mlops_profile *cur, double param);

/* Drift options without pointers (the edges travel as their own argument). */
typedef struct mlopsgo_drift_opts {
    uint32_t flags;
    uint32_t binning;
    size_t bins;
    double smoothing;
    double js_base;
    double threshold;
    uint32_t ks_mode;
} mlopsgo_drift_opts;
typedef struct mlopsgo_table_opts {
    uint32_t flags;
    uint32_t rule;
    double drift_share;
    double alpha;
    double effect_floor;
    uint32_t threads;
} mlopsgo_table_opts;
int mlopsgo_drift_defaults(mlopsgo_drift_opts *g, mlopsgo_table_opts *t);
int mlopsgo_drift_numeric(mlops_drift_result **out, int metric, const double *ref, size_t n_ref,
                          const double *cur, size_t n_cur, const mlopsgo_drift_opts *g,
                          const double *edges, size_t n_edges);
int mlopsgo_drift_categorical(mlops_drift_result **out, int metric, const int64_t *ref,
                              size_t n_ref, const int64_t *cur, size_t n_cur, uint32_t n_cat,
                              const mlopsgo_drift_opts *g);
int mlopsgo_drift_reference_new(mlops_drift_reference **out, const double *ref, size_t n_ref,
                                const mlopsgo_drift_opts *g, const double *edges, size_t n_edges);
int mlopsgo_drift_reference_compare(mlops_drift_result **out, const mlops_drift_reference *ref,
                                    int metric, const double *cur, size_t n_cur,
                                    const mlopsgo_drift_opts *g);
int mlopsgo_drift_counts(mlops_drift_result **out, int metric, const double *edges,
                         size_t n_edges, const uint64_t *ref_counts, const uint64_t *cur_counts,
                         size_t bins, uint64_t missing_ref, uint64_t missing_cur,
                         const mlopsgo_drift_opts *g);
int mlopsgo_profile_drift(mlops_drift_result **out, const mlops_profile *ref,
                          const mlops_profile *cur, int metric, const mlopsgo_drift_opts *g);
int mlopsgo_drift_table(mlops_drift_table_result **out, const double *ref, size_t n_ref,
                        const double *cur, size_t n_cur, size_t n_cols, const int *metrics,
                        const mlopsgo_table_opts *t, const mlopsgo_drift_opts *g,
                        const double *edges, size_t n_edges);

#endif /* MLOPSGO_BRIDGE_H */
