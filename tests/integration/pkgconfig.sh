#!/usr/bin/env bash
# The installed headers and libmlops.pc are complete: install the build into a
# staging directory, then compile and run every C example with nothing but
# `pkg-config --cflags --libs libmlops`. Also checks the uninstalled .pc file.
# usage: pkgconfig.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$(cd "$1" && pwd) src=$(cd "$2" && pwd)
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

meson install -C "$build" --no-rebuild --quiet --destdir "$stage" >/dev/null
pcdir=$(dirname "$(find "$stage" -name libmlops.pc | head -n1)")
[ -f "$pcdir/libmlops.pc" ] || { echo "libmlops.pc was not installed"; exit 1; }

export PKG_CONFIG_PATH="$pcdir" PKG_CONFIG_SYSROOT_DIR="$stage"
cflags=$(pkg-config --cflags libmlops)
libs=$(pkg-config --libs libmlops)
echo "installed: pkg-config --cflags --libs libmlops -> $cflags $libs"
libdir=$(pkg-config --variable=libdir libmlops)   # sysroot-prefixed

printf 'model bytes\n' > "$stage/model.bin"
expect=$(sha256sum "$stage/model.bin" | cut -d' ' -f1)
for example in "$src"/examples/c/*.c; do
    name=$(basename "$example" .c)
    cc -std=c11 -Wall -Wextra -Werror $cflags "$example" -o "$stage/$name" $libs -lm
    case "$name" in
    core_hash_and_compare)
        out=$(LD_LIBRARY_PATH="$libdir" "$stage/$name" "$stage/model.bin" 1.0.0 1.0.0-rc.1)
        grep -q "^sha256:$expect " <<<"$out" || { echo "wrong digest: $out"; exit 1; }
        grep -q "^1.0.0 > 1.0.0-rc.1$" <<<"$out" || { echo "wrong order: $out"; exit 1; }
        ;;
    artifact_manifest) want="parent link checked: yes" ;;&
    decide_policy)     want="suppressed (COOLDOWN) for another 5h" ;;&
    monitor_drift)     want="drifted: yes, missing in current: 1" ;;&
    monitor_profile)   want="verdict drift" ;;&
    artifact_manifest|decide_policy|monitor_drift|monitor_profile)
        out=$(LD_LIBRARY_PATH="$libdir" "$stage/$name")
        grep -qF "$want" <<<"$out" || { echo "$name: expected '$want' in: $out"; exit 1; }
        ;;
    *)
        echo "example $name has no check in tests/integration/pkgconfig.sh"; exit 1
        ;;
    esac
    echo "example $name: built against the installed library and ran"
done

# The uninstalled .pc file meson writes for use straight from the build tree.
unset PKG_CONFIG_SYSROOT_DIR
export PKG_CONFIG_PATH="$build/meson-uninstalled"
cc -std=c11 -Wall -Werror $(pkg-config --cflags libmlops) "$src/examples/c/core_hash_and_compare.c" \
    -o "$stage/uninstalled" $(pkg-config --libs libmlops)
LD_LIBRARY_PATH="$build/src" "$stage/uninstalled" "$stage/model.bin" 1.0.0 2.0.0 | grep -q "^1.0.0 < 2.0.0$"
echo "uninstalled: pkg-config libmlops-uninstalled works"

# Only mlops_ names are exported by the installed library.
so=$(find "$stage" -name 'libmlops.so.*.*' | head -n1)
bad=$(nm -D --defined-only "$so" | awk '$2 != "A" {print $3}' | grep -v '^mlops_' || true)
[ -z "$bad" ] || { echo "non-mlops_ exports: $bad"; exit 1; }
echo "installed library exports $(nm -D --defined-only "$so" | awk '$2 != "A"' | wc -l) symbols, all mlops_"
