"""`mlproj update`: bring a project to the installed template, merging the user's changes.

Exits 0 when updated or already up to date; `UpdateConflicts` when conflicts are left to
resolve; `UpdateRefused` when it cannot start (docs/reference/exit-codes.md has the codes).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from mlproj.cli._boundary import user_errors

if TYPE_CHECKING:
    from mlproj.scaffold.update import Question, UpdateResult


def update(
    project: Path = typer.Option(Path("."), "--project", "-p", help="The project folder."),
    no_input: bool = typer.Option(
        False, "--no-input", help="Ask nothing: questions the template adds take their defaults."
    ),
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Show what would change and conflict; change nothing."
    ),
    template: Path | None = typer.Option(
        None,
        "--template",
        help="Update to this template folder (a team's fork) instead of the installed one.",
    ),
    base: str | None = typer.Option(
        None, "--base", help="The commit of the project's last render, if its history lost it."
    ),
) -> None:
    """Bring the project to this mlproj's template, merging your changes three ways.

    Works on a new branch feature/mlproj-update-X.Y.Z made from develop; conflicts are left
    as an ordinary git merge in progress.
    """
    from mlproj.errors import UpdateConflicts
    from mlproj.scaffold.update import prepare_update, update_project

    with user_errors():
        prepared = prepare_update(project, template=template, base=base, dry_run=dry_run)
        answers = {q.name: q.default if no_input else _ask(q) for q in prepared.questions}
        result = update_project(prepared, answers)
    for line in report(result):
        typer.echo(line)
    if result.conflicts and not result.dry_run:
        count = len(result.conflicts)
        with user_errors():
            raise UpdateConflicts(
                f"{count} file{'s' if count > 1 else ''} in conflict on {result.branch}: "
                "resolve, `git add` and `git commit` (or `git merge --abort`)."
            )


def _ask(question: Question) -> str:
    suffix = f" ({', '.join(question.choices)})" if question.choices else ""
    return str(typer.prompt(f"{question.prompt}{suffix}", default=question.default))


def report(result: UpdateResult) -> list[str]:
    """The lines `mlproj update` prints: where it stands, then each file by what became of it."""
    name = result.project.name
    if result.up_to_date and result.pending_on_branch:
        short = result.branch.removeprefix("feature/")
        return [
            f"Already updated on {result.branch}: finish it with "
            f"`mlproj flow feature finish {short}`."
        ]
    if result.up_to_date:
        return [f"Already up to date: {name} has the template of mlproj {result.version_to}."]
    verb = "Would update" if result.dry_run else "Updating"
    lines = [
        f"{verb} {name} from the template of mlproj {result.version_from} to "
        f"{result.version_to}, on {result.branch} (from develop).",
        f"Base: {result.base.description}.",
    ]
    for key, value in result.answers.items():
        lines.append(f"New answer: {key} = {value}")
    statuses = [change.status for change in result.changes]
    summary = ", ".join(
        f"{statuses.count(status)} {status}"
        for status in ("added", "modified", "deleted")
        if status in statuses
    )
    lines.append(f"Template changes: {len(result.changes)} files ({summary}).")
    # Modified is the usual case; an added or deleted file is said to be.
    notes = {c.path: f" ({c.status})" for c in result.changes if c.status != "modified"}
    for title, paths in (
        ("Taken from the template", result.taken),
        ("Merged with your changes", result.merged),
        ("Kept deleted (you deleted them; the template changed them)", result.kept_deleted),
        ("Conflicts", result.conflicts),
        ("Re-rendered from review-checklist.yaml", result.rerendered),
        ("Written by mlproj (the pinned environment CI installs)", result.written),
    ):
        if paths:
            lines.append(f"{title} ({len(paths)}):")
            lines.extend(f"  {path}{notes.get(path, '')}" for path in paths)
    if result.dry_run:
        lines.append("Dry run: nothing was changed.")
    elif result.conflicts:
        lines.append(
            "Resolve the conflicts (`git status` lists them), `git add` them and `git commit`; "
            "`git merge --abort` gives up."
        )
    elif result.committed:
        short = result.branch.removeprefix("feature/")
        lines.append(
            f"Committed {result.committed[:7]} on {result.branch}. Review it, run `dvc repro` "
            f"and the tests, then `mlproj flow feature finish {short}`."
        )
    return lines
