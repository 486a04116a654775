"""`mlproj reproduce`: retrain a commit from scratch and check it gives what it recorded.

Exit codes: 20 the retrain differs (the differences are shown above the error); 21 the
revision is unknown, has no dvc.lock or metrics, or its DVC-tracked data is not in the local
cache; 6 outside a project; 7 the retrain itself failed.
"""

from __future__ import annotations

from pathlib import Path

import typer

from mlproj.cli._boundary import user_errors
from mlproj.cli._shared import PROJECT, QUIET


def reproduce(
    rev: str = typer.Option("HEAD", "--rev", help="The commit to retrain (any git revision)."),
    project: Path = PROJECT,
    tolerance: float = typer.Option(
        0.0,
        "--tolerance",
        min=0.0,
        help="How far metrics, numeric predictions and probabilities may differ (default: exact).",
    ),
    unstable: list[str] = typer.Option(
        [],
        "--unstable",
        help="A DVC output (file or folder) whose hash may differ without failing; repeatable.",
    ),
    keep: bool = typer.Option(
        False, "--keep", help="Keep the temporary clone for inspection and print where it is."
    ),
    quiet: bool = QUIET,
) -> None:
    """Retrain a commit in a temporary clone; compare metrics, predictions and output hashes."""
    from mlproj.cli._progress import Steps
    from mlproj.reproduce.check import reproduce as retrain

    with user_errors(), Steps(quiet=quiet) as steps:
        result = retrain(
            project, rev, tolerance=tolerance, unstable=unstable, keep=keep, on_step=steps
        )
    typer.echo(f"Retrained {result.commit[:7]} ({rev}) in a fresh clone with `dvc repro --force`.")
    if result.uncommitted:
        typer.echo(
            f"Not compared: {len(result.uncommitted)} uncommitted change(s) in the working tree "
            f"(only the commit is retrained); see `git status`."
        )
    for check in result.checks:
        if check.skipped:
            typer.echo(f"- {check.subject}: skipped: {check.skipped}.")
            continue
        typer.echo(f"{'✓' if check.passed else '✗'} {check.subject}: {check.compared}")
        for line in check.differences:
            typer.echo(f"    {line}")
        for line in check.tolerated:
            typer.echo(f"    {line}")
    if result.kept is not None:
        typer.echo(f"The clone is kept in {result.kept}.")
    with user_errors():
        result.check()
    typer.echo(
        f"Reproducible: {result.commit[:7]} retrains to the same metrics, predictions and "
        f"outputs ({result.seconds:.1f} s)."
    )
