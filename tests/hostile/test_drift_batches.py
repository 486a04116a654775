"""Hostile production batches through `mlproj drift`: judged or refused in one line, never a crash.

A batch is whatever production sent: missing or extra columns, text in numbers, encodings,
NUL bytes, formulas, infinities. What cannot be compared (a feature missing, text in a number,
an unreadable file) is refused and writes no report; values outside the contract are judged.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from statistics import NormalDist

import pytest
from typer.testing import CliRunner

from mlproj.cli import app
from tests.toy_project import make_drift_project

pytestmark = pytest.mark.usefixtures("forget_toy_package")

runner = CliRunner()
HEADER = "id,x,color\n"

# id, the batch's bytes, exit code, a part of the message that names what is wrong
REFUSED: list[tuple[str, bytes, int, str]] = [
    ("missing-column", b"id,x\n1,0.5\n", 4, "no column 'color'"),
    ("text-in-a-number", (HEADER + "1,abc,red\n").encode(), 4, "'x' holds values that are not"),
    ("empty-file", b"", 4, "the file is empty."),
    ("header-only", HEADER.encode(), 4, "the file has a header but no rows."),
    ("nul-byte", (HEADER + "1,0.5,re\0d\n").encode(), 4, "a NUL byte at offset 19"),
    ("latin-1", (HEADER + "1,0.5,caf\xe9\n").encode("latin-1"), 4, "not UTF-8 text"),
    ("utf-16", (HEADER + "1,0.5,red\n").encode("utf-16"), 4, "UTF-16"),
    (
        "infinity",
        (HEADER + "1,inf,red\n2,-inf,blue\n").encode(),
        4,
        "the model cannot predict these rows",
    ),
    (
        "overflow",
        (HEADER + "1,1e308,red\n2,1e309,blue\n").encode(),
        4,
        "the model cannot predict these rows",
    ),
    ("duplicate-columns", b"id,x,x,color\n1,0.5,0.6,red\n", 4, "duplicate column names: x."),
    ("quoted-newline-header", b'id,"x\ny",color\n1,0.5,red\n', 4, "line break"),
]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_drift_project(tmp_path_factory.mktemp("drift") / "proj")


@pytest.fixture
def project(built: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(built, tmp_path / "proj"))


def drift(project: Path, batch: Path) -> tuple[int, str, Path]:
    out = project / "reports" / "drift"
    result = runner.invoke(app, ["drift", str(batch), "-p", str(project), "-o", str(out)])
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stderr, out


@pytest.mark.parametrize(
    ("data", "code", "part"), [c[1:] for c in REFUSED], ids=[c[0] for c in REFUSED]
)
def test_a_hostile_batch_is_refused_naming_it(
    project: Path, tmp_path: Path, data: bytes, code: int, part: str
) -> None:
    batch = tmp_path / "batch.csv"
    batch.write_bytes(data)
    exit_code, stderr, out = drift(project, batch)
    assert exit_code == code, stderr
    assert stderr.startswith(f"Error: {batch}"), stderr
    assert part in stderr
    assert not out.exists(), "a refused batch must write no report"


@pytest.mark.parametrize(
    ("where", "message"),
    [
        ("nope.csv", "{path}: no such file."),
        ("folder", "{path}: a folder with no Parquet files; expected part-*.parquet"),
        ("batch.xlsx", "{path}: unsupported format; give a .csv or .parquet file."),
    ],
)
def test_a_batch_that_is_not_a_table(
    project: Path, tmp_path: Path, where: str, message: str
) -> None:
    path = tmp_path / where
    if where == "folder":
        path.mkdir()
    elif where.endswith(".xlsx"):
        path.write_bytes(b"PK\x03\x04")
    exit_code, stderr, out = drift(project, path)
    assert (exit_code, stderr) == (4, f"Error: {message.format(path=path)}\n")
    assert not out.exists()


# id, the batch's bytes, exit code, the report's out-of-contract rows, how its notes begin
JUDGED: list[tuple[str, bytes, int, int, list[str]]] = [
    (
        "formula-category",
        (HEADER + '1,0.5,=HYPERLINK("http://x")\n').encode(),
        17,
        1,
        [
            "predictions not compared: the model cannot predict the batch's rows, all outside "
            "the data contract (ValueError: Found unknown categories",
            "not compared, the model does not use them: id",
        ],
    ),
    (
        "unseen-only",
        (HEADER + "".join(f"{i},0.1,green\n" for i in range(50))).encode(),
        17,
        50,
        [
            "predictions not compared: the model cannot predict the batch's rows, all outside "
            "the data contract (ValueError: Found unknown categories",
            "not compared, the model does not use them: id",
        ],
    ),
    (
        "one-unseen-in-a-hundred",  # the model refuses that row: the others are predicted
        (
            HEADER
            + "".join(
                f"{i},{NormalDist().inv_cdf((i + 0.5) / 99):.3f},{('red', 'blue')[i % 2]}\n"
                for i in range(99)
            )
            + "99,0.5,green\n"
        ).encode(),
        0,
        1,
        [
            "predictions on the batch's rows inside the data contract only: the model cannot "
            "predict the others (ValueError: Found unknown categories",
            "not compared, the model does not use them: id",
        ],
    ),
    (
        "a-wrong-label",  # not a feature: neither compared nor judged
        (HEADER.rstrip() + ",y\n1,0.5,red,zzz\n").encode(),
        0,
        0,
        ["not compared, the model does not use them: id, y"],
    ),
]


@pytest.mark.parametrize(
    ("data", "code", "outside", "notes"), [c[1:] for c in JUDGED], ids=[c[0] for c in JUDGED]
)
def test_values_outside_the_contract_are_judged_not_refused(
    project: Path, tmp_path: Path, data: bytes, code: int, outside: int, notes: list[str]
) -> None:
    batch = tmp_path / "batch.csv"
    batch.write_bytes(data)
    exit_code, stderr, out = drift(project, batch)
    assert exit_code == code, stderr
    report = json.loads((out / "drift.json").read_text())
    assert report["out_of_contract"]["rows"] == outside
    assert len(report["notes"]) == len(notes)
    assert all(note.startswith(start) for note, start in zip(report["notes"], notes, strict=True))


def test_extra_columns_are_named_and_left_out(project: Path, tmp_path: Path) -> None:
    batch = tmp_path / "batch.csv"
    batch.write_text("id,x,color,comment\n" + "".join(f"{i},0.{i % 9},red,ok\n" for i in range(60)))
    exit_code, _, out = drift(project, batch)
    assert exit_code in (0, 17)
    report = json.loads((out / "drift.json").read_text())
    assert "not compared, the model does not use them: id, comment" in report["notes"]
    assert "comment" not in report["columns"]


def test_a_batch_with_every_value_missing_drifts_rather_than_crashes(
    project: Path, tmp_path: Path
) -> None:
    batch = tmp_path / "batch.csv"
    batch.write_text(HEADER + "".join(f"{i},,red\n" for i in range(60)))
    exit_code, stderr, out = drift(project, batch)
    assert exit_code == 17
    assert "drifted from data/processed/train.parquet" in stderr
    assert "): x, color, predictions; see" in stderr
    assert (out / "drift.json").is_file() and (out / "drift.html").is_file()
