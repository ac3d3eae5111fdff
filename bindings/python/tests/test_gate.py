"""The promotion gate meets its limits in decimal and checks the model.

Oracle: Python's decimal module decides every limit comparison exactly on the
decimal strings the metrics were written as; the SemVer specification's
precedence examples decide the version check.
"""

from __future__ import annotations

import json
from decimal import Decimal, getcontext

import pytest

import libmlops as mlops

POLICY = json.dumps({
    "schema": "libmlops.policy/v1", "policy_id": "gate-decimal", "revision": 1,
    "signals": {"auc": {"kind": "metric", "better": "higher"},
                "lat": {"kind": "metric", "better": "lower"},
                "acc": {"kind": "metric", "better": "higher"}},
    "rules": [],
    "gate": {"metrics": {
        "auc": {"max_regression": 0.005, "non_inferiority_margin": 0.01},
        "lat": {"max_regression_rel": 0.1, "max": 0.3},
        "acc": {"min_improvement": 0.002, "min": 0.7}}},
})

getcontext().prec = 60
D = Decimal


def decimal_checks(c: dict, k: dict) -> dict:
    """Every check's verdict, computed on the decimal strings."""
    ci_low = D(c["auc_ci"][0])
    return {
        ("auc", "regression"): D(k["auc"]) - D(c["auc"]) <= D("0.005"),
        ("auc", "non_inferiority"): ci_low >= D(k["auc"]) - D("0.01"),
        ("lat", "max"): D(c["lat"]) <= D("0.3"),
        ("lat", "regression_rel"): (D(c["lat"]) - D(k["lat"])) / abs(D(k["lat"])) <= D("0.1"),
        ("acc", "min"): D(c["acc"]) >= D("0.7"),
        ("acc", "improvement"): D(c["acc"]) - D(k["acc"]) >= D("0.002"),
    }


CASES = [
    # at every limit exactly (each of these differences is inexact in binary)
    ({"auc": "0.845", "auc_ci": ("0.84", "0.85"), "lat": "0.22", "acc": "0.702"},
     {"auc": "0.85", "lat": "0.2", "acc": "0.7"}),
    ({"auc": "0.905", "auc_ci": ("0.9", "0.91"), "lat": "0.3", "acc": "0.9"},
     {"auc": "0.91", "lat": "0.3", "acc": "0.898"}),
    ({"auc": "0.915", "auc_ci": ("0.91", "0.92"), "lat": "0.11", "acc": "0.703"},
     {"auc": "0.92", "lat": "0.1", "acc": "0.701"}),
    ({"auc": "0.695", "auc_ci": ("0.69", "0.7"), "lat": "0.033", "acc": "0.8"},
     {"auc": "0.7", "lat": "0.03", "acc": "0.798"}),
    # just outside every limit
    ({"auc": "0.8449", "auc_ci": ("0.8399", "0.85"), "lat": "0.2201", "acc": "0.7019"},
     {"auc": "0.85", "lat": "0.2", "acc": "0.7"}),
    ({"auc": "0.90499", "auc_ci": ("0.89999", "0.91"), "lat": "0.30001", "acc": "0.69999"},
     {"auc": "0.91", "lat": "0.3", "acc": "0.698"}),
    # inside
    ({"auc": "0.93", "auc_ci": ("0.92", "0.94"), "lat": "0.1", "acc": "0.75"},
     {"auc": "0.9", "lat": "0.2", "acc": "0.7"}),
]


@pytest.mark.parametrize("cand,champ", CASES)
def test_every_limit_is_met_as_in_decimal(cand, champ):
    want = decimal_checks(cand, champ)
    with mlops.Policy(POLICY) as policy:
        result = policy.gate(
            {"auc": {"value": float(cand["auc"]), "ci": tuple(map(float, cand["auc_ci"]))},
             "lat": float(cand["lat"]), "acc": float(cand["acc"])},
            {k: float(v) for k, v in champ.items()})
    got = {(c.metric, c.kind): c.passed for c in result.checks}
    for key, passed in want.items():
        assert got[key] is passed, (key, result.explanation)
    assert result.action == ("none" if all(want.values()) else "block_promotion")


def gate_models(cand, champ, **kw):
    with mlops.Policy(POLICY) as policy:
        c = mlops.MetricSet({"auc": {"value": 0.9, "ci": (0.89, 0.91)}, "lat": 0.2, "acc": 0.8})
        k = mlops.MetricSet({"auc": 0.9, "lat": 0.2, "acc": 0.79})
        if cand:
            c.set_model(*cand)
        if champ:
            k.set_model(*champ)
        return policy.gate(c, k, **kw)


def test_another_model_blocks():
    r = gate_models(("totally-different", "0.0.1"), ("dia", "1.0.0"))
    assert r.action == "block_promotion"
    assert (r.checks[0].metric, r.checks[0].kind, r.checks[0].passed, r.checks[0].reason) == \
        ("model", "name", False, "OTHER_MODEL")
    assert r.report["checks"][0]["detail"] == "candidate totally-different, champion dia"
    assert gate_models(("dia", "1.0.0"), None).checks[0].reason == "MISSING"


# SemVer 2.0.0 §11: 1.0.0-alpha < 1.0.0-alpha.1 < 1.0.0-beta < 1.0.0-rc.1 < 1.0.0 < 2.0.0
ORDER = ["1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-beta", "1.0.0-rc.1", "1.0.0", "2.0.0"]


@pytest.mark.parametrize("i", range(len(ORDER)))
@pytest.mark.parametrize("j", range(len(ORDER)))
def test_an_older_version_blocks_unless_allowed(i, j):
    r = gate_models(("dia", ORDER[i]), ("dia", ORDER[j]))
    version = [c for c in r.checks if c.kind == "version"][0]
    assert version.passed is (i >= j)
    assert version.reason == ("OK" if i >= j else "DOWNGRADE")
    assert gate_models(("dia", ORDER[i]), ("dia", ORDER[j]), allow_downgrade=True).action == "none"


def test_set_model_refuses_a_bad_version():
    with mlops.MetricSet() as m:
        with pytest.raises(mlops.ParseError):
            m.set_model("dia", "1.0")
        with pytest.raises(mlops.InvalidArgumentError):
            m.set_model("", "1.0.0")
