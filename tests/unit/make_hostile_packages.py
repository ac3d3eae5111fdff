#!/usr/bin/env python3
"""Derive hostile packages from a good one, consistently re-sealed.

Usage: make_hostile_packages.py GOOD.mlpkg OUT_DIR

Each variant changes one thing an attacker controls and then recomputes
every digest that does NOT need a private key (blob names, descriptors, the
model manifest, the referrer, index.json), so only the checks the format
really relies on (the signature and the signed statement) can catch it.
Written with Python's tarfile/json/hashlib only.

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


def canon(v):
    return json.dumps(v, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def ti(name, data=b"", kind=tarfile.REGTYPE, **kw):
    t = tarfile.TarInfo(name)
    t.type = kind
    t.mode = 0o755 if kind == tarfile.DIRTYPE else 0o644
    t.size = len(data) if kind == tarfile.REGTYPE else 0
    for k, v in kw.items():
        setattr(t, k, v)
    return t


class Skip(Exception):
    pass


class Package:
    def __init__(self, path):
        with tarfile.open(path, "r:") as t:
            self.order = [m.name for m in t.getmembers()]
            self.files = {m.name: t.extractfile(m).read() for m in t.getmembers() if m.isreg()}
        self.index = json.loads(self.files["index.json"])
        self.mdesc = self.index["manifests"][0]
        self.manifest = json.loads(self.blob(self.mdesc["digest"]))
        self.rdesc = self.index["manifests"][1] if len(self.index["manifests"]) > 1 else None
        self.referrer = json.loads(self.blob(self.rdesc["digest"])) if self.rdesc else None
        self.extra = []

    def blob(self, digest):
        return self.files["blobs/sha256/" + digest.split(":")[1]]

    def replace_blob(self, old_digest, data):
        """Swap a blob's bytes, renaming it; returns the new digest."""
        old = "blobs/sha256/" + old_digest.split(":")[1]
        new = "blobs/sha256/" + sha(data)
        del self.files[old]
        self.files[new] = data
        self.order[self.order.index(old)] = new
        return "sha256:" + sha(data)

    def set_layer(self, i, data):
        l = self.manifest["layers"][i]
        l["digest"] = self.replace_blob(l["digest"], data)
        l["size"] = len(data)

    def reseal(self):
        """Recompute the config, manifest, referrer and index after layer changes."""
        cdesc = self.manifest["config"]
        config = json.loads(self.blob(cdesc["digest"]))
        config["modelfs"]["diffIds"] = [l["digest"] for l in self.manifest["layers"][1:]]
        cdata = canon(config)
        if cdata != self.blob(cdesc["digest"]):
            cdesc["digest"] = self.replace_blob(cdesc["digest"], cdata)
            cdesc["size"] = len(cdata)
        data = canon(self.manifest)
        self.mdesc["digest"] = self.replace_blob(self.mdesc["digest"], data)
        self.mdesc["size"] = len(data)
        if self.referrer:
            self.referrer["subject"]["digest"] = self.mdesc["digest"]
            self.referrer["subject"]["size"] = len(data)
            rdata = canon(self.referrer)
            self.rdesc["digest"] = self.replace_blob(self.rdesc["digest"], rdata)
            self.rdesc["size"] = len(rdata)
        self.files["index.json"] = canon(self.index)

    def write(self, path, extra_first=()):
        with tarfile.open(path, "w", format=tarfile.PAX_FORMAT) as t:
            for info, data in extra_first:
                t.addfile(info, io.BytesIO(data) if info.type == tarfile.REGTYPE else None)
            for n in self.order:
                if n in self.files:
                    d = self.files[n]
                    t.addfile(ti(n, d), io.BytesIO(d))
                else:
                    t.addfile(ti(n, kind=tarfile.DIRTYPE))
            for info, data in self.extra:
                t.addfile(info, io.BytesIO(data) if info.type == tarfile.REGTYPE else None)


def tar_layer_index(p):
    """The tar layer with the most non-empty files (two are needed to swap)."""
    best, best_n = None, -1
    for i, l in enumerate(p.manifest["layers"]):
        if l["mediaType"].endswith(".tar"):
            with tarfile.open(fileobj=io.BytesIO(p.blob(l["digest"])), mode="r:") as t:
                n = sum(1 for m in t.getmembers() if m.isreg() and m.size > 0)
            if n > best_n:
                best, best_n = i, n
    if best is None:
        raise SystemExit("no tar layer")
    return best


