"""What long work reports while it runs: its steps, what it read, each DVC stage and its time.

The library calls a `Progress` callback with events and never prints; the command line renders
them (`mlproj.cli._progress`). A plain `str` is a step, said once as it starts ("Reading
big.parquet"); the other events are small values with a `str()` fit for a log line, so a caller
that only prints (the template's hooks) needs to know none of them.
"""

from __future__ import annotations

import re
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from mlproj._core.shell import failure, run


@dataclass(frozen=True)
class Detail:
    """What the step under way found out, said on its line: how many rows and columns."""

    text: str

    def __str__(self) -> str:
        return f"  {self.text}"


@dataclass(frozen=True)
class Activity:
    """What runs now, within a step (`pytest`): shown while it runs, not kept in the log."""

    text: str

    def __str__(self) -> str:
        return f"  {self.text}"


@dataclass(frozen=True)
class StageStarted:
    """DVC started a stage of the pipeline."""

    name: str

    def __str__(self) -> str:
        return f"  {self.name} …"


Outcome = Literal["done", "failed", "stopped"]
MARKS: Mapping[Outcome, str] = {"done": "✓", "failed": "✗", "stopped": "✗"}


@dataclass(frozen=True)
class StageEnded:
    """A stage ended: it ran to its end, or DVC failed in it, or mlproj was stopped in it."""

    name: str
    seconds: float
    outcome: Outcome = "done"

    def __str__(self) -> str:
        stopped = " (stopped)" if self.outcome == "stopped" else ""
        return f"  {MARKS[self.outcome]} {self.name:<12} {self.seconds:6.1f} s{stopped}"


Event = str | Detail | Activity | StageStarted | StageEnded
Progress = Callable[[Event], None]


def ignore(event: Event) -> None:
    """The default callback: nobody is watching."""


def table_size(rows: int, columns: int) -> Detail:
    """The size of a table just read, with thousands separated (1,000,000 rows)."""
    return Detail(f"{rows:,} row{'s' * (rows != 1)} × {columns} column{'s' * (columns != 1)}")


# `dvc repro` (not --quiet) says so as it starts a stage, and when it restores one from its
# run cache instead; it updates dvc.lock as each stage ends.
_STARTED = re.compile(r"^Running stage '(?P<name>.+)':$")
_RESTORED = re.compile(r"^Stage '(?P<name>.+)' is cached - skipping run")
_LOCKED = re.compile(r"^(Updating|Generating) lock file ")


class DvcStages:
    """Reads `dvc repro`'s output a line at a time and reports each stage as it starts and ends.

    A stage ends when DVC writes its lock, or when the next starts, or when the run ends
    (`close`). Stages that did not change are not reported: nothing runs for them.
    """

    def __init__(self, report: Progress, clock: Callable[[], float] = time.monotonic) -> None:
        self._report = report
        self._clock = clock
        self._running: tuple[str, float] | None = None

    def __call__(self, line: str) -> None:
        """Take one line of DVC's output (its stages' own lines are passed over)."""
        started = _STARTED.match(line) or _RESTORED.match(line)
        if started:
            self._end("done")
            self._running = (started["name"], self._clock())
            self._report(StageStarted(started["name"]))
        elif _LOCKED.match(line):
            self._end("done")

    def close(self, outcome: Outcome = "done") -> None:
        """The run is over: the stage still running (if any) ended so."""
        self._end(outcome)

    def _end(self, outcome: Outcome) -> None:
        if self._running is not None:
            name, start = self._running
            self._running = None
            self._report(StageEnded(name, self._clock() - start, outcome))


def repro(
    args: Sequence[str],
    cwd: Path,
    on_step: Progress,
    *,
    env: Mapping[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run a `dvc repro` command line (without --quiet), reporting its stages to ON_STEP.

    Raises as `shell.run` does: `CommandFailed` with the failing stage's last line.
    """
    stages = DvcStages(on_step)
    try:
        result = run(args, cwd, env=env, check=False, on_line=stages)
    except (KeyboardInterrupt, SystemExit):
        stages.close("stopped")
        raise
    stages.close("done" if result.returncode == 0 else "failed")
    if result.returncode != 0:
        raise failure(args, result)
    return result
