#!/usr/bin/env python3
"""The hostile-package corpus, through `mlops verify`, `extract` and `store add`.

Usage: check_hostile_corpus.py MLOPS_CLI DSSE_SIGN_TOOL [WORK_DIR]

Builds a good signed package with the CLI, then derives from it, with
Python's tarfile/json/hashlib only (and the project's own keys, through
dsse_sign_tool for re-signing), at least 60 hostile inputs:
- outer-tar attacks: traversal (`../`, absolute, `a/../../b`), symbolic and
  hard links (outside, to each other, chains), devices, FIFOs, truncation at
  many offsets, long names (GNU and PAX), compressed packages, duplicate
  entries, entry type confusion, case collisions, oversized sizes;
- re-sealed packages (every digest that needs no private key recomputed):
  tampered index.json ref.name, manifest annotations, layer titles and file
  paths, config fields (routing documents that disagree with the statement),
  unsigned, wrong key, forged signature, statement/payload mismatch;
- re-signed packages (a trusted key signs a hostile statement): a path that
  is also a directory of another (`a` and `a/b`, also `A` and `a/b`), case
  collisions, traversal, sizes that lie.
Every input is run through the three commands with the trusted key, and:
- nothing outside the destination changes (a snapshot of the work tree, the
  attack targets included) and nothing is left behind (no temporary files
  beside the destination, a refused `store add` leaves the store's bytes
  as they were, and a refused first `store add` creates no store);
- `verify --json` says "valid": true exactly when verify exits 0, and a
  refused package's report carries the error;
- verify, extract and store add agree on every input (accepted by all or
  refused by all, verify from the file, verify from a pipe and extract with
  the same exit status), and every
  input meant to be refused is refused.
Prints a summary and exits 0, or fails with the list of violations.

SPDX-License-Identifier: Apache-2.0
"""
import bz2
import gzip
import hashlib
import io
import json
import lzma
import os
import shutil
import stat
import subprocess
import sys
import tarfile
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import make_hostile_packages as mhp  # noqa: E402

CLI, SIGNER = sys.argv[1], sys.argv[2]
sha, canon, ti = mhp.sha, mhp.canon, mhp.ti


def run(*args):
    return subprocess.run([CLI, *args], capture_output=True, text=True, errors="replace")


def tar_bytes(entries, fmt=tarfile.PAX_FORMAT):
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=fmt) as t:
        for info, data in entries:
            t.addfile(info, io.BytesIO(data) if info.type in (tarfile.REGTYPE, tarfile.CONTTYPE)
                      else None)
    return out.getvalue()


def raw_entries(entries, fmt=tarfile.PAX_FORMAT):
    """Entries as tar blocks, without the end-of-archive blocks or padding."""
    out = b""
    for info, data in entries:
        out += info.tobuf(fmt, tarfile.ENCODING, "surrogateescape")
        if info.type in (tarfile.REGTYPE, tarfile.CONTTYPE):
            out += data + b"\0" * (-len(data) % 512)
    return out


def members(path):
    """(TarInfo, bytes) of every entry of a package, in order."""
    with tarfile.open(path, "r:") as t:
        return [(m, t.extractfile(m).read() if m.isreg() else b"") for m in t.getmembers()]


def fresh(info):
    """A clean copy of a TarInfo (name, type, size, mode only)."""
    n = ti(info.name, kind=info.type)
    n.size = info.size
    return n


class Corpus:
    def __init__(self, work):
        self.work = work
        self.dir = os.path.join(work, "corpus")
        os.makedirs(self.dir)
        self.outside = os.path.join(work, "outside")
        os.makedirs(self.outside)
        with open(os.path.join(self.outside, "keep.txt"), "w") as f:
            f.write("must not change\n")
        self.cases = {}  # name -> must it be refused?

    def path(self, name):
        return os.path.join(self.dir, name + ".mlpkg")

    def add_bytes(self, name, data, refuse=True):
        assert name not in self.cases, name
        with open(self.path(name), "wb") as f:
            f.write(data)
        self.cases[name] = refuse

    def add_entries(self, name, entries, fmt=tarfile.PAX_FORMAT, refuse=True):
        self.add_bytes(name, tar_bytes(entries, fmt), refuse)

    def add_package(self, name, p, refuse=True, extra_first=()):
        assert name not in self.cases, name
        p.write(self.path(name), extra_first)
        self.cases[name] = refuse


