#!/usr/bin/env python3
"""The Evidently side of bench/cli_drift_compare.sh, and the data generator.

    cli_drift_evidently.py gen DIR ROWS COLS   write DIR/ref.csv and DIR/cur.csv
    cli_drift_evidently.py run REF CUR         read both CSVs with pandas, run
                                               Evidently's DataDriftPreset, print
                                               "seconds=<total> read=<csv> drifted=<n>"

The data are deterministic (NumPy PCG64, seed 20261126): normal columns, the
first quarter of the current table shifted by 0.1 standard deviation.
"""
import sys
import time


def gen(d, rows, cols):
    import numpy as np
    rng = np.random.default_rng(20261126)
    header = ",".join(f"f{i}" for i in range(cols))
    for name, shift in (("ref", 0.0), ("cur", 0.1)):
        x = rng.normal(0.0, 1.0, (rows, cols))
        x[:, : cols // 4] += shift
        np.savetxt(f"{d}/{name}.csv", x, delimiter=",", fmt="%.6f", header=header, comments="")


def run(ref_path, cur_path):
    """Timed: reading both CSVs and the report; not timed: importing Evidently
    (several seconds, paid once per process)."""
    import pandas as pd
    try:  # Evidently >= 0.7
        from evidently import Report
        from evidently.presets import DataDriftPreset
        new_api = True
    except ImportError:  # Evidently 0.4 - 0.6
        from evidently.metric_preset import DataDriftPreset
        from evidently.report import Report
        new_api = False
    t0 = time.perf_counter()
    ref = pd.read_csv(ref_path)
    cur = pd.read_csv(cur_path)
    t1 = time.perf_counter()
    if new_api:
        res = Report([DataDriftPreset()]).run(cur, ref).dict()
        drifted = None
        for m in res.get("metrics", []):
            v = m.get("value")
            if isinstance(v, dict) and "count" in v:
                drifted = int(v["count"])
                break
    else:
        rep = Report(metrics=[DataDriftPreset()])
        rep.run(reference_data=ref, current_data=cur)
        drifted = rep.as_dict()["metrics"][0]["result"]["number_of_drifted_columns"]
    t2 = time.perf_counter()
    print(f"seconds={t2 - t0:.3f} read={t1 - t0:.3f} drifted={drifted}")


if __name__ == "__main__":
    if sys.argv[1] == "gen":
        gen(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    else:
        run(sys.argv[2], sys.argv[3])
