"""Edges of the command found by trying inputs its other tests do not use.

`store add` of a package that arrives on a pipe (/dev/stdin): adding reads a
package twice (verify, then copy its blobs) and the command reads its tag
once more, so a stream is first copied into a temporary file among the
store's blobs. Oracles: hashlib (the stored blobs are the package's tar
members), Python's json, tarfile.
"""
import hashlib
import json
import os
import subprocess
import tarfile

import pytest

CLI = os.environ.get("MLOPS_CLI", "mlops")


def run(*args, input=None, timeout=120):
    """`input` (bytes) reaches the command through a pipe, as `cat x |` does."""
    return subprocess.run([CLI, *map(str, args)], capture_output=True, timeout=timeout,
                          input=input)


@pytest.fixture(scope="module")
def pkg(tmp_path_factory):
    d = tmp_path_factory.mktemp("pipe")
    model = d / "model"
    model.mkdir()
    (model / "w.bin").write_bytes(os.urandom(200_000))
    assert run("keygen", "-o", d / "k.pem").returncode == 0
    r = run("pack", model, "-o", d / "good.mlpkg", "--name", "fraud", "--version", "1.2.0",
            "--created", "2026-11-26T10:00:00Z", "--key", d / "k.pem")
    assert r.returncode == 0, r.stderr
    data = bytearray((d / "good.mlpkg").read_bytes())
    with tarfile.open(d / "good.mlpkg") as t:
        big = max(t.getmembers(), key=lambda m: m.size)
    data[big.offset_data + 777] ^= 0x01
    (d / "tamper.mlpkg").write_bytes(bytes(data))
    return d


def leftovers(store):
    return [n for n in os.listdir(store / "blobs" / "sha256") if not
            (len(n) == 64 and all(c in "0123456789abcdef" for c in n))]


def test_store_add_from_a_pipe_adds_the_package(pkg, tmp_path):
    store = tmp_path / "store"
    r = run("store", "add", store, "/dev/stdin", "--trust", pkg / "k.pub.pem", "--json",
            input=(pkg / "good.mlpkg").read_bytes())
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["tag"] == "fraud:1.2.0"
    # every blob of the package is in the store, byte for byte
    with tarfile.open(pkg / "good.mlpkg") as t:
        for m in t.getmembers():
            if m.isfile() and m.name.startswith("blobs/sha256/"):
                data = t.extractfile(m).read()
                assert hashlib.sha256(data).hexdigest() == m.name.rsplit("/", 1)[1]
                assert (store / m.name).read_bytes() == data
    assert leftovers(store) == []
    r = run("store", "check", store)
    assert r.returncode == 0, r.stderr
    # the same package again from a pipe: nothing to do, same tag
    r = run("store", "add", store, "/dev/stdin", "--trust", pkg / "k.pub.pem", "--json",
            input=(pkg / "good.mlpkg").read_bytes())
    assert r.returncode == 0 and json.loads(r.stdout)["tag"] == "fraud:1.2.0", r.stderr


def test_store_add_of_a_tampered_package_from_a_pipe_is_refused_naming_the_pipe(pkg, tmp_path):
    def refused(store, spools):
        r = subprocess.run([CLI, "store", "add", str(store), "/dev/stdin", "--trust",
                            str(pkg / "k.pub.pem"), "--json"], capture_output=True, timeout=120,
                           input=(pkg / "tamper.mlpkg").read_bytes(),
                           env=dict(os.environ, TMPDIR=str(spools)))
        assert r.returncode == 1, r.stderr
        err = json.loads(r.stdout.decode("utf-8"))["error"]
        assert err["code"] == "MLOPS_E_INTEGRITY"
        assert err["message"].startswith("/dev/stdin: "), err
        assert "spool" not in err["message"] and "spool" not in err.get("path", "")

    # into a new store: refused before the store is made, and the copy of the
    # stream (in $TMPDIR then) is gone
    spools = tmp_path / "spools"
    spools.mkdir()
    store = tmp_path / "store"
    refused(store, spools)
    assert not os.path.lexists(store) and os.listdir(spools) == []
    # into an existing store: nothing left among its blobs
    assert run("store", "add", store, pkg / "good.mlpkg", "--trust", pkg / "k.pub.pem").returncode == 0
    before = run("store", "list", store).stdout
    refused(store, spools)
    assert leftovers(store) == [] and os.listdir(spools) == []
    r = run("store", "list", store)
    assert r.returncode == 0 and r.stdout == before, r.stdout
    assert run("store", "check", store).returncode == 0


@pytest.mark.parametrize("cmd", [["verify", "{d}", "--allow-unsigned"],
                                 ["extract", "{d}", "{out}", "--allow-unsigned"],
                                 ["store", "add", "{store}", "{d}", "--allow-unsigned"],
                                 ["inspect", "{d}"]])
def test_a_directory_given_as_a_package_is_an_unreadable_input_for_every_command(tmp_path, cmd):
    """Not content that verification refused (exit 1, MLOPS_E_INTEGRITY, as
    verify, extract and store add said), but an input that cannot be read
    (exit 2), as inspect and diff say: docs/cli.md, "Exit status"."""
    d = tmp_path / "adir"
    d.mkdir()
    args = [a.format(d=d, out=tmp_path / "out", store=tmp_path / "store") for a in cmd]
    r = run(*args, "--json")
    assert r.returncode == 2, (r.returncode, r.stderr)
    doc = json.loads(r.stdout.decode("utf-8"))
    assert set(doc) == {"error"} and doc["error"]["exit_status"] == 2
    assert doc["error"]["code"] in ("MLOPS_E_IO", "input")
    assert doc["error"]["path"] == str(d)
    assert not (tmp_path / "out").exists()