# ---- re-signing -------------------------------------------------------------

def sign_envelope(work, key, payload):
    pf, ef = os.path.join(work, "payload.bin"), os.path.join(work, "envelope.json")
    with open(pf, "wb") as f:
        f.write(payload)
    subprocess.run([SIGNER, key, pf, ef], check=True)
    with open(ef, "rb") as f:
        return f.read()


def set_envelope(p, env):
    d = p.referrer["layers"][0]
    d["digest"] = p.replace_blob(d["digest"], env)
    d["size"] = len(env)


def statement(p):
    return json.loads(p.blob(p.manifest["layers"][0]["digest"]))


def put_statement(p, st, work, key, payload=None):
    """Replace the statement (subject recomputed), sign it with `key` (or
    sign `payload` instead), re-seal."""
    st["subject"][0]["digest"]["sha256"] = sha(canon(st["predicate"]["files"]))
    data = canon(st)
    p.set_layer(0, data)
    if key:
        set_envelope(p, sign_envelope(work, key, payload if payload is not None else data))
    p.reseal()


def add_small_files(p, files, work, key, declare=None):
    """Add small files (path, bytes) to the first tar layer and to the
    statement (`declare` overrides what the statement says: path -> size),
    then re-sign with `key`."""
    i = next(k for k, l in enumerate(p.manifest["layers"]) if l["mediaType"].endswith(".tar"))
    mt = p.manifest["layers"][i]["mediaType"]
    with tarfile.open(fileobj=io.BytesIO(p.blob(p.manifest["layers"][i]["digest"])), mode="r:") as t:
        entries = [(m, t.extractfile(m).read()) for m in t.getmembers()]
    entries += [(ti(path, data), data) for path, data in files]
    entries.sort(key=lambda e: e[0].name.encode())
    p.set_layer(i, tar_bytes(entries))
    st = statement(p)
    tmpl = next(f for f in st["predicate"]["files"] if f["mediaType"] == mt)
    for path, data in files:
        f = dict(tmpl)
        f["path"] = path
        f["size"] = (declare or {}).get(path, len(data))
        f["digest"] = {"sha256": sha(data)}
        st["predicate"]["files"].append(f)
    st["predicate"]["files"].sort(key=lambda f: f["path"].encode())
    put_statement(p, st, work, key)


# ---- the corpus -------------------------------------------------------------

