"""`mlproj gates check`: every gate on stdout, one `Error:` line and exit 18 when one fails."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from mlproj.cli import app
from tests.conftest import write

runner = CliRunner()

PARAMS = """\
paths: {metrics: metrics.json, reports: reports}
gates:
  min: {accuracy: %s}
  margin: {metric: accuracy, baseline: 0.2}
  max_drop: {accuracy: 0.02}
inclusion: {sensitive: [], metric: accuracy, max_gap: 0.1}
"""


def project(tmp_path: Path, min_accuracy: str) -> Path:
    write(tmp_path / "params.yaml", PARAMS % min_accuracy)
    write(tmp_path / "metrics.json", json.dumps({"accuracy": 0.971, "baseline": {"accuracy": 0.4}}))
    return tmp_path


def test_passing_gates_list_every_result(tmp_path: Path) -> None:
    result = runner.invoke(app, ["gates", "check", "-p", str(project(tmp_path, "0.9"))])
    assert result.exit_code == 0
    assert result.stdout == (
        "✓ min accuracy 0.9 <= value 0.971\n"
        "✓ margin over baseline in accuracy 0.2 <= value 0.571 (model 0.971, baseline 0.4)\n"
        "• max drop: skipped, no release yet (none recorded in last-release.json)\n"
        "• max gap: skipped, no sensitive column declared (inclusion.sensitive)\n"
        "• slice floor/gap: skipped, nothing declared (gates.slices)\n"
        "• feature contribution: skipped, no threshold declared (gates.min_contribution)\n"
        "Quality gates: passed (2 checked, 4 skipped)\n"
    )
    # A check by hand only reads: no DVC output changes behind the pipeline's back.
    assert not (tmp_path / "reports").exists()


def test_the_report_goes_where_output_says(tmp_path: Path) -> None:
    out = tmp_path / "out" / "gates.json"
    result = runner.invoke(
        app, ["gates", "check", "-p", str(project(tmp_path, "0.9")), "-o", str(out)]
    )
    assert result.exit_code == 0
    assert json.loads(out.read_text())["passed"] is True
    assert not (tmp_path / "reports").exists()


def test_a_stage_from_an_older_dvc_yaml_still_writes_its_output(tmp_path: Path) -> None:
    # Projects made before --output run `mlproj gates check` bare as their gates stage.
    args = ["gates", "check", "-p", str(project(tmp_path, "0.9"))]
    result = runner.invoke(app, args, env={"DVC_STAGE": "gates"})
    assert result.exit_code == 0
    assert json.loads((tmp_path / "reports" / "gates.json").read_text())["passed"] is True


def test_a_failing_gate_names_threshold_and_value(tmp_path: Path) -> None:
    result = runner.invoke(app, ["gates", "check", "-p", str(project(tmp_path, "0.999"))])
    assert result.exit_code == 18
    assert result.stdout.splitlines()[0] == "✗ Gate failed: min accuracy 0.999 > value 0.971"
    assert result.stderr == "Error: quality gate failed: min accuracy 0.999 > value 0.971.\n"


def test_a_misspelt_gate_exits_19(tmp_path: Path) -> None:
    write(
        tmp_path / "params.yaml", "paths: {metrics: m.json, reports: r}\ngates: {min: {auc: 1}}\n"
    )
    write(tmp_path / "m.json", json.dumps({"roc_auc": 0.9}))
    result = runner.invoke(app, ["gates", "check", "-p", str(tmp_path)])
    assert result.exit_code == 19
    assert result.stdout == ""
    assert result.stderr == "Error: gates.min.auc: metrics.json has no 'auc' (it has: roc_auc).\n"
    assert not (tmp_path / "r").exists()


def test_outside_a_project(tmp_path: Path) -> None:
    result = runner.invoke(app, ["gates", "check", "-p", str(tmp_path)])
    assert result.exit_code == 6
    assert result.stderr == (
        f"Error: no params.yaml in {tmp_path.resolve()}: run this inside a project made by "
        "`mlproj new`, or give --project DIR.\n"
    )


def test_a_check_where_every_gate_is_skipped_says_nothing_checked(tmp_path: Path) -> None:
    write(tmp_path / "params.yaml", "paths: {metrics: metrics.json, reports: reports}\n")
    write(tmp_path / "metrics.json", json.dumps({"accuracy": 0.971}))
    out = tmp_path / "gates.json"
    result = runner.invoke(app, ["gates", "check", "-p", str(tmp_path), "-o", str(out)])
    assert result.exit_code == 0
    assert result.stdout.splitlines()[-1] == "Quality gates: nothing checked (6 skipped)"
    report = json.loads(out.read_text())
    assert (report["status"], report["passed"], report["checked"], report["skipped"]) == (
        "nothing checked",
        False,
        0,
        6,
    )