# ---------------------------------------------------------------------------
# Routing fields of the unsigned OCI documents (index.json, the image
# manifest, the signature referrer) that the packer never writes and that
# other tools fetch or select by: re-sealed packages (every digest, size and
# the referrer's subject made consistent again), so only the reader's rules
# stand between them and "verified".
# ---------------------------------------------------------------------------

def _canon(o):
    return json.dumps(o, separators=(",", ":"), sort_keys=True).encode()


def _reseal(src, dst, index_mod=None, manifest_mod=None, referrer_mod=None):
    import copy
    import io
    with tarfile.open(src) as t:
        members = t.getmembers()
        data = {m.name: t.extractfile(m).read() if m.isfile() else None for m in members}
    idx = json.loads(data["index.json"])
    mname = "blobs/sha256/" + idx["manifests"][0]["digest"].split(":")[1]
    rname = "blobs/sha256/" + idx["manifests"][1]["digest"].split(":")[1]
    man, ref = json.loads(data[mname]), json.loads(data[rname])
    (manifest_mod or (lambda m: None))(man)
    mb = _canon(man)
    mh = hashlib.sha256(mb).hexdigest()
    ref["subject"]["digest"], ref["subject"]["size"] = "sha256:" + mh, len(mb)
    (referrer_mod or (lambda r: None))(ref)
    rb = _canon(ref)
    rh = hashlib.sha256(rb).hexdigest()
    idx["manifests"][0]["digest"], idx["manifests"][0]["size"] = "sha256:" + mh, len(mb)
    idx["manifests"][1]["digest"], idx["manifests"][1]["size"] = "sha256:" + rh, len(rb)
    (index_mod or (lambda i: None))(idx)
    repl = {mname: ("blobs/sha256/" + mh, mb), rname: ("blobs/sha256/" + rh, rb),
            "index.json": ("index.json", _canon(idx))}
    with tarfile.open(dst, "w", format=tarfile.USTAR_FORMAT) as out:
        for m in members:
            mm = copy.copy(m)
            b = data[m.name]
            if m.name in repl:
                mm.name, b = repl[m.name]
            if b is None:
                out.addfile(mm)
            else:
                mm.size = len(b)
                out.addfile(mm, io.BytesIO(b))


def _set(path, value):
    def mod(doc):
        *parents, last = path
        for p in parents:
            doc = doc[p]
        doc[last] = value
    return mod


ROUTING = {
    "index entry platform": dict(index_mod=_set(["manifests", 0, "platform"],
                                                {"os": "linux", "architecture": "arm64"})),
    "index entry urls": dict(index_mod=_set(["manifests", 0, "urls"], ["https://x.example/b"])),
    "index entry data": dict(index_mod=_set(["manifests", 0, "data"], "e30=")),
    "index entry second annotation": dict(index_mod=_set(
        ["manifests", 0, "annotations", "org.opencontainers.image.version"], "2.0.0")),
    "signature entry named 2.0.0": dict(index_mod=_set(
        ["manifests", 1, "annotations"], {"org.opencontainers.image.ref.name": "2.0.0"})),
    "index annotations": dict(index_mod=_set(
        ["annotations"], {"org.opencontainers.image.ref.name": "2.0.0"})),
    "index schemaVersion 3": dict(index_mod=_set(["schemaVersion"], 3)),
    "index mediaType": dict(index_mod=_set(["mediaType"],
                                           "application/vnd.oci.image.manifest.v1+json")),
    "layer urls": dict(manifest_mod=_set(["layers", 1, "urls"], ["https://x.example/b"])),
    "config data": dict(manifest_mod=_set(["config", "data"], "e30=")),
    "layer platform": dict(manifest_mod=_set(["layers", 1, "platform"],
                                             {"os": "linux", "architecture": "arm64"})),
    "manifest ref.name annotation": dict(manifest_mod=_set(
        ["annotations", "org.opencontainers.image.ref.name"], "2.0.0")),
    "manifest schemaVersion 1": dict(manifest_mod=_set(["schemaVersion"], 1)),
    "referrer annotations": dict(referrer_mod=_set(
        ["annotations"], {"org.opencontainers.image.ref.name": "2.0.0"})),
    "referrer mediaType": dict(referrer_mod=_set(["mediaType"],
                                                 "application/vnd.oci.image.index.v1+json")),
}


def test_a_resealed_package_without_changes_still_verifies(pkg, tmp_path):
    """The re-sealing itself keeps a package valid: the cases below fail for
    their one change only."""
    _reseal(pkg / "good.mlpkg", tmp_path / "same.mlpkg")
    r = run("verify", tmp_path / "same.mlpkg", "--trust", pkg / "k.pub.pem")
    assert r.returncode == 0, r.stderr


@pytest.mark.parametrize("case", sorted(ROUTING))
def test_routing_fields_the_format_does_not_use_are_refused(pkg, tmp_path, case):
    bad = tmp_path / "bad.mlpkg"
    _reseal(pkg / "good.mlpkg", bad, **ROUTING[case])
    trust = ["--trust", pkg / "k.pub.pem"]
    v = run("verify", bad, *trust, "--json")
    assert v.returncode == 1, (case, v.stdout, v.stderr)
    doc = json.loads(v.stdout.decode("utf-8"))
    assert doc["valid"] is False and doc["error"]["code"] == "MLOPS_E_INTEGRITY", doc
    e = run("extract", bad, tmp_path / "out", *trust)
    assert e.returncode == 1 and not (tmp_path / "out").exists(), e.stderr
    s = run("store", "add", tmp_path / "store", bad, *trust)
    assert s.returncode == 1, s.stderr
    assert b"fraud" not in run("store", "list", tmp_path / "store").stdout