def build(c, good, unsigned, k1, k2):
    work = c.work
    G = members(good)
    names = [m.name for m, _ in G]
    evil = b"written outside the destination\n"
    out_rel = os.path.relpath(c.outside, os.path.join(work, "x", "dest"))  # from a destination

    def plus(extra, at=None):
        e = list(G)
        if at is None:
            e += extra
        else:
            e[at:at] = extra
        return e

    # traversal
    c.add_entries("outer_dotdot", plus([(ti("../evil.txt", evil), evil)]))
    c.add_entries("outer_dotdot_to_outside",
                  plus([(ti(out_rel + "/evil.txt", evil), evil)]))
    c.add_entries("outer_absolute", plus([(ti(c.outside + "/abs.txt", evil), evil)]))
    c.add_entries("outer_nested_dotdot", plus([(ti("blobs/../../evil.txt", evil), evil)]))
    c.add_entries("outer_dotdot_first", [(ti("../evil.txt", evil), evil)] + G)
    c.add_entries("outer_backslash", plus([(ti("blobs\\..\\..\\evil.txt", evil), evil)]))
    c.add_entries("outer_dot_segment", plus([(ti("./index.json", G[1][1]), G[1][1])]))
    c.add_entries("outer_dotdot_as_blob_dir",
                  plus([(ti("blobs/sha256/../../../evil.txt", evil), evil)], at=4))
    # links
    c.add_entries("outer_symlink_out", plus([(ti("blobs/link", kind=tarfile.SYMTYPE,
                                                 linkname=c.outside), b"")]))
    c.add_entries("outer_symlink_then_write", plus(
        [(ti("blobs/link", kind=tarfile.SYMTYPE, linkname=c.outside), b""),
         (ti("blobs/link/evil.txt", evil), evil)]))
    c.add_entries("outer_symlink_chain", plus(
        [(ti("blobs/l1", kind=tarfile.SYMTYPE, linkname="l2"), b""),
         (ti("blobs/l2", kind=tarfile.SYMTYPE, linkname="../../outside"), b""),
         (ti("blobs/l1/evil.txt", evil), evil)]))
    c.add_entries("outer_symlink_to_each_other", plus(
        [(ti("blobs/a", kind=tarfile.SYMTYPE, linkname="b"), b""),
         (ti("blobs/b", kind=tarfile.SYMTYPE, linkname="a"), b"")]))
    c.add_entries("outer_hardlink_out", plus([(ti("blobs/h", kind=tarfile.LNKTYPE,
                                                  linkname="../../../etc/passwd"), b"")]))
    c.add_entries("outer_hardlink_to_entry", plus([(ti("blobs/h", kind=tarfile.LNKTYPE,
                                                       linkname="index.json"), b"")]))
    c.add_entries("outer_hardlink_chain", plus(
        [(ti("blobs/h1", kind=tarfile.LNKTYPE, linkname="index.json"), b""),
         (ti("blobs/h2", kind=tarfile.LNKTYPE, linkname="blobs/h1"), b"")]))
    blob0 = names[4]
    c.add_entries("outer_blob_as_symlink", [e if e[0].name != blob0 else
                                            (ti(blob0, kind=tarfile.SYMTYPE,
                                                linkname="../../index.json"), b"")
                                            for e in G])
    c.add_entries("outer_blob_as_hardlink", [e if e[0].name != blob0 else
                                             (ti(blob0, kind=tarfile.LNKTYPE,
                                                 linkname="index.json"), b"")
                                             for e in G])
    # devices, FIFOs
    c.add_entries("outer_chardev", plus([(ti("blobs/null", kind=tarfile.CHRTYPE, devmajor=1,
                                             devminor=3), b"")]))
    c.add_entries("outer_blockdev", plus([(ti("blobs/sda", kind=tarfile.BLKTYPE, devmajor=8,
                                              devminor=0), b"")]))
    c.add_entries("outer_fifo", plus([(ti("blobs/pipe", kind=tarfile.FIFOTYPE), b"")]))
    c.add_entries("outer_fifo_as_index", [(ti("oci-layout", G[0][1]), G[0][1]),
                                          (ti("index.json", kind=tarfile.FIFOTYPE), b"")]
                  + G[2:])
    # entry type confusion
    c.add_entries("outer_index_as_dir", [G[0], (ti("index.json", kind=tarfile.DIRTYPE), b"")]
                  + G[2:])
    c.add_entries("outer_blob_as_dir", [e if e[0].name != blob0 else
                                        (ti(blob0, kind=tarfile.DIRTYPE), b"") for e in G])
    c.add_entries("outer_blobs_as_file", [e if e[0].name != "blobs" else
                                          (ti("blobs", b"x"), b"x") for e in G])
    c.add_entries("outer_extra_dir", plus([(ti("evil", kind=tarfile.DIRTYPE), b"")]))
    c.add_entries("outer_layout_not_first", [G[1], G[0]] + G[2:])
    # duplicates
    c.add_entries("outer_duplicate_index", plus([G[1]], at=2))
    c.add_entries("outer_duplicate_layout", plus([G[0]], at=1))
    c.add_entries("outer_duplicate_blob", plus([G[4]], at=5))
    c.add_entries("outer_duplicate_last_blob", plus([G[-1]]))
    # case collisions and a + a/b
    c.add_entries("outer_case_index", plus([(ti("INDEX.JSON", G[1][1]), G[1][1])]))
    c.add_entries("outer_case_blob", plus([(ti(blob0.upper().replace("BLOBS/SHA256", "blobs/sha256"),
                                               G[4][1]), G[4][1])]))
    c.add_entries("outer_file_and_dir", plus([(ti("blobs/sha256/" + blob0[-64:] + "/x", evil),
                                               evil)]))
    # long names
    long_seg = "l" * 200
    c.add_entries("outer_long_pax_name", plus([(ti("blobs/" + long_seg + "/" + long_seg, evil),
                                                evil)]))
    c.add_entries("outer_long_gnu_name", plus([(ti("blobs/" + long_seg, evil), evil)]),
                  fmt=tarfile.GNU_FORMAT)
    c.add_entries("outer_long_gnu_dotdot", plus([(ti("../" * 40 + "evil.txt", evil), evil)]),
                  fmt=tarfile.GNU_FORMAT)
    c.add_entries("outer_very_long_name", plus([(ti("blobs/" + "x/" * 2100 + "y", evil),
                                                 evil)]))
    # the same package written in GNU format: accepted or refused, the three agree
    c.add_entries("outer_gnu_format_rewrite", [(fresh(m), d) for m, d in G],
                  fmt=tarfile.GNU_FORMAT, refuse=None)
    # compressed packages
    whole = open(good, "rb").read()
    c.add_bytes("outer_gzip", gzip.compress(whole, mtime=0))
    c.add_bytes("outer_bzip2", bz2.compress(whole))
    c.add_bytes("outer_xz", lzma.compress(whole))
    # truncation at many offsets (every metadata entry, inside layers, the end)
    size = len(whole)
    offsets = sorted({1, 100, 511, 512, 513, 1024, 1536, 2000, 2560, 3000, 4096, 5000, 6000,
                      7000, 8192, size // 3, size // 2, size - 600_000, size - 5000,
                      size - 1536, size - 1025})
    for off in offsets:
        c.add_bytes("truncated_at_%d" % off, whole[:off])
    c.add_bytes("empty_file", b"")
    c.add_bytes("garbage", b"\x01not a tar header" * 64)
    # oversized sizes: a header claiming more than the archive holds, and a
    # metadata document claiming more than the 64 MiB limit
    big = ti("blobs/huge", b"")
    big.size = 1 << 40
    hdr = big.tobuf(tarfile.PAX_FORMAT)
    c.add_bytes("outer_oversized_entry", raw_entries(G) + hdr + b"\0" * 4096)
    idx = ti("index.json", b"")
    idx.size = 100 << 20
    c.add_bytes("outer_oversized_index", raw_entries(G[:1]) + idx.tobuf(tarfile.PAX_FORMAT)
                + b"\0" * 4096)

    # ---- re-sealed packages (make_hostile_packages.py's variants first) ----
    hostile = os.path.join(work, "mhp")
    for n in mhp.write_variants(good, hostile):
        shutil.move(os.path.join(hostile, n + ".mlpkg"), c.path("resealed_" + n))
        c.cases["resealed_" + n] = True

    def variant(name, fn, refuse=True):
        p = mhp.Package(good)
        fn(p)
        c.add_package(name, p, refuse)

    def idx_ref(value):
        def f(p):
            if value is None:
                del p.mdesc["annotations"]
            else:
                p.mdesc["annotations"]["org.opencontainers.image.ref.name"] = value
            p.files["index.json"] = canon(p.index)
        return f
    variant("routing_index_ref_name_2.0.0", idx_ref("2.0.0"))
    variant("routing_index_ref_name_missing", idx_ref(None))
    variant("routing_index_ref_name_name_colon_version", idx_ref("x:1.0.0"))

    def mf_annot(key, value):
        def f(p):
            p.manifest["annotations"][key] = value
            p.reseal()
        return f
    variant("routing_manifest_version", mf_annot("org.opencontainers.image.version", "2.0.0"))
    variant("routing_manifest_created", mf_annot("org.opencontainers.image.created",
                                                 "2030-01-01T00:00:00Z"))

    def layer_annot(kind, key, value):
        def f(p):
            for l in p.manifest["layers"][1:]:
                if l["mediaType"].endswith(kind):
                    if value is None:
                        l["annotations"].pop(key, None)
                    else:
                        l["annotations"][key] = value
                    break
            p.reseal()
        return f
    def statement_title(p):
        p.manifest["layers"][0]["annotations"]["org.opencontainers.image.title"] = "../x.json"
        p.reseal()
    variant("routing_statement_title", statement_title)
    variant("routing_raw_filepath_other", layer_annot(".raw", "org.cncf.model.filepath",
                                                      "model/other.bin"))
    variant("routing_raw_filepath_traversal", layer_annot(".raw", "org.cncf.model.filepath",
                                                          "../../evil.bin"))
    variant("routing_raw_filepath_missing", layer_annot(".raw", "org.cncf.model.filepath", None))
    variant("routing_raw_title", layer_annot(".raw", "org.opencontainers.image.title",
                                             "evil.bin"))
    variant("routing_tar_title", layer_annot(".tar", "org.opencontainers.image.title",
                                             "../evil.tar"))
    variant("routing_tar_filepath", layer_annot(".tar", "org.cncf.model.filepath", "x.tar"))

    def config_edit(edit):
        def f(p):
            cdesc = p.manifest["config"]
            cfg = json.loads(p.blob(cdesc["digest"]))
            edit(cfg)
            data = canon(cfg)
            cdesc["digest"] = p.replace_blob(cdesc["digest"], data)
            cdesc["size"] = len(data)
            data = canon(p.manifest)  # reseal without recomputing diffIds
            p.mdesc["digest"] = p.replace_blob(p.mdesc["digest"], data)
            p.mdesc["size"] = len(data)
            p.referrer["subject"]["digest"] = p.mdesc["digest"]
            p.referrer["subject"]["size"] = len(data)
            rdata = canon(p.referrer)
            p.rdesc["digest"] = p.replace_blob(p.rdesc["digest"], rdata)
            p.rdesc["size"] = len(rdata)
            p.files["index.json"] = canon(p.index)
        return f
    variant("routing_config_version", config_edit(
        lambda c_: c_["descriptor"].__setitem__("version", "2.0.0")))
    variant("routing_config_name", config_edit(
        lambda c_: c_["descriptor"].__setitem__("name", "other")))
    variant("routing_config_created", config_edit(
        lambda c_: c_["descriptor"].__setitem__("createdAt", "2030-01-01T00:00:00Z")))
    variant("routing_config_format", config_edit(
        lambda c_: c_["config"].__setitem__("format", "pickle")))
    variant("routing_config_diffids_reversed", config_edit(
        lambda c_: c_["modelfs"]["diffIds"].reverse()))
    variant("routing_config_diffids_missing", config_edit(
        lambda c_: c_["modelfs"].__setitem__("diffIds", [])))

    def gzip_layer(signed):
        def f(p):
            # a tar layer gzip-compressed, its media type saying so (and, when
            # `signed`, the statement's files saying so too, re-signed)
            i = next(k for k, l in enumerate(p.manifest["layers"])
                     if l["mediaType"].endswith(".tar"))
            l = p.manifest["layers"][i]
            old_mt = l["mediaType"]
            p.set_layer(i, gzip.compress(p.blob(l["digest"]), mtime=0))
            l["mediaType"] = old_mt + "+gzip"
            if signed:
                st = statement(p)
                for x in st["predicate"]["files"]:
                    if x["mediaType"] == old_mt:
                        x["mediaType"] = old_mt + "+gzip"
                put_statement(p, st, work, k1)
            else:
                p.reseal()
        return f
    variant("resealed_gzip_layer", gzip_layer(False))
    variant("signed_gzip_layer", gzip_layer(True))

    def strip_signature(p):
        env = p.referrer["layers"][0]["digest"]
        for d in (p.rdesc["digest"], env):
            n = "blobs/sha256/" + d.split(":")[1]
            del p.files[n]
            p.order.remove(n)
        empty = "blobs/sha256/" + sha(b"{}")
        if empty in p.files:
            del p.files[empty]
            p.order.remove(empty)
        p.index["manifests"] = [p.mdesc]
        p.files["index.json"] = canon(p.index)
    variant("unsigned_stripped", strip_signature)
    shutil.copy(unsigned, c.path("unsigned_packed"))
    c.cases["unsigned_packed"] = True

    # re-signed with another key / payload not the statement
    def resign_other(p):
        st = statement(p)
        put_statement(p, st, work, k2)
    variant("resigned_other_key", resign_other)

    def payload_mismatch(p):
        st = statement(p)
        orig = canon(st)
        st["predicate"]["version"] = "1.0.1"
        st["subject"][0]["name"] = "x@1.0.1"
        put_statement(p, st, work, k1, payload=orig)
    variant("statement_payload_mismatch", payload_mismatch)

    def statement_changed_unsigned(p):
        st = statement(p)
        st["predicate"]["name"] = "y"
        st["subject"][0]["name"] = "y@1.0.0"
        put_statement(p, st, work, None)
    variant("statement_changed_not_resigned", statement_changed_unsigned)

    # re-signed by the trusted key: only the statement's own rules stand
    variant("signed_file_and_dir", lambda p: add_small_files(
        p, [("zz", b"file\n"), ("zz/b", b"under\n")], work, k1))
    variant("signed_file_and_dir_case", lambda p: add_small_files(
        p, [("ZZ", b"file\n"), ("zz/b", b"under\n")], work, k1))
    variant("signed_file_and_dir_sorted_apart", lambda p: add_small_files(
        p, [("zz", b"file\n"), ("zz-x", b"between\n"), ("zz/b", b"under\n")], work, k1))
    variant("signed_case_collision", lambda p: add_small_files(
        p, [("ZZ.txt", b"one\n"), ("zz.txt", b"two\n")], work, k1))
    variant("signed_traversal", lambda p: add_small_files(p, [("../evil.txt", evil)], work, k1))
    variant("signed_absolute", lambda p: add_small_files(p, [("/tmp/evil.txt", evil)], work, k1))
    variant("signed_size_lie", lambda p: add_small_files(
        p, [("zz.txt", b"small\n")], work, k1, declare={"zz.txt": 1 << 33}))

    def with_shards(bad_shard):
        def f(p):
            # the raw file split into signed shards (offsets, sizes, SHA-256
            # of each part); with bad_shard, that shard's digest is wrong
            # while the whole-file digest is right
            st = statement(p)
            raw = next(l for l in p.manifest["layers"] if l["mediaType"].endswith(".raw"))
            data = p.blob(raw["digest"])
            f_ = next(x for x in st["predicate"]["files"]
                      if x["digest"]["sha256"] == raw["digest"].split(":")[1])
            half = len(data) // 2
            f_["shardSize"] = half
            f_["shards"] = [{"digest": {"sha256": sha(data[:half])}, "offset": 0, "size": half},
                            {"digest": {"sha256": sha(data[half:])}, "offset": half,
                             "size": len(data) - half}]
            if bad_shard is not None:
                f_["shards"][bad_shard]["digest"]["sha256"] = sha(b"not this")
            put_statement(p, st, work, k1)
        return f
    def shards_right_whole_wrong(p):
        # every signed shard digest is right, the signed whole-file digest
        # (the layer's name) is not: extraction hashes the whole file and
        # refuses it, so verification from a regular file must too
        with_shards(None)(p)
        st = statement(p)
        raw = next(l for l in p.manifest["layers"] if l["mediaType"].endswith(".raw"))
        old_hex = raw["digest"].split(":")[1]
        new_hex = sha(b"not the whole file")
        data = p.files.pop("blobs/sha256/" + old_hex)
        p.files["blobs/sha256/" + new_hex] = data
        p.order[p.order.index("blobs/sha256/" + old_hex)] = "blobs/sha256/" + new_hex
        raw["digest"] = "sha256:" + new_hex
        for x in st["predicate"]["files"]:
            if x["digest"]["sha256"] == old_hex:
                x["digest"]["sha256"] = new_hex
        put_statement(p, st, work, k1)
    variant("signed_shards_right_whole_digest_wrong", shards_right_whole_wrong)
    variant("signed_wrong_shard_digest", with_shards(1))
    variant("signed_wrong_first_shard_digest", with_shards(0))
    variant("control_signed_with_shards", with_shards(None), refuse=False)

    def signed_version_mismatch(p):
        # a trusted statement for 2.0.0 in a package whose routing says 1.0.0
        st = statement(p)
        st["predicate"]["version"] = "2.0.0"
        st["subject"][0]["name"] = "x@2.0.0"
        put_statement(p, st, work, k1)
    variant("signed_statement_version_routing_1.0.0", signed_version_mismatch)


