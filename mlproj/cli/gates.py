"""`mlproj gates check`: the pipeline stage that stops a model missing a declared quality gate.

Exit codes: 18 a gate failed; 19 the gates, slices or evaluation files cannot be used as
declared (a misspelt metric, a wrong type); 6 outside a project.
"""

from __future__ import annotations

import os
from pathlib import Path

import typer

from mlproj.cli._boundary import user_errors
from mlproj.cli._shared import PROJECT, group

app = group("Quality gates declared in conf/gates and conf/inclusion, checked after `evaluate`.")

_MARKS = {"passed": "✓", "failed": "✗ Gate failed:", "skipped": "•"}


@app.command()
def check(
    project: Path = PROJECT,
    output: Path | None = typer.Option(
        None,
        "--output",
        "-o",
        help="Write the report (JSON) here; the gates stage writes reports/gates.json. "
        "Without it nothing is written.",
    ),
    release: str | None = typer.Option(
        None,
        "--release",
        help="Measure drops against this release tag (vX.Y.Z), read from git, instead of "
        "the one last-release.json records.",
    ),
) -> None:
    """Judge metrics.json and reports/slices.json against the gates; fail on a miss."""
    from mlproj.gates.check import check_gates, verdict

    # A dvc.yaml from before --output runs `mlproj gates check` bare and expects its output.
    old_stage = os.environ.get("DVC_STAGE", "").rpartition(":")[2] == "gates"
    with user_errors():
        report = check_gates(project, output=output, release=release, old_stage=old_stage)
    for result in report.results:
        typer.echo(f"{_MARKS[result.status]} {result.message}")
    typer.echo(f"Quality gates: {verdict(r.status for r in report.results)}")
    with user_errors():
        report.check()
