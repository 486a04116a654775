"""The records several tests read: the gates report, stage outputs, the review and model card files.

Each helper answers from `Evidence`, so a report counts only when the stage that wrote it is
current in `dvc.lock`; a report on disk that no current stage recorded proves nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mlproj.score.evidence import Evidence

GATES = "gates.json"


@dataclass(frozen=True)
class Verdict:
    """Points, evidence path and reason: what one test concludes."""

    points: float
    evidence: str
    reason: str


def none(evidence: str, reason: str) -> Verdict:
    """No point: nothing ran, or what ran did not pass."""
    return Verdict(0.0, evidence, reason)


def manual(evidence: str, reason: str) -> Verdict:
    """Half a point: a reviewed record people keep by hand."""
    return Verdict(0.5, evidence, reason)


def automated(evidence: str, reason: str) -> Verdict:
    """A point: an automated check that ran green and is current."""
    return Verdict(1.0, evidence, reason)


def reports_path(ev: Evidence, name: str) -> str:
    """NAME inside the project's reports folder (`paths.reports`, default `reports`)."""
    folder = ev.setting("paths.reports")
    return f"{folder if isinstance(folder, str) and folder else 'reports'}/{name}"


def current_output(ev: Evidence, relative: str) -> tuple[Any, str]:
    """RELATIVE's JSON when a current stage recorded it; else None and why it does not count."""
    run = ev.output_of(relative)
    declared = ev.declared_by(relative) if run is None else None
    if declared is not None:
        run = ev.stage(declared)
    if run is None:
        there = (ev.root / relative).exists()
        why = "exists but no stage in dvc.lock recorded it" if there else "does not exist"
        return None, f"{relative} {why}"
    if not run.ok:
        return None, run.reason
    data = ev.json(relative)
    if data is None:
        return None, f"{relative} cannot be read as JSON"
    return data, run.reason


@dataclass(frozen=True)
class GatesReport:
    """reports/gates.json when the gates stage wrote it and is current, with its overall status."""

    path: str
    gates: tuple[dict[str, Any], ...]
    status: str  # passed, failed, nothing checked, or why there is no current report
    current: bool

    def named(self, *prefixes: str) -> list[dict[str, Any]]:
        """The gates whose name starts with one of PREFIXES."""
        return [g for g in self.gates if str(g.get("gate", "")).startswith(prefixes)]


def gates_report(ev: Evidence) -> GatesReport:
    """The gates report, counted only when the `gates` stage is current in dvc.lock."""
    path = reports_path(ev, GATES)
    run = ev.stage("gates")
    if not run.ok:
        return GatesReport(path, (), run.reason, False)
    if not ev.locked_out("gates", path):
        return GatesReport(path, (), f"{path} is not the gates stage's output", False)
    data = ev.json(path)
    if not isinstance(data, dict) or not isinstance(data.get("gates"), list):
        return GatesReport(path, (), f"{path} cannot be read", False)
    gates = tuple(g for g in data["gates"] if isinstance(g, dict))
    status = data.get("status")
    if status not in ("passed", "failed", "nothing checked"):  # a report from before `status`
        checked = [g for g in gates if g.get("status") in ("passed", "failed")]
        failed = any(g.get("status") == "failed" for g in gates)
        status = "failed" if failed else "passed" if checked else "nothing checked"
    return GatesReport(path, gates, str(status), True)


def gate_verdict(report: GatesReport, prefixes: tuple[str, ...], what: str) -> Verdict | None:
    """A point when the gates named PREFIXES were checked and passed, None when none checked."""
    if not report.current:
        return None
    gates = report.named(*prefixes)
    checked = [g for g in gates if g.get("status") in ("passed", "failed")]
    if not checked:
        return None
    failed = [str(g.get("gate")) for g in checked if g.get("status") == "failed"]
    if failed:
        return none(report.path, f"{what} failed: {', '.join(failed)}")
    names = ", ".join(str(g.get("gate")) for g in checked)
    return automated(report.path, f"{what} checked and passed by the gates stage: {names}")


def card_note(ev: Evidence, field: str) -> str:
    """A human field of model-card.yaml as written, '' when empty or unreadable."""
    data = ev.yaml("model-card.yaml")
    value = data.get(field) if isinstance(data, dict) else None
    if isinstance(value, list):
        value = " ".join(str(v) for v in value if v)
    return str(value).strip() if value else ""


def features(ev: Evidence) -> list[str]:
    """The model's features, as params.yaml declares them (`data.numeric`, `data.categorical`)."""
    names = []
    for key in ("data.numeric", "data.categorical"):
        value = ev.setting(key)
        names += [str(v) for v in value] if isinstance(value, list) else []
    return names


def ci_runs(ev: Evidence, command: str) -> str:
    """The CI file whose jobs run COMMAND (GitHub Actions or GitLab), '' when none does."""
    folder = ev.root / ".github" / "workflows"
    files = sorted(folder.glob("*.y*ml")) if folder.is_dir() else []
    files.append(ev.root / ".gitlab-ci.yml")
    for path in files:
        relative = path.relative_to(ev.root).as_posix()
        if any(_runs(line, command) for line in ev.text(relative).splitlines()):
            return relative
    return ""


def _runs(line: str, command: str) -> bool:
    stripped = line.strip().removeprefix("- ").removeprefix("run:").strip()
    return not stripped.startswith("#") and stripped.startswith(command)
