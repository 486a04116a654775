"""Labels that arrive after the prediction: `mlproj feedback FILE` joins them to the log.

A label is kept against the logged row it is for (`_request_id`, `_row`) in a second dataset
of the log's layout (conf `serve.log.feedback`), so monitoring and version comparisons can
score what was served. Every row of the file is checked before anything is written: a label
for a request the log never saw, for an ambiguous row, or that the contract's target cannot
hold refuses the whole file in one line. A later label for the same row wins.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlproj._core.text import brief, listing, path_in
from mlproj.errors import ConfigError, DataError
from mlproj.predictionlog.schema import REQUEST_ID, ROW, TIME, read_log, write_part

if TYPE_CHECKING:
    import pandas as pd

    from mlproj.data.contract import ColumnRule
    from mlproj.project.project import Project

LABEL = "_label"
"""The true value for a logged row: the class as text, or the number (regression)."""
FEEDBACK_FIELDS = (REQUEST_ID, ROW, LABEL, TIME)
# Where the template's conf/serve puts them; an older project without `serve.log` gets these.
DEFAULT_LOG = "logs/predictions"
DEFAULT_FEEDBACK = "logs/feedback"
# The file's own column names: `request_id`, `row`, and the label as the target or `label`.
FILE_REQUEST_ID, FILE_ROW, FILE_LABEL = "request_id", "row", "label"
FORMATS = (".csv", ".parquet")


@dataclass(frozen=True)
class Recorded:
    """What `record_feedback` joined: labels, requests, labels replaced, and where they went."""

    labels: int
    requests: int
    replaced: int
    parts: tuple[Path, ...]


def log_folder(project: Project) -> Path:
    """The prediction log's folder: conf `serve.log.path` (default logs/predictions)."""
    return project.root / _log_setting(project, "path", DEFAULT_LOG)


def feedback_folder(project: Project) -> Path:
    """The labels' folder: conf `serve.log.feedback` (default logs/feedback)."""
    return project.root / _log_setting(project, "feedback", DEFAULT_FEEDBACK)


def _log_setting(project: Project, key: str, default: str) -> str:
    serve = project.params.get("serve") or {}
    log = serve.get("log") if isinstance(serve, dict) else None
    value = (log or {}).get(key, default) if isinstance(log, dict) or log is None else None
    if not isinstance(value, str) or not value:
        raise ConfigError(f"serve.log.{key}: expected a folder path, got {value!r}.")
    return value


def latest_labels(folder: Path, *, since: date | None = None) -> pd.DataFrame:
    """Every labelled row's latest label: `_request_id`, `_row`, `_label`, one row per key.

    SINCE leaves out the labels recorded before that day (they answer older requests).
    """
    import pandas as pd

    labels = read_log(folder, since=since, columns=list(FEEDBACK_FIELDS))
    if labels.empty:
        return pd.DataFrame(columns=[REQUEST_ID, ROW, LABEL])
    latest = labels.sort_values(TIME, kind="stable").drop_duplicates([REQUEST_ID, ROW], keep="last")
    return latest[[REQUEST_ID, ROW, LABEL]].reset_index(drop=True)


def record_feedback(project_root: Path, file: Path) -> Recorded:
    """Check every label in FILE against the log and the contract, then write them as one part.

    `DataError` naming the first bad row (1-based, as a spreadsheet shows it) and why, and how
    many more are bad; nothing is written then.
    """
    from mlproj.data.contract import load_contract
    from mlproj.project.project import open_project

    project = open_project(project_root)
    contract = load_contract(project.contract)
    target = contract.rule(project.target) if project.target in contract.names else None
    table = _read(file)
    label_column = _label_column(file, table, project.target)
    log = log_folder(project)
    logged = read_log(log, columns=[REQUEST_ID, ROW])
    if logged.empty:
        raise DataError(
            f"{file}: the prediction log ({path_in(log, project.root)}) holds no request yet; "
            "there is nothing to join labels to."
        )
    rows_of: dict[str, list[int]] = {}
    for request, row in zip(logged[REQUEST_ID].tolist(), logged[ROW].tolist(), strict=True):
        rows_of.setdefault(str(request), []).append(int(row))
    rows_of = {request: sorted(set(rows)) for request, rows in rows_of.items()}
    keys, labels, problems = _check_rows(table, label_column, rows_of, project, target)
    if problems:
        raise DataError(_refusal(file, problems))
    frame = _frame(keys, labels, project.task)
    folder = feedback_folder(project)
    known = read_log(folder, columns=[REQUEST_ID, ROW])
    before = set(zip(known[REQUEST_ID].astype(str), known[ROW].astype(int), strict=True))
    parts = _write(folder, frame)
    return Recorded(
        labels=len(frame),
        requests=len({request for request, _row in keys}),
        replaced=sum(key in before for key in keys),
        parts=tuple(parts),
    )


def _read(file: Path) -> pd.DataFrame:
    """FILE's rows, with every CSV value as text: a request id like 007 keeps its zeros."""
    import pandas as pd

    from mlproj.data.dataset import check_file, read_table

    if file.suffix.lower() not in FORMATS:
        raise DataError(f"{file}: unsupported format; give a .csv or .parquet file.")
    if file.suffix.lower() == ".parquet":
        return read_table(file)
    check_file(file)
    try:
        table = pd.read_csv(file, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError, ValueError) as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise DataError(f"{file}: not a readable CSV file ({first}).") from None
    except OSError as exc:
        raise DataError(f"{file}: cannot be read ({exc.strerror or exc}).") from None
    if table.empty:
        raise DataError(f"{file}: the file has a header but no rows.")
    return table


