"""`--format github` (drift, gate, verify): GitHub Actions workflow commands,
the step summary and the outputs (docs/ci.md).

Oracles: the annotations are rebuilt line by line from the command's own
--json document with GitHub's documented escaping (workflow commands: % CR LF
in data; also : and , in properties), SciPy's two-sample KS test for a
statistic, hashlib for package digests, and the GitHub output-file syntax
(key=value, key<<DELIMITER heredocs) parsed here.
"""
import hashlib
import json
import os
import re
import subprocess

import pytest

CLI = os.environ.get("MLOPS_CLI", "mlops")
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DIAMONDS = os.path.join(ROOT, "examples", "data", "diamonds")
REF = os.path.join(DIAMONDS, "reference.csv")
W06 = os.path.join(DIAMONDS, "window-06.csv")
W01 = os.path.join(DIAMONDS, "window-01.csv")
GATE_POLICY = os.path.join(ROOT, "examples", "demo", "gate-policy.json")


def esc_data(s):
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def human(x):
    """The command's number formatter for people, as documented: %.4g, and an
    integer-valued number below 2^53 exactly."""
    if float(x).is_integer() and abs(x) < 2**53:
        return str(int(x))
    return f"{x:.4g}"


def esc_prop(s):
    return esc_data(s).replace(":", "%3A").replace(",", "%2C")


def g4(v):
    return "-" if v is None else "%.4g" % v


def parse_outputs(text):
    """GITHUB_OUTPUT syntax: NAME=VALUE or NAME<<DELIM / lines / DELIM."""
    out, lines, i = {}, text.split("\n"), 0
    while i < len(lines):
        line = lines[i]
        i += 1
        if not line:
            continue
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            key, delim = line.split("<<", 1)
            body = []
            while lines[i] != delim:
                body.append(lines[i])
                i += 1
            i += 1
            out[key] = "\n".join(body)
        else:
            key, value = line.split("=", 1)
            out[key] = value
    return out


def run(tmp_path, *args, summary=True, output=True, env_extra=None):
    env = dict(os.environ)
    env.pop("GITHUB_STEP_SUMMARY", None)
    env.pop("GITHUB_OUTPUT", None)
    s, o = tmp_path / "summary.md", tmp_path / "output.txt"
    if summary:
        env["GITHUB_STEP_SUMMARY"] = str(s)
    if output:
        env["GITHUB_OUTPUT"] = str(o)
    env.update(env_extra or {})
    p = subprocess.run([CLI, *args], capture_output=True, text=True, env=env)
    return (p, s.read_text() if s.exists() else None,
            parse_outputs(o.read_text()) if o.exists() else None)


def jrun(*args):
    p = subprocess.run([CLI, *args, "--json"], capture_output=True, text=True)
    return p.returncode, json.loads(p.stdout)


def drift_annotations(doc):
    """The annotations --format github must print, from the --json report."""
    lines = []
    for f in doc["features"]:
        r = f["result"]
        if not (f["drifted"] or r.get("inconclusive")):
            continue
        adj = f["adjusted_pvalue"]
        if adj is not None:
            extra, th = ", %s-adjusted p-value %s" % (doc["rule"], g4(adj)), "adj p < " + g4(doc["rule_value"])
        else:
            extra = ""
            th = (">= " if r["direction"] == ">=" else "p < ") + g4(r["threshold"])
        level = "error" if f["drifted"] and doc["drifted"] else "warning"
        msg = "%s %s (%s, %s): statistic %s, p-value %s%s, threshold %s" % (
            f["feature"], "drifted" if f["drifted"] else "inconclusive", f["type"], r["metric"],
            g4(r["statistic"]), g4(r["pvalue"]), extra, th)
        lines.append("::%s title=%s::%s" % (level, esc_prop("mlops drift: " + f["feature"]), esc_data(msg)))
    return lines


