"""`mlproj drift`: compare a production batch with the training data; exit 17 when it drifted.

Exit codes: 0 nothing beyond the thresholds; 17 drift (rows outside the data contract
included); 4 the batch or the reference cannot be read or compared: a feature missing or of
the wrong type (nothing is written); 5 bad thresholds in params.yaml; 6 outside a project;
8 a model holding untrusted types; 1 only for a crash.
"""

from __future__ import annotations

from pathlib import Path

import typer

from mlproj.cli._boundary import user_errors
from mlproj.cli._shared import PROJECT, QUIET


def drift(
    batch: Path = typer.Argument(
        ..., help="The production batch: a .csv or .parquet file, or a folder of .parquet files."
    ),
    reference: Path | None = typer.Option(
        None, "--reference", "-r", help="Compare with this file, not the training split."
    ),
    output_dir: Path | None = typer.Option(
        None,
        "--output-dir",
        "-o",
        help="Folder for drift.json and drift.html (default reports/drift).",
    ),
    project: Path = PROJECT,
    quiet: bool = QUIET,
) -> None:
    """Compare a production batch with the training data, per feature and on predictions."""
    from mlproj.cli._progress import Steps
    from mlproj.drift.check import run_drift

    with user_errors(), Steps(quiet=quiet) as steps:
        run = run_drift(project, batch, reference=reference, output_dir=output_dir, on_step=steps)
    result = run.result
    contract = result.out_of_contract
    if contract.status != "ok":
        typer.echo(f"{'✗' if contract.status == 'drift' else '!'} data contract: {contract.reason}")
    for column in result.compared:
        if column.status != "ok":
            mark = "✗" if column.status == "drift" else "!"
            typer.echo(f"{mark} {column.name}: {'; '.join(column.reasons)}")
    for note in result.notes:
        typer.echo(f"• {note}")
    what = f"{len(result.columns)} column(s)"
    what += " and the predictions" if result.predictions else ""
    outside = f", {contract.rows} row(s) outside the data contract" if contract.rows else ""
    typer.echo(
        f"Compared {what}: {len(result.drifted)} drifted, {len(result.warnings)} warning(s)"
        f"{outside}. Report: {run.html_path}"
    )
    with user_errors():
        result.check(run.html_path)
