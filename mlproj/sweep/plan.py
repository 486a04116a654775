"""The declared sweep: conf/sweep/default.yaml read, checked and expanded into its points.

A sweep is declared, not typed: `sweep:` maps each parameter (a dotted key of params.yaml,
`+key` for a new one, or a config group such as `model`) to the values to try, and every
combination is one experiment. It is checked against the project before anything is queued,
so a typo in a key fails in one line instead of after the first experiment ran for minutes.
"""

from __future__ import annotations

import itertools
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlproj._core.yamlio import load_yaml
from mlproj.errors import InvalidSweep, InvalidYaml
from mlproj.project.project import Project

SWEEP_FILE = Path("conf") / "sweep" / "default.yaml"
# A grid past this many points is a typo or a job for a cluster, not for `dvc exp run --queue`.
MAX_POINTS = 100
# Values Hydra's override grammar reads as written; any other string is quoted.
_BARE = re.compile(r"[A-Za-z0-9_.\-/]+")


@dataclass(frozen=True)
class SweepPlan:
    """The points of a sweep, in declaration order, and the metric that ranks them.

    Each point is the `key=value` overrides of one `dvc exp run -S ...`.
    """

    keys: tuple[str, ...]
    points: tuple[tuple[str, ...], ...]
    metric: str
    lower_is_better: bool

    def commands(self) -> list[list[str]]:
        """The `dvc exp run --queue` command lines that queue each point."""
        return [
            ["dvc", "exp", "run", "--queue", *(a for o in point for a in ("-S", o))]
            for point in self.points
        ]


def read_plan(project: Project) -> SweepPlan:
    """PROJECT's declared sweep, checked against params.yaml and conf/; `InvalidSweep` if not."""
    path = project.root / SWEEP_FILE
    if not path.is_file():
        raise InvalidSweep(
            f"{SWEEP_FILE} not found: declare the sweep there (`sweep:` maps parameters to the "
            "values to try); see docs/model-evidence.md."
        )
    try:
        data = load_yaml(path)
    except InvalidYaml as exc:
        raise InvalidSweep(str(exc)) from exc
    grid = data.get("sweep") if isinstance(data, dict) else None
    if not isinstance(grid, dict) or not grid:
        raise InvalidSweep(f"{SWEEP_FILE}: expected `sweep:` mapping parameters to value lists.")
    values = {str(key): _values(str(key), value) for key, value in grid.items()}
    for key, options in values.items():
        _check_key(project, key, options)
    count = 1
    for options in values.values():
        count *= len(options)
    if count > MAX_POINTS:
        raise InvalidSweep(
            f"{SWEEP_FILE}: {count} points, more than {MAX_POINTS}: narrow the value lists."
        )
    keys = tuple(values)
    points = tuple(
        tuple(
            f"{key}={override_value(value)}" for key, value in zip(keys, combination, strict=True)
        )
        for combination in itertools.product(*values.values())
    )
    metric = _metric(project, data)
    lower = project.params.get("gates", {}).get("lower_is_better") or []
    return SweepPlan(keys, points, metric, metric in lower)


def override_value(value: Any) -> str:
    """VALUE in Hydra's override grammar, as `-S key=VALUE` needs it."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    text = str(value)
    if _BARE.fullmatch(text) and text.lower() not in {"null", "true", "false"}:
        return text
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _values(key: str, value: Any) -> list[Any]:
    if not isinstance(value, list) or not value:
        raise InvalidSweep(f"{SWEEP_FILE}: {key}: expected a non-empty list of values to try.")
    for item in value:
        if isinstance(item, dict | list):
            raise InvalidSweep(f"{SWEEP_FILE}: {key}: values must be plain (numbers, text, null).")
    return value


def _check_key(project: Project, key: str, options: list[Any]) -> None:
    """KEY is a params.yaml key, a new one (`+key`), or a config group with a file per value."""
    if key.startswith("+"):
        return
    group = project.root / "conf" / key
    if "." not in key and group.is_dir():
        missing = [str(v) for v in options if not (group / f"{v}.yaml").is_file()]
        if missing:
            raise InvalidSweep(f"{SWEEP_FILE}: {key}: no conf/{key}/{missing[0]}.yaml.")
        return
    node: Any = project.params
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            raise InvalidSweep(
                f"{SWEEP_FILE}: unknown parameter {key!r}: params.yaml has no such key "
                f"(a new one is written '+{key}')."
            )
        node = node[part]


def _metric(project: Project, data: dict[str, Any]) -> str:
    """The metric that ranks the points: `metric:` in the file, else conf/evidence's."""
    metric = data.get("metric") or project.params.get("evidence", {}).get("metric")
    if not isinstance(metric, str) or not metric:
        raise InvalidSweep(f"{SWEEP_FILE}: name the `metric:` that ranks the experiments.")
    path = project.root / str(project.setting("paths.metrics"))
    try:
        known = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return metric  # not trained yet: the experiments will say
    if isinstance(known, dict) and metric not in known:
        names = ", ".join(k for k, v in known.items() if not isinstance(v, dict))
        raise InvalidSweep(f"{SWEEP_FILE}: metric {metric!r} is not in {path.name} ({names}).")
    return metric
