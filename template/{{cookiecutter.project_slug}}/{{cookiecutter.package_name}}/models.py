"""Which model the project trains: built from `conf/model/*.yaml`, one file per choice.

To bring your own model, add `conf/model/my_model.yaml` with its `_target_` class and
arguments, then `dvc exp run -S model=my_model`. If its saved form holds types skops does
not trust by default, add them to TRUSTED_TYPES.
"""

from __future__ import annotations

from typing import Any

from hydra.utils import instantiate
from omegaconf import DictConfig
{%- if cookiecutter.task == 'classification' %}
from sklearn.dummy import DummyClassifier
{%- else %}
from sklearn.dummy import DummyRegressor
{%- endif %}
from sklearn.ensemble import (
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
    RandomForestClassifier,
    RandomForestRegressor,
)
{%- if cookiecutter.task == 'classification' %}
from sklearn.linear_model import LogisticRegression
{%- else %}
from sklearn.linear_model import Ridge
{%- endif %}
from sklearn.pipeline import Pipeline

from {{ cookiecutter.package_name }}.features import build_preprocessor

# Tree ensembles split on thresholds, so standardising their inputs changes nothing.
SCALE_FREE = (
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
    RandomForestClassifier,
    RandomForestRegressor,
)

# Types beyond skops' defaults that a saved model may hold; loading refuses any other.
TRUSTED_TYPES = [
    "numpy.dtype",
    "sklearn.tree._tree.Tree",
    "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
]


def build_model(model_cfg: DictConfig) -> Any:
    """The estimator a `conf/model/*.yaml` file describes."""
    return instantiate(model_cfg)


def build_pipeline(cfg: DictConfig) -> Pipeline:
    """Preprocessing and model as one scikit-learn Pipeline, so both are saved together."""
    model = build_model(cfg.model)
    preprocess = build_preprocessor(
        cfg.data.numeric, cfg.data.categorical, scale=not isinstance(model, SCALE_FREE)
    )
    return Pipeline([("preprocess", preprocess), ("model", model)])


def build_references(cfg: DictConfig) -> dict[str, Pipeline]:
    """The models `evaluate` scores beside the real one, fitted on the same rows.

    `baseline` ignores the features ({{ 'the most frequent class' if cookiecutter.task == 'classification' else 'the mean of the target' }}): a model must beat it to
    have learned anything. `simple` is a {{ 'logistic' if cookiecutter.task == 'classification' else 'ridge' }} regression on the same features: if it is
    as good, the real model's extra cost buys nothing. conf/gates sets the margins required.
    """
    preprocess = build_preprocessor(cfg.data.numeric, cfg.data.categorical, scale=True)
{%- if cookiecutter.task == 'classification' %}
    baseline = DummyClassifier(strategy="most_frequent")
    simple = LogisticRegression(max_iter=1000, random_state=cfg.seed)
{%- else %}
    baseline = DummyRegressor(strategy="mean")
    simple = Ridge(alpha=1.0, random_state=cfg.seed)
{%- endif %}
    return {
        "baseline": Pipeline([("model", baseline)]),
        "simple": Pipeline([("preprocess", preprocess), ("model", simple)]),
    }
