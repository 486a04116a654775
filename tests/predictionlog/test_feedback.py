"""`mlproj feedback FILE`: labels joined to logged rows, all checked before any is written."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from mlproj.cli import app
from mlproj.errors import DataError
from mlproj.predictionlog.feedback import latest_labels, record_feedback
from tests.conftest import write
from tests.predictionlog.logs import write_log
from tests.toy_project import make_project

LOG = [
    ("r1", 0, "v1.0.0", "primary", "a", 3),
    ("r1", 0, "v1.1.0", "shadow", "a", 4),
    ("r2", 0, "v1.0.0", "primary", "b", 3),
    ("r2", 1, "v1.0.0", "primary", "a", 3),
    ("007", 0, "v1.0.0", "primary", "b", 3),
]


@pytest.fixture
def toy(tmp_path: Path) -> Path:
    project = make_project(tmp_path / "proj")
    write_log(project / "logs" / "predictions", LOG)
    return project


def test_labels_are_joined_by_request_and_row(toy: Path) -> None:
    file = write(toy / "labels.csv", "request_id,row,y\nr1,,a\nr2,1,b\n007,,a\n")
    recorded = record_feedback(toy, file)
    assert (recorded.labels, recorded.requests, recorded.replaced) == (3, 3, 0)
    [part] = recorded.parts
    assert part.parent == toy / "logs" / "feedback" / part.parent.name
    labels = latest_labels(toy / "logs" / "feedback")
    assert labels.values.tolist() == [["r1", 0, "a"], ["r2", 1, "b"], ["007", 0, "a"]]


def test_a_later_label_replaces_the_earlier_one(toy: Path) -> None:
    record_feedback(toy, write(toy / "first.csv", "request_id,label\nr1,a\n"))
    recorded = record_feedback(toy, write(toy / "second.csv", "request_id,label\nr1,b\n"))
    assert recorded.replaced == 1
    assert latest_labels(toy / "logs" / "feedback").values.tolist() == [["r1", 0, "b"]]


def test_parquet_labels_with_numeric_ids_are_read(toy: Path) -> None:
    write_log(toy / "logs" / "predictions", [("12", 0, "v1.0.0", "primary", "a", 3)])
    pd.DataFrame({"request_id": [12], "y": ["b"]}).to_parquet(toy / "labels.parquet")
    assert record_feedback(toy, toy / "labels.parquet").labels == 1


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ("request_id,y\nr9,a\n", "row 1: request 'r9' is not in the prediction log"),
        ("request_id,y\nr2,a\n", "row 1: request 'r2' had 2 rows: give its row (rows 0, 1)"),
        ("request_id,row,y\nr2,5,a\n", "row 1: request 'r2' has no row 5 (rows 0, 1)"),
        (
            "request_id,row,y\nr2,-1,a\n",
            "row 1: row '-1' is not a row number (0 for a request's first row)",
        ),
        ("request_id,y\nr1,c\n", "row 1: label 'c' is not a class of 'y' (a, b)"),
        ("request_id,y\nr1,\n", "row 1: no label"),
        ("request_id,y\n,a\n", "row 1: no request_id"),
        (
            "request_id,y\nr1,a\nr1,b\n",
            "row 2: request 'r1' row 0 is labelled twice (also row 1)",
        ),
        (
            "request_id,y\nr1,a\nx,a\ny,a\nr1,z\n",
            "row 2: request 'x' is not in the prediction log; 2 more row(s) refused too (row 3, 4)",
        ),
    ],
    ids=[
        "unknown",
        "ambiguous",
        "no-such-row",
        "negative",
        "class",
        "empty",
        "no-id",
        "twice",
        "many",
    ],
)
def test_a_bad_row_refuses_the_whole_file(toy: Path, rows: str, message: str) -> None:
    file = write(toy / "labels.csv", rows)
    with pytest.raises(DataError) as caught:
        record_feedback(toy, file)
    assert str(caught.value) == f"{file}: {message}. Nothing was recorded."
    assert not (toy / "logs" / "feedback").exists()


def test_a_file_without_the_columns_is_refused(toy: Path) -> None:
    file = write(toy / "labels.csv", "id,truth\nr1,a\n")
    with pytest.raises(DataError) as caught:
        record_feedback(toy, file)
    assert str(caught.value) == (
        f"{file}: no 'request_id' column (id, truth); feedback needs 'request_id', optionally "
        "'row', and the label as 'y' or 'label'."
    )


def test_regression_labels_must_be_numbers(tmp_path: Path) -> None:
    project = make_project(tmp_path / "proj", task="regression")
    write_log(project / "logs" / "predictions", [("r1", 0, "v1.0.0", "primary", 1.5, 3)])
    file = write(project / "labels.csv", "request_id,y\nr1,tall\n")
    with pytest.raises(DataError) as caught:
        record_feedback(project, file)
    assert str(caught.value) == (
        f"{file}: row 1: label 'tall' is not a number ('y' is numeric). Nothing was recorded."
    )
    write(project / "labels.csv", "request_id,y\nr1,2.5\n")
    record_feedback(project, file)
    assert latest_labels(project / "logs" / "feedback").values.tolist() == [["r1", 0, 2.5]]


def test_an_empty_log_has_nothing_to_join_to(tmp_path: Path) -> None:
    project = make_project(tmp_path / "proj")
    file = write(project / "labels.csv", "request_id,y\nr1,a\n")
    with pytest.raises(DataError) as caught:
        record_feedback(project, file)
    assert str(caught.value) == (
        f"{file}: the prediction log (logs/predictions) holds no request yet; there is nothing "
        "to join labels to."
    )


def test_the_command_says_how_many_labels_it_joined(toy: Path) -> None:
    write(toy / "labels.csv", "request_id,y\nr1,a\n")
    result = CliRunner().invoke(app, ["feedback", str(toy / "labels.csv"), "-p", str(toy)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(
        f"Joined 1 label(s) to 1 logged request(s): {toy / 'logs' / 'feedback'}/date="
    )
    result = CliRunner().invoke(app, ["feedback", str(toy / "nothing.csv"), "-p", str(toy)])
    assert result.exit_code == 4
    assert result.output == f"Error: {toy / 'nothing.csv'}: no such file.\n"
