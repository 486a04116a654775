"""`mlproj predict` when the output cannot be finished: a full disk, Ctrl-C half way.

Either way the user finds no output and no temporary file, and the message is one line.
"""

from __future__ import annotations

import signal
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from mlproj.cli import app
from tests.hostile._cli import assert_error_is
from tests.hostile.faults import full_disk
from tests.hostile.test_interrupted import hidden, interrupt_when, launch, mlproj

pytestmark = pytest.mark.usefixtures("forget_toy_package")

runner = CliRunner()


def rows(path: Path, count: int) -> Path:
    rng = np.random.default_rng(3)
    frame = pd.DataFrame(
        {
            "id": np.arange(count),
            "x": rng.normal(0, 1, count).round(3),
            "color": rng.choice(["red", "blue"], count),
        }
    )
    frame.to_csv(path, index=False)
    return path


def test_a_full_disk_half_way_leaves_no_output(project: Path, tmp_path: Path) -> None:
    batch = rows(tmp_path / "batch.csv", 2_500)  # about 200 kB of predictions
    with full_disk(tmp_path / "disk", "128k") as disk:
        out = disk / "out.csv"
        result = runner.invoke(
            app, ["predict", str(batch), "-o", str(out), "--chunk-size", "1000", "-p", str(project)]
        )
        assert_error_is(
            result, 24, f"Cannot write {out}: No space left on device; free some space and run "
            "it again."
        )  # fmt: skip
        assert list(disk.iterdir()) == []


@pytest.mark.slow
@pytest.mark.skipif(sys.platform != "linux", reason="signals and /proc as on Linux")
def test_ctrl_c_half_way_leaves_no_output(project: Path, tmp_path: Path) -> None:
    batch = rows(tmp_path / "batch.csv", 200_000)
    out = tmp_path / "scored"
    command = mlproj("predict", batch, "-o", out / "out.csv", "--chunk-size", "500", "-p", project)
    process = launch(command, tmp_path)
    assert interrupt_when(process, hidden(out, ".out.csv.*.tmp"), signal.SIGINT), "it ended first"
    assert process.returncode == 130, process.stderr.read() if process.stderr else ""
    assert list(out.iterdir()) == []
