#!/usr/bin/env bash
# libmlops as other projects consume it, each building and running
# tests/consumers/consumer.c (SHA-256 of "abc", checked against sha256sum):
#
#  1. a default `meson setup` where cmocka cannot be found configures (the unit
#     tests are left out with a message), and -Dtests=enabled then fails;
#  2. a build with -Ddefault_library=both installed into a staging prefix:
#     its libmlops.pc (--static: Libs.private/Requires.private) and files;
#  3. a CMake project: find_package(libmlops CONFIG), libmlops::libmlops and
#     libmlops::libmlops_static (tests/consumers/cmake);
#  4. a static link with pkg-config --static (no libmlops.so needed at run time);
#  5. a meson project with libmlops as a subproject, cmocka not visible:
#     installing it installs the program and libmlops.so, and no `mlops`,
#     man page, header, pkg-config file or CMake package.
#
# Exits 77 (skipped) only when cmake is missing, after the other parts passed
# (scripts/bootstrap --test installs it).
# usage: consumers.sh SOURCE_DIR
set -euo pipefail
src=$(cd "$1" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

want=$(printf abc | sha256sum | cut -d' ' -f1)
check_run() {  # check_run LABEL PROGRAM [ENV...]: run and check the output
    local label=$1 prog=$2; shift 2
    local out
    out=$(env "$@" "$prog") || fail "$label: $prog exited with $?: $out"
    grep -qx "digest sha256:$want" <<<"$out" || fail "$label: wrong digest: $out"
    grep -qx "1.0.0-rc.1 < 1.0.0" <<<"$out" || fail "$label: wrong order: $out"
    echo "$label: built and ran ($(tail -n1 <<<"$out"))"
}

# An environment where cmocka cannot be found: pkg-config sees every .pc file
# but cmocka's, and meson's CMake lookup (cmocka also ships a CMake package)
# has no cmake.
nocmocka="$work/pc-without-cmocka"
mkdir -p "$nocmocka"
IFS=: read -r -a pcdirs <<<"$(pkg-config --variable pc_path pkg-config)"
for d in "${pcdirs[@]}"; do
    [ -d "$d" ] || continue
    for pc in "$d"/*.pc; do
        [ -e "$pc" ] && [ "$(basename "$pc")" != cmocka.pc ] &&
            [ ! -e "$nocmocka/$(basename "$pc")" ] && ln -s "$pc" "$nocmocka/"
    done
done
printf '[binaries]\ncmake = %s\n' "'$(command -v false)'" > "$work/no-cmake.ini"
PKG_CONFIG_LIBDIR="$nocmocka" pkg-config --exists cmocka && fail "cmocka is still visible"
nocmocka_env=(env PKG_CONFIG_LIBDIR="$nocmocka" PKG_CONFIG_PATH=)

# --- 1. tests=auto without cmocka
log="$work/setup.log"
"${nocmocka_env[@]}" meson setup "$work/auto" "$src" --native-file "$work/no-cmake.ini" \
    -Dbench=disabled -Ddocs=disabled >"$log" 2>&1 || { cat "$log"; fail "default setup without cmocka failed"; }
grep -q "cmocka was not found: the unit tests (tests/unit) are not built" "$log" ||
    { cat "$log"; fail "no message about the unit tests left out"; }
meson introspect --tests "$work/auto" | python3 -c '
import json, sys
names = {t["name"] for t in json.load(sys.stdin)}
assert "test_digest" not in names, "a cmocka test is registered without cmocka"
assert "exported-symbols" in names, "the tests that need no cmocka are gone"'
echo "tests=auto without cmocka: configured, unit tests left out with a message"
if "${nocmocka_env[@]}" meson setup "$work/enabled" "$src" --native-file "$work/no-cmake.ini" \
       -Dtests=enabled -Dbench=disabled -Ddocs=disabled >"$log" 2>&1; then
    fail "-Dtests=enabled configured without cmocka"
fi
grep -qi "cmocka" "$log" || { cat "$log"; fail "-Dtests=enabled failed, but not over cmocka"; }
echo "tests=enabled without cmocka: refused"
rm -rf "$work/auto" "$work/enabled"

# --- 2. shared and static library, staged install
stage="$work/stage" prefix=/opt/libmlops
meson setup "$work/both" "$src" --prefix "$prefix" -Ddefault_library=both -Dbuildtype=release \
    -Dtests=disabled -Dbench=disabled -Dexamples=disabled -Ddocs=disabled >/dev/null
ninja -C "$work/both" >/dev/null || fail "the -Ddefault_library=both build failed"
meson install -C "$work/both" --no-rebuild --quiet --destdir "$stage" >/dev/null
rm -rf "$work/both"   # the consumers below see the installed files only
root="$stage$prefix"
libdir=$(dirname "$(find "$root" -name libmlops.a | head -n1)")
for f in libmlops.a libmlops.so "libmlops.so.0" pkgconfig/libmlops.pc \
         cmake/libmlops/libmlopsConfig.cmake cmake/libmlops/libmlopsConfigVersion.cmake; do
    [ -e "$libdir/$f" ] || fail "$f was not installed into $libdir"
done
export PKG_CONFIG_PATH="$libdir/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$stage"
# A static libmlops links against the shared libcrypto, libarchive and zlib:
# Libs.private names them; no Requires.private, whose --static closure
# (libarchive's own Libs.private) is not installed with their -dev packages.
[ -z "$(pkg-config --print-requires-private libmlops)" ] ||
    fail "Requires.private: $(pkg-config --print-requires-private libmlops)"
static_libs=" $(pkg-config --static --libs libmlops) "
for l in -lmlops -lcrypto -larchive -lz -pthread -lm; do
    grep -q -- " $l " <<<"$static_libs" || fail "pkg-config --static --libs lacks $l: $static_libs"
done
shared_libs=$(pkg-config --libs libmlops)
[ "$(tr -s ' ' <<<" $shared_libs " | sed 's/ -L[^ ]* / /')" = " -lmlops " ] ||
    fail "pkg-config --libs is not just -lmlops: $shared_libs"
bad=$(nm -g --defined-only "$libdir/libmlops.a" | awk 'NF == 3 {print $3}' | grep -v '^mlops_' || true)
[ -z "$bad" ] || fail "libmlops.a defines non-mlops_ names: $bad"
echo "default_library=both: installed; pkg-config --static --libs:$static_libs"
echo "libmlops.a defines $(nm -g --defined-only "$libdir/libmlops.a" | awk 'NF == 3' | wc -l) global names, all mlops_"

# --- 4. static link through pkg-config --static
cc -std=c11 -Wall -Wextra -Werror $(pkg-config --cflags libmlops) "$src/tests/consumers/consumer.c" \
    -o "$work/consumer_static" \
    $(pkg-config --static --libs libmlops | sed 's/-lmlops/-Wl,-Bstatic -lmlops -Wl,-Bdynamic/')
if readelf -d "$work/consumer_static" | grep -q 'NEEDED.*libmlops'; then
    fail "the static consumer still needs libmlops.so"
fi
check_run "static (pkg-config --static)" "$work/consumer_static"
unset PKG_CONFIG_PATH PKG_CONFIG_SYSROOT_DIR

# --- 3. CMake package
have_cmake=yes
if ! command -v cmake >/dev/null; then
    have_cmake=no
    echo "cmake is not installed: the CMake consumer is skipped (apt-get install cmake)"
else
    # The staged tree stands for the install: the package finds its files
    # relative to its own location.
    cmake -S "$src/tests/consumers/cmake" -B "$work/cmake" -DCMAKE_PREFIX_PATH="$root" \
        -DCMAKE_BUILD_TYPE=Release -DWANT_STATIC=ON >"$log" 2>&1 || { cat "$log"; fail "cmake configure failed"; }
    grep -q "libmlops 0.1.0 from $libdir/cmake/libmlops" "$log" || { cat "$log"; fail "wrong package found"; }
    cmake --build "$work/cmake" >"$log" 2>&1 || { cat "$log"; fail "cmake build failed"; }
    readelf -d "$work/cmake/consumer" | grep -q 'NEEDED.*\[libmlops\.so\.0\]' ||
        fail "the CMake consumer does not link libmlops.so.0"
    if readelf -d "$work/cmake/consumer_static" | grep -q 'NEEDED.*libmlops'; then
        fail "libmlops::libmlops_static links the shared library"
    fi
    check_run "cmake libmlops::libmlops" "$work/cmake/consumer" LD_LIBRARY_PATH="$libdir"
    check_run "cmake libmlops::libmlops_static" "$work/cmake/consumer_static"
    # A version of another 0.x series is not compatible (docs/abi-policy.md).
    mkdir -p "$work/cmake-version"
    cat > "$work/cmake-version/CMakeLists.txt" <<'EOF'
cmake_minimum_required(VERSION 3.19)
project(version_check C)
foreach(request 0.2 1.0 0.1.1 0.0...0.9)
  find_package(libmlops ${request} CONFIG QUIET)
  if(libmlops_FOUND)
    message(FATAL_ERROR "libmlops ${libmlops_VERSION} accepted for a request of ${request}")
  endif()
endforeach()
find_package(libmlops 0.1...<0.2 CONFIG REQUIRED)
find_package(libmlops 0.1.0 EXACT CONFIG REQUIRED)
EOF
    cmake -S "$work/cmake-version" -B "$work/cmake-version/build" -DCMAKE_PREFIX_PATH="$root" \
        >"$log" 2>&1 || { cat "$log"; fail "the CMake package version check failed"; }
    echo "cmake: 0.1.0 found for 0.1.0 EXACT and 0.1...<0.2, refused for 0.2, 1.0, 0.1.1 and 0.0...0.9"
fi

# --- 5. meson subproject, cmocka not visible
parent="$work/parent"
mkdir -p "$parent/subprojects"
cp "$src/tests/consumers/meson-subproject/meson.build" "$src/tests/consumers/consumer.c" "$parent/"
ln -s "$src" "$parent/subprojects/libmlops"
"${nocmocka_env[@]}" meson setup "$parent/build" "$parent" --native-file "$work/no-cmake.ini" \
    --prefix /usr --force-fallback-for=libmlops >"$log" 2>&1 ||
    { cat "$log"; fail "the parent project did not configure without cmocka"; }
ninja -C "$parent/build" >"$log" 2>&1 || { cat "$log"; fail "the parent project did not build"; }
# Tests, benchmarks, examples, man3 pages and the command are off in a subproject.
[ ! -e "$parent/build/subprojects/libmlops/src/cli/mlops" ] || fail "the subproject built the mlops command"
[ ! -e "$parent/build/subprojects/libmlops/docs/man3" ] || fail "the subproject generated man3 pages"
ntests=$(meson introspect --tests "$parent/build" | python3 -c 'import json, sys; print(len(json.load(sys.stdin)))')
[ "$ntests" = 0 ] || fail "the subproject registered $ntests tests"
installed_files() {  # installed_files STAGE: every file and link, as absolute paths
    (cd "$1" && find . -type f -o -type l | sed 's|^\./|/|' | sort)
}
pstage="$work/parent-stage"
meson install -C "$parent/build" --no-rebuild --quiet --destdir "$pstage" >/dev/null
installed=$(installed_files "$pstage")
echo "subproject install: $(tr '\n' ' ' <<<"$installed")"
grep -qx /usr/bin/consumer <<<"$installed" || fail "the parent's program was not installed"
grep -q '/libmlops\.so\.0$' <<<"$installed" || fail "libmlops.so.0 was not installed"
# The library and, as meson installs with any shared library, its unversioned
# link libmlops.so; nothing else.
extra=$(grep -v -x -e /usr/bin/consumer -e '.*/libmlops\.so' -e '.*/libmlops\.so\.0' \
        -e '.*/libmlops\.so\.0\.[0-9.]*' <<<"$installed" || true)
[ -z "$extra" ] || fail "a subproject installed more than the library: $extra"
ldir=$(dirname "$(grep '/libmlops\.so\.0$' <<<"$installed")")
check_run "meson subproject (installed)" "$pstage/usr/bin/consumer" LD_LIBRARY_PATH="$pstage$ldir"
# `meson install --tags runtime` leaves the link out too.
meson install -C "$parent/build" --no-rebuild --quiet --tags runtime --destdir "$work/runtime" >/dev/null
runtime=$(installed_files "$work/runtime" | tr '\n' ' ')
[ "$runtime" = "/usr/bin/consumer $ldir/libmlops.so.0 $ldir/libmlops.so.0.1.0 " ] ||
    fail "meson install --tags runtime installed: $runtime"
echo "subproject install --tags runtime: $runtime"

[ "$have_cmake" = yes ] || exit 77
echo "consumers: all passed"
