"""The read-only info structs of the monitor layer (drift.h, profile.h,
detector.h) as the binding reads them: their ctypes layout against the size
the library reports, and the values the binding builds from them against
SciPy, NumPy and river."""

from __future__ import annotations

import ctypes
import math

import pytest

import libmlops as mlops
from libmlops import _signatures as sig
from libmlops._lib import C

np = pytest.importorskip("numpy")
stats = pytest.importorskip("scipy.stats")


def _drift_handle(ref, cur, metric):
    out = ctypes.c_void_p()
    a = (ctypes.c_double * len(ref))(*ref)
    b = (ctypes.c_double * len(cur))(*cur)
    C.mlops_drift_numeric(ctypes.byref(out), metric, a, len(ref), b, len(cur), None)
    return out.value


def test_drift_structs_have_the_size_and_version_the_library_fills():
    r = _drift_handle([0.1, 0.4, 0.7, 0.2], [0.5, 0.9, 0.8], 6)  # psi
    try:
        i = C.mlops_drift_result_info(r).contents
        assert i.version == 1
        assert i.size == ctypes.sizeof(sig.mlops_drift_result_info)
    finally:
        C.mlops_drift_result_free(r)
    ref = mlops.DriftReference([1.0, 2.0, 3.0, 4.0], bins=2)
    with ref._use() as h:
        i = C.mlops_drift_reference_info(h).contents
        assert (i.version, i.size) == (1, ctypes.sizeof(sig.mlops_drift_reference_info))
        assert (i.count, i.missing, i.bins) == (4, 0, 2)
    ref.close()
    cols = np.asfortranarray(np.array([[1.0, 2.0], [2.0, 3.0], [3.0, 1.0]]))
    out = ctypes.c_void_p()
    p = cols.ctypes.data_as(ctypes.POINTER(ctypes.c_double))
    C.mlops_drift_table(ctypes.byref(out), p, 3, p, 3, 2, None, None)
    try:
        t = C.mlops_drift_table_result_info(out.value).contents
        assert (t.version, t.size) == (1, ctypes.sizeof(sig.mlops_drift_table_result_info))
        assert (t.columns, t.drifted_count, t.drifted, t.rule) == (2, 0, 0, 0)
        c = C.mlops_drift_table_result_column_info(out.value, 1).contents
        assert (c.version, c.size) == (1, ctypes.sizeof(sig.mlops_drift_table_result_column_info))
        assert c.result == C.mlops_drift_table_result_column(out.value, 1)
        assert not C.mlops_drift_table_result_column_info(out.value, 2)  # out of range: NULL
    finally:
        C.mlops_drift_table_result_free(out.value)
    assert not C.mlops_drift_result_info(None)
    assert not C.mlops_drift_reference_info(None)
    assert not C.mlops_drift_table_result_info(None)


def test_profile_and_detector_structs_have_the_size_and_version_the_library_fills():
    with mlops.Profile.numeric([1.0, 2.0]) as p, p._use() as h:
        i = C.mlops_profile_info(h).contents
        assert (i.version, i.size) == (1, ctypes.sizeof(sig.mlops_profile_info))
    with mlops.Detector("adwin") as d, d._use() as h:
        i = C.mlops_detector_info(h).contents
        assert (i.version, i.size) == (1, ctypes.sizeof(sig.mlops_detector_info))
    assert not C.mlops_profile_info(None)
    assert not C.mlops_detector_info(None)


def test_drift_result_from_the_struct_matches_scipy():
    rng = np.random.default_rng(7)
    ref, cur = rng.normal(size=300), rng.normal(0.3, 1.0, size=250)
    ref[5] = np.nan
    r = mlops.drift(ref, cur, "ks")
    want = stats.ks_2samp(ref[np.isfinite(ref)], cur)
    assert r.statistic == pytest.approx(want.statistic, rel=1e-12)
    assert r.pvalue == pytest.approx(want.pvalue, rel=1e-9)
    assert (r.metric, r.pvalue_method, r.direction) == ("ks", "exact", "<")
    assert (r.n_ref, r.n_cur, r.missing_ref, r.missing_cur) == (299, 250, 1, 0)
    assert r.drifted == (want.pvalue < 0.05) and r.threshold == 0.05
    assert type(r.n_ref) is int and type(r.statistic) is float and type(r.drifted) is bool
    assert r.edges == () and r.ref_counts == () and r.categories == () and r.bins == 0
    # chi-square on labels: categories, counts and dof from the struct
    c = mlops.drift_categorical(["a", "a", "a", "b"], ["a", "b", "b", "b"], "chi2")
    chi2, p, dof, _ = stats.chi2_contingency([[3, 1], [1, 3]], correction=False)
    assert c.statistic == pytest.approx(chi2, rel=1e-12)
    assert c.pvalue == pytest.approx(p, rel=1e-9)
    assert (c.dof, c.bins, c.ref_counts, c.cur_counts) == (dof, 2, (3, 1), (1, 3))
    assert all(type(x) is int for x in c.categories + c.ref_counts)


