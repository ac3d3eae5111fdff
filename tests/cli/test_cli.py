"""The `mlops` command driven as a user would: real files, real exit codes.

Oracles: hashlib for digests, the SemVer specification's precedence examples.
MLOPS_CLI names the binary under test (meson test sets it).
"""
import hashlib
import json
import os
import subprocess

import pytest

CLI = os.environ.get("MLOPS_CLI", "mlops")


def run(*args, env=None):
    e = dict(os.environ)
    e.update(env or {})
    return subprocess.run([CLI, *args], capture_output=True, text=True, errors="replace", env=e)


ALL_COMMANDS = ["detect", "diff", "digest", "drift", "extract", "gate", "inspect", "keygen",
                "layout-export", "pack",
                "policy", "profile", "semver", "sign", "store", "verify", "version"]


def test_no_arguments_prints_help_and_exits_2():
    r = run()
    assert r.returncode == 2
    assert "usage: mlops COMMAND" in r.stderr


def test_help_lists_every_command_and_exit_codes():
    r = run("--help")
    assert r.returncode == 0
    for name in ALL_COMMANDS:
        assert f"  {name} " in r.stdout
    assert "1 negative verdict" in r.stdout


@pytest.mark.parametrize("cmd", ALL_COMMANDS)
def test_every_command_has_help(cmd):
    r = run(cmd, "--help")
    assert r.returncode == 0
    assert r.stdout.startswith(f"usage: mlops {cmd}")


def test_unknown_command_and_unknown_flag_are_usage_errors():
    r = run("frobnicate")
    assert r.returncode == 2 and "unknown command 'frobnicate'" in r.stderr
    r = run("digest", "--frobnicate", "x")
    assert r.returncode == 2 and "unknown option '--frobnicate'" in r.stderr


def test_version_human_and_json():
    r = run("version")
    assert r.returncode == 0 and r.stdout.startswith("libmlops 0.")
    j = json.loads(run("version", "--json").stdout)
    assert j["abi_major"] == 0 and j["version"].count(".") == 2


def test_digest_matches_hashlib(tmp_path):
    files = []
    for i, size in enumerate((0, 1, 1 << 20, 3 * (1 << 20) + 7)):
        p = tmp_path / f"f{i}.bin"
        p.write_bytes(os.urandom(size))
        files.append(p)
    r = run("digest", *map(str, files))
    assert r.returncode == 0
    lines = r.stdout.splitlines()
    assert len(lines) == len(files)
    for line, p in zip(lines, files):
        assert line == f"sha256:{hashlib.sha256(p.read_bytes()).hexdigest()}  {p}"
    j = json.loads(run("digest", "--json", *map(str, files)).stdout)
    assert [x["digest"] for x in j] == [
        "sha256:" + hashlib.sha256(p.read_bytes()).hexdigest() for p in files]


def test_digest_missing_file_names_it_and_exits_2(tmp_path):
    ok = tmp_path / "ok"
    ok.write_bytes(b"abc")
    r = run("digest", str(tmp_path / "missing.onnx"), str(ok))
    assert r.returncode == 2
    assert "missing.onnx: cannot open: No such file or directory" in r.stderr
    # the readable file is still reported
    assert "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" in r.stdout


def test_digest_json_escapes_odd_names(tmp_path):
    p = tmp_path / 'a "quoted"\tname'
    p.write_bytes(b"abc")
    j = json.loads(run("digest", "--json", str(p)).stdout)
    assert j[0]["path"] == str(p)


def test_semver_compare_follows_the_spec():
    ordered = ["1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta",
               "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0"]
    for a, b in zip(ordered, ordered[1:]):
        r = run("semver", "compare", a, b)
        assert r.returncode == 0 and r.stdout.strip() == f"{a} < {b}"
        j = json.loads(run("semver", "compare", "--json", b, a).stdout)
        assert j == {"a": b, "b": a, "order": 1}
    assert run("semver", "compare", "1.0.0+x", "1.0.0+y").stdout.strip() == "1.0.0+x == 1.0.0+y"


@pytest.mark.parametrize("bad,why", [("1.2", "expected '.' after the minor version"),
                                     ("01.2.3", "leading zero"),
                                     ("1.2.3-", "empty pre-release identifier")])
def test_semver_validate_rejects_with_reason(bad, why):
    r = run("semver", "validate", bad)
    assert r.returncode == 2 and why in r.stderr
    j = json.loads(run("semver", "validate", "--json", bad).stdout)
    assert j["valid"] is False and why in j["error"]
    assert run("semver", "validate", "1.2.3-rc.1+b").returncode == 0


def test_no_color_and_pipes_get_no_escape_codes():
    r = run("semver", "compare", "1.0.0", "2.0.0", env={"NO_COLOR": "1"})
    assert "\033[" not in r.stdout + r.stderr


# ---------------------------------------------------------------------------
# Inputs: CSV (strict RFC 4180) and .npy, seen through `profile build/show`
# ---------------------------------------------------------------------------

VECTORS = os.environ.get("MLOPS_VECTORS", os.path.join(os.path.dirname(__file__), "..", "vectors"))


def show(path):
    r = run("profile", "show", "--json", str(path))
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def build(tmp_path, src, *args, name="p.prof"):
    out = tmp_path / name
    r = run("profile", "build", str(src), "-o", str(out), *args)
    assert r.returncode == 0, r.stderr
    return out


def test_csv_quoted_crlf_blank_lines_and_missing_values(tmp_path):
    p = tmp_path / "t.csv"
    # quoted header and fields, "" escapes, an embedded newline, CRLF, a blank
    # line, NA/empty/nan as missing, no final newline
    p.write_bytes(b'"x","label, quoted",y\r\n'
                  b'1.5,"say ""hi""",10\r\n'
                  b'\r\n'
                  b'-2.25,"two\nlines",NA\r\n'
                  b'1e3,plain,\r\n'
                  b'0.001,plain,nan')
    j = show(build(tmp_path, p, "--column", "x"))
    assert j["count"] == 4 and j["nan"] == 0
    assert j["min"] == -2.25 and j["max"] == 1000.0
    assert j["mean"] == pytest.approx((1.5 - 2.25 + 1000 + 0.001) / 4, rel=1e-15)
    j = show(build(tmp_path, p, "--column", "y", name="y.prof"))
    assert j["count"] == 1 and j["nan"] == 3 and j["min"] == 10.0
    j = show(build(tmp_path, p, "--column", "label, quoted", name="l.prof"))
    assert j["kind"] == "categorical" and j["count"] == 4
    assert sorted(c["count"] for c in j["categories"]) == [1, 1, 2]


def test_csv_numbers_parse_exactly_like_python(tmp_path):
    # fast-path and strtod-path numbers must both give the correctly rounded double
    rng = __import__("random").Random(7)
    texts = ["0", "-0", "1", "0.1", "0.3", "123456789012345678", "9007199254740993",
             "1e-7", "2.5E+10", "3.14159265358979323846", "-0.000000000000000000001234",
             ".5", "5.", "+7.25", "1.7976931348623157e+30", "4.9e-324"]
    texts += [f"{rng.uniform(-1e6, 1e6):.{rng.randint(0, 12)}f}" for _ in range(300)]
    p = tmp_path / "n.csv"
    p.write_text("v\n" + "\n".join(texts) + "\n")
    j = show(build(tmp_path, p))
    vals = [float(t) for t in texts]
    assert j["count"] == len(vals)
    assert j["min"] == min(vals) and j["max"] == max(vals)
    np = pytest.importorskip("numpy")
    assert j["mean"] == pytest.approx(float(np.mean(vals)), rel=1e-12)


@pytest.mark.parametrize("content,line,why", [
    (b"a,b\n1,2\n3\n", 3, "1 fields, expected 2"),
    (b"a,b\n1,2\n3,4\n5,6,7\n", 4, "3 fields, expected 2"),
    (b'a,b\n1,2\n"x\n', 3, "unterminated quoted field"),
    (b'a,b\n1,"x"y\n', 2, "text after a closing quote"),
    (b"a,b\n1,2\r3,4\n", 2, "carriage return not followed by a line feed"),
    (b"a,a\n1,2\n", 1, 'duplicate column name "a"'),
    (b"a,,b\n1,2,3\n", 1, "column 2 has an empty name"),
    (b"a,b\n", 2, "no data rows after the header"),
    (b"", 1, "empty file"),
    (b'a,b\n"q\nq",1\n1,2,3\n', 4, "3 fields, expected 2"),
])
def test_malformed_csv_names_file_and_line(tmp_path, content, line, why):
    p = tmp_path / "bad.csv"
    p.write_bytes(content)
    r = run("profile", "build", str(p), "--column", "a", "-o", str(tmp_path / "o"))
    assert r.returncode == 2
    assert f"{p}:{line}: {why}" in r.stderr
    assert not (tmp_path / "o").exists()


