"""`mlops gate` fails closed: a champion is required unless the run says it is a
first release, the candidate must be the champion's model and not an older
version, metrics files must be text, and limits are met in decimal.

Oracles: Python's decimal module for the limit comparisons; the SemVer
specification's precedence for versions.
"""
import json
import os
import subprocess
from decimal import Decimal, getcontext

import pytest

CLI = os.environ.get("MLOPS_CLI", "mlops")


def run(*args):
    return subprocess.run([CLI, *args], capture_output=True, text=True, errors="replace")


POLICY = {
    "schema": "libmlops.policy/v1", "policy_id": "gate-limits", "revision": 1,
    "signals": {"auc": {"kind": "metric", "better": "higher", "range": [0, 1]},
                "lat": {"kind": "metric", "better": "lower"}},
    "gate": {"metrics": {"auc": {"min": 0.5, "max_regression": 0.005},
                         "lat": {"max_regression_rel": 0.1}}},
    "rules": [],
}


@pytest.fixture
def policy(tmp_path):
    p = tmp_path / "policy.json"
    p.write_text(json.dumps(POLICY))
    return str(p)


def metrics(tmp_path, name, text):
    p = tmp_path / name
    p.write_bytes(text if isinstance(text, bytes) else text.encode())
    return str(p)


def test_a_champion_is_required_unless_first_release(tmp_path, policy):
    cand = metrics(tmp_path, "cand.txt", "auc 0.9\nlat 10\n")
    r = run("gate", policy, "--candidate", cand)
    assert r.returncode == 2 and "--first-release" in r.stderr
    r = run("gate", policy, "--candidate", cand, "--first-release")
    assert r.returncode == 0 and "promote" in r.stdout
    champ = metrics(tmp_path, "champ.txt", "auc 0.9\nlat 10\n")
    r = run("gate", policy, "--candidate", cand, "--champion", champ, "--first-release")
    assert r.returncode == 2 and "contradicts" in r.stderr


# (champion, candidate) pairs at, just inside and just outside the limits,
# decided by exact decimal arithmetic.
AUC_CASES = [("0.85", "0.845"), ("0.85", "0.8449"), ("0.85", "0.8451"), ("0.91", "0.905"),
             ("0.91", "0.90499"), ("0.92", "0.915"), ("1", "0.995"), ("0.105", "0.1"),
             ("0.7", "0.695"), ("0.7", "0.6949999"), ("0.6", "0.595"), ("0.3", "0.295"),
             ("0.015", "0.01"), ("0.123456", "0.118456"), ("0.123456", "0.118455")]
LAT_CASES = [("10", "11"), ("10", "11.0001"), ("0.3", "0.33"), ("0.7", "0.77"),
             ("0.7", "0.7700001"), ("1.1", "1.21"), ("2.9", "3.19"), ("123.4", "135.74")]


def expected_pass(metric, champ, cand):
    """The regression check's verdict in exact decimal arithmetic."""
    getcontext().prec = 60
    k, c = Decimal(champ), Decimal(cand)
    if metric == "auc":
        return k - c <= Decimal("0.005")
    return (c - k) / abs(k) <= Decimal("0.1")


@pytest.mark.parametrize("metric,champ,cand",
                         [("auc", k, c) for k, c in AUC_CASES] + [("lat", k, c) for k, c in LAT_CASES])
def test_limits_are_met_in_decimal(tmp_path, policy, metric, champ, cand):
    other = {"auc": "lat 10", "lat": "auc 0.9"}[metric]
    c = metrics(tmp_path, "cand.txt", f"{metric} {cand}\n{other}\n")
    k = metrics(tmp_path, "champ.txt", f"{metric} {champ}\n{other}\n")
    r = run("gate", "--json", policy, "--candidate", c, "--champion", k)
    want = expected_pass(metric, champ, cand)
    above_min = metric != "auc" or Decimal(cand) >= Decimal("0.5")
    assert r.returncode == (0 if want and above_min else 1), r.stdout + r.stderr
    checks = json.loads(r.stdout)["checks"]
    kind = "regression" if metric == "auc" else "regression_rel"
    (check,) = [x for x in checks if x["metric"] == metric and x["kind"] == kind]
    assert check["passed"] is want


