"""A folder of Parquet files is one table: its files in natural order, rows numbered across them."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from mlproj.data.parts import read_frame, table_files
from mlproj.errors import DataError


def test_files_come_in_natural_order_and_hidden_ones_are_left_out(tmp_path: Path) -> None:
    for number in (10, 2, 1):
        pd.DataFrame({"n": [number] * 2}).to_parquet(tmp_path / f"part-{number}.parquet")
    (tmp_path / "_metadata").mkdir()
    pd.DataFrame({"n": [0]}).to_parquet(tmp_path / "_metadata" / "part-0.parquet")
    pd.DataFrame({"n": [0]}).to_parquet(tmp_path / ".part-0.parquet")

    assert [f.name for f in table_files(tmp_path)] == [f"part-{n}.parquet" for n in (1, 2, 10)]
    pd.testing.assert_frame_equal(read_frame(tmp_path), pd.DataFrame({"n": [1, 1, 2, 2, 10, 10]}))


def test_a_folder_without_parquet_files_is_refused_in_one_line(tmp_path: Path) -> None:
    (tmp_path / "raw").mkdir()
    (tmp_path / "raw" / "notes.txt").write_text("nothing here")

    with pytest.raises(DataError) as caught:
        read_frame(tmp_path / "raw")
    assert str(caught.value) == (
        f"{tmp_path / 'raw'}: a folder with no Parquet files; expected part-*.parquet"
    )
