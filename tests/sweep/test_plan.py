"""The declared sweep: read, checked against the project, expanded into points."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlproj.errors import InvalidSweep
from mlproj.project import open_project
from mlproj.sweep import override_value, read_plan
from tests.conftest import write


def test_every_combination_is_a_point_in_declaration_order(sweep_project: Path) -> None:
    plan = read_plan(open_project(sweep_project))
    assert plan.keys == ("model.learning_rate", "model")
    assert plan.points == (
        ("model.learning_rate=0.05", "model=hist_gradient_boosting"),
        ("model.learning_rate=0.1", "model=hist_gradient_boosting"),
    )
    assert plan.metric == "balanced_accuracy" and not plan.lower_is_better
    assert plan.commands()[0] == [
        "dvc", "exp", "run", "--queue",
        "-S", "model.learning_rate=0.05", "-S", "model=hist_gradient_boosting",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("sweep", "message"),
    [
        (
            "sweep:\n  model.learning_rat: [0.1]\n",
            "conf/sweep/default.yaml: unknown parameter 'model.learning_rat': params.yaml has "
            "no such key (a new one is written '+model.learning_rat').",
        ),
        (
            "sweep:\n  model: [forest]\n",
            "conf/sweep/default.yaml: model: no conf/model/forest.yaml.",
        ),
        (
            "sweep:\n  model.learning_rate: 0.1\n",
            "conf/sweep/default.yaml: model.learning_rate: expected a non-empty list of values "
            "to try.",
        ),
        (
            "sweep: {}\n",
            "conf/sweep/default.yaml: expected `sweep:` mapping parameters to value lists.",
        ),
        (
            "metric: rmse\nsweep:\n  model.learning_rate: [0.1]\n",
            "conf/sweep/default.yaml: metric 'rmse' is not in metrics.json "
            "(accuracy, balanced_accuracy).",
        ),
        (
            "sweep:\n  +model.a: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]\n"
            "  +model.b: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\n",
            "conf/sweep/default.yaml: 110 points, more than 100: narrow the value lists.",
        ),
    ],
    ids=["unknown-key", "unknown-choice", "not-a-list", "empty", "unknown-metric", "too-many"],
)
def test_a_bad_sweep_is_named_in_one_line(sweep_project: Path, sweep: str, message: str) -> None:
    write(sweep_project / "conf" / "sweep" / "default.yaml", sweep)
    with pytest.raises(InvalidSweep) as raised:
        read_plan(open_project(sweep_project))
    assert str(raised.value) == message


def test_a_missing_sweep_file_says_where_to_declare_it(sweep_project: Path) -> None:
    (sweep_project / "conf" / "sweep" / "default.yaml").unlink()
    with pytest.raises(InvalidSweep, match=r"^conf/sweep/default.yaml not found"):
        read_plan(open_project(sweep_project))


def test_a_new_key_with_a_plus_is_not_checked(sweep_project: Path) -> None:
    write(sweep_project / "conf" / "sweep" / "default.yaml", "sweep:\n  +model.tol: [0.1]\n")
    assert read_plan(open_project(sweep_project)).points == (("+model.tol=0.1",),)


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (0.1, "0.1"),
        (3, "3"),
        (True, "true"),
        (None, "null"),
        ("squared_error", "squared_error"),
        ("null", "'null'"),
        ("a b", "'a b'"),
        ("it's", "'it\\'s'"),
    ],
)
def test_values_are_written_in_hydras_override_grammar(value: object, written: str) -> None:
    assert override_value(value) == written