def test_table_from_the_structs_matches_scipy():
    rng = np.random.default_rng(3)
    ref = rng.normal(size=(200, 2))
    cur = ref.copy()
    cur[:, 1] += 1.0
    t = mlops.drift_table(ref, cur, "ks", rule="bonferroni")
    p = [stats.ks_2samp(ref[:, j], cur[:, j]).pvalue for j in range(2)]
    assert [c.result.pvalue for c in t.columns] == pytest.approx(p, rel=1e-9)
    assert [c.adjusted_pvalue for c in t.columns] == pytest.approx([min(1.0, 2 * x) for x in p], rel=1e-9)
    assert [c.drifted for c in t.columns] == [False, True]
    assert (t.drifted, t.drifted_count, t.drifted_share) == (True, 1, 0.5)


def test_profile_from_the_struct_matches_numpy():
    x = np.array([1.0, 2.0, 4.0, np.nan, np.inf, -np.inf, -np.inf])
    p = mlops.Profile.numeric(x, edges=[2.0])
    f = x[np.isfinite(x)]
    assert (p.count, p.nan_count, p.posinf_count, p.neginf_count) == (3, 1, 1, 2)
    assert p.mean == pytest.approx(f.mean(), rel=1e-15)
    for ddof in (0, 1, 2):
        assert p.var(ddof) == pytest.approx(np.var(f, ddof=ddof), rel=1e-15)
    assert math.isnan(p.var(3)) and math.isnan(p.var(4))
    assert (p.min, p.max, p.histogram_edges, p.histogram_counts) == (1.0, 4.0, (2.0,), (1, 2))
    assert (p.k, p.retained, p.rank_error) == (200, 3, 0.0)
    # the struct follows the profile: update and merge
    p.update([10.0])
    p += mlops.Profile.numeric([-1.0], edges=[2.0])
    f = np.array([1.0, 2.0, 4.0, 10.0, -1.0])
    assert (p.count, p.min, p.max, p.histogram_counts) == (5, -1.0, 10.0, (2, 3))
    assert p.var(1) == pytest.approx(np.var(f, ddof=1), rel=1e-14)
    e = mlops.Profile.numeric()
    assert e.count == 0 and math.isnan(e.mean) and math.isnan(e.var(0)) and math.isnan(e.min)
    c = mlops.Profile.categorical([5, 5, 7])
    assert (c.kind, c.count, c.category_size, c.category_error) == ("categorical", 3, 2, 0)
    assert math.isnan(c.var(0)) and math.isnan(c.rank_error) and c.k == 0
    assert c.categories() == {5: 2, 7: 1}
    p.close()
    with pytest.raises(mlops.ClosedError):
        p.count


def test_detector_from_the_struct_matches_river():
    river = pytest.importorskip("river.drift")
    rng = np.random.default_rng(11)
    x = np.concatenate([rng.normal(0, 0.1, 1000), rng.normal(1, 0.1, 1000)])
    d = mlops.Detector("adwin")
    a = river.ADWIN()
    d.update(x[:1234])
    for v in x[:1234]:
        a.update(v)
    assert (d.width, d.count, d.drift_detected) == (int(a.width), 1234, a.drift_detected)
    assert d.estimation == pytest.approx(a.estimation, rel=1e-12)
    assert d.kind == "adwin" and d.drift_count >= 1
    d.update([math.nan, math.inf])
    assert d.nonfinite_count == 2 and d.count == 1234
    d.close()
    with pytest.raises(mlops.ClosedError):
        d.width
