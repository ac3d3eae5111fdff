#!/usr/bin/env bash
# The Go module as a consumer gets it, with no `replace`: a throwaway module
# outside the repository runs `go get libmlops.dev/go/mlops@vX.Y.Z`, builds
# and runs a program calling the binding.
#
#  1. The working tree is committed into a scratch repository and tagged as a
#     release is: vX.Y.Z (the library) and bindings/go/vX.Y.Z (the module),
#     X.Y.Z being the meson project version (bindings/ and the top-level files
#     only, for speed); a later commit gets a library tag
#     only, which must not become a module version.
#  2. The repository is served by `git daemon` on 127.0.0.1, and the vanity
#     host by a small HTTP server on 127.0.0.1, reached as an HTTP proxy
#     (HTTP(S)_PROXY), which answers http://libmlops.dev/go/mlops...?go-get=1
#     with docs/site/go/mlops/index.html, the page the real host serves,
#     its repository URL replaced by the local one (nothing else changed).
#  3. Direct mode (GOPROXY=direct, as with GOPRIVATE or no proxy): go list
#     -m -versions, go get, build, run (shared libmlops); go install -tags
#     static …/cmd/mlops-gate@vX.Y.Z.
#  4. Proxy mode: the module cache's download directory from step 3 is a
#     module proxy in the protocol's layout (@v/list, .info, .mod, .zip);
#     a fresh consumer fetches from it with GOPROXY=file://…, builds with
#     -tags static and runs without LD_LIBRARY_PATH.
#
# Statically linked programs are checked with readelf: no libmlops.so.0 in
# their NEEDED entries (and the shared build's program has it).
#
# usage: tests/packaging/go-module.sh BUILD
#   BUILD: a meson build directory configured with -Ddefault_library=both
#   (or static), library built. Needs go (>= 1.25: go-import's subdirectory
#   field), git, pkg-config, python3, readelf. Offline: nothing is fetched
#   from outside 127.0.0.1. Ends with "go-module: N passed, N failed".
set -euo pipefail

[ $# -eq 1 ] || { echo "usage: $0 BUILD" >&2; exit 2; }
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "$1" && pwd)
go_bin=${GO:-go}
page="$root/docs/site/go/mlops/index.html"
module=libmlops.dev/go/mlops
public_repo=https://github.com/libmlops/libmlops

passed=0 failed=0
ok() { echo "ok - $1"; passed=$((passed + 1)); }
fail() { echo "FAIL - $1" >&2; failed=$((failed + 1)); }
summary() { echo "go-module: $passed passed, $failed failed"; }

tmp=$(mktemp -d)
pids=()
cleanup() {
    local p
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    chmod -R u+w "$tmp" 2>/dev/null || true
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'fail "the script stopped at line $LINENO"; summary' ERR

version=$(meson introspect --projectinfo "$build" |
          python3 -c 'import json, sys; print(json.load(sys.stdin)["version"])')
next=$(python3 -c 'import sys; a = sys.argv[1].split("."); a[2] = str(int(a[2]) + 1); print(".".join(a))' "$version")
[ -f "$build/src/libmlops.a" ] || { fail "$build/src/libmlops.a missing (configure with -Ddefault_library=both)"; summary; exit 1; }

# --- 1. a scratch repository tagged like a release ---
git_q() { git -c user.name=release -c user.email=release@localhost -c init.defaultBranch=main "$@"; }
mkdir "$tmp/work"
# The files a module release depends on: bindings/ and the top level (the
# rest of the tree only makes the copy slower).
(cd "$root" && git ls-files -z --cached --others --exclude-standard -- bindings ':(glob)*' |
    tar --null --ignore-failed-read -T - -cf - 2>/dev/null) | tar -C "$tmp/work" -xf -
git_q -C "$tmp/work" init -q
git_q -C "$tmp/work" add -A
git_q -C "$tmp/work" commit -q -m "libmlops $version"
git_q -C "$tmp/work" tag "v$version"
git_q -C "$tmp/work" tag "bindings/go/v$version"
git_q -C "$tmp/work" commit -q --allow-empty -m "libmlops $next (no Go release)"
git_q -C "$tmp/work" tag "v$next"
mkdir "$tmp/git"
git clone -q --bare "$tmp/work" "$tmp/git/libmlops.git"

# --- 2. git daemon and the vanity host on 127.0.0.1 ---
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
git_port=$(free_port)
git daemon --reuseaddr --export-all --base-path="$tmp/git" --listen=127.0.0.1 \
    --port="$git_port" "$tmp/git" >"$tmp/git-daemon.log" 2>&1 &
pids+=($!)
local_repo="git://127.0.0.1:$git_port/libmlops.git"

grep -c "content=\"$module git $public_repo bindings/go\"" "$page" | grep -qx 1 ||
    { fail "$page has no go-import line for $module at $public_repo, subdirectory bindings/go"; summary; exit 1; }
sed "s|$module git $public_repo |$module git $local_repo |" "$page" >"$tmp/page.html"

cat >"$tmp/host.py" <<'PY'
# The vanity host libmlops.dev, reached as an HTTP proxy: answers
# GET http://libmlops.dev/go/mlops[/...]?go-get=1 with the page, refuses
# CONNECT (no TLS here: the go command falls back to http under GOINSECURE).
import http.server, sys, urllib.parse
page = open(sys.argv[1], "rb").read()
log = open(sys.argv[2], "a", buffering=1)
class Host(http.server.BaseHTTPRequestHandler):
    def do_CONNECT(self):
        log.write("CONNECT %s\n" % self.path)
        self.send_error(502, "no TLS on this test host")
    def do_GET(self):
        u = urllib.parse.urlsplit(self.path)
        log.write("GET %s%s?%s\n" % (u.netloc, u.path, u.query))
        if (u.netloc == "libmlops.dev" and (u.path == "/go/mlops" or u.path.startswith("/go/mlops/"))
                and urllib.parse.parse_qs(u.query).get("go-get") == ["1"]):
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)
        else:
            self.send_error(404)
    def log_message(self, *args):
        pass
srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Host)
with open(sys.argv[3], "w") as f:
    f.write(str(srv.server_address[1]))
srv.serve_forever()
PY
python3 "$tmp/host.py" "$tmp/page.html" "$tmp/host.log" "$tmp/host.port" &
pids+=($!)
for _ in $(seq 50); do [ -s "$tmp/host.port" ] && break; sleep 0.1; done
host_proxy="http://127.0.0.1:$(cat "$tmp/host.port")"
for _ in $(seq 50); do
    git ls-remote -q "$local_repo" >/dev/null 2>&1 && break; sleep 0.1
done

# --- the consumer: a module outside the repository ---
expected_sum=$(python3 -c 'import hashlib; print(hashlib.sha256(b"abc").hexdigest())')
make_consumer() {  # make_consumer DIR
    mkdir -p "$1"
    cat >"$1/go.mod" <<'EOF'
module example.com/consumer

go 1.19
EOF
    cat >"$1/main.go" <<'EOF'
package main

import (
	"fmt"
	"os"

	"libmlops.dev/go/mlops"
)

func main() {
	sum, err := mlops.SHA256([]byte("abc"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println(mlops.Version(), mlops.FormatDigest(sum))
}
EOF
}
# Go's environment for every step: the library from BUILD, a private module
# cache (-trimpath lets the builds from both caches share compiled packages)
# cache, no checksum database for libmlops.dev, and no module proxy but the
# ones given below (GOPROXY=off: nothing is fetched from the network).
export PKG_CONFIG_PATH="$build/meson-uninstalled" CGO_ENABLED=1 GOTOOLCHAIN=local GOPROXY=off \
       GOFLAGS="-modcacherw -trimpath" GOPATH="$tmp/gopath" GONOSUMDB=libmlops.dev GOSUMDB=sum.golang.org \
       GOWORK=off NO_PROXY= no_proxy=
unset LD_LIBRARY_PATH GOPRIVATE GONOPROXY GOINSECURE
{ [ -n "${HOME:-}" ] || [ -n "${GOCACHE:-}" ]; } || export GOCACHE="$tmp/gocache"
# The go command keys a cgo package's cached build on its sources and its
# environment, not on what pkg-config answers: with -trimpath the module at
# v0.1.0, built earlier against another BUILD (another clone, a removed
# directory), would be linked with that build's -L and fail. CGO_LDFLAGS
# naming this BUILD's library directory (the one pkg-config gives) is part of
# the key, so every BUILD gets its own compiled packages.
export CGO_LDFLAGS="-L$build/src"
direct() {  # direct CMD...: direct mode through the vanity host
    env GOPROXY=direct GOINSECURE=libmlops.dev GOMODCACHE="$tmp/mod-direct" \
        HTTP_PROXY="$host_proxy" HTTPS_PROXY="$host_proxy" http_proxy="$host_proxy" https_proxy="$host_proxy" "$@"
}
needs_libmlops() { readelf -d "$1" | grep -q 'NEEDED.*\[libmlops\.so'; }

# --- 3. direct mode: go-import page, git, tags ---
make_consumer "$tmp/direct"
cd "$tmp/direct"
if versions=$(direct "$go_bin" list -m -versions "$module" 2>"$tmp/err"); then
    if [ "$versions" = "$module v$version" ]; then
        ok "go list -m -versions: $versions (bindings/go/v$version; the library-only tag v$next is no module version)"
    else
        fail "go list -m -versions: '$versions', expected '$module v$version'"
    fi
else
    fail "go list -m -versions $module: $(cat "$tmp/err")"
fi
if direct "$go_bin" get "$module@v$version" >"$tmp/err" 2>&1; then
    if grep -Eq "^require $module v$version( // indirect)?\$" go.mod && ! grep -q replace go.mod &&
       grep -q "^$module v$version h1:" go.sum; then
        ok "go get $module@v$version (direct): go.mod requires it, no replace, go.sum has its hash"
    else
        fail "go get $module@v$version: go.mod/go.sum: $(cat go.mod go.sum)"
    fi
else
    fail "go get $module@v$version (direct): $(cat "$tmp/err")"
fi
if grep -q "^GET libmlops.dev/go/mlops?go-get=1\$" "$tmp/host.log"; then
    ok "the go command read the go-import page at libmlops.dev/go/mlops?go-get=1"
else
    fail "the vanity host was not asked for libmlops.dev/go/mlops?go-get=1: $(cat "$tmp/host.log")"
fi
if direct "$go_bin" build -o app . >"$tmp/err" 2>&1 &&
   out=$(LD_LIBRARY_PATH="$build/src" ./app) && [ "$out" = "$version sha256:$expected_sum" ]; then
    ok "consumer (shared libmlops) runs: $out"
else
    fail "consumer (shared libmlops): '${out:-}' expected '$version sha256:$expected_sum' $(cat "$tmp/err")"
fi
if [ -x app ] && needs_libmlops app; then
    ok "readelf: the shared build's consumer needs libmlops.so.0 (the check below can see it)"
else
    fail "readelf: the shared build's consumer does not list libmlops.so"
fi
if direct env GOBIN="$tmp/bin" "$go_bin" install -tags static "$module/cmd/mlops-gate@v$version" >"$tmp/err" 2>&1; then
    gate_out=$("$tmp/bin/mlops-gate" 2>&1 </dev/null || true)
    if needs_libmlops "$tmp/bin/mlops-gate"; then
        fail "go install -tags static mlops-gate: still needs libmlops.so"
    elif [[ "$gate_out" == "mlops-gate: missing settings"* ]]; then
        ok "go install -tags static $module/cmd/mlops-gate@v$version: no libmlops.so, runs without LD_LIBRARY_PATH"
    else
        fail "static mlops-gate did not run: $gate_out"
    fi
else
    fail "go install -tags static mlops-gate: $(cat "$tmp/err")"
fi

# --- 4. proxy mode: the module proxy protocol's files, served as file:// ---
proxy_dir="$tmp/mod-direct/cache/download"
vdir="$proxy_dir/$module/@v"
if [ "$(cat "$vdir/list" 2>/dev/null)" = "v$version" ] && [ -s "$vdir/v$version.info" ] &&
   [ "$(head -n1 "$vdir/v$version.mod" 2>/dev/null)" = "module $module" ] &&
   python3 - "$vdir/v$version.zip" "$module@v$version/" "$root/COPYING" <<'PY'
import sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
names = z.namelist()
prefix = sys.argv[2]
# pkg.go.dev shows a module's documentation only with a licence in its zip
assert z.read(prefix + "LICENSE") == open(sys.argv[3], "rb").read(), "LICENSE is not COPYING"
assert all(n.startswith(prefix) for n in names), "entry outside " + prefix
short = {n[len(prefix):] for n in names}
need = {"go.mod", "mlops.go", "bridge.c", "bridge.h", "link_static.go",
        "link_dynamic.go", "cmd/mlops-gate/main.go"}
assert need <= short, "missing: %s" % sorted(need - short)
assert not any(s.startswith(("src/", "include/", "bindings/")) for s in short), "repository files in the zip"
PY
then
    ok "proxy layout: @v/list = v$version, .info, .mod (module $module), .zip (bindings/go only, LICENSE = COPYING)"
else
    fail "proxy layout in $vdir: $(ls "$vdir" 2>&1)"
fi
make_consumer "$tmp/proxy"
cd "$tmp/proxy"
proxy() { env GOPROXY="file://$proxy_dir" GOMODCACHE="$tmp/mod-proxy" "$@"; }
if proxy "$go_bin" get "$module@v$version" >"$tmp/err" 2>&1 &&
   grep -Eq "^require $module v$version( // indirect)?\$" go.mod &&
   cmp -s go.sum "$tmp/direct/go.sum"; then
    ok "go get $module@v$version through GOPROXY=file://…: same go.sum as direct"
else
    fail "go get through the proxy layout: $(cat "$tmp/err" go.mod go.sum 2>&1)"
fi
if proxy "$go_bin" build -tags static -o app-static . >"$tmp/err" 2>&1; then
    if needs_libmlops app-static; then
        fail "readelf: the -tags static consumer needs libmlops.so: $(readelf -d app-static | grep NEEDED)"
    elif out=$(./app-static) && [ "$out" = "$version sha256:$expected_sum" ]; then
        ok "consumer built with -tags static: no libmlops.so in NEEDED, runs without LD_LIBRARY_PATH: $out"
    else
        fail "consumer built with -tags static: '${out:-}' expected '$version sha256:$expected_sum'"
    fi
else
    fail "go build -tags static: $(cat "$tmp/err")"
fi

trap - ERR
summary
[ "$failed" -eq 0 ]
