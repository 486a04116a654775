"""Quality gates: each kind passes, fails or is skipped with the exact line a user reads."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from mlproj.errors import GateFailed, InvalidGates, NotAProject
from mlproj.flow.releases import Release
from mlproj.gates.check import GateReport, check_gates, judge
from mlproj.gates.settings import GateSettings, gate_settings
from mlproj.gates.slices import Slice, SliceReport
from tests.conftest import git, init_repo, write

METRICS: dict[str, Any] = {
    "accuracy": 0.95,
    "roc_auc": None,
    "baseline": {"accuracy": 0.4},
    "simple": {"accuracy": 0.96},
}
V1 = Release((1, 0, 0), "v1.0.0")


def messages(report: GateReport) -> list[tuple[str, str]]:
    return [(r.status, r.message) for r in report.results]


def sex_slices(female: float, male: float, missing_count: int = 3) -> SliceReport:
    return SliceReport(
        min_count=20,
        columns={
            "sex": (
                Slice("(missing)", missing_count, missing_count < 20, {"accuracy": 0.0}),
                Slice("female", 30, False, {"accuracy": female}),
                Slice("male", 40, False, {"accuracy": male}),
            )
        },
    )


def test_nothing_declared_skips_every_kind_and_says_why() -> None:
    assert messages(judge(GateSettings(), METRICS)) == [
        ("skipped", "min/max: skipped, no threshold declared (gates.min, gates.max)"),
        ("skipped", "margin: skipped, no reference model declared (gates.margin)"),
        ("skipped", "max drop: skipped, nothing declared (gates.max_drop)"),
        ("skipped", "max gap: skipped, no sensitive column declared (inclusion.sensitive)"),
        ("skipped", "slice floor/gap: skipped, nothing declared (gates.slices)"),
        (
            "skipped",
            "feature contribution: skipped, no threshold declared (gates.min_contribution)",
        ),
    ]


def test_thresholds_pass_and_fail_naming_threshold_and_value() -> None:
    settings = GateSettings(minimum={"accuracy": 0.9}, maximum={"accuracy": 0.93})
    assert messages(judge(settings, METRICS))[:2] == [
        ("passed", "min accuracy 0.9 <= value 0.95"),
        ("failed", "max accuracy 0.93 < value 0.95"),
    ]
    impossible = judge(GateSettings(minimum={"accuracy": 0.999}), METRICS)
    assert messages(impossible)[0] == ("failed", "min accuracy 0.999 > value 0.95")
    with pytest.raises(GateFailed) as caught:
        impossible.check()
    assert str(caught.value) == "quality gate failed: min accuracy 0.999 > value 0.95."
    assert caught.value.exit_code == 18


def test_an_undefined_metric_fails_rather_than_passing() -> None:
    report = judge(GateSettings(minimum={"roc_auc": 0.8}), METRICS)
    assert messages(report)[0] == ("failed", "min roc_auc 0.8: value undefined")


def test_a_misspelt_metric_is_refused_with_the_key_to_fix() -> None:
    with pytest.raises(InvalidGates) as caught:
        judge(GateSettings(minimum={"acuracy": 0.9}), METRICS)
    assert str(caught.value) == (
        "gates.min.acuracy: metrics.json has no 'acuracy' (it has: accuracy, roc_auc)."
    )
    assert caught.value.exit_code == 19


def test_margins_over_the_reference_models() -> None:
    settings = GateSettings(margin_metric="accuracy", margins={"baseline": 0.3, "simple": 0.0})
    assert messages(judge(settings, METRICS))[1:3] == [
        ("passed", "margin over baseline in accuracy 0.3 <= value 0.55 (model 0.95, baseline 0.4)"),
        ("failed", "margin over simple in accuracy 0 > value -0.01 (model 0.95, simple 0.96)"),
    ]


def test_margins_of_a_lower_is_better_metric_count_the_other_way() -> None:
    settings = GateSettings(
        margin_metric="rmse", margins={"baseline": 1.0}, lower_is_better=frozenset({"rmse"})
    )
    report = judge(settings, {"rmse": 2.0, "baseline": {"rmse": 5.0}})
    assert messages(report)[1] == (
        "passed",
        "margin over baseline in rmse 1 <= value 3 (model 2, baseline 5)",
    )


def test_a_missing_reference_section_is_refused() -> None:
    settings = GateSettings(margin_metric="accuracy", margins={"linear": 0.0})
    with pytest.raises(InvalidGates, match=r"gates.margin.linear: metrics.json has no 'linear'"):
        judge(settings, METRICS)


def test_drop_against_the_last_release() -> None:
    settings = GateSettings(max_drop={"accuracy": 0.02})
    report = judge(settings, METRICS, release=V1, released={"accuracy": 0.98})
    assert messages(report)[2] == (
        "failed",
        "max drop in accuracy since v1.0.0 0.02 < value 0.03 (v1.0.0 0.98, now 0.95)",
    )
    assert report.to_json()["release"] == "v1.0.0"
    better = judge(settings, METRICS, release=V1, released={"accuracy": 0.9})
    assert messages(better)[2][0] == "passed" and better.results[2].value == -0.05


def test_drop_is_skipped_until_there_is_something_to_compare() -> None:
    settings = GateSettings(max_drop={"accuracy": 0.02})
    assert messages(judge(settings, METRICS))[2] == (
        "skipped",
        "max drop: skipped, no release yet (none recorded in last-release.json)",
    )
    assert messages(judge(settings, METRICS, release=V1))[2] == (
        "skipped",
        "max drop: skipped, v1.0.0 has no committed metrics file",
    )
    assert messages(judge(settings, METRICS, release=V1, released={"f1": 0.9}))[2] == (
        "skipped",
        "max drop in accuracy: skipped, v1.0.0's metrics have no accuracy",
    )


def test_gap_across_a_sensitive_column_leaves_tiny_slices_out() -> None:
    settings = GateSettings(sensitive=("sex",), gap_metric="accuracy", max_gap=0.1)
    report = judge(settings, METRICS, slices=sex_slices(0.9, 0.95))
    assert messages(report)[3] == (
        "passed",
        "max gap in accuracy across sex 0.1 >= value 0.05 "
        "(female 0.9, male 0.95; left out: (missing) (tiny))",
    )
    wide = judge(settings, METRICS, slices=sex_slices(0.8, 0.95, missing_count=25))
    assert messages(wide)[3] == (
        "failed",
        "max gap in accuracy across sex 0.1 < value 0.95 ((missing) 0, female 0.8, male 0.95)",
    )


def test_gap_needs_two_groups_large_enough() -> None:
    settings = GateSettings(sensitive=("sex",), gap_metric="accuracy", max_gap=0.1)
    slices = SliceReport(20, {"sex": (Slice("f", 30, False, {"accuracy": 1.0}),)})
    assert messages(judge(settings, METRICS, slices=slices))[3] == (
        "skipped",
        "max gap in accuracy across sex: skipped, fewer than two groups of sex with 20+ rows (f 1)",
    )
    with pytest.raises(InvalidGates, match=r"inclusion.sensitive: no slices of 'age'"):
        judge(
            GateSettings(sensitive=("age",), gap_metric="accuracy", max_gap=0.1),
            METRICS,
            slices=slices,
        )


def test_several_failures_are_named_on_one_line() -> None:
    settings = GateSettings(minimum={"accuracy": 0.99}, maximum={"accuracy": 0.9})
    with pytest.raises(GateFailed) as caught:
        judge(settings, METRICS).check()
    assert str(caught.value) == (
        "2 of 7 quality gate(s) failed: min accuracy 0.99 > value 0.95; "
        "max accuracy 0.9 < value 0.95."
    )


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"gates": {"min": {"accuracy": "high"}}}, "gates.min.accuracy: expected a number, got 'high'"),
        ({"gates": {"min": [0.9]}}, "gates.min: expected a mapping, got [0.9]"),
        ({"gates": {"margin": {"baseline": 0.1}}}, "gates.margin.metric: name the metric the margins are measured on."),
        ({"inclusion": {"sensitive": "sex"}}, "inclusion.sensitive: expected a list of column names, got 'sex'"),
        ({"inclusion": {"sensitive": ["sex"]}}, "inclusion.metric: name the metric compared across groups."),
        ({"gates": {"lower_is_better": "rmse"}}, "gates.lower_is_better: expected a list of metric names, got 'rmse'"),
    ],
    ids=["text-threshold", "list-not-mapping", "margin-without-metric", "sensitive-not-list", "gap-without-metric", "lower-not-list"],
)  # fmt: skip
def test_settings_are_validated_with_the_key_to_fix(params: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidGates) as caught:
        gate_settings(params)
    assert str(caught.value) == message


PARAMS = """\
paths: {metrics: metrics.json, reports: reports}
gates:
  min: {accuracy: 0.9}
  margin: {metric: accuracy, baseline: 0.2, simple: null}
  max_drop: {accuracy: 0.02}
