"""Category labels aligned by the library's dictionary (mlops_category_dict).

Oracle: SciPy's jensenshannon and chi2_contingency on counts aligned by hand
(collections.Counter / pandas value_counts over the union of labels).
"""
import collections
import math

import pytest

import libmlops as mlops

np = pytest.importorskip("numpy")
pd = pytest.importorskip("pandas")
dist = pytest.importorskip("scipy.spatial.distance")
stats = pytest.importorskip("scipy.stats")


def aligned_js(ref, cur):
    rc = collections.Counter(x for x in ref if x is not None)
    cc = collections.Counter(x for x in cur if x is not None)
    keys = sorted(set(rc) | set(cc), key=str)
    return float(dist.jensenshannon([rc[k] for k in keys], [cc[k] for k in keys], base=2))


def test_pandas_categories_align_by_label_not_by_code():
    # two frames whose category sets differ: 'b' is code 1 in one, 0 in the other
    ref = pd.Series(pd.Categorical(["a", "a", "b", "b"], categories=["a", "b"]))
    cur = pd.Series(pd.Categorical(["b", "b", "c", "c"], categories=["b", "c"]))
    vc_r, vc_c = ref.value_counts(), cur.value_counts()
    keys = sorted(set(vc_r.index) | set(vc_c.index))
    want = dist.jensenshannon([vc_r.get(k, 0) for k in keys], [vc_c.get(k, 0) for k in keys], base=2)
    r = mlops.drift_categorical(ref, cur, "js")
    assert r.statistic == pytest.approx(want, rel=1e-12)
    assert r.statistic == pytest.approx(math.sqrt(0.5), rel=1e-12)
    # the raw codes would compare [2, 2] with [2, 2]: no drift at all
    raw = mlops.drift_categorical(ref.cat.codes, cur.cat.codes, "js")
    assert raw.statistic == pytest.approx(0.0, abs=1e-15)
    assert set(r.labels) == {"a", "b", "c"}
    assert r.unseen_share == pytest.approx(0.5)


@pytest.mark.parametrize("kind", ["list", "object", "category", "string", "numpy"])
def test_every_label_container_gives_the_scipy_answer(kind):
    rng = np.random.default_rng(5)
    ref = list(rng.choice(["red", "green", "blue", "é"], 300, p=[0.4, 0.3, 0.2, 0.1]))
    cur = list(rng.choice(["red", "green", "blue", "teal"], 250, p=[0.2, 0.3, 0.3, 0.2]))
    want_js = aligned_js(ref, cur)
    conv = {
        "list": lambda x: [str(v) for v in x],
        "object": lambda x: pd.Series(x, dtype=object),
        "category": lambda x: pd.Series(x, dtype="category"),
        "string": lambda x: pd.Series(x, dtype="string"),
        "numpy": lambda x: np.array(x),
    }[kind]
    r = mlops.drift_categorical(conv(ref), conv(cur), "js")
    assert r.statistic == pytest.approx(want_js, rel=1e-12)
    keys = sorted(set(ref) | set(cur))
    table = [[ref.count(k) for k in keys], [cur.count(k) for k in keys]]
    chi2 = stats.chi2_contingency(table, correction=False)
    r = mlops.drift_categorical(conv(ref), conv(cur), "chi2")
    assert r.statistic == pytest.approx(chi2[0], rel=1e-12)
    assert r.pvalue == pytest.approx(chi2[1], rel=1e-9)


def test_missing_values_and_bytes_labels():
    ref = ["a", None, "b", float("nan"), "a"]
    cur = pd.Series(["a", pd.NA, "b", "b"], dtype="string")
    r = mlops.drift_categorical(ref, cur, "js")
    assert r.missing_ref == 2 and r.missing_cur == 1
    assert r.statistic == pytest.approx(aligned_js(["a", "b", "a"], ["a", "b", "b"]), rel=1e-12)
    # bytes are exact: b"a\0b", b"a\0c" and b"a" are three labels
    r = mlops.drift_categorical([b"a\0b", b"a\0c", b"a"], [b"a", b"a"], "js")
    assert r.n_ref == 3 and len(r.categories) == 3
    assert r.statistic == pytest.approx(aligned_js(["x", "y", "z"], ["z", "z"]), rel=1e-12)


