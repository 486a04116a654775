"""Scores for the model, its reference models and each slice: defined, or None, never a crash."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from mlproj.api import InvalidGates
from omegaconf import DictConfig

from {{ cookiecutter.package_name }}.data import features_and_target
{%- if cookiecutter.task == 'classification' %}
from {{ cookiecutter.package_name }}.metrics import MISSING, per_class, scores, slice_table
{%- else %}
from {{ cookiecutter.package_name }}.metrics import MISSING, scores, slice_table
{%- endif %}
from {{ cookiecutter.package_name }}.models import build_references

{%- if cookiecutter.task == 'classification' %}


def test_auc_is_none_where_a_class_is_absent() -> None:
    truth = pd.Series(["a", "a", "b"])
    proba = np.array([[0.9, 0.1], [0.6, 0.4], [0.2, 0.8]])
    whole = scores("classification", truth, np.array(["a", "a", "b"]), proba, ["a", "b"])
    assert whole["accuracy"] == 1.0 and whole["roc_auc"] == 1.0
    only_a = scores("classification", truth[:2], np.array(["a", "b"]), proba[:2], ["a", "b"])
    assert only_a["roc_auc"] is None
    assert only_a["accuracy"] == 0.5
{%- else %}


def test_r2_is_none_on_a_single_row() -> None:
    one = scores("regression", pd.Series([3.0]), np.array([2.0]), None, [])
    assert one == {"rmse": 1.0, "mae": 1.0, "r2": None}
{%- endif %}


def test_slices_count_every_row_and_flag_tiny_ones() -> None:
    frame = pd.DataFrame({"group": ["x", "x", "x", "y", None]})
    seen = []

    def score_rows(rows: np.ndarray) -> dict[str, float | None]:
        seen.append(rows.tolist())
        return {"share": float(rows.mean())}

    table = slice_table(frame, ["group"], 2, score_rows)
    assert table["min_count"] == 2
    assert [(r["value"], r["count"], r["tiny"]) for r in table["columns"]["group"]] == [
        (MISSING, 1, True),
        ("x", 3, False),
        ("y", 1, True),
    ]
    assert table["columns"]["group"][1]["metrics"] == {"share": 0.6}
    assert seen[1] == [True, True, True, False, False]


def test_a_slice_column_missing_from_the_data_is_named() -> None:
    with pytest.raises(InvalidGates, match="no column 'nope' in the test set"):
        slice_table(pd.DataFrame({"a": [1]}), ["nope"], 1, lambda rows: {})


def test_reference_models_fit_and_the_baseline_ignores_the_features(
    sample: pd.DataFrame, cfg: DictConfig
) -> None:
    features, target = features_and_target(sample, cfg)
    references = build_references(cfg)
    assert set(references) == {"baseline", "simple"}
    baseline = references["baseline"].fit(features, target)
    shuffled = features.sample(frac=1.0, random_state=0)
    assert (baseline.predict(features) == baseline.predict(shuffled)).all()
    simple = references["simple"].fit(features, target)
    assert len(simple.predict(features)) == len(sample)
{%- if cookiecutter.task == 'classification' %}


def test_per_class_scores_each_class_one_vs_rest_with_its_confusion_row() -> None:
    truth = pd.Series(["a", "a", "b", "c"])
    predicted = np.array(["a", "b", "b", "c"])
    proba = np.array([[0.8, 0.1, 0.1], [0.4, 0.5, 0.1], [0.1, 0.8, 0.1], [0.1, 0.1, 0.8]])
    table = per_class(truth, predicted, proba, ["a", "b", "c"])
    assert table["a"] == {
        "roc_auc": 1.0,
        "precision": 1.0,
        "recall": 0.5,
        "f1": 0.666667,
        "support": 2,
        "confusion": [1, 1, 0],
    }
    assert table["b"]["precision"] == 0.5 and table["b"]["confusion"] == [0, 1, 0]
    only_a = per_class(truth[:2], predicted[:2], proba[:2], ["a", "b", "c"])
    assert only_a["a"]["roc_auc"] is None and only_a["c"]["support"] == 0
{%- endif %}
