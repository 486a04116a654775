"""The template's answers, validated once, with a message naming the field at fault."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlproj.data.dataset import DEFAULT_TARGET, TASKS, Task
from mlproj.errors import DataError, UserError
from mlproj.scaffold.names import check_package_name

# What CODEOWNERS accepts on GitHub and GitLab: @user, @org/team (@group/subgroup), or an email.
DEFAULTS = {
    "description": "A machine-learning project made with mlproj.",
    "author": "Your Name",
    "email": "you@example.com",
}
"""The free-text answers' defaults, as `template/cookiecutter.json` states them too."""

OWNER = re.compile(r"@[\w.-]+(/[\w.-]+)*|[^@\s]+@[^@\s]+\.[^@\s]+")
YES = {"yes", "y", "true", "1"}
NO = {"no", "n", "false", "0"}
# A folder name with no quoting needs anywhere: no separators, spaces, quotes or leading dot.
SLUG = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
# A PEP 440 version (pasted into requirement strings in TOML, YAML and shell lines).
VERSION = re.compile(r"\d+(\.\d+)*([.+!-]?[A-Za-z0-9]+)*")


@dataclass(frozen=True)
class Answers:
    """Everything `cookiecutter.json` asks, typed; shared by `mlproj new` and plain cookiecutter."""

    project_name: str
    project_slug: str
    package_name: str
    description: str
    author: str
    email: str
    code_owners: tuple[str, ...]
    task: Task
    data_path: Path | None
    target: str
    run_pipeline: bool
    mlproj_version: str

    @classmethod
    def from_context(cls, context: Mapping[str, Any], *, cwd: Path | None = None) -> Answers:
        """Validate a cookiecutter context; a relative data path is read from CWD."""
        slug = str(context.get("project_slug", "")).strip()
        if not SLUG.fullmatch(slug) or ".." in slug:
            raise UserError(f"project_slug {slug!r} is not a plain folder name.")
        package = str(context.get("package_name", ""))
        check_package_name(package, package)
        task = str(context.get("task", "classification"))
        if task not in TASKS:
            raise UserError(f"task {task!r} is not one of: {', '.join(TASKS)}.")
        run = str(context.get("run_pipeline", "yes")).strip().lower()
        if run not in YES | NO:
            raise UserError(f"run_pipeline {run!r} is neither yes nor no.")
        version = str(context.get("mlproj_version", ""))
        if version and not VERSION.fullmatch(version):
            raise UserError(f"mlproj_version {version!r} is not a version number.")
        target = str(context.get("target", "")).strip()
        data_path = _data_path(str(context.get("data_path", "")).strip(), target, cwd)
        owners = tuple(str(context.get("code_owners", "")).split())
        for owner in owners:
            if not OWNER.fullmatch(owner):
                raise UserError(
                    f"code owner {owner!r} is neither @user, @org/team nor an email address."
                )
        return cls(
            project_name=str(context.get("project_name", slug)),
            project_slug=slug,
            package_name=package,
            description=str(context.get("description", "")),
            author=str(context.get("author", "")),
            email=str(context.get("email", "")),
            code_owners=owners,
            task=task,  # checked against TASKS above
            data_path=data_path,
            target=target or DEFAULT_TARGET,
            run_pipeline=run in YES,
            mlproj_version=version,
        )


def _data_path(raw: str, target: str, cwd: Path | None) -> Path | None:
    """The data file RAW names (relative to CWD), or None for the demo data."""
    if not raw:
        return None
    path = Path(os.path.expanduser(raw))
    if not path.is_absolute():
        path = (cwd or Path.cwd()) / path
    if not target:
        raise DataError("A data file needs its target column: give target (--target).")
    if "${" in path.name:
        # conf/ could escape it, but params.yaml holds it resolved and the project re-reads it.
        raise DataError(
            f"{path}: the file name holds '${{', which Hydra reads as an interpolation; "
            "rename the file."
        )
    return path
