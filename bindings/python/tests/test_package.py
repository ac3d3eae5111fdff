"""Packages and the store: tar and OCI layout read back with the standard
library (tarfile, hashlib, json), tampering detected, reproducible bytes."""

from __future__ import annotations

import hashlib
import json
import os
import tarfile

import pytest

import libmlops as mlops


@pytest.fixture
def model_dir(tmp_path):
    d = tmp_path / "model"
    (d / "sub").mkdir(parents=True)
    (d / "weights.bin").write_bytes(os.urandom(3000))
    (d / "sub" / "tokenizer.txt").write_text("a b c\n")
    (d / "notes.tmp").write_text("ignored")
    (d / ".mlopsignore").write_text("*.tmp\n")
    return d


def builder():
    return (mlops.ManifestBuilder("demo", "1.0.0", "2026-01-01T00:00:00Z")
            .metric("auc", 0.9).parameter("depth", 6))


def test_pack_verify_extract_with_stdlib_oracles(model_dir, tmp_path):
    key = mlops.SigningKey()
    seen = []
    out = tmp_path / "demo.mlpkg"
    with mlops.Packer(keys=[key], mtime=0, progress=lambda d, t: seen.append((d, t))) as p:
        p.add_directory(model_dir, "model").add_file(str(model_dir / "notes.tmp"), "docs/notes.txt", "doc")
        m = p.write(out, builder())
    assert seen and seen[-1][0] == seen[-1][1]
    files = {f.path: f for f in m.files}
    assert set(files) == {"weights.bin", "sub/tokenizer.txt", "docs/notes.txt"}
    assert files["weights.bin"].sha256 == hashlib.sha256((model_dir / "weights.bin").read_bytes()).hexdigest()
    # The package is a tar holding an OCI layout whose blobs are named by their SHA-256.
    with tarfile.open(out) as tar:
        names = tar.getnames()
        assert "oci-layout" in names and "index.json" in names
        for member in tar.getmembers():
            if member.name.startswith("blobs/sha256/") and member.isfile():
                data = tar.extractfile(member).read()
                assert hashlib.sha256(data).hexdigest() == member.name.rsplit("/", 1)[1]
            assert member.mtime == 0
    r = mlops.Package(out).verify(key)
    assert (r.valid, r.signed, r.files_verified, r.problems) == (True, True, 3, [])
    assert r.manifest == m and r.to_dict()["valid"] is True
    assert r.to_dict()["statement_sha256"] == m.statement_sha256
    dest = mlops.Package(out).extract(tmp_path / "x", [key])
    assert (dest / "sub" / "tokenizer.txt").read_text() == "a b c\n"
    assert (dest / "weights.bin").read_bytes() == (model_dir / "weights.bin").read_bytes()
    partial = mlops.Package(out).verify(key, paths=["weights.bin"])
    assert partial.files_verified == 1
    assert "PackageReport(valid=True, signed=True demo@1.0.0" in repr(r)


def test_same_inputs_give_the_same_bytes(model_dir, tmp_path):
    a = mlops.Package.pack(tmp_path / "a.mlpkg", builder(), directories=[(model_dir, "model")], mtime=7)
    b = mlops.Package.pack(tmp_path / "b.mlpkg", builder(), directories=[(model_dir, "model")], mtime=7)
    assert (tmp_path / "a.mlpkg").read_bytes() == (tmp_path / "b.mlpkg").read_bytes()
    with pytest.raises(mlops.SignatureError):
        a.verify(mlops.SigningKey())  # unsigned, keys given
    r = b.verify(allow_unsigned=True)
    assert r.valid and not r.signed
    with pytest.raises(mlops.InvalidArgumentError):
        b.verify()  # no keys and unsigned not allowed
    with pytest.raises(mlops.ExistsError):
        mlops.Package.pack(tmp_path / "a.mlpkg", builder(), directories=[(model_dir, "model")])


def test_tampered_content_is_reported_per_file(model_dir, tmp_path):
    key = mlops.SigningKey()
    pkg = mlops.Package.pack(tmp_path / "p.mlpkg", builder(), files=[(model_dir / "weights.bin", "w.bin", "model")],
                             keys=key, mtime=0)
    raw = bytearray(pkg.path.read_bytes())
    blob = (model_dir / "weights.bin").read_bytes()
    at = raw.find(blob[:64])
    assert at > 0
    raw[at + 10] ^= 0xFF
    bad = tmp_path / "bad.mlpkg"
    bad.write_bytes(bytes(raw))
    with pytest.raises(mlops.MlopsError) as err:
        mlops.Package(bad).verify(key)
    assert isinstance(err.value, (mlops.IntegrityError, mlops.ParseError))
    if isinstance(err.value, mlops.IntegrityError):
        report = err.value.report
        assert report is not None and not report.valid
        assert report.problems[0].code == "MLOPS_E_INTEGRITY"
    with pytest.raises(mlops.MlopsError):
        mlops.Package(bad).extract(tmp_path / "never", key)
    assert not (tmp_path / "never").exists()


