"""`mlproj reproduce`: exact messages and exit codes; a refused run leaves nothing behind.

Retraining a real project is end to end (tests/e2e/test_reproduce.py); here the refusals run on
a toy git repository, and the rendering of a result on results built inline.
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from mlproj.cli import app
from mlproj.reproduce.check import Reproduction
from mlproj.reproduce.comparison import Check
from tests.conftest import listing, write
from tests.toy_project import classifier, make_project

pytestmark = pytest.mark.usefixtures("forget_toy_package")

runner = CliRunner()
COMMIT = "0123456789abcdef0123456789abcdef01234567"


def git(project: Path, *args: str) -> str:
    identity = {"user.name": "Tester", "user.email": "tester@example.com"}
    config = [part for key, value in identity.items() for part in ("-c", f"{key}={value}")]
    return subprocess.run(
        ["git", *config, *args], cwd=project, check=True, capture_output=True, text=True
    ).stdout.strip()


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A toy project committed to git, with a dvc.lock but no metrics.json."""
    project = make_project(tmp_path / "proj", model=classifier())
    write(project / "dvc.lock", "schema: '2.0'\nstages: {}\n")
    git(project, "init", "--quiet")
    git(project, "add", "--all")
    git(project, "commit", "--quiet", "--message", "first")
    return project


@pytest.fixture
def temp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Where the clone goes, so a test can see that nothing is left there."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def reproduce(project: Path, *args: str) -> Result:
    return runner.invoke(app, ["reproduce", "-p", str(project), *args])


def test_outside_a_project(tmp_path: Path) -> None:
    result = reproduce(tmp_path)
    assert result.exit_code == 6
    assert result.stderr == (
        f"Error: no params.yaml in {tmp_path.resolve()}: run this inside a project made by "
        "`mlproj new`, or give --project DIR.\n"
    )


def test_a_project_without_git(tmp_path: Path) -> None:
    project = make_project(tmp_path / "proj")
    result = reproduce(project)
    assert result.exit_code == 6
    assert result.stderr == (
        f"Error: {project.resolve()} is not in a git repository: a commit is what is reproduced.\n"
    )


def test_an_unknown_revision(repo: Path, temp: Path) -> None:
    before = listing(repo)
    result = reproduce(repo, "--rev", "no-such-branch")
    assert result.exit_code == 21
    assert result.stderr == f"Error: unknown revision 'no-such-branch' in {repo.resolve()}.\n"
    assert listing(repo) == before
    assert listing(temp) == []


def test_a_revision_without_dvc_lock(repo: Path, temp: Path) -> None:
    git(repo, "rm", "--quiet", "dvc.lock")
    git(repo, "commit", "--quiet", "--message", "no lock")
    short = git(repo, "rev-parse", "--short=7", "HEAD")
    result = reproduce(repo)
    assert result.exit_code == 21
    assert result.stderr == (
        f"Error: no dvc.lock at HEAD ({short}): nothing was recorded to compare with; "
        "run `dvc repro` and commit dvc.lock.\n"
    )
    assert listing(temp) == []


def test_a_revision_without_metrics_leaves_no_clone(repo: Path, temp: Path) -> None:
    before = listing(repo)
    short = git(repo, "rev-parse", "--short=7", "HEAD")
    result = reproduce(repo, "--rev", "HEAD")
    assert result.exit_code == 21
    assert result.stderr == (
        f"Error: no metrics.json at {short}: commit the metrics `dvc repro` writes, so a "
        "retrain has something to be compared with.\n"
    )
    assert listing(repo) == before
    assert listing(temp) == []


def test_keep_names_the_clone_in_the_error(repo: Path, temp: Path) -> None:
    result = reproduce(repo, "--keep")
    assert result.exit_code == 21
    (clone,) = temp.iterdir()
    assert result.stderr.endswith(f" (the clone is kept in {clone}).\n")
    assert (clone / "dvc.lock").is_file()


def test_a_negative_tolerance_is_refused(repo: Path) -> None:
    result = reproduce(repo, "--tolerance", "-0.1")
    assert result.exit_code == 2
    assert "Invalid value for '--tolerance'" in result.stderr


PASSED = (
    Check("metrics", "4 values, exact"),
    Check("predictions", "69 test rows, labels and probabilities, exact"),
    Check("output hashes", "14 DVC outputs in dvc.lock"),
)


def fake(monkeypatch: pytest.MonkeyPatch, reproduction: Reproduction) -> None:
    monkeypatch.setattr("mlproj.reproduce.check.reproduce", lambda *a, **k: reproduction)


def test_a_reproducible_commit(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    fake(monkeypatch, Reproduction("HEAD", COMMIT, (" M README.md",), PASSED, 31.46))
    result = reproduce(tmp_path)
    assert result.exit_code == 0
    assert result.stdout == (
        "Retrained 0123456 (HEAD) in a fresh clone with `dvc repro --force`.\n"
        "Not compared: 1 uncommitted change(s) in the working tree (only the commit is "
        "retrained); see `git status`.\n"
        "✓ metrics: 4 values, exact\n"
        "✓ predictions: 69 test rows, labels and probabilities, exact\n"
        "✓ output hashes: 14 DVC outputs in dvc.lock\n"
        "Reproducible: 0123456 retrains to the same metrics, predictions and outputs (31.5 s).\n"
    )


def test_a_commit_that_does_not_reproduce(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    checks = (
        Check("metrics", "4 values, exact"),
        Check("predictions", "not compared", skipped="the recorded model is not here"),
        Check(
            "output hashes",
            "14 DVC outputs in dvc.lock",
            ("models/model.skops: 12345678 recorded, 87654321 retrained",),
            (
                "reports/explain.html: aaaaaaaa recorded, bbbbbbbb retrained (declared unstable: allowed)",
            ),
        ),
    )
    kept = tmp_path / "clone"
    fake(monkeypatch, Reproduction("v1.0", COMMIT, (), checks, 40.0, kept))
    result = reproduce(tmp_path, "--rev", "v1.0", "--keep")
    assert result.exit_code == 20
    assert result.stdout == (
        "Retrained 0123456 (v1.0) in a fresh clone with `dvc repro --force`.\n"
        "✓ metrics: 4 values, exact\n"
        "- predictions: skipped: the recorded model is not here.\n"
        "✗ output hashes: 14 DVC outputs in dvc.lock\n"
        "    models/model.skops: 12345678 recorded, 87654321 retrained\n"
        "    reports/explain.html: aaaaaaaa recorded, bbbbbbbb retrained (declared unstable: allowed)\n"
        f"The clone is kept in {kept}.\n"
    )
    assert result.stderr == (
        "Error: 0123456 (v1.0) does not reproduce: its output hashes differ from what the "
        "commit recorded.\n"
    )
