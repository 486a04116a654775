"""Git as mlproj uses it: a new project's first commits, and the questions Gitflow asks."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from mlproj._core.shell import run
from mlproj.errors import CommandFailed

if TYPE_CHECKING:
    from mlproj.project.answers import Answers

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
    result = run(["git", "config", "--get", key], project, check=False)
    return result.returncode == 0 and bool(result.stdout.strip())


def current_branch(project: Path) -> str | None:
    """The checked-out branch, or None on a detached HEAD (a rebase, a CI checkout)."""
    result = run(["git", "symbolic-ref", "--quiet", "--short", "HEAD"], project, check=False)
    return result.stdout.strip() if result.returncode == 0 else None


def branch_exists(project: Path, branch: str) -> bool:
    """Whether a local branch of that name exists."""
    args = ["git", "show-ref", "--quiet", "--verify", f"refs/heads/{branch}"]
    return run(args, project, check=False).returncode == 0


def branches(project: Path, pattern: str) -> list[str]:
    """Local branches matching a glob such as `release/*`."""
    listed = run(["git", "branch", "--list", "--format=%(refname:short)", pattern], project)
    return listed.stdout.split()


def changed_paths(project: Path) -> list[str]:
    """Modified, staged and untracked (not ignored) paths: what a branch switch could carry off."""
    status = run(["git", "status", "--porcelain=v1", "--untracked-files=normal"], project)
    return [line[3:] for line in status.stdout.splitlines() if line.strip()]


def tags(project: Path, pattern: str) -> list[str]:
    """Tags matching a glob such as `v*`."""
    return run(["git", "tag", "--list", pattern], project).stdout.split()


def merge_conflicts(project: Path, into: str, branch: str) -> list[str]:
    """Files that merging BRANCH into INTO would conflict in, found without touching the tree."""
    args = ["git", "merge-tree", "--write-tree", "--name-only", "--no-messages", into, branch]
    result = run(args, project, check=False)
    if result.returncode == 0:
        return []
    if result.returncode == 1:
        return result.stdout.splitlines()[1:]
    raise CommandFailed(f"`git merge-tree` failed: {result.stderr.strip()}")
