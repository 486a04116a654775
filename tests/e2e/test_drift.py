"""`mlproj drift` in a generated project: the held-out split passes, a shifted batch fails."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pandas as pd
import pytest

from mlproj.data.contract import Contract, load_contract, save_contract
from tests.conftest import listing
from tests.e2e.conftest import copy_project, sh

pytestmark = pytest.mark.e2e

FEATURES = [
    "bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g", "year", "island", "sex",
]  # fmt: skip


def test_drift_of_production_batches(penguins: Path, tmp_path: Path) -> None:
    project = copy_project(penguins, tmp_path / "demo")

    # The held-out test split is what production looks like when nothing has changed.
    passed = sh("mlproj", "drift", "data/processed/test.parquet", cwd=project)
    assert "Compared 7 column(s) and the predictions: 0 drifted" in passed.stdout
    assert "• not compared, the model does not use them: species" in passed.stdout
    report = json.loads((project / "reports" / "drift" / "drift.json").read_text())
    assert report["drift"] is False and report["drifted"] == []
    assert sorted(report["columns"]) == sorted(FEATURES)
    assert report["predictions"]["kind"] == "categorical"
    assert "No drift beyond the thresholds." in (project / "reports/drift/drift.html").read_text()

    # Heavier penguins from an island the contract does not know: refused, nothing written.
    batch = pd.read_parquet(project / "data" / "processed" / "test.parquet").drop(columns="species")
    batch["body_mass_g"] *= 1.3
    batch.loc[batch.index[:10], "island"] = "Anvers"
    shifted = tmp_path / "shifted.csv"
    batch.to_csv(shifted, index=False)
    before = listing(project)
    refused = sh("mlproj", "drift", shifted, cwd=project, check=False)
    assert refused.returncode == 4
    lines = refused.stderr.splitlines()
    assert lines[0] == f"Error: {shifted} breaks the data contract in 2 place(s):"
    assert lines[1].startswith("  - column 'island': 10 row(s) break 'allowed [Biscoe, Dream, ")
    assert lines[2].startswith("  - column 'body_mass_g': ")
    assert listing(project) == before

    # Widened in review, the contract lets the batch in; drift says the model never saw it.
    path = project / "data" / "contract.yaml"
    rules = {rule.name: rule for rule in load_contract(path).columns}
    island, mass = rules["island"], rules["body_mass_g"]
    rules["island"] = dataclasses.replace(island, allowed=(*(island.allowed or ()), "Anvers"))
    rules["body_mass_g"] = dataclasses.replace(mass, maximum=10_000.0)
    save_contract(Contract(tuple(rules.values())), path)
    flagged = sh("mlproj", "drift", shifted, cwd=project, check=False)
    assert flagged.returncode == 1
    marked = [line for line in flagged.stdout.splitlines() if line.startswith("✗ ")]
    assert any(line.startswith("✗ body_mass_g: PSI ") for line in marked), flagged.stdout
    island_line = next(line for line in marked if line.startswith("✗ island: "))
    assert island_line.endswith(
        "categories never seen in the reference in 14.5% of rows: 'Anvers'"  # 10 of 69 rows
    )
    report = json.loads((project / "reports" / "drift" / "drift.json").read_text())
    assert {"body_mass_g", "island"} <= set(report["drifted"])
    assert report["columns"]["island"]["unseen"] == ["Anvers"]
    assert flagged.stderr.startswith(
        f"Error: {shifted} drifted from data/processed/train.parquet beyond the thresholds"
    )
