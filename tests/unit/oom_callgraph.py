#!/usr/bin/env python3
"""List the exported functions that never reach the library's allocator.

SPDX-License-Identifier: Apache-2.0

Usage: oom_callgraph.py BUILD_DIR [--check tests/unit/oom-noalloc.txt]

Recompiles the sources of libmlops_internal (from BUILD_DIR's
compile_commands.json, gcc only) at -O0 with -fcallgraph-info into a scratch
directory, joins the per-file call graphs, and prints the names from
src/libmlops.map from which no call path reaches mlops__malloc or
mlops__realloc (mlops__calloc, mlops__reallocarray and mlops__strndup go
through those two). Calls through function pointers are not followed; the
library allocates only through direct calls, and the free functions are the
only exported ones whose indirect calls matter (they reach the free hook).
With --check, compares with the allow-list and exits 1 on a difference.
"""
import glob
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SINKS = {"mlops__malloc", "mlops__realloc"}


def call_graph(build):
    cmds = json.load(open(os.path.join(build, "compile_commands.json")))
    edges = {}
    with tempfile.TemporaryDirectory() as scratch:
        for i, c in enumerate(x for x in cmds if "libmlops_internal" in x["output"]):
            args, out, skip = shlex.split(c["command"]), [], False
            for a in args:
                if skip:
                    skip = False
                    continue
                if a in ("-o", "-MF", "-MQ"):
                    skip = True
                    continue
                if a == "-MD":
                    continue
                out.append("-O0" if a.startswith("-O") else a)
            out += ["-fcallgraph-info", "-o", os.path.join(scratch, f"f{i}.o")]
            subprocess.run(out, check=True, cwd=c["directory"])
        for f in glob.glob(os.path.join(scratch, "*.ci")):
            for m in re.finditer(r'edge: \{ sourcename: "([^"]+)" targetname: "([^"]+)"',
                                 open(f).read()):
                edges.setdefault(m.group(1), set()).add(m.group(2))
    return edges


def main(argv):
    if len(argv) not in (2, 4) or (len(argv) == 4 and argv[2] != "--check"):
        sys.exit(__doc__)
    edges = call_graph(argv[1])
    text = re.sub(r"/\*.*?\*/", "", open(os.path.join(ROOT, "src", "libmlops.map")).read(),
                  flags=re.S)
    public = set(re.findall(r"^\s*(mlops_\w+)\s*;", text, flags=re.M))
    memo = {}

    def reaches(n, stack=frozenset()):
        if n in SINKS:
            return True
        if n in memo:
            return memo[n]
        if n in stack:
            return False
        r = any(reaches(t, stack | {n}) for t in edges.get(n, ()))
        memo[n] = r
        return r

    never = sorted(p for p in public if not reaches(p))
    if len(argv) == 2:
        print("\n".join(never))
        return 0
    listed = set()
    for line in open(argv[3]):
        line = line.split("#", 1)[0].strip()
        if line:
            listed.add(line.split()[0])
    bad = 0
    for n in sorted(listed - set(never)):
        print(f"{n}: allow-listed, but the call graph reaches the allocator")
        bad = 1
    for n in sorted(set(never) - listed):
        print(f"{n}: never allocates per the call graph; allow-list it (or cover it)")
    return bad


if __name__ == "__main__":
    sys.exit(main(sys.argv))