def test_wrong_column_and_missing_file_are_input_errors(tmp_path):
    p = tmp_path / "t.csv"
    p.write_text("alpha,beta\n1,2\n")
    r = run("profile", "build", str(p), "--column", "gamma", "-o", str(tmp_path / "o"))
    assert r.returncode == 2
    assert f"no column 'gamma' in {p} (columns: alpha, beta)" in r.stderr
    r = run("profile", "build", str(p), "-o", str(tmp_path / "o"))
    assert r.returncode == 2 and "has 2 columns: choose one with --column" in r.stderr
    r = run("profile", "build", str(tmp_path / "nope.csv"), "-o", str(tmp_path / "o"))
    assert r.returncode == 2 and "nope.csv: cannot open: No such file or directory" in r.stderr
    r = run("profile", "build", str(p), "--colum", "alpha")
    assert r.returncode == 2 and "unknown option '--colum'" in r.stderr
    r = run("profile", "build", str(p), "--column")
    assert r.returncode == 2 and "option '--column' needs a value" in r.stderr


def test_npy_float64_and_int64_match_numpy(tmp_path):
    np = pytest.importorskip("numpy")
    rng = np.random.default_rng(3)
    x = rng.normal(5, 2, 5000)
    x[[3, 17]] = np.nan
    x[20] = np.inf
    np.save(tmp_path / "x.npy", x)
    j = show(build(tmp_path, tmp_path / "x.npy"))
    fin = x[np.isfinite(x)]
    assert j["count"] == fin.size and j["nan"] == 2 and j["posinf"] == 1
    assert j["min"] == fin.min() and j["max"] == fin.max()
    assert j["mean"] == pytest.approx(fin.mean(), rel=1e-12)
    assert j["std"] == pytest.approx(fin.std(ddof=1), rel=1e-10)
    for q, v in j["quantiles"].items():
        # the sketch's quantile is within its rank error of the exact one
        rank = (fin <= v).mean()
        assert abs(rank - float(q)) <= j["rank_error"] + 1.0 / fin.size
    i = np.arange(-50, 950, dtype=np.int64)
    with open(tmp_path / "i.npy", "wb") as f:
        np.lib.format.write_array(f, i, version=(2, 0))
    j = show(build(tmp_path, tmp_path / "i.npy", name="i.prof"))
    assert j["count"] == 1000 and j["min"] == -50 and j["max"] == 949 and j["mean"] == 449.5


def npy_bytes(header, payload, version=1):
    h = header.encode()
    pad = 64 - (10 + len(h) + 1) % 64
    h = h + b" " * pad + b"\n"
    return b"\x93NUMPY" + bytes([version, 0]) + len(h).to_bytes(2, "little") + h + payload


@pytest.mark.parametrize("data,why", [
    (b"not an npy file", "no \\x93NUMPY magic"),
    (npy_bytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", b"\0" * 8),
     "dtype must be '<f8'"),
    (npy_bytes("{'descr': '>f8', 'fortran_order': False, 'shape': (1,), }", b"\0" * 8),
     "dtype must be '<f8'"),
    (npy_bytes("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2), }", b"\0" * 32),
     "only 1-D arrays"),
    (npy_bytes("{'descr': '<f8', 'fortran_order': True, 'shape': (1,), }", b"\0" * 8),
     "Fortran order is not supported"),
    (npy_bytes("{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }", b"\0" * 16),
     "16 data bytes, shape says 24"),
    (npy_bytes("{'descr': '<f8', 'shape': (1,), }", b"\0" * 8),
     "header lacks descr, fortran_order or shape"),
    (npy_bytes("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }", b"\0" * 8, 9),
     "unknown format version"),
])
def test_bad_npy_is_rejected_with_reason(tmp_path, data, why):
    p = tmp_path / "bad.npy"
    p.write_bytes(data)
    r = run("profile", "build", str(p), "-o", str(tmp_path / "o"))
    assert r.returncode == 2 and why in r.stderr, r.stderr


def test_profile_merge_equals_profile_of_union(tmp_path):
    np = pytest.importorskip("numpy")
    rng = np.random.default_rng(11)
    a, b = rng.normal(0, 1, 3000), rng.exponential(2, 2000)
    np.save(tmp_path / "a.npy", a)
    np.save(tmp_path / "b.npy", b)
    pa = build(tmp_path, tmp_path / "a.npy", "--seed", "1", name="a.prof")
    pb = build(tmp_path, tmp_path / "b.npy", "--seed", "2", name="b.prof")
    r = run("profile", "merge", "-o", str(tmp_path / "m.prof"), str(pa), str(pb))
    assert r.returncode == 0 and "merged 2 profiles (5000 values)" in r.stdout
    j = show(tmp_path / "m.prof")
    u = np.concatenate([a, b])
    assert j["count"] == 5000 and j["min"] == u.min() and j["max"] == u.max()
    assert j["mean"] == pytest.approx(u.mean(), rel=1e-12)
    assert j["std"] == pytest.approx(u.std(ddof=1), rel=1e-10)
    # profiles with different histogram edges do not merge
    pc = build(tmp_path, tmp_path / "a.npy", "--bins", "8", name="c.prof")
    r = run("profile", "merge", "-o", str(tmp_path / "x.prof"), str(pa), str(pc))
    assert r.returncode == 2 and str(pc) in r.stderr
    assert not (tmp_path / "x.prof").exists()


def test_profile_histogram_counts_match_numpy(tmp_path):
    np = pytest.importorskip("numpy")
    x = np.random.default_rng(5).gamma(2.0, 1.5, 4000)
    np.save(tmp_path / "g.npy", x)
    j = show(build(tmp_path, tmp_path / "g.npy", "--bins", "12"))
    edges = np.array(j["histogram"]["edges"])
    assert len(edges) == 11
    idx = np.searchsorted(edges, x, side="right")
    assert j["histogram"]["counts"] == np.bincount(idx, minlength=12).tolist()
    human = run("profile", "show", str(tmp_path / "p.prof")).stdout
    assert "histogram" in human and "p50" in human and "count        4000" in human


