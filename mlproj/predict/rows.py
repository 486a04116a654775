"""Which rows of a chunk keep the data contract, and why each of the others does not.

`validate_frame` says every break of a chunk at once; here the breaks are turned round, from
"column x breaks max in rows 3, 9" to "row 3: x is 12.5, above max 10", which is what a
rejected row carries beside it and what the refusal of a whole file names.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mlproj._core.text import brief, listing
from mlproj.errors import ContractViolation

if TYPE_CHECKING:
    import pandas as pd

    from mlproj.data.contract import Break, ColumnRule, Contract


@dataclass(frozen=True)
class Checked:
    """A chunk split in two: the rows that keep the contract (coerced) and those that do not."""

    valid: pd.DataFrame
    rejected: pd.DataFrame
    reasons: dict[Any, list[str]]


def check_rows(chunk: pd.DataFrame, contract: Contract, *, source: str) -> Checked:
    """Validate CHUNK against CONTRACT, setting aside every row that breaks it."""
    from mlproj.data.contract import validate_frame

    try:
        return Checked(validate_frame(chunk, contract, source=source), chunk.iloc[:0], {})
    except ContractViolation as exc:
        failures: list[Break] = getattr(exc, "failures", [])
        reasons: dict[Any, list[str]] = {}
        for failure in failures:
            rule = contract.rule(failure.column)
            for row, value in zip(failure.rows, failure.values, strict=False):
                reasons.setdefault(row, []).append(describe(rule, failure.rule, value))
        bad = chunk.index.isin(list(reasons))
        if not failures or int(bad.sum()) != len(reasons):
            raise  # a break not tied to rows: the file, not some rows, is at fault
    kept = chunk[~bad]
    valid = validate_frame(kept, contract, source=source)
    ordered = {row: reasons[row] for row in chunk.index[bad]}
    return Checked(valid, chunk[bad], ordered)


def describe(rule: ColumnRule, broken: str, value: Any) -> str:
    """One break in a row's words: `column 'x' is 12.5, above max 10`."""
    column = f"column {rule.name!r}"
    if broken == "nullable":
        return f"{column} is empty, and the contract says it never is"
    if broken == "kind":
        return f"{column} holds {brief(value)}, expected {rule.kind}"
    if broken == "min":
        return f"{column} is {brief(value)}, below min {rule.minimum}"
    if broken == "max":
        return f"{column} is {brief(value)}, above max {rule.maximum}"
    if broken == "allowed" and rule.allowed is not None:
        return f"{column} is {brief(value)}, not one of {listing(list(rule.allowed))}"
    return f"{column} breaks {broken!r} with {brief(value)}"


def refusal(checked: Checked, *, source: str, hint: str) -> str:
    """The one line that refuses a file: its first bad row, why, and how many more there are."""
    rows = list(checked.reasons)
    first = rows[0]
    line = f"{source}: row {first + 1} breaks the data contract: {checked.reasons[first][0]}"
    others = len(checked.reasons[first]) - 1
    if others:
        line += f" (and {others} more in that row)"
    if len(rows) > 1:
        line += f"; {len(rows) - 1} more row(s) up to row {rows[-1] + 1} break it too"
    return f"{line}. {hint}"