def test_drift_window06_annotations_summary_outputs(tmp_path):
    code, doc = jrun("drift", REF, W06)
    p, summary, out = run(tmp_path, "drift", REF, W06, "--format", "github")
    assert p.returncode == code == 1
    expected = drift_annotations(doc)
    assert len(expected) == doc["drifted_count"] == 9
    assert p.stdout.splitlines() == expected
    assert expected[0] == ("::error title=mlops drift%3A carat::carat drifted (numeric, "
                           "wasserstein_normed): statistic " + g4(doc["features"][0]["result"]["statistic"])
                           + ", p-value -, threshold >= 0.1")
    # the summary: verdict line, one table row per feature in the report's order
    assert summary.startswith("## mlops drift\n\n**DRIFT**: 9 of 10 features drifted "
                              "(rule share: drifted share 0.9 >= 0.5).\n")
    rows = [l for l in summary.splitlines() if l.startswith("| ") and not l.startswith(("| feature", "| ---"))]
    assert len(rows) == len(doc["features"])
    for row, f in zip(rows, doc["features"]):
        r = f["result"]
        assert row == "| %s | %s | %s | %s | %s | >= %s | %s |" % (
            f["feature"], f["type"], r["metric"], g4(r["statistic"]), g4(r["pvalue"]),
            g4(r["threshold"]), "**DRIFT**" if f["drifted"] else "ok")
    assert "Exit status 1: drift found." in summary
    drifted = [f["feature"] for f in doc["features"] if f["drifted"]]
    assert out["verdict"] == "drift" and out["exit_code"] == "1"
    assert out["drifted_count"] == "9" and out["features_count"] == "10"
    assert float(out["drifted_share"]) == 0.9
    assert out["drifted_features"].split("\n") == drifted
    assert json.loads(out["drifted_features_json"]) == drifted


def test_drift_window06_statistics_match_scipy(tmp_path):
    """The numeric features' annotated statistics against SciPy: normalised
    Wasserstein distance (distance / reference standard deviation)."""
    np = pytest.importorskip("numpy")
    scipy_stats = pytest.importorskip("scipy.stats")
    import csv
    p, _, _ = run(tmp_path, "drift", REF, W06, "--format", "github")
    def col(path, name):
        with open(path, newline="") as fh:
            return np.array([float(r[name]) for r in csv.DictReader(fh)])
    seen = 0
    for line in p.stdout.splitlines():
        m = re.match(r"::error title=mlops drift%3A (\w+)::\1 drifted \(numeric, wasserstein_normed\): "
                     r"statistic (\S+), p-value -, threshold >= 0\.1$", line)
        if m:
            a, b = col(REF, m.group(1)), col(W06, m.group(1))
            assert m.group(2) == g4(scipy_stats.wasserstein_distance(a, b) / np.std(a))
            seen += 1
    assert seen == 6  # carat, price, x, y, z, table (depth stays below 0.1)


def test_drift_no_drift_is_a_notice(tmp_path):
    code, doc = jrun("drift", REF, W01)
    p, summary, out = run(tmp_path, "drift", REF, W01, "--format", "github")
    assert p.returncode == code == 0 and doc["drifted_count"] == 0
    assert p.stdout.splitlines() == [
        "::notice title=mlops drift::NO DRIFT: 0 of 10 features drifted "
        "(rule share: drifted share 0 < 0.5)"]
    assert "**NO DRIFT**" in summary and "Exit status 0: no drift." in summary
    assert out["verdict"] == "no_drift" and out["exit_code"] == "0"
    assert out["drifted_features"] == "" and out["drifted_features_json"] == "[]"


def test_drifted_features_under_a_share_not_reached_are_warnings(tmp_path):
    code, doc = jrun("drift", REF, W06, "--drift-share", "1")
    p, summary, out = run(tmp_path, "drift", REF, W06, "--drift-share", "1", "--format", "github")
    assert p.returncode == code == 0 and not doc["drifted"]
    lines = p.stdout.splitlines()
    assert lines[:-1] == drift_annotations(doc)
    assert all(l.startswith("::warning ") for l in lines[:-1]) and len(lines) == 10
    assert lines[-1].startswith("::notice title=mlops drift::NO DRIFT: 9 of 10 features drifted")
    assert out["verdict"] == "no_drift" and out["drifted_count"] == "9"


