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

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlproj._core.text import first_line
from mlproj.data.contract import Break, Contract, contract_violation, validate_frame
from mlproj.data.parts import PARQUET, joined, read_frame, read_part, table_files
from mlproj.errors import ContractViolation, DataError

if TYPE_CHECKING:
    import pandas as pd

BLOCKSIZE = "64MiB"


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
            import pyarrow.parquet as pq

            files = table_files(path) if path.is_dir() else [path]
            root = path if path.is_dir() else path.parent
            # The first file's columns and types from its schema alone, not its rows.
            meta = pq.read_schema(files[0]).empty_table().to_pandas()
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
    With a Dask CLIENT every partition is checked on the cluster (one Parquet file is one, and
    keeps its stored index, as here). Either way every break is
    reported in one `ContractViolation` naming SOURCE (PATH by default), rows numbered across
    the whole table.
    """
    shown = str(path) if source is None else source
    wanted = None if columns is None else list(dict.fromkeys(columns))
    folder = Path(path).is_dir()
    if client is None and not folder:
        return validate_frame(read_frame(path, wanted), contract, source=shown)
    if client is None:
        root = Path(path)
        checked = [_check_part(read_part(f, root, wanted), contract) for f in table_files(root)]
    elif folder or Path(path).suffix.lower() not in PARQUET:
        checked = _on_cluster(path, contract, wanted, client, blocksize)
    else:
        # One Parquet file is one partition: one worker checks it whole, its index kept as here.
        task = client.submit(
            _validate_file, Path(path).resolve(), contract, wanted, shown, pure=False
        )
        with _unreadable(path):
            valid: pd.DataFrame | list[Break] = task.result()
        if isinstance(valid, list):
            raise contract_violation(valid, contract, shown)
        return valid
    return _merged(checked, contract, shown)


def _validate_file(
    path: Path, contract: Contract, columns: list[str] | None, source: str
) -> pd.DataFrame | list[Break]:
    # The breaks travel back, not the error: pandera's cause does not survive pickling.
    try:
        return validate_frame(read_frame(path, columns), contract, source=source)
    except ContractViolation as violation:
        return list(violation.failures)  # type: ignore[attr-defined]


def _on_cluster(
    path: str | Path, contract: Contract, columns: list[str] | None, client: Any, blocksize: str
) -> list[_Checked]:
    from dask.delayed import delayed

    frame = dask_frame(path, columns, blocksize=blocksize)
    tasks = [delayed(_check_part)(part, contract) for part in frame.to_delayed()]
    try:
        with _unreadable(path):
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
    return joined([part.frame for part in checked if part.frame is not None])


@contextmanager
def _unreadable(path: str | Path) -> Iterator[None]:
    """A file the workers cannot open becomes one line: they must see what this machine sees."""
    try:
        yield
    except OSError as exc:
        raise DataError(
            f"{path}: the Dask workers cannot read it ({first_line(exc)}); they must see the "
            "data at the same path as this machine (a shared file system), or run with "
            "-S compute=local"
        ) from None
