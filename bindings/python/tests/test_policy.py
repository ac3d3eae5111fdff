"""Policies: the example policies' own expected decisions (written by their
authors in each file's `tests`) re-run step by step through the binding."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest

import libmlops as mlops

from conftest import repo_file

EXAMPLES = ["drift-retrain", "performance-rollback", "ci-promotion-gate"]


def example(name):
    return repo_file(f"examples/policies/{name}.json")


def duration_ms(text: str) -> int:
    units = {"ms": 1, "s": 1000, "m": 60_000, "h": 3_600_000, "d": 86_400_000}
    parts = re.findall(r"(\d+)(ms|s|m|h|d)", text)
    assert "".join(a + b for a, b in parts) == text
    return sum(int(a) * units[b] for a, b in parts)


def start_ms(test) -> int:
    if "start" not in test:
        return 0
    t = dt.datetime.fromisoformat(test["start"].replace("Z", "+00:00"))
    return int(t.timestamp() * 1000)


@pytest.mark.parametrize("name", EXAMPLES)
def test_embedded_tests_pass_and_properties_match_the_file(name):
    doc = json.loads(example(name).read_text())
    with mlops.Policy.from_file(example(name)) as p:
        assert p.id == doc["policy_id"] and p.revision == doc["revision"]
        assert p.rule_ids == tuple(r["id"] for r in doc["rules"]) and p.rule_count == len(doc["rules"])
        assert p.test_count == len(doc["tests"])
        assert re.fullmatch(r"sha256:[0-9a-f]{64}", p.digest)
        assert p.digest == mlops.Policy(json.dumps(doc, indent=1)).digest  # canonical bytes
        r = p.run_tests()
        assert (r.passed, r.failed, r.ok) == (len(doc["tests"]), 0, True)
        assert r.report and r.to_dict()["passed"] == len(doc["tests"])
        assert p.lint().findings == [] and not p.lint()
        assert repr(p).startswith(f"<Policy {doc['policy_id']!r} revision={doc['revision']}")
    assert p.closed and repr(p) == "<Policy closed>"


@pytest.mark.parametrize("name", ["drift-retrain", "performance-rollback"])
def test_decide_step_by_step_gives_the_expected_decisions(name):
    doc = json.loads(example(name).read_text())
    p = mlops.Policy.from_file(example(name))
    checked = 0
    for test in doc["tests"]:
        state = p.state()
        t0 = start_ms(test)
        if "last_training" in test:
            state.set_last_training(t0 + duration_ms(test["last_training"]))
        for step in test["steps"]:
            now = t0 + duration_ms(step["at"])
            d = p.decide(step["signals"], now, state)
            assert d.time_ms == now
            if "expect" in step:
                assert d.action == step["expect"], (test["name"], step)
                checked += 1
            if "expect_rule" in step:
                assert d.rule == step["expect_rule"], (test["name"], step)
            assert [o.rule for o in d.rules] == list(p.rule_ids)
            assert all(o.truth in ("TRUE", "FALSE", "UNKNOWN") for o in d.rules)
            js = d.to_dict()
            assert js["action"] == d.action and js["now_ms"] == now and js["rule"] == d.rule
            assert json.loads(d.to_json(pretty=True)) == js and "\n" in d.to_json(pretty=True)
            assert f"decision: {d.action}" in d.explain()
    assert checked >= 5


def test_observations_state_and_decision_objects():
    p = mlops.Policy.from_file(example("performance-rollback"))
    obs = p.observations({"error_rate": (0.5, 5000)})
    obs["ctr"] = 0.04
    obs.set("p99_latency_ms", 10.0, samples=500)
    state = p.state()
    when = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
    ms = int(when.timestamp() * 1000)
    for i in range(3):
        d = p.decide(obs, when + dt.timedelta(minutes=i), state)
    assert d.time_ms == ms + 120_000
    assert (d.action, d.rule) == ("rollback", "error-spike")
    saved = state.to_json()
    assert state.to_dict()["last_now_ms"] == ms + 120_000
    copy = state.copy()
    assert copy.to_json() == saved
    fresh = p.state()
    fresh.load(saved)
    assert fresh.to_json() == saved
    state.reset()
    assert state.to_json() == p.state().to_json() != saved
    obs.clear()
    d = p.decide(obs, ms, state)
    assert d.action == "warn"  # missing data warns (on_unknown)
    outcome = {o.rule: o for o in d.rules}
    assert (outcome["error-spike"].truth, outcome["error-spike"].reason) == ("UNKNOWN", "UNKNOWN")
    assert repr(d).startswith("<Decision warn rule=")
    # without a state: a fresh one each time (nothing carried over)
    assert all(p.decide({"error_rate": (0.5, 5000), "ctr": (0.04, 5000)}, ms + i).action == "none"
               for i in range(4))
    p.close()
    assert obs.closed and state.closed and d.closed
    with pytest.raises(ValueError):
        d.action


def test_suppressed_rules_and_wait_times():
    doc = json.loads(example("drift-retrain").read_text())
    p = mlops.Policy(json.dumps(doc))
    test = doc["tests"][0]
    state = p.state()
    t0 = start_ms(test)
    d = p.decide(test["steps"][0]["signals"], t0, state)
    pending = [o for o in d.rules if o.reason == "PENDING"]
    assert pending and pending[0].wait_ms == 30 * 60_000
    d = p.decide(test["steps"][2]["signals"], t0 + 30 * 60_000, state)
    assert d.action == "retrain"
    assert [s.rule for s in d.suppressed] and all(s.reason == "SUPPRESSED_BY" for s in d.suppressed)
    assert d.suppressed[0].to_dict()["action"] == "warn"


def test_gate_results_equal_the_file_expectations():
    doc = json.loads(example("ci-promotion-gate").read_text())
    p = mlops.Policy.from_file(example("ci-promotion-gate"))
    for test in doc["tests"]:
        def metrics(m):
            return {k: (v if isinstance(v, dict) else {"value": v}) for k, v in m.items()}
        cand = metrics(test["gate"]["candidate"])
        champ = test["gate"].get("champion")
        r = p.gate(cand, None if champ is None else mlops.MetricSet(metrics(champ)))
        assert r.action == test["expect"], test["name"]
        assert r.promote == (test["expect"] == "none")
        assert r.report["action"] == r.action and len(r.checks) == len(r.report["checks"])
        assert [c.metric for c in r.checks] == [c["metric"] for c in r.report["checks"]]
        assert all(c.passed for c in r.checks) == r.promote
        assert r.explanation and "GateResult(action=" in repr(r)
        assert json.loads(r.to_json())["action"] == r.action
    with mlops.MetricSet() as m:
        m.put("auc", 0.9, ci=(0.89, 0.91), samples=5000)
        with pytest.raises(mlops.InvalidArgumentError):
            m.put("auc", 0.95, ci=(0.89, 0.91))
    with pytest.raises(mlops.NotFoundError):
        mlops.Policy.from_file(example("performance-rollback")).gate({"auc": 0.9})


def test_replay_and_record():
    doc = json.loads(example("performance-rollback").read_text())
    steps = doc["tests"][0]["steps"]
    lines = [json.dumps({"now_ms": duration_ms(s["at"]), "signals": s["signals"],
                         "expect": {"action": s["expect"]}}) for s in steps]
    p = mlops.Policy.from_file(example("performance-rollback"))
    r = p.replay("\n".join(lines))
    assert (r.steps, r.mismatches) == (len(steps), 0)
    wrong = lines[:]
    wrong[2] = wrong[2].replace('"rollback"', '"none"')
    r = p.replay("\n".join(wrong).encode())
    assert (r.steps, r.mismatches) == (len(steps), 1) and r.report
    recorded = p.record("\n".join(json.dumps({"now_ms": duration_ms(s["at"]), "signals": s["signals"]})
                                  for s in steps))
    rows = [json.loads(line) for line in recorded.splitlines() if line]
    assert [row["expect"]["action"] for row in rows] == [s["expect"] for s in steps]
    assert p.replay(recorded).mismatches == 0
    with pytest.raises(mlops.ParseError) as err:
        p.replay(lines[0] + "\n{bad")
    assert "line 2" in err.value.message
    with pytest.raises(mlops.InvalidArgumentError):
        p.replay("\n".join(reversed(lines)))


def test_parse_errors_carry_position_and_path():
    with pytest.raises(mlops.ParseError) as err:
        mlops.Policy('{"schema": "libmlops.policy/v1",\n  "policy_id": }', source="bad.json")
    assert err.value.line == 2 and err.value.column is not None
    with pytest.raises(mlops.VersionError):
        mlops.Policy('{"schema": "libmlops.policy/v9"}')
    doc = json.loads(example("performance-rollback").read_text())
    doc["rules"][1]["for"] = "ten minutes"
    with pytest.raises(mlops.SchemaError) as err:
        mlops.Policy(json.dumps(doc))
    assert err.value.path == "$.rules[1].for"
    with pytest.raises(mlops.LimitError):
        mlops.Policy(b" " * (1 << 20) + b"{}")
    with pytest.raises(TypeError):
        mlops.Policy(42)


def test_lint_reports_findings():
    doc = json.loads(example("performance-rollback").read_text())
    doc["rules"].append({"id": "ghost", "action": "warn", "when": {"signal": "undeclared", "gt": 1}})
    doc["tests"] = []
    findings = mlops.Policy(json.dumps(doc)).lint()
    assert len(findings) >= 1 and all({"code", "path", "message"} <= set(f) for f in findings.findings)
    assert any("undeclared" in f["message"] or "rules[3]" in f["path"] for f in findings.findings)


def test_wrong_objects_and_bad_signals_are_refused():
    a = mlops.Policy.from_file(example("performance-rollback"))
    b = mlops.Policy.from_file(example("drift-retrain"))
    with pytest.raises(mlops.InvalidArgumentError):
        a.decide({}, 0, b.state())
    with pytest.raises(mlops.InvalidArgumentError):
        a.decide(b.observations(), 0)
    with pytest.raises(mlops.SchemaError):
        a.state().load(b.state().to_json())
    with pytest.raises(mlops.InvalidArgumentError):
        a.decide({"bad\0name": 1.0}, 0)
    with pytest.raises(mlops.InvalidArgumentError):
        a.observations().set("", 1.0)
    with pytest.raises(TypeError):
        a.decide({"ctr": "high"}, 0)
    with pytest.raises(mlops.InvalidArgumentError):
        a.decide({}, dt.datetime(2026, 1, 1))  # naive
    obs = a.observations({"ctr": 0.1})
    with pytest.raises(mlops.InvalidArgumentError):
        obs.update({"ctr": 0.2, "": 1.0})  # all or nothing


def test_names_of_codes():
    assert [mlops.action_name(i) for i in range(5)] == ["none", "warn", "retrain", "block_promotion", "rollback"]
    assert [mlops.truth_name(i) for i in range(3)] == ["FALSE", "TRUE", "UNKNOWN"]
    assert mlops.reason_name(0) == "OK" and mlops.reason_name(8) == "SUPPRESSED_BY"
    assert mlops.action_name(99) == mlops.truth_name(-1) == mlops.reason_name(99) == "unknown"


def test_last_training_time_holds_back_a_retrain():
    doc = json.loads(example("drift-retrain").read_text())
    p = mlops.Policy(json.dumps(doc))
    test = doc["tests"][0]
    t0 = start_ms(test)
    retrain_at = t0 + duration_ms(test["steps"][-1]["at"])
    for trained, want in ((None, "retrain"), (retrain_at - 60_000, "warn")):
        state = p.state()
        if trained is not None:
            state.set_last_training(dt.datetime.fromtimestamp(trained / 1000, dt.timezone.utc))
            assert state.to_dict()["last_training_ms"] == trained
        for step in test["steps"]:
            d = p.decide(step["signals"], t0 + duration_ms(step["at"]), state)
        assert d.action == want
        if trained is not None:
            held = {o.rule: o for o in d.rules}["feature-drift"]
            assert held.reason == "MIN_SINCE_TRAINING"
            assert held.wait_ms == 12 * 3_600_000 - 60_000


def test_a_dict_of_signals_sets_what_one_call_per_signal_sets():
    """decide(dict) packs every name into one buffer; the oracle is the same
    decision reached through Observations.set, one signal per call. Names
    before the ones the policy reads are multi-byte in UTF-8, so an offset
    counted in characters instead of bytes would read the wrong names."""
    np = pytest.importorskip("numpy")
    doc = json.loads(example("drift-retrain").read_text())
    p = mlops.Policy(json.dumps(doc))
    filler = {f"größe.日本.{i}": float(i) for i in range(300)}
    forms = [
        {"psi.amount": 0.31, "psi.country": 0.02},
        {"psi.amount": (0.35, 1000), "psi.country": {"value": 0.02, "samples": 1000}},
        {"psi.amount": np.float64(0.5), "psi.country": 1},
        {"psi.amount": None, "psi.country": 0.02},
    ]
    for signals in forms:
        mixed = {**filler, **signals, "zzz.after": 2.0}
        for t in (0, 30 * 60_000):
            fast = p.decide(mixed, t).to_json()
            one = p.observations()
            for k, v in mixed.items():
                if v is None:
                    continue
                if isinstance(v, tuple):
                    one.set(k, v[0], v[1])
                elif isinstance(v, dict):
                    one.set(k, v["value"], v["samples"])
                else:
                    one.set(k, float(v))
            assert fast == p.decide(one, t).to_json()
    # what the fast path refuses, it refuses as the careful one does
    for not_a_number in (True, np.bool_(False), "0.3", b"0.3", bytearray(b"1"), [0.3]):
        with pytest.raises(TypeError):
            p.decide({**filler, "psi.amount": not_a_number}, 0)
        with pytest.raises(TypeError):
            p.observations().set("psi.amount", not_a_number)
    with pytest.raises(TypeError):
        p.decide({**filler, 7: 0.1}, 0)
    with pytest.raises(mlops.InvalidArgumentError):
        p.decide({**filler, "psi.amount\0x": 0.1}, 0)
    with pytest.raises(mlops.InvalidArgumentError):
        p.decide({**filler, "bad\0": None}, 0)
    with pytest.raises(UnicodeEncodeError):
        p.decide({**filler, "\ud800": 0.1}, 0)
    with pytest.raises(OverflowError):
        p.decide({"psi.amount": 10**400}, 0)