def test_adjusted_pvalues_and_scipy_statistic(tmp_path):
    scipy_stats = pytest.importorskip("scipy.stats")
    import csv
    args = ["drift", REF, W06, "--column", "depth", "--column", "carat", "--metric", "ks",
            "--rule", "holm"]
    code, doc = jrun(*args)
    p, summary, out = run(tmp_path, *args, "--format", "github")
    assert p.returncode == code
    assert p.stdout.splitlines() == drift_annotations(doc) + (
        [] if doc["drifted"] else [p.stdout.splitlines()[-1]])
    def col(path, name):
        with open(path, newline="") as fh:
            return [float(r[name]) for r in csv.DictReader(fh)]
    # SciPy's two-sample KS test and Holm's step-down adjustment over the two
    ks = {n: scipy_stats.ks_2samp(col(REF, n), col(W06, n)) for n in ("depth", "carat")}
    order = sorted(ks, key=lambda n: ks[n].pvalue)
    holm, running = {}, 0.0
    for i, n in enumerate(order):
        running = max(running, min(1.0, (len(order) - i) * ks[n].pvalue))
        holm[n] = running
    lines = p.stdout.splitlines()
    assert len(lines) == 2 and doc["drifted"]
    for n in order:
        assert "::error title=mlops drift%%3A %s::%s drifted (numeric, ks): statistic %s, p-value %s, " \
            "holm-adjusted p-value %s, threshold adj p < 0.05" % (
                n, n, g4(ks[n].statistic), g4(ks[n].pvalue), g4(holm[n])) in lines
    assert "| adjusted p |" in summary


def test_feature_names_are_escaped(tmp_path):
    name = 'a:b,c%d\ne'
    rows = ["\"%s\",plain|x" % name] + ["%d,%d" % (i, i) for i in range(50)]
    cur = ["\"%s\",plain|x" % name] + ["%d,%d" % (i + 1000, i) for i in range(50)]
    (tmp_path / "r.csv").write_text("\n".join(rows) + "\n")
    (tmp_path / "c.csv").write_text("\n".join(cur) + "\n")
    args = ["drift", str(tmp_path / "r.csv"), str(tmp_path / "c.csv")]
    code, doc = jrun(*args)
    p, summary, out = run(tmp_path, *args, "--format", "github")
    assert p.returncode == code
    lines = p.stdout.splitlines()
    assert lines[:len(drift_annotations(doc))] == drift_annotations(doc)
    assert any(l.startswith("::error title=mlops drift%3A a%3Ab%2Cc%25d%0Ae::a:b,c%25d%0Ae drifted")
               for l in lines)
    # one annotation per line: the name's line break cannot start a command
    assert all(l.startswith("::") for l in lines)
    assert "| a:b,c%d e |" in summary and "| plain\\|x |" in summary
    assert json.loads(out["drifted_features_json"]) == [f["feature"] for f in doc["features"] if f["drifted"]]


def test_names_that_are_not_utf8_read_as_in_json(tmp_path):
    head = b"caf\xe9,ok\n"
    (tmp_path / "r.csv").write_bytes(head + b"".join(b"%d,%d\n" % (i, i) for i in range(50)))
    (tmp_path / "c.csv").write_bytes(head + b"".join(b"%d,%d\n" % (i + 1000, i) for i in range(50)))
    args = ["drift", str(tmp_path / "r.csv"), str(tmp_path / "c.csv")]
    code, doc = jrun(*args)
    assert "caf\ufffd" in [f["feature"] for f in doc["features"]]
    env = dict(os.environ, GITHUB_STEP_SUMMARY=str(tmp_path / "s.md"), GITHUB_OUTPUT=str(tmp_path / "o.txt"))
    p = subprocess.run([CLI, *args, "--format", "github"], capture_output=True, env=env)
    assert p.returncode == code
    text = p.stdout.decode("utf-8")  # strict: every byte is UTF-8
    assert text.splitlines()[:len(drift_annotations(doc))] == drift_annotations(doc)
    assert "| caf\ufffd |" in (tmp_path / "s.md").read_bytes().decode("utf-8")
    out = parse_outputs((tmp_path / "o.txt").read_bytes().decode("utf-8"))
    assert "caf\ufffd" in json.loads(out["drifted_features_json"])


