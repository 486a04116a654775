"""Model-development evidence in the default project: per-class scores, the learning curve,
the staleness check skipped for want of a time column, and a 2-point `mlproj sweep`."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

import pytest

from tests.e2e.conftest import copy_project, sh

pytestmark = pytest.mark.e2e


def test_evaluate_writes_per_class_scores_a_learning_curve_and_says_staleness_was_skipped(
    penguins: Path, tmp_path: Path
) -> None:
    metrics = json.loads((penguins / "metrics.json").read_text())
    assert set(metrics["per_class"]) == {"Adelie", "Chinstrap", "Gentoo"}
    gentoo = metrics["per_class"]["Gentoo"]
    assert gentoo["support"] == sum(gentoo["confusion"]) > 0
    assert 0.0 <= gentoo["recall"] <= 1.0
    with (penguins / "plots" / "learning_curve.csv").open() as rows:
        curve = list(csv.DictReader(rows))
    sizes = [int(row["train_rows"]) for row in curve]
    assert len(sizes) == 4 and sizes == sorted(sizes)
    assert all(0.0 <= float(row["test"]) <= 1.0 for row in curve)
    assert json.loads((penguins / "reports" / "staleness.json").read_text()) == {
        "skipped": "no time column: set time_column in conf/data to a date column"
    }
    shown = sh("dvc", "plots", "show", "--json", cwd=penguins).stdout
    assert "Learning curve" in shown and '"field": "test"' in shown and '"field": "train"' in shown


def test_a_two_point_sweep_queues_runs_and_commits_its_table(
    penguins: Path, tmp_path: Path
) -> None:
    project = copy_project(penguins, tmp_path / "demo")
    # A parameter only the gates and card stages read: the point of this test is the queue.
    (project / "conf" / "sweep" / "default.yaml").write_text(
        "metric: balanced_accuracy\nsweep:\n  gates.max_drop.balanced_accuracy: [0.02, 0.05]\n"
    )
    sh("git", "config", "user.name", "Tester", cwd=project)
    sh("git", "config", "user.email", "tester@example.com", cwd=project)
    sh("git", "commit", "--quiet", "--no-verify", "-am", "A small sweep", cwd=project)
    result = sh(sys.executable, "-m", "mlproj", "sweep", "--jobs", "1", "--commit", cwd=project)
    assert "2 of 2 experiments succeeded; best by balanced_accuracy: " in result.stdout
    with (project / "reports" / "sweep.csv").open() as table:
        rows = list(csv.DictReader(table))
    assert [row["gates.max_drop.balanced_accuracy"] for row in rows] == ["0.02", "0.05"]
    assert all(row["status"] == "success" and float(row["balanced_accuracy"]) > 0.9 for row in rows)
    assert sum(row["best"] == "yes" for row in rows) == 1
    assert "| **" in (project / "reports" / "sweep.md").read_text()
    assert sh("git", "status", "--porcelain", cwd=project).stdout == ""
    last = sh("git", "log", "-1", "--format=%s", "--name-only", cwd=project).stdout.split()
    assert last[-2:] == ["reports/sweep.csv", "reports/sweep.md"]
