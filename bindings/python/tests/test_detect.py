"""Detectors against river 0.26.1 (the C library's reference) on random streams."""

from __future__ import annotations

import math
import pickle

import pytest

import libmlops as mlops

np = pytest.importorskip("numpy")
river_drift = pytest.importorskip("river.drift")
river_binary = pytest.importorskip("river.drift.binary")


def river_points(detector, values):
    drifts, warnings = [], []
    for i, v in enumerate(values):
        detector.update(v)
        if detector.drift_detected:
            drifts.append(i)
        if getattr(detector, "warning_detected", False):
            warnings.append(i)
    return drifts, warnings


@pytest.fixture
def rng():
    return np.random.default_rng(8)


def shifting(rng, n=3000):
    return np.concatenate([rng.normal(0, 1, n), rng.normal(2.5, 1, n), rng.normal(-1, 1, n)])


def test_adwin_change_points_equal_river(rng):
    x = shifting(rng)
    with mlops.Detector("adwin") as d:
        got = d.update(x)
        want, _ = river_points(river_drift.ADWIN(), x)
        assert got.drifts == want and len(want) >= 2
        assert got.warnings == []
        assert d.kind == "adwin" and d.count == len(x) and d.drift_count == len(want)
        r = river_drift.ADWIN()
        for v in x:
            r.update(v)
        assert d.width == r.width
        assert d.estimation == pytest.approx(r.estimation, rel=1e-9)


def test_adwin_parameters_and_chunked_feeding_equal_river(rng):
    x = shifting(rng, 800)
    d = mlops.Detector("adwin", delta=0.01, clock=8, grace_period=20)
    got = []
    for start in range(0, len(x), 333):  # positions are per call
        got.extend(start + p for p in d.update_drifts(x[start:start + 333]))
    want, _ = river_points(river_drift.ADWIN(delta=0.01, clock=8, grace_period=20), x)
    assert got == want


def test_page_hinkley_equal_river(rng):
    x = shifting(rng, 2000)
    for mode in ("both", "up", "down"):
        d = mlops.Detector("page_hinkley", threshold=20.0, mode=mode)
        want, _ = river_points(river_drift.PageHinkley(threshold=20.0, mode=mode), x)
        assert d.update(x).drifts == want, mode
        assert math.isnan(d.estimation)


def test_ddm_and_eddm_drifts_and_warnings_equal_river(rng):
    errors = np.concatenate([rng.random(3000) < 0.1, rng.random(3000) < 0.4]).astype(float)
    for kind, ref in (("ddm", river_binary.DDM()), ("eddm", river_binary.EDDM())):
        d = mlops.Detector(kind)
        got = d.update(errors)
        want_d, want_w = river_points(ref, errors)
        assert got.drifts == want_d and len(want_d) >= 1, kind
        assert got.warnings == want_w, kind
        assert bool(got) and d.warning_detected == bool(ref.warning_detected)
        assert d.drift_detected == bool(ref.drift_detected)


def test_kswin_flags_a_shift_after_it_happens(rng):
    x = np.concatenate([rng.normal(0, 1, 1000), rng.normal(5, 1, 1000)])
    d = mlops.Detector("kswin", alpha=0.001, seed=1)
    got = d.update(x).drifts
    assert any(1000 <= p < 1100 for p in got)  # KSWIN also has false alarms before
    assert d.width <= 100


def test_nonfinite_values_are_counted_and_skipped(rng):
    x = rng.normal(size=500)
    d1, d2 = mlops.Detector("adwin"), mlops.Detector("adwin")
    dirty = np.insert(x, [10, 20, 30], [np.nan, np.inf, -np.inf])
    d1.update(x)
    d2.update(dirty)
    assert d2.nonfinite_count == 3 and d2.count == d1.count == 500
    assert d1.estimation == d2.estimation and d1.width == d2.width


def test_state_round_trip_makes_the_same_decisions(rng):
    x = shifting(rng, 1500)
    a = mlops.Detector("adwin")
    a.update(x[:2000])
    b = mlops.Detector.from_bytes(a.to_bytes())
    c = pickle.loads(pickle.dumps(a))
    assert bytes(b) == a.to_bytes()
    tail = x[2000:]
    assert a.update(tail) == b.update(tail) == c.update(tail)
    assert a.to_bytes() == b.to_bytes()


def test_errors_map_to_exceptions():
    with pytest.raises(mlops.InvalidArgumentError) as err:
        mlops.Detector("adwin", delta=2.0)
    assert "delta" in err.value.message
    with pytest.raises(mlops.InvalidArgumentError):
        mlops.Detector("kswin", stat_size=200, window_size=100)
    with pytest.raises(mlops.InvalidArgumentError):
        mlops.Detector("nope")
    with pytest.raises(TypeError):
        mlops.Detector("adwin", threshold=1.0)
    with pytest.raises(mlops.InvalidArgumentError):
        mlops.Detector("page_hinkley", mode="sideways")
    d = mlops.Detector("ddm")
    with pytest.raises(mlops.DomainError) as err:
        d.update([0.0, 1.0, 0.5])
    assert "2" in err.value.message
    assert d.count == 0
    with pytest.raises(mlops.ParseError):
        mlops.Detector.from_bytes(b"\x00" * 8)
    raw = bytearray(mlops.Detector("adwin").to_bytes())
    raw[-1] ^= 0xFF
    with pytest.raises((mlops.IntegrityError, mlops.SchemaError)):
        mlops.Detector.from_bytes(raw)
    d.close()
    with pytest.raises(ValueError):
        d.update([0.0])


def test_repr_and_dict():
    d = mlops.Detector("eddm")
    d.update([0, 1, 0])
    assert repr(d).startswith("<Detector eddm count=3 drifts=0 width=")
    assert d.to_dict()["count"] == 3 and '"kind": "eddm"' in d.to_json()
    r = d.update([])
    assert r.to_dict() == {"drifts": [], "warnings": []} and not r
