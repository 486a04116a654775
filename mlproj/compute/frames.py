"""Tables checked in parts: a partitioned Parquet folder, or a CSV in blocks, as a Dask DataFrame.

`validate_table` is the validate stage's work. A single file checked here is read and checked
whole, as it always was. A folder of Parquet files (`part-*.parquet`, or hive-style `key=value/`
folders whose keys become text columns) is one table, its files in natural order and its rows
numbered 0, 1, ... across them. With a Dask client, the table is a Dask DataFrame (a CSV in
blocks of `blocksize` bytes, a folder one partition per file); each partition is checked
against the contract on the workers, and their breaks are merged into the one report a check of
the whole table gives, rows numbered across the table. The validated table comes back whole,
with the same rows, order and types as a check of the whole table here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlproj.data.contract import Break, Contract, contract_violation, validate_frame
from mlproj.errors import ContractViolation, DataError

if TYPE_CHECKING:
    import pandas as pd

PARQUET = (".parquet", ".pq")
BLOCKSIZE = "64MiB"


def table_files(path: str | Path) -> list[Path]:
    """The Parquet files of the table in folder PATH, in natural order (part-2 before part-10)."""
    folder = Path(path)
    files = [
        f
        for f in folder.rglob("*")
        if f.suffix.lower() in PARQUET
        and f.is_file()
        and not any(p.startswith((".", "_")) for p in f.relative_to(folder).parts)
    ]
    if not files:
        raise DataError(f"{path}: a folder with no Parquet files; expected part-*.parquet")
    return sorted(files, key=lambda f: _natural(f.relative_to(folder)))


def _natural(relative: Path) -> list[tuple[int, int | str]]:
    # Digits compare as numbers so part-10 comes after part-9, as a person numbering parts means.
    pieces = re.split(r"(\d+)", relative.as_posix())
    return [(0, int(p)) if p.isdigit() else (1, p) for p in pieces if p]


def read_part(file: Path, root: Path, columns: Sequence[str] | None = None) -> pd.DataFrame:
    """One file of the table at ROOT: its own columns (those of COLUMNS it has), then hive keys.

    Rows are numbered from 0: a stored index is dropped, as the folder's rows are numbered
    across its files.
    """
    import pandas as pd
    import pyarrow.parquet as pq

    keys = dict(part.split("=", 1) for part in file.relative_to(root).parent.parts if "=" in part)
    names = [n for n in pq.read_schema(file).names if n not in keys]
    if columns is not None:
        wanted = set(columns)
        names = [n for n in names if n in wanted]
        keys = {k: v for k, v in keys.items() if k in wanted}
    frame = pd.read_parquet(file, columns=names).reset_index(drop=True)
    for key, value in keys.items():
        frame[key] = pd.Series([value] * len(frame), index=frame.index, dtype="str")
    return frame


def read_frame(path: str | Path, columns: Iterable[str] | None = None) -> pd.DataFrame:
    """A CSV or Parquet file, or a partitioned Parquet folder, as one pandas table.

    With COLUMNS, only those the table has. A folder's files are read one after the other and
    joined, rows numbered across them.
    """
    import pandas as pd

    path = Path(path)
    wanted = None if columns is None else list(columns)
    if path.is_dir():
        root = path
        parts = [read_part(f, root, wanted) for f in table_files(path)]
        return _joined(parts)
    if path.suffix.lower() in PARQUET:
        import pyarrow.parquet as pq

        names = None if wanted is None else [n for n in pq.read_schema(path).names if n in wanted]
        return pd.read_parquet(path, columns=names)
    if wanted is None:
        return pd.read_csv(path)
    keep = set(wanted)
    return pd.read_csv(path, usecols=lambda name: name in keep)


def _joined(parts: list[pd.DataFrame]) -> pd.DataFrame:
    import pandas as pd

    # An empty part would change a column's type in the join (pandas counts its dtype too).
    full = [p for p in parts if len(p)] or parts[:1]
    if len(full) == 1:
        return full[0]
    return pd.concat([_plain(p, full) for p in full], ignore_index=True)


def _plain(part: pd.DataFrame, parts: list[pd.DataFrame]) -> pd.DataFrame:
    """PART with a category column as its values where another part has them plain.

    Files written by different tools disagree on whether text is a category; joined as they
    are, the column would become `object`, unlike the table read whole.
    """
    import pandas as pd

    differ = [
        name
        for name, dtype in part.dtypes.items()
        if isinstance(dtype, pd.CategoricalDtype)
        and any(name in p and p[name].dtype != dtype for p in parts)
    ]
    if not differ:
        return part
    return part.astype({name: part[name].cat.categories.dtype for name in differ})


@dataclass
class _Checked:
    """One partition checked: its row count, the rules it breaks, and its validated rows."""

    rows: int
    breaks: list[Break]
    frame: pd.DataFrame | None


def _check_part(part: pd.DataFrame, contract: Contract) -> _Checked:
    part = part.reset_index(drop=True)
    try:
        return _Checked(len(part), [], validate_frame(part, contract))
    except ContractViolation as violation:
        return _Checked(len(part), list(violation.failures), None)  # type: ignore[attr-defined]


def dask_frame(
    path: str | Path, columns: Sequence[str] | None = None, *, blocksize: str = BLOCKSIZE
) -> Any:
    """PATH as a Dask DataFrame: a CSV in blocks of BLOCKSIZE, a Parquet file, or a folder by file.

    Text stays text as pandas reads it (Dask would turn it into pyarrow strings), so each
    partition has the types a pandas read of the same rows gives.
    """
    import dask
    import dask.dataframe as dd

    path = Path(path).resolve()
    with dask.config.set({"dataframe.convert-string": False}):
        if path.is_dir() or path.suffix.lower() in PARQUET:
            files = table_files(path) if path.is_dir() else [path]
            root = path if path.is_dir() else path.parent
            meta = read_part(files[0], root, columns).iloc[:0]
            return dd.from_map(  # type: ignore[no-untyped-call]
                read_part, files, root=root, columns=columns, meta=meta, enforce_metadata=False
            )
        import pandas as pd

        header = list(pd.read_csv(path, nrows=0).columns)
        usecols = header if columns is None else [c for c in header if c in set(columns)]
        return dd.read_csv(path, blocksize=blocksize, usecols=usecols)


def validate_table(
    path: str | Path,
    contract: Contract,
    *,
    columns: Iterable[str] | None = None,
    source: str | None = None,
    client: Any | None = None,
    blocksize: str = BLOCKSIZE,
) -> pd.DataFrame:
    """The table at PATH checked against CONTRACT, with the contract's types; the rows in order.

    Without CLIENT a file is read and checked whole, as before; a folder part by part, here.
    With a Dask CLIENT every partition is checked on the cluster. Either way every break is
    reported in one `ContractViolation` naming SOURCE (PATH by default), rows numbered across
    the whole table.
    """
    shown = str(path) if source is None else source
    wanted = None if columns is None else list(dict.fromkeys(columns))
    if client is None and not Path(path).is_dir():
        return validate_frame(read_frame(path, wanted), contract, source=shown)
    if client is None:
        root = Path(path)
        checked = [_check_part(read_part(f, root, wanted), contract) for f in table_files(root)]
    else:
        checked = _on_cluster(path, contract, wanted, client, blocksize)
    return _merged(checked, contract, shown)


def _on_cluster(
    path: str | Path, contract: Contract, columns: list[str] | None, client: Any, blocksize: str
) -> list[_Checked]:
    from dask.delayed import delayed

    frame = dask_frame(path, columns, blocksize=blocksize)
    tasks = [delayed(_check_part)(part, contract) for part in frame.to_delayed()]
    try:
        checked: list[_Checked] = client.gather(client.compute(tasks))
    except ValueError as exc:
        if "Mismatched dtypes" not in str(exc):
            raise
        raise DataError(
            f"{path}: a column holds different types in different blocks of the CSV; "
            "write the table as Parquet (typed), or check it here with -S compute=local"
        ) from None
    return checked


def _merged(checked: list[_Checked], contract: Contract, source: str) -> pd.DataFrame:
    breaks: list[Break] = []
    offset = 0
    for part in checked:
        breaks += [
            Break(b.column, b.rule, tuple(offset + r for r in b.rows), b.values)
            for b in part.breaks
        ]
        offset += part.rows
    if breaks:
        raise contract_violation(breaks, contract, source)
    return _joined([part.frame for part in checked if part.frame is not None])
