"""`mlops store list|resolve|rm|retain`: SemVer order, `latest`, removal and retention.

The expected order is SemVer 2.0.0's own (section 11: 1.0.0-alpha < 1.0.0-alpha.1
< 1.0.0-alpha.beta < 1.0.0-beta < 1.0.0-beta.2 < 1.0.0-beta.11 < 1.0.0-rc.1 <
1.0.0), with 1.2.0 < 1.10.0; what `gc` frees is checked against a listing of the
blobs directory taken before and after, and each blob against hashlib.
"""
import hashlib
import json
import os
import subprocess

CLI = os.environ.get("MLOPS_CLI", "mlops")

ORDER = ["1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2",
         "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "1.2.0", "1.10.0"]


def run(*args):
    return subprocess.run([CLI, *args], capture_output=True, text=True, errors="replace")


def blobs(store):
    d = store / "blobs" / "sha256"
    out = set()
    for p in d.iterdir():
        if not p.name.startswith("."):
            assert hashlib.sha256(p.read_bytes()).hexdigest() == p.name
            out.add(p.name)
    return out


def make_store(tmp_path):
    store = tmp_path / "store"
    for v in reversed(ORDER):  # added in the reverse order on purpose
        src = tmp_path / f"src-{v}"
        src.mkdir()
        (src / "card.txt").write_text(f"model {v}\n")
        pkg = tmp_path / f"m-{v}.mlpkg"
        r = run("pack", str(src), "-o", str(pkg), "--name", "m", "--version", v,
                "--created", "2026-12-01T00:00:00Z")
        assert r.returncode == 0, r.stderr
        r = run("store", "add", str(store), str(pkg), "--allow-unsigned")
        assert r.returncode == 0, r.stderr
    return store


def listed(store):
    r = run("store", "list", "--json", str(store))
    assert r.returncode == 0, r.stderr
    return [t["tag"] for t in json.loads(r.stdout)]


def test_list_resolve_remove_retain(tmp_path):
    store = make_store(tmp_path)
    assert listed(store) == [f"m:{v}" for v in ORDER]

    latest = run("store", "resolve", str(store), "m:latest")
    top = run("store", "resolve", str(store), "m:1.10.0")
    assert latest.returncode == 0 and latest.stdout == top.stdout
    r = run("store", "alias", str(store), "m", "latest", "1.0.0")
    assert r.returncode == 2 and "latest" in r.stderr

    assert run("store", "alias", str(store), "m", "production", "1.2.0").returncode == 0
    r = run("store", "rm", str(store), "m:1.2.0")
    assert r.returncode == 2 and "m:production" in r.stderr
    assert run("store", "rm", str(store), "m:7.7.7").returncode == 2

    before = blobs(store)
    r = run("store", "rm", "--json", str(store), "m:1.0.0-alpha")
    assert r.returncode == 0 and json.loads(r.stdout) == {"removed": "m:1.0.0-alpha"}
    assert listed(store) == [f"m:{v}" for v in ORDER[1:]]
    assert blobs(store) == before  # only gc frees blobs
    r = run("store", "gc", "--json", str(store))
    assert r.returncode == 0
    freed = before - blobs(store)
    assert json.loads(r.stdout) == {"removed": len(freed)} and len(freed) == 4

    r = run("store", "retain", "--json", str(store), "--keep", "2", "--dry-run")
    assert r.returncode == 0, r.stderr
    would = json.loads(r.stdout)
    assert would == {"dry_run": True, "removed": [f"m:{v}" for v in ORDER[1:8]]}
    assert listed(store) == [f"m:{v}" for v in ORDER[1:]]
    r = run("store", "retain", str(store), "--keep", "2")
    assert r.returncode == 0 and "7 versions removed" in r.stdout, r.stdout
    assert listed(store) == ["m:1.2.0", "m:1.10.0"]
    assert run("store", "check", str(store)).returncode == 0
    assert run("store", "retain", str(store)).returncode == 2  # --keep is required
    assert run("store", "rm", str(store), "m:1.10.0", "--keep", "1").returncode == 2
