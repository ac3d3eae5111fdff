"""Drift metrics against SciPy on random data and against the vector files of
tests/vectors/drift (computed by an independent NumPy/SciPy/statsmodels script)."""

from __future__ import annotations

import json
import math

import pytest

import libmlops as mlops

from conftest import repo_file

np = pytest.importorskip("numpy")
stats = pytest.importorskip("scipy.stats")
# tracemalloc after the oracles: interpreters without it (PyPy) skip at them.
tracemalloc = pytest.importorskip("tracemalloc")

REL = 1e-12  # the contract: statistics to 1e-12 relative, p-values to 1e-9
PREL = 1e-9


def vector(name):
    return json.loads(repo_file(f"tests/vectors/drift/{name}.json").read_text())


@pytest.fixture
def rng():
    return np.random.default_rng(1126)


@pytest.mark.parametrize("n,m,shift", [(300, 250, 0.0), (2000, 1500, 0.2), (20_000, 15_000, 0.05)])
def test_sample_tests_equal_scipy_on_random_data(rng, n, m, shift):
    a, b = rng.normal(size=n), rng.normal(shift, 1.2, size=m)
    ks = mlops.drift(a, b, "ks")
    ref = stats.ks_2samp(a, b)
    assert ks.statistic == pytest.approx(ref.statistic, rel=REL)
    assert ks.pvalue == pytest.approx(ref.pvalue, rel=PREL, abs=1e-300)
    assert ks.pvalue_method == ("exact" if max(n, m) <= 10_000 else "asymptotic")
    assert ks.drifted == (ref.pvalue < 0.05) and ks.direction == "<" and ks.threshold == 0.05
    assert (ks.n_ref, ks.n_cur) == (n, m)
    w = mlops.drift(a, b, "wasserstein")
    assert w.statistic == pytest.approx(stats.wasserstein_distance(a, b), rel=REL)
    assert math.isnan(w.pvalue) and w.pvalue_method == "none" and w.direction == ">="
    wn = mlops.drift(a, b, "wasserstein_normed")
    assert wn.statistic == pytest.approx(stats.wasserstein_distance(a, b) / max(np.std(a), 0.001), rel=REL)
    e = mlops.drift(a, b, "energy")
    assert e.statistic == pytest.approx(stats.energy_distance(a, b), rel=1e-10)
    if n <= 2000:
        cvm = mlops.drift(a, b, "cvm")
        ref = stats.cramervonmises_2samp(a, b)
        assert cvm.statistic == pytest.approx(ref.statistic, rel=1e-10)
        # SciPy stops its asymptotic series at terms below 1e-7, so its tail
        # p-values are off by up to 1e-7 absolute; the library's are checked
        # against exact arithmetic in tests/oracle/test_drift_exact.py.
        assert cvm.pvalue == pytest.approx(ref.pvalue, rel=1e-6, abs=1e-7)


def shares_oracle(ref, cur, edges, a=0.5):
    """PSI, KL, JS (base 2), Hellinger, TVD, L-inf per docs/drift-contract.md."""
    rc = np.bincount(np.searchsorted(edges, ref, side="right"), minlength=len(edges) + 1)
    cc = np.bincount(np.searchsorted(edges, cur, side="right"), minlength=len(edges) + 1)
    p, q = rc / rc.sum(), cc / cc.sum()
    ps, qs = (rc + a) / (rc.sum() + a * len(rc)), (cc + a) / (cc.sum() + a * len(cc))
    from scipy.spatial.distance import jensenshannon

    return {
        "ref_counts": rc, "cur_counts": cc,
        "psi": float(np.sum((qs - ps) * np.log(qs / ps))),
        "kl": float(np.sum(ps * np.log(ps / qs))),
        "js": float(jensenshannon(p, q, base=2)),
        "hellinger": float(np.sqrt(0.5 * np.sum((np.sqrt(p) - np.sqrt(q)) ** 2))),
        "tvd": float(0.5 * np.abs(p - q).sum()),
        "linf": float(np.abs(p - q).max()),
    }


