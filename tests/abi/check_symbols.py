#!/usr/bin/env python3
"""The exported symbols of libmlops.so, the linker version script and the
MLOPS_EXTERN declarations of the public headers must name the same functions,
all prefixed mlops_; and the two tiers must agree: a function declared inside a
header's `#ifdef MLOPS_EXPERIMENTAL` block is in the map's MLOPS_EXPERIMENTAL
node, every other one in the stable node (docs/abi-policy.md).

usage: check_symbols.py LIBRARY MAPFILE INCLUDE_DIR
"""
import pathlib
import re
import subprocess
import sys


def exported(lib):
    out = subprocess.run(["nm", "-D", "--defined-only", lib], check=True,
                         capture_output=True, text=True).stdout
    names = set()
    for line in out.splitlines():
        parts = line.split()
        if len(parts) < 3:
            continue
        kind, name = parts[1], parts[2].split("@")[0]
        if kind == "A":  # version node definitions such as MLOPS_0.1
            continue
        names.add(name)
    return names


def in_map(path):
    text = re.sub(r"/\*.*?\*/", "", pathlib.Path(path).read_text(), flags=re.S)
    names = set()
    for block in re.findall(r"global:(.*?)(?:local:|\})", text, flags=re.S):
        names.update(n.strip() for n in block.split(";") if n.strip())
    return names


EXPERIMENTAL_BLOCK = re.compile(r"^#ifdef MLOPS_EXPERIMENTAL\n(.*?)^#endif", flags=re.S | re.M)


def map_nodes(path):
    """{node name: set of names} of the version script."""
    text = re.sub(r"/\*.*?\*/", "", pathlib.Path(path).read_text(), flags=re.S)
    nodes = {}
    for node, body in re.findall(r"(\w[\w.]*)\s*\{(.*?)\}", text, flags=re.S):
        block = re.search(r"global:(.*?)(?:local:|$)", body, flags=re.S)
        nodes[node] = {n.strip() for n in block.group(1).split(";") if n.strip()} if block else set()
    return nodes


def experimental_in_headers(include_dir):
    names = set()
    for h in pathlib.Path(include_dir).rglob("*.h"):
        for block in EXPERIMENTAL_BLOCK.findall(h.read_text()):
            names |= declared(block)
    return names


def declared(text):
    names = set()
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    text = re.sub(r"^\s*#.*$", "", text, flags=re.M)  # the macro's own definition
    for decl in re.findall(r"MLOPS_EXTERN\s+([^;{]*?)\(", text, flags=re.S):
        m = re.search(r"(\w+)\s*$", decl)
        if m and m.group(1) != "MLOPS_EXTERN":
            names.add(m.group(1))
    return names


def in_headers(include_dir):
    names = set()
    for h in pathlib.Path(include_dir).rglob("*.h"):
        text = re.sub(r"/\*.*?\*/", "", h.read_text(), flags=re.S)
        text = re.sub(r"^\s*#.*$", "", text, flags=re.M)  # the macro's own definition
        for decl in re.findall(r"MLOPS_EXTERN\s+([^;{]*?)\(", text, flags=re.S):
            m = re.search(r"(\w+)\s*$", decl)
            if m and m.group(1) != "MLOPS_EXTERN":
                names.add(m.group(1))
    return names


def main():
    lib, mapfile, include_dir = sys.argv[1:4]
    sets = {"exported by the library": exported(lib), "listed in the map file": in_map(mapfile),
            "declared MLOPS_EXTERN": in_headers(include_dir)}
    ok = True
    for label, names in sets.items():
        bad = sorted(n for n in names if not n.startswith("mlops_"))
        if bad:
            print(f"names {label} without the mlops_ prefix: {bad}")
            ok = False
    labels = list(sets)
    for i, a in enumerate(labels):
        for b in labels[i + 1:]:
            for only, other, names in ((a, b, sets[a] - sets[b]), (b, a, sets[b] - sets[a])):
                if names:
                    print(f"{len(names)} name(s) {only} but not {other}: {sorted(names)}")
                    ok = False
    nodes = map_nodes(mapfile)
    exp_map = nodes.get("MLOPS_EXPERIMENTAL", set())
    exp_hdr = experimental_in_headers(include_dir)
    for only, other, names in (("in the MLOPS_EXPERIMENTAL node", "declared in an experimental block",
                                exp_map - exp_hdr),
                               ("declared in an experimental block", "in the MLOPS_EXPERIMENTAL node",
                                exp_hdr - exp_map)):
        if names:
            print(f"{len(names)} name(s) {only} but not {other}: {sorted(names)}")
            ok = False
    stable = sets["declared MLOPS_EXTERN"] - exp_hdr
    count = len(sets["exported by the library"])
    if ok:
        print(f"tiers: {len(stable)} stable, {len(exp_hdr)} experimental")
    if count == 0:
        print("no symbols exported at all")
        ok = False
    print(f"{count} exported symbols checked" if ok else "symbol check FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
