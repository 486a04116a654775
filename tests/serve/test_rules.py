"""The contract's rules value by value give `validate_frame`'s verdicts and types, every time."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from mlproj.data.contract import ColumnRule, Contract, validate_frame
from mlproj.errors import ContractViolation
from mlproj.serve.rules import broken_rules, coerced

# What a JSON body can hold in one cell (Python's json reads NaN and Infinity too).
VALUES = [None, math.nan, 0, 1, -1, 2.5, 3.0, 100, 1e9, -1e9, math.inf, True, False,
          "1", "2.5", " 3 ", "x", "", "true", "False", "nan", "1e3", "red", "blue"]  # fmt: skip
RULES = [
    ColumnRule("c", "numeric", False, -5, 10),
    ColumnRule("c", "numeric", True),
    ColumnRule("c", "integer", False, 0, 50),
    ColumnRule("c", "integer", True),
    ColumnRule("c", "boolean", False),
    ColumnRule("c", "boolean", True),
    ColumnRule("c", "categorical", False, allowed=("red", "blue", "1")),
    ColumnRule("c", "categorical", True),
]


@pytest.mark.parametrize("rule", RULES, ids=lambda r: f"{r.kind}-{'null' if r.nullable else 'set'}")
def test_each_value_breaks_what_validate_frame_says_and_keeps_its_type(rule: ColumnRule) -> None:
    contract = Contract((rule,))
    frame = pd.DataFrame({"c": pd.Series(VALUES, dtype=object)})
    expected: dict[int, list[str]] = {row: [] for row in range(len(VALUES))}
    try:
        validate_frame(frame, contract)
    except ContractViolation as exc:
        for failure in exc.failures:  # type: ignore[attr-defined]
            for row in failure.rows:
                expected[row].append(failure.rule)
    assert {row: sorted(broken_rules(rule, v)) for row, v in enumerate(VALUES)} == {
        row: sorted(rules) for row, rules in expected.items()
    }
    kept = [v for row, v in enumerate(VALUES) if not expected[row]]
    typed = validate_frame(pd.DataFrame({"c": pd.Series(kept, dtype=object)}), contract)["c"]
    mine = coerced(rule, kept)
    assert mine.dtype == typed.dtype
    assert mine.isna().tolist() == typed.isna().tolist()
    assert mine.dropna().tolist() == typed.dropna().tolist()
