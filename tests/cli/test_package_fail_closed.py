"""`mlops verify` and `extract` fail closed: the report never calls a refused
package valid, routing documents must agree with the signed statement, a
path cannot be a file and a directory, shards verify from a pipe, and the
messages say what is wrong once.

Oracles: Python's tarfile, json and hashlib build and inspect the packages.
MLOPS_CLI names the binary under test (meson test sets it).
"""
import hashlib
import io
import json
import os
import shutil
import subprocess
import tarfile

import pytest

CLI = os.environ.get("MLOPS_CLI", "mlops")


def run(*args, **kw):
    return subprocess.run([CLI, *map(str, args)], capture_output=True, text=True,
                          errors="replace", **kw)


def canon(v):
    return json.dumps(v, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


@pytest.fixture
def keys(tmp_path):
    r = run("keygen", "-o", tmp_path / "k.pem")
    assert r.returncode == 0, r.stderr
    return tmp_path / "k.pem", tmp_path / "k.pub.pem"


@pytest.fixture
def package(tmp_path, keys):
    d = tmp_path / "model"
    (d / "weights").mkdir(parents=True)
    (d / "weights" / "w.bin").write_bytes(hashlib.sha256(b"x").digest() * 40000)  # raw layer
    (d / "config.json").write_text('{"threshold": 0.5}\n')
    pkg = tmp_path / "m.mlpkg"
    r = run("pack", d, "-o", pkg, "--name", "fraud", "--version", "1.0.0",
            "--created", "2026-11-26T10:00:00Z", "--key", keys[0])
    assert r.returncode == 0, r.stderr
    return pkg


def rewrite(src, dst, edit):
    """Copy a package entry by entry; edit(name, bytes) -> bytes or None."""
    with tarfile.open(src, "r:") as t, tarfile.open(dst, "w", format=tarfile.PAX_FORMAT) as o:
        for m in t.getmembers():
            data = t.extractfile(m).read() if m.isreg() else None
            if data is not None:
                new = edit(m.name, data)
                data = data if new is None else new
                m.size = len(data)
            o.addfile(m, io.BytesIO(data) if data is not None else None)


def test_verify_json_is_never_valid_for_a_refused_package(tmp_path, package, keys):
    # the good package: valid, no error
    j = json.loads(run("verify", "--json", package, "--trust", keys[1]).stdout)
    assert j["valid"] is True and j["error"] is None
    # a symbolic link appended to the outer tar: refused after the statement
    # was read (the report exists); it must say why and never "valid"
    bad = tmp_path / "link.mlpkg"
    with tarfile.open(package, "r:") as t, tarfile.open(bad, "w", format=tarfile.PAX_FORMAT) as o:
        for m in t.getmembers():
            o.addfile(m, t.extractfile(m) if m.isreg() else None)
        link = tarfile.TarInfo("blobs/link")
        link.type, link.linkname = tarfile.SYMTYPE, "/etc"
        o.addfile(link)
    r = run("verify", "--json", bad, "--trust", keys[1])
    assert r.returncode == 1
    j = json.loads(r.stdout)
    assert j["valid"] is False
    assert j["error"]["code"] == "MLOPS_E_UNSAFE"
    assert "symbolic link" in j["error"]["message"] and j["error"]["path"] == "blobs/link"
    # truncated inside a layer: refused content, with the offset where the
    # tar reader stopped
    data = package.read_bytes()
    cut = tmp_path / "cut.mlpkg"
    cut.write_bytes(data[:len(data) // 2])
    r = run("verify", "--json", cut, "--trust", keys[1])
    assert r.returncode == 1
    j = json.loads(r.stdout)
    assert j["valid"] is False and j["error"]["code"] == "MLOPS_E_INTEGRITY"
    assert 0 < j["error"]["offset"] <= len(data) // 2
    r = run("extract", cut, tmp_path / "out", "--trust", keys[1])
    assert r.returncode == 1 and not (tmp_path / "out").exists()


def test_index_ref_name_and_routing_documents_must_match_the_statement(tmp_path, package, keys):
    def ref(name, data):
        if name != "index.json":
            return None
        idx = json.loads(data)
        idx["manifests"][0]["annotations"]["org.opencontainers.image.ref.name"] = "2.0.0"
        return canon(idx)
    bad = tmp_path / "ref.mlpkg"
    rewrite(package, bad, ref)
    r = run("verify", bad, "--trust", keys[1])
    assert r.returncode == 1
    assert 'org.opencontainers.image.ref.name is "2.0.0", the signed statement says "1.0.0"' \
        in r.stdout
    r = run("extract", bad, tmp_path / "out", "--trust", keys[1])
    assert r.returncode == 1 and not (tmp_path / "out").exists()
    assert "ref.name" in r.stderr
    store = tmp_path / "store"
    r = run("store", "add", store, bad, "--trust", keys[1])
    assert r.returncode != 0
    assert not (store / "index.json").exists() or b"2.0.0" not in (store / "index.json").read_bytes()


def test_pack_refuses_a_file_that_is_also_a_directory(tmp_path):
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "a").write_text("file\n")
    (tmp_path / "d" / "a").mkdir(parents=True)
    (tmp_path / "d" / "a" / "b").write_text("under\n")
    out = tmp_path / "o.mlpkg"
    r = run("pack", tmp_path / "x" / "a", tmp_path / "d", "-o", out, "--name", "n",
            "--version", "1.0.0", "--created", "2026-01-01T00:00:00Z")
    assert r.returncode == 2
    assert '"a/b" is under "a", which is a file' in r.stderr
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".mlpkg") or "tmp" in p.name] == []


