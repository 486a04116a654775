"""What a model must do on an incident's rows, written by a user and checked against a task.

An incident is a failure seen in production; its expectation is the behaviour that proves the
failure gone. Six kinds cover what teams report: a wrong class, a class it should not have
given, a class it should have been sure of, a wrong number, a number out of range, and a crash.
Each fits one task or both, and is checked against the project's task before anything is
stored, so a suite never holds an expectation its model cannot meet.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from mlproj._core.text import brief
from mlproj.data.dataset import Task
from mlproj.errors import InvalidIncident

Kind = Literal["label", "not_label", "min_probability", "value", "range", "no_error"]
TASKS_OF: dict[Kind, tuple[Task, ...]] = {
    "label": ("classification",),
    "not_label": ("classification",),
    "min_probability": ("classification",),
    "value": ("regression",),
    "range": ("regression",),
    "no_error": ("classification", "regression"),
}
# The keys each kind takes besides `kind`. `column` and `value` are alternatives.
FIELDS: dict[Kind, tuple[str, ...]] = {
    "label": ("column", "value"),
    "not_label": ("column", "value"),
    "min_probability": ("class", "threshold"),
    "value": ("column", "value", "tolerance"),
    "range": ("low", "high"),
    "no_error": (),
}


@dataclass(frozen=True)
class Expectation:
    """What the model must do on every row of one incident.

    `column` names a column of the rows holding one value per row; otherwise `value` holds one
    for all rows (a class for `label` and `not_label`, a number for `value`). `origin` is how the
    user wrote it, so messages quote their own words back; it takes no part in equality.
    """

    kind: Kind
    column: str | None = None
    value: str | float | None = None
    label: str | None = None  # the class whose probability `min_probability` bounds
    threshold: float | None = None
    tolerance: float | None = None
    low: float | None = None
    high: float | None = None
    origin: str = field(default="", compare=False)

    @property
    def method(self) -> str:
        """The model method whose output this expectation judges."""
        return "predict_proba" if self.kind == "min_probability" else "predict"

    def for_task(self, task: Task) -> Expectation:
        """Return self if it fits TASK; a regression check on a classifier cannot ever pass."""
        if task not in TASKS_OF[self.kind]:
            fits = TASKS_OF[self.kind][0]
            raise InvalidIncident(f"{self.origin} fits {fits} models; this project does {task}.")
        return self

    def describe(self) -> str:
        """A few words for a listing: what a passing prediction looks like."""
        source = f"column {self.column!r}" if self.column else repr(self.value)
        if self.kind == "label":
            return f"label = {source}"
        if self.kind == "not_label":
            return f"label != {source}"
        if self.kind == "min_probability":
            return f"P({self.label}) >= {self.threshold:g}"
        if self.kind == "value":
            return f"value = {source} ± {self.tolerance:g}"
        if self.kind == "range":
            return f"value in {self.interval}"
        return "predicts without error"

    @property
    def interval(self) -> str:
        """The range as '[low, high]', an open side shown as infinity."""
        return f"[{_bound(self.low, '-inf')}, {_bound(self.high, 'inf')}]"

    def to_mapping(self) -> dict[str, Any]:
        """The expectation as the YAML mapping an incident file holds."""
        fields = {"kind": self.kind, "column": self.column, "value": self.value}
        fields |= {"class": self.label, "threshold": self.threshold, "tolerance": self.tolerance}
        fields |= {"low": self.low, "high": self.high}
        return {key: value for key, value in fields.items() if value is not None}


def _bound(value: float | None, unbounded: str) -> str:
    return unbounded if value is None else f"{value:g}"


def expectation_from_mapping(data: object, where: str) -> Expectation:
    """Read an `expectation:` mapping, naming the field at fault; WHERE prefixes each message."""
    if not isinstance(data, Mapping):
        raise InvalidIncident(
            f"{where}: 'expectation' must be a mapping such as {{kind: no_error}}"
        )
    kind = data.get("kind")
    if not isinstance(kind, str) or kind not in TASKS_OF:
        names = ", ".join(TASKS_OF)
        shown = brief(kind)
        raise InvalidIncident(f"{where}: expectation 'kind' must be one of {names}, not {shown}")
    for key in data:
        if key != "kind" and key not in FIELDS[kind]:
            allowed = " and ".join(repr(k) for k in FIELDS[kind]) or "no other key"
            raise InvalidIncident(
                f"{where}: expectation kind {kind!r} takes {allowed}, not {key!r}"
            )
    at = f"{where}: expectation"
    origin = f"{where}: expectation kind {kind!r}"
    if kind in ("label", "not_label", "value"):
        column, value = _column_or_value(data, kind, at)
        tolerance = _number(data, "tolerance", at, minimum=0.0) if kind == "value" else None
        return Expectation(kind, column, value, tolerance=tolerance, origin=origin)
    if kind == "min_probability":
        label = _text(data.get("class"), f"{at} 'class'")
        threshold = _number(data, "threshold", at)
        if threshold is None or not 0 < threshold <= 1:
            raise InvalidIncident(f"{at} 'threshold' must be a probability in (0, 1]")
        return Expectation(kind, label=label, threshold=threshold, origin=origin)
    if kind == "range":
        low, high = _number(data, "low", at), _number(data, "high", at)
        return _checked_range(Expectation(kind, low=low, high=high, origin=origin), at)
    return Expectation(kind, origin=origin)


def _column_or_value(
    data: Mapping[str, Any], kind: Kind, at: str
) -> tuple[str | None, str | float | None]:
    if ("column" in data) == ("value" in data):
        raise InvalidIncident(f"{at} kind {kind!r} needs exactly one of 'column' and 'value'")
    if "column" in data:
        return _text(data["column"], f"{at} 'column'"), None
    if kind == "value":
        return None, _number(data, "value", at)
    return None, _text(data["value"], f"{at} 'value'")


def _text(value: object, what: str) -> str:
    # YAML reads an unquoted yes/no/null as a boolean or nothing: make the author quote it.
    if isinstance(value, bool) or not isinstance(value, (str, int, float)) or value == "":
        raise InvalidIncident(f"{what} must be text, not {brief(value)}; put it in quotes")
    return label_text(value)


def _number(
    data: Mapping[str, Any], key: str, at: str, *, minimum: float | None = None
) -> float | None:
    value = data.get(key)
    if value is None:
        # Only a range may leave a bound out; a missing tolerance or threshold is a mistake.
        if key in ("tolerance", "threshold"):
            raise InvalidIncident(f"{at} needs {key!r}, a number")
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise InvalidIncident(f"{at} {key!r} must be a number, not {value!r}")
    if minimum is not None and value < minimum:
        raise InvalidIncident(f"{at} {key!r} must be {minimum:g} or more, not {value!r}")
    return float(value)


def _checked_range(expectation: Expectation, at: str) -> Expectation:
    low, high = expectation.low, expectation.high
    if low is None and high is None:
        raise InvalidIncident(f"{at} kind 'range' needs 'low', 'high' or both")
    if low is not None and high is not None and low > high:
        raise InvalidIncident(f"{at} 'low' {low:g} is above 'high' {high:g}")
    return expectation


def label_text(value: object) -> str:
    """A class label as text, so 1, 1.0 and "1" from a CSV, YAML or the model all compare equal."""
    item = getattr(value, "item", None)
    if callable(item):  # a numpy scalar
        value = item()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
