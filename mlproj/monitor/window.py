"""The prediction log's window as the checks read it: requests, answered rows, their labels.

The window is whole UTC days, `window_days` of them ending with UNTIL (today by default), as
the log is partitioned. Shadow rows are scores nobody received: they count towards no check
here (`mlproj compare-versions` reads them). Labels come from the feedback log, joined on
(`_request_id`, `_row`); when a row was labelled twice, the label recorded last wins.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from mlproj.predictionlog.feedback import LABEL, latest_labels
from mlproj.predictionlog.schema import (
    ANSWERED,
    MODEL_VERSION,
    REQUEST_ID,
    ROLE,
    ROW,
    TIME,
    read_log,
    without_smoke,
)

if TYPE_CHECKING:
    import pandas as pd

REFUSED = "refused"


@dataclass(frozen=True)
class LogWindow:
    """The rows of the window: every request row (shadows left out) and the answered ones."""

    since: date
    until: date
    requests: pd.DataFrame  # primary, canary and refused rows
    answered: pd.DataFrame  # the rows whose answer a client received, with `_label` if known
    smoke_requests: int = 0  # `mlproj smoke`'s requests, left out: test traffic, not production

    @property
    def request_count(self) -> int:
        """Distinct requests in the window."""
        return int(self.requests[REQUEST_ID].nunique()) if len(self.requests) else 0

    @property
    def labelled(self) -> pd.DataFrame:
        """Answered rows that have a label."""
        return self.answered[self.answered[LABEL].notna()]

    @property
    def versions(self) -> tuple[str, ...]:
        """The model versions that answered in the window, most rows first (ties by name)."""
        counts = self.answered[MODEL_VERSION].astype(str).value_counts()
        return tuple(sorted((str(v) for v in counts.index), key=lambda v: (-counts[v], v)))

    def serving_version(self) -> str | None:
        """The version that answered last (a primary row when there is one): the one judged."""
        if self.answered.empty:
            return None
        primary = self.answered[self.answered[ROLE] == "primary"]
        rows = primary if len(primary) else self.answered
        return str(rows[MODEL_VERSION].iloc[int(rows[TIME].argmax())])


def window_days(until: date | None, days: int) -> tuple[date, date]:
    """The first and last day of a window of DAYS ending UNTIL (today, UTC, by default)."""
    last = until or datetime.now(timezone.utc).date()
    return last - timedelta(days=days - 1), last


def read_window(log: Path, feedback: Path, since: date, until: date) -> LogWindow:
    """Read the log's days SINCE to UNTIL and join the labels recorded for their rows."""
    import pandas as pd

    rows = read_log(log, since=since, until=until)
    if ROLE in rows.columns and len(rows):
        rows = rows[rows[ROLE] != "shadow"]
    rows, smoke_requests = without_smoke(rows)
    rows = rows.reset_index(drop=True)
    if len(rows):
        answered = rows[rows[ANSWERED].fillna(False).astype(bool)].reset_index(drop=True)
    else:
        answered = rows.copy()
    labels = latest_labels(feedback, since=since)
    if len(answered) and len(labels):
        answered = answered.merge(labels, on=[REQUEST_ID, ROW], how="left")
    else:
        answered = answered.assign(**{LABEL: pd.Series([None] * len(answered), dtype=object)})
    return LogWindow(since, until, rows, answered, smoke_requests)
