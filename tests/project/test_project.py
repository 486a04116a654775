from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from mlproj.errors import ConfigError, NotAProject
from mlproj.project.project import ANSWERS_FILE, open_project, read_answers
from tests.conftest import write

PARAMS = {
    "data": {
        "task": "classification",
        "target": "y",
        "numeric": ["a", "b"],
        "categorical": ["c"],
        "contract": "data/contract.yaml",
        "train": "data/train.parquet",
    },
    "paths": {"model": "models/model.skops", "reports": "reports"},
}


def make(tmp_path: Path, params: object = PARAMS, answers: str | None = None) -> Path:
    write(tmp_path / "params.yaml", yaml.safe_dump(params))
    if answers is not None:
        write(tmp_path / ANSWERS_FILE, answers)
    return tmp_path


def test_a_project_is_read_once_with_its_paths(tmp_path: Path) -> None:
    project = open_project(make(tmp_path, answers="package_name: churn\nproject_name: Churn\n"))
    assert project.task == "classification"
    assert project.features == ("a", "b", "c")
    assert project.model == tmp_path / "models/model.skops"
    assert project.reports == tmp_path / "reports"
    assert project.report == tmp_path / "reports/regressions.json"
    assert project.package == "churn"
    assert project.answers["project_name"] == "Churn"
    assert project.setting("data.train") == "data/train.parquet"


def test_outside_a_project(tmp_path: Path) -> None:
    with pytest.raises(NotAProject):
        open_project(tmp_path)


def test_a_missing_setting_names_the_key_and_the_fix(tmp_path: Path) -> None:
    project = open_project(make(tmp_path))
    with pytest.raises(ConfigError, match=r"missing 'drift.psi'; run `mlproj params sync`"):
        project.setting("drift.psi")


def test_an_unknown_task_is_refused(tmp_path: Path) -> None:
    params = {**PARAMS, "data": {**PARAMS["data"], "task": "ranking"}}  # type: ignore[dict-item]
    with pytest.raises(ConfigError, match="must be classification or regression"):
        open_project(make(tmp_path, params))


@pytest.mark.parametrize("text", ["", "- a list\n", "{unclosed: [\n", "\xff\xfe"])
def test_unreadable_answers_read_as_none(tmp_path: Path, text: str) -> None:
    write(tmp_path / ANSWERS_FILE, text)
    assert read_answers(tmp_path) == {}
    assert open_project(make(tmp_path)).package is None
