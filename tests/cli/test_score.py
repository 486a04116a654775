"""`mlproj score`: the same numbers in Markdown and JSON; `--min` exits 35 below it."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mlproj.cli import app
from tests.score.builder import gated_project

runner = CliRunner()


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return gated_project(tmp_path / "p")


def test_markdown_and_json_print_the_same_numbers(project: Path) -> None:
    shown = runner.invoke(app, ["score", str(project)])
    as_json = runner.invoke(app, ["score", str(project), "--json"])
    assert (shown.exit_code, as_json.exit_code) == (0, 0)
    data = json.loads(as_json.stdout)
    sections = dict(re.findall(r"^\| (\w+) \| ([\d.]+) \|$", shown.stdout, re.M))
    assert {k.lower(): float(v) for k, v in sections.items()} == data["sections"]
    rows = re.findall(r"^\| \d+\. .+? \| ([\d.]+) \|", shown.stdout, re.M)
    assert [float(r) for r in rows] == [t["points"] for t in data["tests"]]
    assert shown.stdout.startswith(f"# ML Test Score: {data['final']:g}\n")


def test_min_fails_below_and_passes_at_or_above(project: Path) -> None:
    below = runner.invoke(app, ["score", str(project), "--min", "1"])
    assert below.exit_code == 35
    assert below.stderr == (
        "Error: ML Test Score 0.5 is below the minimum 1: data, monitoring below it "
        "(`mlproj score` lists each test).\n"
    )
    assert runner.invoke(app, ["score", str(project), "--min", "0.5", "--json"]).exit_code == 0


def test_outside_a_project_exits_6(tmp_path: Path) -> None:
    result = runner.invoke(app, ["score", str(tmp_path)])
    assert result.exit_code == 6
    assert result.stderr == (
        f"Error: no params.yaml in {tmp_path.resolve()}: run this inside a project made by "
        "`mlproj new`, or give its folder.\n"
    )


def test_an_unsafe_dvc_lock_exits_28(project: Path) -> None:
    (project / "dvc.lock").write_text("stages: !!python/object:os.system {}\n")
    result = runner.invoke(app, ["score", str(project)])
    assert result.exit_code == 28
    assert result.stderr.startswith("Error: dvc.lock")
