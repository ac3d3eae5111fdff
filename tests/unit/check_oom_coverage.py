#!/usr/bin/env python3
"""Every allocating public function runs under the OOM loop.

SPDX-License-Identifier: Apache-2.0

Usage: check_oom_coverage.py LIBMLOPS_MAP ALLOWLIST (TEST.c... | TESTS_DIR)

The exported functions are the names in the linker version script. A function
counts as allocating unless the allow-list (oom-noalloc.txt) names it with the
reason it never allocates (the list is derived from the call graph by
oom_callgraph.py). A function is covered when a unit test calls it from
an operation run by the OOM loop: the op passed to oom_check(), or code between
oom_fail_next(N) and oom_fail_next(0), followed through the static helpers of
the same file. The check fails when an allocating function is not covered, when
the allow-list names a function that is not exported.
"""
import glob
import os
import re
import sys

CALL = re.compile(r"\b([A-Za-z_]\w*)\s*\(")
KEYWORDS = {"if", "for", "while", "switch", "return", "sizeof", "defined", "_Alignof",
            "__typeof__", "typeof"}


def exported(map_path):
    text = re.sub(r"/\*.*?\*/", "", open(map_path).read(), flags=re.S)
    return set(re.findall(r"^\s*(mlops_\w+)\s*;", text, flags=re.M))


def allow_list(path):
    names = {}
    for no, line in enumerate(open(path), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        name = line.split()[0]
        if name in names:
            sys.exit(f"{path}:{no}: {name} listed twice")
        names[name] = no
    return names


def strip_comments_and_strings(text):
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    text = re.sub(r"//[^\n]*", " ", text)
    return re.sub(r'"(?:[^"\\\n]|\\.)*"', '""', text)


def body_of(text, name):
    """The body of the function `name` defined in `text`, or None."""
    m = re.search(r"^[A-Za-z_][\w \t\*]*\b" + re.escape(name) + r"\s*\([^;{}]*\)\s*\{",
                  text, flags=re.M)
    if not m:
        return None
    depth, i = 0, m.end() - 1
    for j in range(i, len(text)):
        if text[j] == "{":
            depth += 1
        elif text[j] == "}":
            depth -= 1
            if depth == 0:
                return text[i:j + 1]
    return None


def covered_in(path, public):
    text = strip_comments_and_strings(open(path).read())
    roots = set()
    # oom_check(name, op, cleanup, ctx, expected)
    for m in re.finditer(r"\boom_check\s*\(", text):
        depth, args, cur = 1, [], ""
        for ch in text[m.end():]:
            if ch in "([{":
                depth += 1
            elif ch in ")]}":
                depth -= 1
                if depth == 0:
                    break
            if ch == "," and depth == 1:
                args.append(cur.strip())
                cur = ""
            else:
                cur += ch
        args.append(cur.strip())
        if len(args) >= 2 and re.fullmatch(r"\w+", args[1]):
            roots.add(args[1])
    # hand-written loops: oom_fail_next(n); <code>; oom_fail_next(0);
    inline = []
    for m in re.finditer(r"\boom_fail_next\s*\(\s*(?!0\s*\))[^;]*;(.*?)\boom_fail_next\s*\(\s*0\s*\)",
                         text, flags=re.S):
        inline.append(m.group(1))
    seen, found, todo = set(), set(), list(roots)
    chunks = inline[:]
    while todo:
        fn = todo.pop()
        if fn in seen:
            continue
        seen.add(fn)
        body = body_of(text, fn)
        if body is None:
            if fn in roots:
                sys.exit(f"{path}: the OOM op {fn} is not defined in this file")
            continue
        chunks.append(body)
        for callee in CALL.findall(body):
            if callee in public:
                found.add(callee)
            elif callee not in KEYWORDS and not callee.startswith("mlops"):
                todo.append(callee)
    for chunk in inline:
        for callee in CALL.findall(chunk):
            if callee in public:
                found.add(callee)
            elif callee not in KEYWORDS and not callee.startswith("mlops") and callee not in seen:
                body = body_of(text, callee)
                if body:
                    found.update(c for c in CALL.findall(body) if c in public)
    return found


def main(argv):
    if len(argv) < 4:
        sys.exit(__doc__)
    public = exported(argv[1])
    allowed = allow_list(argv[2])
    paths = argv[3:]
    if len(paths) == 1 and os.path.isdir(paths[0]):
        paths = sorted(glob.glob(os.path.join(paths[0], "test_*.c")))
    covered = set()
    for path in paths:
        covered |= covered_in(path, public)
    errors = []
    for name in sorted(set(allowed) - public):
        errors.append(f"{argv[2]}:{allowed[name]}: {name} is not exported")
    missing = sorted(public - set(allowed) - covered)
    for name in missing:
        errors.append(f"{name}: exported, not in the allow-list, and no OOM op "
                      "(tests/unit/*.c) calls it")
    allocating = public - set(allowed)
    print(f"OOM harness coverage: {len(allocating & covered)}/{len(allocating)} allocating "
          f"public functions ({len(public)} exported, {len(allowed)} allow-listed as never "
          "allocating)", flush=True)
    for e in errors:
        print(e, file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
