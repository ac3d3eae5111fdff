"""A package that cannot be read is an input error, and a refused package
changes nothing, not even by creating a store.

- `verify`, `extract` and `store add` of a directory (read() fails with
  EISDIR) exit 2 with MLOPS_E_IO, and `verify --json` says "valid": false
  with that error (it was MLOPS_E_INTEGRITY, exit 1: a disk error read as
  a tampered package);
- a refused first `store add` (a truncated package, a directory) into a
  directory that does not exist leaves no directory behind (it was created,
  empty, before the package was read).
Oracles: os.path, Python's json and tarfile. MLOPS_CLI names the binary.
"""
import json
import os
import subprocess
import tarfile

CLI = os.environ.get("MLOPS_CLI", "mlops")


def run(*args):
    return subprocess.run([CLI, *args], capture_output=True, text=True)


def package(tmp_path):
    model = tmp_path / "model"
    model.mkdir()
    (model / "w.bin").write_bytes(os.urandom(3000))
    out = tmp_path / "p.mlpkg"
    r = run("pack", str(model), "-o", str(out), "--name", "n", "--version", "1.0.0",
            "--created", "2026-01-01T00:00:00Z")
    assert r.returncode == 0, r.stderr
    return out


def test_a_directory_is_an_input_error_for_every_reader(tmp_path):
    d = tmp_path / "adir"
    d.mkdir()
    r = run("verify", "--json", str(d), "--allow-unsigned")
    assert r.returncode == 2, r.stderr
    doc = json.loads(r.stdout)
    # refused before a report exists: the command's error document (docs/cli.md,
    # JSON output), which is never a valid report
    assert doc.get("valid", False) is False and doc["error"]["code"] == "MLOPS_E_IO"
    assert "Is a directory" in doc["error"]["message"]
    r = run("extract", str(d), str(tmp_path / "dest"), "--allow-unsigned")
    assert r.returncode == 2 and not (tmp_path / "dest").exists()
    store = tmp_path / "store"
    r = run("store", "add", str(store), str(d), "--allow-unsigned")
    assert r.returncode == 2 and not os.path.lexists(store)


def test_a_refused_first_store_add_creates_no_store(tmp_path):
    good = package(tmp_path)
    with tarfile.open(good) as t:
        assert len(t.getmembers()) > 3  # a real package, cut in the middle below
    cut = tmp_path / "cut.mlpkg"
    data = good.read_bytes()
    cut.write_bytes(data[: len(data) // 2])
    store = tmp_path / "store"
    r = run("store", "add", str(store), str(cut), "--allow-unsigned")
    assert r.returncode == 1, r.stderr
    assert not os.path.lexists(store)
    r = run("store", "add", str(store), str(good), "--allow-unsigned")
    assert r.returncode == 0, r.stderr
    assert run("store", "check", str(store)).returncode == 0
    assert "n:1.0.0" in run("store", "list", str(store)).stdout
