#!/usr/bin/env bash
# `mlops drift` on two CSV files of 500,000 rows x 20 numeric columns, end to
# end (process start, parsing, the table-level drift call, JSON output), next
# to pandas.read_csv + Evidently's DataDriftPreset on the same files, in the
# same run, alternating. Prints each run and the medians (SKIP_EVIDENTLY=1: ours only).
# Usage: bench/cli_drift_compare.sh [BUILD_DIR] [RUNS]   (needs numpy, pandas,
# evidently from PyPI, in the interpreter EVIDENTLY_PYTHON (default python3);
# the data are generated once under $BENCH_DIR)
set -euo pipefail
build=${1:-build}
runs=${2:-5}
here=$(cd "$(dirname "$0")" && pwd)
dir=${BENCH_DIR:-/tmp/mlops-drift-bench}
rows=${BENCH_ROWS:-500000}
mkdir -p "$dir"
if [ ! -f "$dir/cur.csv" ] || [ "$(wc -l < "$dir/cur.csv")" -ne $((rows + 1)) ]; then
    python3 "$here/cli_drift_evidently.py" gen "$dir" "$rows" 20
fi
cat "$dir/ref.csv" "$dir/cur.csv" > /dev/null   # both sides read from the page cache

ours=() cpu=() theirs=()
for i in $(seq "$runs"); do
    set +e
    /usr/bin/time -f "%e %U %S" -o "$dir/time.txt" \
        "$build/src/cli/mlops" drift --json "$dir/ref.csv" "$dir/cur.csv" > "$dir/out.json"
    rc=$?
    set -e
    [ "$rc" -le 1 ] || { echo "mlops drift failed ($rc)"; exit 1; }
    read -r wall user sys < "$dir/time.txt"
    ours+=("$wall")
    cpu+=("$(python3 -c "print(f'{$user+$sys:.2f}')")")
    ndrift=$(python3 -c "import json; print(json.load(open('$dir/out.json'))['drifted_count'])")
    if [ -n "${SKIP_EVIDENTLY:-}" ]; then
        echo "run $i: mlops drift ${ours[-1]} s wall, ${cpu[-1]} s CPU ($ndrift drifted)"
        theirs+=("nan")
        continue
    fi
    out=$("${EVIDENTLY_PYTHON:-python3}" "$here/cli_drift_evidently.py" run "$dir/ref.csv" "$dir/cur.csv")
    theirs+=("$(sed -E 's/.*seconds=([0-9.]+).*/\1/' <<<"$out")")
    echo "run $i: mlops drift ${ours[-1]} s wall, ${cpu[-1]} s CPU ($ndrift drifted)   pandas+Evidently $out"
done
python3 - "${ours[*]}" "${cpu[*]}" "${theirs[*]}" <<'PY'
import math, statistics, sys
o = [float(x) for x in sys.argv[1].split()]
c = [float(x) for x in sys.argv[2].split()]
t = [float(x) for x in sys.argv[3].split() if x != "nan"]
mo, mc = statistics.median(o), statistics.median(c)
line = f"median: mlops drift {mo:.2f} s wall ({mc:.2f} s CPU)"
if t:
    mt = statistics.median(t)
    line += f", pandas+Evidently {mt:.2f} s, ratio {mt/mo:.1f}x"
print(line)
PY
