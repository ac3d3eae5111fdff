#!/usr/bin/env python3
"""Wall time of the Spark example (examples/spark/spark_profiles.py) next to
the same profiles built in one process, alternating over several runs.

Each run times, on the same table (generated from the same seed):
  - Spark, driver merge: generate the partitions in the executors, profile
    each partition (mapInPandas), collect the profile bytes, merge in
    partition order;
  - Spark, tree reduce: the same with treeReduce in the executors;
  - one process: generate the same partitions and profile the whole table.
The session is started (and its Python workers warmed by one job) before the
runs; its start-up is reported apart. Medians are printed; every run checks
that the three results have the same counts and histograms.

    MLOPS_LIBRARY=build/dev/src/libmlops.so.0 PYTHONPATH=bindings/python \\
        python3 bench/spark_compare.py --rows 25000 --partitions 8 --runs 5
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import platform
import statistics
import subprocess
import sys
import time
import warnings
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "spark" / "spark_profiles.py"


def load_example():
    spec = importlib.util.spec_from_file_location("spark_profiles", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    sys.modules["spark_profiles"] = module
    spec.loader.exec_module(module)
    return module


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--rows", type=int, default=25_000, help="rows per partition")
    parser.add_argument("--partitions", type=int, default=8)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    warnings.filterwarnings("ignore", category=FutureWarning)
    ex = load_example()
    import pyspark

    java = subprocess.run(["java", "-version"], stderr=subprocess.PIPE, text=True).stderr.splitlines()
    print(f"pyspark {pyspark.__version__}, {java[0] if java else 'java ?'}, Python {platform.python_version()}, "
          f"libmlops {ex.mlops.library_version()} ({ex.mlops.library_path()})")
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    start = time.perf_counter()
    spark = ex.session(args.master)
    started = time.perf_counter() - start
    table = lambda: ex.spark_table(spark, args.partitions, args.rows, seed=2, shift=0.1)  # noqa: E731
    start = time.perf_counter()
    ex.spark_profiles(table())  # warm-up: the Python workers start and import
    warm = time.perf_counter() - start
    times = {"spark, driver merge": [], "spark, tree reduce": [], "one process": []}
    try:
        for _ in range(args.runs):
            t = time.perf_counter()
            driver = ex.spark_profiles(table())
            times["spark, driver merge"].append(time.perf_counter() - t)
            t = time.perf_counter()
            tree = ex.spark_profiles(table(), tree=True)
            times["spark, tree reduce"].append(time.perf_counter() - t)
            t = time.perf_counter()
            single = ex.profile_frame(ex.whole_table(args.partitions, args.rows, seed=2, shift=0.1))
            times["one process"].append(time.perf_counter() - t)
            for c in ex.COLUMNS:
                assert driver[c].count == tree[c].count == single[c].count, c
                if single[c].kind == "numeric":
                    assert driver[c].histogram_counts == tree[c].histogram_counts == single[c].histogram_counts
                else:
                    assert driver[c].categories() == tree[c].categories() == single[c].categories()
    finally:
        spark.stop()
    print(f"{args.partitions} partitions x {args.rows} rows x {len(ex.COLUMNS)} columns, "
          f"{args.master}, {args.runs} runs")
    print(f"session start {started:.2f} s, first job (Python workers start) {warm:.2f} s")
    base = statistics.median(times["one process"])
    for name, values in times.items():
        med = statistics.median(values)
        print(f"{name:>20}: median {med:.2f} s ({min(values):.2f}-{max(values):.2f}), {med / base:.1f}x one process")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
