"""Read a user's table and work out what the project should learn from it.

Everything here runs before a project exists, so a bad file is refused with one clear line
and nothing is written.
"""

from __future__ import annotations

import contextlib
import stat
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from mlproj._core.text import first_line, listing
from mlproj.data.csvfile import check_text, read_header
from mlproj.data.roles import Role, assign_role, sample_rows, time_column
from mlproj.errors import DataError

if TYPE_CHECKING:
    import pandas as pd

Task = Literal["classification", "regression"]
TASKS: tuple[Task, ...] = ("classification", "regression")
FORMATS = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}
DEFAULT_TARGET = "species"
# An integer target with at most this many distinct values is read as class labels.
MAX_CLASSES_FOR_INTEGER_TARGET = 20


@dataclass(frozen=True)
class DataProfile:
    """What the data says about the task: target, feature columns and columns left out.

    `roles` holds every column but the target, in the table's order, with the reason for its
    role; `identifiers` names the identifier columns among them.
    """

    task: Task
    target: str
    numeric: tuple[str, ...]
    categorical: tuple[str, ...]
    identifiers: tuple[str, ...]
    rows: int
    classes: tuple[str, ...] = ()
    roles: tuple[Role, ...] = ()

    @property
    def left_out(self) -> tuple[Role, ...]:
        """The columns the model does not see (text, identifiers, dates, constants)."""
        return tuple(role for role in self.roles if not role.used)

    @property
    def noted(self) -> tuple[Role, ...]:
        """Features worth a second look: capped categoricals and nearly constant columns."""
        return tuple(role for role in self.roles if role.used and role.flag)

    @property
    def time_column(self) -> str | None:
        """The one date column, which orders the rows for the staleness check; None if not one."""
        return time_column(self.roles)


def default_table() -> pd.DataFrame:
    """The Palmer penguins table shipped by `palmerpenguins`: works offline, has gaps and text."""
    from palmerpenguins import load_penguins

    return load_penguins()


def check_file(path: Path) -> None:
    """Refuse, in one line, a path that is missing, a folder, a pipe or device, or empty."""
    try:
        info = path.stat()  # follows a symbolic link: its target is what gets read
    except FileNotFoundError:
        raise DataError(f"{path}: no such file.") from None
    except OSError as exc:
        raise DataError(f"{path}: cannot be read ({exc.strerror or exc}).") from None
    if stat.S_ISDIR(info.st_mode):
        raise DataError(f"{path}: a folder, not a file.")
    if not stat.S_ISREG(info.st_mode):  # a fifo or a device would block or never end
        raise DataError(f"{path}: not a regular file (a pipe, socket or device); give a file.")
    if info.st_size == 0:
        raise DataError(f"{path}: the file is empty.")


def read_table(path: Path) -> pd.DataFrame:
    """Read a CSV or Parquet file, refusing files that cannot be a training table."""
    kind = FORMATS.get(path.suffix.lower())
    if kind is None:
        raise DataError(f"{path}: unsupported format; give a .csv or .parquet file.")
    check_file(path)
    frame = _read_csv(path) if kind == "csv" else _read_parquet(path)
    # Counted once: a count per column is quadratic, 8 s on a 2,000-column table.
    duplicated = sorted(str(c) for c, n in Counter(frame.columns.tolist()).items() if n > 1)
    if duplicated:
        raise DataError(f"{path}: duplicate column names: {', '.join(duplicated)}.")
    if frame.empty:
        raise DataError(f"{path}: the file has a header but no rows.")
    return frame


def _read_csv(path: Path) -> pd.DataFrame:
    import pandas as pd

    check_text(path)
    if not read_header(path):
        raise DataError(f"{path}: the file is empty.")
    try:
        # utf-8-sig: a byte-order mark (spreadsheets write one) is not part of the first name.
        return pd.read_csv(path, encoding="utf-8-sig")
    except pd.errors.EmptyDataError as exc:
        raise DataError(f"{path}: the file is empty.") from exc
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as exc:
        first = first_line(exc)
        raise DataError(f"{path}: not a readable CSV file ({first}).") from exc
    except OSError as exc:
        raise DataError(f"{path}: cannot be read ({exc.strerror or exc}).") from None


