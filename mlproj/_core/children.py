"""Child processes that end with mlproj, however mlproj ends.

Each child starts in a process group of its own, so a Ctrl-C typed at the terminal reaches
mlproj alone and mlproj ends the whole group (the child and whatever it started, such as the
stages of `dvc repro`) before it unwinds. On Linux the child also asks the kernel for a SIGTERM
when mlproj dies (`PR_SET_PDEATHSIG`), which covers a `kill -9` that leaves mlproj no time to
act. That signal reaches the direct child only, so a Python child (dvc, pytest, pre-commit),
which may start processes of its own, runs under a small guard that ends its group on SIGTERM.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

# Seconds a group has to exit after SIGTERM (git removes its lock files) before SIGKILL.
GRACE = 5.0
_PR_SET_PDEATHSIG = 1
_POSIX = os.name == "posix"

# Started as `python -I guard.py ARGS...`: standard library only, ~40 ms before the child starts.
GUARD = Path(__file__).with_name("guard.py")


def run_child(
    args: Sequence[str], cwd: Path, env: Mapping[str, str], *, input: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ARGS to completion, capturing its text output; end its whole group if we are stopped."""
    command = list(args)
    die_with_parent = _die_with_parent()
    if command[0] == sys.executable and die_with_parent is not None:
        command = [sys.executable, "-I", str(GUARD), *command]
    with subprocess.Popen(
        command,
        cwd=cwd,
        env=dict(env),
        stdin=subprocess.DEVNULL if input is None else subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=_POSIX,  # its own group (`process_group` is Python 3.11+)
        preexec_fn=die_with_parent,
    ) as process:
        try:
            stdout, stderr = process.communicate(input)
        except BaseException:  # Ctrl-C, SIGTERM turned into SystemExit, or a bug
            end_group(process)
            raise
    return subprocess.CompletedProcess(list(args), process.returncode, stdout, stderr)


def end_group(process: subprocess.Popen[str]) -> None:
    """SIGTERM the child's group, wait GRACE seconds, then SIGKILL whatever is left of it."""
    if not _POSIX:  # no process groups to signal: the child alone
        process.kill()
        return
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            break
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(GRACE)


def _die_with_parent() -> Callable[[], None] | None:
    """A pre-exec hook asking Linux to SIGTERM the child when mlproj dies; None elsewhere."""
    if not sys.platform.startswith("linux"):
        return None
    import ctypes

    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    parent = os.getpid()

    def hook() -> None:
        prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
        if os.getppid() != parent:  # mlproj died before the request was made
            os.kill(os.getpid(), signal.SIGTERM)

    return hook
