/*
 * The version of the library actually loaded.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#include "mlops/common.h"

const char *mlops_version(void) { return MLOPS_VERSION_STRING; }
uint32_t mlops_version_number(void) { return MLOPS_VERSION_NUMBER; }
int mlops_abi_major(void) { return MLOPS_ABI_MAJOR; }
