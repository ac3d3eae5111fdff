#!/usr/bin/env python3
"""Spark profiles: one libmlops profile per partition of a Spark DataFrame, merged on the driver.

Each partition of the DataFrame is profiled where it lives, in the executors'
Python workers, with `mapInPandas`: every column of the partition becomes a
libmlops profile (numeric columns: counts of NaN/inf, exact moments, min/max, a
fixed-edge histogram and a KLL quantile sketch; the string column: counts of
64-bit category codes). Only the serialised profiles (a few KB per partition
and column, docs/formats/profile-v1.md) travel back; the driver merges them in
partition order (or the executors merge them with a tree reduce, `--tree`).
The merged profiles are then compared with a stored reference profile per
column: the sketch KS test with its error interval, and PSI on the exact
histogram counts (categories: PSI and chi-square on the exact code counts).

    python3 examples/spark/spark_profiles.py --rows 25000 --partitions 8     # local[2]

Needs `pyspark` (4.x, with Java 17 or later), `pyarrow`, pandas and NumPy on the
driver and in the executors' Python, and libmlops importable there: an installed
`libmlops` wheel on every node, or (for a build tree) `MLOPS_LIBRARY` and
`PYTHONPATH` passed to the executors through `spark.executorEnv.*` (`--conf`),
which `session()` sets from the driver's own library for a local master. See
docs/spark.md.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
import time
from pathlib import Path
from typing import Dict, Iterable, Iterator, List, Optional, Sequence, Tuple

import numpy as np
import pandas as pd

import libmlops as mlops

#: Histogram edges of the numeric columns: fixed before any data is seen and
#: the same on every executor (profiles with different edges do not merge).
EDGES = {"amount": (1.0, 5.0, 10.0, 20.0, 50.0, 100.0, 250.0, 1000.0),
         "latency_ms": (5.0, 10.0, 25.0, 50.0, 100.0, 250.0)}
#: String columns, profiled as categorical profiles of 64-bit label codes.
CATEGORICAL = ("country",)
#: Columns in the order their results are reported.
COLUMNS = ("amount", "latency_ms", "country")
SCHEMA = "amount double, latency_ms double, country string"
#: KLL parameter and generator seed of every sketch (the same everywhere, so
#: that a partition's profile depends only on its data).
K = 200
SEED = 42
COUNTRIES = np.array([f"C{i:02d}" for i in range(40)], dtype=object)


def label_code(label: str) -> int:
    """The category code of a label: the first 8 bytes of its BLAKE2b digest
    as a signed little-endian int64. Every executor computes the same code for
    the same label without a shared dictionary (a first-seen dictionary would
    number labels differently in each partition)."""
    digest = hashlib.blake2b(label.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "little", signed=True)


def label_codes(labels: pd.Series) -> np.ndarray:
    """int64 codes of a string column, each distinct label hashed once;
    nulls are left out."""
    index, uniques = pd.factorize(labels, use_na_sentinel=True)
    table = np.fromiter((label_code(u) for u in uniques), dtype=np.int64, count=len(uniques))
    return table[index[index >= 0]]


# --- the data --------------------------------------------------------------

def make_partition(index: int, rows: int, seed: int, shift: float = 0.0) -> pd.DataFrame:
    """Partition ``index`` of a synthetic transactions table, deterministic
    from ``seed`` and ``index``; ``shift`` moves the ``amount`` distribution.
    About 0.1% of ``latency_ms`` is missing (null in Spark, NaN in pandas)."""
    rng = np.random.default_rng([seed, index])
    latency = rng.gamma(2.0, 20.0, rows)
    latency[rng.random(rows) < 0.001] = np.nan
    weights = np.linspace(2.0, 0.5, len(COUNTRIES))
    return pd.DataFrame({
        "amount": rng.lognormal(3.0 + shift, 1.0, rows),
        "latency_ms": latency,
        "country": COUNTRIES[rng.choice(len(COUNTRIES), rows, p=weights / weights.sum())],
    })


def spark_table(spark, partitions: int, rows: int, seed: int, shift: float = 0.0):
    """A Spark DataFrame of ``partitions`` partitions of ``rows`` rows, each
    generated in an executor (in practice: `spark.read.parquet(...)`)."""
    def generate(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        for batch in batches:
            for index in batch["id"]:
                yield make_partition(int(index), rows, seed, shift)

    return spark.range(partitions, numPartitions=partitions).mapInPandas(generate, SCHEMA)


def whole_table(partitions: int, rows: int, seed: int, shift: float = 0.0) -> pd.DataFrame:
    """The same table in this process (the single-machine run)."""
    return pd.concat([make_partition(i, rows, seed, shift) for i in range(partitions)],
                     ignore_index=True)


# --- profiles ----------------------------------------------------------------

def new_profile(column: str) -> mlops.Profile:
    if column in CATEGORICAL:
        return mlops.Profile.categorical()
    return mlops.Profile.numeric(edges=EDGES[column], k=K, seed=SEED)


def update(profiles: Dict[str, mlops.Profile], frame: pd.DataFrame) -> None:
    """Add one pandas batch to the profiles of its columns."""
    for column in COLUMNS:
        if column in CATEGORICAL:
            profiles[column].update(label_codes(frame[column]))
        else:
            # float64 is read in place by the C library; nulls arrive as NaN
            # and are counted apart from the finite values.
            profiles[column].update(frame[column].to_numpy(dtype=np.float64, na_value=np.nan))


def profile_frame(frame: pd.DataFrame) -> Dict[str, mlops.Profile]:
    """Profiles of a whole pandas table in one process."""
    profiles = {column: new_profile(column) for column in COLUMNS}
    update(profiles, frame)
    return profiles


PROFILE_SCHEMA = "partition int, column string, profile binary"


def _profile_partition(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
    """mapInPandas function: all batches of one partition -> one row per
    column holding the profile's bytes, tagged with the partition's index."""
    from pyspark import TaskContext

    profiles = {column: new_profile(column) for column in COLUMNS}
    for batch in batches:
        update(profiles, batch)
    partition = TaskContext.get().partitionId()
    yield pd.DataFrame({"partition": [partition] * len(COLUMNS), "column": list(COLUMNS),
                        "profile": [profiles[c].to_bytes() for c in COLUMNS]})
    for p in profiles.values():
        p.close()


def partition_profiles(df):
    """The DataFrame of per-partition profile bytes (lazy)."""
    return df.select(*COLUMNS).mapInPandas(_profile_partition, PROFILE_SCHEMA)


def merge_on_driver(parts: Iterable[Tuple[int, str, bytes]]) -> Dict[str, mlops.Profile]:
    """Merge (partition, column, bytes) rows column by column in partition
    order: the same partitions give the same merged bytes, whichever executor
    built which partition and in which order they finished."""
    merged: Dict[str, mlops.Profile] = {}
    for _, column, data in sorted(parts, key=lambda r: (r[0], COLUMNS.index(r[1]))):
        prof = mlops.Profile.from_bytes(data)
        if column in merged:
            merged[column].merge(prof)
            prof.close()
        else:
            merged[column] = prof
    return merged


def _merge_bytes(a: Dict[str, bytes], b: Dict[str, bytes]) -> Dict[str, bytes]:
    """treeReduce function: merge two {column: profile bytes} maps."""
    out = dict(a)
    for column, data in b.items():
        if column in out:
            with mlops.Profile.from_bytes(out[column]) as x, mlops.Profile.from_bytes(data) as y:
                out[column] = x.merge(y).to_bytes()
        else:
            out[column] = data
    return out


def spark_profiles(df, tree: bool = False, depth: int = 2) -> Dict[str, mlops.Profile]:
    """Profiles of every column of a Spark DataFrame: built per partition in
    the executors, merged on the driver (default) or by a tree reduce in the
    executors (``tree=True``; the merge order then follows the shuffle, so
    the KLL sketches may differ from the driver merge's within their error
    bound; counts, moments, min/max, histograms and categories do not)."""
    rows = partition_profiles(df)
    if not tree:
        return merge_on_driver((r["partition"], r["column"], bytes(r["profile"]))
                               for r in rows.collect())
    merged = rows.rdd.map(lambda r: {r["column"]: bytes(r["profile"])}).treeReduce(_merge_bytes, depth=depth)
    return {column: mlops.Profile.from_bytes(merged[column]) for column in COLUMNS}


# --- drift against a stored reference ------------------------------------------

def save_profiles(profiles: Dict[str, mlops.Profile], directory: Path) -> None:
    """One `<column>.profile` file (profile-v1 bytes) per column."""
    directory.mkdir(parents=True, exist_ok=True)
    for column, prof in profiles.items():
        (directory / f"{column}.profile").write_bytes(prof.to_bytes())


def load_profiles(directory: Path) -> Dict[str, mlops.Profile]:
    return {column: mlops.Profile.from_bytes((directory / f"{column}.profile").read_bytes())
            for column in COLUMNS}


def compare(reference: Dict[str, mlops.Profile], current: Dict[str, mlops.Profile],
            alpha: float = 0.01, psi_threshold: float = 0.1) -> List[dict]:
    """Per-column drift of the current profiles against the reference:
    numeric columns get the sketch KS test (statistic with its interval and a
    drift / no_drift / inconclusive verdict) and PSI on the exact histogram
    counts; categorical columns PSI and chi-square on the exact code counts."""
    out = []
    for column in COLUMNS:
        ref, cur = reference[column], current[column]
        row = {"column": column, "kind": cur.kind, "n_ref": ref.count, "n_cur": cur.count}
        if cur.kind == "numeric":
            ks = ref.ks_test(cur, alpha=alpha)
            row.update(ks=ks.to_dict(), missing_cur=cur.nan_count + cur.posinf_count + cur.neginf_count)
        else:
            chi2 = ref.drift(cur, "chi2", threshold=alpha)
            row.update(chi2=chi2.to_dict())
        psi = ref.drift(cur, "psi", threshold=psi_threshold)
        row.update(psi=psi.to_dict())
        verdicts = [psi.drifted] + ([row["ks"]["verdict"] == "drift"] if "ks" in row else
                                    [row["chi2"]["drifted"]])
        row["drifted"] = any(verdicts)
        out.append(row)
    return out


def format_row(row: dict) -> str:
    psi = row["psi"]
    text = f"{row['column']:>11}  n={row['n_cur']:<8} PSI={psi['statistic']:.5f} ({'drift' if psi['drifted'] else 'no_drift'})"
    if "ks" in row:
        ks = row["ks"]
        text += (f"  KS={ks['statistic']:.4f} in [{ks['low']:.4f}, {ks['high']:.4f}]"
                 f" ({ks['verdict']})  missing={row['missing_cur']}")
    else:
        c = row["chi2"]
        text += f"  chi2={c['statistic']:.2f} p={c['pvalue']:.3g} ({'drift' if c['drifted'] else 'no_drift'})"
    return text


# --- the Spark session ---------------------------------------------------------

def session(master: str = "local[2]", app: str = "libmlops-profiles",
            conf: Optional[Dict[str, str]] = None):
    """A Spark session whose executors can run this module's functions.

    For a local master (``local``, ``local[N]``), whose executors are on this
    machine, it passes them this driver's Python and libmlops:

    - ``PYSPARK_PYTHON`` (unless set already): the Python workers run this
      interpreter, so they have NumPy, pandas, pyarrow and libmlops;
    - ``spark.executorEnv.MLOPS_LIBRARY`` / ``spark.executorEnv.PYTHONPATH``:
      the shared library this driver loaded and the directory of its
      ``libmlops`` package;
    - it binds to 127.0.0.1 (``SPARK_LOCAL_IP``, the driver's host and bind
      address).

    On a cluster those paths need not exist on the nodes (and a wrong
    ``MLOPS_LIBRARY`` fails the import): install the libmlops wheel in the
    executors' Python, or pass the settings in ``conf`` (docs/spark.md).
    Either way it ships this module with ``addPyFile`` (the executors import
    the functions `mapInPandas` runs) and runs no web UI; ``conf`` entries
    are applied last.
    """
    local = master == "local" or master.startswith("local[")
    if local:
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    from pyspark.sql import SparkSession

    builder = (SparkSession.builder.master(master).appName(app)
               .config("spark.sql.execution.arrow.pyspark.enabled", "true")
               .config("spark.ui.enabled", "false")
               .config("spark.ui.showConsoleProgress", "false"))
    if local:
        package_dir = str(Path(mlops.__file__).resolve().parent.parent)
        python_path = [package_dir] + ([os.environ["PYTHONPATH"]] if os.environ.get("PYTHONPATH") else [])
        builder = (builder.config("spark.executorEnv.MLOPS_LIBRARY", mlops.library_path())
                   .config("spark.executorEnv.PYTHONPATH", os.pathsep.join(python_path))
                   .config("spark.driver.host", "127.0.0.1")
                   .config("spark.driver.bindAddress", "127.0.0.1"))
    for key, value in (conf or {}).items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    spark.sparkContext.addPyFile(str(Path(__file__).resolve()))
    return spark


def main(argv: Sequence[str] = ()) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--conf", action="append", default=[], metavar="KEY=VALUE",
                        help="a Spark setting, e.g. spark.executorEnv.MLOPS_LIBRARY=/path (repeatable)")
    parser.add_argument("--rows", type=int, default=25_000, help="rows per partition")
    parser.add_argument("--partitions", type=int, default=8)
    parser.add_argument("--reference", type=Path, default=Path("reference-profiles"),
                        help="directory of stored reference profiles (written by the first run)")
    parser.add_argument("--shift", type=float, default=0.1, help="drift injected into `amount`")
    parser.add_argument("--tree", action="store_true", help="merge with treeReduce in the executors")
    parser.add_argument("--single", action="store_true",
                        help="also profile the same table in this process and time both")
    args = parser.parse_args(list(argv) or None)

    start = time.perf_counter()
    conf = dict(item.split("=", 1) for item in args.conf)
    spark = session(args.master, conf=conf)
    print(f"spark session started in {time.perf_counter() - start:.2f} s")
    try:
        if not all((args.reference / f"{c}.profile").is_file() for c in COLUMNS):
            save_profiles(spark_profiles(spark_table(spark, args.partitions, args.rows, seed=1)),
                          args.reference)
            print(f"reference profiles written to {args.reference}/")
        reference = load_profiles(args.reference)
        start = time.perf_counter()
        current = spark_profiles(spark_table(spark, args.partitions, args.rows, seed=2, shift=args.shift),
                                 tree=args.tree)
        spark_seconds = time.perf_counter() - start
    finally:
        spark.stop()
    for row in compare(reference, current):
        print(format_row(row))
    print(f"spark ({args.master}, {args.partitions} partitions, "
          f"{'tree reduce' if args.tree else 'driver merge'}): {spark_seconds:.2f} s")
    if args.single:
        start = time.perf_counter()
        single = profile_frame(whole_table(args.partitions, args.rows, seed=2, shift=args.shift))
        single_seconds = time.perf_counter() - start
        same = all(single[c].count == current[c].count for c in COLUMNS)
        print(f"single process: {single_seconds:.2f} s (same counts: {same})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
