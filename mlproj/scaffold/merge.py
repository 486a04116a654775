"""The update's three-way merge: on a new branch, with git's own merge machinery.

`git merge-recursive BASE -- HEAD THEIRS` merges with an explicit base (the last render), which
`git merge` cannot be told. Writing MERGE_HEAD afterwards makes it an ordinary merge in
progress: `git status` shows the unmerged paths, `git commit` records the render as a second
parent (so the next update finds it), and `git merge --abort` gives up.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from mlproj._core.git import current_branch, git, identity_env
from mlproj._core.shell import run
from mlproj.errors import CommandFailed

if TYPE_CHECKING:
    from mlproj.scaffold.update import UpdateResult

CHECKLIST = "review-checklist.yaml"


@dataclass(frozen=True)
class Outcome:
    """Each file the template changed, sorted by what the merge made of it."""

    taken: tuple[str, ...]
    merged: tuple[str, ...]
    conflicts: tuple[str, ...]
    kept_deleted: tuple[str, ...]
    rerendered: tuple[str, ...]
    committed: str | None
    written: tuple[str, ...] = ()


def merge_render(
    repo: Path, start: str, branch: str, base: str, theirs: str, result: UpdateResult
) -> Outcome:
    """Create BRANCH from START in REPO and merge THEIRS into it from BASE; commit if clean.

    On any failure before the merge is left for the user, REPO is put back as it was: the
    branch deleted and the previous branch checked out.
    """
    previous = current_branch(repo)
    git(repo, "switch", "--quiet", "--force-create", branch, start)  # checked: no commits
    try:
        return _merge(repo, branch, base, theirs, result)
    except BaseException:
        git(repo, "merge", "--abort", check=False)
        git(repo, "reset", "--quiet", "--hard", check=False)
        if previous:
            git(repo, "switch", "--quiet", previous, check=False)
            git(repo, "branch", "--quiet", "-D", branch, check=False)
        raise


def _merge(repo: Path, branch: str, base: str, theirs: str, result: UpdateResult) -> Outcome:
    head = git(repo, "rev-parse", "HEAD")
    labels = {f"GITHEAD_{head}": branch, f"GITHEAD_{theirs}": f"mlproj {result.version_to}"}
    args = ["git", "merge-recursive", base, "--", head, theirs]
    merged = run(args, repo, env=labels, check=False)
    if merged.returncode not in (0, 1):
        detail = (merged.stderr.strip() or merged.stdout.strip()).splitlines()
        raise CommandFailed(f"git could not merge the template: {detail[-1] if detail else ''}")
    unmerged = _unmerged(repo)
    # Base and theirs but no ours: modified by the template, deleted by the user, who wins.
    kept_deleted = sorted(path for path, stages in unmerged.items() if stages == {1, 3})
    for path in kept_deleted:
        git(repo, "rm", "--quiet", "--cached", "--", path)
        (repo / path).unlink(missing_ok=True)
    conflicts = sorted(set(unmerged) - set(kept_deleted))
    changed = {change.path for change in result.changes}
    user_changed = set(
        git(repo, "diff-tree", "-r", "--no-renames", "--name-only", "-z", base, head).split("\0")
    )
    settled = changed - set(conflicts) - set(kept_deleted)
    rerendered = _rerender_templates(repo) if CHECKLIST in settled else ()
    written = () if "pyproject.toml" in conflicts else _write_missing_lock(repo, result)
    written += _configure_offline_plots(repo, conflicts)
    git_dir = Path(git(repo, "rev-parse", "--absolute-git-dir"))
    (git_dir / "MERGE_HEAD").write_text(f"{theirs}\n", encoding="utf-8")
    message = (
        f"Update to the template of mlproj {result.version_to}\n\n"
        f"Merged by `mlproj update` from mlproj {result.version_from}'s template "
        f"(base {result.base.commit[:7]}).\n"
    )
    (git_dir / "MERGE_MSG").write_text(message, encoding="utf-8")
    (git_dir / "MERGE_MODE").write_text("no-ff", encoding="utf-8")
    committed = None
    if not conflicts:
        args = ["git", "commit", "--quiet", "--no-verify", "--no-edit", "--allow-empty"]
        run(args, repo, env=identity_env(result.project))
        committed = git(repo, "rev-parse", "HEAD")
    return Outcome(
        taken=tuple(sorted(settled - user_changed)),
        merged=tuple(sorted(settled & user_changed)),
        conflicts=tuple(conflicts),
        kept_deleted=tuple(kept_deleted),
        rerendered=rerendered,
        committed=committed,
        written=written,
    )


def _unmerged(repo: Path) -> dict[str, set[int]]:
    """Each unmerged path and its index stages (1 base, 2 ours, 3 theirs)."""
    stages: dict[str, set[int]] = {}
    for entry in git(repo, "ls-files", "--unmerged", "-z", strip=False).split("\0"):
        if entry:
            info, path = entry.split("\t", 1)
            stages.setdefault(path, set()).add(int(info.split()[2]))
    return stages


def _write_missing_lock(repo: Path, result: UpdateResult) -> tuple[str, ...]:
    """Pin the environment of a project made before `mlproj new` wrote `requirements.txt`.

    The template's CI installs from it, and it is not part of the render, so the merge alone
    would give CI a file that does not exist. An existing one is the project's: left alone;
    so is a project whose pyproject.toml is missing or unreadable (CI says so loudly).
    """
    from mlproj.errors import UserError
    from mlproj.scaffold.lock import LOCK_FILE, write_lock
    from mlproj.scaffold.source import running_source

    if (repo / LOCK_FILE).exists() or not (repo / "pyproject.toml").is_file():
        return ()
    try:
        write_lock(repo, running_source(result.version_to))
    except UserError:
        return ()
    git(repo, "add", "--", LOCK_FILE)
    return (LOCK_FILE,)


def _configure_offline_plots(repo: Path, conflicts: list[str]) -> tuple[str, ...]:
    """Point DVC at the offline plots page the template now ships, if nothing points elsewhere.

    `mlproj new` sets `plots.html_template`; a project made before the page existed gets the
    page from the merge but not the setting, so `dvc plots show` would still load Vega from a CDN.
    """
    from mlproj._core.shell import DVC_ENV, python_module
    from mlproj.scaffold.initialise import OFFLINE_PLOTS

    config = repo / ".dvc" / "config"
    page = repo / ".dvc" / OFFLINE_PLOTS
    if ".dvc/config" in conflicts or not page.is_file() or not config.is_file():
        return ()
    if "html_template" in config.read_text(encoding="utf-8", errors="replace"):
        return ()
    run([*python_module("dvc"), "config", "plots.html_template", OFFLINE_PLOTS], repo, env=DVC_ENV)
    git(repo, "add", "--", ".dvc/config")
    return (".dvc/config",)


def _rerender_templates(repo: Path) -> tuple[str, ...]:
    """Re-render the pull and merge request templates the project tracks from its checklist."""
    from mlproj.review.checklist import TEMPLATES, render_templates

    tracked = [str(path) for path in TEMPLATES if git(repo, "ls-files", "--", str(path))]
    if not tracked:
        return ()
    paths = [str(path) for path in TEMPLATES]
    before = {path: (repo / path).read_bytes() for path in paths if (repo / path).exists()}
    render_templates(repo)
    for path in paths:
        if path not in tracked:  # the user removed it: it stays removed
            if path in before:
                (repo / path).write_bytes(before[path])
            else:
                (repo / path).unlink(missing_ok=True)
    git(repo, "add", "--", *tracked)
    changed = git(repo, "diff", "--cached", "--name-only", "HEAD", "--", *tracked)
    return tuple(changed.splitlines())
