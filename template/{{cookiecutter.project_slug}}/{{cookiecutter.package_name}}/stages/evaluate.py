"""Score the model on the test set: metrics for `dvc metrics`, curves for `dvc plots`."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
from mlproj.modelio import load_model
from omegaconf import DictConfig
from sklearn.metrics import precision_recall_curve, roc_curve
from sklearn.preprocessing import label_binarize

from {{ cookiecutter.package_name }}.data import features_and_target, read_table
from {{ cookiecutter.package_name }}.metrics import classification_metrics, regression_metrics
from {{ cookiecutter.package_name }}.models import TRUSTED_TYPES
from {{ cookiecutter.package_name }}.stages import main


def run(cfg: DictConfig) -> dict[str, float]:
    """Write metrics.json and the plot data; return the metrics."""
    model = load_model(Path(cfg.paths.model), TRUSTED_TYPES)
    features, target = features_and_target(read_table(cfg.data.test), cfg)
    predicted = model.predict(features)
    plots = Path(cfg.paths.plots)
    plots.mkdir(parents=True, exist_ok=True)
    if cfg.data.task == "classification":
        proba = model.predict_proba(features)
        scores = classification_metrics(target, predicted, proba, list(model.classes_))
        _classification_plots(plots, target, predicted, proba, list(model.classes_))
    else:
        scores = regression_metrics(target, predicted)
        _regression_plots(plots, target, predicted)
    scores = {name: round(value, 6) for name, value in scores.items()}
    Path(cfg.paths.metrics).write_text(json.dumps(scores, indent=2) + "\n", encoding="utf-8")
    return scores


def _classification_plots(
    plots: Path, target: pd.Series, predicted: np.ndarray, proba: np.ndarray, classes: list
) -> None:
    pd.DataFrame({"actual": target.astype(str), "predicted": predicted.astype(str)}).to_csv(
        plots / "confusion.csv", index=False
    )
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
