"""What each feature is worth to the model, and what it costs: reports/features.json.

Three numbers per feature, on the metric conf/gates `margin.metric` names (its direction from
`gates.lower_is_better`, so a positive number always means the feature helps):

- `importance`: permutation importance, how much the trained model's test score falls when
  the feature's values are shuffled (mean over `contribution.repeats` shuffles);
- `ablation_drop`: how much worse the same model does when refitted without the feature, both
  fits on one seeded sample of at most `contribution.sample_rows` training rows, scored on as
  many test rows. The `gates` stage can require a floor for it (`gates.min_contribution`);
- `cost_ms_per_1k_rows`: the time the feature's own preprocessing takes, in milliseconds per
  1,000 rows, timed on `contribution.timing_rows` rows (best of three). It varies between runs
  and machines, so compare orders of magnitude.

The work is bounded: one refit per feature (plus one with every feature when the training set
is larger than the sample) on at most `sample_rows` rows, whatever the size of the data; a
boosting model is refitted for the rounds the trained one ran (`n_iter_`), not `max_iter`.
Correlated features share credit: dropping one of two copies of the same information costs
nothing, so both can show a drop near zero although the pair matters.
"""

from __future__ import annotations

import json
import time
{%- if cookiecutter.task == 'classification' %}
import warnings
{%- endif %}
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from mlproj.api import InvalidGates, parallel_map
from omegaconf import DictConfig, OmegaConf
from sklearn import metrics as sk_metrics
from threadpoolctl import threadpool_limits

from {{ cookiecutter.package_name }}.data import feature_columns, features_and_target
from {{ cookiecutter.package_name }}.metrics import scores
from {{ cookiecutter.package_name }}.models import as_trained, build_pipeline, build_references

FEATURES_REPORT = "features.json"
TIMING_RUNS = 3


def contributions(
    model: Any, train: pd.DataFrame, test: pd.DataFrame, cfg: DictConfig
) -> dict[str, Any]:
    """Importance, ablation drop and preprocessing cost of each feature of MODEL (see above)."""
    settings = cfg.contribution
    refit = as_trained(cfg, model)
    metric = cfg.gates.margin.metric
    lower = metric in (cfg.gates.get("lower_is_better") or [])
    task = cfg.data.task
    rng = np.random.default_rng(cfg.seed)
    fit_x, fit_y = features_and_target(_sample(train, settings.sample_rows, rng), cfg)
    test_x, test_y = features_and_target(_sample(test, settings.sample_rows, rng), cfg)

    def score(predicted: Any, proba: Any, classes: list[Any]) -> float | None:
        value = _metric(predicted, proba, classes, test_y, task, metric)
        return None if value is None else (-value if lower else value)

    def fitted_score(fitted: Any) -> float | None:
        return score(*_predictions(fitted, test_x, task), list(getattr(fitted, "classes_", [])))

    # One OpenMP thread, as `train` fits: the same numbers on every machine.
    with threadpool_limits(limits=1, user_api="openmp"):
        # When the sample holds the whole training set, the trained model is that refit.
        full = model if len(fit_x) == len(train) else build_pipeline(refit).fit(fit_x, fit_y)
        own, refitted = fitted_score(model), fitted_score(full)
        classes = list(getattr(model, "classes_", []))
        shuffled = _permutations(model, test_x, task, settings.repeats, rng)
        names = feature_columns(cfg)
        # One refit per feature: in parallel where conf/compute says (each on one thread).
        fits = [(_without(refit, name), fit_x, fit_y) for name in names]
        reduced = parallel_map(_fitted, fits)
        report = []
        for name, fitted in zip(names, reduced, strict=True):
            falls = [_difference(own, score(*runs, classes)) for runs in shuffled[name]]
            without = fitted_score(fitted)
            report.append(
                {
                    "name": name,
                    "importance": _mean(falls),
                    "ablation_drop": _difference(refitted, without),
                    "cost_ms_per_1k_rows": _cost(cfg, name, fit_x, settings.timing_rows),
                }
            )
    return {
        "metric": metric,
        "lower_is_better": lower,
        "sample_rows": len(fit_x),
        "scored_rows": len(test_x),
        "repeats": settings.repeats,
        "features": report,
    }


def write_contributions(
    model: Any, train: pd.DataFrame, test: pd.DataFrame, cfg: DictConfig
) -> dict[str, Any]:
    """Write reports/features.json (see `contributions`) and return what it holds."""
    report = contributions(model, train, test, cfg)
    path = Path(cfg.paths.reports) / FEATURES_REPORT
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return report


def _sample(frame: pd.DataFrame, rows: int, rng: np.random.Generator) -> pd.DataFrame:
    """At most ROWS rows drawn with RNG, in their original order; all of them if fewer."""
    if len(frame) <= rows:
        return frame
    return frame.iloc[np.sort(rng.choice(len(frame), rows, replace=False))]


def _predictions(fitted: Any, features: pd.DataFrame, task: str) -> tuple[Any, Any]:
    """Predicted values, and for classification the probabilities they come from."""
    if task != "classification":
        return fitted.predict(features), None
    # Classes from the probabilities: one pass over the model, not two.
    proba = fitted.predict_proba(features)
    return np.asarray(fitted.classes_)[proba.argmax(axis=1)], proba


