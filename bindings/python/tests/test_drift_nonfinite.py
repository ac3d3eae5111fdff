"""Smoothing 0 and non-finite statistics: SciPy's rel_entr conventions, +inf
drifts, a statistic that cannot be computed raises, JSON tells inf from null.

Oracles: scipy.special.rel_entr, scipy.stats.entropy,
scipy.spatial.distance.jensenshannon, scipy.stats.wasserstein_distance.
"""
import json
import math

import pytest

import libmlops as mlops

np = pytest.importorskip("numpy")
special = pytest.importorskip("scipy.special")
stats = pytest.importorskip("scipy.stats")
distance = pytest.importorskip("scipy.spatial.distance")


def shares(c):
    c = np.asarray(c, dtype=float)
    return c / c.sum()


def test_kl_smoothing_zero_is_rel_entr():
    r = mlops.drift_counts([0, 1], [341, 359], "kl", smoothing=0)
    p, q = shares([0, 1]), shares([341, 359])
    assert r.statistic == pytest.approx(stats.entropy(p, q), rel=1e-12)
    assert r.statistic == pytest.approx(special.rel_entr(p, q).sum(), rel=1e-12)
    assert r.drifted


def test_psi_smoothing_zero_with_bins_empty_on_both_sides():
    r = mlops.drift([0, 0, 0, 10], [0, 10, 10, 10], "psi", bins=5, binning="uniform",
                    smoothing=0)
    p, q = shares(r.ref_counts), shares(r.cur_counts)
    want = special.rel_entr(q, p).sum() + special.rel_entr(p, q).sum()
    assert math.isfinite(want)
    assert r.statistic == pytest.approx(want, rel=1e-12) and r.drifted


@pytest.mark.parametrize("seed", range(40))
def test_share_metrics_smoothing_zero_match_scipy(seed):
    rng = np.random.default_rng(seed)
    k = int(rng.integers(2, 9))
    rc = rng.integers(0, 6, k) * (rng.random(k) < 0.7)
    cc = rng.integers(0, 6, k) * (rng.random(k) < 0.7)
    if rc.sum() == 0 or cc.sum() == 0:
        rc[0] += 1
        cc[-1] += 1
    p, q = shares(rc), shares(cc)
    want = {
        "kl": special.rel_entr(p, q).sum(),
        "psi": special.rel_entr(q, p).sum() + special.rel_entr(p, q).sum(),
        "js": distance.jensenshannon(p, q, base=2),
    }
    for metric, w in want.items():
        r = mlops.drift_counts([int(x) for x in rc], [int(x) for x in cc], metric, smoothing=0)
        assert not math.isnan(r.statistic), metric
        if math.isinf(w):
            assert r.statistic == math.inf and r.drifted, metric
            assert r.report["statistic"] == "Infinity", metric
        else:
            assert r.statistic == pytest.approx(w, rel=1e-12, abs=1e-15), metric
            assert r.drifted == (r.statistic >= r.threshold)


def test_unseen_category_makes_psi_infinite_and_drifted():
    r = mlops.drift_counts([2, 2, 0], [1, 1, 2], "psi", smoothing=0)
    p, q = shares([2, 2, 0]), shares([1, 1, 2])
    assert special.rel_entr(q, p).sum() == math.inf
    assert r.statistic == math.inf and r.drifted is True and bool(r)
    # JSON: +inf is the string "Infinity", an absent p-value is null
    assert r.report["statistic"] == "Infinity" and r.report["pvalue"] is None


def test_statistic_scipy_cannot_compute_raises_instead_of_no_drift():
    big = [-1.7976931348623157e308, 1.7976931348623157e308]
    with np.errstate(all="ignore"):
        assert math.isnan(stats.wasserstein_distance(big, big))
    with pytest.raises(mlops.DomainError, match="not computable"):
        mlops.drift(big, big, "wasserstein")


def test_inconclusive_sketch_test_is_not_read_as_no_drift():
    rng = np.random.default_rng(4)
    a = mlops.Profile.numeric(rng.normal(0, 1, 20000))
    b = mlops.Profile.numeric(rng.normal(0.01, 1, 20000))
    t = a.ks_test(b)
    # the sketches' error (99% bound) straddles the critical value
    assert t.low < t.threshold <= t.high and t.verdict == "inconclusive"
    with pytest.raises(ValueError, match="inconclusive"):
        t.drift
    with pytest.raises(ValueError, match="inconclusive"):
        bool(t)
    c = mlops.Profile.numeric(rng.normal(3, 1, 20000))
    d = a.ks_test(c)
    assert d.verdict == "drift" and d.drift is True and bool(d)
