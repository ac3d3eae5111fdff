#!/usr/bin/env python3
"""Independent oracle for the manifest tests.

Writes, next to this script:
  parent.json, child.json   canonical statements (RFC 8785) of two fixed versions
  expected.txt              their tree and statement digests
  diff.json                 canonical diff parent -> child, as mlops_manifest_diff_write_json
  bad/*.json + bad/cases.txt  malformed manifests with the expected error code and JSON path

It uses only the Python standard library and its own RFC 8785 writer (below),
written from the RFC and not from the library's code. The examples are ASCII
with integer sizes and short decimals, where the writer is simple to check by
hand; `sha256sum parent.json child.json` must print the statement digests of
expected.txt.

Run: python3 tests/vectors/manifest/make_expected.py
"""
import copy
import decimal
import hashlib
import math
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


# ---- RFC 8785 -------------------------------------------------------------

def es_number(x):
    """ECMAScript Number::toString for a finite double (RFC 8785 3.2.2.3)."""
    if isinstance(x, bool):
        raise TypeError
    if isinstance(x, int):
        x = float(x)
    if x == 0:
        return "0"
    if x < 0:
        return "-" + es_number(-x)
    r = repr(x)  # shortest round-trip digits
    mant, _, exp = r.partition("e")
    e = int(exp) if exp else 0
    ip, _, fp = mant.partition(".")
    digits = (ip + fp).lstrip("0")
    lead_zeros = len(ip + fp) - len((ip + fp).lstrip("0"))
    n = len(ip) + e - lead_zeros  # decimal point position relative to digits
    digits = digits.rstrip("0") or "0"
    k = len(digits)
    if k <= n <= 21:
        return digits + "0" * (n - k)
    if 0 < n <= 21:
        return digits[:n] + "." + digits[n:]
    if -6 < n <= 0:
        return "0." + "0" * (-n) + digits
    sign = "+" if n - 1 >= 0 else "-"
    if k == 1:
        return digits + "e" + sign + str(abs(n - 1))
    return digits[0] + "." + digits[1:] + "e" + sign + str(abs(n - 1))


def es_string(s):
    out = ['"']
    for ch in s:
        c = ord(ch)
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif c < 0x20:
            out.append({8: "\\b", 9: "\\t", 10: "\\n", 12: "\\f", 13: "\\r"}.get(c, "\\u%04x" % c))
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def canonical(v):
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, (int, float)):
        if isinstance(v, float) and not math.isfinite(v):
            return "null"
        return es_number(v)
    if isinstance(v, str):
        return es_string(v)
    if isinstance(v, list):
        return "[" + ",".join(canonical(x) for x in v) + "]"
    if isinstance(v, dict):
        keys = sorted(v, key=lambda k: k.encode("utf-16-be"))
        return "{" + ",".join(es_string(k) + ":" + canonical(v[k]) for k in keys) + "}"
    raise TypeError(type(v))


def sha(b):
    return hashlib.sha256(b).hexdigest()


# ---- the examples -------------------------------------------------------------

def content_digest(text):
    return sha(text.encode())


def statement(pred):
    pred = copy.deepcopy(pred)
    pred["files"].sort(key=lambda f: f["path"].encode())
    tree = sha(canonical(pred["files"]).encode())
    return {
        "_type": "https://in-toto.io/Statement/v1",
        "subject": [{"name": pred["name"] + "@" + pred["version"], "digest": {"sha256": tree}}],
        "predicateType": "https://libmlops.dev/manifest/v1",
        "predicate": pred,
    }, tree


PARENT = {
    "name": "fraud-detector",
    "version": "1.3.2",
    "created": "2026-10-01T08:30:00Z",
    "description": "Gradient-boosted fraud scorer",
    "framework": {"name": "onnx", "version": "1.17"},
    "files": [
        {"path": "model/model.onnx", "size": 1234567, "digest": {"sha256": content_digest("model v1")},
         "mediaType": "application/vnd.cncf.model.weight.v1.raw", "role": "model"},
        {"path": "config.json", "size": 512, "digest": {"sha256": content_digest("config v1")},
         "mediaType": "application/vnd.cncf.model.weight.config.v1.raw", "role": "config"},
        {"path": "tokenizer/vocab.txt", "size": 2048, "digest": {"sha256": content_digest("vocab")},
         "role": "config"},
        {"path": "extra/notes.txt", "size": 10, "digest": {"sha256": content_digest("notes")},
         "mediaType": "application/vnd.cncf.model.doc.v1.raw", "role": "doc"},
    ],
    "datasets": [
        {"name": "train-2026-09", "uri": "s3://data/fraud/train-2026-09", "role": "train",
         "digest": {"sha256": content_digest("train 09")},
         "foreignDigest": {"alg": "md5", "scheme": "dvc3", "value": "8d777f385d3dfec8815d20f7496026dc.dir"}},
    ],
    "parameters": {"learning_rate": 0.01, "max_depth": 8, "optimizer": "adam", "early_stopping": True},
    "metrics": {"auc": 0.9, "p99_latency_ms": 45.25, "f1": 0, "logloss": 0.35},
    "code": {"uri": "https://git.example/fraud.git", "commit": "0123456789abcdef0123456789abcdef01234567"},
    "annotations": {"team": "risk"},
}

