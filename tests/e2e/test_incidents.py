"""Production incidents in a generated project: recorded, checked by DVC and pytest, blocking."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from tests.e2e.conftest import copy_project, sh

pytestmark = pytest.mark.e2e


def rows_of(project: Path, species: str, path: Path) -> Path:
    table = pd.read_csv(project / "data" / "raw" / "penguins.csv")
    table[table["species"] == species].head(6).to_csv(path, index=False)
    return path


def test_incident_lifecycle(penguins: Path, tmp_path: Path) -> None:
    project = copy_project(penguins, tmp_path / "demo")
    chinstrap = rows_of(project, "Chinstrap", tmp_path / "chinstrap.csv")
    added = sh(
        "mlproj",
        "add-regression",
        "INC-1",
        "--rows",
        chinstrap,
        "--expected-column",
        "species",
        "--description",
        "Chinstrap misread",
        "--link",
        "https://tracker/INC-1",
        cwd=project,
    )
    assert "It is fixed" in added.stdout
    adelie = rows_of(project, "Adelie", tmp_path / "adelie.csv")
    added = sh(
        "mlproj",
        "add-regression",
        "INC-2",
        "--rows",
        adelie,
        "--expected-label",
        "Gentoo",
        cwd=project,
    )
    assert "It is open" in added.stdout

    # An open incident is reported, not blocking.
    repro = sh("dvc", "repro", cwd=project)
    assert "INC-2 open, still fails" in repro.stdout
    report = json.loads((project / "reports" / "regressions.json").read_text())
    assert [(i["id"], i["status"], i["passed"]) for i in report["incidents"]] == [
        ("INC-1", "fixed", True),
        ("INC-2", "open", False),
    ]
    listed = sh("mlproj", "regression", "list", cwd=project).stdout
    assert "INC-1" in listed and "fixed" in listed and "INC-2" in listed and "open" in listed
    assert (
        sh(
            "python",
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "tests/test_regressions.py",
            cwd=project,
        ).returncode
        == 0
    )

    # A worse model (one stump cannot tell three species apart) fails the fixed incident.
    model = project / "conf" / "model" / "hist_gradient_boosting.yaml"
    model.write_text(
        model.read_text()
        .replace("max_iter: 200", "max_iter: 1")
        .replace("max_leaf_nodes: 31", "max_leaf_nodes: 2")
    )
    failed = sh("dvc", "repro", cwd=project, check=False)
    assert failed.returncode != 0
    output = failed.stdout + failed.stderr
    assert "INC-1" in output and "rows" in output
    assert "Traceback" not in output
    tests = sh(
        "python",
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        "tests/test_regressions.py",
        cwd=project,
        check=False,
    )
    assert tests.returncode == 1
    assert "INC-1" in tests.stdout


def test_bad_incident_input_leaves_nothing(penguins: Path, tmp_path: Path) -> None:
    project = copy_project(penguins, tmp_path / "demo")
    before = sh("git", "status", "--porcelain", "--untracked-files=all", cwd=project).stdout
    empty = tmp_path / "empty.csv"
    empty.write_text("island,bill_length_mm\n")
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("colour,size\nred,1\n")
    for args in (
        ["../x", "--rows", str(wrong), "--no-error"],
        ["INC-3", "--rows", str(empty), "--no-error"],
        ["INC-3", "--rows", str(wrong), "--no-error"],
    ):
        result = sh("mlproj", "add-regression", *args, cwd=project, check=False)
        assert result.returncode != 0
        assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1, result.stderr
        assert "Traceback" not in result.stderr
    assert sh("git", "status", "--porcelain", "--untracked-files=all", cwd=project).stdout == before
