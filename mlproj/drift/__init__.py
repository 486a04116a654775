"""`mlproj drift`: whether a production batch moved away from the training data.

`stats` computes, `rules` judges, `check` runs the comparison and `report` renders it.
"""

from __future__ import annotations

from mlproj.drift.check import DriftRun, run_drift
from mlproj.drift.report import render_drift_report
from mlproj.drift.rules import ColumnDrift, DriftResult, Thresholds

__all__ = [
    "ColumnDrift",
    "DriftResult",
    "DriftRun",
    "Thresholds",
    "render_drift_report",
    "run_drift",
]