SHARD = 524288
CHILD_MODEL_SIZE = 1300000


def child_pred(parent_stmt_digest):
    shards = []
    off = 0
    k = 0
    while off < CHILD_MODEL_SIZE:
        size = min(SHARD, CHILD_MODEL_SIZE - off)
        shards.append({"offset": off, "size": size, "digest": {"sha256": content_digest("model v2 shard %d" % k)}})
        off += size
        k += 1
    return {
        "name": "fraud-detector",
        "version": "1.4.0-rc.1",
        "created": "2026-11-26T09:00:00Z",
        "description": "Gradient-boosted fraud scorer, retrained on November data",
        "framework": {"name": "onnx", "version": "1.17"},
        "files": [
            {"path": "model/model.onnx", "size": CHILD_MODEL_SIZE, "digest": {"sha256": content_digest("model v2")},
             "mediaType": "application/vnd.cncf.model.weight.v1.raw", "role": "model",
             "shardSize": SHARD, "shards": shards},
            {"path": "config.json", "size": 512, "digest": {"sha256": content_digest("config v2")},
             "mediaType": "application/vnd.cncf.model.weight.config.v1.raw", "role": "config"},
            {"path": "tokenizer/vocab.txt", "size": 2048, "digest": {"sha256": content_digest("vocab")},
             "role": "config"},
            {"path": "README.md", "size": 300, "digest": {"sha256": content_digest("readme")},
             "mediaType": "application/vnd.cncf.model.doc.v1.raw", "role": "doc"},
        ],
        "datasets": [
            {"name": "train-2026-11", "uri": "s3://data/fraud/train-2026-11", "role": "train",
             "digest": {"sha256": content_digest("train 11")},
             "foreignDigest": {"alg": "md5", "scheme": "dvc3", "value": "3f2c1d5e6a7b8c9d0e1f2a3b4c5d6e7f.dir"}},
            {"name": "eval-2026-11", "uri": "s3://data/fraud/eval-2026-11", "role": "eval"},
        ],
        "parameters": {"learning_rate": 0.005, "max_depth": 8, "optimizer": "adam", "batch_size": 256},
        "metrics": {"auc": 0.912, "p99_latency_ms": 41.5, "f1": 0.5, "recall": 0.8},
        "parent": {"name": "fraud-detector", "version": "1.3.2", "digest": {"sha256": parent_stmt_digest}},
        "code": {"uri": "https://git.example/fraud.git", "commit": "89abcdef0123456789abcdef0123456789abcdef"},
        "annotations": {"team": "risk", "ticket": "FRAUD-1234"},
    }


# ---- the expected diff ----------------------------------------------------------

FIELD_ORDER = ["digest", "size", "mediaType", "role", "shards", "uri", "foreignDigest", "commit"]