def test_share_metrics_on_quantile_and_given_edges_equal_numpy(rng):
    a, b = rng.lognormal(size=5000), rng.lognormal(0.1, 1.0, size=4000)
    edges = np.quantile(a, np.arange(1, 10) / 10)  # linear interpolation, as the contract
    want = shares_oracle(a, b, edges)
    for metric in ("psi", "kl", "js", "hellinger", "tvd", "linf"):
        r = mlops.drift(a, b, metric, bins=10)
        assert r.statistic == pytest.approx(want[metric], rel=1e-10, abs=1e-15), metric
        assert r.edges == pytest.approx(tuple(edges), rel=1e-15)
        assert r.ref_counts == tuple(want["ref_counts"]) and r.cur_counts == tuple(want["cur_counts"])
        assert r.bins == 10
    given = [0.5, 1.0, 2.0, 4.0]
    want = shares_oracle(a, b, np.array(given))
    r = mlops.drift(a, b, "psi", edges=given)
    assert r.statistic == pytest.approx(want["psi"], rel=1e-10) and r.edges == tuple(given)
    assert r.smoothing == 0.5 and mlops.drift(a, b, "js", edges=given).js_base == 2.0


@pytest.mark.parametrize("name", ["normal-same", "normal-shift-small", "uniform-vs-beta",
                                  "lognormal-with-nonfinite", "ties-integers", "exponential-scale"])
def test_vector_files(name):
    v = vector(name)
    ref = np.array([np.nan if x is None else x for x in v["reference"]], dtype=float)
    cur = np.array([np.nan if x is None else x for x in v["current"]], dtype=float)
    ks = mlops.drift(ref, cur, "ks")
    assert ks.statistic == pytest.approx(v["ks"]["statistic"], rel=REL)
    assert ks.pvalue == pytest.approx(v["ks"]["pvalue"], rel=PREL)
    assert (ks.missing_ref, ks.missing_cur) == (v["missing_ref"], v["missing_cur"])
    assert mlops.drift(ref, cur, "wasserstein").statistic == pytest.approx(v["wasserstein"], rel=REL)
    assert mlops.drift(ref, cur, "energy").statistic == pytest.approx(v["energy"], rel=1e-10)
    for binning in ("quantile", "uniform"):
        want = v[f"{binning}_bins"]
        for metric in ("psi", "kl", "js", "hellinger", "tvd", "linf"):
            r = mlops.drift(ref, cur, metric, binning=binning, bins=want["k"])
            assert r.statistic == pytest.approx(want[metric], rel=1e-10, abs=1e-15), (binning, metric)
        assert list(r.ref_counts) == want["ref_counts"] and list(r.cur_counts) == want["cur_counts"]


def test_categorical_vectors_and_chi2_against_scipy():
    v = vector("categories-shift")
    r = mlops.drift_categorical(v["reference"], v["current"], "chi2")
    assert r.statistic == pytest.approx(v["chi2"]["statistic"], rel=REL)
    assert r.pvalue == pytest.approx(v["chi2"]["pvalue"], rel=PREL)
    assert r.dof == v["chi2"]["dof"] and r.unseen_share == pytest.approx(v["unseen_share"])
    assert list(r.categories) == v["categories"]
    assert list(r.ref_counts) == v["ref_counts"] and list(r.cur_counts) == v["cur_counts"]
    table = np.array([v["ref_counts"], v["cur_counts"]])
    chi2 = stats.chi2_contingency(table, correction=False)
    assert r.statistic == pytest.approx(chi2[0], rel=REL)
    for metric in ("psi", "kl", "js", "hellinger", "tvd", "linf"):
        got = mlops.drift_categorical(np.array(v["reference"]), np.array(v["current"]), metric)
        assert got.statistic == pytest.approx(v[metric], rel=1e-10), metric
    z = mlops.drift_categorical([0, 1, 1, 0, 1] * 40, [1, 1, 1, 0, 1] * 40, "ztest")
    assert z.metric == "ztest" and 0 <= z.pvalue <= 1
    with pytest.raises(mlops.DomainError):
        mlops.drift_categorical([0, 1, 2], [0, 1, 2], "ztest")
    with pytest.raises(mlops.InvalidArgumentError):
        mlops.drift_categorical([0, 5], [0, 1], "chi2", n_categories=3)
    with pytest.raises(mlops.InvalidArgumentError):
        mlops.drift_categorical([0, 1], [0, 1], "ks")