def test_profile_show_rejects_damaged_bytes(tmp_path):
    p = tmp_path / "t.csv"
    p.write_text("v\n1\n2\n3\n")
    prof = build(tmp_path, p)
    data = bytearray(prof.read_bytes())
    data[len(data) // 2] ^= 0xFF
    (tmp_path / "bad.prof").write_bytes(bytes(data))
    r = run("profile", "show", str(tmp_path / "bad.prof"))
    assert r.returncode == 2 and "bad.prof: " in r.stderr
    assert run("profile", "frob").returncode == 2


# ---------------------------------------------------------------------------
# detect: river's change points (tests/vectors/detect/river.txt)
# ---------------------------------------------------------------------------

def river_cases():
    cases, cur = [], None
    with open(os.path.join(VECTORS, "detect", "river.txt")) as f:
        for line in f:
            w = line.split()
            if not w or w[0].startswith("#"):
                continue
            if w[0] == "case":
                cur = {"name": w[1], "params": {}}
            elif w[0] == "end":
                cases.append(cur)
            elif w[0].startswith("param_"):
                cur["params"][w[0][6:]] = w[1]
            else:
                cur[w[0]] = w[1:]
    return [c for c in cases if c.get("detector", [""])[0] in ("adwin", "page_hinkley", "ddm", "eddm")]


def river_stream(seed, n, kind, scale, starts, levels):
    M64 = (1 << 64) - 1
    state, j, out = seed, 0, []
    for i in range(n):
        while j + 1 < len(starts) and i >= starts[j + 1]:
            j += 1
        state = (state + 0x9E3779B97F4A7C15) & M64
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
        z ^= z >> 31
        u = (z >> 11) * 2.0 ** -53
        out.append(scale * u + levels[j] if kind == 0 else (1.0 if u < levels[j] else 0.0))
    return out


OPT = {"delta": "--delta", "threshold": "--threshold", "alpha": "--alpha",
       "min_instances": "--min-instances", "warm_start": "--min-instances"}


@pytest.mark.parametrize("case", river_cases(), ids=lambda c: c["name"])
def test_detect_change_points_equal_rivers(tmp_path, case):
    if set(case["params"]) - set(OPT):
        pytest.skip("parameters the command does not expose")
    s = case["stream"]
    xs = river_stream(int(s[0]), int(s[1]), int(s[2]), float(s[3]),
                      [int(v) for v in case["starts"]], [float(v) for v in case["levels"]])
    p = tmp_path / "s.csv"
    p.write_text("v\n" + "\n".join(repr(x) for x in xs) + "\n")
    det = case["detector"][0].replace("_", "-")
    args = ["--detector", det]
    for k, v in case["params"].items():
        args += [OPT[k], v]
    want = [int(v) for v in case.get("drifts", [])]
    r = run("detect", "--json", str(p), *args)
    assert r.returncode == (1 if want else 0), r.stderr
    j = json.loads(r.stdout)
    assert j["change_points"] == want and j["values"] == len(xs)
    if "warnings" in case:
        assert j["warnings"] == [int(v) for v in case["warnings"]]
    # the same stream in two halves through a saved state
    half = len(xs) // 2
    (tmp_path / "a.csv").write_text("v\n" + "\n".join(repr(x) for x in xs[:half]) + "\n")
    (tmp_path / "b.csv").write_text("v\n" + "\n".join(repr(x) for x in xs[half:]) + "\n")
    st = tmp_path / "state.bin"
    r1 = json.loads(run("detect", "--json", str(tmp_path / "a.csv"), *args,
                        "--state-out", str(st)).stdout)
    r2 = run("detect", "--json", str(tmp_path / "b.csv"), "--state-in", str(st))
    j2 = json.loads(r2.stdout)
    assert j2["consumed_before"] == half
    assert r1["change_points"] + [half + c for c in j2["change_points"]] == want


def test_detect_human_output_and_errors(tmp_path):
    xs = river_stream(1, 3000, 0, 1.0, [0, 1500], [0.0, 0.4])
    p = tmp_path / "s.csv"
    p.write_text("t,v\n" + "\n".join(f"{i},{x!r}" for i, x in enumerate(xs)) + "\n")
    r = run("detect", str(p), "--column", "v")
    assert r.returncode == 1
    assert "adwin over 3000 values of 'v': 1 change point" in r.stdout
    assert "change points at rows 1535" in r.stdout
    assert "\033[" not in r.stdout
    r = run("detect", str(p), "--column", "v", "--detector", "cusum")
    assert r.returncode == 2 and "unknown detector 'cusum'" in r.stderr
    r = run("detect", str(p), "--column", "v", "--detector", "ddm")
    assert r.returncode == 2 and "position" in r.stderr
    (tmp_path / "junk.state").write_bytes(b"junk")
    r = run("detect", str(p), "--column", "v", "--state-in", str(tmp_path / "junk.state"))
    assert r.returncode == 2 and "junk.state: " in r.stderr
    r = run("detect", str(p), "--column", "v", "--state-in", "x", "--delta", "0.1")
    assert r.returncode == 2 and "--state-in fixes the detector" in r.stderr
    r = run("detect", str(p), "--column", "v", "--delta", "abc")
    assert r.returncode == 2 and "--delta: expected a number" in r.stderr


# ---------------------------------------------------------------------------
# policy and gate (examples/policies; expectations from their embedded tests)
# ---------------------------------------------------------------------------

POLICIES = os.path.join(os.path.dirname(__file__), "..", "..", "examples", "policies")
RETRAIN = os.path.join(POLICIES, "drift-retrain.json")
GATE = os.path.join(POLICIES, "ci-promotion-gate.json")


@pytest.mark.parametrize("name", ["drift-retrain.json", "ci-promotion-gate.json",
                                  "performance-rollback.json"])
def test_policy_lint_and_test_on_examples(name):
    p = os.path.join(POLICIES, name)
    r = run("policy", "lint", p)
    assert r.returncode == 0 and r.stdout.endswith(": 0 findings\n")
    r = run("policy", "test", p)
    assert r.returncode == 0 and " passed, 0 failed" in r.stdout
    n = len(json.load(open(p))["tests"])
    assert r.stdout.split(": ")[1].startswith(f"{n} passed")
    j = json.loads(run("policy", "lint", "--json", p).stdout)
    assert j["findings"] == []


def test_policy_lint_finds_undeclared_signal_and_failed_test(tmp_path):
    pol = json.load(open(RETRAIN))
    pol["rules"][1]["when"]["over"] = "psii.*"
    bad = tmp_path / "lint.json"
    bad.write_text(json.dumps(pol))
    r = run("policy", "lint", str(bad))
    assert r.returncode == 1 and "1 finding" in r.stdout
    assert "psii.*" in r.stdout
    pol = json.load(open(RETRAIN))
    pol["tests"][0]["steps"][2]["expect"] = "none"
    bad.write_text(json.dumps(pol))
    r = run("policy", "test", str(bad))
    assert r.returncode == 1 and ", 1 failed" in r.stdout


def test_policy_eval_retrain_fires_after_30m_then_cooldown_suppresses(tmp_path):
    st = tmp_path / "state.json"
    sig = ["--signal", "psi.amount=0.31@1000", "--signal", "psi.country=0.02@1000"]
    r = run("policy", "eval", RETRAIN, *sig, "--now", "2026-01-01T00:00:00Z",
            "--state-out", str(st))
    assert r.returncode == 0 and "decision: warn" in r.stdout and "30m to go" in r.stdout
    seen = []
    for t in ("15", "30", "35"):
        r = run("policy", "eval", "--json", RETRAIN, *sig, "--now", f"2026-01-01T00:{t}:00Z",
                "--state-in", str(st), "--state-out", str(st))
        j = json.loads(r.stdout)
        seen.append((r.returncode, j["action"], j["rule"]))
    assert seen == [(0, "warn", "drift-warning"), (1, "retrain", "feature-drift"),
                    (0, "warn", "drift-warning")]
    r = run("policy", "eval", RETRAIN, *sig, "--now", "2026-01-01T00:40:00Z",
            "--state-in", str(st))
    assert "COOLDOWN" in r.stdout
    assert json.loads(st.read_text())["schema"] == "libmlops.policy-state/v1"
    # time may not go backwards against a saved state
    r = run("policy", "eval", RETRAIN, *sig, "--now", "2025-01-01T00:00:00Z",
            "--state-in", str(st))
    assert r.returncode == 2


def test_policy_eval_signals_file_and_errors(tmp_path):
    f = tmp_path / "w.signals"
    f.write_text("# window 1\npsi.amount 0.31 samples=1000\n\npsi.country 0.02 samples=1000\n")
    r = run("policy", "eval", RETRAIN, "--signals", str(f), "--now", "2026-01-01T00:00:00Z")
    assert r.returncode == 0 and "decision: warn" in r.stdout
    f.write_text("psi.amount 0.31\npsi.country zero\n")
    r = run("policy", "eval", RETRAIN, "--signals", str(f))
    assert r.returncode == 2 and f"{f}:2: VALUE is not a number" in r.stderr
    r = run("policy", "eval", RETRAIN, "--signal", "psi.amount")
    assert r.returncode == 2 and "expected NAME=VALUE" in r.stderr
    r = run("policy", "eval", RETRAIN, "--now", "yesterday")
    assert r.returncode == 2 and "--now" in r.stderr
    r = run("policy", "eval", str(tmp_path / "none.json"))
    assert r.returncode == 2 and "none.json: cannot open" in r.stderr
    (tmp_path / "p.json").write_text('{"schema": "libmlops.policy/v1",')
    r = run("policy", "lint", str(tmp_path / "p.json"))
    assert r.returncode == 2 and r.stderr.startswith("mlops policy: ")
    assert run("policy", "frob", RETRAIN).returncode == 2
    assert run("policy", "eval", RETRAIN, "--bogus").returncode == 2


def test_policy_replay_record_then_replay(tmp_path):
    log = tmp_path / "log.jsonl"
    lines = []
    for k in range(8):
        v = 0.05 if k < 2 else 0.4
        lines.append(json.dumps({"now_ms": 1767225600000 + k * 600000,
                                 "signals": {"psi.amount": {"value": v, "samples": 1000}}}))
    log.write_text("\n".join(lines) + "\n")
    rec = tmp_path / "rec.jsonl"
    r = run("policy", "replay", RETRAIN, str(log), "--record", str(rec))
    assert r.returncode == 0 and "8 steps recorded" in r.stdout
    recorded = [json.loads(x) for x in rec.read_text().splitlines()]
    actions = [x["expect"]["action"] for x in recorded]
    # quiet, then warnings, then RETRAIN once the drift held for 30 minutes
    assert actions[:2] == ["none", "none"] and actions[2] == "warn"
    assert actions[5] == "retrain" and actions[6] == "warn"
    r = run("policy", "replay", RETRAIN, str(rec))
    assert r.returncode == 0 and "8 steps, 0 mismatches" in r.stdout
    recorded[5]["expect"]["action"] = "none"
    rec.write_text("\n".join(json.dumps(x) for x in recorded) + "\n")
    r = run("policy", "replay", RETRAIN, str(rec))
    assert r.returncode == 1 and "1 mismatch" in r.stdout
    log.write_text(lines[0] + "\n{not json\n")
    r = run("policy", "replay", RETRAIN, str(log))
    assert r.returncode == 2 and "line 2" in r.stderr


def gate_files(tmp_path, test):
    def write(name, metrics):
        lines = []
        for k, v in metrics.items():
            if isinstance(v, dict):
                s = f"{k} {v['value']!r}"
                if "samples" in v:
                    s += f" samples={v['samples']}"
                if "ci" in v:
                    s += f" ci={v['ci'][0]!r}:{v['ci'][1]!r}"
            else:
                s = f"{k} {v!r}"
            lines.append(s)
        p = tmp_path / name
        p.write_text("\n".join(lines) + "\n")
        return str(p)
    args = ["--candidate", write("cand.txt", test["gate"]["candidate"])]
    if "champion" in test["gate"]:
        args += ["--champion", write("champ.txt", test["gate"]["champion"])]
    else:
        args += ["--first-release"]
    return args


@pytest.mark.parametrize("test", json.load(open(GATE))["tests"], ids=lambda t: t["name"])
def test_gate_matches_the_policy_tests(tmp_path, test):
    args = gate_files(tmp_path, test)
    r = run("gate", GATE, *args)
    blocked = test["expect"] == "block_promotion"
    assert r.returncode == (1 if blocked else 0), r.stderr
    assert ("block_promotion" if blocked else "promote") in r.stdout
    j = json.loads(run("gate", "--json", GATE, *args).stdout)
    assert j["action"] == test["expect"]


def test_gate_errors(tmp_path):
    assert run("gate", GATE).returncode == 2
    r = run("gate", GATE, "--candidate", str(tmp_path / "x"), "--first-release")
    assert r.returncode == 2 and "cannot open" in r.stderr
    (tmp_path / "c.txt").write_text("auc 0.9 ci=0.95:0.99\n")
    r = run("gate", GATE, "--candidate", str(tmp_path / "c.txt"), "--first-release")
    assert r.returncode == 2 and "c.txt:1:" in r.stderr
    (tmp_path / "c.txt").write_text("auc 0.9 colour=red\n")
    r = run("gate", GATE, "--candidate", str(tmp_path / "c.txt"), "--first-release")
    assert r.returncode == 2 and "c.txt:1: unknown field" in r.stderr
    r = run("gate", RETRAIN, "--candidate", str(tmp_path / "c.txt"), "--first-release")
    assert r.returncode == 2


# ---------------------------------------------------------------------------
# drift: SciPy oracles, tables, profiles, Prometheus, HTML, signals
# ---------------------------------------------------------------------------

def drift_tables(tmp_path, n=600, seed=21):
    """A reference and a drifted current table: `stable` unchanged, `shifted`
    moved by one standard deviation, `colour` re-weighted, `tiny` moved a bit."""
    np = pytest.importorskip("numpy")
    rng = np.random.default_rng(seed)
    cols = ["stable", "shifted", "tiny", "colour"]
    def table(path, shift, weights):
        lab = rng.choice(["red", "green", "blue"], size=n, p=weights)
        data = [rng.normal(0, 1, n), rng.normal(shift, 1, n), rng.normal(shift * 0.1, 1, n)]
        with open(path, "w") as f:
            f.write(",".join(cols) + "\n")
            for i in range(n):
                f.write(f"{data[0][i]!r},{data[1][i]!r},{data[2][i]!r},{lab[i]}\n")
        return data, lab
    ref = table(tmp_path / "ref.csv", 0.0, [0.5, 0.3, 0.2])
    cur = table(tmp_path / "cur.csv", 1.0, [0.2, 0.3, 0.5])
    return tmp_path / "ref.csv", tmp_path / "cur.csv", ref, cur


def test_drift_npy_ks_and_wasserstein_match_scipy(tmp_path):
    np = pytest.importorskip("numpy")
    stats = pytest.importorskip("scipy.stats")
    rng = np.random.default_rng(8)
    a, b = rng.normal(0, 1, 400), rng.normal(0.3, 1.2, 350)
    np.save(tmp_path / "ref.npy", a)
    np.save(tmp_path / "cur.npy", b)
    r = run("drift", "--json", str(tmp_path / "ref.npy"), str(tmp_path / "cur.npy"),
            "--metric", "ks")
    j = json.loads(r.stdout)
    ks = stats.ks_2samp(a, b)
    res = j["features"][0]["result"]
    assert res["statistic"] == pytest.approx(ks.statistic, rel=1e-12)
    assert res["pvalue"] == pytest.approx(ks.pvalue, rel=1e-9)
    assert r.returncode == (1 if ks.pvalue < 0.05 else 0)
    assert j["features"][0]["feature"] == "ref" and j["drifted"] == (ks.pvalue < 0.05)
    r = run("drift", "--json", str(tmp_path / "ref.npy"), str(tmp_path / "cur.npy"),
            "--metric", "wasserstein", "--threshold", "100")
    res = json.loads(r.stdout)["features"][0]["result"]
    assert res["statistic"] == pytest.approx(stats.wasserstein_distance(a, b), rel=1e-12)
    assert r.returncode == 0 and res["threshold"] == 100


def test_drift_table_human_json_sorted_by_severity(tmp_path):
    stats = pytest.importorskip("scipy.stats")
    np = pytest.importorskip("numpy")
    ref, cur, (rd, rl), (cd, cl) = drift_tables(tmp_path)
    r = run("drift", str(ref), str(cur))
    assert r.returncode == 1, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].startswith("DRIFT: ") and "of 4 features drifted" in lines[0]
    assert lines[2].split()[:2] == ["feature", "type"]
    rows = [l.split() for l in lines[3:]]
    assert sorted(x[0] for x in rows) == ["colour", "shifted", "stable", "tiny"]
    j = json.loads(run("drift", "--json", str(ref), str(cur)).stdout)
    feats = {f["feature"]: f for f in j["features"]}
    # order: drifted first, then by severity, as the human table
    assert [f["feature"] for f in j["features"]] == [x[0] for x in rows]
    sev = [(not f["drifted"], -f["severity"]) for f in j["features"]]
    assert sev == sorted(sev)
    # n <= 1000: KS for numbers (SciPy's exact p-value), chi-square for labels
    ks = stats.ks_2samp(rd[1], cd[1])
    assert feats["shifted"]["result"]["metric"] == "ks"
    assert feats["shifted"]["result"]["statistic"] == pytest.approx(ks.statistic, rel=1e-12)
    assert feats["shifted"]["drifted"] and not feats["stable"]["drifted"]
    levels = sorted(set(rl) | set(cl))
    table = [[int((rl == v).sum()) for v in levels], [int((cl == v).sum()) for v in levels]]
    chi2 = stats.chi2_contingency(table, correction=False)
    assert feats["colour"]["result"]["metric"] == "chi2"
    assert feats["colour"]["result"]["statistic"] == pytest.approx(chi2[0], rel=1e-12)
    assert feats["colour"]["result"]["pvalue"] == pytest.approx(chi2[1], rel=1e-9, abs=1e-300)
    assert j["drifted_count"] == sum(f["drifted"] for f in j["features"])
    # one column only: the stable one does not drift
    r = run("drift", str(ref), str(cur), "--column", "stable")
    assert r.returncode == 0 and r.stdout.startswith("NO DRIFT: 0 of 1 feature drifted")
    r = run("drift", "--json", str(ref), str(cur), "--column", "stable", "--column", "shifted",
            "--metric", "psi")
    j = json.loads(r.stdout)
    assert [f["result"]["metric"] for f in j["features"]] == ["psi", "psi"]


