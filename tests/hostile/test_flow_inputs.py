"""Hostile branch names and versions through `mlproj flow ... start`: exit 15, one line, no branch.

Each name goes in as a user (or a script pasting a ticket title) would type it; `--` lets names
that start with '-' through to mlproj instead of being read as options.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from mlproj.cli import app
from tests.conftest import git, init_repo, write

runner = CliRunner()

FEATURE = (
    "is not a usable feature name: use letters, digits, '.', '_' and '-', "
    "starting with a letter or digit, such as churn-features or JIRA-42."
)
VERSION = "is not a semantic version such as 1.2.0 (see semver.org)."

NAMES = {
    "dot-dot": "a..b",
    "parent-path": "../../etc/passwd",
    "space": "has space",
    "tab": "a\tb",
    "newline": "a\nb",
    "tilde": "a~1",
    "caret": "a^2",
    "colon": "a:b",
    "question": "a?",
    "star": "a*",
    "bracket": "a[b",
    "backslash": "a\\b",
    "leading-dash": "-x",
    "leading-double-dash": "--force",
    "leading-dot": ".hidden",
    "trailing-dot": "x.",
    "lock-suffix": "x.lock",
    "slash": "a/b",
    "reflog": "@{-1}",
    "at-sign": "@",
    "unicode": "café-модель",
    "emoji": "fix-🐛",
    "rtl-override": "abc\u202edcba",
    "nul": "a\x00b",
    "empty": "",
    "300-chars": "a" * 300,
    "shell": "$(touch pwned)",
    "backticks": "`id`",
    "semicolon": "x;rm -rf .",
}
VERSIONS = {
    "two-parts": "1.0",
    "leading-zero": "01.0.0",
    "one-part": "1",
    "four-parts": "1.0.0.0",
    "trailing-hyphen": "1.0.0-",
    "empty-build": "1.0.0+",
    "empty-pre-part": "1.0.0-rc..1",
    "pre-leading-zero": "1.0.0-01",
    "bare-v": "v",
    "double-v": "vv1.0.0",
    "capital-v": "V1.0.0",
    "space": "1.0.0 ",
    "newline": "1.0.0\n",
    "arabic-digits": "١.٠.٠",
    "negative": "-1.0.0",
    "word": "latest",
}


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """main and develop, develop checked out, a clean tree."""
    init_repo(tmp_path)
    write(tmp_path / "dvc.yaml", "stages: {}\n")
    git(tmp_path, "add", "--all")
    git(tmp_path, "commit", "--quiet", "-m", "first")
    git(tmp_path, "switch", "--quiet", "--create", "develop")
    return tmp_path


def state(repo: Path) -> tuple[str, ...]:
    """What a refused start must leave as it was: branches, HEAD, tags and the working tree."""
    return (
        git(repo, "for-each-ref", "--format=%(refname) %(objectname)"),
        git(repo, "symbolic-ref", "HEAD"),
        git(repo, "status", "--porcelain", "--untracked-files=all"),
        " ".join(sorted(p.name for p in repo.iterdir())),
    )


def refused(repo: Path, kind: str, name: str) -> str:
    """Start KIND NAME, assert exit 15 and nothing changed; the message, without `Error: `."""
    before = state(repo)
    result = runner.invoke(app, ["flow", kind, "start", "--project", str(repo), "--", name])
    assert result.exit_code == 15, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    assert "Traceback" not in result.output
    assert state(repo) == before
    return lines[0].removeprefix("Error: ")


@pytest.mark.parametrize("name", list(NAMES.values()), ids=list(NAMES))
def test_a_hostile_feature_name_is_refused(repo: Path, name: str) -> None:
    assert refused(repo, "feature", name) == f"{name!r} {FEATURE}"


@pytest.mark.parametrize("version", list(VERSIONS.values()), ids=list(VERSIONS))
def test_a_hostile_release_version_is_refused(repo: Path, version: str) -> None:
    shown = version.removeprefix("v")
    assert refused(repo, "release", version) == f"{shown!r} {VERSION}"


def test_a_hotfix_version_is_checked_too(repo: Path) -> None:
    assert refused(repo, "hotfix", "1.0") == f"'1.0' {VERSION}"


def test_a_version_no_newer_than_the_last_release_is_refused(repo: Path) -> None:
    git(repo, "tag", "--annotate", "v1.0.0", "--message", "Release 1.0.0", "main")
    assert refused(repo, "release", "v1.0.0") == (
        "Version 1.0.0 is not newer than the latest release v1.0.0."
    )


@pytest.mark.parametrize(
    ("kind", "name", "branch"),
    [
        ("release", "v1.0.0", "release/1.0.0"),
        ("release", "1.0.0-rc.1+build.5", "release/1.0.0-rc.1+build.5"),
        ("feature", "a" * 80, "feature/" + "a" * 80),
        ("feature", "JIRA-42_fix.2", "feature/JIRA-42_fix.2"),
    ],
    ids=["leading-v", "pre-release-and-build", "80-chars", "mixed"],
)
def test_the_edges_that_are_allowed(repo: Path, kind: str, name: str, branch: str) -> None:
    result = runner.invoke(app, ["flow", kind, "start", "--project", str(repo), "--", name])
    assert result.exit_code == 0, result.output
    assert git(repo, "branch", "--show-current") == branch
