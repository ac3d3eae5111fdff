#!/usr/bin/env python3
"""Convert tests/vectors/drift/*.json into the line format the C tests read.

    python3 tests/vectors/drift-txt/convert.py

Each JSON file becomes <name>.txt beside this script, one line per leaf:

    <dotted.key> <count> <value>...

Numbers are written with repr() (shortest round-trip form, so strtod reads
back the same double); non-finite values as nan, inf, -inf; strings as one
token. Lists give count = their length, scalars count = 1. Nothing else is
changed: the JSON files stay the source of truth.
"""
import glob
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.join(HERE, "..", "drift")


def token(v):
    if isinstance(v, bool):
        return "1" if v else "0"
    if isinstance(v, (int, float)):
        return repr(float(v)) if isinstance(v, float) else str(v)
    if isinstance(v, str):
        return {"nan": "nan", "inf": "inf", "-inf": "-inf"}.get(v, v.replace(" ", "_"))
    raise TypeError(v)


def leaves(prefix, obj):
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from leaves(f"{prefix}.{k}" if prefix else k, v)
    elif isinstance(obj, list):
        yield prefix, [token(v) for v in obj]
    else:
        yield prefix, [token(obj)]


def main():
    for path in sorted(glob.glob(os.path.join(SRC, "*.json"))):
        with open(path) as f:
            data = json.load(f)
        name = os.path.splitext(os.path.basename(path))[0]
        with open(os.path.join(HERE, name + ".txt"), "w") as out:
            for key, values in leaves("", data):
                out.write(f"{key} {len(values)} {' '.join(values)}\n")


if __name__ == "__main__":
    main()
