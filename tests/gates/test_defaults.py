"""What a report says as a whole, the slice gates, and the margins' allowance for noise."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from mlproj.errors import InvalidGates
from mlproj.gates.check import GateReport, check_gates, failed_gates, judge, verdict
from mlproj.gates.settings import GateSettings, gate_settings
from mlproj.gates.slices import Slice, SliceReport, slices_to_json
from tests.conftest import write

METRICS: dict[str, Any] = {
    "balanced_accuracy": 0.8,
    "baseline": {"balanced_accuracy": 0.5},
    "simple": {"balanced_accuracy": 0.9},
}
SLICED = GateSettings(slice_metric="balanced_accuracy", slice_floor=0.6, slice_max_gap=0.15)


def messages(report: GateReport) -> list[tuple[str, str]]:
    return [(r.status, r.message) for r in report.results]


def islands(*rows: tuple[str, int, float | None], rows_in_test: int | None = 100) -> SliceReport:
    slices = tuple(Slice(v, n, n < 20, {"balanced_accuracy": s}) for v, n, s in rows)
    return SliceReport(min_count=20, columns={"island": slices}, rows=rows_in_test)


def test_a_report_where_every_gate_was_skipped_says_nothing_checked() -> None:
    report = judge(GateSettings(), METRICS)
    assert report.status == "nothing checked"
    data = report.to_json()
    assert (data["status"], data["passed"], data["checked"], data["skipped"]) == (
        "nothing checked",
        False,
        0,
        6,
    )
    assert report.check() is report  # nothing failed: the pipeline goes on, and says so
    assert verdict(r.status for r in report.results) == "nothing checked (6 skipped)"


def test_verdicts_count_what_was_checked_and_skipped() -> None:
    assert verdict(["passed", "skipped", "passed"]) == "passed (2 checked, 1 skipped)"
    assert verdict(["passed", "failed", "skipped"]) == "failed (1 of 2 checked, 1 skipped)"
    assert verdict([]) == "nothing checked (0 skipped)"


def test_no_slice_below_the_floor_or_too_far_below_the_whole() -> None:
    slices = islands(("Biscoe", 40, 0.85), ("Dream", 50, 0.62), ("Torgersen", 9, 0.1))
    assert messages(judge(SLICED, METRICS, slices=slices))[-3:-1] == [
        (
            "passed",
            "slice floor in balanced_accuracy across island 0.6 <= value 0.62 "
            "(Dream 0.62, the worst of 2; left out: Torgersen (tiny))",
        ),
        (
            "failed",
            "slice gap in balanced_accuracy across island 0.15 < value 0.18 "
            "(whole 0.8, Dream 0.62, the worst of 2; left out: Torgersen (tiny))",
        ),
    ]
    low = islands(("Biscoe", 40, 0.85), ("Dream", 50, 0.5))
    result = judge(SLICED, METRICS, slices=low).results[-3]
    assert (result.gate, result.status, result.threshold, result.value) == (
        "slice floor",
        "failed",
        0.6,
        0.5,
    )


def test_tiny_and_undefined_slices_are_never_gated() -> None:
    slices = islands(("Biscoe", 12, 0.1), ("Dream", 30, None))
    assert messages(judge(SLICED, METRICS, slices=slices))[-3:-1] == [
        (
            "skipped",
            "slice floor across island: skipped, no slice of island with 20+ rows and "
            "balanced_accuracy defined",
        ),
        (
            "skipped",
            "slice gap across island: skipped, no slice of island with 20+ rows and "
            "balanced_accuracy defined",
        ),
    ]


def test_slice_gates_with_no_column_declared_are_skipped_and_say_where() -> None:
    empty = SliceReport(min_count=20, columns={}, rows=100)
    assert messages(judge(SLICED, METRICS, slices=empty))[-3:-1] == [
        ("skipped", "slice floor: skipped, no slice column declared (conf/slices columns)"),
        ("skipped", "slice gap: skipped, no slice column declared (conf/slices columns)"),
    ]


def test_a_lower_is_better_slice_metric_is_judged_the_other_way() -> None:
    settings = GateSettings(
        slice_metric="rmse", slice_floor=3.0, lower_is_better=frozenset({"rmse"})
    )
    slices = SliceReport(
        20, {"plan": (Slice("a", 30, False, {"rmse": 2.0}), Slice("b", 30, False, {"rmse": 4.0}))}
    )
    assert messages(judge(settings, {"rmse": 2.5}, slices=slices))[-2] == (
        "failed",
        "slice floor in rmse across plan 3 < value 4 (b 4, the worst of 2)",
    )


def test_margins_are_widened_for_the_noise_of_a_small_test_set() -> None:
    settings = GateSettings(
        margin_metric="balanced_accuracy",
        margins={"baseline": 0.05, "simple": -0.02},
        margin_noise=0.6,
    )
    small = judge(settings, METRICS, slices=islands(rows_in_test=36))
    assert messages(small)[1:3] == [
        (
            "passed",
            "margin over baseline in balanced_accuracy 0 <= value 0.3 "
            "(model 0.8, baseline 0.5; 0.05 less 0.1 for noise on 36 test rows, not below 0)",
        ),
        (
            "passed",
            "margin over simple in balanced_accuracy -0.12 <= value -0.1 "
            "(model 0.8, simple 0.9; -0.02 less 0.1 for noise on 36 test rows)",
        ),
    ]
    large = judge(settings, METRICS, slices=islands(rows_in_test=3600))
    assert messages(large)[2] == (
        "failed",
        "margin over simple in balanced_accuracy -0.03 > value -0.1 "
        "(model 0.8, simple 0.9; -0.02 less 0.01 for noise on 3600 test rows)",
    )
    # A slice report from before the test set's size was recorded: the margin as declared.
    unsized = judge(settings, METRICS, slices=islands(rows_in_test=None))
    assert messages(unsized)[2][1] == (
        "margin over simple in balanced_accuracy -0.02 > value -0.1 (model 0.8, simple 0.9)"
    )


@pytest.mark.parametrize(
    ("gates", "message"),
    [
        ({"slices": {"floor": 0.5}}, "gates.slices.metric: name the metric slices are judged on."),
        ({"slices": {"metric": "r2", "floor": "low"}}, "gates.slices.floor: expected a number, got 'low'"),
        ({"slices": [0.5]}, "gates.slices: expected a mapping, got [0.5]"),
        ({"margin": {"metric": "r2", "noise": -1}}, "gates.margin.noise: expected a number of at least 0, got -1"),
    ],
    ids=["floor-without-metric", "text-floor", "list-not-mapping", "negative-noise"],
)  # fmt: skip
def test_new_settings_are_validated_with_the_key_to_fix(
    gates: dict[str, Any], message: str
) -> None:
    with pytest.raises(InvalidGates) as caught:
        gate_settings({"gates": gates})
    assert str(caught.value) == message


def test_slice_settings_default_to_the_margin_metric() -> None:
    params = {
        "gates": {
            "margin": {"metric": "r2", "noise": 0.6},
            "slices": {"floor": None, "max_gap_below_whole": 0.2},
        }
    }
    settings = gate_settings(params)
    assert (settings.slice_metric, settings.slice_floor, settings.slice_max_gap) == (
        "r2",
        None,
        0.2,
    )
    assert settings.margins == {} and settings.margin_noise == 0.6


def test_check_gates_reads_the_test_set_size_from_the_slice_report(tmp_path: Path) -> None:
    write(
        tmp_path / "params.yaml",
        "paths: {metrics: metrics.json, reports: reports}\n"
        "gates: {margin: {metric: balanced_accuracy, simple: -0.02, noise: 0.6}}\n",
    )
    write(tmp_path / "metrics.json", json.dumps(METRICS))
    write(
        tmp_path / "reports" / "slices.json", json.dumps(slices_to_json(islands(rows_in_test=36)))
    )
    output = tmp_path / "reports" / "gates.json"
    report = check_gates(tmp_path, output=output)
    assert report.results[1].threshold == -0.12
    assert failed_gates(output) == ()
    write(
        tmp_path / "reports" / "slices.json", json.dumps(slices_to_json(islands(rows_in_test=3600)))
    )
    check_gates(tmp_path, output=output)
    assert failed_gates(output) == (
        "margin over simple in balanced_accuracy -0.03 > value -0.1 "
        "(model 0.8, simple 0.9; -0.02 less 0.01 for noise on 3600 test rows)",
    )
    assert failed_gates(tmp_path / "missing.json") == ()


def test_each_slice_gap_is_widened_for_the_noise_of_its_own_rows() -> None:
    settings = GateSettings(slice_metric="balanced_accuracy", slice_max_gap=0.1, margin_noise=0.6)
    # Dream is further below the whole, but on 36 rows; Biscoe, on 400, is the real miss.
    slices = islands(("Biscoe", 400, 0.66), ("Dream", 36, 0.6))
    assert messages(judge(settings, METRICS, slices=slices))[-2] == (
        "failed",
        "slice gap in balanced_accuracy across island 0.13 < value 0.14 (whole 0.8, Biscoe 0.66, "
        "the worst of 2; 0.1 plus 0.03 for noise on 400 rows)",
    )