def _label_column(file: Path, table: pd.DataFrame, target: str) -> str:
    columns = [str(c) for c in table.columns]
    shape = (
        f"feedback needs {FILE_REQUEST_ID!r}, optionally {FILE_ROW!r}, and the label as "
        f"{target!r} or {FILE_LABEL!r}"
    )
    if FILE_REQUEST_ID not in columns:
        raise DataError(f"{file}: no {FILE_REQUEST_ID!r} column ({listing(columns)}); {shape}.")
    found = [name for name in dict.fromkeys([target, FILE_LABEL]) if name in columns]
    if not found:
        raise DataError(f"{file}: no label column ({listing(columns)}); {shape}.")
    if len(found) > 1:
        raise DataError(f"{file}: both {target!r} and {FILE_LABEL!r} columns; keep one of them.")
    return found[0]


def _check_rows(
    table: pd.DataFrame,
    label_column: str,
    rows_of: dict[str, list[int]],
    project: Project,
    target: ColumnRule | None,
) -> tuple[list[tuple[str, int]], list[Any], list[tuple[int, str]]]:
    """Each row's log key and label, or (its position, why it is refused)."""
    keys: list[tuple[str, int]] = []
    labels: list[Any] = []
    problems: list[tuple[int, str]] = []
    first_seen: dict[tuple[str, int], int] = {}
    has_row = FILE_ROW in table.columns
    records = zip(
        table[FILE_REQUEST_ID].tolist(),
        table[FILE_ROW].tolist() if has_row else [None] * len(table),
        table[label_column].tolist(),
        strict=True,
    )
    for position, (raw_request, raw_row, raw_label) in enumerate(records):
        request = _text(raw_request)
        label, problem = _label(raw_label, project, target)
        if not request:
            problem = f"no {FILE_REQUEST_ID}"
        elif problem is None:
            row, problem = _row(raw_row, request, rows_of.get(request))
        if problem is None:
            key = (request, row)
            if key in first_seen:
                again = first_seen[key] + 1
                problem = f"request {request!r} row {row} is labelled twice (also row {again})"
            else:
                first_seen[key] = position
                keys.append(key)
                labels.append(label)
        if problem is not None:
            problems.append((position, problem))
    return keys, labels, problems


def _row(raw: Any, request: str, logged: list[int] | None) -> tuple[int, str | None]:
    if logged is None:
        return 0, f"request {request!r} is not in the prediction log"
    text = _text(raw)
    if not text:
        if len(logged) > 1:
            count = len(logged)
            return 0, f"request {request!r} had {count} rows: give its {FILE_ROW} ({_span(logged)})"
        return logged[0], None
    try:
        number = float(text)
    except ValueError:
        number = -1.0
    if not number.is_integer() or number < 0:
        return 0, f"{FILE_ROW} {brief(raw)} is not a row number (0 for a request's first row)"
    if int(number) not in logged:
        return 0, f"request {request!r} has no row {int(number)} ({_span(logged)})"
    return int(number), None


def _span(rows: list[int]) -> str:
    return f"row {rows[0]}" if len(rows) == 1 else f"rows {listing([str(r) for r in rows])}"


def _label(raw: Any, project: Project, target: ColumnRule | None) -> tuple[Any, str | None]:
    """The label as the log keeps it (text, or a float for regression), or why it cannot be."""
    import math

    text = _text(raw)
    if not text:
        return None, "no label"
    name = target.name if target is not None else project.target
    if project.task == "classification":
        allowed = target.allowed if target is not None else None
        if allowed and text not in allowed:
            return None, f"label {text!r} is not a class of {name!r} ({listing(list(allowed))})"
        return text, None
    try:
        value = float(text)
    except ValueError:
        return None, f"label {brief(raw)} is not a number ({name!r} is numeric)"
    if not math.isfinite(value):
        return None, f"label {text} is not a finite number"
    if target is not None and target.minimum is not None and value < target.minimum:
        return None, f"label {value:g} is below {name!r}'s min {target.minimum:g} in the contract"
    if target is not None and target.maximum is not None and value > target.maximum:
        return None, f"label {value:g} is above {name!r}'s max {target.maximum:g} in the contract"
    return value, None


def _text(value: Any) -> str:
    """A cell as text: None, NaN and blanks are empty; 3.0 reads 3."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    item = getattr(value, "item", None)
    if callable(item):
        value = item()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _frame(keys: list[tuple[str, int]], labels: list[Any], task: str) -> pd.DataFrame:
    import pandas as pd

    now = pd.Timestamp(datetime.now(timezone.utc))
    return pd.DataFrame(
        {
            REQUEST_ID: pd.Series([request for request, _row in keys], dtype=object),
            ROW: pd.Series([row for _request, row in keys], dtype="int64"),
            LABEL: pd.Series(labels, dtype=float if task == "regression" else object),
            TIME: pd.Series([now] * len(keys), dtype="datetime64[ns, UTC]"),
        }
    )


def _write(folder: Path, frame: pd.DataFrame) -> list[Path]:
    from mlproj._core.atomic import writing

    with writing(str(folder)):
        return write_part(folder, frame)


def _refusal(file: Path, problems: list[tuple[int, str]]) -> str:
    position, reason = problems[0]
    line = f"{file}: row {position + 1}: {reason}"
    if len(problems) > 1:
        more = [str(p + 1) for p, _ in problems[1:]]
        line += f"; {len(more)} more row(s) refused too (row {listing(more)})"
    return f"{line}. Nothing was recorded."
