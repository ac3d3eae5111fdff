#!/usr/bin/env python3
"""Every function of the stable tier is called by the C tests, by the Python
binding and by the Go binding (comments do not count), so that nothing the
stable tier promises is untested or out of a binding's reach.

usage: check_tier_use.py SOURCE_ROOT
"""
import pathlib
import re
import sys

sys.path.insert(0, str(pathlib.Path(__file__).parent))
from check_conventions import parse_headers  # noqa: E402


def calls(paths, pattern, strip):
    names = set()
    for p in paths:
        text = p.read_text(errors="replace")
        text = strip(text)
        names.update(re.findall(pattern, text))
    return names


def c_strip(text):
    return re.sub(r"/\*.*?\*/|//[^\n]*", "", text, flags=re.S)


def py_strip(text):
    return re.sub(r"#[^\n]*", "", text)


def main():
    root = pathlib.Path(sys.argv[1])
    decls = parse_headers(root / "include")[0]
    stable = sorted(d.name for d in decls if not d.experimental)
    users = {
        "C tests (tests/unit)": calls(sorted((root / "tests" / "unit").glob("*.c")),
                                      r"\b(mlops_\w+)\s*\(", c_strip),
        "Python binding": calls(sorted((root / "bindings" / "python" / "libmlops").glob("*.py")),
                                r"\b(?:_?C|cdll)\.(mlops_\w+)\b", py_strip),
        "Go binding": calls([p for p in sorted((root / "bindings" / "go").glob("*.go"))
                             if not p.name.endswith("_test.go")] +
                            [root / "bindings" / "go" / "bridge.c"],
                            r"\b(?:C\.)?(mlops_\w+)\s*\(", c_strip),
    }
    ok = True
    for who, called in users.items():
        missing = [n for n in stable if n not in called]
        if missing:
            ok = False
            print(f"{len(missing)} stable function(s) never called by the {who}:")
            for n in missing:
                print(f"  {n}")
    print(f"{len(stable)} stable functions: " + ("each called by the C tests and both bindings"
                                                if ok else "FAILED"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
