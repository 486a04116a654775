"""What the model card states as measured: read from the pipeline's outputs, never typed in.

`params.yaml` names the model, its data and seed; `data/contract.yaml` the columns;
`metrics.json` the model's test metrics beside the reference models'; `reports/slices.json`,
`reports/gates.json`, `reports/importance.json` and `reports/features.json` the slices, the
gates' verdicts, the top features and what each is worth; `tests/regressions/` and
`reports/regressions.json` the incidents and how the current model fares on them.
metrics.json and the contract are required: without them there is no card worth reading. The
rest is optional, and its absence becomes an honest line.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlproj.data.contract import Contract
from mlproj.errors import CardInputError, ConfigError, InvalidGates
from mlproj.explain.importance import IMPORTANCE_FILE, Importance, parse_importance
from mlproj.gates.check import GATES_FILE
from mlproj.gates.contribution import FEATURES_FILE, Contributions, read_contributions
from mlproj.gates.slices import SLICES_FILE, SliceReport, read_slices
from mlproj.project.params import PARAMS_FILE, project_params
from mlproj.project.project import REGRESSIONS_REPORT, read_answers


@dataclass(frozen=True)
class Gate:
    """One entry of `reports/gates.json`: passed, failed or skipped, and its message."""

    gate: str
    status: str
    message: str


@dataclass(frozen=True)
class CardIncident:
    """An incident as the card lists it; `result` is the last suite run's, None if not run."""

    id: str
    status: str
    date: str
    description: str
    link: str | None
    expectation: str
    result: str | None


@dataclass(frozen=True)
class CardFacts:
    """Everything measurable the card shows; None marks an optional output not there."""

    name: str
    params: Mapping[str, Any]
    contract: Contract
    metrics: Mapping[str, Any]
    slices: SliceReport | None
    gates: tuple[Gate, ...] | None
    release: str | None
    importance: Mapping[str, float] | None
    incidents: tuple[CardIncident, ...]
    # The unit of the SHAP values behind `importance`; None when importance.json predates it.
    importance_unit: str | None = None
    # reports/features.json: what each feature is worth; None when the project has none.
    contributions: Contributions | None = None


def gather_facts(project: Path) -> CardFacts:
    """Read every pipeline output the card needs; `CardInputError` names one that is unusable."""
    from mlproj.data.contract import load_contract

    params = project_params(project)
    paths = params.get("paths") or {}
    data = params.get("data") or {}
    missing = [k for k in ("metrics", "reports") if k not in paths]
    missing += [f"data.{k}" for k in ("task", "target", "contract") if k not in data]
    if missing:
        keys = ", ".join(k if k.startswith("data.") else f"paths.{k}" for k in missing)
        raise ConfigError(f"{project / PARAMS_FILE}: missing {keys}; run `mlproj params sync`.")
    reports = project / str(paths["reports"])
    metrics = _json(project / str(paths["metrics"]), required=True)
    try:
        contract = load_contract(project / str(data["contract"]))
    except ConfigError as exc:
        raise CardInputError(str(exc)) from exc
    gates = _json(reports / GATES_FILE, required=False)
    importance = _importance(reports / IMPORTANCE_FILE)
    return CardFacts(
        name=_project_name(project),
        params=params,
        contract=contract,
        metrics=metrics or {},
        slices=_slices(reports / SLICES_FILE),
        gates=None if gates is None else _gates(gates, reports / GATES_FILE),
        release=None if gates is None else _release(gates),
        importance=None if importance is None else importance.values,
        incidents=_incidents(project, reports / REGRESSIONS_REPORT),
        importance_unit=None if importance is None else importance.unit,
        contributions=_contributions(reports / FEATURES_FILE),
    )


def _json(path: Path, *, required: bool) -> dict[str, Any] | None:
    if not path.is_file():
        if required:
            raise CardInputError(f"{path} not found: the pipeline writes it; run `dvc repro`.")
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise CardInputError(f"{path}: not valid JSON ({exc}); run `dvc repro`.") from exc
    if not isinstance(data, dict):
        raise CardInputError(f"{path}: not a JSON object; run `dvc repro`.")
    return data


def _slices(path: Path) -> SliceReport | None:
    if not path.is_file():
        return None
    try:
        return read_slices(path)
    except InvalidGates as exc:
        raise CardInputError(str(exc)) from exc


def _gates(data: Mapping[str, Any], path: Path) -> tuple[Gate, ...]:
    try:
        return tuple(
            Gate(str(g["gate"]), str(g["status"]), str(g["message"])) for g in data["gates"]
        )
    except (KeyError, TypeError) as exc:
        raise CardInputError(f"{path}: not a gates report ({exc!r}); run `dvc repro`.") from exc


def _release(data: Mapping[str, Any]) -> str | None:
    release = data.get("release")
    return None if release is None else str(release)


def _importance(path: Path) -> Importance | None:
    data = _json(path, required=False)
    if data is None:
        return None
    try:  # largest first; ties by name, so the same numbers always give the same order
        return parse_importance(data)
    except ValueError as exc:
        raise CardInputError(f"{path}: {exc}; run `dvc repro`.") from exc


def _contributions(path: Path) -> Contributions | None:
    if not path.is_file():
        return None
    try:
        return read_contributions(path)
    except InvalidGates as exc:
        raise CardInputError(str(exc)) from exc


def _incidents(project: Path, report: Path) -> tuple[CardIncident, ...]:
    from mlproj.incidents.store import load_incidents

    results = _results(_json(report, required=False), report)
    return tuple(
        CardIncident(
            id=incident.id,
            status=incident.status,
            date=incident.date.isoformat(),
            description=incident.description,
            link=incident.link,
            expectation=incident.expectation.describe(),
            result=results.get(incident.id),
        )
        for incident in load_incidents(project)
    )


def _results(data: Mapping[str, Any] | None, path: Path) -> dict[str, str]:
    """Per incident, how the model the last suite run checked fares: `fails 2 of 5 rows`."""
    if data is None:
        return {}
    try:
        results = {}
        for entry in data["incidents"]:
            rows, failing = int(entry["rows"]), len(entry["failing_rows"])
            results[str(entry["id"])] = (
                f"passes all {rows} rows" if not failing else f"fails {failing} of {rows} rows"
            )
        return results
    except (KeyError, TypeError, ValueError) as exc:
        raise CardInputError(
            f"{path}: not a regression report ({exc!r}); run `dvc repro`."
        ) from exc


def _project_name(project: Path) -> str:
    """The name the project was generated with, else its folder's name."""
    return str(read_answers(project).get("project_name") or project.resolve().name)