inclusion: {sensitive: [sex], metric: accuracy, max_gap: 0.1}
"""


def project_with(tmp_path: Path, slices: SliceReport) -> Path:
    from mlproj.gates.slices import slices_to_json

    write(tmp_path / "params.yaml", PARAMS)
    write(tmp_path / "metrics.json", json.dumps(METRICS))
    write(tmp_path / "reports" / "slices.json", json.dumps(slices_to_json(slices)))
    return tmp_path


def test_check_gates_writes_the_same_report_every_time(tmp_path: Path) -> None:
    project = project_with(tmp_path, sex_slices(0.9, 0.95))
    output = project / "reports" / "gates.json"
    report = check_gates(project, output=output)
    written = output.read_bytes()
    data = json.loads(written)
    assert data["passed"] is True and data["release"] is None
    assert (data["status"], data["checked"], data["skipped"]) == ("passed", 3, 3)
    assert [(g["gate"], g["status"]) for g in data["gates"]] == [
        ("min accuracy", "passed"),
        ("margin over baseline", "passed"),
        ("max drop", "skipped"),
        ("max gap in accuracy across sex", "passed"),
        ("slice floor/gap", "skipped"),
        ("feature contribution", "skipped"),
    ]
    assert report.check() is report
    check_gates(project, output=output)
    assert output.read_bytes() == written


def test_check_gates_writes_nothing_without_an_output(tmp_path: Path) -> None:
    project = project_with(tmp_path, sex_slices(0.9, 0.95))
    before = sorted(project.rglob("*"))
    assert check_gates(project).check()
    assert sorted(project.rglob("*")) == before


def test_check_gates_writes_the_report_before_a_failure_is_raised(tmp_path: Path) -> None:
    project = project_with(tmp_path, sex_slices(0.7, 0.95))
    report = check_gates(project, output=tmp_path / "elsewhere.json")
    data = json.loads((tmp_path / "elsewhere.json").read_text())
    assert (data["status"], data["passed"]) == ("failed", False)
    with pytest.raises(GateFailed, match=r"max gap in accuracy across sex 0\.1 < value 0\.25"):
        report.check()


def test_drops_are_measured_against_the_recorded_release_not_the_tags(tmp_path: Path) -> None:
    project = project_with(init_repo(tmp_path), sex_slices(0.9, 0.95))
    git(project, "add", "--all")
    git(project, "commit", "--quiet", "-m", "a model scoring 0.95")
    git(project, "tag", "-a", "v2.0.0", "-m", "a release the record does not name")
    record = {"release": "v1.0.0", "metrics": {"accuracy": 0.98}}
    write(project / "last-release.json", json.dumps(record))
    assert check_gates(project).results[2].message == (
        "max drop in accuracy since v1.0.0 0.02 < value 0.03 (v1.0.0 0.98, now 0.95)"
    )
    # --release judges against a tag instead, read from git.
    assert check_gates(project, release="v2.0.0").results[2].message == (
        "max drop in accuracy since v2.0.0 0.02 >= value 0 (v2.0.0 0.95, now 0.95)"
    )
    for tag, why in [("v3.0.0", "no such tag in this repository"), ("2.0", "not a release tag")]:
        with pytest.raises(InvalidGates, match=f"^--release '?{tag}'?: {why}"):
            check_gates(project, release=tag)


def test_check_gates_needs_a_project_and_its_evaluation(tmp_path: Path) -> None:
    with pytest.raises(NotAProject):
        check_gates(tmp_path)
    write(tmp_path / "params.yaml", PARAMS)
    with pytest.raises(InvalidGates) as caught:
        check_gates(tmp_path)
    assert str(caught.value) == (
        f"{tmp_path / 'metrics.json'} not found: the evaluate stage writes it; run `dvc repro`."
    )
    write(tmp_path / "metrics.json", json.dumps(METRICS))
    with pytest.raises(InvalidGates, match=r"slices\.json not found"):
        check_gates(tmp_path)
    assert not (tmp_path / "reports" / "gates.json").exists()