def _metric(
    predicted: Any, proba: Any, classes: list[Any], target: pd.Series, task: str, metric: str
) -> float | None:
    """METRIC as metrics.py scores it; the common ones directly, at a tenth of the time.

    The permutations score the model dozens of times: all of `scores` each time (ROC AUC, F1)
    would cost more than the predictions. tests/test_contribution.py checks both agree.
    """
    if metric in FAST_METRICS:
        return FAST_METRICS[metric](target, predicted)
    values = scores(task, target, predicted, proba, classes)
    if metric not in values:
        raise InvalidGates(
            f"gates.margin.metric: {metric!r} is not a metric evaluate computes "
            f"(it has: {', '.join(values)})."
        )
    return values[metric]
{%- if cookiecutter.task == 'classification' %}


def _balanced_accuracy(target: pd.Series, predicted: Any) -> float:
    with warnings.catch_warnings():
        # A sample may lack some classes; the score stays well defined on the rest.
        warnings.simplefilter("ignore", UserWarning)
        return round(float(sk_metrics.balanced_accuracy_score(target, predicted)), 6)


FAST_METRICS: dict[str, Callable[[pd.Series, Any], float | None]] = {
    "accuracy": lambda y, p: round(float(sk_metrics.accuracy_score(y, p)), 6),
    "balanced_accuracy": _balanced_accuracy,
}
{%- else %}


def _r2(target: pd.Series, predicted: Any) -> float | None:
    return round(float(sk_metrics.r2_score(target, predicted)), 6) if len(target) > 1 else None


FAST_METRICS: dict[str, Callable[[pd.Series, Any], float | None]] = {
    "r2": _r2,
    "rmse": lambda y, p: round(float(np.sqrt(sk_metrics.mean_squared_error(y, p))), 6),
    "mae": lambda y, p: round(float(sk_metrics.mean_absolute_error(y, p)), 6),
}
{%- endif %}


def _permutations(
    model: Any, features: pd.DataFrame, task: str, repeats: int, rng: np.random.Generator
) -> dict[str, list[tuple[Any, Any]]]:
    """Per feature, the model's predictions on REPEATS copies of FEATURES with it shuffled.

    Every shuffled copy goes through the model in one call: per call, a model of hundreds of
    trees costs more than the rows themselves.
    """
    copies, keys = [], []
    for name in features.columns:
        for _ in range(repeats):
            shuffled = features.copy()
            shuffled[name] = rng.permutation(shuffled[name].to_numpy())
            copies.append(shuffled)
            keys.append(name)
    if not copies:
        return {}
    predicted, proba = _predictions(model, pd.concat(copies, ignore_index=True), task)
    rows = len(features)
    found: dict[str, list[tuple[Any, Any]]] = {name: [] for name in features.columns}
    for index, name in enumerate(keys):
        part = slice(index * rows, (index + 1) * rows)
        found[name].append((predicted[part], None if proba is None else proba[part]))
    return found


def _without(cfg: DictConfig, name: str) -> Any:
    """The project's pipeline without feature NAME; the baseline when none is left.

    Built here and fitted by `_fitted`, wherever conf/compute says: a Dask worker may not
    import the project's classes by name.
    """
    reduced = _only(cfg, [c for c in feature_columns(cfg) if c != name])
    if not feature_columns(reduced):
        return build_references(cfg)["baseline"]
    return build_pipeline(reduced)


def _fitted(model: Any, features: pd.DataFrame, target: pd.Series) -> Any:
    # One OpenMP thread, as `train` fits: the same numbers wherever it runs.
    with threadpool_limits(limits=1, user_api="openmp"):
        return model.fit(features, target)


def _cost(cfg: DictConfig, name: str, features: pd.DataFrame, rows: int) -> float:
    """Milliseconds per 1,000 rows for NAME's preprocessing alone, best of TIMING_RUNS."""
    preprocess = build_pipeline(_only(cfg, [name]))[:-1].fit(features[[name]])
    timed = features[[name]].sample(n=rows, replace=True, random_state=cfg.seed)
    best = float("inf")
    for _ in range(TIMING_RUNS):
        start = time.perf_counter()
        preprocess.transform(timed)
        best = min(best, time.perf_counter() - start)
    return float(f"{best * 1e6 / rows:.3g}")


def _only(cfg: DictConfig, keep: list[str]) -> DictConfig:
    """CFG with only the features in KEEP (numeric and categorical kept apart)."""
    data = {
        "numeric": [c for c in cfg.data.numeric if c in keep],
        "categorical": [c for c in cfg.data.categorical if c in keep],
    }
    merged = OmegaConf.merge(cfg, {"data": data})
    assert isinstance(merged, DictConfig)
    return merged


def _mean(values: list[float | None]) -> float | None:
    """The mean; None when there is none or one is undefined (a metric a sample cannot define)."""
    if not values or any(value is None for value in values):
        return None
    return round(float(np.mean(values)), 6) + 0.0


def _difference(before: float | None, after: float | None) -> float | None:
    if before is None or after is None:
        return None
    return round(before - after, 6) + 0.0  # never -0.0
