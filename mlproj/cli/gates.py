"""`mlproj gates check`: the pipeline stage that stops a model missing a declared quality gate.

Exit codes: 18 a gate failed; 19 the gates, slices or evaluation files cannot be used as
declared (a misspelt metric, a wrong type); 6 outside a project.
"""

from __future__ import annotations

from pathlib import Path

import typer

from mlproj.cli._boundary import user_errors
from mlproj.cli._shared import PROJECT, group

app = group("Quality gates declared in conf/gates and conf/inclusion, checked after `evaluate`.")

_MARKS = {"passed": "✓", "failed": "✗ Gate failed:", "skipped": "•"}


@app.command()
def check(
    project: Path = PROJECT,
) -> None:
    """Judge metrics.json and reports/slices.json; write reports/gates.json; fail on a miss."""
    from mlproj.gates.check import check_gates

    with user_errors():
        report = check_gates(project)
    for result in report.results:
        typer.echo(f"{_MARKS[result.status]} {result.message}")
    with user_errors():
        report.check()
