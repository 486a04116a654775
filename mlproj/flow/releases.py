"""The last released model, read from git: its tag and the metrics committed with it.

Releases are annotated tags `vX.Y.Z` on `main` (Gitflow). The last release is the highest such
version, not the nearest tag reachable from HEAD: Gitflow merges a release *branch* back into
`develop`, so the tag's own commit on `main` is often not an ancestor of the work being gated,
and a hotfix tag on `main` never is. The highest version is also what production runs.
Pre-releases (`v1.0.0-rc.1`) and other tags are not releases and are ignored.

What the pipeline compares with is not read from the tags, though: a tag made after a commit
would change what that commit's `gates` stage gives, so the commit would no longer reproduce.
`release finish` records the release it is making in `last-release.json` (its tag and its
metrics) on the release branch before merging it, and the `gates` stage declares that file as
an input: every commit's gates depend only on what the commit holds.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlproj._core.atomic import write_text
from mlproj._core.shell import run
from mlproj.errors import CommandFailed, InvalidGates

RECORD_FILE = "last-release.json"
_RELEASE = re.compile(r"v(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)")


@dataclass(frozen=True, order=True)
class Release:
    """A release tag; ordering compares versions, so `max` finds the last release."""

    version: tuple[int, int, int]
    tag: str


def parse_release(tag: str) -> Release | None:
    """The release a tag names, or None when it is not a plain `vX.Y.Z` version."""
    match = _RELEASE.fullmatch(tag)
    if match is None:
        return None
    major, minor, patch = (int(part) for part in match.groups())
    return Release((major, minor, patch), tag)


def last_release(project: Path) -> Release | None:
    """The highest `vX.Y.Z` tag of the repository PROJECT is in; None if none, or no git."""
    if not _in_git(project):
        return None
    listed = run(["git", "tag", "--list", "v*"], project).stdout.split()
    releases = [release for tag in listed if (release := parse_release(tag)) is not None]
    return max(releases, default=None)


def released_metrics(project: Path, release: Release, metrics: Path) -> dict[str, Any] | None:
    """METRICS (a path under PROJECT) as committed at RELEASE; None if the release had none."""
    return committed_metrics(project, release.tag, metrics)


def committed_metrics(project: Path, rev: str, metrics: Path) -> dict[str, Any] | None:
    """METRICS (a path under PROJECT) as committed at REV; None if REV has no such file.

    Read with `git show`, so the metrics are those the commit holds, whatever the workspace
    does. A `./` path is relative to PROJECT, which may be a folder inside a larger repository.
    """
    spec = f"{rev}:./{metrics.relative_to(project).as_posix()}"
    try:
        # REV was just listed or made, so the one way this fails is a commit without the file.
        shown = run(["git", "show", spec], project).stdout
    except CommandFailed:
        return None
    return parse_metrics(shown, spec)


def parse_metrics(text: str, where: str) -> dict[str, Any]:
    """A metrics.json's content, read from WHERE (a path or a `tag:path`), as a mapping."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise InvalidGates(f"{where}: not valid JSON ({exc}).") from exc
    if not isinstance(data, dict):
        raise InvalidGates(f"{where}: not a JSON object of metrics.")
    return data


@dataclass(frozen=True)
class ReleaseRecord:
    """`last-release.json`: the release the pipeline compares with, and its metrics then."""

    release: Release | None
    metrics: dict[str, Any] | None


def read_record(project: Path) -> ReleaseRecord:
    """PROJECT's `last-release.json`; no release when the file is absent (a project made before)."""
    path = project / RECORD_FILE
    if not path.is_file():
        return ReleaseRecord(None, None)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or exc
        raise InvalidGates(f"{path}: cannot be read ({reason}).") from None
    data = parse_metrics(text, str(path))
    tag, metrics = data.get("release"), data.get("metrics")
    release = None if tag is None else parse_release(tag) if isinstance(tag, str) else None
    if (tag is not None and release is None) or not isinstance(metrics, dict | None):
        raise InvalidGates(
            f'{path}: expected {{"release": "vX.Y.Z" or null, "metrics": {{...}} or null}}; '
            "`mlproj flow release finish` writes it."
        )
    return ReleaseRecord(release, metrics if release is not None else None)


def record_release(project: Path, release: Release, metrics: Path, rev: str = "HEAD") -> bool:
    """Record RELEASE, made from REV, and REV's METRICS in `last-release.json`; False if so already.

    `release finish` records the release it is making, from the branch, before it is tagged.
    """
    text = json.dumps(
        {"release": release.tag, "metrics": committed_metrics(project, rev, metrics)}, indent=2
    )
    path = project / RECORD_FILE
    if path.is_file() and path.read_text(encoding="utf-8") == text + "\n":
        return False
    write_text(path, text + "\n")
    return True


def _in_git(project: Path) -> bool:
    try:
        run(["git", "rev-parse", "--git-dir"], project)
    except CommandFailed:
        return False
    return True
