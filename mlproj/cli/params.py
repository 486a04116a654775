"""`mlproj params`: keep params.yaml equal to the composition of conf/."""

from __future__ import annotations

from pathlib import Path

import typer

from mlproj.cli._boundary import user_errors
from mlproj.cli._shared import PROJECT, group

app = group("Keep params.yaml equal to the composition of conf/.")


@app.command()
def sync(project: Path = PROJECT) -> None:
    """Recompose params.yaml from conf/, discarding any hand edit of it."""
    from mlproj.project.params import sync_params

    with user_errors():
        changes = sync_params(project)
    typer.echo(
        "params.yaml recomposed from conf/: " + "; ".join(changes)
        if changes
        else "params.yaml already matches conf/."
    )


@app.command()
def check(project: Path = PROJECT) -> None:
    """Fail, naming each differing key, if params.yaml does not match conf/."""
    from mlproj.project.params import check_params

    with user_errors():
        check_params(project)


@app.command()
def refresh(project: Path = PROJECT) -> None:
    """The pipeline's first stage: recompose params.yaml if only conf/ changed."""
    from mlproj.project.params import refresh_params

    with user_errors():
        result = refresh_params(project)
    if result.action == "recomposed":
        typer.echo("params.yaml recomposed from conf/: " + "; ".join(result.changes))
    elif result.action == "experiment":
        typer.echo("params.yaml composed by `dvc exp run`; left as it is.")