def test_unusable_columns_name_themselves():
    with pytest.raises(mlops.InvalidArgumentError, match="holds integer codes"):
        mlops.drift_categorical(["a", "b"], [0, 1])
    with pytest.raises(mlops.InvalidArgumentError, match="value 1 is dict"):
        mlops.drift_categorical(["a", {}], ["a"])
    with pytest.raises(mlops.InvalidArgumentError, match="n_categories"):
        mlops.drift_categorical(["a"], ["b"], n_categories=3)
    ref = pd.DataFrame({"x": [1.0, 2.0, 3.0], "colour": ["r", "g", {}]})
    cur = pd.DataFrame({"x": [1.0, 2.0, 3.0], "colour": ["r", "g", "b"]})
    with pytest.raises(mlops.InvalidArgumentError, match="column 'colour'"):
        mlops.drift_table(ref, cur)
    odd = pd.DataFrame({"x": [1.0, 2.0], "t": [object(), object()]})
    with pytest.raises(mlops.InvalidArgumentError, match="column 't'"):
        mlops.drift_table(odd, odd)


def test_integer_categories_are_codes_by_value():
    ref = pd.Series(pd.Categorical([0, 0, 1, 2], categories=[0, 1, 2]))
    cur = pd.Series(pd.Categorical([2, 2, 1], categories=[1, 2]))
    r = mlops.drift_categorical(ref, cur, "js")
    assert r.statistic == pytest.approx(aligned_js([0, 0, 1, 2], [2, 2, 1]), rel=1e-12)


def test_drift_table_with_label_columns():
    rng = np.random.default_rng(11)
    n = 400
    ref = pd.DataFrame({"x": rng.normal(0, 1, n),
                        "colour": pd.Categorical(rng.choice(["r", "g", "b"], n, p=[0.5, 0.3, 0.2])),
                        "city": rng.choice(["paris", "oslo"], n).astype(object)})
    cur = pd.DataFrame({"x": rng.normal(0.5, 1, n),
                        "colour": pd.Categorical(rng.choice(["g", "b", "y"], n, p=[0.2, 0.3, 0.5])),
                        "city": rng.choice(["paris", "oslo"], n).astype(object)})
    t = mlops.drift_table(ref, cur, {"colour": "chi2", "city": "chi2"})
    assert [c.name for c in t.columns] == ["x", "colour", "city"]
    ks = stats.ks_2samp(ref["x"], cur["x"])
    assert t["x"].result.metric == "ks"
    assert t["x"].result.statistic == pytest.approx(ks.statistic, rel=1e-12)
    for name in ("colour", "city"):
        rl, cl = list(ref[name].astype(str)), list(cur[name].astype(str))
        keys = sorted(set(rl) | set(cl))
        chi2 = stats.chi2_contingency([[rl.count(k) for k in keys], [cl.count(k) for k in keys]],
                                      correction=False)
        assert t[name].result.statistic == pytest.approx(chi2[0], rel=1e-12)
    assert t.drifted_count == sum(c.drifted for c in t.columns)
    assert t.drifted == (t.drifted_count / 3 >= 0.5)
    assert [c["column"] for c in t.report["columns"]] == ["x", "colour", "city"]
    with pytest.raises(mlops.InvalidArgumentError, match="colour, city"):
        mlops.drift_table(ref, cur, rule="holm")
    # mappings of lists work the same
    m = mlops.drift_table({"c": ["a", "b", "b"]}, {"c": ["b", "c", "c"]}, "js")
    assert m["c"].result.statistic == pytest.approx(aligned_js(["a", "b", "b"], ["b", "c", "c"]),
                                                    rel=1e-12)


def test_category_dict_object():
    with mlops.CategoryDict(["b", "a", "b"]) as d:
        assert len(d) == 2
        assert d.add(["c", "a"]) == [2, 1]
        assert d.encode(["a", "zz", b"c"]) == ([1, -1, 2], 1)
        assert d.label(0) == "b" and d.label(2) == "c"
        assert d.add([b"\xff\x00"]) == [3]
        assert d.label(3) == b"\xff\x00"
        with pytest.raises(mlops.InvalidArgumentError):
            d.label(4)
        with pytest.raises(mlops.InvalidArgumentError, match="str or bytes"):
            d.add(["ok", 3])
        assert len(d) == 4
    with pytest.raises(ValueError, match="closed"):
        len(d)
