"""The generated project's requirements.txt: every package it needs, pinned as installed here."""

from __future__ import annotations

import ast
import subprocess
import sys
from importlib.metadata import packages_distributions, version
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from mlproj.errors import UserError
from mlproj.scaffold import lock as lockmod
from mlproj.scaffold.jinja import mlproj_requirement
from mlproj.scaffold.lock import REGENERATE, resolve, write_lock
from mlproj.scaffold.source import MlprojSource
from mlproj.scaffold.source import running_source as real_running_source
from tests.scaffold.test_template import render

RANGE = MlprojSource("mlproj>=0.2,<1")
PINNED = MlprojSource("mlproj @ git+https://example.org/mlproj.git@" + "a" * 40, pinned=True)
ROOTS = ["mlproj>=0.2,<1", "pytest>=8", "ruff>=0.6"]


def lines(text: str) -> dict[str, str]:
    """The lock's requirement lines, by canonical name."""
    found = {}
    for line in text.splitlines():
        if line and not line.startswith(("#", " ")):
            found[canonicalize_name(Requirement(line).name)] = line
    return found


def test_the_closure_is_pinned_to_what_is_installed() -> None:
    lock = resolve("demo", ROOTS, RANGE)
    pinned = lines(lock.text)
    assert pinned == lock.pins and lock.unpinned == ()
    for name in (
        "mlproj",
        "pandas",
        "scikit-learn",
        "dvc",
        "hydra-core",
        "shap",
        "skops",
        "pytest",
        "ruff",
    ):
        assert pinned[name] == f"{name}=={version(name)}", name
    for name, line in pinned.items():
        assert line == f"{name}=={version(name)}"
    assert lock.text.startswith("# The pinned environment of this project")
    assert f"#    {REGENERATE}\n" in lock.text
    assert "mlproj==" + version("mlproj") + "\n    # via demo (pyproject.toml)\n" in lock.text


def test_a_pinned_mlproj_keeps_its_url_in_the_lock() -> None:
    assert resolve("demo", ROOTS, PINNED).pins["mlproj"] == PINNED.requirement


def test_a_root_not_installed_here_is_written_unpinned_under_a_comment() -> None:
    lock = resolve("demo", ["pytest>=8", "surely-not-installed-here>=1"], RANGE)
    assert lock.unpinned == ("surely-not-installed-here>=1",)
    assert lock.text.endswith(
        "# Not installed where this file was written, so not pinned yet:\n"
        "# the command above pins them.\nsurely-not-installed-here>=1\n"
    )


def test_a_root_whose_marker_does_not_apply_is_left_out() -> None:
    lock = resolve("demo", ['pytest>=8; python_version < "3"'], RANGE)
    assert lock.pins == {} and lock.unpinned == ()


def test_an_unreadable_pyproject_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[project\n")
    with pytest.raises(UserError, match=r"pyproject.toml cannot be read for its dependencies: "):
        write_lock(tmp_path, RANGE)
    assert not (tmp_path / "requirements.txt").exists()


def imported_distributions(project: Path) -> set[str]:
    """The distributions whose modules the project's code and tests import."""
    modules = set()
    for path in project.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                modules |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                modules.add(node.module.split(".")[0])
    own = {path.stem for path in project.iterdir()}  # the package, tests/, hydra_plugins/
    owners = packages_distributions()
    return {canonicalize_name(d) for module in modules - own for d in owners.get(module, [])}


@pytest.mark.slow
def test_the_lock_of_a_rendered_project_pins_every_distribution_it_imports(tmp_path: Path) -> None:
    project = render(tmp_path, {})
    lock = write_lock(project, real_running_source("0.2.0"))
    assert (project / "requirements.txt").read_text() == lock.text
    imported = imported_distributions(project)
    assert {"mlproj", "pandas", "scikit-learn", "pytest"} <= imported
    assert imported - set(lock.pins) == set()


def test_the_template_pins_a_git_mlproj_in_pyproject_and_readme(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("mlproj.scaffold.source.running_source", lambda version: PINNED)
    assert mlproj_requirement("0.2.0") == PINNED.requirement
    project = render(tmp_path, {})
    assert f'  "{PINNED.requirement}",\n' in (project / "pyproject.toml").read_text()
    readme = (project / "README.md").read_text()
    assert f"`{PINNED.requirement}`" in readme
    assert "[mlproj](https://pypi.org/project/mlproj/)" in readme
    for ci in (".github/workflows/ci.yml", ".gitlab-ci.yml"):
        assert 'python -m pip install -r requirements.txt -e ".[dev]"' in (project / ci).read_text()
    assert lockmod.LOCK_FILE == "requirements.txt"


@pytest.mark.slow
def test_pip_reads_the_lock_and_finds_it_installed_here(tmp_path: Path) -> None:
    """pip parses every line; offline, each pin is satisfied by what is installed."""
    target = tmp_path / "requirements.txt"
    target.write_text(resolve("demo", ROOTS, RANGE).text)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--dry-run",
            "--no-index",
            "--no-deps",
            "-r",
            str(target),
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Would install" not in result.stdout


def test_markers_extras_and_egg_info_installs_are_followed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A tiny installed world: a dist-info and an egg-info package, an extra, a marker."""
    from tests.conftest import write

    write(
        tmp_path / "top_pkg-1.0.dist-info" / "METADATA",
        "Metadata-Version: 2.1\nName: top-pkg\nVersion: 1.0\n"
        "Requires-Dist: Old_Style>=0.1\n"
        'Requires-Dist: never-here; python_version < "3"\n'
        'Requires-Dist: extra-dep; extra == "fast"\n'
        "\nA long description: Requires-Dist: not-a-header\n",
    )
    write(
        tmp_path / "Old_Style-0.5.egg-info" / "PKG-INFO",
        "Metadata-Version: 1.0\nName: Old_Style\nVersion: 0.5\n",
    )
    write(tmp_path / "Old_Style-0.5.egg-info" / "requires.txt", "leaf\n")
    write(
        tmp_path / "leaf-2.0.dist-info" / "METADATA",
        "Metadata-Version: 2.1\nName: leaf\nVersion: 2.0\n",
    )
    write(
        tmp_path / "extra_dep-3.0.dist-info" / "METADATA",
        "Metadata-Version: 2.1\nName: extra-dep\nVersion: 3.0\n",
    )
    monkeypatch.syspath_prepend(str(tmp_path))

    plain = resolve("demo", ["top-pkg"], RANGE)
    assert plain.pins == {
        "top-pkg": "top-pkg==1.0",
        "old-style": "old-style==0.5",
        "leaf": "leaf==2.0",
    }
    assert "leaf==2.0\n    # via old-style\n" in plain.text
    with_extra = resolve("demo", ["top-pkg[fast]"], RANGE)
    assert with_extra.pins["extra-dep"] == "extra-dep==3.0"