# ---- running ----------------------------------------------------------------

def snapshot(root, skip):
    """Every path under root (not under `skip`): type, mode, size, mtime, and
    the content digest of small files."""
    snap = {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if os.path.join(dirpath, d) not in skip]
        for n in dirnames + filenames:
            p = os.path.join(dirpath, n)
            if p in skip:
                continue
            st = os.lstat(p)
            digest = None
            if stat.S_ISREG(st.st_mode) and st.st_size < (1 << 16):
                with open(p, "rb") as f:
                    digest = sha(f.read())
            snap[os.path.relpath(p, root)] = (stat.S_IFMT(st.st_mode), st.st_mode & 0o7777,
                                              st.st_size, st.st_mtime_ns, digest)
    return snap


def tree_digest(root):
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for n in dirnames + filenames:
            p = os.path.join(dirpath, n)
            st = os.lstat(p)
            d = None
            if stat.S_ISREG(st.st_mode):
                with open(p, "rb") as f:
                    d = sha(f.read())
            out[os.path.relpath(p, root)] = (stat.S_IFMT(st.st_mode), d)
    return out


def main():
    work = sys.argv[3] if len(sys.argv) > 3 else tempfile.mkdtemp(prefix="mlops-hostile-")
    os.makedirs(work, exist_ok=True)
    try:
        check(work)
    finally:
        if len(sys.argv) <= 3:
            shutil.rmtree(work, ignore_errors=True)


