"""The project handle: a generated project's root, settings and paths, read once per command.

Every command that works on a project opens it here (as DVC's commands open one `Repo`), so
`params.yaml` and `.mlproj-answers.yaml` are read in one place and "this is not a project" is
said the same way everywhere.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from mlproj._core.yamlio import load_yaml
from mlproj.data.dataset import TASKS, Task
from mlproj.errors import ConfigError, InvalidYaml
from mlproj.project.params import PARAMS_FILE, project_params

ANSWERS_FILE = ".mlproj-answers.yaml"
"""Where a project keeps the answers it was generated with (a template file)."""
REGRESSIONS_REPORT = "regressions.json"


@dataclass(frozen=True)
class Project:
    """A generated project: its root, its composed `params.yaml`, and the paths it names."""

    root: Path
    task: Task
    target: str
    features: tuple[str, ...]
    contract: Path
    model: Path
    report: Path
    package: str | None
    params: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
    answers: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def params_file(self) -> Path:
        """Where the composed parameters live, for messages that name the file."""
        return self.root / PARAMS_FILE

    @property
    def reports(self) -> Path:
        """The folder the pipeline writes its reports into (`paths.reports`)."""
        return self.root / str(self.setting("paths.reports"))

    def setting(self, dotted: str) -> Any:
        """The value at DOTTED (such as `data.train`) in `params.yaml`; `ConfigError` if absent."""
        return setting(self.params, dotted, self.params_file)

    def trusted_types(self) -> list[str]:
        """`TRUSTED_TYPES` from the project's `<package>/models.py`: what its training trusts."""
        import importlib

        if self.package is None:
            return []
        root = str(self.root.resolve())
        sys.path.insert(0, root)
        try:
            module = importlib.import_module(f"{self.package}.models")
        except ImportError as exc:
            raise ConfigError(
                f"cannot import {self.package}.models for its TRUSTED_TYPES ({exc})."
            ) from exc
        finally:
            sys.path.remove(root)
        return [str(name) for name in getattr(module, "TRUSTED_TYPES", [])]

    def load_model(self) -> Any:
        """The project's current model, trusting the types its own `models.py` lists."""
        from mlproj.project.modelio import load_model

        return load_model(self.model, self.trusted_types())


def open_project(root: Path) -> Project:
    """Read a project's settings from `params.yaml`; `NotAProject` when there is none."""
    params = root / PARAMS_FILE
    data = project_params(root)
    task = setting(data, "data.task", params)
    if task not in TASKS:
        raise ConfigError(f"{params}: 'data.task' must be classification or regression")
    numeric = setting(data, "data.numeric", params) or []
    categorical = setting(data, "data.categorical", params) or []
    answers = read_answers(root)
    package = answers.get("package_name")
    return Project(
        root=root,
        task=cast(Task, task),
        target=str(setting(data, "data.target", params)),
        features=tuple(str(name) for name in [*numeric, *categorical]),
        contract=root / str(setting(data, "data.contract", params)),
        model=root / str(setting(data, "paths.model", params)),
        report=root / str(setting(data, "paths.reports", params)) / REGRESSIONS_REPORT,
        package=str(package) if package else None,
        params=data,
        answers=answers,
    )


def read_answers(root: Path) -> dict[str, Any]:
    """The answers the project was generated with, or `{}` when the file is absent or unreadable."""
    path = root / ANSWERS_FILE
    if not path.is_file():
        return {}
    try:
        answers = load_yaml(path)
    except (InvalidYaml, OSError):
        return {}
    return answers if isinstance(answers, dict) else {}


def setting(data: dict[str, Any], dotted: str, params: Path) -> Any:
    """The value at DOTTED (such as `data.train`) in params DATA; `ConfigError` if absent."""
    node: Any = data
    for key in dotted.split("."):
        if not isinstance(node, dict) or key not in node:
            raise ConfigError(f"{params}: missing {dotted!r}; run `mlproj params sync`.")
        node = node[key]
    return node