def test_sign_adds_signatures_and_cancel_reraises(model_dir, tmp_path):
    k1, k2 = mlops.SigningKey(), mlops.SigningKey()
    pkg = mlops.Package.pack(tmp_path / "p.mlpkg", builder(), directories=[(model_dir, "model")], keys=[k1])
    two = pkg.sign(tmp_path / "p2.mlpkg", [k2], trusted=k1)
    assert two.verify([k1, k2], threshold=2).valid
    with pytest.raises(mlops.SignatureError):
        pkg.verify([k1, k2], threshold=2)
    with pytest.raises(mlops.ExistsError):
        two.sign(tmp_path / "p3.mlpkg", [k2], trusted=[k1, k2])

    class Stop(Exception):
        pass

    def boom(done, total):
        raise Stop("from the callback")

    with pytest.raises(Stop):
        pkg.verify(k1, progress=boom)
    with pytest.raises(mlops.CancelledError):
        pkg.verify(k1, progress=lambda d, t: True)
    with pytest.raises(Stop):
        mlops.Package.pack(tmp_path / "c.mlpkg", builder(), directories=[(model_dir, "model")], progress=boom)
    assert not (tmp_path / "c.mlpkg").exists()


def test_packer_errors(model_dir, tmp_path):
    os.symlink(model_dir / "weights.bin", tmp_path / "link")
    with mlops.Packer() as p:
        with pytest.raises(mlops.UnsafeArchiveError):
            p.add_file(tmp_path / "link", "w", "model")
        with pytest.raises(mlops.SchemaError):
            p.add_file(model_dir / "weights.bin", "../w", "model")
        with pytest.raises(mlops.SchemaError):
            p.add_file(model_dir / "weights.bin", "w", "weights")
        with pytest.raises(mlops.MlopsIOError):
            p.add_file(tmp_path / "missing", "w", "model")
        with pytest.raises(mlops.InvalidArgumentError):
            p.write(tmp_path / "empty.mlpkg", builder())


def test_store_add_alias_resolve_export_gc(model_dir, tmp_path):
    key = mlops.SigningKey()
    pkg = mlops.Package.pack(tmp_path / "p.mlpkg", builder(), directories=[(model_dir, "model")], keys=key, mtime=0)
    b2 = mlops.ManifestBuilder("demo", "1.1.0", "2026-01-02T00:00:00Z")
    pkg2 = mlops.Package.pack(tmp_path / "p2.mlpkg", b2, directories=[(model_dir, "model")], keys=key, mtime=0)
    with pytest.raises(mlops.NotFoundError):
        mlops.Store(tmp_path / "store")
    with mlops.Store(tmp_path / "store", create=True) as s:
        assert s.add(pkg, key) == "demo:1.0.0"
        assert s.add(pkg, key) == "demo:1.0.0"  # again: nothing changes
        assert s.add(pkg2, [key]) == "demo:1.1.0"
        assert s.tags == ["demo:1.0.0", "demo:1.1.0"]
        s.set_alias("demo", "production", "1.0.0")
        s.set_alias("demo", "production", "1.1.0")
        assert s.alias_history("demo", "production") == ["1.0.0", "1.1.0"]
        digest = s.resolve("demo:production")
        assert digest == s.resolve("demo:1.1.0") and "demo:production" in s and "demo:9.9.9" not in s
        index = json.loads((tmp_path / "store" / "index.json").read_text())
        assert digest in {m["digest"] for m in index["manifests"]}
        blob = tmp_path / "store" / "blobs" / "sha256" / digest.split(":")[1]
        assert hashlib.sha256(blob.read_bytes()).hexdigest() == digest.split(":")[1]
        s.export("demo:1.0.0", tmp_path / "back.mlpkg", mtime=0)
        assert (tmp_path / "back.mlpkg").read_bytes() == pkg.path.read_bytes()
        assert s.gc() == 0
        s.check()
        with pytest.raises(mlops.NotFoundError):
            s.resolve("demo:9.9.9")
        with pytest.raises(mlops.NotFoundError):
            s.set_alias("demo", "staging", "9.9.9")
        with pytest.raises(mlops.InvalidArgumentError):
            s.set_alias("demo", "2.0.0", "1.0.0")  # an alias may not be SemVer
        with pytest.raises(mlops.SignatureError):
            s.add(pkg, mlops.SigningKey())
        assert "tags=2" in repr(s)
        blob.write_bytes(b"damaged")
        with pytest.raises(mlops.IntegrityError):
            s.check()


