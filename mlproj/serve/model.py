"""A model as the service holds it: what it is called, the rows it takes, and how it answers.

The contract a served model holds its rows to is its own commit's (`predict.contract_at`), cut
down to the features it reads: a key the model does not read is ignored, as the API promises.
"""

from __future__ import annotations

import math
import time
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mlproj._core.text import first_line
from mlproj.data.contract import Contract

if TYPE_CHECKING:
    import pandas as pd

    from mlproj.data.dataset import Task


@dataclass(frozen=True)
class ServedModel:
    """A loaded model and everything a response or a log row says about it."""

    model: Any
    version: str
    contract: Contract
    features: tuple[str, ...]
    task: Task
    commit: str | None = None
    contract_sha256: str | None = None

    @property
    def classes(self) -> list[Any] | None:
        """The classes whose probabilities the model gives, or None (regression, no proba)."""
        if self.task != "classification" or not hasattr(self.model, "predict_proba"):
            return None
        classes = getattr(self.model, "classes_", None)
        return list(classes) if classes is not None else None


def served(
    model: Any,
    version: str,
    contract: Contract,
    task: Task,
    *,
    features: tuple[str, ...] | None = None,
    commit: str | None = None,
    contract_sha256: str | None = None,
) -> ServedModel:
    """A ServedModel reading the model's own `feature_names_in_` (else FEATURES) as its features.

    Its contract keeps the rules of those features only.
    """
    names = getattr(model, "feature_names_in_", None)
    chosen = tuple(str(n) for n in names) if names is not None else tuple(features or ())
    rules = tuple(rule for rule in contract.columns if rule.name in chosen)
    return ServedModel(model, version, Contract(rules), chosen, task, commit, contract_sha256)


class ModelFailed(Exception):
    """The model raised on rows its contract allows: the request gets a 500 naming why."""


@dataclass(frozen=True)
class Scored:
    """One model's answer to the valid rows of a request."""

    version: str
    predictions: list[Any]
    probabilities: list[dict[str, float]] | None
    chosen: list[float | None] | None
    latency_ms: float


def score(served_model: ServedModel, rows: pd.DataFrame) -> Scored:
    """The model's predictions for ROWS (already held to its contract), as JSON values.

    `ModelFailed` when the model raises: one line naming the exception.
    """
    classes = served_model.classes
    start = time.perf_counter()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # sklearn's advice is for the developer, not here
            frame = rows[list(served_model.features)]
            if classes is None:
                predicted, proba = served_model.model.predict(frame), None
            else:
                # One pass: a classifier's prediction is its most probable class.
                proba = served_model.model.predict_proba(frame)
                predicted = [classes[i] for i in proba.argmax(axis=1)]
    except Exception as exc:  # whatever the project's model raises on rows the contract allows
        raise ModelFailed(
            f"the model {served_model.version} cannot predict these rows "
            f"({type(exc).__name__}: {first_line(exc)})"
        ) from None
    latency_ms = (time.perf_counter() - start) * 1000
    predictions = [_plain(value) for value in predicted]
    if proba is None or classes is None:
        return Scored(served_model.version, predictions, None, None, latency_ms)
    names = [str(_plain(c)) for c in classes]
    probabilities = [{name: float(p) for name, p in zip(names, row, strict=True)} for row in proba]
    chosen = [probabilities[i].get(str(label)) for i, label in enumerate(predictions)]
    return Scored(served_model.version, predictions, probabilities, chosen, latency_ms)


def _plain(value: Any) -> Any:
    """A numpy scalar as the Python value JSON can hold; a NaN or infinity as None."""
    value = value.item() if hasattr(value, "item") else value
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
