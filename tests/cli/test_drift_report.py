"""`mlops drift` reports: what the header and tables say must be true.

Oracles: Python's json module, SciPy (ks_2samp, chi2_contingency) and
statsmodels' multipletests when installed (else an independent reference of
Holm's and Benjamini-Hochberg's formulas written here).
MLOPS_CLI names the binary under test (meson test sets it).
"""
import json
import math
import os
import re
import subprocess

import pytest

CLI = os.environ.get("MLOPS_CLI", "mlops")


def run(*args):
    return subprocess.run([CLI, *map(str, args)], capture_output=True, text=True,
                          errors="replace")


def write_csv(path, cols):
    names = list(cols)
    n = len(cols[names[0]])
    with open(path, "w") as f:
        f.write(",".join(names) + "\n")
        for i in range(n):
            f.write(",".join(str(cols[c][i]) for c in names) + "\n")
    return path


# ---- non-finite numbers -------------------------------------------------

def test_json_writes_infinity_distinct_from_null(tmp_path):
    # threshold 0: severity = statistic / threshold = +inf
    a = write_csv(tmp_path / "a.csv", {"x": [0.0, 1.0, 2.0, 3.0]})
    b = write_csv(tmp_path / "b.csv", {"x": [5.0, 6.0, 7.0, 8.0]})
    r = run("drift", "--json", a, b, "--metric", "wasserstein", "--threshold", "0")
    assert r.returncode == 1, r.stderr
    j = json.loads(r.stdout)
    f = j["features"][0]
    assert f["severity"] == "Infinity"
    assert f["result"]["pvalue"] is None  # no p-value: null, not a number
    assert f["result"]["statistic"] == 5.0


def test_statistic_that_cannot_be_computed_is_an_error_not_no_drift(tmp_path):
    big = [-1.7976931348623157e308, 1.7976931348623157e308]
    a = write_csv(tmp_path / "a.csv", {"x": big})
    b = write_csv(tmp_path / "b.csv", {"x": big})
    r = run("drift", "--json", a, b, "--metric", "wasserstein")
    assert r.returncode == 2, r.stdout
    assert "not computable" in r.stderr
    assert "NO DRIFT" not in r.stdout and '"drifted":false' not in r.stdout


# ---- the dataset verdict's stated reason ------------------------------------

def header_comparison(line):
    """(left, op, right) of the comparison the header states."""
    m = re.search(r"(-?[0-9.e+-]+) (>=|<|&ge;|&lt;) (?:alpha )?(-?[0-9.e+-]+)\)?", line)
    assert m, line
    op = {"&ge;": ">=", "&lt;": "<"}.get(m.group(2), m.group(2))
    return float(m.group(1)), op, float(m.group(3))


def assert_true_comparison(line):
    left, op, right = header_comparison(line)
    assert (left >= right) if op == ">=" else (left < right), line


def numeric_table(tmp_path, shifts, n=200, seed=5):
    np = pytest.importorskip("numpy")
    rng = np.random.default_rng(seed)
    ref = {f"c{i}": [float(x) for x in rng.normal(0, 1, n)] for i in range(len(shifts))}
    cur = {f"c{i}": [float(x) for x in rng.normal(s, 1, n)] for i, s in enumerate(shifts)}
    return (write_csv(tmp_path / "ref.csv", ref), write_csv(tmp_path / "cur.csv", cur))


@pytest.mark.parametrize("shifts,share,drifted", [
    ([0, 0, 0, 1, 1, 1, 1, 1], "0.5", True),     # 5/8 >= 0.5
    ([0, 0, 0, 0, 0, 0, 1, 1, 1], "0.5", False),  # 3/9 < 0.5
    ([0, 1, 1], "0.67", False),                   # 2/3 = 0.6667 < 0.67
    ([0, 1, 1], "0.66", True),                    # 0.6667 >= 0.66
])
def test_share_rule_header_states_the_comparison_made(tmp_path, shifts, share, drifted):
    ref, cur = numeric_table(tmp_path, shifts)
    html = tmp_path / "r.html"
    r = run("drift", ref, cur, "--drift-share", share, "--html", html)
    assert r.returncode == (1 if drifted else 0), r.stderr
    head = r.stdout.splitlines()[0]
    assert head.startswith("DRIFT:" if drifted else "NO DRIFT:"), head
    left, op, right = header_comparison(head)
    assert op == (">=" if drifted else "<") and right == float(share)
    assert_true_comparison(head)
    page = html.read_text()
    p = re.search(r'<p id="dataset-verdict"[^>]*>(.*?)</p>', page).group(1)
    assert_true_comparison(p)
    assert ("&ge;" if drifted else "&lt;") in p


