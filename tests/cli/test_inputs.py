"""How the `mlops` command reads its inputs: CSV headers with a byte-order
mark, delimiters, standard input, NUL bytes, the spellings of missing and
infinite values, .npy headers, and columns asked for but absent.

Oracles: SciPy (ks_2samp, jensenshannon on counts aligned with
collections.Counter), Python's float() for the numeric spellings, NumPy for
.npy files. MLOPS_CLI names the binary under test (meson test sets it).
"""
import collections
import json
import math
import os
import subprocess

import pytest

CLI = os.environ.get("MLOPS_CLI", "mlops")


def run(*args, stdin=None):
    return subprocess.run([CLI, *args], capture_output=True, input=stdin)


def text(r):
    return r.stderr.decode("utf-8", "replace")


def write(path, data):
    path.write_bytes(data if isinstance(data, bytes) else data.encode())
    return str(path)


REF_A = [0.1, 0.5, 0.9, 1.3, 1.7, 2.1, 2.5, 2.9]
CUR_A = [1.0, 1.4, 1.8, 2.2, 2.6, 3.0, 3.4, 3.8, 4.2]


def table(values, labels=None, sep=","):
    head = "a" + (sep + "b" if labels else "") + "\n"
    rows = [repr(v) + (sep + labels[i % len(labels)] if labels else "") for i, v in enumerate(values)]
    return head + "\n".join(rows) + "\n"


def ks_json(r):
    assert r.returncode in (0, 1), text(r)
    j = json.loads(r.stdout)
    return {f["feature"]: f["result"] for f in j["features"]}


def test_byte_order_mark_does_not_hide_the_first_column(tmp_path):
    stats = pytest.importorskip("scipy.stats")
    ref = write(tmp_path / "ref.csv", b"\xef\xbb\xbf" + table(REF_A, ["x", "y"]).encode())
    cur = write(tmp_path / "cur.csv", table(CUR_A, ["x", "y"]))
    want = stats.ks_2samp(REF_A, CUR_A)
    for args in ([], ["--column", "a"]):
        feats = ks_json(run("drift", "--json", ref, cur, *args))
        assert feats["a"]["metric"] == "ks"
        assert feats["a"]["statistic"] == pytest.approx(want.statistic, rel=1e-12)
        assert feats["a"]["pvalue"] == pytest.approx(want.pvalue, rel=1e-9)
    r = run("profile", "build", ref, "--column", "a", "-o", str(tmp_path / "p"), "--json")
    assert r.returncode == 0, text(r)
    assert json.loads(r.stdout)["count"] == len(REF_A)


def test_a_column_one_file_lacks_is_an_input_error(tmp_path):
    ref = write(tmp_path / "ref.csv", table(REF_A, ["x", "y"]))
    cur = write(tmp_path / "cur.csv", table(CUR_A))
    r = run("drift", ref, cur)
    assert r.returncode == 2 and "'b'" in text(r) and "not in" in text(r), text(r)
    assert r.stdout == b""
    r = run("drift", cur, ref)  # the extra column is on the current side
    assert r.returncode == 2 and "'b'" in text(r), text(r)
    r = run("drift", ref, cur, "--column", "b")
    assert r.returncode == 2 and "no column 'b'" in text(r)
    for cmd in (["profile", "build", cur, "-o", str(tmp_path / "p")], ["detect", cur]):
        r = run(*cmd, "--column", "nope")
        assert r.returncode == 2 and "no column 'nope'" in text(r), text(r)


@pytest.mark.parametrize("sep,arg", [(";", ";"), ("|", "|"), ("\t", "\\t"), ("\t", "\t")])
def test_delimiter(tmp_path, sep, arg):
    stats = pytest.importorskip("scipy.stats")
    ref = write(tmp_path / "ref.txt.csv", table(REF_A, ["x,1", "y"], sep))
    cur = write(tmp_path / "cur.txt.csv", table(CUR_A, ["x,1", "y"], sep))
    feats = ks_json(run("drift", "--json", "--metric", "ks", "--delimiter", arg, ref, cur,
                        "--column", "a"))
    assert feats["a"]["statistic"] == pytest.approx(stats.ks_2samp(REF_A, CUR_A).statistic,
                                                    rel=1e-12)
    r = run("profile", "build", ref, "--column", "b", "--delimiter", arg, "-o",
            str(tmp_path / "p"), "--json")
    assert r.returncode == 0, text(r)
    assert json.loads(r.stdout)["kind"] == "categorical"
    r = run("detect", cur, "--column", "a", "--delimiter", arg)
    assert r.returncode in (0, 1), text(r)


@pytest.mark.parametrize("bad", ["", ";;", "1", "a", ".", "-", '"', "\u00e9"])
def test_bad_delimiters_are_usage_errors(tmp_path, bad):
    ref = write(tmp_path / "ref.csv", table(REF_A))
    r = run("drift", ref, ref, "--delimiter", bad)
    assert r.returncode == 2 and "--delimiter" in text(r)


