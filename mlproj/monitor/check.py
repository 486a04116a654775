"""One monitor check's outcome, and the whole run's: what alerted, what passed, what was not judged.

A check that cannot be judged (no labelled rows yet, no model to re-score with) is `skipped`
and says why, so a skip is never read as a pass. An alert is a result, not an error: the
caller writes the report first, then `MonitorResult.check` raises `MonitorAlert`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Literal

from mlproj.errors import MonitorAlert

Status = Literal["ok", "alert", "skipped"]


@dataclass(frozen=True)
class Check:
    """One check: its name, status, the value seen and its limit, and a line for people."""

    name: str
    status: Status
    message: str
    value: float | None = None
    limit: float | None = None
    details: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The check's entry in `monitor.json`."""
        return {
            "name": self.name,
            "status": self.status,
            "message": self.message,
            "value": _round(self.value),
            "limit": self.limit,
            "details": self.details,
        }


def ok(name: str, message: str, value: float | None = None, limit: float | None = None) -> Check:
    """A check that passed."""
    return Check(name, "ok", message, value, limit)


def alert(name: str, message: str, value: float | None = None, limit: float | None = None) -> Check:
    """A check that failed its limit."""
    return Check(name, "alert", message, value, limit)


def skipped(name: str, why: str) -> Check:
    """A check that could not be judged, and why."""
    return Check(name, "skipped", why)


def judged(name: str, value: float, limit: float, message: str) -> Check:
    """`alert` when VALUE passes LIMIT (above it), else `ok`; MESSAGE says what was measured."""
    return (alert if value > limit else ok)(name, message, value, limit)


@dataclass(frozen=True)
class Window:
    """The days a run covers (both included) and how much the log held in them."""

    since: date
    until: date
    requests: int
    rows: int
    labelled: int
    versions: tuple[str, ...]


@dataclass(frozen=True)
class MonitorResult:
    """Every check of one run, the window it covered, notes, and the files written."""

    window: Window
    model_version: str | None
    checks: tuple[Check, ...]
    notes: tuple[str, ...]
    json_path: Path
    html_path: Path
    sample_path: Path | None
    sampled: int

    @property
    def alerts(self) -> tuple[Check, ...]:
        """The checks that alerted."""
        return tuple(c for c in self.checks if c.status == "alert")

    def check(self) -> MonitorResult:
        """Return self, or raise `MonitorAlert` naming every alert and the report, in one line."""
        if not self.alerts:
            return self
        named = "; ".join(f"{c.name} ({c.message})" for c in self.alerts)
        raise MonitorAlert(
            f"{len(self.alerts)} monitor alert(s) over {self.window.since} to "
            f"{self.window.until}: {named}; see {self.html_path}"
        )

    def to_json(self) -> dict[str, Any]:
        """The content of `monitor.json`."""
        w = self.window
        return {
            "status": "alert" if self.alerts else "ok",
            "alerts": [c.name for c in self.alerts],
            "window": {
                "since": w.since.isoformat(),
                "until": w.until.isoformat(),
                "requests": w.requests,
                "rows": w.rows,
                "labelled": w.labelled,
                "versions": list(w.versions),
            },
            "model_version": self.model_version,
            "checks": [c.to_json() for c in self.checks],
            "notes": list(self.notes),
            "review_sample": {
                "path": None if self.sample_path is None else self.sample_path.name,
                "rows": self.sampled,
            },
        }


def _round(value: float | None) -> float | None:
    return None if value is None else float(f"{value:.6g}")
