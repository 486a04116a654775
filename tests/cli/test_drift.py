"""`mlproj drift`: exit codes, exact messages, and nothing written when the input is refused."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.stats import chi2_contingency, ks_2samp
from typer.testing import CliRunner, Result

from mlproj.cli import app
from tests.conftest import listing, write
from tests.toy_project import classifier

pytestmark = pytest.mark.usefixtures("forget_toy_package")

runner = CliRunner()


def drift(project: Path, *args: str) -> Result:
    return runner.invoke(app, ["drift", *args, "-p", str(project)])


def training(project: Path) -> pd.DataFrame:
    return pd.read_parquet(project / "data" / "processed" / "train.parquet")


def batch_of(project: Path, path: Path, shift: float = 0.0, rows: int = 200) -> Path:
    """Rows of the training split without the label, as production sends them; X moved by SHIFT."""
    frame = training(project).sample(rows, random_state=1).drop(columns="y")
    frame["x"] += shift
    frame.to_csv(path, index=False)
    return path


def test_a_batch_like_the_training_data_passes(drift_project: Path, tmp_path: Path) -> None:
    result = drift(drift_project, str(batch_of(drift_project, tmp_path / "batch.csv")))
    assert result.exit_code == 0, result.output
    report = drift_project / "reports" / "drift"
    assert result.stdout == (
        "• not compared, the model does not use them: id\n"
        "Compared 2 column(s) and the predictions: 0 drifted, 0 warning(s). "
        f"Report: {report / 'drift.html'}\n"
    )
    assert sorted(p.name for p in report.iterdir()) == ["drift.html", "drift.json"]


def test_a_shifted_batch_fails_with_a_summary(drift_project: Path, tmp_path: Path) -> None:
    path = batch_of(drift_project, tmp_path / "batch.csv", shift=1.5)
    result = drift(drift_project, str(path))
    assert result.exit_code == 17
    lines = result.stdout.splitlines()
    reference, batch = training(drift_project), pd.read_csv(path)
    ks = ks_2samp(reference["x"], batch["x"])
    assert lines[0].startswith("✗ x: PSI ")
    assert lines[0].endswith(f" ≥ 0.25 (KS p = {ks.pvalue:.2g})")
    # The project's model is the toy classifier: its class counts on both, tested independently.
    model = classifier()
    predicted = [model.predict(frame[["x", "color"]]) for frame in (reference, batch)]
    shares = pd.crosstab(
        np.r_[np.zeros(len(reference)), np.ones(len(batch))], np.concatenate(predicted)
    )
    p = chi2_contingency(shares, correction=False).pvalue
    assert lines[1].startswith("✗ predictions: PSI ")
    assert lines[1].endswith(f"(chi-square p = {p:.2g})")
    report = drift_project / "reports" / "drift" / "drift.html"
    assert lines[2:] == [
        "• not compared, the model does not use them: id",
        f"Compared 2 column(s) and the predictions: 2 drifted, 0 warning(s). Report: {report}",
    ]
    assert result.stderr == (
        f"Error: {path} drifted from data/processed/train.parquet beyond the thresholds in "
        f"conf/drift/ (2 of 3 compared): x, predictions; see {report}\n"
    )


def test_reference_and_output_dir_options(drift_project: Path, tmp_path: Path) -> None:
    path = batch_of(drift_project, tmp_path / "batch.csv", shift=1.5)
    result = drift(drift_project, str(path), "--reference", str(path), "-o", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["drift.html", "drift.json"]
    assert not (drift_project / "reports").exists()


def test_a_batch_that_cannot_be_compared_is_refused_and_nothing_written(
    drift_project: Path, tmp_path: Path
) -> None:
    path = write(tmp_path / "batch.csv", "x,color\n1.0,red\nheavy,blue\n0.5,green\n")
    before = listing(drift_project)
    result = drift(drift_project, str(path))
    assert result.exit_code == 4
    assert result.stderr == (
        f"Error: {path}: cannot be compared with the training data: column 'x' holds values "
        "that are not numeric in rows 1 (values 'heavy').\n"
    )
    assert listing(drift_project) == before


def test_a_batch_without_a_model_feature_is_refused(drift_project: Path, tmp_path: Path) -> None:
    path = write(tmp_path / "batch.csv", "x\n1.0\n")
    result = drift(drift_project, str(path))
    assert result.exit_code == 4
    assert result.stderr == (
        f"Error: {path}: cannot be compared with the training data: no column 'color'.\n"
    )


@pytest.mark.parametrize(("outside", "code"), [(2, 0), (3, 17)], ids=["at-the-limit", "past-it"])
def test_rows_outside_the_contract_are_reported_and_gated(
    drift_project: Path, tmp_path: Path, outside: int, code: int
) -> None:
    contract = drift_project / "data" / "contract.yaml"
    contract.write_text(
        contract.read_text().replace("kind: numeric\n", "kind: numeric\n    max: 4\n", 1)
    )
    path = tmp_path / "batch.csv"
    frame = training(drift_project).sample(200, random_state=1).drop(columns="y")
    frame.loc[frame.index[:outside], "x"] = 9.5  # past the training maximum: 2 rows are 1%
    frame.to_csv(path, index=False)
    result = drift(drift_project, str(path))
    assert result.exit_code == code, result.output
    mark, share = ("!", "1%") if code == 0 else ("✗", "1.5%")
    report = drift_project / "reports" / "drift" / "drift.html"
    assert result.stdout.splitlines()[0] == (
        f"{mark} data contract: {outside} of 200 rows ({share}) break the data contract "
        f"(limit: 1%): x above max 4 ({outside})"
    )
    assert result.stdout.splitlines()[-1].endswith(
        f", {outside} row(s) outside the data contract. Report: {report}"
    )
    found = json.loads(report.with_suffix(".json").read_text())["out_of_contract"]
    assert (found["rows"], found["examples"][0]["breaks"]) == (
        outside,
        [{"column": "x", "rule": "above max 4", "value": 9.5}],
    )
    assert "break the data contract" in report.read_text()
    if code:
        assert result.stderr == (
            f"Error: {path} drifted from data/processed/train.parquet beyond the thresholds in "
            f"conf/drift/: 3 of 200 rows (1.5%) outside the data contract (limit: 1%); "
            f"see {report}\n"
        )


def test_an_unreadable_batch_is_refused(drift_project: Path, tmp_path: Path) -> None:
    path = write(tmp_path / "batch.txt", "x,color\n")
    result = drift(drift_project, str(path))
    assert result.exit_code == 4
    assert result.stderr == f"Error: {path}: unsupported format; give a .csv or .parquet file.\n"


def test_without_a_training_split_it_says_how_to_make_one(
    drift_project: Path, tmp_path: Path
) -> None:
    (drift_project / "data" / "processed" / "train.parquet").unlink()
    result = drift(drift_project, str(write(tmp_path / "b.csv", "x,color\n1.0,red\n")))
    assert result.exit_code == 4
    assert result.stderr == (
        "Error: data/processed/train.parquet: the training split is not here; run `dvc repro` "
        "(or `dvc pull`) first, or give --reference FILE.\n"
    )


def test_without_a_model_the_features_are_still_compared(
    drift_project: Path, tmp_path: Path
) -> None:
    (drift_project / "models" / "model.skops").unlink()
    result = drift(drift_project, str(batch_of(drift_project, tmp_path / "batch.csv")))
    assert result.exit_code == 0
    assert result.stdout.splitlines()[:2] == [
        "• predictions not compared: no model at models/model.skops (run `dvc repro`)",
        "• not compared, the model does not use them: id",
    ]
    assert "Compared 2 column(s): 0 drifted" in result.stdout


def test_bad_thresholds_exit_5(drift_project: Path, tmp_path: Path) -> None:
    params = drift_project / "params.yaml"
    params.write_text(params.read_text().replace("psi_fail: 0.25", "psi_fail: high"))
    result = drift(drift_project, str(write(tmp_path / "b.csv", "x,color\n1.0,red\n")))
    assert result.exit_code == 5
    assert result.stderr == f"Error: {params}: drift.psi_fail: 'high' is not a number\n"


def test_outside_a_project(tmp_path: Path) -> None:
    result = drift(tmp_path, str(write(tmp_path / "b.csv", "x\n1\n")))
    assert result.exit_code == 6
    assert result.stderr.startswith(f"Error: no params.yaml in {tmp_path.resolve()}")
