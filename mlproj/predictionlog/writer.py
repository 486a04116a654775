"""The prediction log's writer: rows handed over by requests, written in batches by one thread.

A request must never wait for a disk, nor fail because of one. `put` only appends the rows to
an in-memory queue and returns; a background thread writes them with `write_part` when
`flush_rows` rows wait or the oldest has waited `flush_seconds`, and when the writer closes.
The queue is bounded (`queue_rows`): rows that arrive when it is full are dropped and counted,
never blocking the request. A write that fails (disk full, permissions) is counted and said on
stderr; its rows are lost, the next batch is tried afresh.

What a crash loses: `close()` (the server's shutdown, on SIGTERM or Ctrl-C) writes every row
still queued. A process killed outright (SIGKILL, the OOM killer, power loss) loses the rows
not yet written, at most one batch's worth: `flush_rows` rows or `flush_seconds` of traffic,
plus whatever was queued behind a slow disk. Each part is written to a hidden file and
renamed, so a kill never leaves half a part for readers.
"""

from __future__ import annotations

import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlproj._core.text import first_line
from mlproj.predictionlog.schema import write_part

if TYPE_CHECKING:
    import pandas as pd

Write = Callable[[Path, "pd.DataFrame"], object]


@dataclass(frozen=True)
class Rows:
    """Log rows as plain lists, one per column, with the pandas type each column becomes.

    Cheap to make on a request's path (a DataFrame per request cost more than scoring a row);
    the writer makes one frame of a whole batch, where the cost is shared by its rows.
    """

    columns: dict[str, list[Any]]
    dtypes: dict[str, str]

    def __len__(self) -> int:
        return len(next(iter(self.columns.values()), []))

    def frame(self) -> pd.DataFrame:
        """These rows as a DataFrame of their types."""
        return _frame([self])


def _frame(batches: list[Rows]) -> pd.DataFrame:
    """BATCHES (with the same columns and types) as one DataFrame."""
    import pandas as pd

    first = batches[0]
    return pd.DataFrame(
        {
            name: pd.Series(
                [value for rows in batches for value in rows.columns[name]],
                dtype=first.dtypes[name],
            )
            for name in first.columns
        }
    )


def combined(items: list[pd.DataFrame | Rows]) -> pd.DataFrame:
    """Frames and Rows as one frame: Rows of the same columns and types made into one first."""
    import pandas as pd

    groups: dict[tuple[tuple[str, str], ...], list[Rows]] = {}
    frames: list[pd.DataFrame] = []
    for item in items:
        if isinstance(item, Rows):
            groups.setdefault(tuple(item.dtypes.items()), []).append(item)
        else:
            frames.append(item)
    frames += [_frame(group) for group in groups.values()]
    return frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)


class LogWriter:
    """Batches frames of log rows and writes them under FOLDER from a background thread.

    Counters (`written`, `dropped`, `failed`, in rows) may be read at any time from any thread.
    """

    def __init__(
        self,
        folder: Path,
        *,
        flush_rows: int = 1000,
        flush_seconds: float = 5.0,
        queue_rows: int = 100_000,
        write: Write = write_part,
    ) -> None:
        self.folder = folder
        self.flush_rows = flush_rows
        self.flush_seconds = flush_seconds
        self.queue_rows = queue_rows
        self.written = 0
        self.dropped = 0
        self.failed = 0
        self._write = write
        self._frames: deque[tuple[float, pd.DataFrame | Rows]] = deque()
        self._queued = 0
        self._closing = False
        self._wake = threading.Condition()
        self._thread = threading.Thread(target=self._run, name="prediction-log", daemon=True)
        self._thread.start()

    @property
    def queued(self) -> int:
        """Rows waiting to be written."""
        return self._queued

    def put(self, frame: pd.DataFrame | Rows) -> bool:
        """Queue FRAME's rows; False (and counted as dropped) when the queue is full or closed.

        Never blocks on the disk and never raises: a request calls it on its way out.
        """
        try:
            rows = len(frame)
            with self._wake:
                if self._closing or self._queued + rows > self.queue_rows:
                    self.dropped += rows
                    return False
                first = not self._frames
                self._frames.append((time.monotonic(), frame))
                self._queued += rows
                # The first rows start the clock the thread sleeps on; a full batch ends it.
                if first or self._queued >= self.flush_rows:
                    self._wake.notify()
            return True
        except Exception:  # a log that cannot take rows must not fail the request
            self.dropped += len(frame) if hasattr(frame, "__len__") else 0
            return False

    def close(self, timeout: float | None = None) -> None:
        """Write every row still queued, then stop the thread. Safe to call more than once."""
        with self._wake:
            self._closing = True
            self._wake.notify()
        self._thread.join(timeout)

    def _run(self) -> None:
        while True:
            with self._wake:
                while not self._due():
                    self._wake.wait(self._wait())
                batch = list(self._frames)
                self._frames.clear()
                self._queued = 0
                closing = self._closing
            if batch:
                self._flush([frame for _, frame in batch])
            if closing:
                return

    def _due(self) -> bool:
        """Whether to write now (called holding the lock)."""
        if self._closing or self._queued >= self.flush_rows:
            return True
        return bool(self._frames) and time.monotonic() - self._frames[0][0] >= self.flush_seconds

    def _wait(self) -> float | None:
        """How long to sleep before the oldest queued rows are due (None: until woken)."""
        if not self._frames:
            return None
        return max(0.0, self.flush_seconds - (time.monotonic() - self._frames[0][0]))

    def _flush(self, frames: list[pd.DataFrame | Rows]) -> None:
        rows = sum(len(frame) for frame in frames)
        try:
            self._write(self.folder, combined(frames))
        except Exception as exc:  # whatever the disk or pyarrow says, the server goes on
            self.failed += rows
            print(
                f"mlproj serve: could not write {rows} row(s) to the prediction log "
                f"{self.folder} ({type(exc).__name__}: {first_line(exc)}); they are lost.",
                file=sys.stderr,
                flush=True,
            )
            return
        self.written += rows
