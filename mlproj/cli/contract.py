"""`mlproj contract add`: rules in data/contract.yaml for new features, inferred from the data.

Exit codes: 4 the data cannot be read or lacks a named column; 5 the contract already has a
rule for one (edit it instead) or cannot be read; 6 outside a project. Nothing is written on
any error.
"""

from __future__ import annotations

from pathlib import Path

import typer

from mlproj.cli._boundary import user_errors
from mlproj.cli._shared import PROJECT, group

app = group("The data contract (data/contract.yaml): rules every version of the data keeps to.")


@app.command()
def add(
    columns: list[str] = typer.Argument(..., help="The columns to add rules for."),
    source: Path | None = typer.Option(
        None,
        "--from",
        help="Infer from this .csv or .parquet file instead of the project's raw data.",
    ),
    project: Path = PROJECT,
) -> None:
    """Add a rule for each column, inferred from the data (kind, gaps, range or values)."""
    from mlproj.project import add_contract_rules

    with user_errors():
        added = add_contract_rules(project, columns, source=source)
    for line in added.lines():
        typer.echo(f"+ {line}")
    typer.echo(
        f"Added {len(added.rules)} rule(s) to {added.contract}, inferred from {added.source}"
    )
