"""No leak over 100,000 create/free cycles: resident memory stays flat.

RSS is read from /proc/self/statm (resident pages). Each scenario is warmed up
first so allocator pools reach their steady size, then run 100,000 times; a
leak of even one small C allocation per cycle would add several MiB.
"""

from __future__ import annotations

import gc
import os
from pathlib import Path

import pytest

import mlops

CYCLES = 100_000
# 100,000 leaked 32-byte blocks would be ~4.6 MiB with malloc's overhead.
TOLERANCE = 1 << 20

pytestmark = pytest.mark.skipif(not Path("/proc/self/statm").exists(), reason="needs /proc")


def rss() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def growth(step, cycles: int = CYCLES) -> int:
    for _ in range(cycles // 10):
        step()
    gc.collect()
    before = rss()
    for _ in range(cycles):
        step()
    gc.collect()
    return rss() - before


def test_semver_create_free_does_not_leak():
    def step():
        v = mlops.SemVer("1.4.0-rc.1+build.5")
        assert v.major == 1

    assert growth(step) < TOLERANCE


def test_digest_create_use_close_does_not_leak():
    data = bytearray(b"x" * 100)

    def step():
        with mlops.Digest(data) as d:
            d.digest()

    assert growth(step) < TOLERANCE


def test_digest_collected_without_close_does_not_leak():
    def step():
        mlops.Digest(b"abc")

    assert growth(step) < TOLERANCE


def test_buffer_export_and_errors_do_not_leak():
    view = memoryview(bytearray(b"y" * 64))
    read_only = memoryview(b"z" * 80)[8:72]

    def step():
        mlops.sha256(view)
        mlops.sha256(read_only)
        try:
            mlops.SemVer("01.0.0")
        except mlops.ParseError:
            pass

    assert growth(step) < TOLERANCE


def test_file_hash_with_callback_does_not_leak(tmp_path):
    path = tmp_path / "f"
    path.write_bytes(b"z" * 100)

    def step():
        mlops.sha256_file(path, progress=lambda d, t: None)

    assert growth(step, 20_000) < TOLERANCE
