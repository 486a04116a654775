"""Atomic writes: all or nothing, and a one-line error where nothing can be written."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from mlproj._core.atomic import write_text
from mlproj.errors import CannotWrite
from tests.conftest import listing, write


def test_replaces_the_old_content_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    target = write(tmp_path / "out" / "report.md", "old\n")
    write_text(target, "new\n")
    assert target.read_text() == "new\n"
    assert listing(tmp_path) == ["out", "out/report.md"]


def test_a_folder_that_cannot_be_made(tmp_path: Path) -> None:
    blocker = write(tmp_path / "file", "a file, not a folder\n")
    with pytest.raises(CannotWrite) as raised:
        write_text(blocker / "report.md", "x\n")
    assert str(raised.value).startswith(f"Cannot write {blocker / 'report.md'}: ")
    assert listing(tmp_path) == ["file"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_folder(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(CannotWrite, match="Permission denied"):
            write_text(folder / "report.md", "x\n")
    finally:
        folder.chmod(0o700)
    assert listing(folder) == []
