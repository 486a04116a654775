"""The model registry, in git: GTO tags for versions and stages, DVC for the files.

`mlproj flow release finish` (and `hotfix finish`) registers the released commit as
`model@vX.Y.Z`. Stages (`staging`, `prod`, declared in `.gto`) are assigned with GTO's
`model#STAGE#N` tags; a rollback assigns the stage's previous version again, as a new tag, so the
history keeps both moves. The model file of any version comes back from the DVC cache or remote
at that version's commit, byte for byte what was released.

GTO orders events by timestamp with one-second resolution, so two moves within a second can
tie; the stage's current version is read from the tag numbers instead, which only grow.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlproj._core.yamlio import load_yaml
from mlproj.errors import RegistryError

ARTIFACT = "model"
CONFIG_FILE = ".gto"
STAGE_TAG = re.compile(rf"{ARTIFACT}#(?P<stage>[^#!]+)(?P<removed>!?)#(?P<number>\d+)")


@dataclass(frozen=True)
class Move:
    """One stage tag: which version it assigned (or unassigned), in tag order."""

    number: int
    version: str
    assigned: bool
    tag: str


@dataclass(frozen=True)
class Rollback:
    """A stage moved back: from the version it held to the one before."""

    stage: str
    was: str
    now: str


@dataclass(frozen=True)
class Fetched:
    """A model file brought back through DVC for a version."""

    version: str
    ref: str
    output: Path
    size: int


def uses_registry(project: Path) -> bool:
    """Whether the project keeps a registry (`.gto`): projects made before it do not."""
    return (project / CONFIG_FILE).is_file()


def register(project: Path, version: str, ref: str) -> str:
    """Register the model at REF as VERSION (`v1.2.0`); return the tag GTO made."""
    from gto import api

    _call(api.register, str(project), ARTIFACT, ref, version=version, message=f"Model {version}")
    return f"{ARTIFACT}@{version}"


def versions(project: Path) -> list[str]:
    """Registered versions, oldest first."""
    from semver import Version

    found = {
        str(event["version"]) for event in _history(project) if event.get("event") == "registration"
    }
    return sorted(found, key=lambda v: Version.parse(v.removeprefix("v")))


def moves(project: Path, stage: str) -> list[Move]:
    """Every assignment and unassignment of STAGE, in the order they were made."""
    found = []
    for event in _history(project):
        match = STAGE_TAG.fullmatch(str(event.get("ref", "")))
        if match and match["stage"] == stage:
            found.append(
                Move(
                    number=int(match["number"]),
                    version=str(event["version"]),
                    assigned=not match["removed"],
                    tag=str(event["ref"]),
                )
            )
    return sorted(found, key=lambda move: move.number)


def current(project: Path, stage: str) -> str | None:
    """The version STAGE holds now, or None."""
    history = moves(project, stage)
    if not history or not history[-1].assigned:
        return None
    return history[-1].version


def assign(project: Path, version: str, stage: str) -> str:
    """Put VERSION in STAGE; return the tag GTO made."""
    from gto import api

    version = _known_version(project, version)
    _check_stage(project, stage)
    if current(project, stage) == version:
        raise RegistryError(f"{ARTIFACT} {version} is in {stage} already.")
    _call(api.assign, str(project), ARTIFACT, stage, version=version, force=True)
    return moves(project, stage)[-1].tag


def rollback(project: Path, stage: str) -> Rollback:
    """Give STAGE back the version it held before its current one."""
    _check_stage(project, stage)
    now = current(project, stage)
    if now is None:
        raise RegistryError(f"Nothing is in {stage}: there is nothing to roll back.")
    earlier = [move.version for move in moves(project, stage) if move.assigned]
    previous = next((v for v in reversed(earlier) if v != now), None)
    if previous is None:
        raise RegistryError(f"{stage} has only ever held {now}: there is no earlier version.")
    assign(project, previous, stage)
    return Rollback(stage=stage, was=now, now=previous)


def fetch(project: Path, which: str, output: Path) -> Fetched:
    """Write the model file of WHICH (a version or a stage) to OUTPUT, through DVC."""
    import dvc.api
    from dvc.exceptions import DvcException

    from mlproj._core import atomic
    from mlproj.project.project import open_project

    atomic.check_target(output)
    version = (
        current(project, which) if which in stages(project) else _known_version(project, which)
    )
    if version is None:
        raise RegistryError(f"Nothing is in {which}: assign a version first.")
    ref = f"{ARTIFACT}@{version}"
    model = open_project(project).model.relative_to(project).as_posix()
    try:
        data = dvc.api.read(model, repo=str(project), rev=ref, mode="rb")
    except DvcException as exc:
        raise RegistryError(
            f"Cannot get {model} at {ref} through DVC ({type(exc).__name__}): "
            "`dvc pull` it from the remote, or reproduce it at that tag."
        ) from None
    atomic.write_bytes(output, data)
    return Fetched(version=version, ref=ref, output=output, size=len(data))


def stages(project: Path) -> list[str]:
    """The stages `.gto` allows."""
    try:
        config = load_yaml(project / CONFIG_FILE) or {}
    except FileNotFoundError:
        raise RegistryError(
            f"No {CONFIG_FILE} in {project.resolve()}: this project keeps no model registry."
        ) from None
    if not isinstance(config, dict) or not isinstance(config.get("stages") or [], list):
        raise RegistryError(f"{CONFIG_FILE}: `stages:` must be a list of stage names.")
    return [str(stage) for stage in config.get("stages") or []]


def _check_stage(project: Path, stage: str) -> None:
    allowed = stages(project)
    if stage not in allowed:
        raise RegistryError(f"{stage!r} is not a stage: use one of {', '.join(allowed)} (.gto).")


def _known_version(project: Path, version: str) -> str:
    version = version if version.startswith("v") else f"v{version}"
    known = versions(project)
    if version not in known:
        listed = ", ".join(known) or "none yet (release one with `mlproj flow release`)"
        raise RegistryError(f"{ARTIFACT} {version} is not registered; registered: {listed}.")
    return version


def _history(project: Path) -> list[dict[str, Any]]:
    from gto import api

    stages(project)  # a clear error for a project without a registry
    events = _call(api.history, str(project), ARTIFACT)
    return [dict(event) for event in events or []]


def _call(function: Any, *args: Any, **kwargs: Any) -> Any:
    """Call GTO, turning its errors (wrong stage, missing ref) into one-line messages."""
    from gto.exceptions import GTOException

    try:
        return function(*args, **kwargs)
    except GTOException as exc:
        raise RegistryError(f"GTO: {exc}") from None
