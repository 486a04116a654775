"""Metrics per slice of the test set, and the largest gap between groups of a sensitive column.

A project's `evaluate` stage scores each value of its declared slice columns with its own
metrics and writes `reports/slices.json`; this module reads that file and does what is the
same in every project: find, for a column, the groups far apart on a metric. Slices with fewer
rows than `slices.min_count` are flagged `tiny` by the project and left out of every gap, since
a metric on a handful of rows is noise: they are shown, never gated.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlproj._core.text import number
from mlproj.errors import InvalidGates

SLICES_FILE = "slices.json"


@dataclass(frozen=True)
class Slice:
    """The test rows holding one value of a column: how many, and the model's metrics on them."""

    value: str
    count: int
    tiny: bool
    metrics: Mapping[str, float | None]

    def score(self, metric: str) -> float | None:
        """The slice's METRIC, or None when it is undefined there (one class only, say)."""
        value = self.metrics.get(metric)
        if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
            return None
        return float(value)


@dataclass(frozen=True)
class SliceReport:
    """`reports/slices.json`: every declared column's slices, in a stable order.

    `rows` is the size of the whole test set (None in reports written before it was recorded).
    """

    min_count: int
    columns: Mapping[str, tuple[Slice, ...]]
    rows: int | None = None


@dataclass(frozen=True)
class Gap:
    """The spread of METRIC across the groups of COLUMN large enough to judge.

    `gap` is None when fewer than two groups could be compared; `left_out` names the groups
    that were not (tiny, or the metric undefined on them).
    """

    column: str
    metric: str
    gap: float | None
    best: Slice | None
    worst: Slice | None
    compared: tuple[Slice, ...]
    left_out: tuple[str, ...]

    def describe(self) -> str:
        """The groups behind the number, as a reader checks it: `female 0.85, male 1.0`."""
        shown = ", ".join(f"{s.value} {_round(s.score(self.metric))}" for s in self.compared)
        if self.left_out:
            shown += f"; left out: {', '.join(self.left_out)}"
        return shown


def read_slices(path: Path) -> SliceReport:
    """Read the file the `evaluate` stage writes; `InvalidGates` when it is missing or malformed."""
    if not path.is_file():
        raise InvalidGates(f"{path} not found: the evaluate stage writes it; run `dvc repro`.")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        columns = {
            str(column): tuple(
                Slice(
                    value=str(row["value"]),
                    count=int(row["count"]),
                    tiny=bool(row["tiny"]),
                    metrics=dict(row["metrics"]),
                )
                for row in rows
            )
            for column, rows in data["columns"].items()
        }
        rows = None if data.get("rows") is None else int(data["rows"])
        return SliceReport(min_count=int(data["min_count"]), columns=columns, rows=rows)
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise InvalidGates(
            f"{path}: not a slice report ({type(exc).__name__}: {exc}); run `dvc repro`."
        ) from exc


def group_gap(report: SliceReport, column: str, metric: str) -> Gap:
    """The largest difference in METRIC between any two groups of COLUMN that are not tiny."""
    if column not in report.columns:
        known = ", ".join(report.columns) or "none"
        raise InvalidGates(
            f"inclusion.sensitive: no slices of {column!r} in {SLICES_FILE} (it has: {known}); "
            "is it a column of the data?"
        )
    slices = report.columns[column]
    if slices and all(metric not in s.metrics for s in slices):
        known = ", ".join(slices[0].metrics)
        raise InvalidGates(f"inclusion.metric: slices have no {metric!r} (they have: {known}).")
    compared = tuple(s for s in slices if not s.tiny and s.score(metric) is not None)
    left_out = tuple(
        f"{s.value} ({'tiny' if s.tiny else 'undefined'})" for s in slices if s not in compared
    )
    if len(compared) < 2:
        return Gap(column, metric, None, None, None, compared, left_out)
    best = max(compared, key=lambda s: _score(s, metric))
    worst = min(compared, key=lambda s: _score(s, metric))
    gap = round(_score(best, metric) - _score(worst, metric), 6)
    return Gap(column, metric, gap, best, worst, compared, left_out)


def slices_to_json(report: SliceReport) -> dict[str, Any]:
    """The JSON form `read_slices` reads back, for tests and for projects that build one."""
    rows = {} if report.rows is None else {"rows": report.rows}
    return {
        "min_count": report.min_count,
        **rows,
        "columns": {
            column: [
                {"value": s.value, "count": s.count, "tiny": s.tiny, "metrics": dict(s.metrics)}
                for s in slices
            ]
            for column, slices in report.columns.items()
        },
    }


def _score(item: Slice, metric: str) -> float:
    value = item.score(metric)
    assert value is not None  # only slices with a score are compared
    return value


def _round(value: float | None) -> str:
    return "undefined" if value is None else number(value)