def test_drift_holm_rule_numeric_columns(tmp_path):
    ref, cur, _, _ = drift_tables(tmp_path)
    r = run("drift", "--json", str(ref), str(cur), "--rule", "holm", "--column", "stable",
            "--column", "shifted", "--column", "tiny")
    j = json.loads(r.stdout)
    assert j["rule"] == "holm" and j["drifted"] and r.returncode == 1
    # label columns join the family with their chi-square p-values
    # (tests/cli/test_drift_report.py checks the adjusted values)
    r = run("drift", "--json", str(ref), str(cur), "--rule", "holm")
    j = json.loads(r.stdout)
    assert r.returncode == 1 and j["drifted"]
    colour = [f for f in j["features"] if f["feature"] == "colour"][0]
    assert colour["adjusted_pvalue"] >= colour["pvalue"]


def test_drift_bad_inputs(tmp_path):
    ref, cur, _, _ = drift_tables(tmp_path, n=50)
    r = run("drift", str(ref), str(cur), "--column", "nope")
    assert r.returncode == 2
    assert f"no column 'nope' in {ref} (columns: stable, shifted, tiny, colour)" in r.stderr
    r = run("drift", str(ref), str(tmp_path / "missing.csv"))
    assert r.returncode == 2 and "missing.csv: cannot open: No such file or directory" in r.stderr
    lines = cur.read_text().splitlines()
    lines[7] = lines[7] + ",extra"
    cur.write_text("\n".join(lines) + "\n")
    r = run("drift", str(ref), str(cur))
    assert r.returncode == 2 and f"{cur}:8: 5 fields, expected 4" in r.stderr
    r = run("drift", str(ref), str(tmp_path / "x.npy"))
    assert r.returncode == 2 and "same kind" in r.stderr
    for bad in (["--metric", "bogus"], ["--format", "xml"], ["--threshold", "x"],
                ["--bins", "0"], ["--drift-share", "2"], ["--label", "bad-key=1"],
                ["--label", "feature=x"], ["--frobnicate"]):
        r = run("drift", str(ref), str(ref), *bad)
        assert r.returncode == 2 and r.stderr.startswith("mlops drift: "), bad
    (tmp_path / "t.csv").write_text("stable\nabc\n")
    r = run("drift", str(ref), str(tmp_path / "t.csv"))
    assert r.returncode == 2 and "is numeric in" in r.stderr


