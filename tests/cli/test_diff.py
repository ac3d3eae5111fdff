"""`mlops diff`: honest counts, dataset and code changes, the relation in words.

Two manifests are written from known bytes (hashlib digests; the subject is the
SHA-256 of the canonical files list, RFC 8785, which json.dumps gives for
these ASCII, integer-only values); the expected lists are written out here.
"""
import hashlib
import json
import os
import subprocess

CLI = os.environ.get("MLOPS_CLI", "mlops")


def run(*args):
    return subprocess.run([CLI, *args], capture_output=True, text=True, errors="replace")


def h(b):
    return hashlib.sha256(b).hexdigest()


def canonical(v):
    return json.dumps(v, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def manifest(path, name, version, files, datasets=None, code=None, parent=None):
    """Write a manifest; returns its statement digest (SHA-256 of the canonical bytes)."""
    files = sorted(files, key=lambda f: f["path"].encode())
    pred = {"name": name, "version": version, "created": "2026-01-01T00:00:00Z", "files": files}
    if datasets:
        pred["datasets"] = datasets
    if code:
        pred["code"] = code
    if parent:
        pred["parent"] = parent
    stmt = {"_type": "https://in-toto.io/Statement/v1",
            "predicateType": "https://libmlops.dev/manifest/v1",
            "subject": [{"name": f"{name}@{version}", "digest": {"sha256": h(canonical(files).encode())}}],
            "predicate": pred}
    path.write_text(json.dumps(stmt, indent=2))
    return h(canonical(stmt).encode())


def f(path, content, **extra):
    return dict({"path": path, "size": len(content), "digest": {"sha256": h(content)}}, **extra)


def pair(tmp_path):
    a_files = [f("same.bin", b"same", role="model"), f("role.bin", b"role", role="model"),
               f("media.bin", b"media"), f("gone.txt", b"gone")]
    b_files = [f("same.bin", b"same", role="model"), f("role.bin", b"role", role="doc"),
               f("media.bin", b"media", mediaType="text/plain"),
               f("new1", b"1"), f("new2", b"2"), f("new3", b"3")]
    ds = lambda train: [{"name": "train", "uri": "s3://t", "role": "train", "digest": {"sha256": h(train)}},
                        {"name": "eval", "uri": "s3://e", "digest": {"sha256": h(b"eval")}}]
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    da = manifest(a, "fraud", "1.0.0", a_files, ds(b"train-v1"), {"uri": "https://git/x", "commit": "0" * 40})
    manifest(b, "fraud", "1.1.0", b_files, ds(b"train-v2"), {"uri": "https://git/x", "commit": "1" * 40},
             parent={"name": "fraud", "version": "1.0.0", "digest": {"sha256": da}})
    return str(a), str(b)


def test_diff_json_counts_each_kind_and_lists_datasets_and_code(tmp_path):
    a, b = pair(tmp_path)
    r = run("diff", "--json", a, b)
    assert r.returncode == 0, r.stderr
    j = json.loads(r.stdout)
    assert j["relation"] == "b-child-of-a"  # the machine value stays stable
    files = j["files"]
    assert {k: files[k] for k in ("added", "removed", "changed", "unchanged")} == \
        {"added": 3, "removed": 1, "changed": 2, "unchanged": 1}
    assert [(e["path"], e["change"], e.get("fields")) for e in files["entries"]] == [
        ("gone.txt", "removed", None), ("media.bin", "changed", ["mediaType"]),
        ("new1", "added", None), ("new2", "added", None), ("new3", "added", None),
        ("role.bin", "changed", ["role"])]
    ds = j["datasets"]
    assert (ds["added"], ds["removed"], ds["changed"], ds["unchanged"]) == (0, 0, 1, 1)
    assert ds["entries"] == [{"name": "train", "change": "changed", "fields": ["digest"],
                              "old": {"uri": "s3://t", "role": "train", "sha256": h(b"train-v1")},
                              "new": {"uri": "s3://t", "role": "train", "sha256": h(b"train-v2")}}]
    assert j["code"] == {"change": "changed", "fields": ["commit"],
                         "old": {"uri": "https://git/x", "commit": "0" * 40},
                         "new": {"uri": "https://git/x", "commit": "1" * 40}}


def test_diff_text_counts_each_kind_and_says_the_relation_in_words(tmp_path):
    a, b = pair(tmp_path)
    r = run("diff", a, b)
    assert r.returncode == 0, r.stderr
    out = r.stdout
    assert out.startswith("fraud 1.0.0 -> fraud 1.1.0\nrelation: 1.1.0 is a child of 1.0.0\n")
    assert "b-child-of-a" not in out
    assert "\nfiles: 3 added, 1 removed, 2 changed, 1 unchanged\n" in out
    assert "\ndatasets: 0 added, 0 removed, 1 changed, 1 unchanged\n" in out
    row = next(l for l in out.splitlines() if l.lstrip().startswith("~ train"))
    assert h(b"train-v1")[:12] in row and h(b"train-v2")[:12] in row and "(changed: digest)" in row
    row = next(l for l in out.splitlines() if l.lstrip().startswith("~ role.bin"))
    assert "role model -> doc" in row and "(changed: role)" in row
    row = next(l for l in out.splitlines() if l.lstrip().startswith("~ media.bin"))
    assert "media type - -> text/plain" in row
    assert f"\ncode: changed: commit {'0' * 40} -> {'1' * 40}\n" in out
    r = run("diff", b, a)
    assert "relation: 1.1.0 is a child of 1.0.0" in r.stdout
    assert "\nfiles: 1 added, 3 removed, 2 changed, 1 unchanged\n" in r.stdout
    r = run("diff", a, a)
    assert "relation: the same statement" in r.stdout
    assert "\nfiles: 0 added, 0 removed, 0 changed, 4 unchanged\n" in r.stdout


def test_diff_of_unrelated_models_names_both(tmp_path):
    x, y = tmp_path / "x.json", tmp_path / "y.json"
    manifest(x, "alpha", "1.0.0", [f("w", b"w")])
    manifest(y, "beta", "2.0.0", [f("w", b"w")])
    r = run("diff", str(x), str(y))
    assert r.returncode == 0
    assert "relation: none" in r.stdout
    assert "\ncode: none on either side\n" in r.stdout
    assert json.loads(run("diff", "--json", str(x), str(y)).stdout)["relation"] == "unrelated"


def test_a_diff_of_metadata_only_says_what_changed(tmp_path):
    """Two statements with the same files, datasets, code, parameters and
    metrics but another description, framework and annotations: the diff
    used to report nothing but the version line."""
    files = [f("w.bin", b"w", role="model")]
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    manifest(a, "fraud", "1.0.0", files)
    manifest(b, "fraud", "1.0.1", files)
    stmt = json.loads(b.read_text())
    stmt["predicate"]["description"] = "retrained"
    stmt["predicate"]["framework"] = {"name": "onnx", "version": "1.17"}
    stmt["predicate"]["annotations"] = {"ticket": "X-1"}
    b.write_text(json.dumps(stmt))
    r = run("diff", str(a), str(b), "--json")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["metadata"] == {"changed": ["description", "framework", "annotations"]}
    assert doc["files"]["unchanged"] == 1 and not doc["files"]["entries"]
    r = run("diff", str(a), str(b))
    assert "metadata: description, framework, annotations changed" in r.stdout
    r = run("diff", str(a), str(a), "--json")
    assert json.loads(r.stdout)["metadata"] == {"changed": []}
    assert "metadata: unchanged" in run("diff", str(a), str(a)).stdout
