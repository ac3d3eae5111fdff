#!/usr/bin/env bash
# The Debian packages, end to end: build libmlops0, libmlops-dev, mlops-tools
# and python3-libmlops with dpkg-buildpackage from a copy of the tree, run
# lintian on them, install them with apt, then use only what they installed:
#
#  - every C example in examples/c built with `pkg-config --cflags --libs
#    libmlops` (the installed .pc; no build-tree path anywhere) and run;
#  - the CMake package: tests/consumers/cmake with libmlops::libmlops and
#    libmlops::libmlops_static, found under /usr (when cmake is installed);
#  - /usr/bin/mlops on the demo's data: keygen, pack (signed), verify (and a
#    tampered copy refused), profile build, drift (a quiet window and a
#    drifted one), policy eval and the promotion gate;
#  - the Python binding imported by the system python3 from the installed
#    package, loading the installed libmlops.so.0;
#
# and finally purge the four packages, leaving the machine as it was (the
# build dependencies, installed by name like every CI dependency, stay).
#
# The package build runs with DEB_BUILD_OPTIONS=nocheck: the test suites run
# in their own builds in scripts/test. DEB_CHECK=1 runs the package's own
# tests too (the C unit suites and the binding's pytest; slower).
#
# usage: tests/packaging/deb.sh              (from anywhere, as root or with sudo)
#        DEB_OUTPUT=DIR tests/packaging/deb.sh   (keeps the .deb/.changes files and
#                                                 lintian's output in DIR)
# Ends with "deb: N passed, N failed"; exit 0 only when nothing failed. Only a
# machine without apt-get/dpkg is skipped (with a message, exit 0).
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)

if ! command -v apt-get >/dev/null 2>&1 || ! command -v dpkg >/dev/null 2>&1; then
    echo "deb: skipped: apt-get and dpkg are not available (not a Debian-based system)"
    exit 0
fi
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive

passed=0 failed=0
ok() { echo "ok: $*"; passed=$((passed + 1)); }
bad() { echo "FAILED: $*" >&2; failed=$((failed + 1)); }
summary() { echo "deb: $passed passed, $failed failed"; }

