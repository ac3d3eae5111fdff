#!/usr/bin/env bash
# Installs the Python binding the two ways a user would, each in a fresh venv,
# and smoke-tests it from outside the source tree:
#   (a) pure package: `pip install ./bindings/python`, then the library found
#       through MLOPS_LIBRARY, and again through pkg-config (the build
#       installed into a staging directory);
#   (b) self-contained wheel: built from the repository root with meson-python
#       (build tools fetched from PyPI by pip's build isolation), installed into
#       a second fresh venv where no libmlops can be found any other way.
# Prints PASS/FAIL per check and "install_check: N passed, M failed".
#
# usage: bindings/python/tests/install_check.sh [BUILD_DIR]   (default build/test)
set -uo pipefail
repo=$(cd "$(dirname "$0")/../../.." && pwd)
build=$(cd "${1:-$repo/build/test}" && pwd)
python=${PYTHON:-python3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0

check() {  # check NAME COMMAND...: run, report, count
    local name=$1; shift
    if "$@" >"$tmp/log" 2>&1; then
        echo "PASS $name"; passed=$((passed + 1))
        tail -n 1 "$tmp/log" | sed 's/^/    /'
    else
        echo "FAIL $name"; sed 's/^/    /' "$tmp/log" | tail -n 40; failed=$((failed + 1))
    fi
}

# The smoke test: imports the installed package (not the source tree), checks
# where the library came from, and hashes, parses and compares.
cat >"$tmp/smoke.py" <<'PY'
import hashlib, os, sys
import mlops
want_source, venv = sys.argv[1], sys.argv[2]
assert mlops.__file__.startswith(venv), f"imported {mlops.__file__}, not from {venv}"
assert mlops.library_source() == want_source, (mlops.library_source(), mlops.library_path())
if want_source == "bundled":
    assert mlops.library_path().startswith(venv), mlops.library_path()
assert mlops.sha256(b"abc") == "sha256:" + hashlib.sha256(b"abc").hexdigest()
with open(sys.argv[3], "rb") as f:
    assert mlops.sha256_file(sys.argv[3]) == "sha256:" + hashlib.sha256(f.read()).hexdigest()
assert mlops.SemVer("1.0.0-rc.1") < mlops.SemVer("1.0.0")
assert mlops.parse_timestamp("1970-01-01T00:00:01.5Z") == (1, 500000000)
try:
    mlops.SemVer("01.0.0")
except mlops.ParseError as e:
    assert e.offset == 0
else:
    raise AssertionError("no ParseError")
p = mlops.Profile(values=[1.0, 2.0, 3.0, 4.0]) + mlops.Profile(values=[5.0])
assert (p.count, p.mean, p.quantile(0.5)) == (5, 3.0, 3.0)
key = mlops.SigningKey()
env = mlops.dsse_sign(b"statement", key)
assert mlops.dsse_verify(env, key) == b"statement"
m = mlops.ManifestBuilder("smoke", "1.0.0", "2026-01-01T00:00:00Z").add_file("a", 1, "00" * 32).finish()
assert mlops.Manifest(m.to_bytes()) == m
assert mlops.Detector("adwin").update([0.0] * 10).drifts == []
assert os.path.isfile(os.path.join(os.path.dirname(mlops.__file__), "py.typed"))
print(f"mlops {mlops.__version__}, libmlops {mlops.library_version()} from "
      f"{mlops.library_source()}: {mlops.library_path()}")
PY
printf 'model bytes\n' >"$tmp/model.bin"

# An environment where nothing but what a check adds can find libmlops.
isolated() {
    env -u MLOPS_LIBRARY -u LD_LIBRARY_PATH -u PKG_CONFIG_PATH -u PYTHONPATH \
        PKG_CONFIG_LIBDIR="$tmp/no-pc" "$@"
}

# (a) the pure package against the built library
pure_install() {
    "$python" -m venv "$tmp/venv-pure" &&
    "$tmp/venv-pure/bin/pip" install --quiet --disable-pip-version-check "$repo/bindings/python"
}
check "pip install ./bindings/python (fresh venv)" pure_install

pure_by_env() {
    cd "$tmp" && isolated env MLOPS_LIBRARY="$build/src/libmlops.so.0" \
        "$tmp/venv-pure/bin/python" smoke.py MLOPS_LIBRARY "$tmp/venv-pure" model.bin
}
check "pure package finds the library through MLOPS_LIBRARY" pure_by_env

stage_and_find() {
    meson install -C "$build" --no-rebuild --quiet --destdir "$tmp/stage" >/dev/null || return 1
    local pc; pc=$(dirname "$(find "$tmp/stage" -name libmlops.pc | head -n1)")
    cd "$tmp" && isolated env PKG_CONFIG_PATH="$pc" PKG_CONFIG_SYSROOT_DIR="$tmp/stage" \
        "$tmp/venv-pure/bin/python" smoke.py pkg-config "$tmp/venv-pure" model.bin
}
check "pure package finds the installed library through pkg-config" stage_and_find

# (b) the self-contained wheel
build_wheel() {
    "$python" -m venv "$tmp/venv-build" &&
    "$tmp/venv-build/bin/pip" wheel --quiet --disable-pip-version-check --no-deps \
        -w "$tmp/wheels" "$repo" &&
    "$python" -c "import sys, zipfile; names = zipfile.ZipFile(sys.argv[1]).namelist(); \
sys.exit(0 if 'mlops/libmlops.so' in names and 'mlops/py.typed' in names else f'not in the wheel: {names}')" \
        "$tmp"/wheels/libmlops-*.whl
}
check "meson-python wheel with libmlops inside" build_wheel

wheel_install() {
    "$python" -m venv "$tmp/venv-wheel" &&
    "$tmp/venv-wheel/bin/pip" install --quiet --disable-pip-version-check "$tmp"/wheels/libmlops-*.whl &&
    cd "$tmp" &&
    # nothing outside the wheel can provide the library
    isolated "$tmp/venv-wheel/bin/python" -c \
        "import ctypes.util, sys; sys.exit(ctypes.util.find_library('mlops') is not None)" &&
    isolated "$tmp/venv-wheel/bin/python" smoke.py bundled "$tmp/venv-wheel" model.bin
}
check "wheel in a second fresh venv without a system libmlops" wheel_install

echo "install_check: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
