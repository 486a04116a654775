"""`mlproj compare-versions`: the primary against its shadow or canary, gated by serve.shadow."""

from __future__ import annotations

import json
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from mlproj.cli import app
from mlproj.deploy.versions import compare_versions
from mlproj.errors import NotEnoughEvidence, VersionsDisagree
from tests.conftest import write
from tests.predictionlog.logs import write_log
from tests.toy_project import make_project

GATES = """\
serve:
  shadow:
    min_agreement: 0.9
    tolerance: 0.0
    max_metric_drop: 0.02
    max_latency_ratio: 2.0
    min_rows: 10
"""


@pytest.fixture
def toy(tmp_path: Path) -> Path:
    project = make_project(tmp_path / "proj")
    params = project / "params.yaml"
    params.write_text(params.read_text() + GATES)
    return project


def shadow_log(
    rows: int, disagree: int = 0, shadow_ms: float = 4.0, role: str = "shadow"
) -> list[tuple[Any, ...]]:
    """ROWS requests of one row, the primary answering 'a', the shadow 'b' on the first DISAGREE."""
    entries: list[tuple[Any, ...]] = []
    for i in range(rows):
        entries.append((f"r{i}", 0, "v1.0.0", "primary", "a", 3.0))
        entries.append((f"r{i}", 0, "v1.1.0", role, "b" if i < disagree else "a", shadow_ms))
    return entries


def test_a_shadow_that_agrees_passes_and_writes_the_report(toy: Path) -> None:
    write_log(toy / "logs" / "predictions", shadow_log(20, disagree=1))
    result = compare_versions(toy).check()
    assert (result.mode, result.compared_rows, result.agreement) == ("shadow", 20, 0.95)
    assert result.primary is not None and result.primary.version == "v1.0.0"
    assert result.candidate is not None and result.candidate.p95_ms == 4.0
    report = json.loads((toy / "reports" / "compare-versions.json").read_text())
    assert report["verdict"] == "pass"
    assert [rule["passed"] for rule in report["rules"]] == [True, None, True]


def test_smoke_requests_are_not_evidence(toy: Path) -> None:
    smoke = [(f"smoke-{entry[0]}", *entry[1:]) for entry in shadow_log(20)]
    write_log(toy / "logs" / "predictions", shadow_log(5) + smoke)
    with pytest.raises(NotEnoughEvidence) as caught:
        compare_versions(toy).check()
    assert str(caught.value) == (
        "v1.1.0 (shadow) against v1.0.0: 5 compared row(s), fewer than "
        "serve.shadow.min_rows = 10; no verdict yet."
    )


def test_a_shadow_that_disagrees_names_each_failed_gate(toy: Path) -> None:
    write_log(toy / "logs" / "predictions", shadow_log(20, disagree=5, shadow_ms=9.0))
    with pytest.raises(VersionsDisagree) as caught:
        compare_versions(toy).check()
    assert str(caught.value) == (
        "v1.1.0 (shadow) against v1.0.0 fails: agreement 0.75 below serve.shadow.min_agreement "
        "0.9; p95 9 ms against 3 ms: ratio 3, above serve.shadow.max_latency_ratio 2."
    )


def test_labels_from_feedback_compare_the_metric(toy: Path) -> None:
    write_log(toy / "logs" / "predictions", shadow_log(20, disagree=1))
    write(
        toy / "labels.csv",
        "request_id,y\n" + "".join(f"r{i},{'a' if i else 'b'}\n" for i in range(4)),
    )
    from mlproj.predictionlog.feedback import record_feedback

    record_feedback(toy, toy / "labels.csv")
    result = compare_versions(toy)
    assert result.primary is not None and result.candidate is not None
    assert (result.primary.labelled, result.primary.metric) == (4, 0.5)
    assert (result.candidate.labelled, result.candidate.metric) == (4, 1.0)
    assert result.rules[1].passed is True


def test_too_few_rows_give_no_verdict(toy: Path) -> None:
    write_log(toy / "logs" / "predictions", shadow_log(5))
    result = compare_versions(toy)
    assert result.verdict == "not enough evidence"
    with pytest.raises(NotEnoughEvidence) as caught:
        result.check()
    assert str(caught.value) == (
        "v1.1.0 (shadow) against v1.0.0: 5 compared row(s), fewer than "
        "serve.shadow.min_rows = 10; no verdict yet."
    )


def test_a_log_without_a_candidate_says_how_to_get_one(toy: Path) -> None:
    write_log(toy / "logs" / "predictions", [("r1", 0, "v1.0.0", "primary", "a", 3.0)])
    result = CliRunner().invoke(app, ["compare-versions", "-p", str(toy)])
    assert result.exit_code == 39
    assert result.output.splitlines()[-1] == (
        "Error: no shadow or canary rows in the prediction log: serve with --shadow VERSION or "
        "--canary VERSION, then compare."
    )


def test_a_canary_is_not_judged_on_agreement(toy: Path) -> None:
    write_log(toy / "logs" / "predictions", shadow_log(12, disagree=12, role="canary"))
    result = compare_versions(toy).check()
    assert (result.mode, result.agreement, result.compared_rows) == ("canary", None, 12)
    assert result.rules[0].detail.startswith("not judged: no row scored by both")


def test_the_window_limits_the_rows_compared(toy: Path) -> None:
    folder = toy / "logs" / "predictions"
    write_log(folder, shadow_log(20, disagree=10), start=datetime(2026, 11, 1, tzinfo=timezone.utc))
    write_log(folder, shadow_log(20))
    assert compare_versions(toy, since=date(2026, 11, 30)).check().agreement == 1.0
    with pytest.raises(VersionsDisagree):
        compare_versions(toy, until=date(2026, 11, 1)).check()


def test_the_command_prints_the_table_and_the_json(toy: Path) -> None:
    write_log(toy / "logs" / "predictions", shadow_log(20))
    result = CliRunner().invoke(app, ["compare-versions", "--since", "2026-11-30", "-p", str(toy)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["version", "rows", "labelled", "balanced_accuracy", "p50", "p95"]
    assert lines[1].split() == ["primary", "v1.0.0", "20", "0", "-", "3", "ms", "3", "ms"]
    assert lines[-1] == f"Verdict: pass. Report: {toy / 'reports' / 'compare-versions.json'}"
    result = CliRunner().invoke(app, ["compare-versions", "--json", "-p", str(toy)])
    assert json.loads(result.output)["verdict"] == "pass"
    result = CliRunner().invoke(app, ["compare-versions", "--since", "30/11", "-p", str(toy)])
    assert result.exit_code == 2