def test_standard_input(tmp_path):
    stats = pytest.importorskip("scipy.stats")
    np = pytest.importorskip("numpy")
    ref = write(tmp_path / "ref.csv", table(REF_A, ["x", "y"]))
    cur_text = table(CUR_A, ["x", "y"]).encode()
    want = stats.ks_2samp(REF_A, CUR_A).statistic
    for args in (["-", ref], [ref, "-"]):
        feats = ks_json(run("drift", "--json", "--column", "a", "--metric", "ks", *args,
                            stdin=cur_text))
        assert feats["a"]["statistic"] == pytest.approx(want, rel=1e-12)
    r = run("drift", "-", "-", stdin=cur_text)
    assert r.returncode == 2 and "not both" in text(r)
    # .npy from standard input, told apart by its magic
    np.save(tmp_path / "ref.npy", np.array(REF_A))
    buf = (tmp_path / "cur.npy")
    np.save(buf, np.array(CUR_A))
    feats = ks_json(run("drift", "--json", "--metric", "ks", str(tmp_path / "ref.npy"), "-",
                        stdin=buf.read_bytes()))
    assert list(feats.values())[0]["statistic"] == pytest.approx(want, rel=1e-12)
    r = run("profile", "build", "-", "--column", "a", "-o", str(tmp_path / "p"), "--json",
            stdin=cur_text)
    assert r.returncode == 0 and json.loads(r.stdout)["count"] == len(CUR_A), text(r)
    r = run("profile", "build", "-", "-o", str(tmp_path / "q"), "--json", stdin=buf.read_bytes())
    assert r.returncode == 0 and json.loads(r.stdout)["count"] == len(CUR_A), text(r)
    # standard input can be read once: '-' twice is refused
    r = run("profile", "merge", "-o", str(tmp_path / "m"), "-", "-", stdin=(tmp_path / "p").read_bytes())
    assert r.returncode == 2 and "standard input" in text(r), text(r)
    assert not (tmp_path / "m").exists()


def test_nul_byte_in_a_field_is_refused_with_its_line(tmp_path):
    p = write(tmp_path / "nul.csv", b"c\nx\na\x00b\na\x00c\na\n")
    for cmd in (["profile", "build", p, "-o", str(tmp_path / "o")], ["drift", p, p]):
        r = run(*cmd)
        assert r.returncode == 2, text(r)
        assert "nul.csv:3:" in text(r) and "NUL" in text(r), text(r)
    assert not (tmp_path / "o").exists()
    q = write(tmp_path / "quoted.csv", b'c\n"x"\n"a\x00b"\n')
    r = run("profile", "build", q, "-o", str(tmp_path / "o"))
    assert r.returncode == 2 and "quoted.csv:3:" in text(r), text(r)
    h = write(tmp_path / "head.csv", b"c\x00d\n1\n")
    r = run("profile", "build", h, "-o", str(tmp_path / "o"))
    assert r.returncode == 2 and "head.csv:1:" in text(r), text(r)


SPELLINGS = ["1", "Inf", "-Inf", "inf", "-inf", "+inf", "INF", "Infinity", "-Infinity",
             "infinity", "NaN", "nan", "NAN", "-nan", " 1", "2 ", "\t3", " -4.5e1 ", "NA", ""]


def test_non_finite_spellings_and_spaces_keep_a_column_numeric(tmp_path):
    # Python's float() reads every one of these but NA and the empty field,
    # which are missing values: it is the oracle for the counts and moments
    vals = [float("nan") if s in ("NA", "") else float(s) for s in SPELLINGS]
    finite = [v for v in vals if math.isfinite(v)]
    p = write(tmp_path / "v.csv", "v\n" + "\n".join(SPELLINGS) + "\n")
    r = run("profile", "build", p, "-o", str(tmp_path / "v.prof"), "--json")
    assert r.returncode == 0, text(r)
    assert json.loads(r.stdout)["kind"] == "numeric"
    j = json.loads(run("profile", "show", "--json", str(tmp_path / "v.prof")).stdout)
    assert j["count"] == len(finite)
    assert j["nan"] == sum(math.isnan(v) for v in vals)
    assert j["posinf"] == sum(v == math.inf for v in vals)
    assert j["neginf"] == sum(v == -math.inf for v in vals)
    assert j["min"] == min(finite) and j["max"] == max(finite)
    assert j["mean"] == pytest.approx(sum(finite) / len(finite), rel=1e-15)
    # drift reads the same column the same way (the readers are one)
    # (KS applies to numeric columns only)
    a = ks_json(run("drift", "--json", "--metric", "ks", p, p))
    assert a["v"]["statistic"] == 0


def test_a_type_mismatch_names_file_line_and_value(tmp_path):
    ref = write(tmp_path / "ref.csv", "v\n1\n2\n3\n")
    cur = write(tmp_path / "cur.csv", "v\n1\n2\n3 apples\n4\n")
    r = run("drift", ref, cur)
    assert r.returncode == 2
    assert "cur.csv:4:" in text(r) and '"3 apples"' in text(r), text(r)
    r = run("detect", cur)
    assert r.returncode == 2 and "cur.csv:4:" in text(r) and "3 apples" in text(r), text(r)
    r = run("profile", "build", cur, "-o", str(tmp_path / "p"))
    assert r.returncode == 0 and "cur.csv:4:" in text(r), text(r)
    labels = write(tmp_path / "labels.csv", "v\nred\nNA\nblue\n")
    r = run("profile", "build", labels, "-o", str(tmp_path / "q"))
    assert r.returncode == 0 and text(r) == "", text(r)  # a label column is no surprise


