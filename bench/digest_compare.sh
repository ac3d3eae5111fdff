#!/usr/bin/env bash
# SHA-256 of a 1 GiB file: libmlops (mlops_digest_file) next to `openssl dgst
# -sha256` on the same file, alternating, from the page cache. Prints each run
# and the medians. Usage: bench/digest_compare.sh [BUILD_DIR] [RUNS]
set -euo pipefail
build=${1:-build}
runs=${2:-7}
file=${BENCH_FILE:-/tmp/mlops-bench-1GiB.bin}
if [ ! -f "$file" ] || [ "$(stat -c %s "$file")" -ne 1073741824 ]; then
    head -c 1073741824 /dev/urandom > "$file"
fi
cat "$file" > /dev/null   # into the page cache: both read the same cached bytes

ours=() theirs=() rss=()
for i in $(seq "$runs"); do
    out=$("$build/bench/bench_digest" "$file")
    ours+=("$(sed -E 's/.*mb_per_s=([0-9.]+).*/\1/' <<<"$out")")
    rss+=("$(sed -E 's/.*maxrss_kib=([0-9]+).*/\1/' <<<"$out")")
    ours_digest=$(sed -E 's/.*digest=([0-9a-f]+).*/\1/' <<<"$out")
    t0=$(date +%s.%N)
    theirs_digest=$(openssl dgst -sha256 -r "$file" | cut -d' ' -f1)
    t1=$(date +%s.%N)
    theirs+=("$(python3 -c "print(f'{1073741824/1e6/($t1-$t0):.1f}')")")
    [ "$ours_digest" = "$theirs_digest" ] || { echo "digest mismatch"; exit 1; }
    echo "run $i: libmlops ${ours[-1]} MB/s   openssl dgst ${theirs[-1]} MB/s"
done
python3 - "${ours[*]}" "${theirs[*]}" "${rss[*]}" <<'PY'
import statistics, sys
o = [float(x) for x in sys.argv[1].split()]
t = [float(x) for x in sys.argv[2].split()]
r = [int(x) for x in sys.argv[3].split()]
mo, mt = statistics.median(o), statistics.median(t)
print(f"median: libmlops {mo:.1f} MB/s, openssl dgst {mt:.1f} MB/s, ratio {mo/mt:.3f}; "
      f"libmlops peak RSS {max(r)} KiB")
PY
