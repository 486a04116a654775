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


def _with_compute_group(project: Path) -> Path:
    """Add conf/compute's two choices, as generated projects have them."""
    write(project / "conf" / "compute" / "local.yaml", "backend: local\nn_jobs: 1\n")
    write(project / "conf" / "compute" / "dask.yaml", "backend: dask\naddress: tcp://h:8786\n")
    return project


def test_fixed_overrides_go_to_every_point_and_not_into_the_points(sweep_project: Path) -> None:
    project = open_project(_with_compute_group(sweep_project))
    fixed = ["compute=dask", "compute.address=tcp://127.0.0.1:8786"]
    plan = read_plan(project, fixed)
    assert plan.points == (
        ("model.learning_rate=0.05", "model=hist_gradient_boosting"),
        ("model.learning_rate=0.1", "model=hist_gradient_boosting"),
    )
    assert plan.fixed == tuple(fixed)
    assert plan.commands()[1] == [
        "dvc", "exp", "run", "--queue",
        "-S", "model.learning_rate=0.1", "-S", "model=hist_gradient_boosting",
        "-S", "compute=dask", "-S", "compute.address=tcp://127.0.0.1:8786",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("fixed", "message"),
    [
        (
            ["compute.address=tcp://h:1"],
            "--set compute.address=tcp://h:1: unknown parameter 'compute.address': params.yaml "
            "has no such key (a new one is written '+compute.address').",
        ),
        (
            ["compute=dask", "compute.adress=tcp://h:1"],
            "--set compute.adress=tcp://h:1: unknown parameter 'compute.adress': "
            "conf/compute/dask.yaml has no 'adress' (a new one is written '+compute.adress').",
        ),
        (["compute=gpu"], "--set compute=gpu: compute: no conf/compute/gpu.yaml."),
        (
            ["model.learning_rate=0.3"],
            "--set model.learning_rate=0.3: model.learning_rate is swept by "
            "conf/sweep/default.yaml; it cannot also be fixed.",
        ),
        (
            ["seed=range(1,3)"],
            "--set seed=range(1,3): one value only; values to try go in conf/sweep/default.yaml.",
        ),
        (["~seed"], "--set ~seed: expected KEY=VALUE (or +KEY=VALUE for a new key)."),
        (
            ["compute=dask", "compute=local"],
            "--set compute=local: compute is already set by --set compute=dask.",
        ),
    ],
    ids=["unknown-key", "unknown-in-chosen-group", "unknown-choice", "swept", "a-sweep", "delete",
         "twice"],
)  # fmt: skip
def test_a_bad_fixed_override_is_named_in_one_line(
    sweep_project: Path, fixed: list[str], message: str
) -> None:
    with pytest.raises(InvalidSweep) as raised:
        read_plan(open_project(_with_compute_group(sweep_project)), fixed)
    assert str(raised.value) == message


def test_a_fixed_override_hydra_cannot_read_is_refused(sweep_project: Path) -> None:
    with pytest.raises(InvalidSweep, match=r"^--set a b: not an override KEY=VALUE in Hydra's"):
        read_plan(open_project(sweep_project), ["a b"])
