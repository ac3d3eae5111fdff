#!/usr/bin/env bash
# Per-call overhead of the Go binding. Each of RUNS rounds runs
#   bench/bench_call             the calls from a C program,
#   go test -bench BenchmarkCLoop  the same calls in C loops inside the Go test process,
#   go test -bench BenchmarkCall   the same calls through bindings/go,
#   go test -bench BenchmarkCryptoSHA256  Go's own SHA-256 for reference,
# and prints the median ns/call of each; "overhead" is BenchmarkCall minus
# BenchmarkCLoop (same process, measured back to back), i.e. what the binding
# adds per call.
#
# usage: bash bench/go_overhead.sh [BUILD_DIR] [RUNS]     (BUILD_DIR built with -Dbench=true)
set -euo pipefail
cd "$(dirname "$0")/.."
build=$(cd "${1:-build/test}" && pwd)
runs=${2:-5}
go_bin=$(command -v go || echo /usr/local/go/bin/go)
ninja -C "$build" bench/bench_call >/dev/null
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
(cd bindings/go && PKG_CONFIG_PATH="$build/meson-uninstalled" "$go_bin" test -c -o "$out/mlops.test" .)
for r in $(seq "$runs"); do
    "$build/bench/bench_call" >"$out/c.$r"
    LD_LIBRARY_PATH="$build/src" "$out/mlops.test" -test.run '^$' \
        -test.bench 'BenchmarkCLoop|BenchmarkCall|BenchmarkCryptoSHA256' -test.benchtime 500ms >"$out/go.$r"
done
python3 - "$out" "$runs" <<'PY'
import re, statistics, sys
out, runs = sys.argv[1], int(sys.argv[2])
c, res = {}, {"CLoop": {}, "Call": {}, "CryptoSHA256": {}}
for r in range(1, runs + 1):
    for line in open(f"{out}/c.{r}"):
        name, ns = line.split()
        c.setdefault(name, []).append(float(ns))
    for line in open(f"{out}/go.{r}"):
        m = re.match(r"Benchmark(CLoop|Call|CryptoSHA256)/(\S+?)(-\d+)?\s+\d+\s+([\d.]+) ns/op", line)
        if m:
            res[m.group(1)].setdefault(m.group(2), []).append(float(m.group(4)))
med = lambda xs: statistics.median(xs)
print(f"medians of {runs} alternating runs (ns per call)")
print(f"{'call':<12} {'C program':>12} {'C loop in Go':>13} {'Go binding':>12} {'overhead':>10} {'crypto/sha256':>14}")
for name in c:
    cl, gm = med(res["CLoop"][name]), med(res["Call"][name])
    sm = f"{med(res['CryptoSHA256'][name]):.1f}" if name in res["CryptoSHA256"] else ""
    print(f"{name:<12} {med(c[name]):>12.1f} {cl:>13.1f} {gm:>12.1f} {gm - cl:>+10.1f} {sm:>14}")
PY
