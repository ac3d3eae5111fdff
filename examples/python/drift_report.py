#!/usr/bin/env python3
"""Drift report over two CSV files with pandas.

    python3 examples/python/drift_report.py reference.csv current.csv [--rule holm] [--json]

Numeric columns are compared with libmlops' table-level drift call (one C call,
columns spread over worker threads; the metric per column is picked as
Evidently does, or given with --metric); non-numeric columns are encoded as
category codes from the reference and compared with chi-square / JS. Prints a
table and the dataset verdict, or the JSON report with --json.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Dict, List, Sequence

import numpy as np
import pandas as pd

import libmlops as mlops


def categorical_codes(ref: pd.Series, cur: pd.Series):
    """Codes from the reference's categories; values the reference never had
    get codes after them (so chi-square and JS see them)."""
    cats = pd.Index(ref.dropna().unique())
    extra = pd.Index(cur.dropna().unique()).difference(cats)
    all_cats = cats.append(extra)
    code = {v: i for i, v in enumerate(all_cats)}
    to_codes = lambda s: np.array([code.get(v, -1) if pd.notna(v) else -1 for v in s], dtype=np.int32)
    return to_codes(ref), to_codes(cur), len(all_cats)


def report(ref: pd.DataFrame, cur: pd.DataFrame, rule: str = "share", metric: str = "auto") -> Dict:
    numeric = [c for c in ref.columns if pd.api.types.is_numeric_dtype(ref[c]) and c in cur]
    other = [c for c in ref.columns if c not in numeric and c in cur]
    rows: List[Dict] = []
    table = None
    if numeric:
        table = mlops.drift_table(ref[numeric], cur[numeric], metric, rule=rule)
        for col in table.columns:
            rows.append({"column": col.name, "metric": col.result.metric, "statistic": col.result.statistic,
                         "pvalue": col.result.pvalue, "adjusted_pvalue": col.adjusted_pvalue,
                         "drifted": col.drifted})
    for name in other:
        r_codes, c_codes, k = categorical_codes(ref[name], cur[name])
        res = mlops.drift_categorical(r_codes, c_codes, n_categories=max(k, 1))
        rows.append({"column": name, "metric": res.metric, "statistic": res.statistic, "pvalue": res.pvalue,
                     "adjusted_pvalue": res.pvalue, "drifted": res.drifted})
    drifted = sum(r["drifted"] for r in rows)
    return {"rule": rule, "columns": rows, "drifted_count": drifted,
            "drifted_share": drifted / len(rows) if rows else 0.0,
            "numeric_verdict": None if table is None else table.drifted}


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("reference")
    parser.add_argument("current")
    parser.add_argument("--rule", default="share", choices=["share", "bonferroni", "holm", "bh"])
    parser.add_argument("--metric", default="auto", choices=list(mlops.METRICS))
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    out = report(pd.read_csv(args.reference), pd.read_csv(args.current), args.rule, args.metric)
    if args.json:
        print(json.dumps(out, indent=2, default=lambda x: None if x != x else x))
        return 0
    frame = pd.DataFrame(out["columns"]).set_index("column")
    print(frame.to_string(float_format=lambda x: f"{x:.4g}"))
    print(f"\n{out['drifted_count']} of {len(frame)} columns drifted"
          f" (numeric columns' verdict under rule {out['rule']!r}: {out['numeric_verdict']})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
