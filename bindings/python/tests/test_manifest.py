"""Manifests against the independent vectors of tests/vectors/manifest
(written by their own RFC 8785 writer, not by the library) and hashlib."""

from __future__ import annotations

import hashlib
import json
import math
import pickle

import pytest

import libmlops as mlops

from conftest import repo_file

HEX = "0123456789abcdef" * 4


def vec(name: str):
    return repo_file(f"tests/vectors/manifest/{name}")


@pytest.fixture(scope="module")
def parent():
    return mlops.Manifest.from_file(vec("parent.json"))


@pytest.fixture(scope="module")
def child():
    return mlops.Manifest(vec("child.json").read_bytes())


def expected():
    out = {}
    for line in vec("expected.txt").read_text().splitlines():
        key, value = line.split()
        out[key] = value
    return out


def test_parse_gives_the_canonical_bytes_and_the_vector_digests(parent, child):
    exp = expected()
    for name, m in (("parent", parent), ("child", child)):
        raw = vec(f"{name}.json").read_bytes()
        assert m.to_bytes() == raw == bytes(m)
        assert m.statement_sha256 == exp[f"{name}.statement"] == hashlib.sha256(raw).hexdigest()
        assert m.statement_digest == hashlib.sha256(raw).digest()
        assert m.tree_sha256 == exp[f"{name}.tree"] == m.tree_digest.hex()
        doc = json.loads(raw)
        files = json.dumps(doc["predicate"]["files"], sort_keys=True, separators=(",", ":"))
        assert hashlib.sha256(files.encode()).hexdigest() == m.tree_sha256
        m.validate()


def test_fields_equal_the_document(parent):
    pred = json.loads(vec("parent.json").read_bytes())["predicate"]
    assert parent.name == pred["name"] and parent.version == pred["version"]
    assert parent.created == pred["created"] and parent.description == pred["description"]
    assert parent.framework == (pred["framework"]["name"], pred["framework"]["version"])
    assert [f.path for f in parent.files] == [f["path"] for f in pred["files"]]
    for f, d in zip(parent.files, pred["files"]):
        assert (f.size, f.sha256, f.media_type, f.role) == (
            d["size"], d["digest"]["sha256"], d.get("mediaType"), d.get("role"))
    assert parent.file("model/model.onnx").size == 1234567
    assert parent.file("nope") is None and "config.json" in parent
    ds = parent.datasets[0]
    want = pred["datasets"][0]
    assert (ds.name, ds.uri, ds.role, ds.sha256) == (want["name"], want["uri"], want["role"], want["digest"]["sha256"])
    assert ds.foreign_digest == mlops.ForeignDigest(**want["foreignDigest"])
    assert parent.parameters == pred["parameters"]
    assert parent.parameters_json["learning_rate"] == "0.01"
    assert parent.metrics == pred["metrics"]
    assert parent.annotations == pred["annotations"]
    assert parent.code == mlops.CodeRef(pred["code"]["uri"], pred["code"]["commit"])
    assert parent.parent is None
    assert parent.to_dict() == json.loads(vec("parent.json").read_bytes())
    assert json.loads(parent.to_json()) == parent.to_dict() and parent.to_json().endswith("\n")
    assert "fraud-detector@1.3.2" in repr(parent)


def test_child_links_its_parent_and_diff_equals_the_vector(parent, child):
    assert child.parent == mlops.ParentLink(parent.name, parent.version, parent.statement_sha256)
    child.check_parent(parent)
    with pytest.raises(mlops.NotFoundError):
        parent.check_parent(child)
    d = parent.diff(child)
    assert d.report == json.loads(vec("diff.json").read_bytes())
    assert d.relation == "b-child-of-a"
    assert mlops.diff_manifests(child, parent).relation == "a-child-of-b"
    assert mlops.diff_manifests(parent, parent).relation == "same"
    entries = d.report["files"]["entries"]
    assert [(f.path, f.change) for f in d.files] == [(e["path"], e["change"]) for e in entries]
    for f, e in zip(d.files, entries):
        assert f.new_sha256 == (e["new"] or {}).get("sha256")
        assert f.old_size == (e["old"] or {}).get("size", 0)
    assert d.unchanged_files == sum(1 for f in parent.files if child.file(f.path) == f)
    for m in d.metrics:
        a, b = parent.metrics.get(m.name), child.metrics.get(m.name)
        if a is not None and b is not None:
            assert m.delta == pytest.approx(b - a)
            assert (math.isnan(m.relative) if a == 0 else m.relative == pytest.approx((b - a) / abs(a)))
        else:
            assert math.isnan(m.delta)
    for p in d.parameters:
        old, new = parent.parameters_json.get(p.name), child.parameters_json.get(p.name)
        assert (p.old_json, p.new_json) == (old, new)
    assert json.loads(d.to_json())["relation"] == "b-child-of-a"


