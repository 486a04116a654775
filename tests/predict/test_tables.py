"""Chunks in and out: rows keep their place in the file, Parquet keeps one schema."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest

from mlproj.data.contract import contract_from_yaml
from mlproj.errors import ContractViolation, DataError
from mlproj.predict import predict_file
from mlproj.predict.tables import TableWriter, read_chunks
from mlproj.project.project import open_project
from tests.conftest import write

pytestmark = pytest.mark.usefixtures("forget_toy_package")

CONTRACT = contract_from_yaml("columns:\n  x: {kind: numeric, nullable: true}\n")


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_rows_are_labelled_by_their_place_in_the_file(tmp_path: Path, suffix: str) -> None:
    frame = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0, 5.0], "id": ["a", "b", "c", "d", "e"]})
    path = tmp_path / f"t{suffix}"
    frame.to_csv(path, index=False) if suffix == ".csv" else frame.to_parquet(path)
    chunks = list(read_chunks(path, ["x", "id"], CONTRACT, 2))
    assert [list(chunk.index) for chunk in chunks] == [[0, 1], [2, 3], [4]]


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_a_bad_row_in_a_later_chunk_is_named_by_its_row_in_the_file(
    project: Path, tmp_path: Path, suffix: str
) -> None:
    frame = pd.DataFrame({"id": [1, 2, 3, 4, 5], "x": [1.0, 2.0, 3.0, 4.0, 5.0]})
    frame["color"] = ["red", "red", "red", "mauve", "red"]
    path = tmp_path / f"t{suffix}"
    frame.to_csv(path, index=False) if suffix == ".csv" else frame.to_parquet(path)
    with pytest.raises(
        ContractViolation, match=r": row 4 breaks the data contract: column 'color'"
    ):
        predict_file(open_project(project), path, chunk_size=2)


def test_a_column_empty_in_the_first_chunk_is_written_as_text() -> None:
    handle = io.BytesIO()
    writer = TableWriter(handle, "parquet", Path("out.parquet"))
    writer.write(pd.DataFrame({"note": [None, None]}))
    writer.write(pd.DataFrame({"note": ["a", None]}))
    writer.close()
    assert pd.read_parquet(io.BytesIO(handle.getvalue()))["note"].tolist()[2] == "a"


def test_a_column_whose_type_changes_between_chunks_is_refused() -> None:
    writer = TableWriter(io.BytesIO(), "parquet", Path("out.parquet"))
    writer.write(pd.DataFrame({"n": [1.5]}))
    with pytest.raises(DataError, match=r"^out.parquet: a column changed type between chunks"):
        writer.write(pd.DataFrame({"n": ["text"]}))
    writer.discard()


def test_a_damaged_parquet_file_is_refused(project: Path, tmp_path: Path) -> None:
    path = write(tmp_path / "t.parquet", b"PAR1 not really")
    with pytest.raises(DataError, match=r"t\.parquet: not a readable Parquet file \("):
        predict_file(open_project(project), path)


def test_a_refusal_after_a_parquet_chunk_leaves_no_warning_behind(
    project: Path, tmp_path: Path
) -> None:
    path = write(tmp_path / "t.csv", "id,x,color\n1,1.0,red\n2,1.0,mauve\n")
    with pytest.raises(ContractViolation):
        predict_file(open_project(project), path, tmp_path / "out.parquet", chunk_size=1)
    assert not (tmp_path / "out.parquet").exists()
