#!/bin/sh
# `promtool check metrics` on the output of `mlops drift --format prometheus`.
# Skips (exit 77) when promtool (Debian package prometheus) is not installed;
# PROMTOOL may name it. Usage: promtool_check.sh MLOPS_BINARY
set -eu
mlops=$1
promtool=${PROMTOOL:-$(command -v promtool || true)}
if [ -z "$promtool" ]; then
    echo "promtool not installed: skipped"
    exit 77
fi
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
# deterministic data: a shifted column, a stable one, labels with a quote
awk 'BEGIN { print "shifted,stable,\"la\"\"bel\""; s = 1;
             for (i = 0; i < 400; i++) { s = (s * 69069 + 1) % 4294967296;
               printf "%.6f,%.6f,%s\n", s / 4294967296, (i % 17) / 17, (i % 3 ? "a" : "b") } }' \
    > "$dir/ref.csv"
awk 'BEGIN { print "shifted,stable,\"la\"\"bel\""; s = 7;
             for (i = 0; i < 400; i++) { s = (s * 69069 + 1) % 4294967296;
               printf "%.6f,%.6f,%s\n", 0.4 + s / 4294967296, (i % 17) / 17, (i % 2 ? "a" : "b") } }' \
    > "$dir/cur.csv"
set +e
"$mlops" drift "$dir/ref.csv" "$dir/cur.csv" --format prometheus --label model=fraud > "$dir/m.prom"
rc=$?
set -e
[ "$rc" -le 1 ] || { echo "mlops drift failed ($rc)"; exit 1; }
grep -q '^mlops_drift_dataset_detected{model="fraud"} ' "$dir/m.prom"
"$promtool" check metrics < "$dir/m.prom"
echo "promtool: ok"
