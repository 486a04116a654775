"""`mlproj contract add`: infer a contract rule for new feature columns from the data itself.

The validate stage refuses a feature without a rule in data/contract.yaml. Writing a rule by
hand means reading the column's type, range and values; this reads them from the project's raw
data (or another file) exactly as `mlproj new` did, and appends the rules to the contract in
one atomic write, so the change is a diff a reviewer reads like any other.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from mlproj._core.text import listing, path_in
from mlproj.data.contract import ColumnRule, infer_contract, load_contract, save_contract
from mlproj.data.csvfile import check_text, read_header
from mlproj.data.dataset import FORMATS, check_file
from mlproj.data.roles import MAX_CATEGORIES
from mlproj.errors import ConfigError, DataError
from mlproj.project.project import open_project

if TYPE_CHECKING:
    import pandas as pd


@dataclasses.dataclass(frozen=True)
class AddedRules:
    """The rules appended to the contract, and the files read and written."""

    rules: tuple[ColumnRule, ...]
    contract: Path
    source: Path

    def lines(self) -> list[str]:
        """One line per rule, as `mlproj contract add` prints it: 'bill_ratio: numeric, ...'."""
        return [f"{rule.name}: {_described(rule)}" for rule in self.rules]


def _described(rule: ColumnRule) -> str:
    parts = [rule.kind, "may be missing" if rule.nullable else "never missing"]
    if rule.minimum is not None or rule.maximum is not None:
        parts.append(f"from {rule.minimum} to {rule.maximum}")
    if rule.allowed is not None:
        parts.append(f"allowed {listing(list(rule.allowed))}")
    return ", ".join(parts)


def add_contract_rules(
    root: Path, columns: Sequence[str], *, source: Path | None = None
) -> AddedRules:
    """Append a rule inferred from SOURCE (default: conf/data `raw`) for each of COLUMNS.

    Refuses, writing nothing, a column the data lacks (`DataError`) or one the contract already
    has a rule for (`ConfigError`: edit that rule instead, as a reviewer would see it).
    """
    project = open_project(root)
    names = list(dict.fromkeys(str(column) for column in columns))
    if not names:
        raise DataError("name at least one column to add a contract rule for.")
    table = source if source is not None else root / str(project.setting("data.raw"))
    contract = load_contract(project.contract)
    shown = path_in(project.contract, root)
    present = [name for name in names if name in contract.names]
    if present:
        quoted = listing([repr(name) for name in present])
        raise ConfigError(
            f"{shown} already has a rule for {quoted}: edit it there instead of adding one."
        )
    frame = _read_columns(table, names)
    inferred = infer_contract(frame, max_categories=MAX_CATEGORIES).columns
    grown = dataclasses.replace(contract, columns=contract.columns + inferred)
    save_contract(grown, project.contract)
    return AddedRules(inferred, project.contract, table)


def _read_columns(path: Path, names: list[str]) -> pd.DataFrame:
    """Only the NAMES columns of a CSV or Parquet file; `DataError` naming any it lacks."""
    import pandas as pd

    kind = FORMATS.get(path.suffix.lower())
    if kind is None:
        raise DataError(f"{path}: unsupported format; give a .csv or .parquet file.")
    check_file(path)
    if kind == "csv":
        check_text(path)
        header = read_header(path)
    else:
        import pyarrow.parquet as pq

        try:
            header = list(pq.read_schema(path).names)
        except Exception as exc:  # pyarrow raises many types for a damaged file
            raise DataError(f"{path}: not a readable Parquet file.") from exc
    unknown = [name for name in names if name not in header]
    if unknown:
        raise DataError(
            f"{path}: no column {listing([repr(n) for n in unknown])}; "
            f"its columns are {listing(header, 8)}."
        )
    try:
        if kind == "csv":
            frame = pd.read_csv(path, usecols=names, encoding="utf-8-sig")
        else:
            frame = pd.read_parquet(path, columns=names)
    except (ValueError, OSError, pd.errors.ParserError) as exc:
        raise DataError(f"{path}: cannot be read ({str(exc).splitlines()[0]}).") from exc
    if frame.empty:
        raise DataError(f"{path}: no rows to infer a rule from.")
    return frame[names]
