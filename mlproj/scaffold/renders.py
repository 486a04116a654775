"""Template renders kept as git commits in the project, and found again in its history.

A render is stored with git's plumbing (a temporary index, `write-tree`, `commit-tree`), so
storing one never touches the project's index, working tree or branches.
"""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from mlproj._core.git import git, identity_env
from mlproj._core.shell import run
from mlproj.errors import UpdateRefused
from mlproj.project.project import ANSWERS_FILE

RENDER_TRAILER = "Mlproj-Render: template"
TEMPLATE_TRAILER = "Mlproj-Template: "
# The subject of the first commit `mlproj new` 0.1.0 made, before it carried a trailer.
FIRST_COMMIT = re.compile(r"Create .+ with mlproj")


@dataclass(frozen=True)
class Base:
    """The render the update merges from: a commit, and the mlproj version that rendered it.

    RECORDED is a render stored by an earlier update (the template's files alone); otherwise
    COMMIT is the project's first commit, whole, which the update cuts down to the template.
    """

    commit: str
    version: str
    recorded: bool
    given: bool = False

    @property
    def description(self) -> str:
        """Where the base came from, for a person."""
        if self.given:
            return f"{self.commit[:7]}, given with --base"
        if self.recorded:
            return f"{self.commit[:7]}, the render the last mlproj update recorded"
        return f"{self.commit[:7]}, the commit mlproj new made"


def find_base(repo: Path, start: str, explicit: str | None = None) -> Base:
    """The last render reachable from START: a recorded one, else the commit `mlproj new` made.

    EXPLICIT (`--base REV`) overrides the search, for a history that lost the render.
    """
    if explicit is not None:
        revision = f"{explicit}^{{commit}}"
        commit = git(repo, "rev-parse", "--verify", "--quiet", revision, check=False)
        if not commit:
            raise UpdateRefused(f"--base {explicit} is not a commit of this repository.")
        return Base(commit, _version(repo, commit), _is_render(repo, commit), given=True)
    recorded = git(repo, "rev-list", "-1", f"--grep=^{RENDER_TRAILER}$", start)
    if recorded:
        return Base(recorded, _version(repo, recorded), recorded=True)
    made = git(repo, "rev-list", "-1", f"--grep=^{TEMPLATE_TRAILER}", start)
    if not made:  # a project made by mlproj 0.1.0: its root commit says so
        for root in git(repo, "rev-list", "--max-parents=0", start).split():
            if FIRST_COMMIT.fullmatch(git(repo, "log", "-1", "--format=%s", root)):
                made = root
                break
    if not made:
        raise UpdateRefused(
            f"No commit made by mlproj new or mlproj update in {start}'s history: "
            "name the commit of the project's last render with --base REV."
        )
    return Base(made, _version(repo, made), recorded=False)


def _is_render(repo: Path, commit: str) -> bool:
    message = git(repo, "log", "-1", "--format=%B", commit)
    return RENDER_TRAILER in message.splitlines()


def _version(repo: Path, commit: str) -> str:
    """The mlproj version that rendered COMMIT, as its answers file records it."""
    text = git(repo, "show", f"{commit}:{ANSWERS_FILE}", check=False)
    found = re.search(r"^mlproj_version:\s*\"?([^\"\s]+)\"?\s*$", text, re.MULTILINE)
    return found.group(1) if found else "unknown"


def tree_of(repo: Path, commit: str) -> str:
    """The tree object of COMMIT."""
    return git(repo, "rev-parse", f"{commit}^{{tree}}")


def has_render(repo: Path, branch: str, tree: str) -> bool:
    """Whether BRANCH already merged a recorded render of exactly TREE."""
    found = git(repo, "rev-list", "-1", f"--grep=^{RENDER_TRAILER}$", branch)
    return bool(found) and tree_of(repo, found) == tree


def store_folder(repo: Path, folder: Path) -> str:
    """Store every file of FOLDER in REPO's object store, ignore rules aside; its tree id."""
    git_dir = git(repo, "rev-parse", "--absolute-git-dir")
    with tempfile.TemporaryDirectory(prefix="mlproj-index-") as scratch:
        env = {"GIT_INDEX_FILE": os.path.join(scratch, "index")}
        where = ["--git-dir", git_dir, "--work-tree", str(folder)]
        run(["git", *where, "add", "--all", "--force", "."], folder, env=env)
        return git(folder, *where, "write-tree", env=env)


def commit_restricted(repo: Path, base: Base, theirs_tree: str, project: Path) -> str:
    """A parentless commit of BASE's files that the template renders: the first render's part.

    A project made before updates were recorded keeps no render of its own, only the first
    commit, whose generated files (params.yaml, the contract, dvc.lock) are not the template's.
    The paths of the fresh render tell which are; a file a newer template stopped rendering
    is therefore not deleted by a project's first update.
    """
    template_paths = set(git(repo, "ls-tree", "-r", "-z", "--name-only", theirs_tree).split("\0"))
    entries = [
        entry
        for entry in git(repo, "ls-tree", "-r", "-z", base.commit, strip=False).split("\0")
        if entry and entry.split("\t", 1)[1] in template_paths
    ]
    with tempfile.TemporaryDirectory(prefix="mlproj-index-") as scratch:
        env = {"GIT_INDEX_FILE": os.path.join(scratch, "index")}
        git(repo, "read-tree", "--empty", env=env)
        if entries:
            listing = "\0".join(entries) + "\0"
            git(repo, "update-index", "-z", "--index-info", env=env, input=listing)
        tree = git(repo, "write-tree", env=env)
    message = (
        f"Template of mlproj {base.version}, as commit {base.commit[:7]} left it\n\n"
        "The files of the project's first commit that the template renders: the base of its\n"
        "first `mlproj update`.\n"
    )
    return git(repo, "commit-tree", tree, "-m", message, env=identity_env(project))