def rewrite_tar_layer(p, edit):
    """edit(list of (TarInfo, bytes)) -> list; the layer is rebuilt."""
    i = tar_layer_index(p)
    data = p.blob(p.manifest["layers"][i]["digest"])
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:") as t:
        entries = [(m, t.extractfile(m).read() if m.isreg() else b"") for m in t.getmembers()]
    entries = edit(entries)
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=tarfile.PAX_FORMAT) as t:
        for info, d in entries:
            t.addfile(info, io.BytesIO(d) if info.type == tarfile.REGTYPE else None)
    p.set_layer(i, out.getvalue())
    p.reseal()


def main():
    write_variants(sys.argv[1], sys.argv[2])


def write_variants(good, out):
    """Write every variant of GOOD into OUT; returns their names."""
    os.makedirs(out, exist_ok=True)
    names = []

    def variant(name, fn):
        p = Package(good)
        try:
            extra_first = fn(p) or ()
        except Skip:
            return  # the good package has nothing this variant can change
        p.write(os.path.join(out, name + ".mlpkg"), extra_first)
        names.append(name)

    def forged(p):
        ref = p.referrer
        env_desc = ref["layers"][0]
        env = json.loads(p.blob(env_desc["digest"]))
        env["signatures"][0]["sig"] = base64.b64encode(hashlib.sha512(b"forged").digest()).decode()
        data = canon(env)
        env_desc["digest"] = p.replace_blob(env_desc["digest"], data)
        env_desc["size"] = len(data)
        p.reseal()
    variant("forged_signature", forged)

    def swapped(p):
        def edit(entries):
            regs = [e for e in entries if e[0].isreg() and len(e[1]) > 0]
            if len(regs) < 2:
                raise Skip()
            a, b = regs[0], regs[1]
            a[0].name, b[0].name = b[0].name, a[0].name
            return entries
        rewrite_tar_layer(p, edit)
    variant("swapped_names", swapped)

    def dotdot(p):
        def edit(entries):
            entries[0][0].name = "../evil.txt"
            return entries
        rewrite_tar_layer(p, edit)
    variant("dotdot_in_layer", dotdot)

    def symlink(p):
        rewrite_tar_layer(p, lambda e: [(ti("link", kind=tarfile.SYMTYPE, linkname="/etc"), b"")]
                          + e)
    variant("symlink_in_layer", symlink)

    def hardlink(p):
        rewrite_tar_layer(p, lambda e: [(ti("hard", kind=tarfile.LNKTYPE,
                                            linkname="../../etc/passwd"), b"")] + e)
    variant("hardlink_in_layer", hardlink)

    def device(p):
        rewrite_tar_layer(p, lambda e: [(ti("null", kind=tarfile.CHRTYPE, devmajor=1,
                                            devminor=3), b"")] + e)
    variant("device_in_layer", device)

    def blockdev(p):
        rewrite_tar_layer(p, lambda e: [(ti("sda", kind=tarfile.BLKTYPE, devmajor=8,
                                            devminor=0), b"")] + e)
    variant("blockdev_in_layer", blockdev)

    def fifo(p):
        rewrite_tar_layer(p, lambda e: [(ti("pipe", kind=tarfile.FIFOTYPE), b"")] + e)
    variant("fifo_in_layer", fifo)

    def empty_symlink(p):
        # a symbolic link with no target: no link name to refuse it by, only
        # its type
        rewrite_tar_layer(p, lambda e: [(ti("nowhere", kind=tarfile.SYMTYPE, linkname=""),
                                         b"")] + e)
    variant("empty_symlink_in_layer", empty_symlink)

    def extra(p):
        rewrite_tar_layer(p, lambda e: e + [(ti("extra.txt", b"not declared\n"),
                                             b"not declared\n")])
    variant("extra_file_in_layer", extra)

    def duplicate(p):
        rewrite_tar_layer(p, lambda e: e + [e[-1]])
    variant("duplicate_in_layer", duplicate)

    variant("dotdot_outer", lambda p: p.extra.append((ti("../evil.txt", b"evil\n"), b"evil\n")))

    def outer_symlink(p):
        p.extra.append((ti("blobs/link", kind=tarfile.SYMTYPE, linkname="/etc"), b""))
    variant("symlink_outer", outer_symlink)

    def extra_blob(p):
        d = b"an extra blob\n"
        p.extra.append((ti("blobs/sha256/" + sha(d), d), d))
    variant("extra_blob", extra_blob)

    def missing_layer(p):
        l = p.manifest["layers"][-1]
        name = "blobs/sha256/" + l["digest"].split(":")[1]
        del p.files[name]
        p.order.remove(name)
    variant("missing_layer", missing_layer)
    return names


if __name__ == "__main__":
    main()