def test_builder_reproduces_the_parent_vector(parent):
    pred = json.loads(vec("parent.json").read_bytes())["predicate"]
    with mlops.ManifestBuilder(pred["name"], pred["version"], pred["created"]) as b:
        b.description(pred["description"]).framework(pred["framework"]["name"], pred["framework"]["version"])
        for f in reversed(pred["files"]):  # any order: the builder sorts
            b.add_file(f["path"], f["size"], "sha256:" + f["digest"]["sha256"],
                       media_type=f.get("mediaType"), role=f["role"])
        d = pred["datasets"][0]
        b.add_dataset(d["name"], uri=d["uri"], role=d["role"], sha256=d["digest"]["sha256"])
        b.dataset_foreign_digest(d["name"], **d["foreignDigest"])
        b.parameter("early_stopping", True).parameter("max_depth", 8)
        b.parameter_json("learning_rate", "0.01").parameter("optimizer", "adam")
        b.metrics(pred["metrics"]).annotation("team", "risk")
        b.code(pred["code"]["uri"], pred["code"]["commit"])
        m = b.finish()
    assert m == parent and m.to_bytes() == vec("parent.json").read_bytes()
    assert hash(m) == hash(parent)
    assert pickle.loads(pickle.dumps(m)) == parent


def test_builder_parameters_shards_parents_and_datetimes(parent, tmp_path):
    import datetime as dt

    local = tmp_path / "weights.bin"
    local.write_bytes(b"w" * 10)
    b = mlops.ManifestBuilder("m", "1.0.0", dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc))
    b.add_local_file(local, "weights.bin", role="model")
    b.file_shards("weights.bin", 4, [hashlib.sha256(b"w" * n).hexdigest() for n in (4, 4, 2)])
    b.parameters({"n": None, "f": 1.5, "s": "x", "flag": False, "i": -(2**53)})
    b.parent(mlops.ParentLink(parent.name, parent.version, parent.statement_sha256))
    m = b.finish()
    assert m.created == "2026-01-02T03:04:05Z"
    f = m.file("weights.bin")
    assert f.sha256 == hashlib.sha256(b"w" * 10).hexdigest() and f.size == 10
    assert f.shard_size == 4
    assert [(s.offset, s.size) for s in f.shards] == [(0, 4), (4, 4), (8, 2)]
    assert f.shards[2].sha256 == hashlib.sha256(b"ww").hexdigest()
    assert m.parameters == {"f": 1.5, "flag": False, "i": -(2**53), "n": None, "s": "x"}
    assert m.parent.sha256 == parent.statement_sha256
    b.parent(parent)
    assert b.finish().parent == m.parent
    out = tmp_path / "m.json"
    m.write(out)
    assert mlops.Manifest.from_file(out) == m
    assert mlops.default_shard_size() == 256 * 1024 * 1024
    b.close()
    with pytest.raises(ValueError):
        b.finish()


def test_bad_vectors_raise_the_listed_error_with_its_path():
    cases = vec("bad/cases.txt").read_text().splitlines()
    assert len(cases) >= 20
    for line in cases:
        name, code, path = line.split(" ", 2)
        with pytest.raises(mlops.MlopsError) as err:
            mlops.Manifest(vec(f"bad/{name}.json").read_bytes())
        assert err.value.name == code, name
        if path != "-":
            assert err.value.path == path, name
        else:
            assert err.value.line is not None, name


@pytest.mark.parametrize("path,ok", [
    ("model/a.onnx", True), ("", False), ("/abs", False), ("a/../b", False),
    ("a\\b", False), ("a//b", False), ("a/", False), ("a\x01b", False), ("ü/ok", True),
])
def test_path_check(path, ok):
    if ok:
        mlops.manifest_path_check(path)
    else:
        with pytest.raises(mlops.SchemaError):
            mlops.manifest_path_check(path)