@pytest.mark.parametrize("rule", ["holm", "bh", "bonferroni"])
@pytest.mark.parametrize("shifts", [[0, 0, 0], [0, 0.6, 0]])
def test_pvalue_rule_header_states_the_comparison_made(tmp_path, rule, shifts):
    ref, cur = numeric_table(tmp_path, shifts)
    r = run("drift", ref, cur, "--rule", rule)
    head = r.stdout.splitlines()[0]
    drifted = r.returncode == 1
    assert head.startswith("DRIFT:" if drifted else "NO DRIFT:"), head
    left, op, right = header_comparison(head)
    assert op == ("<" if drifted else ">=") and right == 0.05
    assert_true_comparison(head)


# ---- adjusted p-values --------------------------------------------------------

def reference_adjust(p, method):
    """Holm's step-down and Benjamini-Hochberg's step-up adjusted p-values,
    written from their definitions (independent of the code under test)."""
    n = len(p)
    order = sorted(range(n), key=lambda i: p[i])
    out = [0.0] * n
    if method == "holm":
        run_max = 0.0
        for k, i in enumerate(order):
            run_max = max(run_max, min(1.0, (n - k) * p[i]))
            out[i] = run_max
    elif method == "bh":
        run_min = 1.0
        for k in range(n - 1, -1, -1):
            i = order[k]
            run_min = min(run_min, p[i] * n / (k + 1))
            out[i] = run_min
    else:
        out = [min(1.0, x * n) for x in p]
    return out


def oracle_adjust(p, method):
    want = reference_adjust(p, method)
    try:
        from statsmodels.stats.multitest import multipletests
    except ImportError:
        return want
    sm = multipletests(p, method={"holm": "holm", "bh": "fdr_bh",
                                  "bonferroni": "bonferroni"}[method])[1]
    assert [float(x) for x in sm] == pytest.approx(want, rel=1e-12, abs=1e-300)
    return [float(x) for x in sm]


def mixed_tables(tmp_path, n=300, seed=11):
    """Numeric and label columns; chi-square for the labels (n <= 1000)."""
    np = pytest.importorskip("numpy")
    rng = np.random.default_rng(seed)
    def table(path, shift, w):
        cols = {"a": rng.normal(0, 1, n), "b": rng.normal(shift, 1, n),
                "c": rng.normal(shift / 3, 1, n),
                "colour": rng.choice(["red", "green", "blue"], size=n, p=w),
                "size": rng.choice(["s", "m", "l", "xl"], size=n, p=[.25, .25, .25, .25])}
        cols = {k: [float(x) for x in v] if k in "abc" else list(v) for k, v in cols.items()}
        write_csv(path, cols)
        return cols
    r = table(tmp_path / "ref.csv", 0.0, [0.5, 0.3, 0.2])
    c = table(tmp_path / "cur.csv", 0.35, [0.42, 0.3, 0.28])
    return tmp_path / "ref.csv", tmp_path / "cur.csv", r, c


