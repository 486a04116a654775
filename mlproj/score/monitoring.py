"""The Monitoring tests of the ML Test Score, read from `mlproj monitor`'s last report.

Monitoring is about a served model. Each test reads its check in reports/monitor/monitor.json:
one that passed scores a point when a CI schedule runs `mlproj monitor`, half a point when it
was run by hand; one that alerted, or was not judged, scores 0 and says why. Where no monitor
report exists the test scores 0 rather than crediting a check that could run but never did.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from mlproj.score.evidence import Evidence
from mlproj.score.records import (
    Verdict,
    automated,
    ci_runs,
    current_output,
    gate_verdict,
    gates_report,
    manual,
    none,
    reports_path,
)

MONITOR = "monitor/monitor.json"
NO_MONITOR = "no serving monitored yet (`mlproj monitor` writes reports/monitor/monitor.json)"
MAX_REPORT_AGE_DAYS = 31
"""A monitor report whose window ended longer ago than this says nothing about production now."""


def dependencies(ev: Evidence) -> Verdict:
    """Monitoring 1: dependency changes result in notification (Dependabot or Renovate)."""
    for path in (
        ".github/dependabot.yml",
        ".github/dependabot.yaml",
        "renovate.json",
        ".github/renovate.json",
        ".renovaterc.json",
    ):
        if (ev.root / path).is_file():
            return manual(
                path,
                "updates are proposed as pull requests; the service's runs "
                "leave no record in the repository",
            )
    return none(".github/dependabot.yml", "no dependency update service is configured")


def invariants(ev: Evidence) -> Verdict:
    """Monitoring 2: data invariants hold for inputs (served requests, or a drift batch)."""
    served = monitored(ev, "refused", "requests kept the data contract")
    if served is not None:
        return served
    path, report = _drift(ev)
    if report is None:
        return none(path, "no production batch was checked (`mlproj drift BATCH` or `monitor`)")
    contract = report.get("out_of_contract")
    status = contract.get("status") if isinstance(contract, dict) else None
    if status == "drift":
        return none(path, "the last batch checked broke the data contract")
    if status is None:
        return none(path, "the drift report has no contract check")
    return automated(path, "the last production batch checked kept the data contract")


def skew(ev: Evidence) -> Verdict:
    """Monitoring 3: training and serving are not skewed (served predictions re-scored)."""
    served = monitored(ev, "skew", "the training code reproduces the served predictions")
    if served is not None:
        return served
    path, report = _drift(ev)
    if report is None:
        return none(path, "no production batch was compared with training")
    if report.get("drift") is not False:
        return none(path, "the last batch checked drifted from the training data")
    return automated(path, "the last production batch checked matched the training data")


def stale(ev: Evidence) -> Verdict:
    """Monitoring 4: models are not too stale (the served model's age against its limit)."""
    return monitored(ev, "model age", "the served model is younger than max_age_days") or none(
        reports_path(ev, MONITOR), NO_MONITOR
    )


def numerically_stable(ev: Evidence) -> Verdict:
    """Monitoring 5: models are numerically stable (no NaN or infinity in served inputs)."""
    return monitored(ev, "nan", "no NaN or infinite value served") or none(
        reports_path(ev, MONITOR), NO_MONITOR
    )


def performance(ev: Evidence) -> Verdict:
    """Monitoring 6: computing performance has not regressed (served p95 latency in budget)."""
    return monitored(ev, "latency", "served p95 latency within its budget") or none(
        reports_path(ev, MONITOR), NO_MONITOR
    )


def quality(ev: Evidence) -> Verdict:
    """Monitoring 7: prediction quality has not regressed (labelled traffic, incidents, gates)."""
    served = monitored(ev, "quality", "quality on labelled served rows held")
    if served is not None and served.points:
        return served
    gate = gate_verdict(gates_report(ev), ("max drop",), "max drop since the last release")
    if gate is not None and gate.points:
        return gate
    path = reports_path(ev, "regressions.json")
    report, why = current_output(ev, path)
    incidents = report.get("incidents") if isinstance(report, dict) else None
    if isinstance(report, dict) and incidents:
        if report.get("passed") is True:
            return automated(path, f"{len(incidents)} production incident(s) checked, passed")
        return none(path, "a production incident fails again")
    if served is not None:
        return served
    if gate is not None:
        return gate
    return none(
        path,
        why
        if report is None
        else "no production incident recorded yet; no release to compare with",
    )


def monitored(ev: Evidence, name: str, what: str, *, today: date | None = None) -> Verdict | None:
    """The verdict of check NAME in the last monitor report; None when there is no such check.

    WHAT says what a pass shows. A pass is automated when CI runs `mlproj monitor` on a
    schedule, manual otherwise; an alert, a skip or a report too old to speak for now scores 0.
    """
    path = reports_path(ev, MONITOR)
    report = ev.json(path)
    checks = report.get("checks") if isinstance(report, dict) else None
    found = [c for c in checks or [] if isinstance(c, dict) and c.get("name") == name]
    if not found:
        return None
    check: dict[str, Any] = found[0]
    message = str(check.get("message", ""))
    if check.get("status") == "alert":
        return none(path, f"the last monitor run alerted on {name}: {message}")
    if check.get("status") != "ok":
        return none(path, f"the last monitor run did not judge {name}: {message}")
    ended = _window_end(report)
    age = ((today or date.today()) - ended).days if ended else None
    if age is None or age > MAX_REPORT_AGE_DAYS:
        return none(path, f"the last monitor run is older than {MAX_REPORT_AGE_DAYS} days")
    scheduled = _scheduled(ev)
    if scheduled:
        return automated(path, f"{what} ({message}); {scheduled} runs `mlproj monitor` on cron")
    return manual(path, f"{what} ({message}); `mlproj monitor` was run by hand, no CI schedule")


def _window_end(report: Any) -> date | None:
    window = report.get("window") if isinstance(report, dict) else None
    until = window.get("until") if isinstance(window, dict) else None
    try:
        return date.fromisoformat(str(until))
    except ValueError:
        return None


def _scheduled(ev: Evidence) -> str:
    """The CI file that runs `mlproj monitor` on a schedule, '' when none does."""
    path = ci_runs(ev, "mlproj monitor")
    text = ev.text(path) if path else ""
    return path if "schedule" in text else ""


def _drift(ev: Evidence) -> tuple[str, dict[str, object] | None]:
    path = reports_path(ev, "drift/drift.json")
    report = ev.json(path)
    return path, report if isinstance(report, dict) else None


MONITORING: tuple[tuple[str, Callable[[Evidence], Verdict]], ...] = (
    ("Dependency changes result in notification", dependencies),
    ("Data invariants hold for inputs", invariants),
    ("Training and serving are not skewed", skew),
    ("Models are not too stale", stale),
    ("Models are numerically stable", numerically_stable),
    ("Computing performance has not regressed", performance),
    ("Prediction quality has not regressed", quality),
)