@pytest.mark.parametrize("args", [
    ["drift", REF, "/nonexistent/cur.csv", "--format", "github"],
    ["drift", REF, W06, "--format=github", "--no-such-option"],
    ["gate", GATE_POLICY, "--format", "github"],
    ["verify", "/nonexistent.mlpkg", "--allow-unsigned", "--format", "github"],
])
def test_errors_before_a_verdict_fail_closed(tmp_path, args):
    plain = subprocess.run([CLI, *[a for a in args if a not in ("--format", "github", "--format=github")]],
                           capture_output=True, text=True)
    p, summary, out = run(tmp_path, *args)
    assert p.returncode == plain.returncode == 2
    errors = [l for l in p.stdout.splitlines() if l.startswith("::error ")]
    assert len(errors) == 1 and "title=mlops " + args[0] in errors[0]
    assert summary.startswith("## mlops %s\n\n**Error** (exit status 2" % args[0])
    assert "No verdict was reached." in summary
    assert out["verdict"] == "error" and out["exit_code"] == "2" and out["error"]


def test_json_and_github_together_are_a_usage_error(tmp_path):
    p, summary, out = run(tmp_path, "drift", REF, W06, "--format", "github", "--json")
    assert p.returncode == 2
    assert json.loads(p.stdout)["error"]["code"] == "usage"
    assert out["verdict"] == "error" and out["exit_code"] == "2"


def test_summary_on_stdout_when_no_summary_file(tmp_path):
    p, summary, out = run(tmp_path, "drift", REF, W06, "--format", "github", summary=False, output=False)
    assert p.returncode == 1 and summary is None and out is None
    lines = p.stdout.split("\n")
    assert all(l.startswith("::error ") for l in lines[:9])
    assert "\n".join(lines[9:]).startswith("## mlops drift\n\n**DRIFT**")


def test_unwritable_outputs_turn_a_pass_into_an_error(tmp_path):
    d = tmp_path / "dir"
    d.mkdir()
    p, summary, out = run(tmp_path, "drift", REF, W01, "--format", "github",
                          env_extra={"GITHUB_OUTPUT": str(d)})
    assert p.returncode == 2 and "cannot append the outputs" in p.stderr
    assert summary.rstrip().endswith("**Error**: the outputs could not be written; exit status 2.")
    p, summary, out = run(tmp_path, "drift", REF, W01, "--format", "github",
                          env_extra={"GITHUB_STEP_SUMMARY": str(d)})
    assert p.returncode == 2 and out["verdict"] == "error" and out["exit_code"] == "2"


def _metrics(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text)
    return str(p)


def test_gate_blocked_and_promoted(tmp_path):
    champ = os.path.join(DIAMONDS, "eval-1.0.0.txt")
    bad = _metrics(tmp_path, "bad.txt", "auc 0.96 samples=3000\naccuracy 0.95 samples=3000\n")
    args = ["gate", GATE_POLICY, "--candidate", bad, "--champion", champ]
    code, doc = jrun(*args)
    p, summary, out = run(tmp_path, *args, "--format", "github")
    assert p.returncode == code == 1
    failed = [c for c in doc["checks"] if not c["passed"]]
    lines = p.stdout.splitlines()
    assert len(lines) == len(failed) == 2
    for line, c in zip(lines, failed):
        head = "::error title=%s::%s %s: observed " % (
            esc_prop("mlops gate: %s %s" % (c["metric"], c["kind"])), c["metric"], c["kind"])
        assert line.startswith(head) and line.endswith(": BLOCK")
        observed, limit = line[len(head):-len(": BLOCK")].split(", limit ")
        # numbers for people: 4 significant digits, integers exact (docs/cli.md)
        assert observed == human(c["observed"]) and limit == human(c["limit"])
    assert out["verdict"] == "blocked" and out["promoted"] == "false" and out["exit_code"] == "1"
    assert out["blocked_checks"] == ",".join("%s/%s" % (c["metric"], c["kind"]) for c in failed)
    assert out["checks_count"] == str(len(doc["checks"])) and out["failed_count"] == "2"
    assert "**BLOCKED**" in summary and summary.count("| **BLOCK** |") == 2

    good = os.path.join(DIAMONDS, "eval-1.1.0.txt")
    args = ["gate", GATE_POLICY, "--candidate", good, "--champion", champ]
    code, doc = jrun(*args)
    (tmp_path / "summary.md").unlink()
    (tmp_path / "output.txt").unlink()
    p, summary, out = run(tmp_path, *args, "--format", "github")
    assert p.returncode == code == 0 and all(c["passed"] for c in doc["checks"])
    assert p.stdout.splitlines() == [
        "::notice title=mlops gate::promote: every check passed (%d checks)" % len(doc["checks"])]
    assert out["verdict"] == "promote" and out["promoted"] == "true" and out["action"] == "none"
    assert "**PROMOTE**" in summary and "Exit status 0: promote." in summary


