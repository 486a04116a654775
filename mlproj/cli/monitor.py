"""`mlproj monitor`: check the prediction log's last days; exit 1 on any alert.

Exit codes: 0 every check judged is within its limit (skipped checks say why); 1 an alert
(the reports are written first); 4 a log part, feedback or the training split cannot be read;
5 bad conf/monitor or conf/serve values; 6 outside a project; 8 a model holding untrusted types.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import typer

from mlproj.cli._boundary import user_errors
from mlproj.cli._shared import PROJECT, QUIET

_MARKS = {"alert": "✗", "skipped": "•", "ok": "✓"}


def _day(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date such as 2026-11-30.") from None


def monitor(
    window_days: int | None = typer.Option(
        None,
        "--window-days",
        min=1,
        help="Days of the log to check, ending with --until (default: monitor.window_days).",
    ),
    until: str | None = typer.Option(
        None, "--until", help="The window's last day, YYYY-MM-DD (UTC; default today)."
    ),
    as_json: bool = typer.Option(
        False, "--json", help="Print monitor.json instead of one line per check."
    ),
    project: Path = PROJECT,
    quiet: bool = QUIET,
) -> None:
    """Check the prediction log: traffic, refusals, inputs, drift, quality, age, latency, skew.

    Writes reports/monitor/monitor.json, index.html and review-sample.csv (a seeded random
    sample of recent requests for people to read), then exits 1 naming each alert. An empty
    window is an alert while monitor.min_requests is above 0 (the default, 1).
    """
    from mlproj.cli._progress import Steps
    from mlproj.monitor.run import monitor as run_monitor

    last = _day(until)
    with user_errors(), Steps(quiet=quiet or as_json) as steps:
        result = run_monitor(project, window_days=window_days, until=last, on_step=steps)
    if as_json:
        typer.echo(result.json_path.read_text(encoding="utf-8").rstrip("\n"))
    else:
        for check in result.checks:
            typer.echo(f"{_MARKS[check.status]} {check.name}: {check.message}")
        for note in result.notes:
            typer.echo(f"• {note}")
        w = result.window
        typer.echo(
            f"Checked {w.requests} request(s) from {w.since} to {w.until}: "
            f"{len(result.alerts)} alert(s). Report: {result.html_path}; "
            f"rows to review: {result.sample_path}"
        )
    with user_errors():
        result.check()
