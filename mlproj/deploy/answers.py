"""What a right answer from `POST /predict` looks like, and the rows sent to get one.

A service can be up and still wrong: a prediction per row, each a class the contract allows
for the target (or a finite number), probabilities that are probabilities, the request id it
was sent and the version it claims in both the body and the `X-Model-Version` header. A lying
server fails here with the first thing it got wrong, in words.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mlproj._core.text import brief, listing
from mlproj.incidents.expectations import label_text

if TYPE_CHECKING:
    import pandas as pd

    from mlproj.data.contract import ColumnRule
    from mlproj.data.dataset import Task
    from mlproj.deploy.client import Reply, Service
    from mlproj.incidents.expectations import Expectation
    from mlproj.incidents.verdicts import Output

# How far probabilities may sum from 1 (float rounding in JSON).
SUM_TOLERANCE = 1e-3


@dataclass(frozen=True)
class Expected:
    """What answers must hold: the task, the target's rule, and which versions may answer."""

    task: Task
    target: ColumnRule | None
    versions: frozenset[str] = frozenset()


def rows_json(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """FRAME's rows as JSON objects: gaps as null, numpy numbers as plain ones, full precision."""
    text = frame.to_json(orient="records", date_format="iso", double_precision=15)
    rows: list[dict[str, Any]] = json.loads(text)
    return rows


def answer_problem(reply: Reply, rows: int, request_id: str, expected: Expected) -> str | None:
    """What is wrong with REPLY to ROWS rows sent as REQUEST_ID; None when nothing is."""
    body = reply.body
    if reply.status != 200:
        detail = body.get("detail") if isinstance(body, dict) else body
        return f"HTTP {reply.status}: {brief(detail, 120)}"
    if not isinstance(body, dict):
        return f"the answer is {brief(body)}, not a JSON object"
    missing = [k for k in ("request_id", "model_version", "predictions") if k not in body]
    if missing:
        return f"the answer has no {listing([repr(k) for k in missing])}: {brief(body)}"
    if body["request_id"] != request_id:
        return f"request_id {brief(body['request_id'])}, not the {request_id!r} sent"
    version = body["model_version"]
    header = reply.headers.get("x-model-version")
    if header != version:
        return f"header X-Model-Version {brief(header)}, body model_version {brief(version)}"
    if reply.headers.get("x-request-id") != request_id:
        return f"header X-Request-ID {brief(reply.headers.get('x-request-id'))}, not {request_id!r}"
    if expected.versions and version not in expected.versions:
        named = listing(sorted(expected.versions))
        return f"answered by model_version {brief(version)}, but /version says {named}"
    return _predictions_problem(body["predictions"], rows, expected) or _probabilities_problem(
        body.get("probabilities"), rows, expected
    )


def _predictions_problem(predictions: Any, rows: int, expected: Expected) -> str | None:
    if not isinstance(predictions, list):
        return f"predictions {brief(predictions)}, not a list"
    if len(predictions) != rows:
        return f"{rows} row(s) sent, {len(predictions)} prediction(s) back"
    for position, value in enumerate(predictions):
        problem = _value_problem(value, expected)
        if problem:
            return f"prediction {position}: {problem}"
    return None


def _value_problem(value: Any, expected: Expected) -> str | None:
    if expected.task == "regression":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return f"{brief(value)} is not a number"
        return None if math.isfinite(value) else f"{value} is not a finite number"
    if isinstance(value, (dict, list)) or value is None or value == "":
        return f"{brief(value)} is not a class"
    allowed = expected.target.allowed if expected.target is not None else None
    if allowed and label_text(value) not in allowed:
        return f"{brief(value)} is not a class the contract allows ({listing(list(allowed))})"
    return None


def _probabilities_problem(probabilities: Any, rows: int, expected: Expected) -> str | None:
    if probabilities is None or expected.task == "regression":
        return None
    if not isinstance(probabilities, list):
        return f"probabilities {brief(probabilities)}, neither a list nor null"
    if len(probabilities) != rows:
        return f"{rows} row(s) sent, {len(probabilities)} probabilities back"
    for position, item in enumerate(probabilities):
        where = f"probabilities {position}"
        if not isinstance(item, dict) or not item:
            return f"{where}: {brief(item)} is not a mapping of class to probability"
        for label, p in item.items():
            problem = _value_problem(label, expected)
            if problem:
                return f"{where}: {problem}"
            if isinstance(p, bool) or not isinstance(p, (int, float)) or not 0 <= p <= 1:
                return f"{where}: {brief(p)} for {label!r} is not a probability"
        if abs(sum(item.values()) - 1) > SUM_TOLERANCE:
            return f"{where}: the probabilities sum to {sum(item.values()):.4g}, not 1"
    return None


def incident_output(
    service: Service,
    rows: list[dict[str, Any]],
    max_rows: int,
    request_id: str,
    expectation: Expectation,
    expected: Expected,
) -> Output:
    """The service's answers on an incident's ROWS, as the incident suite's judge reads them.

    Rows go in requests of at most MAX_ROWS. A row the service refuses (422) or cannot answer
    is an error row, which fails whatever the expectation, as a crash does in the suite.
    """
    import numpy as np

    from mlproj.incidents.verdicts import Output

    got = _Answers(len(rows))
    for start in range(0, len(rows), max_rows):
        positions = list(range(start, min(len(rows), start + max_rows)))
        _score(service, rows, positions, f"{request_id}-{start}", expected, got, retry=True)
    classes = tuple(dict.fromkeys(label_text(c) for p in got.probabilities if p for c in p))
    if expectation.method == "predict":
        return Output(np.array(got.predictions, dtype=object), got.errors, classes)
    values = np.full((len(rows), len(classes)), np.nan)
    for position, item in enumerate(got.probabilities):
        if item is None and position not in got.errors:
            got.errors[position] = "the service gave no probabilities"
        for column, label in enumerate(classes):
            values[position, column] = (item or {}).get(label, np.nan)
    return Output(values, got.errors, classes)


class _Answers:
    """Per row: the prediction, the probabilities, or why there are none."""

    def __init__(self, rows: int) -> None:
        self.predictions: list[Any] = [None] * rows
        self.probabilities: list[dict[str, float] | None] = [None] * rows
        self.errors: dict[int, str] = {}


def _score(
    service: Service,
    rows: list[dict[str, Any]],
    positions: list[int],
    request_id: str,
    expected: Expected,
    got: _Answers,
    *,
    retry: bool,
) -> None:
    from mlproj.deploy.client import Unanswered

    try:
        reply = service.predict([rows[p] for p in positions], request_id)
    except Unanswered as exc:
        got.errors.update(dict.fromkeys(positions, str(exc)))
        return
    if reply.status == 422 and isinstance(reply.body, dict):
        refused = _refused(reply.body, positions)
        if refused and retry:
            got.errors.update(refused)
            rest = [p for p in positions if p not in refused]
            if rest:
                _score(service, rows, rest, request_id + "-r", expected, got, retry=False)
            return
    problem = answer_problem(reply, len(positions), request_id, expected)
    if problem:
        got.errors.update(dict.fromkeys(positions, f"the service answered {problem}"))
        return
    probabilities = reply.body.get("probabilities")
    for i, position in enumerate(positions):
        got.predictions[position] = reply.body["predictions"][i]
        got.probabilities[position] = probabilities[i] if probabilities else None


def _refused(body: dict[str, Any], positions: list[int]) -> dict[int, str]:
    """The rows a 422 names, by position among all rows, with the service's reason."""
    refused: dict[int, str] = {}
    for error in body.get("errors") or []:
        row = error.get("row") if isinstance(error, dict) else None
        if isinstance(row, int) and not isinstance(row, bool) and 0 <= row < len(positions):
            message = error.get("message") or error.get("rule") or "refused"
            refused.setdefault(positions[row], f"the service refused it (422: {brief(message)})")
    return refused
