"""Benchmark: `mlproj monitor` over a prediction log of 1,000,000 answered rows, all labelled.

    python bench/monitor.py              # 1M logged rows (100,000 requests of 10), 4 features
    python bench/monitor.py --rows 100000

Builds a small project in a temporary folder (a fitted scikit-learn pipeline, its contract,
training and test splits of 10,000 rows, metrics.json), writes the log and the feedback with
`write_part` as a server would, and times `monitor()` in-process, median of 3: reading the
window, every check (the skew check re-scores every logged row), and writing the reports.
Seeded: the same verdicts on every run, up to the machine's noise in the timings.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pandas as pd

from mlproj.monitor.run import monitor
from mlproj.predictionlog.schema import write_part
from mlproj.project.modelio import save_model

DAY = date(2026, 11, 20)
CONTRACT = """\
columns:
  a: {kind: numeric, nullable: false}
  b: {kind: numeric, nullable: false}
  c: {kind: numeric, nullable: false}
  colour: {kind: categorical, nullable: false, allowed: [red, green, blue]}
  y: {kind: categorical, nullable: false, allowed: ['no', 'yes']}
"""


def table(rows: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "a": rng.normal(0, 1, rows),
            "b": rng.normal(5, 2, rows),
            "c": rng.exponential(1.0, rows),
            "colour": rng.choice(["red", "green", "blue"], rows),
        }
    )
    frame["y"] = np.where(frame["a"] + 0.3 * frame["b"] - frame["c"] > 0.5, "yes", "no")
    return frame


def project(root: Path) -> tuple[Path, object]:
    from sklearn.compose import ColumnTransformer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder

    (root / "data" / "processed").mkdir(parents=True)
    (root / "params.yaml").write_text(
        "data:\n  task: classification\n  target: y\n  contract: data/contract.yaml\n"
        "  train: data/processed/train.parquet\n  test: data/processed/test.parquet\n"
        "  numeric: [a, b, c]\n  categorical: [colour]\n"
        "paths:\n  model: models/model.skops\n  reports: reports\n  metrics: metrics.json\n"
    )
    (root / "data" / "contract.yaml").write_text(CONTRACT)
    train, test = table(10_000, 1), table(10_000, 2)
    train.to_parquet(root / "data" / "processed" / "train.parquet")
    test.to_parquet(root / "data" / "processed" / "test.parquet")
    encode = ColumnTransformer([("colour", OneHotEncoder(), ["colour"])], remainder="passthrough")
    model = Pipeline([("encode", encode), ("model", LogisticRegression())])
    model.fit(train.drop(columns="y"), train["y"])
    save_model(model, root / "models" / "model.skops")
    accuracy = float((model.predict(test.drop(columns="y")) == test["y"]).mean())
    (root / "metrics.json").write_text(json.dumps({"balanced_accuracy": accuracy}))
    return root, model


def log(root: Path, model: object, rows: int) -> None:
    batch = table(rows, 3)
    features = batch.drop(columns="y")
    answers = model.predict(features)  # type: ignore[attr-defined]
    start = datetime(DAY.year, DAY.month, DAY.day, tzinfo=timezone.utc)
    index = np.arange(rows)
    # 100,000 requests spread over the day, 0.8 s apart: one day's partition.
    times = pd.Series(pd.Timestamp(start) + pd.to_timedelta(index // 10 * 0.8, unit="s"))
    frame = pd.DataFrame(
        {
            "_request_id": pd.Series(index // 10).map("req-{}".format),
            "_row": index % 10,
            "_time": times.clip(upper=pd.Timestamp(start + timedelta(hours=23, minutes=59))),
            "_model_version": "workspace",
            "_role": "primary",
            "_answered": True,
            "_prediction": answers.astype(str),
            "_probability": np.nan,
            "_latency_ms": 8.0,
            "_error": None,
        }
    )
    write_part(root / "logs" / "predictions", pd.concat([frame, features], axis=1))
    feedback = frame[["_request_id", "_row", "_time"]].assign(_label=batch["y"].to_numpy())
    write_part(root / "logs" / "feedback", feedback)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="mlproj-bench-monitor-") as folder:
        root, model = project(Path(folder))
        log(root, model, args.rows)
        times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            result = monitor(root, until=DAY)
            times.append(time.perf_counter() - start)
    shown = ", ".join(f"{t:.2f}" for t in times)
    print(f"{args.rows:,} logged rows ({result.window.requests:,} requests), all labelled")
    print(f"  monitor: median {statistics.median(times):.2f} s (runs: {shown})")
    print(f"  alerts: {', '.join(c.name for c in result.alerts) or 'none'}")


if __name__ == "__main__":
    main()
