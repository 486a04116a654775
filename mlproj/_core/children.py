"""Child processes that end with mlproj, however mlproj ends.

Each child starts in a process group of its own, so a Ctrl-C typed at the terminal reaches
mlproj alone and mlproj ends the whole group (the child and whatever it started, such as the
stages of `dvc repro`) before it unwinds. On Ctrl-C the group gets SIGINT first, as the
terminal would have sent it, so `dvc repro` stops its stage and exits cleanly (`dvc.lock`
written whole); SIGTERM, then SIGKILL, follow if it is still there seconds later. On Linux the
child also asks the kernel for a SIGTERM when mlproj dies (`PR_SET_PDEATHSIG`), which covers a
`kill -9` that leaves mlproj no time to act. That signal reaches the direct child only, so a
Python child (dvc, pytest, pre-commit), which may start processes of its own, runs under a
small guard that ends its group on SIGTERM.

git is the exception: a git command takes milliseconds, and one stopped halfway through a
`git switch` or `git merge` leaves the working tree half of one branch and half of the other.
A git child is left to finish when mlproj dies, and given GRACE seconds to finish on its own
before it is signalled when mlproj is stopped.

A child may also be read as it runs (`on_line`): two threads read its pipes into a queue and
mlproj's own thread hands each line on, so Ctrl-C and SIGTERM still land where they did, and
the whole text is captured all the same for the error messages.
"""

from __future__ import annotations

import contextlib
import os
import queue
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import IO

# Seconds a group has to exit after SIGINT or SIGTERM (git removes its lock files, dvc records
# the stages it finished) before the next, harder signal.
GRACE = 5.0
_PR_SET_PDEATHSIG = 1
_POSIX = os.name == "posix"

# Started as `python -I guard.py ARGS...`: standard library only, ~40 ms before the child starts.
GUARD = Path(__file__).with_name("guard.py")


def run_child(
    args: Sequence[str],
    cwd: Path,
    env: Mapping[str, str],
    *,
    input: str | None = None,
    on_line: Callable[[str], None] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run ARGS to completion, capturing its text output; end its whole group if we are stopped.

    ON_LINE, if given, gets each line the child writes (stdout or stderr, no line end) as it
    comes, in mlproj's own thread.
    """
    command = list(args)
    finishes_alone = Path(command[0]).name == "git"
    die_with_parent = None if finishes_alone else _die_with_parent()
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
        readers: list[threading.Thread] = []
        try:
            if on_line is None:
                stdout, stderr = process.communicate(input)
            else:
                stdout, stderr = _stream(process, input, on_line, readers)
        except BaseException as stopped:  # Ctrl-C, SIGTERM turned into SystemExit, or a bug
            if finishes_alone:
                with contextlib.suppress(subprocess.TimeoutExpired, KeyboardInterrupt):
                    if readers:  # they drain the pipes
                        process.wait(GRACE)
                    else:
                        process.communicate(timeout=GRACE)
            interrupted = isinstance(stopped, KeyboardInterrupt)
            end_group(process, signal.SIGINT if interrupted else signal.SIGTERM)
            for reader in readers:  # the group is gone: its pipes are at their end
                reader.join(1.0)
            raise
    return subprocess.CompletedProcess(list(args), process.returncode, stdout, stderr)


def _stream(
    process: subprocess.Popen[str],
    input: str | None,
    on_line: Callable[[str], None],
    readers: list[threading.Thread],
) -> tuple[str, str]:
    """Hand each line of PROCESS's output to ON_LINE as it comes; its whole stdout and stderr.

    The pipes are read by threads (READERS, started here) so neither can fill up and stall the
    child; the lines reach ON_LINE here, in the thread a Ctrl-C interrupts.
    """
    lines: queue.Queue[tuple[int, str | None]] = queue.Queue()
    failures: list[BaseException] = []

    def read(index: int, pipe: IO[str]) -> None:
        try:
            for line in pipe:
                lines.put((index, line))
        except (OSError, ValueError) as exc:  # undecodable text; or closed as mlproj stops
            failures.append(exc)
        finally:
            lines.put((index, None))

    assert process.stdout is not None and process.stderr is not None
    for index, pipe in enumerate((process.stdout, process.stderr)):
        readers.append(threading.Thread(target=read, args=(index, pipe), daemon=True))
        readers[-1].start()
    if process.stdin is not None:
        with contextlib.suppress(BrokenPipeError):  # the child did not read it all
            process.stdin.write(input or "")
        with contextlib.suppress(BrokenPipeError):
            process.stdin.close()
    captured: tuple[list[str], list[str]] = ([], [])
    still_open = len(readers)
    while still_open:
        index, line = lines.get()
        if line is None:
            still_open -= 1
            continue
        captured[index].append(line)
        on_line(line.rstrip("\r\n"))
    process.wait()
    if failures:
        raise failures[0]
    return "".join(captured[0]), "".join(captured[1])


def end_group(process: subprocess.Popen[str], first: int = signal.SIGTERM) -> None:
    """Signal the child's group FIRST (SIGINT or SIGTERM), then SIGTERM, GRACE seconds apart.

    Once the child has exited, or the signals have run out, SIGKILL ends whatever is left of
    its group. Another Ctrl-C while it winds down means "now": the group is killed at once.
    """
    if not _POSIX:  # no process groups to signal: the child alone
        process.kill()
        return
    try:
        with contextlib.suppress(ProcessLookupError):  # the whole group is gone
            for sig in dict.fromkeys([first, signal.SIGTERM]):
                os.killpg(process.pid, sig)
                try:
                    process.wait(GRACE)
                    break
                except subprocess.TimeoutExpired:
                    continue
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


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
