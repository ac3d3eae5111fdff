#!/bin/sh
# Compare the built library's ABI with the committed baseline (abi/libmlops.abi).
# Any change to what the baseline exports (a removed function, a changed
# signature or type layout) fails; new functions pass (they are additions, and
# the version script records them). While the version is 0.x an intended
# incompatible change is made by refreshing the baseline in a reviewed commit:
#   abidw --no-corpus-path --headers-dir include/mlops build/src/libmlops.so > abi/libmlops.abi
# usage: check_abi.sh BASELINE LIBRARY HEADERS_DIR
set -u
baseline=$1 lib=$2 headers=$3
if ! command -v abidiff >/dev/null 2>&1; then
    echo "abidiff (Debian abigail-tools) is not installed" >&2
    exit 77
fi
# The experimental tier is not compared (abi/experimental.suppr).
suppr="$(dirname "$baseline")/experimental.suppr"
abidiff --no-added-syms --suppressions "$suppr" --headers-dir2 "$headers" "$baseline" "$lib"
rc=$?
# abidiff's exit status is a bit field: 1 error, 2 usage, 4 ABI change, 8 incompatible change.
if [ $((rc & 3)) -ne 0 ]; then
    echo "abidiff failed to run (status $rc)" >&2
    exit 1
fi
# abidiff counts a changed return type as "change" (4), not "incompatible" (8):
# for a library promising a stable ABI both are breaks.
if [ $((rc & 12)) -ne 0 ]; then
    echo "ABI CHANGE against $baseline (see above): refresh the baseline in a reviewed commit" >&2
    echo "only while the version is 0.x; see docs/abi-policy.md" >&2
    exit 1
fi
echo "ABI compatible with the baseline (additions allowed)"
exit 0
