"""A project's regression suite: record incidents, check models against them, mark them fixed.

The command line (`mlproj add-regression`, `mlproj regression ...`), the pipeline stage and a
generated project's own pytest all call these functions, so all three judge a model the same
way. A generated test needs two lines: `check_suite(ROOT)` raises `RegressionFailed`, naming
each fixed incident the model fails again and the rows it fails on.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from mlproj._core.atomic import write_text
from mlproj._core.progress import Activity, Progress, ignore
from mlproj.errors import DataError, IncidentStillFails
from mlproj.incidents.incident import Incident, IncidentRequest, LastResult, Status, check_id
from mlproj.incidents.store import (
    REGRESSIONS,
    check_free,
    check_rows,
    load_incident,
    load_incidents,
    read_new_rows,
    read_rows,
    save_incident,
    update_incident,
)
from mlproj.incidents.suite import IncidentResult, SuiteResult, evaluate
from mlproj.project.project import open_project


@dataclass(frozen=True)
class Added:
    """A recorded incident, its folder within the project, and the current model's result.

    `result` is None when there was no model yet to judge it.
    """

    incident: Incident
    folder: Path
    result: IncidentResult | None
    tracked_by_dvc: bool


@dataclass(frozen=True)
class Fixed:
    """An incident marked fixed, and the status it had before (`fixed` again is harmless)."""

    incident: Incident
    was: Status


@dataclass(frozen=True)
class Listed:
    """An incident with its latest result, from the last suite run or from its own record."""

    incident: Incident
    last_result: LastResult | None


def add_regression(
    project: Path,
    request: IncidentRequest,
    *,
    force: bool = False,
    now: datetime | None = None,
    on_step: Progress = ignore,
) -> Added:
    """Check and record an incident, with the status the current model earns it.

    A model that already passes makes it `fixed` at once, so it guards from the first run;
    one that fails it, or no model yet, makes it `open`. Nothing is written on any refusal.
    ON_STEP hears what runs.
    """
    from mlproj.data.contract import load_contract

    config = open_project(project)
    incident_id = check_id(request.id)
    check_free(project, incident_id, force=force)
    expectation = request.expectation.for_task(config.task)
    on_step(Activity(f"Reading {request.rows.name}"))
    rows = read_new_rows(request.rows)
    contract = load_contract(config.contract)
    target = contract.rule(config.target) if config.target in contract.names else None
    classes = target.allowed if target is not None and config.task == "classification" else None
    check_rows(
        rows, expectation, contract, config.features, classes=classes, source=str(request.rows)
    )
    when = (now or datetime.now().astimezone()).replace(microsecond=0)
    incident = Incident(
        incident_id, request.date or when.date(), request.description, request.link, expectation
    )
    result = None
    if config.model.is_file():
        on_step(Activity(f"Checking the current model on {len(rows):,} rows"))
        model = config.load_model()
        suite = evaluate([(incident, rows)], model, features=config.features, checked=when)
        result = suite.results[0]
        status: Status = "fixed" if result.passed else "open"
        incident = dataclasses.replace(
            incident, status=status, last_result=result.last_result(when)
        )
    on_step(Activity(f"Recording {incident_id}"))
    tracked = save_incident(project, incident, request.rows, force=force)
    return Added(incident, REGRESSIONS / incident_id, result, tracked)


def evaluate_suite(project: Path, model: Any | None = None) -> SuiteResult:
    """Judge MODEL (default: the project's current one) on every incident.

    A failing incident is a result, not an error; with no incident, no model is loaded.
    """
    config = open_project(project)
    incidents = load_incidents(project)
    cases = [(incident, read_rows(project, incident.id)) for incident in incidents]
    name = str(config.model.relative_to(project)) if model is None else type(model).__name__
    if cases and model is None:
        model = config.load_model()
    return evaluate(cases, model, features=config.features, model_name=name)


def check_suite(project: Path, model: Any | None = None) -> SuiteResult:
    """`evaluate_suite`, raising `RegressionFailed` if the model fails any fixed incident."""
    return evaluate_suite(project, model).check()


def run_suite(project: Path) -> SuiteResult:
    """Evaluate the current model and write `reports/regressions.json` atomically.

    The caller decides what a regression means (`SuiteResult.check`), after showing the rest.
    Incident records are left untouched: they are inputs of the pipeline stage that runs this.
    """
    result = evaluate_suite(project)
    report = open_project(project).report
    write_text(report, json.dumps(result.to_json(), indent=2, ensure_ascii=False) + "\n")
    return result


def fix_incident(project: Path, incident_id: str) -> Fixed:
    """Mark an incident fixed, refusing while the current model still fails it."""
    config = open_project(project)
    incident = load_incident(project, incident_id)
    model = config.load_model()
    suite = evaluate([(incident, read_rows(project, incident.id))], model, features=config.features)
    result = suite.results[0]
    if not result.passed:
        raise IncidentStillFails(
            f"{incident.id} still fails with {config.model.relative_to(project)}: "
            f"{result.verdict.message}. It stays {incident.status}."
        )
    fixed = dataclasses.replace(
        incident, status="fixed", last_result=result.last_result(suite.checked)
    )
    update_incident(project, fixed)
    return Fixed(fixed, was=incident.status)


def list_incidents(project: Path) -> list[Listed]:
    """Every incident with its latest result: the last suite run's, unless its record is newer."""
    config = open_project(project)
    reported = _reported(config.report)
    listed = []
    for incident in load_incidents(project):
        latest = incident.last_result
        run = reported.get(incident.id)
        if run is not None and (latest is None or run.checked >= latest.checked):
            latest = run
        listed.append(Listed(incident, latest))
    return listed


def _reported(report: Path) -> dict[str, LastResult]:
    if not report.is_file():
        return {}
    try:
        data = json.loads(report.read_text(encoding="utf-8"))
        # When the report was written: it holds no time itself, to stay reproducible.
        checked = datetime.fromtimestamp(report.stat().st_mtime).astimezone()
        return {
            str(entry["id"]): LastResult(
                checked, entry["rows"] - len(entry["failing_rows"]), len(entry["failing_rows"])
            )
            for entry in data["incidents"]
        }
    except (ValueError, KeyError, TypeError) as exc:
        raise DataError(
            f"{report}: not a report of `mlproj regression run` ({exc}); run that again."
        ) from exc
