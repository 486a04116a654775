"""The Data and Model tests: 0, 0.5 and 1 on projects built to hit each case."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mlproj.score import data_model as rules
from mlproj.score.evidence import Evidence
from tests.score.builder import PARAMS, build, gates

GATED = {"gates": ["reports/gates.json"]}
FEATURES = {
    "metric": "accuracy",
    "sample_rows": 100,
    "features": [
        {
            "name": "bill_length_mm",
            "importance": 0.5,
            "ablation_drop": 0.1,
            "cost_ms_per_1k_rows": 0.2,
        },
        {"name": "island", "importance": 0.1, "ablation_drop": 0.01, "cost_ms_per_1k_rows": 0.4},
    ],
}


def verdict(root: Path, rule: Any) -> tuple[float, str]:
    found = rule(Evidence(root))
    return found.points, found.reason


def test_schema_checked_by_validate_scores_1(tmp_path: Path) -> None:
    build(
        tmp_path, files={"v.parquet": "x"}, stages={"validate": ["v.parquet"]}, ran={"validate": []}
    )
    assert verdict(tmp_path, rules.schema)[0] == 1


def test_schema_never_checked_scores_half(tmp_path: Path) -> None:
    build(tmp_path, files={"v.parquet": "x"}, stages={"validate": ["v.parquet"]})
    assert verdict(tmp_path, rules.schema) == (
        0.5,
        "a reviewed contract, not checked: `validate` never ran: it is not in dvc.lock",
    )


def test_schema_missing_a_feature_scores_half(tmp_path: Path) -> None:
    params = {**PARAMS, "data": {**PARAMS["data"], "numeric": ["bill_length_mm", "ssn"]}}
    build(
        tmp_path,
        params=params,
        files={"v.parquet": "x"},
        stages={"validate": ["v.parquet"]},
        ran={"validate": []},
    )
    assert verdict(tmp_path, rules.schema) == (0.5, "the contract has no rule for ssn")


def test_no_schema_scores_0(tmp_path: Path) -> None:
    build(tmp_path)
    (tmp_path / "data/contract.yaml").unlink()
    assert verdict(tmp_path, rules.schema)[0] == 0


def features_project(root: Path, *, ran: bool, contribution: str | None) -> Path:
    report = gates("passed", *([("feature contribution", contribution)] if contribution else []))
    return build(
        root,
        files={"reports/features.json": FEATURES, "reports/gates.json": report},
        stages={"evaluate": ["reports/features.json"], **GATED},
        ran={"evaluate": [], "gates": []} if ran else {"gates": []},
    )


def test_features_gated_on_contribution_score_1(tmp_path: Path) -> None:
    features_project(tmp_path, ran=True, contribution="passed")
    assert verdict(tmp_path, rules.beneficial) == (
        1,
        "feature contribution checked and passed by the gates stage: feature contribution",
    )
    assert verdict(tmp_path, rules.cost)[0] == 1


def test_features_measured_but_not_gated_score_half(tmp_path: Path) -> None:
    features_project(tmp_path, ran=True, contribution="skipped")
    assert verdict(tmp_path, rules.beneficial)[0] == 0.5


def test_features_report_that_never_ran_scores_0(tmp_path: Path) -> None:
    features_project(tmp_path, ran=False, contribution="passed")
    assert verdict(tmp_path, rules.cost) == (0, "`evaluate` never ran: it is not in dvc.lock")


def test_features_report_no_stage_recorded_scores_0(tmp_path: Path) -> None:
    build(tmp_path, files={"reports/features.json": FEATURES})
    assert verdict(tmp_path, rules.cost) == (
        0,
        "reports/features.json exists but no stage in dvc.lock recorded it",
    )


def test_privacy_enforced_by_validate_scores_1(tmp_path: Path) -> None:
    params = {**PARAMS, "data": {**PARAMS["data"], "forbidden": ["ssn"]}}
    build(
        tmp_path,
        params=params,
        files={"v.parquet": "x"},
        stages={"validate": ["v.parquet"]},
        ran={"validate": ["data.forbidden"]},
    )
    assert verdict(tmp_path, rules.privacy)[0] == 1


def test_privacy_screen_at_new_scores_half(tmp_path: Path) -> None:
    conf = '# Personal data is left out.\nleft_out:\n  - "email"  # personal data: addresses\n'
    build(tmp_path, files={"conf/data/default.yaml": conf})
    assert verdict(tmp_path, rules.privacy) == (
        0.5,
        "left out at `mlproj new` as personal data: email",
    )
    build(tmp_path, files={"conf/data/default.yaml": {"left_out": {"ssn": "personal data: id"}}})
    assert verdict(tmp_path, rules.privacy)[0] == 0.5


def test_a_mention_of_personal_data_is_no_record(tmp_path: Path) -> None:
    conf = "# Personal data is left out.\nleft_out:\n  - id  # an identifier\n"
    build(tmp_path, files={"conf/data/default.yaml": conf})
    assert verdict(tmp_path, rules.privacy)[0] == 0


def test_no_privacy_control_scores_0(tmp_path: Path) -> None:
    build(tmp_path)
    assert verdict(tmp_path, rules.privacy)[0] == 0


def test_simpler_model_gate_passed_scores_1(tmp_path: Path) -> None:
    build(
        tmp_path,
        files={"reports/gates.json": gates("passed", ("margin over simple", "passed"))},
        stages=GATED,
        ran={"gates": []},
    )
    assert verdict(tmp_path, rules.simpler)[0] == 1


def test_simpler_model_only_scored_scores_half(tmp_path: Path) -> None:
    build(
        tmp_path,
        files={"metrics.json": {"accuracy": 1, "simple": {"accuracy": 1}}},
        stages={"evaluate": ["metrics.json"]},
        ran={"evaluate": []},
    )
    assert verdict(tmp_path, rules.simpler) == (
        0.5,
        "the simple model is scored beside it and reviewed, not gated",
    )


def test_gates_declared_but_never_ran_give_nothing(tmp_path: Path) -> None:
    build(
        tmp_path,
        files={
            "reports/gates.json": gates(
                "passed",
                ("margin over simple", "passed"),
                ("slice floor accuracy", "passed"),
                ("max gap in accuracy across sex", "passed"),
            )
        },
        stages=GATED,
    )
    ev = Evidence(tmp_path)
    assert [rules.simpler(ev).points, rules.slices(ev).points, rules.inclusion(ev).points] == [
        0,
        0,
        0,
    ]


def test_a_failed_slice_gate_scores_0(tmp_path: Path) -> None:
    report = gates("failed", ("slice floor accuracy", "passed"), ("slice gap accuracy", "failed"))
    build(tmp_path, files={"reports/gates.json": report}, stages=GATED, ran={"gates": []})
    assert verdict(tmp_path, rules.slices) == (0, "slice gates failed: slice gap accuracy")


def test_per_class_metrics_without_slices_score_half(tmp_path: Path) -> None:
    metrics = {"accuracy": 1, "per_class": {"a": {"f1": 1}}}
    build(
        tmp_path,
        files={"metrics.json": metrics},
        stages={"evaluate": ["metrics.json"]},
        ran={"evaluate": []},
    )
    assert verdict(tmp_path, rules.slices) == (
        0.5,
        "metrics per class are measured and reviewed, not gated",
    )


def test_staleness_skipped_scores_0_and_measured_scores_1(tmp_path: Path) -> None:
    stages = {"evaluate": ["reports/staleness.json"]}
    skipped = {"skipped": "no time column (conf/data time_column)"}
    build(
        tmp_path / "a",
        files={"reports/staleness.json": skipped},
        stages=stages,
        ran={"evaluate": []},
    )
    build(
        tmp_path / "b",
        files={"reports/staleness.json": {"older": 0.9, "newer": 0.8}},
        stages=stages,
        ran={"evaluate": []},
    )
    assert verdict(tmp_path / "a", rules.staleness) == (
        0,
        "skipped: no time column (conf/data time_column)",
    )
    assert verdict(tmp_path / "b", rules.staleness)[0] == 1


def test_a_sweep_that_ran_scores_1_and_one_declared_only_0(tmp_path: Path) -> None:
    build(tmp_path / "a", files={"reports/sweep.csv": "exp,accuracy\na,0.9\nb,0.8\n"})
    build(tmp_path / "b", files={"conf/sweep/default.yaml": {"sweep": {"model.x": [1, 2]}}})
    assert verdict(tmp_path / "a", rules.tuned) == (1, "`mlproj sweep` ran 2 experiments")
    assert verdict(tmp_path / "b", rules.tuned) == (
        0,
        "a sweep is declared in conf/sweep but never ran",
    )
