"""`mlproj review`: the checklist a pull request must tick, and the report it gets.

Exit codes: 14 a required checklist item is unchecked or missing; 5 a bad or stale checklist;
1 a description or event that cannot be read, or a report that cannot be posted.
"""

from __future__ import annotations

import os
from pathlib import Path

import typer

from mlproj.cli._boundary import user_errors
from mlproj.cli._shared import PROJECT, group

app = group("Enforced review: the pull request checklist, and the review report.")


@app.command()
def check(
    body: str | None = typer.Argument(
        None,
        help="A file holding the description, or - for stdin "
        "(default: GITHUB_EVENT_PATH's pull request, else CI_MERGE_REQUEST_DESCRIPTION).",
    ),
    project: Path = PROJECT,
) -> None:
    """Fail unless every required item of review-checklist.yaml is ticked in the description."""
    from mlproj.review.checklist import check_body, load_checklist, read_body

    with user_errors():
        result = check_body(load_checklist(project), read_body(body, os.environ))
    for item in result.checked:
        typer.echo(f"✓ {item.text}")
    for item in result.unchecked:
        typer.echo(f"✗ not ticked: {item.text}")
    for item in result.missing:
        typer.echo(f"✗ missing from the description: {item.text}")
    with user_errors():
        result.check()
    typer.echo(f"All {len(result.checked)} required review items are ticked.")


@app.command()
def render(
    check_only: bool = typer.Option(
        False, "--check", help="Write nothing; fail if a template is out of date (a git hook)."
    ),
    project: Path = PROJECT,
) -> None:
    """Write the GitHub and GitLab request templates from review-checklist.yaml."""
    from mlproj.review.checklist import render_templates

    with user_errors():
        changed = render_templates(project, check=check_only)
    if not check_only:
        for path in changed:
            typer.echo(f"Wrote {path}")
        if not changed:
            typer.echo("The templates are up to date.")


@app.command()
def report(
    base: str = typer.Option(..., "--base", help="The branch, tag or commit to compare with."),
    output: Path | None = typer.Option(
        None, "--output", "-o", help="Write the Markdown here (default: print it)."
    ),
    project: Path = PROJECT,
) -> None:
    """Params, metrics, explanation, contract and incident changes against BASE, as Markdown."""
    from mlproj.review.report import build_report, write_report

    with user_errors():
        if output is None:
            typer.echo(build_report(project, base), nl=False)
        else:
            write_report(project, base, output)
            typer.echo(f"Wrote {output}")


@app.command()
def post(
    report_file: Path = typer.Argument(..., help="The report written by `mlproj review report`."),
) -> None:
    """Post the report on this CI run's pull request, replacing its previous version."""
    from mlproj.review.post import post_report_file

    with user_errors():
        posted = post_report_file(report_file, os.environ)
    verb = "Replaced" if posted.replaced else "Posted"
    typer.echo(f"{verb} the review report on {posted.host}: {posted.url}")
