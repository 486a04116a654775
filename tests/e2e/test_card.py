"""The model card in a generated project: written by `dvc repro`, committed, kept current."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from mlproj._core.text import number
from tests.e2e.conftest import copy_project, sh

pytestmark = pytest.mark.e2e


def ran(output: str) -> list[str]:
    return re.findall(r"Running stage '([^']+)'", output)


def fmt(value: float) -> str:
    return number(value)


def test_the_first_card_states_what_the_pipeline_measured(penguins: Path) -> None:
    card = (penguins / "MODEL_CARD.md").read_text()
    assert sh("git", "ls-files", "MODEL_CARD.md", "model-card.yaml", cwd=penguins).stdout == (
        "MODEL_CARD.md\nmodel-card.yaml\n"
    )
    metrics = json.loads((penguins / "metrics.json").read_text())
    accuracy = [
        metrics["accuracy"],
        metrics["baseline"]["accuracy"],
        metrics["simple"]["accuracy"],
    ]
    assert f"| accuracy | {' | '.join(fmt(v) for v in accuracy)} |" in card
    slices = json.loads((penguins / "reports" / "slices.json").read_text())
    for column in ("island", "sex"):
        assert f"### {column}" in card
        for row in slices["columns"][column]:
            start = f"| {row['value']} | {row['count']} | {fmt(row['metrics']['accuracy'])} |"
            line = next(line for line in card.splitlines() if line.startswith(start))
            assert line.endswith("| tiny |") == row["tiny"]
    gates = json.loads((penguins / "reports" / "gates.json").read_text())
    gap = next(g for g in gates["gates"] if g["gate"] == "max gap in accuracy across sex")
    assert f"- ✓ passed: {gap['message']}" in card.split("## Inclusion")[1]
    top = next(iter(json.loads((penguins / "reports" / "importance.json").read_text())["features"]))
    assert f"| 1 | `{top}` |" in card
    assert "_Not written yet: fill `intended_use` in `model-card.yaml`._" in card
    assert "No incidents recorded in tests/regressions/" in card


def test_an_incident_and_a_note_reach_the_card_on_the_next_repro(
    penguins: Path, tmp_path: Path
) -> None:
    project = copy_project(penguins, tmp_path / "demo")
    table = pd.read_csv(project / "data" / "raw" / "penguins.csv")
    rows = tmp_path / "adelie.csv"
    table[table["species"] == "Adelie"].head(6).to_csv(rows, index=False)
    sh(
        "mlproj", "add-regression", "INC-7", "--rows", rows, "--expected-label", "Gentoo",
        "--description", "Adelie | sold as Gentoo", "--link", "https://tracker/INC-7",
        cwd=project,
    )  # fmt: skip
    notes = project / "model-card.yaml"
    notes.write_text(
        notes.read_text().replace('intended_use: ""', "intended_use: Teaching mlproj.")
    )

    result = sh("dvc", "repro", cwd=project)

    assert ran(result.stdout) == ["regression", "card"]
    card = (project / "MODEL_CARD.md").read_text()
    open_incidents = card.split("### Open (1)")[1].split("### Fixed")[0]
    assert "| [INC-7](https://tracker/INC-7) | " in open_incidents
    assert "| Adelie \\| sold as Gentoo | label = 'Gentoo' | fails 6 of 6 rows |" in open_incidents
    assert "## Intended use\n\nTeaching mlproj.\n" in card
    assert "intended use" not in card.split("## Metrics")[0]
    again = sh("dvc", "repro", cwd=project)
    assert ran(again.stdout) == []
    assert (project / "MODEL_CARD.md").read_text() == card
