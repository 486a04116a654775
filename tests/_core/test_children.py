"""Ctrl-C passed on to a child's group: the child stops on its own first, by force only if not."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mlproj._core import children

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="the guard runs on Linux")

# A Python child (as dvc is) under the guard; it says when its handler is in place.
ON_SIGINT = """
import signal, sys, time
signal.signal(signal.SIGINT, lambda *_: sys.exit({code}))
print("ready", flush=True)
time.sleep(30)
"""


def guarded(script: str) -> subprocess.Popen[str]:
    """SCRIPT under the guard, in a group of its own, as `run_child` starts a Python child."""
    process = subprocess.Popen(
        [sys.executable, "-I", str(children.GUARD), sys.executable, "-c", script],
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    assert process.stdout is not None
    assert process.stdout.readline() == "ready\n"
    return process


def test_ctrl_c_reaches_the_child_and_the_guard_waits_for_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(children, "GRACE", 30.0)  # a loaded machine's slow exit is not a failure
    process = guarded(ON_SIGINT.format(code=3))  # stops cleanly, with its own exit code
    children.end_group(process, children.signal.SIGINT)
    assert process.returncode == 3
    assert gone(process)


def test_a_child_deaf_to_ctrl_c_is_terminated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(children, "GRACE", 0.2)
    process = guarded(ON_SIGINT.replace("lambda *_: sys.exit({code})", "signal.SIG_IGN"))
    start = time.monotonic()
    children.end_group(process, children.signal.SIGINT)
    assert time.monotonic() - start < 5  # GRACE, then SIGTERM: not the child's 30 seconds
    assert gone(process)


def gone(process: subprocess.Popen[str]) -> bool:
    """Whether nothing is left of PROCESS's group."""
    try:
        os.killpg(process.pid, 0)
    except ProcessLookupError:
        return True
    return False


# A parent that runs CHILD through `run_child` and is killed with SIGKILL while it runs.
PARENT = """
import sys
from pathlib import Path
from mlproj._core.children import run_child
run_child([sys.argv[1]], Path.cwd(), {"PATH": "/usr/bin:/bin"})
"""


@pytest.mark.parametrize(("name", "finished"), [("git", True), ("dvc", False)])
def test_git_finishes_when_mlproj_is_killed_and_other_children_do_not(
    tmp_path: Path, name: str, finished: bool
) -> None:
    """A git stopped halfway through a switch leaves a tree of two branches: it runs to its end."""
    child = tmp_path / "bin" / name
    child.parent.mkdir()
    child.write_text("#!/bin/sh\necho started > started\nsleep 1\necho done > done\n")
    child.chmod(0o755)
    parent = subprocess.Popen([sys.executable, "-c", PARENT, str(child)], cwd=tmp_path)
    deadline = time.monotonic() + 30
    while not (tmp_path / "started").exists():
        assert time.monotonic() < deadline and parent.poll() is None
        time.sleep(0.01)
    parent.kill()
    parent.wait()
    time.sleep(2)
    assert (tmp_path / "done").exists() is finished


def test_ctrl_c_while_a_child_is_read_line_by_line_stops_its_group(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C lands in mlproj's thread while it waits for a line: the child gets SIGINT too."""
    monkeypatch.setattr(children, "GRACE", 30.0)
    script = ON_SIGINT.format(code=3).replace(
        "sys.exit(3)", "(open('stopped', 'w').close(), sys.exit(3))"
    )
    started: list[int] = []

    def on_line(line: str) -> None:
        assert line == "ready"
        started.append(1)
        raise KeyboardInterrupt  # as the signal handler would, between two lines

    with pytest.raises(KeyboardInterrupt):
        children.run_child([sys.executable, "-c", script], tmp_path, {}, on_line=on_line)
    assert started == [1]
    assert (tmp_path / "stopped").exists()  # it stopped on its own, from SIGINT
