#!/bin/bash
# Pack and verify side by side with what a user would run instead:
#   pack    vs  cat of the same input files into one file on the same disk
#   verify  vs  openssl dgst -sha256 (one core) over the package
# Usage: bash bench/package_compare.sh BUILD_DIR [RUNS] [BIG_MIB]
# Input: one BIG_MIB (default 1536) MiB random file and 50 small files, in a
# temporary directory under /tmp (page cache warm after the first run).
# Prints every run and the medians.
#
# SPDX-License-Identifier: Apache-2.0
set -euo pipefail
build=${1:?build dir}
runs=${2:-5}
big=${3:-1536}
tool="$build/bench/bench_package"
work=$(mktemp -d /tmp/mlops-bench-XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/in/small"
head -c $((big << 20)) /dev/urandom > "$work/in/weights.bin"
for i in $(seq 1 50); do head -c $((i * 997)) /dev/urandom > "$work/in/small/f$i.bin"; done

now() { date +%s.%N; }
median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
pk=() ; ct=() ; vf=() ; od=()
for r in $(seq 1 "$runs"); do
    t0=$(now); find "$work/in" -type f | sort | xargs cat > "$work/cat.out"; sync -f "$work/cat.out"; t1=$(now)
    ct+=("$(echo "$t1 - $t0" | bc -l)")
    out=$("$tool" pack "$work/in" "$work/p.mlpkg"); pk+=("$(echo "$out" | sed 's/.*seconds=\([0-9.]*\).*/\1/')")
    echo "run $r pack: $out"
    t0=$(now); openssl dgst -sha256 "$work/p.mlpkg" > /dev/null; t1=$(now)
    od+=("$(echo "$t1 - $t0" | bc -l)")
    out=$("$tool" verify "$work/p.mlpkg"); vf+=("$(echo "$out" | sed 's/.*seconds=\([0-9.]*\).*/\1/')")
    echo "run $r verify: $out"
    rm -f "$work/cat.out"
done
size=$(stat -c %s "$work/p.mlpkg")
mp=$(printf '%s\n' "${pk[@]}" | median); mc=$(printf '%s\n' "${ct[@]}" | median)
mv=$(printf '%s\n' "${vf[@]}" | median); mo=$(printf '%s\n' "${od[@]}" | median)
echo "package: $size bytes; medians of $runs runs"
printf 'pack   %.3f s   cat    %.3f s   pack/cat time ratio   %.2f\n' "$mp" "$mc" "$(echo "$mp / $mc" | bc -l)"
printf 'verify %.3f s   openssl dgst %.3f s   verify throughput / openssl %.2f\n' "$mv" "$mo" "$(echo "$mo / $mv" | bc -l)"
