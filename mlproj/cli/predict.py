"""`mlproj predict`: score a batch file; each row gets its prediction and the model's version.

Exit codes: 4 the batch cannot be read, lacks a column the model needs, or breaks the data
contract (without --skip-invalid); 16 an unknown version or stage, or a model file DVC cannot
get; 24 the output cannot be written; 29 the output exists (without --force); 6 outside a
project; 8 a model holding untrusted types. Nothing is written on any of them.
"""

from __future__ import annotations

from pathlib import Path

import typer

from mlproj.cli._boundary import user_errors
from mlproj.cli._shared import PROJECT, QUIET


def predict(
    batch: Path = typer.Argument(..., help="The rows to score: a .csv or .parquet file."),
    output: Path | None = typer.Option(
        None,
        "--output",
        "-o",
        help="Where to write them, .csv or .parquet (default: FILE's name + .predictions).",
    ),
    version: str | None = typer.Option(
        None, "--version", help="Score with this registered version (v1.2.0), not the workspace."
    ),
    stage: str | None = typer.Option(
        None, "--stage", help="Score with the version this stage (prod) holds."
    ),
    skip_invalid: bool = typer.Option(
        False,
        "--skip-invalid",
        help="Write rows that break the data contract to the rejects file instead of refusing.",
    ),
    rejects: Path | None = typer.Option(
        None,
        "--rejects",
        help="The rejects file; implies --skip-invalid (default: FILE's stem + .rejects, "
        "beside OUT).",
    ),
    chunk_size: int = typer.Option(
        100_000, "--chunk-size", min=1, help="Rows read, checked and scored at a time."
    ),
    force: bool = typer.Option(
        False, "--force", help="Replace OUT (and the rejects) if they exist."
    ),
    project: Path = PROJECT,
    quiet: bool = QUIET,
) -> None:
    """Score a batch with the workspace model or a registry version, chunk by chunk."""
    from mlproj.cli._progress import Steps
    from mlproj.predict import predict_file
    from mlproj.project.project import open_project

    if version is not None and stage is not None:
        raise typer.BadParameter("give --version or --stage, not both.", param_hint="--stage")
    with user_errors(), Steps(quiet=quiet) as steps:
        done = predict_file(
            open_project(project),
            batch,
            output,
            which=version or stage,
            skip_invalid=skip_invalid or rejects is not None,
            rejects=rejects,
            chunk_size=chunk_size,
            force=force,
            on_step=steps,
        )
    typer.echo(f"Wrote {done.predicted:,} prediction(s) to {done.output} ({done.version}).")
    if done.rejects is not None:
        typer.echo(
            f"Set aside {done.rejected:,} row(s) that break the data contract: {done.rejects}"
        )