def test_builder_errors_name_the_field():
    with pytest.raises(mlops.SchemaError):
        mlops.ManifestBuilder("-bad", "1.0.0", "2026-01-01T00:00:00Z")
    with pytest.raises(mlops.SchemaError):
        mlops.ManifestBuilder("m", "01.0.0", "2026-01-01T00:00:00Z")
    b = mlops.ManifestBuilder("m", "1.0.0", "2026-01-01T00:00:00Z")
    with pytest.raises(mlops.SchemaError):
        b.add_file("../x", 1, HEX)
    with pytest.raises(mlops.SchemaError):
        b.add_file("x", 1, HEX.upper())
    with pytest.raises(mlops.SchemaError):
        b.metric("auc", float("nan"))
    with pytest.raises(mlops.ParseError):
        b.parameter_json("p", "{bad")
    with pytest.raises(mlops.SchemaError):
        b.parameter_json("p", "[1]")
    with pytest.raises(mlops.NotFoundError):
        b.file_shards("missing", 1, [HEX])
    with pytest.raises(mlops.NotFoundError):
        b.dataset_foreign_digest("missing", "md5", "dvc3", "x")
    with pytest.raises(mlops.SchemaError):
        b.code("https://x", "abc")
    with pytest.raises(TypeError):
        b.parameter("p", [1])
    b.add_file("a", 1, HEX).add_file("A", 1, HEX)
    with pytest.raises(mlops.SchemaError) as err:
        b.finish()
    assert err.value.path is not None
    with pytest.raises(mlops.LimitError):
        mlops.Manifest(vec("parent.json").read_bytes(), max_size=100)


def test_names_of_codes():
    assert [mlops.relation_name(i) for i in range(4)] == ["unrelated", "same", "b-child-of-a", "a-child-of-b"]
    assert [mlops.change_name(i) for i in range(4)] == ["unchanged", "added", "removed", "changed"]


# Numbers are signed through their double (RFC 8785): one whose canonical form
# has another value is refused, never rounded. Oracle: Python's decimal.
def _exact(text: str) -> bool:
    import decimal
    return decimal.Decimal(text) == decimal.Decimal(repr(float(text)))


@pytest.mark.parametrize("text", ["9007199254740993", "-9007199254740995", "1152921504606846976",
                                  "0.10000000000000000001", "1e-400"])
def test_numbers_a_double_cannot_hold_are_refused_everywhere(text):
    import decimal
    assert not _exact(text)
    b = mlops.ManifestBuilder("m", "1.0.0", "2026-01-01T00:00:00Z").add_file("w", 1, HEX)
    with pytest.raises(mlops.SchemaError) as err:
        b.parameter_json("big", text)
    assert f'"big" = {text}' in str(err.value)
    if "." not in text and "e" not in text:
        with pytest.raises(mlops.SchemaError):
            b.parameter("big", int(text))
        with pytest.raises(mlops.SchemaError):
            b.metric("m", int(text))
    with pytest.raises(mlops.SchemaError):
        b.metric("m", decimal.Decimal(text))
    assert b.finish().parameters == {}  # nothing was set
    # a statement that carries such a number is refused by the parser, signed or not
    doc = json.loads(vec("parent.json").read_bytes())
    raw = json.dumps(doc, separators=(",", ":"), sort_keys=True)
    first = next(iter(doc["predicate"]["parameters"]))
    old = f'"{first}":{json.dumps(doc["predicate"]["parameters"][first])}'
    assert old in raw
    with pytest.raises(mlops.SchemaError) as err:
        mlops.Manifest(raw.replace(old, f'"{first}":{text}', 1).encode())
    assert err.value.path == f"$.predicate.parameters.{first}"


def test_a_metric_is_a_number_never_text_rounded_on_the_way():
    """Text is refused (it was read by float() and 9007199254740993 signed as
    9007199254740992); integers of any type carrying more than a double are
    refused; the exact oracle is Python's int."""
    b = mlops.ManifestBuilder("m", "1.0.0", "2026-01-01T00:00:00Z").add_file("w", 1, HEX)
    for text in ("9007199254740993", b"9007199254740993", bytearray(b"0.5"), "0.5"):
        with pytest.raises(TypeError):
            b.metric("m", text)
    big = 2**53 + 1
    assert int(float(big)) != big
    np = pytest.importorskip("numpy")  # the rest takes NumPy's integer types
    for v in (np.int64(big), np.uint64(big), np.array(big), np.array(big, dtype=np.uint64)):
        with pytest.raises(mlops.SchemaError):
            b.metric("m", v)
    b.metric("a", np.array(2**53)).metric("b", np.float32(0.5)).metric("c", np.array(0.25))
    assert b.finish().metrics == {"a": 2.0**53, "b": 0.5, "c": 0.25}


