"""`mlproj add-regression` and `mlproj regression`: keep production failures from coming back.

Exit codes: 9 a bad incident id, file or expectation; 10 the id exists (give --force);
11 `run` found a fixed incident failing again; 12 `fix` found the incident still failing;
4 rows that break the data contract or cannot be read; 6 outside a project.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from mlproj.cli._boundary import user_errors
from mlproj.cli._shared import PROJECT, QUIET, group

if TYPE_CHECKING:
    from mlproj.incidents.commands import Added
    from mlproj.incidents.flags import ExpectationFlags

app = group("Check every model against the incidents recorded with `mlproj add-regression`.")


def add_regression(
    incident: str | None = typer.Argument(
        None, help="Incident id: letters, digits, '-', '_' and '.', such as INC-42."
    ),
    request_ids: list[str] | None = typer.Argument(
        None,
        metavar="REQUEST_ID",
        help="With --from-log: the ids of logged requests whose rows become the incident.",
        show_default=False,
    ),
    rows: Path | None = typer.Option(None, "--rows", help="CSV of the rows the model failed on."),
    from_log: bool = typer.Option(
        False,
        "--from-log",
        help="Take the rows from the prediction log: the answered rows of each REQUEST_ID "
        "(features only). Their feedback labels are the expectation when every row has one; "
        "otherwise give an expectation option.",
    ),
    expected_column: str | None = typer.Option(
        None, "--expected-column", help="Column holding each row's right label (or value)."
    ),
    expected_label: str | None = typer.Option(
        None, "--expected-label", help="The right label for every row (classification)."
    ),
    expected_value: float | None = typer.Option(
        None, "--expected-value", help="The right value for every row (regression)."
    ),
    tolerance: float | None = typer.Option(
        None, "--tolerance", help="How far a regression prediction may be from the right value."
    ),
    not_label: str | None = typer.Option(
        None, "--not-label", help="The wrong label production gave, for every row."
    ),
    not_label_column: str | None = typer.Option(
        None, "--not-label-column", help="Column holding the wrong label production gave."
    ),
    min_probability: str | None = typer.Option(
        None, "--min-probability", help="CLASS=P: the class must get at least probability P."
    ),
    value_range: str | None = typer.Option(
        None, "--range", help="LOW:HIGH bounds every prediction must fall in (regression)."
    ),
    no_error: bool = typer.Option(
        False, "--no-error", help="The model must predict every row without raising."
    ),
    description: str | None = typer.Option(None, "--description", help="What went wrong."),
    link: str | None = typer.Option(None, "--link", help="The incident in your tracker."),
    from_file: Path | None = typer.Option(
        None, "--from-file", help="A YAML or JSON incident file instead of the options above."
    ),
    force: bool = typer.Option(False, "--force", help="Replace an incident with the same id."),
    project: Path = PROJECT,
    quiet: bool = QUIET,
) -> None:
    """Record rows a model failed on, so every later model is checked against them."""
    from mlproj.cli._progress import Steps
    from mlproj.incidents.commands import add_regression as add
    from mlproj.incidents.flags import ExpectationFlags
    from mlproj.incidents.incident import incident_request

    flags = ExpectationFlags(
        expected_column=expected_column,
        expected_label=expected_label,
        expected_value=expected_value,
        not_label=not_label,
        not_label_column=not_label_column,
        min_probability=min_probability,
        range=value_range,
        no_error=no_error,
        tolerance=tolerance,
    )
    with user_errors(), Steps(quiet=quiet) as steps:
        if from_log or request_ids:
            added = _from_log(
                project,
                incident,
                request_ids or [],
                flags,
                from_log,
                rows,
                from_file,
                description=description,
                link=link,
                force=force,
                on_step=steps,
            )
        else:
            request = incident_request(
                incident, rows, flags, description=description, link=link, from_file=from_file
            )
            added = add(project, request, force=force, on_step=steps)
    keeper = "DVC" if added.tracked_by_dvc else "git"
    typer.echo(f"Recorded {added.incident.id} in {added.folder} (rows tracked by {keeper}).")
    if added.result is None:
        typer.echo(
            "No model yet: it is open; `mlproj regression run` checks it once one is trained."
        )
    elif added.result.passed:
        typer.echo(f"The current model passes it: {added.result.verdict.message}")
        typer.echo("It is fixed: any model that fails it from now on is blocked.")
    else:
        typer.echo(f"The current model fails it: {added.result.verdict.message}")
        typer.echo(
            "It is open: reported, not blocking, until "
            f"`mlproj regression fix {added.incident.id}` once a model passes it."
        )


def _from_log(
    project: Path,
    incident: str | None,
    request_ids: list[str],
    flags: ExpectationFlags,
    from_log: bool,
    rows: Path | None,
    from_file: Path | None,
    **options: Any,
) -> Added:
    """`--from-log`: the logged requests recorded as an incident."""
    from mlproj.incidents.fromlog import add_regression_from_log, check_log_options

    incident_id = check_log_options(
        incident, request_ids, from_log=from_log, rows=rows, from_file=from_file
    )
    return add_regression_from_log(project, incident_id, request_ids, flags, **options)


@app.command()
def run(project: Path = PROJECT) -> None:
    """Check the current model against every incident; fail if a fixed one fails again."""
    from mlproj.incidents.commands import run_suite

    with user_errors():
        result = run_suite(project)
    for item in result.results:
        if item.regressed:
            line = f"✗ {item.id} fixed, fails again: {item.verdict.message}"
        elif item.now_passes:
            line = f"✓ {item.id} now passes: mark it fixed with `mlproj regression fix {item.id}`"
        elif item.passed:
            line = f"✓ {item.id} fixed, passes"
        else:
            line = f"• {item.id} open, still fails: {item.verdict.message}"
        typer.echo(line)
    if not result.results:
        typer.echo("No incidents yet; record one with `mlproj add-regression`.")
    else:
        still_open = sum(1 for r in result.results if r.status == "open" and not r.passed)
        typer.echo(
            f"{len(result.results)} incident(s): {sum(r.passed for r in result.results)} pass, "
            f"{still_open} open and failing, {len(result.regressions)} fixed and failing again."
        )
    with user_errors():
        result.check()


@app.command("list")
def list_(project: Path = PROJECT) -> None:
    """Show every incident with its status and latest result."""
    from rich.console import Console
    from rich.table import Table

    from mlproj.incidents.commands import list_incidents

    with user_errors():
        listed = list_incidents(project)
    if not listed:
        typer.echo("No incidents yet; record one with `mlproj add-regression`.")
        return
    table = Table("Incident", "Status", "Last result", "Checked", "Expects", "Description")
    for item in listed:
        last = item.last_result
        result = "-" if last is None else f"{last.passed}/{last.passed + last.failed} rows pass"
        checked = "-" if last is None else last.checked.strftime("%Y-%m-%d %H:%M")
        incident = item.incident
        table.add_row(
            incident.id,
            incident.status,
            result,
            checked,
            incident.expectation.describe(),
            incident.description,
        )
    Console(highlight=False).print(table)


@app.command()
def fix(
    incident: str = typer.Argument(..., help="The id of the incident to mark fixed."),
    project: Path = PROJECT,
) -> None:
    """Mark an incident fixed once the current model passes it; from then on it blocks."""
    from mlproj.incidents.commands import fix_incident

    with user_errors():
        fixed = fix_incident(project, incident)
    if fixed.was == "fixed":
        typer.echo(f"{fixed.incident.id} was already fixed, and the current model still passes it.")
    else:
        typer.echo(f"{fixed.incident.id} is fixed: any model that fails it from now on is blocked.")
