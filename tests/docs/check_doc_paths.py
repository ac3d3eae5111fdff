#!/usr/bin/env python3
"""Every file path the documentation names exists.

Reads README.md, the binding READMEs and every Markdown file under docs/ and
checks, against the source tree:

- each relative Markdown link target ([text](path), anchors and URLs aside),
  relative to the page;
- each path in a code span or in running text that starts with a top-level
  folder or file of the repository (src/, include/, tests/, docs/, bindings/,
  examples/, bench/, scripts/, abi/, cmake/, README.md, meson.build, ...);
- each upper-case page name (`CHANGELOG.md`): at the top or beside the page;
- each page a comment of src/, include/ or tests/ names (`docs/json.md`,
  `CHANGELOG.md`);
- each bare source file name in a code span (`drift_special.c`, `detect.h`,
  `check_numfmt.py`): some file of that name exists in the tree.

A binding's README may name a path from its own folder
(bindings/python/README.md: `tests/test_api.py`); a built program is named
by its source without the extension (`bench/bench_digest` is
bench/bench_digest.c). Paths under build/ (made by a build), with a wildcard
or a placeholder (`*`, `<name>`, `{a,b}`, `…`, `NAME`, a trailing `_` as in
`tests/unit/test_*`), release tags (`bindings/go/v0.1.0`) and URLs are not
files to check.

usage: check_doc_paths.py SOURCE_ROOT
"""
import os
import re
import subprocess
import sys

TOP = ("src", "include", "tests", "docs", "bindings", "examples", "bench", "scripts",
       "abi", "cmake")
TOP_FILES = ("README.md", "CHANGELOG.md", "meson.build", "meson_options.txt", "LICENSE")
SOURCE_EXT = (".c", ".h", ".py", ".go", ".sh")

PATH_RE = re.compile(r"(?<![\w./-])((?:%s)/[A-Za-z0-9_.+/-]*[A-Za-z0-9_/])" % "|".join(TOP))
FILE_RE = re.compile(r"(?<![\w./-])(%s)(?![\w-])" % "|".join(re.escape(f) for f in TOP_FILES))
SPAN_RE = re.compile(r"`([^`\n]+)`")
LINK_RE = re.compile(r"\]\(([^)\s]+)\)")
UPPER_MD_RE = re.compile(r"(?<![\w./-])([A-Z][A-Z0-9_-]+\.md)(?![\w-])")
BARE_RE = re.compile(r"^[A-Za-z0-9_.+-]+(%s)$" % "|".join(re.escape(e) for e in SOURCE_EXT))


def tracked(root):
    try:
        out = subprocess.run(["git", "-C", root, "ls-files", "--cached", "--others",
                              "--exclude-standard"], check=True,
                             capture_output=True, text=True).stdout.split("\n")
        files = [f for f in out if f]
    except (OSError, subprocess.CalledProcessError):
        files = []
        for d, dirs, names in os.walk(root):
            dirs[:] = [x for x in dirs if x not in (".git", "build")]
            files += [os.path.relpath(os.path.join(d, n), root) for n in names]
    return files


def pages(root):
    out = ["README.md", "bindings/python/README.md", "bindings/go/README.md",
           "bindings/go/cmd/mlops-gate/README.md"]
    for d, _, names in os.walk(os.path.join(root, "docs")):
        out += [os.path.relpath(os.path.join(d, n), root) for n in names if n.endswith(".md")]
    return sorted(p for p in set(out) if os.path.isfile(os.path.join(root, p)))


def skip(path):
    return (path.startswith("build/") or "/build/" in path or any(c in path for c in "*<>{}…$")
            or path.endswith("_") or re.search(r"/v(\d+|X)\.", path) is not None
            or re.search(r"/[A-Z_]{3,}(/|$|\.)", path) is not None)


def main():
    root = sys.argv[1]
    files = tracked(root)
    known = set(files)
    dirs = {os.path.dirname(f) for f in files}
    for f in list(dirs):
        while f:
            f = os.path.dirname(f)
            dirs.add(f)
    basenames = {os.path.basename(f) for f in files}

    def exists(path, page=""):
        path = os.path.normpath(path).rstrip("/")
        here = os.path.normpath(os.path.join(os.path.dirname(page), path))
        for p in (path, here) if page.startswith("bindings/") else (path,):
            if p in known or p in dirs or any(p + ext in known for ext in (".c", ".go")):
                return True
        return False

    missing = []
    for page in pages(root):
        text = open(os.path.join(root, page), encoding="utf-8").read()
        for n, line in enumerate(text.split("\n"), 1):
            for target in LINK_RE.findall(line):
                target = target.split("#", 1)[0]
                if not target or re.match(r"^[a-z]+:", target) or skip(target):
                    continue
                rel = os.path.normpath(os.path.join(os.path.dirname(page), target))
                if not exists(rel):
                    missing.append((page, n, target))
            for name in UPPER_MD_RE.findall(line):
                if not exists(name, page) and not exists(
                        os.path.join(os.path.dirname(page), name)):
                    missing.append((page, n, name))
            for path in PATH_RE.findall(line) + FILE_RE.findall(line):
                path = path.rstrip(".")
                if not skip(path) and not exists(path, page):
                    missing.append((page, n, path))
            for span in SPAN_RE.findall(line):
                span = span.strip()
                if BARE_RE.match(span) and span not in basenames:
                    missing.append((page, n, span))
    # The code points at the documentation too: a page named in a comment of
    # src/, include/ or tests/ (`docs/formats/overview.md`, `CHANGELOG.md`)
    # exists.
    for f in files:
        if not f.startswith(("src/", "include/", "tests/")) or not f.endswith(
                (".c", ".h", ".py", ".go", ".sh", "meson.build")) or f.startswith(
                    ("tests/vectors/", "tests/docs/")):
            continue
        try:
            text = open(os.path.join(root, f), encoding="utf-8").read()
        except (OSError, UnicodeDecodeError):
            continue
        for n, line in enumerate(text.split("\n"), 1):
            for name in UPPER_MD_RE.findall(line):
                if not any(exists(p) for p in (name, os.path.join(os.path.dirname(f), name),
                                                os.path.join("docs", name))):
                    missing.append((f, n, name))
            for path in re.findall(r"(?<![\w./-])(docs/[A-Za-z0-9_./-]*[A-Za-z0-9_])", line):
                if not skip(path) and not exists(path):
                    missing.append((f, n, path))
    for page, n, path in missing:
        print(f"{page}:{n}: {path}: no such file in the tree", file=sys.stderr)
    if missing:
        print(f"{len(missing)} path(s) named in the documentation do not exist", file=sys.stderr)
        return 1
    print(f"every path named in {len(pages(root))} pages exists")
    return 0


if __name__ == "__main__":
    sys.exit(main())
