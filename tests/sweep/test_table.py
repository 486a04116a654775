"""The sweep's table: rows from `dvc exp show --json`, the best marked, CSV and Markdown."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from mlproj.errors import CommandFailed
from mlproj.sweep import SweepPlan, SweepResult, sweep_rows, to_csv, to_markdown

PLAN = SweepPlan(
    keys=("model.learning_rate",),
    points=(
        ("model.learning_rate=0.05",),
        ("model.learning_rate=0.1",),
        ("model.learning_rate=1",),
    ),
    metric="balanced_accuracy",
    lower_is_better=False,
)


def _rev(name: str, metrics: dict[str, Any]) -> dict[str, Any]:
    data = {"rev": "abc", "params": {}, "metrics": {"metrics.json": {"data": metrics}}}
    return {"revs": [{"rev": "abc", "name": name, "data": data}], "name": name}


# The shape of `dvc exp show --json` (DVC 3): the workspace, then the baseline commit with its
# experiments, each a list of revisions.
SHOWN = [
    {"rev": "workspace", "name": None, "data": {"metrics": {}}, "experiments": None},
    {
        "rev": "0" * 40,
        "name": "develop",
        "data": {"metrics": {}},
        "experiments": [
            _rev("lr-low", {"accuracy": 0.9, "balanced_accuracy": 0.8, "simple": {"a": 1}}),
            _rev("lr-mid", {"accuracy": 0.95, "balanced_accuracy": 0.9}),
        ],
    },
]


def test_each_point_gets_its_values_metrics_and_status_and_the_best_is_marked() -> None:
    statuses = {"lr-low": "success", "lr-mid": "success", "lr-high": "failed"}
    rows = sweep_rows(PLAN, ["lr-low", "lr-mid", "lr-high"], statuses, SHOWN, "metrics.json")
    assert [(r.name, r.status, r.values, r.best) for r in rows] == [
        ("lr-low", "success", ("0.05",), False),
        ("lr-mid", "success", ("0.1",), True),
        ("lr-high", "failed", ("1",), False),
    ]
    assert rows[0].metrics == {"accuracy": 0.9, "balanced_accuracy": 0.8}
    assert to_csv(PLAN, rows) == (
        "experiment,status,model.learning_rate,accuracy,balanced_accuracy,best\n"
        "lr-low,success,0.05,0.9,0.8,\n"
        "lr-mid,success,0.1,0.95,0.9,yes\n"
        "lr-high,failed,1,,,\n"
    )
    markdown = to_markdown(PLAN, rows, "1234567890")
    assert "from commit 1234567, ranked by `balanced_accuracy` (higher is better)" in markdown
    assert "| **lr-mid** (best) | success | `0.1` | 0.95 | 0.9 |" in markdown
    assert "| lr-high | failed | `1` | n/a | n/a |" in markdown
    assert "Not successful: lr-high" in markdown


def test_lower_is_better_picks_the_smallest() -> None:
    plan = SweepPlan(PLAN.keys, PLAN.points[:2], "accuracy", lower_is_better=True)
    rows = sweep_rows(plan, ["lr-low", "lr-mid"], {}, SHOWN, "metrics.json")
    assert [r.best for r in rows] == [True, False]


def test_no_metric_recorded_marks_none_best() -> None:
    rows = sweep_rows(PLAN, ["x", "y", "z"], {}, [], "metrics.json")
    assert not any(r.best for r in rows)
    assert "none is marked best" in to_markdown(PLAN, rows, "abc")


def test_failed_experiments_are_named_in_one_line() -> None:
    statuses = {"lr-low": "success", "lr-mid": "success", "lr-high": "failed"}
    rows = sweep_rows(PLAN, ["lr-low", "lr-mid", "lr-high"], statuses, SHOWN, "metrics.json")
    result = SweepResult(PLAN, tuple(rows), (Path("reports/sweep.csv"),), committed=False)
    with pytest.raises(CommandFailed) as raised:
        result.check()
    assert str(raised.value) == (
        "1 of 3 experiments failed (lr-high): see `dvc queue logs NAME`; the table lists the rest."
    )
