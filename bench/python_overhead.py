#!/usr/bin/env python3
"""Per-call overhead of the Python binding, next to hashlib in the same run.

Each contender is timed with timeit over N calls, R times, the contenders
interleaved round by round so machine noise hits them alike; the table gives
the median time per call in microseconds and the ratio to hashlib.

usage: MLOPS_LIBRARY=build/test/src/libmlops.so.0 python3 bench/python_overhead.py [N] [R]
"""

from __future__ import annotations

import ctypes
import ctypes.util
import hashlib
import os
import statistics
import sys
import timeit

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "..", "bindings", "python"))

import libmlops as mlops  # noqa: E402
from libmlops._lib import C  # noqa: E402

N = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
R = int(sys.argv[2]) if len(sys.argv) > 2 else 7

tiny = b"x" * 64
version = mlops.library_version
sha = mlops.sha256
raw_version = C.mlops_version
raw_digest = C.mlops_digest_buffer
raw_out = (ctypes.c_ubyte * 32)()

# The same OpenSSL one-shot call the library makes (EVP_Digest with an implicit
# EVP_sha256() fetch), straight through ctypes: the C work inside mlops.sha256.
_crypto_name = ctypes.util.find_library("crypto")
crypto = ctypes.CDLL(_crypto_name) if _crypto_name else None
if crypto is not None:
    crypto.EVP_sha256.restype = ctypes.c_void_p
    crypto.EVP_Digest.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_void_p,
                                  ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p]
    _md_len = ctypes.c_uint()

    def evp_digest() -> None:
        crypto.EVP_Digest(tiny, 64, raw_out, ctypes.byref(_md_len), crypto.EVP_sha256(), None)

    # ... and with the algorithm fetched once, as hashlib does.
    crypto.EVP_MD_fetch.restype = ctypes.c_void_p
    crypto.EVP_MD_fetch.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p]
    _fetched = crypto.EVP_MD_fetch(None, b"SHA256", None)

    def evp_digest_fetched() -> None:
        crypto.EVP_Digest(tiny, 64, raw_out, ctypes.byref(_md_len), _fetched, None)
h256 = hashlib.sha256


def noop() -> None:
    pass


CONTENDERS = [
    ("python: empty function call", lambda: noop()),
    ("ctypes: C.mlops_version() (raw table entry)", lambda: raw_version()),
    ("mlops.library_version()", lambda: version()),
    ("hashlib.sha256(b'') object", lambda: h256(b"")),
    ("ctypes: C.mlops_digest_buffer(64 B) (raw entry)", lambda: raw_digest(raw_out, tiny, 64)),
    ("mlops.sha256(64 B) -> 'sha256:<hex>'", lambda: sha(tiny)),
    ("hashlib.sha256(64 B).hexdigest()", lambda: h256(tiny).hexdigest()),
    ("mlops.sha256(bytearray 64 B) (buffer protocol)", lambda: sha(bytearray_tiny)),
    ("mlops.sha256(read-only memoryview 64 B)", lambda: sha(readonly_tiny)),
    ("mlops.SemVer('1.4.0-rc.1') parse + free", lambda: mlops.SemVer("1.4.0-rc.1")),
    ("mlops.compare_versions(str, str)", lambda: mlops.compare_versions("1.0.0-rc.1", "1.0.0")),
    ("mlops.parse_timestamp(...)", lambda: mlops.parse_timestamp("2024-05-01T12:00:00.25Z")),
]
bytearray_tiny = bytearray(tiny)
readonly_tiny = memoryview(b"y" + tiny)[1:]
if crypto is not None:
    CONTENDERS.insert(5, ("ctypes: libcrypto EVP_Digest(EVP_sha256()) 64 B", evp_digest))
    CONTENDERS.insert(6, ("ctypes: libcrypto EVP_Digest(fetched MD) 64 B", evp_digest_fetched))


def main() -> None:
    assert sha(tiny) == "sha256:" + h256(tiny).hexdigest()
    samples = {name: [] for name, _ in CONTENDERS}
    for _ in range(R):
        for name, fn in CONTENDERS:
            samples[name].append(timeit.timeit(fn, number=N) / N * 1e6)
    med = {name: statistics.median(v) for name, v in samples.items()}
    print(f"python {sys.version.split()[0]}, libmlops {mlops.library_version()} "
          f"({mlops.library_path()}), {N} calls x {R} rounds, median us/call")
    print(f"{'call':<50} {'us/call':>8} {'spread':>14}")
    for name, _ in CONTENDERS:
        lo, hi = min(samples[name]), max(samples[name])
        print(f"{name:<50} {med[name]:8.3f} {lo:6.3f}..{hi:6.3f}")
    base = med["python: empty function call"]
    print()
    print(f"binding overhead of a trivial call (library_version - empty call): "
          f"{med['mlops.library_version()'] - base:.3f} us")
    sha_name = "mlops.sha256(64 B) -> 'sha256:<hex>'"
    print(f"wrapper cost of mlops.sha256 (mlops.sha256 - raw C call): "
          f"{med[sha_name] - med['ctypes: C.mlops_digest_buffer(64 B) (raw entry)']:.3f} us")
    print(f"mlops.sha256 / hashlib (64 B, hex string): "
          f"{med[sha_name] / med['hashlib.sha256(64 B).hexdigest()']:.2f}")


if __name__ == "__main__":
    main()
