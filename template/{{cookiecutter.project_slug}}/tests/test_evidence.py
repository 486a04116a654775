"""The learning curve and the staleness check: bounded, nested, and honest about skipping."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from omegaconf import DictConfig, OmegaConf

from {{ cookiecutter.package_name }}.data import features_and_target
from {{ cookiecutter.package_name }}.evidence import learning_curve, staleness
from {{ cookiecutter.package_name }}.models import build_pipeline


@pytest.fixture
def small(cfg: DictConfig) -> DictConfig:
    """The config with a model of few rounds or trees: the same code paths, quicker.

    A linear model keeps its `max_iter`: cut short, its solver would warn it did not converge.
    """
    boosting = "HistGradientBoosting" in cfg.model._target_
    for key, value in (("max_iter", 10 if boosting else None), ("n_estimators", 5)):
        if key in cfg.model and value is not None:
            OmegaConf.update(cfg, f"model.{key}", value)
    return cfg


def test_the_curve_refits_growing_subsets_and_ends_with_the_trained_model(
    small: DictConfig, sample: pd.DataFrame
) -> None:
    train, test = sample.iloc[:90], sample.iloc[90:]
    features, target = features_and_target(train, small)
    model = build_pipeline(small).fit(features, target)
    OmegaConf.update(small, "evidence.learning_curve.sizes", 3)
    curve = learning_curve(small, model, (features, target), features_and_target(test, small))
    assert list(curve.columns) == ["train_rows", "train", "test"]
    assert curve["train_rows"].tolist() == [11, 31, 90]
    assert curve["test"].notna().all()


def test_a_sample_smaller_than_the_training_set_adds_the_trained_model_at_full_size(
    small: DictConfig, sample: pd.DataFrame
) -> None:
    features, target = features_and_target(sample, small)
    model = build_pipeline(small).fit(features, target)
    OmegaConf.update(small, "evidence.learning_curve.max_rows", 40)
    OmegaConf.update(small, "evidence.learning_curve.sizes", 2)
    curve = learning_curve(small, model, (features, target), (features, target))
    assert curve["train_rows"].tolist() == [10, 40, len(sample)]


def test_staleness_is_skipped_without_a_time_column(small: DictConfig) -> None:
    OmegaConf.update(small, "data.time_column", None)
    report = staleness(small, None)
    assert report == {"skipped": "no time column: set time_column in conf/data to a date column"}


def test_staleness_scores_newer_windows_at_growing_gaps(
    small: DictConfig, sample: pd.DataFrame
) -> None:
    OmegaConf.update(small, "data.time_column", "when")
    OmegaConf.update(small, "evidence.staleness.windows", 2)
    days = pd.date_range("2024-01-01", periods=len(sample), freq="D").astype(str)
    report = staleness(small, sample.assign(when=list(days)))
    assert report["time_column"] == "when" and report["rows_without_time"] == 0
    windows = [point["window"] for point in report["points"]]
    assert windows == ["in period", "window 1", "window 2"]
    gaps = [point["gap_days"] for point in report["points"]]
    assert gaps[0] == 0.0 and 0 < gaps[1] < gaps[2]
    assert sum(point["rows"] for point in report["points"][1:]) == len(sample) // 2


def test_staleness_with_too_few_dated_rows_says_so(small: DictConfig, sample: pd.DataFrame) -> None:
    OmegaConf.update(small, "data.time_column", "when")
    report = staleness(small, sample.head(30).assign(when="not a date"))
    assert report["skipped"].startswith("too few rows with a when (0)")


def test_a_subset_of_one_class_is_left_out_of_the_curve(
    small: DictConfig, sample: pd.DataFrame
) -> None:
    if small.data.task != "classification":
        pytest.skip("classes are a classification matter")
    features, target = features_and_target(sample.head(80), small)
    # The smallest subset is the first 10 rows of the seeded sample: give them one class.
    first = np.random.default_rng(small.seed).permutation(80)[:10]
    target = target.copy()
    target.iloc[first] = target.iloc[0]
    model = build_pipeline(small).fit(features, target)
    OmegaConf.update(small, "evidence.learning_curve.sizes", 3)
    curve = learning_curve(small, model, (features, target), (features, target))
    assert curve["train_rows"].tolist() == [28, 80]  # 10 rows of one class: no fit
