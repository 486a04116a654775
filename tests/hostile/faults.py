"""Faults a test can inflict on a folder: a full disk, a read-only file system, a hostile file.

A full disk is a small tmpfs and a read-only folder a read-only bind mount, so both need root
(permission bits do not stop root); without it the tests that need them are skipped. Every
mount is undone on the way out of its `with` block, even when the test fails.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


def _mount(args: list[str]) -> None:
    done = subprocess.run(["mount", *args], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"cannot mount here: {done.stderr.strip()}")


def _unmount(point: Path) -> None:
    subprocess.run(["umount", str(point)], capture_output=True, check=False)


@contextmanager
def full_disk(point: Path, size: str = "64k", *, fill: bool = False) -> Iterator[Path]:
    """POINT (made) as a fresh tmpfs of SIZE; with FILL, full to its last byte."""
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    point.mkdir(parents=True, exist_ok=True)
    _mount(["-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(point)])
    try:
        if fill:
            fill_up(point)
        yield point
    finally:
        _unmount(point)


def fill_up(folder: Path) -> None:
    """Write into FOLDER until its file system is full (a hidden file, left for the test)."""
    with (folder / ".filler").open("wb", buffering=0) as handle:
        block = b"\0" * 4096
        try:
            while handle.write(block):
                pass
        except OSError:
            pass
        try:  # the last bytes, a block would not fit
            while handle.write(b"\0"):
                pass
        except OSError:
            pass


@contextmanager
def read_only(folder: Path) -> Iterator[Path]:
    """FOLDER bind-mounted over itself, read-only, for the duration."""
    if os.geteuid() != 0:
        pytest.skip("a read-only bind mount needs root (permission bits do not stop root)")
    _mount(["--bind", str(folder), str(folder)])
    try:
        _mount(["-o", "remount,bind,ro", str(folder)])
        yield folder
    finally:
        _unmount(folder)


def snapshot(*folders: Path) -> dict[str, tuple[int, int]]:
    """Every path under the folders, with each file's size and modification time.

    A folder's own time is left out: a temporary file made and removed inside it moves it.
    """
    state: dict[str, tuple[int, int]] = {}
    for folder in folders:
        for path in [folder, *folder.rglob("*")]:
            info = path.lstat()
            is_folder = path.is_dir() and not path.is_symlink()
            state[str(path)] = (0, 0) if is_folder else (info.st_size, info.st_mtime_ns)
    return state
