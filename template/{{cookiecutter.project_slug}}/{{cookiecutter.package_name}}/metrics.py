"""How a model is scored: the numbers `dvc metrics show` and `dvc metrics diff` compare."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from sklearn import metrics


def classification_metrics(
    y_true: pd.Series, y_pred: np.ndarray, proba: np.ndarray, classes: Sequence[object]
) -> dict[str, float]:
    """Accuracy, balanced accuracy, macro F1 and ROC AUC (one-vs-rest, macro, if multiclass)."""
    if len(classes) == 2:
        auc = metrics.roc_auc_score(y_true == classes[1], proba[:, 1])
    else:
        auc = metrics.roc_auc_score(y_true, proba, multi_class="ovr", labels=list(classes))
    return {
        "accuracy": float(metrics.accuracy_score(y_true, y_pred)),
        "balanced_accuracy": float(metrics.balanced_accuracy_score(y_true, y_pred)),
        "f1_macro": float(metrics.f1_score(y_true, y_pred, average="macro")),
        "roc_auc": float(auc),
    }


def regression_metrics(y_true: pd.Series, y_pred: np.ndarray) -> dict[str, float]:
    """RMSE, MAE and R²."""
    return {
        "rmse": float(np.sqrt(metrics.mean_squared_error(y_true, y_pred))),
        "mae": float(metrics.mean_absolute_error(y_true, y_pred)),
        "r2": float(metrics.r2_score(y_true, y_pred)),
    }
