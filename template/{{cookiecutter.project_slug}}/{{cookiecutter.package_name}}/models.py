"""Which model the project trains: built from `conf/model/*.yaml`, one file per choice.

To bring your own model, add `conf/model/my_model.yaml` with its `_target_` class and
arguments, then `dvc exp run -S model=my_model`. If its saved form holds types skops does
not trust by default, add them to TRUSTED_TYPES.
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
from omegaconf import DictConfig, OmegaConf, open_dict
from sklearn.base import BaseEstimator, clone, is_classifier
{%- if cookiecutter.task == 'classification' %}
from sklearn.dummy import DummyClassifier
{%- else %}
from sklearn.dummy import DummyRegressor
{%- endif %}
from sklearn.ensemble import (
    BaseEnsemble,
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
from threadpoolctl import threadpool_limits

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
    # Imported here: only `train` builds a model, and Hydra costs the other stages 0.3 s each.
    from hydra.utils import instantiate

    return instantiate(model_cfg)


def parallel_jobs(cfg: DictConfig, n_jobs: int) -> DictConfig | None:
    """CFG with the model's `n_jobs` set to N_JOBS, if it builds its parts through joblib.

    A forest (any scikit-learn ensemble with `n_jobs`) fits its trees through joblib, so they
    go where conf/compute says; None for any other model, which is fitted whole. conf/compute
    decides `n_jobs`, not conf/model: each tree draws from its own seed, so the forest is the
    same on one process, several, or a cluster.
    """
    model = build_model(cfg.model)
    if not isinstance(model, BaseEnsemble) or "n_jobs" not in model.get_params():
        return None
    jobs = copy.deepcopy(cfg)
    with open_dict(jobs):  # a composed config (tests) refuses new keys otherwise
        jobs.model.n_jobs = n_jobs
    return jobs


# Rows the `simple` reference model is fitted on, at most: a seeded sample beyond that keeps its
# fit to seconds at any size; a linear model's score barely moves past ~100,000 rows.
SIMPLE_MAX_ROWS = 100_000


def as_trained(cfg: DictConfig, model: Any) -> DictConfig:
    """CFG for refitting MODEL's kind on a sample: a boosting model gets the rounds it ran.

    Early stopping ended the trained model after `n_iter_` rounds; a refit on a small sample
    would run all `max_iter` (early stopping is off below 10,000 rows), learning more than the
    model it stands for at several times the cost. Other models are refitted as configured.
    """
    estimator = model[-1] if isinstance(model, Pipeline) else model
    rounds = getattr(estimator, "n_iter_", None)
    if not hasattr(estimator, "do_early_stopping_") or not isinstance(rounds, int):
        return cfg
    merged = OmegaConf.merge(cfg, {"model": {"max_iter": rounds, "early_stopping": False}})
    assert isinstance(merged, DictConfig)
    return merged


def build_pipeline(cfg: DictConfig) -> Pipeline:
    """Preprocessing and model as one scikit-learn Pipeline, so both are saved together.

    Tree models get ordinal-coded categoricals (one column each) and unscaled numbers; any
    other model gets standardised numbers and capped one-hot columns (conf/encoding).
    """
    model = build_model(cfg.model)
    return Pipeline(
        [("preprocess", _preprocessor(cfg, trees=isinstance(model, SCALE_FREE))), ("model", model)]
    )


# scikit-learn's `early_stopping: auto` holds rows out to stop early only above this many.
EARLY_STOPPING_ROWS = 10_000


def fit_pipeline(cfg: DictConfig, features: Any, target: Any) -> Pipeline:
    """`build_pipeline(cfg)` fitted; on a small table, boosting runs the rounds held-out rows ask.

    With `early_stopping: auto`, scikit-learn stops a boosting model early only above 10,000
    rows, where a held-out tenth is cheap; below, it runs all `max_iter` rounds, most of which
    buy nothing and every refit in `evaluate` and every SHAP pass then pays for. Here a small
    table gets both: early stopping on held-out rows (drawn from random_state, so the same
    every run) picks the rounds, then the model is fitted on every row for that many rounds.
    Penguins: 36 rounds instead of 200 per class, the same test accuracy, a lower log loss.
    `early_stopping: false` (or true) in conf/model keeps scikit-learn's behaviour.
    """
    return fit_built(build_pipeline(cfg), features, target)


def fit_built(pipeline: Pipeline, features: Any, target: Any) -> Pipeline:
    """PIPELINE (from `build_pipeline`) fitted as `fit_pipeline` fits it, on one OpenMP thread.

    For a fit on a Dask worker: the pipeline is built here, where the project's classes
    import by name, and travels as an object, so the worker needs none of the project's files.
    One thread: gradient boosting sums gradients in thread order, so two threads and four give
    models that differ in their last bits, and scikit-learn lowers any count to the cores the
    process may use, so no count above one is the same on every machine. One is, and does not
    stall when other processes hold the cores. A forest's trees each draw from their own seed:
    they are the same on any number of processes or workers.
    """
    with threadpool_limits(limits=1, user_api="openmp"):
        rounds = _held_out_rounds(pipeline, features, target)
        if rounds is not None:
            pipeline.set_params(model__max_iter=rounds, model__early_stopping=False)
        return pipeline.fit(features, target)


def _held_out_rounds(pipeline: Pipeline, features: Any, target: Any) -> int | None:
    """The rounds early stopping runs on PIPELINE's data, or None where it does not apply.

    None for a model without `early_stopping: auto`, above EARLY_STOPPING_ROWS (scikit-learn
    stops early itself), or when the held-out rows cannot hold every class of the target.
    """
    model = pipeline[-1]
    params = model.get_params()
    fraction = params.get("validation_fraction")
    rows = len(target)
    if params.get("early_stopping") != "auto" or rows > EARLY_STOPPING_ROWS or not fraction:
        return None
    if is_classifier(model):
        # The held-out rows are a stratified split: every class needs a row on each side.
        counts = np.unique(np.asarray(target), return_counts=True)[1]
        held_out = int(np.ceil(fraction * rows)) if fraction < 1 else int(fraction)
        if counts.min() < 2 or min(held_out, rows - held_out) < len(counts):
            return None
    stopped = clone(pipeline).set_params(model__early_stopping=True)
    rounds: int = stopped.fit(features, target)[-1].n_iter_
    return rounds


def _preprocessor(cfg: DictConfig, *, trees: bool) -> Any:
    encoding = cfg.encoding
    return build_preprocessor(
        cfg.data.numeric,
        cfg.data.categorical,
        scale=not trees,
        encoding="ordinal" if trees else "onehot",
        max_categories=encoding.ordinal_max_categories if trees else encoding.onehot_max_categories,
        min_frequency=encoding.min_frequency,
    )


class SampledFit(BaseEstimator):
    """`estimator` fitted on at most `max_rows` training rows drawn with `seed`, all if fewer.

    Bounds a reference model's fit time (preprocessing included, when `estimator` is a
    pipeline) whatever the size of the training set; predicts on every row.
    """

    def __init__(self, estimator: Any, max_rows: int, seed: int) -> None:
        self.estimator = estimator
        self.max_rows = max_rows
        self.seed = seed

    def fit(self, X: Any, y: Any) -> SampledFit:
        rows = np.arange(X.shape[0])
        if len(rows) > self.max_rows:
            rows = np.sort(np.random.default_rng(self.seed).choice(rows, self.max_rows, False))
        self.estimator_ = clone(self.estimator).fit(_take(X, rows), _take(y, rows))
        if hasattr(self.estimator_, "classes_"):
            self.classes_ = self.estimator_.classes_
        return self

    def predict(self, X: Any) -> Any:
        return self.estimator_.predict(X)

    def predict_proba(self, X: Any) -> Any:
        return self.estimator_.predict_proba(X)


def _take(data: Any, rows: np.ndarray) -> Any:
    return data.iloc[rows] if hasattr(data, "iloc") else np.asarray(data)[rows]


def build_references(cfg: DictConfig) -> dict[str, Any]:
    """The models `evaluate` scores beside the real one, fitted on the same rows.

    `baseline` ignores the features ({{ 'the most frequent class' if cookiecutter.task == 'classification' else 'the mean of the target' }}): a model must beat it to
    have learned anything. `simple` is a {{ 'logistic' if cookiecutter.task == 'classification' else 'ridge' }} regression on the same features: if it is
    as good, the real model's extra cost buys nothing. conf/gates sets the margins required.
    It sees standardised numbers and capped one-hot columns, and is fitted on a seeded sample
    of at most SIMPLE_MAX_ROWS training rows so that it stays seconds long at millions of rows.
    """
    preprocess = _preprocessor(cfg, trees=False)
{%- if cookiecutter.task == 'classification' %}
    baseline = DummyClassifier(strategy="most_frequent")
    simple = LogisticRegression(max_iter=1000, random_state=cfg.seed)
{%- else %}
    baseline = DummyRegressor(strategy="mean")
    simple = Ridge(alpha=1.0, random_state=cfg.seed)
{%- endif %}
    return {
        "baseline": Pipeline([("model", baseline)]),
        "simple": SampledFit(
            Pipeline([("preprocess", preprocess), ("model", simple)]), SIMPLE_MAX_ROWS, cfg.seed
        ),
    }
