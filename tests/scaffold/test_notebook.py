"""The generated project's notebook: valid, and it loads through the project's own code only."""

from __future__ import annotations

import ast
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.scaffold.test_template import render

NOTEBOOK = "notebooks/explore.ipynb"


@pytest.fixture(scope="module")
def projects(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("notebook")
    return {
        "classification": render(out / "c", {"project_name": "titanic"}),
        "regression": render(
            out / "r",
            {
                "project_name": "prices",
                "task": "regression",
                "data_path": "/d/p.csv",
                "target": "y",
            },
        ),
    }


def notebook(project: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((project / NOTEBOOK).read_text(encoding="utf-8"))
    return data


def code_cells(project: Path) -> list[str]:
    return [
        "".join(cell["source"])
        for cell in notebook(project)["cells"]
        if cell["cell_type"] == "code"
    ]


def imported(source: str) -> set[str]:
    """Every module a cell imports, by its full dotted name."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0 and node.module, "a notebook has no package to be relative to"
            names.add(node.module)
    return names


@pytest.mark.parametrize("task", ["classification", "regression"])
def test_the_notebook_is_valid_nbformat_4_without_outputs(
    projects: dict[str, Path], task: str
) -> None:
    nbformat = pytest.importorskip("nbformat")
    read = nbformat.read(projects[task] / NOTEBOOK, as_version=4)
    nbformat.validate(read)
    assert read.nbformat == 4
    first = read.cells[0]
    assert first.cell_type == "markdown" and first.source.startswith("# Explore")
    for cell in read.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, cell.id


@pytest.mark.parametrize("task", ["classification", "regression"])
def test_the_notebook_imports_only_the_package_mlproj_api_and_the_standard_library(
    projects: dict[str, Path], task: str
) -> None:
    project = projects[task]
    package = project.name
    cells = code_cells(project)
    assert len(cells) >= 5
    modules = set().union(*(imported(cell) for cell in cells))
    outside = {
        name
        for name in modules
        if name != "mlproj.api"
        and name.split(".")[0] != package
        and name.split(".")[0] not in sys.stdlib_module_names
    }
    assert outside == set()
    assert {"mlproj.api", f"{package}.config", f"{package}.data", f"{package}.models"} <= modules


def test_a_notebook_that_renders_to_broken_json_is_a_template_bug(tmp_path: Path) -> None:
    from mlproj.errors import RenderedInvalid
    from mlproj.scaffold.new import check_rendered

    (tmp_path / "notebooks").mkdir()
    (tmp_path / NOTEBOOK).write_text('{"cells": [}')
    with pytest.raises(RenderedInvalid) as caught:
        check_rendered(tmp_path)
    assert str(caught.value) == (
        "The template rendered notebooks/explore.ipynb that does not parse (JSONDecodeError); "
        "this is a bug in mlproj's template, please report it."
    )
