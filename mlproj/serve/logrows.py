"""A request's rows as prediction log rows: the features the model read, then what it said.

Made as plain lists (`predictionlog.writer.Rows`): the writer makes one DataFrame per batch,
off the request's path. Every feature column has one type per contract kind whatever the
request held (numbers as float, integers as nullable Int64, booleans as nullable boolean,
categories as text), so parts written from different requests read back as one table. A
refused row's value that does not fit its kind is written as null; `_error` says what it was.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from mlproj.data.contract import as_flag
from mlproj.predictionlog import schema
from mlproj.predictionlog.writer import Rows
from mlproj.serve.rules import as_number, is_null

if TYPE_CHECKING:
    import pandas as pd

    from mlproj.serve.model import Scored, ServedModel

TEXT = "string"
FLOAT = "float64"
KIND_TYPES = {"numeric": FLOAT, "integer": "Int64", "boolean": "boolean", "categorical": TEXT}


@dataclass(frozen=True)
class Request:
    """What every log row of one request shares."""

    request_id: str
    time: datetime


def scored_rows(
    request: Request, rows: pd.DataFrame, model: ServedModel, scored: Scored, *, role: str
) -> Rows:
    """ROWS as MODEL scored them, in ROLE (`primary`, `shadow`, `canary`)."""
    count = len(rows)
    if model.task == "classification":
        answers: list[Any] = [None if p is None else str(p) for p in scored.predictions]
    else:
        answers = [None if p is None else float(p) for p in scored.predictions]
    fields: dict[str, list[Any]] = {
        schema.MODEL_VERSION: [scored.version] * count,
        schema.ROLE: [role] * count,
        schema.ANSWERED: [role != "shadow"] * count,
        schema.PREDICTION: answers,
        schema.PROBABILITY: scored.chosen if scored.chosen is not None else [None] * count,
        schema.LATENCY_MS: [float(scored.latency_ms)] * count,
        schema.ERROR: [None] * count,
    }
    return _rows(request, rows, model, fields)


def refused_rows(
    request: Request, rows: pd.DataFrame, model: ServedModel, reasons: dict[int, str]
) -> Rows:
    """The rows of ROWS (labelled by their place in the request) that REASONS refuse."""
    kept = rows.loc[[row for row in rows.index if row in reasons]]
    count = len(kept)
    fields: dict[str, list[Any]] = {
        schema.MODEL_VERSION: [model.version] * count,
        schema.ROLE: ["refused"] * count,
        schema.ANSWERED: [False] * count,
        schema.PREDICTION: [None] * count,
        schema.PROBABILITY: [None] * count,
        schema.LATENCY_MS: [None] * count,
        schema.ERROR: [reasons[row] for row in kept.index],
    }
    return _rows(request, kept, model, fields)


def _rows(
    request: Request, rows: pd.DataFrame, model: ServedModel, fields: dict[str, list[Any]]
) -> Rows:
    count = len(rows)
    columns: dict[str, list[Any]] = {
        schema.REQUEST_ID: [request.request_id] * count,
        schema.ROW: [int(row) for row in rows.index],
        schema.TIME: [request.time] * count,
        **fields,
    }
    dtypes = {
        schema.REQUEST_ID: TEXT,
        schema.ROW: "int64",
        schema.TIME: "datetime64[us, UTC]",
        schema.MODEL_VERSION: TEXT,
        schema.ROLE: TEXT,
        schema.ANSWERED: "bool",
        schema.PREDICTION: TEXT if model.task == "classification" else FLOAT,
        schema.PROBABILITY: FLOAT,
        schema.LATENCY_MS: FLOAT,
        schema.ERROR: TEXT,
    }
    rules = {rule.name: rule for rule in model.contract.columns}
    for name in model.features:
        rule = rules.get(name)
        kind = rule.kind if rule is not None else "categorical"
        columns[name] = [_typed(value, kind) for value in rows[name].tolist()]
        dtypes[name] = KIND_TYPES[kind]
    return Rows(columns, dtypes)


def _typed(value: Any, kind: str) -> Any:
    """VALUE as the log's type for KIND, or None when it does not fit (or is missing)."""
    if is_null(value) or type(value).__name__ == "NAType":  # pandas' NA, in Int64 and boolean
        return None
    if kind in ("numeric", "integer"):
        number = as_number(value)
        whole = number is not None and math.isfinite(number) and number % 1 == 0
        if number is None or (kind == "integer" and not whole):
            return None
        return int(number) if kind == "integer" else number
    if kind == "boolean":
        return as_flag(value)
    return str(value)
