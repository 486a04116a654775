"""`mlproj reproduce`: retrain a commit in a fresh clone and compare it with what was recorded."""

from __future__ import annotations

from mlproj.reproduce.check import Reproduction, reproduce
from mlproj.reproduce.comparison import compare_hashes, compare_metrics, compare_predictions

__all__ = [
    "Reproduction",
    "compare_hashes",
    "compare_metrics",
    "compare_predictions",
    "reproduce",
]