def test_verify_problems_and_refusal(tmp_path):
    key = tmp_path / "k"
    assert subprocess.run([CLI, "keygen", "-o", str(key)], capture_output=True).returncode == 0
    (tmp_path / "model.bin").write_bytes(b"hello\n")
    pkg = tmp_path / "m.mlpkg"
    assert subprocess.run([CLI, "pack", str(tmp_path / "model.bin"), "-o", str(pkg), "--name", "demo",
                           "--version", "1.0.0", "--key", str(key)], capture_output=True).returncode == 0
    trust = ["--trust", str(tmp_path / "k.pub")]
    p, summary, out = run(tmp_path, "verify", str(pkg), *trust, "--format", "github")
    assert p.returncode == 0
    assert p.stdout.splitlines() == [
        "::notice title=mlops verify::verified demo 1.0.0: 1 file checked, signature trusted"]
    assert out["verdict"] == "verified" and out["verified"] == "true" and out["name"] == "demo"

    data = bytearray(pkg.read_bytes())
    data[data.find(b"hello\n")] = ord("j")
    bad = tmp_path / "t.mlpkg"
    bad.write_bytes(bytes(data))
    code, doc = jrun("verify", str(bad), *trust)
    (tmp_path / "summary.md").unlink()
    (tmp_path / "output.txt").unlink()
    p, summary, out = run(tmp_path, "verify", str(bad), *trust, "--format", "github")
    assert p.returncode == code == 1
    expected = []
    for pr in doc["problems"]:
        msg = "%s: %s" % (pr["code"], pr["message"])
        if pr.get("expected"):
            msg += " (expected %s, found %s)" % (pr["expected"], pr.get("found") or "nothing")
        expected.append("::error title=%s::%s" % (esc_prop("mlops verify: " + pr["entry"]), esc_data(msg)))
    expected.append("::error title=mlops verify::%s" % esc_data(
        "%s: %s" % (doc["error"]["code"], doc["error"]["message"])))
    assert p.stdout.splitlines() == expected
    model = [pr for pr in doc["problems"] if pr["entry"] == "model.bin"][0]
    assert model["expected"] == "sha256:" + hashlib.sha256(b"hello\n").hexdigest()
    assert model["found"] == "sha256:" + hashlib.sha256(b"jello\n").hexdigest()
    assert out["verdict"] == "failed" and out["verified"] == "false" and out["exit_code"] == "1"
    assert out["problems_count"] == str(len(doc["problems"]))
    assert "**FAILED**" in summary


def test_multiline_output_uses_a_heredoc(tmp_path):
    p, summary, _ = run(tmp_path, "drift", REF, W06, "--format", "github")
    raw = (tmp_path / "output.txt").read_text()
    head = [l for l in raw.splitlines() if l.startswith("drifted_features<<")]
    assert len(head) == 1
    delim = head[0].split("<<", 1)[1]
    assert delim.startswith("ghadelimiter_") and raw.count(delim) == 2
