"""Profiles against NumPy and SciPy on random data; zero-copy input."""

from __future__ import annotations

import array
import copy
import ctypes
import math
import pickle
from collections import Counter

import pytest

import libmlops as mlops
from libmlops import _ffi

np = pytest.importorskip("numpy")
stats = pytest.importorskip("scipy.stats")
# tracemalloc after the oracles: interpreters without it (PyPy) skip at them.
tracemalloc = pytest.importorskip("tracemalloc")


@pytest.fixture
def rng():
    return np.random.default_rng(20261126)


def test_moments_and_counts_equal_numpy(rng):
    x = rng.normal(3.0, 2.0, 50_000)
    dirty = np.concatenate([x, [np.nan, np.nan, np.inf, -np.inf, -np.inf]])
    with mlops.Profile(values=dirty) as p:
        assert p.kind == "numeric" and p.count == len(x) == len(p)
        assert (p.nan_count, p.posinf_count, p.neginf_count) == (2, 1, 2)
        assert p.mean == pytest.approx(np.mean(x), rel=1e-12)
        assert p.variance == pytest.approx(np.var(x), rel=1e-10)
        assert p.var(1) == pytest.approx(np.var(x, ddof=1), rel=1e-10)
        assert p.std == pytest.approx(np.std(x), rel=1e-10)
        assert (p.min, p.max) == (x.min(), x.max())
        assert p.k == 200 and 0 < p.retained < len(x)
        assert p.rank_error == pytest.approx(2.296 / 200 ** 0.9723, rel=1e-3)
    assert p.closed
    with pytest.raises(ValueError):
        p.count


def test_empty_profile_gives_nan_and_domain_errors():
    p = mlops.Profile.numeric()
    assert p.count == 0 and math.isnan(p.mean) and math.isnan(p.min) and math.isnan(p.var(1))
    assert p.rank_error == 0.0
    with pytest.raises(mlops.DomainError):
        p.quantile(0.5)
    with pytest.raises(mlops.DomainError):
        p.rank(0.0)
    with pytest.raises(mlops.DomainError):
        p.quantile_edges(4)
    with pytest.raises(mlops.DomainError) as err:
        p.ks_test(mlops.Profile(values=[1.0]))
    assert err.value.message


def test_histogram_counts_equal_numpy(rng):
    x = rng.uniform(-1, 2, 10_000)
    edges = [0.0, 0.25, 0.5, 1.0]
    p = mlops.Profile.numeric(x, edges=edges)
    assert p.histogram_edges == tuple(edges)
    bins = np.searchsorted(np.array(edges), x, side="right")  # number of edges <= value
    assert p.histogram_counts == tuple(np.bincount(bins, minlength=len(edges) + 1))
    assert mlops.Profile().histogram_edges == () and mlops.Profile().histogram_counts == ()


def test_exact_sketch_quantiles_ranks_and_edges_equal_numpy(rng):
    x = rng.normal(size=150)  # fewer than k: the sketch is exact
    p = mlops.Profile(values=x)
    assert p.rank_error == 0.0 and p.retained == len(x)
    ranks = [0.0, 0.1, 0.25, 0.5, 0.9, 1.0]
    assert p.quantile(ranks) == list(np.quantile(x, ranks, method="inverted_cdf"))
    assert p.quantile(0.5) == np.quantile(x, 0.5, method="inverted_cdf")
    probes = list(rng.normal(size=20)) + [x[3]]
    assert p.rank(probes) == pytest.approx([np.mean(x <= v) for v in probes], abs=1e-15)
    assert p.rank(float(x[0])) == np.mean(x <= x[0])
    edges = p.quantile_edges(10)
    assert edges == pytest.approx(np.quantile(x, np.arange(1, 10) / 10), rel=1e-12)


def test_large_sketch_quantiles_are_within_the_rank_error(rng):
    x = rng.lognormal(size=200_000)
    p = mlops.Profile(values=x, seed=7)
    eps = p.rank_error
    assert 0 < eps < 0.02
    xs = np.sort(x)
    for r in (0.01, 0.1, 0.5, 0.9, 0.99):
        q = p.quantile(r)
        true_rank = np.searchsorted(xs, q, side="right") / len(x)
        assert abs(true_rank - r) <= eps
        assert abs(p.rank(q) - true_rank) <= eps
    assert (p.quantile(0), p.quantile(1)) == (xs[0], xs[-1])