def test_categorical_drift_aligns_labels_like_scipy(tmp_path):
    dist = pytest.importorskip("scipy.spatial.distance")
    ref_l = ["a"] * 3 + ["b"] + ["c"] * 2
    cur_l = ["b"] * 2 + ["c"] + ["d"] * 3 + ["a\u00e9"]
    ref = write(tmp_path / "ref.csv", "c\n" + "\n".join(ref_l) + "\n")
    cur = write(tmp_path / "cur.csv", "c\n" + "\n".join(cur_l) + "\n")
    rc, cc = collections.Counter(ref_l), collections.Counter(cur_l)
    keys = sorted(set(rc) | set(cc))
    want = dist.jensenshannon([rc[k] for k in keys], [cc[k] for k in keys], base=2)
    feats = ks_json(run("drift", "--json", "--metric", "js", ref, cur))
    assert feats["c"]["statistic"] == pytest.approx(want, rel=1e-12)


def npy_bytes(header, payload, version=1):
    h = header.encode("latin1")
    pre = 10 if version == 1 else 12
    pad = 64 - (pre + len(h) + 1) % 64
    h = h + b" " * (pad % 64) + b"\n"
    n = len(h).to_bytes(2 if version == 1 else 4, "little")
    return b"\x93NUMPY" + bytes([version, 0]) + n + h + payload


def test_npy_duplicate_keys_and_versions(tmp_path):
    np = pytest.importorskip("numpy")
    x = np.array([1.5, 2.5, 4.0])
    dup = npy_bytes("{'descr': '<f8', 'descr': '<i8', 'fortran_order': False, 'shape': (3,), }",
                    x.tobytes())
    p = write(tmp_path / "dup.npy", dup)
    r = run("profile", "build", p, "-o", str(tmp_path / "o"))
    assert r.returncode == 2 and "'descr' given twice" in text(r), text(r)
    for key in ("'shape': (3,)", "'fortran_order': False"):
        h = "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), " + key + ", }"
        r = run("profile", "build", write(tmp_path / "d2.npy", npy_bytes(h, x.tobytes())),
                "-o", str(tmp_path / "o"))
        assert r.returncode == 2 and "given twice" in text(r), text(r)
    assert not (tmp_path / "o").exists()
    # 3.0 is 2.0 with a UTF-8 header: read, values as NumPy wrote them
    import io
    b = io.BytesIO()
    np.lib.format.write_array(b, x, version=(3, 0))
    p3 = write(tmp_path / "v3.npy", b.getvalue())
    r = run("profile", "build", p3, "-o", str(tmp_path / "v3.prof"))
    assert r.returncode == 0, text(r)
    j = json.loads(run("profile", "show", "--json", str(tmp_path / "v3.prof")).stdout)
    assert j["count"] == 3 and j["mean"] == float(np.mean(x))
    bad = bytearray(b.getvalue())
    bad[7] = 1  # version 3.1
    r = run("profile", "build", write(tmp_path / "v31.npy", bytes(bad)), "-o", str(tmp_path / "o"))
    assert r.returncode == 2 and "version 3.1" in text(r), text(r)


def test_merging_profiles_whose_counts_would_wrap_is_refused(tmp_path):
    # a numeric profile of 4 values whose NaN count is 2^64 - 5 loads; merged
    # with any further value the count would wrap
    import struct
    import zlib
    p = write(tmp_path / "v.csv", "v\n1\n2\n3\n4\n")
    assert run("profile", "build", p, "-o", str(tmp_path / "a.prof")).returncode == 0
    d = bytearray((tmp_path / "a.prof").read_bytes())
    d[44:52] = struct.pack("<Q", 2**64 - 5)
    d[-4:] = struct.pack("<I", zlib.crc32(bytes(d[:-4])))
    (tmp_path / "big.prof").write_bytes(bytes(d))
    assert run("profile", "show", str(tmp_path / "big.prof")).returncode == 0
    r = run("profile", "merge", "-o", str(tmp_path / "m.prof"), str(tmp_path / "big.prof"),
            str(tmp_path / "a.prof"))
    assert r.returncode == 2 and "overflow" in text(r), text(r)
    assert not (tmp_path / "m.prof").exists()
    d[68:76] = struct.pack("<d", 9.0)  # mean 9 outside [1, 4]
    d[44:52] = struct.pack("<Q", 0)
    d[-4:] = struct.pack("<I", zlib.crc32(bytes(d[:-4])))
    (tmp_path / "mean.prof").write_bytes(bytes(d))
    r = run("profile", "show", str(tmp_path / "mean.prof"))
    assert r.returncode == 2 and "outside [min" in text(r), text(r)
