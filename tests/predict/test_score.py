"""Scoring a batch: what is written beside each row, chunk by chunk, and what refuses a file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from mlproj.errors import CannotWrite, ContractViolation, DataError, OutputExists
from mlproj.predict import predict_file
from mlproj.predict import score as score_module
from mlproj.project.project import open_project
from tests.conftest import listing, write
from tests.toy_project import classifier, make_project, regressor

pytestmark = pytest.mark.usefixtures("forget_toy_package")

BATCH = "id,x,color,note\n1,-2.0,red,007\n2,2.5,blue,\n3,,red,x\n4,1.0,,y\n5,-1.5,blue,z\n"


def batch(tmp_path: Path, text: str = BATCH, name: str = "batch.csv") -> Path:
    return write(tmp_path / "in" / name, text)


def test_each_row_gets_its_prediction_probabilities_and_version(
    project: Path, tmp_path: Path
) -> None:
    path = batch(tmp_path)
    done = predict_file(open_project(project), path, chunk_size=2)
    assert done.output == tmp_path / "in" / "batch.predictions.csv"
    assert (done.rows, done.predicted, done.rejected, done.version) == (5, 5, 0, "workspace")
    out = pd.read_csv(done.output, dtype={"note": str})
    assert list(out.columns) == [
        "id", "x", "color", "note", "prediction", "proba_a", "proba_b", "model_version",
    ]  # fmt: skip
    # Columns the contract does not name come through as the text in the file.
    lines = done.output.read_text().splitlines()
    assert lines[1].startswith("1,-2.0,red,007,a,") and lines[2].startswith("2,2.5,blue,,b,")
    frame = pd.read_csv(path)
    model = classifier()
    assert out["prediction"].tolist() == list(model.predict(frame[["x", "color"]]))
    expected = model.predict_proba(frame[["x", "color"]])
    assert out[["proba_a", "proba_b"]].to_numpy() == pytest.approx(expected)
    assert set(out["model_version"]) == {"workspace"}


def test_chunks_give_the_same_file_as_one_read(project: Path, tmp_path: Path) -> None:
    path = batch(tmp_path)
    one = predict_file(open_project(project), path, tmp_path / "one.csv", chunk_size=100)
    many = predict_file(open_project(project), path, tmp_path / "many.csv", chunk_size=1)
    # Probabilities may differ in the last bit with the batch size (vectorised sums); not more.
    pd.testing.assert_frame_equal(pd.read_csv(one.output), pd.read_csv(many.output), rtol=1e-12)


def test_parquet_in_and_out_keep_types_across_chunks(project: Path, tmp_path: Path) -> None:
    frame = pd.read_csv(batch(tmp_path))
    frame.to_parquet(tmp_path / "batch.parquet")
    done = predict_file(open_project(project), tmp_path / "batch.parquet", chunk_size=2)
    assert done.output == tmp_path / "batch.predictions.parquet"
    out = pd.read_parquet(done.output)
    assert len(out) == 5
    assert str(out["id"].dtype) == "int64" and str(out["x"].dtype) == "float64"
    assert out["proba_a"].tolist() == pytest.approx(1 - out["proba_b"])


def test_a_csv_scored_into_parquet(project: Path, tmp_path: Path) -> None:
    done = predict_file(
        open_project(project), batch(tmp_path), tmp_path / "out.parquet", chunk_size=2
    )
    out = pd.read_parquet(done.output)
    assert out["note"].fillna("-").tolist() == ["007", "-", "x", "y", "z"]
    assert out["id"].tolist() == [1, 2, 3, 4, 5]


def test_a_regressor_writes_no_probabilities(tmp_path: Path) -> None:
    root = make_project(tmp_path / "reg", task="regression", model=regressor())
    done = predict_file(open_project(root), batch(tmp_path), tmp_path / "out.csv")
    out = pd.read_csv(done.output)
    assert list(out.columns)[-2:] == ["prediction", "model_version"]
    assert out["prediction"].iloc[0] == pytest.approx(-4.0)


def test_a_row_breaking_the_contract_refuses_the_file_and_writes_nothing(
    project: Path, tmp_path: Path
) -> None:
    text = "id,x,color\n1,-2.0,red\n2,2.5,green\n3,abc,red\n4,1,purple\n"
    path = batch(tmp_path, text)
    before = listing(tmp_path)
    with pytest.raises(ContractViolation) as refused:
        predict_file(open_project(project), path, chunk_size=3)
    assert str(refused.value) == (
        f"{path}: row 2 breaks the data contract: column 'color' is 'green', not one of blue, "
        "red; 1 more row(s) up to row 3 break it too. Fix the rows, or give --skip-invalid to "
        f"set them aside in {tmp_path / 'in' / 'batch.rejects.csv'}."
    )
    assert listing(tmp_path) == before


def test_skip_invalid_writes_the_rows_and_their_reasons_aside(
    project: Path, tmp_path: Path
) -> None:
    text = "id,x,color\n1,-2.0,red\n2,2.5,green\n3,abc,\nx,1,purple\n5,1,red\n"
    done = predict_file(
        open_project(project), batch(tmp_path, text), tmp_path / "out.csv", skip_invalid=True,
        chunk_size=2,
    )  # fmt: skip
    assert (done.rows, done.predicted, done.rejected) == (5, 2, 3)
    assert done.rejects == tmp_path / "batch.rejects.csv"
    assert pd.read_csv(done.output)["id"].tolist() == [1, 5]
    assert done.rejects.read_text() == (
        "row,id,x,color,reasons\n"
        "2,2,2.5,green,\"column 'color' is 'green', not one of blue, red\"\n"
        "3,3,abc,,\"column 'x' holds 'abc', expected numeric\"\n"
        "4,x,1,purple,\"column 'id' holds 'x', expected integer; column 'color' is "
        "'purple', not one of blue, red\"\n"
    )


def test_every_row_rejected_still_gives_both_files(project: Path, tmp_path: Path) -> None:
    path = batch(tmp_path, "id,x,color\n1,9,green\n")
    for out in ("out.csv", "out.parquet"):
        done = predict_file(
            open_project(project), path, tmp_path / out, skip_invalid=True, force=True
        )
        assert (done.predicted, done.rejected) == (0, 1)
        frame = pd.read_csv(done.output) if out.endswith("csv") else pd.read_parquet(done.output)
        assert len(frame) == 0 and "model_version" in frame.columns


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "{path}: the file is empty."),
        ("id,x,color\n", "{path}: the file has a header but no rows."),
        ("id,color\n1,red\n", "{path}: no column 'x', which the model needs."),
        (b"id,x,color\n1,2,caf\xe9\n", "{path}: not UTF-8 text (byte 0xe9 at offset 18); save "
         "it as UTF-8 (e.g. in a spreadsheet: CSV UTF-8)."),
        ("id,x,color,prediction\n1,2,red,a\n",
         "{path}: already has a column 'prediction', which predict adds; rename it."),
        ('id,x,color\n1,2,"red\n', "{path}: not a readable CSV file (Error tokenizing data. C "
         "error: EOF inside string starting at row 1)."),
    ],
    ids=["empty", "header-only", "missing-feature", "latin-1", "clash", "unclosed-quote"],
)  # fmt: skip
def test_a_file_that_cannot_be_scored_is_refused_in_one_line(
    project: Path, tmp_path: Path, text: str | bytes, message: str
) -> None:
    path = batch(tmp_path, text)
    before = listing(tmp_path)
    with pytest.raises(DataError) as refused:
        predict_file(open_project(project), path)
    assert str(refused.value) == message.format(path=path)
    assert listing(tmp_path) == before


def test_a_missing_batch_or_an_unknown_format(project: Path, tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"no such file\.$"):
        predict_file(open_project(project), tmp_path / "nope.csv")
    with pytest.raises(DataError, match=r"unsupported format for the output; name a \.csv"):
        predict_file(open_project(project), batch(tmp_path), tmp_path / "out.json")


def test_an_existing_output_is_kept_unless_forced(project: Path, tmp_path: Path) -> None:
    path = batch(tmp_path)
    out = write(tmp_path / "out.csv", "mine\n")
    with pytest.raises(OutputExists) as refused:
        predict_file(open_project(project), path, out)
    assert str(refused.value) == f"{out} exists; give --force to replace it, or another --output."
    assert out.read_text() == "mine\n"
    predict_file(open_project(project), path, out, force=True)
    assert out.read_text().startswith("id,x,color,note,prediction")


def test_the_batch_itself_is_never_the_output(project: Path, tmp_path: Path) -> None:
    path = batch(tmp_path)
    with pytest.raises(DataError, match="this is the batch itself"):
        predict_file(open_project(project), path, path, force=True)


def test_an_output_in_a_missing_folder_is_made_one_under_a_file_is_refused(
    project: Path, tmp_path: Path
) -> None:
    done = predict_file(open_project(project), batch(tmp_path), tmp_path / "new" / "out.csv")
    assert done.output.is_file()
    blocker = write(tmp_path / "file", "")
    with pytest.raises(CannotWrite) as refused:
        predict_file(open_project(project), batch(tmp_path), blocker / "out.csv")
    assert (
        str(refused.value)
        == f"Cannot write {blocker / 'out.csv'}: {blocker} is a file, not a folder."
    )


def test_an_interrupt_mid_write_leaves_no_output(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = batch(tmp_path)
    real = score_module._scored
    calls = []

    def interrupted(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 2:  # the first chunk is in the temporary file already
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(score_module, "_scored", interrupted)
    before = listing(tmp_path)
    with pytest.raises(KeyboardInterrupt):
        predict_file(open_project(project), path, chunk_size=2, skip_invalid=True)
    assert listing(tmp_path) == before


def test_rows_the_contract_allows_but_the_model_cannot_take(project: Path, tmp_path: Path) -> None:
    contract = project / "data" / "contract.yaml"
    contract.write_text(contract.read_text().replace("[blue, red]", "[blue, green, red]"))
    path = batch(tmp_path, "id,x,color\n1,1.0,red\n2,1.0,green\n3,1.0,red\n")
    before = listing(tmp_path)
    with pytest.raises(DataError) as refused:
        predict_file(open_project(project), path, chunk_size=2)
    assert str(refused.value).startswith(
        f"{path}: the model cannot predict rows 1-2 (ValueError: Found unknown categories"
    )
    assert listing(tmp_path) == before
