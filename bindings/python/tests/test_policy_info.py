"""The read-only structs of policies, decisions, gate results and package
reports (policy.h, decision.h, gate.h, package.h) as the binding declares
them: the size the library fills in is the binding's ``sizeof``, the values
are the ones the documents and hashlib say, NULL and out of range give NULL."""

from __future__ import annotations

import ctypes
import hashlib
import json
import math
import os
from ctypes import c_void_p
from pathlib import Path

import pytest

import libmlops as mlops
from libmlops import _signatures as sig
from libmlops._lib import C

from conftest import repo_file

POLICY = {
    "schema": "libmlops.policy/v1", "policy_id": "info", "revision": 7,
    "signals": {"x": {"kind": "score"}, "auc": {"kind": "metric", "better": "higher"}},
    "rules": [
        {"id": "big", "description": "x is very high", "action": "rollback", "cooldown": "1h",
         "when": {"signal": "x", "gt": 2}},
        {"id": "dry", "action": "block_promotion", "dry_run": True, "when": {"signal": "x", "gt": 1}},
        {"id": "warn", "action": "warn", "when": {"signal": "x", "gt": 1}},
    ],
    "gate": {"metrics": {"auc": {"min": 0.75, "max_regression": 0.0625}}},
}


def canonical(doc) -> bytes:
    # RFC 8785 for this document: ASCII keys sorted, no blanks, integers and
    # binary-exact decimals written as ECMAScript writes them
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def check_header(ptr, cls, version=1):
    assert ptr, "NULL"
    info = ptr.contents
    assert info.version == version
    assert info.size == ctypes.sizeof(cls)
    return info


def test_policy_info_and_rules():
    p = mlops.Policy(json.dumps(POLICY, indent=2))
    with p._use() as h:
        info = check_header(C.mlops_policy_info(h), sig.mlops_policy_info)
        assert info.id == b"info" and info.revision == 7
        assert info.digest == b"sha256:" + hashlib.sha256(canonical(POLICY)).hexdigest().encode()
        assert (info.rule_count, info.test_count) == (3, 0)
        rows = [check_header(C.mlops_policy_rule(h, i), sig.mlops_policy_rule_info) for i in range(3)]
        assert [(r.id, r.action, r.description, r.dry_run) for r in rows] == [
            (b"big", 4, b"x is very high", 0), (b"dry", 3, None, 1), (b"warn", 1, None, 0)]
        assert not C.mlops_policy_rule(h, 3)
        assert not C.mlops_policy_rule(h, 2**64 - 1)
    assert not C.mlops_policy_info(None) and not C.mlops_policy_rule(None, 0)
    # the binding's values are the struct's
    assert (p.id, p.revision, p.rule_count, p.test_count) == ("info", 7, 3, 0)
    assert p.rule_ids == ("big", "dry", "warn")
    assert p.digest == "sha256:" + hashlib.sha256(canonical(POLICY)).hexdigest()


def test_example_policy_info_matches_the_file():
    path = repo_file("examples/policies/performance-rollback.json")
    doc = json.loads(path.read_text())
    p = mlops.Policy.from_file(path)
    assert (p.id, p.revision) == (doc["policy_id"], doc["revision"])
    assert p.rule_ids == tuple(r["id"] for r in doc["rules"])
    assert p.test_count == len(doc.get("tests", []))
    with p._use() as h:
        for i, r in enumerate(doc["rules"]):
            row = C.mlops_policy_rule(h, i).contents
            assert mlops.action_name(row.action) == r["action"]
            assert row.dry_run == int(bool(r.get("dry_run", False)))
            want = r.get("description")
            assert row.description == (None if want is None else want.encode())


