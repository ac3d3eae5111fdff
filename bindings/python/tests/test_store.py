"""The store's listings report errors and own their strings; a killed alias
move or creation is recovered. The files are written and read back with the
standard json module."""

from __future__ import annotations

import json
import os

import pytest

import libmlops as mlops


def _pack(tmp_path, version, key):
    d = tmp_path / "model"
    d.mkdir(exist_ok=True)
    (d / "weights.bin").write_bytes(b"w" * 1000)
    b = mlops.ManifestBuilder("demo", version, "2026-01-01T00:00:00Z")
    return mlops.Package.pack(tmp_path / f"p{version}.mlpkg", b, directories=[(d, "model")],
                              keys=key, mtime=0)


@pytest.fixture
def store(tmp_path):
    key = mlops.SigningKey()
    pkgs = [_pack(tmp_path, v, key) for v in ("1.0.0", "1.1.0")]
    with mlops.Store(tmp_path / "store", create=True) as s:
        for p in pkgs:
            s.add(p, key)
        yield s


def test_a_damaged_index_raises_instead_of_looking_empty(store):
    index = store.path / "index.json"
    good = index.read_bytes()
    index.write_bytes(good[: len(good) // 2])
    with pytest.raises(mlops.ParseError):
        store.tags
    with pytest.raises(mlops.ParseError):
        store.alias_history("demo", "production")
    index.write_bytes(json.dumps({"manifests": "none"}).encode())
    with pytest.raises(mlops.SchemaError):
        store.tags
    index.write_bytes(good)
    assert store.tags == ["demo:1.0.0", "demo:1.1.0"]


def test_a_damaged_history_raises(store):
    store.set_alias("demo", "production", "1.0.0")
    (store.path / "mlops-store.json").write_text(json.dumps({"aliases": {"demo:production": [1]}}))
    with pytest.raises(mlops.SchemaError):
        store.alias_history("demo", "production")
    with pytest.raises(mlops.SchemaError):
        store.tags


def test_a_move_killed_before_its_commit_is_ignored(store):
    store.set_alias("demo", "production", "1.0.0")
    hist = store.path / "mlops-store.json"
    # what a move to 1.1.0 killed between the history and index.json leaves
    doc = json.loads(hist.read_text())
    doc["aliases"]["demo:production"].append("1.1.0")
    hist.write_text(json.dumps(doc))
    assert store.resolve("demo:production") == store.resolve("demo:1.0.0")
    assert store.alias_history("demo", "production") == ["1.0.0"]
    store.gc()  # the uncommitted line is dropped from the file
    assert json.loads(hist.read_text()) == {"aliases": {"demo:production": ["1.0.0"]}}
    store.set_alias("demo", "production", "1.1.0")
    assert store.alias_history("demo", "production") == ["1.0.0", "1.1.0"]
    assert store.resolve("demo:production") == store.resolve("demo:1.1.0")


def test_a_killed_creation_is_finished(tmp_path):
    d = tmp_path / "new"
    d.mkdir()
    (d / ".lock").write_bytes(b"")
    (d / ".oci-layout.tmp-a1B2c3").write_bytes(b'{"imageLayout')
    (d / "blobs" / "sha256").mkdir(parents=True)
    with pytest.raises(mlops.NotFoundError):
        mlops.Store(d)
    with mlops.Store(d, create=True) as s:
        assert s.tags == []
    assert sorted(os.listdir(d)) == [".lock", "blobs", "index.json", "oci-layout"]
    assert json.loads((d / "oci-layout").read_text()) == {"imageLayoutVersion": "1.0.0"}
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / ".lock").write_bytes(b"")
    (busy / "notes.txt").write_text("mine")
    with pytest.raises(mlops.ExistsError):
        mlops.Store(busy, create=True)


def _through_a_pipe(data: bytes):
    """A path that reads `data` once, as a shell pipe does, and the writer."""
    import threading
    r, w = os.pipe()

    def feed() -> None:
        with os.fdopen(w, "wb") as f:
            try:
                f.write(data)
            except BrokenPipeError:
                pass

    t = threading.Thread(target=feed)
    t.start()
    return f"/proc/self/fd/{r}", r, t


def test_add_from_a_pipe_reads_it_once_and_adds_every_blob(tmp_path):
    import hashlib
    import tarfile
    key = mlops.SigningKey()
    pkg = _pack(tmp_path, "2.0.0", key)
    data = open(pkg, "rb").read()
    path, r, t = _through_a_pipe(data)
    try:
        with mlops.Store(tmp_path / "s", create=True) as s:
            assert s.add(path, key) == "demo:2.0.0"
            s.check()
            with tarfile.open(pkg) as tf:
                for m in tf.getmembers():
                    if m.isfile() and m.name.startswith("blobs/sha256/"):
                        blob = (s.path / m.name).read_bytes()
                        assert hashlib.sha256(blob).hexdigest() == m.name.rsplit("/", 1)[1]
            assert [n for n in os.listdir(s.path / "blobs" / "sha256") if n.startswith(".")] == []
    finally:
        t.join()
        os.close(r)


def test_a_tampered_package_from_a_pipe_is_refused_and_named(tmp_path):
    key = mlops.SigningKey()
    pkg = _pack(tmp_path, "2.0.0", key)
    data = bytearray(open(pkg, "rb").read())
    data[data.index(b"w" * 1000) + 10] ^= 1
    path, r, t = _through_a_pipe(bytes(data))
    try:
        with mlops.Store(tmp_path / "s", create=True) as s:
            with pytest.raises(mlops.IntegrityError) as exc:
                s.add(path, key)
            assert path in str(exc.value) and ".tmp-spool" not in str(exc.value)
            assert s.tags == []
            assert [n for n in os.listdir(s.path / "blobs" / "sha256") if n.startswith(".")] == []
    finally:
        t.join()
        os.close(r)
