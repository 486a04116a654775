"""Real servers on loopback for end-to-end tests: a Dask cluster (a scheduler, two workers).

Plain helpers, no fixtures: a test module wraps them in the fixture scope it needs.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

BIN = Path(sys.executable).parent


@dataclass
class DaskCluster:
    """A running scheduler and its workers; `address` is what `compute.address` takes."""

    address: str
    scheduler: subprocess.Popen[bytes]
    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)
    logs: Path = Path()

    def worker_addresses(self) -> dict[str, int]:
        """The process id of each worker, by its address."""
        from distributed import Client

        with Client(self.address, timeout=10) as client:
            pids: dict[str, int] = client.run(os.getpid)
        return pids


def _start(args: list[str], log: Path) -> subprocess.Popen[bytes]:
    # Own process group: a worker's nanny and its child stop together.
    with log.open("wb") as out:
        return subprocess.Popen(
            [str(BIN / "dask"), *args],
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env={**os.environ, "DASK_DISTRIBUTED__WORKER__DAEMON": "False"},
        )


def _stop(process: subprocess.Popen[bytes]) -> None:
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


@contextmanager
def dask_cluster(folder: Path, workers: int = 2, timeout: float = 60) -> Iterator[DaskCluster]:
    """`dask scheduler` and WORKERS one-thread `dask worker`s on 127.0.0.1, stopped after.

    Workers run in FOLDER, away from any project: they have this Python environment only, as
    on a real cluster. Fails, with the logs, when they are not all up within TIMEOUT seconds.
    """
    folder.mkdir(parents=True, exist_ok=True)
    file = folder / "scheduler.json"
    loopback = ["--host", "127.0.0.1", "--no-dashboard", "--scheduler-file", str(file)]
    scheduler = _start(
        ["scheduler", *loopback, "--port", "0"],
        folder / "scheduler.log",
    )
    cluster = DaskCluster(address="", scheduler=scheduler, logs=folder)
    try:
        deadline = time.monotonic() + timeout
        while not file.is_file() or not file.read_text().strip():
            _check(cluster, deadline)
        cluster.address = json.loads(file.read_text())["address"]
        for n in range(workers):
            cluster.workers.append(
                _start(
                    ["worker", *loopback, "--nthreads", "1", "--local-directory", f"{folder}/{n}"],
                    folder / f"worker-{n}.log",
                )
            )
        from distributed import Client

        with Client(cluster.address, timeout=timeout) as client:
            client.wait_for_workers(workers, timeout=max(deadline - time.monotonic(), 1))
        yield cluster
    finally:
        for process in [*cluster.workers, scheduler]:
            _stop(process)


def _check(cluster: DaskCluster, deadline: float) -> None:
    if cluster.scheduler.poll() is not None or time.monotonic() > deadline:
        log = (cluster.logs / "scheduler.log").read_text(errors="replace")
        raise RuntimeError(f"the Dask scheduler did not start:\n{log}")
    time.sleep(0.1)
