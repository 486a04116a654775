"""A request's rows as prediction log rows: the features the model read, then what it said.

Every feature column is written with one type per contract kind whatever the request held
(numbers as float, integers as nullable Int64, booleans as nullable boolean, categories as
text), so parts written from different requests read back as one table. A refused row's value
that does not fit its kind is written as null; `_error` says what it was.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from mlproj.predictionlog import schema

if TYPE_CHECKING:
    import pandas as pd

    from mlproj.data.contract import ColumnRule
    from mlproj.serve.model import Scored, ServedModel


@dataclass(frozen=True)
class Request:
    """What every log row of one request shares."""

    request_id: str
    time: datetime


def scored_rows(
    request: Request, rows: pd.DataFrame, model: ServedModel, scored: Scored, *, role: str
) -> pd.DataFrame:
    """ROWS as MODEL scored them, in ROLE (`primary`, `shadow`, `canary`)."""
    import pandas as pd

    count = len(rows)
    predictions = scored.predictions
    if model.task == "classification":
        answer = pd.Series([None if p is None else str(p) for p in predictions], dtype="string")
    else:
        answer = pd.Series(predictions, dtype="float64")
    fields = {
        schema.MODEL_VERSION: scored.version,
        schema.ROLE: role,
        schema.ANSWERED: role != "shadow",
        schema.PREDICTION: answer,
        schema.PROBABILITY: pd.Series(
            scored.chosen if scored.chosen is not None else [None] * count, dtype="float64"
        ),
        schema.LATENCY_MS: float(scored.latency_ms),
        schema.ERROR: pd.Series([None] * count, dtype="string"),
    }
    return _frame(request, rows, model, fields)


def refused_rows(
    request: Request, rows: pd.DataFrame, model: ServedModel, reasons: dict[int, str]
) -> pd.DataFrame:
    """The rows of ROWS (labelled by their place in the request) that REASONS refuse."""
    import pandas as pd

    kept = rows.loc[[row for row in rows.index if row in reasons]]
    count = len(kept)
    fields = {
        schema.MODEL_VERSION: model.version,
        schema.ROLE: "refused",
        schema.ANSWERED: False,
        schema.PREDICTION: pd.Series(
            [None] * count, dtype="string" if model.task == "classification" else "float64"
        ),
        schema.PROBABILITY: pd.Series([None] * count, dtype="float64"),
        schema.LATENCY_MS: pd.Series([None] * count, dtype="float64"),
        schema.ERROR: pd.Series([reasons[row] for row in kept.index], dtype="string"),
    }
    return _frame(request, kept, model, fields)


def _frame(
    request: Request, rows: pd.DataFrame, model: ServedModel, fields: dict[str, Any]
) -> pd.DataFrame:
    import pandas as pd

    count = len(rows)
    out = pd.DataFrame(
        {
            schema.REQUEST_ID: pd.Series([request.request_id] * count, dtype="string"),
            schema.ROW: pd.Series(list(rows.index), dtype="int64"),
            schema.TIME: pd.Series(
                [pd.Timestamp(request.time)] * count, dtype="datetime64[us, UTC]"
            ),
        }
    )
    for name, value in fields.items():
        out[name] = value.to_numpy() if isinstance(value, pd.Series) else value
        if isinstance(value, pd.Series):
            out[name] = out[name].astype(value.dtype)
    out[schema.MODEL_VERSION] = out[schema.MODEL_VERSION].astype("string")
    out[schema.ROLE] = out[schema.ROLE].astype("string")
    out[schema.ANSWERED] = out[schema.ANSWERED].astype("bool")
    out[schema.LATENCY_MS] = out[schema.LATENCY_MS].astype("float64")
    rules = {rule.name: rule for rule in model.contract.columns}
    for name in model.features:
        values = rows[name].reset_index(drop=True)
        out[name] = _typed(values, rules.get(name))
    return out


def _typed(values: pd.Series, rule: ColumnRule | None) -> pd.Series:
    """VALUES with the one type the log keeps for RULE's kind; what does not fit becomes null."""
    import pandas as pd

    kind = rule.kind if rule is not None else "categorical"
    if kind in ("numeric", "integer"):
        numbers = pd.to_numeric(values.astype(object), errors="coerce").astype("float64")
        if kind == "numeric":
            return numbers
        return numbers.where(numbers % 1 == 0).astype("Int64")
    if kind == "boolean":
        return values.astype(object).map(_flag, na_action="ignore").astype("boolean")
    return values.astype(object).map(str, na_action="ignore").astype("string")


def _flag(value: object) -> bool | None:
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return None
