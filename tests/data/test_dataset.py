from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from mlproj.data.dataset import default_table, profile, read_table
from mlproj.errors import DataError
from tests.conftest import write


def test_penguins_profile() -> None:
    data = profile(default_table(), "species")
    assert data.task == "classification"
    assert data.classes == ("Adelie", "Chinstrap", "Gentoo")
    assert data.categorical == ("island", "sex")
    assert "body_mass_g" in data.numeric
    assert data.identifiers == ()


def test_identifier_columns_are_left_out() -> None:
    frame = pd.DataFrame(
        {
            "customer_id": ["c1", "c2", "c3", "c4"],
            "row": [10, 11, 12, 13],
            "spend": [1.5, 2.5, 3.5, 4.5],
            "plan": ["a", "b", "a", "b"],
            "churned": [0, 1, 0, 1],
        }
    )
    data = profile(frame, "churned")
    assert data.task == "classification"
    assert data.identifiers == ("customer_id", "row")
    assert data.numeric == ("spend",)
    assert data.categorical == ("plan",)


def test_numeric_target_with_many_values_is_regression() -> None:
    frame = pd.DataFrame({"x": [i % 7 for i in range(50)], "price": [i * 1.37 for i in range(50)]})
    assert profile(frame, "price").task == "regression"


def test_given_task_wins_over_inference() -> None:
    frame = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0], "y": [1, 2, 1, 2]})
    assert profile(frame, "y", "regression").task == "regression"


@pytest.mark.parametrize(
    ("frame", "target", "task", "message"),
    [
        (
            pd.DataFrame({"a": [1, 2]}),
            "b",
            None,
            "d.csv: target column 'b' not found (columns: a).",
        ),
        (
            pd.DataFrame({"a": [1, 2], "y": [None, None]}),
            "y",
            None,
            "d.csv: target column 'y' has no values.",
        ),
        (
            pd.DataFrame({"a": [1, 2], "y": ["x", "x"]}),
            "y",
            None,
            "d.csv: target column 'y' has a single class ('x'); a classifier needs at least two.",
        ),
        (
            pd.DataFrame({"a": [1, 2], "y": ["x", "z"]}),
            "y",
            "regression",
            "d.csv: target column 'y' is not numeric, so it cannot be a regression target; use --task classification.",
        ),
        (
            pd.DataFrame({"a": [1.0, 2.0], "y": [3.5, 3.5]}),
            "y",
            "regression",
            "d.csv: target column 'y' is constant; nothing to learn.",
        ),
    ],
)
def test_unusable_targets(frame: pd.DataFrame, target: str, task: str | None, message: str) -> None:
    with pytest.raises(DataError) as caught:
        profile(frame, target, task, source="d.csv")  # type: ignore[arg-type]
    assert str(caught.value) == message


def test_reads_csv_and_parquet(tmp_path: Path) -> None:
    csv = write(tmp_path / "d.csv", "a,b\n1,x\n2,y\n")
    assert read_table(csv).shape == (2, 2)
    parquet = tmp_path / "d.parquet"
    pd.DataFrame({"a": [1, 2]}).to_parquet(parquet)
    assert read_table(parquet).shape == (2, 1)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("missing.csv", None, "no such file."),
        ("data.txt", "a\n1\n", "unsupported format; give a .csv or .parquet file."),
        ("empty.csv", "", "the file is empty."),
        ("header.csv", "a,b\n", "the file has a header but no rows."),
        (
            "binary.csv",
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
            "a NUL byte at offset 8; a CSV file is text, and this one is binary or damaged "
            "from there on.",
        ),
        (
            "latin.csv",
            "a,b\ncaf\xe9,1\n".encode("latin-1"),
            (
                "not UTF-8 text (byte 0xe9 at offset 7); save it as UTF-8 "
                "(e.g. in a spreadsheet: CSV UTF-8)."
            ),
        ),
        ("dupes.csv", "a,b,a\n1,2,3\n", "duplicate column names: a."),
        ("broken.parquet", b"PAR1 not really", "not a readable Parquet file."),
    ],
)
def test_bad_files(tmp_path: Path, name: str, content: str | bytes | None, message: str) -> None:
    path = tmp_path / name
    if content is not None:
        write(path, content)
    with pytest.raises(DataError) as caught:
        read_table(path)
    assert str(caught.value) == f"{path}: {message}"


def test_folder_instead_of_file(tmp_path: Path) -> None:
    folder = tmp_path / "data.csv"
    folder.mkdir()
    with pytest.raises(DataError) as caught:
        read_table(folder)
    assert str(caught.value) == f"{folder}: a folder, not a file."
