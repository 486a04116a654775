"""Example rows that satisfy a data contract.

A generated project's tests run on these when its real data is not there (a fresh clone
before `dvc pull`): the code paths are exercised without shipping or fetching the data.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from mlproj.data.contract import ColumnRule, Contract

# Share of missing values put in each nullable column, so imputation paths run too.
MISSING_RATE = 0.1


def synthesize(contract: Contract, rows: int, *, seed: int = 0) -> pd.DataFrame:
    """ROWS random rows within the contract's kinds, ranges and allowed values."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    columns = {rule.name: _column(rule, rows, rng) for rule in contract.columns}
    return pd.DataFrame(columns)


def _column(rule: ColumnRule, rows: int, rng: np.random.Generator) -> pd.Series:
    import pandas as pd

    low = rule.minimum if rule.minimum is not None else 0.0
    high = rule.maximum if rule.maximum is not None else low + 100.0
    values: pd.Series
    if rule.kind == "boolean":
        values = pd.Series(rng.random(rows) < 0.5, dtype="object")
    elif rule.kind == "integer":
        values = pd.Series(rng.integers(int(low), int(high) + 1, size=rows), dtype="Int64")
    elif rule.kind == "numeric":
        values = pd.Series(rng.uniform(low, high, size=rows))
    else:
        choices = list(rule.allowed) if rule.allowed else [f"{rule.name}_{i}" for i in range(rows)]
        # Cycle through the categories first so each appears, then draw at random.
        picks = [choices[i % len(choices)] for i in range(min(rows, len(choices)))]
        picks += list(rng.choice(choices, size=rows - len(picks)))
        values = pd.Series(picks, dtype="object")
    if rule.nullable and rows >= 10:
        values = values.astype("object")
        values[rng.random(rows) < MISSING_RATE] = None
        if rule.kind in {"numeric", "integer"}:
            values = pd.to_numeric(values)
    return values
