"""`mlproj predict`: exit codes and exact messages, as a user sees them."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from mlproj.cli import app
from tests.conftest import listing, write

pytestmark = pytest.mark.usefixtures("forget_toy_package")

runner = CliRunner()


def predict(project: Path, *args: str) -> Result:
    return runner.invoke(app, ["predict", *args, "-p", str(project)])


def test_predictions_are_written_beside_the_batch(project: Path, tmp_path: Path) -> None:
    batch = write(tmp_path / "batch.csv", "id,x,color\n1,-2.0,red\n2,2.0,blue\n")
    result = predict(project, str(batch))
    assert result.exit_code == 0, result.output
    out = tmp_path / "batch.predictions.csv"
    assert result.stdout == f"Wrote 2 prediction(s) to {out} (workspace).\n"
    assert out.read_text().splitlines()[0] == (
        "id,x,color,prediction,proba_a,proba_b,model_version"
    )


def test_rows_set_aside_are_counted(project: Path, tmp_path: Path) -> None:
    batch = write(tmp_path / "batch.csv", "id,x,color\n1,-2.0,red\n2,2.0,green\n")
    result = predict(project, str(batch), "-o", str(tmp_path / "p.parquet"), "--skip-invalid")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[1] == (
        f"Set aside 1 row(s) that break the data contract: {tmp_path / 'batch.rejects.parquet'}"
    )


def test_a_contract_break_exits_4_and_writes_nothing(project: Path, tmp_path: Path) -> None:
    batch = write(tmp_path / "batch.csv", "id,x,color\n1,-2.0,red\n2,2.0,green\n")
    before = listing(tmp_path)
    result = predict(project, str(batch))
    assert result.exit_code == 4
    assert result.stderr == (
        f"Error: {batch}: row 2 breaks the data contract: column 'color' is 'green', not one "
        "of blue, red. Fix the rows, or give --skip-invalid to set them aside in "
        f"{tmp_path / 'batch.rejects.csv'}.\n"
    )
    assert listing(tmp_path) == before


def test_an_existing_output_exits_29(project: Path, tmp_path: Path) -> None:
    batch = write(tmp_path / "batch.csv", "id,x,color\n1,-2.0,red\n")
    out = write(tmp_path / "out.csv", "mine\n")
    result = predict(project, str(batch), "-o", str(out))
    assert result.exit_code == 29
    assert result.stderr == (
        f"Error: {out} exists; give --force to replace it, or another --output.\n"
    )


def test_version_and_stage_together_are_refused(project: Path, tmp_path: Path) -> None:
    result = predict(project, "b.csv", "--version", "v1.0.0", "--stage", "prod")
    assert result.exit_code == 2
    assert "give --version or --stage, not both." in result.stderr


def test_a_version_needs_a_registry(project: Path, tmp_path: Path) -> None:
    batch = write(tmp_path / "batch.csv", "id,x,color\n1,-2.0,red\n")
    result = predict(project, str(batch), "--version", "v1.0.0")
    assert result.exit_code == 16
    assert result.stderr == (
        f"Error: No .gto in {project.resolve()}: this project keeps no model registry.\n"
    )


def test_outside_a_project(tmp_path: Path) -> None:
    result = predict(tmp_path, "b.csv")
    assert result.exit_code == 6


def test_naming_a_rejects_file_sets_rows_aside(project: Path, tmp_path: Path) -> None:
    batch = write(tmp_path / "batch.csv", "id,x,color\n1,-2.0,red\n2,2.0,green\n")
    rejects = tmp_path / "bad" / "rows.csv"
    result = predict(project, str(batch), "--rejects", str(rejects))
    assert result.exit_code == 0, result.output
    assert rejects.read_text().splitlines()[1].startswith("2,2,2.0,green,")
