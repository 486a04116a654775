"""The data contract's rules value by value, for the few rows of one request.

`data.contract.validate_frame` checks a table with pandera: right for a file of a million rows,
but its fixed cost per call (about 15 ms of CPU on the 2-core machine) was the largest part of
answering a one-row request. The same rules, value by value, cost microseconds; a test holds
their verdicts equal to `validate_frame`'s on every kind of value a JSON body can carry.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from mlproj.data.contract import as_flag

if TYPE_CHECKING:
    import pandas as pd

    from mlproj.data.contract import ColumnRule


def broken_rules(rule: ColumnRule, value: Any) -> list[str]:
    """The rules of RULE that VALUE breaks (`nullable`, `kind`, `min`, `max`, `allowed`)."""
    if is_null(value):
        return [] if rule.nullable else ["nullable"]
    broken = []
    if rule.kind in ("numeric", "integer"):
        number = as_number(value)
        # An infinity is not whole either: inf % 1 is NaN, which is not 0.
        if number is None or (rule.kind == "integer" and number % 1 != 0):
            broken.append("kind")
        if number is not None and rule.minimum is not None and number < rule.minimum:
            broken.append("min")
        if number is not None and rule.maximum is not None and number > rule.maximum:
            broken.append("max")
    elif rule.kind == "boolean" and as_flag(value) is None:
        broken.append("kind")
    if rule.allowed is not None and str(value) not in rule.allowed:
        broken.append("allowed")
    return broken


def coerced(rule: ColumnRule, values: list[Any]) -> pd.Series:
    """VALUES (each keeping RULE) as the column `validate_frame` would give for them."""
    import pandas as pd

    if rule.kind == "numeric":
        return pd.Series([_float(v) for v in values], dtype="float64")
    if rule.kind == "integer":
        numbers = [None if is_null(v) else int(as_number(v) or 0) for v in values]
        return pd.Series(numbers, dtype="Int64" if rule.nullable else "int64")
    if rule.kind == "boolean":
        flags = [None if is_null(v) else as_flag(v) for v in values]
        return pd.Series(flags, dtype="boolean" if rule.nullable else "bool")
    return pd.Series(values, dtype=object)


def is_null(value: Any) -> bool:
    """None, or a float NaN: what pandas counts as missing in a column of JSON values."""
    return value is None or (isinstance(value, float) and math.isnan(value))


def as_number(value: Any) -> float | None:
    """VALUE as a number as pandas' `to_numeric` reads it (text included), or None."""
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            return None
        return None if math.isnan(number) else number
    return None


def _float(value: Any) -> float:
    number = None if is_null(value) else as_number(value)
    return math.nan if number is None else number
