"""A `POST /predict` body read and held to the contract: the rows to score, or why not.

Every refusal names the row (counted from 1 in words, from 0 in `errors`), the column and the
rule, so a client can fix its request without reading server logs. A request with any bad row
is refused whole: answering part of a batch would leave the client to match answers to rows.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mlproj.predict.rows import describe
from mlproj.serve.rules import broken_rules, coerced

if TYPE_CHECKING:
    import pandas as pd

    from mlproj.serve.model import ServedModel

REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


def request_id(given: str | None) -> str:
    """The client's `X-Request-ID` when it is 1-64 of `A-Za-z0-9._-`, else a new uuid4 hex."""
    if given is not None and REQUEST_ID.fullmatch(given):
        return given
    return uuid.uuid4().hex


@dataclass(frozen=True)
class Problem:
    """One reason a request is refused: `row` from 0 (None for the whole body)."""

    row: int | None
    column: str | None
    rule: str
    message: str

    def as_json(self) -> dict[str, Any]:
        """The entry of the 422 body's `errors` list."""
        return {"row": self.row, "column": self.column, "rule": self.rule, "message": self.message}


class Refused(Exception):
    """The request is refused: STATUS, the metric's REASON, and every problem found."""

    def __init__(self, status: int, reason: str, problems: list[Problem]) -> None:
        super().__init__(problems[0].message)
        self.status, self.reason, self.problems = status, reason, problems

    @property
    def detail(self) -> str:
        """One line: the first problem, and how many more there are."""
        more = len(self.problems) - 1
        return self.problems[0].message + (f" (and {more} more problem(s))" if more else "")


def parse_rows(body: bytes, max_rows: int) -> list[dict[str, Any]]:
    """The rows of a `{"rows": [{...}, ...]}` body; `Refused` (422, or 413 past MAX_ROWS)."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise _whole("malformed_json", "json", f"the body is not valid JSON ({exc})") from None
    except RecursionError:  # `[[[[...` thousands deep: Python's parser gives up, not the service
        raise _whole("malformed_json", "json", "the body nests too deep to be rows") from None
    if not isinstance(data, dict) or not isinstance(data.get("rows"), list):
        raise _whole("bad_body", "body", 'the body must be {"rows": [{"column": value, ...}]}')
    rows: list[Any] = data["rows"]
    if not rows:
        raise _whole("empty", "empty", "the request has no rows")
    if len(rows) > max_rows:
        message = f"{len(rows)} rows in one request; at most {max_rows} (serve.max_rows)"
        raise Refused(413, "too_many_rows", [Problem(None, None, "max_rows", message)])
    shapeless = [
        Problem(i, None, "object", f"row {i + 1} is not an object of column: value")
        for i, row in enumerate(rows)
        if not isinstance(row, dict)
    ]
    if shapeless:
        raise Refused(422, "bad_body", shapeless)
    return rows


@dataclass(frozen=True)
class Checked:
    """A request's rows as the model reads them (coerced), or the problems that refuse it.

    `frame` holds every row's features in request order, coerced by the contract when the
    request is accepted and as sent (scalars only) when it is refused; `reasons` says, per
    refused row (from 0), why in words.
    """

    frame: pd.DataFrame
    problems: list[Problem]

    @property
    def reasons(self) -> dict[int, str]:
        """Each refused row's problems in one line, by row."""
        found: dict[int, list[str]] = {}
        for problem in self.problems:
            if problem.row is not None:
                found.setdefault(problem.row, []).append(problem.message)
        return {row: "; ".join(messages) for row, messages in found.items()}


def check_rows(rows: list[dict[str, Any]], model: ServedModel) -> Checked:
    """Hold ROWS to MODEL's contract: a missing feature, a list or object value, a broken rule.

    The rules are `data.contract`'s, checked value by value (`rules`): a request is a few rows,
    and pandera's fixed cost per table was most of a one-row answer.
    """
    import pandas as pd

    problems: list[Problem] = []
    columns: dict[str, list[Any]] = {name: [] for name in model.features}
    rules = {rule.name: rule for rule in model.contract.columns}
    for i, row in enumerate(rows):
        for name in model.features:
            value = row.get(name)
            if name not in row:
                message = f"row {i + 1}: column {name!r} is missing, and the model needs it"
                problems.append(Problem(i, name, "missing", message))
            elif isinstance(value, (dict, list)):
                kind = "an object" if isinstance(value, dict) else "a list"
                message = f"row {i + 1}: column {name!r} holds {kind}, expected one value"
                problems.append(Problem(i, name, "kind", message))
                value = None
            elif name in rules:
                for broken in broken_rules(rules[name], value):
                    message = f"row {i + 1}: {describe(rules[name], broken, value)}"
                    problems.append(Problem(i, name, broken, message))
            columns[name].append(value)
    index = pd.RangeIndex(len(rows))
    if problems:
        # Object columns keep each value as sent: the log's refused rows, typed by `logrows`.
        frame = pd.DataFrame(
            {name: pd.Series(values, dtype=object) for name, values in columns.items()},
            index=index,
        )
        return Checked(frame, problems)
    typed = {
        name: coerced(rules[name], values) if name in rules else pd.Series(values, dtype=object)
        for name, values in columns.items()
    }
    return Checked(_as_trained(pd.DataFrame(typed, index=index), model), [])


def _as_trained(frame: pd.DataFrame, model: ServedModel) -> pd.DataFrame:
    """Categorical values as text, as the model was trained on them (JSON may send 1 or true).

    A JSON null becomes NaN, as a gap read from a CSV is: scikit-learn's imputers fill NaN but
    keep None as a category of its own, so a None would be scored unlike the same row in batch.
    """
    import numpy as np

    for rule in model.contract.columns:
        if rule.kind == "categorical" and rule.name in frame.columns:
            text = frame[rule.name].map(str, na_action="ignore").astype(object)
            frame[rule.name] = text.where(text.notna(), np.nan)
    return frame


def _whole(reason: str, rule: str, message: str) -> Refused:
    return Refused(422, reason, [Problem(None, None, rule, message)])
