#!/usr/bin/env python3
"""Check a libmlops store as a plain OCI image layout (json and hashlib only).

Usage: check_store.py STORE

- oci-layout is {"imageLayoutVersion": "1.0.0"};
- every file in blobs/sha256/ hashes to its name;
- every index.json entry's manifest exists with its size, and so do the
  config and layers it names;
- each model entry has a ref.name "name:version" or "name:alias";
- no two model entries share a ref.name.
Prints "ok" and exits 0, or raises.

SPDX-License-Identifier: Apache-2.0
"""
import hashlib
import json
import os
import sys


def main():
    root = sys.argv[1]
    with open(os.path.join(root, "oci-layout")) as f:
        assert json.load(f) == {"imageLayoutVersion": "1.0.0"}
    blobs = os.path.join(root, "blobs", "sha256")
    for name in os.listdir(blobs):
        if name.startswith("."):
            continue
        with open(os.path.join(blobs, name), "rb") as f:
            assert hashlib.sha256(f.read()).hexdigest() == name, name
    with open(os.path.join(root, "index.json")) as f:
        index = json.load(f)
    assert index["schemaVersion"] == 2
    refs = set()

    def blob(desc):
        path = os.path.join(blobs, desc["digest"].split(":")[1])
        data = open(path, "rb").read()
        assert len(data) == desc["size"], desc
        return data

    for d in index["manifests"]:
        m = json.loads(blob(d))
        blob(m["config"])
        for l in m["layers"]:
            blob(l)
        ref = d.get("annotations", {}).get("org.opencontainers.image.ref.name")
        if d["artifactType"] == "application/vnd.cncf.model.manifest.v1+json":
            assert ref and ":" in ref and ref not in refs, ref
            refs.add(ref)
        else:
            assert m["subject"]["mediaType"] == "application/vnd.oci.image.manifest.v1+json"
            blob(m["subject"])
    print("ok")


if __name__ == "__main__":
    main()
