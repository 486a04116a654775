"""Run a model over every incident at once and say which it fails, and which of those block.

A suite of a thousand small incidents must run in seconds, and a scikit-learn pipeline costs
tens of milliseconds per call whatever the batch size. So rows of every incident whose columns
have the same types are joined into one call; the model then sees each row exactly as it would
alone. Only a call that raises is split again, in halves, to find the rows that crash it.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

from mlproj.errors import RegressionFailed
from mlproj.incidents.expectations import label_text
from mlproj.incidents.incident import Incident, LastResult, Status
from mlproj.incidents.verdicts import Output, Verdict, judge

if TYPE_CHECKING:
    import pandas as pd

# Characters of a model's error message kept in a report line.
ERROR_WIDTH = 200


@dataclass(frozen=True)
class IncidentResult:
    """How the model fared on one incident, and what that means for its status."""

    id: str
    status: Status
    verdict: Verdict

    @property
    def passed(self) -> bool:
        """True when the model meets the expectation on every row."""
        return self.verdict.passed

    @property
    def regressed(self) -> bool:
        """A fixed incident failing again: the one outcome that blocks a model."""
        return self.status == "fixed" and not self.passed

    @property
    def now_passes(self) -> bool:
        """An open incident the model has stopped failing: ready to be marked fixed."""
        return self.status == "open" and self.passed

    def last_result(self, checked: datetime) -> LastResult:
        """The counts `incident.yaml` and `mlproj regression list` show."""
        failed = len(self.verdict.failing)
        return LastResult(checked, self.verdict.rows - failed, failed)

    def to_json(self) -> dict[str, Any]:
        """The incident's entry in `reports/regressions.json`."""
        return {
            "id": self.id,
            "status": self.status,
            "passed": self.passed,
            "rows": self.verdict.rows,
            "failing_rows": list(self.verdict.failing),
            "message": self.verdict.message,
        }


@dataclass(frozen=True)
class SuiteResult:
    """Every incident's result for one model, in the suite's order."""

    results: tuple[IncidentResult, ...]
    model: str
    checked: datetime

    @property
    def regressions(self) -> tuple[IncidentResult, ...]:
        """The fixed incidents the model fails again."""
        return tuple(result for result in self.results if result.regressed)

    @property
    def passed(self) -> bool:
        """True unless a fixed incident fails; open incidents never block."""
        return not self.regressions

    def check(self) -> SuiteResult:
        """Return self, or raise `RegressionFailed` naming each fixed incident and its rows."""
        if self.passed:
            return self
        failures = "; ".join(f"{r.id}: {r.verdict.message}" for r in self.regressions)
        count = len(self.regressions)
        raise RegressionFailed(
            f"{self.model} fails {count} fixed incident{'s' if count > 1 else ''} again: {failures}"
        )

    def to_json(self) -> dict[str, Any]:
        """The content of `reports/regressions.json`.

        No time in it: the file is tracked in git, and the same commit must give the same bytes.
        """
        return {
            "model": self.model,
            "passed": self.passed,
            "regressed": [result.id for result in self.regressions],
            "now_passing": [result.id for result in self.results if result.now_passes],
            "incidents": [result.to_json() for result in self.results],
        }


def evaluate(
    cases: Sequence[tuple[Incident, pd.DataFrame]],
    model: Any,
    *,
    features: Sequence[str] = (),
    model_name: str = "the model",
    checked: datetime | None = None,
) -> SuiteResult:
    """Judge MODEL on every (incident, rows) case with as few calls to the model as possible.

    The model gets the columns it was fitted on (`feature_names_in_`), else FEATURES, in order.
    """
    columns = [str(c) for c in getattr(model, "feature_names_in_", features)]
    outputs = _outputs(
        model, [(incident.expectation.method, rows) for incident, rows in cases], columns
    )
    results = tuple(
        IncidentResult(incident.id, incident.status, judge(incident.expectation, rows, output))
        for (incident, rows), output in zip(cases, outputs, strict=True)
    )
    when = checked or datetime.now().astimezone()
    return SuiteResult(results, model_name, when.replace(microsecond=0))