def test_unsigned_package_with_trust_says_not_signed(tmp_path, keys):
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "a.txt").write_text("a\n")
    pkg = tmp_path / "u.mlpkg"
    r = run("pack", tmp_path / "m", "-o", pkg, "--name", "n", "--version", "1.0.0",
            "--created", "2026-01-01T00:00:00Z")
    assert r.returncode == 0, r.stderr
    for cmd in (["verify", pkg], ["extract", pkg, tmp_path / "out"]):
        r = run(*cmd, "--trust", keys[1])
        text = r.stdout + r.stderr
        assert r.returncode == 1
        assert "not signed" in text and "before a verified signature" not in text
    j = json.loads(run("verify", "--json", pkg, "--trust", keys[1]).stdout)
    assert j["valid"] is False and j["error"]["code"] == "MLOPS_E_SIGNATURE"


def test_key_errors_name_the_file_once(tmp_path, package):
    bad = tmp_path / "bad-key.pem"
    bad.write_text("not a key\n")
    for cmd in (["verify", package, "--trust", bad],
                ["extract", package, tmp_path / "o", "--trust", bad],
                ["verify", package, "--trust", tmp_path / "missing-key.pem"],
                ["sign", package, "-o", tmp_path / "s.mlpkg", "--key", bad, "--allow-unsigned"]):
        r = run(*cmd)
        assert r.returncode == 2
        name = "bad-key.pem" if "bad-key.pem" in r.stderr else "missing-key.pem"
        assert r.stderr.count(name) == 1, r.stderr


def verify_through_pipe(pkg, pub):
    """`cat PKG | mlops verify --json /dev/stdin`: a real pipe, not a file."""
    cat = subprocess.Popen(["cat", str(pkg)], stdout=subprocess.PIPE)
    try:
        r = run("verify", "--json", "/dev/stdin", "--trust", pub, stdin=cat.stdout)
    finally:
        cat.stdout.close()
        cat.wait()
    return r


def test_sharded_file_verifies_from_a_pipe(tmp_path, keys):
    """A file over the 256 MiB shard size (sparse source: packing reads
    zeros) verifies through a pipe exactly as from disk, and a flipped byte
    is found through the pipe too."""
    d = tmp_path / "big"
    d.mkdir()
    size = 300 << 20
    try:
        with open(d / "weights.bin", "wb") as f:
            f.truncate(size)
        pkg = tmp_path / "big.mlpkg"
        r = run("pack", d, "-o", pkg, "--name", "big", "--version", "1.0.0",
                "--created", "2026-01-01T00:00:00Z", "--key", keys[0])
        assert r.returncode == 0, r.stderr
        (d / "weights.bin").unlink()
        st = json.loads(run("inspect", "--json", pkg).stdout)
        f = st["predicate"]["files"][0]
        zeros = hashlib.sha256()
        block = bytes(1 << 20)
        for _ in range(size >> 20):
            zeros.update(block)
        assert f["size"] == size and f["digest"]["sha256"] == zeros.hexdigest()
        assert len(f["shards"]) == 2
        assert run("verify", pkg, "--trust", keys[1]).returncode == 0
        r = verify_through_pipe(pkg, keys[1])
        assert r.returncode == 0, r.stdout + r.stderr
        j = json.loads(r.stdout)
        assert j["valid"] is True and j["files_verified"] == 1
        # one byte flipped in the second shard, read through the pipe
        with open(pkg, "r+b") as fh:
            fh.seek(pkg.stat().st_size - (10 << 20))
            fh.write(b"\x01")
        r = verify_through_pipe(pkg, keys[1])
        assert r.returncode == 1
        j = json.loads(r.stdout)
        assert j["valid"] is False and j["error"]["code"] == "MLOPS_E_INTEGRITY"
        # the file and its second shard (bytes 256 MiB to the end) differ;
        # the signed digests are the SHA-256 of zeros
        tail = hashlib.sha256()
        for _ in range((size >> 20) - 256):
            tail.update(block)
        expected = {p["expected"] for p in j["problems"] if p["entry"] == "weights.bin"}
        assert expected == {"sha256:" + zeros.hexdigest(), "sha256:" + tail.hexdigest()}
        assert any("shard 1 of" in p["message"] for p in j["problems"])
    finally:
        shutil.rmtree(d, ignore_errors=True)
        for p in tmp_path.glob("big*.mlpkg"):
            p.unlink()


def test_verify_of_some_paths_says_it_was_partial(tmp_path):
    """`verify --path` reads only the layers of those files: its report says
    so ("partial": true, and in words), so a pipeline cannot take it for a
    verification of the whole package."""
    for name in ("a.bin", "b.bin"):
        (tmp_path / name).write_bytes(os.urandom(1000))
    pkg = tmp_path / "p.mlpkg"
    r = subprocess.run([CLI, "pack", str(tmp_path / "a.bin"), str(tmp_path / "b.bin"), "-o", str(pkg),
                        "--name", "m", "--version", "1.0.0"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    whole = subprocess.run([CLI, "verify", str(pkg), "--allow-unsigned", "--json"],
                           capture_output=True, text=True)
    some = subprocess.run([CLI, "verify", str(pkg), "--allow-unsigned", "--path", "a.bin", "--json"],
                          capture_output=True, text=True)
    assert whole.returncode == 0 and some.returncode == 0
    w, s = json.loads(whole.stdout), json.loads(some.stdout)
    assert (w["partial"], w["files_verified"], w["valid"]) == (False, 2, True)
    assert (s["partial"], s["files_verified"], s["valid"]) == (True, 1, True)
    text = subprocess.run([CLI, "verify", str(pkg), "--allow-unsigned", "--path", "a.bin"],
                          capture_output=True, text=True)
    assert "only the --path files" in text.stdout