def test_decision_info_rows_and_suppressed():
    p = mlops.Policy(json.dumps(POLICY))
    st = p.state()
    # 0: x = 3: big decides (rollback); dry (dry run) and warn are suppressed
    d = p.decide({"x": 3}, 0, state=st)
    with d._use() as h:
        info = check_header(C.mlops_decision_info(h), sig.mlops_decision_info)
        assert (info.action, info.rule, info.time_ms) == (4, b"big", 0)
        assert (info.suppressed_count, info.rule_count) == (2, 3)
        rows = [check_header(C.mlops_decision_rule_trace(h, i), sig.mlops_decision_rule_trace_info)
                for i in range(3)]
        assert [(r.rule, mlops.truth_name(r.truth), mlops.reason_name(r.reason), r.wait_ms, r.decided)
                for r in rows] == [(b"big", "TRUE", "OK", 0, 1), (b"dry", "TRUE", "DRY_RUN", 0, 0),
                                   (b"warn", "TRUE", "SUPPRESSED_BY", 0, 0)]
        sup = [check_header(C.mlops_decision_suppressed(h, i), sig.mlops_decision_suppressed_info)
               for i in range(2)]
        assert [(s.rule, mlops.action_name(s.action), mlops.reason_name(s.reason), s.wait_ms)
                for s in sup] == [(b"dry", "block_promotion", "DRY_RUN", 0),
                                  (b"warn", "warn", "SUPPRESSED_BY", 0)]
        assert not C.mlops_decision_rule_trace(h, 3)
        assert not C.mlops_decision_suppressed(h, 2)
    # 10 minutes later: big is cooling down for another 50 minutes, warn decides
    d2 = p.decide({"x": 3}, 600_000, state=st)
    with d2._use() as h:
        info = C.mlops_decision_info(h).contents
        assert (mlops.action_name(info.action), info.rule, info.time_ms) == ("warn", b"warn", 600_000)
        big = C.mlops_decision_rule_trace(h, 0).contents
        assert (mlops.reason_name(big.reason), big.wait_ms, big.decided) == ("COOLDOWN", 3_000_000, 0)
        first = C.mlops_decision_suppressed(h, 0).contents
        assert (first.rule, mlops.action_name(first.action), first.wait_ms) == (b"big", "rollback", 3_000_000)
    assert (d2.action, d2.rule, d2.time_ms) == ("warn", "warn", 600_000)
    assert d2.rules[0] == mlops.RuleOutcome("big", "TRUE", "COOLDOWN", 3_000_000)
    assert d2.suppressed[0] == mlops.SuppressedRule("big", "rollback", "COOLDOWN")
    assert not C.mlops_decision_info(None)
    # a decision object nothing was decided into has no summary and no rows
    raw = c_void_p()
    with p._use() as h:
        C.mlops_decision_new(ctypes.byref(raw), h)
    try:
        assert not C.mlops_decision_info(raw.value)
        assert not C.mlops_decision_rule_trace(raw.value, 0)
        assert not C.mlops_decision_suppressed(raw.value, 0)
    finally:
        C.mlops_decision_free(raw.value)


def test_gate_result_info_and_checks():
    p = mlops.Policy(json.dumps(POLICY))
    cand = mlops.MetricSet({"auc": 0.8125})
    champ = mlops.MetricSet({"auc": 0.9375})
    res = c_void_p()
    with p._use() as h, cand._use() as c, champ._use() as k:
        C.mlops_policy_gate(ctypes.byref(res), h, c, k, 0)
    try:
        info = check_header(C.mlops_gate_result_info(res.value), sig.mlops_gate_result_info)
        assert (mlops.action_name(info.action), info.check_count) == ("block_promotion", 2)
        rows = [check_header(C.mlops_gate_result_check(res.value, i), sig.mlops_gate_result_check_info)
                for i in range(2)]
        # min: 0.8125 >= 0.75 passes; regression 0.9375 - 0.8125 = 0.125 > 0.0625 blocks
        assert [(r.metric, r.kind, r.guardrail, r.passed, r.reason, r.observed, r.limit, r.detail)
                for r in rows] == [(b"auc", b"min", 0, 1, 0, 0.8125, 0.75, None),
                                   (b"auc", b"regression", 0, 0, 0, 0.125, 0.0625, None)]
        assert not C.mlops_gate_result_check(res.value, 2)
    finally:
        C.mlops_gate_result_free(res.value)
    assert not C.mlops_gate_result_info(None) and not C.mlops_gate_result_check(None, 0)
    # a champion without the metric: no value, no limit (NaN)
    empty = mlops.MetricSet()
    with p._use() as h, cand._use() as c, empty._use() as k:
        C.mlops_policy_gate(ctypes.byref(res), h, c, k, 0)
    try:
        row = C.mlops_gate_result_check(res.value, 1).contents
        assert (row.kind, mlops.reason_name(row.reason), row.passed) == (b"champion", "NO_CHAMPION", 0)
        assert math.isnan(row.observed) and math.isnan(row.limit)
    finally:
        C.mlops_gate_result_free(res.value)
    g = p.gate(cand, champ)
    assert [(c.metric, c.kind, c.passed, c.reason) for c in g.checks] == [
        ("auc", "min", True, "OK"), ("auc", "regression", False, "OK")]
    assert g.action == "block_promotion"


