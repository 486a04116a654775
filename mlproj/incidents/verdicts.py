"""Judge what a model gave on an incident's rows against the incident's expectation.

Judging is vectorised over the rows, so a suite of thousands of rows costs one comparison per
incident. A row the model raised on fails whatever the expectation: a crash is never the
behaviour a team asked for, and "predicts without error" asks for nothing else.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mlproj._core.text import listing
from mlproj.incidents.expectations import Expectation, label_text

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
    import pandas as pd

    Mask = npt.NDArray[np.bool_]

# Failing rows named in a message; the report file lists them all.
LISTED = 10


@dataclass(frozen=True, eq=False)
class Output:
    """What the model gave for each row of one incident.

    `values` holds predictions (rows,) or, with `classes`, probabilities (rows, classes). A row
    in `errors` (position -> "the model raised ValueError: ...") holds filler in `values` and
    always fails.
    """

    values: Any
    errors: Mapping[int, str] = field(default_factory=dict)
    classes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Verdict:
    """Which rows of an incident fail (positions in its rows file, from 0) and why the first."""

    rows: int
    failing: tuple[int, ...]
    detail: str = ""

    @property
    def passed(self) -> bool:
        """True when every row meets the expectation."""
        return not self.failing

    @property
    def message(self) -> str:
        """One line for a summary: how many rows fail, which, and why the first one does."""
        if self.passed:
            return f"all {self.rows} rows pass"
        if len(self.failing) == 1:
            return f"1 of {self.rows} rows fails: {self.detail}"
        failing = f"{len(self.failing)} of {self.rows} rows fail ({rows_text(self.failing)})"
        return f"{failing}; {self.detail}"


def rows_text(rows: tuple[int, ...]) -> str:
    """'rows 0, 3 and 12 more', capped so one incident never floods a terminal."""
    return f"row{'s' if len(rows) > 1 else ''} " + listing([str(row) for row in rows], LISTED)


def judge(expectation: Expectation, rows: pd.DataFrame, output: Output) -> Verdict:
    """Hold OUTPUT, the model's answer on ROWS, against EXPECTATION."""
    import numpy as np

    count = len(rows)
    if count and len(output.errors) == count:  # nothing to judge: every row raised
        return Verdict(count, tuple(range(count)), f"row 0: {output.errors[0]}")
    if expectation.kind == "min_probability" and expectation.label not in output.classes:
        known = ", ".join(output.classes)
        reason = f"the model has no class {expectation.label!r} (its classes: {known})"
        return Verdict(count, tuple(range(count)), reason)
    ok = np.asarray(_passes(expectation, rows, output), dtype=bool)
    for position in output.errors:
        ok[position] = False
    failing = tuple(int(position) for position in np.flatnonzero(~ok))
    if not failing:
        return Verdict(count, ())
    first = failing[0]
    if first in output.errors:
        return Verdict(count, failing, f"row {first}: {output.errors[first]}")
    return Verdict(count, failing, f"row {first}: {_why(expectation, rows, output, first)}")


def _passes(expectation: Expectation, rows: pd.DataFrame, output: Output) -> Mask:
    import numpy as np

    kind = expectation.kind
    if kind in ("label", "not_label"):
        predicted = np.array([label_text(v) for v in output.values], dtype=object)
        expected = np.array([label_text(v) for v in _expected(expectation, rows)], dtype=object)
        same: Mask = predicted == expected
        return same if kind == "label" else ~same
    if kind == "min_probability":
        return np.asarray(_probability(expectation, output) >= (expectation.threshold or 0.0))
    predicted = _numbers(output.values)
    if kind == "value":
        distance = np.abs(predicted - _numbers(_expected(expectation, rows)))
        return np.asarray(distance <= (expectation.tolerance or 0.0))
    if kind == "range":
        low = -np.inf if expectation.low is None else expectation.low
        high = np.inf if expectation.high is None else expectation.high
        return np.asarray((predicted >= low) & (predicted <= high))
    # no_error: any label is an answer, but a regressor's NaN or infinity is not.
    return np.array([_answered(value) for value in output.values], dtype=bool)


def _why(expectation: Expectation, rows: pd.DataFrame, output: Output, row: int) -> str:
    kind = expectation.kind
    if kind == "min_probability":
        probability = float(_probability(expectation, output)[row])
        return f"P({expectation.label}) = {probability:.3g}, below {expectation.threshold:g}"
    predicted = output.values[row]
    if kind == "no_error":
        return f"predicted {predicted}, not a finite number"
    if kind == "range":
        return f"predicted {float(predicted):g}, outside {expectation.interval}"
    expected = _expected(expectation, rows)[row]
    if kind == "value":
        return (
            f"predicted {float(predicted):g}, expected {float(expected):g} "
            f"± {expectation.tolerance:g}"
        )
    if kind == "label":
        return f"predicted {label_text(predicted)!r}, expected {label_text(expected)!r}"
    return f"predicted {label_text(predicted)!r}, the label it must not give"


def _expected(expectation: Expectation, rows: pd.DataFrame) -> list[Any]:
    if expectation.column is not None:
        return list(rows[expectation.column])
    return [expectation.value] * len(rows)


def _probability(expectation: Expectation, output: Output) -> Any:
    import numpy as np

    column = output.classes.index(label_text(expectation.label))
    probabilities = np.asarray(output.values, dtype=float)
    return np.nan_to_num(probabilities[:, column], nan=-1.0)


def _numbers(values: Any) -> Any:
    import pandas as pd

    return pd.to_numeric(pd.Series(list(values), dtype=object), errors="coerce").to_numpy(float)


def _answered(value: object) -> bool:
    import numbers

    return not isinstance(value, numbers.Real) or math.isfinite(float(value))
