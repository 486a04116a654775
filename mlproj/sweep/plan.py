"""The declared sweep: conf/sweep/default.yaml read, checked and expanded into its points.

A sweep is declared, not typed: `sweep:` maps each parameter (a dotted key of params.yaml,
`+key` for a new one, or a config group such as `model`) to the values to try, and every
combination is one experiment. It is checked against the project before anything is queued,
so a typo in a key fails in one line instead of after the first experiment ran for minutes.

Overrides given with `mlproj sweep --set KEY=VALUE` (where to run: `compute=dask`, its
address) are fixed for every point: checked the same way, passed to every `dvc exp run`, and
kept out of the points, so the table shows only what the sweep varies.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlproj._core.text import first_line
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

    Each point is the `key=value` overrides of one `dvc exp run -S ...`; `fixed` are the
    overrides every point also gets (`--set`), after its own.
    """

    keys: tuple[str, ...]
    points: tuple[tuple[str, ...], ...]
    metric: str
    lower_is_better: bool
    fixed: tuple[str, ...] = ()

    def overrides(self, point: Sequence[str]) -> list[str]:
        """The `-S` arguments of one point: its own overrides, then the fixed ones."""
        return [a for o in (*point, *self.fixed) for a in ("-S", o)]

    def commands(self) -> list[list[str]]:
        """The `dvc exp run --queue` command lines that queue each point."""
        return [["dvc", "exp", "run", "--queue", *self.overrides(p)] for p in self.points]


def read_plan(project: Project, fixed: Sequence[str] = ()) -> SweepPlan:
    """PROJECT's declared sweep, checked against params.yaml and conf/; `InvalidSweep` if not.

    FIXED are `KEY=VALUE` overrides (Hydra's grammar, as `dvc exp run -S` takes them) given to
    every point: one value each, keys the sweep does not vary, checked like the sweep's keys.
    """
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
    pinned = _fixed(fixed, values)
    # A config group chosen by the sweep or by --set: its keys are those of the chosen files.
    groups = {k: [str(v) for v in vs] for k, vs in values.items() if _is_group(project, k)}
    groups.update({k: [str(v)] for k, (_, v) in pinned.items() if _is_group(project, k)})
    for key, options in values.items():
        _check_key(project, key, options, groups, SWEEP_FILE.as_posix())
    for key, (text, value) in pinned.items():
        _check_key(project, key, [value], groups, f"--set {text}")
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
    return SweepPlan(keys, points, metric, metric in lower, tuple(fixed))


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


def _fixed(fixed: Sequence[str], swept: Mapping[str, Any]) -> dict[str, tuple[str, Any]]:
    """Each --set override by key (`+` kept): its text and value; `InvalidSweep` if malformed."""
    from hydra.core.override_parser.overrides_parser import OverridesParser
    from hydra.errors import HydraException

    parser = OverridesParser.create()
    pinned: dict[str, tuple[str, Any]] = {}
    for text in fixed:
        try:
            (override,) = parser.parse_overrides([text])
        except HydraException as exc:
            raise InvalidSweep(
                f"--set {text}: not an override KEY=VALUE in Hydra's grammar ({first_line(exc)})."
            ) from None
        key = override.key_or_group
        if override.is_delete() or not key or override.package is not None:
            raise InvalidSweep(f"--set {text}: expected KEY=VALUE (or +KEY=VALUE for a new key).")
        if override.is_sweep_override():
            raise InvalidSweep(
                f"--set {text}: one value only; values to try go in {SWEEP_FILE.as_posix()}."
            )
        name = f"+{key}" if override.is_add() else key
        if key in swept or f"+{key}" in swept:
            raise InvalidSweep(
                f"--set {text}: {key} is swept by {SWEEP_FILE.as_posix()}; it cannot also be fixed."
            )
        if name in pinned:
            raise InvalidSweep(f"--set {text}: {key} is already set by --set {pinned[name][0]}.")
        pinned[name] = (text, override.value())
    return pinned


def _is_group(project: Project, key: str) -> bool:
    return "." not in key and not key.startswith("+") and (project.root / "conf" / key).is_dir()


def _check_key(
    project: Project, key: str, options: list[Any], groups: Mapping[str, list[str]], where: str
) -> None:
    """KEY is a params.yaml key, a new one (`+key`), or a config group with a file per value.

    A key inside a group the sweep or --set chooses (`compute.address` with `compute=dask`)
    must be in every chosen file of that group instead.
    """
    if key.startswith("+"):
        return
    if _is_group(project, key):
        missing = [
            str(v) for v in options if not (project.root / "conf" / key / f"{v}.yaml").is_file()
        ]
        if missing:
            raise InvalidSweep(f"{where}: {key}: no conf/{key}/{missing[0]}.yaml.")
        return
    group, _, rest = key.partition(".")
    if rest and group in groups:
        lacking = [c for c in groups[group] if not _in_group_file(project, group, c, rest)]
        if lacking:
            raise InvalidSweep(
                f"{where}: unknown parameter {key!r}: conf/{group}/{lacking[0]}.yaml has no "
                f"{rest!r} (a new one is written '+{key}')."
            )
        return
    if not _has(project.params, key):
        raise InvalidSweep(
            f"{where}: unknown parameter {key!r}: params.yaml has no such key "
            f"(a new one is written '+{key}')."
        )


def _in_group_file(project: Project, group: str, choice: str, rest: str) -> bool:
    """REST is a key of conf/GROUP/CHOICE.yaml (a file with its own defaults list: trusted)."""
    try:
        data = load_yaml(project.root / "conf" / group / f"{choice}.yaml")
    except InvalidYaml:
        return False
    return isinstance(data, dict) and ("defaults" in data or _has(data, rest))


def _has(node: Any, key: str) -> bool:
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
    return True


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
