"""The expectation options of `mlproj add-regression`, turned into one `Expectation`.

Flags are how people write an expectation by hand; incident files are how automation does.
Both end as the same `Expectation`, but the flags need the project's task to mean anything:
`--expected-column` is a class for a classifier and a number for a regressor.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from mlproj.data.dataset import Task
from mlproj.errors import InvalidIncident
from mlproj.incidents.expectations import TASKS_OF, Expectation, Kind

CHOICES: dict[Task, str] = {
    "classification": "--expected-column, --expected-label, --not-label, --not-label-column, "
    "--min-probability or --no-error",
    "regression": "--expected-column or --expected-value with --tolerance, --range or --no-error",
}

# The kind each flag means; None: it depends on the task.
_FLAG_KINDS: dict[str, Kind | None] = {
    "--expected-column": None,
    "--expected-label": "label",
    "--expected-value": "value",
    "--not-label": "not_label",
    "--not-label-column": "not_label",
    "--min-probability": "min_probability",
    "--range": "range",
    "--no-error": "no_error",
}


@dataclass(frozen=True)
class ExpectationFlags:
    """The expectation options of `mlproj add-regression`, as typed.

    They become an `Expectation` only once the project's task is known: `--expected-column`
    means a class for a classifier and a number (with `--tolerance`) for a regressor.
    """

    expected_column: str | None = None
    expected_label: str | None = None
    expected_value: float | None = None
    not_label: str | None = None
    not_label_column: str | None = None
    min_probability: str | None = None
    range: str | None = None
    no_error: bool = False
    tolerance: float | None = None

    def for_task(self, task: Task) -> Expectation:
        """The one expectation the flags give, refusing none, several, or one unfit for TASK."""
        given = self.given()
        if not given:
            raise InvalidIncident(f"say what the model must do on these rows: {CHOICES[task]}.")
        if len(given) > 1:
            names = [flag for flag, _ in given]
            listed = ", ".join(names[:-1]) + f" and {names[-1]}"
            raise InvalidIncident(f"give one expectation, not {listed}.")
        flag, text = given[0]
        origin = f"{flag} {text}" if text else flag
        kind = _FLAG_KINDS[flag] or ("label" if task == "classification" else "value")
        if task not in TASKS_OF[kind]:
            fits = TASKS_OF[kind][0]
            raise InvalidIncident(
                f"{flag} fits {fits} models; this project does {task}: use {CHOICES[task]}."
            )
        self._check_tolerance(flag, kind, task)
        if self.expected_value is not None and not math.isfinite(self.expected_value):
            raise InvalidIncident(f"--expected-value must be a finite number, not {text}.")
        if kind == "min_probability":
            label, threshold = _class_and_probability(text)
            return Expectation(kind, label=label, threshold=threshold, origin=origin)
        if kind == "range":
            low, high = _low_high(text)
            return Expectation(kind, low=low, high=high, origin=origin)
        if kind == "no_error":
            return Expectation(kind, origin=origin)
        if flag.endswith("column"):
            if not text:
                raise InvalidIncident(f"{flag} needs a column name.")
            return Expectation(kind, column=text, tolerance=self.tolerance, origin=origin)
        value: str | float | None = self.expected_value if kind == "value" else text
        return Expectation(kind, value=value, tolerance=self.tolerance, origin=origin)

    def given(self) -> list[tuple[str, str]]:
        """Each expectation flag given, with its value as typed ('' for --no-error)."""
        values = {
            "--expected-column": self.expected_column,
            "--expected-label": self.expected_label,
            "--expected-value": None if self.expected_value is None else f"{self.expected_value:g}",
            "--not-label": self.not_label,
            "--not-label-column": self.not_label_column,
            "--min-probability": self.min_probability,
            "--range": self.range,
            "--no-error": "" if self.no_error else None,
        }
        return [(flag, text) for flag, text in values.items() if text is not None]

    def _check_tolerance(self, flag: str, kind: Kind, task: Task) -> None:
        if kind != "value":
            if self.tolerance is not None:
                if task == "classification":
                    raise InvalidIncident(
                        "--tolerance fits regression models; this project does classification."
                    )
                raise InvalidIncident(
                    f"--tolerance goes with --expected-column or --expected-value, not {flag}."
                )
            return
        if self.tolerance is None:
            raise InvalidIncident(f"{flag} needs --tolerance: how far off a prediction may be.")
        if not math.isfinite(self.tolerance) or self.tolerance < 0:
            raise InvalidIncident(f"--tolerance must be 0 or more, not {self.tolerance:g}.")


def _class_and_probability(text: str) -> tuple[str, float]:
    label, _, probability = text.rpartition("=")
    try:
        threshold = float(probability)
    except ValueError:
        threshold = math.nan
    if not label or not 0 < threshold <= 1:
        raise InvalidIncident(
            f"--min-probability {text!r} is not CLASS=PROBABILITY with a probability in (0, 1], "
            "such as Gentoo=0.8."
        )
    return label, threshold


def _low_high(text: str) -> tuple[float | None, float | None]:
    bounds = [_bound(part) for part in text.split(":")]
    if (
        len(bounds) != 2
        or bounds == [None, None]
        or any(b is not None and not math.isfinite(b) for b in bounds)
    ):
        raise InvalidIncident(
            f"--range {text!r} is not LOW:HIGH, such as 0:10 (leave a side empty for no bound)."
        )
    low, high = bounds
    if low is not None and high is not None and low > high:
        raise InvalidIncident(f"--range {text!r}: low {low:g} is above high {high:g}.")
    return low, high


def _bound(part: str) -> float | None:
    if not part.strip():
        return None
    try:
        return float(part)
    except ValueError:
        return math.nan
