"""`mlops drift` reports: what the header and tables say must be true.

Oracles: Python's json module, SciPy (ks_2samp, chi2_contingency) and
statsmodels' multipletests when installed (else an independent reference of
Holm's and Benjamini-Hochberg's formulas written here).
MLOPS_CLI names the binary under test (meson test sets it).
"""
import json
import math
import os
import re
import subprocess

import pytest

CLI = os.environ.get("MLOPS_CLI", "mlops")


def run(*args):
    return subprocess.run([CLI, *map(str, args)], capture_output=True, text=True,
                          errors="replace")


def write_csv(path, cols):
    names = list(cols)
    n = len(cols[names[0]])
    with open(path, "w") as f:
        f.write(",".join(names) + "\n")
        for i in range(n):
            f.write(",".join(str(cols[c][i]) for c in names) + "\n")
    return path


# ---- non-finite numbers -------------------------------------------------

def test_json_writes_infinity_distinct_from_null(tmp_path):
    # threshold 0: severity = statistic / threshold = +inf
    a = write_csv(tmp_path / "a.csv", {"x": [0.0, 1.0, 2.0, 3.0]})
    b = write_csv(tmp_path / "b.csv", {"x": [5.0, 6.0, 7.0, 8.0]})
    r = run("drift", "--json", a, b, "--metric", "wasserstein", "--threshold", "0")
    assert r.returncode == 1, r.stderr
    j = json.loads(r.stdout)
    f = j["features"][0]
    assert f["severity"] == "Infinity"
    assert f["result"]["pvalue"] is None  # no p-value: null, not a number
    assert f["result"]["statistic"] == 5.0


def test_statistic_that_cannot_be_computed_is_an_error_not_no_drift(tmp_path):
    big = [-1.7976931348623157e308, 1.7976931348623157e308]
    a = write_csv(tmp_path / "a.csv", {"x": big})
    b = write_csv(tmp_path / "b.csv", {"x": big})
    r = run("drift", "--json", a, b, "--metric", "wasserstein")
    assert r.returncode == 2, r.stdout
    assert "not computable" in r.stderr
    assert "NO DRIFT" not in r.stdout and '"drifted":false' not in r.stdout
