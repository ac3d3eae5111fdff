"""The Spark example on a local[2] session: profiles built per partition in
the executors and merged equal the single-machine profiles of the same data
to the profile contract (docs/formats/profile-v1.md), and drift against a
stored reference agrees with the single-machine drift and with SciPy on the
raw data.

Run: MLOPS_LIBRARY=build/dev/src/libmlops.so.0 PYTHONPATH=bindings/python \
     python -m pytest tests/spark -q
Needs pyspark (4.x), pyarrow, pandas, NumPy, SciPy and Java 17 or later. Skips
with a message where no Java is found; a missing Python package is a skip too,
unless MLOPS_SPARK_REQUIRED=1 (scripts/test sets it: there it is a failure).
"""

from __future__ import annotations

import collections
import importlib.util
import math
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "spark" / "spark_profiles.py"
REQUIRED = os.environ.get("MLOPS_SPARK_REQUIRED") == "1"

# pyspark 4.3 warns that it does not fully support pandas 3 yet, and calls a
# pandas API that pandas 3 deprecates; neither concerns what is tested here.
pytestmark = [
    pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas"),
    pytest.mark.filterwarnings("ignore:The copy keyword is deprecated"),
]

PARTITIONS = 8
ROWS = 25_000          # per partition: 200,000 rows x 3 columns
RANKS = [0.001, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 0.999]
ALPHA = 0.01


def need(module: str):
    try:
        return __import__(module, fromlist=["_"])
    except ImportError as exc:
        if REQUIRED:
            pytest.fail(f"{module} is required here (MLOPS_SPARK_REQUIRED=1) but cannot be imported: {exc}")
        pytest.skip(f"{module} not installed ({exc}): pip install pyspark pyarrow pandas numpy scipy",
                    allow_module_level=True)