def test_drift_between_profiles_carries_sketch_error(tmp_path):
    np = pytest.importorskip("numpy")
    stats = pytest.importorskip("scipy.stats")
    rng = np.random.default_rng(4)
    a, b = rng.normal(0, 1, 20000), rng.normal(0.2, 1, 20000)
    np.save(tmp_path / "a.npy", a)
    np.save(tmp_path / "b.npy", b)
    pa = build(tmp_path, tmp_path / "a.npy", name="a.prof")
    pb = build(tmp_path, tmp_path / "b.npy", name="b.prof")
    r = run("drift", "--json", str(pa), str(pb))
    j = json.loads(r.stdout)
    res = j["features"][0]["result"]
    d = stats.ks_2samp(a, b).statistic
    assert res["low"] <= d <= res["high"]
    assert res["metric"] == "ks" and res["verdict"] == "drift" and r.returncode == 1
    # identical profiles: D = 0, but the sketches' error bound reaches past the
    # critical value, so the test cannot decide: inconclusive is not a pass
    r = run("drift", str(pa), str(pa))
    assert r.returncode == 1 and r.stdout.startswith("INCONCLUSIVE: 0 of 1 feature drifted")
    j = json.loads(run("drift", "--json", str(pa), str(pa)).stdout)
    assert j["verdict"] == "inconclusive" and j["drifted"] is False
    assert j["features"][0]["result"]["verdict"] == "inconclusive"
    # share metrics need histograms, which these profiles were built without
    r = run("drift", str(pa), str(pb), "--metric", "psi")
    assert r.returncode == 2 and "no histogram" in r.stderr
    r = run("drift", str(pa), str(pb), "--metric", "energy")
    assert r.returncode == 2 and "ks or wasserstein" in r.stderr


PROM_NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
PROM_LABEL = r'[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\\\|\\"|\\n)*"'


def check_exposition(text):
    """Check the Prometheus text exposition format (version 0.0.4) line by line:
    HELP/TYPE comments, one TYPE per metric before its samples, samples of a
    metric grouped, valid names, label escapes, float values, no duplicate series."""
    import re
    sample = re.compile(rf"^({PROM_NAME})(\{{(?:{PROM_LABEL}(?:,{PROM_LABEL})*)?\}})? "
                        r"(NaN|[+-]Inf|[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)$")
    assert text.endswith("\n")
    typed, seen_series, finished, current = {}, set(), set(), None
    samples = 0
    for line in text.splitlines():
        assert line == line.strip() and line, repr(line)
        if line.startswith("# HELP "):
            name = line.split()[2]
            assert re.fullmatch(PROM_NAME, name)
        elif line.startswith("# TYPE "):
            w = line.split()
            assert len(w) == 4 and w[3] in ("counter", "gauge", "histogram", "summary", "untyped")
            assert w[2] not in typed, f"second TYPE for {w[2]}"
            typed[w[2]] = w[3]
        elif line.startswith("#"):
            continue
        else:
            m = sample.match(line)
            assert m, f"bad sample line {line!r}"
            name = m.group(1)
            assert name in typed, f"{name} has no TYPE before it"
            if name != current:
                assert name not in finished, f"samples of {name} are not grouped"
                if current:
                    finished.add(current)
                current = name
            series = (name, m.group(2))
            assert series not in seen_series, f"duplicate series {series}"
            seen_series.add(series)
            samples += 1
    return samples


def test_drift_prometheus_exposition_is_valid(tmp_path):
    ref, cur, _, _ = drift_tables(tmp_path, n=300)
    # a hostile feature name: quote, backslash
    for p in (ref, cur):
        t = p.read_text().split("\n", 1)
        p.write_text(t[0].replace("tiny", '"we""ird\\name"') + "\n" + t[1])
    r = run("drift", str(ref), str(cur), "--format", "prometheus", "--label", "model=fraud",
            "--label", "window=w3")
    assert r.returncode == 1, r.stderr
    n = check_exposition(r.stdout)
    assert n >= 4 * 6 + 3
    assert 'feature="we\\"ird\\\\name"' in r.stdout
    assert 'mlops_drift_dataset_detected{model="fraud",window="w3"} 1' in r.stdout
    assert 'mlops_drift_detected{model="fraud",window="w3",feature="shifted",metric="ks"} 1' \
        in r.stdout
    (tmp_path / "m.prom").write_text(r.stdout)
    import shutil
    promtool = os.environ.get("PROMTOOL") or shutil.which("promtool")
    if promtool:
        c = subprocess.run([promtool, "check", "metrics"], input=r.stdout, text=True,
                           capture_output=True)
        assert c.returncode == 0, c.stdout + c.stderr


def test_promtool_accepts_the_exposition(tmp_path):
    import shutil
    promtool = os.environ.get("PROMTOOL") or shutil.which("promtool")
    if not promtool:
        pytest.skip("promtool (Debian package prometheus) is not installed")
    ref, cur, _, _ = drift_tables(tmp_path, n=200)
    out = run("drift", str(ref), str(cur), "--format", "prometheus").stdout
    c = subprocess.run([promtool, "check", "metrics"], input=out, text=True, capture_output=True)
    assert c.returncode == 0, c.stdout + c.stderr


def test_drift_signals_feed_policy_eval(tmp_path):
    ref, cur, _, _ = drift_tables(tmp_path, n=300)
    r = run("drift", str(ref), str(cur), "--metric", "psi", "--column", "stable",
            "--column", "shifted", "--format", "signals")
    sig = tmp_path / "w.signals"
    sig.write_text(r.stdout)
    lines = dict((l.split()[0], l.split()[1:]) for l in r.stdout.splitlines())
    assert set(lines) == {"psi.stable", "psi.shifted", "drift.share"}
    assert lines["psi.shifted"][1] == "samples=300"
    r = run("policy", "eval", "--json", RETRAIN, "--signals", str(sig),
            "--now", "2026-01-01T00:00:00Z")
    assert json.loads(r.stdout)["action"] == "warn"


def html_report(tmp_path):
    ref, cur, _, _ = drift_tables(tmp_path, n=400)
    html = tmp_path / "report.html"
    r = run("drift", str(ref), str(cur), "--html", str(html))
    assert r.returncode == 1, r.stderr
    return html, r


def test_drift_html_is_self_contained_and_ordered(tmp_path):
    html, r = html_report(tmp_path)
    text = html.read_text()
    assert text.startswith("<!DOCTYPE html>")
    low = text.lower()
    assert "<script" not in low and "<link" not in low and "@import" not in low
    assert "url(" not in low and "src=" not in low
    import re
    assert set(re.findall(r'https?://[^"]+', text)) == {"http://www.w3.org/2000/svg"}
    assert text.count("<svg") == 4 and text.count("</svg>") == 4
    # dataset verdict before the table, features sorted as the text output
    assert text.index('id="dataset-verdict"') < text.index("<table")
    order = [l.split()[0] for l in r.stdout.splitlines()[3:]]
    pos = [text.index(f"<h2>{name} ") for name in order]
    assert pos == sorted(pos)
    from html.parser import HTMLParser

    class Check(HTMLParser):
        def __init__(self):
            super().__init__()
            self.stack = []

        def handle_starttag(self, tag, attrs):
            if tag not in ("meta", "line", "rect", "br"):
                self.stack.append(tag)

        def handle_startendtag(self, tag, attrs):
            pass

        def handle_endtag(self, tag):
            if tag in ("line", "rect"):
                return
            assert self.stack and self.stack[-1] == tag, (tag, self.stack[-3:])
            self.stack.pop()
    c = Check()
    c.feed(text)
    assert c.stack == []


