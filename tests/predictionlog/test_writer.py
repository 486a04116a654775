"""The log writer: rows written by size, by age and on close; a full queue drops and counts."""

from __future__ import annotations

import threading
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pandas as pd

from mlproj.predictionlog.schema import read_log
from mlproj.predictionlog.writer import LogWriter, Rows


def rows(count: int, start: int = 0) -> pd.DataFrame:
    now = datetime.now(timezone.utc)
    return pd.DataFrame(
        {"_request_id": [f"r{start + n}" for n in range(count)], "_row": 0,
         "_time": pd.Series([now] * count, dtype="datetime64[us, UTC]"), "x": 1.0}
    )  # fmt: skip


class Slow:
    """A write that waits for the test to let it go, counting the rows it was given."""

    def __init__(self) -> None:
        self.go = threading.Event()
        self.batches: list[int] = []

    def __call__(self, folder: Path, frame: pd.DataFrame) -> None:
        self.go.wait(5)
        self.batches.append(len(frame))


def test_rows_are_written_when_a_batch_is_full(tmp_path: Path) -> None:
    writer = LogWriter(tmp_path, flush_rows=5, flush_seconds=60)
    for n in range(3):
        assert writer.put(rows(2, start=2 * n))
    deadline = time.monotonic() + 5
    while writer.written < 6 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert writer.written == 6  # one batch of 6: 5 were due, the sixth came with them
    assert sorted(read_log(tmp_path)["_request_id"]) == sorted(f"r{n}" for n in range(6))
    writer.close()


def test_rows_are_written_when_the_oldest_has_waited_long_enough(tmp_path: Path) -> None:
    writer = LogWriter(tmp_path, flush_rows=1000, flush_seconds=0.05)
    writer.put(rows(3))
    deadline = time.monotonic() + 5
    while writer.written < 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert writer.written == 3
    writer.close()


def test_close_writes_what_is_queued_and_later_rows_are_dropped(tmp_path: Path) -> None:
    writer = LogWriter(tmp_path, flush_rows=1000, flush_seconds=60)
    writer.put(rows(4))
    writer.close()
    assert writer.written == 4
    assert len(read_log(tmp_path)) == 4
    assert writer.put(rows(2)) is False
    assert writer.dropped == 2
    writer.close()  # twice is fine


def test_a_full_queue_drops_and_counts_without_blocking(tmp_path: Path) -> None:
    slow = Slow()
    writer = LogWriter(tmp_path, flush_rows=1, flush_seconds=60, queue_rows=5, write=slow)
    writer.put(rows(1))  # taken by the thread, which now waits in the write
    deadline = time.monotonic() + 5
    while writer.queued and time.monotonic() < deadline:
        time.sleep(0.01)
    started = time.perf_counter()
    accepted = [writer.put(rows(2)) for _ in range(4)]
    assert time.perf_counter() - started < 0.5
    assert accepted == [True, True, False, False]
    assert writer.dropped == 4
    slow.go.set()
    writer.close()
    assert writer.written == 5
    assert sum(slow.batches) == 5


def test_a_failing_write_is_counted_and_said_and_never_raised(tmp_path: Path, capsys: Any) -> None:
    def broken(folder: Path, frame: pd.DataFrame) -> None:
        raise OSError(28, "No space left on device")

    writer = LogWriter(tmp_path, flush_rows=1000, flush_seconds=60, write=broken)
    assert writer.put(rows(3))
    writer.close()
    assert (writer.written, writer.failed) == (0, 3)
    assert capsys.readouterr().err == (
        f"mlproj serve: could not write 3 row(s) to the prediction log {tmp_path} "
        "(OSError: [Errno 28] No space left on device); they are lost.\n"
    )


def test_rows_as_plain_lists_are_written_as_one_frame_with_their_types(tmp_path: Path) -> None:
    now = datetime.now(timezone.utc)
    types = {"_request_id": "string", "_row": "int64", "_time": "datetime64[us, UTC]", "n": "Int64"}
    writer = LogWriter(tmp_path, flush_rows=1000, flush_seconds=60)
    for n in range(3):
        columns = {"_request_id": [f"p{n}"], "_row": [0], "_time": [now], "n": [n if n else None]}
        writer.put(Rows(columns, types))
    writer.put(rows(1))  # a frame beside them
    writer.close()
    log = read_log(tmp_path)
    assert sorted(log["_request_id"]) == ["p0", "p1", "p2", "r0"]
    assert len(list(tmp_path.glob("date=*/part-*.parquet"))) == 1
    assert str(pd.read_parquet(next(tmp_path.glob("date=*/part-*.parquet")))["n"].dtype) == "Int64"