def verify_raw(path: Path) -> int:
    o = sig.mlops_package_verify_options()
    o.version, o.size, o.flags = 1, ctypes.sizeof(o), sig.PACKAGE_ALLOW_UNSIGNED
    rep = c_void_p()
    try:
        C.mlops_package_verify(ctypes.byref(rep), os.fsencode(path), ctypes.byref(o))
    except mlops.MlopsError:
        pass
    assert rep.value
    return rep.value


def test_package_report_info_and_problems(tmp_path):
    data = os.urandom((1 << 20) + 4096)  # a raw layer: its digest is the file's
    (tmp_path / "w.bin").write_bytes(data)
    m = mlops.ManifestBuilder("demo", "1.0.0", "2026-01-01T00:00:00Z")
    pkg = mlops.Package.pack(tmp_path / "p.mlpkg", m, files=[(tmp_path / "w.bin", "w.bin", "model")],
                             mtime=0)
    rep = verify_raw(pkg.path)
    try:
        info = check_header(C.mlops_package_report_info(rep), sig.mlops_package_report_info)
        assert (info.valid, info.is_signed, info.partial, info.files_verified, info.problem_count) == \
            (1, 0, 0, 1, 0)
        assert (info.error_code, info.error_message, info.error_path, info.error_offset) == \
            (0, None, None, -1)
        assert not C.mlops_package_report_problem(rep, 0)
    finally:
        C.mlops_package_report_free(rep)
    raw = bytearray(pkg.path.read_bytes())
    at = raw.find(data[:64])
    raw[at + 100] ^= 0xFF
    bad = tmp_path / "bad.mlpkg"
    bad.write_bytes(bytes(raw))
    flipped = bytearray(data)
    flipped[100] ^= 0xFF
    rep = verify_raw(bad)
    try:
        info = check_header(C.mlops_package_report_info(rep), sig.mlops_package_report_info)
        assert (info.valid, info.problem_count, info.files_verified) == (0, 1, 0)
        assert C.mlops_error_name(info.error_code) == b"MLOPS_E_INTEGRITY"
        assert info.error_message and b"w.bin" in info.error_message
        row = check_header(C.mlops_package_report_problem(rep, 0), sig.mlops_package_report_problem_info)
        assert row.entry == b"w.bin"
        assert row.expected == b"sha256:" + hashlib.sha256(data).hexdigest().encode()
        assert row.found == b"sha256:" + hashlib.sha256(bytes(flipped)).hexdigest().encode()
        assert (C.mlops_error_name(row.code), row.message is not None) == (b"MLOPS_E_INTEGRITY", True)
        assert not C.mlops_package_report_problem(rep, 1)
    finally:
        C.mlops_package_report_free(rep)
    assert not C.mlops_package_report_info(None) and not C.mlops_package_report_problem(None, 0)
    with pytest.raises(mlops.IntegrityError) as err:
        mlops.Package(bad).verify(allow_unsigned=True)
    report = err.value.report
    assert report.problems[0].entry == "w.bin"
    assert report.problems[0].found == "sha256:" + hashlib.sha256(bytes(flipped)).hexdigest()
    assert report.error is not None and report.error.code == "MLOPS_E_INTEGRITY"
