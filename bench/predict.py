"""Benchmark: peak memory and time of `mlproj predict` on a 1,000,000-row CSV, by chunk size.

    python bench/predict.py                      # 1M rows; chunks of 100k, then the whole file
    python bench/predict.py --rows 200000 --chunk-size 50000
    python bench/predict.py --rows 3000000 --chunked-only   # memory does not grow with the file

Builds a small project in a temporary folder (10 numeric and 5 categorical features with gaps,
a 20-iteration histogram gradient boosting classifier over 3 classes, the contract inferred
from its training rows), writes the batch as CSV, then runs the real command under
`/usr/bin/time -v` once per chunk size and reports its maximum resident set size. Seeded.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

NUMERIC = [f"n{i}" for i in range(10)]
CATEGORICAL = [f"c{i}" for i in range(5)]
MODELS = 'TRUSTED_TYPES = ["numpy.dtype", "{}"]\n'.format(
    "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor"
)


def table(rows: int, seed: int) -> pd.DataFrame:
    """An id, the features (1% gaps in the numbers) and a label that depends on two of them."""
    rng = np.random.default_rng(seed)
    columns: dict[str, object] = {"id": np.arange(rows)}
    for i, name in enumerate(NUMERIC):
        values = rng.normal(10 * i, 1 + i, rows).round(3)
        values[rng.random(rows) < 0.01] = np.nan
        columns[name] = values
    for i, name in enumerate(CATEGORICAL):
        columns[name] = np.array([f"level-{k}" for k in range(3 + i)])[rng.integers(0, 3 + i, rows)]
    frame = pd.DataFrame(columns)
    score = frame["n1"].fillna(11) - 11 + (frame["c0"] == "level-0") * 1.5
    frame["label"] = np.select([score < -0.5, score < 1.0], ["low", "mid"], "high")
    return frame


def make_project(root: Path, train: pd.DataFrame) -> None:
    """What `mlproj predict` reads: params, answers, TRUSTED_TYPES, the contract and a model."""
    from sklearn.compose import ColumnTransformer
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OrdinalEncoder

    from mlproj.data.contract import Contract, infer_contract, save_contract
    from mlproj.project.modelio import save_model

    (root / "bench_project").mkdir(parents=True)
    (root / "bench_project" / "__init__.py").write_text("")
    (root / "bench_project" / "models.py").write_text(MODELS)
    (root / ".mlproj-answers.yaml").write_text('package_name: "bench_project"\n')
    (root / "params.yaml").write_text(
        "data:\n  task: classification\n  target: label\n  contract: data/contract.yaml\n"
        f"  numeric: [{', '.join(NUMERIC)}]\n  categorical: [{', '.join(CATEGORICAL)}]\n"
        "paths:\n  model: models/model.skops\n  reports: reports\n"
    )
    # A new batch's extremes pass the training ones: keep the contract's types and categories.
    rules = infer_contract(train).columns
    contract = Contract(tuple(dataclasses.replace(r, minimum=None, maximum=None) for r in rules))
    save_contract(contract, root / "data" / "contract.yaml")
    encode = Pipeline(
        [
            ("impute", SimpleImputer(strategy="most_frequent")),
            ("ordinal", OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1)),
        ]
    )
    preprocess = ColumnTransformer([("n", "passthrough", NUMERIC), ("c", encode, CATEGORICAL)])
    model = Pipeline(
        [("preprocess", preprocess), ("model", HistGradientBoostingClassifier(max_iter=20))]
    )
    model.fit(train[NUMERIC + CATEGORICAL], train["label"])
    save_model(model, root / "models" / "model.skops")


def measure(project: Path, batch: Path, out: Path, chunk_size: int) -> tuple[float, float]:
    """Peak RSS in MiB and wall time in seconds of one `mlproj predict` run."""
    command = ["/usr/bin/time", "-v", sys.executable, "-m", "mlproj", "predict", str(batch)]
    command += ["-o", str(out), "--chunk-size", str(chunk_size), "--force", "-p", str(project)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(done.stderr)
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([\d:.]+)", done.stderr)
    assert rss and wall
    seconds = sum(float(p) * 60**i for i, p in enumerate(reversed(wall[1].split(":"))))
    return int(rss[1]) / 1024, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--chunk-size", type=int, default=100_000)
    parser.add_argument("--chunked-only", action="store_true", help="skip the whole-file run")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="mlproj-bench-predict-") as folder:
        root = Path(folder)
        make_project(root / "project", table(5_000, seed=1))
        batch = root / "batch.csv"
        table(args.rows, seed=2).drop(columns="label").to_csv(batch, index=False)
        size = os.path.getsize(batch) / 2**20
        width = 1 + len(NUMERIC) + len(CATEGORICAL)
        print(f"{args.rows:,} rows x {width} columns, {size:.0f} MiB CSV")
        for chunk in (args.chunk_size,) if args.chunked_only else (args.chunk_size, args.rows):
            rss, seconds = measure(root / "project", batch, root / "out.csv", chunk)
            what = "whole file" if chunk >= args.rows else f"chunks of {chunk:,}"
            print(f"  {what}: peak RSS {rss:,.0f} MiB, {seconds:.1f} s")


if __name__ == "__main__":
    main()
