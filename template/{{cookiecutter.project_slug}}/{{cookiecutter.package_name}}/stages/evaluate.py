"""Score the model on the test set: metrics for `dvc metrics`, curves for `dvc plots`, slices.

Beside the model, the reference models of `models.build_references` are fitted on the same
training rows and scored on the same test rows, into their own sections of metrics.json
(`baseline`, `simple`), so `dvc metrics show` lists them side by side. Each slice of the test
set declared in conf/slices and conf/inclusion is scored into reports/slices.json, and what
each feature is worth goes to reports/features.json (contribution.py).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from mlproj.api import compute, load_model, neutralise_formulas, parallel_map
from omegaconf import DictConfig
from sklearn.metrics import precision_recall_curve, roc_curve
from sklearn.preprocessing import label_binarize
from threadpoolctl import threadpool_limits

from {{ cookiecutter.package_name }}.contribution import write_contributions
from {{ cookiecutter.package_name }}.data import (
    features_and_target,
    model_columns,
    pipeline_columns,
    read_table,
)
from {{ cookiecutter.package_name }}.evidence import write_evidence
from {{ cookiecutter.package_name }}.metrics import per_class, scores, slice_table
from {{ cookiecutter.package_name }}.models import TRUSTED_TYPES, build_references
from {{ cookiecutter.package_name }}.stages import main


def run(cfg: DictConfig) -> dict[str, Any]:
    """Write metrics.json, the plot data and reports/slices.json; return the metrics.

    The refits (reference models, ablations, the learning curve) run where conf/compute says,
    in parallel; reports/compute/evaluate.json says what ran where.
    """
    reports = Path(cfg.paths.reports) / "compute"
    package = ["{{ cookiecutter.package_name }}"]  # its code goes to the workers, by value
    with compute(cfg, stage="evaluate", reports=reports, ship=package):
        return _evaluate(cfg)


def _evaluate(cfg: DictConfig) -> dict[str, Any]:
    task = cfg.data.task
    model = load_model(Path(cfg.paths.model), TRUSTED_TYPES)
    test = read_table(cfg.data.test, pipeline_columns(cfg))
    features, target = features_and_target(test, cfg)
    predicted, proba = _predict(model, features, task)
    classes = list(getattr(model, "classes_", []))
    plots = Path(cfg.paths.plots)
    plots.mkdir(parents=True, exist_ok=True)
    if task == "classification":
        _classification_plots(plots, target, predicted, proba, classes)
    else:
        _regression_plots(plots, target, predicted)
    result: dict[str, Any] = scores(task, target, predicted, proba, classes)
    train = read_table(cfg.data.train, model_columns(cfg))
    train_features, train_target = features_and_target(train, cfg)
    references = build_references(cfg)
    fits = [(reference, train_features, train_target) for reference in references.values()]
    for name, reference in zip(references, parallel_map(_fitted, fits), strict=True):
        ref_predicted, ref_proba = _predict(reference, features, task)
        result[name] = scores(task, target, ref_predicted, ref_proba, classes)
    if task == "classification":
        result["per_class"] = per_class(target, predicted, proba, classes)
    Path(cfg.paths.metrics).write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")

    columns = list(dict.fromkeys([*cfg.slices.columns, *cfg.inclusion.sensitive]))
    slices = slice_table(
        test,
        columns,
        cfg.slices.min_count,
        lambda rows: scores(
            task, target[rows], predicted[rows], None if proba is None else proba[rows], classes
        ),
    )
    reports = Path(cfg.paths.reports)
    reports.mkdir(parents=True, exist_ok=True)
    (reports / "slices.json").write_text(json.dumps(slices, indent=2) + "\n", encoding="utf-8")
    write_contributions(model, train, test, cfg)
    write_evidence(cfg, model, (train_features, train_target), (features, target))
    return result


def _fitted(model: Any, features: pd.DataFrame, target: pd.Series) -> Any:
    # One thread for OpenMP and BLAS, as `train` fits: the same numbers wherever it runs.
    with threadpool_limits(limits=1):
        return model.fit(features, target)


def _predict(model: Any, features: pd.DataFrame, task: str) -> tuple[np.ndarray, np.ndarray | None]:
    proba = model.predict_proba(features) if task == "classification" else None
    return model.predict(features), proba


def _classification_plots(
    plots: Path, target: pd.Series, predicted: np.ndarray, proba: np.ndarray, classes: list
) -> None:
    # Labels come from the data: one such as `=HYPERLINK(...)` must not run in a spreadsheet.
    pd.DataFrame(
        {
            "actual": neutralise_formulas(target.astype(str)),
            "predicted": neutralise_formulas(predicted.astype(str)),
        }
    ).to_csv(plots / "confusion.csv", index=False)
    # Binary: the positive class's curve. Multiclass: the micro-average over one-vs-rest.
    if len(classes) == 2:
        truth, score = (target == classes[1]).to_numpy(), proba[:, 1]
    else:
        truth, score = label_binarize(target, classes=classes).ravel(), proba.ravel()
    fpr, tpr, _ = roc_curve(truth, score)
    pd.DataFrame({"fpr": fpr, "tpr": tpr}).round(6).to_csv(plots / "roc.csv", index=False)
    precision, recall, _ = precision_recall_curve(truth, score)
    pd.DataFrame({"recall": recall, "precision": precision}).round(6).to_csv(
        plots / "precision_recall.csv", index=False
    )


def _regression_plots(plots: Path, target: pd.Series, predicted: np.ndarray) -> None:
    frame = pd.DataFrame({"actual": target.to_numpy(), "predicted": predicted}).round(6)
    frame.to_csv(plots / "predictions.csv", index=False)
    residuals = frame["actual"] - frame["predicted"]
    pd.DataFrame({"predicted": frame["predicted"], "residual": residuals}).round(6).to_csv(
        plots / "residuals.csv", index=False
    )


if __name__ == "__main__":
    main(run)
