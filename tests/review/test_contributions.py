"""The review report's feature section: features added, removed, and drops that changed."""

from __future__ import annotations

from typing import Any

from mlproj.review.contributions import contribution_section


def features(metric: str = "r2", **drops: float | None) -> dict[str, Any]:
    return {
        "metric": metric,
        "sample_rows": 400,
        "features": [
            {"name": n, "importance": 0.1, "ablation_drop": d, "cost_ms_per_1k_rows": 1.5}
            for n, d in drops.items()
        ],
    }


def lines(old: Any, new: Any) -> list[str]:
    return contribution_section(old, new).splitlines()


def test_added_removed_and_changed_features_are_listed() -> None:
    section = lines(features(age=0.05, bmi=0.1, sex=0.0), features(age=0.02, bmi=0.1, bp=0.03))
    assert section[0] == "### Feature contributions"
    assert section[1].startswith("Ablation drop: how much worse r2 gets when the model is ")
    assert "(400 training rows; positive: the feature helps)" in section[1]
    assert section[3:] == [
        "| feature | ablation drop: base | this branch | change | importance | ms per 1k rows |",
        "|---|---:|---:|---:|---:|---:|",
        "| `age` | 0.05 | 0.02 | -0.03 | 0.1 | 1.5 |",
        "| `bp` | new | 0.03 |  | 0.1 | 1.5 |",
        "",
        "No longer a feature: sex.",
        "",
        "1 other feature(s) unchanged.",
    ]


def test_unchanged_features_are_counted_not_repeated() -> None:
    both = features(age=0.05, bmi=None)
    assert lines(both, both)[2] == "Unchanged: 2 feature(s), the same drops."


def test_without_a_base_report_every_feature_is_shown() -> None:
    section = lines(None, features(age=0.05, bmi=None))
    assert section[2] == "The base has no feature report to compare with."
    assert section[-2:] == [
        "| `age` | – | 0.05 |  | 0.1 | 1.5 |",
        "| `bmi` | – | – |  | 0.1 | 1.5 |",
    ]


def test_drops_on_another_metric_are_not_compared() -> None:
    section = lines(features("rmse", age=3.0), features(age=0.05))
    assert section[2] == "The base measured drops in rmse: not compared."


def test_no_report_in_the_workspace_says_what_to_run() -> None:
    assert lines(features(age=0.1), {"features": 3}) == [
        "### Feature contributions",
        "No feature report in the workspace (reports/features.json): run `dvc repro`.",
    ]