def _outputs(model: Any, calls: list[tuple[str, pd.DataFrame]], columns: list[str]) -> list[Output]:
    if not calls:  # no incident yet: the pipeline's regression stage need not load pandas
        return []
    import pandas as pd

    classes = tuple(label_text(c) for c in getattr(model, "classes_", ()))
    outputs: list[Output | None] = [None] * len(calls)
    batches: dict[tuple[str, tuple[str, ...]], list[int]] = {}
    for position, (method, rows) in enumerate(calls):
        kinds = dict(zip(map(str, rows.columns), map(str, rows.dtypes), strict=True))
        missing = [c for c in columns if c not in kinds]
        if missing:
            error = f"the rows lack the model's column(s) {', '.join(map(repr, missing))}"
            outputs[position] = Output(None, dict.fromkeys(range(len(rows)), error), classes)
            continue
        batches.setdefault((method, tuple(kinds[c] for c in columns)), []).append(position)
    with warnings.catch_warnings():
        # The verdict is what counts; a warning per batch would bury it.
        warnings.simplefilter("ignore")
        for (method, _), members in batches.items():
            # Columns are picked once, after joining: picking them per incident costs more.
            joined = pd.concat([calls[i][1] for i in members], ignore_index=True)[columns]
            values, errors = _predict(model, method, joined, len(classes))
            start = 0
            for i in members:
                stop = start + len(calls[i][1])
                mine = {row - start: text for row, text in errors.items() if start <= row < stop}
                outputs[i] = Output(values[start:stop], mine, classes)
                start = stop
    return cast(list[Output], outputs)  # every position got its output above


def _predict(
    model: Any, method: str, frame: pd.DataFrame, width: int
) -> tuple[Any, dict[int, str]]:
    """The model's output on FRAME, and the rows it raised on with why.

    Only when the joined call raises are the culprits hunted, by halving. A pipeline's
    preprocessing is where unseen categories, gaps and wrong types crash it, and it costs a
    fraction of a full prediction, so the hunt runs on it first and the full model last.
    """
    import numpy as np

    predict = getattr(model, method)
    try:
        return predict(frame), {}
    # Anything a model raises on these rows is the failure being checked for, not a bug here.
    except Exception:
        pass
    shape = (len(frame), width) if method == "predict_proba" else (len(frame),)
    values = np.full(shape, np.nan) if method == "predict_proba" else np.full(shape, None)
    preprocess = _preprocessing(model)
    errors = _crashing_rows(preprocess, frame) if preprocess is not None else {}
    keep = [row for row in range(len(frame)) if row not in errors]
    if not keep:
        return values, errors
    try:
        values[keep] = predict(frame.iloc[keep])
    except Exception as exc:
        found = _crashing_rows(predict, frame.iloc[keep])
        errors.update({keep[row]: error for row, error in found.items()})
        rest = [row for row in keep if row not in errors]
        try:
            if rest:
                values[rest] = predict(frame.iloc[rest])
        except Exception:
            # No row fails alone, yet together they do: they fail together.
            errors.update(dict.fromkeys(rest, _error_text(exc)))
    return values, dict(sorted(errors.items()))


def _preprocessing(model: Any) -> Any:
    """The transform of every step of a pipeline but its last; None for any other model."""
    from sklearn.pipeline import Pipeline

    if isinstance(model, Pipeline) and len(model.steps) > 1:
        return model[:-1].transform
    return None


def _crashing_rows(call: Any, frame: pd.DataFrame) -> dict[int, str]:
    """The rows CALL raises on, alone, found by halving: a few calls when few rows crash."""
    errors: dict[int, str] = {}
    pending = [(0, len(frame))]
    while pending:
        start, stop = pending.pop()
        try:
            call(frame.iloc[start:stop])
        except Exception as exc:
            if stop - start == 1:
                errors[start] = _error_text(exc)
            else:
                middle = (start + stop) // 2
                pending += [(start, middle), (middle, stop)]
    return errors


def _error_text(exc: Exception) -> str:
    text = " ".join(str(exc).split())  # one line, however the library wrapped it
    text = text if len(text) <= ERROR_WIDTH else text[: ERROR_WIDTH - 3] + "..."
    return f"the model raised {type(exc).__name__}" + (f": {text}" if text else "")
