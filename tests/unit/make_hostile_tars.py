#!/usr/bin/env python3
"""Build the hostile-archive corpus for test_extract (and a good archive).

Usage: make_hostile_tars.py OUT_DIR OUTSIDE_DIR

Every archive OUT_DIR/<case>.tar is written with Python's tarfile module
(independent of libarchive, which the library reads with). Beside each one,
OUT_DIR/<case>.decl lists the files a signed manifest would declare, one per
line: "<sha256 hex> <size> <mode> <path>", with digests from hashlib. An
archive meant to escape aims at OUTSIDE_DIR (which must stay empty).

SPDX-License-Identifier: Apache-2.0
"""
import hashlib
import io
import os
import sys
import tarfile


def info(name, data=b"", kind=tarfile.REGTYPE, mode=0o644, **kw):
    ti = tarfile.TarInfo(name)
    ti.type = kind
    ti.mode = mode
    ti.mtime = 0
    ti.size = len(data) if kind == tarfile.REGTYPE else 0
    for k, v in kw.items():
        setattr(ti, k, v)
    return ti


def write_tar(path, entries, fmt=tarfile.PAX_FORMAT):
    with tarfile.open(path, "w", format=fmt) as t:
        for ti, data in entries:
            t.addfile(ti, io.BytesIO(data) if ti.type == tarfile.REGTYPE else None)


def decl(path, files):
    """files: list of (path, bytes, mode)"""
    with open(path, "w") as f:
        for p, data, mode in files:
            f.write("%s %d %o %s\n" % (hashlib.sha256(data).hexdigest(), len(data), mode, p))


def main():
    out, outside = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    evil = b"written outside the destination\n"
    weights = bytes(range(256)) * 40  # 10240 bytes
    config = b'{"layers": 4}\n'
    good = [("config.json", config, 0o644), ("model/weights.bin", weights, 0o644),
            ("run.sh", b"#!/bin/sh\necho ok\n", 0o755)]

    def plain(files):
        return [(info(p, d, mode=m), d) for p, d, m in files]

    cases = {}
    cases["good"] = ([(info("model", kind=tarfile.DIRTYPE, mode=0o755), b"")] + plain(good), good)
    cases["dotdot"] = (plain([("../evil.txt", evil, 0o644)]), [("../evil.txt", evil, 0o644)])
    cases["dotdot_nested"] = (plain([("model/../../evil.txt", evil, 0o644)]), None)
    cases["dotdot_outside"] = (plain([("../../" + os.path.basename(outside) + "/evil.txt", evil,
                                       0o644)]), None)
    cases["absolute"] = (plain([(os.path.join(outside, "abs.txt"), evil, 0o644)]), None)
    cases["backslash"] = (plain([("model\\..\\..\\evil.txt", evil, 0o644)]), None)
    cases["dot_segment"] = (plain([("./config.json", config, 0o644)]), None)
    cases["symlink_then_write"] = (
        [(info("link", kind=tarfile.SYMTYPE, linkname=outside), b""),
         (info("link/evil.txt", evil), evil)],
        [("link/evil.txt", evil, 0o644)])
    cases["hardlink_out"] = (
        plain([("config.json", config, 0o644)]) +
        [(info("passwd", kind=tarfile.LNKTYPE, linkname="../../../../../../etc/passwd"), b"")],
        None)
    cases["chardev"] = ([(info("null", kind=tarfile.CHRTYPE, devmajor=1, devminor=3), b"")], None)
    cases["blockdev"] = ([(info("sda", kind=tarfile.BLKTYPE, devmajor=8, devminor=0), b"")], None)
    cases["fifo"] = ([(info("pipe", kind=tarfile.FIFOTYPE), b"")], None)
    cases["duplicate"] = (plain([("config.json", config, 0o644), ("config.json", config, 0o644)]),
                          [("config.json", config, 0o644)])
    cases["case_collision"] = (plain([("Model.bin", weights, 0o644), ("model.bin", evil, 0o644)]),
                               None)
    cases["case_collision_dir"] = (plain([("Model/a.bin", weights, 0o644),
                                          ("model/b.bin", evil, 0o644)]), None)
    cases["file_then_dir"] = (plain([("model", config, 0o644), ("model/x.bin", evil, 0o644)]),
                              None)
    # declared at 10 bytes, carries 10240
    cases["larger_than_declared"] = (plain([("model/weights.bin", weights, 0o644)]),
                                     [("model/weights.bin", weights[:10], 0o644)])
    # a flipped byte in the content: size right, digest wrong
    flipped = bytearray(weights)
    flipped[5000] ^= 0x01
    cases["flipped_byte"] = (plain([("model/weights.bin", bytes(flipped), 0o644)]),
                             [("model/weights.bin", weights, 0o644)])
    # two files of one size with their names swapped: each has the other's content
    other = weights[::-1]
    cases["swapped_names"] = (plain([("a.bin", weights, 0o644), ("b.bin", other, 0o644)]),
                              [("a.bin", other, 0o644), ("b.bin", weights, 0o644)])
    cases["extra_entry"] = (plain(good + [("extra.txt", evil, 0o644)]), good)
    cases["missing_entry"] = (plain(good[:2]), good)

    for name, (entries, declared) in cases.items():
        write_tar(os.path.join(out, name + ".tar"), entries)
        decl(os.path.join(out, name + ".decl"),
             declared if declared is not None else
             [(ti.name, d, ti.mode) for ti, d in entries if ti.type == tarfile.REGTYPE
              and not ti.name.endswith("/")])

    # a truncated tar: the good archive cut in the middle of the weights
    with open(os.path.join(out, "good.tar"), "rb") as f:
        whole = f.read()
    with open(os.path.join(out, "truncated.tar"), "wb") as f:
        f.write(whole[:whole.index(weights[:512]) + 3000])
    decl(os.path.join(out, "truncated.decl"), good)
    # garbage in place of a header
    with open(os.path.join(out, "garbage.tar"), "wb") as f:
        f.write(b"\x01not a tar header" * 64)
    decl(os.path.join(out, "garbage.decl"), good)


if __name__ == "__main__":
    main()
