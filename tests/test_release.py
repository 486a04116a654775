"""mlproj's own release: the workflow that publishes it, and the packages it publishes."""

from __future__ import annotations

import re
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest
import yaml

from mlproj import __version__

ROOT = Path(__file__).resolve().parent.parent
WORKFLOW = ROOT / ".github" / "workflows" / "release.yml"
PINNED = re.compile(r"uses: [\w.-]+/[\w.-]+@[0-9a-f]{40}  # v\d+(\.\d+)*")


def test_every_action_is_pinned_to_a_commit() -> None:
    uses = [line.strip().removeprefix("- ") for line in WORKFLOW.read_text().splitlines()]
    uses = [line for line in uses if line.startswith("uses:")]
    assert len(uses) == 5
    for line in uses:
        assert PINNED.fullmatch(line), line


def test_only_the_publish_job_holds_an_id_token_and_only_on_a_tag() -> None:
    spec = yaml.safe_load(WORKFLOW.read_text())
    assert spec["permissions"] == {}
    assert spec[True]["push"]["tags"] == ["v*"]  # PyYAML reads the key `on` as True
    build, publish = spec["jobs"]["build"], spec["jobs"]["publish"]
    assert build["permissions"] == {"contents": "read"}
    assert publish["permissions"] == {"id-token": "write"}
    assert publish["needs"] == "build"
    assert "refs/tags/v" in publish["if"] and "push" in publish["if"]
    assert publish["environment"]["name"] == "pypi"
    assert publish["steps"][-1]["uses"].startswith("pypa/gh-action-pypi-publish@")
    assert "with" not in publish["steps"][-1]  # no password: trusted publishing
    runs = [step.get("run", "") for step in build["steps"]]
    assert "python -m build" in runs
    assert "python -m twine check --strict dist/*" in runs


@pytest.mark.slow
def test_the_workflow_matches_its_schema_and_zizmor_finds_nothing() -> None:
    """The same checks the template's workflows pass, offline."""
    bin_dir = Path(sys.executable).parent
    _run(bin_dir / "check-jsonschema", "--builtin-schema", "vendor.github-workflows", WORKFLOW)
    _run(bin_dir / "zizmor", "--offline", "--min-severity", "medium", WORKFLOW)


def _run(*args: str | Path) -> None:
    result = subprocess.run([str(arg) for arg in args], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
def test_the_packages_build_pass_twine_and_ship_the_template(tmp_path: Path) -> None:
    """What the workflow builds, built here: twine accepts it and the wheel finds its template."""
    dist = tmp_path / "dist"
    _run(sys.executable, "-m", "build", "--no-isolation", "--outdir", dist, ROOT)
    wheel = dist / f"mlproj-{__version__}-py3-none-any.whl"
    sdist = dist / f"mlproj-{__version__}.tar.gz"
    assert sorted(dist.iterdir()) == sorted([wheel, sdist])
    _run(sys.executable, "-m", "twine", "check", "--strict", wheel, sdist)

    slug = "{{cookiecutter.project_slug}}"
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        archive.extractall(tmp_path / "installed")
    assert "mlproj/_template/cookiecutter.json" in names
    assert f"mlproj/_template/{slug}/pyproject.toml" in names
    assert f"mlproj/_template/{slug}/.github/workflows/ci.yml" in names
    with tarfile.open(sdist) as archive:
        assert f"mlproj-{__version__}/template/cookiecutter.json" in archive.getnames()

    # Installed from the wheel (no source checkout beside it), mlproj renders its own copy.
    found = subprocess.run(
        [sys.executable, "-c", "from mlproj.scaffold import template_dir; print(template_dir())"],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(tmp_path / "installed"), "PATH": ""},
        cwd=tmp_path,  # `python -c` puts the working folder first on sys.path
    )
    assert found.stdout.strip() == str(tmp_path / "installed" / "mlproj" / "_template")
