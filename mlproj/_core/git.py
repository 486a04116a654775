"""Git as mlproj uses it: a new project's first commits, and the questions Gitflow asks."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from mlproj._core.shell import run
from mlproj.errors import CommandFailed

MAIN = "main"
DEVELOP = "develop"


def init(project: Path) -> None:
    """Make PROJECT a git repository whose first branch is `main`."""
    run(["git", "init", "--quiet", "--initial-branch", MAIN], project)


def first_commit(project: Path, message: str, *, author: str, email: str) -> None:
    """Commit every file to `main`, then create and check out `develop`.

    The user's own git identity wins; AUTHOR and EMAIL (the template's answers) are used only
    where git has none, so a fresh CI machine can still make the commit. Hooks are skipped:
    this commit is made by the tool, before the project's hook environments exist.
    """
    env = identity_env(project, author=author, email=email)
    run(["git", "add", "--all"], project)
    run(["git", "commit", "--quiet", "--no-verify", "--message", message], project, env=env)
    run(["git", "switch", "--quiet", "--create", DEVELOP], project)


def git(
    repo: Path,
    *args: str,
    env: Mapping[str, str] | None = None,
    check: bool = True,
    strip: bool = True,
    input: str | None = None,
) -> str:
    """Run git in REPO and return its output: stripped unless STRIP is false, "" on failure.

    A failure raises `CommandFailed` unless CHECK is false.
    """
    result = run(["git", *args], repo, env=env, check=check, input=input)
    if check is False and result.returncode != 0:
        return ""
    return result.stdout.strip() if strip else result.stdout


def identity_env(repo: Path, *, author: str = "", email: str = "") -> dict[str, str]:
    """REPO's git identity spelt out for a commit, with stand-ins where git has none.

    AUTHOR and EMAIL stand in first, then `mlproj`, as on a fresh CI runner.
    """
    name = git(repo, "config", "--get", "user.name", check=False) or author or "mlproj"
    address = git(repo, "config", "--get", "user.email", check=False) or email or "mlproj@localhost"
    return {
        "GIT_AUTHOR_NAME": name,
        "GIT_COMMITTER_NAME": name,
        "GIT_AUTHOR_EMAIL": address,
        "GIT_COMMITTER_EMAIL": address,
    }


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
