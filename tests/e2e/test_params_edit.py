"""`dvc exp run` refuses a hand edit of params.yaml, as `dvc repro` does, and keeps the edit."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.conftest import copy_project, mlproj_new, sh

pytestmark = pytest.mark.e2e

MESSAGE = (
    "params.yaml does not match conf/ (split.test_size: 0.2 in conf/, 0.3 in params.yaml): "
    "params.yaml was edited by hand; conf/ is the source of truth: move the change into conf/, "
    "or run `mlproj params sync` to discard it."
)


def test_exp_run_refuses_a_hand_edit_and_keeps_it(penguins: Path, tmp_path: Path) -> None:
    project = copy_project(penguins, tmp_path / "demo")
    sh("git", "config", "user.name", "Tester", cwd=project)  # DVC commits each experiment
    sh("git", "config", "user.email", "tester@example.com", cwd=project)
    params = project / "params.yaml"
    edited = params.read_text().replace("test_size: 0.2", "test_size: 0.3")
    params.write_text(edited)

    repro = sh("dvc", "repro", cwd=project, check=False)
    assert repro.returncode != 0
    assert f"Error: {MESSAGE}" in repro.stderr
    experiment = sh("dvc", "exp", "run", cwd=project, check=False)
    assert experiment.returncode == 255
    assert f"ERROR: {MESSAGE}" in experiment.stderr + experiment.stdout
    assert params.read_text() == edited
    assert sh("dvc", "exp", "list", "--all-commits", "--name-only", cwd=project).stdout == ""

    sh("mlproj", "params", "sync", cwd=project)  # the remedy the message names
    assert "Ran experiment" in sh("dvc", "exp", "run", cwd=project).stdout


def test_after_no_run_a_conf_edit_reaches_params_and_a_hand_edit_does_not(
    tmp_path: Path,
) -> None:
    """Issue 17 item 3: with no dvc.lock yet, the committed params.yaml is the record."""
    mlproj_new(tmp_path, "demo", "--no-run")
    project = tmp_path / "demo"
    assert not (project / "dvc.lock").exists()
    params = project / "params.yaml"
    params.write_text(params.read_text().replace("test_size: 0.2", "test_size: 0.3"))
    refused = sh("dvc", "repro", "params", cwd=project, check=False)
    assert refused.returncode != 0
    assert f"Error: {MESSAGE}" in refused.stderr

    sh("git", "checkout", "params.yaml", cwd=project)
    model = project / "conf" / "model" / "hist_gradient_boosting.yaml"
    model.write_text(model.read_text().replace("max_iter: 200", "max_iter: 20"))
    sh("dvc", "repro", "params", cwd=project)
    assert "max_iter: 20" in params.read_text()
    sh("mlproj", "params", "check", cwd=project)
