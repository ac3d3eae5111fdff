"""No leak over 100,000 create/free cycles: resident memory stays flat.

RSS is read from /proc/self/statm (resident pages). Each scenario is warmed up
first so allocator pools reach their steady size, then run 100,000 times; a
leak of even one small C allocation per cycle would add several MiB.
"""

from __future__ import annotations

import array
import gc
import json
import os
from pathlib import Path

import pytest

import libmlops as mlops

CYCLES = 100_000
# 100,000 leaked 32-byte blocks would be ~4.6 MiB with malloc's overhead.
TOLERANCE = 1 << 20

pytestmark = pytest.mark.skipif(not Path("/proc/self/statm").exists(), reason="needs /proc")


def rss() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def growth(step, cycles: int = CYCLES) -> int:
    for _ in range(cycles // 10):
        step()
    gc.collect()
    before = rss()
    for _ in range(cycles):
        step()
    gc.collect()
    return rss() - before


def test_semver_create_free_does_not_leak():
    def step():
        v = mlops.SemVer("1.4.0-rc.1+build.5")
        assert v.major == 1

    assert growth(step) < TOLERANCE


def test_digest_create_use_close_does_not_leak():
    data = bytearray(b"x" * 100)

    def step():
        with mlops.Digest(data) as d:
            d.digest()

    assert growth(step) < TOLERANCE


def test_digest_collected_without_close_does_not_leak():
    def step():
        mlops.Digest(b"abc")

    assert growth(step) < TOLERANCE


def test_buffer_export_and_errors_do_not_leak():
    view = memoryview(bytearray(b"y" * 64))
    read_only = memoryview(b"z" * 80)[8:72]

    def step():
        mlops.sha256(view)
        mlops.sha256(read_only)
        try:
            mlops.SemVer("01.0.0")
        except mlops.ParseError:
            pass

    assert growth(step) < TOLERANCE


def test_file_hash_with_callback_does_not_leak(tmp_path):
    path = tmp_path / "f"
    path.write_bytes(b"z" * 100)

    def step():
        mlops.sha256_file(path, progress=lambda d, t: None)

    assert growth(step, 20_000) < TOLERANCE


# --- every handle type of the other layers: 100,000 create/free cycles of
# each (one step creates and frees one of every type), then their use and
# their error paths at fewer cycles.

POLICY = json.dumps({
    "schema": "libmlops.policy/v1", "policy_id": "p", "revision": 1,
    "signals": {"psi": {"kind": "score", "range": [0, 10]}, "auc": {"kind": "metric", "better": "higher"}},
    "gate": {"metrics": {"auc": {"min": 0.8}}},
    "rules": [{"id": "r", "action": "warn", "when": {"signal": "psi", "gt": 0.2}}],
})
SEED = bytes(range(32))
EDGES = [0.0, 1.0]
COUNTS = [3, 4, 5]


def test_every_handle_type_create_free_does_not_leak():
    manifest = mlops.ManifestBuilder("m", "1.0.0", "2026-01-01T00:00:00Z").add_file("a", 1, "00" * 32).finish()
    raw_manifest = manifest.to_bytes()
    policy = mlops.Policy(POLICY)

    def step():
        mlops.Profile().close()
        mlops.Detector().close()
        mlops.Manifest(raw_manifest).close()
        mlops.ManifestBuilder("m", "1.0.0", "2026-01-01T00:00:00Z").close()
        mlops.MetricSet().close()
        mlops.Packer().close()
        policy.observations().close()
        policy.state().close()
        mlops.DriftReference.from_counts(EDGES, COUNTS).close()

    assert growth(step) < TOLERANCE


# Handles whose creation costs 50-300 µs (a policy parse, an Ed25519 key
# derivation, a store's files): 5,000 cycles against a tolerance 16 times
# smaller, which still catches one leaked 32-byte block per cycle.
COSTLY_CYCLES = 5_000
COSTLY_TOLERANCE = TOLERANCE // 16


def test_costly_handle_types_create_free_do_not_leak(tmp_path):
    mlops.Store(tmp_path / "store", create=True).close()
    store_path = tmp_path / "store"
    key = mlops.SigningKey.from_seed(SEED)
    policy = mlops.Policy(POLICY)
    obs = policy.observations({"psi": 0.5})

    def step():
        mlops.Policy(POLICY).close()
        policy.decide(obs, 1000).close()  # a decision and a scratch state
        policy.gate({"auc": 0.9})  # a metric set and a gate result
        mlops.SigningKey.from_seed(SEED).close()
        mlops.Keyring([key]).close()
        mlops.Store(store_path).close()

    assert growth(step, COSTLY_CYCLES) < COSTLY_TOLERANCE


def test_profile_and_detector_use_and_errors_do_not_leak():
    values = array.array("d", [0.5, 1.5, 2.5, float("nan")])

    def step():
        with mlops.Profile(values=values, edges=[1.0]) as p:
            q = mlops.Profile.from_bytes(p.to_bytes())
            q.merge(p)
            q.ks_test(p)
            q.close()
        with mlops.Detector("adwin") as d:
            d.update(values)
            mlops.Detector.from_bytes(d.to_bytes()).close()
        try:
            mlops.Profile.from_bytes(b"junk")
        except mlops.ParseError:
            pass

    assert growth(step, 10_000) < TOLERANCE // 4


def test_policy_manifest_and_signing_use_does_not_leak():
    policy = mlops.Policy(POLICY)
    state = policy.state()
    key = mlops.SigningKey.from_seed(SEED)
    env = mlops.dsse_sign(b"payload", key)
    stranger = mlops.Keyring([mlops.SigningKey.from_seed(bytes(32))])

    def step():
        d = policy.decide({"psi": (0.5, 10)}, 1000, state)
        d.to_json()
        d.explain()
        state.reset()
        with mlops.ManifestBuilder("m", "1.0.0", "2026-01-01T00:00:00Z") as b:
            b.add_file("a.bin", 1, "00" * 32).metric("auc", 0.5)
            with b.finish() as m:
                m.diff(m)
        mlops.dsse_verify(env, key)
        try:
            mlops.dsse_verify(env, stranger)
        except mlops.SignatureError:
            pass

    assert growth(step, COSTLY_CYCLES) < COSTLY_TOLERANCE


def test_drift_results_and_tables_do_not_leak():
    a = array.array("d", [0.1 * i for i in range(50)])
    b = array.array("d", [0.1 * i + 0.05 for i in range(50)])
    cols = {"x": list(a), "y": list(b)}

    def step():
        mlops.drift(a, b, "ks")
        mlops.drift(a, b, "psi", bins=5)
        mlops.drift_categorical([0, 1, 1], [1, 1, 0], "chi2")
        with mlops.DriftReference(a, bins=4) as ref:
            ref.compare(b)
        mlops.drift_table(cols, cols, "ks", threads=1)
        mlops.drift_counts([1, 2, 3], [3, 2, 1], "js", edges=[0.0, 1.0])
        with mlops.Profile(values=a, edges=[1.0, 2.0]) as p:
            p.drift(p, "psi")
        try:
            mlops.drift([], b, "ks")
        except mlops.DomainError:
            pass

    assert growth(step, 4_000) < TOLERANCE // 8  # ~1 ms a step: fewer cycles, tighter bound
