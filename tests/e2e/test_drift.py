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

    # Heavier penguins from an island the contract does not know: judged, not refused.
    batch = pd.read_parquet(project / "data" / "processed" / "test.parquet").drop(columns="species")
    batch["body_mass_g"] *= 1.3
    batch.loc[batch.index[:10], "island"] = "Anvers"
    shifted = tmp_path / "shifted.csv"
    batch.to_csv(shifted, index=False)
    flagged = sh("mlproj", "drift", shifted, cwd=project, check=False)
    assert flagged.returncode == 17, flagged.stderr
    maximum = load_contract(project / "data" / "contract.yaml").rule("body_mass_g").maximum
    heavy = batch["body_mass_g"] > (maximum or 0)
    outside = int((heavy | (batch["island"] == "Anvers")).sum())
    first = flagged.stdout.splitlines()[0]
    assert first.startswith(f"✗ data contract: {outside} of {len(batch)} rows ("), first
    assert f"body_mass_g above max {maximum:.10g} ({int(heavy.sum())})" in first
    assert "island not in allowed (10)" in first
    marked = [line for line in flagged.stdout.splitlines() if line.startswith("✗ ")]
    assert any(line.startswith("✗ body_mass_g: PSI ") for line in marked), flagged.stdout
    island_line = next(line for line in marked if line.startswith("✗ island: "))
    assert island_line.endswith(
        "categories never seen in the reference in 14.5% of rows: 'Anvers'"  # 10 of 69 rows
    )
    report = json.loads((project / "reports" / "drift" / "drift.json").read_text())
    assert {"body_mass_g", "island"} <= set(report["drifted"])
    assert report["columns"]["island"]["unseen"] == ["Anvers"]
    assert report["out_of_contract"]["rows"] == outside
    assert flagged.stderr.startswith(
        f"Error: {shifted} drifted from data/processed/train.parquet beyond the thresholds"
    )
    assert "outside the data contract (limit: 1%)" in flagged.stderr

    # Widened in review, the contract holds the batch; the drift itself stays.
    path = project / "data" / "contract.yaml"
    rules = {rule.name: rule for rule in load_contract(path).columns}
    island, mass = rules["island"], rules["body_mass_g"]
    rules["island"] = dataclasses.replace(island, allowed=(*(island.allowed or ()), "Anvers"))
    rules["body_mass_g"] = dataclasses.replace(mass, maximum=10_000.0)
    save_contract(Contract(tuple(rules.values())), path)
    widened = sh("mlproj", "drift", shifted, cwd=project, check=False)
    assert widened.returncode == 17
    assert not widened.stdout.startswith("✗ data contract"), widened.stdout
    report = json.loads((project / "reports" / "drift" / "drift.json").read_text())
    assert report["out_of_contract"]["rows"] == 0
    assert {"body_mass_g", "island"} <= set(report["drifted"])

    # A batch without a feature cannot be compared: refused in one line, nothing written.
    missing = tmp_path / "missing.csv"
    batch.drop(columns="island").to_csv(missing, index=False)
    before = listing(project)
    refused = sh("mlproj", "drift", missing, cwd=project, check=False)
    assert refused.returncode == 4
    assert refused.stderr == (
        f"Error: {missing}: cannot be compared with the training data: no column 'island'.\n"
    )
    assert listing(project) == before
