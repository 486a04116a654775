"""A table kept as a folder of Parquet files, read here as one pandas table.

A project can move its raw data (or a drift batch) to partitions before it moves to a cluster:
a folder of `part-*.parquet` files, or hive-style `key=value/` folders whose keys become text
columns, is one table, its files in natural order (part-2 before part-10) and its rows numbered
0, 1, ... across them. Files whose types differ join as pandas would join them, except that a
text column one file stores as a category stays text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from mlproj.errors import DataError

if TYPE_CHECKING:
    import pandas as pd

PARQUET = (".parquet", ".pq")


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
    from urllib.parse import unquote

    import pandas as pd
    import pyarrow.parquet as pq

    # Hive folder names are URI-encoded (pyarrow writes `city=New%20York`), as pandas reads them.
    folders = [part.split("=", 1) for part in file.relative_to(root).parent.parts if "=" in part]
    keys = {key: unquote(value) for key, value in folders}
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
        return joined(parts)
    if path.suffix.lower() in PARQUET:
        import pyarrow.parquet as pq

        names = None if wanted is None else [n for n in pq.read_schema(path).names if n in wanted]
        return pd.read_parquet(path, columns=names)
    if wanted is None:
        return pd.read_csv(path)
    keep = set(wanted)
    return pd.read_csv(path, usecols=lambda name: name in keep)


def joined(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """PARTS as one table, rows renumbered, with the types a read of the whole would give."""
    import pandas as pd

    # An empty part would change a column's type in the join (pandas counts its dtype too).
    full = [p for p in parts if len(p)] or parts[:1]
    if len(full) == 1:
        return full[0]
    plain = [_plain(p, full) for p in full]
    return pd.concat([_filled(p, plain) for p in plain], ignore_index=True)


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


def _filled(part: pd.DataFrame, parts: list[pd.DataFrame]) -> pd.DataFrame:
    """PART with a column it has no value in typed as the parts that have values type it.

    A file whose text column is all missing may store it untyped (`null`); joined as it is,
    it would make the whole column `object`, unlike the table read whole.
    """
    retype = {}
    for name, dtype in part.dtypes.items():
        others = {
            p[name].dtype for p in parts if p is not part and name in p and p[name].notna().any()
        }
        if len(others) == 1 and dtype not in others and part[name].isna().all():
            retype[name] = others.pop()
    return part.astype(retype) if retype else part