def test_pvalue_adjust_equals_statsmodels_vectors():
    v = vector("pvalue-adjust")
    for method in ("bonferroni", "holm", "bh"):
        assert mlops.pvalue_adjust(v["pvalues"], method) == pytest.approx(v[method], rel=1e-12)
    with pytest.raises(mlops.InvalidArgumentError):
        mlops.pvalue_adjust([0.5, 1.5])
    with pytest.raises(mlops.InvalidArgumentError):
        mlops.pvalue_adjust([0.5], "sidak")
    assert mlops.pvalue_adjust([]) == []


def test_auto_metric_and_names():
    assert mlops.auto_metric(False, 500, 400) == "ks"
    assert mlops.auto_metric(False, 5000, 4000) == "wasserstein_normed"
    assert mlops.auto_metric(True, 500, 2) == "ztest"
    assert mlops.auto_metric(True, 500, 3) == "chi2"
    assert mlops.auto_metric(True, 5000, 3) == "js"
    assert mlops.METRICS[:3] == ("auto", "ks", "wasserstein") and len(mlops.METRICS) == 14
    assert mlops.metric_name(6) == "psi" and mlops.metric_name(99) == "unknown"
    r = mlops.drift(np.arange(100.0), np.arange(100.0) + 0.5)
    assert r.metric == "ks"


def test_reference_summarised_once_and_from_a_profile(rng):
    a, b = rng.normal(size=4000), rng.normal(0.3, 1, size=3000)
    with mlops.DriftReference(a, bins=10) as ref:
        direct = mlops.drift(a, b, "psi", bins=10)
        via = ref.compare(b)
        assert via.statistic == pytest.approx(direct.statistic, rel=1e-14)
        assert ref.edges == direct.edges and ref.counts == direct.ref_counts
        assert ref.compare(b, "js").statistic == pytest.approx(mlops.drift(a, b, "js").statistic, rel=1e-14)
        assert "bins=10" in repr(ref)
    with pytest.raises(ValueError):
        ref.edges  # closed by the with block
    prof = mlops.Profile(values=a, edges=list(direct.edges))
    from_prof = mlops.DriftReference.from_profile(prof)
    assert from_prof.counts == direct.ref_counts
    assert from_prof.compare(b).statistic == pytest.approx(direct.statistic, rel=1e-14)
    with pytest.raises(mlops.InvalidArgumentError):
        mlops.DriftReference.from_counts([1.0, 0.0], [1, 2, 3])
    with pytest.raises(mlops.DomainError):
        mlops.DriftReference.from_counts([0.0], [0, 0])
    with pytest.raises(mlops.InvalidArgumentError):
        mlops.DriftReference.from_profile(mlops.Profile(values=a))


