"""`mlproj compare-versions`: the primary against the shadow or canary version, over the log.

Exit codes: 0 the candidate passes every gate of serve.shadow; 38 it fails one (named, after
the table); 39 not enough evidence (fewer compared rows than serve.shadow.min_rows, or no
shadow or canary rows): no verdict; 4 a log part cannot be read; 5 bad settings; 6 outside
a project. reports/compare-versions.json is written in every case but 4, 5 and 6.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from mlproj.cli._boundary import user_errors
from mlproj.cli._shared import PROJECT

if TYPE_CHECKING:
    from mlproj.deploy.versions import Comparison, Side

DAY = ["%Y-%m-%d"]


def compare_versions(
    since: datetime | None = typer.Option(
        None, "--since", formats=DAY, help="First day of the log compared (YYYY-MM-DD)."
    ),
    until: datetime | None = typer.Option(
        None, "--until", formats=DAY, help="Last day of the log compared (YYYY-MM-DD)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the report's JSON instead."),
    project: Path = PROJECT,
) -> None:
    """Compare the primary with the shadow or canary version over the prediction log.

    Agreement on the rows both scored (shadow), balanced accuracy or R² on rows with labels
    (mlproj feedback), p50/p95 latency, and a verdict against serve.shadow in conf. Writes
    reports/compare-versions.json.
    """
    from mlproj.deploy import compare_versions as run_compare

    with user_errors():
        result = run_compare(
            project,
            since=since.date() if since else None,
            until=until.date() if until else None,
        )
    if as_json:
        typer.echo(json.dumps(result.to_json(), indent=2, ensure_ascii=False))
    else:
        _table(result)
    with user_errors():
        result.check()


def _table(result: Comparison) -> None:
    from mlproj._core.text import number

    def cell(value: float | None, unit: str = "") -> str:
        return "-" if value is None else f"{number(value)}{unit}"

    sides: list[tuple[str, Side]] = [
        (role, side)
        for role, side in (("primary", result.primary), (result.mode, result.candidate))
        if side is not None
    ]
    header = ("", "version", "rows", "labelled", result.metric, "p50", "p95")
    lines = [header] + [
        (
            role,
            side.version,
            number(side.rows),
            number(side.labelled),
            cell(side.metric),
            cell(side.p50_ms, " ms"),
            cell(side.p95_ms, " ms"),
        )
        for role, side in sides
    ]
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    for line in lines:
        typer.echo("  ".join(text.ljust(width) for text, width in zip(line, widths, strict=True)))
    if result.agreement is not None:
        typer.echo(f"Agreement: {number(result.agreement)} on {number(result.compared_rows)} rows.")
    for rule in result.rules:
        mark = {True: "✓", False: "✗", None: "•"}[rule.passed]
        typer.echo(f"{mark} {rule.detail}")
    typer.echo(f"Verdict: {result.verdict}. Report: {result.report}")