packages=(libmlops0 libmlops-dev mlops-tools python3-libmlops)
work=$(mktemp -d /tmp/libmlops-deb.XXXXXX)
installed=no
cleanup() {
    if [ -n "${DEB_OUTPUT:-}" ]; then
        mkdir -p "$DEB_OUTPUT"
        cp "$work"/*.deb "$work"/*.changes "$work"/*.buildinfo "$work"/*.log "$DEB_OUTPUT"/ 2>/dev/null || true
    fi
    if [ "$installed" = yes ]; then
        $sudo apt-get purge -y -qq "${packages[@]}" >/dev/null 2>&1 || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

for p in "${packages[@]}"; do
    if dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        bad "$p is already installed: this check installs and purges its own build; remove it first"
        summary
        exit 1
    fi
done

# --- the sources: the symbols file and the version agree with the tree
if "$src/debian/update-symbols" --check; then
    ok "debian/libmlops0.symbols lists every name of src/libmlops.map"
else
    bad "debian/libmlops0.symbols is out of date (debian/update-symbols)"
fi
meson_version=$(sed -n "s/^ *version : '\([^']*\)'.*/\1/p" "$src/meson.build" | head -n1)
deb_version=$(sed -n '1s/^[^ ]* (\([^)]*\)).*/\1/p' "$src/debian/changelog")
if [ "${deb_version%%-*}" = "$meson_version" ]; then
    ok "debian/changelog's version $deb_version is the project's $meson_version"
else
    bad "debian/changelog's version $deb_version is not the project's $meson_version (dch -v)"
fi

# --- build dependencies, by name (apt-get build-dep reads debian/control)
profile=nocheck
[ "${DEB_CHECK:-0}" = 1 ] && profile=""
log="$work/apt.log"
if ! { $sudo apt-get install -y -qq --no-install-recommends dpkg-dev build-essential lintian >"$log" 2>&1 &&
       $sudo apt-get build-dep -y -qq --no-install-recommends ${profile:+-P$profile} "$src" >>"$log" 2>&1; }; then
    $sudo apt-get update -qq >/dev/null 2>&1 || true
    $sudo apt-get install -y -qq --no-install-recommends dpkg-dev build-essential lintian >"$log" 2>&1 &&
        $sudo apt-get build-dep -y -qq --no-install-recommends ${profile:+-P$profile} "$src" >>"$log" 2>&1 ||
        { cat "$log"; bad "installing the build dependencies"; summary; exit 1; }
fi

# --- build from a copy of the tree (tracked files and new ones not ignored)
mkdir -p "$work/src"
if git -C "$src" rev-parse --git-dir >/dev/null 2>&1; then
    (cd "$src" && { git ls-files -z; git ls-files -z --others --exclude-standard; } |
        xargs -0 -r sh -c 'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done' sh |
        tar --null -T - -cf -) | tar -xf - -C "$work/src"
else
    tar -C "$src" --exclude=./build --exclude=./.git -cf - . | tar -xf - -C "$work/src"
fi
# The system's own python3 and tools, whatever PATH the caller has (a pyenv
# or venv python3 lacks Debian's build modules).
build_env=(env -u PYTHONPATH -u VIRTUAL_ENV -u PKG_CONFIG_PATH -u LD_LIBRARY_PATH -u CFLAGS
           -u LDFLAGS -u CC PATH=/usr/sbin:/usr/bin:/sbin:/bin
           DEB_BUILD_OPTIONS="${profile:+$profile }parallel=$(nproc)" DEB_BUILD_PROFILES="$profile")
start=$(date +%s)
if (cd "$work/src" && "${build_env[@]}" dpkg-buildpackage -us -uc -b) >"$work/build.log" 2>&1; then
    ok "dpkg-buildpackage -us -uc -b ($(( $(date +%s) - start )) s${profile:+, $profile})"
else
    tail -n 60 "$work/build.log"
    bad "dpkg-buildpackage"
    summary
    exit 1
fi
debs=()
for p in "${packages[@]}"; do
    f=$(ls "$work"/${p}_*.deb 2>/dev/null | head -n1)
    [ -n "$f" ] || { bad "no $p package was built"; continue; }
    debs+=("$f")
done
[ ${#debs[@]} -eq ${#packages[@]} ] || { summary; exit 1; }

# --- lintian: errors and warnings fail; info tags are shown
changes=$(ls "$work"/libmlops_*.changes)
lintian_rc=0
lintian --fail-on error,warning --display-info "$changes" >"$work/lintian.log" 2>&1 || lintian_rc=$?
sed -i '/^running with root privileges is not recommended!$/d' "$work/lintian.log"
cat "$work/lintian.log"
if [ "$lintian_rc" -eq 0 ]; then
    ok "lintian: no error or warning ($(grep -c '^[A-Z]: ' "$work/lintian.log" || true) other tags)"
else
    bad "lintian (exit $lintian_rc)"
fi

# What each package holds (man3 pages and Python modules counted, not listed).
for f in "${debs[@]}"; do
    echo "-- $(basename "$f"):"
    dpkg-deb -c "$f" | awk '{ print $6 ($7 ? " " $7 " " $8 : "") }' | sed 's|^\./|/|' |
        grep -v '/$' | awk '
            /\/man3\// { man3++; next }
            /\/dist-packages\/.*\.py$/ { py++; next }
            { print "   " $0 }
            END { if (man3) print "   + " man3 " man3 pages"; if (py) print "   + " py " Python modules" }'
done

# --- install the four packages (apt pulls in their dependencies)
if $sudo apt-get install -y -qq --no-install-recommends "${debs[@]}" >"$log" 2>&1; then
    installed=yes
    ok "apt-get install ${packages[*]}"
else
    installed=yes   # whatever got in is purged on exit
    cat "$log"
    bad "apt-get install of the built packages"
    summary
    exit 1
fi

# From here on nothing of the build tree: a neutral directory and the system's
# paths only.
run_env=(env -u LD_LIBRARY_PATH -u PKG_CONFIG_PATH -u PYTHONPATH -u VIRTUAL_ENV
         -u MLOPS_LIBRARY -u MLOPS_CLI PATH=/usr/sbin:/usr/bin:/sbin:/bin)
cd "$work"
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
installed_so=$(realpath "/usr/lib/$multiarch/libmlops.so.0")
uses_installed_lib() {  # uses_installed_lib PROGRAM: the loader resolves libmlops.so.0 to the package's file
    local so
    so=$("${run_env[@]}" ldd "$1" | awk '$1 == "libmlops.so.0" { print $3 }')
    [ -n "$so" ] && [ "$(realpath "$so")" = "$installed_so" ] &&
        ! readelf -d "$1" | grep -q 'RUNPATH\|RPATH'
}

# --- the C examples against the installed libmlops.pc
libdir=$("${run_env[@]}" pkg-config --variable=libdir libmlops || true)
cflags=$("${run_env[@]}" pkg-config --cflags libmlops || true)
libs=$("${run_env[@]}" pkg-config --libs libmlops || true)
if [ "$libdir" = "/usr/lib/$multiarch" ] && [ "$("${run_env[@]}" pkg-config --modversion libmlops)" = "$meson_version" ]; then
    ok "pkg-config finds the installed libmlops $meson_version in $libdir (cflags '$cflags', libs '$libs')"
else
    bad "pkg-config: libdir '$libdir', expected /usr/lib/$multiarch"
fi
printf 'model bytes\n' > model.bin
expect=$(sha256sum model.bin | cut -d' ' -f1)
for example in "$src"/examples/c/*.c; do
    name=$(basename "$example" .c)
    cp "$example" "$work/$name.c"
    if ! "${run_env[@]}" cc -std=c11 -Wall -Wextra -Werror $cflags "$name.c" -o "$name" $libs -lm; then
        bad "example $name: does not build against the installed headers and .pc"
        continue
    fi
    if ! uses_installed_lib "$name"; then
        bad "example $name: does not load /usr/lib/$multiarch/libmlops.so.0 (or has a run path)"
        continue
    fi
    want="" out=""
    case "$name" in
    core_hash_and_compare)
        out=$("${run_env[@]}" "./$name" model.bin 1.0.0 1.0.0-rc.1 || true)
        if grep -q "^sha256:$expect " <<<"$out" && grep -q "^1.0.0 > 1.0.0-rc.1$" <<<"$out"; then
            ok "example $name: built with pkg-config, ran, digest equals sha256sum"
        else
            bad "example $name: $out"
        fi
        continue ;;
    artifact_manifest) want="parent link checked: yes" ;;
    decide_policy)     want="suppressed (COOLDOWN) for another 5h" ;;
    monitor_drift)     want="drifted: yes, missing in current: 1" ;;
    monitor_profile)   want="verdict drift" ;;
    *) bad "example $name has no check in tests/packaging/deb.sh"; continue ;;
    esac
    out=$("${run_env[@]}" "./$name" || true)
    if grep -qF "$want" <<<"$out"; then
        ok "example $name: built with pkg-config and ran ('$want')"
    else
        bad "example $name: expected '$want' in: $out"
    fi
done

# --- the CMake package under /usr
if command -v cmake >/dev/null 2>&1; then
    mkdir -p cmake-consumer/cmake
    cp "$src/tests/consumers/consumer.c" cmake-consumer/
    cp "$src/tests/consumers/cmake/CMakeLists.txt" cmake-consumer/cmake/
    abc=$(printf abc | sha256sum | cut -d' ' -f1)
    if "${run_env[@]}" cmake -S cmake-consumer/cmake -B cmake-consumer/build -DWANT_STATIC=ON \
            -DCMAKE_BUILD_TYPE=Release >"$log" 2>&1 &&
       grep -q "libmlops $meson_version from /usr/lib/$multiarch/cmake/libmlops" "$log" &&
       "${run_env[@]}" cmake --build cmake-consumer/build >>"$log" 2>&1 &&
       "${run_env[@]}" cmake-consumer/build/consumer | grep -q "$abc" &&
       "${run_env[@]}" cmake-consumer/build/consumer_static | grep -q "$abc" &&
       ! readelf -d cmake-consumer/build/consumer_static | grep -q 'NEEDED.*libmlops'; then
        ok "CMake: find_package(libmlops CONFIG) under /usr; libmlops::libmlops and libmlops::libmlops_static built and ran"
    else
        cat "$log"
        bad "CMake consumer against the installed package"
    fi
else
    echo "note: cmake is not installed; the CMake consumer is left out (apt-get install cmake)"
fi

# --- the installed mlops command on the demo's steps
mlops=/usr/bin/mlops
data="$src/examples/data/diamonds"
policies="$src/examples/demo"
if [ "$("${run_env[@]}" sh -c 'command -v mlops')" = "$mlops" ] && uses_installed_lib "$mlops"; then
    ok "mlops on PATH is $mlops, linked to /usr/lib/$multiarch/libmlops.so.0"
else
    bad "mlops is not the installed $mlops with the installed library"
fi
# the completions the command's build generates, where bash and zsh look for them
if [ -s /usr/share/bash-completion/completions/mlops ] && [ -s /usr/share/zsh/site-functions/_mlops ] &&
   bash -c 'source /usr/share/bash-completion/completions/mlops; COMP_WORDS=(mlops dri); COMP_CWORD=1;
            _mlops; [ "${COMPREPLY[*]}" = drift ]'; then
    ok "bash and zsh completions installed; bash completes 'mlops dri' to drift"
else
    bad "the completions are missing or do not complete 'mlops dri'"
fi
step() {  # step WANT_RC DESCRIPTION -- ARGS...: run the installed mlops, check its exit status
    local want=$1 what=$2 rc=0; shift 3
    "${run_env[@]}" "$mlops" "$@" >"$work/step.out" 2>&1 || rc=$?
    if [ "$rc" -eq "$want" ]; then
        ok "mlops $what (exit $rc)"
    else
        sed 's/^/   /' "$work/step.out"
        bad "mlops $what: exit $rc, expected $want"
    fi
}
mkdir -p demo/model/model
cp "$data/model-1.0.0.onnx" demo/model/model/model.onnx
step 0 "keygen" -- keygen -o demo/release.pem --public demo/release.pub.pem
step 0 "pack (signed)" -- pack demo/model --dataset "$data/reference.csv" \
    -o demo/diamonds-1.0.0.mlpkg --name diamond-price-classifier --version 1.0.0 \
    --created 2026-11-26T08:00:00Z --framework onnx:1.17 \
    --metric auc=0.996962 --param max_depth=3 --key demo/release.pem
step 0 "verify --trust" -- verify demo/diamonds-1.0.0.mlpkg --trust demo/release.pub.pem
# The package records the model's digest as sha256sum computes it.
model_digest=$(sha256sum "$data/model-1.0.0.onnx" | cut -d' ' -f1)
if "${run_env[@]}" "$mlops" verify demo/diamonds-1.0.0.mlpkg --trust demo/release.pub.pem --format json 2>/dev/null |
       grep -q "$model_digest" ||
   grep -rqs "$model_digest" demo/diamonds-1.0.0.mlpkg; then
    ok "the package records the model's sha256sum digest"
else
    bad "the model's digest $model_digest is not in the package"
fi
# A package signed by another key is refused.
step 0 "keygen (another key)" -- keygen -o demo/other.pem --public demo/other.pub.pem
rc=0
"${run_env[@]}" "$mlops" verify demo/diamonds-1.0.0.mlpkg --trust demo/other.pub.pem >/dev/null 2>&1 || rc=$?
if [ "$rc" -ne 0 ]; then ok "mlops verify refuses an untrusted signer (exit $rc)"; else bad "mlops verify accepted an untrusted signer"; fi
step 0 "profile build" -- profile build "$data/reference.csv" --column carat -o demo/reference-carat.profile
step 0 "profile build (window 6)" -- profile build "$data/window-06.csv" --column carat -o demo/window-6-carat.profile
step 1 "drift: stored profiles, drifted window 6" -- drift demo/reference-carat.profile demo/window-6-carat.profile
step 0 "drift: CSV, window 1 sampled like the reference" -- drift "$data/reference.csv" "$data/window-01.csv" --column carat
features=(--column carat --column depth --column table --column x --column y --column z
          --column cut --column color --column clarity)
for w in 5 6; do
    step 1 "drift: CSV, window $w after the supplier change, nine features" -- drift "$data/reference.csv" \
        "$data/window-0$w.csv" "${features[@]}" --format signals -o "demo/signals-$w.txt"
done
# The retraining policy fires after two drifted windows in a row: window 5
# warns (exit 0) and leaves its state, window 6 decides retrain (exit 1).
step 0 "policy eval: window 5 warns" -- policy eval "$policies/retrain-policy.json" \
    --signals demo/signals-5.txt --now 2026-11-26T14:00:00Z --state-out demo/policy-state.json
step 1 "policy eval: window 6 decides retrain" -- policy eval "$policies/retrain-policy.json" \
    --signals demo/signals-6.txt --now 2026-11-26T15:00:00Z --state-in demo/policy-state.json
if grep -q "^decision: retrain" "$work/step.out"; then
    ok "policy eval: the decision is retrain"
else
    sed 's/^/   /' "$work/step.out"
    bad "policy eval: no retrain decision"
fi
step 0 "gate: candidate 1.1.0 against champion 1.0.0" -- gate "$policies/gate-policy.json" \
    --candidate "$data/eval-1.1.0.txt" --champion "$data/eval-1.0.0.txt"
if [ -f /usr/share/man/man1/mlops.1.gz ] &&
   [ -z "$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -E UTF-8 -l -Tutf8 -Z /usr/share/man/man1/mlops.1.gz 2>&1 >/dev/null)" ]; then
    ok "mlops(1) is installed and renders without a groff warning"
else
    bad "mlops(1) is missing or has groff warnings"
fi
# Doxygen writes a quote escaped in a header example as \\' (an acute accent
# to man); docs/man3.py turns it into a double quote.
accents=$(dpkg -L libmlops-dev | grep '/man3/.*\.3\.gz$' | xargs zgrep -l "\\\\\\\\'" 2>/dev/null || true)
if [ -z "$accents" ]; then
    ok "the man3 pages of libmlops-dev have no stray acute accent"
else
    bad "man3 pages with a stray acute accent: $accents"
fi

# --- the Python binding from the installed package, with the system python3.
# The names imported are whatever python3-libmlops installed at the top of
# dist-packages (packages and modules, a deprecated alias included), so a
# renamed package needs no change here.
mapfile -t pymods < <(dpkg -L python3-libmlops | sed -n \
    -e 's|^/usr/lib/python3/dist-packages/\([A-Za-z_][A-Za-z0-9_]*\)/__init__.py$|\1|p' \
    -e 's|^/usr/lib/python3/dist-packages/\([A-Za-z_][A-Za-z0-9_]*\)\.py$|\1|p' | sort -u)
if [ ${#pymods[@]} -eq 0 ]; then
    bad "python3-libmlops installs no import package under /usr/lib/python3/dist-packages"
fi
for mod in "${pymods[@]}"; do
    if "${run_env[@]}" /usr/bin/python3 -W ignore::DeprecationWarning - "$mod" "/usr/lib/$multiarch/libmlops.so.0" "$meson_version" <<'PY'
import hashlib, importlib, os, sys
name, want_lib, want_version = sys.argv[1:]
m = importlib.import_module(name)
assert m.__file__.startswith("/usr/lib/python3/dist-packages/"), m.__file__
assert os.path.realpath(m.library_path()) == os.path.realpath(want_lib), m.library_path()
assert m.library_version() == want_version, m.library_version()
data = b"model bytes\n" * 1000
assert m.sha256(data) == "sha256:" + hashlib.sha256(data).hexdigest()
print(f"{name}: {m.__file__}, library {m.library_path()} ({m.library_source()}), {m.library_version()}")
PY
    then
        ok "python3 -c 'import $mod' from the installed package; its SHA-256 equals hashlib's"
    else
        bad "the installed Python package '$mod'"
    fi
done

# --- purge: nothing of the four packages is left
installed=no
if $sudo apt-get purge -y -qq "${packages[@]}" >"$log" 2>&1; then
    left=""
    for p in "${packages[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "installed" && left="$left $p"
    done
    for f in /usr/bin/mlops "/usr/lib/$multiarch/libmlops.so.0" "/usr/lib/$multiarch/pkgconfig/libmlops.pc" \
             /usr/include/mlops.h "/usr/lib/$multiarch/cmake/libmlops" \
             /usr/share/bash-completion/completions/mlops /usr/share/zsh/site-functions/_mlops; do
        [ ! -e "$f" ] || left="$left $f"
    done
    if [ -z "$left" ]; then ok "apt-get purge: the packages and their files are gone"; else bad "left after the purge:$left"; fi
else
    cat "$log"
    bad "apt-get purge"
fi

summary
[ "$failed" -eq 0 ]
