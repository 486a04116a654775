"""`mlproj feedback FILE`: join labels that arrived later to the prediction log.

Exit codes: 0 recorded; 4 the file cannot be read, or a row is refused (a request the log
never saw, a row that is missing or ambiguous, a label the contract's target cannot hold:
nothing is written); 5 bad `serve.log` settings; 6 outside a project.
"""

from __future__ import annotations

from pathlib import Path

import typer

from mlproj.cli._boundary import user_errors
from mlproj.cli._shared import PROJECT


def feedback(
    file: Path = typer.Argument(
        ...,
        help="A .csv or .parquet file: request_id, optional row (from 0), and the label in a "
        "column named like the target (or 'label').",
    ),
    project: Path = PROJECT,
) -> None:
    """Record true labels for served predictions, joined by request id (and row).

    `row` is needed only for a request that sent more than one row. Every row is checked
    before anything is written; a later label for the same row replaces the earlier one.
    The labels go to conf serve.log.feedback, where monitor and compare-versions read them.
    """
    from mlproj.predictionlog.feedback import record_feedback

    with user_errors():
        recorded = record_feedback(project, file)
    replaced = f", {recorded.replaced} replacing earlier labels" if recorded.replaced else ""
    where = ", ".join(str(part) for part in recorded.parts)
    typer.echo(
        f"Joined {recorded.labels} label(s) to {recorded.requests} logged request(s)"
        f"{replaced}: {where}"
    )
