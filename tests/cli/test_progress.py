"""Progress bars of pack, verify, extract, store add and digest.

Under a pseudo-terminal (Python's pty module) every long command shows a bar,
and a bar is redrawn only when its whole percentage changes (at most 101 draws,
percentages strictly increasing), then cleared; without a terminal there is no
bar at all. The package is ~96 MiB of a sparse file, above the 32 MiB below
which no bar is drawn.
"""
import os
import pty
import re
import subprocess

import pytest

CLI = os.environ.get("MLOPS_CLI", "mlops")
SIZE = 96 << 20


def run_pty(*args):
    """Run with stderr on a pseudo-terminal; returns (exit code, stderr bytes)."""
    master, slave = pty.openpty()
    p = subprocess.Popen([CLI, *args], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=slave)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO once the child has closed its end
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    return p.wait(), b"".join(chunks)


def draws(err):
    return [int(m) for m in re.findall(rb"(\d+)%", err)]


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    d = tmp_path_factory.mktemp("progress")
    src = d / "weights.bin"
    with open(src, "wb") as f:
        f.truncate(SIZE)  # sparse: no disk for the source
    pkg = d / "big.mlpkg"
    r = subprocess.run([CLI, "pack", str(src), "-o", str(pkg), "--name", "big", "--version", "1.0.0"],
                       capture_output=True)
    assert r.returncode == 0, r.stderr
    assert pkg.stat().st_size > SIZE
    return d, src, pkg


def commands(d, src, pkg):
    return {
        "pack": ["pack", str(src), "-o", str(d / "again.mlpkg"), "--name", "big", "--version", "1.0.0",
                 "--force"],
        "verify": ["verify", "--allow-unsigned", str(pkg)],
        "extract": ["extract", "--allow-unsigned", str(pkg), str(d / "out")],
        "store add": ["store", "add", str(d / "store"), str(pkg), "--allow-unsigned"],
        "digest": ["digest", str(src)],
    }


@pytest.mark.parametrize("name", ["pack", "verify", "extract", "store add", "digest"])
def test_a_terminal_gets_one_bounded_bar(big, name):
    d, src, pkg = big
    args = commands(d, src, pkg)[name]
    subprocess.run(["rm", "-rf", str(d / "out"), str(d / "store")], check=True)
    rc, err = run_pty(*args)
    assert rc == 0, err
    pct = draws(err)
    assert pct, f"{name}: no progress bar on a terminal"
    assert len(pct) <= 101, f"{name}: {len(pct)} redraws"
    assert all(a < b for a, b in zip(pct, pct[1:])), f"{name}: a percentage drawn twice: {pct}"
    assert err.count(b"\r") <= 103
    # the bar's line is cleared at the end: nothing after the last carriage return
    last = err.rstrip(b"\n").rsplit(b"\r", 1)[-1]
    assert last.strip() == b"" or b"%" not in last


@pytest.mark.parametrize("name", ["pack", "verify", "extract", "store add", "digest"])
def test_no_terminal_no_bar(big, name):
    d, src, pkg = big
    subprocess.run(["rm", "-rf", str(d / "out"), str(d / "store")], check=True)
    r = subprocess.run([CLI, *commands(d, src, pkg)[name]], capture_output=True)
    assert r.returncode == 0, r.stderr
    assert b"\r" not in r.stderr and not draws(r.stderr)
