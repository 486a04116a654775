"""The git side of a new project: `main` holding everything, then `develop` checked out."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

from mlproj.shell import run

if TYPE_CHECKING:
    from mlproj.answers import Answers

MAIN = "main"
DEVELOP = "develop"


def init(project: Path) -> None:
    """Make PROJECT a git repository whose first branch is `main`."""
    run(["git", "init", "--quiet", "--initial-branch", MAIN], project)


def first_commit(project: Path, message: str, answers: Answers) -> None:
    """Commit every file to `main`, then create and check out `develop`.

    The user's own git identity wins; the template's author is used only where git has none,
    so a fresh CI machine can still make the commit. Hooks are skipped: this commit is made by
    the tool, before the project's hook environments exist.
    """
    env = {}
    if not _configured(project, "user.name"):
        env["GIT_AUTHOR_NAME"] = env["GIT_COMMITTER_NAME"] = answers.author or "mlproj"
    if not _configured(project, "user.email"):
        env["GIT_AUTHOR_EMAIL"] = env["GIT_COMMITTER_EMAIL"] = answers.email or "mlproj@localhost"
    run(["git", "add", "--all"], project)
    run(["git", "commit", "--quiet", "--no-verify", "--message", message], project, env=env)
    run(["git", "switch", "--quiet", "--create", DEVELOP], project)


def _configured(project: Path, key: str) -> bool:
    result = subprocess.run(
        ["git", "config", "--get", key], cwd=project, capture_output=True, text=True, check=False
    )
    return result.returncode == 0 and bool(result.stdout.strip())
