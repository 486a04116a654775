"""`mlproj new NAME`: scaffold a project."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path

import typer

from mlproj.cli._boundary import user_errors
from mlproj.cli._shared import QUIET

# How each platform opens a file from the shell: a hint printed, never run.
_OPENER = {"darwin": "open reports/explain.html", "win32": r"start reports\explain.html"}


class TaskChoice(str, Enum):
    """What the model predicts."""

    classification = "classification"
    regression = "regression"


def new(
    name: str = typer.Argument(..., help="Project name; the folder and package derive from it."),
    output_dir: Path = typer.Option(
        Path("."), "--output-dir", "-o", help="Where the project folder is made."
    ),
    no_input: bool = typer.Option(False, "--no-input", help="Ask nothing; use the defaults."),
    data: Path | None = typer.Option(
        None, "--data", help="Your CSV or Parquet file (default: the Palmer penguins table)."
    ),
    target: str | None = typer.Option(None, "--target", help="The column to predict."),
    task: TaskChoice | None = typer.Option(
        None, "--task", help="Inferred from the target when not given."
    ),
    description: str | None = typer.Option(None, "--description", help="One line about it."),
    author: str | None = typer.Option(None, "--author", help="Who owns the project."),
    email: str | None = typer.Option(None, "--email", help="The owner's email."),
    code_owners: str | None = typer.Option(
        None,
        "--code-owners",
        help="Who must approve changes, for CODEOWNERS: '@alice @org/ml-team' (default: @ and "
        "the email's user name).",
    ),
    remote: str | None = typer.Option(
        None,
        "--remote",
        help="s3://BUCKET/PREFIX: the project's default DVC remote (`mlproj remote`); keys stay "
        "in the environment.",
    ),
    endpoint_url: str | None = typer.Option(
        None, "--endpoint-url", help="With --remote, for non-AWS S3: http://HOST:PORT."
    ),
    no_run: bool = typer.Option(
        False, "--no-run", help="Do not run the pipeline once before the first commit."
    ),
    quiet: bool = QUIET,
) -> None:
    """Create a git + DVC + Hydra project that trains, evaluates and explains a model."""
    from rich.console import Console
    from rich.markup import escape
    from rich.panel import Panel

    from mlproj.cli._progress import Steps
    from mlproj.data.roles import summary
    from mlproj.scaffold.answers import DEFAULTS
    from mlproj.scaffold.new import new_project

    console = Console(highlight=False, soft_wrap=True)
    if not no_input:
        description = description or typer.prompt("Description", default=DEFAULTS["description"])
        author = author or typer.prompt("Author", default=DEFAULTS["author"])
        email = email or typer.prompt("Email", default=DEFAULTS["email"])
    with user_errors(), Steps(quiet=quiet, console=console) as steps:
        created = new_project(
            name,
            output_dir,
            data=data,
            target=target,
            task=task.value if task else None,
            description=description or DEFAULTS["description"],
            author=author or DEFAULTS["author"],
            email=email or DEFAULTS["email"],
            code_owners=code_owners,
            remote=remote,
            endpoint_url=endpoint_url,
            run_pipeline=not no_run,
            on_step=steps,
        )
    if created.warning:
        Console(stderr=True, highlight=False, soft_wrap=True).print(
            f"[yellow]Warning:[/yellow] {escape(created.warning)}"
        )
    profile = created.data
    features = len(profile.numeric) + len(profile.categorical)
    console.print(
        f"{profile.task.capitalize()} of [bold]{escape(profile.target)}[/bold] from {features} "
        f"features ({len(profile.numeric)} numeric, {len(profile.categorical)} categorical)"
    )
    # Columns left out or capped, a line per kind; each one's reason is in conf/data.
    roles = summary([*profile.left_out, *profile.noted])
    if roles:
        console.print("Columns to check (reasons in conf/data/default.yaml, move one to change):")
    for line in roles:
        console.print(f"  [yellow]•[/yellow] {escape(line)}")
    if profile.time_column is not None:
        console.print(
            f"Time column: [bold]{escape(profile.time_column)}[/bold] (the one date column; "
            "evaluate checks how the model ages against it: reports/staleness.json)"
        )
    console.print(f"Pipeline (dvc.yaml): {escape(' → '.join(created.stages))}")
    first = (
        "dvc repro          # nothing to do: the baseline is trained"
        if not no_run
        else f"dvc repro          # the {len(created.stages)} stages above: trains the baseline"
    )
    next_steps = "\n".join(
        [
            f"cd {escape(str(created.path))}",
            first,
            "dvc metrics show",
            "dvc exp run -S model=random_forest",
            "dvc exp show --only-changed",
            *(["mlproj remote push   # data and models to the DVC remote"] if remote else []),
            f"{_OPENER.get(sys.platform, 'xdg-open reports/explain.html')}   # the SHAP report",
            "mlproj flow feature start my-change   # then commit, and `mlproj flow feature finish`",
        ]
    )
    Console(highlight=False).print(
        Panel(next_steps, title=f"Created {created.path.name} on develop", expand=False)
    )
