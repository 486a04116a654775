"""`mlproj update` end to end: a project made by mlproj 0.1.0, edited, updated by this code.

The 0.1.0 project is rendered by the previous release itself, taken from this repository's
history (`git archive`), run with this environment's dependencies. The installed template barely
differs from 0.1.0's, so the update goes to a copy of it with changes of its own (`--template`):
the route a team with a fork of the template takes.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from mlproj import __version__
from tests.e2e.conftest import REPO, sh

pytestmark = pytest.mark.e2e

RELEASE_0_1_0 = "f7720f1"
SLUG = "{{cookiecutter.project_slug}}"
BRANCH = f"feature/mlproj-update-{__version__}"


def render_with_0_1_0(where: Path) -> Path:
    """`mlproj new demo` as mlproj 0.1.0 ran it: its code from git history, no pipeline run."""
    known = subprocess.run(
        ["git", "-C", str(REPO), "cat-file", "-e", f"{RELEASE_0_1_0}^{{commit}}"]
    )
    assert known.returncode == 0, f"this test needs the repository's history ({RELEASE_0_1_0})"
    old = where / "mlproj-0.1.0"
    old.mkdir()
    archive = subprocess.run(
        ["git", "-C", str(REPO), "archive", RELEASE_0_1_0], capture_output=True, check=True
    )
    subprocess.run(["tar", "-x", "-C", str(old)], input=archive.stdout, check=True)
    # Installed metadata says this mlproj's version; this shadow makes the old code say its own.
    info = old / "mlproj-0.1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: mlproj\nVersion: 0.1.0\n")
    args = [sys.executable, "-m", "mlproj", "new", "demo", "--no-input", "--no-run", "-o", where]
    sh(*args, cwd=where, env={"PYTHONPATH": str(old)})
    project = where / "demo"
    sh("git", "config", "user.name", "Ann", cwd=project)
    sh("git", "config", "user.email", "ann@example.com", cwd=project)
    return project


def change(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1))


def commit(project: Path, message: str) -> None:
    # --no-verify: the hooks' environments would be installed from the network first.
    sh("git", "add", "--all", cwd=project)
    sh("git", "commit", "--quiet", "--no-verify", "-m", message, cwd=project)


def newer_template(where: Path) -> Path:
    """A copy of the installed template with a new test, a CI comment and a README change."""
    template = where / "template"
    shutil.copytree(REPO / "template", template)
    root = template / SLUG
    (root / "tests" / "test_update_arrived.py").write_text(
        "def test_the_updated_template_arrived() -> None:\n    assert True\n"
    )
    change(root / ".github" / "workflows" / "ci.yml", "name: CI\n", "name: CI\n# template v2\n")
    change(root / "conf" / "split" / "default.yaml", "# Keep class", "# Template v2: keep class")
    change(root / "README.md", "## Set up\n", "## Set up (template v2)\n")
    stage = root / "{{cookiecutter.package_name}}" / "stages" / "train.py"
    stage.write_text(stage.read_text() + "# template v2\n")
    return template


def test_project_made_by_0_1_0_updates(tmp_path: Path) -> None:
    project = render_with_0_1_0(tmp_path)
    template = newer_template(tmp_path)
    change(project / "conf" / "split" / "default.yaml", "test_size: 0.2", "test_size: 0.25")
    train = project / "demo" / "stages" / "train.py"
    change(train, "on the training set.", "on the training set (our team's wording).")
    change(project / "README.md", "## Set up\n", "## Set up (our way)\n")
    ci = project / ".github" / "workflows" / "ci.yml"
    ci.write_text(ci.read_text() + "# our own CI note\n")
    sh("mlproj", "params", "sync", cwd=project)  # as the project's pre-commit hook asks
    commit(project, "Our changes")

    updated = sh("mlproj", "update", "--no-input", "--template", template, cwd=project, check=False)

    assert updated.returncode == 27, updated.stdout + updated.stderr  # UpdateConflicts
    assert "Base: " in updated.stdout and "the commit mlproj new made" in updated.stdout
    assert sh("git", "branch", "--show-current", cwd=project).stdout.strip() == BRANCH
    unmerged = sh("git", "ls-files", "-u", cwd=project).stdout.split("\n")
    assert {line.split("\t")[1] for line in unmerged if line} == {"README.md"}
    readme = (project / "README.md").read_text()
    assert "<<<<<<< " in readme and "## Set up (our way)" in readme
    assert "## Set up (template v2)" in readme
    # Merged cleanly: the user's edits and the template's, side by side.
    split = (project / "conf" / "split" / "default.yaml").read_text()
    assert "test_size: 0.25" in split and "# Template v2: keep class" in split
    assert "# template v2" in ci.read_text() and "# our own CI note" in ci.read_text()
    assert "our team's wording" in train.read_text() and "# template v2" in train.read_text()
    assert (project / "tests" / "test_update_arrived.py").exists()
    answers = yaml.safe_load((project / ".mlproj-answers.yaml").read_text())
    assert answers["mlproj_version"] == __version__
    major, minor = __version__.split(".")[:2]
    assert (
        f'"mlproj>={major}.{minor},<{int(major) + 1}"' in (project / "pyproject.toml").read_text()
    )

    # Resolve as a person would: keep both headings, drop the markers.
    kept = [
        line
        for line in readme.splitlines(keepends=True)
        if not line.startswith(("<<<<<<<", "=======", ">>>>>>>"))
    ]
    (project / "README.md").write_text("".join(kept))
    sh("git", "add", "README.md", cwd=project)
    sh("git", "commit", "--quiet", "--no-verify", "--no-edit", cwd=project)
    assert sh("git", "status", "--porcelain", cwd=project).stdout == ""
    parents = sh("git", "log", "-1", "--format=%P", cwd=project).stdout.split()
    assert len(parents) == 2  # the render, recorded for the next update

    sh("dvc", "repro", "--quiet", cwd=project)
    params = yaml.safe_load((project / "params.yaml").read_text())
    assert params["split"]["test_size"] == 0.25
    tests = sh("python", "-m", "pytest", "-q", "-p", "no:cacheprovider", cwd=project)
    assert " passed" in tests.stdout and "failed" not in tests.stdout
    commit(project, "Retrain on the updated template")

    again = sh("mlproj", "update", "--no-input", "--template", template, cwd=project)
    assert again.stdout == (
        f"Already updated on {BRANCH}: finish it with "
        f"`mlproj flow feature finish mlproj-update-{__version__}`.\n"
    )
    sh("git", "switch", "--quiet", "develop", cwd=project)
    sh("git", "merge", "--quiet", "--no-ff", "--no-verify", "--no-edit", BRANCH, cwd=project)
    sh("git", "branch", "--quiet", "-d", BRANCH, cwd=project)
    done = sh("mlproj", "update", "--no-input", "--template", template, cwd=project)
    assert done.stdout == f"Already up to date: demo has the template of mlproj {__version__}.\n"
