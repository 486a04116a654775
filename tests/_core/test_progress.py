"""Progress events: DVC's stage lines read into stages with their times; a child read as it runs."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from mlproj._core.children import run_child
from mlproj._core.progress import (
    Activity,
    Detail,
    DvcStages,
    Event,
    StageEnded,
    StageStarted,
    repro,
    table_size,
)
from mlproj.errors import CommandFailed

# What `dvc repro` (3.x, not --quiet) writes for a run that skips one stage and runs two.
DVC_OUTPUT = """\
Stage 'params' didn't change, skipping
Running stage 'train':
> python -m demo.stages.train
fitting 200 trees
Updating lock file 'dvc.lock'

Running stage 'evaluate':
> python -m demo.stages.evaluate
Updating lock file 'dvc.lock'
Use `dvc push` to send your updates to remote storage."""


class Clock:
    """A clock that moves one second each time it is read."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        self.now += 1.0
        return self.now


def read(output: str) -> list[Event]:
    events: list[Event] = []
    stages = DvcStages(events.append, clock=Clock())
    for line in output.splitlines():
        stages(line)
    stages.close()
    return events


def test_each_stage_that_runs_is_reported_as_it_starts_and_ends_with_its_time() -> None:
    assert read(DVC_OUTPUT) == [
        StageStarted("train"),
        StageEnded("train", 1.0),
        StageStarted("evaluate"),
        StageEnded("evaluate", 1.0),
    ]


def test_a_stage_ends_when_the_next_starts_or_the_run_ends() -> None:
    events = read("Running stage 'a':\nRunning stage 'b':\n")
    assert events == [
        StageStarted("a"),
        StageEnded("a", 1.0),
        StageStarted("b"),
        StageEnded("b", 1.0),
    ]


def test_a_stage_restored_from_the_run_cache_counts_as_run() -> None:
    line = "Stage 'split' is cached - skipping run, checking out outputs"
    assert read(line + "\nUpdating lock file 'dvc.lock'") == [
        StageStarted("split"),
        StageEnded("split", 1.0),
    ]


def test_a_stage_printing_dvc_like_text_is_not_taken_for_a_stage() -> None:
    assert read("> python -m x\n  Running stage 'fake':\nRunning stage 'x': extra") == []


def test_the_stage_running_when_the_run_fails_ends_failed() -> None:
    events: list[Event] = []
    stages = DvcStages(events.append, clock=Clock())
    stages("Running stage 'explain':")
    stages.close("failed")
    assert events[-1] == StageEnded("explain", 1.0, "failed")
    assert str(events[-1]) == "  ✗ explain         1.0 s"


def test_events_read_as_log_lines() -> None:
    assert str(StageEnded("train", 12.34)) == "  ✓ train          12.3 s"
    assert str(StageEnded("train", 2, "stopped")) == "  ✗ train           2.0 s (stopped)"
    assert str(StageStarted("train")) == "  train …"
    assert str(Detail("x")) == str(Activity("x")) == "  x"


def test_table_size_reads_as_people_read_numbers() -> None:
    assert table_size(1_000_000, 20) == Detail("1,000,000 rows × 20 columns")
    assert table_size(1, 1) == Detail("1 row × 1 column")


# A child that writes a line, then waits until the line has been seen (a file appears).
WAITS_FOR_ITS_READER = """
import sys, time, pathlib
print("first", flush=True)
print("to stderr", file=sys.stderr, flush=True)
seen = pathlib.Path(sys.argv[1])
for _ in range(500):
    if seen.exists():
        break
    time.sleep(0.01)
print("seen" if seen.exists() else "never seen")
"""


def test_a_child_is_read_line_by_line_as_it_runs_and_captured_whole(tmp_path: Path) -> None:
    seen = tmp_path / "seen"
    lines: list[str] = []

    def on_line(line: str) -> None:
        lines.append(line)
        if line == "first":
            seen.touch()

    args = [sys.executable, "-c", WAITS_FOR_ITS_READER, str(seen)]
    result = run_child(args, tmp_path, {"PATH": "/usr/bin:/bin"}, on_line=on_line)
    assert result.returncode == 0
    assert result.stdout == "first\nseen\n"
    assert result.stderr == "to stderr\n"
    assert sorted(lines) == ["first", "seen", "to stderr"]
    assert lines.index("first") < lines.index("seen")


def test_a_streamed_child_still_reads_its_input(tmp_path: Path) -> None:
    args = [sys.executable, "-c", "import sys; print(sys.stdin.read().upper())"]
    lines: list[str] = []
    result = run_child(args, tmp_path, {}, input="hello", on_line=lines.append)
    assert (result.stdout, lines) == ("HELLO\n", ["HELLO"])


# A fake `dvc repro`: runs one stage, then fails in the next as DVC reports a failed command.
FAILS_IN_EVALUATE = """
import sys
print("Running stage 'train':")
print("Updating lock file 'dvc.lock'")
print("Running stage 'evaluate':", flush=True)
print("quality gate failed: min accuracy 0.99 > value 0.95.", file=sys.stderr)
print("ERROR: failed to reproduce 'evaluate': failed to run: python -m demo.stages.evaluate, "
      "exited with 1", file=sys.stderr)
sys.exit(255)
"""


def test_repro_reports_the_stages_and_fails_with_the_stage_s_own_message(tmp_path: Path) -> None:
    events: list[Event] = []
    args = [sys.executable, "-c", FAILS_IN_EVALUATE]
    with pytest.raises(CommandFailed) as caught:
        repro(args, tmp_path, events.append)
    assert str(caught.value).endswith(
        " failed: quality gate failed: min accuracy 0.99 > value 0.95."
    )
    assert [(type(e).__name__, getattr(e, "name", None)) for e in events] == [
        ("StageStarted", "train"),
        ("StageEnded", "train"),
        ("StageStarted", "evaluate"),
        ("StageEnded", "evaluate"),
    ]
    assert isinstance(events[-1], StageEnded) and events[-1].outcome == "failed"
