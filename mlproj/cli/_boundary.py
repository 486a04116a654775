"""The one place a library error becomes a message on stderr and an exit code."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import typer

from mlproj.errors import UserError


@dataclass
class _State:
    debug: bool = False


state = _State()


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn a `UserError` into `Error: <message>` and its exit code; `--debug` re-raises."""
    try:
        yield
    except UserError as exc:
        if state.debug:
            raise
        typer.echo(f"Error: {exc}", err=True)
        raise typer.Exit(exc.exit_code) from None
