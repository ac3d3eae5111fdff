/**
 * @file
 * libmlops — the umbrella header. Everything reachable from here is the stable API.
 *
 * SPDX-License-Identifier: Apache-2.0
 */
#ifndef MLOPS_H
#define MLOPS_H

#include "mlops/common.h"
#include "mlops/category.h"
#include "mlops/decision.h"
#include "mlops/detector.h"
#include "mlops/digest.h"
#include "mlops/drift.h"
#include "mlops/dsse.h"
#include "mlops/gate.h"
#include "mlops/key.h"
#include "mlops/layout.h"
#include "mlops/manifest.h"
#include "mlops/package.h"
#include "mlops/packer.h"
#include "mlops/policy.h"
#include "mlops/profile.h"
#include "mlops/semver.h"
#include "mlops/store.h"
#include "mlops/timestamp.h"

#endif /* MLOPS_H */
