"""A release leaves commits that reproduce, and a gates check by hand changes nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.e2e.conftest import copy_project, sh

pytestmark = pytest.mark.e2e


def git(project: Path, *args: str) -> str:
    return sh("git", *args, cwd=project).stdout.strip()


def clean(project: Path) -> None:
    """Nothing for git to commit and nothing for DVC to rerun."""
    assert git(project, "status", "--porcelain") == ""
    assert sh("dvc", "status", "--json", cwd=project).stdout.strip() == "{}"


def test_a_release_leaves_commits_that_reproduce(penguins: Path, tmp_path: Path) -> None:
    project = copy_project(penguins, tmp_path / "demo")
    sh("git", "config", "user.name", "Tester", cwd=project)
    sh("git", "config", "user.email", "tester@example.com", cwd=project)
    # What the docs have a user run leaves nothing that stops finish (its folder is ignored).
    sh("dvc", "plots", "show", cwd=project)
    assert (project / "dvc_plots" / "index.html").is_file()

    sh("mlproj", "flow", "release", "start", "0.1.0", cwd=project)
    readme = project / "README.md"
    readme.write_text(readme.read_text() + "\nRelease 0.1.0.\n")
    sh("git", "commit", "--quiet", "--no-verify", "-am", "Release notes", cwd=project)
    finished = sh("mlproj", "flow", "release", "finish", cwd=project)
    assert (
        "✓ Recorded v0.1.0 in last-release.json on release/0.1.0; pipeline rerun and committed\n"
        in finished.stdout
    )

    # Recorded on the branch before the merges: the tag, main and develop hold the same record,
    # the tag and the metrics committed with it, and the gates compare with it from now on.
    assert git(project, "log", "-1", "--format=%s", "v0.1.0^2") == (
        "Record v0.1.0 as the last release: the gates compare with it from now on"
    )
    record = json.loads((project / "last-release.json").read_text())
    assert record == {
        "release": "v0.1.0",
        "metrics": json.loads(git(project, "show", "v0.1.0:metrics.json")),
    }
    assert git(project, "show", "v0.1.0:last-release.json") == json.dumps(record, indent=2)
    assert json.loads((project / "reports" / "gates.json").read_text())["release"] == "v0.1.0"
    assert git(project, "log", "-1", "--format=%s") == "Merge branch 'release/0.1.0' into develop"
    clean(project)

    # A check by hand only reads, against the record or another release.
    checked = sh("mlproj", "gates", "check", cwd=project)
    assert "✓ max drop in balanced_accuracy since v0.1.0 0.02 >= value 0 " in checked.stdout
    sh("mlproj", "gates", "check", "--release", "v0.1.0", cwd=project)
    clean(project)

    reproduced = sh("mlproj", "reproduce", cwd=project)
    assert "✓ output hashes:" in reproduced.stdout
    sh("git", "switch", "--quiet", "main", cwd=project)
    sh("dvc", "checkout", "--quiet", cwd=project)
    clean(project)