def test_drift_html_renders_in_headless_chromium(tmp_path):
    import shutil
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        pytest.skip("chromium is not installed")
    html, _ = html_report(tmp_path)
    png = tmp_path / "report.png"
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={tmp_path / 'profile'}", "--enable-logging=stderr", "--v=0",
             "--hide-scrollbars"]
    r = subprocess.run([chromium, *flags, f"--screenshot={png}", "--window-size=1200,1600",
                        html.as_uri()], capture_output=True, text=True, timeout=120)
    assert png.exists(), r.stderr[-2000:]
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    w, h = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert (w, h) == (1200, 1600)
    assert 20_000 < len(data) < 5_000_000   # a rendered page, not a blank one
    assert "Uncaught" not in r.stderr and "ERROR:CONSOLE" not in r.stderr
    assert ":CONSOLE(" not in r.stderr
    d = subprocess.run([chromium, *flags, "--dump-dom", html.as_uri()], capture_output=True,
                       text=True, timeout=120)
    assert 'id="dataset-verdict"' in d.stdout and d.stdout.count("<svg") == 4
    assert "Uncaught" not in d.stderr and ":CONSOLE(" not in d.stderr

def test_drift_writes_prometheus_file_atomically(tmp_path):
    ref, cur, _, _ = drift_tables(tmp_path, n=200)
    out = tmp_path / "textfile" / "drift.prom"
    out.parent.mkdir()
    r = run("drift", str(ref), str(cur), "--format", "prometheus", "-o", str(out))
    assert r.returncode == 1 and r.stdout == ""
    assert check_exposition(out.read_text()) > 0
    assert os.listdir(out.parent) == ["drift.prom"]
    r = run("drift", str(ref), str(cur), "-o", str(out))
    assert r.returncode == 2 and "-o applies to" in r.stderr



# ---------------------------------------------------------------------------
# inspect and diff (tests/vectors/manifest: digests from Node, the diff JSON)
# ---------------------------------------------------------------------------

MANIFESTS = os.path.join(VECTORS, "manifest")


def test_inspect_manifest_shows_digests_and_canonical_json():
    expected = dict(l.split() for l in open(os.path.join(MANIFESTS, "expected.txt"))
                    if l.strip() and not l.startswith("#") and len(l.split()) == 2)
    for name in ("parent", "child"):
        p = os.path.join(MANIFESTS, f"{name}.json")
        r = run("inspect", p)
        assert r.returncode == 0
        assert f"statement    sha256:{expected[name + '.statement']}" in r.stdout
        assert f"tree         sha256:{expected[name + '.tree']}" in r.stdout
        j = run("inspect", "--json", p)
        assert json.loads(j.stdout) == json.load(open(p))
        # canonical bytes hash to the statement digest
        assert hashlib.sha256(j.stdout.rstrip("\n").encode()).hexdigest() == \
            expected[name + ".statement"]
    r = run("inspect", os.path.join(MANIFESTS, "child.json"))
    assert "model/model.onnx" in r.stdout and "(3 shards)" in r.stdout
    assert "parent       fraud-detector 1.3.2" in r.stdout


def test_diff_json_is_the_librarys_vector_and_human_table():
    a, b = (os.path.join(MANIFESTS, f) for f in ("parent.json", "child.json"))
    r = run("diff", "--json", a, b)
    assert r.returncode == 0
    assert r.stdout == open(os.path.join(MANIFESTS, "diff.json")).read().rstrip("\n") + "\n"
    r = run("diff", a, b)
    assert r.returncode == 0
    assert r.stdout.startswith("fraud-detector 1.3.2 -> fraud-detector 1.4.0-rc.1\n"
                               "relation: 1.4.0-rc.1 is a child of 1.3.2\n")
    assert "+ README.md" in r.stdout and "- extra/notes.txt" in r.stdout
    row = next(l for l in r.stdout.splitlines() if l.strip().startswith("auc "))
    assert row.split()[1:4] == ["0.9", "0.912", "+0.012"]
    r = run("diff", "--json", a, a)
    assert json.loads(r.stdout)["relation"] == "same"


def bad_manifest_cases():
    out = []
    for line in open(os.path.join(MANIFESTS, "bad", "cases.txt")):
        w = line.split()
        if len(w) == 3 and not w[0].startswith("#"):
            out.append(w)
    return out


@pytest.mark.parametrize("case", bad_manifest_cases(), ids=lambda c: c[0])
def test_inspect_rejects_bad_manifests_with_the_path(case):
    name, code, path = case
    p = os.path.join(MANIFESTS, "bad", f"{name}.json")
    if not os.path.exists(p):
        pytest.skip("no file for the case")
    r = run("inspect", p)
    assert r.returncode == 2 and r.stderr.startswith(f"mlops inspect: {p}: ")
    if path != "-":
        assert path in r.stderr
    r = run("diff", p, os.path.join(MANIFESTS, "child.json"))
    assert r.returncode == 2


def test_inspect_and_diff_usage_errors(tmp_path):
    assert run("inspect").returncode == 2
    r = run("inspect", str(tmp_path / "none.json"))
    assert r.returncode == 2 and "cannot open" in r.stderr
    assert run("diff", os.path.join(MANIFESTS, "child.json")).returncode == 2
    assert run("inspect", "--bogus", "x").returncode == 2


# ---------------------------------------------------------------------------
# keygen, pack, sign, verify, extract, store (the demo's artifact steps)
# ---------------------------------------------------------------------------

@pytest.fixture
def model_dir(tmp_path):
    d = tmp_path / "model"
    (d / "weights").mkdir(parents=True)
    (d / "weights" / "model.onnx").write_bytes(os.urandom(300_000))
    (d / "config.json").write_text('{"threshold": 0.5}\n')
    return d


def keygen(tmp_path, name):
    r = run("keygen", "-o", str(tmp_path / f"{name}.pem"))
    assert r.returncode == 0, r.stderr
    kid = r.stdout.split()[1]
    return tmp_path / f"{name}.pem", tmp_path / f"{name}.pub.pem", kid


def test_keygen_writes_pem_pair_and_key_id(tmp_path):
    priv, pub, kid = keygen(tmp_path, "k")
    assert oct(priv.stat().st_mode & 0o777) == "0o600"
    assert "BEGIN PRIVATE KEY" in priv.read_text() and "BEGIN PUBLIC KEY" in pub.read_text()
    # the key id is SHA-256 of the DER SubjectPublicKeyInfo
    import base64
    der = base64.b64decode("".join(l for l in pub.read_text().splitlines() if "-----" not in l))
    assert kid == hashlib.sha256(der).hexdigest()
    r = run("keygen", "-o", str(priv))
    assert r.returncode == 2 and "cannot create" in r.stderr


def pack(tmp_path, model_dir, out, version="1.0.0", *extra):
    r = run("pack", str(model_dir), "-o", str(out), "--name", "fraud", "--version", version,
            "--created", "2026-11-26T10:00:00Z", "--metric", "auc=0.91",
            "--param", "lr=0.01", "--param", "optimizer=adam", *extra)
    assert r.returncode == 0, r.stderr
    return r


