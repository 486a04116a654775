"""The incident store: a replace that a kill interrupted is undone by the next write."""

from __future__ import annotations

import os
from pathlib import Path

from mlproj.incidents.store import recover
from tests.conftest import write

DEAD = 999_999_999  # above any Linux pid_max: no such process
HEX = "0123456789abcdef" * 2


def test_an_unfinished_replace_of_an_incident_is_rolled_back(tmp_path: Path) -> None:
    regressions = tmp_path / "tests" / "regressions"
    write(regressions / "INC-1" / "incident.yaml", "new, not yet tracked")
    write(regressions / f".INC-1.{DEAD}.{HEX}.old" / "incident.yaml", "old")
    write(regressions / f".INC-2.{DEAD}.{HEX}.old" / "incident.yaml", "old, new never placed")
    write(regressions / f".INC-3.{DEAD}.{HEX}.new" / "incident.yaml", "half built")
    write(regressions / f".INC-4.{DEAD}.{HEX}.done" / "incident.yaml", "replaced for good")
    write(regressions / "INC-4" / "incident.yaml", "new")
    live = regressions / f".INC-5.{os.getpid()}.{HEX}.old"
    write(live / "incident.yaml", "a replace in progress")
    assert recover(tmp_path) == ["INC-1", "INC-2", "INC-3", "INC-4"]
    assert sorted(p.name for p in regressions.iterdir()) == [live.name, "INC-1", "INC-2", "INC-4"]
    assert (regressions / "INC-1" / "incident.yaml").read_text() == "old"
    assert (regressions / "INC-2" / "incident.yaml").read_text() == "old, new never placed"
    assert (regressions / "INC-4" / "incident.yaml").read_text() == "new"
