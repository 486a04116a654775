"""A toy project that `mlproj monitor` can read, and prediction logs written as a server would.

The toy classifier says 'b' for positive x and 'a' otherwise; the test split's truth agrees,
so the logged answers are right unless a test says otherwise.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from mlproj.predictionlog.schema import write_part
from tests.toy_project import classifier, make_drift_project

DAY = date(2026, 11, 20)
FEATURES = ["x", "color"]


def monitor_project(root: Path, *, extra: str = "") -> Path:
    """The drift toy project with a test split, metrics.json and (optionally) more params."""
    make_drift_project(root)
    params = root / "params.yaml"
    text = params.read_text().replace(
        "  numeric:", "  test: data/processed/test.parquet\n  numeric:"
    )
    text = text.replace("  reports: reports\n", "  reports: reports\n  metrics: metrics.json\n")
    params.write_text(text + extra)
    test = holdout()
    test.to_parquet(root / "data" / "processed" / "test.parquet")
    (root / "metrics.json").write_text(json.dumps({"accuracy": 1.0, "balanced_accuracy": 1.0}))
    return root


def holdout(rows: int = 120, seed: int = 11) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "id": np.arange(rows),
            "x": rng.normal(0.0, 1.0, rows).round(3),
            "color": rng.choice(["red", "blue"], rows),
        }
    )
    frame["y"] = np.where(frame["x"] > 0, "b", "a")
    return frame


def log_frame(
    rows: pd.DataFrame,
    *,
    version: str = "workspace",
    day: date = DAY,
    per_request: int = 3,
    latency_ms: float = 10.0,
    prefix: str = "r",
    model: Any = None,
) -> pd.DataFrame:
    """ROWS (features) as the log holds them: answered by MODEL (the toy classifier) at DAY."""
    features = rows[FEATURES].reset_index(drop=True)
    answers = (model or classifier()).predict(features)
    start = datetime(day.year, day.month, day.day, 12, tzinfo=timezone.utc)
    n = len(features)
    frame = pd.DataFrame(
        {
            "_request_id": [f"{prefix}{i // per_request}" for i in range(n)],
            "_row": [i % per_request for i in range(n)],
            "_time": [start + timedelta(seconds=i // per_request) for i in range(n)],
            "_model_version": version,
            "_role": "primary",
            "_answered": True,
            "_prediction": [str(a) for a in answers],
            "_probability": np.nan,
            "_latency_ms": latency_ms,
            "_error": None,
        }
    )
    frame["_time"] = pd.to_datetime(frame["_time"], utc=True)
    return pd.concat([frame, features], axis=1)


def refused_frame(count: int, *, day: date = DAY, color: str = "green") -> pd.DataFrame:
    """COUNT one-row requests the contract refused (a colour it does not allow)."""
    start = datetime(day.year, day.month, day.day, 13, tzinfo=timezone.utc)
    return pd.DataFrame(
        {
            "_request_id": [f"bad{i}" for i in range(count)],
            "_row": 0,
            "_time": pd.to_datetime([start + timedelta(seconds=i) for i in range(count)], utc=True),
            "_model_version": "workspace",
            "_role": "refused",
            "_answered": False,
            "_prediction": None,
            "_probability": np.nan,
            "_latency_ms": np.nan,
            "_error": "row 1: color not in allowed",
            "x": 0.5,
            "color": color,
        }
    )


def feedback_frame(log: pd.DataFrame, labels: list[str], *, day: date = DAY) -> pd.DataFrame:
    """Labels for LOG's rows, recorded at the end of DAY."""
    when = datetime(day.year, day.month, day.day, 23, tzinfo=timezone.utc)
    return pd.DataFrame(
        {
            "_request_id": log["_request_id"].to_numpy(),
            "_row": log["_row"].to_numpy(),
            "_label": labels,
            "_time": pd.to_datetime([when] * len(log), utc=True),
        }
    )


def write_log(project: Path, frame: pd.DataFrame, folder: str = "logs/predictions") -> None:
    write_part(project / folder, frame)


def truth(rows: pd.DataFrame) -> list[str]:
    return ["b" if x > 0 else "a" for x in rows["x"]]