def test_pack_sign_verify_extract_round_trip(tmp_path, model_dir):
    priv, pub, kid = keygen(tmp_path, "a")
    priv2, pub2, kid2 = keygen(tmp_path, "b")
    pkg = tmp_path / "m.mlpkg"
    r = pack(tmp_path, model_dir, pkg, "1.0.0", "--key", str(priv))
    assert "packed fraud 1.0.0 (2 files, signed)" in r.stdout
    # reproducible: the same inputs give the same bytes
    pack(tmp_path, model_dir, tmp_path / "again.mlpkg", "1.0.0", "--key", str(priv))
    assert (tmp_path / "again.mlpkg").read_bytes() == pkg.read_bytes()
    r = run("verify", str(pkg), "--trust", str(pub))
    assert r.returncode == 0 and "verified fraud 1.0.0: 2 files checked" in r.stdout
    j = json.loads(run("verify", "--json", str(pkg), "--trust", str(pub)).stdout)
    assert j["valid"] is True and j["signed"] is True and j["files_verified"] == 2
    r = run("verify", str(pkg), "--trust", str(pub2))
    assert r.returncode == 1 and "FAILED" in r.stdout
    # a second signature, then a threshold of two
    r = run("sign", str(pkg), "-o", str(tmp_path / "m2.mlpkg"), "--key", str(priv2),
            "--trust", str(pub))
    assert r.returncode == 0 and kid2 in r.stdout
    r = run("verify", str(tmp_path / "m2.mlpkg"), "--trust", str(pub), "--trust", str(pub2),
            "--threshold", "2")
    assert r.returncode == 0
    r = run("verify", str(pkg), "--trust", str(pub), "--trust", str(pub2), "--threshold", "2")
    assert r.returncode == 1
    # inspect shows the statement; the files' digests are the files' SHA-256
    j = json.loads(run("inspect", "--json", str(pkg)).stdout)
    files = {f["path"]: f for f in j["predicate"]["files"]}
    data = (model_dir / "weights" / "model.onnx").read_bytes()
    assert files["weights/model.onnx"]["digest"]["sha256"] == hashlib.sha256(data).hexdigest()
    assert files["weights/model.onnx"]["size"] == len(data)
    assert j["predicate"]["parameters"] == {"lr": 0.01, "optimizer": "adam"}
    dest = tmp_path / "out"
    r = run("extract", str(pkg), str(dest), "--trust", str(pub))
    assert r.returncode == 0
    assert (dest / "weights" / "model.onnx").read_bytes() == data
    assert (dest / "config.json").read_text() == '{"threshold": 0.5}\n'


def test_verify_reports_tampering(tmp_path, model_dir):
    priv, pub, _ = keygen(tmp_path, "a")
    pkg = tmp_path / "m.mlpkg"
    pack(tmp_path, model_dir, pkg, "1.0.0", "--key", str(priv))
    data = bytearray(pkg.read_bytes())
    needle = (model_dir / "weights" / "model.onnx").read_bytes()[1000:1032]
    k = bytes(data).find(needle)
    assert k > 0
    data[k] ^= 0x01
    bad = tmp_path / "bad.mlpkg"
    bad.write_bytes(bytes(data))
    r = run("verify", str(bad), "--trust", str(pub))
    assert r.returncode == 1 and "MLOPS_E_INTEGRITY" in r.stdout
    r = run("extract", str(bad), str(tmp_path / "x"), "--trust", str(pub))
    assert r.returncode == 1 and not (tmp_path / "x").exists()
    assert run("verify", str(bad)).returncode == 2   # neither --trust nor --allow-unsigned
    r = run("verify", str(tmp_path / "none.mlpkg"), "--allow-unsigned")
    assert r.returncode == 2


def test_store_add_alias_resolve_export_gc(tmp_path, model_dir):
    priv, pub, _ = keygen(tmp_path, "a")
    p1, p2 = tmp_path / "v1.mlpkg", tmp_path / "v2.mlpkg"
    pack(tmp_path, model_dir, p1, "1.0.0", "--key", str(priv))
    (model_dir / "config.json").write_text('{"threshold": 0.6}\n')
    pack(tmp_path, model_dir, p2, "1.1.0", "--key", str(priv), "--parent", str(p1))
    store = tmp_path / "store"
    for p in (p1, p2):
        r = run("store", "add", str(store), str(p), "--trust", str(pub))
        assert r.returncode == 0, r.stderr
    assert "added fraud:1.1.0" in r.stdout
    r = run("store", "list", str(store))
    tags = [l.split()[0] for l in r.stdout.splitlines()]
    assert tags == ["fraud:1.0.0", "fraud:1.1.0"]
    r = run("store", "alias", str(store), "fraud", "production", "1.0.0")
    assert r.returncode == 0 and "fraud:production -> 1.0.0" in r.stdout
    r = run("store", "alias", str(store), "fraud", "production", "1.1.0")
    assert "fraud:production -> 1.1.0 (was 1.0.0)" in r.stdout
    j = json.loads(run("store", "alias", "--json", str(store), "fraud", "production").stdout)
    assert j["history"] == ["1.0.0", "1.1.0"]
    d1 = run("store", "resolve", str(store), "fraud:production").stdout.strip()
    d2 = run("store", "resolve", str(store), "fraud:1.1.0").stdout.strip()
    assert d1 == d2 and d1.startswith("sha256:")
    r = run("store", "export", str(store), "fraud:1.0.0", str(tmp_path / "back.mlpkg"))
    assert r.returncode == 0
    assert (tmp_path / "back.mlpkg").read_bytes() == p1.read_bytes()
    assert run("store", "check", str(store)).returncode == 0
    assert run("store", "gc", str(store)).stdout.startswith("removed 0 unreachable blob")
    # diff between the packages: parent relation and the changed config
    r = run("diff", str(p1), str(p2))
    assert "relation: 1.1.0 is a child of 1.0.0" in r.stdout and "~ config.json" in r.stdout
    r = run("store", "alias", str(store), "fraud", "production", "9.9.9")
    assert r.returncode == 2
    r = run("store", "resolve", str(store), "fraud:nothing")
    assert r.returncode == 2
    assert run("store", "frob", str(store)).returncode == 2
    assert run("store", "list", str(tmp_path / "nostore")).returncode == 2


def test_gate_reads_metrics_from_packages(tmp_path, model_dir):
    pol = tmp_path / "gate.json"
    pol.write_text(json.dumps({
        "schema": "libmlops.policy/v1", "policy_id": "demo-gate", "revision": 1,
        "signals": {"auc": {"kind": "metric", "better": "higher", "range": [0, 1]}},
        "gate": {"metrics": {"auc": {"min": 0.8, "max_regression": 0.01}}}, "rules": []}))
    champ, good, bad = (tmp_path / f"{v}.mlpkg" for v in ("champ", "good", "bad"))
    for path, ver, auc in ((champ, "1.0.0", "0.90"), (good, "1.1.0", "0.92"),
                           (bad, "1.1.1", "0.85")):
        r = run("pack", str(model_dir), "-o", str(path), "--name", "fraud", "--version", ver,
                "--metric", f"auc={auc}")
        assert r.returncode == 0, r.stderr
    r = run("gate", str(pol), "--candidate", str(good), "--champion", str(champ))
    assert r.returncode == 0 and ": promote (0 of 4 checks block)" in r.stdout
    r = run("gate", "--json", str(pol), "--candidate", str(bad), "--champion", str(champ))
    assert r.returncode == 1 and json.loads(r.stdout)["action"] == "block_promotion"


def test_hostile_csv_and_npy_never_crash(tmp_path):
    """Random mutations of valid inputs: every run ends with 0 or 2, never a signal."""
    import random
    rng = random.Random(2026)
    base_csv = b'a,b,"c"\n1.5,x,"q""q"\n-2e3,,3\n"4",y,NA\r\n'
    base_npy = npy_bytes("{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }",
                         b"\x00" * 8 + b"\xf0\x3f" * 4 + b"\x01" * 8)
    for i in range(80):
        for base, name in ((base_csv, "m.csv"), (base_npy, "m.npy")):
            data = bytearray(base)
            for _ in range(rng.randint(1, 6)):
                op = rng.random()
                k = rng.randrange(len(data) + 1)
                if op < 0.4 and data:
                    data[k % len(data)] = rng.randrange(256)
                elif op < 0.7:
                    data[k:k] = bytes([rng.choice(b'",\r\n\x00ae.-+9')])
                else:
                    del data[k:k + rng.randint(1, 4)]
            p = tmp_path / name
            p.write_bytes(bytes(data))
            args = ["profile", "build", str(p), "-o", str(tmp_path / "o.prof")]
            if name.endswith(".csv"):
                args += ["--column", "a"]
            r = run(*args)
            assert r.returncode in (0, 2), (bytes(data), r.returncode, r.stderr)
            if r.returncode == 2:
                assert r.stderr.startswith("mlops profile: ")


# ---------------------------------------------------------------------------
# The demo's monitoring loop on the shipped data (examples/data/diamonds)
# ---------------------------------------------------------------------------

EXAMPLES = os.path.join(os.path.dirname(__file__), "..", "..", "examples")


