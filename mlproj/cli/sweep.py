"""`mlproj sweep`: run the hyper-parameter sweep declared in conf/sweep/default.yaml.

Exit codes: 33 the declared sweep or a --set override is invalid (missing, an unknown
parameter, too many points, a --set value that is a sweep or a swept key); 34 refused
(uncommitted changes, experiments already queued); 6 outside a project; 7 an experiment
failed (the table is written with the others).
"""

from __future__ import annotations

from pathlib import Path

import typer

from mlproj.cli._boundary import user_errors
from mlproj.cli._shared import PROJECT, QUIET


def sweep(
    jobs: int = typer.Option(
        1, "--jobs", "-j", min=1, help="Experiments run at a time (DVC queue workers)."
    ),
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Print the experiments the sweep would queue; queue nothing."
    ),
    commit: bool = typer.Option(
        False, "--commit", help="Commit reports/sweep.csv and reports/sweep.md once written."
    ),
    fixed: list[str] = typer.Option(
        [],
        "--set",
        metavar="KEY=VALUE",
        help="An override every experiment gets, not swept (repeat it): e.g. --set compute=dask "
        "--set compute.address=tcp://HOST:8786 to train on a Dask cluster.",
    ),
    project: Path = PROJECT,
    quiet: bool = QUIET,
) -> None:
    """Queue every point of conf/sweep/default.yaml as a DVC experiment, run them, table them."""
    from mlproj.cli._progress import Steps
    from mlproj.project import open_project
    from mlproj.sweep import read_plan, run_sweep

    with user_errors():
        opened = open_project(project)
        if dry_run:
            plan = read_plan(opened, fixed)
            typer.echo(f"{len(plan.points)} experiments, ranked by {plan.metric}:")
            for command in plan.commands():
                typer.echo("  " + " ".join(command))
            return
    with user_errors(), Steps(quiet=quiet) as steps:
        result = run_sweep(opened, jobs=jobs, commit=commit, fixed=fixed, on_step=steps)
    best = next((row for row in result.rows if row.best), None)
    done = len(result.rows) - len(result.failed)
    typer.echo(
        f"{done} of {len(result.rows)} experiments succeeded"
        + (f"; best by {result.plan.metric}: {best.name}" if best else "")
        + f". Table: {', '.join(str(p.relative_to(opened.root)) for p in result.files)}."
    )
    if result.committed:
        typer.echo("Committed the table.")
    else:
        typer.echo(
            "Commit it, as evidence of how the settings were chosen: "
            "git add reports/sweep.csv reports/sweep.md && git commit -m 'Record the sweep'"
        )
    with user_errors():
        result.check()
