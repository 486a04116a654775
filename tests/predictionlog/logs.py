"""Prediction log rows made by hand, in the log's layout, for the feedback and version tests."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pandas as pd

from mlproj.predictionlog.schema import write_part

NOON = datetime(2026, 11, 30, 12, tzinfo=timezone.utc)


def log_frame(entries: list[tuple[Any, ...]], start: datetime = NOON) -> pd.DataFrame:
    """Rows from (request_id, row, version, role, prediction, latency_ms), a second apart."""
    records = []
    for i, (request, row, version, role, prediction, latency) in enumerate(entries):
        records.append(
            {
                "_request_id": request,
                "_row": row,
                "_time": pd.Timestamp(start + timedelta(seconds=i)),
                "_model_version": version,
                "_role": role,
                "_answered": role in ("primary", "canary"),
                "_prediction": prediction,
                "_probability": None,
                "_latency_ms": float(latency),
                "_error": None,
                "x": 1.0,
                "color": "red",
            }
        )
    frame = pd.DataFrame(records)
    frame["_row"] = frame["_row"].astype("int64")
    return frame


def write_log(folder: Path, entries: list[tuple[Any, ...]], start: datetime = NOON) -> None:
    write_part(folder, log_frame(entries, start))
