"""What each feature is worth: every feature gets its numbers, and a useful one outscores noise."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
from omegaconf import DictConfig

from {{ cookiecutter.package_name }}.contribution import (
    FAST_METRICS,
    contributions,
    write_contributions,
)
from {{ cookiecutter.package_name }}.data import feature_columns, features_and_target
from {{ cookiecutter.package_name }}.metrics import scores
from {{ cookiecutter.package_name }}.models import build_pipeline

from tests.conftest import compose_config

# A small gradient boosting model, whichever model conf/config.yaml trains, and few rows: what
# is tested here is how contribution.py measures, not a model.
SMALL = (
    "model=hist_gradient_boosting",
    "model.max_iter=10",
    "contribution.repeats=2",
    "contribution.timing_rows=200",
)


def fitted(frame: pd.DataFrame, cfg: DictConfig) -> object:
    return build_pipeline(cfg).fit(*features_and_target(frame, cfg))


def measured(frame: pd.DataFrame, train_rows: int, *overrides: str) -> dict[str, dict]:
    """Each feature's numbers for a model fitted on the first TRAIN_ROWS rows of FRAME."""
    config = compose_config(*SMALL, "data.categorical=[]", "data.target=y", *overrides)
    train, test = frame.iloc[:train_rows], frame.iloc[train_rows:]
    report = contributions(fitted(train, config), train, test, config)
    return {feature["name"]: feature for feature in report["features"]}


def test_every_feature_gets_its_numbers_on_a_bounded_sample(
    sample: pd.DataFrame, cfg: DictConfig
) -> None:
    config = compose_config(*SMALL, "contribution.sample_rows=50")
    train, test = sample.iloc[:80], sample.iloc[80:]
    report = write_contributions(fitted(train, config), train, test, config)
    assert json.loads((Path(config.paths.reports) / "features.json").read_text()) == report
    assert report["metric"] == config.gates.margin.metric
    assert report["sample_rows"] == 50 and report["scored_rows"] == min(50, len(test))
    assert [f["name"] for f in report["features"]] == feature_columns(config)
    for feature in report["features"]:
        assert isinstance(feature["ablation_drop"], float), feature
        assert isinstance(feature["importance"], float), feature
        assert feature["cost_ms_per_1k_rows"] > 0, feature


def test_a_feature_the_target_depends_on_outscores_noise(cfg: DictConfig) -> None:
    rng = np.random.default_rng(0)
    signal, noise = rng.normal(size=300), rng.normal(size=300)
{%- if cookiecutter.task == 'classification' %}
    target = np.where(signal > 0, "yes", "no")
{%- else %}
    target = 3 * signal + rng.normal(scale=0.1, size=300)
{%- endif %}
    frame = pd.DataFrame({"signal": signal, "noise": noise, "y": target})
    found = measured(frame, 200, "data.numeric=[signal,noise]")
    assert found["signal"]["ablation_drop"] > 0.2
    assert found["signal"]["ablation_drop"] > found["noise"]["ablation_drop"]
    assert found["signal"]["importance"] > found["noise"]["importance"]


def test_a_single_feature_is_measured_against_the_baseline(cfg: DictConfig) -> None:
    rng = np.random.default_rng(1)
    signal = rng.normal(size=200)
{%- if cookiecutter.task == 'classification' %}
    target = np.where(signal > 0, "yes", "no")
{%- else %}
    target = 3 * signal
{%- endif %}
    frame = pd.DataFrame({"signal": signal, "y": target})
    assert measured(frame, 150, "data.numeric=[signal]")["signal"]["ablation_drop"] > 0.2


def test_the_quick_metrics_score_as_metrics_py_does(sample: pd.DataFrame, cfg: DictConfig) -> None:
    features, target = features_and_target(sample, cfg)
    model = fitted(sample, compose_config(*SMALL))
{%- if cookiecutter.task == 'classification' %}
    proba = model.predict_proba(features)
    predicted, classes = model.predict(features), list(model.classes_)
{%- else %}
    proba, predicted, classes = None, model.predict(features), []
{%- endif %}
    expected = scores(cfg.data.task, target, predicted, proba, classes)
    assert FAST_METRICS
    for metric, quick in FAST_METRICS.items():
        assert quick(target, predicted) == expected[metric], metric
