"""Run a command and, on SIGTERM, end its whole process group: `python -I guard.py ARGS...`.

mlproj starts each Python child under this guard, in a group of its own, and Linux sends the
guard SIGTERM when mlproj dies (see `mlproj._core.children`). The child's own children, such as
the stages of `dvc repro`, are in the same group, so they end too. A SIGINT sent to the group
(mlproj passing on a Ctrl-C) is the child's to act on: the guard lets it pass and waits on, so
the child has its time to stop cleanly. Standard library only: it runs isolated (`-I`), without
mlproj on the path, and must start fast.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from types import FrameType

GRACE = 5.0


class _Terminated(Exception):
    """SIGTERM arrived: interrupts the wait so the group is ended outside the signal handler."""


def _terminated(signum: int, frame: FrameType | None) -> None:
    raise _Terminated


def _ignored(signum: int, frame: FrameType | None) -> None:
    """SIGINT: the child has it too. A handler, not SIG_IGN, which the child would inherit."""


def main(args: list[str]) -> int:
    """Run ARGS; on SIGTERM, SIGTERM the group, give it GRACE seconds, then SIGKILL it."""
    signal.signal(signal.SIGTERM, _terminated)
    signal.signal(signal.SIGINT, _ignored)
    # A blocked signal stays blocked across exec: a parent that blocked these (some test
    # runners and service managers do) would leave the child deaf to the Ctrl-C passed on.
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM})
    child = None
    try:
        child = subprocess.Popen(args)
        code = child.wait()
        return code if code >= 0 else 128 - code  # killed by a signal: the shell's convention
    except _Terminated:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        os.killpg(0, signal.SIGTERM)
        try:
            if child is not None:
                child.wait(GRACE)
        except subprocess.TimeoutExpired:
            pass
        os.killpg(0, signal.SIGKILL)
        return 128 + signal.SIGTERM


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
