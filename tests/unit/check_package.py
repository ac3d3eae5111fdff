#!/usr/bin/env python3
"""Check a .mlpkg independently of libmlops (the test oracle for packing).

Usage: check_package.py PACKAGE SOURCE_DIR MTIME [PUBLIC_KEY_HEX...]

Reads the package with Python's tarfile, json, hashlib and base64 only (and
the `cryptography` package, when it is installed, for the signatures) and
checks what docs/formats/package-v1.md promises:
- the tar: entry order (oci-layout, index.json, blobs/, blobs/sha256/, then
  blobs), uid/gid 0, empty user and group names, the given mtime, modes
  0644/0755, regular files and directories only, no pax header beyond path;
- the OCI layout: every blob is named by its SHA-256, every descriptor's size
  and digest match, the index names the version, the referrer's subject is
  the model manifest;
- the statement: each file's size and digest equal SOURCE_DIR/<path>'s, the
  subject digest equals SHA-256 of the canonical JSON of the files array,
  raw layers hold exactly the file bytes, tar layers hold exactly the small
  files; shard digests cover the file;
- the DSSE envelope: its payload is the statement blob byte for byte and its
  signatures verify under the given public keys.
Prints "ok" and exits 0, or raises.

SPDX-License-Identifier: Apache-2.0
"""
import base64
import hashlib
import io
import json
import os
import sys
import tarfile


def sha(b):
    return hashlib.sha256(b).hexdigest()


def canonical(v):
    return json.dumps(v, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def main():
    pkg, src, mtime = sys.argv[1], sys.argv[2], int(sys.argv[3])
    pubkeys = [bytes.fromhex(h) for h in sys.argv[4:]]
    blobs = {}
    with tarfile.open(pkg, "r:") as t:
        members = t.getmembers()
        names = [m.name for m in members]
        assert names[:4] == ["oci-layout", "index.json", "blobs", "blobs/sha256"], names[:4]
        for m in members:
            assert m.uid == 0 and m.gid == 0, m.name
            assert m.uname == "" and m.gname == "", (m.name, m.uname, m.gname)
            assert m.mtime == mtime, (m.name, m.mtime)
            assert set(m.pax_headers) <= {"path"}, (m.name, m.pax_headers)
            if m.isdir():
                assert m.mode == 0o755, m.name
            else:
                assert m.isreg() and m.mode == 0o644, (m.name, m.mode)
        files = {m.name: t.extractfile(m).read() for m in members if m.isreg()}
    assert len(set(names)) == len(names), "duplicate entries"
    assert json.loads(files["oci-layout"]) == {"imageLayoutVersion": "1.0.0"}
    for n, data in files.items():
        if n.startswith("blobs/sha256/"):
            assert n[len("blobs/sha256/"):] == sha(data), n
            blobs["sha256:" + sha(data)] = data

    def blob(desc):
        data = blobs[desc["digest"]]
        assert len(data) == desc["size"], desc
        return data

    index = json.loads(files["index.json"])
    assert index["schemaVersion"] == 2
    model_desc = index["manifests"][0]
    assert model_desc["artifactType"] == "application/vnd.cncf.model.manifest.v1+json"
    manifest = json.loads(blob(model_desc))
    assert manifest["mediaType"] == "application/vnd.oci.image.manifest.v1+json"
    config = json.loads(blob(manifest["config"]))
    layers = manifest["layers"]
    assert layers[0]["mediaType"] == "application/vnd.in-toto+json"
    statement_bytes = blob(layers[0])
    statement = json.loads(statement_bytes)
    assert canonical(statement) == statement_bytes, "statement is not canonical JSON"
    pred = statement["predicate"]
    version = pred["version"]
    assert model_desc["annotations"]["org.opencontainers.image.ref.name"] == version
    assert config["descriptor"]["version"] == version
    assert config["modelfs"]["diffIds"] == [l["digest"] for l in layers[1:]]
    tree = sha(canonical(pred["files"]))
    assert statement["subject"][0]["digest"]["sha256"] == tree
    assert statement["subject"][0]["name"] == pred["name"] + "@" + version

    # every file: size and digest against the source tree
    declared = {}
    for f in pred["files"]:
        data = open(os.path.join(src, f["path"]), "rb").read()
        assert f["size"] == len(data) and f["digest"]["sha256"] == sha(data), f["path"]
        declared[f["path"]] = data
        if "shards" in f:
            off = 0
            for s in f["shards"]:
                assert s["offset"] == off
                assert s["digest"]["sha256"] == sha(data[off:off + s["size"]])
                off += s["size"]
            assert off == len(data)
    # layers: raw ones hold one file, tar ones the small files of a role
    seen = {}
    for l in layers[1:]:
        data = blob(l)
        if l["mediaType"].endswith(".raw"):
            p = l["annotations"]["org.cncf.model.filepath"]
            assert data == declared[p] and len(data) >= 1 << 20, p
            seen[p] = 1
        else:
            assert l["mediaType"].endswith(".tar"), l["mediaType"]
            with tarfile.open(fileobj=io.BytesIO(data), mode="r:") as inner:
                for m in inner.getmembers():
                    assert m.isreg() and m.mode == 0o644 and m.mtime == mtime, m.name
                    assert m.uid == 0 and m.gid == 0 and m.uname == "" and m.gname == ""
                    d = inner.extractfile(m).read()
                    assert d == declared[m.name] and len(d) < 1 << 20, m.name
                    assert m.name not in seen
                    seen[m.name] = 1
    assert sorted(seen) == sorted(declared), (sorted(seen), sorted(declared))

    # signatures
    refs = index["manifests"][1:]
    if pubkeys:
        assert len(refs) == 1
        ref = json.loads(blob(refs[0]))
        assert ref["subject"]["digest"] == model_desc["digest"]
        env = json.loads(blob(ref["layers"][0]))
        body = base64.b64decode(env["payload"], validate=True)
        assert body == statement_bytes, "envelope payload is not the statement"
        t = env["payloadType"].encode()
        pae = b"DSSEv1 %d %s %d %s" % (len(t), t, len(body), body)
        try:
            from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
        except ImportError:
            Ed25519PublicKey = None
        if Ed25519PublicKey:
            sigs = [base64.b64decode(s["sig"]) for s in env["signatures"]]
            for k in pubkeys:
                pk = Ed25519PublicKey.from_public_bytes(k)
                ok = 0
                for s in sigs:
                    try:
                        pk.verify(s, pae)
                        ok = 1
                    except Exception:
                        pass
                assert ok, "no signature verifies for key " + k.hex()
    else:
        assert refs == []
    print("ok")


if __name__ == "__main__":
    main()
