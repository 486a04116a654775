"""A random sample of recent requests for people to read: the inputs no metric summarises.

Seeded (`monitor.seed`), so a rerun over the same log gives the same rows. Every cell goes
through `neutralise_formula`: a logged input is whatever a client sent, and a CSV opened in a
spreadsheet must not turn `=HYPERLINK(...)` into a live formula.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import TYPE_CHECKING

from mlproj._core.atomic import write_text
from mlproj._core.spreadsheet import neutralise_formula
from mlproj.predictionlog.feedback import LABEL
from mlproj.predictionlog.schema import FIELDS, REQUEST_ID, ROW, TIME

if TYPE_CHECKING:
    import pandas as pd


def review_sample(
    requests: pd.DataFrame, labelled: pd.DataFrame, features: list[str], *, rows: int, seed: int
) -> pd.DataFrame:
    """Up to ROWS request rows drawn at random (seeded), newest first, with labels if known."""
    if requests.empty or rows == 0:
        return requests.head(0)
    picked = requests.sample(n=min(rows, len(requests)), random_state=seed)
    labels = labelled[[REQUEST_ID, ROW, LABEL]] if LABEL in labelled.columns else None
    if labels is not None and len(labels):
        picked = picked.merge(labels, on=[REQUEST_ID, ROW], how="left")
    else:
        picked = picked.assign(**{LABEL: None})
    columns = [c for c in (*FIELDS, LABEL, *features) if c in picked.columns]
    return picked.sort_values(TIME, ascending=False, kind="stable")[columns]


def write_sample(path: Path, sample: pd.DataFrame) -> None:
    """Write SAMPLE as CSV atomically, each cell shown literally in a spreadsheet."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([neutralise_formula(c) for c in sample.columns])
    for values in sample.itertuples(index=False):
        writer.writerow(["" if _missing(v) else neutralise_formula(v) for v in values])
    write_text(path, buffer.getvalue())


def _missing(value: object) -> bool:
    import pandas as pd

    return value is None or value is pd.NA or (isinstance(value, float) and value != value)