def java_major() -> int:
    """The major version of the JVM Spark will start, or skip the module."""
    def skip(reason: str):
        pytest.skip(reason, allow_module_level=True)

    home = os.environ.get("JAVA_HOME")
    java = str(Path(home) / "bin" / "java") if home else shutil.which("java")
    if not java or not os.access(java, os.X_OK):
        skip("no Java found (JAVA_HOME or `java` on PATH): Spark needs a JVM; "
             "on Debian: apt-get install openjdk-17-jre-headless")
    out = subprocess.run([java, "-version"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         text=True, timeout=60).stdout
    m = re.search(r'version "(\d+)(?:\.(\d+))?', out)
    if not m:
        skip(f"cannot read the Java version from `{java} -version`: {out.strip()!r}")
    major = int(m.group(1)) if m.group(1) != "1" else int(m.group(2))
    if major < 17:
        skip(f"{java} is Java {major}; Spark 4 needs Java 17 or later "
             "(on Debian: apt-get install openjdk-17-jre-headless)")
    return major


np = need("numpy")
pd = need("pandas")
stats = need("scipy.stats")
special = need("scipy.special")
need("pyarrow")
pyspark = need("pyspark")
JAVA_MAJOR = java_major()
if REPO.joinpath("bindings", "python").is_dir() and str(REPO / "bindings" / "python") not in sys.path:
    try:
        import libmlops  # noqa: F401  (an installed package or PYTHONPATH)
    except ImportError:
        sys.path.insert(0, str(REPO / "bindings" / "python"))
import libmlops as mlops  # noqa: E402


def load_example():
    spec = importlib.util.spec_from_file_location("spark_profiles", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    sys.modules["spark_profiles"] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def ex():
    return load_example()


@pytest.fixture(scope="module")
def spark(ex):
    session = ex.session("local[2]", app="libmlops-spark-test")
    try:
        yield session
    finally:
        session.stop()


@pytest.fixture(scope="module")
def current_table(ex):
    """The current data in this process (the single-machine run's input)."""
    return ex.whole_table(PARTITIONS, ROWS, seed=2, shift=0.1)


@pytest.fixture(scope="module")
def driver_merged(ex, spark):
    return ex.spark_profiles(ex.spark_table(spark, PARTITIONS, ROWS, seed=2, shift=0.1))


@pytest.fixture(scope="module")
def tree_merged(ex, spark):
    return ex.spark_profiles(ex.spark_table(spark, PARTITIONS, ROWS, seed=2, shift=0.1), tree=True)


@pytest.fixture(scope="module")
def single(ex, current_table):
    return ex.profile_frame(current_table)


@pytest.fixture(scope="module")
def reference(ex, tmp_path_factory):
    """Reference profiles built once, stored as files and read back."""
    directory = tmp_path_factory.mktemp("reference")
    ex.save_profiles(ex.profile_frame(ex.whole_table(PARTITIONS, ROWS, seed=1)), directory)
    return ex.load_profiles(directory)


# --- oracles on the raw data -------------------------------------------------

def finite(table, column):
    x = table[column].to_numpy(dtype=np.float64)
    return x[np.isfinite(x)]


def bin_counts(x, edges):
    """Bin i holds the values with exactly i edges <= value."""
    return tuple(int(c) for c in np.bincount(np.searchsorted(edges, x, side="right"),
                                             minlength=len(edges) + 1))


def psi(ref_counts, cur_counts, a=0.5):
    """PSI with additive smoothing (docs/drift-contract.md), via SciPy."""
    r = np.asarray(ref_counts, dtype=np.float64)
    c = np.asarray(cur_counts, dtype=np.float64)
    p = (r + a) / (r.sum() + a * len(r))
    q = (c + a) / (c.sum() + a * len(c))
    return float(np.sum(special.rel_entr(q, p) + special.rel_entr(p, q)))


def code_counts(ex, table, column):
    return dict(collections.Counter(ex.label_code(s) for s in table[column].dropna()))


def check_profile(ex, prof, table, column):
    """What the profile contract promises for a profile of ``table[column]``,
    checked against the raw data: exact counts, min, max, histogram and
    categories; moments to rounding; quantiles within the rank error."""
    if column in ex.CATEGORICAL:
        assert prof.kind == "categorical"
        assert prof.count == int(table[column].notna().sum())
        assert prof.category_error == 0
        assert prof.categories() == code_counts(ex, table, column)
        return
    x = finite(table, column)
    raw = table[column].to_numpy(dtype=np.float64)
    assert prof.kind == "numeric" and prof.k == ex.K
    assert prof.count == len(x)
    assert prof.nan_count == int(np.isnan(raw).sum())
    assert (prof.posinf_count, prof.neginf_count) == (0, 0)
    assert (prof.min, prof.max) == (float(x.min()), float(x.max()))
    assert prof.histogram_edges == ex.EDGES[column]
    assert prof.histogram_counts == bin_counts(x, ex.EDGES[column])
    exact_mean = math.fsum(x) / len(x)
    assert abs(prof.mean - exact_mean) <= 1e-12 * abs(exact_mean)
    exact_var = math.fsum((x - exact_mean) ** 2) / len(x)
    assert abs(prof.variance - exact_var) <= 1e-9 * exact_var
    eps = prof.rank_error
    assert 0 < eps < 0.02  # compacted: the sketch is approximate, k = 200
    xs = np.sort(x)
    for r, q in zip(RANKS, prof.quantile(RANKS)):
        lo = np.searchsorted(xs, q, side="left") / len(xs)
        hi = np.searchsorted(xs, q, side="right") / len(xs)
        assert lo - eps <= r <= hi + eps, (column, r, q, lo, hi, eps)
    for v in np.quantile(xs, RANKS):
        assert abs(prof.rank(float(v)) - np.searchsorted(xs, v, side="right") / len(xs)) <= eps


# --- tests -----------------------------------------------------------------

def test_executors_are_other_processes_with_the_same_library(ex, spark):
    def probe(batches):
        import libmlops as m
        for _ in batches:
            pass
        yield pd.DataFrame({"pid": [os.getpid()], "library": [os.path.realpath(m.library_path())],
                            "env": [os.environ.get("MLOPS_LIBRARY", "")]})

    rows = spark.range(4, numPartitions=4).mapInPandas(probe, "pid long, library string, env string").collect()
    assert len(rows) == 4
    assert os.getpid() not in {r["pid"] for r in rows}
    assert {r["library"] for r in rows} == {os.path.realpath(mlops.library_path())}
    assert {r["env"] for r in rows} == {mlops.library_path()}


def test_spark_table_is_the_single_machine_table(ex, spark, current_table):
    got = ex.spark_table(spark, PARTITIONS, ROWS, seed=2, shift=0.1).toPandas()
    assert got.shape == current_table.shape == (PARTITIONS * ROWS, 3)
    # Spark does not promise an order for collect(): compare sorted by a key
    key = ["amount"]
    a = got.sort_values(key, kind="stable").reset_index(drop=True)
    b = current_table.sort_values(key, kind="stable").reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b, check_exact=True, check_dtype=False)


@pytest.mark.parametrize("merge", ["driver", "tree"])
def test_merged_profiles_equal_the_single_machine_profiles(ex, current_table, single, merge,
                                                           driver_merged, tree_merged):
    merged = driver_merged if merge == "driver" else tree_merged
    assert set(merged) == set(ex.COLUMNS)
    for column in ex.COLUMNS:
        m, s = merged[column], single[column]
        # Both are what the contract promises for the raw data ...
        check_profile(ex, m, current_table, column)
        check_profile(ex, s, current_table, column)
        # ... and the exact parts are equal between them.
        assert m.count == s.count
        if m.kind == "numeric":
            assert (m.nan_count, m.min, m.max) == (s.nan_count, s.min, s.max)
            assert m.histogram_counts == s.histogram_counts
            assert m.mean == pytest.approx(s.mean, rel=2e-12)
            assert m.rank_error == s.rank_error
            eps = m.rank_error + s.rank_error
            for r in RANKS:
                # Two sketches of the same data: their ranks of the same value
                # differ by at most both errors.
                q = m.quantile(r)
                assert abs(m.rank(q) - s.rank(q)) <= eps
        else:
            assert m.categories() == s.categories()


def test_driver_merge_is_deterministic(ex, spark, driver_merged):
    """Merged in partition order, the driver's result does not depend on
    which executor built which partition: the same bytes as merging the
    per-partition profiles rebuilt in this process from the collected bytes,
    and as a second run."""
    df = ex.spark_table(spark, PARTITIONS, ROWS, seed=2, shift=0.1)
    rows = ex.partition_profiles(df).collect()
    assert sorted(r["partition"] for r in rows) == sorted(list(range(PARTITIONS)) * len(ex.COLUMNS))
    again = ex.merge_on_driver(reversed([(r["partition"], r["column"], bytes(r["profile"])) for r in rows]))
    for column in ex.COLUMNS:
        assert again[column].to_bytes() == driver_merged[column].to_bytes(), column


def test_empty_partitions(ex, spark, current_table):
    """A partition with no rows gives empty profiles that merge as nothing;
    a DataFrame with no rows at all gives empty profiles."""
    from pyspark.sql import functions as F

    df = ex.spark_table(spark, PARTITIONS, ROWS, seed=2, shift=0.1)
    emptied = df.where(F.spark_partition_id() != 0).where(F.spark_partition_id() != 5)
    assert emptied.rdd.getNumPartitions() == PARTITIONS
    rest = current_table.drop(index=list(range(0, ROWS)) + list(range(5 * ROWS, 6 * ROWS)))
    for tree in (False, True):
        merged = ex.spark_profiles(emptied, tree=tree)
        for column in ex.COLUMNS:
            check_profile(ex, merged[column], rest, column)
    none = ex.spark_profiles(df.where(F.col("amount") < 0))
    for column in ex.COLUMNS:
        assert none[column].count == 0 and none[column].kind == ex.new_profile(column).kind
        if none[column].kind == "numeric":
            assert math.isnan(none[column].min) and none[column].nan_count == 0


def test_drift_against_a_stored_reference(ex, reference, current_table, single, driver_merged, tree_merged):
    ref_table = ex.whole_table(PARTITIONS, ROWS, seed=1)
    results = {name: {r["column"]: r for r in ex.compare(reference, profiles, alpha=ALPHA)}
               for name, profiles in (("single", single), ("driver", driver_merged), ("tree", tree_merged))}
    for column in ex.COLUMNS:
        rows = [results[name][column] for name in ("single", "driver", "tree")]
        # PSI is computed from exact counts: identical whatever the merge, and
        # equal to PSI on the raw data's histograms.
        if column in ex.CATEGORICAL:
            rc, cc = code_counts(ex, ref_table, column), code_counts(ex, current_table, column)
            codes = sorted(set(rc) | set(cc))
            want_psi = psi([rc.get(c, 0) for c in codes], [cc.get(c, 0) for c in codes])
            table = np.array([[rc.get(c, 0) for c in codes], [cc.get(c, 0) for c in codes]])
            chi2 = stats.chi2_contingency(table, correction=False)
            for row in rows:
                assert row["chi2"]["statistic"] == pytest.approx(chi2[0], rel=1e-9)
                assert row["chi2"]["pvalue"] == pytest.approx(chi2[1], rel=1e-6)
                assert row["chi2"]["drifted"] == (chi2[1] < ALPHA)
        else:
            edges = ex.EDGES[column]
            want_psi = psi(bin_counts(finite(ref_table, column), edges),
                           bin_counts(finite(current_table, column), edges))
        for row in rows:
            assert row["psi"]["statistic"] == pytest.approx(want_psi, rel=1e-9)
            assert row["psi"]["statistic"] == rows[0]["psi"]["statistic"]
            assert row["psi"]["drifted"] == (want_psi >= 0.1)
        if column in ex.CATEGORICAL:
            continue
        # The sketch KS statistic carries the rank error: the exact two-sample
        # statistic on the raw data lies in each result's interval, and a
        # conclusive verdict is the exact test's verdict.
        x, y = finite(ref_table, column), finite(current_table, column)
        exact = stats.ks_2samp(x, y)
        n, m = len(x), len(y)
        critical = math.sqrt(-math.log(ALPHA / 2) / 2) * math.sqrt((n + m) / (n * m))
        for row in rows:
            ks = row["ks"]
            assert ks["low"] <= exact.statistic <= ks["high"], (column, ks, exact.statistic)
            assert ks["high"] - ks["low"] <= 2 * (ks["eps_ref"] + ks["eps_cur"]) + 1e-15
            assert abs(ks["statistic"] - exact.statistic) <= ks["eps_ref"] + ks["eps_cur"]
            if ks["verdict"] == "drift":
                assert exact.statistic > critical
            elif ks["verdict"] == "no_drift":
                assert exact.statistic <= critical
        verdicts = {row["ks"]["verdict"] for row in rows}
        assert len(verdicts - {"inconclusive"}) <= 1, (column, verdicts)
    # The shifted column drifts by KS on every path (its exact statistic,
    # about 0.045, is far past the critical value plus the sketches' error);
    # the unchanged one is never called drift.
    assert {results[n]["amount"]["ks"]["verdict"] for n in results} == {"drift"}
    assert "drift" not in {results[n]["latency_ms"]["ks"]["verdict"] for n in results}
    assert not any(results[n]["country"]["drifted"] for n in results)


def test_example_main_prints_a_result_per_column(ex, tmp_path):
    """The script as a user runs it, in its own process and Spark session."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(Path(mlops.__file__).resolve().parents[1])]
                                        + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else []))
    env.setdefault("MLOPS_LIBRARY", mlops.library_path())
    cmd = [sys.executable, "-W", "ignore::FutureWarning", str(EXAMPLE), "--rows", "5000",
           "--partitions", "4", "--reference", str(tmp_path / "ref"), "--shift", "0.5",
           "--tree", "--conf", "spark.sql.shuffle.partitions=3"]
    out = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-4000:]
    assert "reference profiles written" in out.stdout
    assert sorted(p.name for p in (tmp_path / "ref").iterdir()) == sorted(
        f"{c}.profile" for c in ex.COLUMNS)
    lines = {line.split()[0]: line for line in out.stdout.splitlines()
             if line.split() and line.split()[0] in ex.COLUMNS}
    assert set(lines) == set(ex.COLUMNS)
    assert "(drift)" in lines["amount"] and "n=20000" in lines["amount"]
    assert "chi2=" in lines["country"] and "KS=" in lines["latency_ms"]
    assert "spark (local[2], 4 partitions, tree reduce)" in out.stdout
