"""Gitflow for a generated project: each branch starts from, and finishes into, its right place.

`feature/NAME` and `bugfix/NAME` start from `develop` and merge back into it. `release/X.Y.Z`
starts from `develop` and finishes into `main`, tagged `vX.Y.Z`, then back into `develop`.
`hotfix/X.Y.Z` starts from `main` and finishes into `main` (tagged) and `develop`, or into the
open release branch if there is one, which carries it to `develop` later.

`finish` checks everything before it changes anything: a clean tree, merges that will not
conflict, the regression suite, a pipeline that is up to date and the project's tests.
Merges are `--no-ff`, so each branch stays visible in the history as one unit of review.
A release or hotfix then records its version in `last-release.json` on its branch, reruns the
pipeline (the gates compare with that release from now on) and commits, before merging: the
tagged commit and everything after it reproduce, and `main` and `develop` get the same record.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlproj._core.git import (
    DEVELOP,
    MAIN,
    branch_exists,
    branches,
    changed_paths,
    current_branch,
    identity_env,
    merge_conflicts,
    tags,
)
from mlproj._core.progress import Activity, Progress, repro
from mlproj._core.shell import DVC_ENV, python_module, run
from mlproj._core.text import listing
from mlproj.errors import FlowRefused, InvalidFlowName, NotAProject, UserError
from mlproj.flow.registry import register, uses_registry
from mlproj.flow.releases import RECORD_FILE, parse_release, record_release
from mlproj.project.params import project_params

NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,79}")
TAG_PREFIX = "v"


@dataclass(frozen=True)
class Kind:
    """One kind of Gitflow branch: where it starts and where `finish` merges it."""

    name: str
    base: str
    targets: tuple[str, ...]
    versioned: bool

    @property
    def prefix(self) -> str:
        """The branch-name prefix, such as `feature/`."""
        return f"{self.name}/"


KINDS: dict[str, Kind] = {
    "feature": Kind("feature", DEVELOP, (DEVELOP,), versioned=False),
    "bugfix": Kind("bugfix", DEVELOP, (DEVELOP,), versioned=False),
    "release": Kind("release", DEVELOP, (MAIN, DEVELOP), versioned=True),
    "hotfix": Kind("hotfix", MAIN, (MAIN, DEVELOP), versioned=True),
}


@dataclass(frozen=True)
class Started:
    """A branch `start` created and checked out."""

    branch: str
    base: str


@dataclass(frozen=True)
class Finished:
    """What `finish` did: the branches it merged into, the tag it made, where it left you."""

    branch: str
    merged_into: tuple[str, ...]
    tag: str | None
    now_on: str
    outputs_restored: bool


def start(project: Path, kind_name: str, name: str, on_step: Progress = lambda _: None) -> Started:
    """Create KIND/NAME from its base branch and check it out; uncommitted work comes along."""
    kind = _kind(kind_name)
    _require_repository(project)
    name = _check_name(kind, name)
    branch = kind.prefix + name
    if branch_exists(project, branch):
        raise FlowRefused(f"{branch} exists already: switch to it with `git switch {branch}`.")
    _require_branch(project, kind.base)
    if kind.versioned:
        _check_new_version(project, kind, name)
    on_step(f"Creating {branch} from {kind.base}")
    before = _commit(project, "HEAD")
    run(["git", "switch", "--quiet", "--create", branch, kind.base], project)
    if _commit(project, "HEAD") != before:
        _restore_outputs(project)
    return Started(branch=branch, base=kind.base)


def finish(
    project: Path, kind_name: str, name: str | None = None, on_step: Progress = lambda _: None
) -> Finished:
    """Check KIND/NAME (default: the current branch), then merge it where Gitflow says.

    Every check runs before the first merge, so a refusal leaves the repository as it was.
    """
    kind = _kind(kind_name)
    _require_repository(project)
    branch = _branch_to_finish(project, kind, name)
    version = branch.removeprefix(kind.prefix) if kind.versioned else None
    targets = _targets(project, kind)
    for target in targets:
        _require_branch(project, target)
    dirty = changed_paths(project)
    if dirty:
        raise FlowRefused(
            f"Uncommitted changes: {listing(dirty)}. Commit or stash them, then finish again."
        )
    on_step("Working tree clean")
    started_on = current_branch(project) or _commit(project, "HEAD")
    if started_on != branch:
        run(["git", "switch", "--quiet", branch], project)
        _restore_outputs(project)
    try:
        _check_before_merging(project, branch, targets, on_step)
        if version is not None:
            _record_release(project, TAG_PREFIX + version, branch, targets, on_step)
    except UserError:
        # A refusal leaves you where you started, not on the branch it was checking.
        if started_on != branch:
            _switch_back(project, started_on)
        raise

    tag = _merge(project, kind, branch, targets, version, on_step)
    run(["git", "branch", "--quiet", "--delete", branch], project)
    on_step(f"Deleted {branch}")
    on_step(Activity(f"dvc checkout: the outputs {targets[-1]} records"))
    return Finished(
        branch=branch,
        merged_into=targets,
        tag=tag,
        now_on=targets[-1],
        outputs_restored=_restore_outputs(project),
    )


def _check_before_merging(
    project: Path, branch: str, targets: tuple[str, ...], on_step: Progress
) -> None:
    """Every check `finish` makes on the checked-out BRANCH before its first merge."""
    for target in targets:
        conflicts = merge_conflicts(project, target, branch)
        if conflicts:
            raise FlowRefused(
                f"Merging {branch} into {target} would conflict in {listing(conflicts)}: "
                f"merge {target} into {branch}, resolve, commit, then finish again."
            )
    on_step(f"Merges into {' and '.join(targets)} have no conflicts")
    # Incidents first: a fixed one failing again also makes `dvc status` stale, less precisely.
    from mlproj.incidents.commands import check_suite

    on_step(Activity("Running the regression suite"))
    suite = check_suite(project)
    on_step(f"Regression suite passes ({len(suite.results)} incident(s))")
    on_step(Activity("dvc status"))
    _check_pipeline(project)
    on_step("Pipeline up to date (dvc status)")
    on_step(_gates_verdict(project))
    on_step(Activity("pytest"))
    _check_tests(project)
    on_step("Tests pass")


def _merge(
    project: Path,
    kind: Kind,
    branch: str,
    targets: tuple[str, ...],
    version: str | None,
    on_step: Progress,
) -> str | None:
    """Merge BRANCH into each of TARGETS; tag (and register) VERSION on main; the tag made."""
    tag = None
    for target in targets:
        run(["git", "switch", "--quiet", target], project)
        message = f"Merge branch '{branch}' into {target}"
        run(["git", "merge", "--quiet", "--no-ff", "--message", message, branch], project)
        on_step(f"Merged {branch} into {target}")
        if version is not None and target == MAIN:
            tag = TAG_PREFIX + version
            label = "Release" if kind.name == "release" else "Hotfix"
            # A finish that was killed after tagging is finished by running it again.
            if _commit(project, f"refs/tags/{tag}^{{commit}}") != _commit(project, "HEAD"):
                run(["git", "tag", "--annotate", tag, "--message", f"{label} {version}"], project)
            on_step(f"Tagged {tag}")
            if uses_registry(project):
                on_step(f"Registered {register(project, tag, tag)} (mlproj registry)")
    return tag


def _record_release(
    project: Path, tag: str, branch: str, targets: tuple[str, ...], on_step: Progress
) -> None:
    """Make TAG the release the gates compare with, on the checked-out BRANCH, and commit it.

    Done on the branch before merging, so `main` and the branch work goes on from get the same
    record (no change of their own to conflict with a later hotfix), and a hotfix started from
    `main` is judged against the release `main` holds. The tree was clean and the pipeline up to
    date, so every change is the record and what `gates` and `card` make of it.
    """
    release = parse_release(tag)
    metrics = project / str((project_params(project).get("paths") or {}).get("metrics"))
    if release is None:
        return
    try:
        if not record_release(project, release, metrics):
            return  # recorded by a finish that stopped later: nothing to redo
        on_step(Activity(f"Rerunning the pipeline with {tag} recorded (dvc repro)"))
        repro(python_module("dvc", "repro"), project, on_step, env=DVC_ENV)
        run(["git", "add", "--all"], project)
        message = f"Record {tag} as the last release: the gates compare with it from now on"
        # The hooks ran on every commit of the branch; this one holds only what mlproj wrote.
        commit = ["git", "commit", "--quiet", "--no-verify", "--message", message]
        run(commit, project, env=identity_env(project))
    except BaseException:
        # Interrupted or refused: the branch as it was, so finishing again records afresh.
        run(["git", "reset", "--quiet", "--hard"], project)
        _restore_outputs(project)
        raise
    on_step(f"Recorded {tag} in {RECORD_FILE} on {branch}; pipeline rerun and committed")
    for target in targets:
        conflicts = merge_conflicts(project, target, branch)
        if conflicts:
            raise FlowRefused(
                f"Merging {branch} into {target} would conflict in {listing(conflicts)} once "
                f"{tag} is recorded: merge {target} into {branch}, resolve, run `dvc repro`, "
                "commit, then finish again."
            )


def _switch_back(project: Path, started_on: str) -> None:
    """Return to STARTED_ON (a branch, or the commit of a detached HEAD) and its outputs."""
    if branch_exists(project, started_on):
        run(["git", "switch", "--quiet", started_on], project)
    else:
        run(["git", "switch", "--quiet", "--detach", started_on], project)
    _restore_outputs(project)


def branch_problem(branch: str | None, *, push: bool = False) -> str | None:
    """Why committing on (or, with PUSH, pushing) BRANCH breaks Gitflow, or None if it does not.

    A detached HEAD (a rebase in progress, a CI checkout) is not judged; tags may be pushed.
    """
    if branch is None or branch.startswith("refs/tags/"):
        return None
    branch = branch.removeprefix("refs/heads/")
    if branch in (MAIN, DEVELOP):
        if push:
            return None
        return (
            f"Commits do not go on {branch} directly: start a branch with "
            "`mlproj flow feature start NAME` (or bugfix, release, hotfix) and finish it."
        )
    kind_name, _, name = branch.partition("/")
    kind = KINDS.get(kind_name)
    if kind is not None and _name_problem(kind, name) is None:
        return None
    return (
        f"Branch {branch!r} is not a Gitflow branch: use feature/NAME, bugfix/NAME, "
        f"release/X.Y.Z or hotfix/X.Y.Z (rename it with `git branch -m NEW`)."
    )


def branch_to_check(project: Path, environ: Mapping[str, str]) -> str | None:
    """The branch a hook is about: the one being pushed (pre-commit tells), else the current one."""
    return environ.get("PRE_COMMIT_LOCAL_BRANCH") or current_branch(project)


def check_branch(branch: str | None, *, push: bool = False) -> None:
    """Raise `InvalidFlowName` if BRANCH may not be committed on (or pushed, with PUSH)."""
    problem = branch_problem(branch, push=push)
    if problem:
        raise InvalidFlowName(problem)


def _kind(kind_name: str) -> Kind:
    try:
        return KINDS[kind_name]
    except KeyError:
        raise InvalidFlowName(
            f"{kind_name!r} is not a Gitflow branch kind: use {', '.join(KINDS)}."
        ) from None


def _check_name(kind: Kind, name: str) -> str:
    if kind.versioned:
        name = name.removeprefix(TAG_PREFIX)
    problem = _name_problem(kind, name)
    if problem:
        raise InvalidFlowName(problem)
    return name


def _name_problem(kind: Kind, name: str) -> str | None:
    if kind.versioned:
        from semver import Version

        if Version.is_valid(name):
            return None
        return f"{name!r} is not a semantic version such as 1.2.0 (see semver.org)."
    if NAME.fullmatch(name) and ".." not in name and not name.endswith((".", ".lock")):
        return None
    return (
        f"{name!r} is not a usable {kind.name} name: use letters, digits, '.', '_' and '-', "
        "starting with a letter or digit, such as churn-features or JIRA-42."
    )


def _check_new_version(project: Path, kind: Kind, version: str) -> None:
    from semver import Version

    open_branches = branches(project, f"{kind.prefix}*")
    if open_branches:
        raise FlowRefused(
            f"{open_branches[0]} is still open: finish it before starting another {kind.name}."
        )
    released = [Version.parse(t[1:]) for t in tags(project, "v*") if Version.is_valid(t[1:])]
    if released and Version.parse(version) <= max(released):
        raise InvalidFlowName(
            f"Version {version} is not newer than the latest release v{max(released)}."
        )


def _branch_to_finish(project: Path, kind: Kind, name: str | None) -> str:
    if name is None:
        branch = current_branch(project)
        if branch is None or not branch.startswith(kind.prefix):
            raise FlowRefused(
                f"You are on {branch or 'a detached HEAD'}, not a {kind.name} branch: "
                f"switch to one, or name it: `mlproj flow {kind.name} finish NAME`."
            )
        return branch
    branch = kind.prefix + _check_name(kind, name)
    if not branch_exists(project, branch):
        raise FlowRefused(f"There is no branch {branch}.")
    return branch


def _targets(project: Path, kind: Kind) -> tuple[str, ...]:
    if kind.name == "hotfix":
        releases = branches(project, f"{KINDS['release'].prefix}*")
        if releases:
            return (MAIN, releases[0])
    return kind.targets


def _require_repository(project: Path) -> None:
    if not (project / "dvc.yaml").is_file() or not (project / ".git").exists():
        raise NotAProject(f"{project.resolve()} is not an mlproj project (no dvc.yaml or .git).")


def _require_branch(project: Path, branch: str) -> None:
    if not branch_exists(project, branch):
        raise FlowRefused(f"There is no {branch} branch: Gitflow needs both {MAIN} and {DEVELOP}.")


def _check_pipeline(project: Path) -> None:
    status = run(python_module("dvc", "status", "--json"), project, env=DVC_ENV)
    stale = json.loads(status.stdout or "{}")
    if stale:
        raise FlowRefused(
            f"The pipeline is not up to date: {listing(list(stale))} changed (see `dvc status`). "
            "Run `dvc repro`, commit dvc.lock and the results, then finish again."
        )


def _gates_verdict(project: Path) -> str:
    """The committed gates report's verdict, so a branch with every gate skipped never looks passed.

    Read as plain JSON: the gates package builds on this one, not the other way round.
    """
    reports = (project_params(project).get("paths") or {}).get("reports", "reports")
    path = project / str(reports) / "gates.json"
    try:
        report = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return f"Quality gates: not checked (no readable {path.relative_to(project)})"
    if not isinstance(report, dict):
        return f"Quality gates: not checked ({path.relative_to(project)} is not a report)"
    listed_gates = report.get("gates")
    gates: list[Any] = listed_gates if isinstance(listed_gates, list) else []
    skipped = [g for g in gates if isinstance(g, dict) and g.get("status") == "skipped"]
    status = report.get("status") or ("passed" if report.get("passed") else "failed")
    names = ", ".join(str(g.get("gate")) for g in skipped)
    listed = f"; skipped: {names}" if skipped else ""
    if status == "nothing checked":
        return f"Quality gates: nothing checked, every gate skipped{listed}"
    checked = len(gates) - len(skipped)
    return f"Quality gates {status} ({checked} checked){listed}"


def _check_tests(project: Path) -> None:
    args = python_module("pytest", "--quiet", "--no-header", "-p", "no:cacheprovider")
    result = run(args, project, env=DVC_ENV, check=False)
    # 5: no tests were collected, which is not a failure of the code.
    if result.returncode not in (0, 5):
        lines = result.stdout.strip().splitlines()
        summary = lines[-1].strip("= ") if lines else f"exit code {result.returncode}"
        raise FlowRefused(f"The tests fail ({summary}): run `pytest` to see them.")


def _restore_outputs(project: Path) -> bool:
    """Bring DVC outputs in line with the checked-out dvc.lock; False if the cache lacks some."""
    checkout = run(python_module("dvc", "checkout", "--quiet"), project, env=DVC_ENV, check=False)
    return checkout.returncode == 0


def _commit(project: Path, ref: str) -> str:
    return run(
        ["git", "rev-parse", "--verify", "--quiet", ref], project, check=False
    ).stdout.strip()
