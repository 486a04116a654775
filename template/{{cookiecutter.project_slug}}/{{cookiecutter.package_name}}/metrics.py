"""How a model is scored: the numbers `dvc metrics show` and `dvc metrics diff` compare.

The same functions score the model, the reference models beside it (conf/gates `margin`) and
each slice of the test set (conf/slices), so every number in metrics.json and
reports/slices.json means the same thing. A metric that a slice cannot define (ROC AUC where a
class is absent, R² on one row) is None: written as null, never gated as if it were a score.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd
from mlproj.api import InvalidGates
from sklearn import metrics

Scores = dict[str, float | None]
# The slice of rows whose slice column is empty.
MISSING = "(missing)"


def classification_metrics(
    y_true: pd.Series, y_pred: np.ndarray, proba: np.ndarray, classes: Sequence[object]
) -> Scores:
    """Accuracy, balanced accuracy, macro F1 and ROC AUC (one-vs-rest, macro, if multiclass)."""
    auc = None
    if set(y_true) == set(classes):  # AUC is undefined when a class has no row to rank
        if len(classes) == 2:
            auc = float(metrics.roc_auc_score(y_true == classes[1], proba[:, 1]))
        else:
            auc = float(
                metrics.roc_auc_score(y_true, proba, multi_class="ovr", labels=list(classes))
            )
    with warnings.catch_warnings():
        # A slice may lack some classes; the scores below stay well defined on the rest.
        warnings.simplefilter("ignore", UserWarning)
        balanced = float(metrics.balanced_accuracy_score(y_true, y_pred))
    return {
        "accuracy": float(metrics.accuracy_score(y_true, y_pred)),
        "balanced_accuracy": balanced,
        "f1_macro": float(metrics.f1_score(y_true, y_pred, average="macro")),
        "roc_auc": auc,
    }


def per_class(
    y_true: pd.Series, y_pred: np.ndarray, proba: np.ndarray, classes: Sequence[object]
) -> dict[str, dict[str, Any]]:
    """Each class's one-vs-rest ROC AUC, precision, recall, F1, support and confusion row.

    Averages hide a class the model fails: 0.95 accuracy can be a rare class never found. The
    confusion row counts the class's test rows by the class predicted for them, in the order of
    the classes here; a list, so `dvc metrics show` (which skips lists) stays one column per
    score. AUC is None for a class with no test row (or no other class): ranking is undefined.
    """
    labels = list(classes)
    truth = np.asarray(y_true)
    precision, recall, f1, support = metrics.precision_recall_fscore_support(
        truth, y_pred, labels=labels, zero_division=0
    )
    confusion = metrics.confusion_matrix(truth, y_pred, labels=labels)
    table: dict[str, dict[str, Any]] = {}
    for i, label in enumerate(labels):
        positive = truth == label
        defined = 0 < positive.sum() < len(positive)
        auc = float(metrics.roc_auc_score(positive, proba[:, i])) if defined else None
        values = {"roc_auc": auc, "precision": precision[i], "recall": recall[i], "f1": f1[i]}
        table[str(label)] = {
            **rounded({name: None if v is None else float(v) for name, v in values.items()}),
            "support": int(support[i]),
            "confusion": [int(count) for count in confusion[i]],
        }
    return table


def regression_metrics(y_true: pd.Series, y_pred: np.ndarray) -> Scores:
    """RMSE, MAE and R² (None on fewer than two rows, where it is undefined)."""
    return {
        "rmse": float(np.sqrt(metrics.mean_squared_error(y_true, y_pred))),
        "mae": float(metrics.mean_absolute_error(y_true, y_pred)),
        "r2": float(metrics.r2_score(y_true, y_pred)) if len(y_true) > 1 else None,
    }


def scores(
    task: str,
    y_true: pd.Series,
    y_pred: np.ndarray,
    proba: np.ndarray | None,
    classes: Sequence[object],
) -> Scores:
    """The task's metrics, rounded as metrics.json keeps them; PROBA is for classification."""
    if task == "classification":
        assert proba is not None
        return rounded(classification_metrics(y_true, y_pred, proba, classes))
    return rounded(regression_metrics(y_true, y_pred))


def rounded(scores: Scores) -> Scores:
    """Six decimals: enough to compare, short enough to read in a diff."""
    return {name: None if value is None else round(value, 6) for name, value in scores.items()}


def slice_table(
    frame: pd.DataFrame,
    columns: Sequence[str],
    min_count: int,
    score_rows: Callable[[np.ndarray], Scores],
) -> dict[str, Any]:
    """Scores per value of each column, with row counts; slices under MIN_COUNT flagged tiny.

    SCORE_ROWS scores the rows a boolean mask selects. Values are compared as text, and empty
    cells form their own slice, so rows with a missing value are seen rather than dropped.
    """
    table: dict[str, list[dict[str, Any]]] = {}
    for column in columns:
        if column not in frame.columns:
            raise InvalidGates(
                f"slices: no column {column!r} in the test set (declared in conf/slices or "
                "conf/inclusion)."
            )
        values = frame[column].astype("string").fillna(MISSING)
        table[column] = []
        for value in sorted(values.unique()):
            rows = (values == value).to_numpy()
            count = int(rows.sum())
            table[column].append(
                {
                    "value": str(value),
                    "count": count,
                    "tiny": count < min_count,
                    "metrics": score_rows(rows),
                }
            )
    # The whole test set's size: the gates skip margins measured on too few rows to mean much.
    return {"min_count": min_count, "rows": len(frame), "columns": table}
