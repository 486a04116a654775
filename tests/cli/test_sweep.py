"""`mlproj sweep`: exit codes and exact messages, as a user sees them."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from mlproj.cli import app
from tests.conftest import write
from tests.sweep.conftest import make_sweep_project

runner = CliRunner()


@pytest.fixture
def sweep_project(tmp_path: Path) -> Path:
    return make_sweep_project(tmp_path)


def sweep(project: Path, *args: str) -> Result:
    return runner.invoke(app, ["sweep", *args, "-p", str(project)])


def test_dry_run_prints_the_experiments_and_queues_nothing(sweep_project: Path) -> None:
    result = sweep(sweep_project, "--dry-run")
    assert result.exit_code == 0, result.output
    assert result.output == (
        "2 experiments, ranked by balanced_accuracy:\n"
        "  dvc exp run --queue -S model.learning_rate=0.05 -S model=hist_gradient_boosting\n"
        "  dvc exp run --queue -S model.learning_rate=0.1 -S model=hist_gradient_boosting\n"
    )
    assert not (sweep_project / "reports").exists()


def test_an_unknown_parameter_exits_33(sweep_project: Path) -> None:
    write(sweep_project / "conf" / "sweep" / "default.yaml", "sweep:\n  model.lr: [1]\n")
    result = sweep(sweep_project, "--dry-run")
    assert result.exit_code == 33
    assert result.output == (
        "Error: conf/sweep/default.yaml: unknown parameter 'model.lr': params.yaml has no such "
        "key (a new one is written '+model.lr').\n"
    )


def test_uncommitted_changes_exit_34_and_nothing_is_queued(sweep_project: Path) -> None:
    write(sweep_project / "conf" / "model" / "hist_gradient_boosting.yaml", "learning_rate: 1\n")
    result = sweep(sweep_project)
    assert result.exit_code == 34
    assert result.output == (
        "Error: uncommitted changes (conf/model/hist_gradient_boosting.yaml): queued "
        "experiments run the last commit and would leave them out; commit or stash them first.\n"
    )
    assert not (sweep_project / "reports").exists()


def test_outside_a_project_exits_6(tmp_path: Path) -> None:
    assert sweep(tmp_path, "--dry-run").exit_code == 6


def test_dry_run_shows_the_fixed_overrides_on_every_experiment(sweep_project: Path) -> None:
    write(sweep_project / "conf" / "compute" / "dask.yaml", "backend: dask\naddress: tcp://h:1\n")
    result = sweep(sweep_project, "--dry-run", "--set", "compute=dask", "--set", "+model.tol=0.1")
    assert result.exit_code == 0, result.output
    assert result.output == (
        "2 experiments, ranked by balanced_accuracy:\n"
        "  dvc exp run --queue -S model.learning_rate=0.05 -S model=hist_gradient_boosting"
        " -S compute=dask -S +model.tol=0.1\n"
        "  dvc exp run --queue -S model.learning_rate=0.1 -S model=hist_gradient_boosting"
        " -S compute=dask -S +model.tol=0.1\n"
    )


def test_a_swept_key_given_to_set_exits_33(sweep_project: Path) -> None:
    result = sweep(sweep_project, "--set", "model=random_forest")
    assert result.exit_code == 33
    assert result.output == (
        "Error: --set model=random_forest: model is swept by conf/sweep/default.yaml; "
        "it cannot also be fixed.\n"
    )
