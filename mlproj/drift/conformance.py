"""Hold a batch to the data contract without refusing what it exists to judge.

Two kinds of break. A batch that lacks a feature, or holds in one a value the contract's
coercion cannot read as its kind (text in a numeric column, 2.5 in an integer one), cannot
be compared with the reference: it is refused, in one line, before anything is written.
Values outside a rule (below `min`, above `max`, a category not `allowed`, a gap where the
contract says never missing) are what production looks like when it moves: they are counted
per row, shown by example and gated by `max_out_of_contract_share`, and stay in every
statistic, since a value the model never saw is exactly the drift the report is for.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mlproj._core.text import listing
from mlproj.errors import ContractViolation, DataError

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
    import pandas as pd

    from mlproj.data.contract import Break, ColumnRule, Contract

    BoolArray = npt.NDArray[np.bool_]

# Rows a report shows one by one, with every rule each breaks.
EXAMPLES = 5


@dataclass(frozen=True)
class RuleCount:
    """How many rows break one rule of one column: `rule` reads as in the contract's messages."""

    column: str
    rule: str
    rows: int


@dataclass(frozen=True)
class Example:
    """One out-of-contract row (its position in the table, from 0) and each rule it breaks."""

    row: int
    breaks: tuple[tuple[str, str, Any], ...]  # column, rule, value (None when missing)


@dataclass(frozen=True)
class OutOfContract:
    """The rows of a table that break its contract's rules, and the share that fails it."""

    rows: int
    total: int
    limit: float
    by_rule: tuple[RuleCount, ...] = ()
    examples: tuple[Example, ...] = ()

    @property
    def share(self) -> float:
        """Out-of-contract rows over all rows (0 for a table with none)."""
        return self.rows / self.total if self.total else 0.0

    @property
    def status(self) -> str:
        """'drift' past the limit, 'warn' for any row at all, else 'ok'."""
        return "drift" if self.share > self.limit else "warn" if self.rows else "ok"

    @property
    def summary(self) -> str:
        """'12 of 294 rows (4.08%)'."""
        return f"{self.rows} of {self.total} rows ({_pct(self.share)})"

    @property
    def reason(self) -> str:
        """One line: how many rows, against what limit, and which rules."""
        rules = [f"{c.column} {c.rule} ({c.rows})" for c in self.by_rule]
        return (
            f"{self.summary} break the data contract (limit: {_pct(self.limit)}): "
            f"{listing(rules, 4)}"
        )

    def to_json(self) -> dict[str, Any]:
        """The `out_of_contract` entry of `drift.json`."""
        return {
            "status": self.status,
            "rows": self.rows,
            "share": float(f"{self.share:.6g}"),
            "limit": self.limit,
            "by_rule": [dataclasses.asdict(c) for c in self.by_rule],
            "examples": [
                {
                    "row": e.row,
                    "breaks": [{"column": c, "rule": r, "value": v} for c, r, v in e.breaks],
                }
                for e in self.examples
            ],
        }


@dataclass(frozen=True)
class Held:
    """A table with its features coerced as the contract says, and what in it breaks the rules."""

    frame: pd.DataFrame
    inside: BoolArray  # per row: breaks no rule
    out_of_contract: OutOfContract


def hold_to_contract(
    frame: pd.DataFrame, contract: Contract, features: Sequence[str], *, source: str, limit: float
) -> Held:
    """Refuse FRAME if its features cannot be compared; otherwise count what breaks the rules.

    Only the features are held: columns the model does not use are neither compared nor judged.
    """
    import numpy as np

    from mlproj.data.contract import Contract, validate_frame

    ruled = [contract.rule(name) for name in features if name in contract.names]
    loose = tuple(_loose(rule, frame) for rule in ruled)
    try:
        coerced = validate_frame(frame, Contract(loose), source=source)
    except ContractViolation as exc:
        breaks: list[Break] = getattr(exc, "failures", [])
        raise DataError(_refusal(breaks, contract, source)) from exc
    absent = [name for name in features if name not in coerced.columns]
    if absent:  # a feature the contract does not name, so validation could not ask for it
        raise DataError(f"{source}: no column {', '.join(map(repr, absent))}, a model feature.")
    masks = [(rule, label, mask) for rule in ruled for label, mask in _broken(rule, coerced)]
    outside = np.zeros(len(coerced), dtype=bool)
    for _, _, mask in masks:
        outside |= mask
    by_rule = tuple(RuleCount(rule.name, label, int(mask.sum())) for rule, label, mask in masks)
    examples = tuple(
        Example(
            int(row),
            tuple(
                (rule.name, label, _value(coerced[rule.name].iloc[row]))
                for rule, label, mask in masks
                if mask[row]
            ),
        )
        for row in np.flatnonzero(outside)[:EXAMPLES]
    )
    report = OutOfContract(int(outside.sum()), len(coerced), limit, by_rule, examples)
    return Held(coerced, ~outside, report)


def _loose(rule: ColumnRule, frame: pd.DataFrame) -> ColumnRule:
    """RULE with only its kind left to check: what the statistics and the model need to read it.

    Nullable stays as declared unless the batch has gaps, so a clean batch is coerced to the
    same dtypes as before (an integer column stays int64, not pandas' nullable Int64).
    """
    gaps = rule.name in frame.columns and bool(frame[rule.name].isna().any())
    return dataclasses.replace(
        rule, nullable=rule.nullable or gaps, minimum=None, maximum=None, allowed=None
    )


def _broken(rule: ColumnRule, frame: pd.DataFrame) -> list[tuple[str, BoolArray]]:
    """Each rule of RULE that some row breaks, labelled as the contract's messages label it."""
    import numpy as np

    column = frame[rule.name]
    present = column.notna().to_numpy(dtype=bool)
    found: list[tuple[str, BoolArray]] = []
    if not rule.nullable:
        found.append(("never missing", ~present))
    if rule.minimum is not None or rule.maximum is not None:
        numbers = column.astype("float64").to_numpy(dtype=np.float64, na_value=np.nan)
        with np.errstate(invalid="ignore"):
            if rule.minimum is not None:
                found.append((f"below min {rule.minimum:.10g}", present & (numbers < rule.minimum)))
            if rule.maximum is not None:
                found.append((f"above max {rule.maximum:.10g}", present & (numbers > rule.maximum)))
    if rule.allowed is not None:
        allowed = column.astype(str).isin(rule.allowed).to_numpy(dtype=bool)
        found.append(("not in allowed", present & ~allowed))
    return [(label, mask) for label, mask in found if mask.any()]


def _value(value: Any) -> Any:
    """A cell as JSON holds it: a float, an int, a bool, text, or None when missing.

    An infinity is text ('inf'): strict JSON has no value for it.
    """
    import numpy as np
    import pandas as pd

    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value) if np.isfinite(value) else str(float(value))
    return str(value)


def _refusal(breaks: Sequence[Break], contract: Contract, source: str) -> str:
    """One line naming every feature that cannot be compared, and why."""
    parts = []
    for b in breaks:
        if b.rule == "missing":
            parts.append(f"no column {b.column!r}")
            continue
        kind = contract.rule(b.column).kind if b.column in contract.names else "its kind"
        values = [repr(v) if isinstance(v, str) else str(v) for v in b.values]
        parts.append(
            f"column {b.column!r} holds values that are not {kind} in rows "
            f"{listing([str(r) for r in b.rows], 5)} (values {listing(values, 3)})"
        )
    return f"{source}: cannot be compared with the training data: {'; '.join(parts)}."


def _pct(share: float) -> str:
    return f"{100 * share:.3g}%"
