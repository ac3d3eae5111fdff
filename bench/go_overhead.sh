#!/usr/bin/env bash
# Per-call overhead of the Go binding: bench/bench_call (the calls from C) and
# `go test -bench BenchmarkCall` (the same calls through bindings/go),
# alternated RUNS times in one run; prints the median ns/call of each and the
# difference, which is what the binding adds per call.
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
        -test.bench 'BenchmarkCall|BenchmarkCryptoSHA256' -test.benchtime 500ms >"$out/go.$r"
done
python3 - "$out" "$runs" <<'PY'
import re, statistics, sys
out, runs = sys.argv[1], int(sys.argv[2])
c, go, std = {}, {}, {}
for r in range(1, runs + 1):
    for line in open(f"{out}/c.{r}"):
        name, ns = line.split()
        c.setdefault(name, []).append(float(ns))
    for line in open(f"{out}/go.{r}"):
        m = re.match(r"Benchmark(Call|CryptoSHA256)/(\S+?)(-\d+)?\s+\d+\s+([\d.]+) ns/op", line)
        if m:
            (go if m.group(1) == "Call" else std).setdefault(m.group(2), []).append(float(m.group(4)))
print(f"medians of {runs} alternating runs (ns per call)")
print(f"{'call':<12} {'C':>12} {'Go binding':>12} {'overhead':>10} {'crypto/sha256':>14}")
for name in c:
    cm, gm = statistics.median(c[name]), statistics.median(go[name])
    sm = f"{statistics.median(std[name]):.1f}" if name in std else ""
    print(f"{name:<12} {cm:>12.1f} {gm:>12.1f} {gm - cm:>+10.1f} {sm:>14}")
PY
