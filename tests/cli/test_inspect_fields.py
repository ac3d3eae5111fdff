"""`mlops inspect`: every field of the manifest vectors, as Python's json and
hashlib read them (tests/vectors/manifest/*.json), on its line of the output.

The CLI reads manifests through the library's read-only info structs; this
pins that nothing read that way is lost or respelled (digests: "sha256:" and
64 hex for the statement, tree and parent; the first 16 hex of a file's).
"""
import hashlib
import json
import os
import re
import subprocess

CLI = os.environ.get("MLOPS_CLI", "mlops")
VECTORS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "vectors", "manifest")


def run(*args):
    return subprocess.run([CLI, *args], capture_output=True, text=True, errors="replace")


def canonical(v):
    return json.dumps(v, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def check_inspect(name):
    path = os.path.join(VECTORS, name)
    raw = open(path, "rb").read()
    stmt = json.loads(raw)
    pred = stmt["predicate"]
    r = run("inspect", path)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    out = r.stdout
    assert lines[0] == f"{pred['name']} {pred['version']}"
    assert f"created      {pred['created']}\n" in out
    if "description" in pred:
        assert f"description  {pred['description']}\n" in out
    if "framework" in pred:
        assert f"framework    {pred['framework']['name']} {pred['framework']['version']}\n" in out
    # the vectors are canonical: the statement digest is the file's SHA-256
    assert canonical(stmt).encode() == raw
    assert f"statement    sha256:{hashlib.sha256(raw).hexdigest()}\n" in out
    tree = hashlib.sha256(canonical(pred["files"]).encode()).hexdigest()
    assert tree == stmt["subject"][0]["digest"]["sha256"]
    assert f"tree         sha256:{tree}\n" in out
    if "parent" in pred:
        p = pred["parent"]
        assert f"parent       {p['name']} {p['version']} (sha256:{p['digest']['sha256']})\n" in out
    else:
        assert "\nparent " not in out
    if "code" in pred:
        assert f"code         {pred['code']['uri']} @ {pred['code']['commit']}\n" in out
    assert f"\nfiles ({len(pred['files'])})\n" in out
    for f in pred["files"]:
        shards = f"  ({len(f['shards'])} shards)" if "shards" in f else ""
        pattern = (r"^  " + re.escape(f["path"]) + r" +\S+ \S+  " + re.escape(f.get("role", "-"))
                   + r" +" + f["digest"]["sha256"][:16] + "…" + re.escape(shards) + "$")
        assert any(re.match(pattern, line) for line in lines), (f["path"], out)
    for d in pred.get("datasets", []):
        assert any(re.match(r"^  " + re.escape(d["name"]) + r" +" + re.escape(d.get("role", "-")) + r" +"
                            + re.escape(d.get("uri", "-")) + "$", line) for line in lines), d
    for k, v in pred.get("parameters", {}).items():
        assert any(re.match(r"^  " + re.escape(k) + r" +" + re.escape(canonical(v)) + "$", line)
                   for line in lines), k
    for k, v in pred.get("metrics", {}).items():
        assert any(re.match(r"^  " + re.escape(k) + r" +" + re.escape(repr(v)) + "$", line)
                   for line in lines), k
    for k, v in pred.get("annotations", {}).items():
        assert any(re.match(r"^  " + re.escape(k) + r" +" + re.escape(v) + "$", line) for line in lines), k


def test_inspect_prints_every_field_of_the_child():
    check_inspect("child.json")


def test_inspect_prints_every_field_of_the_parent():
    check_inspect("parent.json")


def test_diff_prints_the_oracle_rows():
    """`mlops diff parent child` against diff.json (make_expected.py)."""
    want = json.load(open(os.path.join(VECTORS, "diff.json")))
    r = run("diff", os.path.join(VECTORS, "parent.json"), os.path.join(VECTORS, "child.json"))
    assert r.returncode == 0, r.stderr
    out, lines = r.stdout, r.stdout.splitlines()
    files = want["files"]
    assert (f"files: {files['added']} added, {files['removed']} removed, {files['changed']} changed, "
            f"{files['unchanged']} unchanged\n") in out
    for e in files["entries"]:
        mark = {"added": "+", "removed": "-", "changed": "~"}[e["change"]]
        line = next(x for x in lines if re.match(r"^  " + re.escape(mark) + " " + re.escape(e["path"]) + " ", x))
        if e["change"] == "added":
            assert line.endswith(f" {e['new']['size']} bytes (added)")
        elif e["change"] == "removed":
            assert line.endswith(f" {e['old']['size']} bytes (removed)")
        else:
            if "digest" in e["fields"]:
                assert f" sha256 {e['old']['sha256'][:12]}… -> {e['new']['sha256'][:12]}…" in line
            if "size" in e["fields"]:
                assert f" {e['old']['size']} -> {e['new']['size']} bytes" in line
            assert line.endswith(f" (changed: {', '.join(e['fields'])})")
    ds = want["datasets"]
    assert (f"datasets: {ds['added']} added, {ds['removed']} removed, {ds['changed']} changed, "
            f"{ds['unchanged']} unchanged\n") in out
    for e in ds["entries"]:
        side = e["new"] if e["change"] == "added" else e["old"]
        mark = "+" if e["change"] == "added" else "-"
        tail = (f" {side['uri']}" if "uri" in side else "") + (
            f" sha256 {side['sha256'][:12]}…" if "sha256" in side else "") + f" ({e['change']})"
        assert any(x.startswith(f"  {mark} {e['name']}") and x.endswith(tail) for x in lines), e
    code = want["code"]
    assert (f"code: changed: commit {code['old']['commit']} -> {code['new']['commit']}\n") in out
    for p in want["parameters"]:
        mark = {"added": "+", "removed": "-", "changed": "~"}[p["change"]]
        old = "-" if p["old"] is None else canonical(p["old"])
        new = "-" if p["new"] is None else canonical(p["new"])
        assert any(re.match(r"^  " + re.escape(mark) + " " + re.escape(p["name"]) + r" +"
                            + re.escape(f"{old} -> {new}") + "$", x) for x in lines), p
    assert f"\nmetrics ({len(want['metrics'])})\n" in out
    for mt in want["metrics"]:
        line = next(x for x in lines if re.match(r"^  " + re.escape(mt["name"]) + " ", x))
        cells = line.split()[1:]
        def cell(v, signed=False):
            return "-" if v is None else ("%+.6g" if signed else "%.6g") % v
        assert cells == [cell(mt["old"]), cell(mt["new"]), cell(mt["delta"], True),
                         cell(mt["relative"], True)], (line, mt)
