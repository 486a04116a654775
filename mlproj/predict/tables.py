"""A batch read in chunks and predictions written in chunks, CSV or Parquet by the extension.

Memory follows the chunk size, never the file: pandas reads a CSV `chunksize` rows at a time,
pyarrow a Parquet file batch by batch, and each chunk's rows are written out before the next
is read. Row labels count from 0 across the whole file, so a message can name a row.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from mlproj._core.text import first_line
from mlproj.data.csvfile import check_text, read_header
from mlproj.data.dataset import FORMATS, check_file
from mlproj.errors import DataError

if TYPE_CHECKING:
    import pandas as pd

    from mlproj.data.contract import Contract

SUFFIXES = ", ".join(FORMATS)


def table_format(path: Path, what: str) -> str:
    """`csv` or `parquet`, from PATH's extension; WHAT names the file in the refusal."""
    kind = FORMATS.get(path.suffix.lower())
    if kind is None:
        raise DataError(f"{path}: unsupported format for {what}; name a {SUFFIXES} file.")
    return kind


def read_columns(path: Path) -> list[str]:
    """The batch's column names, after refusing what cannot be a table: read before any row."""
    kind = table_format(path, "the batch")
    check_file(path)
    if kind == "csv":
        check_text(path)
        header = read_header(path)
        if not header:
            raise DataError(f"{path}: the file is empty.")
        return header
    return _parquet_columns(path)


def _parquet_columns(path: Path) -> list[str]:
    import pyarrow.parquet as pq

    try:
        names = list(pq.read_schema(path).names)
    except Exception as exc:  # pyarrow raises many types for a damaged file
        raise DataError(f"{path}: not a readable Parquet file ({first_line(exc)}).") from None
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise DataError(f"{path}: duplicate column names: {', '.join(repeated)}.")
    return names


def read_chunks(
    path: Path, columns: Sequence[str], contract: Contract, size: int
) -> Iterator[pd.DataFrame]:
    """The rows of PATH, SIZE at a time, labelled by their place in the file from 0.

    A CSV's numeric and integer contract columns are parsed by pandas, every other column is
    kept as the text in the file: identifiers keep their leading zeros, categories stay the
    strings the model was trained on, and each chunk has the same types as the last.
    """
    if table_format(path, "the batch") == "csv":
        numbers = {r.name for r in contract.columns if r.kind in ("numeric", "integer")}
        text = {name: "str" for name in columns if name not in numbers}
        return _csv_chunks(path, text, size)
    return _parquet_chunks(path, size)


@contextlib.contextmanager
def _noting_ctrl_c(stopped: list[int]) -> Iterator[None]:
    """Record a Ctrl-C in STOPPED before it interrupts, wherever in pandas' reading it lands.

    pandas' C parser reports an exception raised by the file's `read` as "Calling read(nbytes)
    on source failed", a parse error: without this, Ctrl-C half way would say the file is bad.
    Python runs signal handlers in the main thread alone, so only there can a Ctrl-C land.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def note(signum: int, frame: Any) -> None:
        stopped.append(signum)
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGINT, note)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _csv_chunks(path: Path, text: dict[str, Any], size: int) -> Iterator[pd.DataFrame]:
    import pandas as pd

    stopped: list[int] = []
    try:
        with (
            _noting_ctrl_c(stopped),
            path.open(encoding="utf-8-sig", newline="") as handle,
            pd.read_csv(handle, chunksize=size, dtype=text) as reader,
        ):
            yield from reader  # the index runs on from chunk to chunk
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as exc:
        if stopped:
            raise KeyboardInterrupt from None
        raise DataError(f"{path}: not a readable CSV file ({first_line(exc)}).") from None
    except pd.errors.EmptyDataError:
        raise DataError(f"{path}: the file is empty.") from None
    except OSError as exc:
        raise DataError(f"{path}: cannot be read ({exc.strerror or exc}).") from None


def _parquet_chunks(path: Path, size: int) -> Iterator[pd.DataFrame]:
    import pandas as pd
    import pyarrow.parquet as pq

    start = 0
    try:
        with pq.ParquetFile(path) as parquet:
            for batch in parquet.iter_batches(batch_size=size):
                chunk = batch.to_pandas()
                chunk.index = pd.RangeIndex(start, start + len(chunk))
                start += len(chunk)
                yield chunk
    except OSError as exc:
        raise DataError(f"{path}: cannot be read ({exc.strerror or exc}).") from None
    except Exception as exc:  # pyarrow raises many types for a damaged file
        raise DataError(f"{path}: not a readable Parquet file ({first_line(exc)}).") from None


class TableWriter:
    """Appends frames to an open binary handle as one CSV or one Parquet file.

    Parquet needs one schema for the whole file: it is taken from the first chunk with rows
    (a column with no value there is written as text) and every later chunk is cast to it.
    """

    def __init__(self, handle: IO[bytes], kind: str, target: Path) -> None:
        self.handle, self.kind, self.target = handle, kind, target
        self.header_written = False
        self.empty: pd.DataFrame | None = None
        self.parquet: Any = None
        self.schema: Any = None

    def write(self, frame: pd.DataFrame) -> None:
        """Append FRAME's rows (the header or schema comes with the first frame)."""
        if self.kind == "csv":
            text = frame.to_csv(index=False, header=not self.header_written, lineterminator="\n")
            self.handle.write(text.encode("utf-8"))
            self.header_written = True
        elif frame.empty and self.parquet is None:
            self.empty = frame  # its types say little; wait for rows, or close with it
        else:
            self._write_parquet(frame)

    def _write_parquet(self, frame: pd.DataFrame) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        if self.parquet is None:
            schema = pa.Schema.from_pandas(frame, preserve_index=False)
            for index, field in enumerate(schema):
                if pa.types.is_null(field.type):
                    schema = schema.set(index, field.with_type(pa.string()))
            self.schema = schema.remove_metadata()
            self.parquet = pq.ParquetWriter(self.handle, self.schema)
        try:
            table = pa.Table.from_pandas(frame, schema=self.schema, preserve_index=False)
        except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
            raise DataError(
                f"{self.target}: a column changed type between chunks ({first_line(exc)}); "
                "a larger --chunk-size, or a CSV output, avoids it."
            ) from None
        self.parquet.write_table(table)

    def close(self) -> None:
        """Finish the file: a Parquet footer, or the header alone when no row came."""
        if self.kind == "parquet":
            if self.parquet is None and self.empty is not None:
                self._write_parquet(self.empty)
            if self.parquet is not None:
                self.parquet.close()
                self.parquet = None

    def discard(self) -> None:
        """Let go of an unfinished Parquet writer while its file is still open.

        Left to the garbage collector, it would write its footer into a closed file and print
        an "exception ignored" warning after the real error.
        """
        if self.parquet is not None:
            writer, self.parquet = self.parquet, None
            # The file is being thrown away: a failure to finish it does not matter.
            with contextlib.suppress(Exception):
                writer.close()