@pytest.mark.parametrize("rule", ["holm", "bh", "bonferroni"])
def test_pvalue_rules_apply_to_label_columns_with_adjusted_pvalues(tmp_path, rule):
    stats = pytest.importorskip("scipy.stats")
    ref, cur, rd, cd = mixed_tables(tmp_path)
    html = tmp_path / "r.html"
    r = run("drift", "--json", ref, cur, "--rule", rule, "--html", html)
    assert r.returncode in (0, 1), r.stderr
    j = json.loads(r.stdout)
    feats = {f["feature"]: f for f in j["features"]}
    assert set(feats) == {"a", "b", "c", "colour", "size"}
    # raw p-values: SciPy's KS (exact, n <= 10000) and chi-square of the labels
    raw = {}
    for k in "abc":
        raw[k] = stats.ks_2samp(rd[k], cd[k]).pvalue
    for k in ("colour", "size"):
        levels = sorted(set(rd[k]) | set(cd[k]))
        table = [[rd[k].count(v) for v in levels], [cd[k].count(v) for v in levels]]
        raw[k] = stats.chi2_contingency(table, correction=False)[1]
        assert feats[k]["result"]["metric"] == "chi2"
    names = sorted(raw)
    want = dict(zip(names, oracle_adjust([raw[k] for k in names], rule)))
    for k in names:
        f = feats[k]
        assert f["pvalue"] == pytest.approx(raw[k], rel=1e-9, abs=1e-300)
        assert f["result"]["pvalue"] == f["pvalue"]  # the raw p-value stays
        assert f["adjusted_pvalue"] == pytest.approx(want[k], rel=1e-9, abs=1e-300)
        assert f["drifted"] == (want[k] < 0.05)
    assert j["drifted"] == any(want[k] < 0.05 for k in names)
    assert r.returncode == (1 if j["drifted"] else 0)
    # text: the adjusted p-value column and the comparison it was judged by
    t = run("drift", ref, cur, "--rule", rule)
    lines = t.stdout.splitlines()
    assert "adjusted p" in lines[2]
    assert_true_comparison(lines[0])
    for line in lines[3:]:
        w = line.split()
        assert float(w[5]) == pytest.approx(want[w[0]], rel=1e-3, abs=1e-300)
        assert "adj p < 0.05" in line
    # Prometheus: the adjusted p-value as its own gauge, next to the raw one
    prom = run("drift", ref, cur, "--rule", rule, "--format", "prometheus").stdout
    for k in names:
        m = re.search(r'^mlops_drift_adjusted_pvalue\{feature="' + k + r'",metric="[a-z0-9]+"\} (\S+)$',
                      prom, re.M)
        assert m and float(m.group(1)) == pytest.approx(want[k], rel=1e-12, abs=1e-300)
        m = re.search(r'^mlops_drift_pvalue\{feature="' + k + r'",metric="[a-z0-9]+"\} (\S+)$',
                      prom, re.M)
        assert m and float(m.group(1)) == pytest.approx(raw[k], rel=1e-9, abs=1e-300)
    assert re.search(r"^mlops_drift_dataset_inconclusive\{\} 0$", prom, re.M)
    # HTML: the adjusted p-values too
    page = html.read_text()
    assert "<th>adjusted p-value</th>" in page
    for k in names:
        row = re.search(r'<tr><td><a href="#f\d+">' + k + r'</a></td>(.*?)</tr>', page).group(1)
        cells = re.findall(r'<td class="num">([^<]*)</td>', row)
        assert float(cells[2]) == pytest.approx(want[k], rel=1e-3, abs=1e-300)


def test_numeric_table_shows_adjusted_not_raw_pvalues(tmp_path):
    stats = pytest.importorskip("scipy.stats")
    np = pytest.importorskip("numpy")
    ref, cur = numeric_table(tmp_path, [0, 0.25, 0.3, 0, 0.2], n=250, seed=2)
    rd = np.genfromtxt(ref, delimiter=",", names=True)
    cd = np.genfromtxt(cur, delimiter=",", names=True)
    names = list(rd.dtype.names)
    raw = [stats.ks_2samp(rd[k], cd[k]).pvalue for k in names]
    want = dict(zip(names, oracle_adjust(raw, "holm")))
    j = json.loads(run("drift", "--json", ref, cur, "--rule", "holm").stdout)
    for f in j["features"]:
        assert f["adjusted_pvalue"] == pytest.approx(want[f["feature"]], rel=1e-9)
        assert f["drifted"] == (want[f["feature"]] < 0.05)
    r = run("drift", ref, cur, "--rule", "holm")
    for line in r.stdout.splitlines()[3:]:
        w = line.split()
        assert float(w[5]) == pytest.approx(want[w[0]], rel=1e-3)


def test_single_feature_is_judged_at_alpha_under_a_pvalue_rule(tmp_path):
    np = pytest.importorskip("numpy")
    stats = pytest.importorskip("scipy.stats")
    rng = np.random.default_rng(1)
    a, b = rng.normal(0, 1, 300), rng.normal(0.2, 1, 300)
    np.save(tmp_path / "a.npy", a)
    np.save(tmp_path / "b.npy", b)
    p = float(stats.ks_2samp(a, b).pvalue)
    alpha = p / 2  # p >= alpha: a family of one is not drifted at this level
    r = run("drift", "--json", tmp_path / "a.npy", tmp_path / "b.npy", "--rule", "holm",
            "--alpha", repr(alpha))
    j = json.loads(r.stdout)
    f = j["features"][0]
    assert f["adjusted_pvalue"] == pytest.approx(p, rel=1e-9)
    assert not f["drifted"] and not j["drifted"] and r.returncode == 0
    r = run("drift", tmp_path / "a.npy", tmp_path / "b.npy", "--rule", "holm", "--alpha",
            repr(p * 2))
    assert r.returncode == 1 and r.stdout.startswith("DRIFT: 1 of 1")
    assert_true_comparison(r.stdout.splitlines()[0])
