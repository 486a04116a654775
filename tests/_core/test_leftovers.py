"""What a killed run left behind is removed by the next one, and only if its process is gone."""

from __future__ import annotations

import os
from pathlib import Path

from mlproj._core.atomic import write_text
from tests.conftest import listing, write

DEAD = 999_999_999  # above any Linux pid_max: no such process


def test_a_write_removes_the_temporary_file_a_killed_write_left(tmp_path: Path) -> None:
    write(tmp_path / f".params.yaml.{DEAD}.k2j3_x.tmp", "half")
    write(tmp_path / f".params.yaml.{os.getpid()}.k2j3_y.tmp", "a write in progress")
    write(tmp_path / f".other.yaml.{DEAD}.k2j3_z.tmp", "another file's")
    write(tmp_path / ".params.yaml.k2j3_w.tmp", "no pid: not ours to judge")
    write_text(tmp_path / "params.yaml", "a: 1\n")
    assert listing(tmp_path) == [
        f".other.yaml.{DEAD}.k2j3_z.tmp",
        f".params.yaml.{os.getpid()}.k2j3_y.tmp",
        ".params.yaml.k2j3_w.tmp",
        "params.yaml",
    ]
