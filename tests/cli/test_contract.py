"""`mlproj contract add`: rules inferred from the data, appended in one write; one-line refusals."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from mlproj.cli import app
from mlproj.data.contract import load_contract
from tests.conftest import write
from tests.toy_project import make_project

runner = CliRunner()

RAW = "id,x,color,y,ratio,band\n1,-2.0,red,a,0.5,low\n2,2.0,blue,b,,high\n3,1.0,red,a,1.5,low\n"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = make_project(tmp_path / "toy")
    write(root / "data" / "raw" / "t.csv", RAW)
    return root


def test_add_infers_each_rule_from_the_raw_data_and_appends_it(project: Path) -> None:
    result = runner.invoke(app, ["contract", "add", "ratio", "band", "-p", str(project)])
    assert result.exit_code == 0, result.output
    contract = project / "data" / "contract.yaml"
    assert result.stdout == (
        "+ ratio: numeric, may be missing, from 0.5 to 1.5\n"
        "+ band: categorical, never missing, allowed high, low\n"
        f"Added 2 rule(s) to {contract}, inferred from {project / 'data/raw/t.csv'}\n"
    )
    rules = load_contract(contract)
    assert rules.names == ["id", "x", "color", "y", "ratio", "band"]
    assert rules.rule("band").allowed == ("high", "low")
    assert contract.read_text().endswith("  band:\n    kind: categorical\n    nullable: false\n"
                                         "    allowed: [high, low]\n")  # fmt: skip


def test_add_reads_another_file_with_from(project: Path, tmp_path: Path) -> None:
    other = write(tmp_path / "new.csv", "ratio\n3\n4\n")
    result = runner.invoke(
        app, ["contract", "add", "ratio", "--from", str(other), "-p", str(project)]
    )
    assert result.exit_code == 0, result.output
    assert load_contract(project / "data" / "contract.yaml").rule("ratio").maximum == 4


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (
            ["nope", "ratio"],
            4,
            "data/raw/t.csv: no column 'nope'; its columns are id, x, color, y, ratio, band.",
        ),
        (
            ["x", "ratio"],
            5,
            "data/contract.yaml already has a rule for 'x': edit it there instead of adding one.",
        ),
        (["ratio", "--from", "missing.csv"], 4, "missing.csv: no such file."),
        (
            ["ratio", "--from", "t.txt"],
            4,
            "t.txt: unsupported format; give a .csv or .parquet file.",
        ),
    ],
    ids=["unknown-column", "rule-exists", "missing-file", "bad-format"],
)
def test_add_refuses_in_one_line_and_writes_nothing(
    project: Path, args: list[str], code: int, message: str
) -> None:
    contract = project / "data" / "contract.yaml"
    before = contract.read_text()
    result = runner.invoke(app, ["contract", "add", *args, "-p", str(project)])
    assert result.exit_code == code
    assert result.stderr.startswith("Error: ") and result.stderr.endswith(f"{message}\n")
    assert result.stderr.count("\n") == 1
    assert contract.read_text() == before
