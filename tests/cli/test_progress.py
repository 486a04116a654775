"""How progress is shown: plain lines off a terminal, a live line on one, nothing with --quiet."""

from __future__ import annotations

import io
import re

import pytest
from rich.console import Console

from mlproj._core.progress import Activity, Event, StageEnded, StageStarted, table_size
from mlproj.cli import _progress
from mlproj.cli._progress import Steps

EVENTS: list[Event] = [
    "Reading big.parquet",
    table_size(1_000_000, 20),
    "Running the pipeline once",
    StageStarted("train"),
    Activity("pytest"),
    StageEnded("train", 12.34),
    StageStarted("explain"),
    StageEnded("explain", 3.0, "failed"),
]


def render(*, quiet: bool = False, terminal: bool = False) -> str:
    out = io.StringIO()
    console = Console(file=out, force_terminal=terminal, force_interactive=terminal, width=80)
    with Steps(quiet=quiet, console=console) as steps:
        for event in EVENTS:
            steps(event)
    return out.getvalue()


def test_off_a_terminal_each_step_and_each_stage_that_ended_is_one_plain_line() -> None:
    assert render() == (
        "• Reading big.parquet\n"
        "  1,000,000 rows × 20 columns\n"
        "• Running the pipeline once\n"
        "  ✓ train          12.3 s\n"
        "  ✗ explain         3.0 s\n"
    )


def test_quiet_prints_nothing() -> None:
    assert render(quiet=True) == ""


def test_in_a_terminal_the_same_lines_stay_above_a_live_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(_progress, "_interactive", lambda console: True)
    drawn = render(terminal=True)
    assert "\x1b[?25l" in drawn  # the live line is drawn (the cursor hidden meanwhile)
    shown = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", drawn)
    for text in (
        "• Reading big.parquet\n",
        "1,000,000 rows × 20 columns",
        "✓ train  ",
        "stage explain",
    ):
        assert text in shown


def test_a_pipe_is_not_a_terminal_even_with_force_color(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert not _progress._interactive(Console(file=io.StringIO()))
