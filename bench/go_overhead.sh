#!/usr/bin/env bash
# Per-call overhead of the Go binding. Each of RUNS rounds runs
#   bench/bench_call                      the calls from a C program,
#   go test -bench BenchmarkCLoop         the same calls in C loops inside the Go test process,
#   go test -bench BenchmarkCall          the same calls through bindings/go,
#   go test -bench BenchmarkCryptoSHA256  Go's own SHA-256 for reference,
# and prints the medians per call, in CPU time of the calling thread (what a
# loaded machine disturbs least) and in wall time. "overhead" is
# BenchmarkCall minus BenchmarkCLoop: what the binding adds per call.
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
        -test.bench 'BenchmarkCLoop|BenchmarkCall|BenchmarkCryptoSHA256' -test.benchtime 500ms -test.cpu 1 >"$out/go.$r"
done
python3 - "$out" "$runs" <<'PY'
import re, statistics, sys
out, runs = sys.argv[1], int(sys.argv[2])
kinds = ("CLoop", "Call", "CryptoSHA256")
c = {"wall": {}, "cpu": {}}
res = {m: {k: {} for k in kinds} for m in ("wall", "cpu")}
for r in range(1, runs + 1):
    for line in open(f"{out}/c.{r}"):
        name, wall, cpu = line.split()
        c["wall"].setdefault(name, []).append(float(wall))
        c["cpu"].setdefault(name, []).append(float(cpu))
    for line in open(f"{out}/go.{r}"):
        m = re.match(r"Benchmark(CLoop|Call|CryptoSHA256)/(\S+?)(-\d+)?\s+\d+\s+([\d.]+) ns/op.*?([\d.]+) cpu-ns/op", line)
        if m:
            res["wall"][m.group(1)].setdefault(m.group(2), []).append(float(m.group(4)))
            res["cpu"][m.group(1)].setdefault(m.group(2), []).append(float(m.group(5)))
med = statistics.median
for metric, title in (("cpu", "thread CPU time"), ("wall", "wall time")):
    print(f"\nmedians of {runs} alternating runs, ns per call, {title}")
    print(f"{'call':<12} {'C program':>12} {'C loop in Go':>13} {'Go binding':>12} {'overhead':>10} {'crypto/sha256':>14}")
    for name in c[metric]:
        cl, gm = med(res[metric]["CLoop"][name]), med(res[metric]["Call"][name])
        std = res[metric]["CryptoSHA256"]
        sm = f"{med(std[name]):.1f}" if name in std else ""
        print(f"{name:<12} {med(c[metric][name]):>12.1f} {cl:>13.1f} {gm:>12.1f} {gm - cl:>+10.1f} {sm:>14}")
PY