def diff(a_stmt, a_digest, b_stmt, b_digest):
    a, b = a_stmt["predicate"], b_stmt["predicate"]
    fa = {f["path"]: f for f in a["files"]}
    fb = {f["path"]: f for f in b["files"]}

    def file_fields(x, y):
        shards = lambda f: (f.get("shardSize"), [s["digest"]["sha256"] for s in f.get("shards", [])])
        diff = {"digest": x["digest"] != y["digest"], "size": x["size"] != y["size"],
                "mediaType": x.get("mediaType") != y.get("mediaType"),
                "role": x.get("role") != y.get("role"), "shards": shards(x) != shards(y)}
        return [k for k in FIELD_ORDER if diff.get(k)]

    def file_side(f):
        if f is None:
            return None
        o = {"size": f["size"], "sha256": f["digest"]["sha256"]}
        for k in ("mediaType", "role"):
            if k in f:
                o[k] = f[k]
        if "shardSize" in f:
            o["shardSize"] = f["shardSize"]
            o["shards"] = len(f["shards"])
        return o

    entries, counts = [], {"unchanged": 0, "added": 0, "removed": 0, "changed": 0}
    for p in sorted(set(fa) | set(fb), key=lambda s: s.encode()):
        x, y = fa.get(p), fb.get(p)
        fields = file_fields(x, y) if x and y else None
        if x and y and not fields:
            counts["unchanged"] += 1
            continue
        change = "added" if not x else "removed" if not y else "changed"
        counts[change] += 1
        e = {"path": p, "change": change, "old": file_side(x), "new": file_side(y)}
        if fields:
            e["fields"] = fields
        entries.append(e)
    files = dict(counts)
    files["entries"] = entries

    da = {d["name"]: d for d in a.get("datasets", [])}
    db = {d["name"]: d for d in b.get("datasets", [])}

    def ds_side(d):
        if d is None:
            return None
        o = {k: d[k] for k in ("uri", "role") if k in d}
        if "digest" in d:
            o["sha256"] = d["digest"]["sha256"]
        if "foreignDigest" in d:
            o["foreignDigest"] = d["foreignDigest"]
        return o

    def ds_fields(x, y):
        diff = {"digest": x.get("digest") != y.get("digest"), "role": x.get("role") != y.get("role"),
                "uri": x.get("uri") != y.get("uri"),
                "foreignDigest": x.get("foreignDigest") != y.get("foreignDigest")}
        return [k for k in FIELD_ORDER if diff.get(k)]

    dentries, dcounts = [], {"unchanged": 0, "added": 0, "removed": 0, "changed": 0}
    for n in sorted(set(da) | set(db), key=lambda s: s.encode()):
        x, y = da.get(n), db.get(n)
        fields = ds_fields(x, y) if x and y else None
        if x and y and not fields:
            dcounts["unchanged"] += 1
            continue
        change = "added" if not x else "removed" if not y else "changed"
        dcounts[change] += 1
        e = {"name": n, "change": change, "old": ds_side(x), "new": ds_side(y)}
        if fields:
            e["fields"] = fields
        dentries.append(e)
    datasets = dict(dcounts)
    datasets["entries"] = dentries

    ca, cb = a.get("code"), b.get("code")
    code = {"old": ca, "new": cb}
    if ca and cb:
        fields = [k for k in ("uri", "commit") if ca.get(k) != cb.get(k)]
        code["change"] = "changed" if fields else "unchanged"
        if fields:
            code["fields"] = fields
    else:
        code["change"] = "added" if cb else "removed" if ca else "unchanged"

    pa, pb = a.get("parameters", {}), b.get("parameters", {})
    params = []
    for k in sorted(set(pa) | set(pb), key=lambda s: s.encode("utf-16-be")):
        if k in pa and k in pb and canonical(pa[k]) == canonical(pb[k]):
            continue
        change = "added" if k not in pa else "removed" if k not in pb else "changed"
        params.append({"name": k, "change": change, "old": pa.get(k), "new": pb.get(k)})

    ma, mb = a.get("metrics", {}), b.get("metrics", {})
    metrics = []
    for k in sorted(set(ma) | set(mb), key=lambda s: s.encode("utf-16-be")):
        x, y = ma.get(k), mb.get(k)
        if x is not None and y is not None:
            x, y = float(x), float(y)
            delta = y - x
            rel = delta / abs(x) if x != 0 else None
            change = "unchanged" if x == y else "changed"
        else:
            delta = rel = None
            change = "added" if x is None else "removed"
        metrics.append({"name": k, "change": change, "old": x, "new": y, "delta": delta, "relative": rel})

    if a_digest == b_digest:
        rel = "same"
    elif b.get("parent", {}).get("digest", {}).get("sha256") == a_digest:
        rel = "b-child-of-a"
    elif a.get("parent", {}).get("digest", {}).get("sha256") == b_digest:
        rel = "a-child-of-b"
    else:
        rel = "unrelated"
    side = lambda p, d: {"name": p["name"], "version": p["version"], "statementDigest": d}
    # the statement's own fields: a change there alone is still a change
    meta = [k for k in ("created", "description", "framework", "annotations")
            if a.get(k) != b.get(k)]
    return {"a": side(a, a_digest), "b": side(b, b_digest), "relation": rel, "files": files,
            "datasets": datasets, "code": code, "parameters": params, "metrics": metrics,
            "metadata": {"changed": meta}}


