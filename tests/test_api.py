"""`mlproj.api` is the whole of what a generated project may import from mlproj."""

from __future__ import annotations

import ast
import inspect
import json
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
import tomllib
from packaging.requirements import Requirement

import mlproj.api
from mlproj import __version__
from mlproj.scaffold.new import template_dir
from tests.scaffold.test_template import render

TASKS = [
    pytest.param({}, id="classification"),
    pytest.param({"task": "regression", "data_path": "/d/h.csv", "target": "y"}, id="regression"),
]


def mlproj_imports(project: Path) -> list[tuple[str, str, str]]:
    """(file, module, name) for every import of an mlproj module in the project's Python."""
    found = []
    for path in project.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "mlproj":
                found += [(path.name, str(node.module), alias.name) for alias in node.names]
            elif isinstance(node, ast.Import):
                found += [
                    (path.name, alias.name, "")
                    for alias in node.names
                    if alias.name.split(".")[0] == "mlproj"
                ]
    return found


@pytest.mark.parametrize("context", TASKS)
def test_the_template_imports_only_the_public_api(tmp_path: Path, context: dict[str, str]) -> None:
    imports = mlproj_imports(render(tmp_path, context))
    assert imports, "the template no longer imports mlproj at all: is this test still looking?"
    outside = [i for i in imports if i[1] != "mlproj.api" or i[2] not in mlproj.api.__all__]
    assert outside == []


def test_a_stray_import_would_be_caught(tmp_path: Path) -> None:
    (tmp_path / "stage.py").write_text("from mlproj.data.contract import load_contract\n")
    assert mlproj_imports(tmp_path) == [("stage.py", "mlproj.data.contract", "load_contract")]


def test_every_public_name_exists_and_is_documented() -> None:
    assert sorted(mlproj.api.__all__) == mlproj.api.__all__
    for name in mlproj.api.__all__:
        thing = getattr(mlproj.api, name)
        assert inspect.getdoc(thing), f"mlproj.api.{name} has no docstring"


def test_importing_the_api_warns_nothing() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        import importlib

        importlib.reload(mlproj.api)


@pytest.mark.parametrize("context", TASKS)
def test_the_project_asks_for_a_compatible_range(tmp_path: Path, context: dict[str, str]) -> None:
    project = render(tmp_path, context)
    pyproject = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))
    (requirement,) = [
        Requirement(r) for r in pyproject["project"]["dependencies"] if r.startswith("mlproj")
    ]
    major, minor = (int(part) for part in __version__.split(".")[:2])
    assert str(requirement.specifier) == f"<{major + 1},>={major}.{minor}"
    assert requirement.specifier.contains(__version__)
    assert not requirement.specifier.contains(f"{major + 1}.0.0")
    # CI installs mlproj from requirements.txt, the pinned environment `mlproj new` writes.
    for workflow in (".github/workflows/review.yml", ".gitlab-ci.yml"):
        assert "python -m pip install -r requirements.txt" in (project / workflow).read_text()


def test_the_template_and_the_package_agree_on_default_answers() -> None:
    from mlproj.scaffold.answers import DEFAULTS

    defaults = json.loads((template_dir() / "cookiecutter.json").read_text(encoding="utf-8"))
    assert {key: defaults[key] for key in DEFAULTS} == DEFAULTS


def test_the_api_page_lists_every_public_name() -> None:
    page = (Path(__file__).parents[1] / "docs" / "api.md").read_text(encoding="utf-8")
    missing = [name for name in mlproj.api.__all__ if f"`{name}" not in page]
    assert missing == []


def test_importing_the_api_loads_no_heavy_library() -> None:
    # Every stage imports mlproj.api: SHAP, matplotlib and the rest load inside the functions
    # that use them, so validate, split and train never pay seconds of start-up for them.
    heavy = ("shap", "matplotlib", "skops", "sklearn", "pandera", "pandas")
    code = f"import mlproj.api, sys; print(sorted(m for m in {heavy!r} if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout == "[]\n"
