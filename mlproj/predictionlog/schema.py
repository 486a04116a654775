"""The prediction log's layout: the contract's columns plus the log's own fields, by day.

The log is a Parquet dataset under one folder, partitioned as `date=YYYY-MM-DD/part-*.parquet`
(Hive style, so pandas, pyarrow, DuckDB and Spark all read it as one table). A part is written
to a hidden temporary file and renamed, so a reader never sees half of one and a killed server
loses only the rows it had not yet written. The log's own fields start with `_`, so they never
collide with a feature's name; a contract column that starts with `_` is refused at start-up.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from mlproj.errors import DataError

if TYPE_CHECKING:
    import pandas as pd

    from mlproj.data.contract import Contract

REQUEST_ID = "_request_id"
"""The request's id: the client's `X-Request-ID` when it sent a valid one, else a new UUID."""
ROW = "_row"
"""The row's position in its request, from 0: with the request id, a row's key."""
TIME = "_time"
"""When the request arrived (UTC)."""
MODEL_VERSION = "_model_version"
"""The version that gave this prediction (`v1.2.0`, or `workspace@<commit>`)."""
ROLE = "_role"
"""`primary`, `shadow` (scored, not answered), `canary` (answered by the candidate), `refused`."""
ANSWERED = "_answered"
"""Whether this prediction is the one the client received."""
PREDICTION = "_prediction"
"""The answer: the class as text (classification) or the value (regression); null if refused."""
PROBABILITY = "_probability"
"""The predicted class's probability (classification with probabilities), else null."""
LATENCY_MS = "_latency_ms"
"""Milliseconds the model took to score the request this row came in (per role)."""
ERROR = "_error"
"""Why a refused row was refused (the contract break in words); null otherwise."""

SMOKE_PREFIX = "smoke-"
"""How the ids of `mlproj smoke`'s requests start: test traffic, which monitoring leaves out."""

FIELDS = (
    REQUEST_ID,
    ROW,
    TIME,
    MODEL_VERSION,
    ROLE,
    ANSWERED,
    PREDICTION,
    PROBABILITY,
    LATENCY_MS,
    ERROR,
)
ROLES = ("primary", "shadow", "canary", "refused")
PARTITION = "date"


def without_smoke(rows: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """ROWS less those of `mlproj smoke`'s requests, and how many requests that left out.

    Smoke tests send synthetic rows and a row that breaks the contract on purpose: judging a
    deployment by them (monitoring, a shadow's verdict) would judge the test, not production.
    """
    if rows.empty or REQUEST_ID not in rows.columns:
        return rows, 0
    smoke = rows[REQUEST_ID].astype(str).str.startswith(SMOKE_PREFIX)
    if not smoke.any():
        return rows, 0
    return rows[~smoke].reset_index(drop=True), int(rows[REQUEST_ID][smoke].nunique())


def reserved_names(contract: Contract) -> list[str]:
    """Contract columns whose names the log keeps for itself (those starting with `_`)."""
    return [name for name in contract.names if name.startswith("_")]


def write_part(folder: Path, frame: pd.DataFrame) -> list[Path]:
    """Append FRAME's rows to the log under FOLDER, one new part per day they fall on.

    Each part goes to a hidden temporary file beside its final name and is renamed into place.
    Returns the parts written (none for an empty frame).
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    if frame.empty:
        return []
    days = frame[TIME].dt.tz_convert("UTC").dt.date
    written: list[Path] = []
    for day in sorted(set(days)):
        part = folder / f"{PARTITION}={day.isoformat()}" / f"part-{_stamp()}.parquet"
        part.parent.mkdir(parents=True, exist_ok=True)
        hidden = part.with_name(f".{part.name}.tmp")
        table = pa.Table.from_pandas(frame[days == day], preserve_index=False)
        try:
            pq.write_table(table, hidden)
            hidden.replace(part)
        except BaseException:
            hidden.unlink(missing_ok=True)
            raise
        written.append(part)
    return written


def read_log(
    folder: Path,
    *,
    since: date | None = None,
    until: date | None = None,
    columns: list[str] | None = None,
) -> pd.DataFrame:
    """The log's rows from SINCE to UNTIL (days, both included), reading only those days' parts.

    An absent or empty folder gives an empty frame with the log's fields. `DataError` when a
    part cannot be read, naming it.
    """
    import pandas as pd

    parts = [
        part
        for day_folder in sorted(folder.glob(f"{PARTITION}=*"))
        if _within(day_folder.name, since, until)
        for part in sorted(day_folder.glob("part-*.parquet"))
    ]
    frames = []
    for part in parts:
        try:
            frames.append(pd.read_parquet(part, columns=columns))
        except Exception as exc:  # pyarrow raises several unrelated types for a bad file
            raise DataError(f"{part}: cannot be read as a prediction log part ({exc}).") from None
    if not frames:
        return pd.DataFrame(columns=columns or list(FIELDS))
    return pd.concat(frames, ignore_index=True)


def _within(name: str, since: date | None, until: date | None) -> bool:
    """Whether the partition folder NAME (`date=YYYY-MM-DD`) lies in the window."""
    try:
        day = date.fromisoformat(name.partition("=")[2])
    except ValueError:
        return False
    return (since is None or day >= since) and (until is None or day <= until)


def _stamp() -> str:
    """A part name that sorts by time and never repeats: UTC microseconds plus a random tail."""
    now = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    return f"{now}-{uuid.uuid4().hex[:8]}"
