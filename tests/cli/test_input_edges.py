"""CSV inputs beyond those of test_inputs.py: a number of any length is a
number, UTF-16/UTF-32 files are refused by name, and the documented reading
of decimals beyond a double's range. Oracles: Python's float() (correctly
rounded, as strtod), Python's json, the profile's own min/max read back."""
import json
import os
import subprocess
from decimal import Decimal, getcontext

import pytest

CLI = os.environ.get("MLOPS_CLI", "mlops")


def run(*args):
    return subprocess.run([CLI, *map(str, args)], capture_output=True, timeout=120)


def show(tmp_path, csv_bytes):
    src = tmp_path / "in.csv"
    src.write_bytes(csv_bytes)
    r = run("profile", "build", src, "-o", tmp_path / "p.prof", "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["kind"] == "numeric", (r.stdout, r.stderr)
    assert b"holds labels" not in r.stderr
    r = run("profile", "show", tmp_path / "p.prof", "--json")
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def test_a_number_of_hundreds_of_digits_is_a_number_not_a_label(tmp_path):
    # A high-precision export (Decimal, mpmath, R's format(digits=...)) writes
    # more than 127 characters; such a field made the column labels.
    getcontext().prec = 300
    long = str(Decimal(1) / Decimal(7))
    assert len(long) > 200
    neg = "-" + str(Decimal(2).sqrt()) + "e-3"
    doc = show(tmp_path, f"a\n{long}\n5\n{neg}\n".encode())
    assert doc["min"] == float(neg) and doc["count"] == 3
    assert doc["quantiles"]["0.5"] == float(long)


@pytest.mark.parametrize("encoding,name", [("utf-16-le", "UTF-16LE"), ("utf-16-be", "UTF-16BE"),
                                           ("utf-32-le", "UTF-32LE"), ("utf-32-be", "UTF-32BE")])
def test_a_utf16_or_utf32_file_is_refused_by_its_encoding(tmp_path, encoding, name):
    src = tmp_path / "u.csv"
    src.write_bytes(("\ufeffa\n1\n2\n").encode(encoding))
    for args in (["profile", "build", src, "-o", tmp_path / "p.prof"],
                 ["drift", src, src], ["detect", src]):
        r = run(*args, "--json")
        assert r.returncode == 2, (args, r.stderr)
        err = json.loads(r.stdout)["error"]
        assert f"is {name} text" in err["message"] and err["path"] == str(src), err
        assert err["line"] == 1
    assert not (tmp_path / "p.prof").exists()


def test_decimals_beyond_a_double_read_as_documented(tmp_path):
    # docs/cli.md: beyond the largest double a decimal is an infinity, below
    # the smallest subnormal it is 0 (the correctly rounded reading, as
    # Python's float(), R and pandas give).
    doc = show(tmp_path, b"a\n1\n1e400\n-1e400\n1e-400\n2\n")
    assert float("1e400") == float("inf") and float("1e-400") == 0.0
    assert doc["posinf"] == 1 and doc["neginf"] == 1 and doc["count"] == 3
    assert doc["min"] == 0.0 and doc["max"] == 2.0


HERE = os.path.dirname(__file__)
POLICIES = os.path.join(HERE, "..", "..", "examples", "policies")
BOM = b"\xef\xbb\xbf"


def test_a_signals_file_with_a_byte_order_mark_keeps_its_first_signal(tmp_path):
    """'\\ufeffpsi.amount' was a signal of another name: the policy saw
    psi.amount missing and decided "none" (exit 0) where the same file
    without the mark gives "warn"."""
    policy = os.path.join(POLICIES, "drift-retrain.json")
    body = b"psi.amount 0.4 samples=1000\r\n"
    outs = []
    for name, data in (("plain.txt", body), ("bom.txt", BOM + body)):
        (tmp_path / name).write_bytes(data)
        r = run("policy", "eval", policy, "--signals", tmp_path / name,
                "--now", "2026-01-01T00:00:00Z", "--json")
        outs.append((r.returncode, json.loads(r.stdout)["action"]))
    assert outs[0] == outs[1] == (0, "warn"), outs


def test_gate_metrics_with_a_byte_order_mark_or_crlf_read_as_without(tmp_path):
    policy = os.path.join(POLICIES, "ci-promotion-gate.json")
    cand = b"auc 0.915 samples=20000\np99_latency_ms 42\nfairness_gap 0.02 samples=20000\n"
    champ = b"auc 0.91\np99_latency_ms 40\nfairness_gap 0.025\n"
    (tmp_path / "champ.txt").write_bytes(champ)
    docs = []
    for name, data in (("plain", cand), ("bom", BOM + cand),
                       ("crlf", cand.replace(b"\n", b"\r\n")),
                       ("bom-crlf", BOM + cand.replace(b"\n", b"\r\n"))):
        (tmp_path / name).write_bytes(data)
        r = run("gate", policy, "--candidate", tmp_path / name, "--champion",
                tmp_path / "champ.txt", "--json")
        doc = json.loads(r.stdout)
        docs.append((r.returncode, doc["action"], doc["checks"]))
    assert all(d == docs[0] for d in docs), docs
    # the candidate's AUC was seen (not MISSING) in every spelling
    assert any(c["metric"] == "auc" and c["observed"] == 0.915 for c in docs[0][2])


def test_a_manifest_with_a_byte_order_mark_is_read_as_json_not_as_a_package(tmp_path):
    src = os.path.join(HERE, "..", "vectors", "manifest", "child.json")
    data = open(src, "rb").read()
    (tmp_path / "bom.json").write_bytes(BOM + data)
    plain = run("inspect", src, "--json")
    bom = run("inspect", tmp_path / "bom.json", "--json")
    assert plain.returncode == 0, plain.stderr
    assert bom.returncode == 0, bom.stderr  # was 1: "Unrecognized archive format"
    assert json.loads(bom.stdout) == json.loads(plain.stdout)
