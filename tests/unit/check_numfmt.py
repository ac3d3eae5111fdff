#!/usr/bin/env python3
"""The human number formatter (src/core/numfmt.c) against Python.

Every number a person reads (the command's tables, the policy and gate
explanations) is written by mlops__num_human: an integer-valued number below
2^53 exactly (Python's str(int(x))), zero as "0", anything else as Python's
f"{x:.4g}". The oracle here is Python's own formatting of the same doubles,
handed to the formatter as exact hexadecimal floats.

usage: check_numfmt.py NUMFMT_TOOL
"""
import math
import random
import subprocess
import sys


def oracle(x: float) -> str:
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    if x == 0:
        return "0"
    if x.is_integer() and abs(x) < 2.0**53:
        return str(int(x))
    return f"{x:.4g}"


def main() -> int:
    tool = sys.argv[1]
    # The numbers the explanations printed at full precision before, and
    # the edges: rounding up to a new digit, exponents, integers around 2^53,
    # subnormals, signs.
    values = [
        0.6666666666666666, 0.16666666666666663, -0.0011489999999999556,
        0.30000000000000004, 0.20000000000000004, 0.05, 0.5, 0.375, 0.8125,
        -0.0625, 1.0, -3.0, 12345.0, 123456789.0, -987654321.0, 1e15, 1e16,
        2.0**53 - 1, 2.0**53, 2.0**53 + 2, 1e21, -1e300, 99999.5, 9999.5,
        0.99995, 0.00099995, 1.00005, 1234.5, 12345.6789, 1e-5, 1.234567e-7,
        0.000165, 5e-324, 2.2250738585072014e-308, 1.7976931348623157e308,
        -0.0, 0.0, math.inf, -math.inf, math.nan,
    ]
    rng = random.Random(20261207)
    for _ in range(3000):
        kind = rng.randrange(4)
        if kind == 0:
            x = rng.uniform(-1, 1)
        elif kind == 1:
            x = math.ldexp(rng.random(), rng.randrange(-1074, 1024))
        elif kind == 2:
            x = float(rng.randrange(-10**7, 10**7))
        else:
            x = round(rng.uniform(-1e6, 1e6), rng.randrange(0, 8))
        values.append(-x if rng.random() < 0.5 else x)
    args = ["nan" if math.isnan(v) else v.hex() for v in values]
    # inf and -inf: float.hex gives "inf" and "-inf", which strtod reads
    out = subprocess.run([tool, *args], check=True, capture_output=True, text=True).stdout
    got = out.split("\n")[:-1]
    if len(got) != len(values):
        print(f"expected {len(values)} lines, got {len(got)}", file=sys.stderr)
        return 1
    bad = [(v, g, oracle(v)) for v, g in zip(values, got) if g != oracle(v)]
    for v, g, want in bad[:20]:
        print(f"{v!r}: got {g!r}, Python says {want!r}", file=sys.stderr)
    if bad:
        print(f"{len(bad)} of {len(values)} differ", file=sys.stderr)
        return 1
    print(f"{len(values)} numbers formatted as Python formats them")
    return 0


if __name__ == "__main__":
    sys.exit(main())
