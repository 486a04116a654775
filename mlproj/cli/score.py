"""`mlproj score`: the ML Test Score audit of a project, in Markdown or JSON.

Exit codes: 0 scored (at or above `--min`); 35 below `--min`, after printing the scorecard;
6 outside a project; 28 an unreadable dvc.yaml, dvc.lock or params.yaml.
"""

from __future__ import annotations

import json
from pathlib import Path

import typer

from mlproj.cli._boundary import user_errors


def score(
    project: Path = typer.Argument(Path("."), help="The project folder."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON: the same numbers."),
    minimum: float | None = typer.Option(
        None, "--min", min=0, max=7, help="Exit 35 when the final score is below this (0 to 7)."
    ),
) -> None:
    """Score the project against the 28 tests of the ML Test Score, from what ran."""
    from mlproj.score import check_minimum, score_project

    with user_errors():
        card = score_project(project)
    if as_json:
        typer.echo(json.dumps(card.to_json(), indent=2))
    else:
        typer.echo(card.to_markdown(), nl=False)
    if minimum is not None:
        with user_errors():
            check_minimum(card, minimum)
