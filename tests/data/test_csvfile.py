"""The CSV byte scan and header reader: chunk edges, offsets, and the header as pandas sees it."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlproj.data.csvfile import CHUNK_BYTES, check_text, read_header
from mlproj.errors import DataError
from tests.conftest import write


@pytest.mark.parametrize(
    ("char", "before_edge"),
    [("é", 1), ("€", 1), ("€", 2), ("😀", 1), ("😀", 3)],
    ids=["2-bytes-cut-1", "3-bytes-cut-1", "3-bytes-cut-2", "4-bytes-cut-1", "4-bytes-cut-3"],
)
def test_a_character_across_a_chunk_edge_is_valid_utf8(
    tmp_path: Path, char: str, before_edge: int
) -> None:
    head = b"a\n" + b"x" * (CHUNK_BYTES - 2 - before_edge)
    path = write(tmp_path / "d.csv", head + (char + "\n").encode())
    check_text(path)  # no error


def test_the_offset_of_a_bad_byte_counts_from_the_start_of_the_file(tmp_path: Path) -> None:
    path = write(tmp_path / "d.csv", b"a\n" + b"x" * (CHUNK_BYTES * 2) + b"\xe9\n")
    with pytest.raises(DataError, match=f"byte 0xe9 at offset {2 + CHUNK_BYTES * 2}\\)"):
        check_text(path)


def test_a_bad_byte_just_after_a_pending_character(tmp_path: Path) -> None:
    # '€' starts two bytes before the edge; the next chunk begins with a byte that is not its tail.
    path = write(tmp_path / "d.csv", b"x" * (CHUNK_BYTES - 2) + b"\xe2\x82" + b"A\n")
    with pytest.raises(DataError, match=f"byte 0xe2 at offset {CHUNK_BYTES - 2}\\)"):
        check_text(path)


def test_the_header_is_the_whole_first_record(tmp_path: Path) -> None:
    names = [f"c{i}" for i in range(5000)]
    path = write(tmp_path / "d.csv", "\n" + ",".join(f'"{n}"' for n in names) + "\n1\n")
    assert read_header(path) == names