def test_table_with_pandas_numpy_and_mappings(rng):
    pd = pytest.importorskip("pandas")
    n = 3000
    ref = pd.DataFrame({"a": rng.normal(size=n), "b": rng.normal(size=n), "c": rng.uniform(size=n)})
    cur = pd.DataFrame({"a": rng.normal(0.5, 1, size=n), "b": rng.normal(size=n), "c": rng.uniform(size=n)})
    t = mlops.drift_table(ref, cur, "ks", rule="holm", alpha=0.01)
    assert [c.name for c in t.columns] == ["a", "b", "c"]
    for c in t.columns:
        want = stats.ks_2samp(ref[c.name], cur[c.name])
        assert c.result.statistic == pytest.approx(want.statistic, rel=REL)
        assert c.result.pvalue == pytest.approx(want.pvalue, rel=PREL, abs=1e-300)
    raw = [c.result.pvalue for c in t.columns]
    assert [c.adjusted_pvalue for c in t.columns] == pytest.approx(mlops.pvalue_adjust(raw, "holm"))
    assert t["a"].drifted and t.drifted and t.drifted_count == sum(c.drifted for c in t.columns)
    assert t.drifted_share == pytest.approx(t.drifted_count / 3)
    assert t.report["drifted"] is True and len(t.report["columns"]) == 3
    frame = t.to_frame()
    assert list(frame.index) == ["a", "b", "c"] and bool(frame.loc["a", "drifted"])
    # The same through NumPy (C and Fortran order) and a mapping.
    arr_r, arr_c = ref.to_numpy(), cur.to_numpy()
    for r_, c_ in ((arr_r, arr_c), (np.asfortranarray(arr_r), np.asfortranarray(arr_c))):
        again = mlops.drift_table(r_, c_, "ks", rule="holm", alpha=0.01, columns=["a", "b", "c"])
        assert [c.result.statistic for c in again.columns] == [c.result.statistic for c in t.columns]
    mapped = mlops.drift_table(dict(ref.items()), dict(cur.items()), {"a": "psi"}, threads=1)
    assert mapped["a"].result.metric == "psi" and mapped["b"].result.metric == "wasserstein_normed"
    with pytest.raises(mlops.InvalidArgumentError):
        mlops.drift_table(ref, cur, ["ks"])
    with pytest.raises(mlops.InvalidArgumentError):
        mlops.drift_table(ref, cur[["a", "b"]])
    with pytest.raises(mlops.DomainError) as err:
        mlops.drift_table(ref, cur.assign(b=np.nan))
    assert err.value.message


def test_options_and_errors(rng):
    a = rng.normal(size=200)
    r = mlops.drift(a, a + 1, "psi", threshold=0.5)
    assert r.threshold == 0.5 and r.drifted == (r.statistic >= 0.5)
    assert mlops.drift(a, a, "ks", ks_mode="asymptotic").pvalue_method == "asymptotic"
    with pytest.raises(mlops.DomainError):
        mlops.drift([1.0, np.nan], [1.0], "ks", reject_nonfinite=True)
    with pytest.raises(mlops.DomainError):
        mlops.drift([], [1.0], "ks")
    with pytest.raises(mlops.DomainError):
        mlops.drift([np.nan], [1.0], "ks")
    with pytest.raises(mlops.InvalidArgumentError):
        mlops.drift(a, a, "nope")
    with pytest.raises(mlops.InvalidArgumentError):
        mlops.drift(a, a, 99)
    with pytest.raises(mlops.InvalidArgumentError):
        mlops.drift(a, a, "psi", bins=0)
    with pytest.raises(mlops.InvalidArgumentError):
        mlops.drift(a, a, "psi", edges=[2.0, 1.0])
    with pytest.raises(mlops.InvalidArgumentError):
        mlops.drift(a, a, "js", js_base=1.0)
    with pytest.raises(mlops.InvalidArgumentError):
        mlops.drift(a, a, binning="log")
    d = r.to_dict()
    assert d["metric"] == "psi" and d["pvalue"] is None and json.loads(r.to_json())["statistic"] == r.statistic
    assert r.report["metric"] == "psi" and repr(r).startswith("DriftResult(psi: statistic=")


def test_drift_reads_float64_in_place_and_converts_other_input_once(rng):
    a = rng.normal(size=500_000)
    b = rng.normal(size=500_000)
    tracemalloc.start()
    try:
        mlops.drift(a, b, "psi")  # a share metric: no sorted copies in C either
        _, peak64 = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        mlops.drift(a.astype(np.float32), b, "psi")
        _, peak32 = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak64 < 64 * 1024
    assert peak32 >= 8 * a.size
    # Non-contiguous and float32 inputs give the answer of their float64 values.
    m = rng.normal(size=(1000, 2))
    want = stats.ks_2samp(m[:, 0], m[:, 1])
    got = mlops.drift(m[:, 0], m[:, 1], "ks")
    assert got.statistic == pytest.approx(want.statistic, rel=REL)
    f = m.astype(np.float32)
    got = mlops.drift(f[:, 0], f[:, 1], "wasserstein")
    assert got.statistic == pytest.approx(stats.wasserstein_distance(f[:, 0].astype(float), f[:, 1].astype(float)), rel=REL)
    assert mlops.drift(list(m[:, 0]), tuple(m[:, 1]), "ks").statistic == pytest.approx(want.statistic, rel=REL)