def test_layout_export_from_an_oci_directory(model_dir, tmp_path):
    key = mlops.SigningKey()
    pkg = mlops.Package.pack(tmp_path / "p.mlpkg", builder(), directories=[(model_dir, "model")], keys=key, mtime=0)
    layout = tmp_path / "layout"
    with tarfile.open(pkg.path) as tar:
        tar.extractall(layout)
    index = json.loads((layout / "index.json").read_text())
    ref = index["manifests"][0].get("annotations", {}).get("org.opencontainers.image.ref.name")
    if ref is None:
        pytest.skip("the package index names no reference")
    envelope = None
    for blob in (layout / "blobs" / "sha256").iterdir():
        try:
            doc = json.loads(blob.read_bytes())
        except ValueError:
            continue
        if isinstance(doc, dict) and "payloadType" in doc:
            envelope = blob.read_bytes()
    assert envelope is not None
    out = mlops.layout_export(layout, ref, tmp_path / "again.mlpkg", envelope=envelope, mtime=0)
    assert out.verify(key).valid
    assert out.path.read_bytes() == pkg.path.read_bytes()
    with pytest.raises(mlops.NotFoundError):
        mlops.layout_export(layout, "nope", tmp_path / "x.mlpkg")


def test_a_refused_package_report_is_never_valid_and_says_why(model_dir, tmp_path):
    # a symbolic link appended to the outer tar (written with tarfile): the
    # pass stops with MLOPS_E_UNSAFE after the statement was read, and the
    # report (object and JSON) must carry that error and say not valid
    key = mlops.SigningKey()
    pkg = mlops.Package.pack(tmp_path / "p.mlpkg", builder(), directories=[(model_dir, "model")],
                             keys=key, mtime=0)
    bad = tmp_path / "link.mlpkg"
    with tarfile.open(pkg.path, "r:") as t, tarfile.open(bad, "w", format=tarfile.PAX_FORMAT) as o:
        for m in t.getmembers():
            o.addfile(m, t.extractfile(m) if m.isreg() else None)
        link = tarfile.TarInfo("blobs/link")
        link.type, link.linkname = tarfile.SYMTYPE, "/etc"
        o.addfile(link)
    with pytest.raises(mlops.UnsafeArchiveError) as err:
        mlops.Package(bad).verify(key)
    report = err.value.report
    assert report is not None and report.valid is False
    assert report.problems == []
    assert report.error is not None and report.error.code == "MLOPS_E_UNSAFE"
    assert report.error.path == "blobs/link" and "symbolic link" in report.error.message
    doc = report.to_dict()
    assert doc["valid"] is False and doc["error"]["code"] == "MLOPS_E_UNSAFE"
    good = mlops.Package(pkg.path).verify(key)
    assert good.valid and good.error is None and good.to_dict()["error"] is None


def test_store_semver_order_latest_remove_retain(model_dir, tmp_path):
    # SemVer 2.0.0, section 11: 1.0.0-alpha < 1.0.0-rc.1 < 1.0.0; and 1.2.0 < 1.10.0
    order = ["1.0.0-alpha", "1.0.0-rc.1", "1.0.0", "1.2.0", "1.10.0"]
    key = mlops.SigningKey()
    with mlops.Store(tmp_path / "store", create=True) as s:
        for v in reversed(order):
            b = mlops.ManifestBuilder("demo", v, "2026-01-02T00:00:00Z")
            pkg = mlops.Package.pack(tmp_path / f"{v}.mlpkg", b, directories=[(model_dir, "model")],
                                     keys=key, mtime=0)
            s.add(pkg, key)
        assert s.tags == [f"demo:{v}" for v in order]
        assert s.resolve("demo:latest") == s.resolve("demo:1.10.0")
        with pytest.raises(mlops.InvalidArgumentError):
            s.set_alias("demo", "latest", "1.0.0")
        s.set_alias("demo", "production", "1.0.0")
        with pytest.raises(mlops.ExistsError, match="demo:production"):
            s.remove("demo:1.0.0")
        with pytest.raises(mlops.NotFoundError):
            s.remove("demo:3.0.0")
        s.remove("demo:1.0.0-alpha")
        assert s.tags == [f"demo:{v}" for v in order[1:]]
        # the versions share the model files: gc frees each one's statement,
        # manifest, config and signature blobs only (the store's own check passes)
        assert s.retain(1, dry_run=True) == ["demo:1.0.0-rc.1", "demo:1.2.0"]
        assert s.tags == [f"demo:{v}" for v in order[1:]]
        assert s.retain(1) == ["demo:1.0.0-rc.1", "demo:1.2.0"]
        assert s.tags == ["demo:1.0.0", "demo:1.10.0"]
        index = json.loads((tmp_path / "store" / "index.json").read_text())
        refs = {m.get("annotations", {}).get("org.opencontainers.image.ref.name") for m in index["manifests"]}
        refs.discard(None)
        assert {"demo:1.0.0", "demo:1.10.0", "demo:production"} <= refs
        assert not any(r.startswith("demo:1.2.0") or r.startswith("demo:1.0.0-") for r in refs)
        assert s.gc() > 0
        s.check()
        with pytest.raises(mlops.InvalidArgumentError):
            s.retain(-1)