@pytest.mark.parametrize("text,want", [("9007199254740994", 9007199254740994), ("1.0", 1),
                                       ("1e2", 100), ("-0", 0), ("0.1", 0.1)])
def test_numbers_a_double_holds_are_kept_exactly(text, want):
    assert _exact(text)
    b = mlops.ManifestBuilder("m", "1.0.0", "2026-01-01T00:00:00Z").add_file("w", 1, HEX)
    b.parameter_json("p", text).metric("m", want)
    if isinstance(want, int):
        b.parameter("q", want)
    m = b.finish()
    assert m.parameters["p"] == want and m.metrics["m"] == want
    assert json.loads(m.to_json())["predicate"]["parameters"]["p"] == want


def test_diff_counts_and_reports_datasets_code_and_every_file_field():
    """Two manifests from known bytes (hashlib digests): the diff's exact lists."""
    h = lambda b: hashlib.sha256(b).hexdigest()
    a = (mlops.ManifestBuilder("fraud", "1.0.0", "2026-01-01T00:00:00Z")
         .add_file("same.bin", 4, h(b"same"), role="model")
         .add_file("role.bin", 4, h(b"role"), role="model")
         .add_file("media.bin", 5, h(b"media"))
         .add_file("gone.txt", 4, h(b"gone"))
         .add_dataset("train", uri="s3://t", role="train", sha256=h(b"train-v1"))
         .add_dataset("eval", uri="s3://e", role="eval", sha256=h(b"eval"))
         .code("https://git/x", "0" * 40).finish())
    b = (mlops.ManifestBuilder("fraud", "1.1.0", "2026-01-02T00:00:00Z")
         .add_file("same.bin", 4, h(b"same"), role="model")
         .add_file("role.bin", 4, h(b"role"), role="doc")
         .add_file("media.bin", 5, h(b"media"), media_type="text/plain")
         .add_file("new1", 1, h(b"1")).add_file("new2", 1, h(b"2")).add_file("new3", 1, h(b"3"))
         .add_dataset("train", uri="s3://t", role="train", sha256=h(b"train-v2"))
         .add_dataset("eval", uri="s3://e", role="eval", sha256=h(b"eval"))
         .code("https://git/x", "1" * 40).parent(a).finish())
    d = a.diff(b)
    assert d.relation == "b-child-of-a"
    got = [(f.path, f.change, f.fields) for f in d.files]
    assert got == [("gone.txt", "removed", ()), ("media.bin", "changed", ("mediaType",)),
                   ("new1", "added", ()), ("new2", "added", ()), ("new3", "added", ()),
                   ("role.bin", "changed", ("role",))]
    assert d.unchanged_files == 1
    assert {k: d.report["files"][k] for k in ("added", "removed", "changed", "unchanged")} == \
        {"added": 3, "removed": 1, "changed": 2, "unchanged": 1}
    assert d.datasets == [mlops.DatasetChange("train", "changed", ("digest",), h(b"train-v1"), h(b"train-v2"),
                                              "s3://t", "s3://t")]
    assert d.unchanged_datasets == 1
    assert d.report["datasets"]["entries"][0]["fields"] == ["digest"]
    assert d.report["datasets"]["entries"][0]["new"]["sha256"] == h(b"train-v2")
    assert (d.code_change, d.code_fields) == ("changed", ("commit",))
    assert d.report["code"] == {"change": "changed", "fields": ["commit"],
                                "old": {"commit": "0" * 40, "uri": "https://git/x"},
                                "new": {"commit": "1" * 40, "uri": "https://git/x"}}
    # reversed: the same sets, the other way
    r = b.diff(a)
    assert r.relation == "a-child-of-b"
    assert sorted((f.path, f.change) for f in r.files if f.change != "changed") == \
        [("gone.txt", "added"), ("new1", "removed"), ("new2", "removed"), ("new3", "removed")]
    same = a.diff(a)
    assert (same.files, same.datasets, same.code_change, same.unchanged_datasets) == ([], [], "unchanged", 2)