def check(work):
    for k in ("k1", "k2"):
        r = run("keygen", "-o", os.path.join(work, k + ".pem"))
        assert r.returncode == 0, r.stderr
    k1, k2 = os.path.join(work, "k1.pem"), os.path.join(work, "k2.pem")
    pub = os.path.join(work, "k1.pub.pem")
    model = os.path.join(work, "model")
    os.makedirs(os.path.join(model, "model"))
    with open(os.path.join(model, "model", "weights.bin"), "wb") as f:
        f.write(hashlib.sha256(b"w").digest() * 40000)  # 1.28 MB: a raw layer
    for rel, text in (("model/tokenizer.json", '{"vocab":["a"]}\n'),
                      ("config.json", '{"threshold":0.7}\n'), ("README.md", "# model\n")):
        with open(os.path.join(model, rel), "w") as f:
            f.write(text)
    good, unsigned = os.path.join(work, "good.mlpkg"), os.path.join(work, "unsigned.mlpkg")
    common = [model, "--name", "x", "--version", "1.0.0", "--created", "2026-01-02T03:04:05Z",
              "--framework", "onnx:1.17"]
    r = run("pack", *common, "-o", good, "--key", k1)
    assert r.returncode == 0, r.stderr
    r = run("pack", *common, "-o", unsigned)
    assert r.returncode == 0, r.stderr
    # the store every `store add` starts from: another version already in it
    template = os.path.join(work, "store-template")
    other = os.path.join(work, "other.mlpkg")
    r = run("pack", model, "--name", "x", "--version", "0.9.0", "--created",
            "2026-01-01T00:00:00Z", "-o", other, "--key", k1)
    assert r.returncode == 0, r.stderr
    r = run("store", "add", template, other, "--trust", pub)
    assert r.returncode == 0, r.stderr
    template_digest = tree_digest(template)

    c = Corpus(work)
    build(c, good, unsigned, k1, k2)
    shutil.copy(good, c.path("control_good"))
    c.cases["control_good"] = False
    refused_n = sum(1 for v in c.cases.values() if v)
    assert refused_n >= 60, "only %d hostile inputs" % refused_n

    sandbox = os.path.join(work, "x")
    os.makedirs(sandbox)
    bad = []
    targets = ("/evil.txt", "/tmp/evil.txt", "/tmp/abs.txt",
               os.path.join(os.path.dirname(work), "evil.txt"))
    existed = {p for p in targets if os.path.lexists(p)}
    for name in sorted(c.cases):
        pkg = c.path(name)
        must_refuse = c.cases[name]
        before = snapshot(work, {sandbox, os.path.join(work, "store"), os.path.join(work, "payload.bin")})
        v = run("verify", "--json", pkg, "--trust", pub)
        doc = None
        if v.stdout.strip():
            try:
                doc = json.loads(v.stdout)
            except ValueError:
                bad.append("%s: verify --json wrote no JSON: %r" % (name, v.stdout[:200]))
        if v.returncode == 0:
            if not doc or doc.get("valid") is not True or doc.get("error") is not None:
                bad.append("%s: verify exit 0 but the report is %r" % (name, doc))
        else:
            if doc is not None and doc.get("valid") is not False:
                bad.append("%s: verify exit %d but \"valid\": %r" % (name, v.returncode,
                                                                    doc.get("valid")))
            if doc is not None and not (doc.get("error") or {}).get("code", "").startswith(
                    "MLOPS_E_"):
                bad.append("%s: a refused package's report has no error: %r" % (name, doc))
        with open(pkg, "rb") as f:
            piped = subprocess.run([CLI, "verify", "--json", "/dev/stdin", "--trust", pub],
                                   input=f.read(), capture_output=True)
        if piped.returncode != v.returncode:
            bad.append("%s: verify exit %d from the file, %d from a pipe (%s)" %
                       (name, v.returncode, piped.returncode,
                        piped.stdout.decode(errors="replace").strip()[:200]))
        dest = os.path.join(sandbox, "dest")
        e = run("extract", pkg, dest, "--trust", pub)
        if (v.returncode == 0) != (e.returncode == 0) or v.returncode != e.returncode:
            bad.append("%s: verify exit %d (%s), extract exit %d (%s)" %
                       (name, v.returncode, (doc or {}).get("error"), e.returncode,
                        e.stderr.strip()[:200]))
        if e.returncode != 0 and os.listdir(sandbox):
            bad.append("%s: a refused extract left %s" % (name, os.listdir(sandbox)))
        shutil.rmtree(dest, ignore_errors=True)
        store = os.path.join(work, "store")
        shutil.copytree(template, store, symlinks=True)
        s = run("store", "add", store, pkg, "--trust", pub)
        if (s.returncode == 0) != (v.returncode == 0):
            bad.append("%s: verify exit %d, store add exit %d (%s)" %
                       (name, v.returncode, s.returncode, s.stderr.strip()[:200]))
        if s.returncode != 0 and tree_digest(store) != template_digest:
            bad.append("%s: a refused store add changed the store" % name)
        shutil.rmtree(store)
        fresh_store = os.path.join(work, "store")
        f = run("store", "add", fresh_store, pkg, "--trust", pub)
        if f.returncode != s.returncode:
            bad.append("%s: store add exit %d into a store, %d into a new directory" %
                       (name, s.returncode, f.returncode))
        if f.returncode != 0 and os.path.lexists(fresh_store):
            bad.append("%s: a refused first store add left %s" % (name, os.listdir(fresh_store)))
        shutil.rmtree(fresh_store, ignore_errors=True)
        if must_refuse and v.returncode == 0:
            bad.append("%s: accepted, but it must be refused" % name)
        if must_refuse is False and v.returncode != 0:
            bad.append("%s: refused (%s)" % (name, v.stdout.strip()[:300]))
        after = snapshot(work, {sandbox, os.path.join(work, "store"),
                                os.path.join(work, "payload.bin")})
        if after != before:
            changed = sorted(set(after.items()) ^ set(before.items()))
            bad.append("%s: changed outside the destination: %s" % (name, changed[:5]))
        for p in targets:
            if p not in existed and os.path.lexists(p):
                bad.append("%s: %s was written" % (name, p))
    print("%d inputs (%d hostile): %d violation(s)" % (len(c.cases), refused_n, len(bad)))
    if bad:
        print("\n".join(bad))
        sys.exit(1)
    print("ok")


if __name__ == "__main__":
    main()
