"""Evidence of how the model was developed: its learning curve and how fast it goes stale.

Both refit the configured model (`models.build_pipeline`) on other rows than the trained one:

- the learning curve fits it on growing seeded subsets of the training rows and scores each on
  the test set (plots/learning_curve.csv, drawn by `dvc plots`). A test score still rising at
  the largest size says more data would help; train and test scores far apart say it overfits.
- the staleness check, when conf/data names a `time_column`, fits it on the oldest rows and
  scores it on newer ones at growing gaps (reports/staleness.json): how fast the model ages,
  hence how often it needs retraining. Without a time column the file says it was skipped.

conf/evidence bounds both (rows sampled, sizes, windows), so they cost about the same at any
number of rows.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from mlproj.api import parallel_map
from omegaconf import DictConfig

from {{ cookiecutter.package_name }}.data import features_and_target, model_columns, read_table
from {{ cookiecutter.package_name }}.metrics import scores
from {{ cookiecutter.package_name }}.models import as_trained, build_pipeline, fit_built

LEARNING_CURVE = "learning_curve.csv"
STALENESS = "staleness.json"
# Fewer rows than this and a fit or a score says nothing.
MIN_ROWS = 10
Frame = tuple[pd.DataFrame, pd.Series]


def write_evidence(cfg: DictConfig, model: Any, train: Frame, test: Frame) -> None:
    """Write the learning curve into paths.plots and the staleness check into paths.reports."""
    curve = learning_curve(cfg, model, train, test)
    curve.to_csv(Path(cfg.paths.plots) / LEARNING_CURVE, index=False)
    reports = Path(cfg.paths.reports)
    reports.mkdir(parents=True, exist_ok=True)
    report = staleness(cfg, _timed_rows(cfg))
    (reports / STALENESS).write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")


def learning_curve(cfg: DictConfig, model: Any, train: Frame, test: Frame) -> pd.DataFrame:
    """conf/evidence's metric on the training rows fitted and on the test set, per size.

    The subsets are nested prefixes of one seeded sample of at most `max_rows` training rows,
    at `sizes` sizes spaced evenly on a log scale. When the sample is the whole training set,
    its largest point is MODEL itself (the trained model, not refitted); when it is not, the
    trained model is one more point, at the full size. Train scores are on the fitted rows.
    A boosting model is refitted for the rounds the trained one ran (`models.as_trained`).
    """
    settings = cfg.evidence.learning_curve
    features, target = train
    sample = _sample(len(features), settings.max_rows, cfg.seed)
    sizes = _sizes(len(sample), settings.sizes)
    classes = _classes(model, target) if cfg.data.task == "classification" else []
    refit = as_trained(cfg, model)  # a boosting model's refits run the rounds it ran
    points = []
    for size in sizes:
        fitted_rows = sample[:size]
        x, y = features.iloc[fitted_rows], target.iloc[fitted_rows]
        whole = size == len(features)
        if not whole and not _learnable(cfg, y):
            continue  # a rare class can leave a small subset with one class: nothing to fit
        points.append((size, x, y, whole))
    # The refits run in parallel where conf/compute says; the whole set is the trained model.
    fits = [(build_pipeline(refit), x, y) for _, x, y, whole in points if not whole]
    refits = iter(parallel_map(fit_built, fits))
    rows = []
    for size, x, y, whole in points:
        fitted = model if whole else next(refits)
        rows.append(_point(cfg, fitted, size, (x, y), test, classes))
    if len(sample) < len(features):
        x, y = features.iloc[sample], target.iloc[sample]
        rows.append(_point(cfg, model, len(features), (x, y), test, classes))
    return pd.DataFrame(rows, columns=["train_rows", "train", "test"])


def staleness(cfg: DictConfig, frame: pd.DataFrame | None) -> dict[str, Any]:
    """conf/evidence's metric for a model fitted on the oldest rows, on newer ones by age.

    The oldest `train_share` of the labelled rows (train and test sets together, a seeded
    sample of at most `max_rows`) is fitted on, but for a fifth of it held out as the score
    at no gap; the newer rows are cut into `windows` windows of equal row counts, each scored
    with its gap in days (from the last fitted row's time to the window's median time).
    FRAME is None when conf/data names no time column.
    """
    settings, metric = cfg.evidence.staleness, cfg.evidence.metric
    column = cfg.data.get("time_column")
    if frame is None or not column:
        return {"skipped": "no time column: set time_column in conf/data to a date column"}
    times = _times(frame[column])
    frame = frame.assign(**{column: times}).dropna(subset=[column])
    unparsed = int(times.isna().sum())
    frame = frame.iloc[_sample(len(frame), settings.max_rows, cfg.seed)].sort_values(
        column, kind="stable"
    )
    older = int(len(frame) * settings.train_share)
    held_out = np.random.default_rng(cfg.seed).random(older) < 0.2
    if older - held_out.sum() < MIN_ROWS or len(frame) - older < settings.windows * MIN_ROWS:
        return {
            "skipped": f"too few rows with a {column} ({len(frame)}) to fit on older rows and "
            f"score {settings.windows} newer windows of {MIN_ROWS}+ rows each",
            "time_column": column,
        }
    fit_rows = frame.iloc[:older][~held_out]
    if not _learnable(cfg, fit_rows[cfg.data.target]):
        return {"skipped": f"the oldest rows by {column} hold one class", "time_column": column}
    model = fit_built(build_pipeline(cfg), *features_and_target(fit_rows, cfg))
    classes = _classes(None, frame[cfg.data.target]) if cfg.data.task == "classification" else []
    end = fit_rows[column].max()
    parts = [("in period", frame.iloc[:older][held_out])]
    windows = np.array_split(np.arange(older, len(frame)), settings.windows)
    parts += [(f"window {n}", frame.iloc[rows]) for n, rows in enumerate(windows, 1)]
    points = []
    for name, rows in parts:
        when = rows[column]
        gap = 0.0 if name == "in period" else (when.median() - end) / pd.Timedelta(days=1)
        points.append(
            {
                "window": name,
                "from": str(when.min()),
                "to": str(when.max()),
                "gap_days": round(max(float(gap), 0.0), 3),
                "rows": len(rows),
                metric: _score(cfg, model, *features_and_target(rows, cfg), classes),
            }
        )
    return {
        "time_column": column,
        "metric": metric,
        "fitted_rows": len(fit_rows),
        "fitted_until": str(end),
        "rows_without_time": unparsed,
        "points": points,
    }


def _timed_rows(cfg: DictConfig) -> pd.DataFrame | None:
    """Train and test rows with the time column, or None when conf/data names none."""
    column = cfg.data.get("time_column")
    if not column:
        return None
    columns = [*model_columns(cfg), column]
    frames = [read_table(path, columns) for path in (cfg.data.train, cfg.data.test)]
    return pd.concat(frames, ignore_index=True)


def _times(values: pd.Series) -> pd.Series:
    """VALUES as UTC timestamps; a value that is no date becomes NaT (and its row is dropped)."""
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        return pd.to_datetime(values, utc=True)
    return pd.to_datetime(values.astype("string"), errors="coerce", utc=True, format="mixed")


def _sample(rows: int, max_rows: int, seed: int) -> np.ndarray:
    """A seeded permutation of ROWS positions, cut to MAX_ROWS: its prefixes are nested samples."""
    return np.random.default_rng(seed).permutation(rows)[:max_rows]


def _sizes(rows: int, count: int) -> list[int]:
    """COUNT sizes up to ROWS, evenly spaced on a log scale from an eighth of it."""
    smallest = min(rows, max(MIN_ROWS, rows // 8))
    return sorted({int(size) for size in np.geomspace(smallest, rows, max(count, 1))} | {rows})


def _learnable(cfg: DictConfig, target: pd.Series) -> bool:
    """Whether a model can be fitted on TARGET: two classes at least, for classification."""
    return cfg.data.task != "classification" or target.nunique() >= 2


def _classes(model: Any, target: pd.Series) -> list[Any]:
    """MODEL's classes, or TARGET's sorted as scikit-learn sorts them."""
    return list(getattr(model, "classes_", np.unique(target.to_numpy())))


def _point(
    cfg: DictConfig, model: Any, size: int, fitted: Frame, test: Frame, classes: list[Any]
) -> dict[str, Any]:
    return {
        "train_rows": size,
        "train": _score(cfg, model, *fitted, classes),
        "test": _score(cfg, model, *test, classes),
    }


def _score(
    cfg: DictConfig, model: Any, features: pd.DataFrame, target: pd.Series, classes: Sequence[Any]
) -> float | None:
    """conf/evidence's metric of MODEL on these rows; probabilities aligned to CLASSES.

    A model fitted on a small subset may have seen fewer classes than the test set holds:
    its probabilities for the others are 0.
    """
    task, metric = cfg.data.task, cfg.evidence.metric
    predicted = model.predict(features)
    proba = None
    if task == "classification":
        seen = model.predict_proba(features)
        proba = np.zeros((len(features), len(classes)))
        for column, label in enumerate(model.classes_):
            proba[:, list(classes).index(label)] = seen[:, column]
    return scores(task, target, predicted, proba, classes).get(metric)