def _read_parquet(path: Path) -> pd.DataFrame:
    import pandas as pd
    import pyarrow.parquet as pq

    try:
        schema = pq.read_schema(path)
    except Exception as exc:  # pyarrow raises many types for a damaged file
        raise DataError(f"{path}: not a readable Parquet file.") from exc
    repeated = sorted(name for name, n in Counter(schema.names).items() if n > 1)
    if repeated:  # pandas cannot read them, and would say only that the file is unreadable
        raise DataError(f"{path}: duplicate column names: {', '.join(repeated)}.")
    # A list, struct, map or union per row: no model here can learn from it.
    nested = [(f.name, _kind(f.type)) for f in schema if f.type.num_fields > 0]
    if nested:
        name, kind = nested[0]
        raise DataError(
            f"{path}: column {name!r} holds nested values ({kind} per row); mlproj learns "
            "from flat columns: flatten or drop it before training."
        )
    try:
        return pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises many types for a damaged file
        raise DataError(f"{path}: not a readable Parquet file.") from exc


def _kind(arrow_type: Any) -> str:
    import pyarrow.types as pat

    for word, test in (
        ("a map", pat.is_map),
        ("a struct", pat.is_struct),
        ("a union", pat.is_union),
    ):
        if test(arrow_type):
            return word
    return "a list" if "list" in str(arrow_type) else str(arrow_type)


def profile(
    frame: pd.DataFrame, target: str, task: Task | None = None, *, source: str = "data"
) -> DataProfile:
    """Infer the task (unless given), feature columns and identifier-like columns."""
    import pandas as pd

    for column in frame.columns:
        if "${" in str(column):
            # Escaped in conf/, but params.yaml holds it resolved and the project re-reads it.
            raise DataError(
                f"{source}: column name {str(column)!r} holds '${{', which Hydra reads as an "
                "interpolation; rename the column."
            )
    if target not in frame.columns:
        columns = ", ".join(map(str, frame.columns))
        raise DataError(f"{source}: target column {target!r} not found (columns: {columns}).")
    labels = frame[target].dropna()
    if labels.empty:
        raise DataError(f"{source}: target column {target!r} has no values.")
    numeric_target = pd.api.types.is_numeric_dtype(labels) and not pd.api.types.is_bool_dtype(
        labels
    )
    task = task or _infer_task(labels, numeric_target)
    if task == "regression" and not numeric_target:
        raise DataError(
            f"{source}: target column {target!r} is not numeric, so it cannot be a "
            "regression target; use --task classification."
        )
    classes: tuple[str, ...] = ()
    if task == "classification":
        classes = tuple(sorted(map(str, labels.unique())))
        if len(classes) < 2:
            raise DataError(
                f"{source}: target column {target!r} has a single class ({classes[0]!r}); "
                "a classifier needs at least two."
            )
    elif labels.nunique() < 2:
        raise DataError(f"{source}: target column {target!r} is constant; nothing to learn.")
    sample = sample_rows(frame)
    roles = tuple(assign_role(frame[c], sample[c]) for c in frame.columns if c != target)
    numeric = tuple(role.name for role in roles if role.kind == "numeric")
    categorical = tuple(role.name for role in roles if role.kind == "categorical")
    if not numeric and not categorical:
        left = listing([f"{role.name} ({role.kind})" for role in roles])
        raise DataError(
            f"{source}: no feature columns left besides the target {target!r}"
            + (f"; left out: {left}." if left else ".")
        )
    return DataProfile(
        task=task,
        target=target,
        numeric=numeric,
        categorical=categorical,
        identifiers=tuple(role.name for role in roles if role.kind == "identifier"),
        rows=len(frame),
        classes=classes,
        roles=roles,
    )


def _infer_task(labels: pd.Series, numeric: bool) -> Task:
    import pandas as pd

    if not numeric:
        return "classification"
    whole = pd.api.types.is_integer_dtype(labels) or bool((labels == labels.round()).all())
    if whole and labels.nunique() <= MAX_CLASSES_FOR_INTEGER_TARGET:
        return "classification"
    return "regression"


def return_memory() -> None:
    """Hand the memory of tables let go back to the system, before long work in child processes.

    Freed is not returned: Arrow's memory pool (mimalloc) and glibc's heap keep what a table
    used for reuse, so `mlproj new` would sit on a 10M-row table's 2.5 GiB while its stages
    read the file again. Measured at 1M rows x 20: 556 MiB kept, 145 MiB after this.
    """
    import ctypes
    import gc

    import pyarrow as pa

    gc.collect()
    pa.default_memory_pool().release_unused()
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):  # musl has no malloc_trim
            ctypes.CDLL("libc.so.6").malloc_trim(0)
