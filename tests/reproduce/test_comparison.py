"""What `mlproj reproduce` calls a difference: metrics, predictions and output hashes."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from mlproj.reproduce.comparison import (
    compare_hashes,
    compare_metrics,
    compare_predictions,
    lock_inputs,
    lock_outputs,
    predict,
    same_but_timings,
)
from tests.toy_project import TRAIN, classifier, regressor

METRICS = {"accuracy": 0.970149, "f1_macro": 0.96, "per_class": {"Adelie": 1.0}}


def test_identical_metrics_pass() -> None:
    check = compare_metrics(METRICS, dict(METRICS))
    assert check.passed
    assert check.compared == "3 values, exact"


def test_a_changed_metric_is_named_with_both_values() -> None:
    retrained = {**METRICS, "accuracy": 0.955224, "per_class": {"Adelie": 0.5}}
    check = compare_metrics(METRICS, retrained)
    assert check.differences == (
        "accuracy: 0.970149 recorded, 0.955224 retrained (off by 0.014925)",
        "per_class.Adelie: 1.0 recorded, 0.5 retrained (off by 0.5)",
    )


def test_a_tolerance_accepts_small_differences_only() -> None:
    retrained = {**METRICS, "accuracy": 0.970150, "f1_macro": 0.97}
    check = compare_metrics(METRICS, retrained, tolerance=1e-5)
    assert check.compared == "3 values, within 1e-05"
    assert check.differences == ("f1_macro: 0.96 recorded, 0.97 retrained (off by 0.01)",)


def test_missing_extra_and_non_numeric_metrics_differ() -> None:
    recorded = {"accuracy": 0.9, "model": "forest", "nan": float("nan")}
    retrained = {"model": "boosting", "rmse": 1.5, "nan": float("nan")}
    assert compare_metrics(recorded, retrained, tolerance=1.0).differences == (
        "accuracy: 0.9 recorded, missing from the retrained metrics",
        "model: 'forest' recorded, 'boosting' retrained",
        "rmse: 1.5 retrained, not in the recorded metrics",
    )


def rows() -> pd.DataFrame:
    frame = TRAIN.copy()
    frame.index = [100 + i for i in range(len(frame))]
    return frame


def test_the_same_classifier_predicts_the_same() -> None:
    check = compare_predictions(
        list(rows().index), predict(classifier(), rows()), predict(classifier(), rows())
    )
    assert check.passed
    assert check.compared == "12 test rows, labels and probabilities, exact"


def test_differing_labels_are_counted_and_the_first_rows_shown() -> None:
    check = compare_predictions(
        list(rows().index),
        predict(classifier(), rows()),
        predict(classifier(inverted=True), rows()),
    )
    assert not check.passed
    assert check.differences[0] == "12 of 12 rows differ"
    assert check.differences[1].startswith("row 100: 'a' recorded, 'b' retrained, probabilities")
    assert len(check.differences) == 1 + 5 + 1
    assert check.differences[-1] == "and 7 more"


def test_probabilities_alone_can_differ() -> None:
    labels = np.array(["a", "b"])
    old = np.array([[0.9, 0.1], [0.2, 0.8]])
    new = np.array([[0.9, 0.1], [0.25, 0.75]])
    check = compare_predictions([7, 8], (labels, old), (labels.copy(), new))
    assert check.differences == (
        "1 of 2 rows differ",
        "row 8: 'b' both times, probabilities differ by up to 0.05",
    )
    assert compare_predictions([7, 8], (labels, old), (labels, new), tolerance=0.1).passed


def test_regression_values_within_the_tolerance_pass() -> None:
    old = predict(regressor(2.0), rows())
    new = predict(regressor(2.001), rows())
    assert old[1] is None
    exact = compare_predictions(list(rows().index), old, new)
    assert exact.compared == "12 test rows, values, exact"
    assert exact.differences[0] == "12 of 12 rows differ"
    assert compare_predictions(list(rows().index), old, new, tolerance=0.01).passed


def lock(**outs: str) -> dict[str, Any]:
    """A dvc.lock with a train stage reading its code and writing OUTS (path: md5)."""
    return {
        "schema": "2.0",
        "stages": {
            "train": {
                "deps": [
                    {"path": "demo/train.py", "md5": "aaa"},
                    {"path": "data/train.parquet", "md5": "bbb"},
                ],
                "outs": [
                    {"path": path.replace("__", "/"), "md5": md5} for path, md5 in outs.items()
                ],
            },
            "split": {"outs": [{"path": "data/train.parquet", "md5": "bbb"}]},
        },
    }


def test_lock_inputs_are_the_deps_no_stage_writes() -> None:
    recorded = lock(models__model_skops="m1")
    assert lock_outputs(recorded) == {"models/model_skops": "m1", "data/train.parquet": "bbb"}
    assert lock_inputs(recorded) == {"demo/train.py": "aaa"}


def test_equal_hashes_pass() -> None:
    recorded = lock(models__model_skops="1234567890", reports__figures="abcdef0123.dir")
    check = compare_hashes(recorded, recorded)
    assert check.passed
    assert check.compared == "3 DVC outputs in dvc.lock"


def test_differing_hashes_are_listed_and_unstable_ones_tolerated() -> None:
    recorded = lock(models__model_skops="1234567890", reports__figures="abcdef0123.dir", gone="x")
    retrained = lock(models__model_skops="0987654321", reports__figures="fedcba9876.dir", new="y")
    check = compare_hashes(recorded, retrained, unstable=["reports/"])
    assert check.differences == (
        "gone: recorded, not produced by the retrain",
        "models/model_skops: 12345678 recorded, 09876543 retrained",
        "new: produced by the retrain, not recorded",
    )
    assert check.tolerated == (
        "reports/figures: abcdef01.dir recorded, fedcba98.dir retrained "
        "(declared unstable: allowed)",
    )


def test_a_changed_input_says_the_lock_was_stale() -> None:
    recorded = lock(model="m")
    retrained = lock(model="m")
    retrained["stages"]["train"]["deps"][0]["md5"] = "ccc"
    assert compare_hashes(recorded, retrained).differences == (
        "demo/train.py (an input): aaa recorded, ccc now: dvc.lock was not updated for this "
        "commit; run `dvc repro` and commit",
    )


def test_an_output_that_differs_in_measured_times_alone_is_tolerated() -> None:
    """The features report times each feature's preprocessing: a machine's figure, not a commit's."""
    before = {"metric": "accuracy", "features": [{"name": "a", "cost_ms_per_1k_rows": 1.2}]}
    after = {"metric": "accuracy", "features": [{"name": "a", "cost_ms_per_1k_rows": 1.7}]}
    assert same_but_timings(before, after)
    assert not same_but_timings(before, {**after, "metric": "r2"})
    recorded = {
        "stages": {"evaluate": {"outs": [{"path": "reports/features.json", "md5": "a" * 8}]}}
    }
    retrained = {
        "stages": {"evaluate": {"outs": [{"path": "reports/features.json", "md5": "b" * 8}]}}
    }
    check = compare_hashes(recorded, retrained, timings_only=["reports/features.json"])
    assert check.passed
    assert check.tolerated == (
        "reports/features.json: aaaaaaaa recorded, bbbbbbbb retrained "
        "(only its measured times differ: allowed)",
    )
    assert not compare_hashes(recorded, retrained).passed