# ---- bad inputs ---------------------------------------------------------------------

def bad_cases(child):
    """(name, bytes, expected code, expected error path)"""
    cases = []

    def mutate(name, fn, code, path, resubject=True):
        s = copy.deepcopy(child)
        fn(s["predicate"])
        if resubject:
            s["subject"][0]["digest"]["sha256"] = sha(canonical(s["predicate"]["files"]).encode())
        cases.append((name, canonical(s).encode(), code, path))

    text = canonical(child)
    cases.append(("truncated", text[: len(text) // 2].encode(), "MLOPS_E_PARSE", ""))
    dup = text.replace('"version":"1.4.0-rc.1"', '"version":"1.4.0-rc.1","version":"9.9.9"', 1)
    assert dup != text
    cases.append(("duplicate-version", dup.encode(), "MLOPS_E_PARSE", ""))

    def dotdot(p):
        p["files"].insert(0, {"path": "../../etc/passwd", "size": 1, "digest": {"sha256": "0" * 64}})
    mutate("dotdot-path", dotdot, "MLOPS_E_SCHEMA", "$.predicate.files[0].path")

    def case_pair(p):
        p["files"] = [
            {"path": "Weights/a.bin", "size": 1, "digest": {"sha256": "1" * 64}},
            {"path": "weights/A.bin", "size": 1, "digest": {"sha256": "2" * 64}},
        ]
    mutate("case-collision", case_pair, "MLOPS_E_SCHEMA", "$.predicate.files[1].path")

    def metric_str(p):
        p["metrics"]["auc"] = "0.912"
    mutate("metric-string", metric_str, "MLOPS_E_SCHEMA", "$.predicate.metrics.auc")

    def unknown(p):
        p["author"] = "someone"
    mutate("unknown-predicate-key", unknown, "MLOPS_E_SCHEMA", "$.predicate.author")

    def unknown_file_key(p):
        p["files"][1]["mode"] = 420
    mutate("unknown-file-key", unknown_file_key, "MLOPS_E_SCHEMA", "$.predicate.files[1].mode")

    # A number a double cannot hold exactly would be signed (RFC 8785, through
    # the double) as another number than the one written: refused, even in a
    # statement whose other bytes are fine. Oracle: Python's decimal module.
    for name, old, new, path in [
            ("parameter-beyond-double", '"batch_size":256', '"batch_size":9007199254740993',
             "$.predicate.parameters.batch_size"),
            ("parameter-underflow", '"learning_rate":0.005', '"learning_rate":1e-400',
             "$.predicate.parameters.learning_rate"),
            ("metric-beyond-double", '"f1":0.5', '"f1":0.50000000000000000001',
             "$.predicate.metrics.f1")]:
        num = new.split(":", 1)[1]
        assert decimal.Decimal(num) != decimal.Decimal(repr(float(num))), num
        changed = text.replace(old, new, 1)
        assert changed != text, old
        cases.append((name, changed.encode(), "MLOPS_E_SCHEMA", path))

    def nul_key(p):
        p["files"][0]["path\u0000"] = "../../etc/passwd"
    mutate("nul-in-key", nul_key, "MLOPS_E_SCHEMA", "$.predicate.files[0]")

    def dup_dataset(p):
        p["datasets"].append({"name": "train-2026-11"})
    mutate("duplicate-dataset", dup_dataset, "MLOPS_E_SCHEMA", "$.predicate.datasets[2]")

    def size_str(p):
        p["files"][0]["size"] = "300"
    mutate("size-string", size_str, "MLOPS_E_SCHEMA", "$.predicate.files[0].size")

    def size_float(p):
        p["files"][0]["size"] = 300.5
    mutate("size-fraction", size_float, "MLOPS_E_SCHEMA", "$.predicate.files[0].size")

    def backslash(p):
        p["files"][0]["path"] = "README\\md"
    mutate("backslash-path", backslash, "MLOPS_E_SCHEMA", "$.predicate.files[0].path")

    def absolute(p):
        p["files"][0]["path"] = "/README.md"
    mutate("absolute-path", absolute, "MLOPS_E_SCHEMA", "$.predicate.files[0].path")

    def empty_seg(p):
        p["files"][0]["path"] = "a//README.md"
    mutate("empty-segment", empty_seg, "MLOPS_E_SCHEMA", "$.predicate.files[0].path")

    def unsorted(p):
        p["files"].reverse()
    cases_before = len(cases)
    s = copy.deepcopy(child)
    unsorted(s["predicate"])
    s["subject"][0]["digest"]["sha256"] = sha(canonical(s["predicate"]["files"]).encode())
    cases.append(("unsorted-files", canonical(s).encode(), "MLOPS_E_SCHEMA", "$.predicate.files[1].path"))
    assert len(cases) == cases_before + 1

    def dup_path(p):
        p["files"].insert(1, copy.deepcopy(p["files"][0]))
    mutate("duplicate-path", dup_path, "MLOPS_E_SCHEMA", "$.predicate.files[1].path")

    def bad_hex(p):
        p["files"][0]["digest"]["sha256"] = "A" * 64
    mutate("uppercase-digest", bad_hex, "MLOPS_E_SCHEMA", "$.predicate.files[0].digest.sha256")

    def bad_commit(p):
        p["code"]["commit"] = "abc"
    mutate("short-commit", bad_commit, "MLOPS_E_SCHEMA", "$.predicate.code.commit")

    def bad_version(p):
        p["version"] = "1.4"
    mutate("bad-semver", bad_version, "MLOPS_E_SCHEMA", "$.predicate.version")

    def bad_created(p):
        p["created"] = "2026-11-26T09:00:00+00:00"
    mutate("bad-created", bad_created, "MLOPS_E_SCHEMA", "$.predicate.created")

    def param_array(p):
        p["parameters"]["layers"] = [1, 2]
    mutate("parameter-array", param_array, "MLOPS_E_SCHEMA", "$.predicate.parameters.layers")

    def bad_shard(p):
        p["files"][2]["shards"][1]["offset"] = 1
    mutate("shard-offset", bad_shard, "MLOPS_E_SCHEMA", "$.predicate.files[2].shards[1]")

    def missing_created(p):
        del p["created"]
    mutate("missing-created", missing_created, "MLOPS_E_SCHEMA", "$.predicate")

    def tampered(p):
        p["files"][0]["size"] = 301
    mutate("subject-mismatch", tampered, "MLOPS_E_INTEGRITY", "$.subject[0].digest.sha256",
           resubject=False)

    s = copy.deepcopy(child)
    s["predicateType"] = "https://libmlops.dev/manifest/v2"
    cases.append(("predicate-v2", canonical(s).encode(), "MLOPS_E_VERSION", "$.predicateType"))
    return cases


def main():
    parent, parent_tree = statement(PARENT)
    parent_bytes = canonical(parent).encode()
    parent_digest = sha(parent_bytes)
    child, child_tree = statement(child_pred(parent_digest))
    child_bytes = canonical(child).encode()
    child_digest = sha(child_bytes)
    with open(os.path.join(HERE, "parent.json"), "wb") as f:
        f.write(parent_bytes)
    with open(os.path.join(HERE, "child.json"), "wb") as f:
        f.write(child_bytes)
    with open(os.path.join(HERE, "expected.txt"), "w") as f:
        f.write("parent.tree %s\n" % parent_tree)
        f.write("parent.statement %s\n" % parent_digest)
        f.write("child.tree %s\n" % child_tree)
        f.write("child.statement %s\n" % child_digest)
    with open(os.path.join(HERE, "diff.json"), "wb") as f:
        f.write(canonical(diff(parent, parent_digest, child, child_digest)).encode())
    bad_dir = os.path.join(HERE, "bad")
    os.makedirs(bad_dir, exist_ok=True)
    with open(os.path.join(bad_dir, "cases.txt"), "w") as cf:
        for name, data, code, path in bad_cases(child):
            with open(os.path.join(bad_dir, name + ".json"), "wb") as f:
                f.write(data)
            cf.write("%s %s %s\n" % (name, code, path or "-"))
    # Self-checks of the number writer against RFC 8785 Appendix examples.
    for x, s in [(1e21, "1e+21"), (1e-7, "1e-7"), (123e-9, "1.23e-7"), (0.000001, "0.000001"),
                 (333333333.3333333, "333333333.3333333"), (-0.0, "0"), (4.5, "4.5"),
                 (1e20, "100000000000000000000"), (2 ** 53, "9007199254740992")]:
        assert es_number(x) == s, (x, es_number(x), s)
    print("parent", parent_digest)
    print("child ", child_digest)


if __name__ == "__main__":
    sys.exit(main())