def test_counts_and_profile_drift_equal_the_metric_on_the_raw_values(rng):
    a, b = rng.gamma(2.0, 1.0, 6000), rng.gamma(2.2, 1.0, 5000)
    a[:7] = np.nan
    edges = [0.5, 1.0, 2.0, 3.0, 5.0]
    pa, pb = mlops.Profile(values=a, edges=edges), mlops.Profile(values=b, edges=edges)
    for metric in ("psi", "kl", "js", "hellinger", "tvd", "linf"):
        direct = mlops.drift(a, b, metric, edges=edges)
        want = shares_oracle(a[~np.isnan(a)], b, np.array(edges))[metric]
        assert direct.statistic == pytest.approx(want, rel=1e-10, abs=1e-15)
        via_profiles = pa.drift(pb, metric)
        assert via_profiles.statistic == pytest.approx(direct.statistic, rel=1e-14, abs=1e-16), metric
        via_counts = mlops.drift_counts(pa.histogram_counts, pb.histogram_counts, metric, edges=edges,
                                        missing_ref=7)
        assert via_counts.statistic == pytest.approx(direct.statistic, rel=1e-14, abs=1e-16), metric
        assert via_counts.missing_ref == 7 and via_counts.edges == tuple(edges)
    assert pa.drift(pb).missing_ref == 7 and pa.drift(pb).n_ref == 6000 - 7
    codes_a, codes_b = rng.integers(0, 5, 3000), rng.integers(0, 6, 3000)
    ca, cb = mlops.Profile.categorical(codes_a), mlops.Profile.categorical(codes_b)
    chi = ca.drift(cb, "chi2")
    assert chi.statistic == pytest.approx(mlops.drift_categorical(codes_a, codes_b, "chi2").statistic, rel=1e-12)
    with pytest.raises(mlops.InvalidArgumentError):
        pa.drift(mlops.Profile(values=b, edges=[0.5, 1.0]))
    with pytest.raises(mlops.InvalidArgumentError):
        pa.drift(pb, "ks")
    with pytest.raises(mlops.InvalidArgumentError):
        mlops.drift_counts([1, 2], [1, 2, 3])
    with pytest.raises(mlops.DomainError):
        mlops.drift_counts([0, 0], [1, 2])
    with pytest.raises(TypeError):
        pa.drift("profile")


def test_to_dict_and_to_json_keep_an_infinite_statistic_apart_from_nan():
    """PSI with smoothing 0 and a bin empty on one side is +inf (the drift
    contract; SciPy: rel_entr(0.487, 0) = inf): to_dict/to_json write it as
    "Infinity", as the library's own JSON does, never as the null of a NaN."""
    from scipy.special import rel_entr
    assert math.isinf(rel_entr(359 / 700, 0.0))
    r = mlops.drift_counts([0, 1], [341, 359], "psi", smoothing=0)
    assert math.isinf(r.statistic) and r.drifted
    d = r.to_dict()
    assert d["statistic"] == "Infinity" and d["pvalue"] is None
    doc = json.loads(r.to_json(), parse_constant=lambda c: pytest.fail("bare " + c))
    assert doc["statistic"] == "Infinity" == doc["report"]["statistic"]
    assert doc["pvalue"] is None
    t = mlops.drift_table({"a": [0.0] * 5 + [1.0] * 5}, {"a": [2.0] * 10}, metrics="psi",
                          smoothing=0)
    col = json.loads(t.to_json())["columns"][0]["result"]
    assert col["statistic"] == "Infinity" and col["pvalue"] is None
