"""Numbers in signed statements: never signed as a number other than the one written.

RFC 8785 writes every number through its double, so 9007199254740993 would be
signed as 9007199254740992. Oracle: Python's json (exact ints) and decimal
(Decimal(t) == Decimal(repr(float(t))) is "the canonical form has the value").
"""
import decimal
import hashlib
import json
import os
import subprocess
import tarfile

import pytest

CLI = os.environ.get("MLOPS_CLI", "mlops")
HERE = os.path.dirname(os.path.abspath(__file__))
BAD = os.path.join(os.environ.get("MLOPS_VECTORS", os.path.join(HERE, "..", "vectors")),
                   "manifest", "bad")


def run(*args):
    return subprocess.run([CLI, *args], capture_output=True, text=True, errors="replace")


def exact(text):
    return decimal.Decimal(text) == decimal.Decimal(repr(float(text)))


def pack(tmp_path, *extra):
    (tmp_path / "m.bin").write_bytes(b"weights")
    out = tmp_path / "o.mlpkg"
    r = run("pack", str(tmp_path / "m.bin"), "-o", str(out), "--name", "n", "--version", "1.0.0",
            "--created", "2026-01-01T00:00:00Z", *extra)
    return r, out


def statement(pkg):
    """The signed statement blob, checked against its own sha256 name."""
    with tarfile.open(pkg) as t:
        for m in t.getmembers():
            if not m.isfile() or not m.name.startswith("blobs/sha256/"):
                continue
            data = t.extractfile(m).read()
            assert hashlib.sha256(data).hexdigest() == m.name.rsplit("/", 1)[1]
            try:
                doc = json.loads(data)
            except ValueError:
                continue
            if isinstance(doc, dict) and doc.get("_type", "").startswith("https://in-toto.io"):
                return doc
    raise AssertionError("no statement in " + str(pkg))


@pytest.mark.parametrize("text", ["9007199254740993", "-9007199254740993", "18446744073709551615",
                                  "1152921504606846976", "0.10000000000000000001", "1e-400"])
def test_pack_refuses_a_parameter_a_double_cannot_hold(tmp_path, text):
    assert not exact(text)
    r, out = pack(tmp_path, "--param", f"big={text}")
    assert r.returncode == 2, r.stderr
    assert f'"big" = {text}' in r.stderr
    assert "would be" in r.stderr
    assert not out.exists()


@pytest.mark.parametrize("text", ["9007199254740993", "0.10000000000000000001"])
def test_pack_refuses_a_metric_a_double_cannot_hold(tmp_path, text):
    assert not exact(text)
    r, out = pack(tmp_path, "--metric", f"m={text}")
    assert r.returncode == 2, r.stderr
    assert f"--metric m={text}" in r.stderr
    assert not out.exists()


@pytest.mark.parametrize("text,want", [("9007199254740994", 9007199254740994),
                                       ("-9007199254740992", -9007199254740992),
                                       ("1.0", 1), ("1e2", 100), ("0.1", 0.1), ("12345678901", 12345678901)])
def test_pack_keeps_numbers_a_double_holds_exactly(tmp_path, text, want):
    assert exact(text)
    r, out = pack(tmp_path, "--param", f"p={text}", "--metric", f"m={text}")
    assert r.returncode == 0, r.stderr
    pred = statement(out)["predicate"]
    assert pred["parameters"]["p"] == want and type(pred["parameters"]["p"]) is type(want)
    assert pred["metrics"]["m"] == want


def test_a_digit_string_that_is_not_json_stays_a_string(tmp_path):
    r, out = pack(tmp_path, "--param", 'seed="9007199254740993"')
    assert r.returncode == 0, r.stderr
    assert statement(out)["predicate"]["parameters"]["seed"] == "9007199254740993"


@pytest.mark.parametrize("name,number", [("parameter-beyond-double", "9007199254740993"),
                                         ("metric-beyond-double", "0.50000000000000000001")])
def test_a_statement_with_such_a_number_is_refused(name, number):
    path = os.path.join(BAD, name + ".json")
    assert number in open(path).read() and not exact(number)
    r = run("inspect", path)
    assert r.returncode == 2
    assert number in r.stderr
