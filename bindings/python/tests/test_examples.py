"""The Python examples run as tests: distributed profiles on a 2-worker Dask
LocalCluster equal the single-process computation; pack-sign-verify."""

from __future__ import annotations

import importlib.util
import os
import sys

import pytest

import libmlops as mlops

from conftest import BINDING_DIR, REPO

EXAMPLES = REPO / "examples" / "python"


def load(name):
    path = EXAMPLES / f"{name}.py"
    if not path.is_file():
        pytest.skip(f"{path} not available")
    if str(EXAMPLES) not in sys.path:
        sys.path.insert(0, str(EXAMPLES))
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def cluster_client():
    pytest.importorskip("pandas")
    distributed = pytest.importorskip("distributed")
    # Worker processes import libmlops and the example by name: spawned workers
    # get this process's sys.path and environment.
    for path in (str(EXAMPLES), str(BINDING_DIR)):
        if path not in sys.path:
            sys.path.insert(0, path)
    paths = [str(BINDING_DIR), str(EXAMPLES)] + ([os.environ["PYTHONPATH"]] if os.environ.get("PYTHONPATH") else [])
    old = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = os.pathsep.join(paths)
    os.environ.setdefault("MLOPS_LIBRARY", mlops.library_path())
    try:
        with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                      dashboard_address=None) as cluster, distributed.Client(cluster) as client:
            yield client
    finally:
        if old is None:
            os.environ.pop("PYTHONPATH", None)
        else:
            os.environ["PYTHONPATH"] = old


def test_distributed_profiles_equal_the_single_process_profiles(cluster_client):
    np = pytest.importorskip("numpy")
    ex = load("distributed_profiles")
    merged = ex.distributed_profiles(cluster_client, 8, 75_000, seed=5, timeout=60)
    pids = cluster_client.run(os.getpid)
    assert len(set(pids.values())) == 2 and os.getpid() not in pids.values()
    local = ex.local_profiles(8, 75_000, seed=5)
    table = ex.whole_table(8, 75_000, seed=5)
    whole = ex.profile_partition(table)
    ranks = [0.0, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 1.0]
    for column, prof in merged.items():
        # Identical to the same merge in one process: same bytes, same answers.
        assert prof.to_bytes() == local[column].to_bytes(), column
        assert prof.count == len(table)
        if prof.kind == "numeric":
            x = table[column].to_numpy()
            assert prof.quantile(ranks) == local[column].quantile(ranks)
            assert prof.rank([1.0, 20.0, 55.5]) == local[column].rank([1.0, 20.0, 55.5])
            assert prof.ks_test(whole[column]).to_dict() == local[column].ks_test(whole[column]).to_dict()
            # And it is the profile of the whole table: exact parts exact,
            # moments to rounding, quantiles within the sketch's rank error.
            assert (prof.min, prof.max) == (x.min(), x.max())
            assert prof.histogram_counts == whole[column].histogram_counts
            assert prof.mean == pytest.approx(x.mean(), rel=1e-12)
            assert prof.variance == pytest.approx(x.var(), rel=1e-9)
            xs = np.sort(x)
            for r, q in zip(ranks[1:-1], prof.quantile(ranks[1:-1])):
                assert abs(np.searchsorted(xs, q, side="right") / len(x) - r) <= prof.rank_error
        else:
            assert prof.categories() == whole[column].categories()


def test_distributed_profiles_against_a_stored_reference(cluster_client, tmp_path):
    ex = load("distributed_profiles")
    for column, prof in ex.local_profiles(4, 50_000, seed=1).items():
        (tmp_path / f"{column}.profile").write_bytes(prof.to_bytes())
    reference = {p.stem: mlops.Profile.from_bytes(p.read_bytes()) for p in tmp_path.glob("*.profile")}
    current = ex.distributed_profiles(cluster_client, 4, 50_000, seed=2, shift=0.2, timeout=60)
    verdicts = {row["column"]: row["verdict"] for row in ex.compare(reference, current)}
    # The shifted column drifts; the unchanged one does not (with 200,000
    # values KS's threshold is below the sketches' error: "inconclusive").
    assert verdicts["amount"] == "drift"
    assert verdicts["latency_ms"] in ("no_drift", "inconclusive")
    assert verdicts["country"] == "no_drift"


def test_pack_sign_verify_example(tmp_path):
    ex = load("pack_sign_verify")
    model = tmp_path / "model"
    model.mkdir()
    (model / "weights.bin").write_bytes(b"\x01" * 5000)
    (model / "config.json").write_text("{}")
    path = ex.main(model, tmp_path / "out")
    key = mlops.SigningKey.from_file(tmp_path / "out" / "signing-key.pem")
    report = mlops.Package(path).verify(key)
    assert report.valid and {f.path for f in report.manifest.files} == {"weights.bin", "config.json"}
    assert (tmp_path / "out" / "extracted" / "weights.bin").read_bytes() == b"\x01" * 5000
    ex.main(model, tmp_path / "out")  # again: the same key is reused
    assert mlops.SigningKey.from_file(tmp_path / "out" / "signing-key.pem").id == key.id


def test_drift_report_over_csv_files(tmp_path, capsys):
    pd = pytest.importorskip("pandas")
    np = pytest.importorskip("numpy")
    stats = pytest.importorskip("scipy.stats")
    ex = load("drift_report")
    rng = np.random.default_rng(3)
    n = 4000
    ref = pd.DataFrame({"age": rng.normal(40, 10, n), "income": rng.lognormal(10, 1, n),
                        "plan": rng.choice(["basic", "pro", "team"], n, p=[0.6, 0.3, 0.1])})
    cur = pd.DataFrame({"age": rng.normal(40, 10, n), "income": rng.lognormal(10.3, 1, n),
                        "plan": rng.choice(["basic", "pro", "team", "free"], n, p=[0.4, 0.3, 0.1, 0.2])})
    ref.to_csv(tmp_path / "ref.csv", index=False)
    cur.to_csv(tmp_path / "cur.csv", index=False)
    out = ex.report(pd.read_csv(tmp_path / "ref.csv"), pd.read_csv(tmp_path / "cur.csv"), metric="ks")
    rows = {r["column"]: r for r in out["columns"]}
    for col in ("age", "income"):
        want = stats.ks_2samp(ref[col], cur[col])
        assert rows[col]["statistic"] == pytest.approx(want.statistic, rel=1e-9)
    assert rows["income"]["drifted"] and not rows["age"]["drifted"]
    counts = pd.crosstab(pd.concat([ref["plan"], cur["plan"]]), np.repeat([0, 1], n))
    chi2 = stats.chi2_contingency(counts.to_numpy().T, correction=False)
    assert rows["plan"]["metric"] == "js"  # n_ref > 1000 categorical: AUTO picks JS
    assert rows["plan"]["drifted"]
    assert ex.main([str(tmp_path / "ref.csv"), str(tmp_path / "cur.csv"), "--rule", "holm"]) == 0
    printed = capsys.readouterr().out
    assert "income" in printed and "columns drifted" in printed
    r_codes, c_codes, k = ex.categorical_codes(ref["plan"], cur["plan"])
    got = mlops.drift_categorical(r_codes, c_codes, "chi2", n_categories=k)
    assert got.statistic == pytest.approx(chi2[0], rel=1e-12) and got.dof == chi2[2]
