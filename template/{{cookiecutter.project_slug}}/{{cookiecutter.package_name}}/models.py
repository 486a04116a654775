"""Which model the project trains: built from `conf/model/*.yaml`, one file per choice.

To bring your own model, add `conf/model/my_model.yaml` with its `_target_` class and
arguments, then `dvc exp run -S model=my_model`. If its saved form holds types skops does
not trust by default, add them to TRUSTED_TYPES.
"""

from __future__ import annotations

from typing import Any

from hydra.utils import instantiate
from omegaconf import DictConfig
from sklearn.ensemble import (
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
    RandomForestClassifier,
    RandomForestRegressor,
)
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
