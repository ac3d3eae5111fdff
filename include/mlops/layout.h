/**
 * @file
 * libmlops — OCI image layouts turned into packages.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef MLOPS_LAYOUT_H
#define MLOPS_LAYOUT_H

#include "common.h"
#include "packer.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Turn an OCI image layout directory holding a model (for example one
 * pulled back from a registry with `skopeo copy docker://... oci:DIR:REF`)
 * into a `.mlpkg` with the packer's layout, so it can be verified or
 * extracted with mlops_package_verify() / mlops_package_extract().
 * Registries and copy tools often leave the signature behind: pass the
 * package's DSSE envelope (a detached `.sig`, or the one from the original
 * package) as `envelope` to carry it in; verification then checks it as
 * usual. Nothing in the layout is trusted: the result must still be
 * verified.
 * @param layout_dir the layout's directory (NUL-terminated; not retained);
 *        only read, never locked or changed.
 * @param reference the `org.opencontainers.image.ref.name` in the layout's
 *        index.json (what followed DIR: in the skopeo command).
 * @param envelope NULL for none. Its bytes are carried into the package as
 *        given (neither parsed nor verified here); not retained.
 * @param envelope_len the length of `envelope` in bytes (it need not be
 *        NUL-terminated); 0 when `envelope` is NULL (a NULL `envelope` with
 *        a non-zero length is MLOPS_E_INVALID).
 * @param out_path the package file to write, as for mlops_store_export().
 * @param mtime as mlops_store_export().
 * @param flags 0 or MLOPS_PACK_OVERWRITE.
 * @return 0, MLOPS_E_NOTFOUND (no such reference), MLOPS_E_PARSE,
 *         MLOPS_E_SCHEMA, MLOPS_E_INTEGRITY (a blob that does not hash to its
 *         name), MLOPS_E_EXISTS, MLOPS_E_IO, MLOPS_E_INVALID, MLOPS_E_NOMEM.
 */
MLOPS_EXTERN int mlops_layout_export(const char *layout_dir, const char *reference,
                                     const char *envelope, size_t envelope_len,
                                     const char *out_path, int64_t mtime, uint32_t flags);

#ifdef __cplusplus
}
#endif

#endif /* MLOPS_LAYOUT_H */