def test_ks_and_wasserstein_exact_equal_scipy(rng):
    a, b = rng.normal(size=120), rng.normal(0.5, 1.0, size=90)
    pa, pb = mlops.Profile(values=a), mlops.Profile(values=b)
    ks = pa.ks_test(pb, alpha=0.05)
    ref = stats.ks_2samp(a, b)
    assert ks.statistic == pytest.approx(ref.statistic, abs=1e-12)
    assert ks.low == ks.high == ks.statistic
    n, m = len(a), len(b)
    assert ks.threshold == pytest.approx(math.sqrt(-math.log(0.025) / 2) * math.sqrt((n + m) / (n * m)))
    assert ks.verdict == ("drift" if ks.statistic > ks.threshold else "no_drift")
    assert ks.drift == (ks.verdict == "drift")
    assert ks.pvalue_low == ks.pvalue_high
    assert ks.pvalue_low == pytest.approx(stats.kstwobign.sf(ks.statistic * math.sqrt(n * m / (n + m))), rel=1e-6)
    w = pa.wasserstein(pb, threshold=0.1)
    assert w.statistic == pytest.approx(stats.wasserstein_distance(a, b), rel=1e-12)
    assert w.verdict == "drift" and math.isnan(w.pvalue_low)
    d = ks.to_dict()
    assert d["test"] == "ks" and d["statistic"] == ks.statistic
    assert w.to_dict()["pvalue_low"] is None and '"verdict": "drift"' in w.to_json()
    assert repr(w).startswith("SketchTest(wasserstein: statistic=") and "verdict='drift'" in repr(w)


def test_sketched_ks_interval_contains_scipy(rng):
    a, b = rng.normal(size=100_000), rng.normal(0.02, 1.0, size=80_000)
    pa, pb = mlops.Profile(values=a), mlops.Profile(values=b)
    ks = pa.ks_test(pb, alpha=0.01)
    ref = stats.ks_2samp(a, b).statistic
    assert ks.low <= ref <= ks.high
    assert ks.eps_ref == pa.rank_error and ks.eps_cur == pb.rank_error
    w = pa.wasserstein(pb, threshold=1.0)
    assert w.low <= stats.wasserstein_distance(a, b) <= w.high
    assert w.verdict == "no_drift"


def test_merge_add_and_sum_equal_one_profile_of_all(rng):
    parts = [rng.normal(i, 1.0, 5000) for i in range(4)]
    edges = [-1.0, 0.0, 1.0, 2.0, 3.0]
    profiles = [mlops.Profile(values=x, edges=edges) for x in parts]
    whole = np.concatenate(parts)
    merged = profiles[0] + profiles[1]
    merged += profiles[2]
    merged.merge(profiles[3])
    assert profiles[0].count == 5000  # + makes a new profile
    total = sum(profiles)
    for p in (merged, total):
        assert p.count == len(whole)
        assert p.mean == pytest.approx(whole.mean(), rel=1e-12)
        assert p.variance == pytest.approx(whole.var(), rel=1e-10)
        assert (p.min, p.max) == (whole.min(), whole.max())
        assert p.histogram_counts == tuple(np.bincount(np.searchsorted(edges, whole, side="right"), minlength=6))
    assert merged.to_bytes() == total.to_bytes()
    doubled = profiles[0].copy().merge(profiles[0])
    assert doubled.count == 10_000
    with pytest.raises(mlops.InvalidArgumentError) as err:
        profiles[0].merge(mlops.Profile(values=[1.0]))
    assert "edge" in err.value.message
    assert profiles[0].count == 5000
    with pytest.raises(mlops.InvalidArgumentError):
        profiles[0].merge(mlops.Profile.categorical([1]))
    with pytest.raises(TypeError):
        profiles[0] + 1


def test_bytes_pickle_and_copies_round_trip(rng):
    p = mlops.Profile(values=rng.normal(size=3000), edges=[0.0], seed=3)
    raw = p.to_bytes()
    assert bytes(p) == raw
    for q in (mlops.Profile.from_bytes(raw), pickle.loads(pickle.dumps(p)), copy.copy(p), copy.deepcopy(p)):
        assert q.to_bytes() == raw and q.quantile(0.3) == p.quantile(0.3)
    assert mlops.Profile.from_bytes(bytearray(raw)).to_bytes() == raw
    assert mlops.Profile.from_bytes(memoryview(raw)).to_bytes() == raw


