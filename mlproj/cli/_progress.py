"""How a command shows its progress: the renderer of the library's events.

In a terminal, each step and each finished DVC stage is a line that stays, and one live line
below them shows what runs now with a spinner, its time and the time in all. Anywhere else (a
pipe, a CI log, `TTY_INTERACTIVE=0`, a dumb terminal) the same lines are printed, one per step
or stage as it comes, with no live line and no escape codes. `--quiet` prints none of them: only
errors and the command's result (the option is `_shared.QUIET`).
"""

from __future__ import annotations

import sys
import time
from types import TracebackType
from typing import TYPE_CHECKING

from mlproj._core.progress import Activity, Detail, Event, StageEnded, StageStarted

if TYPE_CHECKING:
    from rich.console import Console, RenderableType
    from rich.live import Live


class Steps:
    """A `Progress` callback that renders on stdout; a context manager around the work.

    The live line (terminal only) is stopped on the way out, whatever ends the work, so an
    error message or a traceback never lands inside it.
    """

    def __init__(
        self, *, quiet: bool = False, mark: str = "•", console: Console | None = None
    ) -> None:
        from rich.console import Console

        self.console = console or Console(highlight=False, soft_wrap=True)
        self.quiet = quiet
        self.mark = mark  # before each step: `✓` where a step is a check that passed
        self._live: Live | None = None
        self._start = time.monotonic()
        self._now = "Starting"  # what the live line shows
        self._since = self._start

    def __enter__(self) -> Steps:
        if not self.quiet and _interactive(self.console):
            from rich.live import Live

            self._live = Live(
                _Line(self), console=self.console, transient=True, refresh_per_second=8
            )
            self._live.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._live is not None:
            self._live.stop()
            self._live = None

    def __call__(self, event: Event) -> None:
        """Show EVENT: a step or a stage's end as a line that stays; what runs on the live line."""
        if self.quiet:
            return
        from rich.markup import escape

        if isinstance(event, str):  # a step starts
            self._print(f"[green]{self.mark}[/green] {escape(event)}")
            self._show(event)
        elif isinstance(event, Detail):
            self._print(f"  [dim]{escape(event.text)}[/dim]")
        elif isinstance(event, Activity):
            self._show(event.text)
        elif isinstance(event, StageStarted):
            self._show(f"stage {event.name}")
        elif isinstance(event, StageEnded):
            colour = "green" if event.outcome == "done" else "red"
            line = escape(str(event).strip())
            self._print(f"  [{colour}]{line[0]}[/{colour}]{line[1:]}")

    def _print(self, markup: str) -> None:
        self.console.print(markup)

    def _show(self, what: str) -> None:
        self._now = what
        self._since = time.monotonic()


class _Line:
    """The live line: a spinner, what runs, for how long, and the time since the command began."""

    def __init__(self, steps: Steps) -> None:
        from rich.spinner import Spinner

        self._steps = steps
        self._spinner = Spinner("dots", style="cyan")

    def __rich__(self) -> RenderableType:
        from rich.text import Text

        now = time.monotonic()
        steps = self._steps
        line = Text.assemble(
            steps._now,
            (f"  {now - steps._since:.0f} s", "bold"),
            (f"  ({now - steps._start:.0f} s in all)", "dim"),
        )
        self._spinner.update(text=line)  # one line: a grid would end in a line break
        return self._spinner


def _interactive(console: Console) -> bool:
    """Whether a live line may be drawn: both stdout and stderr are a terminal that takes it.

    Rich alone takes FORCE_COLOR (set in many CI systems) to mean a terminal; a log is not one.
    """
    streams = (sys.stdout, sys.stderr)
    return console.is_interactive and all(_isatty(stream) for stream in streams)


def _isatty(stream: object) -> bool:
    try:
        return bool(getattr(stream, "isatty", lambda: False)())
    except ValueError:  # closed
        return False
