#!/bin/bash
# Pack and verify side by side with what a user would run instead:
#   pack    vs  cat of the same input files into one file on the same disk (+ sync)
#   verify  vs  openssl dgst -sha256 (one core) over the package
# Usage: bash bench/package_compare.sh BUILD_DIR [RUNS] [BIG_MIB] [WORK_PARENT]
# Input: one BIG_MIB (default 1536) MiB random file and 50 small files, in a
# temporary directory under WORK_PARENT (default /tmp; page cache warm after
# the first run). Each run alternates the order of the pair it compares.
# Every command is timed by /usr/bin/time: wall seconds, user + system CPU
# seconds, peak RSS, and CPU/wall (over 100% when more than one core worked). Prints every run, the load average before and after,
# and the medians.
#
# SPDX-License-Identifier: Apache-2.0
set -euo pipefail
build=${1:?build dir}
runs=${2:-5}
big=${3:-1536}
parent=${4:-/tmp}
tool="$build/bench/bench_package"
work=$(mktemp -d "$parent/mlops-bench-XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/in/small"
head -c $((big << 20)) /dev/urandom > "$work/in/weights.bin"
for i in $(seq 1 50); do head -c $((i * 997)) /dev/urandom > "$work/in/small/f$i.bin"; done

median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
# timed NAME CMD...: run CMD, append "wall cpu maxrss_kib" to $work/NAME
timed() {
    local name=$1
    shift
    /usr/bin/time -f '%e %U %S %M' -o "$work/t.$name" "$@" > /dev/null
    awk '{printf "%s %.2f %s %.0f%%\n", $1, $2 + $3, $4, ($1 > 0) ? 100 * ($2 + $3) / $1 : 0}' \
        "$work/t.$name" >> "$work/$name"
    tail -n 1 "$work/$name"
}
do_cat() { timed cat bash -c "find '$work/in' -type f | sort | xargs cat > '$work/cat.out' && sync -f '$work/cat.out'"; rm -f "$work/cat.out"; }
# the previous package is removed first (untimed), as cat's output is: neither
# pays for freeing the blocks of an old output
do_pack() { rm -f "$work/p.mlpkg"; timed pack "$tool" pack "$work/in" "$work/p.mlpkg"; }
do_dgst() { timed dgst openssl dgst -sha256 "$work/p.mlpkg"; }
do_verify() { timed verify "$tool" verify "$work/p.mlpkg"; }

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
"$tool" pack "$work/in" "$work/p.mlpkg" > /dev/null # the first package; warms the cache
for r in $(seq 1 "$runs"); do
    if [ $((r % 2)) -eq 1 ]; then
        c=$(do_cat); p=$(do_pack); o=$(do_dgst); v=$(do_verify)
    else
        p=$(do_pack); c=$(do_cat); v=$(do_verify); o=$(do_dgst)
    fi
    echo "run $r (wall s, cpu s, maxrss KiB, cpu/wall): cat $c | pack $p | openssl dgst $o | verify $v"
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
size=$(stat -c %s "$work/p.mlpkg")
col() { awk "{print \$$2}" "$work/$1" | median; }
echo "package: $size bytes; medians of $runs runs"
printf 'pack   %.3f s (cpu %.2f s, rss %d KiB)   cat          %.3f s (cpu %.2f s)   pack/cat time ratio %.2f\n' \
    "$(col pack 1)" "$(col pack 2)" "$(col pack 3)" "$(col cat 1)" "$(col cat 2)" \
    "$(echo "$(col pack 1) / $(col cat 1)" | bc -l)"
printf 'verify %.3f s (cpu %.2f s, rss %d KiB)   openssl dgst %.3f s (cpu %.2f s)   verify throughput / openssl %.2f\n' \
    "$(col verify 1)" "$(col verify 2)" "$(col verify 3)" "$(col dgst 1)" "$(col dgst 2)" \
    "$(echo "$(col dgst 1) / $(col verify 1)" | bc -l)"