@pytest.mark.parametrize("content,where", [
    (bytes(range(256)) * 4, "m.txt:1:1: NUL byte"),
    (b"auc 0.9\nlat\x00 10\n", "m.txt:2:4: NUL byte"),
    (b"auc 0.9\n\xff\xfe lat 10\n", "m.txt:2:1: invalid UTF-8 byte 0xff"),
    (b"auc 0.9 \xc0\xaf\n", "m.txt:1:9: invalid UTF-8 byte 0xc0"),   # overlong '/'
    (b"auc 0.9\x01\n", "m.txt:1:8: control character 0x01"),
    (b"# nothing here\n\n   \n", "m.txt: no metrics"),
    (b"", "m.txt: no metrics"),
    (b"auc\n", "m.txt:1: expected NAME VALUE"),
    (b"\x89PNG\r\n\x1a\n", "m.txt:1:1: invalid UTF-8 byte 0x89"),
])
def test_metrics_files_that_are_not_text_are_input_errors(tmp_path, policy, content, where):
    m = metrics(tmp_path, "m.txt", content)
    ok = metrics(tmp_path, "ok.txt", "auc 0.9\nlat 10\n")
    for args in (("--candidate", m, "--first-release"), ("--candidate", ok, "--champion", m)):
        r = run("gate", policy, *args)
        assert r.returncode == 2, (args, r.stdout, r.stderr)
        assert where in r.stderr, r.stderr
        assert r.stdout == ""


def test_utf8_names_and_crlf_lines_are_read(tmp_path, policy):
    m = metrics(tmp_path, "m.txt", "auc 0.9\r\nlat 10\r\n# caf\u00e9 \u2713\r\n")
    assert run("gate", policy, "--candidate", m, "--first-release").returncode == 0


@pytest.fixture
def packages(tmp_path):
    src = tmp_path / "model"
    src.mkdir()
    (src / "weights.bin").write_bytes(b"w" * 1000)

    def pack(name, version, auc="0.9"):
        out = tmp_path / f"{name}-{version}.mlpkg"
        if out.exists():
            return str(out)
        r = run("pack", str(src), "-o", str(out), "--name", name, "--version", version,
                "--metric", f"auc={auc}", "--metric", "lat=10")
        assert r.returncode == 0, r.stderr
        return str(out)
    return pack


def test_the_candidate_must_be_the_champions_model(policy, packages):
    champ = packages("dia", "1.0.0")
    other = packages("totally-different", "0.0.1", auc="0.95")
    r = run("gate", policy, "--candidate", other, "--champion", champ)
    assert r.returncode == 1, r.stderr
    assert "model name: candidate totally-different, champion dia: BLOCK OTHER_MODEL" in r.stdout
    r = run("gate", "--json", policy, "--candidate", other, "--champion", champ)
    j = json.loads(r.stdout)
    assert r.returncode == 1 and j["action"] == "block_promotion"
    assert j["checks"][0] == {"metric": "model", "kind": "name", "guardrail": False, "passed": False,
                              "reason": "OTHER_MODEL", "observed": None, "limit": None,
                              "detail": "candidate totally-different, champion dia"}


@pytest.mark.parametrize("cand,blocked", [("0.9.9", True), ("1.0.0-rc.1", True), ("1.0.0", False),
                                          ("1.0.1", False), ("2.0.0-alpha", False)])
def test_an_older_version_is_refused_unless_allowed(policy, packages, cand, blocked):
    champ = packages("dia", "1.0.0")
    c = packages("dia", cand)
    r = run("gate", policy, "--candidate", c, "--champion", champ)
    assert r.returncode == (1 if blocked else 0), r.stdout + r.stderr
    assert ("BLOCK DOWNGRADE" in r.stdout) is blocked
    r = run("gate", policy, "--candidate", c, "--champion", champ, "--allow-downgrade")
    assert r.returncode == 0, r.stdout + r.stderr


def test_mutated_metrics_files_are_read_or_refused_never_skipped(tmp_path, policy):
    """Random byte mutations of a valid metrics file: every run ends with 0, 1
    or 2, never a signal; a file with a NUL, a control byte or bytes that are
    not UTF-8 is always an input error (2) naming the file and line."""
    import random
    rng = random.Random(1414)
    good = b"auc 0.9 samples=100 ci=0.85:0.95\n# comment\nlat 10\n"
    champ = metrics(tmp_path, "champ.txt", "auc 0.9\nlat 10\n")
    for i in range(150):
        data = bytearray(good)
        for _ in range(rng.randint(1, 4)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        m = metrics(tmp_path, "m.txt", bytes(data))
        r = run("gate", policy, "--candidate", m, "--champion", champ)
        assert r.returncode in (0, 1, 2), (bytes(data), r.returncode, r.stderr)
        try:
            text = bytes(data).decode("utf-8")
            binary = any(c < " " and c not in "\t\n\r" or c == "\x7f" for c in text)
        except UnicodeDecodeError:
            binary = True
        if binary and b"\r" not in data:
            assert r.returncode == 2 and "m.txt:" in r.stderr, (bytes(data), r.stderr)
