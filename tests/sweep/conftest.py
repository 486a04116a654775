"""A project as `mlproj sweep` reads it: params.yaml, conf/ and metrics.json, committed."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import git, init_repo, write

PARAMS = """\
data: {task: classification, target: y, numeric: [x], categorical: [], contract: c.yaml}
model: {_target_: sklearn.ensemble.HistGradientBoostingClassifier, learning_rate: 0.1}
evidence: {metric: balanced_accuracy}
gates: {lower_is_better: []}
paths: {model: m.skops, metrics: metrics.json, reports: reports}
"""
SWEEP = """\
metric: balanced_accuracy
sweep:
  model.learning_rate: [0.05, 0.1]
  model: [hist_gradient_boosting]
"""


@pytest.fixture
def sweep_project(tmp_path: Path) -> Path:
    """A committed project whose conf/sweep declares 2 points."""
    return make_sweep_project(tmp_path)


def make_sweep_project(tmp_path: Path) -> Path:
    """A committed project in TMP_PATH/p whose conf/sweep declares 2 points."""
    (tmp_path / "p").mkdir()
    root = init_repo(tmp_path / "p")
    write(root / "params.yaml", PARAMS)
    write(root / "conf" / "sweep" / "default.yaml", SWEEP)
    write(root / "conf" / "model" / "hist_gradient_boosting.yaml", "learning_rate: 0.1\n")
    write(root / "metrics.json", '{"accuracy": 0.9, "balanced_accuracy": 0.8, "simple": {}}\n')
    git(root, "add", "--all")
    git(root, "commit", "--quiet", "-m", "project")
    return root