def test_corrupt_bytes_raise_the_right_errors(rng):
    raw = bytearray(mlops.Profile(values=rng.normal(size=300)).to_bytes())
    with pytest.raises(mlops.ParseError) as err:
        mlops.Profile.from_bytes(raw[:10])
    assert err.value.offset is not None
    with pytest.raises(mlops.ParseError):
        mlops.Profile.from_bytes(b"not a profile at all, certainly")
    flipped = bytearray(raw)
    flipped[len(raw) // 2] ^= 0xFF
    with pytest.raises((mlops.IntegrityError, mlops.SchemaError)):
        mlops.Profile.from_bytes(flipped)
    with pytest.raises(mlops.ParseError):
        mlops.Profile.from_bytes(raw + b"x")


def test_categorical_counts_equal_counter(rng):
    codes = rng.integers(-5, 50, 20_000)
    c = mlops.Profile.categorical(codes)
    want = Counter(codes.tolist())
    assert c.kind == "categorical" and c.count == len(codes)
    assert c.categories() == dict(sorted(want.items()))
    assert c.category_size == len(want) and c.category_error == 0
    assert c.category_count(3) == want[3] and c.category_count(10**6) == 0
    assert c.to_dict()["categories"] == dict(sorted(want.items()))
    assert "categorical" in repr(c)
    c.update([1, 2, 2])
    assert c.category_count(2) == want[2] + 2
    assert mlops.Profile.categorical(np.array([1.0, 2.0])).categories() == {1: 1, 2: 1}
    with pytest.raises(mlops.InvalidArgumentError):
        mlops.Profile.categorical([1.5])
    with pytest.raises(mlops.InvalidArgumentError):
        c.quantile(0.5)


def test_heavy_hitters_beyond_the_cap_bound_the_true_counts(rng):
    codes = np.concatenate([np.repeat([7, 8, 9], 3000), rng.integers(100, 10_000, 5000)])
    rng.shuffle(codes)
    c = mlops.Profile.categorical(codes, category_cap=16)
    want = Counter(codes.tolist())
    assert c.category_error > 0
    for code in (7, 8, 9):
        assert c.category_count(code) <= want[code] <= c.category_count(code) + c.category_error
    assert len(c.categories()) == c.category_size


def test_bad_options_and_arguments():
    with pytest.raises(mlops.InvalidArgumentError):
        mlops.Profile(edges=[1.0, 0.0])
    with pytest.raises(mlops.InvalidArgumentError):
        mlops.Profile(edges=[0.0, float("nan")])
    with pytest.raises(mlops.InvalidArgumentError):
        mlops.Profile(k=4)
    with pytest.raises(mlops.InvalidArgumentError):
        mlops.Profile.categorical(category_cap=1)
    with pytest.raises(mlops.InvalidArgumentError):
        mlops.Profile.categorical(edges=[0.0])
    with pytest.raises(mlops.InvalidArgumentError):
        mlops.Profile("other")
    p = mlops.Profile(values=[1.0, 2.0])
    with pytest.raises(mlops.InvalidArgumentError):
        p.quantile(1.5)
    with pytest.raises(mlops.InvalidArgumentError):
        p.rank(float("nan"))
    with pytest.raises(mlops.InvalidArgumentError):
        p.quantile_edges(1)
    with pytest.raises(mlops.InvalidArgumentError):
        p.ks_test(p, alpha=1.5)
    with pytest.raises(mlops.InvalidArgumentError):
        p.wasserstein(p, threshold=-1)
    with pytest.raises(mlops.InvalidArgumentError):
        p.ks_test(mlops.Profile.categorical([1]))
    with pytest.raises(TypeError):
        p.update("text")
    with pytest.raises(TypeError):
        p.update(["a", "b"])
    assert p.count == 2


def test_float64_c_contiguous_input_is_read_in_place(rng):
    x = rng.normal(size=1_000_000)
    keep, ptr, n = _ffi.numeric_array(x)
    assert ctypes.cast(ptr, ctypes.c_void_p).value == x.ctypes.data and n == x.size
    ro = x.copy()
    ro.flags.writeable = False
    keep, ptr, n = _ffi.numeric_array(ro)
    assert ctypes.cast(ptr, ctypes.c_void_p).value == ro.ctypes.data
    buf = array.array("d", [1.0, 2.0])
    keep, ptr, n = _ffi.numeric_array(buf)
    assert ctypes.cast(ptr, ctypes.c_void_p).value == buf.buffer_info()[0]
    # No allocation of the input's size while updating: NumPy reports its
    # allocations to tracemalloc, so a copy of 8 MB would show as the peak.
    p = mlops.Profile()
    tracemalloc.start()
    try:
        p.update(x)
        _, peak_f64 = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        p.update(x.astype(np.float32))
        _, peak_f32 = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak_f64 < 64 * 1024
    assert peak_f32 >= 8 * x.size  # the converted copy, once


def test_non_contiguous_float32_and_other_inputs_give_the_right_answer(rng):
    x = rng.normal(size=(400, 3))
    col = x[:, 1]  # strided view
    assert not col.flags.c_contiguous
    want = mlops.Profile(values=np.ascontiguousarray(col))
    for values in (col, col.tolist(), list(col), array.array("d", col), memoryview(np.ascontiguousarray(col)),
                   tuple(col)):
        got = mlops.Profile(values=values)
        assert got.to_bytes() == want.to_bytes()
    f32 = col.astype(np.float32)
    got = mlops.Profile(values=f32)
    assert got.mean == pytest.approx(np.mean(f32.astype(np.float64)), rel=1e-12)
    assert got.min == float(f32.min())
    ints = np.arange(100, dtype=np.int32)[::2]
    assert mlops.Profile(values=ints).mean == pytest.approx(ints.mean())
    assert mlops.Profile(values=x).count == x.size  # 2-D read in C order
    assert mlops.Profile(values=[]).count == 0


def test_repr_and_to_json_are_readable(rng):
    p = mlops.Profile(values=[1.0, 2.0, 3.0], edges=[2.0])
    assert repr(p).startswith("<Profile numeric count=3 mean=2")
    d = p.to_dict()
    assert d["histogram_counts"] == [1, 2] and d["min"] == 1.0
    import json

    assert json.loads(p.to_json())["count"] == 3
    p.close()
    assert repr(p) == "<Profile closed>"
