"""`mlproj card`: where the card went and what is not written yet; one `Error:` line on a miss."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from mlproj.cli import app
from tests.card.test_write import build_project

runner = CliRunner()


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return build_project(tmp_path)


def test_card_says_where_and_what_is_not_written_yet(project: Path) -> None:
    result = runner.invoke(app, ["card", "-p", str(project)])
    assert result.exit_code == 0
    assert result.stdout == (
        f"Wrote {project / 'MODEL_CARD.md'}\n"
        "• Not written yet in model-card.yaml: out-of-scope uses, limitations, "
        "ethical considerations\n"
    )
    assert (project / "MODEL_CARD.md").read_text().startswith("# Model card: ")


def test_missing_metrics_exit_22(project: Path) -> None:
    (project / "metrics.json").unlink()
    result = runner.invoke(app, ["card", "-p", str(project)])
    assert result.exit_code == 22
    assert result.stderr == (
        f"Error: {project / 'metrics.json'} not found: the pipeline writes it; run `dvc repro`.\n"
    )
    assert not (project / "MODEL_CARD.md").exists()


def test_unknown_notes_field_exit_23(project: Path) -> None:
    (project / "model-card.yaml").write_text("owner: me\n")
    result = runner.invoke(app, ["card", "-p", str(project)])
    assert result.exit_code == 23
    assert result.stderr == (
        "Error: model-card.yaml: unknown field 'owner' (fields: owners, intended_use, "
        "out_of_scope_uses, limitations, ethical_considerations).\n"
    )
