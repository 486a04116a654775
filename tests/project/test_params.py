"""params.yaml stays what conf/ composes to, without ever losing a hand edit silently."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mlproj.cli import app
from mlproj.errors import ConfigError, NotAProject, ParamsOutOfSync
from mlproj.project.params import (
    check_hand_edit,
    check_params,
    compose_yaml,
    differences,
    refresh_params,
    sync_params,
)
from tests.conftest import git, init_repo, write

runner = CliRunner()


@pytest.fixture
def project(tmp_path: Path) -> Path:
    write(tmp_path / "conf" / "config.yaml", "defaults:\n  - model: small\n  - _self_\nseed: 7\n")
    write(tmp_path / "conf" / "model" / "small.yaml", "depth: 3\nrandom_state: ${seed}\n")
    write(tmp_path / "conf" / "model" / "big.yaml", "depth: 9\nrandom_state: ${seed}\n")
    sync_params(tmp_path)
    return tmp_path


def lock(project: Path) -> None:
    """Record params.yaml in dvc.lock as DVC does after a run of the params stage."""
    md5 = hashlib.md5((project / "params.yaml").read_bytes()).hexdigest()
    write(
        project / "dvc.lock",
        f"schema: '2.0'\nstages:\n  params:\n    cmd: x\n    outs:\n    - path: params.yaml\n      md5: {md5}\n",
    )


def test_composition_is_resolved_like_dvc_writes_it(project: Path) -> None:
    assert (
        project / "params.yaml"
    ).read_text() == "model:\n  depth: 3\n  random_state: 7\nseed: 7\n"
    assert (
        compose_yaml(project, ["model=big"]) == "model:\n  depth: 9\n  random_state: 7\nseed: 7\n"
    )


def test_differences_compare_values_not_bytes() -> None:
    assert differences({"a": {"b": 1}}, {"a": {"b": 1.0}}) == []
    assert differences({"a": {"b": 1}, "c": 2}, {"a": {"b": 2}, "d": 3}) == [
        "a.b: 1 in conf/, 2 in params.yaml",
        "c: 2 in conf/, missing from params.yaml",
        "d: 3 in params.yaml, not in conf/",
    ]


def test_check_names_the_stale_key(project: Path) -> None:
    write(project / "conf" / "model" / "small.yaml", "depth: 4\nrandom_state: ${seed}\n")
    with pytest.raises(ParamsOutOfSync) as caught:
        check_params(project)
    assert str(caught.value) == (
        "params.yaml does not match conf/ (model.depth: 4 in conf/, 3 in params.yaml): run `mlproj params sync`."
    )


def test_refresh_recomposes_when_only_conf_changed(project: Path) -> None:
    lock(project)
    write(project / "conf" / "model" / "small.yaml", "depth: 5\nrandom_state: ${seed}\n")
    result = refresh_params(project, environ={})
    assert result.action == "recomposed"
    assert result.changes == ("model.depth: 5 in conf/, 3 in params.yaml",)
    check_params(project)


def test_refresh_refuses_to_overwrite_a_hand_edit(project: Path) -> None:
    lock(project)
    params = project / "params.yaml"
    params.write_text(params.read_text().replace("depth: 3", "depth: 8"))
    with pytest.raises(ParamsOutOfSync) as caught:
        refresh_params(project, environ={})
    assert "model.depth: 3 in conf/, 8 in params.yaml" in str(caught.value)
    assert "edited by hand" in str(caught.value)
    assert "depth: 8" in params.read_text()


def committed(project: Path) -> Path:
    """PROJECT as `mlproj new --no-run` leaves it: params.yaml committed, no dvc.lock yet."""
    init_repo(project)
    git(project, "add", "--all")
    git(project, "commit", "--quiet", "-m", "Create")
    return project


HAND_EDIT = (
    "params.yaml does not match conf/ (model.depth: 3 in conf/, 8 in params.yaml): "
    "params.yaml was edited by hand; conf/ is the source of truth: move the change into conf/, "
    "or run `mlproj params sync` to discard it."
)


def test_before_the_first_run_a_conf_edit_is_recomposed(project: Path) -> None:
    """Issue 17 item 3: after `mlproj new --no-run`, the first edit under conf/ is no hand edit."""
    committed(project)
    write(project / "conf" / "model" / "small.yaml", "depth: 5\nrandom_state: ${seed}\n")
    check_hand_edit(project)
    result = refresh_params(project, environ={})
    assert result.action == "recomposed"
    assert result.changes == ("model.depth: 5 in conf/, 3 in params.yaml",)
    check_params(project)


def test_before_the_first_run_a_hand_edit_is_still_refused(project: Path) -> None:
    committed(project)
    params = project / "params.yaml"
    params.write_text(params.read_text().replace("depth: 3", "depth: 8"))
    with pytest.raises(ParamsOutOfSync) as caught:
        refresh_params(project, environ={})
    assert str(caught.value) == HAND_EDIT
    with pytest.raises(ParamsOutOfSync) as caught:
        check_hand_edit(project)
    assert str(caught.value) == HAND_EDIT
    assert "depth: 8" in params.read_text()


def test_without_dvc_lock_or_git_a_difference_is_a_hand_edit(project: Path) -> None:
    """Nothing records what params.yaml was: refusing loses nothing, recomposing might."""
    write(project / "conf" / "model" / "small.yaml", "depth: 5\nrandom_state: ${seed}\n")
    with pytest.raises(ParamsOutOfSync, match="edited by hand"):
        refresh_params(project, environ={})


def test_refresh_leaves_an_experiment_alone(project: Path) -> None:
    params = project / "params.yaml"
    params.write_text(params.read_text().replace("depth: 3", "depth: 8"))
    assert refresh_params(project, environ={"DVC_EXP_NAME": "exp-1"}).action == "experiment"
    assert "depth: 8" in params.read_text()


def test_refresh_is_quiet_when_in_sync(project: Path) -> None:
    assert refresh_params(project, environ={}).action == "unchanged"


def test_conf_that_does_not_compose(project: Path) -> None:
    write(project / "conf" / "config.yaml", "defaults:\n  - model: missing\n")
    with pytest.raises(ConfigError, match=r"^conf/ does not compose: "):
        compose_yaml(project)


def test_outside_a_project(tmp_path: Path) -> None:
    with pytest.raises(NotAProject):
        check_params(tmp_path)


def test_cli_check_and_sync(project: Path) -> None:
    write(project / "conf" / "model" / "small.yaml", "depth: 4\nrandom_state: ${seed}\n")
    result = runner.invoke(app, ["params", "check", "-p", str(project)])
    assert result.exit_code == 5
    assert result.stderr == (
        "Error: params.yaml does not match conf/ (model.depth: 4 in conf/, 3 in params.yaml): run `mlproj params sync`.\n"
    )
    result = runner.invoke(app, ["params", "sync", "-p", str(project)])
    assert result.exit_code == 0
    assert (
        result.stdout
        == "params.yaml recomposed from conf/: model.depth: 4 in conf/, 3 in params.yaml\n"
    )
    assert runner.invoke(app, ["params", "check", "-p", str(project)]).exit_code == 0
