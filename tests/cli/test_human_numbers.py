"""Numbers for people: the command's tables and the policy and gate
explanations write about four significant digits (an integer-valued number
exactly), the JSON keeps every digit, and an inconclusive sketch test shows
its intervals rather than one end of them.

Oracle: Python's own formatting of the same numbers (f"{x:.4g}"), applied to
the full-precision values the JSON carries, and Python's float arithmetic for
the gate's observed regression.
"""
import json
import os
import subprocess

import pytest

CLI = os.environ.get("MLOPS_CLI", "mlops")


def run(*args):
    return subprocess.run([CLI, *args], capture_output=True, text=True, errors="replace")


def human(x):
    """What the formatter writes, by Python: %.4g, integers exactly."""
    if x == 0:
        return "0"
    if float(x).is_integer() and abs(x) < 2.0**53:
        return str(int(x))
    return f"{x:.4g}"


def test_gate_explanation_has_four_digits_and_json_every_digit(tmp_path):
    policy = tmp_path / "p.json"
    policy.write_text(json.dumps({
        "schema": "libmlops.policy/v1", "policy_id": "g", "revision": 1,
        "signals": {"auc": {"kind": "metric", "better": "higher", "range": [0, 1]}},
        "gate": {"metrics": {"auc": {"min": 0.5, "max_regression": 0.005}}},
        "rules": []}))
    (tmp_path / "cand.txt").write_text("auc 0.851149\n")
    (tmp_path / "champ.txt").write_text("auc 0.85\n")
    args = ("gate", str(policy), "--candidate", str(tmp_path / "cand.txt"),
            "--champion", str(tmp_path / "champ.txt"))
    r = run(*args)
    assert r.returncode == 0, r.stderr
    regression = 0.85 - 0.851149  # -0.0011490000000000666 in binary floating point
    assert f"auc regression: observed {regression:.4g}, limit 0.005: pass" in r.stdout
    assert "observed -0.001149," in r.stdout
    assert "auc min: observed 0.8511, limit 0.5: pass" in r.stdout
    assert "00000" not in r.stdout  # no round-trip tail anywhere
    j = json.loads(run(*args, "--json").stdout)
    observed = sorted(c["observed"] for c in j["checks"])
    assert observed == sorted([regression, 0.851149])  # the JSON keeps every digit


def test_inconclusive_sketch_test_shows_its_intervals(tmp_path):
    np = pytest.importorskip("numpy")
    rng = np.random.default_rng(4)
    np.save(tmp_path / "a.npy", rng.normal(0, 1, 20000))
    prof = tmp_path / "a.prof"
    r = run("profile", "build", str(tmp_path / "a.npy"), "-o", str(prof))
    assert r.returncode == 0, r.stderr
    # identical profiles: D = 0 but the sketches' error reaches past the
    # critical value, so the test cannot decide
    res = json.loads(run("drift", "--json", str(prof), str(prof)).stdout)["features"][0]["result"]
    assert res["verdict"] == "inconclusive" and res["pvalue_high"] == 1
    assert res["pvalue_low"] < 1e-3
    r = run("drift", str(prof), str(prof), "--html", str(tmp_path / "r.html"))
    assert r.returncode == 1 and r.stdout.startswith("INCONCLUSIVE")
    row = next(line for line in r.stdout.splitlines() if line.startswith("a.prof"))
    p_interval = f"[{human(res['pvalue_low'])}, {human(res['pvalue_high'])}]"
    d_interval = f"[{human(res['low'])}, {human(res['high'])}]"
    assert p_interval in row and d_interval in row, row
    assert f">= {human(res['threshold'])}" in row
    html = (tmp_path / "r.html").read_text()
    assert f"p-value {p_interval};" in html
    assert "p-value 1;" not in html


@pytest.mark.parametrize("values", [[12345.0, 12346.0, 12350.5], [0.1234567, 0.5, 0.3333333]])
def test_profile_show_writes_numbers_for_people(tmp_path, values):
    np = pytest.importorskip("numpy")
    np.save(tmp_path / "v.npy", np.array(values * 10))
    prof = tmp_path / "v.prof"
    assert run("profile", "build", str(tmp_path / "v.npy"), "-o", str(prof)).returncode == 0
    r = run("profile", "show", str(prof))
    assert r.returncode == 0, r.stderr
    lines = dict(line.split(None, 1) for line in r.stdout.splitlines() if line.strip())
    assert lines["min"] == human(min(values))  # 12345 exactly, not 1.234e+04
    assert lines["max"] == human(max(values))
    assert lines["mean"] == human(float(np.mean(np.array(values * 10))))
