"""What every command group shares: the `--project` option and how a group is declared."""

from __future__ import annotations

from pathlib import Path

import typer

PROJECT = typer.Option(Path("."), "--project", "-p", help="The project folder.")
# Rendered by `_progress.Steps`: with it, only errors and the command's result are printed.
QUIET = typer.Option(
    False, "--quiet", "-q", help="Print only errors and the result: no steps, no progress."
)


def group(help: str) -> typer.Typer:
    """A command group that shows its help when called bare, in plain text.

    Plain help: rendering it with rich costs ~120 ms, a third of the start-up budget.
    """
    return typer.Typer(help=help, no_args_is_help=True, rich_markup_mode=None)