def test_demo_windows_drift_then_retrain_then_cooldown(tmp_path):
    data = os.path.join(EXAMPLES, "data", "diamonds")
    policy = os.path.join(EXAMPLES, "demo", "retrain-policy.json")
    if not os.path.exists(policy):
        pytest.skip("demo policy not present")
    ref = os.path.join(data, "reference.csv")
    st = tmp_path / "state.json"
    actions = []
    for k in range(1, 7):
        win = os.path.join(data, f"window-{k:02d}.csv")
        sig = tmp_path / f"w{k}.signals"
        r = run("drift", ref, win, "--format", "signals", "-o", str(sig))
        assert r.returncode in (0, 1), r.stderr
        args = ["policy", "eval", "--json", policy, "--signals", str(sig),
                "--now", f"2026-11-26T{8 + k:02d}:00:00Z", "--state-out", str(st)]
        if k > 1:
            args += ["--state-in", str(st)]
        r = run(*args)
        j = json.loads(r.stdout)
        actions.append((j["action"], r.returncode))
    # quiet windows, a warning, RETRAIN once drift held two windows, then cooldown
    assert actions[:3] == [("none", 0)] * 3
    assert actions[3] == ("warn", 0) and actions[4] == ("retrain", 1)
    assert actions[5] == ("warn", 0)
    r = run("policy", "eval", policy, "--signals", str(tmp_path / "w6.signals"),
            "--now", "2026-11-26T15:00:00Z", "--state-in", str(st))
    assert "COOLDOWN" in r.stdout
    html = tmp_path / "w6.html"
    prom = tmp_path / "w6.prom"
    r = run("drift", ref, os.path.join(data, "window-06.csv"), "--html", str(html),
            "--format", "prometheus", "-o", str(prom), "--label", "window=6")
    assert r.returncode == 1 and html.stat().st_size > 5000
    assert check_exposition(prom.read_text()) > 0


# ---- drift between stored profiles: histograms and category counts ----------

DIAMONDS = os.path.join(os.path.dirname(__file__), "..", "..", "examples", "data", "diamonds")


def test_profile_histograms_compare_with_psi_like_numpy(tmp_path):
    np = pytest.importorskip("numpy")
    ref_csv, cur_csv = os.path.join(DIAMONDS, "reference.csv"), os.path.join(DIAMONDS, "window-05.csv")
    ref = build(tmp_path, ref_csv, "--column", "carat", "--bins", "10", name="ref.prof")
    cur = build(tmp_path, cur_csv, "--column", "carat", "--edges-from", str(ref), name="cur.prof")
    edges = np.array(show(ref)["histogram"]["edges"])
    assert show(cur)["histogram"]["edges"] == list(edges)
    r = run("drift", str(ref), str(cur), "--metric", "psi", "--json")
    assert r.returncode == 1, r.stderr          # drift found
    res = json.loads(r.stdout)["features"][0]["result"]
    # Oracle: the contract's PSI in NumPy. Bin index = number of edges <= x,
    # counts smoothed by 0.5 and renormalised, PSI = sum (q - p) ln(q / p).
    a = np.genfromtxt(ref_csv, delimiter=",", names=True)["carat"]
    b = np.genfromtxt(cur_csv, delimiter=",", names=True)["carat"]
    ca = np.bincount(np.searchsorted(edges, a, side="right"), minlength=len(edges) + 1)
    cb = np.bincount(np.searchsorted(edges, b, side="right"), minlength=len(edges) + 1)
    assert res["ref_counts"] == ca.tolist() and res["cur_counts"] == cb.tolist()
    k = len(ca)
    p = (ca + 0.5) / (ca.sum() + 0.5 * k)
    q = (cb + 0.5) / (cb.sum() + 0.5 * k)
    assert res["statistic"] == pytest.approx(float(np.sum((q - p) * np.log(q / p))), rel=1e-12)
    # other share metrics from the same histograms
    js = json.loads(run("drift", str(ref), str(cur), "--metric", "js", "--json").stdout)
    assert js["features"][0]["result"]["metric"] == "js"


def test_categorical_profiles_compare_like_the_csv_columns(tmp_path):
    scipy_stats = pytest.importorskip("scipy.stats")
    np = pytest.importorskip("numpy")
    ref_csv, cur_csv = os.path.join(DIAMONDS, "reference.csv"), os.path.join(DIAMONDS, "window-05.csv")
    ref = build(tmp_path, ref_csv, "--column", "cut", name="ref.prof")
    cur = build(tmp_path, cur_csv, "--column", "cut", name="cur.prof")
    prof = json.loads(run("drift", str(ref), str(cur), "--json").stdout)["features"][0]["result"]
    csv = json.loads(run("drift", ref_csv, cur_csv, "--column", "cut", "--json").stdout)
    assert prof["metric"] == "js"
    assert prof["statistic"] == pytest.approx(csv["features"][0]["result"]["statistic"], rel=1e-12)
    chi = json.loads(run("drift", str(ref), str(cur), "--metric", "chi2", "--json").stdout)
    res = chi["features"][0]["result"]
    table = np.array([res["ref_counts"], res["cur_counts"]])
    stat, pvalue, dof, _ = scipy_stats.chi2_contingency(table, correction=False)
    assert res["statistic"] == pytest.approx(stat, rel=1e-12)
    assert res["pvalue"] == pytest.approx(pvalue, rel=1e-9)
    assert res["dof"] == dof


def test_profile_drift_refuses_mismatches(tmp_path):
    ref_csv = os.path.join(DIAMONDS, "reference.csv")
    num = build(tmp_path, ref_csv, "--column", "carat", "--bins", "10", name="num.prof")
    other = build(tmp_path, ref_csv, "--column", "carat", "--bins", "5", name="other.prof")
    cat = build(tmp_path, ref_csv, "--column", "cut", name="cat.prof")
    r = run("drift", str(num), str(cat))
    assert r.returncode == 2 and "numeric reference profile with a categorical" in r.stderr
    r = run("drift", str(num), str(other), "--metric", "psi")
    assert r.returncode == 2 and "edge" in r.stderr
    r = run("profile", "build", ref_csv, "--column", "carat", "--bins", "5",
            "--edges-from", str(num), "-o", str(tmp_path / "x.prof"))
    assert r.returncode == 2 and "not both" in r.stderr
    assert not (tmp_path / "x.prof").exists()
    r = run("profile", "build", ref_csv, "--column", "cut", "--edges-from", str(num),
            "-o", str(tmp_path / "y.prof"))
    assert r.returncode == 2 and "numeric columns" in r.stderr


def test_layout_export_rebuilds_the_package_from_an_oci_layout(tmp_path, model_dir):
    """A .mlpkg is the tar of an OCI layout: unpacked (as a registry pull leaves
    it) and exported with its detached envelope, it is the same package again."""
    import tarfile
    priv, pub, _ = keygen(tmp_path, "a")
    pkg = tmp_path / "m.mlpkg"
    pack(tmp_path, model_dir, pkg, "1.0.0", "--key", str(priv))
    layout = tmp_path / "layout"
    with tarfile.open(pkg) as t:
        t.extractall(layout, filter="data")
        index = json.loads(t.extractfile("index.json").read())
        # the signature travels detached: the referrer manifest's one layer
        ref = json.loads(t.extractfile("blobs/sha256/" + index["manifests"][1]["digest"][7:]).read())
        envelope = t.extractfile("blobs/sha256/" + ref["layers"][0]["digest"][7:]).read()
    (tmp_path / "m.sig").write_bytes(envelope)
    out = tmp_path / "back.mlpkg"
    r = run("layout-export", str(layout), "1.0.0", "-o", str(out), "--envelope", str(tmp_path / "m.sig"),
            env={"SOURCE_DATE_EPOCH": ""})
    assert r.returncode == 0, r.stderr
    assert hashlib.sha256(out.read_bytes()).hexdigest() == hashlib.sha256(pkg.read_bytes()).hexdigest()
    assert run("verify", str(out), "--trust", str(pub)).returncode == 0
    # without the envelope: the content, unsigned
    r = run("layout-export", "--json", str(layout), "1.0.0", "-o", str(tmp_path / "u.mlpkg"))
    assert r.returncode == 0 and json.loads(r.stdout)["signed"] is False
    assert run("verify", str(tmp_path / "u.mlpkg"), "--allow-unsigned").returncode == 0
    assert run("verify", str(tmp_path / "u.mlpkg"), "--trust", str(pub)).returncode == 1
    # bad input: no such reference, an existing output, a damaged blob
    r = run("layout-export", str(layout), "9.9.9", "-o", str(tmp_path / "x.mlpkg"))
    assert r.returncode == 2 and not (tmp_path / "x.mlpkg").exists()
    r = run("layout-export", str(layout), "1.0.0", "-o", str(out))
    assert r.returncode == 2 and "exists" in r.stderr
    blob = max((layout / "blobs" / "sha256").iterdir(), key=lambda p: p.stat().st_size)
    data = bytearray(blob.read_bytes())
    data[len(data) // 2] ^= 1
    blob.write_bytes(bytes(data))
    r = run("layout-export", str(layout), "1.0.0", "-o", str(tmp_path / "y.mlpkg"))
    assert r.returncode == 1 and "does not hash to its name" in r.stderr
    assert not (tmp_path / "y.mlpkg").exists()
