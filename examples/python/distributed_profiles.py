#!/usr/bin/env python3
"""Distributed profiles: one profile per partition on Dask workers, merged on the client.

A large table is made of partitions that the workers produce themselves (here
generated from a seed; in practice read from files or a warehouse), so the
table never passes through the client. Each worker process builds a libmlops
profile of every column of its partitions (numeric columns: moments, min/max,
histogram and a KLL sketch; the categorical column: code counts). The
profiles travel back as their bytes (profiles pickle through
`Profile.to_bytes()`), and the client merges them with `sum()` — in partition
order, so the result is the same bytes whichever worker built which part.
The merged profiles are then compared with a stored reference profile
(KS and Wasserstein with the sketches' error bounds).

    python3 examples/python/distributed_profiles.py --rows 250000 --partitions 16

Needs `dask[distributed]`, pandas and NumPy, and the `mlops` package with
libmlops (MLOPS_LIBRARY, or an installed wheel) importable by the workers.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Dict, List, Optional, Sequence

import numpy as np
import pandas as pd

import libmlops as mlops

#: Histogram edges of the numeric columns (the same on every worker, or
#: the profiles would not merge).
EDGES = {"amount": [1.0, 10.0, 100.0, 1000.0], "latency_ms": [10.0, 50.0, 100.0, 250.0]}
CATEGORICAL = ("country",)
SEED = 42


def make_partition(index: int, rows: int, seed: int, shift: float = 0.0) -> pd.DataFrame:
    """Partition ``index`` of a synthetic transactions table (deterministic
    from ``seed`` and ``index``); ``shift`` moves the amount distribution."""
    rng = np.random.default_rng([seed, index])
    return pd.DataFrame({
        "amount": rng.lognormal(3.0 + shift, 1.0, rows),
        "latency_ms": rng.gamma(2.0, 20.0, rows),
        "country": rng.integers(0, 40, rows),
    })


def profile_partition(part: pd.DataFrame) -> Dict[str, mlops.Profile]:
    """Profiles of every column of one partition (runs on a worker)."""
    out = {}
    for column in part.columns:
        if column in CATEGORICAL:
            out[column] = mlops.Profile.categorical(part[column].to_numpy())
        else:
            # A float64 column is read in place by the C library (no copy).
            out[column] = mlops.Profile.numeric(part[column].to_numpy(), edges=EDGES[column], seed=SEED)
    return out


def merge(profiles: Sequence[Dict[str, mlops.Profile]]) -> Dict[str, mlops.Profile]:
    """Merge per-partition profiles column by column, in the order given."""
    return {column: sum(p[column] for p in profiles) for column in profiles[0]}


def build(index: int, rows: int, seed: int, shift: float) -> Dict[str, mlops.Profile]:
    """A worker task: make (or load) one partition and profile it."""
    return profile_partition(make_partition(index, rows, seed, shift))


def distributed_profiles(client, partitions: int, rows: int, seed: int, shift: float = 0.0,
                         timeout: Optional[float] = None) -> Dict[str, mlops.Profile]:
    """Profile ``partitions`` partitions of ``rows`` rows on the cluster;
    merge the profiles here, in partition order."""
    futures = client.map(build, range(partitions), rows=rows, seed=seed, shift=shift, pure=False)
    parts: List[Dict[str, mlops.Profile]] = [f.result(timeout=timeout) for f in futures]
    return merge(parts)


def local_profiles(partitions: int, rows: int, seed: int, shift: float = 0.0) -> Dict[str, mlops.Profile]:
    """The same computation in this process."""
    return merge([build(i, rows, seed, shift) for i in range(partitions)])


def whole_table(partitions: int, rows: int, seed: int, shift: float = 0.0) -> pd.DataFrame:
    """The whole table in memory (for checking only)."""
    return pd.concat([make_partition(i, rows, seed, shift) for i in range(partitions)], ignore_index=True)


def compare(reference: Dict[str, mlops.Profile], current: Dict[str, mlops.Profile]) -> List[dict]:
    """Per-column drift verdicts between a reference and the current profiles."""
    rows = []
    for column, cur in current.items():
        ref = reference[column]
        if cur.kind == "categorical":
            rc, cc = ref.categories(), cur.categories()
            tv = 0.5 * sum(abs(rc.get(k, 0) / ref.count - cc.get(k, 0) / cur.count) for k in set(rc) | set(cc))
            rows.append({"column": column, "test": "total variation", "statistic": tv,
                         "verdict": "drift" if tv > 0.1 else "no_drift"})
            continue
        ks = ref.ks_test(cur, alpha=0.01)
        rows.append({"column": column, **ks.to_dict()})
    return rows


def main(argv: Sequence[str] = ()) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=250_000, help="rows per partition")
    parser.add_argument("--partitions", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--reference", type=Path, default=Path("reference-profiles"))
    parser.add_argument("--shift", type=float, default=0.1, help="drift injected into `amount`")
    args = parser.parse_args(list(argv) or None)

    from dask.distributed import Client, LocalCluster

    # The stored reference: one profile file per column, written once.
    args.reference.mkdir(parents=True, exist_ok=True)
    if not any(args.reference.iterdir()):
        for column, prof in local_profiles(args.partitions, args.rows, seed=1).items():
            (args.reference / f"{column}.profile").write_bytes(prof.to_bytes())
    reference = {p.stem: mlops.Profile.from_bytes(p.read_bytes()) for p in args.reference.glob("*.profile")}

    with LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        current = distributed_profiles(client, args.partitions, args.rows, seed=2, shift=args.shift)
    for row in compare(reference, current):
        print(f"{row['column']:>12}  {row['test']:<16} statistic={row['statistic']:.4f}  {row['verdict']}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
