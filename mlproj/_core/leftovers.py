"""Temporary folders named after the process that made them, removed once it is gone.

A command writes into a hidden folder beside its target and renames it into place, removing
the folder if it fails. Only a process killed outright (`kill -9`, the OOM killer, a power cut)
leaves one behind; its name holds that process's id, so the next run can tell it from the
folder of a command still running in parallel, and removes it.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path


def stale_pattern(prefix: str, suffix: str) -> re.Pattern[str]:
    """Names `PREFIX.PID.RANDOM SUFFIX` (regular expressions): the PID is group `pid`."""
    return re.compile(rf"{prefix}\.(?P<pid>\d+)\.[A-Za-z0-9_]+{suffix}")


def stale(folder: Path, pattern: re.Pattern[str]) -> Iterator[Path]:
    """Entries of FOLDER matching PATTERN whose process has ended."""
    try:
        entries = list(folder.iterdir())
    except OSError:
        return
    for entry in entries:
        match = pattern.fullmatch(entry.name)
        if match and not alive(int(match["pid"])):
            yield entry


def remove_stale(folder: Path, pattern: re.Pattern[str]) -> list[Path]:
    """Remove what `stale` finds (best effort: what cannot be removed stays); return it."""
    removed = []
    for entry in stale(folder, pattern):
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)
        removed.append(entry)
    return removed


def alive(pid: int) -> bool:
    """Whether a process PID exists (our own included); one we may not signal still counts."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True
    return True
