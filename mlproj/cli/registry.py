"""`mlproj registry`: model versions and stages in git (GTO), model files through DVC.

Exit codes: 16 an unknown version or stage, nothing to roll back, or a file DVC cannot get;
6 outside a project.
"""

from __future__ import annotations

from pathlib import Path

import typer

from mlproj.cli._boundary import user_errors
from mlproj.cli._shared import PROJECT, group

app = group("The model registry: versions made by releases, stages (staging, prod), rollback.")


@app.command()
def show(project: Path = PROJECT) -> None:
    """List registered versions and what each stage holds."""
    from mlproj.flow.registry import current, stages, versions

    with user_errors():
        registered = versions(project)
        held = {stage: current(project, stage) for stage in stages(project)}
    typer.echo(f"versions: {', '.join(registered) or 'none yet (mlproj flow release ...)'}")
    for stage, version in held.items():
        typer.echo(f"{stage}: {version or '-'}")


@app.command()
def assign(
    version: str = typer.Argument(..., help="A registered version, such as v1.2.0."),
    stage: str = typer.Argument(..., help="The stage: staging or prod (see .gto)."),
    project: Path = PROJECT,
) -> None:
    """Put a registered version in a stage (a `model#STAGE#N` tag)."""
    from mlproj.flow.registry import assign as assign_stage

    with user_errors():
        tag = assign_stage(project, version, stage)
    typer.echo(f"{stage} now holds {version} ({tag}). Publish with: git push origin {tag}")


@app.command()
def rollback(
    stage: str = typer.Argument("prod", help="The stage to move back (default: prod)."),
    project: Path = PROJECT,
) -> None:
    """Give a stage back the version it held before its current one."""
    from mlproj.flow.registry import rollback as roll_back

    with user_errors():
        rolled = roll_back(project, stage)
    typer.echo(f"{rolled.stage}: {rolled.was} → {rolled.now}. Publish with: git push origin --tags")
    typer.echo(f"Its model file: mlproj registry get {rolled.stage} --output model.skops")


@app.command()
def get(
    which: str = typer.Argument(..., help="A version (v1.2.0) or a stage (prod)."),
    output: Path = typer.Option(..., "--output", "-o", help="Where to write the model file."),
    project: Path = PROJECT,
) -> None:
    """Write the model file of a version or stage, from DVC, byte for byte as released."""
    from mlproj.flow.registry import fetch

    with user_errors():
        fetched = fetch(project, which, output)
    typer.echo(f"Wrote {fetched.output} ({fetched.size:,} bytes): {fetched.ref}")
