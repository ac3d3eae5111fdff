#!/usr/bin/env bash
# `mlops drift` on two CSV files of 500,000 rows x 20 numeric columns, end to
# end (process start, parsing, the table-level drift call, JSON output), next
# to pandas.read_csv + Evidently's DataDriftPreset on the same files, in the
# same run, alternating. Prints each run and the medians.
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

ours=() theirs=()
for i in $(seq "$runs"); do
    t0=$(date +%s.%N)
    set +e
    "$build/src/cli/mlops" drift --json "$dir/ref.csv" "$dir/cur.csv" > "$dir/out.json"
    rc=$?
    set -e
    t1=$(date +%s.%N)
    [ "$rc" -le 1 ] || { echo "mlops drift failed ($rc)"; exit 1; }
    ours+=("$(python3 -c "print(f'{$t1-$t0:.3f}')")")
    ndrift=$(python3 -c "import json; print(json.load(open('$dir/out.json'))['drifted_count'])")
    out=$("${EVIDENTLY_PYTHON:-python3}" "$here/cli_drift_evidently.py" run "$dir/ref.csv" "$dir/cur.csv")
    theirs+=("$(sed -E 's/.*seconds=([0-9.]+).*/\1/' <<<"$out")")
    echo "run $i: mlops drift ${ours[-1]} s ($ndrift drifted)   pandas+Evidently $out"
done
python3 - "${ours[*]}" "${theirs[*]}" <<'PY'
import statistics, sys
o = [float(x) for x in sys.argv[1].split()]
t = [float(x) for x in sys.argv[2].split()]
mo, mt = statistics.median(o), statistics.median(t)
print(f"median: mlops drift {mo:.2f} s, pandas+Evidently {mt:.2f} s, ratio {mt/mo:.1f}x")
PY
