"""The feature contribution gate: every feature's ablation drop at least gates.min_contribution."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from mlproj.errors import GateFailed, InvalidGates
from mlproj.gates.check import check_gates, judge
from mlproj.gates.contribution import parse_contributions
from mlproj.gates.settings import GateSettings, gate_settings
from tests.conftest import write

FEATURES: dict[str, Any] = {
    "metric": "balanced_accuracy",
    "sample_rows": 275,
    "features": [
        {"name": "bill", "importance": 0.3, "ablation_drop": 0.17, "cost_ms_per_1k_rows": 0.8},
        {"name": "year", "importance": 0.0, "ablation_drop": 0.0, "cost_ms_per_1k_rows": 0.3},
        {"name": "sex", "importance": 0.02, "ablation_drop": -0.011, "cost_ms_per_1k_rows": 1.0},
    ],
}


def gate(threshold: float | None, features: dict[str, Any] | None = FEATURES) -> tuple[str, str]:
    report = None if features is None else parse_contributions(features, "features.json")
    result = judge(GateSettings(min_contribution=threshold), {}, contributions=report).results[-1]
    assert result.gate == "feature contribution"
    return result.status, result.message


def test_the_gate_is_skipped_until_a_threshold_is_declared() -> None:
    assert gate(None) == (
        "skipped",
        "feature contribution: skipped, no threshold declared (gates.min_contribution)",
    )


def test_features_below_the_threshold_are_named_lowest_first() -> None:
    assert gate(0.01) == (
        "failed",
        "feature contribution 0.01 > value -0.011 "
        "(ablation drop in balanced_accuracy below it: sex -0.011, year 0)",
    )
    with pytest.raises(GateFailed, match=r"below it: sex -0\.011, year 0\)\.$"):
        judge(
            GateSettings(min_contribution=0.01),
            {},
            contributions=parse_contributions(FEATURES, "features.json"),
        ).check()


def test_the_gate_passes_naming_the_lowest_feature() -> None:
    assert gate(-0.02) == (
        "passed",
        "feature contribution -0.02 <= value -0.011 "
        "(every feature's ablation drop in balanced_accuracy; lowest: sex)",
    )


def test_an_undefined_drop_fails_the_gate() -> None:
    features = {"metric": "roc_auc", "features": [{"name": "a", "ablation_drop": None}]}
    assert gate(0.0, features) == (
        "failed",
        "feature contribution 0 > value undefined (ablation drop in roc_auc below it: a undefined)",
    )


def test_a_threshold_must_be_a_number() -> None:
    with pytest.raises(InvalidGates) as caught:
        gate_settings({"gates": {"min_contribution": "some"}})
    assert str(caught.value) == "gates.min_contribution: expected a number, got 'some'"


PARAMS = """\
paths: {metrics: metrics.json, reports: reports}
gates: {min_contribution: 0.0}
"""


def test_check_gates_reads_reports_features_json(tmp_path: Path) -> None:
    write(tmp_path / "params.yaml", PARAMS)
    write(tmp_path / "metrics.json", json.dumps({"accuracy": 0.9}))
    with pytest.raises(InvalidGates) as caught:
        check_gates(tmp_path)
    path = tmp_path / "reports" / "features.json"
    assert str(caught.value) == f"{path} not found: the evaluate stage writes it; run `dvc repro`."
    write(path, json.dumps({"features": "none"}))
    with pytest.raises(InvalidGates, match=r"not a feature report \(no 'features' list\)"):
        check_gates(tmp_path)
    write(path, json.dumps(FEATURES))
    report = check_gates(tmp_path, output=tmp_path / "reports" / "gates.json")
    assert report.results[-1].message.startswith("feature contribution 0 > value -0.011")
    written = json.loads((tmp_path / "reports" / "gates.json").read_text())
    assert written["gates"][-1]["gate"] == "feature contribution"
    assert written["passed"] is False
